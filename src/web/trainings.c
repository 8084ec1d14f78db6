/* Trainings on the pages (issue 8 items 2 and 8).
 *
 * GET /trainings shows the form to record one (for who may: a
 * representative, a member with the trainer role, caseworkers and
 * supervisors) and the recent trainings; POST /trainings sends the form
 * and comes back to GET /trainings?saved=1 (post-redirect-get). GET
 * /trainings/{id} shows one with who attended and their scores; GET
 * /trainings/figures the coverage by topic and the cascade (who trained
 * whom), for who may read them.
 *
 * The form, on a phone: the date is today (Cambodia); her group is chosen
 * for her; the place is the group's to begin with (the stepped place
 * choice changes it); who gave it is "I gave it", a member of the group,
 * or an outside trainer; who attended is the group's members to tick (for
 * those who may read the member list) and rows for other people (name,
 * organization, sex), with a score before and after on every row. "More
 * rows" posts the form back with five more. The page keeps only the rows
 * filled in and renumbers their scores, so the domain sees what the API
 * would be sent. */
#include "web/page.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "domain/network.h"
#include "domain/place.h"
#include "domain/scope.h"
#include "domain/trainings.h"
#include "util/alloc.h"

#define RECENT_TRAININGS 20
#define OUTSIDE_ROWS     5
#define OUTSIDE_ROWS_MAX 100
#define MEMBER_ROWS_MAX  200 /* a group's members shown to tick */
#define PLACE_PREFIX     "place."

static const struct field_msg field_msg_rows[] = {
    {"date", "date", MSG_ERR_TRAINING_DATE},
    {"group_id", "group", MSG_ERR_TRAINING_GROUP},
    {"location_code", "place", MSG_ERR_TRAINING_PLACE},
    {"audience", "audience", MSG_ERR_TRAINING_AUDIENCE},
    {"topics", "topics", MSG_ERR_TRAINING_TOPICS},
    {"facilitator", "facilitator", MSG_ERR_TRAINING_FACILITATOR},
    {"participants", "participants", MSG_ERR_TRAINING_PARTICIPANTS},
    {"scores", "participants", MSG_ERR_TRAINING_SCORES},
};
static const struct field_msgs field_msgs = FIELD_MSGS(field_msg_rows);

/* What the form shows: borrowed from the request, or defaults. */
struct training_form {
    char today[DATE_SIZE];
    const char *date, *group_id, *audience, *fac_kind;
    struct place_pick place;
    int rows; /* outside rows shown */
    bool typed;
};

static bool typed_is(const struct req *r, const char *name, const char *value)
{
    const char *v = req_form(r, name);
    return v != NULL && strcmp(v, value) == 0;
}

static void select_codes(struct req *r, struct buf *b, const char *id, const char *name,
                         enum code_list list, const char *chosen, bool required)
{
    h_open_begin(b, "select");
    h_attr(b, "id", id);
    h_attr(b, "name", name);
    h_flag(b, "required", required);
    h_open_end(b);
    h_raw(b, "<option value=\"\">");
    h_text(b, tr(r, MSG_CHOOSE));
    h_raw(b, "</option>");
    for (int i = 0; i < code_count(list); i++) {
        const char *code = code_name(list, i);
        h_open_begin(b, "option");
        h_attr(b, "value", code);
        h_flag(b, "selected", chosen != NULL && strcmp(chosen, code) == 0);
        h_open_end(b);
        h_text(b, code_label(r, list, code));
        h_close(b, "option");
    }
    h_raw(b, "</select>");
}

static void score_inputs(struct req *r, struct buf *b, int k)
{
    char name[48], id[48];
    static const struct {
        const char *part;
        enum msg label;
    } parts[] = {{"pre", MSG_TRAINING_PRE}, {"post", MSG_TRAINING_POST}};
    snprintf(name, sizeof name, "scores.%d.participant_index", k);
    char idx[16];
    snprintf(idx, sizeof idx, "%d", k);
    h_hidden(b, name, idx);
    h_raw(b, "<span class=\"scores\">");
    for (size_t i = 0; i < 2; i++) {
        snprintf(name, sizeof name, "scores.%d.%s", k, parts[i].part);
        snprintf(id, sizeof id, "score-%d-%s", k, parts[i].part);
        h_open(b, "label", "for", id, "class", "score", H_END);
        h_text(b, tr(r, parts[i].label));
        h_raw(b, " ");
        h_open_begin(b, "input");
        h_attr(b, "id", id);
        h_attr(b, "name", name);
        h_attr(b, "type", "number");
        h_attr(b, "inputmode", "numeric");
        h_attr(b, "min", "0");
        h_attr(b, "max", "100");
        h_attr(b, "class", "count");
        h_attr(b, "value", req_form(r, name));
        h_open_end(b);
        h_raw(b, "</label>");
    }
    h_raw(b, "</span>");
}

