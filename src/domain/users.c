/* User accounts: creation by an admin (or the local operator) and the
 * lists a supervisor or admin may see. */
#include "domain/users.h"

#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#include <string.h>

#include <sodium.h>

#include "audit/audit.h"
#include "domain/check.h"
#include "domain/network.h"
#include "domain/sealed.h"
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

/* The ties of an account of role (role_ok: a valid one): its organization,
 * group and member record, checked into r (organization_id, group_id,
 * member_id). ERR_VALIDATION with fields, or a store error. */
static enum err ties_check(const struct ctx *cx, bool role_ok, enum role role,
                           const char *organization_id, const char *group_id, const char *member_id,
                           struct user_rec *r, struct fielderrs *fe)
{
    enum err e = ERR_OK;
    r->organization_id[0] = '\0';
    r->group_id[0] = '\0';
    r->member_id[0] = '\0';
    /* Staff belong to an organization of their kind: case workers and
     * supervisors to an NGO, providers to a service provider. */
    const char *want_kind = NULL;
    if (role_ok && (role == ROLE_CASEWORKER || role == ROLE_SUPERVISOR))
        want_kind = "ngo";
    else if (role_ok && role == ROLE_PROVIDER)
        want_kind = "provider";
    if (!check_absent(organization_id)) {
        struct org_rec org = {0};
        enum err ge = check_id(organization_id) ? store_org_get(cx->db, organization_id, &org)
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
            strcpy(r->organization_id, organization_id);
    } else if (want_kind != NULL) {
        e = fielderr(fe, "organization_id", "required for this role");
    }
    if (!check_absent(group_id)) {
        struct group_rec g = {0};
        enum err ge = check_id(group_id) ? store_group_get(cx->db, group_id, &g) : ERR_NOT_FOUND;
        if (ge == ERR_NOT_FOUND) {
            e = fielderr(fe, "group_id", "no such group");
        } else if (ge != ERR_OK) {
            group_rec_free(&g);
            return ge;
        } else if (r->organization_id[0] != '\0' &&
                   strcmp(r->organization_id, g.organization_id) != 0) {
            e = fielderr(fe, "group_id", "the group belongs to another organization");
        } else {
            strcpy(r->group_id, group_id);
        }
        group_rec_free(&g);
    } else if (role_ok && (role == ROLE_MEMBER || role == ROLE_REPRESENTATIVE)) {
        e = fielderr(fe, "group_id", "required for a member or representative");
    }
    if (!check_absent(member_id)) {
        struct member_rec m = {0};
        enum err me = check_id(member_id) ? store_member_get(cx->db, member_id, &m) : ERR_NOT_FOUND;
        bool in_group = me == ERR_OK && strcmp(m.group_id, r->group_id) == 0;
        member_rec_free(&m);
        if (me != ERR_OK && me != ERR_NOT_FOUND)
            return me;
        if (!role_ok || (role != ROLE_MEMBER && role != ROLE_REPRESENTATIVE))
            e = fielderr(fe, "member_id", "only a member's or representative's account has one");
        else if (!in_group)
            e = fielderr(fe, "member_id", "a member of the account's group");
        else
            snprintf(r->member_id, sizeof r->member_id, "%s", member_id);
    }
    return e;
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

    enum err te =
        ties_check(cx, role_ok, role, in->organization_id, in->group_id, in->member_id, r, fe);
    if (te != ERR_OK && te != ERR_VALIDATION)
        return te;
    if (te != ERR_OK)
        e = te;
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
    return user_create_hashed(cx, in, NULL, out, fe);
}

enum err user_create_hashed(const struct ctx *cx, const struct user_in *in,
                            const char *password_hash, struct user_rec *out, struct fielderrs *fe)
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
    if (password_hash != NULL && strlen(password_hash) < sizeof hash)
        memcpy(hash, password_hash, strlen(password_hash) + 1);
    else if ((e = crypto_password_hash(in->password, hash)) != ERR_OK)
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
    user_name_seal(cx, &r);
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
    user_name_open(cx->key, out);
out:
    sodium_memzero(hash, sizeof hash);
    user_rec_free(&r);
    return e;
}

