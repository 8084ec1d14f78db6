/* The SQLite backend: opening a database, migrations, a connection (one per
 * thread, kept by store.c) with every statement prepared when it opens, and
 * the query interface of store_int.h over sqlite3_stmt. */
#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/store_int.h"
#include "util/alloc.h"
#include "util/clock.h"
#include "util/embed.h"
#include "util/log.h"

#define BUSY_TIMEOUT_MS 5000
#define MIGRATION_DIR   "migrations/sqlite/"

struct lite_stmt {
    struct stmt base;
    sqlite3_stmt *st;
    int bind_rc; /* first failed bind since the last reset */
};

struct lite_conn {
    struct store_conn base;
    sqlite3 *db;
    struct lite_stmt stmts[STMT__MAX];
    char **dropped; /* the CREATE INDEX statements store_bulk_indexes dropped */
    size_t ndropped;
};

struct lite_store {
    struct store base;
    char *path;
    const char *synchronous; /* the pragma every connection runs */
};

static struct lite_stmt *LS(struct stmt *s)
{
    return (struct lite_stmt *)s;
}

static struct lite_conn *LC(struct store_conn *c)
{
    return (struct lite_conn *)c;
}

static void lite_close(struct store *base);

/* ---- errors ---- */

static enum err map_rc(sqlite3 *db, int rc, const char *what)
{
    switch (rc & 0xff) {
    case SQLITE_OK:
    case SQLITE_ROW:
    case SQLITE_DONE:
        return ERR_OK;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        log_error("store: %s: database busy past its timeout", what);
        return ERR_UNAVAILABLE;
    case SQLITE_FULL:
        log_error("store: %s: disk full", what);
        return ERR_UNAVAILABLE;
    case SQLITE_CONSTRAINT:
        if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY)
            return ERR_CONFLICT;
        break;
    default:
        break;
    }
    /* SQLite's messages name tables, columns and constraints, never values. */
    log_error("store: %s: %s (%d)", what, db != NULL ? sqlite3_errmsg(db) : sqlite3_errstr(rc), rc);
    return ERR_INTERNAL;
}

/* ---- the query interface ---- */

static struct stmt *lite_get(struct store_conn *c, enum stmt_id id)
{
    struct lite_stmt *s = &LC(c)->stmts[id];
    s->bind_rc = SQLITE_OK;
    return &s->base;
}

static void bind_check(struct stmt *s, int rc)
{
    if (rc != SQLITE_OK && LS(s)->bind_rc == SQLITE_OK)
        LS(s)->bind_rc = rc;
}

static void lite_bind_text(struct stmt *s, int i, const char *v)
{
    bind_check(s, sqlite3_bind_text(LS(s)->st, i, v, -1, SQLITE_TRANSIENT));
}

static void lite_bind_int(struct stmt *s, int i, int64_t v)
{
    bind_check(s, sqlite3_bind_int64(LS(s)->st, i, v));
}

static void lite_bind_blob(struct stmt *s, int i, const void *p, size_t len)
{
    bind_check(s, sqlite3_bind_blob64(LS(s)->st, i, p, len, SQLITE_TRANSIENT));
}

static void lite_bind_null(struct stmt *s, int i)
{
    bind_check(s, sqlite3_bind_null(LS(s)->st, i));
}

static void lite_done(struct stmt *s)
{
    sqlite3_reset(LS(s)->st);
    sqlite3_clear_bindings(LS(s)->st);
    LS(s)->bind_rc = SQLITE_OK;
}

/* The statement's name for logs. */
static const char *lite_name(const struct stmt *s)
{
    return s->id == STMT_DYNAMIC ? "a copy statement" : sqlite_stmts[s->id].name;
}

static enum err lite_step(struct stmt *s, bool *row)
{
    *row = false;
    const char *what = lite_name(s);
    sqlite3 *db = LC(s->conn)->db;
    if (LS(s)->bind_rc != SQLITE_OK) {
        log_error("store: %s: cannot bind: %s", what, sqlite3_errstr(LS(s)->bind_rc));
        lite_done(s);
        return ERR_INTERNAL;
    }
    int rc = sqlite3_step(LS(s)->st);
    if (rc == SQLITE_ROW) {
        *row = true;
        return ERR_OK;
    }
    if (rc == SQLITE_DONE)
        return ERR_OK;
    /* sqlite3_reset() returns the same error; read the message first. */
    enum err e = map_rc(db, sqlite3_extended_errcode(db), what);
    lite_done(s);
    return e;
}

