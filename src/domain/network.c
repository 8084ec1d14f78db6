/* The network: organizations, groups on a commune or village, and the
 * members of each group. Who reaches which group comes from the
 * permission table (ACT_GROUP_*, ACT_MEMBER_*). */
#include "domain/network.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "audit/audit.h"
#include "domain/agencies.h"
#include "domain/cases.h"
#include "domain/check.h"
#include "domain/collate.h"
#include "domain/namekeys.h"
#include "domain/place.h"
#include "domain/sealed.h"
#include "util/alloc.h"
#include "util/codes.h"
#include "util/log.h"

#define ORG_NAME_MAX_CHARS    200
#define GROUP_NAME_MAX_CHARS  120
#define MEMBER_NAME_MAX_CHARS 120
#define YEARS_ABROAD_MAX      60

static void stamp(char created[TS_SIZE], char updated[TS_SIZE])
{
    clock_stamp(created);
    if (updated != NULL)
        memcpy(updated, created, TS_SIZE);
}

/* Runs insert + audit in one transaction. */
static enum err write_audited(const struct ctx *cx,
                              enum err (*insert)(struct store_conn *, const void *),
                              const void *rec, const char *record_type, const char *id)
{
    enum err e = store_begin(cx->db);
    if (e != ERR_OK)
        return e;
    e = insert(cx->db, rec);
    if (e == ERR_OK)
        e = audit_append(cx->db, check_user_id(cx), AUDIT_CREATE, record_type, id, NULL);
    return store_end(cx->db, e);
}

static enum err insert_org(struct store_conn *c, const void *r)
{
    return store_org_insert(c, r);
}
static enum err insert_group(struct store_conn *c, const void *r)
{
    return store_group_insert(c, r);
}

/* Organizations are network structure: the table's group-creation right
 * (admin, and the local operator) covers them. */
enum err org_create(const struct ctx *cx, const char *name, const char *kind,
                    const char *location_code, struct org_rec *out, struct fielderrs *fe)
{
    struct org_rec r = {0};
    enum err e = ERR_OK;

    memset(out, 0, sizeof *out);
    if (scope_of(cx, ACT_GROUP_CREATE) != SCOPE_ALL)
        return ERR_FORBIDDEN;
    if (!check_text(name, 1, ORG_NAME_MAX_CHARS))
        e = fielderr(fe, "name", "1 to 200 characters");
    if (code_parse(LIST_ORG_KIND, kind) < 0)
        e = fielderr(fe, "kind", "ngo or provider");
    if (!check_absent(location_code) &&
        (strlen(location_code) >= CODE_SIZE || places_get(cx->places, location_code) == NULL))
        e = fielderr(fe, "location_code", "not a known place");
    if (e != ERR_OK)
        return e;

    crypto_random_id(r.id);
    r.name = xstrdup(name);
    strcpy(r.kind, kind);
    if (!check_absent(location_code))
        strcpy(r.location_code, location_code);
    stamp(r.created_at, NULL);
    r.version = 1;
    if ((e = write_audited(cx, insert_org, &r, "organization", r.id)) != ERR_OK) {
        org_rec_free(&r);
        return e;
    }
    *out = r;
    return ERR_OK;
}

static const struct field group_field_rows[] = {
    F_TEXT(struct group_in, name, "", true, 1, GROUP_NAME_MAX_CHARS, "1 to 120 characters"),
    F_OF(struct group_in, location_code, "", FT_PLACE, true, "not a known place"),
    F_OF(struct group_in, organization_id, "", FT_ID, false, "no such organization"),
};
const struct fieldset group_fields = FIELDSET(group_field_rows);

static const struct field group_patch_rows[] = {
    F_INT(struct group_patch_in, version, "", true, 1, INT_MAX, -1,
          "required: the version you read"),
    F_TEXT(struct group_patch_in, name, "", false, 1, GROUP_NAME_MAX_CHARS, "1 to 120 characters"),
    F_OF(struct group_patch_in, location_code, "", FT_PLACE, false, "not a known place"),
};
const struct fieldset group_patch_fields = {
    group_patch_rows, (int)(sizeof group_patch_rows / sizeof group_patch_rows[0]),
    offsetof(struct group_patch_in, sent)};

void group_patch_in_init(struct group_patch_in *in)
{
    memset(in, 0, sizeof *in);
    fields_init(&group_patch_fields, in);
}

