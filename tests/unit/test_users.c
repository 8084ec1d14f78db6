/* Users: who may create and list them, and every field's validation,
 * against a real temporary store. */
#include "audit_fixture.h"
#include "domain/network.h"
#include "domain_fixture.h"

static void test_create_and_defaults(void **state)
{
    struct fx *f = *state;
    struct user_in in = {"sokha.k", "kep-crab-0716", "caseworker", NULL, f->org, NULL, NULL, NULL};
    struct user_rec u = {0};
    struct fielderrs fe = {0};
    assert_int_equal(user_create(&f->op, &in, &u, &fe), ERR_OK);
    assert_int_equal(strlen(u.id), ID_SIZE - 1);
    assert_string_equal(u.username, "sokha.k");
    assert_string_equal(u.role, "caseworker");
    assert_string_equal(u.display_name, "sokha.k");
    assert_string_equal(u.locale, "km");
    assert_string_equal(u.organization_id, f->org);
    assert_string_equal(u.group_id, "");
    assert_int_equal(u.version, 1);

    /* Stored, with a hash that verifies and is not the password. */
    struct user_rec got = {0};
    char *hash = NULL;
    assert_int_equal(store_user_by_username(f->op.db, "sokha.k", &got, &hash), ERR_OK);
    assert_string_equal(got.id, u.id);
    assert_true(crypto_password_verify(hash, "kep-crab-0716"));
    assert_null(strstr(hash, "kep-crab-0716"));
    free(hash);
    user_rec_free(&got);
    user_rec_free(&u);
}

static void test_password_length_in_code_points(void **state)
{
    struct fx *f = *state;
    struct user_rec u = {0};
    struct fielderrs fe = {0};
    /* 9 characters: refused. */
    struct user_in in = {"shortpw", "123456789", "analyst", NULL, NULL, NULL, NULL, NULL};
    assert_int_equal(user_create(&f->op, &in, &u, &fe), ERR_VALIDATION);
    assert_non_null(fielderr_get(&fe, "password"));
    /* 9 Khmer code points, 27 bytes: still too short. */
    memset(&fe, 0, sizeof fe);
    in.password = "\u1780\u1781\u1782\u1783\u1784\u1785\u1786\u1787\u1788";
    assert_int_equal(user_create(&f->op, &in, &u, &fe), ERR_VALIDATION);
    assert_non_null(fielderr_get(&fe, "password"));
    /* 10 Khmer code points: fine. */
    memset(&fe, 0, sizeof fe);
    in.password = "\u1780\u1781\u1782\u1783\u1784\u1785\u1786\u1787\u1788\u1789";
    assert_int_equal(user_create(&f->op, &in, &u, &fe), ERR_OK);
    user_rec_free(&u);
}

/* The policy: a common password (the bundled list, any case, with digits
 * or punctuation around it) or the username is refused; nothing written. */
static void test_password_policy(void **state)
{
    static const struct {
        const char *username, *password;
        enum password_verdict want;
    } cases[] = {
        {"okname", "basketball", PASSWORD_COMMON},     /* in the list */
        {"okname", "BasketBall", PASSWORD_COMMON},     /* any case */
        {"okname", "QWERTYUIOP", PASSWORD_COMMON},     /* any case */
        {"okname", "1234567890", PASSWORD_COMMON},     /* digits only, listed */
        {"okname", "Password123!", PASSWORD_COMMON},   /* "password" with an affix */
        {"okname", "!!iloveyou2024", PASSWORD_COMMON}, /* affixes on both sides */
        {"sokha.caseworker", "sokha.caseworker", PASSWORD_USERNAME},
        {"sokha.caseworker", "Sokha.Caseworker", PASSWORD_USERNAME},
        {"sokha.caseworker", "sokha.caseworker2026", PASSWORD_USERNAME},
        {"okname", "short", PASSWORD_TOO_SHORT},
        {"okname", "", PASSWORD_TOO_SHORT},
        {"okname", "kep-crab-0716", PASSWORD_OK},
        {"okname", "basketball court at noon", PASSWORD_OK}, /* a listed word inside */
        {"okname", "demo-password-1", PASSWORD_OK},
        {NULL, "kep-crab-0716", PASSWORD_OK},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        enum password_verdict got = password_judge(cases[i].username, cases[i].password);
        if (got != cases[i].want)
            fail_msg("%s / %s: verdict %d, want %d", cases[i].username ? cases[i].username : "-",
                     cases[i].password, (int)got, (int)cases[i].want);
    }

    struct fx *f = *state;
    struct user_rec u = {0}, got = {0};
    char *hash = NULL;
    const char *bad[][2] = {
        {"policy1", "Tinkerbell"}, {"policy2", "sunshine2024"}, {"policy3.long", "POLICY3.LONG"}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct fielderrs fe = {0};
        struct user_in in = {bad[i][0], bad[i][1], "analyst", NULL, NULL, NULL, NULL, NULL};
        assert_int_equal(user_create(&f->op, &in, &u, &fe), ERR_VALIDATION);
        assert_non_null(fielderr_get(&fe, "password"));
        assert_int_equal(fe.n, 1);
        assert_int_equal(store_user_by_username(f->op.db, bad[i][0], &got, &hash), ERR_NOT_FOUND);
    }
}

