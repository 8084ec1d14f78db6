/* cli/demo: the Siem Reap demo network, built into real SQLite stores in a
 * temporary directory: its groups, members, users, cases; a second run
 * refused; generated and given passwords that sign in. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "audit_fixture.h"
#include "tmpdir.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth/session.h"
#include "cli/demo.h"
#include "domain/agencies.h"
#include "domain/network.h"
#include "domain/place.h"
#include "domain/screening.h"
#include "util/codes.h"
#include "util/log.h"

#define PASSWORD "demo password 2026"
#define ADDR     "192.0.2.20"

/* A deployment in its own temporary directory. */
struct world {
    char dir[TMPDIR_SIZE];
    char db[96];
    struct store *st;
    struct store_conn *c;
    struct datakey *key;
    struct places *places;
};

/* What cbpn init makes: a store, its gazetteer and its data key. */
static struct world *world_new(void)
{
    struct world *w = calloc(1, sizeof *w);
    char *msg = NULL;
    char *keypath;

    assert_non_null(w);
    assert_true(tmpdir_make(w->dir));
    snprintf(w->db, sizeof w->db, "%s/t.db", w->dir);
    if (store_open(w->db, true, &w->st, &msg) != ERR_OK)
        fail_msg("store_open: %s", msg ? msg : "?");
    w->c = store_conn(w->st);
    assert_non_null(w->c);
    assert_int_equal(store_begin(w->c), ERR_OK);
    assert_int_equal(places_import(w->c, &msg), ERR_OK);
    assert_int_equal(store_commit(w->c), ERR_OK);
    assert_int_equal(places_load(w->c, &w->places), ERR_OK);
    keypath = datakey_path_for(w->db);
    assert_int_equal(datakey_create(keypath, &msg), ERR_OK);
    assert_int_equal(datakey_load(keypath, &w->key, &msg), ERR_OK);
    free(keypath);
    return w;
}

static void world_free(struct world *w)
{
    if (w == NULL)
        return;
    places_free(w->places);
    datakey_free(w->key);
    store_close(w->st);
    tmpdir_remove(w->dir);
    free(w);
}

/* The group made from demo_groups[g]: its id into id. */
static void group_id_of(struct store_conn *c, int g, char id[ID_SIZE])
{
    struct group_rec *items = NULL;
    size_t n = 0;
    bool found = false;

    assert_int_equal(store_group_list(c, NULL, &items, &n), ERR_OK);
    for (size_t i = 0; i < n; i++) {
        if (strcmp(items[i].name, demo_groups[g].name) == 0) {
            assert_false(found);
            found = true;
            assert_string_equal(items[i].location_code, demo_groups[g].commune);
            memcpy(id, items[i].id, ID_SIZE);
        }
    }
    group_list_free(items, n);
    assert_true(found);
}

static size_t count_users(struct store_conn *c)
{
    struct user_rec *items = NULL;
    size_t n = 0;
    assert_int_equal(store_user_list(c, NULL, &items, &n), ERR_OK);
    user_list_free(items, n);
    return n;
}

static size_t count_groups(struct store_conn *c)
{
    struct group_rec *items = NULL;
    size_t n = 0;
    assert_int_equal(store_group_list(c, NULL, &items, &n), ERR_OK);
    group_list_free(items, n);
    return n;
}

static size_t count_services(struct store_conn *c)
{
    struct service_rec *items = NULL;
    size_t n = 0;
    assert_int_equal(store_service_list(c, NULL, &items, &n), ERR_OK);
    service_list_free(items, n);
    return n;
}

/* The fixture of most tests: one demo network, every user with PASSWORD. */
static int setup_demo(void **state)
{
    struct world *w = world_new();
    char *msg = NULL;
    enum err e = demo_populate(w->c, w->key, w->places, PASSWORD, NULL, &msg);

    if (e != ERR_OK)
        fprintf(stderr, "demo_populate: %s\n", msg ? msg : "?");
    free(msg);
    assert_int_equal(e, ERR_OK);
    *state = w;
    return 0;
}

static int teardown_demo(void **state)
{
    world_free(*state);
    return 0;
}

