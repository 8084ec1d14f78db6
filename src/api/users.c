/* POST/GET /api/v1/users, POST /users/{id}/approve. */
#include <string.h>

#include "api/handlers.h"
#include "api/json_io.h"
#include "domain/users.h"

void api_user_create(struct req *r, struct resp *w)
{
    struct ctx cx;
    struct fielderrs fe = {0};
    struct user_in in = {0};
    struct user_rec u = {0};
    json_t *body;

    if (!api_ctx(r, w, &cx) || (body = api_body(r, w)) == NULL)
        return;
    jin_fields(body, &user_fields, &in, &fe);
    enum err e = fe.n > 0 ? ERR_VALIDATION : user_create(&cx, &in, &u, &fe);
    if (e == ERR_OK)
        resp_json(w, 201, json_user(&u));
    else
        api_error(w, e, &fe);
    user_rec_free(&u);
    json_decref(body);
}

void api_user_approve(struct req *r, struct resp *w)
{
    struct ctx cx;
    struct fielderrs fe = {0};
    struct user_rec u = {0};
    struct user_approve_in in;
    json_t *body;
    if (!api_ctx(r, w, &cx) || (body = api_body(r, w)) == NULL)
        return;
    memset(&in, 0, sizeof in);
    fields_init(&user_approve_fields, &in);
    jin_fields(body, &user_approve_fields, &in, &fe);
    enum err e = fe.n > 0 ? ERR_VALIDATION : fields_check(&cx, &user_approve_fields, &in, &fe);
    if (e == ERR_OK)
        e = user_approve(&cx, r->params[0], in.version, &u, &fe);
    if (e == ERR_OK)
        resp_json(w, 200, json_user(&u));
    else
        api_error(w, e, &fe);
    user_rec_free(&u);
    json_decref(body);
}

void api_user_list(struct req *r, struct resp *w)
{
    struct ctx cx;
    struct user_rec *items = NULL;
    size_t n = 0;
    if (!api_ctx(r, w, &cx))
        return;
    enum err e = user_list(&cx, &items, &n);
    if (e != ERR_OK) {
        api_error(w, e, NULL);
        return;
    }
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_user(&items[i]));
    user_list_free(items, n);
    resp_json(w, 200, json_list(a, NULL));
}

void api_user_patch(struct req *r, struct resp *w)
{
    struct ctx cx;
    struct fielderrs fe = {0};
    struct user_patch_in in;
    struct user_rec u = {0};
    json_t *body;
    if (!api_ctx(r, w, &cx) || (body = api_body(r, w)) == NULL)
        return;
    user_patch_in_init(&in);
    jin_fields(body, &user_patch_fields, &in, &fe);
    enum err e = fe.n > 0 ? ERR_VALIDATION : user_update(&cx, r->params[0], &in, &u, &fe);
    if (e == ERR_OK)
        resp_json(w, 200, json_user(&u));
    else
        api_error(w, e, &fe);
    user_rec_free(&u);
    json_decref(body);
}

/* GET /api/v1/users/changes: the account changes of the caller's
 * organization, newest first. */
void api_user_changes(struct req *r, struct resp *w)
{
    struct ctx cx;
    struct fielderrs fe = {0};
    struct audit_rec *items = NULL;
    size_t n = 0;
    char next[USER_CHANGES_CURSOR_SIZE];
    if (!api_ctx(r, w, &cx))
        return;
    int limit = query_limit(r, 200, &fe);
    enum err e = fe.n > 0 ? ERR_VALIDATION
                          : user_changes(&cx, req_query(r, "cursor"), limit, &items, &n, next, &fe);
    if (e != ERR_OK) {
        api_error(w, e, &fe);
        return;
    }
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++) {
        const struct audit_rec *h = &items[i];
        json_array_append_new(
            a, json_pack("{s:I, s:s, s:o, s:s, s:s, s:o}", "seq", (json_int_t)h->seq, "at", h->at,
                         "by", json_str_or_null(h->user_id), "account", h->record_id, "change",
                         user_change_kind(h), "detail", json_str_or_null(h->detail)));
    }
    audit_list_free(items, n);
    resp_json(w, 200, json_list(a, next[0] != '\0' ? next : NULL));
}
