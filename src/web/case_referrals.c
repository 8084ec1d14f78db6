/* The consent and referral sections of the case page, for the case team
 * (the page calls these only with the case's details).
 *
 * Consent: the case's records in the order written (purpose, scope, given
 * or refused, method, by whom, who recorded it and when, withdrawn), a
 * withdraw form for each record that stands, and the form to record one.
 * Referrals: the case's referrals, each linking to its page, and the form to
 * refer: a service chosen by type among those serving the case's place,
 * nearest first (service_list), with its organization, hours and
 * languages; the override block for who may override (the permission
 * table). Which forms are offered is asked of may(); the domain decides
 * again when a form is sent (web/case_actions.c). */
#include "web/case_page.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "app.h"
#include "domain/referrals.h"
#include "domain/scope.h"
#include "domain/services.h"
#include "domain/users.h"

struct orgs {
    struct org_rec *items;
    size_t n;
};

static void orgs_load(struct req *r, struct orgs *o)
{
    struct ctx cx = page_ctx(r);
    o->items = NULL;
    o->n = 0;
    if (org_list(&cx, &o->items, &o->n) != ERR_OK) {
        o->items = NULL; /* the names are a convenience: the pickers stay empty */
        o->n = 0;
    }
}

static const char *org_name(const struct orgs *o, const char *id)
{
    for (size_t i = 0; i < o->n; i++)
        if (strcmp(o->items[i].id, id) == 0)
            return o->items[i].name;
    return NULL;
}

static bool is_closed(const struct case_data *d)
{
    return strcmp(d->dos.view.rec.status, "closed") == 0;
}

/* A group of radio buttons, one per code of list, in a fieldset. */
static void code_radios(struct req *r, struct buf *b, const char *name, const char *id_prefix,
                        enum msg legend, enum code_list list, const char *chosen)
{
    h_raw(b, "<fieldset class=\"choices\"><legend>");
    h_text(b, tr(r, legend));
    h_raw(b, "</legend>");
    for (int i = 0; i < code_count(list); i++) {
        const char *code = code_name(list, i);
        char id[48];
        snprintf(id, sizeof id, "%s-%s", id_prefix, code);
        h_raw(b, "<label class=\"check\">");
        h_open_begin(b, "input");
        h_attr(b, "type", "radio");
        h_attr(b, "name", name);
        h_attr(b, "value", code);
        h_attr(b, "id", id);
        h_flag(b, "checked", same_text(chosen, code));
        h_open_end(b);
        h_raw(b, " ");
        h_text(b, code_label(r, list, code));
        h_raw(b, "</label>");
    }
    h_raw(b, "</fieldset>");
}

/* ---- consent ---- */

static void consent_scope(struct req *r, struct buf *b, const struct consent_rec *c,
                          const struct orgs *o)
{
    if (c->organization_id[0] != '\0') {
        const char *name = org_name(o, c->organization_id);
        h_raw(b, " <span class=\"scope\">");
        h_text(b, name != NULL ? name : c->organization_id);
        h_raw(b, "</span>");
    } else if (c->service_type[0] != '\0') {
        h_raw(b, " <span class=\"scope\">");
        h_text_sub(b, tr(r, MSG_CONSENT_SCOPE_TYPE),
                   code_label(r, LIST_SERVICE_TYPE, c->service_type));
        h_raw(b, "</span>");
    }
}

