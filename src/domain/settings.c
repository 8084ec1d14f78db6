/* The deployment's settings (domain/settings.h). */
#include "domain/settings.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "util/log.h"

static const struct setting_def defs[SETTING__MAX] = {
    [SETTING_FOLLOWUP_DAYS_URGENT] = {"referral.followup_days.urgent", 1, 90, 3,
                                      "days before an urgent referral is overdue"},
    [SETTING_FOLLOWUP_DAYS_ROUTINE] = {"referral.followup_days.routine", 1, 90, 7,
                                       "days before a routine referral is overdue"},
    [SETTING_SUPPRESSION_K] = {"suppression.k", 2, 100, 5,
                               "counts from 1 to k-1 are never shown as numbers"},
    [SETTING_TOTP_REQUIRED] = {"auth.totp_required", 0, 1, 0,
                               "1: supervisors and admins need a TOTP second factor (without "
                               "one, sign-in opens only its enrolment)"},
    [SETTING_RETENTION_YEARS] = {"retention.years", 1, 100, 5,
                                 "years after its closure before cbpn retention run erases a "
                                 "case's identity"},
    [SETTING_EXPORT_K] = {"export.k", 2, 1000, 11,
                          "every combination of sex, age band, district, nationality and "
                          "concerns in an incident export is shared by at least k rows"},
};

const struct setting_def *setting_def(enum setting s)
{
    return (unsigned)s < SETTING__MAX ? &defs[s] : NULL;
}

int setting_parse(const char *name)
{
    for (int s = 0; s < SETTING__MAX && name != NULL; s++)
        if (strcmp(defs[s].name, name) == 0)
            return s;
    return -1;
}

/* value as a whole number within d's bounds into *out; false when not. */
static bool parse_value(const struct setting_def *d, const char *value, int *out)
{
    if (value == NULL || value[0] == '\0' || strlen(value) > 9)
        return false;
    char *end;
    long n = strtol(value, &end, 10);
    if (*end != '\0' || n < d->min || n > d->max)
        return false;
    *out = (int)n;
    return true;
}

int setting_get(const struct ctx *cx, enum setting s)
{
    const struct setting_def *d = setting_def(s);
    char *v = NULL;
    int n = d->dflt;
    if (store_meta_get(cx->db, d->name, &v) == ERR_OK && !parse_value(d, v, &n)) {
        n = d->dflt;
        log_error("settings: %s is not a whole number from %d to %d; using %d", d->name, d->min,
                  d->max, d->dflt);
    }
    free(v);
    return n;
}

enum err setting_set(const struct ctx *cx, enum setting s, const char *value, struct fielderrs *fe)
{
    const struct setting_def *d = setting_def(s);
    int n;
    if (cx->actor != NULL || !cx->local_operator)
        return ERR_FORBIDDEN;
    if (d == NULL || !parse_value(d, value, &n))
        return fielderr(fe, "value", "a whole number within the setting's bounds");
    char text[16];
    snprintf(text, sizeof text, "%d", n);
    enum err e = store_begin(cx->db);
    if (e != ERR_OK)
        return e;
    e = store_meta_set(cx->db, d->name, text);
    if (e == ERR_OK)
        e = audit_append(cx->db, "", AUDIT_UPDATE, "setting", NULL, d->name);
    return store_end(cx->db, e);
}
