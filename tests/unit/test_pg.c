/* The PostgreSQL backend against a real server: what SQLite's single
 * writer gave for free must hold with many connections (one audit chain,
 * one sign-in gate, distinct case codes, versioned writes), SQLSTATEs map
 * to the store's errors, and a connection the server drops is opened
 * again. Needs CBPN_TEST_PG, a base URI (postgres://cbpn@127.0.0.1:PORT)
 * whose role may create databases: scripts/test.sh starts a throwaway
 * cluster and sets it. Without it every test fails, saying so. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <libpq-fe.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit/audit.h"
#include "audit_fixture.h"
#include "store/store_int.h"
#include "util/alloc.h"

#define SCHEMA_VERSION 20

struct fixture {
    char *dbname;
    char *uri;
    struct store *st;
    struct store_conn *c;
};

static const char *base_uri(void)
{
    const char *b = getenv("CBPN_TEST_PG");
    if (b == NULL || b[0] == '\0')
        fail_msg("CBPN_TEST_PG is not set: run the tests through scripts/test.sh, which starts "
                 "PostgreSQL");
    return b;
}

/* Runs sql on the cluster's maintenance database (or db); true on success. */
static bool admin(const char *db, const char *sql)
{
    char *uri = xasprintf("%s/%s", base_uri(), db);
    PGconn *pc = PQconnectdb(uri);
    free(uri);
    bool ok = PQstatus(pc) == CONNECTION_OK;
    if (ok) {
        PGresult *r = PQexec(pc, sql);
        ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;
        if (!ok)
            print_error("%s: %s", sql, PQerrorMessage(pc));
        PQclear(r);
    } else {
        print_error("cannot connect: %s", PQerrorMessage(pc));
    }
    PQfinish(pc);
    return ok;
}

static int counter;

static int setup(void **state)
{
    struct fixture *f = xcalloc(1, sizeof *f);
    f->dbname = xasprintf("cbpn_unit_%d_%d", (int)getpid(), ++counter);
    char *sql = xasprintf("CREATE DATABASE %s", f->dbname);
    bool ok = admin("postgres", sql);
    free(sql);
    if (!ok)
        fail_msg("cannot create a test database on %s", base_uri());
    f->uri = xasprintf("%s/%s", base_uri(), f->dbname);
    char *msg = NULL;
    if (store_open(f->uri, true, &f->st, &msg) != ERR_OK)
        fail_msg("store_open: %s", msg);
    f->c = store_conn(f->st);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    store_close(f->st);
    char *sql = xasprintf("DROP DATABASE IF EXISTS %s WITH (FORCE)", f->dbname);
    admin("postgres", sql);
    free(sql);
    free(f->uri);
    free(f->dbname);
    free(f);
    return 0;
}

/* ---- seeds ---- */

static void add_location(struct store_conn *c, const char *code, const char *level,
                         const char *parent)
{
    struct location_rec r = {0};
    snprintf(r.code, sizeof r.code, "%s", code);
    snprintf(r.level, sizeof r.level, "%s", level);
    snprintf(r.parent, sizeof r.parent, "%s", parent);
    r.name_km = (char *)"ភូមិ";
    r.name_latn = (char *)"Place";
    assert_int_equal(store_location_insert(c, &r), ERR_OK);
}

static enum err add_org(struct store_conn *c, const char *id)
{
    struct org_rec r = {0};
    snprintf(r.id, sizeof r.id, "%s", id);
    r.name = (char *)"NGO";
    snprintf(r.kind, sizeof r.kind, "ngo");
    snprintf(r.created_at, sizeof r.created_at, "2026-01-01T00:00:00Z");
    r.version = 1;
    return store_org_insert(c, &r);
}

