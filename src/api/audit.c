/* GET /api/v1/audit, GET /api/v1/audit/verify. */
#include <sodium.h>

#include "api/handlers.h"
#include "api/json_io.h"
#include "domain/audit_log.h"

static json_t *json_audit_entry(const struct audit_rec *h)
{
    json_t *o = json_pack("{s:I, s:s, s:o, s:s, s:s, s:o, s:o}", "seq", (json_int_t)h->seq, "at",
                          h->at, "user", json_str_or_null(h->user_id), "action", h->action,
                          "record_type", h->record_type, "record_id",
                          json_str_or_null(h->record_id), "detail", json_str_or_null(h->detail));
    json_object_set_new(o, "key_id", json_str_or_null(h->key_id));
    return o;
}

void api_audit_list(struct req *r, struct resp *w)
{
    struct ctx cx;
    struct fielderrs fe = {0};
    struct audit_rec *items = NULL;
    size_t n = 0;
    char cursor[AUDIT_CURSOR_SIZE];
    if (!api_ctx(r, w, &cx))
        return;
    struct audit_log_query q = {.record_type = req_query(r, "record_type"),
                                .record_id = req_query(r, "record_id"),
                                .cursor = req_query(r, "cursor"),
                                .limit = query_limit(r, 500, &fe)};
    enum err e = fe.n > 0 ? ERR_VALIDATION : audit_log_list(&cx, &q, &items, &n, cursor, &fe);
    if (e != ERR_OK) {
        api_error(w, e, &fe);
        return;
    }
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_audit_entry(&items[i]));
    audit_list_free(items, n);
    resp_json(w, 200, json_list(a, cursor[0] != '\0' ? cursor : NULL));
}

void api_audit_verify(struct req *r, struct resp *w)
{
    struct ctx cx;
    struct audit_report rep;
    if (!api_ctx(r, w, &cx))
        return;
    enum err e = audit_log_verify(&cx, &rep);
    if (e != ERR_OK) {
        api_error(w, e, NULL);
        return;
    }
    const struct audit_check *c = &rep.check;
    json_t *o =
        json_pack("{s:b, s:I, s:I, s:I}", "ok", c->ok, "entries", (json_int_t)c->entries, "heads",
                  (json_int_t)c->heads, "bad_heads", (json_int_t)rep.bad_head_files);
    if (!c->ok && c->first_bad > 0)
        json_object_set_new(o, "first_bad", json_integer((json_int_t)c->first_bad));
    if (!c->ok && c->why != NULL)
        json_object_set_new(o, "reason", json_string(c->why));
    if (rep.has_head) {
        char link[65];
        sodium_bin2hex(link, sizeof link, rep.newest.link, 32);
        json_object_set_new(o, "head",
                            json_pack("{s:I, s:s, s:s, s:s}", "seq", (json_int_t)rep.newest.seq,
                                      "at", rep.newest.at, "server", rep.newest.server, "link",
                                      link));
    }
    resp_json(w, 200, o);
}
