#include "api/json_io.h"

#include "app.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

bool api_ctx(struct req *r, struct resp *w, struct ctx *cx)
{
    /* Never let a missing session pass for the local operator. */
    if (r->actor == NULL) {
        resp_error(w, ERR_UNAUTHENTICATED, NULL);
        return false;
    }
    *cx = (struct ctx){.db = r->db,
                       .key = r->app->key,
                       .actor = r->actor,
                       .places = r->app->places,
                       .screening = r->app->screening,
                       .audit_heads = r->app->headbase,
                       /* The API's lists sort in the caller's language. */
                       .lang = strcmp(r->actor->user.locale, "en") == 0 ? LANG_EN : LANG_KM};
    return true;
}

json_t *api_body(struct req *r, struct resp *w)
{
    json_error_t je;
    if (!req_content_type_is(r, "application/json")) {
        resp_error(w, ERR_MEDIA_TYPE, NULL);
        return NULL;
    }
    if (r->body == NULL || r->body_len == 0) {
        resp_error(w, ERR_BAD_REQUEST, NULL);
        return NULL;
    }
    json_t *j = json_loadb(r->body, r->body_len, JSON_REJECT_DUPLICATES, &je);
    if (j == NULL) {
        resp_error(w, ERR_BAD_REQUEST, NULL);
        return NULL;
    }
    if (!json_is_object(j)) {
        struct fielderrs fe = {0};
        fielderr(&fe, "body", "must be a JSON object");
        json_decref(j);
        resp_error(w, ERR_VALIDATION, &fe);
        return NULL;
    }
    return j;
}

void api_error(struct resp *w, enum err e, const struct fielderrs *fe)
{
    resp_error(w, e, (e == ERR_VALIDATION || e == ERR_CONFLICT || e == ERR_CONSENT) ? fe : NULL);
}

/* The value at key, NULL when absent or null. */
static json_t *field(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    return json_is_null(v) ? NULL : v;
}

const char *jin_str(json_t *o, const char *key, const char *fname, struct fielderrs *fe)
{
    json_t *v = field(o, key);
    if (v == NULL)
        return NULL;
    if (!json_is_string(v)) {
        fielderr(fe, fname, "must be a string");
        return NULL;
    }
    return json_string_value(v);
}

int query_limit(struct req *r, int max, struct fielderrs *fe)
{
    const char *s = req_query(r, "limit");
    if (s == NULL)
        return 0;
    char *end = NULL;
    long n = strtol(s, &end, 10);
    if (s[0] < '0' || s[0] > '9' || *end != '\0' || n < 1 || n > max) {
        fielderr(fe, "limit", "a whole number from 1 to 500");
        return -1;
    }
    return (int)n;
}

json_t *json_str_or_null(const char *s)
{
    return (s == NULL || s[0] == '\0') ? json_null() : json_string(s);
}

json_t *json_user(const struct user_rec *u)
{
    const char *status = !u->active ? "inactive" : u->pending ? "pending_approval" : "active";
    return json_pack("{s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:s, s:s, s:i}", "id", u->id, "username",
                     u->username, "role", u->role, "display_name",
                     u->display_name != NULL ? u->display_name : u->username, "organization_id",
                     json_str_or_null(u->organization_id), "group_id",
                     json_str_or_null(u->group_id), "member_id", json_str_or_null(u->member_id),
                     "locale", u->locale, "status", status, "version", u->version);
}

json_t *json_group(const struct group_rec *g)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:i}", "id", g->id, "organization_id",
                     g->organization_id, "name", g->name != NULL ? g->name : "", "location_code",
                     g->location_code, "version", g->version);
}

/* Parses JSON text kept by the store; fallback when absent or broken. */
static json_t *stored_json(const char *text, json_t *fallback)
{
    json_t *j = text != NULL ? json_loads(text, 0, NULL) : NULL;
    if (j == NULL)
        return fallback;
    json_decref(fallback);
    return j;
}

json_t *json_member(const struct member_view *m)
{
    const struct member_rec *r = &m->rec;
    json_t *o = json_pack(
        "{s:s, s:s, s:o, s:o, s:s, s:o, s:o, s:o, s:b, s:i}", "id", r->id, "group_id", r->group_id,
        "name_km", json_str_or_null(r->name_km), "name_latn", json_str_or_null(r->name_latn), "sex",
        r->sex, "birth_year", r->birth_year > 0 ? json_integer(r->birth_year) : json_null(),
        "network_roles", stored_json(r->network_roles, json_array()), "returnee",
        stored_json(r->returnee, json_null()), "active", r->active, "version", r->version);
    if (m->phone != NULL)
        json_object_set_new(o, "phone", json_string(m->phone));
    json_t *ret = json_object_get(o, "returnee");
    if (m->employer != NULL && json_is_object(ret))
        json_object_set_new(ret, "employer", json_string(m->employer));
    return o;
}