static enum err add_user(struct store_conn *c, const char *id, const char *username)
{
    struct user_rec r = {0};
    snprintf(r.id, sizeof r.id, "%s", id);
    snprintf(r.username, sizeof r.username, "%s", username);
    snprintf(r.role, sizeof r.role, "caseworker");
    r.display_name = (char *)"Display";
    snprintf(r.organization_id, sizeof r.organization_id, "org1");
    snprintf(r.locale, sizeof r.locale, "km");
    r.active = true;
    snprintf(r.created_at, sizeof r.created_at, "2026-01-01T00:00:00Z");
    snprintf(r.updated_at, sizeof r.updated_at, "2026-01-01T00:00:00Z");
    r.version = 1;
    return store_user_insert(c, &r, "$argon2id$v=19$m=65536,t=2,p=1$c2FsdA$aGFzaA");
}

static void make_case(struct case_rec *r, const char *id)
{
    memset(r, 0, sizeof *r);
    snprintf(r->id, sizeof r->id, "%s", id);
    snprintf(r->code, sizeof r->code, "PUK-2026-%s", id);
    snprintf(r->organization_id, sizeof r->organization_id, "org1");
    snprintf(r->location_code, sizeof r->location_code, "17071001");
    snprintf(r->status, sizeof r->status, "reported");
    snprintf(r->concerns[r->nconcerns++], sizeof r->concerns[0], "trafficking");
    snprintf(r->concerns[r->nconcerns++], sizeof r->concerns[0], "forced_labour");
    snprintf(r->reported_by, sizeof r->reported_by, "cw1");
    snprintf(r->created_at, sizeof r->created_at, "2026-01-02T00:00:00Z");
    snprintf(r->updated_at, sizeof r->updated_at, "2026-01-02T00:00:00Z");
    r->version = 1;
}

static void seed(struct store_conn *c)
{
    assert_int_equal(store_begin(c), ERR_OK);
    add_location(c, "17", "province", "");
    add_location(c, "1707", "district", "17");
    add_location(c, "170710", "commune", "1707");
    add_location(c, "17071001", "village", "170710");
    assert_int_equal(add_org(c, "org1"), ERR_OK);
    assert_int_equal(add_user(c, "cw1", "caseworker1"), ERR_OK);
    struct case_rec r;
    make_case(&r, "c1");
    assert_int_equal(store_case_insert(c, &r), ERR_OK);
    assert_int_equal(store_commit(c), ERR_OK);
}

/* ---- opening ---- */

static void test_open_migrate(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(store_schema_version(f->c), SCHEMA_VERSION);
    assert_string_equal(store_backend_name(f->st), "postgres");
    assert_int_equal(store_ping(f->c), ERR_OK);
    /* a second opening (another server starting) finds it up to date */
    struct store *st2 = NULL;
    char *msg = NULL;
    assert_int_equal(store_open(f->uri, false, &st2, &msg), ERR_OK);
    assert_int_equal(store_schema_version(store_conn(st2)), SCHEMA_VERSION);
    store_close(st2);
}

static void test_open_refusals(void **state)
{
    struct fixture *f = *state;
    (void)f;
    char *name = xasprintf("cbpn_unit_%d_empty", (int)getpid());
    char *sql = xasprintf("CREATE DATABASE %s", name);
    assert_true(admin("postgres", sql));
    free(sql);
    char *uri = xasprintf("%s/%s", base_uri(), name);
    struct store *st = NULL;
    char *msg = NULL;
    /* without create, an empty database is not set up behind one's back */
    assert_int_equal(store_open(uri, false, &st, &msg), ERR_NOT_FOUND);
    assert_non_null(strstr(msg, "cbpn init"));
    free(msg);
    msg = NULL;
    /* a database holding someone else's tables is refused */
    assert_true(admin(name, "CREATE TABLE payroll (id int)"));
    assert_int_equal(store_open(uri, true, &st, &msg), ERR_INTERNAL);
    assert_non_null(strstr(msg, "not cbpn's"));
    free(msg);
    msg = NULL;
    /* a newer schema is refused */
    assert_int_equal(store_schema_version(f->c), SCHEMA_VERSION);
    char newer[96];
    snprintf(newer, sizeof newer, "INSERT INTO schema_migration VALUES (%d, 'x')",
             SCHEMA_VERSION + 1);
    assert_true(admin(f->dbname, newer));
    assert_int_equal(store_open(f->uri, false, &st, &msg), ERR_INTERNAL);
    assert_non_null(strstr(msg, "newer than this cbpn"));
    free(msg);
    msg = NULL;
    /* nobody listening */
    assert_int_equal(
        store_open("postgres://cbpn@127.0.0.1:1/none?connect_timeout=2", false, &st, &msg),
        ERR_UNAVAILABLE);
    assert_non_null(strstr(msg, "cannot connect"));
    free(msg);
    msg = NULL;
    /* every host of a multi-host URI is named, on one line */
    assert_int_equal(store_open("postgres://cbpn@127.0.0.1:1,127.0.0.1:2/none?connect_timeout=2",
                                false, &st, &msg),
                     ERR_UNAVAILABLE);
    assert_non_null(strstr(msg, "port 1 failed"));
    assert_non_null(strstr(msg, "port 2 failed"));
    assert_null(strchr(msg, '\n'));
    free(msg);
    free(uri);
    sql = xasprintf("DROP DATABASE %s", name);
    admin("postgres", sql);
    free(sql);
    free(name);
}

