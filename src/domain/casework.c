/* Case work: intake and assessment, the workflow moves, the supervisor's
 * count and the timeline. Notes and tasks are in notes.c. */
#include "domain/casework.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "audit/audit.h"
#include "domain/cases_int.h"
#include "domain/check.h"
#include "domain/sealed.h"
#include "domain/users.h"
#include "util/alloc.h"
#include "util/codes.h"
#include "util/log.h"

#define REASON_MAX_CHARS 2000

/* ---- intake and assessment ---- */

enum case_patch_field {
    CP_VERSION,
    CP_SURVIVOR,
    CP_RISK,
    CP_URGENT,
    CP_CONCERNS,
    CP_SUMMARY,
    CP_AGENCY_ID,
    CP_EMPLOYER,
    CP__MAX
};

static const struct field case_patch_rows[CP__MAX] = {
    [CP_VERSION] = F_INT(struct case_patch_in, version, "", true, 1, INT_MAX, -1,
                         "required: the version you read"),
    [CP_SURVIVOR] = F_OBJECT_MERGED(struct case_patch_in, survivor, "", has_survivor,
                                    "the survivor's fields to change"),
    [CP_RISK] = F_CODE(struct case_patch_in, risk, "", false, LIST_RISK, "low, medium or high"),
    [CP_URGENT] = F_BOOL(struct case_patch_in, urgent, "", false),
    [CP_CONCERNS] = F_CODES(struct case_patch_in, concerns, "", "concern", false, 1, CONCERNS_MAX,
                            LIST_CONCERN, "1 to 9 concern codes, each once"),
    [CP_SUMMARY] = F_TEXT(struct case_patch_in, summary, "", false, 1, SUMMARY_MAX_CHARS,
                          "at most 4000 characters"),
    [CP_AGENCY_ID] =
        F_OF(struct case_patch_in, agency_id, "", FT_ID, false, "an agency of the list"),
    [CP_EMPLOYER] = F_TEXT(struct case_patch_in, employer, "", false, 1, EMPLOYER_MAX_CHARS,
                           "1 to 200 characters"),
};
const struct fieldset case_patch_fields = {case_patch_rows, CP__MAX,
                                           offsetof(struct case_patch_in, sent)};

void case_patch_in_init(struct case_patch_in *in)
{
    memset(in, 0, sizeof *in);
    fields_init(&case_patch_fields, in);
}

static bool sent(const struct fieldset *fs, const void *in, int i)
{
    return fields_was_sent(fs, in, i);
}

/* The stored survivor of r as an input (strings borrowed from sv and dem). */
static void survivor_as_input(const struct case_rec *r, const struct survivor_view *sv, json_t *dem,
                              struct survivor_in *m)
{
    memset(m, 0, sizeof *m);
    fields_init(&survivor_fields, m);
    if (!r->has_survivor)
        return;
    m->name_km = sv->name_km;
    m->name_latn = sv->name_latn;
    m->phone = sv->phone;
    m->sex = r->survivor.sex[0] != '\0' ? r->survivor.sex : NULL;
    m->birth_date = sv->birth_date;
    m->age = sv->birth_date != NULL ? -1 : r->survivor.age;
    m->age_estimated = r->survivor.age_estimated;
    m->occupation = sv->occupation;
    m->address_text = sv->address_text;
    m->address_code = sv->address_code[0] != '\0' ? sv->address_code : NULL;
    m->marital_status = json_string_value(json_object_get(dem, "marital_status"));
    json_t *dep = json_object_get(dem, "dependants");
    if (json_is_integer(dep))
        m->dependants = (int)json_integer_value(dep);
    json_t *dis = json_object_get(dem, "disability");
    if (json_is_boolean(dis)) {
        m->disability = json_is_true(dis);
        fields_mark(&survivor_fields, m, SURVIVOR_F_DISABILITY, false);
    }
    m->nationality = json_string_value(json_object_get(dem, "nationality"));
    json_t *mig = json_object_get(dem, "migration");
    if (json_is_object(mig)) {
        m->has_migration = true;
        json_t *c = json_object_get(mig, "countries");
        for (size_t i = 0; i < json_array_size(c) && i < MIGRATION_COUNTRIES_MAX; i++)
            m->migration.countries[m->migration.ncountries++] =
                json_string_value(json_array_get(c, i));
        json_t *y = json_object_get(mig, "years");
        if (json_is_integer(y))
            m->migration.years = (int)json_integer_value(y);
        m->migration.channel = json_string_value(json_object_get(mig, "channel"));
        m->migration.sector = json_string_value(json_object_get(mig, "sector"));
    }
}