/* The group's members to tick, rows 0 .. n-1; returns n. */
static int member_rows(struct req *r, struct buf *b, const struct ctx *cx, const char *group_id)
{
    struct member_view *m = NULL;
    size_t n = 0;
    if (group_id == NULL || member_list(cx, group_id, &m, &n) != ERR_OK || n == 0)
        return 0;
    h_raw(b, "<fieldset id=\"member-rows\"><legend>");
    h_text(b, tr(r, MSG_TRAINING_MEMBERS_ATTENDED));
    h_raw(b, "</legend>");
    int k = 0;
    for (size_t i = 0; i < n && k < MEMBER_ROWS_MAX; i++) {
        if (!m[i].rec.active)
            continue;
        char name[48], id[48];
        snprintf(name, sizeof name, "participants.%d.member_id", k);
        snprintf(id, sizeof id, "member-%s", m[i].rec.id);
        h_raw(b, "<div class=\"row\"><label class=\"check\"><input type=\"checkbox\"");
        h_attr(b, "id", id);
        h_attr(b, "name", name);
        h_attr(b, "value", m[i].rec.id);
        h_flag(b, "checked", typed_is(r, name, m[i].rec.id));
        h_raw(b, "> ");
        const char *label = r->lang == LANG_KM && m[i].rec.name_km != NULL ? m[i].rec.name_km
                            : m[i].rec.name_latn != NULL                   ? m[i].rec.name_latn
                                                                           : m[i].rec.name_km;
        h_text(b, label != NULL ? label : "");
        h_raw(b, "</label>");
        score_inputs(r, b, k);
        h_raw(b, "</div>");
        k++;
    }
    h_raw(b, "</fieldset>");
    member_views_free(m, n);
    return k;
}

static void text_input(struct req *r, struct buf *b, const char *id, const char *name,
                       enum msg label)
{
    h_open(b, "label", "for", id, H_END);
    h_text(b, tr(r, label));
    h_raw(b, "</label>");
    h_open_begin(b, "input");
    h_attr(b, "id", id);
    h_attr(b, "name", name);
    h_attr(b, "type", "text");
    h_attr(b, "maxlength", "200");
    h_attr(b, "autocomplete", "off");
    h_attr(b, "value", req_form(r, name));
    h_open_end(b);
}

static void outside_rows(struct req *r, struct buf *b, int first, int rows)
{
    h_raw(b, "<fieldset id=\"outside-rows\"><legend>");
    h_text(b, tr(r, MSG_TRAINING_OUTSIDE_PEOPLE));
    h_raw(b, "</legend>");
    for (int j = 0; j < rows; j++) {
        int k = first + j;
        char name[48], id[48];
        h_raw(b, "<div class=\"row outside\">");
        snprintf(name, sizeof name, "participants.%d.name", k);
        snprintf(id, sizeof id, "outside-%d-name", j);
        text_input(r, b, id, name, MSG_TRAINING_NAME);
        snprintf(name, sizeof name, "participants.%d.organization", k);
        snprintf(id, sizeof id, "outside-%d-organization", j);
        text_input(r, b, id, name, MSG_TRAINING_ORGANIZATION);
        snprintf(name, sizeof name, "participants.%d.sex", k);
        snprintf(id, sizeof id, "outside-%d-sex", j);
        h_open(b, "label", "for", id, H_END);
        h_text(b, tr(r, MSG_SEX));
        h_raw(b, "</label>");
        select_codes(r, b, id, name, LIST_SEX, req_form(r, name), false);
        score_inputs(r, b, k);
        h_raw(b, "</div>");
    }
    char n[16];
    snprintf(n, sizeof n, "%d", rows);
    h_hidden(b, "rows", n);
    h_raw(b, "<button type=\"submit\" name=\"step\" value=\"rows\" id=\"more-rows\" "
             "class=\"step secondary\" formnovalidate>");
    h_text(b, tr(r, MSG_TRAINING_MORE_ROWS));
    h_raw(b, "</button></fieldset>");
}

