/* SPDX-License-Identifier: MIT */
/* Sandbox side: the filesystem. A fresh tmpfs becomes the root; every
 * declared entry is attached to it through file descriptors (open_tree,
 * fsmount, move_mount), and every path inside the new root is resolved with
 * openat2(RESOLVE_IN_ROOT), so no symlink can lead a mount or a write out of
 * the sandbox. The init pivots into the empty root first and fills it after
 * (the old root is detached meanwhile, helper.c). Runs in the init between
 * clone and fork: system calls only. */
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <stdbool.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "child.h"

/* Where the new root is attached before pivot_root; any directory works, the
 * mount is private to the sandbox's mount namespace. */
#define STAGING_DIR "/tmp"

struct root_ctx {
  const struct cr_plan *plan;
  struct cr_init_state *st;
  int rootfd;
  char where[CR_RECORD_WHERE_MAX]; /* "$.filesystem[N] TARGET" of the entry being set up */
};

static __attribute__((noreturn)) void fail(struct root_ctx *ctx, int errnum, const char *what,
                                           const char *path) {
  char text[CR_RECORD_WHAT_MAX];
  cr_strlcpy(text, what, sizeof text);
  if (path) {
    cr_strlcat(text, " ", sizeof text);
    cr_strlcat(text, path, sizeof text);
  }
  cr_child_fail(ctx->plan, errnum, ctx->where, text);
}

static void set_where(struct root_ctx *ctx, size_t index, const char *target) {
  char num[24];
  cr_strlcpy(ctx->where, "$.filesystem[", sizeof ctx->where);
  cr_strlcat(ctx->where, cr_fmt_uint(num, sizeof num, index), sizeof ctx->where);
  cr_strlcat(ctx->where, "] ", sizeof ctx->where);
  cr_strlcat(ctx->where, target, sizeof ctx->where);
}

static int open_in_root(int rootfd, const char *path, int flags) {
  struct open_how how = {
      .flags = (unsigned long long)(flags | O_CLOEXEC),
      .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
  };
  int fd;
  do fd = (int)syscall(SYS_openat2, rootfd, path, &how, sizeof how);
  while (fd < 0 && errno == EAGAIN);
  return fd;
}

static void remember_own_fs(struct root_ctx *ctx, int fd) {
  struct stat st;
  if (fstat(fd, &st) < 0) fail(ctx, errno, "fstat", NULL);
  if (ctx->st->n_own_devs < ctx->st->n_own_devs_max) ctx->st->own_devs[ctx->st->n_own_devs++] = st.st_dev;
}

/* A mount point or file may only be created on a filesystem the sandbox
 * made: creating one inside a bind would write to the host. */
static bool is_own_fs(const struct root_ctx *ctx, int dirfd) {
  struct stat st;
  if (fstat(dirfd, &st) < 0) return false;
  for (size_t i = 0; i < ctx->st->n_own_devs; i++)
    if (ctx->st->own_devs[i] == st.st_dev) return true;
  return false;
}

/* Split "/a/b/c" into the parent "/a/b" (written to `parent`) and "c". */
static const char *split_parent(const char *path, char *parent, size_t size) {
  const char *slash = strrchr(path, '/');
  size_t len = (size_t)(slash - path);
  if (len == 0) len = 1; /* parent of "/c" is "/" */
  if (len >= size) len = size - 1;
  memcpy(parent, path, len);
  parent[len] = '\0';
  return slash + 1;
}

static void check_creatable(struct root_ctx *ctx, int parentfd, const char *path) {
  if (is_own_fs(ctx, parentfd)) return;
  char what[CR_RECORD_WHAT_MAX];
  cr_strlcpy(what, "cannot create ", sizeof what);
  cr_strlcat(what, path, sizeof what);
  cr_strlcat(what,
             ": it would be inside a bind of a host folder, that is on the host; "
             "create it on the host, or mount a tmpfs above it",
             sizeof what);
  fail(ctx, 0, what, NULL);
}

/* Open directory `path` inside the root, creating missing components.
 * A component is first made with mkdirat where its parent is known to be the
 * sandbox's own (a folder just made is): a new folder cannot be a symlink,
 * so it is opened by name; one that exists already is resolved again from
 * the root (RESOLVE_IN_ROOT), whatever it is. Two calls per new folder. */
