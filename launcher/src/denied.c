/* SPDX-License-Identifier: MIT */
/* The report's "denied": the refusals the sandbox's init answered (the
 * table it sends with PAYLOAD_ENDED, protocol.h) and strict's refused
 * execs, as JSON. The shape is in cleanroom.json(5). */
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cr/cleanup.h"
#include "cr/policy.h"
#include "launch.h"

#define BY_FILTER "the filter"

/* "EPERM" for an errno answer, "kill" for a kill; any other kind by its
 * name (only an evaluator that disagreed with the kernel would count one:
 * it is never dressed up as a kill). */
static void add_action(cJSON *e, uint32_t action) {
  char buf[32];
  cJSON_AddStringToObject(e, "action", cr_seccomp_answer_name(action, buf, sizeof buf));
  if ((action & SECCOMP_RET_ACTION_FULL) == SECCOMP_RET_ERRNO)
    cJSON_AddNumberToObject(e, "errno", (int)(action & SECCOMP_RET_DATA));
  else
    cJSON_AddNullToObject(e, "errno");
}

/* An argument's value: a number where JSON holds it exactly, else hex text
 * (a negative int is 0xffff...). */
static void add_arg(cJSON *args, uint32_t index, uint64_t value) {
  char key[4], hex[24];
  snprintf(key, sizeof key, "%u", index);
  if (value <= (1ull << 53)) {
    cJSON_AddNumberToObject(args, key, (double)value);
  } else {
    snprintf(hex, sizeof hex, "0x%llx", (unsigned long long)value);
    cJSON_AddStringToObject(args, key, hex);
  }
}

void cr_add_syscall_fields(cJSON *o, uint32_t arch, uint32_t nr, const char *arch_name) {
  cr_autofree char *name = cr_syscall_name(arch, (int)nr);
  if (name)
    cJSON_AddStringToObject(o, "syscall", name);
  else
    cJSON_AddNullToObject(o, "syscall");
  cJSON_AddNumberToObject(o, "nr", nr);
  if (arch_name)
    cJSON_AddStringToObject(o, "arch", arch_name);
  else
    cJSON_AddNumberToObject(o, "arch", arch);
}

static cJSON *entry_json(const struct cr_denied_entry *d) {
  cJSON *e = cJSON_CreateObject();
  if (!e) return NULL;
  cr_add_syscall_fields(e, d->arch, d->nr, cr_seccomp_arch_name(d->arch));
  add_action(e, d->action);
  cJSON_AddNumberToObject(e, "count", d->count);
  cJSON *args = cJSON_AddObjectToObject(e, "args");
  for (uint32_t i = 0; args && i < d->n_args && i < CR_DENIED_ARGS; i++)
    add_arg(args, d->arg_index[i], d->arg_value[i]);
  cJSON_AddStringToObject(e, "by", BY_FILTER);
  return e;
}

/* strict's refused execs, as before the table existed. */
static cJSON *execs_json(uint64_t execs_refused) {
  cJSON *e = cJSON_CreateObject();
  if (!e) return NULL;
  cJSON_AddStringToObject(e, "syscall", "execve");
  const char *arch = cr_seccomp_arch_name(cr_seccomp_arch_native());
  if (arch) cJSON_AddStringToObject(e, "arch", arch);
  cJSON_AddStringToObject(e, "action", "EPERM");
  cJSON_AddNumberToObject(e, "errno", EPERM);
  cJSON_AddNumberToObject(e, "count", (double)execs_refused);
  cJSON_AddObjectToObject(e, "args");
  cJSON_AddStringToObject(e, "by", "the supervised exec: only the payload's own exec is let through");
  return e;
}

/* Refusals past the table's room: counted, not named. */
static cJSON *other_json(uint32_t other) {
  cJSON *e = cJSON_CreateObject();
  if (!e) return NULL;
  cJSON_AddNullToObject(e, "syscall");
  cJSON_AddNullToObject(e, "action");
  cJSON_AddNumberToObject(e, "count", other);
  cJSON_AddStringToObject(e, "by", BY_FILTER " (more kinds of refusal than the report keeps)");
  return e;
}

static int add(cJSON *list, cJSON *e) {
  if (!e) return -1;
  cJSON_AddItemToArray(list, e);
  return 0;
}

cJSON *cr_denied_to_json(const struct cr_denied_table *t, uint64_t execs_refused) {
  cJSON *list = cJSON_CreateArray();
  if (!list) return NULL;
  int rc = 0;
  for (uint32_t i = 0; rc == 0 && i < t->n && i < CR_DENIED_MAX; i++) rc = add(list, entry_json(&t->e[i]));
  if (rc == 0 && execs_refused) rc = add(list, execs_json(execs_refused));
  if (rc == 0 && t->other) rc = add(list, other_json(t->other));
  if (rc < 0) {
    cJSON_Delete(list);
    return NULL;
  }
  return list;
}

char *cr_denied_killed_at(const struct cr_denied_table *t) {
  if (t->killed_at == 0) return NULL;
  char *name = cr_syscall_name(t->killed_arch, (int)t->killed_nr);
  if (name) return name;
  char *text = NULL;
  return asprintf(&text, "syscall %u", t->killed_nr) < 0 ? NULL : text;
}
