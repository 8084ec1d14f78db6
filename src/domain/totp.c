#include "domain/totp.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "auth/totp.h"
#include "domain/check.h"
#include "domain/sealed.h"
#include "domain/settings.h"
#include "domain/users.h"
#include "util/alloc.h"
#include "util/clock.h"

#define TOTP_ISSUER "CBPN"

static unsigned char *open_secret(const struct datakey *k, const char *user_id,
                                  const struct blob *sealed, size_t *len)
{
    struct ctx cx = {.key = k};
    char *b32 = NULL;
    *len = 0;
    if (!sealed_open(&cx, SEALED_USER_TOTP, user_id, sealed, &b32) || b32 == NULL)
        return NULL;
    unsigned char *secret = totp_from_base32(b32, len);
    sodium_memzero(b32, strlen(b32));
    free(b32);
    return secret;
}

void totp_login_factor(const struct ctx *cx, const char *code, struct login_factor *out)
{
    *out = (struct login_factor){
        .totp = code,
        .totp_required = setting_get(cx, SETTING_TOTP_REQUIRED) != 0,
        .open_secret = open_secret,
    };
}

const char *totp_status_code(enum totp_status s)
{
    return s == TOTP_ACTIVE ? "active" : s == TOTP_PENDING ? "pending" : "none";
}

enum err totp_status_get(const struct ctx *cx, enum totp_status *st, bool *required)
{
    *st = TOTP_NONE;
    *required = false;
    if (!may(cx, ACT_TOTP_MANAGE) || cx->actor == NULL)
        return ERR_FORBIDDEN;
    struct totp_rec t;
    enum err e = store_totp_get(cx->db, cx->actor->user.id, &t);
    if (e == ERR_OK)
        *st = t.confirmed ? TOTP_ACTIVE : TOTP_PENDING;
    totp_rec_free(&t);
    if (e != ERR_OK && e != ERR_NOT_FOUND)
        return e;
    *required = setting_get(cx, SETTING_TOTP_REQUIRED) != 0 &&
                (cx->actor->role == ROLE_SUPERVISOR || cx->actor->role == ROLE_ADMIN);
    return ERR_OK;
}

static enum err audited(const struct ctx *cx, const char *user_id, const char *detail, enum err e)
{
    if (e == ERR_OK)
        e = audit_append(cx->db, check_user_id(cx), AUDIT_UPDATE, "user", user_id, detail);
    return store_end(cx->db, e);
}

enum err totp_enrol(const struct ctx *cx, char **base32, char **uri)
{
    *base32 = NULL;
    *uri = NULL;
    if (!may(cx, ACT_TOTP_MANAGE) || cx->actor == NULL)
        return ERR_FORBIDDEN;
    const struct user_rec *u = &cx->actor->user;
    struct totp_rec t;
    enum err e = store_totp_get(cx->db, u->id, &t);
    bool active = e == ERR_OK && t.confirmed;
    totp_rec_free(&t);
    if (e != ERR_OK && e != ERR_NOT_FOUND)
        return e;
    if (active)
        return ERR_CONFLICT;

    unsigned char secret[TOTP_SECRET_BYTES];
    randombytes_buf(secret, sizeof secret);
    char *b32 = totp_base32(secret, sizeof secret);
    sodium_memzero(secret, sizeof secret);
    if (b32 == NULL)
        return ERR_INTERNAL;
    memset(&t, 0, sizeof t);
    snprintf(t.user_id, sizeof t.user_id, "%s", u->id);
    sealed_seal(cx, SEALED_USER_TOTP, u->id, b32, &t.secret);
    clock_stamp(t.created_at);
    if ((e = store_begin(cx->db)) == ERR_OK)
        e = audited(cx, u->id, "totp_started", store_totp_put(cx->db, &t));
    totp_rec_free(&t);
    if (e != ERR_OK) {
        sodium_memzero(b32, strlen(b32));
        free(b32);
        return e;
    }
    *uri = totp_uri(TOTP_ISSUER, u->username, b32);
    *base32 = b32;
    return ERR_OK;
}

/* Checks code against the caller's secret (want_confirmed: the active one,
 * else the pending one) under the sign-in limit; *step the step it used. */
