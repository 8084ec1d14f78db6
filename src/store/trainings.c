/* Trainings in the store (store.h). */
#include <stdlib.h>
#include <string.h>

#include "store/store_int.h"
#include "util/log.h"

void training_rec_free(struct training_rec *r)
{
    if (r == NULL)
        return;
    free(r->facilitator_outside.p);
    free(r->topics);
    memset(r, 0, sizeof *r);
}

void training_list_free(struct training_rec *items, size_t n)
{
    for (size_t i = 0; i < n && items != NULL; i++)
        training_rec_free(&items[i]);
    free(items);
}

void participant_rec_free(struct participant_rec *r)
{
    if (r == NULL)
        return;
    free(r->outside.p);
    memset(r, 0, sizeof *r);
}

void participant_list_free(struct participant_rec *items, size_t n)
{
    for (size_t i = 0; i < n && items != NULL; i++)
        participant_rec_free(&items[i]);
    free(items);
}

static void opt_blob(struct stmt *s, int i, const struct blob *b)
{
    if (b->len > 0)
        stmt_blob(s, i, b->p, b->len);
    else
        stmt_null(s, i);
}

static void opt_score(struct stmt *s, int i, int v)
{
    if (v >= 0)
        stmt_int(s, i, v);
    else
        stmt_null(s, i);
}

static enum err training_insert_write(struct store_conn *c, const struct training_rec *r,
                                      const char *const *topics, size_t ntopics,
                                      const struct participant_rec *parts, size_t nparts)
{
    struct stmt *s = stmt_get(c, STMT_TRAINING_INSERT);
    stmt_text(s, 1, r->id);
    stmt_text(s, 2, r->organization_id);
    stmt_opt_text(s, 3, r->group_id);
    stmt_text(s, 4, r->date);
    stmt_text(s, 5, r->location_code);
    stmt_text(s, 6, r->audience);
    stmt_opt_text(s, 7, r->facilitator_member_id);
    stmt_opt_text(s, 8, r->facilitator_user_id);
    opt_blob(s, 9, &r->facilitator_outside);
    stmt_int(s, 10, r->facilitator_trainer ? 1 : 0);
    stmt_opt_text(s, 11, r->recorded_by);
    stmt_text(s, 12, r->created_at);
    stmt_text(s, 13, r->updated_at[0] != '\0' ? r->updated_at : r->created_at);
    stmt_int(s, 14, r->version > 0 ? r->version : 1);
    enum err e = stmt_exec(s);
    for (size_t i = 0; e == ERR_OK && i < ntopics; i++) {
        s = stmt_get(c, STMT_TRAINING_TOPIC_INSERT);
        stmt_text(s, 1, r->id);
        stmt_text(s, 2, topics[i]);
        e = stmt_exec(s);
    }
    for (size_t i = 0; e == ERR_OK && i < nparts; i++) {
        const struct participant_rec *p = &parts[i];
        s = stmt_get(c, STMT_TRAINING_PART_INSERT);
        stmt_text(s, 1, r->id);
        stmt_int(s, 2, p->idx);
        stmt_opt_text(s, 3, p->member_id);
        opt_blob(s, 4, &p->outside);
        stmt_text(s, 5, p->sex);
        opt_score(s, 6, p->pre);
        opt_score(s, 7, p->post);
        e = stmt_exec(s);
    }
    return e;
}

/* Inside a transaction (its own when none): the report cells it changes
 * are brought up to date by the commit (report.c). */
enum err store_training_insert(struct store_conn *c, const struct training_rec *r,
                               const char *const *topics, size_t ntopics,
                               const struct participant_rec *parts, size_t nparts)
{
    bool own;
    enum err e = rc_enter(c, &own);
    if (e == ERR_OK) {
        e = rc_mark(c, RC_TRAINING, r->id);
        for (size_t i = 0; e == ERR_OK && i < nparts; i++)
            if (parts[i].member_id[0] != '\0')
                e = rc_mark(c, RC_MEMBER, parts[i].member_id);
    }
    if (e == ERR_OK)
        e = training_insert_write(c, r, topics, ntopics, parts, nparts);
    return rc_leave(c, own, e);
}

