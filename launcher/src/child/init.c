/* SPDX-License-Identifier: MIT */
/* Sandbox side: the init, pid 1 of the new pid namespace (protocol.h). It
 * takes its ids, opens the bind sources, pivots into an empty tmpfs and
 * fills it (the launcher's helper detaches the old root and makes the
 * network namespace meanwhile, helper.c), sets the hostname and what the
 * payload inherits, joins the network namespace and says it is ready. At
 * the start it takes the job, if one comes, and forks the payload; then it
 * gives up everything it held and only reaps, forwards signals, enforces
 * the time limit and reports the payload's end. When it exits the kernel
 * kills every process left in the namespace. System calls only. */
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "child.h"
#include "cr/bpf_run.h"

static const int forwarded_signals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH};

static __attribute__((noreturn)) void fail(const struct cr_plan *plan, int errnum, const char *where,
                                           const char *what) {
  cr_child_fail(plan, errnum, where, what);
}

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* ---- setup ---------------------------------------------------------------- */

/* The ends of the channels the init holds no part of (its copies of the
 * launcher's fd table): closed, so that EOF means what it says. */
static void close_launcher_ends(const struct cr_plan *plan) {
  const struct cr_channels *ch = &plan->ch;
  int ends[] = {ch->maps_written_launcher, ch->records_launcher, ch->helper_sock_helper, ch->start_launcher};
  for (size_t i = 0; i < sizeof ends / sizeof ends[0]; i++)
    if (ends[i] >= 0) close(ends[i]);
}

/* During setup the launcher's thread is inside cr_sandbox_create (or
 * cr_run): its death must end the sandbox. The parent-death signal is
 * cleared whenever credentials change, so this is called again after each
 * change, and the maps pipe tells whether the launcher already died. */
static void die_with_launcher(const struct cr_plan *plan) {
  if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0) fail(plan, errno, "init", "PR_SET_PDEATHSIG");
  struct pollfd pfd = {.fd = plan->ch.maps_written_init, .events = POLLIN};
  if (poll(&pfd, 1, 0) > 0 && (pfd.revents & (POLLHUP | POLLERR)) && !(pfd.revents & POLLIN))
    _exit(CR_EXIT_LAUNCHER_FAILED);
}

/* The value the kernel kept, for the report: it is a ceiling. */
static int32_t read_oom_score_adj(int fd) {
  char buf[16];
  ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
  if (n <= 0) return 0;
  buf[n] = '\0';
  bool negative = buf[0] == '-';
  int32_t v = 0;
  for (const char *c = buf + negative; *c >= '0' && *c <= '9'; c++) v = v * 10 + (*c - '0');
  return negative ? -v : v;
}

/* Declared, else 0: while the init may still open its own /proc files (it is
 * dumpable until its maps are written), and the host's /proc is there; the
 * payload inherits it at fork. Raising needs no privilege; lowering below
 * what the launcher had does, and what the sandbox cannot lower carries
 * over (a ceiling). */
/* The init's own oom_score_adj goes back to what it inherited once the
 * payload is forked with the sandbox's (init_oom_after_fork): the OOM
 * killer must choose the payload, not the init, which is a copy of the
 * launcher's process and may have the larger resident set (a host under a
 * sanitizer, a big interpreter). */
static struct {
  int fd;
  char inherited[16];
} init_oom = {.fd = -1};

static void set_oom_score_adj(const struct cr_plan *plan, struct cr_carried *carried) {
  const struct cr_process *p = &plan->cfg->process;
  int adj = p->has_oom_score_adj ? p->oom_score_adj : 0; /* undeclared: a fresh process's */
  char text[16];
  if (adj < 0) {
    text[0] = '-';
    cr_fmt_uint(text + 1, sizeof text - 1, (unsigned long long)-(long long)adj);
  } else {
    cr_fmt_uint(text, sizeof text, (unsigned long long)adj);
  }
  int fd = open("/proc/self/oom_score_adj", O_RDWR | O_CLOEXEC);
  if (fd < 0) fail(plan, errno, "process.oom_score_adj", "open /proc/self/oom_score_adj");
  ssize_t n = pread(fd, init_oom.inherited, sizeof init_oom.inherited - 1, 0);
  init_oom.inherited[n > 0 ? n : 0] = '\0';
  if (cr_write_all(fd, text, strlen(text)) < 0) {
    if (errno != EACCES) fail(plan, errno, "process.oom_score_adj", "write /proc/self/oom_score_adj");
    carried->bits |= CR_CARRIED_OOM_SCORE_ADJ;
    carried->oom_score_adj = read_oom_score_adj(fd);
  }
  init_oom.fd = fd;
}

