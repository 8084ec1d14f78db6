/* Cases: reporting a concern (validation, code, sealing, audit) and who
 * sees which case and which of its fields. */
#include "audit_fixture.h"
#include "domain_fixture.h"

#include <sqlite3.h>

#include "audit/audit.h"
#include "domain/cases.h"

static struct case_report_in report_in(const char *loc, const char *concern)
{
    struct case_report_in in;
    case_report_in_init(&in);
    in.location_code = loc;
    in.concerns[0] = concern;
    in.nconcerns = 1;
    in.summary = "Recruited by a broker; passport kept by the employer.";
    in.has_survivor = true;
    in.survivor.name_km = "\u179F\u17BB\u1781\u17B6";
    in.survivor.name_latn = "Sreymom";
    in.survivor.phone = "012 999 888";
    in.survivor.sex = "female";
    in.survivor.age = 17;
    in.survivor.age_estimated = true;
    in.survivor.address_code = PUOK_CHAS;
    in.survivor.address_text = "Near the pagoda";
    return in;
}

/* Audit entries with that action about record_id by user_id whose detail is
 * detail (NULL: any). */
static int audit_count_by(struct fx *f, const char *action, const char *record_id,
                          const char *user_id, const char *detail)
{
    struct audit_rec *items = NULL;
    size_t n = 0;
    int count = 0;
    assert_int_equal(store_audit_range(f->op.db, 0, 1000000, &items, &n), ERR_OK);
    for (size_t i = 0; i < n; i++)
        if (strcmp(items[i].action, action) == 0 && strcmp(items[i].record_id, record_id) == 0 &&
            strcmp(items[i].user_id, user_id) == 0 &&
            (detail == NULL || (items[i].detail != NULL && strcmp(items[i].detail, detail) == 0)))
            count++;
    audit_list_free(items, n);
    return count;
}

/* No audit entry's detail holds text (a name, a phone). */
static void audit_free_of(struct fx *f, const char *text)
{
    struct audit_rec *items = NULL;
    size_t n = 0;
    assert_int_equal(store_audit_range(f->op.db, 0, 1000000, &items, &n), ERR_OK);
    for (size_t i = 0; i < n; i++)
        assert_true(items[i].detail == NULL || strstr(items[i].detail, text) == NULL);
    audit_list_free(items, n);
}

static void report_ok(const struct ctx *cx, const struct case_report_in *in, char id[ID_SIZE],
                      char code[CODE_SIZE])
{
    struct case_view v = {0};
    struct fielderrs fe = {0};
    assert_int_equal(case_report(cx, in, &v, &fe), ERR_OK);
    memcpy(id, v.rec.id, ID_SIZE);
    if (code != NULL)
        memcpy(code, v.rec.code, CODE_SIZE);
    case_view_free(&v);
}

static int audit_count(struct fx *f, const char *action, const char *record_id)
{
    struct audit_rec *items = NULL;
    size_t n = 0;
    int count = 0;
    assert_int_equal(store_audit_range(f->op.db, 0, 1000000, &items, &n), ERR_OK);
    for (size_t i = 0; i < n; i++)
        if (strcmp(items[i].action, action) == 0 && strcmp(items[i].record_id, record_id) == 0)
            count++;
    audit_list_free(items, n);
    return count;
}

static void test_report_by_member(void **state)
{
    struct fx *f = *state;
    struct actor mem;
    fx_actor(f, "member", NULL, f->group1, &mem); /* organization from her group */
    struct ctx cx = fx_ctx(f, &mem);
    struct case_report_in in = report_in(PUOK_CHAS, "trafficking");
    in.urgent = true;
    struct case_view v = {0};
    struct fielderrs fe = {0};
    char year[8];
    snprintf(year, sizeof year, "%d", clock_year());

    assert_int_equal(case_report(&cx, &in, &v, &fe), ERR_OK);
    /* Limited view for a member: id, code, status, concerns, dates only. */
    assert_false(v.detail);
    assert_string_equal(v.rec.status, "reported");
    assert_int_equal(v.rec.nconcerns, 1);
    assert_string_equal(v.rec.concerns[0], "trafficking");
    assert_int_equal(strncmp(v.rec.code, "PUK-", 4), 0);
    assert_int_equal(strncmp(v.rec.code + 4, year, 4), 0);
    assert_int_equal(strlen(v.rec.code), strlen("PUK-2026-0001"));
    assert_string_equal(v.rec.location_code, "");
    assert_string_equal(v.rec.reported_by, mem.user.id); /* her own report */
    assert_false(v.rec.urgent);
    assert_int_equal(v.rec.version, 0);
    assert_null(v.summary);
    assert_false(v.has_survivor);
    assert_true(v.rec.created_at[0] != '\0');

    /* Stored: organization from the group, identity and summary sealed. */
    struct case_rec r = {0};
    assert_int_equal(store_case_get(f->op.db, v.rec.id, &r), ERR_OK);
    assert_string_equal(r.organization_id, f->org);
    assert_string_equal(r.group_id, f->group1);
    assert_string_equal(r.reported_by, mem.user.id);
    assert_true(r.urgent);
    assert_int_equal(r.version, 1);
    assert_true(r.has_survivor);
    assert_string_equal(r.survivor.sex, "female");
    assert_int_equal(r.survivor.age, 17);
    assert_true(r.survivor.age_estimated);
    assert_true(r.survivor.identity.len > 0);
    assert_null(memmem(r.survivor.identity.p, r.survivor.identity.len, "Sreymom", 7));
    assert_true(r.summary.len > 0);
    assert_null(memmem(r.summary.p, r.summary.len, "broker", 6));
    char *pt = NULL;
    size_t n = 0;
    /* Sealed under the case's own key, which the data key alone is not. */
    assert_false(crypto_unseal(f->key, r.id, &r.survivor.identity, &pt, &n));
    struct blob w = {0};
    struct casekey *ck = NULL;
    char kad[64];
    snprintf(kad, sizeof kad, "case_key/%s", r.id);
    assert_int_equal(store_case_key_get(f->op.db, r.id, &w), ERR_OK);
    assert_true(casekey_open(f->key, kad, &w, &ck));
    assert_true(casekey_unseal(ck, r.id, &r.survivor.identity, &pt, &n));
    assert_non_null(strstr(pt, "Sreymom"));
    free(pt);
    /* The summary is not sealed under the survivor's associated data. */
    assert_false(casekey_unseal(ck, r.id, &r.summary, &pt, &n));
    casekey_free(ck);
    free(w.p);
    case_rec_free(&r);

    assert_int_equal(audit_count(f, "create", v.rec.id), 1);
    case_view_free(&v);
    actor_free(&mem);
}

