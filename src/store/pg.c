/* The PostgreSQL backend: a libpq connection (one per thread, kept by
 * store.c) with every statement prepared when it opens, migrations under an
 * advisory lock, and the query interface of store_int.h over PGresult.
 *
 * Parameters go in text format (bytea in binary) and PostgreSQL infers
 * their types from the statement; results come back in binary format, so
 * bytea needs no unescaping and integers are decoded by their type.
 *
 * A connection that breaks (a restart, a failover) is marked broken and
 * opened again, with its statements prepared again, on the next statement
 * outside a transaction (one the server closed while it was idle is
 * noticed before that statement, which then does not fail): with a multi-host URI and
 * target_session_attrs=read-write, libpq then finds the new primary. A
 * transaction the database rolled back by itself (a serialization
 * failure, a deadlock, the connection lost before COMMIT was sent) leaves
 * store_retry_advised() true, so the caller may run it again whole.
 *
 * Error messages of PostgreSQL can quote values ("invalid input syntax
 * for type bigint: ..."), so only the SQLSTATE, the statement's name and
 * the constraint, table and column names are ever logged. */
#include <arpa/inet.h>
#include <libpq-fe.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_int.h"
#include "util/alloc.h"
#include "util/clock.h"
#include "util/embed.h"
#include "util/log.h"

#define MIGRATION_DIR "migrations/postgres/"
/* The advisory lock migrations take, so servers starting together apply
 * each migration once ("cbpn" in ASCII). */
#define MIGRATION_LOCK "1667395694"

/* Type oids of the results read as integers (pg_type.h). */
#define OID_BOOL  16
#define OID_BYTEA 17
#define OID_INT8  20
#define OID_INT2  21
#define OID_INT4  23

struct pg_stmt {
    struct stmt base;
    char name[12]; /* "s<id>" */
    int nparams;
    char **values; /* owned copies, NULL for NULL */
    int *lengths;
    int *formats;
    bool bind_failed;
    PGresult *res; /* the executed statement's rows */
    int row;       /* the current row of res */
    char **text;   /* text forms of integer columns, made on demand */
    int ntext;
};

struct pg_conn {
    struct store_conn base;
    struct pg_store *store;
    PGconn *db;
    bool broken; /* open it again before the next statement */
    bool retry;  /* the last transaction may be run again whole */
    bool in_tx;  /* BEGIN sent, COMMIT or ROLLBACK not yet */
    int64_t changes;
    unsigned ndynamic; /* statements prepare() made: their names */
    struct pg_stmt stmts[STMT__MAX];
};

struct pg_store {
    struct store base;
    char *uri;
};

static struct pg_stmt *PS(struct stmt *s)
{
    return (struct pg_stmt *)s;
}

static struct pg_conn *PC(struct store_conn *c)
{
    return (struct pg_conn *)c;
}

static void pg_close(struct store *base);

/* ---- errors ---- */

static bool sqlstate_is(const char *state, const char *prefix)
{
    return state != NULL && strncmp(state, prefix, strlen(prefix)) == 0;
}

/* The SQLSTATEs after which the connection is no good: it broke, the
 * server is going away, or it is a standby now (read-only). */
static bool sqlstate_breaks(const char *state)
{
    return state == NULL || sqlstate_is(state, "08") || sqlstate_is(state, "57P") ||
           strcmp(state, "25006") == 0 || strcmp(state, "53300") == 0;
}

