/* The ways out on a shared phone: the account page with "sign out
 * everywhere", the quick exit, and what every sign-out clears. The account
 * page also holds the authenticator (TOTP, domain/totp.h): set up (the key
 * shown once, on the answer of POST /account/totp), confirmed by a code,
 * turned off with a code. An enrol_only session reaches this page and
 * nothing else (http/server.c sends it here). */
#include "web/page.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "auth/session.h"
#include "domain/totp.h"
#include "util/alloc.h"
#include "util/log.h"

void page_clear_site(struct resp *w)
{
    /* The browser drops this site's cookies, storage and cache (over TLS
     * or on localhost: a secure context); the cookies are also deleted the
     * old way, for a browser without Clear-Site-Data. */
    resp_header(w, "Clear-Site-Data", "\"cache\", \"cookies\", \"storage\"");
    resp_cookie(w, "cbpn_session", "", 0);
    resp_cookie(w, "cbpn_pre", "", 0);
}

void page_signed_out(struct req *r, struct resp *w, const char *out)
{
    page_clear_site(w);
    /* Clear-Site-Data takes the language cookie too: the sign-in page
     * gets the language back from its URL (?lang= sets the cookie again). */
    char *to = xasprintf("/login?out=%s&lang=%s", out, lang_code(r->lang));
    resp_redirect(w, to);
    free(to);
}

/* A form of the TOTP section: action, an optional code field, a button. */
static void totp_form(struct req *r, struct resp *w, const char *action, const char *id, bool code,
                      enum msg button)
{
    struct buf *b = &w->body;
    h_open(b, "form", "method", "post", "autocomplete", "off", "action", action, "id", id, "class",
           "stack", H_END);
    page_csrf(r, w);
    if (code) {
        char fid[48];
        snprintf(fid, sizeof fid, "%s-code", id);
        h_label(r, b, fid, MSG_TOTP_CODE, false);
        h_open(b, "input", "id", fid, "name", "code", "required", "required", "inputmode",
               "numeric", "pattern", "[0-9]{6}", "maxlength", "6", "autocomplete", "off", H_END);
    }
    h_raw(b, "<button type=\"submit\">");
    h_text(b, tr(r, button));
    h_raw(b, "</button></form>");
}

/* The account page; secret and uri: a key just made (shown this once);
 * wrong: a code was refused. */
static void account_page(struct req *r, struct resp *w, const char *secret, const char *uri,
                         bool wrong)
{
    struct buf *b = &w->body;
    const struct user_rec *u = &r->actor->user;
    struct ctx cx = page_ctx(r);
    enum totp_status st = TOTP_NONE;
    bool required = false;
    enum err e = totp_status_get(&cx, &st, &required);
    if (e != ERR_OK) {
        page_fail(r, w, e);
        return;
    }

    page_begin(r, w, tr(r, MSG_ACCOUNT_TITLE), "/account");
    h_raw(b, "<h1>");
    h_text(b, tr(r, MSG_ACCOUNT_TITLE));
    h_raw(b, "</h1>");
    const char *ok = req_query(r, "ok");
    if (ok != NULL && strcmp(ok, "totp-on") == 0)
        page_notice(b, "totp-on-notice", tr(r, MSG_TOTP_ON));
    if (ok != NULL && strcmp(ok, "totp-off") == 0)
        page_notice(b, "totp-off-notice", tr(r, MSG_TOTP_OFF));
    if (r->actor->enrol_only)
        h_para(b, "notice", "totp-required", "alert", tr(r, MSG_TOTP_REQUIRED_NOTE));
    if (wrong)
        h_para(b, "error", "totp-error", "alert", tr(r, MSG_TOTP_WRONG));
    h_raw(b, "<p id=\"account-user\">");
    h_text_sub(b, tr(r, MSG_SIGNED_IN_AS), u->username);
    h_raw(b, "</p>");

    h_raw(b, "<h2 id=\"totp-title\">");
    h_text(b, tr(r, MSG_TOTP_TITLE));
    h_raw(b, "</h2>");
    h_open(b, "div", "id", "totp", "data-status", totp_status_code(st), H_END);
    if (secret != NULL) {
        h_raw(b, "<p>");
        h_text(b, tr(r, MSG_TOTP_SECRET_TEXT));
        h_raw(b, "</p><p>");
        h_text(b, tr(r, MSG_TOTP_SECRET));
        h_raw(b, ": <code id=\"totp-secret\">");
        h_text(b, secret);
        h_raw(b, "</code></p><p><a id=\"totp-uri\" rel=\"noreferrer\"");
        h_attr(b, "href", uri);
        h_raw(b, ">");
        h_text(b, tr(r, MSG_TOTP_START));
        h_raw(b, "</a></p>");
        totp_form(r, w, "/account/totp/confirm", "totp-confirm", true, MSG_TOTP_CONFIRM);
    } else if (st == TOTP_ACTIVE) {
        h_para(b, NULL, "totp-active", NULL, tr(r, MSG_TOTP_ACTIVE));
        totp_form(r, w, "/account/totp/remove", "totp-remove", true, MSG_TOTP_REMOVE);
    } else {
        h_para(b, NULL, "totp-intro", NULL, tr(r, MSG_TOTP_INTRO));
        if (st == TOTP_PENDING)
            h_para(b, "note", "totp-pending", NULL, tr(r, MSG_TOTP_PENDING));
        totp_form(r, w, "/account/totp", "totp-start", false, MSG_TOTP_START);
    }
    h_raw(b, "</div>");

    h_raw(b, "<h2>");
    h_text(b, tr(r, MSG_SIGN_OUT_EVERYWHERE));
    h_raw(b, "</h2><p>");
    h_text(b, tr(r, MSG_SIGN_OUT_EVERYWHERE_TEXT));
    h_raw(b, "</p><form method=\"post\" autocomplete=\"off\" action=\"/account/sessions\" "
             "id=\"sign-out-everywhere-form\" class=\"stack\">");
    page_csrf(r, w);
    h_raw(b, "<button type=\"submit\" id=\"sign-out-everywhere\">");
    h_text(b, tr(r, MSG_SIGN_OUT_EVERYWHERE));
    h_raw(b, "</button></form>");
    page_end(r, w);
}

