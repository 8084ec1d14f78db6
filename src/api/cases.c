/* POST/GET /api/v1/cases and GET /api/v1/cases/{id}. */
#include "domain/cases.h"
#include "api/handlers.h"
#include "api/json_io.h"
#include "domain/casework.h"

void api_case_report(struct req *r, struct resp *w)
{
    struct ctx cx;
    struct fielderrs fe = {0};
    struct case_report_in in;
    struct case_view v = {0};
    json_t *body;

    if (!api_ctx(r, w, &cx) || (body = api_body(r, w)) == NULL)
        return;
    case_report_in_init(&in);
    jin_fields(body, &case_report_fields, &in, &fe);
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
    q.risk = req_query(r, "risk");
    q.urgent = req_query(r, "urgent");
    q.overdue = req_query(r, "overdue");
    q.assigned_to = req_query(r, "assigned_to");
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
    struct case_dossier d;
    if (!api_ctx(r, w, &cx))
        return;
    enum err e = case_dossier_get(&cx, r->params[0], &d);
    if (e == ERR_OK)
        resp_json(w, 200, json_dossier(&d));
    else
        api_error(w, e, NULL);
    case_dossier_free(&d);
}
