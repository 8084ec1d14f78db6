/* Consent and referrals: the consent rules against an expectation written
 * here from DOMAIN.md §3 and API.md, every referral move from every status
 * by every kind of caller (DOMAIN.md §4), the consent gate and the child
 * override, the provider's per-field view, and the slip's checks — each
 * independently of src/domain/referrals.c. A refused move changes nothing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "audit_fixture.h"
#include "domain/casework.h"
#include "domain/referrals.h"
#include "domain/services.h"
#include "domain/settings.h"
#include "domain_fixture.h"

/* ---- the consent rules, pure ---- */

/* The records the sequences are drawn from: a purpose, a scope, given or
 * refused, withdrawn or not. The referral in question goes to
 * organization "orgX", a "shelter". */
struct spec {
    const char *purpose, *org, *type;
    bool given, withdrawn;
};
static const struct spec specs[] = {
    {"services", "", "", true, false},
    {"services", "", "", false, false},
    {"services", "", "", true, true},
    {"share_with", "orgX", "", true, false},
    {"share_with", "orgX", "", false, false},
    {"share_with", "orgX", "", true, true},
    {"share_with", "orgY", "", true, false},
    {"share_with", "", "shelter", true, false},
    {"share_with", "", "shelter", false, false},
    {"share_with", "", "legal", true, false},
    {"reporting", "", "", true, false},
};
#define NSPECS (sizeof specs / sizeof specs[0])

static void rec_of(const struct spec *s, int64_t seq, struct consent_rec *r)
{
    memset(r, 0, sizeof *r);
    r->seq = seq;
    snprintf(r->purpose, sizeof r->purpose, "%s", s->purpose);
    snprintf(r->organization_id, sizeof r->organization_id, "%s", s->org);
    snprintf(r->service_type, sizeof r->service_type, "%s", s->type);
    r->given = s->given;
    if (s->withdrawn)
        snprintf(r->withdrawn_at, sizeof r->withdrawn_at, "2026-01-01T00:00:00.000Z");
}

/* The expectation: walk back from the last record written; the first one
 * of the purpose and scope asked decides: given and not withdrawn. */
static int decided(const struct spec *const *seq, int n, const char *purpose, const char *org,
                   const char *type)
{
    for (int i = n - 1; i >= 0; i--)
        if (strcmp(seq[i]->purpose, purpose) == 0 && strcmp(seq[i]->org, org) == 0 &&
            strcmp(seq[i]->type, type) == 0)
            return seq[i]->given && !seq[i]->withdrawn;
    return -1; /* no record of it */
}

static void test_consent_rules_every_sequence_of_three(void **state)
{
    (void)state;
    int failures = 0, checked = 0;
    const struct spec *seq[3];
    struct consent_rec recs[3];
    for (size_t a = 0; a <= NSPECS; a++)
        for (size_t b = 0; b <= NSPECS; b++)
            for (size_t c = 0; c <= NSPECS; c++) {
                size_t pick[3] = {a, b, c};
                int n = 0;
                for (int k = 0; k < 3; k++)
                    if (pick[k] < NSPECS)
                        seq[n++] = &specs[pick[k]];
                /* Written in this order; seq numbers need not be dense. */
                for (int k = 0; k < n; k++)
                    rec_of(seq[k], 10 * (k + 1), &recs[k]);
                int svc = decided(seq, n, "services", "", "");
                int own = decided(seq, n, "share_with", "orgX", "");
                int type = decided(seq, n, "share_with", "", "shelter");
                bool want_services = svc == 1;
                /* The organization's own record decides over its type's. */
                bool want_sharing = own >= 0 ? own == 1 : type == 1;
                bool got_services = consent_allows_services(recs, (size_t)n);
                bool got_sharing = consent_allows_sharing(recs, (size_t)n, "orgX", "shelter");
                if (got_services != want_services || got_sharing != want_sharing) {
                    print_error("records %zu,%zu,%zu: services %d/%d sharing %d/%d\n", a, b, c,
                                got_services, want_services, got_sharing, want_sharing);
                    failures++;
                }
                checked++;
            }
    assert_int_equal(failures, 0);
    assert_int_equal(checked, (int)((NSPECS + 1) * (NSPECS + 1) * (NSPECS + 1)));
}

static void test_consent_order_is_by_seq_not_position(void **state)
{
    (void)state;
    struct consent_rec r[2];
    rec_of(&specs[0], 20, &r[0]); /* services given, written second */
    rec_of(&specs[1], 10, &r[1]); /* services refused, written first */
    assert_true(consent_allows_services(r, 2));
    r[0].seq = 5;
    assert_false(consent_allows_services(r, 2));
    assert_false(consent_allows_services(NULL, 0));
    assert_false(consent_allows_sharing(NULL, 0, "orgX", "shelter"));
    /* No scope asked: nothing is shared. */
    rec_of(&specs[7], 1, &r[0]);
    assert_false(consent_allows_sharing(r, 1, "orgX", NULL));
    assert_true(consent_allows_sharing(r, 1, NULL, "shelter"));
}

