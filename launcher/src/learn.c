/* SPDX-License-Identifier: MIT */
/* Learn mode: the learned table the sandbox's init sends (protocol.h) as
 * the result's "learned" JSON, and that JSON as a minimal seccomp profile
 * in the OCI/Docker format, merged into an existing one on request
 * (cr_learned_profile). The shapes are in cleanroom(1) under `learn`. */
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanroom/cleanroom.h"
#include "cr/bpf_run.h"
#include "cr/cleanup.h"
#include "cr/policy.h"
#include "launch.h"

static void delete_json(cJSON **j) { cJSON_Delete(*j); }
#define cr_autojson __attribute__((cleanup(delete_json)))

/* ---- the table as JSON: the result's "learned" ---- */

static cJSON *call_json(const struct cr_learned_entry *e) {
  cJSON *o = cJSON_CreateObject();
  if (!o) return NULL;
  cr_add_syscall_fields(o, e->arch, e->nr, cr_seccomp_arch_oci_name(e->arch));
  bool enosys = (e->action & SECCOMP_RET_ACTION_FULL) == SECCOMP_RET_ERRNO;
  cJSON_AddStringToObject(o, "answer", enosys ? "ENOSYS" : "allow");
  cJSON *args = cJSON_AddArrayToObject(o, "args");
  for (uint32_t i = 0; args && i < 6; i++) {
    if (!(e->args_kept & (1u << i))) continue;
    cJSON *a = cJSON_CreateObject();
    if (!a || !cJSON_AddItemToArray(args, a)) return cJSON_Delete(a), cJSON_Delete(o), NULL;
    cJSON_AddNumberToObject(a, "index", i);
    /* low and high halves: exact whatever the value */
    cJSON_AddNumberToObject(a, "low", (double)(uint32_t)e->args[i]);
    cJSON_AddNumberToObject(a, "high", (double)(uint32_t)(e->args[i] >> 32));
  }
  return o;
}

/* The payload's own calls, never observed: in the profile when the base
 * program allows them whatever their arguments ("unobserved"), left out
 * when it allows them only for some ("left_out": the profile would be
 * wider than the base, or guess). */
static int unobserved_json(cJSON *o, const struct cr_bpf *bpf) {
  cJSON *in = cJSON_AddArrayToObject(o, "unobserved"), *out = cJSON_AddArrayToObject(o, "left_out");
  if (!in || !out) return -1;
  const int *nrs;
  size_t n = cr_bpf_own_calls(&nrs);
  for (size_t i = 0; i < n; i++) {
    struct seccomp_data data = {.nr = nrs[i], .arch = cr_seccomp_arch_native()};
    struct cr_bpf_run run;
    if (cr_bpf_run(bpf->insns, bpf->len, &data, &run) < 0) continue;
    uint32_t kind = run.action & SECCOMP_RET_ACTION_FULL;
    cr_autofree char *name = cr_syscall_name(data.arch, nrs[i]);
    if (!name) continue;
    bool allowed = kind == SECCOMP_RET_ALLOW || kind == SECCOMP_RET_LOG;
    if (allowed && !run.args_read)
      cJSON_AddItemToArray(in, cJSON_CreateString(name));
    else if (allowed || run.args_read)
      cJSON_AddItemToArray(out, cJSON_CreateString(name));
  }
  return 0;
}

char *cr_learned_to_json(const struct cr_learned_wire *t, const struct cr_bpf *bpf) {
  cr_autojson cJSON *o = cJSON_CreateObject();
  if (!o) return NULL;
  cJSON_AddBoolToObject(o, "complete", t != NULL);
  cJSON_AddNumberToObject(o, "overflow", t ? t->overflow : 0);
  cJSON_AddNumberToObject(o, "max", CR_LEARNED_MAX);
  cJSON *calls = cJSON_AddArrayToObject(o, "calls");
  for (uint32_t i = 0; calls && t && i < t->n && i < CR_LEARNED_MAX; i++) {
    cJSON *c = call_json(&t->e[i]);
    if (!c) return NULL;
    cJSON_AddItemToArray(calls, c);
  }
  if (unobserved_json(o, bpf) < 0) return NULL;
  return cJSON_PrintUnformatted(o);
}