/* Best effort: a value the kernel refuses leaves the init as the payload. */
static void init_oom_after_fork(void) {
  if (init_oom.fd < 0) return;
  if (init_oom.inherited[0]) (void)cr_write_all(init_oom.fd, init_oom.inherited, strlen(init_oom.inherited));
  close(init_oom.fd);
  init_oom.fd = -1;
}

/* Wait until the launcher has written our id maps. While it does, this
 * process stays dumpable (an ordinary user can only write the maps of a
 * dumpable process); right after, nothing of the sandbox may read it. */
static void wait_for_id_maps(const struct cr_plan *plan) {
  char go = 0;
  ssize_t n;
  cr_wait_readable(plan->ch.maps_written_init);
  do n = read(plan->ch.maps_written_init, &go, 1);
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
 * after clone; become the sandbox ids now so that nothing is created, opened
 * or run as root. An ordinary caller already is the mapped id. */
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
  /* A change of ids resets the dumpable flag to fs.suid_dumpable: at 1 the
   * init would be dumpable again, with the payload's ids, so its processes
   * could ptrace it or write its memory. */
  if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0) fail(plan, errno, "init", "PR_SET_DUMPABLE");
}

/* Bytes of the init's own state: per filesystem entry its tree fd and
 * device node fds, the filesystems it made, and the payload's fd table
 * twice (with room for a job's). */
static size_t state_bytes(const struct cr_plan *plan) {
  size_t n_fs = plan->cfg->n_fs;
  return (n_fs + 2) * sizeof(dev_t) + n_fs * (1 + CR_DEV_NODE_COUNT) * sizeof(int) +
         2 * (plan->n_fds + CR_JOB_MAX_FDS) * sizeof(struct cr_fd_slot);
}

/* The init's own state, in `mem` (state_bytes of it): no allocator here. */
static void init_state(const struct cr_plan *plan, struct cr_init_state *st, char *mem) {
  size_t n_fs = plan->cfg->n_fs;
  memset(st, 0, sizeof *st);
  st->n_own_devs_max = n_fs + 2;
  size_t ints = n_fs * (1 + CR_DEV_NODE_COUNT);
  st->own_devs = (dev_t *)mem;
  st->tree_fds = (int *)(mem + st->n_own_devs_max * sizeof(dev_t));
  st->dev_node_fds = st->tree_fds + n_fs;
  for (size_t i = 0; i < ints; i++) st->tree_fds[i] = -1;
  st->fds = (struct cr_fd_slot *)(st->tree_fds + ints);
  st->payload_fds = st->fds + plan->n_fds + CR_JOB_MAX_FDS;
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

/* ---- the start ------------------------------------------------------------ */

/* Built: from now on the launcher's thread may be anywhere (a host may
 * create in one thread and wait in another, and the parent-death signal
 * follows the creating thread), so the init watches the launcher's process
 * instead (launcher_pidfd). Not when the start comes at once (cr_run):
 * then that thread waits for the end, and nobody waits for READY. */
static void say_ready(const struct cr_plan *plan) {
  if (prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0) < 0) fail(plan, errno, "init", "PR_SET_PDEATHSIG");
  struct pollfd pfd = {.fd = plan->ch.launcher_pidfd, .events = POLLIN};
  if (poll(&pfd, 1, 0) != 0) _exit(CR_EXIT_LAUNCHER_FAILED); /* gone already */
  cr_child_report(plan, CR_RECORD_READY, 0, "init", "ready");
}

/* The config's process and fd table, copied for the payload (st->fds has
 * room for a job's fds besides). */
static void take_config_process(const struct cr_plan *plan, struct cr_init_state *st) {
  const struct cr_process *p = &plan->cfg->process;
  st->argv = plan->argv;
  st->envp = plan->envp;
  st->path = p->path;
  st->search_path = plan->search_path;
  st->cwd = p->cwd;
  memcpy(st->fds, plan->fds, plan->n_fds * sizeof *plan->fds);
  st->n_fds = plan->n_fds;
  st->max_target = plan->max_target;
}

/* Fd `target` of the payload becomes `source` (one of the job's): replaces
 * the config's, or is inserted in order. */