static void test_data_tables(void **state)
{
    const struct places *p = ((struct world *)*state)->places;

    /* Group 1 is in Puok commune, whose first village is Puok Chas. */
    assert_string_equal(demo_groups[0].commune, "170710");
    assert_string_equal(demo_groups[0].villages[0], "17071001");
    for (int g = 0; g < DEMO_GROUPS; g++) {
        const struct place *commune = places_get(p, demo_groups[g].commune);
        assert_non_null(commune);
        assert_int_equal(commune->level, PLACE_COMMUNE);
        assert_string_equal(commune->parent, demo_groups[g].district);
        assert_true(strcmp(commune->parent, "1707") == 0 || strcmp(commune->parent, "1706") == 0);
        assert_non_null(demo_groups[g].villages[0]);
        for (int v = 0; v < DEMO_VILLAGES_MAX && demo_groups[g].villages[v] != NULL; v++) {
            const struct place *village = places_get(p, demo_groups[g].villages[v]);
            assert_non_null(village);
            assert_int_equal(village->level, PLACE_VILLAGE);
            assert_string_equal(village->parent, demo_groups[g].commune);
        }
        for (int h = 0; h < g; h++)
            assert_string_not_equal(demo_groups[g].commune, demo_groups[h].commune);
    }
    for (int o = 0; o < DEMO_ORG__MAX; o++) {
        assert_int_equal(demo_orgs[o].org, o);
        assert_non_null(places_get(p, demo_orgs[o].location_code));
    }
    /* Every service type of the issue has a provider. */
    const char *types[] = {"psychosocial", "legal", "shelter", "health", "police"};
    for (size_t t = 0; t < sizeof types / sizeof types[0]; t++) {
        bool found = false;
        for (size_t s = 0; s < demo_nservices; s++)
            found = found || (strcmp(demo_services[s].type, types[t]) == 0 &&
                              strcmp(demo_orgs[demo_services[s].org].kind, "provider") == 0);
        assert_true(found);
    }
}

/* The members of a group with their identities opened (domain/network.h). */
static void members_opened(struct store_conn *c, const struct datakey *k, const char *gid,
                           struct member_rec **m, size_t *n)
{
    struct ctx cx = {.db = c, .key = k, .local_operator = true};
    assert_int_equal(store_member_list(c, gid, NULL, 0, m, n), ERR_OK);
    for (size_t i = 0; i < *n; i++) {
        struct member_rec o;
        /* sealed from the first write: no name in the plain columns */
        assert_null((*m)[i].name_km);
        assert_null((*m)[i].name_latn);
        assert_true((*m)[i].identity.len > 0);
        assert_int_equal(member_fetch(&cx, (*m)[i].id, &o), ERR_OK);
        assert_int_equal(o.returnee_any, o.returnee != NULL);
        member_rec_free(&(*m)[i]);
        (*m)[i] = o;
    }
}

