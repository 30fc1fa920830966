/* SPDX-License-Identifier: MIT */
/* Host and sandbox paths: lexical normalisation, resolution against the
 * config folder, and the /proc/self/fd check. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

/* Append component `comp` (length len) to the absolute path in out. */
static int push_component(char *out, size_t *used, size_t size, const char *comp, size_t len) {
  size_t slash = *used > 1; /* no separator right after the root "/" */
  if (*used + slash + len >= size) return -1;
  if (slash) out[(*used)++] = '/';
  memcpy(out + *used, comp, len);
  *used += len;
  out[*used] = '\0';
  return 0;
}

static void pop_component(char *out, size_t *used) {
  char *slash = strrchr(out, '/');
  *used = slash == out ? 1 : (size_t)(slash - out);
  out[*used] = '\0';
}

/* Normalise an absolute path: drop "." and empty components; ".." either
 * removes the previous component (host paths) or is refused (sandbox paths). */
static int normalize(const char *in, char *out, size_t size, bool resolve_dotdot, const char **why) {
  if (in[0] != '/') return *why = "must be an absolute path", -1;
  if (strlen(in) >= size) return *why = "path too long (at most PATH_MAX-1 bytes)", -1;
  size_t used = 1;
  strcpy(out, "/");
  for (const char *p = in; *p;) {
    while (*p == '/') p++;
    size_t len = strcspn(p, "/");
    if (len == 0 || (len == 1 && p[0] == '.')) {
      p += len;
      continue;
    }
    if (len == 2 && p[0] == '.' && p[1] == '.') {
      if (!resolve_dotdot) return *why = "must not contain \"..\" components", -1;
      pop_component(out, &used);
    } else if (push_component(out, &used, size, p, len) < 0) {
      return *why = "path too long (at most PATH_MAX-1 bytes)", -1;
    }
    p += len;
  }
  return 0;
}

int normalize_sandbox_path(const char *in, char *out, size_t size, const char **why) {
  return normalize(in, out, size, false, why);
}

int resolve_host_path(const char *base_dir, const char *in, char *out, size_t size, const char **why) {
  if (!in[0]) return *why = "must not be empty", -1;
  if (in[0] == '/') return normalize(in, out, size, true, why);
  char joined[PATH_MAX * 2];
  int n = snprintf(joined, sizeof joined, "%s/%s", base_dir, in);
  if (n < 0 || (size_t)n >= sizeof joined) return *why = "path too long (at most PATH_MAX-1 bytes)", -1;
  return normalize(joined, out, size, true, why);
}

static bool component_is(const char **p, const char *name) {
  size_t len = strlen(name);
  if (**p != '/' || strncmp(*p + 1, name, len) != 0) return false;
  char end = (*p)[1 + len];
  if (end != '/' && end != '\0') return false;
  *p += 1 + len;
  return true;
}

static bool component_is_number(const char **p) {
  if (**p != '/') return false;
  const char *q = *p + 1;
  size_t digits = strspn(q, "0123456789");
  if (digits == 0 || (q[digits] != '/' && q[digits] != '\0')) return false;
  *p = q + digits;
  return true;
}

/* The fd folders of /proc hold magic links to open files of the launcher: a
 * path through them reaches whatever the launcher leaked, outside the sandbox. */
bool is_fd_dir_path(const char *path) {
  const char *p = path;
  if (component_is(&p, "dev"))
    return component_is(&p, "fd") || component_is(&p, "stdin") || component_is(&p, "stdout") ||
           component_is(&p, "stderr");
  if (!component_is(&p, "proc")) return false;
  if (!(component_is(&p, "self") || component_is(&p, "thread-self") || component_is_number(&p))) return false;
  if (component_is(&p, "task") && !component_is_number(&p)) return false;
  return component_is(&p, "fd");
}

static const char fd_dir_message[] =
    "must not point into /proc/self/fd, /proc/<pid>/fd or /dev/fd (a file descriptor leaked "
    "there reaches outside the sandbox)";

char *get_sandbox_path(struct parse_ctx *ctx, const cJSON *item, const char *path) {
  const char *s, *why;
  char norm[PATH_MAX];
  if (!cr_jget_string(&ctx->diag, item, path, &s)) return NULL;
  if (normalize_sandbox_path(s, norm, sizeof norm, &why) < 0) {
    cr_jdiag_add(&ctx->diag, path, "%s", why);
    return NULL;
  }
  if (is_fd_dir_path(norm)) {
    cr_jdiag_add(&ctx->diag, path, "%s", fd_dir_message);
    return NULL;
  }
  return ctx_strdup(ctx, norm);
}

char *get_host_path(struct parse_ctx *ctx, const cJSON *item, const char *path) {
  const char *s, *why;
  char resolved[PATH_MAX], real[PATH_MAX];
  if (!cr_jget_string(&ctx->diag, item, path, &s)) return NULL;
  if (resolve_host_path(ctx->base_dir, s, resolved, sizeof resolved, &why) < 0) {
    cr_jdiag_add(&ctx->diag, path, "%s", why);
    return NULL;
  }
  /* Also through symlinks, for paths that exist. */
  if (is_fd_dir_path(resolved) || (realpath(resolved, real) && is_fd_dir_path(real))) {
    cr_jdiag_add(&ctx->diag, path, "%s", fd_dir_message);
    return NULL;
  }
  return ctx_strdup(ctx, resolved);
}

char *absolute_dirname(const char *file) {
  char cwd[PATH_MAX], resolved[PATH_MAX];
  const char *why;
  if (file[0] != '/' && !getcwd(cwd, sizeof cwd)) return NULL;
  if (resolve_host_path(file[0] == '/' ? "/" : cwd, file, resolved, sizeof resolved, &why) < 0) return NULL;
  pop_component(resolved, &(size_t){0});
  return strdup(resolved);
}

void check_parent_exists(struct parse_ctx *ctx, const char *path, const char *file) {
  char parent[PATH_MAX];
  snprintf(parent, sizeof parent, "%s", file);
  size_t used = strlen(parent);
  pop_component(parent, &used);
  struct stat st;
  if (stat(parent, &st) < 0 || !S_ISDIR(st.st_mode))
    cr_jdiag_add(&ctx->diag, path, "folder %s does not exist", cr_jquote(parent).s);
}
