/* SPDX-License-Identifier: MIT */
/* policies_errors: malformed profiles fail with an error naming the JSON
 * path; unknown syscall names are skipped with one warning; values that
 * cannot be represented exactly are refused. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "helpers.h"

#define ALLOW_HEAD "{\"defaultAction\": \"SCMP_ACT_ALLOW\", "
/* A rule for `read` with one extra JSON member; `syscalls[3]` on purpose. */
#define FILLER "{\"names\": [\"getpid\"], \"action\": \"SCMP_ACT_LOG\"}, "
#define RULE3(...) ALLOW_HEAD "\"syscalls\": [" FILLER FILLER FILLER __VA_ARGS__ "]}"

struct bad_case {
  const char *json;
  const char *want; /* substring of the one-line error */
};

static const struct bad_case bad_cases[] = {
    {"{", "policy test.json: $: JSON syntax error at line 1, column 2"},
    {"{\n  \"defaultAction\": \"SCMP_ACT_ALLOW\",\n}", "$: JSON syntax error at line 3"},
    {"{} x", "$: JSON syntax error at line 1, column 4"},
    {"", "$: empty policy"},
    {"[]", "$: expected an object, got an array"},
    {"{}", "$.defaultAction: missing"},
    {"{\"defaultAction\": 5}", "$.defaultAction: expected a string, got a number"},
    {"{\"defaultAction\": \"SCMP_ACT_NOPE\"}", "$.defaultAction: unknown action \"SCMP_ACT_NOPE\""},
    {"{\"defaultAction\": \"SCMP_ACT_NOTIFY\"}", "$.defaultAction: SCMP_ACT_NOTIFY cannot be the default"},
    {"{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 5000}",
     "$.defaultErrnoRet: expected an integer from 0 to 4095, got 5000"},
    {"{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"defaultErrnoRet\": 1}",
     "$.defaultErrnoRet: only SCMP_ACT_ERRNO and SCMP_ACT_TRACE take a return value"},
    {"{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"defualtErrnoRet\": 1}",
     "$.defualtErrnoRet: unknown key (did you mean \"defaultErrnoRet\"?)"},
    {"{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"defaultAction\": \"SCMP_ACT_LOG\"}",
     "$.defaultAction: duplicate key"},
    {ALLOW_HEAD "\"architectures\": [\"SCMP_ARCH_X86_64\", \"SCMP_ARCH_VAX\"]}",
     "$.architectures[1]: unknown architecture \"SCMP_ARCH_VAX\""},
    {ALLOW_HEAD "\"architectures\": \"SCMP_ARCH_X86\"}", "$.architectures: expected an array, got a string"},
    {ALLOW_HEAD "\"architectures\": [], \"archMap\": []}", "$.archMap: give either"},
    {ALLOW_HEAD "\"archMap\": [{\"architecture\": \"SCMP_ARCH_PDP11\"}]}",
     "$.archMap[0].architecture: unknown architecture \"SCMP_ARCH_PDP11\""},
    {ALLOW_HEAD "\"archMap\": [{\"architecture\": \"SCMP_ARCH_S390X\", \"subArchitectures\": [7]}]}",
     "$.archMap[0].subArchitectures[0]: expected a string, got a number"},
    {ALLOW_HEAD "\"flags\": [\"SECCOMP_FILTER_FLAG_FAST\"]}", "$.flags[0]: unknown flag"},
    {ALLOW_HEAD "\"flags\": [\"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV\"]}",
     "$.flags: SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV needs an SCMP_ACT_NOTIFY rule"},
    {ALLOW_HEAD "\"listenerPath\": \"/run/agent.sock\"}", "$.listenerPath: an external seccomp agent"},
    {ALLOW_HEAD "\"syscalls\": {}}", "$.syscalls: expected an array, got an object"},
    {RULE3("{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ERRNO\", "
           "\"args\": [{\"index\": 0, \"value\": 1, \"op\": \"SCMP_CMP_FOO\"}]}"),
     "$.syscalls[3].args[0].op: unknown operator \"SCMP_CMP_FOO\""},
    {RULE3("{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ERRNO\", "
           "\"args\": [{\"index\": 0, \"value\": 1}]}"),
     "$.syscalls[3].args[0].op: missing"},
    {RULE3("{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ERRNO\", "
           "\"args\": [{\"index\": 6, \"value\": 1, \"op\": \"SCMP_CMP_EQ\"}]}"),
     "$.syscalls[3].args[0].index: expected an integer from 0 to 5, got 6"},
    {RULE3("{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ERRNO\", "
           "\"args\": [{\"index\": 0, \"value\": -1, \"op\": \"SCMP_CMP_EQ\"}]}"),
     "$.syscalls[3].args[0].value: expected an integer from 0 to 18446744073709551615"},
    {RULE3("{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ERRNO\", "
           "\"args\": [{\"index\": 0, \"value\": 1.5, \"op\": \"SCMP_CMP_EQ\"}]}"),
     "$.syscalls[3].args[0].value: expected an integer"},
    {RULE3("{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ERRNO\", "
           "\"args\": [{\"index\": 0, \"value\": 18446744073709551616, \"op\": \"SCMP_CMP_EQ\"}]}"),
     "$.syscalls[3].args[0].value: expected an integer"},
    {RULE3("{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ERRNO\", "
           "\"args\": [{\"index\": 0, \"value\": \"1\", \"op\": \"SCMP_CMP_EQ\"}]}"),
     "$.syscalls[3].args[0].value: expected an integer from 0 to 18446744073709551615, got a string"},
    {RULE3("{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ERRNO\", \"args\": ["
           "{\"index\": 1, \"value\": 1, \"op\": \"SCMP_CMP_GT\"},"
           "{\"index\": 1, \"value\": 9, \"op\": \"SCMP_CMP_LT\"}]}"),
     "$.syscalls[3].args[1]: argument 1 is compared twice"},
    {RULE3("{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ERRNO\", \"args\": ["
           "{\"index\": 0, \"value\": 9223372036854775808, \"op\": \"SCMP_CMP_EQ\"},"
           "{\"index\": 1, \"value\": 9223372036854775809, \"op\": \"SCMP_CMP_EQ\"}]}"),
     "$.syscalls[3].args[0].value: expected an integer"},
    {RULE3("{\"nmes\": [\"read\"], \"action\": \"SCMP_ACT_ERRNO\"}"),
     "$.syscalls[3].nmes: unknown key (did you mean \"names\"?)"},
    {RULE3("{\"names\": \"read\", \"action\": \"SCMP_ACT_ERRNO\"}"),
     "$.syscalls[3].names: expected an array, got a string"},
    {RULE3("{\"names\": [\"read\", 4], \"action\": \"SCMP_ACT_ERRNO\"}"),
     "$.syscalls[3].names[1]: expected a string, got a number"},
    {RULE3("{\"name\": \"read\", \"names\": [\"write\"], \"action\": \"SCMP_ACT_ERRNO\"}"),
     "$.syscalls[3].name: give either \"name\" or \"names\""},
    {RULE3("{\"names\": [\"read\"]}"), "$.syscalls[3].action: missing"},
    {RULE3("{\"names\": [\"read\"], \"action\": \"SCMP_ACT_LOG\", \"errnoRet\": 1}"),
     "$.syscalls[3].errnoRet: only SCMP_ACT_ERRNO and SCMP_ACT_TRACE"},
    {RULE3(
         "{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ERRNO\", \"includes\": {\"caps\": [\"CAP_FLY\"]}}"),
     "$.syscalls[3].includes.caps[0]: unknown capability \"CAP_FLY\""},
    {RULE3("{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ERRNO\", \"excludes\": {\"arches\": [\"vax\"]}}"),
     "$.syscalls[3].excludes.arches[0]: unknown architecture \"vax\""},
    {RULE3("{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ERRNO\", \"includes\": {\"minKernel\": \"4\"}}"),
     "$.syscalls[3].includes.minKernel: \"4\" is not a kernel version MAJOR.MINOR"},
    {RULE3("{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ERRNO\", \"includes\": {\"kernel\": \"4.1\"}}"),
     "$.syscalls[3].includes.kernel: unknown key"},
    {RULE3("{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ERRNO\", \"includes\": []}"),
     "$.syscalls[3].includes: expected an object, got an array"},
    {RULE3("{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ERRNO\", \"comment\": 1}"),
     "$.syscalls[3].comment: expected a string, got a number"},
    {RULE3("{\"names\": [\"read\"], \"action\": \"SCMP_ACT_NOTIFY\"}"),
     "$.syscalls[3].names[0]: SCMP_ACT_NOTIFY is only supported for execve and execveat"},
    {RULE3("{\"names\": [\"execve\"], \"action\": \"SCMP_ACT_NOTIFY\"}"),
     "$.syscalls: exec is supervised (SCMP_ACT_NOTIFY) but execveat is allowed"},
    /* libseccomp would silently keep only one of these: refused instead */
    {RULE3(
         "{\"names\": [\"ioctl\"], \"action\": \"SCMP_ACT_ERRNO\", "
         "\"args\": [{\"index\": 1, \"value\": 4294967295, \"valueTwo\": 21522, \"op\": \"SCMP_CMP_MASKED_EQ\"}]},"
         "{\"names\": [\"ioctl\"], \"action\": \"SCMP_ACT_TRAP\"}"),
     "$.syscalls[4].names[0]: \"ioctl\" has conditional rules with another action ($.syscalls[3])"},
    {RULE3(
         "{\"names\": [\"ioctl\"], \"action\": \"SCMP_ACT_TRAP\"},"
         "{\"names\": [\"ioctl\"], \"action\": \"SCMP_ACT_ERRNO\", "
         "\"args\": [{\"index\": 1, \"value\": 4294967295, \"valueTwo\": 21522, \"op\": \"SCMP_CMP_MASKED_EQ\"}]}"),
     "$.syscalls[4].names[0]: \"ioctl\" has an unconditional rule with another action ($.syscalls[3])"},
    {RULE3("{\"names\": [\"getpid\"], \"action\": \"SCMP_ACT_ERRNO\"}"),
     "$.syscalls[3].names[0]: \"getpid\" already has an unconditional rule with another action "
     "($.syscalls[0])"},
};