static void test_groups_and_members(void **state)
{
    struct world *w = *state;
    size_t total = 0, returnees = 0, women = 0, trainers = 0;

    assert_int_equal(count_groups(w->c), DEMO_GROUPS);
    /* The directory: every demo service, each in Siem Reap (17). */
    struct service_rec *svc = NULL;
    size_t nsvc = 0;
    assert_int_equal(store_service_list(w->c, NULL, &svc, &nsvc), ERR_OK);
    assert_int_equal(nsvc, demo_nservices);
    for (size_t i = 0; i < nsvc; i++) {
        assert_non_null(strstr(svc[i].areas, "\"17"));
        assert_int_equal(strncmp(svc[i].location_code, "17", 2), 0);
    }
    service_list_free(svc, nsvc);
    /* The fictional sample list of agencies, some of them with licences
     * that have run out (as of 2026-12-01). */
    struct agency_rec *ag = NULL;
    size_t nag = 0, lic = 0;
    assert_int_equal(store_agency_on(w->c, "2026-12-01", NULL, 0, &ag, &nag), ERR_OK);
    assert_int_equal(nag, 12);
    for (size_t i = 0; i < nag; i++) {
        assert_non_null(strstr(ag[i].name_en, "(Fictional)"));
        assert_string_equal(ag[i].source_date, "2026-01-15");
        lic += ag[i].licensed;
    }
    agency_list_free(ag, nag);
    assert_true(lic > 0 && lic < nag);
    for (int g = 0; g < DEMO_GROUPS; g++) {
        char gid[ID_SIZE];
        struct member_rec *m = NULL;
        size_t n = 0;
        int reps = 0;

        group_id_of(w->c, g, gid);
        members_opened(w->c, w->key, gid, &m, &n);
        assert_in_range(n, 15, 25);
        for (size_t i = 0; i < n; i++) {
            /* A Khmer name in Khmer script (U+1780..U+17FF: E1 9E/9F ..) and
             * a Latin one. */
            assert_true((unsigned char)m[i].name_km[0] == 0xE1);
            assert_true(m[i].name_latn[0] >= 'A' && m[i].name_latn[0] <= 'Z');
            assert_in_range(m[i].birth_year, 1965, 2004);
            assert_true(m[i].active);
            reps += strstr(m[i].network_roles, "\"representative\"") != NULL;
            trainers += strstr(m[i].network_roles, "\"trainer\"") != NULL;
            returnees += m[i].returnee != NULL;
            women += strcmp(m[i].sex, "female") == 0;
        }
        assert_int_equal(reps, 1);
        total += n;
        member_list_free(m, n);
    }
    assert_in_range(total, 150, 170);
    assert_in_range(trainers, 2, 8);
    assert_in_range(returnees, total * 35 / 100, total * 65 / 100);
    assert_true(women >= total * 9 / 10);
}

static void test_users(void **state)
{
    struct world *w = *state;

    assert_int_equal(count_users(w->c), demo_nusers);
    for (size_t u = 0; u < demo_nusers; u++) {
        const struct demo_user *du = &demo_users[u];
        struct user_rec r = {0};
        struct org_rec org = {0};
        char *hash = NULL;

        assert_int_equal(store_user_by_username(w->c, du->username, &r, &hash), ERR_OK);
        assert_string_equal(r.role, du->role);
        assert_int_equal(store_org_get(w->c, r.organization_id, &org), ERR_OK);
        assert_string_equal(org.kind, strcmp(du->role, "provider") == 0 ? "provider" : "ngo");
        if (du->group > 0) {
            char gid[ID_SIZE];
            group_id_of(w->c, du->group - 1, gid);
            assert_string_equal(r.group_id, gid);
        } else {
            assert_string_equal(r.group_id, "");
        }
        org_rec_free(&org);
        user_rec_free(&r);
        free(hash);
    }

    /* The users the issue names, by name. */
    const char *names[] = {"admin",   "supervisor", "caseworker1", "caseworker2",
                           "analyst", "shelter",    "legal",       "counsel",
                           "rep1",    "rep8",       "member1",     "member8"};
    const char *roles[] = {"admin",          "supervisor",     "caseworker", "caseworker",
                           "analyst",        "provider",       "provider",   "provider",
                           "representative", "representative", "member",     "member"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        struct user_rec r = {0};
        char *hash = NULL;
        assert_int_equal(store_user_by_username(w->c, names[i], &r, &hash), ERR_OK);
        assert_string_equal(r.role, roles[i]);
        user_rec_free(&r);
        free(hash);
    }

    /* rep1 leads the group in Puok commune. */
    struct user_rec rep1 = {0};
    struct group_rec g1 = {0};
    char *hash = NULL;
    assert_int_equal(store_user_by_username(w->c, "rep1", &rep1, &hash), ERR_OK);
    assert_int_equal(store_group_get(w->c, rep1.group_id, &g1), ERR_OK);
    assert_string_equal(g1.location_code, "170710");
    group_rec_free(&g1);
    user_rec_free(&rep1);
    free(hash);
}

static bool code_ok(const char *code, const char *prefix)
{
    size_t n = strlen(code);
    if (n != 13 || strncmp(code, prefix, 4) != 0 || code[8] != '-')
        return false;
    for (size_t i = 4; i < 8; i++)
        if (code[i] < '0' || code[i] > '9')
            return false;
    for (size_t i = 9; i < 13; i++)
        if (code[i] < '0' || code[i] > '9')
            return false;
    return true;
}

