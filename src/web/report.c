/* "Report a concern": GET /cases/new shows the form, POST /cases sends it.
 *
 * The place is chosen province -> district -> commune -> village without
 * JavaScript: the form's "next list" button (name "step") posts the form
 * back, and the page comes again with what was entered and the next list
 * filled. With JavaScript, choosing in a list presses that button
 * (assets/cbpn.js). GET /cases/new?province=&district=&commune= pre-fills
 * the place; by default it is the district of the member's group. */
#include "web/page.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "domain/cases.h"
#include "domain/fields.h"
#include "domain/network.h"
#include "domain/place.h"
#include "domain/scope.h"
#include "store/store.h"
#include "util/alloc.h"

/* What the form holds (values borrowed from the request, or from place
 * records for the pre-filled place). */
struct report_form {
    struct place_pick place;
    const char *concerns[CONCERNS_MAX + 1];
    int nconcerns;
    const char *summary, *sex, *age, *name_km, *name_latn, *phone;
    bool age_estimated, consent, urgent;
};

/* Which message a domain field error shows, and next to which form field. */
static const struct field_msg field_msg_rows[] = {
    {"location_code", "place", MSG_ERR_PLACE},
    {"concerns", "concerns", MSG_ERR_CONCERNS},
    {"summary", "summary", MSG_ERR_SUMMARY},
    {"survivor.sex", "sex", MSG_ERR_SEX},
    {"survivor.age", "age", MSG_ERR_AGE},
    {"survivor.birth_date", "age", MSG_ERR_AGE},
    {"survivor.name_km", "name_km", MSG_ERR_NAME},
    {"survivor.name_latn", "name_latn", MSG_ERR_NAME},
    {"survivor.phone", "phone", MSG_ERR_PHONE},
};
static const struct field_msgs field_msgs = FIELD_MSGS(field_msg_rows);

/* Fills the province and district from a place code (the group's). */
static void place_from(const struct req *r, struct report_form *f, const char *code)
{
    const struct places *all = r->app != NULL ? r->app->places : NULL;
    const struct place *d = all != NULL ? places_district_of(all, code) : NULL;
    if (d != NULL)
        place_pick_set(r, &f->place, d->code);
}

static bool has_concern(const struct report_form *f, const char *code)
{
    for (int i = 0; i < f->nconcerns; i++)
        if (strcmp(f->concerns[i], code) == 0)
            return true;
    return false;
}

static void place_fieldset(struct req *r, struct buf *b, const struct report_form *f,
                           const struct fielderrs *fe)
{
    int m = form_error(&field_msgs, fe, "place");
    place_pick_fieldset(r, b, &f->place, "", "place", MSG_PLACE,
                        m >= 0 ? tr(r, (enum msg)m) : NULL);
}

static void concerns_fieldset(struct req *r, struct buf *b, const struct report_form *f,
                              const struct fielderrs *fe)
{
    h_raw(b, "<fieldset id=\"concerns\"><legend>");
    h_text(b, tr(r, MSG_CONCERNS));
    h_raw(b, "</legend>");
    h_field_error(r, b, &field_msgs, fe, "concerns");
    for (int i = 0; i < code_count(LIST_CONCERN); i++) {
        const char *code = code_name(LIST_CONCERN, i);
        char id[48];
        snprintf(id, sizeof id, "concern-%s", code);
        h_raw(b, "<label class=\"check\"><input type=\"checkbox\" name=\"concern\"");
        h_attr(b, "id", id);
        h_attr(b, "value", code);
        h_flag(b, "checked", has_concern(f, code));
        h_raw(b, "> ");
        h_text(b, code_label(r, LIST_CONCERN, code));
        h_raw(b, "</label>");
    }
    h_raw(b, "</fieldset>");
}

/* A one-line text input with its label. */
static void text_input(struct req *r, struct buf *b, const struct fielderrs *fe, const char *id,
                       enum msg label, const char *value, const char *extra_type,
                       const char *maxlength)
{
    char name[48];
    snprintf(name, sizeof name, "survivor.%s", id);
    h_open(b, "label", "for", id, H_END);
    h_text(b, tr(r, label));
    h_raw(b, " <small>(");
    h_text(b, tr(r, MSG_OPTIONAL));
    h_raw(b, ")</small></label>");
    h_field_error(r, b, &field_msgs, fe, id);
    h_open_begin(b, "input");
    h_attr(b, "id", id);
    h_attr(b, "name", name);
    h_attr(b, "type", extra_type != NULL ? extra_type : "text");
    h_attr(b, "maxlength", maxlength);
    h_attr(b, "value", value);
    if (form_error(&field_msgs, fe, id) >= 0)
        h_attr(b, "aria-invalid", "true");
    h_open_end(b);
}

