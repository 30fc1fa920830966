/* SPDX-License-Identifier: MIT */
/* policies_behaviour: the built-in profiles installed in a child. Ordinary
 * work (files, memory, fork, threads, pipes, sockets, real programs) runs;
 * what the profiles refuse fails with the declared errno, other ABIs die.
 * Every refused call uses arguments the kernel would reject itself, so a
 * broken filter shows as a wrong errno, never as a side effect. */
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/timex.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "helpers.h"

#define HIGH_BITS 0xffffffff00000000ull

/* ---- what every profile must allow -------------------------------------- */

static void *thread_main(void *arg) { return arg; }

static void ordinary_work(void) {
  int fd = open("/dev/null", O_RDWR | O_CLOEXEC);
  CHECK(fd >= 0, "open /dev/null: errno %d", errno);
  char buf[8];
  EXPECT_OK(write(fd, "x", 1));
  EXPECT_OK(read(fd, buf, sizeof buf));
  EXPECT_OK(close(fd));
  void *m = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  CHECK(m != MAP_FAILED, "mmap: errno %d", errno);
  if (m != MAP_FAILED) EXPECT_OK(munmap(m, 1 << 20));
  pid_t child = fork(); /* clone without namespace flags */
  if (child == 0) _exit(7);
  int st = 0;
  CHECK(child > 0 && waitpid(child, &st, 0) == child && WIFEXITED(st) && WEXITSTATUS(st) == 7,
        "fork: child %d status %#x errno %d", child, st, errno);
  /* glibc tries clone3 first (ENOSYS here) and falls back to clone. */
  pthread_t t;
  int rc = pthread_create(&t, NULL, thread_main, NULL);
  CHECK(rc == 0, "pthread_create: %s", strerror(rc));
  if (rc == 0) pthread_join(t, NULL);
  int p[2];
  EXPECT_OK(pipe2(p, O_CLOEXEC));
  int avail = -1;
  EXPECT_OK(ioctl(p[0], FIONREAD, &avail)); /* an ordinary ioctl */
  EXPECT_OK(personality(0xffffffff));       /* query: allowed */
  close(p[0]);
  close(p[1]);
}

/* ---- ioctl: TIOCSTI / TIOCLINUX refused whatever the high bits ---------- */

static void terminal_ioctls(void) {
  int p[2];
  if (pipe2(p, O_CLOEXEC) < 0) {
    test_fail(__FILE__, __LINE__, "pipe: errno %d", errno);
    return;
  }
  char c = 'x';
  static const unsigned long long highs[] = {0, HIGH_BITS, 1ull << 32, 1ull << 63};
  for (size_t i = 0; i < sizeof highs / sizeof highs[0]; i++) {
    EXPECT_ERRNO(syscall(SYS_ioctl, p[0], highs[i] | TIOCSTI, &c), EPERM);
    EXPECT_ERRNO(syscall(SYS_ioctl, p[0], highs[i] | TIOCLINUX, &c), EPERM);
    /* a virtual console's keymap (global: input on other consoles) and VT switching */
    EXPECT_ERRNO(syscall(SYS_ioctl, p[0], highs[i] | 0x4B47 /* KDSKBENT */, &c), EPERM);
    EXPECT_ERRNO(syscall(SYS_ioctl, p[0], highs[i] | 0x4B49 /* KDSKBSENT */, &c), EPERM);
    EXPECT_ERRNO(syscall(SYS_ioctl, p[0], highs[i] | 0x5606 /* VT_ACTIVATE */, &c), EPERM);
  }
  /* Every request one bit away from them is an ordinary ioctl again (a
   * pipe is no tty: ENOTTY or EINVAL from the kernel, never the filter's
   * EPERM or ENOSYS). */
  static const unsigned long refused[] = {TIOCSTI, TIOCLINUX};
  for (size_t r = 0; r < 2; r++) {
    for (int bit = 0; bit < 32; bit++) {
      unsigned long req = refused[r] ^ (1ul << bit);
      if (req == TIOCSTI || req == TIOCLINUX || (req & 0xffffff00) == 0x4b00 || (req & 0xffffff00) == 0x5600)
        continue;
      errno = 0;
      long rc = syscall(SYS_ioctl, p[0], req, NULL);
      CHECK(rc == 0 || (errno != EPERM && errno != ENOSYS), "ioctl %#lx: errno %d", req, errno);
    }
  }
  close(p[0]);
  close(p[1]);
}