enum err group_create(const struct ctx *cx, const struct group_in *in, struct group_rec *out,
                      struct fielderrs *fe)
{
    struct group_rec r = {0};
    enum err e = ERR_OK;
    const char *org_id = in->organization_id;

    memset(out, 0, sizeof *out);
    if (scope_of(cx, ACT_GROUP_CREATE) != SCOPE_ALL)
        return ERR_FORBIDDEN;
    if (check_absent(org_id) && cx->actor != NULL)
        org_id = cx->actor->user.organization_id;
    if (!check_text(in->name, 1, GROUP_NAME_MAX_CHARS))
        e = fielderr(fe, "name", "1 to 120 characters");
    const struct place *p = NULL;
    if (in->location_code != NULL && strlen(in->location_code) < CODE_SIZE)
        p = places_get(cx->places, in->location_code);
    if (p == NULL)
        e = fielderr(fe, "location_code", "not a known place");
    else if (p->level != PLACE_COMMUNE && p->level != PLACE_VILLAGE)
        e = fielderr(fe, "location_code", "a group is on a commune or a village");
    if (check_absent(org_id)) {
        e = fielderr(fe, "organization_id", "required");
    } else {
        struct org_rec org = {0};
        enum err ge = check_id(org_id) ? store_org_get(cx->db, org_id, &org) : ERR_NOT_FOUND;
        bool ngo = strcmp(org.kind, "ngo") == 0; /* groups are run by an NGO */
        org_rec_free(&org);
        if (ge == ERR_NOT_FOUND)
            e = fielderr(fe, "organization_id", "no such organization");
        else if (ge != ERR_OK)
            return ge;
        else if (!ngo)
            e = fielderr(fe, "organization_id", "a group belongs to an NGO");
    }
    if (e != ERR_OK)
        return e;

    crypto_random_id(r.id);
    strcpy(r.organization_id, org_id);
    r.name = xstrdup(in->name);
    strcpy(r.location_code, p->code);
    stamp(r.created_at, r.updated_at);
    r.version = 1;
    if ((e = write_audited(cx, insert_group, &r, "group", r.id)) != ERR_OK) {
        group_rec_free(&r);
        return e;
    }
    *out = r;
    return ERR_OK;
}

/* Whether the caller reaches group g under a (domain/scope.h): a group is
 * its own group, of its organization. */
static bool group_reached(const struct ctx *cx, enum action a, const struct group_rec *g)
{
    struct reach re = {.organization_id = g->organization_id, .group_id = g->id};
    return scope_reaches(cx, a, &re);
}

/* The group id if the caller reaches it under action a: ERR_FORBIDDEN when
 * the table refuses a, ERR_NOT_FOUND when absent or out of reach. */
static enum err group_fetch(const struct ctx *cx, enum action a, const char *id,
                            struct group_rec *out)
{
    enum scope s = scope_of(cx, a);
    memset(out, 0, sizeof *out);
    if (s == SCOPE_NONE)
        return ERR_FORBIDDEN;
    if (!check_id(id))
        return ERR_NOT_FOUND;
    enum err e = store_group_get(cx->db, id, out);
    if (e != ERR_OK)
        return e;
    if (!group_reached(cx, a, out)) {
        group_rec_free(out);
        memset(out, 0, sizeof *out);
        return ERR_NOT_FOUND;
    }
    return ERR_OK;
}

enum err group_get(const struct ctx *cx, const char *id, struct group_rec *out)
{
    return group_fetch(cx, ACT_GROUP_READ, id, out);
}

enum err group_list(const struct ctx *cx, struct group_rec **items, size_t *n)
{
    enum scope s = scope_of(cx, ACT_GROUP_READ);
    *items = NULL;
    *n = 0;
    switch (s) {
    case SCOPE_ALL:
        return store_group_list(cx->db, NULL, items, n);
    case SCOPE_ORG:
        if (cx->actor->user.organization_id[0] == '\0')
            return ERR_OK;
        return store_group_list(cx->db, cx->actor->user.organization_id, items, n);
    case SCOPE_GROUP: {
        struct group_rec g;
        if (cx->actor->user.group_id[0] == '\0')
            return ERR_OK;
        enum err e = store_group_get(cx->db, cx->actor->user.group_id, &g);
        if (e == ERR_NOT_FOUND)
            return ERR_OK;
        if (e != ERR_OK)
            return e;
        *items = xmalloc(sizeof **items);
        (*items)[0] = g;
        *n = 1;
        return ERR_OK;
    }
    default:
        return ERR_FORBIDDEN;
    }
}

