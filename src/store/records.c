/* A case's records in the store: incidents, screenings, notes, tasks, the
 * timeline, and the answers kept for idempotent creates. */
#include <stdlib.h>
#include <string.h>

#include "store/store_int.h"
#include "util/log.h"

/* Runs a list statement already bound, reading each row with read into a
 * new array of elem-byte records. */
enum err stmt_rows(struct stmt *s, size_t elem, void (*read)(struct stmt *, void *),
                   void (*free_one)(void *), void **items, size_t *n)
{
    void *list = NULL;
    size_t count = 0, cap = 0;
    bool row;
    enum err e;
    *items = NULL;
    *n = 0;
    while ((e = stmt_step(s, &row)) == ERR_OK && row && count < RECORDS_MAX)
        read(s, list_push(&list, &count, &cap, elem));
    stmt_done(s);
    if (e != ERR_OK) {
        for (size_t i = 0; i < count; i++)
            free_one((char *)list + i * elem);
        free(list);
        return e;
    }
    *items = list;
    *n = count;
    return ERR_OK;
}

static void opt_int(struct stmt *s, int i, int v)
{
    if (v >= 0)
        stmt_int(s, i, v);
    else
        stmt_null(s, i);
}

/* ---- incidents ---- */

void incident_rec_free(struct incident_rec *r)
{
    if (r == NULL)
        return;
    free(r->perpetrators);
    free(r->exploitation);
    free(r->description.p);
    free(r->context_flags);
    memset(r, 0, sizeof *r);
}

void incident_list_free(struct incident_rec *items, size_t n)
{
    for (size_t i = 0; i < n && items != NULL; i++)
        incident_rec_free(&items[i]);
    free(items);
}

static enum err incident_insert_write(struct store_conn *c, const struct incident_rec *r)
{
    struct stmt *s = stmt_get(c, STMT_INCIDENT_INSERT);
    stmt_text(s, 1, r->id);
    stmt_text(s, 2, r->case_id);
    stmt_text(s, 3, r->date);
    stmt_text(s, 4, r->reported_on);
    stmt_text(s, 5, r->time_of_day);
    stmt_text(s, 6, r->location_type);
    stmt_text(s, 7, r->location);
    stmt_text(s, 8, r->migration_stage);
    for (int i = 0; i < ACTS_N; i++)
        stmt_bool(s, 9 + i, r->acts[i]);
    stmt_bool(s, 15, r->goods_or_money_exchanged);
    stmt_text(s, 16, r->abduction);
    stmt_text(s, 17, r->reported_elsewhere);
    stmt_text(s, 18, r->perpetrators != NULL ? r->perpetrators : "[]");
    stmt_text(s, 19, r->exploitation);
    stmt_blob(s, 20, r->description.p, r->description.len);
    stmt_text(s, 21, r->gbv_type);
    stmt_text(s, 22, r->context_flags != NULL ? r->context_flags : "[]");
    opt_int(s, 23, r->survivor_age);
    stmt_text(s, 24, r->created_by);
    stmt_text(s, 25, r->created_at);
    return stmt_exec(s);
}

/* Inside a transaction (its own when none): the report cells it changes
 * are brought up to date by the commit (report.c). */
enum err store_incident_insert(struct store_conn *c, const struct incident_rec *r)
{
    bool own;
    enum err e = rc_enter(c, &own);
    if (e == ERR_OK) {
        e = rc_mark(c, RC_CASE, r->case_id);
    }
    if (e == ERR_OK)
        e = incident_insert_write(c, r);
    return rc_leave(c, own, e);
}

