/* What the page handlers of web/ share: the layout, error pages, labels of
 * codes, and the handlers the route table (routes.c) names. Internal to web/. */
#ifndef CBPN_WEB_PAGE_H
#define CBPN_WEB_PAGE_H

#include <stdbool.h>

#include "domain/ctx.h"
#include "http/http.h"
#include "i18n/i18n.h"
#include "util/codes.h"
#include "web/html.h"

#define HTML_TYPE "text/html; charset=utf-8"
/* The <title> of every page, in every language: neutral (shared phones). */
#define PAGE_TITLE "cbpn"

/* The message m in the request's language. Static. */
const char *tr(const struct req *r, enum msg m);
/* The domain context of the request: its connection, the data key, the
 * signed-in actor and the gazetteer. */
struct ctx page_ctx(const struct req *r);

/* Starts an HTML page on w (status 200 unless set before): head, the top
 * bar with the quick exit, navigation, the language switch and sign-out,
 * then <main>. title names the page but is not shown: every <title> is
 * PAGE_TITLE, so that a shared phone's history says nothing. self is the
 * local URL of this page for the language links (path and query, already
 * URL-encoded; no "lang"). */
void page_begin(struct req *r, struct resp *w, const char *title, const char *self);
/* page_begin for a page that only shows (no form of its own). It loads
 * cbpn.js too (cached, about 1.5 kB): the quick exit needs it to replace
 * the page in the tab's history. */
void page_begin_static(struct req *r, struct resp *w, const char *title, const char *self);
/* Closes <main> and the document. */
void page_end(struct req *r, struct resp *w);
/* The hidden CSRF field every form carries. */
void page_csrf(struct req *r, struct resp *w);
/* The hidden "idempotency_key" field of a form that creates a record: the
 * key the form was sent with (shown again), else a new random one, so that
 * a form sent twice (a double tap, a retry on 2G) creates one record. */
void page_idempotency_key(struct req *r, struct resp *w);
/* Replaces whatever was written with the error page for e. */
void page_fail(struct req *r, struct resp *w, enum err e);

/* Countries offered for nationality, migration and places abroad (ISO 3166
 * alpha-2), Cambodia first. A stored code outside the list is shown as its
 * code. */
struct country {
    const char *code;
    enum msg name;
};
extern const struct country countries[];
extern const size_t ncountries;

/* The label of code in list in the request's language; the code itself
 * when unknown. Static. */
const char *code_label(const struct req *r, enum code_list list, const char *code);
/* The same in lang (the slip shows Khmer and English). Static. */
const char *code_label_in(enum lang lang, enum code_list list, const char *code);
/* Where a signed-in actor a starts: her cases, or for a role that sees
 * referrals but no cases (a provider) the referrals, or for one that sees
 * neither but the reports (an analyst) the reports. Static. */
const char *page_home(const struct actor *a);
/* Whether every code of list has a label. */
bool code_labelled(enum code_list list);
/* tmpl with each "%s" replaced by arg, as plain text (no printf). Caller
 * frees. */
char *text_sub(const char *tmpl, const char *arg);
/* The date part ("YYYY-MM-DD") of an RFC 3339 time, escaped. */
void h_date(struct buf *b, const char *ts);

/* A hidden input name=value; nothing for a NULL value. */
void h_hidden(struct buf *b, const char *name, const char *value);
/* An RFC 3339 UTC time as the date and time in Cambodia (UTC+7), in a
 * <time> element: "2026-03-01 14:05". */
void h_datetime(struct buf *b, const char *ts);
/* The place of a gazetteer code with its levels labelled ("Village: …,
 * Commune: …"), deepest first, each name in the request's language; the
 * code itself when unknown. */
void h_place(struct req *r, struct buf *b, const char *code);
/* The name of a place in the request's language (the other one if empty). */
struct place;
const char *place_label(const struct req *r, const struct place *p);
/* The {id} of the route, or NULL when absent or too long for an id. */
const char *page_id(const struct req *r);
/* The <h1> and a notice paragraph (NULL: none). */
void page_notice(struct buf *b, const char *id, const char *text);

struct fieldset;
/* Moves the form fields that fs declares (domain/fields.h) into the input
 * at in, which the caller has zeroed and fields_init()ed; a whole number or
 * a yes/no answer that does not parse is a field error. Returns how many
 * fields the form carried. */
int form_fields(const struct req *r, const struct fieldset *fs, void *in, struct fielderrs *fe);
/* For a form that edits a record (a PATCH): each field of fs (nested
 * objects included) whose form field was sent empty is marked as sent as
 * null, so that emptying a box clears the value. */
void form_nulls(const struct req *r, const struct fieldset *fs, void *in);

/* The stepped place choice (province -> district -> commune -> village)
 * without JavaScript; web/place_pick.c. Form fields are prefix + level
 * name ("province", "addr.village"). */
