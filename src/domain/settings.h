/* The deployment's settings: numbers an operator may change (follow-up
 * days of referrals, ...), kept in the database so that every server of a
 * deployment reads the same. Each has one row in the table of settings.c:
 * its name, bounds and default; a stored value outside the bounds reads as
 * the default (and is logged). Changed only by the local operator (cbpn
 * setting), audited. */
#ifndef CBPN_DOMAIN_SETTINGS_H
#define CBPN_DOMAIN_SETTINGS_H

#include <stddef.h>

#include "domain/ctx.h"

enum setting {
    SETTING_FOLLOWUP_DAYS_URGENT,  /* referral.followup_days.urgent: DOMAIN.md §4, 3 */
    SETTING_FOLLOWUP_DAYS_ROUTINE, /* referral.followup_days.routine: 7 */
    SETTING_SUPPRESSION_K,         /* suppression.k: DOMAIN.md §3, 5 */
    SETTING_TOTP_REQUIRED,         /* auth.totp_required: 1 = supervisors and admins need TOTP */
    SETTING_RETENTION_YEARS,       /* retention.years: issue 9 item 4, 5 */
    SETTING_EXPORT_K, /* export.k: k-anonymity of incident exports, DOMAIN.md §3, 11 */
    SETTING__MAX
};

struct setting_def {
    const char *name;
    int min, max, dflt;
    const char *what; /* for cbpn setting's list */
};
/* The row of setting s; NULL when out of range. */
const struct setting_def *setting_def(enum setting s);
/* The setting named name, or -1. */
int setting_parse(const char *name);
/* Its value now: the stored one when valid, else the default. */
int setting_get(const struct ctx *cx, enum setting s);
/* Stores value (decimal text within the bounds; else ERR_VALIDATION with a
 * field error on "value"). Only the local operator: ERR_FORBIDDEN for
 * anyone else. Audited. */
enum err setting_set(const struct ctx *cx, enum setting s, const char *value, struct fielderrs *fe);

#endif
