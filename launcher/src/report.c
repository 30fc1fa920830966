/* The run report: what happened, as JSON a program can read. Written for
 * every run, failed setups included, atomically (temp file + rename) so a
 * reader never sees half a report. */
#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cr/cleanup.h"
#include "cleanroom.h"

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
      if (res->cgroup_version) cJSON_AddStringToObject(cg, "version", res->cgroup_version);
      else cJSON_AddNullToObject(cg, "version");
    }
    cJSON_AddStringToObject(cg, uses[i].key, use_name[uses[i].use]);
  }
  if (!cg) cJSON_AddNullToObject(o, "cgroup");
}

static cJSON *report_object(const struct cr_result *res, const cr_error *run_err) {
  cJSON *o = cJSON_CreateObject();
  if (!o) return NULL;
  cJSON_AddNumberToObject(o, "exit_code", res->exit_code);
  if (res->term_signal) cJSON_AddNumberToObject(o, "signal", res->term_signal);
  else cJSON_AddNullToObject(o, "signal");
  cJSON_AddNumberToObject(o, "wall_ms", (double)res->wall_ms);
  cJSON_AddNumberToObject(o, "user_ms", (double)res->user_ms);
  cJSON_AddNumberToObject(o, "sys_ms", (double)res->sys_ms);
  cJSON_AddNumberToObject(o, "max_rss_kb", (double)res->max_rss_kb);
  cJSON_AddBoolToObject(o, "oom_killed", res->oom_killed);
  cJSON_AddBoolToObject(o, "time_limit_hit", res->time_limit_hit);
  cJSON_AddBoolToObject(o, "pids_limit_hit", res->pids_limit_hit);
  cJSON_AddBoolToObject(o, "setup_failed", res->setup_failed);
  if (run_err && cr_error_is_set(run_err)) {
    char line[CR_ERROR_WHAT_MAX + CR_ERROR_WHERE_MAX + 64];
    cr_error_format(run_err, line, sizeof line);
    cJSON_AddStringToObject(o, "error", line);
  } else {
    cJSON_AddNullToObject(o, "error");
  }
  add_cgroup(o, res);
  return o;
}

int cr_report_check(const char *path, cr_error *err) {
  cr_autofree char *dir = strdup(path);
  if (!dir) return cr_fail(err, ENOMEM, "report", "allocate");
  char *slash = strrchr(dir, '/');
  const char *folder = slash ? (slash == dir ? "/" : (*slash = '\0', dir)) : ".";
  struct stat st;
  if (stat(folder, &st) < 0) return cr_fail(err, errno, "report", "folder %s of %s", folder, path);
  if (!S_ISDIR(st.st_mode)) return cr_fail(err, ENOTDIR, "report", "folder %s of %s", folder, path);
  if (access(folder, W_OK) < 0) return cr_fail(err, errno, "report", "cannot write in %s", folder);
  if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode))
    return cr_fail(err, EISDIR, "report", "%s", path);
  return 0;
}

int cr_report_write(const char *path, const struct cr_result *res, const cr_error *run_err,
                    cr_error *err) {
  cJSON *o = report_object(res, run_err);
  cr_autofree char *text = o ? cJSON_Print(o) : NULL;
  cJSON_Delete(o);
  if (!text) return cr_fail(err, ENOMEM, "report", "build the report");
  cr_autofree char *tmp = NULL;
  if (asprintf(&tmp, "%s.tmp.%d", path, (int)getpid()) < 0) {
    tmp = NULL;
    return cr_fail(err, ENOMEM, "report", "allocate");
  }
  cr_autoclose int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
  if (fd < 0) return cr_fail(err, errno, "report", "create %s", tmp);
  size_t len = strlen(text);
  if (write(fd, text, len) != (ssize_t)len || write(fd, "\n", 1) != 1 || fsync(fd) < 0) {
    int saved = errno;
    unlink(tmp);
    return cr_fail(err, saved, "report", "write %s", tmp);
  }
  if (rename(tmp, path) < 0) {
    int saved = errno;
    unlink(tmp);
    return cr_fail(err, saved, "report", "rename to %s", path);
  }
  return 0;
}
