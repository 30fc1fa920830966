/* Checks cJSON does not make: nesting depth, NUL in strings, duplicate keys,
 * UTF-8 validity; and syntax errors reported as line and column. */
#include <string.h>

#include "internal.h"

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

/* A scan of the raw text, before cJSON (which recurses) sees it. */
bool check_json_text(struct parse_ctx *ctx, const char *text) {
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
          diag_add(&ctx->diag, "$", "line %u, column %u: strings must not contain NUL (\\u0000)",
                   line, col);
        }
        p++;
      }
    } else if (*p == '"') {
      in_string = true;
    } else if (*p == '{' || *p == '[') {
      if (++depth > CR_CONFIG_MAX_DEPTH) {
        line_col(text, p, &line, &col);
        diag_add(&ctx->diag, "$", "line %u, column %u: nested deeper than %d levels", line, col,
                 CR_CONFIG_MAX_DEPTH);
        return false;
      }
    } else if (*p == '}' || *p == ']') {
      depth--;
    }
  }
  return true;
}

void report_syntax_error(struct parse_ctx *ctx, const char *text, const char *error_at) {
  if (!error_at) error_at = text;
  if (!text[strspn(text, " \t\r\n")]) {
    diag_add(&ctx->diag, "$", "empty config (expected a JSON object)");
    return;
  }
  unsigned line, col;
  line_col(text, error_at, &line, &col);
  char near[24];
  size_t len = strcspn(error_at, "\n");
  snprintf(near, sizeof near, "%.*s", (int)(len < 20 ? len : 20), error_at);
  if (near[0])
    diag_add(&ctx->diag, "$", "JSON syntax error at line %u, column %u, near \"%s\"", line, col,
             quote(near).s);
  else
    diag_add(&ctx->diag, "$", "JSON syntax error at line %u, column %u (unexpected end)", line, col);
}

static void check_object_keys(struct parse_ctx *ctx, const cJSON *obj, const char *path) {
  for (const cJSON *child = obj->child; child; child = child->next) {
    struct jpath p = jpath_key(path, child->string);
    if (!utf8_valid(child->string)) diag_add(&ctx->diag, p.s, "key is not valid UTF-8");
    for (const cJSON *prev = obj->child; prev != child; prev = prev->next) {
      if (strcmp(prev->string, child->string) == 0) {
        diag_add(&ctx->diag, p.s, "duplicate key");
        break;
      }
    }
  }
}

void check_json_tree(struct parse_ctx *ctx, const cJSON *item, const char *path, int depth) {
  if (depth > CR_CONFIG_MAX_DEPTH) {
    diag_add(&ctx->diag, path, "nested deeper than %d levels", CR_CONFIG_MAX_DEPTH);
    return;
  }
  if (cJSON_IsString(item) && !utf8_valid(item->valuestring)) {
    diag_add(&ctx->diag, path, "not valid UTF-8");
  } else if (cJSON_IsObject(item)) {
    check_object_keys(ctx, item, path);
    for (const cJSON *child = item->child; child; child = child->next)
      check_json_tree(ctx, child, jpath_key(path, child->string).s, depth + 1);
  } else if (cJSON_IsArray(item)) {
    size_t i = 0;
    for (const cJSON *child = item->child; child; child = child->next, i++)
      check_json_tree(ctx, child, jpath_index(path, i).s, depth + 1);
  }
}
