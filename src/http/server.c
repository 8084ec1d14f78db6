/* The server: libmicrohttpd with a pool of worker threads (epoll), limits,
 * sessions, CSRF, language, security headers and the access log. */
#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "app.h"
#include "audit/audit.h"
#include "domain/idem.h"
#include "domain/users.h"
#include "http/http.h"
#include "util/alloc.h"
#include "util/clock.h"
#include "util/hex.h"
#include "util/log.h"
#include "util/utf8.h"

#define URL_MAX           2048
#define BODY_DRAIN_MAX    (16 * 1024 * 1024) /* past this a too-large body is not read */
#define CONN_MEMORY_LIMIT (64 * 1024)        /* headers and URL of one request */

struct server {
    struct MHD_Daemon *d;
    struct app *app;
    const struct route *routes;
    size_t nroutes;
    error_page_fn error_page;
    handler_fn resume_page;
    bool secure_cookies;
    struct http_proxies trusted_proxies;
    atomic_int inflight;
    unsigned port;
};

/* One request's state, from its first byte to its completion. */
struct conn_state {
    struct server *srv;
    struct MHD_Connection *c;
    struct buf body;
    bool too_large;
    bool body_done;
    size_t received; /* body bytes read, kept or drained */
    int64_t started_ms;
    struct kv *form;
    int nform;
    bool form_parsed;
    char *params[HTTP_PARAMS_MAX];
    char *pre_token; /* pre-session CSRF token handed out with this answer */
    struct actor actor;
};

static const char CSP[] = "default-src 'none'; script-src 'self'; style-src 'self'; "
                          "img-src 'self'; connect-src 'self'; form-action 'self'; "
                          "base-uri 'none'; frame-ancestors 'none'";

/* ---- request accessors ---- */

static struct conn_state *state(const struct req *r)
{
    return r->impl;
}

const char *req_query(const struct req *r, const char *key)
{
    return MHD_lookup_connection_value(state(r)->c, MHD_GET_ARGUMENT_KIND, key);
}

const char *req_header(const struct req *r, const char *name)
{
    return MHD_lookup_connection_value(state(r)->c, MHD_HEADER_KIND, name);
}

const char *req_cookie(const struct req *r, const char *name)
{
    return MHD_lookup_connection_value(state(r)->c, MHD_COOKIE_KIND, name);
}

bool req_content_type_is(const struct req *r, const char *type)
{
    const char *ct = req_header(r, MHD_HTTP_HEADER_CONTENT_TYPE);
    if (ct == NULL)
        return false;
    size_t n = strlen(type);
    if (strncasecmp(ct, type, n) != 0)
        return false;
    return ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ';
}

/* Parses the form body once. false when it is malformed (400). */
static bool form_parse_once(struct conn_state *st)
{
    if (!st->form_parsed) {
        st->form_parsed = true;
        st->nform = form_parse(st->body.p, st->body.len, HTTP_FIELDS_MAX, &st->form);
    }
    return st->nform >= 0;
}

const char *req_form(const struct req *r, const char *name)
{
    struct conn_state *st = state(r);
    form_parse_once(st);
    for (int i = 0; i < st->nform; i++)
        if (strcmp(st->form[i].key, name) == 0)
            return st->form[i].value;
    return NULL;
}

int req_form_all(const struct req *r, const char *name, const char **out, int max)
{
    struct conn_state *st = state(r);
    int n = 0;
    form_parse_once(st);
    for (int i = 0; i < st->nform && n < max; i++)
        if (strcmp(st->form[i].key, name) == 0)
            out[n++] = st->form[i].value;
    return n;
}

/* The pre-session CSRF token: "<issued>.<nonce>.<mac>", issued at the
 * time <issued> (seconds), nonce 32 random bytes in base64url, mac the data
 * key's keyed hash of "<issued>.<nonce>". Only the server makes one: a
 * cookie the client chose (or another site planted) does not verify and is
 * replaced, and a token runs out after PRE_TOKEN_SECONDS. Every server of
 * one database shares the data key, so any of them checks any token. */
#define PRE_TOKEN_SECONDS (2 * 60 * 60)
#define PRE_TOKEN_MAX     (20 + 1 + TOKEN_SIZE + KEYED_HASH_SIZE)

static void pre_token_mac(const struct datakey *k, const char *body, size_t n,
                          char mac[KEYED_HASH_SIZE])
{
    if (k == NULL) { /* a server without a key (a test's): nothing verifies */
        memset(mac, '0', KEYED_HASH_SIZE - 1);
        mac[KEYED_HASH_SIZE - 1] = '\0';
        return;
    }
    char *text = xmalloc(n + 1);
    memcpy(text, body, n);
    text[n] = '\0';
    crypto_keyed_hash(k, "pre_session_csrf", text, mac);
    free(text);
}