static void withdraw_form(struct req *r, struct resp *w, const struct case_data *d,
                          const struct consent_view *v, const struct case_page_opts *o)
{
    struct buf *b = &w->body;
    char what[ID_SIZE + 24], id[ID_SIZE + 16], input[ID_SIZE + 16];
    snprintf(what, sizeof what, "consents/%s/withdraw", v->rec.id);
    snprintf(id, sizeof id, "withdraw-%s", v->rec.id);
    snprintf(input, sizeof input, "withdraw-reason-%s", v->rec.id);
    bool this_one = o != NULL && same_text(o->form, "withdraw") &&
                    same_text(req_form(r, "consent_id"), v->rec.id);
    case_form_open(r, w, id, what, d->dos.view.rec.id);
    h_hidden(b, "consent_id", v->rec.id);
    if (this_one)
        case_form_problem(r, b, o, "withdraw");
    h_open(b, "label", "for", input, H_END);
    h_text(b, tr(r, MSG_CONSENT_WITHDRAW_REASON));
    h_raw(b, " <small>(");
    h_text(b, tr(r, MSG_OPTIONAL));
    h_raw(b, ")</small></label>");
    h_open_begin(b, "input");
    h_attr(b, "id", input);
    h_attr(b, "name", "reason");
    h_attr(b, "maxlength", "1000");
    h_attr(b, "value", this_one ? req_form(r, "reason") : NULL);
    h_open_end(b);
    h_raw(b, "<button type=\"submit\" class=\"secondary small withdraw-submit\">");
    h_text(b, tr(r, MSG_CONSENT_WITHDRAW));
    h_raw(b, "</button></form>");
}

static void consent_item(struct req *r, struct resp *w, const struct case_data *d,
                         const struct consent_view *v, const struct orgs *orgs, bool may_record,
                         const struct case_page_opts *o)
{
    struct buf *b = &w->body;
    const struct consent_rec *c = &v->rec;
    bool withdrawn = c->withdrawn_at[0] != '\0';
    char id[ID_SIZE + 12], cls[64];
    snprintf(id, sizeof id, "consent-%s", c->id);
    snprintf(cls, sizeof cls, "record consent %s%s", c->given ? "given" : "refused",
             withdrawn ? " withdrawn" : "");
    h_open(b, "li", "id", id, "class", cls, "data-purpose", c->purpose, H_END);
    h_raw(b, "<p class=\"what\"><strong>");
    h_text(b, code_label(r, LIST_CONSENT_PURPOSE, c->purpose));
    h_raw(b, "</strong>");
    consent_scope(r, b, c, orgs);
    h_raw(b, " ");
    h_badge(b, c->given ? "given" : "refused", NULL,
            tr(r, c->given ? MSG_CONSENT_GIVEN : MSG_CONSENT_REFUSED));
    if (withdrawn) {
        h_raw(b, " ");
        h_badge(b, "withdrawn", NULL, tr(r, MSG_CONSENT_WITHDRAWN));
    }
    h_raw(b, "</p><p class=\"meta\">");
    h_text(b, code_label(r, LIST_CONSENT_METHOD, c->method));
    h_raw(b, " · ");
    h_text(b, code_label(r, LIST_CONSENT_BY, c->given_by));
    h_raw(b, " · ");
    h_datetime(b, c->created_at);
    if (v->recorded_by_name != NULL) {
        h_raw(b, " · ");
        h_text_sub(b, tr(r, MSG_CONSENT_RECORDED_BY), v->recorded_by_name);
    }
    h_raw(b, "</p>");
    if (withdrawn) {
        h_raw(b, "<p class=\"meta withdrawn-at\">");
        h_text(b, tr(r, MSG_CONSENT_WITHDRAWN_ON));
        h_raw(b, " ");
        h_datetime(b, c->withdrawn_at);
        if (v->withdraw_reason != NULL && *v->withdraw_reason != '\0') {
            h_raw(b, " — ");
            h_text(b, v->withdraw_reason);
        }
        h_raw(b, "</p>");
    } else if (c->given && may_record) {
        withdraw_form(r, w, d, v, o);
    }
    h_raw(b, "</li>");
}

static void org_select(struct req *r, struct buf *b, const struct orgs *o, const char *chosen)
{
    h_label(r, b, "consent-org", MSG_CONSENT_ORG, false);
    h_raw(b, "<select id=\"consent-org\" name=\"organization_id\"><option value=\"\">");
    h_text(b, tr(r, MSG_CONSENT_NONE_CHOSEN));
    h_raw(b, "</option>");
    for (size_t i = 0; i < o->n; i++) {
        h_open_begin(b, "option");
        h_attr(b, "value", o->items[i].id);
        h_flag(b, "selected", same_text(chosen, o->items[i].id));
        h_open_end(b);
        h_text(b, o->items[i].name);
        h_raw(b, "</option>");
    }
    h_raw(b, "</select>");
}

