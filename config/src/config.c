/* The public entry points: load (file, string, default), set_args, free. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cr/cleanup.h"
#include "internal.h"
#include "keys.h"

static const struct {
  const char *key;
  void (*parse)(struct parse_ctx *ctx, const cJSON *item);
} sections[] = {
    {"process", parse_process},   {"namespaces", parse_namespaces},
    {"hostname", parse_hostname}, {"filesystem", parse_filesystem},
    {"fds", parse_fds},           {"seccomp", parse_seccomp},
    {"capabilities", parse_capabilities}, {"network", parse_network},
    {"limits", parse_limits},     {"report", parse_report},
};

static void parse_sections(struct parse_ctx *ctx, const cJSON *root) {
  check_keys(ctx, root, "$", CR_KEYS(CR_KEYS_ROOT));
  for (size_t i = 0; i < CR_ARRAY_SIZE(sections); i++) {
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(root, sections[i].key);
    if (item) sections[i].parse(ctx, item);
  }
  check_cross_sections(ctx, root);
}

/* The user's JSON text as a tree, or NULL after reporting why not. */
static cJSON *parse_user_text(struct parse_ctx *ctx, const char *text, size_t len) {
  const char *nul = memchr(text, '\0', len);
  if (nul) {
    unsigned line = 1;
    for (const char *p = text; p < nul; p++) line += *p == '\n';
    diag_add(&ctx->diag, "$", "line %u: the file contains a NUL byte", line);
    return NULL;
  }
  if (!check_json_text(ctx, text)) return NULL;
  const char *error_at = NULL;
  cJSON *root = cJSON_ParseWithOpts(text, &error_at, true);
  if (!root) {
    report_syntax_error(ctx, text, error_at);
    return NULL;
  }
  if (!cJSON_IsObject(root)) {
    diag_add(&ctx->diag, "$", "expected a JSON object");
    cJSON_Delete(root);
    return NULL;
  }
  check_json_tree(ctx, root, "$", 0);
  return root;
}

static struct cr_config *new_config(const char *source_path, const char *base_dir) {
  struct cr_config *cfg = calloc(1, sizeof *cfg);
  if (!cfg) return NULL;
  cfg->source_path = source_path ? strdup(source_path) : NULL;
  cfg->base_dir = strdup(base_dir);
  if ((source_path && !cfg->source_path) || !cfg->base_dir) {
    cr_config_free(cfg);
    return NULL;
  }
  return cfg;
}

/* Parse `text` (NULL = none) on top of the built-in default. */
static int load(const char *text, size_t len, const char *where, const char *source_path,
                const char *base_dir, struct cr_config **out, cr_error *err) {
  struct parse_ctx ctx = {0};
  cJSON *base = NULL, *user = NULL;
  if (!(ctx.cfg = new_config(source_path, base_dir))) return cr_fail(err, ENOMEM, where, "cannot load config");
  ctx.base_dir = ctx.cfg->base_dir;
  if (!(base = cJSON_Parse(cr_default_config_json))) {
    diag_oom(&ctx.diag);  /* the default is valid JSON (tests/config checks it) */
    goto done;
  }
  if (text && !(user = parse_user_text(&ctx, text, len))) goto done;
  if (merge_config(base, user) < 0) {
    diag_oom(&ctx.diag);
    goto done;
  }
  parse_sections(&ctx, base);
done:;
  int rc = diag_report(&ctx.diag, where, err);
  diag_free(&ctx.diag);
  cJSON_Delete(base);
  cJSON_Delete(user);
  if (rc < 0) {
    cr_config_free(ctx.cfg);
    return -1;
  }
  *out = ctx.cfg;
  return 0;
}

/* The whole file, NUL-terminated; at most CR_CONFIG_MAX_FILE bytes. */
static char *read_config_file(const char *path, size_t *len_out, cr_error *err) {
  cr_autoclose int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return cr_fail(err, errno, path, "cannot open config"), NULL;
  size_t cap = 4096, len = 0;
  cr_autofree char *buf = malloc(cap + 1);
  if (!buf) return cr_fail(err, ENOMEM, path, "cannot read config"), NULL;
  for (;;) {
    if (len == cap) {
      if (cap >= CR_CONFIG_MAX_FILE)
        return cr_fail(err, 0, path, "config larger than %u bytes", CR_CONFIG_MAX_FILE), NULL;
      char *bigger = realloc(buf, cap * 2 + 1);
      if (!bigger) return cr_fail(err, ENOMEM, path, "cannot read config"), NULL;
      buf = bigger;
      cap *= 2;
    }
    ssize_t n = read(fd, buf + len, cap - len);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return cr_fail(err, errno, path, "cannot read config"), NULL;
    if (n == 0) break;
    len += (size_t)n;
  }
  buf[len] = '\0';
  *len_out = len;
  return cr_steal_ptr(&buf);
}

