/* POST/GET /api/v1/cases and GET /api/v1/cases/{id}. */
#include "domain/cases.h"
#include "api/handlers.h"
#include "api/json_io.h"

static void survivor_decode(json_t *o, struct survivor_in *s, struct fielderrs *fe)
{
    s->name_km = jin_str(o, "name_km", "survivor.name_km", fe);
    s->name_latn = jin_str(o, "name_latn", "survivor.name_latn", fe);
    s->phone = jin_str(o, "phone", "survivor.phone", fe);
    s->sex = jin_str(o, "sex", "survivor.sex", fe);
    s->birth_date = jin_str(o, "birth_date", "survivor.birth_date", fe);
    s->age = jin_int(o, "age", -1, 0, 120, "survivor.age", fe);
    s->age_estimated = jin_bool(o, "age_estimated", false, "survivor.age_estimated", fe);
    s->address_code = jin_str(o, "address_code", "survivor.address_code", fe);
    s->address_text = jin_str(o, "address_text", "survivor.address_text", fe);
}

void api_case_report(struct req *r, struct resp *w)
{
    struct ctx cx;
    struct fielderrs fe = {0};
    struct case_report_in in = {0};
    struct case_view v = {0};
    json_t *body;

    if (!api_ctx(r, w, &cx) || (body = api_body(r, w)) == NULL)
        return;
    in.location_code = jin_str(body, "location_code", "location_code", &fe);
    int n = jin_strs(body, "concerns", in.concerns, CONCERNS_MAX, "concerns", &fe);
    in.nconcerns = n < 0 ? 0 : n;
    in.summary = jin_str(body, "summary", "summary", &fe);
    json_t *s = jin_obj(body, "survivor", "survivor", &fe);
    in.survivor.age = -1;
    if (s != NULL) {
        in.has_survivor = true;
        survivor_decode(s, &in.survivor, &fe);
    }
    in.consent_to_contact = jin_bool(body, "consent_to_contact", false, "consent_to_contact", &fe);
    in.urgent = jin_bool(body, "urgent", false, "urgent", &fe);
    enum err e = fe.n > 0 ? ERR_VALIDATION : case_report(&cx, &in, &v, &fe);
    if (e == ERR_OK)
        resp_json(w, 201, json_case(&v));
    else
        api_error(w, e, &fe);
    case_view_free(&v);
    json_decref(body);
}

void api_case_list(struct req *r, struct resp *w)
{
    struct ctx cx;
    struct fielderrs fe = {0};
    struct case_query q = {0};
    struct case_view *items = NULL;
    size_t n = 0;
    char next[CURSOR_SIZE] = "";

    if (!api_ctx(r, w, &cx))
        return;
    q.status = req_query(r, "status");
    q.concern = req_query(r, "concern");
    q.q = req_query(r, "q");
    q.cursor = req_query(r, "cursor");
    q.limit = query_limit(r, 500, &fe);
    enum err e = fe.n > 0 ? ERR_VALIDATION : case_list(&cx, &q, &items, &n, next, &fe);
    if (e != ERR_OK) {
        api_error(w, e, &fe);
        return;
    }
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_case(&items[i]));
    case_views_free(items, n);
    resp_json(w, 200, json_list(a, next));
}

void api_case_get(struct req *r, struct resp *w)
{
    struct ctx cx;
    struct case_view v = {0};
    if (!api_ctx(r, w, &cx))
        return;
    enum err e = case_get(&cx, r->params[0], &v);
    if (e == ERR_OK)
        resp_json(w, 200, json_case(&v));
    else
        api_error(w, e, NULL);
    case_view_free(&v);
}
