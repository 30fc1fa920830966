/* SPDX-License-Identifier: MIT */
/* The command line: parse, map the environment onto options, call the
 * public API (cleanroom/cleanroom.h, nothing else), print errors in one
 * place. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanroom/cleanroom.h"
#include "cli.h"

static const char usage_text[] =
    "usage:\n"
    "  cleanroom run [CONFIG|-] [FLAG...] [--report FILE] [-- CMD [ARG...]]\n"
    "                          run (CONFIG, or - for one on stdin, or the built-in default);\n"
    "                          exit with the child's status\n"
    "  cleanroom check [CONFIG|-] [FLAG...] [--explain [--json]] [-- CMD [ARG...]]\n"
    "                          validate; print the config such a run would use, or\n"
    "                          (--explain) what it can reach and its weak spots\n"
    "  cleanroom learn [CONFIG|-] [--output FILE] [--merge FILE] [--allow-refused] [FLAG...] [-- CMD [ARG...]]\n"
    "                          run with every system call observed; write a minimal seccomp\n"
    "                          profile of them (to FILE, else stdout, the program's stdout\n"
    "                          then going to stderr), grown from --merge's; exit with the\n"
    "                          child's status\n"
    "  cleanroom policy check FILE|NAME                 validate and compile a seccomp policy\n"
    "  cleanroom policy export FILE|NAME [--output OUT] write the compiled BPF program\n"
    "  cleanroom policy diff A B [--json]               what two policies answer differently\n"
    "  cleanroom --version | --help\n"
    "\n"
    "flags, applied on the config in their order:\n"
    "  --bind SRC[:DST]      bind a host path, writable    --ro-bind SRC[:DST]  read-only\n"
    "  --tmpfs DST[:SIZE]    a tmpfs                        --cwd DIR            work in DIR\n"
    "  --here                bind the current folder (writable) and work there\n"
    "  --env NAME=VALUE      set a variable (--env NAME: pass cleanroom's own)\n"
    "  --network none|host   --time DURATION (30s, 1.5m)   --memory SIZE (512M)   --pids N\n"
    "  --seccomp NAME|FILE   default, strict, none or a profile file\n"
    "\n"
    "CMD replaces process.args; it is searched in the sandbox's PATH unless it contains\n"
    "a '/'. Host paths of flags are relative to the current folder.\n"
    "\n"
    "environment: CLEANROOM_CACHE_DIR (the compiled-filter cache; empty: none),\n"
    "CLEANROOM_CGROUP_PARENT (where limit cgroups go), CLEANROOM_DEBUG_TIMING=1,\n"
    "CLEANROOM_ID_RANGE=BASE:COUNT|none (root: host ids of the sandbox's other ids).\n"
    "\n"
    "exit status: the child's own; 128+N when it died of signal N; 125 when cleanroom\n"
    "failed (bad config, setup error); 126 when the command cannot be executed; 127 when\n"
    "it was not found. See cleanroom(1) and cleanroom.json(5).\n";

/* ---- the one place that prints: `cleanroom: WHERE: WHAT`, a line each ---- */

int cli_usage_error(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "cleanroom: usage: ");
  vfprintf(stderr, fmt, ap);
  fprintf(stderr, " (see cleanroom --help)\n");
  va_end(ap);
  return CR_EXIT_LAUNCHER_FAILED;
}

void cli_print_error(const char *prefix, const cr_error *err) {
  const char *msg = cr_error_message(err);
  for (const char *line = msg; line;) {
    const char *end = strchr(line, '\n');
    fprintf(stderr, "cleanroom: %s%s%.*s\n", prefix ? prefix : "", prefix ? ": " : "",
            end ? (int)(end - line) : (int)strlen(line), line);
    line = end ? end + 1 : NULL;
  }
}

static void say(const char *kind, const char *fmt, va_list ap) {
  fprintf(stderr, "cleanroom: %s", kind);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
}

void cli_error(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  say("", fmt, ap);
  va_end(ap);
}

void cli_hint(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  say("hint: ", fmt, ap);
  va_end(ap);
}

