/* SPDX-License-Identifier: MIT */
/* Host paths resolve against the config's folder; sandbox paths are
 * normalised; nothing may point into /proc/self/fd or /dev/fd. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test_util.h"

static const char fd_dir_message[] =
    "must not point into /proc/self/fd, /proc/<pid>/fd or /dev/fd (a file descriptor leaked there "
    "reaches outside the sandbox)";

static char *dir; /* the temporary config folder */

static void make_fixture(void) {
  dir = make_temp_dir();
  char *sub = path_join(dir, "data");
  CHECK(mkdir(sub, 0755) == 0);
  free(sub);
  char *out = path_join(dir, "out");
  CHECK(mkdir(out, 0755) == 0);
  free(out);
  free(write_file(dir, "input.txt", "hello\n"));
  free(write_file(dir, "policy.json", "{\"defaultAction\": \"SCMP_ACT_ALLOW\"}\n"));
}

static const char relative_config[] =
    "{\n"
    "  \"filesystem\": [\n"
    "    {\"type\": \"bind\", \"source\": \"./data\", \"target\": \"/work\"},\n"
    "    {\"type\": \"bind\", \"source\": \"data/../data/.\", \"target\": \"/again\"},\n"
    "    {\"type\": \"bind\", \"source\": \"missing\", \"target\": \"/opt\", \"optional\": true}\n"
    "  ],\n"
    "  \"fds\": [\n"
    "    {\"fd\": 0, \"path\": \"input.txt\"},\n"
    "    {\"fd\": 1, \"path\": \"out/log.txt\", \"mode\": \"a\"},\n"
    "    {\"fd\": 2, \"path\": \"out/err.txt\", \"mode\": \"w\"},\n"
    "    {\"fd\": 3, \"path\": \"out/rw.txt\", \"mode\": \"rw\"}\n"
    "  ],\n"
    "  \"seccomp\": \"policy.json\",\n"
    "  \"report\": \"out/report.json\"\n"
    "}\n";

static void check_resolved(const struct cr_config *cfg) {
  char expect[PATH_MAX];
#define CHECK_PATH(actual, name)                         \
  do {                                                   \
    snprintf(expect, sizeof expect, "%s/%s", dir, name); \
    CHECK_STR(actual, expect);                           \
  } while (0)
  CHECK_STR(cfg->base_dir, dir);
  CHECK(cfg->n_fs == 3 && cfg->n_fds == 4);
  if (cfg->n_fs != 3 || cfg->n_fds != 4) return;
  CHECK_PATH(cfg->fs[0].source, "data");
  CHECK_PATH(cfg->fs[1].source, "data");
  CHECK_PATH(cfg->fs[2].source, "missing");
  CHECK(cfg->fs[2].optional);
  CHECK_PATH(cfg->fds[0].path, "input.txt");
  CHECK(cfg->fds[0].kind == CR_FD_PATH && cfg->fds[0].open_flags == O_RDONLY);
  CHECK_PATH(cfg->fds[1].path, "out/log.txt");
  CHECK(cfg->fds[1].open_flags == (O_WRONLY | O_CREAT | O_APPEND));
  CHECK(cfg->fds[2].open_flags == (O_WRONLY | O_CREAT | O_TRUNC));
  CHECK(cfg->fds[3].open_flags == (O_RDWR | O_CREAT));
  CHECK(cfg->seccomp.kind == CR_SECCOMP_FILE);
  CHECK_PATH(cfg->seccomp.path, "policy.json");
  CHECK_PATH(cfg->report_path, "out/report.json");
#undef CHECK_PATH
}

static void test_relative_host_paths(void) {
  /* A file, by absolute path. */
  char *file = write_file(dir, "config.json", relative_config);
  struct cr_config *cfg = NULL;
  cr_error *err = NULL;
  if (cr_config_load_file(file, &cfg, &err) < 0) {
    cr_error_print(err, stderr);
    test_failures++;
  } else {
    check_resolved(cfg);
    CHECK_STR(cfg->source_path, file);
  }
  cr_config_free(cfg);

  /* A file by relative path from another folder: still its own folder. */
  char cwd[PATH_MAX];
  CHECK(getcwd(cwd, sizeof cwd) != NULL);
  CHECK(chdir(dir) == 0 && chdir("data") == 0);
  cfg = NULL;
  if (cr_config_load_file("../config.json", &cfg, &err) < 0) {
    cr_error_print(err, stderr);
    test_failures++;
  } else {
    check_resolved(cfg);
    CHECK_STR(cfg->source_path, file);
  }
  cr_config_free(cfg);

  /* A string with a base folder; without one, the current folder. */
  cfg = load_ok_in(relative_config, dir);
  if (cfg) check_resolved(cfg);
  cr_config_free(cfg);
  CHECK(chdir(dir) == 0);
  cfg = NULL;
  CHECK(cr_config_load_string(relative_config, NULL, NULL, &cfg, &err) == 0);
  if (cfg) check_resolved(cfg);
  cr_config_free(cfg);
  CHECK(chdir(cwd) == 0);
  free(file);

  /* A missing config file: one error line with errno. */
  cfg = NULL;
  cr_error_clear(&err);
  CHECK(cr_config_load_file("/nonexistent/cleanroom.json", &cfg, &err) < 0 && !cfg);
  CHECK(cr_error_errno(err) == ENOENT);
  CHECK_STR(cr_error_where(err), "/nonexistent/cleanroom.json");
  cr_error_free(err);
}

