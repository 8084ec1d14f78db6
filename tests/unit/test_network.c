/* The network: organizations, groups, members; who reaches which group,
 * and the member's phone sealed at rest. */
#include "audit_fixture.h"
#include "domain/cases.h"
#include "domain/services.h"
#include "domain_fixture.h"

static void test_org_validation_and_rights(void **state)
{
    struct fx *f = *state;
    struct org_rec o = {0};
    struct fielderrs fe = {0};
    assert_int_equal(org_create(&f->op, "", "bank", "99999999", &o, &fe), ERR_VALIDATION);
    assert_non_null(fielderr_get(&fe, "name"));
    assert_non_null(fielderr_get(&fe, "kind"));
    assert_non_null(fielderr_get(&fe, "location_code"));
    memset(&fe, 0, sizeof fe);
    assert_int_equal(org_create(&f->op, "Legal aid", "provider", "17", &o, &fe), ERR_OK);
    assert_string_equal(o.kind, "provider");
    assert_string_equal(o.location_code, "17");
    org_rec_free(&o);

    struct actor sup;
    fx_actor(f, "supervisor", f->org, NULL, &sup);
    struct ctx cx = fx_ctx(f, &sup);
    assert_int_equal(org_create(&cx, "Mine", "ngo", NULL, &o, &fe), ERR_FORBIDDEN);
    actor_free(&sup);
}

static void test_group_location_level(void **state)
{
    struct fx *f = *state;
    struct group_rec g = {0};
    const char *bad[] = {"17", "1707", "nope", NULL};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct fielderrs fe = {0};
        struct group_in gi = {"G", bad[i], f->org};
        assert_int_equal(group_create(&f->op, &gi, &g, &fe), ERR_VALIDATION);
        assert_non_null(fielderr_get(&fe, "location_code"));
    }
    struct fielderrs fe = {0};
    struct group_in gi = {"", PUOK_CHAS, "nosuchorg"};
    assert_int_equal(group_create(&f->op, &gi, &g, &fe), ERR_VALIDATION);
    assert_non_null(fielderr_get(&fe, "name"));
    assert_non_null(fielderr_get(&fe, "organization_id"));
    /* The operator has no organization of her own. */
    memset(&fe, 0, sizeof fe);
    struct group_in noorg = {"G", PUOK_CHAS, NULL};
    assert_int_equal(group_create(&f->op, &noorg, &g, &fe), ERR_VALIDATION);
    assert_non_null(fielderr_get(&fe, "organization_id"));
}

static void test_group_belongs_to_an_ngo(void **state)
{
    struct fx *f = *state;
    struct group_in gi = {"Provider's group", PUOK_COMMUNE, f->porg};
    struct group_rec g = {0};
    struct fielderrs fe = {0};
    assert_int_equal(group_create(&f->op, &gi, &g, &fe), ERR_VALIDATION);
    assert_non_null(fielderr_get(&fe, "organization_id"));
    struct group_in blank = {"   ", PUOK_COMMUNE, f->org};
    struct fielderrs fe2 = {0};
    assert_int_equal(group_create(&f->op, &blank, &g, &fe2), ERR_VALIDATION);
    assert_non_null(fielderr_get(&fe2, "name"));
}

static void test_group_create_admin_only(void **state)
{
    struct fx *f = *state;
    struct actor admin, sup;
    struct group_rec g = {0};
    struct fielderrs fe = {0};
    fx_actor(f, "admin", f->org, NULL, &admin);
    fx_actor(f, "supervisor", f->org, NULL, &sup);
    struct group_in gi = {"Village group", KRALANH_VILLAGE, NULL};
    struct ctx cx = fx_ctx(f, &sup);
    assert_int_equal(group_create(&cx, &gi, &g, &fe), ERR_FORBIDDEN);
    cx = fx_ctx(f, &admin);
    assert_int_equal(group_create(&cx, &gi, &g, &fe), ERR_OK);
    assert_string_equal(g.organization_id, f->org); /* the admin's */
    assert_string_equal(g.location_code, KRALANH_VILLAGE);
    assert_int_equal(g.version, 1);
    group_rec_free(&g);
    actor_free(&admin);
    actor_free(&sup);
}

static bool list_has(const struct group_rec *items, size_t n, const char *id)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(items[i].id, id) == 0)
            return true;
    return false;
}

