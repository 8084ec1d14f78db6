/* Accounts on the pages (issue 9 item 3): GET /users lists the accounts the
 * caller may list (a supervisor her organization's, an admin all) with
 * their status, the ones waiting for approval first, each with an "approve"
 * button for who may approve it; POST /users/{id}/approve approves one at
 * the version shown and comes back to GET /users?ok=approved. An admin gets
 * an edit form per account (role, status, organization, group): POST
 * /users/{id} changes it through user_update, as PATCH /api/v1/users/{id}
 * does. A supervisor sees her organization's account changes below the
 * list (user_changes). What is offered is what the domain allows: the
 * domain decides. */
#include "web/page.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/network.h"
#include "domain/scope.h"
#include "domain/users.h"

/* What the edit forms choose from (admin). */
struct choices {
    struct org_rec *orgs;
    size_t norgs;
    struct group_rec *groups;
    size_t ngroups;
};

static bool is(const char *a, const char *b)
{
    return strcmp(a != NULL ? a : "", b != NULL ? b : "") == 0;
}

static void edit_form(struct req *r, struct resp *w, const struct user_rec *u,
                      const struct choices *ch)
{
    struct buf *b = &w->body;
    char action[ID_SIZE + 16], version[16], id[ID_SIZE + 16];
    snprintf(action, sizeof action, "/users/%s", u->id);
    snprintf(version, sizeof version, "%d", u->version);
    h_raw(b, "<details class=\"user-edit\"><summary>");
    h_text(b, tr(r, MSG_USER_EDIT));
    h_raw(b, "</summary>");
    h_open(b, "form", "method", "post", "action", action, "class", "stack", "autocomplete", "off",
           H_END);
    page_csrf(r, w);
    h_hidden(b, "version", version);
    snprintf(id, sizeof id, "role-%s", u->id);
    h_label(r, b, id, MSG_USER_ROLE, false);
    h_open(b, "select", "id", id, "name", "role", H_END);
    for (int i = 0; i < code_count(LIST_ROLE); i++) {
        const char *code = code_name(LIST_ROLE, i);
        h_open_begin(b, "option");
        h_attr(b, "value", code);
        h_flag(b, "selected", is(u->role, code));
        h_open_end(b);
        h_text(b, code_label(r, LIST_ROLE, code));
        h_close(b, "option");
    }
    h_raw(b, "</select>");
    snprintf(id, sizeof id, "active-%s", u->id);
    h_label(r, b, id, MSG_USER_STATUS, false);
    h_open(b, "select", "id", id, "name", "active", H_END);
    h_open_begin(b, "option");
    h_attr(b, "value", "yes");
    h_flag(b, "selected", u->active);
    h_open_end(b);
    h_text(b, tr(r, MSG_USER_STATUS_ACTIVE));
    h_raw(b, "</option>");
    h_open_begin(b, "option");
    h_attr(b, "value", "no");
    h_flag(b, "selected", !u->active);
    h_open_end(b);
    h_text(b, tr(r, MSG_USER_STATUS_INACTIVE));
    h_raw(b, "</option></select>");
    snprintf(id, sizeof id, "org-%s", u->id);
    h_label(r, b, id, MSG_USER_ORGANIZATION, true);
    h_open(b, "select", "id", id, "name", "organization_id", H_END);
    h_raw(b, "<option value=\"\">");
    h_text(b, tr(r, MSG_USER_NONE));
    h_raw(b, "</option>");
    for (size_t i = 0; i < ch->norgs; i++) {
        h_open_begin(b, "option");
        h_attr(b, "value", ch->orgs[i].id);
        h_flag(b, "selected", is(u->organization_id, ch->orgs[i].id));
        h_open_end(b);
        h_text(b, ch->orgs[i].name);
        h_raw(b, "</option>");
    }
    h_raw(b, "</select>");
    snprintf(id, sizeof id, "group-%s", u->id);
    h_label(r, b, id, MSG_USER_GROUP, true);
    h_open(b, "select", "id", id, "name", "group_id", H_END);
    h_raw(b, "<option value=\"\">");
    h_text(b, tr(r, MSG_USER_NONE));
    h_raw(b, "</option>");
    for (size_t i = 0; i < ch->ngroups; i++) {
        h_open_begin(b, "option");
        h_attr(b, "value", ch->groups[i].id);
        h_flag(b, "selected", is(u->group_id, ch->groups[i].id));
        h_open_end(b);
        h_text(b, ch->groups[i].name);
        h_raw(b, "</option>");
    }
    h_raw(b, "</select><button type=\"submit\">");
    h_text(b, tr(r, MSG_USER_SAVE));
    h_raw(b, "</button></form></details>");
}

