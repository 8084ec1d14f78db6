/* The indicator engine (domain/report.h, docs/reports.md).
 *
 * The maintained aggregates (report_cell: a record's contribution per
 * code, dimension, category, place and month) are read once into the
 * deployment's lattice: every area with data and its ancestors (the country,
 * provinces, districts, communes) by every period (years, quarters, months)
 * by every category. Each count is summed up the lattice, protected by
 * sdc_protect once for the whole deployment, and kept as a snapshot until a
 * write changes the cells (store_report_generation) or it is older than
 * SNAPSHOT_MAX_AGE (the overdue referrals move with the clock). A request is
 * answered from the snapshot: the same cell always shows the same way. */
#include "domain/report.h"

#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit/audit.h"
#include "domain/check.h"
#include "domain/place.h"
#include "domain/scope.h"
#include "domain/sdc.h"
#include "domain/suppress.h"
#include "store/store.h"
#include "util/alloc.h"
#include "util/clock.h"
#include "util/codes.h"
#include "util/log.h"

#define SNAPSHOT_MAX_AGE 300 /* seconds */

/* ---- the indicators (docs/reports.md, in its order) ---- */

enum source {
    SRC_SUM,      /* records dated in the period */
    SRC_STOCK,    /* records dated up to the period's end */
    SRC_DISTINCT, /* categories (groups, members) with any record in the period */
    SRC_OVERDUE,  /* overdue_start - overdue_stop up to the end; live for an open period */
    SRC_PCT,      /* 100 * part / whole */
    SRC_MEAN,     /* s / n of one cell code */
    SRC_MEDIAN,   /* the median of a days histogram */
};

/* A breakdown: its API name, the cell dimension it reads, its code list
 * (-1: the categories found), whether a record is in exactly one category. */
struct dimdef {
    const char *name;
    const char *cell_dim;
    int list;
    bool additive;
};

#define DIM_DISTRICT ((const struct dimdef *)1) /* the areas, not a cell dimension */

struct inddef {
    const char *code;
    enum report_kind kind;
    enum source src;
    const char *cell;  /* the cell code read (the part, for a percentage) */
    const char *whole; /* SRC_PCT: the cell code of the whole */
    bool by_district;
    const struct dimdef *dims[3];
};

static const struct dimdef dim_network_role = {"network_role", "network_role", LIST_NETWORK_ROLE,
                                               false};
static const struct dimdef dim_audience = {"audience", "audience", LIST_AUDIENCE, true};
static const struct dimdef dim_sex = {"sex", "sex", LIST_SEX, true};
static const struct dimdef dim_reached_sex = {"sex", "sex", -2, true}; /* female, male */
static const struct dimdef dim_age = {"age", "age", -3, true};         /* under_18, 18_plus */
static const struct dimdef dim_destination = {"destination", "destination", -1, true};
static const struct dimdef dim_channel = {"channel", "channel", LIST_CHANNEL, true};
static const struct dimdef dim_concern = {"concern", "concern", LIST_CONCERN, false};
static const struct dimdef dim_reporter = {"reporter_role", "reporter_role", LIST_ROLE, true};
static const struct dimdef dim_gbv = {"gbv_type", "gbv_type", LIST_GBV_TYPE, true};
static const struct dimdef dim_service = {"service_type", "service_type", LIST_SERVICE_TYPE, true};
static const struct dimdef dim_reason = {"reason", "reason", LIST_CLOSURE_REASON, true};
static const struct dimdef dim_topic = {"topic", "topic", LIST_TOPIC, false};

static const struct inddef inds[] = {
    {"groups_active", REPORT_COUNT, SRC_DISTINCT, "group_activity", NULL, true, {NULL}},
    {"members", REPORT_COUNT, SRC_STOCK, "members", NULL, true, {&dim_network_role}},
    {"members_returnees", REPORT_COUNT, SRC_STOCK, "members_returnees", NULL, false, {NULL}},
    {"trainings", REPORT_COUNT, SRC_SUM, "trainings", NULL, false, {&dim_audience}},
    {"training_participants",
     REPORT_COUNT,
     SRC_SUM,
     "training_participants",
     NULL,
     false,
     {&dim_audience, &dim_sex}},
    {"members_trained_pct", REPORT_PCT, SRC_PCT, "member_trained", "members", false, {&dim_topic}},
    {"knowledge_gain", REPORT_MEAN, SRC_MEAN, "knowledge_gain", NULL, false, {NULL}},
    {"outreach_sessions", REPORT_COUNT, SRC_SUM, "outreach_sessions", NULL, false, {NULL}},
    {"people_reached",
     REPORT_COUNT,
     SRC_SUM,
     "people_reached",
     NULL,
     false,
     {&dim_reached_sex, &dim_age}},
    {"people_advised",
     REPORT_COUNT,
     SRC_SUM,
     "people_advised",
     NULL,
     false,
     {&dim_destination, &dim_channel}},
    {"regular_channel_pct",
     REPORT_PCT,
     SRC_PCT,
     "regular_channel",
     "people_advised",
     false,
     {NULL}},
    {"unlicensed_agency_warnings",
     REPORT_COUNT,
     SRC_SUM,
     "unlicensed_agency_warnings",
     NULL,
     false,
     {NULL}},
    {"cases_reported",
     REPORT_COUNT,
     SRC_SUM,
     "cases_reported",
     NULL,
     true,
     {&dim_concern, &dim_reporter}},
    {"presumed_trafficking", REPORT_COUNT, SRC_SUM, "presumed_trafficking", NULL, false, {NULL}},
    {"gbv_incidents", REPORT_COUNT, SRC_SUM, "gbv_incidents", NULL, false, {&dim_gbv}},
    {"referrals_made", REPORT_COUNT, SRC_SUM, "referrals_made", NULL, false, {&dim_service}},
    {"referrals_accepted_pct",
     REPORT_PCT,
     SRC_PCT,
     "referrals_accepted",
     "referrals_made",
     false,
     {NULL}},
    {"referrals_completed_pct",
     REPORT_PCT,
     SRC_PCT,
     "referrals_completed",
     "referrals_made",
     false,
     {NULL}},
    {"median_days_to_completion",
     REPORT_MEDIAN,
     SRC_MEDIAN,
     "days_to_completion",
     NULL,
     false,
     {NULL}},
    {"referrals_overdue", REPORT_COUNT, SRC_OVERDUE, "overdue_start", NULL, false, {NULL}},
    {"cases_closed", REPORT_COUNT, SRC_SUM, "cases_closed", NULL, false, {&dim_reason}},
    {"median_days_open", REPORT_MEDIAN, SRC_MEDIAN, "days_open", NULL, false, {NULL}},
    {"cascade_trainings", REPORT_COUNT, SRC_SUM, "cascade_trainings", NULL, false, {&dim_audience}},
    {"cascade_participants",
     REPORT_COUNT,
     SRC_SUM,
     "cascade_participants",
     NULL,
     false,
     {&dim_audience}},
};
#define NINDS (sizeof inds / sizeof inds[0])

