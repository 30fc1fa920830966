/* SPDX-License-Identifier: MIT */
/* Async-signal-safe helpers for the sandbox side: after clone the child
 * processes use only these, plain system calls and the prepared plan. */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/sched.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <sys/mman.h>

#include "child.h"

size_t cr_strlcpy(char *dst, const char *src, size_t size) {
  size_t i = 0;
  if (!src) src = "";
  for (; src[i] && i + 1 < size; i++) dst[i] = src[i];
  if (size) dst[i] = '\0';
  /* never cut short silently (the buffers are sized for a path and its
   * message, so this does not happen in practice) */
  if (src[i] && size > 4) {
    dst[size - 4] = dst[size - 3] = dst[size - 2] = '.';
  }
  return i;
}

size_t cr_strlcat(char *dst, const char *src, size_t size) {
  size_t used = 0;
  while (used < size && dst[used]) used++;
  return used + cr_strlcpy(dst + used, src, size - used);
}

char *cr_fmt_uint(char *buf, size_t size, unsigned long long v) {
  char tmp[24];
  size_t n = 0;
  do {
    tmp[n++] = (char)('0' + v % 10);
    v /= 10;
  } while (v && n < sizeof tmp);
  size_t i = 0;
  for (; i < n && i + 1 < size; i++) buf[i] = tmp[n - 1 - i];
  if (size) buf[i] = '\0';
  return buf;
}

int cr_write_all(int fd, const void *buf, size_t len) {
  const char *p = buf;
  while (len) {
    ssize_t n = write(fd, p, len);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return -1;
    p += n;
    len -= (size_t)n;
  }
  return 0;
}

static size_t bounded_len(const char *s, size_t max) {
  size_t n = 0;
  while (s && s[n] && n < max) n++;
  return n;
}

/* One message on the records socket (SOCK_SEQPACKET: it arrives whole). */
void cr_child_report_on(int records_fd, int kind, int errnum, const char *where, const char *what) {
  char buf[sizeof(struct cr_record_head) + CR_RECORD_WHERE_MAX + CR_RECORD_WHAT_MAX];
  struct cr_record_head head;
  memset(&head, 0, sizeof head);
  head.kind = (uint32_t)kind;
  head.errnum = errnum;
  head.where_len = (uint32_t)bounded_len(where, CR_RECORD_WHERE_MAX);
  head.what_len = (uint32_t)bounded_len(what, CR_RECORD_WHAT_MAX);
  memcpy(buf, &head, sizeof head);
  if (head.where_len) memcpy(buf + sizeof head, where, head.where_len);
  if (head.what_len) memcpy(buf + sizeof head + head.where_len, what, head.what_len);
  ssize_t n;
  do n = send(records_fd, buf, sizeof head + head.where_len + head.what_len, MSG_NOSIGNAL);
  while (n < 0 && errno == EINTR);
}

void cr_child_report(const struct cr_plan *plan, int kind, int errnum, const char *where, const char *what) {
  cr_child_report_on(plan->ch.records_sandbox, kind, errnum, where, what);
}

void cr_child_fail_on(int records_fd, int errnum, const char *where, const char *what) {
  cr_child_report_on(records_fd, CR_RECORD_SETUP_FAILED, errnum, where, what);
  _exit(CR_EXIT_LAUNCHER_FAILED);
}

void cr_child_fail(const struct cr_plan *plan, int errnum, const char *where, const char *what) {
  cr_child_fail_on(plan->ch.records_sandbox, errnum, where, what);
}

void *cr_map_anonymous(size_t size) {
  void *p = mmap(NULL, size ? size : 1, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  return p == MAP_FAILED ? NULL : p;
}

/* The kernel's struct sigaction: glibc's sigaction() refuses the two
 * real-time signals it keeps for itself, but a host could have set them to
 * SIG_IGN with the raw system call, and ignored signals survive execve. A
 * raw call also bypasses a sanitizer's interceptor, whose locks another
 * thread of the host may have held when this process was cloned. */
struct kernel_sigaction {
  void (*handler)(int);
  unsigned long flags;
  void (*restorer)(void);
  uint64_t mask;
};

/* Every signal but SIGKILL, SIGSTOP and `except` (0 for none) to `handler`. */
int cr_set_signal_dispositions(void (*handler)(int), int except) {
  struct kernel_sigaction act;
  memset(&act, 0, sizeof act);
  act.handler = handler;
  for (int sig = 1; sig <= 64; sig++) {
    if (sig == SIGKILL || sig == SIGSTOP || sig == except) continue;
    if (syscall(SYS_rt_sigaction, sig, &act, NULL, sizeof act.mask) < 0) return -1;
  }
  return 0;
}

/* A host may run with fd 0, 1 or 2 closed: an fd of cleanroom's own must
 * not take such a number, where a config's "inherit" of it (or a write to
 * stderr) would reach it. Moves `fd` (close-on-exec) to 3 or above. */
int cr_fd_above_stdio(int fd) {
  if (fd < 0 || fd > 2) return fd;
  int moved = fcntl(fd, F_DUPFD_CLOEXEC, 3);
  int saved = errno;
  close(fd);
  errno = saved;
  return moved;
}

/* Take the capabilities in `drop` out of the bounding set (that needs
 * CAP_SETPCAP, still held). Each drop is a credentials change (about 1 us):
 * the init drops the payload's share once, before forking it, and the
 * payload inherits the result. */
int cr_drop_bounding_set(const struct cr_plan *plan, uint64_t drop) {
  for (int cap = 0; cap <= plan->last_cap; cap++) {
    if (!(drop & (1ull << cap))) continue;
    if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL) return -1;
  }
  return 0;
}

