/* SPDX-License-Identifier: MIT */
/* Strings a sandbox's config or files chose (socket and file names) are
 * printed for a person: a newline or an escape sequence in one must not
 * forge a line of the listing or drive the terminal. The library's JSON is
 * valid UTF-8 already (cr/text.h); here C0 and C1 controls and DEL become
 * \xNN. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static bool needs_escape(const unsigned char *p, size_t *len) {
  *len = p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f ? 2 : 1; /* U+0080..U+009F */
  return p[0] < 0x20 || p[0] == 0x7f || *len == 2;
}

static char *printable_copy(const char *s) {
  char *out = malloc(8 * strlen(s) + 1);
  if (!out) return NULL;
  size_t used = 0;
  for (const unsigned char *p = (const unsigned char *)s; *p;) {
    size_t len;
    if (needs_escape(p, &len)) {
      for (size_t i = 0; i < len; i++) used += (size_t)sprintf(out + used, "\\x%02x", p[i]);
    } else {
      out[used++] = (char)*p;
    }
    p += len;
  }
  out[used] = '\0';
  return out;
}

void cli_make_printable(cJSON *item) {
  for (; item; item = item->next) {
    if (cJSON_IsString(item)) {
      char *safe = printable_copy(item->valuestring);
      if (safe && strcmp(safe, item->valuestring) != 0) cJSON_SetValuestring(item, safe);
      free(safe);
    }
    cli_make_printable(item->child);
  }
}
