/* The network's groups and members on the pages (issue 8 items 1 and 8).
 *
 * GET /groups lists the groups the caller may see (group_list decides);
 * GET /groups/{id} shows one: its name and place, its members for those who
 * may read them (the active ones first), the form that adds a member for
 * those who may add, and the form that changes the group for those who may.
 * POST /groups/{id} changes the group (group_update at the version the
 * form was opened with); POST /groups/{id}/members adds a member
 * (member_add). GET /members/{id}/edit and POST /members/{id}/edit edit a
 * member (member_update at the version read); the same POST with only the
 * version and "active" deactivates or reactivates her: a member is never
 * deleted. Every answer is the domain's: another group's member is 404
 * because member_get says so; what is offered is what may() allows.
 *
 * A stale version is 409: the form again with the record as it is now and
 * a notice that nothing was saved. A form sent after the session ended
 * comes back filled in as typed (web/resume.c). */
#include "web/page.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "app.h"
#include "domain/agencies.h"
#include "domain/network.h"
#include "domain/place.h"
#include "domain/scope.h"
#include "domain/trainings.h"
#include "util/alloc.h"

#define PLACE_PREFIX "place."

/* Which message a domain field error shows, and next to which form element. */
static const struct field_msg field_msg_rows[] = {
    {"version", "version", MSG_ERR_FIELD},
    {"name", "group-name", MSG_ERR_GROUP_NAME},
    {"location_code", "group-place", MSG_ERR_GROUP_PLACE},
    {"name_km", "name_km", MSG_ERR_MEMBER_NAME},
    {"name_latn", "name_latn", MSG_ERR_MEMBER_NAME},
    {"sex", "sex", MSG_ERR_SEX},
    {"birth_year", "birth_year", MSG_ERR_BIRTH_YEAR},
    {"phone", "phone", MSG_ERR_PHONE},
    {"network_roles", "roles", MSG_ERR_FIELD},
    {"returnee", "returnee", MSG_ERR_MIGRATION},
    {"returnee.countries", "returnee", MSG_ERR_MIGRATION},
    {"returnee.years_abroad", "returnee", MSG_ERR_MIGRATION},
    {"returnee.channel", "returnee", MSG_ERR_MIGRATION},
    {"returnee.sector", "returnee", MSG_ERR_MIGRATION},
    {"returnee.agency_id", "returnee-agency", MSG_ERR_ADVICE_AGENCY},
    {"returnee.employer", "returnee-employer", MSG_ERR_CASE_EMPLOYER},
    {"active", "active", MSG_ERR_FIELD},
};
static const struct field_msgs field_msgs = FIELD_MSGS(field_msg_rows);

/* A member form's values as text: borrowed from the request, from the
 * view (and the JSON parsed from it) or from the buffers here. */
struct member_form {
    const char *version, *name_km, *name_latn, *sex, *birth_year, *phone;
    const char *roles[3];
    int nroles;
    const char *countries[RETURNEE_COUNTRIES_MAX];
    int ncountries;
    const char *years, *channel, *sector, *agency_id, *employer;
    char buf[3][16];
    json_t *roles_json, *returnee_json;
};

/* The group form's values as text. */
struct group_form {
    const char *version, *name;
    struct place_pick place;
    char buf[16];
};

/* What the group page shows: the forms as typed or as stored, and why it
 * is shown again (0: it is not). */
struct group_page_in {
    const struct group_rec *g;
    const struct member_form *add;    /* NULL: an empty form */
    const struct fielderrs *add_fe;   /* errors of the add form */
    const struct group_form *gf;      /* NULL: the group as stored */
    const struct fielderrs *group_fe; /* errors of the group form */
    enum msg group_notice;            /* the stale notice, or 0 */
    const char *q;                    /* the members searched for, or NULL */
};

static const char *form_value(const struct req *r, const char *name)
{
    const char *v = req_form(r, name);
    return v != NULL && *v != '\0' ? v : NULL;
}

static bool has(const char *const *list, int n, const char *code)
{
    for (int i = 0; i < n; i++)
        if (same_text(list[i], code))
            return true;
    return false;
}

static const char *country_name(const struct req *r, const char *code)
{
    for (size_t i = 0; i < ncountries; i++)
        if (same_text(code, countries[i].code))
            return tr(r, countries[i].name);
    return code;
}

/* "/groups/ID" or "/members/ID" + tail into b; returns its text. */
static const char *path_of(struct buf *b, const char *base, const char *id, const char *tail)
{
    buf_puts(b, base);
    url_encode(b, id);
    buf_puts(b, tail);
    return b->p;
}

/* ---- forms from records and from requests ---- */