static int64_t lite_changes(struct store_conn *c)
{
    return sqlite3_changes64(LC(c)->db);
}

static bool lite_col_null(struct stmt *s, int i)
{
    return sqlite3_column_type(LS(s)->st, i) == SQLITE_NULL;
}

static const char *lite_col_text(struct stmt *s, int i)
{
    return (const char *)sqlite3_column_text(LS(s)->st, i);
}

static int64_t lite_col_int(struct stmt *s, int i)
{
    return sqlite3_column_int64(LS(s)->st, i);
}

static const unsigned char *lite_col_blob(struct stmt *s, int i, size_t *len)
{
    const unsigned char *p = sqlite3_column_blob(LS(s)->st, i);
    *len = p != NULL ? (size_t)sqlite3_column_bytes(LS(s)->st, i) : 0;
    return p;
}

static size_t lite_col_bytes(struct stmt *s, int i)
{
    /* After sqlite3_column_text(): the length of the text form. */
    if (sqlite3_column_text(LS(s)->st, i) == NULL)
        return 0;
    return (size_t)sqlite3_column_bytes(LS(s)->st, i);
}

static const char *lite_col_name(struct stmt *s, int i)
{
    return sqlite3_column_name(LS(s)->st, i);
}

static int lite_col_count(struct stmt *s)
{
    return sqlite3_column_count(LS(s)->st);
}

static enum col_type lite_col_type(struct stmt *s, int i)
{
    switch (sqlite3_column_type(LS(s)->st, i)) {
    case SQLITE_NULL:
        return COL_NULL;
    case SQLITE_INTEGER:
        return COL_INT;
    case SQLITE_TEXT:
        return COL_TEXT;
    case SQLITE_BLOB:
        return COL_BLOB;
    default:
        return COL_OTHER; /* a REAL: the schema has none */
    }
}

static struct stmt *lite_prepare(struct store_conn *c, const char *sql)
{
    struct lite_stmt *s = xcalloc(1, sizeof(*s));
    s->base.conn = c;
    s->base.id = STMT_DYNAMIC;
    int rc = sqlite3_prepare_v2(LC(c)->db, sql, -1, &s->st, NULL);
    if (rc != SQLITE_OK) {
        map_rc(LC(c)->db, rc, "a copy statement");
        sqlite3_finalize(s->st);
        free(s);
        return NULL;
    }
    return &s->base;
}

static void lite_finalize(struct stmt *s)
{
    sqlite3_finalize(LS(s)->st);
    free(LS(s));
}

/* SQLite waits for its lock (busy timeout) and never rolls a
 * transaction back by itself. */
static bool lite_retry_advised(struct store_conn *c)
{
    (void)c;
    return false;
}

static bool lite_in_tx(struct store_conn *c)
{
    return sqlite3_get_autocommit(LC(c)->db) == 0;
}

/* ---- connections ---- */

static void conn_free(struct lite_conn *c)
{
    if (c == NULL)
        return;
    for (int i = 0; i < STMT__MAX; i++)
        sqlite3_finalize(c->stmts[i].st);
    for (size_t i = 0; i < c->ndropped; i++)
        free(c->dropped[i]);
    free(c->dropped);
    sqlite3_close_v2(c->db);
    free(c);
}

/* Runs one pragma or statement without parameters; *out, when given, gets
 * the first column of the first row (caller frees). */
static int exec1(sqlite3 *db, const char *sql, char **out)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
    if (rc != SQLITE_OK)
        return rc;
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW && out != NULL) {
        const unsigned char *t = sqlite3_column_text(st, 0);
        *out = xstrdup(t != NULL ? (const char *)t : "");
    }
    while (rc == SQLITE_ROW)
        rc = sqlite3_step(st);
    int frc = sqlite3_finalize(st);
    return rc == SQLITE_DONE ? frc : rc;
}

