/* Safe-migration advice records (domain/migrant_advice.h): who records,
 * lists and follows up which group's records, the person sealed, the
 * warnings from the stored facts and the agency lists on the advice date. */
#include "audit_fixture.h"
#include "domain/migrant_advice.h"
#include "domain_fixture.h"

#include "domain/agencies.h"

/* Two lists of invented agencies: FIC-A licensed until mid-2026 on the
 * first, renewed on the second; FIC-B until 2027 on both. */
static const char list1[] = "name_km,name_en,licence_no,licence_valid_until\n"
                            "ក្រុមហ៊ុន ក (ប្រឌិត),Agency A (Fictional),FIC-A,2026-06-30\n"
                            "ក្រុមហ៊ុន ខ (ប្រឌិត),Agency B (Fictional),FIC-B,2027-12-31\n";
static const char list2[] = "name_km,name_en,licence_no,licence_valid_until\n"
                            "ក្រុមហ៊ុន ក (ប្រឌិត),Agency A (Fictional),FIC-A,2027-06-30\n"
                            "ក្រុមហ៊ុន ខ (ប្រឌិត),Agency B (Fictional),FIC-B,2027-12-31\n";

static char agency_a[ID_SIZE], agency_b[ID_SIZE];

static void import(struct fx *f, const char *text, const char *date)
{
    struct agency_import_summary sum;
    char *errors = NULL;
    enum err e = agency_import(&f->op, text, strlen(text), date, &sum, &errors);
    if (e != ERR_OK)
        fail_msg("import: %s", errors != NULL ? errors : "?");
    free(errors);
}

/* The first list, once, and the ids of its agencies. */
static void agencies(struct fx *f)
{
    if (agency_a[0] != '\0')
        return;
    import(f, list1, "2026-01-01");
    struct agency_rec *items = NULL;
    size_t n = 0;
    char next[ID_SIZE];
    struct fielderrs fe = {0};
    struct agency_query q = {.on = "2026-03-01", .limit = 50};
    assert_int_equal(agency_list(&f->op, &q, &items, &n, next, &fe), ERR_OK);
    for (size_t i = 0; i < n; i++)
        memcpy(strcmp(items[i].licence_no, "FIC-A") == 0 ? agency_a : agency_b, items[i].id,
               ID_SIZE);
    agency_list_free(items, n);
    assert_true(agency_a[0] != '\0' && agency_b[0] != '\0');
}

/* A plan with no warnings: a licensed agency's channel, passport and
 * contract, an adult. */
static void good(struct migrant_advice_in *in, const char *date)
{
    migrant_advice_in_init(in);
    in->date = date;
    in->has_person = true;
    in->person.name_km = "សុខ ស្រីនាង";
    in->person.name_latn = "Sok Sreyneang";
    in->person.sex = "female";
    in->person.birth_year = 1998;
    in->person.phone = "012 345 678";
    in->destination = "TH";
    in->sector = "manufacturing";
    in->channel = "government_mou";
    in->has_documents = true;
    in->documents.passport = true;
    in->documents.contract = true;
}

static bool has_warning(const struct advice_view *v, const char *code)
{
    for (size_t i = 0; i < v->nwarnings; i++)
        if (strcmp(v->warnings[i].code, code) == 0)
            return true;
    return false;
}

static size_t count_all(struct fx *f)
{
    struct advice_view *items = NULL;
    size_t n = 0;
    char next[CURSOR_SIZE];
    struct fielderrs fe = {0};
    struct migrant_advice_query q = {.limit = 500};
    assert_int_equal(migrant_advice_list(&f->op, &q, &items, &n, next, &fe), ERR_OK);
    advice_views_free(items, n);
    return n;
}