static void facilitator_fieldset(struct req *r, struct buf *b, const struct ctx *cx,
                                 const struct training_form *f, const char *group_id,
                                 const struct fielderrs *fe)
{
    h_raw(b, "<fieldset id=\"facilitator\"><legend>");
    h_text(b, tr(r, MSG_TRAINING_FACILITATOR));
    h_raw(b, "</legend>");
    h_field_error(r, b, &field_msgs, fe, "facilitator");
    const char *kind = f->fac_kind != NULL ? f->fac_kind : "me";
    static const struct {
        const char *value;
        enum msg label;
    } kinds[] = {{"me", MSG_TRAINING_FAC_ME},
                 {"member", MSG_TRAINING_FAC_MEMBER},
                 {"outside", MSG_TRAINING_FAC_OUTSIDE}};
    struct member_view *m = NULL;
    size_t n = 0;
    bool members = group_id != NULL && member_list(cx, group_id, &m, &n) == ERR_OK && n > 0;
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        if (i == 1 && !members)
            continue;
        char id[32];
        snprintf(id, sizeof id, "fac-%s", kinds[i].value);
        h_raw(b, "<label class=\"check\"><input type=\"radio\" name=\"fac_kind\"");
        h_attr(b, "id", id);
        h_attr(b, "value", kinds[i].value);
        h_flag(b, "checked", strcmp(kind, kinds[i].value) == 0);
        h_raw(b, "> ");
        h_text(b, tr(r, kinds[i].label));
        h_raw(b, "</label>");
        if (i == 1) {
            h_open_begin(b, "select");
            h_attr(b, "id", "fac-member-id");
            h_attr(b, "name", "facilitator.member_id");
            h_attr(b, "aria-label", tr(r, MSG_TRAINING_FAC_MEMBER));
            h_open_end(b);
            h_raw(b, "<option value=\"\">");
            h_text(b, tr(r, MSG_CHOOSE));
            h_raw(b, "</option>");
            for (size_t k = 0; k < n; k++) {
                if (!m[k].rec.active)
                    continue;
                h_open_begin(b, "option");
                h_attr(b, "value", m[k].rec.id);
                h_flag(b, "selected", typed_is(r, "facilitator.member_id", m[k].rec.id));
                h_open_end(b);
                const char *label = r->lang == LANG_KM && m[k].rec.name_km != NULL
                                        ? m[k].rec.name_km
                                    : m[k].rec.name_latn != NULL ? m[k].rec.name_latn
                                                                 : m[k].rec.name_km;
                h_text(b, label != NULL ? label : "");
                h_close(b, "option");
            }
            h_raw(b, "</select>");
        }
    }
    member_views_free(m, n);
    text_input(r, b, "fac-name", "facilitator.name", MSG_TRAINING_NAME);
    text_input(r, b, "fac-organization", "facilitator.organization", MSG_TRAINING_ORGANIZATION);
    h_raw(b, "</fieldset>");
}

static void group_choice(struct req *r, struct buf *b, const struct training_form *f,
                         const struct group_rec *groups, size_t ngroups, bool staff,
                         const struct fielderrs *fe)
{
    if (ngroups == 1 && !staff) {
        h_raw(b, "<p class=\"group\" id=\"group\"><span class=\"label\">");
        h_text(b, tr(r, MSG_OUTREACH_GROUP));
        h_raw(b, ":</span> <strong>");
        h_text(b, groups[0].name);
        h_raw(b, "</strong></p>");
        h_hidden(b, "group_id", groups[0].id);
        return;
    }
    h_open(b, "label", "for", "group", H_END);
    h_text(b, tr(r, MSG_OUTREACH_GROUP));
    h_raw(b, "</label>");
    h_field_error(r, b, &field_msgs, fe, "group");
    h_open_begin(b, "select");
    h_attr(b, "id", "group");
    h_attr(b, "name", "group_id");
    h_attr(b, "data-step", "");
    h_invalid_if(b, &field_msgs, fe, "group");
    h_open_end(b);
    h_raw(b, "<option value=\"\">");
    h_text(b, tr(r, MSG_TRAINING_NO_GROUP));
    h_raw(b, "</option>");
    for (size_t i = 0; i < ngroups; i++) {
        h_open_begin(b, "option");
        h_attr(b, "value", groups[i].id);
        h_flag(b, "selected", f->group_id != NULL && strcmp(f->group_id, groups[i].id) == 0);
        h_open_end(b);
        h_text(b, groups[i].name);
        h_close(b, "option");
    }
    h_raw(b, "</select><button type=\"submit\" name=\"step\" value=\"group\" id=\"group-next\" "
             "class=\"step secondary\" formnovalidate>");
    h_text(b, tr(r, MSG_OUTREACH_SHOW_VILLAGES));
    h_raw(b, "</button>");
}

