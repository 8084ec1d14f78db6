/* Consent records and referrals (domain/referrals.h). */
#include "domain/referrals.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "audit/audit.h"
#include "domain/cases_int.h"
#include "domain/check.h"
#include "domain/scope.h"
#include "domain/sealed.h"
#include "domain/settings.h"
#include "domain/users.h"
#include "util/alloc.h"
#include "util/codes.h"
#include "util/log.h"

#define SLIP_LOCK_TRIES   5
#define SLIP_LOCK_SECONDS 3600

/* Crockford's base 32: no I, L, O or U, so nothing reads as another. */
static const char slip_alphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/* ---- field tables ---- */

static const struct field consent_rows[] = {
    F_CODE(struct consent_in, purpose, "", true, LIST_CONSENT_PURPOSE,
           "services, reporting or share_with"),
    F_OF(struct consent_in, organization_id, "", FT_ID, false, "no such organization"),
    F_CODE(struct consent_in, service_type, "", false, LIST_SERVICE_TYPE,
           "not a service type code"),
    F_BOOL(struct consent_in, given, "", true),
    F_CODE(struct consent_in, method, "", true, LIST_CONSENT_METHOD,
           "verbal, written or thumbprint"),
    F_CODE(struct consent_in, by, "", true, LIST_CONSENT_BY, "survivor or guardian"),
};
const struct fieldset consent_fields = {consent_rows,
                                        (int)(sizeof consent_rows / sizeof consent_rows[0]),
                                        offsetof(struct consent_in, sent)};

static const struct field consent_withdraw_rows[] = {
    F_TEXT(struct consent_withdraw_in, reason, "", false, 1, CONSENT_REASON_MAX_CHARS,
           "1 to 1000 characters"),
};
const struct fieldset consent_withdraw_fields = FIELDSET(consent_withdraw_rows);

static const struct field referral_override_rows[] = {
    F_TEXT(struct referral_override_in, reason, "override.", true, 1, REFERRAL_REASON_MAX_CHARS,
           "required: the imminent risk, 1 to 2000 characters"),
};
static const struct fieldset override_fields = FIELDSET(referral_override_rows);

static const struct field referral_rows[] = {
    F_OF(struct referral_in, service_id, "", FT_ID, true, "no such service"),
    F_CODE(struct referral_in, urgency, "", true, LIST_URGENCY, "routine or urgent"),
    F_TEXT(struct referral_in, reason, "", true, 1, REFERRAL_REASON_MAX_CHARS,
           "required: 1 to 2000 characters"),
    F_TEXT(struct referral_in, contact, "", false, 1, REFERRAL_CONTACT_MAX, "1 to 120 characters"),
    F_ROW(override, "", NULL, FT_OBJECT, false, 0, 0, LIST__MAX,
          offsetof(struct referral_in, override), offsetof(struct referral_in, has_override),
          sizeof(struct referral_override_in), &override_fields, 0, "an object with a reason",
          false),
};
const struct fieldset referral_fields = FIELDSET(referral_rows);

static const struct field referral_patch_rows[] = {
    F_INT(struct referral_patch_in, version, "", true, 1, INT_MAX, -1,
          "required: the version you read"),
    F_CODE(struct referral_patch_in, status, "", true, LIST_REFERRAL_STATUS,
           "accepted, declined, completed or withdrawn"),
    F_TEXT(struct referral_patch_in, note, "", false, 1, REFERRAL_NOTE_MAX_CHARS,
           "1 to 4000 characters"),
};
const struct fieldset referral_patch_fields = {
    referral_patch_rows, (int)(sizeof referral_patch_rows / sizeof referral_patch_rows[0]),
    offsetof(struct referral_patch_in, sent)};

static const struct field slip_verify_rows[] = {
    F_TEXT(struct slip_verify_in, case_code, "", true, 1, 31,
           "required: the survivor code on the slip"),
    F_TEXT(struct slip_verify_in, code, "", true, 1, 32,
           "required: the verification code on the slip"),
};
const struct fieldset slip_verify_fields = FIELDSET(slip_verify_rows);

void referral_patch_in_init(struct referral_patch_in *in)
{
    memset(in, 0, sizeof *in);
    fields_init(&referral_patch_fields, in);
}

/* ---- small helpers ---- */

static bool is(const char *a, const char *b)
{
    return a != NULL && b != NULL && strcmp(a, b) == 0;
}

static void blob_clear(struct blob *b)
{
    free(b->p);
    b->p = NULL;
    b->len = 0;
}

/* The display name of user id (owned), or NULL. */
static char *user_name(const struct ctx *cx, const char *id)
{
    if (check_absent(id))
        return NULL;
    struct user_rec u = {0};
    char *name = NULL;
    if (user_get_named(cx, id, &u) == ERR_OK)
        name = xstrdup(u.display_name != NULL ? u.display_name : u.username);
    user_rec_free(&u);
    return name;
}

/* ---- what consent records decide ---- */

/* The latest record of v[0..n) for purpose and exactly this scope (org
 * and type: NULL or "" for none), or NULL when there is none. */
static const struct consent_rec *latest(const struct consent_rec *v, size_t n, const char *purpose,
                                        const char *org, const char *type)
{
    const struct consent_rec *best = NULL;
    for (size_t i = 0; i < n; i++) {
        if (!is(v[i].purpose, purpose) ||
            strcmp(v[i].organization_id, org != NULL ? org : "") != 0 ||
            strcmp(v[i].service_type, type != NULL ? type : "") != 0)
            continue;
        if (best == NULL || v[i].seq > best->seq)
            best = &v[i];
    }
    return best;
}

static bool stands(const struct consent_rec *r)
{
    return r != NULL && r->given && r->withdrawn_at[0] == '\0';
}

bool consent_allows_services(const struct consent_rec *v, size_t n)
{
    return stands(latest(v, n, "services", NULL, NULL));
}

