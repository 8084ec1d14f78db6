/* audit: the hash chain, and what audit_verify finds when someone with the
 * database file in hand edits, deletes or reorders entries. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "tmpdir.h"

#include <dirent.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit/audit.h"
#include "crypto/crypto.h"
#include "util/log.h"

struct fixture {
    char dir[TMPDIR_SIZE];
    char db[128];
    struct store *st;
    struct store_conn *c;
};

static int open_store(struct fixture *f)
{
    char *msg = NULL;
    if (store_open(f->db, true, &f->st, &msg) != ERR_OK) {
        fprintf(stderr, "store_open: %s\n", msg ? msg : "?");
        free(msg);
        return -1;
    }
    f->c = store_conn(f->st);
    return f->c ? 0 : -1;
}

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    if (!tmpdir_make(f->dir))
        return -1;
    snprintf(f->db, sizeof f->db, "%s/cbpn.db", f->dir);
    *state = f;
    return open_store(f);
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    store_close(f->st);
    tmpdir_remove(f->dir);
    free(f);
    return 0;
}

/* Ten entries: seq 1..10. */
static void append_ten(struct fixture *f)
{
    char id[ID_SIZE];
    assert_int_equal(store_begin(f->c), ERR_OK);
    for (int i = 0; i < 10; i++) {
        crypto_random_id(id);
        assert_int_equal(audit_append(f->c, i % 3 ? id : "", (enum audit_action)(i % AUDIT__MAX),
                                      "case", id, i % 2 ? "status=reported" : NULL),
                         ERR_OK);
    }
    assert_int_equal(store_commit(f->c), ERR_OK);
}

static void verify(struct fixture *f, bool want_ok, int64_t want_entries, int64_t want_bad)
{
    bool ok = !want_ok;
    int64_t entries = -1, bad = -1;
    assert_int_equal(audit_verify(f->c, &ok, &entries, &bad), ERR_OK);
    assert_int_equal(ok, want_ok);
    assert_int_equal(entries, want_entries);
    assert_int_equal(bad, want_bad);
}

/* What an attacker with write access to the file does: close cbpn's store,
 * drop the append-only triggers, run sql, reopen. */
static void tamper(struct fixture *f, const char *sql)
{
    sqlite3 *db = NULL;
    char *err = NULL;
    store_close(f->st);
    f->st = NULL;
    assert_int_equal(sqlite3_open(f->db, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db,
                                  "DROP TRIGGER IF EXISTS audit_no_update;"
                                  "DROP TRIGGER IF EXISTS audit_no_delete;",
                                  NULL, NULL, &err),
                     SQLITE_OK);
    if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK) {
        fprintf(stderr, "tamper: %s\n", err);
        fail();
    }
    assert_int_equal(sqlite3_changes(db) > 0, 1);
    sqlite3_close(db);
    assert_int_equal(open_store(f), 0);
}

static void test_action_codes(void **state)
{
    (void)state;
    static const char *const want[] = {"read",  "create", "update",
                                       "login", "logout", "login_failed"};
    for (int a = 0; a < 6; a++)
        assert_string_equal(audit_action_code((enum audit_action)a), want[a]);
    for (int a = 0; a < AUDIT__MAX; a++) {
        const char *code = audit_action_code((enum audit_action)a);
        assert_non_null(code);
        assert_true(strlen(code) > 0 && strlen(code) < 24);
        for (int b = 0; b < a; b++)
            assert_string_not_equal(code, audit_action_code((enum audit_action)b));
    }
    assert_null(audit_action_code(AUDIT__MAX));
    assert_null(audit_action_code((enum audit_action) - 1));
}

static void test_empty_log_verifies(void **state)
{
    struct fixture *f = *state;
    verify(f, true, 0, 0);
}

