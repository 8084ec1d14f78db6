/* Safe-migration advice records in the store (store.h). */
#include <stdlib.h>
#include <string.h>

#include "store/store_int.h"
#include "util/log.h"

void advice_rec_free(struct advice_rec *r)
{
    if (r == NULL)
        return;
    free(r->person.p);
    free(r->documents);
    free(r->risks);
    free(r->warnings);
    memset(r, 0, sizeof *r);
}

void advice_list_free(struct advice_rec *items, size_t n)
{
    for (size_t i = 0; i < n && items != NULL; i++)
        advice_rec_free(&items[i]);
    free(items);
}

static enum err advice_insert_write(struct store_conn *c, const struct advice_rec *r)
{
    struct stmt *s = stmt_get(c, STMT_ADVICE_INSERT);
    stmt_text(s, 1, r->id);
    stmt_text(s, 2, r->group_id);
    stmt_text(s, 3, r->date);
    stmt_blob(s, 4, r->person.p, r->person.len);
    stmt_text(s, 5, r->sex);
    stmt_int(s, 6, r->birth_year);
    stmt_text(s, 7, r->destination);
    stmt_text(s, 8, r->sector);
    stmt_text(s, 9, r->channel);
    stmt_opt_text(s, 10, r->agency_id);
    stmt_text(s, 11, r->documents != NULL ? r->documents : "{}");
    stmt_text(s, 12, r->risks != NULL ? r->risks : "[]");
    stmt_text(s, 13, r->warnings != NULL ? r->warnings : "[]");
    stmt_opt_text(s, 14, r->follow_up_on);
    stmt_opt_text(s, 15, r->follow_up_done_at);
    stmt_opt_text(s, 16, r->recorded_by);
    stmt_text(s, 17, r->created_at);
    stmt_text(s, 18, r->updated_at[0] != '\0' ? r->updated_at : r->created_at);
    stmt_int(s, 19, r->version > 0 ? r->version : 1);
    return stmt_exec(s);
}

/* Inside a transaction (its own when none): the report cells it changes
 * are brought up to date by the commit (report.c). */
enum err store_advice_insert(struct store_conn *c, const struct advice_rec *r)
{
    bool own;
    enum err e = rc_enter(c, &own);
    if (e == ERR_OK) {
        e = rc_mark(c, RC_ADVICE, r->id);
    }
    if (e == ERR_OK)
        e = advice_insert_write(c, r);
    return rc_leave(c, own, e);
}

static void advice_read(struct stmt *s, void *p)
{
    struct advice_rec *r = p;
    col_copy(s, ADVICE_ID, r->id, sizeof r->id);
    col_copy(s, ADVICE_GROUP_ID, r->group_id, sizeof r->group_id);
    col_copy(s, ADVICE_DATE, r->date, sizeof r->date);
    col_blob(s, ADVICE_PERSON, &r->person);
    col_copy(s, ADVICE_SEX, r->sex, sizeof r->sex);
    r->birth_year = (int)stmt_col_int(s, ADVICE_BIRTH_YEAR);
    col_copy(s, ADVICE_DESTINATION, r->destination, sizeof r->destination);
    col_copy(s, ADVICE_SECTOR, r->sector, sizeof r->sector);
    col_copy(s, ADVICE_CHANNEL, r->channel, sizeof r->channel);
    col_copy(s, ADVICE_AGENCY_ID, r->agency_id, sizeof r->agency_id);
    r->documents = col_dup(s, ADVICE_DOCUMENTS);
    r->risks = col_dup(s, ADVICE_RISKS);
    r->warnings = col_dup(s, ADVICE_WARNINGS);
    col_copy(s, ADVICE_FOLLOW_UP_ON, r->follow_up_on, sizeof r->follow_up_on);
    col_copy(s, ADVICE_FOLLOW_UP_DONE_AT, r->follow_up_done_at, sizeof r->follow_up_done_at);
    col_copy(s, ADVICE_RECORDED_BY, r->recorded_by, sizeof r->recorded_by);
    col_copy(s, ADVICE_CREATED_AT, r->created_at, sizeof r->created_at);
    col_copy(s, ADVICE_UPDATED_AT, r->updated_at, sizeof r->updated_at);
    r->version = (int)stmt_col_int(s, ADVICE_VERSION);
    col_copy(s, ADVICE_ORGANIZATION_ID, r->organization_id, sizeof r->organization_id);
}

static void advice_free_one(void *p)
{
    advice_rec_free(p);
}

enum err store_advice_get(struct store_conn *c, const char *id, struct advice_rec *out)
{
    struct stmt *s = stmt_get(c, STMT_ADVICE_GET);
    stmt_text(s, 1, id);
    /* Bound before out is cleared: the key may point into it. */
    memset(out, 0, sizeof *out);
    enum err e = stmt_one(s);
    if (e != ERR_OK)
        return e;
    advice_read(s, out);
    stmt_done(s);
    return ERR_OK;
}

static enum err advice_follow_up_done_write(struct store_conn *c, const struct advice_rec *r)
{
    struct stmt *s = stmt_get(c, STMT_ADVICE_DONE);
    stmt_text(s, 1, r->id);
    stmt_int(s, 2, r->version);
    stmt_text(s, 3, r->follow_up_done_at);
    stmt_text(s, 4, r->updated_at);
    return stmt_exec_versioned(s);
}

/* Inside a transaction (its own when none): the report cells it changes
 * are brought up to date by the commit (report.c). */
enum err store_advice_follow_up_done(struct store_conn *c, const struct advice_rec *r)
{
    bool own;
    enum err e = rc_enter(c, &own);
    if (e == ERR_OK) {
        e = rc_mark(c, RC_ADVICE, r->id);
    }
    if (e == ERR_OK)
        e = advice_follow_up_done_write(c, r);
    return rc_leave(c, own, e);
}

enum err store_advice_list(struct store_conn *c, const struct advice_filter *f,
                           struct advice_rec **items, size_t *n)
{
    *items = NULL;
    *n = 0;
    if (f->limit < 1 || f->limit > 501) {
        log_error("store: advice list limit %d out of range", f->limit);
        return ERR_INTERNAL;
    }
    struct stmt *s = stmt_get(c, STMT_ADVICE_LIST);
    /* NULL does not bound; "" binds as itself and matches nothing. */
    stmt_text(s, 1, f->organization_id);
    stmt_text(s, 2, f->group_id);
    stmt_text(s, 3, f->due_on);
    /* "~" sorts after every date, time stamp and id: the first page starts
     * above all. */
    stmt_text(s, 4, f->has_after ? f->after_date : "~");
    stmt_text(s, 5, f->has_after ? f->after_created_at : "~");
    stmt_text(s, 6, f->has_after ? f->after_id : "~");
    stmt_int(s, 7, f->limit);
    return stmt_rows(s, sizeof **items, advice_read, advice_free_one, (void **)items, n);
}