enum place_field { PF_PROVINCE, PF_DISTRICT, PF_COMMUNE, PF_VILLAGE, PF__MAX };
struct place_pick {
    char place[PF__MAX][CODE_SIZE];
};
/* The levels as the form sent them, kept only while each lies in the one above. */
void place_pick_from_form(const struct req *r, const char *prefix, struct place_pick *pp);
/* The same from the query string (GET /cases/new?district=...). */
void place_pick_from_query(const struct req *r, const char *prefix, struct place_pick *pp);
/* Every level down to the place of code (a province, district, commune or village). */
void place_pick_set(const struct req *r, struct place_pick *pp, const char *code);
/* The deepest place chosen, or NULL. */
const char *place_pick_chosen(const struct place_pick *pp);
/* The fieldset: a legend, the error text (NULL: none), the lists so far and
 * the "next list" button (name "step", value prefix + "place"). */
void place_pick_fieldset(struct req *r, struct buf *b, const struct place_pick *pp,
                         const char *prefix, const char *id, enum msg legend, const char *error);
/* The form field name of a level. Static. */
const char *place_pick_level_name(int level);

/* Whether this page is shown again after a sign-in that followed an
 * expired session (its fields are then in the request, as typed). */
bool form_resumed(const struct req *r);
/* The notice "your session had ended; check and send again", when resumed. */
void form_resumed_notice(struct req *r, struct buf *b);
/* web_login's half: when the sign-in form carried a form sent after the
 * session ended, shows that form again filled in (as actor a) and returns
 * true; false when it carried none. */
bool form_resume(struct req *r, struct resp *w, struct actor *a);
/* Whether this request carries a form sent after its session ended (the
 * expired POST itself, or the sign-in form carrying it). */
bool form_carrying(const struct req *r);
/* The sign-in page (web/login.c); failed adds the generic refusal, username
 * (may be NULL) is put back; it carries the expired form when there is one. */
void web_login_page(struct req *r, struct resp *w, bool failed, const char *username);
/* Carried fields of the sign-in form (the expired form's), as hidden inputs. */
void form_carry(struct req *r, struct buf *b);

/* A form element's label, "(optional)" added when optional. */
void h_label(struct req *r, struct buf *b, const char *for_id, enum msg text, bool optional);
/* Whether a and b are the same text (NULL is no text). */
bool same_text(const char *a, const char *b);

struct case_view;
/* The case id (NULL: ERR_NOT_FOUND) as the caller may act on it from a
 * form: read with its details (case_get, an audited read) and with the
 * right a; ERR_FORBIDDEN otherwise. v: case_view_free. */
enum err page_case_for(struct req *r, const char *id, enum action a, struct case_view *v);

/* Which message a domain field error shows on a form, and next to which
 * form element ("err-<form>" is the id of its paragraph). */
struct field_msg {
    const char *field; /* the domain's field path: "survivor.age" */
    const char *form;  /* the form element it belongs to: "age" */
    enum msg msg;
};
struct field_msgs {
    const struct field_msg *rows;
    size_t n;
};
#define FIELD_MSGS(rows)                                                                           \
    {                                                                                              \
        rows, sizeof rows / sizeof rows[0]                                                         \
    }
/* The message of the first error of fe that belongs to form element form;
 * -1 when none. */
int form_error(const struct field_msgs *t, const struct fielderrs *fe, const char *form);
/* The paragraph "err-<form>" with that message, when there is one. */
/* aria-invalid on the element being written when fe has an error shown at
 * form element form. */
void h_invalid_if(struct buf *b, const struct field_msgs *t, const struct fielderrs *fe,
                  const char *form);
/* The group of id among g[0..n), or NULL. */
const struct group_rec *group_find(const struct group_rec *g, size_t n, const char *id);
void h_field_error(struct req *r, struct buf *b, const struct field_msgs *t,
                   const struct fielderrs *fe, const char *form);
/* The list of fe's problems at the top of a form, each linked to its
 * element; a problem the table does not place is said generally. */
void h_error_summary(struct req *r, struct buf *b, const struct field_msgs *t,
                     const struct fielderrs *fe);

/* Handlers (routes.c). */
void web_home(struct req *r, struct resp *w);
void web_login_form(struct req *r, struct resp *w);
void web_login(struct req *r, struct resp *w);
void web_logout(struct req *r, struct resp *w);
/* The account page, sign-out everywhere and the quick exit (web/account.c). */
void web_account(struct req *r, struct resp *w);
void web_sign_out_everywhere(struct req *r, struct resp *w);
void web_exit(struct req *r, struct resp *w);
/* What a sign-out sends: Clear-Site-Data (cache, cookies, storage) and the
 * session's cookies deleted. */
void page_clear_site(struct resp *w);
/* page_clear_site and the redirect to the sign-in page saying "signed out"
 * (out: "1", or "all" for everywhere), in the request's language. */
