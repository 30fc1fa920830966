/* Launcher side: the cgroups that enforce limits.memory, .pids and .cpu (see
 * cgroup.h for the lifecycle).
 *
 * Per controller: cgroup v2 when the parent offers the controller (enabled
 * in its cgroup.subtree_control, by us if need be), otherwise the v1
 * hierarchy of that controller. The directories are named
 * cleanroom-<launcher pid>-<64 random bits>, and one that exists already is
 * never used or removed. Whatever is used, a watchdog process removes it if
 * the launcher dies. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cgroup.h"
#include "cr/cleanup.h"
#include "sandbox.h"

#define CPU_PERIOD_US 100000
#define CPU_MIN_QUOTA_US 1000
#define PARENT_ENV "CLEANROOM_CGROUP_PARENT"
#define DELEGATE_HINT                                                                              \
  "run as root, or delegate a cgroup to this user (systemd-run --user --scope -p Delegate=yes "    \
  "...) and name it in limits.cgroup_parent or " PARENT_ENV

static const char *const controller_name[CR_CG_COUNT] = {"memory", "pids", "cpu"};
static const unsigned controller_bit[CR_CG_COUNT] = {CR_LIMIT_MEMORY, CR_LIMIT_PIDS, CR_LIMIT_CPU};
static const char *const limit_where[CR_CG_COUNT] = {"limits.memory", "limits.pids", "limits.cpu"};

/* ---- async-signal-safe part: used by the launcher and by the watchdog ---- */

static size_t join_path(char *buf, size_t size, const char *dir, const char *file) {
  buf[0] = '\0';
  cr_strlcat(buf, dir, size);
  cr_strlcat(buf, "/", size);
  return cr_strlcat(buf, file, size);
}

static int write_file(const char *dir, const char *file, const char *text) {
  char path[PATH_MAX];
  if (join_path(path, sizeof path, dir, file) >= sizeof path) {
    errno = ENAMETOOLONG;
    return -1;
  }
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  int rc = cr_write_all(fd, text, strlen(text));
  int saved = errno;
  close(fd);
  errno = saved;
  return rc;
}

/* SIGKILL every process listed in DIR/cgroup.procs; returns how many were
 * listed, or -1 when the file cannot be read. */
static int kill_listed(const char *dir) {
  char path[PATH_MAX], buf[4096];
  if (join_path(path, sizeof path, dir, "cgroup.procs") >= sizeof path) return -1;
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  int listed = 0;
  long pid = 0;
  bool in_number = false;
  for (;;) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    for (ssize_t i = 0; i < n; i++) {
      if (buf[i] >= '0' && buf[i] <= '9') {
        pid = pid * 10 + (buf[i] - '0');
        in_number = true;
      } else {
        if (in_number && pid > 0) {
          kill((pid_t)pid, SIGKILL);
          listed++;
        }
        pid = 0;
        in_number = false;
      }
    }
  }
  if (in_number && pid > 0) {
    kill((pid_t)pid, SIGKILL);
    listed++;
  }
  close(fd);
  return listed;
}

static void sleep_ms(long ms) {
  struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
  while (nanosleep(&ts, &ts) < 0 && errno == EINTR) {
  }
}

/* Kill whatever is left in the cgroup and remove it; gives up after about
 * five seconds. Returns 0 when the directory is gone. */
static int remove_cgroup(const char *dir, int version) {
  if (version == 2) (void)write_file(dir, "cgroup.kill", "1"); /* Linux >= 5.14 */
  long waited = 0, step = 1;
  for (;;) {
    if (rmdir(dir) == 0 || errno == ENOENT) return 0;
    if (errno != EBUSY || waited >= 5000) return -1;
    (void)kill_listed(dir);
    sleep_ms(step);
    waited += step;
    if (step < 64) step *= 2;
  }
}

/* The watchdog: outside the sandbox, immune to the signals a terminal or a
 * process-group kill sends, holding nothing but its end of the socket. */