static void test_group_reach(void **state)
{
    struct fx *f = *state;
    struct actor rep, cw, prov, analyst;
    struct group_rec *items = NULL, g = {0};
    size_t n = 0;
    fx_actor(f, "representative", f->org, f->group1, &rep);
    fx_actor(f, "caseworker", f->org, NULL, &cw);
    fx_actor(f, "provider", f->porg, NULL, &prov);
    fx_actor(f, "analyst", NULL, NULL, &analyst);

    struct ctx cx = fx_ctx(f, &rep);
    assert_int_equal(group_list(&cx, &items, &n), ERR_OK);
    assert_int_equal(n, 1);
    assert_string_equal(items[0].id, f->group1);
    group_list_free(items, n);
    assert_int_equal(group_get(&cx, f->group1, &g), ERR_OK);
    group_rec_free(&g);
    assert_int_equal(group_get(&cx, f->group2, &g), ERR_NOT_FOUND);

    cx = fx_ctx(f, &cw);
    assert_int_equal(group_list(&cx, &items, &n), ERR_OK);
    assert_true(list_has(items, n, f->group1) && list_has(items, n, f->group2));
    assert_false(list_has(items, n, f->group3));
    group_list_free(items, n);
    assert_int_equal(group_get(&cx, f->group3, &g), ERR_NOT_FOUND);
    assert_int_equal(group_get(&cx, "no such id!", &g), ERR_NOT_FOUND);

    cx = fx_ctx(f, &prov);
    assert_int_equal(group_list(&cx, &items, &n), ERR_FORBIDDEN);
    assert_int_equal(group_get(&cx, f->group3, &g), ERR_FORBIDDEN);

    cx = fx_ctx(f, &analyst);
    assert_int_equal(group_list(&cx, &items, &n), ERR_OK);
    assert_true(list_has(items, n, f->group3));
    group_list_free(items, n);

    actor_free(&rep);
    actor_free(&cw);
    actor_free(&prov);
    actor_free(&analyst);
}

static void test_member_add_and_list(void **state)
{
    struct fx *f = *state;
    struct actor rep;
    fx_actor(f, "representative", f->org, f->group1, &rep);
    struct ctx cx = fx_ctx(f, &rep);
    struct member_in in;
    member_in_init(&in);
    in.name_km = "\u179F\u17BB\u1781\u17B6";
    in.name_latn = "Sokha";
    in.sex = "female";
    in.birth_year = 1990;
    in.phone = "+855 12 345 678";
    in.network_roles[0] = "member";
    in.network_roles[1] = "trainer";
    in.nnetwork_roles = 2;
    in.has_returnee = true;
    in.returnee.countries[0] = "TH";
    in.returnee.ncountries = 1;
    in.returnee.years_abroad = 3;
    in.returnee.channel = "irregular";
    in.returnee.sector = "construction";
    struct member_view m = {0};
    struct fielderrs fe = {0};
    assert_int_equal(member_add(&cx, f->group1, &in, &m, &fe), ERR_OK);
    assert_string_equal(m.rec.group_id, f->group1);
    assert_string_equal(m.phone, "+855 12 345 678");
    assert_null(m.rec.phone.p);
    assert_non_null(strstr(m.rec.network_roles, "trainer"));
    assert_non_null(strstr(m.rec.returnee, "\"TH\""));
    char id[ID_SIZE];
    memcpy(id, m.rec.id, ID_SIZE);
    member_rec_free(&m.rec);
    free(m.phone);

    /* At rest the phone is sealed, bound to the member id; so are her
     * names, birth year and returnee history, in identity. */
    struct member_rec *recs = NULL;
    size_t n = 0;
    assert_int_equal(store_member_list(f->op.db, f->group1, NULL, 0, &recs, &n), ERR_OK);
    bool seen = false;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(recs[i].id, id) != 0)
            continue;
        seen = true;
        assert_true(recs[i].phone.len > 0);
        assert_null(memmem(recs[i].phone.p, recs[i].phone.len, "345", 3));
        char *pt = NULL;
        size_t len = 0;
        assert_false(crypto_unseal(f->key, "otherid", &recs[i].phone, &pt, &len));
        assert_null(recs[i].name_km);
        assert_null(recs[i].name_latn);
        assert_null(recs[i].returnee);
        assert_int_equal(recs[i].birth_year, 0);
        assert_true(recs[i].returnee_any);
        assert_true(recs[i].identity.len > 0);
        assert_null(memmem(recs[i].identity.p, recs[i].identity.len, "Sokha", 5));
        assert_false(crypto_unseal(f->key, "otherid", &recs[i].identity, &pt, &len));
    }
    assert_true(seen);
    member_list_free(recs, n);

    struct member_view *views = NULL;
    assert_int_equal(member_list(&cx, f->group1, &views, &n), ERR_OK);
    assert_true(n >= 1);
    seen = false;
    for (size_t i = 0; i < n; i++)
        if (strcmp(views[i].rec.id, id) == 0)
            seen = views[i].phone != NULL && strcmp(views[i].phone, "+855 12 345 678") == 0;
    assert_true(seen);
    member_views_free(views, n);

    /* Another group's list is out of her reach; a member may not add. */
    assert_int_equal(member_add(&cx, f->group2, &in, &m, &fe), ERR_NOT_FOUND);
    assert_int_equal(member_list(&cx, f->group2, &views, &n), ERR_NOT_FOUND);
    struct actor mem;
    fx_actor(f, "member", f->org, f->group1, &mem);
    cx = fx_ctx(f, &mem);
    assert_int_equal(member_add(&cx, f->group1, &in, &m, &fe), ERR_FORBIDDEN);
    assert_int_equal(member_list(&cx, f->group1, &views, &n), ERR_FORBIDDEN);
    actor_free(&mem);
    actor_free(&rep);
}

