/* The permission table, checked cell by cell against a matrix written here
 * from DESIGN.md and issue 2, independently of src/auth/perm.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "auth/perm.h"

/* Adding a role or an action must come with its row or column here. */
_Static_assert(ROLE__MAX == 7, "update the expected matrix for the new role");
_Static_assert(ACT__MAX == 63, "update the expected matrix for the new action");

#define N   SCOPE_NONE
#define OWN SCOPE_OWN
#define TRN SCOPE_TRAINER
#define GRP SCOPE_GROUP
#define HRS SCOPE_HERS
#define ASG SCOPE_ASSIGNED
#define ORG SCOPE_ORG
#define RCV SCOPE_RECEIVING
#define CNS SCOPE_CONSENTED
#define ALL SCOPE_ALL

struct row {
    enum action action;
    const char *name;
    enum scope scope[ROLE__MAX]; /* member, representative, caseworker, supervisor,
                                    provider, analyst, admin */
};

/* clang-format off */
static const struct row expected[] = {
    /* everyone reads her own account and the gazetteer */
    {ACT_ME_READ,          "me_read",          {ALL, ALL, ALL, ALL, ALL, ALL, ALL}},
    /* only an admin creates users; admins and supervisors (her org) list them */
    {ACT_USER_CREATE,      "user_create",      {N,   N,   N,   N,   N,   N,   ALL}},
    {ACT_USER_LIST,        "user_list",        {N,   N,   N,   ORG, N,   N,   ALL}},
    /* issue 9: an account that can see identities made by an admin waits
     * for a supervisor (of its organization, or of an NGO for a provider);
     * the admin never approves */
    {ACT_USER_APPROVE,     "user_approve",     {N,   N,   N,   ORG, N,   N,   N}},
    /* issue 9: only an admin changes accounts (the domain sends a change to
     * a role that sees identities to a supervisor's approval); a supervisor
     * sees her organization's account changes; everyone manages her own
     * TOTP; nobody signed in resets another's (the local operator does) */
    {ACT_USER_UPDATE,      "user_update",      {N,   N,   N,   N,   N,   N,   ALL}},
    {ACT_USER_CHANGES,     "user_changes",     {N,   N,   N,   ORG, N,   N,   N}},
    {ACT_TOTP_MANAGE,      "totp_manage",      {ALL, ALL, ALL, ALL, ALL, ALL, ALL}},
    {ACT_TOTP_RESET,       "totp_reset",       {N,   N,   N,   N,   N,   N,   N}},
    {ACT_LOCATION_READ,    "location_read",    {ALL, ALL, ALL, ALL, ALL, ALL, ALL}},
    /* The safe-migration reference (issue 8 item 7): public knowledge, for every signed-in role. */
    {ACT_REFERENCE_READ,   "reference_read",   {ALL, ALL, ALL, ALL, ALL, ALL, ALL}},
    /* only an admin creates groups; members see their own group */
    {ACT_GROUP_CREATE,     "group_create",     {N,   N,   N,   N,   N,   N,   ALL}},
    {ACT_GROUP_READ,       "group_read",       {GRP, GRP, ORG, ORG, N,   ALL, ALL}},
    /* a representative manages her group's member list */
    /* issue 8: a representative manages only her own group's member list;
     * an admin, or a supervisor for her organization, manages all */
    {ACT_MEMBER_CREATE,    "member_create",    {N,   GRP, N,   ORG, N,   N,   ALL}},
    {ACT_MEMBER_READ,      "member_read",      {N,   GRP, ORG, ORG, N,   N,   ALL}},
    {ACT_GROUP_UPDATE,     "group_update",     {N,   N,   N,   ORG, N,   N,   ALL}},
    {ACT_MEMBER_UPDATE,    "member_update",    {N,   GRP, N,   ORG, N,   N,   ALL}},
    /* members, representatives, caseworkers, supervisors report concerns */
    {ACT_CASE_CREATE,      "case_create",      {GRP, GRP, ORG, ORG, N,   N,   N}},
    /* member: cases she reported; representative: her group's; caseworker:
     * assigned to her or unassigned; supervisor: her organization's;
     * provider, analyst, admin: no case records */
    {ACT_CASE_READ,        "case_read",        {OWN, GRP, ASG, ORG, N,   N,   N}},
    /* survivor details only for case staff */
    {ACT_CASE_READ_DETAIL, "case_read_detail", {N,   N,   ASG, ORG, N,   N,   N}},
    /* DESIGN.md: a caseworker does intake, assessment, screening, notes and
     * follow-up for cases assigned to her or unassigned in her organization;
     * a supervisor all of that for the organization, and assigns, transfers,
     * approves closure and reads audit trails. API.md: closure is asked by
     * the assigned caseworker or a supervisor; reopening is a supervisor's. */
    {ACT_CASE_UPDATE,      "case_update",      {N,   N,   ASG, ORG, N,   N,   N}},
    {ACT_CASE_ASSIGN,      "case_assign",      {N,   N,   N,   ORG, N,   N,   N}},
    {ACT_CASE_CLOSE_REQUEST, "case_close_request", {N, N, HRS, ORG, N,   N,   N}},
    {ACT_CASE_CLOSE_APPROVE, "case_close_approve", {N, N, N,   ORG, N,   N,   N}},
    {ACT_CASE_REOPEN,      "case_reopen",      {N,   N,   N,   ORG, N,   N,   N}},
    /* issue 9 item 4: only a supervisor, for her organization's cases,
     * erases a survivor's identity on request */
    {ACT_CASE_ERASE,       "case_erase",       {N,   N,   N,   ORG, N,   N,   N}},
    {ACT_CASE_QUEUE,       "case_queue",       {N,   N,   N,   ORG, N,   N,   N}},
    {ACT_CASE_HISTORY,     "case_history",     {N,   N,   N,   ORG, N,   N,   N}},
    {ACT_INCIDENT_CREATE,  "incident_create",  {N,   N,   ASG, ORG, N,   N,   N}},
    {ACT_SCREENING_CREATE, "screening_create", {N,   N,   ASG, ORG, N,   N,   N}},
    {ACT_NOTE_CREATE,      "note_create",      {N,   N,   ASG, ORG, N,   N,   N}},
    {ACT_NOTE_READ,        "note_read",        {N,   N,   ASG, ORG, N,   N,   N}},
    {ACT_TASK_CREATE,      "task_create",      {N,   N,   ASG, ORG, N,   N,   N}},
    {ACT_TASK_READ,        "task_read",        {N,   N,   ASG, ORG, N,   N,   N}},
    {ACT_TASK_UPDATE,      "task_update",      {N,   N,   ASG, ORG, N,   N,   N}},
    /* API.md: every signed-in role reads the service directory; an admin keeps it */
    {ACT_SERVICE_READ,     "service_read",     {ALL, ALL, ALL, ALL, ALL, ALL, ALL}},
    {ACT_SERVICE_MANAGE,   "service_manage",   {N,   N,   N,   N,   N,   N,   ALL}},
    /* API.md: every signed-in role lists organizations, for pickers */
    {ACT_ORG_LIST,         "org_list",         {ALL, ALL, ALL, ALL, ALL, ALL, ALL}},
    /* issue 7: the case staff record consents and refer, within the reach
     * they have for the case; only a supervisor overrides for a child */
    {ACT_CONSENT_READ,     "consent_read",     {N,   N,   ASG, ORG, N,   N,   N}},
    {ACT_CONSENT_RECORD,   "consent_record",   {N,   N,   ASG, ORG, N,   N,   N}},
    {ACT_REFERRAL_CREATE,  "referral_create",  {N,   N,   ASG, ORG, N,   N,   N}},
    {ACT_REFERRAL_OVERRIDE, "referral_override", {N, N,   N,   ORG, N,   N,   N}},
    /* API.md: a provider sees her organization's referrals, the identifying
     * fields only while a share_with consent covers it; the sender's staff
     * see their cases' referrals and withdraw them; only the receiving
     * organization answers them */
    {ACT_REFERRAL_READ,    "referral_read",    {N,   N,   ASG, ORG, RCV, N,   N}},
    {ACT_REFERRAL_IDENTITY, "referral_identity", {N, N,   ASG, ORG, CNS, N,   N}},
    {ACT_REFERRAL_RESPOND, "referral_respond", {N,   N,   N,   N,   RCV, N,   N}},
    {ACT_REFERRAL_WITHDRAW, "referral_withdraw", {N, N,   ASG, ORG, N,   N,   N}},
    {ACT_REFERRAL_INBOX,   "referral_inbox",   {N,   N,   N,   N,   RCV, N,   N}},
    /* issue 7: the sender prints the slip; a provider checks its code */
    {ACT_SLIP_READ,        "slip_read",        {N,   N,   ASG, ORG, N,   N,   N}},
    {ACT_SLIP_VERIFY,      "slip_verify",      {N,   N,   N,   N,   RCV, N,   N}},
    /* issue 8: a member or representative records and lists her own group's
     * outreach sessions; caseworkers and supervisors record for and list
     * their organization's groups; an admin lists all, records none;
     * providers and analysts nothing (analysts get aggregates) */
    {ACT_OUTREACH_CREATE,  "outreach_create",  {GRP, GRP, ORG, ORG, N,   N,   N}},
    {ACT_OUTREACH_READ,    "outreach_read",    {GRP, GRP, ORG, ORG, N,   N,   ALL}},
    /* trainings (API.md): recorded by a representative for her group, a
     * member only when her member record has the trainer role, caseworkers
     * and supervisors; listed as outreach is; the coverage and cascade
     * figures by those who manage members, and an admin */
    {ACT_TRAINING_CREATE,  "training_create",  {TRN, GRP, ORG, ORG, N,   N,   N}},
    {ACT_TRAINING_READ,    "training_read",    {GRP, GRP, ORG, ORG, N,   N,   ALL}},
    {ACT_TRAINING_FIGURES, "training_figures", {N,   GRP, ORG, ORG, N,   N,   ALL}},
    /* issue 8: every signed-in role reads the agencies' licence list */
    {ACT_AGENCY_READ,      "agency_read",      {ALL, ALL, ALL, ALL, ALL, ALL, ALL}},
    /* issue 8 item 6: an agency's indicator figures (counts, suppressed) for
     * advisers, staff and the analyst; not for providers nor the admin */
    {ACT_AGENCY_RISK,      "agency_risk",      {ALL, ALL, ALL, ALL, N,   ALL, N}},
    /* issue 8: safe-migration advice, as outreach: a member or representative
     * records, lists and marks follow-ups done for her own group, staff for
     * their organization's groups; an admin lists all, records none */
    {ACT_ADVICE_CREATE,    "advice_create",    {GRP, GRP, ORG, ORG, N,   N,   N}},
    {ACT_ADVICE_READ,      "advice_read",      {GRP, GRP, ORG, ORG, N,   N,   ALL}},
    {ACT_ADVICE_UPDATE,    "advice_update",    {GRP, GRP, ORG, ORG, N,   N,   N}},
    /* the audit trail: supervisors of their cases, admins of all (ids and
     * codes, no case content); verifying the chain both (issue 9) */
    {ACT_AUDIT_READ,       "audit_read",       {N,   N,   N,   ORG, N,   N,   ALL}},
    {ACT_AUDIT_VERIFY,     "audit_verify",     {N,   N,   N,   ALL, N,   N,   ALL}},
    /* issue 10 item 5: only analyst, supervisor and admin reach reports;
     * analyst and supervisor the k-anonymous incident export; only the
     * supervisor the Incident Recorder workbook */
    {ACT_REPORT_READ,      "report_read",      {N,   N,   N,   ALL, N,   ALL, ALL}},
    {ACT_EXPORT_INCIDENTS, "export_incidents", {N,   N,   N,   ORG, N,   ALL, N}},
    {ACT_EXPORT_RECORDER,  "export_recorder",  {N,   N,   N,   ORG, N,   N,   N}},
};
/* clang-format on */