static void put_str(json_t *o, const char *key, const char *s)
{
    if (s != NULL && s[0] != '\0')
        json_object_set_new(o, key, json_string(s));
}

static json_t *json_survivor(const struct survivor_view *s)
{
    json_t *o = json_object();
    put_str(o, "name_km", s->name_km);
    put_str(o, "name_latn", s->name_latn);
    put_str(o, "phone", s->phone);
    json_object_set_new(o, "sex", json_string(s->sex));
    put_str(o, "birth_date", s->birth_date);
    json_object_set_new(o, "age", s->age >= 0 ? json_integer(s->age) : json_null());
    json_object_set_new(o, "age_estimated", json_boolean(s->age_estimated));
    put_str(o, "address_code", s->address_code);
    put_str(o, "address_text", s->address_text);
    put_str(o, "occupation", s->occupation);
    json_t *dem = s->demographics != NULL ? json_loads(s->demographics, 0, NULL) : NULL;
    if (json_is_object(dem))
        json_object_update_missing(o, dem);
    json_decref(dem);
    return o;
}

/* [{"id","code","score"}], the score rounded to two decimals. */
static json_t *json_duplicates(const struct case_view *v)
{
    json_t *a = json_array();
    for (size_t i = 0; i < v->nduplicates && i < CASE_DUPLICATES_MAX; i++) {
        const struct case_duplicate *d = &v->duplicates[i];
        double score = (double)(long)(d->score * 100.0 + 0.5) / 100.0;
        json_array_append_new(
            a, json_pack("{s:s, s:s, s:f}", "id", d->id, "code", d->code, "score", score));
    }
    return a;
}

json_t *json_case(const struct case_view *v)
{
    const struct case_rec *r = &v->rec;
    json_t *concerns = json_array();
    for (int i = 0; i < r->nconcerns && i < CONCERNS_MAX; i++)
        json_array_append_new(concerns, json_string(r->concerns[i]));
    json_t *o = json_pack("{s:s, s:s, s:s, s:o, s:s, s:s}", "id", r->id, "code", r->code, "status",
                          r->status, "concerns", concerns, "created_at", r->created_at,
                          "updated_at", r->updated_at);
    if (r->erased_at[0] != '\0') {
        json_object_set_new(o, "erased_at", json_string(r->erased_at));
        json_object_set_new(o, "erased_reason", json_string(r->erased_reason));
    }
    if (!v->detail) {
        if (r->reported_by[0] != '\0') /* the caller's own report */
            json_object_set_new(o, "reported_by", json_string(r->reported_by));
        return o;
    }
    json_object_set_new(o, "location_code", json_string(r->location_code));
    json_object_set_new(o, "risk", json_str_or_null(r->risk));
    json_object_set_new(o, "urgent", json_boolean(r->urgent));
    json_object_set_new(o, "consent_to_contact", json_boolean(r->consent_to_contact));
    json_object_set_new(o, "reported_by", json_str_or_null(r->reported_by));
    json_object_set_new(o, "assigned_to", json_str_or_null(r->assigned_to));
    json_object_set_new(o, "version", json_integer(r->version));
    if (r->closure_reason_code[0] != '\0') {
        json_object_set_new(o, "closure_reason_code", json_string(r->closure_reason_code));
        json_object_set_new(o, "closure_requested_by", json_str_or_null(r->closure_requested_by));
    }
    if (v->summary != NULL)
        json_object_set_new(o, "summary", json_string(v->summary));
    json_object_set_new(o, "agency_id", json_str_or_null(r->agency_id));
    if (v->employer != NULL)
        json_object_set_new(o, "employer", json_string(v->employer));
    if (v->has_survivor)
        json_object_set_new(o, "survivor", json_survivor(&v->survivor));
    if (v->has_duplicates)
        json_object_set_new(o, "possible_duplicates", json_duplicates(v));
    return o;
}