static void training_form_html(struct req *r, struct resp *w, const struct ctx *cx,
                               struct training_form *f, const struct group_rec *groups,
                               size_t ngroups, const struct fielderrs *fe)
{
    struct buf *b = &w->body;
    bool staff = scope_of(cx, ACT_TRAINING_CREATE) == SCOPE_ORG;
    const struct group_rec *g =
        ngroups == 1 && !staff ? &groups[0] : group_find(groups, ngroups, f->group_id);
    h_raw(b, "<h2 id=\"new\">");
    h_text(b, tr(r, MSG_TRAINING_NEW));
    h_raw(b, "</h2>");
    if (fe != NULL && fe->n > 0)
        h_error_summary(r, b, &field_msgs, fe);
    h_open(b, "form", "method", "post", "action", "/trainings", "id", "training-form", "class",
           "stack", H_END);
    page_csrf(r, w);
    page_idempotency_key(r, w);
    group_choice(r, b, f, groups, ngroups, staff, fe);
    h_open(b, "label", "for", "date", H_END);
    h_text(b, tr(r, MSG_TRAINING_DATE));
    h_raw(b, "</label>");
    h_field_error(r, b, &field_msgs, fe, "date");
    h_open_begin(b, "input");
    h_attr(b, "id", "date");
    h_attr(b, "name", "date");
    h_attr(b, "type", "date");
    h_attr(b, "min", TRAINING_EARLIEST_DATE);
    h_attr(b, "max", f->today);
    h_attr(b, "value", f->date);
    h_flag(b, "required", true);
    h_invalid_if(b, &field_msgs, fe, "date");
    h_open_end(b);
    if (!f->typed && g != NULL)
        place_pick_set(r, &f->place, g->location_code);
    int m = form_error(&field_msgs, fe, "place");
    place_pick_fieldset(r, b, &f->place, PLACE_PREFIX, "place", MSG_TRAINING_PLACE,
                        m >= 0 ? tr(r, (enum msg)m) : NULL);
    h_open(b, "label", "for", "audience", H_END);
    h_text(b, tr(r, MSG_TRAINING_AUDIENCE));
    h_raw(b, "</label>");
    h_field_error(r, b, &field_msgs, fe, "audience");
    select_codes(r, b, "audience", "audience", LIST_AUDIENCE, f->audience, true);
    h_raw(b, "<fieldset id=\"topics\"><legend>");
    h_text(b, tr(r, MSG_TRAINING_TOPICS));
    h_raw(b, "</legend>");
    h_field_error(r, b, &field_msgs, fe, "topics");
    for (int i = 0; i < code_count(LIST_TOPIC); i++) {
        const char *code = code_name(LIST_TOPIC, i);
        char id[64];
        snprintf(id, sizeof id, "topic-%s", code);
        h_raw(b, "<label class=\"check\"><input type=\"checkbox\" name=\"topic\"");
        h_attr(b, "id", id);
        h_attr(b, "value", code);
        const char *ticked[TRAINING_TOPICS_MAX + 1];
        int nt = req_form_all(r, "topic", ticked, TRAINING_TOPICS_MAX + 1);
        bool on = false;
        for (int k = 0; k < nt; k++)
            on = on || strcmp(ticked[k], code) == 0;
        h_flag(b, "checked", on);
        h_raw(b, "> ");
        h_text(b, code_label(r, LIST_TOPIC, code));
        h_raw(b, "</label>");
    }
    h_raw(b, "</fieldset>");
    facilitator_fieldset(r, b, cx, f, g != NULL ? g->id : NULL, fe);
    h_raw(b, "<div id=\"participants\">");
    h_raw(b, "<h3>");
    h_text(b, tr(r, MSG_TRAINING_PARTICIPANTS));
    h_raw(b, "</h3>");
    h_field_error(r, b, &field_msgs, fe, "participants");
    int first = member_rows(r, b, cx, g != NULL ? g->id : NULL);
    char n[16];
    snprintf(n, sizeof n, "%d", first);
    h_hidden(b, "member_rows", n);
    outside_rows(r, b, first, f->rows);
    h_raw(b, "</div><button type=\"submit\" name=\"send\" value=\"1\" id=\"submit-training\">");
    h_text(b, tr(r, MSG_TRAINING_BUTTON));
    h_raw(b, "</button></form>");
}

