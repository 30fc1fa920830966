/* The sandbox's network namespace, made beside the init rather than by
 * clone3.
 *
 * Making a network namespace is the dearest step of a launch (0.4 to 0.7 ms
 * here: devices, sysctl tables, IPv6 on lo). The launcher is idle while the
 * init builds the root, and the machine has another core: a vfork-style
 * helper of the launcher joins the sandbox's user namespace (so the new
 * namespace belongs to the sandbox, exactly as from clone), lets the init
 * go, makes the namespace, brings lo up and sends the init an fd of it,
 * taken from a socket inside it (SIOCGSKNS: no /proc, no ptrace access).
 * The init joins it once the root is built, before the payload starts.
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
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cr/cleanup.h"
#include "sandbox.h"

#define HELPER_STACK_SIZE (32 * 1024)

struct helper {
  const struct cr_plan *plan;
  int init_pidfd;
  /* written by the helper when a step fails, read by the launcher after */
  int errnum;
  const char *where, *what;
};

static int helper_fail(struct helper *h, const char *where, const char *what) {
  h->errnum = errno;
  h->where = where;
  h->what = what;
  return 1;
}

static int bring_up_loopback(struct helper *h, int sock) {
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  cr_strlcpy(ifr.ifr_name, "lo", sizeof ifr.ifr_name);
  if (ioctl(sock, SIOCGIFFLAGS, &ifr) < 0) return helper_fail(h, "network", "read the flags of lo");
  ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
  if (ioctl(sock, SIOCSIFFLAGS, &ifr) < 0) return helper_fail(h, "network", "bring lo up");
  return 0;
}

/* Should the init be gone, it has reported why: not the helper's error. */
static bool init_gone(void) { return errno == EPIPE || errno == ECONNRESET; }

static int make_network(struct helper *h) {
  if (unshare(CLONE_NEWNET) < 0) return helper_fail(h, "network", "create the network namespace");
  int sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (sock < 0) return helper_fail(h, "network", "socket");
  if (bring_up_loopback(h, sock)) return 1;
  int ns = ioctl(sock, SIOCGSKNS);
  if (ns < 0) return helper_fail(h, "network", "open the network namespace");
  if (cr_send_fd(h->plan->net_wr, ns) < 0 && !init_gone())
    return helper_fail(h, "network", "send the network namespace to the init");
  return 0;
}

/* The init waits for this byte before it builds anything. */
static int release_init(const struct cr_plan *plan) {
  char go = 1;
  ssize_t n;
  do n = write(plan->sync_wr, &go, 1);
  while (n < 0 && errno == EINTR);
  return n == 1 ? 0 : -1;
}

/* Joining through a pidfd needs ptrace access to the init: it is still
 * dumpable until it sees the "go" byte, which the helper sends only then. */
static int join_sandbox(struct helper *h) {
  if (setns(h->init_pidfd, CLONE_NEWUSER) < 0)
    return helper_fail(h, "setup", "join the sandbox's user namespace");
  if (release_init(h->plan) < 0) return helper_fail(h, "setup", "signal the sandbox");
  return 0;
}

static int helper_main(void *arg) {
  struct helper *h = arg;
  _exit(join_sandbox(h) || make_network(h));
}

/* Launcher side, once the id maps are written: release the init and, with a
 * new network namespace, make it while the init builds the root. */
int cr_network_make(const struct cr_plan *plan, int init_pidfd, cr_error *err) {
  if (!plan->new_network)
    return release_init(plan) < 0 ? cr_fail(err, errno, "setup", "signal the sandbox") : 0;
  struct helper h = {.plan = plan, .init_pidfd = init_pidfd, .where = "network", .what = "the helper failed"};
  char stack[HELPER_STACK_SIZE] __attribute__((aligned(16)));
  sigset_t all, old;
  sigfillset(&all);
  if (sigprocmask(SIG_SETMASK, &all, &old) < 0) return cr_fail(err, errno, "setup", "sigprocmask");
  pid_t pid = clone(helper_main, stack + sizeof stack, CLONE_VM | CLONE_VFORK, &h);
  int clone_errno = errno;
  int status = 0;
  if (pid > 0)
    while (waitpid(pid, &status, __WALL) < 0 && errno == EINTR) {
    }
  sigprocmask(SIG_SETMASK, &old, NULL);
  if (pid < 0) return cr_fail(err, clone_errno, "network", "start the helper");
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    return cr_fail(err, h.errnum, h.where, "%s", h.what);
  return 0;
}

/* Sandbox side (the init), once the root is built: join the network
 * namespace the helper made. At EOF the helper failed, and the launcher
 * reports why. */
void cr_network_join(const struct cr_plan *plan) {
  if (!plan->new_network) return;
  int ns = cr_recv_fd(plan->net_rd);
  if (ns < 0) _exit(CR_EXIT_LAUNCHER_FAILED);
  if (setns(ns, CLONE_NEWNET) < 0) cr_child_fail(plan, errno, "network", "join the network namespace");
  close(ns);
}