static int ensure_dir(struct root_ctx *ctx, const char *path) {
  char prefix[4096], name[256];
  int dirfd = ctx->rootfd; /* never closed here */
  bool dir_is_own = true;  /* the root is */
  size_t len = 0;
  const char *p = path;
  while (*p) {
    while (*p == '/') p++;
    if (!*p) break;
    const char *end = strchr(p, '/');
    size_t comp = end ? (size_t)(end - p) : strlen(p);
    if (len + comp + 2 > sizeof prefix || comp >= sizeof name) fail(ctx, ENAMETOOLONG, "path", path);
    prefix[len++] = '/';
    memcpy(prefix + len, p, comp);
    len += comp;
    prefix[len] = '\0';
    memcpy(name, p, comp);
    name[comp] = '\0';
    int next = -1;
    if (!dir_is_own) dir_is_own = is_own_fs(ctx, dirfd);
    if (dir_is_own && mkdirat(dirfd, name, 0755) == 0) {
      next = openat(dirfd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    } else if (dir_is_own && errno != EEXIST) {
      fail(ctx, errno, "mkdir", prefix);
    } else {
      next = open_in_root(ctx->rootfd, prefix, O_PATH | O_DIRECTORY);
      if (next < 0 && errno == ENOENT) check_creatable(ctx, dirfd, prefix); /* fails: not own */
      dir_is_own = false;                                                   /* unknown: check when needed */
    }
    if (next < 0) fail(ctx, errno, "open", prefix);
    if (dirfd != ctx->rootfd) close(dirfd);
    dirfd = next;
    p += comp;
  }
  if (dirfd == ctx->rootfd) dirfd = open_in_root(ctx->rootfd, "/", O_PATH | O_DIRECTORY);
  if (dirfd < 0) fail(ctx, errno, "open root", NULL);
  return dirfd;
}

/* Open (creating it empty when missing) a regular file to mount over. */
static int ensure_file(struct root_ctx *ctx, const char *path) {
  int fd = open_in_root(ctx->rootfd, path, O_PATH);
  if (fd >= 0 || errno != ENOENT) {
    if (fd < 0) fail(ctx, errno, "open", path);
    return fd;
  }
  char parent[4096];
  const char *name = split_parent(path, parent, sizeof parent);
  int dirfd = ensure_dir(ctx, parent);
  check_creatable(ctx, dirfd, path);
  int created = openat(dirfd, name, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0444);
  if (created < 0) fail(ctx, errno, "create", path);
  close(created);
  close(dirfd);
  fd = open_in_root(ctx->rootfd, path, O_PATH);
  if (fd < 0) fail(ctx, errno, "open", path);
  return fd;
}

static void attach(struct root_ctx *ctx, int mntfd, int targetfd, const char *target) {
  if (move_mount(mntfd, "", targetfd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
    fail(ctx, errno, "attach mount at", target);
}

/* A new filesystem instance as a detached mount. `opts` is a NULL-terminated
 * list of key, value pairs (value NULL for a flag). */
static int new_fs(struct root_ctx *ctx, const char *fstype, const char *const *opts, unsigned int attrs) {
  int fsfd = fsopen(fstype, FSOPEN_CLOEXEC);
  if (fsfd < 0) fail(ctx, errno, "fsopen", fstype);
  for (; opts && opts[0]; opts += 2) {
    int rc = opts[1] ? fsconfig(fsfd, FSCONFIG_SET_STRING, opts[0], opts[1], 0)
                     : fsconfig(fsfd, FSCONFIG_SET_FLAG, opts[0], NULL, 0);
    if (rc < 0) fail(ctx, errno, "mount option", opts[0]);
  }
  if (fsconfig(fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0) fail(ctx, errno, "create", fstype);
  int mntfd = fsmount(fsfd, FSMOUNT_CLOEXEC, attrs);
  if (mntfd < 0) fail(ctx, errno, "fsmount", fstype);
  close(fsfd);
  return mntfd;
}

static void fmt_octal(char *buf, size_t size, unsigned v) {
  char tmp[16];
  size_t n = 0;
  do {
    tmp[n++] = (char)('0' + (v & 7));
    v >>= 3;
  } while (v && n < sizeof tmp);
  size_t i = 0;
  buf[i++] = '0';
  for (; n && i + 1 < size; i++) buf[i] = tmp[--n];
  buf[i] = '\0';
}

static bool on_root_fs(struct root_ctx *ctx, int dirfd) {
  struct stat st;
  return fstat(dirfd, &st) == 0 && st.st_dev == ctx->st->own_devs[0];
}

/* A writable place without a size of its own needs no new tmpfs (each costs
 * about 0.1 ms): a writable bind of the folder, made in the root's own
 * tmpfs, is the same memory-backed, private, empty folder. */
static bool share_root_tmpfs(struct root_ctx *ctx, int dirfd, const char *target, unsigned mode,
                             unsigned attrs) {
  if (!on_root_fs(ctx, dirfd)) return false; /* a mount point already: stack a real tmpfs */
  int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC); /* fchmod needs more than O_PATH */
  if (fd < 0) fail(ctx, errno, "open", target);
  if (fchmod(fd, mode) < 0) fail(ctx, errno, "chmod", target);
  close(fd);
  int treefd = open_tree(dirfd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
  if (treefd < 0) fail(ctx, errno, "bind", target);
  struct mount_attr attr = {.attr_set = attrs};
  if (mount_setattr(treefd, "", AT_EMPTY_PATH, &attr, sizeof attr) < 0)
    fail(ctx, errno, "set mount flags of", target);
  attach(ctx, treefd, dirfd, target);
  close(treefd);
  return true;
}

/* `size` bytes, or `percent` % of the host's RAM (tmpfs takes "25%" itself);
 * both 0: the kernel's default. */
static void mount_tmpfs_at(struct root_ctx *ctx, const char *target, unsigned long long size,
                           unsigned percent, unsigned mode, unsigned attrs) {
  int dirfd = ensure_dir(ctx, target);
  if (size == 0 && percent == 0 && share_root_tmpfs(ctx, dirfd, target, mode, attrs)) {
    close(dirfd);
    return;
  }
  char size_s[24], mode_s[16];
  fmt_octal(mode_s, sizeof mode_s, mode);
  if (percent) {
    cr_fmt_uint(size_s, sizeof size_s, percent);
    cr_strlcat(size_s, "%", sizeof size_s);
  } else {
    cr_fmt_uint(size_s, sizeof size_s, size);
  }
  const char *opts[] = {"mode", mode_s, size || percent ? "size" : NULL, size_s, NULL};
  int mntfd = new_fs(ctx, "tmpfs", opts, attrs);
  attach(ctx, mntfd, dirfd, target);
  remember_own_fs(ctx, mntfd);
  close(mntfd);
  close(dirfd);
}

static void mount_bind(struct root_ctx *ctx, size_t index, const struct cr_fs_entry *e) {
  int treefd = ctx->st->tree_fds[index];
  if (treefd < 0) return; /* optional source that does not exist */
  struct stat st;
  if (fstat(treefd, &st) < 0) fail(ctx, errno, "fstat", e->source);
  int targetfd = S_ISDIR(st.st_mode) ? ensure_dir(ctx, e->target) : ensure_file(ctx, e->target);
  attach(ctx, treefd, targetfd, e->target);
  close(targetfd);
}

/* The instance was made with the sources (cr_mount_open_sources). */
static void mount_proc(struct root_ctx *ctx, size_t index, const struct cr_fs_entry *e) {
  int dirfd = ensure_dir(ctx, e->target);
  attach(ctx, ctx->st->tree_fds[index], dirfd, e->target);
  close(dirfd);
}

static void join_path(char *buf, size_t size, const char *dir, const char *name) {
  cr_strlcpy(buf, dir, size);
  if (strcmp(dir, "/") != 0) cr_strlcat(buf, "/", size);
  cr_strlcat(buf, name, size);
}

static void make_symlink(struct root_ctx *ctx, const char *target, const char *to) {
  char parent[4096];
  const char *name = split_parent(target, parent, sizeof parent);
  int dirfd = ensure_dir(ctx, parent);
  check_creatable(ctx, dirfd, target);
  if (symlinkat(to, dirfd, name) < 0) fail(ctx, errno, "symlink", target);
  close(dirfd);
}

/* Device nodes cannot be made in a user namespace: the host's are bound,
 * cloned with their flags along with the bind sources (open_dev_nodes). The
 * mount point is made in the /dev folder the sandbox just created (`devfd`),
 * by name, so no path needs resolving again (a launch makes six). */
static const char *const dev_nodes[CR_DEV_NODE_COUNT] = {"null", "zero", "full", "random", "urandom", "tty"};

static void bind_device(struct root_ctx *ctx, int devfd, const char *dev_dir, const char *name, int treefd) {
  char target[4096];
  join_path(target, sizeof target, dev_dir, name);
  int targetfd = openat(devfd, name, O_CREAT | O_EXCL | O_RDONLY | O_NOFOLLOW | O_CLOEXEC, 0444);
  if (targetfd < 0) fail(ctx, errno, "create", target);
  attach(ctx, treefd, targetfd, target);
  close(targetfd);
}

static void mount_dev(struct root_ctx *ctx, size_t index, const struct cr_fs_entry *e) {
  static const char *const links[][2] = {
      {"fd", "/proc/self/fd"},
      {"stdin", "/proc/self/fd/0"},
      {"stdout", "/proc/self/fd/1"},
      {"stderr", "/proc/self/fd/2"},
  };
  char path[4096];
  mount_tmpfs_at(ctx, e->target, 0, 0, 0755, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC);
  int devfd = open_in_root(ctx->rootfd, e->target, O_PATH | O_DIRECTORY);
  if (devfd < 0) fail(ctx, errno, "open", e->target);
  check_creatable(ctx, devfd, e->target);
  for (size_t i = 0; i < CR_DEV_NODE_COUNT; i++)
    bind_device(ctx, devfd, e->target, dev_nodes[i], ctx->st->dev_node_fds[index * CR_DEV_NODE_COUNT + i]);
  for (size_t i = 0; i < sizeof links / sizeof links[0]; i++)
    if (symlinkat(links[i][1], devfd, links[i][0]) < 0) {
      join_path(path, sizeof path, e->target, links[i][0]);
      fail(ctx, errno, "symlink", path);
    }
  close(devfd);
  if (e->dev_shm) {
    join_path(path, sizeof path, e->target, "shm");
    mount_tmpfs_at(ctx, path, e->shm_size, e->shm_size_percent, 01777, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV);
  }
  if (e->dev_pts) {
    /* max: ptys come out of the host's pool (kernel.pty.max, shared by every
     * sandbox and container): one sandbox takes at most this many */
    static const char *const pts_opts[] = {"newinstance", NULL,  "ptmxmode", "0666", "mode",
                                           "0620",        "max", "256",      NULL};
    join_path(path, sizeof path, e->target, "pts");
    int dirfd = ensure_dir(ctx, path);
    int mntfd = new_fs(ctx, "devpts", pts_opts, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC);
    attach(ctx, mntfd, dirfd, path);
    close(mntfd);
    close(dirfd);
    join_path(path, sizeof path, e->target, "ptmx");
    make_symlink(ctx, path, "pts/ptmx");
  }
  /* Nothing is created in /dev by a payload: read-only, it cannot fill
   * the memory it lives in (the writable places are shm and pts). */
  devfd = open_in_root(ctx->rootfd, e->target, O_PATH | O_DIRECTORY);
  struct mount_attr ro = {.attr_set = MOUNT_ATTR_RDONLY};
  if (devfd < 0 || mount_setattr(devfd, "", AT_EMPTY_PATH, &ro, sizeof ro) < 0)
    fail(ctx, errno, "make read-only", e->target);
  close(devfd);
}

static void write_file(struct root_ctx *ctx, const struct cr_fs_entry *e) {
  char parent[4096];
  const char *name = split_parent(e->target, parent, sizeof parent);
  int dirfd = ensure_dir(ctx, parent);
  check_creatable(ctx, dirfd, e->target);
  int fd = openat(dirfd, name, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) fail(ctx, errno, "create", e->target);
  if (cr_write_all(fd, e->content, e->content_len) < 0) fail(ctx, errno, "write", e->target);
  if (fchmod(fd, e->mode) < 0) fail(ctx, errno, "chmod", e->target);
  close(fd);
  close(dirfd);
}

static void set_up_entry(struct root_ctx *ctx, size_t index, const struct cr_fs_entry *e) {
  set_where(ctx, index, e->target);
  switch (e->type) {
    case CR_FS_BIND: mount_bind(ctx, index, e); break;
    case CR_FS_TMPFS:
      mount_tmpfs_at(ctx, e->target, e->size, e->size_percent, e->mode, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV);
      break;
    case CR_FS_PROC: mount_proc(ctx, index, e); break;
    case CR_FS_DEV: mount_dev(ctx, index, e); break;
    case CR_FS_SYMLINK: make_symlink(ctx, e->target, e->link_to); break;
    case CR_FS_FILE: write_file(ctx, e); break;
  }
}

/* A detached copy of `path` (or of `dirfd` itself, path "") with flags
 * `attrs`, private: the namespace's copies of the host's shared mounts are
 * slaves of them, and a mount the host makes later must not appear in the
 * sandbox. -1 when it could not be cloned, -2 when mount_setattr failed
 * (errno set). */
static int clone_private_tree(int dirfd, const char *path, unsigned flags, unsigned attrs) {
  int treefd =
      open_tree(dirfd, path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (path[0] ? 0 : AT_EMPTY_PATH) | flags);
  if (treefd < 0) return -1;
  struct mount_attr attr = {.attr_set = attrs, .propagation = MS_PRIVATE};
  int saved;
  if (mount_setattr(treefd, "", AT_EMPTY_PATH | (flags & AT_RECURSIVE), &attr, sizeof attr) < 0) {
    saved = errno;
    close(treefd);
    errno = saved;
    return -2;
  }
  return treefd;
}

/* Why a host path could not be opened, with the identity that tried. */
static __attribute__((noreturn)) void fail_host_path(struct root_ctx *ctx, int errnum, const char *what,
                                                     const char *path) {
  char text[CR_RECORD_WHAT_MAX], num[24];
  cr_strlcpy(text, what, sizeof text);
  cr_strlcat(text, " ", sizeof text);
  cr_strlcat(text, path, sizeof text);
  if (errnum == ELOOP) {
    cr_strlcat(text,
               ": it leads through a /proc magic link (a link to an open file of cleanroom "
               "itself, refused) or too many symbolic links",
               sizeof text);
  } else if (errnum == EACCES || errnum == EPERM) {
    cr_strlcat(text, ": opened as uid ", sizeof text);
    cr_strlcat(text, cr_fmt_uint(num, sizeof num, ctx->plan->outer_uid), sizeof text);
    cr_strlcat(text,
               ctx->plan->caller_is_root
                   ? " (the sandbox's host identity: cleanroom runs as root, the sandbox as "
                     "process.host_uid), which may not reach it"
                   : " (the sandbox's host identity), which may not reach it",
               sizeof text);
  }
  cr_child_fail(ctx->plan, errnum, ctx->where, text);
}

/* A bind source is resolved first without /proc magic links (a link to an
 * open file of the launcher would bind what the launcher holds), by the
 * init as the sandbox's ids: with the rights of the sandbox's host
 * identity. The path fd stays open (close-on-exec) until the init gives up
 * its fds: one system call fewer per source. */
static void open_bind_source(struct root_ctx *ctx, size_t index, const struct cr_fs_entry *e) {
  unsigned attrs = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | (e->writable ? 0 : MOUNT_ATTR_RDONLY);
  struct open_how how = {.flags = O_PATH | O_CLOEXEC, .resolve = RESOLVE_NO_MAGICLINKS};
  int pathfd;
  do pathfd = (int)syscall(SYS_openat2, AT_FDCWD, e->source, &how, sizeof how);
  while (pathfd < 0 && errno == EAGAIN);
  if (pathfd < 0 && errno == ENOENT && e->optional) return;
  if (pathfd < 0) fail_host_path(ctx, errno, "bind source", e->source);
  int treefd = clone_private_tree(pathfd, "", AT_RECURSIVE, attrs);
  if (treefd == -1) fail_host_path(ctx, errno, "bind source", e->source);
  if (treefd == -2) fail(ctx, errno, "set mount flags of", e->source);
  ctx->st->tree_fds[index] = treefd;
}

static void open_dev_nodes(struct root_ctx *ctx, size_t index) {
  for (size_t i = 0; i < CR_DEV_NODE_COUNT; i++) {
    char host[64];
    join_path(host, sizeof host, "/dev", dev_nodes[i]);
    /* fixed host paths under root's /dev: no link of anyone's on the way */
    int treefd = clone_private_tree(AT_FDCWD, host, 0, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC);
    if (treefd < 0) fail(ctx, errno, treefd == -1 ? "open device" : "set mount flags of", host);
    ctx->st->dev_node_fds[index * CR_DEV_NODE_COUNT + i] = treefd;
  }
}

/* First, while the host's tree is there: clone every bind source (with the
 * sandbox's host identity: the init has taken the sandbox's ids) and the host's device nodes into detached
 * trees with their final flags, and make the proc instances, so a missing
 * source fails before the root exists. (Nothing needs the rest of the
 * copied tree private: it is detached right after the pivot, and a slave
 * propagates nothing back.) */
void cr_mount_open_sources(const struct cr_plan *plan, struct cr_init_state *st) {
  struct root_ctx ctx = {.plan = plan, .st = st, .rootfd = -1, .where = "filesystem"};
  for (size_t i = 0; i < plan->cfg->n_fs; i++) {
    const struct cr_fs_entry *e = &plan->cfg->fs[i];
    set_where(&ctx, i, e->target);
    if (e->type == CR_FS_BIND) open_bind_source(&ctx, i, e);
    if (e->type == CR_FS_DEV) open_dev_nodes(&ctx, i);
    /* A user namespace may mount a proc only while a fully visible one is
     * in its mount namespace: the host's, until the old root goes. */
    if (e->type == CR_FS_PROC)
      st->tree_fds[i] = new_fs(&ctx, "proc", NULL, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
  }
}

/* A fresh tmpfs becomes the root at once: pivot_root(".", ".") stacks the
 * old root on it, which the launcher's helper detaches (helper.c) while
 * the root is filled through `rootfd`, which the stack does not affect. */
int cr_mount_enter_new_root(const struct cr_plan *plan) {
  struct root_ctx ctx = {.plan = plan, .rootfd = -1, .where = "root"};
  static const char *const root_opts[] = {"mode", "0755", NULL};
  int rootfd = new_fs(&ctx, "tmpfs", root_opts, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV);
  if (move_mount(rootfd, "", AT_FDCWD, STAGING_DIR, MOVE_MOUNT_F_EMPTY_PATH) < 0)
    fail(&ctx, errno, "attach the new root at", STAGING_DIR);
  if (fchdir(rootfd) < 0) fail(&ctx, errno, "chdir to the new root", NULL);
  if (syscall(SYS_pivot_root, ".", ".") < 0) fail(&ctx, errno, "pivot_root", NULL);
  return rootfd;
}

void cr_mount_build_root(const struct cr_plan *plan, struct cr_init_state *st, int rootfd) {
  struct root_ctx ctx = {.plan = plan, .st = st, .rootfd = rootfd, .where = "root"};
  remember_own_fs(&ctx, rootfd);
  for (size_t i = 0; i < plan->cfg->n_fs; i++) set_up_entry(&ctx, i, &plan->cfg->fs[i]);
  for (size_t i = 0; i < plan->cfg->n_fs; i++)
    if (st->tree_fds[i] >= 0) close(st->tree_fds[i]);
  for (size_t i = 0; i < plan->cfg->n_fs * CR_DEV_NODE_COUNT; i++)
    if (st->dev_node_fds[i] >= 0) close(st->dev_node_fds[i]);
  cr_strlcpy(ctx.where, "root", sizeof ctx.where);
  struct mount_attr ro = {.attr_set = MOUNT_ATTR_RDONLY};
  if (mount_setattr(rootfd, "", AT_EMPTY_PATH, &ro, sizeof ro) < 0)
    fail(&ctx, errno, "make the root read-only", NULL);
  close(rootfd);
}
