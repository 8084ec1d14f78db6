/* The escaping HTML writer (see html.h). */
#include "web/html.h"

#include <stdarg.h>
#include <string.h>

void html_escape(struct buf *b, const char *s, size_t n)
{
    size_t start = 0;
    for (size_t i = 0; i < n; i++) {
        const char *rep;
        switch (s[i]) {
        case '&':
            rep = "&amp;";
            break;
        case '<':
            rep = "&lt;";
            break;
        case '>':
            rep = "&gt;";
            break;
        case '"':
            rep = "&quot;";
            break;
        case '\'':
            rep = "&#39;";
            break;
        default:
            continue;
        }
        buf_put(b, s + start, i - start);
        buf_puts(b, rep);
        start = i + 1;
    }
    buf_put(b, s + start, n - start);
}

void h_text(struct buf *b, const char *s)
{
    if (s != NULL)
        html_escape(b, s, strlen(s));
}

void h_text_sub(struct buf *b, const char *tmpl, const char *arg)
{
    const char *s = tmpl, *p;
    if (tmpl == NULL)
        return;
    while ((p = strstr(s, "%s")) != NULL) {
        html_escape(b, s, (size_t)(p - s));
        h_text(b, arg);
        s = p + 2;
    }
    h_text(b, s);
}

void h_text_prefix(struct buf *b, const char *s, size_t max_chars)
{
    size_t i = 0, chars = 0;
    if (s == NULL)
        return;
    while (s[i] != '\0' && chars < max_chars) {
        i++;
        while (((unsigned char)s[i] & 0xC0) == 0x80)
            i++; /* the rest of this character */
        chars++;
    }
    html_escape(b, s, i);
    if (s[i] != '\0')
        buf_puts(b, "…");
}

void h_int(struct buf *b, long v)
{
    buf_printf(b, "%ld", v);
}

void h_raw(struct buf *b, const char *markup)
{
    if (markup != NULL)
        buf_puts(b, markup);
}

void h_attr(struct buf *b, const char *name, const char *value)
{
    if (value == NULL)
        return;
    buf_putc(b, ' ');
    buf_puts(b, name);
    buf_puts(b, "=\"");
    h_text(b, value);
    buf_putc(b, '"');
}

void h_flag(struct buf *b, const char *name, bool on)
{
    if (!on)
        return;
    buf_putc(b, ' ');
    buf_puts(b, name);
}

void h_open_begin(struct buf *b, const char *tag)
{
    buf_putc(b, '<');
    buf_puts(b, tag);
    /* A shared phone keeps nothing typed into a form (issue 9): the
     * browser neither offers it again nor saves it for a restored tab. */
    if (strcmp(tag, "form") == 0)
        buf_puts(b, " autocomplete=\"off\"");
}

void h_open_end(struct buf *b)
{
    buf_putc(b, '>');
}

void h_open(struct buf *b, const char *tag, ...)
{
    va_list ap;
    const char *name;

    h_open_begin(b, tag);
    va_start(ap, tag);
    while ((name = va_arg(ap, const char *)) != NULL) {
        const char *value = va_arg(ap, const char *);
        h_attr(b, name, value);
    }
    va_end(ap);
    h_open_end(b);
}

void h_close(struct buf *b, const char *tag)
{
    buf_puts(b, "</");
    buf_puts(b, tag);
    buf_putc(b, '>');
}

void h_elem(struct buf *b, const char *tag, const char *text)
{
    h_open(b, tag, H_END);
    h_text(b, text);
    h_close(b, tag);
}

void url_encode(struct buf *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    if (s == NULL)
        return;
    for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
        unsigned char c = *p;
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '_' || c == '.' || c == '~') {
            buf_putc(b, (char)c);
        } else {
            buf_putc(b, '%');
            buf_putc(b, hex[c >> 4]);
            buf_putc(b, hex[c & 15]);
        }
    }
}

void h_para(struct buf *b, const char *cls, const char *id, const char *role, const char *text)
{
    h_open(b, "p", "class", cls, "id", id, "role", role, H_END);
    h_text(b, text);
    h_close(b, "p");
}
