/* SPDX-License-Identifier: MIT */
/* Internal to launcher/: the cgroup(s) that enforce limits.memory, .pids and
 * .cpu (cgroup_internal.h says which file does what).
 *
 * Lifecycle, all on the launcher side:
 *
 *   cr_cgroups_init      always (plan.c); makes cr_cgroups_release safe
 *   cr_cgroups_setup     before clone: pick v2 or v1 per controller, start
 *                        the watchdog, create the directories, write limits.
 *                        Nothing at all happens when no such limit is set.
 *   cr_cgroups_clone_fd  the v2 directory for clone3 CLONE_INTO_CGROUP, or -1
 *   cr_cgroups_attach    right after clone, before the init is released:
 *                        write the init's pid into each v1 directory
 *   cr_cgroups_finish    after the init was reaped: read oom kills, pids
 *                        limit hits and peak memory into the result, then
 *                        kill what is left and remove the directories
 *   cr_cgroups_release   every path (plan release): kill, remove, stop the
 *                        watchdog; a no-op after cr_cgroups_finish
 *
 * The cgroups go below the launcher's own cgroup (per hierarchy, from
 * /proc/self/cgroup and /proc/self/mountinfo), or below limits.cgroup_parent
 * or the cgroup parent of the options (a path as in /proc/self/cgroup, e.g.
 * "/cleanroom.slice", used in every hierarchy). */
#ifndef CR_LAUNCHER_CGROUP_H
#define CR_LAUNCHER_CGROUP_H

#include <stdbool.h>
#include <sys/types.h>

#include "cleanroom/cleanroom.h"
#include "cr/config.h"
#include "cr/log.h"

enum cr_cgroup_controller { CR_CG_MEMORY, CR_CG_PIDS, CR_CG_CPU, CR_CG_COUNT };

#define CR_CGROUP_MAX_DIRS 4 /* one v2 directory and one per v1 hierarchy */

struct cr_cgroup_dir {
  char *path;  /* absolute directory, e.g. /sys/fs/cgroup/memory/x/cleanroom-12-0123... */
  int version; /* 1 or 2 */
  bool created;
};

struct cr_cgroups {
  struct cr_cgroup_dir dirs[CR_CGROUP_MAX_DIRS];
  size_t n_dirs;
  int dir_of[CR_CG_COUNT]; /* index into dirs; -1 = not enforced */
  int use[CR_CG_COUNT];    /* enum cr_cgroup_use */
  int v2_fd;               /* O_PATH fd of the v2 directory, -1 when none */
  pid_t watchdog;
  int watchdog_fd; /* the launcher's end of the watchdog's socket */
};

void cr_cgroups_init(struct cr_cgroups *cg);
/* `parent`: the options' cgroup parent (NULL: the process's own), unless
 * limits.cgroup_parent names one; warnings of optional limits go to `log`;
 * the watchdog also watches `launcher_pidfd`. */
int cr_cgroups_setup(struct cr_cgroups *cg, const struct cr_limits *limits, const char *parent,
                     const struct cr_log *log, int launcher_pidfd, cr_error **err);
int cr_cgroups_clone_fd(const struct cr_cgroups *cg);
int cr_cgroups_attach(const struct cr_cgroups *cg, pid_t pid, cr_error **err);
void cr_cgroups_finish(struct cr_cgroups *cg, struct cr_result *res);
void cr_cgroups_release(struct cr_cgroups *cg);

#endif