bool consent_allows_sharing(const struct consent_rec *v, size_t n, const char *organization_id,
                            const char *service_type)
{
    /* The organization's own record decides over its type's. */
    if (!check_absent(organization_id)) {
        const struct consent_rec *own = latest(v, n, "share_with", organization_id, NULL);
        if (own != NULL)
            return stands(own);
    }
    if (check_absent(service_type))
        return false;
    return stands(latest(v, n, "share_with", NULL, service_type));
}

/* ---- consent records ---- */

void consent_view_free(struct consent_view *v)
{
    if (v == NULL)
        return;
    consent_rec_free(&v->rec);
    crypto_free_text(v->withdraw_reason);
    free(v->recorded_by_name);
    memset(v, 0, sizeof *v);
}

void consent_views_free(struct consent_view *v, size_t n)
{
    for (size_t i = 0; i < n && v != NULL; i++)
        consent_view_free(&v[i]);
    free(v);
}

static enum err consent_view_make(const struct ctx *cx, struct consent_rec *r,
                                  struct consent_view *v)
{
    memset(v, 0, sizeof *v);
    if (!sealed_open_case(cx, r->case_id, SEALED_CONSENT_REASON, r->id, &r->withdraw_reason,
                          &v->withdraw_reason))
        return ERR_INTERNAL;
    v->rec = *r;
    memset(r, 0, sizeof *r);
    blob_clear(&v->rec.withdraw_reason);
    v->recorded_by_name = user_name(cx, v->rec.recorded_by);
    return ERR_OK;
}

/* The scope rules across consent_in's fields, after fields_check. */
static enum err consent_validate(const struct ctx *cx, const struct case_rec *c,
                                 const struct consent_in *in, struct fielderrs *fe)
{
    bool org = !check_absent(in->organization_id), type = !check_absent(in->service_type);
    if (is(in->purpose, "share_with")) {
        if (org == type) {
            fielderr(fe, org ? "service_type" : "organization_id",
                     "share_with names exactly one organization or service type");
            return ERR_VALIDATION;
        }
    } else if (org || type) {
        fielderr(fe, org ? "organization_id" : "service_type",
                 "only a share_with consent names an organization or a service type");
        return ERR_VALIDATION;
    }
    if (org) {
        struct org_rec o = {0};
        enum err e = store_org_get(cx->db, in->organization_id, &o);
        org_rec_free(&o);
        if (e == ERR_NOT_FOUND)
            return fielderr(fe, "organization_id", "no such organization");
        if (e != ERR_OK)
            return e;
    }
    char today[DATE_SIZE];
    clock_today(today);
    int age = case_survivor_age_on(cx, c, today);
    if (age >= 0 && age < 18 && !is(in->by, "guardian"))
        return fielderr(fe, "by", "she is under 18: her guardian gives consent");
    return ERR_OK;
}

enum err consent_record(const struct ctx *cx, const char *case_id, const struct consent_in *in,
                        struct consent_view *out, struct fielderrs *fe)
{
    struct case_rec c;
    struct consent_rec r = {0};
    memset(out, 0, sizeof *out);
    enum err e = case_fetch_open(cx, ACT_CONSENT_RECORD, case_id, &c);
    if (e != ERR_OK)
        return e;
    if ((e = fields_check(cx, &consent_fields, in, fe)) == ERR_OK)
        e = consent_validate(cx, &c, in, fe);
    case_rec_free(&c);
    if (e != ERR_OK)
        return e;
    crypto_random_id(r.id);
    snprintf(r.case_id, sizeof r.case_id, "%s", case_id);
    snprintf(r.purpose, sizeof r.purpose, "%s", in->purpose);
    if (!check_absent(in->organization_id))
        snprintf(r.organization_id, sizeof r.organization_id, "%s", in->organization_id);
    if (!check_absent(in->service_type))
        snprintf(r.service_type, sizeof r.service_type, "%s", in->service_type);
    r.given = in->given;
    snprintf(r.method, sizeof r.method, "%s", in->method);
    snprintf(r.given_by, sizeof r.given_by, "%s", in->by);
    snprintf(r.recorded_by, sizeof r.recorded_by, "%s", check_user_id(cx));
    clock_stamp(r.created_at);
    /* Codes only in the audit and the timeline: purpose, given or refused. */
    char detail[48];
    snprintf(detail, sizeof detail, "%s:%s", r.purpose, r.given ? "given" : "refused");
    if ((e = store_begin(cx->db)) != ERR_OK)
        return e;
    e = store_consent_insert(cx->db, &r);
    if (e == ERR_OK)
        e = case_event_add(cx, case_id, "consent", detail, r.id, NULL);
    if (e == ERR_OK)
        e = audit_append(cx->db, check_user_id(cx), AUDIT_CONSENT, "consent", r.id, detail);
    if ((e = store_end(cx->db, e)) != ERR_OK)
        return e;
    /* Read back for the seq the store gave it. */
    struct consent_rec back = {0};
    if ((e = store_consent_get(cx->db, r.id, &back)) != ERR_OK)
        return e;
    return consent_view_make(cx, &back, out);
}

enum err consent_withdraw(const struct ctx *cx, const char *case_id, const char *consent_id,
                          const struct consent_withdraw_in *in, struct consent_view *out,
                          struct fielderrs *fe)
{
    struct case_rec c;
    struct consent_rec r = {0};
    memset(out, 0, sizeof *out);
    enum err e = case_fetch(cx, ACT_CONSENT_RECORD, case_id, &c);
    if (e != ERR_OK)
        return e;
    case_rec_free(&c);
    if (!check_id(consent_id))
        return ERR_NOT_FOUND;
    if ((e = fields_check(cx, &consent_withdraw_fields, in, fe)) != ERR_OK)
        return e;
    if ((e = store_begin(cx->db)) != ERR_OK)
        return e;
    e = store_consent_get(cx->db, consent_id, &r);
    if (e == ERR_OK && strcmp(r.case_id, case_id) != 0)
        e = ERR_NOT_FOUND;
    if (e == ERR_OK && r.withdrawn_at[0] != '\0')
        e = ERR_CONFLICT;
    if (e == ERR_OK) {
        clock_stamp(r.withdrawn_at);
        snprintf(r.withdrawn_by, sizeof r.withdrawn_by, "%s", check_user_id(cx));
        if (!check_absent(in->reason))
            e = sealed_seal_case(cx, case_id, SEALED_CONSENT_REASON, r.id, in->reason,
                                 &r.withdraw_reason);
        if (e == ERR_OK)
            e = store_consent_withdraw(cx->db, &r);
    }
    if (e == ERR_OK)
        e = case_event_add(cx, case_id, "consent_withdrawn", r.purpose, r.id, NULL);
    if (e == ERR_OK)
        e = audit_append(cx->db, check_user_id(cx), AUDIT_CONSENT, "consent", r.id, "withdrawn");
    consent_rec_free(&r);
    if ((e = store_end(cx->db, e)) != ERR_OK)
        return e;
    if ((e = store_consent_get(cx->db, consent_id, &r)) != ERR_OK)
        return e;
    return consent_view_make(cx, &r, out);
}

