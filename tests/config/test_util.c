/* SPDX-License-Identifier: MIT */
#include "test_util.h"

#include <ftw.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int test_failures;

const char *Q(const char *single_quoted) {
  static char buffers[8][32768];
  static unsigned next;
  char *out = buffers[next++ % 8];
  size_t len = strlen(single_quoted);
  if (len >= sizeof buffers[0]) {
    fprintf(stderr, "Q: text too long\n");
    exit(2);
  }
  for (size_t i = 0; i <= len; i++) out[i] = single_quoted[i] == '\'' ? '"' : single_quoted[i];
  return out;
}

struct cr_config *load_ok_at(const char *json, const char *base_dir, const char *file, int line) {
  struct cr_config *cfg = NULL;
  cr_error *err = NULL;
  if (cr_config_load_string(json, "test", base_dir ? base_dir : "/", &cfg, &err) < 0) {
    fprintf(stderr, "%s:%d: config did not load:\n", file, line);
    cr_error_print(err, stderr);
    cr_error_free(err);
    test_failures++;
    return NULL;
  }
  return cfg;
}

bool load_fails_at(const char *json, const char *base_dir, cr_error **err, const char *file, int line) {
  struct cr_config *cfg = NULL;
  cr_error_clear(err);
  if (cr_config_load_string(json, "test", base_dir ? base_dir : "/", &cfg, err) == 0) {
    fprintf(stderr, "%s:%d: config loaded but should have failed:\n%s\n", file, line, json);
    cr_config_free(cfg);
    test_failures++;
    return false;
  }
  if (cfg) {
    fprintf(stderr, "%s:%d: failed load left *out set\n", file, line);
    test_failures++;
  }
  if (strcmp(cr_error_where(*err), "test") != 0 || cr_error_errno(*err) != 0) {
    fprintf(stderr, "%s:%d: error where=\"%s\" errnum=%d, expected \"test\" and 0\n", file, line,
            cr_error_where(*err), cr_error_errno(*err));
    test_failures++;
  }
  return true;
}

static bool error_has(const cr_error *err, const char *text, bool exact) {
  size_t len = strlen(text);
  for (const char *line = cr_error_what(err); line;) {
    const char *end = strchr(line, '\n');
    size_t line_len = end ? (size_t)(end - line) : strlen(line);
    if (exact && line_len == len && strncmp(line, text, len) == 0) return true;
    if (!exact && memmem(line, line_len, text, len)) return true;
    line = end ? end + 1 : NULL;
  }
  return false;
}

bool error_has_line(const cr_error *err, const char *line) { return error_has(err, line, true); }
bool error_has_part(const cr_error *err, const char *part) { return error_has(err, part, false); }

size_t error_line_count(const cr_error *err) {
  const char *what = cr_error_what(err);
  if (!what[0]) return 0;
  size_t n = 1;
  for (const char *p = what; *p; p++) n += *p == '\n';
  return n;
}

void expect_error_at(const char *json, const char *line, bool exact, const char *file, int src_line) {
  cr_error *err = NULL;
  if (!load_fails_at(json, NULL, &err, file, src_line)) return;
  if (error_has(err, line, exact)) {
    cr_error_free(err);
    return;
  }
  fprintf(stderr, "%s:%d: expected error %s\n  %s\ngot:\n%s\n", file, src_line, exact ? "line" : "containing",
          line, cr_error_what(err));
  cr_error_free(err);
  test_failures++;
}

char *make_temp_dir(void) {
  char templ[] = "/tmp/cr-config-test-XXXXXX";
  if (!mkdtemp(templ)) {
    perror("mkdtemp");
    exit(2);
  }
  char *real = realpath(templ, NULL);
  if (!real) {
    perror("realpath");
    exit(2);
  }
  return real;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
  (void)st, (void)flag, (void)ftw;
  return remove(path);
}

void remove_tree(const char *dir) { nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS); }

char *path_join(const char *dir, const char *name) {
  char *path = NULL;
  if (asprintf(&path, "%s/%s", dir, name) < 0) exit(2);
  return path;
}

char *write_file(const char *dir, const char *name, const char *content) {
  char *path = path_join(dir, name);
  FILE *f = fopen(path, "w");
  if (!f || fputs(content, f) < 0 || fclose(f) != 0) {
    perror(path);
    exit(2);
  }
  return path;
}

/* ---- configs_equal ---- */

static bool same_str(const char *a, const char *b) { return (!a && !b) || (a && b && strcmp(a, b) == 0); }

#define DIFF(cond, what)                             \
  do {                                               \
    if (!(cond)) {                                   \
      fprintf(stderr, "configs differ: %s\n", what); \
      equal = false;                                 \
    }                                                \
  } while (0)

