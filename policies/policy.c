/* SPDX-License-Identifier: MIT */
/* The public entry points of cr/policy.h: find the profile text (built-in,
 * file or inline) and hand it to the compiler in profile.c. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cr/cleanup.h"
#include "internal.h"

/* Generated at build time from policies/default.json and strict.json, each
 * with the SHA-256 of its text. */
extern const char cr_policy_default_json[];
extern const char cr_policy_strict_json[];
extern const unsigned char cr_policy_default_json_sha256[CR_SHA256_SIZE];
extern const unsigned char cr_policy_strict_json_sha256[CR_SHA256_SIZE];

/* The SHA-256 of a built-in's text, NULL for other text. */
static const unsigned char *builtin_sha256(const char *json) {
  if (json == cr_policy_default_json) return cr_policy_default_json_sha256;
  if (json == cr_policy_strict_json) return cr_policy_strict_json_sha256;
  return NULL;
}

/* Profiles are a few hundred KiB at most; anything larger is a mistake. */
#define MAX_PROFILE_SIZE (16u << 20)

const char *cr_policy_builtin(const char *name) {
  if (strcmp(name, "default") == 0) return cr_policy_default_json;
  if (strcmp(name, "strict") == 0) return cr_policy_strict_json;
  return NULL;
}

static int read_text(int fd, char *buf, size_t size) {
  size_t done = 0;
  while (done < size) {
    ssize_t n = read(fd, buf + done, size - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return -1;
    if (n == 0) break; /* the file shrank: parse what is there */
    done += (size_t)n;
  }
  buf[done] = '\0';
  return 0;
}

/* The whole file as a NUL-terminated string. */
static char *read_profile_fd(int fd, const char *where, cr_error **err) {
  struct stat st;
  if (fstat(fd, &st) < 0) {
    cr_fail(err, errno, where, "fstat");
    return NULL;
  }
  if (!S_ISREG(st.st_mode) || (uint64_t)st.st_size > MAX_PROFILE_SIZE) {
    cr_fail(err, 0, where, "not a regular file of at most %u bytes", MAX_PROFILE_SIZE);
    return NULL;
  }
  cr_autofree char *text = malloc((size_t)st.st_size + 1);
  if (!text) {
    cr_fail(err, ENOMEM, where, "reading the profile");
    return NULL;
  }
  if (read_text(fd, text, (size_t)st.st_size) < 0) {
    cr_fail(err, errno, where, "read");
    return NULL;
  }
  if (strlen(text) != (size_t)st.st_size) {
    cr_fail(err, 0, where, "the file holds a NUL byte: not JSON text");
    return NULL;
  }
  return cr_steal_ptr(&text);
}

/* The warning a compile gives, as log lines. */
static void log_warning(const struct cr_policy_env *env, const char *warning) {
  if (warning && warning[0]) cr_warn(env ? env->log : NULL, "%s", warning);
}

static int compile_text(const char *json, const char *label, const char *where, const char *path_root,
                        const struct cr_policy_env *env, struct cr_bpf *out, struct cr_policy_stats *stats,
                        cr_error **err) {
  *out = (struct cr_bpf){0};
  if (stats) *stats = (struct cr_policy_stats){0};
  uint64_t kept_caps = env ? env->kept_caps : 0;
  const char *cache_dir = env && !stats ? env->cache_dir : NULL;
  const struct cr_log *log = env ? env->log : NULL;
  struct cr_cache_input key = {.text_len = strlen(json), .kept_caps = kept_caps};
  if (cache_dir) {
    const unsigned char *known = builtin_sha256(json);
    if (known)
      memcpy(key.text_sha256, known, CR_SHA256_SIZE);
    else
      cr_sha256(json, key.text_len, key.text_sha256);
  }
  cr_autofree char *warning = NULL;
  /* Statistics are only known from a real compile (`policy check`). */
  if (cache_dir && cr_policy_cache_load(cache_dir, log, &key, out, &warning)) {
    log_warning(env, warning);
    return 0;
  }
  if (cr_profile_compile(json, label, where, path_root, kept_caps, out, stats, &warning, err) < 0) return -1;
  log_warning(env, warning);
  if (cache_dir) cr_policy_cache_store(cache_dir, log, &key, out, warning);
  return 0;
}

static char *policy_where(const char *label) {
  char *where = NULL;
  return asprintf(&where, "policy %s", label) < 0 ? NULL : where;
}

int cr_policy_compile_string(const char *json, const char *label, const struct cr_policy_env *env,
                             struct cr_bpf *out, struct cr_policy_stats *stats, cr_error **err) {
  cr_autofree char *where = policy_where(label);
  if (!where) return cr_fail(err, ENOMEM, "policy", "allocate");
  return compile_text(json, label, where, "$", env, out, stats, err);
}

int cr_policy_compile_fd(int fd, const char *label, const struct cr_policy_env *env, struct cr_bpf *out,
                         struct cr_policy_stats *stats, cr_error **err) {
  *out = (struct cr_bpf){0};
  if (stats) *stats = (struct cr_policy_stats){0};
  cr_autofree char *where = policy_where(label);
  if (!where) return cr_fail(err, ENOMEM, "policy", "allocate");
  cr_autofree char *text = read_profile_fd(fd, where, err);
  if (!text) return -1;
  return compile_text(text, label, where, "$", env, out, stats, err);
}

int cr_policy_compile_file(const char *path, const struct cr_policy_env *env, struct cr_bpf *out,
                           struct cr_policy_stats *stats, cr_error **err) {
  cr_autoclose int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    cr_autofree char *where = policy_where(path);
    return cr_fail(err, errno, where ? where : "policy", "cannot open");
  }
  return cr_policy_compile_fd(fd, path, env, out, stats, err);
}

int cr_policy_compile(const struct cr_seccomp_spec *spec, const struct cr_policy_env *env, struct cr_bpf *out,
                      struct cr_policy_stats *stats, cr_error **err) {
  *out = (struct cr_bpf){0};
  if (stats) *stats = (struct cr_policy_stats){0};
  switch (spec->kind) {
    case CR_SECCOMP_NONE: return 0;
    case CR_SECCOMP_FILE:
      if (!spec->path) return cr_fail(err, 0, "policy", "no path given for the policy file");
      return cr_policy_compile_file(spec->path, env, out, stats, err);
    case CR_SECCOMP_INLINE:
      if (!spec->inline_json) return cr_fail(err, 0, "policy", "no inline policy given");
      /* errors name the config and the profile's place in it */
      return compile_text(spec->inline_json, "inline", spec->origin ? spec->origin : "config", "$.seccomp",
                          env, out, stats, err);
    case CR_SECCOMP_BUILTIN: {
      const char *name = spec->builtin_name ? spec->builtin_name : "";
      const char *json = cr_policy_builtin(name);
      if (!json)
        return cr_fail(err, 0, "policy", "no built-in policy \"%s\" (there are default, strict)", name);
      return cr_policy_compile_string(json, name, env, out, stats, err);
    }
  }
  return cr_fail(err, 0, "policy", "unknown seccomp spec kind %d", (int)spec->kind);
}

void cr_bpf_free(struct cr_bpf *bpf) {
  if (!bpf) return;
  free(bpf->insns);
  free(bpf->reporting);
  *bpf = (struct cr_bpf){0};
}
