/* Route matching never reads out of bounds and only matches what it should. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void h(struct req *r, struct resp *w)
{
    (void)r;
    (void)w;
}

static const struct route routes[] = {
    {M_GET, "/api/v1/cases", h, ROUTE_API},
    {M_GET, "/api/v1/cases/{id}", h, ROUTE_API},
    {M_POST, "/api/v1/groups/{id}/members", h, ROUTE_API},
    {M_GET, "/", h, ROUTE_PAGE},
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[1024];
    if (size >= sizeof(path))
        return 0;
    memcpy(path, data, size);
    path[size] = '\0';
    const char *params[HTTP_PARAMS_MAX];
    int n = 0;
    bool known = false;
    const struct route *rt =
        route_match(routes, sizeof(routes) / sizeof(routes[0]), M_GET, path, params, &n, &known);
    if (rt != NULL) {
        if (!known || n < 0 || n > HTTP_PARAMS_MAX)
            abort();
        for (int i = 0; i < n; i++)
            if (strlen(params[i]) == 0 || strchr(params[i], '/') != NULL)
                abort();
    }
    return 0;
}
