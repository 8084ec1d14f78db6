/* util/: buffers, UTF-8, dates, error table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/err.h"
#include "util/utf8.h"

static void test_buf_grows_and_terminates(void **state)
{
    (void)state;
    struct buf b = {0};
    for (int i = 0; i < 1000; i++)
        buf_printf(&b, "%d,", i);
    assert_int_equal(b.len, strlen(b.p));
    assert_true(strncmp(b.p, "0,1,2,", 6) == 0);
    buf_reset(&b);
    assert_int_equal(b.len, 0);
    assert_string_equal(b.p, "");
    buf_put(&b, "ab\0c", 4);
    assert_int_equal(b.len, 4);
    char *s = buf_steal(&b);
    assert_null(b.p);
    assert_int_equal(s[4], '\0');
    free(s);
    buf_free(&b);
    struct buf empty = {0};
    char *e = buf_steal(&empty);
    assert_string_equal(e, "");
    free(e);
}

static void test_utf8_accepts_text(void **state)
{
    (void)state;
    const char *ok[] = {
        "", "Puok", "ពួកចាស់", "tab\tand\nnewline\r", "\xf0\x9f\x98\x80", "\xef\xbf\xbf"};
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
        assert_true(utf8_valid_text(ok[i], strlen(ok[i])));
    assert_int_equal(utf8_length("ពួក", strlen("ពួក")), 3);
}

static void test_utf8_refuses_bad_bytes(void **state)
{
    (void)state;
    const char *bad[] = {"\xc0\xaf",         /* overlong '/' */
                         "\xe0\x80\xaf",     /* overlong */
                         "\xed\xa0\x80",     /* surrogate */
                         "\xf4\x90\x80\x80", /* above U+10FFFF */
                         "\xff",
                         "\x80",
                         "\xe1\x9e", /* truncated Khmer */
                         "bell\x07",
                         "del\x7f",
                         "esc\x1b["};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_false(utf8_valid_text(bad[i], strlen(bad[i])));
    assert_false(utf8_valid_text("a\0b", 3));
}

static void test_dates(void **state)
{
    (void)state;
    int y, m, d;
    assert_true(clock_parse_date("2024-02-29", &y, &m, &d));
    assert_int_equal(y, 2024);
    assert_int_equal(m, 2);
    assert_int_equal(d, 29);
    assert_false(clock_parse_date("2023-02-29", NULL, NULL, NULL));
    assert_false(clock_parse_date("2026-13-01", NULL, NULL, NULL));
    assert_false(clock_parse_date("2026-1-01", NULL, NULL, NULL));
    assert_false(clock_parse_date("2026-04-31", NULL, NULL, NULL));
    assert_false(clock_parse_date("", NULL, NULL, NULL));
    assert_false(clock_parse_date(NULL, NULL, NULL, NULL));
    char ts[TS_SIZE];
    clock_rfc3339(0, ts);
    assert_string_equal(ts, "1970-01-01T00:00:00.000Z");
    clock_rfc3339_ms(1764364829123, ts);
    assert_string_equal(ts, "2025-11-28T21:20:29.123Z");
    int64_t a = clock_stamp_ms(), b = clock_stamp_ms();
    assert_true(b > a);
    clock_rfc3339(1764364829, ts);
    assert_string_equal(ts, "2025-11-28T21:20:29.000Z");
}

static void test_error_table(void **state)
{
    (void)state;
    static const struct {
        enum err e;
        int status;
        const char *code;
    } want[] = {
        {ERR_BAD_REQUEST, 400, "bad_request"},      {ERR_UNAUTHENTICATED, 401, "unauthenticated"},
        {ERR_FORBIDDEN, 403, "forbidden"},          {ERR_NOT_FOUND, 404, "not_found"},
        {ERR_METHOD, 405, "method_not_allowed"},    {ERR_CONFLICT, 409, "conflict"},
        {ERR_TOO_LARGE, 413, "too_large"},          {ERR_MEDIA_TYPE, 415, "unsupported_media_type"},
        {ERR_VALIDATION, 422, "validation_failed"}, {ERR_CONSENT, 422, "consent_required"},
        {ERR_RATE_LIMITED, 429, "rate_limited"},    {ERR_UNAVAILABLE, 503, "unavailable"},
    };
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        assert_int_equal(err_status(want[i].e), want[i].status);
        assert_string_equal(err_code(want[i].e), want[i].code);
        assert_non_null(err_message(want[i].e));
    }
    assert_int_equal(err_status(ERR__MAX), 500);
    assert_int_equal(err_status((enum err) - 1), 500);
}

static void test_fielderrs_keep_first(void **state)
{
    (void)state;
    struct fielderrs fe = {0};
    assert_int_equal(fielderr(&fe, "age", "too old"), ERR_VALIDATION);
    fielderr(&fe, "age", "second");
    assert_int_equal(fe.n, 1);
    assert_string_equal(fielderr_get(&fe, "age"), "too old");
    assert_null(fielderr_get(&fe, "sex"));
    for (int i = 0; i < 40; i++)
        fielderr(&fe, i % 2 ? "x" : "y", "m");
    assert_true(fe.n <= FIELDERRS_MAX);
    assert_int_equal(fielderr(NULL, "a", "b"), ERR_VALIDATION);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_buf_grows_and_terminates),
        cmocka_unit_test(test_utf8_accepts_text),
        cmocka_unit_test(test_utf8_refuses_bad_bytes),
        cmocka_unit_test(test_dates),
        cmocka_unit_test(test_error_table),
        cmocka_unit_test(test_fielderrs_keep_first),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