/* Merges the survivor fields p sent into m: a null clears, birth_date and
 * age replace each other. */
static void survivor_merge(struct survivor_in *m, const struct survivor_in *p)
{
    struct fields_sent keep = m->sent;
    fields_overlay(&survivor_fields, m, p);
    m->sent = keep;
    const struct fieldset *fs = &survivor_fields;
    if (sent(fs, p, SURVIVOR_F_BIRTH_DATE) && !fields_was_null(fs, p, SURVIVOR_F_BIRTH_DATE) &&
        !sent(fs, p, SURVIVOR_F_AGE)) {
        m->age = -1;
        m->age_estimated = false;
    }
    if (sent(fs, p, SURVIVOR_F_AGE) && !fields_was_null(fs, p, SURVIVOR_F_AGE) &&
        !sent(fs, p, SURVIVOR_F_BIRTH_DATE))
        m->birth_date = NULL;
    if (sent(fs, p, SURVIVOR_F_DISABILITY)) {
        m->sent.set &= ~(UINT64_C(1) << SURVIVOR_F_DISABILITY);
        if (!fields_was_null(fs, p, SURVIVOR_F_DISABILITY))
            fields_mark(fs, m, SURVIVOR_F_DISABILITY, false);
    }
}

/* Whether p changes what the blind index is made of. */
static bool keys_change(const struct survivor_in *p)
{
    const struct fieldset *fs = &survivor_fields;
    return sent(fs, p, SURVIVOR_F_NAME_KM) || sent(fs, p, SURVIVOR_F_NAME_LATN) ||
           sent(fs, p, SURVIVOR_F_PHONE);
}

/* The names of the parts of the case in sent: "survivor,risk" (codes only). */
static void changed_parts(const struct case_patch_in *in, char *out, size_t size)
{
    out[0] = '\0';
    for (int i = CP_SURVIVOR; i < CP__MAX; i++) {
        if (!sent(&case_patch_fields, in, i))
            continue;
        size_t n = strlen(out);
        snprintf(out + n, size - n, "%s%s", n > 0 ? "," : "", case_patch_rows[i].name);
    }
}

static void blob_free(struct blob *b)
{
    free(b->p);
    b->p = NULL;
    b->len = 0;
}

/* Applies the patch to r (in the transaction), the survivor merged and
 * checked. */
