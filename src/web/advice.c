/* Safe-migration advice: GET /advice lists the follow-ups due and the
 * recent records of the caller's groups, each with its warnings; GET
 * /advice/new is the form, POST /advice/new sends it and comes back to
 * GET /advice?saved=ID (post-redirect-get), which shows what was saved
 * with its warnings in plain words; POST /advice/{id}/done marks a
 * follow-up done (the version read is sent along: a stale one is 409).
 *
 * Made for a member on a cheap phone: the date is today (Cambodia), her
 * group is chosen for her, the destination is five buttons and a box for
 * another country, the documents and risks are boxes to tick, the agency
 * one plain list of the licence list's agencies. Staff with several groups
 * pick the group. */
#include "web/page.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "domain/agencies.h"
#include "domain/migrant_advice.h"
#include "domain/network.h"
#include "domain/scope.h"

#define RECENT_ADVICE 20
#define DUE_ADVICE    50

/* The destinations offered as buttons; any other is typed. */
static const char *const destinations[] = {"TH", "MY", "KR", "JP", "SA"};
#define NDESTINATIONS (sizeof destinations / sizeof destinations[0])

/* What the form holds, borrowed from the request (or defaults). */
struct advice_form {
    const char *date;
    const char *group_id;
    const char *name_km, *name_latn, *sex, *birth_year, *phone;
    const char *destination;       /* a button's code, "other", or NULL */
    const char *destination_other; /* typed */
    const char *sector, *channel, *agency_id, *follow_up_on;
    bool documents[ADVICE_DOCUMENTS];
    const char *risks[ADVICE_RISKS_MAX + 1];
    int nrisks;
    char today[DATE_SIZE];
};

static const struct field_msg field_msg_rows[] = {
    {"date", "date", MSG_ERR_ADVICE_DATE},
    {"group_id", "group", MSG_ERR_OUTREACH_GROUP},
    {"person", "sex", MSG_ERR_ADVICE_SEX},
    {"person.name_km", "name_km", MSG_ERR_ADVICE_NAME},
    {"person.name_latn", "name_latn", MSG_ERR_ADVICE_NAME},
    {"person.sex", "sex", MSG_ERR_ADVICE_SEX},
    {"person.birth_year", "birth_year", MSG_ERR_ADVICE_BIRTH_YEAR},
    {"person.phone", "phone", MSG_ERR_ADVICE_PHONE},
    {"destination", "destination", MSG_ERR_ADVICE_DESTINATION},
    {"sector", "sector", MSG_ERR_ADVICE_SECTOR},
    {"channel", "channel", MSG_ERR_ADVICE_CHANNEL},
    {"agency_id", "agency", MSG_ERR_ADVICE_AGENCY},
    {"risks", "risks", MSG_ERR_ADVICE_RISKS},
    {"follow_up_on", "follow_up_on", MSG_ERR_ADVICE_FOLLOW_UP},
};
static const struct field_msgs field_msgs = FIELD_MSGS(field_msg_rows);

static bool is(const char *a, const char *b)
{
    return a != NULL && b != NULL && strcmp(a, b) == 0;
}

/* ---- the form ---- */

static void group_choice(struct req *r, struct buf *b, const struct advice_form *f,
                         const struct group_rec *groups, size_t ngroups, const struct fielderrs *fe)
{
    if (ngroups == 1) {
        /* Her own group: shown, not asked. */
        h_raw(b, "<p class=\"group\" id=\"group\"><span class=\"label\">");
        h_text(b, tr(r, MSG_OUTREACH_GROUP));
        h_raw(b, ":</span> <strong>");
        h_text(b, groups[0].name);
        h_raw(b, "</strong></p>");
        h_hidden(b, "group_id", groups[0].id);
        return;
    }
    const struct group_rec *g = group_find(groups, ngroups, f->group_id);
    h_label(r, b, "group", MSG_OUTREACH_GROUP, false);
    h_field_error(r, b, &field_msgs, fe, "group");
    h_open_begin(b, "select");
    h_attr(b, "id", "group");
    h_attr(b, "name", "group_id");
    h_flag(b, "required", true);
    h_invalid_if(b, &field_msgs, fe, "group");
    h_open_end(b);
    h_raw(b, "<option value=\"\">");
    h_text(b, tr(r, MSG_CHOOSE));
    h_raw(b, "</option>");
    for (size_t i = 0; i < ngroups; i++) {
        h_open_begin(b, "option");
        h_attr(b, "value", groups[i].id);
        h_flag(b, "selected", g == &groups[i]);
        h_open_end(b);
        h_text(b, groups[i].name);
        h_close(b, "option");
    }
    h_raw(b, "</select>");
}