void cli_note(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  say("note: ", fmt, ap);
  va_end(ap);
}

static cr_error *steal_err(cr_error **err) {
  cr_error *e = *err;
  *err = NULL;
  return e;
}

static int fail_with(cr_error *err) {
  cli_print_error(NULL, err);
  cr_error_free(err);
  return CR_EXIT_LAUNCHER_FAILED;
}

/* The library's diagnostics, on stderr. */
static void log_to_stderr(void *data, int level, const char *message) {
  (void)data;
  fprintf(stderr, "cleanroom: %s%s\n", level == CR_LOG_WARNING ? "warning: " : "", message);
}

/* ---- the environment, mapped onto options ---------------------------------- */

static bool is_set(const char *name) {
  const char *v = getenv(name);
  return v && *v && strcmp(v, "0") != 0;
}

/* $CLEANROOM_CACHE_DIR (empty: no cache), else $XDG_CACHE_HOME/cleanroom,
 * ~/.cache/cleanroom (when HOME is the caller's), or /tmp/cleanroom-UID. */
static char *default_cache_dir(void) {
  const char *env = getenv("CLEANROOM_CACHE_DIR");
  const char *xdg = getenv("XDG_CACHE_HOME");
  const char *home = getenv("HOME");
  struct stat st;
  char *path = NULL;
  int n;
  if (env) return *env ? strdup(env) : NULL;
  if (xdg && *xdg == '/')
    n = asprintf(&path, "%s/cleanroom", xdg);
  else if (home && *home == '/' && stat(home, &st) == 0 && st.st_uid == geteuid())
    n = asprintf(&path, "%s/.cache/cleanroom", home);
  else
    n = asprintf(&path, "/tmp/cleanroom-%u", (unsigned)geteuid());
  return n < 0 ? NULL : path;
}

/* $CLEANROOM_ID_RANGE: BASE:COUNT of a root caller's other sandbox ids,
 * or "none" (the sandbox's own ids only). */
static int set_id_range(cr_options *opts, cr_error **err) {
  const char *v = getenv("CLEANROOM_ID_RANGE");
  if (!v || !*v) return 0;
  if (strcmp(v, "none") == 0) return cr_options_set_id_range(opts, 0, 0, err);
  char *end;
  errno = 0;
  unsigned long long base = strtoull(v, &end, 10), count = 0;
  bool ok = end != v && *end == ':' && v[0] != '-';
  if (ok) {
    const char *c = end + 1;
    count = strtoull(c, &end, 10);
    ok = end != c && *end == '\0' && *c != '-' && !errno && base <= UINT32_MAX && count <= UINT32_MAX;
  }
  if (!ok) {
    char what[256];
    snprintf(what, sizeof what, "%.200s: expected BASE:COUNT (host ids) or none", v);
    *err = cr_error_new(EINVAL, "CLEANROOM_ID_RANGE", what);
    return -1;
  }
  return cr_options_set_id_range(opts, (uint32_t)base, (uint32_t)count, err);
}

static int make_options(cr_options **opts, bool forward_signals, cr_error **err) {
  if (cr_options_new(opts, err) < 0) return -1;
  cr_options_set_log(*opts, log_to_stderr, NULL);
  cr_options_set_forward_signals(*opts, forward_signals);
  cr_options_set_debug_timing(*opts, is_set("CLEANROOM_DEBUG_TIMING"));
  char *cache = default_cache_dir();
  int rc = cache && cache[0] == '/' ? cr_options_set_cache_dir(*opts, cache, err) : 0;
  free(cache);
  const char *parent = getenv("CLEANROOM_CGROUP_PARENT");
  if (rc == 0 && parent && *parent) rc = cr_options_set_cgroup_parent(*opts, parent, err);
  if (rc == 0) rc = set_id_range(*opts, err);
  return rc;
}

/* ---- run ---------------------------------------------------------------------- */

/* --report is the caller's own choice; the config's "report" is written
 * with the sandbox's host identity. */
static int check_report(const struct cli_args *a, const cr_config *cfg, cr_error **err) {
  return a->report_path ? cr_report_check(a->report_path, err) : cr_report_check_config(cfg, err);
}

