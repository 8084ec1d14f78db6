/* One case: GET /cases/{id}. What everybody who may read it sees (code,
 * status, concerns, the place with its levels, dates), and for the case
 * team (ACT_CASE_READ_DETAIL) the assessment, the survivor, her incidents,
 * screenings, notes and tasks, the whole timeline, and the forms of the
 * actions the caller may take now. Which forms are offered is asked of the
 * permission table (may()) and the case's status; the domain decides again
 * when a form is sent. The forms post to web/case_actions.c, which answers
 * with a redirect back here (?ok=...), or with this page again carrying the
 * form's problem (case_page() with a struct case_page_opts). */
#include "web/case_page.h"

#include "domain/agencies.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "app.h"
#include "domain/cases.h"
#include "domain/casework.h"
#include "domain/scope.h"
#include "domain/users.h"
#include "util/alloc.h"
#include "util/clock.h"

/* The notices of ?ok= after a form was sent. */
static const struct {
    const char *code;
    enum msg msg;
} ok_notices[] = {
    {"updated", MSG_OK_UPDATED},   {"assigned", MSG_OK_ASSIGNED},
    {"closure", MSG_OK_CLOSURE},   {"closed", MSG_OK_CLOSED},
    {"reopened", MSG_OK_REOPENED}, {"note", MSG_OK_NOTE},
    {"task", MSG_OK_TASK},         {"task_done", MSG_OK_TASK_DONE},
    {"incident", MSG_OK_INCIDENT}, {"screening", MSG_OK_SCREENING},
    {"consent", MSG_OK_CONSENT},   {"consent_withdrawn", MSG_OK_CONSENT_WITHDRAWN},
    {"referred", MSG_OK_REFERRED}, {"erased", MSG_OK_ERASED},
};

/* The timeline's step kinds (migration 0002). */
static const struct {
    const char *kind;
    enum msg msg;
} event_kinds[] = {
    {"reported", MSG_EV_REPORTED},   {"updated", MSG_EV_UPDATED},
    {"assigned", MSG_EV_ASSIGNED},   {"transferred", MSG_EV_TRANSFERRED},
    {"incident", MSG_EV_INCIDENT},   {"screening", MSG_EV_SCREENING},
    {"note", MSG_EV_NOTE},           {"task", MSG_EV_TASK},
    {"task_done", MSG_EV_TASK_DONE}, {"closure_requested", MSG_EV_CLOSURE_REQUESTED},
    {"closed", MSG_EV_CLOSED},       {"reopened", MSG_EV_REOPENED},
    {"consent", MSG_EV_CONSENT},     {"consent_withdrawn", MSG_EV_CONSENT_WITHDRAWN},
    {"referred", MSG_EV_REFERRED},   {"referral_status", MSG_EV_REFERRAL_STATUS},
    {"erased", MSG_EV_ERASED},
};

static void case_data_free(struct case_data *d)
{
    case_dossier_free(&d->dos);
    user_list_free(d->users, d->nusers);
}

static enum err case_data_load(const struct ctx *cx, const char *id, struct case_data *d)
{
    memset(d, 0, sizeof *d);
    d->age = -1;
    enum err e = case_dossier_get(cx, id, &d->dos);
    if (e != ERR_OK || !d->dos.view.detail)
        return e;
    struct case_rec full;
    memset(&full, 0, sizeof full);
    if (case_fetch(cx, ACT_CASE_READ_DETAIL, id, &full) == ERR_OK) {
        char today[DATE_SIZE];
        clock_today(today);
        d->age = case_survivor_age_on(cx, &full, today);
        case_rec_free(&full);
    }
    if (may(cx, ACT_USER_LIST) && user_list(cx, &d->users, &d->nusers) != ERR_OK) {
        d->users = NULL; /* the names are a convenience: ids stand in */
        d->nusers = 0;
    }
    return ERR_OK;
}

const char *case_user_name(const struct req *r, const struct case_data *d, const char *id)
{
    if (id == NULL || *id == '\0')
        return NULL;
    for (size_t i = 0; i < d->nusers; i++)
        if (strcmp(d->users[i].id, id) == 0)
            return d->users[i].display_name != NULL ? d->users[i].display_name
                                                    : d->users[i].username;
    if (r->actor != NULL && strcmp(r->actor->user.id, id) == 0)
        return r->actor->user.display_name != NULL ? r->actor->user.display_name
                                                   : r->actor->user.username;
    return NULL;
}

/* Whether user u is one a case of org can be given to (the domain's rule). */
bool case_assignable(const struct user_rec *u, const char *org)
{
    return user_takes_cases(u, org);
}

static void dt(struct req *r, struct buf *b, enum msg label, const char *dd_id)
{
    h_raw(b, "<dt>");
    h_text(b, tr(r, label));
    h_raw(b, "</dt>");
    h_open(b, "dd", "id", dd_id, H_END);
}