static void text_input(struct req *r, struct buf *b, const struct fielderrs *fe, const char *id,
                       const char *name, enum msg label, const char *value, bool optional,
                       const char *type, const char *mode)
{
    h_label(r, b, id, label, optional);
    h_field_error(r, b, &field_msgs, fe, id);
    h_open_begin(b, "input");
    h_attr(b, "id", id);
    h_attr(b, "name", name);
    h_attr(b, "type", type);
    if (mode != NULL)
        h_attr(b, "inputmode", mode);
    h_attr(b, "value", value);
    h_flag(b, "required", !optional);
    h_invalid_if(b, &field_msgs, fe, id);
    h_open_end(b);
}

/* A <select> of the codes of list, the one chosen selected. */
static void code_select(struct req *r, struct buf *b, const struct fielderrs *fe, const char *id,
                        enum msg label, enum code_list list, const char *chosen)
{
    h_label(r, b, id, label, false);
    h_field_error(r, b, &field_msgs, fe, id);
    h_open_begin(b, "select");
    h_attr(b, "id", id);
    h_attr(b, "name", id);
    h_flag(b, "required", true);
    h_invalid_if(b, &field_msgs, fe, id);
    h_open_end(b);
    h_raw(b, "<option value=\"\">");
    h_text(b, tr(r, MSG_CHOOSE));
    h_raw(b, "</option>");
    for (int i = 0; i < code_count(list); i++) {
        const char *code = code_name(list, i);
        h_open_begin(b, "option");
        h_attr(b, "value", code);
        h_flag(b, "selected", is(chosen, code));
        h_open_end(b);
        h_text(b, code_label(r, list, code));
        h_close(b, "option");
    }
    h_raw(b, "</select>");
}

static const char *country_name(struct req *r, const char *code)
{
    for (size_t i = 0; i < ncountries; i++)
        if (is(countries[i].code, code))
            return tr(r, countries[i].name);
    return code;
}

static void destination_fieldset(struct req *r, struct buf *b, const struct advice_form *f,
                                 const struct fielderrs *fe)
{
    bool other = is(f->destination, "other");
    h_raw(b, "<fieldset id=\"destination\" class=\"choices\"><legend>");
    h_text(b, tr(r, MSG_ADVICE_DESTINATION));
    h_raw(b, "</legend>");
    h_field_error(r, b, &field_msgs, fe, "destination");
    for (size_t i = 0; i <= NDESTINATIONS; i++) {
        const char *code = i < NDESTINATIONS ? destinations[i] : "other";
        char id[32];
        snprintf(id, sizeof id, "destination-%s", code);
        h_raw(b, "<label class=\"check\"><input type=\"radio\" name=\"destination\"");
        h_attr(b, "id", id);
        h_attr(b, "value", code);
        h_flag(b, "checked", i < NDESTINATIONS ? is(f->destination, code) : other);
        h_flag(b, "required", true);
        h_raw(b, "> ");
        h_text(b, i < NDESTINATIONS ? country_name(r, code) : tr(r, MSG_ADVICE_OTHER_COUNTRY));
        h_raw(b, "</label>");
    }
    h_label(r, b, "destination-code", MSG_ADVICE_OTHER_COUNTRY_CODE, true);
    h_open_begin(b, "input");
    h_attr(b, "id", "destination-code");
    h_attr(b, "name", "destination_other");
    h_attr(b, "maxlength", "2");
    h_attr(b, "autocapitalize", "characters");
    h_attr(b, "class", "short");
    h_attr(b, "value", f->destination_other);
    h_open_end(b);
    h_raw(b, "</fieldset>");
}

