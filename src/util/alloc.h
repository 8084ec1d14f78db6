/* Allocation that cannot fail: on exhaustion the process aborts in one place.
 * Every x*() result is owned by the caller and released with free(). */
#ifndef CBPN_UTIL_ALLOC_H
#define CBPN_UTIL_ALLOC_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
/* Copy of the first n bytes of s, NUL-terminated. */
char *xstrndup(const char *s, size_t n);
/* printf into a new string. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Overwrites the whole allocation p (from malloc and kin) with zeros, then
 * frees it; wipe_free(NULL) is a no-op. For memory that held a secret or
 * a person's data. */
void wipe_free(void *p);

#endif
