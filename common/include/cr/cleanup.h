/* SPDX-License-Identifier: MIT */
/* Scope-bound release of resources: a variable declared with one of these
 * attributes is released on every path out of its scope. Use cr_steal_*() to
 * hand ownership on. */
#ifndef CR_CLEANUP_H
#define CR_CLEANUP_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static inline void cr_freep(void *p) { free(*(void **)p); }
static inline void cr_closep(int *fd) {
  if (*fd >= 0) {
    int saved = errno;
    close(*fd);
    errno = saved;
  }
}
static inline void cr_fclosep(FILE **f) {
  if (*f) fclose(*f);
}

#define cr_autofree __attribute__((cleanup(cr_freep)))
#define cr_autoclose __attribute__((cleanup(cr_closep)))
#define cr_autofclose __attribute__((cleanup(cr_fclosep)))

static inline void *cr_steal_ptr(void *pp) {
  void **p = (void **)pp;
  void *v = *p;
  *p = NULL;
  return v;
}

#define CR_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif
