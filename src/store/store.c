/* What every backend shares: the per-thread connections of a store,
 * transactions, settings, and the helpers the record functions use, all
 * over the query interface of store_int.h. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_int.h"
#include "util/alloc.h"
#include "util/embed.h"
#include "util/log.h"

/* ---- the connection registry ---- */

static void conn_register(struct store *st, struct store_conn *c)
{
    pthread_mutex_lock(&st->mu);
    c->next = st->conns;
    st->conns = c;
    pthread_mutex_unlock(&st->mu);
    pthread_setspecific(st->key, c);
}

/* Thread exit: the thread's connection goes with it. */
static void conn_release(void *p)
{
    struct store_conn *c = p;
    struct store *st = c->store;
    pthread_mutex_lock(&st->mu);
    for (struct store_conn **pp = &st->conns; *pp != NULL; pp = &(*pp)->next) {
        if (*pp == c) {
            *pp = c->next;
            break;
        }
    }
    pthread_mutex_unlock(&st->mu);
    rc_free(c);
    c->ops->conn_close(c);
}

/* ---- the backends ---- */

static bool is_postgres(const char *uri)
{
    return strncmp(uri, "postgres://", 11) == 0 || strncmp(uri, "postgresql://", 13) == 0;
}

enum err store_open(const char *uri, bool create, struct store **out, char **errmsg)
{
    *out = NULL;
    *errmsg = NULL;
    if (uri == NULL || uri[0] == '\0') {
        *errmsg = xstrdup("no database given");
        return ERR_INTERNAL;
    }
    const struct backend_ops *ops = &sqlite_backend;
    if (is_postgres(uri))
        ops = &pg_backend;
    struct store *st = NULL;
    struct store_conn *first = NULL;
    enum err e = ops->open(uri, create, &st, &first, errmsg);
    if (e != ERR_OK)
        return e;
    pthread_mutex_init(&st->mu, NULL);
    if (pthread_key_create(&st->key, conn_release) != 0) {
        *errmsg = xstrdup("cannot create a thread key");
        pthread_mutex_destroy(&st->mu);
        ops->conn_close(first);
        ops->close(st);
        return ERR_INTERNAL;
    }
    st->conns = NULL;
    conn_register(st, first);
    *out = st;
    return ERR_OK;
}

bool store_is_uri(const char *db)
{
    return db != NULL && is_postgres(db);
}

void store_close(struct store *st)
{
    if (st == NULL)
        return;
    pthread_setspecific(st->key, NULL);
    pthread_key_delete(st->key);
    pthread_mutex_lock(&st->mu);
    struct store_conn *c = st->conns;
    st->conns = NULL;
    pthread_mutex_unlock(&st->mu);
    while (c != NULL) {
        struct store_conn *next = c->next;
        rc_free(c);
        c->ops->conn_close(c);
        c = next;
    }
    pthread_mutex_destroy(&st->mu);
    st->ops->close(st);
}

struct store_conn *store_conn(struct store *st)
{
    struct store_conn *c = pthread_getspecific(st->key);
    if (c != NULL)
        return c;
    char *errmsg = NULL;
    if (!st->ops->conn_open(st, &c, &errmsg)) {
        log_error("store: cannot open a connection: %s", errmsg);
        free(errmsg);
        return NULL;
    }
    conn_register(st, c);
    return c;
}

bool store_retry_advised(struct store_conn *c)
{
    return c != NULL && c->ops->retry_advised(c);
}

const char *store_backend_name(const struct store *st)
{
    return st->ops->name;
}

/* ---- the query interface, through the backend's table ---- */

struct stmt *stmt_get(struct store_conn *c, enum stmt_id id)
{
    return c->ops->get(c, id);
}

struct store_conn *stmt_conn(struct stmt *s)
{
    return s->conn;
}

void stmt_text(struct stmt *s, int i, const char *v)
{
    if (v == NULL)
        s->conn->ops->bind_null(s, i);
    else
        s->conn->ops->bind_text(s, i, v);
}