static void agency_choice(struct req *r, struct buf *b, const struct advice_form *f,
                          const struct fielderrs *fe)
{
    struct ctx cx = page_ctx(r);
    struct agency_rec *items = NULL;
    size_t n = 0;
    char next[ID_SIZE];
    struct fielderrs lfe = {0};
    struct agency_query q = {.on = f->today, .limit = 500, .lang = r->lang};
    if (agency_list(&cx, &q, &items, &n, next, &lfe) != ERR_OK)
        n = 0;
    h_label(r, b, "agency", MSG_ADVICE_AGENCY, true);
    h_field_error(r, b, &field_msgs, fe, "agency");
    h_open_begin(b, "select");
    h_attr(b, "id", "agency");
    h_attr(b, "name", "agency_id");
    h_invalid_if(b, &field_msgs, fe, "agency");
    h_open_end(b);
    h_raw(b, "<option value=\"\">");
    h_text(b, tr(r, MSG_ADVICE_NO_AGENCY));
    h_raw(b, "</option>");
    for (size_t i = 0; i < n; i++) {
        h_open_begin(b, "option");
        h_attr(b, "value", items[i].id);
        h_flag(b, "selected", is(f->agency_id, items[i].id));
        h_open_end(b);
        h_text(b, r->lang == LANG_KM ? items[i].name_km : items[i].name_en);
        h_close(b, "option");
    }
    h_raw(b, "</select>");
    agency_list_free(items, n);
}

static bool has_risk(const struct advice_form *f, const char *code)
{
    for (int i = 0; i < f->nrisks; i++)
        if (is(f->risks[i], code))
            return true;
    return false;
}

static void boxes(struct req *r, struct buf *b, const struct advice_form *f, const char *id,
                  enum msg legend, enum code_list list, const struct fielderrs *fe)
{
    h_open(b, "fieldset", "id", id, H_END);
    h_raw(b, "<legend>");
    h_text(b, tr(r, legend));
    h_raw(b, "</legend>");
    h_field_error(r, b, &field_msgs, fe, id);
    for (int i = 0; i < code_count(list); i++) {
        const char *code = code_name(list, i);
        char box[64], name[64];
        bool docs = list == LIST_DOCUMENT;
        snprintf(box, sizeof box, "%s-%s", docs ? "doc" : "risk", code);
        snprintf(name, sizeof name, "documents.%s", code);
        h_raw(b, "<label class=\"check\"><input type=\"checkbox\"");
        h_attr(b, "name", docs ? name : "risk");
        h_attr(b, "id", box);
        h_attr(b, "value", docs ? "1" : code);
        h_flag(b, "checked", docs ? (i < ADVICE_DOCUMENTS && f->documents[i]) : has_risk(f, code));
        h_raw(b, "> ");
        h_text(b, code_label(r, list, code));
        h_raw(b, "</label>");
    }
    h_raw(b, "</fieldset>");
}