/* A context with neither a signed-in actor nor the local operator's flag
 * reaches nothing: forgetting to sign a caller in fails closed. */
static void test_no_actor_reaches_nothing(void **state)
{
    struct fx *f = *state;
    struct ctx anon = {.db = f->op.db, .key = f->key, .places = f->places};
    struct group_rec *groups = NULL;
    struct user_rec *users = NULL;
    struct member_view *members = NULL;
    size_t n = 0;
    assert_int_equal(group_list(&anon, &groups, &n), ERR_FORBIDDEN);
    assert_int_equal(user_list(&anon, &users, &n), ERR_FORBIDDEN);
    struct group_rec g = {0};
    assert_int_not_equal(group_get(&anon, f->group1, &g), ERR_OK);
    assert_int_not_equal(member_list(&anon, f->group1, &members, &n), ERR_OK);
    struct group_in gi = {"Nobody's group", PUOK_COMMUNE, f->org};
    struct fielderrs fe = {0};
    assert_int_equal(group_create(&anon, &gi, &g, &fe), ERR_FORBIDDEN);
    struct case_view *cases = NULL;
    struct case_query q = {0};
    char cursor[CURSOR_SIZE];
    assert_int_equal(case_list(&anon, &q, &cases, &n, cursor, &fe), ERR_FORBIDDEN);
    /* The same calls as the local operator succeed. */
    assert_int_equal(group_list(&f->op, &groups, &n), ERR_OK);
    group_list_free(groups, n);
}

static void test_member_validation(void **state)
{
    struct fx *f = *state;
    struct member_view m = {0};
    struct fielderrs fe = {0};
    struct member_in in;
    member_in_init(&in);
    in.sex = "woman";
    in.birth_year = 1800;
    in.phone = "call me";
    in.network_roles[0] = "boss";
    in.nnetwork_roles = 1;
    in.has_returnee = true;
    in.returnee.countries[0] = "tha";
    in.returnee.ncountries = 1;
    in.returnee.years_abroad = 99;
    in.returnee.channel = "boat";
    in.returnee.sector = "mining";
    assert_int_equal(member_add(&f->op, f->group1, &in, &m, &fe), ERR_VALIDATION);
    const char *fields[] = {"name_km",
                            "sex",
                            "birth_year",
                            "phone",
                            "network_roles",
                            "returnee.countries",
                            "returnee.years_abroad",
                            "returnee.channel",
                            "returnee.sector"};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
        if (fielderr_get(&fe, fields[i]) == NULL)
            fail_msg("no error for %s", fields[i]);

    /* Duplicate roles are refused; no roles means ["member"]. */
    struct member_in ok;
    member_in_init(&ok);
    ok.name_latn = "Dara";
    ok.sex = "female";
    ok.network_roles[0] = "member";
    ok.network_roles[1] = "member";
    ok.nnetwork_roles = 2;
    memset(&fe, 0, sizeof fe);
    assert_int_equal(member_add(&f->op, f->group1, &ok, &m, &fe), ERR_VALIDATION);
    ok.nnetwork_roles = 0;
    assert_int_equal(member_add(&f->op, f->group1, &ok, &m, &fe), ERR_OK);
    assert_string_equal(m.rec.network_roles, "[\"member\"]");
    assert_null(m.phone);
    assert_null(m.rec.returnee);
    member_rec_free(&m.rec);
    free(m.phone);
}

