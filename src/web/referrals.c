/* The referral pages: the list the caller may see (GET /referrals, a
 * provider's inbox or the referrals of a caseworker's or supervisor's
 * cases, with a status filter and ?overdue=true), one referral (GET
 * /referrals/{id}: what its mask shows, its history, the forms of the moves
 * the view allows; POST /referrals/{id} makes one), its printable slip (GET
 * /referrals/{id}/slip, for the sender's staff: RP_SLIP) and a provider's
 * slip check (GET and POST /referrals/verify). What a caller sees and may
 * do is the domain's referral_view (mask, can_*): nothing is decided here. */
#include "web/case_page.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/referrals.h"
#include "domain/scope.h"
#include "util/alloc.h"

/* ---- the list ---- */

static const char *status_param(const char *s)
{
    return (s != NULL && code_parse(LIST_REFERRAL_STATUS, s) >= 0) ? s : NULL;
}

/* "/referrals?status=...&overdue=true" for the filters set (and the cursor). */
static void list_url(struct buf *u, const char *status, bool overdue, const char *cursor)
{
    char sep = '?';
    buf_puts(u, "/referrals");
    if (status != NULL) {
        buf_putc(u, sep);
        buf_puts(u, "status=");
        url_encode(u, status);
        sep = '&';
    }
    if (overdue) {
        buf_putc(u, sep);
        buf_puts(u, "overdue=true");
        sep = '&';
    }
    if (cursor != NULL) {
        buf_putc(u, sep);
        buf_puts(u, "cursor=");
        url_encode(u, cursor);
    }
}

static void list_filters(struct req *r, struct buf *b, const char *status, bool overdue)
{
    h_raw(b,
          "<form method=\"get\" autocomplete=\"off\" action=\"/referrals\" id=\"referral-filter\" "
          "class=\"inline filters\"><label for=\"r-status\">");
    h_text(b, tr(r, MSG_CASES_FILTER));
    h_raw(b, "</label><select id=\"r-status\" name=\"status\" data-autosubmit><option value=\"\">");
    h_text(b, tr(r, MSG_REFERRALS_ALL));
    h_raw(b, "</option>");
    for (int i = 0; i < code_count(LIST_REFERRAL_STATUS); i++) {
        const char *code = code_name(LIST_REFERRAL_STATUS, i);
        h_open_begin(b, "option");
        h_attr(b, "value", code);
        h_flag(b, "selected", same_text(status, code));
        h_open_end(b);
        h_text(b, code_label(r, LIST_REFERRAL_STATUS, code));
        h_raw(b, "</option>");
    }
    h_raw(b, "</select><label class=\"check\"><input type=\"checkbox\" name=\"overdue\" "
             "value=\"true\" id=\"r-overdue\"");
    h_flag(b, "checked", overdue);
    h_raw(b, "> ");
    h_text(b, tr(r, MSG_REFERRALS_OVERDUE_ONLY));
    h_raw(b, "</label> <button type=\"submit\" id=\"referral-filter-submit\">");
    h_text(b, tr(r, MSG_CASES_FILTER_BUTTON));
    h_raw(b, "</button></form>");
}

