/* The incident exports (export.h). */
#include "domain/export.h"

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "audit/audit.h"
#include "domain/check.h"
#include "domain/place.h"
#include "domain/settings.h"
#include "domain/sheet.h"
#include "util/alloc.h"
#include "util/clock.h"
#include "util/codes.h"

/* ---- the quasi-identifiers and their levels of generalisation ---- */

enum { Q_SEX, Q_AGE, Q_DISTRICT, Q_NATIONALITY, Q_CONCERNS, Q__N };
static const int LEVELS[Q__N] = {2, 3, 3, 3, 3}; /* the last level of each is "*" */

static const char *const AGE_BANDS[] = {"0_11",  "12_17",   "18_25",  "26_40",
                                        "41_60", "61_plus", "unknown"};
enum { AGE_UNKNOWN = 6 };
static const char *const AGE_COARSE[] = {"under_18", "18_plus", "unknown"};

/* The concerns' coarser groups, by concern (enum concern's order). */
static const char *const CONCERN_GROUPS[] = {"exploitation_or_migration", "violence",
                                             "child_at_risk", "other"};
static const int GROUP_OF[CONCERN__MAX] = {
    [CONCERN_TRAFFICKING] = 0,
    [CONCERN_FORCED_LABOUR] = 0,
    [CONCERN_LABOUR_EXPLOITATION] = 0,
    [CONCERN_UNSAFE_MIGRATION] = 0,
    [CONCERN_DOMESTIC_VIOLENCE] = 1,
    [CONCERN_SEXUAL_VIOLENCE] = 1,
    [CONCERN_OTHER_VIOLENCE] = 1,
    [CONCERN_CHILD_AT_RISK] = 2,
    [CONCERN_OTHER] = 3,
};

static int age_band(int age)
{
    if (age < 0)
        return AGE_UNKNOWN;
    if (age <= 11)
        return 0;
    if (age <= 17)
        return 1;
    if (age <= 25)
        return 2;
    if (age <= 40)
        return 3;
    return age <= 60 ? 4 : 5;
}

/* One row of the de-identified export. */
struct xrow {
    char code[24];
    char incident_id[ID_SIZE];
    uint8_t sex;          /* enum sex */
    uint8_t age;          /* index in AGE_BANDS */
    char district[5];     /* the case's place coarsened to its district (or its province) */
    char nationality[3];  /* ISO2, "" unknown */
    uint16_t concerns;    /* bit per enum concern */
    const char *gbv_type; /* static (codes.c) */
    const char *result;   /* static, or NULL */
    char *control, *referrals;
};

static uint32_t district_num(const char *d, int level)
{
    size_t n = level == 0 ? strlen(d) : 2;
    uint32_t v = 0;
    for (size_t i = 0; i < n && d[i] != '\0'; i++)
        v = v * 10 + (uint32_t)(d[i] - '0');
    return v + (uint32_t)n * 10000;
}

static uint32_t nationality_num(const char *nat, int level)
{
    if (nat[0] == '\0')
        return 0;
    if (level == 1)
        return strcmp(nat, "KH") == 0 ? 1 : 2;
    return (uint32_t)(nat[0] - 'A') * 26 + (uint32_t)(nat[1] - 'A') + 3;
}

static uint32_t concerns_num(uint16_t mask, int level)
{
    if (level == 0)
        return mask;
    uint32_t g = 0;
    for (int c = 0; c < CONCERN__MAX; c++)
        if (mask & (1u << c))
            g |= 1u << GROUP_OF[c];
    return g;
}

