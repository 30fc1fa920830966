/* SPDX-License-Identifier: MIT */
/* Internal to launcher/: the sandbox's host identity and host paths opened
 * with it (identity.c says why). */
#ifndef CR_LAUNCHER_IDENTITY_H
#define CR_LAUNCHER_IDENTITY_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "cr/config.h"
#include "cr/error.h"

struct cr_identity {
  bool switched; /* a root caller: the sandbox has other ids than the caller */
  uid_t uid;     /* host ids of the sandbox's processes */
  gid_t gid;
};

struct cr_identity_saved {
  bool active;
  uid_t fsuid;
  gid_t fsgid;
  gid_t *groups;
  size_t n_groups;
};

int cr_identity_of(const struct cr_config *cfg, struct cr_identity *id, cr_error **err);
/* "as uid N (...)", for error messages. */
void cr_identity_describe(const struct cr_identity *id, char *buf, size_t size);

/* Make the calling thread's filesystem access that of `id` until leave. */
int cr_identity_enter(const struct cr_identity *id, struct cr_identity_saved *saved, cr_error **err);
void cr_identity_leave(struct cr_identity_saved *saved);

/* openat2 without magic links (close-on-exec, no controlling tty). */
int cr_open_no_magiclinks(int dirfd, const char *path, int flags, mode_t mode);

/* Open a host path the config names, with the rights of `id`; the error
 * names the path, the identity and why. */
int cr_open_as(const struct cr_identity *id, const char *path, int flags, mode_t mode, const char *where,
               cr_error **err);

#endif
