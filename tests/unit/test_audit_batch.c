/* The audit log's group commit (audit/audit.h): appends made outside a
 * transaction by many threads at once are written in batches, one
 * transaction each, every entry exactly once and in one verifiable chain;
 * a batch that fails fails every caller of it and leaves nothing behind;
 * no caller returns before the commit of its entry. On SQLite and, with
 * CBPN_TEST_PG (scripts/test.sh sets it), on PostgreSQL. The failures are
 * injected through audit_batch_test_hook, which no option of cbpn reaches. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <libpq-fe.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "audit/audit.h"
#include "audit_fixture.h"
#include "tmpdir.h"
#include "util/alloc.h"
#include "util/log.h"

#define THREADS 8
#define EACH    25

struct fixture {
    char dir[TMPDIR_SIZE];
    char *pgdb; /* the PostgreSQL test database's name, or NULL (SQLite) */
    struct store *st;
};

/* ---- the hook ---- */

struct hook_state {
    _Atomic int batches;
    _Atomic int largest;      /* entries in the largest batch */
    _Atomic int committed;    /* entries of the batches before the current one */
    _Atomic int acknowledged; /* appends that returned ERR_OK */
    _Atomic int early;        /* times a caller had returned before its batch's commit */
    _Atomic bool fail;        /* every batch fails */
};
static struct hook_state hs;

static enum err hook(size_t n, void *arg)
{
    (void)arg;
    hs.batches++;
    if ((int)n > hs.largest)
        hs.largest = (int)n;
    /* Batches are written one at a time and, unless they fail, commit:
     * every caller acknowledged so far is of an earlier batch. */
    if (hs.acknowledged > hs.committed)
        hs.early++;
    struct timespec pause = {0, 2 * 1000 * 1000}; /* others queue meanwhile */
    nanosleep(&pause, NULL);
    if (hs.fail)
        return ERR_UNAVAILABLE;
    hs.committed += (int)n;
    return ERR_OK;
}

/* ---- setup ---- */

static bool pg_admin(const char *sql)
{
    char *uri = xasprintf("%s/postgres", getenv("CBPN_TEST_PG"));
    PGconn *pc = PQconnectdb(uri);
    free(uri);
    bool ok = PQstatus(pc) == CONNECTION_OK;
    if (ok) {
        PGresult *r = PQexec(pc, sql);
        ok = PQresultStatus(r) == PGRES_COMMAND_OK;
        PQclear(r);
    }
    PQfinish(pc);
    return ok;
}

static int open_store(void **state, bool pg)
{
    struct fixture *f = xcalloc(1, sizeof *f);
    char *msg = NULL, *uri;
    test_audit_keys();
    log_quiet(1);
    if (pg) {
        const char *base = getenv("CBPN_TEST_PG");
        if (base == NULL || base[0] == '\0')
            fail_msg("CBPN_TEST_PG is not set: run the tests through scripts/test.sh, which "
                     "starts PostgreSQL");
        static int counter;
        f->pgdb = xasprintf("cbpn_batch_%d_%d", (int)getpid(), ++counter);
        char *sql = xasprintf("CREATE DATABASE %s", f->pgdb);
        bool ok = pg_admin(sql);
        free(sql);
        if (!ok)
            fail_msg("cannot create a test database on %s", base);
        uri = xasprintf("%s/%s", base, f->pgdb);
    } else {
        assert_true(tmpdir_make(f->dir));
        uri = xasprintf("%s/t.db", f->dir);
    }
    if (store_open(uri, true, &f->st, &msg) != ERR_OK)
        fail_msg("store_open: %s", msg ? msg : "?");
    free(uri);
    memset(&hs, 0, sizeof hs);
    audit_batch_test_hook(hook, NULL);
    *state = f;
    return 0;
}

static int setup_sqlite(void **state)
{
    return open_store(state, false);
}

static int setup_pg(void **state)
{
    return open_store(state, true);
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    audit_batch_test_hook(NULL, NULL);
    store_close(f->st);
    if (f->pgdb != NULL) {
        char *sql = xasprintf("DROP DATABASE IF EXISTS %s WITH (FORCE)", f->pgdb);
        pg_admin(sql);
        free(sql);
        free(f->pgdb);
    } else {
        tmpdir_remove(f->dir);
    }
    free(f);
    return 0;
}

/* ---- the readers ---- */

struct reader {
    struct store *st;
    int index;
    int ok, failed;
    int unseen; /* acknowledged entries this thread's connection did not find committed */
};

static void record_id(int thread, int i, char out[ID_SIZE])
{
    snprintf(out, ID_SIZE, "t%02di%03d", thread, i);
}

static void *read_many(void *arg)
{
    struct reader *r = arg;
    struct store_conn *c = store_conn(r->st);
    for (int i = 0; i < EACH; i++) {
        char id[ID_SIZE];
        record_id(r->index, i, id);
        if (audit_append(c, "u1", AUDIT_READ, "case", id, NULL) != ERR_OK) {
            r->failed++;
            continue;
        }
        hs.acknowledged++;
        r->ok++;
        /* Acknowledged: committed, so any connection reads it. */
        struct audit_rec *items = NULL;
        size_t n = 0;
        if (store_audit_for_record(c, "case", id, 0, 5, &items, &n) != ERR_OK || n != 1)
            r->unseen++;
        audit_list_free(items, n);
    }
    return NULL;
}

