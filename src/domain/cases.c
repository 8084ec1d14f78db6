/* Cases: reporting a concern, and the views of cases each caller may see.
 *
 * Sealing: the survivor's identity (names, phone, birth date, address text)
 * is one JSON object sealed with the case id as associated data; the summary
 * is sealed with "<case id>/summary", so neither blob can stand in for the
 * other or for another case's. */
#include "domain/cases.h"
#include "domain/cases_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "audit/audit.h"
#include "domain/agencies.h"
#include "domain/check.h"
#include "domain/namekeys.h"
#include "domain/place.h"
#include "domain/romanize.h"
#include "domain/sealed.h"
#include "util/alloc.h"
#include "util/codes.h"
#include "util/log.h"

#define ADDRESS_MAX_CHARS    500
#define OCCUPATION_MAX_CHARS 120
#define DEPENDANTS_MAX       30
#define YEARS_ABROAD_MAX     60
#define AGE_MAX              120
#define LIST_DEFAULT         50
#define LIST_MAX             500
#define PREFIX_LEN           3

/* ---- views ---- */

void survivor_view_free(struct survivor_view *s)
{
    crypto_free_text(s->name_km);
    crypto_free_text(s->name_latn);
    crypto_free_text(s->phone);
    crypto_free_text(s->birth_date);
    crypto_free_text(s->address_text);
    crypto_free_text(s->occupation);
    free(s->demographics);
}

void case_view_free(struct case_view *v)
{
    if (v == NULL)
        return;
    case_rec_free(&v->rec);
    crypto_free_text(v->summary);
    crypto_free_text(v->employer);
    survivor_view_free(&v->survivor);
    memset(v, 0, sizeof *v);
}

void case_views_free(struct case_view *v, size_t n)
{
    if (v == NULL)
        return;
    for (size_t i = 0; i < n; i++)
        case_view_free(&v[i]);
    free(v);
}

char *summary_ad(const char *id)
{
    return sealed_ad(SEALED_CASE_SUMMARY, id);
}

static char *json_str_dup(json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s != NULL ? xstrdup(s) : NULL;
}

/* Opens the sealed identity of rec into s. */
enum err survivor_open(const struct ctx *cx, const struct case_rec *rec, struct survivor_view *s)
{
    const struct survivor_rec *sr = &rec->survivor;
    snprintf(s->sex, sizeof s->sex, "%s", sr->sex);
    s->age = sr->age;
    s->age_estimated = sr->age_estimated;
    if (sr->demographics != NULL) {
        json_t *d = json_loads(sr->demographics, 0, NULL);
        const char *code = json_string_value(json_object_get(d, "address_code"));
        if (code != NULL)
            snprintf(s->address_code, sizeof s->address_code, "%s", code);
        json_object_del(d, "address_code");
        json_object_del(d, "age_on");
        if (json_object_size(d) > 0)
            s->demographics = json_dumps(d, JSON_COMPACT | JSON_SORT_KEYS);
        json_decref(d);
    }
    if (sr->identity.len == 0)
        return ERR_OK;
    char *pt = NULL;
    if (!sealed_open_case(cx, rec->id, SEALED_SURVIVOR_IDENTITY, rec->id, &sr->identity, &pt)) {
        log_error("case %s: sealed identity does not open", rec->id);
        return ERR_INTERNAL;
    }
    if (pt == NULL)
        return ERR_OK; /* erased */
    size_t n = strlen(pt);
    json_t *o = json_loadb(pt, n, 0, NULL);
    sodium_memzero(pt, n);
    free(pt);
    if (!json_is_object(o)) {
        json_decref(o);
        log_error("case %s: sealed identity is not an object", rec->id);
        return ERR_INTERNAL;
    }
    s->name_km = json_str_dup(o, "name_km");
    s->name_latn = json_str_dup(o, "name_latn");
    s->phone = json_str_dup(o, "phone");
    s->birth_date = json_str_dup(o, "birth_date");
    s->address_text = json_str_dup(o, "address_text");
    s->occupation = json_str_dup(o, "occupation");
    json_decref(o);
    return ERR_OK;
}

/* Moves rec into v: the limited view (id, code, status, concerns, dates,
 * and reported_by when the caller reported it herself), or with detail
 * everything, the sealed parts opened when open_sealed. */
enum err view_make(const struct ctx *cx, struct case_rec *rec, bool detail, bool open_sealed,
                   struct case_view *v)
{
    enum err e = ERR_OK;
    memset(v, 0, sizeof *v);
    if (!detail) {
        struct case_rec *o = &v->rec;
        memcpy(o->id, rec->id, ID_SIZE);
        memcpy(o->code, rec->code, CODE_SIZE);
        memcpy(o->status, rec->status, sizeof o->status);
        memcpy(o->concerns, rec->concerns, sizeof o->concerns);
        o->nconcerns = rec->nconcerns;
        memcpy(o->created_at, rec->created_at, TS_SIZE);
        memcpy(o->updated_at, rec->updated_at, TS_SIZE);
        memcpy(o->erased_at, rec->erased_at, TS_SIZE);
        memcpy(o->erased_reason, rec->erased_reason, sizeof o->erased_reason);
        if (cx->actor != NULL && strcmp(rec->reported_by, cx->actor->user.id) == 0)
            memcpy(o->reported_by, rec->reported_by, ID_SIZE);
        case_rec_free(rec);
        memset(rec, 0, sizeof *rec);
        return ERR_OK;
    }
    v->detail = true;
    if (open_sealed &&
        !sealed_open_case(cx, rec->id, SEALED_CASE_SUMMARY, rec->id, &rec->summary, &v->summary)) {
        log_error("case %s: sealed summary does not open", rec->id);
        e = ERR_INTERNAL;
    }
    if (e == ERR_OK && open_sealed &&
        !sealed_open_case(cx, rec->id, SEALED_CASE_EMPLOYER, rec->id, &rec->employer, &v->employer))
        e = ERR_INTERNAL;
    if (e == ERR_OK && open_sealed && rec->has_survivor) {
        v->has_survivor = true;
        e = survivor_open(cx, rec, &v->survivor);
    }
    v->rec = *rec;
    memset(rec, 0, sizeof *rec);
    /* The view carries no sealed blob and no raw survivor record. */
    free(v->rec.summary.p);
    v->rec.summary.p = NULL;
    v->rec.summary.len = 0;
    free(v->rec.employer.p);
    v->rec.employer.p = NULL;
    v->rec.employer.len = 0;
    free(v->rec.survivor.identity.p);
    free(v->rec.survivor.demographics);
    memset(&v->rec.survivor, 0, sizeof v->rec.survivor);
    v->rec.has_survivor = false;
    if (e != ERR_OK)
        case_view_free(v);
    return e;
}

