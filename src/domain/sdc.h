/* Small-number protection of linked tables (docs/reports.md, "Small-number
 * protection"): primary suppression of counts 1..k-1, then complementary
 * suppression over every equation that links the cells, until every
 * equation holding a suppressed cell holds at least two, summing to more
 * than k (or its total is suppressed too). Pure: no I/O, deterministic.
 *
 * One table is one indicator and one dimension: cells indexed by
 * (area, period, category), area and period each a forest given by parent
 * indices (-1 for a root), category 0 the total and 1..ncat the parts. */
#ifndef CBPN_DOMAIN_SDC_H
#define CBPN_DOMAIN_SDC_H

#include <stdbool.h>
#include <stdint.h>

struct sdc_tree {
    int n;
    const int *parent; /* n entries, -1 for a root; a parent's index is below its children's */
};

struct sdc_table {
    const struct sdc_tree *area;
    const struct sdc_tree *period;
    int ncat;           /* parts; 0 = the total alone */
    bool cat_additive;  /* the total is the sum of the parts */
    bool time_additive; /* a period is the sum of its children (not for stocks) */
    bool area_additive; /* an area is the sum of its children */
    /* area->n * period->n * (ncat + 1) cells, index
     * (a * period->n + p) * (ncat + 1) + c; values >= 0 */
    const int64_t *value;
    /* in: cells suppressed before the rule runs (a total another table of
     * the same indicator suppressed); NULL for none */
    const bool *preset;
    bool *suppressed; /* out, same shape */
};

/* Decides t->suppressed under k (>= 2). Cells with value 0 are never
 * suppressed by the primary rule. */
void sdc_protect(struct sdc_table *t, int k);

#endif