static void place_fd(struct cr_init_state *st, int target, int source) {
  size_t i = 0;
  while (i < st->n_fds && st->fds[i].target < target) i++;
  if (i < st->n_fds && st->fds[i].target == target) {
    st->fds[i].source = source;
    return;
  }
  memmove(st->fds + i + 1, st->fds + i, (st->n_fds - i) * sizeof *st->fds);
  st->fds[i] = (struct cr_fd_slot){.target = target, .source = source};
  st->n_fds++;
  if (target > st->max_target) st->max_target = target;
}

/* The next NUL-terminated string of the job's strings, or NULL past the end. */
static const char *next_string(const char **p, const char *end) {
  const char *s = *p;
  const char *nul = s < end ? memchr(s, '\0', (size_t)(end - s)) : NULL;
  if (!nul) return NULL;
  *p = nul + 1;
  return s;
}

/* The job in its memfd (struct cr_job_wire), with the fds that came along. */
static void take_job(const struct cr_plan *plan, struct cr_init_state *st, int memfd, const int *fds,
                     size_t n_fds, uint64_t *time_limit_ms) {
  struct stat sb;
  if (fstat(memfd, &sb) < 0 || (size_t)sb.st_size < sizeof(struct cr_job_wire))
    fail(plan, EINVAL, "start", "the job is malformed");
  const char *blob = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE, memfd, 0);
  if (blob == MAP_FAILED) fail(plan, errno, "start", "map the job");
  close(memfd);
  const struct cr_job_wire *w = (const struct cr_job_wire *)blob;
  const int32_t *targets = (const int32_t *)(blob + sizeof *w);
  size_t n_targets = w->n_fds;
  const char *strings = (const char *)(targets + n_targets);
  const char *end = blob + sb.st_size;
  if (w->magic != CR_JOB_MAGIC || n_targets != n_fds || n_fds > CR_JOB_MAX_FDS || strings > end ||
      w->strings_len != (uint64_t)(end - strings))
    fail(plan, EINVAL, "start", "the job is malformed");
  take_config_process(plan, st);
  size_t n_args = w->n_args == CR_JOB_UNSET ? 0 : w->n_args;
  size_t n_env = w->n_env == CR_JOB_UNSET ? 0 : w->n_env;
  if (n_args > (size_t)(end - strings) || n_env > (size_t)(end - strings))
    fail(plan, EINVAL, "start", "the job is malformed");
  char **vec = cr_map_anonymous((n_args + 1 + n_env + 1) * sizeof *vec);
  if (!vec) fail(plan, errno, "start", "map the job");
  const char *p = strings;
  for (size_t i = 0; i < n_args; i++)
    if (!(vec[i] = (char *)next_string(&p, end))) fail(plan, EINVAL, "start", "the job is malformed");
  for (size_t i = 0; i < n_env; i++)
    if (!(vec[n_args + 1 + i] = (char *)next_string(&p, end)))
      fail(plan, EINVAL, "start", "the job is malformed");
  if (w->n_args != CR_JOB_UNSET) {
    st->argv = vec;
    st->path = NULL; /* new args: argv[0] is looked up, as cr_config_set_args */
  }
  if (w->n_env != CR_JOB_UNSET) st->envp = vec + n_args + 1;
  if (w->has_cwd && !(st->cwd = next_string(&p, end))) fail(plan, EINVAL, "start", "the job is malformed");
  for (size_t i = 0; i < n_fds; i++) place_fd(st, targets[i], fds[i]);
  if (w->has_time_limit) *time_limit_ms = w->time_limit_ms;
}

/* The payload is about to start: its fd layout's needs, and the time
 * limit counts from now. */
static void start_deadline(struct cr_init_state *st, uint64_t time_limit_ms) {
  st->fd_numbers_needed = (rlim_t)st->max_target + 1 + st->n_fds + CR_PAYLOAD_SPARE_FDS;
  st->deadline_ns = time_limit_ms ? now_ns() + time_limit_ms * 1000000u : 0;
}

/* Wait for the start (or for the launcher's end); take the job that comes
 * with it, or the config's process. */
