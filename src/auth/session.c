#include "auth/session.h"

#include <ctype.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "audit/audit.h"
#include "auth/totp.h"
#include "util/alloc.h"
#include "util/clock.h"
#include "util/log.h"

/* last_seen is written at most once a minute per session: the idle timeout
 * is 30 minutes, so a minute of slack costs nothing and spares a write on
 * nearly every request. */
#define SESSION_TOUCH_SECONDS 60

static const char *kind_code(enum session_kind kind)
{
    return kind == SESSION_WEB ? "web" : "api";
}

void actor_free(struct actor *a)
{
    if (a == NULL)
        return;
    user_rec_free(&a->user);
    sodium_memzero(a, sizeof *a);
}

/* Writes a failed attempt, all in one transaction: the failure row that the
 * limit counts and the audit entry. record_id is the user's id when the
 * username exists, "" otherwise; detail says why, as a code. */
static enum err login_failed(struct store_conn *c, const char *user_key, const char *addr_key,
                             int64_t now, const char *user_id, const char *why)
{
    enum err e = store_begin(c);
    if (e != ERR_OK)
        return e;
    if ((e = store_login_failure_add(c, user_key, addr_key, now)) != ERR_OK ||
        (e = audit_append(c, "", AUDIT_LOGIN_FAILED, "user", user_id, why)) != ERR_OK ||
        (e = store_commit(c)) != ERR_OK) {
        store_rollback(c);
        return e;
    }
    return ERR_UNAUTHENTICATED;
}

/* The sign-in gate: at most one attempt per username at a time, on every
 * server of the database. Without it, parallel requests would all pass the
 * limit check before any of their failures is written, and the limit of
 * five would be five plus the number of workers. A second attempt for the
 * same username waits for the first to finish (it polls the gate's row);
 * a lease left by a server that died runs out after GATE_LEASE_SECONDS. */
#define GATE_LEASE_SECONDS 30
#define GATE_POLL_US       20000
#define GATE_WAIT_POLLS    1000 /* 20 s, then 503 */

static enum err gate_enter(struct store_conn *c, const char *user_key, int64_t *until)
{
    for (int i = 0; i < GATE_WAIT_POLLS; i++) {
        int64_t now = clock_now();
        bool taken = false;
        *until = now + GATE_LEASE_SECONDS;
        enum err e = store_login_gate_take(c, user_key, *until, now, &taken);
        if (e != ERR_OK)
            return e;
        if (taken)
            return ERR_OK;
        usleep(GATE_POLL_US);
    }
    log_error("auth: a sign-in waited too long for the attempt before it");
    return ERR_UNAVAILABLE;
}

static enum err login_gated(struct store_conn *c, const struct datakey *k, const char *user_key,
                            const char *addr_key, const char *username, const char *password,
                            enum session_kind kind, const struct login_factor *f,
                            char token[TOKEN_SIZE], struct actor *out);

/* The keyed hashes the limit counts by: the username without case, the
 * client address. */