static const char *const role_names[ROLE__MAX] = {
    "member", "representative", "caseworker", "supervisor", "provider", "analyst", "admin",
};

static void test_matrix_is_complete(void **state)
{
    (void)state;
    assert_int_equal(sizeof expected / sizeof expected[0], ACT__MAX);
    bool seen[ACT__MAX] = {false};
    for (size_t i = 0; i < ACT__MAX; i++) {
        assert_true(expected[i].action < ACT__MAX);
        assert_false(seen[expected[i].action]);
        seen[expected[i].action] = true;
    }
}

static void test_every_cell(void **state)
{
    (void)state;
    int failures = 0;
    for (size_t i = 0; i < ACT__MAX; i++) {
        for (int r = 0; r < ROLE__MAX; r++) {
            enum scope got = perm_scope((enum role)r, expected[i].action);
            if (got != expected[i].scope[r]) {
                print_error("%s x %s: expected scope %d, got %d\n", role_names[r], expected[i].name,
                            (int)expected[i].scope[r], (int)got);
                failures++;
            }
            assert_int_equal(perm_allows((enum role)r, expected[i].action),
                             expected[i].scope[r] != SCOPE_NONE);
        }
    }
    assert_int_equal(failures, 0);
}

static void test_out_of_range_refused(void **state)
{
    (void)state;
    for (int a = 0; a < ACT__MAX; a++) {
        assert_int_equal(perm_scope(ROLE__MAX, (enum action)a), SCOPE_NONE);
        assert_int_equal(perm_scope((enum role) - 1, (enum action)a), SCOPE_NONE);
        assert_int_equal(perm_scope((enum role)1000, (enum action)a), SCOPE_NONE);
    }
    for (int r = 0; r < ROLE__MAX; r++) {
        assert_int_equal(perm_scope((enum role)r, ACT__MAX), SCOPE_NONE);
        assert_int_equal(perm_scope((enum role)r, (enum action) - 1), SCOPE_NONE);
        assert_false(perm_allows((enum role)r, ACT__MAX));
    }
}

