/* The case pages: "my cases" (the list the caller may see) and one case. */
#include "web/page.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "domain/cases.h"
#include "domain/place.h"
#include "util/alloc.h"

/* The name of a place in the request's language (the other one if empty). */
static const char *place_name(const struct req *r, const struct place *p)
{
    const char *km = p->name_km, *latn = p->name_latn;
    if (r->lang == LANG_KM)
        return (km != NULL && *km != '\0') ? km : latn;
    return (latn != NULL && *latn != '\0') ? latn : km;
}

/* "Village, Commune, District, Province" for a gazetteer code. */
static void h_place(struct req *r, struct buf *b, const char *code)
{
    const struct places *all = r->app != NULL ? r->app->places : NULL;
    const struct place *p = (all != NULL && code != NULL) ? places_get(all, code) : NULL;
    if (p == NULL) {
        h_text(b, code);
        return;
    }
    for (int depth = 0; p != NULL && depth < PLACE__MAX; depth++) {
        if (depth > 0)
            h_raw(b, ", ");
        h_text(b, place_name(r, p));
        p = p->parent[0] != '\0' ? places_get(all, p->parent) : NULL;
    }
}

static void h_concerns(struct req *r, struct buf *b, const struct case_rec *c)
{
    for (int i = 0; i < c->nconcerns && i < CONCERNS_MAX; i++) {
        if (i > 0)
            h_raw(b, ", ");
        h_text(b, code_label(r, LIST_CONCERN, c->concerns[i]));
    }
}

static void h_status(struct req *r, struct buf *b, const char *status)
{
    char cls[48];
    snprintf(cls, sizeof cls, "status st-%s", code_parse(LIST_STATUS, status) >= 0 ? status : "x");
    h_open(b, "span", "class", cls, H_END);
    h_text(b, code_label(r, LIST_STATUS, status));
    h_close(b, "span");
}

/* A hidden field carrying name=value in a form; nothing for NULL. */
static void hidden(struct buf *b, const char *name, const char *value)
{
    if (value == NULL)
        return;
    h_open_begin(b, "input");
    h_attr(b, "type", "hidden");
    h_attr(b, "name", name);
    h_attr(b, "value", value);
    h_open_end(b);
}

/* The search by survivor name, for roles that may see names. A POST form
 * whose answer is the result list itself: the name travels only in request
 * bodies, never in a URL (browser history, links, a proxy's access log). */
static void name_search(struct req *r, struct resp *w, const char *q, const char *status, bool bad)
{
    struct buf *b = &w->body;
    h_raw(b, "<form method=\"post\" action=\"/cases/search\" id=\"search-form\" class=\"inline\""
             " role=\"search\">");
    page_csrf(r, w);
    h_raw(b, "<label for=\"q\">");
    h_text(b, tr(r, MSG_CASES_SEARCH));
    h_raw(b, "</label> ");
    h_open_begin(b, "input");
    h_attr(b, "type", "search");
    h_attr(b, "id", "q");
    h_attr(b, "name", "q");
    h_attr(b, "value", q != NULL ? q : "");
    h_attr(b, "maxlength", "120");
    h_attr(b, "autocomplete", "off");
    if (bad)
        h_attr(b, "aria-describedby", "q-error");
    h_open_end(b);
    hidden(b, "status", status);
    h_raw(b, " <button type=\"submit\">");
    h_text(b, tr(r, MSG_CASES_SEARCH_BUTTON));
    h_raw(b, "</button>");
    if (bad) {
        h_para(b, "error", "q-error", NULL, tr(r, MSG_CASES_SEARCH_BAD));
    }
    h_raw(b, "</form>");
}

/* The opening tag of a form that shows the list again: a GET to /cases
 * without a name (works without JavaScript, may be bookmarked), a POST to
 * /cases/search carrying the name q in its body otherwise. */
static void list_form_begin(struct req *r, struct resp *w, const char *id, const char *q)
{
    struct buf *b = &w->body;
    h_open_begin(b, "form");
    h_attr(b, "method", q != NULL ? "post" : "get");
    h_attr(b, "action", q != NULL ? "/cases/search" : "/cases");
    h_attr(b, "id", id);
    h_attr(b, "class", "inline");
    h_open_end(b);
    if (q != NULL) {
        page_csrf(r, w);
        hidden(b, "q", q);
    }
}

