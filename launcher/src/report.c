/* SPDX-License-Identifier: MIT */
/* The run report: what happened, as JSON a program can read. Written for
 * every run, failed setups included, atomically (temp file + rename) so a
 * reader never sees half a report. A report path the caller gives
 * (--report) is written with the caller's rights; one the config names,
 * with the sandbox's host identity (identity.c): the config's author must
 * not choose a file the caller would overwrite; nor read the audit of the
 * caller's process in it. */
#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sys/random.h>

#include "cleanroom/cleanroom.h"
#include "cr/cleanup.h"
#include "identity.h"
#include "launch.h"

/* ---- results ------------------------------------------------------------ */

/* A JSON object of the result and its text, which the public field shows. */
struct json_part {
  cJSON *json;
  char *text;
};

static void json_part_free(struct json_part *p) {
  cJSON_Delete(p->json);
  free(p->text);
  *p = (struct json_part){0};
}

/* `json` becomes the part (taken over, also on failure); -1 when it cannot
 * be printed. */
static int json_part_set(struct json_part *p, cJSON *json, const char **pub) {
  char *text = json ? cJSON_PrintUnformatted(json) : NULL;
  if (!text) {
    cJSON_Delete(json);
    return -1;
  }
  json_part_free(p);
  *p = (struct json_part){.json = json, .text = text};
  *pub = text;
  return 0;
}

/* A result with its own copy of the error text, freed with it. */
struct result_box {
  struct cr_result pub;
  char *error;
  /* the audit's sections and the refusals: the report adds the objects,
   * pub.withheld, pub.carried and pub.denied point at their text */
  struct json_part withheld, carried, denied;
  char *killed_at;
  char *learned; /* pub.learned */
};

struct cr_result *cr_result_new(void) {
  struct result_box *box = calloc(1, sizeof *box);
  return box ? &box->pub : NULL;
}

void cr_result_free(struct cr_result *res) {
  if (!res) return;
  struct result_box *box = (struct result_box *)res;
  free(box->error);
  json_part_free(&box->withheld);
  json_part_free(&box->carried);
  json_part_free(&box->denied);
  free(box->killed_at);
  free(box->learned);
  free(box);
}

void cr_result_set_learned(struct cr_result *res, char *text) {
  struct result_box *box = (struct result_box *)res;
  free(box->learned);
  res->learned = box->learned = text;
}

int cr_result_set_denied(struct cr_result *res, const struct cr_denied_table *t, uint64_t execs_refused) {
  struct result_box *box = (struct result_box *)res;
  char *killed_at = cr_denied_killed_at(t);
  if ((t->killed_at && !killed_at) ||
      json_part_set(&box->denied, cr_denied_to_json(t, execs_refused), &res->denied) < 0) {
    free(killed_at);
    return -1;
  }
  free(box->killed_at);
  res->seccomp_killed_at = box->killed_at = killed_at;
  res->denied_unreported = t->unreported != 0;
  return 0;
}

int cr_result_set_audit(struct cr_result *res, cJSON *withheld, cJSON *carried) {
  struct result_box *box = (struct result_box *)res;
  int rc = json_part_set(&box->withheld, withheld, &res->withheld);
  return json_part_set(&box->carried, carried, &res->carried) < 0 ? -1 : rc;
}

void cr_result_set_error(struct cr_result *res, const cr_error *err) {
  struct result_box *box = (struct result_box *)res;
  free(box->error);
  box->error = err ? strdup(cr_error_message(err)) : NULL;
  res->error = box->error;
}

void cr_result_set_failed(struct cr_result *res, const cr_error *err) {
  res->exit_code = CR_EXIT_LAUNCHER_FAILED;
  res->setup_failed = true;
  cr_result_set_error(res, err);
}

void cr_free(void *p) { free(p); }

/* "cgroup": null when no cgroup limit was asked for; otherwise the version
 * used ("v2", "v1", "hybrid", or null when none could be) and, per limit
 * asked for, "v2", "v1" or "not applied" (optional and unavailable).
 * "peak_memory_kb": the memory cgroup's peak, null without one. */
static void add_cgroup(cJSON *o, const struct cr_result *res) {
  static const char *const use_name[] = {
      [CR_CGROUP_V1] = "v1", [CR_CGROUP_V2] = "v2", [CR_CGROUP_NOT_APPLIED] = "not applied"};
  const struct {
    const char *key;
    int use;
  } uses[] = {{"memory", res->cgroup_memory}, {"pids", res->cgroup_pids}, {"cpu", res->cgroup_cpu}};
  if (res->cgroup_memory == CR_CGROUP_V1 || res->cgroup_memory == CR_CGROUP_V2)
    cJSON_AddNumberToObject(o, "peak_memory_kb", (double)res->peak_memory_kb);
  else
    cJSON_AddNullToObject(o, "peak_memory_kb");
  cJSON *cg = NULL;
  for (size_t i = 0; i < CR_ARRAY_SIZE(uses); i++) {
    if (uses[i].use <= CR_CGROUP_UNUSED || uses[i].use > CR_CGROUP_NOT_APPLIED) continue;
    if (!cg) {
      cg = cJSON_AddObjectToObject(o, "cgroup");
      if (!cg) return;
      if (res->cgroup_version)
        cJSON_AddStringToObject(cg, "version", res->cgroup_version);
      else
        cJSON_AddNullToObject(cg, "version");
    }
    cJSON_AddStringToObject(cg, uses[i].key, use_name[uses[i].use]);
  }
  if (!cg) cJSON_AddNullToObject(o, "cgroup");
}

