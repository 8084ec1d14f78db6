/* The warnings of a safe-migration plan, against the rules of API.md ("Safe
 * migration") written here independently of src/domain/advice.c: every
 * channel, agency state, checklist, age and a spread of ticked risks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "domain/advice.h"
#include "util/codes.h"

static const char *const channels[] = {"government_mou",  "eps_korea",   "titp_japan", "ssw_japan",
                                       "licensed_agency", "border_pass", "irregular",  "unknown"};

/* The person's age facts on 2026-06-15, and whether she is a minor then. */
static const struct {
    const char *birth_date;
    int birth_year;
    bool minor;
} ages[] = {
    {"2008-06-16", -1, true},                      /* 18 tomorrow */
    {"2008-06-15", -1, false},                     /* 18 today */
    {"1990-01-01", -1, false}, {NULL, 2009, true}, /* 2026 - 2009 = 17 */
    {NULL, 2008, false},       /* 2026 - 2008 = 18: by the year alone, not a minor */
    {NULL, -1, false},         /* unknown */
    {"2010-02-30", -1, false}, /* not a date: unknown */
};

/* Risk sets ticked, as bit masks over DOMAIN.md §7's list. */
static const unsigned risk_sets[] = {0x00, 0x01, 0x02, 0x04, 0x08, 0x10,
                                     0x20, 0x40, 0x80, 0xff, 0x5a};

static const char *const risk_order[] = {
    "unlicensed_agency",         "no_written_contract", "debt_for_fees", "documents_held_by_broker",
    "irregular_border_crossing", "unknown_employer",    "minor",         "no_contact_plan"};

static void test_every_plan(void **state)
{
    (void)state;
    int failures = 0, plans = 0;
    assert_int_equal(code_count(LIST_MIGRATION_RISK), 8);
    for (size_t c = 0; c < 8; c++)
        for (int agency = 0; agency < 3; agency++) /* none, licensed, not licensed */
            for (int passport = 0; passport < 2; passport++)
                for (int contract = 0; contract < 2; contract++)
                    for (size_t a = 0; a < sizeof ages / sizeof ages[0]; a++)
                        for (size_t r = 0; r < sizeof risk_sets / sizeof risk_sets[0]; r++) {
                            struct advice_facts f = {
                                .date = "2026-06-15",
                                .birth_date = ages[a].birth_date,
                                .birth_year = ages[a].birth_year,
                                .channel = channels[c],
                                .has_agency = agency > 0,
                                .agency_licensed = agency == 1,
                                .passport = passport,
                                .contract = contract,
                            };
                            for (int k = 0; k < 8; k++)
                                if (risk_sets[r] & (1u << k))
                                    f.risks[f.nrisks++] = risk_order[k];
                            /* The expectation. */
                            bool want[9] = {false};
                            for (int k = 0; k < 8; k++)
                                want[k] = (risk_sets[r] & (1u << k)) != 0;
                            if (agency == 2 ||
                                (agency == 0 && strcmp(channels[c], "licensed_agency") == 0))
                                want[0] = true;
                            if (!contract)
                                want[1] = true;
                            if (strcmp(channels[c], "irregular") == 0)
                                want[4] = true;
                            if (ages[a].minor)
                                want[6] = true;
                            want[8] = !passport && strcmp(channels[c], "border_pass") != 0;
                            const char *expect[9];
                            size_t ne = 0;
                            for (int k = 0; k < 9; k++)
                                if (want[k])
                                    expect[ne++] = k < 8 ? risk_order[k] : "missing_documents";
                            struct advice_warning got[ADVICE_WARNINGS_MAX];
                            size_t ng = advice_warnings(&f, got);
                            bool ok = ng == ne;
                            for (size_t k = 0; ok && k < ng; k++)
                                ok = strcmp(got[k].code, expect[k]) == 0 && got[k].why < MSG__MAX;
                            if (!ok) {
                                print_error("channel %s agency %d passport %d contract %d age %zu "
                                            "risks %#x: %zu warnings, %zu expected\n",
                                            channels[c], agency, passport, contract, a,
                                            risk_sets[r], ng, ne);
                                failures++;
                            }
                            plans++;
                        }
    assert_int_equal(failures, 0);
    assert_int_equal(plans, 8 * 3 * 2 * 2 * 7 * 11);
}

/* Each warning has its own reason, in Khmer as in English. */
static void test_every_reason_is_its_own(void **state)
{
    (void)state;
    struct advice_facts f = {.date = "2026-06-15", .birth_year = 2015, .channel = "irregular"};
    for (int k = 0; k < 8; k++)
        f.risks[f.nrisks++] = risk_order[k];
    struct advice_warning w[ADVICE_WARNINGS_MAX];
    size_t n = advice_warnings(&f, w);
    assert_int_equal(n, 9);
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++) {
            assert_int_not_equal(w[i].why, w[j].why);
            assert_string_not_equal(w[i].code, w[j].code);
        }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_plan),
        cmocka_unit_test(test_every_reason_is_its_own),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
