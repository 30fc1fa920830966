/* SPDX-License-Identifier: MIT */
/* Seccomp policies: an OCI runtime-spec / Docker seccomp profile (JSON)
 * compiled with libseccomp into a classic BPF program.
 *
 * policies/ reads the profile (a built-in by name, a file, or inline JSON
 * text from the config) and hands the launcher a ready program; the launcher
 * only installs it. */
#ifndef CR_POLICY_H
#define CR_POLICY_H

#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cr/config.h"
#include "cr/error.h"
#include "cr/log.h"

struct cr_bpf {
  struct sock_filter *insns; /* malloc'd */
  unsigned short len;
  /* The filter answers execve/execveat with SECCOMP_RET_USER_NOTIF: the
   * launcher must install it with SECCOMP_FILTER_FLAG_NEW_LISTENER and let
   * exactly one exec (the payload's own) continue, refusing later ones.
   * Set for any profile whose rules give execve or execveat SCMP_ACT_NOTIFY
   * (the built-in "strict" does); NOTIFY on any other syscall is an error,
   * and so is a profile that notifies one exec syscall but allows the other. */
  bool exec_once;
  /* SECCOMP_FILTER_FLAG_* the profile asks for ("flags" in the profile).
   * NEW_LISTENER is not in it: the launcher adds it when the sandbox
   * notifies (exec_once, reporting, learning); TSYNC_ESRCH is added
   * whenever TSYNC is asked for, as a listener may come with it. */
  unsigned int filter_flags;
  /* The reporting program (cr_bpf_add_reporting), malloc'd, reporting_len
   * instructions; NULL when the profile refuses nothing on purpose. Not
   * cached: it is derived from `insns` in one pass. */
  struct sock_filter *reporting;
  unsigned short reporting_len;
  /* `reporting` is the learning program (cr_bpf_add_learning): every
   * answer notifies, and the init records each call it answers. */
  bool learning;
};

struct cr_policy_stats {
  size_t rules;     /* entries of syscalls[] that applied */
  size_t syscalls;  /* syscall names given a rule */
  size_t skipped;   /* unknown syscall names skipped */
  size_t bpf_insns; /* instructions of the compiled program */
};

/* What a compile depends on besides the profile. */
struct cr_policy_env {
  uint64_t kept_caps;       /* bit N = capability N kept (includes/excludes "caps") */
  const char *cache_dir;    /* the compiled-filter cache (cache.c), NULL = none */
  const struct cr_log *log; /* warnings: unknown syscalls skipped, an untrusted cache folder */
  bool learn;               /* the launcher makes the learning program, not the reporting one */
};

/* Compile `spec`. For CR_SECCOMP_NONE, out gets len 0. Unknown syscall
 * names are skipped with one warning. With `stats` the profile is compiled
 * (the cache is not used). An inline profile's errors name the config
 * (spec->origin) and JSON paths under "$.seccomp". */
int cr_policy_compile(const struct cr_seccomp_spec *spec, const struct cr_policy_env *env, struct cr_bpf *out,
                      struct cr_policy_stats *stats, cr_error **err);

/* The profile read from `fd` (a regular file); `label` names it in errors.
 * The launcher opens a profile file the config names itself, with the
 * sandbox's host identity. */
int cr_policy_compile_fd(int fd, const char *label, const struct cr_policy_env *env, struct cr_bpf *out,
                         struct cr_policy_stats *stats, cr_error **err);

/* A profile file (for `cleanroom policy check|export`). */
int cr_policy_compile_file(const char *path, const struct cr_policy_env *env, struct cr_bpf *out,
                           struct cr_policy_stats *stats, cr_error **err);

/* Profile JSON text (NUL-terminated). Errors: "policy LABEL: $.path: ...". */
int cr_policy_compile_string(const char *json, const char *label, const struct cr_policy_env *env,
                             struct cr_bpf *out, struct cr_policy_stats *stats, cr_error **err);

