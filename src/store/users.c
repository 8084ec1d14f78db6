/* Users, sessions and failed sign-ins in the store. */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "store/store_int.h"
#include "util/alloc.h"

void user_rec_free(struct user_rec *r)
{
    if (r == NULL)
        return;
    free(r->display_name);
    memset(r, 0, sizeof(*r));
}

void user_list_free(struct user_rec *items, size_t n)
{
    for (size_t i = 0; i < n && items != NULL; i++)
        user_rec_free(&items[i]);
    free(items);
}

static void user_read(struct stmt *s, struct user_rec *r)
{
    col_copy(s, USER_ID, r->id, sizeof(r->id));
    col_copy(s, USER_USERNAME, r->username, sizeof(r->username));
    col_copy(s, USER_ROLE, r->role, sizeof(r->role));
    r->display_name = col_dup(s, USER_DISPLAY_NAME);
    col_copy(s, USER_ORGANIZATION_ID, r->organization_id, sizeof(r->organization_id));
    col_copy(s, USER_GROUP_ID, r->group_id, sizeof(r->group_id));
    col_copy(s, USER_LOCALE, r->locale, sizeof(r->locale));
    r->active = stmt_col_int(s, USER_ACTIVE) != 0;
    col_copy(s, USER_CREATED_AT, r->created_at, sizeof(r->created_at));
    col_copy(s, USER_UPDATED_AT, r->updated_at, sizeof(r->updated_at));
    r->version = (int)stmt_col_int(s, USER_VERSION);
    col_copy(s, USER_MEMBER_ID, r->member_id, sizeof(r->member_id));
    r->pending = stmt_col_int(s, USER_PENDING) != 0;
    col_copy(s, USER_REQUESTED_BY, r->requested_by, sizeof(r->requested_by));
}

enum err store_user_insert(struct store_conn *c, const struct user_rec *r,
                           const char *password_hash)
{
    struct stmt *s = stmt_get(c, STMT_USER_INSERT);
    stmt_text(s, 1, r->id);
    stmt_text(s, 2, r->username);
    stmt_text(s, 3, r->role);
    stmt_text(s, 4, r->display_name != NULL ? r->display_name : "");
    stmt_opt_text(s, 5, r->organization_id);
    stmt_opt_text(s, 6, r->group_id);
    stmt_text(s, 7, r->locale[0] != '\0' ? r->locale : "km");
    stmt_bool(s, 8, r->active);
    stmt_text(s, 9, r->created_at);
    stmt_text(s, 10, r->updated_at[0] != '\0' ? r->updated_at : r->created_at);
    stmt_int(s, 11, r->version > 0 ? r->version : 1);
    stmt_text(s, 12, password_hash);
    stmt_opt_text(s, 13, r->member_id);
    stmt_bool(s, 14, r->pending);
    stmt_opt_text(s, 15, r->requested_by);
    return stmt_exec(s);
}

enum err store_user_approve(struct store_conn *c, const struct user_rec *r)
{
    struct stmt *s = stmt_get(c, STMT_USER_APPROVE);
    stmt_text(s, 1, r->id);
    stmt_int(s, 2, r->version);
    stmt_text(s, 3, r->updated_at);
    return stmt_exec_versioned(s);
}

enum err store_user_update(struct store_conn *c, const struct user_rec *r)
{
    struct stmt *s = stmt_get(c, STMT_USER_UPDATE);
    stmt_text(s, 1, r->id);
    stmt_int(s, 2, r->version);
    stmt_text(s, 3, r->role);
    stmt_text(s, 4, r->display_name != NULL ? r->display_name : "");
    stmt_opt_text(s, 5, r->organization_id);
    stmt_opt_text(s, 6, r->group_id);
    stmt_opt_text(s, 7, r->member_id);
    stmt_bool(s, 8, r->active);
    stmt_bool(s, 9, r->pending);
    stmt_opt_text(s, 10, r->requested_by);
    stmt_text(s, 11, r->updated_at);
    return stmt_exec_versioned(s);
}

enum err store_user_get(struct store_conn *c, const char *id, struct user_rec *out)
{
    struct stmt *s = stmt_get(c, STMT_USER_GET);
    stmt_text(s, 1, id);
    /* Bound before out is cleared: the key may point into it. */
    memset(out, 0, sizeof(*out));
    enum err e = stmt_one(s);
    if (e != ERR_OK)
        return e;
    user_read(s, out);
    stmt_done(s);
    return ERR_OK;
}

