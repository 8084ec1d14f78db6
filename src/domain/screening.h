/* Trafficking and forced-labour screening (DOMAIN.md §2).
 *
 * The instruments are data, not code: the catalog is read at start-up from
 * the built-in copies of data/ilo_trafficking_indicators.csv (dimension A-F,
 * code, strength S/M/W, English label), data/ilo_forced_labour_indicators.csv
 * (the 11 fl_* codes) and data/ilo_dimension_rule.csv, the rule that makes a
 * dimension present. Each rule row gives the least numbers of strong, medium
 * and weak indicators: a dimension is present when, for some row, its ticked
 * indicators include at least that many of each strength ("2 medium and 1
 * weak" is met by 2 M + 3 W, not by 1 M + 3 W: a weaker indicator never
 * stands in for a stronger one). With the shipped rows (2S; 1S+1M; 1S+1W;
 * 3M; 2M+1W) a stronger one standing in for a weaker one would change no
 * verdict, and 4 W alone is no dimension.
 *
 * A screening is a record of its own: who, when, which indicators, each
 * dimension's verdict, the forced-labour indicators ticked and the result. A
 * case may be screened again; every screening is kept. */
#ifndef CBPN_DOMAIN_SCREENING_H
#define CBPN_DOMAIN_SCREENING_H

#include <stdbool.h>
#include <stddef.h>

#include "domain/ctx.h"
#include "domain/fields.h"
#include "util/codes.h"

#define SCREENING_INDICATORS_MAX 128 /* a catalog holds no more; an input sends no more */
#define SCREENING_DIMENSIONS     6   /* A..F, the codes of LIST_DIMENSION */
#define SCREENING_STRENGTHS      3   /* S, M, W, the codes of LIST_STRENGTH */
#define SCREENING_RULE_ROWS_MAX  32
#define SCREENING_LABEL_MAX      200 /* characters */

#define SCREENING_TRAFFICKING_FILE   "data/ilo_trafficking_indicators.csv"
#define SCREENING_FORCED_LABOUR_FILE "data/ilo_forced_labour_indicators.csv"
#define SCREENING_RULE_FILE          "data/ilo_dimension_rule.csv"

struct screening_indicator {
    char code[CODE_SIZE];
    int dimension; /* index in LIST_DIMENSION (A = 0); -1 for a forced-labour indicator */
    int strength;  /* index in LIST_STRENGTH (S = 0); -1 for a forced-labour indicator */
    char *label_en;
    /* Forced labour: the HTCDS methods of control it maps to, separated
     * by ';' ("" when none). NULL for a trafficking indicator. */
    char *methods_of_control;
};

/* One row of the dimension rule: the least count of each strength. */
struct screening_rule_row {
    int least[SCREENING_STRENGTHS]; /* by LIST_STRENGTH index */
};

struct screening_catalog; /* read-only once loaded, shared by threads */

/* The three tables' text (not NUL-terminated necessarily). */
struct screening_sources {
    const char *trafficking;
    size_t trafficking_len;
    const char *forced_labour;
    size_t forced_labour_len;
    const char *rule;
    size_t rule_len;
};

/* Builds the catalog from the built-in tables. On failure ERR_INTERNAL,
 * *out NULL and *errmsg naming the file, line and reason (caller frees).
 * Caller frees *out with screening_catalog_free. */
enum err screening_catalog_load(struct screening_catalog **out, char **errmsg);
/* The same from given text, all checked: the exact headers, a known
 * dimension and strength, codes of lowercase letters, digits and '_' (fl_*
 * for forced labour and only there), each once across both tables; a
 * non-empty label of valid text; at most SCREENING_INDICATORS_MAX
 * indicators in all; rule rows of three whole numbers 0..99 not all zero,
 * at least one row. ERR_VALIDATION and *errmsg otherwise. */
enum err screening_catalog_parse(const struct screening_sources *src,
                                 struct screening_catalog **out, char **errmsg);
void screening_catalog_free(struct screening_catalog *c);
/* Number of indicators: the trafficking ones in file order, then the
 * forced-labour ones in file order; screening_catalog_at(c, i) for
 * i < screening_catalog_count(c). Owned by c. */
