/* SPDX-License-Identifier: MIT */
/* cr_config_to_json: the resolved config in the config format itself, so
 * that `cleanroom check` shows everything a run will get and the text loads
 * back to the same config. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>

#include "cr/cleanup.h"
#include "internal.h"
#include "keys.h"

/* ---- building the tree ---- */

struct builder {
  bool failed; /* out of memory somewhere */
};

/* Add `item` to an object (key) or array (key NULL); NULL items mark failure. */
static cJSON *add(struct builder *b, cJSON *parent, const char *key, cJSON *item) {
  if (!item) {
    b->failed = true;
    return NULL;
  }
  bool ok = key ? cJSON_AddItemToObject(parent, key, item) : cJSON_AddItemToArray(parent, item);
  if (!ok) {
    cJSON_Delete(item);
    b->failed = true;
    return NULL;
  }
  return item;
}

static cJSON *add_string(struct builder *b, cJSON *parent, const char *key, const char *s) {
  return add(b, parent, key, cJSON_CreateString(s));
}

static cJSON *add_uint(struct builder *b, cJSON *parent, const char *key, uint64_t v) {
  /* Beyond 2^53 a JSON number is inexact: a decimal string is a valid size. */
  if (v > CR_JSON_MAX_EXACT) {
    char digits[24];
    snprintf(digits, sizeof digits, "%llu", (unsigned long long)v);
    return add_string(b, parent, key, digits);
  }
  return add(b, parent, key, cJSON_CreateNumber((double)v));
}

/* Sizes read best with a unit: 268435456 prints as "256M". */
static cJSON *add_size(struct builder *b, cJSON *parent, const char *key, uint64_t v) {
  static const char units[] = "KMGT";
  int unit = -1;
  for (int i = 0; i < 4 && v && v % (UINT64_C(1) << (10 * (i + 1))) == 0; i++) unit = i;
  if (unit < 0) return add_uint(b, parent, key, v);
  char text[32];
  snprintf(text, sizeof text, "%llu%c", (unsigned long long)(v >> (10 * (unit + 1))), units[unit]);
  return add_string(b, parent, key, text);
}

static cJSON *add_percent(struct builder *b, cJSON *parent, const char *key, unsigned percent) {
  char text[16];
  snprintf(text, sizeof text, "%u%%", percent);
  return add_string(b, parent, key, text);
}

static cJSON *add_mode(struct builder *b, cJSON *parent, const char *key, mode_t mode) {
  char octal[8];
  snprintf(octal, sizeof octal, "%04o", (unsigned)mode);
  return add_string(b, parent, key, octal);
}

static void build_process(struct builder *b, cJSON *root, const struct cr_process *proc) {
  cJSON *obj = add(b, root, "process", cJSON_CreateObject());
  if (proc->path) add_string(b, obj, "path", proc->path);
  cJSON *args = add(b, obj, "args", cJSON_CreateArray());
  for (size_t i = 0; i < proc->n_args; i++) add_string(b, args, NULL, proc->args[i]);
  cJSON *env = add(b, obj, "env", cJSON_CreateObject());
  for (size_t i = 0; i < proc->n_env; i++) add_string(b, env, proc->env[i].name, proc->env[i].value);
  add_string(b, obj, "cwd", proc->cwd);
  add_uint(b, obj, "uid", proc->uid);
  add_uint(b, obj, "gid", proc->gid);
  add_uint(b, obj, "host_uid", proc->host_uid);
  add_uint(b, obj, "host_gid", proc->host_gid);
  add_mode(b, obj, "umask", proc->umask);
  if (proc->has_oom_score_adj) add(b, obj, "oom_score_adj", cJSON_CreateNumber(proc->oom_score_adj));
  if (proc->has_nice) add(b, obj, "nice", cJSON_CreateNumber(proc->nice));
  if (proc->has_cpus) {
    char list[CR_CPU_LIST_MAX];
    add_string(b, obj, "cpus", cr_cpu_list_format(proc->cpus, list, sizeof list));
  }
}