/* The row's five values at the levels lv, as one number. */
static uint64_t gen_key(const struct xrow *r, const int lv[Q__N])
{
    uint64_t sex = lv[Q_SEX] == 0 ? (uint64_t)r->sex + 1 : 0;
    uint64_t age = lv[Q_AGE] == 0   ? r->age
                   : lv[Q_AGE] == 1 ? (r->age == AGE_UNKNOWN ? 2
                                       : r->age <= 1         ? 0
                                                             : 1)
                                    : 0;
    uint64_t dist = lv[Q_DISTRICT] < 2 ? district_num(r->district, lv[Q_DISTRICT]) : 0;
    uint64_t nat = lv[Q_NATIONALITY] < 2 ? nationality_num(r->nationality, lv[Q_NATIONALITY]) : 0;
    uint64_t conc = lv[Q_CONCERNS] < 2 ? concerns_num(r->concerns, lv[Q_CONCERNS]) : 0;
    return sex | age << 3 | dist << 6 | nat << 23 | conc << 34;
}

/* ---- a small hash map of uint64 keys to counts ---- */

struct hmap {
    uint64_t *keys;
    size_t *counts;
    unsigned char *used;
    size_t cap; /* a power of two */
};

static void hmap_init(struct hmap *h, size_t n)
{
    h->cap = 16;
    while (h->cap < 2 * n + 1)
        h->cap <<= 1;
    h->keys = xcalloc(h->cap, sizeof *h->keys);
    h->counts = xcalloc(h->cap, sizeof *h->counts);
    h->used = xcalloc(h->cap, 1);
}

static void hmap_clear(struct hmap *h)
{
    memset(h->used, 0, h->cap);
    memset(h->counts, 0, h->cap * sizeof *h->counts);
}

static void hmap_free(struct hmap *h)
{
    free(h->keys);
    free(h->counts);
    free(h->used);
}

/* The slot of key, taken when new. */
static size_t hmap_slot(struct hmap *h, uint64_t key)
{
    uint64_t x = key + 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    x ^= x >> 31;
    size_t i = (size_t)x & (h->cap - 1);
    while (h->used[i] && h->keys[i] != key)
        i = (i + 1) & (h->cap - 1);
    if (!h->used[i]) {
        h->used[i] = 1;
        h->keys[i] = key;
    }
    return i;
}

/* ---- choosing the levels ---- */

/* The distinct combinations of the five values as recorded (level 0).
 * The five are the case's (sex, the survivor's age, the case's place,
 * nationality and concerns), so every row of a survivor is in the same
 * combination at every level: a class's size is the number of survivors
 * in it (rows of one survivor count once), so a survivor with many
 * incidents is not hidden among her own rows. */
struct distinct {
    const struct xrow **rep; /* a row of each */
    size_t *count;           /* its survivors */
    size_t *rows;            /* its rows */
    size_t *slot;            /* scratch: its slot in the current levels' map */
    size_t n;
};

/* The survivor of a row as a number: her code's 64 bits. */
static uint64_t survivor_num(const struct xrow *r)
{
    return strtoull(r->code + 2, NULL, 16);
}

static void distinct_build(const struct xrow *rows, size_t n, struct distinct *d)
{
    static const int zero[Q__N] = {0};
    struct hmap h;
    hmap_init(&h, n);
    size_t *index = xcalloc(h.cap, sizeof *index);
    struct hmap seen; /* the survivors met */
    hmap_init(&seen, n);
    d->rep = xcalloc(n + 1, sizeof *d->rep);
    d->count = xcalloc(n + 1, sizeof *d->count);
    d->rows = xcalloc(n + 1, sizeof *d->rows);
    d->slot = xcalloc(n + 1, sizeof *d->slot);
    d->n = 0;
    for (size_t i = 0; i < n; i++) {
        size_t s = hmap_slot(&h, gen_key(&rows[i], zero));
        if (h.counts[s]++ == 0) {
            index[s] = d->n;
            d->rep[d->n++] = &rows[i];
        }
        d->rows[index[s]]++;
        if (seen.counts[hmap_slot(&seen, survivor_num(&rows[i]))]++ == 0)
            d->count[index[s]]++;
    }
    free(index);
    hmap_free(&seen);
    hmap_free(&h);
}

static void distinct_free(struct distinct *d)
{
    free(d->rep);
    free(d->count);
    free(d->rows);
    free(d->slot);
}