static void type_select(struct req *r, struct buf *b, const char *id, const char *name,
                        enum msg none, const char *chosen, bool autosubmit)
{
    h_open_begin(b, "select");
    h_attr(b, "id", id);
    h_attr(b, "name", name);
    h_flag(b, "data-autosubmit", autosubmit);
    h_open_end(b);
    h_raw(b, "<option value=\"\">");
    h_text(b, tr(r, none));
    h_raw(b, "</option>");
    for (int i = 0; i < code_count(LIST_SERVICE_TYPE); i++) {
        const char *code = code_name(LIST_SERVICE_TYPE, i);
        h_open_begin(b, "option");
        h_attr(b, "value", code);
        h_flag(b, "selected", same_text(chosen, code));
        h_open_end(b);
        h_text(b, code_label(r, LIST_SERVICE_TYPE, code));
        h_raw(b, "</option>");
    }
    h_raw(b, "</select>");
}

static void consent_form(struct req *r, struct resp *w, const struct case_data *d,
                         const struct orgs *orgs, const struct case_page_opts *o)
{
    struct buf *b = &w->body;
    case_form_open(r, w, "consent-form", "consents", d->dos.view.rec.id);
    page_idempotency_key(r, w);
    h_raw(b, "<h3>");
    h_text(b, tr(r, MSG_CONSENT_RECORD_TITLE));
    h_raw(b, "</h3>");
    case_form_problem(r, b, o, "consent");
    code_radios(r, b, "purpose", "consent-purpose", MSG_CONSENT_PURPOSE, LIST_CONSENT_PURPOSE,
                case_draft(r, o, "consent", "purpose"));
    h_raw(b, "<fieldset class=\"scope\"><legend>");
    h_text(b, tr(r, MSG_CONSENT_SHARE_WITH));
    h_raw(b, "</legend>");
    h_para(b, "hint", NULL, NULL, tr(r, MSG_CONSENT_SHARE_HINT));
    org_select(r, b, orgs, case_draft(r, o, "consent", "organization_id"));
    h_label(r, b, "consent-type", MSG_CONSENT_TYPE, false);
    type_select(r, b, "consent-type", "service_type", MSG_CONSENT_NONE_CHOSEN,
                case_draft(r, o, "consent", "service_type"), false);
    h_raw(b, "</fieldset>");

    const char *given = case_draft(r, o, "consent", "given");
    h_raw(b, "<fieldset class=\"choices\"><legend>");
    h_text(b, tr(r, MSG_CONSENT_ANSWER));
    h_raw(b, "</legend>");
    static const struct {
        const char *value, *id;
        enum msg label;
    } answers[] = {{"true", "consent-given-true", MSG_CONSENT_GIVEN},
                   {"false", "consent-given-false", MSG_CONSENT_REFUSED}};
    for (size_t i = 0; i < sizeof answers / sizeof answers[0]; i++) {
        h_raw(b, "<label class=\"check\">");
        h_open_begin(b, "input");
        h_attr(b, "type", "radio");
        h_attr(b, "name", "given");
        h_attr(b, "value", answers[i].value);
        h_attr(b, "id", answers[i].id);
        h_flag(b, "checked", same_text(given, answers[i].value));
        h_open_end(b);
        h_raw(b, " ");
        h_text(b, tr(r, answers[i].label));
        h_raw(b, "</label>");
    }
    h_raw(b, "</fieldset>");
    code_radios(r, b, "method", "consent-method", MSG_CONSENT_METHOD, LIST_CONSENT_METHOD,
                case_draft(r, o, "consent", "method"));
    h_para(b, "hint", "thumbprint-hint", NULL, tr(r, MSG_CONSENT_THUMBPRINT_HINT));
    code_radios(r, b, "by", "consent-by", MSG_CONSENT_BY, LIST_CONSENT_BY,
                case_draft(r, o, "consent", "by"));
    if (d->age >= 0 && d->age < 18)
        h_para(b, "hint", "guardian-hint", NULL, tr(r, MSG_CONSENT_GUARDIAN_HINT));
    case_submit(r, b, "consent-submit", MSG_CONSENT_SUBMIT);
}

