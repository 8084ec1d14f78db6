/* The forms of the case page: assign or transfer, request closure, approve
 * it, reopen, add a note, add a task, mark a task done, record or withdraw
 * a consent, refer. Each decodes its
 * fields, calls one domain function and answers 303 to the case page
 * (?ok=...), so Back and reload never send it again; a refusal shows the
 * case page again with the form's problem next to it and what was typed
 * (422 for a field, 409 for a move the case's state does not allow). */
#include "web/case_page.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/casework.h"
#include "domain/erase.h"
#include "domain/referrals.h"
#include "util/alloc.h"

/* The answer to a case form: where it goes when done, what it shows when not. */
static void answer(struct req *r, struct resp *w, const char *case_id, enum err e, const char *form,
                   const char *ok, const char *anchor, enum msg invalid)
{
    struct case_page_opts o = {.form = form};
    switch (e) {
    case ERR_OK: {
        struct buf to = {0};
        buf_puts(&to, "/cases/");
        url_encode(&to, case_id);
        buf_puts(&to, "?ok=");
        buf_puts(&to, ok);
        if (anchor != NULL) {
            buf_putc(&to, '#');
            buf_puts(&to, anchor);
        }
        resp_redirect(w, to.p);
        buf_free(&to);
        return;
    }
    case ERR_VALIDATION:
        o.status = 422;
        o.problem = invalid;
        break;
    case ERR_CONSENT:
        /* No consent, no referral: nothing was written. */
        o.status = 422;
        o.problem = MSG_ERR_CONSENT_REQUIRED;
        break;
    case ERR_CONFLICT:
        /* The case moved on: the form sent may not be offered any more, so
         * the problem shows at the top (a stale task stays by its form). */
        o.status = 409;
        o.problem = invalid == MSG_ERR_TASK_STALE ? invalid : MSG_ERR_STATE;
        if (invalid != MSG_ERR_TASK_STALE)
            o.form = NULL;
        break;
    default:
        page_fail(r, w, e);
        return;
    }
    case_page(r, w, case_id, &o);
}

/* The case id of the route; 404 when none. */
static const char *case_id(struct req *r, struct resp *w)
{
    const char *id = page_id(r);
    if (id == NULL)
        page_fail(r, w, ERR_NOT_FOUND);
    return id;
}

void web_case_assign(struct req *r, struct resp *w)
{
    struct ctx cx = page_ctx(r);
    struct fielderrs fe = {0};
    struct case_view out;
    const char *id;

    if ((id = case_id(r, w)) == NULL)
        return;
    memset(&out, 0, sizeof out);
    const char *to = req_form(r, "caseworker_id");
    enum err e = (to == NULL || *to == '\0') ? fielderr(&fe, "caseworker_id", "required")
                                             : case_assign(&cx, id, to, &out, &fe);
    answer(r, w, id, e, "assign", "assigned", NULL, MSG_ERR_ASSIGN);
    case_view_free(&out);
}

void web_case_closure(struct req *r, struct resp *w)
{
    struct ctx cx = page_ctx(r);
    struct fielderrs fe = {0};
    struct case_view out;
    const char *id;

    if ((id = case_id(r, w)) == NULL)
        return;
    memset(&out, 0, sizeof out);
    const char *code = req_form(r, "reason_code");
    const char *reason = req_form(r, "reason");
    if (reason != NULL && *reason == '\0')
        reason = NULL;
    enum err e = case_request_closure(&cx, id, code != NULL && *code != '\0' ? code : NULL, reason,
                                      &out, &fe);
    answer(r, w, id, e, "closure", "closure", NULL, MSG_ERR_CLOSURE);
    case_view_free(&out);
}

void web_case_approve(struct req *r, struct resp *w)
{
    struct ctx cx = page_ctx(r);
    struct case_view out;
    const char *id;

    if ((id = case_id(r, w)) == NULL)
        return;
    memset(&out, 0, sizeof out);
    enum err e = case_approve_closure(&cx, id, &out);
    if (e == ERR_FORBIDDEN && may_act(r, ACT_CASE_CLOSE_APPROVE)) {
        /* Her own request: another supervisor approves it. */
        struct case_page_opts o = {
            .status = 403, .form = "approve", .problem = MSG_ERR_APPROVE_OWN};
        case_page(r, w, id, &o);
    } else {
        answer(r, w, id, e, "approve", "closed", NULL, MSG_ERR_STATE);
    }
    case_view_free(&out);
}