/* The status filter; on a search's results it keeps the search. */
static void status_filter(struct req *r, struct resp *w, const char *status, const char *q)
{
    struct buf *b = &w->body;
    list_form_begin(r, w, "filter-form", q);
    h_raw(b, "<label for=\"status\">");
    h_text(b, tr(r, MSG_CASES_FILTER));
    h_raw(b, "</label> <select id=\"status\" name=\"status\" data-autosubmit><option value=\"\">");
    h_text(b, tr(r, MSG_CASES_FILTER_ALL));
    h_raw(b, "</option>");
    for (int i = 0; i < code_count(LIST_STATUS); i++) {
        const char *code = code_name(LIST_STATUS, i);
        h_open_begin(b, "option");
        h_attr(b, "value", code);
        h_flag(b, "selected", status != NULL && strcmp(status, code) == 0);
        h_open_end(b);
        h_text(b, code_label(r, LIST_STATUS, code));
        h_close(b, "option");
    }
    h_raw(b, "</select> <button type=\"submit\">");
    h_text(b, tr(r, MSG_CASES_FILTER_BUTTON));
    h_raw(b, "</button></form>");
}

/* The next page: a link without a name, a POST button with one. */
static void more(struct req *r, struct resp *w, const char *status, const char *q,
                 const char *cursor)
{
    struct buf *b = &w->body;
    if (q != NULL) {
        list_form_begin(r, w, "more-form", q);
        hidden(b, "status", status);
        hidden(b, "cursor", cursor);
        h_raw(b, "<button type=\"submit\" id=\"cases-more\">");
        h_text(b, tr(r, MSG_CASES_MORE));
        h_raw(b, "</button></form>");
        return;
    }
    struct buf href = {0};
    buf_puts(&href, "/cases?");
    if (status != NULL) {
        buf_puts(&href, "status=");
        url_encode(&href, status);
        buf_putc(&href, '&');
    }
    buf_puts(&href, "cursor=");
    url_encode(&href, cursor);
    h_raw(b, "<p>");
    h_open(b, "a", "href", href.p, "id", "cases-more", H_END);
    h_text(b, tr(r, MSG_CASES_MORE));
    h_raw(b, "</a></p>");
    buf_free(&href);
}

static void case_item(struct req *r, struct buf *b, const struct case_rec *c)
{
    struct buf href = {0};
    char date[DATE_SIZE];

    buf_puts(&href, "/cases/");
    url_encode(&href, c->id);
    h_raw(b, "<li>");
    h_open(b, "a", "href", href.p, "class", "case", "data-code", c->code, H_END);
    h_raw(b, "<span class=\"code\">");
    h_text(b, c->code);
    h_raw(b, "</span> ");
    h_status(r, b, c->status);
    if (c->urgent) {
        h_raw(b, " <span class=\"urgent\">");
        h_text(b, tr(r, MSG_CASE_URGENT));
        h_raw(b, "</span>");
    }
    h_raw(b, "<span class=\"concerns\">");
    h_concerns(r, b, c);
    h_raw(b, "</span><span class=\"date\">");
    snprintf(date, sizeof date, "%.10s", c->created_at);
    h_text_sub(b, tr(r, MSG_CASE_REPORTED_ON), date);
    h_raw(b, "</span></a></li>");
    buf_free(&href);
}

/* "My cases": the list the caller may see, filtered by status (NULL: all),
 * from cursor (NULL: the first page), and when q is not NULL only the cases
 * whose survivor bears the name q (the caller checked she may search). The
 * name is written only into form fields, never into a URL: the language
 * links, the status filter's GET form and the case links carry none. */
static void cases_page(struct req *r, struct resp *w, const char *status, const char *cursor,
                       const char *q)
{
    struct ctx cx = page_ctx(r);
    struct case_query cq = {.limit = 50, .status = status, .cursor = cursor, .q = q};
    struct case_view *items = NULL;
    struct fielderrs fe = {0};
    char next[CURSOR_SIZE] = "";
    size_t n = 0;
    struct buf self = {0};
    struct buf *b = &w->body;

    bool may_search = r->actor != NULL && perm_allows(r->actor->role, ACT_CASE_READ_DETAIL);
    bool bad_q = false;
    enum err e = case_list(&cx, &cq, &items, &n, next, &fe);
    if (e == ERR_VALIDATION && q != NULL && fielderr_get(&fe, "q") != NULL) {
        bad_q = true; /* the page again, with the search box saying why */
        w->status = 422;
        e = ERR_OK;
    }
    if (e != ERR_OK) {
        page_fail(r, w, e == ERR_VALIDATION ? ERR_BAD_REQUEST : e);
        goto out;
    }

    /* The language links lead to the list without the name. */
    buf_puts(&self, "/cases");
    if (status != NULL) {
        buf_puts(&self, "?status=");
        url_encode(&self, status);
    }
    page_begin(r, w, tr(r, MSG_CASES_TITLE), self.p);
    h_raw(b, "<h1>");
    h_text(b, tr(r, MSG_CASES_TITLE));
    h_raw(b, "</h1>");
    if (may_search)
        name_search(r, w, q, status, bad_q);
    status_filter(r, w, status, q);
    if (q != NULL) {
        h_raw(b, "<p><a href=\"/cases\" id=\"search-clear\">");
        h_text(b, tr(r, MSG_BACK_TO_CASES));
        h_raw(b, "</a></p>");
    }
    if (n == 0) {
        h_para(b, "empty", "cases-empty", NULL,
               tr(r, q != NULL && !bad_q ? MSG_CASES_SEARCH_NONE : MSG_CASES_EMPTY));
    } else {
        h_raw(b, "<ul class=\"cases\" id=\"case-list\">");
        for (size_t i = 0; i < n; i++)
            case_item(r, b, &items[i].rec);
        h_raw(b, "</ul>");
    }
    if (next[0] != '\0')
        more(r, w, status, q, next);
    page_end(r, w);
out:
    buf_free(&self);
    case_views_free(items, n);
}