/* Every SELECT the column tables describe gives the names they list. */
static void test_columns_are_named(void **state)
{
    struct fixture *f = *state;
    for (size_t k = 0; k < store_ncol_checks; k++) {
        const struct col_check *cc = &store_col_checks[k];
        struct stmt *s = stmt_get(f->c, cc->stmt);
        assert_true(stmt_col_count(s) >= cc->n);
        for (int i = 0; i < cc->n; i++) {
            if (strcmp(stmt_col_name(s, i), cc->names[i]) != 0)
                fail_msg("%s column %d is %s, not %s", pg_stmts[cc->stmt].name, i,
                         stmt_col_name(s, i), cc->names[i]);
        }
        stmt_done(s);
    }
}

/* ---- errors ---- */

static void test_unique_is_conflict(void **state)
{
    struct fixture *f = *state;
    seed(f->c);
    assert_int_equal(add_org(f->c, "org1"), ERR_CONFLICT);
    assert_int_equal(add_user(f->c, "cw9", "caseworker1"), ERR_CONFLICT);
    /* inside a transaction: the failed statement dooms it, and the
     * rollback leaves the connection ready */
    assert_int_equal(store_begin(f->c), ERR_OK);
    assert_int_equal(add_org(f->c, "org2"), ERR_OK);
    assert_int_equal(add_org(f->c, "org1"), ERR_CONFLICT);
    store_rollback(f->c);
    struct org_rec o = {0};
    assert_int_equal(store_org_get(f->c, "org2", &o), ERR_NOT_FOUND);
    assert_int_equal(store_ping(f->c), ERR_OK);
    /* a constraint the domain should have kept is an internal error */
    struct case_rec r;
    make_case(&r, "c9");
    snprintf(r.status, sizeof r.status, "bogus");
    assert_int_equal(store_case_insert(f->c, &r), ERR_INTERNAL);
    assert_int_equal(store_case_get(f->c, "c9", &r), ERR_NOT_FOUND);
}

static void test_types_round_trip(void **state)
{
    struct fixture *f = *state;
    seed(f->c);
    struct case_rec r;
    make_case(&r, "c2");
    unsigned char blob[300];
    for (size_t i = 0; i < sizeof blob; i++)
        blob[i] = (unsigned char)i; /* NULs and high bytes */
    r.summary.p = blob;
    r.summary.len = sizeof blob;
    r.urgent = true;
    r.has_survivor = true;
    r.survivor.identity.p = blob;
    r.survivor.identity.len = 33;
    snprintf(r.survivor.sex, sizeof r.survivor.sex, "female");
    r.survivor.age = 17;
    r.survivor.demographics = (char *)"{\"nationality\":\"KH\",\"note\":\"ខ្មែរ\"}";
    assert_int_equal(store_case_insert(f->c, &r), ERR_OK);
    struct case_rec g;
    assert_int_equal(store_case_get(f->c, "c2", &g), ERR_OK);
    assert_int_equal(g.summary.len, sizeof blob);
    assert_memory_equal(g.summary.p, blob, sizeof blob);
    assert_true(g.urgent);
    assert_false(g.consent_to_contact);
    assert_int_equal(g.nconcerns, 2);
    assert_string_equal(g.concerns[0], "trafficking"); /* in the order given */
    assert_string_equal(g.concerns[1], "forced_labour");
    assert_string_equal(g.assigned_to, "");
    assert_true(g.has_survivor);
    assert_int_equal(g.survivor.age, 17);
    assert_int_equal(g.survivor.identity.len, 33);
    assert_string_equal(g.survivor.demographics, r.survivor.demographics);
    case_rec_free(&g);
    int n = 0;
    struct case_filter cf = {.organization_id = "org1", .urgent = -1, .limit = 10};
    assert_int_equal(store_case_count(f->c, &cf, &n), ERR_OK);
    assert_int_equal(n, 2);
}

