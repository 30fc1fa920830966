/* SPDX-License-Identifier: MIT */
/* cgroup v1 (the controllers a hybrid host keeps there): limits, attaching
 * the sandbox's init before it goes on, counters. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>

#include "cgroup_internal.h"
#include "child/child.h"

unsigned long long cr_cg_cpu_quota(double cores) {
  double q = cores * CR_CG_CPU_PERIOD_US;
  return q < CR_CG_CPU_MIN_QUOTA_US ? CR_CG_CPU_MIN_QUOTA_US : (unsigned long long)(q + 0.5);
}

int cr_cg_v1_write_limit(const char *dir, int controller, const struct cr_limits *l, const char **file) {
  char num[32];
  switch (controller) {
    case CR_CG_MEMORY:
      cr_fmt_uint(num, sizeof num, l->memory);
      *file = "memory.limit_in_bytes";
      if (cr_cg_write_file(dir, *file, num) < 0) return -1;
      *file = "memory.memsw.limit_in_bytes"; /* memory + swap = memory: no swap */
      if (cr_cg_write_file(dir, *file, num) < 0 && errno != ENOENT) return -1;
      return 0;
    case CR_CG_PIDS:
      *file = "pids.max";
      return cr_cg_write_file(dir, *file, cr_fmt_uint(num, sizeof num, l->pids));
    case CR_CG_CPU:
      *file = "cpu.cfs_period_us";
      if (cr_cg_write_file(dir, *file, cr_fmt_uint(num, sizeof num, CR_CG_CPU_PERIOD_US)) < 0) return -1;
      *file = "cpu.cfs_quota_us";
      return cr_cg_write_file(dir, *file, cr_fmt_uint(num, sizeof num, cr_cg_cpu_quota(l->cpu)));
  }
  errno = EINVAL;
  return -1;
}

int cr_cg_v1_attach(const char *dir, pid_t pid) {
  char num[24];
  return cr_cg_write_file(dir, "cgroup.procs", cr_fmt_uint(num, sizeof num, (unsigned long long)pid));
}

void cr_cg_v1_collect(const char *dir, int controller, struct cr_result *res) {
  uint64_t v = 0;
  if (controller == CR_CG_MEMORY) {
    if (cr_cg_read_keyed(dir, "memory.oom_control", "oom_kill", &v) == 0) {
      if (v) res->oom_killed = true;
    } else if (cr_cg_read_number(dir, "memory.failcnt", &v) == 0 && v && res->term_signal == SIGKILL) {
      res->oom_killed = true; /* old kernels: the limit was hit and the payload was killed */
    }
    if (cr_cg_read_number(dir, "memory.max_usage_in_bytes", &v) == 0) res->peak_memory_kb = v / 1024;
  } else if (controller == CR_CG_PIDS) {
    if (cr_cg_read_keyed(dir, "pids.events", "max", &v) == 0 && v) res->pids_limit_hit = true;
  }
}