void web_case_reopen(struct req *r, struct resp *w)
{
    struct ctx cx = page_ctx(r);
    struct fielderrs fe = {0};
    struct case_view out;
    const char *id;

    if ((id = case_id(r, w)) == NULL)
        return;
    memset(&out, 0, sizeof out);
    const char *reason = req_form(r, "reason");
    enum err e = case_reopen(&cx, id, reason != NULL && *reason != '\0' ? reason : NULL, &out, &fe);
    answer(r, w, id, e, "reopen", "reopened", NULL, MSG_ERR_REOPEN);
    case_view_free(&out);
}

void web_case_erase(struct req *r, struct resp *w)
{
    struct ctx cx = page_ctx(r);
    struct fielderrs fe = {0};
    struct case_erase_in in;
    struct case_view out;
    const char *id;

    if ((id = case_id(r, w)) == NULL)
        return;
    memset(&out, 0, sizeof out);
    case_erase_in_init(&in);
    form_fields(r, &case_erase_fields, &in, &fe);
    /* The pages' confirmation: the box says it cannot be undone. */
    if (fe.n == 0 && !in.confirm)
        fielderr(&fe, "confirm", "tick the box to confirm");
    enum err e = fe.n > 0 ? ERR_VALIDATION : case_erase(&cx, id, &in, &out, &fe);
    answer(r, w, id, e, "erase", "erased", NULL, MSG_ERR_ERASE);
    case_view_free(&out);
}

void web_note_add(struct req *r, struct resp *w)
{
    struct ctx cx = page_ctx(r);
    struct fielderrs fe = {0};
    struct note_in in;
    struct note_view out;
    const char *id;

    if ((id = case_id(r, w)) == NULL)
        return;
    memset(&in, 0, sizeof in);
    memset(&out, 0, sizeof out);
    form_fields(r, &note_fields, &in, &fe);
    enum err e = fe.n > 0 ? ERR_VALIDATION : note_add(&cx, id, &in, &out, &fe);
    answer(r, w, id, e, "note", "note", "notes", MSG_ERR_NOTE);
    note_view_free(&out);
}

void web_task_add(struct req *r, struct resp *w)
{
    struct ctx cx = page_ctx(r);
    struct fielderrs fe = {0};
    struct task_in in;
    struct task_view out;
    const char *id;

    if ((id = case_id(r, w)) == NULL)
        return;
    memset(&in, 0, sizeof in);
    memset(&out, 0, sizeof out);
    form_fields(r, &task_fields, &in, &fe);
    enum err e = fe.n > 0 ? ERR_VALIDATION : task_add(&cx, id, &in, &out, &fe);
    answer(r, w, id, e, "task", "task", "tasks", MSG_ERR_TASK);
    task_view_free(&out);
}

/* POST /tasks/{id}: the done box (an unticked box sends nothing: not done).
 * The form carries its case's id ("case") for the answer when refused. */
void web_task_done(struct req *r, struct resp *w)
{
    struct ctx cx = page_ctx(r);
    struct fielderrs fe = {0};
    struct task_patch_in in;
    struct task_view out;
    const char *id;

    if ((id = case_id(r, w)) == NULL)
        return;
    task_patch_in_init(&in);
    memset(&out, 0, sizeof out);
    form_fields(r, &task_patch_fields, &in, &fe);
    if (req_form(r, "done") == NULL) {
        in.done = false;
        for (int i = 0; i < task_patch_fields.n; i++)
            if (strcmp(task_patch_fields.fields[i].name, "done") == 0)
                fields_mark(&task_patch_fields, &in, i, false);
    }
    enum err e = fe.n > 0 ? ERR_VALIDATION : task_update(&cx, id, &in, &out, &fe);
    const char *back = e == ERR_OK ? out.rec.case_id : req_form(r, "case");
    if (back == NULL || *back == '\0' || strlen(back) >= ID_SIZE) {
        page_fail(r, w, e == ERR_OK ? ERR_INTERNAL : e);
    } else {
        char anchor[ID_SIZE + 8];
        snprintf(anchor, sizeof anchor, "task-%s", id);
        answer(r, w, back, e, "task", "task_done", e == ERR_OK ? anchor : NULL,
               e == ERR_CONFLICT ? MSG_ERR_TASK_STALE : MSG_ERR_TASK);
    }
    task_view_free(&out);
}

/* Which message a form shows for its first field error (the domain's
 * field paths); fallback when the table does not place it. */
struct problem_row {
    const char *field;
    enum msg msg;
};
static enum msg problem_of(const struct fielderrs *fe, const struct problem_row *t, size_t n,
                           enum msg fallback)
{
    for (int i = 0; i < fe->n && i < FIELDERRS_MAX; i++)
        for (size_t k = 0; k < n; k++)
            if (strcmp(fe->e[i].field, t[k].field) == 0)
                return t[k].msg;
    return fallback;
}