/* The charts' series (report.h). */
static const char *const trend_codes[] = {"cases_reported", "gbv_incidents", "referrals_made",
                                          "people_reached"};
#define NTRENDS (sizeof trend_codes / sizeof trend_codes[0])

/* ---- the lattice ---- */

#define AREA_CODE 8

struct area {
    char code[AREA_CODE]; /* "" for the country */
    int parent;
    bool virtual_; /* records placed above a commune: never shown as an area */
};

/* One table: a cell code and one of its dimensions (or none) over every
 * area, period and category; cat 0 is the code's total. */
struct table {
    char code[REPORT_CODE_MAX];
    char dim[REPORT_CODE_MAX]; /* the cell dimension, "" for the total alone */
    int ncat;
    char (*cats)[REPORT_CODE_MAX]; /* ncat + 1; [0] = "" */
    /* A breakdown's table is coarse: areas down to districts, periods down
     * to quarters (where breakdowns are published); a total's is the whole
     * lattice. */
    bool coarse;
    int na, np;
    int64_t *value;   /* na * np * (ncat + 1) */
    int64_t *sum;     /* s, for SRC_MEAN; NULL otherwise */
    bool *suppressed; /* NULL: not a count that leaves the system by itself */
    bool time_additive;
};

struct snapshot {
    int64_t gen;
    int k;
    time_t built;
    char as_of[32];
    char today[11];
    int refs;
    /* areas: [0] the country, then provinces, districts, communes */
    int na;
    struct area *areas;
    /* periods: years [0, ny), quarters [ny, 5 ny), months [5 ny, 17 ny) */
    int y0, ny, np;
    size_t nt;
    struct table *t;
};

static int period_year(int y0, int y)
{
    return y - y0;
}
static int period_quarter(int y0, int ny, int y, int q)
{
    return ny + (y - y0) * 4 + q;
}
static int period_month(int y0, int ny, int y, int m)
{
    return 5 * ny + (y - y0) * 12 + m;
}

static size_t cell_index(const struct snapshot *s, const struct table *t, int a, int p, int c)
{
    (void)s;
    return ((size_t)a * (size_t)t->np + (size_t)p) * (size_t)(t->ncat + 1) + (size_t)c;
}

static int area_cmp(const void *a, const void *b)
{
    const struct area *x = a, *y = b;
    size_t lx = strlen(x->code), ly = strlen(y->code);
    if (lx != ly)
        return lx < ly ? -1 : 1;
    return strcmp(x->code, y->code);
}

static int area_find(const struct snapshot *s, const char *code)
{
    struct area key = {0};
    snprintf(key.code, sizeof key.code, "%s", code);
    const struct area *f = bsearch(&key, s->areas, (size_t)s->na, sizeof key, area_cmp);
    return f == NULL ? -1 : (int)(f - s->areas);
}

/* The leaf a place's records sit at: a commune, or a virtual one under a
 * district ("DDDD00") or a province ("PP0000"). */
static void place_leaf(const char *place, char out[AREA_CODE])
{
    size_t n = strlen(place);
    if (n >= 6)
        snprintf(out, AREA_CODE, "%.6s", place);
    else if (n >= 4)
        snprintf(out, AREA_CODE, "%.4s00", place);
    else
        snprintf(out, AREA_CODE, "%.2s0000", place);
}

/* The categories of a table, from its dimension's code list; those found
 * in the cells outside it are added as they come. */
static void table_cats_init(struct table *t, const struct dimdef *d)
{
    int n = 0;
    if (d != NULL && d->list >= 0)
        n = code_count(d->list);
    else if (d != NULL && (d->list == -2 || d->list == -3))
        n = 2;
    t->cats = xcalloc((size_t)n + 1, sizeof *t->cats);
    t->ncat = 0;
    for (int i = 0; i < n; i++) {
        const char *c = d->list >= 0    ? code_name(d->list, i)
                        : d->list == -2 ? (i == 0 ? "female" : "male")
                                        : (i == 0 ? "under_18" : "18_plus");
        if (d->list == LIST_GBV_TYPE && strcmp(c, "non_gbv") == 0)
            continue; /* not a GBV incident */
        snprintf(t->cats[++t->ncat], REPORT_CODE_MAX, "%s", c);
    }
}

static int table_cat(const struct table *t, const char *cat)
{
    if (cat[0] == '\0')
        return 0;
    for (int i = 1; i <= t->ncat; i++)
        if (strcmp(t->cats[i], cat) == 0)
            return i;
    return -1;
}

static struct table *table_find(const struct snapshot *s, const char *code, const char *dim)
{
    for (size_t i = 0; i < s->nt; i++)
        if (strcmp(s->t[i].code, code) == 0 && strcmp(s->t[i].dim, dim) == 0)
            return &s->t[i];
    return NULL;
}

/* ---- building the snapshot ---- */

/* A cell row as kept while the cells are read (the lattice's areas and
 * years are known only at the end). */
struct row {
    uint16_t table, cat;
    uint16_t leaf;
    uint16_t month; /* year * 12 + month - 1, from 1900 */
    int64_t n, s;
    uint32_t thing; /* distinct tables: the group or member (interned) */
};

struct intern {
    size_t cap, n;
    char (*keys)[REPORT_CODE_MAX];
    uint32_t *slot; /* cap entries: index + 1, 0 = empty */
};

