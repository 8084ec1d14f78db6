/* Incidents: the GBVIMS classification, the input's field table, and the
 * writes and reads of a case's incidents.
 *
 * Sealing: the description is sealed with "<incident id>/description", so
 * it opens for no other incident and for no other field. */
#include "domain/incidents.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "audit/audit.h"
#include "domain/check.h"
#include "domain/place.h"
#include "domain/sealed.h"
#include "util/alloc.h"
#include "util/log.h"

#define ADULT_AGE 18
/* The last time zone to start a day: a date that is today anywhere on
 * Earth is not in the future (an incident at dawn in Phnom Penh, UTC+7, is
 * dated a day after UTC's date). */
#define LATEST_UTC_OFFSET (14 * 3600)

/* ---- the rule (DOMAIN.md §1) ---- */

/* The type each question decides when it is the first "yes", in order. */
static const enum gbv_type type_of_question[ACTS_N] = {
    GBV_RAPE,
    GBV_SEXUAL_ASSAULT,
    GBV_PHYSICAL_ASSAULT,
    GBV_FORCED_MARRIAGE,
    GBV_DENIAL_OF_RESOURCES,
    GBV_PSYCHOLOGICAL_ABUSE,
};

enum gbv_type incident_classify(const bool acts[ACTS_N])
{
    for (int i = 0; i < ACTS_N; i++)
        if (acts[i])
            return type_of_question[i];
    return GBV_NON_GBV;
}

static bool is_sexual(enum gbv_type t)
{
    return t == GBV_RAPE || t == GBV_SEXUAL_ASSAULT;
}

static bool partner(const char *relationship)
{
    return relationship != NULL && (strcmp(relationship, "intimate_partner") == 0 ||
                                    strcmp(relationship, "former_partner") == 0);
}

void incident_flags(enum gbv_type t, const struct incident_context *c, bool flags[FLAG__MAX])
{
    bool any_partner = false;
    for (int i = 0; i < c->nrelationships; i++)
        any_partner = any_partner || partner(c->relationships[i]);
    bool child = c->survivor_age >= 0 && c->survivor_age < ADULT_AGE;
    bool abducted = c->abduction != NULL && strcmp(c->abduction, "none") != 0;

    flags[FLAG_INTIMATE_PARTNER_VIOLENCE] = t != GBV_NON_GBV && any_partner;
    flags[FLAG_CHILD_SEXUAL_ABUSE] = child && is_sexual(t);
    flags[FLAG_EARLY_MARRIAGE] = child && t == GBV_FORCED_MARRIAGE;
    flags[FLAG_POSSIBLE_SEXUAL_EXPLOITATION] = is_sexual(t) && c->goods_or_money_exchanged;
    flags[FLAG_POSSIBLE_SEXUAL_SLAVERY] = is_sexual(t) && abducted;
}

/* ---- the input's field table ---- */

#define ACTS "acts."
#define PERP "perpetrators."
#define EXPL "exploitation."

/* F_BOOL, required, saying so in its error. */
#define F_ANSWER(S, m, P)                                                                          \
    F_ROW(m, P, NULL, FT_BOOL, true, 0, 0, LIST__MAX, offsetof(S, m), 0, 0, NULL, 0,               \
          "required: true or false", false)
#define ACT(m) F_ANSWER(struct incident_acts_in, m, ACTS)
static const struct field acts_field_rows[ACTS_N] = {
    ACT(penetration),     ACT(sexual_contact),      ACT(physical_assault),
    ACT(forced_marriage), ACT(denial_of_resources), ACT(psychological_abuse),
};
const struct fieldset acts_fields = {acts_field_rows, ACTS_N,
                                     offsetof(struct incident_acts_in, sent)};

