/* /api/v1/trainings: trainings given, with attendance and scores; what a
 * member was trained on; the coverage and cascade figures. */
#include <stdlib.h>

#include "api/handlers.h"
#include "api/json_io.h"
#include "domain/trainings.h"
#include "util/codes.h"

static json_t *json_topics(const char *const *topics, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_string(topics[i]));
    return a;
}

static json_t *json_facilitator(const struct training_view *v)
{
    const struct training_rec *r = &v->rec;
    json_t *o;
    if (r->facilitator_member_id[0] != '\0')
        o = json_pack("{s:s}", "member_id", r->facilitator_member_id);
    else if (r->facilitator_user_id[0] != '\0')
        o = json_pack("{s:s}", "user_id", r->facilitator_user_id);
    else
        o = json_pack("{s:o, s:o}", "name", json_str_or_null(v->facilitator_name), "organization",
                      json_str_or_null(v->facilitator_organization));
    json_object_set_new(o, "trainer", json_boolean(r->facilitator_trainer));
    return o;
}

/* The training; with its participants and scores when it has them read. */
static json_t *json_training(const struct training_view *v, bool full)
{
    const struct training_rec *r = &v->rec;
    json_t *o = json_pack("{s:s, s:s, s:o, s:s, s:s, s:o, s:o, s:b, s:i, s:o, s:s, s:i}", "id",
                          r->id, "date", r->date, "topics", json_topics(v->topics, v->ntopics),
                          "location_code", r->location_code, "audience", r->audience, "group_id",
                          json_str_or_null(r->group_id), "facilitator", json_facilitator(v),
                          "cascade", v->cascade, "participant_count", r->nparticipants,
                          "recorded_by", json_str_or_null(r->recorded_by), "created_at",
                          r->created_at, "version", r->version);
    if (!full)
        return o;
    json_t *parts = json_array(), *scores = json_array();
    for (size_t i = 0; i < v->nparts; i++) {
        const struct participant_view *p = &v->parts[i];
        json_t *q;
        if (p->rec.member_id[0] != '\0')
            q = json_pack("{s:s, s:s}", "member_id", p->rec.member_id, "sex", p->rec.sex);
        else
            q = json_pack("{s:o, s:o, s:s}", "name", json_str_or_null(p->name), "organization",
                          json_str_or_null(p->organization), "sex", p->rec.sex);
        json_array_append_new(parts, q);
        if (p->rec.pre >= 0)
            json_array_append_new(scores,
                                  json_pack("{s:i, s:i, s:i}", "participant_index", p->rec.idx,
                                            "pre", p->rec.pre, "post", p->rec.post));
    }
    json_object_set_new(o, "participants", parts);
    json_object_set_new(o, "scores", scores);
    return o;
}

void api_training_create(struct req *r, struct resp *w)
{
    struct ctx cx;
    struct fielderrs fe = {0};
    struct training_view v = {0};
    json_t *body;
    if (!api_ctx(r, w, &cx) || (body = api_body(r, w)) == NULL)
        return;
    struct training_in *in = malloc(sizeof *in);
    if (in == NULL) {
        json_decref(body);
        api_error(w, ERR_INTERNAL, NULL);
        return;
    }
    training_in_init(in);
    jin_fields(body, &training_fields, in, &fe);
    enum err e = fe.n > 0 ? ERR_VALIDATION : training_create(&cx, in, &v, &fe);
    if (e == ERR_OK)
        resp_json(w, 201, json_training(&v, true));
    else
        api_error(w, e, &fe);
    training_view_free(&v);
    free(in);
    json_decref(body);
}

void api_training_get(struct req *r, struct resp *w)
{
    struct ctx cx;
    struct training_view v = {0};
    if (!api_ctx(r, w, &cx))
        return;
    enum err e = training_get(&cx, r->params[0], &v);
    if (e == ERR_OK)
        resp_json(w, 200, json_training(&v, true));
    else
        api_error(w, e, NULL);
    training_view_free(&v);
}