static uint32_t intern_get(struct intern *h, const char *key)
{
    if (h->n * 2 >= h->cap) {
        size_t ncap = h->cap ? h->cap * 2 : 1024;
        uint32_t *ns = xcalloc(ncap, sizeof *ns);
        for (size_t i = 0; i < h->cap; i++)
            if (h->slot[i]) {
                uint64_t x = 1469598103934665603ULL;
                for (const char *c = h->keys[h->slot[i] - 1]; *c; c++)
                    x = (x ^ (unsigned char)*c) * 1099511628211ULL;
                size_t j = (size_t)x & (ncap - 1);
                while (ns[j])
                    j = (j + 1) & (ncap - 1);
                ns[j] = h->slot[i];
            }
        free(h->slot);
        h->slot = ns;
        h->cap = ncap;
        h->keys = xrealloc(h->keys, (ncap / 2 + 1) * sizeof *h->keys);
    }
    uint64_t x = 1469598103934665603ULL;
    for (const char *c = key; *c; c++)
        x = (x ^ (unsigned char)*c) * 1099511628211ULL;
    size_t j = (size_t)x & (h->cap - 1);
    while (h->slot[j]) {
        if (strcmp(h->keys[h->slot[j] - 1], key) == 0)
            return h->slot[j] - 1;
        j = (j + 1) & (h->cap - 1);
    }
    snprintf(h->keys[h->n], REPORT_CODE_MAX, "%s", key);
    h->slot[j] = (uint32_t)++h->n;
    return (uint32_t)(h->n - 1);
}

static void intern_free(struct intern *h)
{
    free(h->keys);
    free(h->slot);
    memset(h, 0, sizeof *h);
}

struct build {
    struct snapshot *s;
    struct row *rows;
    size_t nrows, caprows;
    struct intern leaves, things;
    int mmin, mmax; /* months seen */
    /* the last row's table and category: the cells come in their order */
    char last_code[REPORT_CODE_MAX], last_dim[REPORT_CODE_MAX], last_cat[REPORT_CODE_MAX];
    struct table *last_t;
    int last_c;
};

/* The tables the indicators read, with their categories; values come later. */
static struct table *table_add(struct snapshot *s, const char *code, const struct dimdef *d,
                               bool time_additive)
{
    const char *dim = d != NULL ? d->cell_dim : "";
    struct table *t = table_find(s, code, dim);
    if (t != NULL)
        return t;
    s->t = xrealloc(s->t, (s->nt + 1) * sizeof *s->t);
    t = &s->t[s->nt++];
    memset(t, 0, sizeof *t);
    snprintf(t->code, sizeof t->code, "%s", code);
    snprintf(t->dim, sizeof t->dim, "%s", dim);
    table_cats_init(t, d);
    t->time_additive = time_additive;
    t->coarse = d != NULL;
    return t;
}

static void tables_declare(struct snapshot *s)
{
    for (size_t i = 0; i < NINDS; i++) {
        const struct inddef *d = &inds[i];
        bool sum = d->src == SRC_SUM || d->src == SRC_MEAN || d->src == SRC_PCT;
        switch (d->src) {
        case SRC_MEDIAN:
            break; /* a histogram, read per request */
        case SRC_PCT:
            if (d->dims[0] != NULL) /* member_trained: distinct members per topic */
                table_add(s, d->cell, d->dims[0], false);
            else
                table_add(s, d->cell, NULL, true);
            break;
        case SRC_OVERDUE:
            table_add(s, "overdue_start", NULL, false);
            table_add(s, "overdue_stop", NULL, false);
            break;
        default:
            table_add(s, d->cell, NULL, sum);
            for (int k = 0; k < 3 && d->dims[k] != NULL; k++)
                table_add(s, d->cell, d->dims[k], sum);
        }
    }
}

static bool distinct_table(const struct table *t)
{
    return strcmp(t->code, "group_activity") == 0 || strcmp(t->code, "member_trained") == 0;
}

/* "YYYY-MM" as months since 1900, or -1. */
static int month_parse(const char *m)
{
    for (int i = 0; i < 7; i++)
        if (i == 4 ? m[i] != '-' : (m[i] < '0' || m[i] > '9'))
            return -1;
    if (m[7] != '\0')
        return -1;
    int y = (m[0] - '0') * 1000 + (m[1] - '0') * 100 + (m[2] - '0') * 10 + (m[3] - '0');
    int mo = (m[5] - '0') * 10 + (m[6] - '0');
    if (y < 1900 || y > 2200 || mo < 1 || mo > 12)
        return -1;
    return (y - 1900) * 12 + mo - 1;
}

/* The table and category a cell adds to (-1: none an indicator reads). */
static int row_target(struct build *b, const struct report_cell_row *r, struct table **tp)
{
    struct snapshot *s = b->s;
    bool distinct =
        strcmp(r->code, "group_activity") == 0 || strcmp(r->code, "member_trained") == 0;
    const char *cat = distinct ? r->dim : r->cat; /* member_trained: the topic */
    if (strcmp(b->last_code, r->code) != 0 || strcmp(b->last_dim, r->dim) != 0) {
        snprintf(b->last_code, sizeof b->last_code, "%s", r->code);
        snprintf(b->last_dim, sizeof b->last_dim, "%s", r->dim);
        b->last_t = strcmp(r->code, "group_activity") == 0   ? table_find(s, r->code, "")
                    : strcmp(r->code, "member_trained") == 0 ? table_find(s, r->code, "topic")
                                                             : table_find(s, r->code, r->dim);
        b->last_cat[0] = '\x01'; /* no category yet */
    }
    struct table *t = b->last_t;
    *tp = t;
    if (t == NULL)
        return -1;
    if (strcmp(r->code, "group_activity") == 0)
        return 0;
    if (strcmp(b->last_cat, cat) != 0) {
        snprintf(b->last_cat, sizeof b->last_cat, "%s", cat);
        int c = table_cat(t, cat);
        if (c < 0 && !distinct && t->ncat < 300) { /* an open list: destinations */
            t->cats = xrealloc(t->cats, (size_t)(t->ncat + 2) * sizeof *t->cats);
            snprintf(t->cats[++t->ncat], REPORT_CODE_MAX, "%s", cat);
            c = t->ncat;
        }
        b->last_c = c;
    }
    return b->last_c;
}

static int row_seen(void *arg, const struct report_cell_row *r)
{
    struct build *b = arg;
    struct snapshot *s = b->s;
    int mo = month_parse(r->month);
    if (mo < 0 || r->n == 0)
        return 0;
    struct table *t;
    int c = row_target(b, r, &t);
    if (c < 0)
        return 0;
    uint32_t thing = distinct_table(t) ? intern_get(&b->things, r->cat) : 0;
    char leaf[AREA_CODE];
    place_leaf(r->place, leaf);
    if (b->nrows == b->caprows) {
        b->caprows = b->caprows ? b->caprows * 2 : 4096;
        b->rows = xrealloc(b->rows, b->caprows * sizeof *b->rows);
    }
    b->rows[b->nrows++] = (struct row){.table = (uint16_t)(t - s->t),
                                       .cat = (uint16_t)c,
                                       .leaf = (uint16_t)intern_get(&b->leaves, leaf),
                                       .month = (uint16_t)mo,
                                       .n = r->n,
                                       .s = r->s,
                                       .thing = thing};
    if (mo < b->mmin)
        b->mmin = mo;
    if (mo > b->mmax)
        b->mmax = mo;
    return 0;
}

