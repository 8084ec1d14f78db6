/* Outreach sessions (domain/outreach.h). */
#include "domain/outreach.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <sodium.h>

#include "audit/audit.h"
#include "domain/check.h"
#include "domain/cursor.h"
#include "domain/network.h"
#include "domain/place.h"
#include "domain/scope.h"
#include "util/alloc.h"
#include "util/codes.h"

/* The last time zone to start a day (as domain/incidents.c): a date that
 * is today anywhere on Earth is not in the future. */
#define LATEST_UTC_OFFSET (14 * 3600)

#define AT "attendance."

static const struct field attendance_field_rows[] = {
    F_INT(struct attendance_in, female, AT, true, 0, OUTREACH_ATTENDANCE_MAX, -1,
          "required: a whole number from 0 to 10000"),
    F_INT(struct attendance_in, male, AT, true, 0, OUTREACH_ATTENDANCE_MAX, -1,
          "required: a whole number from 0 to 10000"),
    F_INT(struct attendance_in, under_18, AT, true, 0, OUTREACH_ATTENDANCE_MAX, -1,
          "required: a whole number from 0 to 10000, at most female + male"),
};
static const struct fieldset attendance_fields = FIELDSET(attendance_field_rows);

static const struct field outreach_field_rows[] = {
    F_OF(struct outreach_in, date, "", FT_DATE, true,
         "required: a date YYYY-MM-DD from 2000, not in the future"),
    F_OF(struct outreach_in, location_code, "", FT_PLACE, true, "required: a village"),
    F_OF(struct outreach_in, group_id, "", FT_ID, true, "required: a group"),
    F_CODES(struct outreach_in, topics, "", "topic", true, 1, OUTREACH_TOPICS_MAX, LIST_TOPIC,
            "one or more training topic codes, each once"),
    F_OBJECT(struct outreach_in, attendance, "", true, has_attendance,
             "required: female, male and under_18"),
};
const struct fieldset outreach_fields = FIELDSET(outreach_field_rows);

void outreach_in_init(struct outreach_in *in)
{
    memset(in, 0, sizeof *in);
    fields_init(&outreach_fields, in);
}

void outreach_latest_today(char out[DATE_SIZE])
{
    time_t t = (time_t)(clock_now() + LATEST_UTC_OFFSET);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, DATE_SIZE, "%Y-%m-%d", &tm);
}

/* The table's rules, then those across fields and of the calendar. */
static enum err outreach_validate(const struct ctx *cx, const struct outreach_in *in,
                                  struct fielderrs *fe)
{
    enum err e = fields_check(cx, &outreach_fields, in, fe);
    if (in->date != NULL && clock_parse_date(in->date, NULL, NULL, NULL)) {
        char today[DATE_SIZE];
        outreach_latest_today(today);
        /* YYYY-MM-DD dates compare as strings. */
        if (strcmp(in->date, today) > 0)
            e = fielderr(fe, "date", "not in the future");
        else if (strcmp(in->date, OUTREACH_EARLIEST_DATE) < 0)
            e = fielderr(fe, "date", "not before 2000");
    }
    const struct place *p = NULL;
    if (in->location_code != NULL && strlen(in->location_code) < CODE_SIZE && cx->places != NULL)
        p = places_get(cx->places, in->location_code);
    if (p != NULL && p->level != PLACE_VILLAGE)
        e = fielderr(fe, "location_code", "a village, not a commune or a district");
    const struct attendance_in *a = &in->attendance;
    if (in->has_attendance && a->female >= 0 && a->male >= 0 && a->under_18 >= 0 &&
        a->female <= OUTREACH_ATTENDANCE_MAX && a->male <= OUTREACH_ATTENDANCE_MAX &&
        a->under_18 <= OUTREACH_ATTENDANCE_MAX && a->under_18 > a->female + a->male)
        e = fielderr(fe, "attendance.under_18",
                     "at most female + male: under-18s are counted in female or male too");
    return e;
}

/* The group id if the caller reaches it under a: ERR_NOT_FOUND when
 * absent or out of reach. */
static enum err group_reach(const struct ctx *cx, enum action a, const char *id,
                            struct group_rec *out)
{
    memset(out, 0, sizeof *out);
    if (!check_id(id))
        return ERR_NOT_FOUND;
    enum err e = store_group_get(cx->db, id, out);
    if (e != ERR_OK)
        return e;
    struct reach re = {.organization_id = out->organization_id, .group_id = out->id};
    if (!scope_reaches(cx, a, &re)) {
        group_rec_free(out);
        memset(out, 0, sizeof *out);
        return ERR_NOT_FOUND;
    }
    return ERR_OK;
}

static char *topics_json(const struct outreach_in *in)
{
    json_t *a = json_array();
    for (int i = 0; i < in->ntopics && i < OUTREACH_TOPICS_MAX; i++)
        json_array_append_new(a, json_string(in->topics[i]));
    char *s = json_dumps(a, JSON_COMPACT);
    json_decref(a);
    return s;
}

enum err outreach_create(const struct ctx *cx, const struct outreach_in *in,
                         struct outreach_rec *out, struct fielderrs *fe)
{
    struct outreach_rec r = {0};
    struct group_rec g;
    memset(out, 0, sizeof *out);
    if (!may(cx, ACT_OUTREACH_CREATE))
        return ERR_FORBIDDEN;
    enum err e = outreach_validate(cx, in, fe);
    /* A group she may not reach is not found, whatever else is wrong: the
     * answer never tells it exists. */
    if (check_id(in->group_id)) {
        enum err ge = group_reach(cx, ACT_OUTREACH_CREATE, in->group_id, &g);
        group_rec_free(&g);
        if (ge != ERR_OK)
            return ge;
    }
    if (e != ERR_OK)
        return e;

