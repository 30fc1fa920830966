/* SPDX-License-Identifier: MIT */
/* policies_docker: Docker's default profile, unchanged, compiles and behaves
 * as under Docker: its allow-list works, everything else gets EPERM, clone3
 * ENOSYS, capability-gated and minKernel rules follow the kept capabilities
 * and the kernel, and its archMap brings in the i386 and x32 ABIs. */
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "helpers.h"

#define CAP_BIT(n) (1ull << (n))
#define CAP_SYS_PTRACE 19
#define CAP_SYS_ADMIN 21

static struct cr_bpf compile_docker(const char *path, uint64_t caps, struct cr_policy_stats *st) {
  struct cr_bpf bpf = {0};
  cr_error *err = NULL;
  if (cr_policy_compile_file(path, test_env(caps), &bpf, st, &err) < 0) {
    cr_error_print(err, stderr);
    test_fail(__FILE__, __LINE__, "Docker's profile does not compile (caps %#llx)", (unsigned long long)caps);
  }
  return bpf;
}

static void no_caps(void *arg) {
  (void)arg;
  EXPECT_OK(getpid());
  pid_t child = fork(); /* clone without namespace flags */
  if (child == 0) _exit(0);
  CHECK(child > 0 && waitpid(child, NULL, 0) == child, "fork under Docker's profile");
  EXPECT_ERRNO(mount(NULL, NULL, NULL, 0, NULL), EPERM); /* needs CAP_SYS_ADMIN */
  EXPECT_ERRNO(syscall(SYS_clone3, NULL, 0), ENOSYS);
  EXPECT_ERRNO(syscall(SYS_clone, CLONE_NEWUSER | CLONE_THREAD, 0, 0, 0, 0), EPERM);
  /* ptrace is allowed from kernel 4.8 on (includes.minKernel): ESRCH from
   * the kernel for pid 0, not EPERM from the filter. */
  EXPECT_ERRNO(syscall(SYS_ptrace, -1L, 0, 0, 0), ESRCH);
  EXPECT_ERRNO(personality(ADDR_NO_RANDOMIZE), EPERM);
  EXPECT_OK(personality(0xffffffff));
  EXPECT_ERRNO(syscall(SYS_socket, 40 /* AF_VSOCK */, 1, 0), EPERM);
  EXPECT_ERRNO(syscall(SYS_bpf, -1, NULL, 0), EPERM);
}

static void sys_admin(void *arg) {
  (void)arg;
  /* With CAP_SYS_ADMIN kept the gated rules apply: the calls reach the
   * kernel, which refuses the bad arguments itself. */
  EXPECT_ERRNO(mount(NULL, NULL, NULL, 0, NULL), EFAULT);
  EXPECT_ERRNO(syscall(SYS_clone3, NULL, 0), EINVAL);
  EXPECT_ERRNO(syscall(SYS_clone, CLONE_NEWUSER | CLONE_THREAD, 0, 0, 0, 0), EINVAL);
}

#if defined(__x86_64__)
static void other_abis(void *arg) {
  bool i386 = *(bool *)arg;
  /* archMap lists X86 and X32 under X86_64: Docker lets both ABIs through
   * its allow-list (this kernel may lack x32: ENOSYS, but no SIGSYS). */
  if (i386) CHECK(i386_getpid() == getpid(), "int 0x80 getpid under Docker's profile");
  long r = syscall(0x40000000 | SYS_getpid);
  CHECK(r == getpid() || (r == -1 && errno == ENOSYS), "x32 getpid: %ld errno %d", r, errno);
}
#endif

int main(int argc, char **argv) {
  const char *path = argc > 1 ? argv[1] : "";
  if (access(path, R_OK) != 0) {
    printf("SKIP: Docker's profile not found at %s\n", path);
    return TEST_SKIP;
  }
  struct cr_policy_stats st, st_admin, st_all;
  struct cr_bpf plain = compile_docker(path, 0, &st);
  printf("docker (no caps): %zu rules, %zu syscalls, %zu skipped, %zu instructions\n", st.rules, st.syscalls,
         st.skipped, st.bpf_insns);
  struct cr_bpf admin = compile_docker(path, CAP_BIT(CAP_SYS_ADMIN) | CAP_BIT(CAP_SYS_PTRACE), &st_admin);
  struct cr_bpf all = compile_docker(path, ~0ull, &st_all);
  if (test_failures) return finish("policies_docker");
  CHECK(!plain.exec_once && plain.filter_flags == 0, "Docker's profile: exec_once or flags set");
  CHECK(st.rules > 10 && st.syscalls > 300, "Docker's profile: too few rules");
  CHECK(st_admin.syscalls > st.syscalls + 20, "CAP_SYS_ADMIN adds no syscalls (%zu vs %zu)",
        st_admin.syscalls, st.syscalls);
  CHECK(st_all.syscalls > st_admin.syscalls, "all caps: no more syscalls than CAP_SYS_ADMIN");

  expect_child_passes("docker, no caps", &plain, no_caps, NULL);
  expect_child_passes("docker, CAP_SYS_ADMIN", &admin, sys_admin, NULL);
#if defined(__x86_64__)
  bool i386 = kernel_has_i386();
  if (!i386) printf("note: no IA32 emulation in this kernel: int 0x80 not checked\n");
  expect_child_passes("docker, other ABIs", &plain, other_abis, &i386);
#endif
  cr_bpf_free(&plain);
  cr_bpf_free(&admin);
  cr_bpf_free(&all);
  return finish("policies_docker");
}