/* Properties DESIGN.md states in words, checked on the real table. */
static void test_invariants(void **state)
{
    (void)state;
    static const enum role no_cases[] = {ROLE_PROVIDER, ROLE_ANALYST, ROLE_ADMIN};
    for (size_t i = 0; i < sizeof no_cases / sizeof no_cases[0]; i++) {
        assert_int_equal(perm_scope(no_cases[i], ACT_CASE_READ), SCOPE_NONE);
        assert_int_equal(perm_scope(no_cases[i], ACT_CASE_READ_DETAIL), SCOPE_NONE);
    }
    for (int r = 0; r < ROLE__MAX; r++) {
        /* whoever sees details sees the case, at least as widely */
        enum scope d = perm_scope((enum role)r, ACT_CASE_READ_DETAIL);
        if (d != SCOPE_NONE)
            assert_true(perm_scope((enum role)r, ACT_CASE_READ) >= d);
        /* only the admin administers */
        if (r != ROLE_ADMIN) {
            assert_false(perm_allows((enum role)r, ACT_USER_CREATE));
            assert_false(perm_allows((enum role)r, ACT_GROUP_CREATE));
        }
    }
    /* a member never sees details, nor another member's report */
    assert_int_equal(perm_scope(ROLE_MEMBER, ACT_CASE_READ), SCOPE_OWN);
    assert_false(perm_allows(ROLE_REPRESENTATIVE, ACT_CASE_READ_DETAIL));
}