/* Fills h with the class sizes (survivors) at lv; returns the rows in
 * classes under k. */
static size_t withheld_at(const struct distinct *d, struct hmap *h, const int lv[Q__N], int k)
{
    hmap_clear(h);
    for (size_t i = 0; i < d->n; i++) {
        d->slot[i] = hmap_slot(h, gen_key(d->rep[i], lv));
        h->counts[d->slot[i]] += d->count[i];
    }
    size_t w = 0;
    for (size_t i = 0; i < d->n; i++)
        if (h->counts[d->slot[i]] < (size_t)k)
            w += d->rows[i];
    return w;
}

static void levels_of(int node, int lv[Q__N])
{
    for (int q = Q__N - 1; q >= 0; q--) {
        lv[q] = node % LEVELS[q];
        node /= LEVELS[q];
    }
}

/* The levels (export.h's rule) into lv, and h filled at them. */
static void choose_levels(const struct distinct *d, size_t rows, int k, struct hmap *h,
                          int lv[Q__N])
{
    int nodes = 1, top = 0;
    for (int q = 0; q < Q__N; q++) {
        nodes *= LEVELS[q];
        top += LEVELS[q] - 1;
    }
    memset(lv, 0, sizeof(int) * Q__N);
    for (int height = 0; height <= top && rows > 0; height++) {
        int best = -1;
        size_t best_w = 0;
        for (int node = 0; node < nodes; node++) {
            int l[Q__N], sum = 0;
            levels_of(node, l);
            for (int q = 0; q < Q__N; q++)
                sum += l[q];
            if (sum != height)
                continue;
            size_t w = withheld_at(d, h, l, k);
            if (best < 0 || w < best_w) {
                best = node;
                best_w = w;
            }
        }
        if (best >= 0 && (double)best_w <= EXPORT_MAX_WITHHELD * (double)rows) {
            levels_of(best, lv);
            break;
        }
    }
    withheld_at(d, h, lv, k);
}

/* ---- reading the rows ---- */

/* A new zeroed element at the end of *items (grown by doubling). */
static void *push(void **items, size_t *n, size_t *cap, size_t elem)
{
    if (*n == *cap) {
        *cap = *cap ? *cap * 2 : 64;
        *items = xrealloc(*items, *cap * elem);
    }
    void *p = (char *)*items + (*n)++ * elem;
    memset(p, 0, elem);
    return p;
}

struct collect {
    const struct ctx *cx;
    struct xrow *rows;
    size_t n, cap;
};

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The codes of a JSON array of codes (["fl_deception","fl_debt_bondage"]),
 * sorted and ';'-joined. */
static char *codes_of_array(const char *json)
{
    struct buf b = {0};
    if (json == NULL || strcmp(json, "[]") == 0)
        return NULL;
    json_t *a = json != NULL ? json_loads(json, 0, NULL) : NULL;
    size_t n = json_is_array(a) ? json_array_size(a) : 0;
    const char **v = n ? xcalloc(n, sizeof *v) : NULL;
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (json_is_string(json_array_get(a, i)))
            v[m++] = json_string_value(json_array_get(a, i));
    if (m > 1)
        qsort(v, m, sizeof *v, cmp_str);
    for (size_t i = 0; i < m; i++) {
        if (i > 0)
            buf_putc(&b, ';');
        buf_puts(&b, v[i]);
    }
    free(v);
    json_decref(a);
    return buf_steal(&b);
}

/* Splits s at ';' into a new array of new strings. */
static char **split(const char *s, size_t *n)
{
    *n = 0;
    if (s == NULL || s[0] == '\0')
        return NULL;
    size_t cap = 1;
    for (const char *p = s; *p; p++)
        cap += *p == ';';
    char **v = xcalloc(cap, sizeof *v);
    const char *p = s;
    for (;;) {
        const char *e = strchr(p, ';');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        v[(*n)++] = xstrndup(p, len);
        if (e == NULL)
            break;
        p = e + 1;
    }
    return v;
}