static void build_namespaces(struct builder *b, cJSON *root, unsigned namespaces) {
  cJSON *array = add(b, root, "namespaces", cJSON_CreateArray());
  const struct cr_keyset *names = &cr_config_keysets[CR_ENUM_NAMESPACE];
  for (size_t i = 0; i < names->n; i++)
    if (namespaces & cr_namespace_bits[i]) add_string(b, array, NULL, names->names[i]);
}

static void build_fs_entry(struct builder *b, cJSON *array, const struct cr_fs_entry *e) {
  cJSON *obj = add(b, array, NULL, cJSON_CreateObject());
  add_string(b, obj, "type", cr_config_keysets[CR_ENUM_FS_TYPE].names[e->type]);
  if (e->source) add_string(b, obj, "source", e->source);
  add_string(b, obj, "target", e->target);
  switch (e->type) {
    case CR_FS_BIND:
      add(b, obj, "writable", cJSON_CreateBool(e->writable));
      add(b, obj, "optional", cJSON_CreateBool(e->optional));
      break;
    case CR_FS_TMPFS:
      if (e->size_percent)
        add_percent(b, obj, "size", e->size_percent);
      else if (e->size)
        add_size(b, obj, "size", e->size);
      add_mode(b, obj, "mode", e->mode);
      break;
    case CR_FS_PROC: break;
    case CR_FS_DEV:
      add(b, obj, "pts", cJSON_CreateBool(e->dev_pts));
      add(b, obj, "shm", cJSON_CreateBool(e->dev_shm));
      if (e->shm_size_percent)
        add_percent(b, obj, "shm_size", e->shm_size_percent);
      else if (e->shm_size)
        add_size(b, obj, "shm_size", e->shm_size);
      break;
    case CR_FS_SYMLINK: add_string(b, obj, "to", e->link_to); break;
    case CR_FS_FILE:
      add_string(b, obj, "content", e->content);
      add_mode(b, obj, "mode", e->mode);
      break;
  }
}

static const char *fd_mode_name(int open_flags) {
  const struct cr_keyset *modes = &cr_config_keysets[CR_ENUM_FD_MODE];
  for (size_t i = 0; i < modes->n; i++)
    if (cr_fd_mode_flags[i] == open_flags) return modes->names[i];
  return "r";
}

static void build_fd_entry(struct builder *b, cJSON *array, const struct cr_fd_entry *e) {
  cJSON *obj = add(b, array, NULL, cJSON_CreateObject());
  add_uint(b, obj, "fd", (uint64_t)e->fd);
  switch (e->kind) {
    case CR_FD_NULL: add(b, obj, "null", cJSON_CreateTrue()); break;
    case CR_FD_INHERIT: add_uint(b, obj, "inherit", (uint64_t)e->inherit_fd); break;
    case CR_FD_PATH:
      add_string(b, obj, "path", e->path);
      add_string(b, obj, "mode", fd_mode_name(e->open_flags));
      break;
  }
}

/* JSON text as a tree that prints its integers above 2^53 exactly (a
 * seccomp mask such as 18446744069414584321 must stay that number). */
static cJSON *exact_tree(const char *text) {
  cJSON *tree = cJSON_Parse(text);
  struct cr_bigints ints;
  if (!tree || cr_bigints_scan(text, &ints) < 0) return tree;
  if (cr_json_exact_numbers(tree, &ints) < 0) {
    cJSON_Delete(tree);
    tree = NULL;
  }
  cr_bigints_free(&ints);
  return tree;
}

static void build_seccomp(struct builder *b, cJSON *root, const struct cr_seccomp_spec *spec) {
  switch (spec->kind) {
    case CR_SECCOMP_BUILTIN: add_string(b, root, "seccomp", spec->builtin_name); break;
    case CR_SECCOMP_FILE: add_string(b, root, "seccomp", spec->path); break;
    case CR_SECCOMP_INLINE: add(b, root, "seccomp", exact_tree(spec->inline_json)); break;
    case CR_SECCOMP_NONE: add_string(b, root, "seccomp", "none"); break;
  }
}

static void build_capabilities(struct builder *b, cJSON *root, uint64_t caps) {
  cJSON *array = add(b, root, "capabilities", cJSON_CreateArray());
  for (int v = 0; v < 64; v++) {
    if (!(caps & (UINT64_C(1) << v))) continue;
    char *name = cap_to_name(v);
    if (!name) {
      b->failed = true;
      continue;
    }
    for (char *p = name; *p; p++) *p = (char)(*p >= 'a' && *p <= 'z' ? *p - 'a' + 'A' : *p);
    add_string(b, array, NULL, name);
    cap_free(name);
  }
}