static void advice_form_html(struct req *r, struct resp *w, const struct advice_form *f,
                             const struct group_rec *groups, size_t ngroups,
                             const struct fielderrs *fe)
{
    struct buf *b = &w->body;
    if (form_resumed(r))
        form_resumed_notice(r, b);
    if (fe != NULL && fe->n > 0)
        h_error_summary(r, b, &field_msgs, fe);
    h_raw(b, "<form method=\"post\" autocomplete=\"off\" action=\"/advice/new\" id=\"advice-form\" "
             "class=\"stack\">");
    page_csrf(r, w);
    page_idempotency_key(r, w);
    group_choice(r, b, f, groups, ngroups, fe);
    h_label(r, b, "date", MSG_ADVICE_DATE, false);
    h_field_error(r, b, &field_msgs, fe, "date");
    h_open_begin(b, "input");
    h_attr(b, "id", "date");
    h_attr(b, "name", "date");
    h_attr(b, "type", "date");
    h_attr(b, "min", ADVICE_EARLIEST_DATE);
    h_attr(b, "max", f->today);
    h_attr(b, "value", f->date);
    h_flag(b, "required", true);
    h_invalid_if(b, &field_msgs, fe, "date");
    h_open_end(b);

    h_raw(b, "<fieldset id=\"person\"><legend>");
    h_text(b, tr(r, MSG_ADVICE_PERSON));
    h_raw(b, "</legend>");
    text_input(r, b, fe, "name_km", "person.name_km", MSG_ADVICE_NAME_KM, f->name_km, true, "text",
               NULL);
    text_input(r, b, fe, "name_latn", "person.name_latn", MSG_ADVICE_NAME_LATN, f->name_latn, true,
               "text", NULL);
    h_label(r, b, "sex", MSG_ADVICE_SEX, false);
    h_field_error(r, b, &field_msgs, fe, "sex");
    h_open_begin(b, "select");
    h_attr(b, "id", "sex");
    h_attr(b, "name", "person.sex");
    h_flag(b, "required", true);
    h_invalid_if(b, &field_msgs, fe, "sex");
    h_open_end(b);
    h_raw(b, "<option value=\"\">");
    h_text(b, tr(r, MSG_CHOOSE));
    h_raw(b, "</option>");
    for (int i = 0; i < code_count(LIST_SEX); i++) {
        const char *code = code_name(LIST_SEX, i);
        h_open_begin(b, "option");
        h_attr(b, "value", code);
        h_flag(b, "selected", is(f->sex, code));
        h_open_end(b);
        h_text(b, code_label(r, LIST_SEX, code));
        h_close(b, "option");
    }
    h_raw(b, "</select>");
    text_input(r, b, fe, "birth_year", "person.birth_year", MSG_ADVICE_BIRTH_YEAR, f->birth_year,
               false, "number", "numeric");
    text_input(r, b, fe, "phone", "person.phone", MSG_ADVICE_PHONE, f->phone, true, "tel", "tel");
    h_raw(b, "</fieldset>");

    destination_fieldset(r, b, f, fe);
    code_select(r, b, fe, "sector", MSG_ADVICE_SECTOR, LIST_SECTOR, f->sector);
    code_select(r, b, fe, "channel", MSG_ADVICE_CHANNEL, LIST_CHANNEL, f->channel);
    agency_choice(r, b, f, fe);
    boxes(r, b, f, "documents", MSG_ADVICE_DOCUMENTS, LIST_DOCUMENT, fe);
    boxes(r, b, f, "risks", MSG_ADVICE_RISKS, LIST_MIGRATION_RISK, fe);
    h_label(r, b, "follow_up_on", MSG_ADVICE_FOLLOW_UP, true);
    h_field_error(r, b, &field_msgs, fe, "follow_up_on");
    h_open_begin(b, "input");
    h_attr(b, "id", "follow_up_on");
    h_attr(b, "name", "follow_up_on");
    h_attr(b, "type", "date");
    h_attr(b, "min", ADVICE_EARLIEST_DATE);
    h_attr(b, "value", f->follow_up_on);
    h_invalid_if(b, &field_msgs, fe, "follow_up_on");
    h_open_end(b);
    h_raw(b, "<button type=\"submit\" id=\"submit-advice\">");
    h_text(b, tr(r, MSG_ADVICE_BUTTON));
    h_raw(b, "</button></form>");
}

/* ---- the records ---- */

static void warnings_html(struct req *r, struct buf *b, const struct advice_view *v, const char *id)
{
    if (v->nwarnings == 0) {
        h_para(b, "no-warnings", id, NULL, tr(r, MSG_ADVICE_NO_WARNINGS));
        return;
    }
    h_open(b, "ul", "class", "warnings", "id", id, H_END);
    for (size_t i = 0; i < v->nwarnings; i++) {
        h_open(b, "li", "class", "warning", "data-code", v->warnings[i].code, H_END);
        h_text(b, tr(r, v->warnings[i].why));
        h_close(b, "li");
    }
    h_raw(b, "</ul>");
}