static const struct field perpetrators_field_rows[] = {
    F_CODE(struct perpetrator_in, sex, PERP, true, LIST_SEX,
           "required: female, male, other or unknown"),
    F_CODE(struct perpetrator_in, age_group, PERP, true, LIST_AGE_GROUP,
           "required: an age group code"),
    F_CODE(struct perpetrator_in, relationship, PERP, true, LIST_RELATIONSHIP,
           "required: a relationship code"),
};
static const struct fieldset perpetrators_fields = {
    perpetrators_field_rows, sizeof perpetrators_field_rows / sizeof perpetrators_field_rows[0],
    FIELDS_NO_SENT};

static const struct field exploitation_field_rows[] = {
    F_CODE(struct exploitation_in, sector, EXPL, false, LIST_SECTOR, "not a sector code"),
    F_OF(struct exploitation_in, destination, EXPL, FT_ISO2, false,
         "an ISO 3166 alpha-2 code, e.g. TH"),
    F_CODE(struct exploitation_in, channel, EXPL, false, LIST_CHANNEL, "not a channel code"),
};
static const struct fieldset exploitation_fields = {
    exploitation_field_rows, sizeof exploitation_field_rows / sizeof exploitation_field_rows[0],
    FIELDS_NO_SENT};

static const struct field incident_field_rows[INCIDENT_F__MAX] = {
    [INCIDENT_F_DATE] = F_OF(struct incident_in, date, "", FT_DATE, true,
                             "required: a date YYYY-MM-DD, not in the future"),
    [INCIDENT_F_REPORTED_ON] = F_OF(struct incident_in, reported_on, "", FT_DATE, true,
                                    "required: a date YYYY-MM-DD, not in the future"),
    [INCIDENT_F_TIME_OF_DAY] = F_CODE(struct incident_in, time_of_day, "", true, LIST_TIME_OF_DAY,
                                      "required: morning, afternoon, evening_night or unknown"),
    [INCIDENT_F_LOCATION_TYPE] = F_CODE(struct incident_in, location_type, "", true,
                                        LIST_LOCATION_TYPE, "required: a location type code"),
    /* A gazetteer code or a country's: checked in incident_validate. */
    [INCIDENT_F_LOCATION] = F_TEXT(struct incident_in, location, "", true, 1, CODE_SIZE - 1,
                                   "required: a known gazetteer code, or an ISO 3166 "
                                   "alpha-2 code of another country"),
    [INCIDENT_F_MIGRATION_STAGE] = F_CODE(struct incident_in, migration_stage, "", true,
                                          LIST_MIGRATION_STAGE, "required: a migration stage code"),
    [INCIDENT_F_ACTS] = F_OBJECT(struct incident_in, acts, "", true, has_acts,
                                 "required: the six answers, true or false"),
    [INCIDENT_F_GOODS_OR_MONEY_EXCHANGED] =
        F_ANSWER(struct incident_in, goods_or_money_exchanged, ""),
    [INCIDENT_F_ABDUCTION] = F_CODE(struct incident_in, abduction, "", true, LIST_ABDUCTION,
                                    "required: none, trafficked, forced_conscription or "
                                    "other_abduction"),
    [INCIDENT_F_REPORTED_ELSEWHERE] =
        F_CODE(struct incident_in, reported_elsewhere, "", true, LIST_REPORTED_ELSEWHERE,
               "required: no, gbvims_org or non_gbvims_org"),
    /* Required, and may be empty (no perpetrator known): F_LIST would make
     * a list with no minimum optional. */
    [INCIDENT_F_PERPETRATORS] = {"perpetrators", "perpetrators", NULL, FT_LIST, true, 0,
                                 PERPETRATORS_MAX, LIST__MAX,
                                 offsetof(struct incident_in, perpetrators),
                                 offsetof(struct incident_in, nperpetrators),
                                 sizeof(struct perpetrator_in), &perpetrators_fields, 0,
                                 "required: 0 to 10 perpetrators", false},
    [INCIDENT_F_DESCRIPTION] = F_TEXT(struct incident_in, description, "", false, 1,
                                      DESCRIPTION_MAX_CHARS, "at most 4000 characters"),
    [INCIDENT_F_EXPLOITATION] = F_OBJECT(struct incident_in, exploitation, "", false,
                                         has_exploitation, "sector, destination and channel"),
};
const struct fieldset incident_fields = {incident_field_rows, INCIDENT_F__MAX,
                                         offsetof(struct incident_in, sent)};

