/* The service directory (domain/services.h). */
#include "domain/services.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "audit/audit.h"
#include "domain/check.h"
#include "domain/place.h"
#include "domain/scope.h"
#include "util/alloc.h"
#include "util/codes.h"

#define SERVICE_NAME_MAX_CHARS 200
#define SERVICE_TEXT_MAX_CHARS 500

/* clang-format off */
#define SERVICE_ROWS(req) \
    F_CODE(struct service_in, type, "", req, LIST_SERVICE_TYPE, "not a service type code"), \
    F_TEXT(struct service_in, name, "", req, 1, SERVICE_NAME_MAX_CHARS, "1 to 200 characters"), \
    F_OF(struct service_in, location_code, "", FT_PLACE, false, "not a known place"), \
    F_PLACES(struct service_in, areas, "", false, 0, SERVICE_AREAS_MAX, \
             "up to 64 known places, each once; none for the whole country"), \
    F_TEXT(struct service_in, contact, "", req, 1, SERVICE_TEXT_MAX_CHARS, "1 to 500 characters"), \
    F_TEXT(struct service_in, hours, "", req, 1, SERVICE_TEXT_MAX_CHARS, "1 to 500 characters"), \
    F_CODES(struct service_in, languages, "", NULL, false, 0, SERVICE_LANGUAGES_MAX, \
            LIST_LANGUAGE, "language codes (km, en, th, vi, zh, ko, ja, lo, fr), each once"), \
    F_TEXT(struct service_in, eligibility, "", false, 1, SERVICE_TEXT_MAX_CHARS, \
           "1 to 500 characters")
/* clang-format on */

static const struct field service_rows[] = {
    F_OF(struct service_in, organization_id, "", FT_ID, true, "no such organization"),
    SERVICE_ROWS(true),
};
const struct fieldset service_fields = FIELDSET(service_rows);

static const struct field service_patch_rows[] = {
    F_INT(struct service_in, version, "", true, 1, INT_MAX, -1, "required: the version you read"),
    SERVICE_ROWS(false),
};
const struct fieldset service_patch_fields = {
    service_patch_rows, (int)(sizeof service_patch_rows / sizeof service_patch_rows[0]),
    offsetof(struct service_in, sent)};

void service_in_init(struct service_in *in)
{
    memset(in, 0, sizeof *in);
    fields_init(&service_patch_fields, in);
}

static char *strings_json(const char *const *v, int n)
{
    json_t *a = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(a, json_string(v[i]));
    char *s = json_dumps(a, JSON_COMPACT);
    json_decref(a);
    return s;
}

static char *opt_dup(const char *s)
{
    return check_absent(s) ? NULL : xstrdup(s);
}

/* Replaces r's fields (all but id, organization and stamps) with in's. */
static void service_fill(struct service_rec *r, const struct service_in *in)
{
    free(r->name);
    free(r->areas);
    free(r->contact);
    free(r->hours);
    free(r->languages);
    free(r->eligibility);
    snprintf(r->type, sizeof r->type, "%s", in->type);
    r->name = xstrdup(in->name);
    snprintf(r->location_code, sizeof r->location_code, "%s",
             check_absent(in->location_code) ? "" : in->location_code);
    r->areas = strings_json(in->areas, in->nareas);
    r->contact = opt_dup(in->contact);
    r->hours = opt_dup(in->hours);
    r->languages = strings_json(in->languages, in->nlanguages);
    r->eligibility = opt_dup(in->eligibility);
}

/* The organization named must exist. */
static enum err org_known(const struct ctx *cx, const char *id, struct fielderrs *fe)
{
    struct org_rec org = {0};
    enum err e = store_org_get(cx->db, id, &org);
    org_rec_free(&org);
    if (e == ERR_NOT_FOUND)
        return fielderr(fe, "organization_id", "no such organization");
    return e;
}

