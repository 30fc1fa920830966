/* SPDX-License-Identifier: MIT */
/* run: at the end of a failed run, one line per system call the seccomp
 * filter refused (the result's "denied"), so that the first thing the user
 * sees points at the cause. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const char *text_of(const cJSON *e, const char *key) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(e, key);
  return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* " (args: 0=16)" for the arguments the filter looked at, "" for none. */
static void args_text(const cJSON *e, char *buf, size_t size) {
  const cJSON *arg;
  size_t used = 0;
  buf[0] = '\0';
  cJSON_ArrayForEach(arg, cJSON_GetObjectItemCaseSensitive(e, "args")) {
    char value[32];
    if (cJSON_IsNumber(arg))
      snprintf(value, sizeof value, "%.0f", arg->valuedouble);
    else
      snprintf(value, sizeof value, "%s", cJSON_IsString(arg) ? arg->valuestring : "?");
    int n = snprintf(buf + used, size - used, "%s%s=%s", used ? ", " : " (args: ", arg->string, value);
    if (n < 0 || (size_t)n >= size - used) break;
    used += (size_t)n;
  }
  if (used && used + 2 <= size) strcat(buf, ")");
}

static void print_entry(const cJSON *e, const char *killed_at) {
  const char *name = text_of(e, "syscall"), *action = text_of(e, "action");
  const cJSON *count = cJSON_GetObjectItemCaseSensitive(e, "count");
  unsigned long long n = cJSON_IsNumber(count) ? (unsigned long long)count->valuedouble : 0;
  const char *times = n == 1 ? "time" : "times";
  char args[160];
  args_text(e, args, sizeof args);
  if (!name) {
    cli_error("seccomp refused %llu more call%s (more kinds than the report keeps)", n, n == 1 ? "" : "s");
  } else if (action && strcmp(action, "kill") == 0) {
    if (killed_at && strcmp(killed_at, name) == 0)
      cli_error("seccomp killed the payload at %s%s", name, args);
    else
      cli_error("seccomp killed a process at %s%s (%llu %s)", name, args, n, times);
  } else if (strcmp(name, "execve") == 0 && strstr(text_of(e, "by") ? text_of(e, "by") : "", "supervised")) {
    cli_error(
        "seccomp refused execve (EPERM) %llu %s: the policy lets only the payload's own exec through "
        "(\"strict\"; \"default\" allows more)",
        n, times);
  } else {
    cli_error("seccomp refused %s (%s) %llu %s%s", name, action ? action : "?", n, times, args);
  }
}

void cli_print_denied(const cr_result *res) {
  if (!res->denied) return;
  cJSON *list = cJSON_Parse(res->denied);
  const cJSON *e;
  cJSON_ArrayForEach(e, list) print_entry(e, res->seccomp_killed_at);
  cJSON_Delete(list);
}
