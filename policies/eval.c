/* SPDX-License-Identifier: MIT */
/* What a compiled seccomp filter answers for one struct seccomp_data,
 * without installing it (for `cleanroom check --explain`): the interpreter
 * of cr/bpf_run.h, its refusals as errors. tests/policies/test_eval.c holds
 * it against the kernel's own answers. */
#include <errno.h>
#include <seccomp.h>
#include <stddef.h>
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

int cr_syscall_number(const char *name) {
  int nr = seccomp_syscall_resolve_name(name);
  return nr < 0 ? -1 : nr; /* libseccomp's negative pseudo numbers: not on this architecture */
}

uint32_t cr_seccomp_arch_native(void) { return seccomp_arch_native(); }
