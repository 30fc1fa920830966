/* Internal interface of the config parser, shared by its source files.
 *
 * Parsing collects every error instead of stopping at the first: each
 * section parser reports into a `struct diag` with the JSON path of the
 * offending value and carries on, so a user sees all problems at once. */
#ifndef CR_CONFIG_INTERNAL_H
#define CR_CONFIG_INTERNAL_H

#include <cJSON.h>
#include <stdbool.h>
#include <stdint.h>

#include "cr/config.h"

#define CR_CONFIG_MAX_DEPTH 64           /* deeper JSON nesting is refused */
#define CR_CONFIG_MAX_ERRORS 50          /* lines reported; the rest are counted */
#define CR_CONFIG_MAX_FILE (16u << 20)   /* a config file larger than this is refused */
#define CR_JPATH_MAX 512
#define CR_MAX_EXACT_INT 9007199254740991ULL /* 2^53-1: larger JSON numbers are inexact doubles */

/* ---- diagnostics (diag.c) ---- */

struct diag {
  char **lines;    /* "$.path: message" */
  size_t n, cap;
  size_t dropped;  /* errors beyond CR_CONFIG_MAX_ERRORS */
  bool oom;
};

void diag_add(struct diag *d, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void diag_oom(struct diag *d);
static inline bool diag_any(const struct diag *d) { return d->n || d->dropped || d->oom; }
/* Move the collected errors into `err` (cr_fail once, one line each); -1 if any. */
int diag_report(const struct diag *d, const char *where, cr_error *err);
void diag_free(struct diag *d);

/* A JSON path such as $.filesystem[2].source, built on the stack. */
struct jpath {
  char s[CR_JPATH_MAX];
};
struct jpath jpath_key(const char *parent, const char *key);
struct jpath jpath_index(const char *parent, size_t index);

/* A user string made safe to quote in a message (control bytes escaped, cut short). */
struct quoted {
  char s[160];
};
struct quoted quote(const char *s);

/* ---- parse state ---- */

struct parse_ctx {
  struct diag diag;
  const char *base_dir;   /* absolute folder relative host paths resolve against */
  struct cr_config *cfg;  /* being filled */
  bool namespaces_valid;  /* cfg->namespaces can be checked against other sections */
};

char *ctx_strdup(struct parse_ctx *ctx, const char *s);
void *ctx_calloc(struct parse_ctx *ctx, size_t n, size_t size);

/* ---- typed getters (values.c): report "$.path: expected ..." and return false on error ---- */

bool get_object(struct parse_ctx *ctx, const cJSON *item, const char *path);
bool get_array(struct parse_ctx *ctx, const cJSON *item, const char *path);
bool get_string(struct parse_ctx *ctx, const cJSON *item, const char *path, const char **out);
bool get_bool(struct parse_ctx *ctx, const cJSON *item, const char *path, bool *out);
bool get_uint(struct parse_ctx *ctx, const cJSON *item, const char *path, uint64_t min, uint64_t max,
              uint64_t *out);
bool get_size(struct parse_ctx *ctx, const cJSON *item, const char *path, uint64_t *out);
/* A tmpfs size: what get_size takes, or "N%" of the host's RAM (1 to 100). */
bool get_tmpfs_size(struct parse_ctx *ctx, const cJSON *item, const char *path, uint64_t *bytes,
                    unsigned *percent);
bool get_int(struct parse_ctx *ctx, const cJSON *item, const char *path, int64_t min, int64_t max,
             int64_t *out);
bool get_mode(struct parse_ctx *ctx, const cJSON *item, const char *path, mode_t max, mode_t *out);
/* An exact non-negative integer <= max (JSON numbers are doubles: 1.5, 1e30, -1 fail). */
bool json_uint(const cJSON *item, uint64_t max, uint64_t *out);
/* "64M", "1G", "512KiB", "100": bytes (powers of 1024); 0, -EINVAL or -ERANGE. */
int parse_size_string(const char *s, uint64_t *out);
bool utf8_valid(const char *s);

/* Report unknown keys of `obj` (with the nearest valid key when close). */
void check_keys(struct parse_ctx *ctx, const cJSON *obj, const char *path, const char *const *keys,
                size_t n_keys);
/* A missing required key: "$.path.key: required (what)". */
void require_key(struct parse_ctx *ctx, const cJSON *obj, const char *path, const char *key,
                 const char *what);
/* The closest of `cands` to `word` when close enough to be a likely typo, else NULL. */
const char *suggest(const char *word, const char *const *cands, size_t n);
/* "$.path: no such file or directory: FILE" from an errno value. */
void report_errno(struct parse_ctx *ctx, const char *path, int errnum, const char *file);
/* Index of `s` in `names`, -1 if absent. */
int name_index(const char *s, const char *const *names, size_t n);

/* ---- paths (paths.c): return a malloc'd normalised path, or NULL after reporting ---- */

char *get_sandbox_path(struct parse_ctx *ctx, const cJSON *item, const char *path);
char *get_host_path(struct parse_ctx *ctx, const cJSON *item, const char *path);
/* Lexical normalisation; a message in *why on failure. */
int normalize_sandbox_path(const char *in, char *out, size_t size, const char **why);
int resolve_host_path(const char *base_dir, const char *in, char *out, size_t size,
                      const char **why);
/* True for /proc/self/fd, /proc/<pid>/fd, /dev/fd and everything under them. */
bool is_fd_dir_path(const char *normalized);
/* Report when the folder of the absolute path `file` does not exist. */
void check_parent_exists(struct parse_ctx *ctx, const char *path, const char *file);
/* Absolute, normalised folder of `file` (relative to the current directory). */
char *absolute_dirname(const char *file);

/* ---- JSON checks before parsing (json_check.c) ---- */

/* Nesting depth and \u0000 escapes, on the raw text; false when too deep to parse. */
bool check_json_text(struct parse_ctx *ctx, const char *text);
/* Report a cJSON syntax error at `error_at` as line and column. */
void report_syntax_error(struct parse_ctx *ctx, const char *text, const char *error_at);
/* Duplicate keys and invalid UTF-8 anywhere in the tree. */
void check_json_tree(struct parse_ctx *ctx, const cJSON *item, const char *path, int depth);

/* ---- merge with the default (merge.c) ---- */

/* Replace the default's sections by the user's (NULL user = the default alone). */
int merge_config(cJSON *merged_default, cJSON *user);

/* ---- section parsers ---- */

void parse_process(struct parse_ctx *ctx, const cJSON *item);
void parse_namespaces(struct parse_ctx *ctx, const cJSON *item);
void parse_hostname(struct parse_ctx *ctx, const cJSON *item);
void parse_filesystem(struct parse_ctx *ctx, const cJSON *item);
void parse_fds(struct parse_ctx *ctx, const cJSON *item);
void parse_seccomp(struct parse_ctx *ctx, const cJSON *item);
void parse_capabilities(struct parse_ctx *ctx, const cJSON *item);
void parse_network(struct parse_ctx *ctx, const cJSON *item);
void parse_limits(struct parse_ctx *ctx, const cJSON *item);
void parse_report(struct parse_ctx *ctx, const cJSON *item);
/* Checks that span sections (network vs namespaces, hostname vs uts). */
void check_cross_sections(struct parse_ctx *ctx, const cJSON *root);

#endif
