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
};
void actor_free(struct actor *a);

enum session_kind { SESSION_API, SESSION_WEB };

/* Checks username and password and opens a session. The same ERR_UNAUTHENTICATED
 * for an unknown user, a wrong password or an inactive account, after the same
 * work; ERR_RATE_LIMITED after LOGIN_MAX_PER_USER failures for the username
 * (right password included) or LOGIN_MAX_PER_ADDR for client_addr within
 * LOGIN_WINDOW_SECONDS. On success token receives the new token and *out the
 * session (caller frees with actor_free). */
enum err auth_login(struct store_conn *c, const struct datakey *k, const char *username,
                    const char *password, const char *client_addr, enum session_kind kind,
                    char token[TOKEN_SIZE], struct actor *out);
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
