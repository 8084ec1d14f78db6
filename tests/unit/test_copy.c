/* Unit tests of store_copy (SQLite into SQLite), each on fresh databases
 * in a temporary directory: a populated store copied whole, a target
 * holding data refused, a copy that fails part-way leaving the target
 * untouched, and rowids that go on past the copied ones. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "audit_fixture.h"
#include "tmpdir.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "store/store.h"
#include "util/log.h"

static char dir[TMPDIR_SIZE];
static int dbcount;

struct fx {
    struct store *from, *to;
    struct store_conn *src, *dst;
    char to_path[128];
};

static struct store *open_new(char *path, size_t size)
{
    struct store *st = NULL;
    char *msg = NULL;
    snprintf(path, size, "%s/t%d.db", dir, ++dbcount);
    if (store_open(path, true, &st, &msg) != ERR_OK)
        fail_msg("store_open: %s", msg ? msg : "?");
    return st;
}

static unsigned char SEALED[] = {0x00, 0x01, 0xfe, 0xff, 0x00, 0x42}; /* NULs included */

static void add_location(struct store_conn *c, const char *code, const char *level,
                         const char *parent)
{
    struct location_rec r = {0};
    snprintf(r.code, sizeof r.code, "%s", code);
    snprintf(r.level, sizeof r.level, "%s", level);
    snprintf(r.parent, sizeof r.parent, "%s", parent);
    r.name_km = (char *)"ភូមិ";
    r.name_latn = (char *)"Puok";
    assert_int_equal(store_location_insert(c, &r), ERR_OK);
}

static void add_note(struct store_conn *c, const char *id, const char *corrects)
{
    struct note_rec n = {0};
    snprintf(n.id, sizeof n.id, "%s", id);
    snprintf(n.case_id, sizeof n.case_id, "case1");
    n.body = (struct blob){SEALED, sizeof SEALED};
    snprintf(n.corrects, sizeof n.corrects, "%s", corrects);
    snprintf(n.author, sizeof n.author, "cw1");
    snprintf(n.created_at, sizeof n.created_at, "2026-01-01T00:00:00Z");
    assert_int_equal(store_note_insert(c, &n), ERR_OK);
}

static void add_event(struct store_conn *c, const char *kind)
{
    struct case_event_rec ev = {0};
    snprintf(ev.case_id, sizeof ev.case_id, "case1");
    snprintf(ev.at, sizeof ev.at, "2026-01-01T00:00:00Z");
    snprintf(ev.user_id, sizeof ev.user_id, "cw1");
    snprintf(ev.kind, sizeof ev.kind, "%s", kind);
    ev.text = (struct blob){SEALED, sizeof SEALED};
    assert_int_equal(store_case_event_insert(c, &ev), ERR_OK);
}

/* A small deployment: places (children written before their parents),
 * an organization, a user, a case with its survivor, notes correcting
 * notes (a correction whose id sorts first), a timeline, audit entries. */
static void seed(struct store_conn *c)
{
    assert_int_equal(store_begin(c), ERR_OK);
    add_location(c, "170710", "commune", "1707");
    add_location(c, "1707", "district", "17");
    add_location(c, "17", "province", "");

    struct org_rec o = {.id = "org1", .name = (char *)"NGO", .kind = "ngo", .version = 1};
    snprintf(o.created_at, sizeof o.created_at, "2026-01-01T00:00:00Z");
    assert_int_equal(store_org_insert(c, &o), ERR_OK);
    struct user_rec u = {.id = "cw1", .username = "cw1", .role = "caseworker", .locale = "km"};
    u.display_name = (char *)"Caseworker";
    snprintf(u.organization_id, sizeof u.organization_id, "org1");
    u.active = true;
    snprintf(u.created_at, sizeof u.created_at, "2026-01-01T00:00:00Z");
    snprintf(u.updated_at, sizeof u.updated_at, "2026-01-01T00:00:00Z");
    u.version = 1;
    assert_int_equal(store_user_insert(c, &u, "$argon2id$v=19$m=65536,t=2,p=1$c2FsdA$aGFzaA"),
                     ERR_OK);

    struct case_rec r = {.id = "case1", .code = "PUK-2026-0001", .status = "reported"};
    snprintf(r.organization_id, sizeof r.organization_id, "org1");
    snprintf(r.location_code, sizeof r.location_code, "170710");
    snprintf(r.concerns[0], sizeof r.concerns[0], "trafficking");
    r.nconcerns = 1;
    r.summary = (struct blob){SEALED, sizeof SEALED};
    r.urgent = true;
    snprintf(r.reported_by, sizeof r.reported_by, "cw1");
    snprintf(r.created_at, sizeof r.created_at, "2026-01-01T00:00:00Z");
    snprintf(r.updated_at, sizeof r.updated_at, "2026-01-01T00:00:00Z");
    r.version = 1;
    r.has_survivor = true;
    r.survivor.identity = (struct blob){SEALED, sizeof SEALED};
    snprintf(r.survivor.sex, sizeof r.survivor.sex, "female");
    r.survivor.age = 17;
    assert_int_equal(store_case_insert(c, &r), ERR_OK);

    add_note(c, "zz-first", "");
    add_note(c, "aa-corrects-first", "zz-first");
    add_note(c, "00-corrects-fix", "aa-corrects-first");
    add_event(c, "reported");
    add_event(c, "note");
    assert_int_equal(store_login_failure_add(c, "ukey", "akey", 1000), ERR_OK);
    for (int i = 0; i < 3; i++)
        assert_int_equal(audit_append(c, "cw1", AUDIT_CREATE, "case", "case1", NULL), ERR_OK);
    assert_int_equal(store_commit(c), ERR_OK);
}

