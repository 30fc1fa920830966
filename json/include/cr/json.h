/* SPDX-License-Identifier: MIT */
/* The JSON diagnostics toolkit of config/ and policies/: reading a JSON
 * document (cJSON) so that every problem is reported at once, each with the
 * JSON path of the offending value ("$.filesystem[2].source: ...") and, for
 * a misspelt key, the closest valid one.
 *
 *   cr_json_parse       text -> tree, after the checks cJSON does not make
 *                       (nesting depth, NUL, syntax errors as line and
 *                       column, duplicate keys, UTF-8)
 *   cr_jget_*           typed access: "expected an array, got a string"
 *   cr_jcheck_keys      unknown keys, with a suggestion or the valid ones
 *   struct cr_jdiag     the collected lines, reported as one cr_error
 *   cr_bigints          exact 64-bit integers (cJSON keeps doubles) */
#ifndef CR_JSON_H
#define CR_JSON_H

#include <cjson/cJSON.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cr/error.h"

#define CR_JSON_MAX_DEPTH 64  /* deeper nesting is refused */
#define CR_JSON_MAX_ERRORS 50 /* lines reported; the rest are counted */
#define CR_JPATH_MAX 512
#define CR_JSON_MAX_EXACT 9007199254740991ULL /* 2^53-1: larger JSON numbers are inexact doubles */

/* ---- exact big integers (bigint.c) ---------------------------------------- */

/* The integer literals of a text above 2^53, so that a parsed double can be
 * mapped back to the exact value written. */
struct cr_bigints {
  uint64_t *values;
  size_t n;
};
int cr_bigints_scan(const char *text, struct cr_bigints *out);
void cr_bigints_free(struct cr_bigints *ints);
/* The exact uint64 the text meant by `d`: 0 on success, -1 when d is
 * negative, not an integer, >= 2^64, or ambiguous (two literals round to d). */
int cr_bigints_resolve(const struct cr_bigints *ints, double d, uint64_t *out);
/* Number nodes of `tree` that stand for one of `ints` become raw nodes with
 * the exact digits, so that printing the tree keeps them exact. */
int cr_json_exact_numbers(cJSON *tree, const struct cr_bigints *ints);

/* ---- diagnostics (diag.c) ------------------------------------------------- */

struct cr_jdiag {
  char **lines; /* "$.path: message" */
  size_t n, cap;
  size_t dropped; /* errors beyond CR_JSON_MAX_ERRORS */
  bool oom;
  const char *root; /* paths are written from "$"; shown from here (e.g. "$.seccomp"), NULL = "$" */
  const struct cr_bigints *ints; /* exact integers of the text, NULL = none beyond 2^53 */
};

void cr_jdiag_add(struct cr_jdiag *d, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void cr_jdiag_oom(struct cr_jdiag *d);
static inline bool cr_jdiag_any(const struct cr_jdiag *d) { return d->n || d->dropped || d->oom; }
static inline size_t cr_jdiag_count(const struct cr_jdiag *d) { return d->n + d->dropped; }
/* The collected lines as one error: WHERE, then a line each; -1 if any. */
int cr_jdiag_report(const struct cr_jdiag *d, const char *where, cr_error **err);
void cr_jdiag_free(struct cr_jdiag *d);

/* A JSON path such as $.filesystem[2].source, built on the stack. Keys that
 * are not plain identifiers print as ["key"]. */
struct cr_jpath {
  char s[CR_JPATH_MAX];
};
struct cr_jpath cr_jpath_key(const char *parent, const char *key);
struct cr_jpath cr_jpath_index(const char *parent, size_t index);

/* A user string made safe to quote in a message (control bytes and broken
 * UTF-8 escaped). Room for a whole path: a file name in an error is only
 * useful whole; a longer string (not a path, then) ends in "...". */
struct cr_quoted {
  char s[PATH_MAX + 64];
};
struct cr_quoted cr_jquote(const char *s);

/* ---- parsing a document (check.c) ------------------------------------------ */

/* Text -> tree after the raw-text checks; NULL (reported) when it cannot
 * be parsed. The tree checks (duplicate keys, UTF-8) are reported too, but
 * the tree is still returned. `what` names the document in messages
 * ("config", "policy"). */
cJSON *cr_json_parse(struct cr_jdiag *d, const char *text, size_t len, const char *what);
/* Duplicate keys and invalid UTF-8 anywhere in the tree. */
void cr_json_check_tree(struct cr_jdiag *d, const cJSON *item, const char *path, int depth);

/* ---- typed access (get.c): report "$.path: expected ..., got ..." and return false ---- */

const char *cr_json_type_name(const cJSON *item);
/* The member `key`, NULL when absent (or JSON null when null_is_absent). */
const cJSON *cr_jmember(const cJSON *obj, const char *key, bool null_is_absent);
bool cr_jget_object(struct cr_jdiag *d, const cJSON *item, const char *path);
bool cr_jget_array(struct cr_jdiag *d, const cJSON *item, const char *path);
bool cr_jget_string(struct cr_jdiag *d, const cJSON *item, const char *path, const char **out);
bool cr_jget_bool(struct cr_jdiag *d, const cJSON *item, const char *path, bool *out);
/* An exact integer from min to max (d->ints makes those above 2^53 exact). */
bool cr_jget_uint(struct cr_jdiag *d, const cJSON *item, const char *path, uint64_t min, uint64_t max,
                  uint64_t *out);
bool cr_jget_int(struct cr_jdiag *d, const cJSON *item, const char *path, int64_t min, int64_t max,
                 int64_t *out);
/* An exact non-negative integer <= max (no report). */
bool cr_json_uint(const cJSON *item, uint64_t max, uint64_t *out);

/* Each key of `obj` must be one of `keys`: "unknown key (did you mean
 * \"x\"?)" or "unknown key (valid keys: ...)". */
void cr_jcheck_keys(struct cr_jdiag *d, const cJSON *obj, const char *path, const char *const *keys,
                    size_t n_keys);
/* A missing required key: "$.path.key: required (what)". */
void cr_jrequire_key(struct cr_jdiag *d, const cJSON *obj, const char *path, const char *key,
                     const char *what);
/* The closest of `cands` to `word` when close enough to be a likely typo. */
const char *cr_jsuggest(const char *word, const char *const *cands, size_t n);
/* Index of `s` in `names`, -1 if absent. */
int cr_jname_index(const char *s, const char *const *names, size_t n);
bool cr_utf8_valid(const char *s);

#endif
