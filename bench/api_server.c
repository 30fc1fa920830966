/* SPDX-License-Identifier: MIT */
/* cr-bench-api: the bench's "C API" launchers, what a plugin host does: the
 * built-in default config is loaded once, then each request starts
 * /bin/true in a fresh sandbox, through the public API only:
 *
 *   run                    cr_run() of the config (args /bin/true)
 *   job                    cr_sandbox_create, then _start with a job that
 *                          sets args /bin/true (one config, a job per run),
 *                          _wait, _free
 *
 * bench.py drives it over a pipe so its launches interleave with the other
 * launchers'. Requests on stdin, one per line, replies on stdout:
 *   run | job                    -> "<exit code> <ns>"  one timed launch
 *   loop MAX SECONDS [run|job]   -> "<runs> <ns>"       launches one after another
 * The sandboxes get /dev/null as fds 0, 1, 2, as the other launchers do.
 * The compiled-filter cache is the command line's ($CLEANROOM_CACHE_DIR, or
 * ~/.cache/cleanroom). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cleanroom/cleanroom.h"

static long long now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static const cr_config *cfg;
static const cr_options *opts;
static const cr_job *job;

static int fail(cr_error *err) {
  fprintf(stderr, "cr-bench-api: %s\n", cr_error_message(err));
  cr_error_free(err);
  return -1;
}

static int run_once(void) {
  cr_result *res = NULL;
  cr_error *err = NULL;
  if (cr_run(cfg, opts, &res, &err) < 0) {
    cr_result_free(res);
    return fail(err);
  }
  int code = res->exit_code;
  cr_result_free(res);
  return code;
}

static int job_once(void) {
  cr_sandbox *sb = NULL;
  cr_error *err = NULL;
  const cr_result *res;
  if (cr_sandbox_create(cfg, opts, &sb, &err) < 0 || cr_sandbox_start(sb, job, &err) < 0 ||
      cr_sandbox_wait(sb, -1, &res, &err) < 0) {
    cr_sandbox_free(sb);
    return fail(err);
  }
  int code = res->exit_code;
  cr_sandbox_free(sb);
  return code;
}

static int setup(void) {
  cr_config *c = NULL;
  cr_options *o = NULL;
  cr_job *j = NULL;
  cr_error *err = NULL;
  const char *args[] = {"/bin/true"};
  const char *cache = getenv("CLEANROOM_CACHE_DIR"), *home = getenv("HOME");
  char dir[4096] = "";
  if (cache)
    snprintf(dir, sizeof dir, "%s", cache);
  else if (home)
    snprintf(dir, sizeof dir, "%s/.cache/cleanroom", home);
  if (cr_options_new(&o, &err) < 0 || (dir[0] == '/' && cr_options_set_cache_dir(o, dir, &err) < 0) ||
      cr_config_load_default(&c, &err) < 0 || cr_config_set_args(c, 1, args, &err) < 0 ||
      cr_job_new(&j, &err) < 0 || cr_job_set_args(j, 1, args, &err) < 0)
    return fail(err);
  cfg = c;
  opts = o;
  job = j;
  return 0;
}

int main(void) {
  /* the protocol moves off 0 and 1, which become /dev/null for the sandboxes */
  FILE *in = fdopen(fcntl(0, F_DUPFD_CLOEXEC, 3), "r");
  FILE *out = fdopen(fcntl(1, F_DUPFD_CLOEXEC, 3), "w");
  int null = open("/dev/null", O_RDWR | O_CLOEXEC);
  if (!in || !out || null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0) {
    perror("cr-bench-api: fds");
    return 1;
  }
  if (setup() < 0) return 1;
  char line[128], mode[16];
  while (fgets(line, sizeof line, in)) {
    long max = 0;
    double seconds = 0;
    int fields;
    if (strcmp(line, "run\n") == 0 || strcmp(line, "job\n") == 0) {
      long long t0 = now_ns();
      int code = line[0] == 'r' ? run_once() : job_once();
      fprintf(out, "%d %lld\n", code, now_ns() - t0);
    } else if ((fields = sscanf(line, "loop %ld %lf %15s", &max, &seconds, mode)) >= 2) {
      int (*launch)(void) = fields == 3 && strcmp(mode, "job") == 0 ? job_once : run_once;
      long long t0 = now_ns(), limit = (long long)(seconds * 1e9), elapsed = 0;
      long runs = 0;
      while (runs < max && elapsed < limit) {
        if (launch() != 0) {
          runs = -1;
          break;
        }
        runs++;
        elapsed = now_ns() - t0;
      }
      fprintf(out, "%ld %lld\n", runs, elapsed);
    } else {
      fprintf(stderr, "cr-bench-api: unknown request: %s", line);
      return 2;
    }
    fflush(out);
  }
  cr_job_free((cr_job *)job);
  cr_config_free((cr_config *)cfg);
  cr_options_free((cr_options *)opts);
  return 0;
}