void web_referrals(struct req *r, struct resp *w)
{
    struct ctx cx = page_ctx(r);
    struct buf *b = &w->body;
    struct referral_view *items = NULL;
    struct fielderrs fe = {0};
    char next[CURSOR_SIZE] = "";
    size_t n = 0;
    struct buf self = {0};

    const char *status = status_param(req_query(r, "status"));
    bool overdue = same_text(req_query(r, "overdue"), "true");
    const char *cursor = req_query(r, "cursor");
    if (cursor != NULL && (*cursor == '\0' || strlen(cursor) >= CURSOR_SIZE))
        cursor = NULL;
    struct referral_query q = {
        .status = status, .overdue = overdue ? "true" : NULL, .cursor = cursor, .limit = 50};
    enum err e = referral_list(&cx, &q, &items, &n, next, &fe);
    if (e == ERR_VALIDATION && cursor != NULL) {
        /* A stale cursor: the first page. */
        q.cursor = NULL;
        e = referral_list(&cx, &q, &items, &n, next, &fe);
    }
    if (e != ERR_OK) {
        page_fail(r, w, e == ERR_VALIDATION ? ERR_BAD_REQUEST : e);
        return;
    }
    list_url(&self, status, overdue, NULL);
    enum msg title = overdue ? MSG_REFERRALS_OVERDUE_TITLE : MSG_REFERRALS_TITLE;
    page_begin(r, w, tr(r, title), self.p);
    h_raw(b, "<h1 id=\"referrals-title\">");
    h_text(b, tr(r, title));
    h_raw(b, "</h1>");
    if (may(&cx, ACT_REFERRAL_INBOX))
        h_para(b, "hint", NULL, NULL, tr(r, MSG_REFERRALS_INBOX_HINT));
    list_filters(r, b, status, overdue);
    h_raw(b, "<ul class=\"links\">");
    if (!overdue) {
        h_raw(b, "<li><a href=\"/referrals?overdue=true\" id=\"link-overdue\">");
        h_text(b, tr(r, MSG_REFERRALS_OVERDUE_TITLE));
        h_raw(b, "</a></li>");
    } else {
        h_raw(b, "<li><a href=\"/referrals\" id=\"link-all\">");
        h_text(b, tr(r, MSG_REFERRALS_TITLE));
        h_raw(b, "</a></li>");
    }
    if (may(&cx, ACT_SLIP_VERIFY)) {
        h_raw(b, "<li><a href=\"/referrals/verify\" id=\"link-verify\">");
        h_text(b, tr(r, MSG_VERIFY_TITLE));
        h_raw(b, "</a></li>");
    }
    h_raw(b, "</ul>");
    if (n == 0)
        h_para(b, "empty", "referrals-empty", NULL, tr(r, MSG_REFERRALS_NONE));
    else
        h_referral_table(r, b, "referral-list", items, n, true);
    if (next[0] != '\0') {
        struct buf more = {0};
        list_url(&more, status, overdue, next);
        h_raw(b, "<p>");
        h_open(b, "a", "href", more.p, "id", "referrals-more", H_END);
        h_text(b, tr(r, MSG_CASES_MORE));
        h_raw(b, "</a></p>");
        buf_free(&more);
    }
    page_end(r, w);
    buf_free(&self);
    referral_views_free(items, n);
}

/* ---- one referral ---- */

/* How the referral page is shown again after one of its forms was sent. */
struct referral_page_opts {
    int status;       /* 422, 409; 0: 200 */
    const char *form; /* "accept", "decline", "complete", "withdraw"; NULL: none */
    enum msg problem; /* 0: none */
    bool resumed;
};

static const struct {
    const char *status, *form, *ok;
    enum msg title, button, note;
    bool note_required;
} moves[] = {
    {"accepted", "accept", "accepted", MSG_REFERRAL_ACCEPT_TITLE, MSG_REFERRAL_ACCEPT, 0, false},
    {"declined", "decline", "declined", MSG_REFERRAL_DECLINE_TITLE, MSG_REFERRAL_DECLINE,
     MSG_REFERRAL_DECLINE_REASON, true},
    {"completed", "complete", "completed", MSG_REFERRAL_COMPLETE_TITLE, MSG_REFERRAL_COMPLETE,
     MSG_REFERRAL_OUTCOME, true},
    {"withdrawn", "withdraw", "withdrawn", MSG_REFERRAL_WITHDRAW_TITLE, MSG_REFERRAL_WITHDRAW,
     MSG_REFERRAL_WITHDRAW_NOTE, false},
};
#define NMOVES (sizeof moves / sizeof moves[0])

static const struct {
    const char *code;
    enum msg msg;
} ok_notices[] = {
    {"accepted", MSG_OK_REFERRAL_ACCEPTED},
    {"declined", MSG_OK_REFERRAL_DECLINED},
    {"completed", MSG_OK_REFERRAL_COMPLETED},
    {"withdrawn", MSG_OK_REFERRAL_WITHDRAWN},
};

static void dt(struct req *r, struct buf *b, enum msg label, const char *dd_id)
{
    h_raw(b, "<dt>");
    h_text(b, tr(r, label));
    h_raw(b, "</dt>");
    h_open(b, "dd", "id", dd_id, H_END);
}

