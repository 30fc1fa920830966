/* A cache of compiled filters on disk, keyed by content.
 *
 * Compiling a 350-syscall profile with libseccomp takes several
 * milliseconds, more than the rest of a launch; the same profile on the same
 * kernel and libseccomp always compiles to the same program. So the program
 * is stored under a hash of everything it depends on and reused.
 *
 * A cached filter is a security boundary: it is only read from a folder and
 * file owned by the caller and writable by nobody else. Anything unexpected
 * (wrong owner, mode, size, key) is a miss, and the profile is compiled. */
#include <errno.h>
#include <fcntl.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "cr/cleanup.h"
#include "internal.h"

#define CACHE_MAGIC "CRBPF004"

struct cache_header {
  char magic[8];
  uint64_t key;
  uint64_t text_len;
  uint64_t kept_caps;
  uint32_t filter_flags;
  uint32_t warning_len;
  uint16_t len;
  uint8_t exec_once;
  uint8_t pad[5];
  uint64_t body_hash; /* of the instructions and warning: a torn or damaged file is a miss */
};

#define FNV_OFFSET 0xcbf29ce484222325ull

/* FNV-1a over 64-bit words (then the tail bytes): the built-in profile is
 * hashed at every launch, and a byte at a time costs 0.1 ms of 18 KB. */
static uint64_t fnv1a(uint64_t h, const void *data, size_t len) {
  const unsigned char *p = data;
  for (; len >= 8; p += 8, len -= 8) {
    uint64_t word;
    memcpy(&word, p, 8);
    h = (h ^ word) * 0x100000001b3ull;
    h ^= h >> 29; /* fold the high bits down: a word multiply alone mixes upwards only */
  }
  for (; len; p++, len--) h = (h ^ *p) * 0x100000001b3ull;
  return h;
}

static uint64_t body_hash(const struct sock_filter *insns, size_t insn_bytes, const char *warning,
                          size_t warning_len) {
  return fnv1a(fnv1a(FNV_OFFSET, insns, insn_bytes), warning, warning_len);
}

/* Everything the compiled program depends on. */
static uint64_t cache_key(const char *text, size_t text_len, uint64_t kept_caps) {
  uint64_t h = FNV_OFFSET;
  struct utsname uts;
  if (uname(&uts) == 0) h = fnv1a(h, uts.release, strlen(uts.release));
  const struct scmp_version *v = seccomp_version();
  if (v) h = fnv1a(h, v, sizeof *v);
  h = fnv1a(h, CACHE_MAGIC CLEANROOM_VERSION, sizeof CACHE_MAGIC CLEANROOM_VERSION);
  h = fnv1a(h, &kept_caps, sizeof kept_caps);
  return fnv1a(h, text, text_len);
}

static bool owned_and_private(int fd) {
  struct stat st;
  return fstat(fd, &st) == 0 && st.st_uid == geteuid() && !(st.st_mode & (S_IWGRP | S_IWOTH));
}

/* Open (creating it when missing) a cache folder: $CLEANROOM_CACHE_DIR
 * (empty = no cache), else $XDG_CACHE_HOME/cleanroom, ~/.cache/cleanroom,
 * or /tmp/cleanroom-UID when there is no usable home. */
static int open_cache_dir(void) {
  char path[4096];
  const char *env = getenv("CLEANROOM_CACHE_DIR");
  const char *xdg = getenv("XDG_CACHE_HOME");
  const char *home = getenv("HOME");
  struct stat st;
  if (env && !*env) return -1;
  if (env) snprintf(path, sizeof path, "%s", env);
  else if (xdg && *xdg == '/') snprintf(path, sizeof path, "%s/cleanroom", xdg);
  else if (home && *home == '/' && stat(home, &st) == 0 && st.st_uid == geteuid())
    snprintf(path, sizeof path, "%s/.cache/cleanroom", home);
  else snprintf(path, sizeof path, "/tmp/cleanroom-%u", (unsigned)geteuid());
  int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT) {
    char parent[4096];
    snprintf(parent, sizeof parent, "%s", path);
    char *slash = strrchr(parent, '/');
    if (slash && slash != parent) {
      *slash = '\0';
      (void)mkdir(parent, 0700); /* ~/.cache may not exist yet */
    }
    if (mkdir(path, 0700) < 0 && errno != EEXIST) return -1;
    fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  }
  if (fd >= 0 && !owned_and_private(fd)) {
    close(fd);
    return -1;
  }
  return fd;
}