static void topic_labels(struct req *r, struct buf *b, const struct training_view *v)
{
    for (size_t i = 0; i < v->ntopics; i++) {
        if (i > 0)
            h_raw(b, ", ");
        h_open(b, "span", "class", "topic", "data-code", v->topics[i], H_END);
        h_text(b, code_label(r, LIST_TOPIC, v->topics[i]));
        h_close(b, "span");
    }
}

static const char *name_in(const struct req *r, const char *km, const char *latn)
{
    if (r->lang == LANG_KM && km != NULL)
        return km;
    return latn != NULL ? latn : km != NULL ? km : "";
}

static void training_item(struct req *r, struct buf *b, const struct training_view *v)
{
    char id[ID_SIZE + 12], href[ID_SIZE + 16];
    snprintf(id, sizeof id, "training-%s", v->rec.id);
    snprintf(href, sizeof href, "/trainings/%s", v->rec.id);
    h_open(b, "li", "id", id, "class", "record training", H_END);
    h_raw(b, "<h3>");
    h_open(b, "a", "href", href, H_END);
    h_raw(b, "<time>");
    h_text(b, v->rec.date);
    h_raw(b, "</time> · ");
    h_text(b, code_label(r, LIST_AUDIENCE, v->rec.audience));
    h_raw(b, "</a></h3><p class=\"topics\">");
    topic_labels(r, b, v);
    h_raw(b, "</p><p class=\"attendance\">");
    char count[16];
    snprintf(count, sizeof count, "%d", v->rec.nparticipants);
    h_text_sub(b, tr(r, MSG_TRAINING_ATTENDED), count);
    if (v->cascade) {
        h_raw(b, " · <span class=\"cascade\">");
        h_text(b, tr(r, MSG_TRAINING_CASCADE));
        h_raw(b, "</span>");
    }
    h_raw(b, "</p></li>");
}

static void recent_list(struct req *r, struct buf *b, const struct ctx *cx)
{
    struct training_view *items = NULL;
    size_t n = 0;
    char next[CURSOR_SIZE];
    struct fielderrs fe = {0};
    struct training_query q = {.limit = RECENT_TRAININGS};
    h_raw(b, "<h2 id=\"recent\">");
    h_text(b, tr(r, MSG_TRAINING_RECENT));
    h_raw(b, "</h2>");
    if (training_list(cx, &q, &items, &n, next, &fe) != ERR_OK)
        n = 0;
    if (n == 0)
        h_para(b, "empty", "trainings-empty", NULL, tr(r, MSG_TRAINING_EMPTY));
    h_raw(b, "<ol class=\"records\" id=\"training-list\">");
    for (size_t i = 0; i < n; i++)
        training_item(r, b, &items[i]);
    h_raw(b, "</ol>");
    training_views_free(items, n);
}

static void trainings_page(struct req *r, struct resp *w, struct training_form *f,
                           const struct fielderrs *fe)
{
    struct ctx cx = page_ctx(r);
    struct buf *b = &w->body;
    struct group_rec *groups = NULL;
    size_t ngroups = 0;
    bool may_record;
    if (training_groups(&cx, &may_record, &groups, &ngroups) != ERR_OK) {
        page_fail(r, w, ERR_INTERNAL);
        return;
    }
    page_begin(r, w, tr(r, MSG_NAV_TRAININGS), "/trainings");
    h_raw(b, "<h1>");
    h_text(b, tr(r, MSG_NAV_TRAININGS));
    h_raw(b, "</h1>");
    const char *saved = req_query(r, "saved");
    if (fe == NULL && saved != NULL && strcmp(saved, "1") == 0)
        page_notice(b, "saved-notice", tr(r, MSG_TRAINING_SAVED));
    if (may(&cx, ACT_TRAINING_FIGURES)) {
        h_raw(b, "<p><a href=\"/trainings/figures\" id=\"figures-link\">");
        h_text(b, tr(r, MSG_TRAINING_FIGURES));
        h_raw(b, "</a></p>");
    }
    bool staff = scope_of(&cx, ACT_TRAINING_CREATE) == SCOPE_ORG;
    if (may_record && (ngroups > 0 || staff))
        training_form_html(r, w, &cx, f, groups, ngroups, fe);
    recent_list(r, b, &cx);
    page_end(r, w);
    group_list_free(groups, ngroups);
}

