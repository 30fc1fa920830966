/* SPDX-License-Identifier: MIT */
/* Launcher side of a launch, up to the payload's start (protocol.h):
 *
 *   clone3 the init (dumpable for that moment) -> close the sandbox's ends
 *   -> v1 cgroups -> id maps -> the helper (it releases the init, makes the
 *   network, detaches the old root) -> READY -> the start message (cr_run:
 *   neither, the init starts the config's process once it is built). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "child/child.h"
#include "cr/cleanup.h"
#include "launch.h"

/* ---- dumpability ------------------------------------------------------------
 *
 * Dumpability belongs to the process, not to a thread: the sandboxes of a
 * multithreaded host share it. Nothing outside may read a launcher's memory
 * while it holds a plan, so the first sandbox in makes the process
 * non-dumpable and the last one out restores it; and the init must be born
 * dumpable (an ordinary user can write the id maps only of a dumpable
 * process; it turns itself non-dumpable once they are written), so each
 * clone3 happens under the lock with the process dumpable for that moment
 * only. The init never touches the lock. */
static pthread_mutex_t dumpable_lock = PTHREAD_MUTEX_INITIALIZER;
static int sandboxes_alive;
static int dumpable_before;

int cr_dumpable_enter(cr_error **err) {
  pthread_mutex_lock(&dumpable_lock);
  int rc = 0;
  if (sandboxes_alive == 0) {
    dumpable_before = prctl(PR_GET_DUMPABLE, 0, 0, 0, 0);
    if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0) rc = cr_fail(err, errno, "setup", "PR_SET_DUMPABLE");
  }
  if (rc == 0) sandboxes_alive++;
  pthread_mutex_unlock(&dumpable_lock);
  return rc;
}

void cr_dumpable_leave(void) {
  pthread_mutex_lock(&dumpable_lock);
  if (--sandboxes_alive == 0 && dumpable_before > 0) prctl(PR_SET_DUMPABLE, dumpable_before, 0, 0, 0);
  pthread_mutex_unlock(&dumpable_lock);
}

static pid_t clone_dumpable_init(struct cr_plan *plan, int *init_pidfd) {
  pthread_mutex_lock(&dumpable_lock);
  pid_t pid = prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) < 0
                  ? -1
                  : cr_clone3(plan->clone_flags, cr_cgroups_clone_fd(&plan->cgroups), init_pidfd);
  if (pid == 0) cr_init_main(plan);
  int saved = errno;
  prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
  pthread_mutex_unlock(&dumpable_lock);
  errno = saved;
  return pid;
}

/* ---- the helper ------------------------------------------------------------- */

#define HELPER_STACK_SIZE (32 * 1024)

/* Returns when the helper is done (the network made, the old root detached). */
static int run_helper(const struct cr_plan *plan, int init_pidfd, cr_error **err) {
  struct cr_helper_args h = {
      .plan = plan, .init_pidfd = init_pidfd, .where = "setup", .what = "the helper failed"};
  char stack[HELPER_STACK_SIZE] __attribute__((aligned(16)));
  sigset_t all, old;
  sigfillset(&all);
  if (sigprocmask(SIG_SETMASK, &all, &old) < 0) return cr_fail(err, errno, "setup", "sigprocmask");
  pid_t pid = clone(cr_helper_main, stack + sizeof stack, CLONE_VM | CLONE_VFORK, &h);
  int clone_errno = errno;
  int status = 0;
  if (pid > 0)
    while (waitpid(pid, &status, __WALL) < 0 && errno == EINTR) {}
  sigprocmask(SIG_SETMASK, &old, NULL);
  if (pid < 0) return cr_fail(err, clone_errno, "setup", "start the helper");
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return cr_fail(err, h.errnum, h.where, "%s", h.what);
  return 0;
}

/* ---- create ------------------------------------------------------------------ */

static void close_end(int *fd) {
  if (*fd >= 0) close(*fd);
  *fd = -1;
}

