/* SPDX-License-Identifier: MIT */
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
  if (!copy) cr_jdiag_oom(&ctx->diag);
  return copy;
}

void *ctx_calloc(struct parse_ctx *ctx, size_t n, size_t size) {
  void *p = calloc(n ? n : 1, size);
  if (!p) cr_jdiag_oom(&ctx->diag);
  return p;
}

static bool mul_overflows(uint64_t a, uint64_t b, uint64_t *out) { return __builtin_mul_overflow(a, b, out); }

/* Digits, then an optional K/M/G/T (any case) optionally followed by "B" or
 * "iB", or a bare "B". */
int parse_size_string(const char *s, uint64_t *out) {
  uint64_t v = 0;
  bool overflow = false;
  const char *p = s;
  if (!isdigit((unsigned char)*p)) return -EINVAL;
  for (; isdigit((unsigned char)*p); p++) {
    if (mul_overflows(v, 10, &v) || __builtin_add_overflow(v, (uint64_t)(*p - '0'), &v)) overflow = true;
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
    if (cr_json_uint(item, CR_JSON_MAX_EXACT, out)) return true;
    cr_jdiag_add(&ctx->diag, path, "expected a byte count from 0 to %llu (or a string like \"64M\")",
                 CR_JSON_MAX_EXACT);
    return false;
  }
  if (cJSON_IsString(item)) {
    int rc = parse_size_string(item->valuestring, out);
    if (rc == 0) return true;
    if (rc == -ERANGE)
      cr_jdiag_add(&ctx->diag, path, "size \"%s\" is too large (more than 2^64-1 bytes)",
                   cr_jquote(item->valuestring).s);
    else
      cr_jdiag_add(&ctx->diag, path,
                   "invalid size \"%s\": expected a whole number with an optional K, M, G or T suffix "
                   "(like \"64M\")",
                   cr_jquote(item->valuestring).s);
    return false;
  }
  cr_jdiag_add(&ctx->diag, path, "expected a size: a byte count or a string like \"64M\"");
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
    cr_jdiag_add(&ctx->diag, path, "invalid size \"%s\": a percentage of the host's memory is 1%% to 100%%",
                 cr_jquote(s).s);
    return false;
  }
  *percent = 0;
  return get_size(ctx, item, path, bytes);
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
  cr_jdiag_add(&ctx->diag, path, "expected an octal string like \"%s\" (at most %04o)",
               max > 0777 ? "0755" : "0022", (unsigned)max);
  return false;
}

/* "no such file or directory" reads better mid-line than "No such ...". */
void report_errno(struct parse_ctx *ctx, const char *path, int errnum, const char *file) {
  char msg[128];
  snprintf(msg, sizeof msg, "%s", strerror(errnum));
  msg[0] = (char)tolower((unsigned char)msg[0]);
  cr_jdiag_add(&ctx->diag, path, "%s: %s", msg, cr_jquote(file).s);
}

static bool cpu_in(const uint64_t *set, unsigned cpu) {
  return cpu < CR_CPU_SET_WORDS * 64 && (set[cpu / 64] >> (cpu % 64)) & 1;
}

const char *cr_cpu_list_format(const uint64_t *set, char *buf, size_t size) {
  size_t used = 0;
  buf[0] = '\0';
  for (unsigned cpu = 0; cpu < CR_CPU_SET_WORDS * 64; cpu++) {
    if (!cpu_in(set, cpu)) continue;
    unsigned last = cpu;
    while (cpu_in(set, last + 1)) last++;
    int n = last == cpu ? snprintf(buf + used, size - used, "%s%u", used ? "," : "", cpu)
                        : snprintf(buf + used, size - used, "%s%u-%u", used ? "," : "", cpu, last);
    if (n < 0 || (size_t)n >= size - used) break;
    used += (size_t)n;
    cpu = last;
  }
  return buf;
}