static void test_missing_host_paths(void) {
  expect_error(Q("{'filesystem': [{'type': 'bind', 'source': '/nope', 'target': '/x'}]}"),
               "$.filesystem[0].source: no such file or directory: /nope");
  cr_error *err = NULL;
  if (load_fails_at(Q("{'filesystem': [{'type': 'bind', 'source': 'nope', 'target': '/x'}]}"), dir, &err,
                    __FILE__, __LINE__)) {
    char line[PATH_MAX + 100];
    snprintf(line, sizeof line, "$.filesystem[0].source: no such file or directory: %s/nope", dir);
    CHECK(error_has_line(err, line));
  }
  expect_error(Q("{'fds': [{'fd': 0, 'path': '/nope/in'}]}"),
               "$.fds[0].path: no such file or directory: /nope/in");
  expect_error(Q("{'fds': [{'fd': 1, 'path': '/nope/out', 'mode': 'w'}]}"),
               "$.fds[0].path: folder /nope does not exist");
  expect_error(Q("{'seccomp': '/nope/policy.json'}"),
               "$.seccomp: no such file or directory: /nope/policy.json");
  expect_error(Q("{'seccomp': 'nope.json'}"), "$.seccomp: no such file or directory: /nope.json");
  expect_error(Q("{'report': '/nope/report.json'}"), "$.report: folder /nope does not exist");
  expect_error(Q("{'filesystem': [{'type': 'bind', 'source': '', 'target': '/x'}]}"),
               "$.filesystem[0].source: must not be empty");
  cr_error_free(err);
}

static void test_sandbox_paths(void) {
  struct cr_config *cfg =
      load_ok(Q("{'process': {'args': ['a'], 'cwd': '/work/./x//', 'path': '//usr/bin/env'},"
                " 'filesystem': [{'type': 'tmpfs', 'target': '/a/./b//'},"
                " {'type': 'symlink', 'target': '/l', 'to': '../rel/./x'}]}"));
  if (cfg) {
    CHECK_STR(cfg->process.cwd, "/work/x");
    CHECK_STR(cfg->process.path, "/usr/bin/env");
    CHECK_STR(cfg->fs[0].target, "/a/b");
    CHECK_STR(cfg->fs[1].link_to, "../rel/./x"); /* link text is kept as written */
  }
  cr_config_free(cfg);
  expect_error(Q("{'process': {'args': ['a'], 'cwd': 'work'}}"), "$.process.cwd: must be an absolute path");
  expect_error(Q("{'process': {'args': ['a'], 'cwd': ''}}"), "$.process.cwd: must be an absolute path");
  expect_error(Q("{'process': {'args': ['a'], 'path': 'bin/sh'}}"),
               "$.process.path: must be an absolute path");
  expect_error(Q("{'filesystem': [{'type': 'proc', 'target': 'proc'}]}"),
               "$.filesystem[0].target: must be an absolute path");
  expect_error(Q("{'filesystem': [{'type': 'proc', 'target': '/a/../proc'}]}"),
               "$.filesystem[0].target: must not contain \"..\" components");
  expect_error(Q("{'process': {'args': ['a'], 'cwd': '/..'}}"),
               "$.process.cwd: must not contain \"..\" components");

  static char json[3 * PATH_MAX];
  char long_path[PATH_MAX + 2];
  long_path[0] = '/';
  memset(long_path + 1, 'a', PATH_MAX);
  long_path[PATH_MAX + 1] = '\0';
  snprintf(json, sizeof json, "{\"filesystem\": [{\"type\": \"proc\", \"target\": \"%s\"}]}", long_path);
  expect_error(json, "$.filesystem[0].target: path too long (at most PATH_MAX-1 bytes)");
  long_path[PATH_MAX - 1] = '\0'; /* PATH_MAX-1 bytes: fits */
  snprintf(json, sizeof json, "{\"filesystem\": [{\"type\": \"proc\", \"target\": \"%s\"}]}", long_path);
  cfg = load_ok(json);
  CHECK(cfg && strlen(cfg->fs[0].target) == PATH_MAX - 1);
  cr_config_free(cfg);
}

