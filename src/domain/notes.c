/* Notes (append-only) and follow-up tasks of a case. Note bodies and task
 * titles are sealed from their first write, bound to their record id. */
#include "domain/casework.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "domain/cases_int.h"
#include "domain/check.h"
#include "domain/sealed.h"
#include "domain/users.h"
#include "util/alloc.h"
#include "util/log.h"

#define TASKS_ALL_BEFORE "9999-12-31" /* every open task is due before it */

static void blob_clear(struct blob *b)
{
    free(b->p);
    b->p = NULL;
    b->len = 0;
}

/* Runs one create: the record, a timeline step and an audit entry, in one
 * transaction. */
struct create_op {
    enum err (*insert)(struct store_conn *c, const void *rec);
    const void *rec;
    const char *record_type;
    const char *id;
    const char *case_id;
    const char *event;
    enum audit_action audit;
};

static enum err create_run(const struct ctx *cx, const struct create_op *op)
{
    enum err e = store_begin(cx->db);
    if (e != ERR_OK)
        return e;
    e = op->insert(cx->db, op->rec);
    if (e == ERR_OK)
        e = case_event_add(cx, op->case_id, op->event, NULL, op->id, NULL);
    if (e == ERR_OK)
        e = audit_append(cx->db, check_user_id(cx), op->audit, op->record_type, op->id, NULL);
    return store_end(cx->db, e);
}

/* ---- notes ---- */

static const struct field note_rows[] = {
    F_TEXT(struct note_in, body, "", true, 1, NOTE_MAX_CHARS, "required: 1 to 8000 characters"),
    F_OF(struct note_in, corrects, "", FT_ID, false, "a note of this case"),
};
const struct fieldset note_fields = FIELDSET(note_rows);

void note_view_free(struct note_view *v)
{
    if (v == NULL)
        return;
    note_rec_free(&v->rec);
    crypto_free_text(v->body);
    memset(v, 0, sizeof *v);
}

void note_views_free(struct note_view *v, size_t n)
{
    for (size_t i = 0; i < n && v != NULL; i++)
        note_view_free(&v[i]);
    free(v);
}

static enum err note_insert(struct store_conn *c, const void *r)
{
    return store_note_insert(c, r);
}

static enum err note_view_make(const struct ctx *cx, struct note_rec *r, struct note_view *v)
{
    memset(v, 0, sizeof *v);
    if (!sealed_open_case(cx, r->case_id, SEALED_NOTE_BODY, r->id, &r->body, &v->body))
        return ERR_INTERNAL;
    v->rec = *r;
    memset(r, 0, sizeof *r);
    blob_clear(&v->rec.body);
    return ERR_OK;
}

enum err note_add(const struct ctx *cx, const char *case_id, const struct note_in *in,
                  struct note_view *out, struct fielderrs *fe)
{
    struct case_rec c;
    struct note_rec r = {0};
    memset(out, 0, sizeof *out);
    enum err e = case_fetch(cx, ACT_NOTE_CREATE, case_id, &c);
    if (e != ERR_OK)
        return e;
    bool erased = c.erased_at[0] != '\0';
    case_rec_free(&c);
    if (erased) /* notes may follow a closure, not an erasure */
        return ERR_CONFLICT;
    if ((e = fields_check(cx, &note_fields, in, fe)) != ERR_OK)
        return e;
    if (!check_absent(in->corrects)) {
        struct note_rec old = {0};
        e = store_note_get(cx->db, in->corrects, &old);
        bool same = e == ERR_OK && strcmp(old.case_id, case_id) == 0;
        note_rec_free(&old);
        if (e != ERR_OK && e != ERR_NOT_FOUND)
            return e;
        if (!same)
            return fielderr(fe, "corrects", "a note of this case");
    }
    crypto_random_id(r.id);
    snprintf(r.case_id, sizeof r.case_id, "%s", case_id);
    if ((e = sealed_seal_case(cx, case_id, SEALED_NOTE_BODY, r.id, in->body, &r.body)) != ERR_OK)
        return e;
    if (!check_absent(in->corrects))
        snprintf(r.corrects, sizeof r.corrects, "%s", in->corrects);
    snprintf(r.author, sizeof r.author, "%s", check_user_id(cx));
    clock_stamp(r.created_at);
    struct create_op op = {note_insert, &r, "note", r.id, case_id, "note", AUDIT_NOTE};
    if ((e = create_run(cx, &op)) == ERR_OK)
        e = note_view_make(cx, &r, out);
    note_rec_free(&r);
    return e;
}

