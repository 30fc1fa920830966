/* SPDX-License-Identifier: MIT */
/* Every class of config error: its JSON path and message, all reported at once. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "test_util.h"

static void test_unknown_keys(void) {
  expect_error(Q("{'procss': {}}"), "$.procss: unknown key (did you mean \"process\"?)");
  expect_error(Q("{'process': {'args': ['a'], 'UID': 1}}"),
               "$.process.UID: unknown key (did you mean \"uid\"?)");
  /* Not close to anything: no suggestion, the valid keys instead. */
  expect_error_part(Q("{'zzzzzzzz': 1}"), "$.zzzzzzzz: unknown key (valid keys: process, namespaces");
  expect_error(Q("{'limits': {'rlimits': {'nofile': 3}}}"),
               "$.limits.rlimits.nofile: unknown key (did you mean \"NOFILE\"?)");
  expect_error(Q("{'filesystem': [{'type': 'tmpfs', 'target': '/t', 'sise': '1M'}]}"),
               "$.filesystem[0].sise: unknown key (did you mean \"size\"?)");
  /* A key of another entry type. */
  expect_error(Q("{'filesystem': [{'type': 'tmpfs', 'target': '/t', 'source': '/usr'}]}"),
               "$.filesystem[0].source: not a key of a \"tmpfs\" entry");
  expect_error(Q("{'fds': [{'fd': 0, 'null': true, 'inherits': 1}]}"),
               "$.fds[0].inherits: unknown key (did you mean \"inherit\"?)");
  expect_error(Q("{'filesystem': [{'type': 'symlnk', 'target': '/t', 'to': 'x'}]}"),
               "$.filesystem[0].type: unknown type \"symlnk\" (did you mean \"symlink\"?)");
  expect_error(Q("{'seccomp': 'defualt'}"),
               "$.seccomp: unknown policy \"defualt\" (did you mean \"default\"?): built-ins are "
               "default, strict and none; a policy file path must contain '/' or end in .json");
  expect_error(Q("{'namespaces': ['user', 'pid', 'mount', 'nett']}"),
               "$.namespaces[3]: unknown namespace \"nett\" (did you mean \"net\"?)");
  expect_error(Q("{'capabilities': ['sys_admn']}"),
               "$.capabilities[0]: unknown capability \"sys_admn\" (did you mean \"CAP_SYS_ADMIN\"?)");
  /* A key that is not an identifier is quoted in the path. */
  expect_error(Q("{'process': {'args': ['a'], 'my key': 1}}"),
               "$.process[\"my key\"]: unknown key (valid keys: path, args, env, cwd, uid, gid, "
               "host_uid, host_gid, umask, oom_score_adj, nice, cpus)");
}

static void test_wrong_types(void) {
  expect_error(Q("{'process': {'args': ['a'], 'uid': 'x'}}"),
               "$.process.uid: expected an integer from 0 to 4294967294, got a string");
  expect_error(Q("{'process': []}"), "$.process: expected an object, got an array");
  expect_error(Q("{'filesystem': {}}"), "$.filesystem: expected an array, got an object");
  expect_error(Q("{'hostname': 7}"), "$.hostname: expected a string, got a number");
  expect_error(Q("{'hostname': null}"), "$.hostname: expected a string, got null");
  expect_error(Q("{'filesystem': [{'type': 'bind', 'source': '/usr', 'target': '/usr', 'writable': 1}]}"),
               "$.filesystem[0].writable: expected true or false, got a number");
  expect_error(Q("{'process': {'args': 'sh'}}"), "$.process.args: expected a non-empty array of strings");
  expect_error(Q("{'process': {'args': []}}"), "$.process.args: expected a non-empty array of strings");
  expect_error(Q("{'process': {'args': ['a', 2]}}"), "$.process.args[1]: expected a string, got a number");
  expect_error(Q("{'process': {'args': ['a'], 'env': {'N': 3}}}"),
               "$.process.env.N: expected a string, got a number");
  expect_error(Q("{'seccomp': 3}"),
               "$.seccomp: expected a policy name, a policy file path or an inline policy object");
  expect_error(Q("{'process': {'args': ['a'], 'umask': 18}}"),
               "$.process.umask: expected an octal string like \"0022\" (at most 0777)");
  expect_error(Q("[]"), "$: expected a JSON object, got an array");
}

