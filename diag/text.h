/* text: bounded string copies shared by diag's parsers and reports (snprintf "%s" would trip
 * gcc's truncation warnings on every fixed-size field). A copy that must truncate cuts between
 * UTF-8 code points, never inside one (a journal line in a 512-byte sample must not end in half
 * a character); bytes that are not UTF-8 are copied as they are, the JSON writer repairs them. */
#ifndef DIAG_TEXT_H
#define DIAG_TEXT_H

#include <stdarg.h>
#include <stddef.h>

/* Copies s[0..n) into out (cap bytes), truncated, always NUL-terminated when cap > 0. */
void text_copy(char *out, size_t cap, const char *s, size_t n);

/* Copies the C string s into out (cap bytes), truncated, NUL-terminated when cap > 0. */
void text_scopy(char *out, size_t cap, const char *s);

/* snprintf into out (cap bytes), truncated as text_copy truncates. Returns the length kept. */
size_t text_printf(char *out, size_t cap, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
size_t text_vprintf(char *out, size_t cap, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

#endif
