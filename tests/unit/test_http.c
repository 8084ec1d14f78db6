/* http/: route matching and the answer helpers (the server itself is
 * driven over HTTP by tests/api). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "http/http.h"

static void h_list(struct req *r, struct resp *w)
{
    (void)r, (void)w;
}
static void h_one(struct req *r, struct resp *w)
{
    (void)r, (void)w;
}
static void h_members(struct req *r, struct resp *w)
{
    (void)r, (void)w;
}

static const struct route routes[] = {
    {M_GET, "/api/v1/cases", h_list, ROUTE_API},
    {M_POST, "/api/v1/cases", h_list, ROUTE_API},
    {M_GET, "/api/v1/cases/{id}", h_one, ROUTE_API},
    {M_GET, "/api/v1/groups/{id}/members", h_members, ROUTE_API},
    {M_GET, "/", h_list, ROUTE_PAGE},
};
#define NROUTES (sizeof(routes) / sizeof(routes[0]))

static const struct route *m(enum method meth, const char *path, const char **p, int *n,
                             bool *known)
{
    return route_match(routes, NROUTES, meth, path, p, n, known);
}

static void test_route_literal_and_params(void **state)
{
    (void)state;
    const char *p[HTTP_PARAMS_MAX];
    int n;
    bool known;
    const struct route *rt = m(M_GET, "/api/v1/cases", p, &n, &known);
    assert_ptr_equal(rt, &routes[0]);
    assert_int_equal(n, 0);
    rt = m(M_POST, "/api/v1/cases", p, &n, &known);
    assert_ptr_equal(rt, &routes[1]);
    rt = m(M_GET, "/api/v1/cases/abc123", p, &n, &known);
    assert_ptr_equal(rt, &routes[2]);
    assert_int_equal(n, 1);
    assert_string_equal(p[0], "abc123");
    rt = m(M_GET, "/api/v1/groups/g1/members", p, &n, &known);
    assert_ptr_equal(rt, &routes[3]);
    assert_string_equal(p[0], "g1");
    rt = m(M_HEAD, "/", p, &n, &known);
    assert_ptr_equal(rt, &routes[4]);
}

static void test_route_refusals(void **state)
{
    (void)state;
    const char *p[HTTP_PARAMS_MAX];
    int n;
    bool known;
    /* Known path, other method: 405. */
    assert_null(m(M_DELETE, "/api/v1/cases/abc", p, &n, &known));
    assert_true(known);
    /* Unknown paths: 404. */
    const char *unknown[] = {
        "/api/v1/cases/",          "/api/v1/cases/a/b", "/api/v1/case", "/api/v1/casesx", "//", "",
        "/api/v1/groups//members", "/API/v1/cases"};
    for (size_t i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
        assert_null(m(M_GET, unknown[i], p, &n, &known));
        assert_false(known);
    }
}

static void test_route_allowed(void **state)
{
    (void)state;
    char allow[64];
    route_allowed(routes, NROUTES, "/api/v1/cases", allow, sizeof(allow));
    assert_string_equal(allow, "GET, HEAD, POST");
    route_allowed(routes, NROUTES, "/api/v1/cases/x", allow, sizeof(allow));
    assert_string_equal(allow, "GET, HEAD");
    route_allowed(routes, NROUTES, "/nowhere", allow, sizeof(allow));
    assert_string_equal(allow, "");
}

static void test_form_parse_decodes(void **state)
{
    (void)state;
    struct kv *f = NULL;
    const char *body = "username=rep1&password=a+b%26c%3D&concern=trafficking&concern=other&&"
                       "name=%E1%9E%96%E1%9E%BD%E1%9E%80&empty=&flag";
    int n = form_parse(body, strlen(body), HTTP_FIELDS_MAX, &f);
    assert_int_equal(n, 7);
    assert_string_equal(f[0].key, "username");
    assert_string_equal(f[0].value, "rep1");
    assert_string_equal(f[1].value, "a b&c=");
    assert_string_equal(f[3].value, "other");
    assert_string_equal(f[4].value, "ពួក");
    assert_string_equal(f[5].value, "");
    assert_string_equal(f[6].key, "flag");
    assert_string_equal(f[6].value, "");
    form_free(f, n);
    assert_int_equal(form_parse(NULL, 0, HTTP_FIELDS_MAX, &f), 0);
    form_free(f, 0);
}

