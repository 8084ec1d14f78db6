/* The incident form: GET /cases/{id}/incidents/new, POST /cases/{id}/incidents
 * (incident_add). The six classification questions of DOMAIN.md §1 are
 * asked in plain words as yes/no radio buttons with no answer chosen, so an
 * unanswered one is an error, never a "no"; the type and the context flags
 * are the domain's to compute and are shown on the case page.
 *
 * Form fields are the field paths of incident_fields ("acts.penetration",
 * "perpetrators.0.sex"), decoded by form_fields(); the location is the
 * stepped place choice ("loc.province" ... "loc.village", its "next list"
 * button posts the form back and nothing is sent) or a country abroad
 * ("location_abroad"), which wins when chosen. Up to three perpetrator rows
 * are offered; an empty row is no perpetrator, and none at all is an answer
 * (nobody known). The exploitation details are offered for the case
 * concerns that are about work (trafficking, forced labour, labour
 * exploitation).
 *
 * The route is a create (ROUTE_CREATE): the form carries an idempotency
 * key, so a double tap records one incident. Success is a 303 to the case
 * page; a refused field is 422 with the form as typed and each problem next
 * to its field; a closed case is 409 with a notice and no form. */
#include "web/case_page.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/incidents.h"
#include "domain/scope.h"
#include "util/clock.h"

#define LOC             "loc."
#define PERP_ROWS       3
#define FIELD_ABROAD    "location_abroad"
#define INCIDENT_ANCHOR "incidents"

/* The questions, in the domain's order (incident_act_code(i)). */
static const enum msg act_questions[ACTS_N] = {
    MSG_Q_PENETRATION,     MSG_Q_SEXUAL_CONTACT,      MSG_Q_PHYSICAL_ASSAULT,
    MSG_Q_FORCED_MARRIAGE, MSG_Q_DENIAL_OF_RESOURCES, MSG_Q_PSYCHOLOGICAL_ABUSE,
};

/* The parts of the form a field error is shown at: the element id, the
 * field path it answers for (an error under "path." too), its message. */
struct part {
    const char *id;
    const char *path;
    enum msg msg;
};
static const struct part simple_parts[] = {
    {"inc-date", "date", MSG_ERR_INC_DATE},
    {"inc-reported-on", "reported_on", MSG_ERR_INC_REPORTED_ON},
    {"inc-time", "time_of_day", MSG_ERR_CHOOSE_ONE},
    {"inc-location-type", "location_type", MSG_ERR_CHOOSE_ONE},
    {"inc-location", "location", MSG_ERR_INC_LOCATION},
    {"inc-stage", "migration_stage", MSG_ERR_CHOOSE_ONE},
    {"q-goods", "goods_or_money_exchanged", MSG_ERR_ANSWER},
    {"inc-abduction", "abduction", MSG_ERR_CHOOSE_ONE},
    {"inc-elsewhere", "reported_elsewhere", MSG_ERR_CHOOSE_ONE},
    {"perpetrators", "perpetrators", MSG_ERR_INC_PERPETRATOR},
    {"exploitation", "exploitation", MSG_ERR_CHOOSE_ONE},
    {"inc-description", "description", MSG_ERR_INC_DESCRIPTION},
};
#define NSIMPLE (sizeof simple_parts / sizeof simple_parts[0])

static bool under(const char *field, const char *path)
{
    size_t n = strlen(path);
    return strncmp(field, path, n) == 0 && (field[n] == '\0' || field[n] == '.');
}

static bool has_error(const struct fielderrs *fe, const char *path)
{
    for (int i = 0; fe != NULL && i < fe->n && i < FIELDERRS_MAX; i++)
        if (under(fe->e[i].field, path))
            return true;
    return false;
}

static const char *form_value(const struct req *r, const char *name)
{
    const char *v = req_form(r, name);
    return v != NULL && *v != '\0' ? v : NULL;
}

/* Whether question i is in error: its own error, or the answers missing as
 * a whole while this one was not answered. */
static bool act_error(const struct req *r, const struct fielderrs *fe, int i)
{
    char path[48];
    snprintf(path, sizeof path, "acts.%s", incident_act_code(i));
    if (has_error(fe, path))
        return true;
    for (int k = 0; fe != NULL && k < fe->n && k < FIELDERRS_MAX; k++)
        if (strcmp(fe->e[k].field, "acts") == 0)
            return form_value(r, path) == NULL;
    return false;
}

static void field_error(struct req *r, struct buf *b, const char *id, enum msg m)
{
    char eid[48];
    snprintf(eid, sizeof eid, "err-%s", id);
    h_para(b, "field-error", eid, NULL, tr(r, m));
}

