/* Case work over the API: PATCH /cases/{id}, the workflow moves (assign,
 * closure, approve, reopen), notes, tasks and the case page's embedded
 * records. Each handler decodes its declared fields, calls one domain
 * function and encodes the answer. */
#include <string.h>

#include "api/handlers.h"
#include "api/json_io.h"
#include "domain/casework.h"
#include "domain/erase.h"

/* ---- encoders ---- */

static json_t *json_note(const struct note_view *n)
{
    return json_pack("{s:s, s:s, s:o, s:s, s:s}", "id", n->rec.id, "body",
                     n->body != NULL ? n->body : "", "corrects", json_str_or_null(n->rec.corrects),
                     "author", n->rec.author, "created_at", n->rec.created_at);
}

static json_t *json_task(const struct task_view *t)
{
    const struct task_rec *r = &t->rec;
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:b, s:o, s:b, s:b, s:s, s:s, s:s, s:i}", "id",
                     r->id, "case_id", r->case_id, "case_code", t->case_code, "title",
                     t->title != NULL ? t->title : "", "due_on", r->due_on, "assigned_to",
                     json_str_or_null(r->assigned_to), "done", r->done, "done_at",
                     json_str_or_null(r->done_at), "overdue", t->overdue, "case_urgent",
                     t->case_urgent, "created_by", r->created_by, "created_at", r->created_at,
                     "updated_at", r->updated_at, "version", r->version);
}

static json_t *json_event(const struct case_event_view *ev)
{
    const struct case_event_rec *r = &ev->rec;
    json_t *o = json_pack("{s:s, s:s, s:o, s:o}", "at", r->at, "kind", r->kind, "user",
                          json_str_or_null(r->user_id), "detail", json_str_or_null(r->detail));
    if (r->ref_id[0] != '\0')
        json_object_set_new(o, "ref_id", json_string(r->ref_id));
    if (ev->text != NULL)
        json_object_set_new(o, "text", json_string(ev->text));
    return o;
}

json_t *json_dossier(const struct case_dossier *d)
{
    json_t *o = json_case(&d->view);
    if (!d->view.detail)
        return o;
    json_t *notes = json_array(), *tasks = json_array(), *timeline = json_array();
    for (size_t i = 0; i < d->nnotes; i++)
        json_array_append_new(notes, json_note(&d->notes[i]));
    for (size_t i = 0; i < d->ntasks; i++)
        json_array_append_new(tasks, json_task(&d->tasks[i]));
    for (size_t i = 0; i < d->ntimeline; i++)
        json_array_append_new(timeline, json_event(&d->timeline[i]));
    json_t *incidents = json_array(), *screenings = json_array();
    for (size_t i = 0; i < d->nincidents; i++)
        json_array_append_new(incidents, json_incident(&d->incidents[i]));
    for (size_t i = 0; i < d->nscreenings; i++)
        json_array_append_new(screenings, json_screening(&d->screenings[i]));
    json_object_set_new(o, "incidents", incidents);
    json_object_set_new(o, "screenings", screenings);
    json_object_set_new(o, "notes", notes);
    json_object_set_new(o, "tasks", tasks);
    json_object_set_new(o, "timeline", timeline);
    json_t *consents = json_array(), *referrals = json_array();
    for (size_t i = 0; i < d->nconsents; i++)
        json_array_append_new(consents, json_consent(&d->consents[i]));
    for (size_t i = 0; i < d->nreferrals; i++)
        json_array_append_new(referrals, json_referral(&d->referrals[i]));
    json_object_set_new(o, "consents", consents);
    json_object_set_new(o, "referrals", referrals);
    return o;
}

/* Answers the case as a move left it, or the error. */
static void answer_case(struct resp *w, enum err e, struct case_view *v, struct fielderrs *fe)
{
    if (e == ERR_OK)
        resp_json(w, 200, json_case(v));
    else
        api_error(w, e, fe);
    case_view_free(v);
}

/* ---- intake and workflow ---- */

void api_case_patch(struct req *r, struct resp *w)
{
    struct ctx cx;
    struct fielderrs fe = {0};
    struct case_patch_in in;
    struct case_view v = {0};
    json_t *body;
    if (!api_ctx(r, w, &cx) || (body = api_body(r, w)) == NULL)
        return;
    case_patch_in_init(&in);
    jin_fields(body, &case_patch_fields, &in, &fe);
    enum err e = fe.n > 0 ? ERR_VALIDATION : case_update(&cx, r->params[0], &in, &v, &fe);
    answer_case(w, e, &v, &fe);
    json_decref(body);
}