static void test_cases(void **state)
{
    struct world *w = *state;
    struct case_filter f = {.limit = 501};
    struct case_rec *cases = NULL;
    size_t n = 0, urgent = 0;
    int per_group[DEMO_GROUPS] = {0};
    char gids[DEMO_GROUPS][ID_SIZE];

    for (int g = 0; g < DEMO_GROUPS; g++)
        group_id_of(w->c, g, gids[g]);
    assert_int_equal(store_case_list(w->c, &f, &cases, &n), ERR_OK);
    assert_int_equal(n, DEMO_CASES);
    assert_true(n >= 30);
    for (size_t i = 0; i < n; i++) {
        int g = -1;
        for (int j = 0; j < DEMO_GROUPS; j++)
            if (strcmp(cases[i].group_id, gids[j]) == 0)
                g = j;
        assert_true(g >= 0);
        per_group[g]++;
        const char *prefix = strcmp(demo_groups[g].district, "1707") == 0 ? "PUK-" : "KRL-";
        if (!code_ok(cases[i].code, prefix))
            fail_msg("case code %s, expected %s-YYYY-NNNN", cases[i].code, prefix);
        const struct place *v = places_get(w->places, cases[i].location_code);
        assert_non_null(v);
        assert_string_equal(v->parent, demo_groups[g].commune);
        assert_true(cases[i].nconcerns >= 1);
        urgent += cases[i].urgent;
        for (size_t j = 0; j < i; j++)
            assert_string_not_equal(cases[i].code, cases[j].code);
    }
    for (int g = 0; g < DEMO_GROUPS; g++)
        assert_true(per_group[g] >= 3);
    assert_true(urgent > 0 && urgent < n);
    case_list_free(cases, n);
}

/* DEMO_TRAININGS trainings in the past: one by the supervisor, one of
 * police by an outside trainer (sealed), a cascade training by every
 * trainer, one by every representative; every participant of the
 * organization's groups or an outside person. */
static void test_trainings(void **state)
{
    struct world *w = *state;
    struct training_filter f = {.limit = 501};
    struct training_rec *items = NULL;
    size_t n = 0;
    int cascade = 0, outside = 0, by_user = 0, by_member = 0;
    char today[DATE_SIZE];
    clock_today(today);
    assert_int_equal(store_training_list(w->c, &f, &items, &n), ERR_OK);
    assert_int_equal(n, DEMO_TRAININGS);
    for (size_t i = 0; i < n; i++) {
        assert_true(strcmp(items[i].date, today) < 0);
        if (items[i].facilitator_trainer) {
            assert_string_equal(items[i].audience, "representatives");
            cascade++;
        }
        if (items[i].facilitator_outside.len > 0) {
            assert_string_equal(items[i].audience, "police");
            outside++;
        }
        by_user += items[i].facilitator_user_id[0] != '\0';
        by_member += items[i].facilitator_member_id[0] != '\0';
        struct participant_rec *parts = NULL;
        size_t np = 0;
        assert_int_equal(store_training_participants(w->c, items[i].id, &parts, &np), ERR_OK);
        assert_int_equal((int)np, items[i].nparticipants);
        assert_true(np > 0);
        participant_list_free(parts, np);
    }
    assert_int_equal(cascade, DEMO_GROUPS / 2);
    assert_int_equal(outside, 1);
    assert_int_equal(by_user, 1);
    assert_int_equal(by_member, DEMO_GROUPS / 2 + DEMO_GROUPS);
    training_list_free(items, n);
}

/* DEMO_OUTREACH_PER_GROUP sessions per group, in the group's villages, in
 * the past, by the group's representative and member user, newest first. */