/* Inheritable, permitted and effective hold exactly `keep`, and so does the
 * ambient set, so that they survive execve as non-root. */
int cr_set_capabilities(const struct cr_plan *plan, uint64_t keep) {
  struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
  struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
  memset(data, 0, sizeof data);
  for (int i = 0; i < _LINUX_CAPABILITY_U32S_3; i++) {
    uint32_t bits = (uint32_t)(keep >> (32 * i));
    data[i].effective = data[i].permitted = data[i].inheritable = bits;
  }
  if (syscall(SYS_capset, &hdr, data) < 0) return -1;
  if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0) return -1;
  for (int cap = 0; cap <= plan->last_cap; cap++) {
    if (!(keep & (1ull << cap))) continue;
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) < 0) return -1;
  }
  return 0;
}

/* Close every fd except those in `keep` (sorted ascending, all >= 0). */
int cr_close_fds_except(const int *keep, size_t n_keep) {
  unsigned int from = 0;
  for (size_t i = 0; i < n_keep; i++) {
    if ((unsigned)keep[i] > from && close_range(from, (unsigned)keep[i] - 1, 0) < 0) return -1;
    from = (unsigned)keep[i] + 1;
  }
  return close_range(from, ~0u, 0);
}

/* fork-like clone3: no new stack, returns 0 in the child. With cgroup_fd >= 0
 * (a cgroup v2 directory) the child is born in that cgroup; with `pidfd`
 * the parent gets a pidfd of the child there. */
pid_t cr_clone3(uint64_t flags, int cgroup_fd, int *pidfd) {
  struct clone_args args;
  memset(&args, 0, sizeof args);
  args.flags = flags;
  if (cgroup_fd >= 0) {
    args.flags |= CLONE_INTO_CGROUP;
    args.cgroup = (uint64_t)cgroup_fd;
  }
  if (pidfd) {
    args.flags |= CLONE_PIDFD;
    args.pidfd = (uint64_t)(uintptr_t)pidfd;
  }
  args.exit_signal = SIGCHLD;
  pid_t pid = (pid_t)syscall(SYS_clone3, &args, sizeof args);
  /* Where a filter answers clone3 with ENOSYS so that libc falls back
   * (Docker's default profile, cleanroom's own), clone does the same, but
   * for what only clone3 has: a cgroup to be born in, a time namespace. */
  if (pid < 0 && errno == ENOSYS && cgroup_fd < 0 && !(flags & CLONE_NEWTIME))
    pid = (pid_t)syscall(SYS_clone, (unsigned long)(args.flags | SIGCHLD), NULL, pidfd, NULL, 0UL);
  return pid;
}

/* One fd over a unix socket (SCM_RIGHTS), with a byte of payload. */
int cr_send_fd(int sock, int fd) {
  char byte = 0;
  struct iovec iov = {.iov_base = &byte, .iov_len = 1};
  union {
    struct cmsghdr hdr;
    char buf[CMSG_SPACE(sizeof(int))];
  } control;
  memset(&control, 0, sizeof control);
  struct msghdr msg = {
      .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf, .msg_controllen = sizeof control.buf};
  struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(sizeof(int));
  memcpy(CMSG_DATA(c), &fd, sizeof fd);
  ssize_t n;
  do n = sendmsg(sock, &msg, MSG_NOSIGNAL);
  while (n < 0 && errno == EINTR);
  return n == 1 ? 0 : -1;
}

/* The fd sent by cr_send_fd (close-on-exec), or -1 (EOF: the peer is gone). */
int cr_recv_fd(int sock) {
  char byte;
  struct iovec iov = {.iov_base = &byte, .iov_len = 1};
  union {
    struct cmsghdr hdr;
    char buf[CMSG_SPACE(sizeof(int))];
  } control;
  struct msghdr msg = {
      .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf, .msg_controllen = sizeof control.buf};
  ssize_t n;
  do n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
  while (n < 0 && errno == EINTR);
  struct cmsghdr *c = n > 0 ? CMSG_FIRSTHDR(&msg) : NULL;
  if (!c || c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) return -1;
  int fd;
  memcpy(&fd, CMSG_DATA(c), sizeof fd);
  return fd;
}

/* Wait until `fd` is readable (or hung up), for a handoff between the
 * sandbox's own processes that takes tens of microseconds: spin first,
 * yielding to anything else runnable, for at most SPIN_NS, because waking a
 * halted virtual CPU costs ~20 us (and a busy one makes the other core's
 * work faster: fewer idle wakeups for it); then block. */
#define SPIN_NS 200000
void cr_wait_readable(int fd) {
  struct pollfd pfd = {.fd = fd, .events = POLLIN};
  struct timespec t0, t;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  do {
    if (poll(&pfd, 1, 0) != 0) return;
    sched_yield();
    clock_gettime(CLOCK_MONOTONIC, &t);
  } while ((t.tv_sec - t0.tv_sec) * 1000000000L + (t.tv_nsec - t0.tv_nsec) < SPIN_NS);
  while (poll(&pfd, 1, -1) < 0 && errno == EINTR) {}
}
