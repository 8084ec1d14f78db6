#include "domain/place.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/ustring.h>

#include "domain/collate.h"
#include "domain/romanize.h"
#include "domain/scope.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/csv.h"
#include "util/embed.h"
#include "util/log.h"
#include "util/utf8.h"

#define GAZETTEER_FILE "data/kh_admin_units.csv"
#define CSV_FIELDS     7
#define NAME_MAX_BYTES 256

static const char *const csv_header[CSV_FIELDS] = {
    "code", "level", "parent_code", "name_km", "name_latn", "unit_km", "unit_latn",
};

static const char *const level_codes[PLACE__MAX] = {
    [PLACE_PROVINCE] = "province",
    [PLACE_DISTRICT] = "district",
    [PLACE_COMMUNE] = "commune",
    [PLACE_VILLAGE] = "village",
};

/* Search keys of one place: offsets into places.keytext. */
struct place_keys {
    uint32_t fold, skel, km;
    uint8_t fold_len, skel_len, nwords;
    uint16_t km_len;
    uint8_t fold_word[ROMANIZE_WORDS_MAX];
    uint8_t skel_word[ROMANIZE_WORDS_MAX];
    uint64_t skel_set; /* which symbols the skeleton holds (symbol_set) */
};

/* Children of one parent: a range of places.order[lang]. */
struct range {
    uint32_t off, n;
};

struct places {
    struct place *items; /* sorted by code */
    struct place_keys *keys;
    size_t n;
    char **names;               /* owns every name_km and name_latn (2 per item) */
    char *keytext;              /* every key, NUL-separated */
    struct range *kids;         /* per item, then one more for the provinces */
    uint32_t *order[LANG__MAX]; /* item indexes, grouped by parent, by name */
};

const char *place_level_code(enum place_level l)
{
    return (unsigned)l < PLACE__MAX ? level_codes[l] : NULL;
}

static int level_parse(const char *s)
{
    for (int l = 0; l < PLACE__MAX; l++)
        if (strcmp(s, level_codes[l]) == 0)
            return l;
    return -1;
}

/* ---- names ---- */

/* s[0..n) (valid UTF-8) with U+200B and U+FEFF removed, runs of white
 * space (ASCII, U+00A0) made one space, and no space at either end. */
static char *name_normalize(const char *s, size_t n)
{
    char *out = xmalloc(n + 1);
    size_t len = 0;
    bool space = false;
    for (size_t i = 0; i < n;) {
        const unsigned char *u = (const unsigned char *)s + i;
        if (n - i >= 3 && ((u[0] == 0xe2 && u[1] == 0x80 && u[2] == 0x8b) ||
                           (u[0] == 0xef && u[1] == 0xbb && u[2] == 0xbf))) {
            i += 3;
            continue;
        }
        size_t w = 0;
        if (*u == ' ' || *u == '\t' || *u == '\n' || *u == '\r' || *u == '\v' || *u == '\f')
            w = 1;
        else if (n - i >= 2 && u[0] == 0xc2 && u[1] == 0xa0)
            w = 2;
        if (w) {
            space = true;
            i += w;
            continue;
        }
        if (space && len > 0)
            out[len++] = ' ';
        space = false;
        out[len++] = s[i++];
    }
    out[len] = '\0';
    return out;
}

static bool all_digits(const char *s)
{
    if (*s == '\0')
        return false;
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return false;
    return true;
}

static int rec_cmp(const void *a, const void *b)
{
    return strcmp(((const struct location_rec *)a)->code, ((const struct location_rec *)b)->code);
}

static bool rec_exists(const struct location_rec *rows, size_t n, const char *code)
{
    struct location_rec key;
    memset(&key, 0, sizeof key);
    memcpy(key.code, code, strlen(code) + 1);
    return bsearch(&key, rows, n, sizeof rows[0], rec_cmp) != NULL;
}

