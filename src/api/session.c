/* POST/DELETE /api/v1/session, GET /api/v1/me and DELETE /api/v1/me/sessions. */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "api/handlers.h"
#include "api/json_io.h"
#include "app.h"
#include "domain/totp.h"
#include "domain/users.h"

void api_session_create(struct req *r, struct resp *w)
{
    struct fielderrs fe = {0};
    json_t *body = api_body(r, w);
    if (body == NULL)
        return;
    const char *username = jin_str(body, "username", "username", &fe);
    const char *password = jin_str(body, "password", "password", &fe);
    const char *totp = jin_str(body, "totp", "totp", &fe);
    if (username == NULL)
        fielderr(&fe, "username", "required");
    if (password == NULL)
        fielderr(&fe, "password", "required");
    if (fe.n > 0) {
        api_error(w, ERR_VALIDATION, &fe);
        goto out;
    }
    char token[TOKEN_SIZE];
    struct actor a = {0};
    struct ctx cx = {.db = r->db, .key = r->app->key};
    struct login_factor f;
    totp_login_factor(&cx, totp, &f);
    enum err e = auth_login_factor(r->db, r->app->key, username, password, r->client_addr,
                                   SESSION_API, &f, token, &a);
    if (e != ERR_OK) {
        api_error(w, e, NULL);
        goto out;
    }
    user_name_open(r->app->key, &a.user);
    resp_json(w, 201,
              json_pack("{s:s, s:o, s:b}", "token", token, "user", json_user(&a.user), "enrol_only",
                        a.enrol_only));
    sodium_memzero(token, sizeof token);
    actor_free(&a);
out:
    json_decref(body);
}

void api_session_delete(struct req *r, struct resp *w)
{
    if (r->actor == NULL) {
        resp_error(w, ERR_UNAUTHENTICATED, NULL);
        return;
    }
    enum err e = auth_logout(r->db, r->actor->token_hash);
    if (e != ERR_OK) {
        api_error(w, e, NULL);
        return;
    }
    w->status = 204;
}

/* DELETE /api/v1/me/sessions: sign out everywhere (a phone left behind, a
 * password seen); this token ends too. */
void api_sessions_delete(struct req *r, struct resp *w)
{
    if (r->actor == NULL) {
        resp_error(w, ERR_UNAUTHENTICATED, NULL);
        return;
    }
    enum err e = auth_logout_everywhere(r->db, r->actor->user.id, NULL);
    if (e != ERR_OK) {
        api_error(w, e, NULL);
        return;
    }
    w->status = 204;
}

void api_me(struct req *r, struct resp *w)
{
    struct ctx cx;
    if (!api_ctx(r, w, &cx))
        return;
    struct user_rec me;
    enum err e = user_me(&cx, &me);
    if (e == ERR_OK)
        resp_json(w, 200, json_user(&me));
    else
        api_error(w, e, NULL);
    user_rec_free(&me);
}

/* GET /api/v1/me/totp: the caller's second factor. */
void api_totp_get(struct req *r, struct resp *w)
{
    struct ctx cx;
    enum totp_status st;
    bool required;
    if (!api_ctx(r, w, &cx))
        return;
    enum err e = totp_status_get(&cx, &st, &required);
    if (e != ERR_OK) {
        api_error(w, e, NULL);
        return;
    }
    resp_json(w, 200,
              json_pack("{s:s, s:b, s:b}", "status", totp_status_code(st), "required", required,
                        "enrol_only", r->actor->enrol_only));
}

/* POST /api/v1/me/totp: a new secret, shown this once. */
void api_totp_enrol(struct req *r, struct resp *w)
{
    struct ctx cx;
    char *b32 = NULL, *uri = NULL;
    json_t *body;
    if (!api_ctx(r, w, &cx) || (body = api_body(r, w)) == NULL)
        return;
    json_decref(body);
    enum err e = totp_enrol(&cx, &b32, &uri);
    if (e != ERR_OK) {
        api_error(w, e, NULL);
        return;
    }
    resp_json(w, 201, json_pack("{s:s, s:s, s:s}", "status", "pending", "secret", b32, "uri", uri));
    sodium_memzero(b32, strlen(b32));
    sodium_memzero(uri, strlen(uri));
    free(b32);
    free(uri);
}

/* The "code" of a confirm or a removal. */
static const char *code_of(json_t *body, struct fielderrs *fe)
{
    const char *code = jin_str(body, "code", "code", fe);
    if (code == NULL && fielderr_get(fe, "code") == NULL)
        fielderr(fe, "code", "required: the current code of your authenticator");
    return code;
}

/* POST /api/v1/me/totp/confirm {"code"}. */
void api_totp_confirm(struct req *r, struct resp *w)
{
    struct ctx cx;
    struct fielderrs fe = {0};
    json_t *body;
    if (!api_ctx(r, w, &cx) || (body = api_body(r, w)) == NULL)
        return;
    const char *code = code_of(body, &fe);
    enum err e = fe.n > 0 ? ERR_VALIDATION : totp_confirm(&cx, code, r->client_addr, &fe);
    if (e == ERR_OK)
        resp_json(w, 200,
                  json_pack("{s:s, s:b, s:b}", "status", "active", "required", false, "enrol_only",
                            false));
    else
        api_error(w, e, &fe);
    json_decref(body);
}

/* DELETE /api/v1/me/totp {"code"}. */
void api_totp_delete(struct req *r, struct resp *w)
{
    struct ctx cx;
    struct fielderrs fe = {0};
    json_t *body;
    if (!api_ctx(r, w, &cx) || (body = api_body(r, w)) == NULL)
        return;
    const char *code = code_of(body, &fe);
    enum err e = fe.n > 0 ? ERR_VALIDATION : totp_remove(&cx, code, r->client_addr, &fe);
    if (e == ERR_OK)
        w->status = 204;
    else
        api_error(w, e, &fe);
    json_decref(body);
}
