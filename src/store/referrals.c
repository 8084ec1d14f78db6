/* Consent records and referrals in the store (store.h): their rows, a
 * referral's moves and the wrong codes tried on its slip. */
#include <stdlib.h>
#include <string.h>

#include "store/store_int.h"
#include "util/alloc.h"
#include "util/log.h"

/* ---- consents ---- */

void consent_rec_free(struct consent_rec *r)
{
    if (r == NULL)
        return;
    free(r->withdraw_reason.p);
    memset(r, 0, sizeof *r);
}

void consent_list_free(struct consent_rec *items, size_t n)
{
    for (size_t i = 0; i < n && items != NULL; i++)
        consent_rec_free(&items[i]);
    free(items);
}

static enum err consent_insert_write(struct store_conn *c, const struct consent_rec *r)
{
    struct stmt *s = stmt_get(c, STMT_CONSENT_INSERT);
    stmt_text(s, 1, r->id);
    stmt_text(s, 2, r->case_id);
    stmt_text(s, 3, r->purpose);
    stmt_opt_text(s, 4, r->organization_id);
    stmt_opt_text(s, 5, r->service_type);
    stmt_bool(s, 6, r->given);
    stmt_text(s, 7, r->method);
    stmt_text(s, 8, r->given_by);
    stmt_text(s, 9, r->recorded_by);
    stmt_text(s, 10, r->created_at);
    return stmt_exec(s);
}

/* Inside a transaction (its own when none): the report cells it changes
 * are brought up to date by the commit (report.c). */
enum err store_consent_insert(struct store_conn *c, const struct consent_rec *r)
{
    bool own;
    enum err e = rc_enter(c, &own);
    if (e == ERR_OK) {
        e = rc_mark(c, RC_CASE, r->case_id);
    }
    if (e == ERR_OK)
        e = consent_insert_write(c, r);
    return rc_leave(c, own, e);
}

static void consent_read(struct stmt *s, void *p)
{
    struct consent_rec *r = p;
    col_copy(s, CONSENT_ID, r->id, sizeof r->id);
    r->seq = stmt_col_int(s, CONSENT_SEQ);
    col_copy(s, CONSENT_CASE_ID, r->case_id, sizeof r->case_id);
    col_copy(s, CONSENT_PURPOSE, r->purpose, sizeof r->purpose);
    col_copy(s, CONSENT_ORGANIZATION_ID, r->organization_id, sizeof r->organization_id);
    col_copy(s, CONSENT_SERVICE_TYPE, r->service_type, sizeof r->service_type);
    r->given = stmt_col_int(s, CONSENT_GIVEN) != 0;
    col_copy(s, CONSENT_METHOD, r->method, sizeof r->method);
    col_copy(s, CONSENT_GIVEN_BY, r->given_by, sizeof r->given_by);
    col_copy(s, CONSENT_RECORDED_BY, r->recorded_by, sizeof r->recorded_by);
    col_copy(s, CONSENT_CREATED_AT, r->created_at, sizeof r->created_at);
    col_copy(s, CONSENT_WITHDRAWN_AT, r->withdrawn_at, sizeof r->withdrawn_at);
    col_copy(s, CONSENT_WITHDRAWN_BY, r->withdrawn_by, sizeof r->withdrawn_by);
    col_blob(s, CONSENT_WITHDRAW_REASON, &r->withdraw_reason);
}

static void consent_free_one(void *p)
{
    consent_rec_free(p);
}

enum err store_consent_get(struct store_conn *c, const char *id, struct consent_rec *out)
{
    struct stmt *s = stmt_get(c, STMT_CONSENT_GET);
    stmt_text(s, 1, id);
    memset(out, 0, sizeof *out);
    enum err e = stmt_one(s);
    if (e != ERR_OK)
        return e;
    consent_read(s, out);
    stmt_done(s);
    return ERR_OK;
}

enum err store_consent_list(struct store_conn *c, const char *case_id, struct consent_rec **items,
                            size_t *n)
{
    struct stmt *s = stmt_get(c, STMT_CONSENT_LIST);
    stmt_text(s, 1, case_id);
    return stmt_rows(s, sizeof **items, consent_read, consent_free_one, (void **)items, n);
}

static enum err consent_withdraw_write(struct store_conn *c, const struct consent_rec *r)
{
    struct stmt *s = stmt_get(c, STMT_CONSENT_WITHDRAW);
    stmt_text(s, 1, r->id);
    stmt_text(s, 2, r->withdrawn_at);
    stmt_text(s, 3, r->withdrawn_by);
    if (r->withdraw_reason.len > 0)
        stmt_blob(s, 4, r->withdraw_reason.p, r->withdraw_reason.len);
    else
        stmt_null(s, 4);
    enum err e = stmt_exec(s);
    if (e == ERR_OK && stmt_changes(c) == 0)
        return ERR_CONFLICT; /* already withdrawn */
    return e;
}

