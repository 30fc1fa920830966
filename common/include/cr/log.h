/* SPDX-License-Identifier: MIT */
/* Diagnostics of the library: they go to the log function the host set in
 * cr_options (cr_options_set_log), nowhere by default. */
#ifndef CR_LOG_H
#define CR_LOG_H

#include "cleanroom/cleanroom.h"

struct cr_log {
  cr_log_fn fn; /* NULL: diagnostics go nowhere */
  void *data;
};

/* One line (no "cleanroom: ", no newline) at `level` (enum cr_log_level). */
void cr_log(const struct cr_log *log, int level, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
#define cr_warn(log, ...) cr_log(log, CR_LOG_WARNING, __VA_ARGS__)

#endif
