/* The maintained report cells (store/report.c): their place (docs/reports.md)
 * is a record's location coarsened to its commune — the first six digits of
 * an 8-digit village code; province (2), district (4) and commune (6) codes
 * stay — in the SQL both backends share (store/report_sql.h), run here on
 * SQLite; the rebuild, the generation and the referrals overdue now, over
 * records written into the file directly. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <sqlite3.h>
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

/* Runs sql on the file directly (foreign keys off: no parents needed). */
static void raw(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    char *err = NULL;
    int rc = sqlite3_exec(db, sql, NULL, NULL, &err);
    if (rc != SQLITE_OK)
        fail_msg("%s: %s", sql, err);
    sqlite3_close(db);
}

struct seen {
    char text[2048];
};

static int cell_line(void *arg, const struct report_cell_row *r)
{
    struct seen *s = arg;
    size_t n = strlen(s->text);
    snprintf(s->text + n, sizeof s->text - n, "%s|%s|%s|%s|%s|%lld|%lld\n", r->code, r->dim, r->cat,
             r->place, r->month, (long long)r->n, (long long)r->s);
    return 0;
}

static int overdue_line(void *arg, const char *place, int64_t n)
{
    struct seen *s = arg;
    size_t len = strlen(s->text);
    snprintf(s->text + len, sizeof s->text - len, "%s=%lld ", place, (long long)n);
    return 0;
}

#define CASE_ROW(id, loc, created)                                                                 \
    "INSERT INTO cases (id, code, organization_id, location_code, status, reported_by,"            \
    " created_at, updated_at, reporter_role) VALUES ('" id "', '" id "', 'o', '" loc "', 'open',"  \
    " 'u', '" created "', '" created "', 'caseworker');"
#define REFERRAL_ROW(id, case_id, status, created, due)                                            \
    "INSERT INTO referral (id, case_id, service_id, organization_id, service_type, status,"        \
    " urgency, reason, consent_override, slip_code, created_by, created_at, updated_at, due_at,"   \
    " version) VALUES ('" id "', '" case_id "', 's', 'o', 'legal', '" status                       \
    "', 'routine', X'00',"                                                                         \
    " 0, X'00', 'u', '" created "', '" created "', '" due "', 1);"

static void test_rebuild_generation_and_overdue_now(void **state)
{
    (void)state;
    char path[TMPDIR_SIZE + 16];
    snprintf(path, sizeof path, "%s/r.db", dir);
    struct store *st = NULL;
    char *msg = NULL;
    assert_int_equal(store_open(path, true, &st, &msg), ERR_OK);
    struct store_conn *c = store_conn(st);
    bool built = false;
    assert_int_equal(store_report_built(c, &built), ERR_OK);
    assert_true(built); /* a new database has nothing to build */
    int64_t gen0 = -1, gen1 = -1;
    assert_int_equal(store_report_generation(c, &gen0), ERR_OK);

    raw(path, "PRAGMA foreign_keys = OFF;" CASE_ROW("c1", "17071001", "2026-03-05T10:00:00.000Z")
                  CASE_ROW("c2", "1707", "2026-04-01T00:00:00.000Z") REFERRAL_ROW(
                      "r1", "c1", "sent", "2026-03-05T11:00:00.000Z", "2026-03-08T11:00:00.000Z")
                      REFERRAL_ROW("r2", "c1", "accepted", "2026-03-06T11:00:00.000Z",
                                   "2026-03-09T11:00:00.000Z")
                          REFERRAL_ROW("r3", "c2", "completed", "2026-04-02T11:00:00.000Z",
                                       "2026-04-03T11:00:00.000Z")
                              REFERRAL_ROW("r4", "c2", "sent", "2026-04-02T11:00:00.000Z",
                                           "2026-09-03T11:00:00.000Z"));
    assert_int_equal(store_report_rebuild(c), ERR_OK);
    assert_int_equal(store_report_generation(c, &gen1), ERR_OK);
    assert_true(gen1 > gen0);

    struct seen cells = {{0}};
    assert_int_equal(store_report_cells(c, cell_line, &cells), ERR_OK);
    /* in (code, dim, cat, place, month) order; r3 has no completed event:
     * completed, no days; every referral unresolved: overdue from its due month */
    assert_string_equal(cells.text, "cases_reported|||1707|2026-04|1|0\n"
                                    "cases_reported|||170710|2026-03|1|0\n"
                                    "cases_reported|reporter_role|caseworker|1707|2026-04|1|0\n"
                                    "cases_reported|reporter_role|caseworker|170710|2026-03|1|0\n"
                                    "overdue_start|||1707|2026-04|1|0\n"
                                    "overdue_start|||1707|2026-09|1|0\n"
                                    "overdue_start|||170710|2026-03|2|0\n"
                                    "referrals_completed|||1707|2026-04|1|0\n"
                                    "referrals_made|||1707|2026-04|2|0\n"
                                    "referrals_made|||170710|2026-03|2|0\n"
                                    "referrals_made|service_type|legal|1707|2026-04|2|0\n"
                                    "referrals_made|service_type|legal|170710|2026-03|2|0\n");

    /* overdue now: sent or accepted, due before now, per place */
    struct seen over = {{0}};
    assert_int_equal(store_report_overdue_now(c, "2026-06-01T00:00:00.000Z", overdue_line, &over),
                     ERR_OK);
    assert_string_equal(over.text, "170710=2 ");
    over.text[0] = '\0';
    assert_int_equal(store_report_overdue_now(c, "2026-12-01T00:00:00.000Z", overdue_line, &over),
                     ERR_OK);
    assert_string_equal(over.text, "1707=1 170710=2 ");
    over.text[0] = '\0';
    assert_int_equal(store_report_overdue_now(c, "2026-03-01T00:00:00.000Z", overdue_line, &over),
                     ERR_OK);
    assert_string_equal(over.text, "");

    /* a rebuild of the same records gives the same cells */
    struct seen again = {{0}};
    assert_int_equal(store_report_rebuild(c), ERR_OK);
    assert_int_equal(store_report_cells(c, cell_line, &again), ERR_OK);
    assert_string_equal(again.text, cells.text);
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
        cmocka_unit_test(test_rebuild_generation_and_overdue_now),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
