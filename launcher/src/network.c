/* The sandbox's network namespace, made beside the init rather than by it.
 *
 * Making a network namespace is the dearest step of a launch (0.4 to 0.7 ms
 * here: devices, sysctl tables, IPv6 on lo). clone3 would make it before the
 * init even starts; instead the launcher, idle while the init builds the
 * root, makes it on its own core: a vfork-style helper joins the sandbox's
 * user namespace (so the new namespace belongs to the sandbox, exactly as
 * from clone), makes the namespace, brings lo up, and sends the init an fd
 * of it taken from a socket inside it (SIOCGSKNS). The init joins it after
 * building the root, before the payload starts.
 *
 * The helper shares the launcher's memory and runs while the launcher is
 * suspended (CLONE_VFORK), on a stack of the launcher's frame, with every
 * signal blocked: system calls only. */
#include <errno.h>
#include <fcntl.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cr/cleanup.h"
#include "sandbox.h"

#define HELPER_STACK_SIZE (32 * 1024)

struct network_helper {
  const struct cr_plan *plan;
  int userns_fd;
  /* written by the helper when a step fails, read by the launcher after */
  int errnum;
  const char *what;
};

static int helper_fail(struct network_helper *h, const char *what) {
  h->errnum = errno;
  h->what = what;
  return 1;
}

static int bring_up_loopback(struct network_helper *h, int sock) {
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  cr_strlcpy(ifr.ifr_name, "lo", sizeof ifr.ifr_name);
  if (ioctl(sock, SIOCGIFFLAGS, &ifr) < 0) return helper_fail(h, "read the flags of lo");
  ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
  if (ioctl(sock, SIOCSIFFLAGS, &ifr) < 0) return helper_fail(h, "bring lo up");
  return 0;
}

static int helper_main(void *arg) {
  struct network_helper *h = arg;
  if (setns(h->userns_fd, CLONE_NEWUSER) < 0) _exit(helper_fail(h, "join the sandbox's user namespace"));
  if (unshare(CLONE_NEWNET) < 0) _exit(helper_fail(h, "create the network namespace"));
  int sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (sock < 0) _exit(helper_fail(h, "socket"));
  if (bring_up_loopback(h, sock)) _exit(1);
  int ns = ioctl(sock, SIOCGSKNS);
  if (ns < 0) _exit(helper_fail(h, "open the network namespace"));
  /* Should the init be gone already, it has reported why: not our error. */
  if (cr_send_fd(h->plan->net_wr, ns) < 0 && errno != EPIPE && errno != ECONNRESET)
    _exit(helper_fail(h, "send the network namespace to the init"));
  _exit(0);
}

/* Launcher side, right after clone3: the init is still dumpable, so its
 * user namespace can be opened. */
int cr_network_open_userns(const struct cr_plan *plan, pid_t init, int *userns_fd, cr_error *err) {
  *userns_fd = -1;
  if (!plan->new_network) return 0;
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/ns/user", (int)init);
  *userns_fd = open(path, O_RDONLY | O_CLOEXEC);
  if (*userns_fd < 0) return cr_fail(err, errno, "network", "open %s", path);
  return 0;
}

int cr_network_make(const struct cr_plan *plan, int userns_fd, cr_error *err) {
  if (!plan->new_network) return 0;
  struct network_helper h = {.plan = plan, .userns_fd = userns_fd, .what = "start the helper"};
  char stack[HELPER_STACK_SIZE] __attribute__((aligned(16)));
  sigset_t all, old;
  sigfillset(&all);
  if (sigprocmask(SIG_SETMASK, &all, &old) < 0) return cr_fail(err, errno, "network", "sigprocmask");
  pid_t pid = clone(helper_main, stack + sizeof stack, CLONE_VM | CLONE_VFORK, &h);
  int clone_errno = errno;
  int status = 0;
  if (pid > 0)
    while (waitpid(pid, &status, __WALL) < 0 && errno == EINTR) {
    }
  sigprocmask(SIG_SETMASK, &old, NULL);
  if (pid < 0) return cr_fail(err, clone_errno, "network", "start the helper");
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return cr_fail(err, h.errnum, "network", "%s", h.what);
  return 0;
}

/* Sandbox side (the init, after the root): join the namespace the
 * launcher made. */
void cr_network_join(const struct cr_plan *plan) {
  if (!plan->new_network) return;
  int ns = cr_recv_fd(plan->net_rd);
  if (ns < 0) cr_child_fail(plan, EPROTO, "network", "no network namespace from the launcher");
  if (setns(ns, CLONE_NEWNET) < 0) cr_child_fail(plan, errno, "network", "join the network namespace");
  close(ns);
}
