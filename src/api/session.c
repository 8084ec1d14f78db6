/* POST/DELETE /api/v1/session, GET /api/v1/me and DELETE /api/v1/me/sessions. */
#include <string.h>

#include <sodium.h>

#include "api/handlers.h"
#include "api/json_io.h"
#include "app.h"
#include "domain/users.h"

void api_session_create(struct req *r, struct resp *w)
{
    struct fielderrs fe = {0};
    json_t *body = api_body(r, w);
    if (body == NULL)
        return;
    const char *username = jin_str(body, "username", "username", &fe);
    const char *password = jin_str(body, "password", "password", &fe);
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
    enum err e =
        auth_login(r->db, r->app->key, username, password, r->client_addr, SESSION_API, token, &a);
    if (e != ERR_OK) {
        api_error(w, e, NULL);
        goto out;
    }
    resp_json(w, 201, json_pack("{s:s, s:o}", "token", token, "user", json_user(&a.user)));
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
