/* http/proxy.c: whose X-Forwarded-For names the client (--trusted-proxy). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "http/http.h"

/* The client address of a request from peer with header xff (or NULL). */
static const char *client(const struct http_proxies *p, const char *peer, const char *xff)
{
    static char out[HTTP_ADDR_MAX];
    http_client_addr(p, peer, xff, out);
    return out;
}

static struct http_proxies proxies(const char *spec)
{
    struct http_proxies p = {0};
    char *msg = NULL;
    assert_true(http_proxies_add(&p, spec, &msg));
    assert_null(msg);
    return p;
}

static void test_untrusted_peer_ignores_the_header(void **state)
{
    (void)state;
    struct http_proxies none = {0};
    assert_string_equal(client(&none, "127.0.0.1", "10.1.2.3"), "127.0.0.1");
    struct http_proxies p = proxies("127.0.0.1");
    assert_string_equal(client(&p, "192.0.2.7", "10.1.2.3"), "192.0.2.7");
    assert_string_equal(client(&p, "127.0.0.2", "10.1.2.3"), "127.0.0.2");
    assert_string_equal(client(&p, "192.0.2.7", NULL), "192.0.2.7");
}

static void test_trusted_peer_gives_the_last_element(void **state)
{
    (void)state;
    struct http_proxies p = proxies("127.0.0.1");
    assert_string_equal(client(&p, "127.0.0.1", "10.1.2.3"), "10.1.2.3");
    /* what the client wrote itself comes first and is never believed */
    assert_string_equal(client(&p, "127.0.0.1", "6.6.6.6, 10.1.2.3"), "10.1.2.3");
    assert_string_equal(client(&p, "127.0.0.1", "6.6.6.6,10.1.2.3 "), "10.1.2.3");
    assert_string_equal(client(&p, "127.0.0.1", " \t203.0.113.9\t"), "203.0.113.9");
    /* no header: the proxy itself */
    assert_string_equal(client(&p, "127.0.0.1", NULL), "127.0.0.1");
}

static void test_malformed_header_gives_the_peer(void **state)
{
    (void)state;
    struct http_proxies p = proxies("127.0.0.1");
    static const char *const bad[] = {
        "",
        " ",
        "10.1.2.3,",
        "10.1.2.3, ",
        "unknown",
        "10.1.2.3:4567",
        "[2001:db8::1]",
        "10.1.2",
        "10.1.2.3.4",
        "010.1.2.3x",
        "fe80::1%eth0",
        "2001:db8::1::2",
        "10.1.2.3 10.1.2.4",
        "1111:2222:3333:4444:5555:6666:7777:8888:9999:0000:aaaa:bbbb",
        "10.1.2.3, host.example",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_string_equal(client(&p, "127.0.0.1", bad[i]), "127.0.0.1");
}

static void test_ipv6(void **state)
{
    (void)state;
    struct http_proxies p = proxies("::1,2001:DB8:0:0::10");
    assert_int_equal(p.n, 2);
    assert_string_equal(p.addr[1], "2001:db8::10");
    assert_string_equal(client(&p, "::1", "2001:0db8:0000::0001"), "2001:db8::1");
    assert_string_equal(client(&p, "2001:db8::10", "10.1.2.3"), "10.1.2.3");
    assert_string_equal(client(&p, "::1", "10.0.0.1, 2001:db8::2"), "2001:db8::2");
    /* an IPv4-mapped address is the IPv4 address, as peer and as element */
    assert_string_equal(client(&p, "::1", "::ffff:10.1.2.3"), "10.1.2.3");
    struct http_proxies v4 = proxies("127.0.0.1");
    assert_string_equal(client(&v4, "::ffff:127.0.0.1", "10.1.2.3"), "10.1.2.3");
    assert_string_equal(client(&v4, "::1", "10.1.2.3"), "::1");
    /* the peer's text is canonical too */
    assert_string_equal(client(&v4, "2001:DB8::0:1", NULL), "2001:db8::1");
}

static void test_proxy_list_refusals(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "",          ",",          "127.0.0.1,",   ",127.0.0.1",
        "localhost", "10.0.0.0/8", "127.0.0.1:80", "127.0.0.1, ::1",
        "[::1]",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct http_proxies p = proxies("192.0.2.1");
        char *msg = NULL;
        assert_false(http_proxies_add(&p, bad[i], &msg));
        assert_non_null(msg);
        free(msg);
        assert_int_equal(p.n, 1); /* unchanged */
    }
    struct http_proxies p = {0};
    char *msg = NULL;
    for (int i = 0; i < HTTP_PROXIES_MAX; i++)
        assert_true(http_proxies_add(&p, "10.0.0.1", &msg));
    assert_false(http_proxies_add(&p, "10.0.0.2", &msg));
    assert_non_null(strstr(msg, "at most"));
    free(msg);
    assert_int_equal(p.n, HTTP_PROXIES_MAX);
    struct http_proxies q = proxies("10.0.0.1,10.0.0.2");
    assert_int_equal(q.n, 2);
    assert_true(http_proxies_add(&q, "10.0.0.3", &msg));
    assert_int_equal(q.n, 3); /* repeated options add up */
    assert_string_equal(q.addr[2], "10.0.0.3");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_untrusted_peer_ignores_the_header),
        cmocka_unit_test(test_trusted_peer_gives_the_last_element),
        cmocka_unit_test(test_malformed_header_gives_the_peer),
        cmocka_unit_test(test_ipv6),
        cmocka_unit_test(test_proxy_list_refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
