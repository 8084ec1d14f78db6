/* Erasure of a case's identity (issue 9 item 4): on a survivor's request,
 * by a supervisor of the case's organization, or by the retention run for
 * closed cases older than the retention period (domain/settings.h,
 * retention.years). One function, case_erase_identity(), does the wipe for
 * both: every identifying or free-text field of the case and of everything
 * hanging off it is wiped; what the statistics need (sex, age, places,
 * concerns, GBV types, screening results, referral statuses, dates) stays;
 * the case is marked erased (erased_at, erased_reason) and shows so. On
 * SQLite the transaction runs with secure_delete ON and the write-ahead
 * log is checkpointed and truncated after it (store_wipe_begin); on
 * PostgreSQL old row versions stay until VACUUM: the retention run runs
 * it, autovacuum does it after a supervisor's erasure. */
#ifndef CBPN_DOMAIN_ERASE_H
#define CBPN_DOMAIN_ERASE_H

#include <stdbool.h>

#include "domain/ctx.h"
#include "domain/fields.h"
#include "domain/sealed.h"

struct case_view;

enum erase_reason {
    ERASE_RETENTION, /* "retention": cbpn retention run */
    ERASE_REQUEST,   /* "request": a supervisor, on the survivor's request */
    ERASE__MAX
};
/* The code stored in cases.erased_reason. */
const char *erase_reason_code(enum erase_reason why);

/* An erasure wipes every sealed field bound to a case (sealed_case_bound,
 * in domain/sealed.c's table of where each field lives); the others are
 * a member's, an advice's, a training's or an account's, not a case's. A
 * field added to sealed.h without its wiping statement fails
 * tests/unit/test_erase.c. */

/* Erases the identity of case case_id, inside a transaction of its own or
 * the caller's: why says who (the caller's audit entry names her; the
 * local operator's is the retention run's), text the sealed reason kept
 * on the case's 'erased' step (NULL: none). Opens the survivor's birth
 * date first to keep her age (age today, and the day it was taken).
 * ERR_NOT_FOUND when there is no such case, ERR_CONFLICT when it is
 * already erased. No permission is checked here: callers do. */
enum err case_erase_identity(const struct ctx *cx, const char *case_id, enum erase_reason why,
                             const char *text);

/* POST /cases/{id}/erase: {"version", "reason"}. */
struct case_erase_in {
    int version;
    const char *reason; /* required, sealed */
    bool confirm;       /* the pages' confirmation box (the API sends none) */
};
extern const struct fieldset case_erase_fields;
void case_erase_in_init(struct case_erase_in *in);

/* A supervisor of the case's organization erases its survivor's identity
 * on her request: reason required (1 to 2000 characters, not only spaces;
 * sealed on the timeline, never in the audit detail, which says
 * "request"); the version read, else ERR_CONFLICT (also when already
 * erased); ERR_FORBIDDEN for any other role, ERR_NOT_FOUND outside her
 * reach. out: the case as it now is. */
enum err case_erase(const struct ctx *cx, const char *id, const struct case_erase_in *in,
                    struct case_view *out, struct fielderrs *fe);

/* What a retention run found and did. */
struct retention_counts {
    int years;     /* the period applied */
    int eligible;  /* closed, not erased, latest closure before the cut-off */
    int erased;    /* erased by this run (0 on a dry run) */
    int failed;    /* could not be erased (logged by case id) */
    bool settled;  /* every batch's log emptied (SQLite) */
    bool vacuumed; /* PostgreSQL's VACUUM ran (true where there is none to run) */
};
/* The retention run, as the local operator: every closed case whose
 * latest closure is more than retention.years before now is erased
 * (ERASE_RETENTION), in batches of short transactions so that a server
 * can keep serving; each audited. dry_run only counts. Then the old row
 * versions are vacuumed (PostgreSQL). ERR_FORBIDDEN unless local
 * operator. */
enum err retention_run(const struct ctx *cx, bool dry_run, struct retention_counts *out);

#endif