static enum err consent_list_do(const struct ctx *cx, const char *case_id,
                                struct consent_view **items, size_t *n, bool audited)
{
    struct case_rec c;
    struct consent_rec *recs = NULL;
    size_t nrecs = 0;
    *items = NULL;
    *n = 0;
    enum err e = case_fetch(cx, ACT_CONSENT_READ, case_id, &c);
    if (e != ERR_OK)
        return e;
    case_rec_free(&c);
    if ((e = store_consent_list(cx->db, case_id, &recs, &nrecs)) != ERR_OK)
        return e;
    /* Consents hold the reasons given (sealed): an audited read. */
    if (audited && nrecs > 0 && (e = case_read_audited(cx, case_id, "consents")) != ERR_OK) {
        consent_list_free(recs, nrecs);
        return e;
    }
    struct consent_view *v = xcalloc(nrecs > 0 ? nrecs : 1, sizeof *v);
    for (size_t i = 0; i < nrecs && e == ERR_OK; i++)
        e = consent_view_make(cx, &recs[i], &v[i]);
    consent_list_free(recs, nrecs);
    if (e != ERR_OK) {
        consent_views_free(v, nrecs);
        return e;
    }
    *items = v;
    *n = nrecs;
    return ERR_OK;
}

enum err consent_list(const struct ctx *cx, const char *case_id, struct consent_view **items,
                      size_t *n)
{
    return consent_list_do(cx, case_id, items, n, true);
}

enum err consent_list_unaudited(const struct ctx *cx, const char *case_id,
                                struct consent_view **items, size_t *n)
{
    return consent_list_do(cx, case_id, items, n, false);
}

/* ---- who sees what of a referral ---- */

static void referral_reach(const struct referral_rec *r, bool consented, struct reach *re)
{
    memset(re, 0, sizeof *re);
    re->organization_id = r->case_organization_id;
    re->assigned_to = r->case_assigned_to;
    re->receiving_organization_id = r->organization_id;
    re->consented = consented;
}

static bool referral_reached(const struct ctx *cx, enum action a, const struct referral_rec *r,
                             bool consented)
{
    struct reach re;
    referral_reach(r, consented, &re);
    return scope_reaches(cx, a, &re);
}

unsigned referral_mask(const struct ctx *cx, const struct referral_rec *r,
                       const struct consent_rec *v, size_t n)
{
    if (!referral_reached(cx, ACT_REFERRAL_READ, r, false))
        return 0;
    unsigned mask = RP_SUMMARY | RP_REASON | RP_HISTORY;
    bool consented = consent_allows_sharing(v, n, r->organization_id, r->service_type);
    if (referral_reached(cx, ACT_REFERRAL_IDENTITY, r, consented))
        mask |= RP_IDENTITY;
    if (referral_reached(cx, ACT_SLIP_READ, r, false))
        mask |= RP_SLIP;
    return mask;
}

/* ---- the state machine (DOMAIN.md §4) ---- */

struct move {
    const char *from, *to;
    enum action who;    /* the permission it takes */
    bool note_required; /* the reason of a decline, the outcome */
};
static const struct move moves[] = {
    {"sent", "accepted", ACT_REFERRAL_RESPOND, false},
    {"sent", "declined", ACT_REFERRAL_RESPOND, true},
    {"accepted", "completed", ACT_REFERRAL_RESPOND, true},
    {"sent", "withdrawn", ACT_REFERRAL_WITHDRAW, false},
    {"accepted", "withdrawn", ACT_REFERRAL_WITHDRAW, false},
};
#define NMOVES (sizeof moves / sizeof moves[0])

/* The move from r's status to to that the caller may make, or NULL. */
static const struct move *move_for(const struct ctx *cx, const struct referral_rec *r,
                                   const char *to)
{
    for (size_t i = 0; i < NMOVES; i++)
        if (is(moves[i].from, r->status) && is(moves[i].to, to) &&
            referral_reached(cx, moves[i].who, r, false))
            return &moves[i];
    return NULL;
}

static bool overdue_now(const struct referral_rec *r)
{
    char now[TS_SIZE];
    clock_stamp(now);
    return (is(r->status, "sent") || is(r->status, "accepted")) && strcmp(r->due_at, now) < 0;
}

/* ---- views ---- */

static void identity_free(struct referral_identity *id)
{
    crypto_free_text(id->name_km);
    crypto_free_text(id->name_latn);
    crypto_free_text(id->phone);
    crypto_free_text(id->address_text);
    crypto_free_text(id->birth_date);
    memset(id, 0, sizeof *id);
}

void referral_view_free(struct referral_view *v)
{
    if (v == NULL)
        return;
    referral_rec_free(&v->rec);
    crypto_free_text(v->reason);
    crypto_free_text(v->override_reason);
    identity_free(&v->identity);
    free(v->contact);
    free(v->service_name);
    free(v->organization_name);
    free(v->sender_name);
    for (size_t i = 0; i < v->nmoves; i++) {
        referral_event_rec_free(&v->moves[i].rec);
        crypto_free_text(v->moves[i].note);
        free(v->moves[i].user_name);
    }
    free(v->moves);
    memset(v, 0, sizeof *v);
}

