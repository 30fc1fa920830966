/* SPDX-License-Identifier: MIT */
/* cr_userns_hint on made-up /proc trees: each known reason why a user
 * namespace cannot be made is named with its fix (the ones this machine
 * cannot show for real: AppArmor's restriction, Debian's
 * unprivileged_userns_clone; e2e tests show max_user_namespaces and a
 * seccomp filter for real). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "launch.h"

static char root[64];

static void put(const char *file, const char *text) {
  char path[256], dir[256];
  snprintf(path, sizeof path, "%s/%s", root, file);
  snprintf(dir, sizeof dir, "%s", path);
  for (char *p = dir + strlen(root) + 1; (p = strchr(p, '/')); p++) {
    *p = '\0';
    mkdir(dir, 0755);
    *p = '/';
  }
  FILE *f = fopen(path, "w");
  if (!f) {
    perror(path);
    exit(1);
  }
  fputs(text, f);
  fclose(f);
}

static void reset(void) {
  put("sys/user/max_user_namespaces", "15000\n");
  put("sys/kernel/unprivileged_userns_clone", "1\n");
  put("sys/kernel/apparmor_restrict_unprivileged_userns", "0\n");
  put("self/status", "Name:\tx\nSeccomp:\t0\nSeccomp_filters:\t0\n");
}

static void expect(int err, bool privileged, const char *needle) {
  char buf[512];
  const char *hint = cr_userns_hint(root, err, privileged, buf, sizeof buf);
  if (!needle)
    CHECK(hint == NULL, "expected no hint, got: %s", hint);
  else
    CHECK(hint && strstr(hint, needle), "expected a hint with \"%s\", got: %s", needle,
          hint ? hint : "(none)");
}

int main(void) {
  snprintf(root, sizeof root, "/tmp/cr-userns-hint-XXXXXX");
  if (!mkdtemp(root)) return 1;
  reset();
  expect(EPERM, false, NULL); /* nothing known is off */
  put("sys/user/max_user_namespaces", "0\n");
  expect(ENOSPC, false, "user.max_user_namespaces is 0");
  expect(ENOSPC, true, "user.max_user_namespaces is 0");
  reset();
  expect(ENOSPC, false, "limit of user namespaces is reached");
  put("sys/kernel/unprivileged_userns_clone", "0\n");
  expect(EPERM, false, "kernel.unprivileged_userns_clone is 0");
  expect(EPERM, true, NULL); /* root is not concerned */
  reset();
  put("sys/kernel/apparmor_restrict_unprivileged_userns", "1\n");
  expect(EPERM, false, "AppArmor restricts");
  expect(EACCES, false, "apparmor_parser -r /etc/apparmor.d/cleanroom");
  char buf[512];
  CHECK(cr_userns_restricted_hint(root, buf, sizeof buf) != NULL, "the restricted hint alone");
  reset();
  CHECK(cr_userns_restricted_hint(root, buf, sizeof buf) == NULL, "no restriction, no hint");
  put("self/status", "Name:\tx\nSeccomp:\t2\nSeccomp_filters:\t1\n");
  expect(EPERM, false, "runs under a seccomp filter");
  expect(EPERM, true, "runs under a seccomp filter");
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf %s", root);
  if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", root);
  if (failures)
    fprintf(stderr, "userns_hint: %d failure(s)\n", failures);
  else
    printf("userns_hint: ok\n");
  return failures ? 1 : 0;
}
