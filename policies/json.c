/* Typed access to the profile's JSON tree. Every mismatch becomes one error
 * line naming its JSON path ("$.syscalls[3].args[0].op: ..."). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cr/cleanup.h"
#include "profile.h"

/* Enough lines to fix a file in one go without flooding the terminal. */
#define MAX_ERRORS 20

int cr_perr(struct cr_profile *p, const char *path, const char *fmt, ...) {
  char what[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(what, sizeof what, fmt, ap);
  va_end(ap);
  if (p->n_errors == 0)
    cr_fail(p->err, 0, p->where, "%s: %s", path, what);
  else if (p->n_errors < MAX_ERRORS)
    cr_error_append(p->err, "%s: %s", path, what);
  else if (p->n_errors == MAX_ERRORS)
    cr_error_append(p->err, "(further errors not shown)");
  p->n_errors++;
  return -1;
}

void cr_path_key(char *out, const char *path, const char *key) {
  snprintf(out, CR_PATH_MAX, "%s.%s", path, key);
}

void cr_path_index(char *out, const char *path, int i) {
  snprintf(out, CR_PATH_MAX, "%s[%d]", path, i);
}

static const char *type_name(const cJSON *item) {
  if (cJSON_IsString(item)) return "a string";
  if (cJSON_IsNumber(item)) return "a number";
  if (cJSON_IsBool(item)) return "a boolean";
  if (cJSON_IsArray(item)) return "an array";
  if (cJSON_IsObject(item)) return "an object";
  if (cJSON_IsNull(item)) return "null";
  return "an invalid value";
}

/* Edit distance, to suggest the key a misspelt one meant. */
static size_t distance(const char *a, const char *b) {
  size_t lb = strlen(b);
  size_t row[64];
  if (lb >= CR_ARRAY_SIZE(row)) return (size_t)-1;
  for (size_t j = 0; j <= lb; j++) row[j] = j;
  for (size_t i = 1; a[i - 1]; i++) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= lb; j++) {
      size_t up = row[j];
      size_t best = diag + (a[i - 1] != b[j - 1]);
      if (up + 1 < best) best = up + 1;
      if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
      row[j] = best;
      diag = up;
    }
  }
  return row[lb];
}

static const char *closest(const char *key, const char *const *allowed) {
  const char *best = NULL;
  size_t best_d = 4; /* farther than 3 edits is no suggestion */
  for (size_t i = 0; allowed[i]; i++) {
    size_t d = distance(key, allowed[i]);
    if (d < best_d) {
      best_d = d;
      best = allowed[i];
    }
  }
  return best;
}

static bool is_allowed(const char *key, const char *const *allowed) {
  for (size_t i = 0; allowed[i]; i++) {
    if (strcmp(key, allowed[i]) == 0) return true;
  }
  return false;
}

static bool seen_before(const cJSON *obj, const cJSON *item) {
  for (const cJSON *it = obj->child; it != item; it = it->next) {
    if (strcmp(it->string, item->string) == 0) return true;
  }
  return false;
}

void cr_check_keys(struct cr_profile *p, const char *path, const cJSON *obj,
                   const char *const *allowed) {
  for (const cJSON *it = obj->child; it; it = it->next) {
    char sub[CR_PATH_MAX];
    cr_path_key(sub, path, it->string);
    if (!is_allowed(it->string, allowed)) {
      const char *hint = closest(it->string, allowed);
      if (hint)
        cr_perr(p, sub, "unknown key (did you mean \"%s\"?)", hint);
      else
        cr_perr(p, sub, "unknown key");
    } else if (seen_before(obj, it)) {
      cr_perr(p, sub, "duplicate key");
    }
  }
}

const cJSON *cr_member(const cJSON *obj, const char *key) {
  const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, key);
  return cJSON_IsNull(item) ? NULL : item;
}

const char *cr_get_string(struct cr_profile *p, const char *path, const cJSON *item) {
  if (cJSON_IsString(item) && item->valuestring) return item->valuestring;
  cr_perr(p, path, "expected a string, got %s", type_name(item));
  return NULL;
}

int cr_get_uint(struct cr_profile *p, const char *path, const cJSON *item, uint64_t max,
                uint64_t *out) {
  if (!cJSON_IsNumber(item))
    return cr_perr(p, path, "expected a non-negative integer, got %s", type_name(item));
  uint64_t v;
  if (cr_bigints_resolve(&p->ints, item->valuedouble, &v) < 0)
    return cr_perr(p, path, "expected an integer from 0 to %llu, got %.17g",
                   (unsigned long long)max, item->valuedouble);
  if (v > max)
    return cr_perr(p, path, "%llu is out of range (0 to %llu)", (unsigned long long)v,
                   (unsigned long long)max);
  *out = v;
  return 0;
}

bool cr_is_array(struct cr_profile *p, const char *path, const cJSON *item) {
  if (cJSON_IsArray(item)) return true;
  cr_perr(p, path, "expected an array, got %s", type_name(item));
  return false;
}

bool cr_is_object(struct cr_profile *p, const char *path, const cJSON *item) {
  if (cJSON_IsObject(item)) return true;
  cr_perr(p, path, "expected an object, got %s", type_name(item));
  return false;
}
