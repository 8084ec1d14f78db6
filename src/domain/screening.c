#include "domain/screening.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "audit/audit.h"
#include "domain/cases.h"
#include "domain/check.h"
#include "util/alloc.h"
#include "util/clock.h"
#include "util/csv.h"
#include "util/embed.h"
#include "util/utf8.h"

#define ADULT_AGE    18
#define RULE_MAX     99 /* the largest count a rule row may ask for */
#define FIELDS_MAX   4  /* the widest of the three tables */
#define FORCED_PREFX "fl_"

/* The dimensions of LIST_DIMENSION, in its order (util/codes.c). */
enum { DIM_A, DIM_B, DIM_C, DIM_D, DIM_E, DIM_F };

struct screening_catalog {
    struct screening_indicator items[SCREENING_INDICATORS_MAX];
    size_t n;
    struct screening_rule_row rule[SCREENING_RULE_ROWS_MAX];
    size_t nrule;
};

/* ---- the catalog ---- */

void screening_catalog_free(struct screening_catalog *c)
{
    if (c == NULL)
        return;
    for (size_t i = 0; i < c->n; i++) {
        free(c->items[i].label_en);
        free(c->items[i].methods_of_control);
    }
    free(c);
}

size_t screening_catalog_count(const struct screening_catalog *c)
{
    return c != NULL ? c->n : 0;
}

const struct screening_indicator *screening_catalog_at(const struct screening_catalog *c, size_t i)
{
    return (c != NULL && i < c->n) ? &c->items[i] : NULL;
}

static int find_index(const struct screening_catalog *c, const char *code)
{
    if (c == NULL || code == NULL)
        return -1;
    for (size_t i = 0; i < c->n; i++)
        if (strcmp(c->items[i].code, code) == 0)
            return (int)i;
    return -1;
}

const struct screening_indicator *screening_catalog_find(const struct screening_catalog *c,
                                                         const char *code)
{
    int i = find_index(c, code);
    return i >= 0 ? &c->items[i] : NULL;
}

size_t screening_rule_count(const struct screening_catalog *c)
{
    return c != NULL ? c->nrule : 0;
}

const struct screening_rule_row *screening_rule_at(const struct screening_catalog *c, size_t i)
{
    return (c != NULL && i < c->nrule) ? &c->rule[i] : NULL;
}

bool screening_rule_met(const struct screening_catalog *c, const int count[SCREENING_STRENGTHS])
{
    for (size_t r = 0; c != NULL && r < c->nrule; r++) {
        bool met = true;
        for (int s = 0; s < SCREENING_STRENGTHS; s++)
            if (count[s] < c->rule[r].least[s])
                met = false;
        if (met)
            return true;
    }
    return false;
}

/* ---- reading the tables ---- */

/* One table being read: its name for messages, its reader and fields. */
struct table {
    const char *file;
    struct csv csv;
    struct buf f[FIELDS_MAX];
    int nf;
    size_t line; /* of the record last read */
};

/* Reads the header, which must be exactly names[0..n). NULL or why. */
static const char *table_header(struct table *t, const char *const *names, int n,
                                const char *expected)
{
    const char *why = NULL;
    t->line = t->csv.line;
    int rc = csv_record(&t->csv, t->f, n, &t->nf, &why);
    if (rc < 0)
        return why;
    if (rc == 0 || t->nf != n)
        return expected;
    for (int i = 0; i < n; i++)
        if (strcmp(t->f[i].p, names[i]) != 0)
            return expected;
    return NULL;
}

/* Reads the next row of n fields. 1: a row; 0: the end; -1: *why. */
static int table_row(struct table *t, int n, const char **why)
{
    t->line = t->csv.line;
    int rc = csv_record(&t->csv, t->f, n, &t->nf, why);
    if (rc > 0 && t->nf != n) {
        *why = n == 4 ? "a row must have 4 fields" : "a row must have 3 fields";
        return -1;
    }
    for (int i = 0; rc > 0 && i < n; i++) {
        if (!utf8_valid_text(t->f[i].p, t->f[i].len)) {
            *why = "invalid UTF-8 or a control character";
            return -1;
        }
    }
    return rc;
}

