/* SPDX-License-Identifier: MIT */
/* Hints: after the message that says what went wrong, what to do about
 * it, where the command line can see more than the sandbox: a program or
 * folder that exists here but is not in the sandbox, a program name that
 * means another program in the sandbox than here, a file root can read but
 * the sandbox's uid cannot. The view of the sandbox is the config's binds
 * of a host folder at its own path. */
#include <cjson/cJSON.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

struct view {
  cJSON *root;
  const char *program; /* process.path, else args[0] */
  const char *sandbox_path_env;
  const cJSON *fs;
  unsigned host_uid;
};

static int view_of(const cr_config *cfg, struct view *v) {
  memset(v, 0, sizeof *v);
  char *text = cr_config_to_json(cfg);
  v->root = text ? cJSON_Parse(text) : NULL;
  cr_free(text);
  if (!v->root) return -1;
  const cJSON *proc = cJSON_GetObjectItemCaseSensitive(v->root, "process");
  const cJSON *path = cJSON_GetObjectItemCaseSensitive(proc, "path");
  const cJSON *args = cJSON_GetObjectItemCaseSensitive(proc, "args");
  const cJSON *env = cJSON_GetObjectItemCaseSensitive(proc, "env");
  const cJSON *sandbox_path = cJSON_GetObjectItemCaseSensitive(env, "PATH");
  const cJSON *host_uid = cJSON_GetObjectItemCaseSensitive(proc, "host_uid");
  v->program = cJSON_IsString(path)                                 ? path->valuestring
               : cJSON_IsArray(args) && cJSON_IsString(args->child) ? args->child->valuestring
                                                                    : NULL;
  v->sandbox_path_env = cJSON_IsString(sandbox_path) ? sandbox_path->valuestring : "";
  v->fs = cJSON_GetObjectItemCaseSensitive(v->root, "filesystem");
  v->host_uid = cJSON_IsNumber(host_uid) ? (unsigned)host_uid->valuedouble : 65534;
  return v->program ? 0 : -1;
}

/* Whether the host path is in the sandbox at the same path (a bind of a
 * folder at its own path covers what is below it). */
static bool visible(const struct view *v, const char *path) {
  const cJSON *e;
  cJSON_ArrayForEach(e, v->fs) {
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(e, "type");
    const cJSON *src = cJSON_GetObjectItemCaseSensitive(e, "source");
    const cJSON *dst = cJSON_GetObjectItemCaseSensitive(e, "target");
    if (!cJSON_IsString(type) || strcmp(type->valuestring, "bind") != 0 || !cJSON_IsString(src) ||
        !cJSON_IsString(dst) || strcmp(src->valuestring, dst->valuestring) != 0)
      continue;
    size_t n = strlen(src->valuestring);
    if (strncmp(path, src->valuestring, n) == 0 && (path[n] == '\0' || path[n] == '/' || n == 1)) return true;
  }
  return false;
}

/* The first NAME in the PATH list that is an executable file, or NULL; with
 * `v`, only those the sandbox sees. */
static char *which(const char *name, const char *path_list, const struct view *v) {
  for (const char *dir = path_list; dir && *dir;) {
    const char *end = strchr(dir, ':');
    size_t len = end ? (size_t)(end - dir) : strlen(dir);
    char *candidate = NULL;
    if (len && asprintf(&candidate, "%.*s/%s", (int)len, dir, name) >= 0) {
      struct stat st;
      if ((!v || visible(v, candidate)) && stat(candidate, &st) == 0 && S_ISREG(st.st_mode) &&
          access(candidate, X_OK) == 0)
        return candidate;
      free(candidate);
    }
    dir = end ? end + 1 : NULL;
  }
  return NULL;
}

/* The folder to bind for a program: the prefix of a .../bin/NAME (a venv,
 * a toolchain), else its own folder. Returns a new string. */