static void member_form_from_view(struct member_form *f, const struct member_view *v)
{
    const struct member_rec *m = &v->rec;
    memset(f, 0, sizeof *f);
    snprintf(f->buf[0], sizeof f->buf[0], "%d", m->version);
    f->version = f->buf[0];
    f->name_km = m->name_km;
    f->name_latn = m->name_latn;
    f->sex = m->sex[0] != '\0' ? m->sex : NULL;
    if (m->birth_year > 0) {
        snprintf(f->buf[1], sizeof f->buf[1], "%d", m->birth_year);
        f->birth_year = f->buf[1];
    }
    f->phone = v->phone;
    f->roles_json = m->network_roles != NULL ? json_loads(m->network_roles, 0, NULL) : NULL;
    size_t i;
    json_t *x;
    json_array_foreach(f->roles_json, i, x)
    {
        if (f->nroles < 3 && json_is_string(x))
            f->roles[f->nroles++] = json_string_value(x);
    }
    f->returnee_json = m->returnee != NULL ? json_loads(m->returnee, 0, NULL) : NULL;
    if (!json_is_object(f->returnee_json))
        return;
    json_array_foreach(json_object_get(f->returnee_json, "countries"), i, x)
    {
        if (f->ncountries < RETURNEE_COUNTRIES_MAX && json_is_string(x))
            f->countries[f->ncountries++] = json_string_value(x);
    }
    json_t *years = json_object_get(f->returnee_json, "years_abroad");
    if (json_is_integer(years)) {
        snprintf(f->buf[2], sizeof f->buf[2], "%lld", (long long)json_integer_value(years));
        f->years = f->buf[2];
    }
    f->channel = json_string_value(json_object_get(f->returnee_json, "channel"));
    f->sector = json_string_value(json_object_get(f->returnee_json, "sector"));
    f->agency_id = json_string_value(json_object_get(f->returnee_json, "agency_id"));
    f->employer = v->employer;
}

static void member_form_from_request(const struct req *r, struct member_form *f)
{
    memset(f, 0, sizeof *f);
    f->version = form_value(r, "version");
    f->name_km = form_value(r, "name_km");
    f->name_latn = form_value(r, "name_latn");
    f->sex = form_value(r, "sex");
    f->birth_year = form_value(r, "birth_year");
    f->phone = form_value(r, "phone");
    f->nroles = req_form_all(r, "network_roles", f->roles, 3);
    f->ncountries = req_form_all(r, "returnee.countries", f->countries, RETURNEE_COUNTRIES_MAX);
    f->years = form_value(r, "returnee.years_abroad");
    f->channel = form_value(r, "returnee.channel");
    f->sector = form_value(r, "returnee.sector");
    f->agency_id = form_value(r, "returnee.agency_id");
    f->employer = form_value(r, "returnee.employer");
}

static void member_form_free(struct member_form *f)
{
    json_decref(f->roles_json);
    json_decref(f->returnee_json);
    f->roles_json = f->returnee_json = NULL;
}

static void group_form_from_rec(const struct req *r, struct group_form *f,
                                const struct group_rec *g)
{
    memset(f, 0, sizeof *f);
    snprintf(f->buf, sizeof f->buf, "%d", g->version);
    f->version = f->buf;
    f->name = g->name;
    place_pick_set(r, &f->place, g->location_code);
}

static void group_form_from_request(const struct req *r, struct group_form *f)
{
    memset(f, 0, sizeof *f);
    f->version = form_value(r, "version");
    f->name = form_value(r, "name");
    place_pick_from_form(r, PLACE_PREFIX, &f->place);
}

/* ---- form elements ---- */

static void input(struct req *r, struct buf *b, const struct fielderrs *fe, const char *id,
                  const char *name, enum msg text, const char *type, const char *maxlength,
                  const char *value, bool optional)
{
    h_label(r, b, id, text, optional);
    h_field_error(r, b, &field_msgs, fe, id);
    h_open_begin(b, "input");
    h_attr(b, "id", id);
    h_attr(b, "name", name);
    h_attr(b, "type", type);
    h_attr(b, "maxlength", maxlength);
    h_attr(b, "value", value != NULL ? value : "");
    if (strcmp(maxlength, "4") == 0 || strcmp(maxlength, "2") == 0)
        h_attr(b, "inputmode", "numeric");
    if (form_error(&field_msgs, fe, id) >= 0)
        h_attr(b, "aria-invalid", "true");
    h_open_end(b);
}

static void code_select(struct req *r, struct buf *b, const char *id, const char *name,
                        enum msg text, enum code_list list, const char *value)
{
    h_label(r, b, id, text, true);
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

/* One checkbox or radio button: <label class="check"><input ...> text</label>. */
static void choice(struct buf *b, const char *type, const char *name, const char *id,
                   const char *value, bool checked, const char *text)
{
    h_raw(b, "<label class=\"check\"><input");
    h_attr(b, "type", type);
    h_attr(b, "name", name);
    h_attr(b, "id", id);
    h_attr(b, "value", value);
    h_flag(b, "checked", checked);
    h_raw(b, "> ");
    h_text(b, text);
    h_raw(b, "</label>");
}

/* The agency she went through, from the list (as the advice form). A form
 * that did not show it would clear it: the returnee object is replaced
 * whole. */
static void returnee_agency(struct req *r, struct buf *b, const struct member_form *f,
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
    h_label(r, b, "returnee-agency", MSG_CASE_AGENCY, true);
    h_field_error(r, b, &field_msgs, fe, "returnee-agency");
    h_open_begin(b, "select");
    h_attr(b, "id", "returnee-agency");
    h_attr(b, "name", "returnee.agency_id");
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
        h_open_begin(b, "option");
        h_attr(b, "value", f->agency_id);
        h_flag(b, "selected", true);
        h_open_end(b);
        h_text(b, f->agency_id);
        h_close(b, "option");
    }
    h_raw(b, "</select>");
    agency_list_free(items, n);
}

/* The returnee history, as the intake form asks for migration: the common
 * destinations as boxes (a stored country outside the list stays ticked),
 * years abroad, channel and sector. */
