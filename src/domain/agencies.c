/* Recruitment agencies and the ministry's licence lists (domain/agencies.h). */
#include "domain/agencies.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "audit/audit.h"
#include "domain/check.h"
#include "domain/collate.h"
#include "domain/romanize.h"
#include "domain/scope.h"
#include "domain/screening.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/codes.h"
#include "util/csv.h"
#include "util/log.h"
#include "util/utf8.h"

#define LIST_DEFAULT    50
#define LIST_MAX        500
#define CSV_FIELDS      4
#define FIELD(b)        ((b).p != NULL ? (b).p : "")
#define AGENCY_KEYS_MAX (2 * (ROMANIZE_WORDS_MAX + 1))

static const char *const csv_header[CSV_FIELDS] = {"name_km", "name_en", "licence_no",
                                                   "licence_valid_until"};

static bool date_ok(const char *s)
{
    int y, m, d;
    return s != NULL && strlen(s) == DATE_SIZE - 1 && clock_parse_date(s, &y, &m, &d);
}

/* One row of the file, as read. */
struct agency_row {
    size_t line;
    char *field[CSV_FIELDS];
};

static void rows_free(struct agency_row *rows, size_t n)
{
    for (size_t i = 0; i < n && rows != NULL; i++)
        for (int f = 0; f < CSV_FIELDS; f++)
            free(rows[i].field[f]);
    free(rows);
}

/* A name: valid text of 1 to AGENCY_NAME_MAX_CHARS characters on one line. */
static bool name_ok(const char *s)
{
    return check_text(s, 1, AGENCY_NAME_MAX_CHARS) && strpbrk(s, "\t\r\n") == NULL;
}

/* A licence number: 1 to 64 bytes of text on one line, not only spaces. */
static bool licence_ok(const char *s)
{
    return strlen(s) < AGENCY_LICENCE_SIZE && check_text(s, 1, AGENCY_LICENCE_SIZE) &&
           strpbrk(s, "\t\r\n") == NULL;
}

