/* Unit tests of the store (SQLite backend), each on a fresh database in a
 * temporary directory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* The migrations this cbpn has (migrations/sqlite/). */
#define SCHEMA_VERSION 20

#include <cmocka.h>

#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit_fixture.h"
#include "store/store.h"
#include "store/store_int.h"
#include "util/log.h"

static char tmpdir[] = "/tmp/cbpn-test-store-XXXXXX";
static int dbcount;

struct fx {
    char path[256];
    struct store *st;
    struct store_conn *c;
};

static void new_path(char *out, size_t size)
{
    snprintf(out, size, "%s/t%d.db", tmpdir, ++dbcount);
}

static int fx_setup(void **state)
{
    struct fx *f = calloc(1, sizeof(*f));
    char *msg = NULL;
    new_path(f->path, sizeof(f->path));
    if (store_open(f->path, true, &f->st, &msg) != ERR_OK) {
        fprintf(stderr, "store_open: %s\n", msg);
        free(msg);
        free(f);
        return -1;
    }
    f->c = store_conn(f->st);
    *state = f;
    return f->c != NULL ? 0 : -1;
}

static int fx_teardown(void **state)
{
    struct fx *f = *state;
    store_close(f->st);
    free(f);
    return 0;
}

/* Runs sql on the file directly, outside the store; returns SQLite's code. */
static int raw_exec(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
    sqlite3_close(db);
    return rc;
}

