/* Trainings (domain/trainings.h). */
#include "domain/trainings.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "audit/audit.h"
#include "domain/check.h"
#include "domain/collate.h"
#include "domain/cursor.h"
#include "domain/network.h"
#include "domain/outreach.h" /* outreach_latest_today */
#include "domain/place.h"
#include "domain/scope.h"
#include "domain/sealed.h"
#include "domain/users.h"
#include "util/alloc.h"
#include "util/codes.h"

#define FA "facilitator."
#define PA "participants."
#define SC "scores."

static const struct field facilitator_field_rows[] = {
    F_OF(struct facilitator_in, member_id, FA, FT_ID, false, "a member"),
    F_OF(struct facilitator_in, user_id, FA, FT_ID, false, "a user"),
    F_TEXT(struct facilitator_in, name, FA, false, 1, TRAINING_NAME_MAX_CHARS,
           "a name of 1 to 200 characters"),
    F_TEXT(struct facilitator_in, organization, FA, false, 1, TRAINING_NAME_MAX_CHARS,
           "an organization of 1 to 200 characters"),
};
static const struct fieldset facilitator_fields = FIELDSET(facilitator_field_rows);

static const struct field participants_field_rows[] = {
    F_OF(struct participant_in, member_id, PA, FT_ID, false, "a member"),
    F_TEXT(struct participant_in, name, PA, false, 1, TRAINING_NAME_MAX_CHARS,
           "a name of 1 to 200 characters"),
    F_TEXT(struct participant_in, organization, PA, false, 1, TRAINING_NAME_MAX_CHARS,
           "an organization of 1 to 200 characters"),
    F_CODE(struct participant_in, sex, PA, false, LIST_SEX, "a sex code"),
};
static const struct fieldset participants_fields = FIELDSET(participants_field_rows);

static const struct field scores_field_rows[] = {
    F_INT(struct score_in, participant_index, SC, true, 0, TRAINING_PARTICIPANTS_MAX - 1, -1,
          "required: the participant's place in participants, from 0"),
    F_INT(struct score_in, pre, SC, true, 0, TRAINING_SCORE_MAX, -1,
          "required: a whole number from 0 to 100"),
    F_INT(struct score_in, post, SC, true, 0, TRAINING_SCORE_MAX, -1,
          "required: a whole number from 0 to 100"),
};
static const struct fieldset scores_fields = FIELDSET(scores_field_rows);

static const struct field training_field_rows[] = {
    F_OF(struct training_in, date, "", FT_DATE, true,
         "required: a date YYYY-MM-DD from 2000, not in the future"),
    F_CODES(struct training_in, topics, "", "topic", true, 1, TRAINING_TOPICS_MAX, LIST_TOPIC,
            "one or more training topic codes, each once"),
    F_OF(struct training_in, location_code, "", FT_PLACE, true, "required: a commune or a village"),
    F_CODE(struct training_in, audience, "", true, LIST_AUDIENCE, "required: an audience code"),
    F_OF(struct training_in, group_id, "", FT_ID, false, "a group"),
    F_OBJECT(struct training_in, facilitator, "", true, has_facilitator,
             "required: member_id, user_id, or name and organization"),
    F_LIST(struct training_in, participants, "", 1, TRAINING_PARTICIPANTS_MAX,
           struct participant_in, "required: 1 to 500 participants"),
    F_LIST(struct training_in, scores, "", 0, TRAINING_PARTICIPANTS_MAX, struct score_in,
           "0 to 500 scores"),
};
const struct fieldset training_fields = FIELDSET(training_field_rows);

void training_in_init(struct training_in *in)
{
    memset(in, 0, sizeof *in);
    fields_init(&training_fields, in);
}

static void text_free(char *s)
{
    if (s != NULL)
        sodium_memzero(s, strlen(s));
    free(s);
}

static void part_view_free(struct participant_view *p)
{
    participant_rec_free(&p->rec);
    text_free(p->name);
    text_free(p->organization);
    free(p->name_km);
    free(p->name_latn);
    memset(p, 0, sizeof *p);
}

