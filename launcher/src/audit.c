/* SPDX-License-Identifier: MIT */
/* The audit (cr_options_set_audit): what the launcher's process had that the
 * sandbox did not get ("withheld") and what reached it as a ceiling
 * ("carried"), names and numbers only, never a value of the environment.
 *
 * The process's state is read when the sandbox is created, on the creating
 * thread (the init is a copy of it): the fd table before the plan opens
 * anything of its own, the rest after. A job's own env and fds are taken
 * into account at the start; the carried values come from the init with the
 * end of the payload. The library reads `environ` here, for the names only,
 * and only when asked to. */
#include "audit.h"

#include <arpa/inet.h>
#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/kcmp.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <unistd.h>

#include "cgroup_internal.h" /* cr_cg_read_text: a small file of a folder */
#include "cr/cleanup.h"
#include "cr/text.h"
#include "fresh.h"
#include "launch.h"

extern char **environ;

#define KEYCTL_GET_KEYRING_ID 0
#define KEY_SPEC_SESSION_KEYRING (-3)
#define IOPRIO_WHO_PROCESS 1
#define MPOL_DEFAULT 0
#define CR_PR_GET_MDWE 66         /* Linux 6.3; not in every header yet */
#define CR_PR_GET_MEMORY_MERGE 68 /* Linux 6.4 */

struct audit_fd {
  int fd;
  char kind[24];
  char *target; /* a path, an address, or NULL */
  char *peer;   /* a connected socket's other end, or NULL */
};

struct cr_audit {
  struct audit_fd *fds;
  size_t n_fds;
  char **host_env; /* names, sorted */
  size_t n_host_env;
  char **sandbox_env; /* names the sandbox gets (the config's, then a job's) */
  size_t n_sandbox_env;
  /* the creating thread's state */
  unsigned long long sig_ignored, sig_blocked; /* bit N-1 = signal N, as /proc shows them */
  mode_t umask, sandbox_umask;
  char *cwd, *sandbox_cwd;
  struct rlimit rlimits[CR_FRESH_RLIMIT_COUNT];
  rlim_t sandbox_soft[CR_FRESH_RLIMIT_COUNT];
  bool declared[CR_FRESH_RLIMIT_COUNT];
  rlim_t declared_soft[CR_FRESH_RLIMIT_COUNT];
  int max_target;     /* the payload's fd table: its highest fd ... */
  size_t n_table_fds; /* ... and how many it holds */
  int *table_targets; /* the config's targets */
  int session, tty_nr;
  long session_keyring; /* -1: none */
  unsigned long personality;
  int thp_disabled;
  long timer_slack_ns;
  int mempolicy;
  int mce_kill, mdwe, memory_merge; /* -1: not this kernel or arch */
  int nice, sched_policy;
  long ioprio;
  cpu_set_t cpus;
  unsigned cpus_online;
  int oom_score_adj;
  bool no_new_privs;
  int seccomp_mode, seccomp_filters;
  /* from the config: what the sandbox asks for */
  bool has_nice, has_cpus, has_oom_score_adj;
  int sandbox_nice, sandbox_oom_score_adj;
  uint64_t sandbox_cpus[CR_CPU_SET_WORDS];
  struct cr_fd_slot *inherited; /* the config's table's fds from this process (target, source) */
  size_t n_inherited;
};

/* ---- the fd table --------------------------------------------------------- */