static void split_free(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

/* The fields of one referral token "sent|updated|service_type|status". */
static bool referral_fields(char *tok, char *f[4])
{
    for (int i = 0; i < 4; i++) {
        f[i] = tok;
        char *bar = i < 3 ? strchr(tok, '|') : NULL;
        if (i < 3 && bar == NULL)
            return false;
        if (bar != NULL) {
            *bar = '\0';
            tok = bar + 1;
        }
    }
    return true;
}

/* "service_type:status" of each referral, sorted, ';'-joined. */
static char *referrals_plain(const char *s)
{
    if (s == NULL || s[0] == '\0')
        return NULL;
    size_t n;
    char **v = split(s, &n);
    char **out = n ? xcalloc(n, sizeof *out) : NULL;
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        char *f[4];
        if (referral_fields(v[i], f))
            out[m++] = xasprintf("%s:%s", f[2], f[3]);
    }
    if (m > 1)
        qsort(out, m, sizeof *out, cmp_str);
    struct buf b = {0};
    for (size_t i = 0; i < m; i++) {
        if (i > 0)
            buf_putc(&b, ';');
        buf_puts(&b, out[i]);
    }
    split_free(out, m);
    split_free(v, n);
    return buf_steal(&b);
}

static uint16_t concerns_mask(const char *s)
{
    uint16_t mask = 0;
    while (s != NULL && *s != '\0') {
        const char *e = strchr(s, ';');
        size_t len = e ? (size_t)(e - s) : strlen(s);
        char code[CODE_SIZE];
        if (len < sizeof code) {
            memcpy(code, s, len);
            code[len] = '\0';
            int c = code_parse(LIST_CONCERN, code);
            if (c >= 0)
                mask |= (uint16_t)(1u << c);
        }
        s = e ? e + 1 : NULL;
    }
    return mask;
}

/* The nationality of plain demographics (compact JSON), "" when none. */
static void nationality_of(const char *dem, char out[3])
{
    out[0] = '\0';
    const char *p = dem != NULL ? strstr(dem, "\"nationality\":\"") : NULL;
    if (p == NULL)
        return;
    p += strlen("\"nationality\":\"");
    char v[3] = {p[0], p[0] ? p[1] : '\0', '\0'};
    if (p[0] != '\0' && p[1] != '\0' && p[2] == '"' && check_iso2(v))
        memcpy(out, v, 3);
}

static const char *static_code(enum code_list list, const char *s)
{
    int i = code_parse(list, s);
    return i >= 0 ? code_name(list, i) : NULL;
}

static bool collect_row(const struct export_rec *r, void *cls)
{
    struct collect *c = cls;
    struct xrow *x = push((void **)&c->rows, &c->n, &c->cap, sizeof *c->rows);
    memset(x, 0, sizeof *x);
    char h[KEYED_HASH_SIZE];
    crypto_keyed_hash(c->cx->key, "survivor_code", r->case_id, h);
    snprintf(x->code, sizeof x->code, "S-%.16s", h);
    snprintf(x->incident_id, sizeof x->incident_id, "%s", r->incident_id);
    int sex = code_parse(LIST_SEX, r->sex);
    x->sex = (uint8_t)(sex >= 0 ? sex : SEX_UNKNOWN);
    x->age = (uint8_t)age_band(r->age);
    const char *loc = r->location_code != NULL ? r->location_code : "";
    snprintf(x->district, sizeof x->district, "%.*s", strlen(loc) >= 4 ? 4 : 2, loc);
    nationality_of(r->demographics, x->nationality);
    x->concerns = concerns_mask(r->concerns);
    x->gbv_type = static_code(LIST_GBV_TYPE, r->gbv_type);
    x->result = r->screening_result != NULL
                    ? static_code(LIST_SCREENING_RESULT, r->screening_result)
                    : NULL;
    x->control = codes_of_array(r->forced_labour_indicators);
    x->referrals = referrals_plain(r->referrals);
    return true;
}

