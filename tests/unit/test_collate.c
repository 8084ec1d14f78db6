/* Names in the order people read them (domain/collate.h): the language's
 * collation, not the bytes' order; the other script when a name has none
 * in the caller's; nameless last; stable. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "domain/collate.h"

static void test_latin_order_is_not_byte_order(void **state)
{
    (void)state;
    /* Bytes put "Chantha" before "bopha" ('C' < 'b'); people do not. */
    struct collate_name n[] = {{NULL, "Chantha"}, {NULL, "bopha"}, {NULL, "Ánh"}, {NULL, "dara"}};
    size_t order[4];
    collate_order(LANG_EN, n, 4, order);
    const char *want[] = {"Ánh", "bopha", "Chantha", "dara"};
    for (size_t i = 0; i < 4; i++)
        assert_string_equal(n[order[i]].latn, want[i]);
}

static void test_script_of_the_language_first(void **state)
{
    (void)state;
    struct collate_name n[] = {
        {NULL, "Sokha"},                             /* Latin only */
        {"\u1781\u17B7\u179F\u17D2\u179F", "Khiss"}, /* ខ... */
        {NULL, NULL},                                /* no name */
        {"\u1780\u17B6", "Ka"},                      /* ក... */
        {"\u1782\u17B8", NULL},                      /* គ... */
    };
    size_t order[5];
    collate_order(LANG_KM, n, 5, order);
    /* Khmer names in the alphabet's order, then the Latin-only one, then none. */
    size_t want_km[] = {3, 1, 4, 0, 2};
    for (size_t i = 0; i < 5; i++)
        assert_int_equal(order[i], want_km[i]);
    collate_order(LANG_EN, n, 5, order);
    /* Latin names first (Ka, Khiss, Sokha), then the Khmer-only one, then none. */
    size_t want_en[] = {3, 1, 0, 4, 2};
    for (size_t i = 0; i < 5; i++)
        assert_int_equal(order[i], want_en[i]);
}

static void test_ties_keep_their_order(void **state)
{
    (void)state;
    struct collate_name n[] = {{NULL, "Dara"}, {NULL, "dara"}, {NULL, "Dara"}, {NULL, "Dara"}};
    size_t order[4];
    collate_order(LANG_EN, n, 4, order);
    /* "dara" sorts before "Dara" (lower case first); equal names by index. */
    assert_int_equal(order[0], 1);
    assert_int_equal(order[1], 0);
    assert_int_equal(order[2], 2);
    assert_int_equal(order[3], 3);
    collate_order(LANG_EN, n, 0, order); /* nothing to sort */
}

static void test_keys_compare_as_names(void **state)
{
    (void)state;
    struct collator *c = collate_open(LANG_EN);
    assert_non_null(c);
    char *a = collate_key(c, "bopha"), *b = collate_key(c, "Chantha");
    assert_true(strcmp(a, b) < 0);
    free(a);
    free(b);
    collate_close(c);
    collate_close(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_latin_order_is_not_byte_order),
        cmocka_unit_test(test_script_of_the_language_first),
        cmocka_unit_test(test_ties_keep_their_order),
        cmocka_unit_test(test_keys_compare_as_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
