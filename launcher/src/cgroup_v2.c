/* SPDX-License-Identifier: MIT */
/* cgroup v2: whether a controller can be had below a parent, its limits
 * and its counters. The sandbox is born in the cgroup (clone3 with
 * CLONE_INTO_CGROUP: cgroup.c), so there is nothing to attach. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cgroup_internal.h"
#include "child/child.h"

#define PARENT_HINT "name an empty delegated cgroup as the cgroup parent (limits.cgroup_parent)"

bool cr_cg_v2_usable(const char *parent, const char *name, char *why, size_t why_size) {
  char buf[1024];
  if (cr_cg_read_text(parent, "cgroup.controllers", buf, sizeof buf) < 0) {
    snprintf(why, why_size, "cgroup v2 at %s: cannot read cgroup.controllers: %s", parent, strerror(errno));
    return false;
  }
  buf[strcspn(buf, "\n")] = '\0';
  if (!cr_cg_has_token(buf, name, ' ')) {
    snprintf(why, why_size, "cgroup v2 at %s does not offer the %s controller", parent, name);
    return false;
  }
  if (cr_cg_read_text(parent, "cgroup.subtree_control", buf, sizeof buf) == 0) {
    buf[strcspn(buf, "\n")] = '\0';
    if (cr_cg_has_token(buf, name, ' ')) return true;
  }
  char plus[32];
  snprintf(plus, sizeof plus, "+%s", name);
  if (cr_cg_write_file(parent, "cgroup.subtree_control", plus) == 0) return true;
  int saved = errno;
  snprintf(why, why_size, "cgroup v2 at %s: cannot enable %s in cgroup.subtree_control: %s%s", parent, name,
           strerror(saved),
           saved == EBUSY ? " (a cgroup with processes of its own cannot pass controllers on; " PARENT_HINT
                            ")"
                          : "");
  return false;
}

int cr_cg_v2_write_limit(const char *dir, int controller, const struct cr_limits *l, const char **file) {
  char num[32], text[64];
  switch (controller) {
    case CR_CG_MEMORY:
      *file = "memory.max";
      if (cr_cg_write_file(dir, *file, cr_fmt_uint(num, sizeof num, l->memory)) < 0) return -1;
      *file = "memory.swap.max"; /* absent without swap accounting */
      if (cr_cg_write_file(dir, *file, "0") < 0 && errno != ENOENT) return -1;
      return 0;
    case CR_CG_PIDS:
      *file = "pids.max";
      return cr_cg_write_file(dir, *file, cr_fmt_uint(num, sizeof num, l->pids));
    case CR_CG_CPU:
      *file = "cpu.max";
      snprintf(text, sizeof text, "%llu %d", cr_cg_cpu_quota(l->cpu), CR_CG_CPU_PERIOD_US);
      return cr_cg_write_file(dir, *file, text);
  }
  errno = EINVAL;
  return -1;
}

void cr_cg_v2_collect(const char *dir, int controller, struct cr_result *res) {
  uint64_t v = 0;
  if (controller == CR_CG_MEMORY) {
    if (cr_cg_read_keyed(dir, "memory.events", "oom_kill", &v) == 0 && v) res->oom_killed = true;
    if (cr_cg_read_number(dir, "memory.peak", &v) == 0) res->peak_memory_kb = v / 1024;
  } else if (controller == CR_CG_PIDS) {
    if (cr_cg_read_keyed(dir, "pids.events", "max", &v) == 0 && v) res->pids_limit_hit = true;
  }
}
