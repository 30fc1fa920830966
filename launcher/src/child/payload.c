/* SPDX-License-Identifier: MIT */
/* Sandbox side: the payload process, forked by the sandbox init. Each step
 * takes away one thing the process inherited, in order, ending with the
 * seccomp filter and execve; the steps fork itself passes on (signal
 * dispositions, umask, personality, timer slack, session keyring) the init
 * takes just before forking (and the scheduling state, sched.c). System
 * calls only: no allocation, no stdio. */
#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../fresh.h"
#include "child.h"

#define KEYCTL_JOIN_SESSION_KEYRING 1

/* The payload's own state, on its own stack: it may run in the init's
 * memory (vfork-style), so it changes nothing there but its working copy
 * of the fd table. */
struct payload {
  const struct cr_plan *plan;
  const struct cr_init_state *st;
  int records; /* the records socket; moved above the table once it is laid out */
  struct cr_fd_slot *fds;
};

static __attribute__((noreturn)) void fail(const struct payload *pl, int errnum, const char *where,
                                           const char *what) {
  cr_child_fail_on(pl->records, errnum, where, what);
}

static void start_new_session(const struct payload *pl) {
  /* A new session has no controlling terminal: no TIOCSTI into the caller's. */
  if (setsid() < 0) fail(pl, errno, "session", "setsid");
}

static void clear_signal_mask(const struct payload *pl) {
  sigset_t none;
  sigemptyset(&none);
  if (sigprocmask(SIG_SETMASK, &none, NULL) < 0) fail(pl, errno, "signals", "sigprocmask");
}

/* The table is laid out above its highest target: room for those fd
 * numbers under RLIMIT_NOFILE (the hard limit was checked before the
 * start), for that moment only: apply_rlimits sets the payload's own soft
 * limit afterwards. */
static void make_room_for_fds(const struct payload *pl) {
  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) < 0) fail(pl, errno, "fds", "getrlimit");
  if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur >= pl->st->fd_numbers_needed) return;
  rl.rlim_cur = rl.rlim_max;
  if (setrlimit(RLIMIT_NOFILE, &rl) < 0) fail(pl, errno, "fds", "raise RLIMIT_NOFILE to its hard limit");
}

/* Lay out the fd table. Sources first move above every target, so that no
 * dup2 can overwrite a source still to be placed (3->4 and 4->3 at once);
 * every other fd is then marked close-on-exec. */
static void arrange_fds(struct payload *pl) {
  const struct cr_init_state *st = pl->st;
  int floor = st->max_target + 1;
  int records = fcntl(pl->records, F_DUPFD_CLOEXEC, floor);
  int null_fd = fcntl(pl->plan->null_fd, F_DUPFD_CLOEXEC, floor);
  if (records < 0 || null_fd < 0) fail(pl, errno, "fds", "dup");
  pl->records = records;
  for (size_t i = 0; i < st->n_fds; i++) {
    int moved = fcntl(pl->fds[i].source, F_DUPFD_CLOEXEC, floor);
    if (moved < 0) fail(pl, errno, "fds", "dup a declared fd");
    pl->fds[i].source = moved;
  }
  size_t next = 0;
  for (int target = 0; target <= st->max_target; target++) {
    if (next < st->n_fds && pl->fds[next].target == target) {
      if (dup2(pl->fds[next].source, target) < 0) fail(pl, errno, "fds", "dup2");
      next++;
    } else if (target <= 2) {
      if (dup2(null_fd, target) < 0) fail(pl, errno, "fds", "dup2 /dev/null");
    } else {
      close(target);
    }
  }
  if (close_range((unsigned)floor, ~0u, CLOSE_RANGE_CLOEXEC) < 0) fail(pl, errno, "fds", "close_range");
}

static void enter_cwd(const struct payload *pl) {
  if (chdir(pl->st->cwd) < 0) fail(pl, errno, "cwd", pl->st->cwd);
}

static bool declared(const struct cr_limits *l, int resource) {
  for (size_t i = 0; i < l->n_rlimits; i++)
    if (l->rlimits[i].resource == resource) return true;
  return false;
}

