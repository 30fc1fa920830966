/* SPDX-License-Identifier: MIT */
/* $.limits: time, cgroup limits and rlimits. */
#include <string.h>

#include "internal.h"
#include "keys.h"

#define DEFAULT_KILL_GRACE_MS 2000
#define CPU_MAX 1024.0

static bool get_rlim_value(struct parse_ctx *ctx, const cJSON *item, const char *path, rlim_t *out) {
  uint64_t v;
  if (cJSON_IsString(item) && strcmp(item->valuestring, "unlimited") == 0) {
    *out = RLIM_INFINITY;
    return true;
  }
  if (cr_json_uint(item, CR_JSON_MAX_EXACT, &v)) {
    *out = (rlim_t)v;
    return true;
  }
  cr_jdiag_add(&ctx->diag, path, "expected an integer from 0 to %llu or \"unlimited\"", CR_JSON_MAX_EXACT);
  return false;
}

static void parse_rlimit(struct parse_ctx *ctx, const cJSON *item, const char *path, struct cr_rlimit *r) {
  if (!cJSON_IsObject(item)) {
    if (get_rlim_value(ctx, item, path, &r->soft)) r->hard = r->soft;
    return;
  }
  cr_jcheck_keys(&ctx->diag, item, path, CR_KEYS(CR_KEYS_RLIMIT_PAIR));
  const cJSON *soft = cJSON_GetObjectItemCaseSensitive(item, "soft");
  const cJSON *hard = cJSON_GetObjectItemCaseSensitive(item, "hard");
  cr_jrequire_key(&ctx->diag, item, path, "soft", "the soft limit");
  cr_jrequire_key(&ctx->diag, item, path, "hard", "the hard limit");
  if (!soft || !hard) return;
  struct cr_jpath soft_path = cr_jpath_key(path, "soft");
  bool ok = get_rlim_value(ctx, soft, soft_path.s, &r->soft);
  ok = get_rlim_value(ctx, hard, cr_jpath_key(path, "hard").s, &r->hard) && ok;
  if (ok && r->soft > r->hard) cr_jdiag_add(&ctx->diag, soft_path.s, "must not exceed \"hard\"");
}

static void parse_rlimits(struct parse_ctx *ctx, const cJSON *item, const char *path) {
  struct cr_limits *limits = &ctx->cfg->limits;
  if (!cr_jget_object(&ctx->diag, item, path)) return;
  cr_jcheck_keys(&ctx->diag, item, path, CR_KEYS(CR_KEYS_RLIMITS));
  size_t n = (size_t)cJSON_GetArraySize(item);
  if (!(limits->rlimits = ctx_calloc(ctx, n, sizeof *limits->rlimits))) return;
  const cJSON *entry;
  cJSON_ArrayForEach(entry, item) {
    int index = cr_jname_index(entry->string, CR_KEYS(CR_KEYS_RLIMITS));
    if (index < 0) continue; /* reported by check_keys */
    struct cr_rlimit *r = &limits->rlimits[limits->n_rlimits++];
    r->resource = cr_rlimit_resources[index];
    parse_rlimit(ctx, entry, cr_jpath_key(path, entry->string).s, r);
  }
}

static void parse_optional(struct parse_ctx *ctx, const cJSON *item, const char *path) {
  if (!cr_jget_array(&ctx->diag, item, path)) return;
  size_t i = 0;
  const cJSON *name;
  cJSON_ArrayForEach(name, item) {
    struct cr_jpath p = cr_jpath_index(path, i++);
    const char *s;
    if (!cr_jget_string(&ctx->diag, name, p.s, &s)) continue;
    int index = cr_jname_index(s, CR_KEYS(CR_ENUM_LIMIT_NAME));
    unsigned bit = index >= 0 ? 1u << index : 0;
    if (index < 0)
      cr_jdiag_add(&ctx->diag, p.s, "expected \"memory\", \"pids\" or \"cpu\"");
    else if (ctx->cfg->limits.optional & bit)
      cr_jdiag_add(&ctx->diag, p.s, "\"%s\" is listed twice", s);
    ctx->cfg->limits.optional |= bit;
  }
}

static void parse_cpu(struct parse_ctx *ctx, const cJSON *item, const char *path) {
  if (cJSON_IsNumber(item) && item->valuedouble > 0 && item->valuedouble <= CPU_MAX) {
    ctx->cfg->limits.cpu = item->valuedouble;
    return;
  }
  cr_jdiag_add(&ctx->diag, path, "expected a number of cores above 0 and at most %g", CPU_MAX);
}

void parse_limits(struct parse_ctx *ctx, const cJSON *item) {
  static const char path[] = "$.limits";
  struct cr_limits *limits = &ctx->cfg->limits;
  limits->kill_grace_ms = DEFAULT_KILL_GRACE_MS;
  if (!cr_jget_object(&ctx->diag, item, path)) return;
  cr_jcheck_keys(&ctx->diag, item, path, CR_KEYS(CR_KEYS_LIMITS));
  const cJSON *v;
  if ((v = cJSON_GetObjectItemCaseSensitive(item, "time_ms")))
    cr_jget_uint(&ctx->diag, v, cr_jpath_key(path, "time_ms").s, 1, CR_JSON_MAX_EXACT, &limits->time_ms);
  if ((v = cJSON_GetObjectItemCaseSensitive(item, "kill_grace_ms")))
    cr_jget_uint(&ctx->diag, v, cr_jpath_key(path, "kill_grace_ms").s, 0, CR_JSON_MAX_EXACT,
                 &limits->kill_grace_ms);
  if ((v = cJSON_GetObjectItemCaseSensitive(item, "memory"))) {
    struct cr_jpath p = cr_jpath_key(path, "memory");
    if (get_size(ctx, v, p.s, &limits->memory) && limits->memory == 0)
      cr_jdiag_add(&ctx->diag, p.s, "must be at least 1 byte (leave it out for no limit)");
  }
  if ((v = cJSON_GetObjectItemCaseSensitive(item, "pids")))
    cr_jget_uint(&ctx->diag, v, cr_jpath_key(path, "pids").s, 1, CR_JSON_MAX_EXACT, &limits->pids);
  if ((v = cJSON_GetObjectItemCaseSensitive(item, "cpu"))) parse_cpu(ctx, v, cr_jpath_key(path, "cpu").s);
  if ((v = cJSON_GetObjectItemCaseSensitive(item, "optional")))
    parse_optional(ctx, v, cr_jpath_key(path, "optional").s);
  if ((v = cJSON_GetObjectItemCaseSensitive(item, "cgroup_parent")))
    limits->cgroup_parent = get_sandbox_path(ctx, v, cr_jpath_key(path, "cgroup_parent").s);
  if ((v = cJSON_GetObjectItemCaseSensitive(item, "rlimits")))
    parse_rlimits(ctx, v, cr_jpath_key(path, "rlimits").s);
}
