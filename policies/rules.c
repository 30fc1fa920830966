/* SPDX-License-Identifier: MIT */
/* syscalls[]: each entry is validated completely (so a typo is reported even
 * in an entry that does not apply here), then, when its includes/excludes
 * hold for this kernel, architecture and set of kept capabilities, added to
 * the filter once per syscall name. The includes/excludes semantics are
 * Docker's (moby profiles/seccomp): includes need ALL their caps kept,
 * excludes drop the rule when ANY of their caps is kept; arches are matched
 * against the native architecture; minKernel against uname. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>

#include "cr/cleanup.h"
#include "profile.h"

#define MAX_ERRNO_RET 4095 /* the kernel's MAX_ERRNO */
#define MAX_TRACE_RET 0xffff

struct rule {
  int index;              /* in syscalls[] */
  char path[CR_PATH_MAX]; /* "$.syscalls[3]" */
  uint32_t action;
  enum cr_act_kind kind;
  struct scmp_arg_cmp args[6];
  unsigned n_args;
};

/* ---- actions ----------------------------------------------------------- */

static int action_data(struct cr_profile *p, const char *ret_path, const cJSON *ret, enum cr_act_kind kind,
                       uint16_t *data) {
  *data = EPERM; /* runc's value when errnoRet is absent, for ERRNO and TRACE */
  if (!ret) return 0;
  if (kind != CR_ACT_ERRNO && kind != CR_ACT_TRACE)
    return cr_perr(p, ret_path, "only SCMP_ACT_ERRNO and SCMP_ACT_TRACE take a return value");
  uint64_t v;
  if (cr_get_uint(p, ret_path, ret, kind == CR_ACT_ERRNO ? MAX_ERRNO_RET : MAX_TRACE_RET, &v) < 0) return -1;
  *data = (uint16_t)v;
  return 0;
}

int cr_parse_action(struct cr_profile *p, const char *path, const cJSON *action, const char *ret_path,
                    const cJSON *ret, uint32_t *out, enum cr_act_kind *kind) {
  if (!action) return cr_perr(p, path, "missing (an SCMP_ACT_* name)");
  const char *name = cr_get_string(p, path, action);
  if (!name) return -1;
  if (cr_action_kind(name, kind) < 0) return cr_perr(p, path, "unknown action \"%s\"", name);
  uint16_t data;
  if (action_data(p, ret_path, ret, *kind, &data) < 0) return -1;
  *out = cr_action_value(*kind, data);
  if (!cr_kernel_has_action(*out)) return cr_perr(p, path, "%s is not supported by the running kernel", name);
  return 0;
}

static int parse_rule_action(struct cr_profile *p, const cJSON *entry, struct rule *r) {
  char path[CR_PATH_MAX], ret_path[CR_PATH_MAX];
  cr_path_key(path, r->path, "action");
  cr_path_key(ret_path, r->path, "errnoRet");
  return cr_parse_action(p, path, cr_member(entry, "action"), ret_path, cr_member(entry, "errnoRet"),
                         &r->action, &r->kind);
}

/* ---- args -------------------------------------------------------------- */

static const char *const arg_keys[] = {"index", "value", "valueTwo", "op", NULL};

static int arg_u64(struct cr_profile *p, const char *path, const cJSON *arg, const char *key, uint64_t *out) {
  char sub[CR_PATH_MAX];
  cr_path_key(sub, path, key);
  const cJSON *item = cr_member(arg, key);
  *out = 0; /* absent means 0, as in Docker's Go structs */
  return item ? cr_get_uint(p, sub, item, UINT64_MAX, out) : 0;
}

static int parse_arg(struct cr_profile *p, const char *path, const cJSON *arg, struct scmp_arg_cmp *out) {
  if (!cr_is_object(p, path, arg)) return -1;
  cr_check_keys(p, path, arg, arg_keys);
  char sub[CR_PATH_MAX];
  cr_path_key(sub, path, "index");
  const cJSON *index = cr_member(arg, "index");
  uint64_t idx = 0;
  if (!index) return cr_perr(p, sub, "missing (the argument number, 0 to 5)");
  if (cr_get_uint(p, sub, index, 5, &idx) < 0) return -1;
  uint64_t value, value_two;
  if (arg_u64(p, path, arg, "value", &value) < 0 || arg_u64(p, path, arg, "valueTwo", &value_two) < 0)
    return -1;
  cr_path_key(sub, path, "op");
  const cJSON *op_item = cr_member(arg, "op");
  if (!op_item) return cr_perr(p, sub, "missing (an SCMP_CMP_* name)");
  const char *op_name = cr_get_string(p, sub, op_item);
  if (!op_name) return -1;
  enum scmp_compare op;
  if (cr_compare_op(op_name, &op) < 0) return cr_perr(p, sub, "unknown operator \"%s\"", op_name);
  /* For MASKED_EQ value is the mask and valueTwo the datum (runtime-spec). */
  *out = (struct scmp_arg_cmp){
      .arg = (unsigned)idx, .op = op, .datum_a = value, .datum_b = op == SCMP_CMP_MASKED_EQ ? value_two : 0};
  return 0;
}

