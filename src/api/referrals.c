/* Consent records, referrals, slips and organizations over the API. Each
 * handler decodes its declared fields, calls one domain function and
 * encodes what the domain's view holds: a referral's parts are those of
 * its mask, decided in the domain. */
#include <string.h>

#include "api/handlers.h"
#include "api/json_io.h"
#include "domain/referrals.h"
#include "domain/users.h"

/* ---- encoders ---- */

json_t *json_consent(const struct consent_view *v)
{
    const struct consent_rec *r = &v->rec;
    json_t *o = json_pack("{s:s, s:s, s:s, s:o, s:o, s:b, s:s, s:s, s:s, s:s, s:o}", "id", r->id,
                          "case_id", r->case_id, "purpose", r->purpose, "organization_id",
                          json_str_or_null(r->organization_id), "service_type",
                          json_str_or_null(r->service_type), "given", r->given, "method", r->method,
                          "by", r->given_by, "recorded_by", r->recorded_by, "created_at",
                          r->created_at, "withdrawn_at", json_str_or_null(r->withdrawn_at));
    if (v->withdraw_reason != NULL)
        json_object_set_new(o, "withdraw_reason", json_string(v->withdraw_reason));
    return o;
}

static json_t *strings(const char (*v)[24], int n)
{
    json_t *a = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(a, json_string(v[i]));
    return a;
}

json_t *json_referral(const struct referral_view *v)
{
    const struct referral_rec *r = &v->rec;
    json_t *o = json_pack(
        "{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:s, s:s, s:s, s:s, s:b, s:i}", "id", r->id,
        "case_id", r->case_id, "case_code", r->case_code, "service_id", r->service_id,
        "organization_id", r->organization_id, "service_type", r->service_type, "status", r->status,
        "urgency", r->urgency, "consent_override", r->consent_override, "created_by", r->created_by,
        "created_at", r->created_at, "updated_at", r->updated_at, "due_at", r->due_at, "overdue",
        v->overdue, "version", r->version);
    json_object_set_new(o, "survivor",
                        json_pack("{s:o, s:o, s:o}", "sex", json_str_or_null(v->survivor_sex),
                                  "age_band", json_str_or_null(v->age_band), "concerns",
                                  strings(v->concerns, v->nconcerns)));
    if (v->mask & RP_REASON) {
        json_object_set_new(o, "reason", json_string(v->reason != NULL ? v->reason : ""));
        if (v->override_reason != NULL)
            json_object_set_new(o, "override", json_pack("{s:s}", "reason", v->override_reason));
    }
    if (v->service_name != NULL)
        json_object_set_new(o, "service_name", json_string(v->service_name));
    if (v->organization_name != NULL)
        json_object_set_new(o, "organization_name", json_string(v->organization_name));
    if (v->has_identity) {
        const struct referral_identity *id = &v->identity;
        json_object_set_new(o, "identity",
                            json_pack("{s:o, s:o, s:o, s:o, s:o}", "name_km",
                                      json_str_or_null(id->name_km), "name_latn",
                                      json_str_or_null(id->name_latn), "phone",
                                      json_str_or_null(id->phone), "address_text",
                                      json_str_or_null(id->address_text), "birth_date",
                                      json_str_or_null(id->birth_date)));
    }
    if (v->mask & RP_SLIP)
        json_object_set_new(o, "slip",
                            json_pack("{s:s, s:o}", "verification_code", v->slip_code, "contact",
                                      json_str_or_null(v->contact)));
    if (v->mask & RP_HISTORY) {
        json_t *h = json_array();
        for (size_t i = 0; i < v->nmoves; i++) {
            const struct referral_move *m = &v->moves[i];
            json_t *e = json_pack("{s:s, s:s, s:o}", "at", m->rec.at, "status", m->rec.status,
                                  "user", json_str_or_null(m->rec.user_id));
            if (m->note != NULL)
                json_object_set_new(e, "note", json_string(m->note));
            json_array_append_new(h, e);
        }
        json_object_set_new(o, "history", h);
    }
    return o;
}

/* ---- organizations ---- */

void api_org_list(struct req *r, struct resp *w)
{
    struct ctx cx;
    struct org_rec *items = NULL;
    size_t n = 0;
    if (!api_ctx(r, w, &cx))
        return;
    enum err e = org_list(&cx, &items, &n);
    if (e != ERR_OK) {
        api_error(w, e, NULL);
        return;
    }
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_pack("{s:s, s:s, s:s}", "id", items[i].id, "name",
                                           items[i].name != NULL ? items[i].name : "", "kind",
                                           items[i].kind));
    org_list_free(items, n);
    resp_json(w, 200, json_list(a, NULL));
}

/* ---- consents ---- */

void api_consent_add(struct req *r, struct resp *w)
{
    struct ctx cx;
    struct fielderrs fe = {0};
    struct consent_in in;
    struct consent_view v = {0};
    json_t *body;
    if (!api_ctx(r, w, &cx) || (body = api_body(r, w)) == NULL)
        return;
    memset(&in, 0, sizeof in);
    jin_fields(body, &consent_fields, &in, &fe);
    enum err e = fe.n > 0 ? ERR_VALIDATION : consent_record(&cx, r->params[0], &in, &v, &fe);
    if (e == ERR_OK)
        resp_json(w, 201, json_consent(&v));
    else
        api_error(w, e, &fe);
    consent_view_free(&v);
    json_decref(body);
}