/* How every connection commits. In WAL mode, synchronous = FULL fsyncs the
 * write-ahead log at each commit, so a commit that returned (and the 2xx
 * answer sent for it) survives a power loss; NORMAL syncs only at
 * checkpoints and can lose the last commits.
 *
 * CBPN_TEST_SYNCHRONOUS=normal weakens it to NORMAL. It exists only so
 * the durability test can show that its simulated power cut loses commits
 * without FULL, and so `make bench` can measure what FULL costs; no
 * deployment sets it. Any other value is ignored. */
static const char *synchronous_pragma(void)
{
    const char *v = getenv("CBPN_TEST_SYNCHRONOUS");
    if (v != NULL && strcmp(v, "normal") == 0) {
        log_error("store: CBPN_TEST_SYNCHRONOUS=normal: commits are NOT durable (tests only)");
        return "PRAGMA synchronous = NORMAL";
    }
    return "PRAGMA synchronous = FULL";
}

/* Opens path with the settings every connection has; synchronous is the
 * store's pragma (synchronous_pragma()). */
static sqlite3 *db_open(const char *path, const char *synchronous, char **errmsg)
{
    sqlite3 *db = NULL;
    char *mode = NULL;
    int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        *errmsg = xasprintf("cannot open database %s: %s", path, sqlite3_errstr(rc));
        goto fail;
    }
    sqlite3_extended_result_codes(db, 1);
    sqlite3_busy_timeout(db, BUSY_TIMEOUT_MS);
    rc = exec1(db, "PRAGMA journal_mode = WAL", &mode);
    if (rc == SQLITE_NOTADB) {
        *errmsg = xasprintf("%s is not a cbpn database", path);
        goto fail;
    }
    if (rc != SQLITE_OK || mode == NULL || strcmp(mode, "wal") != 0) {
        *errmsg = xasprintf("cannot use write-ahead logging on %s: %s", path,
                            rc != SQLITE_OK ? sqlite3_errmsg(db) : "journal mode refused");
        goto fail;
    }
    /* trusted_schema stays on: SQLite 3.40's JSON functions, which the
     * schema's CHECK constraints use, are not marked innocuous. */
    const char *const pragmas[] = {
        "PRAGMA foreign_keys = ON",
        synchronous,
        "PRAGMA secure_delete = FAST",
    };
    for (size_t i = 0; i < sizeof(pragmas) / sizeof(pragmas[0]); i++) {
        rc = exec1(db, pragmas[i], NULL);
        if (rc != SQLITE_OK) {
            *errmsg = xasprintf("cannot set up %s: %s", path, sqlite3_errmsg(db));
            goto fail;
        }
    }
    free(mode);
    return db;
fail:
    free(mode);
    sqlite3_close_v2(db);
    return NULL;
}

/* A connection over db (taken over, closed on failure) with every
 * statement prepared. */
static struct lite_conn *conn_prepare(struct lite_store *st, sqlite3 *db, char **errmsg)
{
    struct lite_conn *c = xcalloc(1, sizeof(*c));
    c->base.ops = &sqlite_backend;
    c->base.store = &st->base;
    c->db = db;
    for (int i = 0; i < STMT__MAX; i++) {
        const struct stmt_def *d = &sqlite_stmts[i];
        c->stmts[i].base.conn = &c->base;
        c->stmts[i].base.id = (enum stmt_id)i;
        if (d->sql == NULL) {
            *errmsg = xasprintf("internal error: statement %d has no SQL", i);
            goto fail;
        }
        int rc =
            sqlite3_prepare_v3(db, d->sql, -1, SQLITE_PREPARE_PERSISTENT, &c->stmts[i].st, NULL);
        if (rc != SQLITE_OK) {
            *errmsg = xasprintf("internal error: statement %s does not prepare: %s", d->name,
                                sqlite3_errmsg(db));
            goto fail;
        }
    }
    return c;
fail:
    conn_free(c);
    return NULL;
}

static bool lite_conn_open(struct store *base, struct store_conn **out, char **errmsg)
{
    struct lite_store *st = (struct lite_store *)base;
    *out = NULL;
    sqlite3 *db = db_open(st->path, st->synchronous, errmsg);
    if (db == NULL)
        return false;
    struct lite_conn *c = conn_prepare(st, db, errmsg);
    if (c == NULL)
        return false;
    *out = &c->base;
    return true;
}

static void lite_conn_close(struct store_conn *c)
{
    conn_free(LC(c));
}

/* ---- migrations ---- */

/* The recorded schema version (0 for a new database); -1 when the file
 * holds tables that are not cbpn's. */
