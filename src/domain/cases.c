/* Cases: reporting a concern, and the views of cases each caller may see.
 *
 * Sealing: the survivor's identity (names, phone, birth date, address text)
 * is one JSON object sealed with the case id as associated data; the summary
 * is sealed with "<case id>/summary", so neither blob can stand in for the
 * other or for another case's. */
#include "domain/cases.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "audit/audit.h"
#include "domain/check.h"
#include "domain/codes.h"
#include "domain/place.h"
#include "util/alloc.h"
#include "util/log.h"

#define ADDRESS_MAX_CHARS 500
#define AGE_MAX           120
#define LIST_DEFAULT      50
#define LIST_MAX          500
#define PREFIX_LEN        3

/* ---- views ---- */

static void survivor_view_free(struct survivor_view *s)
{
    free(s->name_km);
    free(s->name_latn);
    free(s->phone);
    free(s->birth_date);
    free(s->address_text);
}

void case_view_free(struct case_view *v)
{
    if (v == NULL)
        return;
    case_rec_free(&v->rec);
    free(v->summary);
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

static char *summary_ad(const char *id)
{
    return xasprintf("%s/summary", id);
}

static char *json_str_dup(json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s != NULL ? xstrdup(s) : NULL;
}

/* Opens the sealed identity of rec into s. */
static enum err survivor_open(const struct ctx *cx, const struct case_rec *rec,
                              struct survivor_view *s)
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
        json_decref(d);
    }
    if (sr->identity.len == 0)
        return ERR_OK;
    char *pt = NULL;
    size_t n = 0;
    if (!crypto_unseal(cx->key, rec->id, &sr->identity, &pt, &n)) {
        log_error("case %s: sealed identity does not open", rec->id);
        return ERR_INTERNAL;
    }
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
    json_decref(o);
    return ERR_OK;
}

/* Moves rec into v: the limited view (id, code, status, concerns, dates,
 * and reported_by when the caller reported it herself), or with detail
 * everything, the sealed parts opened when open_sealed. */
static enum err view_make(const struct ctx *cx, struct case_rec *rec, bool detail, bool open_sealed,
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
        if (cx->actor != NULL && strcmp(rec->reported_by, cx->actor->user.id) == 0)
            memcpy(o->reported_by, rec->reported_by, ID_SIZE);
        case_rec_free(rec);
        memset(rec, 0, sizeof *rec);
        return ERR_OK;
    }
    v->detail = true;
    if (open_sealed && rec->summary.len > 0) {
        char *ad = summary_ad(rec->id);
        size_t n;
        if (!crypto_unseal(cx->key, ad, &rec->summary, &v->summary, &n)) {
            log_error("case %s: sealed summary does not open", rec->id);
            e = ERR_INTERNAL;
        }
        free(ad);
    }
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
    free(v->rec.survivor.identity.p);
    free(v->rec.survivor.demographics);
    memset(&v->rec.survivor, 0, sizeof v->rec.survivor);
    v->rec.has_survivor = false;
    if (e != ERR_OK)
        case_view_free(v);
    return e;
}

/* Whether scope s lets the caller reach case r. */
static bool case_reached(const struct ctx *cx, enum scope s, const struct case_rec *r)
{
    if (s == SCOPE_ALL)
        return true;
    if (cx->actor == NULL)
        return false;
    const struct user_rec *u = &cx->actor->user;
    bool same_org =
        u->organization_id[0] != '\0' && strcmp(u->organization_id, r->organization_id) == 0;
    switch (s) {
    case SCOPE_OWN:
        return strcmp(u->id, r->reported_by) == 0;
    case SCOPE_GROUP:
        return u->group_id[0] != '\0' && strcmp(u->group_id, r->group_id) == 0;
    case SCOPE_ASSIGNED:
        return same_org && (r->assigned_to[0] == '\0' || strcmp(r->assigned_to, u->id) == 0);
    case SCOPE_ORG:
        return same_org;
    default:
        return false;
    }
}

/* ---- reporting ---- */

static bool is_vowel(char c)
{
    return c == 'A' || c == 'E' || c == 'I' || c == 'O' || c == 'U';
}