struct move_in {
    const char *caseworker_id;
    const char *reason_code;
    const char *reason;
};
static const struct field assign_rows[] = {
    F_OF(struct move_in, caseworker_id, "", FT_ID, true,
         "required: a caseworker of the case's organization"),
};
static const struct field closure_rows[] = {
    F_CODE(struct move_in, reason_code, "", true, LIST_CLOSURE_REASON,
           "required: a closure reason code"),
    F_TEXT(struct move_in, reason, "", false, 1, 2000, "1 to 2000 characters"),
};
static const struct field reopen_rows[] = {
    F_TEXT(struct move_in, reason, "", true, 1, 2000, "required: 1 to 2000 characters"),
};
static const struct fieldset assign_fields = FIELDSET(assign_rows);
static const struct fieldset closure_fields = FIELDSET(closure_rows);
static const struct fieldset reopen_fields = FIELDSET(reopen_rows);
static const struct fieldset no_fields = {NULL, 0, FIELDS_NO_SENT};

enum move { MOVE_ASSIGN, MOVE_CLOSURE, MOVE_APPROVE, MOVE_REOPEN };

static void move(struct req *r, struct resp *w, enum move m, const struct fieldset *fs)
{
    struct ctx cx;
    struct fielderrs fe = {0};
    struct move_in in = {0};
    struct case_view v = {0};
    json_t *body;
    if (!api_ctx(r, w, &cx) || (body = api_body(r, w)) == NULL)
        return;
    jin_fields(body, fs, &in, &fe);
    enum err e = fe.n > 0 ? ERR_VALIDATION : ERR_OK;
    const char *id = r->params[0];
    if (e == ERR_OK) {
        switch (m) {
        case MOVE_ASSIGN:
            e = case_assign(&cx, id, in.caseworker_id, &v, &fe);
            break;
        case MOVE_CLOSURE:
            e = case_request_closure(&cx, id, in.reason_code, in.reason, &v, &fe);
            break;
        case MOVE_APPROVE:
            e = case_approve_closure(&cx, id, &v);
            break;
        case MOVE_REOPEN:
            e = case_reopen(&cx, id, in.reason, &v, &fe);
            break;
        }
    }
    answer_case(w, e, &v, &fe);
    json_decref(body);
}

void api_case_assign(struct req *r, struct resp *w)
{
    move(r, w, MOVE_ASSIGN, &assign_fields);
}

void api_case_closure(struct req *r, struct resp *w)
{
    move(r, w, MOVE_CLOSURE, &closure_fields);
}

void api_case_closure_approve(struct req *r, struct resp *w)
{
    move(r, w, MOVE_APPROVE, &no_fields);
}

void api_case_reopen(struct req *r, struct resp *w)
{
    move(r, w, MOVE_REOPEN, &reopen_fields);
}

void api_case_erase(struct req *r, struct resp *w)
{
    struct ctx cx;
    struct fielderrs fe = {0};
    struct case_erase_in in;
    struct case_view v = {0};
    json_t *body;
    if (!api_ctx(r, w, &cx) || (body = api_body(r, w)) == NULL)
        return;
    case_erase_in_init(&in);
    jin_fields(body, &case_erase_fields, &in, &fe);
    enum err e = fe.n > 0 ? ERR_VALIDATION : case_erase(&cx, r->params[0], &in, &v, &fe);
    answer_case(w, e, &v, &fe);
    json_decref(body);
}

void api_case_timeline(struct req *r, struct resp *w)
{
    struct ctx cx;
    struct case_event_view *items = NULL;
    size_t n = 0;
    if (!api_ctx(r, w, &cx))
        return;
    enum err e = case_timeline(&cx, r->params[0], &items, &n);
    if (e != ERR_OK) {
        api_error(w, e, NULL);
        return;
    }
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_event(&items[i]));
    case_event_views_free(items, n);
    resp_json(w, 200, json_list(a, NULL));
}

/* ---- notes ---- */

void api_note_add(struct req *r, struct resp *w)
{
    struct ctx cx;
    struct fielderrs fe = {0};
    struct note_in in = {0};
    struct note_view v = {0};
    json_t *body;
    if (!api_ctx(r, w, &cx) || (body = api_body(r, w)) == NULL)
        return;
    jin_fields(body, &note_fields, &in, &fe);
    enum err e = fe.n > 0 ? ERR_VALIDATION : note_add(&cx, r->params[0], &in, &v, &fe);
    if (e == ERR_OK)
        resp_json(w, 201, json_note(&v));
    else
        api_error(w, e, &fe);
    note_view_free(&v);
    json_decref(body);
}