static void areas_from_leaves(struct snapshot *s, const struct intern *leaves, int *leaf_area)
{
    size_t cap = 1 + leaves->n * 3;
    struct area *a = xcalloc(cap, sizeof *a);
    size_t n = 0;
    a[n++] = (struct area){.code = "", .parent = -1};
    for (size_t i = 0; i < leaves->n; i++) {
        const char *l = leaves->keys[i];
        snprintf(a[n].code, AREA_CODE, "%.2s", l);
        a[n++].virtual_ = strcmp(l, "000000") == 0;
        snprintf(a[n].code, AREA_CODE, "%.4s", l);
        a[n++].virtual_ = strcmp(l + 2, "0000") == 0;
        snprintf(a[n].code, AREA_CODE, "%.6s", l);
        a[n++].virtual_ = strcmp(l + 4, "00") == 0;
    }
    qsort(a, n, sizeof *a, area_cmp);
    size_t u = 0;
    for (size_t i = 0; i < n; i++)
        if (u == 0 || area_cmp(&a[u - 1], &a[i]) != 0)
            a[u++] = a[i];
    s->areas = a;
    s->na = (int)u;
    for (int i = 1; i < s->na; i++) {
        size_t len = strlen(a[i].code);
        char up[AREA_CODE];
        snprintf(up, sizeof up, "%.*s", (int)len - 2, a[i].code);
        s->areas[i].parent = len == 2 ? 0 : area_find(s, up);
    }
    for (size_t i = 0; i < leaves->n; i++)
        leaf_area[i] = area_find(s, leaves->keys[i]);
}

/* Sums a table up the time forest (months -> quarters -> years) at every
 * area, or, for a stock, takes each period's value at its last month. */
static void table_time(struct snapshot *s, struct table *t, int64_t *v, bool stock)
{
    int nc = t->ncat + 1;
    int per_year = t->coarse ? 4 : 12; /* the leaves: quarters, or months */
    for (int a = 0; a < t->na; a++)
        for (int c = 0; c < nc; c++) {
            int64_t run = 0;
            for (int y = 0; y < s->ny; y++)
                for (int m = 0; m < per_year; m++) {
                    int qi = t->coarse ? m : m / 3;
                    int64_t *q =
                        &v[cell_index(s, t, a, period_quarter(s->y0, s->ny, s->y0 + y, qi), c)];
                    int64_t *x =
                        t->coarse
                            ? q
                            : &v[cell_index(s, t, a, period_month(s->y0, s->ny, s->y0 + y, m), c)];
                    int64_t *yr = &v[cell_index(s, t, a, period_year(s->y0, s->y0 + y), c)];
                    if (stock) {
                        run += *x;
                        *x = run;
                        *q = run; /* the last month of the quarter wins */
                        *yr = run;
                    } else {
                        if (!t->coarse)
                            *q += *x;
                        *yr += *x;
                    }
                }
        }
}

/* Sums a table up the area forest (children have higher indices). */
static void table_area(struct snapshot *s, struct table *t, int64_t *v)
{
    size_t w = (size_t)t->np * (size_t)(t->ncat + 1);
    for (int a = t->na - 1; a > 0; a--) {
        int64_t *from = &v[(size_t)a * w], *to = &v[(size_t)s->areas[a].parent * w];
        for (size_t i = 0; i < w; i++)
            to[i] += from[i];
    }
}

/* Distinct tables: each thing (group, member) counted once per period at
 * its leaf; rows come ordered by table, category, thing, place, month. */
static void distinct_fill(struct snapshot *s, struct build *b, const int *leaf_area)
{
    size_t i = 0;
    unsigned char *mark = xcalloc((size_t)s->np, 1);
    while (i < b->nrows) {
        const struct row *r0 = &b->rows[i];
        struct table *t = &s->t[r0->table];
        size_t j = i;
        memset(mark, 0, (size_t)s->np);
        while (j < b->nrows && b->rows[j].table == r0->table && b->rows[j].cat == r0->cat &&
               b->rows[j].thing == r0->thing && b->rows[j].leaf == r0->leaf) {
            int mo = b->rows[j].month - s->y0 * 12 + 1900 * 12;
            int y = mo / 12, m = mo % 12;
            mark[period_month(s->y0, s->ny, s->y0 + y, m)] = 1;
            mark[period_quarter(s->y0, s->ny, s->y0 + y, m / 3)] = 1;
            mark[period_year(s->y0, s->y0 + y)] = 1;
            j++;
        }
        if (distinct_table(t)) {
            int a = leaf_area[r0->leaf];
            if (t->coarse)
                a = s->areas[a].parent; /* its district */
            for (int p = 0; p < t->np; p++)
                if (mark[p])
                    t->value[cell_index(s, t, a, p, r0->cat)]++;
        }
        i = j;
    }
    free(mark);
}

struct live {
    struct snapshot *s;
    int64_t *v; /* per area */
};

static int overdue_seen(void *arg, const char *place, int64_t n)
{
    struct live *l = arg;
    char leaf[AREA_CODE];
    place_leaf(place, leaf);
    int a = area_find(l->s, leaf);
    for (; a >= 0; a = l->s->areas[a].parent)
        l->v[a] += n;
    return 0;
}

/* referrals_overdue: start - stop up to each period's end; for a period
 * not yet ended, the live count. The result is left in overdue_start. */
static enum err overdue_fill(const struct ctx *cx, struct snapshot *s)
{
    struct table *st = table_find(s, "overdue_start", ""), *sp = table_find(s, "overdue_stop", "");
    size_t n = (size_t)s->na * (size_t)s->np;
    for (size_t i = 0; i < n; i++)
        st->value[i] -= sp->value[i];
    char now[TS_SIZE];
    clock_stamp(now);
    struct live l = {s, xcalloc((size_t)s->na, sizeof(int64_t))};
    enum err e = store_report_overdue_now(cx->db, now, overdue_seen, &l);
    int y, m;
    sscanf(s->today, "%4d-%2d", &y, &m);
    for (int a = 0; e == ERR_OK && a < s->na; a++)
        for (int p = 0; p < s->np; p++) {
            bool open;
            if (p < s->ny)
                open = s->y0 + p >= y;
            else if (p < 5 * s->ny)
                open = (p - s->ny) >= (y - s->y0) * 4 + (m - 1) / 3;
            else
                open = (p - 5 * s->ny) >= (y - s->y0) * 12 + m - 1;
            if (open)
                st->value[(size_t)a * (size_t)s->np + (size_t)p] = l.v[a];
        }
    free(l.v);
    return e;
}