static int recorded_version(sqlite3 *db, int *version)
{
    char *v = NULL;
    int rc = exec1(db,
                   "SELECT count(*) FROM sqlite_master WHERE type = 'table'"
                   " AND name = 'schema_migration'",
                   &v);
    if (rc != SQLITE_OK)
        return rc;
    bool has = v != NULL && strcmp(v, "1") == 0;
    free(v);
    v = NULL;
    if (!has) {
        rc = exec1(db, "SELECT count(*) FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'", &v);
        if (rc == SQLITE_OK)
            *version = v != NULL && strcmp(v, "0") == 0 ? 0 : -1;
        free(v);
        return rc;
    }
    rc = exec1(db, "SELECT coalesce(max(version), 0) FROM schema_migration", &v);
    if (rc == SQLITE_OK)
        *version = v != NULL ? atoi(v) : 0;
    free(v);
    return rc;
}

static int record_migration(sqlite3 *db, int version)
{
    char ts[TS_SIZE];
    sqlite3_stmt *st = NULL;
    clock_rfc3339(clock_now(), ts);
    int rc = sqlite3_prepare_v2(
        db, "INSERT INTO schema_migration (version, applied_at) VALUES (?1, ?2)", -1, &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_int(st, 1, version);
        sqlite3_bind_text(st, 2, ts, -1, SQLITE_TRANSIENT);
        rc = sqlite3_step(st);
        if (rc == SQLITE_DONE)
            rc = SQLITE_OK;
    }
    sqlite3_finalize(st);
    return rc;
}

/* Brings the schema up to date in one transaction. */
static enum err migrate(sqlite3 *db, const char *path, char **errmsg)
{
    const struct embedded_file **m = NULL;
    int known = 0, current = 0, rc;
    enum err e = store_migrations(MIGRATION_DIR, &m, &known, errmsg);
    if (e != ERR_OK)
        goto out;
    e = ERR_INTERNAL;
    rc = exec1(db, "BEGIN IMMEDIATE", NULL);
    if (rc != SQLITE_OK) {
        e = (rc & 0xff) == SQLITE_BUSY ? ERR_UNAVAILABLE : ERR_INTERNAL;
        *errmsg = xasprintf("cannot lock database %s: %s", path, sqlite3_errmsg(db));
        goto out;
    }
    rc = recorded_version(db, &current);
    if (rc != SQLITE_OK) {
        *errmsg = xasprintf("cannot read the schema version of %s: %s", path, sqlite3_errmsg(db));
        goto rollback;
    }
    if (current < 0) {
        *errmsg = xasprintf("%s is not a cbpn database", path);
        goto rollback;
    }
    if (current > known) {
        *errmsg = xasprintf("database schema %d is newer than this cbpn (knows up to %d); use a "
                            "newer cbpn",
                            current, known);
        goto rollback;
    }
    for (int v = current + 1; v <= known; v++) {
        char *msg = NULL;
        rc = sqlite3_exec(db, (const char *)m[v - 1]->data, NULL, NULL, &msg);
        if (rc == SQLITE_OK)
            rc = record_migration(db, v);
        if (rc != SQLITE_OK) {
            *errmsg = xasprintf("migration %s failed: %s", m[v - 1]->name,
                                msg != NULL ? msg : sqlite3_errmsg(db));
            sqlite3_free(msg);
            goto rollback;
        }
        log_info("store: applied migration %d", v);
    }
    rc = exec1(db, "COMMIT", NULL);
    if (rc != SQLITE_OK) {
        *errmsg = xasprintf("cannot commit the schema of %s: %s", path, sqlite3_errmsg(db));
        goto rollback;
    }
    e = ERR_OK;
    goto out;
rollback:
    exec1(db, "ROLLBACK", NULL);
out:
    free(m);
    return e;
}

/* ---- the store ---- */

/* Makes the directory entry of a file just created at path durable: SQLite
 * syncs the directory for the -wal it creates, not for the database file. */
static bool dir_sync(const char *path)
{
    char *dir = xstrdup(path);
    char *slash = strrchr(dir, '/');
    if (slash == NULL)
        strcpy(dir, ".");
    else if (slash == dir)
        slash[1] = '\0';
    else
        *slash = '\0';
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    bool ok = fd >= 0 && fsync(fd) == 0;
    if (fd >= 0)
        close(fd);
    free(dir);
    return ok;
}