/* Inside a transaction (its own when none): the report cells it changes
 * are brought up to date by the commit (report.c). */
enum err store_consent_withdraw(struct store_conn *c, const struct consent_rec *r)
{
    bool own;
    enum err e = rc_enter(c, &own);
    if (e == ERR_OK) {
        e = rc_mark_case_of(c, STMT_RC_CASE_OF_CONSENT, r->id);
    }
    if (e == ERR_OK)
        e = consent_withdraw_write(c, r);
    return rc_leave(c, own, e);
}

/* ---- referrals ---- */

void referral_rec_free(struct referral_rec *r)
{
    if (r == NULL)
        return;
    free(r->reason.p);
    free(r->override_reason.p);
    free(r->slip_code.p);
    free(r->contact);
    free(r->contact_sealed.p);
    memset(r, 0, sizeof *r);
}

void referral_list_free(struct referral_rec *items, size_t n)
{
    for (size_t i = 0; i < n && items != NULL; i++)
        referral_rec_free(&items[i]);
    free(items);
}

static enum err referral_insert_write(struct store_conn *c, const struct referral_rec *r)
{
    struct stmt *s = stmt_get(c, STMT_REFERRAL_INSERT);
    stmt_text(s, 1, r->id);
    stmt_text(s, 2, r->case_id);
    stmt_text(s, 3, r->service_id);
    stmt_text(s, 4, r->organization_id);
    stmt_text(s, 5, r->service_type);
    stmt_text(s, 6, r->status);
    stmt_text(s, 7, r->urgency);
    stmt_blob(s, 8, r->reason.p, r->reason.len);
    stmt_bool(s, 9, r->consent_override);
    if (r->override_reason.len > 0)
        stmt_blob(s, 10, r->override_reason.p, r->override_reason.len);
    else
        stmt_null(s, 10);
    stmt_blob(s, 11, r->slip_code.p, r->slip_code.len);
    stmt_opt_text(s, 12, r->contact);
    stmt_text(s, 13, r->created_by);
    stmt_text(s, 14, r->created_at);
    stmt_text(s, 15, r->updated_at[0] != '\0' ? r->updated_at : r->created_at);
    stmt_text(s, 16, r->due_at);
    stmt_int(s, 17, r->version > 0 ? r->version : 1);
    stmt_blob(s, 18, r->contact_sealed.p, r->contact_sealed.len);
    return stmt_exec(s);
}

/* Inside a transaction (its own when none): the report cells it changes
 * are brought up to date by the commit (report.c). */
enum err store_referral_insert(struct store_conn *c, const struct referral_rec *r)
{
    bool own;
    enum err e = rc_enter(c, &own);
    if (e == ERR_OK) {
        e = rc_mark(c, RC_CASE, r->case_id);
    }
    if (e == ERR_OK)
        e = referral_insert_write(c, r);
    return rc_leave(c, own, e);
}

static void referral_read(struct stmt *s, void *p)
{
    struct referral_rec *r = p;
    col_copy(s, REFERRAL_ID, r->id, sizeof r->id);
    col_copy(s, REFERRAL_CASE_ID, r->case_id, sizeof r->case_id);
    col_copy(s, REFERRAL_SERVICE_ID, r->service_id, sizeof r->service_id);
    col_copy(s, REFERRAL_ORGANIZATION_ID, r->organization_id, sizeof r->organization_id);
    col_copy(s, REFERRAL_SERVICE_TYPE, r->service_type, sizeof r->service_type);
    col_copy(s, REFERRAL_STATUS, r->status, sizeof r->status);
    col_copy(s, REFERRAL_URGENCY, r->urgency, sizeof r->urgency);
    col_blob(s, REFERRAL_REASON, &r->reason);
    r->consent_override = stmt_col_int(s, REFERRAL_CONSENT_OVERRIDE) != 0;
    col_blob(s, REFERRAL_OVERRIDE_REASON, &r->override_reason);
    col_blob(s, REFERRAL_SLIP_CODE, &r->slip_code);
    r->contact = stmt_col_null(s, REFERRAL_CONTACT) ? NULL : col_dup(s, REFERRAL_CONTACT);
    col_blob(s, REFERRAL_CONTACT_SEALED, &r->contact_sealed);
    col_copy(s, REFERRAL_CREATED_BY, r->created_by, sizeof r->created_by);
    col_copy(s, REFERRAL_CREATED_AT, r->created_at, sizeof r->created_at);
    col_copy(s, REFERRAL_UPDATED_AT, r->updated_at, sizeof r->updated_at);
    col_copy(s, REFERRAL_DUE_AT, r->due_at, sizeof r->due_at);
    r->version = (int)stmt_col_int(s, REFERRAL_VERSION);
    col_copy(s, REFERRAL_CASE_CODE, r->case_code, sizeof r->case_code);
    col_copy(s, REFERRAL_CASE_ORGANIZATION_ID, r->case_organization_id,
             sizeof r->case_organization_id);
    col_copy(s, REFERRAL_CASE_ASSIGNED_TO, r->case_assigned_to, sizeof r->case_assigned_to);
    col_copy(s, REFERRAL_CASE_LOCATION_CODE, r->case_location_code, sizeof r->case_location_code);
}

