/* Outreach sessions: GET /outreach shows the form to record one (for who
 * may) and the caller's recent sessions; POST /outreach sends the form and
 * comes back to GET /outreach?saved=1 (post-redirect-get).
 *
 * Made for a member on a cheap phone: the date is today (Cambodia), her
 * group is chosen for her, the village is one list of her group's villages
 * (the commune's villages for a group on a commune; its commune's, its own
 * first chosen, for a group on a village), topics are boxes to tick and the
 * attendance three number boxes. Staff with several groups pick the group
 * first ("show its villages" posts the form back, as the place lists do;
 * with JavaScript, choosing presses that button). Where a group has no
 * villages in the gazetteer the stepped place choice is offered instead. */
#include "web/page.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "app.h"
#include "domain/network.h"
#include "domain/outreach.h"
#include "domain/place.h"
#include "domain/scope.h"
#include "util/alloc.h"

#define RECENT_SESSIONS 20

/* What the form holds, borrowed from the request (or defaults). */
struct outreach_form {
    const char *date;
    const char *group_id;
    const char *village;
    struct place_pick place; /* when the group has no villages */
    const char *topics[OUTREACH_TOPICS_MAX + 1];
    int ntopics;
    const char *female, *male, *under_18;
    char today[DATE_SIZE];
};

static const struct field_msg field_msg_rows[] = {
    {"date", "date", MSG_ERR_OUTREACH_DATE},
    {"group_id", "group", MSG_ERR_OUTREACH_GROUP},
    {"location_code", "village", MSG_ERR_OUTREACH_VILLAGE},
    {"topics", "topics", MSG_ERR_OUTREACH_TOPICS},
    {"attendance", "female", MSG_ERR_OUTREACH_COUNT},
    {"attendance.female", "female", MSG_ERR_OUTREACH_COUNT},
    {"attendance.male", "male", MSG_ERR_OUTREACH_COUNT},
    {"attendance.under_18", "under_18", MSG_ERR_OUTREACH_UNDER_18},
};
static const struct field_msgs field_msgs = FIELD_MSGS(field_msg_rows);

/* The villages of group g (see the top comment), in the request's
 * language's order; *items: free(). 0 when it has none. */
static size_t group_villages(const struct req *r, const struct group_rec *g,
                             const struct place ***items)
{
    const struct places *all = r->app != NULL ? r->app->places : NULL;
    const struct place *p = all != NULL && g != NULL ? places_get(all, g->location_code) : NULL;
    *items = NULL;
    if (p == NULL)
        return 0;
    const char *commune = p->level == PLACE_VILLAGE ? p->parent : p->code;
    if (p->level != PLACE_VILLAGE && p->level != PLACE_COMMUNE)
        return 0;
    return places_children(all, commune, r->lang, items);
}

static bool has_topic(const struct outreach_form *f, const char *code)
{
    for (int i = 0; i < f->ntopics; i++)
        if (strcmp(f->topics[i], code) == 0)
            return true;
    return false;
}

static void label_for(struct req *r, struct buf *b, const char *for_id, enum msg text)
{
    h_open(b, "label", "for", for_id, H_END);
    h_text(b, tr(r, text));
    h_raw(b, "</label>");
}

static void group_choice(struct req *r, struct buf *b, const struct outreach_form *f,
                         const struct group_rec *groups, size_t ngroups, const struct fielderrs *fe)
{
    const struct group_rec *g = group_find(groups, ngroups, f->group_id);
    if (ngroups == 1) {
        /* Her own group: shown, not asked. */
        h_raw(b, "<p class=\"group\" id=\"group\"><span class=\"label\">");
        h_text(b, tr(r, MSG_OUTREACH_GROUP));
        h_raw(b, ":</span> <strong>");
        h_text(b, groups[0].name);
        h_raw(b, "</strong></p>");
        h_hidden(b, "group_id", groups[0].id);
        return;
    }
    label_for(r, b, "group", MSG_OUTREACH_GROUP);
    h_field_error(r, b, &field_msgs, fe, "group");
    h_open_begin(b, "select");
    h_attr(b, "id", "group");
    h_attr(b, "name", "group_id");
    h_attr(b, "data-step", "");
    h_invalid_if(b, &field_msgs, fe, "group");
    h_open_end(b);
    h_raw(b, "<option value=\"\">");
    h_text(b, tr(r, MSG_CHOOSE));
    h_raw(b, "</option>");
    for (size_t i = 0; i < ngroups; i++) {
        h_open_begin(b, "option");
        h_attr(b, "value", groups[i].id);
        h_flag(b, "selected", g == &groups[i]);
        h_open_end(b);
        h_text(b, groups[i].name);
        h_close(b, "option");
    }
    h_raw(b, "</select><button type=\"submit\" name=\"step\" value=\"group\" id=\"group-next\" "
             "class=\"step secondary\" formnovalidate>");
    h_text(b, tr(r, MSG_OUTREACH_SHOW_VILLAGES));
    h_raw(b, "</button>");
}

