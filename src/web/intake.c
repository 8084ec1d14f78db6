/* Intake and assessment: GET /cases/{id}/edit shows the survivor's identity
 * and demographics, the risk and urgency, concerns and summary as they are;
 * POST /cases/{id}/edit sends them (case_update, a PATCH at the version the
 * form was opened with, in the hidden field "version").
 *
 * Every field of the form is sent: one left empty clears the value
 * (form_nulls), and the date of birth and the age replace each other. The
 * survivor's address is a gazetteer code chosen with the stepped place
 * choice (form fields "addr.province" ... "addr.village") plus free text.
 * A stale version (someone saved the case since the form was opened, or it
 * was closed) is 409: the form again with the values as they are now and a
 * notice saying that nothing was saved. */
#include "web/case_page.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "domain/agencies.h"
#include "domain/casework.h"
#include "domain/scope.h"
#include "util/alloc.h"

#define ADDR "addr."

/* The form's values as text: borrowed from the request, from the case view
 * or from the buffers here. Booleans are "true", "false" or NULL. */
struct intake_form {
    const char *version;
    const char *name_km, *name_latn, *phone, *sex, *birth_date, *age, *age_estimated;
    const char *marital, *dependants, *occupation, *disability, *nationality, *address_text;
    struct place_pick addr;
    const char *countries[MIGRATION_COUNTRIES_MAX];
    int ncountries;
    const char *years, *channel, *sector;
    const char *risk, *urgent, *summary;
    const char *agency_id, *employer;
    const char *concerns[CONCERNS_MAX];
    int nconcerns;
    char buf[5][16]; /* numbers written as text */
    json_t *demo;    /* the stored demographics, when read from a view */
};

/* Which message a domain field error shows, and next to which form field. */
static const struct field_msg field_msg_rows[] = {
    {"version", "version", MSG_ERR_FIELD},
    {"survivor.name_km", "name_km", MSG_ERR_NAME},
    {"survivor.name_latn", "name_latn", MSG_ERR_NAME},
    {"survivor.phone", "phone", MSG_ERR_PHONE},
    {"survivor.sex", "sex", MSG_ERR_SEX},
    {"survivor.birth_date", "birth_date", MSG_ERR_BIRTH_DATE},
    {"survivor.age", "age", MSG_ERR_AGE},
    {"survivor.dependants", "dependants", MSG_ERR_DEPENDANTS},
    {"survivor.occupation", "occupation", MSG_ERR_NAME},
    {"survivor.nationality", "nationality", MSG_ERR_FIELD},
    {"survivor.address_code", "address", MSG_ERR_PLACE},
    {"survivor.address_text", "address", MSG_ERR_ADDRESS},
    {"survivor.migration", "migration", MSG_ERR_MIGRATION},
    {"survivor.migration.countries", "migration", MSG_ERR_MIGRATION},
    {"survivor.migration.years", "migration", MSG_ERR_MIGRATION},
    {"concerns", "concerns", MSG_ERR_CONCERNS},
    {"summary", "summary", MSG_ERR_SUMMARY},
    {"risk", "risk", MSG_ERR_FIELD},
    {"agency_id", "agency", MSG_ERR_ADVICE_AGENCY},
    {"employer", "employer", MSG_ERR_CASE_EMPLOYER},
};
static const struct field_msgs field_msgs = FIELD_MSGS(field_msg_rows);

static const char *bool_text(bool v)
{
    return v ? "true" : "false";
}