static void form_defaults(struct training_form *f)
{
    memset(f, 0, sizeof *f);
    clock_today_cambodia(f->today);
    f->date = f->today;
    f->rows = OUTSIDE_ROWS;
}

void web_trainings(struct req *r, struct resp *w)
{
    struct training_form f;
    struct ctx cx = page_ctx(r);
    if (!may(&cx, ACT_TRAINING_READ)) {
        page_fail(r, w, ERR_FORBIDDEN);
        return;
    }
    form_defaults(&f);
    trainings_page(r, w, &f, NULL);
}

/* Whether row k of the participants carried anything (the rule by which
 * the form decoder keeps a list element). */
static bool row_sent(const struct req *r, int k)
{
    static const char *const parts[] = {"member_id", "name", "organization", "sex"};
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
        char name[48];
        snprintf(name, sizeof name, "participants.%d.%s", k, parts[i]);
        const char *v = req_form(r, name);
        if (v != NULL && v[0] != '\0')
            return true;
    }
    return false;
}

/* The scores as the API would get them: only those with a score typed, of
 * rows kept, numbered as the rows kept are. */
static void scores_renumber(const struct req *r, struct training_in *in)
{
    int kept_index[TRAINING_PARTICIPANTS_MAX];
    int kept = 0;
    for (int k = 0; k < TRAINING_PARTICIPANTS_MAX; k++)
        kept_index[k] = row_sent(r, k) ? kept++ : -1;
    int n = 0;
    for (int i = 0; i < in->nscores; i++) {
        struct score_in s = in->scores[i];
        if (s.pre < 0 && s.post < 0)
            continue;
        if (s.participant_index < 0 || s.participant_index >= TRAINING_PARTICIPANTS_MAX ||
            kept_index[s.participant_index] < 0)
            continue;
        s.participant_index = kept_index[s.participant_index];
        in->scores[n++] = s;
    }
    in->nscores = n;
}

/* The facilitator as the radio buttons chose it: only that kind's fields. */
static void facilitator_chosen(const struct ctx *cx, const char *kind, struct training_in *in)
{
    struct facilitator_in *f = &in->facilitator;
    if (kind == NULL || strcmp(kind, "me") == 0) {
        memset(f, 0, sizeof *f);
        const struct user_rec *u = cx->actor != NULL ? &cx->actor->user : NULL;
        if (u != NULL && u->member_id[0] != '\0')
            f->member_id = u->member_id;
        else if (u != NULL)
            f->user_id = u->id;
    } else if (strcmp(kind, "member") == 0) {
        f->user_id = f->name = f->organization = NULL;
    } else {
        f->member_id = f->user_id = NULL;
    }
    in->has_facilitator = true;
}

static void form_typed(struct req *r, const struct ctx *cx, struct training_form *f,
                       struct training_in *in, struct fielderrs *fe)
{
    training_in_init(in);
    form_fields(r, &training_fields, in, fe);
    form_defaults(f);
    f->typed = true;
    f->date = in->date;
    f->group_id = in->group_id;
    f->audience = in->audience;
    f->fac_kind = req_form(r, "fac_kind");
    place_pick_from_form(r, PLACE_PREFIX, &f->place);
    const char *rows = req_form(r, "rows");
    int n = rows != NULL ? atoi(rows) : OUTSIDE_ROWS;
    f->rows = n < OUTSIDE_ROWS ? OUTSIDE_ROWS : n > OUTSIDE_ROWS_MAX ? OUTSIDE_ROWS_MAX : n;
    facilitator_chosen(cx, f->fac_kind, in);
    scores_renumber(r, in);
    in->location_code = place_pick_chosen(&f->place);
}