static __attribute__((noreturn)) void watchdog_main(const struct cr_cgroups *cg, int sock) {
  (void)cr_set_signal_dispositions(SIG_IGN, SIGCHLD);
  sigset_t none;
  sigemptyset(&none);
  (void)sigprocmask(SIG_SETMASK, &none, NULL);
  (void)setsid();
  /* raw: a sanitizer's prctl interceptor records the name under a lock
   * another thread of the host may have held at the clone */
  (void)syscall(SYS_prctl, PR_SET_NAME, "cleanroom-wd", 0, 0, 0);
  int keep[1] = {sock};
  (void)cr_close_fds_except(keep, 1);
  char c;
  ssize_t n;
  do n = read(sock, &c, 1);
  while (n < 0 && errno == EINTR);
  if (n == 1) _exit(0); /* the launcher cleaned up itself */
  for (size_t i = 0; i < cg->n_dirs; i++) (void)remove_cgroup(cg->dirs[i].path, cg->dirs[i].version);
  _exit(0);
}

/* ---- launcher side ---- */

void cr_cgroups_init(struct cr_cgroups *cg) {
  memset(cg, 0, sizeof *cg);
  for (int c = 0; c < CR_CG_COUNT; c++) cg->dir_of[c] = -1;
  cg->v2_fd = -1;
  cg->watchdog = -1;
  cg->watchdog_fd = -1;
}

/* What /proc/self/cgroup and /proc/self/mountinfo say. */
struct host_cgroups {
  char *v2_parent;                 /* directory new v2 cgroups go in, NULL when none */
  char *v1_parent[CR_CG_COUNT];    /* per controller: its v1 hierarchy's directory */
};

static void host_cgroups_free(struct host_cgroups *h) {
  free(h->v2_parent);
  for (int c = 0; c < CR_CG_COUNT; c++) free(h->v1_parent[c]);
}

static bool has_token(const char *list, const char *token, char sep) {
  size_t len = strlen(token);
  for (const char *p = list; p && *p;) {
    const char *end = strchr(p, sep);
    size_t n = end ? (size_t)(end - p) : strlen(p);
    if (n == len && strncmp(p, token, len) == 0) return true;
    p = end ? end + 1 : NULL;
  }
  return false;
}

/* mountinfo escapes space, tab, newline and backslash as \ooo. */
static void unescape_octal(char *s) {
  char *out = s;
  for (char *p = s; *p;) {
    if (p[0] == '\\' && p[1] >= '0' && p[1] <= '3' && p[2] >= '0' && p[2] <= '7' && p[3] >= '0' &&
        p[3] <= '7') {
      *out++ = (char)((p[1] - '0') * 64 + (p[2] - '0') * 8 + (p[3] - '0'));
      p += 4;
    } else {
      *out++ = *p++;
    }
  }
  *out = '\0';
}

/* The host directory of cgroup `cg_path` in the hierarchy mounted with
 * fstype `fstype` (and, for v1, the controller among its super options).
 * NULL when no such mount shows that cgroup. */
static char *find_cgroup_dir(const char *fstype, const char *controller, const char *cg_path) {
  cr_autofclose FILE *f = fopen("/proc/self/mountinfo", "re");
  if (!f) return NULL;
  char *line = NULL;
  size_t cap = 0;
  char *found = NULL;
  while (!found && getline(&line, &cap, f) > 0) {
    line[strcspn(line, "\n")] = '\0';
    char *fields[6] = {0};
    char *save = NULL, *tok = strtok_r(line, " ", &save);
    int n = 0;
    for (; tok && n < 6; tok = strtok_r(NULL, " ", &save)) fields[n++] = tok;
    if (n < 6) continue;
    char *dash = NULL; /* optional fields end with "-" */
    for (; tok; tok = strtok_r(NULL, " ", &save))
      if (strcmp(tok, "-") == 0) {
        dash = tok;
        break;
      }
    if (!dash) continue;
    char *type = strtok_r(NULL, " ", &save);
    (void)strtok_r(NULL, " ", &save); /* source */
    char *super = strtok_r(NULL, " ", &save);
    if (!type || strcmp(type, fstype) != 0) continue;
    if (controller && (!super || !has_token(super, controller, ','))) continue;
    char *root = fields[3], *mnt = fields[4];
    unescape_octal(root);
    unescape_octal(mnt);
    const char *rel = cg_path;
    if (strcmp(root, "/") != 0) {
      size_t rl = strlen(root);
      if (strncmp(cg_path, root, rl) != 0 || (cg_path[rl] && cg_path[rl] != '/')) continue;
      rel = cg_path + rl;
    }
    if (strcmp(rel, "/") == 0) rel = "";
    if (asprintf(&found, "%s%s", mnt, rel) < 0) found = NULL;
  }
  free(line);
  return found;
}

