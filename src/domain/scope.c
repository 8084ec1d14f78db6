#include "domain/scope.h"

#include <string.h>

enum scope scope_of(const struct ctx *cx, enum action a)
{
    if (cx->actor == NULL)
        return cx->local_operator ? SCOPE_ALL : SCOPE_NONE;
    /* A session opened only to enrol a second factor reaches nothing else. */
    if (cx->actor->enrol_only && !perm_enrol_only_allows(a))
        return SCOPE_NONE;
    return perm_scope(cx->actor->role, a);
}

bool may(const struct ctx *cx, enum action a)
{
    return scope_of(cx, a) != SCOPE_NONE;
}

static const char *tie(const char *s)
{
    return s != NULL && s[0] != '\0' ? s : NULL;
}

bool scope_bounds(const struct ctx *cx, enum action a, struct bounds *b)
{
    memset(b, 0, sizeof *b);
    enum scope s = scope_of(cx, a);
    if (s == SCOPE_ALL)
        return true;
    if (s == SCOPE_NONE || cx->actor == NULL)
        return false;
    const struct user_rec *u = &cx->actor->user;
    switch (s) {
    case SCOPE_OWN:
        b->owner_id = u->id;
        return true;
    case SCOPE_TRAINER:
        b->trainer = true;
        /* fall through */
    case SCOPE_GROUP:
        b->group_id = tie(u->group_id);
        return b->group_id != NULL;
    case SCOPE_HERS:
        b->organization_id = tie(u->organization_id);
        b->assigned_to = u->id;
        return b->organization_id != NULL;
    case SCOPE_ASSIGNED:
        b->organization_id = tie(u->organization_id);
        b->assigned_or_open_for = u->id;
        return b->organization_id != NULL;
    case SCOPE_ORG:
        b->organization_id = tie(u->organization_id);
        return b->organization_id != NULL;
    case SCOPE_CONSENTED:
        b->consented = true;
        /* fall through */
    case SCOPE_RECEIVING:
        b->receiving_organization_id = tie(u->organization_id);
        return b->receiving_organization_id != NULL;
    default:
        return false;
    }
}

static bool same(const char *bound, const char *value)
{
    return bound == NULL || (value != NULL && strcmp(bound, value) == 0);
}

bool scope_reaches(const struct ctx *cx, enum action a, const struct reach *r)
{
    struct bounds b;
    if (!scope_bounds(cx, a, &b))
        return false;
    const char *assigned = tie(r->assigned_to);
    return same(b.organization_id, r->organization_id) && same(b.group_id, r->group_id) &&
           same(b.owner_id, r->owner_id) && same(b.assigned_to, assigned) &&
           same(b.receiving_organization_id, r->receiving_organization_id) &&
           (!b.consented || r->consented) && (!b.trainer || r->trainer) &&
           (b.assigned_or_open_for == NULL || assigned == NULL ||
            strcmp(assigned, b.assigned_or_open_for) == 0);
}
