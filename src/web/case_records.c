/* The incidents and screenings on the case page, oldest first (newest
 * last), for the case team (the page calls this only with the case's
 * details). An incident: its date, the computed type, the context flags,
 * who did it, where, the description opened by the domain. A screening:
 * the result, adult or child, each dimension present or not, the
 * forced-labour indicators ticked, who screened and when. Each section ends
 * with the link to its form for who may (the permission table). */
#include "web/case_page.h"

#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "app.h"
#include "domain/scope.h"
#include "domain/screening.h"

const char *indicator_label(const struct req *r, const char *code)
{
    const char *km = i18n_keyed(r->lang, "indicator", code);
    if (km != NULL)
        return km;
    const struct screening_catalog *cat = r->app != NULL ? r->app->screening : NULL;
    const struct screening_indicator *ind = cat != NULL ? screening_catalog_find(cat, code) : NULL;
    return ind != NULL ? ind->label_en : code;
}

static void dt(struct req *r, struct buf *b, enum msg label)
{
    h_raw(b, "<dt>");
    h_text(b, tr(r, label));
    h_raw(b, "</dt><dd>");
}

/* The link to a record's form, when the caller may use it and the case is
 * not closed. */
static void add_link(struct req *r, struct buf *b, const struct case_rec *c, enum action a,
                     const char *path, const char *id, enum msg label)
{
    if (strcmp(c->status, "closed") == 0 || !may_act(r, a))
        return;
    struct buf href = {0};
    buf_puts(&href, "/cases/");
    url_encode(&href, c->id);
    buf_puts(&href, path);
    h_raw(b, "<p class=\"add\">");
    h_open(b, "a", "href", href.p, "id", id, H_END);
    h_text(b, tr(r, label));
    h_raw(b, "</a></p>");
    buf_free(&href);
}

static void who_when(struct req *r, struct buf *b, const struct case_data *d, const char *user,
                     const char *at)
{
    h_datetime(b, at);
    const char *who = case_user_name(r, d, user);
    if (who != NULL) {
        h_raw(b, " · ");
        h_text(b, who);
    }
}

/* "Male, 26 to 40 years, Employer or supervisor; …" from the stored JSON. */
static void perpetrators(struct req *r, struct buf *b, const char *text)
{
    json_t *a = text != NULL ? json_loads(text, 0, NULL) : NULL;
    size_t i;
    json_t *p;
    if (!json_is_array(a) || json_array_size(a) == 0) {
        h_text(b, tr(r, MSG_INC_PERPETRATORS_NONE));
        json_decref(a);
        return;
    }
    json_array_foreach(a, i, p)
    {
        if (i > 0)
            h_raw(b, "; ");
        h_raw(b, "<span class=\"perpetrator\">");
        h_text(b, code_label(r, LIST_SEX, json_string_value(json_object_get(p, "sex"))));
        h_raw(b, ", ");
        h_text(b,
               code_label(r, LIST_AGE_GROUP, json_string_value(json_object_get(p, "age_group"))));
        h_raw(b, ", ");
        h_text(b, code_label(r, LIST_RELATIONSHIP,
                             json_string_value(json_object_get(p, "relationship"))));
        h_raw(b, "</span>");
    }
    json_decref(a);
}

/* Labels of a JSON array of codes of list (the context flags); none: the
 * "none" text. */
static void code_array(struct req *r, struct buf *b, const char *text, enum code_list list,
                       enum msg none)
{
    json_t *a = text != NULL ? json_loads(text, 0, NULL) : NULL;
    size_t i, n = 0;
    json_t *c;
    json_array_foreach(a, i, c)
    {
        const char *code = json_string_value(c);
        if (code == NULL)
            continue;
        if (n++ > 0)
            h_raw(b, ", ");
        h_open(b, "span", "class", "flag", "data-code", code, H_END);
        h_text(b, list == LIST__MAX ? indicator_label(r, code) : code_label(r, list, code));
        h_close(b, "span");
    }
    if (n == 0)
        h_text(b, tr(r, none));
    json_decref(a);
}

static const char *country_label(const struct req *r, const char *code)
{
    for (size_t i = 0; i < ncountries; i++)
        if (strcmp(countries[i].code, code) == 0)
            return tr(r, countries[i].name);
    return code;
}

