/* Outreach sessions (domain/outreach.h): the rules of a session's fields
 * and who records and lists which group's sessions. */
#include "audit_fixture.h"
#include "domain/outreach.h"
#include "domain_fixture.h"

/* Every session in the store, as the operator lists them. */
static size_t count_all(struct fx *f)
{
    struct outreach_rec *items = NULL;
    size_t n = 0;
    char next[CURSOR_SIZE];
    struct fielderrs fe = {0};
    struct outreach_query q = {.limit = 500};
    assert_int_equal(outreach_list(&f->op, &q, &items, &n, next, &fe), ERR_OK);
    outreach_list_free(items, n);
    return n;
}

/* A good session of group, on date, with female, male, under_18. */
static void good(struct outreach_in *in, const char *group, const char *date)
{
    outreach_in_init(in);
    in->date = date;
    in->location_code = PUOK_CHAS;
    in->group_id = group;
    in->topics[0] = "safe_migration";
    in->topics[1] = "labour_rights";
    in->ntopics = 2;
    in->has_attendance = true;
    in->attendance.female = 12;
    in->attendance.male = 3;
    in->attendance.under_18 = 4;
}

static void test_a_representative_records_for_her_group(void **state)
{
    struct fx *f = *state;
    struct actor rep;
    struct outreach_in in;
    struct outreach_rec r = {0};
    struct fielderrs fe = {0};
    fx_actor(f, "representative", f->org, f->group1, &rep);
    struct ctx cx = fx_ctx(f, &rep);
    good(&in, f->group1, "2026-01-15");
    assert_int_equal(outreach_create(&cx, &in, &r, &fe), ERR_OK);
    assert_string_equal(r.group_id, f->group1);
    assert_string_equal(r.date, "2026-01-15");
    assert_string_equal(r.location_code, PUOK_CHAS);
    assert_string_equal(r.topics, "[\"safe_migration\",\"labour_rights\"]");
    assert_int_equal(r.female, 12);
    assert_int_equal(r.male, 3);
    assert_int_equal(r.under_18, 4);
    assert_string_equal(r.recorded_by, rep.user.id);
    assert_string_equal(r.organization_id, f->org);
    assert_int_equal(r.version, 1);
    outreach_rec_free(&r);
    actor_free(&rep);
}

static void test_rules(void **state)
{
    struct fx *f = *state;
    struct actor rep;
    struct outreach_in in;
    struct outreach_rec r = {0};
    fx_actor(f, "representative", f->org, f->group1, &rep);
    struct ctx cx = fx_ctx(f, &rep);
    size_t before = count_all(f);
    char tomorrow[DATE_SIZE], ts[TS_SIZE];
    clock_rfc3339(clock_now() + 2 * 86400, ts);
    snprintf(tomorrow, sizeof tomorrow, "%.10s", ts);
    static const struct {
        const char *field;
        int what;
    } cases[] = {
        {"date", 0},                 /* absent */
        {"date", 1},                 /* not a date */
        {"date", 2},                 /* before 2000 */
        {"date", 3},                 /* in the future */
        {"location_code", 4},        /* a commune, not a village */
        {"location_code", 5},        /* unknown */
        {"topics", 6},               /* none */
        {"topics", 7},               /* not a topic */
        {"topics", 8},               /* twice */
        {"attendance", 9},           /* absent */
        {"attendance.female", 10},   /* negative */
        {"attendance.male", 11},     /* too many */
        {"attendance.under_18", 12}, /* more than female + male */
        {"attendance.under_18", 13}, /* absent */
        {"group_id", 14},            /* absent */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct fielderrs fe = {0};
        good(&in, f->group1, "2026-01-15");
        switch (cases[i].what) {
        case 0:
            in.date = NULL;
            break;
        case 1:
            in.date = "2026-02-30";
            break;
        case 2:
            in.date = "1999-12-31";
            break;
        case 3:
            in.date = tomorrow;
            break;
        case 4:
            in.location_code = PUOK_COMMUNE;
            break;
        case 5:
            in.location_code = "99999999";
            break;
        case 6:
            in.ntopics = 0;
            break;
        case 7:
            in.topics[1] = "cooking";
            break;
        case 8:
            in.topics[1] = "safe_migration";
            break;
        case 9:
            in.has_attendance = false;
            fields_init(&outreach_fields, &in);
            break;
        case 10:
            in.attendance.female = -2;
            break;
        case 11:
            in.attendance.male = 10001;
            break;
        case 12:
            in.attendance.under_18 = 16;
            break;
        case 13:
            in.attendance.under_18 = -1;
            break;
        case 14:
            in.group_id = NULL;
            break;
        }
        assert_int_equal(outreach_create(&cx, &in, &r, &fe), ERR_VALIDATION);
        if (fielderr_get(&fe, cases[i].field) == NULL)
            fail_msg("case %zu: no error on %s", i, cases[i].field);
    }
    /* The bounds themselves are fine: 2000-01-01, 0, 10000, under_18 = female + male. */
    struct fielderrs fe = {0};
    good(&in, f->group1, "2000-01-01");
    in.attendance.female = 0;
    in.attendance.male = 10000;
    in.attendance.under_18 = 10000;
    assert_int_equal(outreach_create(&cx, &in, &r, &fe), ERR_OK);
    outreach_rec_free(&r);
    char today[DATE_SIZE];
    clock_today(today);
    good(&in, f->group1, today);
    assert_int_equal(outreach_create(&cx, &in, &r, &fe), ERR_OK);
    outreach_rec_free(&r);
    assert_int_equal(count_all(f), before + 2);
    actor_free(&rep);
}