enum err note_list(const struct ctx *cx, const char *case_id, struct note_view **items, size_t *n)
{
    struct case_rec c;
    struct note_rec *recs = NULL;
    size_t nrecs = 0;
    *items = NULL;
    *n = 0;
    enum err e = case_fetch(cx, ACT_NOTE_READ, case_id, &c);
    if (e != ERR_OK)
        return e;
    case_rec_free(&c);
    if ((e = store_note_list(cx->db, case_id, &recs, &nrecs)) != ERR_OK)
        return e;
    /* Notes are case content: reading them is an audited read. */
    if (nrecs > 0)
        e = audit_append(cx->db, check_user_id(cx), AUDIT_READ, "case", case_id, "notes");
    struct note_view *v = xcalloc(nrecs > 0 ? nrecs : 1, sizeof *v);
    for (size_t i = 0; i < nrecs && e == ERR_OK; i++)
        e = note_view_make(cx, &recs[i], &v[i]);
    note_list_free(recs, nrecs);
    if (e != ERR_OK) {
        note_views_free(v, nrecs);
        return e;
    }
    *items = v;
    *n = nrecs;
    return ERR_OK;
}

/* ---- tasks ---- */

static const struct field task_rows[] = {
    F_TEXT(struct task_in, title, "", true, 1, TASK_TITLE_MAX_CHARS,
           "required: 1 to 300 characters"),
    F_OF(struct task_in, due_on, "", FT_DATE, true, "required: a date YYYY-MM-DD"),
    F_OF(struct task_in, assigned_to, "", FT_ID, false,
         "a caseworker or supervisor of the case's organization"),
};
const struct fieldset task_fields = FIELDSET(task_rows);

enum task_patch_field { TP_VERSION, TP_DONE, TP__MAX };
static const struct field task_patch_rows[TP__MAX] = {
    [TP_VERSION] = F_INT(struct task_patch_in, version, "", true, 1, INT_MAX, -1,
                         "required: the version you read"),
    [TP_DONE] = F_BOOL(struct task_patch_in, done, "", true),
};
const struct fieldset task_patch_fields = {task_patch_rows, TP__MAX,
                                           offsetof(struct task_patch_in, sent)};

void task_patch_in_init(struct task_patch_in *in)
{
    memset(in, 0, sizeof *in);
    fields_init(&task_patch_fields, in);
}

void task_view_free(struct task_view *v)
{
    if (v == NULL)
        return;
    task_rec_free(&v->rec);
    crypto_free_text(v->title);
    memset(v, 0, sizeof *v);
}

void task_views_free(struct task_view *v, size_t n)
{
    for (size_t i = 0; i < n && v != NULL; i++)
        task_view_free(&v[i]);
    free(v);
}

static enum err task_insert(struct store_conn *c, const void *r)
{
    return store_task_insert(c, r);
}

static enum err task_view_make(const struct ctx *cx, struct task_rec *r, struct task_view *v)
{
    char today[DATE_SIZE];
    memset(v, 0, sizeof *v);
    if (!sealed_open_case(cx, r->case_id, SEALED_TASK_TITLE, r->id, &r->title, &v->title))
        return ERR_INTERNAL;
    clock_today(today);
    v->overdue = !r->done && strcmp(r->due_on, today) < 0;
    struct case_rec c = {0};
    if (store_case_get(cx->db, r->case_id, &c) == ERR_OK) {
        snprintf(v->case_code, sizeof v->case_code, "%s", c.code);
        v->case_urgent = c.urgent;
    }
    case_rec_free(&c);
    v->rec = *r;
    memset(r, 0, sizeof *r);
    blob_clear(&v->rec.title);
    return ERR_OK;
}

