#include "api/api.h"
#include "api/handlers.h"

#define API  (ROUTE_API)
#define AUTH (ROUTE_API | ROUTE_AUTH)

const struct route api_routes[] = {
    {M_POST, "/api/v1/session", api_session_create, API},
    {M_DELETE, "/api/v1/session", api_session_delete, AUTH},
    {M_GET, "/api/v1/me", api_me, AUTH},
    {M_POST, "/api/v1/users", api_user_create, AUTH},
    {M_GET, "/api/v1/users", api_user_list, AUTH},
    {M_GET, "/api/v1/locations", api_location_list, AUTH},
    {M_POST, "/api/v1/groups", api_group_create, AUTH},
    {M_GET, "/api/v1/groups", api_group_list, AUTH},
    {M_GET, "/api/v1/groups/{id}", api_group_get, AUTH},
    {M_POST, "/api/v1/groups/{id}/members", api_member_add, AUTH},
    {M_GET, "/api/v1/groups/{id}/members", api_member_list, AUTH},
    {M_POST, "/api/v1/cases", api_case_report, AUTH},
    {M_GET, "/api/v1/cases", api_case_list, AUTH},
    {M_GET, "/api/v1/cases/{id}", api_case_get, AUTH},
    {M_POST, "/api/v1/cases/{id}/incidents", api_incident_add, AUTH},
    {M_GET, "/api/v1/cases/{id}/incidents", api_incident_list, AUTH},
};
const size_t api_nroutes = sizeof(api_routes) / sizeof(api_routes[0]);
