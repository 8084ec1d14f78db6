/* GET /api/v1/locations?parent=CODE | ?q=TEXT: the gazetteer. */
#include <stdlib.h>
#include <string.h>

#include "api/handlers.h"
#include "api/json_io.h"
#include "app.h"
#include "util/utf8.h"

#define PLACE_SEARCH_DEFAULT  20
#define PLACE_QUERY_MAX_CHARS 100

void api_location_list(struct req *r, struct resp *w)
{
    struct ctx cx;
    struct fielderrs fe = {0};
    const struct place **items = NULL;
    size_t n = 0;

    if (!api_ctx(r, w, &cx))
        return;
    if (!perm_allows(r->actor->role, ACT_LOCATION_READ)) {
        resp_error(w, ERR_FORBIDDEN, NULL);
        return;
    }
    const char *parent = req_query(r, "parent");
    const char *q = req_query(r, "q");
    int limit = query_limit(r, 500, &fe);
    if (q != NULL && (q[0] == '\0' || strlen(q) > PLACE_QUERY_MAX_CHARS * 4 ||
                      utf8_length(q, strlen(q)) > PLACE_QUERY_MAX_CHARS))
        fielderr(&fe, "q", "1 to 100 characters");
    if (fe.n > 0) {
        resp_error(w, ERR_VALIDATION, &fe);
        return;
    }
    if (q != NULL) {
        n = places_search(cx.places, q, limit > 0 ? (size_t)limit : PLACE_SEARCH_DEFAULT, &items);
    } else {
        if (parent != NULL && parent[0] != '\0' &&
            (strlen(parent) >= CODE_SIZE || places_get(cx.places, parent) == NULL)) {
            resp_error(w, ERR_NOT_FOUND, NULL);
            return;
        }
        n = places_children(cx.places, parent, r->lang, &items);
        if (limit > 0 && n > (size_t)limit)
            n = (size_t)limit;
    }
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_place(items[i]));
    free(items);
    resp_json(w, 200, json_list(a, NULL));
}
