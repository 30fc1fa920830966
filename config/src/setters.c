/* SPDX-License-Identifier: MIT */
/* The quick changes of the public API (cr_config_set_env, _add_bind, ...):
 * each edits the JSON of one section of the resolved config and puts it
 * back through cr_config_update, so it is validated exactly as a config
 * file would be, and its errors name the JSON path of what it set. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cr/cleanup.h"
#include "internal.h"

static void delete_json(cJSON **j) { cJSON_Delete(*j); }
#define cr_autojson __attribute__((cleanup(delete_json)))

/* The resolved config as a tree, and its section `key` in it (NULL when the
 * config has none, e.g. no hostname). */
static cJSON *resolved(const struct cr_config *cfg) {
  cr_autofree char *text = cr_config_to_json(cfg);
  return text ? cJSON_Parse(text) : NULL;
}

/* {key: section} onto the config; takes `section`. */
static int put_section(struct cr_config *cfg, const char *key, cJSON *section, cr_error **err) {
  cr_autojson cJSON *patch = cJSON_CreateObject();
  if (!patch || !cJSON_AddItemToObject(patch, key, section)) {
    if (!patch) cJSON_Delete(section);
    return cr_fail(err, ENOMEM, cfg->name, "cannot change the config");
  }
  cr_autofree char *text = cJSON_PrintUnformatted(patch);
  if (!text) return cr_fail(err, ENOMEM, cfg->name, "cannot change the config");
  return cr_config_update(cfg, text, err);
}

/* Detach section `key` of the resolved config for editing (an empty object
 * or array when absent). */
static cJSON *take_section(const struct cr_config *cfg, const char *key, bool array, cr_error **err) {
  cr_autojson cJSON *root = resolved(cfg);
  cJSON *section = root ? cJSON_DetachItemFromObjectCaseSensitive(root, key) : NULL;
  if (!section && root) section = array ? cJSON_CreateArray() : cJSON_CreateObject();
  if (!section) cr_fail(err, ENOMEM, cfg->name, "cannot change the config");
  return section;
}

static int set_member(cJSON *obj, const char *key, cJSON *value) {
  if (!value) return -1;
  cJSON_DeleteItemFromObjectCaseSensitive(obj, key);
  if (!cJSON_AddItemToObject(obj, key, value)) {
    cJSON_Delete(value);
    return -1;
  }
  return 0;
}

static int oom(struct cr_config *cfg, cJSON *section, cr_error **err) {
  cJSON_Delete(section);
  return cr_fail(err, ENOMEM, cfg->name, "cannot change the config");
}

int cr_config_set_env(struct cr_config *cfg, const char *name, const char *value, cr_error **err) {
  if (!name) return cr_fail(err, EINVAL, "process.env", "no variable name");
  cJSON *process = take_section(cfg, "process", false, err);
  if (!process) return -1;
  cJSON *env = cJSON_GetObjectItemCaseSensitive(process, "env");
  if (!env && !(env = cJSON_AddObjectToObject(process, "env"))) return oom(cfg, process, err);
  if (!value)
    cJSON_DeleteItemFromObjectCaseSensitive(env, name);
  else if (set_member(env, name, cJSON_CreateString(value)) < 0)
    return oom(cfg, process, err);
  return put_section(cfg, "process", process, err);
}

int cr_config_set_cwd(struct cr_config *cfg, const char *cwd, cr_error **err) {
  if (!cwd) return cr_fail(err, EINVAL, "process.cwd", "no folder");
  cJSON *process = take_section(cfg, "process", false, err);
  if (!process) return -1;
  if (set_member(process, "cwd", cJSON_CreateString(cwd)) < 0) return oom(cfg, process, err);
  return put_section(cfg, "process", process, err);
}

static int add_fs_entry(struct cr_config *cfg, cJSON *entry, cr_error **err) {
  if (!entry) return cr_fail(err, ENOMEM, cfg->name, "cannot change the config");
  cJSON *fs = take_section(cfg, "filesystem", true, err);
  if (!fs) {
    cJSON_Delete(entry);
    return -1;
  }
  if (!cJSON_AddItemToArray(fs, entry)) {
    cJSON_Delete(entry);
    return oom(cfg, fs, err);
  }
  return put_section(cfg, "filesystem", fs, err);
}

int cr_config_add_bind(struct cr_config *cfg, const char *source, const char *target, bool writable,
                       cr_error **err) {
  if (!source) return cr_fail(err, EINVAL, "filesystem", "no bind source");
  cJSON *e = cJSON_CreateObject();
  if (!e || !cJSON_AddStringToObject(e, "type", "bind") || !cJSON_AddStringToObject(e, "source", source) ||
      !cJSON_AddStringToObject(e, "target", target ? target : source) ||
      (writable && !cJSON_AddTrueToObject(e, "writable")))
    return oom(cfg, e, err);
  return add_fs_entry(cfg, e, err);
}

int cr_config_add_tmpfs(struct cr_config *cfg, const char *target, const char *size, cr_error **err) {
  if (!target) return cr_fail(err, EINVAL, "filesystem", "no tmpfs target");
  cJSON *e = cJSON_CreateObject();
  if (!e || !cJSON_AddStringToObject(e, "type", "tmpfs") || !cJSON_AddStringToObject(e, "target", target) ||
      (size && !cJSON_AddStringToObject(e, "size", size)))
    return oom(cfg, e, err);
  return add_fs_entry(cfg, e, err);
}