/* ---- what default and strict refuse ------------------------------------- */

static const unsigned long ns_flags[] = {CLONE_NEWNS,  CLONE_NEWUTS, CLONE_NEWIPC,   CLONE_NEWUSER,
                                         CLONE_NEWPID, CLONE_NEWNET, CLONE_NEWCGROUP};

static void refused_clone(void) {
  /* CLONE_THREAD without CLONE_SIGHAND: EINVAL if it ever reached the kernel */
  for (size_t i = 0; i < sizeof ns_flags / sizeof ns_flags[0]; i++) {
    EXPECT_ERRNO(syscall(SYS_clone, ns_flags[i] | CLONE_THREAD, 0, 0, 0, 0), EPERM);
    EXPECT_ERRNO(syscall(SYS_clone, HIGH_BITS | ns_flags[i] | CLONE_THREAD, 0, 0, 0, 0), EPERM);
  }
  EXPECT_ERRNO(syscall(SYS_clone3, NULL, 0), ENOSYS); /* glibc falls back to clone */
  EXPECT_ERRNO(syscall(SYS_unshare, 0), EPERM);
  EXPECT_ERRNO(syscall(SYS_setns, -1, 0), EPERM);
}

static void refused_mounts(void) {
  EXPECT_ERRNO(mount(NULL, NULL, NULL, 0, NULL), EPERM);
  EXPECT_ERRNO(umount2(NULL, 0), EPERM);
  EXPECT_ERRNO(syscall(SYS_pivot_root, NULL, NULL), EPERM);
  EXPECT_ERRNO(syscall(SYS_chroot, NULL), EPERM);
  EXPECT_ERRNO(syscall(SYS_move_mount, -1, NULL, -1, NULL, 0), EPERM);
  EXPECT_ERRNO(syscall(SYS_open_tree, -1, NULL, 0), EPERM);
  EXPECT_ERRNO(syscall(SYS_fsopen, NULL, 0), EPERM);
  EXPECT_ERRNO(syscall(SYS_fsmount, -1, 0, 0), EPERM);
  EXPECT_ERRNO(syscall(SYS_fsconfig, -1, 0, NULL, NULL, 0), EPERM);
  EXPECT_ERRNO(syscall(SYS_fspick, -1, NULL, 0), EPERM);
  EXPECT_ERRNO(syscall(SYS_mount_setattr, -1, NULL, 0, NULL, 0), EPERM);
}

