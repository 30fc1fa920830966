/* SPDX-License-Identifier: MIT */
/* libFuzzer target: the config parser (cr_config_load_string).
 *
 * The input is config JSON text. Whatever it holds, loading must end with
 * either a config or an error, without a crash, a leak or undefined
 * behaviour. A config that loads is printed (cr_config_to_json) and the
 * printed text must load again (cr/config.h promises the round trip). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cr/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *text = malloc(size + 1);
  if (!text) return 0;
  memcpy(text, data, size);
  text[size] = '\0';
  struct cr_config *cfg = NULL;
  cr_error *err = NULL;
  if (cr_config_load_string(text, "fuzz.json", "/nonexistent-cr-fuzz", &cfg, &err) == 0) {
    char *printed = cr_config_to_json(cfg);
    if (!printed) {
      fprintf(stderr, "fuzz_config: cr_config_to_json returned NULL for a loaded config\n");
      abort();
    }
    struct cr_config *again = NULL;
    cr_error *err2 = NULL;
    if (cr_config_load_string(printed, "printed.json", "/nonexistent-cr-fuzz", &again, &err2) != 0) {
      fprintf(stderr, "fuzz_config: the printed config does not load again:\n%s\n--- error: %s\n", printed,
              cr_error_message(err2));
      abort();
    }
    cr_config_free(again);
    free(printed);
    cr_config_free(cfg);
  }
  cr_error_free(err);
  free(text);
  return 0;
}
