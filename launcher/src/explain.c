/* SPDX-License-Identifier: MIT */
/* cr_config_explain: what a sandbox of a config can reach, as JSON (for
 * `cleanroom check --explain` and a plugin host that refuses a plugin's
 * config beyond its own rules). Read from the resolved config, the
 * compiled seccomp program (run in user space, cr_bpf_eval) and the host
 * paths the binds name, walked with the sandbox's host identity so that
 * only what the sandbox itself could reach is listed. The shape is
 * documented in cleanroom(1) under check; keys are only ever added. */
#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cr/cleanup.h"
#include "cr/text.h"
#include "identity.h"
#include "launch.h"

/* ---- JSON building: one flag remembers an allocation that failed ---- */

struct out {
  bool failed;
  cJSON *weak;    /* the weak_spots array */
  size_t scanned; /* entries the socket walks read, all binds together */
};

/* Add `item` to `parent` (an array when key is NULL); returns it, or NULL. */
static cJSON *put(struct out *o, cJSON *parent, const char *key, cJSON *item) {
  bool ok =
      item && parent && (key ? cJSON_AddItemToObject(parent, key, item) : cJSON_AddItemToArray(parent, item));
  if (!ok) {
    cJSON_Delete(item);
    o->failed = true;
    return NULL;
  }
  return item;
}

static void put_str(struct out *o, cJSON *parent, const char *key, const char *s) {
  put(o, parent, key, s ? cJSON_CreateString(s) : cJSON_CreateNull());
}
/* A name from the filesystem: any bytes, made valid UTF-8 (cr/text.h). */
static void put_text(struct out *o, cJSON *parent, const char *key, const char *s) {
  cr_autofree char *text = cr_utf8_escaped(s);
  if (!text)
    o->failed = true;
  else
    put_str(o, parent, key, text);
}
static void put_num(struct out *o, cJSON *parent, const char *key, double v) {
  put(o, parent, key, cJSON_CreateNumber(v));
}
/* 0 is "no limit": null */
static void put_limit(struct out *o, cJSON *parent, const char *key, double v) {
  put(o, parent, key, v ? cJSON_CreateNumber(v) : cJSON_CreateNull());
}
static void put_bool(struct out *o, cJSON *parent, const char *key, bool v) {
  put(o, parent, key, cJSON_CreateBool(v));
}

