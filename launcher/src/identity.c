/* SPDX-License-Identifier: MIT */
/* Launcher side: the sandbox's host identity, and host paths opened with it.
 *
 * A config names host paths (fds[].path, a seccomp profile file, the
 * report). Opened with the caller's rights, they are a key to those rights:
 * whoever writes the config (a plugin author) or owns a folder on the way
 * (a planted symlink) could hand the sandbox, or overwrite, a file only the
 * caller may touch. So every such path is opened with the rights of the
 * identity the sandbox has on the host, and never through a /proc magic
 * link (a link to one of the launcher's own open files):
 *
 *   - an ordinary caller's sandbox runs as the caller: its own rights;
 *   - a root caller's sandbox runs as host_uid/host_gid (65534 unless the
 *     config says otherwise) with no supplementary groups: the calling
 *     thread takes those as its filesystem ids for the open and gives them
 *     back right after. Raw system calls: the change is this thread's only
 *     (glibc's wrappers would apply it to every thread of a host).
 *
 * Bind sources are opened the same way, by the init once it has become the
 * sandbox ids (mounts.c). */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "identity.h"

int cr_identity_of(const struct cr_config *cfg, struct cr_identity *id, cr_error **err) {
  memset(id, 0, sizeof *id);
  if (geteuid() != 0) {
    id->uid = geteuid();
    id->gid = getegid();
    return 0;
  }
  /* Never host root: the sandbox ids map to an unprivileged host id. */
  if (cfg->process.host_uid == 0 || cfg->process.host_gid == 0)
    return cr_fail(err, 0, "process", "host_uid/host_gid 0 would run the sandbox as host root");
  id->switched = true;
  id->uid = cfg->process.host_uid;
  id->gid = cfg->process.host_gid;
  return 0;
}

void cr_identity_describe(const struct cr_identity *id, char *buf, size_t size) {
  if (id->switched)
    snprintf(buf, size,
             "as uid %u, gid %u (the sandbox's host identity: cleanroom runs as root, "
             "the sandbox as process.host_uid)",
             (unsigned)id->uid, (unsigned)id->gid);
  else
    snprintf(buf, size, "as uid %u (the sandbox's host identity)", (unsigned)id->uid);
}

static long fs_id(long nr, long id) { return syscall(nr, id); }

int cr_identity_enter(const struct cr_identity *id, struct cr_identity_saved *saved, cr_error **err) {
  memset(saved, 0, sizeof *saved);
  if (!id->switched) return 0;
  long n = syscall(SYS_getgroups, 0, NULL);
  if (n < 0) return cr_fail(err, errno, "identity", "getgroups");
  saved->groups = calloc((size_t)n + 1, sizeof *saved->groups);
  if (!saved->groups) return cr_fail(err, ENOMEM, "identity", "allocate");
  if ((n = syscall(SYS_getgroups, n, saved->groups)) < 0) {
    free(saved->groups);
    return cr_fail(err, errno, "identity", "getgroups");
  }
  saved->n_groups = (size_t)n;
  if (syscall(SYS_setgroups, 0, NULL) < 0) {
    free(saved->groups);
    return cr_fail(err, errno, "identity", "drop the supplementary groups");
  }
  saved->active = true;
  /* setfsuid/setfsgid answer the previous id, and cannot fail visibly:
   * asking again (-1 changes nothing) tells whether they took. */
  saved->fsgid = (gid_t)fs_id(SYS_setfsgid, id->gid);
  saved->fsuid = (uid_t)fs_id(SYS_setfsuid, id->uid);
  if ((gid_t)fs_id(SYS_setfsgid, -1) != id->gid || (uid_t)fs_id(SYS_setfsuid, -1) != id->uid) {
    cr_identity_leave(saved);
    return cr_fail(err, EPERM, "identity", "take uid %u, gid %u as the filesystem ids", (unsigned)id->uid,
                   (unsigned)id->gid);
  }
  return 0;
}

void cr_identity_leave(struct cr_identity_saved *saved) {
  if (!saved->active) return;
  int keep = errno;
  /* uid first: it gives back the capabilities setgroups needs */
  (void)fs_id(SYS_setfsuid, saved->fsuid);
  (void)fs_id(SYS_setfsgid, saved->fsgid);
  if (syscall(SYS_setgroups, saved->n_groups, saved->groups) < 0) abort(); /* never keep the wrong groups */
  free(saved->groups);
  memset(saved, 0, sizeof *saved);
  errno = keep;
}

int cr_open_no_magiclinks(int dirfd, const char *path, int flags, mode_t mode) {
  if (!(flags & O_PATH)) flags |= O_NOCTTY; /* openat2 takes nothing else with O_PATH */
  struct open_how how = {
      .flags = (unsigned long long)(flags | O_CLOEXEC),
      .mode = (flags & (O_CREAT | O_TMPFILE)) ? mode : 0,
      .resolve = RESOLVE_NO_MAGICLINKS,
  };
  long fd;
  do fd = syscall(SYS_openat2, dirfd, path, &how, sizeof how);
  while (fd < 0 && errno == EAGAIN);
  return (int)fd;
}

int cr_open_as(const struct cr_identity *id, const char *path, int flags, mode_t mode, const char *where,
               cr_error **err) {
  struct cr_identity_saved saved;
  if (cr_identity_enter(id, &saved, err) < 0) return -1;
  int fd = cr_open_no_magiclinks(AT_FDCWD, path, flags, mode);
  int saved_errno = errno;
  cr_identity_leave(&saved);
  if (fd >= 0) return fd;
  char who[256];
  cr_identity_describe(id, who, sizeof who);
  if (saved_errno == ELOOP)
    return cr_fail(err, saved_errno, where,
                   "open %s %s: it leads through a /proc magic link (a link to an open file of "
                   "cleanroom itself, refused) or too many symbolic links",
                   path, who);
  return cr_fail(err, saved_errno, where, "open %s %s", path, who);
}