static char *address_text(const struct sockaddr_storage *ss, socklen_t len) {
  char host[INET6_ADDRSTRLEN + 2], text[PATH_MAX + 8];
  if (ss->ss_family == AF_INET) {
    const struct sockaddr_in *in = (const void *)ss;
    inet_ntop(AF_INET, &in->sin_addr, host, sizeof host);
    snprintf(text, sizeof text, "%s:%u", host, ntohs(in->sin_port));
  } else if (ss->ss_family == AF_INET6) {
    const struct sockaddr_in6 *in6 = (const void *)ss;
    inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof host);
    snprintf(text, sizeof text, "[%s]:%u", host, ntohs(in6->sin6_port));
  } else if (ss->ss_family == AF_UNIX) {
    const struct sockaddr_un *un = (const void *)ss;
    size_t n =
        len > offsetof(struct sockaddr_un, sun_path) ? len - offsetof(struct sockaddr_un, sun_path) : 0;
    if (n == 0) return NULL;     /* unnamed */
    if (un->sun_path[0] == '\0') /* abstract: @name */
      snprintf(text, sizeof text, "@%.*s", (int)(n - 1), un->sun_path + 1);
    else
      snprintf(text, sizeof text, "%.*s", (int)strnlen(un->sun_path, n), un->sun_path);
  } else {
    return NULL;
  }
  return cr_utf8_escaped(text);
}

static void describe_socket(int fd, struct audit_fd *out) {
  int domain = 0, type = 0, listening = 0;
  socklen_t len = sizeof domain;
  getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len);
  len = sizeof type;
  getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len);
  len = sizeof listening;
  getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len);
  const char *base = domain == AF_UNIX                                                  ? "unix"
                     : (domain == AF_INET || domain == AF_INET6) && type == SOCK_STREAM ? "tcp"
                     : (domain == AF_INET || domain == AF_INET6) && type == SOCK_DGRAM  ? "udp"
                     : domain == AF_NETLINK                                             ? "netlink"
                                                                                        : "socket";
  snprintf(out->kind, sizeof out->kind, "%s%s", base, listening ? "-listen" : "");
  if (domain != AF_UNIX && domain != AF_INET && domain != AF_INET6) return;
  struct sockaddr_storage ss;
  len = sizeof ss;
  if (getsockname(fd, (struct sockaddr *)&ss, &len) == 0) out->target = address_text(&ss, len);
  len = sizeof ss;
  if (!listening && getpeername(fd, (struct sockaddr *)&ss, &len) == 0) out->peer = address_text(&ss, len);
}

/* "socket:[123]", "pipe:[4]", "anon_inode:[eventfd]", "/path", "/memfd:x (deleted)" */
static void describe_fd(int fd, const char *link, struct audit_fd *out) {
  out->fd = fd;
  if (strncmp(link, "socket:", 7) == 0) {
    describe_socket(fd, out);
  } else if (strncmp(link, "pipe:", 5) == 0) {
    snprintf(out->kind, sizeof out->kind, "pipe");
  } else if (strncmp(link, "anon_inode:", 11) == 0) {
    const char *name = link + 11;
    size_t n = strcspn(name + (*name == '['), "]");
    snprintf(out->kind, sizeof out->kind, "%.*s", (int)n, name + (*name == '['));
  } else if (strncmp(link, "/memfd:", 7) == 0) {
    snprintf(out->kind, sizeof out->kind, "memfd");
    out->target = cr_utf8_escaped(link + 7);
  } else {
    struct stat st;
    const char *kind = "file";
    if (fstat(fd, &st) == 0) {
      if (S_ISDIR(st.st_mode))
        kind = "dir";
      else if (S_ISCHR(st.st_mode))
        kind = isatty(fd) ? "tty" : "char-device";
      else if (S_ISBLK(st.st_mode))
        kind = "block-device";
      else if (S_ISFIFO(st.st_mode))
        kind = "fifo";
    }
    snprintf(out->kind, sizeof out->kind, "%s", kind);
    out->target = cr_utf8_escaped(link);
  }
}

static int read_fd_table(struct cr_audit *a, cr_error **err) {
  DIR *dir = opendir("/proc/self/fd");
  if (!dir) return cr_fail(err, errno, "audit", "open /proc/self/fd");
  int own = dirfd(dir), rc = 0;
  size_t cap = 0;
  struct dirent *d;
  while (rc == 0 && (d = readdir(dir))) {
    if (d->d_name[0] == '.') continue;
    int fd = atoi(d->d_name);
    if (fd == own) continue;
    char link[PATH_MAX];
    ssize_t n = readlinkat(own, d->d_name, link, sizeof link - 1);
    if (n < 0) continue; /* closed meanwhile by another thread */
    link[n] = '\0';
    if (a->n_fds == cap) {
      cap = cap ? 2 * cap : 16;
      struct audit_fd *more = realloc(a->fds, cap * sizeof *more);
      if (!more) {
        rc = cr_fail(err, ENOMEM, "audit", "allocate");
        break;
      }
      a->fds = more;
    }
    struct audit_fd *e = &a->fds[a->n_fds++];
    memset(e, 0, sizeof *e);
    describe_fd(fd, link, e);
  }
  closedir(dir);
  return rc;
}

