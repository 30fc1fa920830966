/* SPDX-License-Identifier: MIT */
/* cr_config_to_json prints the resolved config in the config format; loading
 * that text gives the same config. Also set_args and free. */
#include <cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "test_util.h"

static char *dir;

/* load(text) == load(to_json(load(text))), and printing is stable. */
static void check_round_trip(const struct cr_config *cfg, const char *label) {
  char *text = cr_config_to_json(cfg);
  CHECK(text != NULL);
  if (!text) return;
  CHECK(strchr(text, '\t') == NULL); /* 2-space indentation, no tabs */
  CHECK(strncmp(text, "{\n  \"process\": {\n    \"", 22) == 0);
  cJSON *parsed = cJSON_Parse(text); /* valid JSON, every section present */
  CHECK(parsed != NULL);
  const char *sections[] = {"process", "namespaces",   "filesystem", "fds",
                            "seccomp", "capabilities", "network",    "limits"};
  for (size_t i = 0; i < sizeof sections / sizeof *sections; i++)
    CHECK(cJSON_HasObjectItem(parsed, sections[i]));
  CHECK(cJSON_HasObjectItem(parsed, "hostname") == (cfg->hostname != NULL));
  cJSON_Delete(parsed);

  struct cr_config *again = NULL;
  cr_error *err = NULL;
  if (cr_config_load_string(text, label, cfg->base_dir, &again, &err) < 0) {
    fprintf(stderr, "%s: printed config does not load:\n%s\n", label, text);
    cr_error_print(err, stderr);
    test_failures++;
  } else {
    if (!configs_equal(cfg, again)) {
      fprintf(stderr, "%s: round trip differs; printed:\n%s\n", label, text);
      test_failures++;
    }
    char *text2 = cr_config_to_json(again);
    CHECK_STR(text2, text);
    free(text2);
  }
  cr_config_free(again);
  free(text);
}

static void test_default_and_examples(void) {
  struct cr_config *cfg = NULL;
  cr_error *err = NULL;
  CHECK(cr_config_load_default(&cfg, &err) == 0);
  if (cfg) check_round_trip(cfg, "default");
  cr_config_free(cfg);

  const char *examples[] = {"minimal", "plugin", "test-env"};
  for (size_t i = 0; i < sizeof examples / sizeof *examples; i++) {
    char path[512];
    snprintf(path, sizeof path, "%s/examples/%s.json", CR_CONFIG_SOURCE_DIR, examples[i]);
    cfg = NULL;
    if (cr_config_load_file(path, &cfg, &err) < 0) {
      fprintf(stderr, "example %s does not load:\n", path);
      cr_error_print(err, stderr);
      test_failures++;
      continue;
    }
    check_round_trip(cfg, examples[i]);
    cr_config_free(cfg);
  }
}

