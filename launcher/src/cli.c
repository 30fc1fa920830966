/* The command line: parse, call the API, print errors in one place. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanroom.h"
#include "cli.h"
#include "cr/cleanup.h"
#include "cr/policy.h"

static const char usage_text[] =
    "usage:\n"
    "  cleanroom run CONFIG [--report FILE] [-- ARG...]   run; exit with the child's status\n"
    "  cleanroom run [--report FILE] -- CMD [ARG...]      run CMD in the built-in default sandbox\n"
    "  cleanroom check CONFIG                             validate; print the resolved config\n"
    "  cleanroom policy check FILE|NAME                   validate and compile a seccomp policy\n"
    "  cleanroom policy export FILE|NAME [--output OUT]   write the compiled BPF program\n"
    "  cleanroom --version | --help\n"
    "\n"
    "With `run CONFIG -- ARG...` the ARGs replace process.args; ARG[0] is searched in the\n"
    "sandbox's PATH unless it contains a '/'.\n"
    "\n"
    "exit status: the child's own; 128+N when it died of signal N; 125 when cleanroom\n"
    "failed (bad config, setup error); 126 when the command cannot be executed; 127 when\n"
    "it was not found.\n";

static __attribute__((format(printf, 1, 2))) int usage_error(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "cleanroom: usage: ");
  vfprintf(stderr, fmt, ap);
  fprintf(stderr, " (see cleanroom --help)\n");
  va_end(ap);
  return CR_EXIT_LAUNCHER_FAILED;
}

static int print_error(const cr_error *err) {
  cr_error_print(err, stderr);
  return CR_EXIT_LAUNCHER_FAILED;
}

struct run_args {
  const char *config_path; /* NULL = built-in default */
  const char *report_path;
  char **cmd;              /* after "--" */
  int n_cmd;
};

static int parse_run_args(int argc, char **argv, struct run_args *ra) {
  memset(ra, 0, sizeof *ra);
  for (int i = 0; i < argc; i++) {
    if (strcmp(argv[i], "--") == 0) {
      ra->cmd = argv + i + 1;
      ra->n_cmd = argc - i - 1;
      break;
    }
    if (strcmp(argv[i], "--report") == 0) {
      if (i + 1 >= argc) return usage_error("%s needs a FILE", "--report");
      ra->report_path = argv[++i];
    } else if (argv[i][0] == '-' && argv[i][1]) {
      return usage_error("unknown option %s", argv[i]);
    } else if (!ra->config_path) {
      ra->config_path = argv[i];
    } else {
      return usage_error("unexpected argument %s (put the command after --)", argv[i]);
    }
  }
  if (!ra->config_path && ra->n_cmd == 0) return usage_error("%s needs a CONFIG or -- CMD", "run");
  if (ra->cmd && ra->n_cmd == 0) return usage_error("%s: nothing after --", "run");
  return 0;
}

static int load_run_config(const struct run_args *ra, struct cr_config **cfg, cr_error *err) {
  int rc = ra->config_path ? cr_config_load_file(ra->config_path, cfg, err)
                           : cr_config_load_default(cfg, err);
  if (rc == 0 && ra->n_cmd) rc = cr_config_set_args(*cfg, (size_t)ra->n_cmd, ra->cmd, err);
  return rc;
}