void stmt_opt_text(struct stmt *s, int i, const char *v)
{
    stmt_text(s, i, v != NULL && v[0] != '\0' ? v : NULL);
}

void stmt_int(struct stmt *s, int i, int64_t v)
{
    s->conn->ops->bind_int(s, i, v);
}

void stmt_bool(struct stmt *s, int i, bool v)
{
    stmt_int(s, i, v ? 1 : 0);
}

void stmt_blob(struct stmt *s, int i, const void *p, size_t len)
{
    if (p == NULL || len == 0)
        s->conn->ops->bind_null(s, i);
    else
        s->conn->ops->bind_blob(s, i, p, len);
}

void stmt_blob_empty(struct stmt *s, int i)
{
    s->conn->ops->bind_blob(s, i, "", 0);
}

void stmt_null(struct stmt *s, int i)
{
    s->conn->ops->bind_null(s, i);
}

enum err stmt_step(struct stmt *s, bool *row)
{
    return s->conn->ops->step(s, row);
}

void stmt_done(struct stmt *s)
{
    if (s != NULL)
        s->conn->ops->done(s);
}

enum err stmt_exec(struct stmt *s)
{
    bool row = true;
    enum err e = ERR_OK;
    while (e == ERR_OK && row)
        e = stmt_step(s, &row);
    stmt_done(s);
    return e;
}

int64_t stmt_changes(struct store_conn *c)
{
    return c->ops->changes(c);
}

struct tx_state *conn_tx(struct store_conn *c)
{
    return &c->tx;
}

bool conn_in_tx(struct store_conn *c)
{
    return c->ops->in_tx(c);
}

bool stmt_col_null(struct stmt *s, int i)
{
    return s->conn->ops->col_null(s, i);
}

const char *stmt_col_text(struct stmt *s, int i)
{
    return s->conn->ops->col_text(s, i);
}

int64_t stmt_col_int(struct stmt *s, int i)
{
    return s->conn->ops->col_int(s, i);
}

const unsigned char *stmt_col_blob(struct stmt *s, int i, size_t *len)
{
    return s->conn->ops->col_blob(s, i, len);
}

size_t stmt_col_bytes(struct stmt *s, int i)
{
    return s->conn->ops->col_bytes(s, i);
}

const char *stmt_col_name(struct stmt *s, int i)
{
    return s->conn->ops->col_name(s, i);
}

int stmt_col_count(struct stmt *s)
{
    return s->conn->ops->col_count(s);
}

enum col_type stmt_col_type(struct stmt *s, int i)
{
    return s->conn->ops->col_type(s, i);
}

struct stmt *stmt_prepare(struct store_conn *c, const char *sql)
{
    return c->ops->prepare(c, sql);
}

void stmt_finalize(struct stmt *s)
{
    if (s != NULL)
        s->conn->ops->finalize(s);
}

/* ---- migrations ---- */

static int name_cmp(const void *a, const void *b)
{
    const struct embedded_file *const *x = a;
    const struct embedded_file *const *y = b;
    return strcmp((*x)->name, (*y)->name);
}

/* The version a migration's file name starts with ("0001_init.sql" -> 1),
 * or -1. */
static int migration_version(const char *dir, const char *name)
{
    const char *base = name + strlen(dir);
    int v = 0;
    const char *p = base;
    for (; *p >= '0' && *p <= '9'; p++) {
        v = v * 10 + (*p - '0');
        if (v > 1000000)
            return -1;
    }
    if (p == base || *p != '_' || v < 1)
        return -1;
    return v;
}

