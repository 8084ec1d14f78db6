/* The recruitment agencies: GET /agencies (?q= a name, ?cursor=) lists
 * them with whether each is licensed today; GET /agencies/{id} shows one
 * and what the ministry's lists said of it. Agency names are public: a
 * search may be in the URL (unlike a survivor's name). */
#include "web/page.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/agencies.h"
#include "util/alloc.h"
#include "web/case_page.h"

static void licensed_cell(struct req *r, struct buf *b, const struct agency_rec *a)
{
    h_open(b, "span", "class", a->licensed ? "licensed" : "not-licensed", H_END);
    h_text(b, tr(r, a->licensed ? MSG_AGENCY_LICENSED : MSG_AGENCY_NOT_LICENSED));
    h_close(b, "span");
}

static const char *name_in(const struct req *r, const struct agency_rec *a)
{
    return r->lang == LANG_KM ? a->name_km : a->name_en;
}

static const char *name_other(const struct req *r, const struct agency_rec *a)
{
    return r->lang == LANG_KM ? a->name_en : a->name_km;
}

static void search_form(struct req *r, struct buf *b, const char *q, bool bad)
{
    h_raw(b,
          "<form method=\"get\" autocomplete=\"off\" action=\"/agencies\" id=\"agency-search\">");
    h_label(r, b, "q", MSG_AGENCIES_SEARCH, false);
    if (bad)
        h_para(b, "error", "q-error", "alert", tr(r, MSG_AGENCIES_SEARCH_BAD));
    h_open(b, "input", "type", "search", "id", "q", "name", "q", "value", q != NULL ? q : "",
           "maxlength", "200", H_END);
    h_raw(b, "<button type=\"submit\" id=\"agency-search-button\">");
    h_text(b, tr(r, MSG_AGENCIES_SEARCH_BUTTON));
    h_raw(b, "</button></form>");
}

static void agency_table(struct req *r, struct buf *b, const struct agency_rec *items, size_t n)
{
    h_raw(b, "<table id=\"agency-list\"><thead><tr><th>");
    h_text(b, tr(r, MSG_AGENCY_NAME));
    h_raw(b, "</th><th>");
    h_text(b, tr(r, MSG_AGENCY_LICENCE_NO));
    h_raw(b, "</th><th>");
    h_text(b, tr(r, MSG_AGENCY_STATUS));
    h_raw(b, "</th><th>");
    h_text(b, tr(r, MSG_AGENCY_VALID_UNTIL));
    h_raw(b, "</th></tr></thead><tbody>");
    for (size_t i = 0; i < n; i++) {
        const struct agency_rec *a = &items[i];
        char *href = xasprintf("/agencies/%s", a->id);
        h_raw(b, "<tr>");
        h_raw(b, "<td>");
        h_open(b, "a", "href", href, H_END);
        h_text(b, name_in(r, a));
        h_close(b, "a");
        h_raw(b, "<br><small>");
        h_text(b, name_other(r, a));
        h_raw(b, "</small></td><td>");
        h_text(b, a->licence_no);
        h_raw(b, "</td><td>");
        licensed_cell(r, b, a);
        h_raw(b, "</td><td>");
        h_text(b, a->licence_valid_until);
        h_raw(b, "</td></tr>");
        free(href);
    }
    h_raw(b, "</tbody></table>");
}

void web_agencies(struct req *r, struct resp *w)
{
    struct ctx cx = page_ctx(r);
    struct buf *b = &w->body;
    struct agency_rec *items = NULL;
    struct fielderrs fe = {0};
    char next[ID_SIZE] = "";
    size_t n = 0;

    const char *q = req_query(r, "q");
    if (q != NULL && q[0] == '\0')
        q = NULL;
    const char *cursor = req_query(r, "cursor");
    if (cursor != NULL && (*cursor == '\0' || strlen(cursor) >= ID_SIZE))
        cursor = NULL;
    struct agency_query aq = {.q = q, .cursor = cursor, .limit = 50, .lang = r->lang};
    enum err e = agency_list(&cx, &aq, &items, &n, next, &fe);
    bool bad = false;
    if (e == ERR_VALIDATION) {
        /* A bad name or a stale cursor: every agency, from the first. */
        bad = q != NULL;
        aq.q = NULL;
        aq.cursor = NULL;
        fe.n = 0;
        e = agency_list(&cx, &aq, &items, &n, next, &fe);
    }
    if (e != ERR_OK) {
        page_fail(r, w, e);
        return;
    }
    page_begin(r, w, tr(r, MSG_AGENCIES_TITLE), "/agencies");
    h_raw(b, "<h1 id=\"agencies-title\">");
    h_text(b, tr(r, MSG_AGENCIES_TITLE));
    h_raw(b, "</h1>");
    const char *source = n > 0 ? items[0].source_date : "";
    if (source[0] != '\0') {
        h_raw(b, "<p id=\"agencies-source\">");
        h_text_sub(b, tr(r, MSG_AGENCIES_INTRO), source);
        h_raw(b, "</p>");
    } else
        h_para(b, "hint", "agencies-no-list", NULL, tr(r, MSG_AGENCIES_NO_LIST));
    search_form(r, b, bad ? NULL : q, bad);
    if (n == 0)
        h_para(b, "empty", "agencies-empty", NULL, tr(r, MSG_AGENCIES_NONE));
    else
        agency_table(r, b, items, n);
    if (next[0] != '\0') {
        char *more = xasprintf("/agencies?cursor=%s", next);
        h_raw(b, "<p>");
        h_open(b, "a", "href", more, "id", "agencies-more", H_END);
        h_text(b, tr(r, MSG_AGENCIES_MORE));
        h_raw(b, "</a></p>");
        free(more);
    }
    agency_list_free(items, n);
    page_end(r, w);
}