void training_view_free(struct training_view *v)
{
    if (v == NULL)
        return;
    training_rec_free(&v->rec);
    text_free(v->facilitator_name);
    text_free(v->facilitator_organization);
    free(v->facilitator_name_latn);
    for (size_t i = 0; i < v->nparts && v->parts != NULL; i++)
        part_view_free(&v->parts[i]);
    free(v->parts);
    memset(v, 0, sizeof *v);
}

void training_views_free(struct training_view *v, size_t n)
{
    for (size_t i = 0; i < n && v != NULL; i++)
        training_view_free(&v[i]);
    free(v);
}

/* ---- sealed names ---- */

static char *pair_json(const char *name, const char *organization)
{
    json_t *o = json_pack("{s:s, s:s}", "name", name, "organization", organization);
    char *s = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    return s;
}

static bool pair_open(const struct ctx *cx, enum sealed_field f, const char *ad_id,
                      const struct blob *b, char **name, char **organization)
{
    char *text = NULL;
    *name = *organization = NULL;
    if (!sealed_open(cx, f, ad_id, b, &text))
        return false;
    json_t *o = text != NULL ? json_loads(text, 0, NULL) : NULL;
    const char *s;
    if ((s = json_string_value(json_object_get(o, "name"))) != NULL)
        *name = xstrdup(s);
    if ((s = json_string_value(json_object_get(o, "organization"))) != NULL)
        *organization = xstrdup(s);
    json_decref(o);
    text_free(text);
    return true;
}

static char *part_ad_id(const char *training_id, int idx)
{
    return xasprintf("%s/%d", training_id, idx);
}

/* ---- reading ---- */

static void topics_fill(struct training_view *v)
{
    v->ntopics = 0;
    /* In the list's order, whatever order the store gave. */
    for (int k = 0; k < code_count(LIST_TOPIC) && v->ntopics < TRAINING_TOPICS_MAX; k++) {
        const char *code = code_name(LIST_TOPIC, k);
        const char *t = v->rec.topics;
        size_t len = strlen(code);
        while (t != NULL && *t != '\0') {
            const char *end = strchr(t, ',');
            size_t n = end != NULL ? (size_t)(end - t) : strlen(t);
            if (n == len && memcmp(t, code, len) == 0) {
                v->topics[v->ntopics++] = code;
                break;
            }
            t = end != NULL ? end + 1 : NULL;
        }
    }
}

static void member_names(const struct ctx *cx, const char *id, char **km, char **latn)
{
    struct member_rec m;
    *km = *latn = NULL;
    if (member_fetch(cx, id, &m) != ERR_OK)
        return;
    *km = m.name_km != NULL ? xstrdup(m.name_km) : NULL;
    *latn = m.name_latn != NULL ? xstrdup(m.name_latn) : NULL;
    member_rec_free(&m);
}

/* The view of v->rec (read already): topics, the facilitator's name, and
 * the participants when with_parts. */
static enum err view_fill(const struct ctx *cx, struct training_view *v, bool with_parts)
{
    const struct training_rec *r = &v->rec;
    topics_fill(v);
    v->cascade = r->facilitator_trainer && strcmp(r->audience, "representatives") == 0;
    if (r->facilitator_member_id[0] != '\0') {
        member_names(cx, r->facilitator_member_id, &v->facilitator_name, &v->facilitator_name_latn);
    } else if (r->facilitator_user_id[0] != '\0') {
        struct user_rec u;
        if (user_get_named(cx, r->facilitator_user_id, &u) == ERR_OK) {
            v->facilitator_name = xstrdup(
                u.display_name != NULL && u.display_name[0] != '\0' ? u.display_name : u.username);
            user_rec_free(&u);
        }
    } else if (!pair_open(cx, SEALED_TRAINING_FACILITATOR, r->id, &r->facilitator_outside,
                          &v->facilitator_name, &v->facilitator_organization)) {
        return ERR_INTERNAL;
    }
    if (!with_parts)
        return ERR_OK;
    struct participant_rec *parts = NULL;
    size_t n = 0;
    enum err e = store_training_participants(cx->db, r->id, &parts, &n);
    if (e != ERR_OK)
        return e;
    v->parts = n > 0 ? xcalloc(n, sizeof *v->parts) : NULL;
    for (size_t i = 0; i < n; i++) {
        struct participant_view *p = &v->parts[i];
        p->rec = parts[i];
        v->nparts++;
        if (p->rec.member_id[0] != '\0') {
            member_names(cx, p->rec.member_id, &p->name_km, &p->name_latn);
            continue;
        }
        char *ad = part_ad_id(r->id, p->rec.idx);
        bool ok = pair_open(cx, SEALED_TRAINING_PARTICIPANT, ad, &p->rec.outside, &p->name,
                            &p->organization);
        free(ad);
        if (!ok)
            e = ERR_INTERNAL;
    }
    free(parts); /* each element moved into a view */
    return e;
}