static bool has(const char *s)
{
    return s != NULL && *s != '\0';
}

static void facts(struct req *r, struct buf *b, const struct referral_view *v)
{
    const struct referral_rec *f = &v->rec;
    h_raw(b, "<dl class=\"facts\" id=\"referral\">");
    dt(r, b, MSG_CASE_CODE, "ref-code");
    h_raw(b, "<span class=\"code\">");
    h_text(b, f->case_code);
    h_raw(b, "</span></dd>");
    dt(r, b, MSG_SEX, "ref-sex");
    h_text(b, has(v->survivor_sex) ? code_label(r, LIST_SEX, v->survivor_sex) : "–");
    h_raw(b, "</dd>");
    dt(r, b, MSG_CASES_AGE_BAND, "ref-age");
    h_text(b, has(v->age_band) ? code_label(r, LIST_AGE_GROUP, v->age_band) : "–");
    h_raw(b, "</dd>");
    dt(r, b, MSG_CASE_CONCERNS, "ref-concerns");
    for (int i = 0; i < v->nconcerns && i < CONCERNS_MAX; i++) {
        if (i > 0)
            h_raw(b, ", ");
        h_text(b, code_label(r, LIST_CONCERN, v->concerns[i]));
    }
    h_raw(b, "</dd>");
    dt(r, b, MSG_REFERRAL_SERVICE, "ref-service");
    h_text(b, has(v->service_name) ? v->service_name : f->service_id);
    h_raw(b, " <small>");
    h_text(b, code_label(r, LIST_SERVICE_TYPE, f->service_type));
    h_raw(b, "</small></dd>");
    dt(r, b, MSG_REFERRAL_ORG, "ref-org");
    h_text(b, has(v->organization_name) ? v->organization_name : f->organization_id);
    h_raw(b, "</dd>");
    dt(r, b, MSG_REFER_URGENCY, "ref-urgency");
    if (strcmp(f->urgency, "urgent") == 0)
        h_badge(b, "urgent", NULL, code_label(r, LIST_URGENCY, f->urgency));
    else
        h_text(b, code_label(r, LIST_URGENCY, f->urgency));
    h_raw(b, "</dd>");
    dt(r, b, MSG_REFERRAL_STATUS, "ref-status");
    h_referral_status(r, b, f->status);
    h_raw(b, "</dd>");
    dt(r, b, MSG_REFERRAL_SENT, "ref-sent");
    h_datetime(b, f->created_at);
    if (has(v->sender_name)) {
        h_raw(b, " · ");
        h_text(b, v->sender_name);
    }
    h_raw(b, "</dd>");
    dt(r, b, MSG_REFERRAL_DUE, "ref-due");
    h_datetime(b, f->due_at);
    if (v->overdue) {
        h_raw(b, " ");
        h_badge(b, "urgent overdue", "ref-overdue", tr(r, MSG_REFERRAL_OVERDUE));
    }
    h_raw(b, "</dd>");
    if (v->mask & RP_REASON) {
        dt(r, b, MSG_REFER_REASON, "ref-reason");
        h_raw(b, "<span class=\"body\">");
        h_text(b, v->reason);
        h_raw(b, "</span></dd>");
    }
    if (f->consent_override) {
        dt(r, b, MSG_REFERRAL_OVERRIDE, "ref-override");
        h_badge(b, "urgent", NULL, tr(r, MSG_REFERRAL_OVERRIDE_MARK));
        if (has(v->override_reason)) {
            h_raw(b, " <span class=\"body\">");
            h_text(b, v->override_reason);
            h_raw(b, "</span>");
        }
        h_raw(b, "</dd>");
    }
    h_raw(b, "</dl>");
}

