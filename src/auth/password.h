/* The password policy: what a new password must not be. Applies when a
 * password is set (an account made by the API, the pages or the CLI);
 * accounts whose password was set before still sign in. */
#ifndef CBPN_AUTH_PASSWORD_H
#define CBPN_AUTH_PASSWORD_H

#include <stdbool.h>

#define PASSWORD_MIN_CHARS 10
#define PASSWORD_MAX_BYTES 1024

enum password_verdict {
    PASSWORD_OK,
    PASSWORD_TOO_SHORT, /* under PASSWORD_MIN_CHARS characters, or over PASSWORD_MAX_BYTES */
    PASSWORD_COMMON,    /* in the bundled list (data/common_passwords.txt) */
    PASSWORD_USERNAME,  /* the account's own username */
};

/* Judges a new password for the account username (may be NULL). Letters
 * are compared without case (ASCII), and a list entry or the username with
 * digits or punctuation added before or after it ("Password123!",
 * "member1-2024") counts as that entry. password is UTF-8 (characters are
 * counted, not bytes). */
enum password_verdict password_judge(const char *username, const char *password);
/* The field error's message for a verdict other than PASSWORD_OK. Static. */
const char *password_verdict_message(enum password_verdict v);

#endif
