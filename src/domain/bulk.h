/* The bulk writer of cbpn demo --scale: a case, and the work done on it
 * over the weeks after its report, written in the caller's transaction
 * with the records, timeline steps, blind index and audit entries the
 * checked paths (case_report, case_assign, note_add, consent_record,
 * referral_create, referral_update, incident_add, screening_add,
 * case_request_closure, case_approve_closure) would have written, each
 * dated when it happened. Nothing is checked here: the caller gives only
 * what those paths accept (valid codes, a reporter who may report, a
 * caseworker of the case's organization, consents before the referral, a
 * provider of the referred service, a supervisor other than who asked to
 * close). The case's key is made once and seals every field. */
#ifndef CBPN_DOMAIN_BULK_H
#define CBPN_DOMAIN_BULK_H

#include <stdbool.h>
#include <stdint.h>

#include "domain/cases.h"
#include "domain/ctx.h"
#include "domain/incidents.h"

/* One case. Times are epoch milliseconds; 0: the step was not taken. Each
 * step is later than the one before it. */
struct bulk_case {
    const struct user_rec *reporter;
    const char *organization_id; /* the reporter's, or her group's */
    int64_t reported_ms;
    const char *location_code;
    const char *concerns[CONCERNS_MAX];
    int nconcerns;
    const char *summary; /* NULL: none */
    bool urgent, consent_to_contact;
    bool has_survivor;
    struct survivor_in survivor; /* age given (not a birth date) */

    const struct user_rec *supervisor; /* assigns and closes */
    const struct user_rec *caseworker;
    int64_t assigned_ms;
    const char *note;
    int64_t note_ms;
    bool has_incident;
    struct incident_in incident;
    int64_t incident_ms;
    bool has_screening;
    const char *const *indicators;
    size_t nindicators;
    int64_t screening_ms;
    /* Consents: reporting (given or refused), then services and sharing
     * with the service's organization, just before the referral. */
    int64_t reporting_consent_ms;
    bool reporting_given;
    const char *consent_method;
    const struct service_rec *service;
    const struct user_rec *provider; /* a user of the service's organization */
    int64_t referred_ms;
    const char *referral_reason, *referral_contact;
    bool referral_urgent;
    int64_t accepted_ms, completed_ms, declined_ms;
    const char *referral_note; /* the outcome, or the reason for declining */
    int64_t closure_requested_ms;
    const char *closure_reason; /* a closure reason code */
    int64_t closed_ms;
};

/* Counts of what bulk_case_write wrote, added to. */
struct bulk_counts {
    uint64_t cases, events, notes, incidents, screenings, consents, referrals, audit;
};

/* Writes the case inside the caller's transaction. cx: db, key, places,
 * screening catalog (actor unused). */
enum err bulk_case_write(const struct ctx *cx, const struct bulk_case *b, struct bulk_counts *n);

#endif
