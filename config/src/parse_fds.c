/* SPDX-License-Identifier: MIT */
/* $.fds: the whole fd table of the child. */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "internal.h"
#include "keys.h"

#define FD_NUMBER_MAX 65535

static void parse_fd_path(struct parse_ctx *ctx, const cJSON *entry, const char *path,
                          struct cr_fd_entry *e) {
  const char *mode = "r";
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(entry, "mode");
  struct cr_jpath mode_path = cr_jpath_key(path, "mode");
  if (v && !cr_jget_string(&ctx->diag, v, mode_path.s, &mode)) return;
  int index = cr_jname_index(mode, CR_KEYS(CR_ENUM_FD_MODE));
  if (index < 0) {
    cr_jdiag_add(&ctx->diag, mode_path.s, "expected \"r\", \"w\", \"a\" or \"rw\"");
    return;
  }
  e->kind = CR_FD_PATH;
  e->open_flags = cr_fd_mode_flags[index];
  struct cr_jpath p = cr_jpath_key(path, "path");
  e->path = get_host_path(ctx, cJSON_GetObjectItemCaseSensitive(entry, "path"), p.s);
  if (!e->path) return;
  struct stat st;
  if (strcmp(mode, "r") == 0) {
    if (stat(e->path, &st) < 0) report_errno(ctx, p.s, errno, e->path);
  } else {
    check_parent_exists(ctx, p.s, e->path); /* the file itself may be created */
  }
}

/* Exactly one of "null", "inherit", "path" says where the fd comes from. */
static void parse_fd_source(struct parse_ctx *ctx, const cJSON *entry, const char *path,
                            struct cr_fd_entry *e) {
  const cJSON *null_item = cJSON_GetObjectItemCaseSensitive(entry, "null");
  const cJSON *inherit = cJSON_GetObjectItemCaseSensitive(entry, "inherit");
  const cJSON *host_path = cJSON_GetObjectItemCaseSensitive(entry, "path");
  int sources = !!null_item + !!inherit + !!host_path;
  if (sources != 1) {
    cr_jdiag_add(&ctx->diag, path,
                 sources ? "\"null\", \"inherit\" and \"path\" exclude each other"
                         : "needs one of \"null\": true, \"inherit\": N or \"path\"");
    return;
  }
  if (!host_path && cJSON_HasObjectItem(entry, "mode"))
    cr_jdiag_add(&ctx->diag, cr_jpath_key(path, "mode").s, "only allowed with \"path\"");
  uint64_t v;
  bool b;
  if (null_item) {
    struct cr_jpath p = cr_jpath_key(path, "null");
    if (cr_jget_bool(&ctx->diag, null_item, p.s, &b) && !b)
      cr_jdiag_add(&ctx->diag, p.s, "must be true (leave the fd out to have it closed)");
    e->kind = CR_FD_NULL;
  } else if (inherit) {
    e->kind = CR_FD_INHERIT;
    if (cr_jget_uint(&ctx->diag, inherit, cr_jpath_key(path, "inherit").s, 0, INT_MAX, &v))
      e->inherit_fd = (int)v;
  } else {
    parse_fd_path(ctx, entry, path, e);
  }
}

static void parse_fd_entry(struct parse_ctx *ctx, const cJSON *entry, const char *path,
                           struct cr_fd_entry *e) {
  e->fd = -1;
  if (!cr_jget_object(&ctx->diag, entry, path)) return;
  cr_jcheck_keys(&ctx->diag, entry, path, CR_KEYS(CR_KEYS_FD));
  const cJSON *fd = cJSON_GetObjectItemCaseSensitive(entry, "fd");
  uint64_t v;
  if (!fd)
    cr_jrequire_key(&ctx->diag, entry, path, "fd", "the fd number in the child");
  else if (cr_jget_uint(&ctx->diag, fd, cr_jpath_key(path, "fd").s, 0, FD_NUMBER_MAX, &v))
    e->fd = (int)v;
  parse_fd_source(ctx, entry, path, e);
}

static int compare_fd(const void *a, const void *b) {
  const struct cr_fd_entry *x = a, *y = b;
  return (x->fd > y->fd) - (x->fd < y->fd);
}

void parse_fds(struct parse_ctx *ctx, const cJSON *item) {
  static const char path[] = "$.fds";
  struct cr_config *cfg = ctx->cfg;
  if (!cr_jget_array(&ctx->diag, item, path)) return;
  size_t n = (size_t)cJSON_GetArraySize(item), i = 0;
  if (!(cfg->fds = ctx_calloc(ctx, n, sizeof *cfg->fds))) return;
  cfg->n_fds = n;
  /* one bit per possible fd (8 KiB); the earlier entry is looked up only
   * for a duplicate, which is an error anyway */
  uint64_t seen[(FD_NUMBER_MAX + 1) / 64];
  memset(seen, 0, sizeof seen);
  const cJSON *entry;
  cJSON_ArrayForEach(entry, item) {
    struct cr_jpath p = cr_jpath_index(path, i);
    struct cr_fd_entry *e = &cfg->fds[i];
    parse_fd_entry(ctx, entry, p.s, e);
    if (e->fd >= 0 && (seen[e->fd / 64] >> (e->fd % 64)) & 1) {
      size_t first = 0;
      while (cfg->fds[first].fd != e->fd) first++;
      cr_jdiag_add(&ctx->diag, cr_jpath_key(p.s, "fd").s, "duplicate fd %d (also %s)", e->fd,
                   cr_jpath_index(path, first).s);
    } else if (e->fd >= 0) {
      seen[e->fd / 64] |= 1ull << (e->fd % 64);
    }
    i++;
  }
  qsort(cfg->fds, n, sizeof *cfg->fds, compare_fd);
}