enum err user_list(const struct ctx *cx, struct user_rec **items, size_t *n)
{
    *items = NULL;
    *n = 0;
    enum err e;
    switch (scope_of(cx, ACT_USER_LIST)) {
    case SCOPE_ALL:
        e = store_user_list(cx->db, NULL, items, n);
        break;
    case SCOPE_ORG:
        if (cx->actor->user.organization_id[0] == '\0')
            return ERR_OK;
        e = store_user_list(cx->db, cx->actor->user.organization_id, items, n);
        break;
    default:
        return ERR_FORBIDDEN;
    }
    for (size_t i = 0; e == ERR_OK && i < *n; i++)
        user_name_open(cx->key, &(*items)[i]);
    return e;
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
    enum err e = store_user_by_username(cx->db, username, out, NULL);
    if (e == ERR_OK)
        user_name_open(cx->key, out);
    return e;
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
    if (e == ERR_OK)
        user_name_open(cx->key, &u);
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

/* ---- PATCH /users/{id} ---- */

static const struct field patch_field_rows[] = {
    F_INT(struct user_patch_in, version, "", true, 1, INT_MAX, -1,
          "required: the version you read"),
    F_CODE(struct user_patch_in, role, "", false, LIST_ROLE, "not a role"),
    F_TEXT(struct user_patch_in, display_name, "", false, 1, DISPLAY_NAME_MAX_CHARS,
           "1 to 120 characters"),
    F_BOOL(struct user_patch_in, active, "", false),
    F_OF(struct user_patch_in, group_id, "", FT_ID, false, "no such group"),
    F_OF(struct user_patch_in, organization_id, "", FT_ID, false, "no such organization"),
};
enum { PATCH_VERSION, PATCH_ROLE, PATCH_DISPLAY_NAME, PATCH_ACTIVE, PATCH_GROUP, PATCH_ORG };
const struct fieldset user_patch_fields = {
    patch_field_rows, (int)(sizeof patch_field_rows / sizeof patch_field_rows[0]),
    offsetof(struct user_patch_in, sent)};

void user_patch_in_init(struct user_patch_in *in)
{
    memset(in, 0, sizeof *in);
    fields_init(&user_patch_fields, in);
}

static bool sent(const struct user_patch_in *in, int i)
{
    return fields_was_sent(&user_patch_fields, in, i);
}

static bool same(const char *a, const char *b)
{
    return strcmp(a != NULL ? a : "", b != NULL ? b : "") == 0;
}

enum err user_update(const struct ctx *cx, const char *id, const struct user_patch_in *in,
                     struct user_rec *out, struct fielderrs *fe)
{
    struct user_rec u = {0}, t = {0};
    memset(out, 0, sizeof *out);
    if (scope_of(cx, ACT_USER_UPDATE) != SCOPE_ALL || cx->actor == NULL)
        return ERR_FORBIDDEN;
    enum err e = fields_check(cx, &user_patch_fields, in, fe);
    /* What cannot be cleared: the version, the role, the name, active. */
    const int keep[] = {PATCH_VERSION, PATCH_ROLE, PATCH_DISPLAY_NAME, PATCH_ACTIVE};
    for (size_t i = 0; i < sizeof keep / sizeof keep[0]; i++)
        if (fields_was_null(&user_patch_fields, in, keep[i]))
            e = fielderr(fe, user_patch_fields.fields[keep[i]].path,
                         "required: it cannot be cleared");
    if (e != ERR_OK)
        return e;
    if (!check_id(id))
        return ERR_NOT_FOUND;
    if ((e = store_user_get(cx->db, id, &u)) == ERR_OK)
        user_name_open(cx->key, &u);
    if (e != ERR_OK)
        return e;

    bool self = strcmp(u.id, cx->actor->user.id) == 0;
    const char *role_s = sent(in, PATCH_ROLE) ? in->role : u.role;
    bool role_changed = !same(role_s, u.role);
    const char *org = sent(in, PATCH_ORG) ? in->organization_id : u.organization_id;
    const char *group = sent(in, PATCH_GROUP) ? in->group_id : u.group_id;
    bool active = sent(in, PATCH_ACTIVE) ? in->active : u.active;
    /* Nobody changes her own role or switches herself off: the admin who
     * could would need no second person for anything. */
    if (self && (role_changed || !active)) {
        e = ERR_FORBIDDEN;
        goto out;
    }
    if (in->version != u.version) {
        fielderr(fe, "version", "the account changed since you read it");
        e = ERR_CONFLICT;
        goto out;
    }
    enum role role = ROLE_MEMBER;
    bool role_ok = role_parse(role_s, &role);
    /* Her member record stays hers only while she is a member or a
     * representative of the same group. */
    const char *member = u.member_id;
    if (!role_ok || (role != ROLE_MEMBER && role != ROLE_REPRESENTATIVE) ||
        !same(group, u.group_id))
        member = NULL;
    if ((e = ties_check(cx, role_ok, role, org, group, member, &t, fe)) != ERR_OK)
        goto out;