/* Versioned writes from two servers: the second, at the same version,
 * changes nothing and is a conflict. */
static void test_versioned_write(void **state)
{
    struct fixture *f = *state;
    seed(f->c);
    struct store *st2 = NULL;
    char *msg = NULL;
    assert_int_equal(store_open(f->uri, false, &st2, &msg), ERR_OK);
    struct store_conn *c2 = store_conn(st2);
    struct case_rec a, b;
    assert_int_equal(store_case_get(f->c, "c1", &a), ERR_OK);
    assert_int_equal(store_case_get(c2, "c1", &b), ERR_OK);
    snprintf(a.status, sizeof a.status, "open");
    snprintf(b.status, sizeof b.status, "closed");
    assert_int_equal(store_begin(f->c), ERR_OK);
    assert_int_equal(store_case_update(f->c, &a), ERR_OK);
    assert_int_equal(store_commit(f->c), ERR_OK);
    assert_int_equal(store_begin(c2), ERR_OK);
    assert_int_equal(store_case_update(c2, &b), ERR_CONFLICT);
    store_rollback(c2);
    struct case_rec g;
    assert_int_equal(store_case_get(c2, "c1", &g), ERR_OK);
    assert_string_equal(g.status, "open");
    assert_int_equal(g.version, 2);
    case_rec_free(&g);
    case_rec_free(&a);
    case_rec_free(&b);
    store_close(st2);
}

/* ---- many writers ---- */

struct worker {
    struct store *st;
    pthread_barrier_t *go;
    int id;
    int n;
    enum err e;
    int seqs[64];
};

static void *append_audit(void *p)
{
    struct worker *w = p;
    struct store_conn *c = store_conn(w->st);
    pthread_barrier_wait(w->go);
    for (int i = 0; i < w->n && w->e == ERR_OK; i++) {
        if (i % 2 == 0) {
            w->e = audit_append(c, "", AUDIT_LOGIN_FAILED, "user", "", "wrong_password");
        } else { /* inside a transaction, as the domain does */
            w->e = store_begin(c);
            if (w->e == ERR_OK)
                w->e = audit_append(c, "", AUDIT_CREATE, "case", "c1", NULL);
            w->e = store_end(c, w->e);
        }
    }
    return NULL;
}

/* Writers on several connections of two stores (two servers) make one
 * chain, without a gap or a fork. */
static void test_audit_chain_many_writers(void **state)
{
    struct fixture *f = *state;
    struct store *st2 = NULL;
    char *msg = NULL;
    assert_int_equal(store_open(f->uri, false, &st2, &msg), ERR_OK);
    enum { NW = 8, PER = 25 };
    pthread_t t[NW];
    struct worker w[NW];
    pthread_barrier_t go;
    pthread_barrier_init(&go, NULL, NW);
    for (int i = 0; i < NW; i++) {
        w[i] = (struct worker){.st = i % 2 ? st2 : f->st, .go = &go, .id = i, .n = PER};
        assert_int_equal(pthread_create(&t[i], NULL, append_audit, &w[i]), 0);
    }
    for (int i = 0; i < NW; i++) {
        pthread_join(t[i], NULL);
        assert_int_equal(w[i].e, ERR_OK);
    }
    pthread_barrier_destroy(&go);
    bool ok = false;
    int64_t entries = 0, bad = 0;
    assert_int_equal(audit_verify(f->c, &ok, &entries, &bad), ERR_OK);
    assert_true(ok);
    assert_int_equal(entries, NW * PER);
    struct audit_head_row h;
    assert_int_equal(store_audit_last(f->c, &h), ERR_OK);
    assert_int_equal(h.seq, NW * PER);
    assert_true(h.has_mac);
    store_close(st2);
}