static int fx_setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    char path[128];
    f->from = open_new(path, sizeof path);
    f->to = open_new(f->to_path, sizeof f->to_path);
    f->src = store_conn(f->from);
    f->dst = store_conn(f->to);
    seed(f->src);
    *state = f;
    return 0;
}

static int fx_teardown(void **state)
{
    struct fx *f = *state;
    store_close(f->from);
    store_close(f->to);
    free(f);
    return 0;
}

static int64_t rows_of(const struct table_count *t, size_t n, const char *table)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(t[i].table, table) == 0)
            return t[i].rows;
    fail_msg("no table %s", table);
    return -1;
}

/* The counts of st; *n tables. */
static struct table_count *counts_of(struct store *st, size_t *n)
{
    struct table_count *t = NULL;
    char *msg = NULL;
    if (store_table_counts(st, &t, n, &msg) != ERR_OK)
        fail_msg("store_table_counts: %s", msg ? msg : "?");
    return t;
}

static size_t rows_total(struct store *st)
{
    size_t n = 0, total = 0;
    struct table_count *t = counts_of(st, &n);
    for (size_t i = 0; i < n; i++)
        total += (size_t)t[i].rows;
    free(t);
    return total;
}

static int progress_calls;

static void progress(void *arg, const char *table, int64_t done, int64_t total)
{
    (void)arg;
    (void)table;
    assert_true(done <= total);
    progress_calls++;
}

static void test_copy_whole(void **state)
{
    struct fx *f = *state;
    struct table_count *copied = NULL;
    size_t ncopied = 0;
    char *msg = NULL;

    progress_calls = 0;
    enum err e = store_copy(f->from, f->to, progress, NULL, &copied, &ncopied, &msg);
    if (e != ERR_OK)
        fail_msg("store_copy: %s", msg ? msg : "?");
    assert_true(progress_calls >= (int)ncopied);

    size_t na = 0, nb = 0;
    struct table_count *a = counts_of(f->from, &na), *b = counts_of(f->to, &nb);
    assert_int_equal(na, nb);
    assert_int_equal(na, ncopied);
    for (size_t i = 0; i < na; i++) {
        assert_string_equal(a[i].table, b[i].table);
        assert_int_equal(a[i].rows, b[i].rows);
        assert_int_equal(rows_of(copied, ncopied, a[i].table), a[i].rows);
    }
    assert_int_equal(rows_of(b, nb, "location"), 3);
    assert_int_equal(rows_of(b, nb, "note"), 3);
    assert_int_equal(rows_of(b, nb, "audit"), 3);
    assert_int_equal(rows_of(b, nb, "audit_head"), 1);
    /* parents before children: the parent table before the child table */
    size_t org = 0, cases = 0;
    for (size_t i = 0; i < ncopied; i++) {
        if (strcmp(copied[i].table, "organization") == 0)
            org = i;
        if (strcmp(copied[i].table, "cases") == 0)
            cases = i;
    }
    assert_true(org < cases);
    free(a);
    free(b);
    free(copied);

    struct case_rec r = {0};
    assert_int_equal(store_case_get(f->dst, "case1", &r), ERR_OK);
    assert_string_equal(r.code, "PUK-2026-0001");
    assert_true(r.urgent);
    assert_int_equal(r.summary.len, sizeof SEALED);
    assert_memory_equal(r.summary.p, SEALED, sizeof SEALED);
    assert_true(r.has_survivor);
    assert_memory_equal(r.survivor.identity.p, SEALED, sizeof SEALED);
    assert_int_equal(r.survivor.age, 17);
    case_rec_free(&r);

    struct note_rec n = {0};
    assert_int_equal(store_note_get(f->dst, "00-corrects-fix", &n), ERR_OK);
    assert_string_equal(n.corrects, "aa-corrects-first");
    note_rec_free(&n);

    int64_t entries, bad;
    struct audit_head_row sh, dh;
    bool ok = false;
    assert_int_equal(store_audit_last(f->src, &sh), ERR_OK);
    assert_int_equal(store_audit_last(f->dst, &dh), ERR_OK);
    assert_int_equal(sh.seq, 3);
    assert_int_equal(dh.seq, 3);
    assert_memory_equal(sh.hash, dh.hash, 32);
    assert_true(sh.has_mac && dh.has_mac);
    assert_memory_equal(sh.mac, dh.mac, 32);
    assert_int_equal(audit_verify(f->dst, &ok, &entries, &bad), ERR_OK);
    assert_true(ok);
    assert_int_equal(entries, 3);
    /* the copied head is the one the next entry chains on */
    assert_int_equal(audit_append(f->dst, "cw1", AUDIT_READ, "case", "case1", NULL), ERR_OK);
    assert_int_equal(audit_verify(f->dst, &ok, &entries, &bad), ERR_OK);
    assert_true(ok);
    assert_int_equal(entries, 4);
}