    bool org_changed = !same(t.organization_id, u.organization_id);
    bool reactivated = active && !u.active;
    bool name_changed = sent(in, PATCH_DISPLAY_NAME) && !same(in->display_name, u.display_name);
    bool ties_changed =
        org_changed || !same(t.group_id, u.group_id) || !same(t.member_id, u.member_id);
    /* Two people for an account that sees identities: a new such role, a
     * move to another organization or a reactivation waits for a
     * supervisor's approval, requested by this admin. */
    bool needs_approval =
        role_sees_identities(role_code(role)) && (role_changed || org_changed || reactivated);
    bool pending = needs_approval || (u.pending && role_sees_identities(role_code(role)));

    char detail[160] = "";
    size_t dl = 0;
#define ADD(...) dl += (size_t)snprintf(detail + dl, sizeof detail - dl, __VA_ARGS__)
    if (role_changed)
        ADD("%srole=%s", dl ? " " : "", role_code(role));
    if (org_changed)
        ADD("%sorganization_id", dl ? " " : "");
    if (!same(t.group_id, u.group_id))
        ADD("%sgroup_id", dl ? " " : "");
    if (!same(t.member_id, u.member_id))
        ADD("%smember_id", dl ? " " : "");
    if (name_changed)
        ADD("%sdisplay_name", dl ? " " : "");
    if (active != u.active)
        ADD("%sactive=%s", dl ? " " : "", active ? "true" : "false");
    if (pending != u.pending)
        ADD("%s%s", dl ? " " : "", pending ? "pending_approval" : "approval_not_needed");
#undef ADD
    if (dl == 0) { /* nothing changes: nothing written */
        *out = u;
        return ERR_OK;
    }

    struct user_rec n = u;
    strcpy(n.role, role_code(role));
    memcpy(n.organization_id, t.organization_id, sizeof n.organization_id);
    memcpy(n.group_id, t.group_id, sizeof n.group_id);
    memcpy(n.member_id, t.member_id, sizeof n.member_id);
    n.active = active;
    n.pending = pending;
    if (needs_approval)
        snprintf(n.requested_by, sizeof n.requested_by, "%s", cx->actor->user.id);
    else if (!pending)
        n.requested_by[0] = '\0';
    n.display_name = xstrdup(name_changed ? in->display_name : u.display_name);
    clock_stamp(n.updated_at);

