#include "domain/audit_log.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/cases.h"
#include "domain/check.h"
#include "domain/scope.h"
#include "util/alloc.h"

#define AUDIT_LIST_MAX     500
#define AUDIT_LIST_DEFAULT 50

/* A record type as audit entries name them: lowercase letters and '_'. */
static bool type_valid(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n >= 24)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || s[i] == '_'))
            return false;
    return true;
}

static bool cursor_parse(const char *s, int64_t *seq)
{
    char *end = NULL;
    if (s == NULL || *s < '0' || *s > '9' || strlen(s) > 18)
        return false;
    *seq = strtoll(s, &end, 10);
    return *end == '\0' && *seq >= 0;
}

enum err audit_log_list(const struct ctx *cx, const struct audit_log_query *q,
                        struct audit_rec **items, size_t *n, char next[AUDIT_CURSOR_SIZE],
                        struct fielderrs *fe)
{
    *items = NULL;
    *n = 0;
    next[0] = '\0';
    enum scope sc = scope_of(cx, ACT_AUDIT_READ);
    if (sc == SCOPE_NONE)
        return ERR_FORBIDDEN;
    enum err e = ERR_OK;
    int64_t after = 0;
    bool one = q->record_type != NULL || q->record_id != NULL;
    if (one && !type_valid(q->record_type))
        e = fielderr(fe, "record_type", "a record type (case, referral, user, ...)");
    if (one && (q->record_id == NULL || !check_id(q->record_id)))
        e = fielderr(fe, "record_id", "a record id");
    if (q->limit < 0 || q->limit > AUDIT_LIST_MAX)
        e = fielderr(fe, "limit", "1 to 500");
    if (q->cursor != NULL && !cursor_parse(q->cursor, &after))
        e = fielderr(fe, "cursor", "not a cursor from this list");
    if (e != ERR_OK)
        return e;
    /* An organization's scope reaches the entries of its own cases: the
     * log itself spans every organization. */
    if (sc != SCOPE_ALL) {
        if (!one || strcmp(q->record_type, "case") != 0)
            return ERR_FORBIDDEN;
        struct case_rec c;
        if ((e = case_fetch(cx, ACT_CASE_HISTORY, q->record_id, &c)) != ERR_OK)
            return e;
        case_rec_free(&c);
    }
    int limit = q->limit > 0 ? q->limit : AUDIT_LIST_DEFAULT;
    /* Reading who did what to a record is a read of it. */
    e = audit_append(cx->db, check_user_id(cx), AUDIT_READ, one ? q->record_type : "audit",
                     one ? q->record_id : NULL, "audit");
    if (e != ERR_OK)
        return e;
    e = one ? store_audit_for_record(cx->db, q->record_type, q->record_id, after, limit + 1, items,
                                     n)
            : store_audit_range(cx->db, after, limit + 1, items, n);
    if (e != ERR_OK)
        return e;
    if (*n > (size_t)limit) {
        audit_rec_free(&(*items)[limit]);
        *n = (size_t)limit;
        snprintf(next, AUDIT_CURSOR_SIZE, "%" PRId64, (*items)[limit - 1].seq);
    }
    return ERR_OK;
}

enum err audit_log_verify(const struct ctx *cx, struct audit_report *out)
{
    memset(out, 0, sizeof(*out));
    if (!may(cx, ACT_AUDIT_VERIFY))
        return ERR_FORBIDDEN;
    const struct auditkeys *k = audit_keys();
    char **paths = NULL;
    size_t np = 0;
    if (cx->audit_heads != NULL && audit_heads_find(cx->audit_heads, &paths, &np) != ERR_OK)
        np = 0;
    struct audit_head *heads = np ? xcalloc(np, sizeof(*heads)) : NULL;
    size_t nh = 0;
    out->head_files = (int64_t)np;
    for (size_t i = 0; i < np; i++) {
        char *msg = NULL;
        if (audit_head_read(k, paths[i], &heads[nh], &msg) == ERR_OK) {
            if (!out->has_head || heads[nh].seq > out->newest.seq)
                out->newest = heads[nh];
            out->has_head = true;
            nh++;
        } else {
            out->bad_head_files++;
        }
        free(msg);
        free(paths[i]);
    }
    free(paths);
    enum err e = audit_verify_full(cx->db, k, heads, nh, &out->check);
    free(heads);
    if (e != ERR_OK)
        return e;
    if (out->bad_head_files > 0 && out->check.ok) {
        out->check.ok = false;
        out->check.why = "head_file";
    }
    char detail[48];
    if (out->check.ok)
        snprintf(detail, sizeof detail, "ok");
    else
        snprintf(detail, sizeof detail, "%s first_bad=%" PRId64, out->check.why,
                 out->check.first_bad);
    return audit_append(cx->db, check_user_id(cx), AUDIT_VERIFY, "audit", NULL, detail);
}