enum err store_migrations(const char *dir, const struct embedded_file ***out, int *known,
                          char **errmsg)
{
    size_t n = 0;
    const struct embedded_file **m = xcalloc(embedded_count + 1, sizeof(*m));
    for (unsigned long i = 0; i < embedded_count; i++) {
        const char *name = embedded_files[i].name;
        size_t len = strlen(name);
        if (strncmp(name, dir, strlen(dir)) == 0 && len > 4 && strcmp(name + len - 4, ".sql") == 0)
            m[n++] = &embedded_files[i];
    }
    qsort(m, n, sizeof(*m), name_cmp);
    *known = 0;
    for (size_t i = 0; i < n; i++) {
        int v = migration_version(dir, m[i]->name);
        if (v != (int)i + 1) {
            *errmsg = xasprintf("internal error: migration %s is out of sequence", m[i]->name);
            free(m);
            *out = NULL;
            return ERR_INTERNAL;
        }
        *known = v;
    }
    *out = m;
    return ERR_OK;
}

/* ---- helpers ---- */

void str_copy(char *dst, size_t size, const char *src)
{
    if (size == 0)
        return;
    size_t n = src != NULL ? strlen(src) : 0;
    if (n >= size)
        n = size - 1;
    if (n > 0)
        memcpy(dst, src, n);
    dst[n] = '\0';
}

void col_copy(struct stmt *s, int i, char *dst, size_t size)
{
    str_copy(dst, size, stmt_col_text(s, i));
}

char *col_dup(struct stmt *s, int i)
{
    const char *t = stmt_col_text(s, i);
    return t != NULL ? xstrdup(t) : NULL;
}

bool col_fits(struct stmt *s, int i, size_t size)
{
    const char *t = stmt_col_text(s, i);
    if (t == NULL)
        return true;
    size_t n = stmt_col_bytes(s, i);
    return n < size && strlen(t) == n;
}

void col_blob(struct stmt *s, int i, struct blob *b)
{
    size_t len;
    const unsigned char *p = stmt_col_blob(s, i, &len);
    b->p = NULL;
    b->len = 0;
    if (p != NULL && len > 0) {
        b->p = xmalloc(len);
        memcpy(b->p, p, len);
        b->len = len;
    }
}

enum err stmt_exec_versioned(struct stmt *s)
{
    struct store_conn *c = stmt_conn(s);
    enum err e = stmt_exec(s);
    if (e == ERR_OK && stmt_changes(c) != 1)
        return ERR_CONFLICT;
    return e;
}

enum err stmt_one(struct stmt *s)
{
    bool row;
    enum err e = stmt_step(s, &row);
    if (e != ERR_OK)
        return e;
    if (!row) {
        stmt_done(s);
        return ERR_NOT_FOUND;
    }
    return ERR_OK;
}

void *list_push(void **items, size_t *n, size_t *cap, size_t elem)
{
    if (*n == *cap) {
        *cap = *cap ? *cap * 2 : 16;
        *items = xrealloc(*items, *cap * elem);
    }
    unsigned char *slot = (unsigned char *)*items + *n * elem;
    memset(slot, 0, elem);
    (*n)++;
    return slot;
}

int store_schema_version(struct store_conn *c)
{
    struct stmt *s = stmt_get(c, STMT_SCHEMA_VERSION);
    if (stmt_one(s) != ERR_OK)
        return -1;
    int v = (int)stmt_col_int(s, 0);
    stmt_done(s);
    return v;
}

/* The end of a transaction that wiped: the backend's WIPE_END. */
static void wipe_end(struct store_conn *c)
{
    struct tx_state *t = conn_tx(c);
    if (!t->wiping)
        return;
    t->wiping = false;
    t->settled = c->ops->wipe(c, WIPE_END);
}

enum err store_wipe_begin(struct store_conn *c)
{
    struct tx_state *t = conn_tx(c);
    if (t->depth < 1)
        return ERR_INTERNAL;
    if (!t->wiping && !c->ops->wipe(c, WIPE_BEGIN))
        return ERR_INTERNAL;
    t->wiping = true;
    t->settled = false;
    return ERR_OK;
}

bool store_wipe_settled(struct store_conn *c)
{
    return conn_tx(c)->settled;
}

enum err store_bulk_load(struct store_conn *c, bool on)
{
    if (conn_tx(c)->depth > 0)
        return ERR_INTERNAL;
    return c->ops->bulk(c, on) ? ERR_OK : ERR_INTERNAL;
}

