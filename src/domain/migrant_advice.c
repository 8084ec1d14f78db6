/* Safe-migration advice records (domain/migrant_advice.h). */
#include "domain/migrant_advice.h"

#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <sodium.h>

#include "audit/audit.h"
#include "domain/agencies.h"
#include "domain/check.h"
#include "domain/cursor.h"
#include "domain/network.h"
#include "domain/outreach.h" /* outreach_latest_today */
#include "domain/scope.h"
#include "domain/sealed.h"
#include "util/alloc.h"
#include "util/codes.h"

#define PE "person."
#define DO "documents."

static const struct field person_field_rows[] = {
    F_TEXT(struct advice_person_in, name_km, PE, false, 1, ADVICE_NAME_MAX_CHARS,
           "a name of 1 to 200 characters"),
    F_TEXT(struct advice_person_in, name_latn, PE, false, 1, ADVICE_NAME_MAX_CHARS,
           "a name of 1 to 200 characters"),
    F_CODE(struct advice_person_in, sex, PE, true, LIST_SEX, "required: a sex code"),
    F_YEAR(struct advice_person_in, birth_year, PE, true, 1900, -1,
           "required: a year from 1900 to this year"),
    F_OF(struct advice_person_in, phone, PE, FT_PHONE, false,
         "digits, an optional leading +, spaces or dashes"),
};
static const struct fieldset person_fields = FIELDSET(person_field_rows);

static const struct field documents_field_rows[] = {
    F_BOOL(struct advice_documents_in, passport, DO, false),
    F_BOOL(struct advice_documents_in, visa, DO, false),
    F_BOOL(struct advice_documents_in, work_permit, DO, false),
    F_BOOL(struct advice_documents_in, contract, DO, false),
    F_BOOL(struct advice_documents_in, pre_departure_orientation, DO, false),
    F_BOOL(struct advice_documents_in, overseas_worker_card, DO, false),
    F_BOOL(struct advice_documents_in, pink_card, DO, false),
    F_BOOL(struct advice_documents_in, certificate_of_identity, DO, false),
};
static const struct fieldset documents_fields = FIELDSET(documents_field_rows);
_Static_assert(sizeof documents_field_rows / sizeof documents_field_rows[0] == ADVICE_DOCUMENTS,
               "a box for every document of DOMAIN.md §7");

static const struct field advice_field_rows[] = {
    F_OF(struct migrant_advice_in, date, "", FT_DATE, true,
         "required: a date YYYY-MM-DD from 2000, not in the future"),
    F_OBJECT(struct migrant_advice_in, person, "", true, has_person,
             "required: sex and birth_year, names and phone optional"),
    F_OF(struct migrant_advice_in, destination, "", FT_ISO2, true,
         "required: a country code ISO 3166-1 alpha-2"),
    F_CODE(struct migrant_advice_in, sector, "", true, LIST_SECTOR, "required: a sector code"),
    F_CODE(struct migrant_advice_in, channel, "", true, LIST_CHANNEL, "required: a channel code"),
    F_OF(struct migrant_advice_in, agency_id, "", FT_ID, false, "an agency of the list"),
    F_OBJECT(struct migrant_advice_in, documents, "", false, has_documents,
             "the documents checklist: true or false for each"),
    F_CODES(struct migrant_advice_in, risks, "", "risk", false, 0, ADVICE_RISKS_MAX,
            LIST_MIGRATION_RISK, "risk codes, each once"),
    F_OF(struct migrant_advice_in, follow_up_on, "", FT_DATE, false,
         "a date YYYY-MM-DD, not before the advice"),
    F_OF(struct migrant_advice_in, group_id, "", FT_ID, false, "a group"),
};
const struct fieldset migrant_advice_fields = FIELDSET(advice_field_rows);

static const struct field patch_field_rows[] = {
    F_INT(struct migrant_advice_patch_in, version, "", true, 1, INT_MAX, -1,
          "required: the version you read"),
    F_BOOL(struct migrant_advice_patch_in, follow_up_done, "", true),
};
const struct fieldset migrant_advice_patch_fields = FIELDSET(patch_field_rows);

void migrant_advice_patch_in_init(struct migrant_advice_patch_in *in)
{
    memset(in, 0, sizeof *in);
    fields_init(&migrant_advice_patch_fields, in);
}

void migrant_advice_in_init(struct migrant_advice_in *in)
{
    memset(in, 0, sizeof *in);
    fields_init(&migrant_advice_fields, in);
}