/* The form from the case as it is. */
static void form_from_view(struct req *r, struct intake_form *f, const struct case_view *v)
{
    const struct case_rec *c = &v->rec;
    const struct survivor_view *s = &v->survivor;
    memset(f, 0, sizeof *f);
    snprintf(f->buf[0], sizeof f->buf[0], "%d", c->version);
    f->version = f->buf[0];
    f->risk = c->risk[0] != '\0' ? c->risk : NULL;
    f->urgent = bool_text(c->urgent);
    f->summary = v->summary;
    f->agency_id = c->agency_id[0] != '\0' ? c->agency_id : NULL;
    f->employer = v->employer;
    f->nconcerns = c->nconcerns < CONCERNS_MAX ? c->nconcerns : CONCERNS_MAX;
    for (int i = 0; i < f->nconcerns; i++)
        f->concerns[i] = c->concerns[i];
    if (!v->has_survivor)
        return;
    f->name_km = s->name_km;
    f->name_latn = s->name_latn;
    f->phone = s->phone;
    f->sex = s->sex[0] != '\0' ? s->sex : NULL;
    f->birth_date = s->birth_date;
    if (s->age >= 0 && (s->birth_date == NULL || *s->birth_date == '\0')) {
        snprintf(f->buf[1], sizeof f->buf[1], "%d", s->age);
        f->age = f->buf[1];
    }
    f->age_estimated = bool_text(s->age_estimated);
    f->occupation = s->occupation;
    f->address_text = s->address_text;
    place_pick_set(r, &f->addr, s->address_code);
    f->demo = s->demographics != NULL ? json_loads(s->demographics, 0, NULL) : NULL;
    if (!json_is_object(f->demo))
        return;
    f->marital = json_string_value(json_object_get(f->demo, "marital_status"));
    json_t *dep = json_object_get(f->demo, "dependants");
    if (json_is_integer(dep)) {
        snprintf(f->buf[2], sizeof f->buf[2], "%lld", (long long)json_integer_value(dep));
        f->dependants = f->buf[2];
    }
    json_t *dis = json_object_get(f->demo, "disability");
    if (json_is_boolean(dis))
        f->disability = bool_text(json_is_true(dis));
    f->nationality = json_string_value(json_object_get(f->demo, "nationality"));
    json_t *mig = json_object_get(f->demo, "migration");
    if (json_is_object(mig)) {
        size_t i;
        json_t *cc;
        json_array_foreach(json_object_get(mig, "countries"), i, cc)
        {
            if (f->ncountries < MIGRATION_COUNTRIES_MAX && json_is_string(cc))
                f->countries[f->ncountries++] = json_string_value(cc);
        }
        json_t *years = json_object_get(mig, "years");
        if (json_is_integer(years)) {
            snprintf(f->buf[3], sizeof f->buf[3], "%lld", (long long)json_integer_value(years));
            f->years = f->buf[3];
        }
        f->channel = json_string_value(json_object_get(mig, "channel"));
        f->sector = json_string_value(json_object_get(mig, "sector"));
    }
}

static const char *form_value(const struct req *r, const char *name)
{
    const char *v = req_form(r, name);
    return v != NULL && *v != '\0' ? v : NULL;
}

/* The form as typed. */
static void form_from_request(struct req *r, struct intake_form *f)
{
    memset(f, 0, sizeof *f);
    f->version = form_value(r, "version");
    f->name_km = form_value(r, "survivor.name_km");
    f->name_latn = form_value(r, "survivor.name_latn");
    f->phone = form_value(r, "survivor.phone");
    f->sex = form_value(r, "survivor.sex");
    f->birth_date = form_value(r, "survivor.birth_date");
    f->age = form_value(r, "survivor.age");
    f->age_estimated = form_value(r, "survivor.age_estimated");
    f->marital = form_value(r, "survivor.marital_status");
    f->dependants = form_value(r, "survivor.dependants");
    f->occupation = form_value(r, "survivor.occupation");
    f->disability = form_value(r, "survivor.disability");
    f->nationality = form_value(r, "survivor.nationality");
    f->address_text = form_value(r, "survivor.address_text");
    place_pick_from_form(r, ADDR, &f->addr);
    f->ncountries =
        req_form_all(r, "survivor.migration.countries", f->countries, MIGRATION_COUNTRIES_MAX);
    f->years = form_value(r, "survivor.migration.years");
    f->channel = form_value(r, "survivor.migration.channel");
    f->sector = form_value(r, "survivor.migration.sector");
    f->risk = form_value(r, "risk");
    f->urgent = form_value(r, "urgent");
    f->summary = form_value(r, "summary");
    f->agency_id = form_value(r, "agency_id");
    f->employer = form_value(r, "employer");
    f->nconcerns = req_form_all(r, "concern", f->concerns, CONCERNS_MAX);
}

