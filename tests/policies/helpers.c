/* SPDX-License-Identifier: MIT */
#include "helpers.h"

#include <fcntl.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cr/cleanup.h"

int test_failures;

/* For the valgrind run only: valgrind does not pass the seccomp() syscall
 * on, so libseccomp under it believes the kernel lacks KILL_PROCESS, LOG and
 * NOTIFY. CR_TEST_SECCOMP_API=6 tells libseccomp what the real kernel has. */
__attribute__((constructor)) static void force_seccomp_api(void) {
  const char *level = getenv("CR_TEST_SECCOMP_API");
  if (level && seccomp_api_set((unsigned)atoi(level)) < 0) {
    fprintf(stderr, "seccomp_api_set(%s) failed\n", level);
    exit(1);
  }
}

void test_fail(const char *file, int line, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "FAIL %s:%d: ", file, line);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
  test_failures++;
}

const char *test_cache_dir;
char test_warnings[8192];

void test_log_clear(void) { test_warnings[0] = '\0'; }

/* Warnings as a compile used to print them: one line each. */
static void collect_warning(void *data, int level, const char *message) {
  (void)data;
  size_t used = strlen(test_warnings);
  snprintf(test_warnings + used, sizeof test_warnings - used, "cleanroom: %s%s\n",
           level == CR_LOG_WARNING ? "warning: " : "", message);
}

static struct cr_log test_log = {.fn = collect_warning};

const struct cr_policy_env *test_env(uint64_t kept_caps) {
  static struct cr_policy_env env;
  env = (struct cr_policy_env){.kept_caps = kept_caps, .cache_dir = test_cache_dir, .log = &test_log};
  return &env;
}

void compile_builtin(const char *name, uint64_t caps, struct cr_bpf *bpf, struct cr_policy_stats *stats) {
  struct cr_seccomp_spec spec = {.kind = CR_SECCOMP_BUILTIN, .builtin_name = (char *)name};
  cr_error *err = NULL;
  if (cr_policy_compile(&spec, test_env(caps), bpf, stats, &err) < 0) {
    cr_error_print(err, stderr);
    fprintf(stderr, "FAIL: built-in %s does not compile\n", name);
    exit(1);
  }
}

int compile_text(const char *json, uint64_t caps, struct cr_bpf *bpf, struct cr_policy_stats *stats,
                 char *msg, size_t msg_size, char *warn, size_t warn_size) {
  cr_error *err = NULL;
  test_log_clear();
  int rc = cr_policy_compile_string(json, "test.json", test_env(caps), bpf, stats, &err);
  if (warn) snprintf(warn, warn_size, "%s", test_warnings);
  msg[0] = '\0';
  if (rc < 0) {
    char *line = cr_error_one_line(err);
    snprintf(msg, msg_size, "%s", line ? line : "out of memory");
    free(line);
  }
  cr_error_free(err);
  return rc;
}

/* prctl when no flags are needed: valgrind passes it on, seccomp() not. */
static int set_filter(const struct cr_bpf *bpf, struct sock_fprog *prog) {
  if (bpf->filter_flags == 0) return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, prog, 0, 0);
  return (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, bpf->filter_flags, prog);
}

static void install(const struct cr_bpf *bpf) {
  struct sock_fprog prog = {.len = bpf->len, .filter = bpf->insns};
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || set_filter(bpf, &prog) < 0) {
    fprintf(stderr, "FAIL: installing the filter: %s\n", strerror(errno));
    _exit(100);
  }
}

int run_filtered(const struct cr_bpf *bpf, void (*fn)(void *), void *arg) {
  fflush(NULL);
  pid_t pid = fork();
  if (pid < 0) {
    perror("fork");
    exit(1);
  }
  if (pid == 0) {
    test_failures = 0;
    install(bpf);
    fn(arg);
    fflush(NULL);
    _exit(test_failures ? 1 : 0);
  }
  int status;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) {
      perror("waitpid");
      exit(1);
    }
  }
  return status;
}

void expect_child_passes(const char *what, const struct cr_bpf *bpf, void (*fn)(void *), void *arg) {
  int st = run_filtered(bpf, fn, arg);
  if (WIFSIGNALED(st))
    test_fail(__FILE__, __LINE__, "%s: child killed by signal %d", what, WTERMSIG(st));
  else if (WEXITSTATUS(st) != 0)
    test_fail(__FILE__, __LINE__, "%s: child exited %d", what, WEXITSTATUS(st));
}

void expect_child_killed(const char *what, const struct cr_bpf *bpf, void (*fn)(void *), void *arg, int sig) {
  int st = run_filtered(bpf, fn, arg);
  if (!WIFSIGNALED(st) || WTERMSIG(st) != sig)
    test_fail(__FILE__, __LINE__, "%s: want death by signal %d, got %s %d", what, sig,
              WIFSIGNALED(st) ? "signal" : "exit", WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
}

long i386_getpid(void) {
#if defined(__x86_64__)
  long ret;
  /* 20 is getpid in the i386 table; the kernel takes eax as the number. */
  __asm__ volatile("int $0x80" : "=a"(ret) : "a"(20L) : "memory", "cc");
  return ret;
#else
  return -ENOSYS;
#endif
}

bool kernel_has_i386(void) {
  fflush(NULL);
  pid_t pid = fork();
  if (pid == 0) _exit(i386_getpid() == getpid() ? 0 : 1); /* SIGSEGV without IA32 */
  int st;
  if (pid < 0 || waitpid(pid, &st, 0) < 0) return false;
  return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

int finish(const char *name) {
  if (test_failures) {
    fprintf(stderr, "%s: %d failure%s\n", name, test_failures, test_failures == 1 ? "" : "s");
    return 1;
  }
  printf("%s: all checks passed\n", name);
  return 0;
}
