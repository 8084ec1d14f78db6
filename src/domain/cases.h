/* Cases: reporting a concern, listing and reading them. Who sees which case,
 * and which of its fields, is decided here from the permission table; the
 * views handed up hold only what the caller may see. */
#ifndef CBPN_DOMAIN_CASES_H
#define CBPN_DOMAIN_CASES_H

#include <stdbool.h>
#include <stddef.h>

#include "domain/ctx.h"
#include "domain/fields.h"

#define SUMMARY_MAX_CHARS  4000
#define NAME_MAX_CHARS     120
#define EMPLOYER_MAX_CHARS 200

#define MIGRATION_COUNTRIES_MAX 16

/* Inputs, each declared once in a field table (domain/fields.h) that the
 * JSON and the form decoders fill and fields_check() checks. Optional
 * strings are NULL when absent; optional ints are -1. Start an input with
 * its *_init(), which sets the absent values. */
struct migration_in {
    const char *countries[MIGRATION_COUNTRIES_MAX]; /* ISO 3166 alpha-2 */
    int ncountries;
    int years; /* years abroad in all */
    const char *channel;
    const char *sector;
};

struct survivor_in {
    struct fields_sent sent; /* what a PATCH sent */
    const char *name_km;     /* as written in Khmer script */
    const char *name_latn;   /* as she spells it in Latin letters */
    const char *phone;
    const char *sex; /* required */
    const char *birth_date;
    int age;
    bool age_estimated;
    const char *marital_status;
    int dependants;
    const char *occupation;
    bool disability;
    const char *nationality; /* ISO 3166 alpha-2 */
    const char *address_code;
    const char *address_text;
    bool has_migration;
    struct migration_in migration;
};
extern const struct fieldset survivor_fields;
/* Rows of survivor_fields, for what a PATCH sent. */
enum survivor_field {
    SURVIVOR_F_NAME_KM,
    SURVIVOR_F_NAME_LATN,
    SURVIVOR_F_PHONE,
    SURVIVOR_F_SEX,
    SURVIVOR_F_BIRTH_DATE,
    SURVIVOR_F_AGE,
    SURVIVOR_F_AGE_ESTIMATED,
    SURVIVOR_F_MARITAL_STATUS,
    SURVIVOR_F_DEPENDANTS,
    SURVIVOR_F_OCCUPATION,
    SURVIVOR_F_DISABILITY,
    SURVIVOR_F_NATIONALITY,
    SURVIVOR_F_ADDRESS_CODE,
    SURVIVOR_F_ADDRESS_TEXT,
    SURVIVOR_F_MIGRATION,
    SURVIVOR_F__MAX
};

struct case_report_in {
    const char *location_code;
    const char *concerns[CONCERNS_MAX];
    int nconcerns; /* CONCERNS_MAX + 1: more were sent */
    const char *summary;
    bool has_survivor;
    struct survivor_in survivor;
    bool consent_to_contact;
    bool urgent;
    const char *agency_id; /* the recruitment agency involved: an agency of the list */
    const char *employer;  /* the employer abroad (sealed) */
};
extern const struct fieldset case_report_fields;
void case_report_in_init(struct case_report_in *in);

/* A survivor as a caseworker sees her: the sealed identity opened (names,
 * phone, birth date, address text, occupation) and the plain demographics. */
struct survivor_view {
    char *name_km;
    char *name_latn;
    char *phone;
    char *birth_date;
    char *address_text;
    char *occupation;
    char sex[16];
    int age; /* -1 when unknown */
    bool age_estimated;
    char address_code[CODE_SIZE];
    /* JSON object text of the other plain fields as stored (marital_status,
     * dependants, disability, nationality, migration), or NULL. */
    char *demographics;
};

#define CASE_DUPLICATES_MAX 5

/* Another case whose survivor may be this one: score 0..1 (a shared phone
 * 0.6; her names' words add up to 0.4). */
struct case_duplicate {
    char id[ID_SIZE];
    char code[CODE_SIZE];
    double score;
};

/* A case as the caller may see it. detail false: only id, code, status,
 * concerns and dates are set, and reported_by when the caller reported it
 * (the rest zeroed). */
struct case_view {
    struct case_rec rec; /* sealed blobs and survivor cleared */
    bool detail;
    char *summary;
    char *employer; /* opened, with detail; NULL when none */
    bool has_survivor;
    struct survivor_view survivor;
    /* Set by case_report only, for a reporter who may see the details of
     * cases (caseworker, supervisor): the cases she may see whose survivor
     * may be the same, best first (none is also an answer). */
    bool has_duplicates;
    size_t nduplicates;
    struct case_duplicate duplicates[CASE_DUPLICATES_MAX];
    /* Set by case_list when asked (case_query.age_bands), for a caller who
     * may see the case's details: the
     * survivor's age today as a band (a LIST_AGE_GROUP code: "0_11",
     * "12_17", "18_25", ...), "" when unknown. Never her age or birth date. */
    char age_band[CODE_SIZE];
};
void case_view_free(struct case_view *v);
void case_views_free(struct case_view *v, size_t n);