static int cmp_row(const void *a, const void *b)
{
    const struct xrow *x = *(const struct xrow *const *)a, *y = *(const struct xrow *const *)b;
    int c = strcmp(x->code, y->code);
    return c != 0 ? c : strcmp(x->incident_id, y->incident_id);
}

/* ---- writing ---- */

static const char *const EXPORT_COLUMNS[] = {
    "survivor_code", "sex",      "age_band",         "district",         "nationality",
    "concerns",      "gbv_type", "screening_result", "means_of_control", "referrals"};
enum { NCOLS = sizeof EXPORT_COLUMNS / sizeof EXPORT_COLUMNS[0] };

/* The row's values at the levels lv (v[i] points into r, static text or s). */
static void row_values(const struct xrow *r, const int lv[Q__N], char s[3][160],
                       const char *v[NCOLS])
{
    v[0] = r->code;
    v[1] = lv[Q_SEX] == 0 ? code_name(LIST_SEX, r->sex) : "*";
    v[2] = lv[Q_AGE] == 0   ? AGE_BANDS[r->age]
           : lv[Q_AGE] == 1 ? AGE_COARSE[r->age == AGE_UNKNOWN ? 2
                                         : r->age <= 1         ? 0
                                                               : 1]
                            : "*";
    if (lv[Q_DISTRICT] == 0)
        v[3] = r->district;
    else if (lv[Q_DISTRICT] == 1)
        v[3] = (snprintf(s[0], sizeof s[0], "%.2s", r->district), s[0]);
    else
        v[3] = "*";
    const char *nat = r->nationality[0] != '\0' ? r->nationality : "unknown";
    v[4] = lv[Q_NATIONALITY] == 0   ? nat
           : lv[Q_NATIONALITY] == 1 ? (r->nationality[0] == '\0'           ? "unknown"
                                       : strcmp(r->nationality, "KH") == 0 ? "KH"
                                                                           : "other")
                                    : "*";
    if (lv[Q_CONCERNS] < 2) {
        size_t len = 0;
        s[1][0] = '\0';
        uint32_t m = concerns_num(r->concerns, lv[Q_CONCERNS]);
        int n = lv[Q_CONCERNS] == 0 ? CONCERN__MAX : 4;
        for (int c = 0; c < n; c++)
            if (m & (1u << c)) {
                const char *name =
                    lv[Q_CONCERNS] == 0 ? code_name(LIST_CONCERN, c) : CONCERN_GROUPS[c];
                len +=
                    (size_t)snprintf(s[1] + len, sizeof s[1] - len, "%s%s", len ? ";" : "", name);
                if (len >= sizeof s[1])
                    len = sizeof s[1] - 1;
            }
        v[5] = s[1];
    } else {
        v[5] = "*";
    }
    v[6] = r->gbv_type != NULL ? r->gbv_type : "";
    v[7] = r->result != NULL ? r->result : "";
    v[8] = r->control != NULL ? r->control : "";
    v[9] = r->referrals != NULL ? r->referrals : "";
}

static enum err check_query(const struct export_query *q, struct fielderrs *fe)
{
    int y, m, d;
    enum err e = ERR_OK;
    if (!check_absent(q->from) && !clock_parse_date(q->from, &y, &m, &d))
        e = fielderr(fe, "from", "a date YYYY-MM-DD");
    if (!check_absent(q->to) && !clock_parse_date(q->to, &y, &m, &d))
        e = fielderr(fe, "to", "a date YYYY-MM-DD");
    if (e == ERR_OK && !check_absent(q->from) && !check_absent(q->to) && strcmp(q->from, q->to) > 0)
        e = fielderr(fe, "to", "on or after from");
    return e;
}

static const char *opt(const char *s)
{
    return check_absent(s) ? NULL : s;
}

/* The organization the caller's scope under a bounds the rows to (NULL: all);
 * false when refused. */