static void test_another_groups_is_not_found(void **state)
{
    struct fx *f = *state;
    struct actor rep, mem, cw, cw2;
    struct outreach_in in;
    struct outreach_rec r = {0};
    struct fielderrs fe = {0};
    fx_actor(f, "representative", f->org, f->group1, &rep);
    fx_actor(f, "member", f->org, f->group1, &mem);
    fx_actor(f, "caseworker", f->org, NULL, &cw);
    fx_actor(f, "caseworker", f->org2, NULL, &cw2);
    size_t before = count_all(f);
    struct ctx rc = fx_ctx(f, &rep), mc = fx_ctx(f, &mem), cc = fx_ctx(f, &cw),
               c2 = fx_ctx(f, &cw2);
    /* group 2 is of the same organization, group 3 of another */
    good(&in, f->group2, "2026-01-10");
    assert_int_equal(outreach_create(&rc, &in, &r, &fe), ERR_NOT_FOUND);
    assert_int_equal(outreach_create(&mc, &in, &r, &fe), ERR_NOT_FOUND);
    /* even when something else is wrong too */
    in.attendance.under_18 = 999;
    assert_int_equal(outreach_create(&rc, &in, &r, &fe), ERR_NOT_FOUND);
    good(&in, "zzzzzzzzzzzzzzzzzzzz", "2026-01-10");
    assert_int_equal(outreach_create(&rc, &in, &r, &fe), ERR_NOT_FOUND);
    good(&in, f->group3, "2026-01-10");
    assert_int_equal(outreach_create(&cc, &in, &r, &fe), ERR_NOT_FOUND);
    assert_int_equal(count_all(f), before);
    /* a member records for her own group, a caseworker for her organization's */
    good(&in, f->group1, "2026-01-11");
    assert_int_equal(outreach_create(&mc, &in, &r, &fe), ERR_OK);
    outreach_rec_free(&r);
    good(&in, f->group2, "2026-01-12");
    assert_int_equal(outreach_create(&cc, &in, &r, &fe), ERR_OK);
    outreach_rec_free(&r);
    good(&in, f->group3, "2026-01-13");
    assert_int_equal(outreach_create(&c2, &in, &r, &fe), ERR_OK);
    outreach_rec_free(&r);
    assert_int_equal(count_all(f), before + 3);
    actor_free(&rep);
    actor_free(&mem);
    actor_free(&cw);
    actor_free(&cw2);
}

