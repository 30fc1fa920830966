/* SPDX-License-Identifier: MIT */
/* Internal to the cgroup files of launcher/ (cgroup.h has the lifecycle):
 *   cgroup_watchdog.c  files and removal, async-signal-safe (the watchdog
 *                      uses them after fork), and the watchdog itself
 *   cgroup_find.c      where the process's cgroups are (/proc/self/cgroup,
 *                      /proc/self/mountinfo)
 *   cgroup_v1.c        limits, attach and counters of a v1 hierarchy
 *   cgroup_v2.c        the same for cgroup v2
 *   cgroup.c           the lifecycle of one sandbox's cgroups */
#ifndef CR_LAUNCHER_CGROUP_INTERNAL_H
#define CR_LAUNCHER_CGROUP_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cgroup.h"

/* ---- cgroup_watchdog.c (async-signal-safe) ---- */
size_t cr_cg_join_path(char *buf, size_t size, const char *dir, const char *file);
int cr_cg_write_file(const char *dir, const char *file, const char *text);
/* Kill whatever is left in the cgroup and remove it; gives up after about
 * five seconds. Returns 0 when the directory is gone. */
int cr_cg_remove(const char *dir, int version);

/* ---- reading counters (cgroup_find.c) ---- */
int cr_cg_read_text(const char *dir, const char *file, char *buf, size_t size);
/* The number after `key` on a "key value" line of DIR/FILE. */
int cr_cg_read_keyed(const char *dir, const char *file, const char *key, uint64_t *value);
int cr_cg_read_number(const char *dir, const char *file, uint64_t *value);
bool cr_cg_has_token(const char *list, const char *token, char sep);

/* ---- where the cgroups go (cgroup_find.c) ---- */
struct cr_host_cgroups {
  char *v2_parent;              /* directory new v2 cgroups go in, NULL when none */
  char *v1_parent[CR_CG_COUNT]; /* per controller: the directory in its v1 hierarchy */
};
/* `parent`: a cgroup path ("/x.slice") used in every hierarchy instead of
 * the process's own, or NULL. `want`: CR_LIMIT_* bits. */
int cr_cg_find(const char *parent, unsigned want, struct cr_host_cgroups *h, char *why, size_t why_size);
void cr_cg_host_free(struct cr_host_cgroups *h);

extern const char *const cr_cg_controller_name[CR_CG_COUNT];

/* ---- cgroup_v2.c ---- */
/* Whether `name` can be enabled for children of `parent` (we try to turn it on). */
bool cr_cg_v2_usable(const char *parent, const char *name, char *why, size_t why_size);
int cr_cg_v2_write_limit(const char *dir, int controller, const struct cr_limits *l, const char **file);
void cr_cg_v2_collect(const char *dir, int controller, struct cr_result *res);

/* ---- cgroup_v1.c ---- */
int cr_cg_v1_write_limit(const char *dir, int controller, const struct cr_limits *l, const char **file);
int cr_cg_v1_attach(const char *dir, pid_t pid);
void cr_cg_v1_collect(const char *dir, int controller, struct cr_result *res);

#define CR_CG_CPU_PERIOD_US 100000
#define CR_CG_CPU_MIN_QUOTA_US 1000
/* The quota of limits.cpu cores in a CR_CG_CPU_PERIOD_US period. */
unsigned long long cr_cg_cpu_quota(double cores);

#endif
