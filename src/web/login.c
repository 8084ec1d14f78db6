/* Sign-in and sign-out pages, and the home page that leads to one or the
 * other. */
#include "web/page.h"

#include <string.h>

#include <sodium.h>

#include "app.h"
#include "auth/session.h"
#include "domain/totp.h"

#define SESSION_COOKIE "cbpn_session"

void web_home(struct req *r, struct resp *w)
{
    resp_redirect(w, r->actor != NULL ? page_home(r->actor) : "/login");
}

/* The sign-in form; failed true adds the generic refusal, totp the request
 * for the authenticator's code. username (may be NULL) is put back in its
 * field. The code field is always there, optional: an account without TOTP
 * leaves it empty; one with TOTP that left it empty is asked again (with
 * the password: the server keeps no half-signed-in state). */
static void login_page(struct req *r, struct resp *w, bool failed, bool totp, const char *username)
{
    struct buf *b = &w->body;
    bool carrying = form_carrying(r);

    page_begin(r, w, tr(r, MSG_LOGIN_TITLE), "/login");
    h_raw(b, "<h1>");
    h_text(b, tr(r, MSG_LOGIN_TITLE));
    h_raw(b, "</h1>");
    if (carrying)
        h_para(b, "notice", "session-ended", "alert", tr(r, MSG_SESSION_ENDED));
    if (totp) {
        h_para(b, "error", "login-totp-needed", "alert", tr(r, MSG_LOGIN_TOTP_NEEDED));
    } else if (failed) {
        h_para(b, "error", "login-error", "alert", tr(r, MSG_LOGIN_FAILED));
    } else if (req_query(r, "out") != NULL) {
        bool all = strcmp(req_query(r, "out"), "all") == 0;
        h_para(b, "notice", "signed-out", NULL,
               tr(r, all ? MSG_SIGNED_OUT_EVERYWHERE : MSG_SIGNED_OUT));
    }
    h_raw(b, "<p>");
    h_text(b, tr(r, MSG_LOGIN_INTRO));
    h_raw(b, "</p><form method=\"post\" autocomplete=\"off\" action=\"/login\" id=\"login-form\" "
             "class=\"stack\">");
    page_csrf(r, w);
    if (carrying)
        form_carry(r, b);
    h_raw(b, "<label for=\"username\">");
    h_text(b, tr(r, MSG_USERNAME));
    h_raw(b, "</label><input id=\"username\" name=\"username\" required maxlength=\"64\" "
             "autocomplete=\"off\" autocapitalize=\"none\" spellcheck=\"false\"");
    h_attr(b, "value", username);
    h_flag(b, "autofocus", username == NULL);
    /* The password: one-time-code, because Chromium's password manager
     * ignores autocomplete="off" on a password and offers to save it (on a
     * shared phone a saved password is the worst leak); a field marked
     * one-time-code it leaves alone (tests/e2e/shared_phone.test.mjs). */
    h_raw(b, "><label for=\"password\">");
    h_text(b, tr(r, MSG_PASSWORD));
    h_raw(b, "</label><input id=\"password\" name=\"password\" type=\"password\" required "
             "maxlength=\"1024\" autocomplete=\"one-time-code\"");
    h_flag(b, "autofocus", username != NULL && !totp);
    h_raw(b, "><label for=\"totp\">");
    h_text(b, tr(r, MSG_LOGIN_TOTP));
    h_raw(b, "</label><input id=\"totp\" name=\"totp\" inputmode=\"numeric\" "
             "pattern=\"[0-9]{6}\" maxlength=\"6\" autocomplete=\"off\"");
    h_flag(b, "required", totp);
    h_raw(b, "><button type=\"submit\" id=\"login-submit\">");
    h_text(b, tr(r, MSG_LOGIN_BUTTON));
    h_raw(b, "</button></form>");
    page_end(r, w);
}

void web_login_page(struct req *r, struct resp *w, bool failed, const char *username)
{
    login_page(r, w, failed, false, username);
}

void web_login_form(struct req *r, struct resp *w)
{
    if (r->actor != NULL) {
        resp_redirect(w, page_home(r->actor));
        return;
    }
    web_login_page(r, w, false, NULL);
}

void web_login(struct req *r, struct resp *w)
{
    const char *username = req_form(r, "username");
    const char *password = req_form(r, "password");
    char token[TOKEN_SIZE];
    struct actor a;
    enum err e;

    if (username == NULL || password == NULL || *username == '\0' || *password == '\0' ||
        strlen(username) > USERNAME_MAX) {
        /* The same answer as a wrong password. */
        web_login_page(r, w, true,
                       username != NULL && strlen(username) <= USERNAME_MAX ? username : NULL);
        return;
    }
    memset(&a, 0, sizeof a);
    struct ctx cx = {.db = r->db, .key = r->app->key};
    struct login_factor f;
    const char *code = req_form(r, "totp");
    totp_login_factor(&cx, code != NULL && code[0] != '\0' ? code : NULL, &f);
    e = auth_login_factor(r->db, r->app->key, username, password, r->client_addr, SESSION_WEB, &f,
                          token, &a);
    switch (e) {
    case ERR_OK:
        if (r->actor != NULL && r->token != NULL) {
            /* A new sign-in replaces the session this browser had. */
            auth_logout(r->db, r->actor->token_hash);
        }
        /* A new session id, never one the browser brought; the pre-session
         * token has done its work. */
        resp_cookie(w, SESSION_COOKIE, token, -1);
        resp_cookie(w, "cbpn_pre", "", 0);
        sodium_memzero(token, sizeof token);
        /* A form sent after the session ended: shown again, filled in
         * (not to a session that may only enrol a second factor). */
        if (a.enrol_only)
            resp_redirect(w, "/account");
        else if (!form_resume(r, w, &a))
            resp_redirect(w, page_home(&a));
        actor_free(&a);
        return;
    case ERR_UNAUTHENTICATED:
        web_login_page(r, w, true, username);
        return;
    case ERR_TOTP_REQUIRED:
        login_page(r, w, true, true, username);
        return;
    case ERR_RATE_LIMITED:
        resp_header(w, "Retry-After", "900");
        page_fail(r, w, e);
        return;
    default:
        page_fail(r, w, e);
        return;
    }
}

void web_logout(struct req *r, struct resp *w)
{
    if (r->actor != NULL) {
        /* Never say "signed out" while the session still works: the browser
         * keeps its cookie and the person can try again. */
        enum err e = auth_logout(r->db, r->actor->token_hash);
        if (e != ERR_OK) {
            page_fail(r, w, e);
            return;
        }
    }
    page_signed_out(r, w, "1");
}
