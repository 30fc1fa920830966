/* SPDX-License-Identifier: MIT */
/* Launcher side of a started sandbox: waiting for its end (the init's
 * pidfd), passing signals on and job control when asked (forward_signals),
 * the grace period, the fallback kill, the records, and the result. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "audit.h"
#include "child/child.h"
#include "launch.h"

uint64_t cr_now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static uint64_t timeval_ms(struct timeval tv) {
  return (uint64_t)tv.tv_sec * 1000u + (uint64_t)tv.tv_usec / 1000u;
}

static void signal_init(struct cr_sandbox *sb, int sig) {
  if (sb->init_pidfd >= 0) (void)syscall(SYS_pidfd_send_signal, sb->init_pidfd, sig, NULL, 0);
}

/* The init kills and reaps the sandbox and still reports its usage; should
 * it not manage within a second, SIGKILL ends it all the same. */
void cr_supervise_kill(struct cr_sandbox *sb) {
  if (sb->sv.killed) return;
  signal_init(sb, CR_SIG_KILL_SANDBOX);
  sb->sv.killed = true;
  sb->sv.hard_kill_ms = cr_now_ms() + 1000;
}

/* ---- records ------------------------------------------------------------ */

static void on_record(struct cr_sandbox *sb, const struct cr_record *r) {
  int kind = (int)r->head.kind;
  if (kind == CR_RECORD_READY || kind == CR_RECORD_STOPPED) return; /* awaited, not kept */
  /* The first failure wins; later records only follow from it. */
  if (sb->sv.got_record && sb->sv.record.head.kind != CR_RECORD_PAYLOAD_ENDED) return;
  sb->sv.record = *r;
  sb->sv.got_record = true;
}

/* One record from the socket into `r`: 1, or 0 when there is none now. */
static int read_record(int fd, struct cr_record *r) {
  char buf[sizeof(struct cr_record_head) + CR_RECORD_WHERE_MAX + CR_RECORD_WHAT_MAX];
  ssize_t n;
  do n = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
  while (n < 0 && errno == EINTR);
  if (n < (ssize_t)sizeof r->head) return 0;
  memcpy(&r->head, buf, sizeof r->head);
  size_t where_len = r->head.where_len, what_len = r->head.what_len;
  if (where_len > CR_RECORD_WHERE_MAX || what_len > CR_RECORD_WHAT_MAX ||
      sizeof r->head + where_len + what_len != (size_t)n)
    return 0; /* not one of ours */
  memcpy(r->where, buf + sizeof r->head, where_len);
  r->where[where_len] = '\0';
  memcpy(r->what, buf + sizeof r->head + where_len, what_len);
  r->what[what_len] = '\0';
  return 1;
}

/* Learn mode's table (protocol.h), when the next record is one: 1 when
 * it was (kept in sb->learned, when the sandbox learns), else 0. */
static int read_learned(struct cr_sandbox *sb, int fd) {
  uint32_t kind = 0;
  ssize_t n;
  do n = recv(fd, &kind, sizeof kind, MSG_DONTWAIT | MSG_PEEK);
  while (n < 0 && errno == EINTR);
  if (n != (ssize_t)sizeof kind || kind != CR_RECORD_LEARNED) return 0;
  struct cr_learned_wire *t = sb->learned;
  /* not asked for: dropped (a message read short is gone whole) */
  do n = t ? recv(fd, t, sizeof *t, MSG_DONTWAIT) : recv(fd, &kind, sizeof kind, MSG_DONTWAIT);
  while (n < 0 && errno == EINTR);
  size_t head = offsetof(struct cr_learned_wire, e);
  if (t && n >= (ssize_t)head && t->n <= CR_LEARNED_MAX && (size_t)n == head + t->n * sizeof t->e[0])
    sb->got_learned = true;
  return 1;
}

bool cr_read_records(struct cr_sandbox *sb, int kind) {
  struct cr_record r;
  bool seen = false;
  for (;;) {
    if (read_learned(sb, sb->plan.ch.records_launcher)) continue;
    if (!read_record(sb->plan.ch.records_launcher, &r)) break;
    if ((int)r.head.kind == kind) seen = true;
    on_record(sb, &r);
  }
  return seen;
}

/* ---- job control ------------------------------------------------------------
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
static bool fd_in_background(int fd) {
  int fl = fcntl(fd, F_GETFL);
  if (fl < 0 || (fl & O_ACCMODE) == O_WRONLY || !isatty(fd)) return false;
  if (tcgetsid(fd) != getsid(0)) return false; /* not our controlling terminal: no job control applies */
  pid_t fg = tcgetpgrp(fd);
  return fg > 0 && fg != getpgrp();
}

