/* SPDX-License-Identifier: MIT */
/* `cleanroom check --explain`: the library's JSON (cr_config_explain) as
 * it is, or read back into a short listing for a person. The listing is
 * made from the JSON alone, as any other user of it would. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const char *str(const cJSON *o, const char *key) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
  return cJSON_IsString(v) ? v->valuestring : "?"; /* never NULL: printed and compared */
}

static double num(const cJSON *o, const char *key) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
  return cJSON_IsNumber(v) ? v->valuedouble : 0;
}

static bool flag(const cJSON *o, const char *key) {
  return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, key));
}

static const cJSON *get(const cJSON *o, const char *key) { return cJSON_GetObjectItemCaseSensitive(o, key); }

/* The strings of an array, space-separated ("none" when empty). */
static void print_names(const char *label, const cJSON *arr, const char *sep) {
  printf("%s", label);
  const cJSON *v;
  int n = 0;
  cJSON_ArrayForEach(v, arr) {
    if (cJSON_IsString(v)) printf("%s%s", n++ ? sep : "", v->valuestring);
  }
  printf("%s", n ? "" : "none");
}

static void print_sockets(const cJSON *p) {
  const cJSON *s;
  cJSON_ArrayForEach(s, get(p, "sockets")) {
    printf("      unix socket %s%s\n", str(s, "path"),
           flag(s, "connectable") ? " (connectable)" : " (not connectable)");
  }
  double total = num(p, "sockets_total");
  if (total > cJSON_GetArraySize(get(p, "sockets"))) printf("      ... %.0f unix sockets in all\n", total);
  if (cJSON_IsFalse(get(p, "scan_complete")))
    printf("      (socket scan stopped early: the tree is larger)\n");
  if (num(p, "unlisted_dirs") > 0)
    printf("      (%.0f folders it may enter but not list)\n", num(p, "unlisted_dirs"));
}

static void print_path(const cJSON *p) {
  const char *type = str(p, "type");
  printf("  %-20s %-8s %s", str(p, "target"), type, flag(p, "writable") ? "rw" : "ro");
  if (strcmp(type, "bind") == 0) {
    printf("  <- %s", str(p, "source"));
    if (cJSON_IsFalse(get(p, "present"))) printf("  (missing: %s)", str(p, "error"));
  } else if (strcmp(type, "symlink") == 0) {
    printf("  -> %s", str(p, "to"));
  } else if (cJSON_IsNumber(get(p, "size_percent"))) {
    printf("  %.0f%% of RAM", num(p, "size_percent"));
  } else if (cJSON_IsNumber(get(p, "size"))) {
    printf("  %.0f bytes", num(p, "size"));
  }
  printf("\n");
  if (strcmp(type, "bind") == 0) print_sockets(p);
}

static void print_fds(const cJSON *fds) {
  printf("fds:");
  const cJSON *f;
  cJSON_ArrayForEach(f, fds) {
    const char *kind = str(f, "kind");
    printf(" %.0f=", num(f, "fd"));
    if (strcmp(kind, "inherit") == 0)
      printf("cleanroom's fd %.0f", num(f, "from"));
    else if (strcmp(kind, "path") == 0)
      printf("%s (%s)", str(f, "path"), flag(f, "writable") ? "rw" : "ro");
    else
      printf("/dev/null");
  }
  printf("\n");
}

static void print_limits(const cJSON *l) {
  printf("limits:");
  static const char *const keys[] = {"time_ms", "memory", "pids", "cpu"};
  for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
    if (cJSON_IsNumber(get(l, keys[i]))) printf(" %s %.15g", keys[i], num(l, keys[i]));
  const cJSON *r;
  cJSON_ArrayForEach(r, get(l, "rlimits")) {
    const cJSON *soft = get(r, "soft");
    if (cJSON_IsNumber(soft))
      printf(" RLIMIT_%s %.0f", r->string, soft->valuedouble);
    else
      printf(" RLIMIT_%s unlimited", r->string);
  }
  print_names("; unbounded: ", get(l, "unbounded"), ", ");
  if (cJSON_GetArraySize(get(l, "optional"))) print_names("; optional: ", get(l, "optional"), ", ");
  printf("\n");
}

static void print_text(const cJSON *root) {
  const cJSON *id = get(root, "identity");
  printf("config: %s\n", str(root, "config"));
  printf("identity: uid %.0f gid %.0f in the sandbox, host uid %.0f gid %.0f%s\n", num(id, "uid"),
         num(id, "gid"), num(id, "host_uid"), num(id, "host_gid"),
         flag(id, "caller_is_root") ? " (cleanroom runs as root)" : "");
  printf("paths:\n");
  const cJSON *p;
  cJSON_ArrayForEach(p, get(root, "paths")) print_path(p);
  print_names("devices: ", get(root, "devices"), " ");
  printf("\n");
  print_fds(get(root, "fds"));
  const cJSON *net = get(root, "network");
  printf("network: %s (%s)\n", str(net, "mode"),
         flag(net, "host_abstract_sockets") ? "the host's interfaces and abstract unix sockets"
                                            : "only lo; the host's abstract unix sockets are out of reach");
  print_names("namespaces: new ", get(get(root, "namespaces"), "new"), " ");
  print_names("; shared ", get(get(root, "namespaces"), "shared"), " ");
  printf("\n");
  const cJSON *sc = get(root, "seccomp");
  printf("seccomp: %s\n", str(sc, "policy"));
  print_names("  refused: ", get(sc, "refused_groups"), ", ");
  print_names("\n  partly refused: ", get(sc, "partly_refused_groups"), ", ");
  print_names("\n  allowed: ", get(sc, "allowed_groups"), ", ");
  printf("\n");
  print_names("capabilities: ", get(root, "capabilities"), ", ");
  printf("\n");
  print_limits(get(root, "limits"));
  const cJSON *weak = get(root, "weak_spots");
  printf("weak spots:%s\n", cJSON_GetArraySize(weak) ? "" : " none");
  const cJSON *w;
  cJSON_ArrayForEach(w, weak) printf("  %s: %s\n", str(w, "kind"), str(w, "detail"));
}

int cli_explain(const cr_config *cfg, const cr_options *opts, bool json) {
  char *text = NULL;
  cr_error *err = NULL;
  if (cr_config_explain(cfg, opts, &text, &err) < 0) {
    cli_print_error(NULL, err);
    cr_error_free(err);
    return CR_EXIT_LAUNCHER_FAILED;
  }
  if (json) {
    printf("%s\n", text);
    cr_free(text);
    return 0;
  }
  cJSON *root = cJSON_Parse(text);
  cr_free(text);
  if (!root) {
    cli_error("check: out of memory");
    return CR_EXIT_LAUNCHER_FAILED;
  }
  cli_make_printable(root);
  print_text(root);
  cJSON_Delete(root);
  return 0;
}
