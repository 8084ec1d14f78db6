/* GET /api/v1/agencies?q=&on= and /api/v1/agencies/{id}: the recruitment
 * agencies and whether each is licensed on a date. */
#include "domain/agencies.h"
#include "api/handlers.h"
#include "api/json_io.h"

json_t *json_agency(const struct agency_rec *a)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:b, s:s, s:o}", "id", a->id, "name_km",
                     a->name_km != NULL ? a->name_km : "", "name_en",
                     a->name_en != NULL ? a->name_en : "", "licence_no", a->licence_no, "licensed",
                     a->licensed, "licence_valid_until", a->licence_valid_until, "source_date",
                     json_str_or_null(a->source_date));
}

json_t *json_shown_count(const struct shown_count *c)
{
    return json_pack("{s:o, s:b}", "value", c->suppressed ? json_null() : json_integer(c->value),
                     "suppressed", c->suppressed);
}

json_t *json_agency_indicators(const struct agency_indicators *a)
{
    json_t *by = json_array();
    for (size_t i = 0; i < a->nby_indicator; i++) {
        json_t *o = json_shown_count(&a->by_indicator[i].count);
        json_object_set_new(o, "code", json_string(a->by_indicator[i].code));
        json_array_append_new(by, o);
    }
    return json_pack("{s:i, s:o, s:o}", "k", a->total.k, "total", json_shown_count(&a->total),
                     "by_indicator", by);
}

void api_agency_list(struct req *r, struct resp *w)
{
    struct ctx cx;
    struct fielderrs fe = {0};
    struct agency_rec *items = NULL;
    size_t n = 0;
    char cursor[ID_SIZE];

    if (!api_ctx(r, w, &cx))
        return;
    struct agency_query q = {.q = req_query(r, "q"),
                             .on = req_query(r, "on"),
                             .limit = query_limit(r, 500, &fe),
                             .cursor = req_query(r, "cursor"),
                             .lang = r->lang};
    enum err e = fe.n > 0 ? ERR_VALIDATION : agency_list(&cx, &q, &items, &n, cursor, &fe);
    if (e != ERR_OK) {
        api_error(w, e, &fe);
        return;
    }
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_agency(&items[i]));
    agency_list_free(items, n);
    resp_json(w, 200, json_list(a, cursor[0] != '\0' ? cursor : NULL));
}

void api_agency_get(struct req *r, struct resp *w)
{
    struct ctx cx;
    struct fielderrs fe = {0};
    struct agency_rec a = {0};

    if (!api_ctx(r, w, &cx))
        return;
    struct agency_indicators ind = {0};
    enum err e = agency_get(&cx, r->params[0], req_query(r, "on"), &a, &fe);
    /* The figures only for the roles allowed them; the rest get the
     * agency without the member. */
    bool figures = e == ERR_OK && agency_indicators_allowed(&cx);
    if (figures)
        e = agency_indicator_counts(&cx, a.id, &ind);
    if (e == ERR_OK) {
        json_t *o = json_agency(&a);
        if (figures)
            json_object_set_new(o, "indicator_cases", json_agency_indicators(&ind));
        resp_json(w, 200, o);
    } else {
        api_error(w, e, &fe);
    }
    agency_indicators_free(&ind);
    agency_rec_free(&a);
}