void incident_in_init(struct incident_in *in)
{
    memset(in, 0, sizeof *in);
    fields_init(&incident_fields, in);
}

const char *incident_act_code(int i)
{
    return i >= 0 && i < ACTS_N ? acts_field_rows[i].name : NULL;
}

/* The latest date it is anywhere now, into out[DATE_SIZE]. */
static void latest_today(char out[DATE_SIZE])
{
    time_t t = (time_t)(clock_now() + LATEST_UTC_OFFSET);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, DATE_SIZE, "%Y-%m-%d", &tm);
}

/* A gazetteer code, or the code of a country other than Cambodia. */
static bool location_ok(const struct ctx *cx, const char *s)
{
    if (check_iso2(s))
        return strcmp(s, "KH") != 0;
    return strlen(s) < CODE_SIZE && cx->places != NULL && places_get(cx->places, s) != NULL;
}

/* The rules of the table, then those across fields. */
static enum err incident_validate(const struct ctx *cx, const struct incident_in *in,
                                  struct fielderrs *fe)
{
    enum err e = fields_check(cx, &incident_fields, in, fe);
    char today[DATE_SIZE];
    latest_today(today);
    bool date_ok = clock_parse_date(in->date, NULL, NULL, NULL);
    bool reported_ok = clock_parse_date(in->reported_on, NULL, NULL, NULL);
    /* YYYY-MM-DD dates compare as strings. */
    if (date_ok && strcmp(in->date, today) > 0)
        e = fielderr(fe, "date", "not in the future");
    if (reported_ok && strcmp(in->reported_on, today) > 0)
        e = fielderr(fe, "reported_on", "not in the future");
    if (date_ok && reported_ok && strcmp(in->reported_on, in->date) < 0)
        e = fielderr(fe, "reported_on", "not before the date of the incident");
    if (check_text(in->location, 1, CODE_SIZE - 1) && !location_ok(cx, in->location))
        e = fielderr(fe, "location", incident_field_rows[INCIDENT_F_LOCATION].message);
    return e;
}

/* ---- views ---- */

void incident_view_free(struct incident_view *v)
{
    if (v == NULL)
        return;
    incident_rec_free(&v->rec);
    crypto_free_text(v->description);
    memset(v, 0, sizeof *v);
}

void incident_views_free(struct incident_view *v, size_t n)
{
    if (v == NULL)
        return;
    for (size_t i = 0; i < n; i++)
        incident_view_free(&v[i]);
    free(v);
}

/* Moves rec into v, the description opened. */
static enum err view_make(const struct ctx *cx, struct incident_rec *rec, struct incident_view *v)
{
    enum err e = ERR_OK;
    memset(v, 0, sizeof *v);
    if (!sealed_open_case(cx, rec->case_id, SEALED_INCIDENT_DESCRIPTION, rec->id, &rec->description,
                          &v->description)) {
        log_error("incident %s: sealed description does not open", rec->id);
        e = ERR_INTERNAL;
    }
    v->rec = *rec;
    memset(rec, 0, sizeof *rec);
    free(v->rec.description.p);
    v->rec.description.p = NULL;
    v->rec.description.len = 0;
    if (e != ERR_OK)
        incident_view_free(v);
    return e;
}

/* ---- writing ---- */

static void put_code(json_t *o, const char *key, const char *s)
{
    if (!check_absent(s))
        json_object_set_new(o, key, json_string(s));
}