static void identity(struct req *r, struct buf *b, const struct referral_view *v)
{
    h_raw(b, "<h2 id=\"h-identity\">");
    h_text(b, tr(r, MSG_SURVIVOR));
    h_raw(b, "</h2>");
    if (!v->has_identity) {
        h_para(b, "note", "identity-hidden", NULL, tr(r, MSG_REFERRAL_IDENTITY_HIDDEN));
        return;
    }
    const struct referral_identity *id = &v->identity;
    h_raw(b, "<dl class=\"facts\" id=\"ref-identity\">");
    if (has(id->name_km)) {
        dt(r, b, MSG_NAME_KM, "ref-name-km");
        h_raw(b, "<span lang=\"km\">");
        h_text(b, id->name_km);
        h_raw(b, "</span></dd>");
    }
    if (has(id->name_latn)) {
        dt(r, b, MSG_NAME_LATN, "ref-name-latn");
        h_raw(b, "<span lang=\"en\">");
        h_text(b, id->name_latn);
        h_raw(b, "</span></dd>");
    }
    if (has(id->phone)) {
        dt(r, b, MSG_PHONE, "ref-phone");
        h_text(b, id->phone);
        h_raw(b, "</dd>");
    }
    if (has(id->birth_date)) {
        dt(r, b, MSG_BIRTH_DATE, "ref-birth-date");
        h_text(b, id->birth_date);
        h_raw(b, "</dd>");
    }
    if (has(id->address_text)) {
        dt(r, b, MSG_ADDRESS, "ref-address");
        h_text(b, id->address_text);
        h_raw(b, "</dd>");
    }
    h_raw(b, "</dl>");
}

static void history(struct req *r, struct buf *b, const struct referral_view *v)
{
    h_raw(b, "<h2 id=\"h-history\">");
    h_text(b, tr(r, MSG_REFERRAL_HISTORY));
    h_raw(b, "</h2><ol class=\"timeline\" id=\"referral-history\">");
    for (size_t i = 0; i < v->nmoves; i++) {
        const struct referral_move *m = &v->moves[i];
        h_open(b, "li", "data-status", m->rec.status, H_END);
        h_raw(b, "<span class=\"when\">");
        h_datetime(b, m->rec.at);
        h_raw(b, "</span> <span class=\"who\">");
        h_text(b, has(m->user_name) ? m->user_name : tr(r, MSG_EV_SYSTEM));
        h_raw(b, "</span> <span class=\"what\">");
        h_text(b, code_label(r, LIST_REFERRAL_STATUS, m->rec.status));
        h_raw(b, "</span>");
        if (has(m->note)) {
            h_raw(b, "<span class=\"text\">");
            h_text(b, m->note);
            h_raw(b, "</span>");
        }
        h_raw(b, "</li>");
    }
    h_raw(b, "</ol>");
}

static void move_form(struct req *r, struct resp *w, const struct referral_view *v, size_t k,
                      const struct referral_page_opts *o)
{
    struct buf *b = &w->body;
    struct buf action = {0};
    char id[32], version[16], note_id[32], button[32];
    bool sent = o != NULL && same_text(o->form, moves[k].form);
    snprintf(id, sizeof id, "%s-form", moves[k].form);
    snprintf(note_id, sizeof note_id, "%s-note", moves[k].form);
    snprintf(button, sizeof button, "%s-submit", moves[k].form);
    snprintf(version, sizeof version, "%d", v->rec.version);
    buf_puts(&action, "/referrals/");
    url_encode(&action, v->rec.id);
    h_open(b, "form", "method", "post", "action", action.p, "id", id, "class", "stack action",
           H_END);
    page_csrf(r, w);
    h_hidden(b, "version", version);
    h_hidden(b, "status", moves[k].status);
    h_raw(b, "<h3>");
    h_text(b, tr(r, moves[k].title));
    h_raw(b, "</h3>");
    if (sent && o->problem != 0) {
        char err[40];
        snprintf(err, sizeof err, "err-%s", moves[k].form);
        h_para(b, "error", err, "alert", tr(r, o->problem));
    }
    if (sent && o->resumed)
        form_resumed_notice(r, b);
    if (moves[k].note != 0) {
        h_label(r, b, note_id, moves[k].note, !moves[k].note_required);
        h_open_begin(b, "textarea");
        h_attr(b, "id", note_id);
        h_attr(b, "name", "note");
        h_attr(b, "rows", "3");
        h_attr(b, "maxlength", "4000");
        h_open_end(b);
        h_text(b, sent ? req_form(r, "note") : NULL);
        h_raw(b, "</textarea>");
    }
    h_open(b, "button", "type", "submit", "id", button, "class",
           strcmp(moves[k].status, "accepted") == 0 || strcmp(moves[k].status, "completed") == 0
               ? NULL
               : "secondary",
           H_END);
    h_text(b, tr(r, moves[k].button));
    h_raw(b, "</button></form>");
    buf_free(&action);
}