static void refused_kernel(void) {
  EXPECT_ERRNO(syscall(SYS_init_module, NULL, 0, NULL), EPERM);
  EXPECT_ERRNO(syscall(SYS_finit_module, -1, NULL, 0), EPERM);
  EXPECT_ERRNO(syscall(SYS_delete_module, NULL, 0), EPERM);
  EXPECT_ERRNO(syscall(SYS_keyctl, -1, 0, 0, 0, 0), EPERM);
  EXPECT_ERRNO(syscall(SYS_add_key, NULL, NULL, NULL, 0, 0), EPERM);
  EXPECT_ERRNO(syscall(SYS_request_key, NULL, NULL, NULL, 0), EPERM);
  EXPECT_ERRNO(syscall(SYS_bpf, -1, NULL, 0), EPERM);
  EXPECT_ERRNO(syscall(SYS_perf_event_open, NULL, 0, -1, -1, 0), EPERM);
  EXPECT_ERRNO(syscall(SYS_kcmp, 0, 0, -1, 0, 0), EPERM);
  EXPECT_ERRNO(syscall(SYS_pidfd_getfd, -1, -1, 0), EPERM);
  EXPECT_ERRNO(syscall(SYS_userfaultfd, -1), EPERM);
  EXPECT_ERRNO(syscall(SYS_io_uring_setup, 0, NULL), EPERM);
  EXPECT_ERRNO(syscall(SYS_io_uring_enter, -1, 0, 0, 0, NULL, 0), EPERM);
  EXPECT_ERRNO(syscall(SYS_io_uring_register, -1, 0, NULL, 0), EPERM);
  EXPECT_ERRNO(syscall(SYS_open_by_handle_at, -1, NULL, 0), EPERM);
  EXPECT_ERRNO(syscall(SYS_fanotify_init, ~0u, 0), EPERM);
  EXPECT_ERRNO(syscall(SYS_lookup_dcookie, 0, NULL, 0), EPERM);
}

static void refused_machine(void) {
  EXPECT_ERRNO(syscall(SYS_kexec_load, 0, 0, NULL, ~0ul), EPERM);
  EXPECT_ERRNO(syscall(SYS_kexec_file_load, -1, -1, 0, NULL, ~0ul), EPERM);
  EXPECT_ERRNO(syscall(SYS_reboot, 0, 0, 0, NULL), EPERM); /* bad magic */
  EXPECT_ERRNO(syscall(SYS_swapon, NULL, 0), EPERM);
  EXPECT_ERRNO(syscall(SYS_swapoff, NULL), EPERM);
  EXPECT_ERRNO(syscall(SYS_settimeofday, NULL, NULL), EPERM);
  EXPECT_ERRNO(syscall(SYS_clock_settime, -1, NULL), EPERM);
  EXPECT_ERRNO(syscall(SYS_acct, (void *)1), EPERM);
  EXPECT_ERRNO(syscall(SYS_quotactl, 0, NULL, 0, NULL), EPERM);
  EXPECT_ERRNO(syscall(SYS_syslog, -1, NULL, 0), EPERM);
  EXPECT_ERRNO(syscall(SYS_iopl, 99), EPERM);
  EXPECT_ERRNO(syscall(SYS_ioperm, ~0ul, 1, 1), EPERM);
  EXPECT_ERRNO(syscall(SYS_sethostname, NULL, ~0ul), EPERM);
  EXPECT_ERRNO(syscall(SYS_uselib, NULL), EPERM);
  EXPECT_ERRNO(syscall(SYS_nfsservctl, 0, NULL, NULL), EPERM);
  EXPECT_ERRNO(syscall(SYS_create_module, NULL, 0), EPERM);
  setsid(); /* no controlling terminal: vhangup would have nothing to hang up */
  EXPECT_ERRNO(syscall(SYS_vhangup), EPERM);
  /* not listed: the default answer, ENOSYS */
  EXPECT_ERRNO(syscall(SYS_mbind, NULL, 0, 0, NULL, 0, 0), ENOSYS);
  /* listed, refused by its argument: EPERM (setarch -R), never ENOSYS */
  EXPECT_ERRNO(personality(ADDR_NO_RANDOMIZE), EPERM);
  EXPECT_ERRNO(syscall(SYS_personality, HIGH_BITS), EPERM);
  /* no system call at all: EPERM */
  EXPECT_ERRNO(syscall(5000), EPERM);
}

/* ---- a call the profile lists never answers ENOSYS ---------------------- */

/* ENOSYS says "no such call" and sends a runtime to a fallback; a listed
 * call refused by its arguments must say EPERM. Every argument-filtered
 * call of the built-in profiles, over the values around its rules (each
 * single bit, low values, high garbage, random ones), with other arguments
 * that make an allowed call fail in the kernel without effect. */
static uint64_t sweep_values[4096];
static size_t n_sweep_values;

