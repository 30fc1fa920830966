/* SPDX-License-Identifier: MIT */
/* policies_builtins: the built-in profiles compile, with what they promise
 * (no skipped names, exec_once only for strict), and "none" is empty. */
#include <linux/seccomp.h>
#include <stdio.h>
#include <string.h>

#include "helpers.h"

static void check_builtin(const char *name, bool exec_once) {
  struct cr_bpf bpf;
  struct cr_policy_stats st;
  compile_builtin(name, 0, &bpf, &st);
  CHECK(bpf.insns && bpf.len > 0, "%s: empty program", name);
  CHECK(st.bpf_insns == bpf.len, "%s: stats.bpf_insns %zu != len %u", name, st.bpf_insns, bpf.len);
  CHECK(st.skipped == 0, "%s: %zu syscall names unknown to this libseccomp", name, st.skipped);
  CHECK(st.rules > 40 && st.syscalls > 250, "%s: only %zu rules for %zu syscalls", name, st.rules,
        st.syscalls);
  CHECK(bpf.exec_once == exec_once, "%s: exec_once %d", name, bpf.exec_once);
  CHECK(bpf.filter_flags == 0, "%s: filter_flags %#x", name, bpf.filter_flags);
  /* The last instruction of a seccomp program is a return. */
  CHECK(bpf.insns[bpf.len - 1].code == (BPF_RET | BPF_K), "%s: does not end in a return", name);
  printf("%s: %zu rules, %zu syscalls, %u instructions\n", name, st.rules, st.syscalls, bpf.len);
  cr_bpf_free(&bpf);
  CHECK(bpf.insns == NULL && bpf.len == 0, "cr_bpf_free leaves a program");
}

static void check_none(void) {
  struct cr_seccomp_spec spec = {.kind = CR_SECCOMP_NONE};
  struct cr_bpf bpf = {.len = 7};
  cr_error *err = NULL;
  CHECK(cr_policy_compile(&spec, test_env(0), &bpf, NULL, &err) == 0, "none: failed");
  CHECK(bpf.len == 0 && bpf.insns == NULL && !bpf.exec_once, "none: not an empty program");
}

static void check_unknown_builtin(void) {
  struct cr_seccomp_spec spec = {.kind = CR_SECCOMP_BUILTIN, .builtin_name = "lenient"};
  struct cr_bpf bpf;
  cr_error *err = NULL;
  CHECK(cr_policy_compile(&spec, test_env(0), &bpf, NULL, &err) < 0, "unknown built-in compiled");
  CHECK(strstr(cr_error_what(err), "\"lenient\""), "unknown built-in: message %s", cr_error_what(err));
  CHECK(cr_policy_builtin("default") && cr_policy_builtin("strict") && !cr_policy_builtin("x"),
        "cr_policy_builtin lookup");
  cr_error_free(err);
}

/* The same text through the file and inline paths gives the same program. */
static void check_inline_matches(void) {
  struct cr_bpf a, b;
  compile_builtin("default", 0, &a, NULL);
  struct cr_seccomp_spec spec = {.kind = CR_SECCOMP_INLINE,
                                 .inline_json = (char *)cr_policy_builtin("default")};
  cr_error *err = NULL;
  CHECK(cr_policy_compile(&spec, test_env(0), &b, NULL, &err) == 0, "inline: %s", cr_error_what(err));
  CHECK(a.len == b.len && memcmp(a.insns, b.insns, a.len * sizeof *a.insns) == 0,
        "inline default differs from built-in default");
  cr_bpf_free(&a);
  cr_bpf_free(&b);
}

int main(void) {
  check_builtin("default", false);
  check_builtin("strict", true);
  check_none();
  check_unknown_builtin();
  check_inline_matches();
  return finish("policies_builtins");
}