static void test_ranges(void) {
  const char *ids[] = {"-1", "1.5", "1e30", "4294967295", "true", "'7'", "null"};
  for (size_t i = 0; i < sizeof ids / sizeof *ids; i++) {
    char json[256];
    snprintf(json, sizeof json, "{'process': {'args': ['a'], 'gid': %s}}", ids[i]);
    expect_error_part(Q(json), "$.process.gid: expected an integer from 0 to 4294967294");
  }
  struct cr_config *cfg = load_ok(Q("{'process': {'args': ['a'], 'uid': 4294967294, 'gid': 1e3}}"));
  CHECK(cfg && cfg->process.uid == 4294967294u && cfg->process.gid == 1000);
  cr_config_free(cfg);

  expect_error(Q("{'fds': [{'fd': 65536, 'null': true}]}"),
               "$.fds[0].fd: expected an integer from 0 to 65535, got 65536");
  expect_error(Q("{'fds': [{'fd': 3, 'inherit': 2147483648}]}"),
               "$.fds[0].inherit: expected an integer from 0 to 2147483647, got 2147483648");
  expect_error(Q("{'process': {'args': ['a'], 'oom_score_adj': 1001}}"),
               "$.process.oom_score_adj: expected an integer from -1000 to 1000, got 1001");
  expect_error(Q("{'process': {'args': ['a'], 'nice': -21}}"),
               "$.process.nice: expected an integer from -20 to 19, got -21");
  expect_error(Q("{'process': {'args': ['a'], 'cpus': '3-1'}}"),
               "$.process.cpus: expected CPU numbers and ranges below 1024 such as \"0-3,6\", got \"3-1\"");
  expect_error(
      Q("{'process': {'args': ['a'], 'cpus': '0,1024'}}"),
      "$.process.cpus: expected CPU numbers and ranges below 1024 such as \"0-3,6\", got \"0,1024\"");
  expect_error(Q("{'process': {'args': ['a'], 'cpus': '0,'}}"),
               "$.process.cpus: expected CPU numbers and ranges below 1024 such as \"0-3,6\", got \"0,\"");
  expect_error(Q("{'process': {'args': ['a'], 'cpus': 3}}"),
               "$.process.cpus: expected a string, got a number");
  expect_error(Q("{'process': {'args': ['a'], 'oom_score_adj': 1.5}}"),
               "$.process.oom_score_adj: expected an integer from -1000 to 1000, got 1.5");
  const char *percents[] = {"'0%'", "'101%'", "'5.5%'", "'%'", "'-5%'", "'1000%'"};
  for (size_t i = 0; i < sizeof percents / sizeof *percents; i++) {
    char json[256];
    snprintf(json, sizeof json, "{'filesystem': [{'type': 'tmpfs', 'target': '/t', 'size': %s}]}",
             percents[i]);
    expect_error_part(Q(json), "$.filesystem[0].size: invalid size");
  }
  expect_error(Q("{'filesystem': [{'type': 'dev', 'target': '/dev', 'shm': false, 'shm_size': '1M'}]}"),
               "$.filesystem[0].shm_size: needs \"shm\": true");
  cfg =
      load_ok(Q("{'filesystem': [{'type': 'tmpfs', 'target': '/t', 'size': '100%'}, "
                "{'type': 'dev', 'target': '/dev', 'shm_size': '64M'}]}"));
  CHECK(cfg && cfg->fs[0].size_percent == 100 && cfg->fs[0].size == 0 && cfg->fs[1].shm_size == 64u << 20);
  cr_config_free(cfg);
  expect_error(Q("{'limits': {'time_ms': 0}}"),
               "$.limits.time_ms: expected an integer from 1 to 9007199254740991, got 0");
  expect_error(Q("{'limits': {'pids': 0}}"),
               "$.limits.pids: expected an integer from 1 to 9007199254740991, got 0");
  expect_error(Q("{'limits': {'cpu': 0}}"),
               "$.limits.cpu: expected a number of cores above 0 and at most 1024");
  expect_error(Q("{'limits': {'cpu': 1024.5}}"),
               "$.limits.cpu: expected a number of cores above 0 and at most 1024");
  expect_error(Q("{'process': {'args': ['a'], 'umask': '1000'}}"),
               "$.process.umask: expected an octal string like \"0022\" (at most 0777)");
  expect_error(Q("{'process': {'args': ['a'], 'umask': '08'}}"),
               "$.process.umask: expected an octal string like \"0022\" (at most 0777)");
  expect_error(Q("{'hostname': 'bad host'}"), "$.hostname: expected 1 to 64 letters, digits, '-' or '.'");
  expect_error(Q("{'hostname': ''}"), "$.hostname: expected 1 to 64 letters, digits, '-' or '.'");
  char json[200];
  snprintf(json, sizeof json, "{\"hostname\": \"%065d\"}", 0);
  expect_error(json, "$.hostname: expected 1 to 64 letters, digits, '-' or '.'");
  snprintf(json, sizeof json, "{\"hostname\": \"%064d\"}", 0);
  cfg = load_ok(json);
  CHECK(cfg && cfg->hostname && strlen(cfg->hostname) == 64);
  cr_config_free(cfg);
  expect_error(Q("{'limits': {'rlimits': {'NOFILE': {'soft': 10, 'hard': 5}}}}"),
               "$.limits.rlimits.NOFILE.soft: must not exceed \"hard\"");
  expect_error(Q("{'limits': {'rlimits': {'NOFILE': {'soft': 'unlimited', 'hard': 5}}}}"),
               "$.limits.rlimits.NOFILE.soft: must not exceed \"hard\"");
  expect_error(Q("{'limits': {'rlimits': {'NOFILE': {'soft': 10}}}}"),
               "$.limits.rlimits.NOFILE.hard: required (the hard limit)");
  expect_error(Q("{'limits': {'rlimits': {'CORE': -1}}}"),
               "$.limits.rlimits.CORE: expected an integer from 0 to 9007199254740991 or \"unlimited\"");
  expect_error(Q("{'limits': {'optional': ['mem']}}"),
               "$.limits.optional[0]: expected \"memory\", \"pids\" or \"cpu\"");
  expect_error(Q("{'limits': {'optional': ['cpu', 'cpu']}}"),
               "$.limits.optional[1]: \"cpu\" is listed twice");
  expect_error(Q("{'network': 'bridge'}"), "$.network: expected \"none\" or \"host\"");
  expect_error(Q("{'fds': [{'fd': 3, 'path': '/etc/hostname', 'mode': 'x'}]}"),
               "$.fds[0].mode: expected \"r\", \"w\", \"a\" or \"rw\"");
}

