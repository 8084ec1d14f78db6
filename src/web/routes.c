/* The page routes. /cases/new and /cases/search come before /cases/{id}. */
#include "web/web.h"

#include "web/page.h"

#define PAGE      ROUTE_PAGE
#define SIGNED_IN (ROUTE_PAGE | ROUTE_AUTH)

const struct route web_routes[] = {
    {M_GET, "/", web_home, PAGE},
    {M_GET, "/login", web_login_form, PAGE},
    /* The server checks the pre-session CSRF token (cookie cbpn_pre). */
    {M_POST, "/login", web_login, PAGE},
    {M_POST, "/logout", web_logout, SIGNED_IN},
    {M_GET, "/cases", web_cases, SIGNED_IN},
    {M_POST, "/cases", web_case_create, SIGNED_IN | ROUTE_CREATE},
    /* A search by name is a POST: the name must never be in a URL. */
    {M_POST, "/cases/search", web_cases_search, SIGNED_IN},
    {M_GET, "/cases/new", web_case_new, SIGNED_IN},
    {M_GET, "/cases/{id}", web_case_show, SIGNED_IN},
    {M_GET, "/assets/{name}", web_asset, PAGE},
};

const size_t web_nroutes = sizeof web_routes / sizeof web_routes[0];