/* The 3-letter prefix of a district's Latin name: its first letter and the
 * consonants after it, filled with the next letters in order when fewer
 * than 3 (Kralanh -> KRL, Puok -> PUK); padded with X. */
static void district_prefix(const char *latn, char out[PREFIX_LEN + 1])
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

static bool place_ok(const struct ctx *cx, const char *code)
{
    return code != NULL && strlen(code) < CODE_SIZE && places_get(cx->places, code) != NULL;
}

/* Age in whole years on today's date of a person born on date. */
static int age_from(int y, int m, int d)
{
    char today[TS_SIZE];
    int ty, tm, td;
    clock_rfc3339(clock_now(), today);
    today[10] = '\0';
    if (!clock_parse_date(today, &ty, &tm, &td))
        return -1;
    int age = ty - y;
    if (tm < m || (tm == m && td < d))
        age--;
    return age;
}

static enum err survivor_validate(const struct ctx *cx, const struct survivor_in *s,
                                  struct fielderrs *fe)
{
    enum err e = ERR_OK;
    int y, m, d;
    if (!check_absent(s->name_km) && !check_text(s->name_km, 1, NAME_MAX_CHARS))
        e = fielderr(fe, "survivor.name_km", "1 to 120 characters");
    if (!check_absent(s->name_latn) && !check_text(s->name_latn, 1, NAME_MAX_CHARS))
        e = fielderr(fe, "survivor.name_latn", "1 to 120 characters");
    if (!check_absent(s->phone) && !check_phone(s->phone))
        e = fielderr(fe, "survivor.phone", "digits, an optional leading +, spaces or dashes");
    if (code_parse(LIST_SEX, s->sex) < 0)
        e = fielderr(fe, "survivor.sex", "required: female, male, other or unknown");
    if (!check_absent(s->birth_date)) {
        if (!clock_parse_date(s->birth_date, &y, &m, &d))
            e = fielderr(fe, "survivor.birth_date", "a date YYYY-MM-DD");
        else if (age_from(y, m, d) < 0 || age_from(y, m, d) > AGE_MAX)
            e = fielderr(fe, "survivor.birth_date", "not in the future, at most 120 years ago");
        if (s->age >= 0)
            e = fielderr(fe, "survivor.age", "give birth_date or age, not both");
    }
    if (s->age != -1 && (s->age < 0 || s->age > AGE_MAX))
        e = fielderr(fe, "survivor.age", "0 to 120");
    if (!check_absent(s->address_code) && !place_ok(cx, s->address_code))
        e = fielderr(fe, "survivor.address_code", "not a known place");
    if (!check_absent(s->address_text) && !check_text(s->address_text, 1, ADDRESS_MAX_CHARS))
        e = fielderr(fe, "survivor.address_text", "1 to 500 characters");
    return e;
}

static enum err report_validate(const struct ctx *cx, const struct case_report_in *in,
                                struct fielderrs *fe)
{
    enum err e = ERR_OK;
    const struct place *p = NULL;
    if (in->location_code != NULL && strlen(in->location_code) < CODE_SIZE)
        p = places_get(cx->places, in->location_code);
    if (p == NULL)
        e = fielderr(fe, "location_code", "not a known place");
    else if (p->level == PLACE_PROVINCE)
        e = fielderr(fe, "location_code", "choose a district, commune or village");
    if (in->nconcerns < 1 || in->nconcerns > CONCERNS_MAX) {
        e = fielderr(fe, "concerns", "1 to 9 concern codes");
    } else {
        for (int i = 0; i < in->nconcerns; i++) {
            bool dup = false;
            for (int j = 0; j < i; j++)
                dup = dup || (in->concerns[i] != NULL && in->concerns[j] != NULL &&
                              strcmp(in->concerns[i], in->concerns[j]) == 0);
            if (dup || code_parse(LIST_CONCERN, in->concerns[i]) < 0)
                e = fielderr(fe, "concerns", "concern codes, each once");
        }
    }
    if (!check_absent(in->summary) && !check_text(in->summary, 1, SUMMARY_MAX_CHARS))
        e = fielderr(fe, "summary", "at most 4000 characters");
    if (in->has_survivor && survivor_validate(cx, &in->survivor, fe) != ERR_OK)
        e = ERR_VALIDATION;
    return e;
}