static void test_slip_code_normalize(void **state)
{
    (void)state;
    char out[SLIP_CODE_LEN + 1];
    assert_true(slip_code_normalize("7K3M-9Q2X", out));
    assert_string_equal(out, "7K3M9Q2X");
    assert_true(slip_code_normalize(" 7k3m 9q2x ", out));
    assert_string_equal(out, "7K3M9Q2X");
    /* Look-alikes read as the alphabet's own: O as 0, I and L as 1. */
    assert_true(slip_code_normalize("OILo-1234", out));
    assert_string_equal(out, "01101234");
    assert_false(slip_code_normalize("7K3M9Q2", out));   /* 7 */
    assert_false(slip_code_normalize("7K3M9Q2XY", out)); /* 9 */
    assert_false(slip_code_normalize("7K3M9Q2U", out));  /* U is not in it */
    assert_false(slip_code_normalize("7K3M9Q2!", out));
    assert_false(slip_code_normalize("", out));
    assert_false(slip_code_normalize(NULL, out));
    assert_false(slip_code_normalize("7K3M\xc3\xa9"
                                     "9Q2",
                                     out));
}

/* ---- the world ---- */

enum who {
    W_CW_A,       /* the caseworker the case is assigned to */
    W_CW_B,       /* another caseworker of the organization */
    W_CW_OTHER,   /* a caseworker of another NGO */
    W_SUP,        /* the organization's supervisor */
    W_SUP_OTHER,  /* another NGO's supervisor */
    W_PROV,       /* a provider of the receiving organization */
    W_PROV_OTHER, /* a provider of another organization */
    W_MEMBER,
    W_REP, /* the reporter */
    W_ANALYST,
    W_ADMIN,
    W__MAX
};
static const char *const who_names[W__MAX] = {"cwA",       "cwB",     "cw-other",   "sup",
                                              "sup-other", "prov",    "prov-other", "member",
                                              "rep",       "analyst", "admin"};

struct world {
    struct fx *f;
    char porg2[ID_SIZE];
    char service[ID_SIZE];  /* of f->porg: legal */
    char service2[ID_SIZE]; /* of porg2: shelter */
    struct actor a[W__MAX];
};
static struct world W;

static struct ctx as(enum who w)
{
    return fx_ctx(W.f, &W.a[w]);
}

static void make_service(const char *org, const char *type, char out[ID_SIZE])
{
    struct service_in in;
    struct service_rec s = {0};
    struct fielderrs fe = {0};
    service_in_init(&in);
    in.organization_id = org;
    in.type = type;
    in.name = "A service";
    in.contact = "012 000 000";
    in.hours = "Mon-Fri";
    assert_int_equal(service_create(&W.f->op, &in, &s, &fe), ERR_OK);
    memcpy(out, s.id, ID_SIZE);
    service_rec_free(&s);
}

static int world_setup(void **state)
{
    if (fx_setup(state) != 0)
        return -1;
    struct fx *f = *state;
    W.f = f;
    fx_org(f, "Shelter", "provider", W.porg2);
    make_service(f->porg, "legal", W.service);
    make_service(W.porg2, "shelter", W.service2);
    fx_actor(f, "caseworker", f->org, NULL, &W.a[W_CW_A]);
    fx_actor(f, "caseworker", f->org, NULL, &W.a[W_CW_B]);
    fx_actor(f, "caseworker", f->org2, NULL, &W.a[W_CW_OTHER]);
    fx_actor(f, "supervisor", f->org, NULL, &W.a[W_SUP]);
    fx_actor(f, "supervisor", f->org2, NULL, &W.a[W_SUP_OTHER]);
    fx_actor(f, "provider", f->porg, NULL, &W.a[W_PROV]);
    fx_actor(f, "provider", W.porg2, NULL, &W.a[W_PROV_OTHER]);
    fx_actor(f, "member", f->org, f->group1, &W.a[W_MEMBER]);
    fx_actor(f, "representative", f->org, f->group1, &W.a[W_REP]);
    fx_actor(f, "analyst", NULL, NULL, &W.a[W_ANALYST]);
    fx_actor(f, "admin", NULL, NULL, &W.a[W_ADMIN]);
    return 0;
}

static int world_teardown(void **state)
{
    for (int i = 0; i < W__MAX; i++)
        actor_free(&W.a[i]);
    return fx_teardown(state);
}

/* A case reported by the representative (a survivor of age, named),
 * assigned to caseworker A. */
static void case_new(int age, char id[ID_SIZE])
{
    struct case_report_in in;
    struct case_view v = {0};
    struct fielderrs fe = {0};
    struct ctx cx = as(W_REP);
    case_report_in_init(&in);
    in.location_code = PUOK_CHAS;
    in.concerns[0] = "domestic_violence";
    in.nconcerns = 1;
    in.has_survivor = true;
    in.survivor.sex = "female";
    in.survivor.age = age;
    in.survivor.name_latn = "Srey Mom Testname";
    in.survivor.phone = "012 345 678";
    assert_int_equal(case_report(&cx, &in, &v, &fe), ERR_OK);
    snprintf(id, ID_SIZE, "%s", v.rec.id);
    case_view_free(&v);
    cx = as(W_SUP);
    assert_int_equal(case_assign(&cx, id, W.a[W_CW_A].user.id, &v, &fe), ERR_OK);
    case_view_free(&v);
}

