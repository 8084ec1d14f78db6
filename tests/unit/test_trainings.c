/* Trainings (domain/trainings.h): who may record one (a member only with
 * the trainer role), the facilitator's and the participants' forms against
 * every combination of what is sent, the organization's bounds, and when a
 * training is a cascade one. The expectations are written here from API.md
 * and DOMAIN.md §6, not from the code. */
#include "audit_fixture.h"
#include "domain/trainings.h"
#include "domain_fixture.h"

/* A member of group (org's) made by the operator; roles NULL: ["member"]. */
static void fx_member(struct fx *f, const char *group, const char *name, const char *role2,
                      char out[ID_SIZE])
{
    struct member_in in;
    struct member_view m = {0};
    struct fielderrs fe = {0};
    member_in_init(&in);
    in.name_latn = name;
    in.sex = "female";
    in.birth_year = 1985;
    in.network_roles[in.nnetwork_roles++] = "member";
    if (role2 != NULL)
        in.network_roles[in.nnetwork_roles++] = role2;
    assert_int_equal(member_add(&f->op, group, &in, &m, &fe), ERR_OK);
    memcpy(out, m.rec.id, ID_SIZE);
    member_view_free(&m);
}

/* A member user linked to member record member_id of group. */
static void fx_linked(struct fx *f, const char *role, const char *group, const char *member_id,
                      struct actor *a)
{
    char name[32];
    struct fielderrs fe = {0};
    snprintf(name, sizeof name, "linked%d", ++f->serial);
    struct user_in in = {name, "correct horse battery", role, NULL, f->org, group, NULL, member_id};
    memset(a, 0, sizeof *a);
    assert_int_equal(user_create(&f->op, &in, &a->user, &fe), ERR_OK);
    assert_true(role_parse(role, &a->role));
}

static void good(struct training_in *in, const char *outside_name)
{
    training_in_init(in);
    in->date = "2026-02-10";
    in->topics[in->ntopics++] = "safe_migration";
    in->location_code = PUOK_COMMUNE;
    in->audience = "police";
    in->has_facilitator = true;
    in->facilitator.name = "Outside Trainer";
    in->facilitator.organization = "Ministry";
    in->participants[0].name = outside_name;
    in->participants[0].organization = "District police";
    in->participants[0].sex = "male";
    in->nparticipants = 1;
}

static size_t count_all(struct fx *f)
{
    struct training_view *items = NULL;
    size_t n = 0;
    char next[CURSOR_SIZE];
    struct fielderrs fe = {0};
    struct training_query q = {.limit = 500};
    assert_int_equal(training_list(&f->op, &q, &items, &n, next, &fe), ERR_OK);
    training_views_free(items, n);
    return n;
}

static bool has_error(const struct fielderrs *fe, const char *field)
{
    for (int i = 0; i < fe->n; i++)
        if (strcmp(fe->e[i].field, field) == 0)
            return true;
    return false;
}

static void test_a_member_records_only_as_a_trainer(void **state)
{
    struct fx *f = *state;
    char trainer[ID_SIZE], plain[ID_SIZE];
    fx_member(f, f->group1, "Trainer One", "trainer", trainer);
    fx_member(f, f->group1, "Plain One", NULL, plain);
    struct actor t, p, unlinked;
    fx_linked(f, "member", f->group1, trainer, &t);
    fx_linked(f, "member", f->group1, plain, &p);
    fx_actor(f, "member", f->org, f->group1, &unlinked);
    struct training_in in;
    struct training_view v = {0};
    struct fielderrs fe = {0};

    /* the trainer: her own group by default, a trainer's training */
    struct ctx cx = fx_ctx(f, &t);
    good(&in, "Officer A");
    in.audience = "representatives";
    in.facilitator = (struct facilitator_in){.member_id = trainer};
    assert_int_equal(training_create(&cx, &in, &v, &fe), ERR_OK);
    assert_string_equal(v.rec.group_id, f->group1);
    assert_string_equal(v.rec.organization_id, f->org);
    assert_true(v.rec.facilitator_trainer);
    assert_true(v.cascade);
    training_view_free(&v);
    /* not for another group of her organization */
    in.group_id = f->group2;
    assert_int_equal(training_create(&cx, &in, &v, &fe), ERR_NOT_FOUND);

    /* without the role, or without a member record: refused, nothing written */
    size_t before = count_all(f);
    struct actor *refused[] = {&p, &unlinked};
    for (size_t i = 0; i < 2; i++) {
        struct ctx c2 = fx_ctx(f, refused[i]);
        good(&in, "Officer B");
        memset(&fe, 0, sizeof fe);
        assert_int_equal(training_create(&c2, &in, &v, &fe), ERR_FORBIDDEN);
        bool may_record = true;
        struct group_rec *g = NULL;
        size_t ng = 9;
        assert_int_equal(training_groups(&c2, &may_record, &g, &ng), ERR_OK);
        assert_false(may_record);
        assert_int_equal(ng, 0);
    }
    /* a trainer deactivated is a trainer no more */
    struct member_view mv = {0};
    struct member_in patch;
    member_in_init(&patch);
    patch.version = 1;
    patch.active = false;
    fields_mark(&member_patch_fields, &patch, 1, false); /* "active" */
    struct fielderrs pfe = {0};
    assert_int_equal(member_update(&f->op, trainer, &patch, &mv, &pfe), ERR_OK);
    assert_false(mv.rec.active);
    member_view_free(&mv);
    good(&in, "Officer C");
    assert_int_equal(training_create(&cx, &in, &v, &fe), ERR_FORBIDDEN);
    assert_int_equal(count_all(f), before);
    actor_free(&t);
    actor_free(&p);
    actor_free(&unlinked);
}