/* ---- environment ---------------------------------------------------------- */

static int by_name(const void *x, const void *y) { return strcmp(*(char *const *)x, *(char *const *)y); }

/* The names of NAME=VALUE strings, sorted. */
static int env_names(char *const *env, size_t n, char ***out, size_t *n_out) {
  *out = calloc(n ? n : 1, sizeof **out);
  if (!*out) return -1;
  *n_out = 0;
  for (size_t i = 0; i < n; i++) {
    const char *eq = strchr(env[i], '=');
    cr_autofree char *raw = eq ? strndup(env[i], (size_t)(eq - env[i])) : strdup(env[i]);
    char *name = raw ? cr_utf8_escaped(raw) : NULL;
    if (!name) return -1;
    (*out)[(*n_out)++] = name;
  }
  qsort(*out, *n_out, sizeof **out, by_name);
  return 0;
}

static void free_names(char **names, size_t n) {
  for (size_t i = 0; i < n; i++) free(names[i]);
  free(names);
}

static bool has_name(char **names, size_t n, const char *name) {
  return bsearch(&name, names, n, sizeof *names, by_name) != NULL;
}

/* ---- the thread's state ---------------------------------------------------- */

static unsigned long long status_hex(const char *status, const char *key) {
  const char *line = strstr(status, key);
  return line ? strtoull(line + strlen(key), NULL, 16) : 0;
}

static long status_long(const char *status, const char *key, int base) {
  const char *line = strstr(status, key);
  return line ? strtol(line + strlen(key), NULL, base) : 0;
}

static int read_status(struct cr_audit *a, cr_error **err) {
  char status[8192];
  if (cr_cg_read_text("/proc/thread-self", "status", status, sizeof status) < 0)
    return cr_fail(err, errno, "audit", "read /proc/thread-self/status");
  a->umask = (mode_t)status_long(status, "\nUmask:", 8);
  a->sig_blocked = status_hex(status, "\nSigBlk:");
  a->sig_ignored = status_hex(status, "\nSigIgn:");
  a->no_new_privs = status_long(status, "\nNoNewPrivs:", 10) != 0;
  a->seccomp_mode = (int)status_long(status, "\nSeccomp:", 10);
  a->seccomp_filters = (int)status_long(status, "\nSeccomp_filters:", 10);
  char stat[1024];
  if (cr_cg_read_text("/proc/thread-self", "stat", stat, sizeof stat) < 0)
    return cr_fail(err, errno, "audit", "read /proc/thread-self/stat");
  /* after "(comm)": state ppid pgrp session tty_nr */
  const char *after = strrchr(stat, ')');
  char state;
  int ppid, pgrp;
  if (!after || sscanf(after + 1, " %c %d %d %d %d", &state, &ppid, &pgrp, &a->session, &a->tty_nr) != 5)
    return cr_fail(err, 0, "audit", "read /proc/thread-self/stat: unexpected format");
  char adj[16];
  a->oom_score_adj = cr_cg_read_text("/proc/self", "oom_score_adj", adj, sizeof adj) == 0 ? atoi(adj) : 0;
  return 0;
}