/* ---- the profile ---- */

/* One syscalls[] entry by what it does besides its names; `names` grows. */
struct group {
  char *key;
  cJSON *entry; /* owned by the profile's syscalls array */
};
struct groups {
  struct group *g;
  size_t n, cap;
  cJSON *syscalls;
};

static char *print_or_empty(const cJSON *j) { return j ? cJSON_PrintUnformatted(j) : strdup(""); }

/* What makes two entries one: action, errnoRet, args, includes, excludes. */
static char *entry_key(const cJSON *e) {
  const cJSON *action = cJSON_GetObjectItemCaseSensitive(e, "action");
  const cJSON *errno_ret = cJSON_GetObjectItemCaseSensitive(e, "errnoRet");
  cr_autofree char *args = print_or_empty(cJSON_GetObjectItemCaseSensitive(e, "args"));
  cr_autofree char *inc = print_or_empty(cJSON_GetObjectItemCaseSensitive(e, "includes"));
  cr_autofree char *exc = print_or_empty(cJSON_GetObjectItemCaseSensitive(e, "excludes"));
  char *key = NULL;
  if (!args || !inc || !exc) return NULL;
  if (asprintf(&key, "%s|%g|%s|%s|%s", cJSON_IsString(action) ? action->valuestring : "",
               cJSON_IsNumber(errno_ret) ? errno_ret->valuedouble : -1.0, args, inc, exc) < 0)
    return NULL;
  return key;
}

static bool has_name(const cJSON *names, const char *name) {
  const cJSON *n;
  cJSON_ArrayForEach(n, names) if (cJSON_IsString(n) && strcmp(n->valuestring, name) == 0) return true;
  return false;
}

static int add_names(cJSON *to, const cJSON *names) {
  const cJSON *n;
  cJSON_ArrayForEach(n, names) {
    if (!cJSON_IsString(n) || has_name(to, n->valuestring)) continue;
    cJSON *s = cJSON_CreateString(n->valuestring);
    if (!s) return -1;
    cJSON_AddItemToArray(to, s);
  }
  return 0;
}

/* Add entry `e` (taken over): into the group of its kind, or as a new one. */
static int add_entry(struct groups *gs, cJSON *e) {
  cr_autofree char *key = entry_key(e);
  if (!key) {
    cJSON_Delete(e);
    return -1;
  }
  for (size_t i = 0; i < gs->n; i++) {
    if (strcmp(gs->g[i].key, key) != 0) continue;
    int rc = add_names(cJSON_GetObjectItemCaseSensitive(gs->g[i].entry, "names"),
                       cJSON_GetObjectItemCaseSensitive(e, "names"));
    cJSON_Delete(e);
    return rc;
  }
  if (gs->n == gs->cap) {
    size_t cap = gs->cap ? 2 * gs->cap : 16;
    struct group *g = realloc(gs->g, cap * sizeof *g);
    if (!g) {
      cJSON_Delete(e);
      return -1;
    }
    gs->g = g;
    gs->cap = cap;
  }
  gs->g[gs->n++] = (struct group){.key = cr_steal_ptr(&key), .entry = e};
  cJSON_AddItemToArray(gs->syscalls, e);
  return 0;
}

static void groups_free(struct groups *gs) {
  for (size_t i = 0; i < gs->n; i++) free(gs->g[i].key);
  free(gs->g);
}

static cJSON *new_entry(const char *name, const char *action, int errno_ret) {
  cJSON *e = cJSON_CreateObject();
  cJSON *names = e ? cJSON_AddArrayToObject(e, "names") : NULL;
  if (!names || !cJSON_AddItemToArray(names, cJSON_CreateString(name)) ||
      !cJSON_AddStringToObject(e, "action", action) ||
      (errno_ret >= 0 && !cJSON_AddNumberToObject(e, "errnoRet", errno_ret))) {
    cJSON_Delete(e);
    return NULL;
  }
  return e;
}