void advice_view_free(struct advice_view *v)
{
    if (v == NULL)
        return;
    advice_rec_free(&v->rec);
    if (v->name_km != NULL)
        sodium_memzero(v->name_km, strlen(v->name_km));
    if (v->name_latn != NULL)
        sodium_memzero(v->name_latn, strlen(v->name_latn));
    if (v->phone != NULL)
        sodium_memzero(v->phone, strlen(v->phone));
    agency_indicators_free(&v->agency_indicators);
    free(v->name_km);
    free(v->name_latn);
    free(v->phone);
    memset(v, 0, sizeof *v);
}

void advice_views_free(struct advice_view *v, size_t n)
{
    for (size_t i = 0; i < n && v != NULL; i++)
        advice_view_free(&v[i]);
    free(v);
}

/* ---- the documents and the facts ---- */

/* The checklist's codes (LIST_DOCUMENT) and where each lives in the input. */
static const struct {
    const char *code;
    size_t off;
} documents[ADVICE_DOCUMENTS] = {
    {"passport", offsetof(struct advice_documents_in, passport)},
    {"visa", offsetof(struct advice_documents_in, visa)},
    {"work_permit", offsetof(struct advice_documents_in, work_permit)},
    {"contract", offsetof(struct advice_documents_in, contract)},
    {"pre_departure_orientation", offsetof(struct advice_documents_in, pre_departure_orientation)},
    {"overseas_worker_card", offsetof(struct advice_documents_in, overseas_worker_card)},
    {"pink_card", offsetof(struct advice_documents_in, pink_card)},
    {"certificate_of_identity", offsetof(struct advice_documents_in, certificate_of_identity)},
};

static char *documents_json(const struct advice_documents_in *d)
{
    json_t *o = json_object();
    for (size_t i = 0; i < ADVICE_DOCUMENTS; i++)
        json_object_set_new(o, documents[i].code,
                            json_boolean(*(const bool *)((const char *)d + documents[i].off)));
    char *s = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    return s;
}

static char *codes_json(const char *const *codes, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_string(codes[i]));
    char *s = json_dumps(a, JSON_COMPACT);
    json_decref(a);
    return s;
}

/* Whether an agency is licensed on date, read through agencies.h.
 * ERR_NOT_FOUND when id names no agency. */
static enum err licensed_on(const struct ctx *cx, const char *id, const char *date, bool *licensed)
{
    struct agency_rec a;
    struct fielderrs fe = {0};
    *licensed = false;
    enum err e = agency_get(cx, id, date, &a, &fe);
    if (e == ERR_OK)
        *licensed = a.licensed;
    agency_rec_free(&a);
    return e;
}

/* The warnings of a stored record, from its facts (rec's documents and
 * risks JSON, which facts' risks borrow: keep rec while using them). */
static enum err stored_warnings(const struct ctx *cx, struct advice_view *v)
{
    const struct advice_rec *r = &v->rec;
    struct advice_facts facts = {
        .date = r->date,
        .birth_year = r->birth_year,
        .channel = r->channel,
        .has_agency = r->agency_id[0] != '\0',
    };
    if (facts.has_agency) {
        enum err e = licensed_on(cx, r->agency_id, r->date, &facts.agency_licensed);
        if (e != ERR_OK)
            return e == ERR_NOT_FOUND ? ERR_INTERNAL : e;
    }
    json_t *d = r->documents != NULL ? json_loads(r->documents, 0, NULL) : NULL;
    facts.passport = json_is_true(json_object_get(d, "passport"));
    facts.contract = json_is_true(json_object_get(d, "contract"));
    json_decref(d);
    json_t *risks = r->risks != NULL ? json_loads(r->risks, 0, NULL) : NULL;
    size_t i;
    json_t *c;
    json_array_foreach(risks, i, c)
    {
        /* The codes are the list's own (code_name): they outlive the JSON. */
        int k = code_parse(LIST_MIGRATION_RISK, json_string_value(c));
        if (k >= 0 && facts.nrisks < ADVICE_RISKS_MAX)
            facts.risks[facts.nrisks++] = code_name(LIST_MIGRATION_RISK, k);
    }
    json_decref(risks);
    v->nwarnings = advice_warnings(&facts, v->warnings);
    return ERR_OK;
}

