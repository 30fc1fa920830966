/* SPDX-License-Identifier: MIT */
/* run --audit: the result's withheld and carried sections as a short table
 * on stderr, for a person at a terminal (the report holds the same as
 * JSON). */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

static void value_text(const cJSON *v, char *buf, size_t size) {
  if (cJSON_IsString(v))
    snprintf(buf, size, "%s", v->valuestring);
  else if (cJSON_IsBool(v))
    snprintf(buf, size, "%s", cJSON_IsTrue(v) ? "yes" : "no");
  else if (cJSON_IsNumber(v))
    snprintf(buf, size, "%.0f", v->valuedouble);
  else
    snprintf(buf, size, "-");
}

static void print_fds(const cJSON *fds) {
  const cJSON *fd;
  cJSON_ArrayForEach(fd, fds) {
    const cJSON *where = cJSON_GetObjectItemCaseSensitive(fd, "target");
    if (!where) where = cJSON_GetObjectItemCaseSensitive(fd, "address");
    const cJSON *peer = cJSON_GetObjectItemCaseSensitive(fd, "peer");
    char label[32];
    snprintf(label, sizeof label, "fd %.0f", cJSON_GetObjectItemCaseSensitive(fd, "fd")->valuedouble);
    fprintf(stderr, "  %-16s %-12s %s%s%s\n", label,
            cJSON_GetObjectItemCaseSensitive(fd, "kind")->valuestring,
            cJSON_IsString(where) ? where->valuestring : "", cJSON_IsString(peer) ? " -> " : "",
            cJSON_IsString(peer) ? peer->valuestring : "");
  }
}

/* "NAME, NAME, ..." on one line, cut short with the count. */
static void print_names(const char *label, const char *prefix, const cJSON *names) {
  int n = cJSON_GetArraySize(names);
  if (n == 0) return;
  char line[512] = "";
  size_t used = 0;
  int shown = 0;
  const cJSON *name;
  cJSON_ArrayForEach(name, names) {
    int w = snprintf(line + used, sizeof line - used, "%s%s", shown ? ", " : "", name->valuestring);
    if (w < 0 || (size_t)w >= sizeof line - used || used + (size_t)w > 100) {
      line[used] = '\0';
      break;
    }
    used += (size_t)w;
    shown++;
  }
  fprintf(stderr, "  %-16s %s%s%s", label, prefix, line, shown < n ? ", ..." : "");
  fprintf(stderr, shown < n ? " (%d)\n" : "\n", n);
}

static void print_rlimits(const cJSON *limits, bool hard) {
  const cJSON *l;
  cJSON_ArrayForEach(l, limits) {
    char label[32], value[64], sandbox[64];
    snprintf(label, sizeof label, "rlimit %s", l->string);
    if (hard) {
      value_text(l, value, sizeof value);
      fprintf(stderr, "  %-16s hard %s\n", label, value);
    } else {
      value_text(cJSON_GetObjectItemCaseSensitive(l, "soft"), value, sizeof value);
      value_text(cJSON_GetObjectItemCaseSensitive(l, "sandbox"), sandbox, sizeof sandbox);
      fprintf(stderr, "  %-16s soft %s (the sandbox's: %s)\n", label, value, sandbox);
    }
  }
}

static void print_section(const char *title, const char *json, bool carried) {
  cJSON *o = cJSON_Parse(json);
  if (!o) return;
  cli_make_printable(o);
  fprintf(stderr, "cleanroom: audit: %s\n", title);
  const cJSON *item;
  int lines = 0;
  cJSON_ArrayForEach(item, o) {
    const char *key = item->string;
    char value[512];
    if (strcmp(key, "fds") == 0) {
      print_fds(item);
    } else if (strcmp(key, "env") == 0) {
      print_names("env", "", item);
    } else if (strcmp(key, "signals") == 0) {
      print_names("signals", "ignored ", cJSON_GetObjectItemCaseSensitive(item, "ignored"));
      print_names("signals", "blocked ", cJSON_GetObjectItemCaseSensitive(item, "blocked"));
    } else if (strcmp(key, "rlimits") == 0) {
      print_rlimits(item, carried);
    } else if (strcmp(key, "session") == 0) {
      const cJSON *tty = cJSON_GetObjectItemCaseSensitive(item, "terminal");
      fprintf(stderr, "  %-16s %.0f, %s%s\n", "session",
              cJSON_GetObjectItemCaseSensitive(item, "id")->valuedouble,
              cJSON_IsString(tty) ? "terminal " : "no terminal", cJSON_IsString(tty) ? tty->valuestring : "");
    } else {
      value_text(item, value, sizeof value);
      fprintf(stderr, "  %-16s %s\n", key, value);
    }
    lines++;
  }
  if (!lines) fprintf(stderr, "  nothing\n");
  cJSON_Delete(o);
}

void cli_print_audit(const cr_result *res) {
  if (!res->withheld || !res->carried) return;
  print_section("withheld from the sandbox", res->withheld, false);
  print_section("carried into the sandbox as ceilings", res->carried, true);
}