static int write_report(const struct cli_args *a, const cr_config *cfg, const cr_result *res,
                        const cr_error *run_err) {
  if (!a->report_path && !cfg) return 0;
  cr_error *err = NULL;
  int rc = a->report_path ? cr_report_write(a->report_path, res, run_err, &err)
                          : cr_report_write_config(cfg, res, run_err, &err);
  if (rc < 0) fail_with(err);
  return rc;
}

static int cmd_run(int argc, char **argv) {
  struct cli_args a;
  int status = cli_parse_args("run", argc, argv, true, &a);
  if (status == 0 && !a.config_path && a.n_cmd == 0 && a.n_flags == 0)
    status = cli_usage_error("run needs a CONFIG, - or -- CMD");
  cr_config *cfg = NULL;
  cr_error *err = NULL;
  if (status == 0 && cli_load_config(&a, &cfg, &err) < 0) {
    /* no config to run: the report still says why */
    status = CR_EXIT_LAUNCHER_FAILED;
    write_report(&a, NULL, NULL, err);
  }
  cr_error_free(err);
  err = NULL;
  if (status != 0) {
    cli_args_free(&a);
    return status;
  }
  cr_options *opts = NULL;
  cr_result *res = NULL;
  if (make_options(&opts, true, &err) < 0 || check_report(&a, cfg, &err) < 0) {
    cr_config_free(cfg);
    cr_options_free(opts);
    cli_args_free(&a);
    return fail_with(err); /* nowhere to report: run nothing */
  }
  /* --report holds the audit, --audit prints it (a config's own report
   * leaves it out: its author may be a plugin's) */
  cr_options_set_audit(opts, a.audit || a.report_path);
  cli_note_program(cfg);
  cr_run(cfg, opts, &res, &err);
  if (err) {
    cli_print_error(NULL, err);
    cli_hint_failure(cfg, err);
  }
  status = res ? res->exit_code : CR_EXIT_LAUNCHER_FAILED;
  /* A failed run with calls the filter refused: the first thing the user
   * sees points at the cause. */
  if (res && res->exit_code != 0) cli_print_denied(res);
  if (a.audit && res) cli_print_audit(res);
  if (write_report(&a, cfg, res, err) < 0 && res && !res->setup_failed) status = CR_EXIT_LAUNCHER_FAILED;
  cr_result_free(res);
  cr_error_free(err);
  cr_config_free(cfg);
  cr_options_free(opts);
  cli_args_free(&a);
  return status;
}

/* ---- learn ---------------------------------------------------------------------- */

/* The whole of a file, NUL-terminated; NULL with errno. */
static char *read_file(const char *path) {
  FILE *f = fopen(path, "re");
  if (!f) return NULL;
  char *text = NULL;
  size_t len = 0;
  FILE *mem = open_memstream(&text, &len);
  char buf[8192];
  size_t n;
  bool ok = mem != NULL;
  while (ok && (n = fread(buf, 1, sizeof buf, f)) > 0) ok = fwrite(buf, 1, n, mem) == n;
  ok = ok && !ferror(f);
  int saved = errno;
  fclose(f);
  if (mem && fclose(mem) != 0) ok = false;
  if (!ok) {
    free(text);
    errno = saved ? saved : EIO;
    return NULL;
  }
  return text;
}

/* --merge FILE: validated as any profile, then read. */
static char *load_merge(const char *path, const cr_options *opts) {
  cr_policy *policy = NULL;
  cr_error *err = NULL;
  if (cr_policy_load(path, opts, &policy, &err) < 0) {
    cli_print_error("--merge", err);
    cr_error_free(err);
    return NULL;
  }
  cr_policy_free(policy);
  char *text = read_file(path);
  if (!text) cli_error("--merge: %s: %s", path, strerror(errno));
  return text;
}

