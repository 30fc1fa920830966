/* SPDX-License-Identifier: MIT */
/* cr_policy: a seccomp policy compiled on its own, for `cleanroom policy
 * check|export` and programs that want the BPF program. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "launch.h"

struct cr_policy {
  struct cr_bpf bpf;
  struct cr_policy_stats stats;
};

int cr_policy_load(const char *policy, const struct cr_options *opts, struct cr_policy **out,
                   cr_error **err) {
  *out = NULL;
  if (!policy || !policy[0]) return cr_fail(err, EINVAL, "policy", "no policy named");
  struct cr_policy *p = calloc(1, sizeof *p);
  if (!p) return cr_fail(err, ENOMEM, "policy", "allocate");
  struct cr_policy_env env = {.log = opts ? &opts->log : NULL}; /* stats: compiled, not cached */
  int rc;
  /* a built-in name, unless a file of that name is there */
  if (!strchr(policy, '/') && access(policy, F_OK) != 0) {
    struct cr_seccomp_spec spec = {.kind = strcmp(policy, "none") == 0 ? CR_SECCOMP_NONE : CR_SECCOMP_BUILTIN,
                                   .builtin_name = (char *)policy};
    rc = cr_policy_compile(&spec, &env, &p->bpf, &p->stats, err);
  } else {
    rc = cr_policy_compile_file(policy, &env, &p->bpf, &p->stats, err);
  }
  if (rc < 0) {
    cr_policy_free(p);
    return -1;
  }
  *out = p;
  return 0;
}

void cr_policy_free(struct cr_policy *p) {
  if (!p) return;
  cr_bpf_free(&p->bpf);
  free(p);
}

const void *cr_policy_bpf(const struct cr_policy *p, size_t *len) {
  *len = (size_t)p->bpf.len * sizeof p->bpf.insns[0];
  return p->bpf.len ? p->bpf.insns : NULL;
}

size_t cr_policy_rules(const struct cr_policy *p) { return p->stats.rules; }
size_t cr_policy_syscalls(const struct cr_policy *p) { return p->stats.syscalls; }
size_t cr_policy_skipped(const struct cr_policy *p) { return p->stats.skipped; }
size_t cr_policy_instructions(const struct cr_policy *p) { return p->stats.bpf_insns; }
bool cr_policy_exec_once(const struct cr_policy *p) { return p->bpf.exec_once; }

const struct cr_bpf *cr_policy_program(const struct cr_policy *p) { return &p->bpf; }
