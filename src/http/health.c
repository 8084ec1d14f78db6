#include "http/http.h"

/* GET /healthz: 200 when the database answers. */
void http_healthz(struct req *r, struct resp *w)
{
    enum err e = store_ping(r->db);
    if (e != ERR_OK) {
        resp_error(w, ERR_UNAVAILABLE, NULL);
        return;
    }
    resp_json(w, 200, json_pack("{s:s}", "status", "ok"));
}