enum err group_update(const struct ctx *cx, const char *id, const struct group_patch_in *in,
                      struct group_rec *out, struct fielderrs *fe)
{
    struct group_rec g;
    memset(out, 0, sizeof *out);
    enum err e = group_fetch(cx, ACT_GROUP_UPDATE, id, &g);
    if (e != ERR_OK)
        return e;
    if ((e = fields_check(cx, &group_patch_fields, in, fe)) != ERR_OK)
        goto done;
    if (g.version != in->version) {
        e = fielderr(fe, "version", "the group changed since you read it");
        e = ERR_CONFLICT;
        goto done;
    }
    /* A group keeps a name and a place: neither may be cleared. */
    for (int i = 1; i <= 2; i++)
        if (fields_was_null(&group_patch_fields, in, i))
            e = fielderr(fe, group_patch_fields.fields[i].path, "required: it cannot be cleared");
    if (e != ERR_OK)
        goto done;
    if (fields_was_sent(&group_patch_fields, in, 1) && !check_absent(in->name)) {
        free(g.name);
        g.name = xstrdup(in->name);
    }
    if (fields_was_sent(&group_patch_fields, in, 2) && !check_absent(in->location_code)) {
        const struct place *p = places_get(cx->places, in->location_code);
        if (p->level != PLACE_COMMUNE && p->level != PLACE_VILLAGE) {
            e = fielderr(fe, "location_code", "a group is on a commune or a village");
            goto done;
        }
        snprintf(g.location_code, sizeof g.location_code, "%s", p->code);
    }
    clock_stamp(g.updated_at);
    if ((e = store_begin(cx->db)) != ERR_OK)
        goto done;
    e = store_group_update(cx->db, &g);
    if (e == ERR_OK)
        e = audit_append(cx->db, check_user_id(cx), AUDIT_UPDATE, "group", g.id, NULL);
    if ((e = store_end(cx->db, e)) == ERR_OK) {
        g.version++;
        *out = g;
        return ERR_OK;
    }
done:
    group_rec_free(&g);
    return e;
}

#define RET "returnee."

static const struct field returnee_field_rows[] = {
    F_ISO2S(struct returnee_in, countries, RET, 1, RETURNEE_COUNTRIES_MAX,
            "1 to 16 ISO 3166 alpha-2 codes, e.g. TH, each once"),
    F_INT(struct returnee_in, years_abroad, RET, false, 0, YEARS_ABROAD_MAX, -1, "0 to 60"),
    F_CODE(struct returnee_in, channel, RET, false, LIST_CHANNEL, "not a channel code"),
    F_CODE(struct returnee_in, sector, RET, false, LIST_SECTOR, "not a sector code"),
    F_OF(struct returnee_in, agency_id, RET, FT_ID, false, "an agency of the list"),
    F_TEXT(struct returnee_in, employer, RET, false, 1, EMPLOYER_MAX_CHARS, "1 to 200 characters"),
};
static const struct fieldset returnee_fields = FIELDSET(returnee_field_rows);

static const struct field member_field_rows[] = {
    F_TEXT(struct member_in, name_km, "", false, 1, MEMBER_NAME_MAX_CHARS, "1 to 120 characters"),
    F_TEXT(struct member_in, name_latn, "", false, 1, MEMBER_NAME_MAX_CHARS, "1 to 120 characters"),
    F_CODE(struct member_in, sex, "", true, LIST_SEX, "not a sex code"),
    F_YEAR(struct member_in, birth_year, "", false, 1900, 0, "a year from 1900 to this year"),
    F_OF(struct member_in, phone, "", FT_PHONE, false,
         "digits, an optional leading +, spaces or dashes"),
    F_CODES(struct member_in, network_roles, "", NULL, false, 0, 3, LIST_NETWORK_ROLE,
            "member, representative or trainer, once each"),
    F_OBJECT(struct member_in, returnee, "", false, has_returnee,
             "countries, years_abroad, channel, sector, agency_id, employer"),
};
const struct fieldset member_fields = FIELDSET(member_field_rows);

