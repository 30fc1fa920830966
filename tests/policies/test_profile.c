/* SPDX-License-Identifier: MIT */
/* policies_profile: tests/policies/test-profile.json (Docker format, our
 * own) behaves as Docker would: includes/excludes by caps, arches and
 * minKernel, argument comparisons at their boundaries and with the high word
 * set, every action, archMap, and the ABI checks of libseccomp. Each rule
 * answers with its own errno 300+n, so the child sees which rules applied. */
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cr/cleanup.h"
#include "helpers.h"

#define CAP_BIT(n) (1ull << (n))
#define CAP_CHOWN 0
#define CAP_NET_ADMIN 12
#define CAP_SYS_ADMIN 21
#define CAP_SYS_TIME 25

static char *read_file(const char *dir, const char *name) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  cr_autofclose FILE *f = fopen(path, "r");
  if (!f) {
    perror(path);
    exit(1);
  }
  char *text = calloc(1, 1 << 16);
  if (!text || fread(text, 1, (1 << 16) - 1, f) == 0) {
    perror(path);
    exit(1);
  }
  return text;
}

/* ---- capabilities ------------------------------------------------------- */

struct cap_case {
  uint64_t caps;
  bool getppid, getpgrp, getuid; /* whether the rule for it applies */
  size_t rules;
};

static void check_caps_child(void *arg) {
  const struct cap_case *c = arg;
  /* raw syscalls: glibc's wrappers of calls that cannot fail skip errno */
  if (c->getppid)
    EXPECT_ERRNO(syscall(SYS_getppid), 301);
  else
    EXPECT_OK(syscall(SYS_getppid));
  if (c->getpgrp)
    EXPECT_ERRNO(syscall(SYS_getpgrp), 302);
  else
    EXPECT_OK(syscall(SYS_getpgrp));
  if (c->getuid)
    EXPECT_ERRNO(syscall(SYS_getuid), 303);
  else
    EXPECT_OK(syscall(SYS_getuid));
}

/* Rules that apply whatever the caps on x86-64/arm64: geteuid, sched_yield,
 * getcpu, the 8 argument rules, the 3 other actions and the unknown names. */
#define BASE_RULES 15

static const struct cap_case cap_cases[] = {
    {0, false, false, true, BASE_RULES + 1},
    {CAP_BIT(CAP_SYS_ADMIN), true, false, false, BASE_RULES + 1},
    {CAP_BIT(CAP_CHOWN), false, false, false, BASE_RULES},
    {CAP_BIT(CAP_NET_ADMIN), false, false, true, BASE_RULES + 1},
    {CAP_BIT(CAP_NET_ADMIN) | CAP_BIT(CAP_SYS_TIME), false, true, true, BASE_RULES + 2},
    {~0ull, true, true, false, BASE_RULES + 2},
};

static void check_caps(const char *json) {
  for (size_t i = 0; i < sizeof cap_cases / sizeof cap_cases[0]; i++) {
    const struct cap_case *c = &cap_cases[i];
    struct cr_bpf bpf;
    struct cr_policy_stats st;
    char msg[512], warn[512];
    if (compile_text(json, c->caps, &bpf, &st, msg, sizeof msg, warn, sizeof warn) < 0) {
      test_fail(__FILE__, __LINE__, "caps %#llx: %s", (unsigned long long)c->caps, msg);
      continue;
    }
    CHECK(st.rules == c->rules, "caps %#llx: %zu rules applied, want %zu", (unsigned long long)c->caps,
          st.rules, c->rules);
    char name[64];
    snprintf(name, sizeof name, "caps %#llx", (unsigned long long)c->caps);
    expect_child_passes(name, &bpf, check_caps_child, (void *)c);
    cr_bpf_free(&bpf);
  }
}

/* ---- arches, minKernel, args, actions ----------------------------------- */

#define HI(x) (0x100000000ull * (x))

