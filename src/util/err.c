#include "util/err.h"

#include <stddef.h>
#include <string.h>

static const struct {
    int status;
    const char *code;
    const char *message;
} errs[ERR__MAX] = {
    [ERR_OK] = {200, "ok", "OK"},
    [ERR_BAD_REQUEST] = {400, "bad_request", "The request could not be read."},
    [ERR_UNAUTHENTICATED] = {401, "unauthenticated", "Sign in first."},
    [ERR_FORBIDDEN] = {403, "forbidden", "Your role may not do this."},
    [ERR_NOT_FOUND] = {404, "not_found", "Not found."},
    [ERR_METHOD] = {405, "method_not_allowed", "Method not allowed."},
    [ERR_CONFLICT] = {409, "conflict", "The record has changed or the change is not allowed."},
    [ERR_TOO_LARGE] = {413, "too_large", "The request is too large."},
    [ERR_MEDIA_TYPE] = {415, "unsupported_media_type", "Send application/json."},
    [ERR_VALIDATION] = {422, "validation_failed", "Some fields are not valid."},
    [ERR_CONSENT] = {422, "consent_required", "No consent covers this."},
    [ERR_RATE_LIMITED] = {429, "rate_limited", "Too many attempts; try again later."},
    [ERR_INTERNAL] = {500, "internal", "Something went wrong on the server."},
    [ERR_UNAVAILABLE] = {503, "unavailable", "The service is busy; try again."},
    [ERR_TOTP_REQUIRED] = {401, "totp_required", "Enter the current code of your authenticator."},
    [ERR_ENROL_ONLY] = {403, "totp_enrolment_required",
                        "Set up your authenticator first: nothing else is open until then."},
};

int err_status(enum err e)
{
    return (e >= 0 && e < ERR__MAX) ? errs[e].status : 500;
}

const char *err_code(enum err e)
{
    return (e >= 0 && e < ERR__MAX) ? errs[e].code : "internal";
}

const char *err_message(enum err e)
{
    return (e >= 0 && e < ERR__MAX) ? errs[e].message : "internal";
}

enum err fielderr(struct fielderrs *fe, const char *field, const char *message)
{
    if (fe != NULL && fe->n < FIELDERRS_MAX && fielderr_get(fe, field) == NULL) {
        fe->e[fe->n].field = field;
        fe->e[fe->n].message = message;
        fe->n++;
    }
    return ERR_VALIDATION;
}

const char *fielderr_get(const struct fielderrs *fe, const char *field)
{
    for (int i = 0; fe != NULL && i < fe->n; i++)
        if (strcmp(fe->e[i].field, field) == 0)
            return fe->e[i].message;
    return NULL;
}
