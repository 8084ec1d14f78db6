/* The page layout, error pages and labels shared by the page handlers. */
#include "web/page.h"

#include "domain/idem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "auth/perm.h"
#include "util/alloc.h"
#include "util/embed.h"
#include "web/web.h"

static const enum msg concern_msgs[CONCERN__MAX] = {
    [CONCERN_TRAFFICKING] = MSG_CONCERN_TRAFFICKING,
    [CONCERN_FORCED_LABOUR] = MSG_CONCERN_FORCED_LABOUR,
    [CONCERN_LABOUR_EXPLOITATION] = MSG_CONCERN_LABOUR_EXPLOITATION,
    [CONCERN_UNSAFE_MIGRATION] = MSG_CONCERN_UNSAFE_MIGRATION,
    [CONCERN_DOMESTIC_VIOLENCE] = MSG_CONCERN_DOMESTIC_VIOLENCE,
    [CONCERN_SEXUAL_VIOLENCE] = MSG_CONCERN_SEXUAL_VIOLENCE,
    [CONCERN_OTHER_VIOLENCE] = MSG_CONCERN_OTHER_VIOLENCE,
    [CONCERN_CHILD_AT_RISK] = MSG_CONCERN_CHILD_AT_RISK,
    [CONCERN_OTHER] = MSG_CONCERN_OTHER,
};

static const enum msg status_msgs[STATUS__MAX] = {
    [STATUS_REPORTED] = MSG_STATUS_REPORTED,
    [STATUS_OPEN] = MSG_STATUS_OPEN,
    [STATUS_CLOSURE_REQUESTED] = MSG_STATUS_CLOSURE_REQUESTED,
    [STATUS_CLOSED] = MSG_STATUS_CLOSED,
};

static const enum msg risk_msgs[RISK__MAX] = {
    [RISK_LOW] = MSG_RISK_LOW,
    [RISK_MEDIUM] = MSG_RISK_MEDIUM,
    [RISK_HIGH] = MSG_RISK_HIGH,
};

static const enum msg sex_msgs[SEX__MAX] = {
    [SEX_FEMALE] = MSG_SEX_FEMALE,
    [SEX_MALE] = MSG_SEX_MALE,
    [SEX_OTHER] = MSG_SEX_OTHER,
    [SEX_UNKNOWN] = MSG_SEX_UNKNOWN,
};

static const enum msg *const label_tables[LIST__MAX] = {
    [LIST_CONCERN] = concern_msgs,
    [LIST_STATUS] = status_msgs,
    [LIST_RISK] = risk_msgs,
    [LIST_SEX] = sex_msgs,
};

const char *tr(const struct req *r, enum msg m)
{
    return i18n_text(r->lang, m);
}

struct ctx page_ctx(const struct req *r)
{
    struct ctx cx = {.db = r->db, .actor = r->actor};
    if (r->app != NULL) {
        cx.key = r->app->key;
        cx.places = r->app->places;
        cx.screening = r->app->screening;
    }
    return cx;
}

const char *code_label(const struct req *r, enum code_list list, const char *code)
{
    int i = code_parse(list, code);
    if (i < 0 || (int)list < 0 || list >= LIST__MAX || label_tables[list] == NULL)
        return code != NULL ? code : "";
    return tr(r, label_tables[list][i]);
}

char *text_sub(const char *tmpl, const char *arg)
{
    struct buf b = {0};
    const char *s = tmpl, *p;
    while ((p = strstr(s, "%s")) != NULL) {
        buf_put(&b, s, (size_t)(p - s));
        buf_puts(&b, arg != NULL ? arg : "");
        s = p + 2;
    }
    buf_puts(&b, s);
    return buf_steal(&b);
}

void h_date(struct buf *b, const char *ts)
{
    if (ts != NULL)
        html_escape(b, ts, strnlen(ts, 10));
}

char *asset_url(const char *name)
{
    char path[64];
    unsigned long h = 2166136261UL; /* FNV-1a of the content */
    int n = snprintf(path, sizeof path, "assets/%s", name);
    const struct embedded_file *f = (n > 0 && (size_t)n < sizeof path) ? embed_find(path) : NULL;
    if (f != NULL) {
        for (size_t i = 0; i < f->len; i++)
            h = ((h ^ f->data[i]) * 16777619UL) & 0xffffffffUL;
    }
    return xasprintf("/assets/%s?v=%08lx", name, h);
}

void page_csrf(struct req *r, struct resp *w)
{
    struct buf *b = &w->body;
    h_raw(b, "<input type=\"hidden\" name=\"csrf\"");
    h_attr(b, "value", http_form_token(r, w));
    h_raw(b, ">");
}

void page_idempotency_key(struct req *r, struct resp *w)
{
    char fresh[ID_SIZE];
    const char *sent = r->method == M_POST ? req_form(r, "idempotency_key") : NULL;
    if (!idem_key_valid(sent)) {
        crypto_random_id(fresh);
        sent = fresh;
    }
    h_raw(&w->body, "<input type=\"hidden\" name=\"idempotency_key\"");
    h_attr(&w->body, "value", sent);
    h_raw(&w->body, ">");
}

