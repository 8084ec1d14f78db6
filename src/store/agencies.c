/* Recruitment agencies and the ministry's licence lists in the store
 * (store.h; the tables of migration 0006). */
#include <stdlib.h>
#include <string.h>

#include "store/store_int.h"

void agency_rec_free(struct agency_rec *r)
{
    if (r == NULL)
        return;
    free(r->name_km);
    free(r->name_en);
    memset(r, 0, sizeof(*r));
}

void agency_list_free(struct agency_rec *items, size_t n)
{
    for (size_t i = 0; i < n && items != NULL; i++)
        agency_rec_free(&items[i]);
    free(items);
}

static void agency_read(struct stmt *s, void *p)
{
    struct agency_rec *r = p;
    col_copy(s, AGENCY_ID, r->id, sizeof r->id);
    col_copy(s, AGENCY_LICENCE_NO, r->licence_no, sizeof r->licence_no);
    r->name_km = col_dup(s, AGENCY_NAME_KM);
    r->name_en = col_dup(s, AGENCY_NAME_EN);
    col_copy(s, AGENCY_LICENCE_VALID_UNTIL, r->licence_valid_until, sizeof r->licence_valid_until);
    col_copy(s, AGENCY_CREATED_AT, r->created_at, sizeof r->created_at);
    col_copy(s, AGENCY_UPDATED_AT, r->updated_at, sizeof r->updated_at);
    r->version = (int)stmt_col_int(s, AGENCY_VERSION);
    r->licensed = stmt_col_int(s, AGENCY_LICENSED) != 0;
    col_copy(s, AGENCY_SOURCE_DATE, r->source_date, sizeof r->source_date);
}

static void agency_free_one(void *p)
{
    agency_rec_free(p);
}

/* One row of s, bound, into out. */
static enum err agency_one(struct stmt *s, struct agency_rec *out)
{
    memset(out, 0, sizeof(*out));
    enum err e = stmt_one(s);
    if (e != ERR_OK)
        return e;
    agency_read(s, out);
    stmt_done(s);
    return ERR_OK;
}

enum err store_agency_import_last(struct store_conn *c, struct agency_import_rec *out)
{
    struct stmt *s = stmt_get(c, STMT_AGENCY_IMPORT_LAST);
    memset(out, 0, sizeof(*out));
    enum err e = stmt_one(s);
    if (e != ERR_OK)
        return e;
    col_copy(s, AGENCY_IMPORT_ID, out->id, sizeof out->id);
    out->seq = stmt_col_int(s, AGENCY_IMPORT_SEQ);
    col_copy(s, AGENCY_IMPORT_SOURCE_DATE, out->source_date, sizeof out->source_date);
    col_copy(s, AGENCY_IMPORT_IMPORTED_AT, out->imported_at, sizeof out->imported_at);
    col_copy(s, AGENCY_IMPORT_IMPORTED_BY, out->imported_by, sizeof out->imported_by);
    out->added = (int)stmt_col_int(s, AGENCY_IMPORT_ADDED);
    out->updated = (int)stmt_col_int(s, AGENCY_IMPORT_UPDATED);
    out->dropped = (int)stmt_col_int(s, AGENCY_IMPORT_DROPPED);
    stmt_done(s);
    return ERR_OK;
}

enum err store_agency_import_insert(struct store_conn *c, const struct agency_import_rec *r)
{
    struct stmt *s = stmt_get(c, STMT_AGENCY_IMPORT_INSERT);
    stmt_text(s, 1, r->id);
    stmt_text(s, 2, r->source_date);
    stmt_text(s, 3, r->imported_at);
    stmt_opt_text(s, 4, r->imported_by);
    stmt_int(s, 5, r->added);
    stmt_int(s, 6, r->updated);
    stmt_int(s, 7, r->dropped);
    return stmt_exec(s);
}

enum err store_agency_import_counts(struct store_conn *c, const struct agency_import_rec *r)
{
    struct stmt *s = stmt_get(c, STMT_AGENCY_IMPORT_COUNTS);
    stmt_text(s, 1, r->id);
    stmt_int(s, 2, r->added);
    stmt_int(s, 3, r->updated);
    stmt_int(s, 4, r->dropped);
    return stmt_exec(s);
}

enum err store_agency_by_licence(struct store_conn *c, const char *licence_no,
                                 struct agency_rec *out)
{
    struct stmt *s = stmt_get(c, STMT_AGENCY_BY_LICENCE);
    /* Bound before out is cleared: the key may point into it. */
    stmt_text(s, 1, licence_no);
    return agency_one(s, out);
}