static void returnee_fieldset(struct req *r, struct buf *b, const struct member_form *f,
                              const struct fielderrs *fe)
{
    h_raw(b, "<fieldset id=\"returnee\"><legend>");
    h_text(b, tr(r, MSG_RETURNEE));
    h_raw(b, "</legend>");
    h_para(b, "hint", "returnee-hint", NULL, tr(r, MSG_RETURNEE_HINT));
    h_field_error(r, b, &field_msgs, fe, "returnee");
    h_raw(b, "<fieldset class=\"choices\" id=\"returnee-countries\"><legend>");
    h_text(b, tr(r, MSG_MIGRATION_COUNTRIES));
    h_raw(b, "</legend>");
    for (size_t i = 1; i < ncountries; i++) { /* Cambodia is home, not abroad */
        char id[24];
        snprintf(id, sizeof id, "country-%s", countries[i].code);
        choice(b, "checkbox", "returnee.countries", id, countries[i].code,
               has(f->countries, f->ncountries, countries[i].code), tr(r, countries[i].name));
    }
    for (int k = 0; k < f->ncountries; k++) {
        bool listed = false;
        for (size_t i = 1; i < ncountries; i++)
            listed = listed || same_text(f->countries[k], countries[i].code);
        if (!listed)
            choice(b, "checkbox", "returnee.countries", NULL, f->countries[k], true,
                   country_name(r, f->countries[k]));
    }
    h_raw(b, "</fieldset>");
    input(r, b, fe, "years_abroad", "returnee.years_abroad", MSG_MIGRATION_YEARS, "text", "2",
          f->years, true);
    code_select(r, b, "channel", "returnee.channel", MSG_MIGRATION_CHANNEL, LIST_CHANNEL,
                f->channel);
    code_select(r, b, "sector", "returnee.sector", MSG_MIGRATION_SECTOR, LIST_SECTOR, f->sector);
    returnee_agency(r, b, f, fe);
    input(r, b, fe, "returnee-employer", "returnee.employer", MSG_CASE_EMPLOYER, "text", "200",
          f->employer, true);
    h_raw(b, "</fieldset>");
}

/* The fields of a member, for the add form and the edit form. */
static void member_fields_html(struct req *r, struct buf *b, const struct member_form *f,
                               const struct fielderrs *fe)
{
    /* The groups are groups of women: a new member is female unless told
     * otherwise (an empty add form only; a stored or typed sex is kept). */
    const char *sex = f->sex != NULL ? f->sex : f->version == NULL && fe == NULL ? "female" : NULL;
    h_para(b, "hint", "name-hint", NULL, tr(r, MSG_MEMBER_NAME_HINT));
    input(r, b, fe, "name_km", "name_km", MSG_NAME_KM, "text", "120", f->name_km, true);
    input(r, b, fe, "name_latn", "name_latn", MSG_NAME_LATN, "text", "120", f->name_latn, true);
    h_raw(b, "<fieldset id=\"sex\" class=\"choices\"><legend>");
    h_text(b, tr(r, MSG_SEX));
    h_raw(b, "</legend>");
    h_field_error(r, b, &field_msgs, fe, "sex");
    for (int i = 0; i < code_count(LIST_SEX); i++) {
        const char *code = code_name(LIST_SEX, i);
        char id[32];
        snprintf(id, sizeof id, "sex-%s", code);
        choice(b, "radio", "sex", id, code, same_text(sex, code), code_label(r, LIST_SEX, code));
    }
    h_raw(b, "</fieldset>");
    input(r, b, fe, "birth_year", "birth_year", MSG_BIRTH_YEAR, "text", "4", f->birth_year, true);
    input(r, b, fe, "phone", "phone", MSG_PHONE, "tel", "20", f->phone, true);
    h_raw(b, "<fieldset id=\"roles\" class=\"choices\"><legend>");
    h_text(b, tr(r, MSG_NETWORK_ROLES));
    h_raw(b, "</legend>");
    h_field_error(r, b, &field_msgs, fe, "roles");
    for (int i = 0; i < code_count(LIST_NETWORK_ROLE); i++) {
        const char *code = code_name(LIST_NETWORK_ROLE, i);
        char id[32];
        snprintf(id, sizeof id, "role-%s", code);
        /* A new member is a member until told otherwise. */
        bool on = f->nroles > 0 ? has(f->roles, f->nroles, code) : strcmp(code, "member") == 0;
        choice(b, "checkbox", "network_roles", id, code, on,
               code_label(r, LIST_NETWORK_ROLE, code));
    }
    h_raw(b, "</fieldset>");
    returnee_fieldset(r, b, f, fe);
}

/* ---- showing records ---- */

/* The group's place: its own name in Khmer and in English, then where it lies. */
static void group_place(struct req *r, struct buf *b, const char *code)
{
    const struct places *all = r->app != NULL ? r->app->places : NULL;
    const struct place *p = (all != NULL && code != NULL) ? places_get(all, code) : NULL;
    h_raw(b, "<p id=\"group-place\">");
    if (p != NULL) {
        h_raw(b, "<span lang=\"km\" id=\"place-km\">");
        h_text(b, p->name_km);
        h_raw(b, "</span> · <span lang=\"en\" id=\"place-en\">");
        h_text(b, p->name_latn);
        h_raw(b, "</span><br>");
    }
    h_place(r, b, code);
    h_raw(b, "</p>");
}

