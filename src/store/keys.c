/* The case keys (store.h), and the sealed columns' pages and swaps that a
 * key rotation walks (store_sealed_page, store_sealed_swap). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_int.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/clock.h"

enum err store_case_key_get(struct store_conn *c, const char *case_id, struct blob *out)
{
    memset(out, 0, sizeof *out);
    struct stmt *s = stmt_get(c, STMT_CASE_KEY_GET);
    stmt_text(s, 1, case_id);
    enum err e = stmt_one(s);
    if (e != ERR_OK)
        return e;
    col_blob(s, 0, out);
    stmt_done(s);
    return out->len > 0 ? ERR_OK : ERR_NOT_FOUND;
}

enum err store_case_key_insert(struct store_conn *c, const char *case_id,
                               const struct blob *wrapped)
{
    char now[TS_SIZE];
    clock_stamp(now);
    struct stmt *s = stmt_get(c, STMT_CASE_KEY_INSERT);
    stmt_text(s, 1, case_id);
    stmt_blob(s, 2, wrapped->p, wrapped->len);
    stmt_text(s, 3, now);
    return stmt_exec(s);
}

enum err store_case_key_delete(struct store_conn *c, const char *case_id)
{
    struct stmt *s = stmt_get(c, STMT_CASE_KEY_DELETE);
    stmt_text(s, 1, case_id);
    return stmt_exec(s);
}

enum err store_case_key_swap(struct store_conn *c, const char *case_id, const struct blob *old,
                             const struct blob *new, bool *swapped)
{
    struct stmt *s = stmt_get(c, STMT_CASE_KEY_SWAP);
    stmt_text(s, 1, case_id);
    stmt_blob(s, 2, old->p, old->len);
    stmt_blob(s, 3, new->p, new->len);
    enum err e = stmt_exec(s);
    *swapped = e == ERR_OK && stmt_changes(c) == 1;
    return e;
}

enum err store_case_key_page(struct store_conn *c, const char *after, int limit,
                             store_sealed_row_fn fn, void *arg, int *rows)
{
    *rows = 0;
    struct stmt *s = stmt_get(c, STMT_CASE_KEY_PAGE);
    stmt_text(s, 1, after);
    stmt_int(s, 2, limit);
    bool row;
    enum err e;
    while ((e = stmt_step(s, &row)) == ERR_OK && row) {
        struct blob b;
        col_blob(s, 1, &b);
        char *id = col_dup(s, 0);
        (*rows)++;
        bool go = fn(arg, id != NULL ? id : "", &b);
        free(id);
        free(b.p);
        if (!go)
            break;
    }
    stmt_done(s);
    return e;
}

/* ---- a sealed column, by its names ---- */

/* The row's name as SQL: the columns joined by '/', as text compared
 * bytewise in both backends. NULL when a name is not one. */
static char *row_expr(const struct store_conn *c, const struct sealed_col *sc)
{
    struct buf b = {0};
    for (size_t i = 0; i < sc->nrow; i++) {
        if (!store_name_ok(sc->row[i])) {
            buf_free(&b);
            return NULL;
        }
        if (i > 0)
            buf_puts(&b, " || '/' || ");
        buf_printf(&b, "CAST(%s AS TEXT)", sc->row[i]);
    }
    if (c->ops->param == '$')
        buf_puts(&b, " COLLATE \"C\"");
    return buf_steal(&b);
}

enum err store_sealed_page(struct store_conn *c, const struct sealed_col *sc, const char *after,
                           int limit, store_sealed_row_fn fn, void *arg, int *rows)
{
    *rows = 0;
    char *row = row_expr(c, sc);
    if (row == NULL || !store_name_ok(sc->table) || !store_name_ok(sc->col)) {
        free(row);
        return ERR_INTERNAL;
    }
    char p = c->ops->param;
    char *sql = xasprintf("SELECT %s, %s FROM %s WHERE %s IS NOT NULL AND %s > %c1 ORDER BY 1 "
                          "LIMIT %c2",
                          row, sc->col, sc->table, sc->col, row, p, p);
    free(row);
    struct stmt *s = stmt_prepare(c, sql);
    free(sql);
    if (s == NULL)
        return ERR_INTERNAL;
    stmt_text(s, 1, after);
    stmt_int(s, 2, limit);
    bool r;
    enum err e;
    while ((e = stmt_step(s, &r)) == ERR_OK && r) {
        struct blob b;
        col_blob(s, 1, &b);
        char *id = col_dup(s, 0);
        (*rows)++;
        bool go = fn(arg, id != NULL ? id : "", &b);
        free(id);
        free(b.p);
        if (!go)
            break;
    }
    stmt_finalize(s);
    return e;
}

enum err store_sealed_swap(struct store_conn *c, const struct sealed_col *sc, const char *rowname,
                           const struct blob *old, const struct blob *new, bool *swapped)
{
    *swapped = false;
    char *row = row_expr(c, sc);
    if (row == NULL || !store_name_ok(sc->table) || !store_name_ok(sc->col)) {
        free(row);
        return ERR_INTERNAL;
    }
    char p = c->ops->param;
    char *sql = xasprintf("UPDATE %s SET %s = %c3 WHERE %s = %c1 AND %s = %c2", sc->table, sc->col,
                          p, row, p, sc->col, p);
    free(row);
    struct stmt *s = stmt_prepare(c, sql);
    free(sql);
    if (s == NULL)
        return ERR_INTERNAL;
    stmt_text(s, 1, rowname);
    stmt_blob(s, 2, old->p, old->len);
    stmt_blob(s, 3, new->p, new->len);
    enum err e = stmt_exec(s);
    *swapped = e == ERR_OK && stmt_changes(c) == 1;
    stmt_finalize(s);
    return e;
}