/* The list of problems at the top, each a link to its field. */
static void error_summary(struct req *r, struct buf *b, const struct fielderrs *fe)
{
    h_raw(b, "<div class=\"error\" id=\"form-errors\" role=\"alert\"><p>");
    h_text(b, tr(r, MSG_FORM_ERRORS));
    h_raw(b, "</p><ul>");
    for (size_t k = 0; k < NSIMPLE; k++) {
        if (k == 6) /* the questions come before the goods-or-money answer */
            for (int i = 0; i < ACTS_N; i++) {
                if (!act_error(r, fe, i))
                    continue;
                char href[48];
                snprintf(href, sizeof href, "#q-%s", incident_act_code(i));
                h_raw(b, "<li>");
                h_open(b, "a", "href", href, H_END);
                h_text(b, tr(r, act_questions[i]));
                h_raw(b, "</a> ");
                h_text(b, tr(r, MSG_ERR_ANSWER));
                h_raw(b, "</li>");
            }
        if (!has_error(fe, simple_parts[k].path))
            continue;
        char href[48];
        snprintf(href, sizeof href, "#%s", simple_parts[k].id);
        h_raw(b, "<li>");
        h_open(b, "a", "href", href, H_END);
        h_text(b, tr(r, simple_parts[k].msg));
        h_raw(b, "</a></li>");
    }
    h_raw(b, "</ul></div>");
}

static const struct part *part_of(const char *id)
{
    for (size_t k = 0; k < NSIMPLE; k++)
        if (strcmp(simple_parts[k].id, id) == 0)
            return &simple_parts[k];
    return NULL;
}

/* The error of the part with this id, when it has one. */
static bool part_error(struct req *r, struct buf *b, const struct fielderrs *fe, const char *id)
{
    const struct part *p = part_of(id);
    if (p == NULL || !has_error(fe, p->path))
        return false;
    field_error(r, b, id, p->msg);
    return true;
}

static void date_input(struct req *r, struct buf *b, const struct fielderrs *fe, const char *id,
                       const char *name, enum msg text)
{
    char today[DATE_SIZE];
    clock_today(today);
    h_label(r, b, id, text, false);
    bool bad = part_error(r, b, fe, id);
    h_open_begin(b, "input");
    h_attr(b, "id", id);
    h_attr(b, "name", name);
    h_attr(b, "type", "date");
    h_attr(b, "max", today);
    h_attr(b, "value", form_value(r, name));
    h_flag(b, "required", true);
    if (bad)
        h_attr(b, "aria-invalid", "true");
    h_open_end(b);
}

/* A select of a code list; first: the text of the empty choice. */
static void code_select(struct req *r, struct buf *b, const struct fielderrs *fe, const char *id,
                        const char *name, enum msg text, enum code_list list, enum msg first,
                        bool optional)
{
    const char *value = form_value(r, name);
    h_label(r, b, id, text, optional);
    bool bad = fe != NULL && part_error(r, b, fe, id);
    h_open_begin(b, "select");
    h_attr(b, "id", id);
    h_attr(b, "name", name);
    h_flag(b, "required", !optional);
    if (bad)
        h_attr(b, "aria-invalid", "true");
    h_open_end(b);
    h_raw(b, "<option value=\"\">");
    h_text(b, tr(r, first));
    h_raw(b, "</option>");
    for (int i = 0; i < code_count(list); i++) {
        const char *code = code_name(list, i);
        h_open_begin(b, "option");
        h_attr(b, "value", code);
        h_flag(b, "selected", same_text(value, code));
        h_open_end(b);
        h_text(b, code_label(r, list, code));
        h_close(b, "option");
    }
    h_raw(b, "</select>");
}

/* A select of the countries other than Cambodia; first: the empty choice. */
static void country_select(struct req *r, struct buf *b, const char *id, const char *name,
                           enum msg text, enum msg first, bool optional)
{
    const char *value = form_value(r, name);
    bool listed = value == NULL;
    h_label(r, b, id, text, optional);
    h_open(b, "select", "id", id, "name", name, H_END);
    h_raw(b, "<option value=\"\">");
    h_text(b, tr(r, first));
    h_raw(b, "</option>");
    for (size_t i = 0; i < ncountries; i++) {
        if (strcmp(countries[i].code, "KH") == 0)
            continue;
        listed = listed || same_text(value, countries[i].code);
        h_open_begin(b, "option");
        h_attr(b, "value", countries[i].code);
        h_flag(b, "selected", same_text(value, countries[i].code));
        h_open_end(b);
        h_text(b, tr(r, countries[i].name));
        h_close(b, "option");
    }
    if (!listed) { /* sent from elsewhere: kept, and the domain decides */
        h_open_begin(b, "option");
        h_attr(b, "value", value);
        h_flag(b, "selected", true);
        h_open_end(b);
        h_text(b, value);
        h_close(b, "option");
    }
    h_raw(b, "</select>");
}