/* Whether the caller reaches case r under action a (domain/scope.h). */
bool case_reached(const struct ctx *cx, enum action a, const struct case_rec *r)
{
    struct reach re = {.organization_id = r->organization_id,
                       .group_id = r->group_id,
                       .owner_id = r->reported_by,
                       .assigned_to = r->assigned_to};
    return scope_reaches(cx, a, &re);
}

/* The caller's reach under a as a case filter's bounds; false when she
 * reaches no case at all. */
bool case_bounds(const struct ctx *cx, enum action a, struct case_filter *f)
{
    struct bounds b;
    /* A case is addressed to no organization: a receiving scope reaches none. */
    if (!scope_bounds(cx, a, &b) || b.receiving_organization_id != NULL)
        return false;
    f->organization_id = b.organization_id;
    f->group_id = b.group_id;
    f->reported_by = b.owner_id;
    f->assigned_to = b.assigned_to;
    f->assigned_or_open_for = b.assigned_or_open_for;
    return true;
}

/* ---- the survivor's blind index ----
 *
 * Names and phones are matched through keyed hashes of their normalised
 * forms (survivor_key): a Latin word by its romanisation skeleton ("Chanthy"
 * = "Chanthi"), a Khmer word by its NFC form without zero-width characters,
 * the whole name with its spaces removed ("Sreypov" = "Srey Pov"), a phone
 * by its digits with +855 written as 0. Without the data key the index
 * reveals nothing but which cases share a key. */

_Static_assert(SURVIVOR_KEY_SIZE == KEYED_HASH_SIZE, "a survivor key is a keyed hash");

#define DUP_CANDIDATES 50   /* cases each match may return */
#define DUP_PHONE      0.6  /* score of a phone match */
#define DUP_NAME       0.4  /* score of a whole name match, shared by its words */
#define DUP_MIN        0.4  /* lowest score shown */
#define DUP_EPSILON    1e-9 /* for the comparisons of sums of fractions */

/* The key of a phone number, false when it has no digits. */
static bool phone_key_make(const struct ctx *cx, const char *phone, char key[SURVIVOR_KEY_SIZE])
{
    char digits[PHONE_MAX_CHARS + 2];
    size_t n = 0;
    if (check_absent(phone))
        return false;
    for (const char *p = phone; *p != '\0' && n + 1 < sizeof digits; p++)
        if (*p >= '0' && *p <= '9')
            digits[n++] = *p;
    digits[n] = '\0';
    const char *national = digits;
    if (strncmp(digits, "00855", 5) == 0)
        national = digits + 4; /* the leading 5 becomes the 0 below */
    else if (strncmp(digits, "855", 3) == 0)
        national = digits + 2;
    if (national != digits)
        digits[national - digits] = '0';
    bool any = *national != '\0';
    if (any)
        crypto_keyed_hash(cx->key, "survivor_phone", national, key);
    sodium_memzero(digits, sizeof digits);
    return any;
}

/* Every key of a survivor: her names (Khmer, Latin) and her phone. */
struct survivor_keys {
    struct name_keys name[2];
    bool has_phone;
    char phone[SURVIVOR_KEY_SIZE];
};

static void survivor_keys_make(const struct ctx *cx, const struct survivor_in *s,
                               struct survivor_keys *k)
{
    memset(k, 0, sizeof *k);
    name_keys_make(cx, "survivor_name", s->name_km, &k->name[0]);
    name_keys_make(cx, "survivor_name", s->name_latn, &k->name[1]);
    k->has_phone = phone_key_make(cx, s->phone, k->phone);
}

static void key_row(struct survivor_key *row, const char *kind, const char *key)
{
    snprintf(row->kind, sizeof row->kind, "%s", kind);
    memcpy(row->key, key, SURVIVOR_KEY_SIZE);
}

/* The rows of k for the store. */
static size_t key_rows(const struct survivor_keys *k, struct survivor_key *rows)
{
    size_t n = 0;
    for (size_t i = 0; i < 2; i++) {
        const struct name_keys *nk = &k->name[i];
        for (size_t w = 0; w < nk->nword; w++)
            key_row(&rows[n++], "name", nk->word[w]);
        if (nk->has_whole)
            key_row(&rows[n++], "name", nk->whole);
    }
    if (k->has_phone)
        key_row(&rows[n++], "phone", k->phone);
    return n;
}

#define KEY_ROWS_MAX (2 * (NAME_WORDS_MAX + 1) + 1)

enum err survivor_keys_write(const struct ctx *cx, const char *case_id, const struct survivor_in *s,
                             bool replace)
{
    struct survivor_keys k;
    struct survivor_key rows[KEY_ROWS_MAX];
    survivor_keys_make(cx, s, &k);
    size_t n = key_rows(&k, rows);
    enum err e = ERR_OK;
    if (replace)
        e = store_survivor_keys_replace(cx->db, case_id, rows, n);
    else if (n > 0)
        e = store_survivor_keys_insert(cx->db, case_id, rows, n);
    sodium_memzero(&k, sizeof k);
    sodium_memzero(rows, sizeof rows);
    return e;
}

/* Records k for case_id (inside the report's transaction). */
static enum err survivor_keys_store(const struct ctx *cx, const char *case_id,
                                    const struct survivor_keys *k)
{
    struct survivor_key rows[KEY_ROWS_MAX];
    size_t n = key_rows(k, rows);
    enum err e = n > 0 ? store_survivor_keys_insert(cx->db, case_id, rows, n) : ERR_OK;
    sodium_memzero(rows, sizeof rows);
    return e;
}