static void test_a_member_records_for_her_group(void **state)
{
    struct fx *f = *state;
    struct actor m;
    struct migrant_advice_in in;
    struct advice_view v = {0};
    struct fielderrs fe = {0};
    fx_actor(f, "member", f->org, f->group1, &m);
    struct ctx cx = fx_ctx(f, &m);
    good(&in, "2026-02-01");
    in.channel = "irregular";
    in.documents.passport = false;
    in.follow_up_on = "2026-02-15";
    assert_int_equal(migrant_advice_create(&cx, &in, &v, &fe), ERR_OK);
    assert_string_equal(v.rec.group_id, f->group1); /* from her account */
    assert_string_equal(v.rec.organization_id, f->org);
    assert_string_equal(v.rec.recorded_by, m.user.id);
    assert_string_equal(v.name_km, "សុខ ស្រីនាង");
    assert_string_equal(v.name_latn, "Sok Sreyneang");
    assert_string_equal(v.phone, "012 345 678");
    assert_string_equal(v.rec.sex, "female");
    assert_int_equal(v.rec.birth_year, 1998);
    assert_string_equal(v.rec.destination, "TH");
    assert_string_equal(v.rec.follow_up_on, "2026-02-15");
    assert_int_equal(v.rec.version, 1);
    assert_int_equal(v.nwarnings, 2);
    assert_string_equal(v.warnings[0].code, "irregular_border_crossing");
    assert_int_equal(v.warnings[0].why, MSG_WARN_IRREGULAR_BORDER_CROSSING);
    assert_string_equal(v.warnings[1].code, "missing_documents");
    /* The codes are kept plain for reports. */
    assert_string_equal(v.rec.warnings, "[\"irregular_border_crossing\",\"missing_documents\"]");
    assert_non_null(strstr(v.rec.documents, "\"passport\":false"));
    assert_non_null(strstr(v.rec.documents, "\"contract\":true"));
    advice_view_free(&v);
    actor_free(&m);
}

/* Whether the bytes of needle occur in the file at path. */
static bool file_has(const char *path, const char *needle)
{
    FILE *fp = fopen(path, "rb");
    if (fp == NULL)
        return false;
    static char buf[1 << 22];
    size_t n = fread(buf, 1, sizeof buf, fp);
    fclose(fp);
    return memmem(buf, n, needle, strlen(needle)) != NULL;
}

static void test_the_person_is_sealed(void **state)
{
    struct fx *f = *state;
    struct actor rep;
    struct migrant_advice_in in;
    struct advice_view v = {0}, again = {0};
    struct fielderrs fe = {0};
    fx_actor(f, "representative", f->org, f->group1, &rep);
    struct ctx cx = fx_ctx(f, &rep);
    good(&in, "2026-02-02");
    in.person.name_latn = "Chanthou Unsealedname";
    in.person.name_km = NULL;
    in.person.phone = "097 555 1234";
    assert_int_equal(migrant_advice_create(&cx, &in, &v, &fe), ERR_OK);
    char wal[128];
    snprintf(wal, sizeof wal, "%s-wal", f->db);
    /* What is plain is found where the name is not. */
    assert_true(file_has(f->db, "Group 1") || file_has(wal, "Group 1"));
    assert_false(file_has(f->db, "Unsealedname"));
    assert_false(file_has(wal, "Unsealedname"));
    assert_false(file_has(f->db, "097 555 1234"));
    assert_false(file_has(wal, "097 555 1234"));
    assert_true(v.rec.person.len > 0);
    assert_int_equal(migrant_advice_get(&cx, v.rec.id, &again), ERR_OK);
    assert_string_equal(again.name_latn, "Chanthou Unsealedname");
    assert_null(again.name_km);
    assert_string_equal(again.phone, "097 555 1234");
    advice_view_free(&again);
    advice_view_free(&v);
    actor_free(&rep);
}

