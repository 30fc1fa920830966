/* SPDX-License-Identifier: MIT */
/* The launcher's helper: two costly steps of a launch, done beside the
 * init instead of by it (protocol.h).
 *
 * The launcher is idle while the init builds the root, and the machine has
 * another core. A vfork-style helper of the launcher (started in start.c)
 * joins the sandbox's user and mount namespaces, lets the init go, and
 * then, on that core:
 *   - makes the network namespace (0.3 to 0.7 ms here: devices, sysctl
 *     tables, IPv6 on lo), which belongs to the sandbox exactly as it would
 *     from clone3; brings lo up, lets the sandbox's group open ICMP echo
 *     sockets (ping), and sends the init an fd of it, taken from a socket
 *     inside it (SIOCGSKNS: no /proc, no ptrace access);
 *   - once the init has pivoted into the new root (first thing, before
 *     filling it), detaches the old root: the host's mounts that clone3
 *     copied. Detaching waits for an RCU grace period (~0.1 ms here), which
 *     the init spends building the root instead. The payload waits for
 *     "old root gone" before it resolves any path (its cwd, its program):
 *     nothing of the sandbox runs while the old root is there.
 *
 * The helper shares the launcher's memory and runs while the launcher is
 * suspended (CLONE_VFORK), on a stack in the launcher's frame, with every
 * signal blocked: system calls only. */
#include <errno.h>
#include <fcntl.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <unistd.h>

#include "child.h"

static int helper_fail(struct cr_helper_args *h, const char *where, const char *what) {
  h->errnum = errno;
  h->where = where;
  h->what = what;
  return 1;
}

static int bring_up_loopback(struct cr_helper_args *h, int sock) {
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  cr_strlcpy(ifr.ifr_name, "lo", sizeof ifr.ifr_name);
  if (ioctl(sock, SIOCGIFFLAGS, &ifr) < 0) return helper_fail(h, "network", "read the flags of lo");
  ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
  if (ioctl(sock, SIOCSIFFLAGS, &ifr) < 0) return helper_fail(h, "network", "bring lo up");
  return 0;
}

/* Unprivileged ICMP echo sockets (ping without CAP_NET_RAW, as Docker
 * allows them) for the sandbox's group: a new network namespace starts with
 * ping_group_range "1 0", no group. The helper holds every capability in
 * the sandbox's user namespace, which owns the new network namespace, and
 * the range is read in that user namespace's ids. /proc/sys was opened
 * before the helper joined the sandbox's mount namespace, whose /proc may
 * not be there yet (the init builds that root meanwhile); the sysctls under
 * it are looked up in the network namespace of whoever opens them. */
static int allow_ping(struct cr_helper_args *h, int proc_sys) {
  if (proc_sys < 0) return 0;
  char gid[24], line[64];
  cr_fmt_uint(gid, sizeof gid, h->plan->cfg->process.gid);
  line[0] = '\0';
  cr_strlcat(line, gid, sizeof line);
  cr_strlcat(line, " ", sizeof line);
  cr_strlcat(line, gid, sizeof line);
  int fd = openat(proc_sys, "net/ipv4/ping_group_range", O_WRONLY | O_CLOEXEC);
  /* A convenience, not a protection: where /proc/sys is read-only (inside
   * a container, systemd's ProtectKernelTunables) the sandbox runs without
   * it, as it would under Docker's defaults there. */
  if (fd < 0)
    return errno == EROFS || errno == EACCES || errno == EPERM || errno == ENOENT
               ? 0
               : helper_fail(h, "network", "open /proc/sys/net/ipv4/ping_group_range");
  int rc = cr_write_all(fd, line, strlen(line));
  close(fd);
  return rc < 0 ? helper_fail(h, "network", "write /proc/sys/net/ipv4/ping_group_range") : 0;
}

/* Should the init be gone, it has reported why: not the helper's error. */
static bool init_gone(void) { return errno == EPIPE || errno == ECONNRESET; }

static int make_network(struct cr_helper_args *h, int proc_sys) {
  if (unshare(CLONE_NEWNET) < 0) return helper_fail(h, "network", "create the network namespace");
  int sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (sock < 0) return helper_fail(h, "network", "socket");
  if (bring_up_loopback(h, sock) || allow_ping(h, proc_sys)) return 1;
  int ns = ioctl(sock, SIOCGSKNS);
  if (ns < 0) return helper_fail(h, "network", "open the network namespace");
  if (cr_send_fd(h->plan->ch.helper_sock_helper, ns) < 0 && !init_gone())
    return helper_fail(h, "network", "send the network namespace to the init");
  close(ns);
  close(sock);
  return 0;
}