/* "Thailand, Malaysia · 3 years abroad · Irregular · Agriculture", or nothing. */
static void returnee_summary(struct req *r, struct buf *b, const char *returnee)
{
    json_t *o = returnee != NULL ? json_loads(returnee, 0, NULL) : NULL;
    if (!json_is_object(o)) {
        json_decref(o);
        return;
    }
    h_raw(b, "<span class=\"returnee\">");
    h_text(b, tr(r, MSG_RETURNEE_SHORT));
    h_raw(b, " ");
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(o, "countries"), i, c)
    {
        if (i > 0)
            h_raw(b, ", ");
        h_text(b, country_name(r, json_string_value(c)));
    }
    json_t *years = json_object_get(o, "years_abroad");
    if (json_is_integer(years)) {
        char n[16];
        snprintf(n, sizeof n, "%lld", (long long)json_integer_value(years));
        h_raw(b, " · ");
        h_text_sub(b, tr(r, MSG_MIGRATION_YEARS_N), n);
    }
    const char *channel = json_string_value(json_object_get(o, "channel"));
    const char *sector = json_string_value(json_object_get(o, "sector"));
    if (channel != NULL) {
        h_raw(b, " · ");
        h_text(b, code_label(r, LIST_CHANNEL, channel));
    }
    if (sector != NULL) {
        h_raw(b, " · ");
        h_text(b, code_label(r, LIST_SECTOR, sector));
    }
    h_raw(b, "</span>");
    json_decref(o);
}

static void roles_text(struct req *r, struct buf *b, const char *roles)
{
    json_t *a = roles != NULL ? json_loads(roles, 0, NULL) : NULL;
    size_t i;
    json_t *x;
    h_raw(b, "<span class=\"roles\">");
    json_array_foreach(a, i, x)
    {
        if (i > 0)
            h_raw(b, ", ");
        h_text(b, code_label(r, LIST_NETWORK_ROLE, json_string_value(x)));
    }
    h_raw(b, "</span>");
    json_decref(a);
}

static void member_item(struct req *r, struct buf *b, const struct member_view *v, bool editable)
{
    const struct member_rec *m = &v->rec;
    char id[ID_SIZE + 8];
    snprintf(id, sizeof id, "member-%s", m->id);
    h_open(b, "li", "id", id, "class", m->active ? "member" : "member inactive", H_END);
    h_raw(b, "<span class=\"names\">");
    if (m->name_km != NULL && *m->name_km != '\0') {
        h_raw(b, "<b lang=\"km\">");
        h_text(b, m->name_km);
        h_raw(b, "</b>");
    }
    if (m->name_latn != NULL && *m->name_latn != '\0') {
        if (m->name_km != NULL && *m->name_km != '\0')
            h_raw(b, " · ");
        h_raw(b, "<b lang=\"en\">");
        h_text(b, m->name_latn);
        h_raw(b, "</b>");
    }
    h_raw(b, "</span>");
    if (!m->active) {
        h_raw(b, " <span class=\"status st-inactive\">");
        h_text(b, tr(r, MSG_MEMBER_INACTIVE));
        h_raw(b, "</span>");
    }
    h_raw(b, "<br><small>");
    h_text(b, code_label(r, LIST_SEX, m->sex));
    if (m->birth_year > 0) {
        char y[16];
        snprintf(y, sizeof y, "%d", m->birth_year);
        h_raw(b, " · ");
        h_text_sub(b, tr(r, MSG_MEMBER_BORN), y);
    }
    h_raw(b, " · ");
    roles_text(r, b, m->network_roles);
    h_raw(b, "</small>");
    if (m->returnee != NULL) {
        h_raw(b, "<br><small>");
        returnee_summary(r, b, m->returnee);
        h_raw(b, "</small>");
    }
    if (editable) {
        struct buf href = {0};
        char lid[ID_SIZE + 8];
        snprintf(lid, sizeof lid, "edit-%s", m->id);
        h_raw(b, " ");
        h_open(b, "a", "href", path_of(&href, "/members/", m->id, "/edit"), "id", lid, "class",
               "edit", H_END);
        h_text(b, tr(r, MSG_MEMBER_EDIT));
        h_raw(b, "</a>");
        buf_free(&href);
    }
    h_raw(b, "</li>");
}

/* The search for a member by name: posted, so that no name typed lands in
 * the address or the browser's history. */
static void member_search_form(struct req *r, struct resp *w, const char *group_id, const char *q,
                               const struct fielderrs *fe)
{
    struct buf *b = &w->body;
    struct buf action = {0};
    path_of(&action, "/groups/", group_id, "/search");
    h_open(b, "form", "method", "post", "action", action.p, "id", "member-search", "class",
           "search", "role", "search", H_END);
    page_csrf(r, w);
    h_raw(b, "<label for=\"member-q\">");
    h_text(b, tr(r, MSG_MEMBER_SEARCH));
    h_raw(b, "</label>");
    if (fe != NULL && fe->n > 0)
        h_para(b, "error", "err-member-q", "alert", tr(r, MSG_ERR_MEMBER_SEARCH));
    h_open_begin(b, "input");
    h_attr(b, "id", "member-q");
    h_attr(b, "name", "q");
    h_attr(b, "type", "search");
    h_attr(b, "maxlength", "120");
    h_attr(b, "autocomplete", "off");
    h_attr(b, "value", q);
    h_open_end(b);
    h_raw(b, "<button type=\"submit\" id=\"member-search-submit\">");
    h_text(b, tr(r, MSG_MEMBER_SEARCH_BUTTON));
    h_raw(b, "</button></form>");
    buf_free(&action);
}

/* The members, the active ones first, each group in the order listed;
 * those whose names match q when searched. */