/* Every combination of the facilitator's four fields: valid only as
 * exactly a member, exactly a user, or exactly a name with an
 * organization. */
static void test_facilitator_forms(void **state)
{
    struct fx *f = *state;
    char m[ID_SIZE];
    fx_member(f, f->group1, "Facilitator Member", NULL, m);
    struct actor sup;
    fx_actor(f, "supervisor", f->org, NULL, &sup);
    struct ctx cx = fx_ctx(f, &sup);
    for (int bits = 0; bits < 16; bits++) {
        bool mem = bits & 1, usr = bits & 2, name = bits & 4, org = bits & 8;
        bool valid = (mem && !usr && !name && !org) || (!mem && usr && !name && !org) ||
                     (!mem && !usr && name && org);
        struct training_in in;
        struct training_view v = {0};
        struct fielderrs fe = {0};
        good(&in, "Officer F");
        in.facilitator = (struct facilitator_in){
            .member_id = mem ? m : NULL,
            .user_id = usr ? sup.user.id : NULL,
            .name = name ? "A Name" : NULL,
            .organization = org ? "An Office" : NULL,
        };
        in.has_facilitator = bits != 0;
        enum err e = training_create(&cx, &in, &v, &fe);
        if (valid) {
            assert_int_equal(e, ERR_OK);
            assert_int_equal(v.rec.facilitator_member_id[0] != '\0', mem);
            assert_int_equal(v.rec.facilitator_user_id[0] != '\0', usr);
            assert_int_equal(v.rec.facilitator_outside.len > 0, name);
            if (name) {
                assert_string_equal(v.facilitator_name, "A Name");
                assert_string_equal(v.facilitator_organization, "An Office");
            }
        } else {
            assert_int_equal(e, ERR_VALIDATION);
            assert_true(has_error(&fe, "facilitator"));
        }
        training_view_free(&v);
    }
    actor_free(&sup);
}

/* Every combination of a participant's four fields: a member (her sex is
 * her record's, whatever is sent), or an outside person with all of name,
 * organization and sex. */
static void test_participant_forms(void **state)
{
    struct fx *f = *state;
    char m[ID_SIZE];
    fx_member(f, f->group1, "Participant Member", NULL, m);
    struct actor sup;
    fx_actor(f, "supervisor", f->org, NULL, &sup);
    struct ctx cx = fx_ctx(f, &sup);
    for (int bits = 0; bits < 16; bits++) {
        bool mem = bits & 1, name = bits & 2, org = bits & 4, sex = bits & 8;
        bool valid = (mem && !name && !org) || (!mem && name && org && sex);
        struct training_in in;
        struct training_view v = {0};
        struct fielderrs fe = {0};
        good(&in, NULL);
        in.participants[0] = (struct participant_in){
            .member_id = mem ? m : NULL,
            .name = name ? "Someone" : NULL,
            .organization = org ? "Somewhere" : NULL,
            .sex = sex ? "male" : NULL,
        };
        in.nparticipants = bits != 0 ? 1 : 0;
        enum err e = training_create(&cx, &in, &v, &fe);
        if (valid) {
            assert_int_equal(e, ERR_OK);
            assert_int_equal(v.nparts, 1);
            /* the fixture's members are women: a member's sex is hers */
            assert_string_equal(v.parts[0].rec.sex, mem ? "female" : "male");
            if (!mem)
                assert_string_equal(v.parts[0].name, "Someone");
        } else {
            assert_int_equal(e, ERR_VALIDATION);
            assert_true(has_error(&fe, "participants"));
        }
        training_view_free(&v);
    }
    actor_free(&sup);
}