static void read_attributes(struct cr_audit *a) {
  for (size_t i = 0; i < CR_FRESH_RLIMIT_COUNT; i++) getrlimit(cr_fresh_rlimits[i].resource, &a->rlimits[i]);
  a->session_keyring = syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0);
  a->personality = (unsigned long)personality(0xffffffff);
  a->thp_disabled = prctl(PR_GET_THP_DISABLE, 0, 0, 0, 0);
  a->timer_slack_ns = prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0);
  int mode = MPOL_DEFAULT;
  a->mempolicy = syscall(SYS_get_mempolicy, &mode, NULL, 0, NULL, 0) == 0 ? mode : MPOL_DEFAULT;
  a->mce_kill = prctl(PR_MCE_KILL_GET, 0, 0, 0, 0);
  a->mdwe = prctl(CR_PR_GET_MDWE, 0, 0, 0, 0);
  a->memory_merge = prctl(CR_PR_GET_MEMORY_MERGE, 0, 0, 0, 0);
  errno = 0;
  a->nice = getpriority(PRIO_PROCESS, 0);
  a->sched_policy = sched_getscheduler(0);
  a->ioprio = syscall(SYS_ioprio_get, IOPRIO_WHO_PROCESS, 0);
  if (sched_getaffinity(0, sizeof a->cpus, &a->cpus) < 0) CPU_ZERO(&a->cpus);
}

/* ---- what the sandbox gets ------------------------------------------------- */

/* The soft limits the payload sets (payload.c, fresh.h): declared, or
 * fresh for the fd table it lays out (the config's, or a job's). */
static void sandbox_soft_limits(struct cr_audit *a) {
  rlim_t fd_needed = (rlim_t)a->max_target + 1 + a->n_table_fds + CR_PAYLOAD_SPARE_FDS;
  for (size_t i = 0; i < CR_FRESH_RLIMIT_COUNT; i++)
    a->sandbox_soft[i] =
        a->declared[i] ? a->declared_soft[i] : cr_fresh_soft_limit(i, a->rlimits[i].rlim_max, fd_needed);
}

static int take_config(struct cr_audit *a, const struct cr_config *cfg, const struct cr_plan *plan) {
  const struct cr_process *p = &cfg->process;
  size_t n_env = 0;
  while (plan->envp && plan->envp[n_env]) n_env++;
  if (env_names(plan->envp, n_env, &a->sandbox_env, &a->n_sandbox_env) < 0) return -1;
  a->sandbox_umask = p->umask;
  if (!(a->sandbox_cwd = strdup(p->cwd))) return -1;
  a->has_nice = p->has_nice;
  a->sandbox_nice = p->nice;
  a->has_cpus = p->has_cpus;
  memcpy(a->sandbox_cpus, p->cpus, sizeof a->sandbox_cpus);
  a->has_oom_score_adj = p->has_oom_score_adj;
  a->sandbox_oom_score_adj = p->oom_score_adj;
  a->cpus_online = plan->cpus_online;
  for (size_t i = 0; i < CR_FRESH_RLIMIT_COUNT; i++)
    for (size_t j = 0; j < cfg->limits.n_rlimits; j++)
      if (cfg->limits.rlimits[j].resource == cr_fresh_rlimits[i].resource) {
        a->declared[i] = true;
        a->declared_soft[i] = cfg->limits.rlimits[j].soft;
      }
  a->max_target = plan->max_target;
  a->n_table_fds = plan->n_fds;
  if (!(a->table_targets = calloc(plan->n_fds ? plan->n_fds : 1, sizeof *a->table_targets))) return -1;
  for (size_t i = 0; i < plan->n_fds; i++) a->table_targets[i] = plan->fds[i].target;
  sandbox_soft_limits(a);
  a->inherited = calloc(cfg->n_fds ? cfg->n_fds : 1, sizeof *a->inherited);
  if (!a->inherited) return -1;
  for (size_t i = 0; i < cfg->n_fds; i++)
    if (cfg->fds[i].kind == CR_FD_INHERIT)
      a->inherited[a->n_inherited++] =
          (struct cr_fd_slot){.target = cfg->fds[i].fd, .source = cfg->fds[i].inherit_fd};
  return 0;
}

