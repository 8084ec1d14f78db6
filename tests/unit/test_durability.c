/* Durability: every commit the store acknowledges survives a power cut.
 *
 * crashvfs wraps SQLite's "unix" VFS and plays the disk under a page cache.
 * Reads and writes go to the real files, which stand for the cache; every
 * write or truncation of a database, write-ahead log or journal since that
 * file's last xSync is remembered with the bytes it replaced. Cutting the
 * power (at once, or at the n-th write, truncation or sync) makes every
 * later write, truncation, sync, delete and open fail: nothing reaches the
 * disk any more, not even what SQLite tries when its connections close.
 * Restoring the disk, once every file is closed, undoes newest first what
 * was never synced and truncates each file to its size at its last sync, so
 * each file holds exactly what it held at its last xSync: what the machine
 * finds when it boots again. A file that did not exist when first opened
 * counts as empty until its first sync (its directory entry is made durable
 * by that sync, as the unix VFS does); a delete is taken as durable.
 *
 * The crash VFS is registered as SQLite's default, so the store opens its
 * files through it with no hook of its own; the checks afterwards use the
 * "unix" VFS by name. Because a sync is only a point in time for this model,
 * xSync does not reach the real disk, which keeps the tests fast.
 *
 * The tests are single-threaded: crashvfs keeps its state in globals. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <fcntl.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit_fixture.h"
#include "store/store.h"
#include "tmpdir.h"
#include "util/log.h"

/* ---- crashvfs ---- */

/* What one write or truncation replaced: len bytes at off, before it. */
struct undo {
    sqlite3_int64 off;
    size_t len;
    unsigned char *old;
    struct undo *prev;
};

/* One file's unsynced history, kept by path across opens and closes (a
 * closed file's unsynced writes are still only in the cache). */
struct crash_node {
    char *path;
    sqlite3_int64 synced_size; /* its size at its last sync */
    struct undo *last;         /* newest first */
    struct crash_node *next;
};

struct crash_file {
    sqlite3_file base;
    struct crash_node *node; /* NULL for files that need not be durable */
    sqlite3_file *real;      /* the unix VFS's file, allocated after this */
};

static struct {
    sqlite3_vfs *unix_vfs;
    struct crash_node *nodes;
    int open_files;
    bool dead;   /* the power is off */
    long budget; /* writes, truncations and syncs left before the cut; -1: no cut */
    long writes; /* seen while the power was on */
    long syncs;
} crash;

static sqlite3_vfs crash_vfs;

static struct crash_node *node_find(const char *path)
{
    for (struct crash_node *n = crash.nodes; n != NULL; n = n->next)
        if (strcmp(n->path, path) == 0)
            return n;
    return NULL;
}

static void node_forget_undo(struct crash_node *n)
{
    while (n->last != NULL) {
        struct undo *u = n->last;
        n->last = u->prev;
        free(u->old);
        free(u);
    }
}

static void node_drop(const char *path)
{
    for (struct crash_node **pp = &crash.nodes; *pp != NULL; pp = &(*pp)->next) {
        struct crash_node *n = *pp;
        if (strcmp(n->path, path) == 0) {
            *pp = n->next;
            node_forget_undo(n);
            free(n->path);
            free(n);
            return;
        }
    }
}

/* A write, truncation or sync is about to reach the disk: false when the
 * power is off, or goes off now. */
static bool power_on(void)
{
    if (crash.dead)
        return false;
    if (crash.budget == 0) {
        crash.dead = true;
        return false;
    }
    if (crash.budget > 0)
        crash.budget--;
    return true;
}

/* Remembers what [off, off+len) holds now, for the part the last sync made
 * durable (anything beyond is cut off when the disk is restored). */