/* The same rows, none required, with the version and active, recording
 * what was sent. */
static const struct field member_patch_rows[] = {
    F_INT(struct member_in, version, "", true, 1, INT_MAX, -1, "required: the version you read"),
    F_BOOL(struct member_in, active, "", false),
    F_TEXT(struct member_in, name_km, "", false, 1, MEMBER_NAME_MAX_CHARS, "1 to 120 characters"),
    F_TEXT(struct member_in, name_latn, "", false, 1, MEMBER_NAME_MAX_CHARS, "1 to 120 characters"),
    F_CODE(struct member_in, sex, "", false, LIST_SEX, "not a sex code"),
    F_YEAR(struct member_in, birth_year, "", false, 1900, 0, "a year from 1900 to this year"),
    F_OF(struct member_in, phone, "", FT_PHONE, false,
         "digits, an optional leading +, spaces or dashes"),
    F_CODES(struct member_in, network_roles, "", NULL, false, 0, 3, LIST_NETWORK_ROLE,
            "member, representative or trainer, once each"),
    F_OBJECT(struct member_in, returnee, "", false, has_returnee,
             "countries, years_abroad, channel, sector, agency_id, employer"),
};
const struct fieldset member_patch_fields = {
    member_patch_rows, (int)(sizeof member_patch_rows / sizeof member_patch_rows[0]),
    offsetof(struct member_in, sent)};

void member_in_init(struct member_in *in)
{
    memset(in, 0, sizeof *in);
    fields_init(&member_patch_fields, in);
}

static enum err member_validate(const struct ctx *cx, const struct member_in *in,
                                struct fielderrs *fe)
{
    enum err e = fields_check(cx, &member_fields, in, fe);
    if (check_absent(in->name_km) && check_absent(in->name_latn))
        e = fielderr(fe, "name_km", "a name in Khmer or Latin letters is required");
    if (e == ERR_OK && in->has_returnee && !check_absent(in->returnee.agency_id) &&
        agency_known(cx, in->returnee.agency_id) != ERR_OK)
        e = fielderr(fe, "returnee.agency_id", "no agency of the list has this id");
    return e;
}

static char *roles_json(const struct member_in *in)
{
    json_t *a = json_array();
    if (in->nnetwork_roles == 0)
        json_array_append_new(a, json_string("member"));
    for (int i = 0; i < in->nnetwork_roles; i++)
        json_array_append_new(a, json_string(in->network_roles[i]));
    char *s = json_dumps(a, JSON_COMPACT);
    json_decref(a);
    return s;
}

static char *returnee_json(const struct member_in *in)
{
    json_t *o = json_object(), *c = json_array();
    const struct returnee_in *ret = &in->returnee;
    for (int i = 0; i < ret->ncountries && i < RETURNEE_COUNTRIES_MAX; i++)
        json_array_append_new(c, json_string(ret->countries[i]));
    json_object_set_new(o, "countries", c);
    if (ret->years_abroad >= 0)
        json_object_set_new(o, "years_abroad", json_integer(ret->years_abroad));
    if (ret->channel != NULL)
        json_object_set_new(o, "channel", json_string(ret->channel));
    if (ret->sector != NULL)
        json_object_set_new(o, "sector", json_string(ret->sector));
    if (!check_absent(ret->agency_id))
        json_object_set_new(o, "agency_id", json_string(ret->agency_id));
    char *s = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(o);
    return s;
}

/* ---- the sealed identity: names, birth year, returnee history ---- */

/* Seals r's names, birth year and returnee history into r->identity (the
 * fields stay in r for the answer; the store writes them as NULL). */
static void identity_seal(const struct ctx *cx, struct member_rec *r)
{
    json_t *o = json_object();
    if (r->name_km != NULL)
        json_object_set_new(o, "name_km", json_string(r->name_km));
    if (r->name_latn != NULL)
        json_object_set_new(o, "name_latn", json_string(r->name_latn));
    if (r->birth_year > 0)
        json_object_set_new(o, "birth_year", json_integer(r->birth_year));
    json_t *ret = r->returnee != NULL ? json_loads(r->returnee, 0, NULL) : NULL;
    if (json_is_object(ret))
        json_object_set(o, "returnee", ret);
    json_decref(ret);
    char *text = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(o);
    free(r->identity.p);
    memset(&r->identity, 0, sizeof r->identity);
    sealed_seal(cx, SEALED_MEMBER_IDENTITY, r->id, text, &r->identity);
    crypto_free_text(text);
    r->returnee_any = r->returnee != NULL;
}

