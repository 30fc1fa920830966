/* SPDX-License-Identifier: MIT */
/* A cache of compiled filters on disk, keyed by a cryptographic digest of
 * everything the program depends on.
 *
 * Compiling a 350-syscall profile with libseccomp takes several
 * milliseconds, more than the rest of a launch; the same profile on the same
 * kernel and libseccomp always compiles to the same program. So the program
 * is stored and reused.
 *
 * A cached filter is a security boundary: a profile that managed to share an
 * entry with another would hand its program to every run of the other. So
 * an entry is named by, and holds, the SHA-256 of its whole input (the
 * profile text's own SHA-256, its length, the kept capabilities, the kernel
 * release, the libseccomp and cleanroom versions, each length-prefixed), and
 * is used only when that digest matches: two different inputs would need a
 * SHA-256 collision to meet. It is only read from a folder and file owned by
 * the caller and writable by nobody else, and only when the SHA-256 of its
 * body matches too. Anything unexpected is a miss, and the profile is
 * compiled. The folder is the caller's choice (cr_options_set_cache_dir;
 * the command line picks $XDG_CACHE_HOME/cleanroom and the like). */
#include <errno.h>
#include <fcntl.h>
#include <nettle/sha2.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "cr/cleanup.h"
#include "internal.h"

#define CACHE_MAGIC "CRBPF006"

struct cache_header {
  char magic[8];
  uint8_t input_digest[CR_SHA256_SIZE]; /* of everything the program depends on */
  uint8_t body_digest[CR_SHA256_SIZE];  /* of the instructions and the warning */
  uint32_t filter_flags;
  uint32_t warning_len;
  uint16_t len;
  uint8_t exec_once;
  uint8_t pad[5];
};

void cr_sha256(const void *data, size_t len, uint8_t out[CR_SHA256_SIZE]) {
  struct sha256_ctx ctx;
  sha256_init(&ctx);
  sha256_update(&ctx, len, data);
  sha256_digest(&ctx, CR_SHA256_SIZE, out);
}

/* One field of the input: its length, then its bytes, so that no two
 * different inputs feed the same byte stream. */
static void add_field(struct sha256_ctx *ctx, const void *data, size_t len) {
  uint64_t n = len;
  sha256_update(ctx, sizeof n, (const uint8_t *)&n);
  sha256_update(ctx, len, data);
}

static void input_digest(const struct cr_cache_input *in, uint8_t out[CR_SHA256_SIZE]) {
  struct sha256_ctx ctx;
  sha256_init(&ctx);
  static const char magic[] = CACHE_MAGIC " cleanroom " CLEANROOM_VERSION;
  add_field(&ctx, magic, sizeof magic - 1);
  struct utsname uts;
  const char *release = uname(&uts) == 0 ? uts.release : "";
  add_field(&ctx, release, strlen(release));
  const struct scmp_version *v = seccomp_version();
  uint32_t version[3] = {v ? v->major : 0, v ? v->minor : 0, v ? v->micro : 0};
  add_field(&ctx, version, sizeof version);
  add_field(&ctx, &in->kept_caps, sizeof in->kept_caps);
  add_field(&ctx, &in->text_len, sizeof in->text_len);
  add_field(&ctx, in->text_sha256, CR_SHA256_SIZE);
  sha256_digest(&ctx, CR_SHA256_SIZE, out);
}

static void body_digest(const struct sock_filter *insns, size_t insn_bytes, const char *warning,
                        size_t warning_len, uint8_t out[CR_SHA256_SIZE]) {
  struct sha256_ctx ctx;
  sha256_init(&ctx);
  add_field(&ctx, insns, insn_bytes);
  add_field(&ctx, warning, warning_len);
  sha256_digest(&ctx, CR_SHA256_SIZE, out);
}

static bool owned_and_private(int fd) {
  struct stat st;
  return fstat(fd, &st) == 0 && st.st_uid == geteuid() && !(st.st_mode & (S_IWGRP | S_IWOTH));
}

/* A folder we may not trust turns the cache off: said once per process, so
 * that a slower launch has a visible reason. */
static void warn_untrusted_folder(const struct cr_log *log, const char *path, int fd) {
  static int warned;
  if (__atomic_exchange_n(&warned, 1, __ATOMIC_RELAXED)) return;
  struct stat st;
  if (fstat(fd, &st) < 0) return;
  cr_warn(log,
          "filter cache: %s %s: not used, so every launch compiles its filter (name a folder of "
          "your own)",
          path, st.st_uid != geteuid() ? "belongs to another user" : "is writable by others");
}

