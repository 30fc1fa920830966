/* SPDX-License-Identifier: MIT */
/* Launcher side: the lifecycle of one sandbox's cgroups (cgroup.h).
 *
 * Per controller: cgroup v2 when the parent offers the controller (enabled
 * in its cgroup.subtree_control, by us if need be), otherwise the v1
 * hierarchy of that controller. The directories are named
 * cleanroom-<launcher pid>-<64 random bits>, and one that exists already is
 * never used or removed. Whatever is used, a watchdog process removes it if
 * the launcher dies (cgroup_watchdog.c). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroup_internal.h"
#include "child/child.h"
#include "cr/cleanup.h"

#define DELEGATE_HINT                                                                           \
  "run as root, or delegate a cgroup to this user (systemd-run --user --scope -p Delegate=yes " \
  "...) and name it in limits.cgroup_parent (the command line: $CLEANROOM_CGROUP_PARENT)"

static const unsigned controller_bit[CR_CG_COUNT] = {CR_LIMIT_MEMORY, CR_LIMIT_PIDS, CR_LIMIT_CPU};
static const char *const limit_where[CR_CG_COUNT] = {"limits.memory", "limits.pids", "limits.cpu"};

void cr_cgroups_init(struct cr_cgroups *cg) {
  memset(cg, 0, sizeof *cg);
  for (int c = 0; c < CR_CG_COUNT; c++) cg->dir_of[c] = -1;
  cg->v2_fd = -1;
  cg->watchdog = -1;
  cg->watchdog_fd = -1;
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
struct setup {
  struct cr_cgroups *cg;
  const struct cr_limits *limits;
  const struct cr_log *log;
  cr_error **err;
};

static int give_up(struct setup *s, int c, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int give_up(struct setup *s, int c, const char *fmt, ...) {
  char msg[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  s->cg->dir_of[c] = -1;
  if (!(s->limits->optional & controller_bit[c])) return cr_fail(s->err, 0, limit_where[c], "%s", msg);
  s->cg->use[c] = CR_CGROUP_NOT_APPLIED;
  cr_warn(s->log, "%s: not applied (optional): %s", limit_where[c], msg);
  return 0;
}

static int start_watchdog(struct cr_cgroups *cg, int launcher_pidfd, char *why, size_t why_size) {
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
  if (pid == 0) cr_watchdog_main(cg, sv[1], launcher_pidfd);
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
    while (waitpid(cg->watchdog, NULL, 0) < 0 && errno == EINTR) {}
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

static bool wanted(const struct cr_limits *l, int c) {
  return c == CR_CG_MEMORY ? l->memory > 0 : c == CR_CG_PIDS ? l->pids > 0 : l->cpu > 0;
}

/* Choose a directory for every wanted controller (nothing is created yet). */
static int locate(struct setup *s, const char *parent, const char *name) {
  struct cr_cgroups *cg = s->cg;
  const struct cr_limits *limits = s->limits;
  unsigned want = 0;
  for (int c = 0; c < CR_CG_COUNT; c++)
    if (wanted(limits, c)) want |= controller_bit[c];
  char why[1024] = "";
  struct cr_host_cgroups h;
  if (cr_cg_find(limits->cgroup_parent ? limits->cgroup_parent : parent, want, &h, why, sizeof why) < 0) {
    cr_cg_host_free(&h);
    for (int c = 0; c < CR_CG_COUNT; c++)
      if ((want & controller_bit[c]) && give_up(s, c, "%s", why) < 0) return -1;
    return 0;
  }
  int rc = 0;
  for (int c = 0; c < CR_CG_COUNT && rc == 0; c++) {
    if (!(want & controller_bit[c])) continue;
    char v2_why[1024] = "no cgroup v2 hierarchy is mounted";
    int idx = -1;
    if (h.v2_parent && cr_cg_v2_usable(h.v2_parent, cr_cg_controller_name[c], v2_why, sizeof v2_why)) {
      idx = add_dir(cg, h.v2_parent, name, 2);
      cg->use[c] = CR_CGROUP_V2;
    } else if (h.v1_parent[c]) {
      idx = add_dir(cg, h.v1_parent[c], name, 1);
      cg->use[c] = CR_CGROUP_V1;
    } else {
      rc = give_up(s, c,
                   "no cgroup can enforce it: %s, and no cgroup v1 %s hierarchy shows this process's cgroup",
                   v2_why, cr_cg_controller_name[c]);
      continue;
    }
    if (idx < 0) {
      rc = cr_fail(s->err, ENOMEM, limit_where[c], "allocate");
      continue;
    }
    cg->dir_of[c] = idx;
  }
  cr_cg_host_free(&h);
  return rc;
}

