/* SPDX-License-Identifier: MIT */
/* The public lifecycle of a sandbox (cleanroom/cleanroom.h): create, start,
 * fd, kill, wait, free, and cr_run over them. The steps themselves are in
 * start.c and supervise.c; the protocol in protocol.h. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "audit.h"
#include "child/child.h"
#include "cr/cleanup.h"
#include "launch.h"

static const int forwarded_signals[] = {SIGINT,
                                        SIGTERM,
                                        SIGHUP,
                                        SIGQUIT,
                                        SIGUSR1,
                                        SIGUSR2,
                                        SIGWINCH,
                                        /* job control */ SIGTSTP,
                                        SIGTTIN,
                                        SIGTTOU,
                                        SIGCONT};

const char *cr_version(void) { return CLEANROOM_VERSION_STRING; }

/* ---- handles -------------------------------------------------------------------
 *
 * A cr_sandbox * handed out is not the object's address but a number never
 * used again, looked up in a table of the live ones: a call with a freed
 * (or made-up) handle is refused, instead of touching freed memory. */
static pthread_mutex_t handles_lock = PTHREAD_MUTEX_INITIALIZER;
static struct handle {
  uint64_t id;
  struct cr_sandbox *sb;
} * handles;
static size_t n_handles, cap_handles;
static uint64_t next_id = 1;

static struct cr_sandbox *register_handle(struct cr_sandbox *sb, struct cr_sandbox **token) {
  pthread_mutex_lock(&handles_lock);
  if (n_handles == cap_handles) {
    size_t cap = cap_handles ? cap_handles * 2 : 16;
    struct handle *h = realloc(handles, cap * sizeof *h);
    if (!h) {
      pthread_mutex_unlock(&handles_lock);
      return NULL;
    }
    handles = h;
    cap_handles = cap;
  }
  sb->id = next_id++;
  handles[n_handles++] = (struct handle){.id = sb->id, .sb = sb};
  pthread_mutex_unlock(&handles_lock);
  *token = (struct cr_sandbox *)(uintptr_t)sb->id;
  return sb;
}

/* The sandbox of a handle, NULL for one that is not live. */
static struct cr_sandbox *lookup(const struct cr_sandbox *token, bool remove) {
  uint64_t id = (uint64_t)(uintptr_t)token;
  struct cr_sandbox *sb = NULL;
  pthread_mutex_lock(&handles_lock);
  for (size_t i = n_handles; i-- > 0;) /* the newest are used most */
    if (handles[i].id == id) {
      sb = handles[i].sb;
      if (remove) handles[i] = handles[--n_handles];
      break;
    }
  pthread_mutex_unlock(&handles_lock);
  return sb;
}

static int not_a_sandbox(cr_error **err) {
  return cr_fail(err, EINVAL, "sandbox", "not a sandbox (freed already, or never made)");
}

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
  cr_audit_free(sb->audit);
  free(sb->learned);
  free(sb);
  cr_dumpable_leave();
}

/* The launcher ends the sandbox a second after its time limit, should the
 * init not have. */
static void started(struct cr_sandbox *sb, uint64_t time_limit_ms) {
  if (time_limit_ms) sb->sv.deadline_ms = cr_now_ms() + time_limit_ms + 1000;
  sb->state = CR_SB_STARTED;
}

static int create(const struct cr_config *cfg, const struct cr_options *opts, bool start_now,
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
  struct cr_policy_env env = {
      .cache_dir = opts ? opts->cache_dir : NULL, .log = &sb->log, .learn = opts && opts->learn};
  /* the fd table as the caller has it, before the plan opens fds of its own */
  int rc = opts && opts->audit ? cr_audit_begin(&sb->audit, err) : 0;
  if (rc == 0 && env.learn && !(sb->learned = malloc(sizeof *sb->learned)))
    rc = cr_fail(err, ENOMEM, "learn", "the learned table");
  if (rc == 0)
    rc = cr_plan_prepare(&sb->plan, cfg, start_now, &env, opts ? opts->cgroup_parent : NULL, &sb->log, err);
  sb->plan.marks = marks;
  if (rc == 0)
    rc = cr_plan_set_id_range(&sb->plan, opts ? opts->id_base : CR_ID_RANGE_BASE,
                              opts ? opts->id_count : CR_ID_RANGE_COUNT, err);
  if (rc == 0 && sb->audit) rc = cr_audit_take_state(sb->audit, cfg, &sb->plan, err);
  if (rc == 0) rc = block_forwarded_signals(sb, err);
  /* started at once (cr_run): job control waits for the foreground before anything runs */
  if (rc == 0 && start_now && sb->forward_signals) rc = cr_wait_for_foreground(sb, err);
  if (rc == 0) rc = cr_launch_create(sb, start_now, err);
  /* the sandbox has its own copy of the config (the init's memory): the
   * launcher reads it no more, and the caller may free or change it */
  sb->plan.cfg = NULL;
  if (rc < 0) {
    release(sb);
    return -1;
  }
  sb->state = CR_SB_CREATED;
  if (start_now) started(sb, sb->plan.time_limit_ms);
  if (!register_handle(sb, out)) {
    release(sb);
    return cr_fail(err, ENOMEM, "sandbox", "allocate");
  }
  return 0;
}

