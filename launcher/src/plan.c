/* SPDX-License-Identifier: MIT */
/* Launcher side: turn a config into a plan the sandbox carries out without
 * allocating (plan.h). Every host-side check that can fail does so here,
 * before any process starts. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "child/child.h"
#include "cr/cleanup.h"
#include "identity.h"
#include "plan.h"
#include "subids.h"

#define CLONE_NEWTIME_FLAG 0x00000080ull /* CLONE_NEWTIME: clone3 only */

/* Left out: the network namespace, which the launcher's helper makes
 * (helper.c), and the IPC namespace (~30 us), which the init makes while it
 * waits for the network. */
static uint64_t clone_flags_of(unsigned ns) {
  uint64_t flags = 0;
  if (ns & CR_NS_USER) flags |= CLONE_NEWUSER;
  if (ns & CR_NS_PID) flags |= CLONE_NEWPID;
  if (ns & CR_NS_MOUNT) flags |= CLONE_NEWNS;
  if (ns & CR_NS_UTS) flags |= CLONE_NEWUTS;
  if (ns & CR_NS_CGROUP) flags |= CLONE_NEWCGROUP;
  if (ns & CR_NS_TIME) flags |= CLONE_NEWTIME_FLAG;
  return flags;
}

static int prepare_ids(struct cr_plan *plan, cr_error **err) {
  if (cr_identity_of(plan->cfg, &plan->identity, err) < 0) return -1;
  plan->caller_is_root = plan->identity.switched;
  plan->outer_uid = plan->identity.uid;
  plan->outer_gid = plan->identity.gid;
  return 0;
}

static int open_fd_source(struct cr_plan *plan, size_t index, const struct cr_fd_entry *e, cr_error **err) {
  char where[64];
  snprintf(where, sizeof where, "$.fds[%zu] (fd %d)", index, e->fd);
  switch (e->kind) {
    case CR_FD_INHERIT:
      if (fcntl(e->inherit_fd, F_GETFD) < 0)
        return cr_fail(err, 0, where, "inherit %d: cleanroom was started without an fd %d", e->inherit_fd,
                       e->inherit_fd);
      return e->inherit_fd;
    case CR_FD_NULL: return plan->null_fd;
    case CR_FD_PATH: {
      /* with the sandbox's rights: the config's author chose the name; and
     * without blocking, should a FIFO have been planted there */
      int fd = cr_fd_above_stdio(
          cr_open_as(&plan->identity, e->path, e->open_flags | O_NONBLOCK, 0666, where, err));
      if (fd < 0) return err && *err ? -1 : cr_fail(err, errno, where, "fcntl %s", e->path);
      plan->opened_fds[plan->n_opened++] = fd;
      if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) < 0)
        return cr_fail(err, errno, where, "fcntl %s", e->path);
      return fd;
    }
  }
  return cr_fail(err, 0, where, "unknown fd kind");
}

/* The payload lays out its fd table above the highest target first
 * (payload.c): the fd numbers it needs must fit RLIMIT_NOFILE. It raises
 * its soft limit to the hard one for that; the hard limit is a ceiling. */
static int check_fd_limit(struct cr_plan *plan, cr_error **err) {
  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) < 0) return cr_fail(err, errno, "fds", "getrlimit");
  plan->nofile_hard = rl.rlim_max;
  rlim_t needed = (rlim_t)plan->max_target + 1 + plan->n_fds + CR_PAYLOAD_SPARE_FDS;
  if (rl.rlim_max != RLIM_INFINITY && needed > rl.rlim_max)
    return cr_fail(err, EMFILE, "fds",
                   "fd %d needs RLIMIT_NOFILE of at least %llu, and cleanroom's hard limit is %llu: "
                   "raise it (ulimit -Hn) or use lower fd numbers",
                   plan->max_target, (unsigned long long)needed, (unsigned long long)rl.rlim_max);
  return 0;
}