/* A status filter as given: NULL when absent or unknown (shows everything). */
static const char *status_param(const char *status)
{
    return (status != NULL && code_parse(LIST_STATUS, status) >= 0) ? status : NULL;
}

/* A cursor as given: NULL when absent, empty or too long (the first page). */
static const char *cursor_param(const char *cursor)
{
    return (cursor != NULL && *cursor != '\0' && strlen(cursor) < CURSOR_SIZE) ? cursor : NULL;
}

/* GET /cases. A "q" in the query string is ignored, never searched: a name
 * must not be put in a URL (history, proxy logs), and a search through one
 * would invite it. The ordinary list answers, with an empty search box; the
 * search is POST /cases/search. (Ignored rather than 400 so that an old
 * bookmark still opens the list, and the name is echoed nowhere.) */
void web_cases(struct req *r, struct resp *w)
{
    cases_page(r, w, status_param(req_query(r, "status")), cursor_param(req_query(r, "cursor")),
               NULL);
}

/* POST /cases/search (form fields q, status, cursor; the server checked
 * csrf): the result list itself, not a redirect, so the name stays in the
 * body. 403 for roles that may not see names, before anything is read. An
 * empty box searches nothing: the ordinary list. */
void web_cases_search(struct req *r, struct resp *w)
{
    if (r->actor == NULL || !perm_allows(r->actor->role, ACT_CASE_READ_DETAIL)) {
        page_fail(r, w, ERR_FORBIDDEN);
        return;
    }
    const char *q = req_form(r, "q");
    if (q != NULL && q[strspn(q, " \t")] == '\0')
        q = NULL;
    cases_page(r, w, status_param(req_form(r, "status")), cursor_param(req_form(r, "cursor")), q);
}

/* A <dt>label</dt><dd> row start; the caller writes the value and "</dd>". */
static void dt(struct req *r, struct buf *b, enum msg label, const char *dd_id)
{
    h_raw(b, "<dt>");
    h_text(b, tr(r, label));
    h_raw(b, "</dt>");
    h_open(b, "dd", "id", dd_id, H_END);
}

static void h_yes_no(struct req *r, struct buf *b, bool v)
{
    h_text(b, tr(r, v ? MSG_YES : MSG_NO));
}

static void survivor_details(struct req *r, struct buf *b, const struct case_view *v)
{
    const struct survivor_view *s = &v->survivor;

    h_raw(b, "<h2>");
    h_text(b, tr(r, MSG_SURVIVOR));
    h_raw(b, "</h2>");
    if (!v->has_survivor) {
        h_raw(b, "<p>");
        h_text(b, tr(r, MSG_CASE_SURVIVOR_NONE));
        h_raw(b, "</p>");
        return;
    }
    h_raw(b, "<dl class=\"facts\" id=\"survivor\">");
    if (s->name_km != NULL && *s->name_km != '\0') {
        dt(r, b, MSG_NAME_KM, "survivor-name-km");
        h_raw(b, "<span lang=\"km\">");
        h_text(b, s->name_km);
        h_raw(b, "</span></dd>");
    }
    if (s->name_latn != NULL && *s->name_latn != '\0') {
        dt(r, b, MSG_NAME_LATN, "survivor-name-latn");
        h_raw(b, "<span lang=\"en\">");
        h_text(b, s->name_latn);
        h_raw(b, "</span></dd>");
    }
    if (s->phone != NULL && *s->phone != '\0') {
        struct buf tel = {0};
        buf_puts(&tel, "tel:");
        for (const char *p = s->phone; *p != '\0'; p++)
            if ((*p >= '0' && *p <= '9') || *p == '+')
                buf_putc(&tel, *p);
        dt(r, b, MSG_PHONE, "survivor-phone");
        h_open(b, "a", "href", tel.p, H_END);
        h_text(b, s->phone);
        h_raw(b, "</a></dd>");
        buf_free(&tel);
    }
    dt(r, b, MSG_SEX, "survivor-sex");
    h_text(b, code_label(r, LIST_SEX, s->sex));
    h_raw(b, "</dd>");
    if (s->age >= 0) {
        dt(r, b, MSG_AGE, "survivor-age");
        h_int(b, s->age);
        if (s->age_estimated) {
            h_raw(b, " (");
            h_text(b, tr(r, MSG_AGE_ESTIMATED));
            h_raw(b, ")");
        }
        h_raw(b, "</dd>");
    }
    h_raw(b, "</dl>");
}