void h_case_status(struct req *r, struct buf *b, const char *status)
{
    char cls[48];
    snprintf(cls, sizeof cls, "status st-%s", code_parse(LIST_STATUS, status) >= 0 ? status : "x");
    h_open(b, "span", "class", cls, H_END);
    h_text(b, code_label(r, LIST_STATUS, status));
    h_close(b, "span");
}

void h_case_concerns(struct req *r, struct buf *b, const struct case_rec *c)
{
    for (int i = 0; i < c->nconcerns && i < CONCERNS_MAX; i++) {
        if (i > 0)
            h_raw(b, ", ");
        h_text(b, code_label(r, LIST_CONCERN, c->concerns[i]));
    }
}

void h_badge(struct buf *b, const char *cls, const char *id, const char *text)
{
    h_open(b, "span", "class", cls, "id", id, H_END);
    h_text(b, text);
    h_close(b, "span");
}

/* A code shown with the first list that knows it (the timeline's details). */
static void h_code_any(struct req *r, struct buf *b, const char *code)
{
    static const enum code_list lists[] = {
        LIST_CLOSURE_REASON,  LIST_GBV_TYPE,     LIST_SCREENING_RESULT,
        LIST_STATUS,          LIST_RISK,         LIST_CONCERN,
        LIST_REFERRAL_STATUS, LIST_SERVICE_TYPE, LIST_CONSENT_PURPOSE};
    if (strcmp(code, "agency_id") == 0 || strcmp(code, "employer") == 0) {
        /* A PATCH's parts: what changed, never the value. */
        h_text(b, tr(r, code[0] == 'a' ? MSG_CASE_AGENCY : MSG_CASE_EMPLOYER));
        return;
    }
    if (strcmp(code, "given") == 0 || strcmp(code, "refused") == 0) {
        /* A consent step: "services:given". */
        h_text(b, tr(r, code[0] == 'g' ? MSG_CONSENT_GIVEN : MSG_CONSENT_REFUSED));
        return;
    }
    for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++)
        if (code_parse(lists[i], code) >= 0) {
            h_text(b, code_label(r, lists[i], code));
            return;
        }
    h_text(b, code);
}

/* The timeline detail: codes, separated by commas or spaces. */
static void h_detail(struct req *r, struct buf *b, const char *detail)
{
    char word[CODE_SIZE];
    const char *s = detail;
    bool first = true;
    while (s != NULL && *s != '\0') {
        size_t n = strcspn(s, ", :");
        if (n > 0 && n < sizeof word) {
            memcpy(word, s, n);
            word[n] = '\0';
            if (!first)
                h_raw(b, ", ");
            h_code_any(r, b, word);
            first = false;
        }
        s += n;
        s += strspn(s, ", :");
    }
}

/* The agency the case names (its page linked: its figures are there) and
 * the employer abroad. */
static void agency_facts(struct req *r, struct buf *b, const struct case_view *v)
{
    const char *agency = v->rec.agency_id;
    if (agency[0] != '\0') {
        struct ctx cx = page_ctx(r);
        struct agency_rec a = {0};
        struct fielderrs fe = {0};
        char href[ID_SIZE + 16];
        snprintf(href, sizeof href, "/agencies/%s", agency);
        dt(r, b, MSG_CASE_AGENCY, "case-agency");
        h_open(b, "a", "href", href, H_END);
        if (agency_get(&cx, agency, NULL, &a, &fe) == ERR_OK)
            h_text(b, r->lang == LANG_KM ? a.name_km : a.name_en);
        else
            h_text(b, agency);
        h_raw(b, "</a></dd>");
        agency_rec_free(&a);
    }
    if (v->employer != NULL) {
        dt(r, b, MSG_CASE_EMPLOYER, "case-employer");
        h_text(b, v->employer);
        h_raw(b, "</dd>");
    }
}