void referral_views_free(struct referral_view *v, size_t n)
{
    for (size_t i = 0; i < n && v != NULL; i++)
        referral_view_free(&v[i]);
    free(v);
}

static char *move_str(char *s)
{
    return s != NULL ? xstrdup(s) : NULL;
}

/* The survivor's parts of the case c for the view: sex, age band and
 * concerns always; the identity with RP_IDENTITY. */
static enum err view_survivor(const struct ctx *cx, const struct case_rec *c,
                              struct referral_view *v)
{
    if (c->has_survivor)
        snprintf(v->survivor_sex, sizeof v->survivor_sex, "%s", c->survivor.sex);
    char today[DATE_SIZE];
    clock_today(today);
    const char *band = case_age_band(case_survivor_age_on(cx, c, today));
    snprintf(v->age_band, sizeof v->age_band, "%s", band != NULL ? band : "");
    for (int i = 0; i < c->nconcerns && i < CONCERNS_MAX; i++)
        snprintf(v->concerns[i], sizeof v->concerns[i], "%s", c->concerns[i]);
    v->nconcerns = c->nconcerns;
    if (!(v->mask & RP_IDENTITY) || !c->has_survivor || c->erased_at[0] != '\0')
        return ERR_OK; /* an erased case has no identity left to share */
    struct survivor_view sv;
    memset(&sv, 0, sizeof sv);
    enum err e = survivor_open(cx, c, &sv);
    if (e == ERR_OK) {
        v->has_identity = true;
        v->identity.name_km = move_str(sv.name_km);
        v->identity.name_latn = move_str(sv.name_latn);
        v->identity.phone = move_str(sv.phone);
        v->identity.address_text = move_str(sv.address_text);
        v->identity.birth_date = move_str(sv.birth_date);
    }
    survivor_view_free(&sv);
    return e;
}

static enum err view_moves(const struct ctx *cx, struct referral_view *v)
{
    struct referral_event_rec *ev = NULL;
    size_t n = 0;
    enum err e = store_referral_event_list(cx->db, v->rec.id, &ev, &n);
    if (e != ERR_OK)
        return e;
    v->moves = xcalloc(n > 0 ? n : 1, sizeof *v->moves);
    for (size_t i = 0; i < n; i++) {
        struct referral_move *m = &v->moves[v->nmoves++];
        if (!sealed_open_case(cx, v->rec.case_id, SEALED_REFERRAL_NOTE, v->rec.id, &ev[i].note,
                              &m->note))
            e = ERR_INTERNAL;
        m->rec = ev[i];
        memset(&ev[i], 0, sizeof ev[i]);
        blob_clear(&m->rec.note);
        m->user_name = user_name(cx, m->rec.user_id);
    }
    referral_event_list_free(ev, n);
    return e;
}

/* Moves r into v with what mask lets the caller see, given the case c. */
static enum err view_make_ref(const struct ctx *cx, struct referral_rec *r,
                              const struct case_rec *c, unsigned mask, struct referral_view *v)
{
    memset(v, 0, sizeof *v);
    if (r->slip_code.len == 0)
        mask &= ~(unsigned)RP_SLIP; /* erased with the case's identity: no slip */
    v->mask = mask;
    enum err e = ERR_OK;
    if ((mask & RP_REASON) &&
        (!sealed_open_case(cx, r->case_id, SEALED_REFERRAL_REASON, r->id, &r->reason, &v->reason) ||
         !sealed_open_case(cx, r->case_id, SEALED_REFERRAL_OVERRIDE, r->id, &r->override_reason,
                           &v->override_reason)))
        e = ERR_INTERNAL;
    if (e == ERR_OK && (mask & RP_SLIP)) {
        char *code = NULL;
        if (!sealed_open_case(cx, r->case_id, SEALED_REFERRAL_SLIP, r->id, &r->slip_code, &code) ||
            code == NULL)
            e = ERR_INTERNAL;
        else
            snprintf(v->slip_code, sizeof v->slip_code, "%s", code);
        crypto_free_text(code);
        if (r->contact_sealed.len == 0) { /* written before it was sealed */
            v->contact = r->contact;
            r->contact = NULL;
        } else if (e == ERR_OK && !sealed_open_case(cx, r->case_id, SEALED_REFERRAL_CONTACT, r->id,
                                                    &r->contact_sealed, &v->contact)) {
            e = ERR_INTERNAL;
        }
    }
    v->rec = *r;
    memset(r, 0, sizeof *r);
    blob_clear(&v->rec.reason);
    blob_clear(&v->rec.override_reason);
    blob_clear(&v->rec.slip_code);
    blob_clear(&v->rec.contact_sealed);
    free(v->rec.contact);
    v->rec.contact = NULL;
    v->overdue = overdue_now(&v->rec);
    if (e == ERR_OK)
        e = view_survivor(cx, c, v);
    if (e == ERR_OK && (mask & RP_HISTORY))
        e = view_moves(cx, v);
    struct service_rec s = {0};
    if (store_service_get(cx->db, v->rec.service_id, &s) == ERR_OK) {
        v->service_name = s.name;
        s.name = NULL;
    }
    service_rec_free(&s);
    struct org_rec o = {0};
    if (store_org_get(cx->db, v->rec.organization_id, &o) == ERR_OK) {
        v->organization_name = o.name;
        o.name = NULL;
    }
    org_rec_free(&o);
    v->sender_name = user_name(cx, v->rec.created_by);
    v->can_accept = move_for(cx, &v->rec, "accepted") != NULL;
    v->can_decline = move_for(cx, &v->rec, "declined") != NULL;
    v->can_complete = move_for(cx, &v->rec, "completed") != NULL;
    v->can_withdraw = move_for(cx, &v->rec, "withdrawn") != NULL;
    if (e != ERR_OK)
        referral_view_free(v);
    return e;
}

/* Reads referral id with its case and consents and the caller's mask:
 * ERR_NOT_FOUND when she sees none of it. On ERR_OK the caller frees r, c,
 * cons. */
