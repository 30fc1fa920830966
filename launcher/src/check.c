/* SPDX-License-Identifier: MIT */
/* cr_config_check: what `cleanroom check` does beyond loading: compile the
 * seccomp policy (here, since config/ must not depend on policies/), so a
 * config that passes will not fail on it. */
#include <fcntl.h>

#include "cr/cleanup.h"
#include "identity.h"
#include "launch.h"

int cr_config_compile_policy(const struct cr_config *cfg, const struct cr_options *opts, struct cr_bpf *bpf,
                             cr_error **err) {
  struct cr_policy_env env = {.kept_caps = cfg->capabilities,
                              .cache_dir = opts ? opts->cache_dir : NULL,
                              .log = opts ? &opts->log : NULL};
  *bpf = (struct cr_bpf){0};
  if (cfg->seccomp.kind != CR_SECCOMP_FILE) return cr_policy_compile(&cfg->seccomp, &env, bpf, NULL, err);
  /* as a run reads it: with the sandbox's rights */
  struct cr_identity id;
  if (cr_identity_of(cfg, &id, err) < 0) return -1;
  cr_autoclose int fd = cr_open_as(&id, cfg->seccomp.path, O_RDONLY | O_NONBLOCK, 0, "seccomp", err);
  if (fd < 0) return -1;
  return cr_policy_compile_fd(fd, cfg->seccomp.path, &env, bpf, NULL, err);
}

int cr_config_check(const struct cr_config *cfg, const struct cr_options *opts, cr_error **err) {
  struct cr_bpf bpf;
  int rc = cr_config_compile_policy(cfg, opts, &bpf, err);
  cr_bpf_free(&bpf);
  return rc;
}