void api_training_list(struct req *r, struct resp *w)
{
    struct ctx cx;
    struct fielderrs fe = {0};
    struct training_view *items = NULL;
    size_t n = 0;
    char next[CURSOR_SIZE] = "";
    if (!api_ctx(r, w, &cx))
        return;
    struct training_query q = {
        .group_id = req_query(r, "group_id"),
        .from = req_query(r, "from"),
        .to = req_query(r, "to"),
        .cursor = req_query(r, "cursor"),
        .limit = query_limit(r, 500, &fe),
    };
    enum err e = fe.n > 0 ? ERR_VALIDATION : training_list(&cx, &q, &items, &n, next, &fe);
    if (e != ERR_OK) {
        api_error(w, e, &fe);
        return;
    }
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_training(&items[i], false));
    training_views_free(items, n);
    resp_json(w, 200, json_list(a, next[0] != '\0' ? next : NULL));
}

void api_member_trainings(struct req *r, struct resp *w)
{
    struct ctx cx;
    struct member_training m;
    if (!api_ctx(r, w, &cx))
        return;
    enum err e = training_of_member(&cx, r->params[0], &m);
    if (e != ERR_OK) {
        api_error(w, e, NULL);
        return;
    }
    json_t *a = json_array();
    for (size_t i = 0; i < m.ntrainings; i++)
        json_array_append_new(a, json_training(&m.trainings[i], false));
    resp_json(w, 200,
              json_pack("{s:s, s:o, s:o}", "member_id", r->params[0], "topics",
                        json_topics(m.topics, m.ntopics), "trainings", a));
    member_training_free(&m);
}

void api_training_coverage(struct req *r, struct resp *w)
{
    struct ctx cx;
    struct training_coverage c;
    if (!api_ctx(r, w, &cx))
        return;
    const char *group = req_query(r, "group_id");
    enum err e = training_coverage(&cx, group, &c);
    if (e != ERR_OK) {
        api_error(w, e, NULL);
        return;
    }
    json_t *a = json_array();
    for (size_t i = 0; i < c.ntopics; i++)
        json_array_append_new(a, json_pack("{s:s, s:i, s:i}", "topic", c.topics[i].topic, "members",
                                           c.topics[i].members, "pct", c.topics[i].pct));
    resp_json(w, 200,
              json_pack("{s:o, s:i, s:o}", "group_id", json_str_or_null(group), "members",
                        c.members, "topics", a));
}

static json_t *json_by_audience(const int *trainings, const int *participants)
{
    json_t *o = json_object();
    for (int k = 0; k < CASCADE_AUDIENCES && k < code_count(LIST_AUDIENCE); k++)
        if (trainings[k] > 0)
            json_object_set_new(o, code_name(LIST_AUDIENCE, k),
                                json_pack("{s:i, s:i}", "trainings", trainings[k], "participants",
                                          participants[k]));
    return o;
}

void api_training_cascade(struct req *r, struct resp *w)
{
    struct ctx cx;
    struct fielderrs fe = {0};
    struct training_cascade c;
    if (!api_ctx(r, w, &cx))
        return;
    const char *group = req_query(r, "group_id");
    enum err e = training_cascade(&cx, group, req_query(r, "from"), req_query(r, "to"), &c, &fe);
    if (e != ERR_OK) {
        api_error(w, e, &fe);
        return;
    }
    json_t *a = json_array();
    for (size_t i = 0; i < c.ntrainers; i++) {
        const struct cascade_trainer *t = &c.trainers[i];
        json_t *trained = json_array();
        for (size_t k = 0; k < t->ntrained; k++)
            json_array_append_new(trained, json_string(t->trained[k]));
        json_array_append_new(
            a,
            json_pack("{s:s, s:o, s:o, s:i, s:i, s:o, s:o}", "member_id", t->member_id, "name_km",
                      json_str_or_null(t->name_km), "name_latn", json_str_or_null(t->name_latn),
                      "trainings", t->trainings, "participants", t->participants, "by_audience",
                      json_by_audience(t->by_audience_trainings, t->by_audience_participants),
                      "trained_members", trained));
    }
    resp_json(w, 200,
              json_pack("{s:o, s:i, s:i, s:i, s:i}", "trainers", a, "trainings", c.trainings,
                        "participants", c.participants, "cascade_trainings", c.cascade_trainings,
                        "cascade_participants", c.cascade_participants));
    training_cascade_free(&c);
}
