/* SPDX-License-Identifier: MIT */
/* Soak: many runs through the C API, in one host process, leave nothing
 * behind: no fd of this process, no zombie child, no mount, no cgroup
 * directory, no process of the sandbox.
 *
 *   soak [RUNS [THREADS [run|handle]]]   (default 1000 runs, 1 thread, run;
 *                                         CI's counts: see CMakeLists.txt)
 *
 * "run" is cr_run; "handle" is the lifecycle API: cr_sandbox_create, then
 * _start with a job of its own per run (its args differ), _wait, _free.
 *
 * With THREADS > 1 the runs are shared by that many host threads, each
 * calling cr_run at the same time as the others: the sandbox side of a run
 * is a copy of a multithreaded process (no lock of another thread may be
 * needed there). As root the runs also carry cgroup limits (memory, pids),
 * so the cgroup lifecycle and its watchdog are soaked too. */
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cleanroom/cleanroom.h"

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

static bool use_handles;
static cr_options *opts; /* the runner's filter cache (the library reads no environment) */

struct worker {
  const struct cr_config *cfg;
  int runs;
  int failed;
};

/* One run through the handle API, with a job: 0 when it exited 0. */
static int handle_run(const struct cr_config *cfg, int i) {
  char n[24];
  snprintf(n, sizeof n, "%d", i);
  const char *args[] = {"/bin/sh", "-c", "echo $1 >/tmp/f; test \"$(cat /tmp/f)\" = $1", "sh", n};
  cr_job *job = NULL;
  cr_sandbox *sb = NULL;
  cr_error *err = NULL;
  const struct cr_result *res = NULL;
  int rc = cr_job_new(&job, &err) == 0 && cr_job_set_args(job, 5, args, &err) == 0 &&
                   cr_sandbox_create(cfg, opts, &sb, &err) == 0 && cr_sandbox_start(sb, job, &err) == 0 &&
                   cr_sandbox_wait(sb, -1, &res, &err) == 1 && res->exit_code == 0
               ? 0
               : -1;
  if (rc < 0)
    fprintf(stderr, "run %d: exit %d: %s\n", i, res ? res->exit_code : -1, err ? cr_error_message(err) : "");
  cr_error_free(err);
  cr_sandbox_free(sb);
  cr_job_free(job);
  return rc;
}

static void *run_many(void *arg) {
  struct worker *w = arg;
  for (int i = 0; i < w->runs; i++) {
    if (use_handles) {
      if (handle_run(w->cfg, i) < 0) {
        w->failed = 1;
        return NULL;
      }
      continue;
    }
    struct cr_result *res = NULL;
    cr_error *err = NULL;
    if (cr_run(w->cfg, opts, &res, &err) < 0 || res->exit_code != 0) {
      fprintf(stderr, "run %d: exit %d: %s\n", i, res ? res->exit_code : -1,
              err ? cr_error_message(err) : "");
      cr_error_free(err);
      cr_result_free(res);
      w->failed = 1;
      return NULL;
    }
    cr_result_free(res);
  }
  return NULL;
}

static void *nothing(void *arg) { return arg; }

/* A host that starts threads while it launches: a thread being created when
 * cr_run clones is the case glibc's own set*id() wrappers would wait for
 * forever in the sandbox's copy of the process. */
static volatile int launching;

static void *churn_threads(void *arg) {
  while (launching) {
    pthread_t t;
    if (pthread_create(&t, NULL, nothing, NULL) == 0) pthread_join(t, NULL);
  }
  return arg;
}

/* The runs, shared by `threads` threads (with thread churn beside them);
 * 0 when every run exited 0. */
