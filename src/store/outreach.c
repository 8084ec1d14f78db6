/* Outreach sessions in the store (store.h). */
#include <stdlib.h>
#include <string.h>

#include "store/store_int.h"
#include "util/log.h"

void outreach_rec_free(struct outreach_rec *r)
{
    if (r == NULL)
        return;
    free(r->topics);
    memset(r, 0, sizeof *r);
}

void outreach_list_free(struct outreach_rec *items, size_t n)
{
    for (size_t i = 0; i < n && items != NULL; i++)
        outreach_rec_free(&items[i]);
    free(items);
}

static enum err outreach_insert_write(struct store_conn *c, const struct outreach_rec *r)
{
    struct stmt *s = stmt_get(c, STMT_OUTREACH_INSERT);
    stmt_text(s, 1, r->id);
    stmt_text(s, 2, r->group_id);
    stmt_text(s, 3, r->date);
    stmt_text(s, 4, r->location_code);
    stmt_text(s, 5, r->topics != NULL ? r->topics : "[]");
    stmt_int(s, 6, r->female);
    stmt_int(s, 7, r->male);
    stmt_int(s, 8, r->under_18);
    stmt_opt_text(s, 9, r->recorded_by);
    stmt_text(s, 10, r->created_at);
    stmt_text(s, 11, r->updated_at[0] != '\0' ? r->updated_at : r->created_at);
    stmt_int(s, 12, r->version > 0 ? r->version : 1);
    return stmt_exec(s);
}

/* Inside a transaction (its own when none): the report cells it changes
 * are brought up to date by the commit (report.c). */
enum err store_outreach_insert(struct store_conn *c, const struct outreach_rec *r)
{
    bool own;
    enum err e = rc_enter(c, &own);
    if (e == ERR_OK) {
        e = rc_mark(c, RC_OUTREACH, r->id);
    }
    if (e == ERR_OK)
        e = outreach_insert_write(c, r);
    return rc_leave(c, own, e);
}

static void outreach_read(struct stmt *s, void *p)
{
    struct outreach_rec *r = p;
    col_copy(s, OUTREACH_ID, r->id, sizeof r->id);
    col_copy(s, OUTREACH_GROUP_ID, r->group_id, sizeof r->group_id);
    col_copy(s, OUTREACH_DATE, r->date, sizeof r->date);
    col_copy(s, OUTREACH_LOCATION_CODE, r->location_code, sizeof r->location_code);
    r->topics = col_dup(s, OUTREACH_TOPICS);
    r->female = (int)stmt_col_int(s, OUTREACH_FEMALE);
    r->male = (int)stmt_col_int(s, OUTREACH_MALE);
    r->under_18 = (int)stmt_col_int(s, OUTREACH_UNDER_18);
    col_copy(s, OUTREACH_RECORDED_BY, r->recorded_by, sizeof r->recorded_by);
    col_copy(s, OUTREACH_CREATED_AT, r->created_at, sizeof r->created_at);
    col_copy(s, OUTREACH_UPDATED_AT, r->updated_at, sizeof r->updated_at);
    r->version = (int)stmt_col_int(s, OUTREACH_VERSION);
    col_copy(s, OUTREACH_ORGANIZATION_ID, r->organization_id, sizeof r->organization_id);
}

static void outreach_free_one(void *p)
{
    outreach_rec_free(p);
}

enum err store_outreach_get(struct store_conn *c, const char *id, struct outreach_rec *out)
{
    struct stmt *s = stmt_get(c, STMT_OUTREACH_GET);
    stmt_text(s, 1, id);
    /* Bound before out is cleared: the key may point into it. */
    memset(out, 0, sizeof *out);
    enum err e = stmt_one(s);
    if (e != ERR_OK)
        return e;
    outreach_read(s, out);
    stmt_done(s);
    return ERR_OK;
}

enum err store_outreach_list(struct store_conn *c, const struct outreach_filter *f,
                             struct outreach_rec **items, size_t *n)
{
    *items = NULL;
    *n = 0;
    if (f->limit < 1 || f->limit > 501) {
        log_error("store: outreach list limit %d out of range", f->limit);
        return ERR_INTERNAL;
    }
    struct stmt *s = stmt_get(c, STMT_OUTREACH_LIST);
    /* NULL does not bound; "" binds as itself and matches nothing. */
    stmt_text(s, 1, f->organization_id);
    stmt_text(s, 2, f->group_id);
    stmt_text(s, 3, f->from);
    stmt_text(s, 4, f->to);
    /* "~" sorts after every date, time stamp and id: the first page starts
     * above all. */
    stmt_text(s, 5, f->has_after ? f->after_date : "~");
    stmt_text(s, 6, f->has_after ? f->after_created_at : "~");
    stmt_text(s, 7, f->has_after ? f->after_id : "~");
    stmt_int(s, 8, f->limit);
    return stmt_rows(s, sizeof **items, outreach_read, outreach_free_one, (void **)items, n);
}
