/* Seccomp policies: an OCI runtime-spec / Docker seccomp profile (JSON)
 * compiled with libseccomp into a classic BPF program.
 *
 * policies/ reads the profile (a built-in by name, a file, or inline JSON
 * text from the config) and hands the launcher a ready program; the launcher
 * only installs it. */
#ifndef CR_POLICY_H
#define CR_POLICY_H

#include <linux/filter.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cr/config.h"
#include "cr/error.h"

struct cr_bpf {
  struct sock_filter *insns;  /* malloc'd */
  unsigned short len;
  /* The filter answers execve/execveat with SECCOMP_RET_USER_NOTIF: the
   * launcher must install it with SECCOMP_FILTER_FLAG_NEW_LISTENER and let
   * exactly one exec (the payload's own) continue, refusing later ones. */
  bool exec_once;
  /* SECCOMP_FILTER_FLAG_* the profile asks for ("flags" in the profile). */
  unsigned int filter_flags;
};

struct cr_policy_stats {
  size_t rules;      /* entries of syscalls[] that applied */
  size_t syscalls;   /* syscall names given a rule */
  size_t skipped;    /* unknown syscall names skipped */
  size_t bpf_insns;  /* instructions of the compiled program */
};

/* Compile `spec` for a sandbox that keeps capabilities `kept_caps` (bit N =
 * capability N; used by includes/excludes "caps"). For CR_SECCOMP_NONE, out
 * gets len 0. Unknown syscall names are skipped with one warning on stderr. */
int cr_policy_compile(const struct cr_seccomp_spec *spec, uint64_t kept_caps, struct cr_bpf *out,
                      struct cr_policy_stats *stats, cr_error *err);

/* Compile a profile file (for `cleanroom policy check|export`). */
int cr_policy_compile_file(const char *path, uint64_t kept_caps, struct cr_bpf *out,
                           struct cr_policy_stats *stats, cr_error *err);

void cr_bpf_free(struct cr_bpf *bpf);

#endif