/* Reports a concern as the caller. Validates every field (errors in fe,
 * ERR_VALIDATION), gives the case its code and status "reported", seals the
 * survivor's identity and the summary, records her blind index (keyed hashes
 * of her name words and phone), audits, all in one transaction. A reporter
 * who may see case details also learns of possible duplicates (see
 * struct case_view): cases within her reach sharing the phone or her name
 * (spelling-tolerant), of the same sex when both are known, scoring at
 * least 0.4; each one shown is audited as a read ("possible_duplicate") in
 * the report's transaction. */
enum err case_report(const struct ctx *cx, const struct case_report_in *in, struct case_view *out,
                     struct fielderrs *fe);

struct case_query {
    const char *status;      /* NULL: any */
    const char *concern;     /* NULL: any */
    const char *risk;        /* NULL: any */
    const char *urgent;      /* NULL: any; "true", "false" */
    const char *overdue;     /* NULL: any; "true": cases with an overdue task */
    const char *assigned_to; /* NULL: any; a user id */
    /* NULL: any; else survivor names (Khmer or Latin, spelling-tolerant)
     * whose every word (at most CASE_NAME_KEYS_MAX) must match a word of
     * hers. Only for roles that may see case details. */
    const char *q;
    const char *cursor; /* NULL: first page */
    int limit;          /* 1..500; 0: 50 */
    /* Fill each view's age_band (one more read of each case listed whose
     * details the caller may see): for the pages' lists. */
    bool age_bands;
};
#define CURSOR_SIZE 96

/* The cases the caller may see, urgent first then newest. next_cursor is ""
 * on the last page. ERR_FORBIDDEN for roles that see no cases, and for a q
 * from a role that may not see names; ERR_VALIDATION for a bad filter,
 * cursor or q (no word, or more than CASE_NAME_KEYS_MAX). A name search
 * audits a read ("name_search") of every case it answers with. */
enum err case_list(const struct ctx *cx, const struct case_query *q, struct case_view **items,
                   size_t *n, char next_cursor[CURSOR_SIZE], struct fielderrs *fe);
/* One case. ERR_FORBIDDEN for roles that see no cases; ERR_NOT_FOUND when it
 * does not exist or lies outside the caller's reach. Reads of details are
 * audited. */
enum err case_get(const struct ctx *cx, const char *id, struct case_view *out);

/* ---- for the modules of a case's records (incidents, screenings, notes,
 * tasks): reach, age, timeline ---- */

/* The case id as the caller may act on it under a: ERR_FORBIDDEN when the
 * table refuses a for her role, or when she may read the case but not do a
 * to it; ERR_NOT_FOUND when it does not exist or she may not read it (never
 * revealing that it exists). out is filled on ERR_OK (case_rec_free). */
enum err case_fetch(const struct ctx *cx, enum action a, const char *id, struct case_rec *out);
/* case_fetch for adding a record to the case (an incident, a screening, a
 * task): a closed case takes none, ERR_CONFLICT (reopen it first), nor
 * does an erased one; out is then released. Notes are the exception: they
 * may follow a closure (not an erasure). */
enum err case_fetch_open(const struct ctx *cx, enum action a, const char *id, struct case_rec *out);
/* The survivor's age in whole years on date (YYYY-MM-DD): from her sealed
 * birth date when known, else from the age given and the day it was given;
 * -1 when unknown. */
int case_survivor_age_on(const struct ctx *cx, const struct case_rec *r, const char *date);
/* The band of an age in whole years (the LIST_AGE_GROUP codes, as for
 * perpetrators), NULL for a negative (unknown) age. Static. */
const char *case_age_band(int age);
/* The agency a case's input names (agency_id), checked: one that is on no
 * list is a field error on "agency_id" (ERR_VALIDATION). */
enum err case_agency_check(const struct ctx *cx, const char *agency_id, struct fielderrs *fe);
/* Appends a step to the case's timeline, by the caller, in the caller's
 * transaction: kind is one of migration 0002's (reported, incident, ...),
 * detail codes only (or NULL), ref_id the record it made (or NULL), text
 * free text to seal (or NULL). */
enum err case_event_add(const struct ctx *cx, const char *case_id, const char *kind,
                        const char *detail, const char *ref_id, const char *text);

#endif