/* A yes/no question: two radio buttons, neither chosen until answered. */
static void yes_no(struct req *r, struct buf *b, const char *id, const char *name, enum msg q,
                   bool bad)
{
    static const struct {
        const char *v;
        enum msg m;
    } opts[] = {{"true", MSG_YES}, {"false", MSG_NO}};
    const char *value = form_value(r, name);
    h_open(b, "fieldset", "id", id, "class", bad ? "choices yes-no invalid" : "choices yes-no",
           H_END);
    h_raw(b, "<legend>");
    h_text(b, tr(r, q));
    h_raw(b, "</legend>");
    if (bad)
        field_error(r, b, id, MSG_ERR_ANSWER);
    for (size_t i = 0; i < sizeof opts / sizeof opts[0]; i++) {
        char oid[64];
        snprintf(oid, sizeof oid, "%s-%s", id, opts[i].v);
        h_raw(b, "<label class=\"check\"><input type=\"radio\" required");
        h_attr(b, "id", oid);
        h_attr(b, "name", name);
        h_attr(b, "value", opts[i].v);
        h_flag(b, "checked", same_text(value, opts[i].v));
        h_raw(b, "> ");
        h_text(b, tr(r, opts[i].m));
        h_raw(b, "</label>");
    }
    h_raw(b, "</fieldset>");
}

static void when_where(struct req *r, struct buf *b, const struct fielderrs *fe)
{
    struct place_pick pp;
    place_pick_from_form(r, LOC, &pp);
    h_raw(b, "<fieldset id=\"when\"><legend>");
    h_text(b, tr(r, MSG_INC_WHEN));
    h_raw(b, "</legend>");
    date_input(r, b, fe, "inc-date", "date", MSG_INC_DATE);
    date_input(r, b, fe, "inc-reported-on", "reported_on", MSG_INC_REPORTED_ON);
    code_select(r, b, fe, "inc-time", "time_of_day", MSG_INC_TIME_OF_DAY, LIST_TIME_OF_DAY,
                MSG_CHOOSE, false);
    code_select(r, b, fe, "inc-location-type", "location_type", MSG_INC_LOCATION_TYPE,
                LIST_LOCATION_TYPE, MSG_CHOOSE, false);
    h_raw(b, "<div id=\"inc-location\">");
    place_pick_fieldset(r, b, &pp, LOC, "inc-place", MSG_INC_PLACE,
                        has_error(fe, "location") ? tr(r, MSG_ERR_INC_LOCATION) : NULL);
    country_select(r, b, "inc-abroad", FIELD_ABROAD, MSG_INC_ABROAD, MSG_INC_IN_CAMBODIA, true);
    h_raw(b, "</div>");
    code_select(r, b, fe, "inc-stage", "migration_stage", MSG_INC_MIGRATION_STAGE,
                LIST_MIGRATION_STAGE, MSG_CHOOSE, false);
    h_raw(b, "</fieldset>");
}

static void what_happened(struct req *r, struct buf *b, const struct fielderrs *fe)
{
    h_raw(b, "<fieldset id=\"what\"><legend>");
    h_text(b, tr(r, MSG_INC_WHAT));
    h_raw(b, "</legend>");
    h_para(b, "hint", NULL, NULL, tr(r, MSG_INC_WHAT_HINT));
    for (int i = 0; i < ACTS_N; i++) {
        char id[48], name[48];
        snprintf(id, sizeof id, "q-%s", incident_act_code(i));
        snprintf(name, sizeof name, "acts.%s", incident_act_code(i));
        yes_no(r, b, id, name, act_questions[i], act_error(r, fe, i));
    }
    yes_no(r, b, "q-goods", "goods_or_money_exchanged", MSG_Q_GOODS_OR_MONEY,
           has_error(fe, "goods_or_money_exchanged"));
    code_select(r, b, fe, "inc-abduction", "abduction", MSG_INC_ABDUCTION, LIST_ABDUCTION,
                MSG_CHOOSE, false);
    code_select(r, b, fe, "inc-elsewhere", "reported_elsewhere", MSG_INC_REPORTED_ELSEWHERE,
                LIST_REPORTED_ELSEWHERE, MSG_CHOOSE, false);
    h_raw(b, "</fieldset>");
}