static void referral_page(struct req *r, struct resp *w, const char *id,
                          const struct referral_page_opts *o)
{
    struct ctx cx = page_ctx(r);
    struct referral_view v;
    struct buf *b = &w->body;
    struct buf self = {0}, href = {0};

    if (id == NULL) {
        page_fail(r, w, ERR_NOT_FOUND);
        return;
    }
    enum err e = referral_get(&cx, id, &v);
    if (e != ERR_OK) {
        page_fail(r, w, e);
        return;
    }
    if (o != NULL && o->status != 0)
        w->status = o->status;
    buf_puts(&self, "/referrals/");
    url_encode(&self, v.rec.id);
    char *title = text_sub(tr(r, MSG_REFERRAL_TITLE), v.rec.case_code);
    page_begin(r, w, title, self.p);
    free(title);
    const char *ok = req_query(r, "ok");
    for (size_t i = 0; ok != NULL && i < sizeof ok_notices / sizeof ok_notices[0]; i++)
        if (strcmp(ok, ok_notices[i].code) == 0)
            page_notice(b, "done-notice", tr(r, ok_notices[i].msg));
    if (o != NULL && o->problem != 0 && o->form == NULL)
        h_para(b, "error", "referral-error", "alert", tr(r, o->problem));
    h_raw(b, "<h1 id=\"referral-title\">");
    h_text_sub(b, tr(r, MSG_REFERRAL_TITLE), v.rec.case_code);
    h_raw(b, "</h1>");
    facts(r, b, &v);
    if (v.mask & RP_SLIP) {
        h_raw(b, "<ul class=\"links\" id=\"referral-links\"><li>");
        buf_reset(&href);
        buf_puts(&href, "/referrals/");
        url_encode(&href, v.rec.id);
        buf_puts(&href, "/slip");
        h_open(b, "a", "href", href.p, "id", "link-slip", H_END);
        h_text(b, tr(r, MSG_SLIP_LINK));
        h_raw(b, "</a></li><li>");
        buf_reset(&href);
        buf_puts(&href, "/cases/");
        url_encode(&href, v.rec.case_id);
        h_open(b, "a", "href", href.p, "id", "link-case", H_END);
        h_text(b, tr(r, MSG_REFERRAL_CASE_LINK));
        h_raw(b, "</a></li></ul>");
    }
    identity(r, b, &v);
    const bool can[NMOVES] = {v.can_accept, v.can_decline, v.can_complete, v.can_withdraw};
    bool any = false;
    for (size_t k = 0; k < NMOVES; k++)
        any = any || can[k];
    if (any) {
        h_raw(b, "<h2 id=\"h-moves\">");
        h_text(b, tr(r, MSG_ACTIONS));
        h_raw(b, "</h2>");
        for (size_t k = 0; k < NMOVES; k++)
            if (can[k])
                move_form(r, w, &v, k, o);
    }
    if (v.mask & RP_HISTORY)
        history(r, b, &v);
    h_raw(b, "<p><a href=\"/referrals\" id=\"back-to-referrals\">");
    h_text(b, tr(r, MSG_BACK_TO_REFERRALS));
    h_raw(b, "</a></p>");
    page_end(r, w);
    buf_free(&self);
    buf_free(&href);
    referral_view_free(&v);
}

void web_referral_show(struct req *r, struct resp *w)
{
    referral_page(r, w, page_id(r), NULL);
}

void web_referral_show_resume(struct req *r, struct resp *w)
{
    struct referral_page_opts o = {.resumed = true};
    const char *status = req_form(r, "status");
    for (size_t k = 0; k < NMOVES; k++)
        if (same_text(status, moves[k].status))
            o.form = moves[k].form;
    referral_page(r, w, page_id(r), &o);
}

