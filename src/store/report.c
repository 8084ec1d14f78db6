/* The maintained report cells (table report_cell, docs/reports.md): kept
 * equal to a recomputation from the records in the same transaction as
 * every write they count. See store_int.h (rc_mark, rc_flush) and
 * report_sql.h for what each record owner contributes. */
#include <stdlib.h>
#include <string.h>

#include "store/store_int.h"
#include "util/alloc.h"

static const enum stmt_id rc_apply[RC__NKIND] = {
    [RC_CASE] = STMT_RC_CASE,     [RC_OUTREACH] = STMT_RC_OUTREACH,
    [RC_ADVICE] = STMT_RC_ADVICE, [RC_TRAINING] = STMT_RC_TRAINING,
    [RC_MEMBER] = STMT_RC_MEMBER,
};
static const enum stmt_id rc_all[RC__NKIND] = {
    [RC_CASE] = STMT_RC_ALL_CASE,     [RC_OUTREACH] = STMT_RC_ALL_OUTREACH,
    [RC_ADVICE] = STMT_RC_ALL_ADVICE, [RC_TRAINING] = STMT_RC_ALL_TRAINING,
    [RC_MEMBER] = STMT_RC_ALL_MEMBER,
};
static const enum stmt_id rc_lock[RC__NKIND] = {
    [RC_CASE] = STMT_RC_LOCK_CASE,     [RC_OUTREACH] = STMT_RC_LOCK_OUTREACH,
    [RC_ADVICE] = STMT_RC_LOCK_ADVICE, [RC_TRAINING] = STMT_RC_LOCK_TRAINING,
    [RC_MEMBER] = STMT_RC_LOCK_MEMBER,
};

/* The owner's rows, times sign, added to the cells; its row locked first. */
static enum err owner_apply(struct store_conn *c, enum rc_kind kind, const char *id, int sign)
{
    struct stmt *s = stmt_get(c, rc_lock[kind]);
    stmt_text(s, 1, id);
    enum err e = stmt_exec(s);
    if (e != ERR_OK)
        return e;
    s = stmt_get(c, rc_apply[kind]);
    stmt_text(s, 1, id);
    stmt_int(s, 2, sign);
    return stmt_exec(s);
}

enum err rc_mark(struct store_conn *c, enum rc_kind kind, const char *id)
{
    if (c->rc_defer)
        return ERR_OK;
    if (id == NULL || id[0] == '\0' || kind < 0 || kind >= RC__NKIND)
        return ERR_INTERNAL;
    if (!store_in_tx(c))
        return ERR_INTERNAL;
    for (size_t i = 0; i < c->rc_n; i++)
        if (c->rc_items[i].kind == kind && strcmp(c->rc_items[i].id, id) == 0)
            return ERR_OK;
    enum err e = owner_apply(c, kind, id, -1);
    if (e != ERR_OK)
        return e;
    struct rc_owner *o = list_push((void **)&c->rc_items, &c->rc_n, &c->rc_cap, sizeof *o);
    o->kind = kind;
    str_copy(o->id, sizeof o->id, id);
    return ERR_OK;
}

enum err rc_mark_case_of(struct store_conn *c, enum stmt_id lookup, const char *id)
{
    if (c->rc_defer)
        return ERR_OK;
    struct stmt *s = stmt_get(c, lookup);
    stmt_text(s, 1, id);
    enum err e = stmt_one(s);
    if (e == ERR_NOT_FOUND)
        return ERR_OK; /* the write fails on its own */
    if (e != ERR_OK)
        return e;
    char case_id[ID_SIZE];
    col_copy(s, 0, case_id, sizeof case_id);
    stmt_done(s);
    return rc_mark(c, RC_CASE, case_id);
}

enum err rc_mark_group(struct store_conn *c, const char *group_id)
{
    if (c->rc_defer)
        return ERR_OK;
    struct stmt *s = stmt_get(c, STMT_RC_LOCK_GROUP);
    stmt_text(s, 1, group_id);
    enum err e = stmt_exec(s);
    if (e != ERR_OK)
        return e;
    struct rc_owner *items = NULL;
    size_t n = 0, cap = 0;
    s = stmt_get(c, STMT_RC_OF_GROUP);
    stmt_text(s, 1, group_id);
    bool row = false;
    while ((e = stmt_step(s, &row)) == ERR_OK && row) {
        int64_t k = stmt_col_int(s, 0);
        if (k < 0 || k >= RC__NKIND)
            continue;
        struct rc_owner *o = list_push((void **)&items, &n, &cap, sizeof *o);
        o->kind = (enum rc_kind)k;
        col_copy(s, 1, o->id, sizeof o->id);
    }
    stmt_done(s);
    for (size_t i = 0; e == ERR_OK && i < n; i++)
        e = rc_mark(c, items[i].kind, items[i].id);
    free(items);
    return e;
}

