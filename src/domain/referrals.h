/* Consent and referrals (DOMAIN.md §3 and §4; API.md "Cases", "Referrals
 * and services").
 *
 * A consent record says given or refused, for a purpose (services,
 * reporting, share_with) and, for share_with, one scope: an organization
 * or a service type. Records are never edited: a change of mind is a new
 * record, and for each purpose and scope the latest record decides; a
 * withdrawal makes a record cover nothing from then on.
 *
 * A referral sends a case to a service. It needs the survivor's services
 * consent and her consent to share with the service's organization or its
 * type (the organization's own latest record, where there is one, decides
 * over its type's: a refusal naming the organization is never overruled by
 * a consent for all services of its kind); else ERR_CONSENT and nothing is
 * written. A supervisor may override for a child at imminent risk, with a
 * reason: the referral is marked and the override audited.
 *
 * Who sees what of a referral is one mask decided here (referral_mask)
 * from the permission table and, for a provider, the consents as they
 * stand at the moment of the read. */
#ifndef CBPN_DOMAIN_REFERRALS_H
#define CBPN_DOMAIN_REFERRALS_H

#include <stdbool.h>
#include <stddef.h>

#include "domain/cases.h"
#include "domain/ctx.h"
#include "domain/fields.h"

#define CONSENT_REASON_MAX_CHARS  1000
#define REFERRAL_REASON_MAX_CHARS 2000
#define REFERRAL_NOTE_MAX_CHARS   4000
#define REFERRAL_CONTACT_MAX      120

/* ---- consent ---- */
struct consent_in {
    struct fields_sent sent;     /* so that "given" is required, not read as false */
    const char *purpose;         /* LIST_CONSENT_PURPOSE */
    const char *organization_id; /* share_with: exactly one of these two */
    const char *service_type;
    bool given;
    const char *method; /* LIST_CONSENT_METHOD */
    const char *by;     /* LIST_CONSENT_BY: guardian when she is under 18 */
};
extern const struct fieldset consent_fields;
struct consent_withdraw_in {
    const char *reason; /* optional, sealed */
};
extern const struct fieldset consent_withdraw_fields;

struct consent_view {
    struct consent_rec rec; /* withdraw_reason blob cleared */
    char *withdraw_reason;  /* opened, or NULL */
    char *recorded_by_name; /* display name (owned), or NULL */
};
void consent_view_free(struct consent_view *v);
void consent_views_free(struct consent_view *v, size_t n);

/* Records a consent or a refusal on the case (ACT_CONSENT_RECORD). The
 * case must not be closed (ERR_CONFLICT). ERR_VALIDATION: a scope missing
 * or not allowed for the purpose, an unknown organization, by "survivor"
 * when she is known to be under 18. Audited (consent), on the timeline. */
enum err consent_record(const struct ctx *cx, const char *case_id, const struct consent_in *in,
                        struct consent_view *out, struct fielderrs *fe);
/* Withdraws a consent record of the case: from then on it covers nothing,
 * and providers lose the identifying fields at once. ERR_CONFLICT when it
 * is already withdrawn; ERR_NOT_FOUND when it is not the case's. A
 * withdrawal is allowed on a closed case. */
enum err consent_withdraw(const struct ctx *cx, const char *case_id, const char *consent_id,
                          const struct consent_withdraw_in *in, struct consent_view *out,
                          struct fielderrs *fe);
/* The case's records in the order written (ACT_CONSENT_READ). */
enum err consent_list(const struct ctx *cx, const char *case_id, struct consent_view **items,
                      size_t *n);

/* What records v[0..n) (in the order written) decide. Pure: the rules
 * of the module comment. */
bool consent_allows_services(const struct consent_rec *v, size_t n);
bool consent_allows_sharing(const struct consent_rec *v, size_t n, const char *organization_id,
                            const char *service_type);

/* ---- referrals ---- */
struct referral_override_in {
    const char *reason; /* required: the imminent risk */
};
struct referral_in {
    const char *service_id;
    const char *urgency; /* LIST_URGENCY */
    const char *reason;  /* sealed */
    /* How the provider reaches the referring caseworker (printed on the
     * slip); optional. */
    const char *contact;
    bool has_override;
    struct referral_override_in override;
};
extern const struct fieldset referral_fields;

struct referral_patch_in {
    struct fields_sent sent;
    int version;
    const char *status; /* the status to move to */
    const char *note;   /* the reason of a decline, the outcome of a completion; sealed */
};
extern const struct fieldset referral_patch_fields;
void referral_patch_in_init(struct referral_patch_in *in);

/* The parts of a referral a caller may see. */
enum referral_part {
    RP_SUMMARY = 1u << 0,  /* ids, code, service, status, urgency, dates, sex, age band, concerns */
    RP_REASON = 1u << 1,   /* the reason (and an override's) */
    RP_IDENTITY = 1u << 2, /* names, phone, address text, birth date */
    RP_HISTORY = 1u << 3,  /* the moves with their notes */
    RP_SLIP = 1u << 4,     /* the slip's verification code and contact */
};

struct referral_identity {
    char *name_km;
    char *name_latn;
    char *phone;
    char *address_text;
    char *birth_date;
};

struct referral_move {
    struct referral_event_rec rec; /* note blob cleared */
    char *note;
    char *user_name;
};

#define SLIP_CODE_LEN 8