int cr_audit_begin(struct cr_audit **out, cr_error **err) {
  *out = calloc(1, sizeof **out);
  if (!*out) return cr_fail(err, ENOMEM, "audit", "allocate");
  if (read_fd_table(*out, err) < 0) return -1;
  return 0;
}

int cr_audit_take_state(struct cr_audit *a, const struct cr_config *cfg, const struct cr_plan *plan,
                        cr_error **err) {
  if (read_status(a, err) < 0) return -1;
  read_attributes(a);
  char cwd[PATH_MAX];
  a->cwd = getcwd(cwd, sizeof cwd) ? cr_utf8_escaped(cwd) : NULL;
  size_t n = 0;
  while (environ && environ[n]) n++;
  if (env_names(environ, n, &a->host_env, &a->n_host_env) < 0 || take_config(a, cfg, plan) < 0)
    return cr_fail(err, ENOMEM, "audit", "allocate");
  return 0;
}

static bool same_open_file(int a, int b) {
  pid_t self = getpid();
  long rc = syscall(SYS_kcmp, self, self, KCMP_FILE, a, b);
  if (rc >= 0) return rc == 0;
  if (errno != ENOSYS) return false; /* refused (a container's filter): counted as withheld */
  struct stat sa, sb; /* no kcmp in this kernel: the same inode (both ends of a pipe share one) */
  return fstat(a, &sa) == 0 && fstat(b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

int cr_audit_take_job(struct cr_audit *a, const struct cr_job *job, cr_error **err) {
  if (!job) return 0;
  if (job->env) {
    free_names(a->sandbox_env, a->n_sandbox_env);
    a->sandbox_env = NULL;
    a->n_sandbox_env = 0;
    if (env_names(job->env, job->n_env, &a->sandbox_env, &a->n_sandbox_env) < 0)
      return cr_fail(err, ENOMEM, "audit", "allocate");
  }
  if (job->cwd) {
    free(a->sandbox_cwd);
    if (!(a->sandbox_cwd = strdup(job->cwd))) return cr_fail(err, ENOMEM, "audit", "allocate");
  }
  /* a job's fd replaces the config's of the same number */
  size_t still = 0;
  for (size_t i = 0; i < a->n_inherited; i++) {
    bool replaced = false;
    for (size_t j = 0; j < job->n_fds; j++) replaced |= job->fds[j].target == a->inherited[i].target;
    if (!replaced) a->inherited[still++] = a->inherited[i];
  }
  a->n_inherited = still;
  /* the table the init lays out: the config's, with the job's on top */
  size_t n_config = a->n_table_fds;
  for (size_t j = 0; j < job->n_fds; j++) {
    bool replaces = false;
    for (size_t i = 0; i < n_config; i++) replaces |= a->table_targets[i] == job->fds[j].target;
    if (!replaces) a->n_table_fds++;
    if (job->fds[j].target > a->max_target) a->max_target = job->fds[j].target;
  }
  sandbox_soft_limits(a);
  /* the job's fds are given, not withheld: its duplicates and what they copy */
  size_t kept = 0;
  for (size_t i = 0; i < a->n_fds; i++) {
    bool given = false;
    for (size_t j = 0; j < job->n_fds && !given; j++)
      given = a->fds[i].fd == job->fds[j].source || same_open_file(a->fds[i].fd, job->fds[j].source);
    if (given) {
      free(a->fds[i].target);
      free(a->fds[i].peer);
    } else {
      a->fds[kept++] = a->fds[i];
    }
  }
  a->n_fds = kept;
  return 0;
}

void cr_audit_free(struct cr_audit *a) {
  if (!a) return;
  for (size_t i = 0; i < a->n_fds; i++) {
    free(a->fds[i].target);
    free(a->fds[i].peer);
  }
  free(a->fds);
  free_names(a->host_env, a->n_host_env);
  free_names(a->sandbox_env, a->n_sandbox_env);
  free(a->cwd);
  free(a->sandbox_cwd);
  free(a->inherited);
  free(a->table_targets);
  free(a);
}

/* ---- the two sections ------------------------------------------------------ */

static const char *signal_name(int sig, char *buf, size_t size) {
  const char *abbrev = sig < SIGRTMIN ? sigabbrev_np(sig) : NULL;
  if (abbrev)
    snprintf(buf, size, "SIG%s", abbrev);
  else if (sig >= SIGRTMIN && sig <= SIGRTMAX)
    snprintf(buf, size, "SIGRTMIN+%d", sig - SIGRTMIN);
  else
    snprintf(buf, size, "SIG%d", sig);
  return buf;
}

static cJSON *signal_list(unsigned long long mask) {
  cJSON *list = cJSON_CreateArray();
  char name[32];
  for (int sig = 1; sig <= 64 && list; sig++)
    if (mask & (1ull << (sig - 1)))
      cJSON_AddItemToArray(list, cJSON_CreateString(signal_name(sig, name, sizeof name)));
  return list;
}

static const char *policy_name(int policy) {
  switch (policy & ~SCHED_RESET_ON_FORK) {
    case SCHED_OTHER: return policy & SCHED_RESET_ON_FORK ? "SCHED_OTHER|SCHED_RESET_ON_FORK" : "SCHED_OTHER";
    case SCHED_FIFO: return "SCHED_FIFO";
    case SCHED_RR: return "SCHED_RR";
    case SCHED_BATCH: return "SCHED_BATCH";
    case SCHED_IDLE: return "SCHED_IDLE";
    case 6: return "SCHED_DEADLINE";
    default: return "unknown";
  }
}

/* "idle", "best-effort/4", "realtime/0" */
static const char *ioprio_text(long prio, char *buf, size_t size) {
  static const char *const classes[] = {"none", "realtime", "best-effort", "idle"};
  long class = prio >> 13, level = prio & 0x1fff;
  if (class < 0 || class > 3)
    snprintf(buf, size, "%ld", prio);
  else if (class == 3 || class == 0)
    snprintf(buf, size, "%s", classes[class]);
  else
    snprintf(buf, size, "%s/%ld", classes[class], level);
  return buf;
}

static const char *mempolicy_name(int mode) {
  static const char *const names[] = {
      "MPOL_DEFAULT",        "MPOL_PREFERRED",          "MPOL_BIND", "MPOL_INTERLEAVE", "MPOL_LOCAL",
      "MPOL_PREFERRED_MANY", "MPOL_WEIGHTED_INTERLEAVE"};
  mode &= 0xff; /* without the mode flags */
  return mode >= 0 && (size_t)mode < CR_ARRAY_SIZE(names) ? names[mode] : "unknown";
}

static void cpu_list(const cpu_set_t *set, char *buf, size_t size) {
  uint64_t words[CR_CPU_SET_WORDS] = {0};
  for (unsigned cpu = 0; cpu < CR_CPU_SET_WORDS * 64 && cpu < CPU_SETSIZE; cpu++)
    if (CPU_ISSET(cpu, set)) words[cpu / 64] |= 1ull << (cpu % 64);
  cr_cpu_list_format(words, buf, size);
}

static void add_number(cJSON *o, const char *key, double v) { cJSON_AddNumberToObject(o, key, v); }

/* A limit exactly, beyond 2^53 too (a double would round it). */
static void add_limit(cJSON *o, const char *key, rlim_t v) {
  char text[24];
  snprintf(text, sizeof text, "%llu", (unsigned long long)v);
  cJSON_AddRawToObject(o, key, text);
}

static cJSON *fds_section(const struct cr_audit *a) {
  cJSON *fds = cJSON_CreateArray();
  for (size_t i = 0; i < a->n_fds && fds; i++) {
    const struct audit_fd *f = &a->fds[i];
    bool inherited = false;
    for (size_t j = 0; j < a->n_inherited; j++) inherited |= a->inherited[j].source == f->fd;
    if (inherited) continue;
    cJSON *e = cJSON_CreateObject();
    if (!e) break;
    add_number(e, "fd", f->fd);
    cJSON_AddStringToObject(e, "kind", f->kind);
    bool is_socket = strstr(f->kind, "tcp") || strstr(f->kind, "udp") || strstr(f->kind, "unix");
    if (f->target) cJSON_AddStringToObject(e, is_socket ? "address" : "target", f->target);
    if (f->peer) cJSON_AddStringToObject(e, "peer", f->peer);
    cJSON_AddItemToArray(fds, e);
  }
  return fds;
}

static cJSON *env_section(const struct cr_audit *a) {
  cJSON *env = cJSON_CreateArray();
  for (size_t i = 0; i < a->n_host_env && env; i++)
    if (!has_name(a->sandbox_env, a->n_sandbox_env, a->host_env[i]))
      cJSON_AddItemToArray(env, cJSON_CreateString(a->host_env[i]));
  return env;
}

static void add_rlimits_withheld(cJSON *o, const struct cr_audit *a) {
  cJSON *limits = NULL;
  for (size_t i = 0; i < CR_FRESH_RLIMIT_COUNT; i++) {
    if (a->rlimits[i].rlim_cur == a->sandbox_soft[i]) continue;
    if (!limits && !(limits = cJSON_AddObjectToObject(o, "rlimits"))) return;
    cJSON *e = cJSON_AddObjectToObject(limits, cr_fresh_rlimits[i].name);
    if (!e) return;
    rlim_t host = a->rlimits[i].rlim_cur, sandbox = a->sandbox_soft[i];
    if (host == RLIM_INFINITY)
      cJSON_AddStringToObject(e, "soft", "unlimited");
    else
      add_limit(e, "soft", host);
    if (sandbox == RLIM_INFINITY)
      cJSON_AddStringToObject(e, "sandbox", "unlimited");
    else
      add_limit(e, "sandbox", sandbox);
  }
}

static void add_session(cJSON *o, const struct cr_audit *a) {
  cJSON *s = cJSON_AddObjectToObject(o, "session");
  if (!s) return;
  add_number(s, "id", a->session);
  if (a->tty_nr == 0) {
    cJSON_AddNullToObject(s, "terminal");
    return;
  }
  char tty[64];
  unsigned major = major((dev_t)a->tty_nr), minor = minor((dev_t)a->tty_nr);
  if (major >= 136 && major <= 143)
    snprintf(tty, sizeof tty, "/dev/pts/%u", (major - 136) * 256 + minor);
  else if (major == 4 && minor < 64)
    snprintf(tty, sizeof tty, "/dev/tty%u", minor);
  else
    snprintf(tty, sizeof tty, "device %u:%u", major, minor);
  cJSON_AddStringToObject(s, "terminal", tty);
}

/* What the init kept and reported with the payload's end; NULL when the
 * payload never ended (a setup or exec failure): then nothing is said of
 * what depends on it. */
static cJSON *withheld_section(const struct cr_audit *a, const struct cr_carried *c) {
  cJSON *o = cJSON_CreateObject();
  if (!o) return NULL;
  cJSON_AddItemToObject(o, "fds", fds_section(a));
  cJSON_AddItemToObject(o, "env", env_section(a));
  cJSON *sig = cJSON_AddObjectToObject(o, "signals");
  if (sig) {
    cJSON_AddItemToObject(sig, "ignored", signal_list(a->sig_ignored));
    cJSON_AddItemToObject(sig, "blocked", signal_list(a->sig_blocked));
  }
  char text[CR_CPU_LIST_MAX];
  if (a->umask != a->sandbox_umask) {
    snprintf(text, sizeof text, "%04o", (unsigned)a->umask);
    cJSON_AddStringToObject(o, "umask", text);
  }
  if (a->cwd && strcmp(a->cwd, a->sandbox_cwd) != 0) cJSON_AddStringToObject(o, "cwd", a->cwd);
  add_rlimits_withheld(o, a);
  add_session(o, a);
  if (a->session_keyring > 0) add_number(o, "session_keyring", (double)a->session_keyring);
  if (a->personality != PER_LINUX) {
    snprintf(text, sizeof text, "0x%lx", a->personality);
    cJSON_AddStringToObject(o, "personality", text);
  }
  if (a->thp_disabled > 0) cJSON_AddBoolToObject(o, "thp_disabled", true);
  if (a->timer_slack_ns > 0 && a->timer_slack_ns != 50000)
    add_number(o, "timer_slack_ns", (double)a->timer_slack_ns);
  if (a->mempolicy != MPOL_DEFAULT) cJSON_AddStringToObject(o, "memory_policy", mempolicy_name(a->mempolicy));
  if (a->mce_kill >= 0 && a->mce_kill != PR_MCE_KILL_DEFAULT)
    cJSON_AddStringToObject(o, "mce_kill", a->mce_kill == PR_MCE_KILL_EARLY ? "early" : "late");
  if (!c) return o;
  int sandbox_nice = a->has_nice ? a->sandbox_nice : 0;
  if (!(c->bits & CR_CARRIED_NICE) && a->nice != sandbox_nice) add_number(o, "nice", a->nice);
  if (!(c->bits & CR_CARRIED_SCHED) && a->sched_policy > 0)
    cJSON_AddStringToObject(o, "scheduler", policy_name(a->sched_policy));
  if (!(c->bits & CR_CARRIED_IOPRIO) && a->ioprio > 0)
    cJSON_AddStringToObject(o, "ioprio", ioprio_text(a->ioprio, text, sizeof text));
  if (!(c->bits & CR_CARRIED_CPUS) && !a->has_cpus && (unsigned)CPU_COUNT(&a->cpus) < a->cpus_online) {
    cpu_list(&a->cpus, text, sizeof text);
    cJSON_AddStringToObject(o, "cpus", text);
  }
  int sandbox_adj = a->has_oom_score_adj ? a->sandbox_oom_score_adj : 0;
  if (!(c->bits & CR_CARRIED_OOM_SCORE_ADJ) && a->oom_score_adj != sandbox_adj)
    add_number(o, "oom_score_adj", a->oom_score_adj);
  return o;
}

static cJSON *carried_section(const struct cr_audit *a, const struct cr_carried *c) {
  cJSON *o = cJSON_CreateObject();
  if (!o) return NULL;
  cJSON *hard = cJSON_AddObjectToObject(o, "rlimits");
  for (size_t i = 0; i < CR_FRESH_RLIMIT_COUNT && hard; i++)
    if (!a->declared[i] && a->rlimits[i].rlim_max != RLIM_INFINITY)
      add_limit(hard, cr_fresh_rlimits[i].name, a->rlimits[i].rlim_max);
  char text[CR_CPU_LIST_MAX];
  if (a->no_new_privs) cJSON_AddBoolToObject(o, "no_new_privs", true);
  /* kept across fork and exec, and no process may clear them itself */
  if (a->mdwe > 0) add_number(o, "mdwe", a->mdwe);
  if (a->memory_merge > 0) cJSON_AddBoolToObject(o, "memory_merge", true);
  if (a->seccomp_mode) add_number(o, "seccomp_filters", a->seccomp_filters ? a->seccomp_filters : 1);
  if (!c) return o;
  if (c->bits & CR_CARRIED_NICE) add_number(o, "nice", c->nice);
  if (c->bits & CR_CARRIED_SCHED) cJSON_AddStringToObject(o, "scheduler", policy_name(c->sched_policy));
  if (c->bits & CR_CARRIED_IOPRIO)
    cJSON_AddStringToObject(o, "ioprio", ioprio_text(c->ioprio, text, sizeof text));
  if (c->bits & CR_CARRIED_CPUS)
    cJSON_AddStringToObject(o, "cpus", cr_cpu_list_format(c->cpus, text, sizeof text));
  if (c->bits & CR_CARRIED_OOM_SCORE_ADJ) add_number(o, "oom_score_adj", c->oom_score_adj);
  return o;
}

int cr_audit_conclude(const struct cr_audit *a, const struct cr_carried *carried, struct cr_result *res) {
  return cr_result_set_audit(res, withheld_section(a, carried), carried_section(a, carried));
}