static int write_profile(const char *path, const char *text) {
  FILE *f = path ? fopen(path, "we") : stdout;
  if (!f) {
    cli_error("learn: open %s: %s", path, strerror(errno));
    return -1;
  }
  bool ok = fputs(text, f) >= 0 && fputc('\n', f) != EOF;
  ok = (path ? fclose(f) : fflush(f)) == 0 && ok;
  if (!ok) cli_error("learn: write %s: %s", path ? path : "stdout", strerror(errno));
  return ok ? 0 : -1;
}

static int cmd_learn(int argc, char **argv) {
  struct cli_args a;
  int status = cli_parse_args("learn", argc, argv, false, &a);
  if (status == 0 && !a.config_path && a.n_cmd == 0 && a.n_flags == 0)
    status = cli_usage_error("learn needs a CONFIG, - or -- CMD");
  cr_config *cfg = NULL;
  cr_options *opts = NULL;
  cr_error *err = NULL;
  char *merge = NULL;
  if (status == 0 && cli_load_config(&a, &cfg, &err) < 0) status = CR_EXIT_LAUNCHER_FAILED;
  cr_error_free(err);
  err = NULL;
  if (status == 0 && make_options(&opts, true, &err) < 0) status = fail_with(steal_err(&err));
  if (status == 0 && a.merge_path && !(merge = load_merge(a.merge_path, opts)))
    status = CR_EXIT_LAUNCHER_FAILED;
  /* the profile alone on stdout: the program's own goes to stderr */
  if (status == 0 && !a.output_path && cr_config_set_fd(cfg, 1, 2, &err) < 0)
    status = fail_with(steal_err(&err));
  if (status != 0) {
    free(merge);
    cr_config_free(cfg);
    cr_options_free(opts);
    cli_args_free(&a);
    return status;
  }
  cr_options_set_learn(opts, true);
  cli_note_program(cfg);
  cr_result *res = NULL;
  cr_run(cfg, opts, &res, &err);
  if (err) {
    cli_print_error(NULL, err);
    cli_hint_failure(cfg, err);
  }
  status = res ? res->exit_code : CR_EXIT_LAUNCHER_FAILED;
  /* what the policy refused stays out of the profile: said first */
  if (res) cli_print_denied(res);
  char *profile = NULL;
  cr_error_free(err);
  err = NULL;
  if (res && !res->setup_failed) {
    cli_print_learn_notes(res);
    if (cr_learned_profile(res, merge, a.merge_path, a.allow_refused, &profile, &err) < 0 ||
        write_profile(a.output_path, profile) < 0) {
      if (err) cli_print_error(NULL, err);
      status = CR_EXIT_LAUNCHER_FAILED;
    }
  }
  cr_free(profile);
  cr_error_free(err);
  free(merge);
  cr_result_free(res);
  cr_config_free(cfg);
  cr_options_free(opts);
  cli_args_free(&a);
  return status;
}

/* ---- check, policy ---------------------------------------------------------------- */

static int cmd_check(int argc, char **argv) {
  struct cli_args a;
  int status = cli_parse_args("check", argc, argv, false, &a);
  if (status == 0 && a.json && !a.explain) status = cli_usage_error("check: --json goes with --explain");
  bool explain = a.explain, json = a.json;
  cr_config *cfg = NULL;
  cr_error *err = NULL;
  if (status == 0 && cli_load_config(&a, &cfg, &err) < 0) status = CR_EXIT_LAUNCHER_FAILED;
  cli_args_free(&a);
  cr_error_free(err);
  err = NULL;
  if (status != 0) return status;
  cr_options *opts = NULL;
  if (make_options(&opts, false, &err) < 0 || cr_config_check(cfg, opts, &err) < 0) {
    cr_config_free(cfg);
    cr_options_free(opts);
    return fail_with(err);
  }
  if (explain) {
    status = cli_explain(cfg, opts, json);
    cr_config_free(cfg);
    cr_options_free(opts);
    return status;
  }
  char *text = cr_config_to_json(cfg);
  cr_config_free(cfg);
  cr_options_free(opts);
  if (!text) {
    cli_error("check: out of memory");
    return CR_EXIT_LAUNCHER_FAILED;
  }
  printf("%s\n", text);
  cr_free(text);
  return 0;
}

