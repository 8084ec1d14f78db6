/* Safe-migration advice: the warnings a plan raises (DOMAIN.md §7, API.md
 * "Safe migration"). The rules are one pure function, so the API, the pages
 * and the tests read the same ones; the advice record that carries them
 * builds on it. */
#ifndef CBPN_DOMAIN_ADVICE_H
#define CBPN_DOMAIN_ADVICE_H

#include <stdbool.h>
#include <stddef.h>

#include "i18n/i18n.h"

#define ADVICE_RISKS_MAX    8 /* every risk code of DOMAIN.md §7 */
#define ADVICE_WARNINGS_MAX 10

/* What the rules look at in a plan. */
struct advice_facts {
    const char *date;       /* the day of the advice, YYYY-MM-DD */
    const char *birth_date; /* the person's, YYYY-MM-DD, or NULL */
    int birth_year;         /* when only that is known; -1: unknown */
    const char *channel;    /* LIST_CHANNEL */
    bool has_agency;        /* an agency of the list is named */
    bool agency_licensed;   /* ... and it is licensed on date */
    bool passport;          /* from the documents checklist */
    bool contract;
    const char *risks[ADVICE_RISKS_MAX]; /* LIST_MIGRATION_RISK codes ticked */
    int nrisks;
};

struct advice_warning {
    const char *code; /* a LIST_MIGRATION_RISK code, or "missing_documents" */
    enum msg why;     /* the reason in plain words (i18n_text in either language) */
};

/* The warnings facts raise, in the order of DOMAIN.md §7's risks then
 * missing_documents, each code once:
 * - unlicensed_agency: the agency named is not licensed on date, or the
 *   channel is licensed_agency and no agency is named (or ticked);
 * - irregular_border_crossing: channel irregular (or ticked);
 * - minor: under 18 on date, from the birth date, else when date's year
 *   minus the birth year is under 18 (or ticked);
 * - no_written_contract: no contract in the checklist (or ticked);
 * - missing_documents: no passport, unless the channel is border_pass;
 * - every other risk ticked.
 * Returns how many were written to out (at most ADVICE_WARNINGS_MAX). */
size_t advice_warnings(const struct advice_facts *facts,
                       struct advice_warning out[ADVICE_WARNINGS_MAX]);

#endif