void web_account(struct req *r, struct resp *w)
{
    account_page(r, w, NULL, NULL, false);
}

void web_totp_enrol(struct req *r, struct resp *w)
{
    struct ctx cx = page_ctx(r);
    char *b32 = NULL, *uri = NULL;
    enum err e = totp_enrol(&cx, &b32, &uri);
    if (e == ERR_CONFLICT) { /* on already: the page says so */
        resp_redirect(w, "/account");
        return;
    }
    if (e != ERR_OK) {
        page_fail(r, w, e);
        return;
    }
    account_page(r, w, b32, uri, false);
    sodium_memzero(b32, strlen(b32));
    sodium_memzero(uri, strlen(uri));
    free(b32);
    free(uri);
}

/* A code sent to confirm or remove: the page again when it was wrong. */
static void totp_answer(struct req *r, struct resp *w, enum err e, const char *done)
{
    switch (e) {
    case ERR_OK:
        resp_redirect(w, done);
        return;
    case ERR_VALIDATION:
        w->status = 422;
        account_page(r, w, NULL, NULL, true);
        return;
    case ERR_CONFLICT:
    case ERR_NOT_FOUND: /* nothing pending, or nothing on: the page as it is */
        resp_redirect(w, "/account");
        return;
    case ERR_RATE_LIMITED:
        resp_header(w, "Retry-After", "900");
        page_fail(r, w, e);
        return;
    default:
        page_fail(r, w, e);
    }
}

void web_totp_confirm(struct req *r, struct resp *w)
{
    struct ctx cx = page_ctx(r);
    struct fielderrs fe = {0};
    const char *code = req_form(r, "code");
    totp_answer(r, w, totp_confirm(&cx, code, r->client_addr, &fe), "/account?ok=totp-on");
}

void web_totp_remove(struct req *r, struct resp *w)
{
    struct ctx cx = page_ctx(r);
    struct fielderrs fe = {0};
    const char *code = req_form(r, "code");
    totp_answer(r, w, totp_remove(&cx, code, r->client_addr, &fe), "/account?ok=totp-off");
}

void web_sign_out_everywhere(struct req *r, struct resp *w)
{
    /* Never say "signed out" while a session still works. */
    enum err e = auth_logout_everywhere(r->db, r->actor->user.id, NULL);
    if (e != ERR_OK) {
        page_fail(r, w, e);
        return;
    }
    page_signed_out(r, w, "all");
}

void web_exit(struct req *r, struct resp *w)
{
    /* The session ends (a GET: a tap must be enough, and another site's
     * link carries no SameSite=Strict cookie, so it ends nothing). A failure
     * to end it still leaves the page: the person must get away. */
    if (r->actor != NULL && auth_logout(r->db, r->actor->token_hash) != ERR_OK)
        log_error("web: the quick exit could not end a session; its cookie is cleared");
    page_clear_site(w);
    w->status = 200;
    w->content_type = HTML_TYPE;
    /* A blank page of this site: nothing to load on 2G, no other site told
     * of the visit, and nothing on it says what was open. */
    h_raw(&w->body, "<!doctype html>\n<html><head><meta charset=\"utf-8\">"
                    "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
                    "<meta name=\"referrer\" content=\"no-referrer\"><title>" PAGE_TITLE
                    "</title></head><body></body></html>\n");
}