/* A case that shares keys with the new survivor, and which. */
struct dup_candidate {
    struct survivor_match m;
    bool phone;
    bool whole;
    int words[2]; /* words of name[i] it has */
    double score;
};

/* Adds the matches of keys[0..n) of kind to the candidates; what says which
 * kind of match they are (0, 1: words of name[i]; 2: whole names; 3: phone). */
static enum err dup_gather(const struct ctx *cx, const struct case_filter *scope, const char *kind,
                           const char *const *keys, size_t n, int what,
                           struct dup_candidate **cands, size_t *ncands, size_t *cap)
{
    struct survivor_match *m = NULL;
    size_t nm = 0;
    if (n == 0)
        return ERR_OK;
    enum err e = store_survivor_match(cx->db, scope, kind, keys, n, &m, &nm);
    for (size_t i = 0; e == ERR_OK && i < nm; i++) {
        struct dup_candidate *c = NULL;
        for (size_t j = 0; j < *ncands && c == NULL; j++)
            if (strcmp((*cands)[j].m.id, m[i].id) == 0)
                c = &(*cands)[j];
        if (c == NULL) {
            if (*ncands == *cap) {
                *cap = *cap > 0 ? *cap * 2 : 16;
                *cands = xrealloc(*cands, *cap * sizeof **cands);
            }
            c = &(*cands)[(*ncands)++];
            memset(c, 0, sizeof *c);
            c->m = m[i];
        }
        if (what < 2)
            c->words[what] = m[i].nkeys;
        else if (what == 2)
            c->whole = true;
        else
            c->phone = true;
    }
    free(m);
    return e;
}

static int dup_cmp(const void *a, const void *b)
{
    const struct dup_candidate *x = a, *y = b;
    if (x->score > y->score + DUP_EPSILON)
        return -1;
    if (y->score > x->score + DUP_EPSILON)
        return 1;
    return strcmp(y->m.id, x->m.id); /* any fixed order */
}

static bool sex_known(const char *sex)
{
    return sex[0] != '\0' && strcmp(sex, "unknown") != 0;
}

/* The cases (other than new_id) within scope whose survivor may be the one
 * with keys k and sex: best first, at most CASE_DUPLICATES_MAX, into
 * dups[0..*ndups). */
static enum err duplicates_find(const struct ctx *cx, const struct case_filter *scope,
                                const char *new_id, const char *sex, const struct survivor_keys *k,
                                struct case_duplicate dups[CASE_DUPLICATES_MAX], size_t *ndups)
{
    struct dup_candidate *cands = NULL;
    size_t ncands = 0, cap = 0, nkeep = 0;
    const char *keys[SURVIVOR_MATCH_MAX];
    size_t nwhole = 0;
    enum err e = ERR_OK;

    if (k->has_phone) {
        keys[0] = k->phone;
        e = dup_gather(cx, scope, "phone", keys, 1, 3, &cands, &ncands, &cap);
    }
    for (int i = 0; i < 2 && e == ERR_OK; i++) {
        for (size_t w = 0; w < k->name[i].nword; w++)
            keys[w] = k->name[i].word[w];
        e = dup_gather(cx, scope, "name", keys, k->name[i].nword, i, &cands, &ncands, &cap);
    }
    for (int i = 0; i < 2; i++)
        if (k->name[i].has_whole)
            keys[nwhole++] = k->name[i].whole;
    if (e == ERR_OK)
        e = dup_gather(cx, scope, "name", keys, nwhole, 2, &cands, &ncands, &cap);
    if (e != ERR_OK)
        goto out;

    for (size_t i = 0; i < ncands; i++) {
        struct dup_candidate *c = &cands[i];
        double name = c->whole ? 1.0 : 0.0;
        for (int j = 0; j < 2; j++)
            if (k->name[j].nword > 0 && (double)c->words[j] / (double)k->name[j].nword > name)
                name = (double)c->words[j] / (double)k->name[j].nword;
        c->score = (c->phone ? DUP_PHONE : 0.0) + DUP_NAME * name;
        if (c->score > 1.0)
            c->score = 1.0;
        bool other_sex = sex_known(sex) && sex_known(c->m.sex) && strcmp(sex, c->m.sex) != 0;
        if (strcmp(c->m.id, new_id) != 0 && !other_sex && c->score >= DUP_MIN - DUP_EPSILON)
            cands[nkeep++] = *c;
    }
    if (nkeep > 0)
        qsort(cands, nkeep, sizeof *cands, dup_cmp);
    *ndups = 0;
    for (size_t i = 0; i < nkeep && *ndups < CASE_DUPLICATES_MAX; i++) {
        struct case_duplicate *d = &dups[(*ndups)++];
        memcpy(d->id, cands[i].m.id, ID_SIZE);
        memcpy(d->code, cands[i].m.code, CODE_SIZE);
        d->score = cands[i].score;
    }
out:
    free(cands);
    return e;
}

/* ---- reporting ---- */

static bool is_vowel(char c)
{
    return c == 'A' || c == 'E' || c == 'I' || c == 'O' || c == 'U';
}

/* The 3-letter prefix of a district's Latin name: its first letter and the
 * consonants after it, filled with the next letters in order when fewer
 * than 3 (Kralanh -> KRL, Puok -> PUK); padded with X. */
void case_code_prefix(const char *latn, char out[PREFIX_LEN + 1])
{
    char letters[64];
    bool take[64] = {false};
    size_t n = 0, k = 0;
    for (const char *p = latn != NULL ? latn : ""; *p != '\0' && n < sizeof letters; p++) {
        char c = *p;
        if (c >= 'a' && c <= 'z')
            c = (char)(c - 'a' + 'A');
        if (c >= 'A' && c <= 'Z')
            letters[n++] = c;
    }
    for (size_t i = 0; i < n && k < PREFIX_LEN; i++)
        if (i == 0 || !is_vowel(letters[i]))
            take[i] = true, k++;
    for (size_t i = 0; i < n && k < PREFIX_LEN; i++)
        if (!take[i])
            take[i] = true, k++;
    k = 0;
    for (size_t i = 0; i < n; i++)
        if (take[i])
            out[k++] = letters[i];
    while (k < PREFIX_LEN)
        out[k++] = 'X';
    out[PREFIX_LEN] = '\0';
}