/* Opens r->identity into r's fields; a row written before identities were
 * sealed keeps the plain fields it was read with. */
static enum err identity_open(const struct ctx *cx, struct member_rec *r)
{
    if (r->identity.len == 0)
        return ERR_OK;
    char *text = NULL;
    if (!sealed_open(cx, SEALED_MEMBER_IDENTITY, r->id, &r->identity, &text))
        return ERR_INTERNAL;
    json_t *o = text != NULL ? json_loads(text, 0, NULL) : NULL;
    crypto_free_text(text);
    crypto_free_text(r->name_km);
    crypto_free_text(r->name_latn);
    crypto_free_text(r->returnee);
    const char *km = json_string_value(json_object_get(o, "name_km"));
    const char *latn = json_string_value(json_object_get(o, "name_latn"));
    json_t *by = json_object_get(o, "birth_year");
    json_t *ret = json_object_get(o, "returnee");
    r->name_km = km != NULL ? xstrdup(km) : NULL;
    r->name_latn = latn != NULL ? xstrdup(latn) : NULL;
    r->birth_year = json_is_integer(by) ? (int)json_integer_value(by) : 0;
    r->returnee = json_is_object(ret) ? json_dumps(ret, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(o);
    return ERR_OK;
}

/* Writes the blind index of r's names (inside the caller's transaction). */
static enum err identity_keys_write(const struct ctx *cx, const struct member_rec *r)
{
    struct name_keys k[2];
    const char *keys[2 * (NAME_WORDS_MAX + 1)];
    size_t n = 0;
    name_keys_make(cx, "member_name", r->name_km, &k[0]);
    name_keys_make(cx, "member_name", r->name_latn, &k[1]);
    for (size_t i = 0; i < 2; i++) {
        for (size_t w = 0; w < k[i].nword; w++)
            keys[n++] = k[i].word[w];
        if (k[i].has_whole)
            keys[n++] = k[i].whole;
    }
    return store_member_keys_write(cx->db, r->id, keys, n);
}

enum err member_fetch(const struct ctx *cx, const char *id, struct member_rec *out)
{
    enum err e = store_member_get(cx->db, id, out);
    if (e == ERR_OK && (e = identity_open(cx, out)) != ERR_OK)
        member_rec_free(out);
    return e;
}

enum err member_seal_existing(const struct ctx *cx, size_t *sealed)
{
    *sealed = 0;
    for (;;) {
        char(*ids)[ID_SIZE] = NULL;
        size_t n = 0;
        enum err e = store_member_unsealed(cx->db, &ids, &n);
        if (e != ERR_OK || n == 0) {
            free(ids);
            return e;
        }
        for (size_t i = 0; e == ERR_OK && i < n; i++) {
            struct member_rec r;
            if ((e = store_begin(cx->db)) != ERR_OK)
                break;
            e = store_member_get(cx->db, ids[i], &r);
            if (e == ERR_OK) {
                identity_seal(cx, &r);
                e = store_member_update(cx->db, &r);
                if (e == ERR_OK)
                    e = identity_keys_write(cx, &r);
                member_rec_free(&r);
            }
            if ((e = store_end(cx->db, e)) == ERR_OK)
                (*sealed)++;
        }
        free(ids);
        if (e != ERR_OK)
            return e;
    }
}

/* Moves rec into a view, opening the phone when the caller may read
 * members (may_read). */
static enum err member_view_make(const struct ctx *cx, bool may_read, struct member_rec *rec,
                                 struct member_view *v)
{
    memset(v, 0, sizeof *v);
    if (may_read && rec->phone.len > 0) {
        size_t n;
        char *ad = sealed_ad(SEALED_MEMBER_PHONE, rec->id);
        bool opened = crypto_unseal(cx->key, ad, &rec->phone, &v->phone, &n);
        free(ad);
        if (!opened) {
            log_error("member %s: sealed phone does not open", rec->id);
            return ERR_INTERNAL;
        }
    }
    if (may_read &&
        !sealed_open(cx, SEALED_MEMBER_EMPLOYER, rec->id, &rec->returnee_employer, &v->employer)) {
        crypto_free_text(v->phone);
        v->phone = NULL;
        return ERR_INTERNAL;
    }
    free(rec->phone.p);
    rec->phone.p = NULL;
    rec->phone.len = 0;
    free(rec->returnee_employer.p);
    rec->returnee_employer.p = NULL;
    rec->returnee_employer.len = 0;
    v->rec = *rec;
    memset(rec, 0, sizeof *rec);
    return ERR_OK;
}

void member_view_free(struct member_view *v)
{
    if (v == NULL)
        return;
    member_rec_free(&v->rec);
    crypto_free_text(v->phone);
    crypto_free_text(v->employer);
    memset(v, 0, sizeof *v);
}

void member_views_free(struct member_view *v, size_t n)
{
    if (v == NULL)
        return;
    for (size_t i = 0; i < n; i++)
        member_view_free(&v[i]);
    free(v);
}

enum err member_add(const struct ctx *cx, const char *group_id, const struct member_in *in,
                    struct member_view *out, struct fielderrs *fe)
{
    struct group_rec g;
    struct member_rec r = {0};
    enum err e;