/* Whether t is a token this server issued less than max_age seconds before now. */
static bool pre_token_valid(const struct datakey *k, const char *t, int64_t now, int64_t max_age)
{
    if (k == NULL || t == NULL || strlen(t) >= PRE_TOKEN_MAX)
        return false;
    const char *dot1 = strchr(t, '.');
    const char *dot2 = dot1 != NULL ? strchr(dot1 + 1, '.') : NULL;
    if (dot1 == NULL || dot2 == NULL || dot1 == t || dot2 - dot1 - 1 != TOKEN_SIZE - 1 ||
        strlen(dot2 + 1) != KEYED_HASH_SIZE - 1)
        return false;
    int64_t issued = 0;
    for (const char *p = t; p < dot1; p++) {
        if (*p < '0' || *p > '9' || issued > (INT64_MAX - 9) / 10)
            return false;
        issued = issued * 10 + (*p - '0');
    }
    if (issued > now + 60 || now - issued >= max_age)
        return false;
    char mac[KEYED_HASH_SIZE];
    pre_token_mac(k, t, (size_t)(dot2 - t), mac);
    return crypto_str_equal(mac, dot2 + 1);
}

static char *pre_token_new(const struct datakey *k, int64_t now)
{
    char nonce[TOKEN_SIZE], mac[KEYED_HASH_SIZE];
    crypto_token(nonce);
    char *body = xasprintf("%lld.%s", (long long)now, nonce);
    pre_token_mac(k, body, strlen(body), mac);
    char *t = xasprintf("%s.%s", body, mac);
    free(body);
    return t;
}

static const struct datakey *server_key(const struct conn_state *st)
{
    return st->srv->app != NULL ? st->srv->app->key : NULL;
}

const char *http_form_token(struct req *r, struct resp *w)
{
    struct conn_state *st = state(r);
    if (r->actor != NULL)
        return r->actor->csrf;
    if (st->pre_token != NULL)
        return st->pre_token;
    const struct datakey *k = server_key(st);
    const char *have = req_cookie(r, "cbpn_pre");
    int64_t now = clock_now();
    /* A token still good for a while is kept (two tabs share the cookie);
     * one near its end is replaced so that a form shown now can be sent. */
    if (pre_token_valid(k, have, now, PRE_TOKEN_SECONDS / 2)) {
        st->pre_token = xstrdup(have);
    } else {
        st->pre_token = pre_token_new(k, now);
        resp_cookie(w, "cbpn_pre", st->pre_token, -1);
    }
    return st->pre_token;
}

/* ---- answering ---- */

