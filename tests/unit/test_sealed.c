/* Sealed fields (domain/sealed.h): every field names a column that exists,
 * and case keys: a case-bound field opens only through its case's key, the
 * key is made once per case, and shredding it leaves nothing to open. */
#include <sqlite3.h>

#include "audit_fixture.h"
#include "domain/sealed.h"
#include "domain_fixture.h"

static void test_every_field_names_a_column_of_the_schema(void **state)
{
    struct fx *f = *state;
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open_v2(f->db, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    for (int i = 0; i < SEALED__MAX; i++) {
        const struct sealed_col *c = sealed_column((enum sealed_field)i);
        assert_non_null(c->table);
        assert_non_null(c->col);
        assert_true(c->nrow >= 1 && c->nrow <= 2);
        char sql[256];
        snprintf(sql, sizeof sql, "SELECT %s%s%s, %s FROM %s LIMIT 0", c->row[0],
                 c->nrow > 1 ? ", " : "", c->nrow > 1 ? c->row[1] : "", c->col, c->table);
        sqlite3_stmt *s = NULL;
        int rc = sqlite3_prepare_v2(db, sql, -1, &s, NULL);
        if (rc != SQLITE_OK)
            fail_msg("field %d: %s: %s", i, sql, sqlite3_errmsg(db));
        sqlite3_finalize(s);
    }
    sqlite3_close(db);
    /* the case-bound ones are the case's records */
    assert_true(sealed_case_bound(SEALED_SURVIVOR_IDENTITY));
    assert_true(sealed_case_bound(SEALED_NOTE_BODY));
    assert_true(sealed_case_bound(SEALED_REFERRAL_SLIP));
    assert_false(sealed_case_bound(SEALED_MEMBER_IDENTITY));
    assert_false(sealed_case_bound(SEALED_ADVICE_PERSON));
    /* append-only tables are not re-sealed by a rotation */
    assert_false(sealed_resealable(SEALED_NOTE_BODY));
    assert_false(sealed_resealable(SEALED_EVENT_TEXT));
    assert_true(sealed_resealable(SEALED_MEMBER_PHONE));
}

static void test_case_keys_and_shredding(void **state)
{
    struct fx *f = *state;
    const char *c1 = "aaaaaaaaaaaaaaaaaaa1", *c2 = "aaaaaaaaaaaaaaaaaaa2";
    struct blob a, b, other, w1, w1b;
    char *pt = NULL;
    assert_int_equal(sealed_seal_case(&f->op, c1, SEALED_CASE_SUMMARY, c1, "Kanha's story", &a),
                     ERR_OK);
    assert_int_equal(store_case_key_get(f->op.db, c1, &w1), ERR_OK);
    /* a second field of the same case: the same key, not a new one */
    assert_int_equal(
        sealed_seal_case(&f->op, c1, SEALED_NOTE_BODY, "note0000000000000001", "a note", &b),
        ERR_OK);
    assert_int_equal(store_case_key_get(f->op.db, c1, &w1b), ERR_OK);
    assert_int_equal(w1.len, w1b.len);
    assert_memory_equal(w1.p, w1b.p, w1.len);
    assert_int_equal(sealed_seal_case(&f->op, c2, SEALED_CASE_SUMMARY, c2, "another", &other),
                     ERR_OK);
    assert_int_equal(a.p[0], 3);

    assert_true(sealed_open_case(&f->op, c1, SEALED_CASE_SUMMARY, c1, &a, &pt));
    assert_string_equal(pt, "Kanha's story");
    crypto_free_text(pt);
    /* not as another field, another record, or through another case's key */
    assert_false(sealed_open_case(&f->op, c1, SEALED_CASE_EMPLOYER, c1, &a, &pt));
    assert_false(sealed_open_case(&f->op, c1, SEALED_NOTE_BODY, "note0000000000000002", &b, &pt));
    assert_false(sealed_open_case(&f->op, c2, SEALED_CASE_SUMMARY, c1, &a, &pt));
    /* the data key alone does not open it */
    size_t n;
    char *ad = sealed_ad(SEALED_CASE_SUMMARY, c1);
    assert_false(crypto_unseal(f->key, ad, &a, &pt, &n));
    free(ad);

    /* shredded: nothing of the case opens, whoever holds the data key */
    assert_int_equal(sealed_shred_case(&f->op, c1), ERR_OK);
    struct blob gone = {0};
    assert_int_equal(store_case_key_get(f->op.db, c1, &gone), ERR_NOT_FOUND);
    assert_true(sealed_open_case(&f->op, c1, SEALED_CASE_SUMMARY, c1, &a, &pt));
    assert_null(pt);
    assert_true(sealed_open_case(&f->op, c1, SEALED_NOTE_BODY, "note0000000000000001", &b, &pt));
    assert_null(pt);
    /* the other case is untouched */
    assert_true(sealed_open_case(&f->op, c2, SEALED_CASE_SUMMARY, c2, &other, &pt));
    assert_string_equal(pt, "another");
    crypto_free_text(pt);
    /* a value sealed before case keys (under the data key) still opens */
    struct blob legacy;
    ad = sealed_ad(SEALED_CASE_SUMMARY, c2);
    crypto_seal(f->key, ad, "old text", 8, &legacy);
    free(ad);
    assert_true(sealed_open_case(&f->op, c2, SEALED_CASE_SUMMARY, c2, &legacy, &pt));
    assert_string_equal(pt, "old text");
    crypto_free_text(pt);
    free(a.p);
    free(b.p);
    free(other.p);
    free(legacy.p);
    free(w1.p);
    free(w1b.p);
}

int main(void)
{
    (void)fx_actor; /* the fixture's helpers this program does not need */
    (void)fx_ctx;
    test_audit_keys();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_every_field_names_a_column_of_the_schema, fx_setup,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_case_keys_and_shredding, fx_setup, fx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