static enum err consent(enum who w, const char *case_id, const char *purpose, const char *org,
                        const char *type, bool given, const char *by, char id[ID_SIZE])
{
    struct consent_in in;
    struct consent_view v = {0};
    struct fielderrs fe = {0};
    struct ctx cx = as(w);
    memset(&in, 0, sizeof in);
    in.purpose = purpose;
    in.organization_id = org;
    in.service_type = type;
    in.given = given;
    fields_mark(&consent_fields, &in, 3, false); /* given was sent */
    in.method = "verbal";
    in.by = by;
    enum err e = consent_record(&cx, case_id, &in, &v, &fe);
    if (e == ERR_OK && id != NULL)
        snprintf(id, ID_SIZE, "%s", v.rec.id);
    consent_view_free(&v);
    return e;
}

static enum err refer(enum who w, const char *case_id, const char *service,
                      const char *override_reason, bool with_override, struct referral_view *v)
{
    struct referral_in in;
    struct fielderrs fe = {0};
    struct ctx cx = as(w);
    memset(&in, 0, sizeof in);
    in.service_id = service;
    in.urgency = "urgent";
    in.reason = "she needs legal advice";
    in.has_override = with_override;
    in.override.reason = override_reason;
    return referral_create(&cx, case_id, &in, v, &fe);
}

static enum err move(enum who w, const char *id, int version, const char *to)
{
    struct referral_patch_in in;
    struct referral_view v = {0};
    struct fielderrs fe = {0};
    struct ctx cx = as(w);
    referral_patch_in_init(&in);
    in.version = version;
    in.status = to;
    in.note = "a note";
    enum err e = referral_update(&cx, id, &in, &v, &fe);
    referral_view_free(&v);
    return e;
}

static size_t referrals_in_store(const char *case_id)
{
    struct referral_filter f = {.case_id = case_id, .limit = 501};
    struct referral_rec *r = NULL;
    size_t n = 0;
    assert_int_equal(store_referral_list(W.f->op.db, &f, &r, &n), ERR_OK);
    referral_list_free(r, n);
    return n;
}

/* ---- every move from every status by every caller ---- */

enum rstatus { R_SENT, R_ACCEPTED, R_DECLINED, R_COMPLETED, R_WITHDRAWN, R__MAX };
static const char *const rstatus_names[R__MAX] = {"sent", "accepted", "declined", "completed",
                                                  "withdrawn"};

/* DOMAIN.md §4 and API.md: only the receiving organization accepts,
 * declines and completes; the sender's staff withdraw. */
static bool allowed(enum rstatus from, enum rstatus to, enum who w)
{
    bool receiver = w == W_PROV;
    bool sender = w == W_CW_A || w == W_SUP;
    switch (to) {
    case R_ACCEPTED:
    case R_DECLINED:
        return from == R_SENT && receiver;
    case R_COMPLETED:
        return from == R_ACCEPTED && receiver;
    case R_WITHDRAWN:
        return (from == R_SENT || from == R_ACCEPTED) && sender;
    default:
        return false;
    }
}

static enum err expected(enum rstatus from, enum rstatus to, enum who w)
{
    switch (w) {
    case W_MEMBER:
    case W_REP:
    case W_ANALYST:
    case W_ADMIN:
        return ERR_FORBIDDEN; /* no referral of any case */
    case W_CW_B:              /* the case is caseworker A's */
    case W_CW_OTHER:
    case W_SUP_OTHER:
    case W_PROV_OTHER:
        return ERR_NOT_FOUND;
    default:
        return allowed(from, to, w) ? ERR_OK : ERR_CONFLICT;
    }
}

/* A referral of a consenting case to the legal service, brought to s. */
static void referral_in(enum rstatus s, char id[ID_SIZE], int *version)
{
    char case_id[ID_SIZE];
    struct referral_view v = {0};
    case_new(30, case_id);
    assert_int_equal(consent(W_CW_A, case_id, "services", NULL, NULL, true, "survivor", NULL),
                     ERR_OK);
    assert_int_equal(
        consent(W_CW_A, case_id, "share_with", W.f->porg, NULL, true, "survivor", NULL), ERR_OK);
    assert_int_equal(refer(W_CW_A, case_id, W.service, NULL, false, &v), ERR_OK);
    snprintf(id, ID_SIZE, "%s", v.rec.id);
    *version = v.rec.version;
    referral_view_free(&v);
    const enum rstatus path[R__MAX][2] = {
        [R_ACCEPTED] = {R_ACCEPTED, R__MAX},
        [R_DECLINED] = {R_DECLINED, R__MAX},
        [R_COMPLETED] = {R_ACCEPTED, R_COMPLETED},
        [R_WITHDRAWN] = {R_WITHDRAWN, R__MAX},
    };
    for (int k = 0; k < 2 && s != R_SENT && path[s][k] != R__MAX; k++) {
        enum who by = path[s][k] == R_WITHDRAWN ? W_SUP : W_PROV;
        assert_int_equal(move(by, id, *version, rstatus_names[path[s][k]]), ERR_OK);
        (*version)++;
    }
}