static enum err referral_load(const struct ctx *cx, const char *id, struct referral_rec *r,
                              struct case_rec *c, struct consent_rec **cons, size_t *ncons,
                              unsigned *mask)
{
    memset(c, 0, sizeof *c);
    *cons = NULL;
    *ncons = 0;
    if (!may(cx, ACT_REFERRAL_READ))
        return ERR_FORBIDDEN;
    if (!check_id(id))
        return ERR_NOT_FOUND;
    enum err e = store_referral_get(cx->db, id, r);
    if (e != ERR_OK)
        return e;
    if (!referral_reached(cx, ACT_REFERRAL_READ, r, false)) {
        referral_rec_free(r);
        return ERR_NOT_FOUND;
    }
    if ((e = store_case_get(cx->db, r->case_id, c)) == ERR_OK)
        e = store_consent_list(cx->db, r->case_id, cons, ncons);
    if (e != ERR_OK) {
        referral_rec_free(r);
        case_rec_free(c);
        return e;
    }
    *mask = referral_mask(cx, r, *cons, *ncons);
    return ERR_OK;
}

static enum err audit_read(const struct ctx *cx, const struct referral_view *v)
{
    enum err e = store_begin(cx->db);
    if (e != ERR_OK)
        return e;
    e = audit_append(cx->db, check_user_id(cx), AUDIT_READ, "referral", v->rec.id,
                     (v->mask & RP_IDENTITY) ? "identity" : NULL);
    return store_end(cx->db, e);
}

enum err referral_get(const struct ctx *cx, const char *id, struct referral_view *out)
{
    struct referral_rec r = {0};
    struct case_rec c;
    struct consent_rec *cons;
    size_t ncons;
    unsigned mask;
    memset(out, 0, sizeof *out);
    enum err e = referral_load(cx, id, &r, &c, &cons, &ncons, &mask);
    if (e != ERR_OK)
        return e;
    e = view_make_ref(cx, &r, &c, mask, out);
    referral_rec_free(&r);
    case_rec_free(&c);
    consent_list_free(cons, ncons);
    if (e == ERR_OK && (e = audit_read(cx, out)) != ERR_OK)
        referral_view_free(out);
    return e;
}

/* ---- settings ---- */

int referral_followup_days(const struct ctx *cx, bool urgent)
{
    return setting_get(cx, urgent ? SETTING_FOLLOWUP_DAYS_URGENT : SETTING_FOLLOWUP_DAYS_ROUTINE);
}

/* ---- referring ---- */

void slip_code_make(char out[SLIP_CODE_LEN + 1])
{
    for (int i = 0; i < SLIP_CODE_LEN; i++)
        out[i] = slip_alphabet[randombytes_uniform(32)];
    out[SLIP_CODE_LEN] = '\0';
}

bool slip_code_normalize(const char *typed, char out[SLIP_CODE_LEN + 1])
{
    size_t n = 0;
    for (const char *p = typed; p != NULL && *p != '\0'; p++) {
        char ch = *p;
        if (ch == ' ' || ch == '-')
            continue;
        if (ch >= 'a' && ch <= 'z')
            ch = (char)(ch - 'a' + 'A');
        if (ch == 'O')
            ch = '0';
        else if (ch == 'I' || ch == 'L')
            ch = '1';
        if (strchr(slip_alphabet, ch) == NULL || ch == '\0' || n == SLIP_CODE_LEN)
            return false;
        out[n++] = ch;
    }
    out[n] = '\0';
    return n == SLIP_CODE_LEN;
}

/* The consent gate, or the override in its place. */
static enum err referral_gate(const struct ctx *cx, const struct case_rec *c,
                              const struct service_rec *svc, const struct referral_in *in,
                              struct fielderrs *fe)
{
    if (in->has_override) {
        if (!case_reached(cx, ACT_REFERRAL_OVERRIDE, c))
            return ERR_FORBIDDEN;
        char today[DATE_SIZE];
        clock_today(today);
        int age = case_survivor_age_on(cx, c, today);
        if (age < 0 || age >= 18)
            return fielderr(fe, "override",
                            "only for a child: the survivor is not known to be under 18");
        return ERR_OK;
    }
    struct consent_rec *cons = NULL;
    size_t n = 0;
    enum err e = store_consent_list(cx->db, c->id, &cons, &n);
    if (e != ERR_OK)
        return e;
    bool services = consent_allows_services(cons, n);
    bool sharing = consent_allows_sharing(cons, n, svc->organization_id, svc->type);
    consent_list_free(cons, n);
    if (!services)
        fielderr(fe, "consent", "no services consent stands for this case");
    else if (!sharing)
        fielderr(fe, "consent", "no consent to share with this organization or service type");
    return services && sharing ? ERR_OK : ERR_CONSENT;
}

static void due_after_days(int days, char out[TS_SIZE])
{
    clock_rfc3339_ms(clock_stamp_ms() + (int64_t)days * 86400 * 1000, out);
}

enum err referral_create(const struct ctx *cx, const char *case_id, const struct referral_in *in,
                         struct referral_view *out, struct fielderrs *fe)
{
    struct case_rec c;
    struct service_rec svc = {0};
    struct referral_rec r = {0};
    memset(out, 0, sizeof *out);
    enum err e = case_fetch_open(cx, ACT_REFERRAL_CREATE, case_id, &c);
    if (e != ERR_OK)
        return e;
    if ((e = fields_check(cx, &referral_fields, in, fe)) != ERR_OK)
        goto done;
    if ((e = store_service_get(cx->db, in->service_id, &svc)) == ERR_NOT_FOUND)
        e = fielderr(fe, "service_id", "no such service");
    if (e != ERR_OK || (e = referral_gate(cx, &c, &svc, in, fe)) != ERR_OK)
        goto done;