static void user_row(struct req *r, struct resp *w, const struct user_rec *u, bool approver,
                     const struct choices *ch)
{
    struct buf *b = &w->body;
    char id[ID_SIZE + 8];
    snprintf(id, sizeof id, "user-%s", u->id);
    const char *status = !u->active ? "inactive" : u->pending ? "pending_approval" : "active";
    h_open(b, "tr", "id", id, "data-status", status, H_END);
    h_raw(b, "<td>");
    h_text(b, u->username);
    h_raw(b, "</td><td>");
    h_text(b, code_label(r, LIST_ROLE, u->role));
    h_raw(b, "</td><td class=\"status\">");
    h_text(b, tr(r, !u->active   ? MSG_USER_STATUS_INACTIVE
                    : u->pending ? MSG_USER_STATUS_PENDING
                                 : MSG_USER_STATUS_ACTIVE));
    h_raw(b, "</td><td>");
    bool mine = r->actor != NULL && strcmp(u->requested_by, r->actor->user.id) == 0;
    if (approver && u->pending && !mine) {
        char action[ID_SIZE + 24], version[16];
        snprintf(action, sizeof action, "/users/%s/approve", u->id);
        snprintf(version, sizeof version, "%d", u->version);
        h_open(b, "form", "method", "post", "action", action, "class", "action", H_END);
        page_csrf(r, w);
        h_hidden(b, "version", version);
        h_raw(b, "<button type=\"submit\">");
        h_text(b, tr(r, MSG_USER_APPROVE));
        h_raw(b, "</button></form>");
    }
    if (ch != NULL)
        edit_form(r, w, u, ch);
    h_raw(b, "</td></tr>");
}

static enum msg change_label(const char *kind)
{
    static const struct {
        const char *kind;
        enum msg m;
    } labels[] = {
        {"create", MSG_CHANGE_CREATE},         {"approve", MSG_CHANGE_APPROVE},
        {"role_change", MSG_CHANGE_ROLE},      {"deactivate", MSG_CHANGE_DEACTIVATE},
        {"reactivate", MSG_CHANGE_REACTIVATE}, {"totp_enrol_start", MSG_CHANGE_TOTP_START},
        {"totp_enrol", MSG_CHANGE_TOTP_ENROL}, {"totp_remove", MSG_CHANGE_TOTP_REMOVE},
        {"totp_reset", MSG_CHANGE_TOTP_RESET},
    };
    for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++)
        if (strcmp(labels[i].kind, kind) == 0)
            return labels[i].m;
    return MSG_CHANGE_UPDATE;
}

/* The username of id among the listed accounts, else NULL. */
static const char *username_of(const struct user_rec *items, size_t n, const char *id)
{
    for (size_t i = 0; id[0] != '\0' && i < n; i++)
        if (strcmp(items[i].id, id) == 0)
            return items[i].username;
    return NULL;
}

/* The supervisor's section: her organization's account changes, newest
 * first (the first page). */
static enum err changes_section(struct req *r, struct resp *w, const struct ctx *cx,
                                const struct user_rec *users, size_t nusers)
{
    struct buf *b = &w->body;
    struct audit_rec *items = NULL;
    size_t n = 0;
    char next[USER_CHANGES_CURSOR_SIZE];
    struct fielderrs fe = {0};
    enum err e = user_changes(cx, NULL, 0, &items, &n, next, &fe);
    if (e != ERR_OK)
        return e;
    h_raw(b, "<h2 id=\"changes-title\">");
    h_text(b, tr(r, MSG_CHANGES_TITLE));
    h_raw(b, "</h2>");
    if (n == 0) {
        h_para(b, "note", "changes-empty", NULL, tr(r, MSG_CHANGES_EMPTY));
        return ERR_OK;
    }
    h_raw(b, "<table id=\"changes\"><thead><tr><th scope=\"col\">");
    h_text(b, tr(r, MSG_CHANGES_WHEN));
    h_raw(b, "</th><th scope=\"col\">");
    h_text(b, tr(r, MSG_CHANGES_ACCOUNT));
    h_raw(b, "</th><th scope=\"col\">");
    h_text(b, tr(r, MSG_CHANGES_WHAT));
    h_raw(b, "</th><th scope=\"col\">");
    h_text(b, tr(r, MSG_CHANGES_BY));
    h_raw(b, "</th></tr></thead><tbody>");
    for (size_t i = 0; i < n; i++) {
        const struct audit_rec *h = &items[i];
        const char *kind = user_change_kind(h);
        const char *account = username_of(users, nusers, h->record_id);
        const char *by = username_of(users, nusers, h->user_id);
        h_open(b, "tr", "data-change", kind, H_END);
        h_raw(b, "<td>");
        h_datetime(b, h->at);
        h_raw(b, "</td><td>");
        h_text(b, account != NULL ? account : h->record_id);
        h_raw(b, "</td><td>");
        h_text(b, tr(r, change_label(kind)));
        h_raw(b, "</td><td>");
        /* An admin is of no organization: her id, as the log has it. */
        h_text(b, by != NULL              ? by
                  : h->user_id[0] != '\0' ? h->user_id
                                          : tr(r, MSG_CHANGES_OPERATOR));
        h_raw(b, "</td></tr>");
    }
    h_raw(b, "</tbody></table>");
    audit_list_free(items, n);
    return ERR_OK;
}

