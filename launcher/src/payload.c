/* Sandbox side: the payload process, forked by the sandbox init. Each step
 * takes away one thing the process inherited, in order, ending with the
 * seccomp filter and execve; the steps fork itself passes on (signal
 * dispositions, umask, personality, timer slack, session keyring) the init
 * takes just before forking. System calls only: no allocation, no stdio. */
#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sandbox.h"

#define KEYCTL_JOIN_SESSION_KEYRING 1

static __attribute__((noreturn)) void fail(const struct cr_plan *plan, int errnum,
                                           const char *where, const char *what) {
  cr_child_fail(plan, errnum, where, what);
}

static void start_new_session(const struct cr_plan *plan) {
  /* A new session has no controlling terminal: no TIOCSTI into the caller's. */
  if (setsid() < 0) fail(plan, errno, "session", "setsid");
}

static void reset_signal_dispositions(const struct cr_plan *plan) {
  if (cr_set_signal_dispositions(SIG_DFL, 0) < 0) fail(plan, errno, "signals", "rt_sigaction");
}

static void clear_signal_mask(const struct cr_plan *plan) {
  sigset_t none;
  sigemptyset(&none);
  if (sigprocmask(SIG_SETMASK, &none, NULL) < 0) fail(plan, errno, "signals", "sigprocmask");
}

/* Lay out the declared fd table. Sources first move above every target, so
 * that no dup2 can overwrite a source still to be placed (3->4 and 4->3 at
 * once); every other fd is then marked close-on-exec. Returns the msg fd's
 * new number. */
/* The table is laid out above its highest target: room for those fd
 * numbers under RLIMIT_NOFILE (the hard limit was checked in the plan),
 * for that moment only. Returns the limit to restore, rlim_cur 0 for none. */
static struct rlimit make_room_for_fds(const struct cr_plan *plan) {
  struct rlimit rl, before = {0, 0};
  if (getrlimit(RLIMIT_NOFILE, &rl) < 0) fail(plan, errno, "fds", "getrlimit");
  if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur >= plan->fd_numbers_needed) return before;
  before = rl;
  rl.rlim_cur = rl.rlim_max;
  if (setrlimit(RLIMIT_NOFILE, &rl) < 0) fail(plan, errno, "fds", "raise RLIMIT_NOFILE to its hard limit");
  return before;
}

static int arrange_fds(const struct cr_plan *plan) {
  int floor = plan->max_target + 1;
  int msg_fd = fcntl(plan->msg_wr, F_DUPFD_CLOEXEC, floor);
  int null_fd = fcntl(plan->null_fd, F_DUPFD_CLOEXEC, floor);
  if (msg_fd < 0 || null_fd < 0) fail(plan, errno, "fds", "dup");
  struct cr_plan *mutable_plan = (struct cr_plan *)plan; /* the payload's own copy */
  mutable_plan->msg_wr = msg_fd;
  for (size_t i = 0; i < plan->n_fds; i++) {
    int moved = fcntl(plan->fds[i].source, F_DUPFD_CLOEXEC, floor);
    if (moved < 0) fail(plan, errno, "fds", "dup a declared fd");
    mutable_plan->fds[i].source = moved;
  }
  size_t next = 0;
  for (int target = 0; target <= plan->max_target; target++) {
    if (next < plan->n_fds && plan->fds[next].target == target) {
      if (dup2(plan->fds[next].source, target) < 0) fail(plan, errno, "fds", "dup2");
      next++;
    } else if (target <= 2) {
      if (dup2(null_fd, target) < 0) fail(plan, errno, "fds", "dup2 /dev/null");
    } else {
      close(target);
    }
  }
  if (close_range((unsigned)floor, ~0u, CLOSE_RANGE_CLOEXEC) < 0) fail(plan, errno, "fds", "close_range");
  return msg_fd;
}

static void enter_cwd(const struct cr_plan *plan) {
  if (chdir(plan->cfg->process.cwd) < 0) fail(plan, errno, "cwd", plan->cfg->process.cwd);
}

static void reset_process_attributes(const struct cr_plan *plan) {
  if (personality(PER_LINUX) < 0) fail(plan, errno, "personality", "reset");
  /* 0 would restore the slack inherited at fork: name the kernel default. */
  if (prctl(PR_SET_TIMERSLACK, 50000, 0, 0, 0) < 0) fail(plan, errno, "timer slack", "reset");
}

static void apply_rlimits(const struct cr_plan *plan) {
  const struct cr_limits *l = &plan->cfg->limits;
  for (size_t i = 0; i < l->n_rlimits; i++) {
    struct rlimit rl = {.rlim_cur = l->rlimits[i].soft, .rlim_max = l->rlimits[i].hard};
    if (setrlimit(l->rlimits[i].resource, &rl) < 0) fail(plan, errno, "rlimits", "setrlimit");
  }
}

static void join_fresh_session_keyring(const struct cr_plan *plan) {
  if (syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, NULL) < 0)
    fail(plan, errno, "keyring", "join a new session keyring");
}

