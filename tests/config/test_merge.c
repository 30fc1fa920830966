/* SPDX-License-Identifier: MIT */
/* A config file on top of the built-in default: section by section, the
 * network "host" special case, hostname vs uts, and uid resolution. */
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test_util.h"

#define DEFAULT_NAMESPACES \
  (CR_NS_USER | CR_NS_PID | CR_NS_MOUNT | CR_NS_NET | CR_NS_IPC | CR_NS_UTS | CR_NS_CGROUP)

static bool has_target(const struct cr_config *cfg, const char *target) {
  for (size_t i = 0; i < cfg->n_fs; i++)
    if (cfg->fs[i].target && strcmp(cfg->fs[i].target, target) == 0) return true;
  return false;
}

static const char *env_value(const struct cr_config *cfg, const char *name) {
  for (size_t i = 0; i < cfg->process.n_env; i++)
    if (strcmp(cfg->process.env[i].name, name) == 0) return cfg->process.env[i].value;
  return NULL;
}

/* The built-in default, as DESIGN.md describes it. */
static void test_default(void) {
  struct cr_config *cfg = NULL;
  cr_error *err = NULL;
  CHECK(cr_config_load_default(&cfg, &err) == 0);
  if (!cfg) return;
  CHECK(cfg->source_path == NULL);
  CHECK(cfg->base_dir && cfg->base_dir[0] == '/');
  CHECK(cfg->process.n_args == 1 && strcmp(cfg->process.args[0], "/bin/sh") == 0 && !cfg->process.args[1]);
  CHECK(cfg->process.path == NULL);
  CHECK_STR(env_value(cfg, "PATH"), "/usr/local/bin:/usr/bin:/bin");
  CHECK_STR(env_value(cfg, "HOME"), "/tmp");
  CHECK_STR(env_value(cfg, "LANG"), "C.UTF-8");
  CHECK(cfg->process.n_env == 3);
  CHECK_STR(cfg->process.cwd, "/tmp");
  CHECK(cfg->process.umask == 022);
  CHECK(cfg->namespaces == DEFAULT_NAMESPACES);
  CHECK_STR(cfg->hostname, "cleanroom");
  const char *ro_binds[] = {"/usr", "/bin", "/sbin", "/lib", "/etc"};
  for (size_t i = 0; i < sizeof ro_binds / sizeof *ro_binds; i++) {
    bool found = false;
    for (size_t k = 0; k < cfg->n_fs; k++) {
      const struct cr_fs_entry *e = &cfg->fs[k];
      if (e->type == CR_FS_BIND && strcmp(e->target, ro_binds[i]) == 0)
        found = !e->writable && !e->optional && strcmp(e->source, ro_binds[i]) == 0;
    }
    CHECK(found);
  }
  const char *optional_binds[] = {"/lib32", "/lib64", "/libx32"};
  for (size_t i = 0; i < sizeof optional_binds / sizeof *optional_binds; i++) {
    bool found = false;
    for (size_t k = 0; k < cfg->n_fs; k++)
      if (strcmp(cfg->fs[k].target, optional_binds[i]) == 0) found = cfg->fs[k].optional;
    CHECK(found);
  }
  CHECK(cfg->n_fs == 13);
  /* the default bounds the memory its tmpfs can pin (issue 11) */
  CHECK(cfg->fs[8].type == CR_FS_TMPFS && strcmp(cfg->fs[8].target, "/tmp") == 0 &&
        cfg->fs[8].mode == 01777 && cfg->fs[8].size_percent == 25);
  /* the FHS folders programs expect (issue 17): /var/tmp and /run share /tmp's bound */
  CHECK(cfg->fs[9].type == CR_FS_SYMLINK && strcmp(cfg->fs[9].target, "/var/tmp") == 0 &&
        strcmp(cfg->fs[9].link_to, "/tmp") == 0);
  CHECK(cfg->fs[10].type == CR_FS_SYMLINK && strcmp(cfg->fs[10].target, "/run") == 0 &&
        strcmp(cfg->fs[10].link_to, "/tmp") == 0);
  CHECK(cfg->fs[11].type == CR_FS_PROC && strcmp(cfg->fs[11].target, "/proc") == 0);
  /* a private devpts: terminals (forkpty, script, tmux) work (issue 17) */
  CHECK(cfg->fs[12].type == CR_FS_DEV && cfg->fs[12].dev_pts && cfg->fs[12].dev_shm &&
        cfg->fs[12].shm_size_percent == 10);
  CHECK(cfg->process.has_oom_score_adj && cfg->process.oom_score_adj == 500);
  CHECK(cfg->n_fds == 3);
  for (size_t i = 0; i < cfg->n_fds && i < 3; i++)
    CHECK(cfg->fds[i].fd == (int)i && cfg->fds[i].kind == CR_FD_INHERIT && cfg->fds[i].inherit_fd == (int)i);
  CHECK(cfg->seccomp.kind == CR_SECCOMP_BUILTIN && strcmp(cfg->seccomp.builtin_name, "default") == 0);
  CHECK(cfg->capabilities == 0);
  CHECK(cfg->network == CR_NETWORK_NONE);
  CHECK(cfg->limits.n_rlimits == 2 && cfg->limits.rlimits[0].resource == RLIMIT_CORE &&
        cfg->limits.rlimits[0].soft == 0 && cfg->limits.rlimits[0].hard == 0);
  CHECK(cfg->limits.rlimits[1].resource == RLIMIT_NPROC && cfg->limits.rlimits[1].soft == 4096 &&
        cfg->limits.rlimits[1].hard == 4096);
  CHECK(cfg->limits.time_ms == 0 && cfg->limits.memory == 0 && cfg->limits.kill_grace_ms == 2000);
  CHECK(cfg->report_path == NULL);

  /* "{}" is the default too. */
  struct cr_config *empty = load_ok("{}");
  CHECK(empty && configs_equal(cfg, empty));
  cr_config_free(empty);
  cr_config_free(cfg);
}