static void test_fd_table(void) {
  expect_error(Q("{'fds': [{'fd': 1, 'null': true}, {'fd': 4, 'inherit': 3}, {'fd': 2, 'null': true},"
                 " {'fd': 4, 'null': true}]}"),
               "$.fds[3].fd: duplicate fd 4 (also $.fds[1])");
  expect_error(Q("{'fds': [{'fd': 3}]}"),
               "$.fds[0]: needs one of \"null\": true, \"inherit\": N or \"path\"");
  expect_error(Q("{'fds': [{'fd': 3, 'null': true, 'inherit': 1}]}"),
               "$.fds[0]: \"null\", \"inherit\" and \"path\" exclude each other");
  expect_error(Q("{'fds': [{'fd': 3, 'null': false}]}"),
               "$.fds[0].null: must be true (leave the fd out to have it closed)");
  expect_error(Q("{'fds': [{'fd': 3, 'inherit': 1, 'mode': 'r'}]}"),
               "$.fds[0].mode: only allowed with \"path\"");
  expect_error(Q("{'fds': [{'null': true}]}"), "$.fds[0].fd: required (the fd number in the child)");

  /* Sorted by fd, whatever the file's order. */
  struct cr_config *cfg =
      load_ok(Q("{'fds': [{'fd': 9, 'null': true}, {'fd': 0, 'inherit': 5}, {'fd': 3, 'inherit': 4}]}"));
  CHECK(cfg && cfg->n_fds == 3);
  if (cfg && cfg->n_fds == 3) {
    CHECK(cfg->fds[0].fd == 0 && cfg->fds[0].kind == CR_FD_INHERIT && cfg->fds[0].inherit_fd == 5);
    CHECK(cfg->fds[1].fd == 3 && cfg->fds[1].inherit_fd == 4);
    CHECK(cfg->fds[2].fd == 9 && cfg->fds[2].kind == CR_FD_NULL);
  }
  cr_config_free(cfg);
}