/* Age in whole years on today's date of a person born on date. */
static int age_from(int y, int m, int d)
{
    char today[DATE_SIZE];
    int ty, tm, td;
    clock_today(today);
    if (!clock_parse_date(today, &ty, &tm, &td))
        return -1;
    int age = ty - y;
    if (tm < m || (tm == m && td < d))
        age--;
    return age;
}

/* ---- the inputs' field tables ---- */

#define MIG "survivor.migration."
#define SUR "survivor."

static const struct field migration_field_rows[] = {
    F_ISO2S(struct migration_in, countries, MIG, 1, MIGRATION_COUNTRIES_MAX,
            "1 to 16 ISO 3166 alpha-2 country codes, each once"),
    F_INT(struct migration_in, years, MIG, false, 0, YEARS_ABROAD_MAX, -1, "0 to 60"),
    F_CODE(struct migration_in, channel, MIG, false, LIST_CHANNEL, "not a channel code"),
    F_CODE(struct migration_in, sector, MIG, false, LIST_SECTOR, "not a sector code"),
};
static const struct fieldset migration_fields = FIELDSET(migration_field_rows);

static const struct field survivor_field_rows[SURVIVOR_F__MAX] = {
    [SURVIVOR_F_NAME_KM] =
        F_TEXT(struct survivor_in, name_km, SUR, false, 1, NAME_MAX_CHARS, "1 to 120 characters"),
    [SURVIVOR_F_NAME_LATN] =
        F_TEXT(struct survivor_in, name_latn, SUR, false, 1, NAME_MAX_CHARS, "1 to 120 characters"),
    [SURVIVOR_F_PHONE] = F_OF(struct survivor_in, phone, SUR, FT_PHONE, false,
                              "digits, an optional leading +, spaces or dashes"),
    [SURVIVOR_F_SEX] = F_CODE(struct survivor_in, sex, SUR, true, LIST_SEX,
                              "required: female, male, other or unknown"),
    [SURVIVOR_F_BIRTH_DATE] =
        F_OF(struct survivor_in, birth_date, SUR, FT_DATE, false, "a date YYYY-MM-DD"),
    [SURVIVOR_F_AGE] = F_INT(struct survivor_in, age, SUR, false, 0, AGE_MAX, -1, "0 to 120"),
    [SURVIVOR_F_AGE_ESTIMATED] = F_BOOL(struct survivor_in, age_estimated, SUR, false),
    [SURVIVOR_F_MARITAL_STATUS] = F_CODE(struct survivor_in, marital_status, SUR, false,
                                         LIST_MARITAL_STATUS, "not a marital status code"),
    [SURVIVOR_F_DEPENDANTS] =
        F_INT(struct survivor_in, dependants, SUR, false, 0, DEPENDANTS_MAX, -1, "0 to 30"),
    [SURVIVOR_F_OCCUPATION] = F_TEXT(struct survivor_in, occupation, SUR, false, 1,
                                     OCCUPATION_MAX_CHARS, "1 to 120 characters"),
    [SURVIVOR_F_DISABILITY] = F_BOOL(struct survivor_in, disability, SUR, false),
    [SURVIVOR_F_NATIONALITY] = F_OF(struct survivor_in, nationality, SUR, FT_ISO2, false,
                                    "an ISO 3166 alpha-2 code, e.g. KH"),
    [SURVIVOR_F_ADDRESS_CODE] =
        F_OF(struct survivor_in, address_code, SUR, FT_PLACE, false, "not a known place"),
    [SURVIVOR_F_ADDRESS_TEXT] = F_TEXT(struct survivor_in, address_text, SUR, false, 1,
                                       ADDRESS_MAX_CHARS, "1 to 500 characters"),
    [SURVIVOR_F_MIGRATION] = F_OBJECT(struct survivor_in, migration, SUR, false, has_migration,
                                      "countries, years, channel and sector"),
};
const struct fieldset survivor_fields = {survivor_field_rows, SURVIVOR_F__MAX,
                                         offsetof(struct survivor_in, sent)};

static const struct field case_report_field_rows[] = {
    F_OF(struct case_report_in, location_code, "", FT_PLACE, true, "not a known place"),
    F_CODES(struct case_report_in, concerns, "", "concern", true, 1, CONCERNS_MAX, LIST_CONCERN,
            "1 to 9 concern codes, each once"),
    F_TEXT(struct case_report_in, summary, "", false, 1, SUMMARY_MAX_CHARS,
           "at most 4000 characters"),
    F_OBJECT(struct case_report_in, survivor, "", false, has_survivor,
             "the survivor: sex required"),
    F_BOOL(struct case_report_in, consent_to_contact, "", false),
    F_BOOL(struct case_report_in, urgent, "", false),
    F_OF(struct case_report_in, agency_id, "", FT_ID, false, "an agency of the list"),
    F_TEXT(struct case_report_in, employer, "", false, 1, EMPLOYER_MAX_CHARS,
           "1 to 200 characters"),
};
const struct fieldset case_report_fields = FIELDSET(case_report_field_rows);

void case_report_in_init(struct case_report_in *in)
{
    memset(in, 0, sizeof *in);
    fields_init(&case_report_fields, in);
}

/* The rules across fields of a survivor, after fields_check. */
enum err survivor_validate(const struct survivor_in *s, struct fielderrs *fe)
{
    enum err e = ERR_OK;
    int y, m, d;
    if (!check_absent(s->birth_date) && clock_parse_date(s->birth_date, &y, &m, &d)) {
        int age = age_from(y, m, d);
        if (age < 0 || age > AGE_MAX)
            e = fielderr(fe, "survivor.birth_date", "not in the future, at most 120 years ago");
        if (s->age >= 0)
            e = fielderr(fe, "survivor.age", "give birth_date or age, not both");
    }
    return e;
}

