/* The bulk writer of cbpn demo --scale (bulk.h): the records of the checked
 * paths, written as they write them, dated when each step happened. */
#include "domain/bulk.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "audit/audit.h"
#include "domain/cases_int.h"
#include "domain/place.h"
#include "domain/referrals.h"
#include "domain/screening.h"
#include "domain/sealed.h"
#include "util/alloc.h"
#include "util/codes.h"

#define MS_PER_DAY (86400 * (int64_t)1000)

/* What one case's writes share: its key, its id, the counts. */
struct bw {
    const struct ctx *cx;
    struct casekey *ck;
    const char *case_id;
    struct bulk_counts *n;
};

static void seal(const struct bw *w, enum sealed_field f, const char *id, const char *text,
                 struct blob *out)
{
    char *ad = sealed_ad(f, id);
    casekey_seal(w->ck, ad, text, strlen(text), out);
    free(ad);
}

static void ts(int64_t ms, char out[TS_SIZE])
{
    clock_rfc3339_ms(ms, out);
}

/* A timeline step, as case_event_add writes it (no text: the demo's steps
 * carry none). */
static enum err event(const struct bw *w, int64_t ms, const struct user_rec *u, const char *kind,
                      const char *detail, const char *ref_id)
{
    struct case_event_rec ev = {0};
    memcpy(ev.case_id, w->case_id, ID_SIZE);
    ts(ms, ev.at);
    memcpy(ev.user_id, u->id, ID_SIZE);
    snprintf(ev.kind, sizeof ev.kind, "%s", kind);
    ev.detail = detail != NULL ? xstrdup(detail) : NULL;
    if (ref_id != NULL)
        snprintf(ev.ref_id, sizeof ev.ref_id, "%s", ref_id);
    w->n->events++;
    enum err e = store_case_event_insert(w->cx->db, &ev);
    free(ev.detail);
    return e;
}

/* The audit entry of a step, dated when it was taken. */
static enum err audit(const struct bw *w, int64_t ms, const struct user_rec *u, enum audit_action a,
                      const char *type, const char *id, const char *detail)
{
    char at[TS_SIZE];
    ts(ms, at);
    w->n->audit++;
    return audit_append_at(w->cx->db, at, u->id, a, type, id, detail);
}

/* The case row as the report wrote it, then moved by its later steps. */
static enum err case_row(const struct bw *w, const struct bulk_case *b, struct case_rec *r)
{
    const struct ctx *cx = w->cx;
    memcpy(r->id, w->case_id, ID_SIZE);
    snprintf(r->organization_id, sizeof r->organization_id, "%s", b->organization_id);
    memcpy(r->group_id, b->reporter->group_id, ID_SIZE);
    memcpy(r->reported_by, b->reporter->id, ID_SIZE);
    snprintf(r->location_code, sizeof r->location_code, "%s", b->location_code);
    for (int i = 0; i < b->nconcerns; i++)
        snprintf(r->concerns[i], sizeof r->concerns[i], "%s", b->concerns[i]);
    r->nconcerns = b->nconcerns;
    if (b->summary != NULL)
        seal(w, SEALED_CASE_SUMMARY, r->id, b->summary, &r->summary);
    r->urgent = b->urgent;
    r->consent_to_contact = b->consent_to_contact;
    ts(b->reported_ms, r->created_at);
    r->version = 1;

    /* Its code: the district's prefix, the year reported, the next number. */
    const struct place *district = places_district_of(cx->places, b->location_code);
    char prefix[4];
    case_code_prefix(district != NULL ? district->name_latn : NULL, prefix);
    int year = atoi(r->created_at), seq = 0;
    enum err e = store_case_next_seq(cx->db, prefix, year, &seq);
    if (e != ERR_OK)
        return e;
    snprintf(r->code, sizeof r->code, "%s-%04d-%04d", prefix, year, seq);

