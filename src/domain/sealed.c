/* The associated data of each sealed field (sealed.h). */
#include <stddef.h>
#include <stdlib.h>

#include <sodium.h>
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
    [SEALED_REFERRAL_CONTACT] = "contact",
    [SEALED_USER_TOTP] = "totp",
    [SEALED_USER_NAME] = "display_name",
};

/* Where each field lives, and what it is bound to. */
static const struct {
    struct sealed_col col;
    bool case_bound;
    bool append_only; /* its rows are never updated (triggers): not re-sealed */
} fields[SEALED__MAX] = {
    [SEALED_SURVIVOR_IDENTITY] = {{"survivor", {"case_id"}, 1, "identity"}, true, false},
    [SEALED_CASE_SUMMARY] = {{"cases", {"id"}, 1, "summary"}, true, false},
    [SEALED_EVENT_TEXT] = {{"case_event", {"case_id"}, 1, "text"}, true, true},
    [SEALED_INCIDENT_DESCRIPTION] = {{"incident", {"id"}, 1, "description"}, true, false},
    [SEALED_NOTE_BODY] = {{"note", {"id"}, 1, "body"}, true, true},
    [SEALED_TASK_TITLE] = {{"task", {"id"}, 1, "title"}, true, false},
    [SEALED_MEMBER_PHONE] = {{"member", {"id"}, 1, "phone"}, false, false},
    [SEALED_CONSENT_REASON] = {{"consent", {"id"}, 1, "withdraw_reason"}, true, true},
    [SEALED_REFERRAL_REASON] = {{"referral", {"id"}, 1, "reason"}, true, false},
    [SEALED_REFERRAL_OVERRIDE] = {{"referral", {"id"}, 1, "override_reason"}, true, false},
    [SEALED_REFERRAL_SLIP] = {{"referral", {"id"}, 1, "slip_code"}, true, false},
    [SEALED_REFERRAL_NOTE] = {{"referral_event", {"referral_id"}, 1, "note"}, true, true},
    [SEALED_ADVICE_PERSON] = {{"migrant_advice", {"id"}, 1, "person"}, false, false},
    [SEALED_TRAINING_FACILITATOR] = {{"training", {"id"}, 1, "facilitator_outside"}, false, false},
    [SEALED_TRAINING_PARTICIPANT] = {{"training_participant", {"training_id", "idx"}, 2, "outside"},
                                     false,
                                     false},
    [SEALED_MEMBER_IDENTITY] = {{"member", {"id"}, 1, "identity"}, false, false},
    [SEALED_CASE_EMPLOYER] = {{"cases", {"id"}, 1, "employer"}, true, false},
    [SEALED_MEMBER_EMPLOYER] = {{"member", {"id"}, 1, "returnee_employer"}, false, false},
    [SEALED_REFERRAL_CONTACT] = {{"referral", {"id"}, 1, "contact_sealed"}, true, false},
    [SEALED_USER_TOTP] = {{"user_totp", {"user_id"}, 1, "secret"}, false, false},
    /* kept as text: a rotation leaves it under its key, which the ring keeps */
    [SEALED_USER_NAME] = {{"users", {"id"}, 1, "display_name"}, false, true},
};

bool sealed_case_bound(enum sealed_field f)
{
    return (unsigned)f < SEALED__MAX && fields[f].case_bound;
}

const struct sealed_col *sealed_column(enum sealed_field f)
{
    if ((unsigned)f >= SEALED__MAX)
        abort();
    return &fields[f].col;
}

bool sealed_resealable(enum sealed_field f)
{
    return (unsigned)f < SEALED__MAX && !fields[f].append_only;
}

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

/* ---- case keys ---- */

char *sealed_case_key_ad(const char *case_id)
{
    return xasprintf("case_key/%s", case_id);
}