static bool reaches(const struct ctx *cx, enum action a, const struct training_rec *r)
{
    struct reach re = {.organization_id = r->organization_id, .group_id = r->group_id};
    return scope_reaches(cx, a, &re);
}

enum err training_get(const struct ctx *cx, const char *id, struct training_view *out)
{
    memset(out, 0, sizeof *out);
    if (!may(cx, ACT_TRAINING_READ))
        return ERR_FORBIDDEN;
    if (!check_id(id))
        return ERR_NOT_FOUND;
    enum err e = store_training_get(cx->db, id, &out->rec);
    if (e != ERR_OK)
        return e;
    if (!reaches(cx, ACT_TRAINING_READ, &out->rec)) {
        training_view_free(out);
        return ERR_NOT_FOUND;
    }
    if ((e = view_fill(cx, out, true)) != ERR_OK)
        training_view_free(out);
    return e;
}

/* ---- writing ---- */

/* Whether the caller's own member record has the trainer network role. */
static bool caller_is_trainer(const struct ctx *cx)
{
    if (cx->actor == NULL || cx->actor->user.member_id[0] == '\0')
        return false;
    struct member_rec m;
    if (member_fetch(cx, cx->actor->user.member_id, &m) != ERR_OK)
        return false;
    bool trainer = m.active && m.network_roles != NULL && strstr(m.network_roles, "\"trainer\"");
    member_rec_free(&m);
    return trainer;
}

enum err training_groups(const struct ctx *cx, bool *may_record, struct group_rec **items,
                         size_t *n)
{
    struct group_rec *all = NULL;
    size_t nall = 0, kept = 0;
    *items = NULL;
    *n = 0;
    *may_record = false;
    if (!may(cx, ACT_TRAINING_CREATE))
        return ERR_OK;
    bool trainer = caller_is_trainer(cx);
    if (scope_of(cx, ACT_TRAINING_CREATE) == SCOPE_TRAINER && !trainer)
        return ERR_OK;
    *may_record = true;
    enum err e = group_list(cx, &all, &nall);
    if (e == ERR_FORBIDDEN)
        return ERR_OK;
    if (e != ERR_OK)
        return e;
    for (size_t i = 0; i < nall; i++) {
        struct reach re = {
            .organization_id = all[i].organization_id, .group_id = all[i].id, .trainer = trainer};
        if (scope_reaches(cx, ACT_TRAINING_CREATE, &re))
            all[kept++] = all[i];
        else
            group_rec_free(&all[i]);
    }
    *items = all;
    *n = kept;
    return ERR_OK;
}

