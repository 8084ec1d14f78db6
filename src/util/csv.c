#include "util/csv.h"

#include <string.h>

void csv_init(struct csv *c, const char *text, size_t len)
{
    c->p = text;
    c->end = text + len;
    c->line = 1;
    if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
        c->p += 3;
}

/* A quoted field, from its opening quote. */
static int quoted(struct csv *c, struct buf *b, const char **why)
{
    c->p++;
    for (;;) {
        if (c->p == c->end) {
            *why = "unterminated quoted field";
            return -1;
        }
        if (*c->p == '"') {
            if (c->p + 1 < c->end && c->p[1] == '"') {
                buf_putc(b, '"');
                c->p += 2;
                continue;
            }
            c->p++;
            break;
        }
        if (*c->p == '\n')
            c->line++;
        buf_putc(b, *c->p++);
    }
    if (c->p < c->end && *c->p != ',' && *c->p != '\n' && *c->p != '\r') {
        *why = "text after a closing quote";
        return -1;
    }
    return 1;
}

static int unquoted(struct csv *c, struct buf *b, const char **why)
{
    const char *start = c->p;
    while (c->p < c->end && *c->p != ',' && *c->p != '\n' && *c->p != '\r') {
        if (*c->p == '"') {
            *why = "quote in an unquoted field";
            return -1;
        }
        c->p++;
    }
    buf_put(b, start, (size_t)(c->p - start));
    return 1;
}

int csv_record(struct csv *c, struct buf *f, int maxf, int *nf, const char **why)
{
    *nf = 0;
    if (c->p == c->end)
        return 0;
    for (;;) {
        if (*nf == maxf) {
            *why = "too many fields";
            return -1;
        }
        struct buf *b = &f[(*nf)++];
        buf_reset(b);
        buf_puts(b, ""); /* an empty field is a string all the same */
        int rc = (c->p < c->end && *c->p == '"') ? quoted(c, b, why) : unquoted(c, b, why);
        if (rc < 0)
            return -1;
        if (c->p == c->end)
            return 1;
        if (*c->p == ',') {
            c->p++;
            continue;
        }
        if (*c->p == '\r') {
            if (c->p + 1 == c->end || c->p[1] != '\n') {
                *why = "carriage return without line feed";
                return -1;
            }
            c->p++;
        }
        c->p++; /* '\n' */
        c->line++;
        return 1;
    }
}

void csv_skip_comments(struct csv *c)
{
    while (c->p < c->end && *c->p == '#') {
        const char *nl = memchr(c->p, '\n', (size_t)(c->end - c->p));
        c->p = nl != NULL ? nl + 1 : c->end;
        c->line++;
    }
}