/* A 64-bit value exactly (the profile parser reads it so, beyond 2^53 too). */
static cJSON *exact(uint64_t v) {
  char text[24];
  snprintf(text, sizeof text, "%llu", (unsigned long long)v);
  return cJSON_CreateRaw(text);
}

/* {"index": I, "value": V, ["valueTwo": W,] "op": OP}, one more condition
 * of the entry's rule (the conditions of one rule all hold at once). */
static int add_rule(cJSON *e, int index, uint64_t value, uint64_t value_two, const char *op) {
  cJSON *args = cJSON_GetObjectItemCaseSensitive(e, "args");
  if (!args) args = cJSON_AddArrayToObject(e, "args");
  cJSON *a = cJSON_CreateObject();
  if (!args || !a) {
    cJSON_Delete(a);
    return -1;
  }
  cJSON_AddItemToArray(args, a);
  cJSON_AddNumberToObject(a, "index", index);
  cJSON_AddItemToObject(a, "value", exact(value));
  if (strcmp(op, "SCMP_CMP_MASKED_EQ") == 0) cJSON_AddItemToObject(a, "valueTwo", exact(value_two));
  return cJSON_AddStringToObject(a, "op", op) ? 0 : -1;
}

static double num(const cJSON *o, const char *key) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
  return cJSON_IsNumber(v) ? v->valuedouble : 0;
}

/* The conditions of one learned call: each kept argument equal to the
 * value seen, so the rule allows no call the base filter would not (it
 * decided on those arguments alone). ioctl's request by its low 32 bits,
 * which are all the kernel reads of it. */
static int arg_rules(cJSON *e, const char *name, const cJSON *args) {
  const cJSON *arg;
  cJSON_ArrayForEach(arg, args) {
    int index = (int)num(arg, "index");
    uint64_t low = (uint64_t)num(arg, "low"), high = (uint64_t)num(arg, "high");
    int rc = strcmp(name, "ioctl") == 0 && index == 1
                 ? add_rule(e, index, 0xffffffffu, low, "SCMP_CMP_MASKED_EQ")
                 : add_rule(e, index, high << 32 | low, 0, "SCMP_CMP_EQ");
    if (rc < 0) return -1;
  }
  return 0;
}

/* The entries of the learned calls, in `gs`. */
static int add_learned(struct groups *gs, const cJSON *learned, const char *native) {
  const cJSON *c;
  cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(learned, "calls")) {
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(c, "syscall");
    const cJSON *arch = cJSON_GetObjectItemCaseSensitive(c, "arch");
    const cJSON *answer = cJSON_GetObjectItemCaseSensitive(c, "answer");
    /* other ABIs stay refused, as in the built-in profiles; a number
     * libseccomp cannot name cannot be written */
    if (!cJSON_IsString(name) || !cJSON_IsString(arch) || strcmp(arch->valuestring, native) != 0) continue;
    bool enosys = cJSON_IsString(answer) && strcmp(answer->valuestring, "ENOSYS") == 0;
    cJSON *e = enosys ? new_entry(name->valuestring, "SCMP_ACT_ERRNO", ENOSYS)
                      : new_entry(name->valuestring, "SCMP_ACT_ALLOW", -1);
    if (!e) return -1;
    const cJSON *args = cJSON_GetObjectItemCaseSensitive(c, "args");
    if (!enosys && arg_rules(e, name->valuestring, args) < 0) {
      cJSON_Delete(e);
      return -1;
    }
    if (add_entry(gs, e) < 0) return -1;
  }
  const cJSON *n;
  cJSON_ArrayForEach(n, cJSON_GetObjectItemCaseSensitive(learned, "unobserved")) {
    if (!cJSON_IsString(n)) continue;
    cJSON *e = new_entry(n->valuestring, "SCMP_ACT_ALLOW", -1);
    if (!e || add_entry(gs, e) < 0) return -1;
  }
  return 0;
}