static void wait_for_start(const struct cr_plan *plan, struct cr_init_state *st) {
  struct cr_start_msg msg;
  struct iovec iov = {.iov_base = &msg, .iov_len = sizeof msg};
  union {
    struct cmsghdr hdr;
    char buf[CMSG_SPACE((CR_JOB_MAX_FDS + 1) * sizeof(int))];
  } control;
  struct msghdr mh = {
      .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf, .msg_controllen = sizeof control.buf};
  /* with cr_run the start is there already: no poll first */
  ssize_t got = recvmsg(plan->ch.start_init, &mh, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
  struct pollfd pfds[2] = {{.fd = plan->ch.start_init, .events = POLLIN},
                           {.fd = plan->ch.launcher_pidfd, .events = POLLIN}};
  while (got < 0 && (errno == EAGAIN || errno == EINTR)) {
    int n = poll(pfds, 2, -1);
    if (n < 0 && errno != EINTR) fail(plan, errno, "init", "poll");
    if (n > 0 && pfds[1].revents) _exit(CR_EXIT_LAUNCHER_FAILED); /* the launcher is gone */
    mh.msg_controllen = sizeof control.buf;
    got = recvmsg(plan->ch.start_init, &mh, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
  }
  if (got == 0) _exit(0); /* freed before it was started */
  if (got != (ssize_t)sizeof msg || msg.magic != CR_START_MAGIC || (mh.msg_flags & MSG_CTRUNC))
    fail(plan, EINVAL, "start", "the start message is malformed");
  uint64_t time_limit_ms = plan->time_limit_ms;
  const int *fds = NULL;
  size_t n_fds = 0;
  struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
  if (c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
    fds = (const int *)CMSG_DATA(c);
    n_fds = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
  }
  if (msg.has_job) {
    if (n_fds < 1) fail(plan, EINVAL, "start", "the job is missing");
    take_job(plan, st, fds[0], fds + 1, n_fds - 1, &time_limit_ms);
  } else {
    take_config_process(plan, st);
  }
  start_deadline(st, time_limit_ms);
}

/* ---- supervision ------------------------------------------------------------ */

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

/* ---- the listener: refusals and exec_once ------------------------------------ */

/* What the init learns from the seccomp listener, for the report. */
struct refusals {
  const struct cr_bpf *bpf; /* the real program: the answer to each notification */
  pid_t payload;
  int execs_allowed;      /* exec_once: the payload's own exec */
  uint32_t execs_refused; /* exec_once: the execs refused after it */
  bool payload_killed;    /* the init killed the payload's process at a call the filter kills at */
  bool must_end;          /* a caller the filter kills could not be killed alone: the sandbox ends */
  int listener;           /* the seccomp listener the notifications come from */
  struct cr_denied_table denied;
  struct cr_learned_wire *learned; /* learn mode (the learning program), else NULL */
};

/* The native architecture, as a notification's data names it (no library
 * call here: the init runs system calls only). */
#if defined(__x86_64__) && !defined(__ILP32__)
#define AUDIT_ARCH_NATIVE AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define AUDIT_ARCH_NATIVE AUDIT_ARCH_AARCH64
#else
#define AUDIT_ARCH_NATIVE 0 /* no fixed argument rule: the generic one applies */
#endif

/* The arguments a learned entry keeps (protocol.h): every one the filter
 * looked at, and those the default profile rules on. */
static uint32_t learned_args(const struct seccomp_data *d, uint32_t args_read) {
  uint32_t keep = args_read & 0x3fu;
  if (d->arch == AUDIT_ARCH_NATIVE) {
    switch (d->nr) {
      case SYS_socket:
      case SYS_personality:
      case SYS_clone: keep |= 1u << 0; break;
      case SYS_ioctl: keep |= 1u << 1; break;
      default: break;
    }
  }
  return keep;
}

/* Record one call answered `action` (allowed, or ENOSYS). */
static void learn_call(struct cr_learned_wire *t, const struct seccomp_data *d, uint32_t action,
                       uint32_t args_read) {
  struct cr_learned_entry call = {.arch = d->arch, .nr = d->nr, .action = action};
  call.args_kept = learned_args(d, args_read);
  for (uint32_t i = 0; i < 6; i++)
    if (call.args_kept & (1u << i)) call.args[i] = d->args[i];
  for (uint32_t i = 0; i < t->n; i++)
    if (memcmp(&t->e[i], &call, sizeof call) == 0) return; /* no padding: all fields fixed-size, aligned */
  if (t->n == CR_LEARNED_MAX) {
    if (t->overflow < UINT32_MAX) t->overflow++;
    return;
  }
  t->e[t->n++] = call;
}

/* The lowest arguments the program looked at, in `e` (at most CR_DENIED_ARGS). */
static void keep_args(struct cr_denied_entry *e, const struct seccomp_data *d, uint32_t args_read) {
  e->n_args = 0;
  for (uint32_t i = 0; i < 6 && e->n_args < CR_DENIED_ARGS; i++) {
    if (!(args_read & (1u << i))) continue;
    e->arg_index[e->n_args] = i;
    e->arg_value[e->n_args++] = d->args[i];
  }
}

static bool same_call(const struct cr_denied_entry *a, const struct cr_denied_entry *b) {
  if (a->arch != b->arch || a->nr != b->nr || a->action != b->action || a->n_args != b->n_args) return false;
  for (uint32_t i = 0; i < a->n_args; i++)
    if (a->arg_index[i] != b->arg_index[i] || a->arg_value[i] != b->arg_value[i]) return false;
  return true;
}

static void count_up(uint32_t *n) {
  if (*n < UINT32_MAX) (*n)++; /* a flood saturates, never wraps */
}

/* Count one refusal, under "other" when the table is full. */
static void count_refusal(struct cr_denied_table *t, const struct seccomp_data *d, uint32_t action,
                          uint32_t args_read) {
  struct cr_denied_entry call = {.arch = d->arch, .nr = d->nr, .action = action};
  keep_args(&call, d, args_read);
  for (uint32_t i = 0; i < t->n; i++)
    if (same_call(&t->e[i], &call)) return count_up(&t->e[i].count);
  if (t->n == CR_DENIED_MAX) return count_up(&t->other);
  call.count = 1;
  t->e[t->n++] = call;
}

/* A call the filter kills at: the init kills the caller's whole process
 * (a thread's too: SIGKILL takes every thread). Before the answer, so that
 * not one instruction of the caller runs after the call. The payload's own
 * process is reported as the kernel's kill would have ended it (SIGSYS). */
static void killed_at(struct refusals *r, const struct seccomp_data *d) {
  if (r->denied.killed_at) return; /* the first */
  r->denied.killed_at = 1;
  r->denied.killed_arch = d->arch;
  r->denied.killed_nr = (uint32_t)d->nr;
}

static void kill_caller(struct refusals *r, const struct seccomp_notif *req) {
  const struct seccomp_data *d = &req->data;
  pid_t tid = (pid_t)req->pid;
  /* the caller still waits in this very call, so its tid is not another's */
  uint64_t id = req->id;
  if (ioctl(r->listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &id) < 0) return;
  bool in_payload = syscall(SYS_tgkill, r->payload, tid, 0) == 0; /* signal 0: only asks */
  if (kill(tid, SIGKILL) < 0) {
    /* another id (CAP_SETUID): the whole sandbox ends instead, the init's
     * exit taking it; the call itself is refused meanwhile */
    r->must_end = true;
    r->payload_killed = true;
    killed_at(r, d);
    return;
  }
  if (!in_payload) return;
  r->payload_killed = true;
  killed_at(r, d);
}

/* The answer of the real program to one notification. */
static void answer(struct refusals *r, const struct seccomp_notif *req, struct seccomp_notif_resp *resp) {
  struct cr_bpf_run run;
  resp->error = -EPERM; /* a program the init cannot run: refused, never allowed */
  if (cr_bpf_run(r->bpf->insns, r->bpf->len, &req->data, &run) < 0) return;
  uint32_t kind = run.action & SECCOMP_RET_ACTION_FULL;
  if (kind == SECCOMP_RET_USER_NOTIF) { /* exec_once: the payload's own exec, and no other */
    if (r->execs_allowed > 0) {
      r->execs_allowed--;
      resp->error = 0;
      resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
      if (r->learned) learn_call(r->learned, &req->data, SECCOMP_RET_ALLOW, run.args_read);
    } else {
      r->execs_refused++;
    }
    return;
  }
  /* learn mode: what the filter allows goes on, as the kernel would let
   * it; an ENOSYS fall-through is answered and kept, as libc's fallbacks
   * need it */
  if (r->learned && (kind == SECCOMP_RET_ALLOW || kind == SECCOMP_RET_LOG)) {
    resp->error = 0;
    resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
    learn_call(r->learned, &req->data, SECCOMP_RET_ALLOW, run.args_read);
    return;
  }
  if (r->learned && kind == SECCOMP_RET_ERRNO && (run.action & SECCOMP_RET_DATA) == ENOSYS) {
    resp->error = -(int32_t)(run.action & SECCOMP_RET_DATA);
    learn_call(r->learned, &req->data, run.action, run.args_read);
    return;
  }
  count_refusal(&r->denied, &req->data, run.action, run.args_read);
  if (kind == SECCOMP_RET_ERRNO) resp->error = -(int32_t)(run.action & SECCOMP_RET_DATA);
  if (kind == SECCOMP_RET_KILL_PROCESS || kind == SECCOMP_RET_KILL_THREAD) kill_caller(r, req);
}

/* Linux 6.6: the caller and the init hand the CPU to each other instead of
 * waking through the scheduler, which a round trip per call (learn mode)
 * pays for every call. Older kernels: EINVAL, the usual wake-up. */
#ifndef SECCOMP_IOCTL_NOTIF_SET_FLAGS
#define SECCOMP_IOCTL_NOTIF_SET_FLAGS SECCOMP_IOW(4, __u64)
#endif
#define CR_USER_NOTIF_FD_SYNC_WAKE_UP 1
static void wake_synchronously(int listener) {
  if (listener >= 0) (void)ioctl(listener, SECCOMP_IOCTL_NOTIF_SET_FLAGS, CR_USER_NOTIF_FD_SYNC_WAKE_UP);
}

/* One notification, once poll said the listener is readable: RECV does
 * not block then (ENOENT when the caller died in between). */
static void answer_notification(int listener, struct refusals *r) {
  struct seccomp_notif req;
  struct seccomp_notif_resp resp;
  memset(&req, 0, sizeof req);
  if (ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, &req) < 0) return;
  r->listener = listener;
  memset(&resp, 0, sizeof resp);
  resp.id = req.id;
  answer(r, &req, &resp);
  /* unanswered, the caller waits in the call until the sandbox's end
   * takes it: not one instruction of it runs after a call it dies at */
  if (r->must_end) return;
  (void)ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &resp); /* ENOENT: the caller is gone */
}