static void test_form_parse_refusals(void **state)
{
    (void)state;
    const char *bad[] = {"a=%",         "a=%4",  "a=%zz",  "a=%00",  "a=%C0%AF",
                         "a=%ED%A0%80", "%FF=1", "a=b%07", "a=1&b=%"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct kv *f = (struct kv *)1;
        assert_int_equal(form_parse(bad[i], strlen(bad[i]), HTTP_FIELDS_MAX, &f), -1);
        assert_null(f);
    }
    /* A raw NUL inside the body is refused, not a silent end. */
    struct kv *f = NULL;
    assert_int_equal(form_parse("a=1\0b=2", 7, HTTP_FIELDS_MAX, &f), -1);
    /* More fields than allowed. */
    assert_int_equal(form_parse("a=1&b=2&c=3", 11, 2, &f), -1);
    assert_int_equal(form_parse("a=1&b=2", 7, 2, &f), 2);
    form_free(f, 2);
}

static void test_method_parse(void **state)
{
    (void)state;
    assert_int_equal(method_parse("GET"), M_GET);
    assert_int_equal(method_parse("PATCH"), M_PATCH);
    assert_int_equal(method_parse("DELETE"), M_DELETE);
    assert_int_equal(method_parse("get"), M_OTHER);
    assert_int_equal(method_parse("BREW"), M_OTHER);
}

static void free_resp(struct resp *w)
{
    buf_free(&w->body);
    for (int i = 0; i < w->nheaders; i++) {
        free(w->headers[i].key);
        free(w->headers[i].value);
    }
}

static void test_error_shape(void **state)
{
    (void)state;
    struct resp w = {0};
    struct fielderrs fe = {0};
    fielderr(&fe, "password", "at least 10 characters");
    resp_error(&w, ERR_VALIDATION, &fe);
    assert_int_equal(w.status, 422);
    json_error_t je;
    json_t *j = json_loads(w.body.p, 0, &je);
    assert_non_null(j);
    json_t *e = json_object_get(j, "error");
    assert_int_equal(json_object_size(j), 1);
    assert_string_equal(json_string_value(json_object_get(e, "code")), "validation_failed");
    assert_non_null(json_string_value(json_object_get(e, "message")));
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(e, "fields"), "password")),
        "at least 10 characters");
    json_decref(j);
    free_resp(&w);

    struct resp w2 = {0};
    resp_error(&w2, ERR_NOT_FOUND, NULL);
    assert_int_equal(w2.status, 404);
    j = json_loads(w2.body.p, 0, &je);
    assert_null(json_object_get(json_object_get(j, "error"), "fields"));
    json_decref(j);
    free_resp(&w2);
}

static void test_redirect_stays_local(void **state)
{
    (void)state;
    const char *cases[][2] = {{"/cases", "/cases"},
                              {"//evil.example/x", "/"},
                              {"https://evil.example/", "/"},
                              {"/\\evil", "/"},
                              {NULL, "/"}};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct resp w = {0};
        resp_redirect(&w, cases[i][0]);
        assert_int_equal(w.status, 303);
        assert_int_equal(w.nheaders, 1);
        assert_string_equal(w.headers[0].key, "Location");
        assert_string_equal(w.headers[0].value, cases[i][1]);
        free_resp(&w);
    }
}

static void test_cookie_flags(void **state)
{
    (void)state;
    struct resp w = {0};
    resp_cookie(&w, "cbpn_session", "tok", -1);
    resp_cookie(&w, "cbpn_session", "tok", 0);
    assert_string_equal(w.headers[0].value, "cbpn_session=tok; Path=/; HttpOnly; SameSite=Strict");
    assert_non_null(strstr(w.headers[1].value, "Max-Age=0"));
    assert_null(strstr(w.headers[1].value, "tok"));
    assert_null(strstr(w.headers[0].value, "Secure"));
    free_resp(&w);
    struct resp tls = {.secure_cookies = true};
    resp_cookie(&tls, "cbpn_session", "tok", -1);
    assert_string_equal(tls.headers[0].value,
                        "cbpn_session=tok; Path=/; HttpOnly; SameSite=Strict; Secure");
    free_resp(&tls);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_route_literal_and_params),
        cmocka_unit_test(test_route_refusals),
        cmocka_unit_test(test_method_parse),
        cmocka_unit_test(test_route_allowed),
        cmocka_unit_test(test_form_parse_decodes),
        cmocka_unit_test(test_form_parse_refusals),
        cmocka_unit_test(test_error_shape),
        cmocka_unit_test(test_redirect_stays_local),
        cmocka_unit_test(test_cookie_flags),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