static void test_filesystem_and_names(void) {
  expect_error(Q("{'filesystem': [{'type': 'proc', 'target': '/proc'}, {'type': 'tmpfs', 'target': '/tmp'},"
                 " {'type': 'dev', 'target': '/dev'}, {'type': 'proc', 'target': '/p'},"
                 " {'type': 'tmpfs', 'target': '/tmp/'}]}"),
               "$.filesystem[4].target: duplicate target /tmp (also $.filesystem[1])");
  expect_error(Q("{'filesystem': [{'target': '/x'}]}"),
               "$.filesystem[0].type: required (one of bind, tmpfs, proc, dev, symlink, file)");
  expect_error(Q("{'filesystem': [{'type': 'bind', 'target': '/x'}]}"),
               "$.filesystem[0].source: required (the host path to bind)");
  expect_error(Q("{'filesystem': [{'type': 'proc'}]}"),
               "$.filesystem[0].target: required (an absolute path in the sandbox)");
  expect_error(Q("{'filesystem': [{'type': 'file', 'target': '/x'}]}"),
               "$.filesystem[0].content: required (the file's text)");
  expect_error(Q("{'filesystem': [{'type': 'symlink', 'target': '/x'}]}"),
               "$.filesystem[0].to: required (what the link points to)");
  expect_error(Q("{'filesystem': [{'type': 'tmpfs', 'target': '/'}]}"),
               "$.filesystem[0].target: must not be \"/\" (the root is always a fresh tmpfs)");
  expect_error(Q("{'filesystem': [{'type': 'tmpfs', 'target': '/./'}]}"),
               "$.filesystem[0].target: must not be \"/\" (the root is always a fresh tmpfs)");
  expect_error(Q("{'filesystem': [{'type': 'file', 'target': '/x', 'content': '', 'mode': '4755'}]}"),
               "$.filesystem[0].mode: expected an octal string like \"0022\" (at most 0777)");
  expect_error(Q("{'namespaces': ['pid', 'mount']}"),
               "$.namespaces: \"user\" is required: without it the sandbox cannot run unprivileged or "
               "map its ids");
  expect_error(Q("{'namespaces': ['user', 'mount', 'net']}"),
               "$.namespaces: \"pid\" is required: without it there is no pid 1 to reap and kill the "
               "sandbox's processes");
  expect_error(Q("{'namespaces': ['user', 'pid', 'net']}"),
               "$.namespaces: \"mount\" is required: without it there is no fresh root filesystem");
  expect_error(Q("{'namespaces': ['user', 'pid', 'mount', 'net', 'pid']}"),
               "$.namespaces[4]: \"pid\" is listed twice");
  expect_error(Q("{'capabilities': ['net_bind_service', 'CAP_NET_BIND_SERVICE']}"),
               "$.capabilities[1]: \"CAP_NET_BIND_SERVICE\" is listed twice");
  /* libcap would take these; the config format does not. */
  expect_error_part(Q("{'capabilities': ['12']}"), "$.capabilities[0]: unknown capability \"12\"");
  expect_error_part(Q("{'capabilities': ['chown2']}"), "$.capabilities[0]: unknown capability \"chown2\"");
  expect_error_part(Q("{'capabilities': ['CAP_']}"), "$.capabilities[0]: unknown capability \"CAP_\"");
  struct cr_config *cfg = load_ok(Q("{'capabilities': ['cap_chown', 'NET_BIND_SERVICE', 'Sys_Admin']}"));
  CHECK(cfg && cfg->capabilities == ((1ull << 0) | (1ull << 10) | (1ull << 21)));
  cr_config_free(cfg);
}

static uint64_t tmpfs_size(const char *size_json) {
  char json[256];
  snprintf(json, sizeof json, "{\"filesystem\": [{\"type\": \"tmpfs\", \"target\": \"/t\", \"size\": %s}]}",
           size_json);
  struct cr_config *cfg = load_ok(json);
  uint64_t size = cfg && cfg->n_fs == 1 ? cfg->fs[0].size : UINT64_MAX;
  cr_config_free(cfg);
  return size;
}

