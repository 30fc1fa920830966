/* SPDX-License-Identifier: MIT */
/* One profile, from JSON text to a BPF program: the top-level fields
 * (defaultAction, architectures/archMap, flags), then syscalls[] (rules.c),
 * then the checks that need the whole profile, then the export. */
#include <errno.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "cr/cleanup.h"
#include "profile.h"

static const char *const top_keys[] = {
    "defaultAction",
    "defaultErrnoRet",
    "architectures",
    "archMap",
    "syscalls",
    "flags",
    "listenerPath",
    "listenerMetadata",
    "comment", /* our extension: Docker ignores unknown keys, so files stay portable */
    NULL};

/* ---- environment ------------------------------------------------------- */

static int init_environment(struct cr_profile *p) {
  struct utsname uts;
  if (uname(&uts) < 0) return cr_fail(p->err, errno, p->where, "uname");
  if (sscanf(uts.release, "%u.%u", &p->kernel_major, &p->kernel_minor) != 2)
    return cr_fail(p->err, 0, p->where, "cannot read the kernel version from \"%s\"", uts.release);
  p->native = cr_arch_native();
  if (!p->native)
    return cr_fail(p->err, 0, p->where, "unknown native architecture %#x", seccomp_arch_native());
  return 0;
}

/* ---- defaultAction and filter attributes ------------------------------- */

static int create_filter(struct cr_profile *p, const cJSON *root) {
  if (cr_parse_action(p, "$.defaultAction", cr_member(root, "defaultAction"), "$.defaultErrnoRet",
                      cr_member(root, "defaultErrnoRet"), &p->default_action, &p->default_kind) < 0)
    return -1;
  if (p->default_kind == CR_ACT_NOTIFY)
    return cr_perr(p, "$.defaultAction", "SCMP_ACT_NOTIFY cannot be the default action");
  p->filter_default = p->default_action == SCMP_ACT_ERRNO(ENOSYS) && !p->no_fallthrough_eperm
                          ? SCMP_ACT_ERRNO(EPERM)
                          : p->default_action;
  p->filter = seccomp_init(p->filter_default);
  if (!p->filter) return cr_perr(p, "$.defaultAction", "libseccomp refused the default action");
  /* Calls of an architecture the filter does not list (i386 via int 0x80
   * on x86-64) end the whole process, not just the calling thread. */
  uint32_t bad_arch =
      cr_kernel_has_action(SCMP_ACT_KILL_PROCESS) ? SCMP_ACT_KILL_PROCESS : SCMP_ACT_KILL_THREAD;
  int rc = seccomp_attr_set(p->filter, SCMP_FLTATR_ACT_BADARCH, bad_arch);
  if (rc < 0) return cr_perr(p, "$", "libseccomp: setting the bad-arch action: %s", strerror(-rc));
  /* A binary search tree over syscall numbers: fewer instructions run per
   * syscall. Only an optimisation, so a libseccomp without it is fine. */
  rc = seccomp_attr_set(p->filter, SCMP_FLTATR_CTL_OPTIMIZE, 2);
  if (rc < 0 && rc != -EINVAL && rc != -EOPNOTSUPP)
    return cr_perr(p, "$", "libseccomp: setting the optimiser: %s", strerror(-rc));
  return 0;
}

/* An ENOSYS default says "no such system call", so that a runtime falls
 * back from a call newer than the profile (clone3). It is the wrong answer
 * for a call the profile lists and refuses by its arguments (personality
 * with a flag not allowed): that one gets EPERM, "not permitted here". A
 * filter cannot say "else" per call, so the filter's default is EPERM and
 * every number the profile does not name gets an ENOSYS rule of its own,
 * up to the highest number this libseccomp knows on the native
 * architecture plus a margin for calls newer than it (numbers above are
 * no system call yet and get EPERM). Each rule lengthens the program, and
 * the kernel translates and checks all of it at every launch, so the
 * margin is not larger. */
#define CR_UNLISTED_SCAN 512 /* below x86-64's x32 compat numbers (512-547), which the filter kills */
#define CR_UNLISTED_MARGIN 32

static int unlisted_limit(void) {
  int highest = 0;
  for (int nr = 0; nr < CR_UNLISTED_SCAN; nr++) {
    char *name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, nr);
    if (name) highest = nr;
    free(name);
  }
  return highest + 1 + CR_UNLISTED_MARGIN;
}

