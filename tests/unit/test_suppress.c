/* The small-number rule of DOMAIN.md §3, against the rule as written there:
 * "a count from 1 to k-1 (k = 5 by default, configurable) is shown as
 * suppressed". */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "audit_fixture.h"
#include "domain/settings.h"
#include "domain/suppress.h"
#include "domain_fixture.h"

static void test_every_count_every_k(void **state)
{
    (void)state;
    for (int k = 2; k <= 12; k++)
        for (int n = 0; n <= 200; n++) {
            struct shown_count s = suppress_count(n, k);
            bool want = n >= 1 && n <= k - 1;
            if (s.suppressed != want || s.value != (want ? 0 : n) || s.k != k)
                fail_msg("n %d k %d: suppressed %d value %d", n, k, s.suppressed, s.value);
        }
    /* Zero is a fact that reveals nobody; it is shown. */
    assert_false(suppress_count(0, 5).suppressed);
    /* A threshold below 2 is read as 2: 1 is always suppressed. */
    assert_true(suppress_count(1, 1).suppressed);
    assert_int_equal(suppress_count(-3, 5).value, 0);
}

static void test_k_is_a_setting(void **state)
{
    struct fx *f = *state;
    struct fielderrs fe = {0};
    assert_int_equal(suppress_k(&f->op), 5);
    assert_int_equal(setting_set(&f->op, SETTING_SUPPRESSION_K, "11", &fe), ERR_OK);
    assert_int_equal(suppress_k(&f->op), 11);
    assert_int_equal(setting_set(&f->op, SETTING_SUPPRESSION_K, "1", &fe), ERR_VALIDATION);
    assert_int_equal(suppress_k(&f->op), 11);
    assert_int_equal(setting_parse("suppression.k"), SETTING_SUPPRESSION_K);
    /* Only the local operator changes it. */
    struct actor admin;
    fx_actor(f, "admin", NULL, NULL, &admin);
    struct ctx cx = fx_ctx(f, &admin);
    assert_int_equal(setting_set(&cx, SETTING_SUPPRESSION_K, "5", &fe), ERR_FORBIDDEN);
    actor_free(&admin);
}

int main(void)
{
    test_audit_keys();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_count_every_k),
        cmocka_unit_test_setup_teardown(test_k_is_a_setting, fx_setup, fx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