/* The embedded text is config/default.json, byte for byte. */
static void test_embedded_default(void) {
  FILE *f = fopen(CR_CONFIG_SOURCE_DIR "/default.json", "r");
  CHECK(f != NULL);
  if (!f) return;
  static char text[65536];
  size_t n = fread(text, 1, sizeof text - 1, f);
  fclose(f);
  text[n] = '\0';
  CHECK_STR(cr_default_config_json, text);
}

static void test_section_override(void) {
  /* Only a hostname: everything else stays the default. */
  struct cr_config *def = load_ok("{}");
  struct cr_config *cfg = load_ok(Q("{'hostname': 'other'}"));
  if (cfg && def) {
    CHECK_STR(cfg->hostname, "other");
    CHECK(cfg->n_fs == def->n_fs && has_target(cfg, "/usr") && has_target(cfg, "/proc"));
    free(cfg->hostname);
    cfg->hostname = strdup("cleanroom");
    CHECK(configs_equal(cfg, def));
  }
  cr_config_free(cfg);

  /* A filesystem replaces the default's entirely. */
  cfg = load_ok(Q("{'filesystem': [{'type': 'tmpfs', 'target': '/data', 'size': '1M'}]}"));
  if (cfg) {
    CHECK(cfg->n_fs == 1 && strcmp(cfg->fs[0].target, "/data") == 0 && cfg->fs[0].mode == 0755);
    CHECK(!has_target(cfg, "/usr") && !has_target(cfg, "/tmp"));
    CHECK(cfg->n_fds == 3 && cfg->namespaces == DEFAULT_NAMESPACES);
  }
  cr_config_free(cfg);

  /* An empty filesystem is an empty root. */
  cfg = load_ok(Q("{'filesystem': [], 'fds': []}"));
  CHECK(cfg && cfg->n_fs == 0 && cfg->n_fds == 0);
  cr_config_free(cfg);

  /* A process section is the whole process: no env, cwd / unless given. */
  cfg = load_ok(Q("{'process': {'args': ['/bin/true']}}"));
  if (cfg) {
    CHECK(cfg->process.n_env == 0 && strcmp(cfg->process.cwd, "/") == 0 && cfg->process.umask == 022);
    CHECK(cfg->process.host_uid == 65534 && cfg->process.host_gid == 65534);
  }
  cr_config_free(cfg);
  expect_error(Q("{'process': {'env': {'A': 'b'}}}"),
               "$.process.args: required (a non-empty array of strings: the program's argv)");

  /* limits replace too: the default's CORE 0 is gone, kill_grace keeps its default. */
  cfg = load_ok(Q("{'limits': {'time_ms': 5}}"));
  CHECK(cfg && cfg->limits.time_ms == 5 && cfg->limits.n_rlimits == 0 && cfg->limits.kill_grace_ms == 2000);
  cr_config_free(cfg);
  cr_config_free(def);
}

