/* SPDX-License-Identifier: MIT */
/* Typed access to JSON values, each failure reported with its JSON path and
 * what was found instead. */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cr/json.h"

const char *cr_json_type_name(const cJSON *item) {
  if (!item) return "nothing";
  if (cJSON_IsString(item)) return "a string";
  if (cJSON_IsNumber(item)) return "a number";
  if (cJSON_IsBool(item)) return "a boolean";
  if (cJSON_IsArray(item)) return "an array";
  if (cJSON_IsObject(item)) return "an object";
  if (cJSON_IsNull(item)) return "null";
  return "an invalid value";
}

const cJSON *cr_jmember(const cJSON *obj, const char *key, bool null_is_absent) {
  const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, key);
  return null_is_absent && cJSON_IsNull(item) ? NULL : item;
}

bool cr_jget_object(struct cr_jdiag *d, const cJSON *item, const char *path) {
  if (cJSON_IsObject(item)) return true;
  cr_jdiag_add(d, path, "expected an object, got %s", cr_json_type_name(item));
  return false;
}

bool cr_jget_array(struct cr_jdiag *d, const cJSON *item, const char *path) {
  if (cJSON_IsArray(item)) return true;
  cr_jdiag_add(d, path, "expected an array, got %s", cr_json_type_name(item));
  return false;
}

bool cr_jget_string(struct cr_jdiag *d, const cJSON *item, const char *path, const char **out) {
  if (cJSON_IsString(item) && item->valuestring) {
    *out = item->valuestring;
    return true;
  }
  cr_jdiag_add(d, path, "expected a string, got %s", cr_json_type_name(item));
  return false;
}

bool cr_jget_bool(struct cr_jdiag *d, const cJSON *item, const char *path, bool *out) {
  if (cJSON_IsBool(item)) {
    *out = cJSON_IsTrue(item);
    return true;
  }
  cr_jdiag_add(d, path, "expected true or false, got %s", cr_json_type_name(item));
  return false;
}

bool cr_json_uint(const cJSON *item, uint64_t max, uint64_t *out) {
  if (!cJSON_IsNumber(item)) return false;
  double d = item->valuedouble;
  /* The range test comes first so that the cast below is defined. */
  if (!(d >= 0 && d <= (double)CR_JSON_MAX_EXACT)) return false;
  uint64_t v = (uint64_t)d;
  if ((double)v != d || v > max) return false;
  *out = v;
  return true;
}

/* "expected an integer from LO to HI, got ...": what it got, a type or a number. */
static bool not_in_range(struct cr_jdiag *d, const cJSON *item, const char *path, const char *lo,
                         const char *hi) {
  if (!cJSON_IsNumber(item))
    cr_jdiag_add(d, path, "expected an integer from %s to %s, got %s", lo, hi, cr_json_type_name(item));
  else
    cr_jdiag_add(d, path, "expected an integer from %s to %s, got %.17g", lo, hi, item->valuedouble);
  return false;
}

bool cr_jget_uint(struct cr_jdiag *d, const cJSON *item, const char *path, uint64_t min, uint64_t max,
                  uint64_t *out) {
  uint64_t v;
  bool exact = d->ints ? cJSON_IsNumber(item) && cr_bigints_resolve(d->ints, item->valuedouble, &v) == 0
                       : cr_json_uint(item, UINT64_MAX, &v);
  if (!d->ints && max > CR_JSON_MAX_EXACT) max = CR_JSON_MAX_EXACT;
  if (exact && v >= min && v <= max) {
    *out = v;
    return true;
  }
  char lo[24], hi[24];
  snprintf(lo, sizeof lo, "%" PRIu64, min);
  snprintf(hi, sizeof hi, "%" PRIu64, max);
  return not_in_range(d, item, path, lo, hi);
}