static void service_input(struct service_in *in, const char *org, const char *name)
{
    service_in_init(in);
    in->organization_id = org;
    in->type = "shelter";
    in->name = name;
    in->contact = "012 000 111";
    in->hours = "Mon-Fri";
    in->languages[0] = "km";
    in->nlanguages = 1;
}

static void test_service_validation(void **state)
{
    struct fx *f = *state;
    struct service_in in;
    struct service_rec s = {0};
    struct fielderrs fe = {0};
    service_input(&in, "nosuchorgnosuchorg00", "");
    in.type = "counselling";
    in.areas[0] = "99999999";
    in.nareas = 1;
    in.location_code = "1799";
    in.languages[0] = "xx";
    assert_int_equal(service_create(&f->op, &in, &s, &fe), ERR_VALIDATION);
    const char *fields[] = {"type", "name", "areas", "location_code", "languages"};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
        assert_non_null(fielderr_get(&fe, fields[i]));
    /* Each area once. */
    memset(&fe, 0, sizeof fe);
    service_input(&in, f->porg, "Twice");
    in.areas[0] = in.areas[1] = PUOK_COMMUNE;
    in.nareas = 2;
    assert_int_equal(service_create(&f->op, &in, &s, &fe), ERR_VALIDATION);
    assert_non_null(fielderr_get(&fe, "areas"));
    /* An unknown organization, once the fields are right. */
    memset(&fe, 0, sizeof fe);
    service_input(&in, "nosuchorgnosuchorg00", "Orphan");
    assert_int_equal(service_create(&f->op, &in, &s, &fe), ERR_VALIDATION);
    assert_non_null(fielderr_get(&fe, "organization_id"));
    /* Only the operator keeps the directory. */
    struct actor sup;
    fx_actor(f, "supervisor", f->org, NULL, &sup);
    struct ctx cx = fx_ctx(f, &sup);
    memset(&fe, 0, sizeof fe);
    service_input(&in, f->porg, "Mine");
    assert_int_equal(service_create(&cx, &in, &s, &fe), ERR_FORBIDDEN);

    /* Created, then changed at its version; a stale version is refused. */
    memset(&fe, 0, sizeof fe);
    service_input(&in, f->porg, "Safe roof");
    assert_int_equal(service_create(&f->op, &in, &s, &fe), ERR_OK);
    assert_int_equal(s.version, 1);
    assert_string_equal(s.areas, "[]");
    assert_string_equal(s.languages, "[\"km\"]");
    struct service_in p;
    service_in_init(&p);
    p.version = 1;
    p.hours = "Every day";
    fields_mark(&service_patch_fields, &p, 0, false);
    fields_mark(&service_patch_fields, &p, 6, false); /* hours */
    struct service_rec u = {0};
    assert_int_equal(service_update(&cx, s.id, &p, &u, &fe), ERR_FORBIDDEN);
    assert_int_equal(service_update(&f->op, s.id, &p, &u, &fe), ERR_OK);
    assert_int_equal(u.version, 2);
    assert_string_equal(u.hours, "Every day");
    assert_string_equal(u.name, "Safe roof");
    service_rec_free(&u);
    assert_int_equal(service_update(&f->op, s.id, &p, &u, &fe), ERR_CONFLICT);
    assert_non_null(fielderr_get(&fe, "version"));
    service_rec_free(&s);
    actor_free(&sup);
}