static enum err code_check(const struct ctx *cx, bool want_confirmed, const char *code,
                           const char *client_addr, struct fielderrs *fe, int64_t *step)
{
    const struct user_rec *u = &cx->actor->user;
    struct totp_rec t;
    enum err e = store_totp_get(cx->db, u->id, &t);
    if (e == ERR_OK && t.confirmed != want_confirmed)
        e = ERR_NOT_FOUND;
    if (e != ERR_OK) {
        totp_rec_free(&t);
        return e == ERR_NOT_FOUND ? (want_confirmed ? ERR_NOT_FOUND : ERR_CONFLICT) : e;
    }
    if ((e = auth_limit_check(cx->db, cx->key, u->username, client_addr)) != ERR_OK) {
        totp_rec_free(&t);
        return e;
    }
    size_t len = 0;
    unsigned char *secret = open_secret(cx->key, u->id, &t.secret, &len);
    int64_t last = t.last_step;
    totp_rec_free(&t);
    if (secret == NULL)
        return ERR_INTERNAL;
    bool good = totp_verify(secret, len, code, (time_t)clock_now(), last, step);
    sodium_memzero(secret, len);
    free(secret);
    if (!good) {
        e = auth_limit_fail(cx->db, cx->key, u->username, client_addr, u->id, "wrong_totp");
        if (e != ERR_OK)
            return e;
        return fielderr(fe, "code", "not the current code of your authenticator");
    }
    return ERR_OK;
}

enum err totp_confirm(const struct ctx *cx, const char *code, const char *client_addr,
                      struct fielderrs *fe)
{
    if (!may(cx, ACT_TOTP_MANAGE) || cx->actor == NULL)
        return ERR_FORBIDDEN;
    int64_t step = -1;
    enum err e = code_check(cx, false, code, client_addr, fe, &step);
    if (e != ERR_OK)
        return e;
    const struct actor *a = cx->actor;
    if ((e = store_begin(cx->db)) != ERR_OK)
        return e;
    e = store_totp_use(cx->db, a->user.id, step, true);
    /* Password at sign-in and now a code: the session is a full one. */
    if (e == ERR_OK && a->enrol_only)
        e = store_session_unrestrict(cx->db, a->token_hash);
    e = audited(cx, a->user.id, "totp_enrolled", e);
    if (e == ERR_CONFLICT)
        fielderr(fe, "code", "this code was used already; wait for the next one");
    return e == ERR_CONFLICT ? ERR_VALIDATION : e;
}

enum err totp_remove(const struct ctx *cx, const char *code, const char *client_addr,
                     struct fielderrs *fe)
{
    if (!may(cx, ACT_TOTP_MANAGE) || cx->actor == NULL)
        return ERR_FORBIDDEN;
    int64_t step = -1;
    enum err e = code_check(cx, true, code, client_addr, fe, &step);
    if (e != ERR_OK)
        return e;
    const char *id = cx->actor->user.id;
    if ((e = store_begin(cx->db)) != ERR_OK)
        return e;
    e = store_totp_use(cx->db, id, step, false);
    if (e == ERR_OK)
        e = store_totp_delete(cx->db, id, NULL);
    e = audited(cx, id, "totp_removed", e);
    if (e == ERR_CONFLICT)
        fielderr(fe, "code", "this code was used already; wait for the next one");
    return e == ERR_CONFLICT ? ERR_VALIDATION : e;
}

enum err totp_reset(const struct ctx *cx, const char *username)
{
    if (cx->actor != NULL || !cx->local_operator)
        return ERR_FORBIDDEN;
    struct user_rec u;
    enum err e = user_by_username(cx, username, &u);
    if (e != ERR_OK)
        return e;
    int n = 0;
    if ((e = store_begin(cx->db)) == ERR_OK) {
        e = store_totp_delete(cx->db, u.id, &n);
        if (e == ERR_OK && n == 0)
            e = ERR_NOT_FOUND;
        /* Her sessions end too: whoever held the lost phone is out. */
        if (e == ERR_OK)
            e = store_session_delete_user(cx->db, u.id, NULL);
        e = audited(cx, u.id, "totp_reset", e);
    }
    user_rec_free(&u);
    return e;
}