static enum MHD_Result send_resp(struct conn_state *st, struct req *r, struct resp *w,
                                 const struct route *rt)
{
    size_t len = w->body.len;
    char *body = buf_steal(&w->body);
    /* The answer may carry names and phones: wiped when libmicrohttpd is done with it. */
    struct MHD_Response *mr =
        MHD_create_response_from_buffer_with_free_callback(len, body, wipe_free);
    if (mr == NULL) {
        wipe_free(body);
        return MHD_NO;
    }
    MHD_add_response_header(mr, "Content-Type",
                            w->content_type ? w->content_type : "text/plain; charset=utf-8");
    MHD_add_response_header(mr, "Content-Security-Policy", CSP);
    MHD_add_response_header(mr, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(mr, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(mr, "X-Frame-Options", "DENY");
    MHD_add_response_header(mr, "Cross-Origin-Opener-Policy", "same-origin");
    MHD_add_response_header(mr, "Cross-Origin-Resource-Policy", "same-origin");
    /* Only built-in assets may be kept; every other answer may carry personal data. */
    if (w->cacheable)
        MHD_add_response_header(mr, "Cache-Control", "public, max-age=3600");
    else
        MHD_add_response_header(mr, "Cache-Control", "no-store");
    if (r->lang_chosen || (rt != NULL && (rt->flags & ROUTE_PAGE)))
        MHD_add_response_header(mr, "Vary", "Cookie, Accept-Language");
    for (int i = 0; i < w->nheaders; i++)
        MHD_add_response_header(mr, w->headers[i].key, w->headers[i].value);
    enum MHD_Result ret = MHD_queue_response(st->c, (unsigned)w->status, mr);
    MHD_destroy_response(mr);

    /* The route's pattern, never the path or query: no ids, names or tokens. */
    static const char *const mnames[M__MAX] = {"GET",   "HEAD",   "POST",    "PUT",
                                               "PATCH", "DELETE", "OPTIONS", "OTHER"};
    log_info("http %s %s %d %zu %lldms", mnames[r->method], rt ? rt->pattern : "(unmatched)",
             w->status, len, (long long)(clock_mono_ms() - st->started_ms));
    return ret;
}

static void resp_clear(struct resp *w)
{
    buf_free(&w->body);
    for (int i = 0; i < w->nheaders; i++) {
        free(w->headers[i].key);
        free(w->headers[i].value);
    }
    w->nheaders = 0;
}

static void fail(struct server *srv, struct req *r, struct resp *w, const struct route *rt,
                 bool api, enum err e)
{
    buf_reset(&w->body);
    if (api || srv->error_page == NULL) {
        resp_error(w, e, NULL);
    } else {
        srv->error_page(r, w, e);
        w->status = err_status(e);
    }
}

static bool is_api_path(const char *path)
{
    return strncmp(path, "/api/", 5) == 0 || strcmp(path, "/healthz") == 0;
}

static void choose_lang(struct req *r, struct resp *w)
{
    const char *q = req_query(r, "lang");
    enum lang l;
    if (q != NULL && lang_parse(q, &l)) {
        r->lang = l;
        r->lang_chosen = true;
        /* Not HttpOnly-relevant, but kept for a year; the choice is not personal. */
        resp_cookie(w, "cbpn_lang", lang_code(l), 365 * 24 * 3600);
        return;
    }
    const char *c = req_cookie(r, "cbpn_lang");
    if (c != NULL && lang_parse(c, &l)) {
        r->lang = l;
        r->lang_chosen = true;
        return;
    }
    r->lang = lang_negotiate(req_header(r, MHD_HTTP_HEADER_ACCEPT_LANGUAGE));
}

static const char *bearer(struct req *r)
{
    const char *h = req_header(r, MHD_HTTP_HEADER_AUTHORIZATION);
    if (h == NULL || strncasecmp(h, "Bearer ", 7) != 0)
        return NULL;
    h += 7;
    while (*h == ' ')
        h++;
    return h;
}

static bool query_valid(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    (void)kind;
    bool *ok = cls;
    if (!utf8_valid_text(key, strlen(key)) || (value && !utf8_valid_text(value, strlen(value))))
        *ok = false;
    return *ok;
}

static enum MHD_Result query_iter(void *cls, enum MHD_ValueKind kind, const char *key,
                                  const char *value)
{
    return query_valid(cls, kind, key, value) ? MHD_YES : MHD_NO;
}

/* Adds the length of one query argument ("&key=value") to *cls (a size_t):
 * the URL limit covers the query string, which MHD keeps apart from url. */
static enum MHD_Result query_len(void *cls, enum MHD_ValueKind kind, const char *key,
                                 const char *value)
{
    size_t *n = cls;
    (void)kind;
    *n += 2 + strlen(key) + (value != NULL ? strlen(value) : 0);
    return MHD_YES;
}

/* ---- the steps of a request ---- */

/* One request on its way through the steps of dispatch(). */
struct pass {
    struct conn_state *st;
    struct req r;
    struct resp w;
    const struct route *rt; /* NULL until route_find() matched one */
    bool api;               /* errors answered in JSON, the session from a bearer token */
    char addr[HTTP_ADDR_MAX];
};

/* Answers e the way the request's kind wants (JSON or a page); false, so
 * that a step can end with `return refuse(p, e);`. */
static bool refuse(struct pass *p, enum err e)
{
    fail(p->st->srv, &p->r, &p->w, p->rt, p->api, e);
    return false;
}

/* Keeps the value of the last X-Forwarded-For header in *cls (a const char **):
 * the last is the one a proxy added to what the client sent. */
static enum MHD_Result last_forwarded(void *cls, enum MHD_ValueKind kind, const char *key,
                                      const char *value)
{
    (void)kind;
    if (strcasecmp(key, "X-Forwarded-For") == 0)
        *(const char **)cls = value;
    return MHD_YES;
}

/* The request as the handler will see it: method, path, client address; Khmer
 * until choose_lang() says otherwise. */
static void req_init(struct pass *p, struct conn_state *st, const char *url, const char *method)
{
    struct server *srv = st->srv;
    *p = (struct pass){.st = st, .api = is_api_path(url)};
    p->r.method = method_parse(method);
    p->r.path = url;
    p->r.app = srv->app;
    p->r.impl = st;
    p->r.lang = LANG_KM;
    p->w.status = 200;
    p->w.secure_cookies = srv->secure_cookies;
    p->w.body.wipe = true;

    char peer[INET6_ADDRSTRLEN] = "";
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(st->c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (ci != NULL && ci->client_addr != NULL) {
        const struct sockaddr *sa = ci->client_addr;
        if (sa->sa_family == AF_INET)
            inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, peer,
                      sizeof(peer));
        else if (sa->sa_family == AF_INET6)
            inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, peer,
                      sizeof(peer));
    }
    const char *xff = NULL;
    if (srv->trusted_proxies.n > 0)
        MHD_get_connection_values(st->c, MHD_HEADER_KIND, last_forwarded, &xff);
    http_client_addr(&srv->trusted_proxies, peer, xff, p->addr);
    p->r.client_addr = p->addr;
}

/* The path and every query argument are valid UTF-8 text, else 400. */
static bool check_text(struct pass *p)
{
    bool qok = true;
    MHD_get_connection_values(p->st->c, MHD_GET_ARGUMENT_KIND, query_iter, &qok);
    if (!utf8_valid_text(p->r.path, strlen(p->r.path)) || !qok)
        return refuse(p, ERR_BAD_REQUEST);
    return true;
}

/* The language of the answer (after check_text: the query is text). */
static bool lang_step(struct pass *p)
{
    choose_lang(&p->r, &p->w);
    return true;
}

/* The body fitted in HTTP_BODY_MAX, else 413. */
static bool check_size(struct pass *p)
{
    if (p->st->too_large)
        return refuse(p, ERR_TOO_LARGE);
    return true;
}

/* The route of method and path, its {placeholders} copied into the request;
 * 404 for an unknown path, 405 with Allow for a known path and another method. */
static bool route_find(struct pass *p)
{
    struct server *srv = p->st->srv;
    const char *params[HTTP_PARAMS_MAX];
    bool known = false;
    const struct route *rt = route_match(srv->routes, srv->nroutes, p->r.method, p->r.path, params,
                                         &p->r.nparams, &known);
    if (rt == NULL) {
        refuse(p, known ? ERR_METHOD : ERR_NOT_FOUND);
        if (known) {
            char allow[64];
            route_allowed(srv->routes, srv->nroutes, p->r.path, allow, sizeof(allow));
            resp_header(&p->w, "Allow", allow);
        }
        return false;
    }
    for (int i = 0; i < p->r.nparams; i++) {
        p->st->params[i] = xstrdup(params[i]);
        p->r.params[i] = p->st->params[i];
    }
    p->rt = rt;
    p->api = (rt->flags & ROUTE_API) != 0;
    return true;
}

/* This worker's database connection, else 503. */
static bool store_attach(struct pass *p)
{
    p->r.db = store_conn(p->st->srv->app->store);
    if (p->r.db == NULL)
        return refuse(p, ERR_UNAVAILABLE);
    return true;
}

/* Who is asking: the bearer token (API) or the session cookie (pages). An
 * unknown token counts as nobody; a route that needs somebody answers 401,
 * or sends a page to sign-in (clearing a stale cookie). */
static bool session_resolve(struct pass *p)
{
    struct req *r = &p->r;
    const char *token = p->api ? bearer(r) : req_cookie(r, "cbpn_session");
    if (token != NULL && *token != '\0') {
        enum err e = auth_session(r->db, token, p->api ? SESSION_API : SESSION_WEB, &p->st->actor);
        if (e == ERR_OK) {
            user_name_open(r->app->key, &p->st->actor.user);
            r->actor = &p->st->actor;
            r->token = token;
        } else if (e == ERR_UNAVAILABLE || e == ERR_INTERNAL) {
            return refuse(p, e);
        }
    }
    if ((p->rt->flags & ROUTE_AUTH) && r->actor == NULL) {
        if (p->api)
            return refuse(p, ERR_UNAUTHENTICATED);
        if (token != NULL)
            resp_cookie(&p->w, "cbpn_session", "", 0);
        handler_fn resume = p->st->srv->resume_page;
        if ((p->rt->flags & ROUTE_RESUME) && r->method == M_POST && resume != NULL &&
            req_content_type_is(r, "application/x-www-form-urlencoded") && form_parse_once(p->st)) {
            r->body = p->st->body.p;
            r->body_len = p->st->body.len;
            resume(r, &p->w); /* the sign-in page, carrying what was typed */
            return false;
        }
        resp_redirect(&p->w, "/login");
        return false;
    }
    /* A session opened only to enrol a second factor: nothing else. */
    if (r->actor != NULL && r->actor->enrol_only && (p->rt->flags & ROUTE_AUTH) &&
        !(p->rt->flags & ROUTE_ENROL)) {
        if (p->api)
            return refuse(p, ERR_ENROL_ONLY);
        resp_redirect(&p->w, "/account");
        return false;
    }
    return true;
}

static bool writes(const struct req *r)
{
    return r->method == M_POST || r->method == M_PUT || r->method == M_PATCH ||
           r->method == M_DELETE;
}

/* The media type of a write, else 415: JSON for the API (DELETE has no body),
 * a form for pages (except routes that check the request another way). */
static bool check_media_type(struct pass *p)
{
    if (!writes(&p->r))
        return true;
    if (p->api && p->r.method != M_DELETE && !req_content_type_is(&p->r, "application/json"))
        return refuse(p, ERR_MEDIA_TYPE);
    if (!p->api && !(p->rt->flags & ROUTE_NO_CSRF) &&
        !req_content_type_is(&p->r, "application/x-www-form-urlencoded"))
        return refuse(p, ERR_MEDIA_TYPE);
    return true;
}

/* A page's write carries the CSRF token of its session (or, before signing
 * in, of the cbpn_pre cookie) in its form: 400 for a malformed form, 403
 * for a missing or wrong token. The API's bearer token needs none. */
static bool check_csrf(struct pass *p)
{
    if (p->api || !writes(&p->r) || (p->rt->flags & ROUTE_NO_CSRF))
        return true;
    if (!form_parse_once(p->st))
        return refuse(p, ERR_BAD_REQUEST);
    const char *sent = req_form(&p->r, "csrf");
    const char *want = p->r.actor ? p->r.actor->csrf : req_cookie(&p->r, "cbpn_pre");
    if (sent == NULL || want == NULL || *want == '\0' || !crypto_str_equal(sent, want))
        return refuse(p, ERR_FORBIDDEN);
    /* Before a session, the cookie must be a token this server issued. */
    if (p->r.actor == NULL &&
        !pre_token_valid(server_key(p->st), want, clock_now(), PRE_TOKEN_SECONDS))
        return refuse(p, ERR_FORBIDDEN);
    return true;
}

/* The idempotency key a create carries: the header (API), the form field
 * (pages); NULL when none. */
static const char *idem_key_of(struct pass *p)
{
    if (!(p->rt->flags & ROUTE_CREATE) || p->r.actor == NULL)
        return NULL;
    if (p->api) /* a header sent empty is a malformed key */
        return req_header(&p->r, "Idempotency-Key");
    const char *k = req_form(&p->r, "idempotency_key");
    return k != NULL && k[0] != '\0' ? k : NULL;
}

/* Sends a kept answer again. */
static void replay(struct resp *w, const struct idem_answer *a)
{
    w->status = a->status;
    /* The media types answers have (static strings, as resp wants them). */
    static const char *const types[] = {"application/json; charset=utf-8",
                                        "text/html; charset=utf-8", "text/plain; charset=utf-8"};
    w->content_type = types[2];
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
        if (strcmp(a->content_type, types[i]) == 0)
            w->content_type = types[i];
    buf_reset(&w->body);
    buf_put(&w->body, a->body, a->body_len);
    if (a->location != NULL)
        resp_header(w, "Location", a->location);
}

/* The handler of a create sent with an idempotency key, inside the
 * transaction that keeps its answer (domain/idem.h): a retry gets the first
 * answer; another request under the same key is 422; an answer whose
 * create could not be made durable is replaced by the error. */
static bool run_idempotent(struct pass *p, const char *key)
{
    struct req *r = &p->r;
    struct ctx cx = {.db = r->db, .key = r->app->key, .actor = r->actor, .places = r->app->places};
    unsigned char hash[IDEM_HASH_SIZE];
    struct idem_answer prior;
    enum idem_state state;
    if (!idem_key_valid(key)) {
        struct fielderrs fe = {0};
        fielderr(&fe, "Idempotency-Key", "1 to 64 printable ASCII characters");
        if (p->api)
            resp_error(&p->w, ERR_VALIDATION, &fe);
        else
            refuse(p, ERR_VALIDATION);
        return false;
    }
    idem_hash(p->rt->pattern, r->params, r->nparams, r->body, r->body_len, hash);
    enum err e = idem_begin(&cx, key, hash, &state, &prior);
    if (e != ERR_OK) {
        refuse(p, e);
        return false;
    }
    if (state != IDEM_NEW) {
        idem_finish(&cx, key, p->rt->pattern, hash, NULL, NULL);
        if (state == IDEM_REPLAY) {
            replay(&p->w, &prior);
        } else {
            struct fielderrs fe = {0};
            fielderr(&fe, "Idempotency-Key", "already used for another request");
            if (p->api)
                resp_error(&p->w, ERR_VALIDATION, &fe);
            else
                refuse(p, ERR_VALIDATION);
        }
        idem_answer_free(&prior);
        return false;
    }
    p->rt->handler(r, &p->w);
    /* A record was made: 201 (API), or the redirect to it (pages), or an
     * API action on a record answered with it (200: an erasure); other
     * answers (a form shown again) keep nothing. */
    bool made = p->w.status == 201 || p->w.status == 303 || (p->api && p->w.status == 200);
    const char *location = NULL;
    for (int i = 0; i < p->w.nheaders; i++)
        if (strcmp(p->w.headers[i].key, "Location") == 0)
            location = p->w.headers[i].value;
    struct idem_answer a = {.status = p->w.status,
                            .content_type = (char *)(uintptr_t)(p->w.content_type != NULL
                                                                    ? p->w.content_type
                                                                    : "text/plain; charset=utf-8"),
                            .location = (char *)(uintptr_t)location,
                            .body = p->w.body.p,
                            .body_len = p->w.body.len};
    /* Bound to the case the route names, so that erasing it forgets it. */
    const char *case_id =
        r->nparams > 0 && strstr(p->rt->pattern, "/cases/{id}") != NULL ? r->params[0] : NULL;
    e = idem_finish(&cx, key, p->rt->pattern, hash, made ? &a : NULL, case_id);
    if (made && e != ERR_OK) {
        resp_clear(&p->w);
        p->w.status = 200;
        refuse(p, e == ERR_CONFLICT ? ERR_UNAVAILABLE : e);
        /* ERR_CONFLICT: a twin under the same key committed first (on
         * another worker or server) and this one's create was undone whole:
         * running it again replays the twin's answer. */
        return e == ERR_CONFLICT;
    }
    return false;
}

/* A permission refusal (a 403 the domain answered) in the audit log: who,
 * the route's pattern (never the path: codes only), and the case or
 * referral it was about when the route names one. Its own transaction:
 * the refused request wrote nothing. */
static void audit_refusal(struct pass *p)
{
    static const char *const mnames[M__MAX] = {"GET",   "HEAD",   "POST",    "PUT",
                                               "PATCH", "DELETE", "OPTIONS", "OTHER"};
    const char *pat = p->rt->pattern, *type = "route", *id = NULL;
    if (p->r.nparams > 0 && strlen(p->r.params[0]) < ID_SIZE) {
        if (strstr(pat, "/cases/{id}") != NULL)
            type = "case", id = p->r.params[0];
        else if (strstr(pat, "/referrals/{id}") != NULL)
            type = "referral", id = p->r.params[0];
    }
    for (const char *q = id; q != NULL && *q != '\0'; q++)
        if (!((*q >= 'a' && *q <= 'z') || (*q >= '0' && *q <= '9')))
            type = "route", id = NULL; /* not an id: nothing of it is kept */
    char *detail = xasprintf("%s %s", mnames[p->r.method], pat);
    if (audit_append(p->r.db, p->r.actor->user.id, AUDIT_DENIED, type, id, detail) != ERR_OK)
        log_error("http %s: cannot audit the refusal", pat);
    free(detail);
}

/* How many times a request runs again when the database rolled its
 * transaction back by itself (see store_retry_advised). */
#define DB_RETRIES 3

/* The route's handler, with the body; a 5xx it answers is logged. A 503
 * whose transaction the database undid whole (a deadlock, a serialization
 * failure, a connection lost before the commit) runs again: nothing of it
 * was written, so nothing can be written twice. */
static bool run_handler(struct pass *p)
{
    p->r.body = p->st->body.p;
    p->r.body_len = p->st->body.len;
    const char *key = idem_key_of(p);
    (void)store_retry_advised(p->r.db);
    for (int attempt = 0;; attempt++) {
        bool twin = false;
        if (key != NULL)
            twin = run_idempotent(p, key);
        else
            p->rt->handler(&p->r, &p->w);
        bool undone = store_retry_advised(p->r.db);
        if (p->w.status != 503 || attempt == DB_RETRIES || !(undone || twin))
            break;
        log_info("http %s: the database undid the transaction; running it again", p->rt->pattern);
        resp_clear(&p->w);
        p->w.status = 200;
        p->w.content_type = NULL;
        p->w.cacheable = false;
    }
    if (p->w.status >= 500)
        log_error("http %s answered %d", p->rt->pattern, p->w.status);
    if (p->w.status == 403 && p->r.actor != NULL)
        audit_refusal(p);
    return true;
}

/* Runs the request once its body is in: each step either lets it go on or
 * has answered it. */
static enum MHD_Result dispatch(struct conn_state *st, const char *url, const char *method)
{
    static bool (*const steps[])(struct pass *) = {
        check_text,       /* 400 */
        lang_step,        /* ?lang=, cookie, Accept-Language */
        check_size,       /* 413 */
        route_find,       /* 404, 405 */
        store_attach,     /* 503 */
        session_resolve,  /* 401, or a redirect to sign-in */
        check_media_type, /* 415 */
        check_csrf,       /* 400, 403 */
        run_handler,
    };
    struct pass p;
    req_init(&p, st, url, method);
    for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++)
        if (!steps[i](&p))
            break;
    enum MHD_Result ret = send_resp(st, &p.r, &p.w, p.rt);
    resp_clear(&p.w);
    return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    struct server *srv = cls;
    struct conn_state *st = *con_cls;
    (void)version;

    if (st == NULL) {
        st = xcalloc(1, sizeof(*st));
        st->srv = srv;
        st->c = c;
        st->started_ms = clock_mono_ms();
        st->body.wipe = true; /* bodies carry passwords, names, phones, stories */
        *con_cls = st;
        atomic_fetch_add(&srv->inflight, 1);
        const char *cl =
            MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
        if (cl != NULL) {
            char *end = NULL;
            errno = 0;
            unsigned long long n = strtoull(cl, &end, 10);
            if (errno != 0 || end == cl || *end != '\0' || n > HTTP_BODY_MAX)
                st->too_large = true;
            if (st->too_large && (errno != 0 || n > BODY_DRAIN_MAX))
                return dispatch(st, url, method); /* answer now; MHD closes after */
            if (!st->too_large)
                buf_reserve(&st->body, (size_t)n); /* one block, never copied on growth */
        }
        size_t url_len = strlen(url);
        MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, query_len, &url_len);
        if (url_len > URL_MAX) {
            /* 414 with the shape of a 400: JSON for the API, a page for pages,
             * the long address never echoed. */
            struct req r = {.impl = st, .path = "/", .app = srv->app, .lang = LANG_KM};
            struct resp w = {.status = 414, .secure_cookies = srv->secure_cookies};
            r.lang = lang_negotiate(req_header(&r, MHD_HTTP_HEADER_ACCEPT_LANGUAGE));
            fail(srv, &r, &w, NULL, is_api_path(url), ERR_BAD_REQUEST);
            w.status = 414;
            enum MHD_Result ret = send_resp(st, &r, &w, NULL);
            resp_clear(&w);
            return ret;
        }
        return MHD_YES;
    }

    if (*upload_data_size > 0) {
        /* A body without a Content-Length (chunked) is drained no further
         * than a declared one would be: past that the connection is closed. */
        st->received += *upload_data_size;
        if (st->received > BODY_DRAIN_MAX)
            return MHD_NO;
        if (!st->too_large) {
            if (st->body.len + *upload_data_size > HTTP_BODY_MAX) {
                st->too_large = true;
                buf_free(&st->body);
            } else {
                buf_put(&st->body, upload_data, *upload_data_size);
            }
        }
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (st->body_done)
        return MHD_YES;
    st->body_done = true;
    return dispatch(st, url, method);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    struct server *srv = cls;
    struct conn_state *st = *con_cls;
    (void)c;
    (void)toe;
    if (st == NULL)
        return;
    buf_free(&st->body);
    form_free(st->form, st->nform);
    for (int i = 0; i < HTTP_PARAMS_MAX; i++)
        free(st->params[i]);
    wipe_free(st->pre_token);
    actor_free(&st->actor);
    free(st);
    *con_cls = NULL;
    atomic_fetch_sub(&srv->inflight, 1);
}