static void test_service_rank(void **state)
{
    struct fx *f = *state;
    const struct places *pl = f->places;
    assert_int_equal(service_rank(pl, "[]", PUOK_CHAS), RANK_NATIONAL);
    assert_int_equal(service_rank(pl, NULL, PUOK_CHAS), RANK_NATIONAL);
    assert_int_equal(service_rank(pl, "[\"17071001\"]", PUOK_CHAS), RANK_VILLAGE);
    assert_int_equal(service_rank(pl, "[\"170710\"]", PUOK_CHAS), RANK_COMMUNE);
    assert_int_equal(service_rank(pl, "[\"1707\"]", PUOK_CHAS), RANK_DISTRICT);
    assert_int_equal(service_rank(pl, "[\"17\"]", PUOK_CHAS), RANK_PROVINCE);
    /* The nearest of its areas counts. */
    assert_int_equal(service_rank(pl, "[\"17\", \"170710\"]", PUOK_CHAS), RANK_COMMUNE);
    /* A service elsewhere, or only in a smaller place, does not serve it. */
    assert_int_equal(service_rank(pl, "[\"" KRALANH_COMMUNE "\"]", PUOK_CHAS), RANK_NONE);
    assert_int_equal(service_rank(pl, "[\"17071001\"]", PUOK_COMMUNE), RANK_NONE);
    assert_int_equal(service_rank(pl, "[\"1707\"]", PUOK_COMMUNE), RANK_DISTRICT);
}

static void test_service_list_nearest_first(void **state)
{
    struct fx *f = *state;
    const char *areas[] = {NULL, "17", "1707", PUOK_COMMUNE, PUOK_CHAS, KRALANH_COMMUNE};
    const char *names[] = {"N0 national", "N1 province", "N2 district",
                           "N3 commune",  "N4 village",  "N5 elsewhere"};
    for (size_t i = 0; i < 6; i++) {
        struct service_in in;
        struct service_rec s = {0};
        struct fielderrs fe = {0};
        service_input(&in, f->porg, names[i]);
        in.type = "education";
        if (areas[i] != NULL) {
            in.areas[0] = areas[i];
            in.nareas = 1;
        }
        assert_int_equal(service_create(&f->op, &in, &s, &fe), ERR_OK);
        service_rec_free(&s);
    }
    struct service_rec *items = NULL;
    size_t n = 0;
    struct fielderrs fe = {0};
    assert_int_equal(service_list(&f->op, "education", PUOK_CHAS, &items, &n, &fe), ERR_OK);
    assert_int_equal(n, 5);
    const char *want[] = {"N4 village", "N3 commune", "N2 district", "N1 province", "N0 national"};
    for (size_t i = 0; i < n; i++)
        assert_string_equal(items[i].name, want[i]);
    service_list_free(items, n);
    assert_int_equal(service_list(&f->op, "education", NULL, &items, &n, &fe), ERR_OK);
    assert_int_equal(n, 6);
    for (size_t i = 0; i < n; i++)
        assert_string_equal(items[i].name, names[i]);
    service_list_free(items, n);
    assert_int_equal(service_list(&f->op, "nope", "99", &items, &n, &fe), ERR_VALIDATION);
    assert_non_null(fielderr_get(&fe, "type"));
    assert_non_null(fielderr_get(&fe, "location"));
}

/* A member with a phone and a returnee history in group, by the operator. */
static void member_made(struct fx *f, const char *group, struct member_view *m)
{
    struct member_in in;
    struct fielderrs fe = {0};
    member_in_init(&in);
    in.name_latn = "Chantha";
    in.sex = "female";
    in.birth_year = 1985;
    in.phone = "012 999 888";
    in.has_returnee = true;
    in.returnee.countries[0] = "TH";
    in.returnee.countries[1] = "MY";
    in.returnee.ncountries = 2;
    in.returnee.years_abroad = 4;
    in.returnee.channel = "irregular";
    assert_int_equal(member_add(&f->op, group, &in, m, &fe), ERR_OK);
}

static enum err member_patch(struct fx *f, const struct actor *a, const char *id, int version,
                             void (*set)(struct member_in *), struct member_view *out)
{
    struct ctx cx = a != NULL ? fx_ctx(f, a) : f->op;
    struct member_in in;
    struct fielderrs fe = {0};
    member_in_init(&in);
    in.version = version;
    fields_mark(&member_patch_fields, &in, 0, false);
    set(&in);
    return member_update(&cx, id, &in, out, &fe);
}

