/* SPDX-License-Identifier: MIT */
/* Why a user namespace could not be made (or used), and what to do: the
 * kernel says EPERM or ENOSPC for several different causes, each with its
 * own fix. Read from /proc (`proc_root`, "/proc" but for the tests). */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroup_internal.h" /* cr_cg_read_text: a small /proc or /sys file */
#include "launch.h"

/* The first number in the file, or -1. */
static long read_number(const char *proc_root, const char *file) {
  char buf[64], *end;
  if (cr_cg_read_text(proc_root, file, buf, sizeof buf) < 0) return -1;
  long v = strtol(buf, &end, 10);
  return end == buf ? -1 : v;
}

/* The value of a "Name:\tvalue" line of status, or -1. */
static long status_field(const char *proc_root, const char *name) {
  char buf[4096], key[64];
  if (cr_cg_read_text(proc_root, "self/status", buf, sizeof buf) < 0) return -1;
  snprintf(key, sizeof key, "\n%s:", name);
  const char *line = strstr(buf, key);
  return line ? strtol(line + strlen(key), NULL, 10) : -1;
}

/* AppArmor's restriction lets the namespace be made but gives no
 * capability in it: the first mount fails, in the sandbox's init. */
const char *cr_userns_restricted_hint(const char *proc_root, char *buf, size_t size) {
  if (read_number(proc_root, "sys/kernel/apparmor_restrict_unprivileged_userns") != 1) return NULL;
  snprintf(buf, size,
           "AppArmor restricts unprivileged user namespaces here (Ubuntu 23.10 and later, "
           "kernel.apparmor_restrict_unprivileged_userns=1): load the AppArmor profile cleanroom "
           "installs (apparmor_parser -r /etc/apparmor.d/cleanroom), or set that sysctl to 0");
  return buf;
}

const char *cr_userns_hint(const char *proc_root, int err, bool privileged, char *buf, size_t size) {
  long max = read_number(proc_root, "sys/user/max_user_namespaces");
  if (max == 0) {
    snprintf(buf, size,
             "user namespaces are turned off here (user.max_user_namespaces is 0): "
             "sysctl -w user.max_user_namespaces=15000 (and a file in /etc/sysctl.d/ to keep it)");
    return buf;
  }
  if (err == ENOSPC) {
    snprintf(buf, size,
             "the limit of user namespaces is reached (user.max_user_namespaces is %ld, or 32 nested "
             "ones): raise it with sysctl, or end some sandboxes",
             max);
    return buf;
  }
  if (!privileged && read_number(proc_root, "sys/kernel/unprivileged_userns_clone") == 0) {
    snprintf(buf, size,
             "unprivileged user namespaces are turned off (kernel.unprivileged_userns_clone is 0): "
             "sysctl -w kernel.unprivileged_userns_clone=1, or run cleanroom as root");
    return buf;
  }
  if (!privileged && cr_userns_restricted_hint(proc_root, buf, size)) return buf;
  if ((err == EPERM || err == ENOSYS || err == EACCES) && status_field(proc_root, "Seccomp") == 2) {
    snprintf(buf, size,
             "cleanroom itself runs under a seccomp filter (Seccomp: 2 in /proc/self/status: a "
             "container runtime's, or another sandbox) that refuses new namespaces: run it with a "
             "profile that allows them (docker: --security-opt seccomp=unconfined), or outside it");
    return buf;
  }
  return NULL;
}
