/* SPDX-License-Identifier: MIT */
/* Internal to launcher/: the code that runs in the sandbox's processes and
 * in the launcher's helper, after clone (launch protocol: protocol.h).
 *
 * These are copies of a possibly multithreaded host: they use only system
 * calls and the prepared plan, no allocator, no stdio, no lock
 * (tests/launcher/child_symbols.sh checks what these objects import). */
#ifndef CR_LAUNCHER_CHILD_H
#define CR_LAUNCHER_CHILD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "plan.h"

/* What the init makes and the payload reads: apart from the plan, in the
 * init's own memory (mapped by the init). */
struct cr_init_state {
  /* per filesystem entry: its bind source or proc instance, -1 for others */
  int *tree_fds;
  /* the host's device nodes of each dev entry: CR_DEV_NODE_COUNT per entry */
  int *dev_node_fds;
  /* st_dev of the filesystems the sandbox made itself (root, tmpfs, dev):
   * the only places where a mount point or file may be created */
  dev_t *own_devs;
  size_t n_own_devs, n_own_devs_max;

  /* the payload's process: the config's, or the start's job's */
  char *const *argv;
  char *const *envp;
  const char *path; /* process.path, NULL: search argv[0] in search_path */
  const char *search_path;
  const char *cwd;
  struct cr_fd_slot *fds; /* its fd table, sorted by target */
  size_t n_fds;
  int max_target;
  rlim_t fd_numbers_needed;       /* RLIMIT_NOFILE the payload needs to lay the table out */
  struct cr_fd_slot *payload_fds; /* the payload's working copy (it may share the init's memory) */
  uint64_t deadline_ns;           /* CLOCK_MONOTONIC end of the time limit, 0 = none */
};

/* ---- the init (init.c) ---- */
__attribute__((noreturn)) void cr_init_main(const struct cr_plan *plan);

/* ---- the root filesystem (mounts.c; they fail through cr_child_fail) ---- */
void cr_mount_open_sources(const struct cr_plan *plan, struct cr_init_state *st);
int cr_mount_enter_new_root(const struct cr_plan *plan);
void cr_mount_build_root(const struct cr_plan *plan, struct cr_init_state *st, int rootfd);

/* ---- the payload (payload.c) ---- */
/* What fork passes on, set by the init right before it forks the payload. */
void cr_payload_set_inherited(const struct cr_plan *plan, struct cr_carried *carried);
/* sched.c: nice, policy, I/O priority and CPU affinity, fresh or declared */
void cr_payload_reset_scheduling(const struct cr_plan *plan, struct cr_carried *carried);
__attribute__((noreturn)) void cr_payload_main(const struct cr_plan *plan, const struct cr_init_state *st,
                                               int notify_sock);

/* ---- the launcher's helper (helper.c) ---- */
struct cr_helper_args {
  const struct cr_plan *plan;
  int init_pidfd;
  /* written by the helper when a step fails, read by the launcher after */
  int errnum;
  const char *where, *what;
};
int cr_helper_main(void *arg); /* the vfork-style child's entry; its exit status says how it went */
/* sandbox side */
void cr_helper_join_network(const struct cr_plan *plan);
void cr_helper_root_pivoted(const struct cr_plan *plan);
void cr_helper_wait_old_root_gone(int helper_sock);

/* ---- the cgroup watchdog (cgroup_watchdog.c) ---- */
__attribute__((noreturn)) void cr_watchdog_main(const struct cr_cgroups *cg, int sock, int launcher_pidfd);

/* ---- async-signal-safe helpers (util.c) ---- */
/* A record to the launcher; the payload passes its own moved copy of the socket. */
void cr_child_report_on(int records_fd, int kind, int errnum, const char *where, const char *what);
void cr_child_report(const struct cr_plan *plan, int kind, int errnum, const char *where, const char *what);
__attribute__((noreturn)) void cr_child_fail(const struct cr_plan *plan, int errnum, const char *where,
                                             const char *what);
__attribute__((noreturn)) void cr_child_fail_on(int records_fd, int errnum, const char *where,
                                                const char *what);
/* Copy / append, always NUL-terminated; a string that does not fit ends in "..." */
size_t cr_strlcpy(char *dst, const char *src, size_t size);
size_t cr_strlcat(char *dst, const char *src, size_t size);
char *cr_fmt_uint(char *buf, size_t size, unsigned long long v);
int cr_write_all(int fd, const void *buf, size_t len);
int cr_drop_bounding_set(const struct cr_plan *plan, uint64_t drop);
int cr_set_capabilities(const struct cr_plan *plan, uint64_t keep);
int cr_close_fds_except(const int *keep, size_t n_keep);
pid_t cr_clone3(uint64_t flags, int cgroup_fd, int *pidfd);
void cr_wait_readable(int fd);
int cr_set_signal_dispositions(void (*handler)(int), int except);
int cr_send_fd(int sock, int fd);
int cr_recv_fd(int sock);
int cr_fd_above_stdio(int fd);
void *cr_map_anonymous(size_t size); /* NULL on failure (errno) */

#endif
