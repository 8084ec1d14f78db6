/* /api/v1/outreach: outreach sessions of the network's groups. */
#include "domain/outreach.h"
#include "api/handlers.h"
#include "api/json_io.h"

static json_t *json_outreach(const struct outreach_rec *v)
{
    json_t *topics = v->topics != NULL ? json_loads(v->topics, 0, NULL) : NULL;
    if (!json_is_array(topics)) {
        json_decref(topics);
        topics = json_array();
    }
    return json_pack("{s:s, s:s, s:s, s:s, s:o, s:{s:i, s:i, s:i}, s:o, s:s, s:i}", "id", v->id,
                     "date", v->date, "location_code", v->location_code, "group_id", v->group_id,
                     "topics", topics, "attendance", "female", v->female, "male", v->male,
                     "under_18", v->under_18, "recorded_by", json_str_or_null(v->recorded_by),
                     "created_at", v->created_at, "version", v->version);
}

void api_outreach_create(struct req *r, struct resp *w)
{
    struct ctx cx;
    struct fielderrs fe = {0};
    struct outreach_in in;
    struct outreach_rec v = {0};
    json_t *body;

    if (!api_ctx(r, w, &cx) || (body = api_body(r, w)) == NULL)
        return;
    outreach_in_init(&in);
    jin_fields(body, &outreach_fields, &in, &fe);
    enum err e = fe.n > 0 ? ERR_VALIDATION : outreach_create(&cx, &in, &v, &fe);
    if (e == ERR_OK)
        resp_json(w, 201, json_outreach(&v));
    else
        api_error(w, e, &fe);
    outreach_rec_free(&v);
    json_decref(body);
}

void api_outreach_list(struct req *r, struct resp *w)
{
    struct ctx cx;
    struct fielderrs fe = {0};
    struct outreach_rec *items = NULL;
    size_t n = 0;
    char next[CURSOR_SIZE] = "";
    if (!api_ctx(r, w, &cx))
        return;
    struct outreach_query q = {
        .group_id = req_query(r, "group_id"),
        .from = req_query(r, "from"),
        .to = req_query(r, "to"),
        .cursor = req_query(r, "cursor"),
        .limit = query_limit(r, 500, &fe),
    };
    enum err e = fe.n > 0 ? ERR_VALIDATION : outreach_list(&cx, &q, &items, &n, next, &fe);
    if (e != ERR_OK) {
        api_error(w, e, &fe);
        return;
    }
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_outreach(&items[i]));
    outreach_list_free(items, n);
    resp_json(w, 200, json_list(a, next[0] != '\0' ? next : NULL));
}