/* Maps a failed result of statement what on c to the store's errors. */
static enum err map_result(struct pg_conn *c, const PGresult *res, const char *what, bool commit)
{
    const char *state = res != NULL ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    if (PQstatus(c->db) != CONNECTION_OK || sqlstate_breaks(state)) {
        /* What was not committed is gone with the connection: it can be
         * run again, unless this was the COMMIT, whose fate is unknown. */
        c->broken = true;
        c->retry = c->in_tx && !commit;
        c->in_tx = false;
        log_error("store: %s: the database connection is lost (%s)%s", what,
                  state != NULL ? state : "no answer",
                  commit ? "; the commit's outcome is unknown" : "");
        return ERR_UNAVAILABLE;
    }
    if (state == NULL)
        state = "?????";
    if (strcmp(state, "23505") == 0)
        return ERR_CONFLICT;
    if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0) {
        c->retry = true;
        log_info("store: %s: %s, the transaction is rolled back", what,
                 strcmp(state, "40001") == 0 ? "serialization failure" : "deadlock");
        return ERR_UNAVAILABLE;
    }
    if (sqlstate_is(state, "53") || strcmp(state, "57014") == 0 || strcmp(state, "55P03") == 0) {
        log_error("store: %s: the database is out of resources or timed out (%s)", what, state);
        return ERR_UNAVAILABLE;
    }
    const char *constraint = PQresultErrorField(res, PG_DIAG_CONSTRAINT_NAME);
    const char *table = PQresultErrorField(res, PG_DIAG_TABLE_NAME);
    const char *column = PQresultErrorField(res, PG_DIAG_COLUMN_NAME);
    log_error("store: %s: SQLSTATE %s%s%s%s%s%s%s", what, state, table ? " table " : "",
              table ? table : "", column ? " column " : "", column ? column : "",
              constraint ? " constraint " : "", constraint ? constraint : "");
    return ERR_INTERNAL;
}

/* ---- the query interface ---- */

static void params_clear(struct pg_stmt *s)
{
    for (int i = 0; i < s->nparams; i++) {
        free(s->values[i]);
        s->values[i] = NULL;
        s->lengths[i] = 0;
        s->formats[i] = 0;
    }
    s->bind_failed = false;
}

static void pg_done(struct stmt *base)
{
    struct pg_stmt *s = PS(base);
    params_clear(s);
    PQclear(s->res);
    s->res = NULL;
    s->row = 0;
    for (int i = 0; i < s->ntext; i++) {
        free(s->text[i]);
        s->text[i] = NULL;
    }
}

/* The slot of parameter i (1-based), or NULL (remembered) when there is none. */
static struct pg_stmt *param_slot(struct stmt *base, int i)
{
    struct pg_stmt *s = PS(base);
    if (i < 1 || i > s->nparams) {
        s->bind_failed = true;
        return NULL;
    }
    free(s->values[i - 1]);
    s->values[i - 1] = NULL;
    return s;
}

static void pg_bind_text(struct stmt *base, int i, const char *v)
{
    struct pg_stmt *s = param_slot(base, i);
    if (s != NULL) {
        s->values[i - 1] = xstrdup(v);
        s->formats[i - 1] = 0;
    }
}

static void pg_bind_int(struct stmt *base, int i, int64_t v)
{
    struct pg_stmt *s = param_slot(base, i);
    if (s != NULL) {
        s->values[i - 1] = xasprintf("%lld", (long long)v);
        s->formats[i - 1] = 0;
    }
}

static void pg_bind_blob(struct stmt *base, int i, const void *p, size_t len)
{
    struct pg_stmt *s = param_slot(base, i);
    if (s == NULL)
        return;
    if (len > 0x3fffffff) {
        s->bind_failed = true;
        return;
    }
    s->values[i - 1] = xmalloc(len);
    memcpy(s->values[i - 1], p, len);
    s->lengths[i - 1] = (int)len;
    s->formats[i - 1] = 1;
}

static void pg_bind_null(struct stmt *base, int i)
{
    struct pg_stmt *s = param_slot(base, i);
    if (s != NULL)
        s->formats[i - 1] = 0;
}

static bool conn_reopen(struct pg_conn *c);

/* Before a statement outside a transaction: a connection the server has
 * closed while it sat idle (a restart, a failover, an administrator) is
 * readable, with the server's last message (FATAL: terminating connection)
 * or the end of the stream. cbpn listens for nothing, so anything to read
 * on an idle connection means it is ending: it is opened again now, and
 * the statement runs on the new one instead of failing. */
static void check_idle(struct pg_conn *c)
{
    struct pollfd pfd = {.fd = PQsocket(c->db), .events = POLLIN};
    if (pfd.fd < 0 || poll(&pfd, 1, 0) != 0)
        c->broken = true;
}