static void test_code_prefix_and_sequence(void **state)
{
    struct fx *f = *state;
    struct actor cw;
    fx_actor(f, "caseworker", f->org, NULL, &cw);
    struct ctx cx = fx_ctx(f, &cw);
    struct case_report_in in = report_in(KRALANH_VILLAGE, "forced_labour");
    char id[ID_SIZE], a[CODE_SIZE], b[CODE_SIZE];
    report_ok(&cx, &in, id, a);
    report_ok(&cx, &in, id, b);
    assert_int_equal(strncmp(a, "KRL-", 4), 0);
    assert_int_equal(strncmp(b, "KRL-", 4), 0);
    assert_int_equal(atoi(b + 9), atoi(a + 9) + 1);
    /* A district itself is a valid location: Puok -> PUK. */
    in.location_code = "1707";
    report_ok(&cx, &in, id, a);
    assert_int_equal(strncmp(a, "PUK-", 4), 0);
    actor_free(&cw);
}

static void test_report_validation(void **state)
{
    struct fx *f = *state;
    struct actor rep;
    fx_actor(f, "representative", f->org, f->group2, &rep);
    struct ctx cx = fx_ctx(f, &rep);
    char big[SUMMARY_MAX_CHARS + 2];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';

    struct case_report_in in;
    struct case_view v = {0};
    struct fielderrs fe;
#define EXPECT(stmt, fieldname)                                                                    \
    do {                                                                                           \
        in = report_in(PUOK_CHAS, "trafficking");                                                  \
        stmt;                                                                                      \
        memset(&fe, 0, sizeof fe);                                                                 \
        assert_int_equal(case_report(&cx, &in, &v, &fe), ERR_VALIDATION);                          \
        if (fielderr_get(&fe, fieldname) == NULL)                                                  \
            fail_msg("no error for %s", fieldname);                                                \
    } while (0)
    EXPECT(in.location_code = NULL, "location_code");
    EXPECT(in.location_code = "99999999", "location_code");
    EXPECT(in.location_code = "17", "location_code"); /* a province */
    EXPECT(in.nconcerns = 0, "concerns");
    EXPECT(in.nconcerns = CONCERNS_MAX + 1, "concerns");
    EXPECT(in.concerns[0] = "gossip", "concerns");
    EXPECT((in.concerns[1] = "trafficking", in.nconcerns = 2), "concerns");
    EXPECT(in.summary = big, "summary");
    EXPECT(in.summary = "bad\x02text", "summary");
    EXPECT(in.survivor.sex = NULL, "survivor.sex");
    EXPECT(in.survivor.sex = "f", "survivor.sex");
    EXPECT((in.survivor.age = -1, in.survivor.birth_date = "2001-02-30"), "survivor.birth_date");
    EXPECT((in.survivor.age = -1, in.survivor.birth_date = "2999-01-01"), "survivor.birth_date");
    EXPECT(in.survivor.birth_date = "2001-02-03", "survivor.age"); /* both given */
    EXPECT(in.survivor.age = 121, "survivor.age");
    EXPECT(in.survivor.address_code = "1", "survivor.address_code");
    EXPECT(in.survivor.phone = "not a phone", "survivor.phone");
    EXPECT(in.survivor.name_latn = "\xff\xfe", "survivor.name_latn");
#undef EXPECT

    /* Nothing was written by any refusal. */
    struct case_query q = {0};
    struct case_view *items = NULL;
    size_t n = 0;
    char next[CURSOR_SIZE];
    assert_int_equal(case_list(&cx, &q, &items, &n, next, &fe), ERR_OK);
    assert_int_equal(n, 0);
    case_views_free(items, n);

    /* Birth date instead of age: the age is computed. */
    in = report_in(PUOK_CHAS, "trafficking");
    in.survivor.age = -1;
    in.survivor.birth_date = "2000-01-01";
    memset(&fe, 0, sizeof fe);
    assert_int_equal(case_report(&cx, &in, &v, &fe), ERR_OK);
    struct case_rec r = {0};
    assert_int_equal(store_case_get(f->op.db, v.rec.id, &r), ERR_OK);
    assert_true(r.survivor.age >= 25);
    assert_false(r.survivor.age_estimated);
    case_rec_free(&r);
    case_view_free(&v);
    actor_free(&rep);
}