static void weak_spot(struct out *o, const char *kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void weak_spot(struct out *o, const char *kind, const char *fmt, ...) {
  cJSON *w = put(o, o->weak, NULL, cJSON_CreateObject());
  if (!w) return;
  put_str(o, w, "kind", kind);
  cr_autofree char *detail = NULL;
  va_list ap;
  va_start(ap, fmt);
  if (vasprintf(&detail, fmt, ap) < 0) detail = NULL, o->failed = true;
  va_end(ap);
  if (detail) put_text(o, w, "detail", detail); /* it may hold file names */
}

/* ---- identity, capabilities -------------------------------------------- */

static void explain_identity(struct out *o, cJSON *root, const struct cr_config *cfg,
                             const struct cr_identity *id) {
  cJSON *j = put(o, root, "identity", cJSON_CreateObject());
  put_num(o, j, "uid", cfg->process.uid);
  put_num(o, j, "gid", cfg->process.gid);
  put_num(o, j, "host_uid", id->uid);
  put_num(o, j, "host_gid", id->gid);
  put_bool(o, j, "caller_is_root", id->switched);
  put_bool(o, j, "no_new_privs", true);
}

static void explain_capabilities(struct out *o, cJSON *root, uint64_t caps) {
  cJSON *arr = put(o, root, "capabilities", cJSON_CreateArray());
  char names[1024] = "";
  for (int v = 0; v < 64; v++) {
    if (!(caps & (UINT64_C(1) << v))) continue;
    char *name = cap_to_name(v);
    if (!name) {
      o->failed = true;
      continue;
    }
    for (char *p = name; *p; p++) *p = (char)(*p >= 'a' && *p <= 'z' ? *p - 'a' + 'A' : *p);
    put_str(o, arr, NULL, name);
    size_t used = strlen(names);
    snprintf(names + used, sizeof names - used, "%s%s", used ? ", " : "", name);
    cap_free(name);
  }
  if (names[0]) weak_spot(o, "capabilities", "kept in the sandbox's user namespace: %s", names);
}

/* ---- host paths: binds, and the unix sockets under them ---------------- */

/* A walk is bounded: a bind of /usr must not take minutes. */
#define SCAN_MAX_ENTRIES 20000 /* per bind */
#define SCAN_MAX_TOTAL 100000  /* per explain: a config may hold many binds */
#define SCAN_MAX_DEPTH 32
#define SCAN_LIST_MAX 20

struct scan {
  struct out *o;
  cJSON *list;
  size_t entries, sockets, connectable, unlisted;
  bool cut;
  /* the paths of the entry at hand, for the report only: everything is
   * opened by name relative to a directory fd, never by these strings */
  char target[PATH_MAX], source[PATH_MAX];
};

static long faccess_as_fs_ids(int dirfd, const char *name, int mode, int flags) {
#ifdef SYS_faccessat2
  /* AT_EACCESS: the thread's filesystem ids (the sandbox's), not its real ones */
  return syscall(SYS_faccessat2, dirfd, name, mode, flags | AT_EACCESS);
#else
  (void)dirfd, (void)name, (void)mode, (void)flags;
  errno = ENOSYS;
  return -1;
#endif
}

/* connect(2) needs write permission on the socket file; when the kernel
 * cannot tell, the socket counts as reachable. */
static bool connectable(int dirfd, const char *name, int flags) {
  return faccess_as_fs_ids(dirfd, name, W_OK, flags) == 0 || errno == ENOSYS;
}

static void found_socket(struct scan *s, bool can_connect) {
  s->sockets++;
  if (can_connect) s->connectable++;
  if (s->sockets > SCAN_LIST_MAX) return;
  cJSON *e = put(s->o, s->list, NULL, cJSON_CreateObject());
  put_text(s->o, e, "path", s->target);
  put_text(s->o, e, "source", s->source);
  put_bool(s->o, e, "connectable", can_connect);
  if (can_connect)
    weak_spot(s->o, "socket-under-bind", "%s (host %s): a unix socket the sandbox can connect to", s->target,
              s->source);
}

/* Append "/name" to both paths; false when too long (the walk is then
 * incomplete). `saved` gets the lengths to restore. */
static bool push_name(struct scan *s, const char *name, size_t saved[2]) {
  saved[0] = strlen(s->target);
  saved[1] = strlen(s->source);
  bool ok =
      saved[0] + strlen(name) + 2 <= sizeof s->target && saved[1] + strlen(name) + 2 <= sizeof s->source;
  if (!ok) {
    s->cut = true;
    return false;
  }
  snprintf(s->target + saved[0], sizeof s->target - saved[0], "%s%s", saved[0] > 1 ? "/" : "", name);
  snprintf(s->source + saved[1], sizeof s->source - saved[1], "%s%s", saved[1] > 1 ? "/" : "", name);
  return true;
}

static void pop_name(struct scan *s, const size_t saved[2]) {
  s->target[saved[0]] = '\0';
  s->source[saved[1]] = '\0';
}

static void scan_dir(struct scan *s, int dirfd, int depth);

static void scan_entry(struct scan *s, int dirfd, const char *name, unsigned char type, int depth) {
  if (type == DT_UNKNOWN) {
    struct stat st;
    if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) return;
    type = S_ISSOCK(st.st_mode) ? DT_SOCK : S_ISDIR(st.st_mode) ? DT_DIR : DT_REG;
  }
  if (type != DT_SOCK && type != DT_DIR)
    return; /* links are not followed: in the sandbox they resolve there */
  size_t saved[2];
  if (!push_name(s, name, saved)) return;
  if (type == DT_SOCK) {
    found_socket(s, connectable(dirfd, name, AT_SYMLINK_NOFOLLOW));
  } else if (depth + 1 >= SCAN_MAX_DEPTH) {
    s->cut = true;
  } else {
    int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd >= 0)
      scan_dir(s, fd, depth + 1); /* takes fd */
    else if (errno == EACCES && faccess_as_fs_ids(dirfd, name, X_OK, AT_SYMLINK_NOFOLLOW) == 0)
      s->unlisted++; /* enterable, not listable: a socket in it is reachable by name */
  }
  pop_name(s, saved);
}