/* The table's rules, then those of the calendar and across fields. */
static enum err training_validate(const struct ctx *cx, const struct training_in *in,
                                  struct fielderrs *fe)
{
    enum err e = fields_check(cx, &training_fields, in, fe);
    if (in->date != NULL && clock_parse_date(in->date, NULL, NULL, NULL)) {
        char today[DATE_SIZE];
        outreach_latest_today(today);
        /* YYYY-MM-DD dates compare as strings. */
        if (strcmp(in->date, today) > 0)
            e = fielderr(fe, "date", "not in the future");
        else if (strcmp(in->date, TRAINING_EARLIEST_DATE) < 0)
            e = fielderr(fe, "date", "not before 2000");
    }
    const struct place *p = NULL;
    if (in->location_code != NULL && strlen(in->location_code) < CODE_SIZE && cx->places != NULL)
        p = places_get(cx->places, in->location_code);
    if (p != NULL && p->level != PLACE_VILLAGE && p->level != PLACE_COMMUNE)
        e = fielderr(fe, "location_code", "a commune or a village, not a district");
    if (in->has_facilitator) {
        const struct facilitator_in *f = &in->facilitator;
        int kinds = !check_absent(f->member_id) + !check_absent(f->user_id) +
                    (!check_absent(f->name) || !check_absent(f->organization));
        if (kinds != 1)
            e = fielderr(fe, "facilitator",
                         "exactly one of member_id, user_id, or name and organization");
        else if (check_absent(f->member_id) && check_absent(f->user_id) &&
                 (check_absent(f->name) || check_absent(f->organization)))
            e = fielderr(fe, "facilitator", "an outside trainer needs a name and an organization");
    }
    bool seen_index[TRAINING_PARTICIPANTS_MAX] = {false};
    for (int i = 0; i < in->nparticipants && i < TRAINING_PARTICIPANTS_MAX; i++) {
        const struct participant_in *q = &in->participants[i];
        bool member = !check_absent(q->member_id);
        bool outside = !check_absent(q->name) || !check_absent(q->organization);
        if (member == outside) {
            e = fielderr(fe, "participants",
                         "each one a member_id, or a name, organization and sex");
            break;
        }
        if (outside &&
            (check_absent(q->name) || check_absent(q->organization) || check_absent(q->sex))) {
            e = fielderr(fe, "participants",
                         "an outside person needs a name, organization and sex");
            break;
        }
        for (int j = 0; member && j < i; j++)
            if (!check_absent(in->participants[j].member_id) &&
                strcmp(in->participants[j].member_id, q->member_id) == 0) {
                e = fielderr(fe, "participants.member_id", "each member once");
                i = in->nparticipants;
                break;
            }
    }
    for (int i = 0; i < in->nscores && i < TRAINING_PARTICIPANTS_MAX; i++) {
        int k = in->scores[i].participant_index;
        if (k < 0 || k >= TRAINING_PARTICIPANTS_MAX)
            continue; /* the table's error */
        if (k >= in->nparticipants) {
            e = fielderr(fe, "scores.participant_index", "names no participant");
            break;
        }
        if (seen_index[k]) {
            e = fielderr(fe, "scores.participant_index", "each participant once");
            break;
        }
        seen_index[k] = true;
    }
    return e;
}

/* The group the training goes to: the one named, or a member's or
 * representative's own (staff may name none). ERR_NOT_FOUND when named
 * and out of reach. */
static enum err training_group(const struct ctx *cx, const struct training_in *in, bool trainer,
                               struct group_rec *g)
{
    memset(g, 0, sizeof *g);
    const char *id = in->group_id;
    struct bounds b;
    if (check_absent(id)) {
        if (!scope_bounds(cx, ACT_TRAINING_CREATE, &b) || b.group_id == NULL)
            return ERR_OK; /* none: the organization's own training */
        id = b.group_id;
    }
    if (!check_id(id))
        return ERR_NOT_FOUND;
    enum err e = store_group_get(cx->db, id, g);
    if (e != ERR_OK)
        return e;
    struct reach re = {
        .organization_id = g->organization_id, .group_id = g->id, .trainer = trainer};
    if (!scope_reaches(cx, ACT_TRAINING_CREATE, &re)) {
        group_rec_free(g);
        memset(g, 0, sizeof *g);
        return ERR_NOT_FOUND;
    }
    return ERR_OK;
}

/* A member of organization org, into *m: false when none. */
static bool org_member(const struct ctx *cx, const char *id, const char *org, struct member_rec *m)
{
    memset(m, 0, sizeof *m);
    if (!check_id(id) || member_fetch(cx, id, m) != ERR_OK)
        return false;
    struct group_rec g;
    bool got = store_group_get(cx->db, m->group_id, &g) == ERR_OK;
    bool ok = got && strcmp(g.organization_id, org) == 0;
    if (got)
        group_rec_free(&g);
    if (!ok) {
        member_rec_free(m);
        memset(m, 0, sizeof *m);
    }
    return ok;
}