static char *folder_to_bind(const char *program) {
  char *dir = strdup(program);
  if (!dir) return NULL;
  char *slash = strrchr(dir, '/');
  if (slash && slash != dir) *slash = '\0';
  size_t n = strlen(dir);
  if (n > 4 && strcmp(dir + n - 4, "/bin") == 0) dir[n - 4] = '\0';
  return dir;
}

/* Two programs are the same one when their folders are (merged /usr: /bin
 * and /usr/bin). */
static bool same_folder(const char *a, const char *b) {
  char da[PATH_MAX], db[PATH_MAX], ra[PATH_MAX], rb[PATH_MAX];
  snprintf(da, sizeof da, "%s", a);
  snprintf(db, sizeof db, "%s", b);
  char *sa = strrchr(da, '/'), *sb = strrchr(db, '/');
  if (sa) *sa = '\0';
  if (sb) *sb = '\0';
  if (!realpath(*da ? da : "/", ra) || !realpath(*db ? db : "/", rb)) return strcmp(da, db) == 0;
  return strcmp(ra, rb) == 0 && strcmp(sa ? sa + 1 : a, sb ? sb + 1 : b) == 0;
}

void cli_note_program(const cr_config *cfg) {
  struct view v;
  if (view_of(cfg, &v) < 0 || strchr(v.program, '/')) {
    cJSON_Delete(v.root);
    return;
  }
  char *here = which(v.program, getenv("PATH"), NULL);
  char *there = which(v.program, v.sandbox_path_env, &v);
  if (here && there && !same_folder(here, there)) {
    char *folder = folder_to_bind(here);
    cli_note(
        "%s here is %s, but in the sandbox %s (its PATH is %s); to run %s there, give its path and bind "
        "its folder: --ro-bind %s -- %s ...",
        v.program, here, there, v.sandbox_path_env, here, folder ? folder : here, here);
    free(folder);
  }
  free(here);
  free(there);
  cJSON_Delete(v.root);
}

static void hint_not_found(const struct view *v, const char *program) {
  struct stat st;
  if (strchr(program, '/')) {
    if (stat(program, &st) != 0) return;
    char *folder = folder_to_bind(program);
    cli_hint(
        "%s exists on the host but not in the sandbox: bind its folder (--ro-bind %s, or a bind in the "
        "config)",
        program, folder ? folder : program);
    free(folder);
    return;
  }
  char *here = which(program, getenv("PATH"), NULL);
  if (here) {
    char *folder = folder_to_bind(here);
    cli_hint("%s is not in the sandbox's PATH (%s); here it is %s: --ro-bind %s -- %s ...", program,
             v->sandbox_path_env, here, folder ? folder : here, here);
    free(folder);
  }
  free(here);
}

static void hint_identity(const struct view *v, const char *what) {
  if (geteuid() != 0) return;
  cli_hint(
      "cleanroom runs as root, so the sandbox runs as uid %u (process.host_uid), which may not reach %s: "
      "make it and its folders readable by that uid (chmod o+rX), or run cleanroom as an ordinary user",
      v->host_uid, what);
}

void cli_hint_failure(const cr_config *cfg, const cr_error *err) {
  struct view v;
  if (!err) return;
  if (view_of(cfg, &v) < 0) {
    cJSON_Delete(v.root);
    return;
  }
  const char *where = cr_error_where(err), *what = cr_error_what(err);
  int e = cr_error_errno(err);
  struct stat st;
  if (strcmp(where, "exec") == 0 && (e == ENOENT || e == ENOTDIR)) {
    hint_not_found(&v, what);
  } else if (strcmp(where, "exec") == 0 && e == EACCES) {
    hint_identity(&v, what);
  } else if (strcmp(where, "cwd") == 0 && e == ENOENT && stat(what, &st) == 0) {
    cli_hint(
        "%s exists on the host but not in the sandbox: --here binds the current folder and works there, "
        "or --bind %s --cwd %s",
        what, what, what);
  } else if (strcmp(where, "cwd") == 0 && e == EACCES) {
    hint_identity(&v, what);
  }
  cJSON_Delete(v.root);
}
