/* Reach: the one place that turns the permission table's scope for an
 * action into which records the caller reaches. Every domain module asks
 * here, for one record (scope_reaches) or for a list (scope_bounds, whose
 * bounds the store's filters take as they are), so the two can never
 * disagree: scope_reaches(r) is "r lies within scope_bounds". The pages and
 * the API ask may() for what to offer; they decide nothing themselves. */
#ifndef CBPN_DOMAIN_SCOPE_H
#define CBPN_DOMAIN_SCOPE_H

#include <stdbool.h>

#include "auth/perm.h"
#include "domain/ctx.h"

/* Whom a record belongs to, as far as reach goes ("" or NULL: none). */
struct reach {
    const char *organization_id;
    const char *group_id;    /* a case: the reporter's group; a group: its own id */
    const char *owner_id;    /* who made it (a case's reporter) */
    const char *assigned_to; /* the caseworker it is assigned to */
    /* The organization it is addressed to (a referral's receiving one). */
    const char *receiving_organization_id;
    /* Whether the survivor's consent to share with that organization (or
     * its type of service) stands now, as the domain found it. */
    bool consented;
    /* Whether the caller's own member record has the trainer network role,
     * as the domain found it (SCOPE_TRAINER). */
    bool trainer;
};

/* What a record must match to be reached. A NULL part does not bound. */
struct bounds {
    const char *organization_id;
    const char *group_id;
    const char *owner_id;
    const char *assigned_to;               /* exactly this user */
    const char *assigned_or_open_for;      /* this user, or nobody */
    const char *receiving_organization_id; /* addressed to this organization */
    bool consented;                        /* and only while a consent stands */
    bool trainer;                          /* and only for a caller who is a trainer */
};

/* Whether the table lets the caller do a at all (the local operator of the
 * command line reaches everything; a context with neither actor nor
 * operator nothing). */
bool may(const struct ctx *cx, enum action a);
/* The scope the caller has for a (SCOPE_NONE when refused). */
enum scope scope_of(const struct ctx *cx, enum action a);
/* The bounds of the caller's reach under a into *b; false when she reaches
 * no record at all (refused, or a scope she lacks the tie for: a group
 * scope without a group). The strings are borrowed from the actor. */
bool scope_bounds(const struct ctx *cx, enum action a, struct bounds *b);
/* Whether the caller reaches record r under a. */
bool scope_reaches(const struct ctx *cx, enum action a, const struct reach *r);

#endif
