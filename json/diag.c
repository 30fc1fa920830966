/* SPDX-License-Identifier: MIT */
/* Error collection with JSON paths. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cr/json.h"

void cr_jdiag_oom(struct cr_jdiag *d) { d->oom = true; }

static bool grow(struct cr_jdiag *d) {
  if (d->n < d->cap) return true;
  size_t cap = d->cap ? d->cap * 2 : 8;
  char **lines = realloc(d->lines, cap * sizeof *lines);
  if (!lines) return false;
  d->lines = lines;
  d->cap = cap;
  return true;
}

void cr_jdiag_add(struct cr_jdiag *d, const char *path, const char *fmt, ...) {
  if (d->n >= CR_JSON_MAX_ERRORS) {
    d->dropped++;
    return;
  }
  char *msg = NULL, *line = NULL;
  va_list ap;
  va_start(ap, fmt);
  int n = vasprintf(&msg, fmt, ap);
  va_end(ap);
  /* paths are written from "$": a document nested in another shows its own place */
  const char *root = path[0] == '$' && d->root ? d->root : "";
  const char *rest = path[0] == '$' && d->root ? path + 1 : path;
  if (n < 0 || asprintf(&line, "%s%s: %s", root, rest, msg) < 0 || !grow(d)) {
    if (n >= 0) free(msg);
    cr_jdiag_oom(d);
    return;
  }
  free(msg);
  d->lines[d->n++] = line;
}

int cr_jdiag_report(const struct cr_jdiag *d, const char *where, cr_error **err) {
  if (!cr_jdiag_any(d)) return 0;
  if (d->oom) return cr_fail(err, ENOMEM, where, "out of memory");
  cr_fail(err, 0, where, "%s", "");
  for (size_t i = 0; i < d->n; i++) cr_error_append(err, "%s", d->lines[i]);
  if (d->dropped) cr_error_append(err, "... and %zu more errors", d->dropped);
  return -1;
}

void cr_jdiag_free(struct cr_jdiag *d) {
  for (size_t i = 0; i < d->n; i++) free(d->lines[i]);
  free(d->lines);
  const char *root = d->root;
  const struct cr_bigints *ints = d->ints;
  *d = (struct cr_jdiag){.root = root, .ints = ints};
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

/* Paths are built for every key parsed, errors or not: plain copies in the
 * common case. A path too long for the buffer ends in "..." (never cut
 * silently). */
static void concat(struct cr_jpath *p, const char *parent, const char *sep, const char *tail,
                   const char *end) {
  size_t lp = strlen(parent), ls = strlen(sep), lt = strlen(tail), le = strlen(end);
  if (lp + ls + lt + le < sizeof p->s) {
    memcpy(p->s, parent, lp);
    memcpy(p->s + lp, sep, ls);
    memcpy(p->s + lp + ls, tail, lt);
    memcpy(p->s + lp + ls + lt, end, le + 1);
    return;
  }
  snprintf(p->s, sizeof p->s - 3, "%s%s%s%s", parent, sep, tail, end);
  strcat(p->s, "...");
}

struct cr_jpath cr_jpath_key(const char *parent, const char *key) {
  struct cr_jpath p;
  if (is_identifier(key))
    concat(&p, parent, ".", key, "");
  else
    concat(&p, parent, "[\"", cr_jquote(key).s, "\"]");
  return p;
}

struct cr_jpath cr_jpath_index(const char *parent, size_t index) {
  struct cr_jpath p;
  char digits[24];
  size_t n = sizeof digits - 1;
  digits[n] = '\0';
  do digits[--n] = (char)('0' + index % 10);
  while ((index /= 10) && n);
  concat(&p, parent, "[", digits + n, "]");
  return p;
}

struct cr_quoted cr_jquote(const char *s) {
  struct cr_quoted q;
  size_t n = 0, limit = sizeof q.s - 8;
  bool escape_high = !cr_utf8_valid(s); /* never echo broken UTF-8 to a terminal */
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