/* Takes `fd`. */
static void scan_dir(struct scan *s, int fd, int depth) {
  DIR *dir = fdopendir(fd);
  if (!dir) {
    close(fd);
    return;
  }
  struct dirent *d;
  while (!s->cut && (d = readdir(dir))) {
    if (strcmp(d->d_name, ".") == 0 || strcmp(d->d_name, "..") == 0) continue;
    if (++s->entries > SCAN_MAX_ENTRIES || ++s->o->scanned > SCAN_MAX_TOTAL) {
      s->cut = true;
      break;
    }
    scan_entry(s, dirfd(dir), d->d_name, d->d_type, depth);
  }
  closedir(dir);
}

/* The bind's source as the sandbox's mount opens it (symlinks followed,
 * no /proc magic links), with the sandbox's host identity (entered). */
static void scan_bind(struct out *o, cJSON *e, const struct cr_fs_entry *fs) {
  cr_autoclose int pathfd = cr_open_no_magiclinks(AT_FDCWD, fs->source, O_PATH, 0);
  struct stat st;
  if (pathfd < 0 || fstat(pathfd, &st) < 0) {
    const char *why = strerror(errno);
    put_bool(o, e, "present", false);
    put_str(o, e, "error", why);
    return;
  }
  put_bool(o, e, "present", true);
  struct scan s = {.o = o, .list = put(o, e, "sockets", cJSON_CreateArray())};
  snprintf(s.target, sizeof s.target, "%s", fs->target);
  snprintf(s.source, sizeof s.source, "%s", fs->source);
  if (S_ISSOCK(st.st_mode)) {
    found_socket(&s, connectable(pathfd, "", AT_EMPTY_PATH));
  } else if (S_ISDIR(st.st_mode)) {
    int fd = openat(pathfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0)
      scan_dir(&s, fd, 0);
    else if (errno == EACCES)
      s.unlisted++;
  }
  put_num(o, e, "sockets_total", (double)s.sockets);
  put_bool(o, e, "scan_complete", !s.cut);
  put_num(o, e, "unlisted_dirs", (double)s.unlisted);
  if (s.sockets > SCAN_LIST_MAX && s.connectable > 0)
    weak_spot(o, "socket-under-bind",
              "%s: %zu unix sockets under it (%zu the sandbox can connect to), listed: %d", fs->target,
              s.sockets, s.connectable, SCAN_LIST_MAX);
}

static const char *const fs_type_names[] = {
    [CR_FS_BIND] = "bind", [CR_FS_TMPFS] = "tmpfs",     [CR_FS_PROC] = "proc",
    [CR_FS_DEV] = "dev",   [CR_FS_SYMLINK] = "symlink", [CR_FS_FILE] = "file",
};

static cJSON *path_entry(struct out *o, cJSON *paths, const char *target, const char *type, bool writable) {
  cJSON *e = put(o, paths, NULL, cJSON_CreateObject());
  put_str(o, e, "target", target);
  put_str(o, e, "type", type);
  put_bool(o, e, "writable", writable);
  return e;
}

static void put_size(struct out *o, cJSON *e, uint64_t bytes, unsigned percent) {
  put_limit(o, e, "size", (double)bytes);
  if (percent) put_num(o, e, "size_percent", percent);
}

static void mode_text(char buf[8], mode_t mode) { snprintf(buf, 8, "%04o", (unsigned)(mode & 07777)); }

static void explain_bind(struct out *o, cJSON *paths, const struct cr_fs_entry *fs) {
  cJSON *e = path_entry(o, paths, fs->target, "bind", fs->writable);
  put_str(o, e, "source", fs->source);
  put_bool(o, e, "optional", fs->optional);
  scan_bind(o, e, fs);
  if (fs->writable)
    weak_spot(o, "writable-bind", "%s -> %s: the sandbox can change host files", fs->source, fs->target);
}

