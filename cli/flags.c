/* SPDX-License-Identifier: MIT */
/* The arguments of `run` and `check`, and the quick-run flags, applied on
 * the config (or the built-in default) in the order given, each through
 * the public setters, so that each is validated as the config key it
 * stands for and `check` prints exactly what a run would use:
 *
 *   --bind SRC[:DST]      a writable bind (DST defaults to SRC)
 *   --ro-bind SRC[:DST]   a read-only bind
 *   --tmpfs DST[:SIZE]    a tmpfs ("64M", "25%")
 *   --cwd DIR             the sandbox's working folder
 *   --here                bind the current folder (writable) and work there
 *   --env NAME=VALUE      set a variable; --env NAME passes ours
 *   --network none|host
 *   --time DURATION       "30s", "1.5m", "500ms", "2h", or seconds
 *   --memory SIZE         "512M"
 *   --pids N
 *   --seccomp NAME|FILE
 *
 * Host paths given here are relative to the current folder (a config
 * file's own are relative to its folder). */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

struct flag_spec {
  const char *name;
  bool takes_value;
};

static const struct flag_spec flag_specs[] = {
    {"--bind", true},   {"--ro-bind", true}, {"--tmpfs", true},   {"--cwd", true},
    {"--here", false},  {"--env", true},     {"--network", true}, {"--time", true},
    {"--memory", true}, {"--pids", true},    {"--seccomp", true},
};

static const struct flag_spec *find_flag(const char *arg, const char **inline_value) {
  *inline_value = NULL;
  for (size_t i = 0; i < sizeof flag_specs / sizeof flag_specs[0]; i++) {
    size_t n = strlen(flag_specs[i].name);
    if (strncmp(arg, flag_specs[i].name, n) != 0) continue;
    if (arg[n] == '\0') return &flag_specs[i];
    if (arg[n] == '=' && flag_specs[i].takes_value) {
      *inline_value = arg + n + 1;
      return &flag_specs[i];
    }
  }
  return NULL;
}

void cli_args_free(struct cli_args *a) {
  free(a->flags);
  a->flags = NULL;
  a->n_flags = 0;
}

int cli_parse_args(const char *command, int argc, char **argv, bool allow_report, struct cli_args *a) {
  memset(a, 0, sizeof *a);
  a->flags = calloc((size_t)argc + 1, sizeof *a->flags);
  if (!a->flags) return cli_usage_error("out of memory");
  for (int i = 0; i < argc; i++) {
    const char *arg = argv[i];
    const char *value;
    const struct flag_spec *spec;
    if (strcmp(arg, "--") == 0) {
      a->cmd = argv + i + 1;
      a->n_cmd = argc - i - 1;
      if (a->n_cmd == 0) return cli_usage_error("%s: nothing after --", command);
      return 0;
    }
    if (allow_report && strcmp(arg, "--report") == 0) {
      if (i + 1 >= argc) return cli_usage_error("--report needs a FILE");
      a->report_path = argv[++i];
    } else if (allow_report && strcmp(arg, "--audit") == 0) {
      a->audit = true;
    } else if (strcmp(command, "learn") == 0 &&
               (strcmp(arg, "--output") == 0 || strcmp(arg, "--merge") == 0)) {
      if (i + 1 >= argc) return cli_usage_error("%s needs a FILE", arg);
      *(arg[2] == 'o' ? &a->output_path : &a->merge_path) = argv[++i];
    } else if (strcmp(command, "learn") == 0 && strcmp(arg, "--allow-refused") == 0) {
      a->allow_refused = true;
    } else if (strcmp(command, "check") == 0 && strcmp(arg, "--explain") == 0) {
      a->explain = true;
    } else if (strcmp(command, "check") == 0 && strcmp(arg, "--json") == 0) {
      a->json = true;
    } else if ((spec = find_flag(arg, &value))) {
      if (spec->takes_value && !value) {
        if (i + 1 >= argc || strcmp(argv[i + 1], "--") == 0)
          return cli_usage_error("%s needs a value", spec->name);
        value = argv[++i];
      }
      a->flags[a->n_flags++] = (struct cli_flag){.name = spec->name, .value = value};
    } else if (strcmp(arg, "-") == 0 || arg[0] != '-') {
      if (a->config_path)
        return cli_usage_error("%s: a second CONFIG %s (put the command after --)", command, arg);
      a->config_path = arg;
    } else {
      return cli_usage_error("%s: unknown option %s", command, arg);
    }
  }
  return 0;
}

/* ---- values ---------------------------------------------------------------------- */