/* The named agency's figures, for a caller allowed them: copied from a
 * view of done[0..ndone) naming the same agency (a list reads each agency
 * once), else counted. */
static enum err agency_figures(const struct ctx *cx, struct advice_view *v,
                               const struct advice_view *done, size_t ndone)
{
    if (v->rec.agency_id[0] == '\0' || !agency_indicators_allowed(cx))
        return ERR_OK;
    for (size_t i = 0; i < ndone; i++) {
        const struct agency_indicators *a = &done[i].agency_indicators;
        if (!done[i].has_agency_indicators || strcmp(done[i].rec.agency_id, v->rec.agency_id) != 0)
            continue;
        v->agency_indicators = *a;
        v->agency_indicators.by_indicator =
            xcalloc(a->nby_indicator > 0 ? a->nby_indicator : 1, sizeof *a->by_indicator);
        if (a->nby_indicator > 0)
            memcpy(v->agency_indicators.by_indicator, a->by_indicator,
                   a->nby_indicator * sizeof *a->by_indicator);
        v->has_agency_indicators = true;
        return ERR_OK;
    }
    enum err e = agency_indicator_counts(cx, v->rec.agency_id, &v->agency_indicators);
    if (e == ERR_NOT_FOUND)
        return ERR_INTERNAL; /* the record's agency is gone from the store */
    v->has_agency_indicators = e == ERR_OK;
    return e;
}

/* The person opened, the warnings computed and the agency's figures read
 * (done[0..ndone): views filled before, see agency_figures): v->rec read
 * already. */
static enum err view_fill(const struct ctx *cx, struct advice_view *v,
                          const struct advice_view *done, size_t ndone)
{
    char *text = NULL;
    if (!sealed_open(cx, SEALED_ADVICE_PERSON, v->rec.id, &v->rec.person, &text))
        return ERR_INTERNAL;
    json_t *p = text != NULL ? json_loads(text, 0, NULL) : NULL;
    const char *s;
    if ((s = json_string_value(json_object_get(p, "name_km"))) != NULL)
        v->name_km = xstrdup(s);
    if ((s = json_string_value(json_object_get(p, "name_latn"))) != NULL)
        v->name_latn = xstrdup(s);
    if ((s = json_string_value(json_object_get(p, "phone"))) != NULL)
        v->phone = xstrdup(s);
    json_decref(p);
    if (text != NULL) {
        sodium_memzero(text, strlen(text));
        free(text);
    }
    enum err e = stored_warnings(cx, v);
    return e == ERR_OK ? agency_figures(cx, v, done, ndone) : e;
}

/* ---- writing ---- */

/* The group id if the caller reaches it under a: ERR_NOT_FOUND when
 * absent or out of reach. */
static enum err group_reach(const struct ctx *cx, enum action a, const char *id,
                            struct group_rec *out)
{
    memset(out, 0, sizeof *out);
    if (!check_id(id))
        return ERR_NOT_FOUND;
    enum err e = store_group_get(cx->db, id, out);
    if (e != ERR_OK)
        return e;
    struct reach re = {.organization_id = out->organization_id, .group_id = out->id};
    if (!scope_reaches(cx, a, &re)) {
        group_rec_free(out);
        memset(out, 0, sizeof *out);
        return ERR_NOT_FOUND;
    }
    return ERR_OK;
}

/* The table's rules, then those of the calendar and across fields. */
static enum err advice_validate(const struct ctx *cx, const struct migrant_advice_in *in,
                                struct fielderrs *fe)
{
    enum err e = fields_check(cx, &migrant_advice_fields, in, fe);
    bool date_ok = in->date != NULL && clock_parse_date(in->date, NULL, NULL, NULL);
    if (date_ok) {
        char today[DATE_SIZE];
        outreach_latest_today(today);
        /* YYYY-MM-DD dates compare as strings. */
        if (strcmp(in->date, today) > 0)
            e = fielderr(fe, "date", "not in the future");
        else if (strcmp(in->date, ADVICE_EARLIEST_DATE) < 0)
            e = fielderr(fe, "date", "not before 2000");
    }
    if (date_ok && in->follow_up_on != NULL &&
        clock_parse_date(in->follow_up_on, NULL, NULL, NULL) &&
        strcmp(in->follow_up_on, in->date) < 0)
        e = fielderr(fe, "follow_up_on", "not before the advice date");
    if (date_ok && in->has_person && in->person.birth_year > 0 &&
        in->person.birth_year > atoi(in->date))
        e = fielderr(fe, "person.birth_year", "not after the advice date");
    return e;
}