/* The system calls the filter refused on purpose (denied.c); [] when the
 * payload never ran. "seccomp_killed_at": the call the filter killed the
 * payload's process at, null when it did not. */
static void add_denied(cJSON *o, const struct result_box *box) {
  if (box && box->denied.json)
    cJSON_AddItemToObject(o, "denied", cJSON_Duplicate(box->denied.json, true));
  else
    cJSON_AddArrayToObject(o, "denied");
  if (box && box->killed_at)
    cJSON_AddStringToObject(o, "seccomp_killed_at", box->killed_at);
  else
    cJSON_AddNullToObject(o, "seccomp_killed_at");
  cJSON_AddBoolToObject(o, "denied_reported", !(box && box->pub.denied_unreported));
}

static cJSON *report_object(const struct cr_result *res, const cr_error *run_err, bool with_audit) {
  struct cr_result failed = {.exit_code = CR_EXIT_LAUNCHER_FAILED, .setup_failed = true};
  if (!res) res = &failed; /* a setup that failed before there was a sandbox */
  cJSON *o = cJSON_CreateObject();
  if (!o) return NULL;
  cJSON_AddNumberToObject(o, "exit_code", res->exit_code);
  if (res->term_signal)
    cJSON_AddNumberToObject(o, "signal", res->term_signal);
  else
    cJSON_AddNullToObject(o, "signal");
  cJSON_AddNumberToObject(o, "wall_ms", (double)res->wall_ms);
  cJSON_AddNumberToObject(o, "user_ms", (double)res->user_ms);
  cJSON_AddNumberToObject(o, "sys_ms", (double)res->sys_ms);
  cJSON_AddNumberToObject(o, "max_rss_kb", (double)res->max_rss_kb);
  cJSON_AddBoolToObject(o, "oom_killed", res->oom_killed);
  cJSON_AddBoolToObject(o, "time_limit_hit", res->time_limit_hit);
  cJSON_AddBoolToObject(o, "pids_limit_hit", res->pids_limit_hit);
  cJSON_AddBoolToObject(o, "setup_failed", res->setup_failed);
  cr_autofree char *line = run_err ? cr_error_one_line(run_err) : NULL;
  if (line)
    cJSON_AddStringToObject(o, "error", line);
  else
    cJSON_AddNullToObject(o, "error");
  add_cgroup(o, res);
  /* only results the library made have a box (a setup failed before has none) */
  const struct result_box *box = res != &failed ? (const struct result_box *)res : NULL;
  add_denied(o, box);
  if (!with_audit) return o;
  if (box && box->withheld.json)
    cJSON_AddItemToObject(o, "withheld", cJSON_Duplicate(box->withheld.json, true));
  if (box && box->carried.json) cJSON_AddItemToObject(o, "carried", cJSON_Duplicate(box->carried.json, true));
  return o;
}

/* The report's folder (a directory fd) and its file name in it. */
static int open_report_folder(const char *path, const char **name, cr_error **err) {
  cr_autofree char *dir = strdup(path);
  if (!dir) return cr_fail(err, ENOMEM, "report", "allocate");
  char *slash = strrchr(dir, '/');
  const char *folder = slash ? (slash == dir ? "/" : (*slash = '\0', dir)) : ".";
  *name = slash ? strrchr(path, '/') + 1 : path;
  if (!**name) return cr_fail(err, EISDIR, "report", "%s names a folder, not a file", path);
  int fd = cr_open_no_magiclinks(AT_FDCWD, folder, O_PATH | O_DIRECTORY, 0);
  if (fd < 0) return cr_fail(err, errno, "report", "folder %s of %s", folder, path);
  return fd;
}

static int check_as(const struct cr_identity *id, const char *path, cr_error **err) {
  const char *name;
  struct cr_identity_saved saved;
  if (cr_identity_enter(id, &saved, err) < 0) return -1;
  int dirfd = open_report_folder(path, &name, err);
  int rc = dirfd < 0 ? -1 : 0;
  struct stat st;
  /* AT_EACCESS: the filesystem ids decide, as they will for the write */
  if (rc == 0 && faccessat(dirfd, "", W_OK | X_OK, AT_EACCESS | AT_EMPTY_PATH) < 0) {
    char who[256];
    cr_identity_describe(id, who, sizeof who);
    rc = cr_fail(err, errno, "report", "cannot write in the folder of %s %s", path, who);
  } else if (rc == 0 && fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode)) {
    rc = cr_fail(err, EISDIR, "report", "%s", path);
  }
  if (dirfd >= 0) close(dirfd);
  cr_identity_leave(&saved);
  return rc;
}