static void test_rules(void **state)
{
    struct fx *f = *state;
    struct actor m;
    struct migrant_advice_in in;
    struct advice_view v = {0};
    fx_actor(f, "member", f->org, f->group1, &m);
    struct ctx cx = fx_ctx(f, &m);
    size_t before = count_all(f);
    char tomorrow[DATE_SIZE], ts[TS_SIZE];
    clock_rfc3339(clock_now() + 2 * 86400, ts);
    snprintf(tomorrow, sizeof tomorrow, "%.10s", ts);
    static const char *const fields[] = {
        "date",         "date",
        "date",         "person",
        "person.sex",   "person.birth_year",
        "destination",  "sector",
        "channel",      "risks",
        "follow_up_on", "agency_id",
        "person.phone", "person.birth_year",
    };
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        struct fielderrs fe = {0};
        good(&in, "2026-01-15");
        switch (i) {
        case 0:
            in.date = NULL;
            break;
        case 1:
            in.date = "1999-12-31";
            break;
        case 2:
            in.date = tomorrow;
            break;
        case 3:
            in.has_person = false;
            in.person.sex = NULL;
            in.person.birth_year = -1;
            break;
        case 4:
            in.person.sex = "robot";
            break;
        case 5:
            in.person.birth_year = 1800;
            break;
        case 6:
            in.destination = "Thailand";
            break;
        case 7:
            in.sector = "piracy";
            break;
        case 8:
            in.channel = "boat";
            break;
        case 9:
            in.risks[0] = "minor";
            in.risks[1] = "minor";
            in.nrisks = 2;
            break;
        case 10:
            in.follow_up_on = "2026-01-14";
            break;
        case 11:
            in.agency_id = "0123456789abcdef0123456789abcdef";
            break;
        case 12:
            in.person.phone = "call me";
            break;
        case 13:
            in.date = "2001-01-01";
            in.person.birth_year = 2002;
            break;
        }
        enum err e = migrant_advice_create(&cx, &in, &v, &fe);
        if (e != ERR_VALIDATION)
            fail_msg("case %zu (%s): %d", i, fields[i], e);
        bool found = false;
        for (int k = 0; k < fe.n; k++)
            if (strcmp(fe.e[k].field, fields[i]) == 0)
                found = true;
        if (!found)
            fail_msg("case %zu: no error on %s (first: %s)", i, fields[i],
                     fe.n > 0 ? fe.e[0].field : "none");
    }
    assert_int_equal(count_all(f), before); /* refusals write nothing */
    actor_free(&m);
}

static void test_who_records_where(void **state)
{
    struct fx *f = *state;
    struct actor m, cw, sup, admin, prov, analyst;
    struct migrant_advice_in in;
    struct advice_view v = {0};
    struct fielderrs fe = {0};
    fx_actor(f, "member", f->org, f->group1, &m);
    fx_actor(f, "caseworker", f->org, NULL, &cw);
    fx_actor(f, "supervisor", f->org, NULL, &sup);
    fx_actor(f, "admin", NULL, NULL, &admin);
    fx_actor(f, "provider", f->porg, NULL, &prov);
    fx_actor(f, "analyst", NULL, NULL, &analyst);
    size_t before = count_all(f);

    /* A member: another group of her organization, or of another, is not found. */
    struct ctx cx = fx_ctx(f, &m);
    good(&in, "2026-01-20");
    in.group_id = f->group2;
    assert_int_equal(migrant_advice_create(&cx, &in, &v, &fe), ERR_NOT_FOUND);
    in.group_id = f->group3;
    assert_int_equal(migrant_advice_create(&cx, &in, &v, &fe), ERR_NOT_FOUND);
    /* ... even when the rest is wrong too. */
    in.sector = "piracy";
    assert_int_equal(migrant_advice_create(&cx, &in, &v, &fe), ERR_NOT_FOUND);
    /* Staff name the group, of their organization. */
    cx = fx_ctx(f, &cw);
    good(&in, "2026-01-20");
    memset(&fe, 0, sizeof fe);
    assert_int_equal(migrant_advice_create(&cx, &in, &v, &fe), ERR_VALIDATION);
    assert_string_equal(fe.e[0].field, "group_id");
    in.group_id = f->group3;
    assert_int_equal(migrant_advice_create(&cx, &in, &v, &fe), ERR_NOT_FOUND);
    assert_int_equal(count_all(f), before);
    in.group_id = f->group2;
    memset(&fe, 0, sizeof fe);
    assert_int_equal(migrant_advice_create(&cx, &in, &v, &fe), ERR_OK);
    assert_string_equal(v.rec.group_id, f->group2);
    advice_view_free(&v);
    cx = fx_ctx(f, &sup);
    in.group_id = f->group1;
    assert_int_equal(migrant_advice_create(&cx, &in, &v, &fe), ERR_OK);
    advice_view_free(&v);
    /* Who records none. */
    const struct actor *none[] = {&admin, &prov, &analyst};
    for (size_t i = 0; i < 3; i++) {
        cx = fx_ctx(f, none[i]);
        assert_int_equal(migrant_advice_create(&cx, &in, &v, &fe), ERR_FORBIDDEN);
    }
    assert_int_equal(count_all(f), before + 2);
    actor_free(&m);
    actor_free(&cw);
    actor_free(&sup);
    actor_free(&admin);
    actor_free(&prov);
    actor_free(&analyst);
}

