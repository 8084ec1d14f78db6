/* Cases, their concerns and survivors in the store. */
#include <stdlib.h>
#include <string.h>

#include "store/store_int.h"
#include "util/log.h"

#define CASE_LIST_MAX 501

void case_rec_free(struct case_rec *r)
{
    if (r == NULL)
        return;
    free(r->summary.p);
    free(r->employer.p);
    free(r->survivor.identity.p);
    free(r->survivor.demographics);
    memset(r, 0, sizeof(*r));
}

void case_list_free(struct case_rec *items, size_t n)
{
    for (size_t i = 0; i < n && items != NULL; i++)
        case_rec_free(&items[i]);
    free(items);
}

/* Splits the comma-separated concerns column into r->concerns. */
static void concerns_read(const char *text, struct case_rec *r)
{
    r->nconcerns = 0;
    while (text != NULL && *text != '\0' && r->nconcerns < CONCERNS_MAX) {
        const char *end = strchr(text, ',');
        size_t len = end != NULL ? (size_t)(end - text) : strlen(text);
        char *dst = r->concerns[r->nconcerns];
        if (len >= sizeof(r->concerns[0]))
            len = sizeof(r->concerns[0]) - 1;
        memcpy(dst, text, len);
        dst[len] = '\0';
        r->nconcerns++;
        text = end != NULL ? end + 1 : NULL;
    }
}

static void case_read(struct stmt *s, struct case_rec *r)
{
    col_copy(s, CASE_ID, r->id, sizeof(r->id));
    col_copy(s, CASE_CODE, r->code, sizeof(r->code));
    col_copy(s, CASE_ORGANIZATION_ID, r->organization_id, sizeof(r->organization_id));
    col_copy(s, CASE_GROUP_ID, r->group_id, sizeof(r->group_id));
    col_copy(s, CASE_LOCATION_CODE, r->location_code, sizeof(r->location_code));
    col_copy(s, CASE_STATUS, r->status, sizeof(r->status));
    col_blob(s, CASE_SUMMARY, &r->summary);
    col_copy(s, CASE_RISK, r->risk, sizeof(r->risk));
    r->urgent = stmt_col_int(s, CASE_URGENT) != 0;
    r->consent_to_contact = stmt_col_int(s, CASE_CONSENT_TO_CONTACT) != 0;
    col_copy(s, CASE_REPORTED_BY, r->reported_by, sizeof(r->reported_by));
    col_copy(s, CASE_ASSIGNED_TO, r->assigned_to, sizeof(r->assigned_to));
    col_copy(s, CASE_CREATED_AT, r->created_at, sizeof(r->created_at));
    col_copy(s, CASE_UPDATED_AT, r->updated_at, sizeof(r->updated_at));
    r->version = (int)stmt_col_int(s, CASE_VERSION);
    col_copy(s, CASE_CLOSURE_REQUESTED_BY, r->closure_requested_by,
             sizeof(r->closure_requested_by));
    col_copy(s, CASE_CLOSURE_REASON_CODE, r->closure_reason_code, sizeof(r->closure_reason_code));
    col_copy(s, CASE_AGENCY_ID, r->agency_id, sizeof(r->agency_id));
    col_blob(s, CASE_EMPLOYER, &r->employer);
    col_copy(s, CASE_ERASED_AT, r->erased_at, sizeof(r->erased_at));
    col_copy(s, CASE_ERASED_REASON, r->erased_reason, sizeof(r->erased_reason));
    concerns_read(stmt_col_text(s, CASE_CONCERNS), r);
}

enum err store_case_next_seq(struct store_conn *c, const char *prefix, int year, int *seq)
{
    *seq = 0;
    struct stmt *s = stmt_get(c, STMT_CASE_NEXT_SEQ);
    stmt_text(s, 1, prefix);
    stmt_int(s, 2, year);
    enum err e = stmt_one(s);
    if (e != ERR_OK)
        return e == ERR_NOT_FOUND ? ERR_INTERNAL : e;
    *seq = (int)stmt_col_int(s, 0);
    return stmt_exec(s); /* finishes the statement */
}