static void referral_free_one(void *p)
{
    referral_rec_free(p);
}

enum err store_referral_get(struct store_conn *c, const char *id, struct referral_rec *out)
{
    struct stmt *s = stmt_get(c, STMT_REFERRAL_GET);
    stmt_text(s, 1, id);
    memset(out, 0, sizeof *out);
    enum err e = stmt_one(s);
    if (e != ERR_OK)
        return e;
    referral_read(s, out);
    stmt_done(s);
    return ERR_OK;
}

enum err store_referral_lock(struct store_conn *c, const char *id)
{
    struct stmt *s = stmt_get(c, STMT_REFERRAL_LOCK);
    stmt_text(s, 1, id);
    enum err e = stmt_one(s);
    if (e == ERR_OK)
        stmt_done(s);
    return e;
}

static enum err referral_update_write(struct store_conn *c, const struct referral_rec *r)
{
    struct stmt *s = stmt_get(c, STMT_REFERRAL_UPDATE);
    stmt_text(s, 1, r->id);
    stmt_int(s, 2, r->version);
    stmt_text(s, 3, r->status);
    stmt_text(s, 4, r->updated_at);
    return stmt_exec_versioned(s);
}

/* Inside a transaction (its own when none): the report cells it changes
 * are brought up to date by the commit (report.c). */
enum err store_referral_update(struct store_conn *c, const struct referral_rec *r)
{
    bool own;
    enum err e = rc_enter(c, &own);
    if (e == ERR_OK) {
        e = rc_mark_case_of(c, STMT_RC_CASE_OF_REFERRAL, r->id);
    }
    if (e == ERR_OK)
        e = referral_update_write(c, r);
    return rc_leave(c, own, e);
}

/* NULL does not bound; "" binds as itself and matches nothing (store.h). */
static void referral_bind_filter(struct stmt *s, const struct referral_filter *f)
{
    stmt_text(s, 1, f->organization_id);
    stmt_text(s, 2, f->case_organization_id);
    stmt_text(s, 3, f->case_assigned_to);
    stmt_text(s, 4, f->case_assigned_or_open_for);
    stmt_text(s, 5, f->case_id);
    stmt_text(s, 6, f->status);
    stmt_text(s, 7, f->overdue_at);
}

enum err store_referral_list(struct store_conn *c, const struct referral_filter *f,
                             struct referral_rec **items, size_t *n)
{
    if (f->limit < 1 || f->limit > 501) {
        log_error("store: referral list limit %d out of range", f->limit);
        *items = NULL;
        *n = 0;
        return ERR_INTERNAL;
    }
    struct stmt *s = stmt_get(c, STMT_REFERRAL_LIST);
    referral_bind_filter(s, f);
    /* "~" sorts after every time stamp: the first page starts above all. */
    stmt_text(s, 8, f->has_after ? f->after_created_at : "~");
    stmt_text(s, 9, f->has_after ? f->after_id : "~");
    stmt_int(s, 10, f->limit);
    return stmt_rows(s, sizeof **items, referral_read, referral_free_one, (void **)items, n);
}

enum err store_referral_count(struct store_conn *c, const struct referral_filter *f, int *count)
{
    struct stmt *s = stmt_get(c, STMT_REFERRAL_COUNT);
    referral_bind_filter(s, f);
    *count = 0;
    enum err e = stmt_one(s);
    if (e != ERR_OK)
        return e;
    *count = (int)stmt_col_int(s, 0);
    stmt_done(s);
    return ERR_OK;
}

/* ---- a referral's moves, its slip's wrong codes ---- */

void referral_event_rec_free(struct referral_event_rec *r)
{
    if (r == NULL)
        return;
    free(r->note.p);
    memset(r, 0, sizeof *r);
}