static void parts_free(struct participant_rec *parts, size_t n)
{
    for (size_t i = 0; i < n; i++)
        participant_rec_free(&parts[i]);
    free(parts);
}

enum err training_create(const struct ctx *cx, const struct training_in *in,
                         struct training_view *out, struct fielderrs *fe)
{
    struct training_rec r = {0};
    struct group_rec g;
    memset(out, 0, sizeof *out);
    if (!may(cx, ACT_TRAINING_CREATE))
        return ERR_FORBIDDEN;
    bool trainer = caller_is_trainer(cx);
    /* A member without the trainer role records no training, whatever she
     * sent. */
    if (scope_of(cx, ACT_TRAINING_CREATE) == SCOPE_TRAINER && !trainer)
        return ERR_FORBIDDEN;
    enum err e = training_validate(cx, in, fe);
    /* A group she may not reach is not found, whatever else is wrong: the
     * answer never tells it exists. */
    enum err ge = ERR_OK;
    if (check_absent(in->group_id) || check_id(in->group_id))
        ge = training_group(cx, in, trainer, &g);
    else
        memset(&g, 0, sizeof g);
    if (ge != ERR_OK)
        return ge;
    if (e != ERR_OK) {
        group_rec_free(&g);
        return e;
    }
    const char *org = g.id[0] != '\0'     ? g.organization_id
                      : cx->actor != NULL ? cx->actor->user.organization_id
                                          : "";
    if (org[0] == '\0') {
        group_rec_free(&g);
        return fielderr(fe, "group_id", "required: a group (the training has no organization)");
    }
    snprintf(r.organization_id, sizeof r.organization_id, "%s", org);
    memcpy(r.group_id, g.id, sizeof r.group_id);
    group_rec_free(&g);

    /* The facilitator and the participants, each of the organization. */
    const struct facilitator_in *f = &in->facilitator;
    if (!check_absent(f->member_id)) {
        struct member_rec m;
        if (!org_member(cx, f->member_id, r.organization_id, &m))
            return fielderr(fe, "facilitator.member_id",
                            "no member of this organization has this id");
        snprintf(r.facilitator_member_id, sizeof r.facilitator_member_id, "%s", m.id);
        r.facilitator_trainer =
            m.active && m.network_roles != NULL && strstr(m.network_roles, "\"trainer\"") != NULL;
        member_rec_free(&m);
    } else if (!check_absent(f->user_id)) {
        struct user_rec u;
        bool ok = check_id(f->user_id) && user_get_named(cx, f->user_id, &u) == ERR_OK;
        if (ok) {
            ok = strcmp(u.organization_id, r.organization_id) == 0;
            user_rec_free(&u);
        }
        if (!ok)
            return fielderr(fe, "facilitator.user_id", "no user of this organization has this id");
        snprintf(r.facilitator_user_id, sizeof r.facilitator_user_id, "%s", f->user_id);
    }
    size_t nparts = (size_t)in->nparticipants;
    struct participant_rec *parts = xcalloc(nparts, sizeof *parts);
    crypto_random_id(r.id);
    for (size_t i = 0; i < nparts; i++) {
        const struct participant_in *q = &in->participants[i];
        struct participant_rec *p = &parts[i];
        p->idx = (int)i;
        p->pre = p->post = -1;
        if (!check_absent(q->member_id)) {
            struct member_rec m;
            if (!org_member(cx, q->member_id, r.organization_id, &m)) {
                parts_free(parts, nparts);
                return fielderr(fe, "participants.member_id",
                                "no member of this organization has this id");
            }
            snprintf(p->member_id, sizeof p->member_id, "%s", m.id);
            snprintf(p->sex, sizeof p->sex, "%s", m.sex);
            member_rec_free(&m);
        } else {
            snprintf(p->sex, sizeof p->sex, "%s", q->sex);
            char *text = pair_json(q->name, q->organization);
            char *ad = part_ad_id(r.id, p->idx);
            sealed_seal(cx, SEALED_TRAINING_PARTICIPANT, ad, text, &p->outside);
            free(ad);
            text_free(text);
        }
    }
    for (int i = 0; i < in->nscores; i++) {
        struct participant_rec *p = &parts[in->scores[i].participant_index];
        p->pre = in->scores[i].pre;
        p->post = in->scores[i].post;
    }
    if (r.facilitator_member_id[0] == '\0' && r.facilitator_user_id[0] == '\0') {
        char *text = pair_json(f->name, f->organization);
        sealed_seal(cx, SEALED_TRAINING_FACILITATOR, r.id, text, &r.facilitator_outside);
        text_free(text);
    }
    snprintf(r.date, sizeof r.date, "%s", in->date);
    snprintf(r.location_code, sizeof r.location_code, "%s", in->location_code);
    snprintf(r.audience, sizeof r.audience, "%s", in->audience);
    snprintf(r.recorded_by, sizeof r.recorded_by, "%s", check_user_id(cx));
    clock_stamp(r.created_at);
    memcpy(r.updated_at, r.created_at, TS_SIZE);
    r.version = 1;
    if ((e = store_begin(cx->db)) == ERR_OK) {
        e = store_training_insert(cx->db, &r, in->topics, (size_t)in->ntopics, parts, nparts);
        if (e == ERR_OK)
            e = audit_append(cx->db, check_user_id(cx), AUDIT_CREATE, "training", r.id, NULL);
        e = store_end(cx->db, e);
    }
    parts_free(parts, nparts);
    char id[ID_SIZE];
    memcpy(id, r.id, sizeof id);
    training_rec_free(&r);
    if (e != ERR_OK)
        return e;
    e = store_training_get(cx->db, id, &out->rec);
    if (e == ERR_OK)
        e = view_fill(cx, out, true);
    if (e != ERR_OK)
        training_view_free(out);
    return e;
}

