/* SPDX-License-Identifier: MIT */
/* Small helpers shared by the config tests. */
#ifndef CR_CONFIG_TEST_UTIL_H
#define CR_CONFIG_TEST_UTIL_H

#include <stdbool.h>
#include <stdio.h>

#include "cleanroom/cleanroom.h"
#include "cr/config.h"

extern int test_failures;

#define CHECK(cond)                                                            \
  do {                                                                         \
    if (!(cond)) {                                                             \
      fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
      test_failures++;                                                         \
    }                                                                          \
  } while (0)

#define CHECK_STR(actual, expected)                                                                        \
  do {                                                                                                     \
    const char *a_ = (actual), *e_ = (expected);                                                           \
    if (!a_ || !e_ || strcmp(a_, e_) != 0) {                                                               \
      fprintf(stderr, "%s:%d: CHECK_STR failed: %s\n  got:      %s\n  expected: %s\n", __FILE__, __LINE__, \
              #actual, a_ ? a_ : "(null)", e_ ? e_ : "(null)");                                            \
      test_failures++;                                                                                     \
    }                                                                                                      \
  } while (0)

/* JSON written with single quotes, for readable tests: Q("{'a': 1}").
 * Returns one of a few rotating static buffers. */
const char *Q(const char *single_quoted);

/* Load JSON text (name "test", base folder `base_dir` or "/"); a failure to
 * load is a test failure, printed. */
struct cr_config *load_ok_at(const char *json, const char *base_dir, const char *file, int line);
#define load_ok(json) load_ok_at((json), NULL, __FILE__, __LINE__)
#define load_ok_in(json, dir) load_ok_at((json), (dir), __FILE__, __LINE__)

/* Load JSON text expecting failure; `err` receives the error. False (and a
 * test failure) if it loaded. */
bool load_fails_at(const char *json, const char *base_dir, cr_error **err, const char *file, int line);

/* True when one line of err->what equals `line`. */
bool error_has_line(const cr_error *err, const char *line);
/* True when one line of err->what contains `part`. */
bool error_has_part(const cr_error *err, const char *part);
size_t error_line_count(const cr_error *err);

/* Expect the config to fail with one line exactly `line` (a test failure otherwise). */
void expect_error_at(const char *json, const char *line, bool exact, const char *file, int src_line);
#define expect_error(json, line) expect_error_at((json), (line), true, __FILE__, __LINE__)
#define expect_error_part(json, part) expect_error_at((json), (part), false, __FILE__, __LINE__)

/* A fresh temporary folder (absolute, symlink-free), removed by remove_tree. */
char *make_temp_dir(void);
void remove_tree(const char *dir);
/* Write `content` to dir/name; returns the malloc'd full path. */
char *write_file(const char *dir, const char *name, const char *content);
char *path_join(const char *dir, const char *name);

/* Field-by-field equality of two configs (source_path/base_dir ignored);
 * differences are printed. */
bool configs_equal(const struct cr_config *a, const struct cr_config *b);

int test_result(const char *name);

#endif