/* Members and users of another organization are nobody here. */
static void test_the_organizations_bounds(void **state)
{
    struct fx *f = *state;
    char other[ID_SIZE];
    fx_member(f, f->group3, "Other Org Member", "trainer", other);
    struct actor sup, sup2;
    fx_actor(f, "supervisor", f->org, NULL, &sup);
    fx_actor(f, "supervisor", f->org2, NULL, &sup2);
    struct ctx cx = fx_ctx(f, &sup);
    size_t before = count_all(f);
    struct training_in in;
    struct training_view v = {0};
    struct fielderrs fe = {0};

    good(&in, "Officer O");
    in.facilitator = (struct facilitator_in){.member_id = other};
    assert_int_equal(training_create(&cx, &in, &v, &fe), ERR_VALIDATION);
    assert_true(has_error(&fe, "facilitator.member_id"));

    memset(&fe, 0, sizeof fe);
    good(&in, "Officer O");
    in.facilitator = (struct facilitator_in){.user_id = sup2.user.id};
    assert_int_equal(training_create(&cx, &in, &v, &fe), ERR_VALIDATION);
    assert_true(has_error(&fe, "facilitator.user_id"));

    memset(&fe, 0, sizeof fe);
    good(&in, NULL);
    in.participants[0] = (struct participant_in){.member_id = other};
    assert_int_equal(training_create(&cx, &in, &v, &fe), ERR_VALIDATION);
    assert_true(has_error(&fe, "participants.member_id"));

    /* another organization's group is not found */
    memset(&fe, 0, sizeof fe);
    good(&in, "Officer O");
    in.group_id = f->group3;
    assert_int_equal(training_create(&cx, &in, &v, &fe), ERR_NOT_FOUND);
    assert_int_equal(count_all(f), before);

    /* the other organization's supervisor sees none of ours */
    good(&in, "Officer P");
    assert_int_equal(training_create(&cx, &in, &v, &fe), ERR_OK);
    struct ctx cx2 = fx_ctx(f, &sup2);
    struct training_view w = {0};
    assert_int_equal(training_get(&cx2, v.rec.id, &w), ERR_NOT_FOUND);
    training_view_free(&v);
    actor_free(&sup);
    actor_free(&sup2);
}

/* Cascade: a member with the trainer role giving it to representatives;
 * any other audience or facilitator is not one. */
static void test_cascade_is_a_trainer_to_representatives(void **state)
{
    struct fx *f = *state;
    char trainer[ID_SIZE], plain[ID_SIZE];
    fx_member(f, f->group2, "Cascade Trainer", "trainer", trainer);
    fx_member(f, f->group2, "Cascade Plain", NULL, plain);
    struct actor sup;
    fx_actor(f, "supervisor", f->org, NULL, &sup);
    struct ctx cx = fx_ctx(f, &sup);
    static const char *const audiences[] = {"members", "representatives", "local_authorities",
                                            "police", "community"};
    for (size_t a = 0; a < 5; a++)
        for (int who = 0; who < 3; who++) {
            struct training_in in;
            struct training_view v = {0};
            struct fielderrs fe = {0};
            good(&in, "Officer K");
            in.audience = audiences[a];
            if (who == 0)
                in.facilitator = (struct facilitator_in){.member_id = trainer};
            else if (who == 1)
                in.facilitator = (struct facilitator_in){.member_id = plain};
            else
                in.facilitator = (struct facilitator_in){.user_id = sup.user.id};
            assert_int_equal(training_create(&cx, &in, &v, &fe), ERR_OK);
            assert_int_equal(v.rec.facilitator_trainer, who == 0);
            assert_int_equal(v.cascade, who == 0 && a == 1);
            training_view_free(&v);
        }
    actor_free(&sup);
}

int main(void)
{
    test_audit_keys();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_a_member_records_only_as_a_trainer, fx_setup,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_facilitator_forms, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_participant_forms, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_the_organizations_bounds, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_cascade_is_a_trainer_to_representatives, fx_setup,
                                        fx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