static void training_read(struct stmt *s, void *p)
{
    struct training_rec *r = p;
    col_copy(s, TRAINING_ID, r->id, sizeof r->id);
    col_copy(s, TRAINING_ORGANIZATION_ID, r->organization_id, sizeof r->organization_id);
    col_copy(s, TRAINING_GROUP_ID, r->group_id, sizeof r->group_id);
    col_copy(s, TRAINING_DATE, r->date, sizeof r->date);
    col_copy(s, TRAINING_LOCATION_CODE, r->location_code, sizeof r->location_code);
    col_copy(s, TRAINING_AUDIENCE, r->audience, sizeof r->audience);
    col_copy(s, TRAINING_FACILITATOR_MEMBER_ID, r->facilitator_member_id,
             sizeof r->facilitator_member_id);
    col_copy(s, TRAINING_FACILITATOR_USER_ID, r->facilitator_user_id,
             sizeof r->facilitator_user_id);
    col_blob(s, TRAINING_FACILITATOR_OUTSIDE, &r->facilitator_outside);
    r->facilitator_trainer = stmt_col_int(s, TRAINING_FACILITATOR_TRAINER) != 0;
    col_copy(s, TRAINING_RECORDED_BY, r->recorded_by, sizeof r->recorded_by);
    col_copy(s, TRAINING_CREATED_AT, r->created_at, sizeof r->created_at);
    col_copy(s, TRAINING_UPDATED_AT, r->updated_at, sizeof r->updated_at);
    r->version = (int)stmt_col_int(s, TRAINING_VERSION);
    r->topics = col_dup(s, TRAINING_TOPICS);
    r->nparticipants = (int)stmt_col_int(s, TRAINING_NPARTICIPANTS);
}

static void training_free_one(void *p)
{
    training_rec_free(p);
}

enum err store_training_get(struct store_conn *c, const char *id, struct training_rec *out)
{
    struct stmt *s = stmt_get(c, STMT_TRAINING_GET);
    stmt_text(s, 1, id);
    /* Bound before out is cleared: the key may point into it. */
    memset(out, 0, sizeof *out);
    enum err e = stmt_one(s);
    if (e != ERR_OK)
        return e;
    training_read(s, out);
    stmt_done(s);
    return ERR_OK;
}

static void part_read(struct stmt *s, void *p)
{
    struct participant_rec *r = p;
    col_copy(s, PART_TRAINING_ID, r->training_id, sizeof r->training_id);
    r->idx = (int)stmt_col_int(s, PART_IDX);
    col_copy(s, PART_MEMBER_ID, r->member_id, sizeof r->member_id);
    col_blob(s, PART_OUTSIDE, &r->outside);
    col_copy(s, PART_SEX, r->sex, sizeof r->sex);
    r->pre = stmt_col_null(s, PART_PRE) ? -1 : (int)stmt_col_int(s, PART_PRE);
    r->post = stmt_col_null(s, PART_POST) ? -1 : (int)stmt_col_int(s, PART_POST);
}

static void part_free_one(void *p)
{
    participant_rec_free(p);
}

enum err store_training_participants(struct store_conn *c, const char *training_id,
                                     struct participant_rec **items, size_t *n)
{
    struct stmt *s = stmt_get(c, STMT_TRAINING_PARTS);
    stmt_text(s, 1, training_id);
    return stmt_rows(s, sizeof **items, part_read, part_free_one, (void **)items, n);
}

