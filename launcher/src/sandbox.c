/* SPDX-License-Identifier: MIT */
/* The public lifecycle of a sandbox (cleanroom/cleanroom.h): create, start,
 * fd, kill, wait, free, and cr_run over them. The steps themselves are in
 * start.c and supervise.c; the protocol in protocol.h. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "child/child.h"
#include "cr/cleanup.h"
#include "launch.h"

static const int forwarded_signals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH,
                                        /* job control */ SIGTSTP, SIGTTIN, SIGTTOU, SIGCONT};

const char *cr_version(void) { return CLEANROOM_VERSION_STRING; }

/* ---- debug timing ------------------------------------------------------------ */

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

/* One shared page the sandbox's processes write their clock marks into. */
static uint64_t *timing_page(void) {
  void *page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  return page == MAP_FAILED ? NULL : page;
}

static void log_timing(struct cr_sandbox *sb) {
  uint64_t *marks = sb->plan.marks;
  if (!marks) return;
  cr_log(&sb->log, CR_LOG_DEBUG, "timing: start at CLOCK_MONOTONIC %llu ns",
         (unsigned long long)marks[CR_MARK_START]);
  for (int m = 0; m < CR_MARK_COUNT; m++)
    if (marks[m])
      cr_log(&sb->log, CR_LOG_DEBUG, "timing: %-18s %8.3f ms", mark_names[m],
             (double)(marks[m] - marks[CR_MARK_START]) / 1e6);
  munmap(marks, 4096);
  sb->plan.marks = NULL;
}

/* ---- signals ----------------------------------------------------------------- */

static int block_forwarded_signals(struct cr_sandbox *sb, cr_error **err) {
  if (!sb->forward_signals) return 0;
  sigset_t set;
  sigemptyset(&set);
  for (size_t i = 0; i < CR_ARRAY_SIZE(forwarded_signals); i++) sigaddset(&set, forwarded_signals[i]);
  if (sigprocmask(SIG_BLOCK, &set, &sb->old_mask) < 0) return cr_fail(err, errno, "signals", "sigprocmask");
  sb->mask_saved = true;
  sb->sigfd = cr_fd_above_stdio(signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK));
  if (sb->sigfd < 0) return cr_fail(err, errno, "signals", "signalfd");
  return 0;
}

/* ---- create, start ------------------------------------------------------------- */

static void release(struct cr_sandbox *sb) {
  if (sb->init > 0) {
    (void)syscall(SYS_pidfd_send_signal, sb->init_pidfd, SIGKILL, NULL, 0);
    cr_conclude(sb); /* reaps it */
  }
  log_timing(sb);
  cr_plan_release(&sb->plan);
  if (sb->init_pidfd >= 0) close(sb->init_pidfd);
  if (sb->sigfd >= 0) close(sb->sigfd);
  if (sb->mask_saved) sigprocmask(SIG_SETMASK, &sb->old_mask, NULL);
  cr_error_free(sb->run_err);
  cr_result_free(sb->result);
  free(sb);
  cr_dumpable_leave();
}

static int create(const struct cr_config *cfg, const struct cr_options *opts, bool wait_ready,
                  struct cr_sandbox **out, cr_error **err) {
  *out = NULL;
  if (!cfg) return cr_fail(err, EINVAL, "sandbox", "no config");
  if (cr_dumpable_enter(err) < 0) return -1;
  struct cr_sandbox *sb = calloc(1, sizeof *sb);
  struct cr_result *res = cr_result_new();
  if (!sb || !res) {
    free(sb);
    cr_result_free(res);
    cr_dumpable_leave();
    return cr_fail(err, ENOMEM, "sandbox", "allocate");
  }
  sb->result = res;
  sb->init = -1;
  sb->init_pidfd = sb->sigfd = -1;
  sb->sv.setup_started_ms = cr_now_ms();
  if (opts) {
    sb->log = opts->log;
    sb->forward_signals = opts->forward_signals;
  }
  uint64_t *marks = opts && opts->debug_timing ? timing_page() : NULL;
  cr_mark(marks, CR_MARK_START);
  struct cr_policy_env env = {.cache_dir = opts ? opts->cache_dir : NULL, .log = &sb->log};
  int rc = cr_plan_prepare(&sb->plan, cfg, &env, opts ? opts->cgroup_parent : NULL, &sb->log, err);
  sb->plan.marks = marks;
  if (rc == 0) rc = block_forwarded_signals(sb, err);
  if (rc == 0) rc = cr_launch_create(sb, wait_ready, err);
  /* the sandbox has its own copy of the config (the init's memory): the
   * launcher reads it no more, and the caller may free or change it */
  sb->plan.cfg = NULL;
  if (rc < 0) {
    release(sb);
    return -1;
  }
  sb->state = CR_SB_CREATED;
  *out = sb;
  return 0;
}

int cr_sandbox_create(const struct cr_config *cfg, const struct cr_options *opts, struct cr_sandbox **out,
                      cr_error **err) {
  if (!out) return cr_fail(err, EINVAL, "sandbox", "nowhere to put the sandbox");
  return create(cfg, opts, true, out, err);
}