static int undo_save(struct crash_file *cf, sqlite3_int64 off, sqlite3_int64 len)
{
    struct crash_node *n = cf->node;
    if (off >= n->synced_size || len <= 0)
        return SQLITE_OK;
    if (off + len > n->synced_size)
        len = n->synced_size - off;
    struct undo *u = calloc(1, sizeof(*u));
    if (u == NULL || (u->old = malloc((size_t)len)) == NULL) {
        free(u);
        return SQLITE_NOMEM;
    }
    u->off = off;
    u->len = (size_t)len;
    /* Past the end of the file (after a truncation) it reads zeros, and
     * SQLITE_IOERR_SHORT_READ says so. */
    int rc = cf->real->pMethods->xRead(cf->real, u->old, (int)len, off);
    if (rc != SQLITE_OK && rc != SQLITE_IOERR_SHORT_READ) {
        free(u->old);
        free(u);
        return rc;
    }
    u->prev = n->last;
    n->last = u;
    return SQLITE_OK;
}

static int cf_close(sqlite3_file *f)
{
    struct crash_file *cf = (struct crash_file *)f;
    int rc = cf->real->pMethods->xClose(cf->real);
    crash.open_files--;
    return rc;
}

static int cf_read(sqlite3_file *f, void *buf, int amt, sqlite3_int64 off)
{
    struct crash_file *cf = (struct crash_file *)f;
    return cf->real->pMethods->xRead(cf->real, buf, amt, off);
}

static int cf_write(sqlite3_file *f, const void *buf, int amt, sqlite3_int64 off)
{
    struct crash_file *cf = (struct crash_file *)f;
    if (!power_on())
        return SQLITE_IOERR_WRITE;
    crash.writes++;
    if (cf->node != NULL) {
        int rc = undo_save(cf, off, amt);
        if (rc != SQLITE_OK)
            return rc;
    }
    return cf->real->pMethods->xWrite(cf->real, buf, amt, off);
}

static int cf_truncate(sqlite3_file *f, sqlite3_int64 size)
{
    struct crash_file *cf = (struct crash_file *)f;
    sqlite3_int64 cur = 0;
    if (!power_on())
        return SQLITE_IOERR_TRUNCATE;
    crash.writes++;
    if (cf->node != NULL) {
        int rc = cf->real->pMethods->xFileSize(cf->real, &cur);
        if (rc == SQLITE_OK && cur > size)
            rc = undo_save(cf, size, cur - size);
        if (rc != SQLITE_OK)
            return rc;
    }
    return cf->real->pMethods->xTruncate(cf->real, size);
}

/* What the file holds now is on the disk. */
static int cf_sync(sqlite3_file *f, int flags)
{
    struct crash_file *cf = (struct crash_file *)f;
    if (!power_on())
        return SQLITE_IOERR_FSYNC;
    crash.syncs++;
    if (cf->node != NULL) {
        sqlite3_int64 size = 0;
        int rc = cf->real->pMethods->xFileSize(cf->real, &size);
        if (rc != SQLITE_OK)
            return rc;
        node_forget_undo(cf->node);
        cf->node->synced_size = size;
    }
    return SQLITE_OK;
}

static int cf_file_size(sqlite3_file *f, sqlite3_int64 *size)
{
    struct crash_file *cf = (struct crash_file *)f;
    return cf->real->pMethods->xFileSize(cf->real, size);
}

static int cf_lock(sqlite3_file *f, int level)
{
    struct crash_file *cf = (struct crash_file *)f;
    return cf->real->pMethods->xLock(cf->real, level);
}

static int cf_unlock(sqlite3_file *f, int level)
{
    struct crash_file *cf = (struct crash_file *)f;
    return cf->real->pMethods->xUnlock(cf->real, level);
}

static int cf_check_reserved(sqlite3_file *f, int *out)
{
    struct crash_file *cf = (struct crash_file *)f;
    return cf->real->pMethods->xCheckReservedLock(cf->real, out);
}

static int cf_file_control(sqlite3_file *f, int op, void *arg)
{
    struct crash_file *cf = (struct crash_file *)f;
    return cf->real->pMethods->xFileControl(cf->real, op, arg);
}

static int cf_sector_size(sqlite3_file *f)
{
    struct crash_file *cf = (struct crash_file *)f;
    return cf->real->pMethods->xSectorSize(cf->real);
}

