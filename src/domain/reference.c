#include "domain/reference.h"

#include <stdlib.h>
#include <string.h>

#include "domain/check.h"
#include "domain/scope.h"
#include "util/alloc.h"
#include "util/csv.h"
#include "util/embed.h"
#include "util/utf8.h"

#define FIELDS_MAX 8 /* the widest table: documents */
#define YEAR_MIN   1990

struct reference {
    struct reference_channel channels[REFERENCE_ROWS_MAX];
    size_t nchannels;
    struct reference_document documents[REFERENCE_ROWS_MAX];
    size_t ndocuments;
    struct reference_hotline hotlines[REFERENCE_ROWS_MAX];
    size_t nhotlines;
};

/* ---- reading ---- */

void reference_free(struct reference *r)
{
    if (r == NULL)
        return;
    for (size_t i = 0; i < r->nchannels; i++) {
        free(r->channels[i].text_km);
        free(r->channels[i].text_en);
        free(r->channels[i].src.source);
    }
    for (size_t i = 0; i < r->ndocuments; i++) {
        struct reference_document *d = &r->documents[i];
        free(d->name_km);
        free(d->name_en);
        free(d->text_km);
        free(d->text_en);
        free(d->src.source);
    }
    for (size_t i = 0; i < r->nhotlines; i++) {
        struct reference_hotline *h = &r->hotlines[i];
        free(h->name_km);
        free(h->name_en);
        free(h->text_km);
        free(h->text_en);
        free(h->src.source);
    }
    free(r);
}

/* One table being read. */
struct table {
    struct csv csv;
    struct buf f[FIELDS_MAX];
    int nf;
    size_t line; /* of the record last read */
};

/* Skips the comment lines, then reads the header, which must be exactly
 * names[0..n). NULL or why. */
static const char *table_header(struct table *t, const char *const *names, int n)
{
    const char *why = NULL;
    csv_skip_comments(&t->csv);
    t->line = t->csv.line;
    int rc = csv_record(&t->csv, t->f, n, &t->nf, &why);
    if (rc < 0)
        return why;
    if (rc == 0 || t->nf != n)
        return "the header is not the expected one";
    for (int i = 0; i < n; i++)
        if (strcmp(t->f[i].p, names[i]) != 0)
            return "the header is not the expected one";
    return NULL;
}

/* Reads the next row of n fields, each valid text. 1: a row; 0: the end;
 * -1: *why. */
