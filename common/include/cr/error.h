/* One error convention for all of cleanroom.
 *
 * A function that can fail takes a `cr_error *err` as its last argument and
 * returns -1 (or NULL) after filling it with cr_fail(); on success it returns
 * 0 and leaves `err` untouched. The error travels up unchanged to exactly one
 * place (the CLI's main, or the embedding host) which prints it as
 *
 *     cleanroom: WHERE: WHAT[: strerror(errnum)]
 *
 * `what` may hold several lines (a config file with several errors); each is
 * printed as its own `cleanroom: WHERE: LINE`. */
#ifndef CR_ERROR_H
#define CR_ERROR_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#define CR_ERROR_WHERE_MAX 256
#define CR_ERROR_WHAT_MAX 8192

typedef struct cr_error {
  int errnum;                      /* errno value, 0 when not a system error */
  char where[CR_ERROR_WHERE_MAX];  /* the step or file that failed */
  char what[CR_ERROR_WHAT_MAX];    /* what went wrong, one or more lines */
} cr_error;

/* Fill `err` (may be NULL) and return -1. */
int cr_fail(cr_error *err, int errnum, const char *where, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
int cr_failv(cr_error *err, int errnum, const char *where, const char *fmt, va_list ap)
    __attribute__((format(printf, 4, 0)));

/* Append one more line to an error's `what` (config files report all errors). */
void cr_error_append(cr_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* True when `err` holds an error. */
static inline int cr_error_is_set(const cr_error *err) { return err->where[0] || err->what[0]; }
void cr_error_clear(cr_error *err);

/* Print as `cleanroom: WHERE: WHAT[: strerror]`, one line per line of WHAT. */
void cr_error_print(const cr_error *err, FILE *out);

/* Format into `buf` as one line (lines of WHAT joined with "; "). */
void cr_error_format(const cr_error *err, char *buf, size_t size);

#endif
