/* cleanroom: start a program in a sandbox that holds only what its config
 * declares. The public C API; the `cleanroom` command line is a thin user of
 * it. A C host embeds cleanroom like this:
 *
 *     struct cr_config *cfg = NULL;
 *     cr_error err = {0};
 *     struct cr_result res;
 *     if (cr_config_load_file("run.json", &cfg, &err) < 0 ||
 *         cr_run(cfg, NULL, &res, &err) < 0)
 *       cr_error_print(&err, stderr);
 *     cr_config_free(cfg);
 *
 * cr_run() is synchronous. It forks without running atfork handlers and the
 * children use only async-signal-safe calls, so a multi-threaded host may
 * call it, from several threads at once too (tests/launcher/soak.c runs 4
 * at a time beside thread churn; with forward_signals, its other threads
 * must keep those signals blocked). While runs are in progress the process
 * is not dumpable; the last run restores what it was. The host must not
 * reap children it did not start (a SIGCHLD handler calling waitpid(-1))
 * while a run is in progress. */
#ifndef CLEANROOM_H
#define CLEANROOM_H

#include <stdbool.h>
#include <stdint.h>

#include "cr/config.h"
#include "cr/error.h"

/* Exit statuses, as container runtimes use them. */
enum {
  CR_EXIT_LAUNCHER_FAILED = 125, /* bad config, setup error */
  CR_EXIT_CANNOT_EXECUTE = 126,  /* the payload exists but cannot be executed */
  CR_EXIT_NOT_FOUND = 127,       /* the payload was not found */
};

struct cr_run_options {
  /* Signals to forward: when non-zero, SIGINT, SIGTERM, SIGHUP, SIGQUIT,
   * SIGUSR1, SIGUSR2 and SIGWINCH sent to the calling process are passed to
   * the payload for the duration of the run (the CLI sets this). */
  bool forward_signals;
};

/* How a cgroup limit was enforced (cr_result.cgroup_memory, _pids, _cpu). */
enum cr_cgroup_use {
  CR_CGROUP_UNUSED = 0,  /* the limit was not asked for */
  CR_CGROUP_V1,          /* enforced by a cgroup v1 hierarchy */
  CR_CGROUP_V2,          /* enforced by cgroup v2 */
  CR_CGROUP_NOT_APPLIED, /* optional, and no cgroup could enforce it */
};

struct cr_result {
  int exit_code;        /* the payload's status, 128+N for signal N, or 125/126/127 */
  int term_signal;      /* signal that ended the payload, 0 when it exited */
  bool setup_failed;    /* the launcher failed before the payload ran (exit 125/126/127) */
  uint64_t wall_ms;     /* from start of setup to the end of the sandbox */
  uint64_t user_ms;     /* cpu time of the sandbox's processes */
  uint64_t sys_ms;
  uint64_t max_rss_kb;  /* largest resident set of a sandbox process */
  bool time_limit_hit;
  bool oom_killed;      /* the kernel's OOM killer ended a process of the memory cgroup */
  bool pids_limit_hit;  /* a fork failed because of limits.pids */
  /* cgroup limits (limits.memory, pids, cpu): how each was enforced */
  int cgroup_memory;    /* enum cr_cgroup_use */
  int cgroup_pids;
  int cgroup_cpu;
  const char *cgroup_version; /* "v2", "v1", "hybrid", or NULL when no cgroup was used (static string) */
  uint64_t peak_memory_kb;    /* peak memory use of the memory cgroup, 0 when none */
};

/* Run `cfg`. Returns 0 when the payload ran (whatever its status) and -1 when
 * the launcher failed or the payload could not be executed; `res` is filled
 * in both cases and `err` says what failed. `opts` may be NULL. */
int cr_run(const struct cr_config *cfg, const struct cr_run_options *opts, struct cr_result *res,
           cr_error *err);

/* Check, before a run, that a report can be written at `path` (its folder
 * exists and is writable), so a bad path fails before anything starts. */
int cr_report_check(const char *path, cr_error *err);

/* Write the JSON report of a run to `path` atomically, with the caller's
 * rights; `run_err` is the error cr_run returned, if any (NULL or empty
 * when none). */
int cr_report_write(const char *path, const struct cr_result *res, const cr_error *run_err,
                    cr_error *err);

/* The same for the report path the config names ("report"), checked and
 * written with the sandbox's host identity (a config's file names are not
 * a key to the caller's rights); nothing when the config names none. */
int cr_report_check_config(const struct cr_config *cfg, cr_error *err);
int cr_report_write_config(const struct cr_config *cfg, const struct cr_result *res,
                           const cr_error *run_err, cr_error *err);

const char *cr_version(void);

#endif