void case_consents(struct req *r, struct resp *w, const struct case_data *d,
                   const struct case_page_opts *o)
{
    struct buf *b = &w->body;
    struct orgs orgs;
    bool may_record = !is_closed(d) && may_act(r, ACT_CONSENT_RECORD);
    bool may_withdraw = may_act(r, ACT_CONSENT_RECORD); /* also on a closed case */
    orgs_load(r, &orgs);
    h_raw(b, "<h2 id=\"h-consents\">");
    h_text(b, tr(r, MSG_CONSENTS));
    h_raw(b, "</h2>");
    if (d->dos.nconsents == 0)
        h_para(b, "empty", "consents-empty", NULL, tr(r, MSG_CONSENTS_EMPTY));
    h_raw(b, "<ol class=\"records\" id=\"consent-list\">");
    for (size_t i = 0; i < d->dos.nconsents; i++)
        consent_item(r, w, d, &d->dos.consents[i], &orgs, may_withdraw, o);
    h_raw(b, "</ol>");
    if (may_record)
        consent_form(r, w, d, &orgs, o);
    org_list_free(orgs.items, orgs.n);
}

/* ---- referrals ---- */

void h_referral_status(struct req *r, struct buf *b, const char *status)
{
    char cls[48];
    snprintf(cls, sizeof cls, "status rst-%s",
             code_parse(LIST_REFERRAL_STATUS, status) >= 0 ? status : "x");
    h_open(b, "span", "class", cls, H_END);
    h_text(b, code_label(r, LIST_REFERRAL_STATUS, status));
    h_close(b, "span");
}

void h_referral_table(struct req *r, struct buf *b, const char *id, const struct referral_view *v,
                      size_t n, bool with_code)
{
    h_open(b, "div", "class", "table-wrap", H_END);
    h_open(b, "table", "class", "cases referrals", "id", id, H_END);
    h_raw(b, "<thead><tr><th>");
    h_text(b, tr(r, with_code ? MSG_CASE_CODE : MSG_REFERRAL_SENT_ON));
    h_raw(b, "</th><th>");
    h_text(b, tr(r, MSG_REFERRAL_SERVICE));
    h_raw(b, "</th><th>");
    h_text(b, tr(r, MSG_REFERRAL_STATUS));
    h_raw(b, "</th><th>");
    h_text(b, tr(r, MSG_REFERRAL_DUE));
    h_raw(b, "</th></tr></thead><tbody>");
    for (size_t i = 0; i < n; i++) {
        const struct referral_rec *f = &v[i].rec;
        struct buf href = {0};
        buf_puts(&href, "/referrals/");
        url_encode(&href, f->id);
        h_open(b, "tr", "class", v[i].overdue ? "urgent-row" : NULL, H_END);
        h_raw(b, "<td>");
        h_open(b, "a", "href", href.p, "class", "code referral", "data-code", f->case_code,
               "data-service-type", f->service_type, "data-status", f->status, H_END);
        if (with_code)
            h_text(b, f->case_code);
        else
            h_date(b, f->created_at);
        h_raw(b, "</a>");
        if (with_code) {
            h_raw(b, " <small>");
            h_date(b, f->created_at);
            h_raw(b, "</small>");
        }
        h_raw(b, "</td><td>");
        h_text(b, v[i].service_name != NULL ? v[i].service_name
                                            : code_label(r, LIST_SERVICE_TYPE, f->service_type));
        if (v[i].organization_name != NULL) {
            h_raw(b, "<br><small>");
            h_text(b, v[i].organization_name);
            h_raw(b, "</small>");
        }
        h_raw(b, "</td><td>");
        h_referral_status(r, b, f->status);
        if (strcmp(f->urgency, "urgent") == 0) {
            h_raw(b, " ");
            h_badge(b, "urgent", NULL, code_label(r, LIST_URGENCY, f->urgency));
        }
        h_raw(b, "</td><td>");
        h_date(b, f->due_at);
        if (v[i].overdue) {
            h_raw(b, " ");
            h_badge(b, "urgent overdue", NULL, tr(r, MSG_REFERRAL_OVERDUE));
        }
        h_raw(b, "</td></tr>");
        buf_free(&href);
    }
    h_raw(b, "</tbody></table></div>");
}

