/* Typed access to JSON values, each failure reported with its JSON path. */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "internal.h"

char *ctx_strdup(struct parse_ctx *ctx, const char *s) {
  char *copy = strdup(s);
  if (!copy) diag_oom(&ctx->diag);
  return copy;
}

void *ctx_calloc(struct parse_ctx *ctx, size_t n, size_t size) {
  void *p = calloc(n ? n : 1, size);
  if (!p) diag_oom(&ctx->diag);
  return p;
}

bool get_object(struct parse_ctx *ctx, const cJSON *item, const char *path) {
  if (cJSON_IsObject(item)) return true;
  diag_add(&ctx->diag, path, "expected an object");
  return false;
}

bool get_array(struct parse_ctx *ctx, const cJSON *item, const char *path) {
  if (cJSON_IsArray(item)) return true;
  diag_add(&ctx->diag, path, "expected an array");
  return false;
}

bool get_string(struct parse_ctx *ctx, const cJSON *item, const char *path, const char **out) {
  if (!cJSON_IsString(item)) {
    diag_add(&ctx->diag, path, "expected a string");
    return false;
  }
  *out = item->valuestring;
  return true;
}

bool get_bool(struct parse_ctx *ctx, const cJSON *item, const char *path, bool *out) {
  if (!cJSON_IsBool(item)) {
    diag_add(&ctx->diag, path, "expected true or false");
    return false;
  }
  *out = cJSON_IsTrue(item);
  return true;
}

bool json_uint(const cJSON *item, uint64_t max, uint64_t *out) {
  if (!cJSON_IsNumber(item)) return false;
  double d = item->valuedouble;
  /* The range test comes first so that the cast below is defined. */
  if (!(d >= 0 && d <= (double)CR_MAX_EXACT_INT)) return false;
  uint64_t v = (uint64_t)d;
  if ((double)v != d || v > max) return false;
  *out = v;
  return true;
}

bool get_uint(struct parse_ctx *ctx, const cJSON *item, const char *path, uint64_t min, uint64_t max,
              uint64_t *out) {
  uint64_t v;
  if (!json_uint(item, max, &v) || v < min) {
    if (max > CR_MAX_EXACT_INT) max = CR_MAX_EXACT_INT;
    diag_add(&ctx->diag, path, "expected an integer from %" PRIu64 " to %" PRIu64, min, max);
    return false;
  }
  *out = v;
  return true;
}

static bool mul_overflows(uint64_t a, uint64_t b, uint64_t *out) {
  return __builtin_mul_overflow(a, b, out);
}

/* Digits, then an optional K/M/G/T (any case) optionally followed by "B" or
 * "iB", or a bare "B". */
int parse_size_string(const char *s, uint64_t *out) {
  uint64_t v = 0;
  bool overflow = false;
  const char *p = s;
  if (!isdigit((unsigned char)*p)) return -EINVAL;
  for (; isdigit((unsigned char)*p); p++) {
    if (mul_overflows(v, 10, &v) || __builtin_add_overflow(v, (uint64_t)(*p - '0'), &v))
      overflow = true;
  }
  static const char units[] = "KMGT";
  const char *unit = *p ? strchr(units, toupper((unsigned char)*p)) : NULL;
  if (unit) {
    for (long i = 0; i <= unit - units; i++)
      if (mul_overflows(v, 1024, &v)) overflow = true;
    p++;
    if (p[0] == 'i' && p[1] == 'B')
      p += 2;
    else if (p[0] == 'B')
      p++;
  } else if (*p == 'B') {
    p++;
  }
  if (*p) return -EINVAL;
  if (overflow) return -ERANGE;
  *out = v;
  return 0;
}

bool get_size(struct parse_ctx *ctx, const cJSON *item, const char *path, uint64_t *out) {
  if (cJSON_IsNumber(item)) {
    if (json_uint(item, CR_MAX_EXACT_INT, out)) return true;
    diag_add(&ctx->diag, path, "expected a byte count from 0 to %llu (or a string like \"64M\")",
             CR_MAX_EXACT_INT);
    return false;
  }
  if (cJSON_IsString(item)) {
    int rc = parse_size_string(item->valuestring, out);
    if (rc == 0) return true;
    if (rc == -ERANGE)
      diag_add(&ctx->diag, path, "size \"%s\" is too large (more than 2^64-1 bytes)",
               quote(item->valuestring).s);
    else
      diag_add(&ctx->diag, path,
               "invalid size \"%s\": expected a whole number with an optional K, M, G or T suffix "
               "(like \"64M\")",
               quote(item->valuestring).s);
    return false;
  }
  diag_add(&ctx->diag, path, "expected a size: a byte count or a string like \"64M\"");
  return false;
}

