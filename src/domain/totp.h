/* The TOTP second factor of an account (auth/totp.h): enrolment by the
 * user herself, confirmed by a first code; removal with a current code;
 * reset by the local operator; and what sign-in needs to check a code. The
 * secret is sealed (SEALED_USER_TOTP) and shown only once, at enrolment. */
#ifndef CBPN_DOMAIN_TOTP_H
#define CBPN_DOMAIN_TOTP_H

#include "auth/session.h"
#include "domain/ctx.h"

/* The second factor of a sign-in with code (NULL: none sent): the
 * auth.totp_required setting and how to open a secret. */
void totp_login_factor(const struct ctx *cx, const char *code, struct login_factor *out);

enum totp_status { TOTP_NONE, TOTP_PENDING, TOTP_ACTIVE };
/* "none", "pending", "active". */
const char *totp_status_code(enum totp_status s);
/* The caller's TOTP state, and whether her role must have one now. */
enum err totp_status_get(const struct ctx *cx, enum totp_status *st, bool *required);

/* Starts (or restarts) the caller's enrolment: a new secret, in base32 and
 * as an otpauth:// URI (both new strings), not asked for at sign-in until
 * confirmed. ERR_CONFLICT when she has an active one (remove it first).
 * Audited (totp_started). */
enum err totp_enrol(const struct ctx *cx, char **base32, char **uri);
/* Confirms the pending secret with its current code: from then on sign-in
 * asks for a code; an enrol_only session becomes a full one. A wrong code
 * is ERR_VALIDATION (field code) and counts against the sign-in limit of
 * client_addr and the username (ERR_RATE_LIMITED once it is reached);
 * ERR_CONFLICT when nothing is pending. Audited (totp_enrolled). */
enum err totp_confirm(const struct ctx *cx, const char *code, const char *client_addr,
                      struct fielderrs *fe);
/* Removes the caller's active secret with a current code (the same rules
 * for a wrong one); ERR_NOT_FOUND when she has none. Audited
 * (totp_removed). */
enum err totp_remove(const struct ctx *cx, const char *code, const char *client_addr,
                     struct fielderrs *fe);
/* The local operator removes username's secret (cbpn user totp-reset):
 * ERR_NOT_FOUND when no such user or no secret. Audited (totp_reset). */
enum err totp_reset(const struct ctx *cx, const char *username);

#endif
