/* SPDX-License-Identifier: MIT */
/* $.filesystem: the entries of the sandbox's fresh root. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cr/cleanup.h"
#include "internal.h"
#include "keys.h"

/* The keyset of each enum cr_fs_type. */
static const enum cr_keyset_id fs_type_keys[] = {
    [CR_FS_BIND] = CR_KEYS_FS_BIND, [CR_FS_TMPFS] = CR_KEYS_FS_TMPFS,     [CR_FS_PROC] = CR_KEYS_FS_PROC,
    [CR_FS_DEV] = CR_KEYS_FS_DEV,   [CR_FS_SYMLINK] = CR_KEYS_FS_SYMLINK, [CR_FS_FILE] = CR_KEYS_FS_FILE,
};

static bool parse_fs_type(struct parse_ctx *ctx, const cJSON *entry, const char *path, enum cr_fs_type *out) {
  const cJSON *type = cJSON_GetObjectItemCaseSensitive(entry, "type");
  struct cr_jpath p = cr_jpath_key(path, "type");
  const char *s;
  if (!type) {
    cr_jdiag_add(&ctx->diag, p.s, "required (one of bind, tmpfs, proc, dev, symlink, file)");
    return false;
  }
  if (!cr_jget_string(&ctx->diag, type, p.s, &s)) return false;
  int index = cr_jname_index(s, CR_KEYS(CR_ENUM_FS_TYPE));
  if (index >= 0) {
    *out = (enum cr_fs_type)index;
    return true;
  }
  const char *near = cr_jsuggest(s, CR_KEYS(CR_ENUM_FS_TYPE));
  if (near)
    cr_jdiag_add(&ctx->diag, p.s, "unknown type \"%s\" (did you mean \"%s\"?)", cr_jquote(s).s, near);
  else
    cr_jdiag_add(&ctx->diag, p.s, "unknown type \"%s\" (one of bind, tmpfs, proc, dev, symlink, file)",
                 cr_jquote(s).s);
  return false;
}

static bool is_key_of_any_type(const char *key) {
  for (size_t t = 0; t < CR_ARRAY_SIZE(fs_type_keys); t++)
    if (cr_jname_index(key, CR_KEYS(fs_type_keys[t])) >= 0) return true;
  return false;
}

/* Each entry takes only its own type's keys; a key that belongs to another
 * type gets a message saying so rather than a misleading suggestion. */
static void check_fs_keys(struct parse_ctx *ctx, const cJSON *entry, const char *path, enum cr_fs_type type) {
  const struct cr_keyset *own = &cr_config_keysets[fs_type_keys[type]];
  const char *type_name = cr_config_keysets[CR_ENUM_FS_TYPE].names[type];
  for (const cJSON *key = entry->child; key; key = key->next) {
    if (cr_jname_index(key->string, own->names, own->n) >= 0) continue;
    struct cr_jpath p = cr_jpath_key(path, key->string);
    const char *near = cr_jsuggest(key->string, own->names, own->n);
    if (is_key_of_any_type(key->string))
      cr_jdiag_add(&ctx->diag, p.s, "not a key of a \"%s\" entry", type_name);
    else if (near)
      cr_jdiag_add(&ctx->diag, p.s, "unknown key (did you mean \"%s\"?)", near);
    else
      cr_jdiag_add(&ctx->diag, p.s, "unknown key for a \"%s\" entry", type_name);
  }
}

static void get_optional_bool(struct parse_ctx *ctx, const cJSON *entry, const char *path, const char *key,
                              bool *out) {
  const cJSON *item = cJSON_GetObjectItemCaseSensitive(entry, key);
  if (item) cr_jget_bool(&ctx->diag, item, cr_jpath_key(path, key).s, out);
}

static void parse_bind(struct parse_ctx *ctx, const cJSON *entry, const char *path, struct cr_fs_entry *e) {
  get_optional_bool(ctx, entry, path, "writable", &e->writable);
  get_optional_bool(ctx, entry, path, "optional", &e->optional);
  const cJSON *source = cJSON_GetObjectItemCaseSensitive(entry, "source");
  struct cr_jpath p = cr_jpath_key(path, "source");
  if (!source) {
    cr_jdiag_add(&ctx->diag, p.s, "required (the host path to bind)");
    return;
  }
  e->source = get_host_path(ctx, source, p.s);
  struct stat st;
  if (e->source && !e->optional && stat(e->source, &st) < 0) report_errno(ctx, p.s, errno, e->source);
}

/* Shared scratch space (/tmp, /var/tmp, /dev/shm) is sticky and world-writable. */
static mode_t default_tmpfs_mode(const char *target) {
  static const char *const shared[] = {"/tmp", "/var/tmp", "/dev/shm"};
  return target && cr_jname_index(target, shared, CR_ARRAY_SIZE(shared)) >= 0 ? 01777 : 0755;
}

static void parse_tmpfs(struct parse_ctx *ctx, const cJSON *entry, const char *path, struct cr_fs_entry *e) {
  const cJSON *v;
  e->mode = default_tmpfs_mode(e->target);
  if ((v = cJSON_GetObjectItemCaseSensitive(entry, "size")))
    get_tmpfs_size(ctx, v, cr_jpath_key(path, "size").s, &e->size, &e->size_percent);
  if ((v = cJSON_GetObjectItemCaseSensitive(entry, "mode")))
    get_mode(ctx, v, cr_jpath_key(path, "mode").s, 07777, &e->mode);
}

