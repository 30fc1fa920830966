/* Sandbox side: the init, pid 1 of the new pid namespace. It opens the bind
 * sources, takes its ids, pivots into an empty tmpfs and fills it (the
 * launcher's helper detaches the old root and makes the network namespace
 * meanwhile, helper.c), sets the hostname and what the payload inherits,
 * joins the network namespace and forks the payload; then it gives up
 * everything it held and only reaps, forwards signals and reports the
 * payload's end to the launcher. When it exits the kernel kills every
 * process left in the namespace. System calls only. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sandbox.h"

static const int forwarded_signals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH};

static __attribute__((noreturn)) void fail(const struct cr_plan *plan, int errnum,
                                           const char *where, const char *what) {
  cr_child_fail(plan, errnum, where, what);
}

/* The launcher's death must end the sandbox. The parent-death signal is
 * cleared whenever credentials change, so this is called again after each
 * change, and the sync pipe tells whether the launcher already died. */
static void die_with_launcher(const struct cr_plan *plan) {
  if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0) fail(plan, errno, "init", "PR_SET_PDEATHSIG");
  struct pollfd pfd = {.fd = plan->sync_rd, .events = POLLIN};
  if (poll(&pfd, 1, 0) > 0 && (pfd.revents & (POLLHUP | POLLERR)) && !(pfd.revents & POLLIN))
    _exit(CR_EXIT_LAUNCHER_FAILED);
}

/* Wait until the launcher has written our id maps. While it does, this
 * process stays dumpable (an ordinary user can only write the maps of a
 * dumpable process); right after, nothing of the sandbox may read it. */
static void wait_for_id_maps(const struct cr_plan *plan) {
  char go = 0;
  ssize_t n;
  cr_wait_readable(plan->sync_rd);
  do n = read(plan->sync_rd, &go, 1);
  while (n < 0 && errno == EINTR);
  if (n != 1) _exit(CR_EXIT_LAUNCHER_FAILED); /* the launcher died or gave up */
  if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0) fail(plan, errno, "init", "PR_SET_DUMPABLE");
}

/* The init is a copy of the launcher, and /proc/1/cmdline is readable by
 * every process of the sandbox: wipe the launcher's argv and environment. */
static void wipe_launcher_strings(const struct cr_plan *plan) {
  memset((void *)plan->arg_start, 0, plan->arg_end - plan->arg_start);
  memset((void *)plan->env_start, 0, plan->env_end - plan->env_start);
}

/* When the caller is root the init still runs as host root (unmapped inside)
 * after clone; become the sandbox ids now so that nothing is created or run
 * as root. An ordinary caller already is the mapped id. */
static void become_sandbox_ids(const struct cr_plan *plan) {
  const struct cr_process *p = &plan->cfg->process;
  if (!plan->caller_is_root) return;
  /* Raw system calls: glibc's wrappers would make every thread of the
   * process take the new ids, and this copy of a multithreaded host holds
   * only one of them: they would wait forever for the others. */
  if (syscall(SYS_setgroups, 0, NULL) < 0) fail(plan, errno, "ids", "clear supplementary groups");
  if (syscall(SYS_setresgid, p->gid, p->gid, p->gid) < 0) fail(plan, errno, "ids", "setresgid");
  if (syscall(SYS_setresuid, p->uid, p->uid, p->uid) < 0) fail(plan, errno, "ids", "setresuid");
  die_with_launcher(plan);
}

/* Declared: while the host's /proc is still there (the payload inherits
 * it at fork). Raising needs no
 * privilege; lowering below what the launcher had does, and what the
 * sandbox cannot lower carries over (a ceiling). */
static void set_oom_score_adj(const struct cr_plan *plan) {
  const struct cr_process *p = &plan->cfg->process;
  if (!p->has_oom_score_adj) return;
  char text[16];
  if (p->oom_score_adj < 0) {
    text[0] = '-';
    cr_fmt_uint(text + 1, sizeof text - 1, (unsigned long long)-(long long)p->oom_score_adj);
  } else {
    cr_fmt_uint(text, sizeof text, (unsigned long long)p->oom_score_adj);
  }
  int fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
  if (fd < 0) fail(plan, errno, "process.oom_score_adj", "open /proc/self/oom_score_adj");
  if (cr_write_all(fd, text, strlen(text)) < 0 && errno != EACCES)
    fail(plan, errno, "process.oom_score_adj", "write /proc/self/oom_score_adj");
  close(fd);
}

static void set_hostname(const struct cr_plan *plan) {
  const char *name = plan->cfg->hostname;
  if (!name || !(plan->cfg->namespaces & CR_NS_UTS)) return;
  if (sethostname(name, strlen(name)) < 0) fail(plan, errno, "hostname", name);
}

/* Left out of clone3 to shorten the path to the launcher's helper; made here
 * while the helper may still be making the network. */
static void enter_new_ipc_namespace(const struct cr_plan *plan) {
  if (!(plan->cfg->namespaces & CR_NS_IPC)) return;
  if (unshare(CLONE_NEWIPC) < 0) fail(plan, errno, "ipc", "create the IPC namespace");
}