/* ---- lists ---- */

static bool date_or_absent(const char *s)
{
    return s == NULL || clock_parse_date(s, NULL, NULL, NULL);
}

/* The bounds of a list or a figure under a, narrowed to group when given
 * (ERR_NOT_FOUND when she may not reach it). false in *any: she reaches
 * nothing. */
static enum err list_bounds(const struct ctx *cx, enum action a, const char *group,
                            struct training_filter *f, bool *any)
{
    struct bounds b;
    *any = false;
    if (group != NULL) {
        struct group_rec g;
        if (!check_id(group))
            return ERR_NOT_FOUND;
        enum err e = store_group_get(cx->db, group, &g);
        if (e != ERR_OK)
            return e;
        struct reach re = {.organization_id = g.organization_id, .group_id = g.id};
        bool ok = scope_reaches(cx, a, &re);
        group_rec_free(&g);
        if (!ok)
            return ERR_NOT_FOUND;
    }
    if (!scope_bounds(cx, a, &b))
        return ERR_OK; /* a member without a group */
    f->organization_id = b.organization_id;
    f->group_id = group != NULL ? group : b.group_id;
    *any = true;
    return ERR_OK;
}

enum err training_list(const struct ctx *cx, const struct training_query *q,
                       struct training_view **items, size_t *n, char next_cursor[CURSOR_SIZE],
                       struct fielderrs *fe)
{
    struct training_filter f;
    enum err e = ERR_OK;
    memset(&f, 0, sizeof f);
    *items = NULL;
    *n = 0;
    next_cursor[0] = '\0';
    if (!may(cx, ACT_TRAINING_READ))
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
    if (q->cursor != NULL)
        f.has_after = cursor_dated_decode(q->cursor, f.after_date, f.after_created_at, f.after_id);
    if (q->cursor != NULL && !f.has_after)
        e = fielderr(fe, "cursor", "not a cursor of this list");
    if (e != ERR_OK)
        return e;
    bool any;
    if ((e = list_bounds(cx, ACT_TRAINING_READ, group, &f, &any)) != ERR_OK || !any)
        return e;
    f.from = from;
    f.to = to;
    f.limit = limit + 1;
    struct training_rec *recs = NULL;
    size_t nrecs = 0;
    if ((e = store_training_list(cx->db, &f, &recs, &nrecs)) != ERR_OK)
        return e;
    if (nrecs > (size_t)limit) {
        const struct training_rec *last = &recs[limit - 1];
        cursor_dated_encode(last->date, last->created_at, last->id, next_cursor);
        for (size_t i = (size_t)limit; i < nrecs; i++)
            training_rec_free(&recs[i]);
        nrecs = (size_t)limit;
    }
    struct training_view *v = nrecs > 0 ? xcalloc(nrecs, sizeof *v) : NULL;
    for (size_t i = 0; i < nrecs; i++) {
        v[i].rec = recs[i];
        if (e == ERR_OK)
            e = view_fill(cx, &v[i], false);
    }
    free(recs);
    if (e != ERR_OK) {
        training_views_free(v, nrecs);
        next_cursor[0] = '\0';
        return e;
    }
    *items = v;
    *n = nrecs;
    return ERR_OK;
}