void web_training_create(struct req *r, struct resp *w)
{
    struct training_form f;
    struct fielderrs fe;
    struct training_view out = {0};
    struct ctx cx = page_ctx(r);
    memset(&fe, 0, sizeof fe);
    if (!may(&cx, ACT_TRAINING_CREATE)) {
        page_fail(r, w, ERR_FORBIDDEN);
        return;
    }
    struct training_in *in = xcalloc(1, sizeof *in);
    form_typed(r, &cx, &f, in, &fe);
    const char *step = req_form(r, "step");
    if (step != NULL && req_form(r, "send") == NULL) {
        /* Another list of places, the group's members, or more rows:
         * nothing is sent yet. */
        if (strcmp(step, "rows") == 0 && f.rows + OUTSIDE_ROWS <= OUTSIDE_ROWS_MAX)
            f.rows += OUTSIDE_ROWS;
        trainings_page(r, w, &f, NULL);
        free(in);
        return;
    }
    enum err e = fe.n > 0 ? ERR_VALIDATION : training_create(&cx, in, &out, &fe);
    switch (e) {
    case ERR_OK:
        resp_redirect(w, "/trainings?saved=1");
        break;
    case ERR_VALIDATION:
        w->status = 422;
        trainings_page(r, w, &f, &fe);
        break;
    default:
        page_fail(r, w, e);
        break;
    }
    training_view_free(&out);
    free(in);
}

/* ---- one training ---- */

void web_training_show(struct req *r, struct resp *w)
{
    struct ctx cx = page_ctx(r);
    struct training_view v;
    enum err e = training_get(&cx, r->params[0], &v);
    if (e != ERR_OK) {
        page_fail(r, w, e);
        return;
    }
    struct buf *b = &w->body;
    page_begin(r, w, tr(r, MSG_NAV_TRAININGS), "/trainings");
    h_raw(b, "<h1 id=\"training\"><time>");
    h_text(b, v.rec.date);
    h_raw(b, "</time> · ");
    h_text(b, code_label(r, LIST_AUDIENCE, v.rec.audience));
    h_raw(b, "</h1><p class=\"place\">");
    h_place(r, b, v.rec.location_code);
    h_raw(b, "</p><p class=\"topics\">");
    topic_labels(r, b, &v);
    h_raw(b, "</p><p class=\"facilitator\" id=\"facilitator\"><span class=\"label\">");
    h_text(b, tr(r, MSG_TRAINING_GIVEN_BY));
    h_raw(b, "</span> ");
    h_text(b, name_in(r, v.facilitator_name, v.facilitator_name_latn));
    if (v.facilitator_organization != NULL) {
        h_raw(b, " (");
        h_text(b, v.facilitator_organization);
        h_raw(b, ")");
    }
    if (v.rec.facilitator_trainer) {
        h_raw(b, " · ");
        h_text(b, code_label(r, LIST_NETWORK_ROLE, "trainer"));
    }
    h_raw(b, "</p>");
    if (v.cascade)
        h_para(b, "cascade", "cascade", NULL, tr(r, MSG_TRAINING_CASCADE));
    h_raw(b, "<h2>");
    h_text(b, tr(r, MSG_TRAINING_PARTICIPANTS));
    h_raw(b, "</h2><table id=\"participant-table\"><thead><tr><th scope=\"col\">");
    h_text(b, tr(r, MSG_TRAINING_NAME));
    h_raw(b, "</th><th scope=\"col\">");
    h_text(b, tr(r, MSG_SEX));
    h_raw(b, "</th><th scope=\"col\">");
    h_text(b, tr(r, MSG_TRAINING_PRE));
    h_raw(b, "</th><th scope=\"col\">");
    h_text(b, tr(r, MSG_TRAINING_POST));
    h_raw(b, "</th></tr></thead><tbody>");
    for (size_t i = 0; i < v.nparts; i++) {
        const struct participant_view *p = &v.parts[i];
        h_raw(b, "<tr><td>");
        if (p->rec.member_id[0] != '\0') {
            h_text(b, name_in(r, p->name_km, p->name_latn));
        } else {
            h_text(b, p->name != NULL ? p->name : "");
            if (p->organization != NULL) {
                h_raw(b, " (");
                h_text(b, p->organization);
                h_raw(b, ")");
            }
        }
        h_raw(b, "</td><td>");
        h_text(b, code_label(r, LIST_SEX, p->rec.sex));
        h_raw(b, "</td><td>");
        if (p->rec.pre >= 0)
            h_int(b, p->rec.pre);
        h_raw(b, "</td><td>");
        if (p->rec.post >= 0)
            h_int(b, p->rec.post);
        h_raw(b, "</td></tr>");
    }
    h_raw(b, "</tbody></table>");
    page_end(r, w);
    training_view_free(&v);
}