static void state_of(const char *id, char status[16], int *version, size_t *moves)
{
    struct referral_rec r = {0};
    struct referral_event_rec *ev = NULL;
    assert_int_equal(store_referral_get(W.f->op.db, id, &r), ERR_OK);
    snprintf(status, 16, "%s", r.status);
    *version = r.version;
    referral_rec_free(&r);
    assert_int_equal(store_referral_event_list(W.f->op.db, id, &ev, moves), ERR_OK);
    referral_event_list_free(ev, *moves);
}

static void test_every_move_every_status_every_caller(void **state)
{
    (void)state;
    int failures = 0;
    for (int s = 0; s < R__MAX; s++)
        for (int t = 0; t < R__MAX; t++)
            for (int w = 0; w < W__MAX; w++) {
                char id[ID_SIZE], st0[16], st1[16];
                int version, v0, v1;
                size_t m0, m1;
                referral_in((enum rstatus)s, id, &version);
                state_of(id, st0, &v0, &m0);
                enum err want = expected((enum rstatus)s, (enum rstatus)t, (enum who)w);
                enum err got = move((enum who)w, id, version, rstatus_names[t]);
                state_of(id, st1, &v1, &m1);
                bool ok = got == want;
                if (want == ERR_OK)
                    ok = ok && strcmp(st1, rstatus_names[t]) == 0 && v1 == v0 + 1 && m1 == m0 + 1;
                else
                    ok = ok && strcmp(st0, st1) == 0 && v0 == v1 && m0 == m1;
                if (!ok) {
                    print_error("%s -> %s by %s: want %d, got %d (%s v%d -> %s v%d)\n",
                                rstatus_names[s], rstatus_names[t], who_names[w], (int)want,
                                (int)got, st0, v0, st1, v1);
                    failures++;
                }
            }
    assert_int_equal(failures, 0);
}

static void test_stale_version_and_required_notes(void **state)
{
    (void)state;
    char id[ID_SIZE];
    int version;
    referral_in(R_SENT, id, &version);
    assert_int_equal(move(W_PROV, id, version + 1, "accepted"), ERR_CONFLICT);
    struct referral_patch_in in;
    struct referral_view v = {0};
    struct fielderrs fe = {0};
    struct ctx cx = as(W_PROV);
    referral_patch_in_init(&in);
    in.version = version;
    in.status = "declined"; /* without the reason */
    assert_int_equal(referral_update(&cx, id, &in, &v, &fe), ERR_VALIDATION);
    assert_int_equal(move(W_PROV, id, version, "accepted"), ERR_OK);
    in.version = version + 1;
    in.status = "completed"; /* without the outcome */
    assert_int_equal(referral_update(&cx, id, &in, &v, &fe), ERR_VALIDATION);
    char st[16];
    int now;
    size_t moves;
    state_of(id, st, &now, &moves);
    assert_string_equal(st, "accepted");
    assert_int_equal(moves, 2);
}

/* ---- the consent gate ---- */

static void test_gate_refuses_without_consents(void **state)
{
    (void)state;
    char c[ID_SIZE], cons[ID_SIZE];
    struct referral_view v = {0};
    case_new(30, c);
    assert_int_equal(refer(W_CW_A, c, W.service, NULL, false, &v), ERR_CONSENT);
    assert_int_equal(consent(W_CW_A, c, "services", NULL, NULL, true, "survivor", NULL), ERR_OK);
    assert_int_equal(refer(W_CW_A, c, W.service, NULL, false, &v), ERR_CONSENT);
    /* Consent to share with another organization covers nothing here. */
    assert_int_equal(consent(W_CW_A, c, "share_with", W.porg2, NULL, true, "survivor", NULL),
                     ERR_OK);
    assert_int_equal(refer(W_CW_A, c, W.service, NULL, false, &v), ERR_CONSENT);
    /* Its type does. */
    assert_int_equal(consent(W_CW_A, c, "share_with", NULL, "legal", true, "survivor", NULL),
                     ERR_OK);
    assert_int_equal(refer(W_CW_A, c, W.service, NULL, false, &v), ERR_OK);
    referral_view_free(&v);
    /* A refusal naming the organization overrules the type's consent. */
    assert_int_equal(consent(W_CW_A, c, "share_with", W.f->porg, NULL, false, "survivor", cons),
                     ERR_OK);
    assert_int_equal(refer(W_CW_A, c, W.service, NULL, false, &v), ERR_CONSENT);
    /* A later consent undoes it; a withdrawal of that one undoes it again. */
    assert_int_equal(consent(W_CW_A, c, "share_with", W.f->porg, NULL, true, "survivor", cons),
                     ERR_OK);
    assert_int_equal(refer(W_CW_A, c, W.service, NULL, false, &v), ERR_OK);
    referral_view_free(&v);
    struct consent_withdraw_in wi = {"she changed her mind"};
    struct consent_view cv = {0};
    struct fielderrs fe = {0};
    struct ctx cx = as(W_CW_A);
    assert_int_equal(consent_withdraw(&cx, c, cons, &wi, &cv, &fe), ERR_OK);
    assert_true(cv.rec.withdrawn_at[0] != '\0');
    assert_string_equal(cv.withdraw_reason, "she changed her mind");
    consent_view_free(&cv);
    assert_int_equal(consent_withdraw(&cx, c, cons, &wi, &cv, &fe), ERR_CONFLICT);
    assert_int_equal(refer(W_CW_A, c, W.service, NULL, false, &v), ERR_CONSENT);
    assert_int_equal(referrals_in_store(c), 2);
}