    if ((e = store_begin(cx->db)) == ERR_OK) {
        user_name_seal(cx, &n);
        e = store_user_update(cx->db, &n);
        /* A change of role, ties or state ends her sessions at once: the
         * next request signs in again, under the new rules (or not at all
         * while inactive or pending). */
        if (e == ERR_OK && (role_changed || ties_changed || !active || pending))
            e = store_session_delete_user(cx->db, n.id, NULL);
        if (e == ERR_OK)
            e = audit_append(cx->db, check_user_id(cx), AUDIT_UPDATE, "user", n.id, detail);
        e = store_end(cx->db, e);
    }
    if (e == ERR_CONFLICT)
        fielderr(fe, "version", "the account changed since you read it");
    if (e != ERR_OK) {
        free(n.display_name);
        goto out;
    }
    n.version++;
    free(u.display_name);
    *out = n;
    user_name_open(cx->key, out);
    return ERR_OK;
out:
    user_rec_free(&u);
    return e;
}

/* ---- the account changes a supervisor sees ---- */

#define CHANGES_MAX     200
#define CHANGES_DEFAULT 50

const char *user_change_kind(const struct audit_rec *r)
{
    const char *d = r->detail != NULL ? r->detail : "";
    if (strcmp(r->action, "create") == 0)
        return "create";
    if (strcmp(d, "approved") == 0)
        return "approve";
    if (strncmp(d, "totp_", 5) == 0) {
        if (strcmp(d, "totp_enrolled") == 0)
            return "totp_enrol";
        if (strcmp(d, "totp_reset") == 0)
            return "totp_reset";
        if (strcmp(d, "totp_started") == 0)
            return "totp_enrol_start";
        return "totp_remove";
    }
    if (strstr(d, "active=false") != NULL)
        return "deactivate";
    if (strstr(d, "active=true") != NULL)
        return "reactivate";
    if (strstr(d, "role=") != NULL)
        return "role_change";
    return "update";
}

enum err user_changes(const struct ctx *cx, const char *cursor, int limit, struct audit_rec **items,
                      size_t *n, char next[USER_CHANGES_CURSOR_SIZE], struct fielderrs *fe)
{
    *items = NULL;
    *n = 0;
    next[0] = '\0';
    if (scope_of(cx, ACT_USER_CHANGES) != SCOPE_ORG || cx->actor == NULL)
        return ERR_FORBIDDEN;
    int64_t before = 0;
    enum err e = ERR_OK;
    if (limit < 0 || limit > CHANGES_MAX)
        e = fielderr(fe, "limit", "1 to 200");
    if (cursor != NULL) {
        char *end = NULL;
        long long v = (cursor[0] >= '0' && cursor[0] <= '9' && strlen(cursor) <= 18)
                          ? strtoll(cursor, &end, 10)
                          : -1;
        if (v <= 0 || end == NULL || *end != '\0')
            e = fielderr(fe, "cursor", "not a cursor from this list");
        else
            before = v;
    }
    if (e != ERR_OK)
        return e;
    const char *org = cx->actor->user.organization_id;
    if (org[0] == '\0')
        return ERR_OK;
    int lim = limit > 0 ? limit : CHANGES_DEFAULT;
    /* Reading the log is a read of it. */
    if ((e = store_begin(cx->db)) == ERR_OK)
        e = store_end(cx->db, audit_append(cx->db, check_user_id(cx), AUDIT_READ, "audit", NULL,
                                           "user_changes"));
    if (e != ERR_OK)
        return e;
    if ((e = store_audit_user_changes(cx->db, org, before, lim + 1, items, n)) != ERR_OK)
        return e;
    if (*n > (size_t)lim) {
        audit_rec_free(&(*items)[lim]);
        *n = (size_t)lim;
        snprintf(next, USER_CHANGES_CURSOR_SIZE, "%lld", (long long)(*items)[lim - 1].seq);
    }
    return ERR_OK;
}

/* ---- the display name, sealed ---- */

void user_name_seal(const struct ctx *cx, struct user_rec *r)
{
    if (r->display_name == NULL || sealed_is_text(r->display_name))
        return;
    char *sealed = sealed_seal_text(cx, SEALED_USER_NAME, r->id, r->display_name);
    crypto_free_text(r->display_name);
    r->display_name = sealed;
}

void user_name_open(const struct datakey *k, struct user_rec *r)
{
    if (r->display_name == NULL || !sealed_is_text(r->display_name))
        return; /* none, or written before names were sealed */
    struct ctx cx = {.key = k};
    char *plain = NULL;
    if (!sealed_open_text(&cx, SEALED_USER_NAME, r->id, r->display_name, &plain))
        log_error("user %s: the sealed display name does not open", r->id);
    free(r->display_name);
    r->display_name = plain; /* NULL when it did not open: the username is shown */
}

enum err user_seal_existing(const struct ctx *cx, size_t *sealed)
{
    *sealed = 0;
    struct user_rec *u = NULL;
    size_t n = 0;
    enum err e = store_user_list(cx->db, NULL, &u, &n);
    for (size_t i = 0; e == ERR_OK && i < n; i++) {
        if (u[i].display_name == NULL || sealed_is_text(u[i].display_name))
            continue;
        user_name_seal(cx, &u[i]);
        if ((e = store_user_update(cx->db, &u[i])) == ERR_OK)
            (*sealed)++;
    }
    user_list_free(u, n);
    return e;
}

enum err user_get_named(const struct ctx *cx, const char *id, struct user_rec *out)
{
    enum err e = store_user_get(cx->db, id, out);
    if (e == ERR_OK)
        user_name_open(cx->key, out);
    return e;
}