/* The group the record goes to: the one named, or the caller's own. */
static enum err advice_group(const struct ctx *cx, const struct migrant_advice_in *in,
                             struct group_rec *g, struct fielderrs *fe)
{
    memset(g, 0, sizeof *g);
    if (!check_absent(in->group_id))
        return group_reach(cx, ACT_ADVICE_CREATE, in->group_id, g);
    struct bounds b;
    if (scope_bounds(cx, ACT_ADVICE_CREATE, &b) && b.group_id != NULL && b.group_id[0] != '\0')
        return group_reach(cx, ACT_ADVICE_CREATE, b.group_id, g);
    return fielderr(fe, "group_id", "required: a group");
}

static void person_seal(const struct ctx *cx, const struct migrant_advice_in *in,
                        struct advice_rec *r)
{
    json_t *o = json_object();
    if (!check_absent(in->person.name_km))
        json_object_set_new(o, "name_km", json_string(in->person.name_km));
    if (!check_absent(in->person.name_latn))
        json_object_set_new(o, "name_latn", json_string(in->person.name_latn));
    if (!check_absent(in->person.phone))
        json_object_set_new(o, "phone", json_string(in->person.phone));
    char *text = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    sealed_seal(cx, SEALED_ADVICE_PERSON, r->id, text, &r->person);
    sodium_memzero(text, strlen(text));
    free(text);
}

/* The warning codes of the input, computed as a read computes them. */
static enum err input_warnings(const struct ctx *cx, const struct migrant_advice_in *in,
                               struct fielderrs *fe, char **codes)
{
    struct advice_facts facts = {
        .date = in->date,
        .birth_year = in->person.birth_year,
        .channel = in->channel,
        .has_agency = !check_absent(in->agency_id),
        .passport = in->documents.passport,
        .contract = in->documents.contract,
    };
    *codes = NULL;
    if (facts.has_agency) {
        enum err e = licensed_on(cx, in->agency_id, in->date, &facts.agency_licensed);
        if (e == ERR_NOT_FOUND)
            return fielderr(fe, "agency_id", "no agency of the list has this id");
        if (e != ERR_OK)
            return e;
    }
    for (int i = 0; i < in->nrisks && i < ADVICE_RISKS_MAX; i++)
        facts.risks[facts.nrisks++] = in->risks[i];
    struct advice_warning w[ADVICE_WARNINGS_MAX];
    size_t n = advice_warnings(&facts, w);
    const char *c[ADVICE_WARNINGS_MAX];
    for (size_t i = 0; i < n; i++)
        c[i] = w[i].code;
    *codes = codes_json(c, n);
    return ERR_OK;
}

enum err migrant_advice_create(const struct ctx *cx, const struct migrant_advice_in *in,
                               struct advice_view *out, struct fielderrs *fe)
{
    struct advice_rec r = {0};
    struct group_rec g;
    memset(&g, 0, sizeof g);
    memset(out, 0, sizeof *out);
    if (!may(cx, ACT_ADVICE_CREATE))
        return ERR_FORBIDDEN;
    enum err e = advice_validate(cx, in, fe);
    /* A group she may not reach is not found, whatever else is wrong: the
     * answer never tells it exists. */
    if (check_absent(in->group_id) || check_id(in->group_id)) {
        enum err ge = advice_group(cx, in, &g, fe);
        if (ge == ERR_NOT_FOUND || (ge != ERR_OK && ge != ERR_VALIDATION)) {
            group_rec_free(&g);
            return ge;
        }
        if (ge != ERR_OK)
            e = ge;
    }
    if (e != ERR_OK) {
        group_rec_free(&g);
        return e;
    }
    if ((e = input_warnings(cx, in, fe, &r.warnings)) != ERR_OK) {
        group_rec_free(&g);
        advice_rec_free(&r);
        return e;
    }