static void incident_read(struct stmt *s, void *p)
{
    struct incident_rec *r = p;
    col_copy(s, INCIDENT_ID, r->id, sizeof r->id);
    col_copy(s, INCIDENT_CASE_ID, r->case_id, sizeof r->case_id);
    col_copy(s, INCIDENT_DATE, r->date, sizeof r->date);
    col_copy(s, INCIDENT_REPORTED_ON, r->reported_on, sizeof r->reported_on);
    col_copy(s, INCIDENT_TIME_OF_DAY, r->time_of_day, sizeof r->time_of_day);
    col_copy(s, INCIDENT_LOCATION_TYPE, r->location_type, sizeof r->location_type);
    col_copy(s, INCIDENT_LOCATION, r->location, sizeof r->location);
    col_copy(s, INCIDENT_MIGRATION_STAGE, r->migration_stage, sizeof r->migration_stage);
    for (int i = 0; i < ACTS_N; i++)
        r->acts[i] = stmt_col_int(s, INCIDENT_PENETRATION + i) != 0;
    r->goods_or_money_exchanged = stmt_col_int(s, INCIDENT_GOODS_OR_MONEY_EXCHANGED) != 0;
    col_copy(s, INCIDENT_ABDUCTION, r->abduction, sizeof r->abduction);
    col_copy(s, INCIDENT_REPORTED_ELSEWHERE, r->reported_elsewhere, sizeof r->reported_elsewhere);
    r->perpetrators = col_dup(s, INCIDENT_PERPETRATORS);
    r->exploitation = col_dup(s, INCIDENT_EXPLOITATION);
    col_blob(s, INCIDENT_DESCRIPTION, &r->description);
    col_copy(s, INCIDENT_GBV_TYPE, r->gbv_type, sizeof r->gbv_type);
    r->context_flags = col_dup(s, INCIDENT_CONTEXT_FLAGS);
    r->survivor_age =
        stmt_col_null(s, INCIDENT_SURVIVOR_AGE) ? -1 : (int)stmt_col_int(s, INCIDENT_SURVIVOR_AGE);
    col_copy(s, INCIDENT_CREATED_BY, r->created_by, sizeof r->created_by);
    col_copy(s, INCIDENT_CREATED_AT, r->created_at, sizeof r->created_at);
}

static void incident_free_one(void *p)
{
    incident_rec_free(p);
}

enum err store_incident_list(struct store_conn *c, const char *case_id, struct incident_rec **items,
                             size_t *n)
{
    struct stmt *s = stmt_get(c, STMT_INCIDENT_LIST);
    stmt_text(s, 1, case_id);
    return stmt_rows(s, sizeof **items, incident_read, incident_free_one, (void **)items, n);
}

/* ---- screenings ---- */

void screening_rec_free(struct screening_rec *r)
{
    if (r == NULL)
        return;
    free(r->indicators);
    free(r->dimensions);
    free(r->forced_labour_indicators);
    memset(r, 0, sizeof *r);
}

void screening_list_free(struct screening_rec *items, size_t n)
{
    for (size_t i = 0; i < n && items != NULL; i++)
        screening_rec_free(&items[i]);
    free(items);
}

static enum err screening_insert_write(struct store_conn *c, const struct screening_rec *r)
{
    struct stmt *s = stmt_get(c, STMT_SCREENING_INSERT);
    stmt_text(s, 1, r->id);
    stmt_text(s, 2, r->case_id);
    stmt_bool(s, 3, r->adult);
    stmt_text(s, 4, r->indicators != NULL ? r->indicators : "[]");
    stmt_text(s, 5, r->dimensions != NULL ? r->dimensions : "{}");
    stmt_text(s, 6, r->forced_labour_indicators != NULL ? r->forced_labour_indicators : "[]");
    stmt_text(s, 7, r->result);
    stmt_text(s, 8, r->created_by);
    stmt_text(s, 9, r->created_at);
    return stmt_exec(s);
}

/* Inside a transaction (its own when none): the report cells it changes
 * are brought up to date by the commit (report.c). */
enum err store_screening_insert(struct store_conn *c, const struct screening_rec *r)
{
    bool own;
    enum err e = rc_enter(c, &own);
    if (e == ERR_OK) {
        e = rc_mark(c, RC_CASE, r->case_id);
    }
    if (e == ERR_OK)
        e = screening_insert_write(c, r);
    return rc_leave(c, own, e);
}

static void screening_read(struct stmt *s, void *p)
{
    struct screening_rec *r = p;
    col_copy(s, SCREENING_ID, r->id, sizeof r->id);
    col_copy(s, SCREENING_CASE_ID, r->case_id, sizeof r->case_id);
    r->adult = stmt_col_int(s, SCREENING_ADULT) != 0;
    r->indicators = col_dup(s, SCREENING_INDICATORS);
    r->dimensions = col_dup(s, SCREENING_DIMENSIONS);
    r->forced_labour_indicators = col_dup(s, SCREENING_FORCED_LABOUR_INDICATORS);
    col_copy(s, SCREENING_RESULT, r->result, sizeof r->result);
    col_copy(s, SCREENING_CREATED_BY, r->created_by, sizeof r->created_by);
    col_copy(s, SCREENING_CREATED_AT, r->created_at, sizeof r->created_at);
}

static void screening_free_one(void *p)
{
    screening_rec_free(p);
}