static int release_init(const struct cr_plan *plan) {
  char go = 1;
  ssize_t n;
  do n = write(plan->ch.maps_written_launcher, &go, 1);
  while (n < 0 && errno == EINTR);
  return n == 1 ? 0 : -1;
}

/* The init waits for this byte before it builds anything. Joining through
 * a pidfd needs ptrace access to the init: it is dumpable until then. An
 * init that is gone has failed and said why: then the helper has nothing to
 * do (1, no error of its own). */
static int join_sandbox(struct cr_helper_args *h) {
  if (setns(h->init_pidfd, CLONE_NEWUSER | CLONE_NEWNS) < 0) {
    if (errno == ESRCH) return 1;
    helper_fail(h, "setup", "join the sandbox's user and mount namespaces");
    return -1;
  }
  if (release_init(h->plan) < 0) {
    if (errno == EPIPE) return 1;
    helper_fail(h, "setup", "signal the sandbox");
    return -1;
  }
  return 0;
}

/* pivot_root stacked the old root on the new one, and moved the helper's
 * root along (it was the old root, or the top of the stack if it joined
 * after the pivot): "/" names the stack, and umount takes its top. */
static int detach_old_root(struct cr_helper_args *h) {
  int sock = h->plan->ch.helper_sock_helper;
  char byte = 1;
  ssize_t n;
  do n = recv(sock, &byte, 1, 0);
  while (n < 0 && errno == EINTR);
  if (n != 1) return 0; /* the init failed before pivoting: its report says why */
  if (umount2("/", MNT_DETACH) < 0) return helper_fail(h, "root", "detach the old root");
  do n = send(sock, &byte, 1, MSG_NOSIGNAL);
  while (n < 0 && errno == EINTR);
  if (n != 1 && !init_gone()) return helper_fail(h, "root", "tell the payload the old root is gone");
  return 0;
}

int cr_helper_main(void *arg) {
  struct cr_helper_args *h = arg;
  int proc_sys = -1;
  /* (no /proc/sys: no ping_group_range, as above) */
  if (h->plan->new_network) proc_sys = open("/proc/sys", O_PATH | O_DIRECTORY | O_CLOEXEC);
  int joined = join_sandbox(h);
  if (joined != 0) _exit(joined > 0 ? 0 : 1);
  int failed = h->plan->new_network && make_network(h, proc_sys);
  if (proc_sys >= 0) close(proc_sys);
  _exit(failed || detach_old_root(h));
}

/* Sandbox side (the init), once the root is built: join the network
 * namespace the helper made. At EOF the helper failed, and the launcher
 * reports why. */
void cr_helper_join_network(const struct cr_plan *plan) {
  if (!plan->new_network) return;
  cr_wait_readable(plan->ch.helper_sock_sandbox);
  int ns = cr_recv_fd(plan->ch.helper_sock_sandbox);
  if (ns < 0) _exit(CR_EXIT_LAUNCHER_FAILED);
  if (setns(ns, CLONE_NEWNET) < 0) cr_child_fail(plan, errno, "network", "join the network namespace");
  close(ns);
}

/* Sandbox side (the init), right after pivot_root. Should the helper be
 * gone, it failed: the launcher reports why and ends the sandbox. */
void cr_helper_root_pivoted(const struct cr_plan *plan) {
  char byte = 1;
  ssize_t n;
  do n = send(plan->ch.helper_sock_sandbox, &byte, 1, MSG_NOSIGNAL);
  while (n < 0 && errno == EINTR);
}

/* Sandbox side (the payload), before it resolves any path, on its own copy
 * of the helper socket: at EOF the helper failed, and the payload must not
 * run. */
void cr_helper_wait_old_root_gone(int helper_sock) {
  char byte;
  ssize_t n;
  do n = recv(helper_sock, &byte, 1, 0);
  while (n < 0 && errno == EINTR);
  if (n != 1) _exit(CR_EXIT_LAUNCHER_FAILED);
}
