/* Accounts on the pages (issue 9 item 3): GET /users lists the accounts the
 * caller may list (a supervisor her organization's, an admin all) with
 * their status, the ones waiting for approval first, each with an "approve"
 * button for who may approve it; POST /users/{id}/approve approves one at
 * the version shown and comes back to GET /users?ok=approved. What is
 * offered is what the domain allows: user_approve decides. */
#include "web/page.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/scope.h"
#include "domain/users.h"

static void user_row(struct req *r, struct resp *w, const struct user_rec *u, bool approver)
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
    h_raw(b, "</td></tr>");
}

void web_users(struct req *r, struct resp *w)
{
    struct ctx cx = page_ctx(r);
    struct user_rec *items = NULL;
    size_t n = 0;
    enum err e = user_list(&cx, &items, &n);
    if (e != ERR_OK) {
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
                user_row(r, w, &items[i], approver);
    h_raw(b, "</tbody></table>");
    page_end(r, w);
    user_list_free(items, n);
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
