/* SPDX-License-Identifier: MIT */
#include "cr/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

void cr_log(const struct cr_log *log, int level, const char *fmt, ...) {
  if (!log || !log->fn) return;
  char *line = NULL;
  va_list ap;
  va_start(ap, fmt);
  int n = vasprintf(&line, fmt, ap);
  va_end(ap);
  if (n < 0) return;
  log->fn(log->data, level, line);
  free(line);
}