static int clone_init(struct cr_sandbox *sb, cr_error **err) {
  struct cr_plan *plan = &sb->plan;
  cr_mark(plan->marks, CR_MARK_PREPARED);
  pid_t pid = clone_dumpable_init(plan, &sb->init_pidfd);
  if (pid < 0) {
    int saved = errno;
    char why[512];
    const char *hint = saved == EPERM || saved == ENOSPC || saved == EUSERS || saved == EACCES
                           ? cr_userns_hint("/proc", saved, plan->caller_is_root, why, sizeof why)
                           : NULL;
    if (hint) return cr_fail(err, saved, "clone", "cannot create the sandbox's namespaces: %s", hint);
    return cr_fail(err, saved, "clone",
                   saved == EPERM || saved == ENOSPC ? "cannot create the sandbox's namespaces"
                                                     : "cannot create the sandbox");
  }
  sb->init = sb->init_pid = pid;
  sb->init_pidfd = cr_fd_above_stdio(sb->init_pidfd);
  /* The sandbox's ends: only the sandbox may hold them. */
  close_end(&plan->ch.maps_written_init);
  close_end(&plan->ch.records_sandbox);
  close_end(&plan->ch.helper_sock_sandbox);
  close_end(&plan->ch.start_init);
  cr_mark(plan->marks, CR_MARK_CLONED);
  return 0;
}

/* Until the init said READY; a failure it reports is create's error. */
static int wait_ready(struct cr_sandbox *sb, cr_error **err) {
  for (;;) {
    if (cr_read_records(sb, CR_RECORD_READY)) return 0;
    if (sb->sv.got_record && sb->sv.record.head.kind != CR_RECORD_PAYLOAD_ENDED) break;
    struct pollfd pfds[2] = {{.fd = sb->plan.ch.records_launcher, .events = POLLIN},
                             {.fd = sb->init_pidfd, .events = POLLIN}};
    int n = poll(pfds, 2, -1);
    if (n < 0 && errno != EINTR) return cr_fail(err, errno, "setup", "poll");
    if (n > 0 && (pfds[1].revents & POLLIN)) {
      if (cr_read_records(sb, CR_RECORD_READY)) return 0;
      break; /* the init ended: its record (or its status) says why */
    }
  }
  cr_conclude(sb);
  cr_fail(err, 0, "setup", "the sandbox ended during setup");
  if (sb->run_err) {
    cr_error_clear(err);
    *err = sb->run_err;
    sb->run_err = NULL;
  }
  return -1;
}

/* The launcher failed after the clone. If the init failed first and said
 * why, the launcher's failure only followed from it (an init that is gone
 * cannot take its id maps or be joined): report the init's own error. */
static void prefer_init_error(struct cr_sandbox *sb, cr_error **err) {
  (void)syscall(SYS_pidfd_send_signal, sb->init_pidfd, SIGKILL, NULL, 0);
  cr_conclude(sb);
  int kind = sb->sv.got_record ? (int)sb->sv.record.head.kind : 0;
  if ((kind == CR_RECORD_SETUP_FAILED || kind == CR_RECORD_EXEC_FAILED) && sb->run_err) {
    cr_error_clear(err);
    if (err)
      *err = sb->run_err;
    else
      cr_error_free(sb->run_err);
    sb->run_err = NULL;
  }
}

int cr_launch_create(struct cr_sandbox *sb, bool start_now, cr_error **err) {
  struct cr_plan *plan = &sb->plan;
  if (clone_init(sb, err) < 0) return -1;
  /* v1 cgroups: in before the init goes on, so the payload is limited from its start */
  int rc = cr_cgroups_attach(&plan->cgroups, sb->init, err);
  if (rc == 0) rc = cr_write_id_maps(plan, sb->init_pidfd, err);
  if (rc == 0) cr_mark(plan->marks, CR_MARK_MAPS_WRITTEN);
  /* it lets the init go, and works beside it while it builds the root */
  if (rc == 0) rc = run_helper(plan, sb->init_pidfd, err);
  close_end(&plan->ch.maps_written_launcher);
  close_end(&plan->ch.helper_sock_helper);
  if (rc < 0)
    prefer_init_error(sb, err);
  else if (!start_now)
    return wait_ready(sb, err);
  return rc;
}

