/* The HTTP layer: requests, answers, routes and the server. Handlers in
 * api/ and web/ see only these types, never libmicrohttpd's.
 *
 * What the server does before a handler runs: limits (body 1 MiB -> 413,
 * header and URL sizes, a per-connection timeout), UTF-8 checks of the
 * path, query and form values, the session (bearer token for the API, the
 * cookie for pages), the CSRF token on every page POST, the language; what
 * it adds to every answer: the security headers and Cache-Control. */
#ifndef CBPN_HTTP_HTTP_H
#define CBPN_HTTP_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "auth/session.h"
#include "i18n/i18n.h"
#include "util/buf.h"
#include "util/err.h"

#define HTTP_BODY_MAX   (1024 * 1024)
#define HTTP_PARAMS_MAX 4
#define HTTP_FIELDS_MAX 64

enum method { M_GET, M_HEAD, M_POST, M_PUT, M_PATCH, M_DELETE, M_OPTIONS, M_OTHER, M__MAX };

struct app; /* the application: store, key, indexes (src/app.h) */

struct kv {
    char *key;
    char *value;
};

struct req {
    enum method method;
    const char *path;                    /* decoded, without the query */
    const char *params[HTTP_PARAMS_MAX]; /* the {placeholders} of the route */
    int nparams;
    const char *body; /* NUL-terminated; NULL when none */
    size_t body_len;
    const char *client_addr; /* for the sign-in limit; never logged */
    struct app *app;
    struct store_conn *db; /* this worker's connection */
    struct actor *actor;   /* NULL when nobody is signed in */
    const char *token;     /* the session's token (for sign-out) */
    enum lang lang;
    bool lang_chosen; /* ?lang= or the cookie said so */
    void *impl;       /* the server's own state */
};

/* A query-string value, or NULL. Valid UTF-8 (the server refused others). */
const char *req_query(const struct req *r, const char *key);
/* A request header, or NULL. */
const char *req_header(const struct req *r, const char *name);
/* A cookie's value, or NULL. */
const char *req_cookie(const struct req *r, const char *name);
/* The value of a field of an application/x-www-form-urlencoded body, or NULL. */
const char *req_form(const struct req *r, const char *name);
/* All values of a repeated form field (checkboxes); returns how many (<= max). */
int req_form_all(const struct req *r, const char *name, const char **out, int max);
/* true when the Content-Type (parameters ignored) is type, e.g. "application/json". */
bool req_content_type_is(const struct req *r, const char *type);

/* Parses an application/x-www-form-urlencoded body into at most max fields,
 * decoded. Returns the number of fields, or -1 when the body is malformed
 * (a bad %-escape, a value that is not valid UTF-8 text, more than max
 * fields). *out: a new array (caller frees with form_free), NULL on -1. */
int form_parse(const char *body, size_t len, int max, struct kv **out);
void form_free(struct kv *fields, int n);

struct resp {
    int status;
    const char *content_type; /* static string */
    struct buf body;
    struct kv headers[8];
    int nheaders;
    bool cacheable;      /* static assets only; otherwise Cache-Control: no-store */
    bool secure_cookies; /* set by the server: cookies get the Secure attribute */
};

/* Adds a header (copied). Set-Cookie may be added several times. */
void resp_header(struct resp *w, const char *name, const char *value);
/* A JSON answer; takes the reference to j. */
void resp_json(struct resp *w, int status, json_t *j);
/* The API's error shape {"error":{"code","message","fields"?}}. */
void resp_error(struct resp *w, enum err e, const struct fielderrs *fe);
#define CSV_TYPE  "text/csv; charset=utf-8"
#define XLSX_TYPE "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
/* A 200 download: the body taken from b (left empty), saved as name. */
void resp_attachment(struct resp *w, const char *content_type, const char *name, struct buf *b);
/* 303 See Other to a local path. */
void resp_redirect(struct resp *w, const char *location);
/* A cookie: HttpOnly, SameSite=Strict, Path=/; max_age < 0 for a session
 * cookie, 0 to delete. */
void resp_cookie(struct resp *w, const char *name, const char *value, int max_age);

typedef void (*handler_fn)(struct req *r, struct resp *w);

