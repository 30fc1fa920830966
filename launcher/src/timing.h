/* SPDX-License-Identifier: MIT */
/* Clock marks of one launch, behind CLEANROOM_DEBUG_TIMING=1: where the time
 * of a launch goes, step by step, across the launcher, the init and the
 * payload (the marks live in a shared page; clock_gettime is
 * async-signal-safe). Off, a mark is one NULL test. */
#ifndef CR_LAUNCHER_TIMING_H
#define CR_LAUNCHER_TIMING_H

#include <stdint.h>
#include <time.h>

enum cr_mark {
  CR_MARK_START,          /* cr_run entered */
  CR_MARK_PREPARED,       /* plan ready (fds, env, filter, cgroups) */
  CR_MARK_CLONED,         /* clone3 returned in the launcher */
  CR_MARK_INIT_RUNNING,   /* first instruction of the init */
  CR_MARK_MAPS_WRITTEN,   /* launcher wrote the id maps */
  CR_MARK_INIT_GO,        /* init saw the maps */
  CR_MARK_SOURCES_OPEN,   /* bind sources, device nodes and proc made (as the sandbox ids) */
  CR_MARK_ROOT_BUILT,     /* new root filled and read-only */
  CR_MARK_NET_JOINED,     /* hostname, inherited attributes, IPC namespace; network joined */
  CR_MARK_PAYLOAD_FORKED, /* payload's first instruction */
  CR_MARK_EXEC,           /* payload about to execve */
  CR_MARK_PAYLOAD_ENDED,  /* init reaped the payload */
  CR_MARK_DONE,           /* launcher reaped the init */
  CR_MARK_COUNT,
};

static inline void cr_mark(uint64_t *marks, enum cr_mark m) {
  if (!marks) return;
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  marks[m] = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

#endif
