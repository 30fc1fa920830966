/* SPDX-License-Identifier: MIT */
/* What code after clone must not do (ctest child_symbols_catches): look up a
 * user (NSS: locks, files, maybe a socket) and allocate. */
#include <pwd.h>
#include <stdlib.h>

void *cr_child_symbols_bad(void);

void *cr_child_symbols_bad(void) { return getpwnam("nobody") ? malloc(1) : NULL; }