static void check_rules_child(void *arg) {
  (void)arg;
  /* includes/excludes by arches (the native one is amd64 or arm64 here) */
  EXPECT_ERRNO(syscall(SYS_geteuid), 304);
  EXPECT_OK(syscall(SYS_getegid));
  EXPECT_OK(syscall(SYS_getgid));
  /* minKernel */
  EXPECT_ERRNO(syscall(SYS_sched_yield), 307);
  EXPECT_OK(syscall(SYS_munlockall));
  EXPECT_ERRNO(syscall(SYS_getcpu, NULL, NULL, NULL), 309);
  int fd = (int)syscall(SYS_inotify_init1, O_CLOEXEC);
  CHECK(fd >= 0, "inotify_init1: errno %d", errno);
  if (fd >= 0) close(fd);
  /* EQ 0x100000005: all 64 bits compared */
  EXPECT_ERRNO(syscall(SYS_getpgid, HI(1) + 5), 311);
  EXPECT_NOT_ERRNO(syscall(SYS_getpgid, HI(1) + 4), 311);
  EXPECT_NOT_ERRNO(syscall(SYS_getpgid, HI(1) + 6), 311);
  EXPECT_NOT_ERRNO(syscall(SYS_getpgid, 5), 311);
  /* NE 7 */
  EXPECT_ERRNO(syscall(SYS_getsid, 6), 312);
  EXPECT_NOT_ERRNO(syscall(SYS_getsid, 7), 312);
  EXPECT_ERRNO(syscall(SYS_getsid, 8), 312);
  EXPECT_ERRNO(syscall(SYS_getsid, HI(1) + 7), 312);
  /* LT 100 */
  EXPECT_ERRNO(syscall(SYS_sched_get_priority_max, 99), 313);
  EXPECT_NOT_ERRNO(syscall(SYS_sched_get_priority_max, 100), 313);
  EXPECT_NOT_ERRNO(syscall(SYS_sched_get_priority_max, 101), 313);
  EXPECT_NOT_ERRNO(syscall(SYS_sched_get_priority_max, HI(1) + 50), 313);
  /* LE 100 */
  EXPECT_ERRNO(syscall(SYS_sched_get_priority_min, 99), 314);
  EXPECT_ERRNO(syscall(SYS_sched_get_priority_min, 100), 314);
  EXPECT_NOT_ERRNO(syscall(SYS_sched_get_priority_min, 101), 314);
  EXPECT_NOT_ERRNO(syscall(SYS_sched_get_priority_min, HI(0xffffffff)), 314);
  /* arg0 EQ 0 and arg1 GE 0x200000000 */
  EXPECT_NOT_ERRNO(syscall(SYS_getpriority, 0, HI(2) - 1), 315);
  EXPECT_ERRNO(syscall(SYS_getpriority, 0, HI(2)), 315);
  EXPECT_ERRNO(syscall(SYS_getpriority, 0, HI(2) + 1), 315);
  EXPECT_NOT_ERRNO(syscall(SYS_getpriority, 1, HI(2)), 315);
  /* arg1 GT 1000 */
  EXPECT_NOT_ERRNO(syscall(SYS_ioprio_get, 1, 999), 316);
  EXPECT_NOT_ERRNO(syscall(SYS_ioprio_get, 1, 1000), 316);
  EXPECT_ERRNO(syscall(SYS_ioprio_get, 1, 1001), 316);
  EXPECT_ERRNO(syscall(SYS_ioprio_get, 1, HI(1)), 316);
  EXPECT_ERRNO(syscall(SYS_ioprio_get, 1, 1ull << 63), 316);
  /* MASKED_EQ: top byte 0xab */
  EXPECT_ERRNO(syscall(SYS_sched_getscheduler, 0xab00000000000000ull), 317);
  EXPECT_ERRNO(syscall(SYS_sched_getscheduler, 0xab12345678abcdefull), 317);
  EXPECT_NOT_ERRNO(syscall(SYS_sched_getscheduler, 0xaa00000000000000ull), 317);
  EXPECT_NOT_ERRNO(syscall(SYS_sched_getscheduler, 0xabull), 317);
  /* EQ 2^63 + 1: the exact 64-bit value of the text, not its double */
  EXPECT_ERRNO(syscall(SYS_sched_rr_get_interval, (1ull << 63) + 1, NULL), 318);
  EXPECT_NOT_ERRNO(syscall(SYS_sched_rr_get_interval, 1ull << 63, NULL), 318);
  EXPECT_NOT_ERRNO(syscall(SYS_sched_rr_get_interval, (1ull << 63) + 2, NULL), 318);
  /* SCMP_ACT_LOG allows */
  struct rusage ru;
  EXPECT_OK(getrusage(RUSAGE_SELF, &ru));
#if defined(__x86_64__)
  /* archMap: X86 is a sub-architecture of X86_64, so int 0x80 passes */
  if (*(bool *)arg) CHECK(i386_getpid() == getpid(), "int 0x80 getpid with X86 in archMap");
#endif
}