/* POST /referrals/{id}: one move (version, status, note), answered with a
 * 303 to the referral page, or the page again with the problem. */
void web_referral_move(struct req *r, struct resp *w)
{
    struct ctx cx = page_ctx(r);
    struct fielderrs fe = {0};
    struct referral_patch_in in;
    struct referral_view out;
    const char *id = page_id(r);

    if (id == NULL) {
        page_fail(r, w, ERR_NOT_FOUND);
        return;
    }
    referral_patch_in_init(&in);
    memset(&out, 0, sizeof out);
    form_fields(r, &referral_patch_fields, &in, &fe);
    enum err e = fe.n > 0 ? ERR_VALIDATION : referral_update(&cx, id, &in, &out, &fe);
    size_t k = 0;
    while (k < NMOVES && !same_text(in.status, moves[k].status))
        k++;
    struct referral_page_opts o = {.form = k < NMOVES ? moves[k].form : NULL};
    switch (e) {
    case ERR_OK: {
        struct buf to = {0};
        buf_puts(&to, "/referrals/");
        url_encode(&to, id);
        buf_puts(&to, "?ok=");
        buf_puts(&to, k < NMOVES ? moves[k].ok : "updated");
        resp_redirect(w, to.p);
        buf_free(&to);
        break;
    }
    case ERR_VALIDATION:
        o.status = 422;
        if (fielderr_get(&fe, "note") != NULL && k < NMOVES && moves[k].note_required)
            o.problem = strcmp(moves[k].status, "declined") == 0 ? MSG_ERR_DECLINE_REASON
                                                                 : MSG_ERR_COMPLETE_OUTCOME;
        else
            o.problem = MSG_ERR_REFERRAL_FORM;
        if (o.form == NULL)
            o.problem = MSG_ERR_REFERRAL_MOVE;
        referral_page(r, w, id, &o);
        break;
    case ERR_CONFLICT:
        /* Stale, or a move the referral no longer allows: the page as it
         * is now, the problem at the top. */
        o.status = 409;
        o.form = NULL;
        o.problem =
            fielderr_get(&fe, "version") != NULL ? MSG_ERR_REFERRAL_STALE : MSG_ERR_REFERRAL_MOVE;
        referral_page(r, w, id, &o);
        break;
    default:
        page_fail(r, w, e);
        break;
    }
    referral_view_free(&out);
}

/* ---- the slip ---- */

/* A label in Khmer and in English, whatever the page's language: the slip
 * goes to a service that may read either. */
static void both(struct buf *b, enum msg m)
{
    h_raw(b, "<span lang=\"km\">");
    h_text(b, i18n_text(LANG_KM, m));
    h_raw(b, "</span> <span lang=\"en\" class=\"en\">");
    h_text(b, i18n_text(LANG_EN, m));
    h_raw(b, "</span>");
}

static void slip_row(struct buf *b, enum msg label, const char *id)
{
    h_raw(b, "<dt>");
    both(b, label);
    h_raw(b, "</dt>");
    h_open(b, "dd", "id", id, H_END);
}

/* GET /referrals/{id}/slip: for those with RP_SLIP (the sender's staff);
 * everybody else 404, as for a referral she may not see. */