static void test_who_may_report(void **state)
{
    struct fx *f = *state;
    struct case_report_in in = report_in(PUOK_CHAS, "other");
    struct case_view v = {0};
    struct fielderrs fe = {0};
    /* The local operator needs a real reporter. */
    assert_int_equal(case_report(&f->op, &in, &v, &fe), ERR_FORBIDDEN);
    const char *refused[] = {"provider", "analyst", "admin"};
    for (size_t i = 0; i < 3; i++) {
        struct actor a;
        fx_actor(f, refused[i], i == 0 ? f->porg : f->org, NULL, &a);
        struct ctx cx = fx_ctx(f, &a);
        assert_int_equal(case_report(&cx, &in, &v, &fe), ERR_FORBIDDEN);
        actor_free(&a);
    }
}

static bool list_has(const struct case_view *items, size_t n, const char *id)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(items[i].rec.id, id) == 0)
            return true;
    return false;
}

static void list_all(struct fx *f, const struct actor *a, struct case_view **items, size_t *n)
{
    struct ctx cx = fx_ctx(f, a);
    struct case_query q = {0};
    struct fielderrs fe = {0};
    char next[CURSOR_SIZE];
    q.limit = 500;
    assert_int_equal(case_list(&cx, &q, items, n, next, &fe), ERR_OK);
    assert_string_equal(next, "");
}