/* Creates the file with mode 0600 when it does not exist, so SQLite (and
 * its -wal and -shm files, which take the database's mode) never widens it. */
static bool file_prepare(const char *path, bool create, char **errmsg)
{
    struct stat sb;
    if (stat(path, &sb) == 0) {
        if (!S_ISREG(sb.st_mode)) {
            *errmsg = xasprintf("%s is not a regular file", path);
            return false;
        }
        return true;
    }
    if (errno != ENOENT) {
        *errmsg = xasprintf("cannot open database %s: %s", path, strerror(errno));
        return false;
    }
    if (!create) {
        *errmsg =
            xasprintf("database %s does not exist (create it with: cbpn init --db %s)", path, path);
        return false;
    }
    int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0 && errno != EEXIST) {
        *errmsg = xasprintf("cannot create database %s: %s", path, strerror(errno));
        return false;
    }
    if (fd >= 0) {
        close(fd);
        if (!dir_sync(path)) {
            *errmsg = xasprintf("cannot create database %s: %s", path, strerror(errno));
            return false;
        }
    }
    return true;
}

static enum err lite_open(const char *uri, bool create, struct store **out,
                          struct store_conn **first, char **errmsg)
{
    struct lite_store *st = NULL;
    sqlite3 *db = NULL;
    enum err e = ERR_INTERNAL;

    if (!file_prepare(uri, create, errmsg))
        return create ? ERR_INTERNAL : ERR_NOT_FOUND;

    st = xcalloc(1, sizeof(*st));
    st->base.ops = &sqlite_backend;
    st->path = xstrdup(uri);
    st->synchronous = synchronous_pragma();
    db = db_open(uri, st->synchronous, errmsg);
    if (db == NULL)
        goto fail;
    e = migrate(db, uri, errmsg);
    if (e != ERR_OK)
        goto fail;
    /* The opening thread's connection: preparing every statement now makes
     * a broken one fail here, at start. */
    struct lite_conn *c = conn_prepare(st, db, errmsg);
    db = NULL;
    if (c == NULL) {
        e = ERR_INTERNAL;
        goto fail;
    }
    *out = &st->base;
    *first = &c->base;
    return ERR_OK;
fail:
    sqlite3_close_v2(db);
    lite_close(&st->base);
    return e;
}

static void lite_close(struct store *base)
{
    struct lite_store *st = (struct lite_store *)base;
    free(st->path);
    free(st);
}

/* Erasure (backend_ops.wipe). secure_delete ON overwrites whatever the
 * transaction frees, overflow pages included (FAST, the usual mode, leaves
 * those); the checkpoint then copies the new pages over the old ones in
 * the database and truncates the log, where the old pages also were. A
 * reader's snapshot can keep it from finishing (SQLITE_BUSY after the
 * busy timeout): the old pages then stay in the log until a later
 * checkpoint overwrites or truncates it. */
