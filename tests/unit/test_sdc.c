/* Small-number protection of linked tables (domain/sdc.h), on tables small
 * enough to work out by hand from docs/reports.md "Small-number protection".
 * tests/api/test_sdc_lp.py checks random lattices with linear programming. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "domain/sdc.h"

static const int root[] = {-1};
static const struct sdc_tree one = {1, root};

/* One area, one period: the categories alone. want: the suppressed cells as
 * a string of 0/1, total first. */
static void cats(const int64_t *v, int ncat, bool additive, int k, const char *want)
{
    bool s[16];
    struct sdc_table t = {.area = &one,
                          .period = &one,
                          .ncat = ncat,
                          .cat_additive = additive,
                          .time_additive = true,
                          .area_additive = true,
                          .value = v,
                          .suppressed = s};
    sdc_protect(&t, k);
    char got[17];
    for (int c = 0; c <= ncat; c++)
        got[c] = s[c] ? '1' : '0';
    got[ncat + 1] = '\0';
    assert_string_equal(got, want);
}

static void test_a_small_cell_and_its_complement(void **state)
{
    (void)state;
    /* 20 = 2 + 8 + 10: the 2 goes, and the smallest nonzero part with it
     * (2 + 8 > 5); the total and the 10 stay. */
    cats((int64_t[]){20, 2, 8, 10}, 3, true, 5, "0110");
    /* Ties go to the first part. */
    cats((int64_t[]){21, 1, 10, 10}, 3, true, 5, "0110");
    /* Two small parts summing to more than k need no third cell. */
    cats((int64_t[]){17, 3, 4, 10}, 3, true, 5, "0110");
}

static void test_a_total_that_must_go(void **state)
{
    (void)state;
    /* 5 = 3 + 2 + 0: the two small parts sum to 5, not more than k, and no
     * nonzero part is left: the total goes too (the 0 is shown). */
    cats((int64_t[]){5, 3, 2, 0}, 3, true, 5, "1110");
    /* 3 = 3 + 0: the total and its one part. */
    cats((int64_t[]){3, 3, 0}, 2, true, 5, "110");
}

static void test_zeros(void **state)
{
    (void)state;
    cats((int64_t[]){0, 0, 0, 0}, 3, true, 5, "0000");
    cats((int64_t[]){7, 0, 7, 0}, 3, true, 5, "0000");
    cats((int64_t[]){0}, 0, true, 5, "0");
    cats((int64_t[]){4}, 0, true, 5, "1");
}

static void test_categories_not_additive(void **state)
{
    (void)state;
    /* A case with several concerns is in each: the parts are not a sum, so
     * only the primary rule applies. */
    cats((int64_t[]){20, 2, 8, 10}, 3, false, 5, "0100");
    cats((int64_t[]){3, 2, 8, 10}, 3, false, 5, "1100");
}

static void test_k(void **state)
{
    (void)state;
    /* 20 = 6 + 4 + 10. */
    cats((int64_t[]){20, 6, 4, 10}, 3, true, 5, "0110");
    cats((int64_t[]){20, 6, 4, 10}, 3, true, 3, "0000");
    cats((int64_t[]){20, 6, 4, 10}, 3, true, 7, "0110");
    /* Every part under 11: all of them go; they sum to 20 > 11. */
    bool s[4];
    struct sdc_table t = {.area = &one,
                          .period = &one,
                          .ncat = 3,
                          .cat_additive = true,
                          .value = (int64_t[]){20, 6, 4, 10},
                          .suppressed = s};
    sdc_protect(&t, 11);
    assert_true(s[1] && s[2] && s[3]);
    /* A k below 2 is read as 2: 1 is always suppressed. */
    cats((int64_t[]){12, 1, 11}, 2, true, 1, "011");
}

/* Linked tables: two areas under the country, two months under a quarter,
 * no categories. Cells (area, period), area 0 the country and period 0 the
 * quarter: area 1 = (2 = 1 + 1), area 2 = (10 = 1 + 9), country = (12 = 2 +
 * 10). Every cell but the four large ones (12, 10, 10, 9) is primary. Of
 * those four, worked out over every subset (and confirmed with
 * tests/api/lpcheck.py), the ones that can be published keeping every
 * suppressed cell's range above 5 are: none, any one alone, or the
 * country's month 2 and area 2's quarter together; any other pair pins a
 * small cell (say 12 and area 2's 10 give area 1's quarter, 2). */
static void test_linked_tables(void **state)
{
    (void)state;
    static const int ap[] = {-1, 0, 0}, pp[] = {-1, 0, 0};
    struct sdc_tree area = {3, ap}, period = {3, pp};
    int64_t v[9] = {12, 2, 10, 2, 1, 1, 10, 1, 9};
    bool s[9];
    struct sdc_table t = {.area = &area,
                          .period = &period,
                          .ncat = 0,
                          .cat_additive = true,
                          .time_additive = true,
                          .area_additive = true,
                          .value = v,
                          .suppressed = s};
    sdc_protect(&t, 5);
    for (int i = 0; i < 9; i++)
        if (v[i] >= 1 && v[i] < 5)
            assert_true(s[i]);
    int shown = !s[0] + !s[2] + !s[6] + !s[8];
    assert_true(shown <= 1 || (shown == 2 && !s[2] && !s[6]));
    /* Deterministic. */
    bool again[9];
    t.suppressed = again;
    sdc_protect(&t, 5);
    assert_memory_equal(s, again, sizeof s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_small_cell_and_its_complement),
        cmocka_unit_test(test_a_total_that_must_go),
        cmocka_unit_test(test_zeros),
        cmocka_unit_test(test_categories_not_additive),
        cmocka_unit_test(test_k),
        cmocka_unit_test(test_linked_tables),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
