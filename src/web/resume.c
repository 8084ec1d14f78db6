/* A form sent after its session ended keeps what was typed.
 *
 * The case forms' POST routes are FORM_POST (routes.c: ROUTE_RESUME): sent
 * without a valid session, the server answers them with web_resume_page()
 * instead of a bare redirect that would drop the body; the token such a
 * form carries belonged to the ended session and is never checked, and the
 * handler does not run. Nothing is written: the answer is the sign-in page, which carries the
 * fields as they were typed as hidden inputs (the CSRF token left out; nothing in a URL, nothing
 * logged) and the path of the form ("resume"). When that sign-in succeeds,
 * web_login calls form_resume(), which shows the original form again,
 * filled in from the carried fields, with a notice to check it and send it
 * again: nothing is sent on her behalf, since she has not seen the form
 * since the session ended (and a form sent from another site lands here
 * too, without a session: SameSite=Strict cookies). */
#include "web/page.h"

#include <stdio.h>
#include <string.h>

#include "crypto/crypto.h"
#include "web/web.h"

/* The forms that can be shown again, by the path they were sent to. */
static const struct route resumable[] = {
    {M_POST, "/cases", web_case_create_resume, 0},
    {M_POST, "/cases/{id}/edit", web_case_update_resume, 0},
    {M_POST, "/cases/{id}/notes", web_case_show_resume, 0},
    {M_POST, "/cases/{id}/tasks", web_case_show_resume, 0},
    {M_POST, "/cases/{id}/assign", web_case_show_resume, 0},
    {M_POST, "/cases/{id}/closure", web_case_show_resume, 0},
    {M_POST, "/cases/{id}/closure/approve", web_case_show_resume, 0},
    {M_POST, "/cases/{id}/reopen", web_case_show_resume, 0},
    {M_POST, "/cases/{id}/incidents", web_incident_create_resume, 0},
    {M_POST, "/cases/{id}/screenings", web_screening_create_resume, 0},
    {M_POST, "/cases/{id}/consents", web_case_show_resume, 0},
    {M_POST, "/cases/{id}/consents/{consent}/withdraw", web_case_show_resume, 0},
    {M_POST, "/cases/{id}/referrals", web_case_show_resume, 0},
    {M_POST, "/referrals/{id}", web_referral_show_resume, 0},
    {M_POST, "/outreach", web_outreach_create_resume, 0},
    {M_POST, "/groups/{id}", web_group_update_resume, 0},
    {M_POST, "/groups/{id}/members", web_member_create_resume, 0},
    {M_POST, "/members/{id}/edit", web_member_update_resume, 0},
    {M_POST, "/advice/new", web_advice_create_resume, 0},
};
#define NRESUMABLE (sizeof resumable / sizeof resumable[0])

/* Fields of the sign-in form itself, never carried. */
static bool own_field(const char *name)
{
    static const char *const own[] = {"csrf", "username", "password", "resume"};
    for (size_t i = 0; i < sizeof own / sizeof own[0]; i++)
        if (strcmp(name, own[i]) == 0)
            return true;
    return false;
}

static _Thread_local bool resuming;

static const struct route *resumable_route(const char *path, const char *params[HTTP_PARAMS_MAX],
                                           int *nparams)
{
    bool known = false;
    if (path == NULL)
        return NULL;
    return route_match(resumable, NRESUMABLE, M_POST, path, params, nparams, &known);
}

void web_resume_page(struct req *r, struct resp *w)
{
    const char *params[HTTP_PARAMS_MAX];
    int np = 0;
    if (resumable_route(r->path, params, &np) == NULL) {
        resp_redirect(w, "/login");
        return;
    }
    w->status = 401; /* sign in: the page carries what was typed */
    web_login_page(r, w, false, NULL);
}

bool form_carrying(const struct req *r)
{
    const char *params[HTTP_PARAMS_MAX];
    int np = 0;
    const char *path = strcmp(r->path, "/login") == 0 ? req_form(r, "resume") : r->path;
    return resumable_route(path, params, &np) != NULL;
}

void form_carry(struct req *r, struct buf *b)
{
    struct kv *fields = NULL;
    const char *resume = strcmp(r->path, "/login") == 0 ? req_form(r, "resume") : r->path;
    int n = r->body != NULL ? form_parse(r->body, r->body_len, HTTP_FIELDS_MAX, &fields) : 0;
    int kept = 0;

    h_hidden(b, "resume", resume);
    /* The sign-in form adds its own four fields to what it carries. */
    for (int i = 0; i < n && kept < HTTP_FIELDS_MAX - 4; i++) {
        if (own_field(fields[i].key))
            continue;
        h_hidden(b, fields[i].key, fields[i].value);
        kept++;
    }
    form_free(fields, n > 0 ? n : 0);
}

bool form_resume(struct req *r, struct resp *w, struct actor *a)
{
    const char *params[HTTP_PARAMS_MAX];
    char copies[HTTP_PARAMS_MAX][ID_SIZE];
    int np = 0;
    const struct route *rt = resumable_route(req_form(r, "resume"), params, &np);
    if (rt == NULL)
        return false;

    struct req saved = *r;
    for (int i = 0; i < np && i < HTTP_PARAMS_MAX; i++) {
        snprintf(copies[i], sizeof copies[i], "%s", strlen(params[i]) < ID_SIZE ? params[i] : "");
        r->params[i] = copies[i];
    }
    r->nparams = np;
    r->actor = a;
    resuming = true;
    rt->handler(r, w);
    resuming = false;
    r->actor = saved.actor;
    r->nparams = saved.nparams;
    memcpy(r->params, saved.params, sizeof r->params);
    return true;
}

bool form_resumed(const struct req *r)
{
    (void)r;
    return resuming;
}

void form_resumed_notice(struct req *r, struct buf *b)
{
    h_para(b, "notice", "resumed-notice", "alert", tr(r, MSG_RESUMED));
}