enum err store_bulk_indexes(struct store_conn *c, const char *const *tables, bool drop)
{
    if (conn_tx(c)->depth > 0)
        return ERR_INTERNAL;
    return c->ops->bulk_indexes(c, tables, drop) ? ERR_OK : ERR_INTERNAL;
}

enum err store_vacuum_erased(struct store_conn *c)
{
    if (conn_tx(c)->depth > 0)
        return ERR_INTERNAL;
    return c->ops->wipe(c, WIPE_VACUUM) ? ERR_OK : ERR_INTERNAL;
}

enum err store_begin(struct store_conn *c)
{
    struct tx_state *t = conn_tx(c);
    if (t->depth > 0) {
        t->depth++;
        return ERR_OK;
    }
    rc_reset(c);
    enum err e = stmt_exec(stmt_get(c, STMT_BEGIN));
    if (e == ERR_OK)
        *t = (struct tx_state){.depth = 1, .doomed = false, .settled = t->settled};
    return e;
}

enum err store_commit(struct store_conn *c)
{
    struct tx_state *t = conn_tx(c);
    if (t->depth > 1) {
        t->depth--;
        return ERR_OK;
    }
    if (t->depth == 1 && t->doomed) {
        store_rollback(c);
        return ERR_CONFLICT;
    }
    /* The report cells counting what the transaction wrote, before it ends. */
    enum err e = t->depth == 1 ? rc_flush(c) : ERR_OK;
    if (e != ERR_OK) {
        store_rollback(c);
        return e;
    }
    e = stmt_exec(stmt_get(c, STMT_COMMIT));
    if (e == ERR_OK) {
        t->depth = 0;
        if (t->audited)
            atomic_fetch_add(&c->store->audit_commits, 1);
        t->audited = false;
        wipe_end(c);
    }
    return e;
}

uint64_t store_audit_commits(struct store *st)
{
    return atomic_load(&st->audit_commits);
}

enum err store_end(struct store_conn *c, enum err e)
{
    if (e == ERR_OK)
        e = store_commit(c);
    if (e != ERR_OK)
        store_rollback(c);
    return e;
}

bool store_in_tx(struct store_conn *c)
{
    return conn_tx(c)->depth > 0;
}

struct store *store_of(struct store_conn *c)
{
    return c->store;
}

void store_rollback(struct store_conn *c)
{
    if (c == NULL)
        return;
    struct tx_state *t = conn_tx(c);
    if (t->depth > 1) {
        t->depth--;
        t->doomed = true;
        return;
    }
    t->depth = 0;
    t->audited = false;
    rc_reset(c);
    if (conn_in_tx(c))
        stmt_exec(stmt_get(c, STMT_ROLLBACK));
    wipe_end(c);
}

enum err store_ping(struct store_conn *c)
{
    if (c == NULL)
        return ERR_UNAVAILABLE;
    struct stmt *s = stmt_get(c, STMT_PING);
    enum err e = stmt_one(s);
    stmt_done(s);
    return e == ERR_NOT_FOUND ? ERR_INTERNAL : e;
}

enum err store_meta_get(struct store_conn *c, const char *key, char **value)
{
    *value = NULL;
    struct stmt *s = stmt_get(c, STMT_META_GET);
    stmt_text(s, 1, key);
    enum err e = stmt_one(s);
    if (e != ERR_OK)
        return e;
    *value = xstrdup(stmt_col_text(s, 0) != NULL ? stmt_col_text(s, 0) : "");
    stmt_done(s);
    return ERR_OK;
}

enum err store_meta_set(struct store_conn *c, const char *key, const char *value)
{
    struct stmt *s = stmt_get(c, STMT_META_SET);
    stmt_text(s, 1, key);
    stmt_text(s, 2, value != NULL ? value : "");
    return stmt_exec(s);
}