static int prepare_fds(struct cr_plan *plan, cr_error **err) {
  const struct cr_config *cfg = plan->cfg;
  plan->null_fd = cr_fd_above_stdio(open("/dev/null", O_RDWR | O_CLOEXEC | O_NOCTTY));
  if (plan->null_fd < 0) return cr_fail(err, errno, "fds", "open /dev/null");
  plan->fds = calloc(cfg->n_fds ? cfg->n_fds : 1, sizeof *plan->fds);
  plan->opened_fds = calloc(cfg->n_fds ? cfg->n_fds : 1, sizeof *plan->opened_fds);
  if (!plan->fds || !plan->opened_fds) return cr_fail(err, ENOMEM, "fds", "allocate");
  plan->max_target = 2;
  for (size_t i = 0; i < cfg->n_fds; i++) {
    int source = open_fd_source(plan, i, &cfg->fds[i], err);
    if (source < 0) return -1;
    plan->fds[i] = (struct cr_fd_slot){.target = cfg->fds[i].fd, .source = source};
    if (cfg->fds[i].fd > plan->max_target) plan->max_target = cfg->fds[i].fd;
  }
  plan->n_fds = cfg->n_fds;
  /* sorted by target whatever order the config holds (the parser sorts;
   * a program may build a config otherwise) */
  for (size_t i = 1; i < plan->n_fds; i++)
    for (size_t j = i; j > 0 && plan->fds[j - 1].target > plan->fds[j].target; j--) {
      struct cr_fd_slot t = plan->fds[j];
      plan->fds[j] = plan->fds[j - 1];
      plan->fds[j - 1] = t;
    }
  for (size_t i = 1; i < plan->n_fds; i++)
    if (plan->fds[i].target == plan->fds[i - 1].target)
      return cr_fail(err, 0, "fds", "fd %d is declared twice", plan->fds[i].target);
  return check_fd_limit(plan, err);
}

static int prepare_exec(struct cr_plan *plan, cr_error **err) {
  const struct cr_process *p = &plan->cfg->process;
  plan->argv = p->args;
  plan->envp = calloc(p->n_env + 1, sizeof *plan->envp);
  if (!plan->envp) return cr_fail(err, ENOMEM, "env", "allocate");
  plan->search_path = "/usr/local/bin:/usr/bin:/bin";
  for (size_t i = 0; i < p->n_env; i++) {
    if (asprintf(&plan->envp[i], "%s=%s", p->env[i].name, p->env[i].value) < 0) {
      plan->envp[i] = NULL;
      return cr_fail(err, ENOMEM, "env", "allocate");
    }
    if (strcmp(p->env[i].name, "PATH") == 0) plan->search_path = p->env[i].value;
  }
  return 0;
}

static int prepare_caps(struct cr_plan *plan, cr_error **err) {
  plan->last_cap = (int)cap_max_bits() - 1;
  if (plan->last_cap < 0 || plan->last_cap > 63)
    return cr_fail(err, 0, "capabilities", "cannot tell the kernel's last capability");
  plan->kept_caps = plan->cfg->capabilities;
  return 0;
}

static int compile_filter(struct cr_plan *plan, const struct cr_policy_env *base, cr_error **err) {
  struct cr_policy_env env = *base;
  env.kept_caps = plan->kept_caps;
  const struct cr_seccomp_spec *spec = &plan->cfg->seccomp;
  if (spec->kind != CR_SECCOMP_FILE) return cr_policy_compile(spec, &env, &plan->bpf, NULL, err);
  /* a profile file the config names is read with the sandbox's rights */
  cr_autoclose int fd = cr_open_as(&plan->identity, spec->path, O_RDONLY | O_NONBLOCK, 0, "seccomp", err);
  if (fd < 0) return -1;
  return cr_policy_compile_fd(fd, spec->path, &env, &plan->bpf, NULL, err);
}

/* The filter, and the program that tells the init of each refusal, so
 * that the report can name it, or in learn mode of every call
 * (policies/reporting.c). */
