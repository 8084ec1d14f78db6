/* The ways out on a shared phone: the account page with "sign out
 * everywhere", the quick exit, and what every sign-out clears. */
#include "web/page.h"

#include "app.h"
#include "auth/session.h"
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

void web_account(struct req *r, struct resp *w)
{
    struct buf *b = &w->body;
    const struct user_rec *u = &r->actor->user;

    page_begin(r, w, tr(r, MSG_ACCOUNT_TITLE), "/account");
    h_raw(b, "<h1>");
    h_text(b, tr(r, MSG_ACCOUNT_TITLE));
    h_raw(b, "</h1><p id=\"account-user\">");
    h_text_sub(b, tr(r, MSG_SIGNED_IN_AS), u->username);
    h_raw(b, "</p><h2>");
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