static int run_all(const struct cr_config *cfg, int runs, int threads) {
  struct worker w[64];
  pthread_t t[64], churn;
  int failed = 0;
  if (threads == 1) {
    w[0] = (struct worker){.cfg = cfg, .runs = runs};
    run_many(&w[0]);
    return w[0].failed;
  }
  launching = 1;
  if (pthread_create(&churn, NULL, churn_threads, NULL) != 0) {
    fprintf(stderr, "soak: pthread_create failed\n");
    return 1;
  }
  for (int i = 0; i < threads; i++) {
    w[i] = (struct worker){.cfg = cfg, .runs = runs / threads + (i < runs % threads)};
    if (pthread_create(&t[i], NULL, run_many, &w[i]) != 0) {
      fprintf(stderr, "soak: pthread_create failed\n");
      return 1;
    }
  }
  for (int i = 0; i < threads; i++) {
    pthread_join(t[i], NULL);
    failed |= w[i].failed;
  }
  launching = 0;
  pthread_join(churn, NULL);
  return failed;
}

int main(int argc, char **argv) {
  int runs = argc > 1 ? atoi(argv[1]) : 1000;
  int threads = argc > 2 ? atoi(argv[2]) : 1;
  use_handles = argc > 3 && strcmp(argv[3], "handle") == 0;
  if (runs < 1 || threads < 1 || threads > 64 || (argc > 3 && !use_handles && strcmp(argv[3], "run") != 0)) {
    fprintf(stderr, "usage: soak [RUNS [THREADS (1 to 64) [run|handle]]]\n");
    return 2;
  }
  const char *json =
      geteuid() == 0
          ? "{\"process\": {\"args\": [\"/bin/sh\", \"-c\", \"echo x >/tmp/f; cat /tmp/f >/dev/null\"]},"
            " \"limits\": {\"memory\": \"64M\", \"pids\": 32, \"time_ms\": 10000}}"
          : "{\"process\": {\"args\": [\"/bin/sh\", \"-c\", \"echo x >/tmp/f; cat /tmp/f >/dev/null\"]},"
            " \"limits\": {\"time_ms\": 10000}}";
  struct cr_config *cfg = NULL;
  cr_error *err = NULL;
  const char *cache = getenv("CLEANROOM_CACHE_DIR");
  if (cr_options_new(&opts, &err) < 0 ||
      (cache && *cache && cr_options_set_cache_dir(opts, cache, &err) < 0)) {
    fprintf(stderr, "soak: %s\n", cr_error_message(err));
    return 1;
  }
  if (cr_config_load_string(json, "soak", NULL, &cfg, &err) < 0) {
    fprintf(stderr, "soak: %s\n", cr_error_message(err));
    return 1;
  }
  /* One warm-up run: the first run may create the filter cache's folder. */
  struct cr_result *res = NULL;
  if (cr_run(cfg, opts, &res, &err) < 0) {
    fprintf(stderr, "soak: %s\n", cr_error_message(err));
    return 1;
  }
  cr_result_free(res);
  int fds0 = count_dir("/proc/self/fd"), mounts0 = count_lines("/proc/self/mountinfo");
  int cgroups0 = count_cgroup_dirs(), tasks0 = count_dir("/proc/self/task");
  if (run_all(cfg, runs, threads) != 0) return 1;
  int fds1 = count_dir("/proc/self/fd"), mounts1 = count_lines("/proc/self/mountinfo");
  int cgroups1 = count_cgroup_dirs(), tasks1 = count_dir("/proc/self/task");
  int zombie = has_zombie_child();
  cr_config_free(cfg);
  cr_options_free(opts);
  printf(
      "%d %s in %d thread(s): fds %d -> %d, mounts %d -> %d, cgroup dirs %d -> %d, threads %d -> %d, "
      "zombie %d\n",
      runs, use_handles ? "sandboxes (handles, a job each)" : "runs", threads, fds0, fds1, mounts0, mounts1,
      cgroups0, cgroups1, tasks0, tasks1, zombie);
  int failed = fds1 != fds0 || mounts1 != mounts0 || cgroups1 != cgroups0 || tasks1 != tasks0 || zombie;
  printf("%s\n", failed ? "soak: FAILED" : "soak: ok");
  return failed;
}
