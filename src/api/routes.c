#include "api/api.h"
#include "api/handlers.h"

#define API    (ROUTE_API)
#define AUTH   (ROUTE_API | ROUTE_AUTH)
#define CREATE (ROUTE_API | ROUTE_AUTH | ROUTE_CREATE)

const struct route api_routes[] = {
    {M_POST, "/api/v1/session", api_session_create, API},
    {M_DELETE, "/api/v1/session", api_session_delete, AUTH},
    {M_GET, "/api/v1/me", api_me, AUTH},
    {M_POST, "/api/v1/users", api_user_create, CREATE},
    {M_GET, "/api/v1/users", api_user_list, AUTH},
    {M_GET, "/api/v1/locations", api_location_list, AUTH},
    {M_POST, "/api/v1/groups", api_group_create, CREATE},
    {M_GET, "/api/v1/groups", api_group_list, AUTH},
    {M_GET, "/api/v1/groups/{id}", api_group_get, AUTH},
    {M_POST, "/api/v1/groups/{id}/members", api_member_add, CREATE},
    {M_GET, "/api/v1/groups/{id}/members", api_member_list, AUTH},
    {M_POST, "/api/v1/services", api_service_create, CREATE},
    {M_GET, "/api/v1/services", api_service_list, AUTH},
    {M_PATCH, "/api/v1/services/{id}", api_service_patch, AUTH},
    {M_POST, "/api/v1/cases", api_case_report, CREATE},
    {M_GET, "/api/v1/cases", api_case_list, AUTH},
    {M_GET, "/api/v1/cases/{id}", api_case_get, AUTH},
    {M_PATCH, "/api/v1/cases/{id}", api_case_patch, AUTH},
    {M_POST, "/api/v1/cases/{id}/assign", api_case_assign, AUTH},
    {M_POST, "/api/v1/cases/{id}/closure", api_case_closure, AUTH},
    {M_POST, "/api/v1/cases/{id}/closure/approve", api_case_closure_approve, AUTH},
    {M_POST, "/api/v1/cases/{id}/reopen", api_case_reopen, AUTH},
    {M_GET, "/api/v1/cases/{id}/timeline", api_case_timeline, AUTH},
    {M_GET, "/api/v1/cases/{id}/history", api_case_history, AUTH},
    {M_POST, "/api/v1/cases/{id}/notes", api_note_add, CREATE},
    {M_GET, "/api/v1/cases/{id}/notes", api_note_list, AUTH},
    {M_POST, "/api/v1/cases/{id}/tasks", api_task_add, CREATE},
    {M_GET, "/api/v1/cases/{id}/tasks", api_task_list, AUTH},
    {M_PATCH, "/api/v1/tasks/{id}", api_task_patch, AUTH},
    {M_GET, "/api/v1/tasks", api_tasks_mine, AUTH},
    {M_POST, "/api/v1/cases/{id}/screenings", api_screening_add, CREATE},
    {M_GET, "/api/v1/cases/{id}/screenings", api_screening_list, AUTH},
    {M_GET, "/api/v1/screening-indicators", api_screening_indicators, AUTH},
    {M_POST, "/api/v1/cases/{id}/incidents", api_incident_add, CREATE},
    {M_GET, "/api/v1/cases/{id}/incidents", api_incident_list, AUTH},
    {M_GET, "/api/v1/organizations", api_org_list, AUTH},
    {M_POST, "/api/v1/cases/{id}/consents", api_consent_add, CREATE},
    {M_GET, "/api/v1/cases/{id}/consents", api_consent_list, AUTH},
    {M_POST, "/api/v1/cases/{id}/consents/{id}/withdraw", api_consent_withdraw, AUTH},
    {M_POST, "/api/v1/cases/{id}/referrals", api_referral_create, CREATE},
    {M_GET, "/api/v1/referrals", api_referral_list, AUTH},
    {M_POST, "/api/v1/referrals/verify", api_slip_verify, AUTH},
    {M_GET, "/api/v1/referrals/{id}", api_referral_get, AUTH},
    {M_PATCH, "/api/v1/referrals/{id}", api_referral_patch, AUTH},
};
const size_t api_nroutes = sizeof(api_routes) / sizeof(api_routes[0]);