    r->has_survivor = b->has_survivor;
    if (b->has_survivor) {
        const struct survivor_in *s = &b->survivor;
        struct survivor_rec *sr = &r->survivor;
        json_t *id = json_object();
        if (s->name_km != NULL)
            json_object_set_new(id, "name_km", json_string(s->name_km));
        if (s->name_latn != NULL)
            json_object_set_new(id, "name_latn", json_string(s->name_latn));
        if (s->phone != NULL)
            json_object_set_new(id, "phone", json_string(s->phone));
        if (json_object_size(id) > 0) {
            char *pt = json_dumps(id, JSON_COMPACT);
            seal(w, SEALED_SURVIVOR_IDENTITY, r->id, pt, &sr->identity);
            sodium_memzero(pt, strlen(pt));
            free(pt);
        }
        json_decref(id);
        snprintf(sr->sex, sizeof sr->sex, "%s", s->sex);
        sr->age = s->age;
        sr->age_estimated = s->age_estimated;
        json_t *dem = json_object();
        if (s->address_code != NULL)
            json_object_set_new(dem, "address_code", json_string(s->address_code));
        if (s->age >= 0) {
            char on[DATE_SIZE];
            snprintf(on, sizeof on, "%.10s", r->created_at);
            json_object_set_new(dem, "age_on", json_string(on));
        }
        if (json_object_size(dem) > 0)
            sr->demographics = json_dumps(dem, JSON_COMPACT | JSON_SORT_KEYS);
        json_decref(dem);
    }

    /* Its final state after the steps taken. */
    const char *status = "reported";
    int64_t last = b->reported_ms;
    if (b->assigned_ms > 0) {
        status = "open";
        memcpy(r->assigned_to, b->caseworker->id, ID_SIZE);
        r->version++;
        last = b->assigned_ms;
    }
    if (b->closure_requested_ms > 0) {
        status = "closure_requested";
        memcpy(r->closure_requested_by, b->caseworker->id, ID_SIZE);
        snprintf(r->closure_reason_code, sizeof r->closure_reason_code, "%s", b->closure_reason);
        r->version++;
        last = b->closure_requested_ms;
    }
    if (b->closed_ms > 0) {
        status = "closed";
        r->version++;
        last = b->closed_ms;
    }
    snprintf(r->status, sizeof r->status, "%s", status);
    ts(last, r->updated_at);
    return ERR_OK;
}

static enum err write_note(const struct bw *w, const struct bulk_case *b)
{
    struct note_rec r = {0};
    crypto_random_id(r.id);
    memcpy(r.case_id, w->case_id, ID_SIZE);
    seal(w, SEALED_NOTE_BODY, r.id, b->note, &r.body);
    memcpy(r.author, b->caseworker->id, ID_SIZE);
    ts(b->note_ms, r.created_at);
    enum err e = store_note_insert(w->cx->db, &r);
    if (e == ERR_OK)
        e = event(w, b->note_ms, b->caseworker, "note", NULL, r.id);
    if (e == ERR_OK)
        e = audit(w, b->note_ms, b->caseworker, AUDIT_NOTE, "note", r.id, NULL);
    w->n->notes++;
    note_rec_free(&r);
    return e;
}

/* The checked paths' actor, for the functions that take one. */
static struct ctx as_user(const struct ctx *cx, struct actor *a, const struct user_rec *u)
{
    memset(a, 0, sizeof *a);
    a->user = *u;
    role_parse(u->role, &a->role);
    struct ctx out = *cx;
    out.actor = a;
    return out;
}

static enum err write_incident(const struct bw *w, const struct bulk_case *b,
                               const struct case_rec *cr)
{
    struct actor a;
    struct ctx cx = as_user(w->cx, &a, b->caseworker);
    struct incident_rec r = {0};
    ts(b->incident_ms, r.created_at);
    enum err e = incident_fill(&cx, cr, &b->incident, &r);
    if (e == ERR_OK)
        e = store_incident_insert(cx.db, &r);
    if (e == ERR_OK)
        e = event(w, b->incident_ms, b->caseworker, "incident", r.gbv_type, r.id);
    if (e == ERR_OK)
        e = audit(w, b->incident_ms, b->caseworker, AUDIT_CREATE, "incident", r.id, NULL);
    w->n->incidents++;
    incident_rec_free(&r);
    return e;
}

static enum err write_screening(const struct bw *w, const struct bulk_case *b)
{
    struct actor a;
    struct ctx cx = as_user(w->cx, &a, b->caseworker);
    struct screening_eval ev;
    bool adult = !b->has_survivor || b->survivor.age < 0 || b->survivor.age >= 18;
    enum err e = screening_evaluate(cx.screening, adult, b->indicators, b->nindicators, &ev);
    if (e != ERR_OK)
        return e;
    struct screening_rec r = {0};
    ts(b->screening_ms, r.created_at);
    screening_record_make(&cx, w->case_id, adult, &ev, &r);
    e = store_screening_insert(cx.db, &r);
    if (e == ERR_OK)
        e = event(w, b->screening_ms, b->caseworker, "screening", r.result, r.id);
    if (e == ERR_OK)
        e = audit(w, b->screening_ms, b->caseworker, AUDIT_CREATE, "screening", r.id, NULL);
    w->n->screenings++;
    screening_rec_free(&r);
    return e;
}