/* /dev: a read-only tmpfs of bound host nodes, and /dev/shm and /dev/pts. */
static void explain_dev(struct out *o, cJSON *paths, cJSON *devices, const struct cr_fs_entry *fs) {
  static const char *const nodes[] = {"null", "zero", "full", "random", "urandom", "tty"};
  char path[PATH_MAX];
  cJSON *e = path_entry(o, paths, fs->target, "dev", false);
  put_bool(o, e, "pts", fs->dev_pts);
  put_bool(o, e, "shm", fs->dev_shm);
  const char *sep = strcmp(fs->target, "/") == 0 ? "" : "/";
  for (size_t i = 0; i < CR_ARRAY_SIZE(nodes); i++) {
    snprintf(path, sizeof path, "%s%s%s", fs->target, sep, nodes[i]);
    put_str(o, devices, NULL, path);
  }
  if (fs->dev_shm) {
    snprintf(path, sizeof path, "%s%sshm", fs->target, sep);
    put_size(o, path_entry(o, paths, path, "tmpfs", true), fs->shm_size, fs->shm_size_percent);
  }
  if (fs->dev_pts) {
    snprintf(path, sizeof path, "%s%spts", fs->target, sep);
    path_entry(o, paths, path, "devpts", true);
    snprintf(path, sizeof path, "%s%spts/ptmx", fs->target, sep);
    put_str(o, devices, NULL, path); /* a new instance: the sandbox's own ptys */
  }
}

static void explain_fs_entry(struct out *o, cJSON *paths, cJSON *devices, const struct cr_fs_entry *fs) {
  char mode[8];
  cJSON *e;
  switch (fs->type) {
    case CR_FS_BIND: explain_bind(o, paths, fs); break;
    case CR_FS_DEV: explain_dev(o, paths, devices, fs); break;
    case CR_FS_TMPFS:
      e = path_entry(o, paths, fs->target, "tmpfs", true);
      put_size(o, e, fs->size, fs->size_percent);
      mode_text(mode, fs->mode);
      put_str(o, e, "mode", mode);
      break;
    case CR_FS_PROC: path_entry(o, paths, fs->target, "proc", true); break;
    case CR_FS_SYMLINK:
      e = path_entry(o, paths, fs->target, "symlink", false);
      put_str(o, e, "to", fs->link_to);
      break;
    case CR_FS_FILE:
      e = path_entry(o, paths, fs->target, fs_type_names[fs->type], false);
      mode_text(mode, fs->mode);
      put_str(o, e, "mode", mode);
      break;
  }
}

/* A host file an fd entry opens: a device there is a device the sandbox has. */
static void explain_fds(struct out *o, cJSON *root, cJSON *devices, const struct cr_config *cfg) {
  cJSON *fds = put(o, root, "fds", cJSON_CreateArray());
  for (size_t i = 0; i < cfg->n_fds; i++) {
    const struct cr_fd_entry *f = &cfg->fds[i];
    cJSON *e = put(o, fds, NULL, cJSON_CreateObject());
    put_num(o, e, "fd", f->fd);
    if (f->kind == CR_FD_NULL) {
      put_str(o, e, "kind", "null");
    } else if (f->kind == CR_FD_INHERIT) {
      put_str(o, e, "kind", "inherit");
      put_num(o, e, "from", f->inherit_fd);
    } else {
      put_str(o, e, "kind", "path");
      put_str(o, e, "path", f->path);
      put_bool(o, e, "writable", (f->open_flags & O_ACCMODE) != O_RDONLY);
      struct stat st;
      if (stat(f->path, &st) == 0 && (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)))
        put_str(o, devices, NULL, f->path);
    }
  }
}

static int explain_paths(struct out *o, cJSON *root, const struct cr_config *cfg,
                         const struct cr_identity *id, cr_error **err) {
  cJSON *paths = put(o, root, "paths", cJSON_CreateArray());
  cJSON *devices = put(o, root, "devices", cJSON_CreateArray());
  path_entry(o, paths, "/", "root", false); /* a fresh read-only tmpfs: only the entries below are in it */
  struct cr_identity_saved saved;
  if (cr_identity_enter(id, &saved, err) < 0) return -1;
  for (size_t i = 0; i < cfg->n_fs; i++) explain_fs_entry(o, paths, devices, &cfg->fs[i]);
  explain_fds(o, root, devices, cfg);
  cr_identity_leave(&saved);
  return 0;
}

/* ---- network, namespaces ------------------------------------------------- */

