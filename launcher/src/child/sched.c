/* SPDX-License-Identifier: MIT */
/* Sandbox side: the scheduling state fork and exec pass on, reset by the
 * init right before it forks the payload: nice, policy, I/O priority, CPU
 * affinity. The init does it itself, with no privilege of the host: what a
 * fresh process would not have is reset where an unprivileged process may;
 * what it may not (a positive nice beyond RLIMIT_NICE, SCHED_IDLE, a
 * cpuset) stays, a ceiling the run reports. A declared value that cannot be
 * had fails the run: a config never gets the caller's privilege to outrank
 * the host that starts it. System calls only. */
#include <errno.h>
#include <sched.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "child.h"

#define IOPRIO_WHO_PROCESS 1
#define IOPRIO_NONE 0 /* class none: the I/O priority follows the nice value */

static __attribute__((noreturn)) void fail(const struct cr_plan *plan, int errnum, const char *where,
                                           const char *what) {
  cr_child_fail(plan, errnum, where, what);
}

static void reset_nice(const struct cr_plan *plan, struct cr_carried *carried) {
  const struct cr_process *p = &plan->cfg->process;
  errno = 0;
  int now = getpriority(PRIO_PROCESS, 0);
  if (now == -1 && errno) fail(plan, errno, "nice", "getpriority");
  int want = p->has_nice ? p->nice : 0;
  if (now == want) return;
  if (setpriority(PRIO_PROCESS, 0, want) == 0) return;
  if (p->has_nice)
    fail(plan, errno, "process.nice",
         "below cleanroom's own nice value: the sandbox has no privilege to raise its priority "
         "(it would need a RLIMIT_NICE that allows it)");
  if (errno != EACCES && errno != EPERM) fail(plan, errno, "nice", "setpriority");
  carried->bits |= CR_CARRIED_NICE;
  carried->nice = now;
}

/* SCHED_OTHER, without reset-on-fork. Leaving SCHED_IDLE needs what a lower
 * nice needs; a real-time policy may always be given up. */
static void reset_policy(const struct cr_plan *plan, struct cr_carried *carried) {
  int policy = sched_getscheduler(0);
  if (policy < 0) fail(plan, errno, "scheduler", "sched_getscheduler");
  if (policy == SCHED_OTHER) return;
  struct sched_param param = {.sched_priority = 0};
  if (sched_setscheduler(0, SCHED_OTHER, &param) == 0) return;
  if (errno != EPERM) fail(plan, errno, "scheduler", "reset to SCHED_OTHER");
  carried->bits |= CR_CARRIED_SCHED;
  carried->sched_policy = policy;
}

/* Class none, as every process starts; an unprivileged process may always
 * set it. */
static void reset_ioprio(const struct cr_plan *plan, struct cr_carried *carried) {
  long prio = syscall(SYS_ioprio_get, IOPRIO_WHO_PROCESS, 0);
  if (prio < 0) fail(plan, errno, "I/O priority", "ioprio_get");
  if (prio == IOPRIO_NONE) return;
  if (syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS, 0, IOPRIO_NONE) == 0) return;
  if (errno != EPERM) fail(plan, errno, "I/O priority", "reset");
  carried->bits |= CR_CARRIED_IOPRIO;
  carried->ioprio = (int32_t)prio;
}

/* The config's CPU set (bit N of the words: CPU N) as the kernel's, and back. */
static void words_to_set(const uint64_t *words, cpu_set_t *set) {
  CPU_ZERO(set);
  for (unsigned cpu = 0; cpu < CR_CPU_SET_WORDS * 64 && cpu < CPU_SETSIZE; cpu++)
    if ((words[cpu / 64] >> (cpu % 64)) & 1) CPU_SET(cpu, set);
}

static void set_to_words(const cpu_set_t *set, uint64_t *words) {
  for (unsigned cpu = 0; cpu < CR_CPU_SET_WORDS * 64 && cpu < CPU_SETSIZE; cpu++)
    if (CPU_ISSET(cpu, set)) words[cpu / 64] |= 1ull << (cpu % 64);
}

/* Every CPU the cpuset allows (the kernel narrows a wider mask to it), or
 * the declared ones, which must all be allowed. */
static void reset_affinity(const struct cr_plan *plan, struct cr_carried *carried) {
  const struct cr_process *p = &plan->cfg->process;
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) < 0) fail(plan, errno, "cpus", "sched_getaffinity");
  if (!p->has_cpus && (unsigned)CPU_COUNT(&set) >= plan->cpus_online) return;
  cpu_set_t want;
  if (p->has_cpus)
    words_to_set(p->cpus, &want);
  else
    memset(&want, 0xff, sizeof want);
  if (sched_setaffinity(0, sizeof want, &want) < 0 && !(errno == EINVAL && p->has_cpus))
    fail(plan, errno, "cpus", "sched_setaffinity");
  if (sched_getaffinity(0, sizeof set, &set) < 0) fail(plan, errno, "cpus", "sched_getaffinity");
  if (p->has_cpus && !CPU_EQUAL(&set, &want))
    fail(plan, EINVAL, "process.cpus",
         "not all of these CPUs are among those cleanroom may use (its cpuset)");
  if (p->has_cpus || (unsigned)CPU_COUNT(&set) >= plan->cpus_online) return;
  carried->bits |= CR_CARRIED_CPUS;
  set_to_words(&set, carried->cpus);
}

void cr_payload_reset_scheduling(const struct cr_plan *plan, struct cr_carried *carried) {
  /* the policy first: leaving SCHED_IDLE is judged by the nice value */
  reset_policy(plan, carried);
  reset_nice(plan, carried);
  reset_ioprio(plan, carried);
  reset_affinity(plan, carried);
}