/* A job's fds must fit the payload's RLIMIT_NOFILE (its hard limit is the
 * launcher's): checked here, where the message can say so. */
static int check_job(const struct cr_sandbox *sb, const struct cr_job *job, cr_error **err) {
  if (!job) return 0;
  int max_target = sb->plan.max_target;
  for (size_t i = 0; i < job->n_fds; i++)
    if (job->fds[i].target > max_target) max_target = job->fds[i].target;
  rlim_t needed = (rlim_t)max_target + 1 + sb->plan.n_fds + job->n_fds + CR_PAYLOAD_SPARE_FDS;
  if (sb->plan.nofile_hard != RLIM_INFINITY && needed > sb->plan.nofile_hard)
    return cr_fail(err, EMFILE, "job",
                   "fd %d needs RLIMIT_NOFILE of at least %llu, and cleanroom's hard limit is %llu: "
                   "raise it (ulimit -Hn) or use lower fd numbers",
                   max_target, (unsigned long long)needed, (unsigned long long)sb->plan.nofile_hard);
  return 0;
}

int cr_sandbox_start(struct cr_sandbox *sb, const struct cr_job *job, cr_error **err) {
  if (!sb) return cr_fail(err, EINVAL, "sandbox", "no sandbox");
  if (sb->state != CR_SB_CREATED)
    return cr_fail(err, EALREADY, "sandbox", "already started (a sandbox starts once)");
  if (check_job(sb, job, err) < 0) return -1;
  if (sb->forward_signals && cr_wait_for_foreground(sb, err) < 0) return -1;
  if (cr_launch_start(sb, job, err) < 0) return -1;
  uint64_t limit = job && job->has_time_limit ? job->time_limit_ms : sb->plan.time_limit_ms;
  if (limit) sb->sv.deadline_ms = cr_now_ms() + limit + 1000;
  sb->state = CR_SB_STARTED;
  return 0;
}

/* ---- fd, kill, wait, free -------------------------------------------------------- */

int cr_sandbox_fd(const struct cr_sandbox *sb) { return sb ? sb->init_pidfd : -1; }

int cr_sandbox_kill(struct cr_sandbox *sb, int sig, cr_error **err) {
  if (!sb) return cr_fail(err, EINVAL, "sandbox", "no sandbox");
  if (sig <= 0 || sig >= 65) return cr_fail(err, EINVAL, "kill", "no signal %d", sig);
  if (sb->state == CR_SB_ENDED) return 0; /* nothing left to signal */
  if (sig == SIGKILL) {
    if (sb->state == CR_SB_CREATED) {
      (void)syscall(SYS_pidfd_send_signal, sb->init_pidfd, SIGKILL, NULL, 0);
      sb->sv.killed = true;
      return 0;
    }
    cr_supervise_kill(sb);
    return 0;
  }
  if (sb->state != CR_SB_STARTED)
    return cr_fail(err, ESRCH, "kill", "the sandbox is not started: only SIGKILL is taken before");
  if (syscall(SYS_pidfd_send_signal, sb->init_pidfd, sig, NULL, 0) < 0 && errno != ESRCH)
    return cr_fail(err, errno, "kill", "signal %d", sig);
  return 0;
}

int cr_sandbox_wait(struct cr_sandbox *sb, int timeout_ms, const struct cr_result **res, cr_error **err) {
  if (!sb) return cr_fail(err, EINVAL, "sandbox", "no sandbox");
  if (sb->state == CR_SB_CREATED && !sb->sv.killed)
    return cr_fail(err, EINVAL, "sandbox", "not started: start it first (cr_sandbox_start)");
  if (sb->state != CR_SB_ENDED) {
    if (!cr_supervise(sb, timeout_ms)) return 0;
    cr_conclude(sb);
    log_timing(sb);
  }
  if (res) *res = sb->result;
  return 1;
}

void cr_sandbox_free(struct cr_sandbox *sb) {
  if (sb) release(sb);
}

/* ---- one call ---------------------------------------------------------------------- */

int cr_run(const struct cr_config *cfg, const struct cr_options *opts, struct cr_result **res, cr_error **err) {
  if (res) *res = NULL;
  struct cr_sandbox *sb = NULL;
  /* no READY wait: the start waits in the socket, and setup failures come
   * with the end (one wakeup fewer) */
  if (create(cfg, opts, false, &sb, err) < 0 || cr_sandbox_start(sb, NULL, err) < 0) {
    cr_sandbox_free(sb);
    if (res && (*res = cr_result_new())) cr_result_set_failed(*res, err ? *err : NULL);
    return -1;
  }
  const struct cr_result *r;
  cr_sandbox_wait(sb, -1, &r, err);
  int rc = 0;
  if (sb->run_err) {
    cr_error_clear(err);
    if (err) *err = sb->run_err;
    else cr_error_free(sb->run_err);
    sb->run_err = NULL;
    rc = -1;
  }
  if (res) {
    *res = sb->result;
    sb->result = NULL;
  }
  cr_sandbox_free(sb);
  return rc;
}
