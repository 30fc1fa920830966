/* SPDX-License-Identifier: MIT */
/* Internal to launcher/: the plan of one sandbox, prepared by the launcher
 * before any process starts (plan.c).
 *
 * Everything the sandbox needs is computed and allocated here, so that
 * between clone and execve nothing but async-signal-safe code runs: the
 * sandbox's processes read their copy of the plan (`const`: what they make
 * themselves lives in struct cr_init_state, child/child.h) and make system
 * calls. The launcher reads the config only until create returns; what it
 * needs after that is copied into the plan. */
#ifndef CR_LAUNCHER_PLAN_H
#define CR_LAUNCHER_PLAN_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/types.h>

#include "cgroup.h"
#include "cr/config.h"
#include "cr/log.h"
#include "cr/policy.h"
#include "identity.h"
#include "protocol.h"
#include "timing.h"

/* One fd of the payload's table: `source` is an fd of the launcher (or,
 * for a job's, of the init). */
struct cr_fd_slot {
  int target;
  int source;
};

/* fds the payload holds above its table while it lays it out: the records
 * socket, /dev/null, the helper and notify sockets, and a margin */
#define CR_PAYLOAD_SPARE_FDS 8

#define CR_DEV_NODE_COUNT 6 /* null zero full random urandom tty (child/mounts.c) */

struct cr_plan {
  const struct cr_config *cfg; /* the sandbox's copy of it; the launcher's only during create */
  uint64_t clone_flags;        /* every namespace but the network's (helper) and IPC's (init) */
  bool new_network;            /* a new network namespace, made by the launcher's helper */
  struct cr_identity identity; /* the sandbox's host ids (identity.c) */
  bool caller_is_root;         /* ids: root writes the maps and may clear groups */
  uid_t outer_uid;             /* host ids the sandbox ids map to */
  gid_t outer_gid;
  uint32_t id_base, id_count; /* a root caller's other ids map to id_base + id (cr_options_set_id_range) */

  /* fd table of the config */
  struct cr_fd_slot *fds; /* sorted by target */
  size_t n_fds;
  int max_target;     /* highest fd of the table, >= 2 */
  rlim_t nofile_hard; /* the launcher's RLIMIT_NOFILE hard limit (a job's fds are checked against it) */
  int null_fd;        /* /dev/null for undeclared 0, 1, 2 */
  int *opened_fds;    /* fds the launcher opened for the table (closed with the plan) */
  size_t n_opened;

  /* exec */
  char **argv;             /* points into cfg */
  char **envp;             /* "NAME=value" strings */
  const char *search_path; /* PATH used to find args[0] when process.path is unset */

  /* CPUs online, when the plan was made: fewer in the payload's affinity
   * after its reset is a cpuset's ceiling (child/sched.c) */
  unsigned cpus_online;

  /* capabilities */
  uint64_t kept_caps;
  int last_cap;

  struct cr_bpf bpf; /* len 0 = no filter */

  /* the launcher's argv and environment strings, which the init (a copy of
   * the launcher) wipes: /proc/1/cmdline is readable by every process */
  unsigned long arg_start, arg_end, env_start, env_end;

  uint64_t *marks;           /* debug timing: a shared page of clock marks, else NULL */
  struct cr_channels ch;     /* protocol.h */
  struct cr_cgroups cgroups; /* limits.memory/pids/cpu; empty when none is set */

  /* cr_run: the config's process starts as soon as the sandbox is built
   * (no READY, no start channel); else the init says READY and waits for
   * the start (cr_sandbox_create, cr_sandbox_start) */
  bool start_at_once;
  /* what the launcher needs after create, copied from the config */
  uint64_t time_limit_ms;
  uint64_t kill_grace_ms;
};

/* `env` carries the cache folder and log of the compile. */
int cr_plan_prepare(struct cr_plan *plan, const struct cr_config *cfg, bool start_at_once,
                    const struct cr_policy_env *env, const char *cgroup_parent, const struct cr_log *log,
                    cr_error **err);
void cr_plan_release(struct cr_plan *plan);
int cr_write_id_maps(const struct cr_plan *plan, int init_pidfd, cr_error **err);
/* One line of an id map. The layout of every map: the sandbox's own id on
 * its host id, the others below `count` (none when 0) on base + id, the
 * host id base + id itself left out. Returns how many (at most 3). */
struct cr_id_extent {
  uint32_t inside, outside, count;
};
size_t cr_id_map_extents(uint32_t id, uint32_t host, uint32_t base, uint32_t count,
                         struct cr_id_extent out[3]);
/* The range of a root caller's other ids; refused when it would hold the
 * sandbox's own host ids. */
int cr_plan_set_id_range(struct cr_plan *plan, uint32_t base, uint32_t count, cr_error **err);

/* The filter notifies the init (exec_once, or the reporting program): the
 * payload installs it with a listener and hands that over (protocol.h). */
static inline bool cr_plan_notifies(const struct cr_plan *plan) {
  return plan->bpf.len && (plan->bpf.exec_once || plan->bpf.reporting);
}

#endif
