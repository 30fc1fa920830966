/* SPDX-License-Identifier: MIT */
/* Exact 64-bit integers from JSON text. cJSON rounds every number to a
 * double, so a mask such as 18446744069414584321 would silently become
 * another value. The integer literals above 2^53 are collected from the text
 * (outside strings) and matched back to the doubles cJSON produced. */
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cr/json.h"

#define EXACT_LIMIT 9007199254740992.0      /* 2^53: every integer below is exact */
#define UINT64_LIMIT 18446744073709551616.0 /* 2^64 */

static const char *skip_string(const char *p) {
  for (p++; *p && *p != '"'; p++) {
    if (*p == '\\' && p[1]) p++;
  }
  return *p ? p + 1 : p;
}

/* Length of the number token at p, and whether it is a plain integer. */
static size_t number_token(const char *p, bool *plain) {
  size_t n = 0;
  *plain = true;
  while (p[n] && (isdigit((unsigned char)p[n]) || strchr("+-.eE", p[n]))) {
    if (!isdigit((unsigned char)p[n])) *plain = false;
    n++;
  }
  return n;
}

static int push(struct cr_bigints *ints, size_t *cap, uint64_t v) {
  if (ints->n == *cap) {
    size_t ncap = *cap ? *cap * 2 : 8;
    uint64_t *nv = realloc(ints->values, ncap * sizeof *nv);
    if (!nv) return -1;
    ints->values = nv;
    *cap = ncap;
  }
  ints->values[ints->n++] = v;
  return 0;
}

/* Literals too large for uint64 are left out: their double is >= 2^64 and
 * resolves to an error anyway. */
static int keep_if_big(struct cr_bigints *ints, size_t *cap, const char *tok, size_t len) {
  if (len < 16) return 0; /* < 10^15 < 2^53: exact as a double */
  char buf[32];
  if (len >= sizeof buf) return 0;
  memcpy(buf, tok, len);
  buf[len] = '\0';
  errno = 0;
  unsigned long long v = strtoull(buf, NULL, 10);
  if (errno == ERANGE) return 0;
  return (double)v >= EXACT_LIMIT ? push(ints, cap, v) : 0;
}

int cr_bigints_scan(const char *text, struct cr_bigints *out) {
  size_t cap = 0;
  out->values = NULL;
  out->n = 0;
  const char *p = text;
  while (*p) {
    if (*p == '"') {
      p = skip_string(p);
    } else if (isdigit((unsigned char)*p) || *p == '-') {
      bool plain;
      size_t len = number_token(p, &plain);
      if (plain && keep_if_big(out, &cap, p, len) < 0) {
        cr_bigints_free(out);
        return -1;
      }
      p += len ? len : 1;
    } else {
      p++;
    }
  }
  return 0;
}

void cr_bigints_free(struct cr_bigints *ints) {
  free(ints->values);
  ints->values = NULL;
  ints->n = 0;
}

int cr_bigints_resolve(const struct cr_bigints *ints, double d, uint64_t *out) {
  if (!(d >= 0)) return -1; /* negative or NaN */
  static const struct cr_bigints none = {NULL, 0};
  if (!ints) ints = &none;
  if (d < EXACT_LIMIT) {
    if (d != (double)(uint64_t)d) return -1; /* a fraction */
    *out = (uint64_t)d;
    return 0;
  }
  bool found = false;
  uint64_t match = 0;
  for (size_t i = 0; i < ints->n; i++) {
    if ((double)ints->values[i] != d) continue;
    if (found && ints->values[i] != match) return -1; /* two literals, one double */
    found = true;
    match = ints->values[i];
  }
  if (found) {
    *out = match;
    return 0;
  }
  /* Written in another form (an exponent): take the double's value, which
   * above 2^53 is always an integer. */
  if (d >= UINT64_LIMIT) return -1; /* also infinity */
  *out = (uint64_t)d;
  return 0;
}

int cr_json_exact_numbers(cJSON *tree, const struct cr_bigints *ints) {
  if (!tree || !ints || ints->n == 0) return 0;
  for (cJSON *item = tree->child; item;) {
    cJSON *next = item->next;
    if (cJSON_IsNumber(item) && item->valuedouble >= EXACT_LIMIT) {
      uint64_t v;
      char digits[24];
      if (cr_bigints_resolve(ints, item->valuedouble, &v) == 0) {
        snprintf(digits, sizeof digits, "%llu", (unsigned long long)v);
        cJSON *raw = cJSON_CreateRaw(digits);
        /* in an object the new item takes the key (ReplaceItemInObject copies it) */
        bool ok = raw && (item->string ? cJSON_ReplaceItemInObjectCaseSensitive(tree, item->string, raw)
                                       : cJSON_ReplaceItemViaPointer(tree, item, raw));
        if (!ok) {
          cJSON_Delete(raw);
          return -1;
        }
      }
    } else if (cr_json_exact_numbers(item, ints) < 0) {
      return -1;
    }
    item = next;
  }
  return 0;
}
