/* SPDX-License-Identifier: MIT */
/* Text from the system (file names, socket paths, variable names) made
 * fit for JSON: any byte that is not part of valid UTF-8 becomes the four
 * characters \xNN. A name the kernel allows is any bytes; a report must
 * still parse. */
#ifndef CR_TEXT_H
#define CR_TEXT_H

/* A malloc'd copy, NULL when out of memory. */
char *cr_utf8_escaped(const char *s);

#endif
