/* c-host: embed cleanroom in a C program through its public header.
 *
 *     c-host REPORT_DIR
 *
 * Builds a config in code, runs a shell command in it, then the same config
 * with other args and a command that outlives the time limit. Prints each
 * result and writes each run report to REPORT_DIR/{first,second}.json. */
#include <stdio.h>
#include <stdlib.h>

#include "cleanroom.h"

/* Run `cfg`, print how it ended, write its report. Returns 0 when the
 * payload ran (whatever its status), -1 when cleanroom itself failed. */
static int run_and_report(const struct cr_config *cfg, const char *report_path) {
  struct cr_result res;
  cr_error err = {0}, report_err = {0};
  fflush(stdout); /* the payload writes to our stdout too: keep the order */
  int rc = cr_run(cfg, NULL, &res, &err);
  if (rc < 0) cr_error_print(&err, stderr);
  printf("result: exit_code=%d signal=%d time_limit_hit=%s setup_failed=%s wall_ms=%llu\n",
         res.exit_code, res.term_signal, res.time_limit_hit ? "true" : "false",
         res.setup_failed ? "true" : "false", (unsigned long long)res.wall_ms);
  /* The report says the same in JSON, with the error when there was one. */
  if (cr_report_write(report_path, &res, rc < 0 ? &err : NULL, &report_err) < 0) {
    cr_error_print(&report_err, stderr);
    return -1;
  }
  return rc;
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s REPORT_DIR\n", argv[0]);
    return 2;
  }
  /* Only what differs from the built-in default (config/default.json, the
   * base of every config): the payload and its whole environment, no stdin,
   * and a time limit. The default supplies the rest: all namespaces, a
   * read-only /usr, /bin, /lib, /etc, a private /tmp, no network, seccomp. */
  unsigned time_limit_ms = 1000;
  char json[1024];
  snprintf(json, sizeof json,
           "{\"process\": {\"args\": [\"/bin/sh\", \"-c\", \"echo hello from $WHO, uid $(id -u); exit 3\"],"
           "              \"env\": {\"PATH\": \"/usr/bin:/bin\", \"WHO\": \"a sandbox built in C\"}},"
           " \"fds\": [{\"fd\": 1, \"inherit\": 1}, {\"fd\": 2, \"inherit\": 2}],"
           " \"limits\": {\"time_ms\": %u}}",
           time_limit_ms);

  struct cr_config *cfg = NULL;
  cr_error err = {0};
  /* "c-host" names the config in error messages; NULL: relative host paths
   * (there are none here) would resolve against the current directory. */
  if (cr_config_load_string(json, "c-host", NULL, &cfg, &err) < 0) {
    cr_error_print(&err, stderr);
    return 125;
  }

  char path[4096];
  printf("== first run: %s\n", cfg->process.args[2]);
  snprintf(path, sizeof path, "%s/first.json", argv[1]);
  int failed = run_and_report(cfg, path) < 0;

  /* Same sandbox, another command: replaces argv (args[0] is then looked up
   * in the sandbox's PATH). It sleeps past the time limit and is killed. */
  char *sleeper[] = {"sleep", "10"};
  if (cr_config_set_args(cfg, 2, sleeper, &err) < 0) {
    cr_error_print(&err, stderr);
    cr_config_free(cfg);
    return 125;
  }
  printf("== second run: sleep 10, time limit %u ms\n", time_limit_ms);
  snprintf(path, sizeof path, "%s/second.json", argv[1]);
  failed |= run_and_report(cfg, path) < 0;

  cr_config_free(cfg);
  return failed ? 1 : 0;
}
