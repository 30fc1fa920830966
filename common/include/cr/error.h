/* SPDX-License-Identifier: MIT */
/* One error convention for all of cleanroom (internal side of cr_error).
 *
 * A function that can fail takes a `cr_error **err` as its last argument and
 * returns -1 (or NULL) after storing an error with cr_fail(); on success it
 * returns 0 and leaves *err alone. The error travels up unchanged to exactly
 * one place (the CLI's main, or the embedding host) which shows it as
 *
 *     cleanroom: WHERE: WHAT[: strerror(errnum)]
 *
 * `what` may hold several lines (a config file with several errors); each is
 * shown as its own `cleanroom: WHERE: LINE`. The strings are allocated: no
 * message is ever cut short. */
#ifndef CR_ERROR_H
#define CR_ERROR_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#include "cleanroom/cleanroom.h"

struct cr_error {
  int errnum;    /* errno value, 0 when not a system error */
  char *where;   /* the step or file that failed */
  char *what;    /* what went wrong, one or more lines */
  char *message; /* cr_error_message(), made when first asked for */
};

/* Store a new error in *err (err may be NULL; an error already there is
 * replaced) and return -1. */
int cr_fail(cr_error **err, int errnum, const char *where, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
int cr_failv(cr_error **err, int errnum, const char *where, const char *fmt, va_list ap)
    __attribute__((format(printf, 4, 0)));

/* Append one more line to the error's `what` (config files report all
 * errors); makes an error without `where` when there is none. */
void cr_error_append(cr_error **err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Free *err and set it to NULL. */
void cr_error_clear(cr_error **err);

/* Print as `cleanroom: WHERE: WHAT[: strerror]`, one line per line of WHAT
 * (for the command line and tests; the library never prints). */
void cr_error_print(const cr_error *err, FILE *out);

/* The message on one line (lines of WHAT joined with "; "), malloc'd; NULL
 * on ENOMEM. */
char *cr_error_one_line(const cr_error *err);

#endif