static void test_visibility(void **state)
{
    struct fx *f = *state;
    struct actor m1, m1b, rep1, rep2, cw, cw2, cwo, sup, sup2, prov, an, adm;
    fx_actor(f, "member", f->org, f->group1, &m1);
    fx_actor(f, "member", f->org, f->group1, &m1b);
    fx_actor(f, "representative", f->org, f->group1, &rep1);
    fx_actor(f, "representative", f->org, f->group2, &rep2);
    fx_actor(f, "caseworker", f->org, NULL, &cw);
    fx_actor(f, "caseworker", f->org, NULL, &cw2);
    fx_actor(f, "caseworker", f->org2, NULL, &cwo);
    fx_actor(f, "supervisor", f->org, NULL, &sup);
    fx_actor(f, "supervisor", f->org2, NULL, &sup2);
    fx_actor(f, "provider", f->porg, NULL, &prov);
    fx_actor(f, "analyst", f->org, NULL, &an);
    fx_actor(f, "admin", f->org, NULL, &adm);

    char mine[ID_SIZE], assigned[ID_SIZE];
    struct ctx cx = fx_ctx(f, &m1);
    struct case_report_in in = report_in(PUOK_COMMUNE, "domestic_violence");
    report_ok(&cx, &in, mine, NULL);

    /* A case of the organization assigned to caseworker 2. */
    struct case_rec r = {0};
    assert_int_equal(store_case_get(f->op.db, mine, &r), ERR_OK);
    crypto_random_id(r.id);
    snprintf(r.code, sizeof r.code, "TST-2026-9999");
    memcpy(r.assigned_to, cw2.user.id, ID_SIZE);
    snprintf(r.status, sizeof r.status, "open");
    /* Sealed blobs are bound to the original id: leave them out. */
    free(r.summary.p);
    r.summary.p = NULL;
    r.summary.len = 0;
    r.has_survivor = false;
    assert_int_equal(store_case_insert(f->op.db, &r), ERR_OK);
    memcpy(assigned, r.id, ID_SIZE);
    case_rec_free(&r);

    struct case_view v = {0};
    struct case_view *items = NULL;
    size_t n = 0;

    /* Member: her own, limited; not another member's. */
    assert_int_equal(case_get(&cx, mine, &v), ERR_OK);
    assert_false(v.detail);
    assert_null(v.summary);
    assert_false(v.has_survivor);
    assert_null(v.survivor.name_latn);
    case_view_free(&v);
    cx = fx_ctx(f, &m1b);
    assert_int_equal(case_get(&cx, mine, &v), ERR_NOT_FOUND);
    list_all(f, &m1b, &items, &n);
    assert_false(list_has(items, n, mine));
    case_views_free(items, n);

    /* Representative: her group's, limited; the other group's rep: 404. */
    cx = fx_ctx(f, &rep1);
    assert_int_equal(case_get(&cx, mine, &v), ERR_OK);
    assert_false(v.detail);
    case_view_free(&v);
    list_all(f, &rep1, &items, &n);
    assert_true(list_has(items, n, mine));
    for (size_t i = 0; i < n; i++)
        assert_false(items[i].detail);
    case_views_free(items, n);
    cx = fx_ctx(f, &rep2);
    assert_int_equal(case_get(&cx, mine, &v), ERR_NOT_FOUND);

    /* Caseworker: unassigned and her own, with details; read audited. */
    int reads = audit_count(f, "read", mine);
    cx = fx_ctx(f, &cw);
    assert_int_equal(case_get(&cx, mine, &v), ERR_OK);
    assert_true(v.detail);
    assert_true(v.has_survivor);
    assert_string_equal(v.survivor.name_latn, "Sreymom");
    assert_string_equal(v.survivor.phone, "012 999 888");
    assert_string_equal(v.survivor.address_code, PUOK_CHAS);
    assert_string_equal(v.survivor.address_text, "Near the pagoda");
    assert_int_equal(v.survivor.age, 17);
    assert_non_null(strstr(v.summary, "broker"));
    assert_string_equal(v.rec.location_code, PUOK_COMMUNE);
    assert_string_equal(v.rec.reported_by, m1.user.id);
    assert_int_equal(v.rec.version, 1);
    assert_null(v.rec.summary.p);
    assert_null(v.rec.survivor.identity.p);
    case_view_free(&v);
    assert_int_equal(audit_count(f, "read", mine), reads + 1);
    assert_int_equal(case_get(&cx, assigned, &v), ERR_NOT_FOUND);
    list_all(f, &cw, &items, &n);
    assert_true(list_has(items, n, mine));
    assert_false(list_has(items, n, assigned));
    case_views_free(items, n);
    cx = fx_ctx(f, &cw2);
    assert_int_equal(case_get(&cx, assigned, &v), ERR_OK);
    assert_true(v.detail);
    case_view_free(&v);
    cx = fx_ctx(f, &cwo);
    assert_int_equal(case_get(&cx, mine, &v), ERR_NOT_FOUND);

    /* Supervisor: all of her organization's; not another's. */
    list_all(f, &sup, &items, &n);
    assert_true(list_has(items, n, mine) && list_has(items, n, assigned));
    for (size_t i = 0; i < n; i++) {
        assert_true(items[i].detail);
        assert_null(items[i].summary); /* lists carry no sealed content */
        assert_false(items[i].has_survivor);
    }
    case_views_free(items, n);
    cx = fx_ctx(f, &sup2);
    assert_int_equal(case_get(&cx, mine, &v), ERR_NOT_FOUND);

    /* Provider, analyst, admin: no case records at all. */
    const struct actor *none[] = {&prov, &an, &adm};
    for (size_t i = 0; i < 3; i++) {
        struct case_query q = {0};
        struct fielderrs fe = {0};
        char next[CURSOR_SIZE];
        cx = fx_ctx(f, none[i]);
        assert_int_equal(case_get(&cx, mine, &v), ERR_FORBIDDEN);
        assert_int_equal(case_get(&cx, "nosuchcase", &v), ERR_FORBIDDEN);
        assert_int_equal(case_list(&cx, &q, &items, &n, next, &fe), ERR_FORBIDDEN);
    }
    cx = fx_ctx(f, &sup);
    assert_int_equal(case_get(&cx, "nosuchcase", &v), ERR_NOT_FOUND);
    assert_int_equal(case_get(&cx, "../../etc", &v), ERR_NOT_FOUND);

    struct actor *all[] = {&m1, &m1b, &rep1, &rep2, &cw, &cw2, &cwo, &sup, &sup2, &prov, &an, &adm};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        actor_free(all[i]);
}