static enum err patch_apply(const struct ctx *cx, const struct case_patch_in *in,
                            struct case_rec *r, struct fielderrs *fe, bool *rekey)
{
    enum err e = ERR_OK;
    *rekey = false;
    if (in->has_survivor) {
        struct survivor_view sv;
        struct survivor_in m;
        memset(&sv, 0, sizeof sv);
        if (r->has_survivor && (e = survivor_open(cx, r, &sv)) != ERR_OK) {
            survivor_view_free(&sv);
            return e;
        }
        json_t *dem =
            r->survivor.demographics != NULL ? json_loads(r->survivor.demographics, 0, NULL) : NULL;
        survivor_as_input(r, &sv, dem, &m);
        survivor_merge(&m, &in->survivor);
        if (fields_check(cx, &survivor_fields, &m, fe) != ERR_OK ||
            survivor_validate(&m, fe) != ERR_OK) {
            e = ERR_VALIDATION;
        } else {
            struct survivor_rec fresh = {0};
            e = survivor_fill(cx, r->id, &m, &fresh);
            blob_free(&r->survivor.identity);
            free(r->survivor.demographics);
            r->survivor = fresh;
            r->has_survivor = true;
            *rekey = keys_change(&in->survivor);
            if (e == ERR_OK && *rekey)
                e = survivor_keys_write(cx, r->id, &m, true);
        }
        sodium_memzero(&m, sizeof m);
        json_decref(dem);
        survivor_view_free(&sv);
        if (e != ERR_OK)
            return e;
    }
    if (sent(&case_patch_fields, in, CP_RISK))
        snprintf(r->risk, sizeof r->risk, "%s", in->risk != NULL ? in->risk : "");
    if (sent(&case_patch_fields, in, CP_URGENT) &&
        !fields_was_null(&case_patch_fields, in, CP_URGENT))
        r->urgent = in->urgent;
    if (sent(&case_patch_fields, in, CP_CONCERNS)) {
        if (in->nconcerns < 1)
            return fielderr(fe, "concerns", "1 to 9 concern codes, each once");
        for (int i = 0; i < in->nconcerns; i++)
            snprintf(r->concerns[i], sizeof r->concerns[i], "%s", in->concerns[i]);
        r->nconcerns = in->nconcerns;
    }
    if (sent(&case_patch_fields, in, CP_AGENCY_ID)) {
        r->agency_id[0] = '\0';
        if (!check_absent(in->agency_id)) {
            if ((e = case_agency_check(cx, in->agency_id, fe)) != ERR_OK)
                return e;
            snprintf(r->agency_id, sizeof r->agency_id, "%s", in->agency_id);
        }
    }
    if (sent(&case_patch_fields, in, CP_EMPLOYER)) {
        blob_free(&r->employer);
        if (!check_absent(in->employer) &&
            (e = sealed_seal_case(cx, r->id, SEALED_CASE_EMPLOYER, r->id, in->employer,
                                  &r->employer)) != ERR_OK)
            return e;
    }
    if (sent(&case_patch_fields, in, CP_SUMMARY)) {
        blob_free(&r->summary);
        if (!check_absent(in->summary) &&
            (e = sealed_seal_case(cx, r->id, SEALED_CASE_SUMMARY, r->id, in->summary,
                                  &r->summary)) != ERR_OK)
            return e;
    }
    return ERR_OK;
}

/* Ends the transaction, and on success moves the case into the answer as
 * the caller may see it. */
static enum err move_end(const struct ctx *cx, enum err e, struct case_rec *r,
                         struct case_view *out)
{
    if ((e = store_end(cx->db, e)) != ERR_OK)
        return e;
    r->version++;
    return view_make(cx, r, case_reached(cx, ACT_CASE_READ_DETAIL, r), true, out);
}

/* Begins a move: the transaction, the case as the caller may act on it
 * under a (403/404 as case_fetch says). */
static enum err move_begin(const struct ctx *cx, enum action a, const char *id, struct case_rec *r)
{
    memset(r, 0, sizeof *r);
    if (!may(cx, a))
        return ERR_FORBIDDEN;
    enum err e = store_begin(cx->db);
    if (e != ERR_OK)
        return e;
    if ((e = case_fetch(cx, a, id, r)) != ERR_OK)
        store_rollback(cx->db);
    return e;
}

/* Writes the case row and records the move on the timeline and in the audit
 * log, inside the move's transaction. */
static enum err move_write(const struct ctx *cx, struct case_rec *r, const char *kind,
                           const char *detail, const char *ref_id, const char *text,
                           enum audit_action act)
{
    clock_stamp(r->updated_at);
    enum err e = store_case_update(cx->db, r);
    if (e == ERR_OK)
        e = case_event_add(cx, r->id, kind, detail, ref_id, text);
    if (e == ERR_OK)
        e = audit_append(cx->db, check_user_id(cx), act, "case", r->id, kind);
    return e;
}

static bool status_is(const struct case_rec *r, enum case_status s)
{
    return strcmp(r->status, code_name(LIST_STATUS, s)) == 0;
}

static void status_set(struct case_rec *r, enum case_status s)
{
    snprintf(r->status, sizeof r->status, "%s", code_name(LIST_STATUS, s));
}

enum err case_update(const struct ctx *cx, const char *id, const struct case_patch_in *in,
                     struct case_view *out, struct fielderrs *fe)
{
    struct case_rec r;
    char parts[96];
    bool rekey = false;