static void test_chain(void **state)
{
    struct fixture *f = *state;
    append_ten(f);
    verify(f, true, 10, 0);

    struct audit_rec *items = NULL;
    size_t n = 0;
    unsigned char zero[32] = {0};
    assert_int_equal(store_audit_range(f->c, 0, 100, &items, &n), ERR_OK);
    assert_int_equal(n, 10);
    assert_memory_equal(items[0].prev_hash, zero, 32);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(items[i].seq, (int64_t)i + 1);
        assert_int_equal(strlen(items[i].at), 24);
        assert_string_equal(items[i].record_type, "case");
        if (i > 0)
            assert_memory_equal(items[i].prev_hash, items[i - 1].hash, 32);
        assert_memory_not_equal(items[i].hash, zero, 32);
    }
    assert_string_equal(items[1].detail, "status=reported");
    assert_string_equal(items[3].action, "login");
    audit_list_free(items, n);

    /* more later, in another transaction, chain on */
    assert_int_equal(store_begin(f->c), ERR_OK);
    assert_int_equal(audit_append(f->c, "", AUDIT_EXPORT, "report", NULL, NULL), ERR_OK);
    assert_int_equal(store_commit(f->c), ERR_OK);
    verify(f, true, 11, 0);
}

static void test_bad_arguments(void **state)
{
    struct fixture *f = *state;
    char longid[64];
    memset(longid, 'a', sizeof longid - 1);
    longid[sizeof longid - 1] = '\0';
    assert_int_equal(store_begin(f->c), ERR_OK);
    assert_int_equal(audit_append(f->c, "", AUDIT__MAX, "case", "x", NULL), ERR_INTERNAL);
    assert_int_equal(audit_append(f->c, "", AUDIT_READ, "case", longid, NULL), ERR_INTERNAL);
    assert_int_equal(audit_append(f->c, longid, AUDIT_READ, "case", "x", NULL), ERR_INTERNAL);
    assert_int_equal(audit_append(f->c, "", AUDIT_READ, longid, "x", NULL), ERR_INTERNAL);
    store_rollback(f->c);
    verify(f, true, 0, 0);
}

static void test_edited_detail(void **state)
{
    struct fixture *f = *state;
    append_ten(f);
    tamper(f, "UPDATE audit SET detail = 'status=closed' WHERE seq = 4");
    verify(f, false, 4, 4);
}

static void test_edited_who(void **state)
{
    struct fixture *f = *state;
    append_ten(f);
    tamper(f, "UPDATE audit SET user_id = 'aaaaaaaaaaaaaaaaaaaa' WHERE seq = 7");
    verify(f, false, 7, 7);
}

static void test_rehashed_entry(void **state)
{
    /* an edit that also rewrites the entry's own hash breaks the next link */
    struct fixture *f = *state;
    append_ten(f);
    tamper(f, "UPDATE audit SET action = 'read', hash = zeroblob(32) WHERE seq = 5");
    verify(f, false, 5, 5);
    tamper(f, "UPDATE audit SET hash = (SELECT prev_hash FROM audit WHERE seq = 6)"
              " WHERE seq = 5");
    verify(f, false, 5, 5); /* its own content still does not match */
}

static void test_deleted_entry(void **state)
{
    struct fixture *f = *state;
    append_ten(f);
    tamper(f, "DELETE FROM audit WHERE seq = 3");
    verify(f, false, 3, 4); /* 1, 2 fine; 4 does not follow 2 */
}

static void test_deleted_first(void **state)
{
    struct fixture *f = *state;
    append_ten(f);
    tamper(f, "DELETE FROM audit WHERE seq = 1");
    verify(f, false, 1, 2);
}

static void test_cut_from_end(void **state)
{
    /* the last entries removed: the chain that is left is whole, but it
     * no longer reaches the head the appends moved on */
    struct fixture *f = *state;
    append_ten(f);
    tamper(f, "DELETE FROM audit WHERE seq > 8");
    verify(f, false, 8, 9);
}

static void test_head_past_the_log(void **state)
{
    struct fixture *f = *state;
    append_ten(f);
    tamper(f, "UPDATE audit_head SET seq = 11");
    verify(f, false, 10, 11);
    tamper(f, "UPDATE audit_head SET seq = 10, hash = zeroblob(32)");
    verify(f, false, 10, 11);
}