/* "30s", "1.5m", "500ms", "2h" or plain seconds, to milliseconds (> 0). */
static int parse_duration(const char *s, uint64_t *ms) {
  char *end;
  errno = 0;
  double v = strtod(s, &end);
  if (end == s || errno || !(v > 0) || !isfinite(v)) return -1;
  double unit = 1000;
  if (strcmp(end, "ms") == 0)
    unit = 1;
  else if (strcmp(end, "s") == 0 || *end == '\0')
    unit = 1000;
  else if (strcmp(end, "m") == 0 || strcmp(end, "min") == 0)
    unit = 60000;
  else if (strcmp(end, "h") == 0)
    unit = 3600000;
  else
    return -1;
  double total = ceil(v * unit);
  if (total < 1 || total > 9007199254740991.0) return -1;
  *ms = (uint64_t)total;
  return 0;
}

static int parse_count(const char *s, uint64_t *out) {
  char *end;
  errno = 0;
  unsigned long long v = strtoull(s, &end, 10);
  if (end == s || *end || errno || s[0] == '-' || v == 0) return -1;
  *out = v;
  return 0;
}

/* A host path as given on the command line: relative to the current folder. */
static char *absolute(const char *path) {
  if (path[0] == '/') return strdup(path);
  char cwd[PATH_MAX];
  if (!getcwd(cwd, sizeof cwd)) return NULL;
  char *out = NULL;
  if (strcmp(path, ".") == 0) return strdup(cwd);
  return asprintf(&out, "%s/%s", cwd, path) < 0 ? NULL : out;
}

/* "SRC[:DST]" (a bind) or "DST[:SIZE]" (a tmpfs): the part before the last
 * ':' and after it, or the whole and NULL. */
static void split_colon(const char *value, char **first, const char **second) {
  const char *colon = strrchr(value, ':');
  *first = colon ? strndup(value, (size_t)(colon - value)) : strdup(value);
  *second = colon ? colon + 1 : NULL;
}

/* ---- applying them ------------------------------------------------------------------- */

static int apply_bind(cr_config *cfg, const char *value, bool writable, cr_error **err) {
  char *src_text;
  const char *dst;
  split_colon(value, &src_text, &dst);
  char *src = src_text && *src_text ? absolute(src_text) : NULL;
  int rc = src ? cr_config_add_bind(cfg, src, dst && *dst ? dst : src, writable, err) : -2;
  free(src_text);
  free(src);
  return rc;
}

static int apply_here(cr_config *cfg, cr_error **err) {
  char cwd[PATH_MAX];
  if (!getcwd(cwd, sizeof cwd)) {
    *err = cr_error_new(errno, "--here", "cannot get the current folder");
    return -1;
  }
  if (cr_config_add_bind(cfg, cwd, cwd, true, err) < 0) return -1;
  return cr_config_set_cwd(cfg, cwd, err);
}

static int apply_env(cr_config *cfg, const char *value, cr_error **err) {
  const char *eq = strchr(value, '=');
  if (!eq) {
    const char *ours = getenv(value);
    if (!ours) return -2; /* nothing to pass */
    return cr_config_set_env(cfg, value, ours, err);
  }
  char *name = strndup(value, (size_t)(eq - value));
  int rc = name ? cr_config_set_env(cfg, name, eq + 1, err) : -2;
  free(name);
  return rc;
}

/* limits.memory takes a count or a size string: given as JSON. */
static int apply_memory(cr_config *cfg, const char *value, cr_error **err) {
  /* the config says what a size is; only what JSON would need escaped is refused here */
  for (const char *c = value; *c; c++)
    if (*c == '"' || *c == '\\' || (unsigned char)*c < 0x20) return -2;
  char json[128];
  if (!*value || strlen(value) > 64) return -2;
  bool digits = strspn(value, "0123456789") == strlen(value);
  snprintf(json, sizeof json, digits ? "%s" : "\"%s\"", value);
  return cr_config_set_key(cfg, "limits.memory", json, err);
}

static int apply_seccomp(cr_config *cfg, const char *value, cr_error **err) {
  bool is_file = strchr(value, '/') || (strlen(value) > 5 && strcmp(value + strlen(value) - 5, ".json") == 0);
  char *policy = is_file ? absolute(value) : strdup(value);
  int rc = policy ? cr_config_set_seccomp(cfg, policy, err) : -2;
  free(policy);
  return rc;
}

/* 0, or -1 with *err set, or -2 when the value itself is not one (said by
 * the caller, which knows the flag). */
