/* SPDX-License-Identifier: MIT */
/* The cache of compiled filters: a hit gives the very program a compile
 * gives; a damaged, foreign or group/world-writable entry is never used. */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "helpers.h"
#include "internal.h" /* cr_sha256 */

extern const char cr_policy_default_json[];
extern const unsigned char cr_policy_default_json_sha256[CR_SHA256_SIZE];

static char cache_dir[] = "/tmp/cr-cache-test-XXXXXX";
static char entry[4096];

static void compile_default(struct cr_bpf *bpf) {
  struct cr_seccomp_spec spec = {.kind = CR_SECCOMP_BUILTIN, .builtin_name = "default"};
  cr_error *err = NULL;
  int rc = cr_policy_compile(&spec, test_env(0), bpf, NULL, &err);
  CHECK(rc == 0, "compile default: %s", cr_error_what(err));
}

/* The one entry in the cache folder other than `except` (or "" when none). */
static void find_entry_except(char *out, size_t size, const char *except) {
  out[0] = '\0';
  DIR *d = opendir(cache_dir);
  if (!d) return;
  struct dirent *e;
  char path[4096];
  while ((e = readdir(d))) {
    if (!strstr(e->d_name, ".bpf") || strstr(e->d_name, ".tmp")) continue;
    snprintf(path, sizeof path, "%s/%s", cache_dir, e->d_name);
    if (!except || strcmp(path, except) != 0) snprintf(out, size, "%s", path);
  }
  closedir(d);
}

static bool same_program(const struct cr_bpf *a, const struct cr_bpf *b) {
  return a->len == b->len && a->exec_once == b->exec_once && a->filter_flags == b->filter_flags &&
         memcmp(a->insns, b->insns, a->len * sizeof a->insns[0]) == 0;
}

static void find_entry(void) { find_entry_except(entry, sizeof entry, NULL); }

static void compile_strict(struct cr_bpf *bpf) {
  struct cr_seccomp_spec spec = {.kind = CR_SECCOMP_BUILTIN, .builtin_name = "strict"};
  cr_error *err = NULL;
  CHECK(cr_policy_compile(&spec, test_env(0), bpf, NULL, &err) == 0, "compile strict: %s",
        cr_error_what(err));
}

/* An entry is named by the SHA-256 of its input and used only when the
 * digest it holds is that input's: one moved under another input's name
 * (what a key collision achieved with the old 64-bit key) is a miss. */
static void check_entry_bound_to_input(const struct cr_bpf *reference) {
  uint8_t digest[CR_SHA256_SIZE];
  cr_sha256(cr_policy_default_json, strlen(cr_policy_default_json), digest);
  CHECK(memcmp(digest, cr_policy_default_json_sha256, sizeof digest) == 0,
        "the build-time SHA-256 of the built-in default is not the SHA-256 of its text");
  const char *base = strrchr(entry, '/') + 1;
  CHECK(strlen(base) == 2 * CR_SHA256_SIZE + 4, "entry name %s is not a SHA-256 in hex", base);

  struct cr_bpf strict = {0}, again = {0};
  compile_strict(&strict);
  char strict_entry[4096];
  find_entry_except(strict_entry, sizeof strict_entry, entry);
  CHECK(strict_entry[0], "no cache entry was written for strict");
  CHECK(rename(strict_entry, entry) == 0, "move strict's entry under default's name");
  compile_default(&again);
  CHECK(same_program(&again, reference), "an entry of another profile, under default's name, was used");
  CHECK(!same_program(&again, &strict), "default compiled to strict's program");
  cr_bpf_free(&again);
  cr_bpf_free(&strict);
}

static void flip_last_byte(const char *path) {
  int fd = open(path, O_RDWR);
  CHECK(fd >= 0, "open %s", path);
  off_t end = lseek(fd, -1, SEEK_END);
  unsigned char c;
  CHECK(pread(fd, &c, 1, end) == 1, "read");
  c ^= 0xff;
  CHECK(pwrite(fd, &c, 1, end) == 1, "write");
  close(fd);
}

int main(void) {
  CHECK(mkdtemp(cache_dir) != NULL, "mkdtemp");
  test_cache_dir = cache_dir; /* the cache folder is an option of the compile, not the environment */

  /* A fresh compile, then stats mode (no cache) as the reference. */
  struct cr_bpf first = {0}, reference = {0}, again = {0};
  compile_default(&first);
  struct cr_seccomp_spec spec = {.kind = CR_SECCOMP_BUILTIN, .builtin_name = "default"};
  struct cr_policy_stats stats;
  cr_error *err = NULL;
  CHECK(cr_policy_compile(&spec, test_env(0), &reference, &stats, &err) == 0, "compile with stats");
  find_entry();
  CHECK(entry[0], "no cache entry was written");
  struct stat st;
  CHECK(stat(entry, &st) == 0 && (st.st_mode & 0777) == 0600, "entry mode %o", st.st_mode & 0777);

  /* A hit is the same program. */
  compile_default(&again);
  CHECK(same_program(&again, &reference), "cached program differs from a compile");
  CHECK(same_program(&first, &reference), "first program differs from a compile");
  cr_bpf_free(&again);

  check_entry_bound_to_input(&reference);
  find_entry();

  /* A damaged entry is not used (and is replaced). */
  flip_last_byte(entry);
  compile_default(&again);
  CHECK(same_program(&again, &reference), "a damaged entry was used");
  cr_bpf_free(&again);

  /* A group/world-writable entry is not trusted: it is a miss, so the
   * compile stores a new file (a new inode, mode 0600) in its place. */
  struct stat before, after;
  CHECK(stat(entry, &before) == 0, "stat");
  CHECK(chmod(entry, 0666) == 0, "chmod");
  compile_default(&again);
  CHECK(stat(entry, &after) == 0, "stat");
  CHECK(after.st_ino != before.st_ino, "a world-writable entry was used (not replaced)");
  CHECK((after.st_mode & 0777) == 0600, "replaced entry mode %o", after.st_mode & 0777);
  CHECK(same_program(&again, &reference), "program differs");
  cr_bpf_free(&again);
  /* ...and an intact private entry is a hit: no new file. */
  compile_default(&again);
  CHECK(stat(entry, &before) == 0 && before.st_ino == after.st_ino, "an intact entry was not used");
  cr_bpf_free(&again);

  /* Different kept capabilities are a different entry, not a false hit. */
  struct cr_bpf with_caps = {0};
  CHECK(cr_policy_compile(&spec, test_env(1ull << 21), &with_caps, NULL, &err) == 0, "compile with caps");
  cr_bpf_free(&with_caps);

  /* No cache folder: nothing written. */
  char cmd[4200];
  snprintf(cmd, sizeof cmd, "rm -rf %s", cache_dir);
  CHECK(system(cmd) == 0, "rm");
  test_cache_dir = NULL; /* no cache */
  compile_default(&again);
  CHECK(same_program(&again, &reference), "uncached compile differs");
  CHECK(access(cache_dir, F_OK) != 0, "the cache folder was created although disabled");

  cr_bpf_free(&again);
  cr_bpf_free(&first);
  cr_bpf_free(&reference);
  if (test_failures) fprintf(stderr, "%d failure(s)\n", test_failures);
  return test_failures ? 1 : 0;
}
