/* SPDX-License-Identifier: MIT */
/* CHECK(cond, fmt, ...) of the launcher's C tests: a failure is printed
 * with its place and counted in `failures`, and the test goes on. */
#ifndef CR_TESTS_LAUNCHER_CHECK_H
#define CR_TESTS_LAUNCHER_CHECK_H

#include <stdio.h>

static int failures;

#define CHECK(cond, ...)                                   \
  do {                                                     \
    if (!(cond)) {                                         \
      fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); \
      fprintf(stderr, __VA_ARGS__);                        \
      fputc('\n', stderr);                                 \
      failures++;                                          \
    }                                                      \
  } while (0)

#endif
