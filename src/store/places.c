/* The gazetteer in the store. */
#include <stdlib.h>
#include <string.h>

#include "store/store_int.h"

void location_rec_free(struct location_rec *r)
{
    if (r == NULL)
        return;
    free(r->name_km);
    free(r->name_latn);
    free(r->unit_km);
    free(r->unit_latn);
    memset(r, 0, sizeof(*r));
}

void location_list_free(struct location_rec *items, size_t n)
{
    for (size_t i = 0; i < n && items != NULL; i++)
        location_rec_free(&items[i]);
    free(items);
}

static void location_read(struct stmt *s, struct location_rec *r)
{
    col_copy(s, LOCATION_CODE, r->code, sizeof(r->code));
    col_copy(s, LOCATION_LEVEL, r->level, sizeof(r->level));
    col_copy(s, LOCATION_PARENT_CODE, r->parent, sizeof(r->parent));
    r->name_km = col_dup(s, LOCATION_NAME_KM);
    r->name_latn = col_dup(s, LOCATION_NAME_LATN);
    r->unit_km = col_dup(s, LOCATION_UNIT_KM);
    r->unit_latn = col_dup(s, LOCATION_UNIT_LATN);
}

enum err store_location_insert(struct store_conn *c, const struct location_rec *r)
{
    struct stmt *s = stmt_get(c, STMT_LOCATION_INSERT);
    stmt_text(s, 1, r->code);
    stmt_text(s, 2, r->level);
    stmt_opt_text(s, 3, r->parent);
    stmt_text(s, 4, r->name_km);
    stmt_text(s, 5, r->name_latn);
    stmt_text(s, 6, r->unit_km);
    stmt_text(s, 7, r->unit_latn);
    return stmt_exec(s);
}

enum err store_location_get(struct store_conn *c, const char *code, struct location_rec *out)
{
    struct stmt *s = stmt_get(c, STMT_LOCATION_GET);
    stmt_text(s, 1, code);
    /* Bound before out is cleared: the key may point into it. */
    memset(out, 0, sizeof(*out));
    enum err e = stmt_one(s);
    if (e != ERR_OK)
        return e;
    location_read(s, out);
    stmt_done(s);
    return ERR_OK;
}

static enum err location_rows(struct stmt *s, struct location_rec **items, size_t *n)
{
    struct location_rec *list = NULL;
    size_t count = 0, cap = 0;
    bool row;
    enum err e;
    while ((e = stmt_step(s, &row)) == ERR_OK && row)
        location_read(s, list_push((void **)&list, &count, &cap, sizeof(*list)));
    stmt_done(s);
    if (e != ERR_OK) {
        location_list_free(list, count);
        return e;
    }
    *items = list;
    *n = count;
    return ERR_OK;
}

enum err store_location_children(struct store_conn *c, const char *parent,
                                 struct location_rec **items, size_t *n)
{
    *items = NULL;
    *n = 0;
    struct stmt *s;
    if (parent == NULL || parent[0] == '\0') {
        s = stmt_get(c, STMT_LOCATION_PROVINCES);
    } else {
        s = stmt_get(c, STMT_LOCATION_CHILDREN);
        stmt_text(s, 1, parent);
    }
    return location_rows(s, items, n);
}

enum err store_location_all(struct store_conn *c, struct location_rec **items, size_t *n)
{
    *items = NULL;
    *n = 0;
    return location_rows(stmt_get(c, STMT_LOCATION_ALL), items, n);
}

size_t store_location_count(struct store_conn *c)
{
    struct stmt *s = stmt_get(c, STMT_LOCATION_COUNT);
    if (stmt_one(s) != ERR_OK)
        return 0;
    int64_t v = stmt_col_int(s, 0);
    stmt_done(s);
    return v > 0 ? (size_t)v : 0;
}