/* Reap every child; return when the payload has ended. */
static int reap(pid_t payload, int *payload_status) {
  int status;
  pid_t pid;
  int ended = 0;
  while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
    /* A child that made the init its tracer (PTRACE_TRACEME) reports its
     * stops here: it has not ended. Let it go on, with its signal. */
    if (WIFSTOPPED(status)) {
      syscall(SYS_ptrace, PTRACE_DETACH, pid, NULL, (long)WSTOPSIG(status));
      continue;
    }
    if (pid == payload) {
      *payload_status = status;
      ended = 1;
    }
  }
  return ended;
}

/* From pid 1, kill(-1) reaches every other process of the namespace. */
/* Kill and reap all it may. A process it may not signal (a payload given
 * CAP_SETUID that took another id) is not waited for: the init's own end
 * kills it, as the kernel ends every process of a pid namespace whose
 * pid 1 exits. */
#define REAP_PATIENCE_MS 200 /* a process SIGKILL has not ended by then: the init's end takes it */
static void kill_and_reap_all(pid_t payload, int *payload_status) {
  /* kill(-1) succeeds even when it may signal none: no telling from it */
  kill(-1, SIGKILL);
  for (int idle_ms = 0; idle_ms < REAP_PATIENCE_MS;) {
    int status;
    pid_t pid = waitpid(-1, &status, WNOHANG);
    if (pid < 0 && errno == EINTR) continue;
    if (pid < 0) return; /* ECHILD: all reaped */
    if (pid > 0) {
      if (pid == payload && !WIFSTOPPED(status)) *payload_status = status;
      idle_ms = 0;
      continue;
    }
    struct timespec ms = {.tv_nsec = 1000000};
    nanosleep(&ms, NULL);
    idle_ms++;
    kill(-1, SIGKILL); /* what forked meanwhile */
  }
}

