/* Internal to launcher/: the prepared plan of one run and the steps that
 * carry it out.
 *
 * Everything the sandbox needs is computed and allocated by the launcher
 * (the parent) before clone: the child processes (the sandbox init and the
 * payload) only read this plan and make system calls, so that between clone
 * and execve nothing but async-signal-safe code runs. */
#ifndef CR_LAUNCHER_SANDBOX_H
#define CR_LAUNCHER_SANDBOX_H

#include <linux/capability.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/types.h>

#include "cgroup.h"
#include "cleanroom.h"
#include "cr/config.h"
#include "cr/policy.h"
#include "identity.h"
#include "timing.h"

/* One fd of the child's table: `source` is an fd of the launcher. */
struct cr_fd_slot {
  int target;
  int source;
};

struct cr_plan {
  const struct cr_config *cfg;
  uint64_t clone_flags;     /* every namespace but the network's (helper.c) */
  bool new_network;         /* a new network namespace, made by the launcher's helper */
  struct cr_identity identity; /* the sandbox's host ids (identity.c) */
  bool caller_is_root;     /* ids: root writes the maps and may clear groups */
  uid_t outer_uid;         /* host ids the sandbox ids map to */
  gid_t outer_gid;

  /* fd table */
  struct cr_fd_slot *fds;  /* sorted by target */
  struct cr_fd_slot *payload_fds; /* the payload's working copy (it may share the init's memory) */
  size_t n_fds;
  int max_target;          /* highest fd of the child's table, >= 2 */
  rlim_t fd_numbers_needed; /* RLIMIT_NOFILE the payload needs to lay the table out */
  int null_fd;             /* /dev/null for undeclared 0, 1, 2 */
  int *opened_fds;         /* fds the launcher opened for the table (closed after the run) */
  size_t n_opened;

  /* exec */
  char **argv;             /* points into cfg */
  char **envp;             /* "NAME=value" strings */
  const char *search_path; /* PATH used to find args[0] when process.path is unset */

  /* capabilities */
  uint64_t kept_caps;
  int last_cap;

  struct cr_bpf bpf;       /* len 0 = no filter */

  /* bind sources (open_tree) and proc instances (fsmount) the init makes
   * before anything is mounted;
   * index = filesystem entry, -1 for others */
  int *tree_fds;
  /* the host's device nodes opened (open_tree) for each dev entry:
   * CR_DEV_NODE_COUNT per filesystem entry, -1 for others */
  int *dev_node_fds;
  /* st_dev of the filesystems the sandbox made itself (root, tmpfs, dev):
   * the only places where a mount point or file may be created */
  dev_t *own_devs;
  size_t n_own_devs_max;

  /* the launcher's argv and environment strings, which the init (a copy of
   * the launcher) wipes: /proc/1/cmdline is readable by every process */
  unsigned long arg_start, arg_end, env_start, env_end;

  uint64_t *marks;         /* CLEANROOM_DEBUG_TIMING: a shared page of clock marks, else NULL */
  uint64_t deadline_ns;    /* CLOCK_MONOTONIC end of limits.time_ms (the init enforces it), 0 = none */

  /* pipes between launcher and init */
  int sync_rd, sync_wr;    /* launcher -> init: "id maps written"; EOF = launcher died */
  int msg_rd, msg_wr;      /* init/payload -> launcher: struct cr_msg records */
  int helper_rd, helper_wr; /* sandbox <-> the launcher's helper (helper.c), a socket pair */

  struct cr_cgroups cgroups; /* limits.memory/pids/cpu; empty when none is set */
};

/* fds the payload holds above the table while it lays it out: the records
 * pipe, /dev/null, the helper and notify sockets, and a margin */
#define CR_PAYLOAD_SPARE_FDS 8

#define CR_DEV_NODE_COUNT 6 /* null zero full random urandom tty (mounts.c) */

/* Sent by the launcher to the init when the grace period runs out or the
 * sandbox is to end: the init kills every other process of the sandbox,
 * reaps them, and still reports (so the report keeps the sandbox's cpu time
 * and memory). The init does the same itself when limits.time_ms runs out. */
#define CR_SIG_KILL_SANDBOX (SIGRTMIN + 3)
/* Job control: the launcher was told to stop (^Z, SIGTTIN, SIGTTOU). The
 * init stops every other process of the sandbox and says so
 * (CR_MSG_STOPPED) before the launcher stops itself; SIGCONT to the init
 * continues them. */
#define CR_SIG_STOP_SANDBOX (SIGRTMIN + 4)

/* Records the sandbox sends to the launcher over msg pipe. */
enum cr_msg_kind {
  CR_MSG_SETUP_FAILED = 1,  /* a setup step failed: exit 125 */
  CR_MSG_EXEC_FAILED,       /* execve of the payload failed: 126 / 127 */
  CR_MSG_PAYLOAD_ENDED,     /* wait status and resource usage of the sandbox */
  CR_MSG_STOPPED,           /* the sandbox's processes are stopped (job control) */
};

struct cr_msg {
  int kind;
  int errnum;
  int wstatus;
  int time_limit_hit;       /* PAYLOAD_ENDED: the init ended the sandbox at limits.time_ms */
  struct rusage usage;
  char where[64];
  char what[512];
};

/* launcher side (parent) */
int cr_plan_prepare(struct cr_plan *plan, const struct cr_config *cfg, cr_error *err);
void cr_plan_release(struct cr_plan *plan);
int cr_write_id_maps(const struct cr_plan *plan, int init_pidfd, cr_error *err);

/* sandbox side (child): never return */
__attribute__((noreturn)) void cr_sandbox_init_main(const struct cr_plan *plan);
void cr_payload_set_inherited(const struct cr_plan *plan);
__attribute__((noreturn)) void cr_payload_main(const struct cr_plan *plan, int notify_sock);

/* the launcher's helper (helper.c): network namespace, old root */
int cr_helper_run(const struct cr_plan *plan, int init_pidfd, cr_error *err);
void cr_helper_join_network(const struct cr_plan *plan);
void cr_helper_root_pivoted(const struct cr_plan *plan);
void cr_helper_wait_old_root_gone(int helper_sock);

/* mount steps of the init (they fail through cr_child_fail) */
void cr_mount_open_sources(const struct cr_plan *plan);
int cr_mount_enter_new_root(const struct cr_plan *plan);
void cr_mount_build_root(const struct cr_plan *plan, int rootfd);

/* async-signal-safe helpers for the sandbox side (child_util.c) */
void cr_child_report(const struct cr_plan *plan, int kind, int errnum, const char *where,
                     const char *what);
__attribute__((noreturn)) void cr_child_fail(const struct cr_plan *plan, int errnum,
                                             const char *where, const char *what);
size_t cr_strlcpy(char *dst, const char *src, size_t size);
size_t cr_strlcat(char *dst, const char *src, size_t size);
char *cr_fmt_uint(char *buf, size_t size, unsigned long long v);
int cr_write_all(int fd, const void *buf, size_t len);
int cr_fd_above_stdio(int fd);
int cr_drop_bounding_set(const struct cr_plan *plan, uint64_t drop);
int cr_set_capabilities(const struct cr_plan *plan, uint64_t keep);
int cr_close_fds_except(const int *keep, size_t n_keep);
pid_t cr_clone3(uint64_t flags, int cgroup_fd, int *pidfd);
void cr_wait_readable(int fd);
int cr_set_signal_dispositions(void (*handler)(int), int except);
int cr_send_fd(int sock, int fd);
int cr_recv_fd(int sock);

#endif
