/* SPDX-License-Identifier: MIT */
/* Internal to launcher/: the soft limits a fresh login session starts with
 * (Debian's, as the kernel and systemd set them), for every resource the
 * config does not declare: a host that lowered or raised one passes nothing
 * on. Never above the hard limit, which carries over (a ceiling the sandbox
 * cannot lift). The payload applies them (child/payload.c); the audit
 * compares them with the launcher's (audit.c). Pure: safe after clone. */
#ifndef CR_LAUNCHER_FRESH_H
#define CR_LAUNCHER_FRESH_H

#include <stddef.h>
#include <sys/resource.h>

#define CR_FRESH_HARD RLIM_INFINITY /* the hard limit itself */

static const struct {
  int resource;
  const char *name; /* as the config names it */
  rlim_t soft;
} cr_fresh_rlimits[] = {
    {RLIMIT_AS, "AS", CR_FRESH_HARD},
    {RLIMIT_CORE, "CORE", 0},
    {RLIMIT_CPU, "CPU", CR_FRESH_HARD},
    {RLIMIT_DATA, "DATA", CR_FRESH_HARD},
    {RLIMIT_FSIZE, "FSIZE", CR_FRESH_HARD},
    {RLIMIT_LOCKS, "LOCKS", CR_FRESH_HARD},
    {RLIMIT_MEMLOCK, "MEMLOCK", 8u << 20},
    {RLIMIT_MSGQUEUE, "MSGQUEUE", 819200},
    {RLIMIT_NICE, "NICE", 0},
    {RLIMIT_NOFILE, "NOFILE", 1024},
    {RLIMIT_NPROC, "NPROC", CR_FRESH_HARD},
    {RLIMIT_RSS, "RSS", CR_FRESH_HARD},
    {RLIMIT_RTPRIO, "RTPRIO", 0},
    {RLIMIT_RTTIME, "RTTIME", CR_FRESH_HARD},
    {RLIMIT_SIGPENDING, "SIGPENDING", CR_FRESH_HARD},
    {RLIMIT_STACK, "STACK", 8u << 20},
};
#define CR_FRESH_RLIMIT_COUNT (sizeof cr_fresh_rlimits / sizeof cr_fresh_rlimits[0])

/* The fresh soft limit of entry i under `hard`; the fd table's own numbers
 * (`fd_needed`) stay usable. */
static inline rlim_t cr_fresh_soft_limit(size_t i, rlim_t hard, rlim_t fd_needed) {
  rlim_t soft = cr_fresh_rlimits[i].soft;
  if (cr_fresh_rlimits[i].resource == RLIMIT_NOFILE && soft < fd_needed) soft = fd_needed;
  return soft == CR_FRESH_HARD || soft > hard ? hard : soft;
}

#endif