static void check_bad_cases(void) {
  for (size_t i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++) {
    const struct bad_case *c = &bad_cases[i];
    struct cr_bpf bpf = {.len = 3};
    char msg[2048], warn[256];
    int rc = compile_text(c->json, 0, &bpf, NULL, msg, sizeof msg, warn, sizeof warn);
    CHECK(rc < 0, "case %zu compiled: %s", i, c->json);
    CHECK(rc >= 0 || strstr(msg, c->want), "case %zu:\n  got  %s\n  want %s", i, msg, c->want);
    CHECK(bpf.len == 0 && bpf.insns == NULL, "case %zu: output left set", i);
    CHECK(warn[0] == '\0', "case %zu: warned on a failed compile: %s", i, warn);
  }
}

/* Several errors of one file are reported together, one per line. */
static void check_several_errors(void) {
  const char *json = ALLOW_HEAD
      "\"syscalls\": ["
      "{\"names\": [\"read\"], \"action\": \"SCMP_ACT_BOGUS\"},"
      "{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ERRNO\", \"args\": 3}]}";
  struct cr_bpf bpf;
  cr_error *err = NULL;
  int rc = cr_policy_compile_string(json, "multi.json", test_env(0), &bpf, NULL, &err);
  CHECK(rc < 0, "two bad entries compiled");
  CHECK(strcmp(cr_error_where(err), "policy multi.json") == 0, "where: %s", cr_error_where(err));
  CHECK(strcmp(cr_error_what(err),
               "$.syscalls[0].action: unknown action \"SCMP_ACT_BOGUS\"\n"
               "$.syscalls[1].args: expected an array, got a number") == 0,
        "what: %s", cr_error_what(err));
  cr_error_free(err);
}

