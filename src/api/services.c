/* /api/v1/services: the service directory. */
#include "domain/services.h"
#include "api/handlers.h"
#include "api/json_io.h"

void api_service_create(struct req *r, struct resp *w)
{
    struct ctx cx;
    struct fielderrs fe = {0};
    struct service_in in;
    struct service_rec v = {0};
    json_t *body;

    if (!api_ctx(r, w, &cx) || (body = api_body(r, w)) == NULL)
        return;
    service_in_init(&in);
    jin_fields(body, &service_fields, &in, &fe);
    enum err e = fe.n > 0 ? ERR_VALIDATION : service_create(&cx, &in, &v, &fe);
    if (e == ERR_OK)
        resp_json(w, 201, json_service(&v));
    else
        api_error(w, e, &fe);
    service_rec_free(&v);
    json_decref(body);
}

void api_service_patch(struct req *r, struct resp *w)
{
    struct ctx cx;
    struct fielderrs fe = {0};
    struct service_in in;
    struct service_rec v = {0};
    json_t *body;

    if (!api_ctx(r, w, &cx) || (body = api_body(r, w)) == NULL)
        return;
    service_in_init(&in);
    jin_fields(body, &service_patch_fields, &in, &fe);
    enum err e = fe.n > 0 ? ERR_VALIDATION : service_update(&cx, r->params[0], &in, &v, &fe);
    if (e == ERR_OK)
        resp_json(w, 200, json_service(&v));
    else
        api_error(w, e, &fe);
    service_rec_free(&v);
    json_decref(body);
}

void api_service_list(struct req *r, struct resp *w)
{
    struct ctx cx;
    struct fielderrs fe = {0};
    struct service_rec *items = NULL;
    size_t n = 0;
    if (!api_ctx(r, w, &cx))
        return;
    enum err e = service_list(&cx, req_query(r, "type"), req_query(r, "location"), &items, &n, &fe);
    if (e != ERR_OK) {
        api_error(w, e, &fe);
        return;
    }
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_service(&items[i]));
    service_list_free(items, n);
    resp_json(w, 200, json_list(a, NULL));
}