    memset(out, 0, sizeof *out);
    if ((e = group_fetch(cx, ACT_MEMBER_CREATE, group_id, &g)) != ERR_OK)
        return e;
    group_rec_free(&g);
    if ((e = member_validate(cx, in, fe)) != ERR_OK)
        return e;

    crypto_random_id(r.id);
    strcpy(r.group_id, group_id);
    r.name_km = check_absent(in->name_km) ? NULL : xstrdup(in->name_km);
    r.name_latn = check_absent(in->name_latn) ? NULL : xstrdup(in->name_latn);
    strcpy(r.sex, in->sex);
    r.birth_year = in->birth_year;
    if (!check_absent(in->phone)) {
        char *ad = sealed_ad(SEALED_MEMBER_PHONE, r.id);
        crypto_seal(cx->key, ad, in->phone, strlen(in->phone), &r.phone);
        free(ad);
    }
    r.network_roles = roles_json(in);
    r.returnee = in->has_returnee ? returnee_json(in) : NULL;
    if (in->has_returnee && !check_absent(in->returnee.employer))
        sealed_seal(cx, SEALED_MEMBER_EMPLOYER, r.id, in->returnee.employer, &r.returnee_employer);
    r.active = true;
    stamp(r.created_at, r.updated_at);
    r.version = 1;
    identity_seal(cx, &r);
    if ((e = store_begin(cx->db)) == ERR_OK) {
        e = store_member_insert(cx->db, &r);
        if (e == ERR_OK)
            e = identity_keys_write(cx, &r);
        if (e == ERR_OK)
            e = audit_append(cx->db, check_user_id(cx), AUDIT_CREATE, "member", r.id, NULL);
        e = store_end(cx->db, e);
    }
    if (e == ERR_OK) {
        struct group_rec probe;
        bool may_read = group_fetch(cx, ACT_MEMBER_READ, group_id, &probe) == ERR_OK;
        if (may_read)
            group_rec_free(&probe);
        e = member_view_make(cx, may_read, &r, out);
    }
    member_rec_free(&r);
    return e;
}

enum err member_list(const struct ctx *cx, const char *group_id, struct member_view **items,
                     size_t *n)
{
    return member_search(cx, group_id, NULL, items, n, NULL);
}

enum err member_search(const struct ctx *cx, const char *group_id, const char *q,
                       struct member_view **items, size_t *n, struct fielderrs *fe)
{
    struct group_rec g;
    struct member_rec *recs = NULL;
    size_t nrecs = 0;
    struct name_keys k = {0};
    const char *keys[MEMBER_QUERY_KEYS_MAX];
    size_t nkeys = 0;
    enum err e;