struct good_case {
  const char *json;
  size_t skipped;
  const char *warning;
};

static const struct good_case good_cases[] = {
    {ALLOW_HEAD "\"syscalls\": [{\"names\": [\"foo_bar\", \"getpid\", \"foo_bar\"], "
                "\"action\": \"SCMP_ACT_ERRNO\"}, {\"names\": [\"baz_qux\"], \"action\": \"SCMP_ACT_LOG\"}]}",
     2, "cleanroom: warning: policy test.json: skipped 2 unknown syscalls: foo_bar, baz_qux\n"},
    {ALLOW_HEAD "\"syscalls\": [{\"name\": \"frobnicate\", \"action\": \"SCMP_ACT_ERRNO\"}]}", 1,
     "cleanroom: warning: policy test.json: skipped 1 unknown syscall: frobnicate\n"},
    /* no warning when every name is known; null members count as absent */
    {ALLOW_HEAD "\"architectures\": null, \"syscalls\": [{\"names\": [\"getpid\"], "
                "\"action\": \"SCMP_ACT_KILL\", \"args\": null, \"includes\": {}, \"excludes\": {}}]}",
     0, ""},
    /* the largest 64-bit value is kept exactly */
    {ALLOW_HEAD "\"syscalls\": [{\"names\": [\"getpid\"], \"action\": \"SCMP_ACT_ERRNO\", \"args\": "
                "[{\"index\": 0, \"value\": 18446744073709551615, \"op\": \"SCMP_CMP_EQ\"}]}]}",
     0, ""},
    /* a rule that repeats the default action is accepted (libseccomp alone would refuse it) */
    {"{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [{\"names\": [\"getpid\"], "
     "\"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 1}]}",
     0, ""},
};

