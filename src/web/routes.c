/* The page routes. /cases/new and /cases/search come before /cases/{id},
 * /referrals/verify before /referrals/{id}.
 *
 * FORM_POST: a signed-in form whose POST, sent after its session ended, is
 * answered with the sign-in page carrying what was typed (ROUTE_RESUME: the
 * server calls web_resume_page, web/resume.c) instead of a bare redirect;
 * with a session, the server checks the form and its CSRF token as for
 * every page POST. */
#include "web/web.h"

#include "web/page.h"

#define PAGE      ROUTE_PAGE
#define SIGNED_IN (ROUTE_PAGE | ROUTE_AUTH)
#define FORM_POST (ROUTE_PAGE | ROUTE_AUTH | ROUTE_RESUME)
/* Reached by an enrol_only session too (http/http.h): the account page,
 * its TOTP enrolment, sign-out. */
#define ENROL (ROUTE_PAGE | ROUTE_AUTH | ROUTE_ENROL)

const struct route web_routes[] = {
    {M_GET, "/", web_home, PAGE},
    {M_GET, "/login", web_login_form, PAGE},
    /* The server checks the pre-session CSRF token (cookie cbpn_pre, which
     * only the server issues: http/server.c). */
    {M_POST, "/login", web_login, PAGE},
    {M_POST, "/logout", web_logout, ENROL},
    /* The quick exit: signed in or not, a blank page that ends the session. */
    {M_GET, "/exit", web_exit, PAGE},
    {M_GET, "/account", web_account, ENROL},
    {M_POST, "/account/sessions", web_sign_out_everywhere, ENROL},
    {M_POST, "/account/totp", web_totp_enrol, ENROL},
    {M_POST, "/account/totp/confirm", web_totp_confirm, ENROL},
    {M_POST, "/account/totp/remove", web_totp_remove, ENROL},
    {M_GET, "/cases", web_cases, SIGNED_IN},
    {M_POST, "/cases", web_case_create, FORM_POST | ROUTE_CREATE},
    /* A search by name is a POST: the name must never be in a URL. */
    {M_POST, "/cases/search", web_cases_search, SIGNED_IN},
    {M_GET, "/cases/new", web_case_new, SIGNED_IN},
    {M_GET, "/queue", web_queue, SIGNED_IN},
    {M_GET, "/cases/{id}", web_case_show, SIGNED_IN},
    {M_GET, "/cases/{id}/edit", web_case_edit, SIGNED_IN},
    {M_POST, "/cases/{id}/edit", web_case_update, FORM_POST},
    {M_POST, "/cases/{id}/assign", web_case_assign, FORM_POST},
    {M_POST, "/cases/{id}/closure", web_case_closure, FORM_POST},
    {M_POST, "/cases/{id}/closure/approve", web_case_approve, FORM_POST},
    {M_POST, "/cases/{id}/reopen", web_case_reopen, FORM_POST},
    {M_POST, "/cases/{id}/erase", web_case_erase, FORM_POST},
    {M_POST, "/cases/{id}/notes", web_note_add, FORM_POST | ROUTE_CREATE},
    {M_POST, "/cases/{id}/tasks", web_task_add, FORM_POST | ROUTE_CREATE},
    {M_GET, "/cases/{id}/incidents/new", web_incident_new, SIGNED_IN},
    {M_POST, "/cases/{id}/incidents", web_incident_create, FORM_POST | ROUTE_CREATE},
    {M_GET, "/cases/{id}/screenings/new", web_screening_new, SIGNED_IN},
    {M_POST, "/cases/{id}/screenings", web_screening_create, FORM_POST | ROUTE_CREATE},
    {M_POST, "/cases/{id}/consents", web_consent_add, FORM_POST | ROUTE_CREATE},
    {M_POST, "/cases/{id}/consents/{consent}/withdraw", web_consent_withdraw, FORM_POST},
    {M_POST, "/cases/{id}/referrals", web_referral_create, FORM_POST | ROUTE_CREATE},
    {M_POST, "/tasks/{id}", web_task_done, FORM_POST},
    /* /referrals/verify comes before /referrals/{id}. */
    {M_GET, "/referrals", web_referrals, SIGNED_IN},
    {M_GET, "/referrals/verify", web_slip_verify_form, SIGNED_IN},
    {M_POST, "/referrals/verify", web_slip_verify, SIGNED_IN},
    {M_GET, "/referrals/{id}", web_referral_show, SIGNED_IN},
    {M_POST, "/referrals/{id}", web_referral_move, FORM_POST},
    {M_GET, "/referrals/{id}/slip", web_referral_slip, SIGNED_IN},
    {M_GET, "/groups", web_groups, SIGNED_IN},
    {M_GET, "/groups/{id}", web_group_show, SIGNED_IN},
    {M_POST, "/groups/{id}", web_group_update, FORM_POST},
    {M_POST, "/groups/{id}/search", web_group_search, FORM_POST},
    {M_POST, "/groups/{id}/members", web_member_create, FORM_POST | ROUTE_CREATE},
    {M_GET, "/members/{id}/edit", web_member_edit, SIGNED_IN},
    {M_POST, "/members/{id}/edit", web_member_update, FORM_POST},
    {M_GET, "/audit", web_audit, SIGNED_IN},
    {M_GET, "/safe-migration", web_reference, SIGNED_IN},
    {M_GET, "/safe-migration/channels", web_reference_channels, SIGNED_IN},
    {M_GET, "/safe-migration/documents", web_reference_documents, SIGNED_IN},
    {M_GET, "/safe-migration/hotlines", web_reference_hotlines, SIGNED_IN},
    {M_GET, "/outreach", web_outreach, SIGNED_IN},
    {M_POST, "/outreach", web_outreach_create, FORM_POST | ROUTE_CREATE},
    {M_GET, "/users", web_users, SIGNED_IN},
    {M_POST, "/users/{id}/approve", web_user_approve, FORM_POST},
    {M_POST, "/users/{id}", web_user_update, FORM_POST},
    {M_GET, "/trainings", web_trainings, SIGNED_IN},
    {M_POST, "/trainings", web_training_create, FORM_POST | ROUTE_CREATE},
    {M_GET, "/trainings/figures", web_training_figures, SIGNED_IN},
    {M_GET, "/trainings/{id}", web_training_show, SIGNED_IN},
    {M_GET, "/advice", web_advice, SIGNED_IN},
    {M_GET, "/advice/new", web_advice_new, SIGNED_IN},
    {M_POST, "/advice/new", web_advice_create, FORM_POST | ROUTE_CREATE},
    {M_POST, "/advice/{id}/done", web_advice_done, FORM_POST},
    {M_GET, "/agencies", web_agencies, SIGNED_IN},
    {M_GET, "/agencies/{id}", web_agency_show, SIGNED_IN},
    {M_GET, "/reports", web_reports, SIGNED_IN},
    {M_GET, "/reports.csv", web_reports_csv, SIGNED_IN},
    {M_GET, "/reports.xlsx", web_reports_xlsx, SIGNED_IN},
    {M_GET, "/assets/{name}", web_asset, PAGE},
};

const size_t web_nroutes = sizeof web_routes / sizeof web_routes[0];