static int write_bpf(const cr_policy *policy, const char *out, cr_error **err) {
  (void)err;
  size_t len;
  const void *insns = cr_policy_bpf(policy, &len);
  int fd = out ? open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644) : dup(1);
  if (fd < 0) {
    cli_error("policy export: open %s: %s", out ? out : "stdout", strerror(errno));
    return -1;
  }
  bool ok = !len || write(fd, insns, len) == (ssize_t)len;
  int saved = errno;
  close(fd);
  if (!ok) {
    cli_error("policy export: write %s: %s", out ? out : "stdout", strerror(saved));
    return -1;
  }
  return 0;
}

static int cmd_policy_diff(int argc, char **argv) {
  bool json = argc == 4 && strcmp(argv[3], "--json") == 0;
  if (argc != 3 && !json) return cli_usage_error("policy diff A B [--json]");
  cr_options *opts = NULL;
  cr_error *err = NULL;
  if (make_options(&opts, false, &err) < 0) return fail_with(err);
  int status = cli_policy_diff(opts, argv[1], argv[2], json);
  cr_options_free(opts);
  return status;
}

static int cmd_policy(int argc, char **argv) {
  if (argc < 2) return cli_usage_error("%s check|export|diff FILE", "policy");
  if (strcmp(argv[0], "diff") == 0) return cmd_policy_diff(argc, argv);
  const char *out = NULL;
  if (strcmp(argv[0], "export") == 0 && argc == 4 && strcmp(argv[2], "--output") == 0)
    out = argv[3];
  else if (argc != 2)
    return cli_usage_error("%s: unexpected arguments", "policy");
  if (strcmp(argv[0], "check") != 0 && strcmp(argv[0], "export") != 0)
    return cli_usage_error("unknown policy command %s", argv[0]);
  cr_options *opts = NULL;
  cr_policy *policy = NULL;
  cr_error *err = NULL;
  if (make_options(&opts, false, &err) < 0 || cr_policy_load(argv[1], opts, &policy, &err) < 0) {
    cr_options_free(opts);
    return fail_with(err);
  }
  int rc = 0;
  if (strcmp(argv[0], "export") == 0)
    rc = write_bpf(policy, out, &err);
  else
    printf("%s: ok: %zu rules, %zu syscalls, %zu unknown syscalls skipped, %zu BPF instructions%s\n", argv[1],
           cr_policy_rules(policy), cr_policy_syscalls(policy), cr_policy_skipped(policy),
           cr_policy_instructions(policy),
           cr_policy_exec_once(policy) ? " (execve allowed once, supervised)" : "");
  cr_policy_free(policy);
  cr_options_free(opts);
  return rc == 0 ? 0 : CR_EXIT_LAUNCHER_FAILED;
}

/* Started with fd 0, 1 or 2 closed, the next file opened would take that
 * number and every message for stderr would go into it: each closed one
 * becomes /dev/null first thing. */
static void make_stdio_safe(void) {
  for (int fd = 0; fd <= 2; fd++) {
    if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF) continue;
    int null_fd = open("/dev/null", O_RDWR | O_NOCTTY); /* the lowest free number: fd */
    if (null_fd >= 0 && null_fd != fd) close(null_fd);
  }
}

int cr_cli_main(int argc, char **argv) {
  make_stdio_safe();
  if (argc < 2) {
    fputs(usage_text, stderr);
    return CR_EXIT_LAUNCHER_FAILED;
  }
  const char *cmd = argv[1];
  if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
    fputs(usage_text, stdout);
    return 0;
  }
  if (strcmp(cmd, "--version") == 0) {
    printf("cleanroom %s\n", cr_version());
    return 0;
  }
  if (strcmp(cmd, "run") == 0) return cmd_run(argc - 2, argv + 2);
  if (strcmp(cmd, "check") == 0) return cmd_check(argc - 2, argv + 2);
  if (strcmp(cmd, "learn") == 0) return cmd_learn(argc - 2, argv + 2);
  if (strcmp(cmd, "policy") == 0) return cmd_policy(argc - 2, argv + 2);
  return cli_usage_error("unknown command %s", cmd);
}