/* (mask, value) of a comparison that is an equality on some bits: EQ, or
 * MASKED_EQ (libseccomp: datum_a the mask, datum_b the value). */
static bool equality_of(const struct scmp_arg_cmp *c, uint64_t *mask, uint64_t *value) {
  if (c->op == SCMP_CMP_EQ) {
    *mask = ~0ull;
    *value = c->datum_a;
    return true;
  }
  if (c->op == SCMP_CMP_MASKED_EQ) {
    *mask = c->datum_a;
    *value = c->datum_b;
    return true;
  }
  return false;
}

/* Whether no call can match both rules: some argument both compare for
 * equality, on bits where they want different values. Anything else
 * (ranges, NE, different arguments) may overlap. */
static bool provably_disjoint(const struct cr_cond_rule *a, const struct cr_cond_rule *b) {
  for (unsigned i = 0; i < a->n_args; i++) {
    for (unsigned j = 0; j < b->n_args; j++) {
      uint64_t ma, va, mb, vb;
      if (a->args[i].arg != b->args[j].arg || !equality_of(&a->args[i], &ma, &va) ||
          !equality_of(&b->args[j], &mb, &vb))
        continue;
      if ((va & ma & mb) != (vb & ma & mb)) return true;
    }
  }
  return false;
}

/* With the filter's default EPERM, a conditional EPERM rule equals the
 * default and is not added (libseccomp refuses it): its calls get EPERM by
 * falling through, which is the same only if no rule of another action
 * could match them first. A profile where that cannot be shown, or one of
 * several architectures (libseccomp cannot add a number another
 * architecture lacks), is compiled again with the profile's own default. */
static bool fallthrough_eperm_is_exact(const struct cr_profile *p) {
  if (p->extra_arches) return false;
  for (size_t k = 0; k < p->n_seen; k++) {
    const struct cr_seen_syscall *s = &p->seen[k];
    for (size_t i = 0; i < s->n_conds; i++) {
      if (s->conds[i].action != p->filter_default) continue;
      for (size_t j = 0; j < s->n_conds; j++)
        if (s->conds[j].action != p->filter_default && !provably_disjoint(&s->conds[i], &s->conds[j]))
          return false;
    }
  }
  return true;
}

static void add_unlisted_enosys(struct cr_profile *p) {
  if (p->filter_default == p->default_action) return;
  int limit = unlisted_limit();
  for (int nr = 0; nr < limit; nr++) {
    if (cr_find_seen(p, nr)) continue;
    int rc = seccomp_rule_add(p->filter, p->default_action, nr, 0);
    /* -EDOM: no such number on a further architecture of the filter, where
     * the call then gets the filter's default. */
    if (rc < 0 && rc != -EDOM) {
      cr_perr(p, "$.defaultAction", "libseccomp refused the ENOSYS rule of syscall %d: %s", nr,
              strerror(-rc));
      return;
    }
  }
}

/* ---- architectures / archMap ------------------------------------------- */

static int add_arch(struct cr_profile *p, const char *path, const struct cr_arch_name *arch) {
  uint32_t token = cr_arch_token(arch);
  if (!token) {
    const struct scmp_version *v = seccomp_version();
    return cr_perr(p, path, "%s is not supported by libseccomp %u.%u.%u", arch->oci, v->major, v->minor,
                   v->micro);
  }
  int rc = seccomp_arch_add(p->filter, token);
  if (rc < 0 && rc != -EEXIST) /* EEXIST: the native one, always present */
    return cr_perr(p, path, "libseccomp refused %s: %s", arch->oci, strerror(-rc));
  if (rc == 0) p->extra_arches++;
  return 0;
}

/* An array of OCI architecture names; added to the filter when `add`. */
static void arch_list(struct cr_profile *p, const char *path, const cJSON *list, bool add) {
  if (!cr_is_array(p, path, list)) return;
  int i = 0;
  for (const cJSON *it = list->child; it; it = it->next, i++) {
    char sub[CR_PATH_MAX];
    cr_path_index(sub, path, i);
    const char *name = cr_get_string(p, sub, it);
    const struct cr_arch_name *arch = name ? cr_arch_by_oci(name) : NULL;
    if (name && !arch)
      cr_perr(p, sub, "unknown architecture \"%s\"", name);
    else if (arch && add)
      add_arch(p, sub, arch);
  }
}

