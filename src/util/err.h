/* Result codes shared by every layer. Each maps to one HTTP status and one
 * stable machine code of API.md; the table is in err.c. */
#ifndef CBPN_UTIL_ERR_H
#define CBPN_UTIL_ERR_H

enum err {
    ERR_OK = 0,
    ERR_BAD_REQUEST,     /* 400 bad_request: malformed JSON, invalid UTF-8 */
    ERR_UNAUTHENTICATED, /* 401 */
    ERR_FORBIDDEN,       /* 403 */
    ERR_NOT_FOUND,       /* 404, also for records the caller may not see */
    ERR_METHOD,          /* 405 method_not_allowed */
    ERR_CONFLICT,        /* 409 stale version, invalid state change, duplicate */
    ERR_TOO_LARGE,       /* 413 too_large */
    ERR_MEDIA_TYPE,      /* 415 unsupported_media_type */
    ERR_VALIDATION,      /* 422 validation_failed */
    ERR_CONSENT,         /* 422 consent_required */
    ERR_RATE_LIMITED,    /* 429 rate_limited */
    ERR_INTERNAL,        /* 500 internal */
    ERR_UNAVAILABLE,     /* 503 unavailable: database busy or full */
    /* 401 totp_required: the account has a second factor and the code sent
     * was missing or wrong */
    ERR_TOTP_REQUIRED,
    /* 403 totp_enrolment_required: a session that may only enrol a second
     * factor (auth.totp_required) asked for something else */
    ERR_ENROL_ONLY,
    ERR__MAX
};

int err_status(enum err e);
/* The machine code, e.g. "validation_failed". Static storage. */
const char *err_code(enum err e);
/* A short English message for logs and API answers. Static storage. */
const char *err_message(enum err e);

/* Per-field validation problems: field name -> message (both static or
 * owned by the struct). At most FIELDERRS_MAX entries are kept. */
#define FIELDERRS_MAX 16
struct fielderrs {
    int n;
    struct {
        const char *field;
        const char *message;
    } e[FIELDERRS_MAX];
};

/* Records a problem with field (static strings); returns ERR_VALIDATION. */
enum err fielderr(struct fielderrs *fe, const char *field, const char *message);
/* The message recorded for field, or NULL. */
const char *fielderr_get(const struct fielderrs *fe, const char *field);

#endif
