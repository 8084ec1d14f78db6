/* TOTP second factor (RFC 6238, through liboath): HMAC-SHA1, 6 digits,
 * 30-second steps, a code accepted for the step before and after now too,
 * and never a step at or before the last one accepted (no code works
 * twice). */
#ifndef CBPN_AUTH_TOTP_H
#define CBPN_AUTH_TOTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define TOTP_SECRET_BYTES 20 /* 160 bits, as RFC 4226 recommends */
#define TOTP_STEP_SECONDS 30
#define TOTP_DIGITS       6
#define TOTP_WINDOW       1 /* steps either side of now */

/* The step of time t. */
int64_t totp_step(time_t t);
/* The code of secret for the step that holds time t into out; false when
 * liboath fails. */
bool totp_code(const unsigned char *secret, size_t len, time_t t, char out[TOTP_DIGITS + 1]);
/* Whether code is secret's code for a step within TOTP_WINDOW of now's and
 * after last_step; *step receives the step it matched. */
bool totp_verify(const unsigned char *secret, size_t len, const char *code, time_t now,
                 int64_t last_step, int64_t *step);
/* secret in RFC 4648 base32 without padding (caller frees); NULL on failure. */
char *totp_base32(const unsigned char *secret, size_t len);
/* The secret a base32 text holds: a new buffer of *len bytes (caller
 * wipes and frees), NULL when it is not base32. */
unsigned char *totp_from_base32(const char *b32, size_t *len);
/* The otpauth:// URI an authenticator app reads (caller frees):
 * issuer and account are percent-encoded. */
char *totp_uri(const char *issuer, const char *account, const char *base32);

#endif
