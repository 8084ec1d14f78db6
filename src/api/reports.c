/* GET /api/v1/reports/indicators (API.md "Reports, exports, audit"): the
 * donor indicators of domain/report.h as JSON. cbpn report --format json
 * prints exactly this answer (json_report). */
#include <jansson.h>
#include <string.h>

#include "api/handlers.h"
#include "api/json_io.h"
#include "domain/report.h"

static json_t *json_value(const struct report_value *v, enum report_kind kind)
{
    if (v->suppressed || v->absent)
        return json_null();
    if (kind == REPORT_COUNT)
        return json_integer((json_int_t)v->value);
    return json_real(v->value);
}

static json_t *json_cell(const struct report_value *v, enum report_kind kind)
{
    return json_pack("{s:o, s:b}", "value", json_value(v, kind), "suppressed", v->suppressed);
}

static json_t *json_series(const struct report_series *s)
{
    json_t *pts = json_array();
    for (size_t i = 0; i < s->n; i++)
        json_array_append_new(pts, json_pack("{s:s, s:o, s:b}", "key", s->points[i].key, "value",
                                             json_value(&s->points[i].v, REPORT_COUNT),
                                             "suppressed", s->points[i].v.suppressed));
    return json_pack("{s:s, s:o}", "indicator", s->indicator, "points", pts);
}

json_t *json_report(const struct report *r)
{
    json_t *a = json_array();
    for (size_t i = 0; i < r->n; i++) {
        const struct report_ind *ri = &r->inds[i];
        json_t *bd = json_object();
        for (size_t d = 0; d < ri->ndims; d++) {
            json_t *cats = json_object();
            for (size_t c = 0; c < ri->dims[d].n; c++)
                json_object_set_new(cats, ri->dims[d].cats[c].code,
                                    json_cell(&ri->dims[d].cats[c].v, ri->kind));
            json_object_set_new(bd, ri->dims[d].name, cats);
        }
        json_array_append_new(a, json_pack("{s:s, s:o, s:b, s:o}", "code", ri->code, "value",
                                           json_value(&ri->v, ri->kind), "suppressed",
                                           ri->v.suppressed, "breakdown", bd));
    }
    json_t *trends = json_array();
    for (size_t i = 0; i < r->ntrends; i++)
        json_array_append_new(trends, json_series(&r->trends[i]));
    return json_pack("{s:s, s:s, s:o, s:i, s:s, s:o, s:o, s:o}", "from", r->from, "to", r->to,
                     "district", json_str_or_null(r->area[0] ? r->area : NULL), "k", r->k,
                     "as_of", r->as_of, "indicators", a, "trends", trends, "by_area",
                     json_series(&r->by_area));
}

void api_report_indicators(struct req *r, struct resp *w)
{
    struct ctx cx;
    struct fielderrs fe = {0};
    if (!api_ctx(r, w, &cx))
        return;
    struct report_query q = {req_query(r, "from"), req_query(r, "to"), req_query(r, "district")};
    struct report rep;
    enum err e = report_indicators(&cx, &q, &rep, &fe);
    if (e != ERR_OK) {
        api_error(w, e, &fe);
        return;
    }
    resp_json(w, 200, json_report(&rep));
    report_free(&rep);
}