static enum err pg_step(struct stmt *base, bool *row)
{
    struct pg_stmt *s = PS(base);
    struct pg_conn *c = PC(base->conn);
    const char *what = base->id == STMT_DYNAMIC ? "a copy statement" : pg_stmts[base->id].name;
    *row = false;
    if (s->res != NULL) { /* the next row of what ran */
        if (s->row + 1 < PQntuples(s->res)) {
            s->row++;
            for (int i = 0; i < s->ntext; i++) {
                free(s->text[i]);
                s->text[i] = NULL;
            }
            *row = true;
        }
        return ERR_OK;
    }
    if (s->bind_failed) {
        log_error("store: %s: cannot bind a parameter", what);
        pg_done(base);
        return ERR_INTERNAL;
    }
    if (!c->broken && base->conn->tx.depth == 0 && !c->in_tx)
        check_idle(c);
    if (c->broken) {
        /* Inside a transaction the connection it ran on is gone: the
         * transaction fails whole; outside one, open a new connection. */
        if (base->conn->tx.depth > 0 || !conn_reopen(c)) {
            pg_done(base);
            return ERR_UNAVAILABLE;
        }
    }
    bool begin = base->id == STMT_BEGIN || base->id == STMT_BEGIN_READ,
         commit = base->id == STMT_COMMIT;
    bool end = commit || base->id == STMT_ROLLBACK;
    if (begin)
        c->retry = false;
    PGresult *res = PQexecPrepared(c->db, s->name, s->nparams, (const char *const *)s->values,
                                   s->lengths, s->formats, 1);
    params_clear(s);
    ExecStatusType st = res != NULL ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) {
        const char *n = PQcmdTuples(res);
        c->changes = n != NULL && n[0] != '\0' ? strtoll(n, NULL, 10) : 0;
        if (begin)
            c->in_tx = true;
        else if (end)
            c->in_tx = false;
        if (st == PGRES_TUPLES_OK && PQntuples(res) > 0) {
            s->res = res;
            s->row = 0;
            *row = true;
        } else {
            PQclear(res);
        }
        return ERR_OK;
    }
    enum err e = map_result(c, res, what, commit);
    PQclear(res);
    if (end)
        c->in_tx = false;
    pg_done(base);
    return e;
}

static int64_t pg_changes(struct store_conn *c)
{
    return PC(c)->changes;
}

static bool pg_in_tx(struct store_conn *base)
{
    struct pg_conn *c = PC(base);
    if (c->broken)
        return false;
    PGTransactionStatusType t = PQtransactionStatus(c->db);
    return t == PQTRANS_INTRANS || t == PQTRANS_INERROR || t == PQTRANS_ACTIVE;
}

static bool pg_col_null(struct stmt *base, int i)
{
    struct pg_stmt *s = PS(base);
    return s->res == NULL || PQgetisnull(s->res, s->row, i);
}

static bool col_is_int(const PGresult *res, int i)
{
    Oid t = PQftype(res, i);
    return t == OID_INT2 || t == OID_INT4 || t == OID_INT8 || t == OID_BOOL;
}

static int64_t pg_col_int(struct stmt *base, int i)
{
    struct pg_stmt *s = PS(base);
    if (pg_col_null(base, i))
        return 0;
    const unsigned char *p = (const unsigned char *)PQgetvalue(s->res, s->row, i);
    int len = PQgetlength(s->res, s->row, i);
    switch (PQftype(s->res, i)) {
    case OID_BOOL:
        return len == 1 && p[0] != 0;
    case OID_INT2:
        if (len == 2)
            return (int16_t)(uint16_t)((p[0] << 8) | p[1]);
        return 0;
    case OID_INT4:
        if (len == 4) {
            uint32_t v;
            memcpy(&v, p, 4);
            return (int32_t)ntohl(v);
        }
        return 0;
    case OID_INT8:
        if (len == 8) {
            uint64_t v = 0;
            for (int k = 0; k < 8; k++)
                v = (v << 8) | p[k];
            return (int64_t)v;
        }
        return 0;
    default: /* a text column holding digits */
        return strtoll((const char *)p, NULL, 10);
    }
}