static const char *const arch_map_keys[] = {"architecture", "subArchitectures", NULL};

/* archMap (Docker): only the entry of the native architecture is used, and
 * brings in its sub-architectures; the others are only validated. */
static void arch_map(struct cr_profile *p, const cJSON *map) {
  if (!cr_is_array(p, "$.archMap", map)) return;
  int i = 0;
  for (const cJSON *entry = map->child; entry; entry = entry->next, i++) {
    char path[CR_PATH_MAX], sub[CR_PATH_MAX];
    cr_path_index(path, "$.archMap", i);
    if (!cr_is_object(p, path, entry)) continue;
    cr_check_keys(p, path, entry, arch_map_keys);
    cr_path_key(sub, path, "architecture");
    const cJSON *main_item = cr_member(entry, "architecture");
    const char *name = main_item ? cr_get_string(p, sub, main_item) : NULL;
    const struct cr_arch_name *arch = name ? cr_arch_by_oci(name) : NULL;
    if (!main_item)
      cr_perr(p, sub, "missing");
    else if (name && !arch)
      cr_perr(p, sub, "unknown architecture \"%s\"", name);
    bool native = arch && arch == p->native;
    if (native) add_arch(p, sub, arch);
    const cJSON *subs = cr_member(entry, "subArchitectures");
    cr_path_key(sub, path, "subArchitectures");
    if (subs) arch_list(p, sub, subs, native);
  }
}

static void add_architectures(struct cr_profile *p, const cJSON *root) {
  const cJSON *list = cr_member(root, "architectures"), *map = cr_member(root, "archMap");
  if (list && map) {
    cr_perr(p, "$.archMap", "give either \"architectures\" or \"archMap\", not both (as Docker)");
    return;
  }
  if (list) arch_list(p, "$.architectures", list, true);
  if (map) arch_map(p, map);
}

/* ---- flags, listener --------------------------------------------------- */

static void parse_flags(struct cr_profile *p, const cJSON *root) {
  const cJSON *flags = cr_member(root, "flags");
  if (!flags || !cr_is_array(p, "$.flags", flags)) return;
  int i = 0;
  for (const cJSON *it = flags->child; it; it = it->next, i++) {
    char sub[CR_PATH_MAX];
    cr_path_index(sub, "$.flags", i);
    const char *name = cr_get_string(p, sub, it);
    unsigned int flag;
    if (!name) continue;
    if (cr_filter_flag(name, &flag) < 0)
      cr_perr(p, sub, "unknown flag \"%s\"", name);
    else if (!cr_kernel_has_filter_flag(flag))
      cr_perr(p, sub, "%s is not supported by the running kernel", name);
    else
      p->flags |= flag;
  }
}

static void check_listener(struct cr_profile *p, const cJSON *root) {
  const cJSON *path = cr_member(root, "listenerPath"), *meta = cr_member(root, "listenerMetadata");
  const char *text = path ? cr_get_string(p, "$.listenerPath", path) : NULL;
  if (meta) cr_get_string(p, "$.listenerMetadata", meta);
  if (text && text[0]) cr_perr(p, "$.listenerPath", "an external seccomp agent is not supported");
}

/* ---- whole-profile checks ---------------------------------------------- */

/* Whether `name` can run without going through the notifier. */
static bool exec_bypasses(const struct cr_profile *p, const char *name) {
  int nr = seccomp_syscall_resolve_name(name);
  if (nr == __NR_SCMP_ERROR) return false;
  const struct cr_seen_syscall *s = cr_find_seen(p, nr);
  unsigned kinds = s ? s->kinds : (unsigned)p->default_kind;
  if (kinds & CR_ACT_NOTIFY) return false;
  return kinds & (CR_ACT_ALLOW | CR_ACT_LOG);
}

/* exec_once only means something if no exec can go around the notifier. */
static void check_exec_once(struct cr_profile *p) {
  if (!p->exec_once) {
    if (p->flags & SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV)
      cr_perr(p, "$.flags", "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV needs an SCMP_ACT_NOTIFY rule");
    return;
  }
  static const char *const execs[] = {"execve", "execveat"};
  for (size_t i = 0; i < CR_ARRAY_SIZE(execs); i++) {
    if (exec_bypasses(p, execs[i]))
      cr_perr(p, "$.syscalls",
              "exec is supervised (SCMP_ACT_NOTIFY) but %s is allowed: a "
              "second exec could go around the supervisor",
              execs[i]);
  }
  /* TSYNC together with a listener is only accepted with TSYNC_ESRCH. */
  if (p->flags & SECCOMP_FILTER_FLAG_TSYNC) p->flags |= SECCOMP_FILTER_FLAG_TSYNC_ESRCH;
}

