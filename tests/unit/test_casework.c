/* The case workflow, exhaustively: every move from every status by every
 * kind of caller, against an expectation written here from DOMAIN.md §5 and
 * API.md, independently of src/domain/casework.c. A refused move changes
 * nothing: not the status, not the version, not the timeline. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit_fixture.h"
#include "domain/casework.h"
#include "domain_fixture.h"

enum who {
    W_MEMBER,    /* of group 1, not the reporter */
    W_REP,       /* of group 1: the reporter */
    W_CW_A,      /* the caseworker the case is assigned to */
    W_CW_B,      /* another caseworker of the organization */
    W_CW_OTHER,  /* a caseworker of another organization */
    W_SUP,       /* the organization's supervisor */
    W_SUP_OTHER, /* another organization's supervisor */
    W_PROVIDER,
    W_ANALYST,
    W_ADMIN,
    W__MAX
};
static const char *const who_names[W__MAX] = {
    "member", "rep", "cwA", "cwB", "cw-other", "sup", "sup-other", "provider", "analyst", "admin"};

enum move { M_ASSIGN, M_CLOSURE, M_APPROVE, M_REOPEN, M__MAX };
static const char *const move_names[M__MAX] = {"assign", "closure", "approve", "reopen"};

enum status { S_REPORTED, S_OPEN, S_CLOSURE_REQUESTED, S_CLOSED, S__MAX };
static const char *const status_names[S__MAX] = {"reported", "open", "closure_requested", "closed"};

struct world {
    struct fx *f;
    struct actor a[W__MAX];
};

static struct world W;

/* ---- the expectation ---- */

/* Who holds the right to a move at all (API.md): assign, approve and reopen
 * are a supervisor's; closure the assigned caseworker's or a supervisor's. */
static bool has_right(enum who w, enum move m)
{
    bool sup = w == W_SUP || w == W_SUP_OTHER;
    bool cw = w == W_CW_A || w == W_CW_B || w == W_CW_OTHER;
    return sup || (m == M_CLOSURE && cw);
}

/* Whether w may read the case at all: a caseworker her organization's
 * unassigned cases and those assigned to her; a supervisor her
 * organization's; the reporter her own. */
static bool reads(enum who w, enum status s)
{
    bool assigned = s != S_REPORTED; /* to caseworker A */
    switch (w) {
    case W_REP:
    case W_SUP:
    case W_CW_A:
        return true;
    case W_CW_B:
        return !assigned;
    default:
        return false;
    }
}

/* Whether w, reading the case, reaches it for move m. */
static bool reaches(enum who w, enum move m, enum status s)
{
    if (w == W_SUP)
        return true;
    if (m == M_CLOSURE && w == W_CW_A)
        return s != S_REPORTED; /* only once it is hers */
    return false;
}

static const enum status allowed[M__MAX][S__MAX] = {
    /* -1 for a refused move; else the status it leads to */
    [M_ASSIGN] = {S_OPEN, S_OPEN, S_CLOSURE_REQUESTED, (enum status) - 1},
    [M_CLOSURE] = {(enum status) - 1, S_CLOSURE_REQUESTED, (enum status) - 1, (enum status) - 1},
    [M_APPROVE] = {(enum status) - 1, (enum status) - 1, S_CLOSED, (enum status) - 1},
    [M_REOPEN] = {(enum status) - 1, (enum status) - 1, (enum status) - 1, S_OPEN},
};

static enum err expected(enum who w, enum move m, enum status s)
{
    if (!has_right(w, m))
        return ERR_FORBIDDEN;
    if (!reads(w, s))
        return ERR_NOT_FOUND;
    if (!reaches(w, m, s))
        return ERR_FORBIDDEN;
    if ((int)allowed[m][s] < 0)
        return ERR_CONFLICT;
    return ERR_OK;
}

/* ---- the world ---- */