/* (?1 .. ?4) of TRAINING_WHERE. */
static void bind_bounds(struct stmt *s, const struct training_filter *f, bool dates)
{
    stmt_text(s, 1, f->organization_id);
    stmt_text(s, 2, f->group_id);
    if (dates) {
        stmt_text(s, 3, f->from);
        stmt_text(s, 4, f->to);
    }
}

enum err store_training_list(struct store_conn *c, const struct training_filter *f,
                             struct training_rec **items, size_t *n)
{
    *items = NULL;
    *n = 0;
    if (f->limit < 1 || f->limit > 501) {
        log_error("store: training list limit %d out of range", f->limit);
        return ERR_INTERNAL;
    }
    struct stmt *s = stmt_get(c, STMT_TRAINING_LIST);
    /* NULL does not bound; "" binds as itself and matches nothing. */
    bind_bounds(s, f, true);
    /* "~" sorts after every date, time stamp and id: the first page starts
     * above all. */
    stmt_text(s, 5, f->has_after ? f->after_date : "~");
    stmt_text(s, 6, f->has_after ? f->after_created_at : "~");
    stmt_text(s, 7, f->has_after ? f->after_id : "~");
    stmt_int(s, 8, f->limit);
    return stmt_rows(s, sizeof **items, training_read, training_free_one, (void **)items, n);
}

enum err store_training_of_member(struct store_conn *c, const char *member_id,
                                  struct training_rec **items, size_t *n)
{
    struct stmt *s = stmt_get(c, STMT_TRAINING_OF_MEMBER);
    stmt_text(s, 1, member_id);
    return stmt_rows(s, sizeof **items, training_read, training_free_one, (void **)items, n);
}

static void topic_read(struct stmt *s, void *p)
{
    struct topic_count *r = p;
    col_copy(s, 0, r->topic, sizeof r->topic);
    r->members = (int)stmt_col_int(s, 1);
}

static void nothing_to_free(void *p)
{
    (void)p;
}

enum err store_training_coverage(struct store_conn *c, const struct training_filter *f,
                                 int *members, struct topic_count **items, size_t *n)
{
    *members = 0;
    *items = NULL;
    *n = 0;
    struct stmt *s = stmt_get(c, STMT_TRAINING_COVERAGE_BASE);
    bind_bounds(s, f, false);
    enum err e = stmt_one(s);
    if (e != ERR_OK)
        return e;
    *members = (int)stmt_col_int(s, 0);
    stmt_done(s);
    s = stmt_get(c, STMT_TRAINING_COVERAGE);
    bind_bounds(s, f, false);
    return stmt_rows(s, sizeof **items, topic_read, nothing_to_free, (void **)items, n);
}

static void cascade_read(struct stmt *s, void *p)
{
    struct cascade_row *r = p;
    col_copy(s, 0, r->member_id, sizeof r->member_id);
    col_copy(s, 1, r->audience, sizeof r->audience);
    r->trainings = (int)stmt_col_int(s, 2);
    r->participants = (int)stmt_col_int(s, 3);
}

enum err store_training_cascade(struct store_conn *c, const struct training_filter *f,
                                struct cascade_row **items, size_t *n)
{
    struct stmt *s = stmt_get(c, STMT_TRAINING_CASCADE);
    bind_bounds(s, f, true);
    return stmt_rows(s, sizeof **items, cascade_read, nothing_to_free, (void **)items, n);
}

static void pair_read(struct stmt *s, void *p)
{
    struct cascade_pair *r = p;
    col_copy(s, 0, r->trainer_id, sizeof r->trainer_id);
    col_copy(s, 1, r->member_id, sizeof r->member_id);
}

enum err store_training_cascade_pairs(struct store_conn *c, const struct training_filter *f,
                                      struct cascade_pair **items, size_t *n)
{
    struct stmt *s = stmt_get(c, STMT_TRAINING_CASCADE_PAIRS);
    bind_bounds(s, f, true);
    return stmt_rows(s, sizeof **items, pair_read, nothing_to_free, (void **)items, n);
}