/* The case's key into *out: ERR_NOT_FOUND when it has none and !make. */
static enum err case_key(const struct ctx *cx, const char *case_id, bool make, struct casekey **out)
{
    *out = NULL;
    char *ad = sealed_case_key_ad(case_id);
    struct blob w = {0};
    enum err e = store_case_key_get(cx->db, case_id, &w);
    if (e == ERR_NOT_FOUND && make) {
        struct casekey *ck = NULL;
        casekey_make(cx->key, ad, &ck, &w);
        e = store_case_key_insert(cx->db, case_id, &w);
        free(w.p);
        w.p = NULL;
        casekey_free(ck);
        /* read it back: a concurrent sealing may have written its own first */
        if (e == ERR_OK)
            e = store_case_key_get(cx->db, case_id, &w);
    }
    if (e == ERR_OK && !casekey_open(cx->key, ad, &w, out)) {
        log_error("case %s: its key does not open", case_id);
        e = ERR_INTERNAL;
    }
    free(w.p);
    free(ad);
    return e;
}

enum err sealed_seal_case(const struct ctx *cx, const char *case_id, enum sealed_field f,
                          const char *id, const char *text, struct blob *out)
{
    memset(out, 0, sizeof *out);
    if (!sealed_case_bound(f))
        abort(); /* a caller's bug */
    struct casekey *ck = NULL;
    enum err e = case_key(cx, case_id, true, &ck);
    if (e != ERR_OK) {
        log_error("case %s: cannot seal a field: its key cannot be made or read", case_id);
        return e == ERR_NOT_FOUND ? ERR_INTERNAL : e;
    }
    char *ad = sealed_ad(f, id);
    casekey_seal(ck, ad, text, strlen(text), out);
    free(ad);
    casekey_free(ck);
    return ERR_OK;
}

bool sealed_open_case(const struct ctx *cx, const char *case_id, enum sealed_field f,
                      const char *id, const struct blob *b, char **out)
{
    *out = NULL;
    if (b->len == 0)
        return true;
    char by[KEY_ID_HEX];
    if (!crypto_sealed_by(b, by) || strcmp(by, "case") != 0)
        return sealed_open(cx, f, id, b, out); /* sealed before case keys */
    struct casekey *ck = NULL;
    enum err e = case_key(cx, case_id, false, &ck);
    if (e == ERR_NOT_FOUND)
        return true; /* erased: the key is gone, and what it sealed */
    if (e != ERR_OK)
        return false;
    char *ad = sealed_ad(f, id);
    size_t n;
    bool ok = casekey_unseal(ck, ad, b, out, &n);
    free(ad);
    casekey_free(ck);
    if (!ok)
        log_error("%s: a sealed text does not open", id);
    return ok;
}

enum err sealed_shred_case(const struct ctx *cx, const char *case_id)
{
    return store_case_key_delete(cx->db, case_id);
}

/* ---- sealed values kept as text ---- */

#define TEXT_MARK '\x01'

bool sealed_is_text(const char *s)
{
    return s != NULL && s[0] == TEXT_MARK;
}

char *sealed_seal_text(const struct ctx *cx, enum sealed_field f, const char *id, const char *text)
{
    struct blob b;
    sealed_seal(cx, f, id, text, &b);
    size_t n = sodium_base64_ENCODED_LEN(b.len, sodium_base64_VARIANT_ORIGINAL);
    char *out = xmalloc(n + 1);
    out[0] = TEXT_MARK;
    sodium_bin2base64(out + 1, n, b.p, b.len, sodium_base64_VARIANT_ORIGINAL);
    free(b.p);
    return out;
}

bool sealed_open_text(const struct ctx *cx, enum sealed_field f, const char *id, const char *s,
                      char **out)
{
    *out = NULL;
    if (!sealed_is_text(s))
        return false;
    size_t n = strlen(s + 1), len = 0;
    struct blob b = {xmalloc(n + 1), 0};
    bool ok =
        sodium_base642bin(b.p, n, s + 1, n, NULL, &len, NULL, sodium_base64_VARIANT_ORIGINAL) == 0;
    b.len = len;
    ok = ok && sealed_open(cx, f, id, &b, out) && *out != NULL;
    free(b.p);
    return ok;
}
