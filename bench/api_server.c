/* cr-bench-api: the bench's "C API" launcher, what a plugin host does: the
 * built-in default config is loaded once, then cr_run() starts /bin/true
 * in a fresh sandbox on each request. bench.py drives it over a pipe so its
 * launches interleave with the other launchers'.
 *
 * Requests on stdin, one per line, replies on stdout:
 *   run                 -> "<exit code> <ns>"  one timed cr_run
 *   loop MAX SECONDS    -> "<runs> <ns>"       cr_run one after another
 * The sandboxes get /dev/null as fds 0, 1, 2, as the other launchers do. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cleanroom.h"

static long long now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int run_once(const struct cr_config *cfg) {
  struct cr_result res;
  cr_error err = {0};
  if (cr_run(cfg, NULL, &res, &err) < 0) {
    cr_error_print(&err, stderr);
    return -1;
  }
  return res.exit_code;
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
  struct cr_config *cfg = NULL;
  cr_error err = {0};
  char *args[] = {"/bin/true"};
  if (cr_config_load_default(&cfg, &err) < 0 || cr_config_set_args(cfg, 1, args, &err) < 0) {
    cr_error_print(&err, stderr);
    return 1;
  }
  char line[128];
  while (fgets(line, sizeof line, in)) {
    long max = 0;
    double seconds = 0;
    if (strcmp(line, "run\n") == 0) {
      long long t0 = now_ns();
      int code = run_once(cfg);
      fprintf(out, "%d %lld\n", code, now_ns() - t0);
    } else if (sscanf(line, "loop %ld %lf", &max, &seconds) == 2) {
      long long t0 = now_ns(), limit = (long long)(seconds * 1e9), elapsed = 0;
      long runs = 0;
      while (runs < max && elapsed < limit) {
        if (run_once(cfg) != 0) {
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
  cr_config_free(cfg);
  return 0;
}