static void test_list_pages_and_filters(void **state)
{
    struct fx *f = *state;
    struct actor mem, sup;
    fx_actor(f, "member", f->org2, f->group3, &mem);
    fx_actor(f, "supervisor", f->org2, NULL, &sup);
    struct ctx cx = fx_ctx(f, &mem);
    char ids[7][ID_SIZE];
    for (int i = 0; i < 7; i++) {
        struct case_report_in in = report_in(PUOK_CHAS, i < 3 ? "trafficking" : "other");
        in.urgent = i == 2 || i == 5;
        report_ok(&cx, &in, ids[i], NULL);
    }

    cx = fx_ctx(f, &sup);
    struct case_query q = {0};
    struct fielderrs fe = {0};
    char next[CURSOR_SIZE] = "", cursor[CURSOR_SIZE];
    char seen[7][ID_SIZE];
    size_t nseen = 0;
    int pages = 0;
    q.limit = 3;
    do {
        struct case_view *items = NULL;
        size_t n = 0;
        assert_int_equal(case_list(&cx, &q, &items, &n, next, &fe), ERR_OK);
        assert_true(n <= 3);
        for (size_t i = 0; i < n; i++) {
            assert_true(nseen < 7);
            /* Urgent first. */
            if (nseen < 2)
                assert_true(items[i].rec.urgent);
            else
                assert_false(items[i].rec.urgent);
            for (size_t j = 0; j < nseen; j++)
                assert_string_not_equal(seen[j], items[i].rec.id);
            memcpy(seen[nseen++], items[i].rec.id, ID_SIZE);
        }
        case_views_free(items, n);
        memcpy(cursor, next, CURSOR_SIZE);
        q.cursor = cursor;
        pages++;
    } while (next[0] != '\0' && pages < 10);
    assert_int_equal(nseen, 7);
    assert_int_equal(pages, 3);

    /* Filters. */
    struct case_view *items = NULL;
    size_t n = 0;
    struct case_query fq = {.concern = "trafficking", .limit = 100};
    assert_int_equal(case_list(&cx, &fq, &items, &n, next, &fe), ERR_OK);
    assert_int_equal(n, 3);
    case_views_free(items, n);
    struct case_query sq = {.status = "closed"};
    assert_int_equal(case_list(&cx, &sq, &items, &n, next, &fe), ERR_OK);
    assert_int_equal(n, 0);
    case_views_free(items, n);

    /* Refusals. */
    const struct {
        struct case_query q;
        const char *field;
    } bad[] = {
        {{.status = "pending"}, "status"}, {{.concern = "gossip"}, "concern"},
        {{.limit = 501}, "limit"},         {{.limit = -1}, "limit"},
        {{.cursor = "!!"}, "cursor"},      {{.cursor = "MXx4fHk"}, "cursor"}, /* "1|x|y" */
        {{.cursor = ""}, "cursor"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        memset(&fe, 0, sizeof fe);
        assert_int_equal(case_list(&cx, &bad[i].q, &items, &n, next, &fe), ERR_VALIDATION);
        if (fielderr_get(&fe, bad[i].field) == NULL)
            fail_msg("case %zu: no error for %s", i, bad[i].field);
    }
    actor_free(&mem);
    actor_free(&sup);
}

/* ---- the survivor's blind index ---- */

#define KM_NAME  "\u179F\u17D2\u179A\u17B8\u1796\u17C5 \u1785\u1793\u17D2\u1792\u17B8"
#define KM_NAME2 "\u1791\u17C1\u179C\u17B8 \u1785\u17B6\u1793\u17CB"

static struct case_report_in dup_in(const char *km, const char *latn, const char *phone,
                                    const char *sex)
{
    struct case_report_in in = report_in(PUOK_CHAS, "unsafe_migration");
    in.survivor.name_km = km;
    in.survivor.name_latn = latn;
    in.survivor.phone = phone;
    in.survivor.sex = sex;
    return in;
}

/* Reports in as a and returns the answer (case_view_free it). */
static void report_view(struct fx *f, const struct actor *a, const struct case_report_in *in,
                        struct case_view *v)
{
    struct ctx cx = fx_ctx(f, a);
    struct fielderrs fe = {0};
    assert_int_equal(case_report(&cx, in, v, &fe), ERR_OK);
}

static double dup_score(const struct case_view *v, const char *id)
{
    for (size_t i = 0; i < v->nduplicates; i++)
        if (strcmp(v->duplicates[i].id, id) == 0)
            return v->duplicates[i].score;
    return -1.0;
}

static int key_rows(struct fx *f, const char *case_id, const char *kind)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    int n = -1;
    assert_int_equal(sqlite3_open_v2(f->db, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "SELECT count(*) FROM survivor_key"
                                        " WHERE case_id = ?1 AND kind = ?2",
                                        -1, &st, NULL),
                     SQLITE_OK);
    sqlite3_bind_text(st, 1, case_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return n;
}

/* Whether the bytes of the database files hold s. */
static bool db_holds(struct fx *f, const char *s)
{
    const char *suffix[] = {"", "-wal"};
    bool found = false;
    for (size_t i = 0; i < 2 && !found; i++) {
        char path[128];
        snprintf(path, sizeof path, "%s%s", f->db, suffix[i]);
        FILE *fp = fopen(path, "rb");
        if (fp == NULL)
            continue;
        size_t cap = 1 << 20, n = 0, got;
        char *buf = malloc(cap);
        assert_non_null(buf);
        while ((got = fread(buf + n, 1, cap - n, fp)) > 0) {
            n += got;
            if (n == cap) {
                cap *= 2;
                buf = realloc(buf, cap);
                assert_non_null(buf);
            }
        }
        fclose(fp);
        found = memmem(buf, n, s, strlen(s)) != NULL;
        free(buf);
    }
    return found;
}

static void test_blind_index_written(void **state)
{
    struct fx *f = *state;
    struct actor cw;
    fx_actor(f, "caseworker", f->org, NULL, &cw);
    struct case_report_in in = dup_in(KM_NAME, "Srey Pov Chanthy", "+855 97 555 0101", "female");
    struct case_view v = {0};
    report_view(f, &cw, &in, &v);

    /* Latin: 3 words and the whole name; Khmer: 2 words and the whole. */
    assert_int_equal(key_rows(f, v.rec.id, "name"), 7);
    assert_int_equal(key_rows(f, v.rec.id, "phone"), 1);
    /* The phone's key is that of its national form. */
    char key[KEYED_HASH_SIZE];
    const char *keys[] = {key};
    struct case_filter scope = {.organization_id = f->org, .limit = 10};
    struct survivor_match *m = NULL;
    size_t n = 0;
    crypto_keyed_hash(f->key, "survivor_phone", "0975550101", key);
    assert_int_equal(store_survivor_match(f->op.db, &scope, "phone", keys, 1, &m, &n), ERR_OK);
    assert_int_equal(n, 1);
    assert_string_equal(m[0].id, v.rec.id);
    assert_string_equal(m[0].code, v.rec.code);
    assert_string_equal(m[0].sex, "female");
    assert_int_equal(m[0].nkeys, 1);
    free(m);

    /* The database holds no name, phone or skeleton in plain text. */
    const char *secrets[] = {"Chanthy",
                             "Srey Pov",
                             "srepav",
                             "Cante",
                             "0975550101",
                             "97 555 0101",
                             "\u1785\u1793\u17D2\u1792\u17B8"};
    for (size_t i = 0; i < sizeof secrets / sizeof secrets[0]; i++)
        if (db_holds(f, secrets[i]))
            fail_msg("the database holds secret %zu in plain text", i);
    case_view_free(&v);
    actor_free(&cw);
}

static void test_possible_duplicates(void **state)
{
    struct fx *f = *state;
    struct actor cw, sup, mem, rep, cwo;
    fx_actor(f, "caseworker", f->org, NULL, &cw);
    fx_actor(f, "supervisor", f->org, NULL, &sup);
    fx_actor(f, "member", f->org, f->group1, &mem);
    fx_actor(f, "representative", f->org, f->group1, &rep);
    fx_actor(f, "caseworker", f->org2, NULL, &cwo);
    struct case_view a = {0}, v = {0};
    struct case_report_in in;

    in = dup_in(KM_NAME2, "Sokha Bopha Tevy", "011 222 333", "female");
    report_view(f, &cw, &in, &a);
    assert_true(a.has_duplicates);
    assert_int_equal(a.nduplicates, 0); /* never itself */

    /* The phone alone, written another way: 0.6. */
    in = dup_in(NULL, NULL, "+855 11 222 333", "female");
    report_view(f, &cw, &in, &v);
    assert_true(v.has_duplicates);
    assert_true(dup_score(&v, a.rec.id) > 0.59 && dup_score(&v, a.rec.id) < 0.61);
    case_view_free(&v);

    /* The name spelled another way, no phone: 0.4. */
    in = dup_in(NULL, "Sokhaa Bopa Tevi", NULL, "female");
    report_view(f, &sup, &in, &v);
    assert_true(dup_score(&v, a.rec.id) > 0.39 && dup_score(&v, a.rec.id) < 0.41);
    case_view_free(&v);

    /* Written without spaces, and Khmer: the whole name matches. */
    in = dup_in(NULL, "SokhaBopha Tevy", NULL, "unknown");
    report_view(f, &cw, &in, &v);
    assert_true(dup_score(&v, a.rec.id) > 0.39);
    case_view_free(&v);
    in = dup_in(KM_NAME2, NULL, NULL, "female");
    report_view(f, &cw, &in, &v);
    assert_true(dup_score(&v, a.rec.id) > 0.39);
    case_view_free(&v);

    /* Phone and name: best first, capped at 1. */
    in = dup_in(KM_NAME2, "Sokha Bopha Tevy", "011222333", "female");
    report_view(f, &cw, &in, &v);
    assert_true(v.nduplicates >= 2);
    assert_string_equal(v.duplicates[0].id, a.rec.id);
    assert_true(v.duplicates[0].score > 0.99 && v.duplicates[0].score <= 1.0);
    for (size_t i = 1; i < v.nduplicates; i++)
        assert_true(v.duplicates[i - 1].score >= v.duplicates[i].score);
    assert_true(dup_score(&v, v.rec.id) < 0);
    case_view_free(&v);

    /* Part of the name only: below 0.4, not shown. */
    in = dup_in(NULL, "Sokha Dara", NULL, "female");
    report_view(f, &cw, &in, &v);
    assert_true(dup_score(&v, a.rec.id) < 0);
    case_view_free(&v);

    /* Another sex, when both are known: not the same survivor. */
    in = dup_in(KM_NAME2, "Sokha Bopha Tevy", "011 222 333", "male");
    report_view(f, &cw, &in, &v);
    assert_true(dup_score(&v, a.rec.id) < 0);
    case_view_free(&v);

    /* Another organization's caseworker learns nothing of it. */
    in = dup_in(KM_NAME2, "Sokha Bopha Tevy", "011 222 333", "female");
    report_view(f, &cwo, &in, &v);
    assert_true(v.has_duplicates);
    assert_true(dup_score(&v, a.rec.id) < 0);
    case_view_free(&v);

    /* Members and representatives are never told, not even "none". */
    report_view(f, &mem, &in, &v);
    assert_false(v.has_duplicates);
    assert_int_equal(v.nduplicates, 0);
    case_view_free(&v);
    report_view(f, &rep, &in, &v);
    assert_false(v.has_duplicates);
    assert_int_equal(v.nduplicates, 0);
    case_view_free(&v);

    case_view_free(&a);
    struct actor *all[] = {&cw, &sup, &mem, &rep, &cwo};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        actor_free(all[i]);
}

/* The cases a name search by a finds, into ids (at most 500). */
static enum err search(struct fx *f, const struct actor *a, const char *q, size_t *n,
                       char ids[][ID_SIZE], size_t max)
{
    struct ctx cx = fx_ctx(f, a);
    struct case_query cq = {.q = q, .limit = 500};
    struct case_view *items = NULL;
    struct fielderrs fe = {0};
    char next[CURSOR_SIZE];
    *n = 0;
    enum err e = case_list(&cx, &cq, &items, n, next, &fe);
    if (e == ERR_VALIDATION)
        assert_non_null(fielderr_get(&fe, "q"));
    for (size_t i = 0; i < *n && i < max; i++) {
        memcpy(ids[i], items[i].rec.id, ID_SIZE);
        assert_true(items[i].detail);
    }
    case_views_free(items, *n);
    return e;
}

static bool ids_have(char ids[][ID_SIZE], size_t n, const char *id)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(ids[i], id) == 0)
            return true;
    return false;
}