int cr_config_load_file(const char *path, struct cr_config **out, cr_error *err) {
  size_t len;
  cr_autofree char *text = read_config_file(path, &len, err);
  if (!text) return -1;
  cr_autofree char *dir = absolute_dirname(path);
  if (!dir) return cr_fail(err, errno ? errno : ENAMETOOLONG, path, "cannot resolve the config's folder");
  const char *name = strrchr(path, '/');
  char source[PATH_MAX];
  snprintf(source, sizeof source, "%s%s%s", dir, strcmp(dir, "/") ? "/" : "", name ? name + 1 : path);
  return load(text, len, path, source, dir, out, err);
}

int cr_config_load_string(const char *json, const char *name, const char *base_dir,
                          struct cr_config **out, cr_error *err) {
  const char *where = name ? name : "config";
  char cwd[PATH_MAX], resolved[PATH_MAX];
  const char *why;
  if (!json) return cr_fail(err, EINVAL, where, "no config text");
  if (!base_dir || base_dir[0] != '/') {
    if (!getcwd(cwd, sizeof cwd)) return cr_fail(err, errno, where, "cannot get the current folder");
    if (resolve_host_path(cwd, base_dir ? base_dir : ".", resolved, sizeof resolved, &why) < 0)
      return cr_fail(err, 0, where, "base folder: %s", why);
    base_dir = resolved;
  }
  return load(json, strlen(json), where, NULL, base_dir, out, err);
}

int cr_config_load_default(struct cr_config **out, cr_error *err) {
  char cwd[PATH_MAX];
  if (!getcwd(cwd, sizeof cwd)) return cr_fail(err, errno, "built-in default", "cannot get the current folder");
  return load(NULL, 0, "built-in default", NULL, cwd, out, err);
}

static void free_args(char **args, size_t n) {
  if (!args) return;
  for (size_t i = 0; i < n; i++) free(args[i]);
  free(args);
}

int cr_config_set_args(struct cr_config *cfg, size_t argc, char *const *argv, cr_error *err) {
  if (argc == 0 || !argv || !argv[0] || !argv[0][0])
    return cr_fail(err, EINVAL, "arguments", "no command given");
  char **args = calloc(argc + 1, sizeof *args);
  if (!args) return cr_fail(err, ENOMEM, "arguments", "cannot copy the command line");
  for (size_t i = 0; i < argc; i++) {
    if (!argv[i] || !(args[i] = strdup(argv[i]))) {
      int errnum = argv[i] ? ENOMEM : EINVAL;
      free_args(args, argc);
      return cr_fail(err, errnum, "arguments", "cannot copy the command line");
    }
  }
  free_args(cfg->process.args, cfg->process.n_args);
  cfg->process.args = args;
  cfg->process.n_args = argc;
  free(cfg->process.path);
  cfg->process.path = NULL;
  return 0;
}

static void free_fs_entries(struct cr_fs_entry *fs, size_t n) {
  for (size_t i = 0; fs && i < n; i++) {
    free(fs[i].source);
    free(fs[i].target);
    free(fs[i].link_to);
    free(fs[i].content);
  }
  free(fs);
}

static void free_fd_entries(struct cr_fd_entry *fds, size_t n) {
  for (size_t i = 0; fds && i < n; i++) free(fds[i].path);
  free(fds);
}

static void free_process(struct cr_process *proc) {
  free(proc->path);
  free_args(proc->args, proc->n_args);
  for (size_t i = 0; proc->env && i < proc->n_env; i++) {
    free(proc->env[i].name);
    free(proc->env[i].value);
  }
  free(proc->env);
  free(proc->cwd);
}

void cr_config_free(struct cr_config *cfg) {
  if (!cfg) return;
  free(cfg->source_path);
  free(cfg->base_dir);
  free_process(&cfg->process);
  free(cfg->hostname);
  free_fs_entries(cfg->fs, cfg->n_fs);
  free_fd_entries(cfg->fds, cfg->n_fds);
  free(cfg->seccomp.builtin_name);
  free(cfg->seccomp.path);
  free(cfg->seccomp.inline_json);
  free(cfg->limits.rlimits);
  free(cfg->limits.cgroup_parent);
  free(cfg->report_path);
  free(cfg);
}