static void put_opt(json_t *o, const char *key, const char *s)
{
    if (!check_absent(s))
        json_object_set_new(o, key, json_string(s));
}

/* Fills the survivor record: identity sealed, demographics plain. */
static void survivor_fill(const struct ctx *cx, const char *case_id, const struct survivor_in *s,
                          struct survivor_rec *out)
{
    json_t *id = json_object();
    put_opt(id, "name_km", s->name_km);
    put_opt(id, "name_latn", s->name_latn);
    put_opt(id, "phone", s->phone);
    put_opt(id, "birth_date", s->birth_date);
    put_opt(id, "address_text", s->address_text);
    if (json_object_size(id) > 0) {
        char *pt = json_dumps(id, JSON_COMPACT);
        crypto_seal(cx->key, case_id, pt, strlen(pt), &out->identity);
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
    if (!check_absent(s->address_code)) {
        json_t *dem = json_object();
        json_object_set_new(dem, "address_code", json_string(s->address_code));
        out->demographics = json_dumps(dem, JSON_COMPACT);
        json_decref(dem);
    }
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

enum err case_report(const struct ctx *cx, const struct case_report_in *in, struct case_view *out,
                     struct fielderrs *fe)
{
    struct case_rec r = {0};
    enum err e;

    memset(out, 0, sizeof *out);
    /* A report needs a real reporter, even from the local operator. */
    if (cx->actor == NULL)
        return ERR_FORBIDDEN;
    enum scope s = perm_scope(cx->actor->role, ACT_CASE_CREATE);
    if (s == SCOPE_NONE || (s == SCOPE_GROUP && cx->actor->user.group_id[0] == '\0'))
        return ERR_FORBIDDEN;
    if ((e = report_validate(cx, in, fe)) != ERR_OK)
        return e;
    if ((e = reporter_org(cx, r.organization_id)) != ERR_OK)
        return e;

    crypto_random_id(r.id);
    memcpy(r.group_id, cx->actor->user.group_id, ID_SIZE);
    memcpy(r.reported_by, cx->actor->user.id, ID_SIZE);
    snprintf(r.location_code, sizeof r.location_code, "%s", in->location_code);
    snprintf(r.status, sizeof r.status, "%s", code_name(LIST_STATUS, STATUS_REPORTED));
    for (int i = 0; i < in->nconcerns; i++)
        snprintf(r.concerns[i], sizeof r.concerns[i], "%s", in->concerns[i]);
    r.nconcerns = in->nconcerns;
    if (!check_absent(in->summary)) {
        char *ad = summary_ad(r.id);
        crypto_seal(cx->key, ad, in->summary, strlen(in->summary), &r.summary);
        free(ad);
    }
    r.urgent = in->urgent;
    r.consent_to_contact = in->consent_to_contact;
    clock_rfc3339(clock_now(), r.created_at);
    memcpy(r.updated_at, r.created_at, TS_SIZE);
    r.version = 1;
    r.has_survivor = in->has_survivor;
    if (in->has_survivor)
        survivor_fill(cx, r.id, &in->survivor, &r.survivor);

    const struct place *district = places_district_of(cx->places, r.location_code);
    char prefix[PREFIX_LEN + 1];
    int year = clock_year(), seq = 0;
    district_prefix(district != NULL ? district->name_latn : NULL, prefix);

    if ((e = store_begin(cx->db)) != ERR_OK)
        goto out;
    e = store_case_next_seq(cx->db, prefix, year, &seq);
    if (e == ERR_OK) {
        snprintf(r.code, sizeof r.code, "%s-%04d-%04d", prefix, year, seq);
        e = store_case_insert(cx->db, &r);
    }
    if (e == ERR_OK)
        e = audit_append(cx->db, cx->actor->user.id, AUDIT_CREATE, "case", r.id, NULL);
    if (e == ERR_OK)
        e = store_commit(cx->db);
    if (e != ERR_OK) {
        store_rollback(cx->db);
        goto out;
    }
    bool detail = case_reached(cx, perm_scope(cx->actor->role, ACT_CASE_READ_DETAIL), &r);
    e = view_make(cx, &r, detail, true, out);
out:
    case_rec_free(&r);
    return e;
}

/* ---- reading ---- */

enum err case_get(const struct ctx *cx, const char *id, struct case_view *out)
{
    struct case_rec r = {0};
    enum scope read = check_scope(cx, ACT_CASE_READ);
    enum err e;

    memset(out, 0, sizeof *out);
    if (read == SCOPE_NONE)
        return ERR_FORBIDDEN;
    if (!check_id(id))
        return ERR_NOT_FOUND;
    if ((e = store_case_get(cx->db, id, &r)) != ERR_OK)
        return e;
    if (!case_reached(cx, read, &r)) {
        e = ERR_NOT_FOUND;
        goto out;
    }
    bool detail = case_reached(cx, check_scope(cx, ACT_CASE_READ_DETAIL), &r);
    if (detail) {
        /* No unaudited read of case content. */
        if ((e = store_begin(cx->db)) != ERR_OK)
            goto out;
        e = audit_append(cx->db, check_user_id(cx), AUDIT_READ, "case", r.id, NULL);
        if (e == ERR_OK)
            e = store_commit(cx->db);
        if (e != ERR_OK) {
            store_rollback(cx->db);
            goto out;
        }
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
    static const char shape[] = "dddd-dd-ddTdd:dd:ddZ";
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

enum err case_list(const struct ctx *cx, const struct case_query *q, struct case_view **items,
                   size_t *n, char next_cursor[CURSOR_SIZE], struct fielderrs *fe)
{
    struct case_filter f = {0};
    enum scope read = check_scope(cx, ACT_CASE_READ);
    enum scope det = check_scope(cx, ACT_CASE_READ_DETAIL);
    struct case_rec *recs = NULL;
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
    if (q->limit < 0 || q->limit > LIST_MAX)
        e = fielderr(fe, "limit", "1 to 500");
    if (q->cursor != NULL && !cursor_decode(q->cursor, &f))
        e = fielderr(fe, "cursor", "not a cursor from this list");
    if (e != ERR_OK)
        return e;
    int limit = q->limit > 0 ? q->limit : LIST_DEFAULT;

    const struct user_rec *u = cx->actor != NULL ? &cx->actor->user : NULL;
    switch (read) {
    case SCOPE_OWN:
        f.reported_by = u->id;
        break;
    case SCOPE_GROUP:
        if (u->group_id[0] == '\0')
            return ERR_OK;
        f.group_id = u->group_id;
        break;
    case SCOPE_ASSIGNED:
    case SCOPE_ORG:
        if (u->organization_id[0] == '\0')
            return ERR_OK;
        f.organization_id = u->organization_id;
        if (read == SCOPE_ASSIGNED)
            f.assigned_or_open_for = u->id;
        break;
    default:
        break;
    }
    f.status = q->status;
    f.concern = q->concern;
    f.limit = limit + 1;
    if ((e = store_case_list(cx->db, &f, &recs, &nrecs)) != ERR_OK)
        return e;
    if (nrecs > (size_t)limit) {
        cursor_encode(&recs[limit - 1], next_cursor);
        case_rec_free(&recs[limit]);
        memset(&recs[limit], 0, sizeof recs[limit]);
    }
    size_t keep = nrecs > (size_t)limit ? (size_t)limit : nrecs;
    struct case_view *v = xcalloc(keep > 0 ? keep : 1, sizeof *v);
    /* Lists carry no sealed content: reading it is a case_get, audited. */
    for (size_t i = 0; i < keep && e == ERR_OK; i++)
        e = view_make(cx, &recs[i], case_reached(cx, det, &recs[i]), false, &v[i]);
    case_list_free(recs, nrecs);
    if (e != ERR_OK) {
        case_views_free(v, keep);
        next_cursor[0] = '\0';
        return e;
    }
    *items = v;
    *n = keep;
    return ERR_OK;
}