static enum err write_consent(const struct bw *w, const struct bulk_case *b, int64_t ms,
                              const char *purpose, bool given, const char *org)
{
    struct consent_rec r = {0};
    crypto_random_id(r.id);
    memcpy(r.case_id, w->case_id, ID_SIZE);
    snprintf(r.purpose, sizeof r.purpose, "%s", purpose);
    if (org != NULL)
        snprintf(r.organization_id, sizeof r.organization_id, "%s", org);
    r.given = given;
    snprintf(r.method, sizeof r.method, "%s", b->consent_method);
    bool child = b->has_survivor && b->survivor.age >= 0 && b->survivor.age < 18;
    snprintf(r.given_by, sizeof r.given_by, "%s", child ? "guardian" : "survivor");
    memcpy(r.recorded_by, b->caseworker->id, ID_SIZE);
    ts(ms, r.created_at);
    char detail[48];
    snprintf(detail, sizeof detail, "%s:%s", r.purpose, r.given ? "given" : "refused");
    enum err e = store_consent_insert(w->cx->db, &r);
    if (e == ERR_OK)
        e = event(w, ms, b->caseworker, "consent", detail, r.id);
    if (e == ERR_OK)
        e = audit(w, ms, b->caseworker, AUDIT_CONSENT, "consent", r.id, detail);
    w->n->consents++;
    consent_rec_free(&r);
    return e;
}

/* A move of the referral r by the provider. */
static enum err referral_move(const struct bw *w, const struct bulk_case *b, struct referral_rec *r,
                              int64_t ms, const char *status, const char *note)
{
    struct referral_event_rec ev = {0};
    memcpy(ev.referral_id, r->id, ID_SIZE);
    ts(ms, ev.at);
    memcpy(ev.user_id, b->provider->id, ID_SIZE);
    snprintf(ev.status, sizeof ev.status, "%s", status);
    if (note != NULL)
        seal(w, SEALED_REFERRAL_NOTE, r->id, note, &ev.note);
    enum err e = store_referral_event_insert(w->cx->db, &ev);
    if (e == ERR_OK)
        e = event(w, ms, b->provider, "referral_status", status, r->id);
    if (e == ERR_OK)
        e = audit(w, ms, b->provider, AUDIT_UPDATE, "referral", r->id, status);
    referral_event_rec_free(&ev);
    return e;
}

static enum err write_referral(const struct bw *w, const struct bulk_case *b)
{
    const struct service_rec *svc = b->service;
    struct referral_rec r = {0};
    crypto_random_id(r.id);
    memcpy(r.case_id, w->case_id, ID_SIZE);
    memcpy(r.service_id, svc->id, ID_SIZE);
    memcpy(r.organization_id, svc->organization_id, ID_SIZE);
    snprintf(r.service_type, sizeof r.service_type, "%s", svc->type);
    snprintf(r.urgency, sizeof r.urgency, "%s", b->referral_urgent ? "urgent" : "routine");
    seal(w, SEALED_REFERRAL_REASON, r.id, b->referral_reason, &r.reason);
    char code[SLIP_CODE_LEN + 1];
    slip_code_make(code);
    seal(w, SEALED_REFERRAL_SLIP, r.id, code, &r.slip_code);
    sodium_memzero(code, sizeof code);
    if (b->referral_contact != NULL)
        seal(w, SEALED_REFERRAL_CONTACT, r.id, b->referral_contact, &r.contact_sealed);
    memcpy(r.created_by, b->caseworker->id, ID_SIZE);
    ts(b->referred_ms, r.created_at);
    int days = referral_followup_days(w->cx, b->referral_urgent);
    ts(b->referred_ms + days * MS_PER_DAY, r.due_at);
    /* Its final status; the moves' events follow the row. */
    const char *status = "sent";
    int64_t last = b->referred_ms;
    r.version = 1;
    if (b->accepted_ms > 0)
        status = "accepted", last = b->accepted_ms, r.version++;
    if (b->completed_ms > 0)
        status = "completed", last = b->completed_ms, r.version++;
    if (b->declined_ms > 0)
        status = "declined", last = b->declined_ms, r.version++;
    snprintf(r.status, sizeof r.status, "%s", status);
    ts(last, r.updated_at);

