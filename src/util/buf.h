/* A growable byte buffer, always NUL-terminated. A zeroed struct buf is empty
 * and valid. The buffer owns p; buf_free() releases it, buf_steal() hands it over. */
#ifndef CBPN_UTIL_BUF_H
#define CBPN_UTIL_BUF_H

#include <stdbool.h>
#include <stddef.h>

struct buf {
    char *p;
    size_t len;
    size_t cap;
    bool wipe; /* set: the contents are wiped when the buffer grows and by buf_free */
};

void buf_put(struct buf *b, const char *s, size_t n);
void buf_puts(struct buf *b, const char *s);
void buf_putc(struct buf *b, char c);
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_reset(struct buf *b);
/* Room for extra more bytes without growing. */
void buf_reserve(struct buf *b, size_t extra);
/* Returns the string (never NULL; caller frees) and leaves b empty. */
char *buf_steal(struct buf *b);
void buf_free(struct buf *b);

#endif