static int by_name(const void *a, const void *b) {
  const cJSON *x = *(const cJSON *const *)a, *y = *(const cJSON *const *)b;
  return strcmp(x->valuestring, y->valuestring);
}

/* Every entry's names in order. */
static int sort_names(cJSON *syscalls) {
  cJSON *e;
  cJSON_ArrayForEach(e, syscalls) {
    cJSON *names = cJSON_GetObjectItemCaseSensitive(e, "names");
    size_t n = (size_t)cJSON_GetArraySize(names), i = 0;
    if (n < 2) continue;
    cJSON **v = malloc(n * sizeof *v);
    if (!v) return -1;
    while (names->child) v[i++] = cJSON_DetachItemViaPointer(names, names->child);
    qsort(v, n, sizeof *v, by_name);
    for (i = 0; i < n; i++) cJSON_AddItemToArray(names, v[i]);
    free(v);
  }
  return 0;
}

/* cJSON indents with tabs and puts one after each colon: two spaces and
 * one instead (a string's own tab is escaped, never a raw one). A new
 * string; NULL without memory. */
static char *indent_with_spaces(const char *text) {
  size_t tabs = 0;
  for (const char *c = text; *c; c++) tabs += *c == '\t';
  char *buf = malloc(strlen(text) + tabs + 1);
  if (!buf) return NULL;
  size_t j = 0;
  for (const char *c = text; *c; c++) {
    if (*c == ':' && c[1] == '\t') {
      buf[j++] = ':';
      buf[j++] = ' ';
      c++;
    } else if (*c == '\t') {
      buf[j++] = ' ';
      buf[j++] = ' ';
    } else {
      buf[j++] = *c;
    }
  }
  buf[j] = '\0';
  return buf;
}

/* The profile to merge into: an object with a syscalls array of entries
 * with names and an action. */
static cJSON *parse_merge(const char *json, const char *name, cr_error **err) {
  const char *where = name ? name : "--merge";
  cJSON *m = cJSON_Parse(json);
  if (!m) return (void)cr_fail(err, EINVAL, where, "not JSON"), NULL;
  const cJSON *sc = cJSON_GetObjectItemCaseSensitive(m, "syscalls");
  bool ok = cJSON_IsObject(m) && (!sc || cJSON_IsArray(sc));
  const cJSON *e;
  cJSON_ArrayForEach(e, sc) {
    const cJSON *names = cJSON_GetObjectItemCaseSensitive(e, "names");
    ok = ok && cJSON_IsObject(e) && cJSON_IsArray(names) &&
         cJSON_IsString(cJSON_GetObjectItemCaseSensitive(e, "action"));
  }
  if (!ok) {
    cJSON_Delete(m);
    return (void)cr_fail(err, EINVAL, where,
                         "not a seccomp profile (an object with syscalls[].names and .action)"),
           NULL;
  }
  return m;
}

static cJSON *new_profile(const char *native) {
  cJSON *p = cJSON_CreateObject();
  if (!p) return NULL;
  cJSON_AddStringToObject(p, "defaultAction", "SCMP_ACT_ERRNO");
  cJSON_AddNumberToObject(p, "defaultErrnoRet", EPERM);
  cJSON *arches = cJSON_AddArrayToObject(p, "architectures");
  if (!arches || !cJSON_AddItemToArray(arches, cJSON_CreateString(native))) {
    cJSON_Delete(p);
    return NULL;
  }
  return p;
}

/* The learned table as the result has it, checked. */
static cJSON *take_learned(const cr_result *res, cr_error **err) {
  if (!res || !res->learned)
    return (void)cr_fail(err, EINVAL, "learn",
                         "the result holds no learned calls (not a learn run, or the "
                         "payload never ran)"),
           NULL;
  cJSON *l = cJSON_Parse(res->learned);
  if (!l) return (void)cr_fail(err, ENOMEM, "learn", "the learned calls"), NULL;
  if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(l, "complete"))) {
    cJSON_Delete(l);
    return (void)cr_fail(err, EIO, "learn", "the sandbox's init sent no learned calls: no profile"), NULL;
  }
  double overflow = num(l, "overflow");
  if (overflow > 0) {
    cr_fail(err, E2BIG, "learn",
            "the workload made more than %g distinct calls (%g more not recorded): a profile would miss "
            "them, none written",
            num(l, "max"), overflow);
    cJSON_Delete(l);
    return NULL;
  }
  return l;
}

