/* Recruitment agencies and the ministry's lists of licensed agencies
 * (DOMAIN.md §7). A list is imported whole from the command line (cbpn
 * agencies import); "licensed on a date" is answered from the stored lists
 * (store.h's agency_rec), never kept as a flag. Every signed-in role reads
 * the agencies (ACT_AGENCY_READ). */
#ifndef CBPN_DOMAIN_AGENCIES_H
#define CBPN_DOMAIN_AGENCIES_H

#include <stdbool.h>
#include <stddef.h>

#include "domain/ctx.h"
#include "domain/fields.h"
#include "domain/suppress.h"
#include "i18n/i18n.h"

#define AGENCY_NAME_MAX_CHARS 200
#define AGENCY_ROWS_MAX       5000 /* agencies one list may hold */
#define AGENCY_ERRORS_MAX     50   /* bad rows reported, at most */

/* What an import did: agencies on the new list not on the previous one,
 * on both with a name or the valid-until date changed, on both unchanged,
 * and on the previous one only (no longer licensed from source_date on). */
struct agency_import_summary {
    char import_id[ID_SIZE];
    int rows;
    int added;
    int updated;
    int unchanged;
    int dropped;
};

/* Imports the list in text[0..len) (UTF-8 CSV, header
 * name_km,name_en,licence_no,licence_valid_until; dates YYYY-MM-DD; lines
 * starting with '#' are comments) as the ministry's list of source_date:
 * all rows or none, in one transaction, audited (import). Rows are matched
 * to the agencies of earlier lists by licence_no. Only the local operator
 * imports (ERR_FORBIDDEN otherwise). ERR_VALIDATION when a row or the
 * source date is bad, or source_date is older than the last list's:
 * nothing is written and *errors (caller frees) says why, one line per bad
 * row ("line 7: licence_valid_until: not a date YYYY-MM-DD"). */
enum err agency_import(const struct ctx *cx, const char *text, size_t len, const char *source_date,
                       struct agency_import_summary *sum, char **errors);

struct agency_query {
    const char *q;      /* a name, Khmer or Latin, 1 to 6 words; NULL: every agency */
    const char *on;     /* YYYY-MM-DD; NULL: today (UTC) */
    int limit;          /* 0: 50; at most 500 */
    const char *cursor; /* the next_cursor of the previous page, or NULL */
    enum lang lang;     /* the order: by name in this language (Khmer collation for Khmer) */
};
/* The agencies matching q (spelling-tolerant, as case names: romanize.h),
 * read on q->on, by name in q->lang, then id. next_cursor "" on the last
 * page. Bad parameters are field errors (q, on, limit, cursor). *items:
 * free with agency_list_free. */
enum err agency_list(const struct ctx *cx, const struct agency_query *q, struct agency_rec **items,
                     size_t *n, char next_cursor[ID_SIZE], struct fielderrs *fe);
/* One agency read on the date on (NULL: today); ERR_NOT_FOUND when none. */
enum err agency_get(const struct ctx *cx, const char *id, const char *on, struct agency_rec *out,
                    struct fielderrs *fe);
/* What each list that named the agency said, oldest first (see
 * store_agency_history). */
enum err agency_history(const struct ctx *cx, const char *id, struct agency_rec **items, size_t *n);

/* Whether id names an agency of the lists (any date): ERR_OK, else
 * ERR_NOT_FOUND. For the inputs that name one (a case, a returnee history);
 * no permission is asked: the caller's own action was. */
enum err agency_known(const struct ctx *cx, const char *id);

/* ---- what returnees know, put to work (issue 8 item 6) ----
 *
 * An agency's indicator figures: of the cases naming the agency, across
 * every organization, those whose latest screening found forced-labour or
 * trafficking indicators, and per indicator how many of those had it. A
 * case counts when its latest screening (DOMAIN.md §2) has at least one of
 * the ILO forced-labour indicators ticked (each one alone is a reason for a
 * legal referral), or its result is presumed_trafficking (the ILO-EC
 * indicators make trafficking only as the dimension rule says: a result of
 * exploitation_without_trafficking_indicators or insufficient_indicators
 * is, in the instrument's own words, no trafficking indicators). Per
 * indicator: every indicator ticked in the counted cases' latest screening,
 * trafficking and forced labour, in the catalog's order, only those at
 * least one counted case had. Returnee histories are not cases and are not
 * counted: they have no screening.
 *
 * Every figure passes through suppress_count under the setting
 * suppression.k: 1..k-1 leave only as "fewer than k". The figures are not a
 * partition of the total (a case has several indicators), so no cell can
 * be recovered from the total and the others. Counts only: nothing says
 * which cases. */
struct agency_indicator_count {
    char code[CODE_SIZE];
    struct shown_count count;
};
struct agency_indicators {
    struct shown_count total;
    struct agency_indicator_count *by_indicator; /* owned; agency_indicators_free */
    size_t nby_indicator;
};
void agency_indicators_free(struct agency_indicators *a);
/* Whether the caller's role may see the figures (ACT_AGENCY_RISK). */
bool agency_indicators_allowed(const struct ctx *cx);
/* The figures of agency id. ERR_FORBIDDEN when the table refuses the
 * caller; ERR_NOT_FOUND when id names no agency. *out: agency_indicators_free. */
enum err agency_indicator_counts(const struct ctx *cx, const char *id,
                                 struct agency_indicators *out);

#endif