static void test_renumbered(void **state)
{
    /* delete one and close the gap: the links give it away */
    struct fixture *f = *state;
    append_ten(f);
    tamper(f, "DELETE FROM audit WHERE seq = 6;"
              "UPDATE audit SET seq = -seq WHERE seq > 6;"
              "UPDATE audit SET seq = -seq - 1 WHERE seq < 0");
    verify(f, false, 6, 6);
}

static void test_long_chain_pages(void **state)
{
    /* more entries than one page of audit_verify */
    struct fixture *f = *state;
    assert_int_equal(store_begin(f->c), ERR_OK);
    for (int i = 0; i < 1203; i++)
        assert_int_equal(audit_append(f->c, "", AUDIT_READ, "case", "c", NULL), ERR_OK);
    assert_int_equal(store_commit(f->c), ERR_OK);
    verify(f, true, 1203, 0);
    tamper(f, "UPDATE audit SET record_id = 'd' WHERE seq = 1001");
    verify(f, false, 1001, 1001);
}

static void test_lengthened_field(void **state)
{
    /* a field at its full width (ids, times) lengthened: the store must not
     * cut it back to what the hash covered */
    struct fixture *f = *state;
    append_ten(f);
    tamper(f, "UPDATE audit SET record_id = record_id || 'forged' WHERE seq = 4");
    verify(f, false, 4, 4);
}

static void test_lengthened_time(void **state)
{
    struct fixture *f = *state;
    append_ten(f);
    tamper(f, "UPDATE audit SET at = at || ' (forged)' WHERE seq = 2");
    verify(f, false, 2, 2);
}

static void test_hidden_after_nul(void **state)
{
    /* text after a NUL byte is text all the same */
    struct fixture *f = *state;
    append_ten(f);
    tamper(f, "UPDATE audit SET action = action || char(0) || 'x' WHERE seq = 5");
    verify(f, false, 5, 5);
    tamper(f, "UPDATE audit SET action = CAST(substr(CAST(action AS BLOB), 1,"
              " length(CAST(action AS BLOB)) - 2) AS TEXT) WHERE seq = 5;"
              "UPDATE audit SET detail = detail || char(0) || 'x' WHERE seq = 6");
    verify(f, false, 6, 6);
}

static void test_malformed_hash_column(void **state)
{
    /* a prev_hash that is not 32 bytes is not the zero hash */
    struct fixture *f = *state;
    append_ten(f);
    tamper(f, "PRAGMA ignore_check_constraints = ON;"
              "UPDATE audit SET prev_hash = zeroblob(33) WHERE seq = 1");
    verify(f, false, 1, 1);
}

int main(void)
{
    if (!crypto_init())
        return 1;
    log_quiet(1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_action_codes),
        cmocka_unit_test_setup_teardown(test_empty_log_verifies, setup, teardown),
        cmocka_unit_test_setup_teardown(test_chain, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cut_from_end, setup, teardown),
        cmocka_unit_test_setup_teardown(test_head_past_the_log, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_arguments, setup, teardown),
        cmocka_unit_test_setup_teardown(test_edited_detail, setup, teardown),
        cmocka_unit_test_setup_teardown(test_edited_who, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rehashed_entry, setup, teardown),
        cmocka_unit_test_setup_teardown(test_deleted_entry, setup, teardown),
        cmocka_unit_test_setup_teardown(test_deleted_first, setup, teardown),
        cmocka_unit_test_setup_teardown(test_renumbered, setup, teardown),
        cmocka_unit_test_setup_teardown(test_long_chain_pages, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lengthened_field, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lengthened_time, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hidden_after_nul, setup, teardown),
        cmocka_unit_test_setup_teardown(test_malformed_hash_column, setup, teardown),
    };
    return cmocka_run_group_tests_name("audit", tests, NULL, NULL);
}