static int cf_device_characteristics(sqlite3_file *f)
{
    struct crash_file *cf = (struct crash_file *)f;
    return cf->real->pMethods->xDeviceCharacteristics(cf->real);
}

/* The wal-index (-shm) is not durable state: SQLite rebuilds it from the
 * log when the first connection opens after a crash. */
static int cf_shm_map(sqlite3_file *f, int pg, int pgsz, int extend, void volatile **pp)
{
    struct crash_file *cf = (struct crash_file *)f;
    return cf->real->pMethods->xShmMap(cf->real, pg, pgsz, extend, pp);
}

static int cf_shm_lock(sqlite3_file *f, int offset, int n, int flags)
{
    struct crash_file *cf = (struct crash_file *)f;
    return cf->real->pMethods->xShmLock(cf->real, offset, n, flags);
}

static void cf_shm_barrier(sqlite3_file *f)
{
    struct crash_file *cf = (struct crash_file *)f;
    cf->real->pMethods->xShmBarrier(cf->real);
}

static int cf_shm_unmap(sqlite3_file *f, int delete_flag)
{
    struct crash_file *cf = (struct crash_file *)f;
    return cf->real->pMethods->xShmUnmap(cf->real, delete_flag);
}

/* Version 2: no xFetch, so SQLite never reads through a memory map that
 * would bypass the model. */
static const sqlite3_io_methods crash_io = {
    2,
    cf_close,
    cf_read,
    cf_write,
    cf_truncate,
    cf_sync,
    cf_file_size,
    cf_lock,
    cf_unlock,
    cf_check_reserved,
    cf_file_control,
    cf_sector_size,
    cf_device_characteristics,
    cf_shm_map,
    cf_shm_lock,
    cf_shm_barrier,
    cf_shm_unmap,
    NULL,
    NULL,
};

static int crash_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *f, int flags,
                      int *out_flags)
{
    struct crash_file *cf = (struct crash_file *)f;
    sqlite3_vfs *real = crash.unix_vfs;
    bool durable = name != NULL &&
                   (flags & (SQLITE_OPEN_MAIN_DB | SQLITE_OPEN_WAL | SQLITE_OPEN_MAIN_JOURNAL));
    bool existed = name != NULL && access(name, F_OK) == 0;

    memset(cf, 0, sizeof(*cf));
    if (crash.dead)
        return SQLITE_CANTOPEN;
    cf->real = (sqlite3_file *)(cf + 1);
    int rc = real->xOpen(real, name, cf->real, flags, out_flags);
    if (cf->real->pMethods == NULL)
        return rc != SQLITE_OK ? rc : SQLITE_CANTOPEN;
    cf->base.pMethods = &crash_io;
    crash.open_files++;
    if (rc != SQLITE_OK || !durable)
        return rc;
    cf->node = node_find(name);
    if (cf->node == NULL) {
        struct crash_node *n = calloc(1, sizeof(*n));
        if (n == NULL || (n->path = strdup(name)) == NULL) {
            free(n);
            return SQLITE_NOMEM;
        }
        if (existed && cf->real->pMethods->xFileSize(cf->real, &n->synced_size) != SQLITE_OK)
            n->synced_size = 0;
        n->next = crash.nodes;
        crash.nodes = n;
        cf->node = n;
    }
    return SQLITE_OK;
}

static int crash_delete(sqlite3_vfs *vfs, const char *name, int sync_dir)
{
    if (crash.dead)
        return SQLITE_IOERR_DELETE;
    node_drop(name);
    return crash.unix_vfs->xDelete(crash.unix_vfs, name, sync_dir);
}