/* --allow-refused: what the filter refused, allowed for the argument
 * values the report kept of it. A report that had no room for every kind
 * cannot say them all: an error, not a profile that misses some. */
static int add_refused(struct groups *gs, const cr_result *res, cr_error **err) {
  const char *native = cr_seccomp_arch_name(cr_seccomp_arch_native()); /* as "denied" names it */
  cr_autojson cJSON *denied = res->denied ? cJSON_Parse(res->denied) : NULL;
  const cJSON *d;
  cJSON_ArrayForEach(d, denied) {
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(d, "syscall");
    const cJSON *arch = cJSON_GetObjectItemCaseSensitive(d, "arch");
    if (!cJSON_IsString(name))
      return cr_fail(err, E2BIG, "learn", "more kinds of refused calls than the report keeps: none allowed");
    if (!native || !cJSON_IsString(arch) || strcmp(arch->valuestring, native) != 0) continue;
    cJSON *e = new_entry(name->valuestring, "SCMP_ACT_ALLOW", -1);
    if (!e) return cr_fail(err, ENOMEM, "learn", "the profile");
    const cJSON *arg;
    cJSON_ArrayForEach(arg, cJSON_GetObjectItemCaseSensitive(d, "args")) {
      uint64_t v = cJSON_IsString(arg) ? strtoull(arg->valuestring, NULL, 16) : (uint64_t)arg->valuedouble;
      if (add_rule(e, atoi(arg->string), v, 0, "SCMP_CMP_EQ") < 0) {
        cJSON_Delete(e);
        return cr_fail(err, ENOMEM, "learn", "the profile");
      }
    }
    if (add_entry(gs, e) < 0) return cr_fail(err, ENOMEM, "learn", "the profile");
  }
  return 0;
}

int cr_learned_profile(const cr_result *res, const char *merge_json, const char *merge_name,
                       bool allow_refused, char **profile_json, cr_error **err) {
  *profile_json = NULL;
  const char *native = cr_seccomp_arch_oci_name(cr_seccomp_arch_native());
  if (!native) return cr_fail(err, 0, "learn", "this architecture has no seccomp name");
  cr_autojson cJSON *learned = take_learned(res, err);
  if (!learned) return -1;
  cr_autojson cJSON *merge = merge_json ? parse_merge(merge_json, merge_name, err) : NULL;
  if (merge_json && !merge) return -1;
  cr_autojson cJSON *profile = merge ? cr_steal_ptr(&merge) : new_profile(native);
  if (!profile) return cr_fail(err, ENOMEM, "learn", "the profile");
  cJSON *old = cJSON_DetachItemFromObjectCaseSensitive(profile, "syscalls");
  struct groups gs = {.syscalls = cJSON_AddArrayToObject(profile, "syscalls")};
  int rc = gs.syscalls ? 0 : -1;
  while (rc == 0 && old && old->child) rc = add_entry(&gs, cJSON_DetachItemViaPointer(old, old->child));
  cJSON_Delete(old);
  if (rc == 0) rc = add_learned(&gs, learned, native);
  if (rc == 0 && allow_refused && add_refused(&gs, res, err) < 0) {
    groups_free(&gs);
    return -1;
  }
  groups_free(&gs);
  if (rc == 0) rc = sort_names(gs.syscalls);
  cr_autofree char *tabbed = rc == 0 ? cJSON_Print(profile) : NULL;
  char *text = tabbed ? indent_with_spaces(tabbed) : NULL;
  if (!text) return cr_fail(err, ENOMEM, "learn", "the profile");
  *profile_json = text;
  return 0;
}
