/* auth/totp: RFC 6238 through liboath. The RFC's SHA-1 test vectors
 * (Appendix B) through oath_totp_generate itself and through totp_code,
 * the window of one step either side, no code twice, base32 and the
 * otpauth:// URI. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <liboath/oath.h>
#include <stdlib.h>
#include <string.h>

#include "auth/totp.h"

/* RFC 6238's SHA-1 seed: the ASCII digits "1234567890" twice. */
static const unsigned char SEED[] = "12345678901234567890";
#define SEED_LEN 20

static const struct {
    time_t t;
    const char *code8; /* the RFC's 8-digit value */
} vectors[] = {
    {59, "94287082"},         {1111111109, "07081804"}, {1111111111, "14050471"},
    {1234567890, "89005924"}, {2000000000, "69279037"}, {20000000000, "65353130"},
};
#define NVECTORS (sizeof vectors / sizeof vectors[0])

static void test_rfc6238_vectors_through_liboath(void **state)
{
    (void)state;
    assert_int_equal(oath_init(), OATH_OK);
    for (size_t i = 0; i < NVECTORS; i++) {
        char out[9];
        assert_int_equal(
            oath_totp_generate((const char *)SEED, SEED_LEN, vectors[i].t, 30, 0, 8, out), OATH_OK);
        assert_string_equal(out, vectors[i].code8);
    }
}

static void test_rfc6238_vectors_six_digits(void **state)
{
    (void)state;
    for (size_t i = 0; i < NVECTORS; i++) {
        char out[TOTP_DIGITS + 1];
        assert_true(totp_code(SEED, SEED_LEN, vectors[i].t, out));
        /* six digits: the last six of the RFC's eight */
        assert_string_equal(out, vectors[i].code8 + 2);
    }
}

static void test_verify_window_and_replay(void **state)
{
    (void)state;
    const time_t now = 1234567890; /* step 41152263 */
    const int64_t here = totp_step(now);
    assert_int_equal(here, 41152263);
    char code[TOTP_DIGITS + 1];
    int64_t step = 0;
    for (int d = -3; d <= 3; d++) {
        assert_true(totp_code(SEED, SEED_LEN, now + d * TOTP_STEP_SECONDS, code));
        bool ok = totp_verify(SEED, SEED_LEN, code, now, 0, &step);
        /* one step either side of now, no further */
        assert_int_equal(ok, d >= -1 && d <= 1);
        if (ok)
            assert_int_equal(step, here + d);
        else
            assert_int_equal(step, -1);
    }
    /* Never at or before the last step accepted. */
    assert_true(totp_code(SEED, SEED_LEN, now, code));
    assert_true(totp_verify(SEED, SEED_LEN, code, now, here - 1, &step));
    assert_false(totp_verify(SEED, SEED_LEN, code, now, here, &step));
    assert_false(totp_verify(SEED, SEED_LEN, code, now, here + 1, &step));
    assert_true(totp_code(SEED, SEED_LEN, now - TOTP_STEP_SECONDS, code));
    assert_false(totp_verify(SEED, SEED_LEN, code, now, here - 1, &step));
    /* Not six digits. */
    const char *bad[] = {"", "12345", "1234567", "12a456", " 87082", NULL};
    for (size_t i = 0; bad[i] != NULL; i++)
        assert_false(totp_verify(SEED, SEED_LEN, bad[i], now, 0, &step));
    assert_false(totp_verify(SEED, SEED_LEN, NULL, now, 0, &step));
    /* Another secret's code. */
    unsigned char other[SEED_LEN];
    memcpy(other, SEED, SEED_LEN);
    other[0] ^= 1;
    assert_true(totp_code(other, SEED_LEN, now, code));
    assert_false(totp_verify(SEED, SEED_LEN, code, now, 0, &step));
}

static void test_base32_round_trip(void **state)
{
    (void)state;
    char *b32 = totp_base32(SEED, SEED_LEN);
    assert_non_null(b32);
    /* RFC 4648 of "12345678901234567890", without padding */
    assert_string_equal(b32, "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
    size_t n = 0;
    unsigned char *back = totp_from_base32(b32, &n);
    assert_non_null(back);
    assert_int_equal(n, SEED_LEN);
    assert_memory_equal(back, SEED, SEED_LEN);
    free(back);
    free(b32);
    assert_null(totp_from_base32("not base32!", &n));
    assert_int_equal(n, 0);
}

static void test_uri(void **state)
{
    (void)state;
    char *u = totp_uri("CBPN", "sup.one", "GEZDGNBV");
    assert_string_equal(u, "otpauth://totp/CBPN:sup.one?secret=GEZDGNBV&issuer=CBPN"
                           "&algorithm=SHA1&digits=6&period=30");
    free(u);
    u = totp_uri("CB PN", "a&b", "X");
    assert_non_null(strstr(u, "otpauth://totp/CB%20PN:a%26b?secret=X&issuer=CB%20PN"));
    free(u);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc6238_vectors_through_liboath),
        cmocka_unit_test(test_rfc6238_vectors_six_digits),
        cmocka_unit_test(test_verify_window_and_replay),
        cmocka_unit_test(test_base32_round_trip),
        cmocka_unit_test(test_uri),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