static void *next_seqs(void *p)
{
    struct worker *w = p;
    struct store_conn *c = store_conn(w->st);
    pthread_barrier_wait(w->go);
    for (int i = 0; i < w->n && w->e == ERR_OK; i++) {
        w->e = store_begin(c);
        if (w->e == ERR_OK)
            w->e = store_case_next_seq(c, "PUK", 2026, &w->seqs[i]);
        w->e = store_end(c, w->e);
    }
    return NULL;
}

static void test_case_codes_distinct(void **state)
{
    struct fixture *f = *state;
    struct store *st2 = NULL;
    char *msg = NULL;
    assert_int_equal(store_open(f->uri, false, &st2, &msg), ERR_OK);
    enum { NW = 6, PER = 40 };
    pthread_t t[NW];
    struct worker w[NW];
    pthread_barrier_t go;
    pthread_barrier_init(&go, NULL, NW);
    for (int i = 0; i < NW; i++) {
        w[i] = (struct worker){.st = i % 2 ? st2 : f->st, .go = &go, .id = i, .n = PER};
        assert_int_equal(pthread_create(&t[i], NULL, next_seqs, &w[i]), 0);
    }
    bool seen[NW * PER + 1] = {false};
    for (int i = 0; i < NW; i++) {
        pthread_join(t[i], NULL);
        assert_int_equal(w[i].e, ERR_OK);
        for (int k = 0; k < PER; k++) {
            int s = w[i].seqs[k];
            assert_true(s >= 1 && s <= NW * PER);
            assert_false(seen[s]);
            seen[s] = true;
        }
    }
    pthread_barrier_destroy(&go);
    store_close(st2);
}

static void test_login_gate(void **state)
{
    struct fixture *f = *state;
    struct store *st2 = NULL;
    char *msg = NULL;
    assert_int_equal(store_open(f->uri, false, &st2, &msg), ERR_OK);
    struct store_conn *c2 = store_conn(st2);
    bool taken = false;
    assert_int_equal(store_login_gate_take(f->c, "k1", 1030, 1000, &taken), ERR_OK);
    assert_true(taken);
    /* the other server waits while the lease runs */
    assert_int_equal(store_login_gate_take(c2, "k1", 1040, 1010, &taken), ERR_OK);
    assert_false(taken);
    /* another username is free */
    assert_int_equal(store_login_gate_take(c2, "k2", 1040, 1010, &taken), ERR_OK);
    assert_true(taken);
    /* a release with someone else's lease does nothing */
    assert_int_equal(store_login_gate_release(c2, "k1", 1040), ERR_OK);
    assert_int_equal(store_login_gate_take(c2, "k1", 1040, 1010, &taken), ERR_OK);
    assert_false(taken);
    assert_int_equal(store_login_gate_release(f->c, "k1", 1030), ERR_OK);
    assert_int_equal(store_login_gate_take(c2, "k1", 1040, 1010, &taken), ERR_OK);
    assert_true(taken);
    /* a lease left by a dead server runs out */
    assert_int_equal(store_login_gate_take(f->c, "k1", 1100, 1041, &taken), ERR_OK);
    assert_true(taken);
    store_close(st2);
}

/* ---- a database that goes away ---- */

static void kill_backends(struct fixture *f)
{
    /* with a timeout, pg_terminate_backend waits until the backend is gone */
    char *sql = xasprintf("SELECT pg_terminate_backend(pid, 10000) FROM pg_stat_activity"
                          " WHERE datname = '%s' AND application_name = 'cbpn'",
                          f->dbname);
    assert_true(admin("postgres", sql));
    free(sql);
}