enum err service_create(const struct ctx *cx, const struct service_in *in, struct service_rec *out,
                        struct fielderrs *fe)
{
    struct service_rec r = {0};
    memset(out, 0, sizeof *out);
    if (scope_of(cx, ACT_SERVICE_MANAGE) != SCOPE_ALL)
        return ERR_FORBIDDEN;
    if (fields_check(cx, &service_fields, in, fe) != ERR_OK)
        return ERR_VALIDATION;
    enum err e = org_known(cx, in->organization_id, fe);
    if (e != ERR_OK)
        return e;

    crypto_random_id(r.id);
    strcpy(r.organization_id, in->organization_id);
    service_fill(&r, in);
    clock_stamp(r.created_at);
    memcpy(r.updated_at, r.created_at, TS_SIZE);
    r.version = 1;
    if ((e = store_begin(cx->db)) != ERR_OK) {
        service_rec_free(&r);
        return e;
    }
    e = store_service_insert(cx->db, &r);
    if (e == ERR_OK)
        e = audit_append(cx->db, check_user_id(cx), AUDIT_CREATE, "service", r.id, NULL);
    if ((e = store_end(cx->db, e)) != ERR_OK) {
        service_rec_free(&r);
        return e;
    }
    *out = r;
    return ERR_OK;
}

/* Borrows the strings of the JSON array text into v (at most max), the
 * count into *n; the array is kept in *hold. */
static void strings_borrow(const char *text, json_t **hold, const char **v, int max, int *n)
{
    *n = 0;
    *hold = text != NULL ? json_loads(text, 0, NULL) : NULL;
    if (!json_is_array(*hold))
        return;
    for (size_t i = 0; i < json_array_size(*hold) && *n < max; i++) {
        const char *s = json_string_value(json_array_get(*hold, i));
        if (s != NULL)
            v[(*n)++] = s;
    }
}

enum err service_update(const struct ctx *cx, const char *id, const struct service_in *in,
                        struct service_rec *out, struct fielderrs *fe)
{
    struct service_rec r = {0};
    struct service_in cur;
    json_t *areas = NULL, *langs = NULL;
    memset(out, 0, sizeof *out);
    if (scope_of(cx, ACT_SERVICE_MANAGE) != SCOPE_ALL)
        return ERR_FORBIDDEN;
    if (!check_id(id))
        return ERR_NOT_FOUND;
    if (fields_check(cx, &service_patch_fields, in, fe) != ERR_OK)
        return ERR_VALIDATION;
    enum err e = store_begin(cx->db);
    if (e != ERR_OK)
        return e;
    e = store_service_get(cx->db, id, &r);
    if (e == ERR_OK && r.version != in->version) {
        fielderr(fe, "version", "the service changed since you read it");
        e = ERR_CONFLICT;
    }
    if (e == ERR_OK) {
        /* The stored record as an input, what the PATCH sent over it. */
        service_in_init(&cur);
        cur.organization_id = r.organization_id;
        cur.type = r.type;
        cur.name = r.name;
        cur.location_code = r.location_code[0] != '\0' ? r.location_code : NULL;
        strings_borrow(r.areas, &areas, cur.areas, SERVICE_AREAS_MAX, &cur.nareas);
        cur.contact = r.contact;
        cur.hours = r.hours;
        strings_borrow(r.languages, &langs, cur.languages, SERVICE_LANGUAGES_MAX, &cur.nlanguages);
        cur.eligibility = r.eligibility;
        fields_overlay(&service_patch_fields, &cur, in);
        if (fields_check(cx, &service_fields, &cur, fe) != ERR_OK)
            e = ERR_VALIDATION;
    }
    if (e == ERR_OK) {
        /* service_fill frees what cur borrows from r: copy it first. */
        struct service_rec next = {0};
        memcpy(next.id, r.id, sizeof next.id);
        memcpy(next.organization_id, r.organization_id, sizeof next.organization_id);
        memcpy(next.created_at, r.created_at, sizeof next.created_at);
        next.version = r.version;
        service_fill(&next, &cur);
        clock_stamp(next.updated_at);
        service_rec_free(&r);
        r = next;
        e = store_service_update(cx->db, &r);
        if (e == ERR_OK)
            e = audit_append(cx->db, check_user_id(cx), AUDIT_UPDATE, "service", r.id, NULL);
        r.version++;
    }
    json_decref(areas);
    json_decref(langs);
    if ((e = store_end(cx->db, e)) != ERR_OK) {
        service_rec_free(&r);
        return e;
    }
    *out = r;
    return ERR_OK;
}