void web_referral_slip(struct req *r, struct resp *w)
{
    struct ctx cx = page_ctx(r);
    struct referral_view v;
    struct buf *b = &w->body;
    const char *id = page_id(r);

    if (id == NULL) {
        page_fail(r, w, ERR_NOT_FOUND);
        return;
    }
    enum err e = referral_get(&cx, id, &v);
    if (e == ERR_OK && !(v.mask & RP_SLIP))
        e = ERR_NOT_FOUND;
    if (e != ERR_OK) {
        page_fail(r, w, e);
        referral_view_free(&v);
        return;
    }
    struct buf self = {0}, back = {0};
    buf_puts(&back, "/referrals/");
    url_encode(&back, v.rec.id);
    buf_puts(&self, back.p);
    buf_puts(&self, "/slip");
    w->cacheable = false;
    page_begin(r, w, tr(r, MSG_SLIP_TITLE), self.p);
    h_raw(b, "<p class=\"no-print\">");
    h_open(b, "a", "href", back.p, "id", "slip-back", H_END);
    h_text_sub(b, tr(r, MSG_REFERRAL_TITLE), v.rec.case_code);
    h_raw(b, "</a> <button type=\"button\" class=\"secondary small\" id=\"slip-print\" "
             "data-print>");
    h_text(b, tr(r, MSG_SLIP_PRINT));
    h_raw(b, "</button></p>");
    h_raw(b, "<article class=\"slip\" id=\"slip\"><h1>");
    both(b, MSG_SLIP_TITLE);
    h_raw(b, "</h1><dl class=\"facts\">");
    slip_row(b, MSG_CASE_CODE, "slip-case-code");
    h_raw(b, "<span class=\"code\">");
    h_text(b, v.rec.case_code);
    h_raw(b, "</span></dd>");
    if (v.has_identity && (has(v.identity.name_km) || has(v.identity.name_latn))) {
        slip_row(b, MSG_SLIP_NAME, "slip-name");
        if (has(v.identity.name_km)) {
            h_raw(b, "<span lang=\"km\">");
            h_text(b, v.identity.name_km);
            h_raw(b, "</span> ");
        }
        if (has(v.identity.name_latn)) {
            h_raw(b, "<span lang=\"en\">");
            h_text(b, v.identity.name_latn);
            h_raw(b, "</span>");
        }
        h_raw(b, "</dd>");
    }
    slip_row(b, MSG_REFERRAL_SERVICE, "slip-service");
    h_text(b, has(v.service_name) ? v.service_name : v.rec.service_id);
    h_raw(b, " (<span lang=\"km\">");
    h_text(b, code_label_in(LANG_KM, LIST_SERVICE_TYPE, v.rec.service_type));
    h_raw(b, "</span> / <span lang=\"en\">");
    h_text(b, code_label_in(LANG_EN, LIST_SERVICE_TYPE, v.rec.service_type));
    h_raw(b, "</span>)</dd>");
    slip_row(b, MSG_REFERRAL_ORG, "slip-org");
    h_text(b, has(v.organization_name) ? v.organization_name : v.rec.organization_id);
    h_raw(b, "</dd>");
    slip_row(b, MSG_SLIP_CASEWORKER, "slip-caseworker");
    h_text(b, has(v.sender_name) ? v.sender_name : "–");
    h_raw(b, "</dd>");
    slip_row(b, MSG_SLIP_CONTACT, "slip-contact");
    h_text(b, has(v.contact) ? v.contact : "–");
    h_raw(b, "</dd>");
    slip_row(b, MSG_SLIP_DATE, "slip-date");
    h_date(b, v.rec.created_at);
    h_raw(b, "</dd>");
    slip_row(b, MSG_SLIP_CODE, "slip-verification");
    char shown[SLIP_CODE_LEN + 2];
    snprintf(shown, sizeof shown, "%.4s-%.4s", v.slip_code, v.slip_code + 4);
    h_raw(b, "<span class=\"slip-code\">");
    h_text(b, shown);
    h_raw(b, "</span></dd></dl><p class=\"slip-how\">");
    both(b, MSG_SLIP_HOW);
    h_raw(b, "</p></article>");
    page_end(r, w);
    buf_free(&self);
    buf_free(&back);
    referral_view_free(&v);
}

/* ---- checking a slip ---- */

enum verify_outcome { VERIFY_NONE, VERIFY_VALID, VERIFY_INVALID, VERIFY_LOCKED, VERIFY_BAD };