/* Checks one record's fields and fills r. NULL when fine; otherwise why. */
static const char *row_check(struct buf *f, const struct location_rec *prev, size_t nprev,
                             struct location_rec *r)
{
    for (int i = 0; i < CSV_FIELDS; i++)
        if (!utf8_valid_text(f[i].p ? f[i].p : "", f[i].len))
            return "invalid UTF-8 or a control character";
    const char *code = f[0].p, *level = f[1].p, *parent = f[2].p;
    int l = level_parse(level);
    if (l < 0)
        return "level is not province, district, commune or village";
    size_t want = 2 * ((size_t)l + 1);
    if (f[0].len != want || !all_digits(code))
        return "code must be 2, 4, 6 or 8 digits by level";
    if (l == PLACE_PROVINCE) {
        if (f[2].len != 0)
            return "a province has no parent";
    } else if (f[2].len != want - 2 || strncmp(code, parent, want - 2) != 0) {
        return "parent_code must be the code without its last two digits";
    }
    if (nprev > 0 && strcmp(prev[nprev - 1].code, code) >= 0)
        return "codes must be unique and in ascending order";
    if (l != PLACE_PROVINCE && !rec_exists(prev, nprev, parent))
        return "parent_code names no earlier row";

    memcpy(r->code, code, f[0].len + 1);
    memcpy(r->level, level, f[1].len + 1);
    memcpy(r->parent, parent, f[2].len + 1);
    r->name_km = name_normalize(f[3].p, f[3].len);
    r->name_latn = name_normalize(f[4].p, f[4].len);
    if (r->name_km[0] == '\0')
        return "name_km is empty";
    if (strlen(r->name_km) > NAME_MAX_BYTES || strlen(r->name_latn) > NAME_MAX_BYTES)
        return "name too long";
    return NULL;
}

static void rows_free(struct location_rec *rows, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(rows[i].name_km);
        free(rows[i].name_latn);
    }
    free(rows);
}

enum err places_parse_csv(const char *text, size_t len, struct location_rec **rows, size_t *nrows,
                          char **errmsg)
{
    struct buf f[CSV_FIELDS];
    memset(f, 0, sizeof f);
    struct csv c;
    csv_init(&c, text, len);
    struct location_rec *out = NULL;
    size_t n = 0, cap = 0;
    const char *why = NULL;
    size_t line = 1;
    int nf = 0, rc;
    enum err e = ERR_VALIDATION;

    *rows = NULL;
    *nrows = 0;
    *errmsg = NULL;
    if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
        c.p += 3;
    rc = csv_record(&c, f, CSV_FIELDS, &nf, &why);
    if (rc <= 0 || nf != CSV_FIELDS) {
        why = why ? why : "the header must have the 7 columns code,level,parent_code,...";
        goto out;
    }
    for (int i = 0; i < CSV_FIELDS; i++) {
        if (strcmp(f[i].p ? f[i].p : "", csv_header[i]) != 0) {
            why = "the header must be code,level,parent_code,name_km,name_latn,unit_km,unit_latn";
            goto out;
        }
    }
    for (;;) {
        line = c.line;
        rc = csv_record(&c, f, CSV_FIELDS, &nf, &why);
        if (rc == 0)
            break;
        if (rc < 0)
            goto out;
        if (nf != CSV_FIELDS) {
            why = "a row must have 7 fields";
            goto out;
        }
        for (int i = 0; i < CSV_FIELDS; i++)
            if (f[i].p == NULL)
                buf_puts(&f[i], ""); /* empty fields: a string all the same */
        if (n == cap) {
            cap = cap ? cap * 2 : 1024;
            out = xrealloc(out, cap * sizeof out[0]);
        }
        memset(&out[n], 0, sizeof out[n]);
        why = row_check(f, out, n, &out[n]);
        n++; /* row_check may have allocated names: rows_free releases them */
        if (why)
            goto out;
    }
    if (n == 0) {
        why = "no rows";
        goto out;
    }
    e = ERR_OK;
    *rows = out;
    *nrows = n;
    out = NULL;
    n = 0;
out:
    if (e != ERR_OK)
        *errmsg = xasprintf("%s line %zu: %s", GAZETTEER_FILE, line, why);
    rows_free(out, n);
    for (int i = 0; i < CSV_FIELDS; i++)
        buf_free(&f[i]);
    return e;
}

