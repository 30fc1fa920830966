/* SPDX-License-Identifier: MIT */
/* What a compiled seccomp filter answers for one struct seccomp_data,
 * without installing it (for `cleanroom check --explain`): the interpreter
 * of cr/bpf_run.h, its refusals as errors. tests/policies/test_eval.c holds
 * it against the kernel's own answers. */
#include <errno.h>
#include <seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "cr/bpf_run.h"
#include "cr/policy.h"

int cr_bpf_eval(const struct sock_filter *insns, size_t len, const struct seccomp_data *data,
                struct cr_bpf_outcome *out, cr_error **err) {
  struct cr_bpf_run run;
  if (cr_bpf_run(insns, len, data, &run) < 0) {
    if (run.bad_pc >= len) return cr_fail(err, EINVAL, "seccomp evaluator", "%s", run.bad);
    return cr_fail(err, EINVAL, "seccomp evaluator", "instruction %zu: %s", run.bad_pc, run.bad);
  }
  *out = (struct cr_bpf_outcome){
      .action = run.action, .read_args = run.args_read != 0, .args_read = run.args_read};
  return 0;
}

const char *cr_seccomp_answer_name(uint32_t action, char *buf, size_t size) {
  switch (action & SECCOMP_RET_ACTION_FULL) {
    case SECCOMP_RET_ALLOW: return "allowed";
    case SECCOMP_RET_LOG: return "allowed (logged)";
    case SECCOMP_RET_USER_NOTIF: return "supervised";
    case SECCOMP_RET_TRACE: return "traced";
    case SECCOMP_RET_TRAP: return "trap (SIGSYS)";
    case SECCOMP_RET_ERRNO: {
      int e = (int)(action & SECCOMP_RET_DATA);
      const char *name = strerrorname_np(e);
      if (name) return name;
      snprintf(buf, size, "errno %d", e);
      return buf;
    }
    default: return "kill"; /* KILL_PROCESS, KILL_THREAD, and what the kernel takes for them */
  }
}

int cr_syscall_number(const char *name) {
  int nr = seccomp_syscall_resolve_name(name);
  return nr < 0 ? -1 : nr; /* libseccomp's negative pseudo numbers: not on this architecture */
}

uint32_t cr_seccomp_arch_native(void) { return seccomp_arch_native(); }
