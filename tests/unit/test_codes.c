/* The code lists (util/codes.c) against DOMAIN.md and against the SQL CHECK
 * constraints of the migrations of every dialect (migrations/sqlite/,
 * migrations/postgres/): every "col IN ('a', 'b')" of every table must be
 * the code list the test names for that column, so a code added in one
 * place and not the other fails here. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/codes.h"
#include "util/embed.h"

/* Which code list each checked column holds; LIST__MAX for sets that are the
 * store's own (not codes of DOMAIN.md). Every CHECK ... IN of the migrations
 * must be named here. */
static const struct {
    const char *column; /* table.column */
    enum code_list list;
} columns[] = {
    {"location.level", LIST__MAX},
    {"session.kind", LIST__MAX},
    {"survivor_key.kind", LIST__MAX},
    {"organization.kind", LIST_ORG_KIND},
    {"users.role", LIST_ROLE},
    {"member.sex", LIST_SEX},
    {"cases.status", LIST_STATUS},
    {"cases.risk", LIST_RISK},
    {"case_concern.concern", LIST_CONCERN},
    {"survivor.sex", LIST_SEX},
    {"incident.time_of_day", LIST_TIME_OF_DAY},
    {"incident.location_type", LIST_LOCATION_TYPE},
    {"incident.migration_stage", LIST_MIGRATION_STAGE},
    {"incident.abduction", LIST_ABDUCTION},
    {"incident.reported_elsewhere", LIST_REPORTED_ELSEWHERE},
    {"incident.gbv_type", LIST_GBV_TYPE},
    {"screening.result", LIST_SCREENING_RESULT},
    {"cases.closure_reason_code", LIST_CLOSURE_REASON},
    {"case_event.kind", LIST__MAX},
    {"idempotency.method", LIST__MAX},
    {"service.type", LIST_SERVICE_TYPE},
    {"consent.purpose", LIST_CONSENT_PURPOSE},
    {"consent.service_type", LIST_SERVICE_TYPE},
    {"consent.method", LIST_CONSENT_METHOD},
    {"consent.given_by", LIST_CONSENT_BY},
    {"referral.service_type", LIST_SERVICE_TYPE},
    {"referral.status", LIST_REFERRAL_STATUS},
    {"referral.urgency", LIST_URGENCY},
    {"referral_event.status", LIST_REFERRAL_STATUS},
    {"case_event_next.kind", LIST__MAX},
    {"cases.erased_reason", LIST__MAX}, /* domain/erase.c: retention, request */
};
#define NCOLUMNS (sizeof columns / sizeof columns[0])

/* The quoted words of an IN list starting at p (after "IN ("), into out. */
static int quoted_words(const char *p, char out[][48], int max)
{
    int n = 0;
    while (*p != '\0' && *p != ')') {
        if (*p == '\'') {
            const char *end = strchr(p + 1, '\'');
            if (end == NULL || n >= max)
                return -1;
            snprintf(out[n++], 48, "%.*s", (int)(end - p - 1), p + 1);
            p = end + 1;
        } else {
            p++;
        }
    }
    return n;
}

/* The word before position p (a column name), into out. */
static void word_before(const char *start, const char *p, char *out, size_t size)
{
    while (p > start && p[-1] == ' ')
        p--;
    const char *e = p;
    while (p > start && (p[-1] == '_' || (p[-1] >= 'a' && p[-1] <= 'z')))
        p--;
    snprintf(out, size, "%.*s", (int)(e - p), p);
}

static void check_file(const char *sql, int *checked)
{
    char table[64] = "";
    for (const char *p = sql; *p != '\0'; p++) {
        if (strncmp(p, "CREATE TABLE ", 13) == 0) {
            const char *t = p + 13;
            if (strncmp(t, "IF NOT EXISTS ", 14) == 0)
                t += 14;
            size_t n = strcspn(t, " (");
            snprintf(table, sizeof table, "%.*s", (int)n, t);
        }
        if (strncmp(p, "ALTER TABLE ", 12) == 0) {
            size_t n = strcspn(p + 12, " ");
            snprintf(table, sizeof table, "%.*s", (int)n, p + 12);
        }
        if (strncmp(p, " IN (", 5) != 0 || p[5] != '\'')
            continue;
        char col[64], full[140], words[64][48];
        word_before(sql, p, col, sizeof col);
        snprintf(full, sizeof full, "%s.%s", table, col);
        int n = quoted_words(p + 5, words, 64);
        assert_true(n > 0);
        size_t k = 0;
        while (k < NCOLUMNS && strcmp(columns[k].column, full) != 0)
            k++;
        if (k == NCOLUMNS)
            fail_msg("%s: a CHECK list no code list is named for (tests/unit/test_codes.c)", full);
        (*checked)++;
        enum code_list l = columns[k].list;
        if (l == LIST__MAX)
            continue;
        if (n != code_count(l))
            fail_msg("%s: %d codes in SQL, %d in util/codes.c", full, n, code_count(l));
        for (int i = 0; i < n; i++)
            if (code_parse(l, words[i]) < 0)
                fail_msg("%s: '%s' is not a %s code", full, words[i], code_list_name(l));
    }
}

/* The migrations of every SQL dialect, each a directory of versions. */
static const char *const dialects[] = {"migrations/sqlite/", "migrations/postgres/"};
#define NDIALECTS (sizeof dialects / sizeof dialects[0])

