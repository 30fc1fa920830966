/* SPDX-License-Identifier: MIT */
/* A config file on top of the built-in default: each top-level section the
 * file sets replaces the default's section as a whole. */
#include <string.h>

#include "internal.h"

static bool array_has_string(const cJSON *array, const char *s) {
  const cJSON *item;
  cJSON_ArrayForEach(item, array) {
    if (cJSON_IsString(item) && strcmp(item->valuestring, s) == 0) return true;
  }
  return false;
}

static void array_remove_string(cJSON *array, const char *s) {
  cJSON *item = array ? array->child : NULL;
  while (item) {
    cJSON *next = item->next;
    if (cJSON_IsString(item) && strcmp(item->valuestring, s) == 0)
      cJSON_Delete(cJSON_DetachItemViaPointer(array, item));
    item = next;
  }
}

/* A repeated key is reported as an error elsewhere; here the first one wins. */
static void drop_repeated_keys(cJSON *user) {
  cJSON *item = user->child;
  while (item) {
    cJSON *next = item->next;
    for (cJSON *prev = user->child; prev != item; prev = prev->next) {
      if (strcmp(prev->string, item->string) == 0) {
        cJSON_Delete(cJSON_DetachItemViaPointer(user, item));
        break;
      }
    }
    item = next;
  }
}

static int move_sections(cJSON *base, cJSON *user) {
  while (user->child) {
    cJSON *section = cJSON_DetachItemViaPointer(user, user->child);
    cJSON *old = cJSON_GetObjectItemCaseSensitive(base, section->string);
    bool ok = old ? cJSON_ReplaceItemViaPointer(base, old, section)
                  : cJSON_AddItemToObject(base, section->string, section);
    if (!ok) {
      cJSON_Delete(section);
      return -1;
    }
  }
  return 0;
}

int merge_config(cJSON *base, cJSON *user) {
  if (!user) return 0;
  drop_repeated_keys(user);
  const cJSON *network = cJSON_GetObjectItemCaseSensitive(user, "network");
  bool host_network = cJSON_IsString(network) && strcmp(network->valuestring, "host") == 0;
  bool own_namespaces = cJSON_HasObjectItem(user, "namespaces");
  bool own_hostname = cJSON_HasObjectItem(user, "hostname");
  if (move_sections(base, user) < 0) return -1;

  cJSON *namespaces = cJSON_GetObjectItemCaseSensitive(base, "namespaces");
  /* Host networking means no net namespace; the default's list has one. */
  if (host_network && !own_namespaces) array_remove_string(namespaces, "net");
  /* The default's hostname needs uts; a file that drops uts drops it too. */
  if (!own_hostname && cJSON_IsArray(namespaces) && !array_has_string(namespaces, "uts"))
    cJSON_DeleteItemFromObjectCaseSensitive(base, "hostname");
  return 0;
}