static cJSON *rlim_json(rlim_t v) {
  return v == RLIM_INFINITY ? cJSON_CreateString("unlimited") : cJSON_CreateNumber((double)v);
}

static void build_rlimits(struct builder *b, cJSON *limits, const struct cr_limits *l) {
  cJSON *obj = add(b, limits, "rlimits", cJSON_CreateObject());
  const struct cr_keyset *names = &cr_config_keysets[CR_KEYS_RLIMITS];
  for (size_t i = 0; i < l->n_rlimits; i++) {
    const struct cr_rlimit *r = &l->rlimits[i];
    const char *name = NULL;
    for (size_t k = 0; k < names->n && !name; k++)
      if (cr_rlimit_resources[k] == r->resource) name = names->names[k];
    if (!name) continue;
    if (r->soft == r->hard) {
      add(b, obj, name, rlim_json(r->soft));
    } else {
      cJSON *pair = add(b, obj, name, cJSON_CreateObject());
      add(b, pair, "soft", rlim_json(r->soft));
      add(b, pair, "hard", rlim_json(r->hard));
    }
  }
}

static void build_limits(struct builder *b, cJSON *root, const struct cr_limits *l) {
  cJSON *obj = add(b, root, "limits", cJSON_CreateObject());
  if (l->time_ms) add_uint(b, obj, "time_ms", l->time_ms);
  add_uint(b, obj, "kill_grace_ms", l->kill_grace_ms);
  if (l->memory) add_size(b, obj, "memory", l->memory);
  if (l->pids) add_uint(b, obj, "pids", l->pids);
  if (l->cpu > 0) add(b, obj, "cpu", cJSON_CreateNumber(l->cpu));
  if (l->optional) {
    cJSON *array = add(b, obj, "optional", cJSON_CreateArray());
    const struct cr_keyset *names = &cr_config_keysets[CR_ENUM_LIMIT_NAME];
    for (size_t i = 0; i < names->n; i++)
      if (l->optional & (1u << i)) add_string(b, array, NULL, names->names[i]);
  }
  if (l->cgroup_parent) add_string(b, obj, "cgroup_parent", l->cgroup_parent);
  build_rlimits(b, obj, l);
}

static cJSON *build_config(struct builder *b, const struct cr_config *cfg) {
  cJSON *root = cJSON_CreateObject();
  if (!root) return NULL;
  build_process(b, root, &cfg->process);
  build_namespaces(b, root, cfg->namespaces);
  /* No hostname without uts: leaving it out keeps the default's from coming back. */
  if (cfg->hostname) add_string(b, root, "hostname", cfg->hostname);
  cJSON *fs = add(b, root, "filesystem", cJSON_CreateArray());
  for (size_t i = 0; i < cfg->n_fs; i++) build_fs_entry(b, fs, &cfg->fs[i]);
  cJSON *fds = add(b, root, "fds", cJSON_CreateArray());
  for (size_t i = 0; i < cfg->n_fds; i++) build_fd_entry(b, fds, &cfg->fds[i]);
  build_seccomp(b, root, &cfg->seccomp);
  build_capabilities(b, root, cfg->capabilities);
  add_string(b, root, "network", cr_config_keysets[CR_ENUM_NETWORK].names[cfg->network]);
  build_limits(b, root, &cfg->limits);
  if (cfg->report_path) add_string(b, root, "report", cfg->report_path);
  return root;
}

/* ---- printing: 2-space indent, short arrays and flat objects on one line ---- */

struct strbuf {
  char *s;
  size_t len, cap;
  bool failed;
};

static void sb_put(struct strbuf *sb, const char *s, size_t n) {
  if (sb->failed) return;
  if (sb->len + n + 1 > sb->cap) {
    size_t cap = sb->cap ? sb->cap : 1024;
    while (cap < sb->len + n + 1) cap *= 2;
    char *bigger = realloc(sb->s, cap);
    if (!bigger) {
      sb->failed = true;
      return;
    }
    sb->s = bigger;
    sb->cap = cap;
  }
  memcpy(sb->s + sb->len, s, n);
  sb->len += n;
  sb->s[sb->len] = '\0';
}