int cr_cgroups_setup(struct cr_cgroups *cg, const struct cr_limits *limits, const char *parent,
                     const struct cr_log *log, int launcher_pidfd, cr_error **err) {
  struct setup s = {.cg = cg, .limits = limits, .log = log, .err = err};
  bool any = false;
  for (int c = 0; c < CR_CG_COUNT; c++) any |= wanted(limits, c);
  if (!any) return 0; /* zero cost when no cgroup limit is set */

  char name[64];
  if (cgroup_name(name, sizeof name) < 0) return cr_fail(err, errno, "limits", "getrandom");
  if (locate(&s, parent, name) < 0) return -1;
  if (cg->n_dirs == 0) return 0; /* every limit was optional and none could be applied */

  /* The watchdog knows every path before the first directory exists. */
  char why[1024];
  if (start_watchdog(cg, launcher_pidfd, why, sizeof why) < 0) {
    for (int c = 0; c < CR_CG_COUNT; c++)
      if (cg->dir_of[c] >= 0 && give_up(&s, c, "%s", why) < 0) return -1;
    return 0;
  }

  for (size_t i = 0; i < cg->n_dirs; i++) {
    struct cr_cgroup_dir *d = &cg->dirs[i];
    if (make_dir(d) == 0) continue;
    int saved = errno;
    char dir_parent[PATH_MAX];
    cr_strlcpy(dir_parent, d->path, sizeof dir_parent);
    char *slash = strrchr(dir_parent, '/');
    if (slash) *slash = '\0';
    for (int c = 0; c < CR_CG_COUNT; c++) {
      if (cg->dir_of[c] != (int)i) continue;
      if (give_up(&s, c, "cannot create a cgroup under %s: %s%s%s", dir_parent, strerror(saved),
                  saved == EACCES || saved == EPERM || saved == EROFS ? "; " : "",
                  saved == EACCES || saved == EPERM || saved == EROFS ? DELEGATE_HINT : "") < 0)
        return -1;
    }
  }

  for (int c = 0; c < CR_CG_COUNT; c++) {
    if (cg->dir_of[c] < 0) continue;
    const struct cr_cgroup_dir *d = &cg->dirs[cg->dir_of[c]];
    const char *file = "";
    int rc = d->version == 2 ? cr_cg_v2_write_limit(d->path, c, limits, &file)
                             : cr_cg_v1_write_limit(d->path, c, limits, &file);
    if (rc < 0) {
      int saved = errno;
      if (give_up(&s, c, "cannot write %s/%s: %s", d->path, file, strerror(saved)) < 0) return -1;
    }
  }

  /* Directories no controller ended up using go now; the v2 one is cloned into. */
  for (size_t i = 0; i < cg->n_dirs; i++) {
    struct cr_cgroup_dir *d = &cg->dirs[i];
    bool used = false;
    for (int c = 0; c < CR_CG_COUNT; c++) used |= cg->dir_of[c] == (int)i;
    if (!used && d->created) {
      if (cr_cg_remove(d->path, d->version) == 0) d->created = false;
    } else if (used && d->version == 2) {
      cg->v2_fd = cr_fd_above_stdio(open(d->path, O_PATH | O_DIRECTORY | O_CLOEXEC));
      if (cg->v2_fd < 0) {
        int saved = errno;
        for (int c = 0; c < CR_CG_COUNT; c++)
          if (cg->dir_of[c] == (int)i && give_up(&s, c, "cannot open %s: %s", d->path, strerror(saved)) < 0)
            return -1;
      }
    }
  }
  return 0;
}

int cr_cgroups_clone_fd(const struct cr_cgroups *cg) { return cg->v2_fd; }

int cr_cgroups_attach(const struct cr_cgroups *cg, pid_t pid, cr_error **err) {
  for (int c = 0; c < CR_CG_COUNT; c++) {
    if (cg->dir_of[c] < 0) continue;
    const struct cr_cgroup_dir *d = &cg->dirs[cg->dir_of[c]];
    if (d->version != 1) continue; /* v2: the init was born in it (CLONE_INTO_CGROUP) */
    if (cr_cg_v1_attach(d->path, pid) < 0)
      return cr_fail(err, errno, limit_where[c], "move the sandbox into %s", d->path);
  }
  return 0;
}

static void collect(const struct cr_cgroups *cg, struct cr_result *res) {
  int *fields[CR_CG_COUNT] = {&res->cgroup_memory, &res->cgroup_pids, &res->cgroup_cpu};
  bool v1 = false, v2 = false;
  for (int c = 0; c < CR_CG_COUNT; c++) {
    *fields[c] = cg->use[c];
    if (cg->dir_of[c] < 0) continue;
    const struct cr_cgroup_dir *d = &cg->dirs[cg->dir_of[c]];
    v1 |= d->version == 1;
    v2 |= d->version == 2;
    if (d->version == 2)
      cr_cg_v2_collect(d->path, c, res);
    else
      cr_cg_v1_collect(d->path, c, res);
  }
  res->cgroup_version = v1 && v2 ? "hybrid" : v2 ? "v2" : v1 ? "v1" : NULL;
}

void cr_cgroups_finish(struct cr_cgroups *cg, struct cr_result *res) {
  collect(cg, res);
  cr_cgroups_release(cg);
}

void cr_cgroups_release(struct cr_cgroups *cg) {
  bool all_removed = true;
  for (size_t i = 0; i < cg->n_dirs; i++) {
    struct cr_cgroup_dir *d = &cg->dirs[i];
    if (d->created && cr_cg_remove(d->path, d->version) == 0) d->created = false;
    if (d->created) all_removed = false;
  }
  stop_watchdog(cg, all_removed);
  if (cg->v2_fd >= 0) close(cg->v2_fd);
  cg->v2_fd = -1;
  for (size_t i = 0; i < cg->n_dirs; i++) free(cg->dirs[i].path);
  cg->n_dirs = 0;
  for (int c = 0; c < CR_CG_COUNT; c++) cg->dir_of[c] = -1;
}