/* Milliseconds until the time limit runs out (rounded up), -1 for none. */
static int time_left_ms(const struct cr_init_state *st) {
  if (!st->deadline_ns) return -1;
  uint64_t now = now_ns();
  if (now >= st->deadline_ns) return 0;
  uint64_t left = (st->deadline_ns - now + 999999) / 1000000;
  return left > 1000000000 ? 1000000000 : (int)left;
}

/* Job control: every process of the sandbox stops, and the launcher hears
 * so before it stops itself. */
static void stop_sandbox(const struct cr_plan *plan) {
  kill(-1, SIGSTOP);
  cr_child_report(plan, CR_RECORD_STOPPED, 0, "init", "stopped");
}

/* Learn mode: the learned table, its used part only, before the end. */
static void report_learned(const struct cr_plan *plan, struct cr_learned_wire *t) {
  t->kind = CR_RECORD_LEARNED;
  size_t len = offsetof(struct cr_learned_wire, e) + t->n * sizeof t->e[0];
  ssize_t n;
  do n = send(plan->ch.records_sandbox, t, len, MSG_NOSIGNAL);
  while (n < 0 && errno == EINTR);
}

static void report_end(const struct cr_plan *plan, int status, bool time_limit_hit, const struct refusals *r,
                       const struct cr_carried *carried) {
  char buf[sizeof(struct cr_record_head)];
  struct cr_record_head head;
  memset(&head, 0, sizeof head);
  head.kind = CR_RECORD_PAYLOAD_ENDED;
  head.wstatus = status;
  head.time_limit_hit = time_limit_hit;
  head.execs_refused = r->execs_refused;
  head.denied = r->denied;
  head.carried = *carried;
  getrusage(RUSAGE_CHILDREN, &head.usage);
  memcpy(buf, &head, sizeof head);
  ssize_t n;
  do n = send(plan->ch.records_sandbox, buf, sizeof buf, MSG_NOSIGNAL);
  while (n < 0 && errno == EINTR);
}

