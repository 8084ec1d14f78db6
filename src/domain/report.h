/* The donor report (DOMAIN.md §8, docs/reports.md): every indicator for a
 * whole calendar month, quarter or year and a whole area (the country, a
 * province, a district or a commune), with its breakdowns, every figure
 * protected by primary and complementary suppression (domain/sdc.h) decided
 * once for the whole deployment. Reached by ACT_REPORT_READ.
 *
 * The figures come from the maintained aggregates (store: report_cell),
 * never from one query per figure over the records. */
#ifndef CBPN_DOMAIN_REPORT_H
#define CBPN_DOMAIN_REPORT_H

#include <stdbool.h>
#include <stddef.h>

#include "domain/ctx.h"
#include "domain/fields.h"
#include "util/err.h"

#define REPORT_CODE_MAX 40 /* an indicator, dimension or category code */
#define REPORT_AREA_MAX 9  /* "" (the country) or a 2-, 4- or 6-digit code */

enum report_kind {
    REPORT_COUNT,  /* a whole number */
    REPORT_PCT,    /* a percentage, one decimal */
    REPORT_MEAN,   /* a mean, one decimal */
    REPORT_MEDIAN, /* a median (whole or .5) */
};

/* A figure as it may leave the system. */
struct report_value {
    bool suppressed; /* shown as suppressed: value is not set */
    bool absent;     /* no value at all (a percentage over nothing) */
    double value;    /* the figure when neither */
};

struct report_cat {
    char code[REPORT_CODE_MAX];
    struct report_value v;
};

struct report_dim {
    char name[REPORT_CODE_MAX]; /* district, sex, concern, ... (API.md) */
    size_t n;
    struct report_cat *cats; /* in the order of the code list (districts by code) */
};

struct report_ind {
    char code[REPORT_CODE_MAX]; /* groups_active, members, ... */
    enum report_kind kind;
    struct report_value v; /* members_trained_pct: absent (per topic only) */
    size_t ndims;
    struct report_dim *dims;
};

/* One point of a chart: a month (YYYY-MM) or an area (its code). */
struct report_point {
    char key[REPORT_CODE_MAX];
    struct report_value v;
};

struct report_series {
    char indicator[REPORT_CODE_MAX];
    size_t n;
    struct report_point *points;
};

struct report {
    char from[11], to[11];      /* YYYY-MM-DD, the whole period */
    char area[REPORT_AREA_MAX]; /* "" for the country */
    int k;                      /* the suppression threshold used */
    char as_of[32];             /* RFC 3339: when the published figures were decided */
    size_t n;
    struct report_ind *inds; /* in the order of docs/reports.md */
    /* For the dashboard's charts, protected as the rest: the months of the
     * period's year, for cases_reported, gbv_incidents, referrals_made and
     * people_reached; and the areas one level below the report's area
     * (provinces, districts or communes) for cases_reported. */
    size_t ntrends;
    struct report_series *trends;
    struct report_series by_area;
};

/* The request: from/to as given (strings), district "" or NULL for the
 * country. Invalid periods and areas answer ERR_VALIDATION with fe set. */
struct report_query {
    const char *from, *to, *district;
};

enum err report_indicators(const struct ctx *cx, const struct report_query *q, struct report *out,
                           struct fielderrs *fe);
void report_free(struct report *r);

/* The indicator, dimension or category's label in lang (the code when none). */
const char *report_label(enum lang lang, const char *code);

#endif