static void check_input(struct req *r, struct buf *b, const char *id, const char *name,
                        enum msg label, bool on)
{
    h_raw(b, "<label class=\"check\"><input type=\"checkbox\" value=\"1\"");
    h_attr(b, "id", id);
    h_attr(b, "name", name);
    h_flag(b, "checked", on);
    h_raw(b, "> ");
    h_text(b, tr(r, label));
    h_raw(b, "</label>");
}

static void survivor_fieldset(struct req *r, struct buf *b, const struct report_form *f,
                              const struct fielderrs *fe)
{
    h_raw(b, "<fieldset id=\"survivor\"><legend>");
    h_text(b, tr(r, MSG_SURVIVOR));
    h_raw(b, "</legend><fieldset id=\"sex\" class=\"choices\"><legend>");
    h_text(b, tr(r, MSG_SEX));
    h_raw(b, "</legend>");
    h_field_error(r, b, &field_msgs, fe, "sex");
    for (int i = 0; i < code_count(LIST_SEX); i++) {
        const char *code = code_name(LIST_SEX, i);
        char id[32];
        snprintf(id, sizeof id, "sex-%s", code);
        h_raw(b, "<label class=\"check\"><input type=\"radio\" name=\"survivor.sex\"");
        h_attr(b, "id", id);
        h_attr(b, "value", code);
        h_flag(b, "checked", f->sex != NULL && strcmp(f->sex, code) == 0);
        h_raw(b, "> ");
        h_text(b, code_label(r, LIST_SEX, code));
        h_raw(b, "</label>");
    }
    h_raw(b, "</fieldset>");
    text_input(r, b, fe, "age", MSG_AGE, f->age, "text", "3");
    check_input(r, b, "age_estimated", "survivor.age_estimated", MSG_AGE_ESTIMATED,
                f->age_estimated);
    text_input(r, b, fe, "name_km", MSG_NAME_KM, f->name_km, NULL, "120");
    text_input(r, b, fe, "name_latn", MSG_NAME_LATN, f->name_latn, NULL, "120");
    text_input(r, b, fe, "phone", MSG_PHONE, f->phone, "tel", "20");
    h_raw(b, "</fieldset>");
}

/* The self link of the form page (for the language switch). */
static void form_self(const struct report_form *f, struct buf *self)
{
    buf_puts(self, "/cases/new");
    char sep = '?';
    for (int i = 0; i < PF__MAX - 1 && f->place.place[i][0] != '\0'; i++) {
        buf_putc(self, sep);
        buf_puts(self, place_pick_level_name(i));
        buf_putc(self, '=');
        url_encode(self, f->place.place[i]);
        sep = '&';
    }
}

static void report_page(struct req *r, struct resp *w, const struct report_form *f,
                        const struct fielderrs *fe)
{
    struct buf *b = &w->body;
    struct buf self = {0};

    form_self(f, &self);
    page_begin(r, w, tr(r, MSG_REPORT_TITLE), self.p);
    buf_free(&self);
    h_raw(b, "<h1>");
    h_text(b, tr(r, MSG_REPORT_TITLE));
    h_raw(b, "</h1><p>");
    h_text(b, tr(r, MSG_REPORT_INTRO));
    h_raw(b, "</p>");
    if (form_resumed(r))
        form_resumed_notice(r, b);
    if (fe != NULL && fe->n > 0)
        h_error_summary(r, b, &field_msgs, fe);
    h_raw(b, "<form method=\"post\" autocomplete=\"off\" action=\"/cases\" id=\"report-form\" "
             "class=\"stack\">");
    page_csrf(r, w);
    page_idempotency_key(r, w);
    place_fieldset(r, b, f, fe);
    concerns_fieldset(r, b, f, fe);

    h_raw(b, "<label for=\"summary\">");
    h_text(b, tr(r, MSG_SUMMARY));
    h_raw(b, "</label><p class=\"hint\" id=\"summary-hint\">");
    h_text(b, tr(r, MSG_SUMMARY_HINT));
    h_raw(b, "</p>");
    h_field_error(r, b, &field_msgs, fe, "summary");
    h_raw(b, "<textarea id=\"summary\" name=\"summary\" rows=\"5\" maxlength=\"4000\" "
             "aria-describedby=\"summary-hint\">");
    h_text(b, f->summary);
    h_raw(b, "</textarea>");

    survivor_fieldset(r, b, f, fe);
    h_raw(b, "<fieldset id=\"flags\">");
    check_input(r, b, "consent_to_contact", "consent_to_contact", MSG_CONSENT_TO_CONTACT,
                f->consent);
    check_input(r, b, "urgent", "urgent", MSG_URGENT, f->urgent);
    h_raw(b, "</fieldset><button type=\"submit\" name=\"send\" value=\"1\" id=\"submit-report\">");
    h_text(b, tr(r, MSG_REPORT_BUTTON));
    h_raw(b, "</button></form>");
    page_end(r, w);
}