static void test_consent_rules_on_record(void **state)
{
    (void)state;
    char adult[ID_SIZE], child[ID_SIZE];
    case_new(30, adult);
    case_new(15, child);
    /* share_with names exactly one scope; other purposes none. */
    assert_int_equal(consent(W_CW_A, adult, "share_with", NULL, NULL, true, "survivor", NULL),
                     ERR_VALIDATION);
    assert_int_equal(
        consent(W_CW_A, adult, "share_with", W.f->porg, "legal", true, "survivor", NULL),
        ERR_VALIDATION);
    assert_int_equal(consent(W_CW_A, adult, "services", W.f->porg, NULL, true, "survivor", NULL),
                     ERR_VALIDATION);
    assert_int_equal(
        consent(W_CW_A, adult, "share_with", "nosuchorgnosuchorgxx", NULL, true, "survivor", NULL),
        ERR_VALIDATION);
    /* Under 18: her guardian gives it. */
    assert_int_equal(consent(W_CW_A, child, "services", NULL, NULL, true, "survivor", NULL),
                     ERR_VALIDATION);
    assert_int_equal(consent(W_CW_A, child, "services", NULL, NULL, true, "guardian", NULL),
                     ERR_OK);
    /* Who may record: the case's staff only. */
    assert_int_equal(consent(W_CW_B, adult, "services", NULL, NULL, true, "survivor", NULL),
                     ERR_NOT_FOUND);
    assert_int_equal(consent(W_PROV, adult, "services", NULL, NULL, true, "survivor", NULL),
                     ERR_FORBIDDEN);
    assert_int_equal(consent(W_SUP, adult, "services", NULL, NULL, true, "survivor", NULL), ERR_OK);
}

static void test_override_for_a_child_only_by_a_supervisor(void **state)
{
    (void)state;
    char adult[ID_SIZE], child[ID_SIZE];
    struct referral_view v = {0};
    case_new(30, adult);
    case_new(12, child);
    assert_int_equal(refer(W_CW_A, child, W.service, "in danger tonight", true, &v), ERR_FORBIDDEN);
    assert_int_equal(refer(W_SUP, adult, W.service, "in danger tonight", true, &v), ERR_VALIDATION);
    assert_int_equal(refer(W_SUP, child, W.service, NULL, true, &v), ERR_VALIDATION);
    assert_int_equal(refer(W_SUP, child, W.service, "  ", true, &v), ERR_VALIDATION);
    assert_int_equal(referrals_in_store(child) + referrals_in_store(adult), 0);
    assert_int_equal(refer(W_SUP, child, W.service, "in danger tonight", true, &v), ERR_OK);
    assert_true(v.rec.consent_override);
    assert_string_equal(v.override_reason, "in danger tonight");
    referral_view_free(&v);
}

/* ---- the provider's view, field by field ---- */

static void test_provider_sees_identity_only_under_consent(void **state)
{
    (void)state;
    char c[ID_SIZE], share[ID_SIZE];
    struct referral_view v = {0};
    case_new(30, c);
    assert_int_equal(consent(W_CW_A, c, "services", NULL, NULL, true, "survivor", NULL), ERR_OK);
    assert_int_equal(consent(W_CW_A, c, "share_with", W.f->porg, NULL, true, "survivor", share),
                     ERR_OK);
    assert_int_equal(refer(W_CW_A, c, W.service, NULL, false, &v), ERR_OK);
    char id[ID_SIZE];
    snprintf(id, sizeof id, "%s", v.rec.id);
    /* The sender sees everything, the slip included. */
    assert_int_equal(v.mask, RP_SUMMARY | RP_REASON | RP_IDENTITY | RP_HISTORY | RP_SLIP);
    assert_int_equal(strlen(v.slip_code), SLIP_CODE_LEN);
    referral_view_free(&v);

    struct ctx prov = as(W_PROV);
    assert_int_equal(referral_get(&prov, id, &v), ERR_OK);
    assert_int_equal(v.mask, RP_SUMMARY | RP_REASON | RP_IDENTITY | RP_HISTORY);
    assert_true(v.has_identity);
    assert_string_equal(v.identity.name_latn, "Srey Mom Testname");
    assert_string_equal(v.identity.phone, "012 345 678");
    assert_string_equal(v.reason, "she needs legal advice");
    assert_string_equal(v.survivor_sex, "female");
    assert_string_equal(v.age_band, "26_40");
    assert_int_equal(v.nconcerns, 1);
    assert_string_equal(v.slip_code, "");
    assert_null(v.contact);
    referral_view_free(&v);

    /* Withdrawn: the identity goes at once; the referral stays. */
    struct consent_withdraw_in wi = {NULL};
    struct consent_view cv = {0};
    struct fielderrs fe = {0};
    struct ctx cw = as(W_CW_A);
    assert_int_equal(consent_withdraw(&cw, c, share, &wi, &cv, &fe), ERR_OK);
    consent_view_free(&cv);
    assert_int_equal(referral_get(&prov, id, &v), ERR_OK);
    assert_int_equal(v.mask, RP_SUMMARY | RP_REASON | RP_HISTORY);
    assert_false(v.has_identity);
    assert_null(v.identity.name_latn);
    assert_string_equal(v.rec.status, "sent");
    referral_view_free(&v);

    /* Another provider: not found; so for the other NGO's staff. */
    struct ctx other = as(W_PROV_OTHER);
    assert_int_equal(referral_get(&other, id, &v), ERR_NOT_FOUND);
    other = as(W_SUP_OTHER);
    assert_int_equal(referral_get(&other, id, &v), ERR_NOT_FOUND);
    other = as(W_ANALYST);
    assert_int_equal(referral_get(&other, id, &v), ERR_FORBIDDEN);
}