enum route_flags {
    ROUTE_API = 1 << 0,     /* JSON errors; bearer token */
    ROUTE_PAGE = 1 << 1,    /* HTML errors; cookie session; CSRF on POST */
    ROUTE_AUTH = 1 << 2,    /* refused (401, or a redirect to sign-in) without a session */
    ROUTE_NO_CSRF = 1 << 3, /* a page POST checked another way (sign-in: pre-session token) */
    /* A create: an Idempotency-Key header (API) or an "idempotency_key"
     * form field (pages) makes a retry answer what the first answered and
     * create nothing (domain/idem.h). */
    ROUTE_CREATE = 1 << 4,
    /* A page form (with ROUTE_AUTH): sent without a valid session, it is
     * answered by server_config.resume_page (the sign-in page carrying what
     * was typed) instead of a redirect that would drop it. Nothing is
     * written; the CSRF token of the ended session is never checked. */
    ROUTE_RESUME = 1 << 5,
    /* Reached by an enrol_only session too (auth/session.h): TOTP
     * enrolment, the own account, sign-out. Every other ROUTE_AUTH route
     * answers such a session 403 totp_enrolment_required (API) or sends it
     * to the enrolment page. */
    ROUTE_ENROL = 1 << 6
};

/* A route: pattern segments are literal or "{name}" (one segment). */
struct route {
    enum method method;
    const char *pattern;
    handler_fn handler;
    unsigned flags;
};

/* Matches method and path against n routes. Returns the route, filling
 * params; NULL with *path_known true when the path exists for another
 * method (405), false when no route has it (404). */
const struct route *route_match(const struct route *routes, size_t n, enum method method,
                                const char *path, const char *params[HTTP_PARAMS_MAX], int *nparams,
                                bool *path_known);
enum method method_parse(const char *s);
/* The methods routes answer for path, as an Allow header ("GET, HEAD, POST"). */
void route_allowed(const struct route *routes, size_t n, const char *path, char *out, size_t size);

/* GET /healthz: 200 {"status":"ok"} when the database answers, else 503. */
void http_healthz(struct req *r, struct resp *w);

/* The CSRF token a page form must carry in its hidden field "csrf": the
 * session's token when signed in, otherwise a pre-session token kept in the
 * cookie "cbpn_pre" (set on w when new). Owned by the request. */
const char *http_form_token(struct req *r, struct resp *w);

/* ---- the client's address behind a proxy (proxy.c) ---- */

#define HTTP_PROXIES_MAX 16
#define HTTP_ADDR_MAX    46 /* INET6_ADDRSTRLEN, with its NUL */

/* The proxies whose X-Forwarded-For is believed (--trusted-proxy), each in
 * the canonical text of inet_ntop (an IPv4-mapped IPv6 address as IPv4). */
struct http_proxies {
    char addr[HTTP_PROXIES_MAX][HTTP_ADDR_MAX];
    int n;
};

/* Adds a comma-separated list of exact IPv4 or IPv6 addresses ("10.0.0.5",
 * "::1,127.0.0.1"; no names, no networks, no ports) to p. false when one is
 * not such an address or p would hold more than HTTP_PROXIES_MAX: p is then
 * unchanged and *errmsg says why (caller frees). */
bool http_proxies_add(struct http_proxies *p, const char *spec, char **errmsg);

/* The client's address, in canonical text, into out: the peer's, unless the
 * peer is one of trusted and xff (the value of the last X-Forwarded-For
 * header, or NULL) ends with a well-formed address: that one, which the
 * proxy itself wrote (nginx's $remote_addr). Elements before it came from the
 * client and are never believed; a malformed last element, or none, gives the
 * peer. */
void http_client_addr(const struct http_proxies *trusted, const char *peer, const char *xff,
                      char out[HTTP_ADDR_MAX]);

/* Renders an error page (web/) for page routes; API routes get resp_error. */
typedef void (*error_page_fn)(struct req *r, struct resp *w, enum err e);

struct server_config {
    const char *listen; /* "ADDR:PORT" */
    error_page_fn error_page;
    handler_fn resume_page; /* for ROUTE_RESUME; NULL: a redirect to sign-in */
    unsigned threads;       /* 0: one per core */
    unsigned conn_timeout;  /* seconds a connection may stay idle or slow */
    unsigned max_conns;
    bool secure_cookies;                 /* behind a TLS proxy: mark every cookie Secure */
    struct http_proxies trusted_proxies; /* whose X-Forwarded-For names the client */
    /* Called once the listening socket is bound and before any worker
     * thread starts (so that what it restricts, every thread inherits);
     * false (with *errmsg, caller frees) stops the start. NULL: none. */
    bool (*confine)(void *cls, char **errmsg);
    void *confine_cls;
};

struct server;
/* true when listen is an IPv4 "ADDR:PORT"; else *errmsg says why (caller frees). */
bool server_listen_valid(const char *listen, char **errmsg);
/* Starts listening. errmsg: a new message on failure (caller frees). */
enum err server_start(const struct server_config *cfg, struct app *app, const struct route *routes,
                      size_t nroutes, struct server **out, char **errmsg);
/* Stops accepting, lets requests in flight finish (up to grace_seconds),
 * then stops. */
void server_stop(struct server *s, unsigned grace_seconds);
/* The port actually bound (useful with port 0). */
unsigned server_port(const struct server *s);

#endif
