/* SPDX-License-Identifier: MIT */
/* policy diff A B [--json]: what two policies answer differently
 * (cr_policy_diff), as JSON or a readable table. Exit 0 when they answer
 * alike, 1 when they differ, as diff(1) does; 125 when one cannot be
 * loaded. */
#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

#define FOLD_AT 8 /* calls of another architecture answered alike, folded into one line */

static const char *item_text(const cJSON *obj, const char *key) {
  const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, key);
  return cJSON_IsString(item) ? item->valuestring : "?";
}

/* Calls of another architecture with no argument case, by (arch, a, b). */
struct group {
  const char *arch, *a, *b;
  int calls;
  bool printed;
};
#define MAX_GROUPS 64

static struct group *group_of(struct group *groups, int *n, const cJSON *e, bool add) {
  const char *arch = item_text(e, "arch"), *a = item_text(e, "a"), *b = item_text(e, "b");
  for (int i = 0; i < *n; i++)
    if (strcmp(groups[i].arch, arch) == 0 && strcmp(groups[i].a, a) == 0 && strcmp(groups[i].b, b) == 0)
      return &groups[i];
  if (!add || *n == MAX_GROUPS) return NULL;
  groups[*n] = (struct group){arch, a, b, 0, false};
  return &groups[(*n)++];
}

static int walked_calls(const cJSON *root, const char *arch) {
  const cJSON *e;
  cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(root, "arches")) {
    if (strcmp(item_text(e, "arch"), arch) == 0)
      return (int)cJSON_GetObjectItemCaseSensitive(e, "syscalls")->valuedouble;
  }
  return -1;
}

static void print_table(const char *name_a, const char *name_b, const cJSON *root) {
  const cJSON *list = cJSON_GetObjectItemCaseSensitive(root, "syscalls");
  const cJSON *arches = cJSON_GetObjectItemCaseSensitive(root, "arches");
  const char *native = arches && arches->child ? item_text(arches->child, "arch") : "";
  bool complete = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(root, "complete"));
  int n = cJSON_GetArraySize(list);
  if (n == 0) {
    if (complete)
      printf("%s and %s answer every system call alike\n", name_a, name_b);
    else
      printf("%s and %s: differences not found (the search was cut short)\n", name_a, name_b);
    return;
  }
  printf("%d system call%s answered differently (A = %s, B = %s):\n", n, n == 1 ? "" : "s", name_a, name_b);
  struct group groups[MAX_GROUPS];
  int n_groups = 0;
  const cJSON *e;
  cJSON_ArrayForEach(e, list) {
    struct group *g = strcmp(item_text(e, "arch"), native) != 0 &&
                              cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(e, "cases")) == 0
                          ? group_of(groups, &n_groups, e, true)
                          : NULL;
    if (g) g->calls++;
  }
  cJSON_ArrayForEach(e, list) {
    const char *arch = item_text(e, "arch"), *a = item_text(e, "a"), *b = item_text(e, "b");
    const cJSON *cases = cJSON_GetObjectItemCaseSensitive(e, "cases");
    char sys[96];
    if (strcmp(arch, native) == 0) {
      snprintf(sys, sizeof sys, "%s", item_text(e, "syscall"));
    } else {
      struct group *g = cJSON_GetArraySize(cases) ? NULL : group_of(groups, &n_groups, e, false);
      if (g && g->calls > FOLD_AT) { /* one line for them, where the first of them is */
        if (g->printed) continue;
        g->printed = true;
        if (g->calls == walked_calls(root, arch))
          snprintf(sys, sizeof sys, "every %s call", arch);
        else
          snprintf(sys, sizeof sys, "%d %s calls", g->calls, arch);
        printf("  %-24s A: %-18s B: %s\n", sys, a, b);
        continue;
      }
      snprintf(sys, sizeof sys, "%s (%s)", item_text(e, "syscall"), arch);
    }
    if (strcmp(a, b) != 0) printf("  %-24s A: %-18s B: %s\n", sys, a, b);
    const cJSON *c;
    cJSON_ArrayForEach(c, cases) {
      char label[256];
      size_t len = (size_t)snprintf(label, sizeof label, "%s", sys);
      const cJSON *arg;
      cJSON_ArrayForEach(arg, cJSON_GetObjectItemCaseSensitive(c, "args")) {
        const char *prefix = strcmp(arg->string, "ip") == 0 ? "" : "arg";
        if (len >= sizeof label) break;
        if (cJSON_IsString(arg))
          len += (size_t)snprintf(label + len, sizeof label - len, " %s%s=%s", prefix, arg->string,
                                  arg->valuestring);
        else
          len += (size_t)snprintf(label + len, sizeof label - len, " %s%s=%.0f", prefix, arg->string,
                                  arg->valuedouble);
      }
      printf("  %-24s A: %-18s B: %s\n", label, item_text(c, "a"), item_text(c, "b"));
    }
    double total = cJSON_GetObjectItemCaseSensitive(e, "cases_total")->valuedouble;
    int listed = cJSON_GetArraySize(cases);
    if (total > listed) printf("  %-24s (%.0f more argument values differ)\n", sys, total - listed);
    if (cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(e, "complete")))
      printf("  %-24s (the search was cut short: more may differ)\n", sys);
  }
  if (!complete) printf("(the search was cut short: more system calls may differ)\n");
}

int cli_policy_diff(const cr_options *opts, const char *name_a, const char *name_b, bool json) {
  cr_policy *a = NULL, *b = NULL;
  cr_error *err = NULL;
  char *text = NULL;
  int status = 125;
  if (cr_policy_load(name_a, opts, &a, &err) == 0 && cr_policy_load(name_b, opts, &b, &err) == 0 &&
      cr_policy_diff(a, b, &text, &err) == 0) {
    cJSON *root = cJSON_Parse(text);
    if (!root) {
      cli_error("policy diff: out of memory");
    } else {
      if (json)
        printf("%s\n", text);
      else
        print_table(name_a, name_b, root);
      status = cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(root, "syscalls")) ? 1 : 0;
      cJSON_Delete(root);
    }
  } else {
    cli_print_error(NULL, err);
  }
  cr_error_free(err);
  cr_free(text);
  cr_policy_free(a);
  cr_policy_free(b);
  return status;
}