static void test_sizes(void) {
  CHECK(tmpfs_size("\"64M\"") == 64ull << 20);
  CHECK(tmpfs_size("\"1G\"") == 1ull << 30);
  CHECK(tmpfs_size("\"512K\"") == 512ull << 10);
  CHECK(tmpfs_size("\"100\"") == 100);
  CHECK(tmpfs_size("\"2t\"") == 2ull << 40);
  CHECK(tmpfs_size("\"3MiB\"") == 3ull << 20);
  CHECK(tmpfs_size("\"3MB\"") == 3ull << 20);
  CHECK(tmpfs_size("\"7B\"") == 7);
  CHECK(tmpfs_size("4096") == 4096);
  CHECK(tmpfs_size("0") == 0);
  CHECK(tmpfs_size("\"16777215T\"") == 16777215ull << 40);
  CHECK(tmpfs_size("\"18446744073709551615\"") == UINT64_MAX);
  const char *bad[] = {"1.5G", "-1", "", "M", "1X", "1 G", "1iB", "1GiBB", " 1", "1Gi", "0x10"};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    char json[256], line[256];
    snprintf(json, sizeof json, "{\"limits\": {\"memory\": \"%s\"}}", bad[i]);
    snprintf(line, sizeof line,
             "$.limits.memory: invalid size \"%s\": expected a whole number with an optional K, M, G "
             "or T suffix (like \"64M\")",
             bad[i]);
    expect_error(json, line);
  }
  /* 2^64 and beyond overflow. */
  expect_error(Q("{'limits': {'memory': '16777216T'}}"),
               "$.limits.memory: size \"16777216T\" is too large (more than 2^64-1 bytes)");
  expect_error(Q("{'limits': {'memory': '18446744073709551616'}}"),
               "$.limits.memory: size \"18446744073709551616\" is too large (more than 2^64-1 bytes)");
  const char *bad_numbers[] = {"1.5", "-1", "1e30", "9007199254740993", "-0.5"};
  for (size_t i = 0; i < sizeof bad_numbers / sizeof *bad_numbers; i++) {
    char json[256];
    snprintf(json, sizeof json, "{\"limits\": {\"memory\": %s}}", bad_numbers[i]);
    expect_error(
        json, "$.limits.memory: expected a byte count from 0 to 9007199254740991 (or a string like \"64M\")");
  }
  expect_error(Q("{'limits': {'memory': true}}"),
               "$.limits.memory: expected a size: a byte count or a string like \"64M\"");
  expect_error(Q("{'limits': {'memory': 0}}"),
               "$.limits.memory: must be at least 1 byte (leave it out for no limit)");
}

static void test_strings(void) {
  /* Raw bytes that are not UTF-8: a stray continuation byte, an overlong '/',
   * a surrogate, a truncated sequence, beyond U+10FFFF. */
  const char *bad[] = {"\x80", "\xc0\xaf", "\xed\xa0\x80", "\xe2\x82", "\xf4\x90\x80\x80"};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    char json[256];
    snprintf(json, sizeof json, "{\"process\": {\"args\": [\"a%sb\"]}}", bad[i]);
    expect_error(json, "$.process.args[0]: not valid UTF-8");
  }
  expect_error("{\"process\": {\"args\": [\"a\"], \"env\": {\"X\xff\": \"1\"}}}",
               "$.process.env[\"X\\xff\"]: key is not valid UTF-8");
  struct cr_config *cfg =
      load_ok("{\"hostname\": \"h\", \"process\": {\"args\": [\"caf\xc3\xa9 \xf0\x9f\x98\x80\"]}}");
  CHECK(cfg && strcmp(cfg->process.args[0], "caf\xc3\xa9 \xf0\x9f\x98\x80") == 0);
  cr_config_free(cfg);
  expect_error(Q("{'process': {'args': ['a\\u0000b']}}"),
               "$: line 1, column 25: strings must not contain NUL (\\u0000)");
  expect_error(Q("{'process': {'args': ['a'], 'env': {'A=B': 'x'}}}"),
               "$.process.env[\"A=B\"]: variable names must not contain '='");
  expect_error(Q("{'process': {'args': ['a'], 'env': {'': 'x'}}}"),
               "$.process.env[\"\"]: variable names must not be empty");
  expect_error(Q("{'process': {'args': ['']}}"), "$.process.args[0]: the program name must not be empty");
  expect_error(Q("{'hostname': 'a', 'hostname': 'b'}"), "$.hostname: duplicate key");
  expect_error(Q("{'process': {'args': ['a'], 'uid': 1, 'uid': 2}}"), "$.process.uid: duplicate key");
}