static void test_name_search(void **state)
{
    struct fx *f = *state;
    struct actor cw, sup, sup2, rep, mem;
    fx_actor(f, "caseworker", f->org, NULL, &cw);
    fx_actor(f, "supervisor", f->org, NULL, &sup);
    fx_actor(f, "supervisor", f->org2, NULL, &sup2);
    fx_actor(f, "representative", f->org, f->group1, &rep);
    fx_actor(f, "member", f->org, f->group1, &mem);
    struct case_view a = {0}, b = {0};
    struct case_report_in in = dup_in(KM_NAME, "Vanna Kosal Sreyleak", NULL, "female");
    report_view(f, &mem, &in, &a);
    in = dup_in(NULL, "Vanna Dara", NULL, "male");
    report_view(f, &mem, &in, &b);

    char ids[500][ID_SIZE];
    size_t n;
    /* Another spelling; every word must match. */
    assert_int_equal(search(f, &cw, "vana", &n, ids, 500), ERR_OK);
    assert_true(ids_have(ids, n, a.rec.id) && ids_have(ids, n, b.rec.id));
    assert_int_equal(search(f, &sup, "Srey Leak  Vana", &n, ids, 500), ERR_OK);
    assert_false(ids_have(ids, n, a.rec.id)); /* "Srey Leak" is two words */
    assert_int_equal(search(f, &sup, "Sreyleaq Vanna", &n, ids, 500), ERR_OK);
    assert_true(ids_have(ids, n, a.rec.id));
    assert_false(ids_have(ids, n, b.rec.id));
    assert_int_equal(search(f, &cw, "Vanna Kosal Dara", &n, ids, 500), ERR_OK);
    assert_int_equal(n, 0);
    /* Khmer: a word, or the whole name however it is spaced. */
    assert_int_equal(search(f, &cw, "\u1785\u1793\u17D2\u1792\u17B8", &n, ids, 500), ERR_OK);
    assert_true(ids_have(ids, n, a.rec.id));
    assert_false(ids_have(ids, n, b.rec.id));
    assert_int_equal(search(f, &cw,
                            "\u179F\u17D2\u179A\u17B8\u1796\u17C5\u1785\u1793\u17D2\u1792\u17B8",
                            &n, ids, 500),
                     ERR_OK);
    assert_true(ids_have(ids, n, a.rec.id));
    /* Within the caller's reach only. */
    assert_int_equal(search(f, &sup2, "Vanna", &n, ids, 500), ERR_OK);
    assert_false(ids_have(ids, n, a.rec.id));
    /* Roles that may not see names may not search them. */
    assert_int_equal(search(f, &rep, "Vanna", &n, ids, 500), ERR_FORBIDDEN);
    assert_int_equal(search(f, &mem, "Vanna", &n, ids, 500), ERR_FORBIDDEN);
    assert_int_equal(search(f, &rep, "", &n, ids, 500), ERR_FORBIDDEN);
    /* No word, or too many. */
    assert_int_equal(search(f, &sup, "", &n, ids, 500), ERR_VALIDATION);
    assert_int_equal(search(f, &sup, " -- ", &n, ids, 500), ERR_VALIDATION);
    assert_int_equal(search(f, &sup, "a b c d e f g", &n, ids, 500), ERR_VALIDATION);
    assert_int_equal(search(f, &sup, "a b c d e f", &n, ids, 500), ERR_OK);

    case_view_free(&a);
    case_view_free(&b);
    struct actor *all[] = {&cw, &sup, &sup2, &rep, &mem};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        actor_free(all[i]);
}