size_t screening_catalog_count(const struct screening_catalog *c);
const struct screening_indicator *screening_catalog_at(const struct screening_catalog *c, size_t i);
/* The indicator with that code, or NULL (also for NULL). Owned by c. */
const struct screening_indicator *screening_catalog_find(const struct screening_catalog *c,
                                                         const char *code);
/* The dimension rule's rows. Owned by c. */
size_t screening_rule_count(const struct screening_catalog *c);
const struct screening_rule_row *screening_rule_at(const struct screening_catalog *c, size_t i);
/* Whether a dimension with count[s] ticked indicators of each strength is
 * present under c's rule. */
bool screening_rule_met(const struct screening_catalog *c, const int count[SCREENING_STRENGTHS]);

/* The catalog, for whoever may screen (ACT_SCREENING_CREATE): ERR_FORBIDDEN
 * otherwise, ERR_INTERNAL when the context has none. Owned by cx. */
enum err screening_catalog_get(const struct ctx *cx, const struct screening_catalog **out);

struct screening_eval {
    bool dimensions[SCREENING_DIMENSIONS];
    /* The ticked indicators, trafficking then forced labour, in catalog
     * order; forced_labour[0..nforced): the fl_* ones. Owned by the catalog. */
    const struct screening_indicator *ticked[SCREENING_INDICATORS_MAX];
    size_t nticked;
    const struct screening_indicator *forced_labour[SCREENING_INDICATORS_MAX];
    size_t nforced;
    enum screening_result result;
};

/* Pure: each dimension's verdict, the forced-labour indicators and the
 * result for codes[0..n) of a survivor screened as an adult or a child.
 * Adult: (A or B or C) and D and (E or F) is presumed trafficking; child:
 * (A or B or C) and D; D present otherwise is exploitation without
 * trafficking indicators; else insufficient indicators. ERR_VALIDATION
 * (out zeroed) when a code is unknown or repeated, or n exceeds
 * SCREENING_INDICATORS_MAX. */
enum err screening_evaluate(const struct screening_catalog *c, bool adult, const char *const *codes,
                            size_t n, struct screening_eval *out);

/* POST /cases/{id}/screenings: {"adult", "indicators"}. adult is required;
 * indicators (codes of the catalog, each once) may be absent or empty. */
struct screening_in {
    struct fields_sent sent;
    bool adult;
    const char *indicators[SCREENING_INDICATORS_MAX];
    int nindicators; /* SCREENING_INDICATORS_MAX + 1: more were sent */
};
extern const struct fieldset screening_fields;
void screening_in_init(struct screening_in *in);

/* Screens case_id as the caller: ERR_FORBIDDEN / ERR_NOT_FOUND as
 * case_fetch decides under ACT_SCREENING_CREATE (before any field is
 * looked at); ERR_VALIDATION with fe (which may already hold the decoder's
 * errors) for a bad input, or for an adult that contradicts the survivor's
 * known age today (either way); unknown age accepts either. Writes the
 * screening, its timeline step (detail: the result code) and its audit
 * entry in one transaction; the case's version is unchanged. out: the
 * record written (screening_rec_free). */
/* The record of an evaluated screening of case case_id, by the actor, now
 * (or at r->created_at when set: r zeroed otherwise; for the scale demo's
 * bulk writer, domain/bulk.c). */
struct screening_rec;
void screening_record_make(const struct ctx *cx, const char *case_id, bool adult,
                           const struct screening_eval *ev, struct screening_rec *r);
enum err screening_add(const struct ctx *cx, const char *case_id, const struct screening_in *in,
                       struct screening_rec *out, struct fielderrs *fe);
/* The case's screenings, oldest first, for whoever may read its details
 * (ACT_CASE_READ_DETAIL; ERR_FORBIDDEN / ERR_NOT_FOUND as case_fetch);
 * the read is audited. *items: screening_list_free. */
enum err screening_list(const struct ctx *cx, const char *case_id, struct screening_rec **items,
                        size_t *n);

#endif
