/* The network: organizations, groups and their members. */
#ifndef CBPN_DOMAIN_NETWORK_H
#define CBPN_DOMAIN_NETWORK_H

#include "domain/ctx.h"
#include "domain/fields.h"

/* Organizations (the NGO, service providers) are made by the operator. */
enum err org_create(const struct ctx *cx, const char *name, const char *kind,
                    const char *location_code, struct org_rec *out, struct fielderrs *fe);

struct group_in {
    const char *name;
    const char *location_code;   /* a commune or a village */
    const char *organization_id; /* NULL: the caller's */
};
extern const struct fieldset group_fields;
enum err group_create(const struct ctx *cx, const struct group_in *in, struct group_rec *out,
                      struct fielderrs *fe);
/* Groups the caller may see, by name. */
enum err group_list(const struct ctx *cx, struct group_rec **items, size_t *n);
/* ERR_NOT_FOUND when absent or out of reach. */
enum err group_get(const struct ctx *cx, const char *id, struct group_rec *out);

/* PATCH /groups/{id}: the version read, and a new name or place. */
struct group_patch_in {
    struct fields_sent sent;
    int version;
    const char *name;
    const char *location_code; /* a commune or a village */
};
extern const struct fieldset group_patch_fields;
void group_patch_in_init(struct group_patch_in *in);
/* Changes a group within the caller's reach (ACT_GROUP_UPDATE: a
 * supervisor her organization's, an admin any) at in->version:
 * ERR_CONFLICT when stale; audited. */
enum err group_update(const struct ctx *cx, const char *id, const struct group_patch_in *in,
                      struct group_rec *out, struct fielderrs *fe);

#define RETURNEE_COUNTRIES_MAX 16

/* A member's migration history (DOMAIN.md §7 channels and sectors). */
struct returnee_in {
    const char *countries[RETURNEE_COUNTRIES_MAX]; /* ISO 3166 alpha-2 */
    int ncountries;
    int years_abroad; /* -1 when absent */
    const char *channel;
    const char *sector;
    const char *agency_id; /* the recruitment agency she went through: an agency of the list */
    const char *employer;  /* the employer abroad (sealed) */
};

/* Declared in member_fields (a POST) and member_patch_fields (a PATCH:
 * version, what changes, and active), read by the API and the pages. */
struct member_in {
    struct fields_sent sent; /* what a PATCH sent */
    int version;             /* a PATCH: the version read */
    bool active;             /* a PATCH: false deactivates, true reactivates */
    const char *name_km;
    const char *name_latn;
    const char *sex;
    int birth_year; /* 0: unknown */
    const char *phone;
    const char *network_roles[3];
    int nnetwork_roles; /* none: ["member"] */
    bool has_returnee;
    struct returnee_in returnee;
};
extern const struct fieldset member_fields;
extern const struct fieldset member_patch_fields;
void member_in_init(struct member_in *in);
/* A member's view: phone unsealed only for roles that may read members. */
struct member_view {
    struct member_rec rec; /* phone and employer blobs cleared */
    char *phone;
    char *employer; /* the returnee history's employer abroad, opened as the phone is */
};
/* Frees what one view holds (not v itself); NULL is a no-op. */
void member_view_free(struct member_view *v);
/* Frees an array of n views returned by member_list, and the array. */
void member_views_free(struct member_view *v, size_t n);
enum err member_add(const struct ctx *cx, const char *group_id, const struct member_in *in,
                    struct member_view *out, struct fielderrs *fe);
enum err member_list(const struct ctx *cx, const char *group_id, struct member_view **items,
                     size_t *n);
/* member_list kept to the members whose names match q (Khmer or Latin,
 * tolerant of spelling, through the blind index of domain/namekeys.h:
 * every word of q must match a word of her names); a q of no word or
 * more than 6 is a field error "q" (fe may be NULL). */
enum err member_search(const struct ctx *cx, const char *group_id, const char *q,
                       struct member_view **items, size_t *n, struct fielderrs *fe);
/* A member record with her identity opened, whoever asks (for the domain's
 * own use: a facilitator's name, a signed-in member's record). */
enum err member_fetch(const struct ctx *cx, const char *id, struct member_rec *out);
/* Seals the identity of every member written before identities were
 * sealed (migration 0011) and writes her name keys; *sealed: how many.
 * Run once at start-up with the data key; a no-op when none is left. */
enum err member_seal_existing(const struct ctx *cx, size_t *sealed);
/* One member as the caller reaches her under a (ACT_MEMBER_READ, or
 * ACT_MEMBER_UPDATE for a form that edits her): ERR_FORBIDDEN when the
 * table refuses a, ERR_NOT_FOUND when absent or another group's out of
 * reach. The phone is opened as member_list opens it. out: member_view_free. */
enum err member_get(const struct ctx *cx, const char *id, enum action a, struct member_view *out);
/* Changes what in sent of a member of a group within the caller's reach
 * (ACT_MEMBER_UPDATE: a representative her own group's, a supervisor her
 * organization's, an admin any; another group's member is ERR_NOT_FOUND)
 * at in->version (ERR_CONFLICT when stale). A member is never deleted:
 * "active": false deactivates her, her history stays. Audited. */
enum err member_update(const struct ctx *cx, const char *id, const struct member_in *in,
                       struct member_view *out, struct fielderrs *fe);

#endif
