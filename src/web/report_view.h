/* The dashboard's figures and charts (web/reports.c) drawn from a struct
 * report (domain/report.h), apart from the request so that they can be
 * tested over a hand-built report: a section per group of indicators, a
 * table per indicator with its breakdowns, the charts (web/chart.h), and
 * the line that explains small-number protection. A suppressed figure is
 * written as "*" (never its number), an absent one as "—". */
#ifndef CBPN_WEB_REPORT_VIEW_H
#define CBPN_WEB_REPORT_VIEW_H

#include "domain/report.h"
#include "i18n/i18n.h"
#include "util/buf.h"

struct places;

/* The label of category code of dimension dim in lang: a code list's label,
 * a district's (or any area's) gazetteer name from places (may be NULL), a
 * country's name, or report_label(); the code itself when unknown. Static
 * or owned by places. */
const char *report_cat_label(enum lang lang, const struct places *places, const char *dim,
                             const char *code);
/* The explanation of small-number protection with the report's k. */
void report_view_protection(struct buf *b, enum lang lang, const struct report *rep);
/* The sections of indicators, each indicator's table. */
void report_view_figures(struct buf *b, enum lang lang, const struct places *places,
                         const struct report *rep);
/* The charts: each monthly trend, the areas, the referral funnel. */
void report_view_charts(struct buf *b, enum lang lang, const struct places *places,
                        const struct report *rep);

#endif