/* ---- what a member was trained on ---- */

void member_training_free(struct member_training *m)
{
    if (m == NULL)
        return;
    training_views_free(m->trainings, m->ntrainings);
    memset(m, 0, sizeof *m);
}

enum err training_of_member(const struct ctx *cx, const char *member_id,
                            struct member_training *out)
{
    memset(out, 0, sizeof *out);
    struct member_view mv;
    enum err e = member_get(cx, member_id, ACT_MEMBER_READ, &mv);
    if (e != ERR_OK)
        return e;
    member_view_free(&mv);
    struct training_rec *recs = NULL;
    size_t n = 0;
    if ((e = store_training_of_member(cx->db, member_id, &recs, &n)) != ERR_OK)
        return e;
    out->trainings = n > 0 ? xcalloc(n, sizeof *out->trainings) : NULL;
    bool topic[TRAINING_TOPICS_MAX] = {false};
    for (size_t i = 0; i < n; i++) {
        out->trainings[i].rec = recs[i];
        out->ntrainings++;
        if (e == ERR_OK)
            e = view_fill(cx, &out->trainings[i], false);
        for (size_t k = 0; k < out->trainings[i].ntopics; k++) {
            int c = code_parse(LIST_TOPIC, out->trainings[i].topics[k]);
            if (c >= 0 && c < TRAINING_TOPICS_MAX)
                topic[c] = true;
        }
    }
    free(recs);
    for (int c = 0; c < TRAINING_TOPICS_MAX && c < code_count(LIST_TOPIC); c++)
        if (topic[c])
            out->topics[out->ntopics++] = code_name(LIST_TOPIC, c);
    if (e != ERR_OK)
        member_training_free(out);
    return e;
}

/* ---- the figures ---- */

enum err training_coverage(const struct ctx *cx, const char *group_id,
                           struct training_coverage *out)
{
    struct training_filter f;
    memset(out, 0, sizeof *out);
    memset(&f, 0, sizeof f);
    if (!may(cx, ACT_TRAINING_FIGURES))
        return ERR_FORBIDDEN;
    bool any;
    enum err e =
        list_bounds(cx, ACT_TRAINING_FIGURES, check_absent(group_id) ? NULL : group_id, &f, &any);
    if (e != ERR_OK)
        return e;
    struct topic_count *counts = NULL;
    size_t n = 0;
    if (any && (e = store_training_coverage(cx->db, &f, &out->members, &counts, &n)) != ERR_OK)
        return e;
    for (int c = 0; c < code_count(LIST_TOPIC) && out->ntopics < TRAINING_TOPICS_MAX; c++) {
        struct topic_coverage *t = &out->topics[out->ntopics++];
        t->topic = code_name(LIST_TOPIC, c);
        for (size_t i = 0; i < n; i++)
            if (strcmp(counts[i].topic, t->topic) == 0)
                t->members = counts[i].members;
        t->pct = out->members > 0 ? t->members * 100 / out->members : 0;
    }
    free(counts);
    return ERR_OK;
}

void training_cascade_free(struct training_cascade *c)
{
    if (c == NULL)
        return;
    for (size_t i = 0; i < c->ntrainers && c->trainers != NULL; i++) {
        free(c->trainers[i].name_km);
        free(c->trainers[i].name_latn);
        free(c->trainers[i].trained);
    }
    free(c->trainers);
    memset(c, 0, sizeof *c);
}

