/* User accounts: creation by an admin (or the local operator) and the
 * lists a supervisor or admin may see. */
#include "domain/users.h"

#include <limits.h>

#include <string.h>

#include <sodium.h>

#include "audit/audit.h"
#include "domain/check.h"
#include "domain/network.h"
#include "util/alloc.h"
#include "util/codes.h"
#include "util/log.h"

#define DISPLAY_NAME_MAX_CHARS 120

static const struct field user_field_rows[] = {
    F_TEXT(struct user_in, username, "", true, 1, USERNAME_MAX,
           "1 to 64 characters: a-z, 0-9, '.', '_', '-'"),
    F_TEXT(struct user_in, password, "", true, PASSWORD_MIN_CHARS, PASSWORD_MAX_BYTES,
           "at least 10 characters"),
    F_CODE(struct user_in, role, "", true, LIST_ROLE, "not a role"),
    F_TEXT(struct user_in, display_name, "", false, 1, DISPLAY_NAME_MAX_CHARS,
           "1 to 120 characters"),
    F_OF(struct user_in, organization_id, "", FT_ID, false, "no such organization"),
    F_OF(struct user_in, group_id, "", FT_ID, false, "no such group"),
    F_CODE(struct user_in, locale, "", false, LIST_LOCALE, "km or en"),
    F_OF(struct user_in, member_id, "", FT_ID, false, "no such member"),
};
const struct fieldset user_fields = FIELDSET(user_field_rows);

static bool username_ok(const char *s)
{
    size_t n = s != NULL ? strlen(s) : 0;
    if (n == 0 || n > USERNAME_MAX)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
            return false;
    }
    return true;
}

/* Checks in and fills r with the validated values (display_name owned by r). */
static enum err user_validate(const struct ctx *cx, const struct user_in *in, struct user_rec *r,
                              struct fielderrs *fe)
{
    enum role role = ROLE_MEMBER;
    bool role_ok = role_parse(in->role, &role);
    enum err e = fields_check(cx, &user_fields, in, fe);

    if (!check_absent(in->username) && !username_ok(in->username))
        e = fielderr(fe, "username", "1 to 64 characters: a-z, 0-9, '.', '_', '-'");
    /* The policy (auth/password.h): long enough, not a common password,
     * not the username. */
    if (!check_absent(in->password)) {
        enum password_verdict pv = password_judge(in->username, in->password);
        if (pv != PASSWORD_OK)
            e = fielderr(fe, "password", password_verdict_message(pv));
    }

    /* Staff belong to an organization of their kind: case workers and
     * supervisors to an NGO, providers to a service provider. */
    const char *want_kind = NULL;
    if (role_ok && (role == ROLE_CASEWORKER || role == ROLE_SUPERVISOR))
        want_kind = "ngo";
    else if (role_ok && role == ROLE_PROVIDER)
        want_kind = "provider";
    if (!check_absent(in->organization_id)) {
        struct org_rec org = {0};
        enum err ge = check_id(in->organization_id)
                          ? store_org_get(cx->db, in->organization_id, &org)
                          : ERR_NOT_FOUND;
        bool kind_ok = want_kind == NULL || strcmp(org.kind, want_kind) == 0;
        org_rec_free(&org);
        if (ge == ERR_NOT_FOUND)
            e = fielderr(fe, "organization_id", "no such organization");
        else if (ge != ERR_OK)
            return ge;
        else if (!kind_ok)
            e = fielderr(fe, "organization_id", "not an organization of this role's kind");
        else
            strcpy(r->organization_id, in->organization_id);
    } else if (want_kind != NULL) {
        e = fielderr(fe, "organization_id", "required for this role");
    }
    if (!check_absent(in->group_id)) {
        struct group_rec g = {0};
        enum err ge =
            check_id(in->group_id) ? store_group_get(cx->db, in->group_id, &g) : ERR_NOT_FOUND;
        if (ge == ERR_NOT_FOUND) {
            e = fielderr(fe, "group_id", "no such group");
        } else if (ge != ERR_OK) {
            group_rec_free(&g);
            return ge;
        } else if (r->organization_id[0] != '\0' &&
                   strcmp(r->organization_id, g.organization_id) != 0) {
            e = fielderr(fe, "group_id", "the group belongs to another organization");
        } else {
            strcpy(r->group_id, in->group_id);
        }
        group_rec_free(&g);
    } else if (role_ok && (role == ROLE_MEMBER || role == ROLE_REPRESENTATIVE)) {
        e = fielderr(fe, "group_id", "required for a member or representative");
    }
    if (!check_absent(in->member_id)) {
        struct member_rec m = {0};
        enum err me =
            check_id(in->member_id) ? store_member_get(cx->db, in->member_id, &m) : ERR_NOT_FOUND;
        bool in_group = me == ERR_OK && strcmp(m.group_id, r->group_id) == 0;
        member_rec_free(&m);
        if (me != ERR_OK && me != ERR_NOT_FOUND)
            return me;
        if (!role_ok || (role != ROLE_MEMBER && role != ROLE_REPRESENTATIVE))
            e = fielderr(fe, "member_id", "only a member's or representative's account has one");
        else if (!in_group)
            e = fielderr(fe, "member_id", "a member of the account's group");
        else
            snprintf(r->member_id, sizeof r->member_id, "%s", in->member_id);
    }
    if (e != ERR_OK)
        return e;