static void village_choice(struct req *r, struct buf *b, const struct outreach_form *f,
                           const struct group_rec *g, const struct fielderrs *fe)
{
    const struct place **villages = NULL;
    size_t n = group_villages(r, g, &villages);
    int m = form_error(&field_msgs, fe, "village");
    if (g != NULL && n == 0) {
        place_pick_fieldset(r, b, &f->place, "place.", "village", MSG_VILLAGE,
                            m >= 0 ? tr(r, (enum msg)m) : NULL);
        return;
    }
    label_for(r, b, "village", MSG_VILLAGE);
    h_field_error(r, b, &field_msgs, fe, "village");
    h_open_begin(b, "select");
    h_attr(b, "id", "village");
    h_attr(b, "name", "location_code");
    h_flag(b, "required", true);
    h_invalid_if(b, &field_msgs, fe, "village");
    h_open_end(b);
    /* A group on a village has its village chosen to begin with. */
    const char *chosen = f->village;
    if (chosen == NULL && g != NULL && r->app != NULL) {
        const struct place *p = places_get(r->app->places, g->location_code);
        if (p != NULL && p->level == PLACE_VILLAGE)
            chosen = p->code;
    }
    h_raw(b, "<option value=\"\">");
    h_text(b, tr(r, MSG_CHOOSE));
    h_raw(b, "</option>");
    for (size_t i = 0; i < n; i++) {
        h_open_begin(b, "option");
        h_attr(b, "value", villages[i]->code);
        h_flag(b, "selected", chosen != NULL && strcmp(chosen, villages[i]->code) == 0);
        h_open_end(b);
        h_text(b, place_label(r, villages[i]));
        h_close(b, "option");
    }
    h_raw(b, "</select>");
    free(villages);
}

static void topics_fieldset(struct req *r, struct buf *b, const struct outreach_form *f,
                            const struct fielderrs *fe)
{
    h_raw(b, "<fieldset id=\"topics\"><legend>");
    h_text(b, tr(r, MSG_OUTREACH_TOPICS));
    h_raw(b, "</legend>");
    h_field_error(r, b, &field_msgs, fe, "topics");
    for (int i = 0; i < code_count(LIST_TOPIC); i++) {
        const char *code = code_name(LIST_TOPIC, i);
        char id[64];
        snprintf(id, sizeof id, "topic-%s", code);
        h_raw(b, "<label class=\"check\"><input type=\"checkbox\" name=\"topic\"");
        h_attr(b, "id", id);
        h_attr(b, "value", code);
        h_flag(b, "checked", has_topic(f, code));
        h_raw(b, "> ");
        h_text(b, code_label(r, LIST_TOPIC, code));
        h_raw(b, "</label>");
    }
    h_raw(b, "</fieldset>");
}

static void count_input(struct req *r, struct buf *b, const struct fielderrs *fe, const char *id,
                        enum msg label, const char *value, const char *hint)
{
    char name[32], hint_id[40];
    snprintf(name, sizeof name, "attendance.%s", id);
    snprintf(hint_id, sizeof hint_id, "%s-hint", id);
    label_for(r, b, id, label);
    if (hint != NULL)
        h_para(b, "hint", hint_id, NULL, hint);
    h_field_error(r, b, &field_msgs, fe, id);
    h_open_begin(b, "input");
    h_attr(b, "id", id);
    h_attr(b, "name", name);
    h_attr(b, "type", "number");
    h_attr(b, "inputmode", "numeric");
    h_attr(b, "min", "0");
    h_attr(b, "max", "10000");
    h_attr(b, "step", "1");
    h_attr(b, "class", "count");
    h_attr(b, "value", value);
    if (hint != NULL)
        h_attr(b, "aria-describedby", hint_id);
    h_flag(b, "required", true);
    h_invalid_if(b, &field_msgs, fe, id);
    h_open_end(b);
}

