/* Sign-in, sessions and the sign-in limit. Tokens are random 256-bit values
 * given to the client once; the database keeps only their hash. Sessions end
 * after 30 minutes idle or 12 hours in all. */
#ifndef CBPN_AUTH_SESSION_H
#define CBPN_AUTH_SESSION_H

#include <stdbool.h>

#include "auth/perm.h"
#include "crypto/crypto.h"
#include "store/store.h"

#define SESSION_IDLE_SECONDS (30 * 60)
#define SESSION_MAX_SECONDS  (12 * 60 * 60)
#define LOGIN_WINDOW_SECONDS (15 * 60)
#define LOGIN_MAX_PER_USER   5
#define LOGIN_MAX_PER_ADDR   50

/* The signed-in user behind a request. */
struct actor {
    struct user_rec user;
    enum role role;
    char csrf[CSRF_SIZE]; /* the session's CSRF token (pages) */
    unsigned char token_hash[32];
    /* The session reaches only TOTP enrolment and sign-out: a supervisor or
     * an admin without TOTP while auth.totp_required is on. */
    bool enrol_only;
};
void actor_free(struct actor *a);

enum session_kind { SESSION_API, SESSION_WEB };

/* The second factor at sign-in (the domain fills it: domain/totp.h). */
struct login_factor {
    const char *totp; /* the code sent, or NULL */
    /* auth.totp_required: a supervisor or an admin without TOTP gets an
     * enrol_only session. */
    bool totp_required;
    /* Opens user_id's sealed secret into a new buffer of *len bytes
     * (caller wipes and frees); NULL when it does not open. */
    unsigned char *(*open_secret)(const struct datakey *k, const char *user_id,
                                  const struct blob *sealed, size_t *len);
};

/* Checks username and password and opens a session. The same ERR_UNAUTHENTICATED
 * for an unknown user, a wrong password or an inactive account, after the same
 * work; ERR_RATE_LIMITED after LOGIN_MAX_PER_USER failures for the username
 * (right password included) or LOGIN_MAX_PER_ADDR for client_addr within
 * LOGIN_WINDOW_SECONDS. On success token receives the new token and *out the
 * session (caller frees with actor_free). */
enum err auth_login(struct store_conn *c, const struct datakey *k, const char *username,
                    const char *password, const char *client_addr, enum session_kind kind,
                    char token[TOKEN_SIZE], struct actor *out);
/* auth_login with the second factor f (NULL: no code sent, no setting).
 * An account with a confirmed TOTP secret needs a current code it has not
 * used: ERR_TOTP_REQUIRED when f sends none (not counted as a failure: the
 * password was right) or a wrong or replayed one (counted, as a wrong
 * password is). */
enum err auth_login_factor(struct store_conn *c, const struct datakey *k, const char *username,
                           const char *password, const char *client_addr, enum session_kind kind,
                           const struct login_factor *f, char token[TOKEN_SIZE], struct actor *out);
/* The sign-in limit for a second-factor check made outside sign-in
 * (confirming or removing TOTP): ERR_RATE_LIMITED while username or
 * client_addr is locked, as auth_login counts. */
enum err auth_limit_check(struct store_conn *c, const struct datakey *k, const char *username,
                          const char *client_addr);
/* Counts a wrong code of such a check against the same limit and audits it
 * (login_failed, detail why). */
enum err auth_limit_fail(struct store_conn *c, const struct datakey *k, const char *username,
                         const char *client_addr, const char *user_id, const char *why);
/* The session behind token, refreshed; ERR_UNAUTHENTICATED when unknown,
 * expired (then removed) or of the other kind. */
enum err auth_session(struct store_conn *c, const char *token, enum session_kind kind,
                      struct actor *out);
/* Ends the session; ERR_OK even when it was already gone. */
enum err auth_logout(struct store_conn *c, const unsigned char token_hash[32]);
/* Signs the user out everywhere: ends every session of user_id (pages and
 * API, the caller's own included) and audits it, in one transaction. *n
 * (may be NULL) receives how many sessions ended. */
enum err auth_logout_everywhere(struct store_conn *c, const char *user_id, int *n);

#endif