static void member_list_html(struct req *r, struct resp *w, const char *group_id, const char *q)
{
    struct ctx cx = page_ctx(r);
    struct buf *b = &w->body;
    struct member_view *items = NULL;
    struct fielderrs fe = {0};
    size_t n = 0;
    enum err e = member_search(&cx, group_id, q, &items, &n, &fe);
    member_search_form(r, w, group_id, q, e == ERR_VALIDATION ? &fe : NULL);
    if (e == ERR_VALIDATION)
        e = member_list(&cx, group_id, &items, &n);
    if (e != ERR_OK)
        return;
    bool editable = may(&cx, ACT_MEMBER_UPDATE);
    size_t active = 0;
    for (size_t i = 0; i < n; i++)
        active += items[i].rec.active;
    h_raw(b, "<h2 id=\"members-title\">");
    h_text(b, tr(r, MSG_GROUP_MEMBERS));
    h_raw(b, " <span class=\"count\">");
    h_int(b, (long)active);
    h_raw(b, "</span></h2>");
    if (n == 0)
        h_para(b, "note", "members-none", NULL, tr(r, MSG_GROUP_MEMBERS_NONE));
    else
        h_raw(b, "<ul class=\"members\" id=\"members\">");
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < n; i++)
            if (items[i].rec.active == (pass == 0))
                member_item(r, b, &items[i], editable);
    if (n > 0)
        h_raw(b, "</ul>");
    member_views_free(items, n);
}

/* The notice of a done action (?ok=...), from a fixed list: never echoed. */
static void ok_notice(struct req *r, struct buf *b)
{
    static const struct {
        const char *code;
        enum msg m;
    } oks[] = {{"member-added", MSG_MEMBER_ADDED},
               {"member-saved", MSG_MEMBER_SAVED},
               {"member-deactivated", MSG_MEMBER_DEACTIVATED},
               {"member-reactivated", MSG_MEMBER_REACTIVATED},
               {"group-saved", MSG_GROUP_SAVED}};
    const char *ok = req_query(r, "ok");
    for (size_t i = 0; ok != NULL && i < sizeof oks / sizeof oks[0]; i++)
        if (strcmp(ok, oks[i].code) == 0)
            page_notice(b, "done-notice", tr(r, oks[i].m));
}

static void add_form(struct req *r, struct resp *w, const struct group_rec *g,
                     const struct member_form *f, const struct fielderrs *fe)
{
    struct buf *b = &w->body;
    struct buf action = {0};
    struct member_form empty;
    memset(&empty, 0, sizeof empty);
    h_raw(b, "<h2 id=\"add-title\">");
    h_text(b, tr(r, MSG_MEMBER_ADD_TITLE));
    h_raw(b, "</h2>");
    if (fe != NULL && fe->n > 0)
        h_error_summary(r, b, &field_msgs, fe);
    h_open(b, "form", "method", "post", "action", path_of(&action, "/groups/", g->id, "/members"),
           "id", "member-add-form", "class", "stack", H_END);
    page_csrf(r, w);
    page_idempotency_key(r, w);
    member_fields_html(r, b, f != NULL ? f : &empty, fe);
    h_raw(b, "<button type=\"submit\" id=\"member-add-submit\">");
    h_text(b, tr(r, MSG_MEMBER_ADD_BUTTON));
    h_raw(b, "</button></form>");
    buf_free(&action);
}

static void group_edit_form(struct req *r, struct resp *w, const struct group_rec *g,
                            const struct group_form *f, const struct fielderrs *fe, enum msg notice)
{
    struct buf *b = &w->body;
    struct buf action = {0};
    h_raw(b, "<h2 id=\"group-edit-title\">");
    h_text(b, tr(r, MSG_GROUP_EDIT_TITLE));
    h_raw(b, "</h2>");
    if (notice != 0)
        h_para(b, "error", "stale-notice", "alert", tr(r, notice));
    if (fe != NULL && fe->n > 0)
        h_error_summary(r, b, &field_msgs, fe);
    h_open(b, "form", "method", "post", "action", path_of(&action, "/groups/", g->id, ""), "id",
           "group-form", "class", "stack", H_END);
    page_csrf(r, w);
    h_hidden(b, "version", f->version);
    input(r, b, fe, "group-name", "name", MSG_GROUP_NAME, "text", "120", f->name, false);
    place_pick_fieldset(r, b, &f->place, PLACE_PREFIX, "group-place", MSG_GROUP_PLACE,
                        form_error(&field_msgs, fe, "group-place") >= 0 ? tr(r, MSG_ERR_GROUP_PLACE)
                                                                        : NULL);
    h_raw(b, "<button type=\"submit\" name=\"send\" value=\"1\" id=\"group-submit\">");
    h_text(b, tr(r, MSG_GROUP_SAVE));
    h_raw(b, "</button></form>");
    buf_free(&action);
}

static void group_page(struct req *r, struct resp *w, const struct group_page_in *in)
{
    struct ctx cx = page_ctx(r);
    struct buf *b = &w->body;
    struct buf self = {0};
    const struct group_rec *g = in->g;

    bool forms = may(&cx, ACT_MEMBER_CREATE) || may(&cx, ACT_GROUP_UPDATE);
    path_of(&self, "/groups/", g->id, "");
    if (forms)
        page_begin(r, w, g->name, self.p);
    else
        page_begin_static(r, w, g->name, self.p); /* nothing to send: no script */
    h_raw(b, "<h1 id=\"group-name\">");
    h_text(b, g->name);
    h_raw(b, "</h1>");
    group_place(r, b, g->location_code);
    if (form_resumed(r))
        form_resumed_notice(r, b);
    ok_notice(r, b);
    if (may(&cx, ACT_MEMBER_READ))
        member_list_html(r, w, g->id, in->q);
    if (may(&cx, ACT_MEMBER_CREATE))
        add_form(r, w, g, in->add, in->add_fe);
    if (may(&cx, ACT_GROUP_UPDATE)) {
        struct group_form stored;
        if (in->gf == NULL)
            group_form_from_rec(r, &stored, g);
        group_edit_form(r, w, g, in->gf != NULL ? in->gf : &stored, in->group_fe, in->group_notice);
    }
    h_raw(b, "<p><a href=\"/groups\" id=\"back-to-groups\">");
    h_text(b, tr(r, MSG_BACK_TO_GROUPS));
    h_raw(b, "</a></p>");
    page_end(r, w);
    buf_free(&self);
}

