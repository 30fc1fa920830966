/* SPDX-License-Identifier: MIT */
/* cr_clone3(flags, cgroup_fd, NULL): the child is born in the given cgroup v2
 * directory (CLONE_INTO_CGROUP). Needs no controller, so it runs on hybrid
 * hosts too, wherever this process may create a v2 cgroup (root, or a
 * delegated one); otherwise it is skipped (exit 77).
 *
 * Also checks the cgroup module's zero-cost promise: with no memory, pids or
 * cpu limit, cr_cgroups_setup creates nothing and gives no clone fd. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroup.h"
#include "check.h"
#include "child/child.h"

#define SKIP 77

/* The v2 directory of this process ("0::" line) and the cgroup path. */
static int own_v2_cgroup(char *dir, size_t dir_size, char *cg_path, size_t cg_size) {
  FILE *f = fopen("/proc/self/cgroup", "re");
  if (!f) return -1;
  char line[4096];
  int found = -1;
  while (fgets(line, sizeof line, f))
    if (strncmp(line, "0::", 3) == 0) {
      line[strcspn(line, "\n")] = '\0';
      size_t len = strlen(line + 3);
      if (len >= cg_size) break;
      memcpy(cg_path, line + 3, len + 1);
      found = 0;
    }
  fclose(f);
  if (found < 0) return -1;
  f = fopen("/proc/self/mountinfo", "re");
  if (!f) return -1;
  found = -1;
  while (found < 0 && fgets(line, sizeof line, f)) {
    char root[1024], mnt[1024];
    char *dash = strstr(line, " - cgroup2 ");
    if (!dash || sscanf(line, "%*s %*s %*s %1023s %1023s", root, mnt) != 2) continue;
    if (strcmp(root, "/") != 0) {
      size_t rl = strlen(root);
      if (strncmp(cg_path, root, rl) != 0) continue;
      snprintf(dir, dir_size, "%s%s", mnt, cg_path + rl);
    } else {
      snprintf(dir, dir_size, "%s%s", mnt, strcmp(cg_path, "/") == 0 ? "" : cg_path);
    }
    found = 0;
  }
  fclose(f);
  return found;
}

static int test_clone_into_cgroup(void) {
  char parent[2048], cg_path[1024], dir[2200], expect[1200];
  if (own_v2_cgroup(parent, sizeof parent, cg_path, sizeof cg_path) < 0) {
    printf("skip: no cgroup v2 hierarchy\n");
    return SKIP;
  }
  snprintf(dir, sizeof dir, "%s/cleanroom-test-%d", parent, (int)getpid());
  if (mkdir(dir, 0755) < 0) {
    printf("skip: cannot create %s: %s\n", dir, strerror(errno));
    return SKIP;
  }
  snprintf(expect, sizeof expect, "0::%s/cleanroom-test-%d\n", strcmp(cg_path, "/") == 0 ? "" : cg_path,
           (int)getpid());
  int fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
  CHECK(fd >= 0, "open %s: %s", dir, strerror(errno));
  pid_t pid = cr_clone3(0, fd, NULL);
  if (pid == 0) {
    /* the child: is it in the new cgroup from its first instruction? */
    char buf[4096];
    int cfd = open("/proc/self/cgroup", O_RDONLY);
    ssize_t n = cfd >= 0 ? read(cfd, buf, sizeof buf - 1) : -1;
    if (n < 0) _exit(2);
    buf[n] = '\0';
    _exit(strstr(buf, expect) ? 0 : 1);
  }
  CHECK(pid > 0, "cr_clone3 into %s: %s", dir, strerror(errno));
  int status = 0;
  if (pid > 0) {
    waitpid(pid, &status, 0);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the child is not in %s (status %d)", dir, status);
  }
  pid = cr_clone3(0, -1, NULL); /* no cgroup: a plain fork */
  if (pid == 0) _exit(0);
  CHECK(pid > 0, "cr_clone3 without a cgroup: %s", strerror(errno));
  if (pid > 0) waitpid(pid, NULL, 0);
  if (fd >= 0) close(fd);
  CHECK(rmdir(dir) == 0, "rmdir %s: %s", dir, strerror(errno));
  return 0;
}

static void test_zero_cost(void) {
  struct cr_limits limits;
  memset(&limits, 0, sizeof limits);
  limits.time_ms = 1000;
  struct cr_cgroups cg;
  cr_cgroups_init(&cg);
  cr_error *err = NULL;
  CHECK(cr_cgroups_setup(&cg, &limits, NULL, NULL, -1, &err) == 0, "setup without limits failed");
  CHECK(cg.n_dirs == 0 && cg.watchdog < 0 && cr_cgroups_clone_fd(&cg) < 0,
        "setup without limits made something (dirs %zu, watchdog %d)", cg.n_dirs, (int)cg.watchdog);
  struct cr_result res;
  memset(&res, 0, sizeof res);
  cr_cgroups_finish(&cg, &res);
  CHECK(res.cgroup_version == NULL && res.cgroup_memory == CR_CGROUP_UNUSED, "result claims a cgroup");
  cr_cgroups_release(&cg);
}

int main(void) {
  test_zero_cost();
  int rc = test_clone_into_cgroup();
  if (failures) return 1;
  printf(rc == SKIP ? "ok (clone into cgroup skipped)\n" : "ok\n");
  return rc == SKIP ? SKIP : 0;
}
