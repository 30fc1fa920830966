/* SPDX-License-Identifier: MIT */
/* config/schema.json and the parser know the same keys and values: every key
 * table of config/src/keys.c appears in the schema, and every property of
 * the schema in a key table. */
#include <cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "keys.h"
#include "test_util.h"

static cJSON *load_schema(void) {
  FILE *f = fopen(CR_CONFIG_SOURCE_DIR "/schema.json", "r");
  if (!f) return NULL;
  static char text[1 << 18];
  size_t n = fread(text, 1, sizeof text - 1, f);
  fclose(f);
  text[n] = '\0';
  return cJSON_Parse(text);
}

static bool in_keyset(const struct cr_keyset *ks, const char *name) {
  for (size_t i = 0; i < ks->n; i++)
    if (strcmp(ks->names[i], name) == 0) return true;
  return false;
}

/* The parser's names and the schema's (property names or enum values) are the same set. */
static void compare_names(const struct cr_keyset *ks, const cJSON *names, bool from_keys) {
  const char *def = ks->schema_def[0] ? ks->schema_def : "(root)";
  if (!(from_keys ? cJSON_IsObject(names) : cJSON_IsArray(names))) {
    fprintf(stderr, "schema %s: no %s\n", def, from_keys ? "properties" : "enum");
    test_failures++;
    return;
  }
  for (size_t i = 0; i < ks->n; i++) {
    bool found = false;
    const cJSON *item;
    cJSON_ArrayForEach(item, names) {
      const char *name = from_keys ? item->string : cJSON_GetStringValue(item);
      if (name && strcmp(name, ks->names[i]) == 0) found = true;
    }
    if (!found) {
      fprintf(stderr, "schema %s lacks \"%s\", which the parser knows\n", def, ks->names[i]);
      test_failures++;
    }
  }
  const cJSON *item;
  cJSON_ArrayForEach(item, names) {
    const char *name = from_keys ? item->string : cJSON_GetStringValue(item);
    if (!name || !in_keyset(ks, name)) {
      fprintf(stderr, "schema %s has \"%s\", which the parser does not know\n", def, name ? name : "?");
      test_failures++;
    }
  }
}

static const cJSON *schema_def(const cJSON *schema, const char *name) {
  if (!name[0]) return schema;
  return cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(schema, "$defs"), name);
}

static void test_keysets(const cJSON *schema) {
  for (size_t i = 0; i < CR_KEYSET_COUNT; i++) {
    const struct cr_keyset *ks = &cr_config_keysets[i];
    const cJSON *def = schema_def(schema, ks->schema_def);
    if (!def) {
      fprintf(stderr, "schema has no $defs/%s\n", ks->schema_def);
      test_failures++;
      continue;
    }
    if (ks->is_enum) {
      compare_names(ks, cJSON_GetObjectItemCaseSensitive(def, "enum"), false);
    } else {
      compare_names(ks, cJSON_GetObjectItemCaseSensitive(def, "properties"), true);
      CHECK(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(def, "additionalProperties")));
    }
  }
}

/* Each filesystem type has its definition, fixed by "type": {"const": name}. */
static void test_fs_types(const cJSON *schema) {
  const struct cr_keyset *types = &cr_config_keysets[CR_ENUM_FS_TYPE];
  for (size_t i = 0; i < types->n; i++) {
    char def_name[64];
    snprintf(def_name, sizeof def_name, "fs_%s", types->names[i]);
    const cJSON *props = cJSON_GetObjectItemCaseSensitive(schema_def(schema, def_name), "properties");
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(props, "type");
    const char *value = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(type, "const"));
    if (!value || strcmp(value, types->names[i]) != 0) {
      fprintf(stderr, "schema $defs/%s: properties.type.const is not \"%s\"\n", def_name, types->names[i]);
      test_failures++;
    }
  }
}

static bool covered_by_keyset(const char *def_name) {
  for (size_t i = 0; i < CR_KEYSET_COUNT; i++)
    if (strcmp(cr_config_keysets[i].schema_def, def_name) == 0) return true;
  return false;
}

/* Every object schema with properties is closed and checked above: no key
 * can hide in a definition the parser's tables do not cover. */
static void test_no_unchecked_properties(const cJSON *node, const char *where, bool top_def) {
  if (!cJSON_IsObject(node) && !cJSON_IsArray(node)) return;
  if (cJSON_IsObject(node) && cJSON_HasObjectItem(node, "properties")) {
    if (!cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(node, "additionalProperties"))) {
      fprintf(stderr, "schema %s: properties without \"additionalProperties\": false\n", where);
      test_failures++;
    }
    if (!top_def) {
      fprintf(stderr, "schema %s: properties outside a checked definition\n", where);
      test_failures++;
    }
  }
  const cJSON *child;
  cJSON_ArrayForEach(child, node) {
    /* The schema's own root and its $defs entries are checked by name. */
    if (child->string && strcmp(child->string, "$defs") == 0) continue;
    if (child->string && strcmp(child->string, "properties") == 0 && top_def) {
      const cJSON *prop;
      cJSON_ArrayForEach(prop, child) test_no_unchecked_properties(prop, where, false);
      continue;
    }
    test_no_unchecked_properties(child, where, false);
  }
}

static void test_defs_covered(const cJSON *schema) {
  test_no_unchecked_properties(schema, "(root)", true);
  const cJSON *def;
  cJSON_ArrayForEach(def, cJSON_GetObjectItemCaseSensitive(schema, "$defs")) {
    bool has_names = cJSON_HasObjectItem(def, "properties") || cJSON_HasObjectItem(def, "enum");
    if (has_names && !covered_by_keyset(def->string)) {
      fprintf(stderr, "schema $defs/%s has names no parser table checks\n", def->string);
      test_failures++;
    }
    char where[128];
    snprintf(where, sizeof where, "$defs/%s", def->string);
    test_no_unchecked_properties(def, where, covered_by_keyset(def->string));
  }
}

int main(void) {
  cJSON *schema = load_schema();
  CHECK(schema != NULL);
  if (!schema) return test_result("config_schema_parity");
  const char *dialect = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(schema, "$schema"));
  CHECK(dialect && strcmp(dialect, "https://json-schema.org/draft/2020-12/schema") == 0);
  test_keysets(schema);
  test_fs_types(schema);
  test_defs_covered(schema);
  cJSON_Delete(schema);
  return test_result("config_schema_parity");
}
