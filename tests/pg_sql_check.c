/* Checks src/store/pg_sql.c against a PostgreSQL database holding the
 * migrations of migrations/postgres/ (tests/pg_sql_check.sh sets one up):
 * every statement prepares with no parameter types given; it takes as many
 * parameters as its SQLite twin (every ?N of sqlite_sql.c is a $N here) and
 * returns as many columns, none numeric; the statements of store_col_checks
 * return the columns of store_int.h by name; and a few statements whose
 * meaning rests on PostgreSQL's own behaviour (row counts of conditional
 * upserts, bytewise order, the keyset page) do what the SQLite ones do.
 *
 * Usage: pg_sql_check CONNINFO. Exit 0 when every check passes. */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>
#include <sqlite3.h>

#include "store/store_int.h"
#include "util/embed.h"

#define NUMERICOID 1700
#define UNKNOWNOID 705

static int failures;

static void fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("FAIL: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    failures++;
}

/* The highest N of the marker's parameters (mark '?' or '$') in sql, and
 * whether N is used, into used[N]. */
static int params_used(const char *sql, char mark, bool used[100])
{
    int max = 0;
    memset(used, 0, 100 * sizeof used[0]);
    for (const char *p = sql; *p != '\0'; p++) {
        if (*p != mark || p[1] < '0' || p[1] > '9')
            continue;
        int n = atoi(p + 1);
        if (n > 0 && n < 100) {
            used[n] = true;
            if (n > max)
                max = n;
        }
    }
    return max;
}

/* The SQLite statement's result column count, prepared over the SQLite
 * migrations in memory (-1 when it does not prepare). */
static int sqlite_ncols(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        return -1;
    int n = sqlite3_column_count(st);
    sqlite3_finalize(st);
    return n;
}

static sqlite3 *sqlite_schema(void)
{
    sqlite3 *db;
    if (sqlite3_open(":memory:", &db) != SQLITE_OK)
        return NULL;
    /* The Makefile embeds them sorted by name: the versions in order. */
    for (unsigned long i = 0; i < embedded_count; i++) {
        if (strncmp(embedded_files[i].name, "migrations/sqlite/", 18) != 0)
            continue;
        char *err = NULL;
        if (sqlite3_exec(db, (const char *)embedded_files[i].data, NULL, NULL, &err) != SQLITE_OK) {
            fail("%s: %s", embedded_files[i].name, err);
            sqlite3_free(err);
        }
    }
    return db;
}

static const struct col_check *col_check_of(enum stmt_id id)
{
    for (size_t i = 0; i < store_ncol_checks; i++)
        if (store_col_checks[i].stmt == id)
            return &store_col_checks[i];
    return NULL;
}

static void check_statement(PGconn *pg, sqlite3 *lite, int i)
{
    const struct stmt_def *d = &pg_stmts[i];
    const struct stmt_def *l = &sqlite_stmts[i];
    if (d->sql == NULL || d->name == NULL) {
        fail("statement %d has no PostgreSQL SQL", i);
        return;
    }
    if (l->name == NULL || strcmp(d->name, l->name) != 0) {
        fail("%s: named %s in sqlite_sql.c", d->name, l->name ? l->name : "(none)");
        return;
    }
    if (strchr(d->sql, '?') != NULL)
        fail("%s: a '?' left in the SQL", d->name);

    PGresult *r = PQprepare(pg, d->name, d->sql, 0, NULL);
    if (PQresultStatus(r) != PGRES_COMMAND_OK) {
        fail("%s: prepare: %s  SQL: %s", d->name, PQresultErrorMessage(r), d->sql);
        PQclear(r);
        return;
    }
    PQclear(r);
    r = PQdescribePrepared(pg, d->name);
    if (PQresultStatus(r) != PGRES_COMMAND_OK) {
        fail("%s: describe: %s", d->name, PQresultErrorMessage(r));
        PQclear(r);
        return;
    }

    bool lused[100], pused[100];
    int lmax = params_used(l->sql, '?', lused);
    params_used(d->sql, '$', pused);
    if (PQnparams(r) != lmax)
        fail("%s: %d parameters, %d in SQLite", d->name, PQnparams(r), lmax);
    for (int n = 1; n <= lmax; n++)
        if (lused[n] && !pused[n])
            fail("%s: ?%d of SQLite is not used", d->name, n);
    for (int n = 0; n < PQnparams(r); n++)
        if (PQparamtype(r, n) == UNKNOWNOID)
            fail("%s: $%d has no type", d->name, n + 1);

    int nf = PQnfields(r);
    for (int c = 0; c < nf; c++)
        if (PQftype(r, c) == NUMERICOID)
            fail("%s: column %d (%s) is numeric", d->name, c, PQfname(r, c));
    int ln = sqlite_ncols(lite, l->sql);
    if (ln < 0)
        fail("%s: the SQLite statement does not prepare: %s", d->name, sqlite3_errmsg(lite));
    else if (ln != nf)
        fail("%s: %d columns, %d in SQLite", d->name, nf, ln);

    const struct col_check *cc = col_check_of((enum stmt_id)i);
    if (cc != NULL) {
        if (nf != cc->n)
            fail("%s: %d columns, %d in store_int.h", d->name, nf, cc->n);
        for (int c = 0; c < nf && c < cc->n; c++)
            if (strcmp(PQfname(r, c), cc->names[c]) != 0)
                fail("%s: column %d is %s, not %s", d->name, c, PQfname(r, c), cc->names[c]);
    }
    PQclear(r);
}