void web_case_new(struct req *r, struct resp *w)
{
    struct report_form f;
    struct ctx cx = page_ctx(r);

    memset(&f, 0, sizeof f);
    if (!may(&cx, ACT_CASE_CREATE)) {
        page_fail(r, w, ERR_FORBIDDEN);
        return;
    }
    place_pick_from_query(r, "", &f.place);
    if (f.place.place[PF_PROVINCE][0] == '\0' && r->actor->user.group_id[0] != '\0') {
        struct group_rec g;
        memset(&g, 0, sizeof g);
        if (group_get(&cx, r->actor->user.group_id, &g) == ERR_OK)
            place_from(r, &f, g.location_code);
        group_rec_free(&g);
    }
    report_page(r, w, &f, NULL);
}

/* The form as typed: its values borrowed from the request. */
static void form_typed(struct req *r, struct report_form *f, struct case_report_in *in,
                       struct fielderrs *fe)
{
    case_report_in_init(in);
    form_fields(r, &case_report_fields, in, fe);
    place_pick_from_form(r, "", &f->place);
    f->nconcerns = in->nconcerns > CONCERNS_MAX ? CONCERNS_MAX : in->nconcerns;
    for (int i = 0; i < f->nconcerns; i++)
        f->concerns[i] = in->concerns[i];
    f->summary = in->summary;
    f->sex = in->survivor.sex;
    f->age = req_form(r, "survivor.age");
    f->name_km = in->survivor.name_km;
    f->name_latn = in->survivor.name_latn;
    f->phone = in->survivor.phone;
    f->age_estimated = in->survivor.age_estimated;
    f->consent = in->consent_to_contact;
    f->urgent = in->urgent;
}

void web_case_create(struct req *r, struct resp *w)
{
    struct report_form f;
    struct fielderrs fe;
    struct case_report_in in;
    struct case_view out;
    struct ctx cx = page_ctx(r);
    char path[64];

    memset(&f, 0, sizeof f);
    memset(&fe, 0, sizeof fe);
    memset(&out, 0, sizeof out);
    if (!may(&cx, ACT_CASE_CREATE)) {
        page_fail(r, w, ERR_FORBIDDEN);
        return;
    }
    form_typed(r, &f, &in, &fe);
    if (req_form(r, "step") != NULL && req_form(r, "send") == NULL) {
        /* The next list of places: nothing is sent yet. */
        report_page(r, w, &f, NULL);
        return;
    }
    in.location_code = place_pick_chosen(&f.place);
    enum err e = fe.n > 0 ? ERR_VALIDATION : case_report(&cx, &in, &out, &fe);
    switch (e) {
    case ERR_OK:
        snprintf(path, sizeof path, "/cases/%s?sent=1", out.rec.id);
        resp_redirect(w, path);
        break;
    case ERR_VALIDATION:
        w->status = 422;
        report_page(r, w, &f, &fe);
        break;
    default:
        page_fail(r, w, e);
        break;
    }
    case_view_free(&out);
}

/* After a sign-in that followed an expired session: the form as typed. */
void web_case_create_resume(struct req *r, struct resp *w)
{
    struct report_form f;
    struct fielderrs fe = {0};
    struct case_report_in in;
    struct ctx cx = page_ctx(r);

    memset(&f, 0, sizeof f);
    if (!may(&cx, ACT_CASE_CREATE)) {
        page_fail(r, w, ERR_FORBIDDEN);
        return;
    }
    form_typed(r, &f, &in, &fe);
    report_page(r, w, &f, NULL);
}
