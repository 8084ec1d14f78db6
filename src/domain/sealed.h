/* Sealed fields: the associated data that binds each sealed column's blob
 * to its record, in one table, so a blob moved to another row or column
 * does not open. Every sealing and opening in the domain takes its ad
 * from here, and so does whatever checks sealed fields outside it (cbpn
 * migrate's verification). */
#ifndef CBPN_DOMAIN_SEALED_H
#define CBPN_DOMAIN_SEALED_H

#include <stdbool.h>

#include "util/err.h"

enum sealed_field {
    SEALED_SURVIVOR_IDENTITY,    /* survivor.identity, by the case id */
    SEALED_CASE_SUMMARY,         /* cases.summary, by the case id */
    SEALED_EVENT_TEXT,           /* case_event.text, by the case id */
    SEALED_INCIDENT_DESCRIPTION, /* incident.description, by the incident id */
    SEALED_NOTE_BODY,            /* note.body, by the note id */
    SEALED_TASK_TITLE,           /* task.title, by the task id */
    SEALED_MEMBER_PHONE,         /* member.phone, by the member id */
    SEALED_CONSENT_REASON,       /* consent.withdraw_reason, by the consent id */
    SEALED_REFERRAL_REASON,      /* referral.reason, by the referral id */
    SEALED_REFERRAL_OVERRIDE,    /* referral.override_reason, by the referral id */
    SEALED_REFERRAL_SLIP,        /* referral.slip_code, by the referral id */
    SEALED_REFERRAL_NOTE,        /* referral_event.note, by the referral id */
    SEALED_ADVICE_PERSON,        /* migrant_advice.person, by the advice id */
    SEALED_TRAINING_FACILITATOR, /* training.facilitator_outside, by the training id */
    /* training_participant.outside, by "<training id>/<idx>" */
    SEALED_TRAINING_PARTICIPANT,
    SEALED_MEMBER_IDENTITY,  /* member.identity, by the member id */
    SEALED_CASE_EMPLOYER,    /* cases.employer, by the case id */
    SEALED_MEMBER_EMPLOYER,  /* member.returnee_employer, by the member id */
    SEALED_REFERRAL_CONTACT, /* referral.contact_sealed, by the referral id */
    SEALED_USER_TOTP,
    /* users.display_name, by the user id: as text, "\x01" and the blob in
     * base64 (the column is text; input text never holds a \x01) */
    SEALED_USER_NAME, /* user_totp.secret (base32 text), by the user id */
    SEALED__MAX
};

/* The associated data of field f (a SEALED_* value) of the record id
 * (caller frees). */
char *sealed_ad(enum sealed_field f, const char *id);

struct ctx;
struct blob;
/* Seals text as field f of record id under the caller's data key. */
void sealed_seal(const struct ctx *cx, enum sealed_field f, const char *id, const char *text,
                 struct blob *out);
/* Opens field f of record id into *out (a new string; NULL when the blob
 * is empty); false, logged by id, when it does not open. */
bool sealed_open(const struct ctx *cx, enum sealed_field f, const char *id, const struct blob *b,
                 char **out);

/* Field f of record id sealed, as text for a text column: a \x01 and the
 * blob in base64 (caller frees). */
char *sealed_seal_text(const struct ctx *cx, enum sealed_field f, const char *id, const char *text);
/* Whether s is such a text. */
bool sealed_is_text(const char *s);
/* Opens one into *out (caller frees); false when it is none or does not open. */
bool sealed_open_text(const struct ctx *cx, enum sealed_field f, const char *id, const char *s,
                      char **out);

/* Fields bound to a case are sealed under the case's own key (crypto.h:
 * case keys), made when the case's first such field is sealed and kept
 * wrapped in case_key; erasure deletes it. The case's id is the caller's:
 * the record id of an incident, note, task, consent or referral is not it. */
bool sealed_case_bound(enum sealed_field f);
/* Seals text as field f (case-bound) of record id of case case_id under
 * the case's key, making the key when the case has none. ERR_INTERNAL
 * (logged by id) when the key cannot be read or written. */
enum err sealed_seal_case(const struct ctx *cx, const char *case_id, enum sealed_field f,
                          const char *id, const char *text, struct blob *out);
/* Opens field f of record id of case case_id: under the case key, or
 * under the data key for what was sealed before case keys. A blob whose
 * case key is gone (erased) opens to NULL. false, logged, when it does
 * not open. */
bool sealed_open_case(const struct ctx *cx, const char *case_id, enum sealed_field f,
                      const char *id, const struct blob *b, char **out);
/* Destroys the case's key: every field sealed under it is gone for good. */
enum err sealed_shred_case(const struct ctx *cx, const char *case_id);
/* The associated data of the case's wrapped key (caller frees). */
char *sealed_case_key_ad(const char *case_id);

/* Where field f lives (table, the columns naming its row as its ad names
 * it, the column), and whether a key rotation re-seals it: not fields
 * under case keys' rows alone (those keys are re-wrapped instead), and
 * not append-only tables (the old key is kept to open them). */
const struct sealed_col *sealed_column(enum sealed_field f);
bool sealed_resealable(enum sealed_field f);

#endif