void api_consent_list(struct req *r, struct resp *w)
{
    struct ctx cx;
    struct consent_view *items = NULL;
    size_t n = 0;
    if (!api_ctx(r, w, &cx))
        return;
    enum err e = consent_list(&cx, r->params[0], &items, &n);
    if (e != ERR_OK) {
        api_error(w, e, NULL);
        return;
    }
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_consent(&items[i]));
    consent_views_free(items, n);
    resp_json(w, 200, json_list(a, NULL));
}

void api_consent_withdraw(struct req *r, struct resp *w)
{
    struct ctx cx;
    struct fielderrs fe = {0};
    struct consent_withdraw_in in = {0};
    struct consent_view v = {0};
    json_t *body;
    if (!api_ctx(r, w, &cx) || (body = api_body(r, w)) == NULL)
        return;
    jin_fields(body, &consent_withdraw_fields, &in, &fe);
    enum err e =
        fe.n > 0 ? ERR_VALIDATION : consent_withdraw(&cx, r->params[0], r->params[1], &in, &v, &fe);
    if (e == ERR_OK)
        resp_json(w, 200, json_consent(&v));
    else
        api_error(w, e, &fe);
    consent_view_free(&v);
    json_decref(body);
}

/* ---- referrals ---- */

static void answer_referral(struct resp *w, int status, enum err e, struct referral_view *v,
                            const struct fielderrs *fe)
{
    if (e == ERR_OK)
        resp_json(w, status, json_referral(v));
    else
        api_error(w, e, fe);
    referral_view_free(v);
}

void api_referral_create(struct req *r, struct resp *w)
{
    struct ctx cx;
    struct fielderrs fe = {0};
    struct referral_in in;
    struct referral_view v = {0};
    json_t *body;
    if (!api_ctx(r, w, &cx) || (body = api_body(r, w)) == NULL)
        return;
    memset(&in, 0, sizeof in);
    jin_fields(body, &referral_fields, &in, &fe);
    enum err e = fe.n > 0 ? ERR_VALIDATION : referral_create(&cx, r->params[0], &in, &v, &fe);
    answer_referral(w, 201, e, &v, &fe);
    json_decref(body);
}

void api_referral_get(struct req *r, struct resp *w)
{
    struct ctx cx;
    struct referral_view v = {0};
    if (!api_ctx(r, w, &cx))
        return;
    answer_referral(w, 200, referral_get(&cx, r->params[0], &v), &v, NULL);
}

void api_referral_patch(struct req *r, struct resp *w)
{
    struct ctx cx;
    struct fielderrs fe = {0};
    struct referral_patch_in in;
    struct referral_view v = {0};
    json_t *body;
    if (!api_ctx(r, w, &cx) || (body = api_body(r, w)) == NULL)
        return;
    referral_patch_in_init(&in);
    jin_fields(body, &referral_patch_fields, &in, &fe);
    enum err e = fe.n > 0 ? ERR_VALIDATION : referral_update(&cx, r->params[0], &in, &v, &fe);
    answer_referral(w, 200, e, &v, &fe);
    json_decref(body);
}

void api_referral_list(struct req *r, struct resp *w)
{
    struct ctx cx;
    struct fielderrs fe = {0};
    struct referral_view *items = NULL;
    size_t n = 0;
    char next[CURSOR_SIZE];
    if (!api_ctx(r, w, &cx))
        return;
    struct referral_query q = {
        .status = req_query(r, "status"),
        .overdue = req_query(r, "overdue"),
        .case_id = req_query(r, "case_id"),
        .cursor = req_query(r, "cursor"),
        .limit = query_limit(r, 500, &fe),
    };
    enum err e = fe.n > 0 ? ERR_VALIDATION : referral_list(&cx, &q, &items, &n, next, &fe);
    if (e != ERR_OK) {
        api_error(w, e, &fe);
        return;
    }
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_referral(&items[i]));
    referral_views_free(items, n);
    resp_json(w, 200, json_list(a, next[0] != '\0' ? next : NULL));
}

/* ---- the slip ---- */

void api_slip_verify(struct req *r, struct resp *w)
{
    struct ctx cx;
    struct fielderrs fe = {0};
    struct slip_verify_in in = {0};
    struct referral_view v = {0};
    bool valid = false;
    json_t *body;
    if (!api_ctx(r, w, &cx) || (body = api_body(r, w)) == NULL)
        return;
    jin_fields(body, &slip_verify_fields, &in, &fe);
    enum err e = fe.n > 0 ? ERR_VALIDATION : fields_check(&cx, &slip_verify_fields, &in, &fe);
    if (e == ERR_OK)
        e = slip_verify(&cx, in.case_code, in.code, &valid, &v);
    if (e == ERR_OK) {
        json_t *o = json_pack("{s:b}", "valid", valid);
        if (valid)
            json_object_set_new(o, "referral", json_referral(&v));
        resp_json(w, 200, o);
    } else {
        api_error(w, e, &fe);
    }
    referral_view_free(&v);
    json_decref(body);
}