static char *perpetrators_json(const struct incident_in *in)
{
    json_t *a = json_array();
    for (int i = 0; i < in->nperpetrators && i < PERPETRATORS_MAX; i++) {
        const struct perpetrator_in *p = &in->perpetrators[i];
        json_array_append_new(a, json_pack("{s:s, s:s, s:s}", "sex", p->sex, "age_group",
                                           p->age_group, "relationship", p->relationship));
    }
    char *s = json_dumps(a, JSON_COMPACT);
    json_decref(a);
    return s;
}

/* The exploitation details sent, or NULL when none. */
static char *exploitation_json(const struct incident_in *in)
{
    if (!in->has_exploitation)
        return NULL;
    json_t *o = json_object();
    put_code(o, "sector", in->exploitation.sector);
    put_code(o, "destination", in->exploitation.destination);
    put_code(o, "channel", in->exploitation.channel);
    char *s = json_object_size(o) > 0 ? json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(o);
    return s;
}

static char *flags_json(const bool flags[FLAG__MAX])
{
    json_t *a = json_array();
    for (int i = 0; i < FLAG__MAX; i++)
        if (flags[i])
            json_array_append_new(a, json_string(code_name(LIST_CONTEXT_FLAG, i)));
    char *s = json_dumps(a, JSON_COMPACT);
    json_decref(a);
    return s;
}

static void copy(char *dst, size_t n, const char *src)
{
    snprintf(dst, n, "%s", src != NULL ? src : "");
}

/* The record of a valid input for case cr: the age on the incident date,
 * the type and the flags computed, the description sealed. */
enum err incident_fill(const struct ctx *cx, const struct case_rec *cr,
                       const struct incident_in *in, struct incident_rec *r)
{
    const struct incident_acts_in *a = &in->acts;
    const char *relationships[PERPETRATORS_MAX];

    crypto_random_id(r->id);
    copy(r->case_id, sizeof r->case_id, cr->id);
    copy(r->date, sizeof r->date, in->date);
    copy(r->reported_on, sizeof r->reported_on, in->reported_on);
    copy(r->time_of_day, sizeof r->time_of_day, in->time_of_day);
    copy(r->location_type, sizeof r->location_type, in->location_type);
    copy(r->location, sizeof r->location, in->location);
    copy(r->migration_stage, sizeof r->migration_stage, in->migration_stage);
    r->acts[0] = a->penetration;
    r->acts[1] = a->sexual_contact;
    r->acts[2] = a->physical_assault;
    r->acts[3] = a->forced_marriage;
    r->acts[4] = a->denial_of_resources;
    r->acts[5] = a->psychological_abuse;
    r->goods_or_money_exchanged = in->goods_or_money_exchanged;
    copy(r->abduction, sizeof r->abduction, in->abduction);
    copy(r->reported_elsewhere, sizeof r->reported_elsewhere, in->reported_elsewhere);
    r->perpetrators = perpetrators_json(in);
    r->exploitation = exploitation_json(in);
    if (!check_absent(in->description)) {
        enum err e = sealed_seal_case(cx, cr->id, SEALED_INCIDENT_DESCRIPTION, r->id,
                                      in->description, &r->description);
        if (e != ERR_OK)
            return e;
    }

    for (int i = 0; i < in->nperpetrators && i < PERPETRATORS_MAX; i++)
        relationships[i] = in->perpetrators[i].relationship;
    struct incident_context c = {
        .survivor_age = case_survivor_age_on(cx, cr, in->date),
        .goods_or_money_exchanged = in->goods_or_money_exchanged,
        .abduction = in->abduction,
        .relationships = relationships,
        .nrelationships =
            in->nperpetrators < PERPETRATORS_MAX ? in->nperpetrators : PERPETRATORS_MAX,
    };
    bool flags[FLAG__MAX];
    enum gbv_type t = incident_classify(r->acts);
    incident_flags(t, &c, flags);
    copy(r->gbv_type, sizeof r->gbv_type, code_name(LIST_GBV_TYPE, t));
    r->context_flags = flags_json(flags);
    r->survivor_age = c.survivor_age;
    copy(r->created_by, sizeof r->created_by, cx->actor->user.id);
    if (r->created_at[0] == '\0') /* the bulk writer dates its own */
        clock_stamp(r->created_at);
    return ERR_OK;
}

