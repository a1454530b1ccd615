/* text: bounded string copies shared by diag's parsers and reports (snprintf "%s" would trip
 * gcc's truncation warnings on every fixed-size field). */
#ifndef DIAG_TEXT_H
#define DIAG_TEXT_H

#include <stddef.h>

/* Copies s[0..n) into out (cap bytes), truncated, always NUL-terminated when cap > 0. */
void text_copy(char *out, size_t cap, const char *s, size_t n);

/* Copies the C string s into out (cap bytes), truncated, NUL-terminated when cap > 0. */
void text_scopy(char *out, size_t cap, const char *s);

#endif