/* Every record the caller lists is of a group she reaches. */
static void lists_only(struct fx *f, const struct actor *a, const char *const *groups,
                       size_t ngroups, enum err want)
{
    struct ctx cx = fx_ctx(f, a);
    struct advice_view *items = NULL;
    size_t n = 0;
    char next[CURSOR_SIZE];
    struct fielderrs fe = {0};
    struct migrant_advice_query q = {.limit = 500};
    assert_int_equal(migrant_advice_list(&cx, &q, &items, &n, next, &fe), want);
    for (size_t i = 0; i < n; i++) {
        bool ok = false;
        for (size_t k = 0; k < ngroups; k++)
            ok = ok || strcmp(items[i].rec.group_id, groups[k]) == 0;
        assert_true(ok);
    }
    if (want == ERR_OK && ngroups > 0)
        assert_true(n > 0);
    advice_views_free(items, n);
}

static void test_who_lists_what(void **state)
{
    struct fx *f = *state;
    struct actor m1, m3, rep2, cw, cw2, admin, prov, analyst;
    struct migrant_advice_in in;
    struct advice_view v = {0};
    struct fielderrs fe = {0};
    fx_actor(f, "member", f->org, f->group1, &m1);
    fx_actor(f, "member", f->org2, f->group3, &m3);
    fx_actor(f, "representative", f->org, f->group2, &rep2);
    fx_actor(f, "caseworker", f->org, NULL, &cw);
    fx_actor(f, "caseworker", f->org2, NULL, &cw2);
    fx_actor(f, "admin", NULL, NULL, &admin);
    fx_actor(f, "provider", f->porg, NULL, &prov);
    fx_actor(f, "analyst", NULL, NULL, &analyst);
    struct ctx cx = fx_ctx(f, &m3);
    good(&in, "2026-01-21");
    assert_int_equal(migrant_advice_create(&cx, &in, &v, &fe), ERR_OK);
    advice_view_free(&v);
    cx = fx_ctx(f, &rep2);
    assert_int_equal(migrant_advice_create(&cx, &in, &v, &fe), ERR_OK);
    advice_view_free(&v);
    cx = fx_ctx(f, &m1);
    assert_int_equal(migrant_advice_create(&cx, &in, &v, &fe), ERR_OK);
    advice_view_free(&v);

    lists_only(f, &m1, (const char *[]){f->group1}, 1, ERR_OK);
    lists_only(f, &rep2, (const char *[]){f->group2}, 1, ERR_OK);
    lists_only(f, &m3, (const char *[]){f->group3}, 1, ERR_OK);
    lists_only(f, &cw, (const char *[]){f->group1, f->group2}, 2, ERR_OK);
    lists_only(f, &cw2, (const char *[]){f->group3}, 1, ERR_OK);
    lists_only(f, &admin, (const char *[]){f->group1, f->group2, f->group3}, 3, ERR_OK);
    lists_only(f, &prov, NULL, 0, ERR_FORBIDDEN);
    lists_only(f, &analyst, NULL, 0, ERR_FORBIDDEN);

    /* A group named that she may not reach. */
    struct advice_view *items = NULL;
    size_t n = 0;
    char next[CURSOR_SIZE];
    struct migrant_advice_query q = {.group_id = f->group2};
    cx = fx_ctx(f, &m1);
    assert_int_equal(migrant_advice_list(&cx, &q, &items, &n, next, &fe), ERR_NOT_FOUND);
    cx = fx_ctx(f, &cw2);
    assert_int_equal(migrant_advice_list(&cx, &q, &items, &n, next, &fe), ERR_NOT_FOUND);
    cx = fx_ctx(f, &cw);
    assert_int_equal(migrant_advice_list(&cx, &q, &items, &n, next, &fe), ERR_OK);
    for (size_t i = 0; i < n; i++)
        assert_string_equal(items[i].rec.group_id, f->group2);
    advice_views_free(items, n);
    actor_free(&m1);
    actor_free(&m3);
    actor_free(&rep2);
    actor_free(&cw);
    actor_free(&cw2);
    actor_free(&admin);
    actor_free(&prov);
    actor_free(&analyst);
}

