/* Safe-migration advice records (DOMAIN.md §7, issue 8 item 4): the advice
 * a network member gives a person planning to work abroad — the person,
 * the destination, sector, channel and agency, the documents checklist,
 * the risks seen and a follow-up date — with the warnings the plan raises
 * (domain/advice.h's rules).
 *
 * The person's names and phone are sealed from the first write (one JSON
 * blob, SEALED_ADVICE_PERSON); the rest is plain, for reports, and so are
 * the warning codes computed when the record is written. The warnings
 * answered are computed again on every read, from the stored facts and the
 * agency lists as they say the agency stood on the advice date: a list
 * imported later that covers that date counts. A member or representative
 * records, lists and follows up her own group's records (ACT_ADVICE_*,
 * scope of the group); caseworkers and supervisors their organization's
 * groups'; an admin lists all. */
#ifndef CBPN_DOMAIN_MIGRANT_ADVICE_H
#define CBPN_DOMAIN_MIGRANT_ADVICE_H

#include "domain/advice.h"
#include "domain/agencies.h"
#include "domain/cases.h" /* CURSOR_SIZE */
#include "domain/ctx.h"
#include "domain/fields.h"

#define ADVICE_EARLIEST_DATE  "2000-01-01"
#define ADVICE_NAME_MAX_CHARS 200
#define ADVICE_DOCUMENTS      8 /* the checklist of DOMAIN.md §7 */

struct advice_person_in {
    const char *name_km, *name_latn; /* optional */
    const char *sex;                 /* LIST_SEX */
    int birth_year;                  /* from 1900; -1 when absent */
    const char *phone;               /* optional */
};

/* The documents checklist (LIST_DOCUMENT), each false when not sent. */
struct advice_documents_in {
    bool passport, visa, work_permit, contract, pre_departure_orientation, overseas_worker_card,
        pink_card, certificate_of_identity;
};

/* Declared in migrant_advice_fields (a POST), read by the API and the page. */
struct migrant_advice_in {
    const char *date; /* YYYY-MM-DD, from 2000, not in the future */
    bool has_person;
    struct advice_person_in person;
    const char *destination; /* ISO 3166-1 alpha-2 */
    const char *sector;      /* LIST_SECTOR */
    const char *channel;     /* LIST_CHANNEL */
    const char *agency_id;   /* optional: an agency of the list */
    bool has_documents;
    struct advice_documents_in documents;
    const char *risks[ADVICE_RISKS_MAX]; /* LIST_MIGRATION_RISK, each once */
    int nrisks;
    const char *follow_up_on; /* optional: a date not before date */
    /* The group: a member's or representative's own when absent; required
     * from staff. */
    const char *group_id;
};
extern const struct fieldset migrant_advice_fields;
void migrant_advice_in_init(struct migrant_advice_in *in);

/* A record as read: the stored row, the person opened, the warnings. */
struct advice_view {
    struct advice_rec rec;
    char *name_km, *name_latn, *phone; /* opened; NULL when not given */
    struct advice_warning warnings[ADVICE_WARNINGS_MAX];
    size_t nwarnings;
    /* The named agency's indicator figures (agencies.h), for a caller
     * allowed them (ACT_AGENCY_RISK) when the record names an agency. */
    bool has_agency_indicators;
    struct agency_indicators agency_indicators;
};
void advice_view_free(struct advice_view *v);
void advice_views_free(struct advice_view *v, size_t n);

/* Records advice. ERR_FORBIDDEN when the table refuses the caller;
 * ERR_NOT_FOUND (nothing written) when group_id names a group she may not
 * reach or none; ERR_VALIDATION with fe for a bad field (an agency_id that
 * names no agency among them; group_id absent for staff). *out:
 * advice_view_free. */
enum err migrant_advice_create(const struct ctx *cx, const struct migrant_advice_in *in,
                               struct advice_view *out, struct fielderrs *fe);

struct migrant_advice_query {
    const char *group_id; /* NULL: every group she reaches */
    bool follow_up_due;   /* only follow-ups due today (Cambodia) or before, not done */
    const char *today;    /* the day follow_up_due compares with; NULL: today in Cambodia */
    const char *cursor;   /* NULL: the first page */
    int limit;            /* 0: 50; 1..500 */
};
/* The records the caller reaches, newest first (the advice date, then when
 * recorded). next_cursor is "" on the last page. A group_id she may not
 * reach (or none) is ERR_NOT_FOUND; a bad limit or cursor a field error.
 * *items: advice_views_free. */
enum err migrant_advice_list(const struct ctx *cx, const struct migrant_advice_query *q,
                             struct advice_view **items, size_t *n, char next_cursor[CURSOR_SIZE],
                             struct fielderrs *fe);

/* One record the caller reaches under ACT_ADVICE_READ; ERR_NOT_FOUND
 * otherwise. */
enum err migrant_advice_get(const struct ctx *cx, const char *id, struct advice_view *out);

/* PATCH /migrant-advice/{id}: the version read and follow_up_done, which
 * must be true (the one change a record takes). Declared in
 * migrant_advice_patch_fields. */
struct migrant_advice_patch_in {
    int version; /* -1 when absent */
    bool follow_up_done;
};
extern const struct fieldset migrant_advice_patch_fields;
void migrant_advice_patch_in_init(struct migrant_advice_patch_in *in);

/* Marks the follow-up of record id done, at the version the caller read
 * (in: follow_up_done must be true; its field errors in fe, with
 * ERR_VALIDATION). ERR_NOT_FOUND when she does not reach the record;
 * ERR_CONFLICT when the version is stale, or the record has no follow-up
 * or it is done already; nothing written then. *out (advice_view_free):
 * the record as it now is. */
enum err migrant_advice_follow_up_done(const struct ctx *cx, const char *id,
                                       const struct migrant_advice_patch_in *in,
                                       struct advice_view *out, struct fielderrs *fe);

/* The groups the caller may record advice for (her group list, kept to
 * those ACT_ADVICE_CREATE reaches), by name. *items: group_list_free. */
enum err migrant_advice_groups(const struct ctx *cx, struct group_rec **items, size_t *n);

#endif
