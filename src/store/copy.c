/* Copying a whole database into another (store.h's store_copy), whatever
 * the two backends: the tables and columns come from each database's
 * catalog (STMT_COPY_COLUMNS, STMT_COPY_REFERENCES), the rows go through
 * a SELECT and an INSERT built from those names, value by value with its
 * type (NULL, integer, text, blob). No value is ever logged or put in a
 * message. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_int.h"
#include "util/alloc.h"

#define PROGRESS_EVERY 500 /* rows between two progress reports */

struct table {
    char name[TABLE_NAME_SIZE];
    char **cols;
    int ncols;
    int identity;   /* the index of its identity column, -1 when none */
    char *self_col; /* a column referring to this table itself, or NULL */
    char *self_ref; /* the column it refers to */
    char **refs;    /* the other tables it refers to */
    size_t nrefs;
    bool placed; /* schema_order(): already in the order */
};

struct schema {
    struct table *t;
    size_t n;
};

/* Tables the migrations fill: a target holds no data while their rows are
 * as the migrations left them (pristine); the copy replaces them. */
static const struct {
    const char *table;
    const char *pristine; /* a condition every row meets before any use */
} prefilled[] = {
    {"audit_head", "chain = 'main' AND seq = 0 AND hash IS NULL"},
    {"report_generation", "id = 1 AND gen = 0 AND built = 1"},
};

static const char *prefilled_pristine(const char *table)
{
    for (size_t i = 0; i < sizeof prefilled / sizeof prefilled[0]; i++)
        if (strcmp(prefilled[i].table, table) == 0)
            return prefilled[i].pristine;
    return NULL;
}

/* ---- the schema ---- */