static const struct {
  const char *name;
  unsigned bit;
} namespaces[] = {
    {"user", CR_NS_USER}, {"pid", CR_NS_PID}, {"mount", CR_NS_MOUNT},   {"net", CR_NS_NET},
    {"ipc", CR_NS_IPC},   {"uts", CR_NS_UTS}, {"cgroup", CR_NS_CGROUP}, {"time", CR_NS_TIME},
};

static void explain_network(struct out *o, cJSON *root, const struct cr_config *cfg) {
  cJSON *net = put(o, root, "network", cJSON_CreateObject());
  bool host = cfg->network == CR_NETWORK_HOST;
  put_str(o, net, "mode", host ? "host" : "none");
  cJSON *ifs = put(o, net, "interfaces", cJSON_CreateArray());
  put_str(o, ifs, NULL, host ? "host" : "lo");
  /* abstract unix sockets belong to the net namespace, not to the filesystem */
  put_bool(o, net, "host_abstract_sockets", host);
  if (host)
    weak_spot(o, "network-host",
              "the host's network: every interface, and the host's listening abstract unix sockets");
  cJSON *ns = put(o, root, "namespaces", cJSON_CreateObject());
  cJSON *fresh = put(o, ns, "new", cJSON_CreateArray());
  cJSON *shared = put(o, ns, "shared", cJSON_CreateArray());
  for (size_t i = 0; i < CR_ARRAY_SIZE(namespaces); i++)
    put_str(o, cfg->namespaces & namespaces[i].bit ? fresh : shared, NULL, namespaces[i].name);
  if (!(cfg->namespaces & CR_NS_IPC))
    weak_spot(o, "ipc-shared", "the host's SysV IPC objects and POSIX message queues");
}

/* ---- seccomp: groups of syscalls, and what the compiled program answers ---- */

/* Syscalls that reach the kernel's more dangerous corners, by purpose.
 * Names this architecture lacks are left out; the list is documented in
 * cleanroom(1) and only grows. */
static const struct {
  const char *group;
  const char *const syscalls[12];
} groups[] = {
    {"mount",
     {"mount", "umount", "umount2", "fsopen", "fsconfig", "fsmount", "fspick", "move_mount", "open_tree",
      "mount_setattr"}},
    {"root-change", {"chroot", "pivot_root"}},
    {"namespaces", {"unshare", "setns"}},
    {"kernel-modules", {"init_module", "finit_module", "delete_module", "create_module", "query_module"}},
    {"reboot-kexec", {"reboot", "kexec_load", "kexec_file_load"}},
    {"bpf", {"bpf"}},
    {"perf", {"perf_event_open"}},
    {"keyring", {"add_key", "keyctl", "request_key"}},
    {"ptrace", {"ptrace", "process_vm_readv", "process_vm_writev", "kcmp", "pidfd_getfd"}},
    {"clock", {"settimeofday", "clock_settime", "clock_adjtime", "adjtimex", "stime"}},
    {"swap", {"swapon", "swapoff"}},
    {"io-uring", {"io_uring_setup", "io_uring_enter", "io_uring_register"}},
    {"userfaultfd", {"userfaultfd"}},
    {"raw-io", {"iopl", "ioperm"}},
    {"personality", {"personality"}},
    {"file-handles", {"open_by_handle_at", "name_to_handle_at"}},
    {"accounting-quota", {"acct", "quotactl", "quotactl_fd"}},
    {"host-name", {"sethostname", "setdomainname"}},
    {"kernel-log", {"syslog"}},
    {"numa", {"mbind", "set_mempolicy", "migrate_pages", "move_pages"}},
    {"exec", {"execve", "execveat"}},
};

/* A syscall's verdict, called with zero arguments on the native ABI. */
static const char *verdict(const struct cr_bpf *bpf, int nr, cr_error **err) {
  if (!bpf->len) return "allowed";
  struct seccomp_data data = {.nr = nr, .arch = cr_seccomp_arch_native()};
  struct cr_bpf_outcome out;
  if (cr_bpf_eval(bpf->insns, bpf->len, &data, &out, err) < 0) return NULL;
  if (out.read_args) return "conditional"; /* the arguments decide */
  switch (out.action & SECCOMP_RET_ACTION_FULL) {
    case SECCOMP_RET_ALLOW:
    case SECCOMP_RET_LOG: return "allowed";
    case SECCOMP_RET_USER_NOTIF:
    case SECCOMP_RET_TRACE: return "supervised"; /* another process decides */
    default: return "refused";                   /* ERRNO, TRAP, KILL; unknown actions kill */
  }
}