/* A name nobody can guess, so nobody can have made it first. */
static int random_tmp_name(char *buf, size_t size, const char *name) {
  unsigned char bytes[12];
  if (getrandom(bytes, sizeof bytes, 0) != (ssize_t)sizeof bytes) return -1;
  char hex[2 * sizeof bytes + 1];
  for (size_t i = 0; i < sizeof bytes; i++) snprintf(hex + 2 * i, 3, "%02x", bytes[i]);
  return snprintf(buf, size, ".%.200s.%s.tmp", name, hex) < (int)size ? 0 : -1;
}

/* Write `text` to a fresh file in `dirfd`, then rename it to `name`. The
 * file is created exclusively under an unpredictable name, never through a
 * symlink and without blocking (no FIFO can be waiting there), and checked
 * to be a regular file of ours before anything is written. */
static int write_atomically(int dirfd, const char *name, const char *path, const char *text, uid_t owner,
                            cr_error **err) {
  char tmp[256];
  int fd = -1;
  for (int attempt = 0; attempt < 8 && fd < 0; attempt++) {
    if (random_tmp_name(tmp, sizeof tmp, name) < 0) return cr_fail(err, errno, "report", "random name");
    fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0644);
    if (fd < 0 && errno != EEXIST) return cr_fail(err, errno, "report", "create a file next to %s", path);
  }
  if (fd < 0) return cr_fail(err, EEXIST, "report", "create a file next to %s", path);
  struct stat st;
  int rc = 0;
  size_t len = strlen(text);
  if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != owner)
    rc = cr_fail(err, EPERM, "report", "the new file next to %s is not a regular file of ours", path);
  else if (write(fd, text, len) != (ssize_t)len || write(fd, "\n", 1) != 1 || fsync(fd) < 0)
    rc = cr_fail(err, errno, "report", "write next to %s", path);
  else if (renameat(dirfd, tmp, dirfd, name) < 0)
    rc = cr_fail(err, errno, "report", "rename to %s", path);
  if (rc < 0) unlinkat(dirfd, tmp, 0);
  close(fd);
  return rc;
}

static char *report_text(const struct cr_result *res, const cr_error *run_err, bool with_audit) {
  cJSON *o = report_object(res, run_err, with_audit);
  char *text = o ? cJSON_Print(o) : NULL;
  cJSON_Delete(o);
  return text;
}

char *cr_result_to_json(const struct cr_result *res, const cr_error *run_err) {
  return report_text(res, run_err, true);
}

static int write_as(const struct cr_identity *id, const char *path, const struct cr_result *res,
                    const cr_error *run_err, bool with_audit, cr_error **err) {
  cr_autofree char *text = report_text(res, run_err, with_audit);
  if (!text) return cr_fail(err, ENOMEM, "report", "build the report");
  struct cr_identity_saved saved;
  if (cr_identity_enter(id, &saved, err) < 0) return -1;
  const char *name;
  int dirfd = open_report_folder(path, &name, err);
  int rc = dirfd < 0 ? -1 : write_atomically(dirfd, name, path, text, id->uid, err);
  if (dirfd >= 0) close(dirfd);
  cr_identity_leave(&saved);
  return rc;
}

static const struct cr_identity *caller_identity(struct cr_identity *id) {
  *id = (struct cr_identity){.switched = false, .uid = geteuid(), .gid = getegid()};
  return id;
}

int cr_report_check(const char *path, cr_error **err) {
  struct cr_identity id;
  return check_as(caller_identity(&id), path, err);
}

int cr_report_write(const char *path, const struct cr_result *res, const cr_error *run_err, cr_error **err) {
  struct cr_identity id;
  return write_as(caller_identity(&id), path, res, run_err, true, err);
}

int cr_report_check_config(const struct cr_config *cfg, cr_error **err) {
  struct cr_identity id;
  if (!cfg->report_path) return 0;
  if (cr_identity_of(cfg, &id, err) < 0) return -1;
  return check_as(&id, cfg->report_path, err);
}

int cr_report_write_config(const struct cr_config *cfg, const struct cr_result *res, const cr_error *run_err,
                           cr_error **err) {
  struct cr_identity id;
  if (!cfg->report_path) return 0;
  if (cr_identity_of(cfg, &id, err) < 0) return -1;
  /* without the audit: it describes the caller's process, and whoever
   * wrote the config (a plugin's author) may read this file */
  return write_as(&id, cfg->report_path, res, run_err, false, err);
}