json_t *json_place(const struct place *p)
{
    return json_pack("{s:s, s:s, s:s, s:o, s:o}", "code", p->code, "level",
                     place_level_code(p->level), "name_km", p->name_km ? p->name_km : "", "name_en",
                     json_str_or_null(p->name_latn), "parent", json_str_or_null(p->parent));
}

json_t *json_list(json_t *items, const char *cursor)
{
    return json_pack("{s:o, s:o}", "items", items, "next_cursor", json_str_or_null(cursor));
}

/* ---- declared input (domain/fields.h) ---- */

static void jin_field(json_t *v, const struct fieldset *fs, int i, void *in, struct fielderrs *fe);

void jin_fields(json_t *o, const struct fieldset *fs, void *in, struct fielderrs *fe)
{
    for (int i = 0; i < fs->n; i++) {
        json_t *v = json_object_get(o, fs->fields[i].name);
        if (v == NULL)
            continue;
        if (json_is_null(v)) {
            fields_mark(fs, in, i, true);
            continue;
        }
        jin_field(v, fs, i, in, fe);
    }
}

/* Fills a list of strings: at most max kept, the count max + 1 when longer. */
static bool jin_strings(json_t *v, const struct field *f, void *in)
{
    if (!json_is_array(v))
        return false;
    size_t n = json_array_size(v);
    const char **out = field_at(in, f->off);
    for (size_t k = 0; k < n; k++) {
        json_t *s = json_array_get(v, k);
        if (!json_is_string(s))
            return false;
        if (k < (size_t)f->max)
            out[k] = json_string_value(s);
    }
    *(int *)field_at(in, f->count) = n > (size_t)f->max ? f->max + 1 : (int)n;
    return true;
}

static bool jin_list(json_t *v, const struct field *f, void *in, struct fielderrs *fe)
{
    if (!json_is_array(v))
        return false;
    size_t n = json_array_size(v);
    for (size_t k = 0; k < n; k++)
        if (!json_is_object(json_array_get(v, k)))
            return false;
    for (size_t k = 0; k < n && k < (size_t)f->max; k++)
        jin_fields(json_array_get(v, k), f->sub, field_at(in, f->off + k * f->elem), fe);
    *(int *)field_at(in, f->count) = n > (size_t)f->max ? f->max + 1 : (int)n;
    return true;
}

static void jin_field(json_t *v, const struct fieldset *fs, int i, void *in, struct fielderrs *fe)
{
    const struct field *f = &fs->fields[i];
    const char *expect = NULL;
    switch (f->type) {
    case FT_INT:
    case FT_YEAR:
        if (json_is_integer(v) && json_integer_value(v) >= INT_MIN + 1 &&
            json_integer_value(v) <= INT_MAX)
            *(int *)field_at(in, f->off) = (int)json_integer_value(v);
        else
            expect = "must be a whole number";
        break;
    case FT_BOOL:
        if (json_is_boolean(v))
            *(bool *)field_at(in, f->off) = json_is_true(v);
        else
            expect = "must be true or false";
        break;
    case FT_CODES:
    case FT_ISO2S:
    case FT_PLACES:
    case FT_INDICATORS:
        if (!jin_strings(v, f, in))
            expect = "must be an array of strings";
        break;
    case FT_OBJECT:
        if (json_is_object(v)) {
            *(bool *)field_at(in, f->count) = true;
            jin_fields(v, f->sub, field_at(in, f->off), fe);
        } else {
            expect = "must be an object";
        }
        break;
    case FT_LIST:
        if (!jin_list(v, f, in, fe))
            expect = "must be an array of objects";
        break;
    default:
        if (json_is_string(v))
            *(const char **)field_at(in, f->off) = json_string_value(v);
        else
            expect = "must be a string";
        break;
    }
    if (expect != NULL)
        fielderr(fe, f->path, expect);
    else
        fields_mark(fs, in, i, false);
}

json_t *json_service(const struct service_rec *v)
{
    json_t *o = json_pack(
        "{s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:i}", "id", v->id, "organization_id",
        v->organization_id, "type", v->type, "name", v->name != NULL ? v->name : "", "areas",
        stored_json(v->areas, json_array()), "location_code",
        v->location_code[0] != '\0' ? json_string(v->location_code) : json_null(), "contact",
        v->contact != NULL ? json_string(v->contact) : json_null(), "hours",
        v->hours != NULL ? json_string(v->hours) : json_null(), "languages",
        stored_json(v->languages, json_array()), "version", v->version);
    if (v->eligibility != NULL)
        json_object_set_new(o, "eligibility", json_string(v->eligibility));
    return o;
}