    strcpy(r->username, in->username);
    strcpy(r->role, role_code(role));
    r->display_name = xstrdup(in->display_name != NULL ? in->display_name : in->username);
    strcpy(r->locale, in->locale != NULL ? in->locale : "km");
    return ERR_OK;
}

enum err user_create(const struct ctx *cx, const struct user_in *in, struct user_rec *out,
                     struct fielderrs *fe)
{
    struct user_rec r = {0};
    char hash[PASSWORD_HASH_SIZE] = {0};
    enum err e;

    memset(out, 0, sizeof *out);
    if (scope_of(cx, ACT_USER_CREATE) != SCOPE_ALL)
        return ERR_FORBIDDEN;
    if ((e = user_validate(cx, in, &r, fe)) != ERR_OK)
        goto out;
    /* Argon2id is slow: hash before taking the write lock. */
    if ((e = crypto_password_hash(in->password, hash)) != ERR_OK)
        goto out;

    crypto_random_id(r.id);
    r.active = true;
    /* Two people for an account that sees identities: an admin asks, a
     * supervisor approves. The local operator's accounts are active. */
    if (cx->actor != NULL && role_sees_identities(r.role)) {
        r.pending = true;
        snprintf(r.requested_by, sizeof r.requested_by, "%s", cx->actor->user.id);
    }
    clock_stamp(r.created_at);
    memcpy(r.updated_at, r.created_at, TS_SIZE);
    r.version = 1;

    if ((e = store_begin(cx->db)) != ERR_OK)
        goto out;
    e = store_user_insert(cx->db, &r, hash);
    if (e == ERR_OK)
        e = audit_append(cx->db, check_user_id(cx), AUDIT_CREATE, "user", r.id,
                         r.pending ? "pending_approval" : r.role);
    if ((e = store_end(cx->db, e)) != ERR_OK) {
        if (e == ERR_CONFLICT)
            fielderr(fe, "username", "already taken");
        goto out;
    }
    *out = r;
    memset(&r, 0, sizeof r);
out:
    sodium_memzero(hash, sizeof hash);
    user_rec_free(&r);
    return e;
}

enum err user_list(const struct ctx *cx, struct user_rec **items, size_t *n)
{
    *items = NULL;
    *n = 0;
    switch (scope_of(cx, ACT_USER_LIST)) {
    case SCOPE_ALL:
        return store_user_list(cx->db, NULL, items, n);
    case SCOPE_ORG:
        if (cx->actor->user.organization_id[0] == '\0')
            return ERR_OK;
        return store_user_list(cx->db, cx->actor->user.organization_id, items, n);
    default:
        return ERR_FORBIDDEN;
    }
}

enum err user_member(const struct ctx *cx, struct member_rec *out)
{
    memset(out, 0, sizeof *out);
    if (cx->actor == NULL || cx->actor->user.member_id[0] == '\0')
        return ERR_NOT_FOUND;
    return member_fetch(cx, cx->actor->user.member_id, out);
}

enum err org_list(const struct ctx *cx, struct org_rec **items, size_t *n)
{
    *items = NULL;
    *n = 0;
    if (scope_of(cx, ACT_ORG_LIST) != SCOPE_ALL)
        return ERR_FORBIDDEN;
    return store_org_list(cx->db, items, n);
}

enum err user_me(const struct ctx *cx, struct user_rec *out)
{
    memset(out, 0, sizeof *out);
    if (cx->actor == NULL || !may(cx, ACT_ME_READ))
        return ERR_FORBIDDEN;
    *out = cx->actor->user;
    out->display_name =
        cx->actor->user.display_name != NULL ? xstrdup(cx->actor->user.display_name) : NULL;
    return ERR_OK;
}