static enum err survivor_write(struct store_conn *c, enum stmt_id id, const char *case_id,
                               const struct survivor_rec *v)
{
    struct stmt *s = stmt_get(c, id);
    stmt_text(s, 1, case_id);
    stmt_blob(s, 2, v->identity.p, v->identity.len);
    stmt_text(s, 3, v->sex);
    if (v->age >= 0)
        stmt_int(s, 4, v->age);
    else
        stmt_null(s, 4);
    stmt_bool(s, 5, v->age_estimated);
    stmt_opt_text(s, 6, v->demographics);
    return stmt_exec(s);
}

static enum err concerns_insert(struct store_conn *c, const struct case_rec *r)
{
    enum err e = ERR_OK;
    for (int i = 0; e == ERR_OK && i < r->nconcerns && i < CONCERNS_MAX; i++) {
        struct stmt *s = stmt_get(c, STMT_CASE_CONCERN_INSERT);
        stmt_text(s, 1, r->id);
        stmt_text(s, 2, r->concerns[i]);
        stmt_int(s, 3, i);
        e = stmt_exec(s);
    }
    return e;
}

static enum err case_insert_write(struct store_conn *c, const struct case_rec *r)
{
    struct stmt *s = stmt_get(c, STMT_CASE_INSERT);
    stmt_text(s, 1, r->id);
    stmt_text(s, 2, r->code);
    stmt_opt_text(s, 3, r->organization_id);
    stmt_opt_text(s, 4, r->group_id);
    stmt_opt_text(s, 5, r->location_code);
    stmt_text(s, 6, r->status);
    stmt_blob(s, 7, r->summary.p, r->summary.len);
    stmt_opt_text(s, 8, r->risk);
    stmt_bool(s, 9, r->urgent);
    stmt_bool(s, 10, r->consent_to_contact);
    stmt_text(s, 11, r->reported_by);
    stmt_opt_text(s, 12, r->assigned_to);
    stmt_text(s, 13, r->created_at);
    stmt_text(s, 14, r->updated_at[0] != '\0' ? r->updated_at : r->created_at);
    stmt_int(s, 15, r->version > 0 ? r->version : 1);
    stmt_opt_text(s, 16, r->agency_id);
    stmt_blob(s, 17, r->employer.p, r->employer.len);
    stmt_opt_text(s, 18, r->closure_requested_by);
    stmt_opt_text(s, 19, r->closure_reason_code);
    enum err e = stmt_exec(s);
    if (e == ERR_OK)
        e = concerns_insert(c, r);
    if (e == ERR_OK && r->has_survivor)
        e = survivor_write(c, STMT_SURVIVOR_INSERT, r->id, &r->survivor);
    return e;
}

/* Inside a transaction (its own when none): the report cells it changes
 * are brought up to date by the commit (report.c). */
enum err store_case_insert(struct store_conn *c, const struct case_rec *r)
{
    bool own;
    enum err e = rc_enter(c, &own);
    if (e == ERR_OK) {
        e = rc_mark(c, RC_CASE, r->id);
    }
    if (e == ERR_OK)
        e = case_insert_write(c, r);
    return rc_leave(c, own, e);
}

static enum err case_update_write(struct store_conn *c, const struct case_rec *r)
{
    struct stmt *s = stmt_get(c, STMT_CASE_UPDATE);
    stmt_text(s, 1, r->id);
    stmt_int(s, 2, r->version);
    stmt_opt_text(s, 3, r->location_code);
    stmt_text(s, 4, r->status);
    stmt_blob(s, 5, r->summary.p, r->summary.len);
    stmt_opt_text(s, 6, r->risk);
    stmt_bool(s, 7, r->urgent);
    stmt_opt_text(s, 8, r->assigned_to);
    stmt_opt_text(s, 9, r->closure_requested_by);
    stmt_opt_text(s, 10, r->closure_reason_code);
    stmt_text(s, 11, r->updated_at);
    stmt_opt_text(s, 12, r->agency_id);
    stmt_blob(s, 13, r->employer.p, r->employer.len);
    enum err e = stmt_exec_versioned(s);
    if (e == ERR_OK) {
        s = stmt_get(c, STMT_CASE_CONCERN_DELETE);
        stmt_text(s, 1, r->id);
        e = stmt_exec(s);
    }
    if (e == ERR_OK)
        e = concerns_insert(c, r);
    if (e == ERR_OK && r->has_survivor)
        e = survivor_write(c, STMT_SURVIVOR_UPSERT, r->id, &r->survivor);
    return e;
}