static void person_name(struct req *r, struct buf *b, const struct advice_view *v)
{
    const char *first = r->lang == LANG_KM ? v->name_km : v->name_latn;
    const char *second = r->lang == LANG_KM ? v->name_latn : v->name_km;
    if (first != NULL)
        h_text(b, first);
    if (first != NULL && second != NULL)
        h_raw(b, " · ");
    if (second != NULL)
        h_text(b, second);
    if (first == NULL && second == NULL)
        h_text(b, tr(r, MSG_ADVICE_UNNAMED));
}

static void advice_item(struct req *r, struct resp *w, const struct advice_view *v,
                        const char *prefix, bool done_button)
{
    struct buf *b = &w->body;
    const struct advice_rec *a = &v->rec;
    char id[ID_SIZE + 16], wid[ID_SIZE + 32];
    snprintf(id, sizeof id, "%s-%s", prefix, a->id);
    snprintf(wid, sizeof wid, "%s-warnings", id);
    h_open(b, "li", "id", id, "class", "record advice", H_END);
    h_raw(b, "<h3><span class=\"person\">");
    person_name(r, b, v);
    h_raw(b, "</span></h3><p class=\"plan\"><time>");
    h_text(b, a->date);
    h_raw(b, "</time> · ");
    h_text(b, country_name(r, a->destination));
    h_raw(b, " · ");
    h_text(b, code_label(r, LIST_SECTOR, a->sector));
    h_raw(b, " · ");
    h_text(b, code_label(r, LIST_CHANNEL, a->channel));
    h_raw(b, "</p>");
    warnings_html(r, b, v, wid);
    if (v->has_agency_indicators) {
        char fid[ID_SIZE + 32];
        snprintf(fid, sizeof fid, "%s-agency", id);
        page_agency_indicators(r, b, &v->agency_indicators, fid);
    }
    if (a->follow_up_on[0] != '\0') {
        h_raw(b, "<p class=\"follow-up\">");
        h_text(b, tr(r, MSG_ADVICE_FOLLOW_UP));
        h_raw(b, ": <time>");
        h_text(b, a->follow_up_on);
        h_raw(b, "</time>");
        if (a->follow_up_done_at[0] != '\0') {
            h_raw(b, " ✓ ");
            h_text(b, tr(r, MSG_ADVICE_DONE));
        }
        h_raw(b, "</p>");
    }
    if (done_button) {
        char action[ID_SIZE + 24], version[16];
        snprintf(action, sizeof action, "/advice/%s/done", a->id);
        snprintf(version, sizeof version, "%d", a->version);
        h_open(b, "form", "method", "post", "action", action, "class", "inline", H_END);
        page_csrf(r, w);
        h_hidden(b, "version", version);
        h_raw(b, "<button type=\"submit\" class=\"secondary\">");
        h_text(b, tr(r, MSG_ADVICE_DONE_BUTTON));
        h_raw(b, "</button></form>");
    }
    h_raw(b, "</li>");
}

/* One list of the page: follow-ups due, or the recent records. */
static void advice_section(struct req *r, struct resp *w, const struct ctx *cx, bool due)
{
    struct buf *b = &w->body;
    struct advice_view *items = NULL;
    size_t n = 0;
    char next[CURSOR_SIZE];
    struct fielderrs fe = {0};
    struct migrant_advice_query q = {.follow_up_due = due,
                                     .limit = due ? DUE_ADVICE : RECENT_ADVICE};
    h_raw(b, due ? "<h2 id=\"due\">" : "<h2 id=\"recent\">");
    h_text(b, tr(r, due ? MSG_ADVICE_DUE : MSG_ADVICE_RECENT));
    h_raw(b, "</h2>");
    if (migrant_advice_list(cx, &q, &items, &n, next, &fe) != ERR_OK)
        n = 0;
    if (n == 0)
        h_para(b, "empty", due ? "due-empty" : "advice-empty", NULL,
               tr(r, due ? MSG_ADVICE_DUE_EMPTY : MSG_ADVICE_EMPTY));
    h_raw(b, due ? "<ol class=\"records\" id=\"due-list\">"
                 : "<ol class=\"records\" id=\"advice-list\">");
    for (size_t i = 0; i < n; i++)
        advice_item(r, w, &items[i], due ? "due" : "advice", due && may(cx, ACT_ADVICE_UPDATE));
    h_raw(b, "</ol>");
    advice_views_free(items, n);
}

