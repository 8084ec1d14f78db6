/* The associated data of each sealed field (sealed.h). */
#include <stddef.h>
#include <stdlib.h>

#include <string.h>

#include "domain/ctx.h"
#include "domain/sealed.h"
#include "util/alloc.h"
#include "util/log.h"

/* The suffix after the record id; NULL: the id alone (the first sealed
 * fields, kept so that what they sealed still opens). */
static const char *const suffixes[SEALED__MAX] = {
    [SEALED_SURVIVOR_IDENTITY] = NULL,
    [SEALED_CASE_SUMMARY] = "summary",
    [SEALED_EVENT_TEXT] = "event",
    [SEALED_INCIDENT_DESCRIPTION] = "description",
    [SEALED_NOTE_BODY] = "body",
    [SEALED_TASK_TITLE] = "title",
    [SEALED_MEMBER_PHONE] = NULL,
    [SEALED_CONSENT_REASON] = "withdraw_reason",
    [SEALED_REFERRAL_REASON] = "reason",
    [SEALED_REFERRAL_OVERRIDE] = "override_reason",
    [SEALED_REFERRAL_SLIP] = "slip",
    [SEALED_REFERRAL_NOTE] = "note",
    [SEALED_ADVICE_PERSON] = "person",
    [SEALED_TRAINING_FACILITATOR] = "facilitator",
    [SEALED_TRAINING_PARTICIPANT] = "participant",
    [SEALED_MEMBER_IDENTITY] = "identity",
    [SEALED_CASE_EMPLOYER] = "employer",
    [SEALED_MEMBER_EMPLOYER] = "returnee_employer",
    [SEALED_USER_TOTP] = "totp",
};

char *sealed_ad(enum sealed_field f, const char *id)
{
    if ((unsigned)f >= SEALED__MAX)
        abort(); /* a caller's bug: never seal under a made-up binding */
    const char *suffix = suffixes[f];
    return suffix != NULL ? xasprintf("%s/%s", id, suffix) : xstrdup(id);
}

void sealed_seal(const struct ctx *cx, enum sealed_field f, const char *id, const char *text,
                 struct blob *out)
{
    char *ad = sealed_ad(f, id);
    crypto_seal(cx->key, ad, text, strlen(text), out);
    free(ad);
}

bool sealed_open(const struct ctx *cx, enum sealed_field f, const char *id, const struct blob *b,
                 char **out)
{
    *out = NULL;
    if (b->len == 0)
        return true;
    char *ad = sealed_ad(f, id);
    size_t n;
    bool ok = crypto_unseal(cx->key, ad, b, out, &n);
    free(ad);
    if (!ok)
        log_error("%s: a sealed text does not open", id);
    return ok;
}