static __attribute__((noreturn)) void supervise(const struct cr_plan *plan, const struct cr_init_state *st,
                                                pid_t payload, int sigfd, int listener,
                                                const struct cr_carried *carried) {
  static struct refusals r; /* the init's only one: off its (maybe small) stack */
  static struct cr_learned_wire learned;
  r = (struct refusals){.bpf = &plan->bpf, .payload = payload, .execs_allowed = 1};
  /* the payload installed the real program without a listener (payload.c) */
  if (cr_plan_notifies(plan) && listener < 0) r.denied.unreported = 1;
  if (plan->bpf.learning) {
    memset(&learned, 0, offsetof(struct cr_learned_wire, e));
    r.learned = &learned;
  }
  int status = 0;
  bool time_limit_hit = false;
  for (;;) {
    struct pollfd pfds[3] = {{.fd = sigfd, .events = POLLIN},
                             {.fd = plan->ch.launcher_pidfd, .events = POLLIN},
                             {.fd = listener, .events = POLLIN}};
    int n = poll(pfds, listener >= 0 ? 3 : 2, time_left_ms(st));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail(plan, errno, "init", "poll");
    if (n == 0 && time_left_ms(st) == 0) { /* the time limit: the whole sandbox ends */
      time_limit_hit = true;
      kill_and_reap_all(payload, &status);
      break;
    }
    if (pfds[1].revents) { /* the launcher's process is gone: so is the sandbox */
      kill_and_reap_all(payload, &status);
      _exit(CR_EXIT_LAUNCHER_FAILED);
    }
    if (listener >= 0 && (pfds[2].revents & POLLIN)) answer_notification(listener, &r);
    if (r.must_end) {
      kill_and_reap_all(payload, &status);
      status = SIGSYS; /* as the kernel's kill would have ended it */
      break;
    }
    if (listener >= 0 && (pfds[2].revents & (POLLHUP | POLLERR))) {
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
  /* the kernel's kill would have ended it with SIGSYS: so does the report */
  if (r.payload_killed && WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) status = SIGSYS;
  if (r.learned) report_learned(plan, r.learned);
  report_end(plan, status, time_limit_hit, &r, carried);
  _exit(0);
}

/* ---- the payload's start ---------------------------------------------------- */

/* Without exec_once the payload starts vfork-style: it shares the init's
 * memory (no address space to copy, none to tear down at its execve) and
 * the init sleeps until that execve. With exec_once the init must answer
 * the payload's execve notification, so it cannot sleep: a plain fork.
 * The reporting program alone keeps the vfork: the calls the payload makes
 * between its filter and its exec are never notified (policies/
 * reporting.c), and its listener waits in the notify socket meanwhile. */
#if defined(__SANITIZE_ADDRESS__)
/* AddressSanitizer cannot follow a process onto another stack without
 * fiber annotations and warns on the payload's stderr: sanitizer builds
 * start the payload with a plain fork. */
#define CR_VFORK_PAYLOAD 0
#else
#define CR_VFORK_PAYLOAD 1
#endif
#define PAYLOAD_STACK_SIZE (256 * 1024)

struct payload_start {
  const struct cr_plan *plan;
  const struct cr_init_state *st;
  int notify_sock;
};

static int payload_entry(void *arg) {
  const struct payload_start *ps = arg;
  cr_payload_main(ps->plan, ps->st, ps->notify_sock);
}

static pid_t start_payload(const struct cr_plan *plan, const struct cr_init_state *st,
                           const int notify_pair[2]) {
  if (CR_VFORK_PAYLOAD && !plan->bpf.exec_once) {
    /* its own stack; the init's memory, this included, goes with the init */
    void *stack = mmap(NULL, PAYLOAD_STACK_SIZE, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    if (stack == MAP_FAILED) return -1;
    /* read before the init goes on; the payload's copy of notify_pair[0]
     * is close-on-exec */
    struct payload_start ps = {.plan = plan, .st = st, .notify_sock = notify_pair[1]};
    return clone(payload_entry, (char *)stack + PAYLOAD_STACK_SIZE, CLONE_VM | CLONE_VFORK | SIGCHLD, &ps);
  }
  pid_t pid = cr_clone3(0, -1, NULL);
  if (pid == 0) {
    close(notify_pair[0]);
    cr_payload_main(plan, st, notify_pair[1]);
  }
  return pid;
}

void cr_init_main(const struct cr_plan *plan) {
  cr_mark(plan->marks, CR_MARK_INIT_RUNNING);
  close_launcher_ends(plan);
  if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0) fail(plan, errno, "init", "PR_SET_PDEATHSIG");
  struct cr_carried carried; /* what the sandbox keeps as a ceiling, for the report */
  memset(&carried, 0, sizeof carried);
  set_oom_score_adj(plan, &carried);
  wait_for_id_maps(plan);
  cr_mark(plan->marks, CR_MARK_INIT_GO);
  wipe_launcher_strings(plan);
  become_sandbox_ids(plan);
  /* its state on its stack when small (a copy of a thread's stack may be
   * small too), else mapped */
  size_t bytes = state_bytes(plan);
  char on_stack[bytes <= 16384 ? bytes : 1] __attribute__((aligned(16)));
  char *mem = bytes <= 16384 ? on_stack : cr_map_anonymous(bytes);
  if (!mem) fail(plan, errno, "init", "map its memory");
  struct cr_init_state st;
  init_state(plan, &st, mem);
  /* as the sandbox's ids: a bind source gives the sandbox no more than its
   * host identity may reach */
  cr_mount_open_sources(plan, &st);
  cr_mark(plan->marks, CR_MARK_SOURCES_OPEN);
  int rootfd = cr_mount_enter_new_root(plan);
  cr_helper_root_pivoted(plan);
  cr_mount_build_root(plan, &st, rootfd);
  cr_mark(plan->marks, CR_MARK_ROOT_BUILT);
  set_hostname(plan);
  /* the payload's bounding set, once for it and the init (which never execs);
   * done while the launcher's helper may still be making the network */
  if (cr_drop_bounding_set(plan, ~plan->kept_caps) < 0) fail(plan, errno, "capabilities", "bounding set");
  int notify_pair[2] = {-1, -1};
  if (cr_plan_notifies(plan) && socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, notify_pair) < 0)
    fail(plan, errno, "init", "socketpair");
  cr_payload_set_inherited(plan, &carried);
  enter_new_ipc_namespace(plan);
  sigset_t set;
  block_signals(plan, &set);
  cr_helper_join_network(plan);
  cr_mark(plan->marks, CR_MARK_NET_JOINED);
  if (plan->start_at_once) {
    take_config_process(plan, &st);
    start_deadline(&st, plan->time_limit_ms);
  } else {
    say_ready(plan);
    wait_for_start(plan, &st);
  }
  /* Nothing of the sandbox may attach to, read or write the init (default
   * allows ptrace): it must not be dumpable when its first process starts. */
  if (prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) != 0)
    fail(plan, 0, "init", "the init is dumpable: refusing to start");
  pid_t payload = start_payload(plan, &st, notify_pair);
  if (payload < 0) fail(plan, errno, "init", "start the payload");
  init_oom_after_fork();

  if (notify_pair[1] >= 0) close(notify_pair[1]);
  int sigfd = signalfd(-1, &set, SFD_CLOEXEC);
  if (sigfd < 0) fail(plan, errno, "init", "signalfd");
  int keep[] = {plan->ch.records_sandbox, plan->ch.launcher_pidfd, sigfd, notify_pair[0]};
  give_up_everything(plan, keep, notify_pair[0] >= 0 ? 4 : 3);
  int listener = notify_pair[0] >= 0 ? cr_recv_fd(notify_pair[0]) : -1;
  if (notify_pair[0] >= 0) close(notify_pair[0]);
  wake_synchronously(listener);
  supervise(plan, &st, payload, sigfd, listener, &carried);
}