    *items = NULL;
    *n = 0;
    if ((e = group_fetch(cx, ACT_MEMBER_READ, group_id, &g)) != ERR_OK)
        return e;
    group_rec_free(&g);
    if (q != NULL) {
        if (check_text(q, 1, MEMBER_NAME_MAX_CHARS))
            name_keys_make(cx, "member_name", q, &k);
        if (k.nword == 0 || k.total > MEMBER_QUERY_KEYS_MAX)
            return fe != NULL ? fielderr(fe, "q", "a name of 1 to 6 words") : ERR_VALIDATION;
        for (size_t i = 0; i < k.nword; i++)
            keys[nkeys++] = k.word[i];
    }
    if ((e = store_member_list(cx->db, group_id, keys, nkeys, &recs, &nrecs)) != ERR_OK)
        return e;
    for (size_t i = 0; i < nrecs && e == ERR_OK; i++)
        e = identity_open(cx, &recs[i]);
    if (e != ERR_OK) {
        member_list_free(recs, nrecs);
        return e;
    }
    struct member_view *v = xcalloc(nrecs > 0 ? nrecs : 1, sizeof *v);
    size_t i;
    for (i = 0; i < nrecs && e == ERR_OK; i++)
        e = member_view_make(cx, true, &recs[i], &v[i]);
    member_list_free(recs, nrecs);
    if (e != ERR_OK) {
        member_views_free(v, i);
        return e;
    }
    /* By name in the caller's language (the store's order is only the
     * page's: names are sorted once read, never by a stored sort key). */
    struct collate_name *names = xcalloc(nrecs > 0 ? nrecs : 1, sizeof *names);
    size_t *order = xcalloc(nrecs > 0 ? nrecs : 1, sizeof *order);
    for (i = 0; i < nrecs; i++)
        names[i] = (struct collate_name){v[i].rec.name_km, v[i].rec.name_latn};
    collate_order(cx->lang, names, nrecs, order);
    struct member_view *sorted = xcalloc(nrecs > 0 ? nrecs : 1, sizeof *sorted);
    for (i = 0; i < nrecs; i++)
        sorted[i] = v[order[i]];
    free(names);
    free(order);
    free(v);
    *items = sorted;
    *n = nrecs;
    return ERR_OK;
}

enum err member_get(const struct ctx *cx, const char *id, enum action a, struct member_view *out)
{
    struct member_rec r = {0};
    struct group_rec g;
    memset(out, 0, sizeof *out);
    if (a != ACT_MEMBER_READ && a != ACT_MEMBER_UPDATE)
        return ERR_FORBIDDEN;
    if (!may(cx, a))
        return ERR_FORBIDDEN;
    if (!check_id(id))
        return ERR_NOT_FOUND;
    enum err e = member_fetch(cx, id, &r);
    if (e != ERR_OK)
        return e;
    if ((e = group_fetch(cx, a, r.group_id, &g)) != ERR_OK) {
        member_rec_free(&r);
        return e == ERR_FORBIDDEN ? ERR_FORBIDDEN : ERR_NOT_FOUND;
    }
    group_rec_free(&g);
    bool may_read = a == ACT_MEMBER_READ;
    if (!may_read && group_fetch(cx, ACT_MEMBER_READ, r.group_id, &g) == ERR_OK) {
        may_read = true;
        group_rec_free(&g);
    }
    e = member_view_make(cx, may_read, &r, out);
    member_rec_free(&r);
    return e;
}

/* The stored member as an input (strings borrowed from r, from *hold's
 * JSON and from *phone), for a PATCH to be laid over. */
static bool member_as_input(const struct ctx *cx, const struct member_rec *r, struct member_in *in,
                            json_t **roles, json_t **ret, char **phone, char **employer)
{
    member_in_init(in);
    in->version = r->version;
    in->active = r->active;
    in->name_km = r->name_km;
    in->name_latn = r->name_latn;
    in->sex = r->sex;
    in->birth_year = r->birth_year;
    *phone = NULL;
    if (r->phone.len > 0 && !sealed_open(cx, SEALED_MEMBER_PHONE, r->id, &r->phone, phone))
        return false;
    in->phone = *phone;
    *employer = NULL;
    if (!sealed_open(cx, SEALED_MEMBER_EMPLOYER, r->id, &r->returnee_employer, employer))
        return false;
    *roles = r->network_roles != NULL ? json_loads(r->network_roles, 0, NULL) : NULL;
    for (size_t i = 0; json_is_array(*roles) && i < json_array_size(*roles) && i < 3; i++)
        if (json_is_string(json_array_get(*roles, i)))
            in->network_roles[in->nnetwork_roles++] = json_string_value(json_array_get(*roles, i));
    *ret = r->returnee != NULL ? json_loads(r->returnee, 0, NULL) : NULL;
    if (json_is_object(*ret)) {
        struct returnee_in *t = &in->returnee;
        in->has_returnee = true;
        json_t *c = json_object_get(*ret, "countries");
        for (size_t i = 0; json_is_array(c) && i < json_array_size(c) && i < RETURNEE_COUNTRIES_MAX;
             i++)
            if (json_is_string(json_array_get(c, i)))
                t->countries[t->ncountries++] = json_string_value(json_array_get(c, i));
        json_t *y = json_object_get(*ret, "years_abroad");
        t->years_abroad = json_is_integer(y) ? (int)json_integer_value(y) : -1;
        t->channel = json_string_value(json_object_get(*ret, "channel"));
        t->sector = json_string_value(json_object_get(*ret, "sector"));
        t->agency_id = json_string_value(json_object_get(*ret, "agency_id"));
        t->employer = *employer;
    }
    return true;
}

enum err member_update(const struct ctx *cx, const char *id, const struct member_in *in,
                       struct member_view *out, struct fielderrs *fe)
{
    struct member_rec r = {0};
    struct group_rec g;
    struct member_in cur;
    json_t *roles = NULL, *ret = NULL;
    char *phone = NULL, *employer = NULL;
    memset(out, 0, sizeof *out);
    if (!may(cx, ACT_MEMBER_UPDATE))
        return ERR_FORBIDDEN;
    if (!check_id(id))
        return ERR_NOT_FOUND;
    enum err e = member_fetch(cx, id, &r);
    if (e != ERR_OK)
        return e;
    if ((e = group_fetch(cx, ACT_MEMBER_UPDATE, r.group_id, &g)) != ERR_OK) {
        member_rec_free(&r);
        return e == ERR_FORBIDDEN ? ERR_FORBIDDEN : ERR_NOT_FOUND;
    }
    group_rec_free(&g);
    if ((e = fields_check(cx, &member_patch_fields, in, fe)) != ERR_OK)
        goto done;
    if (r.version != in->version) {
        fielderr(fe, "version", "the member changed since you read it");
        e = ERR_CONFLICT;
        goto done;
    }
    if (!member_as_input(cx, &r, &cur, &roles, &ret, &phone, &employer)) {
        e = ERR_INTERNAL;
        goto done;
    }
    fields_overlay(&member_patch_fields, &cur, in);
    if ((e = member_validate(cx, &cur, fe)) != ERR_OK)
        goto done;
    struct member_rec next = {0};
    memcpy(next.id, r.id, ID_SIZE);
    memcpy(next.group_id, r.group_id, ID_SIZE);
    memcpy(next.created_at, r.created_at, TS_SIZE);
    next.version = r.version;
    next.name_km = check_absent(cur.name_km) ? NULL : xstrdup(cur.name_km);
    next.name_latn = check_absent(cur.name_latn) ? NULL : xstrdup(cur.name_latn);
    snprintf(next.sex, sizeof next.sex, "%s", cur.sex);
    next.birth_year = cur.birth_year;
    if (!check_absent(cur.phone))
        sealed_seal(cx, SEALED_MEMBER_PHONE, next.id, cur.phone, &next.phone);
    next.network_roles = roles_json(&cur);
    next.returnee = cur.has_returnee ? returnee_json(&cur) : NULL;
    if (cur.has_returnee && !check_absent(cur.returnee.employer))
        sealed_seal(cx, SEALED_MEMBER_EMPLOYER, next.id, cur.returnee.employer,
                    &next.returnee_employer);
    next.active = cur.active;
    clock_stamp(next.updated_at);
    identity_seal(cx, &next);
    if ((e = store_begin(cx->db)) == ERR_OK) {
        e = store_member_update(cx->db, &next);
        if (e == ERR_OK)
            e = identity_keys_write(cx, &next);
        if (e == ERR_OK)
            e = audit_append(cx->db, check_user_id(cx), AUDIT_UPDATE, "member", next.id,
                             next.active == r.active ? NULL
                             : next.active           ? "reactivated"
                                                     : "deactivated");
        e = store_end(cx->db, e);
    }
    if (e == ERR_OK) {
        next.version++;
        e = member_view_make(cx, true, &next, out);
    }
    member_rec_free(&next);
done:
    json_decref(roles);
    json_decref(ret);
    crypto_free_text(phone);
    crypto_free_text(employer);
    member_rec_free(&r);
    return e;
}