/* Names are put into SQL (quoted): only those of cbpn's schema's shape. */
bool store_name_ok(const char *s)
{
    if (s == NULL || s[0] == '\0' || strlen(s) >= TABLE_NAME_SIZE || (s[0] >= '0' && s[0] <= '9'))
        return false;
    for (const char *p = s; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_'))
            return false;
    return true;
}

static void table_free(struct table *t)
{
    for (int i = 0; i < t->ncols; i++)
        free(t->cols[i]);
    free(t->cols);
    for (size_t i = 0; i < t->nrefs; i++)
        free(t->refs[i]);
    free(t->refs);
    free(t->self_col);
    free(t->self_ref);
}

static void schema_free(struct schema *sc)
{
    for (size_t i = 0; i < sc->n; i++)
        table_free(&sc->t[i]);
    free(sc->t);
    sc->t = NULL;
    sc->n = 0;
}

static struct table *schema_find(const struct schema *sc, const char *name)
{
    for (size_t i = 0; i < sc->n; i++)
        if (strcmp(sc->t[i].name, name) == 0)
            return &sc->t[i];
    return NULL;
}

static int col_find(const struct table *t, const char *name)
{
    for (int i = 0; i < t->ncols; i++)
        if (strcmp(t->cols[i], name) == 0)
            return i;
    return -1;
}

/* The tables and their columns, in the catalog's order. */
static enum err columns_read(struct store_conn *c, struct schema *sc, char **errmsg)
{
    struct stmt *s = stmt_get(c, STMT_COPY_COLUMNS);
    size_t cap = 0;
    bool row;
    enum err e;
    while ((e = stmt_step(s, &row)) == ERR_OK && row) {
        const char *tn = stmt_col_text(s, 0), *cn = stmt_col_text(s, 1);
        if (!store_name_ok(tn) || !store_name_ok(cn)) {
            *errmsg = xstrdup("the database has a table or column name cbpn does not use");
            stmt_done(s);
            return ERR_INTERNAL;
        }
        struct table *t = sc->n > 0 ? &sc->t[sc->n - 1] : NULL;
        if (t == NULL || strcmp(t->name, tn) != 0) {
            if (schema_find(sc, tn) != NULL) {
                *errmsg = xasprintf("the columns of table %s are not listed together", tn);
                stmt_done(s);
                return ERR_INTERNAL;
            }
            t = list_push((void **)&sc->t, &sc->n, &cap, sizeof(*t));
            str_copy(t->name, sizeof t->name, tn);
            t->identity = -1;
        }
        if (stmt_col_int(s, 2) != 0)
            t->identity = t->ncols;
        t->cols = xrealloc(t->cols, (size_t)(t->ncols + 1) * sizeof(*t->cols));
        t->cols[t->ncols++] = xstrdup(cn);
    }
    stmt_done(s);
    if (e != ERR_OK)
        *errmsg = xstrdup("cannot read the tables of the database");
    return e;
}

/* Which tables each table refers to. */
static enum err references_read(struct store_conn *c, struct schema *sc, char **errmsg)
{
    struct stmt *s = stmt_get(c, STMT_COPY_REFERENCES);
    bool row;
    enum err e;
    while ((e = stmt_step(s, &row)) == ERR_OK && row) {
        const char *tn = stmt_col_text(s, 0), *cn = stmt_col_text(s, 1);
        const char *rn = stmt_col_text(s, 2), *rc = stmt_col_text(s, 3);
        struct table *t = tn != NULL ? schema_find(sc, tn) : NULL;
        if (t == NULL || rn == NULL || schema_find(sc, rn) == NULL)
            continue; /* schema_migration's, or none of ours */
        if (strcmp(rn, tn) == 0) {
            if (t->self_col != NULL || !store_name_ok(cn) || !store_name_ok(rc)) {
                *errmsg = xasprintf("cannot order the rows of table %s: it refers to itself "
                                    "other than by one named column",
                                    tn);
                stmt_done(s);
                return ERR_INTERNAL;
            }
            t->self_col = xstrdup(cn);
            t->self_ref = xstrdup(rc);
            continue;
        }
        t->refs = xrealloc(t->refs, (t->nrefs + 1) * sizeof(*t->refs));
        t->refs[t->nrefs++] = xstrdup(rn);
    }
    stmt_done(s);
    if (e != ERR_OK)
        *errmsg = xstrdup("cannot read the references between the tables of the database");
    return e;
}

/* Puts every table after the tables it refers to, keeping the catalog's
 * order where references allow. false on a cycle. */
static bool schema_order(struct schema *sc)
{
    struct table *order = xcalloc(sc->n > 0 ? sc->n : 1, sizeof(*order));
    size_t done = 0;
    while (done < sc->n) {
        bool moved = false;
        for (size_t i = 0; i < sc->n; i++) {
            struct table *t = &sc->t[i];
            if (t->placed)
                continue;
            bool ready = true;
            for (size_t k = 0; k < t->nrefs && ready; k++)
                ready = schema_find(sc, t->refs[k])->placed;
            if (ready) {
                t->placed = true;
                order[done++] = *t;
                moved = true;
                break; /* from the first again: the catalog's order */
            }
        }
        if (!moved) {
            free(order);
            return false;
        }
    }
    free(sc->t);
    sc->t = order;
    return true;
}

/* The schema of c's database, its tables in copy order. */
static enum err schema_read(struct store_conn *c, struct schema *sc, char **errmsg)
{
    memset(sc, 0, sizeof *sc);
    enum err e = columns_read(c, sc, errmsg);
    if (e == ERR_OK)
        e = references_read(c, sc, errmsg);
    if (e == ERR_OK && !schema_order(sc)) {
        *errmsg = xstrdup("cannot order the tables of the database: their references form a cycle");
        e = ERR_INTERNAL;
    }
    if (e != ERR_OK)
        schema_free(sc);
    return e;
}

/* The same tables with the same columns (in any order) on both sides. */
static enum err schema_match(const struct schema *from, const struct schema *to, char **errmsg)
{
    for (size_t i = 0; i < to->n; i++) {
        if (schema_find(from, to->t[i].name) == NULL) {
            *errmsg = xasprintf("table %s of the target is not in the source", to->t[i].name);
            return ERR_INTERNAL;
        }
    }
    for (size_t i = 0; i < from->n; i++) {
        const struct table *a = &from->t[i], *b = schema_find(to, a->name);
        if (b == NULL) {
            *errmsg = xasprintf("table %s of the source is not in the target", a->name);
            return ERR_INTERNAL;
        }
        if (a->ncols != b->ncols) {
            *errmsg = xasprintf("table %s has %d columns in the source, %d in the target", a->name,
                                a->ncols, b->ncols);
            return ERR_INTERNAL;
        }
        for (int k = 0; k < a->ncols; k++) {
            if (col_find(b, a->cols[k]) < 0) {
                *errmsg = xasprintf("column %s.%s of the source is not in the target", a->name,
                                    a->cols[k]);
                return ERR_INTERNAL;
            }
        }
    }
    return ERR_OK;
}

/* ---- statements built from the schema ---- */

struct sql {
    char *p;
    size_t len, cap;
};

static void sql_add(struct sql *q, const char *s)
{
    size_t n = strlen(s);
    if (q->len + n + 1 > q->cap) {
        q->cap = (q->len + n + 1) * 2;
        q->p = xrealloc(q->p, q->cap);
    }
    memcpy(q->p + q->len, s, n + 1);
    q->len += n;
}

/* Adds "prefix"."name" (prefix NULL: "name"). */
static void sql_name(struct sql *q, const char *prefix, const char *name)
{
    if (prefix != NULL) {
        sql_add(q, prefix);
        sql_add(q, ".");
    }
    sql_add(q, "\"");
    sql_add(q, name);
    sql_add(q, "\"");
}

static void sql_columns(struct sql *q, const struct table *t, const char *prefix)
{
    for (int i = 0; i < t->ncols; i++) {
        if (i > 0)
            sql_add(q, ", ");
        sql_name(q, prefix, t->cols[i]);
    }
}

/* Every row of t, its columns in t's order; parents before children when t
 * refers to itself (a row is reached from a root, depth by depth). */
static char *sql_select(const struct table *t)
{
    struct sql q = {0};
    if (t->self_col == NULL) {
        sql_add(&q, "SELECT ");
        sql_columns(&q, t, NULL);
        sql_add(&q, " FROM ");
        sql_name(&q, NULL, t->name);
        return q.p;
    }
    sql_add(&q, "WITH RECURSIVE copy_depth (k, depth) AS (SELECT ");
    sql_name(&q, NULL, t->self_ref);
    sql_add(&q, ", 0 FROM ");
    sql_name(&q, NULL, t->name);
    sql_add(&q, " WHERE ");
    sql_name(&q, NULL, t->self_col);
    sql_add(&q, " IS NULL UNION ALL SELECT ");
    sql_name(&q, "t", t->self_ref);
    sql_add(&q, ", d.depth + 1 FROM ");
    sql_name(&q, NULL, t->name);
    sql_add(&q, " t JOIN copy_depth d ON ");
    sql_name(&q, "t", t->self_col);
    sql_add(&q, " = d.k) SELECT ");
    sql_columns(&q, t, "t");
    sql_add(&q, " FROM ");
    sql_name(&q, NULL, t->name);
    sql_add(&q, " t JOIN copy_depth d ON ");
    sql_name(&q, "t", t->self_ref);
    sql_add(&q, " = d.k ORDER BY d.depth");
    return q.p;
}

/* An INSERT of one row of t, its columns in t's order. */
static char *sql_insert(const struct table *t, char param)
{
    struct sql q = {0};
    char p[16];
    sql_add(&q, "INSERT INTO ");
    sql_name(&q, NULL, t->name);
    sql_add(&q, " (");
    sql_columns(&q, t, NULL);
    sql_add(&q, ") VALUES (");
    for (int i = 0; i < t->ncols; i++) {
        snprintf(p, sizeof p, "%s%c%d", i > 0 ? ", " : "", param, i + 1);
        sql_add(&q, p);
    }
    sql_add(&q, ")");
    return q.p;
}

/* Runs sql, a statement without parameters; *value, when given, gets the
 * first column of its first row as an integer. */
static enum err run(struct store_conn *c, const char *sql, int64_t *value)
{
    struct stmt *s = stmt_prepare(c, sql);
    if (s == NULL)
        return ERR_INTERNAL;
    bool row;
    enum err e = stmt_step(s, &row);
    if (e == ERR_OK && value != NULL)
        *value = row ? stmt_col_int(s, 0) : 0;
    while (e == ERR_OK && row)
        e = stmt_step(s, &row);
    stmt_done(s);
    stmt_finalize(s);
    return e;
}

/* The rows of table (where: NULL, or a condition they must not meet). */
static enum err count_rows(struct store_conn *c, const char *table, const char *unless, int64_t *n)
{
    struct sql q = {0};
    sql_add(&q, "SELECT count(*) FROM ");
    sql_name(&q, NULL, table);
    if (unless != NULL) {
        sql_add(&q, " WHERE NOT (");
        sql_add(&q, unless);
        sql_add(&q, ")");
    }
    enum err e = run(c, q.p, n);
    free(q.p);
    return e;
}

/* ---- the copy ---- */

/* Binds column i of rd's row to parameter i + 1 of wr, as it is. */
static enum err value_copy(struct stmt *rd, struct stmt *wr, const struct table *t, int i,
                           int64_t *max, char **errmsg)
{
    const char *why = NULL;
    size_t len = 0;
    switch (stmt_col_type(rd, i)) {
    case COL_NULL:
        stmt_null(wr, i + 1);
        return ERR_OK;
    case COL_INT: {
        int64_t v = stmt_col_int(rd, i);
        if (i == t->identity && v > *max)
            *max = v;
        stmt_int(wr, i + 1, v);
        return ERR_OK;
    }
    case COL_TEXT: {
        const char *v = stmt_col_text(rd, i);
        len = stmt_col_bytes(rd, i);
        if (v != NULL && strlen(v) == len) {
            stmt_text(wr, i + 1, v);
            return ERR_OK;
        }
        why = "a text with a NUL byte inside";
        break;
    }
    case COL_BLOB: {
        const unsigned char *p = stmt_col_blob(rd, i, &len);
        if (p != NULL && len > 0)
            stmt_blob(wr, i + 1, p, len);
        else /* a NOT NULL sealed column an erasure wiped (store_case_erase) */
            stmt_blob_empty(wr, i + 1);
        return ERR_OK;
    }
    default:
        why = "a value of a type cbpn does not write";
        break;
    }
    *errmsg = xasprintf("column %s.%s holds %s; nothing copied", t->name, t->cols[i], why);
    return ERR_INTERNAL;
}

/* Copies every row of t from src to dst; *copied: how many. */
static enum err table_copy(struct store_conn *src, struct store_conn *dst, const struct table *t,
                           store_copy_progress progress, void *arg, int64_t *copied, char **errmsg)
{
    int64_t total = 0, n = 0, max = 0;
    char *rsql = NULL, *wsql = NULL;
    struct stmt *rd = NULL, *wr = NULL;
    enum err e = count_rows(src, t->name, NULL, &total);
    if (e != ERR_OK) {
        *errmsg = xasprintf("cannot count the rows of table %s", t->name);
        return e;
    }
    rsql = sql_select(t);
    wsql = sql_insert(t, dst->ops->param);
    rd = stmt_prepare(src, rsql);
    wr = stmt_prepare(dst, wsql);
    if (rd == NULL || wr == NULL) {
        *errmsg = xasprintf("cannot prepare the copy of table %s", t->name);
        e = ERR_INTERNAL;
        goto out;
    }
    if (progress != NULL && total > 0)
        progress(arg, t->name, 0, total);
    bool row;
    while ((e = stmt_step(rd, &row)) == ERR_OK && row) {
        for (int i = 0; i < t->ncols && e == ERR_OK; i++)
            e = value_copy(rd, wr, t, i, &max, errmsg);
        if (e == ERR_OK && (e = stmt_exec(wr)) != ERR_OK)
            *errmsg = xasprintf("cannot write a row of table %s (%s)", t->name, err_message(e));
        if (e != ERR_OK) {
            stmt_done(wr);
            break;
        }
        if (++n % PROGRESS_EVERY == 0 && n < total && progress != NULL)
            progress(arg, t->name, n, total);
    }
    stmt_done(rd);
    if (e != ERR_OK) {
        if (*errmsg == NULL)
            *errmsg = xasprintf("cannot read the rows of table %s", t->name);
        goto out;
    }
    if (n != total) {
        *errmsg =
            xasprintf("table %s: %lld rows read of %lld", t->name, (long long)n, (long long)total);
        e = ERR_INTERNAL;
        goto out;
    }
    if (t->identity >= 0 && n > 0) {
        struct stmt *s = stmt_get(dst, STMT_COPY_SEQUENCE);
        stmt_text(s, 1, t->name);
        stmt_text(s, 2, t->cols[t->identity]);
        stmt_int(s, 3, max);
        if ((e = stmt_exec(s)) != ERR_OK) {
            *errmsg =
                xasprintf("cannot move the identity of %s.%s on", t->name, t->cols[t->identity]);
            goto out;
        }
    }
    if (progress != NULL)
        progress(arg, t->name, n, total);
    *copied = n;
out:
    stmt_finalize(rd);
    stmt_finalize(wr);
    free(rsql);
    free(wsql);
    return e;
}

/* ERR_CONFLICT when any table of dst holds a row its migrations did not
 * put there, or one of those changed. */
static enum err target_empty(struct store_conn *dst, const struct schema *sc, char **errmsg)
{
    for (size_t i = 0; i < sc->n; i++) {
        int64_t n = 0;
        enum err e = count_rows(dst, sc->t[i].name, prefilled_pristine(sc->t[i].name), &n);
        if (e != ERR_OK) {
            *errmsg = xasprintf("cannot count the rows of table %s of the target", sc->t[i].name);
            return e;
        }
        if (n > 0) {
            *errmsg = xasprintf("the target holds data (table %s has %lld rows); give an empty "
                                "database",
                                sc->t[i].name, (long long)n);
            return ERR_CONFLICT;
        }
    }
    return ERR_OK;
}

/* Removes the rows the target's migrations put in (checked pristine). */
static enum err prefilled_clear(struct store_conn *dst, char **errmsg)
{
    for (size_t i = 0; i < sizeof prefilled / sizeof prefilled[0]; i++) {
        struct sql q = {0};
        sql_add(&q, "DELETE FROM ");
        sql_name(&q, NULL, prefilled[i].table);
        enum err e = run(dst, q.p, NULL);
        free(q.p);
        if (e != ERR_OK) {
            *errmsg = xasprintf("cannot clear table %s of the target", prefilled[i].table);
            return e;
        }
    }
    return ERR_OK;
}

/* A read-only transaction on one snapshot; ended by store_rollback(). */
static enum err begin_read(struct store_conn *c)
{
    enum err e = stmt_exec(stmt_get(c, STMT_BEGIN_READ));
    if (e == ERR_OK)
        *conn_tx(c) = (struct tx_state){.depth = 1, .doomed = false};
    return e;
}

enum err store_copy(struct store *from, struct store *to, store_copy_progress progress, void *arg,
                    struct table_count **counts, size_t *ncounts, char **errmsg)
{
    struct schema ssc = {0}, dsc = {0};
    struct store_conn *src = store_conn(from), *dst = store_conn(to);
    bool reading = false, writing = false;
    enum err e = ERR_UNAVAILABLE;
    *counts = NULL;
    *ncounts = 0;
    *errmsg = NULL;
    if (src == NULL || dst == NULL) {
        *errmsg = xstrdup("cannot connect to both databases");
        return e;
    }
    int sv = store_schema_version(src), dv = store_schema_version(dst);
    if (sv < 0 || sv != dv) {
        *errmsg = xasprintf("the source is at schema %d, the target at %d", sv, dv);
        return ERR_INTERNAL;
    }
    if ((e = begin_read(src)) != ERR_OK) {
        *errmsg = xstrdup("cannot begin reading the source");
        goto out;
    }
    reading = true;
    if ((e = store_begin(dst)) != ERR_OK) {
        *errmsg = xstrdup("cannot begin writing the target");
        goto out;
    }
    writing = true;
    if ((e = schema_read(src, &ssc, errmsg)) != ERR_OK ||
        (e = schema_read(dst, &dsc, errmsg)) != ERR_OK ||
        (e = schema_match(&ssc, &dsc, errmsg)) != ERR_OK ||
        (e = target_empty(dst, &dsc, errmsg)) != ERR_OK ||
        (e = prefilled_clear(dst, errmsg)) != ERR_OK)
        goto out;
    *counts = xcalloc(ssc.n > 0 ? ssc.n : 1, sizeof(**counts));
    for (size_t i = 0; i < ssc.n; i++) {
        struct table_count *tc = &(*counts)[i];
        struct table *t = &ssc.t[i];
        const struct table *d = schema_find(&dsc, t->name);
        /* The target's identity is the one to move on (the source may be
         * SQLite, which has none). */
        t->identity = d->identity >= 0 ? col_find(t, d->cols[d->identity]) : -1;
        str_copy(tc->table, sizeof tc->table, t->name);
        e = table_copy(src, dst, t, progress, arg, &tc->rows, errmsg);
        if (e != ERR_OK)
            goto out;
    }
    writing = false;
    if ((e = store_commit(dst)) != ERR_OK) {
        *errmsg = xasprintf("cannot commit the copy (%s); nothing is written", err_message(e));
        goto out;
    }
    *ncounts = ssc.n;
out:
    if (writing)
        store_rollback(dst);
    if (reading)
        store_rollback(src);
    if (e != ERR_OK) {
        free(*counts);
        *counts = NULL;
    }
    schema_free(&ssc);
    schema_free(&dsc);
    return e;
}

enum err store_table_counts(struct store *st, struct table_count **counts, size_t *n, char **errmsg)
{
    struct schema sc = {0};
    struct store_conn *c = store_conn(st);
    *counts = NULL;
    *n = 0;
    *errmsg = NULL;
    if (c == NULL) {
        *errmsg = xstrdup("cannot connect to the database");
        return ERR_UNAVAILABLE;
    }
    enum err e = begin_read(c);
    if (e != ERR_OK) {
        *errmsg = xstrdup("cannot begin reading the database");
        return e;
    }
    if ((e = schema_read(c, &sc, errmsg)) != ERR_OK)
        goto out;
    *counts = xcalloc(sc.n > 0 ? sc.n : 1, sizeof(**counts));
    for (size_t i = 0; i < sc.n; i++) {
        str_copy((*counts)[i].table, TABLE_NAME_SIZE, sc.t[i].name);
        if ((e = count_rows(c, sc.t[i].name, NULL, &(*counts)[i].rows)) != ERR_OK) {
            *errmsg = xasprintf("cannot count the rows of table %s", sc.t[i].name);
            free(*counts);
            *counts = NULL;
            goto out;
        }
    }
    *n = sc.n;
out:
    store_rollback(c);
    schema_free(&sc);
    return e;
}
