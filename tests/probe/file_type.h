/* SPDX-License-Identifier: MIT */
/* The short name of a file type, as the probe and the attacker report it. */
#ifndef CR_TEST_FILE_TYPE_H
#define CR_TEST_FILE_TYPE_H

#include <sys/stat.h>

static inline const char *file_type_name(mode_t m) {
  switch (m & S_IFMT) {
    case S_IFREG: return "reg";
    case S_IFDIR: return "dir";
    case S_IFCHR: return "chr";
    case S_IFBLK: return "blk";
    case S_IFIFO: return "fifo";
    case S_IFSOCK: return "sock";
    case S_IFLNK: return "lnk";
    default: return "unknown";
  }
}

#endif
