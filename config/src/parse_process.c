/* SPDX-License-Identifier: MIT */
/* $.process: what runs, with which argv, environment, ids and umask. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"
#include "keys.h"

#define ID_MAX 4294967294u     /* (uid_t)-1 means "no id" to the kernel */
#define UNPRIVILEGED_ID 65534u /* nobody / nogroup */

static void parse_args(struct parse_ctx *ctx, const cJSON *item, const char *path) {
  struct cr_process *proc = &ctx->cfg->process;
  if (!cJSON_IsArray(item) || cJSON_GetArraySize(item) == 0) {
    cr_jdiag_add(&ctx->diag, path, "expected a non-empty array of strings");
    return;
  }
  size_t n = (size_t)cJSON_GetArraySize(item), i = 0;
  if (!(proc->args = ctx_calloc(ctx, n + 1, sizeof *proc->args))) return;
  proc->n_args = n;
  const cJSON *arg;
  cJSON_ArrayForEach(arg, item) {
    struct cr_jpath p = cr_jpath_index(path, i);
    const char *s;
    if (cr_jget_string(&ctx->diag, arg, p.s, &s)) {
      if (i == 0 && !s[0]) cr_jdiag_add(&ctx->diag, p.s, "the program name must not be empty");
      proc->args[i] = ctx_strdup(ctx, s);
    }
    i++;
  }
}

static void parse_env(struct parse_ctx *ctx, const cJSON *item, const char *path) {
  struct cr_process *proc = &ctx->cfg->process;
  if (!cr_jget_object(&ctx->diag, item, path)) return;
  size_t n = (size_t)cJSON_GetArraySize(item);
  if (!(proc->env = ctx_calloc(ctx, n, sizeof *proc->env))) return;
  const cJSON *var;
  cJSON_ArrayForEach(var, item) {
    struct cr_jpath p = cr_jpath_key(path, var->string);
    const char *value;
    if (!var->string[0]) {
      cr_jdiag_add(&ctx->diag, p.s, "variable names must not be empty");
    } else if (strchr(var->string, '=')) {
      cr_jdiag_add(&ctx->diag, p.s, "variable names must not contain '='");
    } else if (cr_jget_string(&ctx->diag, var, p.s, &value)) {
      struct cr_env_var *slot = &proc->env[proc->n_env++];
      slot->name = ctx_strdup(ctx, var->string);
      slot->value = ctx_strdup(ctx, value);
    }
  }
}

static void parse_id(struct parse_ctx *ctx, const cJSON *obj, const char *path, const char *key,
                     uint32_t *out) {
  const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, key);
  uint64_t v;
  if (item && cr_jget_uint(&ctx->diag, item, cr_jpath_key(path, key).s, 0, ID_MAX, &v)) *out = (uint32_t)v;
}

/* Inside the user namespace the child has the caller's own ids, except that
 * root's are never used: a root caller's child gets 1000, an ordinary
 * user's id, on host_uid/host_gid (nobody/nogroup). Not 65534 inside: that
 * is the kernel's overflow id, the owner every unmapped file shows, and a
 * sandbox user of that id would seem to own /etc/shadow (test -O, git's
 * safe.directory, ssh's ownership checks). */
#define ROOT_CALLER_SANDBOX_ID 1000u

/* "0-3,6": CPU numbers and ranges, as taskset -c and cpusets write them. */
static bool parse_cpu_list(const char *s, uint64_t *set) {
  if (!*s) return false;
  while (*s) {
    char *end;
    if (*s < '0' || *s > '9') return false;
    unsigned long first = strtoul(s, &end, 10), last = first;
    if (*end == '-') {
      if (end[1] < '0' || end[1] > '9') return false;
      last = strtoul(end + 1, &end, 10);
    }
    if (first > last || last >= CR_CPU_SET_WORDS * 64) return false;
    for (unsigned long cpu = first; cpu <= last; cpu++) set[cpu / 64] |= 1ull << (cpu % 64);
    if (*end == ',' && end[1])
      end++;
    else if (*end)
      return false;
    s = end;
  }
  return true;
}