void api_note_list(struct req *r, struct resp *w)
{
    struct ctx cx;
    struct note_view *items = NULL;
    size_t n = 0;
    if (!api_ctx(r, w, &cx))
        return;
    enum err e = note_list(&cx, r->params[0], &items, &n);
    if (e != ERR_OK) {
        api_error(w, e, NULL);
        return;
    }
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_note(&items[i]));
    note_views_free(items, n);
    resp_json(w, 200, json_list(a, NULL));
}

/* ---- tasks ---- */

static void answer_tasks(struct resp *w, enum err e, struct task_view *items, size_t n)
{
    if (e != ERR_OK) {
        api_error(w, e, NULL);
        return;
    }
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_task(&items[i]));
    task_views_free(items, n);
    resp_json(w, 200, json_list(a, NULL));
}

void api_task_add(struct req *r, struct resp *w)
{
    struct ctx cx;
    struct fielderrs fe = {0};
    struct task_in in = {0};
    struct task_view v = {0};
    json_t *body;
    if (!api_ctx(r, w, &cx) || (body = api_body(r, w)) == NULL)
        return;
    jin_fields(body, &task_fields, &in, &fe);
    enum err e = fe.n > 0 ? ERR_VALIDATION : task_add(&cx, r->params[0], &in, &v, &fe);
    if (e == ERR_OK)
        resp_json(w, 201, json_task(&v));
    else
        api_error(w, e, &fe);
    task_view_free(&v);
    json_decref(body);
}

void api_task_list(struct req *r, struct resp *w)
{
    struct ctx cx;
    struct task_view *items = NULL;
    size_t n = 0;
    if (!api_ctx(r, w, &cx))
        return;
    /* Listed first: the order in which arguments are evaluated is unspecified. */
    enum err e = task_list(&cx, r->params[0], &items, &n);
    answer_tasks(w, e, items, n);
}

void api_task_patch(struct req *r, struct resp *w)
{
    struct ctx cx;
    struct fielderrs fe = {0};
    struct task_patch_in in;
    struct task_view v = {0};
    json_t *body;
    if (!api_ctx(r, w, &cx) || (body = api_body(r, w)) == NULL)
        return;
    task_patch_in_init(&in);
    jin_fields(body, &task_patch_fields, &in, &fe);
    enum err e = fe.n > 0 ? ERR_VALIDATION : task_update(&cx, r->params[0], &in, &v, &fe);
    if (e == ERR_OK)
        resp_json(w, 200, json_task(&v));
    else
        api_error(w, e, &fe);
    task_view_free(&v);
    json_decref(body);
}

void api_tasks_mine(struct req *r, struct resp *w)
{
    struct ctx cx;
    struct fielderrs fe = {0};
    struct task_view *items = NULL;
    size_t n = 0;
    if (!api_ctx(r, w, &cx))
        return;
    const char *overdue = req_query(r, "overdue");
    int limit = query_limit(r, 500, &fe);
    if (overdue != NULL && strcmp(overdue, "true") != 0 && strcmp(overdue, "false") != 0)
        fielderr(&fe, "overdue", "true or false");
    if (fe.n > 0) {
        api_error(w, ERR_VALIDATION, &fe);
        return;
    }
    limit = limit > 0 ? limit : 50;
    enum err e = overdue != NULL && strcmp(overdue, "true") == 0
                     ? task_overdue(&cx, limit, &items, &n)
                     : task_open_list(&cx, limit, &items, &n);
    answer_tasks(w, e, items, n);
}

void api_case_history(struct req *r, struct resp *w)
{
    struct ctx cx;
    struct case_history_item *items = NULL;
    size_t n = 0;
    if (!api_ctx(r, w, &cx))
        return;
    enum err e = case_history(&cx, r->params[0], &items, &n);
    if (e != ERR_OK) {
        api_error(w, e, NULL);
        return;
    }
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++) {
        const struct audit_rec *h = &items[i].rec;
        json_t *o = json_pack("{s:s, s:o, s:s, s:s, s:o}", "at", h->at, "user",
                              json_str_or_null(h->user_id), "action", h->action, "record_type",
                              h->record_type, "detail", json_str_or_null(h->detail));
        if (items[i].user_name != NULL)
            json_object_set_new(o, "user_name", json_string(items[i].user_name));
        json_array_append_new(a, o);
    }
    case_history_free(items, n);
    resp_json(w, 200, json_list(a, NULL));
}