static bool terminal_in_background(struct cr_sandbox *sb) {
  for (size_t i = 0; i < sb->plan.n_fds; i++)
    if (fd_in_background(sb->plan.fds[i].source)) return true;
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
static void wait_until_stopped(struct cr_sandbox *sb) {
  uint64_t until = cr_now_ms() + 1000;
  for (uint64_t now = cr_now_ms(); now < until; now = cr_now_ms()) {
    struct pollfd pfds[2] = {{.fd = sb->plan.ch.records_launcher, .events = POLLIN},
                             {.fd = sb->init_pidfd, .events = POLLIN}};
    if (poll(pfds, 2, (int)(until - now)) <= 0 || (pfds[1].revents & POLLIN)) return;
    if (cr_read_records(sb, CR_RECORD_STOPPED)) return;
  }
}

static void suspend(struct cr_sandbox *sb, int sig) {
  signal_init(sb, CR_SIG_STOP_SANDBOX);
  wait_until_stopped(sb);
  stop_self(sig);
  signal_init(sb, SIGCONT); /* running again: so is the sandbox */
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

int cr_wait_for_foreground(struct cr_sandbox *sb, cr_error **err) {
  while (terminal_in_background(sb)) {
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

/* ---- signals and timers -------------------------------------------------------- */

static void on_signal(struct cr_sandbox *sb, int sig) {
  if (sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU) {
    suspend(sb, sig);
    return;
  }
  signal_init(sb, sig);
  if (sig == SIGCONT) { /* `bg` continues a job without giving it the terminal */
    if (terminal_in_background(sb)) suspend(sb, SIGTTIN);
    return;
  }
  if (sig == SIGINT && ++sb->sv.interrupts >= 2) cr_supervise_kill(sb); /* second ^C: no more waiting */
  if ((sig == SIGINT || sig == SIGTERM || sig == SIGHUP) && !sb->sv.grace_until_ms)
    sb->sv.grace_until_ms = cr_now_ms() + sb->plan.kill_grace_ms;
}

/* Milliseconds to the next timer, or to `until` (0 = none), -1 for none. */
static int next_timeout(const struct cr_supervision *sv, uint64_t until) {
  uint64_t now = cr_now_ms(), wake = until;
  if (sv->deadline_ms && (!wake || sv->deadline_ms < wake)) wake = sv->deadline_ms;
  if (sv->grace_until_ms && (!wake || sv->grace_until_ms < wake)) wake = sv->grace_until_ms;
  if (sv->killed && sv->hard_kill_ms && (!wake || sv->hard_kill_ms < wake)) wake = sv->hard_kill_ms;
  if (!wake) return -1;
  return wake > now ? (int)(wake - now) : 0;
}

static void on_timers(struct cr_sandbox *sb) {
  struct cr_supervision *sv = &sb->sv;
  uint64_t now = cr_now_ms();
  if (sv->deadline_ms && now >= sv->deadline_ms && !sv->killed) { /* the init did not end it */
    sv->deadline_fired = true;
    cr_supervise_kill(sb);
  }
  if (sv->grace_until_ms && now >= sv->grace_until_ms) cr_supervise_kill(sb);
  if (sv->killed && sv->hard_kill_ms && now >= sv->hard_kill_ms) {
    signal_init(sb, SIGKILL);
    sv->hard_kill_ms = 0;
  }
}

int cr_supervise(struct cr_sandbox *sb, int timeout_ms) {
  uint64_t until = timeout_ms < 0 ? 0 : cr_now_ms() + (uint64_t)timeout_ms;
  for (;;) {
    struct pollfd pfds[2] = {{.fd = sb->init_pidfd, .events = POLLIN}, {.fd = sb->sigfd, .events = POLLIN}};
    int wait_ms = next_timeout(&sb->sv, until);
    int n = poll(pfds, sb->sigfd >= 0 ? 2 : 1, wait_ms);
    if (n < 0 && errno != EINTR) return 1; /* cannot wait: treat as ended (conclude reaps) */
    on_timers(sb);
    if (n > 0 && (pfds[0].revents & (POLLIN | POLLHUP | POLLERR))) return 1;
    if (n > 0 && sb->sigfd >= 0 && (pfds[1].revents & POLLIN)) {
      struct signalfd_siginfo si;
      if (read(sb->sigfd, &si, sizeof si) == sizeof si && si.ssi_signo != SIGCHLD)
        on_signal(sb, (int)si.ssi_signo);
    }
    if (until && cr_now_ms() >= until) return 0;
  }
}

/* ---- the result ------------------------------------------------------------------ */

static void result_from_status(struct cr_result *res, int status) {
  if (WIFEXITED(status)) {
    res->exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    res->term_signal = WTERMSIG(status);
    res->exit_code = 128 + res->term_signal;
  }
}

/* What the sandbox said, as the result; sb->run_err when the launcher, or
 * the exec of the payload, failed. */
static void from_records(struct cr_sandbox *sb, int init_status) {
  struct cr_result *res = sb->result;
  const struct cr_record *r = &sb->sv.record;
  int kind = sb->sv.got_record ? (int)r->head.kind : 0;
  if (kind == CR_RECORD_PAYLOAD_ENDED) {
    result_from_status(res, r->head.wstatus);
    if (r->head.time_limit_hit) res->time_limit_hit = true;
    res->execs_refused = r->head.execs_refused;
    if (cr_result_set_denied(res, &r->head.denied, r->head.execs_refused) < 0)
      cr_log(&sb->log, CR_LOG_WARNING, "report: out of memory: the result names no refused syscall");
    if (sb->learned) {
      char *learned = cr_learned_to_json(sb->got_learned ? sb->learned : NULL, &sb->plan.bpf);
      if (!learned) cr_log(&sb->log, CR_LOG_WARNING, "learn: out of memory: the result has no learned calls");
      cr_result_set_learned(res, learned);
    }
    res->user_ms = timeval_ms(r->head.usage.ru_utime);
    res->sys_ms = timeval_ms(r->head.usage.ru_stime);
    res->max_rss_kb = (uint64_t)r->head.usage.ru_maxrss;
    return;
  }
  res->setup_failed = true;
  if (kind == CR_RECORD_EXEC_FAILED || kind == CR_RECORD_SETUP_FAILED) {
    int errnum = r->head.errnum;
    res->exit_code = kind == CR_RECORD_SETUP_FAILED          ? CR_EXIT_LAUNCHER_FAILED
                     : errnum == ENOENT || errnum == ENOTDIR ? CR_EXIT_NOT_FOUND
                                                             : CR_EXIT_CANNOT_EXECUTE;
    char why[512];
    const char *hint =
        kind == CR_RECORD_SETUP_FAILED && (errnum == EPERM || errnum == EACCES) && !sb->plan.caller_is_root
            ? cr_userns_restricted_hint("/proc", why, sizeof why)
            : NULL;
    if (hint)
      cr_fail(&sb->run_err, errnum, r->where, "%s (%s)", r->what, hint);
    else
      cr_fail(&sb->run_err, errnum, r->where, "%s", r->what);
    return;
  }
  if (sb->sv.killed) { /* grace period, second ^C, kill or the fallback time limit before the payload ended */
    res->setup_failed = false;
    res->term_signal = SIGKILL;
    res->exit_code = 128 + SIGKILL;
    return;
  }
  res->exit_code = CR_EXIT_LAUNCHER_FAILED;
  if (WIFSIGNALED(init_status))
    cr_fail(&sb->run_err, 0, "sandbox", "the sandbox init died of signal %d", WTERMSIG(init_status));
  else
    cr_fail(&sb->run_err, 0, "sandbox", "the sandbox init ended without a result (status %d)",
            WEXITSTATUS(init_status));
}

void cr_conclude(struct cr_sandbox *sb) {
  if (sb->state == CR_SB_ENDED) return;
  int init_status = 0;
  struct rusage usage = {0};
  if (sb->init > 0)
    while (wait4(sb->init, &init_status, 0, &usage) < 0 && errno == EINTR) {}
  sb->init = -1;
  cr_mark(sb->plan.marks, CR_MARK_DONE);
  cr_read_records(sb, 0);
  struct cr_result *res = sb->result;
  /* usually replaced by the init's own report of every process it reaped */
  res->user_ms = timeval_ms(usage.ru_utime);
  res->sys_ms = timeval_ms(usage.ru_stime);
  res->max_rss_kb = (uint64_t)usage.ru_maxrss;
  from_records(sb, init_status);
  if (sb->sv.deadline_fired) res->time_limit_hit = true; /* the fallback ended it */
  res->wall_ms = cr_now_ms() - sb->sv.setup_started_ms;
  cr_cgroups_finish(&sb->plan.cgroups, res); /* oom kills, pids hits, peak; then removed */
  /* The memory limit's OOM killer chose the init (a copy of the launcher's
   * process, it may be the largest one): the sandbox ended at its memory
   * limit, as if the payload had been chosen, not in its setup. */
  if (!sb->sv.got_record && res->oom_killed && WIFSIGNALED(init_status) && WTERMSIG(init_status) == SIGKILL) {
    cr_error_free(sb->run_err);
    sb->run_err = NULL;
    res->setup_failed = false;
    res->term_signal = SIGKILL;
    res->exit_code = 128 + SIGKILL;
  }
  if (sb->run_err) cr_result_set_error(res, sb->run_err);
  if (sb->audit) {
    bool ended = sb->sv.got_record && sb->sv.record.head.kind == CR_RECORD_PAYLOAD_ENDED;
    if (cr_audit_conclude(sb->audit, ended ? &sb->sv.record.head.carried : NULL, res) < 0)
      cr_log(&sb->log, CR_LOG_WARNING, "audit: out of memory: the result has no audit");
  }
  sb->state = CR_SB_ENDED;
}