/* The languages of a service (a JSON array text of codes), labelled. */
static void languages(struct req *r, struct buf *b, const char *text)
{
    json_t *a = text != NULL ? json_loads(text, 0, NULL) : NULL;
    size_t i;
    json_t *c;
    json_array_foreach(a, i, c)
    {
        if (i > 0)
            h_raw(b, ", ");
        h_text(b, code_label(r, LIST_LANGUAGE, json_string_value(c)));
    }
    json_decref(a);
}

static const enum msg rank_msgs[] = {
    [RANK_VILLAGE] = MSG_RANK_VILLAGE,   [RANK_COMMUNE] = MSG_RANK_COMMUNE,
    [RANK_DISTRICT] = MSG_RANK_DISTRICT, [RANK_PROVINCE] = MSG_RANK_PROVINCE,
    [RANK_NATIONAL] = MSG_RANK_NATIONAL,
};

static void service_choice(struct req *r, struct buf *b, const struct service_rec *s,
                           const struct orgs *orgs, const char *location, const char *chosen)
{
    char id[ID_SIZE + 12];
    snprintf(id, sizeof id, "service-%s", s->id);
    h_raw(b, "<label class=\"check service\">");
    h_open_begin(b, "input");
    h_attr(b, "type", "radio");
    h_attr(b, "name", "service_id");
    h_attr(b, "value", s->id);
    h_attr(b, "id", id);
    h_attr(b, "data-type", s->type);
    h_flag(b, "checked", same_text(chosen, s->id));
    h_open_end(b);
    h_raw(b, " <span><strong>");
    h_text(b, s->name);
    h_raw(b, "</strong> <small>");
    h_text(b, code_label(r, LIST_SERVICE_TYPE, s->type));
    h_raw(b, "</small><br>");
    const char *org = org_name(orgs, s->organization_id);
    if (org != NULL) {
        h_raw(b, "<span class=\"org\">");
        h_text(b, org);
        h_raw(b, "</span><br>");
    }
    h_raw(b, "<small>");
    if (s->hours != NULL && *s->hours != '\0') {
        h_text_sub(b, tr(r, MSG_SERVICE_HOURS), s->hours);
        h_raw(b, " · ");
    }
    languages(r, b, s->languages);
    if (s->contact != NULL && *s->contact != '\0') {
        h_raw(b, " · ");
        h_text(b, s->contact);
    }
    const struct places *pl = r->app != NULL ? r->app->places : NULL;
    if (location != NULL && pl != NULL) {
        enum service_rank k = service_rank(pl, s->areas, location);
        if (k >= RANK_VILLAGE && k <= RANK_NATIONAL) {
            h_raw(b, " · ");
            h_text(b, tr(r, rank_msgs[k]));
        }
    }
    h_raw(b, "</small></span></label>");
}

/* The type the service list is narrowed to: the query's, or the form's
 * when the page is shown again after the form was sent. */
static const char *refer_type(const struct req *r)
{
    const char *t = r->method == M_POST ? req_form(r, "refer_type") : req_query(r, "refer_type");
    return (t != NULL && code_parse(LIST_SERVICE_TYPE, t) >= 0) ? t : NULL;
}