static void test_outreach(void **state)
{
    struct world *w = *state;
    struct outreach_filter f = {.limit = 501};
    struct outreach_rec *items = NULL;
    size_t n = 0;
    int per_group[DEMO_GROUPS] = {0};
    char gids[DEMO_GROUPS][ID_SIZE], today[DATE_SIZE];

    clock_today(today);
    for (int g = 0; g < DEMO_GROUPS; g++)
        group_id_of(w->c, g, gids[g]);
    assert_int_equal(store_outreach_list(w->c, &f, &items, &n), ERR_OK);
    assert_int_equal(n, DEMO_GROUPS * DEMO_OUTREACH_PER_GROUP);
    for (size_t i = 0; i < n; i++) {
        int g = -1;
        for (int j = 0; j < DEMO_GROUPS; j++)
            if (strcmp(items[i].group_id, gids[j]) == 0)
                g = j;
        assert_true(g >= 0);
        per_group[g]++;
        const struct place *v = places_get(w->places, items[i].location_code);
        assert_non_null(v);
        assert_int_equal(v->level, PLACE_VILLAGE);
        assert_string_equal(v->parent, demo_groups[g].commune);
        assert_true(strcmp(items[i].date, today) < 0);
        assert_true(i == 0 || strcmp(items[i - 1].date, items[i].date) >= 0);
        assert_true(items[i].under_18 <= items[i].female + items[i].male);
        assert_true(items[i].female > 0);
        assert_non_null(items[i].topics);
        assert_true(strlen(items[i].topics) > 2); /* not [] */
        struct user_rec u = {0};
        assert_int_equal(store_user_get(w->c, items[i].recorded_by, &u), ERR_OK);
        assert_string_equal(u.group_id, gids[g]);
        assert_true(strcmp(u.role, "representative") == 0 || strcmp(u.role, "member") == 0);
        user_rec_free(&u);
    }
    for (int g = 0; g < DEMO_GROUPS; g++)
        assert_int_equal(per_group[g], DEMO_OUTREACH_PER_GROUP);
    outreach_list_free(items, n);
}

/* DEMO_ADVICE_PER_GROUP advice records per group, by the group's
 * representative and member user, each person sealed; some with warnings
 * (stored codes), some without, and follow-ups due in every group. */
static void test_advice(void **state)
{
    struct world *w = *state;
    struct advice_filter f = {.limit = 501};
    struct advice_rec *items = NULL;
    size_t n = 0;
    int per_group[DEMO_GROUPS] = {0}, due_per_group[DEMO_GROUPS] = {0};
    int with_warnings = 0, without = 0, minors = 0, unlicensed = 0;
    char gids[DEMO_GROUPS][ID_SIZE], today[DATE_SIZE];

    clock_today(today);
    for (int g = 0; g < DEMO_GROUPS; g++)
        group_id_of(w->c, g, gids[g]);
    assert_int_equal(store_advice_list(w->c, &f, &items, &n), ERR_OK);
    assert_int_equal(n, DEMO_GROUPS * DEMO_ADVICE_PER_GROUP);
    for (size_t i = 0; i < n; i++) {
        int g = -1;
        for (int j = 0; j < DEMO_GROUPS; j++)
            if (strcmp(items[i].group_id, gids[j]) == 0)
                g = j;
        assert_true(g >= 0);
        per_group[g]++;
        assert_true(strcmp(items[i].date, today) < 0);
        assert_true(items[i].person.len > 0);
        assert_non_null(items[i].warnings);
        if (strcmp(items[i].warnings, "[]") == 0)
            without++;
        else
            with_warnings++;
        if (strstr(items[i].warnings, "\"minor\"") != NULL)
            minors++;
        if (strstr(items[i].warnings, "\"unlicensed_agency\"") != NULL) {
            unlicensed++;
            assert_true(items[i].agency_id[0] != '\0');
        }
        if (items[i].follow_up_on[0] != '\0' && strcmp(items[i].follow_up_on, today) <= 0)
            due_per_group[g]++;
        struct user_rec u = {0};
        assert_int_equal(store_user_get(w->c, items[i].recorded_by, &u), ERR_OK);
        assert_string_equal(u.group_id, gids[g]);
        assert_true(strcmp(u.role, "representative") == 0 || strcmp(u.role, "member") == 0);
        user_rec_free(&u);
    }
    for (int g = 0; g < DEMO_GROUPS; g++) {
        assert_int_equal(per_group[g], DEMO_ADVICE_PER_GROUP);
        assert_int_equal(due_per_group[g], 2);
    }
    assert_int_equal(without, DEMO_GROUPS);
    assert_int_equal(with_warnings, 2 * DEMO_GROUPS);
    assert_int_equal(minors, DEMO_GROUPS);
    assert_int_equal(unlicensed, DEMO_GROUPS);
    advice_list_free(items, n);
}