static enum err report_validate(const struct ctx *cx, const struct case_report_in *in,
                                struct fielderrs *fe)
{
    enum err e = fields_check(cx, &case_report_fields, in, fe);
    const struct place *p = NULL;
    if (!check_absent(in->location_code) && strlen(in->location_code) < CODE_SIZE)
        p = places_get(cx->places, in->location_code);
    if (p != NULL && p->level == PLACE_PROVINCE)
        e = fielderr(fe, "location_code", "choose a district, commune or village");
    if (in->has_survivor && survivor_validate(&in->survivor, fe) != ERR_OK)
        e = ERR_VALIDATION;
    if (e == ERR_OK && !check_absent(in->agency_id))
        e = case_agency_check(cx, in->agency_id, fe);
    return e;
}

enum err case_agency_check(const struct ctx *cx, const char *agency_id, struct fielderrs *fe)
{
    enum err e = agency_known(cx, agency_id);
    if (e == ERR_NOT_FOUND)
        return fielderr(fe, "agency_id", "no agency of the list has this id");
    return e;
}

static void put_opt(json_t *o, const char *key, const char *s)
{
    if (!check_absent(s))
        json_object_set_new(o, key, json_string(s));
}

/* The plain demographics of s as a JSON object (new reference). */
static json_t *demographics_json(const struct survivor_in *s)
{
    json_t *dem = json_object();
    put_opt(dem, "address_code", s->address_code);
    put_opt(dem, "marital_status", s->marital_status);
    if (s->dependants >= 0)
        json_object_set_new(dem, "dependants", json_integer(s->dependants));
    if (fields_was_sent(&survivor_fields, s, SURVIVOR_F_DISABILITY) || s->disability)
        json_object_set_new(dem, "disability", json_boolean(s->disability));
    put_opt(dem, "nationality", s->nationality);
    if (s->has_migration) {
        const struct migration_in *m = &s->migration;
        json_t *mo = json_object(), *c = json_array();
        for (int i = 0; i < m->ncountries && i < MIGRATION_COUNTRIES_MAX; i++)
            json_array_append_new(c, json_string(m->countries[i]));
        json_object_set_new(mo, "countries", c);
        if (m->years >= 0)
            json_object_set_new(mo, "years", json_integer(m->years));
        put_opt(mo, "channel", m->channel);
        put_opt(mo, "sector", m->sector);
        json_object_set_new(dem, "migration", mo);
    }
    /* The day an age (not a birth date) was given, to age her on another
     * date (an incident's). */
    if (s->age >= 0 && check_absent(s->birth_date)) {
        char today[DATE_SIZE];
        clock_today(today);
        json_object_set_new(dem, "age_on", json_string(today));
    }
    return dem;
}

/* Fills the survivor record: identity sealed, demographics plain. */
enum err survivor_fill(const struct ctx *cx, const char *case_id, const struct survivor_in *s,
                       struct survivor_rec *out)
{
    enum err e = ERR_OK;
    json_t *id = json_object();
    put_opt(id, "name_km", s->name_km);
    put_opt(id, "name_latn", s->name_latn);
    put_opt(id, "phone", s->phone);
    put_opt(id, "birth_date", s->birth_date);
    put_opt(id, "address_text", s->address_text);
    put_opt(id, "occupation", s->occupation);
    if (json_object_size(id) > 0) {
        char *pt = json_dumps(id, JSON_COMPACT);
        e = sealed_seal_case(cx, case_id, SEALED_SURVIVOR_IDENTITY, case_id, pt, &out->identity);
        sodium_memzero(pt, strlen(pt));
        free(pt);
    }
    json_decref(id);

    snprintf(out->sex, sizeof out->sex, "%s", s->sex);
    out->age = s->age;
    if (!check_absent(s->birth_date)) {
        int y, m, d;
        clock_parse_date(s->birth_date, &y, &m, &d);
        out->age = age_from(y, m, d);
    }
    out->age_estimated = s->age_estimated && check_absent(s->birth_date);
    json_t *dem = demographics_json(s);
    if (json_object_size(dem) > 0)
        out->demographics = json_dumps(dem, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(dem);
    return e;
}

/* The reporter's organization: her own, else her group's. */
static enum err reporter_org(const struct ctx *cx, char org[ID_SIZE])
{
    const struct user_rec *u = &cx->actor->user;
    if (u->organization_id[0] != '\0') {
        memcpy(org, u->organization_id, ID_SIZE);
        return ERR_OK;
    }
    if (u->group_id[0] == '\0')
        return ERR_FORBIDDEN;
    struct group_rec g;
    enum err e = store_group_get(cx->db, u->group_id, &g);
    if (e == ERR_NOT_FOUND)
        return ERR_FORBIDDEN;
    if (e != ERR_OK)
        return e;
    memcpy(org, g.organization_id, ID_SIZE);
    group_rec_free(&g);
    return org[0] != '\0' ? ERR_OK : ERR_FORBIDDEN;
}

/* Step 1: whether the caller may report at all. A report needs a real
 * reporter, even from the local operator, and a group scope needs a group. */
static enum err report_allowed(const struct ctx *cx)
{
    struct bounds b;
    if (cx->actor == NULL || !scope_bounds(cx, ACT_CASE_CREATE, &b))
        return ERR_FORBIDDEN;
    return ERR_OK;
}

/* Step 2: the new case record from the input: its id, the reporter and her
 * organization, the sealed summary and survivor, status "reported". */
static enum err report_record(const struct ctx *cx, const struct case_report_in *in,
                              struct case_rec *r)
{
    enum err e = reporter_org(cx, r->organization_id);
    if (e != ERR_OK)
        return e;
    crypto_random_id(r->id);
    memcpy(r->group_id, cx->actor->user.group_id, ID_SIZE);
    memcpy(r->reported_by, cx->actor->user.id, ID_SIZE);
    snprintf(r->location_code, sizeof r->location_code, "%s", in->location_code);
    snprintf(r->status, sizeof r->status, "%s", code_name(LIST_STATUS, STATUS_REPORTED));
    for (int i = 0; i < in->nconcerns; i++)
        snprintf(r->concerns[i], sizeof r->concerns[i], "%s", in->concerns[i]);
    r->nconcerns = in->nconcerns;
    if (!check_absent(in->summary) && (e = sealed_seal_case(cx, r->id, SEALED_CASE_SUMMARY, r->id,
                                                            in->summary, &r->summary)) != ERR_OK)
        return e;
    r->urgent = in->urgent;
    r->consent_to_contact = in->consent_to_contact;
    if (!check_absent(in->agency_id))
        snprintf(r->agency_id, sizeof r->agency_id, "%s", in->agency_id);
    if (!check_absent(in->employer) && (e = sealed_seal_case(cx, r->id, SEALED_CASE_EMPLOYER, r->id,
                                                             in->employer, &r->employer)) != ERR_OK)
        return e;
    clock_stamp(r->created_at);
    memcpy(r->updated_at, r->created_at, TS_SIZE);
    r->version = 1;
    r->has_survivor = in->has_survivor;
    if (in->has_survivor)
        return survivor_fill(cx, r->id, &in->survivor, &r->survivor);
    return ERR_OK;
}

/* What the report's transaction finds out besides writing: the possible
 * duplicates shown to a reporter who may see case details. */
struct report_dups {
    bool look; /* the reporter may open the other cases */
    struct case_filter scope;
    struct case_duplicate found[CASE_DUPLICATES_MAX];
    size_t nfound;
};

/* Step 3, in one transaction: the case code, the duplicates (looked for
 * before this case's own keys are written), the case and its blind index,
 * the timeline's first step, and the audit of the report and of each case
 * shown as a possible duplicate. */
static enum err report_write(const struct ctx *cx, const struct case_report_in *in,
                             struct case_rec *r, struct report_dups *d)
{
    struct survivor_keys keys = {0};
    const struct place *district = places_district_of(cx->places, r->location_code);
    char prefix[PREFIX_LEN + 1];
    int year = clock_year(), seq = 0;
    case_code_prefix(district != NULL ? district->name_latn : NULL, prefix);
    if (r->has_survivor)
        survivor_keys_make(cx, &in->survivor, &keys);