static void input(struct req *r, struct buf *b, const struct fielderrs *fe, const char *id,
                  const char *name, enum msg text, const char *type, const char *maxlength,
                  const char *value)
{
    h_label(r, b, id, text, true);
    h_field_error(r, b, &field_msgs, fe, id);
    h_open_begin(b, "input");
    h_attr(b, "id", id);
    h_attr(b, "name", name);
    h_attr(b, "type", type);
    h_attr(b, "maxlength", maxlength);
    h_attr(b, "value", value != NULL ? value : "");
    if (strcmp(type, "text") == 0 && strcmp(maxlength, "3") == 0)
        h_attr(b, "inputmode", "numeric");
    if (form_error(&field_msgs, fe, id) >= 0)
        h_attr(b, "aria-invalid", "true");
    h_open_end(b);
}

/* Radio buttons for a yes/no answer; "" (not known) when none is given. */
static void yes_no(struct req *r, struct buf *b, const char *id, const char *name, enum msg text,
                   const char *value, bool unknown)
{
    static const struct {
        const char *v;
        enum msg m;
    } opts[] = {{"true", MSG_YES}, {"false", MSG_NO}, {"", MSG_NOT_KNOWN}};
    h_open(b, "fieldset", "id", id, "class", "choices", H_END);
    h_raw(b, "<legend>");
    h_text(b, tr(r, text));
    h_raw(b, "</legend>");
    for (size_t i = 0; i < (unknown ? 3u : 2u); i++) {
        char oid[48];
        snprintf(oid, sizeof oid, "%s-%s", id, opts[i].v[0] != '\0' ? opts[i].v : "unknown");
        h_raw(b, "<label class=\"check\"><input type=\"radio\"");
        h_attr(b, "id", oid);
        h_attr(b, "name", name);
        h_attr(b, "value", opts[i].v);
        h_flag(b, "checked",
               opts[i].v[0] != '\0' ? same_text(value, opts[i].v)
                                    : (value == NULL || *value == '\0'));
        h_raw(b, "> ");
        h_text(b, tr(r, opts[i].m));
        h_raw(b, "</label>");
    }
    h_raw(b, "</fieldset>");
}

