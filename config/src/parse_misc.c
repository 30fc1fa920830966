/* SPDX-License-Identifier: MIT */
/* The small sections: namespaces, hostname, seccomp, capabilities, network,
 * report; and the checks that span sections. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/capability.h>
#include <sys/stat.h>

#include "cr/cleanup.h"
#include "internal.h"
#include "keys.h"

#define HOSTNAME_MAX 64

/* Why each required namespace cannot be left out. */
static const struct {
  unsigned bit;
  const char *name, *why;
} required_namespaces[] = {
    {CR_NS_USER, "user", "without it the sandbox cannot run unprivileged or map its ids"},
    {CR_NS_PID, "pid", "without it there is no pid 1 to reap and kill the sandbox's processes"},
    {CR_NS_MOUNT, "mount", "without it there is no fresh root filesystem"},
};

static void check_required_namespaces(struct parse_ctx *ctx, const char *path) {
  for (size_t i = 0; i < CR_ARRAY_SIZE(required_namespaces); i++) {
    if (ctx->cfg->namespaces & required_namespaces[i].bit) continue;
    cr_jdiag_add(&ctx->diag, path, "\"%s\" is required: %s", required_namespaces[i].name,
                 required_namespaces[i].why);
  }
}

void parse_namespaces(struct parse_ctx *ctx, const cJSON *item) {
  static const char path[] = "$.namespaces";
  if (!cr_jget_array(&ctx->diag, item, path)) return;
  size_t errors_before = ctx->diag.n + ctx->diag.dropped, i = 0;
  const cJSON *name;
  cJSON_ArrayForEach(name, item) {
    struct cr_jpath p = cr_jpath_index(path, i++);
    const char *s;
    if (!cr_jget_string(&ctx->diag, name, p.s, &s)) continue;
    int index = cr_jname_index(s, CR_KEYS(CR_ENUM_NAMESPACE));
    if (index < 0) {
      const char *near = cr_jsuggest(s, CR_KEYS(CR_ENUM_NAMESPACE));
      cr_jdiag_add(&ctx->diag, p.s, "unknown namespace \"%s\"%s%s%s", cr_jquote(s).s,
                   near ? " (did you mean \"" : " (one of user, pid, mount, net, ipc, uts, cgroup, time",
                   near ? near : "", near ? "\"?)" : ")");
    } else if (ctx->cfg->namespaces & cr_namespace_bits[index]) {
      cr_jdiag_add(&ctx->diag, p.s, "\"%s\" is listed twice", s);
    }
    if (index >= 0) ctx->cfg->namespaces |= cr_namespace_bits[index];
  }
  check_required_namespaces(ctx, path);
  ctx->namespaces_valid = ctx->diag.n + ctx->diag.dropped == errors_before;
}

void parse_hostname(struct parse_ctx *ctx, const cJSON *item) {
  static const char path[] = "$.hostname";
  const char *s;
  if (!cr_jget_string(&ctx->diag, item, path, &s)) return;
  size_t len = strlen(s);
  if (len < 1 || len > HOSTNAME_MAX ||
      strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.") != len) {
    cr_jdiag_add(&ctx->diag, path, "expected 1 to %d letters, digits, '-' or '.'", HOSTNAME_MAX);
    return;
  }
  ctx->cfg->hostname = ctx_strdup(ctx, s);
}

/* "/" anywhere or a ".json" ending makes a policy name a file path. */
static bool looks_like_path(const char *s) {
  size_t len = strlen(s);
  return strchr(s, '/') || (len >= 5 && strcmp(s + len - 5, ".json") == 0);
}

static void parse_seccomp_string(struct parse_ctx *ctx, const char *s, const cJSON *item, const char *path) {
  struct cr_seccomp_spec *spec = &ctx->cfg->seccomp;
  if (strcmp(s, "none") == 0) {
    spec->kind = CR_SECCOMP_NONE;
  } else if (cr_jname_index(s, CR_KEYS(CR_ENUM_SECCOMP_BUILTIN)) >= 0) {
    spec->kind = CR_SECCOMP_BUILTIN;
    spec->builtin_name = ctx_strdup(ctx, s);
  } else if (looks_like_path(s)) {
    spec->kind = CR_SECCOMP_FILE;
    spec->path = get_host_path(ctx, item, path);
    struct stat st;
    if (spec->path && stat(spec->path, &st) < 0) report_errno(ctx, path, errno, spec->path);
  } else {
    const char *near = cr_jsuggest(s, CR_KEYS(CR_ENUM_SECCOMP_BUILTIN));
    cr_jdiag_add(&ctx->diag, path,
                 "unknown policy \"%s\"%s%s%s: built-ins are default, strict and none; a policy file "
                 "path must contain '/' or end in .json",
                 cr_jquote(s).s, near ? " (did you mean \"" : "", near ? near : "", near ? "\"?)" : "");
  }
}

void parse_seccomp(struct parse_ctx *ctx, const cJSON *item) {
  static const char path[] = "$.seccomp";
  struct cr_seccomp_spec *spec = &ctx->cfg->seccomp;
  if (cJSON_IsString(item)) {
    parse_seccomp_string(ctx, item->valuestring, item, path);
  } else if (cJSON_IsObject(item)) {
    /* Validated by policies/, which compiles it. */
    spec->kind = CR_SECCOMP_INLINE;
    /* printed with its integers above 2^53 exact, as the text wrote them */
    cJSON *copy = cJSON_Duplicate(item, true);
    if (!copy || cr_json_exact_numbers(copy, ctx->diag.ints) < 0 ||
        !(spec->inline_json = cJSON_PrintUnformatted(copy)))
      cr_jdiag_oom(&ctx->diag);
    cJSON_Delete(copy);
    spec->origin = ctx_strdup(ctx, ctx->cfg->name);
  } else {
    cr_jdiag_add(&ctx->diag, path, "expected a policy name, a policy file path or an inline policy object");
  }
}