    enum err e = store_begin(cx->db);
    if (e != ERR_OK)
        goto out;
    e = store_case_next_seq(cx->db, prefix, year, &seq);
    if (e == ERR_OK && d->look && r->has_survivor)
        e = duplicates_find(cx, &d->scope, r->id, r->survivor.sex, &keys, d->found, &d->nfound);
    if (e == ERR_OK) {
        snprintf(r->code, sizeof r->code, "%s-%04d-%04d", prefix, year, seq);
        e = store_case_insert(cx->db, r);
    }
    if (e == ERR_OK && r->has_survivor)
        e = survivor_keys_store(cx, r->id, &keys);
    if (e == ERR_OK)
        e = case_event_add(cx, r->id, "reported", NULL, NULL, NULL);
    if (e == ERR_OK)
        e = audit_append(cx->db, cx->actor->user.id, AUDIT_CREATE, "case", r->id, NULL);
    for (size_t i = 0; e == ERR_OK && i < d->nfound; i++)
        e = audit_append(cx->db, cx->actor->user.id, AUDIT_READ, "case", d->found[i].id,
                         "possible_duplicate");
    e = store_end(cx->db, e);
out:
    sodium_memzero(&keys, sizeof keys);
    return e;
}

enum err case_report(const struct ctx *cx, const struct case_report_in *in, struct case_view *out,
                     struct fielderrs *fe)
{
    struct case_rec r = {0};
    struct report_dups d = {0};
    enum err e;