/* pid 1 gets only the signals it has a handler for, or has blocked: these
 * are blocked and read from a signalfd. */
static void block_signals(const struct cr_plan *plan, sigset_t *set) {
  sigemptyset(set);
  for (size_t i = 0; i < sizeof forwarded_signals / sizeof forwarded_signals[0]; i++)
    sigaddset(set, forwarded_signals[i]);
  sigaddset(set, SIGCHLD);
  sigaddset(set, SIGCONT);
  sigaddset(set, CR_SIG_KILL_SANDBOX);
  sigaddset(set, CR_SIG_STOP_SANDBOX);
  if (sigprocmask(SIG_BLOCK, set, NULL) < 0) fail(plan, errno, "init", "sigprocmask");
}

/* After the fork the init keeps only what it needs to supervise, and no
 * privilege: the payload must not be able to use it to reach the launcher. */
static void give_up_everything(const struct cr_plan *plan, int *keep, size_t n_keep) {
  for (size_t i = 1; i < n_keep; i++) /* insertion sort, n_keep is tiny */
    for (size_t j = i; j > 0 && keep[j - 1] > keep[j]; j--) {
      int t = keep[j];
      keep[j] = keep[j - 1];
      keep[j - 1] = t;
    }
  if (cr_close_fds_except(keep, n_keep) < 0) fail(plan, errno, "init", "close fds");
  if (cr_drop_bounding_set(plan, plan->kept_caps) < 0 || cr_set_capabilities(plan, 0) < 0)
    fail(plan, errno, "init", "drop capabilities");
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) fail(plan, errno, "init", "no_new_privs");
}

/* exec_once: let the payload's own execve through, refuse every later one. */
static void answer_exec_notification(int listener, int *execs_allowed) {
  struct seccomp_notif req;
  struct seccomp_notif_resp resp;
  memset(&req, 0, sizeof req);
  if (ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, &req) < 0) return;
  memset(&resp, 0, sizeof resp);
  resp.id = req.id;
  if (*execs_allowed > 0) {
    (*execs_allowed)--;
    resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
  } else {
    resp.error = -EPERM;
  }
  (void)ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &resp);
}

/* Reap every child; return when the payload has ended. */
static int reap(pid_t payload, int *payload_status) {
  int status;
  pid_t pid;
  int ended = 0;
  while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
    if (pid == payload) {
      *payload_status = status;
      ended = 1;
    }
  return ended;
}

/* From pid 1, kill(-1) reaches every other process of the namespace. */
static void kill_and_reap_all(pid_t payload, int *payload_status) {
  kill(-1, SIGKILL);
  for (;;) {
    int status;
    pid_t pid = waitpid(-1, &status, 0);
    if (pid < 0 && errno == EINTR) continue;
    if (pid < 0) return; /* ECHILD: all reaped */
    if (pid == payload) *payload_status = status;
  }
}

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Milliseconds until limits.time_ms runs out (rounded up), -1 for none. */
static int time_left_ms(const struct cr_plan *plan) {
  if (!plan->deadline_ns) return -1;
  uint64_t now = now_ns();
  if (now >= plan->deadline_ns) return 0;
  uint64_t left = (plan->deadline_ns - now + 999999) / 1000000;
  return left > 1000000000 ? 1000000000 : (int)left;
}

/* Job control: every process of the sandbox stops, and the launcher hears
 * so before it stops itself. */
static void stop_sandbox(const struct cr_plan *plan) {
  kill(-1, SIGSTOP);
  struct cr_msg msg;
  memset(&msg, 0, sizeof msg);
  msg.kind = CR_MSG_STOPPED;
  (void)cr_write_all(plan->msg_wr, &msg, sizeof msg);
}

static __attribute__((noreturn)) void supervise(const struct cr_plan *plan, pid_t payload,
                                                int sigfd, int listener) {
  int execs_allowed = 1;
  int status = 0;
  bool time_limit_hit = false;
  for (;;) {
    struct pollfd pfds[2] = {{.fd = sigfd, .events = POLLIN}, {.fd = listener, .events = POLLIN}};
    int n = poll(pfds, listener >= 0 ? 2 : 1, time_left_ms(plan));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail(plan, errno, "init", "poll");
    if (n == 0 && time_left_ms(plan) == 0) { /* limits.time_ms: the whole sandbox ends */
      time_limit_hit = true;
      kill_and_reap_all(payload, &status);
      break;
    }
    if (listener >= 0 && (pfds[1].revents & POLLIN)) answer_exec_notification(listener, &execs_allowed);
    if (listener >= 0 && (pfds[1].revents & (POLLHUP | POLLERR))) {
      close(listener);
      listener = -1;
    }
    if (!(pfds[0].revents & POLLIN)) continue;
    struct signalfd_siginfo si;
    if (read(sigfd, &si, sizeof si) != sizeof si) continue;
    int sig = (int)si.ssi_signo;
    if (sig == CR_SIG_KILL_SANDBOX) {
      kill_and_reap_all(payload, &status);
      break;
    }
    if (sig == CR_SIG_STOP_SANDBOX) {
      stop_sandbox(plan);
    } else if (sig == SIGCONT) {
      kill(-1, SIGCONT);
    } else if (sig != SIGCHLD) {
      kill(payload, sig);
    } else if (reap(payload, &status)) {
      break;
    }
  }
  cr_mark(plan->marks, CR_MARK_PAYLOAD_ENDED);
  struct cr_msg msg;
  memset(&msg, 0, sizeof msg);
  msg.kind = CR_MSG_PAYLOAD_ENDED;
  msg.wstatus = status;
  msg.time_limit_hit = time_limit_hit;
  getrusage(RUSAGE_CHILDREN, &msg.usage);
  (void)cr_write_all(plan->msg_wr, &msg, sizeof msg);
  _exit(0);
}