static void check_good_cases(void) {
  for (size_t i = 0; i < sizeof good_cases / sizeof good_cases[0]; i++) {
    const struct good_case *c = &good_cases[i];
    struct cr_bpf bpf;
    struct cr_policy_stats st;
    char msg[2048], warn[512];
    if (compile_text(c->json, 0, &bpf, &st, msg, sizeof msg, warn, sizeof warn) < 0) {
      test_fail(__FILE__, __LINE__, "good case %zu: %s", i, msg);
      continue;
    }
    CHECK(st.skipped == c->skipped, "good case %zu: skipped %zu", i, st.skipped);
    CHECK(strcmp(warn, c->warning) == 0, "good case %zu: warning\n  got  %s  want %s", i, warn, c->warning);
    cr_bpf_free(&bpf);
  }
}

static void check_files(const char *dir) {
  struct cr_bpf bpf;
  cr_error *err = NULL;
  CHECK(cr_policy_compile_file("/nonexistent/p.json", test_env(0), &bpf, NULL, &err) < 0,
        "missing file compiled");
  CHECK(cr_error_errno(err) == ENOENT && strcmp(cr_error_where(err), "policy /nonexistent/p.json") == 0,
        "missing file: errnum %d where %s", cr_error_errno(err), cr_error_where(err));
  cr_error_clear(&err);
  CHECK(cr_policy_compile_file(dir, test_env(0), &bpf, NULL, &err) < 0, "a directory compiled");
  cr_error_clear(&err);
  struct cr_seccomp_spec spec = {.kind = CR_SECCOMP_FILE, .path = "/dev/null"};
  CHECK(cr_policy_compile(&spec, test_env(0), &bpf, NULL, &err) < 0, "/dev/null compiled");
  cr_error_free(err);
}

int main(int argc, char **argv) {
  check_bad_cases();
  check_several_errors();
  check_good_cases();
  check_files(argc > 2 ? argv[2] : ".");
  return finish("policies_errors");
}