/* Every soft limit the config does not declare: fresh (fresh.h). */
static void reset_soft_limits(const struct payload *pl) {
  const struct cr_limits *l = &pl->plan->cfg->limits;
  for (size_t i = 0; i < CR_FRESH_RLIMIT_COUNT; i++) {
    int resource = cr_fresh_rlimits[i].resource;
    if (declared(l, resource)) continue;
    struct rlimit rl;
    if (getrlimit(resource, &rl) < 0) fail(pl, errno, "rlimits", "getrlimit");
    rl.rlim_cur = cr_fresh_soft_limit(i, rl.rlim_max, pl->st->fd_numbers_needed);
    if (setrlimit(resource, &rl) < 0) fail(pl, errno, "rlimits", "reset a soft limit");
  }
}

static void apply_rlimits(const struct payload *pl) {
  const struct cr_limits *l = &pl->plan->cfg->limits;
  reset_soft_limits(pl);
  for (size_t i = 0; i < l->n_rlimits; i++) {
    struct rlimit rl = {.rlim_cur = l->rlimits[i].soft, .rlim_max = l->rlimits[i].hard};
    if (setrlimit(l->rlimits[i].resource, &rl) < 0) fail(pl, errno, "rlimits", "setrlimit");
  }
}

static void drop_privileges(const struct payload *pl) {
  /* the bounding set holds only the kept ones already (the init's work) */
  if (cr_set_capabilities(pl->plan, pl->plan->kept_caps) < 0) fail(pl, errno, "capabilities", "drop");
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) fail(pl, errno, "no_new_privs", "prctl");
}

/* Find the program as execvp would, but before the filter is in place, so
 * the payload makes exactly one execve. */