static void test_sql_checks_are_the_code_lists(void **state)
{
    (void)state;
    int counts[NDIALECTS];
    for (size_t d = 0; d < NDIALECTS; d++) {
        int checked = 0, files = 0;
        size_t len = strlen(dialects[d]);
        for (unsigned long i = 0; i < embedded_count; i++) {
            const char *name = embedded_files[i].name;
            if (strncmp(name, dialects[d], len) != 0)
                continue;
            files++;
            check_file((const char *)embedded_files[i].data, &checked);
        }
        if (files < 1)
            fail_msg("%s: no migrations", dialects[d]);
        if (checked < 10) /* the parser found the lists */
            fail_msg("%s: %d CHECK lists found", dialects[d], checked);
        counts[d] = checked;
    }
    /* Every dialect has every list. */
    for (size_t d = 1; d < NDIALECTS; d++)
        if (counts[d] != counts[0])
            fail_msg("%s: %d CHECK lists, %d in %s", dialects[d], counts[d], counts[0],
                     dialects[0]);
}

/* How many migrations dir holds; fails for one with no twin of the same
 * name in other. */
static int migrations_with_twins(const char *dir, const char *other)
{
    size_t len = strlen(dir);
    int n = 0;
    for (unsigned long i = 0; i < embedded_count; i++) {
        const char *name = embedded_files[i].name;
        if (strncmp(name, dir, len) != 0)
            continue;
        n++;
        char twin[256];
        snprintf(twin, sizeof twin, "%s%s", other, name + len);
        if (embed_find(twin) == NULL)
            fail_msg("%s has no %s", name, twin);
    }
    return n;
}

/* Every dialect has the same versions, under the same file names. */
static void test_dialects_have_the_same_versions(void **state)
{
    (void)state;
    for (size_t d = 1; d < NDIALECTS; d++) {
        int n0 = migrations_with_twins(dialects[0], dialects[d]);
        int n = migrations_with_twins(dialects[d], dialects[0]);
        assert_true(n0 >= 1);
        assert_int_equal(n, n0);
    }
}

/* Independent of codes.c: DOMAIN.md's lists as written there. */
static void test_lists_are_domain_md(void **state)
{
    (void)state;
    static const struct {
        enum code_list list;
        const char *codes;
    } want[] = {
        {LIST_CONCERN, "trafficking forced_labour labour_exploitation unsafe_migration "
                       "domestic_violence sexual_violence other_violence child_at_risk other"},
        {LIST_STATUS, "reported open closure_requested closed"},
        {LIST_RISK, "low medium high"},
        {LIST_GBV_TYPE, "rape sexual_assault physical_assault forced_marriage denial_of_resources "
                        "psychological_abuse non_gbv"},
        {LIST_CONTEXT_FLAG, "intimate_partner_violence child_sexual_abuse early_marriage "
                            "possible_sexual_exploitation possible_sexual_slavery"},
        {LIST_TIME_OF_DAY, "morning afternoon evening_night unknown"},
        {LIST_LOCATION_TYPE, "home_survivor home_perpetrator workplace employer_housing road "
                             "border_crossing vehicle market guest_house school "
                             "farm_or_plantation fishing_boat other"},
        {LIST_MIGRATION_STAGE, "pre_departure transit destination return not_migration_related"},
        {LIST_ABDUCTION, "none trafficked forced_conscription other_abduction"},
        {LIST_REPORTED_ELSEWHERE, "no gbvims_org non_gbvims_org"},
        {LIST_AGE_GROUP, "0_11 12_17 18_25 26_40 41_60 61_plus unknown"},
        {LIST_RELATIONSHIP, "intimate_partner former_partner family caregiver "
                            "employer_or_supervisor recruiter_or_broker co_worker teacher "
                            "service_provider neighbour friend stranger other unknown"},
        {LIST_SCREENING_RESULT, "presumed_trafficking exploitation_without_trafficking_indicators "
                                "insufficient_indicators"},
        {LIST_CLOSURE_REASON, "services_completed survivor_request referred_elsewhere moved_away "
                              "lost_contact no_protection_concern deceased other"},
        {LIST_NETWORK_ROLE, "member representative trainer"},
        {LIST_CHANNEL, "government_mou eps_korea titp_japan ssw_japan licensed_agency "
                       "border_pass irregular unknown"},
        {LIST_SECTOR, "agriculture construction manufacturing fishing domestic_work hospitality "
                      "entertainment services other"},
        {LIST_SERVICE_TYPE, "psychosocial legal shelter health police livelihood education "
                            "repatriation child_protection financial other"},
        {LIST_REFERRAL_STATUS, "sent accepted declined completed withdrawn"},
        {LIST_CONSENT_PURPOSE, "services reporting share_with"},
        {LIST_CONSENT_METHOD, "verbal written thumbprint"},
        {LIST_CONSENT_BY, "survivor guardian"},
        {LIST_ROLE, "member representative caseworker supervisor provider analyst admin"},
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        char buf[512];
        int n = 0;
        snprintf(buf, sizeof buf, "%s", want[i].codes);
        for (char *tok = strtok(buf, " "); tok != NULL; tok = strtok(NULL, " ")) {
            if (code_name(want[i].list, n) == NULL || strcmp(code_name(want[i].list, n), tok) != 0)
                fail_msg("%s: code %d is not %s", code_list_name(want[i].list), n, tok);
            n++;
        }
        assert_int_equal(n, code_count(want[i].list));
    }
    assert_null(code_name(LIST_CONCERN, CONCERN__MAX));
    assert_int_equal(code_parse(LIST_CONCERN, NULL), -1);
    assert_int_equal(code_parse(LIST__MAX, "x"), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sql_checks_are_the_code_lists),
        cmocka_unit_test(test_dialects_have_the_same_versions),
        cmocka_unit_test(test_lists_are_domain_md),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