static void parse_dev(struct parse_ctx *ctx, const cJSON *entry, const char *path, struct cr_fs_entry *e) {
  e->dev_shm = true;
  get_optional_bool(ctx, entry, path, "pts", &e->dev_pts);
  get_optional_bool(ctx, entry, path, "shm", &e->dev_shm);
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(entry, "shm_size");
  struct cr_jpath p = cr_jpath_key(path, "shm_size");
  if (v && get_tmpfs_size(ctx, v, p.s, &e->shm_size, &e->shm_size_percent) && !e->dev_shm)
    cr_jdiag_add(&ctx->diag, p.s, "needs \"shm\": true");
}

static void parse_symlink(struct parse_ctx *ctx, const cJSON *entry, const char *path,
                          struct cr_fs_entry *e) {
  const cJSON *to = cJSON_GetObjectItemCaseSensitive(entry, "to");
  struct cr_jpath p = cr_jpath_key(path, "to");
  const char *s, *why;
  char norm[PATH_MAX];
  if (!to) {
    cr_jdiag_add(&ctx->diag, p.s, "required (what the link points to)");
  } else if (cr_jget_string(&ctx->diag, to, p.s, &s)) {
    /* The link text is kept as written: a relative link is relative to its folder. */
    if (!s[0] || strlen(s) >= PATH_MAX)
      cr_jdiag_add(&ctx->diag, p.s, "expected a path of 1 to %d bytes", PATH_MAX - 1);
    else if (s[0] == '/' && normalize_sandbox_path(s, norm, sizeof norm, &why) == 0 && is_fd_dir_path(norm))
      cr_jdiag_add(&ctx->diag, p.s, "must not point into /proc/self/fd, /proc/<pid>/fd or /dev/fd");
    else
      e->link_to = ctx_strdup(ctx, s);
  }
}

static void parse_file(struct parse_ctx *ctx, const cJSON *entry, const char *path, struct cr_fs_entry *e) {
  const cJSON *v;
  const char *content;
  e->mode = 0444;
  if ((v = cJSON_GetObjectItemCaseSensitive(entry, "mode")))
    get_mode(ctx, v, cr_jpath_key(path, "mode").s, 0777, &e->mode);
  v = cJSON_GetObjectItemCaseSensitive(entry, "content");
  if (!v) {
    cr_jdiag_add(&ctx->diag, cr_jpath_key(path, "content").s, "required (the file's text)");
  } else if (cr_jget_string(&ctx->diag, v, cr_jpath_key(path, "content").s, &content)) {
    e->content = ctx_strdup(ctx, content);
    e->content_len = strlen(content);
  }
}

static void parse_target(struct parse_ctx *ctx, const cJSON *entry, const char *path, struct cr_fs_entry *e) {
  const cJSON *target = cJSON_GetObjectItemCaseSensitive(entry, "target");
  struct cr_jpath p = cr_jpath_key(path, "target");
  if (!target) {
    cr_jdiag_add(&ctx->diag, p.s, "required (an absolute path in the sandbox)");
    return;
  }
  e->target = get_sandbox_path(ctx, target, p.s);
  if (e->target && strcmp(e->target, "/") == 0) {
    cr_jdiag_add(&ctx->diag, p.s, "must not be \"/\" (the root is always a fresh tmpfs)");
    free(e->target);
    e->target = NULL;
  }
}

static void parse_fs_entry(struct parse_ctx *ctx, const cJSON *entry, const char *path,
                           struct cr_fs_entry *e) {
  if (!cr_jget_object(&ctx->diag, entry, path)) return;
  if (!parse_fs_type(ctx, entry, path, &e->type)) return;
  check_fs_keys(ctx, entry, path, e->type);
  parse_target(ctx, entry, path, e);
  switch (e->type) {
    case CR_FS_BIND: parse_bind(ctx, entry, path, e); break;
    case CR_FS_TMPFS: parse_tmpfs(ctx, entry, path, e); break;
    case CR_FS_PROC: break;
    case CR_FS_DEV: parse_dev(ctx, entry, path, e); break;
    case CR_FS_SYMLINK: parse_symlink(ctx, entry, path, e); break;
    case CR_FS_FILE: parse_file(ctx, entry, path, e); break;
  }
}

static void check_duplicate_targets(struct parse_ctx *ctx, const char *path) {
  const struct cr_config *cfg = ctx->cfg;
  for (size_t i = 0; i < cfg->n_fs; i++) {
    if (!cfg->fs[i].target) continue;
    for (size_t j = 0; j < i; j++) {
      if (cfg->fs[j].target && strcmp(cfg->fs[i].target, cfg->fs[j].target) == 0) {
        cr_jdiag_add(&ctx->diag, cr_jpath_key(cr_jpath_index(path, i).s, "target").s,
                     "duplicate target %s (also %s)", cr_jquote(cfg->fs[i].target).s,
                     cr_jpath_index(path, j).s);
        break;
      }
    }
  }
}

void parse_filesystem(struct parse_ctx *ctx, const cJSON *item) {
  static const char path[] = "$.filesystem";
  struct cr_config *cfg = ctx->cfg;
  if (!cr_jget_array(&ctx->diag, item, path)) return;
  size_t n = (size_t)cJSON_GetArraySize(item), i = 0;
  if (!(cfg->fs = ctx_calloc(ctx, n, sizeof *cfg->fs))) return;
  cfg->n_fs = n;
  const cJSON *entry;
  cJSON_ArrayForEach(entry, item) {
    parse_fs_entry(ctx, entry, cr_jpath_index(path, i).s, &cfg->fs[i]);
    i++;
  }
  check_duplicate_targets(ctx, path);
}
