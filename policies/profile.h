/* SPDX-License-Identifier: MIT */
/* State of one profile compilation, shared by profile.c (the top level),
 * rules.c (syscalls[]) and json.c (typed access with error paths). */
#ifndef CR_POLICIES_PROFILE_H
#define CR_POLICIES_PROFILE_H

#include <cjson/cJSON.h>

#include <seccomp.h>
#include <stdbool.h>
#include <stdint.h>
#include "cr/json.h"

#include "internal.h"

/* Room for a JSON path ("$.syscalls[123].includes.caps[4]" and the like). */
#define CR_PATH_MAX CR_JPATH_MAX

/* What the rules so far did to one syscall: libseccomp silently drops a
 * conditional rule when the syscall also has an unconditional one with
 * another action, and keeps the first of two unconditional rules, so such
 * combinations are found here and reported instead. */
/* One conditional rule of a syscall, kept to tell whether two of them can
 * match the same call (profile.c: the EPERM fall-through). */
struct cr_cond_rule {
  uint32_t action;
  unsigned n_args;
  struct scmp_arg_cmp args[6];
};

struct cr_seen_syscall {
  int nr;           /* native number, or libseccomp's pseudo number */
  const char *name; /* in the JSON tree */
  unsigned kinds;   /* cr_act_kind bits of every rule for it */
  bool has_uncond;
  uint32_t uncond_action;
  int uncond_rule; /* index in syscalls[] */
  bool has_cond;
  bool cond_mixed; /* conditional rules with different actions */
  uint32_t cond_action;
  int cond_rule;
  struct cr_cond_rule *conds; /* every conditional rule of it */
  size_t n_conds;
};

struct cr_profile {
  const char *label;
  const char *where;     /* names the profile in errors: "policy LABEL", or a config */
  const char *path_root; /* "$", or "$.seccomp" for a config's inline profile */
  cr_error **err;        /* errors of the environment (uname, libseccomp) */
  struct cr_jdiag diag;  /* errors of the profile, each with its JSON path */

  uint64_t kept_caps;
  unsigned kernel_major, kernel_minor;
  const struct cr_arch_name *native;
  struct cr_bigints ints; /* exact integers of the text (p->diag.ints points here) */

  scmp_filter_ctx filter;
  uint32_t default_action;   /* the profile's defaultAction */
  uint32_t filter_default;   /* the filter's: EPERM where the profile's is ENOSYS (profile.c) */
  bool no_fallthrough_eperm; /* the second pass: the filter's default is the profile's */
  unsigned extra_arches;     /* architectures added besides the native one */
  enum cr_act_kind default_kind;
  unsigned int flags;
  bool exec_once;
  size_t rules;

  struct cr_seen_syscall *seen;
  size_t n_seen, cap_seen;
  const char **unknown;
  size_t n_unknown, cap_unknown;
};

/* ---- json.c: typed access; each failure is reported with its path ------ */

/* Record one error line "PATH: WHAT" (p->diag: all are reported at the
 * end). Returns -1. */
int cr_perr(struct cr_profile *p, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* path + "." + key, or path + "[i]". */
void cr_path_key(char *out, const char *path, const char *key);
void cr_path_index(char *out, const char *path, int i);

/* Every key of `obj` must be in `allowed` (NULL-terminated), once. */
void cr_check_keys(struct cr_profile *p, const char *path, const cJSON *obj, const char *const *allowed);
/* The member `key`, NULL when absent or JSON null. */
const cJSON *cr_member(const cJSON *obj, const char *key);

const char *cr_get_string(struct cr_profile *p, const char *path, const cJSON *item);
int cr_get_uint(struct cr_profile *p, const char *path, const cJSON *item, uint64_t max, uint64_t *out);
bool cr_is_array(struct cr_profile *p, const char *path, const cJSON *item);
bool cr_is_object(struct cr_profile *p, const char *path, const cJSON *item);

/* ---- rules.c ----------------------------------------------------------- */

/* Parse an action name with its errno/trace value (`ret`, may be NULL). */
int cr_parse_action(struct cr_profile *p, const char *path, const cJSON *action, const char *ret_path,
                    const cJSON *ret, uint32_t *out, enum cr_act_kind *kind);
/* Add every entry of syscalls[] that applies. */
void cr_add_syscalls(struct cr_profile *p, const cJSON *syscalls);
/* The record of a syscall, NULL when no rule named it. */
const struct cr_seen_syscall *cr_find_seen(const struct cr_profile *p, int nr);

#endif