/* The case work of docs/demo.md, by each case's place in the order the
 * cases were reported: cases 0..31 but every fourth are assigned (to
 * caseworker1 for n % 8 < 4, else caseworker2); n % 5 == 2 have their
 * closure requested and n % 12 == 1 are closed; the rest wait, reported. */
static int by_created(const void *a, const void *b)
{
    const struct case_rec *x = a, *y = b;
    return strcmp(x->created_at, y->created_at);
}

static const char *user_id_of(struct world *w, const char *username)
{
    static char id[ID_SIZE];
    struct user_rec u = {0};
    char *hash = NULL;
    assert_int_equal(store_user_by_username(w->c, username, &u, &hash), ERR_OK);
    snprintf(id, sizeof id, "%s", u.id);
    user_rec_free(&u);
    free(hash);
    return id;
}

static void test_case_work(void **state)
{
    struct world *w = *state;
    struct case_filter f = {.limit = 501};
    struct case_rec *cases = NULL;
    size_t n = 0;
    char cw1[ID_SIZE], cw2[ID_SIZE];
    int statuses[4] = {0}, with_incident = 0, with_screening = 0, overdue = 0;
    int referral_statuses[5] = {0};

    snprintf(cw1, sizeof cw1, "%s", user_id_of(w, "caseworker1"));
    snprintf(cw2, sizeof cw2, "%s", user_id_of(w, "caseworker2"));
    assert_int_equal(store_case_list(w->c, &f, &cases, &n), ERR_OK);
    assert_int_equal(n, DEMO_CASES);
    qsort(cases, n, sizeof cases[0], by_created);
    for (int i = 0; i < (int)n; i++) {
        const struct case_rec *c = &cases[i];
        bool worked = i < 32 && i % 4 != 3;
        const char *want = !worked       ? "reported"
                           : i % 12 == 1 ? "closed"
                           : i % 5 == 2  ? "closure_requested"
                                         : "open";
        if (strcmp(c->status, want) != 0)
            fail_msg("case %d (%s): status %s, expected %s", i, c->code, c->status, want);
        assert_string_equal(c->assigned_to, !worked ? "" : i % 8 < 4 ? cw1 : cw2);
        statuses[code_parse(LIST_STATUS, c->status)]++;
        struct incident_rec *inc = NULL;
        struct screening_rec *scr = NULL;
        struct task_rec *tasks = NULL;
        size_t ni = 0, ns = 0, nt = 0;
        assert_int_equal(store_incident_list(w->c, c->id, &inc, &ni), ERR_OK);
        assert_int_equal(store_screening_list(w->c, c->id, &scr, &ns), ERR_OK);
        assert_int_equal(store_task_list(w->c, c->id, &tasks, &nt), ERR_OK);
        with_incident += ni > 0;
        with_screening += ns > 0;
        assert_int_equal(nt, worked ? 1 : 0);
        for (size_t t = 0; t < nt; t++)
            overdue += !tasks[t].done && i % 5 == 0;
        incident_list_free(inc, ni);
        screening_list_free(scr, ns);
        task_list_free(tasks, nt);
        /* Every other worked case is referred, with its two consents. */
        struct referral_filter rf = {.case_id = c->id, .limit = 501};
        struct referral_rec *refs = NULL;
        struct consent_rec *cons = NULL;
        size_t nr = 0, nc = 0;
        assert_int_equal(store_referral_list(w->c, &rf, &refs, &nr), ERR_OK);
        assert_int_equal(store_consent_list(w->c, c->id, &cons, &nc), ERR_OK);
        assert_int_equal(nr, worked && i % 2 == 0 ? 1 : 0);
        assert_int_equal(nc, 2 * nr);
        for (size_t k = 0; k < nr; k++)
            referral_statuses[code_parse(LIST_REFERRAL_STATUS, refs[k].status)]++;
        referral_list_free(refs, nr);
        consent_list_free(cons, nc);
    }
    /* Some wait in the providers' inboxes, some were accepted, some completed. */
    assert_true(referral_statuses[0] > 0 && referral_statuses[1] > 0 && referral_statuses[3] > 0);
    for (int s = 0; s < 4; s++)
        assert_true(statuses[s] > 0); /* every status is in the demo */
    assert_true(with_incident > 0);
    assert_true(with_screening > 0);
    assert_true(overdue > 0);
    case_list_free(cases, n);
}