static enum err task_assignee_check(const struct ctx *cx, const char *user_id, const char *org,
                                    struct fielderrs *fe)
{
    struct user_rec u = {0};
    enum err e = user_get_named(cx, user_id, &u);
    bool ok = e == ERR_OK && user_takes_cases(&u, org);
    user_rec_free(&u);
    if (e != ERR_OK && e != ERR_NOT_FOUND)
        return e;
    return ok ? ERR_OK
              : fielderr(fe, "assigned_to",
                         "a caseworker or supervisor of the case's organization");
}

enum err task_add(const struct ctx *cx, const char *case_id, const struct task_in *in,
                  struct task_view *out, struct fielderrs *fe)
{
    struct case_rec c;
    struct task_rec r = {0};
    memset(out, 0, sizeof *out);
    enum err e = case_fetch_open(cx, ACT_TASK_CREATE, case_id, &c);
    if (e != ERR_OK)
        return e; /* a closed case: reopen it first */
    char org[ID_SIZE];
    snprintf(org, sizeof org, "%s", c.organization_id);
    case_rec_free(&c);
    if ((e = fields_check(cx, &task_fields, in, fe)) != ERR_OK)
        return e;
    if (!check_absent(in->assigned_to) &&
        (e = task_assignee_check(cx, in->assigned_to, org, fe)) != ERR_OK)
        return e;
    crypto_random_id(r.id);
    snprintf(r.case_id, sizeof r.case_id, "%s", case_id);
    if ((e = sealed_seal_case(cx, case_id, SEALED_TASK_TITLE, r.id, in->title, &r.title)) != ERR_OK)
        return e;
    snprintf(r.due_on, sizeof r.due_on, "%s", in->due_on);
    if (!check_absent(in->assigned_to))
        snprintf(r.assigned_to, sizeof r.assigned_to, "%s", in->assigned_to);
    snprintf(r.created_by, sizeof r.created_by, "%s", check_user_id(cx));
    clock_stamp(r.created_at);
    memcpy(r.updated_at, r.created_at, TS_SIZE);
    r.version = 1;
    struct create_op op = {task_insert, &r, "task", r.id, case_id, "task", AUDIT_CREATE};
    if ((e = create_run(cx, &op)) == ERR_OK)
        e = task_view_make(cx, &r, out);
    task_rec_free(&r);
    return e;
}

static enum err task_views(const struct ctx *cx, struct task_rec *recs, size_t nrecs,
                           struct task_view **items, size_t *n)
{
    enum err e = ERR_OK;
    struct task_view *v = xcalloc(nrecs > 0 ? nrecs : 1, sizeof *v);
    for (size_t i = 0; i < nrecs && e == ERR_OK; i++)
        e = task_view_make(cx, &recs[i], &v[i]);
    task_list_free(recs, nrecs);
    if (e != ERR_OK) {
        task_views_free(v, nrecs);
        return e;
    }
    *items = v;
    *n = nrecs;
    return ERR_OK;
}

static enum err task_list_do(const struct ctx *cx, const char *case_id, struct task_view **items,
                             size_t *n, bool audited)
{
    struct case_rec c;
    struct task_rec *recs = NULL;
    size_t nrecs = 0;
    *items = NULL;
    *n = 0;
    enum err e = case_fetch(cx, ACT_TASK_READ, case_id, &c);
    if (e != ERR_OK)
        return e;
    case_rec_free(&c);
    if ((e = store_task_list(cx->db, case_id, &recs, &nrecs)) != ERR_OK)
        return e;
    /* Tasks are case content (their titles are free text): an audited read. */
    if (audited && nrecs > 0)
        e = case_read_audited(cx, case_id, "tasks");
    if (e != ERR_OK) {
        task_list_free(recs, nrecs);
        return e;
    }
    return task_views(cx, recs, nrecs, items, n);
}