    memset(out, 0, sizeof *out);
    if ((e = report_allowed(cx)) != ERR_OK || (e = report_validate(cx, in, fe)) != ERR_OK ||
        (e = report_record(cx, in, &r)) != ERR_OK)
        goto out;
    bool detail = case_reached(cx, ACT_CASE_READ_DETAIL, &r);
    /* Only who may open the other cases learns that they exist. */
    d.look = detail && case_bounds(cx, ACT_CASE_READ_DETAIL, &d.scope);
    d.scope.limit = DUP_CANDIDATES;
    if ((e = report_write(cx, in, &r, &d)) != ERR_OK)
        goto out;
    if ((e = view_make(cx, &r, detail, true, out)) == ERR_OK && d.look) {
        out->has_duplicates = true;
        out->nduplicates = d.nfound;
        memcpy(out->duplicates, d.found, d.nfound * sizeof d.found[0]);
    }
out:
    case_rec_free(&r);
    return e;
}

/* ---- for the modules of a case's records ---- */

enum err case_fetch(const struct ctx *cx, enum action a, const char *id, struct case_rec *out)
{
    memset(out, 0, sizeof *out);
    if (!may(cx, a))
        return ERR_FORBIDDEN;
    if (!check_id(id))
        return ERR_NOT_FOUND;
    enum err e = store_case_get(cx->db, id, out);
    if (e != ERR_OK)
        return e;
    if (case_reached(cx, a, out))
        return ERR_OK;
    e = case_reached(cx, ACT_CASE_READ, out) ? ERR_FORBIDDEN : ERR_NOT_FOUND;
    case_rec_free(out);
    return e;
}

enum err case_fetch_open(const struct ctx *cx, enum action a, const char *id, struct case_rec *out)
{
    enum err e = case_fetch(cx, a, id, out);
    /* An erased case takes no new record either: it would carry free text
     * or identity back into it. */
    if (e == ERR_OK && (strcmp(out->status, code_name(LIST_STATUS, STATUS_CLOSED)) == 0 ||
                        out->erased_at[0] != '\0')) {
        case_rec_free(out);
        e = ERR_CONFLICT;
    }
    return e;
}

char *event_ad(const char *case_id)
{
    return sealed_ad(SEALED_EVENT_TEXT, case_id);
}

enum err case_event_add(const struct ctx *cx, const char *case_id, const char *kind,
                        const char *detail, const char *ref_id, const char *text)
{
    struct case_event_rec ev = {0};
    snprintf(ev.case_id, sizeof ev.case_id, "%s", case_id);
    clock_stamp(ev.at);
    snprintf(ev.user_id, sizeof ev.user_id, "%s", check_user_id(cx));
    snprintf(ev.kind, sizeof ev.kind, "%s", kind);
    ev.detail = detail != NULL ? xstrdup(detail) : NULL;
    if (ref_id != NULL)
        snprintf(ev.ref_id, sizeof ev.ref_id, "%s", ref_id);
    enum err e = ERR_OK;
    if (!check_absent(text))
        e = sealed_seal_case(cx, case_id, SEALED_EVENT_TEXT, case_id, text, &ev.text);
    if (e == ERR_OK)
        e = store_case_event_insert(cx->db, &ev);
    case_event_rec_free(&ev);
    return e;
}

/* Whole years from the date (y0, m0, d0) to (y, m, d). */
static int years_between(int y0, int m0, int d0, int y, int m, int d)
{
    int n = y - y0;
    if (m < m0 || (m == m0 && d < d0))
        n--;
    return n;
}

int case_survivor_age_on(const struct ctx *cx, const struct case_rec *r, const char *date)
{
    int y, m, d, by, bm, bd;
    if (!r->has_survivor || !clock_parse_date(date, &y, &m, &d))
        return -1;
    struct survivor_view sv;
    memset(&sv, 0, sizeof sv);
    if (survivor_open(cx, r, &sv) != ERR_OK) {
        survivor_view_free(&sv);
        return -1;
    }
    int age = -1;
    if (sv.birth_date != NULL && clock_parse_date(sv.birth_date, &by, &bm, &bd)) {
        age = years_between(by, bm, bd, y, m, d);
    } else if (r->survivor.age >= 0) {
        /* The age given on a day: she was that age then, and ages a year
         * each year after. */
        char on[DATE_SIZE] = "";
        json_t *dem =
            r->survivor.demographics != NULL ? json_loads(r->survivor.demographics, 0, NULL) : NULL;
        const char *given = json_string_value(json_object_get(dem, "age_on"));
        if (given != NULL)
            snprintf(on, sizeof on, "%s", given);
        else
            snprintf(on, sizeof on, "%.10s", r->created_at);
        json_decref(dem);
        int gy, gm, gd;
        if (clock_parse_date(on, &gy, &gm, &gd))
            age = r->survivor.age + years_between(gy, gm, gd, y, m, d);
    }
    survivor_view_free(&sv);
    return age < 0 ? -1 : age;
}

const char *case_age_band(int age)
{
    if (age < 0)
        return NULL;
    return age <= 11   ? "0_11"
           : age <= 17 ? "12_17"
           : age <= 25 ? "18_25"
           : age <= 40 ? "26_40"
           : age <= 60 ? "41_60"
                       : "61_plus";
}

/* The age band of the survivor of each listed case the caller may see the
 * details of: her age today by the same rule as the case page
 * (case_survivor_age_on), only the band handed up. */
static void list_age_bands(const struct ctx *cx, struct case_view *v, size_t n)
{
    char today[DATE_SIZE];
    clock_today(today);
    for (size_t i = 0; i < n; i++) {
        if (!v[i].detail)
            continue;
        struct case_rec full;
        memset(&full, 0, sizeof full);
        if (store_case_get(cx->db, v[i].rec.id, &full) != ERR_OK)
            continue; /* the band is a convenience: unknown */
        const char *band = case_age_band(case_survivor_age_on(cx, &full, today));
        if (band != NULL)
            snprintf(v[i].age_band, sizeof v[i].age_band, "%s", band);
        case_rec_free(&full);
    }
}

/* ---- reading ---- */

enum err case_read_audited(const struct ctx *cx, const char *case_id, const char *what)
{
    return audit_append(cx->db, check_user_id(cx), AUDIT_READ, "case", case_id, what);
}

enum err case_get(const struct ctx *cx, const char *id, struct case_view *out)
{
    struct case_rec r = {0};
    enum scope read = scope_of(cx, ACT_CASE_READ);
    enum err e;