/* The first column of the first row of sql, as an integer. */
static long long raw_int(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    long long v = -1;
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    if (sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

/* ---- fixtures ---- */

static void add_location(struct store_conn *c, const char *code, const char *level,
                         const char *parent, char *latn)
{
    struct location_rec r = {0};
    snprintf(r.code, sizeof(r.code), "%s", code);
    snprintf(r.level, sizeof(r.level), "%s", level);
    snprintf(r.parent, sizeof(r.parent), "%s", parent);
    r.name_km = (char *)"ភូមិ";
    r.name_latn = latn;
    assert_int_equal(store_location_insert(c, &r), ERR_OK);
}

static void add_org(struct store_conn *c, const char *id, char *name)
{
    struct org_rec r = {0};
    snprintf(r.id, sizeof(r.id), "%s", id);
    r.name = name;
    snprintf(r.kind, sizeof(r.kind), "ngo");
    snprintf(r.created_at, sizeof(r.created_at), "2026-01-01T00:00:00Z");
    r.version = 1;
    assert_int_equal(store_org_insert(c, &r), ERR_OK);
}

static void add_group(struct store_conn *c, const char *id, const char *org, char *name)
{
    struct group_rec r = {0};
    snprintf(r.id, sizeof(r.id), "%s", id);
    snprintf(r.organization_id, sizeof(r.organization_id), "%s", org);
    r.name = name;
    snprintf(r.location_code, sizeof(r.location_code), "170710");
    snprintf(r.created_at, sizeof(r.created_at), "2026-01-01T00:00:00Z");
    snprintf(r.updated_at, sizeof(r.updated_at), "2026-01-01T00:00:00Z");
    r.version = 1;
    assert_int_equal(store_group_insert(c, &r), ERR_OK);
}

static enum err add_user(struct store_conn *c, const char *id, const char *username,
                         const char *role, const char *org, const char *group)
{
    struct user_rec r = {0};
    snprintf(r.id, sizeof(r.id), "%s", id);
    snprintf(r.username, sizeof(r.username), "%s", username);
    snprintf(r.role, sizeof(r.role), "%s", role);
    r.display_name = (char *)"Display";
    snprintf(r.organization_id, sizeof(r.organization_id), "%s", org);
    snprintf(r.group_id, sizeof(r.group_id), "%s", group);
    snprintf(r.locale, sizeof(r.locale), "km");
    r.active = true;
    snprintf(r.created_at, sizeof(r.created_at), "2026-01-01T00:00:00Z");
    snprintf(r.updated_at, sizeof(r.updated_at), "2026-01-01T00:00:00Z");
    r.version = 1;
    return store_user_insert(c, &r, "$argon2id$v=19$m=65536,t=2,p=1$c2FsdA$aGFzaA");
}

/* Gazetteer, two organizations, two groups, and their users. */
static void seed(struct store_conn *c)
{
    assert_int_equal(store_begin(c), ERR_OK);
    add_location(c, "17", "province", "", "Siem Reap");
    add_location(c, "1707", "district", "17", "Puok");
    add_location(c, "170710", "commune", "1707", "Puok");
    add_location(c, "17071001", "village", "170710", "Puok Chas");
    add_org(c, "org1", "NGO One");
    add_org(c, "org2", "NGO Two");
    add_group(c, "grp1", "org1", "Group 1");
    add_group(c, "grp2", "org1", "Group 2");
    assert_int_equal(add_user(c, "m1", "member1", "member", "org1", "grp1"), ERR_OK);
    assert_int_equal(add_user(c, "m2", "member2", "member", "org1", "grp2"), ERR_OK);
    assert_int_equal(add_user(c, "cw1", "caseworker1", "caseworker", "org1", ""), ERR_OK);
    assert_int_equal(add_user(c, "cw2", "caseworker2", "caseworker", "org1", ""), ERR_OK);
    assert_int_equal(add_user(c, "sup2", "supervisor2", "supervisor", "org2", ""), ERR_OK);
    assert_int_equal(store_commit(c), ERR_OK);
}

/* ---- opening and migrations ---- */

static void test_open_create_migrate(void **state)
{
    struct fx *f = *state;
    struct stat sb;
    char *v = NULL;

    assert_int_equal(stat(f->path, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
    assert_int_equal(store_schema_version(f->c), SCHEMA_VERSION);
    assert_int_equal(store_ping(f->c), ERR_OK);
    assert_int_equal(raw_int(f->path, "SELECT count(*) FROM schema_migration"), SCHEMA_VERSION);
    assert_int_equal(raw_int(f->path, "SELECT max(version) FROM schema_migration"), SCHEMA_VERSION);

    assert_int_equal(store_meta_get(f->c, "data_key", &v), ERR_NOT_FOUND);
    assert_null(v);
    assert_int_equal(store_meta_set(f->c, "data_key", "one"), ERR_OK);
    assert_int_equal(store_meta_set(f->c, "data_key", "two"), ERR_OK);
    assert_int_equal(store_meta_get(f->c, "data_key", &v), ERR_OK);
    assert_string_equal(v, "two");
    free(v);
}

static void test_pragmas(void **state)
{
    struct fx *f = *state;
    /* WAL is recorded in the file; the others are per connection, so read
     * them through a second connection of the store (another thread's would
     * be the same). */
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_open_v2(f->path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 0), "wal");
    sqlite3_finalize(st);
    sqlite3_close(db);
    /* Foreign keys are enforced: a group in an unknown organization. */
    struct group_rec g = {0};
    snprintf(g.id, sizeof(g.id), "g");
    snprintf(g.organization_id, sizeof(g.organization_id), "nope");
    g.name = (char *)"G";
    snprintf(g.location_code, sizeof(g.location_code), "nowhere");
    snprintf(g.created_at, sizeof(g.created_at), "2026-01-01T00:00:00Z");
    assert_int_equal(store_group_insert(f->c, &g), ERR_INTERNAL);
}

/* Every record reader names its columns (store_int.h); the statements
 * must return exactly those columns, in that order. */
static void test_columns_are_named(void **state)
{
    struct fx *f = *state;
    assert_true(store_ncol_checks >= 20);
    for (size_t i = 0; i < store_ncol_checks; i++) {
        const struct col_check *k = &store_col_checks[i];
        struct stmt *s = stmt_get(f->c, k->stmt);
        assert_non_null(s);
        if (stmt_col_count(s) != k->n)
            fail_msg("%s: %d columns, the reader names %d", sqlite_stmts[k->stmt].name,
                     stmt_col_count(s), k->n);
        for (int c = 0; c < k->n; c++)
            if (strcmp(stmt_col_name(s, c), k->names[c]) != 0)
                fail_msg("%s: column %d is %s, the reader reads %s", sqlite_stmts[k->stmt].name, c,
                         stmt_col_name(s, c), k->names[c]);
        stmt_done(s);
    }
}

static void test_store_end(void **state)
{
    struct fx *f = *state;
    char *v = NULL;
    assert_int_equal(store_begin(f->c), ERR_OK);
    assert_int_equal(store_meta_set(f->c, "end", "refused"), ERR_OK);
    assert_int_equal(store_end(f->c, ERR_VALIDATION), ERR_VALIDATION);
    assert_int_equal(store_meta_get(f->c, "end", &v), ERR_NOT_FOUND);
    assert_int_equal(store_begin(f->c), ERR_OK);
    assert_int_equal(store_meta_set(f->c, "end", "kept"), ERR_OK);
    assert_int_equal(store_end(f->c, ERR_OK), ERR_OK);
    assert_int_equal(store_meta_get(f->c, "end", &v), ERR_OK);
    assert_string_equal(v, "kept");
    free(v);
    /* With no transaction open, the commit fails and is reported. */
    assert_int_not_equal(store_end(f->c, ERR_OK), ERR_OK);
}

static void test_reopen_idempotent(void **state)
{
    struct fx *f = *state;
    char *msg = NULL, *v = NULL;

    assert_int_equal(store_meta_set(f->c, "k", "kept"), ERR_OK);
    store_close(f->st);
    f->st = NULL;
    for (int i = 0; i < 2; i++) {
        assert_int_equal(store_open(f->path, i == 0, &f->st, &msg), ERR_OK);
        assert_null(msg);
        f->c = store_conn(f->st);
        assert_int_equal(store_schema_version(f->c), SCHEMA_VERSION);
        assert_int_equal(store_meta_get(f->c, "k", &v), ERR_OK);
        assert_string_equal(v, "kept");
        free(v);
        store_close(f->st);
        f->st = NULL;
    }
    assert_int_equal(raw_int(f->path, "SELECT count(*) FROM schema_migration"), SCHEMA_VERSION);
    assert_int_equal(store_open(f->path, false, &f->st, &msg), ERR_OK);
    f->c = store_conn(f->st);
}

static void test_newer_schema_refused(void **state)
{
    struct fx *f = *state;
    char *msg = NULL;
    struct store *st = NULL;

    store_close(f->st);
    f->st = NULL;
    /* Two versions past the last one this cbpn knows. */
    char sql[96], want[96];
    snprintf(sql, sizeof sql, "INSERT INTO schema_migration VALUES (%d, '2030-01-01T00:00:00Z')",
             SCHEMA_VERSION + 2);
    snprintf(want, sizeof want, "database schema %d is newer than this cbpn (knows up to %d)",
             SCHEMA_VERSION + 2, SCHEMA_VERSION);
    assert_int_equal(raw_exec(f->path, sql), SQLITE_OK);
    assert_int_not_equal(store_open(f->path, false, &st, &msg), ERR_OK);
    assert_null(st);
    assert_non_null(msg);
    assert_non_null(strstr(msg, want));
    free(msg);
    /* Nothing was changed by the refusal. */
    assert_int_equal(raw_int(f->path, "SELECT max(version) FROM schema_migration"),
                     SCHEMA_VERSION + 2);
    /* Put it back so the fixture can close a store. */
    snprintf(sql, sizeof sql, "DELETE FROM schema_migration WHERE version = %d",
             SCHEMA_VERSION + 2);
    assert_int_equal(raw_exec(f->path, sql), SQLITE_OK);
    assert_int_equal(store_open(f->path, false, &f->st, &msg), ERR_OK);
}

static void test_missing_file_refused(void **state)
{
    (void)state;
    char path[256], *msg = NULL;
    struct store *st = NULL;
    struct stat sb;

    new_path(path, sizeof(path));
    assert_int_not_equal(store_open(path, false, &st, &msg), ERR_OK);
    assert_null(st);
    assert_non_null(msg);
    assert_non_null(strstr(msg, "does not exist"));
    free(msg);
    assert_int_not_equal(stat(path, &sb), 0);

    /* Not a database at all. */
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs("this is not a database, just some text that is long enough to be a header\n", fp);
    fclose(fp);
    msg = NULL;
    assert_int_not_equal(store_open(path, false, &st, &msg), ERR_OK);
    assert_non_null(msg);
    free(msg);

    /* A PostgreSQL URI is refused clearly until that backend exists. */
    msg = NULL;
    assert_int_not_equal(store_open("postgres://localhost/cbpn", true, &st, &msg), ERR_OK);
    assert_non_null(msg);
    free(msg);
}

/* ---- users, sessions, sign-in failures ---- */

static void test_users(void **state)
{
    struct fx *f = *state;
    struct user_rec u;
    char *hash = NULL;

    seed(f->c);
    assert_int_equal(add_user(f->c, "other", "member1", "member", "org1", "grp1"), ERR_CONFLICT);
    assert_int_equal(add_user(f->c, "m1", "fresh", "member", "org1", "grp1"), ERR_CONFLICT);

    assert_int_equal(store_user_get(f->c, "cw1", &u), ERR_OK);
    assert_string_equal(u.username, "caseworker1");
    assert_string_equal(u.role, "caseworker");
    assert_string_equal(u.display_name, "Display");
    assert_string_equal(u.organization_id, "org1");
    assert_string_equal(u.group_id, "");
    assert_string_equal(u.locale, "km");
    assert_true(u.active);
    assert_string_equal(u.created_at, "2026-01-01T00:00:00Z");
    assert_int_equal(u.version, 1);
    user_rec_free(&u);
    user_rec_free(&u); /* a zeroed record is a no-op */

    assert_int_equal(store_user_by_username(f->c, "member1", &u, &hash), ERR_OK);
    assert_string_equal(u.id, "m1");
    assert_string_equal(u.group_id, "grp1");
    assert_non_null(strstr(hash, "$argon2id$"));
    free(hash);
    user_rec_free(&u);
    assert_int_equal(store_user_by_username(f->c, "nobody", &u, &hash), ERR_NOT_FOUND);
    assert_null(hash);
    assert_int_equal(store_user_get(f->c, "nobody", &u), ERR_NOT_FOUND);
    snprintf(u.id, sizeof(u.id), "m2");
    assert_int_equal(store_user_get(f->c, u.id, &u), ERR_OK);
    assert_string_equal(u.username, "member2");
    user_rec_free(&u);

    struct user_rec *list = NULL;
    size_t n = 0;
    assert_int_equal(store_user_list(f->c, NULL, &list, &n), ERR_OK);
    assert_int_equal(n, 5);
    assert_string_equal(list[0].username, "caseworker1");
    assert_string_equal(list[4].username, "supervisor2");
    user_list_free(list, n);
    assert_int_equal(store_user_list(f->c, "org2", &list, &n), ERR_OK);
    assert_int_equal(n, 1);
    assert_string_equal(list[0].id, "sup2");
    user_list_free(list, n);

    /* A role outside the seven is refused by the schema. */
    assert_int_equal(add_user(f->c, "x", "x", "root", "", ""), ERR_INTERNAL);
}

static void test_sessions(void **state)
{
    struct fx *f = *state;
    struct session_rec s = {0}, got;
    unsigned char other[32];

    seed(f->c);
    memset(s.token_hash, 0xab, sizeof(s.token_hash));
    memset(other, 0xcd, sizeof(other));
    snprintf(s.user_id, sizeof(s.user_id), "m1");
    snprintf(s.kind, sizeof(s.kind), "web");
    snprintf(s.csrf, sizeof(s.csrf), "csrf-token");
    s.created_at = 1000;
    s.last_seen = 1000;
    assert_int_equal(store_session_insert(f->c, &s), ERR_OK);
    assert_int_equal(store_session_insert(f->c, &s), ERR_CONFLICT);

    assert_int_equal(store_session_get(f->c, s.token_hash, &got), ERR_OK);
    assert_memory_equal(got.token_hash, s.token_hash, 32);
    assert_string_equal(got.user_id, "m1");
    assert_string_equal(got.kind, "web");
    assert_string_equal(got.csrf, "csrf-token");
    assert_int_equal(got.created_at, 1000);
    assert_int_equal(got.last_seen, 1000);
    assert_int_equal(store_session_get(f->c, other, &got), ERR_NOT_FOUND);
    /* The key may point into the record being filled. */
    memcpy(got.token_hash, s.token_hash, 32);
    assert_int_equal(store_session_get(f->c, got.token_hash, &got), ERR_OK);
    assert_string_equal(got.user_id, "m1");

    assert_int_equal(store_session_touch(f->c, s.token_hash, 1500), ERR_OK);
    assert_int_equal(store_session_touch(f->c, s.token_hash, 1200), ERR_OK); /* never back */
    assert_int_equal(store_session_get(f->c, s.token_hash, &got), ERR_OK);
    assert_int_equal(got.last_seen, 1500);
    assert_int_equal(store_session_touch(f->c, other, 1500), ERR_NOT_FOUND);

    /* Idle: last seen before 1400 goes; this one stays. */
    assert_int_equal(store_session_expire(f->c, 1400, 0), ERR_OK);
    assert_int_equal(store_session_get(f->c, s.token_hash, &got), ERR_OK);
    assert_int_equal(store_session_expire(f->c, 1600, 0), ERR_OK);
    assert_int_equal(store_session_get(f->c, s.token_hash, &got), ERR_NOT_FOUND);

    /* Absolute: created before abs_before goes, however recently seen. */
    assert_int_equal(store_session_insert(f->c, &s), ERR_OK);
    assert_int_equal(store_session_touch(f->c, s.token_hash, 9000), ERR_OK);
    assert_int_equal(store_session_expire(f->c, 0, 1001), ERR_OK);
    assert_int_equal(store_session_get(f->c, s.token_hash, &got), ERR_NOT_FOUND);

    assert_int_equal(store_session_insert(f->c, &s), ERR_OK);
    assert_int_equal(store_session_delete(f->c, s.token_hash), ERR_OK);
    assert_int_equal(store_session_get(f->c, s.token_hash, &got), ERR_NOT_FOUND);
    assert_int_equal(store_session_delete(f->c, s.token_hash), ERR_NOT_FOUND);

    /* A session for nobody is refused. */
    snprintf(s.user_id, sizeof(s.user_id), "ghost");
    assert_int_equal(store_session_insert(f->c, &s), ERR_INTERNAL);
}

static void test_login_failures(void **state)
{
    struct fx *f = *state;
    int by_user = -1, by_addr = -1;

    assert_int_equal(store_login_failure_add(f->c, "uA", "aX", 100), ERR_OK);
    assert_int_equal(store_login_failure_add(f->c, "uA", "aX", 200), ERR_OK);
    assert_int_equal(store_login_failure_add(f->c, "uA", "aY", 300), ERR_OK);
    assert_int_equal(store_login_failure_add(f->c, "uB", "aX", 250), ERR_OK);

    assert_int_equal(store_login_failure_count(f->c, "uA", "aX", 150, &by_user, &by_addr), ERR_OK);
    assert_int_equal(by_user, 2);
    assert_int_equal(by_addr, 2);
    assert_int_equal(store_login_failure_count(f->c, "uA", "aX", 0, &by_user, &by_addr), ERR_OK);
    assert_int_equal(by_user, 3);
    assert_int_equal(by_addr, 3);
    assert_int_equal(store_login_failure_count(f->c, "uC", "aZ", 0, &by_user, &by_addr), ERR_OK);
    assert_int_equal(by_user, 0);
    assert_int_equal(by_addr, 0);

    assert_int_equal(store_login_failure_prune(f->c, 250), ERR_OK);
    assert_int_equal(store_login_failure_count(f->c, "uA", "aX", 0, &by_user, &by_addr), ERR_OK);
    assert_int_equal(by_user, 1);
    assert_int_equal(by_addr, 1);
}

/* ---- network ---- */

static void test_groups_members(void **state)
{
    struct fx *f = *state;
    struct group_rec g;
    struct org_rec o;

    seed(f->c);
    assert_int_equal(store_org_get(f->c, "org1", &o), ERR_OK);
    assert_string_equal(o.name, "NGO One");
    assert_string_equal(o.kind, "ngo");
    org_rec_free(&o);
    struct org_rec *orgs = NULL;
    size_t norgs = 0;
    assert_int_equal(store_org_list(f->c, &orgs, &norgs), ERR_OK);
    assert_int_equal(norgs, 2);
    org_list_free(orgs, norgs);

    assert_int_equal(store_group_get(f->c, "grp2", &g), ERR_OK);
    assert_string_equal(g.name, "Group 2");
    assert_string_equal(g.organization_id, "org1");
    assert_string_equal(g.location_code, "170710");
    assert_int_equal(g.version, 1);
    group_rec_free(&g);
    assert_int_equal(store_group_get(f->c, "grp9", &g), ERR_NOT_FOUND);

    struct group_rec *groups = NULL;
    size_t n = 0;
    assert_int_equal(store_group_list(f->c, NULL, &groups, &n), ERR_OK);
    assert_int_equal(n, 2);
    assert_string_equal(groups[0].id, "grp1");
    group_list_free(groups, n);
    assert_int_equal(store_group_list(f->c, "org2", &groups, &n), ERR_OK);
    assert_int_equal(n, 0);
    group_list_free(groups, n);

    struct member_rec m = {0};
    unsigned char phone[] = {1, 2, 3, 0, 4};
    snprintf(m.id, sizeof(m.id), "mem1");
    snprintf(m.group_id, sizeof(m.group_id), "grp1");
    m.name_km = (char *)"សុខ";
    m.name_latn = (char *)"Sok";
    snprintf(m.sex, sizeof(m.sex), "female");
    m.birth_year = 1985;
    m.phone.p = phone;
    m.phone.len = sizeof(phone);
    m.network_roles = (char *)"[\"member\",\"trainer\"]";
    m.returnee = (char *)"{\"countries\":[\"TH\"],\"years_abroad\":3}";
    m.active = true;
    snprintf(m.created_at, sizeof(m.created_at), "2026-01-01T00:00:00Z");
    m.version = 1;
    assert_int_equal(store_member_insert(f->c, &m), ERR_OK);
    assert_int_equal(store_member_insert(f->c, &m), ERR_CONFLICT);

    struct member_rec m2 = m;
    snprintf(m2.id, sizeof(m2.id), "mem2");
    m2.name_latn = (char *)"Dara";
    m2.name_km = NULL;
    m2.birth_year = 0;
    m2.phone.len = 0;
    m2.returnee = NULL;
    assert_int_equal(store_member_insert(f->c, &m2), ERR_OK);
    m2.network_roles = (char *)"not json";
    snprintf(m2.id, sizeof(m2.id), "mem3");
    assert_int_equal(store_member_insert(f->c, &m2), ERR_INTERNAL);

    struct member_rec *list = NULL;
    assert_int_equal(store_member_list(f->c, "grp1", NULL, 0, &list, &n), ERR_OK);
    assert_int_equal(n, 2);
    /* by id: names are sorted once opened, never by a stored key */
    assert_string_equal(list[1].id, "mem2");
    assert_null(list[1].name_km);
    assert_int_equal(list[1].birth_year, 0);
    assert_int_equal(list[1].phone.len, 0);
    assert_null(list[1].returnee);
    assert_string_equal(list[0].name_km, "សុខ");
    assert_int_equal(list[0].birth_year, 1985);
    assert_int_equal(list[0].phone.len, sizeof(phone));
    assert_memory_equal(list[0].phone.p, phone, sizeof(phone));
    assert_string_equal(list[0].network_roles, "[\"member\",\"trainer\"]");
    assert_non_null(strstr(list[0].returnee, "TH"));
    assert_true(list[0].active);
    assert_string_equal(list[0].updated_at, "2026-01-01T00:00:00Z");
    member_list_free(list, n);
    assert_int_equal(store_member_list(f->c, "grp2", NULL, 0, &list, &n), ERR_OK);
    assert_int_equal(n, 0);
    member_list_free(list, n);
}

static void test_locations(void **state)
{
    struct fx *f = *state;
    struct location_rec r;

    /* Children before their parents: the parent check waits for commit. */
    assert_int_equal(store_begin(f->c), ERR_OK);
    add_location(f->c, "170710", "commune", "1707", "Puok");
    add_location(f->c, "1707", "district", "17", "Puok");
    add_location(f->c, "1706", "district", "17", "Kralanh");
    add_location(f->c, "17", "province", "", "Siem Reap");
    add_location(f->c, "01", "province", "", "Banteay Meanchey");
    assert_int_equal(store_commit(f->c), ERR_OK);

    /* An orphan is refused at commit. */
    assert_int_equal(store_begin(f->c), ERR_OK);
    add_location(f->c, "9901", "district", "99", "Nowhere");
    assert_int_not_equal(store_commit(f->c), ERR_OK);
    store_rollback(f->c);

    struct location_rec v = {0};
    snprintf(v.code, sizeof(v.code), "17071001");
    snprintf(v.level, sizeof(v.level), "village");
    snprintf(v.parent, sizeof(v.parent), "170710");
    v.name_km = (char *)"ពួកចាស់";
    v.name_latn = (char *)"Puok Chas";
    v.unit_km = (char *)"ភូមិ";
    v.unit_latn = (char *)"Phum";
    assert_int_equal(store_location_insert(f->c, &v), ERR_OK);
    assert_int_equal(store_location_insert(f->c, &v), ERR_CONFLICT);

    assert_int_equal(store_location_get(f->c, "17071001", &r), ERR_OK);
    assert_string_equal(r.level, "village");
    assert_string_equal(r.parent, "170710");
    assert_string_equal(r.name_km, "ពួកចាស់");
    assert_string_equal(r.name_latn, "Puok Chas");
    assert_string_equal(r.unit_latn, "Phum");
    location_rec_free(&r);
    assert_int_equal(store_location_get(f->c, "17", &r), ERR_OK);
    assert_string_equal(r.parent, "");
    assert_null(r.unit_km);
    location_rec_free(&r);
    assert_int_equal(store_location_get(f->c, "88", &r), ERR_NOT_FOUND);

    struct location_rec *list = NULL;
    size_t n = 0;
    assert_int_equal(store_location_children(f->c, NULL, &list, &n), ERR_OK);
    assert_int_equal(n, 2);
    assert_string_equal(list[0].code, "01");
    assert_string_equal(list[1].code, "17");
    location_list_free(list, n);
    assert_int_equal(store_location_children(f->c, "17", &list, &n), ERR_OK);
    assert_int_equal(n, 2);
    assert_string_equal(list[0].code, "1706");
    assert_string_equal(list[1].code, "1707");
    location_list_free(list, n);
    assert_int_equal(store_location_children(f->c, "17071001", &list, &n), ERR_OK);
    assert_int_equal(n, 0);
    location_list_free(list, n);
    assert_int_equal(store_location_all(f->c, &list, &n), ERR_OK);
    assert_int_equal(n, 6);
    assert_string_equal(list[0].code, "01");
    assert_string_equal(list[5].code, "17071001");
    location_list_free(list, n);
    assert_int_equal(store_location_count(f->c), 6);

    /* A level outside the four is refused. */
    snprintf(v.code, sizeof(v.code), "x");
    snprintf(v.level, sizeof(v.level), "country");
    snprintf(v.parent, sizeof(v.parent), "%s", "");
    assert_int_equal(store_location_insert(f->c, &v), ERR_INTERNAL);
}

/* ---- cases ---- */

struct case_spec {
    const char *id, *org, *group, *reporter, *assigned, *status;
    bool urgent;
    const char *created_at;
    const char *concerns[3];
};

/* In list order: urgent first, then newest, then id descending. */
static const struct case_spec cases[] = {
    {"c5", "org2", "", "sup2", "", "reported", true, "2026-01-05T00:00:00Z", {"other"}},
    {"c2",
     "org1",
     "grp1",
     "m1",
     "cw1",
     "open",
     true,
     "2026-01-02T00:00:00Z",
     {"domestic_violence", "trafficking"}},
    {"c4",
     "org1",
     "grp2",
     "m2",
     "",
     "reported",
     false,
     "2026-01-04T00:00:00Z",
     {"sexual_violence"}},
    {"c3", "org1", "grp2", "m2", "cw2", "open", false, "2026-01-03T00:00:00Z", {"forced_labour"}},
    {"c7", "org1", "grp1", "m1", "", "reported", false, "2026-01-02T00:00:01Z", {"child_at_risk"}},
    {"c6",
     "org1",
     "grp1",
     "m1",
     "",
     "reported",
     false,
     "2026-01-02T00:00:01Z",
     {"unsafe_migration"}},
    {"c1", "org1", "grp1", "m1", "", "reported", false, "2026-01-01T00:00:00Z", {"trafficking"}},
};
#define NCASES (sizeof(cases) / sizeof(cases[0]))

static void case_from_spec(const struct case_spec *s, struct case_rec *r)
{
    memset(r, 0, sizeof(*r));
    snprintf(r->id, sizeof(r->id), "%s", s->id);
    snprintf(r->code, sizeof(r->code), "PUK-2026-%s", s->id);
    snprintf(r->organization_id, sizeof(r->organization_id), "%s", s->org);
    snprintf(r->group_id, sizeof(r->group_id), "%s", s->group);
    snprintf(r->location_code, sizeof(r->location_code), "17071001");
    snprintf(r->status, sizeof(r->status), "%s", s->status);
    for (int i = 0; i < 3 && s->concerns[i] != NULL; i++)
        snprintf(r->concerns[r->nconcerns++], sizeof(r->concerns[0]), "%s", s->concerns[i]);
    r->urgent = s->urgent;
    snprintf(r->reported_by, sizeof(r->reported_by), "%s", s->reporter);
    snprintf(r->assigned_to, sizeof(r->assigned_to), "%s", s->assigned);
    snprintf(r->created_at, sizeof(r->created_at), "%s", s->created_at);
    snprintf(r->updated_at, sizeof(r->updated_at), "%s", s->created_at);
    r->version = 1;
}

static void seed_cases(struct store_conn *c)
{
    seed(c);
    assert_int_equal(store_begin(c), ERR_OK);
    for (size_t i = 0; i < NCASES; i++) {
        struct case_rec r;
        case_from_spec(&cases[i], &r);
        assert_int_equal(store_case_insert(c, &r), ERR_OK);
    }
    assert_int_equal(store_commit(c), ERR_OK);
}

static void test_case_insert_get(void **state)
{
    struct fx *f = *state;
    struct case_rec r, got;
    unsigned char summary[] = "sealed\0summary";
    unsigned char identity[] = {9, 8, 7, 0, 6};

    seed(f->c);
    case_from_spec(&cases[1], &r);
    r.summary.p = summary;
    r.summary.len = sizeof(summary);
    snprintf(r.risk, sizeof(r.risk), "high");
    r.consent_to_contact = true;
    r.has_survivor = true;
    r.survivor.identity.p = identity;
    r.survivor.identity.len = sizeof(identity);
    snprintf(r.survivor.sex, sizeof(r.survivor.sex), "female");
    r.survivor.age = 17;
    r.survivor.age_estimated = true;
    r.survivor.demographics = (char *)"{\"nationality\":\"KH\"}";
    assert_int_equal(store_begin(f->c), ERR_OK);
    assert_int_equal(store_case_insert(f->c, &r), ERR_OK);
    assert_int_equal(store_commit(f->c), ERR_OK);

    assert_int_equal(store_case_get(f->c, "c2", &got), ERR_OK);
    assert_string_equal(got.code, "PUK-2026-c2");
    assert_string_equal(got.organization_id, "org1");
    assert_string_equal(got.group_id, "grp1");
    assert_string_equal(got.location_code, "17071001");
    assert_string_equal(got.status, "open");
    assert_int_equal(got.nconcerns, 2);
    assert_string_equal(got.concerns[0], "domestic_violence"); /* as given */
    assert_string_equal(got.concerns[1], "trafficking");
    assert_int_equal(got.summary.len, sizeof(summary));
    assert_memory_equal(got.summary.p, summary, sizeof(summary));
    assert_string_equal(got.risk, "high");
    assert_true(got.urgent);
    assert_true(got.consent_to_contact);
    assert_string_equal(got.reported_by, "m1");
    assert_string_equal(got.assigned_to, "cw1");
    assert_string_equal(got.created_at, "2026-01-02T00:00:00Z");
    assert_string_equal(got.updated_at, "2026-01-02T00:00:00Z");
    assert_int_equal(got.version, 1);
    assert_true(got.has_survivor);
    assert_int_equal(got.survivor.identity.len, sizeof(identity));
    assert_memory_equal(got.survivor.identity.p, identity, sizeof(identity));
    assert_string_equal(got.survivor.sex, "female");
    assert_int_equal(got.survivor.age, 17);
    assert_true(got.survivor.age_estimated);
    assert_string_equal(got.survivor.demographics, "{\"nationality\":\"KH\"}");
    case_rec_free(&got);
    case_rec_free(&got);

    /* Without survivor, summary or risk. */
    case_from_spec(&cases[6], &r);
    assert_int_equal(store_case_insert(f->c, &r), ERR_OK);
    assert_int_equal(store_case_get(f->c, "c1", &got), ERR_OK);
    assert_false(got.has_survivor);
    assert_int_equal(got.survivor.age, -1);
    assert_int_equal(got.summary.len, 0);
    assert_null(got.summary.p);
    assert_string_equal(got.risk, "");
    assert_string_equal(got.assigned_to, "");
    case_rec_free(&got);

    assert_int_equal(store_case_get(f->c, "c9", &got), ERR_NOT_FOUND);

    /* The same code twice is a conflict, and nothing of it is kept. */
    assert_int_equal(store_begin(f->c), ERR_OK);
    case_from_spec(&cases[0], &r);
    snprintf(r.code, sizeof(r.code), "PUK-2026-c1");
    assert_int_equal(store_case_insert(f->c, &r), ERR_CONFLICT);
    store_rollback(f->c);
    assert_int_equal(store_case_get(f->c, "c5", &got), ERR_NOT_FOUND);

    /* An unknown status is refused by the schema. */
    case_from_spec(&cases[0], &r);
    snprintf(r.status, sizeof(r.status), "lost");
    assert_int_equal(store_case_insert(f->c, &r), ERR_INTERNAL);
}

/* Lists with f and checks the ids, in order. */
static void expect_list(struct store_conn *c, const struct case_filter *f, const char *const *ids,
                        size_t nids)
{
    struct case_rec *items = NULL;
    size_t n = 0;
    assert_int_equal(store_case_list(c, f, &items, &n), ERR_OK);
    if (n != nids) {
        for (size_t i = 0; i < n; i++)
            fprintf(stderr, "got %s\n", items[i].id);
    }
    assert_int_equal(n, nids);
    for (size_t i = 0; i < n; i++) {
        assert_string_equal(items[i].id, ids[i]);
        assert_false(items[i].has_survivor);
        assert_true(items[i].nconcerns >= 1);
    }
    case_list_free(items, n);
}

#define EXPECT(c, f, ...)                                                                          \
    do {                                                                                           \
        const char *const want_[] = {__VA_ARGS__};                                                 \
        expect_list(c, f, want_, sizeof(want_) / sizeof(want_[0]));                                \
    } while (0)

static void test_case_list(void **state)
{
    struct fx *f = *state;
    seed_cases(f->c);

    struct case_filter q = {.limit = 50};
    EXPECT(f->c, &q, "c5", "c2", "c4", "c3", "c7", "c6", "c1");

    q = (struct case_filter){.limit = 50, .organization_id = "org1"};
    EXPECT(f->c, &q, "c2", "c4", "c3", "c7", "c6", "c1");

    q = (struct case_filter){.limit = 50, .group_id = "grp1"};
    EXPECT(f->c, &q, "c2", "c7", "c6", "c1");

    q = (struct case_filter){.limit = 50, .reported_by = "m2"};
    EXPECT(f->c, &q, "c4", "c3");

    q = (struct case_filter){.limit = 50, .organization_id = "org1", .assigned_or_open_for = "cw1"};
    EXPECT(f->c, &q, "c2", "c4", "c7", "c6", "c1");

    q = (struct case_filter){.limit = 50, .status = "open"};
    EXPECT(f->c, &q, "c2", "c3");

    q = (struct case_filter){.limit = 50, .concern = "trafficking"};
    EXPECT(f->c, &q, "c2", "c1");

    q = (struct case_filter){
        .limit = 50, .organization_id = "org1", .status = "reported", .concern = "trafficking"};
    EXPECT(f->c, &q, "c1");

    q = (struct case_filter){.limit = 50, .group_id = "grp1", .reported_by = "m2"};
    struct case_rec *items = NULL;
    size_t n = 9;
    assert_int_equal(store_case_list(f->c, &q, &items, &n), ERR_OK);
    assert_int_equal(n, 0);
    case_list_free(items, n);

    /* "" is a value, not "unset": it matches nothing rather than everything. */
    q = (struct case_filter){.limit = 50, .organization_id = ""};
    assert_int_equal(store_case_list(f->c, &q, &items, &n), ERR_OK);
    assert_int_equal(n, 0);
    case_list_free(items, n);

    /* The concerns come with each case, in the order given. */
    q = (struct case_filter){.limit = 1, .group_id = "grp1"};
    assert_int_equal(store_case_list(f->c, &q, &items, &n), ERR_OK);
    assert_int_equal(n, 1);
    assert_int_equal(items[0].nconcerns, 2);
    assert_string_equal(items[0].concerns[0], "domestic_violence");
    assert_string_equal(items[0].concerns[1], "trafficking");
    case_list_free(items, n);

    q = (struct case_filter){.limit = 0};
    assert_int_equal(store_case_list(f->c, &q, &items, &n), ERR_INTERNAL);
}

/* Pages through f with the given page size; the concatenation must be the
 * whole list in order. */
static void expect_pages(struct store_conn *c, struct case_filter q, int limit,
                         const char *const *ids, size_t nids)
{
    size_t seen = 0;
    q.limit = limit;
    q.has_after = false;
    for (int pages = 0; pages < 20; pages++) {
        struct case_rec *items = NULL;
        size_t n = 0;
        assert_int_equal(store_case_list(c, &q, &items, &n), ERR_OK);
        assert_true(n <= (size_t)limit);
        for (size_t i = 0; i < n; i++) {
            assert_true(seen < nids);
            assert_string_equal(items[i].id, ids[seen]);
            seen++;
        }
        if (n > 0) {
            q.has_after = true;
            q.after_urgent = items[n - 1].urgent;
            snprintf(q.after_created_at, sizeof(q.after_created_at), "%s", items[n - 1].created_at);
            snprintf(q.after_id, sizeof(q.after_id), "%s", items[n - 1].id);
        }
        case_list_free(items, n);
        if (n < (size_t)limit)
            break;
    }
    assert_int_equal(seen, nids);
}

static void test_case_list_pages(void **state)
{
    struct fx *f = *state;
    seed_cases(f->c);

    const char *const all[] = {"c5", "c2", "c4", "c3", "c7", "c6", "c1"};
    struct case_filter q = {0};
    for (int limit = 1; limit <= 8; limit++)
        expect_pages(f->c, q, limit, all, 7);

    const char *const org1[] = {"c2", "c4", "c3", "c7", "c6", "c1"};
    q = (struct case_filter){.organization_id = "org1"};
    expect_pages(f->c, q, 2, org1, 6);
    expect_pages(f->c, q, 3, org1, 6);

    const char *const grp1[] = {"c2", "c7", "c6", "c1"};
    q = (struct case_filter){.group_id = "grp1"};
    expect_pages(f->c, q, 1, grp1, 4);
}

static void test_case_next_seq(void **state)
{
    struct fx *f = *state;
    int seq = 0;

    assert_int_equal(store_begin(f->c), ERR_OK);
    for (int i = 1; i <= 3; i++) {
        assert_int_equal(store_case_next_seq(f->c, "PUK", 2026, &seq), ERR_OK);
        assert_int_equal(seq, i);
    }
    assert_int_equal(store_case_next_seq(f->c, "KRL", 2026, &seq), ERR_OK);
    assert_int_equal(seq, 1);
    assert_int_equal(store_case_next_seq(f->c, "PUK", 2027, &seq), ERR_OK);
    assert_int_equal(seq, 1);
    assert_int_equal(store_commit(f->c), ERR_OK);

    /* A rolled-back number is given again. */
    assert_int_equal(store_begin(f->c), ERR_OK);
    assert_int_equal(store_case_next_seq(f->c, "PUK", 2026, &seq), ERR_OK);
    assert_int_equal(seq, 4);
    store_rollback(f->c);
    assert_int_equal(store_case_next_seq(f->c, "PUK", 2026, &seq), ERR_OK);
    assert_int_equal(seq, 4);
}

/* ---- audit ---- */

static void audit_entry(struct audit_rec *r, int64_t seq, const char *record_id)
{
    memset(r, 0, sizeof(*r));
    r->seq = seq;
    snprintf(r->at, sizeof(r->at), "2026-01-01T00:00:0%dZ", (int)seq);
    snprintf(r->user_id, sizeof(r->user_id), "%s", seq == 1 ? "" : "cw1");
    snprintf(r->action, sizeof(r->action), "read");
    snprintf(r->record_type, sizeof(r->record_type), "case");
    snprintf(r->record_id, sizeof(r->record_id), "%s", record_id);
    r->detail = seq == 2 ? (char *)"status=open" : NULL;
    memset(r->prev_hash, (int)seq - 1, 32);
    memset(r->hash, (int)seq, 32);
    /* the first entry unkeyed, as one written before the chain was keyed */
    r->has_mac = seq > 1;
    if (r->has_mac) {
        memset(r->mac, 0x30 + (int)seq, 32);
        snprintf(r->key_id, sizeof(r->key_id), "%016d", (int)seq);
    }
}

static void test_audit(void **state)
{
    struct fx *f = *state;
    unsigned char zero[32] = {0};
    struct audit_rec r;
    struct audit_head_row h;

    memset(&h, 0xff, sizeof(h));
    assert_int_equal(store_audit_last(f->c, &h), ERR_OK);
    assert_int_equal(h.seq, 0);
    assert_memory_equal(h.hash, zero, 32);
    assert_false(h.has_mac);

    for (int64_t i = 1; i <= 3; i++) {
        audit_entry(&r, i, i == 3 ? "c2" : "c1");
        assert_int_equal(store_audit_insert(f->c, &r), ERR_OK);
    }
    audit_entry(&r, 3, "c1");
    assert_int_equal(store_audit_insert(f->c, &r), ERR_CONFLICT);

    assert_int_equal(store_audit_last(f->c, &h), ERR_OK);
    assert_int_equal(h.seq, 3);
    memset(zero, 3, sizeof(zero));
    assert_memory_equal(h.hash, zero, 32);
    assert_true(h.has_mac);
    memset(zero, 0x30 + 3, sizeof(zero));
    assert_memory_equal(h.mac, zero, 32);
    assert_int_equal(store_audit_head_read(f->c, &h), ERR_OK);
    assert_int_equal(h.seq, 3);

    struct audit_rec *items = NULL;
    size_t n = 0;
    assert_int_equal(store_audit_range(f->c, 0, 100, &items, &n), ERR_OK);
    assert_int_equal(n, 3);
    assert_int_equal(items[0].seq, 1);
    assert_string_equal(items[0].user_id, "");
    assert_null(items[0].detail);
    assert_string_equal(items[1].detail, "status=open");
    assert_string_equal(items[1].at, "2026-01-01T00:00:02Z");
    assert_string_equal(items[2].record_id, "c2");
    memset(zero, 2, sizeof(zero));
    assert_memory_equal(items[2].prev_hash, zero, 32);
    for (size_t i = 0; i < n; i++)
        assert_false(items[i].malformed);
    assert_false(items[0].has_mac);
    assert_string_equal(items[0].key_id, "");
    assert_true(items[2].has_mac);
    assert_string_equal(items[2].key_id, "0000000000000003");
    memset(zero, 0x33, sizeof(zero));
    assert_memory_equal(items[2].mac, zero, 32);
    audit_list_free(items, n);
    assert_int_equal(store_audit_range(f->c, 1, 1, &items, &n), ERR_OK);
    assert_int_equal(n, 1);
    assert_int_equal(items[0].seq, 2);
    audit_list_free(items, n);
    assert_int_equal(store_audit_for_record(f->c, "case", "c1", 0, 10, &items, &n), ERR_OK);
    assert_int_equal(n, 2);
    assert_int_equal(items[1].seq, 2);
    audit_list_free(items, n);

    /* Append-only: the database itself refuses to change or remove an entry. */
    assert_int_not_equal(raw_exec(f->path, "UPDATE audit SET action = 'x' WHERE seq = 2"),
                         SQLITE_OK);
    assert_int_not_equal(raw_exec(f->path, "DELETE FROM audit WHERE seq = 1"), SQLITE_OK);
    assert_int_equal(raw_int(f->path, "SELECT count(*) FROM audit"), 3);
    assert_int_equal(raw_int(f->path, "SELECT count(*) FROM audit WHERE action = 'read'"), 3);
}

/* ---- transactions and threads ---- */

static void test_rollback(void **state)
{
    struct fx *f = *state;
    struct user_rec u;

    seed(f->c);
    assert_int_equal(store_begin(f->c), ERR_OK);
    assert_int_equal(add_user(f->c, "t1", "temp1", "member", "org1", "grp1"), ERR_OK);
    assert_int_equal(store_meta_set(f->c, "temp", "x"), ERR_OK);
    assert_int_equal(store_user_get(f->c, "t1", &u), ERR_OK);
    user_rec_free(&u);
    store_rollback(f->c);
    assert_int_equal(store_user_get(f->c, "t1", &u), ERR_NOT_FOUND);
    char *v = NULL;
    assert_int_equal(store_meta_get(f->c, "temp", &v), ERR_NOT_FOUND);
    store_rollback(f->c); /* no transaction: a no-op */

    assert_int_equal(store_begin(f->c), ERR_OK);
    assert_int_equal(add_user(f->c, "t1", "temp1", "member", "org1", "grp1"), ERR_OK);
    assert_int_equal(store_commit(f->c), ERR_OK);
    assert_int_equal(store_user_get(f->c, "t1", &u), ERR_OK);
    user_rec_free(&u);
}

struct thread_arg {
    struct store *st;
    pthread_barrier_t *barrier;
    struct store_conn *c1, *c2;
    enum err ping;
    int version;
};

static void *thread_main(void *p)
{
    struct thread_arg *a = p;
    a->c1 = store_conn(a->st);
    a->c2 = store_conn(a->st);
    a->ping = a->c1 != NULL ? store_ping(a->c1) : ERR_INTERNAL;
    a->version = a->c1 != NULL ? store_schema_version(a->c1) : -1;
    /* Both threads hold their connections at once. */
    pthread_barrier_wait(a->barrier);
    return NULL;
}

static void test_threads(void **state)
{
    struct fx *f = *state;
    pthread_barrier_t barrier;
    pthread_t t[2];
    struct thread_arg a[2];

    pthread_barrier_init(&barrier, NULL, 2);
    for (int i = 0; i < 2; i++) {
        a[i] = (struct thread_arg){.st = f->st, .barrier = &barrier};
        assert_int_equal(pthread_create(&t[i], NULL, thread_main, &a[i]), 0);
    }
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    pthread_barrier_destroy(&barrier);
    for (int i = 0; i < 2; i++) {
        assert_non_null(a[i].c1);
        assert_ptr_equal(a[i].c1, a[i].c2);
        assert_ptr_not_equal(a[i].c1, f->c);
        assert_int_equal(a[i].ping, ERR_OK);
        assert_int_equal(a[i].version, SCHEMA_VERSION);
    }
    assert_ptr_not_equal(a[0].c1, a[1].c1);
    assert_ptr_equal(store_conn(f->st), f->c);
}

/* A writer holding the lock past the busy timeout makes begin answer
 * ERR_UNAVAILABLE, not an internal error. */
static void test_busy(void **state)
{
    struct fx *f = *state;
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open_v2(f->path, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(store_begin(f->c), ERR_UNAVAILABLE);
    sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    sqlite3_close(db);
    assert_int_equal(store_begin(f->c), ERR_OK);
    store_rollback(f->c);
}

static int group_setup(void **state)
{
    (void)state;
    log_quiet(1);
    return mkdtemp(tmpdir) != NULL ? 0 : -1;
}

static int group_teardown(void **state)
{
    (void)state;
    char cmd[300];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)

int main(void)
{
    test_audit_keys();
    const struct CMUnitTest tests[] = {
        T(test_open_create_migrate),
        T(test_pragmas),
        T(test_store_end),
        T(test_columns_are_named),
        T(test_reopen_idempotent),
        T(test_newer_schema_refused),
        T(test_missing_file_refused),
        T(test_users),
        T(test_sessions),
        T(test_login_failures),
        T(test_groups_members),
        T(test_locations),
        T(test_case_insert_get),
        T(test_case_list),
        T(test_case_list_pages),
        T(test_case_next_seq),
        T(test_audit),
        T(test_rollback),
        T(test_threads),
        T(test_busy),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
