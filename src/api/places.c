/* GET /api/v1/locations?parent=CODE | ?q=TEXT: the gazetteer. */
#include <stdlib.h>
#include <string.h>

#include "api/handlers.h"
#include "api/json_io.h"
#include "app.h"

void api_location_list(struct req *r, struct resp *w)
{
    struct ctx cx;
    struct fielderrs fe = {0};
    const struct place **items = NULL;
    size_t n = 0;

    if (!api_ctx(r, w, &cx))
        return;
    int limit = query_limit(r, 500, &fe);
    enum err e = fe.n > 0 ? ERR_VALIDATION
                          : place_list(&cx, req_query(r, "parent"), req_query(r, "q"), limit,
                                       r->lang, &items, &n, &fe);
    if (e != ERR_OK) {
        api_error(w, e, &fe);
        return;
    }
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_place(items[i]));
    free(items);
    resp_json(w, 200, json_list(a, NULL));
}
