/* User accounts. */
#ifndef CBPN_DOMAIN_USERS_H
#define CBPN_DOMAIN_USERS_H

#include "auth/password.h"
#include "domain/ctx.h"
#include "domain/fields.h"

struct user_in {
    const char *username;
    const char *password;
    const char *role;
    const char *display_name;    /* NULL: the username */
    const char *organization_id; /* NULL when none */
    const char *group_id;        /* NULL when none; required for member, representative */
    const char *locale;          /* NULL: "km" */
    /* Her record in her group's member list (member, representative
     * only; a member of group_id), or NULL. */
    const char *member_id;
};
/* user_in's field table (domain/fields.h). */
extern const struct fieldset user_fields;

/* Creates a user (admin, or the local operator). ERR_VALIDATION with fields;
 * ERR_CONFLICT when the username is taken. */
enum err user_create(const struct ctx *cx, const struct user_in *in, struct user_rec *out,
                     struct fielderrs *fe);
/* Whether an account of role can see identities (caseworker, supervisor,
 * provider): made or changed by an admin, it waits for approval. */
bool role_sees_identities(const char *role);
/* POST /users/{id}/approve: the version read. */
struct user_approve_in {
    int version;
};
extern const struct fieldset user_approve_fields;
/* Approves a pending account (ACT_USER_APPROVE): a supervisor of its
 * organization for a caseworker or a supervisor, a supervisor of an NGO for
 * a provider; the local operator any (cbpn user approve). ERR_NOT_FOUND when
 * absent or out of reach; ERR_FORBIDDEN when the caller asked for it
 * herself; ERR_CONFLICT when it is not pending or version is stale.
 * Audited. */
enum err user_approve(const struct ctx *cx, const char *id, int version, struct user_rec *out,
                      struct fielderrs *fe);
/* The pending account of username, for the local operator (ERR_NOT_FOUND). */
enum err user_by_username(const struct ctx *cx, const char *username, struct user_rec *out);
/* Whether u may be given a case or a task of organization org: an active
 * caseworker or supervisor of it. The one rule for assignment, transfer and
 * tasks, and for the pages' pickers. */
bool user_takes_cases(const struct user_rec *u, const char *org);
/* The caller's own account (ACT_ME_READ), copied into out (user_rec_free). */
enum err user_me(const struct ctx *cx, struct user_rec *out);
/* Users the caller may list (admin: all; supervisor: her organization). */
enum err user_list(const struct ctx *cx, struct user_rec **items, size_t *n);
/* The member record the caller's account is linked to (user.member_id),
 * into out (member_rec_free): ERR_NOT_FOUND when she has none. */
enum err user_member(const struct ctx *cx, struct member_rec *out);
/* Every organization, by name (ACT_ORG_LIST: for pickers). */
enum err org_list(const struct ctx *cx, struct org_rec **items, size_t *n);

#endif
