/* SPDX-License-Identifier: MIT */
/* c-host: embed cleanroom in a C program through its public API
 * (cleanroom/cleanroom.h; built with `pkg-config --cflags --libs cleanroom`
 * against the installed library, see check.sh).
 *
 *     c-host REPORT_DIR
 *
 * Builds a config in code and runs it twice: once as it is (cr_run), then
 * as a sandbox with a lifecycle, started with a job that runs another
 * command, which outlives its time limit; the host waits for it with
 * poll() on the sandbox's fd. Prints each result and writes each run's
 * report to REPORT_DIR/{first,second}.json. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>

#include "cleanroom/cleanroom.h"

static int fail(cr_error *err) {
  fprintf(stderr, "c-host: %s\n", cr_error_message(err));
  cr_error_free(err);
  return -1;
}

/* Print how it ended, write its report. */
static int report(const cr_result *res, const cr_error *run_err, const char *dir, const char *name) {
  printf("result: exit_code=%d signal=%d time_limit_hit=%s setup_failed=%s wall_ms=%llu\n", res->exit_code,
         res->term_signal, res->time_limit_hit ? "true" : "false", res->setup_failed ? "true" : "false",
         (unsigned long long)res->wall_ms);
  char path[4096];
  snprintf(path, sizeof path, "%s/%s.json", dir, name);
  cr_error *err = NULL;
  /* the report says the same in JSON, with the error when there was one */
  return cr_report_write(path, res, run_err, &err) < 0 ? fail(err) : 0;
}

/* Run the config as it is, in one call. */
static int first_run(const cr_config *cfg, const char *dir) {
  cr_result *res = NULL;
  cr_error *err = NULL;
  fflush(stdout); /* the payload writes to our stdout too: keep the order */
  int rc = cr_run(cfg, NULL, &res, &err);
  if (rc < 0) fprintf(stderr, "c-host: %s\n", cr_error_message(err));
  int written = res ? report(res, err, dir, "first") : -1;
  cr_result_free(res);
  cr_error_free(err);
  return rc < 0 || written < 0 ? -1 : 0;
}

/* The same config, another command: a job for this one start. */
static int second_run(const cr_config *cfg, const char *dir) {
  const char *sleeper[] = {"sleep", "10"}; /* args[0] is looked up in the sandbox's PATH */
  cr_job *job = NULL;
  cr_sandbox *sb = NULL;
  cr_error *err = NULL;
  const cr_result *res = NULL;
  int rc = -1;
  if (cr_job_new(&job, &err) < 0 || cr_job_set_args(job, 2, sleeper, &err) < 0 ||
      cr_sandbox_create(cfg, NULL, &sb, &err) < 0 || cr_sandbox_start(sb, job, &err) < 0) {
    fail(err);
    goto out;
  }
  /* an event loop would add this fd to its own poll set */
  struct pollfd pfd = {.fd = cr_sandbox_fd(sb), .events = POLLIN};
  int ready;
  while ((ready = poll(&pfd, 1, -1)) < 0 && errno == EINTR) {}
  if (ready < 0) {
    perror("c-host: poll");
    goto out;
  }
  if (cr_sandbox_wait(sb, 0, &res, &err) != 1) {
    fail(err);
    goto out;
  }
  rc = report(res, NULL, dir, "second");
out:
  cr_sandbox_free(sb);
  cr_job_free(job);
  return rc;
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s REPORT_DIR\n", argv[0]);
    return 2;
  }
  /* Only what differs from the built-in default (config/default.json, the
   * base of every config): the payload and its whole environment, stdout
   * and stderr, and a time limit. The default supplies the rest: all
   * namespaces, a read-only /usr, /bin, /lib, /etc, a private /tmp, no
   * network, seccomp. */
  const char *json =
      "{\"process\": {\"args\": [\"/bin/sh\", \"-c\", \"echo hello from $WHO, uid $(id -u); exit 3\"],"
      "              \"env\": {\"PATH\": \"/usr/bin:/bin\", \"WHO\": \"a sandbox built in C\"}},"
      " \"fds\": [{\"fd\": 1, \"inherit\": 1}, {\"fd\": 2, \"inherit\": 2}],"
      " \"limits\": {\"time_ms\": 1000}}";
  cr_config *cfg = NULL;
  cr_error *err = NULL;
  /* "c-host" names the config in error messages; NULL: relative host paths
   * (there are none here) would resolve against the current directory. */
  if (cr_config_load_string(json, "c-host", NULL, &cfg, &err) < 0) {
    fail(err);
    return 125;
  }
  printf("== first run: the config's command\n");
  int failed = first_run(cfg, argv[1]) < 0;
  printf("== second run: sleep 10, time limit 1000 ms\n");
  failed |= second_run(cfg, argv[1]) < 0;
  cr_config_free(cfg);
  return failed ? 1 : 0;
}
