/* Case work: intake and assessment, the workflow (assignment, transfer,
 * closure on a supervisor's approval, reopening), notes, follow-up tasks
 * and the case's timeline (DOMAIN.md §5, API.md "Cases").
 *
 * Workflow moves take no version: a move the case's status does not allow
 * is ERR_CONFLICT and writes nothing; a caller without the right is
 * ERR_FORBIDDEN; a case she may not read is ERR_NOT_FOUND. Every move is
 * one transaction: the case row (versioned, so a concurrent write is never
 * overwritten), a timeline step and an audit entry. Answers are the case as
 * it now is (struct case_view, cases.h). */
#ifndef CBPN_DOMAIN_CASEWORK_H
#define CBPN_DOMAIN_CASEWORK_H

#include <stdbool.h>
#include <stddef.h>

#include "domain/cases.h"
#include "domain/fields.h"
#include "domain/incidents.h"
#include "domain/referrals.h"

/* ---- intake and assessment: PATCH /cases/{id} ---- */
struct case_patch_in {
    struct fields_sent sent;
    int version; /* required: the version read */
    bool has_survivor;
    struct survivor_in survivor; /* merged field by field; null clears */
    const char *risk;            /* low, medium, high */
    bool urgent;
    const char *concerns[CONCERNS_MAX];
    int nconcerns;
    const char *summary;   /* sealed */
    const char *agency_id; /* an agency of the list; null clears */
    const char *employer;  /* sealed; null clears */
};
extern const struct fieldset case_patch_fields;
void case_patch_in_init(struct case_patch_in *in);
/* Applies what in sent to the case (a survivor's field sent as null is
 * cleared; birth_date and age replace each other), checks the merged
 * result with the same rules as a report, writes it at in->version.
 * ERR_CONFLICT when the version is stale (nothing written); ERR_CONFLICT
 * on a closed case. */
enum err case_update(const struct ctx *cx, const char *id, const struct case_patch_in *in,
                     struct case_view *out, struct fielderrs *fe);

/* ---- workflow ---- */
/* A supervisor assigns a reported case to a caseworker of her organization
 * (it becomes open) or transfers an open or closure-requested one (status
 * unchanged; the previous caseworker loses access at once). A closed case:
 * ERR_CONFLICT. caseworker_id not an active caseworker of the case's
 * organization: ERR_VALIDATION on "caseworker_id" (an unknown id is not
 * found the same way). */
enum err case_assign(const struct ctx *cx, const char *id, const char *caseworker_id,
                     struct case_view *out, struct fielderrs *fe);
/* The assigned caseworker or a supervisor asks to close an open case, with a
 * closure reason code (DOMAIN.md §5) and optional free text (sealed). */
enum err case_request_closure(const struct ctx *cx, const char *id, const char *reason_code,
                              const char *reason, struct case_view *out, struct fielderrs *fe);
/* A supervisor other than the one who asked closes a closure-requested
 * case. Approving her own request: ERR_FORBIDDEN. */
enum err case_approve_closure(const struct ctx *cx, const char *id, struct case_view *out);
/* A supervisor reopens a closed case (reason required, sealed): open, same
 * caseworker. */
enum err case_reopen(const struct ctx *cx, const char *id, const char *reason,
                     struct case_view *out, struct fielderrs *fe);

/* The number of reported (unassigned) urgent cases of the caller's
 * organization, for the supervisor's badge on every page; 0 for roles
 * without ACT_CASE_QUEUE. */
int case_urgent_unassigned(const struct ctx *cx);

/* ---- the timeline ---- */
struct case_event_view {
    struct case_event_rec rec; /* text blob cleared */
    char *text;                /* the opened free text, or NULL */
    char *user_name;           /* who, as a display name (owned), or NULL */
};
void case_event_views_free(struct case_event_view *v, size_t n);
/* Every step of the case, oldest first (reach: ACT_CASE_READ_DETAIL). */
enum err case_timeline(const struct ctx *cx, const char *id, struct case_event_view **items,
                       size_t *n);