static void test_inbox_and_lists(void **state)
{
    (void)state;
    struct ctx prov = as(W_PROV), other = as(W_PROV_OTHER);
    int before = referral_inbox_count(&prov), before_other = referral_inbox_count(&other);
    char id[ID_SIZE];
    int version;
    referral_in(R_SENT, id, &version);
    assert_int_equal(referral_inbox_count(&prov), before + 1);
    assert_int_equal(referral_inbox_count(&other), before_other);
    struct ctx sup = as(W_SUP);
    assert_int_equal(referral_inbox_count(&sup), 0); /* not a provider's badge */
    assert_int_equal(move(W_PROV, id, version, "accepted"), ERR_OK);
    assert_int_equal(referral_inbox_count(&prov), before);

    /* Each list holds what its caller may see, and nothing else. */
    struct referral_query q = {.limit = 500};
    struct referral_view *items = NULL;
    size_t n = 0;
    char next[CURSOR_SIZE];
    struct fielderrs fe = {0};
    assert_int_equal(referral_list(&other, &q, &items, &n, next, &fe), ERR_OK);
    for (size_t i = 0; i < n; i++)
        assert_string_equal(items[i].rec.organization_id, W.porg2);
    referral_views_free(items, n);
    struct ctx cwb = as(W_CW_B);
    assert_int_equal(referral_list(&cwb, &q, &items, &n, next, &fe), ERR_OK);
    assert_int_equal(n, 0); /* every case here is caseworker A's */
    referral_views_free(items, n);
    struct ctx admin = as(W_ADMIN);
    assert_int_equal(referral_list(&admin, &q, &items, &n, next, &fe), ERR_FORBIDDEN);
}

