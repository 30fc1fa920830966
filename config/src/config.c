/* SPDX-License-Identifier: MIT */
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
    {"process", parse_process},
    {"namespaces", parse_namespaces},
    {"hostname", parse_hostname},
    {"filesystem", parse_filesystem},
    {"fds", parse_fds},
    {"seccomp", parse_seccomp},
    {"capabilities", parse_capabilities},
    {"network", parse_network},
    {"limits", parse_limits},
    {"report", parse_report},
};

static void parse_sections(struct parse_ctx *ctx, const cJSON *root) {
  cr_jcheck_keys(&ctx->diag, root, "$", CR_KEYS(CR_KEYS_ROOT));
  for (size_t i = 0; i < CR_ARRAY_SIZE(sections); i++) {
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(root, sections[i].key);
    if (item) sections[i].parse(ctx, item);
  }
  check_cross_sections(ctx, root);
}

/* The user's JSON text as a tree, or NULL after reporting why not. */
static cJSON *parse_user_text(struct parse_ctx *ctx, const char *text, size_t len) {
  cJSON *root = cr_json_parse(&ctx->diag, text, len, "config");
  if (root && !cJSON_IsObject(root)) {
    cr_jdiag_add(&ctx->diag, "$", "expected a JSON object, got %s", cr_json_type_name(root));
    cJSON_Delete(root);
    return NULL;
  }
  return root;
}

static struct cr_config *new_config(const char *name, const char *source_path, const char *base_dir) {
  struct cr_config *cfg = calloc(1, sizeof *cfg);
  if (!cfg) return NULL;
  cfg->name = strdup(name);
  cfg->source_path = source_path ? strdup(source_path) : NULL;
  cfg->base_dir = strdup(base_dir);
  if (!cfg->name || (source_path && !cfg->source_path) || !cfg->base_dir) {
    cr_config_free(cfg);
    return NULL;
  }
  return cfg;
}

/* Parse `text` (NULL = none) on top of `base_json` (the built-in default,
 * or a resolved config being updated), section by section. */
static int load_onto(const char *base_json, const char *text, size_t len, const char *where,
                     const char *source_path, const char *base_dir, struct cr_config **out, cr_error **err) {
  struct parse_ctx ctx = {0};
  cJSON *base = NULL, *user = NULL;
  struct cr_bigints ints = {0}, user_ints = {0};
  if (!(ctx.cfg = new_config(where, source_path, base_dir)))
    return cr_fail(err, ENOMEM, where, "cannot load config");
  ctx.base_dir = ctx.cfg->base_dir;
  /* exact integers above 2^53 (an inline seccomp profile's), of both texts */
  if (cr_bigints_scan(base_json, &ints) < 0 || (text && cr_bigints_scan(text, &user_ints) < 0)) {
    cr_jdiag_oom(&ctx.diag);
    goto done;
  }
  if (user_ints.n) {
    uint64_t *all = realloc(ints.values, (ints.n + user_ints.n) * sizeof *all);
    if (!all) {
      cr_jdiag_oom(&ctx.diag);
      goto done;
    }
    memcpy(all + ints.n, user_ints.values, user_ints.n * sizeof *all);
    ints.values = all;
    ints.n += user_ints.n;
  }
  ctx.diag.ints = &ints;
  if (!(base = cJSON_Parse(base_json))) {
    cr_jdiag_oom(&ctx.diag); /* the default, and a printed config, are valid JSON (tests/config checks it) */
    goto done;
  }
  if (text && !(user = parse_user_text(&ctx, text, len))) goto done;
  if (merge_config(base, user) < 0) {
    cr_jdiag_oom(&ctx.diag);
    goto done;
  }
  parse_sections(&ctx, base);
done:;
  int rc = cr_jdiag_report(&ctx.diag, where, err);
  cr_jdiag_free(&ctx.diag);
  cr_bigints_free(&ints);
  cr_bigints_free(&user_ints);
  cJSON_Delete(base);
  cJSON_Delete(user);
  if (rc < 0) {
    cr_config_free(ctx.cfg);
    return -1;
  }
  *out = ctx.cfg;
  return 0;
}

static int load(const char *text, size_t len, const char *where, const char *source_path,
                const char *base_dir, struct cr_config **out, cr_error **err) {
  return load_onto(cr_default_config_json, text, len, where, source_path, base_dir, out, err);
}

const char *cr_config_default_json(void) { return cr_default_config_json; }

/* The resolved config's own sections replaced by those of `json`. */
int cr_config_update(struct cr_config *cfg, const char *json, cr_error **err) {
  if (!cfg || !json)
    return cr_fail(err, EINVAL, cfg ? cfg->name : "config", "no config or no JSON to update it with");
  cr_autofree char *current = cr_config_to_json(cfg);
  if (!current) return cr_fail(err, ENOMEM, cfg->name, "cannot update config");
  struct cr_config *fresh = NULL;
  if (load_onto(current, json, strlen(json), cfg->name, cfg->source_path, cfg->base_dir, &fresh, err) < 0)
    return -1;
  /* the caller's handle stays the same object */
  struct cr_config old = *cfg;
  *cfg = *fresh;
  *fresh = old;
  cr_config_free(fresh);
  return 0;
}

int cr_config_copy(const struct cr_config *cfg, struct cr_config **out, cr_error **err) {
  cr_autofree char *text = cr_config_to_json(cfg);
  if (!text) return cr_fail(err, ENOMEM, cfg->name, "cannot copy config");
  return load_onto(text, NULL, 0, cfg->name, cfg->source_path, cfg->base_dir, out, err);
}

/* The whole file, NUL-terminated; at most CR_CONFIG_MAX_FILE bytes. */
static char *read_config_file(const char *path, size_t *len_out, cr_error **err) {
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

int cr_config_load_file(const char *path, struct cr_config **out, cr_error **err) {
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

int cr_config_load_string(const char *json, const char *name, const char *base_dir, struct cr_config **out,
                          cr_error **err) {
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

int cr_config_load_default(struct cr_config **out, cr_error **err) {
  char cwd[PATH_MAX];
  if (!getcwd(cwd, sizeof cwd))
    return cr_fail(err, errno, "built-in default", "cannot get the current folder");
  return load(NULL, 0, "built-in default", NULL, cwd, out, err);
}

static void free_args(char **args, size_t n) {
  if (!args) return;
  for (size_t i = 0; i < n; i++) free(args[i]);
  free(args);
}

int cr_config_set_args(struct cr_config *cfg, size_t argc, const char *const *argv, cr_error **err) {
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
  free(cfg->name);
  free(cfg->source_path);
  free(cfg->base_dir);
  free_process(&cfg->process);
  free(cfg->hostname);
  free_fs_entries(cfg->fs, cfg->n_fs);
  free_fd_entries(cfg->fds, cfg->n_fds);
  free(cfg->seccomp.builtin_name);
  free(cfg->seccomp.path);
  free(cfg->seccomp.inline_json);
  free(cfg->seccomp.origin);
  free(cfg->limits.rlimits);
  free(cfg->limits.cgroup_parent);
  free(cfg->report_path);
  free(cfg);
}
