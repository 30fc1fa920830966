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

/* One line per system call and answer, whatever the arguments: the
 * report keeps an entry per argument value, the user needs the call. */
struct group {
  const cJSON *first; /* its first entry (its args are shown) */
  const char *name, *action;
  unsigned long long count;
  unsigned kinds; /* entries: argument values */
};

static void print_group(const struct group *g, const char *killed_at) {
  const char *times = g->count == 1 ? "time" : "times";
  char args[160], more[224] = "";
  args_text(g->first, args, sizeof args); /* " (args: 0=16)" or "" */
  if (g->kinds > 1 && args[0])
    snprintf(more, sizeof more, " (%u argument values; first %s", g->kinds, args + 2);
  const char *shown = g->kinds > 1 ? more : args;
  if (!g->name) {
    cli_error("seccomp refused %llu more call%s (more kinds than the report keeps)", g->count,
              g->count == 1 ? "" : "s");
  } else if (g->action && strcmp(g->action, "kill") == 0) {
    if (killed_at && strcmp(killed_at, g->name) == 0)
      cli_error("seccomp killed the payload at %s%s", g->name, args);
    else
      cli_error("seccomp killed a process at %s%s (%llu %s)", g->name, shown, g->count, times);
  } else if (strcmp(g->name, "execve") == 0 &&
             strstr(text_of(g->first, "by") ? text_of(g->first, "by") : "", "supervised")) {
    cli_error(
        "seccomp refused execve (EPERM) %llu %s: the policy lets only the payload's own exec through "
        "(\"strict\"; \"default\" allows more)",
        g->count, times);
  } else {
    cli_error("seccomp refused %s (%s) %llu %s%s", g->name, g->action ? g->action : "?", g->count, times,
              shown);
  }
}

/* learn: the calls of cleanroom's own payload the profile leaves out. */
void cli_print_learn_notes(const cr_result *res) {
  cJSON *learned = res->learned ? cJSON_Parse(res->learned) : NULL;
  const cJSON *name;
  cJSON_ArrayForEach(name, cJSON_GetObjectItemCaseSensitive(learned, "left_out")) {
    if (cJSON_IsString(name))
      cli_note(
          "learn: %s is a call of cleanroom's own (never observed) that the policy allows only for some "
          "arguments: left out of the profile",
          name->valuestring);
  }
  cJSON_Delete(learned);
}

static bool same(const char *a, const char *b) { return a == b || (a && b && strcmp(a, b) == 0); }

void cli_print_denied(const cr_result *res) {
  if (res->denied_unreported)
    cli_note(
        "seccomp refusals were not counted: cleanroom runs under a seccomp filter with a listener of its "
        "own (one per process), so the sandbox's filter went in without one");
  if (!res->denied) return;
  cJSON *list = cJSON_Parse(res->denied);
  struct group groups[64];
  size_t n = 0;
  const cJSON *e;
  cJSON_ArrayForEach(e, list) {
    const cJSON *count = cJSON_GetObjectItemCaseSensitive(e, "count");
    unsigned long long c = cJSON_IsNumber(count) ? (unsigned long long)count->valuedouble : 0;
    const char *name = text_of(e, "syscall"), *action = text_of(e, "action");
    size_t i = 0;
    while (i < n && !(name && same(groups[i].name, name) && same(groups[i].action, action))) i++;
    if (i == n) {
      if (n == sizeof groups / sizeof groups[0]) continue;
      groups[n++] = (struct group){.first = e, .name = name, .action = action};
    }
    groups[i].count += c;
    groups[i].kinds++;
  }
  bool kill_said = false;
  for (size_t i = 0; i < n; i++) {
    print_group(&groups[i], res->seccomp_killed_at);
    kill_said |= res->seccomp_killed_at && same(groups[i].name, res->seccomp_killed_at) &&
                 same(groups[i].action, "kill");
  }
  /* the call it died at, even when the report had no room left for it */
  if (res->seccomp_killed_at && !kill_said)
    cli_error("seccomp killed the payload at %s", res->seccomp_killed_at);
  cJSON_Delete(list);
}