/* "CAP_NET_BIND_SERVICE", "net_bind_service", any case -> "cap_net_bind_service",
 * or "" when the name holds anything but letters and '_'. */
static void capability_key(const char *s, char *out, size_t size) {
  if (strncasecmp(s, "cap_", 4) == 0) s += 4;
  size_t n = (size_t)snprintf(out, size, "cap_");
  for (; *s && n + 1 < size; s++) {
    if (!isalpha((unsigned char)*s) && *s != '_') break;
    out[n++] = (char)tolower((unsigned char)*s);
  }
  out[n] = '\0';
  if (*s || n == 4) out[0] = '\0';
}

/* libcap's cap_from_name also takes numbers and prefixes; insist on an exact name. */
static int capability_value(const char *key) {
  cap_value_t value;
  if (!key[0] || cap_from_name(key, &value) < 0 || value < 0 || value >= 64) return -1;
  char *name = cap_to_name(value);
  bool exact = name && strcmp(name, key) == 0;
  cap_free(name);
  return exact ? (int)value : -1;
}

static void report_unknown_capability(struct parse_ctx *ctx, const char *path, const char *s,
                                      const char *key) {
  const char *names[64];
  char *owned[64];
  size_t n = 0;
  for (int v = 0; v < 64 && v <= CAP_LAST_CAP; v++)
    if ((owned[n] = cap_to_name(v))) names[n] = owned[n], n++;
  const char *near = key[0] ? cr_jsuggest(key, names, n) : NULL;
  if (near) {
    char upper[64];
    size_t len = 0;
    for (; near[len] && len + 1 < sizeof upper; len++) upper[len] = (char)toupper((unsigned char)near[len]);
    upper[len] = '\0';
    cr_jdiag_add(&ctx->diag, path, "unknown capability \"%s\" (did you mean \"%s\"?)", cr_jquote(s).s, upper);
  } else {
    cr_jdiag_add(&ctx->diag, path,
                 "unknown capability \"%s\" (expected a name like \"CAP_NET_BIND_SERVICE\")", cr_jquote(s).s);
  }
  for (size_t i = 0; i < n; i++) cap_free(owned[i]);
}

void parse_capabilities(struct parse_ctx *ctx, const cJSON *item) {
  static const char path[] = "$.capabilities";
  if (!cr_jget_array(&ctx->diag, item, path)) return;
  size_t i = 0;
  const cJSON *name;
  cJSON_ArrayForEach(name, item) {
    struct cr_jpath p = cr_jpath_index(path, i++);
    const char *s;
    char key[64];
    if (!cr_jget_string(&ctx->diag, name, p.s, &s)) continue;
    capability_key(s, key, sizeof key);
    int value = capability_value(key);
    if (value < 0) {
      report_unknown_capability(ctx, p.s, s, key);
      continue;
    }
    uint64_t bit = UINT64_C(1) << value;
    if (ctx->cfg->capabilities & bit) cr_jdiag_add(&ctx->diag, p.s, "\"%s\" is listed twice", cr_jquote(s).s);
    ctx->cfg->capabilities |= bit;
  }
}

void parse_network(struct parse_ctx *ctx, const cJSON *item) {
  const char *s;
  if (!cr_jget_string(&ctx->diag, item, "$.network", &s)) return;
  int index = cr_jname_index(s, CR_KEYS(CR_ENUM_NETWORK));
  if (index < 0)
    cr_jdiag_add(&ctx->diag, "$.network", "expected \"none\" or \"host\"");
  else
    ctx->cfg->network = (enum cr_network)index;
}

void parse_report(struct parse_ctx *ctx, const cJSON *item) {
  static const char path[] = "$.report";
  ctx->cfg->report_path = get_host_path(ctx, item, path);
  if (ctx->cfg->report_path) check_parent_exists(ctx, path, ctx->cfg->report_path);
}

void check_cross_sections(struct parse_ctx *ctx, const cJSON *root) {
  const struct cr_config *cfg = ctx->cfg;
  if (!ctx->namespaces_valid) return;
  bool has_net = cfg->namespaces & CR_NS_NET;
  const cJSON *network = cJSON_GetObjectItemCaseSensitive(root, "network");
  bool network_valid =
      cJSON_IsString(network) && cr_jname_index(network->valuestring, CR_KEYS(CR_ENUM_NETWORK)) >= 0;
  if (network_valid && cfg->network == CR_NETWORK_HOST && has_net)
    cr_jdiag_add(&ctx->diag, "$.namespaces",
                 "\"net\" cannot be listed with \"network\": \"host\" (host networking shares the host's "
                 "net namespace)");
  if (network_valid && cfg->network == CR_NETWORK_NONE && !has_net)
    cr_jdiag_add(&ctx->diag, "$.network",
                 "\"none\" needs the \"net\" namespace: add \"net\" to $.namespaces or use \"host\"");
  if (cfg->hostname && !(cfg->namespaces & CR_NS_UTS))
    cr_jdiag_add(&ctx->diag, "$.hostname", "needs the \"uts\" namespace in $.namespaces");
}