int cr_sandbox_create(const struct cr_config *cfg, const struct cr_options *opts, struct cr_sandbox **out,
                      cr_error **err) {
  if (!out) return cr_fail(err, EINVAL, "sandbox", "nowhere to put the sandbox");
  return create(cfg, opts, false, out, err);
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

int cr_sandbox_start(struct cr_sandbox *handle, const struct cr_job *job, cr_error **err) {
  struct cr_sandbox *sb = lookup(handle, false);
  if (!sb) return not_a_sandbox(err);
  if (sb->state != CR_SB_CREATED)
    return cr_fail(err, EALREADY, "sandbox", "already started (a sandbox starts once)");
  if (check_job(sb, job, err) < 0) return -1;
  if (sb->audit && cr_audit_take_job(sb->audit, job, err) < 0) return -1;
  if (sb->forward_signals && cr_wait_for_foreground(sb, err) < 0) return -1;
  if (cr_launch_start(sb, job, err) < 0) return -1;
  started(sb, job && job->has_time_limit ? job->time_limit_ms : sb->plan.time_limit_ms);
  return 0;
}

/* ---- fd, kill, wait, free -------------------------------------------------------- */

int cr_sandbox_fd(const struct cr_sandbox *handle) {
  struct cr_sandbox *sb = lookup(handle, false);
  return sb ? sb->init_pidfd : -1;
}

pid_t cr_sandbox_pid(const struct cr_sandbox *handle) {
  struct cr_sandbox *sb = lookup(handle, false);
  return sb ? sb->init_pid : -1;
}

int cr_sandbox_kill(struct cr_sandbox *handle, int sig, cr_error **err) {
  struct cr_sandbox *sb = lookup(handle, false);
  if (!sb) return not_a_sandbox(err);
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

int cr_sandbox_wait(struct cr_sandbox *handle, int timeout_ms, const struct cr_result **res, cr_error **err) {
  struct cr_sandbox *sb = lookup(handle, false);
  if (!sb) return not_a_sandbox(err);
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

void cr_sandbox_free(struct cr_sandbox *handle) {
  struct cr_sandbox *sb = handle ? lookup(handle, true) : NULL;
  if (sb) release(sb);
}

/* ---- one call ---------------------------------------------------------------------- */

int cr_run(const struct cr_config *cfg, const struct cr_options *opts, struct cr_result **res,
           cr_error **err) {
  if (res) *res = NULL;
  struct cr_sandbox *handle = NULL;
  /* started at once: the init starts the config's process as soon as the
   * sandbox is built (no READY, no start message), and setup failures come
   * with the end */
  if (create(cfg, opts, true, &handle, err) < 0) {
    if (res && (*res = cr_result_new())) cr_result_set_failed(*res, err ? *err : NULL);
    return -1;
  }
  const struct cr_result *r;
  cr_sandbox_wait(handle, -1, &r, err);
  struct cr_sandbox *sb = lookup(handle, false);
  int rc = 0;
  if (sb->run_err) {
    cr_error_clear(err);
    if (err)
      *err = sb->run_err;
    else
      cr_error_free(sb->run_err);
    sb->run_err = NULL;
    rc = -1;
  }
  if (res) {
    *res = sb->result;
    sb->result = NULL;
  }
  cr_sandbox_free(handle);
  return rc;
}
