/* sanitize: makes a server-supplied string safe for a one-line Nagios report and for JSON, once,
 * where it enters (STYLE.md: distrust at intake). Pure. */
#ifndef PROTO_SANITIZE_H
#define PROTO_SANITIZE_H

#include <stddef.h>

/* Copies in (in_len bytes, which may include NULs) into out, always NUL-terminated when
 * out_cap >= 1 (nothing is written when out_cap is 0). Returns the bytes written, NUL excluded.
 * Replaced on the way:
 *   - C0 control bytes (NUL, \t, \n, \r, ...) and DEL by '?' (a newline would start a new
 *     report line: "3.4\nETCD OK - fake");
 *   - '|' by '/' (it starts Nagios perfdata);
 *   - every byte that is not part of a valid UTF-8 sequence (stray continuation bytes, overlong
 *     forms, surrogates, beyond U+10FFFF, sequences cut short) by U+FFFD, one per byte;
 *   - C1 controls (U+0080..U+009F), the line and paragraph separators U+2028/U+2029 and the bidi
 *     controls U+202A..U+202E and U+2066..U+2069 by '?'.
 * Output is cut only between code points: never half a sequence at the end. */
size_t sanitize_text(const char *in, size_t in_len, char *out, size_t out_cap);

#endif
