/* The API's handlers, one per route of api_routes (routes.c). Internal to
 * src/api/. */
#ifndef CBPN_API_HANDLERS_H
#define CBPN_API_HANDLERS_H

#include "http/http.h"

void api_session_create(struct req *r, struct resp *w);
void api_session_delete(struct req *r, struct resp *w);
void api_me(struct req *r, struct resp *w);
void api_user_create(struct req *r, struct resp *w);
void api_user_list(struct req *r, struct resp *w);
void api_location_list(struct req *r, struct resp *w);
void api_group_create(struct req *r, struct resp *w);
void api_group_list(struct req *r, struct resp *w);
void api_group_get(struct req *r, struct resp *w);
void api_member_add(struct req *r, struct resp *w);
void api_member_list(struct req *r, struct resp *w);
void api_case_report(struct req *r, struct resp *w);
void api_case_list(struct req *r, struct resp *w);
void api_case_get(struct req *r, struct resp *w);
void api_incident_add(struct req *r, struct resp *w);
void api_incident_list(struct req *r, struct resp *w);

#endif