void referral_event_list_free(struct referral_event_rec *items, size_t n)
{
    for (size_t i = 0; i < n && items != NULL; i++)
        referral_event_rec_free(&items[i]);
    free(items);
}

static enum err referral_event_insert_write(struct store_conn *c,
                                            const struct referral_event_rec *r)
{
    struct stmt *s = stmt_get(c, STMT_REFERRAL_EVENT_INSERT);
    stmt_text(s, 1, r->referral_id);
    stmt_text(s, 2, r->at);
    stmt_opt_text(s, 3, r->user_id);
    stmt_text(s, 4, r->status);
    if (r->note.len > 0)
        stmt_blob(s, 5, r->note.p, r->note.len);
    else
        stmt_null(s, 5);
    return stmt_exec(s);
}

/* Inside a transaction (its own when none): the report cells it changes
 * are brought up to date by the commit (report.c). */
enum err store_referral_event_insert(struct store_conn *c, const struct referral_event_rec *r)
{
    bool own;
    enum err e = rc_enter(c, &own);
    if (e == ERR_OK) {
        e = rc_mark_case_of(c, STMT_RC_CASE_OF_REFERRAL, r->referral_id);
    }
    if (e == ERR_OK)
        e = referral_event_insert_write(c, r);
    return rc_leave(c, own, e);
}

static void refevent_read(struct stmt *s, void *p)
{
    struct referral_event_rec *r = p;
    r->seq = stmt_col_int(s, REFEVENT_SEQ);
    col_copy(s, REFEVENT_REFERRAL_ID, r->referral_id, sizeof r->referral_id);
    col_copy(s, REFEVENT_AT, r->at, sizeof r->at);
    col_copy(s, REFEVENT_USER_ID, r->user_id, sizeof r->user_id);
    col_copy(s, REFEVENT_STATUS, r->status, sizeof r->status);
    col_blob(s, REFEVENT_NOTE, &r->note);
}

static void refevent_free_one(void *p)
{
    referral_event_rec_free(p);
}

enum err store_referral_event_list(struct store_conn *c, const char *referral_id,
                                   struct referral_event_rec **items, size_t *n)
{
    struct stmt *s = stmt_get(c, STMT_REFERRAL_EVENT_LIST);
    stmt_text(s, 1, referral_id);
    return stmt_rows(s, sizeof **items, refevent_read, refevent_free_one, (void **)items, n);
}

enum err store_slip_failure_add(struct store_conn *c, const char *referral_id, int64_t at,
                                const char *user_id)
{
    struct stmt *s = stmt_get(c, STMT_SLIP_FAILURE_ADD);
    stmt_text(s, 1, referral_id);
    stmt_int(s, 2, at);
    stmt_opt_text(s, 3, user_id);
    return stmt_exec(s);
}

enum err store_slip_failure_count(struct store_conn *c, const char *referral_id, int64_t since,
                                  int *count)
{
    struct stmt *s = stmt_get(c, STMT_SLIP_FAILURE_COUNT);
    stmt_text(s, 1, referral_id);
    stmt_int(s, 2, since);
    *count = 0;
    enum err e = stmt_one(s);
    if (e != ERR_OK)
        return e;
    *count = (int)stmt_col_int(s, 0);
    stmt_done(s);
    return ERR_OK;
}

enum err store_referral_plain_contacts(struct store_conn *c, struct referral_contact **out,
                                       size_t *n)
{
    *out = NULL;
    *n = 0;
    size_t cap = 0;
    struct stmt *s = stmt_get(c, STMT_REFERRAL_PLAIN_CONTACT);
    bool row;
    enum err e;
    while ((e = stmt_step(s, &row)) == ERR_OK && row) {
        struct referral_contact *r = list_push((void **)out, n, &cap, sizeof **out);
        col_copy(s, 0, r->id, sizeof r->id);
        col_copy(s, 1, r->case_id, sizeof r->case_id);
        r->contact = col_dup(s, 2);
    }
    stmt_done(s);
    if (e != ERR_OK) {
        referral_contacts_free(*out, *n);
        *out = NULL;
        *n = 0;
    }
    return e;
}

void referral_contacts_free(struct referral_contact *items, size_t n)
{
    for (size_t i = 0; items != NULL && i < n; i++)
        wipe_free(items[i].contact);
    free(items);
}

enum err store_referral_seal_contact(struct store_conn *c, const char *id, const char *plain,
                                     const struct blob *sealed)
{
    struct stmt *s = stmt_get(c, STMT_REFERRAL_SEAL_CONTACT);
    stmt_text(s, 1, id);
    stmt_text(s, 2, plain);
    stmt_blob(s, 3, sealed->p, sealed->len);
    return stmt_exec(s);
}
