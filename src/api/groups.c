/* /api/v1/groups and /api/v1/groups/{id}/members. */
#include "api/handlers.h"
#include "api/json_io.h"
#include "domain/network.h"

void api_group_create(struct req *r, struct resp *w)
{
    struct ctx cx;
    struct fielderrs fe = {0};
    struct group_in in = {0};
    struct group_rec g = {0};
    json_t *body;

    if (!api_ctx(r, w, &cx) || (body = api_body(r, w)) == NULL)
        return;
    jin_fields(body, &group_fields, &in, &fe);
    enum err e = fe.n > 0 ? ERR_VALIDATION : group_create(&cx, &in, &g, &fe);
    if (e == ERR_OK)
        resp_json(w, 201, json_group(&g));
    else
        api_error(w, e, &fe);
    group_rec_free(&g);
    json_decref(body);
}

void api_group_list(struct req *r, struct resp *w)
{
    struct ctx cx;
    struct group_rec *items = NULL;
    size_t n = 0;
    if (!api_ctx(r, w, &cx))
        return;
    enum err e = group_list(&cx, &items, &n);
    if (e != ERR_OK) {
        api_error(w, e, NULL);
        return;
    }
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_group(&items[i]));
    group_list_free(items, n);
    resp_json(w, 200, json_list(a, NULL));
}

void api_group_get(struct req *r, struct resp *w)
{
    struct ctx cx;
    struct group_rec g = {0};
    if (!api_ctx(r, w, &cx))
        return;
    enum err e = group_get(&cx, r->params[0], &g);
    if (e == ERR_OK)
        resp_json(w, 200, json_group(&g));
    else
        api_error(w, e, NULL);
    group_rec_free(&g);
}

void api_member_add(struct req *r, struct resp *w)
{
    struct ctx cx;
    struct fielderrs fe = {0};
    struct member_in in;
    struct member_view m = {0};
    json_t *body;

    if (!api_ctx(r, w, &cx) || (body = api_body(r, w)) == NULL)
        return;
    member_in_init(&in);
    jin_fields(body, &member_fields, &in, &fe);
    enum err e = fe.n > 0 ? ERR_VALIDATION : member_add(&cx, r->params[0], &in, &m, &fe);
    if (e == ERR_OK)
        resp_json(w, 201, json_member(&m));
    else
        api_error(w, e, &fe);
    member_view_free(&m);
    json_decref(body);
}

void api_member_list(struct req *r, struct resp *w)
{
    struct ctx cx;
    struct member_view *items = NULL;
    struct fielderrs fe = {0};
    size_t n = 0;
    if (!api_ctx(r, w, &cx))
        return;
    enum err e = member_search(&cx, r->params[0], req_query(r, "q"), &items, &n, &fe);
    if (e != ERR_OK) {
        api_error(w, e, &fe);
        return;
    }
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_member(&items[i]));
    member_views_free(items, n);
    resp_json(w, 200, json_list(a, NULL));
}

void api_group_patch(struct req *r, struct resp *w)
{
    struct ctx cx;
    struct fielderrs fe = {0};
    struct group_patch_in in;
    struct group_rec g = {0};
    json_t *body;
    if (!api_ctx(r, w, &cx) || (body = api_body(r, w)) == NULL)
        return;
    group_patch_in_init(&in);
    jin_fields(body, &group_patch_fields, &in, &fe);
    enum err e = fe.n > 0 ? ERR_VALIDATION : group_update(&cx, r->params[0], &in, &g, &fe);
    if (e == ERR_OK)
        resp_json(w, 200, json_group(&g));
    else
        api_error(w, e, &fe);
    group_rec_free(&g);
    json_decref(body);
}

void api_member_patch(struct req *r, struct resp *w)
{
    struct ctx cx;
    struct fielderrs fe = {0};
    struct member_in in;
    struct member_view m = {0};
    json_t *body;
    if (!api_ctx(r, w, &cx) || (body = api_body(r, w)) == NULL)
        return;
    member_in_init(&in);
    jin_fields(body, &member_patch_fields, &in, &fe);
    enum err e = fe.n > 0 ? ERR_VALIDATION : member_update(&cx, r->params[0], &in, &m, &fe);
    if (e == ERR_OK)
        resp_json(w, 200, json_member(&m));
    else
        api_error(w, e, &fe);
    member_view_free(&m);
    json_decref(body);
}
