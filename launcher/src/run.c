/* Launcher side: one run, from prepared plan to result.
 *
 *   prepare plan -> clone (all namespaces at once) -> write id maps -> let the
 *   init go -> supervise (forward signals, time limit, read records) -> result
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "cleanroom.h"
#include "cr/cleanup.h"
#include "sandbox.h"

static const int forwarded_signals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH};
/* With forward_signals, job control too: a stop of the launcher stops the
 * sandbox first, a continue continues it. */
static const int job_control_signals[] = {SIGTSTP, SIGTTIN, SIGTTOU, SIGCONT};

const char *cr_version(void) { return CLEANROOM_VERSION; }

static uint64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static uint64_t timeval_ms(struct timeval tv) {
  return (uint64_t)tv.tv_sec * 1000u + (uint64_t)tv.tv_usec / 1000u;
}

struct supervision {
  pid_t init;
  int init_pidfd;          /* readable once the init has ended */
  int sigfd;
  uint64_t started_ms;
  /* limits.time_ms is the init's to enforce; should it not have ended the
   * sandbox a second after, the launcher does (0 = no limit) */
  uint64_t deadline_ms;
  uint64_t grace_until_ms; /* 0 = no termination in progress */
  int interrupts;
  bool got_record;
  struct cr_msg record;    /* the first failure, or the end of the payload */
  bool killed;
  uint64_t hard_kill_ms;   /* when the init has not ended the sandbox by then: SIGKILL */
};

/* The init kills and reaps the sandbox and still reports its usage; should
 * it not manage within a second, SIGKILL ends it all the same. */
static void kill_sandbox(struct supervision *sv) {
  if (sv->killed) return;
  kill(sv->init, CR_SIG_KILL_SANDBOX);
  sv->killed = true;
  sv->hard_kill_ms = now_ms() + 1000;
}

static void on_record(struct supervision *sv, const struct cr_msg *msg) {
  if (msg->kind == CR_MSG_STOPPED) return; /* only awaited (wait_until_stopped) */
  /* The first failure wins; later records only follow from it. */
  if (sv->got_record && sv->record.kind != CR_MSG_PAYLOAD_ENDED) return;
  sv->record = *msg;
  sv->got_record = true;
}

/* ---- job control ---------------------------------------------------------
 *
 * The payload runs in a session of its own, so the terminal's job control
 * does not reach it: after ^Z it would go on running, with the terminal as
 * fd 0, and read what the user types into the shell next. So a stop of the
 * launcher (SIGTSTP, SIGTTIN, SIGTTOU) first stops every process of the
 * sandbox (the init does, and says so), then the launcher itself; SIGCONT
 * continues both. And while the launcher is in the background of a terminal
 * the sandbox could read (a declared fd), the sandbox is stopped, as a
 * background job that reads its terminal is: the launcher stops itself with
 * SIGTTIN, and `fg` lets it go on. */

/* A declared fd the sandbox could read the launcher's terminal from, while
 * the launcher is not in the terminal's foreground process group. */
static bool terminal_in_background(const struct cr_plan *plan) {
  pid_t sid = getsid(0), pgrp = getpgrp();
  for (size_t i = 0; i < plan->n_fds; i++) {
    int fd = plan->fds[i].source;
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0 || (fl & O_ACCMODE) == O_WRONLY || !isatty(fd)) continue;
    if (tcgetsid(fd) != sid) continue; /* not our controlling terminal: no job control applies */
    pid_t fg = tcgetpgrp(fd);
    if (fg > 0 && fg != pgrp) return true;
  }
  return false;
}

/* Stop this process with `sig`, as its default action would; returns once
 * continued (or at once, when the kernel discards the stop: an orphaned
 * process group). The signal is blocked for the signalfd: send it, then let
 * it through with its default action for that moment only. */
static void stop_self(int sig) {
  struct sigaction dfl = {.sa_handler = SIG_DFL}, old;
  sigemptyset(&dfl.sa_mask);
  sigset_t one;
  sigemptyset(&one);
  sigaddset(&one, sig);
  sigaction(sig, &dfl, &old);
  kill(getpid(), sig);
  sigprocmask(SIG_UNBLOCK, &one, NULL);
  sigprocmask(SIG_BLOCK, &one, NULL);
  sigaction(sig, &old, NULL);
}

