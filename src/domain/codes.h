/* The code lists of DOMAIN.md that this version uses. Each list is an enum
 * with a __MAX sentinel and a table of its snake_case codes (codes.c); the
 * codes are what the API, the database and the PO catalogs use. */
#ifndef CBPN_DOMAIN_CODES_H
#define CBPN_DOMAIN_CODES_H

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

enum code_list { LIST_CONCERN, LIST_STATUS, LIST_RISK, LIST_SEX, LIST__MAX };

/* The code of value v in list, or NULL when out of range. Static storage. */
const char *code_name(enum code_list list, int v);
/* Index of code s in list, or -1. */
int code_parse(enum code_list list, const char *s);
/* Number of codes in list. */
int code_count(enum code_list list);

#endif