enum err store_screening_list(struct store_conn *c, const char *case_id,
                              struct screening_rec **items, size_t *n)
{
    struct stmt *s = stmt_get(c, STMT_SCREENING_LIST);
    stmt_text(s, 1, case_id);
    return stmt_rows(s, sizeof **items, screening_read, screening_free_one, (void **)items, n);
}

enum err store_screening_latest_by_agency(struct store_conn *c, const char *agency_id,
                                          struct screening_rec **items, size_t *n)
{
    struct stmt *s = stmt_get(c, STMT_SCREENING_LATEST_BY_AGENCY);
    stmt_text(s, 1, agency_id);
    return stmt_rows(s, sizeof **items, screening_read, screening_free_one, (void **)items, n);
}

/* ---- notes ---- */

void note_rec_free(struct note_rec *r)
{
    if (r == NULL)
        return;
    free(r->body.p);
    memset(r, 0, sizeof *r);
}

void note_list_free(struct note_rec *items, size_t n)
{
    for (size_t i = 0; i < n && items != NULL; i++)
        note_rec_free(&items[i]);
    free(items);
}

enum err store_note_insert(struct store_conn *c, const struct note_rec *r)
{
    struct stmt *s = stmt_get(c, STMT_NOTE_INSERT);
    stmt_text(s, 1, r->id);
    stmt_text(s, 2, r->case_id);
    stmt_blob(s, 3, r->body.p, r->body.len);
    stmt_opt_text(s, 4, r->corrects);
    stmt_text(s, 5, r->author);
    stmt_text(s, 6, r->created_at);
    return stmt_exec(s);
}

static void note_read(struct stmt *s, void *p)
{
    struct note_rec *r = p;
    col_copy(s, NOTE_ID, r->id, sizeof r->id);
    col_copy(s, NOTE_CASE_ID, r->case_id, sizeof r->case_id);
    col_blob(s, NOTE_BODY, &r->body);
    col_copy(s, NOTE_CORRECTS, r->corrects, sizeof r->corrects);
    col_copy(s, NOTE_AUTHOR, r->author, sizeof r->author);
    col_copy(s, NOTE_CREATED_AT, r->created_at, sizeof r->created_at);
}

static void note_free_one(void *p)
{
    note_rec_free(p);
}

enum err store_note_get(struct store_conn *c, const char *id, struct note_rec *out)
{
    struct stmt *s = stmt_get(c, STMT_NOTE_GET);
    stmt_text(s, 1, id);
    memset(out, 0, sizeof *out);
    enum err e = stmt_one(s);
    if (e != ERR_OK)
        return e;
    note_read(s, out);
    stmt_done(s);
    return ERR_OK;
}

enum err store_note_list(struct store_conn *c, const char *case_id, struct note_rec **items,
                         size_t *n)
{
    struct stmt *s = stmt_get(c, STMT_NOTE_LIST);
    stmt_text(s, 1, case_id);
    return stmt_rows(s, sizeof **items, note_read, note_free_one, (void **)items, n);
}

/* ---- tasks ---- */

void task_rec_free(struct task_rec *r)
{
    if (r == NULL)
        return;
    free(r->title.p);
    memset(r, 0, sizeof *r);
}

void task_list_free(struct task_rec *items, size_t n)
{
    for (size_t i = 0; i < n && items != NULL; i++)
        task_rec_free(&items[i]);
    free(items);
}

enum err store_task_insert(struct store_conn *c, const struct task_rec *r)
{
    struct stmt *s = stmt_get(c, STMT_TASK_INSERT);
    stmt_text(s, 1, r->id);
    stmt_text(s, 2, r->case_id);
    stmt_blob(s, 3, r->title.p, r->title.len);
    stmt_text(s, 4, r->due_on);
    stmt_opt_text(s, 5, r->assigned_to);
    stmt_bool(s, 6, r->done);
    stmt_opt_text(s, 7, r->done_at);
    stmt_text(s, 8, r->created_by);
    stmt_text(s, 9, r->created_at);
    stmt_text(s, 10, r->updated_at[0] != '\0' ? r->updated_at : r->created_at);
    stmt_int(s, 11, r->version > 0 ? r->version : 1);
    return stmt_exec(s);
}