/* A shown count as text: the number, or "fewer than k" (never the number). */
static void count_text(struct req *r, struct buf *b, const struct shown_count *c)
{
    char n[16];
    snprintf(n, sizeof n, "%d", c->suppressed ? c->k : c->value);
    h_text_sub(b, c->suppressed ? tr(r, MSG_AGENCY_RISK_FEWER_THAN) : "%s", n);
}

void page_agency_indicators(struct req *r, struct buf *b, const struct agency_indicators *a,
                            const char *id)
{
    char n[16], list_id[96];
    const struct shown_count *t = &a->total;
    snprintf(list_id, sizeof list_id, "%s-which", id);
    h_open(b, "section", "class", "agency-risk", "id", id, H_END);
    h_elem(b, "h3", tr(r, MSG_AGENCY_RISK_TITLE));
    snprintf(n, sizeof n, "%d", t->suppressed ? t->k : t->value);
    h_raw(b, "<p class=\"agency-risk-total\">");
    h_text_sub(b,
               tr(r, t->suppressed   ? MSG_AGENCY_RISK_FEWER
                     : t->value == 0 ? MSG_AGENCY_RISK_NONE
                                     : MSG_AGENCY_RISK_TOTAL),
               n);
    h_raw(b, "</p>");
    if (a->nby_indicator > 0) {
        h_elem(b, "h4", tr(r, MSG_AGENCY_RISK_WHICH));
        h_open(b, "ul", "class", "agency-risk-which", "id", list_id, H_END);
        for (size_t i = 0; i < a->nby_indicator; i++) {
            const struct agency_indicator_count *c = &a->by_indicator[i];
            h_open(b, "li", "data-code", c->code, H_END);
            h_text(b, indicator_label(r, c->code));
            h_raw(b, ": <strong>");
            count_text(r, b, &c->count);
            h_raw(b, "</strong></li>");
        }
        h_raw(b, "</ul>");
    }
    snprintf(n, sizeof n, "%d", t->k);
    h_raw(b, "<p class=\"hint\">");
    h_text_sub(b, tr(r, MSG_AGENCY_RISK_HINT), n);
    h_raw(b, "</p></section>");
}

void web_agency_show(struct req *r, struct resp *w)
{
    struct ctx cx = page_ctx(r);
    struct buf *b = &w->body;
    struct agency_rec a = {0}, *hist = NULL;
    struct fielderrs fe = {0};
    size_t nhist = 0;
    const char *id = page_id(r);

    struct agency_indicators fig = {0};
    enum err e = id != NULL ? agency_get(&cx, id, NULL, &a, &fe) : ERR_NOT_FOUND;
    if (e == ERR_OK)
        e = agency_history(&cx, id, &hist, &nhist);
    /* The figures only for the roles allowed them (the table's word). */
    bool figures = e == ERR_OK && agency_indicators_allowed(&cx);
    if (figures)
        e = agency_indicator_counts(&cx, id, &fig);
    if (e != ERR_OK) {
        agency_list_free(hist, nhist);
        agency_rec_free(&a);
        page_fail(r, w, e);
        return;
    }
    page_begin(r, w, name_in(r, &a), NULL);
    h_raw(b, "<h1 id=\"agency-name\">");
    h_text(b, name_in(r, &a));
    h_raw(b, "</h1>");
    h_para(b, NULL, "agency-other-name", NULL, name_other(r, &a));
    h_raw(b, "<dl id=\"agency\"><dt>");
    h_text(b, tr(r, MSG_AGENCY_LICENCE_NO));
    h_raw(b, "</dt><dd id=\"agency-licence-no\">");
    h_text(b, a.licence_no);
    h_raw(b, "</dd><dt>");
    h_text(b, tr(r, MSG_AGENCY_STATUS));
    h_raw(b, "</dt><dd id=\"agency-status\">");
    licensed_cell(r, b, &a);
    h_raw(b, "</dd><dt>");
    h_text(b, tr(r, MSG_AGENCY_VALID_UNTIL));
    h_raw(b, "</dt><dd id=\"agency-valid-until\">");
    h_text(b, a.licence_valid_until);
    h_raw(b, "</dd></dl>");
    if (figures)
        page_agency_indicators(r, b, &fig, "agency-indicators");
    agency_indicators_free(&fig);
    h_raw(b, "<h2>");
    h_text(b, tr(r, MSG_AGENCY_HISTORY));
    h_raw(b, "</h2><table id=\"agency-history\"><thead><tr><th>");
    h_text(b, tr(r, MSG_AGENCY_LIST_DATE));
    h_raw(b, "</th><th>");
    h_text(b, tr(r, MSG_AGENCY_VALID_UNTIL));
    h_raw(b, "</th></tr></thead><tbody>");
    for (size_t i = 0; i < nhist; i++) {
        h_raw(b, "<tr><td>");
        h_text(b, hist[i].source_date);
        h_raw(b, "</td><td>");
        h_text(b, hist[i].licence_valid_until);
        h_raw(b, "</td></tr>");
    }
    h_raw(b, "</tbody></table><p><a href=\"/agencies\" id=\"back-to-agencies\">");
    h_text(b, tr(r, MSG_BACK_TO_AGENCIES));
    h_raw(b, "</a></p>");
    agency_list_free(hist, nhist);
    agency_rec_free(&a);
    page_end(r, w);
}
