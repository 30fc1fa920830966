/* SPDX-License-Identifier: MIT */
/* policy diff A B [--json]: what two policies answer differently
 * (cr_policy_diff), as JSON or a readable table. Exit 0 when they answer
 * alike, 1 when they differ, as diff(1) does; 125 when one cannot be
 * loaded. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

static void print_table(const char *name_a, const char *name_b, const cJSON *root) {
  const cJSON *list = cJSON_GetObjectItemCaseSensitive(root, "syscalls");
  int n = cJSON_GetArraySize(list);
  if (n == 0) {
    printf("%s and %s answer every system call alike\n", name_a, name_b);
    return;
  }
  printf("%d system call%s answered differently (A = %s, B = %s):\n", n, n == 1 ? "" : "s", name_a, name_b);
  const cJSON *e;
  cJSON_ArrayForEach(e, list) {
    const char *sys = cJSON_GetObjectItemCaseSensitive(e, "syscall")->valuestring;
    const char *a = cJSON_GetObjectItemCaseSensitive(e, "a")->valuestring;
    const char *b = cJSON_GetObjectItemCaseSensitive(e, "b")->valuestring;
    if (strcmp(a, b) != 0) printf("  %-24s A: %-18s B: %s\n", sys, a, b);
    const cJSON *c;
    cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(e, "cases")) {
      const cJSON *arg = cJSON_GetObjectItemCaseSensitive(c, "args")->child;
      char label[96];
      snprintf(label, sizeof label, "%s arg%s=%.0f", sys, arg->string, arg->valuedouble);
      printf("  %-24s A: %-18s B: %s\n", label, cJSON_GetObjectItemCaseSensitive(c, "a")->valuestring,
             cJSON_GetObjectItemCaseSensitive(c, "b")->valuestring);
    }
    double total = cJSON_GetObjectItemCaseSensitive(e, "cases_total")->valuedouble;
    int listed = cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(e, "cases"));
    if (total > listed) printf("  %-24s (%.0f more argument values differ)\n", sys, total - listed);
  }
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
