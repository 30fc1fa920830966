#include "cr/error.h"

#include <errno.h>
#include <string.h>

int cr_failv(cr_error *err, int errnum, const char *where, const char *fmt, va_list ap) {
  if (!err) return -1;
  err->errnum = errnum;
  snprintf(err->where, sizeof err->where, "%s", where ? where : "");
  vsnprintf(err->what, sizeof err->what, fmt, ap);
  return -1;
}

int cr_fail(cr_error *err, int errnum, const char *where, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  cr_failv(err, errnum, where, fmt, ap);
  va_end(ap);
  return -1;
}

void cr_error_append(cr_error *err, const char *fmt, ...) {
  if (!err) return;
  size_t used = strlen(err->what);
  if (used + 2 >= sizeof err->what) return;
  if (used) err->what[used++] = '\n';
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err->what + used, sizeof err->what - used, fmt, ap);
  va_end(ap);
}

void cr_error_clear(cr_error *err) {
  err->errnum = 0;
  err->where[0] = '\0';
  err->what[0] = '\0';
}

void cr_error_print(const cr_error *err, FILE *out) {
  const char *line = err->what;
  do {
    const char *end = strchr(line, '\n');
    int len = end ? (int)(end - line) : (int)strlen(line);
    fprintf(out, "cleanroom: %s%s%.*s", err->where, err->where[0] ? ": " : "", len, line);
    if (err->errnum && !end) fprintf(out, ": %s", strerror(err->errnum));
    fputc('\n', out);
    line = end ? end + 1 : NULL;
  } while (line);
}

void cr_error_format(const cr_error *err, char *buf, size_t size) {
  size_t n = (size_t)snprintf(buf, size, "%s%s", err->where, err->where[0] ? ": " : "");
  for (const char *p = err->what; *p && n + 3 < size; p++) {
    if (*p == '\n') {
      buf[n++] = ';';
      buf[n++] = ' ';
    } else {
      buf[n++] = *p;
    }
  }
  if (n < size) buf[n] = '\0';
  if (err->errnum && n < size) snprintf(buf + n, size - n, ": %s", strerror(err->errnum));
}
