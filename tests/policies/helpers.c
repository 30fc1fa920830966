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

void compile_builtin(const char *name, uint64_t caps, struct cr_bpf *bpf,
                     struct cr_policy_stats *stats) {
  struct cr_seccomp_spec spec = {.kind = CR_SECCOMP_BUILTIN, .builtin_name = (char *)name};
  cr_error err = {0};
  if (cr_policy_compile(&spec, caps, bpf, stats, &err) < 0) {
    cr_error_print(&err, stderr);
    fprintf(stderr, "FAIL: built-in %s does not compile\n", name);
    exit(1);
  }
}

/* Read back what was written to the memfd standing in for stderr. */
static void read_back(int fd, char *buf, size_t size) {
  ssize_t n = pread(fd, buf, size - 1, 0);
  buf[n > 0 ? n : 0] = '\0';
}

int compile_text(const char *json, uint64_t caps, struct cr_bpf *bpf, struct cr_policy_stats *stats,
                 char *msg, size_t msg_size, char *warn, size_t warn_size) {
  cr_error err = {0};
  cr_autoclose int cap = memfd_create("stderr", MFD_CLOEXEC);
  cr_autoclose int saved = dup(2);
  if (cap < 0 || saved < 0 || dup2(cap, 2) < 0) {
    perror("capturing stderr");
    exit(1);
  }
  int rc = cr_policy_compile_string(json, "test.json", caps, bpf, stats, &err);
  dup2(saved, 2);
  if (warn) read_back(cap, warn, warn_size);
  msg[0] = '\0';
  if (rc < 0) cr_error_format(&err, msg, msg_size);
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

void expect_child_killed(const char *what, const struct cr_bpf *bpf, void (*fn)(void *), void *arg,
                         int sig) {
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