enum err store_user_by_username(struct store_conn *c, const char *username, struct user_rec *out,
                                char **password_hash)
{
    struct stmt *s = stmt_get(c, STMT_USER_BY_USERNAME);
    stmt_text(s, 1, username);
    /* Bound before out is cleared: the key may point into it. */
    memset(out, 0, sizeof(*out));
    if (password_hash != NULL)
        *password_hash = NULL;
    enum err e = stmt_one(s);
    if (e != ERR_OK)
        return e;
    user_read(s, out);
    if (password_hash != NULL)
        *password_hash = col_dup(s, USER_PASSWORD_HASH);
    stmt_done(s);
    return ERR_OK;
}

enum err store_user_list(struct store_conn *c, const char *organization_id, struct user_rec **items,
                         size_t *n)
{
    struct user_rec *list = NULL;
    size_t count = 0, cap = 0;
    bool row;
    enum err e;
    struct stmt *s = stmt_get(c, STMT_USER_LIST);
    *items = NULL;
    *n = 0;
    stmt_opt_text(s, 1, organization_id);
    while ((e = stmt_step(s, &row)) == ERR_OK && row)
        user_read(s, list_push((void **)&list, &count, &cap, sizeof(*list)));
    stmt_done(s);
    if (e != ERR_OK) {
        user_list_free(list, count);
        return e;
    }
    *items = list;
    *n = count;
    return ERR_OK;
}

/* ---- sessions ---- */

enum err store_session_insert(struct store_conn *c, const struct session_rec *r)
{
    struct stmt *s = stmt_get(c, STMT_SESSION_INSERT);
    stmt_blob(s, 1, r->token_hash, sizeof(r->token_hash));
    stmt_text(s, 2, r->user_id);
    stmt_text(s, 3, r->kind);
    stmt_text(s, 4, r->csrf);
    stmt_int(s, 5, r->created_at);
    stmt_int(s, 6, r->last_seen);
    stmt_bool(s, 7, r->enrol_only);
    return stmt_exec(s);
}

enum err store_session_get(struct store_conn *c, const unsigned char token_hash[32],
                           struct session_rec *out)
{
    struct stmt *s = stmt_get(c, STMT_SESSION_GET);
    stmt_blob(s, 1, token_hash, 32);
    /* Bound before out is cleared: the key may point into it. */
    memset(out, 0, sizeof(*out));
    enum err e = stmt_one(s);
    if (e != ERR_OK)
        return e;
    size_t len;
    const unsigned char *p = stmt_col_blob(s, SESSION_TOKEN_HASH, &len);
    if (p != NULL && len == sizeof(out->token_hash))
        memcpy(out->token_hash, p, len);
    col_copy(s, SESSION_USER_ID, out->user_id, sizeof(out->user_id));
    col_copy(s, SESSION_KIND, out->kind, sizeof(out->kind));
    col_copy(s, SESSION_CSRF, out->csrf, sizeof(out->csrf));
    out->created_at = stmt_col_int(s, SESSION_CREATED_AT);
    out->last_seen = stmt_col_int(s, SESSION_LAST_SEEN);
    out->enrol_only = stmt_col_int(s, SESSION_ENROL_ONLY) != 0;
    stmt_done(s);
    return ERR_OK;
}

enum err store_login_gate_take(struct store_conn *c, const char *user_key, int64_t until,
                               int64_t now, bool *taken)
{
    *taken = false;
    struct stmt *s = stmt_get(c, STMT_LOGIN_GATE_TAKE);
    stmt_text(s, 1, user_key);
    stmt_int(s, 2, until);
    stmt_int(s, 3, now);
    enum err e = stmt_exec(s);
    if (e == ERR_OK)
        *taken = stmt_changes(c) == 1;
    return e;
}

enum err store_login_gate_release(struct store_conn *c, const char *user_key, int64_t until)
{
    struct stmt *s = stmt_get(c, STMT_LOGIN_GATE_RELEASE);
    stmt_text(s, 1, user_key);
    stmt_int(s, 2, until);
    return stmt_exec(s);
}

/* Runs a statement keyed by a token hash; ERR_NOT_FOUND when no row changed. */
static enum err by_token(struct store_conn *c, struct stmt *s)
{
    enum err e = stmt_exec(s);
    if (e == ERR_OK && stmt_changes(c) == 0)
        return ERR_NOT_FOUND;
    return e;
}

enum err store_session_touch(struct store_conn *c, const unsigned char token_hash[32], int64_t now)
{
    struct stmt *s = stmt_get(c, STMT_SESSION_TOUCH);
    stmt_blob(s, 1, token_hash, 32);
    stmt_int(s, 2, now);
    return by_token(c, s);
}

enum err store_session_delete(struct store_conn *c, const unsigned char token_hash[32])
{
    struct stmt *s = stmt_get(c, STMT_SESSION_DELETE);
    stmt_blob(s, 1, token_hash, 32);
    return by_token(c, s);
}

