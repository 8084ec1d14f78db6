/* UTF-8 checks for untrusted text. */
#ifndef CBPN_UTIL_UTF8_H
#define CBPN_UTIL_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/* True when s[0..n) is well-formed UTF-8 (no overlongs, no surrogates, no
 * code point above U+10FFFF) and holds no NUL and no C0 control other than
 * TAB, LF and CR. */
bool utf8_valid_text(const char *s, size_t n);
/* Number of code points in well-formed UTF-8. */
size_t utf8_length(const char *s, size_t n);

#endif