/* ---- /groups ---- */

void web_groups(struct req *r, struct resp *w)
{
    struct ctx cx = page_ctx(r);
    struct buf *b = &w->body;
    struct group_rec *items = NULL;
    size_t n = 0;
    if (!may(&cx, ACT_GROUP_READ)) {
        page_fail(r, w, ERR_FORBIDDEN);
        return;
    }
    enum err e = group_list(&cx, &items, &n);
    if (e != ERR_OK) {
        page_fail(r, w, e);
        return;
    }
    page_begin_static(r, w, tr(r, MSG_GROUPS_TITLE), "/groups");
    h_raw(b, "<h1 id=\"groups-title\">");
    h_text(b, tr(r, MSG_GROUPS_TITLE));
    h_raw(b, "</h1>");
    if (n == 0)
        h_para(b, "note", "groups-none", NULL, tr(r, MSG_GROUPS_NONE));
    else
        h_raw(b, "<ul class=\"links groups\" id=\"groups\">");
    const struct places *all = r->app != NULL ? r->app->places : NULL;
    for (size_t i = 0; i < n; i++) {
        struct buf href = {0};
        char id[ID_SIZE + 8];
        snprintf(id, sizeof id, "group-%s", items[i].id);
        const struct place *p = all != NULL ? places_get(all, items[i].location_code) : NULL;
        h_raw(b, "<li>");
        h_open(b, "a", "href", path_of(&href, "/groups/", items[i].id, ""), "id", id, H_END);
        h_text(b, items[i].name);
        h_raw(b, "</a>");
        if (p != NULL) {
            h_raw(b, " <small>");
            h_text(b, place_label(r, p));
            h_raw(b, "</small>");
        }
        h_raw(b, "</li>");
        buf_free(&href);
    }
    if (n > 0)
        h_raw(b, "</ul>");
    page_end(r, w);
    group_list_free(items, n);
}

/* ---- /groups/{id} ---- */

void web_group_show(struct req *r, struct resp *w)
{
    struct ctx cx = page_ctx(r);
    struct group_rec g;
    const char *id = page_id(r);
    enum err e = id != NULL ? group_get(&cx, id, &g) : ERR_NOT_FOUND;
    if (e != ERR_OK) {
        page_fail(r, w, e);
        return;
    }
    struct group_page_in in = {.g = &g};
    group_page(r, w, &in);
    group_rec_free(&g);
}

/* POST /groups/{id}/search: the group's page with the members whose names
 * match the name typed. */
void web_group_search(struct req *r, struct resp *w)
{
    struct ctx cx = page_ctx(r);
    struct group_rec g;
    const char *id = page_id(r);
    enum err e = id != NULL ? group_get(&cx, id, &g) : ERR_NOT_FOUND;
    if (e != ERR_OK) {
        page_fail(r, w, e);
        return;
    }
    const char *q = req_form(r, "q");
    struct group_page_in in = {.g = &g, .q = q != NULL && q[0] != '\0' ? q : NULL};
    group_page(r, w, &in);
    group_rec_free(&g);
}

/* POST /groups/{id}: the group's name and place, at the version read. */
void web_group_update(struct req *r, struct resp *w)
{
    struct ctx cx = page_ctx(r);
    struct group_rec g, out;
    struct group_form f;
    struct group_patch_in in;
    struct fielderrs fe = {0};
    const char *id = page_id(r);

    memset(&out, 0, sizeof out);
    enum err e = id != NULL ? group_get(&cx, id, &g) : ERR_NOT_FOUND;
    if (e != ERR_OK) {
        page_fail(r, w, e);
        return;
    }
    group_form_from_request(r, &f);
    if (req_form(r, "step") != NULL && req_form(r, "send") == NULL) {
        /* The next list of places: nothing is sent yet. */
        struct group_page_in pin = {.g = &g, .gf = &f};
        group_page(r, w, &pin);
        goto out;
    }
    group_patch_in_init(&in);
    form_fields(r, &group_patch_fields, &in, &fe);
    form_nulls(r, &group_patch_fields, &in);
    const char *code = place_pick_chosen(&f.place);
    if (code != NULL) {
        in.location_code = code;
        for (int i = 0; i < group_patch_fields.n; i++)
            if (strcmp(group_patch_fields.fields[i].name, "location_code") == 0)
                fields_mark(&group_patch_fields, &in, i, false);
    }
    e = fe.n > 0 ? ERR_VALIDATION : group_update(&cx, id, &in, &out, &fe);
    switch (e) {
    case ERR_OK: {
        struct buf to = {0};
        resp_redirect(w, path_of(&to, "/groups/", id, "?ok=group-saved"));
        buf_free(&to);
        break;
    }
    case ERR_VALIDATION: {
        struct group_page_in pin = {.g = &g, .gf = &f, .group_fe = &fe};
        w->status = 422;
        group_page(r, w, &pin);
        break;
    }
    case ERR_CONFLICT: {
        /* Stale: the page again with the group as it is now. */
        struct group_rec now;
        if (group_get(&cx, id, &now) == ERR_OK) {
            struct group_page_in pin = {.g = &now, .group_notice = MSG_GROUP_STALE};
            w->status = 409;
            group_page(r, w, &pin);
            group_rec_free(&now);
        } else {
            page_fail(r, w, ERR_CONFLICT);
        }
        break;
    }
    default:
        page_fail(r, w, e);
        break;
    }
out:
    group_rec_free(&g);
    group_rec_free(&out);
}

