/* Snapshots for backups (store.h's store_snapshot) and SQLite's integrity
 * check. */
#include <stdlib.h>
#include <string.h>

#include "store/store_int.h"
#include "util/alloc.h"

static bool is_sqlite(const struct store *st)
{
    return st->ops == &sqlite_backend;
}

enum err store_snapshot(struct store *st, const char *path, char **errmsg)
{
    *errmsg = NULL;
    if (is_sqlite(st)) {
        struct store_conn *c = store_conn(st);
        struct stmt *s = c != NULL ? stmt_prepare(c, "VACUUM INTO ?1") : NULL;
        if (s == NULL) {
            *errmsg = xstrdup("cannot prepare the snapshot of the database");
            return ERR_INTERNAL;
        }
        stmt_text(s, 1, path);
        bool row;
        enum err e = stmt_step(s, &row);
        stmt_done(s);
        stmt_finalize(s);
        if (e != ERR_OK)
            *errmsg = xasprintf("cannot write the snapshot (%s)", err_message(e));
        return e;
    }
    struct store *to = NULL;
    struct table_count *counts = NULL;
    size_t n = 0;
    enum err e = store_open(path, true, &to, errmsg);
    if (e == ERR_OK)
        e = store_copy(st, to, NULL, NULL, &counts, &n, errmsg);
    free(counts);
    store_close(to);
    return e;
}

enum err store_integrity_check(struct store *st, char **errmsg)
{
    *errmsg = NULL;
    if (!is_sqlite(st))
        return ERR_OK;
    struct store_conn *c = store_conn(st);
    struct stmt *s = c != NULL ? stmt_prepare(c, "PRAGMA integrity_check") : NULL;
    if (s == NULL) {
        *errmsg = xstrdup("cannot run the integrity check");
        return ERR_INTERNAL;
    }
    bool row, ok = false;
    int rows = 0;
    enum err e;
    while ((e = stmt_step(s, &row)) == ERR_OK && row) {
        const char *v = stmt_col_text(s, 0);
        ok = rows++ == 0 && v != NULL && strcmp(v, "ok") == 0;
    }
    stmt_done(s);
    stmt_finalize(s);
    if (e != ERR_OK) {
        *errmsg = xasprintf("cannot run the integrity check (%s)", err_message(e));
        return e;
    }
    if (!ok || rows != 1) {
        *errmsg = xstrdup("the SQLite integrity check fails: the file is damaged");
        return ERR_VALIDATION;
    }
    return ERR_OK;
}