void web_advice(struct req *r, struct resp *w)
{
    struct ctx cx = page_ctx(r);
    struct buf *b = &w->body;
    if (!may(&cx, ACT_ADVICE_READ)) {
        page_fail(r, w, ERR_FORBIDDEN);
        return;
    }
    page_begin(r, w, tr(r, MSG_ADVICE_TITLE), "/advice");
    h_raw(b, "<h1>");
    h_text(b, tr(r, MSG_ADVICE_TITLE));
    h_raw(b, "</h1>");
    const char *saved = req_query(r, "saved");
    struct advice_view v = {0};
    if (saved != NULL && migrant_advice_get(&cx, saved, &v) == ERR_OK) {
        page_notice(b, "saved-notice", tr(r, MSG_ADVICE_SAVED));
        h_raw(b, "<section id=\"saved\" class=\"saved\"><h2>");
        person_name(r, b, &v);
        h_raw(b, "</h2><p>");
        h_text(b, tr(r, v.nwarnings > 0 ? MSG_ADVICE_SAVED_WARNINGS : MSG_ADVICE_NO_WARNINGS));
        h_raw(b, "</p>");
        if (v.nwarnings > 0)
            warnings_html(r, b, &v, "saved-warnings");
        if (v.has_agency_indicators)
            page_agency_indicators(r, b, &v.agency_indicators, "saved-agency");
        h_raw(b, "</section>");
        advice_view_free(&v);
    }
    const char *done = req_query(r, "done");
    if (done != NULL && strcmp(done, "1") == 0)
        page_notice(b, "done-notice", tr(r, MSG_ADVICE_DONE_SAVED));
    if (may(&cx, ACT_ADVICE_CREATE)) {
        h_raw(b, "<p><a class=\"button\" href=\"/advice/new\" id=\"new-advice\">");
        h_text(b, tr(r, MSG_ADVICE_NEW));
        h_raw(b, "</a></p>");
    }
    advice_section(r, w, &cx, true);
    advice_section(r, w, &cx, false);
    page_end(r, w);
}

/* The form page, as f holds it. */
static void advice_new_page(struct req *r, struct resp *w, const struct advice_form *f,
                            const struct fielderrs *fe)
{
    struct ctx cx = page_ctx(r);
    struct buf *b = &w->body;
    struct group_rec *groups = NULL;
    size_t ngroups = 0;
    if (migrant_advice_groups(&cx, &groups, &ngroups) != ERR_OK) {
        page_fail(r, w, ERR_INTERNAL);
        return;
    }
    if (ngroups == 0) {
        group_list_free(groups, ngroups);
        page_fail(r, w, ERR_FORBIDDEN);
        return;
    }
    page_begin(r, w, tr(r, MSG_ADVICE_NEW), "/advice");
    h_raw(b, "<h1>");
    h_text(b, tr(r, MSG_ADVICE_NEW));
    h_raw(b, "</h1>");
    advice_form_html(r, w, f, groups, ngroups, fe);
    page_end(r, w);
    group_list_free(groups, ngroups);
}

void web_advice_new(struct req *r, struct resp *w)
{
    struct advice_form f;
    struct ctx cx = page_ctx(r);
    memset(&f, 0, sizeof f);
    if (!may(&cx, ACT_ADVICE_CREATE)) {
        page_fail(r, w, ERR_FORBIDDEN);
        return;
    }
    clock_today_cambodia(f.today);
    f.date = f.today;
    advice_new_page(r, w, &f, NULL);
}

/* The form as typed: its values borrowed from the request; the
 * destination typed (upper-cased into dest) when "other" is chosen. */
