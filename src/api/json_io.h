/* Decoding request bodies and encoding records, shared by the API
 * handlers. Internal to src/api/.
 *
 * Decoding: only declared fields are read, the rest are dropped. A field
 * of the wrong JSON type is recorded in fe under the given field name (a
 * static string) and read as absent; JSON null reads as absent. Strings
 * returned are owned by the JSON document. */
#ifndef CBPN_API_JSON_IO_H
#define CBPN_API_JSON_IO_H

#include <stdbool.h>

#include <jansson.h>

#include "domain/cases.h"
#include "domain/ctx.h"
#include "domain/fields.h"
#include "domain/network.h"
#include "domain/place.h"
#include "http/http.h"

/* The caller's domain context; false (401 answered) when nobody is signed in. */
bool api_ctx(struct req *r, struct resp *w, struct ctx *cx);
/* The request's JSON object body (caller json_decref()s it); NULL with the
 * error answered: 415 for another content type, 400 for malformed JSON or
 * invalid UTF-8, 422 when the body is not an object. */
json_t *api_body(struct req *r, struct resp *w);
/* Answers e: the field errors for validation and conflicts, else none. */
void api_error(struct resp *w, enum err e, const struct fielderrs *fe);

/* The string member key of o, NULL when absent or null; another type is a
 * field error under field (a static string). For the sign-in, whose two
 * strings are the server's, not a domain input's. */
const char *jin_str(json_t *o, const char *key, const char *field, struct fielderrs *fe);
/* Moves the members of o that fs declares into the input at in, checking
 * only their JSON types (a wrong type is a field error under the field's
 * path); members not declared are dropped; null marks a field sent as null
 * (see struct fields_sent) and leaves it absent. Rules are fields_check's. */
void jin_fields(json_t *o, const struct fieldset *fs, void *in, struct fielderrs *fe);
/* The ?limit= of a list: 0 when absent, -1 (and a field error) when not
 * an integer from 1 to max. */
int query_limit(struct req *r, int max, struct fielderrs *fe);

/* Encoders: new references. */
json_t *json_user(const struct user_rec *u);
json_t *json_group(const struct group_rec *g);
json_t *json_service(const struct service_rec *v);
/* An agency as read on a date (GET /agencies; api/agencies.c). */
json_t *json_agency(const struct agency_rec *a);
struct shown_count;
struct agency_indicators;
/* A count as it may be shown (domain/suppress.h), the one shape of every
 * figure: {"value": n, "suppressed": false}, or {"value": null,
 * "suppressed": true} for 1..k-1 (never the number). */
json_t *json_shown_count(const struct shown_count *c);
/* An agency's indicator figures: {"k", "total", "by_indicator": [{"code",
 * "value", "suppressed"}]} (api/agencies.c). */
json_t *json_agency_indicators(const struct agency_indicators *a);
json_t *json_member(const struct member_view *m);
json_t *json_case(const struct case_view *v);
struct case_dossier;
/* The case and, for who may see its details, its notes, tasks, timeline. */
json_t *json_dossier(const struct case_dossier *d);
json_t *json_place(const struct place *p);
/* {"items": items, "next_cursor": cursor or null}; takes items. */
json_t *json_list(json_t *items, const char *cursor);
/* A string, or null for NULL or "". */
json_t *json_str_or_null(const char *s);
/* An incident (api/incidents.c). */
struct incident_view;
json_t *json_incident(const struct incident_view *v);
json_t *json_screening(const struct screening_rec *s);
/* A consent record and a referral as the caller may see it (api/referrals.c). */
struct consent_view;
struct referral_view;
json_t *json_consent(const struct consent_view *v);
json_t *json_referral(const struct referral_view *v);

#endif