/* ---- behaviour ---- */

/* Runs a prepared statement with text parameters (NULL: SQL NULL); returns
 * the result (caller clears) or NULL after reporting an error. */
static PGresult *run(PGconn *pg, enum stmt_id id, int n, const char *const *v)
{
    PGresult *r = PQexecPrepared(pg, pg_stmts[id].name, n, v, NULL, NULL, 0);
    ExecStatusType st = PQresultStatus(r);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
        fail("%s: run: %s", pg_stmts[id].name, PQresultErrorMessage(r));
        PQclear(r);
        return NULL;
    }
    return r;
}

static void expect_changes(PGconn *pg, enum stmt_id id, int n, const char *const *v, int want,
                           const char *what)
{
    PGresult *r = run(pg, id, n, v);
    if (r == NULL)
        return;
    int got = atoi(PQcmdTuples(r));
    if (got != want)
        fail("%s (%s): %d rows changed, want %d", pg_stmts[id].name, what, got, want);
    PQclear(r);
}

/* The first column of every row, joined by spaces, into out. */
static void first_column(PGresult *r, char *out, size_t size)
{
    out[0] = '\0';
    for (int i = 0; i < PQntuples(r); i++) {
        size_t len = strlen(out);
        snprintf(out + len, size - len, "%s%s", i ? " " : "", PQgetvalue(r, i, 0));
    }
}

static void expect_rows(PGconn *pg, enum stmt_id id, int n, const char *const *v, const char *want,
                        const char *what)
{
    PGresult *r = run(pg, id, n, v);
    if (r == NULL)
        return;
    char got[512];
    first_column(r, got, sizeof got);
    if (strcmp(got, want) != 0)
        fail("%s (%s): rows [%s], want [%s]", pg_stmts[id].name, what, got, want);
    PQclear(r);
}