static void make_sweep_values(void) {
  size_t n = 0;
  for (uint64_t v = 0; v < 1024; v++) sweep_values[n++] = v;
  for (int bit = 0; bit < 64; bit++) {
    sweep_values[n++] = 1ull << bit;
    sweep_values[n++] = ~(1ull << bit);
    sweep_values[n++] = (1ull << bit) | 0x5400;
  }
  uint64_t x = 0x9e3779b97f4a7c15ull;
  while (n < sizeof sweep_values / sizeof sweep_values[0]) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    sweep_values[n] = (n & 1) ? x : (x & 0xffffffffull);
    n++;
  }
  n_sweep_values = n;
}

static void no_enosys_by_argument(void *arg) {
  (void)arg;
  int p[2];
  if (pipe2(p, O_CLOEXEC) < 0) return test_fail(__FILE__, __LINE__, "pipe: errno %d", errno);
  for (size_t i = 0; i < n_sweep_values; i++) {
    uint64_t v = sweep_values[i];
    errno = 0;
    /* a pipe is no tty: an allowed request fails with ENOTTY/EINVAL/EFAULT */
    long rc = syscall(SYS_ioctl, p[0], v, NULL);
    CHECK(!(rc == -1 && errno == ENOSYS), "ioctl request %#llx: ENOSYS", (unsigned long long)v);
    /* type -1: an allowed family fails with EINVAL (or EAFNOSUPPORT) */
    errno = 0;
    rc = syscall(SYS_socket, v, -1, 0);
    CHECK(!(rc == -1 && errno == ENOSYS), "socket family %#llx: ENOSYS", (unsigned long long)v);
    if (rc >= 0) close((int)rc);
    /* CLONE_THREAD without CLONE_SIGHAND: EINVAL where allowed */
    errno = 0;
    rc = syscall(SYS_clone, (v & ~(uint64_t)(CLONE_VM | CLONE_SIGHAND)) | CLONE_THREAD, 0, 0, 0, 0);
    CHECK(!(rc == -1 && errno == ENOSYS), "clone flags %#llx: ENOSYS", (unsigned long long)v);
    if (rc == 0) _exit(0);
  }
  /* personality changes the persona where allowed: put it back each time */
  unsigned long before = (unsigned long)personality(0xffffffff);
  for (size_t i = 0; i < n_sweep_values; i++) {
    errno = 0;
    long rc = syscall(SYS_personality, sweep_values[i]);
    CHECK(!(rc == -1 && errno == ENOSYS), "personality %#llx: ENOSYS", (unsigned long long)sweep_values[i]);
    personality(before);
  }
  close(p[0]);
  close(p[1]);
}

static void common_child(void *arg) {
  (void)arg;
  ordinary_work();
  terminal_ioctls();
  refused_clone();
  refused_mounts();
  refused_kernel();
  refused_machine();
}

/* ---- sockets and exec --------------------------------------------------- */

static void loopback_tcp(void) {
  int srv = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  CHECK(srv >= 0, "socket AF_INET: errno %d", errno);
  if (srv < 0) return;
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  socklen_t len = sizeof a;
  EXPECT_OK(bind(srv, (struct sockaddr *)&a, sizeof a));
  EXPECT_OK(listen(srv, 1));
  EXPECT_OK(getsockname(srv, (struct sockaddr *)&a, &len));
  int cli = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  EXPECT_OK(connect(cli, (struct sockaddr *)&a, sizeof a));
  int acc = accept4(srv, NULL, NULL, SOCK_CLOEXEC);
  CHECK(acc >= 0, "accept4: errno %d", errno);
  char c = 0;
  EXPECT_OK(send(cli, "y", 1, 0));
  CHECK(acc >= 0 && recv(acc, &c, 1, 0) == 1 && c == 'y', "loopback TCP: no data");
  close(acc);
  close(cli);
  close(srv);
}