static void verify_page(struct req *r, struct resp *w, enum verify_outcome out,
                        const struct referral_view *v)
{
    struct buf *b = &w->body;
    page_begin(r, w, tr(r, MSG_VERIFY_TITLE), "/referrals/verify");
    h_raw(b, "<h1>");
    h_text(b, tr(r, MSG_VERIFY_TITLE));
    h_raw(b, "</h1>");
    switch (out) {
    case VERIFY_VALID: {
        struct buf href = {0};
        buf_puts(&href, "/referrals/");
        url_encode(&href, v->rec.id);
        h_raw(b, "<div class=\"notice\" id=\"verify-valid\" role=\"status\"><p>");
        h_text_sub(b, tr(r, MSG_VERIFY_VALID), v->rec.case_code);
        h_raw(b, "</p><p>");
        h_open(b, "a", "href", href.p, "id", "verify-referral", H_END);
        h_text_sub(b, tr(r, MSG_REFERRAL_TITLE), v->rec.case_code);
        h_raw(b, "</a></p></div>");
        buf_free(&href);
        break;
    }
    case VERIFY_INVALID:
        h_para(b, "error", "verify-invalid", "alert", tr(r, MSG_VERIFY_INVALID));
        break;
    case VERIFY_LOCKED:
        h_para(b, "error", "verify-locked", "alert", tr(r, MSG_VERIFY_LOCKED));
        break;
    case VERIFY_BAD:
        h_para(b, "error", "verify-error", "alert", tr(r, MSG_VERIFY_BAD));
        break;
    case VERIFY_NONE:
        break;
    }
    h_para(b, "hint", NULL, NULL, tr(r, MSG_VERIFY_INTRO));
    h_raw(b, "<form method=\"post\" autocomplete=\"off\" action=\"/referrals/verify\" "
             "id=\"verify-form\" "
             "class=\"stack action\">");
    page_csrf(r, w);
    h_label(r, b, "verify-case", MSG_VERIFY_CASE_CODE, false);
    h_open_begin(b, "input");
    h_attr(b, "id", "verify-case");
    h_attr(b, "name", "case_code");
    h_attr(b, "maxlength", "31");
    h_attr(b, "autocapitalize", "characters");
    h_attr(b, "autocomplete", "off");
    h_attr(b, "spellcheck", "false");
    h_attr(b, "required", "");
    h_attr(b, "value", out != VERIFY_VALID ? req_form(r, "case_code") : NULL);
    h_open_end(b);
    h_label(r, b, "verify-code", MSG_VERIFY_CODE, false);
    h_open_begin(b, "input");
    h_attr(b, "id", "verify-code");
    h_attr(b, "name", "code");
    h_attr(b, "maxlength", "32");
    h_attr(b, "autocapitalize", "characters");
    h_attr(b, "autocomplete", "off");
    h_attr(b, "spellcheck", "false");
    h_attr(b, "placeholder", "XXXX-XXXX");
    h_attr(b, "required", "");
    h_open_end(b);
    h_raw(b, "<button type=\"submit\" id=\"verify-submit\">");
    h_text(b, tr(r, MSG_VERIFY_SUBMIT));
    h_raw(b, "</button></form>");
    page_end(r, w);
}

void web_slip_verify_form(struct req *r, struct resp *w)
{
    if (!may_act(r, ACT_SLIP_VERIFY)) {
        page_fail(r, w, ERR_FORBIDDEN);
        return;
    }
    verify_page(r, w, VERIFY_NONE, NULL);
}

/* POST /referrals/verify: the answer is this page (a check writes only its
 * try, and the codes stay out of every URL). */
void web_slip_verify(struct req *r, struct resp *w)
{
    struct ctx cx = page_ctx(r);
    struct fielderrs fe = {0};
    struct slip_verify_in in = {0};
    struct referral_view v;
    bool valid = false;

    memset(&v, 0, sizeof v);
    if (!may(&cx, ACT_SLIP_VERIFY)) {
        page_fail(r, w, ERR_FORBIDDEN);
        return;
    }
    form_fields(r, &slip_verify_fields, &in, &fe);
    enum err e = fe.n > 0 ? ERR_VALIDATION : fields_check(&cx, &slip_verify_fields, &in, &fe);
    if (e == ERR_OK)
        e = slip_verify(&cx, in.case_code, in.code, &valid, &v);
    switch (e) {
    case ERR_OK:
        verify_page(r, w, valid ? VERIFY_VALID : VERIFY_INVALID, &v);
        break;
    case ERR_VALIDATION:
        w->status = 422;
        verify_page(r, w, VERIFY_BAD, NULL);
        break;
    case ERR_RATE_LIMITED:
        w->status = 429;
        verify_page(r, w, VERIFY_LOCKED, NULL);
        break;
    default:
        page_fail(r, w, e);
        break;
    }
    referral_view_free(&v);
}