/* libmicrohttpd's messages may carry request data in their arguments, so
 * only the (static) message text is logged. */
static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    (void)ap;
    char line[256];
    snprintf(line, sizeof(line), "%s", fmt);
    line[strcspn(line, "\n")] = '\0';
    log_info("mhd: %s", line);
}

static bool parse_listen(const char *listen, struct sockaddr_in *sa, char **errmsg)
{
    memset(sa, 0, sizeof(*sa));
    sa->sin_family = AF_INET;
    const char *colon = strrchr(listen, ':');
    if (colon == NULL || colon == listen || colon - listen >= 64) {
        *errmsg = xasprintf("--listen wants ADDR:PORT, e.g. 127.0.0.1:8080");
        return false;
    }
    char host[64];
    memcpy(host, listen, (size_t)(colon - listen));
    host[colon - listen] = '\0';
    char *end = NULL;
    long port = strtol(colon + 1, &end, 10);
    if (*end != '\0' || port < 0 || port > 65535 || inet_pton(AF_INET, host, &sa->sin_addr) != 1) {
        *errmsg = xasprintf("--listen wants an IPv4 ADDR:PORT, e.g. 127.0.0.1:8080");
        return false;
    }
    sa->sin_port = htons((uint16_t)port);
    return true;
}

bool server_listen_valid(const char *listen, char **errmsg)
{
    struct sockaddr_in sa;
    return parse_listen(listen, &sa, errmsg);
}