bool get_tmpfs_size(struct parse_ctx *ctx, const cJSON *item, const char *path, uint64_t *bytes,
                    unsigned *percent) {
  const char *s = cJSON_IsString(item) ? item->valuestring : NULL;
  size_t len = s ? strlen(s) : 0;
  if (len >= 2 && s[len - 1] == '%') {
    unsigned long v = 0;
    if (strspn(s, "0123456789") == len - 1 && len <= 4 && (v = strtoul(s, NULL, 10)) >= 1 && v <= 100) {
      *percent = (unsigned)v;
      *bytes = 0;
      return true;
    }
    diag_add(&ctx->diag, path, "invalid size \"%s\": a percentage of the host's memory is 1%% to 100%%",
             quote(s).s);
    return false;
  }
  *percent = 0;
  return get_size(ctx, item, path, bytes);
}

bool get_int(struct parse_ctx *ctx, const cJSON *item, const char *path, int64_t min, int64_t max,
             int64_t *out) {
  if (cJSON_IsNumber(item) && item->valuedouble == (double)(int64_t)item->valuedouble &&
      item->valuedouble >= (double)min && item->valuedouble <= (double)max) {
    *out = (int64_t)item->valuedouble;
    return true;
  }
  diag_add(&ctx->diag, path, "expected an integer from %lld to %lld", (long long)min, (long long)max);
  return false;
}

bool get_mode(struct parse_ctx *ctx, const cJSON *item, const char *path, mode_t max, mode_t *out) {
  const char *s = cJSON_IsString(item) ? item->valuestring : NULL;
  size_t len = s ? strlen(s) : 0;
  if (s && len >= 1 && len <= 5 && strspn(s, "01234567") == len) {
    unsigned long v = strtoul(s, NULL, 8);
    if (v <= max) {
      *out = (mode_t)v;
      return true;
    }
  }
  diag_add(&ctx->diag, path, "expected an octal string like \"%s\" (at most %04o)",
           max > 0777 ? "0755" : "0022", (unsigned)max);
  return false;
}

/* Well-formed UTF-8 (RFC 3629): no overlongs, no surrogates, <= U+10FFFF. */
bool utf8_valid(const char *str) {
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

int name_index(const char *s, const char *const *names, size_t n) {
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

const char *suggest(const char *word, const char *const *cands, size_t n) {
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

void check_keys(struct parse_ctx *ctx, const cJSON *obj, const char *path, const char *const *keys,
                size_t n_keys) {
  for (const cJSON *child = obj->child; child; child = child->next) {
    if (name_index(child->string, keys, n_keys) >= 0) continue;
    struct jpath p = jpath_key(path, child->string);
    const char *near = suggest(child->string, keys, n_keys);
    if (near) {
      diag_add(&ctx->diag, p.s, "unknown key (did you mean \"%s\"?)", near);
    } else {
      char valid[512];
      list_keys(valid, sizeof valid, keys, n_keys);
      diag_add(&ctx->diag, p.s, "unknown key (valid keys: %s)", valid);
    }
  }
}

void require_key(struct parse_ctx *ctx, const cJSON *obj, const char *path, const char *key,
                 const char *what) {
  if (cJSON_GetObjectItemCaseSensitive(obj, key)) return;
  diag_add(&ctx->diag, jpath_key(path, key).s, "required (%s)", what);
}

/* "no such file or directory" reads better mid-line than "No such ...". */
void report_errno(struct parse_ctx *ctx, const char *path, int errnum, const char *file) {
  char msg[128];
  snprintf(msg, sizeof msg, "%s", strerror(errnum));
  msg[0] = (char)tolower((unsigned char)msg[0]);
  diag_add(&ctx->diag, path, "%s: %s", msg, quote(file).s);
}