/* Between Khmer words a space, a zero-width space, a no-break space or
 * nothing are the same to the search, however the name was stored. */
static void test_name_search_khmer_word_breaks(void **state)
{
    struct fx *f = *state;
    struct actor mem, cw;
    fx_actor(f, "member", f->org, f->group1, &mem);
    fx_actor(f, "caseworker", f->org, NULL, &cw);
#define SOKHA  "\u179F\u17BB\u1781\u17B6"
#define CHENTA "\u1785\u17B7\u1793\u17D2\u178F\u17B6"
    const char *stored[] = {SOKHA "\u200B" CHENTA, SOKHA " " CHENTA};
    const char *typed[] = {SOKHA " " CHENTA, SOKHA "\u200B" CHENTA, SOKHA "\u00A0" CHENTA,
                           SOKHA CHENTA, SOKHA "\u200B \u200B" CHENTA};
    for (size_t s = 0; s < 2; s++) {
        struct case_view v = {0};
        struct case_report_in in = dup_in(stored[s], NULL, NULL, "female");
        report_view(f, &mem, &in, &v);
        char ids[500][ID_SIZE];
        size_t n;
        for (size_t t = 0; t < sizeof typed / sizeof typed[0]; t++) {
            assert_int_equal(search(f, &cw, typed[t], &n, ids, 500), ERR_OK);
            if (!ids_have(ids, n, v.rec.id))
                fail_msg("stored %zu, typed %zu: not found", s, t);
        }
        /* Each word alone finds her too. */
        assert_int_equal(search(f, &cw, CHENTA, &n, ids, 500), ERR_OK);
        assert_true(ids_have(ids, n, v.rec.id));
        case_view_free(&v);
    }
#undef SOKHA
#undef CHENTA
    actor_free(&mem);
    actor_free(&cw);
}