enum service_rank service_rank(const struct places *pl, const char *areas, const char *code)
{
    json_t *a = areas != NULL ? json_loads(areas, 0, NULL) : NULL;
    enum service_rank best = RANK_NONE;
    if (!json_is_array(a) || json_array_size(a) == 0) {
        json_decref(a);
        return RANK_NATIONAL;
    }
    /* The place and the places it lies in, each at its level. */
    const char *chain[PLACE__MAX] = {NULL};
    for (const struct place *p = places_get(pl, code); p != NULL;
         p = p->parent[0] != '\0' ? places_get(pl, p->parent) : NULL)
        chain[p->level] = p->code;
    for (size_t i = 0; i < json_array_size(a); i++) {
        const char *c = json_string_value(json_array_get(a, i));
        for (int lv = 0; c != NULL && lv < PLACE__MAX; lv++) {
            if (chain[lv] == NULL || strcmp(chain[lv], c) != 0)
                continue;
            enum service_rank r = (enum service_rank)(PLACE_VILLAGE - lv);
            if (r < best)
                best = r;
        }
    }
    json_decref(a);
    return best;
}

struct ranked {
    enum service_rank rank;
    size_t at; /* the place by name */
    struct service_rec rec;
};

static int ranked_cmp(const void *x, const void *y)
{
    const struct ranked *a = x, *b = y;
    if (a->rank != b->rank)
        return a->rank < b->rank ? -1 : 1;
    return a->at < b->at ? -1 : a->at > b->at;
}

enum err service_list(const struct ctx *cx, const char *type, const char *location,
                      struct service_rec **items, size_t *n, struct fielderrs *fe)
{
    struct service_rec *recs = NULL;
    size_t nrecs = 0;
    enum err e = ERR_OK;
    *items = NULL;
    *n = 0;
    if (!may(cx, ACT_SERVICE_READ))
        return ERR_FORBIDDEN;
    if (type != NULL && type[0] == '\0')
        type = NULL;
    if (location != NULL && location[0] == '\0')
        location = NULL;
    if (type != NULL && code_parse(LIST_SERVICE_TYPE, type) < 0)
        e = fielderr(fe, "type", "not a service type code");
    if (location != NULL && (strlen(location) >= CODE_SIZE || cx->places == NULL ||
                             places_get(cx->places, location) == NULL))
        e = fielderr(fe, "location", "not a known place");
    if (e != ERR_OK)
        return e;
    if ((e = store_service_list(cx->db, type, &recs, &nrecs)) != ERR_OK)
        return e;
    if (location == NULL) {
        *items = recs;
        *n = nrecs;
        return ERR_OK;
    }
    struct ranked *rk = xcalloc(nrecs > 0 ? nrecs : 1, sizeof *rk);
    size_t kept = 0;
    for (size_t i = 0; i < nrecs; i++) {
        enum service_rank r = service_rank(cx->places, recs[i].areas, location);
        if (r == RANK_NONE) {
            service_rec_free(&recs[i]);
            continue;
        }
        rk[kept].rank = r;
        rk[kept].at = i;
        rk[kept].rec = recs[i];
        kept++;
    }
    qsort(rk, kept, sizeof *rk, ranked_cmp);
    for (size_t i = 0; i < kept; i++)
        recs[i] = rk[i].rec;
    free(rk);
    *items = recs;
    *n = kept;
    return ERR_OK;
}