    struct referral_event_rec ev = {0};
    memcpy(ev.referral_id, r.id, ID_SIZE);
    memcpy(ev.at, r.created_at, TS_SIZE);
    memcpy(ev.user_id, r.created_by, ID_SIZE);
    snprintf(ev.status, sizeof ev.status, "sent");
    enum err e = store_referral_insert(w->cx->db, &r);
    if (e == ERR_OK)
        e = store_referral_event_insert(w->cx->db, &ev);
    if (e == ERR_OK)
        e = event(w, b->referred_ms, b->caseworker, "referred", r.service_type, r.id);
    if (e == ERR_OK)
        e = audit(w, b->referred_ms, b->caseworker, AUDIT_REFER, "referral", r.id, NULL);
    if (e == ERR_OK && b->accepted_ms > 0)
        e = referral_move(w, b, &r, b->accepted_ms, "accepted", NULL);
    if (e == ERR_OK && b->completed_ms > 0)
        e = referral_move(w, b, &r, b->completed_ms, "completed", b->referral_note);
    if (e == ERR_OK && b->declined_ms > 0)
        e = referral_move(w, b, &r, b->declined_ms, "declined", b->referral_note);
    w->n->referrals++;
    referral_rec_free(&r);
    return e;
}

enum err bulk_case_write(const struct ctx *cx, const struct bulk_case *b, struct bulk_counts *n)
{
    char id[ID_SIZE];
    crypto_random_id(id);
    struct bw w = {.cx = cx, .case_id = id, .n = n};
    char *ad = sealed_case_key_ad(id);
    struct blob wrapped = {0};
    casekey_make(cx->key, ad, &w.ck, &wrapped);
    free(ad);

    struct case_rec r = {0};
    enum err e = case_row(&w, b, &r);
    /* The report's writes, in case_report's order. */
    if (e == ERR_OK)
        e = store_case_insert(cx->db, &r);
    if (e == ERR_OK)
        e = store_case_key_insert(cx->db, id, &wrapped);
    if (e == ERR_OK && b->has_survivor)
        e = survivor_keys_write(cx, id, &b->survivor, false);
    if (e == ERR_OK)
        e = event(&w, b->reported_ms, b->reporter, "reported", NULL, NULL);
    if (e == ERR_OK)
        e = audit(&w, b->reported_ms, b->reporter, AUDIT_CREATE, "case", id, NULL);
    n->cases++;

    if (e == ERR_OK && b->assigned_ms > 0) {
        e = event(&w, b->assigned_ms, b->supervisor, "assigned", NULL, b->caseworker->id);
        if (e == ERR_OK)
            e = audit(&w, b->assigned_ms, b->supervisor, AUDIT_ASSIGN, "case", id, "assigned");
    }
    if (e == ERR_OK && b->note_ms > 0)
        e = write_note(&w, b);
    if (e == ERR_OK && b->has_incident)
        e = write_incident(&w, b, &r);
    if (e == ERR_OK && b->has_screening)
        e = write_screening(&w, b);
    if (e == ERR_OK && b->reporting_consent_ms > 0)
        e = write_consent(&w, b, b->reporting_consent_ms, "reporting", b->reporting_given, NULL);
    if (e == ERR_OK && b->referred_ms > 0) {
        e = write_consent(&w, b, b->referred_ms - 2000, "services", true, NULL);
        if (e == ERR_OK)
            e = write_consent(&w, b, b->referred_ms - 1000, "share_with", true,
                              b->service->organization_id);
        if (e == ERR_OK)
            e = write_referral(&w, b);
    }
    if (e == ERR_OK && b->closure_requested_ms > 0) {
        e = event(&w, b->closure_requested_ms, b->caseworker, "closure_requested",
                  b->closure_reason, NULL);
        if (e == ERR_OK)
            e = audit(&w, b->closure_requested_ms, b->caseworker, AUDIT_UPDATE, "case", id,
                      "closure_requested");
    }
    if (e == ERR_OK && b->closed_ms > 0) {
        e = event(&w, b->closed_ms, b->supervisor, "closed", b->closure_reason, NULL);
        if (e == ERR_OK)
            e = audit(&w, b->closed_ms, b->supervisor, AUDIT_CLOSE, "case", id, "closed");
    }
    case_rec_free(&r);
    free(wrapped.p);
    casekey_free(w.ck);
    return e;
}