enum err store_agency_insert(struct store_conn *c, const struct agency_rec *r)
{
    struct stmt *s = stmt_get(c, STMT_AGENCY_INSERT);
    stmt_text(s, 1, r->id);
    stmt_text(s, 2, r->licence_no);
    stmt_text(s, 3, r->name_km);
    stmt_text(s, 4, r->name_en);
    stmt_text(s, 5, r->licence_valid_until);
    stmt_text(s, 6, r->created_at);
    stmt_text(s, 7, r->updated_at[0] != '\0' ? r->updated_at : r->created_at);
    stmt_int(s, 8, r->version > 0 ? r->version : 1);
    return stmt_exec(s);
}

enum err store_agency_update(struct store_conn *c, const struct agency_rec *r)
{
    struct stmt *s = stmt_get(c, STMT_AGENCY_UPDATE);
    stmt_text(s, 1, r->id);
    stmt_int(s, 2, r->version);
    stmt_text(s, 3, r->name_km);
    stmt_text(s, 4, r->name_en);
    stmt_text(s, 5, r->licence_valid_until);
    stmt_text(s, 6, r->updated_at);
    return stmt_exec_versioned(s);
}

enum err store_agency_listing_insert(struct store_conn *c, const char *import_id,
                                     const struct agency_rec *r)
{
    struct stmt *s = stmt_get(c, STMT_AGENCY_LISTING_INSERT);
    stmt_text(s, 1, import_id);
    stmt_text(s, 2, r->id);
    stmt_text(s, 3, r->name_km);
    stmt_text(s, 4, r->name_en);
    stmt_text(s, 5, r->licence_valid_until);
    return stmt_exec(s);
}

enum err store_agency_dropped_count(struct store_conn *c, const char *before, const char *after,
                                    int *count)
{
    struct stmt *s = stmt_get(c, STMT_AGENCY_DROPPED_COUNT);
    stmt_text(s, 1, before);
    stmt_text(s, 2, after);
    *count = 0;
    enum err e = stmt_one(s);
    if (e != ERR_OK)
        return e;
    *count = (int)stmt_col_int(s, 0);
    stmt_done(s);
    return ERR_OK;
}

enum err store_agency_listed(struct store_conn *c, const char *import_id, const char *agency_id,
                             bool *listed)
{
    struct stmt *s = stmt_get(c, STMT_AGENCY_LISTED);
    stmt_text(s, 1, import_id);
    stmt_text(s, 2, agency_id);
    *listed = false;
    enum err e = stmt_one(s);
    if (e != ERR_OK)
        return e;
    *listed = stmt_col_int(s, 0) > 0;
    stmt_done(s);
    return ERR_OK;
}

enum err store_agency_keys_replace(struct store_conn *c, const char *agency_id,
                                   const char *const *keys, size_t n)
{
    struct stmt *s = stmt_get(c, STMT_AGENCY_KEY_DELETE);
    stmt_text(s, 1, agency_id);
    enum err e = stmt_exec(s);
    for (size_t i = 0; i < n && e == ERR_OK; i++) {
        s = stmt_get(c, STMT_AGENCY_KEY_INSERT);
        stmt_text(s, 1, agency_id);
        stmt_text(s, 2, keys[i]);
        e = stmt_exec(s);
    }
    return e;
}

enum err store_agency_on(struct store_conn *c, const char *on, const char *const *keys,
                         size_t nkeys, struct agency_rec **items, size_t *n)
{
    *items = NULL;
    *n = 0;
    if (nkeys > AGENCY_QUERY_KEYS_MAX)
        return ERR_INTERNAL;
    struct stmt *s = stmt_get(c, STMT_AGENCY_ON);
    stmt_text(s, 1, on);
    for (size_t i = 0; i < AGENCY_QUERY_KEYS_MAX; i++)
        stmt_text(s, 2 + (int)i, i < nkeys ? keys[i] : NULL);
    stmt_int(s, 2 + AGENCY_QUERY_KEYS_MAX, (int64_t)nkeys);
    return stmt_rows(s, sizeof **items, agency_read, agency_free_one, (void **)items, n);
}

enum err store_agency_get_on(struct store_conn *c, const char *id, const char *on,
                             struct agency_rec *out)
{
    struct stmt *s = stmt_get(c, STMT_AGENCY_GET_ON);
    stmt_text(s, 1, on);
    stmt_text(s, 2, id);
    return agency_one(s, out);
}

enum err store_agency_history(struct store_conn *c, const char *id, struct agency_rec **items,
                              size_t *n)
{
    struct stmt *s = stmt_get(c, STMT_AGENCY_HISTORY);
    stmt_text(s, 1, id);
    return stmt_rows(s, sizeof **items, agency_read, agency_free_one, (void **)items, n);
}