static int world_setup(void **state)
{
    if (fx_setup(state) != 0)
        return -1;
    struct fx *f = *state;
    W.f = f;
    fx_actor(f, "member", f->org, f->group1, &W.a[W_MEMBER]);
    fx_actor(f, "representative", f->org, f->group1, &W.a[W_REP]);
    fx_actor(f, "caseworker", f->org, NULL, &W.a[W_CW_A]);
    fx_actor(f, "caseworker", f->org, NULL, &W.a[W_CW_B]);
    fx_actor(f, "caseworker", f->org2, NULL, &W.a[W_CW_OTHER]);
    fx_actor(f, "supervisor", f->org, NULL, &W.a[W_SUP]);
    fx_actor(f, "supervisor", f->org2, NULL, &W.a[W_SUP_OTHER]);
    fx_actor(f, "provider", f->porg, NULL, &W.a[W_PROVIDER]);
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

static struct ctx as(enum who w)
{
    return fx_ctx(W.f, &W.a[w]);
}

static enum err do_move(enum who w, enum move m, const char *id, struct case_view *v)
{
    struct ctx cx = as(w);
    struct fielderrs fe = {0};
    switch (m) {
    case M_ASSIGN:
        return case_assign(&cx, id, W.a[W_CW_A].user.id, v, &fe);
    case M_CLOSURE:
        return case_request_closure(&cx, id, "services_completed", "all done", v, &fe);
    case M_APPROVE:
        return case_approve_closure(&cx, id, v);
    case M_REOPEN:
        return case_reopen(&cx, id, "she came back", v, &fe);
    default:
        return ERR_INTERNAL;
    }
}

/* A case reported by the representative, brought to status s: assigned to
 * caseworker A, closure asked by her, approved by the supervisor. */
static void case_in(enum status s, char id[ID_SIZE])
{
    struct case_report_in in;
    struct case_view v = {0};
    struct fielderrs fe = {0};
    struct ctx cx = as(W_REP);
    case_report_in_init(&in);
    in.location_code = PUOK_CHAS;
    in.concerns[0] = "trafficking";
    in.nconcerns = 1;
    in.has_survivor = true;
    in.survivor.sex = "female";
    in.survivor.age = 20;
    assert_int_equal(case_report(&cx, &in, &v, &fe), ERR_OK);
    snprintf(id, ID_SIZE, "%s", v.rec.id);
    case_view_free(&v);
    const struct {
        enum who w;
        enum move m;
    } path[] = {{W_SUP, M_ASSIGN}, {W_CW_A, M_CLOSURE}, {W_SUP, M_APPROVE}};
    for (int i = 0; i < (int)s; i++) {
        assert_int_equal(do_move(path[i].w, path[i].m, id, &v), ERR_OK);
        case_view_free(&v);
    }
}

static void state_of(const char *id, char status[24], int *version, size_t *events)
{
    struct case_rec r;
    struct case_event_rec *ev = NULL;
    assert_int_equal(store_case_get(W.f->op.db, id, &r), ERR_OK);
    snprintf(status, 24, "%s", r.status);
    *version = r.version;
    case_rec_free(&r);
    assert_int_equal(store_case_event_list(W.f->op.db, id, &ev, events), ERR_OK);
    case_event_list_free(ev, *events);
}

static void test_every_move_every_status_every_caller(void **state)
{
    (void)state;
    int failures = 0;
    for (int s = 0; s < S__MAX; s++) {
        for (int m = 0; m < M__MAX; m++) {
            for (int w = 0; w < W__MAX; w++) {
                char id[ID_SIZE], st0[24], st1[24];
                int v0, v1;
                size_t e0, e1;
                struct case_view out = {0};
                case_in((enum status)s, id);
                state_of(id, st0, &v0, &e0);
                enum err want = expected((enum who)w, (enum move)m, (enum status)s);
                enum err got = do_move((enum who)w, (enum move)m, id, &out);
                state_of(id, st1, &v1, &e1);
                bool ok = got == want;
                if (want == ERR_OK)
                    ok = ok && strcmp(st1, status_names[allowed[m][s]]) == 0 && v1 == v0 + 1 &&
                         e1 == e0 + 1 && out.rec.version == v1;
                else
                    ok = ok && strcmp(st0, st1) == 0 && v0 == v1 && e0 == e1;
                if (!ok) {
                    print_error("%s by %s from %s: want %d, got %d (%s v%d -> %s v%d)\n",
                                move_names[m], who_names[w], status_names[s], (int)want, (int)got,
                                st0, v0, st1, v1);
                    failures++;
                }
                case_view_free(&out);
            }
        }
    }
    assert_int_equal(failures, 0);
}

static void test_nobody_approves_her_own_request(void **state)
{
    (void)state;
    char id[ID_SIZE];
    struct case_view v = {0};
    struct fielderrs fe = {0};
    case_in(S_OPEN, id);
    struct ctx sup = as(W_SUP);
    assert_int_equal(case_request_closure(&sup, id, "moved_away", NULL, &v, &fe), ERR_OK);
    case_view_free(&v);
    assert_int_equal(case_approve_closure(&sup, id, &v), ERR_FORBIDDEN);
    /* Another supervisor of the same organization may. */
    struct actor sup2;
    fx_actor(W.f, "supervisor", W.f->org, NULL, &sup2);
    struct ctx cx2 = fx_ctx(W.f, &sup2);
    assert_int_equal(case_approve_closure(&cx2, id, &v), ERR_OK);
    assert_string_equal(v.rec.status, "closed");
    assert_string_equal(v.rec.closure_reason_code, "moved_away");
    case_view_free(&v);
    actor_free(&sup2);
}

static void test_transfer_takes_access_away_at_once(void **state)
{
    (void)state;
    char id[ID_SIZE];
    struct case_view v = {0};
    struct fielderrs fe = {0};
    case_in(S_OPEN, id);
    struct ctx a = as(W_CW_A), sup = as(W_SUP);
    assert_int_equal(case_get(&a, id, &v), ERR_OK);
    case_view_free(&v);
    assert_int_equal(case_assign(&sup, id, W.a[W_CW_B].user.id, &v, &fe), ERR_OK);
    assert_string_equal(v.rec.status, "open");
    assert_string_equal(v.rec.assigned_to, W.a[W_CW_B].user.id);
    case_view_free(&v);
    assert_int_equal(case_get(&a, id, &v), ERR_NOT_FOUND);
    /* Nor can she add to it. */
    struct note_in n = {"a note", NULL};
    struct note_view nv = {0};
    assert_int_equal(note_add(&a, id, &n, &nv, &fe), ERR_NOT_FOUND);
    /* Assigning to someone who is not staff of the organization is refused. */
    memset(&fe, 0, sizeof fe);
    assert_int_equal(case_assign(&sup, id, W.a[W_CW_OTHER].user.id, &v, &fe), ERR_VALIDATION);
    assert_non_null(fielderr_get(&fe, "caseworker_id"));
    memset(&fe, 0, sizeof fe);
    assert_int_equal(case_assign(&sup, id, W.a[W_MEMBER].user.id, &v, &fe), ERR_VALIDATION);
}

static void test_stale_version_writes_nothing(void **state)
{
    (void)state;
    char id[ID_SIZE], st0[24], st1[24];
    int v0, v1;
    size_t e0, e1;
    struct case_view v = {0};
    struct fielderrs fe = {0};
    case_in(S_OPEN, id);
    state_of(id, st0, &v0, &e0);
    struct case_patch_in p;
    case_patch_in_init(&p);
    p.version = v0 - 1 > 0 ? v0 - 1 : v0 + 5;
    fields_mark(&case_patch_fields, &p, 0, false);
    p.risk = "high";
    fields_mark(&case_patch_fields, &p, 2, false);
    struct ctx a = as(W_CW_A);
    assert_int_equal(case_update(&a, id, &p, &v, &fe), ERR_CONFLICT);
    state_of(id, st1, &v1, &e1);
    assert_int_equal(v0, v1);
    assert_int_equal(e0, e1);
    p.version = v0;
    memset(&fe, 0, sizeof fe);
    assert_int_equal(case_update(&a, id, &p, &v, &fe), ERR_OK);
    assert_string_equal(v.rec.risk, "high");
    assert_int_equal(v.rec.version, v0 + 1);
    case_view_free(&v);
}

static void test_unassigned_urgent_count(void **state)
{
    (void)state;
    struct ctx sup = as(W_SUP), other = as(W_SUP_OTHER), cw = as(W_CW_A);
    int before = case_urgent_unassigned(&sup);
    struct case_report_in in;
    struct case_view v = {0};
    struct fielderrs fe = {0};
    struct ctx rep = as(W_REP);
    case_report_in_init(&in);
    in.location_code = PUOK_CHAS;
    in.concerns[0] = "child_at_risk";
    in.nconcerns = 1;
    in.urgent = true;
    assert_int_equal(case_report(&rep, &in, &v, &fe), ERR_OK);
    char id[ID_SIZE];
    snprintf(id, sizeof id, "%s", v.rec.id);
    case_view_free(&v);
    assert_int_equal(case_urgent_unassigned(&sup), before + 1);
    assert_int_equal(case_urgent_unassigned(&other), 0);
    assert_int_equal(case_urgent_unassigned(&cw), 0); /* not a caseworker's */
    assert_int_equal(case_assign(&sup, id, W.a[W_CW_A].user.id, &v, &fe), ERR_OK);
    case_view_free(&v);
    assert_int_equal(case_urgent_unassigned(&sup), before);
}

int main(void)
{
    test_audit_keys();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_move_every_status_every_caller),
        cmocka_unit_test(test_nobody_approves_her_own_request),
        cmocka_unit_test(test_transfer_takes_access_away_at_once),
        cmocka_unit_test(test_stale_version_writes_nothing),
        cmocka_unit_test(test_unassigned_urgent_count),
    };
    return cmocka_run_group_tests_name("casework", tests, world_setup, world_teardown);
}