static const char *seccomp_name(const struct cr_seccomp_spec *spec) {
  switch (spec->kind) {
    case CR_SECCOMP_BUILTIN: return spec->builtin_name;
    case CR_SECCOMP_FILE: return spec->path;
    case CR_SECCOMP_INLINE: return "inline";
    case CR_SECCOMP_NONE: return "none";
  }
  return "?";
}

/* One group: {"group", "status", "syscalls": {name: verdict}}; its status
 * goes to the matching list of names. */
static int explain_group(struct out *o, cJSON *arr, cJSON *lists[3], size_t g, const struct cr_bpf *bpf,
                         cr_error **err) {
  cJSON *e = put(o, arr, NULL, cJSON_CreateObject());
  put_str(o, e, "group", groups[g].group);
  cJSON *calls = cJSON_CreateObject();
  size_t n = 0, refused = 0, allowed = 0;
  for (size_t i = 0; i < CR_ARRAY_SIZE(groups[g].syscalls) && groups[g].syscalls[i]; i++) {
    int nr = cr_syscall_number(groups[g].syscalls[i]);
    if (nr < 0) continue;
    const char *v = verdict(bpf, nr, err);
    if (!v) {
      cJSON_Delete(calls);
      return -1;
    }
    n++;
    refused += strcmp(v, "refused") == 0;
    allowed += strcmp(v, "allowed") == 0;
    put_str(o, calls, groups[g].syscalls[i], v);
  }
  int which = refused == n ? 0 : allowed == n ? 2 : 1;
  static const char *const status[] = {"refused", "partly", "allowed"};
  put_str(o, e, "status", status[which]);
  put(o, e, "syscalls", calls);
  put_str(o, lists[which], NULL, groups[g].group);
  return 0;
}

static int explain_seccomp(struct out *o, cJSON *root, const struct cr_config *cfg,
                           const struct cr_options *opts, cr_error **err) {
  struct cr_bpf bpf;
  if (cr_config_compile_policy(cfg, opts, &bpf, err) < 0) return -1;
  cJSON *sc = put(o, root, "seccomp", cJSON_CreateObject());
  put_str(o, sc, "policy", seccomp_name(&cfg->seccomp));
  put_num(o, sc, "instructions", bpf.len);
  put_bool(o, sc, "exec_once", bpf.exec_once);
  cJSON *lists[3] = {put(o, sc, "refused_groups", cJSON_CreateArray()),
                     put(o, sc, "partly_refused_groups", cJSON_CreateArray()),
                     put(o, sc, "allowed_groups", cJSON_CreateArray())};
  cJSON *arr = put(o, sc, "groups", cJSON_CreateArray());
  int rc = 0;
  for (size_t g = 0; g < CR_ARRAY_SIZE(groups) && rc == 0; g++)
    rc = explain_group(o, arr, lists, g, &bpf, err);
  cr_bpf_free(&bpf);
  if (cfg->seccomp.kind == CR_SECCOMP_NONE)
    weak_spot(o, "seccomp-none", "no seccomp filter: every syscall reaches the kernel");
  return rc;
}

/* ---- limits ------------------------------------------------------------------ */

static const struct {
  const char *name;
  int resource;
} rlimit_names[] = {
    {"AS", RLIMIT_AS},           {"CORE", RLIMIT_CORE},         {"CPU", RLIMIT_CPU},
    {"DATA", RLIMIT_DATA},       {"FSIZE", RLIMIT_FSIZE},       {"LOCKS", RLIMIT_LOCKS},
    {"MEMLOCK", RLIMIT_MEMLOCK}, {"MSGQUEUE", RLIMIT_MSGQUEUE}, {"NICE", RLIMIT_NICE},
    {"NOFILE", RLIMIT_NOFILE},   {"NPROC", RLIMIT_NPROC},       {"RSS", RLIMIT_RSS},
    {"RTPRIO", RLIMIT_RTPRIO},   {"RTTIME", RLIMIT_RTTIME},     {"SIGPENDING", RLIMIT_SIGPENDING},
    {"STACK", RLIMIT_STACK},
};