/* What survivors knew: the trafficking and forced-labour cases name the
 * agency that sent them (FIC-008, FIC-005 for n mod 3 = 2) and every one
 * is screened with indicators, so FIC-008's page shows its figure (7 cases,
 * at the default k of 5) and FIC-005's is suppressed (1). */
static void test_agency_figures(void **state)
{
    struct world *w = *state;
    struct screening_catalog *cat = NULL;
    char *msg = NULL;
    assert_int_equal(screening_catalog_load(&cat, &msg), ERR_OK);
    struct ctx cx = {
        .db = w->c, .key = w->key, .places = w->places, .screening = cat, .local_operator = true};
    static const struct {
        const char *licence;
        int cases;
    } want[] = {{"FIC-008", 7}, {"FIC-005", 1}, {"FIC-001", 0}};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        struct agency_rec a = {0};
        struct agency_indicators fig = {0};
        struct screening_rec *scr = NULL;
        size_t ns = 0;
        assert_int_equal(store_agency_by_licence(w->c, want[i].licence, &a), ERR_OK);
        assert_int_equal(store_screening_latest_by_agency(w->c, a.id, &scr, &ns), ERR_OK);
        assert_int_equal((int)ns, want[i].cases);
        screening_list_free(scr, ns);
        assert_int_equal(agency_indicator_counts(&cx, a.id, &fig), ERR_OK);
        assert_int_equal(fig.total.k, 5);
        assert_int_equal(fig.total.suppressed, want[i].cases > 0 && want[i].cases < 5);
        assert_int_equal(fig.total.value, want[i].cases >= 5 ? want[i].cases : 0);
        agency_indicators_free(&fig);
        agency_rec_free(&a);
    }
    screening_catalog_free(cat);
}

static void test_every_user_signs_in(void **state)
{
    struct world *w = *state;

    for (size_t u = 0; u < demo_nusers; u++) {
        char token[TOKEN_SIZE];
        struct actor a = {0};
        enum err e = auth_login(w->c, w->key, demo_users[u].username, PASSWORD, ADDR, SESSION_API,
                                token, &a);
        if (e != ERR_OK)
            fail_msg("%s cannot sign in: %s", demo_users[u].username, err_code(e));
        assert_string_equal(a.user.username, demo_users[u].username);
        actor_free(&a);
    }
}

static void test_second_run_refused(void **state)
{
    struct world *w = *state;
    size_t users = count_users(w->c);
    char *msg = NULL;

    assert_int_equal(demo_populate(w->c, w->key, w->places, PASSWORD, NULL, &msg), ERR_CONFLICT);
    assert_non_null(msg);
    free(msg);
    msg = NULL;
    assert_int_equal(count_users(w->c), users);
    assert_int_equal(count_groups(w->c), DEMO_GROUPS);
    assert_int_equal(count_services(w->c), demo_nservices);

    /* Generated passwords with nowhere to go: refused before anything. */
    assert_int_not_equal(demo_populate(w->c, w->key, w->places, NULL, NULL, &msg), ERR_OK);
    assert_non_null(msg);
    free(msg);
}