static void set_deactivate(struct member_in *in)
{
    in->active = false;
    fields_mark(&member_patch_fields, in, 1, false);
}

static void set_trainer(struct member_in *in)
{
    in->network_roles[0] = "member";
    in->network_roles[1] = "trainer";
    in->nnetwork_roles = 2;
    fields_mark(&member_patch_fields, in, 7, false);
}

static void set_phone_null(struct member_in *in)
{
    fields_mark(&member_patch_fields, in, 6, true);
}

static void set_no_names(struct member_in *in)
{
    fields_mark(&member_patch_fields, in, 3, true); /* name_latn: null, and no Khmer name */
}

static void test_member_update(void **state)
{
    struct fx *f = *state;
    struct actor rep1, rep2, sup, sup2, cw, admin;
    fx_actor(f, "representative", f->org, f->group1, &rep1);
    fx_actor(f, "representative", f->org, f->group2, &rep2);
    fx_actor(f, "supervisor", f->org, NULL, &sup);
    fx_actor(f, "supervisor", f->org2, NULL, &sup2);
    fx_actor(f, "caseworker", f->org, NULL, &cw);
    fx_actor(f, "admin", NULL, NULL, &admin);
    struct member_view m = {0}, out = {0};
    member_made(f, f->group1, &m);
    char id[ID_SIZE];
    memcpy(id, m.rec.id, ID_SIZE);
    int v = m.rec.version;
    member_view_free(&m);

    /* Another group's representative, another NGO's supervisor: not found;
     * a caseworker: the table refuses. Nothing changes. */
    assert_int_equal(member_patch(f, &rep2, id, v, set_trainer, &out), ERR_NOT_FOUND);
    assert_int_equal(member_patch(f, &sup2, id, v, set_trainer, &out), ERR_NOT_FOUND);
    assert_int_equal(member_patch(f, &cw, id, v, set_trainer, &out), ERR_FORBIDDEN);
    assert_int_equal(member_patch(f, &rep1, "nosuchmembernosuchm", v, set_trainer, &out),
                     ERR_NOT_FOUND);
    struct member_rec r = {0};
    assert_int_equal(store_member_get(f->op.db, id, &r), ERR_OK);
    assert_int_equal(r.version, v);
    member_rec_free(&r);

    /* Her representative makes her a trainer: the rest is kept. */
    assert_int_equal(member_patch(f, &rep1, id, v, set_trainer, &out), ERR_OK);
    assert_int_equal(out.rec.version, v + 1);
    assert_string_equal(out.rec.network_roles, "[\"member\",\"trainer\"]");
    assert_string_equal(out.rec.name_latn, "Chantha");
    assert_string_equal(out.phone, "012 999 888");
    assert_non_null(strstr(out.rec.returnee, "\"MY\""));
    assert_true(out.rec.active);
    member_view_free(&out);
    /* A stale version: 409, nothing written. */
    assert_int_equal(member_patch(f, &rep1, id, v, set_deactivate, &out), ERR_CONFLICT);
    /* A field sent as null is cleared; a name stays required. */
    assert_int_equal(member_patch(f, &sup, id, v + 1, set_phone_null, &out), ERR_OK);
    assert_null(out.phone);
    member_view_free(&out);
    assert_int_equal(member_patch(f, &sup, id, v + 2, set_no_names, &out), ERR_VALIDATION);
    /* Deactivated, never deleted: still in the list, inactive. */
    assert_int_equal(member_patch(f, &admin, id, v + 2, set_deactivate, &out), ERR_OK);
    assert_false(out.rec.active);
    member_view_free(&out);
    struct ctx cx = fx_ctx(f, &rep1);
    struct member_view *items = NULL;
    size_t n = 0;
    assert_int_equal(member_list(&cx, f->group1, &items, &n), ERR_OK);
    bool found = false;
    for (size_t i = 0; i < n; i++)
        found = found || (strcmp(items[i].rec.id, id) == 0 && !items[i].rec.active);
    member_views_free(items, n);
    assert_true(found);
    /* One member, as each reaches her: another group's is not found; a
     * caseworker reads her but may not edit her. */
    struct member_view one = {0};
    assert_int_equal(member_get(&cx, id, ACT_MEMBER_UPDATE, &one), ERR_OK);
    assert_false(one.rec.active);
    assert_string_equal(one.rec.name_latn, "Chantha");
    member_view_free(&one);
    struct ctx r2 = fx_ctx(f, &rep2), ccx = fx_ctx(f, &cw);
    assert_int_equal(member_get(&r2, id, ACT_MEMBER_READ, &one), ERR_NOT_FOUND);
    assert_int_equal(member_get(&r2, id, ACT_MEMBER_UPDATE, &one), ERR_NOT_FOUND);
    assert_int_equal(member_get(&ccx, id, ACT_MEMBER_READ, &one), ERR_OK);
    member_view_free(&one);
    assert_int_equal(member_get(&ccx, id, ACT_MEMBER_UPDATE, &one), ERR_FORBIDDEN);
    assert_int_equal(member_get(&cx, "nosuchmembernosuchm", ACT_MEMBER_READ, &one), ERR_NOT_FOUND);
    /* A supervisor adds members too, to her organization's groups only. */
    struct member_in in;
    struct fielderrs fe = {0};
    member_in_init(&in);
    in.name_latn = "Dara";
    in.sex = "female";
    struct ctx scx = fx_ctx(f, &sup), s2 = fx_ctx(f, &sup2);
    assert_int_equal(member_add(&scx, f->group2, &in, &out, &fe), ERR_OK);
    member_view_free(&out);
    assert_int_equal(member_add(&s2, f->group2, &in, &out, &fe), ERR_NOT_FOUND);
    struct actor *all[] = {&rep1, &rep2, &sup, &sup2, &cw, &admin};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        actor_free(all[i]);
}

