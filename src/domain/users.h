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
/* As user_create, with in->password already hashed into password_hash
 * (crypto_password_hash): the scale demo gives its thousands of accounts
 * one hash of one password. */
enum err user_create_hashed(const struct ctx *cx, const struct user_in *in,
                            const char *password_hash, struct user_rec *out, struct fielderrs *fe);
/* Whether an account of role can see identities (caseworker, supervisor,
 * provider): made or changed by an admin, it waits for approval. */
bool role_sees_identities(const char *role);
/* A display name is a name (a member's account is named after her): it is
 * sealed under the data key (SEALED_USER_NAME) before it is written... */
void user_name_seal(const struct ctx *cx, struct user_rec *r);
/* ...and opened in place once read (a plain one, written before, stays;
 * one that does not open becomes NULL, and the username is shown). */
void user_name_open(const struct datakey *k, struct user_rec *r);
/* Seals the display names written before they were sealed (cbpn serve, at
 * start); *sealed: how many. */
enum err user_seal_existing(const struct ctx *cx, size_t *sealed);
/* store_user_get() with the display name opened. */
enum err user_get_named(const struct ctx *cx, const char *id, struct user_rec *out);
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
/* PATCH /users/{id}: what was sent (fields absent keep their value). */
struct user_patch_in {
    int version;
    const char *role;
    const char *display_name;
    bool active;
    const char *group_id;        /* null: none */
    const char *organization_id; /* null: none */
    struct fields_sent sent;
};
extern const struct fieldset user_patch_fields;
void user_patch_in_init(struct user_patch_in *in);
/* Changes an account (ACT_USER_UPDATE: an admin), with the rules of
 * creation for its ties (organization for staff, group for members). A
 * change to a role that sees identities, a move of such an account to
 * another organization, or its reactivation, leaves it pending_approval
 * with requested_by the caller. "active":false makes it inactive and ends
 * every session of it at once; so does any change of role, ties or
 * approval. ERR_FORBIDDEN when the caller would change her own role or
 * deactivate herself; ERR_CONFLICT on a stale version; ERR_VALIDATION with
 * fields; nothing written on refusal. Audited with what changed (field
 * names and role codes, never values of names). */
enum err user_update(const struct ctx *cx, const char *id, const struct user_patch_in *in,
                     struct user_rec *out, struct fielderrs *fe);

#define USER_CHANGES_CURSOR_SIZE 24
/* GET /users/changes: the account changes (create, approve, role change,
 * deactivate, reactivate, TOTP enrolment and reset, other updates) of the
 * accounts of the caller's organization (ACT_USER_CHANGES: a supervisor),
 * from the audit log, newest first; cursor from the previous page's next
 * (NULL: the newest), limit 1..200 (0: 50). Audited as a read.
 * *items: audit_list_free. */
enum err user_changes(const struct ctx *cx, const char *cursor, int limit, struct audit_rec **items,
                      size_t *n, char next[USER_CHANGES_CURSOR_SIZE], struct fielderrs *fe);
/* The kind of an account change entry: create, approve, role_change,
 * deactivate, reactivate, totp_enrol, totp_reset, totp_remove, update. */
const char *user_change_kind(const struct audit_rec *r);

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