static void form_typed(struct req *r, struct advice_form *f, struct migrant_advice_in *in,
                       struct fielderrs *fe, char dest[3])
{
    migrant_advice_in_init(in);
    form_fields(r, &migrant_advice_fields, in, fe);
    clock_today_cambodia(f->today);
    f->date = in->date;
    f->group_id = in->group_id;
    f->name_km = req_form(r, "person.name_km");
    f->name_latn = req_form(r, "person.name_latn");
    f->sex = req_form(r, "person.sex");
    f->birth_year = req_form(r, "person.birth_year");
    f->phone = req_form(r, "person.phone");
    f->destination = req_form(r, "destination");
    f->destination_other = req_form(r, "destination_other");
    f->sector = req_form(r, "sector");
    f->channel = req_form(r, "channel");
    f->agency_id = req_form(r, "agency_id");
    f->follow_up_on = req_form(r, "follow_up_on");
    const struct advice_documents_in *d = &in->documents;
    const bool docs[ADVICE_DOCUMENTS] = {d->passport,
                                         d->visa,
                                         d->work_permit,
                                         d->contract,
                                         d->pre_departure_orientation,
                                         d->overseas_worker_card,
                                         d->pink_card,
                                         d->certificate_of_identity};
    memcpy(f->documents, docs, sizeof docs);
    f->nrisks = in->nrisks > ADVICE_RISKS_MAX ? ADVICE_RISKS_MAX : in->nrisks;
    for (int i = 0; i < f->nrisks; i++)
        f->risks[i] = in->risks[i];
    if (is(f->destination, "other")) {
        const char *t = f->destination_other != NULL ? f->destination_other : "";
        size_t n = 0;
        while (n < 2 && t[n] != '\0') {
            dest[n] = (char)toupper((unsigned char)t[n]);
            n++;
        }
        dest[n] = '\0';
        in->destination = t[n] == '\0' && n == 2 ? dest : t;
    }
}

void web_advice_create(struct req *r, struct resp *w)
{
    struct advice_form f;
    struct fielderrs fe;
    struct migrant_advice_in in;
    struct advice_view out = {0};
    struct ctx cx = page_ctx(r);
    char dest[3] = "";

    memset(&f, 0, sizeof f);
    memset(&fe, 0, sizeof fe);
    if (!may(&cx, ACT_ADVICE_CREATE)) {
        page_fail(r, w, ERR_FORBIDDEN);
        return;
    }
    form_typed(r, &f, &in, &fe, dest);
    enum err e = fe.n > 0 ? ERR_VALIDATION : migrant_advice_create(&cx, &in, &out, &fe);
    switch (e) {
    case ERR_OK: {
        char to[ID_SIZE + 24];
        snprintf(to, sizeof to, "/advice?saved=%s", out.rec.id);
        resp_redirect(w, to);
        break;
    }
    case ERR_VALIDATION:
        w->status = 422;
        advice_new_page(r, w, &f, &fe);
        break;
    default:
        page_fail(r, w, e);
        break;
    }
    advice_view_free(&out);
}

/* After a sign-in that followed an expired session: the form as typed. */
void web_advice_create_resume(struct req *r, struct resp *w)
{
    struct advice_form f;
    struct fielderrs fe = {0};
    struct migrant_advice_in in;
    struct ctx cx = page_ctx(r);
    char dest[3] = "";

    memset(&f, 0, sizeof f);
    if (!may(&cx, ACT_ADVICE_CREATE)) {
        page_fail(r, w, ERR_FORBIDDEN);
        return;
    }
    form_typed(r, &f, &in, &fe, dest);
    advice_new_page(r, w, &f, NULL);
}

void web_advice_done(struct req *r, struct resp *w)
{
    struct ctx cx = page_ctx(r);
    struct migrant_advice_patch_in in;
    struct fielderrs fe = {0};
    struct advice_view v = {0};
    migrant_advice_patch_in_init(&in);
    form_fields(r, &migrant_advice_patch_fields, &in, &fe);
    in.follow_up_done = true; /* the button says so */
    enum err e =
        fe.n > 0 ? ERR_VALIDATION : migrant_advice_follow_up_done(&cx, r->params[0], &in, &v, &fe);
    if (e == ERR_OK)
        resp_redirect(w, "/advice?done=1");
    else
        page_fail(r, w, e);
    advice_view_free(&v);
}