static void test_short_password_refused(void **state)
{
    (void)state;
    struct world *w = world_new();
    char *msg = NULL;

    assert_int_equal(demo_populate(w->c, w->key, w->places, "short", NULL, &msg), ERR_VALIDATION);
    assert_non_null(msg);
    free(msg);
    assert_int_equal(count_users(w->c), 0);
    assert_int_equal(count_groups(w->c), 0);
    assert_int_equal(count_services(w->c), 0);
    world_free(w);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The names of group g's members, sorted, joined into one string. */
static char *member_names(struct store_conn *c, const struct datakey *k, int g)
{
    char gid[ID_SIZE];
    struct member_rec *m = NULL;
    size_t n = 0;
    char *out;
    size_t len = 1;

    group_id_of(c, g, gid);
    members_opened(c, k, gid, &m, &n);
    for (size_t i = 0; i < n; i++)
        len += strlen(m[i].name_latn) + strlen(m[i].name_km) + 2;
    const char **names = calloc(n + 1, sizeof *names);
    assert_non_null(names);
    for (size_t i = 0; i < n; i++)
        names[i] = m[i].name_latn;
    qsort(names, n, sizeof *names, cmp_str);
    out = calloc(1, len);
    assert_non_null(out);
    for (size_t i = 0; i < n; i++) {
        strcat(out, names[i]);
        strcat(out, ";");
    }
    free(names);
    member_list_free(m, n);
    return out;
}

static void test_generated_passwords(void **state)
{
    struct world *given = *state;
    struct world *w = world_new();
    char *buf = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&buf, &size);
    char *msg = NULL;
    size_t lines = 0;

    assert_non_null(out);
    enum err e = demo_populate(w->c, w->key, w->places, NULL, out, &msg);
    if (e != ERR_OK)
        fprintf(stderr, "demo_populate: %s\n", msg ? msg : "?");
    free(msg);
    assert_int_equal(e, ERR_OK);
    fclose(out);

    /* One "username<TAB>password" line per user, in demo_users order. */
    char *save = NULL;
    char rep1_password[64] = "";
    char *first_password = NULL;
    for (char *line = strtok_r(buf, "\n", &save); line != NULL;
         line = strtok_r(NULL, "\n", &save)) {
        char *tab = strchr(line, '\t');
        assert_non_null(tab);
        *tab = '\0';
        assert_true(lines < demo_nusers);
        assert_string_equal(line, demo_users[lines].username);
        assert_true(strlen(tab + 1) >= 12);
        assert_null(strchr(tab + 1, '\t'));
        if (first_password == NULL)
            first_password = tab + 1;
        else
            assert_string_not_equal(first_password, tab + 1);
        if (strcmp(line, "rep1") == 0)
            snprintf(rep1_password, sizeof rep1_password, "%s", tab + 1);
        lines++;
    }
    assert_int_equal(lines, demo_nusers);

    char token[TOKEN_SIZE];
    struct actor a = {0};
    assert_int_equal(auth_login(w->c, w->key, "rep1", rep1_password, ADDR, SESSION_WEB, token, &a),
                     ERR_OK);
    actor_free(&a);
    assert_int_equal(auth_login(w->c, w->key, "rep2", rep1_password, ADDR, SESSION_WEB, token, &a),
                     ERR_UNAUTHENTICATED);

    /* The same content as the other run: only passwords are random. */
    for (int g = 0; g < DEMO_GROUPS; g++) {
        char *x = member_names(given->c, given->key, g);
        char *y = member_names(w->c, w->key, g);
        assert_string_equal(x, y);
        free(x);
        free(y);
    }

    explicit_bzero(buf, size);
    free(buf);
    world_free(w);
}

int main(void)
{
    test_audit_keys();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_data_tables),
        cmocka_unit_test(test_groups_and_members),
        cmocka_unit_test(test_users),
        cmocka_unit_test(test_cases),
        cmocka_unit_test(test_case_work),
        cmocka_unit_test(test_outreach),
        cmocka_unit_test(test_trainings),
        cmocka_unit_test(test_advice),
        cmocka_unit_test(test_agency_figures),
        cmocka_unit_test(test_every_user_signs_in),
        cmocka_unit_test(test_second_run_refused),
        cmocka_unit_test(test_short_password_refused),
        cmocka_unit_test(test_generated_passwords),
    };
    log_quiet(1);
    if (!crypto_init())
        return 1;
    return cmocka_run_group_tests(tests, setup_demo, teardown_demo);
}