/* ---- notes: append-only ---- */
#define NOTE_MAX_CHARS 8000
struct note_in {
    const char *body;
    const char *corrects; /* a note of the same case, or NULL */
};
extern const struct fieldset note_fields;
struct note_view {
    struct note_rec rec; /* body blob cleared */
    char *body;
};
void note_view_free(struct note_view *v);
void note_views_free(struct note_view *v, size_t n);
enum err note_add(const struct ctx *cx, const char *case_id, const struct note_in *in,
                  struct note_view *out, struct fielderrs *fe);
/* Oldest first; reading them is an audited read of the case. */
enum err note_list(const struct ctx *cx, const char *case_id, struct note_view **items, size_t *n);

/* ---- follow-up tasks ---- */
#define TASK_TITLE_MAX_CHARS 300
struct task_in {
    const char *title;
    const char *due_on;
    const char *assigned_to; /* a caseworker or supervisor of the case's organization, or NULL */
};
extern const struct fieldset task_fields;
struct task_patch_in {
    struct fields_sent sent;
    int version;
    bool done;
};
extern const struct fieldset task_patch_fields;
void task_patch_in_init(struct task_patch_in *in);
struct task_view {
    struct task_rec rec; /* title blob cleared */
    char *title;
    bool overdue; /* not done and due before today */
    char case_code[CODE_SIZE];
    bool case_urgent;
};
void task_view_free(struct task_view *v);
void task_views_free(struct task_view *v, size_t n);
enum err task_add(const struct ctx *cx, const char *case_id, const struct task_in *in,
                  struct task_view *out, struct fielderrs *fe);
enum err task_list(const struct ctx *cx, const char *case_id, struct task_view **items, size_t *n);
/* Marks a task done (or not) at in->version; ERR_CONFLICT when stale. */
enum err task_update(const struct ctx *cx, const char *task_id, const struct task_patch_in *in,
                     struct task_view *out, struct fielderrs *fe);
/* Overdue tasks of the cases the caller works on, urgent cases first: a
 * caseworker's own (assigned to her, or on her cases when assigned to
 * nobody), a supervisor's whole organization. At most limit (1..500). */
enum err task_overdue(const struct ctx *cx, int limit, struct task_view **items, size_t *n);
/* Every task not done of those cases, the same way. */
enum err task_open_list(const struct ctx *cx, int limit, struct task_view **items, size_t *n);

/* ---- who saw and changed a case (the audit log) ---- */
struct case_history_item {
    struct audit_rec rec; /* at, user_id, action, record_type, detail */
    char *user_name;      /* display name (owned), or NULL */
};
void case_history_free(struct case_history_item *items, size_t n);
/* Every audit entry about the case and about its incidents, screenings,
 * notes, tasks, consent records and referrals, in the log's order (ACT_CASE_HISTORY: a supervisor);
 * reading it is itself audited. At most CASE_HISTORY_MAX entries. */
#define CASE_HISTORY_MAX 5000
enum err case_history(const struct ctx *cx, const char *id, struct case_history_item **items,
                      size_t *n);

/* ---- the case as a caseworker reads it ---- */
struct case_dossier {
    struct case_view view;
    /* With view.detail only (caseworkers within reach, supervisors): */
    struct note_view *notes;
    size_t nnotes;
    struct task_view *tasks;
    size_t ntasks;
    struct case_event_view *timeline;
    size_t ntimeline;
    struct incident_view *incidents;
    size_t nincidents;
    struct screening_rec *screenings;
    size_t nscreenings;
    struct consent_view *consents; /* in the order written */
    size_t nconsents;
    struct referral_view *referrals; /* newest first */
    size_t nreferrals;
};
void case_dossier_free(struct case_dossier *d);
/* The case (case_get) and, for who may see its details, its incidents,
 * screenings, notes, tasks and timeline. */
enum err case_dossier_get(const struct ctx *cx, const char *id, struct case_dossier *out);

#endif