bool cr_jget_int(struct cr_jdiag *d, const cJSON *item, const char *path, int64_t min, int64_t max,
                 int64_t *out) {
  if (cJSON_IsNumber(item) && item->valuedouble >= (double)min && item->valuedouble <= (double)max &&
      item->valuedouble == (double)(int64_t)item->valuedouble) {
    *out = (int64_t)item->valuedouble;
    return true;
  }
  char lo[24], hi[24];
  snprintf(lo, sizeof lo, "%" PRId64, min);
  snprintf(hi, sizeof hi, "%" PRId64, max);
  return not_in_range(d, item, path, lo, hi);
}

/* Well-formed UTF-8 (RFC 3629): no overlongs, no surrogates, <= U+10FFFF. */
bool cr_utf8_valid(const char *str) {
  const unsigned char *s = (const unsigned char *)str;
  while (*s) {
    unsigned char c = *s;
    size_t len;
    uint32_t cp;
    if (c < 0x80) {
      s++;
      continue;
    } else if ((c & 0xe0) == 0xc0) {
      len = 2, cp = c & 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
      len = 3, cp = c & 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
      len = 4, cp = c & 0x07;
    } else {
      return false;
    }
    for (size_t i = 1; i < len; i++) {
      if ((s[i] & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (s[i] & 0x3f);
    }
    static const uint32_t min_for_len[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < min_for_len[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    s += len;
  }
  return true;
}

int cr_jname_index(const char *s, const char *const *names, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (strcmp(s, names[i]) == 0) return (int)i;
  return -1;
}

/* Case-insensitive Levenshtein distance, capped at 64 characters per word. */
static size_t edit_distance(const char *a, const char *b) {
  size_t la = strnlen(a, 64), lb = strnlen(b, 64);
  size_t row[65];
  for (size_t j = 0; j <= lb; j++) row[j] = j;
  for (size_t i = 1; i <= la; i++) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= lb; j++) {
      size_t above = row[j];
      size_t cost = tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]);
      size_t best = diag + cost;
      if (above + 1 < best) best = above + 1;
      if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
      row[j] = best;
      diag = above;
    }
  }
  return row[lb];
}

const char *cr_jsuggest(const char *word, const char *const *cands, size_t n) {
  const char *best = NULL;
  size_t best_d = SIZE_MAX;
  for (size_t i = 0; i < n; i++) {
    size_t d = edit_distance(word, cands[i]);
    if (d < best_d) best_d = d, best = cands[i];
  }
  /* Close means at most 2 edits, and at most a third of the longer word. */
  size_t longer = strlen(word);
  if (best && strlen(best) > longer) longer = strlen(best);
  if (!best || best_d > 2 || best_d * 3 > longer) return NULL;
  return best;
}

static void list_keys(char *buf, size_t size, const char *const *keys, size_t n) {
  size_t used = 0;
  buf[0] = '\0';
  for (size_t i = 0; i < n && used < size; i++)
    used += (size_t)snprintf(buf + used, size - used, "%s%s", i ? ", " : "", keys[i]);
}

void cr_jcheck_keys(struct cr_jdiag *d, const cJSON *obj, const char *path, const char *const *keys,
                    size_t n_keys) {
  for (const cJSON *child = obj->child; child; child = child->next) {
    if (cr_jname_index(child->string, keys, n_keys) >= 0) continue;
    struct cr_jpath p = cr_jpath_key(path, child->string);
    const char *near = cr_jsuggest(child->string, keys, n_keys);
    if (near) {
      cr_jdiag_add(d, p.s, "unknown key (did you mean \"%s\"?)", near);
    } else {
      char valid[1024];
      list_keys(valid, sizeof valid, keys, n_keys);
      cr_jdiag_add(d, p.s, "unknown key (valid keys: %s)", valid);
    }
  }
}

void cr_jrequire_key(struct cr_jdiag *d, const cJSON *obj, const char *path, const char *key,
                     const char *what) {
  if (cJSON_GetObjectItemCaseSensitive(obj, key)) return;
  cr_jdiag_add(d, cr_jpath_key(path, key).s, "required (%s)", what);
}