static void test_group_update(void **state)
{
    struct fx *f = *state;
    struct actor sup, sup2, rep;
    fx_actor(f, "supervisor", f->org, NULL, &sup);
    fx_actor(f, "supervisor", f->org2, NULL, &sup2);
    fx_actor(f, "representative", f->org, f->group1, &rep);
    struct group_rec g = {0}, out = {0};
    assert_int_equal(store_group_get(f->op.db, f->group1, &g), ERR_OK);
    struct group_patch_in in;
    struct fielderrs fe = {0};
    group_patch_in_init(&in);
    in.version = g.version;
    in.name = "Group one, renamed";
    fields_mark(&group_patch_fields, &in, 0, false);
    fields_mark(&group_patch_fields, &in, 1, false);
    struct ctx rcx = fx_ctx(f, &rep), s2 = fx_ctx(f, &sup2), scx = fx_ctx(f, &sup);
    assert_int_equal(group_update(&rcx, f->group1, &in, &out, &fe), ERR_FORBIDDEN);
    assert_int_equal(group_update(&s2, f->group1, &in, &out, &fe), ERR_NOT_FOUND);
    in.location_code = "17"; /* a province: not a group's place */
    fields_mark(&group_patch_fields, &in, 2, false);
    assert_int_equal(group_update(&scx, f->group1, &in, &out, &fe), ERR_VALIDATION);
    in.location_code = PUOK_CHAS;
    assert_int_equal(group_update(&scx, f->group1, &in, &out, &fe), ERR_OK);
    assert_string_equal(out.name, "Group one, renamed");
    assert_string_equal(out.location_code, PUOK_CHAS);
    assert_int_equal(out.version, g.version + 1);
    group_rec_free(&out);
    assert_int_equal(group_update(&scx, f->group1, &in, &out, &fe), ERR_CONFLICT);
    /* A name sent as null (a box emptied) is refused, nothing written. */
    struct group_patch_in cleared;
    struct fielderrs fe2 = {0};
    group_patch_in_init(&cleared);
    cleared.version = g.version + 1;
    fields_mark(&group_patch_fields, &cleared, 0, false);
    fields_mark(&group_patch_fields, &cleared, 1, true);
    assert_int_equal(group_update(&scx, f->group1, &cleared, &out, &fe2), ERR_VALIDATION);
    assert_string_equal(fe2.e[0].field, "name");
    struct group_rec kept = {0};
    assert_int_equal(store_group_get(f->op.db, f->group1, &kept), ERR_OK);
    assert_int_equal(kept.version, g.version + 1);
    assert_string_equal(kept.name, "Group one, renamed");
    group_rec_free(&kept);
    group_rec_free(&g);
    actor_free(&sup);
    actor_free(&sup2);
    actor_free(&rep);
}