static void refer_form(struct req *r, struct resp *w, const struct case_data *d,
                       const struct case_page_opts *o)
{
    struct buf *b = &w->body;
    struct ctx cx = page_ctx(r);
    const struct case_rec *c = &d->dos.view.rec;
    const char *type = refer_type(r);
    const char *location = c->location_code[0] != '\0' ? c->location_code : NULL;
    struct service_rec *svc = NULL;
    struct fielderrs fe = {0};
    struct orgs orgs;
    size_t nsvc = 0;
    struct buf action = {0};

    orgs_load(r, &orgs);
    if (service_list(&cx, type, location, &svc, &nsvc, &fe) != ERR_OK) {
        svc = NULL;
        nsvc = 0;
    }
    /* The choice of type: a GET form back to this page. */
    buf_puts(&action, "/cases/");
    url_encode(&action, c->id);
    h_raw(b, "<h3 id=\"h-refer\">");
    h_text(b, tr(r, MSG_REFER_TITLE));
    h_raw(b, "</h3>");
    h_open(b, "form", "method", "get", "action", action.p, "id", "refer-type-form", "class",
           "inline filters", H_END);
    h_label(r, b, "refer-type", MSG_REFER_TYPE, false);
    type_select(r, b, "refer-type", "refer_type", MSG_REFER_TYPE_ANY, type, true);
    h_raw(b, "<button type=\"submit\" class=\"secondary small\" id=\"refer-type-submit\">");
    h_text(b, tr(r, MSG_REFER_TYPE_SHOW));
    h_raw(b, "</button></form>");

    case_form_open(r, w, "refer-form", "referrals", c->id);
    page_idempotency_key(r, w);
    h_hidden(b, "refer_type", type);
    case_form_problem(r, b, o, "refer");
    h_raw(b, "<fieldset class=\"choices services\" id=\"services\"><legend>");
    h_text(b, tr(r, MSG_REFER_SERVICE));
    h_raw(b, "</legend>");
    if (location != NULL)
        h_para(b, "hint", NULL, NULL, tr(r, MSG_REFER_NEAREST));
    if (nsvc == 0)
        h_para(b, "empty", "services-empty", NULL, tr(r, MSG_REFER_NO_SERVICES));
    const char *chosen = case_draft(r, o, "refer", "service_id");
    for (size_t i = 0; i < nsvc; i++)
        service_choice(r, b, &svc[i], &orgs, location, chosen);
    h_raw(b, "</fieldset>");
    const char *urgency = case_draft(r, o, "refer", "urgency");
    code_radios(r, b, "urgency", "refer-urgency", MSG_REFER_URGENCY, LIST_URGENCY,
                urgency != NULL ? urgency : "routine");
    case_textarea(r, b, "refer-reason", "reason", MSG_REFER_REASON, false,
                  case_draft(r, o, "refer", "reason"), "2000");
    h_label(r, b, "refer-contact", MSG_REFER_CONTACT, true);
    h_open_begin(b, "input");
    h_attr(b, "id", "refer-contact");
    h_attr(b, "name", "contact");
    h_attr(b, "maxlength", "120");
    h_attr(b, "value", case_draft(r, o, "refer", "contact"));
    h_open_end(b);
    h_para(b, "hint", NULL, NULL, tr(r, MSG_REFER_CONTACT_HINT));
    if (may_act(r, ACT_REFERRAL_OVERRIDE)) {
        h_raw(b, "<fieldset class=\"override\" id=\"override\"><legend>");
        h_text(b, tr(r, MSG_REFER_OVERRIDE));
        h_raw(b, "</legend>");
        h_para(b, "hint", NULL, NULL, tr(r, MSG_REFER_OVERRIDE_HINT));
        case_textarea(r, b, "override-reason", "override.reason", MSG_REFER_OVERRIDE_REASON, true,
                      case_draft(r, o, "refer", "override.reason"), "2000");
        h_raw(b, "</fieldset>");
    }
    case_submit(r, b, "refer-submit", MSG_REFER_SUBMIT);
    buf_free(&action);
    service_list_free(svc, nsvc);
    org_list_free(orgs.items, orgs.n);
}

void case_referrals(struct req *r, struct resp *w, const struct case_data *d,
                    const struct case_page_opts *o)
{
    struct buf *b = &w->body;
    h_raw(b, "<h2 id=\"h-referrals\">");
    h_text(b, tr(r, MSG_REFERRALS));
    h_raw(b, "</h2>");
    if (d->dos.nreferrals == 0)
        h_para(b, "empty", "case-referrals-empty", NULL, tr(r, MSG_REFERRALS_EMPTY));
    else
        h_referral_table(r, b, "case-referral-list", d->dos.referrals, d->dos.nreferrals, false);
    if (!is_closed(d) && may_act(r, ACT_REFERRAL_CREATE))
        refer_form(r, w, d, o);
}
