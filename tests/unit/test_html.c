/* The escaping HTML writer: plain output escapes, raw output only when asked. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "web/html.h"

static void test_text_escapes_all_specials(void **state)
{
    struct buf b = {0};
    (void)state;
    h_text(&b, "<script>alert('x') & \"y\"</script>");
    assert_string_equal(b.p, "&lt;script&gt;alert(&#39;x&#39;) &amp; &quot;y&quot;&lt;/script&gt;");
    buf_free(&b);
}

static void test_para(void **state)
{
    (void)state;
    struct buf b = {0};
    h_para(&b, "error", "login-error", "alert", "<b>&");
    h_para(&b, "note", "x", NULL, "ចូល");
    assert_string_equal(b.p,
                        "<p class=\"error\" id=\"login-error\" role=\"alert\">&lt;b&gt;&amp;</p>"
                        "<p class=\"note\" id=\"x\">ចូល</p>");
    buf_free(&b);
}

static void test_text_keeps_plain_and_utf8(void **state)
{
    struct buf b = {0};
    (void)state;
    h_text(&b, "ករណី KRL-2026-0042");
    assert_string_equal(b.p, "ករណី KRL-2026-0042");
    h_text(&b, NULL); /* nothing */
    h_text(&b, "");
    assert_string_equal(b.p, "ករណី KRL-2026-0042");
    buf_free(&b);
}

static void test_escape_is_not_idempotent_trap(void **state)
{
    struct buf b = {0};
    (void)state;
    /* An already escaped entity is data too: escaped again. */
    h_text(&b, "&amp;");
    assert_string_equal(b.p, "&amp;amp;");
    buf_free(&b);
}

static void test_attr_escapes_quotes(void **state)
{
    struct buf b = {0};
    (void)state;
    h_attr(&b, "value", "\" onmouseover='x' a=\"<b>&");
    assert_string_equal(b.p, " value=\"&quot; onmouseover=&#39;x&#39; a=&quot;&lt;b&gt;&amp;\"");
    buf_reset(&b);
    h_attr(&b, "value", NULL); /* left out */
    assert_int_equal(b.len, 0);
    h_flag(&b, "checked", false);
    assert_int_equal(b.len, 0);
    h_flag(&b, "checked", true);
    assert_string_equal(b.p, " checked");
    buf_free(&b);
}

static void test_raw_is_written_as_is(void **state)
{
    struct buf b = {0};
    (void)state;
    h_raw(&b, "<p class=\"x\">");
    h_text(&b, "<b>");
    h_raw(&b, "</p>");
    assert_string_equal(b.p, "<p class=\"x\">&lt;b&gt;</p>");
    buf_free(&b);
}

static void test_open_escapes_values(void **state)
{
    struct buf b = {0};
    (void)state;
    h_open(&b, "a", "href", "/cases/1?a=1&b=\"2\"", "title", (const char *)NULL, "id", "x'y",
           H_END);
    h_text(&b, "<i>");
    h_close(&b, "a");
    assert_string_equal(
        b.p, "<a href=\"/cases/1?a=1&amp;b=&quot;2&quot;\" id=\"x&#39;y\">&lt;i&gt;</a>");
    buf_reset(&b);
    h_elem(&b, "h1", "A & B");
    assert_string_equal(b.p, "<h1>A &amp; B</h1>");
    buf_reset(&b);
    h_open_begin(&b, "option");
    h_attr(&b, "value", "1707");
    h_flag(&b, "selected", true);
    h_open_end(&b);
    assert_string_equal(b.p, "<option value=\"1707\" selected>");
    buf_free(&b);
}

/* Every form the writer opens keeps nothing typed on a shared phone. */
static void test_forms_say_autocomplete_off(void **state)
{
    struct buf b = {0};
    (void)state;
    h_open(&b, "form", "method", "post", "action", "/cases", H_END);
    assert_string_equal(b.p, "<form autocomplete=\"off\" method=\"post\" action=\"/cases\">");
    buf_reset(&b);
    h_open_begin(&b, "form");
    h_open_end(&b);
    assert_string_equal(b.p, "<form autocomplete=\"off\">");
    buf_reset(&b);
    h_open(&b, "formula", H_END); /* only <form> itself */
    assert_string_equal(b.p, "<formula>");
    buf_free(&b);
}

static void test_text_sub(void **state)
{
    struct buf b = {0};
    (void)state;
    h_text_sub(&b, "Case %s <ok>", "<KRL-1>");
    assert_string_equal(b.p, "Case &lt;KRL-1&gt; &lt;ok&gt;");
    buf_reset(&b);
    /* A value holding "%s" is not expanded again; no printf is involved. */
    h_text_sub(&b, "%s and %s", "%s%n");
    assert_string_equal(b.p, "%s%n and %s%n");
    buf_reset(&b);
    h_text_sub(&b, "no placeholder", "x");
    assert_string_equal(b.p, "no placeholder");
    buf_free(&b);
}

static void test_int(void **state)
{
    struct buf b = {0};
    (void)state;
    h_int(&b, -42);
    assert_string_equal(b.p, "-42");
    buf_free(&b);
}

static void test_url_encode(void **state)
{
    struct buf b = {0};
    (void)state;
    url_encode(&b, "a b&c=d/é\"<");
    assert_string_equal(b.p, "a%20b%26c%3Dd%2F%C3%A9%22%3C");
    buf_reset(&b);
    url_encode(&b, "KRL-2026_0042.~");
    assert_string_equal(b.p, "KRL-2026_0042.~");
    buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_text_escapes_all_specials),
        cmocka_unit_test(test_text_keeps_plain_and_utf8),
        cmocka_unit_test(test_escape_is_not_idempotent_trap),
        cmocka_unit_test(test_attr_escapes_quotes),
        cmocka_unit_test(test_raw_is_written_as_is),
        cmocka_unit_test(test_open_escapes_values),
        cmocka_unit_test(test_text_sub),
        cmocka_unit_test(test_forms_say_autocomplete_off),
        cmocka_unit_test(test_int),
        cmocka_unit_test(test_url_encode),
        cmocka_unit_test(test_para),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