static int exec_true(void) {
  fflush(NULL);
  pid_t pid = fork();
  if (pid == 0) {
    execl("/bin/true", "true", (char *)NULL);
    _exit(errno == ENOSYS ? 38 : 127);
  }
  int st = -1;
  if (pid < 0 || waitpid(pid, &st, 0) < 0) return -1;
  return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static void default_child(void *arg) {
  (void)arg;
  loopback_tcp();
  /* allowed as Docker allows them; the kernel answers (EFAULT, EINVAL, ...) */
  EXPECT_ERRNO(syscall(SYS_ptrace, PTRACE_ATTACH, 0, 0, 0), ESRCH);
  char byte = 0;
  struct iovec iov = {.iov_base = &byte, .iov_len = 1};
  EXPECT_ERRNO(syscall(SYS_process_vm_readv, 0x3fffffff, &iov, 1, &iov, 1, 0), ESRCH); /* no such pid */
  EXPECT_ERRNO(syscall(SYS_process_vm_writev, 0x3fffffff, &iov, 1, &iov, 1, 0), ESRCH);
  EXPECT_ERRNO(syscall(SYS_adjtimex, NULL), EFAULT);
  EXPECT_ERRNO(syscall(SYS_clock_adjtime, CLOCK_REALTIME, NULL), EFAULT);
  EXPECT_ERRNO(syscall(SYS_name_to_handle_at, -1, NULL, NULL, NULL, 0), EFAULT);
  char ldt[16];
  EXPECT_OK(syscall(SYS_modify_ldt, 0, ldt, sizeof ldt)); /* read this process's own LDT */
  /* (that setting the clock still needs the host's CAP_SYS_TIME is shown
   * in a sandbox: tests/compat; this test runs as the caller, root) */
  int sv[2];
  EXPECT_OK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
  CHECK(exec_true() == 0, "default: exec /bin/true failed");
}

static void strict_child(void *arg) {
  (void)arg;
  /* strict keeps what default lets debuggers and clocks readers have */
  EXPECT_ERRNO(syscall(SYS_ptrace, PTRACE_ATTACH, 0, 0, 0), EPERM);
  EXPECT_ERRNO(syscall(SYS_process_vm_readv, 0, NULL, 0, NULL, 0, 0), EPERM);
  EXPECT_ERRNO(syscall(SYS_process_vm_writev, 0, NULL, 0, NULL, 0, 0), EPERM);
  EXPECT_ERRNO(syscall(SYS_adjtimex, NULL), EPERM);
  EXPECT_ERRNO(syscall(SYS_clock_adjtime, CLOCK_REALTIME, NULL), EPERM);
  EXPECT_ERRNO(syscall(SYS_name_to_handle_at, -1, NULL, NULL, NULL, 0), EPERM);
  EXPECT_ERRNO(syscall(SYS_modify_ldt, 0, NULL, 0), EPERM);
  int pipe_fds[2];
  if (pipe2(pipe_fds, O_CLOEXEC) == 0) {
    EXPECT_ERRNO(ioctl(pipe_fds[0], TIOCSCTTY, 0), EPERM);
    close(pipe_fds[0]);
    close(pipe_fds[1]);
  }
  int sv[2];
  EXPECT_OK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
  int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  CHECK(fd >= 0, "strict: socket AF_UNIX: errno %d", errno);
  EXPECT_ERRNO(socket(AF_INET, SOCK_STREAM, 0), EAFNOSUPPORT);
  EXPECT_ERRNO(socket(AF_INET6, SOCK_DGRAM, 0), EAFNOSUPPORT);
  EXPECT_ERRNO(socket(AF_NETLINK, SOCK_RAW, 0), EAFNOSUPPORT);
  EXPECT_ERRNO(syscall(SYS_socket, (1ull << 32) | AF_UNIX, SOCK_STREAM, 0), EAFNOSUPPORT);
  EXPECT_ERRNO(socketpair(AF_INET, SOCK_STREAM, 0, sv), EAFNOSUPPORT);
  /* execve answers SECCOMP_RET_USER_NOTIF; with no listener the kernel
   * turns that into ENOSYS, so the call never runs unsupervised. */
  EXPECT_ERRNO(execl("/bin/true", "true", (char *)NULL), ENOSYS);
  EXPECT_ERRNO(syscall(SYS_execveat, AT_FDCWD, "/bin/true", NULL, NULL, 0), ENOSYS);
}

/* ---- other ABIs --------------------------------------------------------- */

#if defined(__x86_64__)
static void call_x32_getpid(void *arg) {
  (void)arg;
  syscall(0x40000000 | SYS_getpid);
}

static void call_i386_getpid(void *arg) {
  (void)arg;
  i386_getpid();
}

static void check_abis(const char *name, const struct cr_bpf *bpf) {
  char what[64];
  snprintf(what, sizeof what, "%s: x32 getpid", name);
  expect_child_killed(what, bpf, call_x32_getpid, NULL, SIGSYS);
  snprintf(what, sizeof what, "%s: int 0x80 getpid", name);
  if (kernel_has_i386()) expect_child_killed(what, bpf, call_i386_getpid, NULL, SIGSYS);
}
#endif

/* ---- real programs ------------------------------------------------------- */

static const char shell_script[] =
    "set -e; t=$(mktemp -d); echo hello > \"$t/f\"; read x < \"$t/f\"; [ \"$x\" = hello ];"
    "ls / | sort | head -n 1 >/dev/null; (sleep 0 & wait);"
    "if command -v cc >/dev/null; then"
    "  printf 'int main(void){return 0;}\\n' | cc -x c -o \"$t/a.out\" - && \"$t/a.out\"; fi;"
    "rm -r \"$t\"";

static const char python_script[] =
    "import threading, subprocess, socket, tempfile, asyncio, os\n"
    "t = threading.Thread(target=lambda: None); t.start(); t.join()\n"
    "assert subprocess.run(['/bin/sh', '-c', 'echo ok'], capture_output=True).stdout == b'ok\\n'\n"
    "s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen()\n"
    "c = socket.create_connection(s.getsockname()); a, _ = s.accept()\n"
    "c.sendall(b'x'); assert a.recv(1) == b'x'\n"
    "with tempfile.TemporaryDirectory() as d:\n"
    "    open(os.path.join(d, 'f'), 'w').write('x')\n"
    "asyncio.run(asyncio.sleep(0))\n";

static void exec_program(void *arg) {
  char *const *argv = arg;
  execv(argv[0], argv);
  _exit(127);
}

static void run_program(const struct cr_bpf *bpf, char *const *argv) {
  if (access(argv[0], X_OK) != 0) {
    printf("note: %s not found, not run\n", argv[0]);
    return;
  }
  char what[64];
  snprintf(what, sizeof what, "default: %s", argv[0]);
  expect_child_passes(what, bpf, exec_program, (void *)argv);
}

/* ---- the EPERM fall-through never changes what a profile says --------- */

/* A refusal carved out of a wider conditional ALLOW (family 40 inside
 * "below 64"): under an ENOSYS default the compiler cannot let it fall
 * through to an EPERM default (the ALLOW would match first), so it keeps
 * the profile's own default; the refusal holds. Every other syscall this
 * libseccomp knows is allowed, so that the child (and a sanitizer's
 * runtime in it) runs as usual. */
static char *carved_profile(void) {
  size_t size = 1 << 16, n = 0;
  char *text = malloc(size);
  if (!text) return NULL;
  n += (size_t)snprintf(text + n, size - n,
                        "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 38, \"syscalls\": ["
                        "{\"names\": [\"socket\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 1,"
                        " \"args\": [{\"index\": 0, \"value\": 40, \"op\": \"SCMP_CMP_EQ\"}]},"
                        "{\"names\": [\"socket\"], \"action\": \"SCMP_ACT_ALLOW\","
                        " \"args\": [{\"index\": 0, \"value\": 64, \"op\": \"SCMP_CMP_LT\"}]},"
                        "{\"names\": [");
  const char *sep = "";
  for (int nr = 0; nr < 512; nr++) {
    char *name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, nr);
    if (name && strcmp(name, "socket") != 0 && n + 64 < size) {
      n += (size_t)snprintf(text + n, size - n, "%s\"%s\"", sep, name);
      sep = ", ";
    }
    free(name);
  }
  snprintf(text + n, size - n, "], \"action\": \"SCMP_ACT_ALLOW\"}]}");
  return text;
}

