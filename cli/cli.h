/* SPDX-License-Identifier: MIT */
/* Internal to cli/: the command line's pieces. */
#ifndef CR_CLI_CLI_H
#define CR_CLI_CLI_H

#include <stdbool.h>
#include <stddef.h>

#include "cleanroom/cleanroom.h"

/* Parse the command line, run the command, return the exit status. */
int cr_cli_main(int argc, char **argv);

/* ---- flags.c: what `run` and `check` take ------------------------------------ */

/* One quick-run flag, in the order given ("--bind", "src:dst"). */
struct cli_flag {
  const char *name;
  const char *value; /* NULL for a flag without one (--here) */
};

struct cli_args {
  const char *config_path; /* NULL: the built-in default; "-": standard input */
  const char *report_path; /* run --report */
  bool audit;              /* run --audit */
  char **cmd;              /* after "--" */
  int n_cmd;
  struct cli_flag *flags;
  size_t n_flags;
  bool explain;            /* check --explain */
  bool json;               /* check --explain --json */
  const char *output_path; /* learn --output */
  const char *merge_path;  /* learn --merge */
  bool allow_refused;      /* learn --allow-refused */
};

/* `allow_report`: run takes --report, check does not. Returns 0, or the exit
 * status of a usage error (already printed). */
int cli_parse_args(const char *command, int argc, char **argv, bool allow_report, struct cli_args *a);
void cli_args_free(struct cli_args *a);

/* The config of a run: the file (or stdin, or the default), the flags in
 * their order, then the command after --. Errors are printed (a flag's
 * prefixed with the flag) and left in *err for the run report. Returns 0
 * or -1. */
int cli_load_config(const struct cli_args *a, cr_config **out, cr_error **err);

/* ---- explain.c: check --explain [--json] --------------------------------------- */

/* Print what a sandbox of `cfg` can reach (JSON, or a listing); the exit status. */
int cli_explain(const cr_config *cfg, const cr_options *opts, bool json);

/* ---- hints.c: what to do, after the message that says what went wrong --------- */

/* Before a run: the program args[0] names is another one here than in the
 * sandbox (a venv's python3 against the sandbox's /usr/bin/python3). */
void cli_note_program(const cr_config *cfg);
/* printable.c: every string of a parsed JSON tree, controls escaped, for a
 * terminal. */
struct cJSON;
void cli_make_printable(struct cJSON *item);
/* policy diff A B [--json] (policy_diff.c): the exit status. */
int cli_policy_diff(const cr_options *opts, const char *name_a, const char *name_b, bool json);
/* run --audit: the result's withheld and carried parts, on stderr (audit.c). */
void cli_print_audit(const cr_result *res);
/* denied.c: one line per refused syscall of the result (a failed run's). */
void cli_print_denied(const cr_result *res);
void cli_print_learn_notes(const cr_result *res);
/* After a failed run: what the error suggests doing. */
void cli_hint_failure(const cr_config *cfg, const cr_error *err);

/* ---- cli.c: the one place that prints errors --------------------------------------- */

/* `cleanroom: [PREFIX: ]WHERE: WHAT`, a line each. */
void cli_print_error(const char *prefix, const cr_error *err);
/* `cleanroom: WHERE: WHAT` from a format; `cleanroom: hint: ...`; `cleanroom: note: ...` */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void cli_hint(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void cli_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int cli_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