static int cmd_run(int argc, char **argv) {
  struct run_args ra;
  if (parse_run_args(argc, argv, &ra) != 0) return CR_EXIT_LAUNCHER_FAILED;
  struct cr_config *cfg = NULL;
  cr_error err = {0};
  struct cr_result res = {.exit_code = CR_EXIT_LAUNCHER_FAILED, .setup_failed = true};
  struct cr_run_options opts = {.forward_signals = true};
  int rc = load_run_config(&ra, &cfg, &err);
  /* --report is the caller's own choice; the config's "report" is written
   * with the sandbox's host identity */
  bool report = ra.report_path || (cfg && cfg->report_path);
  if (rc == 0 && (ra.report_path ? cr_report_check(ra.report_path, &err)
                                 : cr_report_check_config(cfg, &err)) < 0) {
    cr_error_print(&err, stderr);
    cr_config_free(cfg);
    return CR_EXIT_LAUNCHER_FAILED; /* nowhere to report: run nothing */
  }
  if (rc == 0) cr_run(cfg, &opts, &res, &err);
  if (cr_error_is_set(&err)) cr_error_print(&err, stderr);
  if (report) {
    cr_error report_err = {0};
    if ((ra.report_path ? cr_report_write(ra.report_path, &res, &err, &report_err)
                        : cr_report_write_config(cfg, &res, &err, &report_err)) < 0) {
      cr_error_print(&report_err, stderr);
      if (!res.setup_failed) res.exit_code = CR_EXIT_LAUNCHER_FAILED;
    }
  }
  cr_config_free(cfg);
  return res.exit_code;
}

static int cmd_check(int argc, char **argv) {
  if (argc != 1) return usage_error("%s takes exactly one CONFIG", "check");
  struct cr_config *cfg = NULL;
  cr_error err = {0};
  if (cr_config_load_file(argv[0], &cfg, &err) < 0) return print_error(&err);
  cr_autofree char *text = cr_config_to_json(cfg);
  cr_config_free(cfg);
  if (!text) return print_error(&(cr_error){.errnum = ENOMEM, .where = "check", .what = "print"});
  printf("%s\n", text);
  return 0;
}

/* A policy argument is a built-in name or a file. */
static int compile_policy_arg(const char *arg, struct cr_bpf *bpf, struct cr_policy_stats *stats,
                              cr_error *err) {
  if (!strchr(arg, '/') && access(arg, F_OK) != 0) {
    struct cr_seccomp_spec spec = {.kind = strcmp(arg, "none") == 0 ? CR_SECCOMP_NONE : CR_SECCOMP_BUILTIN,
                                   .builtin_name = (char *)arg};
    return cr_policy_compile(&spec, 0, bpf, stats, err);
  }
  return cr_policy_compile_file(arg, 0, bpf, stats, err);
}

static int write_bpf(const struct cr_bpf *bpf, const char *out, cr_error *err) {
  cr_autoclose int fd = out ? open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644) : dup(1);
  if (fd < 0) return cr_fail(err, errno, "policy export", "open %s", out ? out : "stdout");
  size_t len = (size_t)bpf->len * sizeof bpf->insns[0];
  if (write(fd, bpf->insns, len) != (ssize_t)len)
    return cr_fail(err, errno, "policy export", "write %s", out ? out : "stdout");
  return 0;
}

static int cmd_policy(int argc, char **argv) {
  if (argc < 2) return usage_error("%s check|export FILE", "policy");
  const char *out = NULL;
  if (strcmp(argv[0], "export") == 0 && argc == 4 && strcmp(argv[2], "--output") == 0) out = argv[3];
  else if (argc != 2) return usage_error("%s: unexpected arguments", "policy");
  if (strcmp(argv[0], "check") != 0 && strcmp(argv[0], "export") != 0)
    return usage_error("unknown policy command %s", argv[0]);
  struct cr_bpf bpf = {0};
  struct cr_policy_stats stats = {0};
  cr_error err = {0};
  int rc = compile_policy_arg(argv[1], &bpf, &stats, &err);
  if (rc == 0 && strcmp(argv[0], "export") == 0) rc = write_bpf(&bpf, out, &err);
  else if (rc == 0)
    printf("%s: ok: %zu rules, %zu syscalls, %zu unknown syscalls skipped, %zu BPF instructions%s\n",
           argv[1], stats.rules, stats.syscalls, stats.skipped, stats.bpf_insns,
           bpf.exec_once ? " (execve allowed once, supervised)" : "");
  cr_bpf_free(&bpf);
  return rc == 0 ? 0 : print_error(&err);
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
  if (strcmp(cmd, "policy") == 0) return cmd_policy(argc - 2, argv + 2);
  return usage_error("unknown command %s", cmd);
}