static const char *pg_col_text(struct stmt *base, int i)
{
    struct pg_stmt *s = PS(base);
    if (pg_col_null(base, i))
        return NULL;
    if (!col_is_int(s->res, i)) /* text, in binary format: its bytes, NUL-terminated by libpq */
        return PQgetvalue(s->res, s->row, i);
    if (i >= s->ntext) {
        int n = PQnfields(s->res);
        s->text = xrealloc(s->text, (size_t)n * sizeof(*s->text));
        for (int k = s->ntext; k < n; k++)
            s->text[k] = NULL;
        s->ntext = n;
    }
    if (s->text[i] == NULL)
        s->text[i] = xasprintf("%lld", (long long)pg_col_int(base, i));
    return s->text[i];
}

static const unsigned char *pg_col_blob(struct stmt *base, int i, size_t *len)
{
    struct pg_stmt *s = PS(base);
    *len = 0;
    if (pg_col_null(base, i))
        return NULL;
    *len = (size_t)PQgetlength(s->res, s->row, i);
    return (const unsigned char *)PQgetvalue(s->res, s->row, i);
}

static size_t pg_col_bytes(struct stmt *base, int i)
{
    struct pg_stmt *s = PS(base);
    if (pg_col_null(base, i))
        return 0;
    if (col_is_int(s->res, i))
        return strlen(pg_col_text(base, i));
    return (size_t)PQgetlength(s->res, s->row, i);
}

static enum col_type pg_col_type(struct stmt *base, int i)
{
    struct pg_stmt *s = PS(base);
    if (pg_col_null(base, i))
        return COL_NULL;
    if (col_is_int(s->res, i))
        return COL_INT;
    return PQftype(s->res, i) == OID_BYTEA ? COL_BLOB : COL_TEXT;
}

/* Column names come from the prepared statement's description, so they
 * can be read before a step, as SQLite's can. */
static const char *pg_col_name(struct stmt *base, int i)
{
    struct pg_stmt *s = PS(base);
    PGresult *d = PQdescribePrepared(PC(base->conn)->db, s->name);
    static __thread char name[64];
    name[0] = '\0';
    if (d != NULL && PQresultStatus(d) == PGRES_COMMAND_OK && i < PQnfields(d))
        snprintf(name, sizeof name, "%s", PQfname(d, i));
    PQclear(d);
    return name;
}

static int pg_col_count(struct stmt *base)
{
    struct pg_stmt *s = PS(base);
    PGresult *d = PQdescribePrepared(PC(base->conn)->db, s->name);
    int n = d != NULL && PQresultStatus(d) == PGRES_COMMAND_OK ? PQnfields(d) : 0;
    PQclear(d);
    return n;
}

static struct stmt *pg_get(struct store_conn *c, enum stmt_id id)
{
    struct pg_stmt *s = &PC(c)->stmts[id];
    params_clear(s);
    return &s->base;
}

/* ---- connections ---- */

