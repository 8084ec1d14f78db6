/* Erasure of a case's identity (domain/erase.h). */
#include "domain/erase.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "audit/audit.h"
#include "domain/cases_int.h"
#include "domain/check.h"
#include "domain/idem.h"
#include "domain/scope.h"
#include "domain/settings.h"
#include "util/alloc.h"
#include "util/ledger.h"
#include "util/log.h"

#define ERASE_REASON_MAX_CHARS 2000
#define RETENTION_BATCH        50

static const char *const reason_codes[ERASE__MAX] = {
    [ERASE_RETENTION] = "retention",
    [ERASE_REQUEST] = "request",
};

const char *erase_reason_code(enum erase_reason why)
{
    return (unsigned)why < ERASE__MAX ? reason_codes[why] : NULL;
}

static void blob_drop(struct blob *b)
{
    free(b->p);
    b->p = NULL;
    b->len = 0;
}

/* The survivor's age kept as plain demographics once her birth date goes:
 * her age today, and today as the day it was taken (see
 * case_survivor_age_on), so that age bands stay what they were. */
static void survivor_age_keep(const struct ctx *cx, struct case_rec *r)
{
    char today[DATE_SIZE];
    clock_today(today);
    int age = case_survivor_age_on(cx, r, today);
    if (age < 0)
        return;
    json_t *dem =
        r->survivor.demographics != NULL ? json_loads(r->survivor.demographics, 0, NULL) : NULL;
    if (!json_is_object(dem)) {
        json_decref(dem);
        dem = json_object();
    }
    json_object_set_new(dem, "age_on", json_string(today));
    free(r->survivor.demographics);
    r->survivor.demographics = json_dumps(dem, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(dem);
    r->survivor.age = age;
}

/* The erasure inside the transaction: the case row (summary, employer,
 * survivor identity wiped; version + 1), then its records. Only
 * case_erase_identity calls it. */
static enum err erase_write(const struct ctx *cx, struct case_rec *r, enum erase_reason why,
                            const char *text)
{
    enum err e = store_wipe_begin(cx->db);
    if (e != ERR_OK)
        return e;
    if (r->erased_at[0] != '\0')
        return ERR_CONFLICT;
    if (r->has_survivor) {
        survivor_age_keep(cx, r);
        blob_drop(&r->survivor.identity);
    }
    blob_drop(&r->summary);
    blob_drop(&r->employer);
    clock_stamp(r->updated_at);
    if ((e = store_case_update(cx->db, r)) != ERR_OK)
        return e;
    if ((e = store_case_erase(cx->db, r->id, r->updated_at, reason_codes[why])) != ERR_OK)
        return e;
    /* The kept answers of creates whose route names no case (the report
     * itself) are looked through for the case's id. */
    if ((e = idem_forget_case(cx, r->id)) != ERR_OK)
        return e;
    /* The case's key goes too: crypto-shredding whatever copies of the old
     * blobs remain (pages freed before, PostgreSQL's old row versions). The
     * erasure's own reason, sealed on the timeline just below, gets a key
     * of its own. */
    if ((e = sealed_shred_case(cx, r->id)) != ERR_OK)
        return e;
    if ((e = case_event_add(cx, r->id, "erased", reason_codes[why], NULL, text)) != ERR_OK)
        return e;
    return audit_append(cx->db, check_user_id(cx), AUDIT_ERASE, "case", r->id, reason_codes[why]);
}

enum err case_erase_identity(const struct ctx *cx, const char *case_id, enum erase_reason why,
                             const char *text)
{
    struct case_rec r = {0};
    if ((unsigned)why >= ERASE__MAX || !check_id(case_id))
        return ERR_NOT_FOUND;
    enum err e = store_begin(cx->db);
    if (e != ERR_OK)
        return e;
    e = store_case_get(cx->db, case_id, &r);
    if (e == ERR_OK)
        e = erase_write(cx, &r, why, text);
    case_rec_free(&r);
    e = store_end(cx->db, e);
    /* Beside the key: a backup taken before restores with this case's key
     * destroyed again (cbpn restore). */
    if (e == ERR_OK && cx->audit_heads != NULL) {
        char *path = xasprintf("%s.erased", cx->audit_heads);
        if (!ledger_append(path, case_id))
            log_error("case %s: erased, but the erasure ledger %s cannot be written", case_id,
                      path);
        free(path);
    }
    return e;
}

/* ---- on request ---- */

static const struct field case_erase_rows[] = {
    F_INT(struct case_erase_in, version, "", true, 1, INT_MAX, -1,
          "required: the version you read"),
    F_TEXT(struct case_erase_in, reason, "", true, 1, ERASE_REASON_MAX_CHARS,
           "required: 1 to 2000 characters"),
    F_BOOL(struct case_erase_in, confirm, "", false),
};
const struct fieldset case_erase_fields = FIELDSET(case_erase_rows);

void case_erase_in_init(struct case_erase_in *in)
{
    memset(in, 0, sizeof *in);
    fields_init(&case_erase_fields, in);
}

/* Whether s has a character other than white space. */
static bool has_text(const char *s)
{
    for (; s != NULL && *s != '\0'; s++)
        if (*s != ' ' && *s != '\t' && *s != '\r' && *s != '\n')
            return true;
    return false;
}

enum err case_erase(const struct ctx *cx, const char *id, const struct case_erase_in *in,
                    struct case_view *out, struct fielderrs *fe)
{
    struct case_rec r = {0};
    memset(out, 0, sizeof *out);
    if (!may(cx, ACT_CASE_ERASE))
        return ERR_FORBIDDEN;
    if (fields_check(cx, &case_erase_fields, in, fe) != ERR_OK)
        return ERR_VALIDATION;
    if (!has_text(in->reason))
        return fielderr(fe, "reason", "required: 1 to 2000 characters");
    enum err e = store_begin(cx->db);
    if (e != ERR_OK)
        return e;
    e = case_fetch(cx, ACT_CASE_ERASE, id, &r);
    if (e == ERR_OK && (r.version != in->version || r.erased_at[0] != '\0')) {
        fielderr(fe, "version",
                 r.erased_at[0] != '\0' ? "already erased" : "the case changed since you read it");
        e = ERR_CONFLICT;
    }
    case_rec_free(&r);
    if (e == ERR_OK) /* inside this transaction: the version checked stays */
        e = case_erase_identity(cx, id, ERASE_REQUEST, in->reason);
    if ((e = store_end(cx->db, e)) != ERR_OK)
        return e;
    if ((e = store_case_get(cx->db, id, &r)) != ERR_OK)
        return e;
    e = view_make(cx, &r, case_reached(cx, ACT_CASE_READ_DETAIL, &r), true, out);
    case_rec_free(&r);
    return e;
}

/* ---- retention ---- */

/* The cut-off: now, years earlier, as RFC 3339 (text order is time order;
 * a 29 February stays as it is and orders between the 28th and 1 March). */
static void retention_cutoff(int years, char out[TS_SIZE])
{
    char now[TS_SIZE], year[8];
    clock_rfc3339(clock_now(), now);
    int y = atoi(now) - years;
    snprintf(year, sizeof year, "%04d", y > 0 && y < 10000 ? y : 0);
    memcpy(out, now, TS_SIZE);
    memcpy(out, year, 4);
}

/* Whether case id is still due (closed, not erased, its latest closure
 * before before), read inside the caller's transaction: the list was read
 * before, and a server may have reopened it since. */
static enum err retention_due(const struct ctx *cx, const char *id, const char *before, bool *due)
{
    struct case_rec r = {0};
    struct case_event_rec *ev = NULL;
    size_t n = 0;
    *due = false;
    enum err e = store_case_get(cx->db, id, &r);
    if (e == ERR_OK && strcmp(r.status, "closed") == 0 && r.erased_at[0] == '\0')
        e = store_case_event_list(cx->db, id, &ev, &n);
    const char *closed = NULL;
    for (size_t i = 0; i < n; i++)
        if (strcmp(ev[i].kind, "closed") == 0 && (closed == NULL || strcmp(ev[i].at, closed) > 0))
            closed = ev[i].at;
    *due = closed != NULL && strcmp(closed, before) < 0;
    case_event_list_free(ev, n);
    case_rec_free(&r);
    return e;
}

/* One case of a retention run, in a transaction of its own: erased when
 * still due. A server's write between the erasure's read and its write
 * (PostgreSQL reads without a lock) makes it ERR_CONFLICT: it is looked at
 * again. ERR_NOT_FOUND: no longer due (reopened, erased meanwhile, gone). */
static enum err retention_erase(const struct ctx *cx, const char *id, const char *before)
{
    enum err e = ERR_CONFLICT;
    for (int attempt = 0; attempt < 3 && e == ERR_CONFLICT; attempt++) {
        bool due = false;
        if ((e = store_begin(cx->db)) != ERR_OK)
            return e;
        e = retention_due(cx, id, before, &due);
        if (e == ERR_OK && !due)
            e = ERR_NOT_FOUND;
        if (e == ERR_OK)
            e = case_erase_identity(cx, id, ERASE_RETENTION, NULL);
        e = store_end(cx->db, e);
    }
    return e;
}

enum err retention_run(const struct ctx *cx, bool dry_run, struct retention_counts *out)
{
    memset(out, 0, sizeof *out);
    out->settled = true;
    out->vacuumed = true;
    if (cx->actor != NULL || !cx->local_operator)
        return ERR_FORBIDDEN;
    out->years = setting_get(cx, SETTING_RETENTION_YEARS);
    char before[TS_SIZE], after[ID_SIZE] = "";
    retention_cutoff(out->years, before);
    char ids[RETENTION_BATCH][ID_SIZE];
    size_t n = 0;
    enum err e;
    /* One short read per batch, then one short transaction per case: a
     * server on the same database waits for at most one case's wipe. */
    do {
        if ((e = store_case_retention(cx->db, before, after, RETENTION_BATCH, ids, &n)) != ERR_OK)
            return e;
        for (size_t i = 0; i < n; i++) {
            out->eligible++;
            if (dry_run)
                continue;
            enum err ce = retention_erase(cx, ids[i], before);
            if (ce == ERR_OK) {
                out->erased++;
                out->settled = out->settled && store_wipe_settled(cx->db);
            } else if (ce != ERR_NOT_FOUND) { /* ERR_NOT_FOUND: erased meanwhile */
                out->failed++;
                log_error("retention: case %s not erased (%s)", ids[i], err_code(ce));
            }
        }
        if (n > 0)
            snprintf(after, sizeof after, "%s", ids[n - 1]);
    } while (n == RETENTION_BATCH);
    if (!dry_run && out->erased > 0)
        out->vacuumed = store_vacuum_erased(cx->db) == ERR_OK;
    return out->failed > 0 ? ERR_INTERNAL : ERR_OK;
}