static void test_reconnect(void **state)
{
    struct fixture *f = *state;
    seed(f->c);
    kill_backends(f);
    /* outside a transaction: a connection the server closed while idle is
     * noticed before the next statement, which runs on a new one */
    assert_int_equal(store_ping(f->c), ERR_OK);
    assert_false(store_retry_advised(f->c));
    struct case_rec g;
    assert_int_equal(store_case_get(f->c, "c1", &g), ERR_OK);
    case_rec_free(&g);

    /* inside one: the transaction is lost whole, nothing of it written,
     * and running it again is advised */
    assert_int_equal(store_begin(f->c), ERR_OK);
    assert_int_equal(add_org(f->c, "org7"), ERR_OK);
    kill_backends(f);
    assert_int_equal(add_org(f->c, "org8"), ERR_UNAVAILABLE);
    assert_int_equal(store_commit(f->c), ERR_UNAVAILABLE);
    store_rollback(f->c);
    assert_true(store_retry_advised(f->c));
    assert_false(store_retry_advised(f->c)); /* said once */
    struct org_rec o = {0};
    assert_int_equal(store_org_get(f->c, "org7", &o), ERR_NOT_FOUND);
    assert_int_equal(store_begin(f->c), ERR_OK);
    assert_int_equal(add_org(f->c, "org7"), ERR_OK);
    assert_int_equal(store_commit(f->c), ERR_OK);
    assert_int_equal(store_org_get(f->c, "org7", &o), ERR_OK);
    org_rec_free(&o);
}

struct locker {
    struct store *st;
    pthread_barrier_t *go;
    const char *first, *second;
    enum err e;
    bool retry;
};

static void *lock_two(void *p)
{
    struct locker *l = p;
    struct store_conn *c = store_conn(l->st);
    l->e = store_begin(c);
    if (l->e == ERR_OK)
        l->e = store_meta_set(c, l->first, "1");
    pthread_barrier_wait(l->go);
    if (l->e == ERR_OK)
        l->e = store_meta_set(c, l->second, "2");
    l->e = store_end(c, l->e);
    l->retry = store_retry_advised(c);
    return NULL;
}

/* Two transactions that lock rows in opposite orders: PostgreSQL breaks
 * the deadlock by rolling one back; that one is a 503 the server may run
 * again, the other commits. */
static void test_deadlock_advises_retry(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(store_meta_set(f->c, "a", "0"), ERR_OK);
    assert_int_equal(store_meta_set(f->c, "b", "0"), ERR_OK);
    pthread_barrier_t go;
    pthread_barrier_init(&go, NULL, 2);
    struct locker l1 = {.st = f->st, .go = &go, .first = "a", .second = "b"};
    struct locker l2 = {.st = f->st, .go = &go, .first = "b", .second = "a"};
    pthread_t t1, t2;
    assert_int_equal(pthread_create(&t1, NULL, lock_two, &l1), 0);
    assert_int_equal(pthread_create(&t2, NULL, lock_two, &l2), 0);
    pthread_join(t1, NULL);
    pthread_join(t2, NULL);
    pthread_barrier_destroy(&go);
    assert_true((l1.e == ERR_OK) != (l2.e == ERR_OK));
    struct locker *lost = l1.e == ERR_OK ? &l2 : &l1;
    assert_int_equal(lost->e, ERR_UNAVAILABLE);
    assert_true(lost->retry);
    assert_false((l1.e == ERR_OK ? &l1 : &l2)->retry);
}

int main(void)
{
    test_audit_keys();
    const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
        T(test_open_migrate),
        T(test_open_refusals),
        T(test_columns_are_named),
        T(test_unique_is_conflict),
        T(test_types_round_trip),
        T(test_versioned_write),
        T(test_audit_chain_many_writers),
        T(test_case_codes_distinct),
        T(test_login_gate),
        T(test_reconnect),
        T(test_deadlock_advises_retry),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