static void test_agency_licensed_on_the_advice_date(void **state)
{
    struct fx *f = *state;
    struct actor m;
    struct migrant_advice_in in;
    struct advice_view v = {0}, late = {0}, again = {0};
    struct fielderrs fe = {0};
    agencies(f);
    fx_actor(f, "member", f->org, f->group1, &m);
    struct ctx cx = fx_ctx(f, &m);
    /* Licensed on that day. */
    good(&in, "2026-03-01");
    in.channel = "licensed_agency";
    in.agency_id = agency_a;
    assert_int_equal(migrant_advice_create(&cx, &in, &v, &fe), ERR_OK);
    assert_int_equal(v.nwarnings, 0);
    assert_string_equal(v.rec.agency_id, agency_a);
    advice_view_free(&v);
    /* Before the first list: on no list. */
    in.date = "2025-12-31";
    assert_int_equal(migrant_advice_create(&cx, &in, &v, &fe), ERR_OK);
    assert_true(has_warning(&v, "unlicensed_agency"));
    advice_view_free(&v);
    /* The licence ran out on 2026-06-30. */
    in.date = "2026-08-01";
    assert_int_equal(migrant_advice_create(&cx, &in, &v, &fe), ERR_OK);
    assert_int_equal(v.nwarnings, 1);
    assert_string_equal(v.warnings[0].code, "unlicensed_agency");
    assert_int_equal(v.warnings[0].why, MSG_WARN_UNLICENSED_AGENCY);
    assert_string_equal(v.rec.warnings, "[\"unlicensed_agency\"]");
    /* The channel says licensed agency and none is named. */
    in.agency_id = NULL;
    in.date = "2026-03-01";
    assert_int_equal(migrant_advice_create(&cx, &in, &late, &fe), ERR_OK);
    assert_true(has_warning(&late, "unlicensed_agency"));
    advice_view_free(&late);
    /* A list dated 2026-07-01 renews the licence: read again, the record of
     * 2026-08-01 is computed from its stored facts and that list; the codes
     * stored when it was written stay as they were. */
    import(f, list2, "2026-07-01");
    assert_int_equal(migrant_advice_get(&cx, v.rec.id, &again), ERR_OK);
    assert_int_equal(again.nwarnings, 0);
    assert_string_equal(again.rec.warnings, "[\"unlicensed_agency\"]");
    advice_view_free(&again);
    advice_view_free(&v);
    actor_free(&m);
}

static void test_warnings_from_the_stored_facts(void **state)
{
    struct fx *f = *state;
    struct actor m;
    struct migrant_advice_in in;
    struct advice_view v = {0}, again = {0};
    struct fielderrs fe = {0};
    fx_actor(f, "member", f->org, f->group1, &m);
    struct ctx cx = fx_ctx(f, &m);
    good(&in, "2026-04-01");
    in.person.birth_year = 2009; /* 2026 - 2009 = 17 */
    in.documents.contract = false;
    in.channel = "border_pass";
    in.documents.passport = false; /* a border pass needs none */
    in.risks[0] = "debt_for_fees";
    in.risks[1] = "no_contact_plan";
    in.nrisks = 2;
    assert_int_equal(migrant_advice_create(&cx, &in, &v, &fe), ERR_OK);
    assert_int_equal(migrant_advice_get(&cx, v.rec.id, &again), ERR_OK);
    const char *want[] = {"no_written_contract", "debt_for_fees", "minor", "no_contact_plan"};
    assert_int_equal(again.nwarnings, 4);
    for (size_t i = 0; i < 4; i++) {
        assert_string_equal(v.warnings[i].code, want[i]);
        assert_string_equal(again.warnings[i].code, want[i]);
    }
    assert_string_equal(again.rec.risks, "[\"debt_for_fees\",\"no_contact_plan\"]");
    assert_non_null(strstr(i18n_text(LANG_EN, again.warnings[2].why), "under 18"));
    advice_view_free(&again);
    advice_view_free(&v);
    /* 18 in the year of the advice: not a minor by the birth year. */
    in.person.birth_year = 2008;
    assert_int_equal(migrant_advice_create(&cx, &in, &v, &fe), ERR_OK);
    assert_false(has_warning(&v, "minor"));
    advice_view_free(&v);
    actor_free(&m);
}

static enum err done_at(const struct ctx *cx, const char *id, int version, struct advice_view *out)
{
    struct migrant_advice_patch_in in;
    struct fielderrs fe = {0};
    migrant_advice_patch_in_init(&in);
    in.version = version;
    in.follow_up_done = true;
    return migrant_advice_follow_up_done(cx, id, &in, out, &fe);
}