static bool org_bound(const struct ctx *cx, enum action a, const char **org)
{
    enum scope sc = scope_of(cx, a);
    *org = NULL;
    if (sc == SCOPE_ALL)
        return true;
    if (sc != SCOPE_ORG || cx->actor == NULL || cx->actor->user.organization_id[0] == '\0')
        return false;
    *org = cx->actor->user.organization_id;
    return true;
}

enum err export_incidents(const struct ctx *cx, const struct export_query *q, enum export_format f,
                          struct buf *out, struct export_stats *st, struct fielderrs *fe)
{
    memset(st, 0, sizeof *st);
    const char *org;
    if (!org_bound(cx, ACT_EXPORT_INCIDENTS, &org))
        return ERR_FORBIDDEN;
    enum err e = check_query(q, fe);
    if (e != ERR_OK)
        return e;
    int k = setting_get(cx, SETTING_EXPORT_K);
    struct collect c = {.cx = cx};
    e = store_export_incidents(cx->db, org, opt(q->from), opt(q->to), true, false, collect_row, &c);
    if (e == ERR_OK) {
        const struct xrow **order = xcalloc(c.n + 1, sizeof *order);
        for (size_t i = 0; i < c.n; i++)
            order[i] = &c.rows[i];
        if (c.n > 1)
            qsort(order, c.n, sizeof *order, cmp_row);
        struct distinct d;
        distinct_build(c.rows, c.n, &d);
        struct hmap h;
        hmap_init(&h, d.n);
        int lv[Q__N];
        choose_levels(&d, c.n, k, &h, lv);
        struct xlsx *x = f == EXPORT_XLSX ? xlsx_new("incidents") : NULL;
        if (f == EXPORT_XLSX && x == NULL)
            e = ERR_INTERNAL;
        if (x != NULL)
            xlsx_header(x, EXPORT_COLUMNS, NCOLS);
        if (f == EXPORT_CSV) {
            buf_puts(out, CSV_BOM);
            for (int i = 0; i < NCOLS; i++)
                csv_field(out, EXPORT_COLUMNS[i], i == 0);
            csv_end(out);
        }
        uint32_t row = 1;
        for (size_t i = 0; i < c.n && e == ERR_OK; i++) {
            size_t s = hmap_slot(&h, gen_key(order[i], lv));
            if (h.counts[s] < (size_t)k) {
                st->withheld++;
                continue;
            }
            char tmp[3][160];
            const char *v[NCOLS];
            row_values(order[i], lv, tmp, v);
            for (int j = 0; j < NCOLS; j++) {
                if (x != NULL)
                    xlsx_str(x, row, (uint16_t)j, v[j]);
                else
                    csv_field(out, v[j], j == 0);
            }
            if (x == NULL)
                csv_end(out);
            row++;
        }
        if (x != NULL && e == ERR_OK)
            e = xlsx_finish(x, out);
        hmap_free(&h);
        distinct_free(&d);
        free(order);
    }
    for (size_t i = 0; i < c.n; i++) {
        free(c.rows[i].control);
        free(c.rows[i].referrals);
    }
    free(c.rows);
    st->k = k;
    st->rows = c.n;
    st->share = c.n ? (double)st->withheld / (double)c.n : 0;
    if (e != ERR_OK)
        return e;
    char detail[96];
    snprintf(detail, sizeof detail, "rows=%zu withheld=%.4f k=%d format=%s",
             st->rows - st->withheld, st->share, k, f == EXPORT_CSV ? "csv" : "xlsx");
    return audit_append(cx->db, check_user_id(cx), AUDIT_EXPORT, "incident_export", NULL, detail);
}

void export_stats_header(const struct export_stats *st, char *out, size_t size)
{
    snprintf(out, size, "k=%d; withheld=%.4f", st->k, st->share);
}

/* ---- the Incident Recorder workbook ---- */

