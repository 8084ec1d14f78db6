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
    in.name = jin_str(body, "name", "name", &fe);
    in.location_code = jin_str(body, "location_code", "location_code", &fe);
    in.organization_id = jin_str(body, "organization_id", "organization_id", &fe);
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

static void returnee_decode(json_t *o, struct member_in *in, struct fielderrs *fe)
{
    in->returnee = true;
    int n = jin_strs(o, "countries", in->returnee_countries, 16, "returnee.countries", fe);
    in->ncountries = n < 0 ? 0 : n;
    in->years_abroad = jin_int(o, "years_abroad", 0, 0, 100, "returnee.years_abroad", fe);
    in->channel = jin_str(o, "channel", "returnee.channel", fe);
    in->sector = jin_str(o, "sector", "returnee.sector", fe);
}

void api_member_add(struct req *r, struct resp *w)
{
    struct ctx cx;
    struct fielderrs fe = {0};
    struct member_in in = {0};
    struct member_view m = {0};
    json_t *body;

    if (!api_ctx(r, w, &cx) || (body = api_body(r, w)) == NULL)
        return;
    in.name_km = jin_str(body, "name_km", "name_km", &fe);
    in.name_latn = jin_str(body, "name_latn", "name_latn", &fe);
    in.sex = jin_str(body, "sex", "sex", &fe);
    in.birth_year = jin_int(body, "birth_year", 0, 1900, 9999, "birth_year", &fe);
    in.phone = jin_str(body, "phone", "phone", &fe);
    int nroles = jin_strs(body, "network_roles", in.network_roles, 3, "network_roles", &fe);
    in.nroles = nroles < 0 ? 0 : nroles;
    json_t *ret = jin_obj(body, "returnee", "returnee", &fe);
    if (ret != NULL)
        returnee_decode(ret, &in, &fe);
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
    size_t n = 0;
    if (!api_ctx(r, w, &cx))
        return;
    enum err e = member_list(&cx, r->params[0], &items, &n);
    if (e != ERR_OK) {
        api_error(w, e, NULL);
        return;
    }
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_member(&items[i]));
    member_views_free(items, n);
    resp_json(w, 200, json_list(a, NULL));
}