static int parse_args(struct cr_profile *p, const cJSON *entry, struct rule *r) {
  const cJSON *args = cr_member(entry, "args");
  char path[CR_PATH_MAX];
  cr_path_key(path, r->path, "args");
  if (!args) return 0;
  if (!cr_is_array(p, path, args)) return -1;
  int n = cJSON_GetArraySize(args);
  if (n > 6) return cr_perr(p, path, "%d comparisons; a syscall has 6 arguments", n);
  unsigned used = 0; /* libseccomp takes one comparison per argument and rule */
  int i = 0, rc = 0;
  for (const cJSON *arg = args->child; arg; arg = arg->next, i++) {
    char sub[CR_PATH_MAX];
    cr_path_index(sub, path, i);
    if (parse_arg(p, sub, arg, &r->args[r->n_args]) < 0) {
      rc = -1;
      continue;
    }
    unsigned bit = 1u << r->args[r->n_args].arg;
    if (used & bit) {
      rc = cr_perr(p, sub,
                   "argument %u is compared twice in one rule; libseccomp allows one "
                   "comparison per argument (write two entries)",
                   r->args[r->n_args].arg);
      continue;
    }
    used |= bit;
    r->n_args++;
  }
  return rc;
}

/* ---- includes / excludes ----------------------------------------------- */

struct condition {
  bool has_caps, all_caps_kept, any_cap_kept;
  bool has_arches, native_listed;
  bool has_kernel, kernel_at_least;
};

static const char *const filter_keys[] = {"caps", "arches", "minKernel", NULL};

static int parse_caps(struct cr_profile *p, const char *path, const cJSON *caps, struct condition *c) {
  if (!cr_is_array(p, path, caps)) return -1;
  c->all_caps_kept = true;
  int i = 0, rc = 0;
  for (const cJSON *it = caps->child; it; it = it->next, i++) {
    char sub[CR_PATH_MAX];
    cr_path_index(sub, path, i);
    const char *name = cr_get_string(p, sub, it);
    cap_value_t cap;
    if (!name) {
      rc = -1;
    } else if (cap_from_name(name, &cap) < 0) {
      rc = cr_perr(p, sub, "unknown capability \"%s\"", name);
    } else {
      bool kept = cap >= 0 && cap < 64 && (p->kept_caps >> cap & 1);
      c->has_caps = true;
      c->all_caps_kept &= kept;
      c->any_cap_kept |= kept;
    }
  }
  return rc;
}

static int parse_arches(struct cr_profile *p, const char *path, const cJSON *arches, struct condition *c) {
  if (!cr_is_array(p, path, arches)) return -1;
  int i = 0, rc = 0;
  for (const cJSON *it = arches->child; it; it = it->next, i++) {
    char sub[CR_PATH_MAX];
    cr_path_index(sub, path, i);
    const char *name = cr_get_string(p, sub, it);
    const struct cr_arch_name *arch = name ? cr_arch_by_any(name) : NULL;
    if (!name) {
      rc = -1;
    } else if (!arch) {
      rc = cr_perr(p, sub, "unknown architecture \"%s\"", name);
    } else {
      c->has_arches = true;
      c->native_listed |= arch == p->native;
    }
  }
  return rc;
}

static int parse_min_kernel(struct cr_profile *p, const char *path, const cJSON *item, struct condition *c) {
  const char *text = cr_get_string(p, path, item);
  unsigned major, minor;
  int end = 0;
  if (!text) return -1;
  if (sscanf(text, "%u.%u%n", &major, &minor, &end) != 2 || text[end] != '\0')
    return cr_perr(p, path, "\"%s\" is not a kernel version MAJOR.MINOR", text);
  c->has_kernel = true;
  c->kernel_at_least = p->kernel_major > major || (p->kernel_major == major && p->kernel_minor >= minor);
  return 0;
}

