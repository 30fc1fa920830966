/* Error collection with JSON paths. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

void diag_oom(struct diag *d) { d->oom = true; }

static bool diag_grow(struct diag *d) {
  if (d->n < d->cap) return true;
  size_t cap = d->cap ? d->cap * 2 : 8;
  char **lines = realloc(d->lines, cap * sizeof *lines);
  if (!lines) return false;
  d->lines = lines;
  d->cap = cap;
  return true;
}

void diag_add(struct diag *d, const char *path, const char *fmt, ...) {
  if (d->n >= CR_CONFIG_MAX_ERRORS) {
    d->dropped++;
    return;
  }
  char msg[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  char *line = NULL;
  if (asprintf(&line, "%s: %s", path, msg) < 0) {
    diag_oom(d);
    return;
  }
  if (!diag_grow(d)) {
    free(line);
    diag_oom(d);
    return;
  }
  d->lines[d->n++] = line;
}

int diag_report(const struct diag *d, const char *where, cr_error *err) {
  if (!diag_any(d)) return 0;
  if (d->oom) return cr_fail(err, ENOMEM, where, "cannot load config");
  cr_fail(err, 0, where, "%s", "");
  for (size_t i = 0; i < d->n; i++) cr_error_append(err, "%s", d->lines[i]);
  if (d->dropped) cr_error_append(err, "... and %zu more errors", d->dropped);
  return -1;
}

void diag_free(struct diag *d) {
  for (size_t i = 0; i < d->n; i++) free(d->lines[i]);
  free(d->lines);
  *d = (struct diag){0};
}

/* Keys that are plain identifiers print as .key, others as ["key"]. */
static bool is_identifier(const char *s) {
  if (!*s || (*s >= '0' && *s <= '9')) return false;
  for (; *s; s++) {
    char c = *s;
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'))
      return false;
  }
  return true;
}

/* Paths are built for every key parsed, errors or not: plain copies, not
 * snprintf, in the common case. */
static bool jpath_concat(struct jpath *p, const char *parent, const char *sep, const char *tail,
                         const char *end) {
  size_t lp = strlen(parent), ls = strlen(sep), lt = strlen(tail), le = strlen(end);
  if (lp + ls + lt + le >= sizeof p->s) return false;
  memcpy(p->s, parent, lp);
  memcpy(p->s + lp, sep, ls);
  memcpy(p->s + lp + ls, tail, lt);
  memcpy(p->s + lp + ls + lt, end, le + 1);
  return true;
}

struct jpath jpath_key(const char *parent, const char *key) {
  struct jpath p;
  if (is_identifier(key)) {
    if (!jpath_concat(&p, parent, ".", key, ""))
      snprintf(p.s, sizeof p.s, "%s.%s", parent, key);
  } else {
    snprintf(p.s, sizeof p.s, "%s[\"%s\"]", parent, quote(key).s);
  }
  return p;
}

struct jpath jpath_index(const char *parent, size_t index) {
  struct jpath p;
  char digits[24];
  size_t n = sizeof digits - 1;
  digits[n] = '\0';
  do digits[--n] = (char)('0' + index % 10);
  while ((index /= 10) && n);
  if (!jpath_concat(&p, parent, "[", digits + n, "]"))
    snprintf(p.s, sizeof p.s, "%s[%s]", parent, digits + n);
  return p;
}

struct quoted quote(const char *s) {
  struct quoted q;
  size_t n = 0, limit = sizeof q.s - 8;
  bool escape_high = !utf8_valid(s);  /* never echo broken UTF-8 to a terminal */
  for (; *s && n < limit; s++) {
    unsigned char c = (unsigned char)*s;
    if (c == '"' || c == '\\')
      n += (size_t)snprintf(q.s + n, sizeof q.s - n, "\\%c", c);
    else if (c < 0x20 || c == 0x7f || (c >= 0x80 && escape_high))
      n += (size_t)snprintf(q.s + n, sizeof q.s - n, "\\x%02x", c);
    else
      q.s[n++] = (char)c;
  }
  if (*s) {
    memcpy(q.s + n, "...", 3);
    n += 3;
  }
  q.s[n] = '\0';
  return q;
}