/* Inside a transaction (its own when none): the report cells it changes
 * are brought up to date by the commit (report.c). */
enum err store_case_update(struct store_conn *c, const struct case_rec *r)
{
    bool own;
    enum err e = rc_enter(c, &own);
    if (e == ERR_OK) {
        e = rc_mark(c, RC_CASE, r->id);
    }
    if (e == ERR_OK)
        e = case_update_write(c, r);
    return rc_leave(c, own, e);
}

enum err store_survivor_keys_replace(struct store_conn *c, const char *case_id,
                                     const struct survivor_key *keys, size_t n)
{
    struct stmt *s = stmt_get(c, STMT_SURVIVOR_KEY_DELETE);
    stmt_text(s, 1, case_id);
    enum err e = stmt_exec(s);
    return e == ERR_OK ? store_survivor_keys_insert(c, case_id, keys, n) : e;
}

static enum err survivor_get(struct store_conn *c, struct case_rec *r)
{
    struct stmt *s = stmt_get(c, STMT_SURVIVOR_GET);
    stmt_text(s, 1, r->id);
    enum err e = stmt_one(s);
    if (e == ERR_NOT_FOUND)
        return ERR_OK;
    if (e != ERR_OK)
        return e;
    r->has_survivor = true;
    col_blob(s, SURVIVOR_IDENTITY, &r->survivor.identity);
    col_copy(s, SURVIVOR_SEX, r->survivor.sex, sizeof(r->survivor.sex));
    r->survivor.age = stmt_col_null(s, SURVIVOR_AGE) ? -1 : (int)stmt_col_int(s, SURVIVOR_AGE);
    r->survivor.age_estimated = stmt_col_int(s, SURVIVOR_AGE_ESTIMATED) != 0;
    r->survivor.demographics = col_dup(s, SURVIVOR_DEMOGRAPHICS);
    stmt_done(s);
    return ERR_OK;
}

static enum err case_get_by(struct store_conn *c, enum stmt_id id, const char *key,
                            struct case_rec *out)
{
    struct stmt *s = stmt_get(c, id);
    stmt_text(s, 1, key);
    /* Bound before out is cleared: the key may point into it. */
    memset(out, 0, sizeof(*out));
    out->survivor.age = -1;
    enum err e = stmt_one(s);
    if (e != ERR_OK)
        return e;
    case_read(s, out);
    stmt_done(s);
    e = survivor_get(c, out);
    if (e != ERR_OK)
        case_rec_free(out);
    return e;
}

enum err store_case_get(struct store_conn *c, const char *id, struct case_rec *out)
{
    return case_get_by(c, STMT_CASE_GET, id, out);
}

enum err store_case_by_code(struct store_conn *c, const char *code, struct case_rec *out)
{
    return case_get_by(c, STMT_CASE_BY_CODE, code, out);
}

/* The statement whose driving equality has an index: the narrowest scope
 * set wins. */
static enum stmt_id case_list_stmt(const struct case_filter *f)
{
    if (f->reported_by != NULL)
        return STMT_CASE_LIST_BY_REPORTER;
    if (f->group_id != NULL)
        return STMT_CASE_LIST_BY_GROUP;
    if (f->nname_keys > 0)
        return STMT_CASE_LIST_BY_NAME;
    if (f->organization_id != NULL)
        return STMT_CASE_LIST_BY_ORG;
    return STMT_CASE_LIST_ALL;
}