static const char *resolve_program(const struct payload *pl, char *buf, size_t size) {
  const char *name = pl->st->path ? pl->st->path : pl->st->argv[0];
  if (strchr(name, '/')) return name;
  int first_errno = ENOENT;
  for (const char *dir = pl->st->search_path; dir;) {
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
 * the init (user notification), which lets exactly this one through; the
 * reporting program defers each refusal to it, which answers as the real
 * filter would and counts it (the report's "denied"). */
static void install_filter(const struct payload *pl, int notify_sock) {
  const struct cr_bpf *bpf = &pl->plan->bpf;
  if (bpf->len == 0) return;
  struct sock_fprog prog = {.len = bpf->len, .filter = bpf->insns};
  if (bpf->reporting) prog = (struct sock_fprog){.len = bpf->reporting_len, .filter = bpf->reporting};
  bool notifies = cr_plan_notifies(pl->plan);
  unsigned int flags = bpf->filter_flags | (notifies ? SECCOMP_FILTER_FLAG_NEW_LISTENER : 0);
  long rc = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog);
  /* A filter chain has one listener: when cleanroom's caller already runs
   * under one (a container manager's syscall interception), the refusals
   * go unreported (the init gets no listener and says so), but the real
   * program is in place. strict's exec and learn mode need the listener. */
  if (rc < 0 && (errno == EBUSY || errno == EINVAL) && notifies && !bpf->exec_once && !bpf->learning) {
    prog = (struct sock_fprog){.len = bpf->len, .filter = bpf->insns};
    rc = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, bpf->filter_flags, &prog);
    notifies = false;
  }
  if (rc < 0 && errno == EBUSY)
    fail(pl, errno, "seccomp",
         bpf->learning ? "install the learning filter: a filter cleanroom runs under has a listener already"
                       : "install the filter: a filter cleanroom runs under has a listener already, and "
                         "this policy's single exec needs one");
  if (rc < 0) fail(pl, errno, "seccomp", "install the filter");
  if (notifies) {
    (void)cr_send_fd(notify_sock, (int)rc); /* should the init be gone, the sandbox goes too */
    close((int)rc);
  }
  if (notify_sock >= 0) close(notify_sock);
}

static void exec_payload(const struct payload *pl, int notify_sock) {
  char found[4096];
  const char *program = resolve_program(pl, found, sizeof found);
  if (!program) {
    int saved = errno;
    cr_child_report_on(pl->records, CR_RECORD_EXEC_FAILED, saved, "exec", pl->st->argv[0]);
    _exit(saved == ENOENT ? CR_EXIT_NOT_FOUND : CR_EXIT_CANNOT_EXECUTE);
  }
  /* the mark first: clock_gettime may be a real system call (no vDSO
   * clock), which the learning filter would hand to an init still asleep in
   * the vfork */
  cr_mark(pl->plan->marks, CR_MARK_EXEC);
  install_filter(pl, notify_sock);
  execve(program, pl->st->argv, pl->st->envp);
  int saved = errno;
  cr_child_report_on(pl->records, CR_RECORD_EXEC_FAILED, saved, "exec", program);
  _exit(saved == ENOENT || saved == ENOTDIR ? CR_EXIT_NOT_FOUND : CR_EXIT_CANNOT_EXECUTE);
}

/* What fork passes on, set in the init right before it forks the payload,
 * while the launcher's helper may still be making the network: off the
 * payload's own path. The init runs none of the payload's code and needs
 * none of it (its signals are blocked and read through a signalfd). */
void cr_payload_set_inherited(const struct cr_plan *plan, struct cr_carried *carried) {
  if (cr_set_signal_dispositions(SIG_DFL, 0) < 0) cr_child_fail(plan, errno, "signals", "rt_sigaction");
  umask(plan->cfg->process.umask);
  if (personality(PER_LINUX) < 0) cr_child_fail(plan, errno, "personality", "reset");
  /* 0 would restore the slack inherited at fork: name the kernel default. */
  if (prctl(PR_SET_TIMERSLACK, 50000, 0, 0, 0) < 0) cr_child_fail(plan, errno, "timer slack", "reset");
  /* kept across fork and exec: a host's "no transparent huge pages" and its
   * NUMA memory policy are state a fresh process does not have */
  if (prctl(PR_SET_THP_DISABLE, 0, 0, 0, 0) < 0)
    cr_child_fail(plan, errno, "THP", "reset PR_SET_THP_DISABLE");
  if (syscall(SYS_set_mempolicy, 0 /* MPOL_DEFAULT */, NULL, 0) < 0 && errno != ENOSYS)
    cr_child_fail(plan, errno, "memory policy", "reset to MPOL_DEFAULT");
  /* the machine-check kill policy is inherited (EINVAL: not this arch) */
  if (prctl(PR_MCE_KILL, PR_MCE_KILL_CLEAR, 0, 0, 0) < 0 && errno != EINVAL)
    cr_child_fail(plan, errno, "MCE kill policy", "reset PR_MCE_KILL");
  if (syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, NULL) < 0)
    cr_child_fail(plan, errno, "keyring", "join a new session keyring");
  cr_payload_reset_scheduling(plan, carried);
}

void cr_payload_main(const struct cr_plan *plan, const struct cr_init_state *st, int notify_sock) {
  cr_mark(plan->marks, CR_MARK_PAYLOAD_FORKED);
  struct payload pl = {.plan = plan, .st = st, .records = plan->ch.records_sandbox, .fds = st->payload_fds};
  memcpy(pl.fds, st->fds, st->n_fds * sizeof *st->fds);
  start_new_session(&pl);
  clear_signal_mask(&pl);
  make_room_for_fds(&pl);
  int moved_sock = notify_sock >= 0 ? fcntl(notify_sock, F_DUPFD_CLOEXEC, st->max_target + 1) : -1;
  int helper_sock = fcntl(plan->ch.helper_sock_sandbox, F_DUPFD_CLOEXEC, st->max_target + 1);
  if (helper_sock < 0) fail(&pl, errno, "fds", "dup");
  arrange_fds(&pl);
  /* no path is resolved while the old root is still stacked on "/" */
  cr_helper_wait_old_root_gone(helper_sock);
  close(helper_sock);
  enter_cwd(&pl);
  apply_rlimits(&pl);
  drop_privileges(&pl);
  exec_payload(&pl, moved_sock);
  _exit(CR_EXIT_LAUNCHER_FAILED);
}
