/* Soak: many runs in a row through the C API, in one host process, leave
 * nothing behind: no fd of this process, no zombie child, no mount, no
 * cgroup directory, no process of the sandbox.
 *
 *   soak [RUNS]      (default 1000; CI runs fewer, see CMakeLists.txt)
 *
 * As root the runs also carry cgroup limits (memory, pids), so the cgroup
 * lifecycle and its watchdog are soaked too. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cleanroom.h"

static int count_dir(const char *path) {
  DIR *d = opendir(path);
  if (!d) return -1;
  int n = 0;
  struct dirent *e;
  while ((e = readdir(d)))
    if (e->d_name[0] != '.') n++;
  closedir(d);
  return n;
}

static int count_lines(const char *path) {
  FILE *f = fopen(path, "re");
  if (!f) return -1;
  int n = 0, c;
  while ((c = fgetc(f)) != EOF)
    if (c == '\n') n++;
  fclose(f);
  return n;
}

/* cleanroom-* directories in every cgroup hierarchy's parent of ours is
 * hard to know here; count them at the roots and one level down. */
static int count_cgroup_dirs(void) {
  const char *roots[] = {"/sys/fs/cgroup", "/sys/fs/cgroup/unified", "/sys/fs/cgroup/memory",
                         "/sys/fs/cgroup/pids", "/sys/fs/cgroup/cpu"};
  int n = 0;
  for (size_t i = 0; i < sizeof roots / sizeof roots[0]; i++) {
    DIR *d = opendir(roots[i]);
    if (!d) continue;
    struct dirent *e;
    while ((e = readdir(d))) {
      if (strncmp(e->d_name, "cleanroom-", 10) == 0) n++;
      if (e->d_type != DT_DIR || e->d_name[0] == '.') continue;
      char sub[4096];
      snprintf(sub, sizeof sub, "%s/%s", roots[i], e->d_name);
      DIR *s = opendir(sub);
      if (!s) continue;
      struct dirent *f;
      while ((f = readdir(s)))
        if (strncmp(f->d_name, "cleanroom-", 10) == 0) n++;
      closedir(s);
    }
    closedir(d);
  }
  return n;
}

static int has_zombie_child(void) {
  siginfo_t si = {0};
  if (waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT) < 0) return 0; /* ECHILD: none */
  return si.si_pid != 0;
}

int main(int argc, char **argv) {
  int runs = argc > 1 ? atoi(argv[1]) : 1000;
  const char *json = geteuid() == 0
      ? "{\"process\": {\"args\": [\"/bin/sh\", \"-c\", \"echo x >/tmp/f; cat /tmp/f >/dev/null\"]},"
        " \"limits\": {\"memory\": \"64M\", \"pids\": 32, \"time_ms\": 10000}}"
      : "{\"process\": {\"args\": [\"/bin/sh\", \"-c\", \"echo x >/tmp/f; cat /tmp/f >/dev/null\"]},"
        " \"limits\": {\"time_ms\": 10000}}";
  struct cr_config *cfg = NULL;
  cr_error err = {0};
  if (cr_config_load_string(json, "soak", NULL, &cfg, &err) < 0) {
    cr_error_print(&err, stderr);
    return 1;
  }
  /* One warm-up run: the first run may create the filter cache's folder. */
  struct cr_result res;
  if (cr_run(cfg, NULL, &res, &err) < 0) {
    cr_error_print(&err, stderr);
    return 1;
  }
  int fds0 = count_dir("/proc/self/fd"), mounts0 = count_lines("/proc/self/mountinfo");
  int cgroups0 = count_cgroup_dirs(), tasks0 = count_dir("/proc/self/task");
  for (int i = 0; i < runs; i++) {
    if (cr_run(cfg, NULL, &res, &err) < 0 || res.exit_code != 0) {
      fprintf(stderr, "run %d: exit %d\n", i, res.exit_code);
      cr_error_print(&err, stderr);
      return 1;
    }
  }
  int fds1 = count_dir("/proc/self/fd"), mounts1 = count_lines("/proc/self/mountinfo");
  int cgroups1 = count_cgroup_dirs(), tasks1 = count_dir("/proc/self/task");
  int zombie = has_zombie_child();
  cr_config_free(cfg);
  printf("%d runs: fds %d -> %d, mounts %d -> %d, cgroup dirs %d -> %d, threads %d -> %d, zombie %d\n",
         runs, fds0, fds1, mounts0, mounts1, cgroups0, cgroups1, tasks0, tasks1, zombie);
  int failed = fds1 != fds0 || mounts1 != mounts0 || cgroups1 != cgroups0 || tasks1 != tasks0 || zombie;
  printf("%s\n", failed ? "soak: FAILED" : "soak: ok");
  return failed;
}
