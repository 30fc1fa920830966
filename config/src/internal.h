/* SPDX-License-Identifier: MIT */
/* Internal interface of the config parser, shared by its source files.
 *
 * Parsing collects every error instead of stopping at the first: each
 * section parser reports into a `struct cr_jdiag` (json/, the toolkit shared
 * with policies/) with the JSON path of the offending value and carries on,
 * so a user sees all problems at once. */
#ifndef CR_CONFIG_INTERNAL_H
#define CR_CONFIG_INTERNAL_H

#include <cJSON.h>
#include <stdbool.h>
#include <stdint.h>

#include "cr/config.h"

#include "cr/json.h"

#define CR_CONFIG_MAX_FILE (16u << 20) /* a config file larger than this is refused */

/* ---- parse state ---- */

struct parse_ctx {
  struct cr_jdiag diag;
  const char *base_dir;  /* absolute folder relative host paths resolve against */
  struct cr_config *cfg; /* being filled */
  bool namespaces_valid; /* cfg->namespaces can be checked against other sections */
};

char *ctx_strdup(struct parse_ctx *ctx, const char *s);
void *ctx_calloc(struct parse_ctx *ctx, size_t n, size_t size);

/* ---- typed getters (values.c) beyond the toolkit's: report "$.path: expected ..." and return false ---- */

bool get_size(struct parse_ctx *ctx, const cJSON *item, const char *path, uint64_t *out);
/* A tmpfs size: what get_size takes, or "N%" of the host's RAM (1 to 100). */
bool get_tmpfs_size(struct parse_ctx *ctx, const cJSON *item, const char *path, uint64_t *bytes,
                    unsigned *percent);
bool get_mode(struct parse_ctx *ctx, const cJSON *item, const char *path, mode_t max, mode_t *out);
/* "64M", "1G", "512KiB", "100": bytes (powers of 1024); 0, -EINVAL or -ERANGE. */
int parse_size_string(const char *s, uint64_t *out);
/* "$.path: no such file or directory: FILE" from an errno value. */
void report_errno(struct parse_ctx *ctx, const char *path, int errnum, const char *file);

/* ---- paths (paths.c): return a malloc'd normalised path, or NULL after reporting ---- */

char *get_sandbox_path(struct parse_ctx *ctx, const cJSON *item, const char *path);
char *get_host_path(struct parse_ctx *ctx, const cJSON *item, const char *path);
/* Lexical normalisation; a message in *why on failure. */
int normalize_sandbox_path(const char *in, char *out, size_t size, const char **why);
int resolve_host_path(const char *base_dir, const char *in, char *out, size_t size, const char **why);
/* True for /proc/self/fd, /proc/<pid>/fd, /dev/fd and everything under them. */
bool is_fd_dir_path(const char *normalized);
/* Report when the folder of the absolute path `file` does not exist. */
void check_parent_exists(struct parse_ctx *ctx, const char *path, const char *file);
/* Absolute, normalised folder of `file` (relative to the current directory). */
char *absolute_dirname(const char *file);

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
