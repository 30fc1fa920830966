/* SPDX-License-Identifier: MIT */
/* Internal to launcher/: an ordinary caller's subordinate ids (subids.c). */
#ifndef CR_LAUNCHER_SUBIDS_H
#define CR_LAUNCHER_SUBIDS_H

#include <stdbool.h>
#include <sys/types.h>

#include "cr/error.h"

struct cr_plan;

/* Write the id maps of `pid` with newuidmap/newgidmap when the caller is
 * an ordinary user that /etc/subuid and /etc/subgid grant ids to; *written
 * tells whether they did (else the caller maps its own ids only). */
int cr_subids_write_maps(const struct cr_plan *plan, pid_t pid, bool *written, cr_error **err);

#endif
