/* SPDX-License-Identifier: MIT */
#include "cr/text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The length of the valid UTF-8 sequence at s (1-4), 0 when it is not one
 * (overlong forms, surrogates and code points above U+10FFFF included). */
static size_t utf8_sequence(const unsigned char *s) {
  if (s[0] < 0x80) return 1;
  size_t n = s[0] >= 0xc2 && s[0] <= 0xdf   ? 2
             : s[0] >= 0xe0 && s[0] <= 0xef ? 3
             : s[0] >= 0xf0 && s[0] <= 0xf4 ? 4
                                            : 0;
  for (size_t i = 1; i < n; i++)
    if ((s[i] & 0xc0) != 0x80) return 0;
  if (n == 3 && ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] >= 0xa0))) return 0;
  if (n == 4 && ((s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] >= 0x90))) return 0;
  return n;
}

char *cr_utf8_escaped(const char *s) {
  size_t len = strlen(s);
  char *out = malloc(4 * len + 1);
  if (!out) return NULL;
  const unsigned char *p = (const unsigned char *)s;
  size_t used = 0;
  while (*p) {
    size_t n = utf8_sequence(p);
    if (n) {
      memcpy(out + used, p, n);
      used += n;
      p += n;
    } else {
      snprintf(out + used, 5, "\\x%02x", *p++);
      used += 4;
    }
  }
  out[used] = '\0';
  return out;
}
