/* The safe-migration reference pages (issue 8 item 7): what a member shows
 * a neighbour on her phone. Read only, from the tables of
 * domain/reference.h; no form and no script, so each page is a few
 * kilobytes of text that a 2G phone shows at once, and prints. Each page
 * ends with the sources of what it shows and their dates, and the note
 * that it is a summary to check with the Ministry of Labour. */
#include <string.h>

#include "domain/reference.h"
#include "util/alloc.h"
#include "web/page.h"

#define SOURCES_MAX (3 * REFERENCE_ROWS_MAX)

/* The text of a row in the page's language. */
static const char *in_lang(const struct req *r, const char *km, const char *en)
{
    return r->lang == LANG_KM ? km : en;
}

/* The name of a country in the page's language; its code when unknown. */
static const char *country_name(const struct req *r, const char *code)
{
    for (size_t i = 0; i < ncountries; i++)
        if (strcmp(countries[i].code, code) == 0)
            return tr(r, countries[i].name);
    return code;
}

/* The distinct sources a page shows, in the order of first use. */
struct sources {
    const struct reference_source *s[SOURCES_MAX];
    size_t n;
};

static void sources_add(struct sources *l, const struct reference_source *s)
{
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->s[i]->source, s->source) == 0 && strcmp(l->s[i]->date, s->date) == 0)
            return;
    if (l->n < SOURCES_MAX)
        l->s[l->n++] = s;
}

/* The foot of every reference page: the note, the sources with their
 * dates, the way back to the index. */
static void sources_put(struct req *r, struct buf *b, const struct sources *l, bool back)
{
    h_raw(b, "<footer class=\"sources\" id=\"sources\">");
    h_para(b, "caveat", "caveat", NULL, tr(r, MSG_REF_CAVEAT));
    h_raw(b, "<h2>");
    h_text(b, tr(r, MSG_REF_SOURCES));
    h_raw(b, "</h2><ol>");
    for (size_t i = 0; i < l->n; i++) {
        char *dated = text_sub(tr(r, MSG_REF_DATED), l->s[i]->date);
        h_raw(b, "<li><span class=\"source\">");
        h_text(b, l->s[i]->source);
        h_raw(b, "</span> <time class=\"date\"");
        h_attr(b, "datetime", l->s[i]->date);
        h_raw(b, ">");
        h_text(b, dated);
        h_raw(b, "</time></li>");
        free(dated);
    }
    h_raw(b, "</ol>");
    if (back) {
        h_raw(b, "<p class=\"back\"><a href=\"/safe-migration\" id=\"reference-index\">");
        h_text(b, tr(r, MSG_REF_BACK));
        h_raw(b, "</a></p>");
    }
    h_raw(b, "</footer>");
}

/* The reference for the caller, and the page's head and title; false (the
 * error page written) when she may not read it. */
static bool reference_page(struct req *r, struct resp *w, const struct reference **ref,
                           enum msg title, const char *self)
{
    struct ctx cx = page_ctx(r);
    enum err e = reference_get(&cx, ref);
    if (e != ERR_OK) {
        page_fail(r, w, e);
        return false;
    }
    page_begin_static(r, w, tr(r, title), self);
    h_raw(&w->body, "<h1>");
    h_text(&w->body, tr(r, title));
    h_raw(&w->body, "</h1>");
    return true;
}

/* The hotlines as tappable tel: links. */
static void hotlines_put(struct req *r, struct buf *b, const struct reference *ref,
                         struct sources *l)
{
    h_raw(b, "<ul class=\"hotlines\" id=\"hotlines\">");
    for (size_t i = 0; i < reference_hotline_count(ref); i++) {
        const struct reference_hotline *h = reference_hotline_at(ref, i);
        char *href = xasprintf("tel:%s", h->number);
        char *id = xasprintf("tel-%s", h->number);
        h_raw(b, "<li>");
        h_open(b, "a", "class", "tel", "href", href, "id", id, H_END);
        h_text(b, h->number);
        h_raw(b, "</a> <strong class=\"who\">");
        h_text(b, in_lang(r, h->name_km, h->name_en));
        h_raw(b, "</strong><p>");
        h_text(b, in_lang(r, h->text_km, h->text_en));
        h_raw(b, "</p></li>");
        free(href);
        free(id);
        sources_add(l, &h->src);
    }
    h_raw(b, "</ul>");
}

void web_reference(struct req *r, struct resp *w)
{
    static const struct {
        const char *href, *id;
        enum msg title;
    } pages[] = {
        {"/safe-migration/channels", "ref-channels", MSG_REF_CHANNELS_TITLE},
        {"/safe-migration/documents", "ref-documents", MSG_REF_DOCUMENTS_TITLE},
        {"/safe-migration/hotlines", "ref-hotlines", MSG_REF_HOTLINES_TITLE},
    };
    const struct reference *ref;
    struct sources l = {.n = 0};
    struct buf *b = &w->body;
    if (!reference_page(r, w, &ref, MSG_REF_TITLE, "/safe-migration"))
        return;
    h_para(b, NULL, "reference-intro", NULL, tr(r, MSG_REF_INTRO));
    h_raw(b, "<ul class=\"ref-pages\">");
    for (size_t i = 0; i < sizeof pages / sizeof pages[0]; i++) {
        h_raw(b, "<li>");
        h_open(b, "a", "href", pages[i].href, "id", pages[i].id, H_END);
        h_text(b, tr(r, pages[i].title));
        h_raw(b, "</a></li>");
    }
    h_raw(b, "</ul><h2>");
    h_text(b, tr(r, MSG_REF_HOTLINES_TITLE));
    h_raw(b, "</h2>");
    hotlines_put(r, b, ref, &l);
    sources_put(r, b, &l, false);
    page_end(r, w);
}

