/* SPDX-License-Identifier: MIT */
/* Shared by the policies_* tests: compiling, running code in a child under a
 * compiled filter, and checks that count failures instead of aborting. */
#ifndef CR_TEST_POLICIES_HELPERS_H
#define CR_TEST_POLICIES_HELPERS_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>

#include "cr/policy.h"

/* CTest's SKIP_RETURN_CODE for these tests. */
#define TEST_SKIP 77

extern int test_failures;

/* What the compiles of a test run with: the given kept capabilities, the
 * cache folder test_cache_dir (NULL, the default: no cache), and a log
 * that collects warnings into test_warnings (cleared with test_log_clear). */
extern const char *test_cache_dir;
extern char test_warnings[8192];
void test_log_clear(void);
const struct cr_policy_env *test_env(uint64_t kept_caps);

void test_fail(const char *file, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#define CHECK(cond, ...)                                     \
  do {                                                       \
    if (!(cond)) test_fail(__FILE__, __LINE__, __VA_ARGS__); \
  } while (0)

/* The call must fail with errno `want`. */
#define EXPECT_ERRNO(call, want)                                                                        \
  do {                                                                                                  \
    errno = 0;                                                                                          \
    long r_ = (long)(call);                                                                             \
    int e_ = errno;                                                                                     \
    if (!(r_ == -1 && e_ == (want)))                                                                    \
      test_fail(__FILE__, __LINE__, "%s: returned %ld errno %d, want errno %d", #call, r_, e_, (want)); \
  } while (0)

/* The call must not fail with errno `unwanted` (whatever else it does). */
#define EXPECT_NOT_ERRNO(call, unwanted)                                                                    \
  do {                                                                                                      \
    errno = 0;                                                                                              \
    long r_ = (long)(call);                                                                                 \
    int e_ = errno;                                                                                         \
    if (r_ == -1 && e_ == (unwanted)) test_fail(__FILE__, __LINE__, "%s: failed with errno %d", #call, e_); \
  } while (0)

/* The call must succeed. */
#define EXPECT_OK(call)                                                                    \
  do {                                                                                     \
    errno = 0;                                                                             \
    long r_ = (long)(call);                                                                \
    if (r_ == -1) test_fail(__FILE__, __LINE__, "%s: failed with errno %d", #call, errno); \
  } while (0)

/* Compile a built-in; a failure is fatal for the test. */
void compile_builtin(const char *name, uint64_t caps, struct cr_bpf *bpf, struct cr_policy_stats *stats);
/* Compile JSON text; returns the cr_policy_compile_string result, the
 * error text (one line) in `msg` and what was written to stderr in `warn`. */
int compile_text(const char *json, uint64_t caps, struct cr_bpf *bpf, struct cr_policy_stats *stats,
                 char *msg, size_t msg_size, char *warn, size_t warn_size);

/* Run fn in a child that first sets no_new_privs and installs `bpf`; the
 * child exits 1 when fn recorded failures. Returns the wait status. */
int run_filtered(const struct cr_bpf *bpf, void (*fn)(void *), void *arg);
/* run_filtered, then CHECK a clean exit; `what` names the case. */
void expect_child_passes(const char *what, const struct cr_bpf *bpf, void (*fn)(void *), void *arg);
/* run_filtered, then CHECK death by signal `sig`. */
void expect_child_killed(const char *what, const struct cr_bpf *bpf, void (*fn)(void *), void *arg, int sig);

/* getpid of the i386 ABI through int 0x80. */
long i386_getpid(void);
/* Whether this kernel runs i386 syscalls at all (IA32 emulation). */
bool kernel_has_i386(void);

/* Print the summary line; the test's exit code (0 or 1). */
int finish(const char *name);

#endif