void web_consent_add(struct req *r, struct resp *w)
{
    static const struct problem_row rows[] = {
        {"purpose", MSG_ERR_CONSENT_PURPOSE},    {"organization_id", MSG_ERR_CONSENT_SCOPE},
        {"service_type", MSG_ERR_CONSENT_SCOPE}, {"given", MSG_ERR_CONSENT_GIVEN},
        {"method", MSG_ERR_CONSENT_METHOD},      {"by", MSG_ERR_CONSENT_BY},
    };
    struct ctx cx = page_ctx(r);
    struct fielderrs fe = {0};
    struct consent_in in;
    struct consent_view out;
    const char *id;

    if ((id = case_id(r, w)) == NULL)
        return;
    memset(&in, 0, sizeof in);
    memset(&out, 0, sizeof out);
    fields_init(&consent_fields, &in);
    form_fields(r, &consent_fields, &in, &fe);
    enum err e = fe.n > 0 ? ERR_VALIDATION : consent_record(&cx, id, &in, &out, &fe);
    answer(r, w, id, e, "consent", "consent", "h-consents",
           problem_of(&fe, rows, sizeof rows / sizeof rows[0], MSG_ERR_CONSENT));
    consent_view_free(&out);
}

/* POST /cases/{id}/consents/{consent_id}/withdraw */
void web_consent_withdraw(struct req *r, struct resp *w)
{
    struct ctx cx = page_ctx(r);
    struct fielderrs fe = {0};
    struct consent_withdraw_in in = {0};
    struct consent_view out;
    const char *id;

    if ((id = case_id(r, w)) == NULL)
        return;
    const char *consent = r->nparams > 1 ? r->params[1] : NULL;
    if (consent == NULL || strlen(consent) >= ID_SIZE) {
        page_fail(r, w, ERR_NOT_FOUND);
        return;
    }
    memset(&out, 0, sizeof out);
    form_fields(r, &consent_withdraw_fields, &in, &fe);
    enum err e = fe.n > 0 ? ERR_VALIDATION : consent_withdraw(&cx, id, consent, &in, &out, &fe);
    answer(r, w, id, e, "withdraw", "consent_withdrawn", "h-consents", MSG_ERR_WITHDRAW);
    consent_view_free(&out);
}

void web_referral_create(struct req *r, struct resp *w)
{
    static const struct problem_row rows[] = {
        {"service_id", MSG_ERR_REFER_SERVICE}, {"urgency", MSG_ERR_REFER_URGENCY},
        {"reason", MSG_ERR_REFER_REASON},      {"contact", MSG_ERR_REFER_CONTACT},
        {"override", MSG_ERR_REFER_OVERRIDE},  {"override.reason", MSG_ERR_REFER_OVERRIDE},
    };
    struct ctx cx = page_ctx(r);
    struct fielderrs fe = {0};
    struct referral_in in;
    struct referral_view out;
    const char *id;

    if ((id = case_id(r, w)) == NULL)
        return;
    memset(&in, 0, sizeof in);
    memset(&out, 0, sizeof out);
    form_fields(r, &referral_fields, &in, &fe);
    enum err e = fe.n > 0 ? ERR_VALIDATION : referral_create(&cx, id, &in, &out, &fe);
    answer(r, w, id, e, "refer", "referred", "h-referrals",
           problem_of(&fe, rows, sizeof rows / sizeof rows[0], MSG_ERR_REFER));
    referral_view_free(&out);
}

/* The case page again after a sign-in, with the form that was sent filled in. */
void web_case_show_resume(struct req *r, struct resp *w)
{
    static const struct {
        const char *suffix, *form;
    } forms[] = {
        {"/notes", "note"},
        {"/tasks", "task"},
        {"/assign", "assign"},
        {"/closure", "closure"},
        {"/closure/approve", "approve"},
        {"/reopen", "reopen"},
        {"/consents", "consent"},
        {"/withdraw", "withdraw"},
        {"/referrals", "refer"},
    };
    const char *resume = req_form(r, "resume");
    struct case_page_opts o = {.resumed = true};
    size_t n = resume != NULL ? strlen(resume) : 0;
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
        size_t k = strlen(forms[i].suffix);
        if (n > k && strcmp(resume + n - k, forms[i].suffix) == 0)
            o.form = forms[i].form;
    }
    case_page(r, w, page_id(r), &o);
}