void cr_bpf_free(struct cr_bpf *bpf);

/* ---- reporting.c: refusals the launcher hears of ---- */

/* True for an action the report names: an errno other than ENOSYS (which
 * profiles give calls only so that libc falls back, e.g. clone3, and which
 * stays silent), or a kill. TRAP is left to the kernel: its SIGSYS carries
 * siginfo a handler may need, which no one but the kernel can fill. */
bool cr_bpf_action_reported(uint32_t action);
/* Make bpf->reporting: the program answers SECCOMP_RET_USER_NOTIF wherever
 * `insns` answers a reported action, so the init hears of each refusal and
 * answers it as `insns` would (cr/bpf_run.h on the notification's data);
 * the calls the payload makes after installing the filter (handing over
 * the listener, its exec, its exit) keep their real answers, so that they
 * never wait for an init that cannot answer yet. Nothing (reporting stays
 * NULL) when `insns` answers nothing reported, when it does not allow
 * sendmsg whatever its arguments (the listener's handover), or when the
 * program would not fit BPF_MAXINSNS. */
int cr_bpf_add_reporting(struct cr_bpf *bpf, cr_error **err);

/* True for every answer the learning program notifies: ALLOW and LOG (the
 * init answers "continue"), every errno (ENOSYS included) and the kills. */
bool cr_bpf_action_learned(uint32_t action);
/* Make bpf->reporting the learning program (bpf->learning set): as the
 * reporting program, but every answer but TRAP and TRACE notifies, so the
 * init sees every call but the payload's own (cr_bpf_own_calls), which
 * keep their real answers. An error when the policy has no filter ("none")
 * or cannot hand the listener over. */
int cr_bpf_add_learning(struct cr_bpf *bpf, cr_error **err);
/* The calls the payload makes under the filter before its program runs
 * (sendmsg, sendto, close, execve, execveat, exit, exit_group), which
 * neither program notifies: never observed in learn mode. */
bool cr_bpf_own_call(int nr);
size_t cr_bpf_own_calls(const int **nrs);

/* The JSON text of a built-in profile ("default", "strict"), NULL when there
 * is none by that name (for `cleanroom policy export default`). */
const char *cr_policy_builtin(const char *name);

/* ---- eval.c: what a compiled program answers, without installing it ---- */

struct cr_bpf_outcome {
  uint32_t action;    /* SECCOMP_RET_* with its data, as the kernel would take it */
  bool read_args;     /* the answer looked at an argument or the instruction pointer */
  uint32_t args_read; /* which: bit i = args[i], CR_BPF_READ_IP (cr/bpf_run.h) */
};

/* Run the classic BPF program on `data` as the kernel's seccomp would. An
 * instruction seccomp does not allow is an error (never a guess). */
int cr_bpf_eval(const struct sock_filter *insns, size_t len, const struct seccomp_data *data,
                struct cr_bpf_outcome *out, cr_error **err);
/* An answer as a word ("allowed", "EPERM", "errno 4000", "kill", "trap
 * (SIGSYS)", "supervised", ...), in `buf` when it is made there. */
const char *cr_seccomp_answer_name(uint32_t action, char *buf, size_t size);
/* The native number of a syscall name, -1 when this architecture has none. */
int cr_syscall_number(const char *name);
/* The name of a syscall of an architecture (AUDIT_ARCH_*), malloc'd; NULL
 * when unknown (or out of memory). */
char *cr_syscall_name(uint32_t arch, int nr);
/* libseccomp's name of an AUDIT_ARCH_* value ("x86_64"), NULL when unknown. */
const char *cr_seccomp_arch_name(uint32_t arch);
/* The AUDIT_ARCH_* value of the architecture we run on (seccomp_data.arch). */
/* The OCI name ("SCMP_ARCH_X86_64") of an AUDIT_ARCH_* token, NULL when unknown. */
const char *cr_seccomp_arch_oci_name(uint32_t arch);
uint32_t cr_seccomp_arch_native(void);

#endif
