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
static char *read_profile_fd(int fd, const char *where, cr_error *err) {
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

int cr_policy_compile_string(const char *json, const char *label, uint64_t kept_caps,
                             struct cr_bpf *out, struct cr_policy_stats *stats, cr_error *err) {
  *out = (struct cr_bpf){0};
  if (stats) *stats = (struct cr_policy_stats){0};
  struct cr_cache_input key = {.text_len = strlen(json), .kept_caps = kept_caps};
  const unsigned char *known = builtin_sha256(json);
  if (known) memcpy(key.text_sha256, known, CR_SHA256_SIZE);
  else if (!stats) cr_sha256(json, key.text_len, key.text_sha256);
  /* Statistics are only known from a real compile (`policy check`). */
  if (!stats && cr_policy_cache_load(&key, out)) return 0;
  cr_autofree char *warning = NULL;
  if (cr_profile_compile(json, label, kept_caps, out, stats, &warning, err) < 0) return -1;
  if (!stats) cr_policy_cache_store(&key, out, warning);
  return 0;
}

int cr_policy_compile_fd(int fd, const char *label, uint64_t kept_caps, struct cr_bpf *out,
                         struct cr_policy_stats *stats, cr_error *err) {
  char where[CR_ERROR_WHERE_MAX];
  snprintf(where, sizeof where, "policy %s", label);
  *out = (struct cr_bpf){0};
  if (stats) *stats = (struct cr_policy_stats){0};
  cr_autofree char *text = read_profile_fd(fd, where, err);
  if (!text) return -1;
  return cr_policy_compile_string(text, label, kept_caps, out, stats, err);
}

int cr_policy_compile_file(const char *path, uint64_t kept_caps, struct cr_bpf *out,
                           struct cr_policy_stats *stats, cr_error *err) {
  cr_autoclose int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    char where[CR_ERROR_WHERE_MAX];
    snprintf(where, sizeof where, "policy %s", path);
    return cr_fail(err, errno, where, "cannot open");
  }
  return cr_policy_compile_fd(fd, path, kept_caps, out, stats, err);
}

int cr_policy_compile(const struct cr_seccomp_spec *spec, uint64_t kept_caps, struct cr_bpf *out,
                      struct cr_policy_stats *stats, cr_error *err) {
  *out = (struct cr_bpf){0};
  if (stats) *stats = (struct cr_policy_stats){0};
  switch (spec->kind) {
    case CR_SECCOMP_NONE:
      return 0;
    case CR_SECCOMP_FILE:
      if (!spec->path) return cr_fail(err, 0, "policy", "no path given for the policy file");
      return cr_policy_compile_file(spec->path, kept_caps, out, stats, err);
    case CR_SECCOMP_INLINE:
      if (!spec->inline_json) return cr_fail(err, 0, "policy", "no inline policy given");
      return cr_policy_compile_string(spec->inline_json, "inline", kept_caps, out, stats, err);
    case CR_SECCOMP_BUILTIN: {
      const char *name = spec->builtin_name ? spec->builtin_name : "";
      const char *json = cr_policy_builtin(name);
      if (!json)
        return cr_fail(err, 0, "policy", "no built-in policy \"%s\" (there are default, strict)",
                       name);
      return cr_policy_compile_string(json, name, kept_caps, out, stats, err);
    }
  }
  return cr_fail(err, 0, "policy", "unknown seccomp spec kind %d", (int)spec->kind);
}

void cr_bpf_free(struct cr_bpf *bpf) {
  if (!bpf) return;
  free(bpf->insns);
  *bpf = (struct cr_bpf){0};
}