/* The list; refused: the field errors of an edit that was not saved. */
static void users_page(struct req *r, struct resp *w, const struct fielderrs *refused)
{
    struct ctx cx = page_ctx(r);
    struct user_rec *items = NULL;
    size_t n = 0;
    struct choices ch = {0};
    bool editor = may(&cx, ACT_USER_UPDATE);
    enum err e = user_list(&cx, &items, &n);
    if (e == ERR_OK && editor)
        e = org_list(&cx, &ch.orgs, &ch.norgs);
    if (e == ERR_OK && editor)
        e = group_list(&cx, &ch.groups, &ch.ngroups);
    if (e != ERR_OK) {
        user_list_free(items, n);
        org_list_free(ch.orgs, ch.norgs);
        group_list_free(ch.groups, ch.ngroups);
        page_fail(r, w, e);
        return;
    }
    struct buf *b = &w->body;
    page_begin(r, w, tr(r, MSG_USERS_TITLE), "/users");
    h_raw(b, "<h1>");
    h_text(b, tr(r, MSG_USERS_TITLE));
    h_raw(b, "</h1>");
    const char *ok = req_query(r, "ok");
    if (ok != NULL && strcmp(ok, "approved") == 0)
        page_notice(b, "approved-notice", tr(r, MSG_USER_APPROVED));
    if (ok != NULL && strcmp(ok, "saved") == 0)
        page_notice(b, "saved-notice", tr(r, MSG_USER_SAVED));
    if (ok != NULL && strcmp(ok, "changed") == 0)
        page_notice(b, "changed-notice", tr(r, MSG_USER_CHANGED));
    if (refused != NULL) {
        h_raw(b, "<div class=\"error\" id=\"user-error\" role=\"alert\"><p>");
        h_text(b, tr(r, MSG_USER_NOT_SAVED));
        h_raw(b, "</p><ul>");
        for (int i = 0; i < refused->n; i++) {
            h_raw(b, "<li>");
            h_text(b, refused->e[i].field);
            h_raw(b, ": ");
            h_text(b, refused->e[i].message);
            h_raw(b, "</li>");
        }
        h_raw(b, "</ul></div>");
    }
    size_t pending = 0;
    for (size_t i = 0; i < n; i++)
        pending += items[i].pending && items[i].active;
    if (pending > 0)
        h_para(b, "note", "pending-note", NULL, tr(r, MSG_USERS_PENDING_NOTE));
    h_raw(b, "<table id=\"users\"><thead><tr><th scope=\"col\">");
    h_text(b, tr(r, MSG_USERNAME));
    h_raw(b, "</th><th scope=\"col\">");
    h_text(b, tr(r, MSG_USER_ROLE));
    h_raw(b, "</th><th scope=\"col\">");
    h_text(b, tr(r, MSG_USER_STATUS));
    h_raw(b, "</th><th></th></tr></thead><tbody>");
    bool approver = may(&cx, ACT_USER_APPROVE);
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < n; i++)
            if ((items[i].pending && items[i].active) == (pass == 0))
                user_row(r, w, &items[i], approver, editor ? &ch : NULL);
    h_raw(b, "</tbody></table>");
    if (may(&cx, ACT_USER_CHANGES))
        e = changes_section(r, w, &cx, items, n);
    user_list_free(items, n);
    org_list_free(ch.orgs, ch.norgs);
    group_list_free(ch.groups, ch.ngroups);
    if (e != ERR_OK) {
        page_fail(r, w, e);
        return;
    }
    page_end(r, w);
}

void web_users(struct req *r, struct resp *w)
{
    users_page(r, w, NULL);
}

/* POST /users/{id}: the edit form, through user_update. */
void web_user_update(struct req *r, struct resp *w)
{
    struct ctx cx = page_ctx(r);
    struct user_patch_in in;
    struct user_rec out = {0};
    struct fielderrs fe = {0};
    user_patch_in_init(&in);
    form_fields(r, &user_patch_fields, &in, &fe);
    form_nulls(r, &user_patch_fields, &in);
    enum err e = fe.n > 0 ? ERR_VALIDATION : user_update(&cx, page_id(r), &in, &out, &fe);
    user_rec_free(&out);
    switch (e) {
    case ERR_OK:
        resp_redirect(w, "/users?ok=saved");
        return;
    case ERR_CONFLICT:
        resp_redirect(w, "/users?ok=changed");
        return;
    case ERR_VALIDATION:
        w->status = 422;
        users_page(r, w, &fe);
        return;
    default:
        page_fail(r, w, e);
    }
}

void web_user_approve(struct req *r, struct resp *w)
{
    struct ctx cx = page_ctx(r);
    struct user_rec out = {0};
    struct fielderrs fe = {0};
    const char *v = req_form(r, "version");
    int version = v != NULL ? atoi(v) : 0;
    enum err e = user_approve(&cx, page_id(r), version, &out, &fe);
    user_rec_free(&out);
    if (e == ERR_OK || e == ERR_CONFLICT) {
        /* Approved, or approved already or changed: the list as it is now. */
        resp_redirect(w, e == ERR_OK ? "/users?ok=approved" : "/users");
        return;
    }
    page_fail(r, w, e);
}
