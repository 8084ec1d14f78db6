/* Cases: reporting a concern, listing and reading them. Who sees which case,
 * and which of its fields, is decided here from the permission table; the
 * views handed up hold only what the caller may see. */
#ifndef CBPN_DOMAIN_CASES_H
#define CBPN_DOMAIN_CASES_H

#include <stdbool.h>
#include <stddef.h>

#include "domain/ctx.h"

#define SUMMARY_MAX_CHARS 4000
#define NAME_MAX_CHARS    120

struct survivor_in {
    const char *name_km; /* NULL when absent, as for every optional field */
    const char *name_latn;
    const char *phone;
    const char *sex; /* required */
    const char *birth_date;
    int age; /* -1 when absent */
    bool age_estimated;
    const char *address_code;
    const char *address_text;
};

struct case_report_in {
    const char *location_code;
    const char *concerns[CONCERNS_MAX + 1];
    int nconcerns;
    const char *summary;
    bool has_survivor;
    struct survivor_in survivor;
    bool consent_to_contact;
    bool urgent;
};

struct survivor_view {
    char *name_km;
    char *name_latn;
    char *phone;
    char *birth_date;
    char *address_text;
    char sex[16];
    int age;
    bool age_estimated;
    char address_code[CODE_SIZE];
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
    bool has_survivor;
    struct survivor_view survivor;
    /* Set by case_report only, for a reporter who may see the details of
     * cases (caseworker, supervisor): the cases she may see whose survivor
     * may be the same, best first (none is also an answer). */
    bool has_duplicates;
    size_t nduplicates;
    struct case_duplicate duplicates[CASE_DUPLICATES_MAX];
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
    const char *status;  /* NULL: any */
    const char *concern; /* NULL: any */
    /* NULL: any; else survivor names (Khmer or Latin, spelling-tolerant)
     * whose every word (at most CASE_NAME_KEYS_MAX) must match a word of
     * hers. Only for roles that may see case details. */
    const char *q;
    const char *cursor; /* NULL: first page */
    int limit;          /* 1..500; 0: 50 */
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

#endif