static void perpetrators(struct req *r, struct buf *b, const struct fielderrs *fe)
{
    static const struct {
        const char *name;
        enum msg label;
        enum code_list list;
    } cols[] = {
        {"sex", MSG_INC_PERP_SEX, LIST_SEX},
        {"age_group", MSG_INC_PERP_AGE, LIST_AGE_GROUP},
        {"relationship", MSG_INC_PERP_RELATIONSHIP, LIST_RELATIONSHIP},
    };
    h_raw(b, "<fieldset id=\"perpetrators\"><legend>");
    h_text(b, tr(r, MSG_INC_PERPETRATORS));
    h_raw(b, "</legend>");
    part_error(r, b, fe, "perpetrators");
    h_para(b, "hint", NULL, NULL, tr(r, MSG_INC_PERPETRATORS_HINT));
    for (int k = 0; k < PERP_ROWS; k++) {
        char n[8], rid[24];
        snprintf(n, sizeof n, "%d", k + 1);
        snprintf(rid, sizeof rid, "perp-%d", k);
        h_open(b, "fieldset", "id", rid, "class", "perpetrator", H_END);
        h_raw(b, "<legend>");
        h_text_sub(b, tr(r, MSG_INC_PERPETRATOR_N), n);
        h_raw(b, "</legend>");
        for (size_t c = 0; c < sizeof cols / sizeof cols[0]; c++) {
            char id[40], name[48];
            snprintf(id, sizeof id, "perp-%d-%s", k, cols[c].name);
            snprintf(name, sizeof name, "perpetrators.%d.%s", k, cols[c].name);
            code_select(r, b, NULL, id, name, cols[c].label, cols[c].list, MSG_NOT_KNOWN, true);
        }
        h_raw(b, "</fieldset>");
    }
    h_raw(b, "</fieldset>");
}

/* Whether the case is about work: the exploitation details are asked. */
static bool about_work(const struct case_rec *c)
{
    static const char *const work[] = {"trafficking", "forced_labour", "labour_exploitation"};
    for (int i = 0; i < c->nconcerns && i < CONCERNS_MAX; i++)
        for (size_t k = 0; k < sizeof work / sizeof work[0]; k++)
            if (strcmp(c->concerns[i], work[k]) == 0)
                return true;
    return false;
}

static void exploitation(struct req *r, struct buf *b, const struct fielderrs *fe)
{
    h_raw(b, "<fieldset id=\"exploitation\"><legend>");
    h_text(b, tr(r, MSG_INC_EXPLOITATION));
    h_raw(b, " <small>(");
    h_text(b, tr(r, MSG_OPTIONAL));
    h_raw(b, ")</small></legend>");
    part_error(r, b, fe, "exploitation");
    code_select(r, b, NULL, "expl-sector", "exploitation.sector", MSG_INC_EXPL_SECTOR, LIST_SECTOR,
                MSG_NOT_KNOWN, true);
    country_select(r, b, "expl-destination", "exploitation.destination", MSG_INC_EXPL_DESTINATION,
                   MSG_NOT_KNOWN, true);
    code_select(r, b, NULL, "expl-channel", "exploitation.channel", MSG_INC_EXPL_CHANNEL,
                LIST_CHANNEL, MSG_NOT_KNOWN, true);
    h_raw(b, "</fieldset>");
}

static void description(struct req *r, struct buf *b, const struct fielderrs *fe)
{
    h_label(r, b, "inc-description", MSG_INC_DESCRIPTION, true);
    part_error(r, b, fe, "inc-description");
    h_para(b, "hint", NULL, NULL, tr(r, MSG_INC_DESCRIPTION_HINT));
    h_raw(b, "<textarea id=\"inc-description\" name=\"description\" rows=\"4\" "
             "maxlength=\"4000\">");
    h_text(b, req_form(r, "description"));
    h_raw(b, "</textarea>");
}

/* The page: the form as typed (NULL fe: none sent yet), or with closed only
 * the notice that the case takes no incident. */