enum err task_list(const struct ctx *cx, const char *case_id, struct task_view **items, size_t *n)
{
    return task_list_do(cx, case_id, items, n, true);
}

enum err task_list_unaudited(const struct ctx *cx, const char *case_id, struct task_view **items,
                             size_t *n)
{
    return task_list_do(cx, case_id, items, n, false);
}

enum err task_update(const struct ctx *cx, const char *task_id, const struct task_patch_in *in,
                     struct task_view *out, struct fielderrs *fe)
{
    struct task_rec r = {0};
    struct case_rec c;
    memset(out, 0, sizeof *out);
    if (!may(cx, ACT_TASK_UPDATE))
        return ERR_FORBIDDEN;
    if (!check_id(task_id))
        return ERR_NOT_FOUND;
    if (fields_check(cx, &task_patch_fields, in, fe) != ERR_OK)
        return ERR_VALIDATION;
    enum err e = store_begin(cx->db);
    if (e != ERR_OK)
        return e;
    e = store_task_get(cx->db, task_id, &r);
    if (e == ERR_OK) {
        e = case_fetch(cx, ACT_TASK_UPDATE, r.case_id, &c);
        if (e == ERR_OK)
            case_rec_free(&c);
    }
    if (e == ERR_OK && r.version != in->version) {
        fielderr(fe, "version", "the task changed since you read it");
        e = ERR_CONFLICT;
    }
    if (e == ERR_OK && r.done != in->done) {
        r.done = in->done;
        if (r.done)
            clock_stamp(r.done_at);
        else
            r.done_at[0] = '\0';
        clock_stamp(r.updated_at);
        e = store_task_update(cx->db, &r);
        if (e == ERR_OK)
            e = case_event_add(cx, r.case_id, r.done ? "task_done" : "task",
                               r.done ? NULL : "not_done", r.id, NULL);
        if (e == ERR_OK)
            e = audit_append(cx->db, check_user_id(cx), AUDIT_UPDATE, "task", r.id, NULL);
        r.version++;
    }
    if ((e = store_end(cx->db, e)) == ERR_OK)
        e = task_view_make(cx, &r, out);
    task_rec_free(&r);
    return e;
}

enum err task_overdue(const struct ctx *cx, int limit, struct task_view **items, size_t *n)
{
    struct case_filter f = {0};
    struct task_rec *recs = NULL;
    size_t nrecs = 0;
    char today[DATE_SIZE];
    *items = NULL;
    *n = 0;
    if (!may(cx, ACT_TASK_READ))
        return ERR_FORBIDDEN;
    if (!case_bounds(cx, ACT_TASK_READ, &f))
        return ERR_OK;
    /* A caseworker's own list; a supervisor's, her organization's. */
    const char *assignee = f.assigned_or_open_for;
    f.limit = limit;
    clock_today(today);
    enum err e = store_task_overdue(cx->db, &f, today, assignee, &recs, &nrecs);
    if (e != ERR_OK)
        return e;
    return task_views(cx, recs, nrecs, items, n);
}

enum err task_open_list(const struct ctx *cx, int limit, struct task_view **items, size_t *n)
{
    struct case_filter f = {0};
    struct task_rec *recs = NULL;
    size_t nrecs = 0;
    *items = NULL;
    *n = 0;
    if (!may(cx, ACT_TASK_READ))
        return ERR_FORBIDDEN;
    if (!case_bounds(cx, ACT_TASK_READ, &f))
        return ERR_OK;
    f.limit = limit;
    enum err e =
        store_task_overdue(cx->db, &f, TASKS_ALL_BEFORE, f.assigned_or_open_for, &recs, &nrecs);
    if (e != ERR_OK)
        return e;
    return task_views(cx, recs, nrecs, items, n);
}