static int payload_entry(void *arg) {
  cr_payload_main(arg, -1);
}

/* Without exec_once the payload starts vfork-style: it shares the init's
 * memory (no address space to copy, none to tear down at its execve) and
 * the init sleeps until that execve. With exec_once the init must answer
 * the payload's execve notification, so it cannot sleep: a plain fork. */
#if defined(__SANITIZE_ADDRESS__)
/* AddressSanitizer cannot follow a process onto another stack without
 * fiber annotations and warns on the payload's stderr: sanitizer builds
 * start the payload with a plain fork. */
#define CR_VFORK_PAYLOAD 0
#else
#define CR_VFORK_PAYLOAD 1
#endif
#define PAYLOAD_STACK_SIZE (256 * 1024)

static pid_t start_payload(const struct cr_plan *plan, const int notify_pair[2]) {
  if (CR_VFORK_PAYLOAD && !plan->bpf.exec_once) {
    /* its own stack; the init's memory, this included, goes with the init */
    void *stack = mmap(NULL, PAYLOAD_STACK_SIZE, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    if (stack == MAP_FAILED) return -1;
    return clone(payload_entry, (char *)stack + PAYLOAD_STACK_SIZE, CLONE_VM | CLONE_VFORK | SIGCHLD,
                 (void *)plan);
  }
  pid_t pid = cr_clone3(0, -1, NULL);
  if (pid == 0) {
    close(notify_pair[0]);
    cr_payload_main(plan, notify_pair[1]);
  }
  return pid;
}

void cr_sandbox_init_main(const struct cr_plan *plan) {
  cr_mark(plan->marks, CR_MARK_INIT_RUNNING);
  close(plan->helper_wr); /* the launcher's end */
  if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0) fail(plan, errno, "init", "PR_SET_PDEATHSIG");
  set_oom_score_adj(plan); /* while it may still open its own /proc files (dumpable) */
  wait_for_id_maps(plan);
  cr_mark(plan->marks, CR_MARK_INIT_GO);
  wipe_launcher_strings(plan);
  become_sandbox_ids(plan);
  /* as the sandbox's ids: a bind source gives the sandbox no more than its
   * host identity may reach */
  cr_mount_open_sources(plan);
  cr_mark(plan->marks, CR_MARK_SOURCES_OPEN);
  int rootfd = cr_mount_enter_new_root(plan);
  cr_helper_root_pivoted(plan);
  cr_mount_build_root(plan, rootfd);
  cr_mark(plan->marks, CR_MARK_ROOT_BUILT);
  set_hostname(plan);
  /* the payload's bounding set, once for it and the init (which never execs);
   * done while the launcher's helper may still be making the network */
  if (cr_drop_bounding_set(plan, ~plan->kept_caps) < 0) fail(plan, errno, "capabilities", "bounding set");
  int notify_pair[2] = {-1, -1};
  if (plan->bpf.exec_once && socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, notify_pair) < 0)
    fail(plan, errno, "init", "socketpair");
  cr_payload_set_inherited(plan);
  enter_new_ipc_namespace(plan);
  sigset_t set;
  block_signals(plan, &set);
  cr_helper_join_network(plan);
  cr_mark(plan->marks, CR_MARK_NET_JOINED);
  pid_t payload = start_payload(plan, notify_pair);
  if (payload < 0) fail(plan, errno, "init", "start the payload");

  if (notify_pair[1] >= 0) close(notify_pair[1]);
  int sigfd = signalfd(-1, &set, SFD_CLOEXEC);
  if (sigfd < 0) fail(plan, errno, "init", "signalfd");
  int keep[] = {plan->msg_wr, plan->sync_rd, sigfd, notify_pair[0]};
  give_up_everything(plan, keep, notify_pair[0] >= 0 ? 4 : 3);
  int listener = notify_pair[0] >= 0 ? cr_recv_fd(notify_pair[0]) : -1;
  if (notify_pair[0] >= 0) close(notify_pair[0]);
  supervise(plan, payload, sigfd, listener);
}
