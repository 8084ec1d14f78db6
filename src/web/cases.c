/* The case lists: "my cases" (GET /cases, the list the caller may see,
 * filtered by status, concern, risk, urgency, overdue tasks and assignee in
 * the query string), the search by name (POST /cases/search: a name is never
 * in a URL), and the supervisor's queue (GET /queue: reported cases to
 * assign, closure requests to approve). Urgent cases come first (the
 * domain's order). */
#include "web/case_page.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "domain/cases.h"
#include "domain/place.h"
#include "domain/scope.h"
#include "domain/users.h"
#include "util/alloc.h"

/* The filters of the list, as given (each NULL when absent or unknown). */
struct list_filter {
    const char *status, *concern, *risk, *urgent, *overdue, *assigned_to;
};

/* The list's names for its columns of people: the caller's organization
 * (when she may list its users), else only herself. */
struct people {
    struct user_rec *users;
    size_t n;
};

static const char *person(const struct req *r, const struct people *p, const char *id)
{
    for (size_t i = 0; i < p->n; i++)
        if (strcmp(p->users[i].id, id) == 0)
            return p->users[i].display_name != NULL ? p->users[i].display_name
                                                    : p->users[i].username;
    if (r->actor != NULL && strcmp(r->actor->user.id, id) == 0)
        return tr(r, MSG_CASES_ME);
    return NULL;
}

static const char *code_param(enum code_list list, const char *s)
{
    return (s != NULL && code_parse(list, s) >= 0) ? s : NULL;
}

static const char *true_param(const char *s)
{
    return (s != NULL && strcmp(s, "true") == 0) ? "true" : NULL;
}

static const char *id_param(const char *s)
{
    if (s == NULL || *s == '\0' || strlen(s) >= ID_SIZE)
        return NULL;
    for (const char *p = s; *p != '\0'; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9')))
            return NULL;
    return s;
}

static void filter_read(const struct req *r, const char *(*get)(const struct req *, const char *),
                        struct list_filter *f)
{
    f->status = code_param(LIST_STATUS, get(r, "status"));
    f->concern = code_param(LIST_CONCERN, get(r, "concern"));
    f->risk = code_param(LIST_RISK, get(r, "risk"));
    f->urgent = true_param(get(r, "urgent"));
    f->overdue = true_param(get(r, "overdue"));
    f->assigned_to = id_param(get(r, "assigned_to"));
}

/* "name=value&..." of the filters set (URL-encoded), for links. */
static void filter_query(const struct list_filter *f, struct buf *q)
{
    const char *names[] = {"status", "concern", "risk", "urgent", "overdue", "assigned_to"};
    const char *values[] = {f->status, f->concern, f->risk, f->urgent, f->overdue, f->assigned_to};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (values[i] == NULL)
            continue;
        if (q->len > 0)
            buf_putc(q, '&');
        buf_puts(q, names[i]);
        buf_putc(q, '=');
        url_encode(q, values[i]);
    }
}

static void filter_hidden(struct buf *b, const struct list_filter *f)
{
    h_hidden(b, "status", f->status);
    h_hidden(b, "concern", f->concern);
    h_hidden(b, "risk", f->risk);
    h_hidden(b, "urgent", f->urgent);
    h_hidden(b, "overdue", f->overdue);
    h_hidden(b, "assigned_to", f->assigned_to);
}

/* The search by survivor name, for roles that may see names. A POST form
 * whose answer is the result list itself: the name travels only in request
 * bodies, never in a URL (browser history, links, a proxy's access log). */