/* The init's "stopped" record, or the init's end; at most a second. */
static void wait_until_stopped(struct supervision *sv, const struct cr_plan *plan) {
  uint64_t until = now_ms() + 1000;
  for (uint64_t now = now_ms(); now < until; now = now_ms()) {
    struct pollfd pfds[2] = {{.fd = plan->msg_rd, .events = POLLIN}, {.fd = sv->init_pidfd, .events = POLLIN}};
    if (poll(pfds, 2, (int)(until - now)) <= 0 || (pfds[1].revents & POLLIN)) return;
    struct cr_msg msg;
    while (read(plan->msg_rd, &msg, sizeof msg) == sizeof msg) {
      if (msg.kind == CR_MSG_STOPPED) return;
      on_record(sv, &msg);
    }
  }
}

static void suspend(struct supervision *sv, const struct cr_plan *plan, int sig) {
  kill(sv->init, CR_SIG_STOP_SANDBOX);
  wait_until_stopped(sv, plan);
  stop_self(sig);
  kill(sv->init, SIGCONT); /* running again: so is the sandbox */
}

static void on_signal(struct supervision *sv, const struct cr_plan *plan, int sig) {
  if (sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU) {
    suspend(sv, plan, sig);
    return;
  }
  kill(sv->init, sig);
  if (sig == SIGCONT) { /* `bg` continues a job without giving it the terminal */
    if (terminal_in_background(plan)) suspend(sv, plan, SIGTTIN);
    return;
  }
  if (sig == SIGINT && ++sv->interrupts >= 2) kill_sandbox(sv); /* second ^C: no more waiting */
  if ((sig == SIGINT || sig == SIGTERM || sig == SIGHUP) && !sv->grace_until_ms)
    sv->grace_until_ms = now_ms() + plan->cfg->limits.kill_grace_ms;
}

static bool sigcont_pending(void) {
  sigset_t pending, cont;
  sigemptyset(&cont);
  sigaddset(&cont, SIGCONT);
  if (sigpending(&pending) < 0 || !sigismember(&pending, SIGCONT)) return false;
  struct timespec zero = {0, 0};
  (void)sigtimedwait(&cont, NULL, &zero);
  return true;
}

/* Before anything starts: in the background with a terminal the sandbox
 * could read, wait (stopped) to be brought to the foreground. */
static int wait_for_foreground(const struct cr_plan *plan, cr_error *err) {
  while (terminal_in_background(plan)) {
    stop_self(SIGTTIN);
    if (!sigcont_pending())
      return cr_fail(err, 0, "terminal",
                     "cleanroom runs in the background of the terminal the sandbox would get as a "
                     "declared fd, and cannot stop to wait for the foreground (an orphaned process "
                     "group): the sandbox could read what is typed there; give it no terminal "
                     "(</dev/null) or run it in the foreground");
  }
  return 0;
}

static int next_timeout(const struct supervision *sv) {
  uint64_t now = now_ms(), wake = 0;
  if (sv->deadline_ms) wake = sv->deadline_ms;
  if (sv->grace_until_ms && (!wake || sv->grace_until_ms < wake)) wake = sv->grace_until_ms;
  if (sv->killed) wake = sv->hard_kill_ms; /* 0 once SIGKILL was sent: nothing more to wait for */
  if (!wake) return -1;
  return wake > now ? (int)(wake - now) : 0;
}

/* The sandbox's records wait in the pipe (a few, far below its size) until
 * the init has ended: one wakeup at the end instead of one per record. The
 * payload and the init wrote theirs before they ended; the pipe's read end
 * is non-blocking. */
static void read_records(struct supervision *sv, const struct cr_plan *plan) {
  struct cr_msg msg;
  ssize_t got;
  while ((got = read(plan->msg_rd, &msg, sizeof msg)) == sizeof msg || (got < 0 && errno == EINTR))
    if (got == sizeof msg) on_record(sv, &msg);
}