/* A socket bound to sa and listening; -1 (errno set) on failure. */
static int bind_listen(const struct sockaddr_in *sa)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0)
        return -1;
    int on = 1;
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) != 0 ||
        bind(fd, (const struct sockaddr *)sa, sizeof(*sa)) != 0 || listen(fd, 4096) != 0) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    return fd;
}

enum err server_start(const struct server_config *cfg, struct app *app, const struct route *routes,
                      size_t nroutes, struct server **out, char **errmsg)
{
    struct sockaddr_in sa;
    if (!parse_listen(cfg->listen, &sa, errmsg))
        return ERR_VALIDATION;
    unsigned threads = cfg->threads;
    if (threads == 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        threads = n > 0 ? (unsigned)n : 1;
    }
    /* The socket is bound here, before cfg->confine, which may forbid
     * binding; libmicrohttpd starts its threads after. */
    int fd = bind_listen(&sa);
    if (fd < 0) {
        *errmsg = xasprintf("cannot listen on %s (address in use, or not allowed)", cfg->listen);
        return ERR_UNAVAILABLE;
    }
    struct sockaddr_in bound;
    socklen_t blen = sizeof(bound);
    unsigned port = getsockname(fd, (struct sockaddr *)&bound, &blen) == 0 ? ntohs(bound.sin_port)
                                                                           : ntohs(sa.sin_port);
    if (cfg->confine != NULL && !cfg->confine(cfg->confine_cls, errmsg)) {
        close(fd);
        return ERR_INTERNAL;
    }
    struct server *s = xcalloc(1, sizeof(*s));
    s->app = app;
    s->routes = routes;
    s->nroutes = nroutes;
    s->error_page = cfg->error_page;
    s->resume_page = cfg->resume_page;
    s->secure_cookies = cfg->secure_cookies;
    s->trusted_proxies = cfg->trusted_proxies;
    atomic_init(&s->inflight, 0);
    s->d = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC | MHD_USE_ERROR_LOG, 0, NULL,
        NULL, on_request, s, MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, NULL, MHD_OPTION_LISTEN_SOCKET,
        (MHD_socket)fd, MHD_OPTION_THREAD_POOL_SIZE, threads, MHD_OPTION_CONNECTION_TIMEOUT,
        cfg->conn_timeout ? cfg->conn_timeout : 30u, MHD_OPTION_CONNECTION_LIMIT,
        cfg->max_conns ? cfg->max_conns : 512u, MHD_OPTION_PER_IP_CONNECTION_LIMIT, 64u,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CONN_MEMORY_LIMIT, MHD_OPTION_NOTIFY_COMPLETED,
        on_completed, s, MHD_OPTION_END);
    if (s->d == NULL) {
        *errmsg = xasprintf("cannot serve on %s", cfg->listen);
        close(fd);
        free(s);
        return ERR_UNAVAILABLE;
    }
    s->port = port;
    *out = s;
    return ERR_OK;
}

void server_stop(struct server *s, unsigned grace_seconds)
{
    if (s == NULL)
        return;
    /* The listening socket is shut at once but closed only after the daemon
     * has stopped: the worker threads take it out of their epoll sets on
     * their own time. */
    MHD_socket fd = MHD_quiesce_daemon(s->d);
    if (fd != MHD_INVALID_SOCKET)
        shutdown(fd, SHUT_RDWR); /* refuse new connections now, not after the grace */
    int64_t deadline = clock_mono_ms() + (int64_t)grace_seconds * 1000;
    while (atomic_load(&s->inflight) > 0 && clock_mono_ms() < deadline)
        usleep(20 * 1000);
    MHD_stop_daemon(s->d);
    if (fd != MHD_INVALID_SOCKET)
        close(fd);
    free(s);
}

unsigned server_port(const struct server *s)
{
    return s->port;
}