void web_reference_channels(struct req *r, struct resp *w)
{
    const struct reference *ref;
    struct sources l = {.n = 0};
    struct buf *b = &w->body;
    if (!reference_page(r, w, &ref, MSG_REF_CHANNELS_TITLE, "/safe-migration/channels"))
        return;
    h_para(b, NULL, "channels-intro", NULL, tr(r, MSG_REF_CHANNELS_INTRO));
    size_t n = reference_channel_count(ref);
    for (size_t i = 0; i < n; i++) {
        const struct reference_channel *c = reference_channel_at(ref, i);
        bool first = true;
        for (size_t j = 0; j < i && first; j++)
            if (strcmp(reference_channel_at(ref, j)->country, c->country) == 0)
                first = false;
        if (!first)
            continue; /* shown with the country's first channel */
        char *id = xasprintf("country-%s", c->country);
        h_open(b, "section", "class", "ref-country", "id", id, H_END);
        h_raw(b, "<h2>");
        h_text(b, country_name(r, c->country));
        h_raw(b, "</h2><dl class=\"ref\">");
        for (size_t j = i; j < n; j++) {
            const struct reference_channel *cj = reference_channel_at(ref, j);
            if (strcmp(cj->country, c->country) != 0)
                continue;
            const char *code = code_name(LIST_CHANNEL, cj->channel);
            char *cid = xasprintf("channel-%s-%s", cj->country, code);
            h_open(b, "dt", "id", cid, H_END);
            h_text(b, code_label(r, LIST_CHANNEL, code));
            h_raw(b, "</dt><dd>");
            h_text(b, in_lang(r, cj->text_km, cj->text_en));
            h_raw(b, "</dd>");
            free(cid);
            sources_add(&l, &cj->src);
        }
        h_raw(b, "</dl></section>");
        free(id);
    }
    sources_put(r, b, &l, true);
    page_end(r, w);
}

/* "Only for: Thailand, Malaysia" or "For every country". Caller frees. */
static char *applies_text(const struct req *r, const struct reference_document *d)
{
    if (d->everywhere)
        return xstrdup(tr(r, MSG_REF_DOCUMENTS_ALL));
    struct buf names = {0};
    for (int i = 0; i < d->ncountries; i++) {
        if (i > 0)
            buf_puts(&names, ", ");
        buf_puts(&names, country_name(r, d->countries[i]));
    }
    char *out = text_sub(tr(r, MSG_REF_DOCUMENTS_ONLY), names.p != NULL ? names.p : "");
    buf_free(&names);
    return out;
}

void web_reference_documents(struct req *r, struct resp *w)
{
    const struct reference *ref;
    struct sources l = {.n = 0};
    struct buf *b = &w->body;
    if (!reference_page(r, w, &ref, MSG_REF_DOCUMENTS_TITLE, "/safe-migration/documents"))
        return;
    h_para(b, NULL, "documents-intro", NULL, tr(r, MSG_REF_DOCUMENTS_INTRO));
    h_raw(b, "<dl class=\"ref\" id=\"documents\">");
    for (size_t i = 0; i < reference_document_count(ref); i++) {
        const struct reference_document *d = reference_document_at(ref, i);
        char *id = xasprintf("doc-%s", code_name(LIST_DOCUMENT, d->document));
        char *applies = applies_text(r, d);
        h_open(b, "dt", "id", id, H_END);
        h_text(b, in_lang(r, d->name_km, d->name_en));
        h_raw(b, "</dt><dd>");
        h_text(b, in_lang(r, d->text_km, d->text_en));
        h_raw(b, " <small class=\"applies\">");
        h_text(b, applies);
        h_raw(b, "</small></dd>");
        free(applies);
        free(id);
        sources_add(&l, &d->src);
    }
    h_raw(b, "</dl>");
    sources_put(r, b, &l, true);
    page_end(r, w);
}

void web_reference_hotlines(struct req *r, struct resp *w)
{
    const struct reference *ref;
    struct sources l = {.n = 0};
    if (!reference_page(r, w, &ref, MSG_REF_HOTLINES_TITLE, "/safe-migration/hotlines"))
        return;
    h_para(&w->body, NULL, "hotlines-intro", NULL, tr(r, MSG_REF_HOTLINES_INTRO));
    hotlines_put(r, &w->body, ref, &l);
    sources_put(r, &w->body, &l, true);
    page_end(r, w);
}