static void drop_privileges(const struct cr_plan *plan) {
  /* the bounding set holds only the kept ones already (the init's work) */
  if (cr_set_capabilities(plan, plan->kept_caps) < 0) fail(plan, errno, "capabilities", "drop");
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) fail(plan, errno, "no_new_privs", "prctl");
}

/* Find the program as execvp would, but before the filter is in place, so
 * the payload makes exactly one execve. */
static const char *resolve_program(const struct cr_plan *plan, char *buf, size_t size) {
  const char *name = plan->cfg->process.path ? plan->cfg->process.path : plan->argv[0];
  if (strchr(name, '/')) return name;
  int first_errno = ENOENT;
  for (const char *dir = plan->search_path; dir;) {
    const char *end = strchr(dir, ':');
    size_t len = end ? (size_t)(end - dir) : strlen(dir);
    if (len + strlen(name) + 2 <= size) {
      memcpy(buf, len ? dir : ".", len ? len : 1);
      buf[len ? len : 1] = '\0';
      cr_strlcat(buf, "/", size);
      cr_strlcat(buf, name, size);
      struct stat st;
      if (stat(buf, &st) == 0 && S_ISREG(st.st_mode)) {
        if (access(buf, X_OK) == 0) return buf;
        first_errno = EACCES;
      }
    }
    dir = end ? end + 1 : NULL;
  }
  errno = first_errno;
  return NULL;
}

/* The last step before execve. With exec_once the filter defers execve to
 * the init (user notification), which lets exactly this one through. */
static void install_filter(const struct cr_plan *plan, int notify_sock) {
  if (plan->bpf.len == 0) return;
  struct sock_fprog prog = {.len = plan->bpf.len, .filter = plan->bpf.insns};
  unsigned int flags = plan->bpf.filter_flags;
  if (plan->bpf.exec_once) flags |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
  long rc = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog);
  if (rc < 0) fail(plan, errno, "seccomp", "install the filter");
  if (plan->bpf.exec_once) {
    (void)cr_send_fd(notify_sock, (int)rc); /* should the init be gone, the sandbox goes too */
    close((int)rc);
  }
  if (notify_sock >= 0) close(notify_sock);
}

static void exec_payload(const struct cr_plan *plan, int notify_sock) {
  char found[4096];
  const char *program = resolve_program(plan, found, sizeof found);
  if (!program) {
    cr_child_report(plan, CR_MSG_EXEC_FAILED, errno, "exec", plan->argv[0]);
    _exit(errno == ENOENT ? CR_EXIT_NOT_FOUND : CR_EXIT_CANNOT_EXECUTE);
  }
  install_filter(plan, notify_sock);
  cr_mark(plan->marks, CR_MARK_EXEC);
  execve(program, plan->argv, plan->envp);
  int saved = errno;
  cr_child_report(plan, CR_MSG_EXEC_FAILED, saved, "exec", program);
  _exit(saved == ENOENT || saved == ENOTDIR ? CR_EXIT_NOT_FOUND : CR_EXIT_CANNOT_EXECUTE);
}

/* What fork passes on, set in the init right before it forks the payload,
 * while the launcher's helper may still be making the network: off the
 * payload's own path. The init runs none of the payload's code and needs
 * none of it (its signals are blocked and read through a signalfd). */
void cr_payload_set_inherited(const struct cr_plan *plan) {
  reset_signal_dispositions(plan);
  umask(plan->cfg->process.umask);
  reset_process_attributes(plan);
  join_fresh_session_keyring(plan);
}

void cr_payload_main(const struct cr_plan *shared, int notify_sock) {
  cr_mark(shared->marks, CR_MARK_PAYLOAD_FORKED);
  /* The payload may run in the init's memory (vfork-style): everything it
   * changes lives in its own copy of the plan, on its own stack. */
  struct cr_plan own = *shared;
  memcpy(own.payload_fds, shared->fds, shared->n_fds * sizeof *shared->fds);
  own.fds = own.payload_fds;
  const struct cr_plan *plan = &own;
  start_new_session(plan);
  clear_signal_mask(plan);
  struct rlimit nofile = make_room_for_fds(plan);
  int moved_sock = notify_sock >= 0 ? fcntl(notify_sock, F_DUPFD_CLOEXEC, plan->max_target + 1) : -1;
  int helper_sock = fcntl(plan->helper_rd, F_DUPFD_CLOEXEC, plan->max_target + 1);
  if (helper_sock < 0) fail(plan, errno, "fds", "dup");
  arrange_fds(plan);
  if (nofile.rlim_cur && setrlimit(RLIMIT_NOFILE, &nofile) < 0) fail(plan, errno, "fds", "restore RLIMIT_NOFILE");
  /* no path is resolved while the old root is still stacked on "/" */
  cr_helper_wait_old_root_gone(helper_sock);
  close(helper_sock);
  enter_cwd(plan);
  apply_rlimits(plan);
  drop_privileges(plan);
  exec_payload(plan, moved_sock);
  _exit(CR_EXIT_LAUNCHER_FAILED);
}