    memset(out, 0, sizeof *out);
    if (!may(cx, ACT_CASE_UPDATE))
        return ERR_FORBIDDEN;
    if (fields_check(cx, &case_patch_fields, in, fe) != ERR_OK)
        return ERR_VALIDATION;
    enum err e = move_begin(cx, ACT_CASE_UPDATE, id, &r);
    if (e != ERR_OK)
        return e;
    if (status_is(&r, STATUS_CLOSED) || r.version != in->version || r.erased_at[0] != '\0') {
        fielderr(fe, "version",
                 r.version != in->version ? "the case changed since you read it"
                 : r.erased_at[0] != '\0' ? "its identity was erased"
                                          : "closed");
        e = ERR_CONFLICT;
    }
    if (e == ERR_OK)
        e = patch_apply(cx, in, &r, fe, &rekey);
    changed_parts(in, parts, sizeof parts);
    if (e == ERR_OK)
        e = move_write(cx, &r, "updated", parts[0] != '\0' ? parts : NULL, NULL, NULL,
                       AUDIT_UPDATE);
    e = move_end(cx, e, &r, out);
    case_rec_free(&r);
    return e;
}

/* ---- workflow ---- */

/* Whether user_id is an active caseworker or supervisor of org. */
static enum err assignee_check(const struct ctx *cx, const char *user_id, const char *org,
                               struct fielderrs *fe)
{
    struct user_rec u = {0};
    if (!check_id(user_id))
        return fielderr(fe, "caseworker_id", "a caseworker of the case's organization");
    enum err e = user_get_named(cx, user_id, &u);
    bool ok = e == ERR_OK && user_takes_cases(&u, org);
    user_rec_free(&u);
    if (e != ERR_OK && e != ERR_NOT_FOUND)
        return e;
    return ok ? ERR_OK : fielderr(fe, "caseworker_id", "a caseworker of the case's organization");
}

enum err case_assign(const struct ctx *cx, const char *id, const char *caseworker_id,
                     struct case_view *out, struct fielderrs *fe)
{
    struct case_rec r;
    memset(out, 0, sizeof *out);
    enum err e = move_begin(cx, ACT_CASE_ASSIGN, id, &r);
    if (e != ERR_OK)
        return e;
    const char *kind = "assigned";
    if (status_is(&r, STATUS_CLOSED))
        e = ERR_CONFLICT;
    if (e == ERR_OK)
        e = assignee_check(cx, caseworker_id, r.organization_id, fe);
    if (e == ERR_OK) {
        if (status_is(&r, STATUS_REPORTED))
            status_set(&r, STATUS_OPEN);
        else
            kind = "transferred";
        snprintf(r.assigned_to, sizeof r.assigned_to, "%s", caseworker_id);
        e = move_write(cx, &r, kind, NULL, caseworker_id, NULL, AUDIT_ASSIGN);
    }
    e = move_end(cx, e, &r, out);
    case_rec_free(&r);
    return e;
}

enum err case_request_closure(const struct ctx *cx, const char *id, const char *reason_code,
                              const char *reason, struct case_view *out, struct fielderrs *fe)
{
    struct case_rec r;
    memset(out, 0, sizeof *out);
    if (!may(cx, ACT_CASE_CLOSE_REQUEST))
        return ERR_FORBIDDEN;
    enum err e = ERR_OK;
    if (code_parse(LIST_CLOSURE_REASON, reason_code) < 0)
        e = fielderr(fe, "reason_code", "a closure reason code");
    if (reason != NULL && !check_text(reason, 1, REASON_MAX_CHARS))
        e = fielderr(fe, "reason", "1 to 2000 characters");
    if (e != ERR_OK)
        return e;
    if ((e = move_begin(cx, ACT_CASE_CLOSE_REQUEST, id, &r)) != ERR_OK)
        return e;
    if (!status_is(&r, STATUS_OPEN))
        e = ERR_CONFLICT;
    if (e == ERR_OK) {
        status_set(&r, STATUS_CLOSURE_REQUESTED);
        snprintf(r.closure_requested_by, sizeof r.closure_requested_by, "%s", check_user_id(cx));
        snprintf(r.closure_reason_code, sizeof r.closure_reason_code, "%s", reason_code);
        e = move_write(cx, &r, "closure_requested", reason_code, NULL, reason, AUDIT_UPDATE);
    }
    e = move_end(cx, e, &r, out);
    case_rec_free(&r);
    return e;
}