void places_rows_free(struct location_rec *rows, size_t n)
{
    rows_free(rows, n);
}

enum err places_import_csv(struct store_conn *c, const char *text, size_t len, char **errmsg)
{
    struct location_rec *rows;
    size_t n;
    enum err e = places_parse_csv(text, len, &rows, &n, errmsg);
    if (e != ERR_OK)
        return e;
    if (store_location_count(c) != 0) {
        e = ERR_CONFLICT;
        *errmsg = xstrdup("the gazetteer is already imported");
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        e = store_location_insert(c, &rows[i]);
        if (e != ERR_OK) {
            *errmsg = xasprintf("cannot store place %s: %s", rows[i].code, err_message(e));
            goto out;
        }
    }
out:
    rows_free(rows, n);
    return e;
}

enum err places_import(struct store_conn *c, char **errmsg)
{
    const struct embedded_file *f = embed_find(GAZETTEER_FILE);
    *errmsg = NULL;
    if (f == NULL) {
        *errmsg = xstrdup(GAZETTEER_FILE " is not built in");
        return ERR_INTERNAL;
    }
    return places_import_csv(c, (const char *)f->data, f->len, errmsg);
}

/* ---- the index ---- */

static int place_cmp(const void *a, const void *b)
{
    return strcmp(((const struct place *)a)->code, ((const struct place *)b)->code);
}

static size_t place_index(const struct places *p, const char *code)
{
    struct place key = {0};
    size_t n = strlen(code);
    if (n >= CODE_SIZE)
        return SIZE_MAX;
    memcpy(key.code, code, n + 1);
    const struct place *hit = bsearch(&key, p->items, p->n, sizeof key, place_cmp);
    return hit ? (size_t)(hit - p->items) : SIZE_MAX;
}

static uint32_t keytext_add(struct buf *b, const char *s, size_t n)
{
    uint32_t off = (uint32_t)b->len;
    buf_put(b, s, n);
    buf_putc(b, '\0');
    return off;
}

/* The set of symbols in a skeleton, as bits: a cheap bound on the edit
 * distance, since one edit adds at most one symbol missing from the other. */
static uint64_t symbol_set(const char *s, size_t n)
{
    uint64_t set = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c >= 'a' && c <= 'z')
            set |= 1ull << (c - 'a');
        else if (c >= 'A' && c <= 'Z')
            set |= 1ull << (26 + c - 'A');
        else if (c >= '0' && c <= '9')
            set |= 1ull << (52 + c - '0');
    }
    return set;
}

static void keys_make(const struct place *pl, struct place_keys *k, struct buf *text)
{
    struct romanize_key rk;
    char km[ROMANIZE_KEY_MAX * 4];
    romanize_key(pl->name_latn, strlen(pl->name_latn), &rk);
    size_t kml = romanize_khmer_key(pl->name_km, strlen(pl->name_km), km, sizeof km);
    if (kml == (size_t)-1)
        kml = 0;
    k->fold = keytext_add(text, rk.fold, rk.fold_len);
    k->skel = keytext_add(text, rk.skel, rk.skel_len);
    k->km = keytext_add(text, km, kml);
    k->fold_len = (uint8_t)rk.fold_len;
    k->skel_len = (uint8_t)rk.skel_len;
    k->km_len = (uint16_t)kml;
    k->nwords = (uint8_t)rk.nwords;
    k->skel_set = symbol_set(rk.skel, rk.skel_len);
    memcpy(k->fold_word, rk.fold_word, sizeof k->fold_word);
    memcpy(k->skel_word, rk.skel_word, sizeof k->skel_word);
}

struct sortent {
    char *key; /* collation sort key */
    uint32_t idx;
};