/* Forward signals and enforce the time limit until the init has ended. */
static void supervise(struct supervision *sv, const struct cr_plan *plan, struct cr_result *res) {
  for (;;) {
    struct pollfd pfds[2] = {{.fd = sv->init_pidfd, .events = POLLIN}, {.fd = sv->sigfd, .events = POLLIN}};
    int n = poll(pfds, sv->sigfd >= 0 ? 2 : 1, next_timeout(sv));
    if (n < 0 && errno != EINTR) break;
    uint64_t now = now_ms();
    if (sv->deadline_ms && now >= sv->deadline_ms && !sv->killed) {
      res->time_limit_hit = true; /* the init did not end the sandbox itself */
      kill_sandbox(sv);
    }
    if (sv->grace_until_ms && now >= sv->grace_until_ms) kill_sandbox(sv);
    if (sv->killed && sv->hard_kill_ms && now >= sv->hard_kill_ms) {
      kill(sv->init, SIGKILL);
      sv->hard_kill_ms = 0;
    }
    if (n <= 0) continue;
    if (pfds[1].revents & POLLIN) {
      struct signalfd_siginfo si;
      if (read(sv->sigfd, &si, sizeof si) == sizeof si && si.ssi_signo != SIGCHLD)
        on_signal(sv, plan, (int)si.ssi_signo);
    }
    if (pfds[0].revents & (POLLIN | POLLHUP | POLLERR)) break;
  }
}

static void result_from_status(struct cr_result *res, int status) {
  if (WIFEXITED(status)) {
    res->exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    res->term_signal = WTERMSIG(status);
    res->exit_code = 128 + res->term_signal;
  }
}

/* Turn what the sandbox said into the result. Returns -1 with `err` set when
 * the launcher, or the exec of the payload, failed. */
static int conclude(const struct supervision *sv, int init_status, struct cr_result *res, cr_error *err) {
  const struct cr_msg *m = &sv->record;
  if (sv->got_record && m->kind == CR_MSG_PAYLOAD_ENDED) {
    result_from_status(res, m->wstatus);
    if (m->time_limit_hit) res->time_limit_hit = true;
    res->user_ms = timeval_ms(m->usage.ru_utime);
    res->sys_ms = timeval_ms(m->usage.ru_stime);
    res->max_rss_kb = (uint64_t)m->usage.ru_maxrss;
    return 0;
  }
  if (sv->got_record && m->kind == CR_MSG_EXEC_FAILED) {
    res->setup_failed = true;
    res->exit_code = m->errnum == ENOENT || m->errnum == ENOTDIR ? CR_EXIT_NOT_FOUND : CR_EXIT_CANNOT_EXECUTE;
    return cr_fail(err, m->errnum, m->where, "%s", m->what);
  }
  if (sv->got_record && m->kind == CR_MSG_SETUP_FAILED) {
    res->setup_failed = true;
    res->exit_code = CR_EXIT_LAUNCHER_FAILED;
    return cr_fail(err, m->errnum, m->where, "%s", m->what);
  }
  if (sv->killed) { /* grace period, second ^C, or the fallback time limit before the payload ended */
    res->term_signal = SIGKILL;
    res->exit_code = 128 + SIGKILL;
    return 0;
  }
  res->setup_failed = true;
  res->exit_code = CR_EXIT_LAUNCHER_FAILED;
  if (WIFSIGNALED(init_status))
    return cr_fail(err, 0, "sandbox", "the sandbox init died of signal %d", WTERMSIG(init_status));
  return cr_fail(err, 0, "sandbox", "the sandbox init ended without a result (status %d)",
                 WEXITSTATUS(init_status));
}

/* The launcher failed after the clone. If the init failed first and said
 * why, the launcher's failure only followed from it (an init that is gone
 * cannot take its id maps or be joined): report the init's own error. */
static void prefer_init_error(struct supervision *sv, const struct cr_plan *plan, int init_status,
                              struct cr_result *res, cr_error *err) {
  read_records(sv, plan);
  if (!sv->got_record || (sv->record.kind != CR_MSG_SETUP_FAILED && sv->record.kind != CR_MSG_EXEC_FAILED))
    return;
  cr_error_clear(err);
  (void)conclude(sv, init_status, res, err);
}

static int block_forwarded_signals(bool forward, sigset_t *old, int *sigfd, cr_error *err) {
  sigset_t set;
  sigemptyset(&set);
  if (forward) {
    for (size_t i = 0; i < CR_ARRAY_SIZE(forwarded_signals); i++) sigaddset(&set, forwarded_signals[i]);
    for (size_t i = 0; i < CR_ARRAY_SIZE(job_control_signals); i++) sigaddset(&set, job_control_signals[i]);
  }
  if (sigprocmask(SIG_BLOCK, &set, old) < 0) return cr_fail(err, errno, "signals", "sigprocmask");
  *sigfd = -1;
  if (!forward) return 0;
  *sigfd = cr_fd_above_stdio(signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK));
  if (*sigfd < 0) return cr_fail(err, errno, "signals", "signalfd");
  return 0;
}

