/* SPDX-License-Identifier: MIT */
/* Typed access to the profile's JSON tree, over the toolkit of json/ (the
 * same as config/'s). Every mismatch becomes one error line naming its JSON
 * path ("$.syscalls[3].args[0].op: ..."). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cr/cleanup.h"
#include "profile.h"

int cr_perr(struct cr_profile *p, const char *path, const char *fmt, ...) {
  char what[2048];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(what, sizeof what, fmt, ap);
  va_end(ap);
  cr_jdiag_add(&p->diag, path, "%s", what);
  return -1;
}

void cr_path_key(char *out, const char *path, const char *key) {
  struct cr_jpath j = cr_jpath_key(path, key);
  memcpy(out, j.s, sizeof j.s);
}

void cr_path_index(char *out, const char *path, int i) {
  struct cr_jpath j = cr_jpath_index(path, (size_t)i);
  memcpy(out, j.s, sizeof j.s);
}

void cr_check_keys(struct cr_profile *p, const char *path, const cJSON *obj, const char *const *allowed) {
  size_t n = 0;
  while (allowed[n]) n++;
  cr_jcheck_keys(&p->diag, obj, path, allowed, n); /* duplicates: cr_json_check_tree */
}

const cJSON *cr_member(const cJSON *obj, const char *key) { return cr_jmember(obj, key, true); }

const char *cr_get_string(struct cr_profile *p, const char *path, const cJSON *item) {
  const char *s;
  return cr_jget_string(&p->diag, item, path, &s) ? s : NULL;
}

int cr_get_uint(struct cr_profile *p, const char *path, const cJSON *item, uint64_t max, uint64_t *out) {
  return cr_jget_uint(&p->diag, item, path, 0, max, out) ? 0 : -1;
}

bool cr_is_array(struct cr_profile *p, const char *path, const cJSON *item) {
  return cr_jget_array(&p->diag, item, path);
}

bool cr_is_object(struct cr_profile *p, const char *path, const cJSON *item) {
  return cr_jget_object(&p->diag, item, path);
}