static int sortent_cmp(const void *a, const void *b)
{
    const struct sortent *x = a, *y = b;
    int c = strcmp(x->key, y->key);
    if (c)
        return c;
    return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* Sorts every children range of order[lang] by name in lang. */
static enum err children_sort(struct places *p, enum lang lang)
{
    struct collator *coll = collate_open(lang);
    if (coll == NULL)
        return ERR_INTERNAL;
    struct sortent *ents = xmalloc((p->n + 1) * sizeof ents[0]);
    for (size_t i = 0; i < p->n; i++) {
        const struct place *pl = &p->items[i];
        ents[i].key = collate_key(coll, lang == LANG_KM ? pl->name_km : pl->name_latn);
        ents[i].idx = (uint32_t)i;
    }
    collate_close(coll);

    struct sortent *tmp = xmalloc((p->n + 1) * sizeof tmp[0]);
    uint32_t *order = p->order[lang];
    for (size_t r = 0; r <= p->n; r++) {
        struct range k = p->kids[r];
        for (uint32_t j = 0; j < k.n; j++)
            tmp[j] = ents[order[k.off + j]];
        qsort(tmp, k.n, sizeof tmp[0], sortent_cmp);
        for (uint32_t j = 0; j < k.n; j++)
            order[k.off + j] = tmp[j].idx;
    }
    free(tmp);
    for (size_t i = 0; i < p->n; i++)
        free(ents[i].key);
    free(ents);
    return ERR_OK;
}

enum err places_build(const struct location_rec *rows, size_t n, struct places **out)
{
    struct places *p = xcalloc(1, sizeof *p);
    struct buf text = {0};
    uint32_t *parent = NULL, *fill = NULL;
    enum err e = ERR_INTERNAL;

    *out = NULL;
    if (n >= UINT32_MAX / 2)
        goto out;
    p->items = xcalloc(n + 1, sizeof p->items[0]);
    p->keys = xcalloc(n + 1, sizeof p->keys[0]);
    p->names = xcalloc(2 * n + 1, sizeof p->names[0]);
    for (size_t i = 0; i < n; i++) {
        struct place *pl = &p->items[i];
        const struct location_rec *r = &rows[i];
        int l = level_parse(r->level);
        if (l < 0 || strlen(r->code) >= CODE_SIZE || strlen(r->parent) >= CODE_SIZE ||
            r->name_km == NULL || r->name_latn == NULL) {
            log_error("places: bad location row %zu", i);
            goto out;
        }
        memcpy(pl->code, r->code, sizeof pl->code);
        memcpy(pl->parent, r->parent, sizeof pl->parent);
        pl->level = (enum place_level)l;
        p->names[2 * i] = name_normalize(r->name_km, strlen(r->name_km));
        p->names[2 * i + 1] = name_normalize(r->name_latn, strlen(r->name_latn));
        pl->name_km = p->names[2 * i];
        pl->name_latn = p->names[2 * i + 1];
        p->n++;
    }
    qsort(p->items, p->n, sizeof p->items[0], place_cmp);

    /* children: each place lies in exactly one range (its parent's, or the
     * provinces' range at index n), so the order arrays hold n entries */
    p->kids = xcalloc(n + 1, sizeof p->kids[0]);
    parent = xmalloc((n + 1) * sizeof parent[0]);
    for (size_t i = 0; i < n; i++) {
        const struct place *pl = &p->items[i];
        if (i > 0 && strcmp(p->items[i - 1].code, pl->code) == 0) {
            log_error("places: duplicate code %s", pl->code);
            goto out;
        }
        size_t pi = n;
        if (pl->level != PLACE_PROVINCE) {
            pi = place_index(p, pl->parent);
            if (pi == SIZE_MAX || p->items[pi].level + 1 != pl->level) {
                log_error("places: %s has no parent %s", pl->code, pl->parent);
                goto out;
            }
        } else if (pl->parent[0] != '\0') {
            log_error("places: province %s has a parent", pl->code);
            goto out;
        }
        parent[i] = (uint32_t)pi;
        p->kids[pi].n++;
    }
    uint32_t off = 0;
    for (size_t r = 0; r <= n; r++) {
        p->kids[r].off = off;
        off += p->kids[r].n;
    }
    fill = xcalloc(n + 1, sizeof fill[0]);
    for (int lang = 0; lang < LANG__MAX; lang++)
        p->order[lang] = xmalloc((n + 1) * sizeof p->order[lang][0]);
    for (size_t i = 0; i < n; i++) {
        uint32_t at = p->kids[parent[i]].off + fill[parent[i]]++;
        for (int lang = 0; lang < LANG__MAX; lang++)
            p->order[lang][at] = (uint32_t)i;
    }
    for (int lang = 0; lang < LANG__MAX; lang++)
        if ((e = children_sort(p, (enum lang)lang)) != ERR_OK)
            goto out;

    for (size_t i = 0; i < n; i++)
        keys_make(&p->items[i], &p->keys[i], &text);
    p->keytext = buf_steal(&text);
    e = ERR_OK;
    *out = p;
    p = NULL;
out:
    free(parent);
    free(fill);
    buf_free(&text);
    places_free(p);
    return e;
}

enum err places_load(struct store_conn *c, struct places **out)
{
    struct location_rec *rows = NULL;
    size_t n = 0;
    *out = NULL;
    enum err e = store_location_all(c, &rows, &n);
    if (e != ERR_OK)
        return e;
    e = places_build(rows, n, out);
    location_list_free(rows, n);
    return e;
}

void places_free(struct places *p)
{
    if (p == NULL)
        return;
    for (size_t i = 0; i < 2 * p->n; i++)
        free(p->names[i]);
    free(p->names);
    free(p->items);
    free(p->keys);
    free(p->keytext);
    free(p->kids);
    for (int lang = 0; lang < LANG__MAX; lang++)
        free(p->order[lang]);
    free(p);
}

size_t places_count(const struct places *p)
{
    return p ? p->n : 0;
}

const struct place *places_get(const struct places *p, const char *code)
{
    if (p == NULL || code == NULL)
        return NULL;
    size_t i = place_index(p, code);
    return i == SIZE_MAX ? NULL : &p->items[i];
}

const struct place *places_district_of(const struct places *p, const char *code)
{
    char d[5];
    const struct place *pl = places_get(p, code);
    if (pl == NULL || pl->level == PLACE_PROVINCE)
        return NULL;
    memcpy(d, pl->code, 4);
    d[4] = '\0';
    return places_get(p, d);
}

size_t places_children(const struct places *p, const char *parent, enum lang lang,
                       const struct place ***items)
{
    *items = NULL;
    if (p == NULL || (unsigned)lang >= LANG__MAX)
        return 0;
    size_t r = p->n;
    if (parent != NULL && parent[0] != '\0' && (r = place_index(p, parent)) == SIZE_MAX)
        return 0;
    struct range k = p->kids[r];
    if (k.n == 0)
        return 0;
    const struct place **v = xmalloc(k.n * sizeof v[0]);
    for (uint32_t j = 0; j < k.n; j++)
        v[j] = &p->items[p->order[lang][k.off + j]];
    *items = v;
    return k.n;
}

/* ---- search ---- */

/* Match classes, best first. */
enum match {
    MATCH_EXACT,       /* the name, ignoring case, spaces, hyphens, apostrophes, accents */
    MATCH_PREFIX,      /* the start of the name */
    MATCH_SKEL,        /* the name, ignoring romanisation variants */
    MATCH_SKEL_PREFIX, /* the start of the name, ignoring variants */
    MATCH_FUZZY1,      /* one edit away, ignoring variants */
    MATCH_LOOSE,       /* a later word starts with the query (Latin), the query runs
                        * across a space the query lacks ("Pouk": "Pou Kandal"), or a
                        * part of the name (Khmer) */
    MATCH_FUZZY2,      /* two edits away (long queries) */
    MATCH_NONE
};

/* Results so far: a max-heap of rank keys, so the worst is dropped first. */
struct topk {
    uint64_t *v;
    size_t n, cap;
};

static void topk_sift_down(uint64_t *v, size_t n, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < n && v[l] > v[m])
            m = l;
        if (r < n && v[r] > v[m])
            m = r;
        if (m == i)
            return;
        uint64_t t = v[i];
        v[i] = v[m];
        v[m] = t;
        i = m;
    }
}