    crypto_random_id(r.id);
    snprintf(r.case_id, sizeof r.case_id, "%s", case_id);
    snprintf(r.service_id, sizeof r.service_id, "%s", svc.id);
    snprintf(r.organization_id, sizeof r.organization_id, "%s", svc.organization_id);
    snprintf(r.service_type, sizeof r.service_type, "%s", svc.type);
    snprintf(r.status, sizeof r.status, "sent");
    snprintf(r.urgency, sizeof r.urgency, "%s", in->urgency);
    e = sealed_seal_case(cx, case_id, SEALED_REFERRAL_REASON, r.id, in->reason, &r.reason);
    r.consent_override = in->has_override;
    if (e == ERR_OK && in->has_override)
        e = sealed_seal_case(cx, case_id, SEALED_REFERRAL_OVERRIDE, r.id, in->override.reason,
                             &r.override_reason);
    char code[SLIP_CODE_LEN + 1];
    slip_code_make(code);
    if (e == ERR_OK)
        e = sealed_seal_case(cx, case_id, SEALED_REFERRAL_SLIP, r.id, code, &r.slip_code);
    sodium_memzero(code, sizeof code);
    if (e != ERR_OK)
        goto done;
    if (!check_absent(in->contact) &&
        (e = sealed_seal_case(cx, case_id, SEALED_REFERRAL_CONTACT, r.id, in->contact,
                              &r.contact_sealed)) != ERR_OK)
        goto done;
    snprintf(r.created_by, sizeof r.created_by, "%s", check_user_id(cx));
    clock_stamp(r.created_at);
    memcpy(r.updated_at, r.created_at, TS_SIZE);
    due_after_days(referral_followup_days(cx, is(in->urgency, "urgent")), r.due_at);
    r.version = 1;

    struct referral_event_rec ev = {0};
    snprintf(ev.referral_id, sizeof ev.referral_id, "%s", r.id);
    memcpy(ev.at, r.created_at, TS_SIZE);
    snprintf(ev.user_id, sizeof ev.user_id, "%s", r.created_by);
    snprintf(ev.status, sizeof ev.status, "sent");
    if ((e = store_begin(cx->db)) != ERR_OK)
        goto done;
    e = store_referral_insert(cx->db, &r);
    if (e == ERR_OK)
        e = store_referral_event_insert(cx->db, &ev);
    if (e == ERR_OK)
        e = case_event_add(cx, case_id, "referred", r.service_type, r.id, NULL);
    if (e == ERR_OK)
        e = audit_append(cx->db, check_user_id(cx), AUDIT_REFER, "referral", r.id,
                         in->has_override ? "consent_override" : NULL);
    if ((e = store_end(cx->db, e)) != ERR_OK)
        goto done;
    e = referral_get(cx, r.id, out);
done:
    referral_rec_free(&r);
    service_rec_free(&svc);
    case_rec_free(&c);
    return e;
}

/* ---- moving a referral ---- */

enum err referral_update(const struct ctx *cx, const char *id, const struct referral_patch_in *in,
                         struct referral_view *out, struct fielderrs *fe)
{
    struct referral_rec r = {0};
    struct case_rec c;
    struct consent_rec *cons;
    size_t ncons;
    unsigned mask;
    memset(out, 0, sizeof *out);
    enum err e = referral_load(cx, id, &r, &c, &cons, &ncons, &mask);
    if (e != ERR_OK)
        return e;
    case_rec_free(&c);
    consent_list_free(cons, ncons);
    if ((e = fields_check(cx, &referral_patch_fields, in, fe)) != ERR_OK)
        goto done;
    const struct move *m = move_for(cx, &r, in->status);
    if (m == NULL) {
        fielderr(fe, "status", "this referral cannot move to that status, or not by you");
        e = ERR_CONFLICT;
        goto done;
    }
    if (r.version != in->version) {
        fielderr(fe, "version", "the referral changed since you read it");
        e = ERR_CONFLICT;
        goto done;
    }
    if (m->note_required && check_absent(in->note)) {
        e = fielderr(fe, "note",
                     is(in->status, "declined") ? "required: the reason for declining"
                                                : "required: the outcome of the service");
        goto done;
    }
    struct referral_event_rec ev = {0};
    snprintf(ev.referral_id, sizeof ev.referral_id, "%s", r.id);
    clock_stamp(ev.at);
    snprintf(ev.user_id, sizeof ev.user_id, "%s", check_user_id(cx));
    snprintf(ev.status, sizeof ev.status, "%s", in->status);
    if (!check_absent(in->note))
        e = sealed_seal_case(cx, r.case_id, SEALED_REFERRAL_NOTE, r.id, in->note, &ev.note);
    snprintf(r.status, sizeof r.status, "%s", in->status);
    memcpy(r.updated_at, ev.at, TS_SIZE);
    if (e == ERR_OK && (e = store_begin(cx->db)) == ERR_OK) {
        e = store_referral_update(cx->db, &r);
        if (e == ERR_OK)
            e = store_referral_event_insert(cx->db, &ev);
        if (e == ERR_OK)
            e = case_event_add(cx, r.case_id, "referral_status", in->status, r.id, NULL);
        if (e == ERR_OK)
            e = audit_append(cx->db, check_user_id(cx), AUDIT_UPDATE, "referral", r.id, in->status);
        e = store_end(cx->db, e);
    }
    referral_event_rec_free(&ev);
    if (e == ERR_OK)
        e = referral_get(cx, id, out);
done:
    referral_rec_free(&r);
    return e;
}

/* ---- lists ---- */