static int table_row(struct table *t, int n, const char **why)
{
    t->line = t->csv.line;
    int rc = csv_record(&t->csv, t->f, n, &t->nf, why);
    if (rc > 0 && t->nf != n) {
        *why = "a row has fewer fields than the header";
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

/* Whether s holds a letter of the Khmer block (U+1780..U+17FF, encoded
 * E1 9E 80 .. E1 9F BF). */
static bool has_khmer(const char *s)
{
    for (; s[0] != '\0' && s[1] != '\0'; s++)
        if ((unsigned char)s[0] == 0xE1 &&
            ((unsigned char)s[1] == 0x9E || (unsigned char)s[1] == 0x9F))
            return true;
    return false;
}

static const char *khmer_text(const char *s, size_t max, const char *why)
{
    return check_text(s, 1, max) && has_khmer(s) ? NULL : why;
}

static const char *english_text(const char *s, size_t max, const char *why)
{
    return check_text(s, 1, max) && !has_khmer(s) ? NULL : why;
}

/* A real calendar date YYYY-MM-DD from YEAR_MIN on. */
static bool real_date(const char *s)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return false;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
            return false;
    int y = atoi(s), m = atoi(s + 5), d = atoi(s + 8);
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (y < YEAR_MIN || m < 1 || m > 12 || d < 1)
        return false;
    return d <= days[m - 1] + (m == 2 && leap ? 1 : 0);
}

/* A destination: two capital letters, not Cambodia itself. */
static bool destination(const char *s)
{
    return check_iso2(s) && strcmp(s, "KH") != 0;
}

static const char *source_read(struct reference_source *out, const char *source, const char *date)
{
    if (!check_text(source, 1, REFERENCE_SOURCE_MAX))
        return "source must be 1 to 400 characters";
    if (!real_date(date))
        return "source_date must be a real date YYYY-MM-DD";
    out->source = xstrdup(source);
    memcpy(out->date, date, 11);
    return NULL;
}

static const char *channels_read(struct reference *r, struct table *t)
{
    static const char *const header[] = {"country", "channel", "text_km",
                                         "text_en", "source",  "source_date"};
    const char *why = table_header(t, header, 6);
    int rc;
    if (why != NULL)
        return why;
    while ((rc = table_row(t, 6, &why)) > 0) {
        const char *country = t->f[0].p, *code = t->f[1].p;
        int ch = code_parse(LIST_CHANNEL, code);
        if (!destination(country))
            return "country must be an ISO 3166-1 alpha-2 code of a destination";
        if (ch < 0 || strcmp(code, "irregular") == 0 || strcmp(code, "unknown") == 0)
            return "channel must be an official channel of DOMAIN.md section 7";
        for (size_t i = 0; i < r->nchannels; i++)
            if (r->channels[i].channel == ch && strcmp(r->channels[i].country, country) == 0)
                return "this country and channel are already given";
        if ((why = khmer_text(t->f[2].p, REFERENCE_TEXT_MAX,
                              "text_km must be Khmer text of 1 to 600 characters")) != NULL ||
            (why = english_text(t->f[3].p, REFERENCE_TEXT_MAX,
                                "text_en must be English text of 1 to 600 characters")) != NULL)
            return why;
        if (r->nchannels == REFERENCE_ROWS_MAX)
            return "more than 64 rows";
        struct reference_channel *c = &r->channels[r->nchannels];
        if ((why = source_read(&c->src, t->f[4].p, t->f[5].p)) != NULL)
            return why;
        r->nchannels++;
        memcpy(c->country, country, 3);
        c->channel = ch;
        c->text_km = xstrdup(t->f[2].p);
        c->text_en = xstrdup(t->f[3].p);
    }
    if (rc < 0)
        return why;
    return r->nchannels == 0 ? "no rows" : NULL;
}

/* "*" or distinct destinations separated by single spaces. */
static const char *applies_read(struct reference_document *d, const char *s)
{
    if (strcmp(s, "*") == 0) {
        d->everywhere = true;
        return NULL;
    }
    const char *why = "applies_to must be * or ISO 3166-1 alpha-2 codes separated by spaces";
    for (;;) {
        char code[3] = {s[0], s[0] != '\0' ? s[1] : '\0', '\0'};
        if (!destination(code) || (s[2] != ' ' && s[2] != '\0'))
            return why;
        for (int i = 0; i < d->ncountries; i++)
            if (strcmp(d->countries[i], code) == 0)
                return "applies_to names a country twice";
        if (d->ncountries == REFERENCE_COUNTRIES_MAX)
            return "applies_to names more than 8 countries";
        memcpy(d->countries[d->ncountries++], code, 3);
        if (s[2] == '\0')
            return NULL;
        s += 3;
    }
}

static const char *documents_read(struct reference *r, struct table *t)
{
    static const char *const header[] = {"document", "applies_to", "name_km", "name_en",
                                         "text_km",  "text_en",    "source",  "source_date"};
    const char *why = table_header(t, header, 8);
    int rc;
    if (why != NULL)
        return why;
    while ((rc = table_row(t, 8, &why)) > 0) {
        int doc = code_parse(LIST_DOCUMENT, t->f[0].p);
        if (doc < 0)
            return "document must be a code of the documents checklist (DOMAIN.md section 7)";
        for (size_t i = 0; i < r->ndocuments; i++)
            if (r->documents[i].document == doc)
                return "this document is already given";
        if (r->ndocuments == REFERENCE_ROWS_MAX)
            return "more than 64 rows";
        struct reference_document tmp;
        memset(&tmp, 0, sizeof tmp);
        if ((why = applies_read(&tmp, t->f[1].p)) != NULL ||
            (why = khmer_text(t->f[2].p, REFERENCE_NAME_MAX,
                              "name_km must be Khmer text of 1 to 120 characters")) != NULL ||
            (why = english_text(t->f[3].p, REFERENCE_NAME_MAX,
                                "name_en must be English text of 1 to 120 characters")) != NULL ||
            (why = khmer_text(t->f[4].p, REFERENCE_TEXT_MAX,
                              "text_km must be Khmer text of 1 to 600 characters")) != NULL ||
            (why = english_text(t->f[5].p, REFERENCE_TEXT_MAX,
                                "text_en must be English text of 1 to 600 characters")) != NULL ||
            (why = source_read(&tmp.src, t->f[6].p, t->f[7].p)) != NULL)
            return why;
        tmp.document = doc;
        tmp.name_km = xstrdup(t->f[2].p);
        tmp.name_en = xstrdup(t->f[3].p);
        tmp.text_km = xstrdup(t->f[4].p);
        tmp.text_en = xstrdup(t->f[5].p);
        r->documents[r->ndocuments++] = tmp;
    }
    if (rc < 0)
        return why;
    return r->ndocuments == 0 ? "no rows" : NULL;
}

static bool hotline_number(const char *s)
{
    size_t n = strlen(s);
    if (n < 3 || n > REFERENCE_NUMBER_MAX)
        return false;
    return strspn(s, "0123456789") == n;
}

static const char *hotlines_read(struct reference *r, struct table *t)
{
    static const char *const header[] = {"number",  "name_km", "name_en",    "text_km",
                                         "text_en", "source",  "source_date"};
    const char *why = table_header(t, header, 7);
    int rc;
    if (why != NULL)
        return why;
    while ((rc = table_row(t, 7, &why)) > 0) {
        const char *number = t->f[0].p;
        if (!hotline_number(number))
            return "number must be 3 to 6 digits";
        for (size_t i = 0; i < r->nhotlines; i++)
            if (strcmp(r->hotlines[i].number, number) == 0)
                return "this number is already given";
        if (r->nhotlines == REFERENCE_ROWS_MAX)
            return "more than 64 rows";
        if ((why = khmer_text(t->f[1].p, REFERENCE_NAME_MAX,
                              "name_km must be Khmer text of 1 to 120 characters")) != NULL ||
            (why = english_text(t->f[2].p, REFERENCE_NAME_MAX,
                                "name_en must be English text of 1 to 120 characters")) != NULL ||
            (why = khmer_text(t->f[3].p, REFERENCE_TEXT_MAX,
                              "text_km must be Khmer text of 1 to 600 characters")) != NULL ||
            (why = english_text(t->f[4].p, REFERENCE_TEXT_MAX,
                                "text_en must be English text of 1 to 600 characters")) != NULL)
            return why;
        struct reference_hotline *h = &r->hotlines[r->nhotlines];
        if ((why = source_read(&h->src, t->f[5].p, t->f[6].p)) != NULL)
            return why;
        r->nhotlines++;
        memcpy(h->number, number, strlen(number) + 1);
        h->name_km = xstrdup(t->f[1].p);
        h->name_en = xstrdup(t->f[2].p);
        h->text_km = xstrdup(t->f[3].p);
        h->text_en = xstrdup(t->f[4].p);
    }
    if (rc < 0)
        return why;
    return r->nhotlines == 0 ? "no rows" : NULL;
}

typedef const char *(*table_reader)(struct reference *, struct table *);

/* Reads one table into r; false with *errmsg on the first problem. */
static bool table_load(struct reference *r, const char *file, const char *text, size_t len,
                       table_reader read, char **errmsg)
{
    struct table t;
    memset(&t, 0, sizeof t);
    csv_init(&t.csv, text != NULL ? text : "", text != NULL ? len : 0);
    const char *why = read(r, &t);
    if (why != NULL)
        *errmsg = xasprintf("%s line %zu: %s", file, t.line, why);
    table_free(&t);
    return why == NULL;
}

enum err reference_parse(const struct reference_sources *src, struct reference **out, char **errmsg)
{
    struct reference *r = xcalloc(1, sizeof *r);
    *out = NULL;
    *errmsg = NULL;
    if (!table_load(r, REFERENCE_CHANNELS_FILE, src->channels, src->channels_len, channels_read,
                    errmsg) ||
        !table_load(r, REFERENCE_DOCUMENTS_FILE, src->documents, src->documents_len, documents_read,
                    errmsg) ||
        !table_load(r, REFERENCE_HOTLINES_FILE, src->hotlines, src->hotlines_len, hotlines_read,
                    errmsg)) {
        reference_free(r);
        return ERR_VALIDATION;
    }
    *out = r;
    return ERR_OK;
}

enum err reference_load(struct reference **out, char **errmsg)
{
    const struct embedded_file *c = embed_find(REFERENCE_CHANNELS_FILE);
    const struct embedded_file *d = embed_find(REFERENCE_DOCUMENTS_FILE);
    const struct embedded_file *h = embed_find(REFERENCE_HOTLINES_FILE);
    *out = NULL;
    *errmsg = NULL;
    if (c == NULL || d == NULL || h == NULL) {
        *errmsg = xstrdup("a reference table is not built in");
        return ERR_INTERNAL;
    }
    struct reference_sources src = {(const char *)c->data, c->len, (const char *)d->data, d->len,
                                    (const char *)h->data, h->len};
    enum err e = reference_parse(&src, out, errmsg);
    return e == ERR_OK ? ERR_OK : ERR_INTERNAL;
}

/* ---- reading the rows ---- */

size_t reference_channel_count(const struct reference *r)
{
    return r != NULL ? r->nchannels : 0;
}

const struct reference_channel *reference_channel_at(const struct reference *r, size_t i)
{
    return (r != NULL && i < r->nchannels) ? &r->channels[i] : NULL;
}

size_t reference_document_count(const struct reference *r)
{
    return r != NULL ? r->ndocuments : 0;
}

const struct reference_document *reference_document_at(const struct reference *r, size_t i)
{
    return (r != NULL && i < r->ndocuments) ? &r->documents[i] : NULL;
}

size_t reference_hotline_count(const struct reference *r)
{
    return r != NULL ? r->nhotlines : 0;
}

const struct reference_hotline *reference_hotline_at(const struct reference *r, size_t i)
{
    return (r != NULL && i < r->nhotlines) ? &r->hotlines[i] : NULL;
}

bool reference_document_applies(const struct reference_document *d, const char *country)
{
    if (d == NULL || country == NULL)
        return false;
    if (d->everywhere)
        return true;
    for (int i = 0; i < d->ncountries; i++)
        if (strcmp(d->countries[i], country) == 0)
            return true;
    return false;
}

enum err reference_get(const struct ctx *cx, const struct reference **out)
{
    *out = NULL;
    if (!may(cx, ACT_REFERENCE_READ))
        return ERR_FORBIDDEN;
    if (cx->reference == NULL)
        return ERR_INTERNAL;
    *out = cx->reference;
    return ERR_OK;
}