/* ---- the figures ---- */

void web_training_figures(struct req *r, struct resp *w)
{
    struct ctx cx = page_ctx(r);
    struct training_coverage c;
    struct training_cascade k;
    struct fielderrs fe = {0};
    const char *group = req_query(r, "group_id");
    enum err e = training_coverage(&cx, group, &c);
    if (e == ERR_OK)
        e = training_cascade(&cx, group, NULL, NULL, &k, &fe);
    if (e != ERR_OK) {
        page_fail(r, w, e);
        return;
    }
    struct buf *b = &w->body;
    page_begin(r, w, tr(r, MSG_TRAINING_FIGURES), "/trainings");
    h_raw(b, "<h1>");
    h_text(b, tr(r, MSG_TRAINING_FIGURES));
    h_raw(b, "</h1><h2>");
    h_text(b, tr(r, MSG_TRAINING_COVERAGE));
    h_raw(b, "</h2><p id=\"active-members\">");
    char n[16];
    snprintf(n, sizeof n, "%d", c.members);
    h_text_sub(b, tr(r, MSG_TRAINING_ACTIVE_MEMBERS), n);
    h_raw(b, "</p><table id=\"coverage\"><thead><tr><th scope=\"col\">");
    h_text(b, tr(r, MSG_TRAINING_COL_TOPIC));
    h_raw(b, "</th><th scope=\"col\">");
    h_text(b, tr(r, MSG_TRAINING_COL_MEMBERS));
    h_raw(b, "</th><th scope=\"col\">");
    h_text(b, tr(r, MSG_TRAINING_COL_PCT));
    h_raw(b, "</th></tr></thead><tbody>");
    for (size_t i = 0; i < c.ntopics; i++) {
        h_open(b, "tr", "data-topic", c.topics[i].topic, H_END);
        h_raw(b, "<th scope=\"row\">");
        h_text(b, code_label(r, LIST_TOPIC, c.topics[i].topic));
        h_raw(b, "</th><td class=\"members\">");
        h_int(b, c.topics[i].members);
        h_raw(b, "</td><td class=\"pct\">");
        h_int(b, c.topics[i].pct);
        h_raw(b, " %</td></tr>");
    }
    h_raw(b, "</tbody></table><h2>");
    h_text(b, tr(r, MSG_TRAINING_TRAINERS));
    h_raw(b, "</h2><p id=\"cascade-total\">");
    snprintf(n, sizeof n, "%d", k.cascade_trainings);
    h_text_sub(b, tr(r, MSG_TRAINING_CASCADE_TOTAL), n);
    h_raw(b, "</p>");
    if (k.ntrainers == 0)
        h_para(b, "empty", "trainers-empty", NULL, tr(r, MSG_TRAINING_NO_TRAINERS));
    else {
        h_raw(b, "<table id=\"cascade\"><thead><tr><th scope=\"col\">");
        h_text(b, code_label(r, LIST_NETWORK_ROLE, "trainer"));
        h_raw(b, "</th><th scope=\"col\">");
        h_text(b, tr(r, MSG_TRAINING_COL_TRAININGS));
        h_raw(b, "</th><th scope=\"col\">");
        h_text(b, tr(r, MSG_TRAINING_COL_PEOPLE));
        h_raw(b, "</th><th scope=\"col\">");
        h_text(b, tr(r, MSG_TRAINING_COL_TRAINED));
        h_raw(b, "</th></tr></thead><tbody>");
        for (size_t i = 0; i < k.ntrainers; i++) {
            const struct cascade_trainer *t = &k.trainers[i];
            h_open(b, "tr", "data-member", t->member_id, H_END);
            h_raw(b, "<th scope=\"row\">");
            h_text(b, name_in(r, t->name_km, t->name_latn));
            h_raw(b, "</th><td class=\"trainings\">");
            h_int(b, t->trainings);
            h_raw(b, "</td><td class=\"participants\">");
            h_int(b, t->participants);
            h_raw(b, "</td><td class=\"trained\">");
            h_int(b, (long)t->ntrained);
            h_raw(b, "</td></tr>");
        }
        h_raw(b, "</tbody></table>");
    }
    page_end(r, w);
    training_cascade_free(&k);
}