/* An enrol_only session reaches its own account and its TOTP enrolment,
 * nothing else. */
static void test_enrol_only(void **state)
{
    (void)state;
    int allowed = 0;
    for (int a = 0; a < ACT__MAX; a++)
        allowed += perm_enrol_only_allows((enum action)a);
    assert_int_equal(allowed, 2);
    assert_true(perm_enrol_only_allows(ACT_ME_READ));
    assert_true(perm_enrol_only_allows(ACT_TOTP_MANAGE));
    assert_false(perm_enrol_only_allows(ACT_CASE_READ));
    assert_false(perm_enrol_only_allows(ACT_USER_UPDATE));
}

static void test_role_codes_round_trip(void **state)
{
    (void)state;
    for (int r = 0; r < ROLE__MAX; r++) {
        const char *code = role_code((enum role)r);
        assert_non_null(code);
        assert_string_equal(code, role_names[r]);
        enum role back = ROLE__MAX;
        assert_true(role_parse(code, &back));
        assert_int_equal(back, r);
    }
    assert_null(role_code(ROLE__MAX));
    assert_null(role_code((enum role) - 1));
}

static void test_role_parse_refusals(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "",          "Admin",       "ADMIN",    "admin ", " admin",          "adm", "administrator",
        "superuser", "case worker", "member\n", "root",   "representatives",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        enum role out = ROLE_ADMIN;
        assert_false(role_parse(bad[i], &out));
        assert_int_equal(out, ROLE_ADMIN); /* untouched */
    }
    enum role out = ROLE_MEMBER;
    assert_false(role_parse(NULL, &out));
    assert_int_equal(out, ROLE_MEMBER);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_matrix_is_complete),
        cmocka_unit_test(test_every_cell),
        cmocka_unit_test(test_out_of_range_refused),
        cmocka_unit_test(test_invariants),
        cmocka_unit_test(test_role_codes_round_trip),
        cmocka_unit_test(test_role_parse_refusals),
        cmocka_unit_test(test_enrol_only),
    };
    return cmocka_run_group_tests_name("perm", tests, NULL, NULL);
}