enum err case_approve_closure(const struct ctx *cx, const char *id, struct case_view *out)
{
    struct case_rec r;
    memset(out, 0, sizeof *out);
    enum err e = move_begin(cx, ACT_CASE_CLOSE_APPROVE, id, &r);
    if (e != ERR_OK)
        return e;
    if (!status_is(&r, STATUS_CLOSURE_REQUESTED))
        e = ERR_CONFLICT;
    else if (strcmp(r.closure_requested_by, check_user_id(cx)) == 0)
        e = ERR_FORBIDDEN; /* nobody approves her own request */
    if (e == ERR_OK) {
        status_set(&r, STATUS_CLOSED);
        char reason[CODE_SIZE];
        snprintf(reason, sizeof reason, "%s", r.closure_reason_code);
        e = move_write(cx, &r, "closed", reason, NULL, NULL, AUDIT_CLOSE);
    }
    e = move_end(cx, e, &r, out);
    case_rec_free(&r);
    return e;
}

enum err case_reopen(const struct ctx *cx, const char *id, const char *reason,
                     struct case_view *out, struct fielderrs *fe)
{
    struct case_rec r;
    memset(out, 0, sizeof *out);
    if (!may(cx, ACT_CASE_REOPEN))
        return ERR_FORBIDDEN;
    if (!check_text(reason, 1, REASON_MAX_CHARS))
        return fielderr(fe, "reason", "required: 1 to 2000 characters");
    enum err e = move_begin(cx, ACT_CASE_REOPEN, id, &r);
    if (e != ERR_OK)
        return e;
    if (!status_is(&r, STATUS_CLOSED))
        e = ERR_CONFLICT;
    if (e == ERR_OK) {
        status_set(&r, STATUS_OPEN);
        r.closure_requested_by[0] = '\0';
        r.closure_reason_code[0] = '\0';
        e = move_write(cx, &r, "reopened", NULL, NULL, reason, AUDIT_UPDATE);
    }
    e = move_end(cx, e, &r, out);
    case_rec_free(&r);
    return e;
}

int case_urgent_unassigned(const struct ctx *cx)
{
    struct case_filter f = {0};
    int n = 0;
    if (!case_bounds(cx, ACT_CASE_QUEUE, &f))
        return 0;
    f.status = code_name(LIST_STATUS, STATUS_REPORTED);
    f.urgent = 1;
    if (store_case_count(cx->db, &f, &n) != ERR_OK)
        return 0;
    return n;
}

/* ---- the timeline ---- */

void case_event_views_free(struct case_event_view *v, size_t n)
{
    for (size_t i = 0; i < n && v != NULL; i++) {
        case_event_rec_free(&v[i].rec);
        crypto_free_text(v[i].text);
        free(v[i].user_name);
    }
    free(v);
}

static enum err case_timeline_do(const struct ctx *cx, const char *id,
                                 struct case_event_view **items, size_t *n, bool audited)
{
    struct case_rec r;
    struct case_event_rec *ev = NULL;
    size_t nev = 0;
    *items = NULL;
    *n = 0;
    enum err e = case_fetch(cx, ACT_CASE_READ_DETAIL, id, &r);
    if (e != ERR_OK)
        return e;
    case_rec_free(&r);
    if ((e = store_case_event_list(cx->db, id, &ev, &nev)) != ERR_OK)
        return e;
    /* The timeline's texts are case content: an audited read. */
    if (audited && nev > 0 && (e = case_read_audited(cx, id, "timeline")) != ERR_OK) {
        case_event_list_free(ev, nev);
        return e;
    }
    struct case_event_view *v = xcalloc(nev > 0 ? nev : 1, sizeof *v);
    for (size_t i = 0; i < nev && e == ERR_OK; i++) {
        v[i].rec = ev[i];
        if (!sealed_open_case(cx, id, SEALED_EVENT_TEXT, id, &ev[i].text, &v[i].text)) {
            log_error("case %s: a timeline text does not open", id);
            e = ERR_INTERNAL;
        }
        free(v[i].rec.text.p);
        v[i].rec.text.p = NULL;
        v[i].rec.text.len = 0;
        /* The same user usually did several steps: look each up once. */
        for (size_t j = 0; j < i && v[i].user_name == NULL; j++)
            if (v[j].user_name != NULL && strcmp(v[j].rec.user_id, ev[i].user_id) == 0)
                v[i].user_name = xstrdup(v[j].user_name);
        struct user_rec u = {0};
        if (v[i].user_name == NULL && ev[i].user_id[0] != '\0' &&
            user_get_named(cx, ev[i].user_id, &u) == ERR_OK)
            v[i].user_name = xstrdup(u.display_name != NULL ? u.display_name : u.username);
        user_rec_free(&u);
    }
    free(ev);
    if (e != ERR_OK) {
        case_event_views_free(v, nev);
        return e;
    }
    *items = v;
    *n = nev;
    return ERR_OK;
}