static void limit_keys(const struct datakey *k, const char *username, const char *client_addr,
                       char user_key[KEYED_HASH_SIZE], char addr_key[KEYED_HASH_SIZE])
{
    char *lower = xstrdup(username != NULL ? username : "");
    for (char *p = lower; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    crypto_keyed_hash(k, "login_user", lower, user_key);
    sodium_memzero(lower, strlen(lower));
    free(lower);
    crypto_keyed_hash(k, "login_addr", client_addr ? client_addr : "", addr_key);
}

enum err auth_limit_check(struct store_conn *c, const struct datakey *k, const char *username,
                          const char *client_addr)
{
    char user_key[KEYED_HASH_SIZE], addr_key[KEYED_HASH_SIZE];
    int by_user = 0, by_addr = 0;
    limit_keys(k, username, client_addr, user_key, addr_key);
    enum err e = store_login_failure_count(c, user_key, addr_key,
                                           clock_now() - LOGIN_WINDOW_SECONDS, &by_user, &by_addr);
    if (e != ERR_OK)
        return e;
    return by_user >= LOGIN_MAX_PER_USER || by_addr >= LOGIN_MAX_PER_ADDR ? ERR_RATE_LIMITED
                                                                          : ERR_OK;
}

enum err auth_limit_fail(struct store_conn *c, const struct datakey *k, const char *username,
                         const char *client_addr, const char *user_id, const char *why)
{
    char user_key[KEYED_HASH_SIZE], addr_key[KEYED_HASH_SIZE];
    limit_keys(k, username, client_addr, user_key, addr_key);
    enum err e = login_failed(c, user_key, addr_key, clock_now(), user_id, why);
    return e == ERR_UNAUTHENTICATED ? ERR_OK : e;
}

enum err auth_login(struct store_conn *c, const struct datakey *k, const char *username,
                    const char *password, const char *client_addr, enum session_kind kind,
                    char token[TOKEN_SIZE], struct actor *out)
{
    return auth_login_factor(c, k, username, password, client_addr, kind, NULL, token, out);
}

enum err auth_login_factor(struct store_conn *c, const struct datakey *k, const char *username,
                           const char *password, const char *client_addr, enum session_kind kind,
                           const struct login_factor *f, char token[TOKEN_SIZE], struct actor *out)
{
    char user_key[KEYED_HASH_SIZE], addr_key[KEYED_HASH_SIZE];

    memset(out, 0, sizeof *out);
    token[0] = '\0';
    if (username == NULL)
        username = "";
    if (password == NULL)
        password = "";
    limit_keys(k, username, client_addr, user_key, addr_key);

    int64_t until = 0;
    enum err e = gate_enter(c, user_key, &until);
    if (e != ERR_OK)
        return e;
    e = login_gated(c, k, user_key, addr_key, username, password, kind, f, token, out);
    enum err g = store_login_gate_release(c, user_key, until);
    if (g != ERR_OK)
        log_error("auth: cannot give back the sign-in gate; it runs out by itself");
    return e;
}

/* The second factor of u, whose password was right: *enrol_only when she
 * must enrol one first, *step the TOTP step her code used (-1: none). */
static enum err second_factor(struct store_conn *c, const struct datakey *k, const char *user_key,
                              const char *addr_key, int64_t now, const struct user_rec *u,
                              enum role role, const struct login_factor *f, bool *enrol_only,
                              int64_t *step)
{
    struct totp_rec t;
    *enrol_only = false;
    *step = -1;
    enum err e = store_totp_get(c, u->id, &t);
    if (e == ERR_NOT_FOUND || (e == ERR_OK && !t.confirmed)) {
        totp_rec_free(&t);
        *enrol_only =
            f != NULL && f->totp_required && (role == ROLE_SUPERVISOR || role == ROLE_ADMIN);
        return ERR_OK;
    }
    if (e != ERR_OK)
        return e;
    if (f == NULL || f->totp == NULL || f->totp[0] == '\0') {
        totp_rec_free(&t);
        return ERR_TOTP_REQUIRED;
    }
    size_t len = 0;
    unsigned char *secret =
        f->open_secret != NULL ? f->open_secret(k, u->id, &t.secret, &len) : NULL;
    int64_t last = t.last_step;
    totp_rec_free(&t);
    if (secret == NULL)
        return ERR_INTERNAL;
    bool good = totp_verify(secret, len, f->totp, (time_t)now, last, step);
    sodium_memzero(secret, len);
    free(secret);
    if (!good) {
        e = login_failed(c, user_key, addr_key, now, u->id, "wrong_totp");
        return e == ERR_UNAUTHENTICATED ? ERR_TOTP_REQUIRED : e;
    }
    return ERR_OK;
}

static enum err login_gated(struct store_conn *c, const struct datakey *k, const char *user_key,
                            const char *addr_key, const char *username, const char *password,
                            enum session_kind kind, const struct login_factor *f,
                            char token[TOKEN_SIZE], struct actor *out)
{
    enum err e;
    struct user_rec u;
    char *hash = NULL;
    int by_user = 0, by_addr = 0;
    int64_t now = clock_now();

    memset(&u, 0, sizeof u);
    /* The limit comes first: a locked username spends no Argon2id time and
     * learns nothing, not even from the right password. */
    e = store_login_failure_count(c, user_key, addr_key, now - LOGIN_WINDOW_SECONDS, &by_user,
                                  &by_addr);
    if (e != ERR_OK)
        return e;
    if (by_user >= LOGIN_MAX_PER_USER || by_addr >= LOGIN_MAX_PER_ADDR)
        return ERR_RATE_LIMITED;

    bool known = false;
    if (strlen(username) <= USERNAME_MAX) {
        e = store_user_by_username(c, username, &u, &hash);
        if (e == ERR_OK)
            known = true;
        else if (e != ERR_NOT_FOUND)
            return e;
    }
    /* One Argon2id verification whatever happens, so that unknown users,
     * wrong passwords and inactive accounts take the same time. */
    bool good = crypto_password_verify(known ? hash : crypto_password_dummy_hash(), password);
    if (hash != NULL)
        sodium_memzero(hash, strlen(hash));
    free(hash);

    enum role role = ROLE_MEMBER;
    if (!known || !good || !u.active || u.pending) {
        e = login_failed(c, user_key, addr_key, now, known ? u.id : "",
                         !known     ? "unknown_user"
                         : !good    ? "wrong_password"
                         : u.active ? "pending_approval"
                                    : "inactive");
        user_rec_free(&u);
        return e;
    }
    if (!role_parse(u.role, &role)) {
        log_error("auth: user %s has an invalid role", u.id);
        user_rec_free(&u);
        return ERR_INTERNAL;
    }

    bool enrol_only = false;
    int64_t step = -1;
    if ((e = second_factor(c, k, user_key, addr_key, now, &u, role, f, &enrol_only, &step)) !=
        ERR_OK) {
        user_rec_free(&u);
        return e;
    }

    struct session_rec s;
    memset(&s, 0, sizeof s);
    s.enrol_only = enrol_only;
    crypto_token(token);
    crypto_token_hash(token, s.token_hash);
    memcpy(s.user_id, u.id, sizeof s.user_id);
    snprintf(s.kind, sizeof s.kind, "%s", kind_code(kind));
    _Static_assert(sizeof s.csrf >= CSRF_SIZE, "session csrf column");
    crypto_token(s.csrf);
    s.created_at = now;
    s.last_seen = now;

    if ((e = store_begin(c)) != ERR_OK)
        goto fail;
    /* Housekeeping: sign-ins sweep away sessions that have run out and
     * failures the limit no longer counts. */
    if ((e = store_session_expire(c, now - SESSION_IDLE_SECONDS, now - SESSION_MAX_SECONDS)) !=
            ERR_OK ||
        (e = store_login_failure_prune(c, now - LOGIN_WINDOW_SECONDS)) != ERR_OK ||
        (step >= 0 && (e = store_totp_use(c, u.id, step, false)) != ERR_OK) ||
        (e = store_session_insert(c, &s)) != ERR_OK ||
        (e = audit_append(c, u.id, AUDIT_LOGIN, "user", u.id,
                          step >= 0    ? (kind == SESSION_WEB ? "web totp" : "api totp")
                          : enrol_only ? (kind == SESSION_WEB ? "web enrol_only" : "api enrol_only")
                                       : kind_code(kind))) != ERR_OK ||
        (e = store_commit(c)) != ERR_OK) {
        store_rollback(c);
        /* The step was taken meanwhile: the code was used already. */
        if (e == ERR_CONFLICT && step >= 0) {
            e = login_failed(c, user_key, addr_key, now, u.id, "replayed_totp");
            if (e == ERR_UNAUTHENTICATED)
                e = ERR_TOTP_REQUIRED;
        }
        goto fail;
    }

    out->user = u;
    out->role = role;
    memcpy(out->csrf, s.csrf, CSRF_SIZE);
    memcpy(out->token_hash, s.token_hash, sizeof out->token_hash);
    out->enrol_only = s.enrol_only;
    sodium_memzero(&s, sizeof s);
    return ERR_OK;
fail:
    user_rec_free(&u);
    sodium_memzero(&s, sizeof s);
    sodium_memzero(token, TOKEN_SIZE);
    return e;
}

enum err auth_session(struct store_conn *c, const char *token, enum session_kind kind,
                      struct actor *out)
{
    struct session_rec s;
    enum err e;
    enum role role;

    memset(out, 0, sizeof *out);
    memset(&s, 0, sizeof s);
    if (token == NULL || strlen(token) != TOKEN_SIZE - 1)
        return ERR_UNAUTHENTICATED;
    crypto_token_hash(token, s.token_hash);
    e = store_session_get(c, s.token_hash, &s);
    if (e == ERR_NOT_FOUND)
        return ERR_UNAUTHENTICATED;
    if (e != ERR_OK)
        return e;
    if (strcmp(s.kind, kind_code(kind)) != 0) {
        e = ERR_UNAUTHENTICATED;
        goto out;
    }

    int64_t now = clock_now();
    if (now - s.last_seen >= SESSION_IDLE_SECONDS || now - s.created_at >= SESSION_MAX_SECONDS) {
        store_session_delete(c, s.token_hash);
        e = ERR_UNAUTHENTICATED;
        goto out;
    }

    e = store_user_get(c, s.user_id, &out->user);
    if (e == ERR_NOT_FOUND || (e == ERR_OK && (!out->user.active || out->user.pending))) {
        store_session_delete(c, s.token_hash);
        e = ERR_UNAUTHENTICATED;
        goto out;
    }
    if (e != ERR_OK)
        goto out;
    if (!role_parse(out->user.role, &role)) {
        log_error("auth: user %s has an invalid role", out->user.id);
        e = ERR_INTERNAL;
        goto out;
    }

    /* A missed touch only brings the idle timeout a little closer; the
     * request itself goes on. */
    if (now - s.last_seen >= SESSION_TOUCH_SECONDS &&
        store_session_touch(c, s.token_hash, now) != ERR_OK)
        log_error("auth: could not refresh a session's last_seen");

    out->role = role;
    out->enrol_only = s.enrol_only;
    memcpy(out->csrf, s.csrf, CSRF_SIZE);
    out->csrf[CSRF_SIZE - 1] = '\0';
    memcpy(out->token_hash, s.token_hash, sizeof out->token_hash);
    e = ERR_OK;
out:
    if (e != ERR_OK)
        actor_free(out);
    sodium_memzero(&s, sizeof s);
    return e;
}

enum err auth_logout(struct store_conn *c, const unsigned char token_hash[32])
{
    struct session_rec s;
    enum err e = store_session_get(c, token_hash, &s);
    if (e == ERR_NOT_FOUND)
        return ERR_OK;
    if (e != ERR_OK)
        return e;
    if ((e = store_begin(c)) != ERR_OK)
        goto out;
    e = store_session_delete(c, token_hash);
    if (e == ERR_NOT_FOUND) /* another request signed out first */
        e = ERR_OK;
    else if (e == ERR_OK)
        e = audit_append(c, s.user_id, AUDIT_LOGOUT, "user", s.user_id, NULL);
    e = store_end(c, e);
out:
    sodium_memzero(&s, sizeof s);
    return e;
}

enum err auth_logout_everywhere(struct store_conn *c, const char *user_id, int *n)
{
    int ended = 0;
    enum err e = store_begin(c);
    if (e != ERR_OK)
        return e;
    e = store_session_delete_user(c, user_id, &ended);
    if (e == ERR_OK)
        e = audit_append(c, user_id, AUDIT_LOGOUT, "user", user_id, "everywhere");
    e = store_end(c, e);
    if (n != NULL)
        *n = e == ERR_OK ? ended : 0;
    return e;
}