static void name_search(struct req *r, struct resp *w, const char *q, const struct list_filter *f,
                        bool bad)
{
    struct buf *b = &w->body;
    h_raw(b, "<form method=\"post\" autocomplete=\"off\" action=\"/cases/search\" "
             "id=\"search-form\" class=\"inline\""
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
    filter_hidden(b, f);
    h_raw(b, " <button type=\"submit\">");
    h_text(b, tr(r, MSG_CASES_SEARCH_BUTTON));
    h_raw(b, "</button>");
    if (bad)
        h_para(b, "error", "q-error", NULL, tr(r, MSG_CASES_SEARCH_BAD));
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
    h_attr(b, "class", "inline filters");
    h_open_end(b);
    if (q != NULL) {
        page_csrf(r, w);
        h_hidden(b, "q", q);
    }
}

static void code_select(struct req *r, struct buf *b, const char *name, enum msg label,
                        enum code_list list, const char *chosen, enum msg all)
{
    char id[32];
    snprintf(id, sizeof id, "f-%s", name);
    h_open(b, "label", "for", id, H_END);
    h_text(b, tr(r, label));
    h_raw(b, "</label>");
    h_open(b, "select", "id", id, "name", name, H_END);
    h_raw(b, "<option value=\"\">");
    h_text(b, tr(r, all));
    h_raw(b, "</option>");
    for (int i = 0; i < code_count(list); i++) {
        const char *code = code_name(list, i);
        h_open_begin(b, "option");
        h_attr(b, "value", code);
        h_flag(b, "selected", chosen != NULL && strcmp(chosen, code) == 0);
        h_open_end(b);
        h_text(b, code_label(r, list, code));
        h_close(b, "option");
    }
    h_raw(b, "</select>");
}

static void check_box(struct req *r, struct buf *b, const char *name, enum msg label, bool on)
{
    char id[32];
    snprintf(id, sizeof id, "f-%s", name);
    h_raw(b, "<label class=\"check\"><input type=\"checkbox\" value=\"true\"");
    h_attr(b, "id", id);
    h_attr(b, "name", name);
    h_flag(b, "checked", on);
    h_raw(b, "> ");
    h_text(b, tr(r, label));
    h_raw(b, "</label>");
}

/* The filters; on a search's results they keep the search. The status
 * select keeps its id "status" (and submits itself with JavaScript). */
static void filters(struct req *r, struct resp *w, const struct list_filter *f, const char *q,
                    const struct people *p, bool detail)
{
    struct buf *b = &w->body;
    list_form_begin(r, w, "filter-form", q);
    h_raw(b, "<label for=\"status\">");
    h_text(b, tr(r, MSG_CASES_FILTER));
    h_raw(b, "</label> <select id=\"status\" name=\"status\"");
    h_flag(b, "data-autosubmit", !detail);
    h_raw(b, "><option value=\"\">");
    h_text(b, tr(r, MSG_CASES_FILTER_ALL));
    h_raw(b, "</option>");
    for (int i = 0; i < code_count(LIST_STATUS); i++) {
        const char *code = code_name(LIST_STATUS, i);
        h_open_begin(b, "option");
        h_attr(b, "value", code);
        h_flag(b, "selected", f->status != NULL && strcmp(f->status, code) == 0);
        h_open_end(b);
        h_text(b, code_label(r, LIST_STATUS, code));
        h_close(b, "option");
    }
    h_raw(b, "</select>");
    if (detail) {
        code_select(r, b, "concern", MSG_CASE_CONCERNS, LIST_CONCERN, f->concern, MSG_FILTER_ANY);
        code_select(r, b, "risk", MSG_CASE_RISK, LIST_RISK, f->risk, MSG_FILTER_ANY);
        h_raw(b, "<label for=\"f-assigned_to\">");
        h_text(b, tr(r, MSG_CASE_ASSIGNED));
        h_raw(b, "</label><select id=\"f-assigned_to\" name=\"assigned_to\"><option value=\"\">");
        h_text(b, tr(r, MSG_FILTER_ANY));
        h_raw(b, "</option>");
        const char *me = r->actor != NULL ? r->actor->user.id : "";
        h_open_begin(b, "option");
        h_attr(b, "value", me);
        h_flag(b, "selected", f->assigned_to != NULL && strcmp(f->assigned_to, me) == 0);
        h_open_end(b);
        h_text(b, tr(r, MSG_CASES_ME));
        h_raw(b, "</option>");
        for (size_t i = 0; i < p->n; i++) {
            const struct user_rec *u = &p->users[i];
            const char *org = r->actor != NULL ? r->actor->user.organization_id : NULL;
            if (!case_assignable(u, org) || strcmp(u->id, me) == 0)
                continue;
            h_open_begin(b, "option");
            h_attr(b, "value", u->id);
            h_flag(b, "selected", f->assigned_to != NULL && strcmp(f->assigned_to, u->id) == 0);
            h_open_end(b);
            h_text(b, u->display_name != NULL ? u->display_name : u->username);
            h_raw(b, "</option>");
        }
        h_raw(b, "</select>");
        check_box(r, b, "urgent", MSG_FILTER_URGENT, f->urgent != NULL);
        check_box(r, b, "overdue", MSG_FILTER_OVERDUE, f->overdue != NULL);
    }
    h_raw(b, " <button type=\"submit\" id=\"filter-submit\">");
    h_text(b, tr(r, MSG_CASES_FILTER_BUTTON));
    h_raw(b, "</button></form>");
}

/* The next page: a link without a name, a POST button with one. */
static void more(struct req *r, struct resp *w, const struct list_filter *f, const char *q,
                 const char *cursor)
{
    struct buf *b = &w->body;
    if (q != NULL) {
        list_form_begin(r, w, "more-form", q);
        filter_hidden(b, f);
        h_hidden(b, "cursor", cursor);
        h_raw(b, "<button type=\"submit\" id=\"cases-more\">");
        h_text(b, tr(r, MSG_CASES_MORE));
        h_raw(b, "</button></form>");
        return;
    }
    struct buf qs = {0}, href = {0};
    filter_query(f, &qs);
    buf_puts(&href, "/cases?");
    if (qs.len > 0) {
        buf_puts(&href, qs.p);
        buf_putc(&href, '&');
    }
    buf_puts(&href, "cursor=");
    url_encode(&href, cursor);
    h_raw(b, "<p>");
    h_open(b, "a", "href", href.p, "id", "cases-more", H_END);
    h_text(b, tr(r, MSG_CASES_MORE));
    h_raw(b, "</a></p>");
    buf_free(&href);
    buf_free(&qs);
}

/* Whole days from an RFC 3339 time to now; -1 when it does not parse. */
static long days_since(const char *ts)
{
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    if (ts == NULL || sscanf(ts, "%4d-%2d-%2dT%2d:%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                             &tm.tm_hour, &tm.tm_min) != 5)
        return -1;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    time_t t = timegm(&tm), now = time(NULL);
    return now >= t ? (long)((now - t) / 86400) : 0;
}

/* The village (or the deepest place known) of a code. */
static void h_village(struct req *r, struct buf *b, const char *code)
{
    const struct places *all = r->app != NULL ? r->app->places : NULL;
    const struct place *p = (all != NULL && code != NULL) ? places_get(all, code) : NULL;
    h_text(b, p != NULL ? place_label(r, p) : code);
}

static void case_row(struct req *r, struct buf *b, const struct case_view *v,
                     const struct people *p, bool detail)
{
    const struct case_rec *c = &v->rec;
    struct buf href = {0};

    buf_puts(&href, "/cases/");
    url_encode(&href, c->id);
    h_open(b, "tr", "class", c->urgent ? "urgent-row" : NULL, H_END);
    h_raw(b, "<td>");
    h_open(b, "a", "href", href.p, "class", "code case", "data-code", c->code, H_END);
    h_text(b, c->code);
    h_raw(b, "</a> ");
    h_case_status(r, b, c->status);
    if (c->urgent) {
        h_raw(b, " ");
        h_badge(b, "urgent", NULL, tr(r, MSG_CASE_URGENT));
    }
    h_raw(b, "</td><td>");
    h_village(r, b, c->location_code);
    h_raw(b, "</td>");
    if (detail) {
        h_raw(b, "<td>");
        h_text(b, v->age_band[0] != '\0' ? code_label(r, LIST_AGE_GROUP, v->age_band) : "–");
        h_raw(b, "</td>");
    }
    h_raw(b, "<td class=\"concerns\">");
    h_case_concerns(r, b, c);
    h_raw(b, "</td><td class=\"num\">");
    long days = days_since(c->updated_at[0] != '\0' ? c->updated_at : c->created_at);
    if (days >= 0)
        h_int(b, days);
    h_raw(b, "</td>");
    if (detail) {
        h_raw(b, "<td>");
        const char *who = c->assigned_to[0] != '\0' ? person(r, p, c->assigned_to) : NULL;
        h_text(b, c->assigned_to[0] == '\0' ? tr(r, MSG_CASE_UNASSIGNED)
                                            : (who != NULL ? who : tr(r, MSG_CASE_ASSIGNED_OTHER)));
        h_raw(b, "</td>");
    }
    h_raw(b, "</tr>");
    buf_free(&href);
}

/* A compact table of cases. */
static void case_table(struct req *r, struct buf *b, const char *id, const struct case_view *items,
                       size_t n, const struct people *p, bool detail)
{
    h_open(b, "div", "class", "table-wrap", H_END);
    h_open(b, "table", "class", "cases", "id", id, H_END);
    h_raw(b, "<thead><tr><th>");
    h_text(b, tr(r, MSG_CASE_CODE));
    h_raw(b, "</th><th>");
    h_text(b, tr(r, MSG_VILLAGE));
    if (detail) {
        h_raw(b, "</th><th>");
        h_text(b, tr(r, MSG_CASES_AGE_BAND));
    }
    h_raw(b, "</th><th>");
    h_text(b, tr(r, MSG_CASE_CONCERNS));
    h_raw(b, "</th><th>");
    h_text(b, tr(r, MSG_CASES_DAYS_WAITING));
    if (detail) {
        h_raw(b, "</th><th>");
        h_text(b, tr(r, MSG_CASE_ASSIGNED));
    }
    h_raw(b, "</th></tr></thead><tbody>");
    for (size_t i = 0; i < n; i++)
        case_row(r, b, &items[i], p, detail);
    h_raw(b, "</tbody></table></div>");
}

static void people_load(const struct ctx *cx, struct people *p)
{
    p->users = NULL;
    p->n = 0;
    if (may(cx, ACT_USER_LIST) && user_list(cx, &p->users, &p->n) != ERR_OK) {
        p->users = NULL;
        p->n = 0;
    }
}

/* "My cases": the list the caller may see, with the filters f, from cursor
 * (NULL: the first page), and when q is not NULL only the cases whose
 * survivor bears the name q (the caller checked she may search). The name is
 * written only into form fields, never into a URL: the language links, the
 * filters' GET form and the case links carry none. */
static void cases_page(struct req *r, struct resp *w, const struct list_filter *f,
                       const char *cursor, const char *q)
{
    struct ctx cx = page_ctx(r);
    struct case_query cq = {.limit = 50,
                            .status = f->status,
                            .concern = f->concern,
                            .risk = f->risk,
                            .urgent = f->urgent,
                            .overdue = f->overdue,
                            .assigned_to = f->assigned_to,
                            .cursor = cursor,
                            .q = q,
                            .age_bands = true};
    struct case_view *items = NULL;
    struct fielderrs fe = {0};
    struct people p = {0};
    char next[CURSOR_SIZE] = "";
    size_t n = 0;
    struct buf self = {0}, qs = {0};
    struct buf *b = &w->body;

    bool detail = may(&cx, ACT_CASE_READ_DETAIL);
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
    if (detail)
        people_load(&cx, &p);

    /* The language links lead to the list without the name. */
    buf_puts(&self, "/cases");
    filter_query(f, &qs);
    if (qs.len > 0) {
        buf_putc(&self, '?');
        buf_puts(&self, qs.p);
    }
    page_begin(r, w, tr(r, MSG_CASES_TITLE), self.p);
    h_raw(b, "<h1>");
    h_text(b, tr(r, MSG_CASES_TITLE));
    h_raw(b, "</h1>");
    if (detail)
        name_search(r, w, q, f, bad_q);
    filters(r, w, f, q, &p, detail);
    if (q != NULL) {
        h_raw(b, "<p><a href=\"/cases\" id=\"search-clear\">");
        h_text(b, tr(r, MSG_BACK_TO_CASES));
        h_raw(b, "</a></p>");
    }
    if (n == 0)
        h_para(b, "empty", "cases-empty", NULL,
               tr(r, q != NULL && !bad_q ? MSG_CASES_SEARCH_NONE : MSG_CASES_EMPTY));
    else
        case_table(r, b, "case-list", items, n, &p, detail);
    if (next[0] != '\0')
        more(r, w, f, q, next);
    page_end(r, w);
out:
    buf_free(&self);
    buf_free(&qs);
    user_list_free(p.users, p.n);
    case_views_free(items, n);
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
 * bookmark still opens the list, and the name is echoed nowhere.) Unknown
 * filter values are ignored the same way. */
void web_cases(struct req *r, struct resp *w)
{
    struct list_filter f;
    filter_read(r, req_query, &f);
    cases_page(r, w, &f, cursor_param(req_query(r, "cursor")), NULL);
}

/* POST /cases/search (form fields q, the filters, cursor; the server
 * checked csrf): the result list itself, not a redirect, so the name stays
 * in the body. 403 for roles that may not see names, before anything is
 * read. An empty box searches nothing: the ordinary list. */
void web_cases_search(struct req *r, struct resp *w)
{
    struct ctx cx = page_ctx(r);
    struct list_filter f;
    if (!may(&cx, ACT_CASE_READ_DETAIL)) {
        page_fail(r, w, ERR_FORBIDDEN);
        return;
    }
    const char *q = req_form(r, "q");
    if (q != NULL && q[strspn(q, " \t")] == '\0')
        q = NULL;
    filter_read(r, req_form, &f);
    cases_page(r, w, &f, cursor_param(req_form(r, "cursor")), q);
}

/* One section of the queue: the cases of one status. */
static enum err queue_section(struct req *r, struct buf *b, const char *status, const char *id,
                              enum msg title, enum msg empty, const struct people *p)
{
    struct ctx cx = page_ctx(r);
    struct case_query cq = {.limit = 100, .status = status, .age_bands = true};
    struct case_view *items = NULL;
    struct fielderrs fe = {0};
    char next[CURSOR_SIZE] = "";
    size_t n = 0;
    enum err e = case_list(&cx, &cq, &items, &n, next, &fe);
    if (e != ERR_OK)
        return e;
    char hid[48];
    snprintf(hid, sizeof hid, "h-%s", id);
    h_open(b, "h2", "id", hid, H_END);
    h_text(b, tr(r, title));
    h_raw(b, " <span class=\"count\">");
    h_int(b, (long)n);
    if (next[0] != '\0')
        h_raw(b, "+");
    h_raw(b, "</span></h2>");
    if (n == 0)
        h_para(b, "empty", NULL, NULL, tr(r, empty));
    else
        case_table(r, b, id, items, n, p, true);
    case_views_free(items, n);
    return ERR_OK;
}

/* GET /queue: what waits for a supervisor. */
void web_queue(struct req *r, struct resp *w)
{
    struct ctx cx = page_ctx(r);
    struct people p = {0};
    struct buf *b = &w->body;

    if (!may(&cx, ACT_CASE_QUEUE)) {
        page_fail(r, w, ERR_FORBIDDEN);
        return;
    }
    people_load(&cx, &p);
    page_begin(r, w, tr(r, MSG_QUEUE_TITLE), "/queue");
    h_raw(b, "<h1>");
    h_text(b, tr(r, MSG_QUEUE_TITLE));
    h_raw(b, "</h1>");
    enum err e = queue_section(r, b, "reported", "queue-assign", MSG_QUEUE_TO_ASSIGN,
                               MSG_QUEUE_NONE_TO_ASSIGN, &p);
    if (e == ERR_OK)
        e = queue_section(r, b, "closure_requested", "queue-closure", MSG_QUEUE_TO_APPROVE,
                          MSG_QUEUE_NONE_TO_APPROVE, &p);
    if (e != ERR_OK)
        page_fail(r, w, e);
    else
        page_end(r, w);
    user_list_free(p.users, p.n);
}
