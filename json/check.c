/* SPDX-License-Identifier: MIT */
/* Checks cJSON does not make: nesting depth, NUL bytes and \u0000, duplicate
 * keys, UTF-8 validity; and syntax errors reported as line and column. */
#include <string.h>

#include "cr/json.h"

static void line_col(const char *text, const char *at, unsigned *line, unsigned *col) {
  *line = 1;
  *col = 1;
  for (const char *p = text; p < at && *p; p++) {
    if (*p == '\n') {
      (*line)++;
      *col = 1;
    } else {
      (*col)++;
    }
  }
}

/* A scan of the raw text, before cJSON (which recurses) sees it; false when
 * too deep to parse. */
static bool check_text(struct cr_jdiag *d, const char *text) {
  int depth = 0;
  bool in_string = false;
  unsigned line, col;
  for (const char *p = text; *p; p++) {
    if (in_string) {
      if (*p == '"') {
        in_string = false;
      } else if (*p == '\\' && p[1]) {
        if (strncmp(p + 1, "u0000", 5) == 0) {
          line_col(text, p, &line, &col);
          cr_jdiag_add(d, "$", "line %u, column %u: strings must not contain NUL (\\u0000)", line, col);
        }
        p++;
      }
    } else if (*p == '"') {
      in_string = true;
    } else if (*p == '{' || *p == '[') {
      if (++depth > CR_JSON_MAX_DEPTH) {
        line_col(text, p, &line, &col);
        cr_jdiag_add(d, "$", "line %u, column %u: nested deeper than %d levels", line, col,
                     CR_JSON_MAX_DEPTH);
        return false;
      }
    } else if (*p == '}' || *p == ']') {
      depth--;
    }
  }
  return true;
}

static void report_syntax_error(struct cr_jdiag *d, const char *text, const char *error_at,
                                const char *what) {
  if (!error_at) error_at = text;
  if (!text[strspn(text, " \t\r\n")]) {
    cr_jdiag_add(d, "$", "empty %s (expected a JSON object)", what);
    return;
  }
  unsigned line, col;
  line_col(text, error_at, &line, &col);
  char near[24];
  size_t len = strcspn(error_at, "\n");
  memcpy(near, error_at, len < 20 ? len : 20);
  near[len < 20 ? len : 20] = '\0';
  if (near[0])
    cr_jdiag_add(d, "$", "JSON syntax error at line %u, column %u, near \"%s\"", line, col,
                 cr_jquote(near).s);
  else
    cr_jdiag_add(d, "$", "JSON syntax error at line %u, column %u (unexpected end)", line, col);
}

static void check_object_keys(struct cr_jdiag *d, const cJSON *obj, const char *path) {
  for (const cJSON *child = obj->child; child; child = child->next) {
    struct cr_jpath p = cr_jpath_key(path, child->string);
    if (!cr_utf8_valid(child->string)) cr_jdiag_add(d, p.s, "key is not valid UTF-8");
    for (const cJSON *prev = obj->child; prev != child; prev = prev->next) {
      if (strcmp(prev->string, child->string) == 0) {
        cr_jdiag_add(d, p.s, "duplicate key");
        break;
      }
    }
  }
}

void cr_json_check_tree(struct cr_jdiag *d, const cJSON *item, const char *path, int depth) {
  if (depth > CR_JSON_MAX_DEPTH) {
    cr_jdiag_add(d, path, "nested deeper than %d levels", CR_JSON_MAX_DEPTH);
    return;
  }
  if (cJSON_IsString(item) && !cr_utf8_valid(item->valuestring)) {
    cr_jdiag_add(d, path, "not valid UTF-8");
  } else if (cJSON_IsObject(item)) {
    check_object_keys(d, item, path);
    for (const cJSON *child = item->child; child; child = child->next)
      cr_json_check_tree(d, child, cr_jpath_key(path, child->string).s, depth + 1);
  } else if (cJSON_IsArray(item)) {
    size_t i = 0;
    for (const cJSON *child = item->child; child; child = child->next, i++)
      cr_json_check_tree(d, child, cr_jpath_index(path, i).s, depth + 1);
  }
}

cJSON *cr_json_parse(struct cr_jdiag *d, const char *text, size_t len, const char *what) {
  const char *nul = memchr(text, '\0', len);
  if (nul) {
    unsigned line = 1;
    for (const char *p = text; p < nul; p++) line += *p == '\n';
    cr_jdiag_add(d, "$", "line %u: the %s contains a NUL byte", line, what);
    return NULL;
  }
  if (!check_text(d, text)) return NULL;
  const char *error_at = NULL;
  cJSON *root = cJSON_ParseWithOpts(text, &error_at, true);
  if (!root) {
    report_syntax_error(d, text, error_at, what);
    return NULL;
  }
  cr_json_check_tree(d, root, "$", 0);
  return root;
}