static int apply_flag(cr_config *cfg, const struct cli_flag *f, cr_error **err) {
  const char *v = f->value;
  uint64_t n;
  if (strcmp(f->name, "--bind") == 0) return apply_bind(cfg, v, true, err);
  if (strcmp(f->name, "--ro-bind") == 0) return apply_bind(cfg, v, false, err);
  if (strcmp(f->name, "--tmpfs") == 0) {
    char *target;
    const char *size;
    split_colon(v, &target, &size);
    int rc = target ? cr_config_add_tmpfs(cfg, target, size && *size ? size : NULL, err) : -2;
    free(target);
    return rc;
  }
  if (strcmp(f->name, "--cwd") == 0) return cr_config_set_cwd(cfg, v, err);
  if (strcmp(f->name, "--here") == 0) return apply_here(cfg, err);
  if (strcmp(f->name, "--env") == 0) return apply_env(cfg, v, err);
  if (strcmp(f->name, "--network") == 0) return cr_config_set_network(cfg, v, err);
  if (strcmp(f->name, "--time") == 0)
    return parse_duration(v, &n) < 0 ? -2 : cr_config_set_time_limit_ms(cfg, n, err);
  if (strcmp(f->name, "--memory") == 0) return apply_memory(cfg, v, err);
  if (strcmp(f->name, "--pids") == 0)
    return parse_count(v, &n) < 0 ? -2 : cr_config_set_pids_limit(cfg, n, err);
  if (strcmp(f->name, "--seccomp") == 0) return apply_seccomp(cfg, v, err);
  return -2;
}

static const char *expected_value(const char *flag) {
  if (strcmp(flag, "--time") == 0) return "a duration such as 30s, 1.5m, 500ms or 2h";
  if (strcmp(flag, "--pids") == 0) return "a number of processes from 1";
  if (strcmp(flag, "--memory") == 0) return "a size such as 512M or 2G";
  if (strcmp(flag, "--env") == 0) return "NAME=VALUE, or the NAME of a variable cleanroom has";
  return "a value";
}

/* ---- the config ---------------------------------------------------------------------------- */

/* The config text on standard input (`-`), as a config file would be read. */
static char *read_stdin(size_t *len_out) {
  size_t cap = 4096, len = 0;
  char *buf = malloc(cap + 1);
  while (buf) {
    if (len == cap) {
      char *bigger = cap >= (16u << 20) ? NULL : realloc(buf, cap * 2 + 1);
      if (!bigger) {
        free(buf);
        return NULL;
      }
      buf = bigger;
      cap *= 2;
    }
    ssize_t n = read(0, buf + len, cap - len);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      free(buf);
      return NULL;
    }
    if (n == 0) break;
    len += (size_t)n;
  }
  if (buf) buf[len] = '\0';
  *len_out = len;
  return buf;
}

static int load_base(const char *path, cr_config **cfg, cr_error **err) {
  if (!path) return cr_config_load_default(cfg, err);
  if (strcmp(path, "-") != 0) return cr_config_load_file(path, cfg, err);
  size_t len;
  char *text = read_stdin(&len);
  if (!text) {
    *err = errno ? cr_error_new(errno, "stdin", "cannot read the config")
                 : cr_error_new(EFBIG, "stdin", "the config is larger than 16 MiB");
    return -1;
  }
  if (strlen(text) != len) {
    free(text);
    *err = cr_error_new(EINVAL, "stdin", "the config holds a NUL byte: not JSON text");
    return -1;
  }
  int rc = cr_config_load_string(text, "stdin", NULL, cfg, err);
  free(text);
  return rc;
}

int cli_load_config(const struct cli_args *a, cr_config **out, cr_error **err) {
  cr_config *cfg = NULL;
  *out = NULL;
  int rc = load_base(a->config_path, &cfg, err);
  if (rc == -1) cli_print_error(NULL, *err);
  for (size_t i = 0; rc == 0 && i < a->n_flags; i++) {
    const struct cli_flag *f = &a->flags[i];
    rc = apply_flag(cfg, f, err);
    char prefix[PATH_MAX + 64];
    snprintf(prefix, sizeof prefix, "%s%s%s", f->name, f->value ? " " : "", f->value ? f->value : "");
    if (rc == -2) {
      char what[128];
      snprintf(what, sizeof what, "expected %s", expected_value(f->name));
      cr_error_free(*err);
      *err = cr_error_new(EINVAL, prefix, what);
      cli_print_error(NULL, *err);
    } else if (rc == -1) {
      cli_print_error(prefix, *err);
    }
  }
  if (rc == 0 && a->n_cmd &&
      cr_config_set_args(cfg, (size_t)a->n_cmd, (const char *const *)a->cmd, err) < 0) {
    cli_print_error("--", *err);
    rc = -1;
  }
  if (rc != 0) {
    cr_config_free(cfg);
    return -1;
  }
  *out = cfg;
  return 0;
}