/* Links to the other languages, keeping the page. */
static void lang_links(struct req *r, struct resp *w, const char *self)
{
    struct buf *b = &w->body;
    h_raw(b, "<nav class=\"lang\"");
    h_attr(b, "aria-label", tr(r, MSG_LANG_SWITCH));
    h_raw(b, ">");
    for (int l = 0; l < LANG__MAX; l++) {
        if ((enum lang)l == r->lang)
            continue;
        char *href =
            xasprintf("%s%slang=%s", self, strchr(self, '?') ? "&" : "?", lang_code((enum lang)l));
        char id[16];
        snprintf(id, sizeof id, "lang-%s", lang_code((enum lang)l));
        h_open(b, "a", "href", href, "id", id, "hreflang", lang_code((enum lang)l), "lang",
               lang_code((enum lang)l), H_END);
        h_text(b, i18n_text((enum lang)l, MSG_LANG_ENDONYM));
        h_close(b, "a");
        free(href);
    }
    h_raw(b, "</nav>");
}

void page_begin(struct req *r, struct resp *w, const char *title, const char *self)
{
    struct buf *b = &w->body;
    char *css = asset_url("cbpn.css");
    char *js = asset_url("cbpn.js");

    if (w->status == 0)
        w->status = 200;
    w->content_type = HTML_TYPE;
    h_raw(b, "<!doctype html>\n<html");
    h_attr(b, "lang", lang_code(r->lang));
    h_raw(b, "><head><meta charset=\"utf-8\">"
             "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
             "<meta name=\"referrer\" content=\"no-referrer\"><title>");
    h_text(b, title);
    h_raw(b, " · ");
    h_text(b, tr(r, MSG_APP_NAME));
    h_raw(b, "</title><link rel=\"stylesheet\"");
    h_attr(b, "href", css);
    h_raw(b, "><script defer");
    h_attr(b, "src", js);
    h_raw(b, "></script></head>\n<body><header class=\"top\"><a class=\"brand\" href=\"/\">");
    h_text(b, tr(r, MSG_APP_NAME));
    h_raw(b, "</a>");
    lang_links(r, w, self != NULL ? self : "/");
    if (r->actor != NULL) {
        h_raw(b, "<nav class=\"main\">");
        if (perm_allows(r->actor->role, ACT_CASE_READ)) {
            h_raw(b, "<a href=\"/cases\" id=\"nav-cases\">");
            h_text(b, tr(r, MSG_NAV_CASES));
            h_raw(b, "</a>");
        }
        if (perm_allows(r->actor->role, ACT_CASE_CREATE)) {
            h_raw(b, "<a href=\"/cases/new\" id=\"nav-report\">");
            h_text(b, tr(r, MSG_NAV_REPORT));
            h_raw(b, "</a>");
        }
        h_raw(b, "</nav><form method=\"post\" action=\"/logout\" id=\"logout-form\">");
        page_csrf(r, w);
        h_raw(b, "<span class=\"who\">");
        h_text_sub(b, tr(r, MSG_SIGNED_IN_AS), r->actor->user.username);
        h_raw(b, "</span> <button type=\"submit\" id=\"sign-out\">");
        h_text(b, tr(r, MSG_SIGN_OUT));
        h_raw(b, "</button></form>");
    }
    h_raw(b, "</header>\n<main id=\"main\">");
    free(css);
    free(js);
}

void page_end(struct req *r, struct resp *w)
{
    (void)r;
    h_raw(&w->body, "</main></body></html>\n");
}

void web_error_page(struct req *r, struct resp *w, enum err e)
{
    enum msg title, text;
    switch (e) {
    case ERR_NOT_FOUND:
        title = MSG_NOT_FOUND_TITLE;
        text = MSG_NOT_FOUND_TEXT;
        break;
    case ERR_FORBIDDEN:
    case ERR_UNAUTHENTICATED:
        title = MSG_FORBIDDEN_TITLE;
        text = MSG_FORBIDDEN_TEXT;
        break;
    case ERR_RATE_LIMITED:
        title = MSG_RATE_LIMITED_TITLE;
        text = MSG_RATE_LIMITED_TEXT;
        break;
    case ERR_BAD_REQUEST:
    case ERR_METHOD:
    case ERR_TOO_LARGE:
    case ERR_MEDIA_TYPE:
    case ERR_VALIDATION:
    case ERR_CONFLICT:
    case ERR_CONSENT:
        title = MSG_BAD_REQUEST_TITLE;
        text = MSG_BAD_REQUEST_TEXT;
        break;
    default:
        title = MSG_ERROR_TITLE;
        text = MSG_ERROR_TEXT;
        break;
    }
    buf_reset(&w->body);
    w->cacheable = false;
    w->status = err_status(e);
    /* The request is never echoed: the language links lead to the home page. */
    page_begin(r, w, tr(r, title), "/");
    h_raw(&w->body, "<h1>");
    h_text(&w->body, tr(r, title));
    h_raw(&w->body, "</h1><p class=\"notice\" id=\"error-text\">");
    h_text(&w->body, tr(r, text));
    h_raw(&w->body, "</p><p><a href=\"/\">");
    h_text(&w->body, tr(r, MSG_HOME));
    h_raw(&w->body, "</a></p>");
    page_end(r, w);
}

void page_fail(struct req *r, struct resp *w, enum err e)
{
    web_error_page(r, w, e);
}