/* ---- column names (store_int.h) ---- */
#define COL_NAME(e, n) [e] = n,
const char *const user_col_names[USER__NCOL] = {USER_COLUMNS(COL_NAME)};
const char *const session_col_names[SESSION__NCOL] = {SESSION_COLUMNS(COL_NAME)};
const char *const org_col_names[ORG__NCOL] = {ORG_COLUMNS(COL_NAME)};
const char *const group_col_names[GROUP__NCOL] = {GROUP_COLUMNS(COL_NAME)};
const char *const member_col_names[MEMBER__NCOL] = {MEMBER_COLUMNS(COL_NAME)};
const char *const service_col_names[SERVICE__NCOL] = {SERVICE_COLUMNS(COL_NAME)};
const char *const outreach_col_names[OUTREACH__NCOL] = {OUTREACH_COLUMNS(COL_NAME)};
const char *const advice_col_names[ADVICE__NCOL] = {ADVICE_COLUMNS(COL_NAME)};
const char *const training_col_names[TRAINING__NCOL] = {TRAINING_COLUMNS(COL_NAME)};
const char *const part_col_names[PART__NCOL] = {PART_COLUMNS(COL_NAME)};
const char *const agency_col_names[AGENCY__NCOL] = {AGENCY_COLUMNS(COL_NAME)};
const char *const agency_import_col_names[AGENCY_IMPORT__NCOL] = {AGENCY_IMPORT_COLUMNS(COL_NAME)};
const char *const location_col_names[LOCATION__NCOL] = {LOCATION_COLUMNS(COL_NAME)};
const char *const audit_col_names[AUDIT__NCOL] = {AUDIT_COLUMNS(COL_NAME)};
const char *const case_col_names[CASE__NCOL] = {CASE_COLUMNS(COL_NAME)};
const char *const survivor_col_names[SURVIVOR__NCOL] = {SURVIVOR_COLUMNS(COL_NAME)};
const char *const match_col_names[MATCH__NCOL] = {MATCH_COLUMNS(COL_NAME)};
const char *const incident_col_names[INCIDENT__NCOL] = {INCIDENT_COLUMNS(COL_NAME)};
const char *const screening_col_names[SCREENING__NCOL] = {SCREENING_COLUMNS(COL_NAME)};
const char *const note_col_names[NOTE__NCOL] = {NOTE_COLUMNS(COL_NAME)};
const char *const task_col_names[TASK__NCOL] = {TASK_COLUMNS(COL_NAME)};
const char *const event_col_names[EVENT__NCOL] = {EVENT_COLUMNS(COL_NAME)};
const char *const idem_col_names[IDEM__NCOL] = {IDEM_COLUMNS(COL_NAME)};
const char *const consent_col_names[CONSENT__NCOL] = {CONSENT_COLUMNS(COL_NAME)};
const char *const referral_col_names[REFERRAL__NCOL] = {REFERRAL_COLUMNS(COL_NAME)};
const char *const refevent_col_names[REFEVENT__NCOL] = {REFEVENT_COLUMNS(COL_NAME)};