enum err incident_add(const struct ctx *cx, const char *case_id, const struct incident_in *in,
                      struct incident_view *out, struct fielderrs *fe)
{
    struct case_rec cr = {0};
    struct incident_rec r = {0};
    enum err e;

    memset(out, 0, sizeof *out);
    /* An incident is recorded by a real user, even from the command line. */
    if (cx->actor == NULL)
        return ERR_FORBIDDEN;
    if ((e = case_fetch_open(cx, ACT_INCIDENT_CREATE, case_id, &cr)) != ERR_OK)
        return e; /* a closed case: reopen it first */
    /* fe may hold the decoder's problems already. */
    if (incident_validate(cx, in, fe) != ERR_OK || fe->n > 0) {
        e = ERR_VALIDATION;
        goto out;
    }
    if ((e = incident_fill(cx, &cr, in, &r)) != ERR_OK)
        goto out;

    if ((e = store_begin(cx->db)) != ERR_OK)
        goto out;
    e = store_incident_insert(cx->db, &r);
    if (e == ERR_OK)
        e = case_event_add(cx, cr.id, "incident", r.gbv_type, r.id, NULL);
    if (e == ERR_OK)
        e = audit_append(cx->db, cx->actor->user.id, AUDIT_CREATE, "incident", r.id, NULL);
    if ((e = store_end(cx->db, e)) != ERR_OK)
        goto out;
    e = view_make(cx, &r, out);
out:
    incident_rec_free(&r);
    case_rec_free(&cr);
    return e;
}

/* ---- reading ---- */

/* The incidents of case_id as views. */
static enum err views_of(const struct ctx *cx, const char *case_id, struct incident_view **items,
                         size_t *n)
{
    struct incident_rec *recs = NULL;
    size_t nrecs = 0;
    enum err e = store_incident_list(cx->db, case_id, &recs, &nrecs);
    if (e != ERR_OK)
        return e;
    struct incident_view *v = xcalloc(nrecs > 0 ? nrecs : 1, sizeof *v);
    for (size_t i = 0; i < nrecs && e == ERR_OK; i++)
        e = view_make(cx, &recs[i], &v[i]);
    incident_list_free(recs, nrecs);
    if (e != ERR_OK) {
        incident_views_free(v, nrecs);
        return e;
    }
    *items = v;
    *n = nrecs;
    return ERR_OK;
}

enum err incident_list(const struct ctx *cx, const char *case_id, struct incident_view **items,
                       size_t *n)
{
    struct case_rec cr = {0};
    enum err e;

    *items = NULL;
    *n = 0;
    if ((e = case_fetch(cx, ACT_CASE_READ_DETAIL, case_id, &cr)) != ERR_OK)
        return e;
    /* No unaudited read of case content: audited before it is answered. */
    if ((e = store_begin(cx->db)) != ERR_OK)
        goto out;
    e = audit_append(cx->db, check_user_id(cx), AUDIT_READ, "case", cr.id, "incidents");
    if ((e = store_end(cx->db, e)) != ERR_OK)
        goto out;
    e = views_of(cx, cr.id, items, n);
out:
    case_rec_free(&cr);
    return e;
}

enum err incident_list_of(const struct ctx *cx, const struct case_view *cv,
                          struct incident_view **items, size_t *n)
{
    *items = NULL;
    *n = 0;
    if (!cv->detail || !may(cx, ACT_CASE_READ_DETAIL))
        return ERR_FORBIDDEN;
    return views_of(cx, cv->rec.id, items, n);
}