/* The warning, as one line for the caller to log (and the cache to keep). */
static void warn_unknown(const struct cr_profile *p, char **warning) {
  if (p->n_unknown == 0) return;
  char *text = NULL;
  size_t size = 0;
  FILE *f = open_memstream(&text, &size);
  if (!f) return;
  fprintf(f, "%s: skipped %zu unknown syscall%s: ", p->where, p->n_unknown, p->n_unknown == 1 ? "" : "s");
  for (size_t i = 0; i < p->n_unknown; i++) fprintf(f, "%s%s", i ? ", " : "", p->unknown[i]);
  if (fclose(f) != 0) return;
  *warning = text;
}

/* ---- driver ------------------------------------------------------------ */

static int compile_root(struct cr_profile *p, const cJSON *root) {
  if (!cr_is_object(p, "$", root)) return -1;
  cr_check_keys(p, "$", root, top_keys);
  if (create_filter(p, root) < 0) return -1;
  add_architectures(p, root);
  parse_flags(p, root);
  check_listener(p, root);
  cr_add_syscalls(p, cr_member(root, "syscalls"));
  if (cr_jdiag_count(&p->diag) == 0 && p->filter_default != p->default_action &&
      !fallthrough_eperm_is_exact(p))
    return 1; /* again, with the profile's default */
  if (cr_jdiag_count(&p->diag) == 0) add_unlisted_enosys(p);
  if (cr_jdiag_count(&p->diag) == 0) check_exec_once(p);
  return cr_jdiag_any(&p->diag) ? -1 : 0;
}

/* What one pass built, so that a second can start afresh. */
static void release_pass(struct cr_profile *p) {
  if (p->filter) seccomp_release(p->filter);
  p->filter = NULL;
  for (size_t i = 0; i < p->n_seen; i++) free(p->seen[i].conds);
  free(p->seen);
  free(p->unknown);
  p->seen = NULL;
  p->unknown = NULL;
  p->n_seen = p->cap_seen = p->n_unknown = p->cap_unknown = 0;
  p->rules = 0;
  p->flags = 0;
  p->exec_once = false;
  p->extra_arches = 0;
}

static void profile_free(struct cr_profile *p) {
  release_pass(p);
  cr_bigints_free(&p->ints);
  cr_jdiag_free(&p->diag);
}

int cr_profile_compile(const char *json, const char *label, const char *where, const char *path_root,
                       uint64_t kept_caps, struct cr_bpf *out, struct cr_policy_stats *stats, char **warning,
                       cr_error **err) {
  struct cr_profile p = {
      .label = label, .where = where, .path_root = path_root, .err = err, .kept_caps = kept_caps};
  p.diag.root = strcmp(path_root, "$") == 0 ? NULL : path_root;
  int rc = -1;
  cJSON *root = NULL;
  if (cr_bigints_scan(json, &p.ints) < 0) {
    cr_fail(err, ENOMEM, p.where, "scanning numbers");
    goto done;
  }
  p.diag.ints = &p.ints;
  /* the same checks as a config's (depth, NUL, syntax, duplicate keys, UTF-8) */
  root = cr_json_parse(&p.diag, json, strlen(json), "policy");
  int pass = root && init_environment(&p) == 0 ? compile_root(&p, root) : -1;
  if (pass == 1) { /* the EPERM fall-through could change what the profile says */
    release_pass(&p);
    p.no_fallthrough_eperm = true;
    pass = compile_root(&p, root);
  }
  if (pass < 0) {
    if (cr_jdiag_any(&p.diag)) cr_jdiag_report(&p.diag, p.where, err);
    goto done;
  }
  if (cr_export_bpf(p.filter, p.where, out, err) < 0) goto done;
  out->exec_once = p.exec_once;
  out->filter_flags = p.flags;
  warn_unknown(&p, warning);
  if (stats)
    *stats = (struct cr_policy_stats){
        .rules = p.rules, .syscalls = p.n_seen, .skipped = p.n_unknown, .bpf_insns = out->len};
  rc = 0;
done:
  cJSON_Delete(root);
  profile_free(&p);
  return rc;
}