    crypto_random_id(r.id);
    memcpy(r.group_id, g.id, sizeof r.group_id);
    group_rec_free(&g);
    snprintf(r.date, sizeof r.date, "%s", in->date);
    person_seal(cx, in, &r);
    snprintf(r.sex, sizeof r.sex, "%s", in->person.sex);
    r.birth_year = in->person.birth_year;
    snprintf(r.destination, sizeof r.destination, "%s", in->destination);
    snprintf(r.sector, sizeof r.sector, "%s", in->sector);
    snprintf(r.channel, sizeof r.channel, "%s", in->channel);
    if (!check_absent(in->agency_id))
        snprintf(r.agency_id, sizeof r.agency_id, "%s", in->agency_id);
    r.documents = documents_json(&in->documents);
    r.risks = codes_json(in->risks, (size_t)(in->nrisks < 0 ? 0 : in->nrisks));
    if (!check_absent(in->follow_up_on))
        snprintf(r.follow_up_on, sizeof r.follow_up_on, "%s", in->follow_up_on);
    snprintf(r.recorded_by, sizeof r.recorded_by, "%s", check_user_id(cx));
    clock_stamp(r.created_at);
    memcpy(r.updated_at, r.created_at, TS_SIZE);
    r.version = 1;
    if ((e = store_begin(cx->db)) != ERR_OK) {
        advice_rec_free(&r);
        return e;
    }
    e = store_advice_insert(cx->db, &r);
    if (e == ERR_OK)
        e = audit_append(cx->db, check_user_id(cx), AUDIT_CREATE, "migrant_advice", r.id, NULL);
    if ((e = store_end(cx->db, e)) != ERR_OK) {
        advice_rec_free(&r);
        return e;
    }
    /* The stored row, with its group's organization. */
    e = store_advice_get(cx->db, r.id, &out->rec);
    advice_rec_free(&r);
    if (e == ERR_OK)
        e = view_fill(cx, out, NULL, 0);
    if (e != ERR_OK)
        advice_view_free(out);
    return e;
}

/* ---- reading ---- */

static bool reaches(const struct ctx *cx, enum action a, const struct advice_rec *r)
{
    struct reach re = {.organization_id = r->organization_id, .group_id = r->group_id};
    return scope_reaches(cx, a, &re);
}

/* The record id if the caller reaches it under a. */
static enum err advice_reach(const struct ctx *cx, enum action a, const char *id,
                             struct advice_rec *out)
{
    memset(out, 0, sizeof *out);
    if (!check_id(id))
        return ERR_NOT_FOUND;
    enum err e = store_advice_get(cx->db, id, out);
    if (e != ERR_OK)
        return e;
    if (!reaches(cx, a, out)) {
        advice_rec_free(out);
        return ERR_NOT_FOUND;
    }
    return ERR_OK;
}

enum err migrant_advice_get(const struct ctx *cx, const char *id, struct advice_view *out)
{
    memset(out, 0, sizeof *out);
    if (!may(cx, ACT_ADVICE_READ))
        return ERR_FORBIDDEN;
    enum err e = advice_reach(cx, ACT_ADVICE_READ, id, &out->rec);
    if (e == ERR_OK && (e = view_fill(cx, out, NULL, 0)) != ERR_OK)
        advice_view_free(out);
    return e;
}

enum err migrant_advice_follow_up_done(const struct ctx *cx, const char *id,
                                       const struct migrant_advice_patch_in *in,
                                       struct advice_view *out, struct fielderrs *fe)
{
    struct advice_rec r;
    memset(out, 0, sizeof *out);
    if (!may(cx, ACT_ADVICE_UPDATE))
        return ERR_FORBIDDEN;
    enum err e = advice_reach(cx, ACT_ADVICE_UPDATE, id, &r);
    if (e != ERR_OK)
        return e;
    e = fields_check(cx, &migrant_advice_patch_fields, in, fe);
    if (!in->follow_up_done)
        e = fielderr(fe, "follow_up_done", "true: the one change an advice record takes");
    if (e != ERR_OK) {
        advice_rec_free(&r);
        return e;
    }
    int version = in->version;
    /* A stale version, no follow-up or one done already: a state the
     * change does not apply to. */
    if (r.version != version || r.follow_up_on[0] == '\0' || r.follow_up_done_at[0] != '\0') {
        advice_rec_free(&r);
        return ERR_CONFLICT;
    }
    clock_stamp(r.follow_up_done_at);
    memcpy(r.updated_at, r.follow_up_done_at, TS_SIZE);
    if ((e = store_begin(cx->db)) != ERR_OK) {
        advice_rec_free(&r);
        return e;
    }
    e = store_advice_follow_up_done(cx->db, &r);
    if (e == ERR_OK)
        e = audit_append(cx->db, check_user_id(cx), AUDIT_UPDATE, "migrant_advice", r.id, NULL);
    e = store_end(cx->db, e);
    advice_rec_free(&r);
    if (e != ERR_OK)
        return e;
    if ((e = store_advice_get(cx->db, id, &out->rec)) == ERR_OK)
        e = view_fill(cx, out, NULL, 0);
    if (e != ERR_OK)
        advice_view_free(out);
    return e;
}