enum err rc_flush(struct store_conn *c)
{
    if (c->rc_n == 0)
        return ERR_OK;
    enum err e = ERR_OK;
    for (size_t i = 0; e == ERR_OK && i < c->rc_n; i++)
        e = owner_apply(c, c->rc_items[i].kind, c->rc_items[i].id, 1);
    if (e == ERR_OK)
        e = stmt_exec(stmt_get(c, STMT_RC_ZAP));
    if (e == ERR_OK)
        e = stmt_exec(stmt_get(c, STMT_RC_BUMP));
    if (e == ERR_OK)
        c->rc_n = 0;
    return e;
}

void rc_reset(struct store_conn *c)
{
    c->rc_n = 0;
}

void rc_free(struct store_conn *c)
{
    free(c->rc_items);
    c->rc_items = NULL;
    c->rc_n = c->rc_cap = 0;
}

enum err rc_enter(struct store_conn *c, bool *own)
{
    *own = !store_in_tx(c);
    return *own ? store_begin(c) : ERR_OK;
}

enum err rc_leave(struct store_conn *c, bool own, enum err e)
{
    return own ? store_end(c, e) : e;
}

/* ---- the API of store.h ---- */

enum err store_report_cells(struct store_conn *c,
                            int (*fn)(void *arg, const struct report_cell_row *r), void *arg)
{
    struct stmt *s = stmt_get(c, STMT_RC_LIST);
    bool row = false;
    enum err e;
    while ((e = stmt_step(s, &row)) == ERR_OK && row) {
        struct report_cell_row r = {
            .code = stmt_col_text(s, 0),
            .dim = stmt_col_text(s, 1),
            .cat = stmt_col_text(s, 2),
            .place = stmt_col_text(s, 3),
            .month = stmt_col_text(s, 4),
            .n = stmt_col_int(s, 5),
            .s = stmt_col_int(s, 6),
        };
        if (fn(arg, &r) != 0)
            break;
    }
    stmt_done(s);
    return e;
}

static enum err read_gen(struct store_conn *c, int64_t *gen, bool *built)
{
    struct stmt *s = stmt_get(c, STMT_RC_GEN);
    enum err e = stmt_one(s);
    if (e != ERR_OK)
        return e == ERR_NOT_FOUND ? ERR_INTERNAL : e;
    if (gen != NULL)
        *gen = stmt_col_int(s, 0);
    if (built != NULL)
        *built = stmt_col_int(s, 1) != 0;
    stmt_done(s);
    return ERR_OK;
}

enum err store_report_generation(struct store_conn *c, int64_t *gen)
{
    *gen = 0;
    return read_gen(c, gen, NULL);
}

enum err store_report_built(struct store_conn *c, bool *built)
{
    *built = false;
    return read_gen(c, NULL, built);
}

/* Steps s's rows of (text, count) into fn until it returns nonzero. */
static enum err text_count_rows(struct stmt *s, int (*fn)(void *arg, const char *text, int64_t n),
                                void *arg)
{
    bool row = false;
    enum err e;
    while ((e = stmt_step(s, &row)) == ERR_OK && row)
        if (fn(arg, stmt_col_text(s, 0), stmt_col_int(s, 1)) != 0)
            break;
    stmt_done(s);
    return e;
}

enum err store_report_overdue_now(struct store_conn *c, const char *now,
                                  int (*fn)(void *arg, const char *place, int64_t n), void *arg)
{
    struct stmt *s = stmt_get(c, STMT_RC_OVERDUE_NOW);
    stmt_text(s, 1, now);
    return text_count_rows(s, fn, arg);
}

enum err store_report_hist(struct store_conn *c, const char *code, const char *area,
                           const char *from_month, const char *to_month,
                           int (*fn)(void *arg, const char *cat, int64_t n), void *arg)
{
    struct stmt *s = stmt_get(c, STMT_RC_HIST);
    stmt_text(s, 1, code);
    stmt_text(s, 2, area);
    stmt_text(s, 3, from_month);
    stmt_text(s, 4, to_month);
    return text_count_rows(s, fn, arg);
}

enum err store_report_rebuild(struct store_conn *c)
{
    enum err e = store_begin(c);
    if (e != ERR_OK)
        return e;
    e = stmt_exec(stmt_get(c, STMT_RC_UNBOUNDED));
    /* The counter row first: rebuilds of servers starting together take turns. */
    if (e == ERR_OK)
        e = stmt_exec(stmt_get(c, STMT_RC_BUMP));
    if (e == ERR_OK)
        e = stmt_exec(stmt_get(c, STMT_RC_CLEAR));
    for (int k = 0; e == ERR_OK && k < RC__NKIND; k++)
        e = stmt_exec(stmt_get(c, rc_all[k]));
    if (e == ERR_OK)
        e = stmt_exec(stmt_get(c, STMT_RC_ZAP));
    if (e == ERR_OK)
        e = stmt_exec(stmt_get(c, STMT_RC_BUILT));
    if (e == ERR_OK) {
        /* Every owner is in the cells as it now is. */
        c->rc_n = 0;
        c->rc_defer = false;
    }
    return store_end(c, e);
}

void store_report_defer(struct store_conn *c, bool defer)
{
    c->rc_defer = defer;
}