static void run_readers(struct store *st, struct reader *r)
{
    pthread_t t[THREADS];
    for (int i = 0; i < THREADS; i++) {
        r[i] = (struct reader){.st = st, .index = i};
        assert_int_equal(pthread_create(&t[i], NULL, read_many, &r[i]), 0);
    }
    for (int i = 0; i < THREADS; i++)
        pthread_join(t[i], NULL);
}

static int64_t entries_now(struct store_conn *c)
{
    bool ok = false;
    int64_t entries = 0, bad = 0;
    assert_int_equal(audit_verify(c, &ok, &entries, &bad), ERR_OK);
    assert_true(ok);
    return entries;
}

/* ---- tests ---- */

/* Many concurrent reads: each audited exactly once, in batches (some of
 * more than one entry), in a chain that verifies; none acknowledged before
 * its batch committed. */
static void test_concurrent_reads_audited_once(void **state)
{
    struct fixture *f = *state;
    struct store_conn *c = store_conn(f->st);
    int64_t before = entries_now(c);
    uint64_t b0, e0, b1, e1;
    audit_batch_stats(&b0, &e0);
    struct reader r[THREADS];
    run_readers(f->st, r);
    for (int i = 0; i < THREADS; i++) {
        assert_int_equal(r[i].ok, EACH);
        assert_int_equal(r[i].failed, 0);
        assert_int_equal(r[i].unseen, 0);
    }
    assert_int_equal(hs.early, 0);
    assert_true(hs.largest > 1);
    assert_true(hs.batches < THREADS * EACH);
    audit_batch_stats(&b1, &e1);
    assert_int_equal(e1 - e0, THREADS * EACH);
    assert_int_equal(b1 - b0, hs.batches);
    assert_int_equal(entries_now(c), before + THREADS * EACH);
    /* every read exactly once */
    for (int t = 0; t < THREADS; t++)
        for (int i = 0; i < EACH; i++) {
            char id[ID_SIZE];
            record_id(t, i, id);
            struct audit_rec *items = NULL;
            size_t n = 0;
            assert_int_equal(store_audit_for_record(c, "case", id, 0, 5, &items, &n), ERR_OK);
            assert_int_equal(n, 1);
            assert_string_equal(items[0].action, "read");
            audit_list_free(items, n);
        }
}

/* A batch whose transaction fails fails every caller of it (none is told
 * its read was recorded) and writes nothing; the log goes on afterwards. */
static void test_batch_failure_fails_every_caller(void **state)
{
    struct fixture *f = *state;
    struct store_conn *c = store_conn(f->st);
    int64_t before = entries_now(c);
    hs.fail = true;
    struct reader r[THREADS];
    run_readers(f->st, r);
    for (int i = 0; i < THREADS; i++) {
        assert_int_equal(r[i].ok, 0);
        assert_int_equal(r[i].failed, EACH);
    }
    assert_int_equal(hs.acknowledged, 0);
    assert_true(hs.largest > 1); /* one failure reached several callers */
    assert_int_equal(entries_now(c), before);
    hs.fail = false;
    assert_int_equal(audit_append(c, "u1", AUDIT_READ, "case", "after", NULL), ERR_OK);
    assert_int_equal(entries_now(c), before + 1);
}

/* Inside a transaction the entry joins it, not a batch: it goes when the
 * transaction is rolled back. */
static void test_in_transaction_joins_it(void **state)
{
    struct fixture *f = *state;
    struct store_conn *c = store_conn(f->st);
    int64_t before = entries_now(c);
    assert_int_equal(store_begin(c), ERR_OK);
    assert_int_equal(audit_append(c, "u1", AUDIT_CREATE, "case", "gone", NULL), ERR_OK);
    store_rollback(c);
    assert_int_equal(hs.batches, 0);
    assert_int_equal(entries_now(c), before);
    /* An entry that cannot be one fails alone, before any batch. */
    assert_int_equal(audit_append(c, "u1", AUDIT__MAX, "case", "x", NULL), ERR_INTERNAL);
    assert_int_equal(
        audit_append(c, "u1", AUDIT_READ, "a_record_type_far_too_long_for_it", "x", NULL),
        ERR_INTERNAL);
    assert_int_equal(hs.batches, 0);
    assert_int_equal(audit_append(c, "u1", AUDIT_READ, "case", "kept", NULL), ERR_OK);
    assert_int_equal(hs.batches, 1);
    assert_int_equal(entries_now(c), before + 1);
}

#define T(fn, s) cmocka_unit_test_setup_teardown(fn, s, teardown)

int main(void)
{
    const struct CMUnitTest sqlite[] = {
        T(test_concurrent_reads_audited_once, setup_sqlite),
        T(test_batch_failure_fails_every_caller, setup_sqlite),
        T(test_in_transaction_joins_it, setup_sqlite),
    };
    const struct CMUnitTest pg[] = {
        T(test_concurrent_reads_audited_once, setup_pg),
        T(test_batch_failure_fails_every_caller, setup_pg),
        T(test_in_transaction_joins_it, setup_pg),
    };
    int failed = cmocka_run_group_tests_name("audit batch, SQLite", sqlite, NULL, NULL);
    return failed + cmocka_run_group_tests_name("audit batch, PostgreSQL", pg, NULL, NULL);
}