static void test_field_validation(void **state)
{
    struct fx *f = *state;
    struct user_rec u = {0};
    struct {
        struct user_in in;
        const char *field;
    } bad[] = {
        {{"", "kep-crab-0716", "analyst", NULL, NULL, NULL, NULL, NULL}, "username"},
        {{"Upper", "kep-crab-0716", "analyst", NULL, NULL, NULL, NULL, NULL}, "username"},
        {{"sp ace", "kep-crab-0716", "analyst", NULL, NULL, NULL, NULL, NULL}, "username"},
        {{"a123456789012345678901234567890123456789012345678901234567890123456", "kep-crab-0716",
          "analyst", NULL, NULL, NULL, NULL, NULL},
         "username"},
        {{"okname", "kep-crab-0716", "boss", NULL, NULL, NULL, NULL, NULL}, "role"},
        {{"okname", "kep-crab-0716", "member", NULL, NULL, NULL, NULL, NULL}, "group_id"},
        {{"okname", "kep-crab-0716", "representative", NULL, NULL, NULL, NULL, NULL}, "group_id"},
        {{"okname", "kep-crab-0716", "member", NULL, NULL, "nosuchgroup", NULL, NULL}, "group_id"},
        {{"okname", "kep-crab-0716", "analyst", NULL, "nosuchorg", NULL, NULL, NULL},
         "organization_id"},
        {{"okname", "kep-crab-0716", "analyst", NULL, NULL, NULL, "fr", NULL}, "locale"},
        {{"okname", "kep-crab-0716", "analyst", "", NULL, NULL, NULL, NULL}, "display_name"},
        {{"okname", "kep-crab-0716", "analyst", "bad\x01", NULL, NULL, NULL, NULL}, "display_name"},
        {{"okname", NULL, "analyst", NULL, NULL, NULL, NULL, NULL}, "password"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct fielderrs fe = {0};
        assert_int_equal(user_create(&f->op, &bad[i].in, &u, &fe), ERR_VALIDATION);
        if (fielderr_get(&fe, bad[i].field) == NULL)
            fail_msg("case %zu: no error for %s", i, bad[i].field);
    }
    /* Nothing was written. */
    struct user_rec got = {0};
    char *hash = NULL;
    assert_int_equal(store_user_by_username(f->op.db, "okname", &got, &hash), ERR_NOT_FOUND);
}

static void test_group_of_another_org_refused(void **state)
{
    struct fx *f = *state;
    struct user_rec u = {0};
    struct fielderrs fe = {0};
    struct user_in in = {"crossorg", "kep-crab-0716", "member", NULL,
                         f->org,     f->group3,       "en",     NULL};
    assert_int_equal(user_create(&f->op, &in, &u, &fe), ERR_VALIDATION);
    assert_non_null(fielderr_get(&fe, "group_id"));
    in.organization_id = f->org2;
    memset(&fe, 0, sizeof fe);
    assert_int_equal(user_create(&f->op, &in, &u, &fe), ERR_OK);
    assert_string_equal(u.locale, "en");
    assert_string_equal(u.group_id, f->group3);
    user_rec_free(&u);
}

static void test_username_taken(void **state)
{
    struct fx *f = *state;
    struct user_rec u = {0};
    struct fielderrs fe = {0};
    struct user_in in = {"twice", "kep-crab-0716", "analyst", NULL, NULL, NULL, NULL, NULL};
    assert_int_equal(user_create(&f->op, &in, &u, &fe), ERR_OK);
    user_rec_free(&u);
    assert_int_equal(user_create(&f->op, &in, &u, &fe), ERR_CONFLICT);
    assert_non_null(fielderr_get(&fe, "username"));
}

/* Staff belong to an organization of their kind; required text is more
 * than white space. */
static void test_staff_organization_and_blank_names(void **state)
{
    struct fx *f = *state;
    static const struct {
        const char *role;
        int org; /* 0 none, 1 NGO, 2 provider */
        bool ok;
    } cases[] = {
        {"caseworker", 0, false}, {"caseworker", 2, false}, {"caseworker", 1, true},
        {"supervisor", 0, false}, {"supervisor", 2, false}, {"supervisor", 1, true},
        {"provider", 0, false},   {"provider", 1, false},   {"provider", 2, true},
        {"analyst", 0, true},     {"admin", 0, true},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char name[32];
        snprintf(name, sizeof name, "staff%zu", i);
        const char *org = cases[i].org == 1 ? f->org : cases[i].org == 2 ? f->porg : NULL;
        struct user_in in = {name, "kep-crab-0716", cases[i].role, NULL, org, NULL, NULL, NULL};
        struct user_rec u = {0};
        struct fielderrs fe = {0};
        enum err e = user_create(&f->op, &in, &u, &fe);
        if (cases[i].ok) {
            assert_int_equal(e, ERR_OK);
        } else {
            assert_int_equal(e, ERR_VALIDATION);
            assert_non_null(fielderr_get(&fe, "organization_id"));
        }
        user_rec_free(&u);
    }
    struct user_in blank = {"blank", "kep-crab-0716", "admin", " \t ", NULL, NULL, NULL, NULL};
    struct user_rec u = {0};
    struct fielderrs fe = {0};
    assert_int_equal(user_create(&f->op, &blank, &u, &fe), ERR_VALIDATION);
    assert_non_null(fielderr_get(&fe, "display_name"));
    struct user_in spaces = {"spaces", "          ", "admin", NULL, NULL, NULL, NULL, NULL};
    assert_int_equal(user_create(&f->op, &spaces, &u, &fe), ERR_VALIDATION);
    assert_non_null(fielderr_get(&fe, "password"));
}

static void test_only_admin_creates(void **state)
{
    struct fx *f = *state;
    const char *roles[] = {"member",     "representative", "caseworker",
                           "supervisor", "provider",       "analyst"};
    for (size_t i = 0; i < sizeof roles / sizeof roles[0]; i++) {
        struct actor a;
        bool prov = strcmp(roles[i], "provider") == 0;
        fx_actor(f, roles[i], prov ? f->porg : f->org, prov ? NULL : f->group1, &a);
        struct ctx cx = fx_ctx(f, &a);
        struct user_in in = {"byrole", "kep-crab-0716", "admin", NULL, NULL, NULL, NULL, NULL};
        struct user_rec u = {0};
        struct fielderrs fe = {0};
        assert_int_equal(user_create(&cx, &in, &u, &fe), ERR_FORBIDDEN);
        actor_free(&a);
    }
    struct actor admin;
    fx_actor(f, "admin", NULL, NULL, &admin);
    struct ctx cx = fx_ctx(f, &admin);
    struct user_in in = {"byadmin", "kep-crab-0716", "supervisor", "Sup", f->org, NULL, NULL, NULL};
    struct user_rec u = {0};
    struct fielderrs fe = {0};
    assert_int_equal(user_create(&cx, &in, &u, &fe), ERR_OK);
    assert_string_equal(u.display_name, "Sup");
    user_rec_free(&u);
    actor_free(&admin);
}

static void test_list_scopes(void **state)
{
    struct fx *f = *state;
    struct actor sup, admin, cw;
    struct user_rec *items = NULL;
    size_t n = 0;
    fx_actor(f, "supervisor", f->org2, NULL, &sup);
    fx_actor(f, "admin", NULL, NULL, &admin);
    fx_actor(f, "caseworker", f->org, NULL, &cw);

    struct ctx cx = fx_ctx(f, &sup);
    assert_int_equal(user_list(&cx, &items, &n), ERR_OK);
    assert_true(n >= 1);
    for (size_t i = 0; i < n; i++)
        assert_string_equal(items[i].organization_id, f->org2);
    user_list_free(items, n);

    cx = fx_ctx(f, &admin);
    assert_int_equal(user_list(&cx, &items, &n), ERR_OK);
    bool other = false;
    for (size_t i = 0; i < n; i++)
        other = other || strcmp(items[i].organization_id, f->org2) != 0;
    assert_true(other);
    user_list_free(items, n);

    cx = fx_ctx(f, &cw);
    assert_int_equal(user_list(&cx, &items, &n), ERR_FORBIDDEN);
    assert_null(items);
    actor_free(&sup);
    actor_free(&admin);
    actor_free(&cw);
}

/* A member's account names her record in her group's member list (API.md
 * member_id): of the account's group, for members and representatives
 * only, one account per record. */
static void test_member_link(void **state)
{
    struct fx *f = *state;
    struct member_in mi;
    struct member_view m1 = {0}, m2 = {0};
    struct fielderrs fe = {0};
    member_in_init(&mi);
    mi.name_latn = "Sokha";
    mi.sex = "female";
    assert_int_equal(member_add(&f->op, f->group1, &mi, &m1, &fe), ERR_OK);
    assert_int_equal(member_add(&f->op, f->group2, &mi, &m2, &fe), ERR_OK);

    struct user_in in = {"linked", "kep-crab-0716", "member", NULL,
                         f->org,   f->group1,       NULL,     m2.rec.id};
    struct user_rec u = {0};
    /* A member of another group. */
    assert_int_equal(user_create(&f->op, &in, &u, &fe), ERR_VALIDATION);
    assert_non_null(fielderr_get(&fe, "member_id"));
    /* A caseworker has no member record. */
    struct user_in staff = {"staffer", "kep-crab-0716", "caseworker", NULL, f->org, NULL,
                            NULL,      m1.rec.id};
    memset(&fe, 0, sizeof fe);
    assert_int_equal(user_create(&f->op, &staff, &u, &fe), ERR_VALIDATION);
    assert_non_null(fielderr_get(&fe, "member_id"));
    in.member_id = "nosuchmembernosuchm";
    assert_int_equal(user_create(&f->op, &in, &u, &fe), ERR_VALIDATION);
    /* Her own group's record: linked, and she finds it through her account. */
    in.member_id = m1.rec.id;
    assert_int_equal(user_create(&f->op, &in, &u, &fe), ERR_OK);
    assert_string_equal(u.member_id, m1.rec.id);
    struct user_rec back = {0};
    assert_int_equal(store_user_get(f->op.db, u.id, &back), ERR_OK);
    assert_string_equal(back.member_id, m1.rec.id);
    struct actor a = {.user = back, .role = ROLE_MEMBER};
    struct ctx cx = fx_ctx(f, &a);
    struct member_rec mine = {0};
    assert_int_equal(user_member(&cx, &mine), ERR_OK);
    assert_string_equal(mine.id, m1.rec.id);
    member_rec_free(&mine);
    /* One account per record. */
    user_rec_free(&u);
    in.username = "linked2";
    assert_int_equal(user_create(&f->op, &in, &u, &fe), ERR_CONFLICT);
    /* Without a link: none. */
    struct actor op = {0};
    struct ctx none = fx_ctx(f, &op);
    assert_int_equal(user_member(&none, &mine), ERR_NOT_FOUND);
    user_rec_free(&back);
    user_rec_free(&u);
    member_view_free(&m1);
    member_view_free(&m2);
}

/* Two people for an account that sees identities, against every role a
 * request can be for and every approver: expectations from API.md ("of
 * the same organization for caseworker and supervisor; of an NGO for a
 * provider; nobody approves an account she requested"). */
static void test_approval_rules(void **state)
{
    struct fx *f = *state;
    struct actor admin, sup, sup2, cw, prov;
    fx_actor(f, "admin", f->org, NULL, &admin);
    fx_actor(f, "supervisor", f->org, NULL, &sup);
    fx_actor(f, "supervisor", f->org2, NULL, &sup2);
    fx_actor(f, "caseworker", f->org, NULL, &cw);
    fx_actor(f, "provider", f->porg, NULL, &prov);
    struct ctx acx = fx_ctx(f, &admin);
    static const struct {
        const char *role;
        bool pending;
    } roles[] = {{"caseworker", true},
                 {"supervisor", true},
                 {"provider", true},
                 {"analyst", false},
                 {"admin", false}};
    for (size_t i = 0; i < sizeof roles / sizeof roles[0]; i++) {
        char name[32];
        snprintf(name, sizeof name, "approve%zu", i);
        bool prov_role = strcmp(roles[i].role, "provider") == 0;
        struct user_in in = {name,
                             "correct horse battery",
                             roles[i].role,
                             NULL,
                             prov_role ? f->porg : f->org,
                             NULL,
                             NULL,
                             NULL};
        struct user_rec u = {0}, out = {0};
        struct fielderrs fe = {0};
        assert_int_equal(user_create(&acx, &in, &u, &fe), ERR_OK);
        assert_int_equal(u.pending, roles[i].pending);
        assert_string_equal(u.requested_by, roles[i].pending ? admin.user.id : "");
        /* the admin, a caseworker, a provider: refused by the table */
        const struct actor *refused[] = {&admin, &cw, &prov};
        for (size_t k = 0; k < 3; k++) {
            struct ctx c = fx_ctx(f, refused[k]);
            assert_int_equal(user_approve(&c, u.id, u.version, &out, &fe), ERR_FORBIDDEN);
        }
        /* the other NGO's supervisor: not hers to approve, except a
         * provider's account, which any NGO's supervisor may vouch for */
        struct ctx c2 = fx_ctx(f, &sup2);
        enum err e2 = user_approve(&c2, u.id, u.version, &out, &fe);
        if (!roles[i].pending) {
            assert_int_equal(e2, prov_role ? ERR_CONFLICT : ERR_NOT_FOUND);
        } else if (prov_role) {
            assert_int_equal(e2, ERR_OK);
            assert_false(out.pending);
            user_rec_free(&out);
        } else {
            assert_int_equal(e2, ERR_NOT_FOUND);
            struct ctx c = fx_ctx(f, &sup);
            assert_int_equal(user_approve(&c, u.id, u.version + 1, &out, &fe), ERR_CONFLICT);
            assert_int_equal(user_approve(&c, u.id, u.version, &out, &fe), ERR_OK);
            assert_false(out.pending);
            assert_int_equal(out.version, u.version + 1);
            struct user_rec again = {0};
            assert_int_equal(user_approve(&c, u.id, out.version, &again, &fe), ERR_CONFLICT);
            user_rec_free(&again);
            user_rec_free(&out);
        }
        user_rec_free(&u);
    }
    /* the local operator's accounts are active at once */
    struct user_in in = {
        "opsupervisor", "correct horse battery", "supervisor", NULL, f->org, NULL, NULL, NULL};
    struct user_rec u = {0};
    struct fielderrs fe = {0};
    assert_int_equal(user_create(&f->op, &in, &u, &fe), ERR_OK);
    assert_false(u.pending);
    user_rec_free(&u);
    actor_free(&admin);
    actor_free(&sup);
    actor_free(&sup2);
    actor_free(&cw);
    actor_free(&prov);
}

int main(void)
{
    test_audit_keys();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_create_and_defaults),
        cmocka_unit_test(test_password_length_in_code_points),
        cmocka_unit_test(test_password_policy),
        cmocka_unit_test(test_field_validation),
        cmocka_unit_test(test_group_of_another_org_refused),
        cmocka_unit_test(test_username_taken),
        cmocka_unit_test(test_only_admin_creates),
        cmocka_unit_test(test_staff_organization_and_blank_names),
        cmocka_unit_test(test_list_scopes),
        cmocka_unit_test(test_member_link),
        cmocka_unit_test(test_approval_rules),
    };
    return cmocka_run_group_tests_name("users", tests, fx_setup, fx_teardown);
}