/* ---- the start ----------------------------------------------------------------- */

/* The job as a sealed memfd in the layout of struct cr_job_wire. */
static int job_memfd(const struct cr_job *job, cr_error **err) {
  size_t strings = 0;
  for (size_t i = 0; i < job->n_args; i++) strings += strlen(job->args[i]) + 1;
  for (size_t i = 0; i < job->n_env; i++) strings += strlen(job->env[i]) + 1;
  if (job->cwd) strings += strlen(job->cwd) + 1;
  size_t size = sizeof(struct cr_job_wire) + job->n_fds * sizeof(int32_t) + strings;
  cr_autofree char *buf = malloc(size);
  if (!buf) return cr_fail(err, ENOMEM, "start", "the job");
  struct cr_job_wire w = {.magic = CR_JOB_MAGIC,
                          .n_args = job->args ? (uint32_t)job->n_args : CR_JOB_UNSET,
                          .n_env = job->env ? (uint32_t)job->n_env : CR_JOB_UNSET,
                          .n_fds = (uint32_t)job->n_fds,
                          .has_cwd = job->cwd != NULL,
                          .has_time_limit = job->has_time_limit,
                          .time_limit_ms = job->time_limit_ms,
                          .strings_len = strings};
  memcpy(buf, &w, sizeof w);
  char *p = buf + sizeof w;
  for (size_t i = 0; i < job->n_fds; i++, p += sizeof(int32_t)) {
    int32_t t = job->fds[i].target;
    memcpy(p, &t, sizeof t);
  }
  char *cwd = job->cwd;
  char *const *lists[] = {job->args, job->env, cwd ? &cwd : NULL};
  size_t counts[] = {job->n_args, job->n_env, job->cwd ? 1 : 0};
  for (size_t l = 0; l < 3; l++)
    for (size_t i = 0; lists[l] && i < counts[l]; i++) {
      size_t len = strlen(lists[l][i]) + 1;
      memcpy(p, lists[l][i], len);
      p += len;
    }
  int fd = (int)syscall(SYS_memfd_create, "cleanroom-job", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (fd < 0) return cr_fail(err, errno, "start", "memfd_create");
  if (cr_write_all(fd, buf, size) < 0 ||
      fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) < 0) {
    int saved = errno;
    close(fd);
    return cr_fail(err, saved, "start", "write the job");
  }
  return fd;
}

int cr_launch_start(struct cr_sandbox *sb, const struct cr_job *job, cr_error **err) {
  struct cr_start_msg msg = {.magic = CR_START_MAGIC, .has_job = job != NULL};
  struct iovec iov = {.iov_base = &msg, .iov_len = sizeof msg};
  struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
  union {
    struct cmsghdr hdr;
    char buf[CMSG_SPACE((CR_JOB_MAX_FDS + 1) * sizeof(int))];
  } control;
  cr_autoclose int memfd = -1;
  if (job) {
    if ((memfd = job_memfd(job, err)) < 0) return -1;
    size_t n = 1 + job->n_fds;
    memset(&control, 0, sizeof control);
    mh.msg_control = control.buf;
    mh.msg_controllen = CMSG_SPACE(n * sizeof(int));
    struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(n * sizeof(int));
    int *fds = (int *)CMSG_DATA(c);
    fds[0] = memfd;
    for (size_t i = 0; i < job->n_fds; i++) fds[1 + i] = job->fds[i].source;
  }
  ssize_t sent;
  do sent = sendmsg(sb->plan.ch.start_launcher, &mh, MSG_NOSIGNAL);
  while (sent < 0 && errno == EINTR);
  /* an init that is gone failed during setup: wait says why */
  if (sent < 0 && errno != EPIPE && errno != ECONNRESET)
    return cr_fail(err, errno, "start", "send the start to the sandbox");
  close_end(&sb->plan.ch.start_launcher);
  return 0;
}
