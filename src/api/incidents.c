/* POST and GET /api/v1/cases/{id}/incidents, and the incident's JSON. */
#include "domain/incidents.h"
#include "api/handlers.h"
#include "api/json_io.h"

/* JSON text kept by the store (codes only), or fallback when absent. */
static json_t *stored(const char *text, json_t *fallback)
{
    json_t *j = text != NULL ? json_loads(text, 0, NULL) : NULL;
    if (j == NULL)
        return fallback;
    json_decref(fallback);
    return j;
}

json_t *json_incident(const struct incident_view *v)
{
    const struct incident_rec *r = &v->rec;
    json_t *acts = json_object();
    for (int i = 0; i < ACTS_N; i++)
        json_object_set_new(acts, incident_act_code(i), json_boolean(r->acts[i]));
    json_t *o = json_pack(
        "{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:b, s:s, s:s}", "id", r->id, "case_id",
        r->case_id, "date", r->date, "reported_on", r->reported_on, "time_of_day", r->time_of_day,
        "location_type", r->location_type, "location", r->location, "migration_stage",
        r->migration_stage, "acts", acts, "goods_or_money_exchanged", r->goods_or_money_exchanged,
        "abduction", r->abduction, "reported_elsewhere", r->reported_elsewhere);
    json_object_set_new(o, "perpetrators", stored(r->perpetrators, json_array()));
    if (r->exploitation != NULL)
        json_object_set_new(o, "exploitation", stored(r->exploitation, json_object()));
    if (v->description != NULL)
        json_object_set_new(o, "description", json_string(v->description));
    json_object_set_new(o, "gbv_type", json_string(r->gbv_type));
    json_object_set_new(o, "context_flags", stored(r->context_flags, json_array()));
    json_object_set_new(o, "survivor_age",
                        r->survivor_age >= 0 ? json_integer(r->survivor_age) : json_null());
    json_object_set_new(o, "created_by", json_string(r->created_by));
    json_object_set_new(o, "created_at", json_string(r->created_at));
    return o;
}

void api_incident_add(struct req *r, struct resp *w)
{
    struct ctx cx;
    struct fielderrs fe = {0};
    struct incident_in in;
    struct incident_view v = {0};
    json_t *body;

    if (!api_ctx(r, w, &cx) || (body = api_body(r, w)) == NULL)
        return;
    incident_in_init(&in);
    jin_fields(body, &incident_fields, &in, &fe);
    /* The decoder's problems are answered after the reach check. */
    enum err e = incident_add(&cx, r->params[0], &in, &v, &fe);
    if (e == ERR_OK)
        resp_json(w, 201, json_incident(&v));
    else
        api_error(w, e, &fe);
    incident_view_free(&v);
    json_decref(body);
}

void api_incident_list(struct req *r, struct resp *w)
{
    struct ctx cx;
    struct incident_view *items = NULL;
    size_t n = 0;
    if (!api_ctx(r, w, &cx))
        return;
    enum err e = incident_list(&cx, r->params[0], &items, &n);
    if (e != ERR_OK) {
        api_error(w, e, NULL);
        return;
    }
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_incident(&items[i]));
    incident_views_free(items, n);
    resp_json(w, 200, json_list(a, NULL));
}