static bool lite_wipe(struct store_conn *base, enum wipe_step step)
{
    sqlite3 *db = LC(base)->db;
    if (step == WIPE_BEGIN)
        return exec1(db, "PRAGMA secure_delete = ON", NULL) == SQLITE_OK;
    if (step == WIPE_VACUUM)
        return true;
    if (exec1(db, "PRAGMA secure_delete = FAST", NULL) != SQLITE_OK)
        log_error("store: cannot set secure_delete back to FAST");
    int rc = sqlite3_wal_checkpoint_v2(db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
    if (rc != SQLITE_OK) {
        log_info("store: the log was not emptied after an erasure (%s); a later checkpoint will",
                 sqlite3_errstr(rc));
        return false;
    }
    return true;
}

/* A bulk load (backend_ops.bulk): see store_bulk_load. */
static bool lite_bulk(struct store_conn *base, bool on)
{
    sqlite3 *db = LC(base)->db;
    const struct lite_store *st = (const struct lite_store *)base->store;
    char *mode = NULL;
    bool ok;
    if (on) {
        /* The loader writes only consistent rows: the foreign keys are
         * not looked up for each. */
        ok = exec1(db, "PRAGMA cache_size = -3145728", NULL) == SQLITE_OK &&
             exec1(db, "PRAGMA foreign_keys = OFF", NULL) == SQLITE_OK &&
             exec1(db, "PRAGMA synchronous = OFF", NULL) == SQLITE_OK &&
             exec1(db, "PRAGMA journal_mode = MEMORY", &mode) == SQLITE_OK;
        ok = ok && mode != NULL && strcmp(mode, "memory") == 0;
    } else {
        ok = exec1(db, "PRAGMA journal_mode = WAL", &mode) == SQLITE_OK && mode != NULL &&
             strcmp(mode, "wal") == 0;
        ok = exec1(db, st->synchronous, NULL) == SQLITE_OK && ok;
        ok = exec1(db, "PRAGMA foreign_keys = ON", NULL) == SQLITE_OK && ok;
        ok = exec1(db, "PRAGMA cache_size = -2000", NULL) == SQLITE_OK && ok;
        ok = sqlite3_wal_checkpoint_v2(db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL) ==
                 SQLITE_OK &&
             ok;
    }
    if (!ok)
        log_error("store: cannot %s the bulk load settings: %s", on ? "set" : "undo",
                  sqlite3_errmsg(db));
    free(mode);
    return ok;
}

/* Bulk indexes (backend_ops.bulk_indexes): see store_bulk_indexes. */
static bool lite_bulk_indexes(struct store_conn *base, const char *const *tables, bool drop)
{
    struct lite_conn *c = LC(base);
    bool ok = true;
    if (!drop) {
        for (size_t i = 0; i < c->ndropped; i++) {
            ok = ok && exec1(c->db, c->dropped[i], NULL) == SQLITE_OK;
            free(c->dropped[i]);
        }
        free(c->dropped);
        c->dropped = NULL;
        c->ndropped = 0;
        if (!ok)
            log_error("store: cannot build an index again: %s", sqlite3_errmsg(c->db));
        return ok;
    }
    for (size_t t = 0; tables[t] != NULL && ok; t++) {
        sqlite3_stmt *st = NULL;
        if (sqlite3_prepare_v2(c->db,
                               "SELECT name, sql FROM sqlite_master WHERE type = 'index'"
                               " AND sql IS NOT NULL AND tbl_name = ?1",
                               -1, &st, NULL) != SQLITE_OK)
            return false;
        sqlite3_bind_text(st, 1, tables[t], -1, SQLITE_STATIC);
        char *names[64];
        size_t n = 0;
        while (sqlite3_step(st) == SQLITE_ROW && n < 64) {
            names[n++] = xstrdup((const char *)sqlite3_column_text(st, 0));
            c->dropped = xrealloc(c->dropped, (c->ndropped + 1) * sizeof *c->dropped);
            c->dropped[c->ndropped++] = xstrdup((const char *)sqlite3_column_text(st, 1));
        }
        sqlite3_finalize(st);
        for (size_t i = 0; i < n; i++) {
            char *sql = xasprintf("DROP INDEX \"%s\"", names[i]);
            ok = ok && exec1(c->db, sql, NULL) == SQLITE_OK;
            free(sql);
            free(names[i]);
        }
    }
    if (!ok)
        log_error("store: cannot drop an index: %s", sqlite3_errmsg(c->db));
    return ok;
}

const struct backend_ops sqlite_backend = {
    .name = "sqlite",
    .stmts = sqlite_stmts,
    .param = '?',
    .open = lite_open,
    .close = lite_close,
    .conn_open = lite_conn_open,
    .conn_close = lite_conn_close,
    .get = lite_get,
    .bind_text = lite_bind_text,
    .bind_int = lite_bind_int,
    .bind_blob = lite_bind_blob,
    .bind_null = lite_bind_null,
    .step = lite_step,
    .done = lite_done,
    .changes = lite_changes,
    .in_tx = lite_in_tx,
    .col_null = lite_col_null,
    .col_text = lite_col_text,
    .col_int = lite_col_int,
    .col_blob = lite_col_blob,
    .col_bytes = lite_col_bytes,
    .col_name = lite_col_name,
    .col_count = lite_col_count,
    .retry_advised = lite_retry_advised,
    .wipe = lite_wipe,
    .bulk = lite_bulk,
    .bulk_indexes = lite_bulk_indexes,
    .prepare = lite_prepare,
    .finalize = lite_finalize,
    .col_type = lite_col_type,
};