static bool processes_equal(const struct cr_process *a, const struct cr_process *b) {
  bool equal = true;
  DIFF(same_str(a->path, b->path), "process.path");
  DIFF(a->n_args == b->n_args, "process.n_args");
  for (size_t i = 0; equal && i < a->n_args; i++) DIFF(same_str(a->args[i], b->args[i]), "process.args");
  DIFF(a->args && b->args && !a->args[a->n_args] && !b->args[b->n_args], "args NULL-terminated");
  DIFF(a->n_env == b->n_env, "process.n_env");
  for (size_t i = 0; equal && i < a->n_env; i++) {
    DIFF(same_str(a->env[i].name, b->env[i].name), "process.env name");
    DIFF(same_str(a->env[i].value, b->env[i].value), "process.env value");
  }
  DIFF(same_str(a->cwd, b->cwd), "process.cwd");
  DIFF(a->uid == b->uid && a->gid == b->gid, "process uid/gid");
  DIFF(a->host_uid == b->host_uid && a->host_gid == b->host_gid, "process host ids");
  DIFF(a->umask == b->umask, "process.umask");
  DIFF(a->has_oom_score_adj == b->has_oom_score_adj && a->oom_score_adj == b->oom_score_adj,
       "process.oom_score_adj");
  DIFF(a->has_nice == b->has_nice && a->nice == b->nice, "process.nice");
  DIFF(a->has_cpus == b->has_cpus && memcmp(a->cpus, b->cpus, sizeof a->cpus) == 0, "process.cpus");
  return equal;
}

static bool fs_equal(const struct cr_fs_entry *a, const struct cr_fs_entry *b) {
  bool equal = true;
  DIFF(a->type == b->type, "fs type");
  DIFF(same_str(a->source, b->source) && same_str(a->target, b->target), "fs source/target");
  DIFF(same_str(a->link_to, b->link_to), "fs link_to");
  DIFF(same_str(a->content, b->content) && a->content_len == b->content_len, "fs content");
  DIFF(a->writable == b->writable && a->optional == b->optional, "fs writable/optional");
  DIFF(a->dev_pts == b->dev_pts && a->dev_shm == b->dev_shm, "fs pts/shm");
  DIFF(a->size == b->size && a->mode == b->mode, "fs size/mode");
  DIFF(a->size_percent == b->size_percent, "fs size percent");
  DIFF(a->shm_size == b->shm_size && a->shm_size_percent == b->shm_size_percent, "fs shm_size");
  return equal;
}

static bool fd_equal(const struct cr_fd_entry *a, const struct cr_fd_entry *b) {
  bool equal = true;
  DIFF(a->fd == b->fd && a->kind == b->kind, "fd number/kind");
  DIFF(a->inherit_fd == b->inherit_fd, "fd inherit");
  DIFF(same_str(a->path, b->path) && a->open_flags == b->open_flags, "fd path/flags");
  return equal;
}

static bool limits_equal(const struct cr_limits *a, const struct cr_limits *b) {
  bool equal = true;
  DIFF(a->time_ms == b->time_ms && a->kill_grace_ms == b->kill_grace_ms, "limits time");
  DIFF(a->memory == b->memory && a->pids == b->pids && a->cpu == b->cpu, "limits memory/pids/cpu");
  DIFF(a->optional == b->optional, "limits.optional");
  DIFF(a->n_rlimits == b->n_rlimits, "limits.n_rlimits");
  for (size_t i = 0; equal && i < a->n_rlimits; i++) {
    DIFF(a->rlimits[i].resource == b->rlimits[i].resource, "rlimit resource");
    DIFF(a->rlimits[i].soft == b->rlimits[i].soft && a->rlimits[i].hard == b->rlimits[i].hard,
         "rlimit values");
  }
  return equal;
}

bool configs_equal(const struct cr_config *a, const struct cr_config *b) {
  bool equal = processes_equal(&a->process, &b->process);
  DIFF(a->namespaces == b->namespaces, "namespaces");
  DIFF(same_str(a->hostname, b->hostname), "hostname");
  DIFF(a->n_fs == b->n_fs, "n_fs");
  for (size_t i = 0; i < a->n_fs && i < b->n_fs; i++) equal = fs_equal(&a->fs[i], &b->fs[i]) && equal;
  DIFF(a->n_fds == b->n_fds, "n_fds");
  for (size_t i = 0; i < a->n_fds && i < b->n_fds; i++) equal = fd_equal(&a->fds[i], &b->fds[i]) && equal;
  DIFF(a->seccomp.kind == b->seccomp.kind, "seccomp.kind");
  DIFF(same_str(a->seccomp.builtin_name, b->seccomp.builtin_name), "seccomp.builtin_name");
  DIFF(same_str(a->seccomp.path, b->seccomp.path), "seccomp.path");
  DIFF(same_str(a->seccomp.inline_json, b->seccomp.inline_json), "seccomp.inline_json");
  DIFF(a->capabilities == b->capabilities, "capabilities");
  DIFF(a->network == b->network, "network");
  equal = limits_equal(&a->limits, &b->limits) && equal;
  DIFF(same_str(a->report_path, b->report_path), "report_path");
  return equal;
}

int test_result(const char *name) {
  if (test_failures) {
    fprintf(stderr, "%s: %d check(s) failed\n", name, test_failures);
    return 1;
  }
  printf("%s: all checks passed\n", name);
  return 0;
}