/* The filter's parts after the name keys (?17..?20). */
static void filter_bind_more(struct stmt *s, const struct case_filter *f)
{
    stmt_text(s, 17, f->assigned_to);
    stmt_text(s, 18, f->risk);
    if (f->urgent == 1 || f->urgent == 2)
        stmt_int(s, 19, f->urgent == 1);
    else
        stmt_null(s, 19);
    stmt_text(s, 20, f->overdue_on);
}

enum err store_case_count(struct store_conn *c, const struct case_filter *f, int *count)
{
    struct stmt *s = stmt_get(c, STMT_CASE_COUNT);
    *count = 0;
    stmt_text(s, 1, f->organization_id);
    stmt_text(s, 2, f->group_id);
    stmt_text(s, 3, f->reported_by);
    stmt_text(s, 4, f->assigned_or_open_for);
    stmt_text(s, 5, f->status);
    stmt_text(s, 6, f->concern);
    for (size_t i = 0; i < CASE_NAME_KEYS_MAX; i++)
        stmt_text(s, 11 + (int)i, i < f->nname_keys ? f->name_keys[i] : NULL);
    filter_bind_more(s, f);
    enum err e = stmt_one(s);
    if (e != ERR_OK)
        return e == ERR_NOT_FOUND ? ERR_INTERNAL : e;
    *count = (int)stmt_col_int(s, 0);
    stmt_done(s);
    return ERR_OK;
}

enum err store_case_list(struct store_conn *c, const struct case_filter *f, struct case_rec **items,
                         size_t *n)
{
    struct case_rec *list = NULL;
    size_t count = 0, cap = 0;
    bool row;
    enum err e;
    int limit = f->limit;

    *items = NULL;
    *n = 0;
    if (limit < 1 || limit > CASE_LIST_MAX || f->nname_keys > CASE_NAME_KEYS_MAX) {
        log_error("store: case list limit %d or %zu name keys out of range", limit, f->nname_keys);
        return ERR_INTERNAL;
    }
    struct stmt *s = stmt_get(c, case_list_stmt(f));
    stmt_text(s, 1, f->organization_id);
    stmt_text(s, 2, f->group_id);
    stmt_text(s, 3, f->reported_by);
    stmt_text(s, 4, f->assigned_or_open_for);
    stmt_text(s, 5, f->status);
    stmt_text(s, 6, f->concern);
    if (f->has_after) {
        stmt_bool(s, 7, f->after_urgent);
        stmt_text(s, 8, f->after_created_at);
        stmt_text(s, 9, f->after_id);
    } else {
        /* urgent is 0 or 1: (2, "", "") sorts above every row. */
        stmt_int(s, 7, 2);
        stmt_text(s, 8, "");
        stmt_text(s, 9, "");
    }
    stmt_int(s, 10, limit);
    for (size_t i = 0; i < CASE_NAME_KEYS_MAX; i++)
        stmt_text(s, 11 + (int)i, i < f->nname_keys ? f->name_keys[i] : NULL);
    filter_bind_more(s, f);
    while ((e = stmt_step(s, &row)) == ERR_OK && row) {
        struct case_rec *r = list_push((void **)&list, &count, &cap, sizeof(*list));
        case_read(s, r);
        r->survivor.age = -1;
    }
    stmt_done(s);
    if (e != ERR_OK) {
        case_list_free(list, count);
        return e;
    }
    *items = list;
    *n = count;
    return ERR_OK;
}

enum err store_survivor_keys_insert(struct store_conn *c, const char *case_id,
                                    const struct survivor_key *keys, size_t n)
{
    enum err e = ERR_OK;
    for (size_t i = 0; i < n && e == ERR_OK; i++) {
        struct stmt *s = stmt_get(c, STMT_SURVIVOR_KEY_INSERT);
        stmt_text(s, 1, case_id);
        stmt_text(s, 2, keys[i].kind);
        stmt_text(s, 3, keys[i].key);
        e = stmt_exec(s);
    }
    return e;
}

enum err store_survivor_match(struct store_conn *c, const struct case_filter *scope,
                              const char *kind, const char *const *keys, size_t n,
                              struct survivor_match **items, size_t *count)
{
    struct survivor_match *list = NULL;
    size_t len = 0, cap = 0;
    bool row;
    enum err e;