/* A name search tells the caller that a case's survivor bears that name: a
 * read of her identity, so each case it finds is audited as read by the
 * caller (never with the name). */
static void test_name_search_audited(void **state)
{
    struct fx *f = *state;
    struct actor cw, mem;
    fx_actor(f, "caseworker", f->org, NULL, &cw);
    fx_actor(f, "member", f->org, f->group1, &mem);
    struct case_view a = {0};
    struct case_report_in in = dup_in(NULL, "Chantrea Mealea", NULL, "female");
    report_view(f, &mem, &in, &a);

    char ids[500][ID_SIZE];
    size_t n;
    assert_int_equal(audit_count_by(f, "read", a.rec.id, cw.user.id, NULL), 0);
    assert_int_equal(search(f, &cw, "Chantrea Mealea", &n, ids, 500), ERR_OK);
    assert_true(ids_have(ids, n, a.rec.id));
    assert_int_equal(audit_count_by(f, "read", a.rec.id, cw.user.id, "name_search"), 1);
    audit_free_of(f, "Chantrea");
    /* A search that finds nothing reads nothing. */
    int before = audit_count_by(f, "read", a.rec.id, cw.user.id, NULL);
    assert_int_equal(search(f, &cw, "Nobodyhere", &n, ids, 500), ERR_OK);
    assert_int_equal(n, 0);
    assert_int_equal(audit_count_by(f, "read", a.rec.id, cw.user.id, NULL), before);

    case_view_free(&a);
    actor_free(&cw);
    actor_free(&mem);
}

/* Telling a reporter that another case may be the same survivor discloses
 * that case: each one shown is audited as read by her, in the report's
 * transaction. */
static void test_duplicates_audited(void **state)
{
    struct fx *f = *state;
    struct actor cw;
    fx_actor(f, "caseworker", f->org, NULL, &cw);
    struct case_view a = {0}, v = {0};
    struct case_report_in in = dup_in(NULL, "Rachana Sophea", "097 555 444", "female");
    report_view(f, &cw, &in, &a);
    report_view(f, &cw, &in, &v);
    assert_true(dup_score(&v, a.rec.id) > 0.99);
    assert_int_equal(audit_count_by(f, "read", a.rec.id, cw.user.id, "possible_duplicate"), 1);
    assert_int_equal(audit_count_by(f, "read", v.rec.id, cw.user.id, "possible_duplicate"), 0);
    audit_free_of(f, "Rachana");
    audit_free_of(f, "555");
    case_view_free(&a);
    case_view_free(&v);
    actor_free(&cw);
}

int main(void)
{
    test_audit_keys();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_report_by_member),
        cmocka_unit_test(test_code_prefix_and_sequence),
        cmocka_unit_test(test_report_validation),
        cmocka_unit_test(test_who_may_report),
        cmocka_unit_test(test_visibility),
        cmocka_unit_test(test_list_pages_and_filters),
        cmocka_unit_test(test_blind_index_written),
        cmocka_unit_test(test_possible_duplicates),
        cmocka_unit_test(test_name_search),
        cmocka_unit_test(test_name_search_audited),
        cmocka_unit_test(test_name_search_khmer_word_breaks),
        cmocka_unit_test(test_duplicates_audited),
    };
    return cmocka_run_group_tests_name("cases", tests, fx_setup, fx_teardown);
}