static int parse_condition(struct cr_profile *p, const char *rule_path, const cJSON *entry, const char *key,
                           struct condition *c) {
  *c = (struct condition){0};
  const cJSON *obj = cr_member(entry, key);
  char path[CR_PATH_MAX], sub[CR_PATH_MAX];
  cr_path_key(path, rule_path, key);
  if (!obj) return 0;
  if (!cr_is_object(p, path, obj)) return -1;
  cr_check_keys(p, path, obj, filter_keys);
  const cJSON *caps = cr_member(obj, "caps"), *arches = cr_member(obj, "arches"),
              *kernel = cr_member(obj, "minKernel");
  int rc = 0;
  cr_path_key(sub, path, "caps");
  if (caps && parse_caps(p, sub, caps, c) < 0) rc = -1;
  cr_path_key(sub, path, "arches");
  if (arches && parse_arches(p, sub, arches, c) < 0) rc = -1;
  cr_path_key(sub, path, "minKernel");
  if (kernel && parse_min_kernel(p, sub, kernel, c) < 0) rc = -1;
  return rc;
}

static bool rule_applies(const struct condition *inc, const struct condition *exc) {
  if (inc->has_arches && !inc->native_listed) return false;
  if (inc->has_caps && !inc->all_caps_kept) return false;
  if (inc->has_kernel && !inc->kernel_at_least) return false;
  if (exc->has_arches && exc->native_listed) return false;
  if (exc->has_caps && exc->any_cap_kept) return false;
  if (exc->has_kernel && exc->kernel_at_least) return false;
  return true;
}

/* ---- names ------------------------------------------------------------- */

/* names[] (or Docker's legacy singular "name"), validated; NULL on error. */
static const cJSON *rule_names(struct cr_profile *p, const cJSON *entry, const char *rule_path) {
  const cJSON *names = cr_member(entry, "names"), *name = cr_member(entry, "name");
  char path[CR_PATH_MAX];
  if (names && name) {
    cr_path_key(path, rule_path, "name");
    cr_perr(p, path, "give either \"name\" or \"names\", not both");
    return NULL;
  }
  if (name) {
    cr_path_key(path, rule_path, "name");
    return cr_get_string(p, path, name) ? name : NULL;
  }
  cr_path_key(path, rule_path, "names");
  if (!names) {
    cr_perr(p, path, "missing (the syscalls this rule is for)");
    return NULL;
  }
  if (!cr_is_array(p, path, names)) return NULL;
  int i = 0, bad = 0;
  for (const cJSON *it = names->child; it; it = it->next, i++) {
    char sub[CR_PATH_MAX];
    cr_path_index(sub, path, i);
    if (!cr_get_string(p, sub, it)) bad = 1;
  }
  return bad ? NULL : names;
}

static int note_unknown(struct cr_profile *p, const char *name) {
  for (size_t i = 0; i < p->n_unknown; i++) {
    if (strcmp(p->unknown[i], name) == 0) return 0;
  }
  if (p->n_unknown == p->cap_unknown) {
    size_t ncap = p->cap_unknown ? p->cap_unknown * 2 : 8;
    const char **nu = realloc(p->unknown, ncap * sizeof *nu);
    if (!nu) return cr_perr(p, "$", "out of memory");
    p->unknown = nu;
    p->cap_unknown = ncap;
  }
  p->unknown[p->n_unknown++] = name;
  return 0;
}

const struct cr_seen_syscall *cr_find_seen(const struct cr_profile *p, int nr) {
  for (size_t i = 0; i < p->n_seen; i++) {
    if (p->seen[i].nr == nr) return &p->seen[i];
  }
  return NULL;
}

static struct cr_seen_syscall *seen_entry(struct cr_profile *p, int nr, const char *name) {
  struct cr_seen_syscall *s = (struct cr_seen_syscall *)cr_find_seen(p, nr);
  if (s) return s;
  if (p->n_seen == p->cap_seen) {
    size_t ncap = p->cap_seen ? p->cap_seen * 2 : 64;
    struct cr_seen_syscall *ns = realloc(p->seen, ncap * sizeof *ns);
    if (!ns) return NULL;
    p->seen = ns;
    p->cap_seen = ncap;
  }
  s = &p->seen[p->n_seen++];
  *s = (struct cr_seen_syscall){.nr = nr, .name = name};
  return s;
}

static bool cond_differs(const struct cr_seen_syscall *s, uint32_t action) {
  return s->has_cond && (s->cond_mixed || s->cond_action != action);
}

/* Record the rule for the syscall; refuse combinations libseccomp would not
 * honour (it drops them without an error). */