static void cursor_encode(const struct advice_rec *last, char out[CURSOR_SIZE])
{
    cursor_dated_encode(last->date, last->created_at, last->id, out);
}

static bool cursor_decode(const char *cur, struct advice_filter *f)
{
    f->has_after = cursor_dated_decode(cur, f->after_date, f->after_created_at, f->after_id);
    return f->has_after;
}

enum err migrant_advice_list(const struct ctx *cx, const struct migrant_advice_query *q,
                             struct advice_view **items, size_t *n, char next_cursor[CURSOR_SIZE],
                             struct fielderrs *fe)
{
    struct advice_filter f;
    struct bounds b;
    char today[DATE_SIZE];
    enum err e = ERR_OK;
    memset(&f, 0, sizeof f);
    *items = NULL;
    *n = 0;
    next_cursor[0] = '\0';
    if (!may(cx, ACT_ADVICE_READ))
        return ERR_FORBIDDEN;
    const char *group = check_absent(q->group_id) ? NULL : q->group_id;
    int limit = q->limit == 0 ? 50 : q->limit;
    if (limit < 1 || limit > 500)
        e = fielderr(fe, "limit", "1 to 500");
    if (q->cursor != NULL && !cursor_decode(q->cursor, &f))
        e = fielderr(fe, "cursor", "not a cursor of this list");
    if (q->today != NULL && !clock_parse_date(q->today, NULL, NULL, NULL))
        e = fielderr(fe, "today", "a date YYYY-MM-DD");
    if (e != ERR_OK)
        return e;
    if (group != NULL) {
        struct group_rec g;
        if ((e = group_reach(cx, ACT_ADVICE_READ, group, &g)) != ERR_OK)
            return e;
        group_rec_free(&g);
    }
    if (!scope_bounds(cx, ACT_ADVICE_READ, &b))
        return ERR_OK; /* she reaches none: a member without a group */
    if (q->today != NULL)
        snprintf(today, sizeof today, "%s", q->today);
    else
        clock_today_cambodia(today);
    f.organization_id = b.organization_id;
    f.group_id = group != NULL ? group : b.group_id;
    f.due_on = q->follow_up_due ? today : NULL;
    f.limit = limit + 1;
    struct advice_rec *recs = NULL;
    size_t nrecs = 0;
    if ((e = store_advice_list(cx->db, &f, &recs, &nrecs)) != ERR_OK)
        return e;
    if (nrecs > (size_t)limit) {
        cursor_encode(&recs[limit - 1], next_cursor);
        for (size_t i = (size_t)limit; i < nrecs; i++)
            advice_rec_free(&recs[i]);
        nrecs = (size_t)limit;
    }
    struct advice_view *views = xcalloc(nrecs > 0 ? nrecs : 1, sizeof *views);
    for (size_t i = 0; i < nrecs; i++)
        views[i].rec = recs[i]; /* moved */
    free(recs);
    for (size_t i = 0; i < nrecs && e == ERR_OK; i++)
        e = view_fill(cx, &views[i], views, i);
    if (e != ERR_OK) {
        advice_views_free(views, nrecs);
        return e;
    }
    *items = views;
    *n = nrecs;
    return ERR_OK;
}

enum err migrant_advice_groups(const struct ctx *cx, struct group_rec **items, size_t *n)
{
    struct group_rec *all = NULL;
    size_t nall = 0, kept = 0;
    *items = NULL;
    *n = 0;
    if (!may(cx, ACT_ADVICE_CREATE))
        return ERR_OK;
    enum err e = group_list(cx, &all, &nall);
    if (e == ERR_FORBIDDEN)
        return ERR_OK;
    if (e != ERR_OK)
        return e;
    for (size_t i = 0; i < nall; i++) {
        struct reach re = {.organization_id = all[i].organization_id, .group_id = all[i].id};
        if (scope_reaches(cx, ACT_ADVICE_CREATE, &re))
            all[kept++] = all[i];
        else
            group_rec_free(&all[i]);
    }
    *items = all;
    *n = kept;
    return ERR_OK;
}