    crypto_random_id(r.id);
    memcpy(r.group_id, in->group_id, strlen(in->group_id) + 1); /* check_id: < ID_SIZE */
    snprintf(r.date, sizeof r.date, "%s", in->date);
    snprintf(r.location_code, sizeof r.location_code, "%s", in->location_code);
    r.topics = topics_json(in);
    r.female = in->attendance.female;
    r.male = in->attendance.male;
    r.under_18 = in->attendance.under_18;
    snprintf(r.recorded_by, sizeof r.recorded_by, "%s", check_user_id(cx));
    clock_stamp(r.created_at);
    memcpy(r.updated_at, r.created_at, TS_SIZE);
    r.version = 1;
    if ((e = store_begin(cx->db)) != ERR_OK) {
        outreach_rec_free(&r);
        return e;
    }
    e = store_outreach_insert(cx->db, &r);
    if (e == ERR_OK)
        e = audit_append(cx->db, check_user_id(cx), AUDIT_CREATE, "outreach_session", r.id, NULL);
    if ((e = store_end(cx->db, e)) != ERR_OK) {
        outreach_rec_free(&r);
        return e;
    }
    /* The stored row, with its group's organization. */
    e = store_outreach_get(cx->db, r.id, out);
    outreach_rec_free(&r);
    return e;
}

/* ---- lists ---- */

static void cursor_encode(const struct outreach_rec *last, char out[CURSOR_SIZE])
{
    cursor_dated_encode(last->date, last->created_at, last->id, out);
}

static bool cursor_decode(const char *cur, struct outreach_filter *f)
{
    f->has_after = cursor_dated_decode(cur, f->after_date, f->after_created_at, f->after_id);
    return f->has_after;
}

static bool date_or_absent(const char *s)
{
    return s == NULL || clock_parse_date(s, NULL, NULL, NULL);
}

enum err outreach_list(const struct ctx *cx, const struct outreach_query *q,
                       struct outreach_rec **items, size_t *n, char next_cursor[CURSOR_SIZE],
                       struct fielderrs *fe)
{
    struct outreach_filter f;
    struct bounds b;
    enum err e = ERR_OK;
    memset(&f, 0, sizeof f);
    *items = NULL;
    *n = 0;
    next_cursor[0] = '\0';
    if (!may(cx, ACT_OUTREACH_READ))
        return ERR_FORBIDDEN;
    const char *group = check_absent(q->group_id) ? NULL : q->group_id;
    const char *from = check_absent(q->from) ? NULL : q->from;
    const char *to = check_absent(q->to) ? NULL : q->to;
    int limit = q->limit == 0 ? 50 : q->limit;
    if (limit < 1 || limit > 500)
        e = fielderr(fe, "limit", "1 to 500");
    if (!date_or_absent(from))
        e = fielderr(fe, "from", "a date YYYY-MM-DD");
    if (!date_or_absent(to))
        e = fielderr(fe, "to", "a date YYYY-MM-DD");
    else if (from != NULL && to != NULL && date_or_absent(from) && strcmp(from, to) > 0)
        e = fielderr(fe, "to", "not before from");
    if (q->cursor != NULL && !cursor_decode(q->cursor, &f))
        e = fielderr(fe, "cursor", "not a cursor of this list");
    if (e != ERR_OK)
        return e;
    if (group != NULL) {
        struct group_rec g;
        if ((e = group_reach(cx, ACT_OUTREACH_READ, group, &g)) != ERR_OK)
            return e;
        group_rec_free(&g);
    }
    if (!scope_bounds(cx, ACT_OUTREACH_READ, &b))
        return ERR_OK; /* she reaches none: a member without a group */
    f.organization_id = b.organization_id;
    f.group_id = group != NULL ? group : b.group_id;
    f.from = from;
    f.to = to;
    f.limit = limit + 1;
    struct outreach_rec *recs = NULL;
    size_t nrecs = 0;
    if ((e = store_outreach_list(cx->db, &f, &recs, &nrecs)) != ERR_OK)
        return e;
    if (nrecs > (size_t)limit) {
        cursor_encode(&recs[limit - 1], next_cursor);
        for (size_t i = (size_t)limit; i < nrecs; i++)
            outreach_rec_free(&recs[i]);
        nrecs = (size_t)limit;
    }
    *items = recs;
    *n = nrecs;
    return ERR_OK;
}

enum err outreach_groups(const struct ctx *cx, struct group_rec **items, size_t *n)
{
    struct group_rec *all = NULL;
    size_t nall = 0, kept = 0;
    *items = NULL;
    *n = 0;
    if (!may(cx, ACT_OUTREACH_CREATE))
        return ERR_OK;
    enum err e = group_list(cx, &all, &nall);
    if (e == ERR_FORBIDDEN)
        return ERR_OK;
    if (e != ERR_OK)
        return e;
    for (size_t i = 0; i < nall; i++) {
        struct reach re = {.organization_id = all[i].organization_id, .group_id = all[i].id};
        if (scope_reaches(cx, ACT_OUTREACH_CREATE, &re))
            all[kept++] = all[i];
        else
            group_rec_free(&all[i]);
    }
    *items = all;
    *n = kept;
    return ERR_OK;
}