static struct cascade_trainer *trainer_of(struct training_cascade *c, const char *id)
{
    for (size_t i = 0; i < c->ntrainers; i++)
        if (strcmp(c->trainers[i].member_id, id) == 0)
            return &c->trainers[i];
    return NULL;
}

enum err training_cascade(const struct ctx *cx, const char *group_id, const char *from,
                          const char *to, struct training_cascade *out, struct fielderrs *fe)
{
    struct training_filter f;
    enum err e = ERR_OK;
    memset(out, 0, sizeof *out);
    memset(&f, 0, sizeof f);
    if (!may(cx, ACT_TRAINING_FIGURES))
        return ERR_FORBIDDEN;
    from = check_absent(from) ? NULL : from;
    to = check_absent(to) ? NULL : to;
    if (!date_or_absent(from))
        e = fielderr(fe, "from", "a date YYYY-MM-DD");
    if (!date_or_absent(to))
        e = fielderr(fe, "to", "a date YYYY-MM-DD");
    else if (from != NULL && to != NULL && date_or_absent(from) && strcmp(from, to) > 0)
        e = fielderr(fe, "to", "not before from");
    if (e != ERR_OK)
        return e;
    bool any;
    e = list_bounds(cx, ACT_TRAINING_FIGURES, check_absent(group_id) ? NULL : group_id, &f, &any);
    if (e != ERR_OK || !any)
        return e;
    f.from = from;
    f.to = to;
    struct cascade_row *rows = NULL;
    size_t nrows = 0;
    if ((e = store_training_cascade(cx->db, &f, &rows, &nrows)) != ERR_OK)
        return e;
    out->trainers = nrows > 0 ? xcalloc(nrows, sizeof *out->trainers) : NULL;
    for (size_t i = 0; i < nrows; i++) {
        struct cascade_trainer *t = trainer_of(out, rows[i].member_id);
        if (t == NULL) {
            t = &out->trainers[out->ntrainers++];
            memcpy(t->member_id, rows[i].member_id, sizeof t->member_id);
            member_names(cx, t->member_id, &t->name_km, &t->name_latn);
        }
        int a = code_parse(LIST_AUDIENCE, rows[i].audience);
        if (a >= 0 && a < CASCADE_AUDIENCES) {
            t->by_audience_trainings[a] += rows[i].trainings;
            t->by_audience_participants[a] += rows[i].participants;
        }
        t->trainings += rows[i].trainings;
        t->participants += rows[i].participants;
        out->trainings += rows[i].trainings;
        out->participants += rows[i].participants;
        if (strcmp(rows[i].audience, "representatives") == 0) {
            out->cascade_trainings += rows[i].trainings;
            out->cascade_participants += rows[i].participants;
        }
    }
    free(rows);
    struct cascade_pair *pairs = NULL;
    size_t npairs = 0;
    if ((e = store_training_cascade_pairs(cx->db, &f, &pairs, &npairs)) != ERR_OK) {
        training_cascade_free(out);
        return e;
    }
    for (size_t i = 0; i < npairs; i++) {
        struct cascade_trainer *t = trainer_of(out, pairs[i].trainer_id);
        if (t == NULL)
            continue;
        t->trained = xrealloc(t->trained, (t->ntrained + 1) * sizeof *t->trained);
        memcpy(t->trained[t->ntrained++], pairs[i].member_id, ID_SIZE);
    }
    free(pairs);
    /* By name in the caller's language. */
    if (out->ntrainers > 1) {
        struct collate_name *names = xcalloc(out->ntrainers, sizeof *names);
        size_t *order = xcalloc(out->ntrainers, sizeof *order);
        for (size_t i = 0; i < out->ntrainers; i++) {
            names[i].km = out->trainers[i].name_km;
            names[i].latn = out->trainers[i].name_latn;
        }
        collate_order(cx->lang, names, out->ntrainers, order);
        struct cascade_trainer *sorted = xcalloc(out->ntrainers, sizeof *sorted);
        for (size_t i = 0; i < out->ntrainers; i++)
            sorted[i] = out->trainers[order[i]];
        free(out->trainers);
        out->trainers = sorted;
        free(names);
        free(order);
    }
    return ERR_OK;
}
