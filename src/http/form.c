/* application/x-www-form-urlencoded bodies. */
#include <stdlib.h>
#include <string.h>

#include "http/http.h"
#include "util/alloc.h"
#include "util/hex.h"
#include "util/utf8.h"

/* Decodes s[0..n) into a new string; NULL when an escape is malformed or
 * the result is not valid text (invalid UTF-8, NUL or control characters). */
static char *decode(const char *s, size_t n)
{
    char *out = xmalloc(n + 1);
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '+') {
            out[o++] = ' ';
        } else if (s[i] == '%') {
            int hi = i + 2 < n ? hex_digit(s[i + 1]) : -1;
            int lo = hi >= 0 ? hex_digit(s[i + 2]) : -1;
            if (lo < 0) {
                wipe_free(out);
                return NULL;
            }
            out[o++] = (char)(hi * 16 + lo);
            i += 2;
        } else {
            out[o++] = s[i];
        }
    }
    out[o] = '\0';
    if (!utf8_valid_text(out, o)) {
        wipe_free(out);
        return NULL;
    }
    return out;
}

int form_parse(const char *body, size_t len, int max, struct kv **out)
{
    struct kv *f = xcalloc((size_t)max, sizeof(*f));
    int n = 0;
    size_t i = 0;
    *out = NULL;
    while (i < len) {
        size_t end = i;
        while (end < len && body[end] != '&')
            end++;
        if (end > i) { /* empty pairs ("a=1&&b=2") are skipped */
            if (n == max)
                goto bad;
            size_t eq = i;
            while (eq < end && body[eq] != '=')
                eq++;
            f[n].key = decode(body + i, eq - i);
            f[n].value = eq < end ? decode(body + eq + 1, end - eq - 1) : xstrdup("");
            n++;
            if (f[n - 1].key == NULL || f[n - 1].value == NULL)
                goto bad;
        }
        i = end + 1;
    }
    *out = f;
    return n;
bad:
    form_free(f, n);
    return -1;
}

void form_free(struct kv *fields, int n)
{
    if (fields == NULL)
        return;
    for (int i = 0; i < n; i++) { /* values are names, phones, passwords */
        wipe_free(fields[i].key);
        wipe_free(fields[i].value);
    }
    free(fields);
}