static void test_follow_ups(void **state)
{
    struct fx *f = *state;
    struct actor rep, other, admin;
    struct migrant_advice_in in;
    struct advice_view due = {0}, later = {0}, done = {0}, v = {0};
    struct fielderrs fe = {0};
    /* A group of its own, so that the list holds only these. */
    char g[ID_SIZE];
    fx_group(f, "Follow-up group", PUOK_CHAS, f->org, g);
    fx_actor(f, "representative", f->org, g, &rep);
    fx_actor(f, "representative", f->org, f->group2, &other);
    fx_actor(f, "admin", NULL, NULL, &admin);
    struct ctx cx = fx_ctx(f, &rep);
    good(&in, "2026-05-01");
    in.follow_up_on = "2026-05-10";
    assert_int_equal(migrant_advice_create(&cx, &in, &due, &fe), ERR_OK);
    in.follow_up_on = "2026-06-10";
    assert_int_equal(migrant_advice_create(&cx, &in, &later, &fe), ERR_OK);
    in.follow_up_on = NULL;
    assert_int_equal(migrant_advice_create(&cx, &in, &v, &fe), ERR_OK);

    struct advice_view *items = NULL;
    size_t n = 0;
    char next[CURSOR_SIZE];
    struct migrant_advice_query q = {.follow_up_due = true, .today = "2026-05-10"};
    assert_int_equal(migrant_advice_list(&cx, &q, &items, &n, next, &fe), ERR_OK);
    assert_int_equal(n, 1);
    assert_string_equal(items[0].rec.id, due.rec.id);
    advice_views_free(items, n);
    q.today = "2026-05-09";
    assert_int_equal(migrant_advice_list(&cx, &q, &items, &n, next, &fe), ERR_OK);
    assert_int_equal(n, 0);
    advice_views_free(items, n);

    /* Another group's representative does not reach it; an admin may not mark it. */
    struct ctx ocx = fx_ctx(f, &other);
    assert_int_equal(done_at(&ocx, due.rec.id, 1, &done), ERR_NOT_FOUND);
    struct ctx acx = fx_ctx(f, &admin);
    assert_int_equal(done_at(&acx, due.rec.id, 1, &done), ERR_FORBIDDEN);
    /* A stale version; one without a follow-up. */
    assert_int_equal(done_at(&cx, due.rec.id, 2, &done), ERR_CONFLICT);
    assert_int_equal(done_at(&cx, v.rec.id, 1, &done), ERR_CONFLICT);
    assert_int_equal(done_at(&cx, due.rec.id, 1, &done), ERR_OK);
    assert_int_equal(done.rec.version, 2);
    assert_true(done.rec.follow_up_done_at[0] != '\0');
    advice_view_free(&done);
    assert_int_equal(done_at(&cx, due.rec.id, 1, &done), ERR_CONFLICT);
    assert_int_equal(done_at(&cx, due.rec.id, 2, &done), ERR_CONFLICT);
    q.today = "2026-07-01";
    assert_int_equal(migrant_advice_list(&cx, &q, &items, &n, next, &fe), ERR_OK);
    assert_int_equal(n, 1);
    assert_string_equal(items[0].rec.id, later.rec.id);
    advice_views_free(items, n);

    /* Pages of one. */
    struct migrant_advice_query p = {.limit = 1};
    size_t total = 0;
    char cur[CURSOR_SIZE] = "";
    do {
        p.cursor = cur[0] != '\0' ? cur : NULL;
        assert_int_equal(migrant_advice_list(&cx, &p, &items, &n, next, &fe), ERR_OK);
        total += n;
        advice_views_free(items, n);
        memcpy(cur, next, CURSOR_SIZE);
    } while (cur[0] != '\0' && total < 10);
    assert_int_equal(total, 3);
    advice_view_free(&due);
    advice_view_free(&later);
    advice_view_free(&v);
    actor_free(&rep);
    actor_free(&other);
    actor_free(&admin);
}

int main(void)
{
    test_audit_keys();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_member_records_for_her_group),
        cmocka_unit_test(test_the_person_is_sealed),
        cmocka_unit_test(test_rules),
        cmocka_unit_test(test_who_records_where),
        cmocka_unit_test(test_who_lists_what),
        cmocka_unit_test(test_agency_licensed_on_the_advice_date),
        cmocka_unit_test(test_warnings_from_the_stored_facts),
        cmocka_unit_test(test_follow_ups),
    };
    return cmocka_run_group_tests_name("migrant_advice", tests, fx_setup, fx_teardown);
}