static void code_select(struct req *r, struct buf *b, const struct fielderrs *fe, const char *id,
                        const char *name, enum msg text, enum code_list list, const char *value)
{
    h_label(r, b, id, text, true);
    h_field_error(r, b, &field_msgs, fe, id);
    h_open(b, "select", "id", id, "name", name, H_END);
    h_raw(b, "<option value=\"\">");
    h_text(b, tr(r, MSG_NOT_KNOWN));
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

static const char *country_name(const struct req *r, const char *code)
{
    for (size_t i = 0; i < ncountries; i++)
        if (same_text(code, countries[i].code))
            return tr(r, countries[i].name);
    return code;
}

static void nationality_select(struct req *r, struct buf *b, const struct fielderrs *fe,
                               const char *value)
{
    bool listed = value == NULL;
    h_label(r, b, "nationality", MSG_NATIONALITY, true);
    h_field_error(r, b, &field_msgs, fe, "nationality");
    h_raw(b, "<select id=\"nationality\" name=\"survivor.nationality\"><option value=\"\">");
    h_text(b, tr(r, MSG_NOT_KNOWN));
    h_raw(b, "</option>");
    for (size_t i = 0; i < ncountries; i++) {
        listed = listed || same_text(value, countries[i].code);
        h_open_begin(b, "option");
        h_attr(b, "value", countries[i].code);
        h_flag(b, "selected", same_text(value, countries[i].code));
        h_open_end(b);
        h_text(b, tr(r, countries[i].name));
        h_close(b, "option");
    }
    if (!listed) {
        h_open_begin(b, "option");
        h_attr(b, "value", value);
        h_flag(b, "selected", true);
        h_open_end(b);
        h_text(b, value);
        h_close(b, "option");
    }
    h_raw(b, "</select>");
}

static bool has(const char *const *list, int n, const char *code)
{
    for (int i = 0; i < n; i++)
        if (same_text(list[i], code))
            return true;
    return false;
}

static void migration_fieldset(struct req *r, struct buf *b, const struct intake_form *f,
                               const struct fielderrs *fe)
{
    h_raw(b, "<fieldset id=\"migration\"><legend>");
    h_text(b, tr(r, MSG_MIGRATION));
    h_raw(b, "</legend>");
    h_field_error(r, b, &field_msgs, fe, "migration");
    h_raw(b, "<fieldset class=\"choices\" id=\"migration-countries\"><legend>");
    h_text(b, tr(r, MSG_MIGRATION_COUNTRIES));
    h_raw(b, "</legend>");
    for (size_t i = 1; i < ncountries; i++) {
        char id[16];
        snprintf(id, sizeof id, "country-%s", countries[i].code);
        h_raw(b, "<label class=\"check\"><input type=\"checkbox\" "
                 "name=\"survivor.migration.countries\"");
        h_attr(b, "id", id);
        h_attr(b, "value", countries[i].code);
        h_flag(b, "checked", has(f->countries, f->ncountries, countries[i].code));
        h_raw(b, "> ");
        h_text(b, tr(r, countries[i].name));
        h_raw(b, "</label>");
    }
    /* Countries stored outside the list stay ticked. */
    for (int k = 0; k < f->ncountries; k++) {
        bool listed = false;
        for (size_t i = 1; i < ncountries; i++)
            listed = listed || same_text(f->countries[k], countries[i].code);
        if (listed)
            continue;
        h_raw(b, "<label class=\"check\"><input type=\"checkbox\" "
                 "name=\"survivor.migration.countries\" checked");
        h_attr(b, "value", f->countries[k]);
        h_raw(b, "> ");
        h_text(b, country_name(r, f->countries[k]));
        h_raw(b, "</label>");
    }
    h_raw(b, "</fieldset>");
    input(r, b, fe, "migration-years", "survivor.migration.years", MSG_MIGRATION_YEARS, "text", "2",
          f->years);
    code_select(r, b, fe, "migration-channel", "survivor.migration.channel", MSG_MIGRATION_CHANNEL,
                LIST_CHANNEL, f->channel);
    code_select(r, b, fe, "migration-sector", "survivor.migration.sector", MSG_MIGRATION_SECTOR,
                LIST_SECTOR, f->sector);
    h_raw(b, "</fieldset>");
}

/* "/cases/ID" into b; returns its text. */
/* The agency that sent her, chosen from the list (by name in the page's
 * language, as the advice form), and the employer abroad. */
static void agency_fieldset(struct req *r, struct buf *b, const struct intake_form *f,
                            const struct fielderrs *fe)
{
    struct ctx cx = page_ctx(r);
    struct agency_rec *items = NULL;
    size_t n = 0;
    char next[ID_SIZE];
    struct fielderrs lfe = {0};
    struct agency_query q = {.limit = 500, .lang = r->lang};
    if (agency_list(&cx, &q, &items, &n, next, &lfe) != ERR_OK)
        n = 0;
    h_raw(b, "<fieldset id=\"agency-employer\"><legend>");
    h_text(b, tr(r, MSG_CASE_AGENCY_TITLE));
    h_raw(b, "</legend>");
    h_label(r, b, "agency", MSG_CASE_AGENCY, true);
    h_field_error(r, b, &field_msgs, fe, "agency");
    h_open_begin(b, "select");
    h_attr(b, "id", "agency");
    h_attr(b, "name", "agency_id");
    if (form_error(&field_msgs, fe, "agency") >= 0)
        h_attr(b, "aria-invalid", "true");
    h_open_end(b);
    h_raw(b, "<option value=\"\">");
    h_text(b, tr(r, MSG_ADVICE_NO_AGENCY));
    h_raw(b, "</option>");
    bool listed = false;
    for (size_t i = 0; i < n; i++) {
        bool chosen = same_text(f->agency_id, items[i].id);
        listed = listed || chosen;
        h_open_begin(b, "option");
        h_attr(b, "value", items[i].id);
        h_flag(b, "selected", chosen);
        h_open_end(b);
        h_text(b, r->lang == LANG_KM ? items[i].name_km : items[i].name_en);
        h_close(b, "option");
    }
    if (!listed && f->agency_id != NULL) {
        /* Kept as sent (past the list's first page, or unknown: the error says). */
        h_open_begin(b, "option");
        h_attr(b, "value", f->agency_id);
        h_flag(b, "selected", true);
        h_open_end(b);
        h_text(b, f->agency_id);
        h_close(b, "option");
    }
    h_raw(b, "</select>");
    agency_list_free(items, n);
    input(r, b, fe, "employer", "employer", MSG_CASE_EMPLOYER, "text", "200", f->employer);
    h_raw(b, "</fieldset>");
}

static const char *case_path(const char *id, struct buf *b)
{
    buf_puts(b, "/cases/");
    url_encode(b, id);
    return b->p;
}

static void intake_page(struct req *r, struct resp *w, const struct case_view *v,
                        const struct intake_form *f, const struct fielderrs *fe, enum msg notice)
{
    struct buf *b = &w->body;
    struct buf self = {0}, action = {0}, back = {0};
    const struct case_rec *c = &v->rec;

    buf_puts(&self, "/cases/");
    url_encode(&self, c->id);
    buf_puts(&action, self.p);
    buf_puts(&self, "/edit");
    buf_puts(&action, "/edit");
    char *title = text_sub(tr(r, MSG_INTAKE_TITLE), c->code);
    page_begin(r, w, title, self.p);
    h_raw(b, "<h1>");
    h_text(b, title);
    h_raw(b, "</h1>");
    free(title);
    if (form_resumed(r))
        form_resumed_notice(r, b);
    if (notice != 0)
        h_para(b, "error", "stale-notice", "alert", tr(r, notice));
    if (fe != NULL && fe->n > 0)
        h_error_summary(r, b, &field_msgs, fe);
    h_open(b, "form", "method", "post", "action", action.p, "id", "intake-form", "class", "stack",
           H_END);
    page_csrf(r, w);
    h_hidden(b, "version", f->version);

    /* Identity */
    h_raw(b, "<fieldset id=\"identity\"><legend>");
    h_text(b, tr(r, MSG_INTAKE_IDENTITY));
    h_raw(b, "</legend>");
    input(r, b, fe, "name_km", "survivor.name_km", MSG_NAME_KM, "text", "120", f->name_km);
    input(r, b, fe, "name_latn", "survivor.name_latn", MSG_NAME_LATN_SPELLED, "text", "120",
          f->name_latn);
    input(r, b, fe, "phone", "survivor.phone", MSG_PHONE, "tel", "20", f->phone);
    h_raw(b, "<fieldset id=\"sex\" class=\"choices\"><legend>");
    h_text(b, tr(r, MSG_SEX));
    h_raw(b, "</legend>");
    h_field_error(r, b, &field_msgs, fe, "sex");
    for (int i = 0; i < code_count(LIST_SEX); i++) {
        const char *code = code_name(LIST_SEX, i);
        char id[32];
        snprintf(id, sizeof id, "sex-%s", code);
        h_raw(b, "<label class=\"check\"><input type=\"radio\" name=\"survivor.sex\"");
        h_attr(b, "id", id);
        h_attr(b, "value", code);
        h_flag(b, "checked", same_text(f->sex, code));
        h_raw(b, "> ");
        h_text(b, code_label(r, LIST_SEX, code));
        h_raw(b, "</label>");
    }
    h_raw(b, "</fieldset>");
    h_para(b, "hint", "age-hint", NULL, tr(r, MSG_INTAKE_AGE_HINT));
    input(r, b, fe, "birth_date", "survivor.birth_date", MSG_BIRTH_DATE, "date", "10",
          f->birth_date);
    input(r, b, fe, "age", "survivor.age", MSG_AGE, "text", "3", f->age);
    yes_no(r, b, "age_estimated", "survivor.age_estimated", MSG_AGE_ESTIMATED, f->age_estimated,
           false);
    place_pick_fieldset(r, b, &f->addr, ADDR, "address", MSG_ADDRESS,
                        form_error(&field_msgs, fe, "address") >= 0 ? tr(r, MSG_ERR_ADDRESS)
                                                                    : NULL);
    input(r, b, fe, "address_text", "survivor.address_text", MSG_ADDRESS_TEXT, "text", "500",
          f->address_text);
    h_raw(b, "</fieldset>");

    /* Demographics */
    h_raw(b, "<fieldset id=\"demographics\"><legend>");
    h_text(b, tr(r, MSG_INTAKE_DEMOGRAPHICS));
    h_raw(b, "</legend>");
    code_select(r, b, fe, "marital_status", "survivor.marital_status", MSG_MARITAL_STATUS,
                LIST_MARITAL_STATUS, f->marital);
    input(r, b, fe, "dependants", "survivor.dependants", MSG_DEPENDANTS, "text", "3",
          f->dependants);
    input(r, b, fe, "occupation", "survivor.occupation", MSG_OCCUPATION, "text", "120",
          f->occupation);
    yes_no(r, b, "disability", "survivor.disability", MSG_DISABILITY, f->disability, true);
    nationality_select(r, b, fe, f->nationality);
    h_raw(b, "</fieldset>");
    migration_fieldset(r, b, f, fe);
    agency_fieldset(r, b, f, fe);

    /* Assessment */
    h_raw(b, "<fieldset id=\"assessment\"><legend>");
    h_text(b, tr(r, MSG_INTAKE_ASSESSMENT));
    h_raw(b, "</legend>");
    code_select(r, b, fe, "risk", "risk", MSG_CASE_RISK, LIST_RISK, f->risk);
    yes_no(r, b, "urgent", "urgent", MSG_URGENT, f->urgent, false);
    h_raw(b, "<fieldset id=\"concerns\" class=\"choices\"><legend>");
    h_text(b, tr(r, MSG_CONCERNS));
    h_raw(b, "</legend>");
    h_field_error(r, b, &field_msgs, fe, "concerns");
    for (int i = 0; i < code_count(LIST_CONCERN); i++) {
        const char *code = code_name(LIST_CONCERN, i);
        char id[48];
        snprintf(id, sizeof id, "concern-%s", code);
        h_raw(b, "<label class=\"check\"><input type=\"checkbox\" name=\"concern\"");
        h_attr(b, "id", id);
        h_attr(b, "value", code);
        h_flag(b, "checked", has(f->concerns, f->nconcerns, code));
        h_raw(b, "> ");
        h_text(b, code_label(r, LIST_CONCERN, code));
        h_raw(b, "</label>");
    }
    h_raw(b, "</fieldset>");
    h_label(r, b, "summary", MSG_CASE_SUMMARY, true);
    h_field_error(r, b, &field_msgs, fe, "summary");
    h_raw(b, "<textarea id=\"summary\" name=\"summary\" rows=\"5\" maxlength=\"4000\">");
    h_text(b, f->summary);
    h_raw(b, "</textarea></fieldset>");

    h_raw(b, "<button type=\"submit\" name=\"send\" value=\"1\" id=\"intake-submit\">");
    h_text(b, tr(r, MSG_INTAKE_BUTTON));
    h_raw(b, "</button></form><p>");
    h_open(b, "a", "href", case_path(c->id, &back), "id", "back-to-case", H_END);
    h_text(b, tr(r, MSG_BACK_TO_CASE));
    h_raw(b, "</a></p>");
    page_end(r, w);
    buf_free(&self);
    buf_free(&action);
    buf_free(&back);
}

void web_case_edit(struct req *r, struct resp *w)
{
    struct case_view v;
    struct intake_form f;
    enum err e = page_case_for(r, page_id(r), ACT_CASE_UPDATE, &v);
    if (e != ERR_OK) {
        page_fail(r, w, e);
    } else {
        form_from_view(r, &f, &v);
        intake_page(r, w, &v, &f, NULL, 0);
        json_decref(f.demo);
    }
    case_view_free(&v);
}

/* The address chosen with the stepped place choice goes in as the survivor's
 * address_code: the deepest level chosen, or null when none is. */
static void address_in(struct case_patch_in *in, const struct intake_form *f)
{
    const char *code = place_pick_chosen(&f->addr);
    in->survivor.address_code = code;
    fields_mark(&survivor_fields, &in->survivor, SURVIVOR_F_ADDRESS_CODE, code == NULL);
    in->has_survivor = true;
    for (int i = 0; i < case_patch_fields.n; i++)
        if (case_patch_fields.fields[i].sub == &survivor_fields)
            fields_mark(&case_patch_fields, in, i, false);
}

void web_case_update(struct req *r, struct resp *w)
{
    struct ctx cx = page_ctx(r);
    struct case_view v, out;
    struct intake_form f;
    struct case_patch_in in;
    struct fielderrs fe = {0};
    const char *id = page_id(r);

    memset(&out, 0, sizeof out);
    enum err e = page_case_for(r, id, ACT_CASE_UPDATE, &v);
    if (e != ERR_OK) {
        page_fail(r, w, e);
        goto out;
    }
    form_from_request(r, &f);
    if (req_form(r, "step") != NULL && req_form(r, "send") == NULL) {
        /* The next list of places: nothing is sent yet. */
        intake_page(r, w, &v, &f, NULL, 0);
        goto out;
    }
    case_patch_in_init(&in);
    form_fields(r, &case_patch_fields, &in, &fe);
    form_nulls(r, &case_patch_fields, &in);
    address_in(&in, &f);
    e = fe.n > 0 ? ERR_VALIDATION : case_update(&cx, id, &in, &out, &fe);
    switch (e) {
    case ERR_OK: {
        struct buf to = {0};
        case_path(id, &to);
        buf_puts(&to, "?ok=updated");
        resp_redirect(w, to.p);
        buf_free(&to);
        break;
    }
    case ERR_VALIDATION:
        w->status = 422;
        intake_page(r, w, &v, &f, &fe, 0);
        break;
    case ERR_CONFLICT: {
        /* Stale: the form again with the case as it is now. */
        struct case_view now;
        struct intake_form cur;
        if (page_case_for(r, id, ACT_CASE_UPDATE, &now) == ERR_OK) {
            w->status = 409;
            form_from_view(r, &cur, &now);
            intake_page(r, w, &now, &cur, NULL, MSG_INTAKE_STALE);
            json_decref(cur.demo);
        } else {
            page_fail(r, w, ERR_CONFLICT);
        }
        case_view_free(&now);
        break;
    }
    default:
        page_fail(r, w, e);
        break;
    }
out:
    case_view_free(&v);
    case_view_free(&out);
}

/* After a sign-in that followed an expired session: the form as typed. */
void web_case_update_resume(struct req *r, struct resp *w)
{
    struct case_view v;
    struct intake_form f;
    enum err e = page_case_for(r, page_id(r), ACT_CASE_UPDATE, &v);
    if (e != ERR_OK) {
        page_fail(r, w, e);
    } else {
        form_from_request(r, &f);
        intake_page(r, w, &v, &f, NULL, 0);
    }
    case_view_free(&v);
}
