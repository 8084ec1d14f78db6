/* The audit log's rows in the store. Hashing and chaining are src/audit/'s;
 * the store only appends and reads (the schema refuses updates and deletes). */
#include <stdlib.h>
#include <string.h>

#include "store/store_int.h"

void audit_rec_free(struct audit_rec *r)
{
    if (r == NULL)
        return;
    free(r->detail);
    memset(r, 0, sizeof(*r));
}

void audit_list_free(struct audit_rec *items, size_t n)
{
    for (size_t i = 0; i < n && items != NULL; i++)
        audit_rec_free(&items[i]);
    free(items);
}

/* false when the column is not a 32-byte value (out is then zero). */
static bool hash_read(struct stmt *s, int i, unsigned char out[32])
{
    size_t len;
    const unsigned char *p = stmt_col_blob(s, i, &len);
    memset(out, 0, 32);
    if (p == NULL || len != 32)
        return false;
    memcpy(out, p, 32);
    return true;
}

/* A text column copied into a field: false when it does not fit exactly
 * (col_copy would cut it, or stop at a NUL inside). */
static bool field_read(struct stmt *s, int i, char *dst, size_t size)
{
    bool fits = col_fits(s, i, size);
    col_copy(s, i, dst, size);
    return fits;
}

static void audit_read(struct stmt *s, struct audit_rec *r)
{
    bool ok = true;
    r->seq = stmt_col_int(s, AUDIT_SEQ);
    ok &= field_read(s, AUDIT_AT, r->at, sizeof(r->at));
    ok &= field_read(s, AUDIT_USER_ID, r->user_id, sizeof(r->user_id));
    ok &= field_read(s, AUDIT_ACTION, r->action, sizeof(r->action));
    ok &= field_read(s, AUDIT_RECORD_TYPE, r->record_type, sizeof(r->record_type));
    ok &= field_read(s, AUDIT_RECORD_ID, r->record_id, sizeof(r->record_id));
    ok &= col_fits(s, AUDIT_DETAIL, SIZE_MAX);
    r->detail = col_dup(s, AUDIT_DETAIL);
    ok &= hash_read(s, AUDIT_PREV_HASH, r->prev_hash);
    ok &= hash_read(s, AUDIT_HASH, r->hash);
    if (stmt_col_null(s, AUDIT_KEY_ID)) {
        r->key_id[0] = '\0';
    } else {
        ok &= field_read(s, AUDIT_KEY_ID, r->key_id, sizeof(r->key_id));
        ok &= strlen(r->key_id) == AUDIT_KEY_ID_SIZE - 1;
    }
    r->has_mac = !stmt_col_null(s, AUDIT_MAC);
    if (r->has_mac)
        ok &= hash_read(s, AUDIT_MAC, r->mac);
    /* a MAC without its key's id, or an id without a MAC, is no entry
     * this code wrote */
    ok &= r->has_mac == (r->key_id[0] != '\0');
    r->malformed = !ok;
}

static enum err head_read(struct store_conn *c, enum stmt_id id, struct audit_head_row *h)
{
    memset(h, 0, sizeof(*h));
    struct stmt *s = stmt_get(c, id);
    enum err e = stmt_one(s);
    if (e == ERR_NOT_FOUND)
        return ERR_OK;
    if (e != ERR_OK)
        return e;
    h->seq = stmt_col_int(s, 0);
    (void)hash_read(s, 1, h->hash); /* a malformed one breaks the chain: verify says so */
    h->has_mac = !stmt_col_null(s, 2);
    if (h->has_mac)
        (void)hash_read(s, 2, h->mac);
    stmt_done(s);
    return ERR_OK;
}

enum err store_audit_last(struct store_conn *c, struct audit_head_row *h)
{
    return head_read(c, STMT_AUDIT_LAST, h);
}

enum err store_audit_head_read(struct store_conn *c, struct audit_head_row *h)
{
    return head_read(c, STMT_AUDIT_HEAD_READ, h);
}

enum err store_audit_insert(struct store_conn *c, const struct audit_rec *r)
{
    struct stmt *s = stmt_get(c, STMT_AUDIT_INSERT);
    stmt_int(s, 1, r->seq);
    stmt_text(s, 2, r->at);
    stmt_opt_text(s, 3, r->user_id);
    stmt_text(s, 4, r->action);
    stmt_text(s, 5, r->record_type);
    stmt_opt_text(s, 6, r->record_id);
    stmt_opt_text(s, 7, r->detail);
    /* The first entry's prev_hash is 32 zero bytes, never NULL. */
    stmt_blob(s, 8, r->prev_hash, sizeof(r->prev_hash));
    stmt_blob(s, 9, r->hash, sizeof(r->hash));
    stmt_opt_text(s, 10, r->key_id);
    if (r->has_mac)
        stmt_blob(s, 11, r->mac, sizeof(r->mac));
    else
        stmt_null(s, 11);
    enum err e = stmt_exec(s);
    if (e != ERR_OK)
        return e;
    conn_tx(c)->audited = true;
    /* The head moves on from the entry before this one, or nothing is
     * written: a writer that did not read the head under its lock loses. */
    s = stmt_get(c, STMT_AUDIT_HEAD_SET);
    stmt_int(s, 1, r->seq);
    stmt_blob(s, 2, r->hash, sizeof(r->hash));
    if (r->has_mac)
        stmt_blob(s, 3, r->mac, sizeof(r->mac));
    else
        stmt_null(s, 3);
    return stmt_exec_versioned(s);
}

static enum err audit_rows(struct stmt *s, struct audit_rec **items, size_t *n)
{
    struct audit_rec *list = NULL;
    size_t count = 0, cap = 0;
    bool row;
    enum err e;
    while ((e = stmt_step(s, &row)) == ERR_OK && row)
        audit_read(s, list_push((void **)&list, &count, &cap, sizeof(*list)));
    stmt_done(s);
    if (e != ERR_OK) {
        audit_list_free(list, count);
        return e;
    }
    *items = list;
    *n = count;
    return ERR_OK;
}

enum err store_audit_range(struct store_conn *c, int64_t after_seq, int limit,
                           struct audit_rec **items, size_t *n)
{
    *items = NULL;
    *n = 0;
    struct stmt *s = stmt_get(c, STMT_AUDIT_RANGE);
    stmt_int(s, 1, after_seq);
    stmt_int(s, 2, limit > 0 ? limit : 1);
    return audit_rows(s, items, n);
}

enum err store_audit_user_changes(struct store_conn *c, const char *organization_id,
                                  int64_t before_seq, int limit, struct audit_rec **items,
                                  size_t *n)
{
    *items = NULL;
    *n = 0;
    struct stmt *s = stmt_get(c, STMT_AUDIT_USER_CHANGES);
    stmt_text(s, 1, organization_id);
    stmt_int(s, 2, before_seq);
    stmt_int(s, 3, limit > 0 ? limit : 1);
    return audit_rows(s, items, n);
}

enum err store_audit_for_record(struct store_conn *c, const char *record_type,
                                const char *record_id, int64_t after_seq, int limit,
                                struct audit_rec **items, size_t *n)
{
    *items = NULL;
    *n = 0;
    struct stmt *s = stmt_get(c, STMT_AUDIT_FOR_RECORD);
    stmt_text(s, 1, record_type);
    stmt_text(s, 2, record_id);
    stmt_int(s, 3, after_seq);
    stmt_int(s, 4, limit > 0 ? limit : 1);
    return audit_rows(s, items, n);
}