static void topk_add(struct topk *t, uint64_t key)
{
    if (t->n < t->cap) {
        size_t i = t->n++;
        t->v[i] = key;
        while (i > 0 && t->v[(i - 1) / 2] < t->v[i]) {
            uint64_t x = t->v[i];
            t->v[i] = t->v[(i - 1) / 2];
            t->v[(i - 1) / 2] = x;
            i = (i - 1) / 2;
        }
    } else if (key < t->v[0]) {
        t->v[0] = key;
        topk_sift_down(t->v, t->n, 0);
    }
}

/* Sorts the heap ascending, in place. */
static void topk_sort(struct topk *t)
{
    for (size_t n = t->n; n > 1; n--) {
        uint64_t x = t->v[0];
        t->v[0] = t->v[n - 1];
        t->v[n - 1] = x;
        topk_sift_down(t->v, n - 1, 0);
    }
}

static bool starts(const char *s, size_t n, const char *q, size_t qn)
{
    return n >= qn && (qn == 0 || s[0] == q[0]) && memcmp(s, q, qn) == 0;
}

/* True when q[0..qn) (qn > 0) occurs in s[0..n). Names are short: a plain
 * scan on the last byte beats memmem's set-up. */
static bool contains(const char *s, size_t n, const char *q, size_t qn)
{
    char last = q[qn - 1];
    for (size_t i = qn - 1; i < n; i++)
        if (s[i] == last && memcmp(s + i + 1 - qn, q, qn) == 0)
            return true;
    return false;
}