static void incident(struct req *r, struct buf *b, const struct case_data *d,
                     const struct incident_view *v)
{
    const struct incident_rec *in = &v->rec;
    char id[ID_SIZE + 12];
    snprintf(id, sizeof id, "incident-%s", in->id);
    h_open(b, "li", "id", id, "class", "record incident", H_END);
    h_raw(b, "<h3>");
    h_text_sub(b, tr(r, MSG_INCIDENT_ON), in->date);
    h_raw(b, "</h3><dl class=\"facts\">");
    dt(r, b, MSG_INC_TYPE);
    h_open(b, "span", "class", "gbv-type", "data-type", in->gbv_type, H_END);
    h_text(b, code_label(r, LIST_GBV_TYPE, in->gbv_type));
    h_raw(b, "</span></dd>");
    dt(r, b, MSG_INC_FLAGS);
    h_raw(b, "<span class=\"flags\">");
    code_array(r, b, in->context_flags, LIST_CONTEXT_FLAG, MSG_INC_FLAGS_NONE);
    h_raw(b, "</span></dd>");
    dt(r, b, MSG_INC_PERPETRATORS);
    perpetrators(r, b, in->perpetrators);
    h_raw(b, "</dd>");
    dt(r, b, MSG_INC_WHEN);
    h_text(b, code_label(r, LIST_LOCATION_TYPE, in->location_type));
    h_raw(b, " · ");
    if (strlen(in->location) == 2)
        h_text(b, country_label(r, in->location));
    else
        h_place(r, b, in->location);
    h_raw(b, " · ");
    h_text(b, code_label(r, LIST_TIME_OF_DAY, in->time_of_day));
    h_raw(b, "</dd>");
    if (v->description != NULL && *v->description != '\0') {
        dt(r, b, MSG_INC_DESCRIPTION);
        h_raw(b, "<span class=\"body\">");
        h_text(b, v->description);
        h_raw(b, "</span></dd>");
    }
    dt(r, b, MSG_INC_RECORDED);
    who_when(r, b, d, in->created_by, in->created_at);
    h_raw(b, "</dd></dl></li>");
}

static void screening(struct req *r, struct buf *b, const struct case_data *d,
                      const struct screening_rec *s)
{
    char id[ID_SIZE + 12];
    snprintf(id, sizeof id, "screening-%s", s->id);
    h_open(b, "li", "id", id, "class", "record screening", H_END);
    h_raw(b, "<h3>");
    char date[DATE_SIZE];
    snprintf(date, sizeof date, "%.10s", s->created_at);
    h_text_sub(b, tr(r, MSG_SCREENING_ON), date);
    h_raw(b, "</h3><dl class=\"facts\">");
    dt(r, b, MSG_SCR_RESULT);
    h_open(b, "span", "class", "result", "data-result", s->result, H_END);
    h_text(b, code_label(r, LIST_SCREENING_RESULT, s->result));
    h_raw(b, "</span></dd>");
    dt(r, b, MSG_SCR_SCREENED_AS);
    h_text(b, tr(r, s->adult ? MSG_SCR_ADULT : MSG_SCR_CHILD));
    h_raw(b, "</dd>");
    dt(r, b, MSG_SCR_DIMENSIONS);
    json_t *dims = s->dimensions != NULL ? json_loads(s->dimensions, 0, NULL) : NULL;
    h_raw(b, "<ul class=\"dims\">");
    for (int k = 0; k < code_count(LIST_DIMENSION); k++) {
        const char *dim = code_name(LIST_DIMENSION, k);
        bool present = json_is_true(json_object_get(dims, dim));
        h_open(b, "li", "data-dim", dim, "class", present ? "present" : "absent", H_END);
        h_text(b, code_label(r, LIST_DIMENSION, dim));
        h_raw(b, ": ");
        h_text(b, tr(r, present ? MSG_DIM_PRESENT : MSG_DIM_ABSENT));
        h_raw(b, "</li>");
    }
    h_raw(b, "</ul></dd>");
    json_decref(dims);
    dt(r, b, MSG_SCR_FORCED_LABOUR);
    h_raw(b, "<span class=\"forced-labour\">");
    code_array(r, b, s->forced_labour_indicators, LIST__MAX, MSG_SCR_FL_NONE);
    h_raw(b, "</span></dd>");
    dt(r, b, MSG_SCR_BY);
    who_when(r, b, d, s->created_by, s->created_at);
    h_raw(b, "</dd></dl></li>");
}

void case_records(struct req *r, struct resp *w, const struct case_data *d)
{
    struct buf *b = &w->body;
    const struct case_dossier *dos = &d->dos;
    const struct case_rec *c = &dos->view.rec;

    h_raw(b, "<h2 id=\"incidents\">");
    h_text(b, tr(r, MSG_INCIDENTS));
    h_raw(b, "</h2>");
    if (dos->nincidents == 0)
        h_para(b, "empty", "incidents-empty", NULL, tr(r, MSG_INCIDENTS_EMPTY));
    h_raw(b, "<ol class=\"records\" id=\"incident-list\">");
    for (size_t i = 0; i < dos->nincidents; i++)
        incident(r, b, d, &dos->incidents[i]);
    h_raw(b, "</ol>");
    add_link(r, b, c, ACT_INCIDENT_CREATE, "/incidents/new", "add-incident", MSG_LINK_INCIDENT);

    h_raw(b, "<h2 id=\"screenings\">");
    h_text(b, tr(r, MSG_SCREENINGS));
    h_raw(b, "</h2>");
    if (dos->nscreenings == 0)
        h_para(b, "empty", "screenings-empty", NULL, tr(r, MSG_SCREENINGS_EMPTY));
    h_raw(b, "<ol class=\"records\" id=\"screening-list\">");
    for (size_t i = 0; i < dos->nscreenings; i++)
        screening(r, b, d, &dos->screenings[i]);
    h_raw(b, "</ol>");
    add_link(r, b, c, ACT_SCREENING_CREATE, "/screenings/new", "add-screening", MSG_LINK_SCREENING);
}
