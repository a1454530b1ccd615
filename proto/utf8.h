/* utf8: the two UTF-8 facts every text path needs: make a byte string valid (RFC 3629) before it
 * goes into a format that requires it (JSON), and cut a string only between code points. */
#ifndef PROTO_UTF8_H
#define PROTO_UTF8_H

#include <stddef.h>

/* Returns a malloc'd, NUL-terminated copy of s[0..n) that is valid UTF-8: each maximal ill-formed
 * subpart (Unicode 15, 3.9 "U+FFFD Substitution of Maximal Subparts", as Python's and the WHATWG
 * decoders do) becomes U+FFFD; overlong forms, surrogates and code points past U+10FFFF are
 * ill-formed. "\xff\xfe" gives two U+FFFD, "\xe2\x9c" (a cut check mark) one. A NUL inside s[0..n)
 * is kept. The length without the NUL goes to *ret_len when ret_len is not NULL. NULL when out of
 * memory; the caller frees. */
char *utf8_repair(const char *s, size_t n, size_t *ret_len);

/* The sequence at s[0..n) (n >= 1): returns how many bytes it spans; *ok says whether they form
 * one well-formed code point or are one maximal ill-formed subpart (always at least 1 byte).
 * The one UTF-8 decoder step every text path here (repair, validation, sanitize_text) uses. */
size_t utf8_scan(const char *s, size_t n, int *ok);

/* True when s[0..n) is valid UTF-8 (the test utf8_repair would change nothing for). */
int utf8_valid(const char *s, size_t n);

/* s[0..len) is the head of a longer string that a bounded copy cut at len: returns len without
 * the last code point's bytes when the cut fell inside it (at most 3 bytes fewer), else len.
 * Bytes that are not UTF-8 at all are left alone: utf8_repair deals with them. */
size_t utf8_cut_len(const char *s, size_t len);

#endif