/* Makes crashvfs SQLite's default VFS, the power on and no cut planned. */
static void crash_install(void)
{
    if (crash.unix_vfs == NULL) {
        crash.unix_vfs = sqlite3_vfs_find("unix");
        assert_non_null(crash.unix_vfs);
        crash_vfs = *crash.unix_vfs; /* its other methods do not use pAppData */
        crash_vfs.zName = "crashvfs";
        crash_vfs.szOsFile = (int)sizeof(struct crash_file) + crash.unix_vfs->szOsFile;
        crash_vfs.pNext = NULL;
        crash_vfs.xOpen = crash_open;
        crash_vfs.xDelete = crash_delete;
    }
    crash.dead = false;
    crash.budget = -1;
    crash.writes = 0;
    crash.syncs = 0;
    assert_int_equal(sqlite3_vfs_register(&crash_vfs, 1), SQLITE_OK);
}

/* The power goes off after n more writes, truncations or syncs. */
static void crash_arm(long n)
{
    crash.budget = n;
}

static void crash_cut(void)
{
    crash.dead = true;
}

/* Once every file is closed: the disk as the machine finds it after the
 * cut. "unix" is the default VFS again. */
static void crash_restore(void)
{
    assert_true(crash.dead);
    assert_int_equal(crash.open_files, 0);
    while (crash.nodes != NULL) {
        struct crash_node *n = crash.nodes;
        int fd = open(n->path, O_RDWR | O_CLOEXEC);
        if (fd >= 0) {
            for (struct undo *u = n->last; u != NULL; u = u->prev)
                assert_int_equal(pwrite(fd, u->old, u->len, u->off), (ssize_t)u->len);
            assert_int_equal(ftruncate(fd, n->synced_size), 0);
            close(fd);
        }
        node_drop(n->path);
    }
    assert_int_equal(sqlite3_vfs_unregister(&crash_vfs), SQLITE_OK);
    assert_int_equal(sqlite3_vfs_register(crash.unix_vfs, 1), SQLITE_OK);
}

/* ---- fixtures ---- */

#define NCASES    12 /* commits per run */
#define PATH_SIZE 256

static char dir[TMPDIR_SIZE];
static char template_db[PATH_SIZE];
static int runs;

/* The first column of the first row of sql on path, read through "unix";
 * opened read-write so that it recovers the log as the server would. */
static long long raw_int(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    long long v = -1;
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, "unix"), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    if (sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

static void assert_integrity_ok(const char *path)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, "unix"), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 0), "ok");
    assert_int_equal(sqlite3_step(st), SQLITE_DONE);
    sqlite3_finalize(st);
    sqlite3_close(db);
}

static void copy_file(const char *from, const char *to)
{
    unsigned char buf[65536];
    ssize_t n;
    int in = open(from, O_RDONLY | O_CLOEXEC);
    int out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    assert_true(in >= 0 && out >= 0);
    while ((n = read(in, buf, sizeof buf)) > 0)
        assert_int_equal(write(out, buf, (size_t)n), n);
    assert_int_equal(n, 0);
    close(in);
    close(out);
}

/* A new copy of the template database; path gets its name. */
static void fresh_db(char *path, size_t size)
{
    snprintf(path, size, "%s/run%d.db", dir, ++runs);
    copy_file(template_db, path);
}

static void case_make(struct case_rec *r, int i)
{
    static unsigned char summary[256];
    static unsigned char identity[64];
    memset(summary, 's', sizeof summary);
    memset(identity, 'i', sizeof identity);
    memset(r, 0, sizeof(*r));
    snprintf(r->id, sizeof(r->id), "case%04d", i);
    snprintf(r->code, sizeof(r->code), "PUK-2026-%04d", i);
    snprintf(r->organization_id, sizeof(r->organization_id), "org1");
    snprintf(r->location_code, sizeof(r->location_code), "17071001");
    snprintf(r->status, sizeof(r->status), "reported");
    snprintf(r->concerns[r->nconcerns++], sizeof(r->concerns[0]), "unsafe_migration");
    r->summary.p = summary;
    r->summary.len = sizeof summary;
    snprintf(r->reported_by, sizeof(r->reported_by), "cw1");
    snprintf(r->created_at, sizeof(r->created_at), "2026-01-01T00:00:00Z");
    snprintf(r->updated_at, sizeof(r->updated_at), "2026-01-01T00:00:00Z");
    r->version = 1;
    r->has_survivor = true;
    r->survivor.identity.p = identity;
    r->survivor.identity.len = sizeof identity;
    snprintf(r->survivor.sex, sizeof(r->survivor.sex), "female");
    r->survivor.age = -1;
}