static const struct field approve_field_rows[] = {
    F_INT(struct user_approve_in, version, "", true, 1, INT_MAX, -1,
          "required: the version you read"),
};
const struct fieldset user_approve_fields = FIELDSET(approve_field_rows);

bool role_sees_identities(const char *role)
{
    return strcmp(role, code_name(LIST_ROLE, ROLE_CASEWORKER)) == 0 ||
           strcmp(role, code_name(LIST_ROLE, ROLE_SUPERVISOR)) == 0 ||
           strcmp(role, code_name(LIST_ROLE, ROLE_PROVIDER)) == 0;
}

enum err user_by_username(const struct ctx *cx, const char *username, struct user_rec *out)
{
    memset(out, 0, sizeof *out);
    if (!cx->local_operator)
        return ERR_FORBIDDEN;
    if (username == NULL || strlen(username) > USERNAME_MAX)
        return ERR_NOT_FOUND;
    return store_user_by_username(cx->db, username, out, NULL);
}

/* The organization whose supervisors approve u: hers for a caseworker or a
 * supervisor; for a provider the approver's own, when it is an NGO (a
 * provider's account is vouched for by the NGO that refers to it). */
static bool approver_reaches(const struct ctx *cx, const struct user_rec *u)
{
    if (cx->local_operator && cx->actor == NULL)
        return true;
    struct reach re = {.organization_id = u->organization_id};
    struct org_rec o = {0};
    if (strcmp(u->role, code_name(LIST_ROLE, ROLE_PROVIDER)) == 0) {
        const char *mine = cx->actor != NULL ? cx->actor->user.organization_id : "";
        bool ngo = mine[0] != '\0' && store_org_get(cx->db, mine, &o) == ERR_OK &&
                   strcmp(o.kind, "ngo") == 0;
        org_rec_free(&o);
        if (!ngo)
            return false;
        re.organization_id = mine;
    }
    return scope_reaches(cx, ACT_USER_APPROVE, &re);
}

enum err user_approve(const struct ctx *cx, const char *id, int version, struct user_rec *out,
                      struct fielderrs *fe)
{
    struct user_rec u = {0};
    memset(out, 0, sizeof *out);
    if (!may(cx, ACT_USER_APPROVE))
        return ERR_FORBIDDEN;
    if (!check_id(id))
        return ERR_NOT_FOUND;
    enum err e = store_user_get(cx->db, id, &u);
    if (e != ERR_OK)
        return e;
    if (!approver_reaches(cx, &u)) {
        user_rec_free(&u);
        return ERR_NOT_FOUND;
    }
    if (cx->actor != NULL && (strcmp(u.requested_by, cx->actor->user.id) == 0 ||
                              strcmp(u.id, cx->actor->user.id) == 0)) {
        user_rec_free(&u);
        return ERR_FORBIDDEN; /* nobody approves an account she asked for */
    }
    if (!u.pending) {
        user_rec_free(&u);
        fielderr(fe, "status", "the account is not waiting for approval");
        return ERR_CONFLICT;
    }
    if (version != u.version) {
        user_rec_free(&u);
        fielderr(fe, "version", "the account changed since you read it");
        return ERR_CONFLICT;
    }
    clock_stamp(u.updated_at);
    if ((e = store_begin(cx->db)) == ERR_OK) {
        e = store_user_approve(cx->db, &u);
        if (e == ERR_OK)
            e = audit_append(cx->db, check_user_id(cx), AUDIT_UPDATE, "user", u.id, "approved");
        e = store_end(cx->db, e);
    }
    if (e == ERR_CONFLICT)
        fielderr(fe, "version", "the account changed since you read it");
    if (e == ERR_OK) {
        u.pending = false;
        u.version++;
        *out = u;
        return ERR_OK;
    }
    user_rec_free(&u);
    return e;
}

bool user_takes_cases(const struct user_rec *u, const char *org)
{
    return u->active && !u->pending && org != NULL && org[0] != '\0' &&
           strcmp(u->organization_id, org) == 0 &&
           (strcmp(u->role, code_name(LIST_ROLE, ROLE_CASEWORKER)) == 0 ||
            strcmp(u->role, code_name(LIST_ROLE, ROLE_SUPERVISOR)) == 0);
}