    *items = NULL;
    *count = 0;
    if (n < 1 || n > SURVIVOR_MATCH_MAX || scope->limit < 1 || scope->limit > CASE_LIST_MAX) {
        log_error("store: survivor match of %zu keys, limit %d out of range", n, scope->limit);
        return ERR_INTERNAL;
    }
    struct stmt *s = stmt_get(c, STMT_SURVIVOR_MATCH);
    stmt_text(s, 1, kind);
    stmt_text(s, 2, scope->organization_id);
    stmt_text(s, 3, scope->assigned_or_open_for);
    stmt_int(s, 4, scope->limit);
    for (size_t i = 0; i < SURVIVOR_MATCH_MAX; i++)
        stmt_text(s, 5 + (int)i, i < n ? keys[i] : NULL);
    while ((e = stmt_step(s, &row)) == ERR_OK && row) {
        struct survivor_match *m = list_push((void **)&list, &len, &cap, sizeof(*list));
        col_copy(s, MATCH_CASE_ID, m->id, sizeof(m->id));
        col_copy(s, MATCH_CODE, m->code, sizeof(m->code));
        col_copy(s, MATCH_SEX, m->sex, sizeof(m->sex));
        m->nkeys = (int)stmt_col_int(s, MATCH_N);
    }
    stmt_done(s);
    if (e != ERR_OK) {
        free(list);
        return e;
    }
    *items = list;
    *count = len;
    return ERR_OK;
}

/* ---- erasure ---- */

/* Each of the case's records, then what indexes or repeats them. */
const enum stmt_id store_erase_stmts[] = {
    STMT_ERASE_SURVIVOR,   STMT_ERASE_EVENTS,          STMT_ERASE_INCIDENTS,
    STMT_ERASE_NOTES,      STMT_ERASE_TASKS,           STMT_ERASE_CONSENTS,
    STMT_ERASE_REFERRALS,  STMT_ERASE_REFERRAL_EVENTS, STMT_SURVIVOR_KEY_DELETE,
    STMT_IDEM_DELETE_CASE,
};
const size_t store_nerase_stmts = sizeof store_erase_stmts / sizeof store_erase_stmts[0];

static enum err case_erase_write(struct store_conn *c, const char *id, const char *at,
                                 const char *reason)
{
    struct stmt *s = stmt_get(c, STMT_CASE_ERASE_MARK);
    stmt_text(s, 1, id);
    stmt_text(s, 2, at);
    stmt_text(s, 3, reason);
    enum err e = stmt_exec(s);
    if (e == ERR_OK && stmt_changes(c) != 1)
        e = ERR_CONFLICT;
    for (size_t i = 0; e == ERR_OK && i < store_nerase_stmts; i++) {
        s = stmt_get(c, store_erase_stmts[i]);
        stmt_text(s, 1, id);
        e = stmt_exec(s);
    }
    return e;
}

/* Inside a transaction (its own when none): the report cells it changes
 * are brought up to date by the commit (report.c). */
enum err store_case_erase(struct store_conn *c, const char *id, const char *at, const char *reason)
{
    bool own;
    enum err e = rc_enter(c, &own);
    if (e == ERR_OK) {
        e = rc_mark(c, RC_CASE, id);
    }
    if (e == ERR_OK)
        e = case_erase_write(c, id, at, reason);
    return rc_leave(c, own, e);
}

enum err store_case_retention(struct store_conn *c, const char *before, const char *after_id,
                              int limit, char (*ids)[ID_SIZE], size_t *n)
{
    *n = 0;
    struct stmt *s = stmt_get(c, STMT_CASE_RETENTION);
    stmt_text(s, 1, before);
    stmt_text(s, 2, after_id);
    stmt_int(s, 3, limit);
    bool row = false;
    enum err e;
    while ((e = stmt_step(s, &row)) == ERR_OK && row && *n < (size_t)limit)
        col_copy(s, 0, ids[(*n)++], ID_SIZE);
    stmt_done(s);
    return e;
}
