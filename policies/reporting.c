/* SPDX-License-Identifier: MIT */
/* The reporting program: the compiled filter with every refusal the report
 * names turned into a user notification, which the sandbox's init answers
 * as the real filter would, and counts (launcher/src/child/init.c). A run
 * that refuses nothing never wakes the init: allowed calls and ENOSYS
 * fall-through answers are left as they are.
 *
 * The learning program (learn mode) is the same copy with every answer
 * notified: allowed calls too (the init answers them "continue"), and the
 * ENOSYS fall-throughs, so that the init sees every call the payload's
 * programs make. */
#include <errno.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>

#include "cr/bpf_run.h"
#include "internal.h"

bool cr_bpf_action_reported(uint32_t action) {
  switch (action & SECCOMP_RET_ACTION_FULL) {
    case SECCOMP_RET_ERRNO: return (action & SECCOMP_RET_DATA) != ENOSYS;
    case SECCOMP_RET_KILL_PROCESS:
    case SECCOMP_RET_KILL_THREAD: return true;
    default: return false;
  }
}

/* The calls the payload makes under the filter before its program runs
 * (cr_send_fd: sendmsg; records: sendto; close; execve; _exit): were one
 * of them refused it would wait for the init, which has no listener yet,
 * or sleeps in a vfork until that very exec. They take the real program. */
static const int payload_own_calls[] = {
    SYS_sendmsg, SYS_sendto, SYS_close, SYS_execve, SYS_execveat, SYS_exit, SYS_exit_group,
};
#define N_OWN (sizeof payload_own_calls / sizeof payload_own_calls[0])

bool cr_bpf_action_learned(uint32_t action) {
  switch (action & SECCOMP_RET_ACTION_FULL) {
    case SECCOMP_RET_ALLOW:
    case SECCOMP_RET_LOG:
    case SECCOMP_RET_ERRNO:
    case SECCOMP_RET_KILL_PROCESS:
    case SECCOMP_RET_KILL_THREAD: return true;
    default: return false; /* TRAP and TRACE: the kernel's; USER_NOTIF (exec_once) already is */
  }
}

/* The answers the copy notifies: cr_bpf_action_reported or _learned. */
typedef bool notified_fn(uint32_t action);

/* A copy of `insns` whose notified answers are SECCOMP_RET_USER_NOTIF.
 * Jumps are relative: a copy runs anywhere. */
static void convert(const struct sock_filter *insns, size_t len, struct sock_filter *out,
                    notified_fn *notified) {
  for (size_t i = 0; i < len; i++) {
    out[i] = insns[i];
    if (insns[i].code == (BPF_RET | BPF_K) && notified(insns[i].k)) out[i].k = SECCOMP_RET_USER_NOTIF;
  }
}

/* The listener goes to the init by sendmsg right after the filter is in
 * place: a program that does not allow that outright (whatever the
 * arguments) could not report, and its refusals would all turn into the
 * ENOSYS of a notification no one listens for. */
static bool allows_handover(const struct cr_bpf *bpf) {
  struct seccomp_data data = {.nr = SYS_sendmsg, .arch = seccomp_arch_native()};
  struct cr_bpf_run run;
  return cr_bpf_run(bpf->insns, bpf->len, &data, &run) == 0 && run.action == SECCOMP_RET_ALLOW &&
         run.args_read == 0;
}

/* The real answer to an own call of the payload when the arguments do not
 * change it (the usual case: close, sendmsg... allowed outright). */
static bool constant_answer(const struct cr_bpf *bpf, int nr, uint32_t *action) {
  struct seccomp_data data = {.nr = nr, .arch = seccomp_arch_native()};
  struct cr_bpf_run run;
  if (cr_bpf_run(bpf->insns, bpf->len, &data, &run) < 0 || run.args_read) return false;
  *action = run.action;
  return true;
}

/* The payload's own calls whose constant answer the copy would notify
 * (`bypass`, with that answer); false when one's answer depends on its
 * arguments. */
static bool own_calls_constant(const struct cr_bpf *bpf, int *bypass, uint32_t *answer, size_t *n,
                               notified_fn *notified) {
  *n = 0;
  for (size_t i = 0; i < N_OWN; i++) {
    uint32_t action;
    if (!constant_answer(bpf, payload_own_calls[i], &action)) return false;
    if (!notified(action)) continue; /* the copy answers it as the real program */
    bypass[*n] = payload_own_calls[i];
    answer[(*n)++] = action;
  }
  return true;
}

/* Usually the payload's own calls are allowed outright: the reporting
 * program is the copy alone, as long as the real one. Those refused
 * outright come first, on the native arch only (another ABI's number is
 * another call):
 *   ld arch; jeq NATIVE ? next : COPY; ld nr; (jeq OWN[i] ? next : skip; ret ANSWER[i])...; COPY
 * Nothing but constant loads of arch and nr, jumps and returns precedes the
 * copy (which loads before it compares, as libseccomp's programs do): the
 * kernel's per-syscall cache of "always allowed" (seccomp_cache_prepare)
 * still sees through it, and allowed calls do not run the program at all. */
