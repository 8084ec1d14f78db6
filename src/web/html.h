/* The escaping HTML writer. Everything written through h_text(), h_attr()
 * and the element helpers is escaped; h_raw() is the one exception, for
 * markup the program itself spells out (string literals), never for data.
 * Tag and attribute names are literals of the program, written as given.
 * All functions append to b (util/buf.h); NULL text writes nothing. */
#ifndef CBPN_WEB_HTML_H
#define CBPN_WEB_HTML_H

#include <stdbool.h>
#include <stddef.h>

#include "util/buf.h"

/* Appends s[0..n) with & < > " ' escaped (safe in text and in quoted
 * attribute values). */
void html_escape(struct buf *b, const char *s, size_t n);
/* Text content, escaped. */
void h_text(struct buf *b, const char *s);
/* tmpl with each "%s" replaced by arg, all escaped (for translated
 * messages that take one value; no printf is involved). */
void h_text_sub(struct buf *b, const char *tmpl, const char *arg);
/* The first max_chars characters of s (UTF-8, cut between characters),
 * escaped, with "…" when cut. */
void h_text_prefix(struct buf *b, const char *s, size_t max_chars);
/* An integer as text. */
void h_int(struct buf *b, long v);
/* Markup written as is: the exception, for literal markup only. */
void h_raw(struct buf *b, const char *markup);
/* ` name="value"`, value escaped; nothing when value is NULL. */
void h_attr(struct buf *b, const char *name, const char *value);
/* ` name` (a boolean attribute) when on. */
void h_flag(struct buf *b, const char *name, bool on);

/* The end of h_open()'s list (a typed null pointer, as variadic calls need). */
#define H_END ((const char *)NULL)

/* An opening tag with attributes given as name, value pairs ending with
 * H_END: h_open(b, "a", "href", url, "class", "x", H_END). Values are
 * escaped; a pair whose value is NULL is left out. */
void h_open(struct buf *b, const char *tag, ...) __attribute__((sentinel));
/* The opening tag without the closing '>' (to add h_attr()/h_flag()),
 * then h_open_end(). A <form> gets autocomplete="off" (shared phones: the
 * browser keeps nothing typed into it). */
void h_open_begin(struct buf *b, const char *tag);
void h_open_end(struct buf *b);
/* </tag> */
void h_close(struct buf *b, const char *tag);
/* <p class="cls" id="id" role="role">text</p>, text escaped; NULL
 * attributes are left out. */
void h_para(struct buf *b, const char *cls, const char *id, const char *role, const char *text);
/* <tag>text</tag>, text escaped. */
void h_elem(struct buf *b, const char *tag, const char *text);

/* Appends s percent-encoded for a URL query value or path segment
 * (unreserved characters kept). The result still goes through h_attr(). */
void url_encode(struct buf *b, const char *s);

#endif