    memset(out, 0, sizeof *out);
    if (read == SCOPE_NONE)
        return ERR_FORBIDDEN;
    if (!check_id(id))
        return ERR_NOT_FOUND;
    if ((e = store_case_get(cx->db, id, &r)) != ERR_OK)
        return e;
    if (!case_reached(cx, ACT_CASE_READ, &r)) {
        e = ERR_NOT_FOUND;
        goto out;
    }
    bool detail = case_reached(cx, ACT_CASE_READ_DETAIL, &r);
    if (detail) {
        /* No unaudited read of case content: the entry is durable (a group
         * commit with the reads of other callers) before anything is shown. */
        if ((e = audit_append(cx->db, check_user_id(cx), AUDIT_READ, "case", r.id, NULL)) != ERR_OK)
            goto out;
    }
    e = view_make(cx, &r, detail, true, out);
out:
    case_rec_free(&r);
    return e;
}

/* Cursor: base64url (no padding) of "U|CREATED_AT|ID" of a page's last case. */
static void cursor_encode(const struct case_rec *last, char out[CURSOR_SIZE])
{
    char raw[4 + TS_SIZE + ID_SIZE];
    int n = snprintf(raw, sizeof raw, "%d|%s|%s", last->urgent ? 1 : 0, last->created_at, last->id);
    sodium_bin2base64(out, CURSOR_SIZE, (const unsigned char *)raw, (size_t)n,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

static bool ts_shape(const char *s, size_t n)
{
    static const char shape[] = "dddd-dd-ddTdd:dd:dd.dddZ";
    if (n != sizeof shape - 1)
        return false;
    for (size_t i = 0; i < n; i++)
        if (shape[i] == 'd' ? (s[i] < '0' || s[i] > '9') : s[i] != shape[i])
            return false;
    return true;
}

static bool cursor_decode(const char *cur, struct case_filter *f)
{
    unsigned char raw[4 + TS_SIZE + ID_SIZE];
    size_t n = 0;
    if (strlen(cur) >= CURSOR_SIZE ||
        sodium_base642bin(raw, sizeof raw - 1, cur, strlen(cur), NULL, &n, NULL,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0)
        return false;
    raw[n] = '\0';
    const char *s = (const char *)raw;
    if (n < 4 || (s[0] != '0' && s[0] != '1') || s[1] != '|')
        return false;
    const char *bar = strchr(s + 2, '|');
    if (bar == NULL || !ts_shape(s + 2, (size_t)(bar - (s + 2))) || !check_id(bar + 1) ||
        strlen(bar + 1) != n - (size_t)(bar + 1 - s))
        return false;
    f->has_after = true;
    f->after_urgent = s[0] == '1';
    memcpy(f->after_created_at, s + 2, TS_SIZE - 1);
    f->after_created_at[TS_SIZE - 1] = '\0';
    memcpy(f->after_id, bar + 1, strlen(bar + 1) + 1); /* check_id: < ID_SIZE */
    return true;
}

/* Audits the read of recs[0..n), the cases a name search found, in one
 * transaction. */
static enum err name_search_audit(const struct ctx *cx, const struct case_rec *recs, size_t n)
{
    enum err e = store_begin(cx->db);
    if (e != ERR_OK)
        return e;
    for (size_t i = 0; e == ERR_OK && i < n; i++)
        e = audit_append(cx->db, check_user_id(cx), AUDIT_READ, "case", recs[i].id, "name_search");
    return store_end(cx->db, e);
}

enum err case_list(const struct ctx *cx, const struct case_query *q, struct case_view **items,
                   size_t *n, char next_cursor[CURSOR_SIZE], struct fielderrs *fe)
{
    struct case_filter f = {0};
    enum scope read = scope_of(cx, ACT_CASE_READ);
    enum scope det = scope_of(cx, ACT_CASE_READ_DETAIL);
    struct case_rec *recs = NULL;
    struct name_keys names = {0};
    size_t nrecs = 0;
    enum err e = ERR_OK;

    *items = NULL;
    *n = 0;
    next_cursor[0] = '\0';
    if (read == SCOPE_NONE)
        return ERR_FORBIDDEN;
    if (q->status != NULL && code_parse(LIST_STATUS, q->status) < 0)
        e = fielderr(fe, "status", "not a case status");
    if (q->concern != NULL && code_parse(LIST_CONCERN, q->concern) < 0)
        e = fielderr(fe, "concern", "not a concern code");
    if (q->risk != NULL && code_parse(LIST_RISK, q->risk) < 0)
        e = fielderr(fe, "risk", "low, medium or high");
    if (q->urgent != NULL && strcmp(q->urgent, "true") != 0 && strcmp(q->urgent, "false") != 0)
        e = fielderr(fe, "urgent", "true or false");
    if (q->overdue != NULL && strcmp(q->overdue, "true") != 0 && strcmp(q->overdue, "false") != 0)
        e = fielderr(fe, "overdue", "true or false");
    if (q->assigned_to != NULL && !check_id(q->assigned_to))
        e = fielderr(fe, "assigned_to", "a user id");
    if (q->limit < 0 || q->limit > LIST_MAX)
        e = fielderr(fe, "limit", "1 to 500");
    if (q->cursor != NULL && !cursor_decode(q->cursor, &f))
        e = fielderr(fe, "cursor", "not a cursor from this list");
    if (q->q != NULL) {
        if (det == SCOPE_NONE)
            return ERR_FORBIDDEN;
        if (check_text(q->q, 1, NAME_MAX_CHARS))
            name_keys_make(cx, "survivor_name", q->q, &names);
        if (names.nword == 0 || names.total > CASE_NAME_KEYS_MAX)
            e = fielderr(fe, "q", "a name of 1 to 6 words");
    }
    if (e != ERR_OK)
        return e;
    int limit = q->limit > 0 ? q->limit : LIST_DEFAULT;

    /* A name search reaches only the cases whose names the caller may see. */
    if (!case_bounds(cx, q->q != NULL ? ACT_CASE_READ_DETAIL : ACT_CASE_READ, &f))
        return ERR_OK;
    for (size_t i = 0; i < names.nword; i++)
        f.name_keys[f.nname_keys++] = names.word[i];
    f.status = q->status;
    f.concern = q->concern;
    f.risk = q->risk;
    if (q->urgent != NULL)
        f.urgent = strcmp(q->urgent, "true") == 0 ? 1 : 2;
    char today[DATE_SIZE];
    clock_today(today);
    if (q->overdue != NULL && strcmp(q->overdue, "true") == 0)
        f.overdue_on = today;
    if (q->assigned_to != NULL) {
        /* Within her reach only: another caseworker's cases stay hers. */
        if (f.assigned_to != NULL && strcmp(f.assigned_to, q->assigned_to) != 0)
            return ERR_OK;
        f.assigned_to = q->assigned_to;
    }
    f.limit = limit + 1;
    if ((e = store_case_list(cx->db, &f, &recs, &nrecs)) != ERR_OK)
        return e;
    if (nrecs > (size_t)limit) {
        cursor_encode(&recs[limit - 1], next_cursor);
        case_rec_free(&recs[limit]);
        memset(&recs[limit], 0, sizeof recs[limit]);
    }
    size_t keep = nrecs > (size_t)limit ? (size_t)limit : nrecs;
    /* A name search tells which cases' survivors bear the name: a read of
     * each case found, audited before it is answered. */
    if (q->q != NULL && keep > 0 && (e = name_search_audit(cx, recs, keep)) != ERR_OK) {
        case_list_free(recs, nrecs);
        next_cursor[0] = '\0';
        return e;
    }
    struct case_view *v = xcalloc(keep > 0 ? keep : 1, sizeof *v);
    /* Lists carry no sealed content: reading it is a case_get, audited. */
    for (size_t i = 0; i < keep && e == ERR_OK; i++)
        e = view_make(cx, &recs[i], case_reached(cx, ACT_CASE_READ_DETAIL, &recs[i]), false, &v[i]);
    case_list_free(recs, nrecs);
    if (e != ERR_OK) {
        case_views_free(v, keep);
        next_cursor[0] = '\0';
        return e;
    }
    if (q->age_bands)
        list_age_bands(cx, v, keep);
    *items = v;
    *n = keep;
    return ERR_OK;
}