static void incident_page(struct req *r, struct resp *w, const struct case_view *v,
                          const struct fielderrs *fe, bool closed)
{
    struct buf *b = &w->body;
    struct buf self = {0}, action = {0}, back = {0};
    const struct case_rec *c = &v->rec;

    buf_puts(&back, "/cases/");
    url_encode(&back, c->id);
    buf_puts(&self, back.p);
    buf_puts(&self, "/incidents/new");
    buf_puts(&action, back.p);
    buf_puts(&action, "/incidents");
    char *title = text_sub(tr(r, MSG_INC_TITLE), c->code);
    page_begin(r, w, title, self.p);
    h_raw(b, "<h1 id=\"incident-title\">");
    h_text(b, title);
    h_raw(b, "</h1>");
    free(title);
    if (closed) {
        h_para(b, "error", "case-closed", "alert", tr(r, MSG_INC_CLOSED));
    } else {
        if (form_resumed(r))
            form_resumed_notice(r, b);
        if (fe != NULL && fe->n > 0)
            error_summary(r, b, fe);
        h_para(b, "hint", NULL, NULL, tr(r, MSG_INC_INTRO));
        h_open(b, "form", "method", "post", "action", action.p, "id", "incident-form", "class",
               "stack", H_END);
        page_csrf(r, w);
        page_idempotency_key(r, w);
        when_where(r, b, fe);
        what_happened(r, b, fe);
        perpetrators(r, b, fe);
        if (about_work(c) || form_value(r, "exploitation.sector") != NULL ||
            form_value(r, "exploitation.destination") != NULL ||
            form_value(r, "exploitation.channel") != NULL)
            exploitation(r, b, fe);
        description(r, b, fe);
        h_raw(b, "<button type=\"submit\" name=\"send\" value=\"1\" id=\"incident-submit\">");
        h_text(b, tr(r, MSG_INC_BUTTON));
        h_raw(b, "</button></form>");
    }
    h_raw(b, "<p>");
    h_open(b, "a", "href", back.p, "id", "back-to-case", H_END);
    h_text(b, tr(r, MSG_BACK_TO_CASE));
    h_raw(b, "</a></p>");
    page_end(r, w);
    buf_free(&self);
    buf_free(&action);
    buf_free(&back);
}

static bool case_closed(const struct case_view *v)
{
    return strcmp(v->rec.status, "closed") == 0;
}

/* GET, and the form again after a sign-in (its fields as typed). */
static void incident_show(struct req *r, struct resp *w)
{
    struct case_view v;
    enum err e = page_case_for(r, page_id(r), ACT_INCIDENT_CREATE, &v);
    if (e != ERR_OK)
        page_fail(r, w, e);
    else
        incident_page(r, w, &v, NULL, case_closed(&v));
    case_view_free(&v);
}

void web_incident_new(struct req *r, struct resp *w)
{
    incident_show(r, w);
}

void web_incident_create_resume(struct req *r, struct resp *w)
{
    incident_show(r, w);
}

/* The location: a country abroad when chosen, else the deepest place. */
static void location_in(const struct req *r, struct incident_in *in, struct place_pick *pp)
{
    const char *abroad = form_value(r, FIELD_ABROAD);
    place_pick_from_form(r, LOC, pp);
    in->location = abroad != NULL ? abroad : place_pick_chosen(pp);
    if (in->location != NULL)
        fields_mark(&incident_fields, in, INCIDENT_F_LOCATION, false);
}

void web_incident_create(struct req *r, struct resp *w)
{
    struct ctx cx = page_ctx(r);
    struct case_view v;
    struct incident_in in;
    struct incident_view out;
    struct place_pick pp; /* in.location may point into it */
    struct fielderrs fe = {0};
    const char *id = page_id(r);

    memset(&out, 0, sizeof out);
    enum err e = page_case_for(r, id, ACT_INCIDENT_CREATE, &v);
    if (e != ERR_OK) {
        page_fail(r, w, e);
        goto out;
    }
    if (req_form(r, "step") != NULL && req_form(r, "send") == NULL) {
        /* The next list of places: nothing is sent yet. */
        incident_page(r, w, &v, NULL, false);
        goto out;
    }
    incident_in_init(&in);
    form_fields(r, &incident_fields, &in, &fe);
    location_in(r, &in, &pp);
    /* No perpetrator row filled in is an answer: nobody known. */
    fields_mark(&incident_fields, &in, INCIDENT_F_PERPETRATORS, false);
    e = fe.n > 0 ? ERR_VALIDATION : incident_add(&cx, id, &in, &out, &fe);
    switch (e) {
    case ERR_OK: {
        struct buf to = {0};
        buf_puts(&to, "/cases/");
        url_encode(&to, id);
        buf_puts(&to, "?ok=incident#" INCIDENT_ANCHOR);
        resp_redirect(w, to.p);
        buf_free(&to);
        break;
    }
    case ERR_VALIDATION:
        w->status = 422;
        incident_page(r, w, &v, &fe, false);
        break;
    case ERR_CONFLICT:
        w->status = 409;
        incident_page(r, w, &v, NULL, true);
        break;
    default:
        page_fail(r, w, e);
        break;
    }
out:
    incident_view_free(&out);
    case_view_free(&v);
}