static void facts(struct req *r, struct buf *b, const struct case_data *d)
{
    const struct case_rec *c = &d->dos.view.rec;
    h_raw(b, "<dl class=\"facts\" id=\"case\">");
    dt(r, b, MSG_CASE_CODE, "case-code");
    h_text(b, c->code);
    h_raw(b, "</dd>");
    dt(r, b, MSG_CASE_STATUS, "case-status");
    h_case_status(r, b, c->status);
    if (c->urgent) {
        h_raw(b, " ");
        h_badge(b, "urgent", "case-urgent", tr(r, MSG_CASE_URGENT));
    }
    if (d->age >= 0 && d->age < 18) {
        h_raw(b, " ");
        h_badge(b, "child", "case-child", tr(r, MSG_CASE_CHILD));
    }
    if (c->erased_at[0] != '\0') {
        h_raw(b, " ");
        h_badge(b, "erased", "case-erased", tr(r, MSG_CASE_ERASED));
    }
    h_raw(b, "</dd>");
    dt(r, b, MSG_CASE_CONCERNS, "case-concerns");
    h_case_concerns(r, b, c);
    h_raw(b, "</dd>");
    if (c->location_code[0] != '\0') {
        dt(r, b, MSG_CASE_PLACE, "case-place");
        h_place(r, b, c->location_code);
        h_raw(b, "</dd>");
    }
    dt(r, b, MSG_CASE_CREATED, "case-created");
    h_datetime(b, c->created_at);
    h_raw(b, "</dd>");
    if (c->updated_at[0] != '\0') {
        dt(r, b, MSG_CASE_UPDATED, "case-updated");
        h_datetime(b, c->updated_at);
        h_raw(b, "</dd>");
    }
    if (d->dos.view.detail) {
        dt(r, b, MSG_CASE_RISK, "case-risk");
        h_text(b,
               c->risk[0] != '\0' ? code_label(r, LIST_RISK, c->risk) : tr(r, MSG_CASE_RISK_NONE));
        h_raw(b, "</dd>");
        dt(r, b, MSG_CASE_ASSIGNED, "case-assigned");
        if (c->assigned_to[0] == '\0') {
            h_text(b, tr(r, MSG_CASE_UNASSIGNED));
        } else {
            const char *name = case_user_name(r, d, c->assigned_to);
            h_text(b, name != NULL ? name : tr(r, MSG_CASE_ASSIGNED_OTHER));
        }
        h_raw(b, "</dd>");
        dt(r, b, MSG_CASE_CONSENT, "case-consent");
        h_text(b, tr(r, c->consent_to_contact ? MSG_YES : MSG_NO));
        h_raw(b, "</dd>");
        if (c->closure_reason_code[0] != '\0') {
            dt(r, b, MSG_CLOSURE_REASON, "case-closure-reason");
            h_text(b, code_label(r, LIST_CLOSURE_REASON, c->closure_reason_code));
            h_raw(b, "</dd>");
        }
        agency_facts(r, b, &d->dos.view);
    }
    h_raw(b, "</dl>");
}

/* The plain demographics stored as JSON (survivor_view.demographics). */
static void demographics(struct req *r, struct buf *b, const char *text)
{
    json_t *j = text != NULL ? json_loads(text, 0, NULL) : NULL;
    if (!json_is_object(j)) {
        json_decref(j);
        return;
    }
    const char *ms = json_string_value(json_object_get(j, "marital_status"));
    if (ms != NULL) {
        dt(r, b, MSG_MARITAL_STATUS, "survivor-marital");
        h_text(b, code_label(r, LIST_MARITAL_STATUS, ms));
        h_raw(b, "</dd>");
    }
    json_t *dep = json_object_get(j, "dependants");
    if (json_is_integer(dep)) {
        dt(r, b, MSG_DEPENDANTS, "survivor-dependants");
        h_int(b, (long)json_integer_value(dep));
        h_raw(b, "</dd>");
    }
    json_t *dis = json_object_get(j, "disability");
    if (json_is_boolean(dis)) {
        dt(r, b, MSG_DISABILITY, "survivor-disability");
        h_text(b, tr(r, json_is_true(dis) ? MSG_YES : MSG_NO));
        h_raw(b, "</dd>");
    }
    const char *nat = json_string_value(json_object_get(j, "nationality"));
    if (nat != NULL) {
        dt(r, b, MSG_NATIONALITY, "survivor-nationality");
        h_text(b, nat);
        h_raw(b, "</dd>");
    }
    json_t *mig = json_object_get(j, "migration");
    if (json_is_object(mig)) {
        json_t *cs = json_object_get(mig, "countries");
        size_t i;
        json_t *c;
        dt(r, b, MSG_MIGRATION, "survivor-migration");
        json_array_foreach(cs, i, c)
        {
            if (i > 0)
                h_raw(b, ", ");
            h_text(b, json_string_value(c));
        }
        json_t *years = json_object_get(mig, "years");
        if (json_is_integer(years)) {
            char n[16];
            snprintf(n, sizeof n, "%lld", (long long)json_integer_value(years));
            h_raw(b, " · ");
            h_text_sub(b, tr(r, MSG_MIGRATION_YEARS_N), n);
        }
        const char *ch = json_string_value(json_object_get(mig, "channel"));
        const char *se = json_string_value(json_object_get(mig, "sector"));
        if (ch != NULL) {
            h_raw(b, " · ");
            h_text(b, code_label(r, LIST_CHANNEL, ch));
        }
        if (se != NULL) {
            h_raw(b, " · ");
            h_text(b, code_label(r, LIST_SECTOR, se));
        }
        h_raw(b, "</dd>");
    }
    json_decref(j);
}