static struct sock_filter *constant_layout(const struct cr_bpf *bpf, const int *bypass,
                                           const uint32_t *answer, size_t n, size_t *total,
                                           notified_fn *notified) {
  size_t head = n ? 3 + 2 * n : 0;
  *total = head + bpf->len;
  if (*total > BPF_MAXINSNS) return NULL;
  struct sock_filter *p = calloc(*total, sizeof *p);
  if (!p) return NULL;
  if (n) {
    p[0] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch));
    p[1] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, seccomp_arch_native(), 0,
                                        (uint8_t)(2 * n + 1));
    p[2] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr));
    for (size_t i = 0; i < n; i++) {
      p[3 + 2 * i] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)bypass[i], 0, 1);
      p[4 + 2 * i] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, answer[i]);
    }
  }
  convert(bpf->insns, bpf->len, p + head, notified);
  return p;
}

/* When an own call's answer depends on its arguments, the real program
 * answers them all:
 *   ld nr; (jeq OWN[i] ? REAL : next)...; ja COPY; REAL: the program; COPY
 * (the arch is not checked first: the real program is never a way around
 * itself). Twice as long. */
static struct sock_filter *copy_layout(const struct cr_bpf *bpf, size_t *total, notified_fn *notified) {
  size_t len = bpf->len, head = 1 + N_OWN + 1;
  *total = head + 2 * len;
  if (*total > BPF_MAXINSNS) return NULL;
  struct sock_filter *p = calloc(*total, sizeof *p);
  if (!p) return NULL;
  size_t real = head, converted = head + len;
  p[0] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr));
  for (size_t i = 0; i < N_OWN; i++)
    p[1 + i] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)payload_own_calls[i],
                                            (uint8_t)(real - (2 + i)), 0);
  p[head - 1] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JA, (uint32_t)(converted - head), 0, 0);
  memcpy(p + real, bpf->insns, len * sizeof *p);
  convert(bpf->insns, len, p + converted, notified);
  return p;
}

static size_t notified_answers(const struct cr_bpf *bpf, notified_fn *notified) {
  size_t n = 0;
  for (size_t i = 0; i < bpf->len; i++)
    n += bpf->insns[i].code == (BPF_RET | BPF_K) && notified(bpf->insns[i].k);
  return n;
}

static int add_notifying(struct cr_bpf *bpf, notified_fn *notified, const char *what, cr_error **err) {
  free(bpf->reporting);
  bpf->reporting = NULL;
  bpf->reporting_len = 0;
  bpf->learning = false;
  if (bpf->len == 0 || notified_answers(bpf, notified) == 0 || !allows_handover(bpf))
    return 0; /* unreported */
  int bypass[N_OWN];
  uint32_t answer[N_OWN];
  size_t n, total = 0;
  struct sock_filter *p = own_calls_constant(bpf, bypass, answer, &n, notified)
                              ? constant_layout(bpf, bypass, answer, n, &total, notified)
                              : copy_layout(bpf, &total, notified);
  if (!p && total <= BPF_MAXINSNS) return cr_fail(err, ENOMEM, "seccomp", "%s", what);
  bpf->reporting = p; /* NULL when it would not fit: unreported, as before */
  bpf->reporting_len = p ? (unsigned short)total : 0;
  return 0;
}

int cr_bpf_add_reporting(struct cr_bpf *bpf, cr_error **err) {
  return add_notifying(bpf, cr_bpf_action_reported, "the reporting program", err);
}

int cr_bpf_add_learning(struct cr_bpf *bpf, cr_error **err) {
  if (bpf->len == 0)
    return cr_fail(err, EINVAL, "learn",
                   "the seccomp policy \"none\" has no filter to learn from (use \"default\")");
  if (add_notifying(bpf, cr_bpf_action_learned, "the learning program", err) < 0) return -1;
  if (!bpf->reporting)
    return cr_fail(
        err, EINVAL, "learn",
        "the seccomp policy cannot be learned from: it does not allow sendmsg whatever the arguments, "
        "or its learning program would exceed %d instructions",
        BPF_MAXINSNS);
  bpf->learning = true;
  return 0;
}

bool cr_bpf_own_call(int nr) {
  for (size_t i = 0; i < N_OWN; i++)
    if (payload_own_calls[i] == nr) return true;
  return false;
}

size_t cr_bpf_own_calls(const int **nrs) {
  *nrs = payload_own_calls;
  return N_OWN;
}

char *cr_syscall_name(uint32_t arch, int nr) {
  /* libseccomp's arch tokens are the AUDIT_ARCH_* values */
  return seccomp_syscall_resolve_num_arch(arch, nr);
}

const char *cr_seccomp_arch_name(uint32_t arch) { return cr_arch_name_of_token(arch); }

const char *cr_seccomp_arch_oci_name(uint32_t arch) {
  const struct cr_arch_name *a = cr_arch_native();
  if (a && cr_arch_token(a) == arch) return a->oci;
  const char *name = cr_arch_name_of_token(arch);
  a = name ? cr_arch_by_any(name) : NULL;
  return a ? a->oci : NULL;
}
