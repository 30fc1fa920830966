/* SPDX-License-Identifier: MIT */
/* libFuzzer target: the seccomp policy loader (cr_policy_compile of an
 * inline policy, as a config's "seccomp": {...} gives it).
 *
 * The input is profile JSON text; it is compiled for a sandbox without
 * capabilities and, when the input's length is odd, for one keeping them all
 * (includes/excludes "caps" take other paths). Any outcome but a crash, a
 * leak or undefined behaviour is fine. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cr/policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *text = malloc(size + 1);
  if (!text) return 0;
  memcpy(text, data, size);
  text[size] = '\0';
  struct cr_seccomp_spec spec;
  memset(&spec, 0, sizeof spec);
  spec.kind = CR_SECCOMP_INLINE;
  spec.inline_json = text;
  struct cr_bpf bpf;
  struct cr_policy_stats stats;
  cr_error *err = NULL;
  memset(&bpf, 0, sizeof bpf);
  struct cr_policy_env env = {.kept_caps = (size & 1) ? ~0ULL : 0}; /* no cache, no log */
  if (cr_policy_compile(&spec, &env, &bpf, &stats, &err) == 0) cr_bpf_free(&bpf);
  cr_error_free(err);
  free(text);
  return 0;
}