static void survivor_details(struct req *r, struct buf *b, const struct case_data *d)
{
    const struct survivor_view *s = &d->dos.view.survivor;

    h_raw(b, "<h2 id=\"h-survivor\">");
    h_text(b, tr(r, MSG_SURVIVOR));
    h_raw(b, "</h2>");
    if (!d->dos.view.has_survivor) {
        h_para(b, NULL, NULL, NULL, tr(r, MSG_CASE_SURVIVOR_NONE));
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
    if (s->birth_date != NULL && *s->birth_date != '\0') {
        dt(r, b, MSG_BIRTH_DATE, "survivor-birth-date");
        h_text(b, s->birth_date);
        h_raw(b, "</dd>");
    }
    if (d->age >= 0 || s->age >= 0) {
        dt(r, b, MSG_AGE, "survivor-age");
        h_int(b, d->age >= 0 ? d->age : s->age);
        if (s->age_estimated) {
            h_raw(b, " (");
            h_text(b, tr(r, MSG_AGE_ESTIMATED));
            h_raw(b, ")");
        }
        h_raw(b, "</dd>");
    }
    if (s->address_code[0] != '\0' || (s->address_text != NULL && *s->address_text != '\0')) {
        dt(r, b, MSG_ADDRESS, "survivor-address");
        if (s->address_code[0] != '\0')
            h_place(r, b, s->address_code);
        if (s->address_text != NULL && *s->address_text != '\0') {
            h_raw(b, "<span class=\"address-text\">");
            h_text(b, s->address_text);
            h_raw(b, "</span>");
        }
        h_raw(b, "</dd>");
    }
    if (s->occupation != NULL && *s->occupation != '\0') {
        dt(r, b, MSG_OCCUPATION, "survivor-occupation");
        h_text(b, s->occupation);
        h_raw(b, "</dd>");
    }
    demographics(r, b, s->demographics);
    h_raw(b, "</dl>");
}

static void timeline(struct req *r, struct buf *b, const struct case_data *d)
{
    h_raw(b, "<h2 id=\"h-timeline\">");
    h_text(b, tr(r, MSG_TIMELINE));
    h_raw(b, "</h2><ol class=\"timeline\" id=\"timeline\">");
    for (size_t i = 0; i < d->dos.ntimeline; i++) {
        const struct case_event_view *ev = &d->dos.timeline[i];
        enum msg what = MSG_EV_OTHER;
        for (size_t k = 0; k < sizeof event_kinds / sizeof event_kinds[0]; k++)
            if (strcmp(event_kinds[k].kind, ev->rec.kind) == 0)
                what = event_kinds[k].msg;
        h_open(b, "li", "data-kind", ev->rec.kind, H_END);
        h_raw(b, "<span class=\"when\">");
        h_datetime(b, ev->rec.at);
        h_raw(b, "</span> <span class=\"who\">");
        if (ev->user_name != NULL)
            h_text(b, ev->user_name);
        else
            h_text(b, tr(r, MSG_EV_SYSTEM));
        h_raw(b, "</span> <span class=\"what\">");
        h_text(b, tr(r, what));
        if (ev->rec.detail != NULL && *ev->rec.detail != '\0') {
            h_raw(b, ": ");
            h_detail(r, b, ev->rec.detail);
        }
        h_raw(b, "</span>");
        if (ev->text != NULL && *ev->text != '\0') {
            h_raw(b, "<span class=\"text\">");
            h_text(b, ev->text);
            h_raw(b, "</span>");
        }
        h_raw(b, "</li>");
    }
    h_raw(b, "</ol>");
}

/* The problem of one of the page's forms, when it is the one that was sent. */
void case_form_problem(struct req *r, struct buf *b, const struct case_page_opts *o,
                       const char *form)
{
    if (o == NULL || o->form == NULL || strcmp(o->form, form) != 0)
        return;
    char id[48];
    snprintf(id, sizeof id, "err-%s", form);
    if (o->problem != 0)
        h_para(b, "error", id, "alert", tr(r, o->problem));
    if (o->resumed)
        form_resumed_notice(r, b);
}

/* The value typed in the form that was sent again (its problem, or a
 * sign-in after the session ended), else NULL. */
const char *case_draft(const struct req *r, const struct case_page_opts *o, const char *form,
                       const char *name)
{
    if (o == NULL || o->form == NULL || strcmp(o->form, form) != 0)
        return NULL;
    return req_form(r, name);
}

/* <form method=post action="/cases/ID/what"> with its CSRF field. */
void case_form_open(struct req *r, struct resp *w, const char *id, const char *what,
                    const char *case_id)
{
    struct buf *b = &w->body;
    struct buf action = {0};
    buf_puts(&action, "/cases/");
    url_encode(&action, case_id);
    buf_putc(&action, '/');
    buf_puts(&action, what);
    h_open(b, "form", "method", "post", "action", action.p, "id", id, "class", "stack action",
           H_END);
    page_csrf(r, w);
    buf_free(&action);
}

void case_textarea(struct req *r, struct buf *b, const char *id, const char *name, enum msg label,
                   bool optional, const char *value, const char *maxlength)
{
    h_open(b, "label", "for", id, H_END);
    h_text(b, tr(r, label));
    if (optional) {
        h_raw(b, " <small>(");
        h_text(b, tr(r, MSG_OPTIONAL));
        h_raw(b, ")</small>");
    }
    h_raw(b, "</label>");
    h_open_begin(b, "textarea");
    h_attr(b, "id", id);
    h_attr(b, "name", name);
    h_attr(b, "rows", "3");
    h_attr(b, "maxlength", maxlength);
    h_open_end(b);
    h_text(b, value);
    h_raw(b, "</textarea>");
}

void case_submit(struct req *r, struct buf *b, const char *id, enum msg label)
{
    h_open(b, "button", "type", "submit", "id", id, H_END);
    h_text(b, tr(r, label));
    h_raw(b, "</button></form>");
}

static void notes(struct req *r, struct resp *w, const struct case_data *d,
                  const struct case_page_opts *o)
{
    struct buf *b = &w->body;
    const char *cid = d->dos.view.rec.id;
    h_raw(b, "<h2 id=\"h-notes\">");
    h_text(b, tr(r, MSG_NOTES));
    h_raw(b, "</h2>");
    if (d->dos.nnotes == 0)
        h_para(b, "empty", "notes-empty", NULL, tr(r, MSG_NOTES_EMPTY));
    h_raw(b, "<ol class=\"notes\" id=\"notes\">");
    for (size_t i = 0; i < d->dos.nnotes; i++) {
        const struct note_view *n = &d->dos.notes[i];
        char id[ID_SIZE + 8];
        snprintf(id, sizeof id, "note-%s", n->rec.id);
        h_open(b, "li", "id", id, H_END);
        h_raw(b, "<p class=\"meta\">");
        h_datetime(b, n->rec.created_at);
        const char *who = case_user_name(r, d, n->rec.author);
        if (who != NULL) {
            h_raw(b, " · ");
            h_text(b, who);
        }
        h_raw(b, "</p>");
        if (n->rec.corrects[0] != '\0') {
            char href[ID_SIZE + 8];
            snprintf(href, sizeof href, "#note-%s", n->rec.corrects);
            h_raw(b, "<p class=\"corrects\">");
            h_open(b, "a", "href", href, H_END);
            h_text(b, tr(r, MSG_NOTE_CORRECTS));
            h_raw(b, "</a></p>");
        }
        h_raw(b, "<p class=\"body\">");
        h_text(b, n->body);
        h_raw(b, "</p></li>");
    }
    h_raw(b, "</ol>");
    if (!may_act(r, ACT_NOTE_CREATE))
        return;
    case_form_open(r, w, "note-form", "notes", cid);
    page_idempotency_key(r, w);
    case_form_problem(r, b, o, "note");
    case_textarea(r, b, "note-body", "body", MSG_NOTE_BODY, false, case_draft(r, o, "note", "body"),
                  "8000");
    if (d->dos.nnotes > 0) {
        const char *corrects = case_draft(r, o, "note", "corrects");
        h_raw(b, "<label for=\"note-corrects\">");
        h_text(b, tr(r, MSG_NOTE_CORRECTS_WHICH));
        h_raw(b, " <small>(");
        h_text(b, tr(r, MSG_OPTIONAL));
        h_raw(b, ")</small></label><select id=\"note-corrects\" name=\"corrects\">"
                 "<option value=\"\">");
        h_text(b, tr(r, MSG_NOTE_CORRECTS_NONE));
        h_raw(b, "</option>");
        for (size_t i = 0; i < d->dos.nnotes; i++) {
            const struct note_view *n = &d->dos.notes[i];
            h_open_begin(b, "option");
            h_attr(b, "value", n->rec.id);
            h_flag(b, "selected", corrects != NULL && strcmp(corrects, n->rec.id) == 0);
            h_open_end(b);
            h_datetime(b, n->rec.created_at);
            h_raw(b, " — ");
            h_text_prefix(b, n->body, 60);
            h_raw(b, "</option>");
        }
        h_raw(b, "</select>");
    }
    case_submit(r, b, "note-submit", MSG_NOTE_ADD);
}

static void tasks(struct req *r, struct resp *w, const struct case_data *d,
                  const struct case_page_opts *o)
{
    struct buf *b = &w->body;
    const char *cid = d->dos.view.rec.id;
    bool may_update = may_act(r, ACT_TASK_UPDATE);
    h_raw(b, "<h2 id=\"h-tasks\">");
    h_text(b, tr(r, MSG_TASKS));
    h_raw(b, "</h2>");
    if (d->dos.ntasks == 0)
        h_para(b, "empty", "tasks-empty", NULL, tr(r, MSG_TASKS_EMPTY));
    h_raw(b, "<ul class=\"tasks\" id=\"tasks\">");
    for (size_t i = 0; i < d->dos.ntasks; i++) {
        const struct task_view *t = &d->dos.tasks[i];
        char id[ID_SIZE + 8], action[ID_SIZE + 16], version[16], box[ID_SIZE + 8];
        snprintf(id, sizeof id, "task-%s", t->rec.id);
        snprintf(action, sizeof action, "/tasks/%s", t->rec.id);
        snprintf(version, sizeof version, "%d", t->rec.version);
        snprintf(box, sizeof box, "done-%s", t->rec.id);
        h_open(b, "li", "id", id, "class", t->rec.done ? "done" : (t->overdue ? "overdue" : NULL),
               H_END);
        if (may_update) {
            h_open(b, "form", "method", "post", "action", action, "class", "inline task", H_END);
            page_csrf(r, w);
            h_hidden(b, "version", version);
            h_hidden(b, "case", cid);
            h_open_begin(b, "input");
            h_attr(b, "type", "checkbox");
            h_attr(b, "name", "done");
            h_attr(b, "value", "1");
            h_attr(b, "id", box);
            h_flag(b, "checked", t->rec.done);
            h_flag(b, "data-autosubmit", true);
            h_open_end(b);
            h_open(b, "label", "for", box, H_END);
        } else {
            h_raw(b, "<span>");
        }
        h_raw(b, "<span class=\"title\">");
        h_text(b, t->title);
        h_raw(b, "</span> <span class=\"due\">");
        h_text_sub(b, tr(r, MSG_TASK_DUE_ON), t->rec.due_on);
        h_raw(b, "</span>");
        if (t->overdue) {
            h_raw(b, " ");
            h_badge(b, "urgent", NULL, tr(r, MSG_TASK_OVERDUE));
        }
        const char *who = case_user_name(r, d, t->rec.assigned_to);
        if (who != NULL) {
            h_raw(b, " <span class=\"who\">");
            h_text(b, who);
            h_raw(b, "</span>");
        }
        if (may_update) {
            h_raw(b, "</label> <button type=\"submit\" class=\"secondary small\">");
            h_text(b, tr(r, MSG_TASK_SAVE));
            h_raw(b, "</button></form>");
        } else {
            h_raw(b, "</span>");
        }
        h_raw(b, "</li>");
    }
    h_raw(b, "</ul>");
    if (!may_act(r, ACT_TASK_CREATE))
        return;
    case_form_open(r, w, "task-form", "tasks", cid);
    page_idempotency_key(r, w);
    case_form_problem(r, b, o, "task");
    h_raw(b, "<label for=\"task-title\">");
    h_text(b, tr(r, MSG_TASK_TITLE));
    h_raw(b, "</label>");
    h_open_begin(b, "input");
    h_attr(b, "id", "task-title");
    h_attr(b, "name", "title");
    h_attr(b, "maxlength", "300");
    h_attr(b, "value", case_draft(r, o, "task", "title"));
    h_open_end(b);
    h_raw(b, "<label for=\"task-due\">");
    h_text(b, tr(r, MSG_TASK_DUE));
    h_raw(b, "</label>");
    h_open_begin(b, "input");
    h_attr(b, "id", "task-due");
    h_attr(b, "name", "due_on");
    h_attr(b, "type", "date");
    h_attr(b, "value", case_draft(r, o, "task", "due_on"));
    h_open_end(b);
    if (d->nusers > 0) {
        const char *to = case_draft(r, o, "task", "assigned_to");
        h_raw(b, "<label for=\"task-assigned\">");
        h_text(b, tr(r, MSG_TASK_ASSIGNED_TO));
        h_raw(b, " <small>(");
        h_text(b, tr(r, MSG_OPTIONAL));
        h_raw(b, ")</small></label><select id=\"task-assigned\" name=\"assigned_to\">"
                 "<option value=\"\">");
        h_text(b, tr(r, MSG_TASK_ASSIGNED_NOBODY));
        h_raw(b, "</option>");
        for (size_t i = 0; i < d->nusers; i++) {
            const struct user_rec *u = &d->users[i];
            if (!user_takes_cases(u, d->dos.view.rec.organization_id))
                continue;
            h_open_begin(b, "option");
            h_attr(b, "value", u->id);
            h_flag(b, "selected", to != NULL && strcmp(to, u->id) == 0);
            h_open_end(b);
            h_text(b, u->display_name != NULL ? u->display_name : u->username);
            h_raw(b, "</option>");
        }
        h_raw(b, "</select>");
    }
    case_submit(r, b, "task-submit", MSG_TASK_ADD);
}

static void assign_form(struct req *r, struct resp *w, const struct case_data *d,
                        const struct case_page_opts *o)
{
    struct buf *b = &w->body;
    const struct case_rec *c = &d->dos.view.rec;
    const char *chosen = case_draft(r, o, "assign", "caseworker_id");
    bool transfer = strcmp(c->status, "reported") != 0;
    case_form_open(r, w, "assign-form", "assign", c->id);
    h_raw(b, "<h3>");
    h_text(b, tr(r, transfer ? MSG_ASSIGN_TRANSFER : MSG_ASSIGN_TITLE));
    h_raw(b, "</h3>");
    case_form_problem(r, b, o, "assign");
    h_raw(b, "<label for=\"caseworker\">");
    h_text(b, tr(r, MSG_ASSIGN_TO));
    h_raw(b,
          "</label><select id=\"caseworker\" name=\"caseworker_id\" required><option value=\"\">");
    h_text(b, tr(r, MSG_CHOOSE));
    h_raw(b, "</option>");
    for (size_t i = 0; i < d->nusers; i++) {
        const struct user_rec *u = &d->users[i];
        if (!case_assignable(u, c->organization_id))
            continue;
        h_open_begin(b, "option");
        h_attr(b, "value", u->id);
        h_attr(b, "data-username", u->username);
        h_flag(b, "selected", chosen != NULL && strcmp(chosen, u->id) == 0);
        h_flag(b, "disabled", strcmp(c->assigned_to, u->id) == 0);
        h_open_end(b);
        h_text(b, u->display_name != NULL ? u->display_name : u->username);
        h_raw(b, " (");
        h_text(b, u->username);
        h_raw(b, ")</option>");
    }
    h_raw(b, "</select>");
    case_submit(r, b, "assign-submit", transfer ? MSG_ASSIGN_TRANSFER_BUTTON : MSG_ASSIGN_BUTTON);
}

static void closure_form(struct req *r, struct resp *w, const struct case_data *d,
                         const struct case_page_opts *o)
{
    struct buf *b = &w->body;
    const char *chosen = case_draft(r, o, "closure", "reason_code");
    case_form_open(r, w, "closure-form", "closure", d->dos.view.rec.id);
    h_raw(b, "<h3>");
    h_text(b, tr(r, MSG_CLOSURE_TITLE));
    h_raw(b, "</h3>");
    case_form_problem(r, b, o, "closure");
    h_raw(b, "<label for=\"reason-code\">");
    h_text(b, tr(r, MSG_CLOSURE_REASON));
    h_raw(b, "</label><select id=\"reason-code\" name=\"reason_code\" required>"
             "<option value=\"\">");
    h_text(b, tr(r, MSG_CHOOSE));
    h_raw(b, "</option>");
    for (int i = 0; i < code_count(LIST_CLOSURE_REASON); i++) {
        const char *code = code_name(LIST_CLOSURE_REASON, i);
        h_open_begin(b, "option");
        h_attr(b, "value", code);
        h_flag(b, "selected", chosen != NULL && strcmp(chosen, code) == 0);
        h_open_end(b);
        h_text(b, code_label(r, LIST_CLOSURE_REASON, code));
        h_raw(b, "</option>");
    }
    h_raw(b, "</select>");
    case_textarea(r, b, "closure-reason", "reason", MSG_CLOSURE_TEXT, true,
                  case_draft(r, o, "closure", "reason"), "2000");
    case_submit(r, b, "closure-submit", MSG_CLOSURE_BUTTON);
}

static void approve_form(struct req *r, struct resp *w, const struct case_data *d,
                         const struct case_page_opts *o)
{
    struct buf *b = &w->body;
    case_form_open(r, w, "approve-form", "closure/approve", d->dos.view.rec.id);
    h_raw(b, "<h3>");
    h_text(b, tr(r, MSG_APPROVE_TITLE));
    h_raw(b, "</h3>");
    case_form_problem(r, b, o, "approve");
    h_para(b, "hint", NULL, NULL, tr(r, MSG_APPROVE_HINT));
    case_submit(r, b, "approve-submit", MSG_APPROVE_BUTTON);
}

static void reopen_form(struct req *r, struct resp *w, const struct case_data *d,
                        const struct case_page_opts *o)
{
    struct buf *b = &w->body;
    case_form_open(r, w, "reopen-form", "reopen", d->dos.view.rec.id);
    h_raw(b, "<h3>");
    h_text(b, tr(r, MSG_REOPEN_TITLE));
    h_raw(b, "</h3>");
    case_form_problem(r, b, o, "reopen");
    case_textarea(r, b, "reopen-reason", "reason", MSG_REOPEN_REASON, false,
                  case_draft(r, o, "reopen", "reason"), "2000");
    case_submit(r, b, "reopen-submit", MSG_REOPEN_BUTTON);
}

/* The supervisor's erasure of the survivor's identity, on her request:
 * the page says it cannot be undone, and the box must be ticked. */
static void erase_form(struct req *r, struct resp *w, const struct case_data *d,
                       const struct case_page_opts *o)
{
    struct buf *b = &w->body;
    char version[16];
    snprintf(version, sizeof version, "%d", d->dos.view.rec.version);
    case_form_open(r, w, "erase-form", "erase", d->dos.view.rec.id);
    h_raw(b, "<h3>");
    h_text(b, tr(r, MSG_ERASE_TITLE));
    h_raw(b, "</h3>");
    h_para(b, "warning", "erase-warning", NULL, tr(r, MSG_ERASE_WARNING));
    case_form_problem(r, b, o, "erase");
    h_hidden(b, "version", version);
    case_textarea(r, b, "erase-reason", "reason", MSG_ERASE_REASON, false,
                  case_draft(r, o, "erase", "reason"), "2000");
    h_raw(b, "<label class=\"check\"><input type=\"checkbox\" name=\"confirm\" value=\"true\""
             " id=\"erase-confirm\" required> ");
    h_text(b, tr(r, MSG_ERASE_CONFIRM));
    h_raw(b, "</label>");
    case_submit(r, b, "erase-submit", MSG_ERASE_BUTTON);
}

bool may_act(const struct req *r, enum action a)
{
    struct ctx cx = page_ctx(r);
    return may(&cx, a);
}

/* Links to the case's other pages, and the workflow's forms. */
static void actions(struct req *r, struct resp *w, const struct case_data *d,
                    const struct case_page_opts *o)
{
    struct buf *b = &w->body;
    const struct case_rec *c = &d->dos.view.rec;
    bool closed = strcmp(c->status, "closed") == 0;
    const char *me = r->actor != NULL ? r->actor->user.id : "";
    struct buf href = {0};

    h_raw(b, "<h2 id=\"h-actions\">");
    h_text(b, tr(r, MSG_ACTIONS));
    h_raw(b, "</h2><ul class=\"links\" id=\"case-links\">");
    static const struct {
        enum action a;
        const char *path, *id;
        enum msg label;
    } links[] = {
        {ACT_CASE_UPDATE, "edit", "link-edit", MSG_LINK_EDIT},
        {ACT_INCIDENT_CREATE, "incidents/new", "link-incident", MSG_LINK_INCIDENT},
        {ACT_SCREENING_CREATE, "screenings/new", "link-screening", MSG_LINK_SCREENING},
    };
    for (size_t i = 0; !closed && i < sizeof links / sizeof links[0]; i++) {
        if (!may_act(r, links[i].a))
            continue;
        buf_reset(&href);
        buf_puts(&href, "/cases/");
        url_encode(&href, c->id);
        buf_putc(&href, '/');
        buf_puts(&href, links[i].path);
        h_raw(b, "<li>");
        h_open(b, "a", "href", href.p, "id", links[i].id, H_END);
        h_text(b, tr(r, links[i].label));
        h_raw(b, "</a></li>");
    }
    h_raw(b, "</ul>");
    buf_free(&href);

    if (!closed && may_act(r, ACT_CASE_ASSIGN) && d->nusers > 0)
        assign_form(r, w, d, o);
    if (strcmp(c->status, "open") == 0 && may_act(r, ACT_CASE_CLOSE_REQUEST))
        closure_form(r, w, d, o);
    if (strcmp(c->status, "closure_requested") == 0) {
        if (may_act(r, ACT_CASE_CLOSE_APPROVE) && strcmp(c->closure_requested_by, me) != 0)
            approve_form(r, w, d, o);
        else
            h_para(b, "note", "closure-waiting", NULL, tr(r, MSG_CLOSURE_WAITING));
    }
    if (closed && may_act(r, ACT_CASE_REOPEN))
        reopen_form(r, w, d, o);
    if (c->erased_at[0] == '\0' && may_act(r, ACT_CASE_ERASE))
        erase_form(r, w, d, o);
}

void case_page(struct req *r, struct resp *w, const char *id, const struct case_page_opts *o)
{
    struct ctx cx = page_ctx(r);
    struct case_data d;
    struct buf self = {0};
    struct buf *b = &w->body;

    if (id == NULL) {
        page_fail(r, w, ERR_NOT_FOUND);
        return;
    }
    enum err e = case_data_load(&cx, id, &d);
    if (e != ERR_OK) {
        page_fail(r, w, e);
        goto out;
    }
    const struct case_rec *c = &d.dos.view.rec;
    if (o != NULL && o->status != 0)
        w->status = o->status;

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
    const char *ok = req_query(r, "ok");
    for (size_t i = 0; ok != NULL && i < sizeof ok_notices / sizeof ok_notices[0]; i++)
        if (strcmp(ok, ok_notices[i].code) == 0)
            page_notice(b, "done-notice", tr(r, ok_notices[i].msg));
    if (o != NULL && o->problem != 0 && o->form == NULL)
        h_para(b, "error", "case-error", "alert", tr(r, o->problem));

    h_raw(b, "<h1 id=\"case-title\">");
    h_text_sub(b, tr(r, MSG_CASE_TITLE), c->code);
    h_raw(b, "</h1>");
    facts(r, b, &d);
    if (d.dos.view.detail) {
        h_raw(b, "<h2>");
        h_text(b, tr(r, MSG_CASE_SUMMARY));
        h_raw(b, "</h2><p class=\"summary\" id=\"case-summary\">");
        h_text(b, d.dos.view.summary);
        h_raw(b, "</p>");
        actions(r, w, &d, o);
        survivor_details(r, b, &d);
        case_records(r, w, &d);
        if (may(&cx, ACT_CONSENT_READ))
            case_consents(r, w, &d, o);
        case_referrals(r, w, &d, o);
        if (may(&cx, ACT_NOTE_READ))
            notes(r, w, &d, o);
        if (may(&cx, ACT_TASK_READ))
            tasks(r, w, &d, o);
        timeline(r, b, &d);
    } else {
        h_para(b, "note", "details-hidden", NULL, tr(r, MSG_CASE_DETAILS_HIDDEN));
    }
    h_raw(b, "<p><a href=\"/cases\" id=\"back-to-cases\">");
    h_text(b, tr(r, MSG_BACK_TO_CASES));
    h_raw(b, "</a></p>");
    page_end(r, w);
out:
    buf_free(&self);
    case_data_free(&d);
}

void web_case_show(struct req *r, struct resp *w)
{
    case_page(r, w, page_id(r), NULL);
}