static void task_read(struct stmt *s, void *p)
{
    struct task_rec *r = p;
    col_copy(s, TASK_ID, r->id, sizeof r->id);
    col_copy(s, TASK_CASE_ID, r->case_id, sizeof r->case_id);
    col_blob(s, TASK_TITLE, &r->title);
    col_copy(s, TASK_DUE_ON, r->due_on, sizeof r->due_on);
    col_copy(s, TASK_ASSIGNED_TO, r->assigned_to, sizeof r->assigned_to);
    r->done = stmt_col_int(s, TASK_DONE) != 0;
    col_copy(s, TASK_DONE_AT, r->done_at, sizeof r->done_at);
    col_copy(s, TASK_CREATED_BY, r->created_by, sizeof r->created_by);
    col_copy(s, TASK_CREATED_AT, r->created_at, sizeof r->created_at);
    col_copy(s, TASK_UPDATED_AT, r->updated_at, sizeof r->updated_at);
    r->version = (int)stmt_col_int(s, TASK_VERSION);
}

static void task_free_one(void *p)
{
    task_rec_free(p);
}

enum err store_task_get(struct store_conn *c, const char *id, struct task_rec *out)
{
    struct stmt *s = stmt_get(c, STMT_TASK_GET);
    stmt_text(s, 1, id);
    memset(out, 0, sizeof *out);
    enum err e = stmt_one(s);
    if (e != ERR_OK)
        return e;
    task_read(s, out);
    stmt_done(s);
    return ERR_OK;
}

enum err store_task_update(struct store_conn *c, const struct task_rec *r)
{
    struct stmt *s = stmt_get(c, STMT_TASK_UPDATE);
    stmt_text(s, 1, r->id);
    stmt_int(s, 2, r->version);
    stmt_bool(s, 3, r->done);
    stmt_opt_text(s, 4, r->done_at);
    stmt_opt_text(s, 5, r->assigned_to);
    stmt_text(s, 6, r->updated_at);
    return stmt_exec_versioned(s);
}

enum err store_task_list(struct store_conn *c, const char *case_id, struct task_rec **items,
                         size_t *n)
{
    struct stmt *s = stmt_get(c, STMT_TASK_LIST);
    stmt_text(s, 1, case_id);
    return stmt_rows(s, sizeof **items, task_read, task_free_one, (void **)items, n);
}

enum err store_task_overdue(struct store_conn *c, const struct case_filter *f, const char *before,
                            const char *assignee, struct task_rec **items, size_t *n)
{
    if (f->limit < 1 || f->limit > 501) {
        log_error("store: overdue tasks limit %d out of range", f->limit);
        *items = NULL;
        *n = 0;
        return ERR_INTERNAL;
    }
    struct stmt *s = stmt_get(c, STMT_TASK_OVERDUE);
    stmt_text(s, 1, before);
    stmt_text(s, 2, f->organization_id);
    stmt_text(s, 3, f->assigned_to);
    stmt_text(s, 4, f->assigned_or_open_for);
    stmt_text(s, 5, assignee);
    stmt_int(s, 6, f->limit);
    return stmt_rows(s, sizeof **items, task_read, task_free_one, (void **)items, n);
}

/* ---- the timeline ---- */

void case_event_rec_free(struct case_event_rec *r)
{
    if (r == NULL)
        return;
    free(r->detail);
    free(r->text.p);
    memset(r, 0, sizeof *r);
}

void case_event_list_free(struct case_event_rec *items, size_t n)
{
    for (size_t i = 0; i < n && items != NULL; i++)
        case_event_rec_free(&items[i]);
    free(items);
}

static enum err case_event_insert_write(struct store_conn *c, const struct case_event_rec *r)
{
    struct stmt *s = stmt_get(c, STMT_CASE_EVENT_INSERT);
    stmt_text(s, 1, r->case_id);
    stmt_text(s, 2, r->at);
    stmt_opt_text(s, 3, r->user_id);
    stmt_text(s, 4, r->kind);
    stmt_opt_text(s, 5, r->detail);
    stmt_opt_text(s, 6, r->ref_id);
    stmt_blob(s, 7, r->text.p, r->text.len);
    return stmt_exec(s);
}

/* Inside a transaction (its own when none): the report cells it changes
 * are brought up to date by the commit (report.c). */
enum err store_case_event_insert(struct store_conn *c, const struct case_event_rec *r)
{
    bool own;
    enum err e = rc_enter(c, &own);
    if (e == ERR_OK) {
        e = rc_mark(c, RC_CASE, r->case_id);
    }
    if (e == ERR_OK)
        e = case_event_insert_write(c, r);
    return rc_leave(c, own, e);
}