static const char rich[] =
    "{\n"
    "  'process': {'path': '/usr/bin/env', 'args': ['env', '-0', 'quote\\\" back\\\\slash'],\n"
    "    'env': {'MY-VAR': 'tab\\there', 'EMPTY': '', 'U': 'caf\\u00e9 \\ud83d\\ude00'},\n"
    "    'cwd': '/work', 'uid': 0, 'gid': 4294967294, 'host_uid': 100000, 'host_gid': 0, 'umask': '077',\n"
    "    'nice': -20, 'cpus': '1,0,3-5,1023'},\n"
    "  'namespaces': ['cgroup', 'time', 'user', 'pid', 'mount', 'ipc'],\n"
    "  'network': 'host',\n"
    "  'filesystem': [\n"
    "    {'type': 'bind', 'source': '/usr', 'target': '/usr', 'writable': true},\n"
    "    {'type': 'bind', 'source': 'missing', 'target': '/opt', 'optional': true},\n"
    "    {'type': 'tmpfs', 'target': '/big', 'size': '16384T', 'mode': '01777'},\n"
    "    {'type': 'tmpfs', 'target': '/small', 'size': 1},\n"
    "    {'type': 'tmpfs', 'target': '/odd', 'size': '18446744073709551615'},\n"
    "    {'type': 'proc', 'target': '/proc'},\n"
    "    {'type': 'dev', 'target': '/dev', 'pts': true, 'shm': false},\n"
    "    {'type': 'symlink', 'target': '/lib64', 'to': 'usr/lib64'},\n"
    "    {'type': 'file', 'target': '/etc/motd', 'content': 'line1\\nline2\\u0001 \\\"q\\\"\\r', 'mode': '0600'}\n"
    "  ],\n"
    "  'fds': [{'fd': 7, 'path': 'in.txt'}, {'fd': 0, 'null': true}, {'fd': 1, 'path': 'out.txt', 'mode': 'w'},\n"
    "          {'fd': 2, 'path': 'err.txt', 'mode': 'a'}, {'fd': 5, 'path': 'rw.txt', 'mode': 'rw'},\n"
    "          {'fd': 65535, 'inherit': 2147483647}],\n"
    "  'seccomp': {'defaultAction': 'SCMP_ACT_ERRNO', 'syscalls': [{'names': ['read', 'write'],\n"
    "               'action': 'SCMP_ACT_ALLOW', 'args': [{'index': 0, 'value': 18446744073709551615}]}]},\n"
    "  'capabilities': ['CAP_NET_BIND_SERVICE', 'chown', 'cap_sys_ptrace'],\n"
    "  'limits': {'time_ms': 9007199254740991, 'kill_grace_ms': 0, 'memory': '1K', 'pids': 1, 'cpu': 0.1,\n"
    "             'optional': ['cpu', 'memory'],\n"
    "             'rlimits': {'NOFILE': {'soft': 64, 'hard': 'unlimited'}, 'STACK': 'unlimited', 'CORE': 0,\n"
    "                         'CPU': {'soft': 1, 'hard': 2}}},\n"
    "  'report': 'report.json'\n"
    "}\n";

static void test_rich_config(void) {
  free(write_file(dir, "in.txt", "x"));
  struct cr_config *cfg = load_ok_in(Q(rich), dir);
  if (!cfg) return;
  CHECK(cfg->hostname == NULL); /* no uts */
  CHECK(cfg->process.has_nice && cfg->process.nice == -20);
  CHECK(cfg->process.has_cpus && cfg->process.cpus[0] == 0x3b && cfg->process.cpus[15] == 1ull << 63);
  CHECK(cfg->fs[2].size == (16384ull << 40) && cfg->fs[2].mode == 01777);
  CHECK(cfg->fs[4].size == UINT64_MAX);
  CHECK(cfg->fs[8].content_len == strlen("line1\nline2\x01 \"q\"\r"));
  CHECK(cfg->seccomp.kind == CR_SECCOMP_INLINE && strstr(cfg->seccomp.inline_json, "\"SCMP_ACT_ERRNO\""));
  CHECK(cfg->limits.cpu == 0.1 && cfg->limits.optional == (CR_LIMIT_CPU | CR_LIMIT_MEMORY));
  CHECK(cfg->limits.n_rlimits == 4 && cfg->limits.rlimits[0].resource == RLIMIT_NOFILE &&
        cfg->limits.rlimits[0].hard == RLIM_INFINITY && cfg->limits.rlimits[1].soft == RLIM_INFINITY);
  CHECK(cfg->n_fds == 6 && cfg->fds[0].fd == 0 && cfg->fds[5].fd == 65535);
  check_round_trip(cfg, "rich");
  char *text = cr_config_to_json(cfg);
  CHECK(text && strstr(text, "\"size\": \"16384T\""));               /* with a unit when exact */
  CHECK(text && strstr(text, "\"size\": \"18446744073709551615\"")); /* beyond 2^53: a string */
  CHECK(text && strstr(text, "\"size\": 1,"));
  CHECK(text && strstr(text, "\"cpus\": \"0-1,3-5,1023\""));
  CHECK(text && strstr(text, "\"memory\": \"1K\""));
  CHECK(text &&
        strstr(text, "\"capabilities\": [\"CAP_CHOWN\", \"CAP_NET_BIND_SERVICE\", \"CAP_SYS_PTRACE\"]"));
  CHECK(text && strstr(text, "\"network\": \"host\""));
  CHECK(text && strstr(text, "\"uid\": 0,"));
  free(text);
  cr_config_free(cfg);
}

