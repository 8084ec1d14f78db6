/* The maintained report cells' place (docs/reports.md): a record's location
 * coarsened to its commune — the first six digits of an 8-digit village
 * code; province (2), district (4) and commune (6) codes stay — in the SQL
 * both backends share (store/report_sql.h), run here on SQLite. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/report_sql.h"
#include "store/store.h"
#include "store/store_int.h"
#include "tmpdir.h"

static char dir[TMPDIR_SIZE];

static char *coarsened(struct store_conn *c, const char *loc)
{
    struct stmt *s = stmt_prepare(c, "SELECT " RC_PLACE("?1"));
    assert_non_null(s);
    stmt_text(s, 1, loc);
    bool row = false;
    assert_int_equal(stmt_step(s, &row), ERR_OK);
    assert_true(row);
    char *out = strdup(stmt_col_text(s, 0));
    stmt_finalize(s);
    return out;
}

static void test_place_is_the_commune_of_a_village(void **state)
{
    (void)state;
    char path[TMPDIR_SIZE + 16];
    snprintf(path, sizeof path, "%s/t.db", dir);
    struct store *st = NULL;
    char *msg = NULL;
    assert_int_equal(store_open(path, true, &st, &msg), ERR_OK);
    struct store_conn *c = store_conn(st);
    static const char *const cases[][2] = {
        {"17071001", "170710"}, /* a village: its commune */
        {"170710", "170710"},   /* a commune stays */
        {"1707", "1707"},       /* a district stays */
        {"17", "17"},           /* a province stays */
        {"01020304", "010203"}, /* leading zeros kept */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *got = coarsened(c, cases[i][0]);
        assert_string_equal(got, cases[i][1]);
        free(got);
    }
    store_close(st);
}

static int setup(void **state)
{
    (void)state;
    return tmpdir_make(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    tmpdir_remove(dir);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_place_is_the_commune_of_a_village),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