static void test_network_host(void) {
  /* host without namespaces of its own: the default's list loses net. */
  struct cr_config *cfg = load_ok(Q("{'network': 'host'}"));
  CHECK(cfg && cfg->network == CR_NETWORK_HOST && cfg->namespaces == (DEFAULT_NAMESPACES & ~CR_NS_NET));
  cr_config_free(cfg);
  /* host with net listed explicitly is a contradiction. */
  expect_error(Q("{'network': 'host', 'namespaces': ['user', 'pid', 'mount', 'net']}"),
               "$.namespaces: \"net\" cannot be listed with \"network\": \"host\" (host networking "
               "shares the host's net namespace)");
  cfg = load_ok(Q("{'network': 'host', 'namespaces': ['user', 'pid', 'mount', 'uts']}"));
  CHECK(cfg && cfg->namespaces == (CR_NS_USER | CR_NS_PID | CR_NS_MOUNT | CR_NS_UTS));
  cr_config_free(cfg);
  /* none (the default) needs net. */
  expect_error(
      Q("{'namespaces': ['user', 'pid', 'mount', 'uts']}"),
      "$.network: \"none\" needs the \"net\" namespace: add \"net\" to $.namespaces or use \"host\"");
  expect_error(
      Q("{'network': 'none', 'namespaces': ['user', 'pid', 'mount']}"),
      "$.network: \"none\" needs the \"net\" namespace: add \"net\" to $.namespaces or use \"host\"");
}

static void test_hostname_and_uts(void) {
  /* Dropping uts drops the default's hostname. */
  struct cr_config *cfg = load_ok(Q("{'namespaces': ['user', 'pid', 'mount', 'net']}"));
  CHECK(cfg && cfg->hostname == NULL);
  cr_config_free(cfg);
  expect_error(Q("{'namespaces': ['user', 'pid', 'mount', 'net'], 'hostname': 'x'}"),
               "$.hostname: needs the \"uts\" namespace in $.namespaces");
  cfg = load_ok(Q("{'namespaces': ['user', 'pid', 'mount', 'net', 'uts', 'time']}"));
  CHECK(cfg && cfg->hostname && strcmp(cfg->hostname, "cleanroom") == 0 && (cfg->namespaces & CR_NS_TIME));
  cr_config_free(cfg);
}

static bool ids_are(uint32_t uid, uint32_t gid) {
  struct cr_config *cfg = NULL;
  cr_error *err = NULL;
  if (cr_config_load_default(&cfg, &err) < 0) return false;
  bool ok = cfg->process.uid == uid && cfg->process.gid == gid && cfg->process.host_uid == 65534 &&
            cfg->process.host_gid == 65534;
  cr_config_free(cfg);
  return ok;
}

static void test_uid_resolution(void) {
  if (getuid() == 0)
    CHECK(ids_are(1000, 1000)); /* root's own ids are never used, nor the overflow id */
  else
    CHECK(ids_are(getuid(), getgid()));

  struct cr_config *cfg =
      load_ok(Q("{'process': {'args': ['a'], 'uid': 0, 'gid': 0, 'host_uid': 1000, 'host_gid': 1001}}"));
  CHECK(cfg && cfg->process.uid == 0 && cfg->process.gid == 0 && cfg->process.host_uid == 1000 &&
        cfg->process.host_gid == 1001);
  cr_config_free(cfg);

  /* As root, become an ordinary user in a child: the default follows. */
  if (getuid() != 0) return;
  pid_t pid = fork();
  if (pid == 0) {
    if (setgid(4321) < 0 || setuid(1234) < 0) _exit(3);
    _exit(ids_are(1234, 4321) ? 0 : 1);
  }
  int status = 0;
  CHECK(pid > 0 && waitpid(pid, &status, 0) == pid);
  CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

int main(void) {
  test_default();
  test_embedded_default();
  test_section_override();
  test_network_host();
  test_hostname_and_uts();
  test_uid_resolution();
  return test_result("config_merge");
}