static int read_host_cgroups(struct host_cgroups *h, const struct cr_limits *limits, unsigned want,
                             char *why, size_t why_size) {
  memset(h, 0, sizeof *h);
  const char *override = limits->cgroup_parent ? limits->cgroup_parent : secure_getenv(PARENT_ENV);
  if (override && !*override) override = NULL;
  if (override && override[0] != '/') {
    snprintf(why, why_size, "%s must be a cgroup path starting with /, not %s", PARENT_ENV, override);
    return -1;
  }
  cr_autofclose FILE *f = fopen("/proc/self/cgroup", "re");
  if (!f) {
    snprintf(why, why_size, "cannot read /proc/self/cgroup: %s", strerror(errno));
    return -1;
  }
  char *line = NULL;
  size_t cap = 0;
  while (getline(&line, &cap, f) > 0) {
    line[strcspn(line, "\n")] = '\0';
    char *c1 = strchr(line, ':');
    char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
    if (!c2) continue;
    *c1 = *c2 = '\0';
    const char *ctrls = c1 + 1, *path = override ? override : c2 + 1;
    if (strcmp(line, "0") == 0 && !*ctrls) {
      if (!h->v2_parent) h->v2_parent = find_cgroup_dir("cgroup2", NULL, path);
      continue;
    }
    for (int c = 0; c < CR_CG_COUNT; c++)
      if ((want & controller_bit[c]) && !h->v1_parent[c] && has_token(ctrls, controller_name[c], ','))
        h->v1_parent[c] = find_cgroup_dir("cgroup", controller_name[c], path);
  }
  free(line);
  return 0;
}

static int read_text(const char *dir, const char *file, char *buf, size_t size) {
  char path[PATH_MAX];
  join_path(path, sizeof path, dir, file);
  cr_autoclose int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  ssize_t n = read(fd, buf, size - 1);
  if (n < 0) return -1;
  buf[n] = '\0';
  return 0;
}

/* Whether cgroup v2 can take `name` below `parent`: the parent must offer it
 * and pass it on to its children (we try to turn that on). */
static bool v2_usable(const char *parent, const char *name, char *why, size_t why_size) {
  char buf[1024];
  if (read_text(parent, "cgroup.controllers", buf, sizeof buf) < 0) {
    snprintf(why, why_size, "cgroup v2 at %s: cannot read cgroup.controllers: %s", parent, strerror(errno));
    return false;
  }
  buf[strcspn(buf, "\n")] = '\0';
  if (!has_token(buf, name, ' ')) {
    snprintf(why, why_size, "cgroup v2 at %s does not offer the %s controller", parent, name);
    return false;
  }
  if (read_text(parent, "cgroup.subtree_control", buf, sizeof buf) == 0) {
    buf[strcspn(buf, "\n")] = '\0';
    if (has_token(buf, name, ' ')) return true;
  }
  char plus[32];
  snprintf(plus, sizeof plus, "+%s", name);
  if (write_file(parent, "cgroup.subtree_control", plus) == 0) return true;
  int saved = errno;
  snprintf(why, why_size,
           "cgroup v2 at %s: cannot enable %s in cgroup.subtree_control: %s%s", parent, name,
           strerror(saved),
           saved == EBUSY ? " (a cgroup with processes of its own cannot pass controllers on; "
                            "name an empty delegated cgroup in limits.cgroup_parent or " PARENT_ENV ")"
                          : "");
  return false;
}