/* exactly, beyond 2^53 too */
static cJSON *rlim_json(rlim_t v) {
  if (v == RLIM_INFINITY) return cJSON_CreateString("unlimited");
  char text[24];
  snprintf(text, sizeof text, "%llu", (unsigned long long)v);
  return cJSON_CreateRaw(text);
}

static void explain_rlimits(struct out *o, cJSON *limits, const struct cr_limits *l) {
  cJSON *obj = put(o, limits, "rlimits", cJSON_CreateObject());
  for (size_t i = 0; i < l->n_rlimits; i++) {
    const char *name = NULL;
    for (size_t k = 0; k < CR_ARRAY_SIZE(rlimit_names); k++)
      if (rlimit_names[k].resource == l->rlimits[i].resource) name = rlimit_names[k].name;
    if (!name) continue;
    cJSON *pair = put(o, obj, name, cJSON_CreateObject());
    put(o, pair, "soft", rlim_json(l->rlimits[i].soft));
    put(o, pair, "hard", rlim_json(l->rlimits[i].hard));
  }
}

static void explain_limits(struct out *o, cJSON *root, const struct cr_limits *l) {
  cJSON *j = put(o, root, "limits", cJSON_CreateObject());
  put_limit(o, j, "time_ms", (double)l->time_ms);
  put_limit(o, j, "memory", (double)l->memory);
  put_limit(o, j, "pids", (double)l->pids);
  put_limit(o, j, "cpu", l->cpu);
  explain_rlimits(o, j, l);
  cJSON *optional = put(o, j, "optional", cJSON_CreateArray());
  cJSON *unbounded = put(o, j, "unbounded", cJSON_CreateArray());
  const struct {
    const char *name, *key, *kind;
    bool set;
    unsigned bit;
  } bounds[] = {
      {"time", "time_ms", "no-time-limit", l->time_ms != 0, 0},
      {"memory", "memory", "no-memory-limit", l->memory != 0, CR_LIMIT_MEMORY},
      {"pids", "pids", "no-pids-limit", l->pids != 0, CR_LIMIT_PIDS},
      {"cpu", "cpu", NULL, l->cpu != 0, CR_LIMIT_CPU}, /* a cpu share bounds speed, not reach */
  };
  for (size_t i = 0; i < CR_ARRAY_SIZE(bounds); i++) {
    if (!bounds[i].set) {
      put_str(o, unbounded, NULL, bounds[i].name);
      if (bounds[i].kind) weak_spot(o, bounds[i].kind, "limits.%s is not set", bounds[i].key);
    } else if (l->optional & bounds[i].bit) {
      put_str(o, optional, NULL, bounds[i].name);
      if (bounds[i].kind)
        weak_spot(o, "optional-limit",
                  "limits.%s is optional: the run goes on without it when no cgroup can enforce it",
                  bounds[i].key);
    }
  }
}

/* ---- the whole ------------------------------------------------------------------ */

int cr_config_explain(const struct cr_config *cfg, const struct cr_options *opts, char **json,
                      cr_error **err) {
  *json = NULL;
  struct cr_identity id;
  if (cr_identity_of(cfg, &id, err) < 0) return -1;
  cJSON *root = cJSON_CreateObject();
  struct out o = {.failed = !root};
  o.weak = cJSON_CreateArray(); /* added last, filled on the way */
  if (!o.weak) o.failed = true;
  put_str(&o, root, "config", cfg->name);
  explain_identity(&o, root, cfg, &id);
  int rc = explain_paths(&o, root, cfg, &id, err);
  if (rc == 0) {
    explain_network(&o, root, cfg);
    rc = explain_seccomp(&o, root, cfg, opts, err);
  }
  if (rc == 0) {
    explain_capabilities(&o, root, cfg->capabilities);
    explain_limits(&o, root, &cfg->limits);
    put(&o, root, "weak_spots", cr_steal_ptr(&o.weak));
  }
  cJSON_Delete(o.weak);
  if (rc == 0 && !o.failed) *json = cJSON_Print(root);
  cJSON_Delete(root);
  if (rc < 0) return -1;
  if (!*json) return cr_fail(err, ENOMEM, "explain", "out of memory");
  return 0;
}