static int prepare_filter(struct cr_plan *plan, const struct cr_policy_env *base, cr_error **err) {
  if (compile_filter(plan, base, err) < 0) return -1;
  if (base->learn && plan->bpf.exec_once)
    return cr_fail(err, EINVAL, "learn",
                   "the policy supervises its exec (strict: one execve only), which a learned profile "
                   "cannot keep: learn under default, then compare with `cleanroom policy diff strict FILE`");
  return base->learn ? cr_bpf_add_learning(&plan->bpf, err) : cr_bpf_add_reporting(&plan->bpf, err);
}

/* Both ends above the standard fds (cr_fd_above_stdio); -1 with errno and
 * both closed. */
static int lift_pair(int pair[2]) {
  pair[0] = cr_fd_above_stdio(pair[0]);
  pair[1] = cr_fd_above_stdio(pair[1]);
  if (pair[0] >= 0 && pair[1] >= 0) return 0;
  int saved = errno;
  for (int i = 0; i < 2; i++)
    if (pair[i] >= 0) close(pair[i]);
  errno = saved;
  return -1;
}

static int make_pipe(int *launcher_end, int *sandbox_end, bool launcher_writes, cr_error **err) {
  int p[2];
  if (pipe2(p, O_CLOEXEC) < 0 || lift_pair(p) < 0) return cr_fail(err, errno, "setup", "pipe");
  *launcher_end = launcher_writes ? p[1] : p[0];
  *sandbox_end = launcher_writes ? p[0] : p[1];
  return 0;
}

static int make_socketpair(int *a, int *b, cr_error **err) {
  int p[2];
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, p) < 0 || lift_pair(p) < 0)
    return cr_fail(err, errno, "setup", "socketpair");
  *a = p[0];
  *b = p[1];
  return 0;
}

/* The channels of protocol.h, and the launcher's own pidfd for the init. */
static int prepare_channels(struct cr_plan *plan, cr_error **err) {
  struct cr_channels *ch = &plan->ch;
  if (make_pipe(&ch->maps_written_launcher, &ch->maps_written_init, true, err) < 0 ||
      make_socketpair(&ch->records_launcher, &ch->records_sandbox, err) < 0 ||
      make_socketpair(&ch->helper_sock_helper, &ch->helper_sock_sandbox, err) < 0 ||
      (!plan->start_at_once && make_socketpair(&ch->start_launcher, &ch->start_init, err) < 0))
    return -1;
  /* read without blocking: during create, and once the init has ended,
   * what is there is all there is (another thread's child of a
   * multithreaded host may still hold a copy of the sandbox's end) */
  if (fcntl(ch->records_launcher, F_SETFL, O_NONBLOCK) < 0) return cr_fail(err, errno, "setup", "fcntl");
  ch->launcher_pidfd = cr_fd_above_stdio((int)syscall(SYS_pidfd_open, getpid(), 0));
  if (ch->launcher_pidfd < 0) return cr_fail(err, errno, "setup", "pidfd_open of cleanroom's own process");
  if (fcntl(ch->launcher_pidfd, F_SETFD, FD_CLOEXEC) < 0) return cr_fail(err, errno, "setup", "fcntl");
  return 0;
}

/* Where the kernel shows our argv and environment from (/proc/self/stat
 * fields 48 to 51), so the init can wipe them. */
static int prepare_scrub_ranges(struct cr_plan *plan, cr_error **err) {
  cr_autofclose FILE *f = fopen("/proc/self/stat", "re");
  char buf[2048];
  if (!f || !fgets(buf, sizeof buf, f))
    return cr_fail(err, errno, "setup", "read /proc/self/stat (is /proc mounted?)");
  char *p = strrchr(buf, ')');
  unsigned long values[52] = {0};
  int field = 2; /* p points at the end of field 2, the command name */
  while (p && *p && field < 51) {
    p = strchr(p, ' ');
    if (!p) break;
    values[++field] = strtoul(++p, NULL, 10);
  }
  if (field < 51 || !values[48] || values[49] < values[48] || values[51] < values[50])
    return cr_fail(err, 0, "setup", "cannot find the argv and environment in /proc/self/stat");
  plan->arg_start = values[48];
  plan->arg_end = values[49];
  plan->env_start = values[50];
  plan->env_end = values[51];
  return 0;
}