static bool is_count_table(const struct table *t, enum source *src)
{
    for (size_t i = 0; i < NINDS; i++) {
        if (inds[i].kind != REPORT_COUNT)
            continue;
        const char *cell = inds[i].src == SRC_OVERDUE ? "overdue_start" : inds[i].cell;
        if (strcmp(cell, t->code) == 0) {
            *src = inds[i].src;
            return true;
        }
    }
    return false;
}

static const struct dimdef *dimdef_of(const struct table *d)
{
    for (size_t q = 0; q < NINDS; q++)
        for (int k = 0; k < 3 && inds[q].dims[k] != NULL; k++)
            if (strcmp(inds[q].cell, d->code) == 0 &&
                strcmp(inds[q].dims[k]->cell_dim, d->dim) == 0)
                return inds[q].dims[k];
    return NULL;
}

/* The areas down to districts: a prefix of the sorted areas. */
static int coarse_areas(const struct snapshot *s)
{
    int n = 0;
    while (n < s->na && strlen(s->areas[n].code) <= 4)
        n++;
    return n;
}

/* One dimension's table (on the coarse lattice) protected with its totals
 * preset from the total's suppression; returns whether it suppressed a
 * total the preset had not (which then goes back into the preset). */
static bool protect_dim(const struct snapshot *s, struct table *d, const struct sdc_tree *at,
                        const struct sdc_tree *pt, bool *preset)
{
    int nc = d->ncat + 1;
    size_t n = (size_t)d->na * (size_t)d->np * (size_t)nc;
    bool *pre = xcalloc(n, sizeof *pre);
    for (int a = 0; a < d->na; a++)
        for (int p = 0; p < d->np; p++)
            pre[cell_index(s, d, a, p, 0)] = preset[(size_t)a * (size_t)s->np + (size_t)p];
    const struct dimdef *dd = dimdef_of(d);
    struct sdc_table sd = {
        at,       pt,  d->ncat,      dd != NULL && dd->additive, d->time_additive, true,
        d->value, pre, d->suppressed};
    sdc_protect(&sd, s->k);
    free(pre);
    bool changed = false;
    for (int a = 0; a < d->na; a++)
        for (int p = 0; p < d->np; p++) {
            size_t ti = (size_t)a * (size_t)s->np + (size_t)p;
            if (d->suppressed[cell_index(s, d, a, p, 0)] && !preset[ti]) {
                preset[ti] = true;
                changed = true;
            }
        }
    return changed;
}

/* Protects every count indicator: its total table over the whole lattice,
 * and each dimension's over the coarse one, the total's suppression shared
 * by all of them (to a fixed point). */
static void protect(struct snapshot *s)
{
    int *ap = xcalloc((size_t)s->na, sizeof *ap), *pp = xcalloc((size_t)s->np, sizeof *pp);
    for (int a = 0; a < s->na; a++)
        ap[a] = s->areas[a].parent;
    for (int p = 0; p < s->np; p++)
        pp[p] = p < s->ny ? -1 : p < 5 * s->ny ? (p - s->ny) / 4 : s->ny + (p - 5 * s->ny) / 3;
    struct sdc_tree at = {s->na, ap}, pt = {s->np, pp};
    struct sdc_tree cat = {coarse_areas(s), ap}, cpt = {5 * s->ny, pp};
    size_t nap = (size_t)s->na * (size_t)s->np;
    for (size_t i = 0; i < s->nt; i++) {
        struct table *tot = &s->t[i];
        enum source src;
        if (tot->dim[0] != '\0' || !is_count_table(tot, &src))
            continue;
        bool *preset = xcalloc(nap, sizeof *preset);
        tot->suppressed = xcalloc(nap, sizeof *tot->suppressed);
        for (size_t j = 0; j < s->nt; j++)
            if (j != i && strcmp(s->t[j].code, tot->code) == 0) {
                struct table *d = &s->t[j];
                d->suppressed = xcalloc((size_t)d->na * (size_t)d->np * (size_t)(d->ncat + 1),
                                        sizeof *d->suppressed);
                for (int a = 0; a < d->na; a++) /* its total is the total's */
                    for (int p = 0; p < d->np; p++)
                        d->value[cell_index(s, d, a, p, 0)] =
                            tot->value[(size_t)a * (size_t)s->np + (size_t)p];
            }
        for (bool changed = true; changed;) {
            changed = false;
            struct sdc_table st = {&at,  &pt,        0,      false,          tot->time_additive,
                                   true, tot->value, preset, tot->suppressed};
            sdc_protect(&st, s->k);
            memcpy(preset, tot->suppressed, nap * sizeof *preset);
            for (size_t j = 0; j < s->nt; j++)
                if (j != i && strcmp(s->t[j].code, tot->code) == 0 &&
                    protect_dim(s, &s->t[j], &cat, &cpt, preset))
                    changed = true;
        }
        free(preset);
    }
    free(ap);
    free(pp);
}

static void snapshot_free(struct snapshot *s)
{
    if (s == NULL)
        return;
    for (size_t i = 0; i < s->nt; i++) {
        free(s->t[i].cats);
        free(s->t[i].value);
        free(s->t[i].sum);
        free(s->t[i].suppressed);
    }
    free(s->t);
    free(s->areas);
    free(s);
}