static void test_seccomp_forms(void) {
  free(write_file(dir, "policy.json", "{}"));
  const char *forms[] = {"'none'", "'strict'", "'default'", "'./policy.json'", "{}"};
  const char *printed[] = {"\"seccomp\": \"none\"", "\"seccomp\": \"strict\"", "\"seccomp\": \"default\"",
                           "/policy.json\"", "\"seccomp\": {}"};
  for (size_t i = 0; i < sizeof forms / sizeof *forms; i++) {
    char json[256];
    snprintf(json, sizeof json, "{'seccomp': %s}", forms[i]);
    struct cr_config *cfg = load_ok_in(Q(json), dir);
    if (!cfg) continue;
    char *text = cr_config_to_json(cfg);
    CHECK(text && strstr(text, printed[i]));
    free(text);
    check_round_trip(cfg, forms[i]);
    cr_config_free(cfg);
  }
  struct cr_config *cfg = load_ok(Q("{'seccomp': 'none'}"));
  CHECK(cfg && cfg->seccomp.kind == CR_SECCOMP_NONE);
  cr_config_free(cfg);
}

/* An inline profile is printed number by number: a huge one must not be
 * cast to an integer (undefined; the fuzzer found it), and every one must
 * load back the same. */
static void test_inline_profile_numbers(void) {
  struct cr_config *cfg =
      load_ok(Q("{'seccomp': {'n': [7.77e117, -1e300, 1e300, 1.5, 0.1, 4503599627370496]}}"));
  if (!cfg) return;
  char *text = cr_config_to_json(cfg);
  CHECK(text && strstr(text, "[7.77e+117, -1e+300, 1e+300, 1.5, 0.1, 4503599627370496]"));
  free(text);
  check_round_trip(cfg, "inline profile numbers");
  cr_config_free(cfg);
}

static void test_set_args_and_free(void) {
  struct cr_config *cfg = load_ok(Q("{'process': {'path': '/bin/busybox', 'args': ['sh', '-c', 'x']}}"));
  if (!cfg) return;
  cr_error *err = NULL;
  const char *const argv[] = {"python3", "-c", "print(1)"};
  CHECK(cr_config_set_args(cfg, 3, argv, &err) == 0);
  CHECK(cfg->process.n_args == 3 && strcmp(cfg->process.args[0], "python3") == 0 &&
        strcmp(cfg->process.args[2], "print(1)") == 0 && cfg->process.args[3] == NULL);
  CHECK(cfg->process.args[0] != argv[0]); /* copied */
  CHECK(cfg->process.path == NULL);       /* args[0] is searched in PATH now */
  CHECK(cr_config_set_args(cfg, 0, argv, &err) < 0 && strcmp(cr_error_where(err), "arguments") == 0);
  const char *const empty[] = {""};
  CHECK(cr_config_set_args(cfg, 1, empty, &err) < 0);
  cr_error_clear(&err);
  CHECK(cfg->process.n_args == 3); /* unchanged by failures */
  check_round_trip(cfg, "set_args");
  cr_config_free(cfg);
  cr_config_free(NULL);
  CHECK(cr_config_to_json(NULL) == NULL);
}

int main(void) {
  dir = make_temp_dir();
  test_default_and_examples();
  test_rich_config();
  test_seccomp_forms();
  test_inline_profile_numbers();
  test_set_args_and_free();
  remove_tree(dir);
  free(dir);
  return test_result("config_roundtrip");
}