/* A gazetteer village, one organization and its caseworker, then a clean
 * close (checkpointed, log removed), through the unix VFS. */
static int group_setup(void **state)
{
    struct store *st = NULL;
    struct store_conn *c;
    char *msg = NULL;
    log_quiet(1);
    if (!tmpdir_make(dir))
        return -1;
    snprintf(template_db, sizeof template_db, "%s/template.db", dir);
    if (store_open(template_db, true, &st, &msg) != ERR_OK) {
        fprintf(stderr, "store_open: %s\n", msg);
        free(msg);
        return -1;
    }
    c = store_conn(st);
    static const char *const places[][3] = {
        {"17", "province", ""},
        {"1707", "district", "17"},
        {"170710", "commune", "1707"},
        {"17071001", "village", "170710"},
    };
    enum err e = store_begin(c);
    for (size_t i = 0; e == ERR_OK && i < sizeof places / sizeof places[0]; i++) {
        struct location_rec l = {0};
        snprintf(l.code, sizeof l.code, "%s", places[i][0]);
        snprintf(l.level, sizeof l.level, "%s", places[i][1]);
        snprintf(l.parent, sizeof l.parent, "%s", places[i][2]);
        l.name_km = (char *)"ភូមិ";
        l.name_latn = (char *)"Place";
        e = store_location_insert(c, &l);
    }
    struct org_rec o = {.id = "org1", .kind = "ngo", .version = 1};
    o.name = (char *)"NGO One";
    snprintf(o.created_at, sizeof o.created_at, "2026-01-01T00:00:00Z");
    if (e == ERR_OK)
        e = store_org_insert(c, &o);
    struct user_rec u = {.id = "cw1",
                         .username = "caseworker1",
                         .role = "caseworker",
                         .organization_id = "org1",
                         .locale = "km",
                         .active = true,
                         .version = 1};
    u.display_name = (char *)"Display";
    snprintf(u.created_at, sizeof u.created_at, "2026-01-01T00:00:00Z");
    snprintf(u.updated_at, sizeof u.updated_at, "2026-01-01T00:00:00Z");
    if (e == ERR_OK)
        e = store_user_insert(c, &u, "$argon2id$v=19$m=65536,t=2,p=1$c2FsdA$aGFzaA");
    e = store_end(c, e);
    store_close(st);
    (void)state;
    return e == ERR_OK && access(template_db, F_OK) == 0 ? 0 : -1;
}

static int group_teardown(void **state)
{
    (void)state;
    tmpdir_remove(dir);
    return 0;
}

/* One run: opens a copy of the template through crashvfs (with
 * CBPN_TEST_SYNCHRONOUS=normal when normal), cuts the power after cut_after
 * writes, truncations or syncs (-1: after the last commit), commits up to
 * NCASES cases one per transaction until one fails, closes the store and
 * restores the disk. acked[i] says whether case i's commit returned ERR_OK;
 * returns how many did. */
static int run_until_cut(char *path, size_t size, bool normal, long cut_after, bool acked[NCASES])
{
    struct store *st = NULL;
    char *msg = NULL;
    int nacked = 0;

    fresh_db(path, size);
    crash_install();
    if (normal)
        setenv("CBPN_TEST_SYNCHRONOUS", "normal", 1);
    enum err e = store_open(path, false, &st, &msg);
    unsetenv("CBPN_TEST_SYNCHRONOUS");
    if (e != ERR_OK)
        fprintf(stderr, "store_open: %s\n", msg);
    assert_int_equal(e, ERR_OK);
    struct store_conn *c = store_conn(st);
    assert_non_null(c);

    crash_arm(cut_after);
    memset(acked, 0, NCASES * sizeof(acked[0]));
    for (int i = 0; i < NCASES; i++) {
        struct case_rec r;
        case_make(&r, i);
        e = store_begin(c);
        if (e == ERR_OK)
            e = store_case_insert(c, &r);
        if (store_end(c, e) != ERR_OK)
            break;
        acked[i] = true; /* here the server would answer 201 */
        nacked++;
    }
    crash_cut();
    store_close(st);
    crash_restore();
    return nacked;
}