void page_signed_out(struct req *r, struct resp *w, const char *out);
void web_cases(struct req *r, struct resp *w);
void web_cases_search(struct req *r, struct resp *w);
void web_case_new(struct req *r, struct resp *w);
void web_case_create(struct req *r, struct resp *w);
void web_case_show(struct req *r, struct resp *w);
void web_case_edit(struct req *r, struct resp *w);
void web_case_update(struct req *r, struct resp *w);
void web_case_assign(struct req *r, struct resp *w);
void web_case_closure(struct req *r, struct resp *w);
void web_case_approve(struct req *r, struct resp *w);
void web_case_reopen(struct req *r, struct resp *w);
void web_case_erase(struct req *r, struct resp *w);
void web_note_add(struct req *r, struct resp *w);
void web_task_add(struct req *r, struct resp *w);
void web_task_done(struct req *r, struct resp *w);
void web_queue(struct req *r, struct resp *w);
/* Shown again after a sign-in (form_resume): the forms as typed. */
void web_case_create_resume(struct req *r, struct resp *w);
void web_case_update_resume(struct req *r, struct resp *w);
void web_case_show_resume(struct req *r, struct resp *w);
void web_incident_new(struct req *r, struct resp *w);
void web_incident_create(struct req *r, struct resp *w);
void web_incident_create_resume(struct req *r, struct resp *w);
void web_screening_new(struct req *r, struct resp *w);
void web_screening_create(struct req *r, struct resp *w);
void web_screening_create_resume(struct req *r, struct resp *w);
void web_consent_add(struct req *r, struct resp *w);
void web_consent_withdraw(struct req *r, struct resp *w);
void web_referral_create(struct req *r, struct resp *w);
void web_referrals(struct req *r, struct resp *w);
void web_referral_show(struct req *r, struct resp *w);
void web_referral_show_resume(struct req *r, struct resp *w);
void web_referral_move(struct req *r, struct resp *w);
void web_referral_slip(struct req *r, struct resp *w);
void web_slip_verify_form(struct req *r, struct resp *w);
void web_slip_verify(struct req *r, struct resp *w);
void web_agencies(struct req *r, struct resp *w);
void web_agency_show(struct req *r, struct resp *w);
struct agency_indicators;
/* An agency's indicator figures as a section with that id: the total in a
 * sentence (or "fewer than k", or none), each indicator with its count, the
 * rule in a hint (web/agencies.c). A suppressed count is never written as
 * a number. */
void page_agency_indicators(struct req *r, struct buf *b, const struct agency_indicators *a,
                            const char *id);
void web_asset(struct req *r, struct resp *w);
/* Groups and members (web/groups.c). */
void web_groups(struct req *r, struct resp *w);
void web_group_show(struct req *r, struct resp *w);
void web_group_update(struct req *r, struct resp *w);
void web_group_update_resume(struct req *r, struct resp *w);
void web_member_create(struct req *r, struct resp *w);
void web_member_create_resume(struct req *r, struct resp *w);
void web_member_edit(struct req *r, struct resp *w);
void web_member_update(struct req *r, struct resp *w);
void web_member_update_resume(struct req *r, struct resp *w);
/* The safe-migration reference (web/reference.c). */
void web_audit(struct req *r, struct resp *w);
void web_reference(struct req *r, struct resp *w);
void web_reference_channels(struct req *r, struct resp *w);
void web_reference_documents(struct req *r, struct resp *w);
void web_reference_hotlines(struct req *r, struct resp *w);
void web_outreach(struct req *r, struct resp *w);
void web_outreach_create(struct req *r, struct resp *w);
void web_outreach_create_resume(struct req *r, struct resp *w);
void web_group_search(struct req *r, struct resp *w);
void web_users(struct req *r, struct resp *w);
void web_user_approve(struct req *r, struct resp *w);
void web_user_update(struct req *r, struct resp *w);
void web_totp_enrol(struct req *r, struct resp *w);
void web_totp_confirm(struct req *r, struct resp *w);
void web_totp_remove(struct req *r, struct resp *w);
void web_trainings(struct req *r, struct resp *w);
void web_training_create(struct req *r, struct resp *w);
void web_training_show(struct req *r, struct resp *w);
void web_training_figures(struct req *r, struct resp *w);
void web_advice(struct req *r, struct resp *w);
void web_advice_new(struct req *r, struct resp *w);
void web_advice_create(struct req *r, struct resp *w);
void web_advice_create_resume(struct req *r, struct resp *w);
void web_advice_done(struct req *r, struct resp *w);
/* The dashboard of the network's results (web/reports.c). */
void web_reports(struct req *r, struct resp *w);
void web_reports_csv(struct req *r, struct resp *w);
void web_reports_xlsx(struct req *r, struct resp *w);

/* "/assets/NAME?v=VERSION": the URL of a built-in asset whose version
 * changes with its content (so it may be cached). Caller frees. */
char *asset_url(const char *name);

#endif