enum err case_timeline(const struct ctx *cx, const char *id, struct case_event_view **items,
                       size_t *n)
{
    return case_timeline_do(cx, id, items, n, true);
}

/* ---- the dossier ---- */

void case_dossier_free(struct case_dossier *d)
{
    if (d == NULL)
        return;
    case_view_free(&d->view);
    note_views_free(d->notes, d->nnotes);
    task_views_free(d->tasks, d->ntasks);
    case_event_views_free(d->timeline, d->ntimeline);
    incident_views_free(d->incidents, d->nincidents);
    screening_list_free(d->screenings, d->nscreenings);
    consent_views_free(d->consents, d->nconsents);
    referral_views_free(d->referrals, d->nreferrals);
    memset(d, 0, sizeof *d);
}

enum err case_dossier_get(const struct ctx *cx, const char *id, struct case_dossier *out)
{
    memset(out, 0, sizeof *out);
    enum err e = case_get(cx, id, &out->view);
    if (e != ERR_OK || !out->view.detail)
        return e;
    if (may(cx, ACT_NOTE_READ))
        e = note_list(cx, id, &out->notes, &out->nnotes);
    /* One read of the case, audited by case_get, shows all of it. */
    if (e == ERR_OK && may(cx, ACT_TASK_READ))
        e = task_list_unaudited(cx, id, &out->tasks, &out->ntasks);
    if (e == ERR_OK)
        e = case_timeline_do(cx, id, &out->timeline, &out->ntimeline, false);
    if (e == ERR_OK)
        e = incident_list_of(cx, &out->view, &out->incidents, &out->nincidents);
    /* Screenings hold codes only; the read of the case is audited. */
    if (e == ERR_OK)
        e = store_screening_list(cx->db, id, &out->screenings, &out->nscreenings);
    if (e == ERR_OK && may(cx, ACT_CONSENT_READ))
        e = consent_list_unaudited(cx, id, &out->consents, &out->nconsents);
    if (e == ERR_OK)
        e = referral_list_case(cx, &out->view.rec, &out->referrals, &out->nreferrals);
    if (e != ERR_OK)
        case_dossier_free(out);
    return e;
}

/* ---- history ---- */

void case_history_free(struct case_history_item *items, size_t n)
{
    for (size_t i = 0; i < n && items != NULL; i++) {
        audit_rec_free(&items[i].rec);
        free(items[i].user_name);
    }
    free(items);
}

/* Appends the audit entries of one record to the list. */
static enum err history_add(const struct ctx *cx, const char *type, const char *id,
                            struct audit_rec **all, size_t *n, size_t *cap)
{
    int64_t after = 0;
    for (;;) {
        struct audit_rec *items = NULL;
        size_t got = 0;
        enum err e = store_audit_for_record(cx->db, type, id, after, 500, &items, &got);
        if (e != ERR_OK)
            return e;
        for (size_t i = 0; i < got; i++) {
            if (*n < CASE_HISTORY_MAX) {
                if (*n == *cap) {
                    *cap = *cap > 0 ? *cap * 2 : 64;
                    *all = xrealloc(*all, *cap * sizeof **all);
                }
                (*all)[(*n)++] = items[i];
            } else {
                audit_rec_free(&items[i]);
            }
        }
        after = got > 0 ? items[got - 1].seq : after;
        free(items);
        if (got < 500)
            return ERR_OK;
    }
}