/* How many of the run's cases the database holds; fails on any case that
 * was acknowledged and is not there. */
static int check_acked(const char *path, const bool acked[NCASES])
{
    char sql[128];
    int found = 0;
    for (int i = 0; i < NCASES; i++) {
        snprintf(sql, sizeof sql,
                 "SELECT count(*) FROM cases JOIN survivor ON survivor.case_id = cases.id"
                 " WHERE id = 'case%04d'",
                 i);
        long long n = raw_int(path, sql);
        if (acked[i] && n != 1)
            fail_msg("case %d was acknowledged and is lost", i);
        found += (int)n;
    }
    return found;
}

/* ---- tests ---- */

static void test_full_keeps_every_acknowledged_commit(void **state)
{
    char path[PATH_SIZE];
    bool acked[NCASES];
    struct store *st = NULL;
    char *msg = NULL;

    assert_int_equal(run_until_cut(path, sizeof path, false, -1, acked), NCASES);
    assert_integrity_ok(path);
    assert_int_equal(check_acked(path, acked), NCASES);
    assert_true(crash.writes > 0);
    assert_true(crash.syncs >= NCASES); /* the log, at every commit */
    /* And the store opens it again and reads the cases back. */
    assert_int_equal(store_open(path, false, &st, &msg), ERR_OK);
    struct store_conn *c = store_conn(st);
    for (int i = 0; i < NCASES; i++) {
        struct case_rec got;
        char id[ID_SIZE];
        snprintf(id, sizeof id, "case%04d", i);
        assert_int_equal(store_case_get(c, id, &got), ERR_OK);
        assert_true(got.has_survivor);
        assert_int_equal(got.summary.len, 256);
        case_rec_free(&got);
    }
    store_close(st);
}

/* The power goes off at every write, truncation or sync in turn, during a
 * commit or between two: whatever was acknowledged is there, what was not
 * is at most the one commit in flight, and the file is sound. */
static void test_full_cut_anywhere(void **state)
{
    char path[PATH_SIZE];
    bool acked[NCASES];
    int cuts = 0;

    for (long k = 0; k < 2000; k++) {
        int nacked = run_until_cut(path, sizeof path, false, k, acked);
        assert_integrity_ok(path);
        int found = check_acked(path, acked);
        assert_true(found == nacked || found == nacked + 1);
        unlink(path);
        if (nacked == NCASES)
            break; /* the cut came after the last commit: every point seen */
        cuts++;
    }
    /* Every commit writes and syncs at least once. */
    assert_true(cuts >= 2 * NCASES);
}

/* The same cut with synchronous = NORMAL loses acknowledged commits: the
 * crash VFS really drops what was not synced, so the test above is not
 * vacuous. */
static void test_normal_loses_acknowledged_commits(void **state)
{
    char path[PATH_SIZE];
    bool acked[NCASES];

    assert_int_equal(run_until_cut(path, sizeof path, true, -1, acked), NCASES);
    assert_true(crash.writes > 0);
    assert_integrity_ok(path);
    /* No checkpoint ran (a dozen small commits are far from the 1000 pages
     * that start one), so no commit's log frames were synced: all are lost. */
    assert_int_equal(raw_int(path, "SELECT count(*) FROM cases"), 0);
}

int main(void)
{
    test_audit_keys();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_full_keeps_every_acknowledged_commit),
        cmocka_unit_test(test_full_cut_anywhere),
        cmocka_unit_test(test_normal_loses_acknowledged_commits),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