static void check_behaviour(PGconn *pg)
{
    PGresult *r = PQexec(pg, pg_stmts[STMT_BEGIN].sql);
    PQclear(r);

    /* The sign-in gate: taken when free or run out, else no row changed. */
    expect_changes(pg, STMT_LOGIN_GATE_TAKE, 3, (const char *[]){"u", "100", "50"}, 1, "free");
    expect_changes(pg, STMT_LOGIN_GATE_TAKE, 3, (const char *[]){"u", "200", "60"}, 0, "held");
    expect_changes(pg, STMT_LOGIN_GATE_TAKE, 3, (const char *[]){"u", "300", "150"}, 1, "run out");
    expect_changes(pg, STMT_LOGIN_GATE_RELEASE, 2, (const char *[]){"u", "200"}, 0, "not ours");
    expect_changes(pg, STMT_LOGIN_GATE_RELEASE, 2, (const char *[]){"u", "300"}, 1, "ours");

    /* Case codes: 1, 2, ... per (prefix, year). */
    expect_rows(pg, STMT_CASE_NEXT_SEQ, 2, (const char *[]){"P", "2025"}, "1", "first");
    expect_rows(pg, STMT_CASE_NEXT_SEQ, 2, (const char *[]){"P", "2025"}, "2", "second");

    /* The audit head moves on by one only. */
    expect_rows(pg, STMT_AUDIT_LAST, 0, NULL, "0", "empty chain");
    const char *h = "\\x0000000000000000000000000000000000000000000000000000000000000000";
    expect_changes(pg, STMT_AUDIT_HEAD_SET, 3, (const char *[]){"1", h, h}, 1, "next");
    expect_changes(pg, STMT_AUDIT_HEAD_SET, 3, (const char *[]){"1", h, h}, 0, "again");
    expect_changes(pg, STMT_AUDIT_HEAD_SET, 3, (const char *[]){"3000000000", h, NULL}, 0,
                   "big seq");
    expect_rows(pg, STMT_AUDIT_HEAD_READ, 0, NULL, "1", "read without a lock");

    /* Sessions: last_seen only moves forward. */
    expect_changes(pg, STMT_SESSION_TOUCH, 2, (const char *[]){h, "5"}, 0, "no session");

    /* Bytewise order whatever the database's locale: 'B' (0x42) before
     * 'a' (0x61) before 'é' (0xc3 0xa9), as SQLite's BINARY. */
    const char *codes[] = {"a", "\xc3\xa9", "B", "b"};
    for (int i = 0; i < 4; i++)
        expect_changes(pg, STMT_LOCATION_INSERT, 7,
                       (const char *[]){codes[i], "province", NULL, "km", "latn", NULL, NULL}, 1,
                       "province");
    expect_rows(pg, STMT_LOCATION_PROVINCES, 0, NULL, "B a b \xc3\xa9", "bytewise order");

    /* Cases, listed a page at a time from (2, '', '') and counted with the
     * page parameters unbound. */
    expect_changes(pg, STMT_ORG_INSERT, 6, (const char *[]){"o1", "Org", "ngo", "a", "t", "1"}, 1,
                   "org");
    expect_changes(pg, STMT_USER_INSERT, 15,
                   (const char *[]){"u1", "user", "caseworker", "U", "o1", NULL, "km", "1", "t",
                                    "t", "1", "hash", NULL, "0", NULL},
                   1, "user");
    const char *cases[][3] = {{"c1", "2025-01-01", "0"},
                              {"c2", "2025-01-02", "1"},
                              {"c3", "2025-01-02", "0"},
                              {"C4", "2025-01-02", "0"}};
    for (int i = 0; i < 4; i++)
        expect_changes(pg, STMT_CASE_INSERT, 19,
                       (const char *[]){cases[i][0], cases[i][0], "o1", NULL, "a", "open", NULL,
                                        NULL, cases[i][2], "0", "u1", NULL, cases[i][1],
                                        cases[i][1], "1", NULL, NULL, NULL, NULL},
                       1, "case");
    expect_changes(pg, STMT_CASE_CONCERN_INSERT, 3, (const char *[]){"c2", "other", "2"}, 1, "cc");
    expect_changes(pg, STMT_CASE_CONCERN_INSERT, 3, (const char *[]){"c2", "trafficking", "1"}, 1,
                   "cc");
    const char *page[20] = {[6] = "2", [7] = "", [8] = "", [9] = "3"};
    expect_rows(pg, STMT_CASE_LIST_ALL, 20, page, "c2 c3 C4", "first page");
    const char *next[20] = {[6] = "0", [7] = "2025-01-02", [8] = "C4", [9] = "3"};
    expect_rows(pg, STMT_CASE_LIST_ALL, 20, next, "c1", "second page");
    const char *by_org[20] = {"o1", [6] = "2", [7] = "", [8] = "", [9] = "9", [18] = "0"};
    expect_rows(pg, STMT_CASE_LIST_BY_ORG, 20, by_org, "c3 C4 c1", "not urgent");
    expect_rows(pg, STMT_CASE_COUNT, 20, (const char *[20]){NULL}, "4", "count");
    r = run(pg, STMT_CASE_GET, 1, (const char *[]){"c2"});
    if (r != NULL) {
        const char *got = PQntuples(r) == 1 ? PQgetvalue(r, 0, CASE_CONCERNS) : "(no row)";
        if (strcmp(got, "trafficking,other") != 0)
            fail("STMT_CASE_GET: concerns %s, want trafficking,other", got);
        PQclear(r);
    }
    expect_changes(pg, STMT_CASE_UPDATE, 13,
                   (const char *[]){"c1", "1", "a", "open", NULL, NULL, "1", NULL, NULL, NULL, "t",
                                    NULL, NULL},
                   1, "current version");
    expect_changes(pg, STMT_CASE_UPDATE, 13,
                   (const char *[]){"c1", "1", "a", "open", NULL, NULL, "1", NULL, NULL, NULL, "t",
                                    NULL, NULL},
                   0, "stale version");
    /* No case names the agency: no screening. */
    expect_rows(pg, STMT_SCREENING_LATEST_BY_AGENCY, 1, (const char *[]){"nope"}, "",
                "no agency's cases");
    expect_rows(pg, STMT_TASK_OVERDUE, 6, (const char *[]){"2026", NULL, NULL, NULL, NULL, "5"}, "",
                "no tasks");
    expect_rows(
        pg, STMT_SURVIVOR_MATCH, 12,
        (const char *[]){"name", NULL, NULL, "5", "k", NULL, NULL, NULL, NULL, NULL, NULL, NULL},
        "", "no keys");

    r = PQexec(pg, pg_stmts[STMT_ROLLBACK].sql);
    PQclear(r);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s CONNINFO\n", argv[0]);
        return 2;
    }
    PGconn *pg = PQconnectdb(argv[1]);
    if (PQstatus(pg) != CONNECTION_OK) {
        fprintf(stderr, "pg_sql_check: %s", PQerrorMessage(pg));
        return 2;
    }
    sqlite3 *lite = sqlite_schema();
    if (lite == NULL) {
        fprintf(stderr, "pg_sql_check: no SQLite database\n");
        return 2;
    }
    for (int i = 0; i < STMT__MAX; i++)
        check_statement(pg, lite, i);
    if (failures == 0)
        check_behaviour(pg);
    sqlite3_close(lite);
    PQfinish(pg);
    if (failures > 0) {
        fprintf(stderr, "pg_sql_check: %d failures\n", failures);
        return 1;
    }
    printf("pg_sql_check: %d statements prepared and checked\n", STMT__MAX);
    return 0;
}