int cr_config_set_fd(struct cr_config *cfg, int target, int source, cr_error **err) {
  cJSON *fds = take_section(cfg, "fds", true, err);
  if (!fds) return -1;
  /* a target set again is replaced; the parser sorts the table */
  for (cJSON *e = fds->child; e;) {
    cJSON *next = e->next;
    const cJSON *fd = cJSON_GetObjectItemCaseSensitive(e, "fd");
    if (cJSON_IsNumber(fd) && fd->valuedouble == target) cJSON_Delete(cJSON_DetachItemViaPointer(fds, e));
    e = next;
  }
  cJSON *e = cJSON_CreateObject();
  if (!e || !cJSON_AddNumberToObject(e, "fd", target) || !cJSON_AddNumberToObject(e, "inherit", source) ||
      !cJSON_AddItemToArray(fds, e)) {
    cJSON_Delete(e);
    return oom(cfg, fds, err);
  }
  return put_section(cfg, "fds", fds, err);
}

int cr_config_set_network(struct cr_config *cfg, const char *network, cr_error **err) {
  if (!network) return cr_fail(err, EINVAL, "network", "no network mode");
  /* the net namespace follows: "host" shares the host's, "none" is a new one */
  cJSON *ns = take_section(cfg, "namespaces", true, err);
  if (!ns) return -1;
  for (cJSON *e = ns->child; e;) {
    cJSON *next = e->next;
    if (cJSON_IsString(e) && strcmp(e->valuestring, "net") == 0)
      cJSON_Delete(cJSON_DetachItemViaPointer(ns, e));
    e = next;
  }
  if (strcmp(network, "host") != 0 && !cJSON_AddItemToArray(ns, cJSON_CreateString("net")))
    return oom(cfg, ns, err);
  cr_autojson cJSON *patch = cJSON_CreateObject();
  if (!patch || !cJSON_AddItemToObject(patch, "namespaces", ns)) {
    if (!patch) cJSON_Delete(ns);
    return cr_fail(err, ENOMEM, cfg->name, "cannot change the config");
  }
  if (!cJSON_AddStringToObject(patch, "network", network))
    return cr_fail(err, ENOMEM, cfg->name, "cannot change the config");
  cr_autofree char *text = cJSON_PrintUnformatted(patch);
  if (!text) return cr_fail(err, ENOMEM, cfg->name, "cannot change the config");
  return cr_config_update(cfg, text, err);
}

int cr_config_set_seccomp(struct cr_config *cfg, const char *policy, cr_error **err) {
  if (!policy) return cr_fail(err, EINVAL, "seccomp", "no policy");
  cJSON *value = cJSON_CreateString(policy);
  if (!value) return cr_fail(err, ENOMEM, cfg->name, "cannot change the config");
  return put_section(cfg, "seccomp", value, err);
}

/* limits.KEY = value, or no such key when value is 0. */
static int set_limit(struct cr_config *cfg, const char *key, uint64_t value, cr_error **err) {
  cJSON *limits = take_section(cfg, "limits", false, err);
  if (!limits) return -1;
  if (!value) {
    cJSON_DeleteItemFromObjectCaseSensitive(limits, key);
  } else {
    char digits[24];
    snprintf(digits, sizeof digits, "%llu", (unsigned long long)value);
    /* beyond 2^53 a JSON number is inexact; sizes take decimal strings */
    cJSON *v = value > CR_JSON_MAX_EXACT && strcmp(key, "memory") == 0 ? cJSON_CreateString(digits)
                                                                       : cJSON_CreateNumber((double)value);
    if (set_member(limits, key, v) < 0) return oom(cfg, limits, err);
  }
  return put_section(cfg, "limits", limits, err);
}

int cr_config_set_time_limit_ms(struct cr_config *cfg, uint64_t ms, cr_error **err) {
  return set_limit(cfg, "time_ms", ms, err);
}

int cr_config_set_memory_limit(struct cr_config *cfg, uint64_t bytes, cr_error **err) {
  return set_limit(cfg, "memory", bytes, err);
}

int cr_config_set_pids_limit(struct cr_config *cfg, uint64_t pids, cr_error **err) {
  return set_limit(cfg, "pids", pids, err);
}

/* key: "section" or "section.key.key..."; json: the value's JSON text. */
int cr_config_set_key(struct cr_config *cfg, const char *key, const char *json, cr_error **err) {
  if (!key || !*key || !json) return cr_fail(err, EINVAL, cfg->name, "no key or no value");
  cJSON *value = cJSON_Parse(json);
  if (!value) return cr_fail(err, EINVAL, key, "not a JSON value: %s", json);
  const char *dot = strchr(key, '.');
  if (!dot) return put_section(cfg, key, value, err);
  cr_autofree char *section_name = strndup(key, (size_t)(dot - key));
  if (!section_name) {
    cJSON_Delete(value);
    return cr_fail(err, ENOMEM, cfg->name, "cannot change the config");
  }
  cJSON *section = take_section(cfg, section_name, false, err);
  if (!section) {
    cJSON_Delete(value);
    return -1;
  }
  /* down the path, making the objects that are missing */
  cJSON *obj = section;
  for (const char *part = dot + 1;;) {
    const char *next = strchr(part, '.');
    cr_autofree char *name = next ? strndup(part, (size_t)(next - part)) : strdup(part);
    if (!name || !*name || !cJSON_IsObject(obj)) {
      cJSON_Delete(value);
      cJSON_Delete(section);
      return name ? cr_fail(err, EINVAL, key, "not a path of object keys") : oom(cfg, NULL, err);
    }
    if (!next) {
      if (set_member(obj, name, value) < 0) return oom(cfg, section, err);
      break;
    }
    cJSON *child = cJSON_GetObjectItemCaseSensitive(obj, name);
    if (!child && !(child = cJSON_AddObjectToObject(obj, name))) {
      cJSON_Delete(value);
      return oom(cfg, section, err);
    }
    obj = child;
    part = next + 1;
  }
  return put_section(cfg, section_name, section, err);
}