static void outreach_form_html(struct req *r, struct resp *w, const struct outreach_form *f,
                               const struct group_rec *groups, size_t ngroups,
                               const struct fielderrs *fe)
{
    struct buf *b = &w->body;
    const struct group_rec *g =
        ngroups == 1 ? &groups[0] : group_find(groups, ngroups, f->group_id);
    h_raw(b, "<h2 id=\"new\">");
    h_text(b, tr(r, MSG_OUTREACH_NEW));
    h_raw(b, "</h2>");
    if (form_resumed(r))
        form_resumed_notice(r, b);
    if (fe != NULL && fe->n > 0)
        h_error_summary(r, b, &field_msgs, fe);
    h_raw(b, "<form method=\"post\" autocomplete=\"off\" action=\"/outreach\" id=\"outreach-form\" "
             "class=\"stack\">");
    page_csrf(r, w);
    page_idempotency_key(r, w);
    group_choice(r, b, f, groups, ngroups, fe);
    label_for(r, b, "date", MSG_OUTREACH_DATE);
    h_field_error(r, b, &field_msgs, fe, "date");
    h_open_begin(b, "input");
    h_attr(b, "id", "date");
    h_attr(b, "name", "date");
    h_attr(b, "type", "date");
    h_attr(b, "min", OUTREACH_EARLIEST_DATE);
    h_attr(b, "max", f->today);
    h_attr(b, "value", f->date);
    h_flag(b, "required", true);
    h_invalid_if(b, &field_msgs, fe, "date");
    h_open_end(b);
    if (g != NULL)
        village_choice(r, b, f, g, fe);
    topics_fieldset(r, b, f, fe);
    h_raw(b, "<fieldset id=\"attendance\"><legend>");
    h_text(b, tr(r, MSG_OUTREACH_ATTENDANCE));
    h_raw(b, "</legend>");
    count_input(r, b, fe, "female", MSG_OUTREACH_FEMALE, f->female, NULL);
    count_input(r, b, fe, "male", MSG_OUTREACH_MALE, f->male, NULL);
    count_input(r, b, fe, "under_18", MSG_OUTREACH_UNDER_18, f->under_18,
                tr(r, MSG_OUTREACH_UNDER_18_HINT));
    h_raw(b,
          "</fieldset><button type=\"submit\" name=\"send\" value=\"1\" id=\"submit-outreach\">");
    h_text(b, tr(r, MSG_OUTREACH_BUTTON));
    h_raw(b, "</button></form>");
}

/* The labels of a JSON array text of topic codes. */
static void topic_labels(struct req *r, struct buf *b, const char *text)
{
    json_t *a = text != NULL ? json_loads(text, 0, NULL) : NULL;
    size_t i, n = 0;
    json_t *c;
    json_array_foreach(a, i, c)
    {
        const char *code = json_string_value(c);
        if (code == NULL)
            continue;
        if (n++ > 0)
            h_raw(b, ", ");
        h_open(b, "span", "class", "topic", "data-code", code, H_END);
        h_text(b, code_label(r, LIST_TOPIC, code));
        h_close(b, "span");
    }
    json_decref(a);
}

static void count_part(struct req *r, struct buf *b, const char *cls, enum msg label, int v)
{
    h_open(b, "span", "class", cls, H_END);
    h_text(b, tr(r, label));
    h_raw(b, ": ");
    h_int(b, v);
    h_raw(b, "</span>");
}

static void session_item(struct req *r, struct buf *b, const struct outreach_rec *s,
                         const struct group_rec *names, size_t nnames, bool show_group)
{
    char id[ID_SIZE + 12];
    snprintf(id, sizeof id, "session-%s", s->id);
    h_open(b, "li", "id", id, "class", "record session", H_END);
    h_raw(b, "<h3><time>");
    h_text(b, s->date);
    h_raw(b, "</time> · <span class=\"village\">");
    const struct place *p = r->app != NULL ? places_get(r->app->places, s->location_code) : NULL;
    h_text(b, p != NULL ? place_label(r, p) : s->location_code);
    h_raw(b, "</span></h3>");
    const struct group_rec *g = group_find(names, nnames, s->group_id);
    if (show_group && g != NULL) {
        h_raw(b, "<p class=\"group\">");
        h_text(b, g->name);
        h_raw(b, "</p>");
    }
    h_raw(b, "<p class=\"topics\">");
    topic_labels(r, b, s->topics);
    h_raw(b, "</p><p class=\"attendance\">");
    count_part(r, b, "female", MSG_OUTREACH_FEMALE, s->female);
    h_raw(b, " · ");
    count_part(r, b, "male", MSG_OUTREACH_MALE, s->male);
    h_raw(b, " · ");
    count_part(r, b, "under-18", MSG_OUTREACH_UNDER_18, s->under_18);
    h_raw(b, "</p></li>");
}

static void recent_list(struct req *r, struct buf *b, const struct ctx *cx)
{
    struct outreach_rec *items = NULL;
    struct group_rec *names = NULL;
    size_t n = 0, nnames = 0;
    char next[CURSOR_SIZE];
    struct fielderrs fe = {0};
    struct outreach_query q = {.limit = RECENT_SESSIONS};
    h_raw(b, "<h2 id=\"recent\">");
    h_text(b, tr(r, MSG_OUTREACH_RECENT));
    h_raw(b, "</h2>");
    if (outreach_list(cx, &q, &items, &n, next, &fe) != ERR_OK)
        n = 0;
    if (group_list(cx, &names, &nnames) != ERR_OK) {
        names = NULL;
        nnames = 0;
    }
    if (n == 0)
        h_para(b, "empty", "sessions-empty", NULL, tr(r, MSG_OUTREACH_EMPTY));
    h_raw(b, "<ol class=\"records\" id=\"session-list\">");
    for (size_t i = 0; i < n; i++)
        session_item(r, b, &items[i], names, nnames, nnames != 1);
    h_raw(b, "</ol>");
    outreach_list_free(items, n);
    group_list_free(names, nnames);
}