/* PostgreSQL's notices (NOTICE, WARNING) can quote values: not logged. */
static void notice_drop(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

/* The highest $N of sql: how many parameters the statement takes. */
static int count_params(const char *sql)
{
    int max = 0;
    for (const char *p = sql; *p; p++) {
        if (*p == '$' && p[1] >= '1' && p[1] <= '9') {
            int n = (int)strtol(p + 1, NULL, 10);
            if (n > max)
                max = n;
        }
    }
    return max;
}

/* Runs one statement without parameters; true when it succeeded. *out,
 * when given, gets the first column of the first row (caller frees). */
static bool exec1(PGconn *db, const char *sql, char **out)
{
    PGresult *res = PQexec(db, sql);
    ExecStatusType st = PQresultStatus(res);
    bool ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
    if (ok && out != NULL)
        *out = xstrdup(st == PGRES_TUPLES_OK && PQntuples(res) > 0 ? PQgetvalue(res, 0, 0) : "");
    PQclear(res);
    return ok;
}

/* Why the last command on db failed, without values: its SQLSTATE and
 * the first line of libpq's own message for connection failures. */
static char *failure(PGconn *db, PGresult *res)
{
    const char *state = res != NULL ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    if (state != NULL)
        return xasprintf("SQLSTATE %s", state);
    const char *m = PQerrorMessage(db);
    size_t n = strcspn(m, "\n");
    return xasprintf("%.*s", (int)n, m);
}

/* libpq's message for a connection that could not be made, on one line:
 * with several hosts it has a line per host tried ("connection to server
 * at ... failed: ..."), each kept, joined by "; "; its indented hint lines
 * are left out. */
static char *connect_failure(const char *m)
{
    /* at most: every line kept, each "\n" between them made "; " */
    char *out = xmalloc(2 * strlen(m) + 1);
    size_t o = 0;
    for (const char *line = m; *line != '\0';) {
        size_t n = strcspn(line, "\n");
        if (n > 0 && line[0] != ' ' && line[0] != '\t') {
            if (o > 0) {
                out[o++] = ';';
                out[o++] = ' ';
            }
            memcpy(out + o, line, n);
            o += n;
        }
        line += n;
        if (*line == '\n')
            line++;
    }
    out[o] = '\0';
    return out;
}

/* A new connection to uri with cbpn's session settings. */
static PGconn *db_connect(const char *uri, char **errmsg)
{
    /* Our defaults come before the URI, whose own settings win; the
     * encoding comes after it and always holds. */
    const char *const keys[] = {"connect_timeout",
                                "application_name",
                                "keepalives_idle",
                                "keepalives_interval",
                                "keepalives_count",
                                "tcp_user_timeout",
                                "dbname",
                                "client_encoding",
                                NULL};
    const char *const values[] = {"5", "cbpn", "10", "5", "3", "15000", uri, "UTF8", NULL};
    PGconn *db = PQconnectdbParams(keys, values, 1);
    if (db == NULL || PQstatus(db) != CONNECTION_OK) {
        /* libpq's message names hosts and the database, never passwords. */
        char *m = connect_failure(db != NULL ? PQerrorMessage(db) : "out of memory");
        *errmsg = xasprintf("cannot connect to the PostgreSQL database: %s", m);
        free(m);
        PQfinish(db);
        return NULL;
    }
    PQsetNoticeProcessor(db, notice_drop, NULL);
    /* Commits wait for the WAL flush (and for a synchronous standby when
     * one is configured): a 2xx answer is never lost with the primary.
     * lock_timeout is SQLite's busy timeout: a request that waits 5 s for
     * another writer's lock gives up (503); statement_timeout bounds any
     * statement. */
    const char *const settings[] = {
        "SET synchronous_commit TO on", "SET statement_timeout TO '30s'",
        "SET lock_timeout TO '5s'",     "SET idle_in_transaction_session_timeout TO '60s'",
        "SET search_path TO public",
    };
    for (size_t i = 0; i < sizeof settings / sizeof settings[0]; i++) {
        if (!exec1(db, settings[i], NULL)) {
            *errmsg = xasprintf("cannot set up the PostgreSQL session: %s",
                                PQerrorMessage(db)[0] ? "refused" : "no answer");
            PQfinish(db);
            return NULL;
        }
    }
    return db;
}

/* Prepares every statement of pg_stmts on c->db. */
static bool conn_prepare_all(struct pg_conn *c, char **errmsg)
{
    for (int i = 0; i < STMT__MAX; i++) {
        const struct stmt_def *d = &pg_stmts[i];
        struct pg_stmt *s = &c->stmts[i];
        if (d->sql == NULL) {
            *errmsg = xasprintf("internal error: statement %d has no SQL", i);
            return false;
        }
        PGresult *res = PQprepare(c->db, s->name, d->sql, 0, NULL);
        if (PQresultStatus(res) != PGRES_COMMAND_OK) {
            char *why = failure(c->db, res);
            *errmsg = xasprintf("internal error: statement %s does not prepare: %s", d->name, why);
            free(why);
            PQclear(res);
            return false;
        }
        PQclear(res);
    }
    return true;
}

/* The statement's parameter slots for n parameters. */
static void stmt_slots(struct pg_stmt *s, int n)
{
    s->nparams = n;
    size_t k = n > 0 ? (size_t)n : 1;
    s->values = xcalloc(k, sizeof(*s->values));
    s->lengths = xcalloc(k, sizeof(*s->lengths));
    s->formats = xcalloc(k, sizeof(*s->formats));
}

static void stmt_slots_free(struct pg_stmt *s)
{
    pg_done(&s->base);
    free(s->values);
    free(s->lengths);
    free(s->formats);
    free(s->text);
}

static void conn_free(struct pg_conn *c)
{
    if (c == NULL)
        return;
    for (int i = 0; i < STMT__MAX; i++)
        stmt_slots_free(&c->stmts[i]);
    PQfinish(c->db);
    free(c);
}

/* A connection over db (taken over, closed on failure) with every
 * statement prepared. */
static struct pg_conn *conn_make(struct pg_store *st, PGconn *db, char **errmsg)
{
    struct pg_conn *c = xcalloc(1, sizeof(*c));
    c->base.ops = &pg_backend;
    c->base.store = &st->base;
    c->db = db;
    for (int i = 0; i < STMT__MAX; i++) {
        struct pg_stmt *s = &c->stmts[i];
        s->base.conn = &c->base;
        s->base.id = (enum stmt_id)i;
        snprintf(s->name, sizeof s->name, "s%d", i);
        stmt_slots(s, pg_stmts[i].sql != NULL ? count_params(pg_stmts[i].sql) : 0);
    }
    if (!conn_prepare_all(c, errmsg)) {
        conn_free(c);
        return NULL;
    }
    return c;
}

/* Opens c's connection again (after a restart or a failover). */
static bool conn_reopen(struct pg_conn *c)
{
    char *errmsg = NULL;
    PGconn *db = db_connect(((struct pg_store *)c->base.store)->uri, &errmsg);
    if (db == NULL) {
        log_error("store: %s", errmsg);
        free(errmsg);
        return false;
    }
    PQfinish(c->db);
    c->db = db;
    if (!conn_prepare_all(c, &errmsg)) {
        log_error("store: %s", errmsg);
        free(errmsg);
        return false;
    }
    c->broken = false;
    c->in_tx = false;
    log_info("store: connected to the database again");
    return true;
}

static bool pg_conn_open(struct store *base, struct store_conn **out, char **errmsg)
{
    struct pg_store *st = (struct pg_store *)base;
    *out = NULL;
    PGconn *db = db_connect(st->uri, errmsg);
    if (db == NULL)
        return false;
    struct pg_conn *c = conn_make(st, db, errmsg);
    if (c == NULL)
        return false;
    *out = &c->base;
    return true;
}

static void pg_conn_close(struct store_conn *c)
{
    conn_free(PC(c));
}

static struct stmt *pg_prepare(struct store_conn *base, const char *sql)
{
    struct pg_conn *c = PC(base);
    if (c->broken && (base->tx.depth > 0 || !conn_reopen(c)))
        return NULL;
    struct pg_stmt *s = xcalloc(1, sizeof(*s));
    s->base.conn = base;
    s->base.id = STMT_DYNAMIC;
    snprintf(s->name, sizeof s->name, "d%u", c->ndynamic++);
    stmt_slots(s, count_params(sql));
    PGresult *res = PQprepare(c->db, s->name, sql, 0, NULL);
    if (PQresultStatus(res) != PGRES_COMMAND_OK) {
        map_result(c, res, "a copy statement", false);
        PQclear(res);
        stmt_slots_free(s);
        free(s);
        return NULL;
    }
    PQclear(res);
    return &s->base;
}

static void pg_finalize(struct stmt *base)
{
    struct pg_stmt *s = PS(base);
    struct pg_conn *c = PC(base->conn);
    if (!c->broken) {
        char *sql = xasprintf("DEALLOCATE %s", s->name);
        PQclear(PQexec(c->db, sql));
        free(sql);
    }
    stmt_slots_free(s);
    free(s);
}

static bool pg_retry_advised(struct store_conn *c)
{
    bool r = PC(c)->retry;
    PC(c)->retry = false;
    return r;
}

/* ---- migrations ---- */

/* The recorded schema version (0 for a database without tables); -1 when
 * it holds tables that are not cbpn's. false when it cannot be read. */
static bool recorded_version(PGconn *db, int *version)
{
    char *v = NULL;
    if (!exec1(db,
               "SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname = 'public'"
               " AND tablename = 'schema_migration'",
               &v))
        return false;
    bool has = strcmp(v, "1") == 0;
    free(v);
    v = NULL;
    if (!has) {
        if (!exec1(db, "SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname = 'public'", &v))
            return false;
        *version = strcmp(v, "0") == 0 ? 0 : -1;
        free(v);
        return true;
    }
    if (!exec1(db, "SELECT coalesce(max(version), 0) FROM schema_migration", &v))
        return false;
    *version = atoi(v);
    free(v);
    return true;
}

static bool record_migration(PGconn *db, int version)
{
    char ts[TS_SIZE], vs[16];
    clock_rfc3339(clock_now(), ts);
    snprintf(vs, sizeof vs, "%d", version);
    const char *const params[] = {vs, ts};
    PGresult *res =
        PQexecParams(db, "INSERT INTO schema_migration (version, applied_at) VALUES ($1, $2)", 2,
                     NULL, params, NULL, NULL, 0);
    bool ok = PQresultStatus(res) == PGRES_COMMAND_OK;
    PQclear(res);
    return ok;
}

/* Brings the schema up to date in one transaction. Without create, a
 * database without cbpn's schema is ERR_NOT_FOUND. */
static enum err migrate(PGconn *db, bool create, char **errmsg)
{
    const struct embedded_file **m = NULL;
    int known = 0, current = 0;
    enum err e = store_migrations(MIGRATION_DIR, &m, &known, errmsg);
    if (e != ERR_OK)
        return e;
    e = ERR_INTERNAL;
    if (!exec1(db, "BEGIN", NULL) ||
        !exec1(db, "SELECT pg_advisory_xact_lock(" MIGRATION_LOCK ")", NULL)) {
        *errmsg = xasprintf("cannot lock the PostgreSQL database: %s",
                            PQstatus(db) == CONNECTION_OK ? "refused" : "connection lost");
        e = ERR_UNAVAILABLE;
        goto rollback;
    }
    if (!recorded_version(db, &current)) {
        *errmsg = xstrdup("cannot read the schema version of the PostgreSQL database");
        goto rollback;
    }
    if (current < 0) {
        *errmsg = xstrdup("the PostgreSQL database holds tables that are not cbpn's; give an "
                          "empty database");
        goto rollback;
    }
    if (current == 0 && !create) {
        *errmsg = xstrdup("the PostgreSQL database has no cbpn schema (create it with: cbpn init "
                          "--db URI --key FILE)");
        e = ERR_NOT_FOUND;
        goto rollback;
    }
    if (current > known) {
        *errmsg = xasprintf("database schema %d is newer than this cbpn (knows up to %d); use a "
                            "newer cbpn",
                            current, known);
        goto rollback;
    }
    for (int v = current + 1; v <= known; v++) {
        PGresult *res = PQexec(db, (const char *)m[v - 1]->data);
        bool ok = PQresultStatus(res) == PGRES_COMMAND_OK || PQresultStatus(res) == PGRES_TUPLES_OK;
        if (!ok) {
            /* Our own SQL: its message names our objects, never data. */
            const char *msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
            *errmsg = xasprintf("migration %s failed: %s", m[v - 1]->name, msg ? msg : "refused");
            PQclear(res);
            goto rollback;
        }
        PQclear(res);
        if (!record_migration(db, v)) {
            *errmsg = xasprintf("cannot record migration %d", v);
            goto rollback;
        }
        log_info("store: applied migration %d", v);
    }
    if (!exec1(db, "COMMIT", NULL)) {
        *errmsg = xstrdup("cannot commit the schema of the PostgreSQL database");
        goto rollback;
    }
    free(m);
    return ERR_OK;
rollback:
    exec1(db, "ROLLBACK", NULL);
    free(m);
    return e;
}

/* ---- the store ---- */

static enum err pg_open(const char *uri, bool create, struct store **out, struct store_conn **first,
                        char **errmsg)
{
    PGconn *db = db_connect(uri, errmsg);
    if (db == NULL)
        return ERR_UNAVAILABLE;
    enum err e = migrate(db, create, errmsg);
    if (e != ERR_OK) {
        PQfinish(db);
        return e;
    }
    struct pg_store *st = xcalloc(1, sizeof(*st));
    st->base.ops = &pg_backend;
    st->uri = xstrdup(uri);
    /* The opening thread's connection: preparing every statement now makes
     * a broken one fail here, at start. */
    struct pg_conn *c = conn_make(st, db, errmsg);
    if (c == NULL) {
        pg_close(&st->base);
        return ERR_INTERNAL;
    }
    *out = &st->base;
    *first = &c->base;
    return ERR_OK;
}

static void pg_close(struct store *base)
{
    struct pg_store *st = (struct pg_store *)base;
    free(st->uri);
    free(st);
}

/* Erasure (backend_ops.wipe). An UPDATE leaves the old row version in
 * the table until VACUUM: WIPE_VACUUM runs it on the tables an erasure
 * writes (autovacuum does it too, later). The old versions in archived
 * WAL and in backups are beyond it: the per-case key covers those. */
static bool pg_wipe(struct store_conn *base, enum wipe_step step)
{
    struct pg_conn *c = PC(base);
    if (step != WIPE_VACUUM)
        return true;
    if (c->broken || c->in_tx)
        return false;
    return exec1(c->db,
                 "VACUUM cases, survivor, survivor_key, case_event, incident, note, task, consent,"
                 " referral, referral_event, idempotency",
                 NULL);
}

/* A bulk load (backend_ops.bulk): commits that do not wait for the log's
 * flush; off waits for it again (and for everything before). */
static bool pg_bulk(struct store_conn *base, bool on)
{
    struct pg_conn *c = PC(base);
    if (c->broken || c->in_tx)
        return false;
    return exec1(c->db, on ? "SET synchronous_commit = off" : "SET synchronous_commit = on",
                 NULL) &&
           (on || exec1(c->db, "SELECT pg_catalog.txid_current()", NULL));
}

/* Bulk indexes (backend_ops.bulk_indexes): kept (nothing to do). */
static bool pg_bulk_indexes(struct store_conn *base, const char *const *tables, bool drop)
{
    (void)base;
    (void)tables;
    (void)drop;
    return true;
}

const struct backend_ops pg_backend = {
    .name = "postgres",
    .stmts = pg_stmts,
    .param = '$',
    .open = pg_open,
    .close = pg_close,
    .conn_open = pg_conn_open,
    .conn_close = pg_conn_close,
    .get = pg_get,
    .bind_text = pg_bind_text,
    .bind_int = pg_bind_int,
    .bind_blob = pg_bind_blob,
    .bind_null = pg_bind_null,
    .step = pg_step,
    .done = pg_done,
    .changes = pg_changes,
    .in_tx = pg_in_tx,
    .col_null = pg_col_null,
    .col_text = pg_col_text,
    .col_int = pg_col_int,
    .col_blob = pg_col_blob,
    .col_bytes = pg_col_bytes,
    .col_name = pg_col_name,
    .col_count = pg_col_count,
    .retry_advised = pg_retry_advised,
    .wipe = pg_wipe,
    .bulk = pg_bulk,
    .bulk_indexes = pg_bulk_indexes,
    .prepare = pg_prepare,
    .finalize = pg_finalize,
    .col_type = pg_col_type,
};
