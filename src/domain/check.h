/* Input checks and the caller's reach, shared by the domain modules
 * (users, network, cases). Internal to src/domain/. */
#ifndef CBPN_DOMAIN_CHECK_H
#define CBPN_DOMAIN_CHECK_H

#include <stdbool.h>
#include <stddef.h>

#include "auth/perm.h"
#include "domain/ctx.h"
#include "domain/scope.h"

#define PHONE_MAX_CHARS 32

/* The caller's user id, "" for the local operator. Static or owned by cx. */
const char *check_user_id(const struct ctx *cx);
/* True when s is NULL or "". */
bool check_absent(const char *s);
/* True when s is valid text (util/utf8.h) of min..max code points; when
 * min > 0, not only white space. */
bool check_text(const char *s, size_t min_chars, size_t max_chars);
/* An opaque id as crypto_random_id makes (lowercase letters and digits). */
bool check_id(const char *s);
/* A phone number: digits, with an optional leading '+', spaces and dashes. */
bool check_phone(const char *s);
/* An ISO 3166-1 alpha-2 country code ("TH"): two capital letters. */
bool check_iso2(const char *s);
/* Index of s in codes[0..n), or -1. */
int check_code(const char *const *codes, int n, const char *s);

#endif