/* Words of k that a prefix of len bytes of its fold (or skeleton) touches. */
static size_t words_touched(const struct place_keys *k, const uint8_t *word, size_t len)
{
    size_t n = 0;
    while (n < k->nwords && word[n] < len)
        n++;
    return n;
}

static enum match match_latin(const struct places *p, const struct place_keys *k,
                              const struct romanize_key *q, uint64_t qset)
{
    const char *fold = p->keytext + k->fold, *skel = p->keytext + k->skel;
    enum match loose = MATCH_NONE;
    if (k->fold_len == q->fold_len && fold[0] == q->fold[0] &&
        memcmp(fold, q->fold, q->fold_len) == 0)
        return MATCH_EXACT;
    if (starts(fold, k->fold_len, q->fold, q->fold_len)) {
        if (words_touched(k, k->fold_word, q->fold_len) <= q->nwords)
            return MATCH_PREFIX;
        loose = MATCH_LOOSE;
    }
    if (q->fold_len < 2 || q->skel_len == 0)
        return loose; /* one letter: only names that start with it */
    if (k->skel_len == q->skel_len && skel[0] == q->skel[0] &&
        memcmp(skel, q->skel, q->skel_len) == 0)
        return MATCH_SKEL;
    if (q->skel_len >= 3 && starts(skel, k->skel_len, q->skel, q->skel_len)) {
        if (words_touched(k, k->skel_word, q->skel_len) <= q->nwords)
            return MATCH_SKEL_PREFIX;
        loose = MATCH_LOOSE;
    }
    int max = q->skel_len >= 8 ? 2 : 1;
    int d = max + 1;
    if (q->skel_len >= 4 && __builtin_popcountll(qset & ~k->skel_set) <= max &&
        __builtin_popcountll(k->skel_set & ~qset) <= max)
        d = romanize_distance(q->skel, q->skel_len, skel, k->skel_len, max);
    if (d <= 1)
        return MATCH_FUZZY1;
    if (loose != MATCH_NONE)
        return loose;
    for (size_t w = 1; w < k->nwords; w++) {
        size_t fo = k->fold_word[w], so = k->skel_word[w];
        if (starts(fold + fo, k->fold_len - fo, q->fold, q->fold_len) ||
            (q->skel_len >= 3 && starts(skel + so, k->skel_len - so, q->skel, q->skel_len)))
            return MATCH_LOOSE;
    }
    return d <= max ? MATCH_FUZZY2 : MATCH_NONE;
}

