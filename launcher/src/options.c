/* SPDX-License-Identifier: MIT */
/* cr_options: what a program hands the library instead of environment
 * variables (the command line maps CLEANROOM_* onto them). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "launch.h"

int cr_options_new(struct cr_options **out, cr_error **err) {
  *out = calloc(1, sizeof **out);
  if (!*out) return cr_fail(err, ENOMEM, "options", "allocate");
  (*out)->id_base = CR_ID_RANGE_BASE;
  (*out)->id_count = CR_ID_RANGE_COUNT;
  return 0;
}

void cr_options_free(struct cr_options *opts) {
  if (!opts) return;
  free(opts->cache_dir);
  free(opts->cgroup_parent);
  free(opts);
}

static int set_string(char **slot, const char *value, const char *what, cr_error **err) {
  char *copy = value ? strdup(value) : NULL;
  if (value && !copy) return cr_fail(err, ENOMEM, "options", "%s", what);
  free(*slot);
  *slot = copy;
  return 0;
}

int cr_options_set_cache_dir(struct cr_options *opts, const char *dir, cr_error **err) {
  if (dir && dir[0] != '/')
    return cr_fail(err, EINVAL, "options", "the cache folder must be an absolute path, not %s", dir);
  return set_string(&opts->cache_dir, dir && dir[0] ? dir : NULL, "cache folder", err);
}

int cr_options_set_cgroup_parent(struct cr_options *opts, const char *cgroup, cr_error **err) {
  if (cgroup && cgroup[0] && cgroup[0] != '/')
    return cr_fail(err, EINVAL, "options", "the cgroup parent must be a cgroup path starting with /, not %s",
                   cgroup);
  return set_string(&opts->cgroup_parent, cgroup && cgroup[0] ? cgroup : NULL, "cgroup parent", err);
}

void cr_options_set_log(struct cr_options *opts, cr_log_fn fn, void *data) {
  opts->log = (struct cr_log){.fn = fn, .data = data};
}

void cr_options_set_forward_signals(struct cr_options *opts, bool forward) {
  opts->forward_signals = forward;
}

void cr_options_set_debug_timing(struct cr_options *opts, bool on) { opts->debug_timing = on; }

void cr_options_set_audit(struct cr_options *opts, bool on) { opts->audit = on; }

void cr_options_set_learn(struct cr_options *opts, bool on) { opts->learn = on; }

int cr_options_set_id_range(struct cr_options *opts, uint32_t base, uint32_t count, cr_error **err) {
  if (count && (base == 0 || (uint64_t)base + count > UINT32_MAX))
    return cr_fail(err, EINVAL, "options", "id range %u:%u: it must not hold host id 0 nor go past %u",
                   (unsigned)base, (unsigned)count, (unsigned)UINT32_MAX - 1);
  opts->id_base = base;
  opts->id_count = count;
  return 0;
}