void web_case_show(struct req *r, struct resp *w)
{
    struct ctx cx = page_ctx(r);
    struct case_view v;
    struct buf self = {0};
    struct buf *b = &w->body;
    const char *id = r->nparams > 0 ? r->params[0] : NULL;

    memset(&v, 0, sizeof v);
    if (id == NULL || *id == '\0' || strlen(id) >= ID_SIZE) {
        page_fail(r, w, ERR_NOT_FOUND);
        return;
    }
    enum err e = case_get(&cx, id, &v);
    if (e != ERR_OK) {
        page_fail(r, w, e);
        goto out;
    }
    const struct case_rec *c = &v.rec;

    buf_puts(&self, "/cases/");
    url_encode(&self, c->id);
    char *plain = text_sub(tr(r, MSG_CASE_TITLE), c->code);
    page_begin(r, w, plain, self.p);
    free(plain);

    if (req_query(r, "sent") != NULL) {
        h_raw(b, "<p class=\"notice\" id=\"report-sent\" role=\"status\">");
        h_text_sub(b, tr(r, MSG_REPORT_SENT), c->code);
        h_raw(b, "</p>");
    }
    h_raw(b, "<h1 id=\"case-title\">");
    h_text_sub(b, tr(r, MSG_CASE_TITLE), c->code);
    h_raw(b, "</h1><dl class=\"facts\" id=\"case\">");
    dt(r, b, MSG_CASE_CODE, "case-code");
    h_text(b, c->code);
    h_raw(b, "</dd>");
    dt(r, b, MSG_CASE_STATUS, "case-status");
    h_status(r, b, c->status);
    if (c->urgent) {
        h_raw(b, " <span class=\"urgent\">");
        h_text(b, tr(r, MSG_CASE_URGENT));
        h_raw(b, "</span>");
    }
    h_raw(b, "</dd>");
    dt(r, b, MSG_CASE_CONCERNS, "case-concerns");
    h_concerns(r, b, c);
    h_raw(b, "</dd>");
    if (c->location_code[0] != '\0') {
        dt(r, b, MSG_CASE_PLACE, "case-place");
        h_place(r, b, c->location_code);
        h_raw(b, "</dd>");
    }
    dt(r, b, MSG_CASE_CREATED, "case-created");
    h_date(b, c->created_at);
    h_raw(b, "</dd>");
    if (c->updated_at[0] != '\0') {
        dt(r, b, MSG_CASE_UPDATED, "case-updated");
        h_date(b, c->updated_at);
        h_raw(b, "</dd>");
    }
    if (v.detail) {
        dt(r, b, MSG_CASE_RISK, "case-risk");
        h_text(b,
               c->risk[0] != '\0' ? code_label(r, LIST_RISK, c->risk) : tr(r, MSG_CASE_RISK_NONE));
        h_raw(b, "</dd>");
        dt(r, b, MSG_CASE_CONSENT, "case-consent");
        h_yes_no(r, b, c->consent_to_contact);
        h_raw(b, "</dd>");
    }
    h_raw(b, "</dl>");
    if (v.detail) {
        h_raw(b, "<h2>");
        h_text(b, tr(r, MSG_CASE_SUMMARY));
        h_raw(b, "</h2><p class=\"summary\" id=\"case-summary\">");
        h_text(b, v.summary);
        h_raw(b, "</p>");
        survivor_details(r, b, &v);
    } else {
        h_para(b, "note", "details-hidden", NULL, tr(r, MSG_CASE_DETAILS_HIDDEN));
    }
    h_raw(b, "<p><a href=\"/cases\" id=\"back-to-cases\">");
    h_text(b, tr(r, MSG_BACK_TO_CASES));
    h_raw(b, "</a></p>");
    page_end(r, w);
out:
    buf_free(&self);
    case_view_free(&v);
}