static enum match match_khmer(const struct places *p, const struct place_keys *k, const char *q,
                              size_t qn, bool substring)
{
    const char *km = p->keytext + k->km;
    if (k->km_len == qn && km[0] == q[0] && memcmp(km, q, qn) == 0)
        return MATCH_EXACT;
    if (starts(km, k->km_len, q, qn))
        return MATCH_PREFIX;
    if (substring && contains(km, k->km_len, q, qn))
        return MATCH_LOOSE;
    return MATCH_NONE;
}

size_t places_search(const struct places *p, const char *q, size_t limit,
                     const struct place ***items)
{
    uint64_t heap[PLACES_SEARCH_MAX];
    struct topk top = {heap, 0, limit < PLACES_SEARCH_MAX ? limit : PLACES_SEARCH_MAX};
    *items = NULL;
    if (p == NULL || q == NULL || top.cap == 0)
        return 0;
    size_t qlen = strlen(q);
    if (qlen == 0 || qlen > NAME_MAX_BYTES)
        return 0;

    if (romanize_has_khmer(q, qlen)) {
        char km[NAME_MAX_BYTES * 2];
        size_t kn = romanize_khmer_key(q, qlen, km, sizeof km);
        if (kn == (size_t)-1 || kn == 0)
            return 0;
        bool substring = utf8_length(km, kn) >= 2;
        for (size_t i = 0; i < p->n; i++) {
            enum match m = match_khmer(p, &p->keys[i], km, kn, substring);
            if (m != MATCH_NONE)
                topk_add(&top, (uint64_t)m << 40 | (uint64_t)p->items[i].level << 32 | i);
        }
    } else {
        struct romanize_key rk;
        romanize_key(q, qlen, &rk);
        uint64_t qset = symbol_set(rk.skel, rk.skel_len);
        if (rk.fold_len == 0)
            return 0;
        for (size_t i = 0; i < p->n; i++) {
            enum match m = match_latin(p, &p->keys[i], &rk, qset);
            if (m != MATCH_NONE)
                topk_add(&top, (uint64_t)m << 40 | (uint64_t)p->items[i].level << 32 | i);
        }
    }
    if (top.n == 0)
        return 0;
    topk_sort(&top);
    const struct place **v = xmalloc(top.n * sizeof v[0]);
    for (size_t i = 0; i < top.n; i++)
        v[i] = &p->items[top.v[i] & 0xffffffffu];
    *items = v;
    return top.n;
}

#define PLACE_SEARCH_DEFAULT  20
#define PLACE_QUERY_MAX_CHARS 100

enum err place_list(const struct ctx *cx, const char *parent, const char *q, int limit,
                    enum lang lang, const struct place ***items, size_t *n, struct fielderrs *fe)
{
    *items = NULL;
    *n = 0;
    if (!may(cx, ACT_LOCATION_READ))
        return ERR_FORBIDDEN;
    if (q != NULL &&
        (q[0] == '\0' || strlen(q) > PLACE_QUERY_MAX_CHARS * 4 || !utf8_valid_text(q, strlen(q)) ||
         utf8_length(q, strlen(q)) > PLACE_QUERY_MAX_CHARS))
        return fielderr(fe, "q", "1 to 100 characters");
    if (q != NULL) {
        *n = places_search(cx->places, q, limit > 0 ? (size_t)limit : PLACE_SEARCH_DEFAULT, items);
        return ERR_OK;
    }
    if (parent != NULL && parent[0] != '\0' &&
        (strlen(parent) >= CODE_SIZE || places_get(cx->places, parent) == NULL))
        return ERR_NOT_FOUND;
    *n = places_children(cx->places, parent, lang, items);
    if (limit > 0 && *n > (size_t)limit)
        *n = (size_t)limit;
    return ERR_OK;
}
