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

static char cache_dir[] = "/tmp/cr-cache-test-XXXXXX";
static char entry[4096];

static void compile_default(struct cr_bpf *bpf) {
  struct cr_seccomp_spec spec = {.kind = CR_SECCOMP_BUILTIN, .builtin_name = "default"};
  cr_error err = {0};
  int rc = cr_policy_compile(&spec, 0, bpf, NULL, &err);
  CHECK(rc == 0, "compile default: %s", err.what);
}

/* The one entry in the cache folder (or "" when none). */
static void find_entry(void) {
  entry[0] = '\0';
  DIR *d = opendir(cache_dir);
  if (!d) return;
  struct dirent *e;
  while ((e = readdir(d)))
    if (strstr(e->d_name, ".bpf") && !strstr(e->d_name, ".tmp"))
      snprintf(entry, sizeof entry, "%s/%s", cache_dir, e->d_name);
  closedir(d);
}

static bool same_program(const struct cr_bpf *a, const struct cr_bpf *b) {
  return a->len == b->len && a->exec_once == b->exec_once && a->filter_flags == b->filter_flags &&
         memcmp(a->insns, b->insns, a->len * sizeof a->insns[0]) == 0;
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
  setenv("CLEANROOM_CACHE_DIR", cache_dir, 1);

  /* A fresh compile, then stats mode (no cache) as the reference. */
  struct cr_bpf first = {0}, reference = {0}, again = {0};
  compile_default(&first);
  struct cr_seccomp_spec spec = {.kind = CR_SECCOMP_BUILTIN, .builtin_name = "default"};
  struct cr_policy_stats stats;
  cr_error err = {0};
  CHECK(cr_policy_compile(&spec, 0, &reference, &stats, &err) == 0, "compile with stats");
  find_entry();
  CHECK(entry[0], "no cache entry was written");
  struct stat st;
  CHECK(stat(entry, &st) == 0 && (st.st_mode & 0777) == 0600, "entry mode %o", st.st_mode & 0777);

  /* A hit is the same program. */
  compile_default(&again);
  CHECK(same_program(&again, &reference), "cached program differs from a compile");
  CHECK(same_program(&first, &reference), "first program differs from a compile");
  cr_bpf_free(&again);

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
  CHECK(cr_policy_compile(&spec, 1ull << 21, &with_caps, NULL, &err) == 0, "compile with caps");
  cr_bpf_free(&with_caps);

  /* Disabled cache: nothing written. */
  char cmd[4200];
  snprintf(cmd, sizeof cmd, "rm -rf %s", cache_dir);
  CHECK(system(cmd) == 0, "rm");
  setenv("CLEANROOM_CACHE_DIR", "", 1);
  compile_default(&again);
  CHECK(same_program(&again, &reference), "uncached compile differs");
  CHECK(access(cache_dir, F_OK) != 0, "the cache folder was created although disabled");

  cr_bpf_free(&again);
  cr_bpf_free(&first);
  cr_bpf_free(&reference);
  if (test_failures) fprintf(stderr, "%d failure(s)\n", test_failures);
  return test_failures ? 1 : 0;
}