static void call_sched_getparam(void *arg) {
  (void)arg;
  syscall(SYS_sched_getparam, 0, NULL);
}

static void call_sched_getattr(void *arg) {
  (void)arg;
  syscall(SYS_sched_getattr, 0, NULL, 0, 0);
}

static void check_rules(const char *json) {
  struct cr_bpf bpf;
  struct cr_policy_stats st;
  char msg[512], warn[512];
  if (compile_text(json, 0, &bpf, &st, msg, sizeof msg, warn, sizeof warn) < 0) {
    test_fail(__FILE__, __LINE__, "test-profile.json: %s", msg);
    return;
  }
  const char *want =
      "cleanroom: warning: policy test.json: skipped 3 unknown syscalls: "
      "setxattrat, getxattrat, no_such_syscall_either\n";
  CHECK(strcmp(warn, want) == 0, "warning:\n  got  %s  want %s", warn, want);
  CHECK(st.skipped == 3, "skipped %zu", st.skipped);
  bool i386 = false;
#if defined(__x86_64__)
  i386 = kernel_has_i386();
#endif
  expect_child_passes("test-profile rules", &bpf, check_rules_child, &i386);
  expect_child_killed("SCMP_ACT_KILL_PROCESS", &bpf, call_sched_getparam, NULL, SIGSYS);
  expect_child_killed("SCMP_ACT_TRAP", &bpf, call_sched_getattr, NULL, SIGSYS);
  cr_bpf_free(&bpf);
}

/* ---- ABIs ---------------------------------------------------------------- */

#if defined(__x86_64__)
static void call_x32_getpid(void *arg) {
  long r = syscall(0x40000000 | SYS_getpid);
  /* only reached when the filter let it through */
  if (arg) CHECK(r == -1 && errno == ENOSYS, "x32 getpid: %ld errno %d", r, errno);
}

static void call_i386_getpid(void *arg) {
  (void)arg;
  i386_getpid();
}

static void check_abis(void) {
  struct cr_bpf bpf;
  char msg[512];
  /* Allow everything, list no other architecture: x32 and i386 die. */
  if (compile_text("{\"defaultAction\": \"SCMP_ACT_ALLOW\"}", 0, &bpf, NULL, msg, sizeof msg, NULL, 0) < 0) {
    test_fail(__FILE__, __LINE__, "allow-all: %s", msg);
    return;
  }
  expect_child_killed("x32 on a native filter", &bpf, call_x32_getpid, NULL, SIGSYS);
  if (kernel_has_i386())
    expect_child_killed("int 0x80 on a native filter", &bpf, call_i386_getpid, NULL, SIGSYS);
  cr_bpf_free(&bpf);
  /* Listing X32 lets x32 numbers through to the kernel. */
  if (compile_text("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"architectures\": "
                   "[\"SCMP_ARCH_X86_64\", \"SCMP_ARCH_X32\"]}",
                   0, &bpf, NULL, msg, sizeof msg, NULL, 0) < 0) {
    test_fail(__FILE__, __LINE__, "x32 listed: %s", msg);
    return;
  }
  int st = run_filtered(&bpf, call_x32_getpid, &bpf);
  CHECK(!WIFSIGNALED(st), "x32 listed: killed by signal %d", WTERMSIG(st));
  if (kernel_has_i386())
    expect_child_killed("int 0x80 with only X32 listed", &bpf, call_i386_getpid, NULL, SIGSYS);
  cr_bpf_free(&bpf);
}
#endif

int main(int argc, char **argv) {
  const char *dir = argc > 2 ? argv[2] : ".";
  cr_autofree char *json = read_file(dir, "test-profile.json");
  check_caps(json);
  check_rules(json);
#if defined(__x86_64__)
  check_abis();
#endif
  return finish("policies_profile");
}