static void sb_str(struct strbuf *sb, const char *s) { sb_put(sb, s, strlen(s)); }

static void sb_indent(struct strbuf *sb, int level) {
  for (int i = 0; i < level; i++) sb_put(sb, "  ", 2);
}

static void print_string(struct strbuf *sb, const char *s) {
  sb_put(sb, "\"", 1);
  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;
    char esc[8];
    switch (c) {
      case '"': sb_str(sb, "\\\""); break;
      case '\\': sb_str(sb, "\\\\"); break;
      case '\n': sb_str(sb, "\\n"); break;
      case '\t': sb_str(sb, "\\t"); break;
      case '\r': sb_str(sb, "\\r"); break;
      default:
        if (c < 0x20 || c == 0x7f) {
          snprintf(esc, sizeof esc, "\\u%04x", c);
          sb_str(sb, esc);
        } else {
          sb_put(sb, (const char *)&c, 1);
        }
    }
  }
  sb_put(sb, "\"", 1);
}

static void print_number(struct strbuf *sb, double d) {
  char num[32];
  /* in range before the cast: converting a larger double is undefined */
  if (d >= -(double)CR_JSON_MAX_EXACT && d <= (double)CR_JSON_MAX_EXACT && d == (double)(long long)d) {
    snprintf(num, sizeof num, "%lld", (long long)d);
  } else {
    snprintf(num, sizeof num, "%.15g", d);
    if (strtod(num, NULL) != d) snprintf(num, sizeof num, "%.17g", d);
  }
  sb_str(sb, num);
}

static bool is_container(const cJSON *item) { return cJSON_IsObject(item) || cJSON_IsArray(item); }

/* Arrays of scalars and objects of scalars fit on one line. */
static bool is_flat(const cJSON *item) {
  for (const cJSON *child = item->child; child; child = child->next)
    if (is_container(child)) return false;
  return true;
}

static void print_value(struct strbuf *sb, const cJSON *item, int level, bool inline_ok);

static void print_container(struct strbuf *sb, const cJSON *item, int level, bool inline_ok) {
  bool object = cJSON_IsObject(item);
  sb_str(sb, object ? "{" : "[");
  bool one_line = !item->child || (is_flat(item) && (!object || inline_ok));
  for (const cJSON *child = item->child; child; child = child->next) {
    if (one_line) {
      if (child != item->child) sb_str(sb, ", ");
    } else {
      sb_str(sb, child == item->child ? "\n" : ",\n");
      sb_indent(sb, level + 1);
    }
    if (object) {
      print_string(sb, child->string);
      sb_str(sb, ": ");
    }
    /* Flat objects inline only as array elements ({"type": "bind", ...}). */
    print_value(sb, child, level + 1, !object);
  }
  if (!one_line) {
    sb_str(sb, "\n");
    sb_indent(sb, level);
  }
  sb_str(sb, object ? "}" : "]");
}

static void print_value(struct strbuf *sb, const cJSON *item, int level, bool inline_ok) {
  if (is_container(item))
    print_container(sb, item, level, inline_ok);
  else if (cJSON_IsString(item))
    print_string(sb, item->valuestring);
  else if (cJSON_IsNumber(item))
    print_number(sb, item->valuedouble);
  else if (cJSON_IsRaw(item)) /* an exact integer above 2^53 (cr_json_exact_numbers) */
    sb_str(sb, item->valuestring);
  else
    sb_str(sb, cJSON_IsTrue(item) ? "true" : cJSON_IsFalse(item) ? "false" : "null");
}

char *cr_config_to_json(const struct cr_config *cfg) {
  struct builder b = {0};
  cJSON *root = cfg ? build_config(&b, cfg) : NULL;
  if (!root || b.failed) {
    cJSON_Delete(root);
    return NULL;
  }
  struct strbuf sb = {0};
  print_value(&sb, root, 0, false);
  sb_str(&sb, "\n");
  cJSON_Delete(root);
  if (sb.failed) {
    free(sb.s);
    return NULL;
  }
  return sb.s;
}
