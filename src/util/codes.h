/* Every code list of DOMAIN.md, in one place. Each list is a table of its
 * snake_case codes (codes.c), in the order DOMAIN.md gives them; the codes
 * are what the API, the database and the PO catalogs use. Lists the code
 * reasons about by value also have an enum whose order matches the table.
 * The SQL CHECK constraints of the migrations are tested against these
 * tables (tests/unit/test_codes.c).
 *
 * This module sits at the bottom of the house, beside util/, so that every
 * layer (auth's roles, the store, the domain, the pages) reads the same
 * table. */
#ifndef CBPN_UTIL_CODES_H
#define CBPN_UTIL_CODES_H

#include <stdbool.h>

enum concern {
    CONCERN_TRAFFICKING,
    CONCERN_FORCED_LABOUR,
    CONCERN_LABOUR_EXPLOITATION,
    CONCERN_UNSAFE_MIGRATION,
    CONCERN_DOMESTIC_VIOLENCE,
    CONCERN_SEXUAL_VIOLENCE,
    CONCERN_OTHER_VIOLENCE,
    CONCERN_CHILD_AT_RISK,
    CONCERN_OTHER,
    CONCERN__MAX
};

enum case_status {
    STATUS_REPORTED,
    STATUS_OPEN,
    STATUS_CLOSURE_REQUESTED,
    STATUS_CLOSED,
    STATUS__MAX
};

enum risk { RISK_LOW, RISK_MEDIUM, RISK_HIGH, RISK__MAX };

enum sex { SEX_FEMALE, SEX_MALE, SEX_OTHER, SEX_UNKNOWN, SEX__MAX };

/* DOMAIN.md §1, in the order of the classification rule. */
enum gbv_type {
    GBV_RAPE,
    GBV_SEXUAL_ASSAULT,
    GBV_PHYSICAL_ASSAULT,
    GBV_FORCED_MARRIAGE,
    GBV_DENIAL_OF_RESOURCES,
    GBV_PSYCHOLOGICAL_ABUSE,
    GBV_NON_GBV,
    GBV__MAX
};

enum context_flag {
    FLAG_INTIMATE_PARTNER_VIOLENCE,
    FLAG_CHILD_SEXUAL_ABUSE,
    FLAG_EARLY_MARRIAGE,
    FLAG_POSSIBLE_SEXUAL_EXPLOITATION,
    FLAG_POSSIBLE_SEXUAL_SLAVERY,
    FLAG__MAX
};

/* DOMAIN.md §2. */
enum screening_result {
    RESULT_PRESUMED_TRAFFICKING,
    RESULT_EXPLOITATION_WITHOUT_TRAFFICKING_INDICATORS,
    RESULT_INSUFFICIENT_INDICATORS,
    RESULT__MAX
};

enum code_list {
    LIST_CONCERN,
    LIST_STATUS,
    LIST_RISK,
    LIST_SEX,
    LIST_ROLE,           /* account roles (DESIGN.md); enum role in auth/perm.h */
    LIST_ORG_KIND,       /* ngo, provider */
    LIST_NETWORK_ROLE,   /* §6 */
    LIST_TOPIC,          /* §6 training topics */
    LIST_AUDIENCE,       /* §6 */
    LIST_SECTOR,         /* §7 */
    LIST_CHANNEL,        /* §7 */
    LIST_DOCUMENT,       /* §7 documents checklist */
    LIST_MIGRATION_RISK, /* §7 risks */
    LIST_GBV_TYPE,       /* §1 */
    LIST_CONTEXT_FLAG,   /* §1 */
    LIST_TIME_OF_DAY,
    LIST_LOCATION_TYPE,
    LIST_MIGRATION_STAGE,
    LIST_ABDUCTION,
    LIST_REPORTED_ELSEWHERE,
    LIST_AGE_GROUP,    /* a perpetrator's */
    LIST_RELATIONSHIP, /* a perpetrator's to the survivor */
    LIST_MARITAL_STATUS,
    LIST_SCREENING_RESULT, /* §2 */
    LIST_DIMENSION,        /* §2: A..F */
    LIST_STRENGTH,         /* §2: S, M, W */
    LIST_CLOSURE_REASON,   /* §5 */
    LIST_SERVICE_TYPE,     /* §4 */
    LIST_REFERRAL_STATUS,  /* §4 */
    LIST_URGENCY,          /* §4 */
    LIST_CONSENT_PURPOSE,  /* §3 */
    LIST_CONSENT_METHOD,
    LIST_CONSENT_BY,
    LIST_LOCALE,   /* the languages of the pages: km, en */
    LIST_LANGUAGE, /* the languages a service is given in (ISO 639-1) */
    LIST__MAX
};

/* The code of value v in list, or NULL when out of range. Static storage. */
const char *code_name(enum code_list list, int v);
/* Index of code s in list, or -1 (also for NULL). */
int code_parse(enum code_list list, const char *s);
/* Number of codes in list. */
int code_count(enum code_list list);
/* The list's name as the tests and messages call it ("concern"), or NULL. */
const char *code_list_name(enum code_list list);

#endif
