/* SPDX-License-Identifier: MIT */
/* Internal interfaces of policies/: the profile walk (profile.c), the name
 * tables and kernel probes (tables.c), exact 64-bit JSON integers
 * and the BPF export (export.c); exact 64-bit integers come from json/ (cr/json.h). */
#ifndef CR_POLICIES_INTERNAL_H
#define CR_POLICIES_INTERNAL_H

#include <seccomp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cr/error.h"
#include "cr/json.h"
#include "cr/log.h"
#include "cr/policy.h"

/* ---- tables.c ---------------------------------------------------------- */

/* Kinds of action, as bits so a set of them fits one unsigned. */
enum cr_act_kind {
  CR_ACT_ALLOW = 1u << 0,
  CR_ACT_ERRNO = 1u << 1,
  CR_ACT_KILL_THREAD = 1u << 2,
  CR_ACT_KILL_PROCESS = 1u << 3,
  CR_ACT_TRAP = 1u << 4,
  CR_ACT_LOG = 1u << 5,
  CR_ACT_TRACE = 1u << 6,
  CR_ACT_NOTIFY = 1u << 7,
};

/* Look up "SCMP_ACT_*"; returns 0 and fills kind when known. */
int cr_action_kind(const char *name, enum cr_act_kind *kind);
/* The libseccomp action for a kind; `data` is the errno / trace message. */
uint32_t cr_action_value(enum cr_act_kind kind, uint16_t data);
/* True when the running kernel implements the action (SECCOMP_GET_ACTION_AVAIL). */
bool cr_kernel_has_action(uint32_t action);

/* Look up "SCMP_CMP_*"; returns 0 and fills op when known. */
int cr_compare_op(const char *name, enum scmp_compare *op);

/* Architectures: OCI ("SCMP_ARCH_X86_64"), libseccomp ("x86_64") and Go
 * ("amd64") spellings. */
struct cr_arch_name {
  const char *oci;
  const char *libseccomp;
  const char *go; /* NULL when Go has no such GOARCH */
};
/* The entry for an OCI name ("SCMP_ARCH_*"), NULL when unknown. */
const struct cr_arch_name *cr_arch_by_oci(const char *name);
/* The entry for any of the three spellings (includes/excludes "arches"). */
const struct cr_arch_name *cr_arch_by_any(const char *name);
/* The libseccomp token of an entry; 0 when this libseccomp lacks it. */
uint32_t cr_arch_token(const struct cr_arch_name *arch);
/* The libseccomp name of a token (an AUDIT_ARCH_* value), NULL when unknown. */
const char *cr_arch_name_of_token(uint32_t token);
/* The entry of the architecture we run on, NULL if the table lacks it. */
const struct cr_arch_name *cr_arch_native(void);

/* Look up "SECCOMP_FILTER_FLAG_*"; returns 0 and fills flag when known. */
int cr_filter_flag(const char *name, unsigned int *flag);
/* True when the running kernel accepts the flag for SECCOMP_SET_MODE_FILTER. */
bool cr_kernel_has_filter_flag(unsigned int flag);

/* ---- profile.c --------------------------------------------------------- */

/* Parse and compile one profile (NUL-terminated JSON text). `label` names it
 * in errors and warnings (a path, "default", "inline"). */
/* `where` names it in errors, whose JSON paths start at `path_root` ("$",
 * or "$.seccomp" for a config's inline profile); *warning gets the text of
 * the unknown-syscalls warning, if any (nothing is printed). */
int cr_profile_compile(const char *json, const char *label, const char *where, const char *path_root,
                       uint64_t kept_caps, struct cr_bpf *out, struct cr_policy_stats *stats, char **warning,
                       cr_error **err);

/* ---- cache.c ------------------------------------------------------------ */

#define CR_SHA256_SIZE 32

void cr_sha256(const void *data, size_t len, uint8_t out[CR_SHA256_SIZE]);

/* What a compiled program is looked up by: the profile text (by its
 * SHA-256 and length) and the kept capabilities. */
struct cr_cache_input {
  uint8_t text_sha256[CR_SHA256_SIZE];
  uint64_t text_len;
  uint64_t kept_caps;
};

/* The on-disk cache of compiled programs in folder `dir`. load returns 1
 * on a hit (with the warning the compile gave in *warning), 0 on a miss;
 * store is best-effort. An untrusted folder is said once, through `log`. */
int cr_policy_cache_load(const char *dir, const struct cr_log *log, const struct cr_cache_input *in,
                         struct cr_bpf *out, char **warning);
void cr_policy_cache_store(const char *dir, const struct cr_log *log, const struct cr_cache_input *in,
                           const struct cr_bpf *bpf, const char *warning);

/* ---- export.c ---------------------------------------------------------- */

/* The classic BPF program libseccomp generates for `filter`. */
int cr_export_bpf(scmp_filter_ctx filter, const char *where, struct cr_bpf *out, cr_error **err);

#endif