/* Open (creating it, and its parent, when missing) the cache folder. */
static int open_cache_dir(const char *path, const struct cr_log *log) {
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
    warn_untrusted_folder(log, path, fd);
    close(fd);
    return -1;
  }
  return fd;
}

static void entry_name(char *buf, size_t size, const uint8_t digest[CR_SHA256_SIZE]) {
  static const char hex[] = "0123456789abcdef";
  size_t n = 0;
  for (size_t i = 0; i < CR_SHA256_SIZE && n + 3 < size; i++) {
    buf[n++] = hex[digest[i] >> 4];
    buf[n++] = hex[digest[i] & 15];
  }
  snprintf(buf + n, size - n, ".bpf");
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

int cr_policy_cache_load(const char *dir, const struct cr_log *log, const struct cr_cache_input *in,
                         struct cr_bpf *out, char **warning_out) {
  uint8_t digest[CR_SHA256_SIZE];
  input_digest(in, digest);
  cr_autoclose int dirfd = open_cache_dir(dir, log);
  if (dirfd < 0) return 0;
  char name[2 * CR_SHA256_SIZE + 8];
  entry_name(name, sizeof name, digest);
  cr_autoclose int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0 || !owned_and_private(fd)) return 0;
  struct cache_header h;
  struct stat st;
  if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || !read_exact(fd, &h, sizeof h)) return 0;
  size_t insn_bytes = (size_t)h.len * sizeof(struct sock_filter);
  /* the digest, not the name, says what the entry was compiled from */
  if (memcmp(h.magic, CACHE_MAGIC, 8) != 0 || memcmp(h.input_digest, digest, sizeof digest) != 0 ||
      h.len == 0 || h.warning_len > 65536 || (size_t)st.st_size != sizeof h + insn_bytes + h.warning_len)
    return 0;
  cr_autofree struct sock_filter *insns = malloc(insn_bytes);
  cr_autofree char *warning = malloc((size_t)h.warning_len + 1);
  uint8_t body[CR_SHA256_SIZE];
  if (!insns || !warning || !read_exact(fd, insns, insn_bytes) || !read_exact(fd, warning, h.warning_len))
    return 0;
  body_digest(insns, insn_bytes, warning, h.warning_len, body);
  if (memcmp(body, h.body_digest, sizeof body) != 0) return 0;
  warning[h.warning_len] = '\0';
  if (h.warning_len) *warning_out = cr_steal_ptr(&warning); /* the same warning a compile gives */
  *out = (struct cr_bpf){.insns = cr_steal_ptr(&insns),
                         .len = h.len,
                         .exec_once = h.exec_once != 0,
                         .filter_flags = h.filter_flags};
  return 1;
}

void cr_policy_cache_store(const char *dir, const struct cr_log *log, const struct cr_cache_input *in,
                           const struct cr_bpf *bpf, const char *warning) {
  if (bpf->len == 0) return;
  struct cache_header h = {.filter_flags = bpf->filter_flags,
                           .warning_len = warning ? (uint32_t)strlen(warning) : 0,
                           .len = bpf->len,
                           .exec_once = bpf->exec_once};
  memcpy(h.magic, CACHE_MAGIC, 8);
  input_digest(in, h.input_digest);
  size_t insn_bytes = (size_t)bpf->len * sizeof(struct sock_filter);
  body_digest(bpf->insns, insn_bytes, warning ? warning : "", h.warning_len, h.body_digest);
  cr_autoclose int dirfd = open_cache_dir(dir, log);
  if (dirfd < 0) return;
  char name[2 * CR_SHA256_SIZE + 8], tmp[2 * CR_SHA256_SIZE + 40];
  entry_name(name, sizeof name, h.input_digest);
  snprintf(tmp, sizeof tmp, "%s.%d.tmp", name, (int)getpid());
  cr_autoclose int fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) return;
  bool ok = write(fd, &h, sizeof h) == (ssize_t)sizeof h &&
            write(fd, bpf->insns, insn_bytes) == (ssize_t)insn_bytes &&
            (!h.warning_len || write(fd, warning, h.warning_len) == (ssize_t)h.warning_len);
  /* rename makes the entry appear whole or not at all */
  if (!ok || renameat(dirfd, tmp, dirfd, name) < 0) unlinkat(dirfd, tmp, 0);
}