/* Dumpability belongs to the process, not to a thread: the runs of a
 * multithreaded host share it. Nothing outside may read a launcher's memory
 * while it holds a plan, so the first run in makes the process non-dumpable
 * and the last one out restores it; and the init must be born dumpable (an
 * ordinary user can write the id maps only of a dumpable process; it turns
 * itself non-dumpable once they are written), so each clone3 happens under
 * the lock with the process dumpable for that moment only. The init never
 * touches the lock. */
static pthread_mutex_t dumpable_lock = PTHREAD_MUTEX_INITIALIZER;
static int runs_active;
static int dumpable_before_runs;

static int enter_run(cr_error *err) {
  pthread_mutex_lock(&dumpable_lock);
  int rc = 0;
  if (runs_active == 0) {
    dumpable_before_runs = prctl(PR_GET_DUMPABLE, 0, 0, 0, 0);
    if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0) rc = cr_fail(err, errno, "setup", "PR_SET_DUMPABLE");
  }
  if (rc == 0) runs_active++;
  pthread_mutex_unlock(&dumpable_lock);
  return rc;
}

static void leave_run(void) {
  pthread_mutex_lock(&dumpable_lock);
  if (--runs_active == 0 && dumpable_before_runs > 0) prctl(PR_SET_DUMPABLE, dumpable_before_runs, 0, 0, 0);
  pthread_mutex_unlock(&dumpable_lock);
}

static pid_t clone_dumpable_init(struct cr_plan *plan, int *init_pidfd) {
  pthread_mutex_lock(&dumpable_lock);
  pid_t pid = prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) < 0
                  ? -1
                  : cr_clone3(plan->clone_flags, cr_cgroups_clone_fd(&plan->cgroups), init_pidfd);
  if (pid == 0) cr_sandbox_init_main(plan);
  int saved = errno;
  if (pid > 0) *init_pidfd = cr_fd_above_stdio(*init_pidfd);
  prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
  pthread_mutex_unlock(&dumpable_lock);
  errno = saved;
  return pid;
}

static int start_sandbox(struct cr_plan *plan, pid_t *init_pid, int *init_pidfd, cr_error *err) {
  cr_mark(plan->marks, CR_MARK_PREPARED);
  pid_t pid = clone_dumpable_init(plan, init_pidfd);
  if (pid < 0) {
    int saved = errno;
    return cr_fail(err, saved, "clone",
                   saved == EPERM || saved == ENOSPC
                       ? "cannot create the namespaces (are unprivileged user namespaces enabled? "
                         "see /proc/sys/user/max_user_namespaces)"
                       : "cannot create the sandbox");
  }
  *init_pid = pid;
  /* Our copies of the sandbox's ends: only the sandbox may hold them. */
  close(plan->msg_wr);
  plan->msg_wr = -1;
  close(plan->sync_rd);
  plan->sync_rd = -1;
  close(plan->helper_rd);
  plan->helper_rd = -1;
  /* v1 cgroups: in before the init goes on, so the payload is limited from its start */
  if (cr_cgroups_attach(&plan->cgroups, pid, err) < 0) return -1;
  cr_mark(plan->marks, CR_MARK_CLONED);
  if (cr_write_id_maps(plan, *init_pidfd, err) < 0) return -1;
  cr_mark(plan->marks, CR_MARK_MAPS_WRITTEN);
  /* it lets the init go, and works beside it while it builds the root */
  return cr_helper_run(plan, *init_pidfd, err);
}