/* A member written before identities were sealed (plain columns, no
 * identity) is sealed by member_seal_existing, once; her names are then
 * found through the blind index and read back whole. */
static void test_seal_existing_members(void **state)
{
    struct fx *f = *state;
    struct member_rec r = {0};
    snprintf(r.id, sizeof r.id, "legacymember00000001");
    memcpy(r.group_id, f->group1, ID_SIZE);
    r.name_km = (char *)"\u179F\u17BB\u1781\u17B6 \u1785\u17B7\u1793\u17D2\u178F\u17B6";
    r.name_latn = (char *)"Sokha Chinta";
    snprintf(r.sex, sizeof r.sex, "female");
    r.birth_year = 1977;
    r.network_roles = (char *)"[\"member\"]";
    r.returnee = (char *)"{\"countries\":[\"TH\"]}";
    r.active = true;
    snprintf(r.created_at, sizeof r.created_at, "2025-01-01T00:00:00Z");
    snprintf(r.updated_at, sizeof r.updated_at, "2025-01-01T00:00:00Z");
    r.version = 1;
    assert_int_equal(store_member_insert(f->op.db, &r), ERR_OK);

    size_t sealed = 0;
    assert_int_equal(member_seal_existing(&f->op, &sealed), ERR_OK);
    assert_int_equal(sealed, 1);
    assert_int_equal(member_seal_existing(&f->op, &sealed), ERR_OK);
    assert_int_equal(sealed, 0);

    struct member_rec raw;
    assert_int_equal(store_member_get(f->op.db, r.id, &raw), ERR_OK);
    assert_null(raw.name_km);
    assert_null(raw.name_latn);
    assert_null(raw.returnee);
    assert_int_equal(raw.birth_year, 0);
    assert_true(raw.identity.len > 0);
    assert_null(memmem(raw.identity.p, raw.identity.len, "Chinta", 6));
    member_rec_free(&raw);

    struct member_rec opened;
    assert_int_equal(member_fetch(&f->op, r.id, &opened), ERR_OK);
    assert_string_equal(opened.name_latn, "Sokha Chinta");
    assert_string_equal(opened.name_km, r.name_km);
    assert_int_equal(opened.birth_year, 1977);
    assert_string_equal(opened.returnee, "{\"countries\":[\"TH\"]}");
    member_rec_free(&opened);

    struct member_view *v = NULL;
    size_t n = 0;
    struct fielderrs fe = {0};
    /* the Khmer name typed with a zero-width space, stored with a space */
    assert_int_equal(member_search(&f->op, f->group1,
                                   "\u179F\u17BB\u1781\u17B6\u200B\u1785\u17B7\u1793\u17D2"
                                   "\u178F\u17B6",
                                   &v, &n, &fe),
                     ERR_OK);
    assert_int_equal(n, 1);
    assert_string_equal(v[0].rec.id, r.id);
    member_views_free(v, n);
    assert_int_equal(member_search(&f->op, f->group1, "chintaa", &v, &n, &fe), ERR_OK);
    assert_int_equal(n, 1);
    member_views_free(v, n);
    assert_int_equal(member_search(&f->op, f->group2, "chinta", &v, &n, &fe), ERR_OK);
    assert_int_equal(n, 0);
    member_views_free(v, n);
}

int main(void)
{
    test_audit_keys();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_org_validation_and_rights),
        cmocka_unit_test(test_group_location_level),
        cmocka_unit_test(test_group_create_admin_only),
        cmocka_unit_test(test_group_belongs_to_an_ngo),
        cmocka_unit_test(test_group_reach),
        cmocka_unit_test(test_member_add_and_list),
        cmocka_unit_test(test_member_validation),
        cmocka_unit_test(test_no_actor_reaches_nothing),
        cmocka_unit_test(test_service_validation),
        cmocka_unit_test(test_service_rank),
        cmocka_unit_test(test_service_list_nearest_first),
        cmocka_unit_test(test_member_update),
        cmocka_unit_test(test_group_update),
        cmocka_unit_test(test_seal_existing_members),
    };
    return cmocka_run_group_tests_name("network", tests, fx_setup, fx_teardown);
}