static void expect_refused(struct fx *f)
{
    struct table_count *copied = NULL;
    size_t ncopied = 0, before = rows_total(f->to);
    char *msg = NULL;
    assert_int_equal(store_copy(f->from, f->to, NULL, NULL, &copied, &ncopied, &msg), ERR_CONFLICT);
    assert_non_null(msg);
    assert_non_null(strstr(msg, "holds data"));
    assert_null(copied);
    free(msg);
    assert_int_equal(rows_total(f->to), before);
}

static void test_copy_refuses_target_with_data(void **state)
{
    struct fx *f = *state;
    /* a location the target has already */
    assert_int_equal(store_begin(f->dst), ERR_OK);
    add_location(f->dst, "99", "province", "");
    assert_int_equal(store_commit(f->dst), ERR_OK);
    expect_refused(f);
}

static void test_copy_refuses_target_with_audit(void **state)
{
    struct fx *f = *state;
    /* no rows but one audit entry: its head has moved on */
    assert_int_equal(store_begin(f->dst), ERR_OK);
    assert_int_equal(audit_append(f->dst, NULL, AUDIT_LOGIN_FAILED, "user", NULL, NULL), ERR_OK);
    assert_int_equal(store_commit(f->dst), ERR_OK);
    expect_refused(f);
}

static void test_copy_twice_refused(void **state)
{
    struct fx *f = *state;
    struct table_count *copied = NULL;
    size_t n = 0;
    char *msg = NULL;
    assert_int_equal(store_copy(f->from, f->to, NULL, NULL, &copied, &n, &msg), ERR_OK);
    free(copied);
    expect_refused(f);
}

/* A value the copy will not carry (a text with a NUL byte inside, which
 * cbpn never writes) in a table copied after others: what went before is
 * undone too. (An empty blob it carries: an erasure leaves them.) */
static void test_copy_all_or_nothing(void **state)
{
    struct fx *f = *state;
    struct table_count *copied = NULL;
    size_t n = 0, before = rows_total(f->to);
    char *msg = NULL;
    /* the second connection of this thread is the store's own: go around it */
    sqlite3 *db = NULL;
    char path[128];
    snprintf(path, sizeof path, "%s/t%d.db", dir, dbcount - 1);
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(
        sqlite3_exec(db, "UPDATE users SET display_name = CAST(x'610062' AS TEXT) WHERE id = 'cw1'",
                     NULL, NULL, NULL),
        SQLITE_OK);
    sqlite3_close(db);

    assert_int_equal(store_copy(f->from, f->to, NULL, NULL, &copied, &n, &msg), ERR_INTERNAL);
    assert_non_null(strstr(msg, "users.display_name"));
    free(msg);
    assert_null(copied);
    assert_int_equal(rows_total(f->to), before);
    /* and the target is still empty: a copy after the cause is gone works */
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db,
                                  "UPDATE users SET display_name = 'Caseworker' WHERE id = 'cw1'",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);
    msg = NULL;
    assert_int_equal(store_copy(f->from, f->to, NULL, NULL, &copied, &n, &msg), ERR_OK);
    free(copied);
}

static void test_copy_sequences_go_on(void **state)
{
    struct fx *f = *state;
    struct table_count *copied = NULL;
    size_t n = 0;
    char *msg = NULL;
    assert_int_equal(store_copy(f->from, f->to, NULL, NULL, &copied, &n, &msg), ERR_OK);
    free(copied);

    struct case_event_rec *ev = NULL;
    size_t nev = 0;
    assert_int_equal(store_case_event_list(f->dst, "case1", &ev, &nev), ERR_OK);
    assert_int_equal(nev, 2);
    int64_t max = ev[nev - 1].seq;
    case_event_list_free(ev, nev);

    add_event(f->dst, "updated");
    assert_int_equal(store_case_event_list(f->dst, "case1", &ev, &nev), ERR_OK);
    assert_int_equal(nev, 3);
    assert_true(ev[2].seq > max);
    assert_string_equal(ev[2].kind, "updated");
    case_event_list_free(ev, nev);
    assert_int_equal(store_login_failure_add(f->dst, "ukey", "akey", 1001), ERR_OK);
}

static int group_setup(void **state)
{
    (void)state;
    log_quiet(1);
    return tmpdir_make(dir) ? 0 : -1;
}

static int group_teardown(void **state)
{
    (void)state;
    tmpdir_remove(dir);
    return 0;
}

int main(void)
{
    test_audit_keys();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_copy_whole, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_copy_refuses_target_with_data, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_copy_refuses_target_with_audit, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_copy_twice_refused, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_copy_all_or_nothing, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_copy_sequences_go_on, fx_setup, fx_teardown),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