static void test_roles_that_record_none(void **state)
{
    struct fx *f = *state;
    const char *roles[] = {"provider", "analyst", "admin"};
    for (size_t i = 0; i < 3; i++) {
        struct actor a;
        struct outreach_in in;
        struct outreach_rec r = {0};
        struct fielderrs fe = {0};
        fx_actor(f, roles[i], i == 0 ? f->porg : i == 1 ? f->org : NULL, NULL, &a);
        struct ctx cx = fx_ctx(f, &a);
        good(&in, f->group1, "2026-01-10");
        assert_int_equal(outreach_create(&cx, &in, &r, &fe), ERR_FORBIDDEN);
        actor_free(&a);
    }
}

/* The groups of the sessions listed by the actor. */
static bool lists_only(struct fx *f, const struct actor *a, const char *const *groups, size_t ng,
                       enum err want)
{
    struct ctx cx = fx_ctx(f, a);
    struct outreach_rec *items = NULL;
    size_t n = 0;
    char next[CURSOR_SIZE];
    struct fielderrs fe = {0};
    struct outreach_query q = {.limit = 500};
    enum err e = outreach_list(&cx, &q, &items, &n, next, &fe);
    if (e != want)
        return false;
    bool seen[3] = {false, false, false};
    for (size_t i = 0; i < n; i++) {
        size_t k;
        for (k = 0; k < ng && strcmp(items[i].group_id, groups[k]) != 0; k++)
            ;
        if (k == ng)
            return outreach_list_free(items, n), false;
        seen[k] = true;
    }
    outreach_list_free(items, n);
    for (size_t k = 0; k < ng; k++)
        if (!seen[k])
            return false;
    return true;
}

static void test_who_lists_what(void **state)
{
    struct fx *f = *state;
    struct actor a;
    struct outreach_in in;
    struct outreach_rec r = {0};
    struct fielderrs fe = {0};
    /* one session in each group at least */
    const char *gs[] = {f->group1, f->group2, f->group3};
    for (int g = 0; g < 3; g++) {
        good(&in, gs[g], "2026-02-01");
        assert_int_equal(outreach_create(&f->op, &in, &r, &fe), ERR_OK);
        assert_string_equal(r.recorded_by, "");
        outreach_rec_free(&r);
    }
    const char *g1[] = {f->group1}, *org[] = {f->group1, f->group2},
               *all[] = {f->group1, f->group2, f->group3};
    fx_actor(f, "member", f->org, f->group1, &a);
    assert_true(lists_only(f, &a, g1, 1, ERR_OK));
    actor_free(&a);
    fx_actor(f, "representative", f->org, f->group1, &a);
    assert_true(lists_only(f, &a, g1, 1, ERR_OK));
    /* naming group 2 is not found */
    struct ctx cx = fx_ctx(f, &a);
    struct outreach_rec *items = NULL;
    size_t n = 0;
    char next[CURSOR_SIZE];
    struct outreach_query q = {.group_id = f->group2};
    assert_int_equal(outreach_list(&cx, &q, &items, &n, next, &fe), ERR_NOT_FOUND);
    actor_free(&a);
    fx_actor(f, "caseworker", f->org, NULL, &a);
    assert_true(lists_only(f, &a, org, 2, ERR_OK));
    actor_free(&a);
    fx_actor(f, "supervisor", f->org, NULL, &a);
    assert_true(lists_only(f, &a, org, 2, ERR_OK));
    actor_free(&a);
    fx_actor(f, "admin", NULL, NULL, &a);
    assert_true(lists_only(f, &a, all, 3, ERR_OK));
    actor_free(&a);
    fx_actor(f, "provider", f->porg, NULL, &a);
    assert_true(lists_only(f, &a, NULL, 0, ERR_FORBIDDEN));
    actor_free(&a);
    fx_actor(f, "analyst", f->org, NULL, &a);
    assert_true(lists_only(f, &a, NULL, 0, ERR_FORBIDDEN));
    actor_free(&a);
}