static enum err snapshot_build(const struct ctx *cx, int64_t gen, struct snapshot **out)
{
    struct snapshot *s = xcalloc(1, sizeof *s);
    struct build b = {.s = s, .mmin = INT32_MAX, .mmax = -1};
    s->gen = gen;
    s->k = suppress_k(cx);
    s->built = time(NULL);
    clock_stamp(s->as_of);
    snprintf(s->today, sizeof s->today, "%.10s", s->as_of);
    tables_declare(s);
    enum err e = store_report_cells(cx->db, row_seen, &b);
    if (e != ERR_OK)
        goto fail;
    int ty, tm;
    sscanf(s->today, "%4d-%2d", &ty, &tm);
    int tmo = (ty - 1900) * 12 + tm - 1;
    if (b.mmax < tmo)
        b.mmax = tmo;
    if (b.mmin > tmo)
        b.mmin = tmo;
    s->y0 = 1900 + b.mmin / 12;
    s->ny = (1900 + b.mmax / 12) - s->y0 + 1;
    s->np = 17 * s->ny;
    if (b.leaves.n == 0)
        intern_get(&b.leaves, "000000"); /* never empty */
    int *leaf_area = xcalloc(b.leaves.n, sizeof *leaf_area);
    areas_from_leaves(s, &b.leaves, leaf_area);
    int nac = coarse_areas(s);
    for (size_t i = 0; i < s->nt; i++) {
        struct table *t = &s->t[i];
        t->na = t->coarse ? nac : s->na;
        t->np = t->coarse ? 5 * s->ny : s->np;
        t->value = xcalloc((size_t)t->na * (size_t)t->np * (size_t)(t->ncat + 1), sizeof(int64_t));
        if (strcmp(t->code, "knowledge_gain") == 0)
            t->sum = xcalloc((size_t)t->na * (size_t)t->np, sizeof(int64_t));
    }
    /* no sort: the cells come ordered by code, dimension, category (the
     * group or member), place and month, so a distinct table's rows of one
     * thing at one place are together */
    distinct_fill(s, &b, leaf_area);
    for (size_t i = 0; i < b.nrows; i++) {
        const struct row *r = &b.rows[i];
        struct table *t = &s->t[r->table];
        if (distinct_table(t))
            continue;
        int mo = r->month - (s->y0 - 1900) * 12;
        int p = t->coarse ? period_quarter(s->y0, s->ny, s->y0 + mo / 12, mo % 12 / 3)
                          : period_month(s->y0, s->ny, s->y0 + mo / 12, mo % 12);
        int a = leaf_area[r->leaf];
        if (t->coarse)
            a = s->areas[a].parent; /* its district */
        t->value[cell_index(s, t, a, p, r->cat)] += r->n;
        if (t->sum != NULL && r->cat == 0)
            t->sum[(size_t)a * (size_t)t->np + (size_t)p] += r->s;
    }
    for (size_t i = 0; i < s->nt; i++) {
        struct table *t = &s->t[i];
        if (!distinct_table(t)) {
            table_time(s, t, t->value, !t->time_additive);
            if (t->sum != NULL) {
                struct table one = *t;
                one.ncat = 0;
                table_time(s, &one, t->sum, false);
            }
        }
        table_area(s, t, t->value);
        if (t->sum != NULL) {
            struct table one = *t;
            one.ncat = 0;
            table_area(s, &one, t->sum);
        }
    }
    free(leaf_area);
    if ((e = overdue_fill(cx, s)) != ERR_OK)
        goto fail;
    protect(s);
    free(b.rows);
    intern_free(&b.leaves);
    intern_free(&b.things);
    *out = s;
    return ERR_OK;
fail:
    free(b.rows);
    intern_free(&b.leaves);
    intern_free(&b.things);
    snapshot_free(s);
    return e;
}

/* ---- the published snapshot, shared by the process's threads ---- */

static pthread_mutex_t cache_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t build_mu = PTHREAD_MUTEX_INITIALIZER;
static struct snapshot *cache;
static const struct store *cache_store;

static void snapshot_release(struct snapshot *s)
{
    if (s == NULL)
        return;
    pthread_mutex_lock(&cache_mu);
    bool last = --s->refs == 0;
    pthread_mutex_unlock(&cache_mu);
    if (last)
        snapshot_free(s);
}

/* The cached snapshot when it is of this store, k and day and (unless any
 * generation will do) of generation gen; a reference taken. */
static struct snapshot *cache_take(const struct store *st, int64_t gen, bool any_gen, int k,
                                   const char *today)
{
    struct snapshot *s = NULL;
    pthread_mutex_lock(&cache_mu);
    if (cache != NULL && cache_store == st && (any_gen || cache->gen == gen) && cache->k == k &&
        strcmp(cache->today, today) == 0 && time(NULL) - cache->built < SNAPSHOT_MAX_AGE) {
        s = cache;
        s->refs++;
    }
    pthread_mutex_unlock(&cache_mu);
    return s;
}

/* The published snapshot of the cells as they are. One thread rebuilds it
 * at a time; while one does, the others are answered from the previous
 * snapshot (whole and consistent, its as_of older) rather than wait, when
 * there is one of this k and day. */
static enum err snapshot_get(const struct ctx *cx, struct snapshot **out)
{
    int64_t gen;
    enum err e = store_report_generation(cx->db, &gen);
    if (e != ERR_OK)
        return e;
    char now[TS_SIZE], today[11];
    clock_stamp(now);
    snprintf(today, sizeof today, "%.10s", now);
    const struct store *st = store_of(cx->db);
    int k = suppress_k(cx);
    if ((*out = cache_take(st, gen, false, k, today)) != NULL)
        return ERR_OK;
    if (pthread_mutex_trylock(&build_mu) != 0) {
        if ((*out = cache_take(st, gen, true, k, today)) != NULL)
            return ERR_OK;
        pthread_mutex_lock(&build_mu); /* nothing to answer from: wait for the build */
    }
    if ((*out = cache_take(st, gen, false, k, today)) == NULL) {
        struct snapshot *s;
        if ((e = snapshot_build(cx, gen, &s)) == ERR_OK) {
            s->refs = 2; /* the cache's and the caller's */
            pthread_mutex_lock(&cache_mu);
            struct snapshot *old = cache;
            cache = s;
            cache_store = st;
            pthread_mutex_unlock(&cache_mu);
            snapshot_release(old);
            *out = s;
        }
    }
    pthread_mutex_unlock(&build_mu);
    return e;
}

/* ---- answering a request ---- */