static char *nested(size_t depth) {
  char *json = malloc(depth * 2 + 64);
  if (!json) abort();
  size_t n = (size_t)sprintf(json, "{\"seccomp\": ");
  for (size_t i = 0; i < depth; i++) json[n++] = '[';
  for (size_t i = 0; i < depth; i++) json[n++] = ']';
  strcpy(json + n, "}");
  return json;
}

static void test_nesting_and_syntax(void) {
  /* The root object is level 1: 64 arrays inside it make 65 levels. */
  size_t depths[] = {64, 5000, 200000};
  for (size_t i = 0; i < sizeof depths / sizeof *depths; i++) {
    char *json = nested(depths[i]);
    expect_error(json, "$: line 1, column 76: nested deeper than 64 levels");
    free(json);
  }
  /* 63 arrays inside the root object: deep but allowed (and then a type error). */
  char *json = nested(63);
  expect_error(json, "$.seccomp: expected a policy name, a policy file path or an inline policy object");
  free(json);

  expect_error(Q("{\n  'hostname': 'x',\n  'limits': {'time_ms': 5 'pids': 3}\n}"),
               "$: JSON syntax error at line 3, column 27, near \"\\\"pids\\\": 3}\"");
  expect_error_part(Q("{'hostname': 'x',}"), "$: JSON syntax error at line 1, column ");
  expect_error_part(Q("{'hostname': 'x'} {}"), "$: JSON syntax error at line 1, column 19");
  expect_error_part(Q("{'hostname': 'x'"), "$: JSON syntax error at line 1, column ");
  expect_error("  \n", "$: empty config (expected a JSON object)");
}

static void test_all_errors_at_once(void) {
  cr_error *err = NULL;
  const char *json = Q("{\n 'procss': {},\n 'hostname': 'a b',\n 'fds': [{'fd': -1, 'null': true}]\n}");
  if (load_fails_at(json, NULL, &err, __FILE__, __LINE__)) {
    CHECK(error_line_count(err) == 3);
    CHECK(error_has_line(err, "$.procss: unknown key (did you mean \"process\"?)"));
    CHECK(error_has_line(err, "$.hostname: expected 1 to 64 letters, digits, '-' or '.'"));
    CHECK(error_has_line(err, "$.fds[0].fd: expected an integer from 0 to 65535, got -1"));
    CHECK_STR(cr_error_where(err), "test");
    /* Printed as one "cleanroom: WHERE: LINE" per error. */
    char printed[4096] = "";
    FILE *out = fmemopen(printed, sizeof printed, "w");
    if (out) {
      cr_error_print(err, out);
      fclose(out);
    }
    CHECK_STR(printed,
              "cleanroom: test: $.procss: unknown key (did you mean \"process\"?)\n"
              "cleanroom: test: $.hostname: expected 1 to 64 letters, digits, '-' or '.'\n"
              "cleanroom: test: $.fds[0].fd: expected an integer from 0 to 65535, got -1\n");
  }
  /* A flood of errors is cut short with a count. */
  static char big[65536];
  size_t n = (size_t)sprintf(big, "{\"fds\": [");
  for (int i = 0; i < 500; i++) n += (size_t)sprintf(big + n, "%s{\"fd\": 1, \"null\": false}", i ? "," : "");
  strcpy(big + n, "]}");
  if (load_fails_at(big, NULL, &err, __FILE__, __LINE__)) {
    CHECK(error_has_line(err, "... and 949 more errors"));
    CHECK(error_line_count(err) == 51);
  }
  /* The name defaults to "config" for strings. */
  struct cr_config *cfg = NULL;
  cr_error_clear(&err);
  CHECK(cr_config_load_string("{\"x\": 1}", NULL, "/", &cfg, &err) < 0 && !cfg);
  CHECK_STR(cr_error_where(err), "config");
  cr_error_free(err);
}

int main(void) {
  test_unknown_keys();
  test_wrong_types();
  test_ranges();
  test_fd_table();
  test_filesystem_and_names();
  test_sizes();
  test_strings();
  test_nesting_and_syntax();
  test_all_errors_at_once();
  return test_result("config_errors");
}
