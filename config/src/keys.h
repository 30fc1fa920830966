/* SPDX-License-Identifier: MIT */
/* The names the config parser knows: object keys and enumerated values.
 * Shared with tests/config/test_schema_parity.c, which checks them against
 * config/schema.json in both directions. */
#ifndef CR_CONFIG_KEYS_H
#define CR_CONFIG_KEYS_H

#include <stdbool.h>
#include <stddef.h>

enum cr_keyset_id {
  /* object keys */
  CR_KEYS_ROOT,
  CR_KEYS_PROCESS,
  CR_KEYS_FS_BIND,
  CR_KEYS_FS_TMPFS,
  CR_KEYS_FS_PROC,
  CR_KEYS_FS_DEV,
  CR_KEYS_FS_SYMLINK,
  CR_KEYS_FS_FILE,
  CR_KEYS_FD,
  CR_KEYS_LIMITS,
  CR_KEYS_RLIMITS,     /* the keys of limits.rlimits */
  CR_KEYS_RLIMIT_PAIR, /* {"soft": ..., "hard": ...} */
  /* enumerated string values */
  CR_ENUM_NAMESPACE,
  CR_ENUM_FS_TYPE, /* index = enum cr_fs_type; schema: $defs/fs_<type> with "type": {"const"} */
  CR_ENUM_SECCOMP_BUILTIN,
  CR_ENUM_NETWORK,    /* index = enum cr_network */
  CR_ENUM_LIMIT_NAME, /* bit (1 << index) = enum cr_limit_kind */
  CR_ENUM_FD_MODE,
  CR_KEYSET_COUNT
};

struct cr_keyset {
  const char *schema_def; /* "$defs" entry in schema.json; "" = the schema's root */
  bool is_enum;           /* names are the def's "enum" rather than its "properties" */
  const char *const *names;
  size_t n;
};

extern const struct cr_keyset cr_config_keysets[CR_KEYSET_COUNT];

/* Shorthand for (names, n) arguments. */
#define CR_KEYS(id) cr_config_keysets[id].names, cr_config_keysets[id].n

/* Parallel to CR_ENUM_NAMESPACE: the cr_namespace bit of each name. */
extern const unsigned cr_namespace_bits[];
/* Parallel to CR_KEYS_RLIMITS: the RLIMIT_* resource of each name. */
extern const int cr_rlimit_resources[];
/* Parallel to CR_ENUM_FD_MODE: the open(2) flags of each mode. */
extern const int cr_fd_mode_flags[];

#endif
