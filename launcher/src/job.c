/* SPDX-License-Identifier: MIT */
/* cr_job: what one start of a created sandbox runs, when it is not the
 * config's process. Validated here, so that the init, which cannot say
 * much, only ever gets a well-formed job (start.c sends it). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "child/child.h"
#include "launch.h"

int cr_job_new(struct cr_job **out, cr_error **err) {
  *out = calloc(1, sizeof **out);
  return *out ? 0 : cr_fail(err, ENOMEM, "job", "allocate");
}

static void free_strings(char **v, size_t n) {
  for (size_t i = 0; v && i < n; i++) free(v[i]);
  free(v);
}

void cr_job_free(struct cr_job *job) {
  if (!job) return;
  free_strings(job->args, job->n_args);
  free_strings(job->env, job->n_env);
  free(job->cwd);
  for (size_t i = 0; i < job->n_fds; i++) close(job->fds[i].source);
  free(job->fds);
  free(job);
}

static int copy_strings(char ***out, size_t *n_out, size_t n, const char *const *v, const char *what,
                        cr_error **err) {
  char **copy = calloc(n + 1, sizeof *copy);
  if (!copy) return cr_fail(err, ENOMEM, "job", "%s", what);
  for (size_t i = 0; i < n; i++) {
    if (!v[i]) {
      free_strings(copy, n);
      return cr_fail(err, EINVAL, "job", "%s: entry %zu is NULL", what, i);
    }
    if (!(copy[i] = strdup(v[i]))) {
      free_strings(copy, n);
      return cr_fail(err, ENOMEM, "job", "%s", what);
    }
  }
  *out = copy;
  *n_out = n;
  return 0;
}

int cr_job_set_args(struct cr_job *job, size_t argc, const char *const *argv, cr_error **err) {
  if (argc == 0 || !argv || !argv[0] || !argv[0][0])
    return cr_fail(err, EINVAL, "job", "args: no program given");
  char **copy;
  size_t n;
  if (copy_strings(&copy, &n, argc, argv, "args", err) < 0) return -1;
  free_strings(job->args, job->n_args);
  job->args = copy;
  job->n_args = n;
  return 0;
}

int cr_job_set_env(struct cr_job *job, size_t n, const char *const *env, cr_error **err) {
  for (size_t i = 0; i < n; i++) {
    const char *eq = env && env[i] ? strchr(env[i], '=') : NULL;
    if (!eq || eq == env[i]) return cr_fail(err, EINVAL, "job", "env: entry %zu is not NAME=VALUE", i);
  }
  char **copy;
  size_t count;
  if (copy_strings(&copy, &count, n, env, "env", err) < 0) return -1;
  free_strings(job->env, job->n_env);
  job->env = copy;
  job->n_env = count;
  return 0;
}

int cr_job_set_cwd(struct cr_job *job, const char *cwd, cr_error **err) {
  if (!cwd || cwd[0] != '/') return cr_fail(err, EINVAL, "job", "cwd must be an absolute sandbox path");
  char *copy = strdup(cwd);
  if (!copy) return cr_fail(err, ENOMEM, "job", "cwd");
  free(job->cwd);
  job->cwd = copy;
  return 0;
}

int cr_job_set_fd(struct cr_job *job, int target, int source, cr_error **err) {
  if (target < 0 || target > 65535)
    return cr_fail(err, EINVAL, "job", "fd %d: targets are 0 to 65535", target);
  if (fcntl(source, F_GETFD) < 0)
    return cr_fail(err, EBADF, "job", "fd %d: the source fd %d is not open", target, source);
  /* a duplicate of the job's own, never at 0-2 (protocol.h) */
  int dup = cr_fd_above_stdio(fcntl(source, F_DUPFD_CLOEXEC, 3));
  if (dup < 0) return cr_fail(err, errno, "job", "fd %d: dup", target);
  for (size_t i = 0; i < job->n_fds; i++)
    if (job->fds[i].target == target) { /* set again: replaced */
      close(job->fds[i].source);
      job->fds[i].source = dup;
      return 0;
    }
  if (job->n_fds >= CR_JOB_MAX_FDS) {
    close(dup);
    return cr_fail(err, E2BIG, "job", "at most %d fds", CR_JOB_MAX_FDS);
  }
  struct cr_fd_slot *fds = realloc(job->fds, (job->n_fds + 1) * sizeof *fds);
  if (!fds) {
    close(dup);
    return cr_fail(err, ENOMEM, "job", "fds");
  }
  job->fds = fds;
  job->fds[job->n_fds++] = (struct cr_fd_slot){.target = target, .source = dup};
  return 0;
}

int cr_job_set_time_limit_ms(struct cr_job *job, uint64_t ms, cr_error **err) {
  (void)err;
  job->has_time_limit = true;
  job->time_limit_ms = ms;
  return 0;
}