static void entry_name(char *buf, size_t size, uint64_t key) {
  snprintf(buf, size, "%016llx.bpf", (unsigned long long)key);
}

static bool read_exact(int fd, void *buf, size_t len) {
  char *p = buf;
  while (len) {
    ssize_t n = read(fd, p, len);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    p += n;
    len -= (size_t)n;
  }
  return true;
}

int cr_policy_cache_load(const char *text, uint64_t kept_caps, struct cr_bpf *out) {
  size_t text_len = strlen(text);
  uint64_t key = cache_key(text, text_len, kept_caps);
  cr_autoclose int dirfd = open_cache_dir();
  if (dirfd < 0) return 0;
  char name[64];
  entry_name(name, sizeof name, key);
  cr_autoclose int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0 || !owned_and_private(fd)) return 0;
  struct cache_header h;
  struct stat st;
  if (!read_exact(fd, &h, sizeof h) || fstat(fd, &st) < 0) return 0;
  size_t insn_bytes = (size_t)h.len * sizeof(struct sock_filter);
  if (memcmp(h.magic, CACHE_MAGIC, 8) != 0 || h.key != key || h.text_len != text_len ||
      h.kept_caps != kept_caps || h.len == 0 || h.warning_len > 65536 ||
      (size_t)st.st_size != sizeof h + insn_bytes + h.warning_len)
    return 0;
  cr_autofree struct sock_filter *insns = malloc(insn_bytes);
  cr_autofree char *warning = malloc((size_t)h.warning_len + 1);
  if (!insns || !warning || !read_exact(fd, insns, insn_bytes) ||
      !read_exact(fd, warning, h.warning_len) ||
      body_hash(insns, insn_bytes, warning, h.warning_len) != h.body_hash)
    return 0;
  warning[h.warning_len] = '\0';
  if (h.warning_len) fputs(warning, stderr); /* the same warning a compile gives */
  *out = (struct cr_bpf){.insns = cr_steal_ptr(&insns), .len = h.len,
                         .exec_once = h.exec_once != 0, .filter_flags = h.filter_flags};
  return 1;
}

void cr_policy_cache_store(const char *text, uint64_t kept_caps, const struct cr_bpf *bpf,
                           const char *warning) {
  if (bpf->len == 0) return;
  size_t text_len = strlen(text);
  struct cache_header h = {.key = cache_key(text, text_len, kept_caps), .text_len = text_len,
                           .kept_caps = kept_caps, .filter_flags = bpf->filter_flags,
                           .warning_len = warning ? (uint32_t)strlen(warning) : 0,
                           .len = bpf->len, .exec_once = bpf->exec_once};
  memcpy(h.magic, CACHE_MAGIC, 8);
  cr_autoclose int dirfd = open_cache_dir();
  if (dirfd < 0) return;
  char name[64], tmp[96];
  entry_name(name, sizeof name, h.key);
  snprintf(tmp, sizeof tmp, "%s.%d.tmp", name, (int)getpid());
  cr_autoclose int fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) return;
  size_t insn_bytes = (size_t)bpf->len * sizeof(struct sock_filter);
  h.body_hash = body_hash(bpf->insns, insn_bytes, warning ? warning : "", h.warning_len);
  bool ok = write(fd, &h, sizeof h) == (ssize_t)sizeof h &&
            write(fd, bpf->insns, insn_bytes) == (ssize_t)insn_bytes &&
            (!h.warning_len || write(fd, warning, h.warning_len) == (ssize_t)h.warning_len);
  /* rename makes the entry appear whole or not at all */
  if (!ok || renameat(dirfd, tmp, dirfd, name) < 0) unlinkat(dirfd, tmp, 0);
}