static const char *const IR_COLUMNS[] = {
    "incident_id",
    "case_code",
    "incident_date",
    "report_date",
    "time_of_day",
    "location_type",
    "location",
    "province_km",
    "province_en",
    "district_km",
    "district_en",
    "commune_km",
    "commune_en",
    "migration_stage",
    "gbv_type",
    "context_flags",
    "penetration",
    "sexual_contact",
    "physical_assault",
    "forced_marriage",
    "denial_of_resources",
    "psychological_abuse",
    "goods_or_money_exchanged",
    "abduction",
    "reported_elsewhere",
    "perpetrators",
    "perpetrator_sex",
    "perpetrator_age_group",
    "perpetrator_relationship",
    "survivor_sex",
    "survivor_age",
    "referrals",
    "consent_reporting",
};
enum { IR_NCOLS = sizeof IR_COLUMNS / sizeof IR_COLUMNS[0] };

/* One row's cells, copied out of the store's row. */
struct irrow {
    char *cell[IR_NCOLS]; /* text cells (NULL: empty) */
    int age;
    int nperp;
    bool flags[ACTS_N + 1];
    bool reporting;
};

struct ircollect {
    const struct ctx *cx;
    struct irrow *rows;
    size_t n, cap;
};

static char *dup_or_null(const char *s)
{
    return s != NULL && s[0] != '\0' ? xstrdup(s) : NULL;
}

/* The perpetrators' key, ';'-joined in their order. */
static char *perp_field(json_t *a, const char *key)
{
    struct buf b = {0};
    for (size_t i = 0; i < json_array_size(a); i++) {
        const char *v = json_string_value(json_object_get(json_array_get(a, i), key));
        if (i > 0)
            buf_putc(&b, ';');
        buf_puts(&b, v != NULL ? v : "unknown");
    }
    return buf_steal(&b);
}

/* The referrals "service_type:status:sent:updated", by date sent. */
static char *referrals_dated(const char *s)
{
    size_t n;
    char **v = split(s, &n);
    if (n > 1)
        qsort(v, n, sizeof *v, cmp_str); /* the sent date leads */
    struct buf b = {0};
    for (size_t i = 0; i < n; i++) {
        char *f[4];
        if (!referral_fields(v[i], f))
            continue;
        if (b.len > 0)
            buf_putc(&b, ';');
        buf_printf(&b, "%s:%s:%s:%s", f[2], f[3], f[0], f[1]);
    }
    split_free(v, n);
    return buf_steal(&b);
}

/* The context flags (a JSON array) ';'-joined. */
static char *flags_text(const char *json)
{
    return codes_of_array(json);
}

static void place_cells(const struct places *p, const char *code, char **cell)
{
    const struct place *pl = p != NULL && code != NULL ? places_get(p, code) : NULL;
    if (pl == NULL)
        return;
    char prov[3];
    snprintf(prov, sizeof prov, "%.2s", code);
    const struct place *pv = places_get(p, prov);
    const struct place *ds = places_district_of(p, code);
    const struct place *cm = NULL;
    if (pl->level >= PLACE_COMMUNE) {
        char c6[7];
        snprintf(c6, sizeof c6, "%.6s", code);
        cm = places_get(p, c6);
    }
    const struct place *lv[3] = {pv, ds, cm};
    for (int i = 0; i < 3; i++)
        if (lv[i] != NULL) {
            cell[2 * i] = dup_or_null(lv[i]->name_km);
            cell[2 * i + 1] = dup_or_null(lv[i]->name_latn);
        }
}

