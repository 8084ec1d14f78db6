/* Erasure (domain/erase.h): every sealed field of domain/sealed.h has its
 * row in domain/sealed.c, and each one bound to a case is set to NULL (or an
 * empty blob) by one of store_case_erase's statements in both backends'
 * statement tables. A sealed field added without that fails here (or, for
 * a new SEALED_* value, does not compile until this file is looked at).
 * The wipe's effect on real databases is tests/api/test_erasure.py's. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "domain/erase.h"
#include "store/store_int.h"

_Static_assert(SEALED__MAX == 21, "a new sealed field: give it its row in domain/sealed.c, "
                                  "wipe it in store_case_erase when it is a case's, and count "
                                  "it here");

/* Whether sql is an UPDATE of table that sets column to NULL or empty. */
static bool wipes(const char *sql, const char *table, const char *column)
{
    char head[96];
    snprintf(head, sizeof head, "UPDATE %s SET ", table);
    if (strncmp(sql, head, strlen(head)) != 0)
        return false;
    static const char *const values[] = {"NULL", "X''", "'\\x'::bytea"};
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        char set[96];
        snprintf(set, sizeof set, " %s = %s", column, values[i]);
        if (strstr(sql, set) != NULL)
            return true;
        /* override_reason keeps NULL where it was NULL (the CHECK ties it
         * to consent_override) and is emptied where it was not */
        snprintf(set, sizeof set, " %s = CASE WHEN %s IS NULL THEN NULL ELSE %s END", column,
                 column, values[i]);
        if (strstr(sql, set) != NULL)
            return true;
    }
    return false;
}

static bool wiped_by(const struct stmt_def *stmts, const struct sealed_col *f)
{
    if (wipes(stmts[STMT_CASE_ERASE_MARK].sql, f->table, f->col))
        return true;
    for (size_t i = 0; i < store_nerase_stmts; i++)
        if (wipes(stmts[store_erase_stmts[i]].sql, f->table, f->col))
            return true;
    return false;
}

static void every_sealed_field_has_a_row(void **state)
{
    (void)state;
    int wiped = 0;
    for (int f = 0; f < SEALED__MAX; f++) {
        const struct sealed_col *e = sealed_column((enum sealed_field)f);
        if (e->table == NULL)
            fail_msg("sealed field %d has no row in domain/sealed.c", f);
        assert_non_null(e->table);
        assert_non_null(e->col);
        wiped += sealed_case_bound((enum sealed_field)f);
    }
    /* survivor, summary, employer, timeline, incident, note, task, consent,
     * and the referral's five */
    assert_int_equal(wiped, 13);
}

static void every_case_field_is_wiped_on_both_backends(void **state)
{
    (void)state;
    for (int f = 0; f < SEALED__MAX; f++) {
        const struct sealed_col *e = sealed_column((enum sealed_field)f);
        if (!sealed_case_bound((enum sealed_field)f))
            continue;
        if (!wiped_by(sqlite_stmts, e))
            fail_msg("SQLite: no erase statement wipes %s.%s", e->table, e->col);
        if (!wiped_by(pg_stmts, e))
            fail_msg("PostgreSQL: no erase statement wipes %s.%s", e->table, e->col);
    }
}

/* The checker itself: it tells a wipe from another write. */
static void the_check_tells_a_wipe(void **state)
{
    (void)state;
    assert_true(wipes("UPDATE note SET body = X'' WHERE case_id = ?1", "note", "body"));
    assert_true(wipes("UPDATE note SET body = '\\x'::bytea WHERE x", "note", "body"));
    assert_false(wipes("UPDATE note SET body = ?2 WHERE case_id = ?1", "note", "body"));
    assert_false(wipes("UPDATE task SET body = NULL", "note", "body"));
    assert_false(wipes("SELECT body = NULL FROM note", "note", "body"));
    struct sealed_col nowhere = {"note", {"case_id"}, 1, "nowhere"};
    assert_false(wiped_by(sqlite_stmts, &nowhere));
    assert_false(wiped_by(pg_stmts, &nowhere));
}

static void reason_codes(void **state)
{
    (void)state;
    assert_string_equal(erase_reason_code(ERASE_RETENTION), "retention");
    assert_string_equal(erase_reason_code(ERASE_REQUEST), "request");
    assert_null(erase_reason_code(ERASE__MAX));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_sealed_field_has_a_row),
        cmocka_unit_test(every_case_field_is_wiped_on_both_backends),
        cmocka_unit_test(the_check_tells_a_wipe),
        cmocka_unit_test(reason_codes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
