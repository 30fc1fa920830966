/* SPDX-License-Identifier: MIT */
/* Where the process's cgroups are: the hierarchies of /proc/self/mountinfo
 * and the paths of /proc/self/cgroup (or a parent the caller names), and
 * the reading of counter files. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroup_internal.h"
#include "cr/cleanup.h"

const char *const cr_cg_controller_name[CR_CG_COUNT] = {"memory", "pids", "cpu"};
static const unsigned cr_cg_controller_bit[CR_CG_COUNT] = {CR_LIMIT_MEMORY, CR_LIMIT_PIDS, CR_LIMIT_CPU};

void cr_cg_host_free(struct cr_host_cgroups *h) {
  free(h->v2_parent);
  for (int c = 0; c < CR_CG_COUNT; c++) free(h->v1_parent[c]);
}

bool cr_cg_has_token(const char *list, const char *token, char sep) {
  size_t len = strlen(token);
  for (const char *p = list; p && *p;) {
    const char *end = strchr(p, sep);
    size_t n = end ? (size_t)(end - p) : strlen(p);
    if (n == len && strncmp(p, token, len) == 0) return true;
    p = end ? end + 1 : NULL;
  }
  return false;
}

/* mountinfo escapes space, tab, newline and backslash as \ooo. */
static void unescape_octal(char *s) {
  char *out = s;
  for (char *p = s; *p;) {
    if (p[0] == '\\' && p[1] >= '0' && p[1] <= '3' && p[2] >= '0' && p[2] <= '7' && p[3] >= '0' &&
        p[3] <= '7') {
      *out++ = (char)((p[1] - '0') * 64 + (p[2] - '0') * 8 + (p[3] - '0'));
      p += 4;
    } else {
      *out++ = *p++;
    }
  }
  *out = '\0';
}

/* The host directory of cgroup `cg_path` in the hierarchy mounted with
 * fstype `fstype` (and, for v1, the controller among its super options).
 * NULL when no such mount shows that cgroup. */
static char *find_cgroup_dir(const char *fstype, const char *controller, const char *cg_path) {
  cr_autofclose FILE *f = fopen("/proc/self/mountinfo", "re");
  if (!f) return NULL;
  char *line = NULL;
  size_t cap = 0;
  char *found = NULL;
  while (!found && getline(&line, &cap, f) > 0) {
    line[strcspn(line, "\n")] = '\0';
    char *fields[6] = {0};
    char *save = NULL, *tok = strtok_r(line, " ", &save);
    int n = 0;
    for (; tok && n < 6; tok = strtok_r(NULL, " ", &save)) fields[n++] = tok;
    if (n < 6) continue;
    char *dash = NULL; /* optional fields end with "-" */
    for (; tok; tok = strtok_r(NULL, " ", &save))
      if (strcmp(tok, "-") == 0) {
        dash = tok;
        break;
      }
    if (!dash) continue;
    char *type = strtok_r(NULL, " ", &save);
    (void)strtok_r(NULL, " ", &save); /* source */
    char *super = strtok_r(NULL, " ", &save);
    if (!type || strcmp(type, fstype) != 0) continue;
    if (controller && (!super || !cr_cg_has_token(super, controller, ','))) continue;
    char *root = fields[3], *mnt = fields[4];
    unescape_octal(root);
    unescape_octal(mnt);
    const char *rel = cg_path;
    if (strcmp(root, "/") != 0) {
      size_t rl = strlen(root);
      if (strncmp(cg_path, root, rl) != 0 || (cg_path[rl] && cg_path[rl] != '/')) continue;
      rel = cg_path + rl;
    }
    if (strcmp(rel, "/") == 0) rel = "";
    if (asprintf(&found, "%s%s", mnt, rel) < 0) found = NULL;
  }
  free(line);
  return found;
}

int cr_cg_find(const char *override, unsigned want, struct cr_host_cgroups *h, char *why, size_t why_size) {
  memset(h, 0, sizeof *h);
  if (override && !*override) override = NULL;
  if (override && override[0] != '/') {
    snprintf(why, why_size, "the cgroup parent must be a cgroup path starting with /, not %s", override);
    return -1;
  }
  cr_autofclose FILE *f = fopen("/proc/self/cgroup", "re");
  if (!f) {
    snprintf(why, why_size, "cannot read /proc/self/cgroup: %s", strerror(errno));
    return -1;
  }
  char *line = NULL;
  size_t cap = 0;
  while (getline(&line, &cap, f) > 0) {
    line[strcspn(line, "\n")] = '\0';
    char *c1 = strchr(line, ':');
    char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
    if (!c2) continue;
    *c1 = *c2 = '\0';
    const char *ctrls = c1 + 1, *path = override ? override : c2 + 1;
    if (strcmp(line, "0") == 0 && !*ctrls) {
      if (!h->v2_parent) h->v2_parent = find_cgroup_dir("cgroup2", NULL, path);
      continue;
    }
    for (int c = 0; c < CR_CG_COUNT; c++)
      if ((want & cr_cg_controller_bit[c]) && !h->v1_parent[c] &&
          cr_cg_has_token(ctrls, cr_cg_controller_name[c], ','))
        h->v1_parent[c] = find_cgroup_dir("cgroup", cr_cg_controller_name[c], path);
  }
  free(line);
  return 0;
}

int cr_cg_read_text(const char *dir, const char *file, char *buf, size_t size) {
  char path[PATH_MAX];
  cr_cg_join_path(path, sizeof path, dir, file);
  cr_autoclose int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  ssize_t n = read(fd, buf, size - 1);
  if (n < 0) return -1;
  buf[n] = '\0';
  return 0;
}

/* The number after `key` on a "key value" line of DIR/FILE. */
int cr_cg_read_keyed(const char *dir, const char *file, const char *key, uint64_t *value) {
  char path[PATH_MAX];
  cr_cg_join_path(path, sizeof path, dir, file);
  cr_autofclose FILE *f = fopen(path, "re");
  if (!f) return -1;
  char k[64];
  unsigned long long v;
  while (fscanf(f, "%63s %llu", k, &v) == 2)
    if (strcmp(k, key) == 0) {
      *value = v;
      return 0;
    }
  return -1;
}

int cr_cg_read_number(const char *dir, const char *file, uint64_t *value) {
  char buf[64];
  if (cr_cg_read_text(dir, file, buf, sizeof buf) < 0) return -1;
  char *end;
  errno = 0;
  unsigned long long v = strtoull(buf, &end, 10);
  if (errno || end == buf) return -1;
  *value = v;
  return 0;
}