static void close_if_open(int *fd) {
  if (*fd >= 0) close(*fd);
  *fd = -1;
}

static void channels_closed(struct cr_channels *ch) {
  *ch = (struct cr_channels){-1, -1, -1, -1, -1, -1, -1, -1, -1};
}

/* Read once per process: CPUs come and go (hotplug) far more rarely than
 * sandboxes, and a stale count only misreports a cpuset in the audit. */
static unsigned online_cpus(void) {
  static _Atomic unsigned cached;
  unsigned n = cached;
  if (!n) {
    long online = sysconf(_SC_NPROCESSORS_ONLN);
    cached = n = online > 0 ? (unsigned)online : 1;
  }
  return n;
}

int cr_plan_prepare(struct cr_plan *plan, const struct cr_config *cfg, bool start_at_once,
                    const struct cr_policy_env *env, const char *cgroup_parent, const struct cr_log *log,
                    cr_error **err) {
  memset(plan, 0, sizeof *plan);
  plan->cfg = cfg;
  plan->start_at_once = start_at_once;
  plan->null_fd = -1;
  channels_closed(&plan->ch);
  plan->clone_flags = clone_flags_of(cfg->namespaces);
  plan->new_network = cfg->namespaces & CR_NS_NET;
  plan->time_limit_ms = cfg->limits.time_ms;
  plan->kill_grace_ms = cfg->limits.kill_grace_ms;
  plan->cpus_online = online_cpus();
  cr_cgroups_init(&plan->cgroups);
  if (prepare_ids(plan, err) < 0 || prepare_caps(plan, err) < 0 || prepare_fds(plan, err) < 0 ||
      prepare_exec(plan, err) < 0 || prepare_filter(plan, env, err) < 0 ||
      prepare_scrub_ranges(plan, err) < 0 || prepare_channels(plan, err) < 0 ||
      cr_cgroups_setup(&plan->cgroups, &cfg->limits, cgroup_parent, log, plan->ch.launcher_pidfd, err) < 0)
    return -1;
  return 0;
}

void cr_plan_release(struct cr_plan *plan) {
  for (size_t i = 0; i < plan->n_opened; i++) close(plan->opened_fds[i]);
  free(plan->opened_fds);
  free(plan->fds);
  if (plan->envp)
    for (char **e = plan->envp; *e; e++) free(*e);
  free(plan->envp);
  cr_bpf_free(&plan->bpf);
  cr_cgroups_release(&plan->cgroups); /* kill what is left, remove the cgroups */
  close_if_open(&plan->null_fd);
  struct cr_channels *ch = &plan->ch;
  int *ends[] = {&ch->maps_written_launcher, &ch->maps_written_init,  &ch->records_launcher,
                 &ch->records_sandbox,       &ch->helper_sock_helper, &ch->helper_sock_sandbox,
                 &ch->start_launcher,        &ch->start_init,         &ch->launcher_pidfd};
  for (size_t i = 0; i < CR_ARRAY_SIZE(ends); i++) close_if_open(ends[i]);
}

/* The init's number in the pid namespace /proc belongs to, which need not
 * be ours (a launcher inside `unshare -p -f` sees the host's /proc, where
 * its child's number is another process): the kernel says it in the
 * pidfd's fdinfo, read through that same /proc. */
static int pid_in_proc(int pidfd, pid_t *out, cr_error **err) {
  char path[64], buf[1024];
  snprintf(path, sizeof path, "/proc/self/fdinfo/%d", pidfd);
  cr_autoclose int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return cr_fail(err, errno, "user namespace",
                   "open %s (is /proc mounted, and of this pid namespace or an ancestor?)", path);
  ssize_t n = read(fd, buf, sizeof buf - 1);
  if (n < 0) return cr_fail(err, errno, "user namespace", "read %s", path);
  buf[n] = '\0';
  const char *line = strstr(buf, "\nPid:");
  long pid = line ? strtol(line + 5, NULL, 10) : 0;
  if (pid <= 0)
    return cr_fail(err, 0, "user namespace",
                   "the sandbox is not visible in /proc (mounted for another pid namespace): mount a "
                   "/proc of cleanroom's own pid namespace");
  *out = (pid_t)pid;
  return 0;
}