static void carved_refusal_holds(void *arg) {
  (void)arg;
  EXPECT_ERRNO(syscall(SYS_socket, 40, SOCK_STREAM, 0), EPERM); /* AF_VSOCK: the carved refusal */
  long fd = syscall(SYS_socket, AF_UNIX, SOCK_STREAM, 0);
  CHECK(fd >= 0, "socket AF_UNIX under the carved profile: errno %d", errno);
  if (fd >= 0) close((int)fd);
  EXPECT_ERRNO(syscall(5000), ENOSYS); /* no such call: the profile's own default, kept */
}

static void carved_and_multi_arch(void) {
  struct cr_bpf bpf;
  char msg[512], warn[512];
  char *carved = carved_profile();
  CHECK(carved != NULL, "carved profile: out of memory");
  if (!carved) return;
  int rc = compile_text(carved, 0, &bpf, NULL, msg, sizeof msg, warn, sizeof warn);
  free(carved);
  CHECK(rc == 0, "carved profile: %s", msg);
  if (rc == 0) {
    expect_child_passes("a refusal carved out of a conditional ALLOW", &bpf, carved_refusal_holds, NULL);
    cr_bpf_free(&bpf);
  }
#if defined(__x86_64__)
  /* An ENOSYS profile of several architectures (containerd's shape) compiles:
   * libseccomp cannot add numbers another architecture lacks, so it keeps
   * its own default there. */
  static const char multi[] =
      "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 38,"
      " \"archMap\": [{\"architecture\": \"SCMP_ARCH_X86_64\", \"subArchitectures\": [\"SCMP_ARCH_X86\","
      " \"SCMP_ARCH_X32\"]}], \"syscalls\": [{\"names\": [\"getpid\"], \"action\": \"SCMP_ACT_ALLOW\"}]}";
  rc = compile_text(multi, 0, &bpf, NULL, msg, sizeof msg, warn, sizeof warn);
  CHECK(rc == 0, "multi-architecture ENOSYS profile: %s", msg);
  if (rc == 0) cr_bpf_free(&bpf);
#endif
}

int main(void) {
  struct cr_bpf def, strict;
  compile_builtin("default", 0, &def, NULL);
  compile_builtin("strict", 0, &strict, NULL);

  expect_child_passes("default", &def, common_child, NULL);
  expect_child_passes("default: sockets and exec", &def, default_child, NULL);
  expect_child_passes("strict", &strict, common_child, NULL);
  expect_child_passes("strict: sockets and exec", &strict, strict_child, NULL);
  carved_and_multi_arch();
  make_sweep_values();
  expect_child_passes("default: no ENOSYS by argument", &def, no_enosys_by_argument, NULL);
  expect_child_passes("strict: no ENOSYS by argument", &strict, no_enosys_by_argument, NULL);
#if defined(__x86_64__)
  check_abis("default", &def);
  check_abis("strict", &strict);
#endif
  char *sh[] = {"/bin/sh", "-c", (char *)shell_script, NULL};
  char *py[] = {"/usr/bin/python3", "-c", (char *)python_script, NULL};
  run_program(&def, sh);
  run_program(&def, py);

  cr_bpf_free(&def);
  cr_bpf_free(&strict);
  return finish("policies_behaviour");
}