static void event_read(struct stmt *s, void *p)
{
    struct case_event_rec *r = p;
    r->seq = stmt_col_int(s, EVENT_SEQ);
    col_copy(s, EVENT_CASE_ID, r->case_id, sizeof r->case_id);
    col_copy(s, EVENT_AT, r->at, sizeof r->at);
    col_copy(s, EVENT_USER_ID, r->user_id, sizeof r->user_id);
    col_copy(s, EVENT_KIND, r->kind, sizeof r->kind);
    r->detail = col_dup(s, EVENT_DETAIL);
    col_copy(s, EVENT_REF_ID, r->ref_id, sizeof r->ref_id);
    col_blob(s, EVENT_TEXT, &r->text);
}

static void event_free_one(void *p)
{
    case_event_rec_free(p);
}

enum err store_case_event_list(struct store_conn *c, const char *case_id,
                               struct case_event_rec **items, size_t *n)
{
    struct stmt *s = stmt_get(c, STMT_CASE_EVENT_LIST);
    stmt_text(s, 1, case_id);
    return stmt_rows(s, sizeof **items, event_read, event_free_one, (void **)items, n);
}

/* ---- idempotent creates ---- */

void idem_rec_free(struct idem_rec *r)
{
    if (r == NULL)
        return;
    free(r->answer.p);
    memset(r, 0, sizeof *r);
}

enum err store_idem_insert(struct store_conn *c, const struct idem_rec *r)
{
    struct stmt *s = stmt_get(c, STMT_IDEM_INSERT);
    stmt_text(s, 1, r->user_id);
    stmt_text(s, 2, r->key);
    stmt_text(s, 3, r->route);
    stmt_blob(s, 4, r->request_hash, sizeof r->request_hash);
    stmt_int(s, 5, r->status);
    stmt_blob(s, 6, r->answer.p, r->answer.len);
    stmt_int(s, 7, r->created_at);
    stmt_opt_text(s, 8, r->case_id);
    return stmt_exec(s);
}

static void idem_read(struct stmt *s, struct idem_rec *out)
{
    col_copy(s, IDEM_USER_ID, out->user_id, sizeof out->user_id);
    col_copy(s, IDEM_KEY, out->key, sizeof out->key);
    col_copy(s, IDEM_ROUTE, out->route, sizeof out->route);
    size_t len = 0;
    const unsigned char *h = stmt_col_blob(s, IDEM_REQUEST_HASH, &len);
    if (h != NULL && len == sizeof out->request_hash)
        memcpy(out->request_hash, h, len);
    out->status = (int)stmt_col_int(s, IDEM_STATUS);
    col_blob(s, IDEM_ANSWER, &out->answer);
    out->created_at = stmt_col_int(s, IDEM_CREATED_AT);
    col_copy(s, IDEM_CASE_ID, out->case_id, sizeof out->case_id);
}

enum err store_idem_get(struct store_conn *c, const char *user_id, const char *key,
                        struct idem_rec *out)
{
    struct stmt *s = stmt_get(c, STMT_IDEM_GET);
    stmt_text(s, 1, user_id);
    stmt_text(s, 2, key);
    memset(out, 0, sizeof *out);
    enum err e = stmt_one(s);
    if (e != ERR_OK)
        return e;
    idem_read(s, out);
    stmt_done(s);
    return ERR_OK;
}

static void idem_read_one(struct stmt *s, void *out)
{
    idem_read(s, out);
}

static void idem_free_one(void *r)
{
    idem_rec_free(r);
}

void idem_list_free(struct idem_rec *items, size_t n)
{
    for (size_t i = 0; i < n && items != NULL; i++)
        idem_rec_free(&items[i]);
    free(items);
}

enum err store_idem_unbound(struct store_conn *c, const char *after_user, const char *after_key,
                            struct idem_rec **items, size_t *n)
{
    struct stmt *s = stmt_get(c, STMT_IDEM_UNBOUND);
    stmt_text(s, 1, after_user);
    stmt_text(s, 2, after_key);
    return stmt_rows(s, sizeof **items, idem_read_one, idem_free_one, (void **)items, n);
}

enum err store_idem_delete(struct store_conn *c, const char *user_id, const char *key)
{
    struct stmt *s = stmt_get(c, STMT_IDEM_DELETE);
    stmt_text(s, 1, user_id);
    stmt_text(s, 2, key);
    return stmt_exec(s);
}

enum err store_idem_prune(struct store_conn *c, int64_t before)
{
    struct stmt *s = stmt_get(c, STMT_IDEM_PRUNE);
    stmt_int(s, 1, before);
    return stmt_exec(s);
}