static void bad_row(struct buf *errs, int *nerrs, size_t line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Adds "line N: why" to errs (the first AGENCY_ERRORS_MAX of them). */
static void bad_row(struct buf *errs, int *nerrs, size_t line, const char *fmt, ...)
{
    if ((*nerrs)++ >= AGENCY_ERRORS_MAX)
        return;
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    buf_printf(errs, "line %zu: %s\n", line, msg);
}

/* Skips comment lines (starting with '#') and empty lines at c's position. */
static void skip_comments(struct csv *c)
{
    while (c->p < c->end && (*c->p == '#' || *c->p == '\n' || *c->p == '\r')) {
        const char *nl = memchr(c->p, '\n', (size_t)(c->end - c->p));
        c->p = nl != NULL ? nl + 1 : c->end;
        c->line++;
    }
}

/* Reads and checks every row of text into *rows; the reasons of the bad
 * ones go to errs. */
static void rows_parse(const char *text, size_t len, struct agency_row **rows, size_t *n,
                       struct buf *errs, int *nerrs)
{
    struct csv c;
    struct buf f[CSV_FIELDS + 1] = {{0}};
    size_t cap = 0;
    bool header = false;
    const char *why = NULL;
    struct {
        char *no;
        size_t line;
    } *seen = NULL;
    size_t nseen = 0, seencap = 0;

    *rows = NULL;
    *n = 0;
    if (!utf8_valid_text(text, len)) {
        /* Find the line for the message. */
        size_t line = 1, from = 0;
        for (size_t i = 0; i <= len; i++) {
            if (i == len || text[i] == '\n') {
                if (!utf8_valid_text(text + from, i - from)) {
                    bad_row(errs, nerrs, line, "%s", "not valid UTF-8 text");
                    break;
                }
                line++;
                from = i + 1;
            }
        }
        goto out;
    }
    csv_init(&c, text, len);
    for (;;) {
        skip_comments(&c);
        size_t line = c.line;
        int nf = 0;
        int rc = csv_record(&c, f, CSV_FIELDS + 1, &nf, &why);
        if (rc == 0)
            break;
        if (rc < 0) {
            if (strcmp(why, "too many fields") == 0)
                bad_row(errs, nerrs, line, "more than 4 fields, the header has 4");
            else
                bad_row(errs, nerrs, line, "%s", why);
            /* The reader cannot resynchronise past a broken quote. */
            if (strcmp(why, "too many fields") != 0)
                break;
            const char *nl = memchr(c.p, '\n', (size_t)(c.end - c.p));
            c.p = nl != NULL ? nl + 1 : c.end;
            c.line = line + 1;
            continue;
        }
        if (!header) {
            header = true;
            bool same = nf == CSV_FIELDS;
            for (int i = 0; same && i < CSV_FIELDS; i++)
                same = strcmp(FIELD(f[i]), csv_header[i]) == 0;
            if (!same)
                bad_row(errs, nerrs, line, "the header must be %s",
                        "name_km,name_en,licence_no,licence_valid_until");
            continue;
        }
        if (nf != CSV_FIELDS) {
            bad_row(errs, nerrs, line, "%d fields, the header has 4", nf);
            continue;
        }
        const char *km = FIELD(f[0]), *en = FIELD(f[1]), *no = FIELD(f[2]), *until = FIELD(f[3]);
        bool ok = true;
        if (!name_ok(km) || !romanize_has_khmer(km, strlen(km))) {
            bad_row(errs, nerrs, line, "%s: missing, or not 1 to 200 characters in Khmer script",
                    "name_km");
            ok = false;
        }
        if (!name_ok(en)) {
            bad_row(errs, nerrs, line, "%s: missing, or not 1 to 200 characters", "name_en");
            ok = false;
        }
        if (!licence_ok(no)) {
            bad_row(errs, nerrs, line, "%s: missing, or longer than 64 bytes", "licence_no");
            ok = false;
        }
        if (!date_ok(until)) {
            bad_row(errs, nerrs, line, "%s: not a date YYYY-MM-DD", "licence_valid_until");
            ok = false;
        }
        /* Every row's licence number, a bad row's too, for the duplicates. */
        for (size_t i = 0; licence_ok(no) && i < nseen; i++) {
            if (strcmp(seen[i].no, no) != 0)
                continue;
            bad_row(errs, nerrs, line, "licence_no %s also on line %zu", no, seen[i].line);
            ok = false;
            break;
        }
        if (licence_ok(no) && nseen < AGENCY_ROWS_MAX + 1) {
            if (nseen == seencap) {
                seencap = seencap > 0 ? 2 * seencap : 64;
                seen = xrealloc(seen, seencap * sizeof *seen);
            }
            seen[nseen].no = xstrdup(no);
            seen[nseen++].line = line;
        }
        if (!ok)
            continue;
        if (*n >= AGENCY_ROWS_MAX) {
            bad_row(errs, nerrs, line, "more than %d agencies in one list", AGENCY_ROWS_MAX);
            break;
        }
        if (*n == cap) {
            cap = cap > 0 ? 2 * cap : 64;
            *rows = xrealloc(*rows, cap * sizeof **rows);
        }
        struct agency_row *r = &(*rows)[(*n)++];
        r->line = line;
        for (int i = 0; i < CSV_FIELDS; i++)
            r->field[i] = xstrdup(FIELD(f[i]));
    }
    if (!header)
        bad_row(errs, nerrs, c.line, "the header must be %s",
                "name_km,name_en,licence_no,licence_valid_until");
    else if (*n == 0 && *nerrs == 0)
        bad_row(errs, nerrs, c.line, "%s", "no agencies in the file");
out:
    for (int i = 0; i <= CSV_FIELDS; i++)
        buf_free(&f[i]);
    for (size_t i = 0; i < nseen; i++)
        free(seen[i].no);
    free(seen);
}

/* The search keys of an agency's names (romanize_name_keys of each) into
 * keys[0..AGENCY_KEYS_MAX); returns how many. */
static size_t agency_keys(const char *name_km, const char *name_en,
                          char keys[AGENCY_KEYS_MAX][ROMANIZE_KEY_MAX])
{
    const char *names[2] = {name_km, name_en};
    struct romanize_name rn;
    size_t n = 0;
    for (int i = 0; i < 2; i++) {
        romanize_name_keys(names[i], &rn);
        for (size_t w = 0; w < rn.nword; w++)
            memcpy(keys[n++], rn.word[w], ROMANIZE_KEY_MAX);
        if (rn.has_whole)
            memcpy(keys[n++], rn.whole, ROMANIZE_KEY_MAX);
    }
    return n;
}

/* Writes one row of the list import imp: the agency (new, or changed),
 * its listing and its name keys; counts it in sum. */
static enum err row_write(const struct ctx *cx, const struct agency_row *row,
                          const struct agency_import_rec *imp, const char *prev_id,
                          struct agency_import_summary *sum)
{
    struct agency_rec a = {0};
    char keys[AGENCY_KEYS_MAX][ROMANIZE_KEY_MAX];
    const char *kp[AGENCY_KEYS_MAX];
    bool listed = false;

    enum err e = store_agency_by_licence(cx->db, row->field[2], &a);
    if (e == ERR_NOT_FOUND) {
        crypto_random_id(a.id);
        snprintf(a.licence_no, sizeof a.licence_no, "%s", row->field[2]);
        a.name_km = xstrdup(row->field[0]);
        a.name_en = xstrdup(row->field[1]);
        snprintf(a.licence_valid_until, sizeof a.licence_valid_until, "%s", row->field[3]);
        memcpy(a.created_at, imp->imported_at, TS_SIZE);
        memcpy(a.updated_at, imp->imported_at, TS_SIZE);
        a.version = 1;
        e = store_agency_insert(cx->db, &a);
        sum->added++;
    } else if (e == ERR_OK) {
        if (prev_id != NULL)
            e = store_agency_listed(cx->db, prev_id, a.id, &listed);
        bool changed = strcmp(a.name_km, row->field[0]) != 0 ||
                       strcmp(a.name_en, row->field[1]) != 0 ||
                       strcmp(a.licence_valid_until, row->field[3]) != 0;
        if (e == ERR_OK && changed) {
            free(a.name_km);
            free(a.name_en);
            a.name_km = xstrdup(row->field[0]);
            a.name_en = xstrdup(row->field[1]);
            snprintf(a.licence_valid_until, sizeof a.licence_valid_until, "%s", row->field[3]);
            memcpy(a.updated_at, imp->imported_at, TS_SIZE);
            e = store_agency_update(cx->db, &a);
        }
        if (!listed)
            sum->added++;
        else if (changed)
            sum->updated++;
        else
            sum->unchanged++;
    }
    if (e == ERR_OK)
        e = store_agency_listing_insert(cx->db, imp->id, &a);
    if (e == ERR_OK) {
        size_t nk = agency_keys(a.name_km, a.name_en, keys);
        for (size_t i = 0; i < nk; i++)
            kp[i] = keys[i];
        e = store_agency_keys_replace(cx->db, a.id, kp, nk);
    }
    agency_rec_free(&a);
    return e;
}

enum err agency_import(const struct ctx *cx, const char *text, size_t len, const char *source_date,
                       struct agency_import_summary *sum, char **errors)
{
    struct agency_row *rows = NULL;
    struct buf errs = {0};
    struct agency_import_rec imp = {0}, prev = {0};
    size_t n = 0;
    int nerrs = 0;
    enum err e;

    memset(sum, 0, sizeof *sum);
    *errors = NULL;
    if (!cx->local_operator)
        return ERR_FORBIDDEN;
    if (!date_ok(source_date)) {
        *errors = xstrdup("--source-date: not a date YYYY-MM-DD\n");
        return ERR_VALIDATION;
    }
    rows_parse(text, len, &rows, &n, &errs, &nerrs);
    if (nerrs > 0) {
        if (nerrs > AGENCY_ERRORS_MAX)
            buf_printf(&errs, "... %d bad rows in all\n", nerrs);
        *errors = buf_steal(&errs);
        rows_free(rows, n);
        return ERR_VALIDATION;
    }

    if ((e = store_begin(cx->db)) != ERR_OK)
        goto out;
    e = store_agency_import_last(cx->db, &prev);
    bool has_prev = e == ERR_OK;
    if (e == ERR_NOT_FOUND)
        e = ERR_OK;
    if (e == ERR_OK && has_prev && strcmp(source_date, prev.source_date) < 0) {
        *errors = xasprintf("--source-date: the list of %s is already imported; "
                            "a list of %s is older\n",
                            prev.source_date, source_date);
        e = ERR_VALIDATION;
    }
    if (e == ERR_OK) {
        crypto_random_id(imp.id);
        snprintf(imp.source_date, sizeof imp.source_date, "%s", source_date);
        clock_stamp(imp.imported_at);
        snprintf(imp.imported_by, sizeof imp.imported_by, "%s", check_user_id(cx));
        e = store_agency_import_insert(cx->db, &imp);
    }
    for (size_t i = 0; i < n && e == ERR_OK; i++)
        e = row_write(cx, &rows[i], &imp, has_prev ? prev.id : NULL, sum);
    if (e == ERR_OK && has_prev)
        e = store_agency_dropped_count(cx->db, prev.id, imp.id, &sum->dropped);
    if (e == ERR_OK) {
        imp.added = sum->added;
        imp.updated = sum->updated;
        imp.dropped = sum->dropped;
        e = store_agency_import_counts(cx->db, &imp);
    }
    if (e == ERR_OK) {
        char detail[96];
        snprintf(detail, sizeof detail, "source_date=%s added=%d updated=%d dropped=%d",
                 source_date, sum->added, sum->updated, sum->dropped);
        e = audit_append(cx->db, check_user_id(cx), AUDIT_IMPORT, "agency_list", imp.id, detail);
    }
    e = store_end(cx->db, e);
out:
    if (e == ERR_OK) {
        sum->rows = (int)n;
        memcpy(sum->import_id, imp.id, ID_SIZE);
    } else {
        memset(sum, 0, sizeof *sum);
        if (e != ERR_VALIDATION) { /* the reason is err_message(e) */
            free(*errors);
            *errors = NULL;
        }
    }
    buf_free(&errs);
    rows_free(rows, n);
    return e;
}

/* ---- reading ---- */

/* Sorts recs[0..n) by name in lang (domain/collate.h), then id. */
static enum err by_name(struct agency_rec *recs, size_t n, enum lang lang)
{
    if (n == 0)
        return ERR_OK; /* recs may be NULL */
    struct collate_name *names = xcalloc(n > 0 ? n : 1, sizeof *names);
    size_t *order = xcalloc(n > 0 ? n : 1, sizeof *order);
    for (size_t i = 0; i < n; i++)
        names[i] = (struct collate_name){recs[i].name_km, recs[i].name_en};
    collate_order(lang, names, n, order);
    struct agency_rec *tmp = xcalloc(n > 0 ? n : 1, sizeof *tmp);
    for (size_t i = 0; i < n; i++)
        tmp[i] = recs[order[i]];
    memcpy(recs, tmp, n * sizeof *tmp);
    free(tmp);
    free(order);
    free(names);
    return ERR_OK;
}

/* The date a read is for: on, or today when NULL or "". */
static bool read_date(const char *on, char out[DATE_SIZE], struct fielderrs *fe)
{
    if (check_absent(on)) {
        clock_today(out);
        return true;
    }
    if (!date_ok(on)) {
        fielderr(fe, "on", "a date YYYY-MM-DD");
        return false;
    }
    memcpy(out, on, DATE_SIZE);
    return true;
}

enum err agency_list(const struct ctx *cx, const struct agency_query *q, struct agency_rec **items,
                     size_t *n, char next_cursor[ID_SIZE], struct fielderrs *fe)
{
    struct romanize_name rn = {0};
    const char *keys[AGENCY_QUERY_KEYS_MAX];
    struct agency_rec *recs = NULL;
    size_t nrecs = 0;
    char on[DATE_SIZE];
    enum err e = ERR_OK;

    *items = NULL;
    *n = 0;
    next_cursor[0] = '\0';
    if (!may(cx, ACT_AGENCY_READ))
        return ERR_FORBIDDEN;
    if (!read_date(q->on, on, fe))
        e = ERR_VALIDATION;
    if (q->limit < 0 || q->limit > LIST_MAX)
        e = fielderr(fe, "limit", "1 to 500");
    if (q->cursor != NULL && !check_id(q->cursor))
        e = fielderr(fe, "cursor", "not a cursor from this list");
    if (!check_absent(q->q)) {
        if (check_text(q->q, 1, AGENCY_NAME_MAX_CHARS))
            romanize_name_keys(q->q, &rn);
        if (rn.nword == 0 || rn.total > AGENCY_QUERY_KEYS_MAX)
            e = fielderr(fe, "q", "a name of 1 to 6 words");
    }
    if (e != ERR_OK)
        return e;
    for (size_t i = 0; i < rn.nword; i++)
        keys[i] = rn.word[i];
    if ((e = store_agency_on(cx->db, on, keys, rn.nword, &recs, &nrecs)) != ERR_OK)
        return e;
    if ((e = by_name(recs, nrecs, q->lang)) != ERR_OK) {
        agency_list_free(recs, nrecs);
        return e;
    }
    size_t from = 0;
    if (q->cursor != NULL) {
        while (from < nrecs && strcmp(recs[from].id, q->cursor) != 0)
            from++;
        if (from == nrecs) {
            agency_list_free(recs, nrecs);
            return fielderr(fe, "cursor", "not a cursor from this list");
        }
        from++;
    }
    size_t limit = q->limit > 0 ? (size_t)q->limit : LIST_DEFAULT;
    size_t keep = nrecs - from < limit ? nrecs - from : limit;
    struct agency_rec *out = xcalloc(keep > 0 ? keep : 1, sizeof *out);
    for (size_t i = 0; i < nrecs; i++) {
        if (i >= from && i < from + keep)
            out[i - from] = recs[i];
        else
            agency_rec_free(&recs[i]);
    }
    if (from + keep < nrecs && keep > 0)
        memcpy(next_cursor, out[keep - 1].id, ID_SIZE);
    free(recs);
    *items = out;
    *n = keep;
    return ERR_OK;
}

enum err agency_get(const struct ctx *cx, const char *id, const char *on, struct agency_rec *out,
                    struct fielderrs *fe)
{
    char day[DATE_SIZE];
    memset(out, 0, sizeof *out);
    if (!may(cx, ACT_AGENCY_READ))
        return ERR_FORBIDDEN;
    if (!read_date(on, day, fe))
        return ERR_VALIDATION;
    if (!check_id(id))
        return ERR_NOT_FOUND;
    return store_agency_get_on(cx->db, id, day, out);
}

enum err agency_history(const struct ctx *cx, const char *id, struct agency_rec **items, size_t *n)
{
    *items = NULL;
    *n = 0;
    if (!may(cx, ACT_AGENCY_READ))
        return ERR_FORBIDDEN;
    if (!check_id(id))
        return ERR_NOT_FOUND;
    return store_agency_history(cx->db, id, items, n);
}

enum err agency_known(const struct ctx *cx, const char *id)
{
    char today[DATE_SIZE];
    struct agency_rec a = {0};
    if (!check_id(id))
        return ERR_NOT_FOUND;
    clock_today(today);
    enum err e = store_agency_get_on(cx->db, id, today, &a);
    agency_rec_free(&a);
    return e;
}

/* ---- an agency's indicator figures ---- */

void agency_indicators_free(struct agency_indicators *a)
{
    if (a == NULL)
        return;
    free(a->by_indicator);
    memset(a, 0, sizeof *a);
}

bool agency_indicators_allowed(const struct ctx *cx)
{
    return may(cx, ACT_AGENCY_RISK);
}

/* Adds each code of the JSON array text to counts (by catalog position). */
static void codes_count(const struct screening_catalog *cat, const char *text,
                        int counts[SCREENING_INDICATORS_MAX])
{
    json_t *a = text != NULL ? json_loads(text, 0, NULL) : NULL;
    size_t i, n = screening_catalog_count(cat);
    json_t *v;
    json_array_foreach(a, i, v)
    {
        const struct screening_indicator *ind = screening_catalog_find(cat, json_string_value(v));
        for (size_t k = 0; ind != NULL && k < n && k < SCREENING_INDICATORS_MAX; k++)
            if (screening_catalog_at(cat, k) == ind) {
                counts[k]++;
                break;
            }
    }
    json_decref(a);
}

/* Whether a screening found forced-labour or trafficking indicators (the
 * reading of agencies.h). */
static bool screening_has_indicators(const struct screening_rec *s)
{
    json_t *fl = s->forced_labour_indicators != NULL
                     ? json_loads(s->forced_labour_indicators, 0, NULL)
                     : NULL;
    bool any = json_array_size(fl) > 0;
    json_decref(fl);
    return any ||
           strcmp(s->result, code_name(LIST_SCREENING_RESULT, RESULT_PRESUMED_TRAFFICKING)) == 0;
}

enum err agency_indicator_counts(const struct ctx *cx, const char *id,
                                 struct agency_indicators *out)
{
    struct screening_rec *recs = NULL;
    size_t nrecs = 0;
    int counts[SCREENING_INDICATORS_MAX] = {0}, total = 0;

    memset(out, 0, sizeof *out);
    if (!agency_indicators_allowed(cx))
        return ERR_FORBIDDEN;
    if (cx->screening == NULL)
        return ERR_INTERNAL;
    enum err e = agency_known(cx, id);
    if (e == ERR_OK)
        e = store_screening_latest_by_agency(cx->db, id, &recs, &nrecs);
    if (e != ERR_OK)
        return e;
    for (size_t i = 0; i < nrecs; i++) {
        if (!screening_has_indicators(&recs[i]))
            continue;
        total++;
        codes_count(cx->screening, recs[i].indicators, counts);
    }
    screening_list_free(recs, nrecs);

    int k = suppress_k(cx);
    size_t n = screening_catalog_count(cx->screening);
    out->total = suppress_count(total, k);
    out->by_indicator = xcalloc(n > 0 ? n : 1, sizeof *out->by_indicator);
    for (size_t i = 0; i < n && i < SCREENING_INDICATORS_MAX; i++) {
        if (counts[i] == 0)
            continue;
        struct agency_indicator_count *c = &out->by_indicator[out->nby_indicator++];
        snprintf(c->code, sizeof c->code, "%s", screening_catalog_at(cx->screening, i)->code);
        c->count = suppress_count(counts[i], k);
    }
    return ERR_OK;
}