static int add_dir(struct cr_cgroups *cg, const char *parent, const char *name, int version) {
  char *path = NULL;
  if (asprintf(&path, "%s/%s", parent, name) < 0) return -1;
  for (size_t i = 0; i < cg->n_dirs; i++)
    if (strcmp(cg->dirs[i].path, path) == 0) {
      free(path);
      return (int)i;
    }
  if (cg->n_dirs == CR_CGROUP_MAX_DIRS) {
    free(path);
    return -1;
  }
  cg->dirs[cg->n_dirs] = (struct cr_cgroup_dir){.path = path, .version = version};
  return (int)cg->n_dirs++;
}

/* A limit that cannot be enforced: fail the run, or, when the config marks
 * it optional, warn once and go on without it. */
static int give_up(struct cr_cgroups *cg, const struct cr_limits *limits, int c, cr_error *err,
                   const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static int give_up(struct cr_cgroups *cg, const struct cr_limits *limits, int c, cr_error *err,
                   const char *fmt, ...) {
  char msg[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  cg->dir_of[c] = -1;
  if (!(limits->optional & controller_bit[c])) return cr_fail(err, 0, limit_where[c], "%s", msg);
  cg->use[c] = CR_CGROUP_NOT_APPLIED;
  fprintf(stderr, "cleanroom: warning: %s: not applied (optional): %s\n", limit_where[c], msg);
  return 0;
}

static int start_watchdog(struct cr_cgroups *cg, char *why, size_t why_size) {
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
    snprintf(why, why_size, "cannot start the cgroup watchdog: socketpair: %s", strerror(errno));
    return -1;
  }
  sv[0] = cr_fd_above_stdio(sv[0]);
  sv[1] = cr_fd_above_stdio(sv[1]);
  if (sv[0] < 0 || sv[1] < 0) {
    snprintf(why, why_size, "cannot start the cgroup watchdog: fcntl: %s", strerror(errno));
    if (sv[0] >= 0) close(sv[0]);
    if (sv[1] >= 0) close(sv[1]);
    return -1;
  }
  /* raw clone3 like the sandbox init: no atfork handlers of an embedding host run */
  pid_t pid = cr_clone3(0, -1, NULL);
  if (pid == 0) watchdog_main(cg, sv[1]);
  int saved = errno;
  close(sv[1]);
  if (pid < 0) {
    close(sv[0]);
    snprintf(why, why_size, "cannot start the cgroup watchdog: fork: %s", strerror(saved));
    return -1;
  }
  cg->watchdog = pid;
  cg->watchdog_fd = sv[0];
  return 0;
}

static void stop_watchdog(struct cr_cgroups *cg, bool all_removed) {
  if (cg->watchdog_fd >= 0) {
    /* "done" only when nothing is left; otherwise EOF makes it try again */
    if (all_removed) (void)send(cg->watchdog_fd, "x", 1, MSG_NOSIGNAL);
    close(cg->watchdog_fd);
    cg->watchdog_fd = -1;
  }
  if (cg->watchdog > 0)
    while (waitpid(cg->watchdog, NULL, 0) < 0 && errno == EINTR) {
    }
  cg->watchdog = -1;
}

/* The name is random (cgroup_name): one that exists is someone else's, and
 * is never touched, let alone emptied. */
static int make_dir(struct cr_cgroup_dir *d) {
  if (mkdir(d->path, 0755) < 0) return -1;
  d->created = true;
  return 0;
}

/* cleanroom-<pid>-<random>: unique across pid namespaces (where two
 * launchers can have the same pid) without any coordination. */
static int cgroup_name(char *buf, size_t size) {
  uint64_t r;
  if (getrandom(&r, sizeof r, 0) != (ssize_t)sizeof r) return -1;
  snprintf(buf, size, "cleanroom-%d-%016llx", (int)getpid(), (unsigned long long)r);
  return 0;
}

static int write_limit(const struct cr_cgroup_dir *d, int c, const struct cr_limits *l,
                       const char **file) {
  char num[32], text[64];
  switch (c) {
  case CR_CG_MEMORY:
    cr_fmt_uint(num, sizeof num, l->memory);
    if (d->version == 2) {
      *file = "memory.max";
      if (write_file(d->path, *file, num) < 0) return -1;
      *file = "memory.swap.max"; /* absent without swap accounting */
      if (write_file(d->path, *file, "0") < 0 && errno != ENOENT) return -1;
      return 0;
    }
    *file = "memory.limit_in_bytes";
    if (write_file(d->path, *file, num) < 0) return -1;
    *file = "memory.memsw.limit_in_bytes"; /* memory + swap = memory: no swap */
    if (write_file(d->path, *file, num) < 0 && errno != ENOENT) return -1;
    return 0;
  case CR_CG_PIDS:
    *file = "pids.max";
    return write_file(d->path, *file, cr_fmt_uint(num, sizeof num, l->pids));
  case CR_CG_CPU: {
    double q = l->cpu * CPU_PERIOD_US;
    unsigned long long quota = q < CPU_MIN_QUOTA_US ? CPU_MIN_QUOTA_US : (unsigned long long)(q + 0.5);
    if (d->version == 2) {
      *file = "cpu.max";
      snprintf(text, sizeof text, "%llu %d", quota, CPU_PERIOD_US);
      return write_file(d->path, *file, text);
    }
    *file = "cpu.cfs_period_us";
    if (write_file(d->path, *file, cr_fmt_uint(num, sizeof num, CPU_PERIOD_US)) < 0) return -1;
    *file = "cpu.cfs_quota_us";
    return write_file(d->path, *file, cr_fmt_uint(num, sizeof num, quota));
  }
  }
  errno = EINVAL;
  return -1;
}

static bool wanted(const struct cr_limits *l, int c) {
  return c == CR_CG_MEMORY ? l->memory > 0 : c == CR_CG_PIDS ? l->pids > 0 : l->cpu > 0;
}

/* Choose a directory for every wanted controller (nothing is created yet). */
static int locate(struct cr_cgroups *cg, const struct cr_limits *limits, const char *name, cr_error *err) {
  unsigned want = 0;
  for (int c = 0; c < CR_CG_COUNT; c++)
    if (wanted(limits, c)) want |= controller_bit[c];
  char why[1024] = "";
  struct host_cgroups h;
  if (read_host_cgroups(&h, limits, want, why, sizeof why) < 0) {
    host_cgroups_free(&h);
    for (int c = 0; c < CR_CG_COUNT; c++)
      if ((want & controller_bit[c]) && give_up(cg, limits, c, err, "%s", why) < 0) return -1;
    return 0;
  }
  int rc = 0;
  for (int c = 0; c < CR_CG_COUNT && rc == 0; c++) {
    if (!(want & controller_bit[c])) continue;
    char v2_why[1024] = "no cgroup v2 hierarchy is mounted";
    int idx = -1;
    if (h.v2_parent && v2_usable(h.v2_parent, controller_name[c], v2_why, sizeof v2_why)) {
      idx = add_dir(cg, h.v2_parent, name, 2);
      cg->use[c] = CR_CGROUP_V2;
    } else if (h.v1_parent[c]) {
      idx = add_dir(cg, h.v1_parent[c], name, 1);
      cg->use[c] = CR_CGROUP_V1;
    } else {
      rc = give_up(cg, limits, c, err, "no cgroup can enforce it: %s, and no cgroup v1 %s hierarchy shows this process's cgroup",
                   v2_why, controller_name[c]);
      continue;
    }
    if (idx < 0) {
      rc = cr_fail(err, ENOMEM, limit_where[c], "allocate");
      continue;
    }
    cg->dir_of[c] = idx;
  }
  host_cgroups_free(&h);
  return rc;
}

int cr_cgroups_setup(struct cr_cgroups *cg, const struct cr_limits *limits, cr_error *err) {
  bool any = false;
  for (int c = 0; c < CR_CG_COUNT; c++) any |= wanted(limits, c);
  if (!any) return 0; /* zero cost when no cgroup limit is set */

  char name[64];
  if (cgroup_name(name, sizeof name) < 0) return cr_fail(err, errno, "limits", "getrandom");
  if (locate(cg, limits, name, err) < 0) return -1;
  if (cg->n_dirs == 0) return 0; /* every limit was optional and none could be applied */

  /* The watchdog knows every path before the first directory exists. */
  char why[1024];
  if (start_watchdog(cg, why, sizeof why) < 0) {
    for (int c = 0; c < CR_CG_COUNT; c++)
      if (cg->dir_of[c] >= 0 && give_up(cg, limits, c, err, "%s", why) < 0) return -1;
    return 0;
  }

  for (size_t i = 0; i < cg->n_dirs; i++) {
    struct cr_cgroup_dir *d = &cg->dirs[i];
    if (make_dir(d) == 0) continue;
    int saved = errno;
    char parent[PATH_MAX];
    cr_strlcpy(parent, d->path, sizeof parent);
    char *slash = strrchr(parent, '/');
    if (slash) *slash = '\0';
    for (int c = 0; c < CR_CG_COUNT; c++) {
      if (cg->dir_of[c] != (int)i) continue;
      if (give_up(cg, limits, c, err, "cannot create a cgroup under %s: %s%s%s", parent,
                  strerror(saved), saved == EACCES || saved == EPERM || saved == EROFS ? "; " : "",
                  saved == EACCES || saved == EPERM || saved == EROFS ? DELEGATE_HINT : "") < 0)
        return -1;
    }
  }

  for (int c = 0; c < CR_CG_COUNT; c++) {
    if (cg->dir_of[c] < 0) continue;
    const struct cr_cgroup_dir *d = &cg->dirs[cg->dir_of[c]];
    const char *file = "";
    if (write_limit(d, c, limits, &file) < 0) {
      int saved = errno;
      if (give_up(cg, limits, c, err, "cannot write %s/%s: %s", d->path, file, strerror(saved)) < 0)
        return -1;
    }
  }

  /* Directories no controller ended up using go now; the v2 one is cloned into. */
  for (size_t i = 0; i < cg->n_dirs; i++) {
    struct cr_cgroup_dir *d = &cg->dirs[i];
    bool used = false;
    for (int c = 0; c < CR_CG_COUNT; c++) used |= cg->dir_of[c] == (int)i;
    if (!used && d->created) {
      if (remove_cgroup(d->path, d->version) == 0) d->created = false;
    } else if (used && d->version == 2) {
      cg->v2_fd = cr_fd_above_stdio(open(d->path, O_PATH | O_DIRECTORY | O_CLOEXEC));
      if (cg->v2_fd < 0) {
        int saved = errno;
        for (int c = 0; c < CR_CG_COUNT; c++)
          if (cg->dir_of[c] == (int)i &&
              give_up(cg, limits, c, err, "cannot open %s: %s", d->path, strerror(saved)) < 0)
            return -1;
      }
    }
  }
  return 0;
}

int cr_cgroups_clone_fd(const struct cr_cgroups *cg) { return cg->v2_fd; }

int cr_cgroups_attach(const struct cr_cgroups *cg, pid_t pid, cr_error *err) {
  char num[24];
  cr_fmt_uint(num, sizeof num, (unsigned long long)pid);
  for (int c = 0; c < CR_CG_COUNT; c++) {
    if (cg->dir_of[c] < 0) continue;
    const struct cr_cgroup_dir *d = &cg->dirs[cg->dir_of[c]];
    if (d->version != 1) continue; /* v2: the init was born in it (CLONE_INTO_CGROUP) */
    if (write_file(d->path, "cgroup.procs", num) < 0)
      return cr_fail(err, errno, limit_where[c], "move the sandbox into %s", d->path);
  }
  return 0;
}

/* The number after `key` on a "key value" line of DIR/FILE. */
static int read_keyed(const char *dir, const char *file, const char *key, uint64_t *value) {
  char path[PATH_MAX];
  join_path(path, sizeof path, dir, file);
  cr_autofclose FILE *f = fopen(path, "re");
  if (!f) return -1;
  char k[64];
  unsigned long long v;
  while (fscanf(f, "%63s %llu", k, &v) == 2)
    if (strcmp(k, key) == 0) {
      *value = v;
      return 0;
    }
  return -1;
}

static int read_number(const char *dir, const char *file, uint64_t *value) {
  char buf[64];
  if (read_text(dir, file, buf, sizeof buf) < 0) return -1;
  char *end;
  errno = 0;
  unsigned long long v = strtoull(buf, &end, 10);
  if (errno || end == buf) return -1;
  *value = v;
  return 0;
}

static void collect(const struct cr_cgroups *cg, struct cr_result *res) {
  int *fields[CR_CG_COUNT] = {&res->cgroup_memory, &res->cgroup_pids, &res->cgroup_cpu};
  bool v1 = false, v2 = false;
  for (int c = 0; c < CR_CG_COUNT; c++) {
    *fields[c] = cg->use[c];
    if (cg->dir_of[c] < 0) continue;
    v1 |= cg->dirs[cg->dir_of[c]].version == 1;
    v2 |= cg->dirs[cg->dir_of[c]].version == 2;
  }
  res->cgroup_version = v1 && v2 ? "hybrid" : v2 ? "v2" : v1 ? "v1" : NULL;
  uint64_t v = 0;
  if (cg->dir_of[CR_CG_MEMORY] >= 0) {
    const struct cr_cgroup_dir *d = &cg->dirs[cg->dir_of[CR_CG_MEMORY]];
    if (d->version == 2) {
      if (read_keyed(d->path, "memory.events", "oom_kill", &v) == 0 && v) res->oom_killed = true;
      if (read_number(d->path, "memory.peak", &v) == 0) res->peak_memory_kb = v / 1024;
    } else {
      if (read_keyed(d->path, "memory.oom_control", "oom_kill", &v) == 0) {
        if (v) res->oom_killed = true;
      } else if (read_number(d->path, "memory.failcnt", &v) == 0 && v && res->term_signal == SIGKILL) {
        res->oom_killed = true; /* old kernels: the limit was hit and the payload was killed */
      }
      if (read_number(d->path, "memory.max_usage_in_bytes", &v) == 0) res->peak_memory_kb = v / 1024;
    }
  }
  if (cg->dir_of[CR_CG_PIDS] >= 0 &&
      read_keyed(cg->dirs[cg->dir_of[CR_CG_PIDS]].path, "pids.events", "max", &v) == 0 && v)
    res->pids_limit_hit = true;
}

void cr_cgroups_finish(struct cr_cgroups *cg, struct cr_result *res) {
  collect(cg, res);
  cr_cgroups_release(cg);
}

void cr_cgroups_release(struct cr_cgroups *cg) {
  bool all_removed = true;
  for (size_t i = 0; i < cg->n_dirs; i++) {
    struct cr_cgroup_dir *d = &cg->dirs[i];
    if (d->created && remove_cgroup(d->path, d->version) == 0) d->created = false;
    if (d->created) all_removed = false;
  }
  stop_watchdog(cg, all_removed);
  if (cg->v2_fd >= 0) close(cg->v2_fd);
  cg->v2_fd = -1;
  for (size_t i = 0; i < cg->n_dirs; i++) free(cg->dirs[i].path);
  cg->n_dirs = 0;
  for (int c = 0; c < CR_CG_COUNT; c++) cg->dir_of[c] = -1;
}
