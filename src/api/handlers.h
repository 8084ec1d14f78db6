/* The API's handlers, one per route of api_routes (routes.c). Internal to
 * src/api/. */
#ifndef CBPN_API_HANDLERS_H
#define CBPN_API_HANDLERS_H

#include "http/http.h"

void api_session_create(struct req *r, struct resp *w);
void api_session_delete(struct req *r, struct resp *w);
void api_me(struct req *r, struct resp *w);
void api_sessions_delete(struct req *r, struct resp *w);
void api_user_create(struct req *r, struct resp *w);
void api_user_list(struct req *r, struct resp *w);
void api_user_approve(struct req *r, struct resp *w);
void api_user_patch(struct req *r, struct resp *w);
void api_user_changes(struct req *r, struct resp *w);
void api_totp_get(struct req *r, struct resp *w);
void api_totp_enrol(struct req *r, struct resp *w);
void api_totp_confirm(struct req *r, struct resp *w);
void api_totp_delete(struct req *r, struct resp *w);
void api_location_list(struct req *r, struct resp *w);
void api_group_create(struct req *r, struct resp *w);
void api_group_list(struct req *r, struct resp *w);
void api_group_get(struct req *r, struct resp *w);
void api_service_create(struct req *r, struct resp *w);
void api_service_list(struct req *r, struct resp *w);
void api_service_patch(struct req *r, struct resp *w);
void api_agency_list(struct req *r, struct resp *w);
void api_agency_get(struct req *r, struct resp *w);
void api_member_add(struct req *r, struct resp *w);
void api_member_list(struct req *r, struct resp *w);
void api_group_patch(struct req *r, struct resp *w);
void api_member_patch(struct req *r, struct resp *w);
void api_case_report(struct req *r, struct resp *w);
void api_case_list(struct req *r, struct resp *w);
void api_case_get(struct req *r, struct resp *w);
void api_case_patch(struct req *r, struct resp *w);
void api_case_assign(struct req *r, struct resp *w);
void api_case_closure(struct req *r, struct resp *w);
void api_case_closure_approve(struct req *r, struct resp *w);
void api_case_reopen(struct req *r, struct resp *w);
void api_case_erase(struct req *r, struct resp *w);
void api_case_timeline(struct req *r, struct resp *w);
void api_case_history(struct req *r, struct resp *w);
void api_audit_list(struct req *r, struct resp *w);
void api_audit_verify(struct req *r, struct resp *w);
void api_report_indicators(struct req *r, struct resp *w);
void api_note_add(struct req *r, struct resp *w);
void api_note_list(struct req *r, struct resp *w);
void api_task_add(struct req *r, struct resp *w);
void api_task_list(struct req *r, struct resp *w);
void api_task_patch(struct req *r, struct resp *w);
void api_tasks_mine(struct req *r, struct resp *w);
void api_screening_add(struct req *r, struct resp *w);
void api_screening_list(struct req *r, struct resp *w);
void api_screening_indicators(struct req *r, struct resp *w);
void api_incident_add(struct req *r, struct resp *w);
void api_incident_list(struct req *r, struct resp *w);
void api_org_list(struct req *r, struct resp *w);
void api_consent_add(struct req *r, struct resp *w);
void api_consent_list(struct req *r, struct resp *w);
void api_consent_withdraw(struct req *r, struct resp *w);
void api_referral_create(struct req *r, struct resp *w);
void api_referral_get(struct req *r, struct resp *w);
void api_referral_patch(struct req *r, struct resp *w);
void api_referral_list(struct req *r, struct resp *w);
void api_slip_verify(struct req *r, struct resp *w);
void api_outreach_create(struct req *r, struct resp *w);
void api_outreach_list(struct req *r, struct resp *w);
void api_training_create(struct req *r, struct resp *w);
void api_training_list(struct req *r, struct resp *w);
void api_training_get(struct req *r, struct resp *w);
void api_training_coverage(struct req *r, struct resp *w);
void api_training_cascade(struct req *r, struct resp *w);
void api_member_trainings(struct req *r, struct resp *w);
void api_advice_create(struct req *r, struct resp *w);
void api_advice_list(struct req *r, struct resp *w);
void api_advice_patch(struct req *r, struct resp *w);
void api_report_csv(struct req *r, struct resp *w);
void api_report_xlsx(struct req *r, struct resp *w);
void api_export_cases_csv(struct req *r, struct resp *w);
void api_export_cases_xlsx(struct req *r, struct resp *w);
void api_export_recorder(struct req *r, struct resp *w);

#endif