/* The whole page: the notice, the form (for who may record), the list. */
static void outreach_page(struct req *r, struct resp *w, const struct outreach_form *f,
                          const struct fielderrs *fe)
{
    struct ctx cx = page_ctx(r);
    struct buf *b = &w->body;
    struct group_rec *groups = NULL;
    size_t ngroups = 0;
    if (outreach_groups(&cx, &groups, &ngroups) != ERR_OK) {
        page_fail(r, w, ERR_INTERNAL);
        return;
    }
    page_begin(r, w, tr(r, MSG_OUTREACH_TITLE), "/outreach");
    h_raw(b, "<h1>");
    h_text(b, tr(r, MSG_OUTREACH_TITLE));
    h_raw(b, "</h1>");
    const char *saved = req_query(r, "saved");
    if (fe == NULL && saved != NULL && strcmp(saved, "1") == 0)
        page_notice(b, "saved-notice", tr(r, MSG_OUTREACH_SAVED));
    if (ngroups > 0)
        outreach_form_html(r, w, f, groups, ngroups, fe);
    recent_list(r, b, &cx);
    page_end(r, w);
    group_list_free(groups, ngroups);
}

void web_outreach(struct req *r, struct resp *w)
{
    struct outreach_form f;
    struct ctx cx = page_ctx(r);
    memset(&f, 0, sizeof f);
    if (!may(&cx, ACT_OUTREACH_READ)) {
        page_fail(r, w, ERR_FORBIDDEN);
        return;
    }
    clock_today_cambodia(f.today);
    f.date = f.today;
    outreach_page(r, w, &f, NULL);
}

/* The form as typed: its values borrowed from the request. */
static void form_typed(struct req *r, struct outreach_form *f, struct outreach_in *in,
                       struct fielderrs *fe)
{
    outreach_in_init(in);
    form_fields(r, &outreach_fields, in, fe);
    clock_today_cambodia(f->today);
    f->date = in->date;
    f->group_id = in->group_id;
    f->village = in->location_code;
    place_pick_from_form(r, "place.", &f->place);
    f->ntopics = in->ntopics > OUTREACH_TOPICS_MAX ? OUTREACH_TOPICS_MAX : in->ntopics;
    for (int i = 0; i < f->ntopics; i++)
        f->topics[i] = in->topics[i];
    f->female = req_form(r, "attendance.female");
    f->male = req_form(r, "attendance.male");
    f->under_18 = req_form(r, "attendance.under_18");
}

void web_outreach_create(struct req *r, struct resp *w)
{
    struct outreach_form f;
    struct fielderrs fe;
    struct outreach_in in;
    struct outreach_rec out = {0};
    struct ctx cx = page_ctx(r);

    memset(&f, 0, sizeof f);
    memset(&fe, 0, sizeof fe);
    if (!may(&cx, ACT_OUTREACH_CREATE)) {
        page_fail(r, w, ERR_FORBIDDEN);
        return;
    }
    form_typed(r, &f, &in, &fe);
    if (req_form(r, "step") != NULL && req_form(r, "send") == NULL) {
        /* The villages of the group chosen, or the next list of places:
         * nothing is sent yet. */
        outreach_page(r, w, &f, NULL);
        return;
    }
    if (in.location_code == NULL)
        in.location_code = place_pick_chosen(&f.place);
    enum err e = fe.n > 0 ? ERR_VALIDATION : outreach_create(&cx, &in, &out, &fe);
    switch (e) {
    case ERR_OK:
        resp_redirect(w, "/outreach?saved=1");
        break;
    case ERR_VALIDATION:
        w->status = 422;
        outreach_page(r, w, &f, &fe);
        break;
    default:
        page_fail(r, w, e);
        break;
    }
    outreach_rec_free(&out);
}

/* After a sign-in that followed an expired session: the form as typed. */
void web_outreach_create_resume(struct req *r, struct resp *w)
{
    struct outreach_form f;
    struct fielderrs fe = {0};
    struct outreach_in in;
    struct ctx cx = page_ctx(r);

    memset(&f, 0, sizeof f);
    if (!may(&cx, ACT_OUTREACH_CREATE)) {
        page_fail(r, w, ERR_FORBIDDEN);
        return;
    }
    form_typed(r, &f, &in, &fe);
    outreach_page(r, w, &f, NULL);
}
