/* SPDX-License-Identifier: MIT */
/* An ordinary caller's other sandbox ids: the subordinate ids /etc/subuid
 * and /etc/subgid grant it, mapped by the distribution's setuid helpers
 * newuidmap and newgidmap (an unprivileged process may map only its own
 * id). As for a root caller's range (plan.c), nothing of the sandbox can
 * ever run as or give a file to one of them: they exist so that chown and
 * setuid to another id answer EPERM, not EINVAL. Without a grant, or
 * without the helpers, the sandbox maps the caller's own ids only. */
#include <errno.h>
#include <pwd.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cr/cleanup.h"
#include "plan.h"
#include "subids.h"

/* Fixed paths: the library reads no PATH. */
static const char newuidmap[] = "/usr/bin/newuidmap";
static const char newgidmap[] = "/usr/bin/newgidmap";

struct subid_range {
  uint32_t start, count;
};

/* The first "NAME:START:COUNT" (or "ID:START:COUNT") line of `file` that
 * is the caller's. */
static bool granted(const char *file, const char *name, unsigned id, struct subid_range *out) {
  FILE *f = fopen(file, "re");
  if (!f) return false;
  char line[512];
  bool found = false;
  while (!found && fgets(line, sizeof line, f)) {
    char who[256];
    unsigned long start, count;
    if (sscanf(line, "%255[^:]:%lu:%lu", who, &start, &count) != 3 || count == 0 || start == 0 ||
        start + count > UINT32_MAX)
      continue;
    char *end;
    unsigned long as_id = strtoul(who, &end, 10);
    if ((name && strcmp(who, name) == 0) || (*end == '\0' && end != who && as_id == id)) {
      *out = (struct subid_range){(uint32_t)start, (uint32_t)count};
      found = true;
    }
  }
  fclose(f);
  return found;
}

static bool map_written(pid_t pid, const char *file) {
  char path[64], byte;
  snprintf(path, sizeof path, "/proc/%d/%s", (int)pid, file);
  FILE *f = fopen(path, "re");
  if (!f) return false;
  bool any = fread(&byte, 1, 1, f) == 1;
  fclose(f);
  return any;
}

/* newuidmap/newgidmap PID, then the map's extents (plan.c's layout) as
 * triplets, the others on the granted range. */
static int run_helper(const char *helper, pid_t pid, uint32_t id, uint32_t outer, struct subid_range r,
                      uint32_t most, cr_error **err) {
  struct cr_id_extent e[3];
  size_t n = cr_id_map_extents(id, outer, r.start, r.count < most ? r.count : most, e);
  char buf[1 + 3 * 3][16];
  char *argv[2 + 3 * 3 + 1];
  int k = 0;
  argv[k++] = (char *)helper;
  snprintf(buf[0], sizeof buf[0], "%d", (int)pid);
  argv[k++] = buf[0];
  for (size_t i = 0; i < n; i++) {
    uint32_t v[3] = {e[i].inside, e[i].outside, e[i].count};
    for (int j = 0; j < 3; j++) {
      snprintf(buf[k - 1], sizeof buf[k - 1], "%u", (unsigned)v[j]);
      argv[k] = buf[k - 1];
      k++;
    }
  }
  argv[k] = NULL;
  char *envp[] = {NULL};
  /* the host's own open fds are not the setuid helper's business */
  posix_spawn_file_actions_t actions;
  if (posix_spawn_file_actions_init(&actions) != 0) return cr_fail(err, ENOMEM, "user namespace", "spawn");
  posix_spawn_file_actions_addclosefrom_np(&actions, 3);
  pid_t child;
  int rc = posix_spawn(&child, helper, &actions, NULL, argv, envp);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return cr_fail(err, rc, "user namespace", "start %s", helper);
  int status = 0;
  while (waitpid(child, &status, 0) < 0) {
    if (errno == EINTR) continue;
    /* a host that ignores SIGCHLD has its children reaped for it: the map
     * written is then the answer */
    if (errno == ECHILD && map_written(pid, helper == newuidmap ? "uid_map" : "gid_map")) return 0;
    return cr_fail(err, errno, "user namespace", "wait for %s", helper);
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    return cr_fail(err, 0, "user namespace",
                   "%s refused the subordinate ids /etc/sub%cid grants (status %#x); "
                   "CLEANROOM_ID_RANGE=none maps your own ids only",
                   helper, helper == newuidmap ? 'u' : 'g', (unsigned)status);
  return 0;
}

int cr_subids_write_maps(const struct cr_plan *plan, pid_t pid, bool *written, cr_error **err) {
  *written = false;
  if (plan->caller_is_root || plan->id_count == 0) return 0;
  if (access(newuidmap, X_OK) != 0 || access(newgidmap, X_OK) != 0) return 0;
  const struct cr_process *p = &plan->cfg->process;
  char pwbuf[1024];
  struct passwd pw, *found = NULL;
  uid_t uid = getuid();
  const char *name = getpwuid_r(uid, &pw, pwbuf, sizeof pwbuf, &found) == 0 && found ? pw.pw_name : NULL;
  struct subid_range ur, gr;
  if (!granted("/etc/subuid", name, (unsigned)uid, &ur) || !granted("/etc/subgid", name, (unsigned)uid, &gr))
    return 0;
  if (run_helper(newuidmap, pid, p->uid, (uint32_t)plan->outer_uid, ur, plan->id_count, err) < 0 ||
      run_helper(newgidmap, pid, p->gid, (uint32_t)plan->outer_gid, gr, plan->id_count, err) < 0)
    return -1;
  *written = true;
  return 0;
}
