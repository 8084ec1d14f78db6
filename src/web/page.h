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

/* The message m in the request's language. Static. */
const char *tr(const struct req *r, enum msg m);
/* The domain context of the request: its connection, the data key, the
 * signed-in actor and the gazetteer. */
struct ctx page_ctx(const struct req *r);

/* Starts an HTML page on w (status 200 unless set before): head, the top
 * bar with navigation, the language switch and sign-out, then <main>.
 * title is plain text (escaped). self is the local URL of this page for the
 * language links (path and query, already URL-encoded; no "lang"). */
void page_begin(struct req *r, struct resp *w, const char *title, const char *self);
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

/* The label of code in list in the request's language; the code itself
 * when unknown. Static. */
const char *code_label(const struct req *r, enum code_list list, const char *code);
/* tmpl with each "%s" replaced by arg, as plain text (no printf). Caller
 * frees. */
char *text_sub(const char *tmpl, const char *arg);
/* The date part ("YYYY-MM-DD") of an RFC 3339 time, escaped. */
void h_date(struct buf *b, const char *ts);

struct fieldset;
/* Moves the form fields that fs declares (domain/fields.h) into the input
 * at in, which the caller has zeroed and fields_init()ed; a whole number or
 * a yes/no answer that does not parse is a field error. Returns how many
 * fields the form carried. */
int form_fields(const struct req *r, const struct fieldset *fs, void *in, struct fielderrs *fe);

/* Handlers (routes.c). */
void web_home(struct req *r, struct resp *w);
void web_login_form(struct req *r, struct resp *w);
void web_login(struct req *r, struct resp *w);
void web_logout(struct req *r, struct resp *w);
void web_cases(struct req *r, struct resp *w);
void web_cases_search(struct req *r, struct resp *w);
void web_case_new(struct req *r, struct resp *w);
void web_case_create(struct req *r, struct resp *w);
void web_case_show(struct req *r, struct resp *w);
void web_asset(struct req *r, struct resp *w);

/* "/assets/NAME?v=VERSION": the URL of a built-in asset whose version
 * changes with its content (so it may be cached). Caller frees. */
char *asset_url(const char *name);

#endif