static bool collect_ir(const struct export_rec *r, void *cls)
{
    struct ircollect *c = cls;
    struct irrow *x = push((void **)&c->rows, &c->n, &c->cap, sizeof *c->rows);
    memset(x, 0, sizeof *x);
    x->cell[0] = dup_or_null(r->incident_id);
    x->cell[1] = dup_or_null(r->case_code);
    x->cell[2] = dup_or_null(r->date);
    x->cell[3] = dup_or_null(r->reported_on);
    x->cell[4] = dup_or_null(r->time_of_day);
    x->cell[5] = dup_or_null(r->location_type);
    x->cell[6] = dup_or_null(r->location);
    place_cells(c->cx->places, r->location, &x->cell[7]);
    x->cell[13] = dup_or_null(r->migration_stage);
    x->cell[14] = dup_or_null(r->gbv_type);
    x->cell[15] = flags_text(r->context_flags);
    for (int i = 0; i < ACTS_N; i++)
        x->flags[i] = r->acts[i];
    x->flags[ACTS_N] = r->goods_or_money_exchanged;
    x->cell[23] = dup_or_null(r->abduction);
    x->cell[24] = dup_or_null(r->reported_elsewhere);
    json_t *perp = r->perpetrators != NULL ? json_loads(r->perpetrators, 0, NULL) : NULL;
    x->nperp = json_is_array(perp) ? (int)json_array_size(perp) : 0;
    if (x->nperp > 0) {
        x->cell[26] = perp_field(perp, "sex");
        x->cell[27] = perp_field(perp, "age_group");
        x->cell[28] = perp_field(perp, "relationship");
    }
    json_decref(perp);
    x->cell[29] = dup_or_null(r->sex);
    x->age = r->incident_age >= 0 ? r->incident_age : r->age;
    x->cell[31] = referrals_dated(r->referrals);
    x->reporting = r->reporting;
    return true;
}

static int cmp_cell(const struct irrow *x, const struct irrow *y, int col)
{
    return strcmp(x->cell[col] ? x->cell[col] : "", y->cell[col] ? y->cell[col] : "");
}

/* By report date, then case code, then incident id. */
static int cmp_ir(const void *a, const void *b)
{
    int c = cmp_cell(a, b, 3);
    if (c == 0)
        c = cmp_cell(a, b, 1);
    return c != 0 ? c : cmp_cell(a, b, 0);
}

enum err export_recorder(const struct ctx *cx, const struct export_query *q, struct buf *out,
                         size_t *rows, struct fielderrs *fe)
{
    *rows = 0;
    const char *org;
    if (!org_bound(cx, ACT_EXPORT_RECORDER, &org))
        return ERR_FORBIDDEN;
    enum err e = check_query(q, fe);
    if (e != ERR_OK)
        return e;
    struct ircollect c = {.cx = cx};
    e = store_export_incidents(cx->db, org, opt(q->from), opt(q->to), false, true, collect_ir, &c);
    struct xlsx *x = e == ERR_OK ? xlsx_new("incidents") : NULL;
    if (e == ERR_OK && x == NULL)
        e = ERR_INTERNAL;
    if (x != NULL) {
        if (c.n > 1)
            qsort(c.rows, c.n, sizeof *c.rows, cmp_ir);
        xlsx_header(x, IR_COLUMNS, IR_NCOLS);
        for (size_t i = 0; i < c.n; i++) {
            const struct irrow *r = &c.rows[i];
            uint32_t row = (uint32_t)i + 1;
            for (int j = 0; j < IR_NCOLS; j++)
                xlsx_str(x, row, (uint16_t)j, r->cell[j]);
            for (int j = 0; j <= ACTS_N; j++)
                xlsx_bool(x, row, (uint16_t)(16 + j), r->flags[j]);
            xlsx_num(x, row, 25, r->nperp);
            if (r->age >= 0)
                xlsx_num(x, row, 30, r->age);
            xlsx_bool(x, row, 32, r->reporting);
        }
        e = xlsx_finish(x, out);
    }
    for (size_t i = 0; i < c.n; i++)
        for (int j = 0; j < IR_NCOLS; j++)
            free(c.rows[i].cell[j]);
    free(c.rows);
    if (e != ERR_OK)
        return e;
    *rows = c.n;
    char detail[64];
    snprintf(detail, sizeof detail, "rows=%zu format=xlsx", c.n);
    return audit_append(cx->db, check_user_id(cx), AUDIT_EXPORT, "incident_recorder", NULL, detail);
}
