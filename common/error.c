/* SPDX-License-Identifier: MIT */
#include "cr/error.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* What an error is when there was no memory to describe it. */
static struct cr_error out_of_memory = {.errnum = ENOMEM,
                                        .where = "cleanroom",
                                        .what = "out of memory",
                                        .message = "cleanroom: out of memory: Cannot allocate memory"};

static void free_error(cr_error *e) {
  if (!e || e == &out_of_memory) return;
  free(e->where);
  free(e->what);
  free(e->message);
  free(e);
}

void cr_error_free(cr_error *err) { free_error(err); }

cr_error *cr_error_new(int errnum, const char *where, const char *what) {
  cr_error *e = NULL;
  cr_fail(&e, errnum, where, "%s", what ? what : "");
  return e;
}

void cr_error_clear(cr_error **err) {
  if (!err) return;
  free_error(*err);
  *err = NULL;
}

int cr_failv(cr_error **err, int errnum, const char *where, const char *fmt, va_list ap) {
  if (!err) return -1;
  cr_error *e = calloc(1, sizeof *e);
  if (e) {
    e->errnum = errnum;
    e->where = strdup(where ? where : "");
    if (vasprintf(&e->what, fmt, ap) < 0) e->what = NULL;
  }
  free_error(*err);
  if (!e || !e->where || !e->what) {
    free_error(e);
    *err = &out_of_memory;
  } else {
    *err = e;
  }
  return -1;
}

int cr_fail(cr_error **err, int errnum, const char *where, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  cr_failv(err, errnum, where, fmt, ap);
  va_end(ap);
  return -1;
}

void cr_error_append(cr_error **err, const char *fmt, ...) {
  if (!err) return;
  if (!*err) cr_fail(err, 0, "", "%s", "");
  cr_error *e = *err;
  if (e == &out_of_memory) return;
  char *line = NULL;
  va_list ap;
  va_start(ap, fmt);
  int n = vasprintf(&line, fmt, ap);
  va_end(ap);
  char *joined = NULL;
  if (n < 0 || asprintf(&joined, "%s%s%s", e->what, e->what[0] ? "\n" : "", line) < 0) {
    free(n < 0 ? NULL : line);
    free_error(e);
    *err = &out_of_memory;
    return;
  }
  free(line);
  free(e->what);
  e->what = joined;
  free(e->message);
  e->message = NULL;
}

/* WHERE: LINE for each line of WHAT, joined with `sep`; strerror after the
 * last one. */
static char *format(const cr_error *e, const char *sep) {
  size_t size = 0;
  char *out = NULL;
  FILE *f = open_memstream(&out, &size);
  if (!f) return NULL;
  const char *line = e->what;
  do {
    const char *end = strchr(line, '\n');
    int len = end ? (int)(end - line) : (int)strlen(line);
    fprintf(f, "%s%s%s%.*s", line == e->what ? "" : sep, e->where, e->where[0] ? ": " : "", len, line);
    if (e->errnum && !end) fprintf(f, ": %s", strerror(e->errnum));
    line = end ? end + 1 : NULL;
  } while (line);
  if (fclose(f) != 0) {
    free(out);
    return NULL;
  }
  return out;
}

const char *cr_error_message(const cr_error *err) {
  if (!err) return "no error";
  cr_error *e = (cr_error *)err; /* made once, on demand */
  if (!e->message) e->message = format(e, "\n");
  return e->message ? e->message : "out of memory";
}

const char *cr_error_where(const cr_error *err) { return err ? err->where : ""; }
const char *cr_error_what(const cr_error *err) { return err ? err->what : ""; }
int cr_error_errno(const cr_error *err) { return err ? err->errnum : 0; }

char *cr_error_one_line(const cr_error *err) { return err ? format(err, "; ") : strdup(""); }

void cr_error_print(const cr_error *err, FILE *out) {
  if (!err) return;
  const char *msg = cr_error_message(err);
  for (const char *line = msg; line;) {
    const char *end = strchr(line, '\n');
    fprintf(out, "cleanroom: %.*s\n", end ? (int)(end - line) : (int)strlen(line), line);
    line = end ? end + 1 : NULL;
  }
}