enum err store_session_unrestrict(struct store_conn *c, const unsigned char token_hash[32])
{
    struct stmt *s = stmt_get(c, STMT_SESSION_UNRESTRICT);
    stmt_blob(s, 1, token_hash, 32);
    return by_token(c, s);
}

enum err store_session_delete_user(struct store_conn *c, const char *user_id, int *n)
{
    struct stmt *s = stmt_get(c, STMT_SESSION_DELETE_USER);
    stmt_text(s, 1, user_id);
    enum err e = stmt_exec(s);
    if (n != NULL)
        *n = e == ERR_OK ? (int)stmt_changes(c) : 0;
    return e;
}

enum err store_session_expire(struct store_conn *c, int64_t idle_before, int64_t abs_before)
{
    struct stmt *s = stmt_get(c, STMT_SESSION_EXPIRE);
    stmt_int(s, 1, idle_before);
    stmt_int(s, 2, abs_before);
    return stmt_exec(s);
}

/* ---- TOTP secrets ---- */

void totp_rec_free(struct totp_rec *r)
{
    if (r == NULL)
        return;
    if (r->secret.p != NULL)
        sodium_memzero(r->secret.p, r->secret.len);
    free(r->secret.p);
    memset(r, 0, sizeof(*r));
}

enum err store_totp_get(struct store_conn *c, const char *user_id, struct totp_rec *out)
{
    struct stmt *s = stmt_get(c, STMT_TOTP_GET);
    stmt_text(s, 1, user_id);
    memset(out, 0, sizeof(*out));
    enum err e = stmt_one(s);
    if (e != ERR_OK)
        return e;
    col_copy(s, 0, out->user_id, sizeof(out->user_id));
    col_blob(s, 1, &out->secret);
    out->confirmed = stmt_col_int(s, 2) != 0;
    out->last_step = stmt_col_int(s, 3);
    col_copy(s, 4, out->created_at, sizeof(out->created_at));
    stmt_done(s);
    return ERR_OK;
}

enum err store_totp_put(struct store_conn *c, const struct totp_rec *r)
{
    struct stmt *s = stmt_get(c, STMT_TOTP_PUT);
    stmt_text(s, 1, r->user_id);
    stmt_blob(s, 2, r->secret.p, r->secret.len);
    stmt_bool(s, 3, r->confirmed);
    stmt_int(s, 4, r->last_step);
    stmt_text(s, 5, r->created_at);
    return stmt_exec(s);
}

enum err store_totp_use(struct store_conn *c, const char *user_id, int64_t step, bool confirm)
{
    struct stmt *s = stmt_get(c, STMT_TOTP_USE);
    stmt_text(s, 1, user_id);
    stmt_int(s, 2, step);
    stmt_int(s, 3, confirm ? 1 : 0);
    return stmt_exec_versioned(s);
}

enum err store_totp_delete(struct store_conn *c, const char *user_id, int *n)
{
    struct stmt *s = stmt_get(c, STMT_TOTP_DELETE);
    stmt_text(s, 1, user_id);
    enum err e = stmt_exec(s);
    if (n != NULL)
        *n = e == ERR_OK ? (int)stmt_changes(c) : 0;
    return e;
}

/* ---- failed sign-ins ---- */

enum err store_login_failure_add(struct store_conn *c, const char *user_key, const char *addr_key,
                                 int64_t at)
{
    struct stmt *s = stmt_get(c, STMT_LOGIN_FAILURE_ADD);
    stmt_text(s, 1, user_key);
    stmt_text(s, 2, addr_key);
    stmt_int(s, 3, at);
    return stmt_exec(s);
}

enum err store_login_failure_count(struct store_conn *c, const char *user_key, const char *addr_key,
                                   int64_t since, int *by_user, int *by_addr)
{
    *by_user = 0;
    *by_addr = 0;
    struct stmt *s = stmt_get(c, STMT_LOGIN_FAILURE_COUNT);
    stmt_text(s, 1, user_key != NULL ? user_key : "");
    stmt_text(s, 2, addr_key != NULL ? addr_key : "");
    stmt_int(s, 3, since);
    enum err e = stmt_one(s);
    if (e != ERR_OK)
        return e == ERR_NOT_FOUND ? ERR_INTERNAL : e;
    *by_user = (int)stmt_col_int(s, 0);
    *by_addr = (int)stmt_col_int(s, 1);
    stmt_done(s);
    return ERR_OK;
}

enum err store_login_failure_prune(struct store_conn *c, int64_t before)
{
    struct stmt *s = stmt_get(c, STMT_LOGIN_FAILURE_PRUNE);
    stmt_int(s, 1, before);
    return stmt_exec(s);
}