static void cursor_encode(const struct referral_rec *last, char out[CURSOR_SIZE])
{
    char raw[TS_SIZE + ID_SIZE + 2];
    int n = snprintf(raw, sizeof raw, "%s/%s", last->created_at, last->id);
    sodium_bin2base64(out, CURSOR_SIZE, (const unsigned char *)raw, (size_t)n,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

static bool cursor_decode(const char *cur, struct referral_filter *f)
{
    unsigned char raw[TS_SIZE + ID_SIZE + 2];
    size_t n = 0;
    if (strlen(cur) >= CURSOR_SIZE ||
        sodium_base642bin(raw, sizeof raw - 1, cur, strlen(cur), NULL, &n, NULL,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0)
        return false;
    raw[n] = '\0';
    const char *s = (const char *)raw, *slash = strchr(s, '/');
    if (slash == NULL || (size_t)(slash - s) != TS_SIZE - 1 || !check_id(slash + 1) ||
        strlen(slash + 1) != n - (size_t)(slash + 1 - s))
        return false;
    f->has_after = true;
    memcpy(f->after_created_at, s, TS_SIZE - 1);
    f->after_created_at[TS_SIZE - 1] = '\0';
    memcpy(f->after_id, slash + 1, strlen(slash + 1) + 1); /* check_id: < ID_SIZE */
    return true;
}

/* The caller's reach under a as referral filter bounds; false: none. */
static bool referral_bounds(const struct ctx *cx, enum action a, struct referral_filter *f)
{
    struct bounds b;
    if (!scope_bounds(cx, a, &b) || b.group_id != NULL || b.owner_id != NULL)
        return false;
    f->organization_id = b.receiving_organization_id;
    f->case_organization_id = b.organization_id;
    f->case_assigned_to = b.assigned_to;
    f->case_assigned_or_open_for = b.assigned_or_open_for;
    return true;
}

/* Views of recs[0..n) (moved out), each with its case and consents. */
static enum err views_of(const struct ctx *cx, struct referral_rec *recs, size_t n,
                         struct referral_view **items)
{
    struct referral_view *v = xcalloc(n > 0 ? n : 1, sizeof *v);
    enum err e = ERR_OK;
    for (size_t i = 0; i < n && e == ERR_OK; i++) {
        struct case_rec c = {0};
        struct consent_rec *cons = NULL;
        size_t ncons = 0;
        e = store_case_get(cx->db, recs[i].case_id, &c);
        if (e == ERR_OK)
            e = store_consent_list(cx->db, recs[i].case_id, &cons, &ncons);
        if (e == ERR_OK)
            e = view_make_ref(cx, &recs[i], &c, referral_mask(cx, &recs[i], cons, ncons), &v[i]);
        case_rec_free(&c);
        consent_list_free(cons, ncons);
    }
    if (e != ERR_OK) {
        referral_views_free(v, n);
        return e;
    }
    *items = v;
    return ERR_OK;
}

enum err referral_list(const struct ctx *cx, const struct referral_query *q,
                       struct referral_view **items, size_t *n, char next_cursor[CURSOR_SIZE],
                       struct fielderrs *fe)
{
    struct referral_filter f;
    memset(&f, 0, sizeof f);
    *items = NULL;
    *n = 0;
    next_cursor[0] = '\0';
    if (!may(cx, ACT_REFERRAL_READ))
        return ERR_FORBIDDEN;
    int limit = q->limit == 0 ? 50 : q->limit;
    if (limit < 1 || limit > 500)
        return fielderr(fe, "limit", "1 to 500");
    if (q->status != NULL && code_parse(LIST_REFERRAL_STATUS, q->status) < 0)
        return fielderr(fe, "status", "not a referral status");
    if (q->overdue != NULL && !is(q->overdue, "true") && !is(q->overdue, "false"))
        return fielderr(fe, "overdue", "true or false");
    if (q->case_id != NULL && !check_id(q->case_id))
        return fielderr(fe, "case_id", "not a case id");
    if (q->cursor != NULL && !cursor_decode(q->cursor, &f))
        return fielderr(fe, "cursor", "not a cursor of this list");
    if (!referral_bounds(cx, ACT_REFERRAL_READ, &f))
        return ERR_OK; /* she reaches none */
    f.status = q->status;
    f.case_id = q->case_id;
    char now[TS_SIZE];
    clock_stamp(now);
    if (is(q->overdue, "true"))
        f.overdue_at = now;
    f.limit = limit + 1;
    struct referral_rec *recs = NULL;
    size_t nrecs = 0;
    enum err e = store_referral_list(cx->db, &f, &recs, &nrecs);
    if (e != ERR_OK)
        return e;
    if (nrecs > (size_t)limit) {
        cursor_encode(&recs[limit - 1], next_cursor);
        for (size_t i = (size_t)limit; i < nrecs; i++)
            referral_rec_free(&recs[i]);
        nrecs = (size_t)limit;
    }
    /* overdue=false: drop the overdue ones after the page is cut, so that
     * the cursor goes on from the last row read (a page may come out
     * short, never the list). */
    if (is(q->overdue, "false")) {
        size_t k = 0;
        for (size_t i = 0; i < nrecs; i++) {
            if (overdue_now(&recs[i]))
                referral_rec_free(&recs[i]);
            else
                recs[k++] = recs[i];
        }
        nrecs = k;
    }
    e = views_of(cx, recs, nrecs, items);
    referral_list_free(recs, nrecs);
    if (e != ERR_OK) {
        next_cursor[0] = '\0';
        return e;
    }
    *n = nrecs;
    /* Identities shown in a list are reads of those referrals. */
    bool any = false;
    for (size_t i = 0; i < nrecs; i++)
        any = any || ((*items)[i].mask & RP_IDENTITY);
    if (any && (e = store_begin(cx->db)) == ERR_OK) {
        for (size_t i = 0; i < nrecs && e == ERR_OK; i++)
            if ((*items)[i].mask & RP_IDENTITY)
                e = audit_append(cx->db, check_user_id(cx), AUDIT_READ, "referral",
                                 (*items)[i].rec.id, "identity");
        e = store_end(cx->db, e);
    }
    if (e != ERR_OK) {
        referral_views_free(*items, nrecs);
        *items = NULL;
        *n = 0;
    }
    return e;
}

enum err referral_list_case(const struct ctx *cx, const struct case_rec *c,
                            struct referral_view **items, size_t *n)
{
    struct referral_filter f;
    memset(&f, 0, sizeof f);
    *items = NULL;
    *n = 0;
    if (!case_reached(cx, ACT_CASE_READ_DETAIL, c) || !referral_bounds(cx, ACT_REFERRAL_READ, &f))
        return ERR_OK;
    f.case_id = c->id;
    f.limit = 501;
    struct referral_rec *recs = NULL;
    size_t nrecs = 0;
    enum err e = store_referral_list(cx->db, &f, &recs, &nrecs);
    if (e == ERR_OK)
        e = views_of(cx, recs, nrecs, items);
    referral_list_free(recs, nrecs);
    if (e == ERR_OK)
        *n = nrecs;
    return e;
}

static int count_of(const struct ctx *cx, enum action a, const char *status, bool overdue)
{
    struct referral_filter f;
    memset(&f, 0, sizeof f);
    if (cx->actor == NULL || !referral_bounds(cx, a, &f))
        return 0;
    char now[TS_SIZE];
    clock_stamp(now);
    f.status = status;
    f.overdue_at = overdue ? now : NULL;
    int count = 0;
    if (store_referral_count(cx->db, &f, &count) != ERR_OK)
        return 0; /* a badge: logged by the store */
    return count;
}

int referral_inbox_count(const struct ctx *cx)
{
    return count_of(cx, ACT_REFERRAL_INBOX, "sent", false);
}

int referral_overdue_count(const struct ctx *cx)
{
    return count_of(cx, ACT_REFERRAL_READ, NULL, true);
}

/* ---- checking a slip ---- */

enum err slip_verify(const struct ctx *cx, const char *case_code, const char *code, bool *valid,
                     struct referral_view *out)
{
    struct referral_filter f;
    struct case_rec c = {0};
    struct referral_rec *recs = NULL;
    size_t nrecs = 0;
    char want[SLIP_CODE_LEN + 1];
    *valid = false;
    memset(out, 0, sizeof *out);
    memset(&f, 0, sizeof f);
    if (!may(cx, ACT_SLIP_VERIFY))
        return ERR_FORBIDDEN;
    if (!referral_bounds(cx, ACT_SLIP_VERIFY, &f))
        return ERR_OK;
    bool shaped = slip_code_normalize(code, want);
    enum err e = check_text(case_code, 1, CODE_SIZE - 1) ? store_case_by_code(cx->db, case_code, &c)
                                                         : ERR_NOT_FOUND;
    if (e == ERR_NOT_FOUND)
        return ERR_OK; /* the same answer as a wrong code */
    if (e != ERR_OK)
        return e;
    /* case_rec_free clears c: the filter keeps a copy of the id. */
    char case_id[ID_SIZE];
    memcpy(case_id, c.id, sizeof case_id);
    case_rec_free(&c);
    f.case_id = case_id;
    f.limit = 501;
    if ((e = store_begin(cx->db)) != ERR_OK)
        return e;
    e = store_referral_list(cx->db, &f, &recs, &nrecs);
    int64_t now = clock_now();
    bool locked = false;
    const char *match = NULL;
    /* Tries within the hour of each referral; -1: locked, not checked. */
    int *tries = xcalloc(nrecs > 0 ? nrecs : 1, sizeof *tries);
    for (size_t i = 0; i < nrecs && e == ERR_OK; i++) {
        if ((e = store_referral_lock(cx->db, recs[i].id)) != ERR_OK ||
            (e = store_slip_failure_count(cx->db, recs[i].id, now - SLIP_LOCK_SECONDS,
                                          &tries[i])) != ERR_OK)
            break;
        if (tries[i] >= SLIP_LOCK_TRIES) {
            locked = true;
            tries[i] = -1;
            continue;
        }
        char *have = NULL;
        if (!sealed_open_case(cx, recs[i].case_id, SEALED_REFERRAL_SLIP, recs[i].id,
                              &recs[i].slip_code, &have)) {
            e = ERR_INTERNAL;
            break;
        }
        bool same = shaped && have != NULL && crypto_str_equal(have, want);
        crypto_free_text(have);
        if (same && match == NULL)
            match = recs[i].id;
    }
    /* A wrong code counts against each slip of the case it could have
     * been; a right one for one of them is no wrong try at the others. The
     * try that makes 5 is answered as a wrong code; the next ones are
     * refused (as sign-in does). */
    for (size_t i = 0; i < nrecs && e == ERR_OK && match == NULL; i++)
        if (tries[i] >= 0)
            e = store_slip_failure_add(cx->db, recs[i].id, now, check_user_id(cx));
    free(tries);
    /* The slip checked, or every slip the wrong code was tried against. */
    for (size_t i = 0; i < nrecs && e == ERR_OK; i++)
        if (match == NULL || strcmp(match, recs[i].id) == 0)
            e = audit_append(cx->db, check_user_id(cx), AUDIT_READ, "referral", recs[i].id,
                             match != NULL ? "slip_checked" : "slip_check_failed");
    char matched[ID_SIZE] = "";
    if (match != NULL)
        snprintf(matched, sizeof matched, "%s", match);
    referral_list_free(recs, nrecs);
    if ((e = store_end(cx->db, e)) != ERR_OK)
        return e;
    if (matched[0] != '\0') {
        *valid = true;
        return referral_get(cx, matched, out);
    }
    return locked ? ERR_RATE_LIMITED : ERR_OK;
}

enum err referral_seal_existing(const struct ctx *cx, size_t *sealed)
{
    *sealed = 0;
    for (;;) {
        struct referral_contact *items = NULL;
        size_t n = 0;
        enum err e = store_referral_plain_contacts(cx->db, &items, &n);
        if (e != ERR_OK || n == 0) {
            referral_contacts_free(items, n);
            return e;
        }
        for (size_t i = 0; e == ERR_OK && i < n; i++) {
            struct blob b = {0};
            if ((e = store_begin(cx->db)) != ERR_OK)
                break;
            e = sealed_seal_case(cx, items[i].case_id, SEALED_REFERRAL_CONTACT, items[i].id,
                                 items[i].contact, &b);
            if (e == ERR_OK)
                e = store_referral_seal_contact(cx->db, items[i].id, items[i].contact, &b);
            free(b.p);
            if ((e = store_end(cx->db, e)) == ERR_OK)
                (*sealed)++;
        }
        referral_contacts_free(items, n);
        if (e != ERR_OK)
            return e;
    }
}