static void test_overdue_and_followup_settings(void **state)
{
    (void)state;
    char id[ID_SIZE];
    int version;
    struct ctx sup = as(W_SUP);
    assert_int_equal(referral_followup_days(&sup, true), 3);
    assert_int_equal(referral_followup_days(&sup, false), 7);
    assert_int_equal(store_meta_set(W.f->op.db, "referral.followup_days.urgent", "2"), ERR_OK);
    assert_int_equal(referral_followup_days(&sup, true), 2);
    assert_int_equal(store_meta_set(W.f->op.db, "referral.followup_days.urgent", "0"), ERR_OK);
    assert_int_equal(referral_followup_days(&sup, true), 3); /* not a setting: the default */
    assert_int_equal(store_meta_set(W.f->op.db, "referral.followup_days.urgent", "3"), ERR_OK);
    /* Changed by the local operator only, within bounds. */
    struct fielderrs fe0 = {0};
    assert_int_equal(setting_set(&sup, SETTING_FOLLOWUP_DAYS_ROUTINE, "5", &fe0), ERR_FORBIDDEN);
    assert_int_equal(setting_set(&W.f->op, SETTING_FOLLOWUP_DAYS_ROUTINE, "91", &fe0),
                     ERR_VALIDATION);
    assert_int_equal(setting_set(&W.f->op, SETTING_FOLLOWUP_DAYS_ROUTINE, "5x", &fe0),
                     ERR_VALIDATION);
    assert_int_equal(referral_followup_days(&sup, false), 7);
    assert_int_equal(setting_set(&W.f->op, SETTING_FOLLOWUP_DAYS_ROUTINE, "5", &fe0), ERR_OK);
    assert_int_equal(referral_followup_days(&sup, false), 5);
    assert_int_equal(setting_set(&W.f->op, SETTING_FOLLOWUP_DAYS_ROUTINE, "7", &fe0), ERR_OK);
    assert_int_equal(setting_parse("referral.followup_days.urgent"), SETTING_FOLLOWUP_DAYS_URGENT);
    assert_int_equal(setting_parse("nosuch"), -1);
    int before = referral_overdue_count(&sup);
    referral_in(R_SENT, id, &version);
    assert_int_equal(referral_overdue_count(&sup), before);
    /* Due in the past (written behind the domain's back): overdue for the
     * sender's staff while nobody answered or completed it. */
    sqlite3 *raw = NULL;
    char sql[160];
    assert_int_equal(sqlite3_open(W.f->db, &raw), SQLITE_OK);
    snprintf(sql, sizeof sql,
             "UPDATE referral SET due_at = '2020-01-01T00:00:00.000Z' WHERE id = '%s'", id);
    assert_int_equal(sqlite3_exec(raw, sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(raw);
    assert_int_equal(referral_overdue_count(&sup), before + 1);
    struct ctx cw = as(W_CW_A), prov = as(W_PROV);
    struct referral_query q = {.overdue = "true", .limit = 500};
    struct referral_view *items = NULL;
    size_t n = 0;
    char next[CURSOR_SIZE];
    struct fielderrs fe = {0};
    assert_int_equal(referral_list(&cw, &q, &items, &n, next, &fe), ERR_OK);
    bool listed = false;
    for (size_t i = 0; i < n; i++) {
        assert_true(items[i].overdue);
        listed = listed || strcmp(items[i].rec.id, id) == 0;
    }
    referral_views_free(items, n);
    assert_true(listed);
    (void)prov;
    /* Accepted is still overdue until completed; completed is not. */
    assert_int_equal(move(W_PROV, id, version, "accepted"), ERR_OK);
    assert_int_equal(referral_overdue_count(&sup), before + 1);
    assert_int_equal(move(W_PROV, id, version + 1, "completed"), ERR_OK);
    assert_int_equal(referral_overdue_count(&sup), before);
    q.overdue = "maybe";
    assert_int_equal(referral_list(&cw, &q, &items, &n, next, &fe), ERR_VALIDATION);
}

/* ---- the slip ---- */

static void test_slip_checks_lock_after_five_wrong(void **state)
{
    (void)state;
    char id[ID_SIZE], bystander[ID_SIZE];
    int version;
    referral_in(R_SENT, bystander, &version); /* another slip of the same organization */
    referral_in(R_SENT, id, &version);
    struct ctx cw = as(W_CW_A), prov = as(W_PROV), other = as(W_PROV_OTHER);
    struct referral_view v = {0};
    assert_int_equal(referral_get(&cw, id, &v), ERR_OK);
    char code[SLIP_CODE_LEN + 1], case_code[CODE_SIZE];
    snprintf(code, sizeof code, "%s", v.slip_code);
    snprintf(case_code, sizeof case_code, "%s", v.rec.case_code);
    referral_view_free(&v);
    bool valid = false;
    /* Another organization's provider: no slip of hers, the same answer. */
    assert_int_equal(slip_verify(&other, case_code, code, &valid, &v), ERR_OK);
    assert_false(valid);
    assert_int_equal(slip_verify(&cw, case_code, code, &valid, &v), ERR_FORBIDDEN);
    assert_int_equal(slip_verify(&prov, "NOPE-2026-0001", code, &valid, &v), ERR_OK);
    assert_false(valid);
    assert_int_equal(slip_verify(&prov, case_code, code, &valid, &v), ERR_OK);
    assert_true(valid);
    assert_string_equal(v.rec.id, id);
    referral_view_free(&v);
    char wrong[SLIP_CODE_LEN + 1];
    snprintf(wrong, sizeof wrong, "%s", code);
    wrong[0] = wrong[0] == '2' ? '3' : '2';
    for (int i = 0; i < 5; i++) {
        assert_int_equal(slip_verify(&prov, case_code, wrong, &valid, &v), ERR_OK);
        assert_false(valid);
    }
    /* Five wrong tries lock it: the next is refused, the right code too. */
    assert_int_equal(slip_verify(&prov, case_code, wrong, &valid, &v), ERR_RATE_LIMITED);
    assert_int_equal(slip_verify(&prov, case_code, code, &valid, &v), ERR_RATE_LIMITED);
    assert_false(valid);
    int tries = 0;
    assert_int_equal(store_slip_failure_count(W.f->op.db, id, 0, &tries), ERR_OK);
    assert_int_equal(tries, 5);
    /* Only that slip: another referral to the organization is untouched. */
    assert_int_equal(store_slip_failure_count(W.f->op.db, bystander, 0, &tries), ERR_OK);
    assert_int_equal(tries, 0);
    /* An hour later the checks open again. */
    assert_int_equal(store_slip_failure_count(W.f->op.db, id, clock_now() + 1, &tries), ERR_OK);
    assert_int_equal(tries, 0);
}

/* Two slips of one case to one organization: the right code for one is no
 * wrong try at the other, and only the slip checked is in the audit log. */
static void test_slip_of_a_case_with_two_referrals(void **state)
{
    (void)state;
    char c[ID_SIZE], first[ID_SIZE], second[ID_SIZE], code[SLIP_CODE_LEN + 1];
    char case_code[CODE_SIZE];
    struct referral_view v = {0};
    case_new(30, c);
    assert_int_equal(consent(W_CW_A, c, "services", NULL, NULL, true, "survivor", NULL), ERR_OK);
    assert_int_equal(consent(W_CW_A, c, "share_with", W.f->porg, NULL, true, "survivor", NULL),
                     ERR_OK);
    assert_int_equal(refer(W_CW_A, c, W.service, NULL, false, &v), ERR_OK);
    snprintf(first, sizeof first, "%s", v.rec.id);
    snprintf(code, sizeof code, "%s", v.slip_code);
    snprintf(case_code, sizeof case_code, "%s", v.rec.case_code);
    referral_view_free(&v);
    assert_int_equal(refer(W_CW_A, c, W.service, NULL, false, &v), ERR_OK);
    snprintf(second, sizeof second, "%s", v.rec.id);
    referral_view_free(&v);
    struct ctx prov = as(W_PROV);
    bool valid = false;
    assert_int_equal(slip_verify(&prov, case_code, code, &valid, &v), ERR_OK);
    assert_true(valid);
    assert_string_equal(v.rec.id, first);
    referral_view_free(&v);
    int tries = -1;
    assert_int_equal(store_slip_failure_count(W.f->op.db, second, 0, &tries), ERR_OK);
    assert_int_equal(tries, 0);
    struct audit_rec *a = NULL;
    size_t n = 0;
    assert_int_equal(store_audit_for_record(W.f->op.db, "referral", second, 0, 100, &a, &n),
                     ERR_OK);
    for (size_t i = 0; i < n; i++)
        assert_true(a[i].detail == NULL || strstr(a[i].detail, "slip") == NULL);
    audit_list_free(a, n);
}

/* The slip's contact line is sealed under the case's key; one written
 * plain before it was sealed is sealed by referral_seal_existing (cbpn
 * serve at start), and reads the same. */
static void test_contact_is_sealed(void **state)
{
    (void)state;
    char c[ID_SIZE];
    struct referral_view v = {0};
    char share[ID_SIZE];
    case_new(31, c);
    assert_int_equal(consent(W_CW_A, c, "services", NULL, NULL, true, "survivor", NULL), ERR_OK);
    assert_int_equal(consent(W_CW_A, c, "share_with", W.f->porg, NULL, true, "survivor", share),
                     ERR_OK);
    struct referral_in in;
    struct fielderrs fe = {0};
    struct ctx cx = as(W_CW_A);
    memset(&in, 0, sizeof in);
    in.service_id = W.service;
    in.urgency = "routine";
    in.reason = "legal advice";
    in.contact = "Caseworker Testcontact 011 222 333";
    assert_int_equal(referral_create(&cx, c, &in, &v, &fe), ERR_OK);
    assert_string_equal(v.contact, in.contact);
    char id[ID_SIZE];
    snprintf(id, sizeof id, "%s", v.rec.id);
    referral_view_free(&v);

    sqlite3 *raw = NULL;
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_open(W.f->db, &raw), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(raw,
                                        "SELECT contact IS NULL, instr(contact_sealed, ?2),"
                                        " substr(contact_sealed, 1, 1) FROM referral WHERE id = ?1",
                                        -1, &st, NULL),
                     SQLITE_OK);
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, "Testcontact", -1, SQLITE_STATIC);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(st, 0), 1); /* no plain copy */
    assert_int_equal(sqlite3_column_int(st, 1), 0); /* not in the blob */
    assert_int_equal(sqlite3_column_blob(st, 2) != NULL, 1);
    assert_int_equal(((const unsigned char *)sqlite3_column_blob(st, 2))[0], 3); /* case key */
    sqlite3_finalize(st);

    /* as a row written before: plain, nothing sealed */
    assert_int_equal(sqlite3_exec(raw,
                                  "UPDATE referral SET contact = 'Old Testplain 012 999 888',"
                                  " contact_sealed = NULL",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(raw);
    assert_int_equal(referral_get(&cx, id, &v), ERR_OK);
    assert_string_equal(v.contact, "Old Testplain 012 999 888");
    referral_view_free(&v);
    size_t n = 0;
    assert_int_equal(referral_seal_existing(&W.f->op, &n), ERR_OK);
    assert_true(n >= 1);
    assert_int_equal(referral_get(&cx, id, &v), ERR_OK);
    assert_string_equal(v.contact, "Old Testplain 012 999 888");
    referral_view_free(&v);
    assert_int_equal(sqlite3_open(W.f->db, &raw), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(raw,
                                        "SELECT count(*) FROM referral WHERE contact IS NOT NULL",
                                        -1, &st, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(st, 0), 0);
    sqlite3_finalize(st);
    sqlite3_close(raw);
    assert_int_equal(referral_seal_existing(&W.f->op, &n), ERR_OK);
    assert_int_equal(n, 0); /* nothing left */
}

int main(void)
{
    test_audit_keys();
    const struct CMUnitTest pure[] = {
        cmocka_unit_test(test_consent_rules_every_sequence_of_three),
        cmocka_unit_test(test_consent_order_is_by_seq_not_position),
        cmocka_unit_test(test_slip_code_normalize),
    };
    const struct CMUnitTest world[] = {
        cmocka_unit_test(test_every_move_every_status_every_caller),
        cmocka_unit_test(test_stale_version_and_required_notes),
        cmocka_unit_test(test_gate_refuses_without_consents),
        cmocka_unit_test(test_consent_rules_on_record),
        cmocka_unit_test(test_override_for_a_child_only_by_a_supervisor),
        cmocka_unit_test(test_provider_sees_identity_only_under_consent),
        cmocka_unit_test(test_inbox_and_lists),
        cmocka_unit_test(test_overdue_and_followup_settings),
        cmocka_unit_test(test_slip_checks_lock_after_five_wrong),
        cmocka_unit_test(test_slip_of_a_case_with_two_referrals),
        cmocka_unit_test(test_contact_is_sealed),
    };
    int failed = cmocka_run_group_tests_name("consent rules", pure, NULL, NULL);
    return failed + cmocka_run_group_tests_name("referrals", world, world_setup, world_teardown);
}