static int run_plan(struct cr_plan *plan, const struct cr_run_options *opts, struct cr_result *res,
                    cr_error *err) {
  struct supervision sv = {.init = -1, .init_pidfd = -1, .sigfd = -1, .started_ms = now_ms()};
  sigset_t old_mask;
  bool forward = opts && opts->forward_signals;
  if (block_forwarded_signals(forward, &old_mask, &sv.sigfd, err) < 0) return -1;
  int rc = forward ? wait_for_foreground(plan, err) : 0;
  sv.started_ms = now_ms(); /* not the time spent stopped in the background */
  if (rc == 0 && plan->cfg->limits.time_ms) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    plan->deadline_ns = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec +
                        plan->cfg->limits.time_ms * 1000000u;
  }
  if (rc == 0) rc = start_sandbox(plan, &sv.init, &sv.init_pidfd, err);
  if (rc == 0) {
    if (plan->cfg->limits.time_ms) sv.deadline_ms = now_ms() + plan->cfg->limits.time_ms + 1000;
    supervise(&sv, plan, res);
    read_records(&sv, plan);
  } else {
    res->setup_failed = true;
    if (sv.init > 0) kill(sv.init, SIGKILL);
  }
  int init_status = 0;
  struct rusage usage = {0};
  if (sv.init > 0)
    while (wait4(sv.init, &init_status, 0, &usage) < 0 && errno == EINTR) {
    }
  cr_mark(plan->marks, CR_MARK_DONE);
  /* Usually replaced by the init's own report of every process it reaped. */
  res->user_ms = timeval_ms(usage.ru_utime);
  res->sys_ms = timeval_ms(usage.ru_stime);
  res->max_rss_kb = (uint64_t)usage.ru_maxrss;
  res->wall_ms = now_ms() - sv.started_ms;
  if (rc == 0) {
    rc = conclude(&sv, init_status, res, err);
  } else if (sv.init > 0) {
    prefer_init_error(&sv, plan, init_status, res, err);
  }
  cr_cgroups_finish(&plan->cgroups, res); /* oom kills, pids hits, peak; then removed */
  if (sv.sigfd >= 0) close(sv.sigfd);
  if (sv.init_pidfd >= 0) close(sv.init_pidfd);
  sigprocmask(SIG_SETMASK, &old_mask, NULL);
  return rc;
}

static const char *const mark_names[CR_MARK_COUNT] = {
    [CR_MARK_START] = "start",
    [CR_MARK_PREPARED] = "plan prepared",
    [CR_MARK_CLONED] = "clone3 returned",
    [CR_MARK_INIT_RUNNING] = "init running",
    [CR_MARK_MAPS_WRITTEN] = "id maps written",
    [CR_MARK_INIT_GO] = "init released",
    [CR_MARK_SOURCES_OPEN] = "bind sources open",
    [CR_MARK_ROOT_BUILT] = "root built",
    [CR_MARK_NET_JOINED] = "network joined",
    [CR_MARK_PAYLOAD_FORKED] = "payload forked",
    [CR_MARK_EXEC] = "payload execve",
    [CR_MARK_PAYLOAD_ENDED] = "payload reaped",
    [CR_MARK_DONE] = "init reaped",
};

/* CLEANROOM_DEBUG_TIMING=1: one shared page the sandbox's processes write
 * their clock marks into; printed after the run. */
static uint64_t *timing_page(void) {
  const char *flag = getenv("CLEANROOM_DEBUG_TIMING");
  if (!flag || !*flag || strcmp(flag, "0") == 0) return NULL;
  void *page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  return page == MAP_FAILED ? NULL : page;
}

static void print_timing(uint64_t *marks) {
  if (!marks) return;
  fprintf(stderr, "cleanroom: timing: start at CLOCK_MONOTONIC %llu ns\n",
          (unsigned long long)marks[CR_MARK_START]);
  for (int m = 0; m < CR_MARK_COUNT; m++)
    if (marks[m])
      fprintf(stderr, "cleanroom: timing: %-18s %8.3f ms\n", mark_names[m],
              (double)(marks[m] - marks[CR_MARK_START]) / 1e6);
  munmap(marks, 4096);
}

int cr_run(const struct cr_config *cfg, const struct cr_run_options *opts, struct cr_result *res,
           cr_error *err) {
  memset(res, 0, sizeof *res);
  res->exit_code = CR_EXIT_LAUNCHER_FAILED;
  res->setup_failed = true;
  if (enter_run(err) < 0) return -1;
  uint64_t *marks = timing_page();
  cr_mark(marks, CR_MARK_START);
  struct cr_plan plan;
  int rc = cr_plan_prepare(&plan, cfg, err);
  plan.marks = marks;
  if (rc == 0) {
    res->setup_failed = false;
    rc = run_plan(&plan, opts, res, err);
  }
  cr_plan_release(&plan);
  print_timing(marks);
  leave_run();
  return rc;
}