int cr_plan_set_id_range(struct cr_plan *plan, uint32_t base, uint32_t count, cr_error **err) {
  plan->id_base = base;
  plan->id_count = count; /* an ordinary caller's: its subordinate ids, when granted (subids.c) */
  if (!plan->id_count || !plan->caller_is_root) return 0;
  uint64_t end = (uint64_t)base + plan->id_count;
  if ((uint64_t)plan->outer_uid >= base && (uint64_t)plan->outer_uid < end)
    return cr_fail(err, EINVAL, "process.host_uid",
                   "%u is in the id range %u:%u of the sandboxes' other ids: choose a host_uid outside it",
                   (unsigned)plan->outer_uid, (unsigned)base, (unsigned)plan->id_count);
  if ((uint64_t)plan->outer_gid >= base && (uint64_t)plan->outer_gid < end)
    return cr_fail(err, EINVAL, "process.host_gid",
                   "%u is in the id range %u:%u of the sandboxes' other ids: choose a host_gid outside it",
                   (unsigned)plan->outer_gid, (unsigned)base, (unsigned)plan->id_count);
  return 0;
}

size_t cr_id_map_extents(uint32_t id, uint32_t host, uint32_t base, uint32_t count,
                         struct cr_id_extent out[3]) {
  size_t n = 0;
  uint32_t below = id < count ? id : count;
  if (below > 0) out[n++] = (struct cr_id_extent){0, base, below};
  out[n++] = (struct cr_id_extent){id, host, 1};
  if (id + 1 < count) out[n++] = (struct cr_id_extent){id + 1, base + id + 1, count - id - 1};
  return n;
}

/* The text of a uid_map or gid_map: a line an extent. */
static void map_text(char *out, size_t size, uint32_t id, uint32_t host, uint32_t base, uint32_t count) {
  struct cr_id_extent e[3];
  size_t n = cr_id_map_extents(id, host, base, count, e), used = 0;
  out[0] = '\0';
  for (size_t i = 0; i < n && used < size; i++)
    used += (size_t)snprintf(out + used, size - used, "%u %u %u\n", (unsigned)e[i].inside,
                             (unsigned)e[i].outside, (unsigned)e[i].count);
}

int cr_write_id_maps(const struct cr_plan *plan, int init_pidfd, cr_error **err) {
  const struct cr_process *p = &plan->cfg->process;
  pid_t child = 0;
  if (pid_in_proc(init_pidfd, &child, err) < 0) return -1;
  bool by_helpers = false;
  if (cr_subids_write_maps(plan, child, &by_helpers, err) < 0) return -1;
  if (by_helpers) return 0;
  char path[64], line[192];
  struct {
    const char *file;
    const char *text;
  } steps[3];
  char uid_line[192], gid_line[192];
  uint32_t range = plan->caller_is_root ? plan->id_count : 0;
  map_text(uid_line, sizeof uid_line, p->uid, (uint32_t)plan->outer_uid, plan->id_base, range);
  map_text(gid_line, sizeof gid_line, p->gid, (uint32_t)plan->outer_gid, plan->id_base, range);
  size_t n = 0;
  steps[n++] = (typeof(steps[0])){"uid_map", uid_line};
  /* An ordinary user may only write gid_map after giving up setgroups. */
  if (!plan->caller_is_root) steps[n++] = (typeof(steps[0])){"setgroups", "deny\n"};
  steps[n++] = (typeof(steps[0])){"gid_map", gid_line};
  for (size_t i = 0; i < n; i++) {
    snprintf(path, sizeof path, "/proc/%d/%s", (int)child, steps[i].file);
    cr_autoclose int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) return cr_fail(err, errno, "user namespace", "open %s", path);
    snprintf(line, sizeof line, "%s", steps[i].text);
    if (write(fd, line, strlen(line)) != (ssize_t)strlen(line))
      return cr_fail(err, errno, "user namespace", "write %s (%s)", steps[i].file, strtok(line, "\n"));
  }
  return 0;
}