static int note_rule(struct cr_profile *p, const struct rule *r, const char *path, int nr, const char *name) {
  struct cr_seen_syscall *s = seen_entry(p, nr, name);
  if (!s) return cr_perr(p, path, "out of memory");
  if (r->n_args == 0) {
    if (s->has_uncond && s->uncond_action != r->action)
      return cr_perr(p, path,
                     "\"%s\" already has an unconditional rule with another action "
                     "($.syscalls[%d])",
                     name, s->uncond_rule);
    if (cond_differs(s, r->action))
      return cr_perr(p, path,
                     "\"%s\" has conditional rules with another action "
                     "($.syscalls[%d]); libseccomp would drop them",
                     name, s->cond_rule);
    if (!s->has_uncond) s->uncond_rule = r->index;
    s->has_uncond = true;
    s->uncond_action = r->action;
  } else {
    if (s->has_uncond && s->uncond_action != r->action)
      return cr_perr(p, path,
                     "\"%s\" has an unconditional rule with another action "
                     "($.syscalls[%d]); libseccomp would drop this conditional one",
                     name, s->uncond_rule);
    if (s->has_cond && s->cond_action != r->action) s->cond_mixed = true;
    struct cr_cond_rule *grown = realloc(s->conds, (s->n_conds + 1) * sizeof *grown);
    if (!grown) return cr_perr(p, path, "out of memory");
    s->conds = grown;
    grown[s->n_conds] = (struct cr_cond_rule){.action = r->action, .n_args = r->n_args};
    memcpy(grown[s->n_conds].args, r->args, r->n_args * sizeof r->args[0]);
    s->n_conds++;
    if (!s->has_cond) {
      s->cond_action = r->action;
      s->cond_rule = r->index;
    }
    s->has_cond = true;
  }
  s->kinds |= r->kind;
  return 0;
}

static bool is_exec(const char *name) { return strcmp(name, "execve") == 0 || strcmp(name, "execveat") == 0; }

static void add_name(struct cr_profile *p, const struct rule *r, const char *path, const char *name) {
  int nr = seccomp_syscall_resolve_name(name);
  if (nr == __NR_SCMP_ERROR) {
    note_unknown(p, name); /* newer than this libseccomp: skipped, warned once */
    return;
  }
  if (r->kind == CR_ACT_NOTIFY && !is_exec(name)) {
    cr_perr(p, path,
            "SCMP_ACT_NOTIFY is only supported for execve and execveat "
            "(the launcher supervises exec, nothing else)");
    return;
  }
  if (note_rule(p, r, path, nr, name) < 0) return;
  if (r->kind == CR_ACT_NOTIFY) p->exec_once = true;
  /* libseccomp refuses a rule that repeats the filter's default action
   * (EACCES); the default already does what it asks. */
  if (r->action == p->filter_default) return;
  int rc = seccomp_rule_add_array(p->filter, r->action, nr, r->n_args, r->args);
  if (rc < 0) cr_perr(p, path, "libseccomp refused the rule for \"%s\": %s", name, strerror(-rc));
}

static void add_names(struct cr_profile *p, const struct rule *r, const cJSON *names) {
  char path[CR_PATH_MAX];
  if (cJSON_IsString(names)) {
    cr_path_key(path, r->path, "name");
    add_name(p, r, path, names->valuestring);
    return;
  }
  int i = 0;
  for (const cJSON *it = names->child; it; it = it->next, i++) {
    char base[CR_PATH_MAX];
    cr_path_key(base, r->path, "names");
    cr_path_index(path, base, i);
    add_name(p, r, path, it->valuestring);
  }
}

/* ---- one entry --------------------------------------------------------- */

static const char *const rule_keys[] = {"names",   "name",     "action",   "errnoRet", "args",
                                        "comment", "includes", "excludes", NULL};

static void add_rule(struct cr_profile *p, int index, const cJSON *entry) {
  struct rule r = {.index = index};
  cr_path_index(r.path, "$.syscalls", index);
  if (!cr_is_object(p, r.path, entry)) return;
  size_t errors_before = cr_jdiag_count(&p->diag);
  cr_check_keys(p, r.path, entry, rule_keys);
  const cJSON *names = rule_names(p, entry, r.path);
  parse_rule_action(p, entry, &r);
  parse_args(p, entry, &r);
  struct condition inc, exc;
  parse_condition(p, r.path, entry, "includes", &inc);
  parse_condition(p, r.path, entry, "excludes", &exc);
  const cJSON *comment = cr_member(entry, "comment");
  char sub[CR_PATH_MAX];
  cr_path_key(sub, r.path, "comment");
  if (comment) cr_get_string(p, sub, comment);
  if (cr_jdiag_count(&p->diag) != errors_before || !names || !rule_applies(&inc, &exc)) return;
  p->rules++;
  add_names(p, &r, names);
}

void cr_add_syscalls(struct cr_profile *p, const cJSON *syscalls) {
  if (!syscalls) return; /* only the default action */
  if (!cr_is_array(p, "$.syscalls", syscalls)) return;
  int i = 0;
  for (const cJSON *entry = syscalls->child; entry; entry = entry->next, i++) add_rule(p, i, entry);
}