static int by_seq(const void *a, const void *b)
{
    const struct audit_rec *x = a, *y = b;
    return (x->seq > y->seq) - (x->seq < y->seq);
}

enum err case_history(const struct ctx *cx, const char *id, struct case_history_item **items,
                      size_t *n)
{
    struct case_rec r;
    struct audit_rec *all = NULL;
    size_t nall = 0, cap = 0;
    *items = NULL;
    *n = 0;
    enum err e = case_fetch(cx, ACT_CASE_HISTORY, id, &r);
    if (e != ERR_OK)
        return e;
    case_rec_free(&r);
    /* Reading who saw the case is itself a read of it. */
    e = audit_append(cx->db, check_user_id(cx), AUDIT_READ, "case", id, "history");
    if (e == ERR_OK)
        e = history_add(cx, "case", id, &all, &nall, &cap);
    struct incident_rec *inc = NULL;
    struct screening_rec *scr = NULL;
    struct note_rec *notes = NULL;
    struct task_rec *tasks = NULL;
    struct consent_rec *cons = NULL;
    struct referral_rec *refs = NULL;
    size_t ni = 0, ns = 0, nn = 0, nt = 0, nc = 0, nr = 0;
    struct referral_filter rf = {.case_id = id, .limit = 501};
    if (e == ERR_OK && (e = store_incident_list(cx->db, id, &inc, &ni)) == ERR_OK &&
        (e = store_screening_list(cx->db, id, &scr, &ns)) == ERR_OK &&
        (e = store_note_list(cx->db, id, &notes, &nn)) == ERR_OK &&
        (e = store_consent_list(cx->db, id, &cons, &nc)) == ERR_OK &&
        (e = store_referral_list(cx->db, &rf, &refs, &nr)) == ERR_OK)
        e = store_task_list(cx->db, id, &tasks, &nt);
    for (size_t i = 0; i < ni && e == ERR_OK; i++)
        e = history_add(cx, "incident", inc[i].id, &all, &nall, &cap);
    for (size_t i = 0; i < ns && e == ERR_OK; i++)
        e = history_add(cx, "screening", scr[i].id, &all, &nall, &cap);
    for (size_t i = 0; i < nn && e == ERR_OK; i++)
        e = history_add(cx, "note", notes[i].id, &all, &nall, &cap);
    for (size_t i = 0; i < nt && e == ERR_OK; i++)
        e = history_add(cx, "task", tasks[i].id, &all, &nall, &cap);
    for (size_t i = 0; i < nc && e == ERR_OK; i++)
        e = history_add(cx, "consent", cons[i].id, &all, &nall, &cap);
    for (size_t i = 0; i < nr && e == ERR_OK; i++)
        e = history_add(cx, "referral", refs[i].id, &all, &nall, &cap);
    consent_list_free(cons, nc);
    referral_list_free(refs, nr);
    incident_list_free(inc, ni);
    screening_list_free(scr, ns);
    note_list_free(notes, nn);
    task_list_free(tasks, nt);
    if (e != ERR_OK) {
        for (size_t i = 0; i < nall; i++)
            audit_rec_free(&all[i]);
        free(all);
        return e;
    }
    if (nall > 0)
        qsort(all, nall, sizeof *all, by_seq);
    struct case_history_item *v = xcalloc(nall > 0 ? nall : 1, sizeof *v);
    for (size_t i = 0; i < nall; i++) {
        v[i].rec = all[i];
        for (size_t j = 0; j < i && v[i].user_name == NULL; j++)
            if (v[j].user_name != NULL && strcmp(v[j].rec.user_id, all[i].user_id) == 0)
                v[i].user_name = xstrdup(v[j].user_name);
        struct user_rec u = {0};
        if (v[i].user_name == NULL && all[i].user_id[0] != '\0' &&
            user_get_named(cx, all[i].user_id, &u) == ERR_OK)
            v[i].user_name = xstrdup(u.display_name != NULL ? u.display_name : u.username);
        user_rec_free(&u);
    }
    free(all);
    *items = v;
    *n = nall;
    return ERR_OK;
}