const struct col_check store_col_checks[] = {
    {STMT_USER_GET, user_col_names, USER__NCOL - 1},
    {STMT_USER_LIST, user_col_names, USER__NCOL - 1},
    {STMT_USER_BY_USERNAME, user_col_names, USER__NCOL},
    {STMT_SESSION_GET, session_col_names, SESSION__NCOL},
    {STMT_ORG_GET, org_col_names, ORG__NCOL},
    {STMT_ORG_LIST, org_col_names, ORG__NCOL},
    {STMT_GROUP_GET, group_col_names, GROUP__NCOL},
    {STMT_GROUP_LIST, group_col_names, GROUP__NCOL},
    {STMT_MEMBER_LIST, member_col_names, MEMBER__NCOL},
    {STMT_MEMBER_GET, member_col_names, MEMBER__NCOL},
    {STMT_SERVICE_GET, service_col_names, SERVICE__NCOL},
    {STMT_SERVICE_LIST, service_col_names, SERVICE__NCOL},
    {STMT_OUTREACH_GET, outreach_col_names, OUTREACH__NCOL},
    {STMT_OUTREACH_LIST, outreach_col_names, OUTREACH__NCOL},
    {STMT_ADVICE_GET, advice_col_names, ADVICE__NCOL},
    {STMT_ADVICE_LIST, advice_col_names, ADVICE__NCOL},
    {STMT_TRAINING_GET, training_col_names, TRAINING__NCOL},
    {STMT_TRAINING_LIST, training_col_names, TRAINING__NCOL},
    {STMT_TRAINING_OF_MEMBER, training_col_names, TRAINING__NCOL},
    {STMT_TRAINING_PARTS, part_col_names, PART__NCOL},
    {STMT_AGENCY_IMPORT_LAST, agency_import_col_names, AGENCY_IMPORT__NCOL},
    {STMT_AGENCY_BY_LICENCE, agency_col_names, AGENCY__NCOL},
    {STMT_AGENCY_ON, agency_col_names, AGENCY__NCOL},
    {STMT_AGENCY_GET_ON, agency_col_names, AGENCY__NCOL},
    {STMT_AGENCY_HISTORY, agency_col_names, AGENCY__NCOL},
    {STMT_LOCATION_GET, location_col_names, LOCATION__NCOL},
    {STMT_LOCATION_CHILDREN, location_col_names, LOCATION__NCOL},
    {STMT_LOCATION_PROVINCES, location_col_names, LOCATION__NCOL},
    {STMT_LOCATION_ALL, location_col_names, LOCATION__NCOL},
    {STMT_AUDIT_RANGE, audit_col_names, AUDIT__NCOL},
    {STMT_AUDIT_FOR_RECORD, audit_col_names, AUDIT__NCOL},
    {STMT_AUDIT_USER_CHANGES, audit_col_names, AUDIT__NCOL},
    {STMT_CASE_GET, case_col_names, CASE__NCOL},
    {STMT_CASE_LIST_ALL, case_col_names, CASE__NCOL},
    {STMT_CASE_LIST_BY_ORG, case_col_names, CASE__NCOL},
    {STMT_CASE_LIST_BY_GROUP, case_col_names, CASE__NCOL},
    {STMT_CASE_LIST_BY_REPORTER, case_col_names, CASE__NCOL},
    {STMT_CASE_LIST_BY_NAME, case_col_names, CASE__NCOL},
    {STMT_SURVIVOR_GET, survivor_col_names, SURVIVOR__NCOL},
    {STMT_SURVIVOR_MATCH, match_col_names, MATCH__NCOL},
    {STMT_INCIDENT_LIST, incident_col_names, INCIDENT__NCOL},
    {STMT_SCREENING_LIST, screening_col_names, SCREENING__NCOL},
    {STMT_SCREENING_LATEST_BY_AGENCY, screening_col_names, SCREENING__NCOL},
    {STMT_NOTE_GET, note_col_names, NOTE__NCOL},
    {STMT_NOTE_LIST, note_col_names, NOTE__NCOL},
    {STMT_TASK_GET, task_col_names, TASK__NCOL},
    {STMT_TASK_LIST, task_col_names, TASK__NCOL},
    {STMT_TASK_OVERDUE, task_col_names, TASK__NCOL},
    {STMT_CASE_EVENT_LIST, event_col_names, EVENT__NCOL},
    {STMT_IDEM_GET, idem_col_names, IDEM__NCOL},
    {STMT_CASE_BY_CODE, case_col_names, CASE__NCOL},
    {STMT_CONSENT_GET, consent_col_names, CONSENT__NCOL},
    {STMT_CONSENT_LIST, consent_col_names, CONSENT__NCOL},
    {STMT_REFERRAL_GET, referral_col_names, REFERRAL__NCOL},
    {STMT_REFERRAL_LIST, referral_col_names, REFERRAL__NCOL},
    {STMT_REFERRAL_EVENT_LIST, refevent_col_names, REFEVENT__NCOL},
};
const size_t store_ncol_checks = sizeof store_col_checks / sizeof store_col_checks[0];
