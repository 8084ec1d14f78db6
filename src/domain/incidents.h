/* Incidents of a case, recorded the GBVIMS way (DOMAIN.md §1): no names;
 * the six classification answers are stored, the type and the context
 * flags are computed from them, never typed in. The description is sealed
 * with "<incident id>/description" as associated data from its first
 * write; the optional exploitation details are codes, kept plain. */
#ifndef CBPN_DOMAIN_INCIDENTS_H
#define CBPN_DOMAIN_INCIDENTS_H

#include <stdbool.h>
#include <stddef.h>

#include "domain/cases.h"
#include "domain/ctx.h"
#include "domain/fields.h"
#include "util/codes.h"

#define PERPETRATORS_MAX      10
#define DESCRIPTION_MAX_CHARS 4000

/* ---- the rule ---- */

/* What the flags are computed from, besides the type. */
struct incident_context {
    int survivor_age; /* whole years on the incident date; -1 unknown */
    bool goods_or_money_exchanged;
    const char *abduction;            /* a LIST_ABDUCTION code */
    const char *const *relationships; /* each perpetrator's LIST_RELATIONSHIP code */
    int nrelationships;
};

/* The core type: the first "yes" of acts[] (DOMAIN.md §1's order:
 * penetration, sexual contact, physical assault, forced marriage, denial
 * of resources, psychological abuse); GBV_NON_GBV when none. Pure. */
enum gbv_type incident_classify(const bool acts[ACTS_N]);
/* The context flags of an incident of type t: flags[FLAG_x] true when its
 * rule of DOMAIN.md §1 holds. An unknown age (-1) sets no age-based flag.
 * Pure. */
void incident_flags(enum gbv_type t, const struct incident_context *c, bool flags[FLAG__MAX]);

/* ---- input, declared once (domain/fields.h) ---- */

/* The six answers, each required: a missing one is an error, never a "no". */
struct incident_acts_in {
    struct fields_sent sent;
    bool penetration;
    bool sexual_contact;
    bool physical_assault;
    bool forced_marriage;
    bool denial_of_resources;
    bool psychological_abuse;
};

/* The answers' table (in the incident's, as its "acts" object). */
extern const struct fieldset acts_fields;

struct perpetrator_in {
    const char *sex;          /* LIST_SEX */
    const char *age_group;    /* LIST_AGE_GROUP */
    const char *relationship; /* LIST_RELATIONSHIP */
};

/* Trafficking and labour cases: where and how she was taken to work. */
struct exploitation_in {
    const char *sector;      /* LIST_SECTOR */
    const char *destination; /* ISO 3166 alpha-2 */
    const char *channel;     /* LIST_CHANNEL */
};

struct incident_in {
    struct fields_sent sent; /* so that a missing boolean is an error */
    const char *date;        /* of the incident: not in the future */
    const char *reported_on; /* first reported: not before date, not in the future */
    const char *time_of_day;
    const char *location_type;
    const char *location; /* a gazetteer code, or the ISO2 code of another country */
    const char *migration_stage;
    bool has_acts;
    struct incident_acts_in acts;
    bool goods_or_money_exchanged;
    const char *abduction;
    const char *reported_elsewhere;
    struct perpetrator_in perpetrators[PERPETRATORS_MAX];
    int nperpetrators; /* PERPETRATORS_MAX + 1: more were sent */
    const char *description;
    bool has_exploitation;
    struct exploitation_in exploitation;
};
extern const struct fieldset incident_fields;
/* Rows of incident_fields. */
enum incident_field {
    INCIDENT_F_DATE,
    INCIDENT_F_REPORTED_ON,
    INCIDENT_F_TIME_OF_DAY,
    INCIDENT_F_LOCATION_TYPE,
    INCIDENT_F_LOCATION,
    INCIDENT_F_MIGRATION_STAGE,
    INCIDENT_F_ACTS,
    INCIDENT_F_GOODS_OR_MONEY_EXCHANGED,
    INCIDENT_F_ABDUCTION,
    INCIDENT_F_REPORTED_ELSEWHERE,
    INCIDENT_F_PERPETRATORS,
    INCIDENT_F_DESCRIPTION,
    INCIDENT_F_EXPLOITATION,
    INCIDENT_F__MAX
};
/* Starts an input: every field absent. */
void incident_in_init(struct incident_in *in);
/* The JSON name of the i-th answer ("penetration"), NULL out of range. */
const char *incident_act_code(int i);

/* ---- records ---- */

/* An incident as a caseworker sees it: the record without its sealed blob,
 * and the description opened (NULL when none). */
struct incident_view {
    struct incident_rec rec;
    char *description;
};
void incident_view_free(struct incident_view *v);
void incident_views_free(struct incident_view *v, size_t n);

/* Records an incident of case_id as the caller. Reach as case_fetch under
 * ACT_INCIDENT_CREATE (403, 404); ERR_CONFLICT when the case is closed;
 * ERR_VALIDATION with fe for a bad input. Computes the survivor's age on
 * the incident date, the type and the flags; inserts the incident, its
 * timeline step and its audit entry in one transaction. The case's version
 * is not changed. out is filled on ERR_OK (incident_view_free). */
/* The record of a valid input for case cr (its survivor read for her age
 * on the incident date): the type and the flags computed, the description
 * sealed, created by the actor now (or at r->created_at when set: r
 * zeroed otherwise). For the scale demo's bulk writer
 * (domain/bulk.c); incident_add is the checked path. */
struct incident_rec;
enum err incident_fill(const struct ctx *cx, const struct case_rec *cr,
                       const struct incident_in *in, struct incident_rec *r);
enum err incident_add(const struct ctx *cx, const char *case_id, const struct incident_in *in,
                      struct incident_view *out, struct fielderrs *fe);
/* The incidents of case_id, oldest first, descriptions opened, into a new
 * array *items of *n (incident_views_free). Reach as case_fetch under
 * ACT_CASE_READ_DETAIL; the read is audited once (a read of the case,
 * detail "incidents"). */
enum err incident_list(const struct ctx *cx, const char *case_id, struct incident_view **items,
                       size_t *n);
/* The same for a case the caller has just read with case_get (whose read
 * is audited already): for embedding in the case. ERR_FORBIDDEN unless cv
 * is a view with details. */
enum err incident_list_of(const struct ctx *cx, const struct case_view *cv,
                          struct incident_view **items, size_t *n);

#endif