/* POST /groups/{id}/members: a new member of the group. */
void web_member_create(struct req *r, struct resp *w)
{
    struct ctx cx = page_ctx(r);
    struct group_rec g;
    struct member_in in;
    struct member_view out;
    struct fielderrs fe = {0};
    const char *id = page_id(r);

    memset(&out, 0, sizeof out);
    enum err e = id != NULL ? group_get(&cx, id, &g) : ERR_NOT_FOUND;
    if (e != ERR_OK) {
        page_fail(r, w, e);
        return;
    }
    member_in_init(&in);
    form_fields(r, &member_fields, &in, &fe);
    e = fe.n > 0 ? ERR_VALIDATION : member_add(&cx, id, &in, &out, &fe);
    if (e == ERR_OK) {
        struct buf to = {0};
        resp_redirect(w, path_of(&to, "/groups/", id, "?ok=member-added#members"));
        buf_free(&to);
    } else if (e == ERR_VALIDATION) {
        struct member_form f;
        member_form_from_request(r, &f);
        struct group_page_in pin = {.g = &g, .add = &f, .add_fe = &fe};
        w->status = 422;
        group_page(r, w, &pin);
    } else {
        page_fail(r, w, e);
    }
    member_view_free(&out);
    group_rec_free(&g);
}

/* After a sign-in that followed an expired session: the group page with
 * the form that was sent filled in as typed. */
void web_member_create_resume(struct req *r, struct resp *w)
{
    struct ctx cx = page_ctx(r);
    struct group_rec g;
    const char *id = page_id(r);
    enum err e = id != NULL ? group_get(&cx, id, &g) : ERR_NOT_FOUND;
    if (e != ERR_OK) {
        page_fail(r, w, e);
        return;
    }
    struct member_form f;
    member_form_from_request(r, &f);
    struct group_page_in pin = {.g = &g, .add = &f};
    group_page(r, w, &pin);
    group_rec_free(&g);
}

void web_group_update_resume(struct req *r, struct resp *w)
{
    struct ctx cx = page_ctx(r);
    struct group_rec g;
    const char *id = page_id(r);
    enum err e = id != NULL ? group_get(&cx, id, &g) : ERR_NOT_FOUND;
    if (e != ERR_OK) {
        page_fail(r, w, e);
        return;
    }
    struct group_form f;
    group_form_from_request(r, &f);
    struct group_page_in pin = {.g = &g, .gf = &f};
    group_page(r, w, &pin);
    group_rec_free(&g);
}

/* ---- /members/{id}/edit ---- */

/* The topics she was trained on (domain/trainings.h), for who reads them. */
static void trained_on(struct req *r, struct buf *b, const char *member_id)
{
    struct ctx cx = page_ctx(r);
    struct member_training t;
    if (training_of_member(&cx, member_id, &t) != ERR_OK)
        return;
    h_raw(b, "<p id=\"trained-on\"><span class=\"label\">");
    h_text(b, tr(r, MSG_TRAINING_TRAINED_ON));
    h_raw(b, "</span> ");
    if (t.ntopics == 0)
        h_text(b, tr(r, MSG_TRAINING_NOT_TRAINED));
    for (size_t i = 0; i < t.ntopics; i++) {
        if (i > 0)
            h_raw(b, ", ");
        h_open(b, "span", "class", "topic", "data-code", t.topics[i], H_END);
        h_text(b, code_label(r, LIST_TOPIC, t.topics[i]));
        h_close(b, "span");
    }
    h_raw(b, "</p>");
    member_training_free(&t);
}