static void expect_fd_dir_error(const char *json, const char *path) {
  char line[512];
  snprintf(line, sizeof line, "%s: %s", path, fd_dir_message);
  expect_error(json, line);
}

static void test_fd_dir_paths(void) {
  expect_fd_dir_error(Q("{'filesystem': [{'type': 'bind', 'source': '/proc/self/fd/3', 'target': '/x'}]}"),
                      "$.filesystem[0].source");
  expect_fd_dir_error(Q("{'filesystem': [{'type': 'bind', 'source': '/proc//self/./fd', 'target': '/x',"
                        " 'optional': true}]}"),
                      "$.filesystem[0].source");
  expect_fd_dir_error(
      Q("{'filesystem': [{'type': 'bind', 'source': '/proc/self/../self/fd/0', 'target': '/x'}]}"),
      "$.filesystem[0].source");
  expect_fd_dir_error(Q("{'process': {'args': ['a'], 'cwd': '/proc/self/fd/5'}}"), "$.process.cwd");
  expect_fd_dir_error(Q("{'process': {'args': ['a'], 'cwd': '/proc/1/fd'}}"), "$.process.cwd");
  expect_fd_dir_error(Q("{'process': {'args': ['a'], 'cwd': '/proc/thread-self/fd/0'}}"), "$.process.cwd");
  expect_fd_dir_error(Q("{'process': {'args': ['a'], 'cwd': '/proc/self/task/17/fd/0'}}"), "$.process.cwd");
  expect_fd_dir_error(Q("{'process': {'args': ['a'], 'cwd': '/dev/fd/3'}}"), "$.process.cwd");
  expect_fd_dir_error(Q("{'process': {'args': ['a'], 'path': '/dev/fd/3'}}"), "$.process.path");
  expect_fd_dir_error(Q("{'filesystem': [{'type': 'tmpfs', 'target': '/proc/123/fd'}]}"),
                      "$.filesystem[0].target");
  expect_fd_dir_error(Q("{'fds': [{'fd': 3, 'path': '/dev/fd/7'}]}"), "$.fds[0].path");
  expect_fd_dir_error(Q("{'fds': [{'fd': 3, 'path': '/dev/stdin'}]}"), "$.fds[0].path");
  expect_fd_dir_error(Q("{'seccomp': '/proc/self/fd/9'}"), "$.seccomp");
  expect_fd_dir_error(Q("{'report': '/proc/self/fd/1'}"), "$.report");
  expect_error(Q("{'filesystem': [{'type': 'symlink', 'target': '/x', 'to': '/proc/self/fd/3'}]}"),
               "$.filesystem[0].to: must not point into /proc/self/fd, /proc/<pid>/fd or /dev/fd");

  /* Through a symlink on the host. */
  char *link = path_join(dir, "fds");
  CHECK(symlink("/proc/self/fd", link) == 0);
  cr_error *err = NULL;
  if (load_fails_at(Q("{'filesystem': [{'type': 'bind', 'source': 'fds', 'target': '/x'}]}"), dir, &err,
                    __FILE__, __LINE__)) {
    char line[512];
    snprintf(line, sizeof line, "$.filesystem[0].source: %s", fd_dir_message);
    CHECK(error_has_line(err, line));
  }
  free(link);

  /* Names that merely look alike are fine. */
  struct cr_config *cfg =
      load_ok(Q("{'process': {'args': ['a'], 'cwd': '/proc/self/fdinfo'},"
                " 'filesystem': [{'type': 'tmpfs', 'target': '/proc/12a/fd'},"
                " {'type': 'tmpfs', 'target': '/devfd'}, {'type': 'tmpfs', 'target': '/dev/fdx'},"
                " {'type': 'tmpfs', 'target': '/x/proc/self/fd'}]}"));
  CHECK(cfg != NULL);
  cr_config_free(cfg);
  cr_error_free(err);
}

int main(void) {
  make_fixture();
  test_relative_host_paths();
  test_missing_host_paths();
  test_sandbox_paths();
  test_fd_dir_paths();
  remove_tree(dir);
  free(dir);
  return test_result("config_paths");
}