static void parse_cpus(struct parse_ctx *ctx, const cJSON *item, const char *path) {
  struct cr_process *proc = &ctx->cfg->process;
  const char *s;
  if (!cr_jget_string(&ctx->diag, item, path, &s)) return;
  memset(proc->cpus, 0, sizeof proc->cpus);
  if (!parse_cpu_list(s, proc->cpus)) {
    cr_jdiag_add(&ctx->diag, path, "expected CPU numbers and ranges below %d such as \"0-3,6\", got \"%s\"",
                 CR_CPU_SET_WORDS * 64, s);
    return;
  }
  proc->has_cpus = true;
}

static void set_process_defaults(struct cr_process *proc) {
  bool caller_is_root = getuid() == 0;
  proc->uid = caller_is_root ? ROOT_CALLER_SANDBOX_ID : (uint32_t)getuid();
  proc->gid = caller_is_root ? ROOT_CALLER_SANDBOX_ID : (uint32_t)getgid();
  proc->host_uid = UNPRIVILEGED_ID;
  proc->host_gid = UNPRIVILEGED_ID;
  proc->umask = 022;
}

void parse_process(struct parse_ctx *ctx, const cJSON *item) {
  static const char path[] = "$.process";
  struct cr_process *proc = &ctx->cfg->process;
  set_process_defaults(proc);
  if (!cr_jget_object(&ctx->diag, item, path)) return;
  cr_jcheck_keys(&ctx->diag, item, path, CR_KEYS(CR_KEYS_PROCESS));

  const cJSON *v;
  if ((v = cJSON_GetObjectItemCaseSensitive(item, "path")))
    proc->path = get_sandbox_path(ctx, v, cr_jpath_key(path, "path").s);
  if ((v = cJSON_GetObjectItemCaseSensitive(item, "args")))
    parse_args(ctx, v, cr_jpath_key(path, "args").s);
  else
    cr_jrequire_key(&ctx->diag, item, path, "args", "a non-empty array of strings: the program's argv");
  if ((v = cJSON_GetObjectItemCaseSensitive(item, "env"))) parse_env(ctx, v, cr_jpath_key(path, "env").s);
  if ((v = cJSON_GetObjectItemCaseSensitive(item, "cwd")))
    proc->cwd = get_sandbox_path(ctx, v, cr_jpath_key(path, "cwd").s);
  else
    proc->cwd = ctx_strdup(ctx, "/");
  parse_id(ctx, item, path, "uid", &proc->uid);
  parse_id(ctx, item, path, "gid", &proc->gid);
  parse_id(ctx, item, path, "host_uid", &proc->host_uid);
  parse_id(ctx, item, path, "host_gid", &proc->host_gid);
  if ((v = cJSON_GetObjectItemCaseSensitive(item, "umask")))
    get_mode(ctx, v, cr_jpath_key(path, "umask").s, 0777, &proc->umask);
  int64_t adj;
  if ((v = cJSON_GetObjectItemCaseSensitive(item, "oom_score_adj")) &&
      cr_jget_int(&ctx->diag, v, cr_jpath_key(path, "oom_score_adj").s, -1000, 1000, &adj)) {
    proc->has_oom_score_adj = true;
    proc->oom_score_adj = (int)adj;
  }
  int64_t nice;
  if ((v = cJSON_GetObjectItemCaseSensitive(item, "nice")) &&
      cr_jget_int(&ctx->diag, v, cr_jpath_key(path, "nice").s, -20, 19, &nice)) {
    proc->has_nice = true;
    proc->nice = (int)nice;
  }
  if ((v = cJSON_GetObjectItemCaseSensitive(item, "cpus"))) parse_cpus(ctx, v, cr_jpath_key(path, "cpus").s);
}