static void table_free(struct table *t)
{
    for (int i = 0; i < FIELDS_MAX; i++)
        buf_free(&t->f[i]);
}

/* A code: a lowercase letter, then lowercase letters, digits and '_'. */
static bool code_shape(const char *s, size_t len)
{
    if (len == 0 || len >= CODE_SIZE || s[0] < 'a' || s[0] > 'z')
        return false;
    for (size_t i = 0; i < len; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
            return false;
    return true;
}

static bool forced_code(const char *s)
{
    return strncmp(s, FORCED_PREFX, strlen(FORCED_PREFX)) == 0;
}

/* HTCDS methods of control: "" or names of ASCII letters separated by ';'. */
static bool methods_shape(const char *s)
{
    if (*s == '\0')
        return true;
    bool word = false;
    for (; *s; s++) {
        if (*s == ';') {
            if (!word)
                return false;
            word = false;
        } else if ((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z')) {
            word = true;
        } else {
            return false;
        }
    }
    return word;
}

/* Adds an indicator from its checked parts. NULL or why. */
static const char *indicator_add(struct screening_catalog *c, const struct buf *code, int dimension,
                                 int strength, const struct buf *label, const char *methods)
{
    if (!code_shape(code->p, code->len))
        return "code must be lowercase letters, digits and '_', under 32 characters";
    if (find_index(c, code->p) >= 0)
        return "code already given";
    if (!check_text(label->p, 1, SCREENING_LABEL_MAX))
        return "label_en must be 1 to 200 characters";
    if (c->n == SCREENING_INDICATORS_MAX)
        return "more than 128 indicators";
    struct screening_indicator *it = &c->items[c->n++];
    memcpy(it->code, code->p, code->len + 1);
    it->dimension = dimension;
    it->strength = strength;
    it->label_en = xstrdup(label->p);
    it->methods_of_control = methods != NULL ? xstrdup(methods) : NULL;
    return NULL;
}

static const char *trafficking_read(struct screening_catalog *c, struct table *t)
{
    static const char *const header[] = {"dimension", "code", "strength", "label_en"};
    const char *why = table_header(t, header, 4,
                                   "the header must be dimension,code,strength,"
                                   "label_en");
    int rc, rows = 0;
    if (why != NULL)
        return why;
    while ((rc = table_row(t, 4, &why)) > 0) {
        int d = code_parse(LIST_DIMENSION, t->f[0].p);
        int s = code_parse(LIST_STRENGTH, t->f[2].p);
        if (d < 0)
            return "dimension must be one of A, B, C, D, E, F";
        if (s < 0)
            return "strength must be S, M or W";
        if (forced_code(t->f[1].p))
            return "a trafficking indicator's code may not start with fl_";
        if ((why = indicator_add(c, &t->f[1], d, s, &t->f[3], NULL)) != NULL)
            return why;
        rows++;
    }
    if (rc < 0)
        return why;
    return rows == 0 ? "no rows" : NULL;
}

static const char *forced_labour_read(struct screening_catalog *c, struct table *t)
{
    static const char *const header[] = {"code", "label_en", "htcds_methods_of_control"};
    const char *why =
        table_header(t, header, 3, "the header must be code,label_en,htcds_methods_of_control");
    int rc, rows = 0;
    if (why != NULL)
        return why;
    while ((rc = table_row(t, 3, &why)) > 0) {
        if (!forced_code(t->f[0].p))
            return "a forced-labour indicator's code must start with fl_";
        if (!methods_shape(t->f[2].p))
            return "htcds_methods_of_control must be names separated by ';'";
        if ((why = indicator_add(c, &t->f[0], -1, -1, &t->f[1], t->f[2].p)) != NULL)
            return why;
        rows++;
    }
    if (rc < 0)
        return why;
    return rows == 0 ? "no rows" : NULL;
}

/* A whole number 0..RULE_MAX written in decimal digits, or -1. */
static int small_count(const struct buf *b)
{
    if (b->len == 0 || b->len > 2)
        return -1;
    int v = 0;
    for (size_t i = 0; i < b->len; i++) {
        if (b->p[i] < '0' || b->p[i] > '9')
            return -1;
        v = v * 10 + (b->p[i] - '0');
    }
    return v <= RULE_MAX ? v : -1;
}

static const char *rule_read(struct screening_catalog *c, struct table *t)
{
    static const char *const header[] = {"strong", "medium", "weak", "meaning"};
    const char *why = table_header(t, header, 4, "the header must be strong,medium,weak,meaning");
    int rc;
    if (why != NULL)
        return why;
    while ((rc = table_row(t, 4, &why)) > 0) {
        struct screening_rule_row row;
        int total = 0;
        for (int s = 0; s < SCREENING_STRENGTHS; s++) {
            if ((row.least[s] = small_count(&t->f[s])) < 0)
                return "strong, medium and weak must be whole numbers from 0 to 99";
            total += row.least[s];
        }
        if (total == 0)
            return "a row asking for no indicator would make every dimension present";
        if (c->nrule == SCREENING_RULE_ROWS_MAX)
            return "more than 32 rows";
        c->rule[c->nrule++] = row;
    }
    if (rc < 0)
        return why;
    return c->nrule == 0 ? "no rows" : NULL;
}

typedef const char *(*table_reader)(struct screening_catalog *, struct table *);

/* Reads one table into c; false with *errmsg on the first problem. */
static bool table_load(struct screening_catalog *c, const char *file, const char *text, size_t len,
                       table_reader read, char **errmsg)
{
    struct table t;
    memset(&t, 0, sizeof t);
    t.file = file;
    csv_init(&t.csv, text != NULL ? text : "", text != NULL ? len : 0);
    const char *why = read(c, &t);
    if (why != NULL)
        *errmsg = xasprintf("%s line %zu: %s", file, t.line, why);
    table_free(&t);
    return why == NULL;
}

enum err screening_catalog_parse(const struct screening_sources *src,
                                 struct screening_catalog **out, char **errmsg)
{
    _Static_assert(DIM_F + 1 == SCREENING_DIMENSIONS, "one enum value per dimension");
    struct screening_catalog *c = xcalloc(1, sizeof *c);
    *out = NULL;
    *errmsg = NULL;
    if (code_count(LIST_DIMENSION) != SCREENING_DIMENSIONS ||
        code_count(LIST_STRENGTH) != SCREENING_STRENGTHS) {
        *errmsg = xstrdup("the dimension or strength code lists changed");
        screening_catalog_free(c);
        return ERR_INTERNAL;
    }
    if (!table_load(c, SCREENING_TRAFFICKING_FILE, src->trafficking, src->trafficking_len,
                    trafficking_read, errmsg) ||
        !table_load(c, SCREENING_FORCED_LABOUR_FILE, src->forced_labour, src->forced_labour_len,
                    forced_labour_read, errmsg) ||
        !table_load(c, SCREENING_RULE_FILE, src->rule, src->rule_len, rule_read, errmsg)) {
        screening_catalog_free(c);
        return ERR_VALIDATION;
    }
    *out = c;
    return ERR_OK;
}

enum err screening_catalog_load(struct screening_catalog **out, char **errmsg)
{
    const struct embedded_file *t = embed_find(SCREENING_TRAFFICKING_FILE);
    const struct embedded_file *f = embed_find(SCREENING_FORCED_LABOUR_FILE);
    const struct embedded_file *r = embed_find(SCREENING_RULE_FILE);
    *out = NULL;
    if (t == NULL || f == NULL || r == NULL) {
        *errmsg = xstrdup("a screening table is not built in");
        return ERR_INTERNAL;
    }
    struct screening_sources src = {(const char *)t->data, t->len, (const char *)f->data, f->len,
                                    (const char *)r->data, r->len};
    enum err e = screening_catalog_parse(&src, out, errmsg);
    return e == ERR_OK ? ERR_OK : ERR_INTERNAL;
}

enum err screening_catalog_get(const struct ctx *cx, const struct screening_catalog **out)
{
    *out = NULL;
    if (!may(cx, ACT_SCREENING_CREATE))
        return ERR_FORBIDDEN;
    if (cx->screening == NULL)
        return ERR_INTERNAL;
    *out = cx->screening;
    return ERR_OK;
}

/* ---- evaluation ---- */

enum err screening_evaluate(const struct screening_catalog *c, bool adult, const char *const *codes,
                            size_t n, struct screening_eval *out)
{
    bool ticked[SCREENING_INDICATORS_MAX] = {false};
    int count[SCREENING_DIMENSIONS][SCREENING_STRENGTHS];

    memset(out, 0, sizeof *out);
    memset(count, 0, sizeof count);
    if (c == NULL || n > SCREENING_INDICATORS_MAX)
        return ERR_VALIDATION;
    for (size_t i = 0; i < n; i++) {
        int k = find_index(c, codes[i]);
        if (k < 0 || ticked[k])
            return ERR_VALIDATION;
        ticked[k] = true;
    }
    for (size_t k = 0; k < c->n; k++) {
        const struct screening_indicator *it = &c->items[k];
        if (!ticked[k])
            continue;
        out->ticked[out->nticked++] = it;
        if (it->dimension >= 0)
            count[it->dimension][it->strength]++;
        else
            out->forced_labour[out->nforced++] = it;
    }
    for (int d = 0; d < SCREENING_DIMENSIONS; d++)
        out->dimensions[d] = screening_rule_met(c, count[d]);

    const bool *dim = out->dimensions;
    bool recruitment = dim[DIM_A] || dim[DIM_B] || dim[DIM_C];
    bool coercion = dim[DIM_E] || dim[DIM_F];
    /* The means are not needed for children (DOMAIN.md §2). */
    if (recruitment && dim[DIM_D] && (!adult || coercion))
        out->result = RESULT_PRESUMED_TRAFFICKING;
    else if (dim[DIM_D])
        out->result = RESULT_EXPLOITATION_WITHOUT_TRAFFICKING_INDICATORS;
    else
        out->result = RESULT_INSUFFICIENT_INDICATORS;
    return ERR_OK;
}

/* ---- the input ---- */

static const struct field screening_field_rows[] = {
    {.name = "adult",
     .path = "adult",
     .type = FT_BOOL,
     .required = true,
     .list = LIST__MAX,
     .off = offsetof(struct screening_in, adult),
     .message = "true for a survivor of 18 or older, false under 18"},
    {.name = "indicators",
     .path = "indicators",
     .type = FT_INDICATORS,
     .min = 0,
     .max = SCREENING_INDICATORS_MAX,
     .list = LIST__MAX,
     .off = offsetof(struct screening_in, indicators),
     .count = offsetof(struct screening_in, nindicators),
     .message = "codes of GET /api/v1/screening-indicators, each once"},
};
const struct fieldset screening_fields = {
    screening_field_rows, (int)(sizeof screening_field_rows / sizeof screening_field_rows[0]),
    offsetof(struct screening_in, sent)};

void screening_in_init(struct screening_in *in)
{
    memset(in, 0, sizeof *in);
    fields_init(&screening_fields, in);
}

/* ---- screening a case ---- */

/* The input's rules and the known age; ev filled on ERR_OK. */
static enum err screening_validate(const struct ctx *cx, const struct case_rec *c,
                                   const struct screening_in *in, struct screening_eval *ev,
                                   struct fielderrs *fe)
{
    enum err e = fe->n > 0 ? ERR_VALIDATION : ERR_OK;
    if (fields_check(cx, &screening_fields, in, fe) != ERR_OK)
        e = ERR_VALIDATION;
    if (e != ERR_OK)
        return e;
    if (screening_evaluate(cx->screening, in->adult, in->indicators, (size_t)in->nindicators, ev) !=
        ERR_OK)
        return fielderr(fe, "indicators", screening_field_rows[1].message);
    char today[DATE_SIZE];
    clock_today(today);
    int age = case_survivor_age_on(cx, c, today);
    if (age >= 0 && in->adult != (age >= ADULT_AGE))
        return fielderr(fe, "adult",
                        age >= ADULT_AGE ? "must be true: the survivor is known to be 18 or older"
                                         : "must be false: the survivor is known to be under 18");
    return ERR_OK;
}

/* JSON text of the codes of items[0..n) (caller frees). */
static char *codes_json(const struct screening_indicator *const *items, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_string(items[i]->code));
    char *s = json_dumps(a, JSON_COMPACT);
    json_decref(a);
    return s;
}

static char *dimensions_json(const bool dims[SCREENING_DIMENSIONS])
{
    json_t *o = json_object();
    for (int d = 0; d < SCREENING_DIMENSIONS; d++)
        json_object_set_new(o, code_name(LIST_DIMENSION, d), json_boolean(dims[d]));
    char *s = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    return s;
}

void screening_record_make(const struct ctx *cx, const char *case_id, bool adult,
                           const struct screening_eval *ev, struct screening_rec *r)
{
    crypto_random_id(r->id);
    snprintf(r->case_id, sizeof r->case_id, "%s", case_id);
    r->adult = adult;
    r->indicators = codes_json(ev->ticked, ev->nticked);
    r->dimensions = dimensions_json(ev->dimensions);
    r->forced_labour_indicators = codes_json(ev->forced_labour, ev->nforced);
    snprintf(r->result, sizeof r->result, "%s", code_name(LIST_SCREENING_RESULT, ev->result));
    snprintf(r->created_by, sizeof r->created_by, "%s", check_user_id(cx));
    if (r->created_at[0] == '\0') /* the bulk writer dates its own */
        clock_stamp(r->created_at);
}

/* The screening, its timeline step and its audit entry, all or none. */
static enum err record_write(const struct ctx *cx, const struct screening_rec *r)
{
    enum err e = store_begin(cx->db);
    if (e != ERR_OK)
        return e;
    e = store_screening_insert(cx->db, r);
    if (e == ERR_OK)
        e = case_event_add(cx, r->case_id, "screening", r->result, r->id, NULL);
    if (e == ERR_OK)
        e = audit_append(cx->db, check_user_id(cx), AUDIT_CREATE, "screening", r->id, NULL);
    return store_end(cx->db, e);
}

enum err screening_add(const struct ctx *cx, const char *case_id, const struct screening_in *in,
                       struct screening_rec *out, struct fielderrs *fe)
{
    struct case_rec c;
    struct screening_eval ev;

    memset(out, 0, sizeof *out);
    enum err e = case_fetch_open(cx, ACT_SCREENING_CREATE, case_id, &c);
    if (e != ERR_OK)
        return e; /* a closed case: reopen it first */
    if ((e = screening_validate(cx, &c, in, &ev, fe)) == ERR_OK) {
        screening_record_make(cx, c.id, in->adult, &ev, out);
        e = record_write(cx, out);
    }
    if (e != ERR_OK)
        screening_rec_free(out);
    case_rec_free(&c);
    return e;
}

enum err screening_list(const struct ctx *cx, const char *case_id, struct screening_rec **items,
                        size_t *n)
{
    struct case_rec c;
    *items = NULL;
    *n = 0;
    enum err e = case_fetch(cx, ACT_CASE_READ_DETAIL, case_id, &c);
    if (e != ERR_OK)
        return e;
    e = store_screening_list(cx->db, c.id, items, n);
    /* No unaudited read of case content. */
    if (e == ERR_OK && (e = store_begin(cx->db)) == ERR_OK) {
        e = audit_append(cx->db, check_user_id(cx), AUDIT_READ, "case", c.id, "screenings");
        e = store_end(cx->db, e);
    }
    if (e != ERR_OK) {
        screening_list_free(*items, *n);
        *items = NULL;
        *n = 0;
    }
    case_rec_free(&c);
    return e;
}