static int days_in(int y, int m)
{
    static const int d[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : d[m - 1];
}

/* The period: a whole month, quarter or year. kind: 0 month, 1 quarter, 2 year. */
struct period {
    int kind, y, q, m; /* m 1..12 for a month, q 0..3 for a quarter */
    char from[11], to[11];
};

static bool date_parse(const char *s, int *y, int *m, int *d)
{
    char extra;
    if (s == NULL || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return false;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
            return false;
    if (sscanf(s, "%4d-%2d-%2d%c", y, m, d, &extra) != 3)
        return false;
    return *y >= 2000 && *y <= 2100 && *m >= 1 && *m <= 12 && *d >= 1 && *d <= days_in(*y, *m);
}

static enum err period_parse(const char *from, const char *to, struct period *p,
                             struct fielderrs *fe)
{
    int fy, fm, fd, ty, tm, td;
    memset(p, 0, sizeof *p);
    if (from == NULL || from[0] == '\0')
        return fielderr(fe, "from", "required: the first day of a month, quarter or year");
    if (to == NULL || to[0] == '\0')
        return fielderr(fe, "to", "required: the last day of the same month, quarter or year");
    if (!date_parse(from, &fy, &fm, &fd))
        return fielderr(fe, "from", "a date YYYY-MM-DD");
    if (!date_parse(to, &ty, &tm, &td))
        return fielderr(fe, "to", "a date YYYY-MM-DD");
    if (fd != 1)
        return fielderr(fe, "from", "the first day of a month, quarter or year");
    if (ty != fy || td != days_in(ty, tm) || tm < fm)
        return fielderr(fe, "to", "the last day of the month, quarter or year that from starts");
    if (tm == fm) {
        p->kind = 0;
        p->m = fm;
    } else if (tm == fm + 2 && (fm - 1) % 3 == 0) {
        p->kind = 1;
        p->q = (fm - 1) / 3;
    } else if (fm == 1 && tm == 12) {
        p->kind = 2;
    } else {
        return fielderr(fe, "to", "the last day of the month, quarter or year that from starts");
    }
    p->y = fy;
    char today[DATE_SIZE];
    clock_today(today);
    if (strcmp(from, today) > 0)
        return fielderr(fe, "from", "the period has not started yet");
    snprintf(p->from, sizeof p->from, "%s", from);
    snprintf(p->to, sizeof p->to, "%s", to);
    return ERR_OK;
}

static int period_index(const struct snapshot *s, const struct period *p)
{
    if (p->y < s->y0 || p->y >= s->y0 + s->ny)
        return -1;
    switch (p->kind) {
    case 0:
        return period_month(s->y0, s->ny, p->y, p->m - 1);
    case 1:
        return period_quarter(s->y0, s->ny, p->y, p->q);
    default:
        return period_year(s->y0, p->y);
    }
}

static struct report_value shown(const struct snapshot *s, const struct table *t, int a, int p,
                                 int c)
{
    struct report_value v = {0};
    if (t == NULL || a < 0 || p < 0 || c < 0 || a >= t->na || p >= t->np)
        return v; /* no records: 0 */
    size_t i = cell_index(s, t, a, p, c);
    if (t->suppressed != NULL && t->suppressed[i]) {
        v.suppressed = true;
        return v;
    }
    v.value = (double)t->value[i];
    return v;
}

static int64_t raw(const struct snapshot *s, const struct table *t, int a, int p, int c)
{
    if (t == NULL || a < 0 || p < 0 || c < 0 || a >= t->na || p >= t->np)
        return 0;
    return t->value[cell_index(s, t, a, p, c)];
}

static double round1(double x)
{
    return round(x * 10.0) / 10.0;
}

/* A percentage of part in whole: suppressed when the whole is fewer than k,
 * or when it would give away a count of 1..k-1 (the part, or the rest). */
static struct report_value pct_of(int64_t part, int64_t whole, int k)
{
    struct report_value v = {0};
    if (whole == 0) {
        v.absent = true;
        return v;
    }
    if (whole < k || (part > 0 && part < k) || (whole - part > 0 && whole - part < k)) {
        v.suppressed = true;
        return v;
    }
    v.value = round1(100.0 * (double)part / (double)whole);
    return v;
}

struct hist {
    int64_t *n; /* per day */
    int days;
    int64_t total;
};

static int hist_seen(void *arg, const char *cat, int64_t n)
{
    struct hist *h = arg;
    char *end;
    long d = strtol(cat, &end, 10);
    if (*end != '\0' || d < 0 || d > 100000 || n <= 0)
        return 0;
    if (d >= h->days) {
        int nd = (int)d + 1;
        h->n = xrealloc(h->n, (size_t)nd * sizeof *h->n);
        memset(h->n + h->days, 0, (size_t)(nd - h->days) * sizeof *h->n);
        h->days = nd;
    }
    h->n[d] += n;
    h->total += n;
    return 0;
}

/* The value at rank r (0-based) of a histogram. */
static int hist_at(const struct hist *h, int64_t r)
{
    int64_t seen = 0;
    for (int d = 0; d < h->days; d++) {
        seen += h->n[d];
        if (seen > r)
            return d;
    }
    return h->days - 1;
}

static enum err median_of(const struct ctx *cx, const char *code, const char *area,
                          const struct period *p, int k, struct report_value *v)
{
    struct hist h = {0};
    char from[8], to[8];
    snprintf(from, sizeof from, "%.7s", p->from);
    snprintf(to, sizeof to, "%.7s", p->to);
    enum err e = store_report_hist(cx->db, code, area, from, to, hist_seen, &h);
    memset(v, 0, sizeof *v);
    if (e == ERR_OK) {
        if (h.total == 0)
            v->absent = true;
        else if (h.total < k)
            v->suppressed = true;
        else if (h.total % 2 == 1)
            v->value = hist_at(&h, h.total / 2);
        else
            v->value = (hist_at(&h, h.total / 2 - 1) + hist_at(&h, h.total / 2)) / 2.0;
    }
    free(h.n);
    return e;
}

static struct report_dim *dim_add(struct report_ind *ri, const char *name, size_t n)
{
    ri->dims = xrealloc(ri->dims, (ri->ndims + 1) * sizeof *ri->dims);
    struct report_dim *d = &ri->dims[ri->ndims++];
    memset(d, 0, sizeof *d);
    snprintf(d->name, sizeof d->name, "%s", name);
    d->cats = xcalloc(n ? n : 1, sizeof *d->cats);
    return d;
}

/* The districts a report's district breakdown lists: within the area (the
 * commune's own for a commune); -1 entries are skipped. */
static size_t districts_of(const struct snapshot *s, int a, const char *area, int **out)
{
    int *v = xcalloc((size_t)s->na + 1, sizeof *v);
    size_t n = 0;
    size_t alen = strlen(area);
    for (int i = 0; i < s->na; i++) {
        const struct area *x = &s->areas[i];
        if (strlen(x->code) != 4 || x->virtual_)
            continue;
        if (alen <= 4 ? strncmp(x->code, area, alen) == 0 : strncmp(area, x->code, 4) == 0)
            v[n++] = alen <= 4 ? i : a;
    }
    *out = v;
    return n;
}

static void series_add(struct report_series *sr, const char *key, struct report_value v)
{
    sr->points = xrealloc(sr->points, (sr->n + 1) * sizeof *sr->points);
    struct report_point *pt = &sr->points[sr->n++];
    snprintf(pt->key, sizeof pt->key, "%s", key);
    pt->v = v;
}

static enum err answer(const struct ctx *cx, const struct snapshot *s, const struct period *pd,
                       const char *area, struct report *out)
{
    int a = area_find(s, area);
    int p = period_index(s, pd);
    enum err e = ERR_OK;
    /* breakdowns are published for districts and above, quarters and years */
    bool fine = strlen(area) <= 4 && pd->kind != 0;
    out->inds = xcalloc(NINDS, sizeof *out->inds);
    for (size_t i = 0; i < NINDS && e == ERR_OK; i++) {
        const struct inddef *d = &inds[i];
        struct report_ind *ri = &out->inds[out->n++];
        snprintf(ri->code, sizeof ri->code, "%s", d->code);
        ri->kind = d->kind;
        const char *cell = d->src == SRC_OVERDUE ? "overdue_start" : d->cell;
        struct table *tot = table_find(s, cell, "");
        switch (d->src) {
        case SRC_PCT: {
            struct table *whole = table_find(s, d->whole, "");
            if (d->dims[0] == NULL) {
                ri->v = pct_of(raw(s, tot, a, p, 0), raw(s, whole, a, p, 0), s->k);
                break;
            }
            ri->v.absent = true;
            if (!fine)
                break;
            struct table *t = table_find(s, d->cell, d->dims[0]->cell_dim);
            struct report_dim *rd = dim_add(ri, d->dims[0]->name, (size_t)t->ncat);
            for (int c = 1; c <= t->ncat; c++) {
                struct report_cat *rc = &rd->cats[rd->n++];
                snprintf(rc->code, sizeof rc->code, "%s", t->cats[c]);
                rc->v = pct_of(raw(s, t, a, p, c), raw(s, whole, a, p, 0), s->k);
            }
            break;
        }
        case SRC_MEAN: {
            int64_t n = raw(s, tot, a, p, 0);
            int64_t sum =
                tot == NULL || a < 0 || p < 0 ? 0 : tot->sum[(size_t)a * (size_t)s->np + (size_t)p];
            if (n == 0)
                ri->v.absent = true;
            else if (n < s->k)
                ri->v.suppressed = true;
            else
                ri->v.value = round1((double)sum / (double)n);
            break;
        }
        case SRC_MEDIAN:
            e = median_of(cx, d->cell, area, pd, s->k, &ri->v);
            break;
        default:
            ri->v = shown(s, tot, a, p, 0);
            if (d->by_district) {
                int *ds;
                size_t nd = districts_of(s, a, area, &ds);
                struct report_dim *rd = dim_add(ri, "district", nd);
                for (size_t j = 0; j < nd; j++) {
                    struct report_cat *rc = &rd->cats[rd->n++];
                    /* a commune's own line (ds[j] is the commune, or -1
                     * when it has no records) under its district's code */
                    snprintf(rc->code, sizeof rc->code, "%.4s",
                             strlen(area) > 4 ? area : s->areas[ds[j]].code);
                    rc->v = shown(s, tot, ds[j], p, 0);
                }
                free(ds);
            }
            for (int k = 0; fine && k < 3 && d->dims[k] != NULL; k++) {
                struct table *t = table_find(s, d->cell, d->dims[k]->cell_dim);
                struct report_dim *rd = dim_add(ri, d->dims[k]->name, (size_t)t->ncat);
                for (int c = 1; c <= t->ncat; c++) {
                    struct report_cat *rc = &rd->cats[rd->n++];
                    snprintf(rc->code, sizeof rc->code, "%s", t->cats[c]);
                    rc->v = shown(s, t, a, p, c);
                }
            }
        }
    }
    /* the charts */
    out->trends = xcalloc(NTRENDS, sizeof *out->trends);
    for (size_t i = 0; i < NTRENDS; i++) {
        struct report_series *sr = &out->trends[out->ntrends++];
        snprintf(sr->indicator, sizeof sr->indicator, "%s", trend_codes[i]);
        struct table *t = table_find(s, trend_codes[i], "");
        for (int m = 0; m < 12; m++) {
            char key[8];
            snprintf(key, sizeof key, "%04d-%02d", pd->y, m + 1);
            int pm =
                pd->y >= s->y0 && pd->y < s->y0 + s->ny ? period_month(s->y0, s->ny, pd->y, m) : -1;
            series_add(sr, key, shown(s, t, a, pm, 0));
        }
    }
    snprintf(out->by_area.indicator, sizeof out->by_area.indicator, "cases_reported");
    struct table *cr = table_find(s, "cases_reported", "");
    for (int i = 0; a >= 0 && i < s->na; i++)
        if (s->areas[i].parent == a && !s->areas[i].virtual_)
            series_add(&out->by_area, s->areas[i].code, shown(s, cr, i, p, 0));
    return e;
}

enum err report_indicators(const struct ctx *cx, const struct report_query *q, struct report *out,
                           struct fielderrs *fe)
{
    memset(out, 0, sizeof *out);
    if (!may(cx, ACT_REPORT_READ))
        return ERR_FORBIDDEN;
    struct period pd;
    enum err e = period_parse(q->from, q->to, &pd, fe);
    if (e != ERR_OK)
        return e;
    const char *area = q->district != NULL ? q->district : "";
    if (area[0] != '\0') {
        const struct place *pl = places_get(cx->places, area);
        if (pl == NULL || pl->level == PLACE_VILLAGE)
            return fielderr(fe, "district", "a province, district or commune code");
    }
    struct snapshot *s;
    if ((e = snapshot_get(cx, &s)) != ERR_OK)
        return e;
    snprintf(out->from, sizeof out->from, "%s", pd.from);
    snprintf(out->to, sizeof out->to, "%s", pd.to);
    snprintf(out->area, sizeof out->area, "%s", area);
    snprintf(out->as_of, sizeof out->as_of, "%s", s->as_of);
    out->k = s->k;
    e = answer(cx, s, &pd, area, out);
    snapshot_release(s);
    if (e == ERR_OK) {
        char detail[64];
        snprintf(detail, sizeof detail, "indicators %s %s %s", pd.from, pd.to,
                 area[0] ? area : "country");
        e = audit_append(cx->db, check_user_id(cx), AUDIT_READ, "report", NULL, detail);
    }
    if (e != ERR_OK)
        report_free(out);
    return e;
}

void report_free(struct report *r)
{
    if (r == NULL)
        return;
    for (size_t i = 0; i < r->n; i++) {
        for (size_t d = 0; d < r->inds[i].ndims; d++)
            free(r->inds[i].dims[d].cats);
        free(r->inds[i].dims);
    }
    free(r->inds);
    for (size_t i = 0; i < r->ntrends; i++)
        free(r->trends[i].points);
    free(r->trends);
    free(r->by_area.points);
    memset(r, 0, sizeof *r);
}