struct referral_view {
    struct referral_rec rec; /* sealed blobs cleared */
    unsigned mask;           /* enum referral_part bits */
    char *reason;
    char *override_reason;
    char survivor_sex[16];
    char age_band[CODE_SIZE]; /* "" when unknown */
    char concerns[CONCERNS_MAX][24];
    int nconcerns;
    bool overdue;
    bool has_identity;
    struct referral_identity identity;
    char slip_code[SLIP_CODE_LEN + 1]; /* RP_SLIP only */
    char *contact;                     /* RP_SLIP only: the caseworker's contact */
    char *service_name;
    char *organization_name;     /* the receiving organization */
    char *sender_name;           /* who sent it (display name) */
    struct referral_move *moves; /* RP_HISTORY only, oldest first */
    size_t nmoves;
    /* The moves the caller may make now (for the pages). */
    bool can_accept, can_decline, can_complete, can_withdraw;
};
void referral_view_free(struct referral_view *v);
void referral_views_free(struct referral_view *v, size_t n);

/* The parts of referral r the caller sees (0: none, not found), given the
 * case's consent records v[0..n). */
unsigned referral_mask(const struct ctx *cx, const struct referral_rec *r,
                       const struct consent_rec *v, size_t n);

/* Refers the case (ACT_REFERRAL_CREATE; with an override
 * ACT_REFERRAL_OVERRIDE): ERR_CONSENT without the consents (and without an
 * override); an override from a role without it ERR_FORBIDDEN, for a
 * survivor not known to be under 18 or without a reason ERR_VALIDATION. A
 * closed case: ERR_CONFLICT. Due for follow-up after the days the
 * settings give for its urgency. Sealed, audited (refer), on the timeline,
 * in one transaction. */
/* Seals the contact of referrals written before it was sealed; *sealed:
 * how many (cbpn serve, at start). */
enum err referral_seal_existing(const struct ctx *cx, size_t *sealed);
enum err referral_create(const struct ctx *cx, const char *case_id, const struct referral_in *in,
                         struct referral_view *out, struct fielderrs *fe);
/* One referral as the caller may see it; ERR_NOT_FOUND when she may not.
 * Audited as a read. */
enum err referral_get(const struct ctx *cx, const char *id, struct referral_view *out);
/* Moves a referral (DOMAIN.md §4) at in->version: accept, decline (note
 * required), complete (note required) by the receiving organization;
 * withdraw by the sender's staff. Any other move ERR_CONFLICT; a stale
 * version ERR_CONFLICT; a caller who may see it but not make that move
 * ERR_CONFLICT too (the move does not exist for her). */
enum err referral_update(const struct ctx *cx, const char *id, const struct referral_patch_in *in,
                         struct referral_view *out, struct fielderrs *fe);

struct referral_query {
    const char *status;  /* NULL: any */
    const char *overdue; /* NULL: any; "true": only overdue; "false": not overdue */
    const char *case_id; /* NULL: any */
    const char *cursor;
    int limit; /* 1..500; 0: 50 */
};
/* The referrals the caller may see, newest first: a provider's
 * organization's, a caseworker's cases', a supervisor's organization's. */
enum err referral_list(const struct ctx *cx, const struct referral_query *q,
                       struct referral_view **items, size_t *n, char next_cursor[CURSOR_SIZE],
                       struct fielderrs *fe);
/* The referrals of a case the caller may read the details of, newest
 * first (for the case page and the case's API answer); not audited apart
 * from the case's read. */
enum err referral_list_case(const struct ctx *cx, const struct case_rec *c,
                            struct referral_view **items, size_t *n);
/* New (sent) referrals addressed to the caller's organization: the count
 * on every page (0 for roles without ACT_REFERRAL_INBOX). */
int referral_inbox_count(const struct ctx *cx);
/* Overdue referrals the caller may see (the count on the lists' pages). */
int referral_overdue_count(const struct ctx *cx);

/* Follow-up days per urgency: the settings (domain/settings.h:
 * referral.followup_days.urgent and .routine), by default DOMAIN.md's 3
 * and 7. */
int referral_followup_days(const struct ctx *cx, bool urgent);

/* ---- the slip ---- */
/* A slip's verification code as typed: upper-cased, spaces and dashes
 * dropped, look-alikes read as the alphabet's letters (O as 0, I and L as
 * 1); false when what is left is not 8 letters of the alphabet. */
/* A new random slip code. */
void slip_code_make(char out[SLIP_CODE_LEN + 1]);
bool slip_code_normalize(const char *typed, char out[SLIP_CODE_LEN + 1]);
/* Checks a slip: the survivor code and the verification code it carries,
 * against the referrals of that case addressed to the caller's
 * organization (ACT_SLIP_VERIFY). *valid true and out filled when one
 * matches; a code that matches none is recorded as a wrong try against
 * each such referral not locked yet; after 5 within an hour, further
 * checks of that slip are refused, ERR_RATE_LIMITED, the right code
 * included, until the hour has passed. Audited. */
enum err slip_verify(const struct ctx *cx, const char *case_code, const char *code, bool *valid,
                     struct referral_view *out);
/* A slip check as typed (the API's body, the verify page's form). */
struct slip_verify_in {
    const char *case_code; /* the survivor code on the slip */
    const char *code;      /* the verification code */
};
extern const struct fieldset slip_verify_fields;

#endif