static void member_page(struct req *r, struct resp *w, const struct member_view *v,
                        const struct member_form *f, const struct fielderrs *fe, enum msg notice)
{
    struct buf *b = &w->body;
    struct buf self = {0}, back = {0};
    const struct member_rec *m = &v->rec;
    const char *name = (m->name_km != NULL && *m->name_km != '\0' && r->lang == LANG_KM) ||
                               m->name_latn == NULL || *m->name_latn == '\0'
                           ? m->name_km
                           : m->name_latn;
    char *title = text_sub(tr(r, MSG_MEMBER_EDIT_TITLE), name);

    path_of(&self, "/members/", m->id, "/edit");
    page_begin(r, w, title, self.p);
    h_raw(b, "<h1 id=\"member-title\">");
    h_text(b, title);
    h_raw(b, "</h1><p id=\"member-status\">");
    h_open(b, "span", "class", m->active ? "status st-active" : "status st-inactive", H_END);
    h_text(b, tr(r, m->active ? MSG_MEMBER_ACTIVE : MSG_MEMBER_INACTIVE));
    h_raw(b, "</span></p>");
    free(title);
    trained_on(r, b, m->id);
    if (form_resumed(r))
        form_resumed_notice(r, b);
    if (notice != 0)
        h_para(b, "error", "stale-notice", "alert", tr(r, notice));
    if (fe != NULL && fe->n > 0)
        h_error_summary(r, b, &field_msgs, fe);
    h_open(b, "form", "method", "post", "action", self.p, "id", "member-form", "class", "stack",
           H_END);
    page_csrf(r, w);
    h_hidden(b, "version", f->version);
    member_fields_html(r, b, f, fe);
    h_raw(b, "<button type=\"submit\" id=\"member-submit\">");
    h_text(b, tr(r, MSG_MEMBER_SAVE));
    h_raw(b, "</button></form>");

    /* Deactivate or reactivate: the version and "active" only. */
    h_open(b, "form", "method", "post", "action", self.p, "id", "active-form", "class", "action",
           H_END);
    page_csrf(r, w);
    h_hidden(b, "version", f->version);
    h_hidden(b, "active", m->active ? "false" : "true");
    if (m->active)
        h_para(b, "hint", "deactivate-hint", NULL, tr(r, MSG_MEMBER_DEACTIVATE_HINT));
    h_open(b, "button", "type", "submit", "id", m->active ? "deactivate" : "reactivate", "class",
           "secondary", H_END);
    h_text(b, tr(r, m->active ? MSG_MEMBER_DEACTIVATE : MSG_MEMBER_REACTIVATE));
    h_raw(b, "</button></form><p>");
    h_open(b, "a", "href", path_of(&back, "/groups/", m->group_id, ""), "id", "back-to-group",
           H_END);
    h_text(b, tr(r, MSG_BACK_TO_GROUP));
    h_raw(b, "</a></p>");
    page_end(r, w);
    buf_free(&self);
    buf_free(&back);
}

void web_member_edit(struct req *r, struct resp *w)
{
    struct ctx cx = page_ctx(r);
    struct member_view v;
    const char *id = page_id(r);
    enum err e = id != NULL ? member_get(&cx, id, ACT_MEMBER_UPDATE, &v) : ERR_NOT_FOUND;
    if (e != ERR_OK) {
        page_fail(r, w, e);
        return;
    }
    struct member_form f;
    member_form_from_view(&f, &v);
    member_page(r, w, &v, &f, NULL, 0);
    member_form_free(&f);
    member_view_free(&v);
}

/* The full edit form sends every field: no role ticked is the default role
 * (a list sends nothing when no box is ticked, so it is marked here). */
static void roles_sent(const struct req *r, struct member_in *in)
{
    if (req_form(r, "name_km") == NULL || in->nnetwork_roles > 0)
        return;
    for (int i = 0; i < member_patch_fields.n; i++)
        if (strcmp(member_patch_fields.fields[i].name, "network_roles") == 0)
            fields_mark(&member_patch_fields, in, i, false);
}

void web_member_update(struct req *r, struct resp *w)
{
    struct ctx cx = page_ctx(r);
    struct member_view v, out;
    struct member_in in;
    struct fielderrs fe = {0};
    const char *id = page_id(r);

    memset(&out, 0, sizeof out);
    enum err e = id != NULL ? member_get(&cx, id, ACT_MEMBER_UPDATE, &v) : ERR_NOT_FOUND;
    if (e != ERR_OK) {
        page_fail(r, w, e);
        return;
    }
    member_in_init(&in);
    form_fields(r, &member_patch_fields, &in, &fe);
    form_nulls(r, &member_patch_fields, &in);
    roles_sent(r, &in);
    e = fe.n > 0 ? ERR_VALIDATION : member_update(&cx, id, &in, &out, &fe);
    switch (e) {
    case ERR_OK: {
        struct buf to = {0};
        const char *ok = "?ok=member-saved#members";
        if (req_form(r, "name_km") == NULL && req_form(r, "active") != NULL)
            ok = out.rec.active ? "?ok=member-reactivated#members"
                                : "?ok=member-deactivated#members";
        resp_redirect(w, path_of(&to, "/groups/", v.rec.group_id, ok));
        buf_free(&to);
        break;
    }
    case ERR_VALIDATION: {
        struct member_form f;
        member_form_from_request(r, &f);
        w->status = 422;
        member_page(r, w, &v, &f, &fe, 0);
        break;
    }
    case ERR_CONFLICT: {
        /* Stale: the form again with the member as she is now. */
        struct member_view now;
        if (member_get(&cx, id, ACT_MEMBER_UPDATE, &now) == ERR_OK) {
            struct member_form cur;
            member_form_from_view(&cur, &now);
            w->status = 409;
            member_page(r, w, &now, &cur, NULL, MSG_MEMBER_STALE);
            member_form_free(&cur);
        } else {
            page_fail(r, w, ERR_CONFLICT);
        }
        member_view_free(&now);
        break;
    }
    default:
        page_fail(r, w, e);
        break;
    }
    member_view_free(&v);
    member_view_free(&out);
}

void web_member_update_resume(struct req *r, struct resp *w)
{
    struct ctx cx = page_ctx(r);
    struct member_view v;
    const char *id = page_id(r);
    enum err e = id != NULL ? member_get(&cx, id, ACT_MEMBER_UPDATE, &v) : ERR_NOT_FOUND;
    if (e != ERR_OK) {
        page_fail(r, w, e);
        return;
    }
    /* The deactivate form carries no fields of hers: the form as stored. */
    struct member_form f;
    if (req_form(r, "name_km") != NULL)
        member_form_from_request(r, &f);
    else
        member_form_from_view(&f, &v);
    member_page(r, w, &v, &f, NULL, 0);
    member_form_free(&f);
    member_view_free(&v);
}