static void test_list_order_filters_and_pages(void **state)
{
    struct fx *f = *state;
    struct actor cw;
    struct outreach_in in;
    struct outreach_rec r = {0};
    struct fielderrs fe = {0};
    fx_actor(f, "caseworker", f->org2, NULL, &cw);
    struct ctx cx = fx_ctx(f, &cw);
    /* group 3 (org2) gets five sessions on known dates, two on one day */
    const char *dates[] = {"2025-03-01", "2025-05-01", "2025-04-01", "2025-05-01", "2025-06-01"};
    char ids[5][ID_SIZE];
    for (int i = 0; i < 5; i++) {
        good(&in, f->group3, dates[i]);
        assert_int_equal(outreach_create(&cx, &in, &r, &fe), ERR_OK);
        memcpy(ids[i], r.id, ID_SIZE);
        outreach_rec_free(&r);
    }
    struct outreach_rec *items = NULL;
    size_t n = 0;
    char next[CURSOR_SIZE];
    struct outreach_query q = {
        .group_id = f->group3, .from = "2025-01-01", .to = "2025-12-31", .limit = 2};
    /* newest first: 06-01, then the 05-01 recorded last, then the other */
    const char *want[] = {ids[4], ids[3], ids[1], ids[2], ids[0]};
    size_t got = 0;
    for (int page = 0; page < 3; page++) {
        assert_int_equal(outreach_list(&cx, &q, &items, &n, next, &fe), ERR_OK);
        for (size_t i = 0; i < n; i++)
            assert_string_equal(items[i].id, want[got++]);
        outreach_list_free(items, n);
        if (next[0] == '\0')
            break;
        static char cur[CURSOR_SIZE];
        memcpy(cur, next, CURSOR_SIZE);
        q.cursor = cur;
    }
    assert_int_equal(got, 5);
    assert_string_equal(next, "");
    /* a date range */
    struct outreach_query q2 = {.from = "2025-04-01", .to = "2025-05-01"};
    assert_int_equal(outreach_list(&cx, &q2, &items, &n, next, &fe), ERR_OK);
    assert_int_equal(n, 3);
    outreach_list_free(items, n);
    /* bad filters */
    struct outreach_query bad = {.from = "2025-13-01", .to = "x", .cursor = "!!", .limit = 501};
    assert_int_equal(outreach_list(&cx, &bad, &items, &n, next, &fe), ERR_VALIDATION);
    assert_non_null(fielderr_get(&fe, "from"));
    assert_non_null(fielderr_get(&fe, "to"));
    assert_non_null(fielderr_get(&fe, "cursor"));
    assert_non_null(fielderr_get(&fe, "limit"));
    memset(&fe, 0, sizeof fe);
    struct outreach_query rev = {.from = "2025-05-01", .to = "2025-04-01"};
    assert_int_equal(outreach_list(&cx, &rev, &items, &n, next, &fe), ERR_VALIDATION);
    assert_non_null(fielderr_get(&fe, "to"));
    actor_free(&cw);
}

static void test_groups_offered(void **state)
{
    struct fx *f = *state;
    struct actor a;
    struct group_rec *items = NULL;
    size_t n = 0;
    fx_actor(f, "member", f->org, f->group2, &a);
    struct ctx cx = fx_ctx(f, &a);
    assert_int_equal(outreach_groups(&cx, &items, &n), ERR_OK);
    assert_int_equal(n, 1);
    assert_string_equal(items[0].id, f->group2);
    group_list_free(items, n);
    actor_free(&a);
    fx_actor(f, "supervisor", f->org, NULL, &a);
    cx = fx_ctx(f, &a);
    assert_int_equal(outreach_groups(&cx, &items, &n), ERR_OK);
    assert_int_equal(n, 2);
    group_list_free(items, n);
    actor_free(&a);
    fx_actor(f, "admin", NULL, NULL, &a);
    cx = fx_ctx(f, &a);
    assert_int_equal(outreach_groups(&cx, &items, &n), ERR_OK);
    assert_int_equal(n, 0);
    group_list_free(items, n);
    actor_free(&a);
}

int main(void)
{
    test_audit_keys();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_representative_records_for_her_group),
        cmocka_unit_test(test_rules),
        cmocka_unit_test(test_another_groups_is_not_found),
        cmocka_unit_test(test_roles_that_record_none),
        cmocka_unit_test(test_who_lists_what),
        cmocka_unit_test(test_list_order_filters_and_pages),
        cmocka_unit_test(test_groups_offered),
    };
    return cmocka_run_group_tests_name("outreach", tests, fx_setup, fx_teardown);
}
