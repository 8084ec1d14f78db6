/* /api/v1/migrant-advice: safe-migration advice records, with the warnings
 * their plans raise in the caller's language. */
#include "domain/migrant_advice.h"
#include <string.h>

#include "api/handlers.h"
#include "api/json_io.h"

static json_t *json_loaded(const char *text, bool object)
{
    json_t *v = text != NULL ? json_loads(text, 0, NULL) : NULL;
    if (object ? !json_is_object(v) : !json_is_array(v)) {
        json_decref(v);
        v = object ? json_object() : json_array();
    }
    return v;
}

static json_t *json_advice(const struct advice_view *v, enum lang lang)
{
    const struct advice_rec *r = &v->rec;
    json_t *person = json_pack("{s:s, s:i}", "sex", r->sex, "birth_year", r->birth_year);
    if (v->name_km != NULL)
        json_object_set_new(person, "name_km", json_string(v->name_km));
    if (v->name_latn != NULL)
        json_object_set_new(person, "name_latn", json_string(v->name_latn));
    if (v->phone != NULL)
        json_object_set_new(person, "phone", json_string(v->phone));
    json_t *warnings = json_array();
    for (size_t i = 0; i < v->nwarnings; i++)
        json_array_append_new(warnings, json_pack("{s:s, s:s}", "code", v->warnings[i].code,
                                                  "message", i18n_text(lang, v->warnings[i].why)));
    json_t *o = json_pack(
        "{s:s, s:s, s:s, s:o, s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:b, s:o, "
        "s:o, s:s, s:i}",
        "id", r->id, "group_id", r->group_id, "date", r->date, "person", person, "destination",
        r->destination, "sector", r->sector, "channel", r->channel, "agency_id",
        json_str_or_null(r->agency_id), "documents", json_loaded(r->documents, true), "risks",
        json_loaded(r->risks, false), "warnings", warnings, "follow_up_on",
        json_str_or_null(r->follow_up_on), "follow_up_done", r->follow_up_done_at[0] != '\0',
        "follow_up_done_at", json_str_or_null(r->follow_up_done_at), "recorded_by",
        json_str_or_null(r->recorded_by), "created_at", r->created_at, "version", r->version);
    if (v->has_agency_indicators)
        json_object_set_new(o, "agency_indicator_cases",
                            json_agency_indicators(&v->agency_indicators));
    return o;
}

void api_advice_create(struct req *r, struct resp *w)
{
    struct ctx cx;
    struct fielderrs fe = {0};
    struct migrant_advice_in in;
    struct advice_view v = {0};
    json_t *body;

    if (!api_ctx(r, w, &cx) || (body = api_body(r, w)) == NULL)
        return;
    migrant_advice_in_init(&in);
    jin_fields(body, &migrant_advice_fields, &in, &fe);
    enum err e = fe.n > 0 ? ERR_VALIDATION : migrant_advice_create(&cx, &in, &v, &fe);
    if (e == ERR_OK)
        resp_json(w, 201, json_advice(&v, cx.lang));
    else
        api_error(w, e, &fe);
    advice_view_free(&v);
    json_decref(body);
}

void api_advice_list(struct req *r, struct resp *w)
{
    struct ctx cx;
    struct fielderrs fe = {0};
    struct advice_view *items = NULL;
    size_t n = 0;
    char next[CURSOR_SIZE] = "";
    if (!api_ctx(r, w, &cx))
        return;
    const char *due = req_query(r, "follow_up_due");
    if (due != NULL && strcmp(due, "true") != 0 && strcmp(due, "false") != 0)
        fielderr(&fe, "follow_up_due", "true or false");
    struct migrant_advice_query q = {
        .group_id = req_query(r, "group_id"),
        .follow_up_due = due != NULL && strcmp(due, "true") == 0,
        .cursor = req_query(r, "cursor"),
        .limit = query_limit(r, 500, &fe),
    };
    enum err e = fe.n > 0 ? ERR_VALIDATION : migrant_advice_list(&cx, &q, &items, &n, next, &fe);
    if (e != ERR_OK) {
        api_error(w, e, &fe);
        return;
    }
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_advice(&items[i], cx.lang));
    advice_views_free(items, n);
    resp_json(w, 200, json_list(a, next[0] != '\0' ? next : NULL));
}

void api_advice_patch(struct req *r, struct resp *w)
{
    struct ctx cx;
    struct fielderrs fe = {0};
    struct migrant_advice_patch_in in;
    struct advice_view v = {0};
    json_t *body;
    if (!api_ctx(r, w, &cx) || (body = api_body(r, w)) == NULL)
        return;
    migrant_advice_patch_in_init(&in);
    jin_fields(body, &migrant_advice_patch_fields, &in, &fe);
    enum err e =
        fe.n > 0 ? ERR_VALIDATION : migrant_advice_follow_up_done(&cx, r->params[0], &in, &v, &fe);
    if (e == ERR_OK)
        resp_json(w, 200, json_advice(&v, cx.lang));
    else
        api_error(w, e, &fe);
    advice_view_free(&v);
    json_decref(body);
}
