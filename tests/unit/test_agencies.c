/* The recruitment agencies (domain/agencies.h): the import's validation
 * with line numbers, all rows or none, re-imports with history, "licensed
 * on a date" at the boundaries, and the spelling-tolerant search. */
#include "audit_fixture.h"
#include "domain_fixture.h"

#include "domain/agencies.h"
#include "domain/cases.h"
#include "domain/casework.h"
#include "domain/network.h"
#include "domain/screening.h"
#include "domain/settings.h"

#define HEADER "name_km,name_en,licence_no,licence_valid_until\n"

static const char list1[] =
    "# fictional\n" HEADER "ក្រុមហ៊ុន ពួក ការងារ,Puok Jobs (Fictional),L-1,2026-06-30\n"
    "ក្រុមហ៊ុន ក្រឡាញ់,Kralanh Manpower (Fictional),L-2,2027-12-31\n"
    "ក្រុមហ៊ុន អង្គរ,Angkor Work (Fictional),L-3,2027-12-31\n";
/* Newer: L-2 renamed, L-3 no longer listed, L-4 new, L-1 renewed. */
static const char list2[] = HEADER "ក្រុមហ៊ុន ពួក ការងារ,Puok Jobs (Fictional),L-1,2028-06-30\n"
                                   "ក្រុមហ៊ុន ក្រឡាញ់ ថ្មី,New Kralanh Manpower (Fictional),L-2,"
                                   "2027-12-31\n"
                                   "ក្រុមហ៊ុន បាយ័ន,Bayon Careers (Fictional),L-4,2027-01-31\n";

static enum err import(struct fx *f, const char *text, const char *date,
                       struct agency_import_summary *sum, char **errors)
{
    return agency_import(&f->op, text, strlen(text), date, sum, errors);
}

static size_t count_agencies(struct fx *f)
{
    struct agency_rec *items = NULL;
    size_t n = 0;
    assert_int_equal(store_agency_on(f->op.db, "2026-01-01", NULL, 0, &items, &n), ERR_OK);
    agency_list_free(items, n);
    return n;
}

/* The agency with licence number no, read on the date on. */
static struct agency_rec on_date(struct fx *f, const char *no, const char *on)
{
    struct agency_rec a = {0}, got = {0};
    struct fielderrs fe = {0};
    assert_int_equal(store_agency_by_licence(f->op.db, no, &a), ERR_OK);
    assert_int_equal(agency_get(&f->op, a.id, on, &got, &fe), ERR_OK);
    agency_rec_free(&a);
    return got;
}

static bool licensed(struct fx *f, const char *no, const char *on)
{
    struct agency_rec a = on_date(f, no, on);
    bool l = a.licensed;
    agency_rec_free(&a);
    return l;
}

static void test_bad_rows_have_line_numbers(void **state)
{
    struct fx *f = *state;
    struct agency_import_summary sum;
    char *errors = NULL;
    const char bad[] = "# a comment\n" HEADER "ក,A,X-1,2026-02-30\n" /* line 3: no such day */
                       ",B,X-2,2026-01-01\n"                         /* 4: no Khmer name */
                       "គ,C,X-1,2026-01-01\n"                        /* 5: X-1 again */
                       "# another comment\n"
                       "ឃ,D,X-3\n"                    /* 7: three fields */
                       "ង,\xff\xfe,X-4,2026-01-01\n"; /* 8: not UTF-8 */
    assert_int_equal(import(f, bad, "2026-01-01", &sum, &errors), ERR_VALIDATION);
    assert_non_null(errors);
    /* Invalid UTF-8 is reported first and alone: the text is not read further. */
    assert_non_null(strstr(errors, "line 8: not valid UTF-8"));
    free(errors);
    errors = NULL;

    char bad2[sizeof bad];
    memcpy(bad2, bad, sizeof bad);
    char *utf = strstr(bad2, "\xff\xfe");
    utf[0] = 'E', utf[1] = 'E';
    assert_int_equal(import(f, bad2, "2026-01-01", &sum, &errors), ERR_VALIDATION);
    assert_non_null(strstr(errors, "line 3: licence_valid_until"));
    assert_non_null(strstr(errors, "line 4: name_km"));
    assert_non_null(strstr(errors, "line 5: licence_no X-1 also on line 3"));
    assert_non_null(strstr(errors, "line 7: 3 fields"));
    assert_null(strstr(errors, "line 8"));
    free(errors);
    errors = NULL;

    /* A wrong header, a bad source date, an empty list. */
    assert_int_equal(import(f, "name,licence\nក,L,2026-01-01\n", "2026-01-01", &sum, &errors),
                     ERR_VALIDATION);
    assert_non_null(strstr(errors, "line 1: the header must be"));
    free(errors);
    assert_int_equal(import(f, list1, "2026-1-1", &sum, &errors), ERR_VALIDATION);
    assert_non_null(strstr(errors, "--source-date"));
    free(errors);
    assert_int_equal(import(f, "# nothing\n" HEADER, "2026-01-01", &sum, &errors), ERR_VALIDATION);
    assert_non_null(strstr(errors, "no agencies"));
    free(errors);
    /* Nothing was written by any of them. */
    assert_int_equal(count_agencies(f), 0);
    struct agency_import_rec last;
    assert_int_equal(store_agency_import_last(f->op.db, &last), ERR_NOT_FOUND);
}

static void test_all_or_nothing(void **state)
{
    struct fx *f = *state;
    struct agency_import_summary sum;
    char *errors = NULL;
    assert_int_equal(import(f, list1, "2026-01-15", &sum, &errors), ERR_OK);
    assert_null(errors);
    /* A newer list with one bad row changes nothing: L-3 stays licensed. */
    char bad[sizeof list2 + 64];
    snprintf(bad, sizeof bad, "%s%s", list2, "ច,Bad Row,L-9,31/12/2027\n");
    assert_int_equal(import(f, bad, "2026-06-01", &sum, &errors), ERR_VALIDATION);
    assert_non_null(strstr(errors, "line 5: licence_valid_until"));
    free(errors);
    assert_int_equal(count_agencies(f), 3);
    assert_true(licensed(f, "L-3", "2026-07-01"));
    struct agency_rec a = on_date(f, "L-2", "2026-07-01");
    assert_string_equal(a.name_en, "Kralanh Manpower (Fictional)");
    agency_rec_free(&a);
    /* Only the local operator imports. */
    struct actor admin;
    fx_actor(f, "admin", NULL, NULL, &admin);
    struct ctx cx = fx_ctx(f, &admin);
    assert_int_equal(agency_import(&cx, list2, strlen(list2), "2026-06-01", &sum, &errors),
                     ERR_FORBIDDEN);
    actor_free(&admin);
}

static void test_reimport_keeps_history(void **state)
{
    struct fx *f = *state;
    struct agency_import_summary sum;
    char *errors = NULL;
    assert_int_equal(import(f, list1, "2026-01-15", &sum, &errors), ERR_OK);
    assert_int_equal(sum.added, 3);
    assert_int_equal(sum.dropped, 0);
    assert_int_equal(import(f, list2, "2026-06-01", &sum, &errors), ERR_OK);
    assert_int_equal(sum.rows, 3);
    assert_int_equal(sum.added, 1);   /* L-4 */
    assert_int_equal(sum.updated, 2); /* L-1 renewed, L-2 renamed */
    assert_int_equal(sum.unchanged, 0);
    assert_int_equal(sum.dropped, 1); /* L-3 */
    assert_int_equal(count_agencies(f), 4);

    /* The agency keeps its id; its names are the newer list's; each list's
     * words are kept. */
    struct agency_rec a = on_date(f, "L-2", "2026-07-01");
    assert_string_equal(a.name_en, "New Kralanh Manpower (Fictional)");
    struct agency_rec *hist = NULL;
    size_t n = 0;
    assert_int_equal(agency_history(&f->op, a.id, &hist, &n), ERR_OK);
    assert_int_equal(n, 2);
    assert_string_equal(hist[0].source_date, "2026-01-15");
    assert_string_equal(hist[0].name_en, "Kralanh Manpower (Fictional)");
    assert_string_equal(hist[1].source_date, "2026-06-01");
    agency_list_free(hist, n);
    agency_rec_free(&a);

    /* The same list again: nothing added, nothing dropped. */
    assert_int_equal(import(f, list2, "2026-06-01", &sum, &errors), ERR_OK);
    assert_int_equal(sum.added, 0);
    assert_int_equal(sum.updated, 0);
    assert_int_equal(sum.unchanged, 3);
    assert_int_equal(sum.dropped, 0);
    /* An older list than the last is refused. */
    assert_int_equal(import(f, list1, "2026-05-31", &sum, &errors), ERR_VALIDATION);
    assert_non_null(strstr(errors, "older"));
    free(errors);
    /* Each import is audited. */
    struct audit_rec *au = NULL;
    size_t na = 0, imports = 0;
    assert_int_equal(store_audit_range(f->op.db, 0, 1000, &au, &na), ERR_OK);
    for (size_t i = 0; i < na; i++)
        imports +=
            strcmp(au[i].action, "import") == 0 && strcmp(au[i].record_type, "agency_list") == 0;
    audit_list_free(au, na);
    assert_int_equal(imports, 3);
}

static void test_licensed_on_date_boundaries(void **state)
{
    struct fx *f = *state;
    struct agency_import_summary sum;
    char *errors = NULL;
    assert_int_equal(import(f, list1, "2026-01-15", &sum, &errors), ERR_OK);
    assert_int_equal(import(f, list2, "2026-06-01", &sum, &errors), ERR_OK);

    /* Before the first list: no list in force, nobody licensed. */
    assert_false(licensed(f, "L-2", "2026-01-14"));
    struct agency_rec a = on_date(f, "L-2", "2026-01-14");
    assert_string_equal(a.source_date, "");
    agency_rec_free(&a);
    /* From the first list's date on. */
    assert_true(licensed(f, "L-2", "2026-01-15"));
    /* L-1's first licence ends on its last valid day... */
    assert_true(licensed(f, "L-1", "2026-05-31"));
    /* L-3 is on the first list up to the day before the second... */
    assert_true(licensed(f, "L-3", "2026-05-31"));
    a = on_date(f, "L-3", "2026-05-31");
    assert_string_equal(a.source_date, "2026-01-15");
    agency_rec_free(&a);
    /* ...and not licensed from the second list's date on. */
    assert_false(licensed(f, "L-3", "2026-06-01"));
    a = on_date(f, "L-3", "2026-06-01");
    assert_string_equal(a.source_date, "2026-06-01");
    agency_rec_free(&a);
    /* L-4 is new on the second list. */
    assert_false(licensed(f, "L-4", "2026-05-31"));
    assert_true(licensed(f, "L-4", "2026-06-01"));
    /* The valid-until day is the last licensed one. */
    assert_true(licensed(f, "L-4", "2027-01-31"));
    assert_false(licensed(f, "L-4", "2027-02-01"));
    /* L-1 renewed on the second list: licensed past its first expiry. */
    assert_true(licensed(f, "L-1", "2026-07-01"));
    a = on_date(f, "L-1", "2026-07-01");
    assert_string_equal(a.licence_valid_until, "2028-06-30");
    agency_rec_free(&a);

    /* A bad date is a field error. */
    struct fielderrs fe = {0};
    struct agency_rec *items = NULL;
    size_t n = 0;
    char next[ID_SIZE];
    struct agency_query q = {.on = "2026-02-31"};
    assert_int_equal(agency_list(&f->op, &q, &items, &n, next, &fe), ERR_VALIDATION);
    assert_non_null(fielderr_get(&fe, "on"));
}

/* The licence numbers agency_list answers for q, in order, joined by ' '. */
static void search(struct fx *f, const char *q, enum lang lang, char *out, size_t cap)
{
    struct agency_rec *items = NULL;
    size_t n = 0;
    char next[ID_SIZE];
    struct fielderrs fe = {0};
    struct agency_query aq = {.q = q, .on = "2026-07-01", .lang = lang};
    assert_int_equal(agency_list(&f->op, &aq, &items, &n, next, &fe), ERR_OK);
    out[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        if (i > 0)
            strncat(out, " ", cap - strlen(out) - 1);
        strncat(out, items[i].licence_no, cap - strlen(out) - 1);
    }
    agency_list_free(items, n);
}

static void test_search_and_order(void **state)
{
    struct fx *f = *state;
    struct agency_import_summary sum;
    char *errors = NULL, got[128];
    assert_int_equal(import(f, list1, "2026-01-15", &sum, &errors), ERR_OK);
    assert_int_equal(import(f, list2, "2026-06-01", &sum, &errors), ERR_OK);

    /* Tolerant of romanisation, as case names are. */
    search(f, "Pouk", LANG_EN, got, sizeof got);
    assert_string_equal(got, "L-1");
    search(f, "puok jobs", LANG_EN, got, sizeof got);
    assert_string_equal(got, "L-1");
    search(f, "Krolanh", LANG_EN, got, sizeof got);
    assert_string_equal(got, "L-2");
    /* Every word must match. */
    search(f, "Puok Kralanh", LANG_EN, got, sizeof got);
    assert_string_equal(got, "");
    /* Khmer words, and the name of an earlier list is no longer searched. */
    search(f, "ក្រឡាញ់", LANG_KM, got, sizeof got);
    assert_string_equal(got, "L-2");
    search(f, "អង្គរ", LANG_KM, got, sizeof got);
    assert_string_equal(got, "L-3");
    search(f, "Kralanh", LANG_EN, got, sizeof got);
    assert_string_equal(got, "L-2");
    search(f, "new", LANG_EN, got, sizeof got);
    assert_string_equal(got, "L-2");

    /* By name in the caller's language. */
    search(f, NULL, LANG_EN, got, sizeof got);
    assert_string_equal(got, "L-3 L-4 L-2 L-1"); /* Angkor, Bayon, New Kralanh, Puok */
    search(f, NULL, LANG_KM, got, sizeof got);
    /* ក្រុមហ៊ុន ក..., ក្រុមហ៊ុន ប..., ក្រុមហ៊ុន ព..., ក្រុមហ៊ុន អ... in Khmer order */
    assert_string_equal(got, "L-2 L-4 L-1 L-3");

    /* Pages: limit and cursor. */
    struct agency_rec *items = NULL;
    size_t n = 0;
    char next[ID_SIZE];
    struct fielderrs fe = {0};
    struct agency_query aq = {.limit = 3, .lang = LANG_EN};
    assert_int_equal(agency_list(&f->op, &aq, &items, &n, next, &fe), ERR_OK);
    assert_int_equal(n, 3);
    assert_string_not_equal(next, "");
    agency_list_free(items, n);
    char cursor[ID_SIZE];
    memcpy(cursor, next, ID_SIZE);
    aq.cursor = cursor;
    assert_int_equal(agency_list(&f->op, &aq, &items, &n, next, &fe), ERR_OK);
    assert_int_equal(n, 1);
    assert_string_equal(items[0].licence_no, "L-1");
    assert_string_equal(next, "");
    agency_list_free(items, n);

    /* Bad queries; every role may read. */
    aq = (struct agency_query){.q = "a b c d e f g"};
    assert_int_equal(agency_list(&f->op, &aq, &items, &n, next, &fe), ERR_VALIDATION);
    assert_non_null(fielderr_get(&fe, "q"));
    struct actor m;
    fx_actor(f, "member", NULL, f->group1, &m);
    struct ctx cx = fx_ctx(f, &m);
    aq = (struct agency_query){.q = "Bayon"};
    assert_int_equal(agency_list(&cx, &aq, &items, &n, next, &fe), ERR_OK);
    assert_int_equal(n, 1);
    agency_list_free(items, n);
    actor_free(&m);
    struct ctx nobody = fx_ctx(f, NULL);
    assert_int_equal(agency_list(&nobody, &aq, &items, &n, next, &fe), ERR_FORBIDDEN);
}

/* ---- what returnees know: a case names the agency; the agency's figures ---- */

static void id_of(struct fx *f, const char *no, char out[ID_SIZE])
{
    struct agency_rec a = {0};
    assert_int_equal(store_agency_by_licence(f->op.db, no, &a), ERR_OK);
    memcpy(out, a.id, ID_SIZE);
    agency_rec_free(&a);
}

/* A case reported by cx's actor naming the agency (NULL: none). */
static void report_naming(const struct ctx *cx, const char *agency_id, const char *employer,
                          char out[ID_SIZE])
{
    struct case_report_in in;
    struct case_view v = {0};
    struct fielderrs fe = {0};
    case_report_in_init(&in);
    in.location_code = PUOK_CHAS;
    in.concerns[0] = "forced_labour";
    in.nconcerns = 1;
    in.agency_id = agency_id;
    in.employer = employer;
    assert_int_equal(case_report(cx, &in, &v, &fe), ERR_OK);
    memcpy(out, v.rec.id, ID_SIZE);
    case_view_free(&v);
}

/* Screens case id as an adult with codes (NULL-terminated). */
static void screen(const struct ctx *cx, const char *id, const char *const *codes)
{
    struct screening_in in;
    struct screening_rec out = {0};
    struct fielderrs fe = {0};
    screening_in_init(&in);
    in.adult = true;
    fields_mark(&screening_fields, &in, 0, false);
    while (codes != NULL && codes[in.nindicators] != NULL) {
        in.indicators[in.nindicators] = codes[in.nindicators];
        in.nindicators++;
    }
    fields_mark(&screening_fields, &in, 1, false);
    assert_int_equal(screening_add(cx, id, &in, &out, &fe), ERR_OK);
    screening_rec_free(&out);
}

/* The shown count of code in a, or NULL when a has no such row. */
static const struct shown_count *by_code(const struct agency_indicators *a, const char *code)
{
    for (size_t i = 0; i < a->nby_indicator; i++)
        if (strcmp(a->by_indicator[i].code, code) == 0)
            return &a->by_indicator[i].count;
    return NULL;
}

static void assert_shown(const struct shown_count *c, int value)
{
    assert_non_null(c);
    assert_false(c->suppressed);
    assert_int_equal(c->value, value);
}

static void assert_suppressed(const struct shown_count *c)
{
    assert_non_null(c);
    assert_true(c->suppressed);
    assert_int_equal(c->value, 0); /* never the number */
}

static void set_k(struct fx *f, const char *k)
{
    struct fielderrs fe = {0};
    assert_int_equal(setting_set(&f->op, SETTING_SUPPRESSION_K, k, &fe), ERR_OK);
}

static const char *const presumed[] = {"a_deceived_nature_of_job",
                                       "a_deceived_wages",
                                       "d_excessive_hours",
                                       "d_low_or_no_salary",
                                       "e_confiscation_of_documents",
                                       "e_debt_bondage",
                                       NULL};
static const char *const exploited[] = {"d_excessive_hours", "d_low_or_no_salary", NULL};
static const char *const fl_debt[] = {"fl_debt_bondage", NULL};
static const char *const fl_two[] = {"fl_debt_bondage", "fl_withholding_of_wages", NULL};
static const char *const fl_docs[] = {"fl_retention_of_documents", NULL};
static const char *const nothing[] = {NULL};

/* The known data set, by hand: agency L-1 is named by seven cases of two
 * organizations; their latest screenings:
 *   c1 (org)  fl_debt_bondage alone (insufficient_indicators)    counted
 *   c2 (org)  presumed_trafficking, no forced-labour indicator    counted
 *   c3 (org2) fl_retention_of_documents, then screened again with
 *             nothing ticked: the latest has no indicator          not counted
 *   c4 (org2) D only: exploitation_without_trafficking_indicators not counted
 *   c5 (org)  never screened                                      not counted
 *   c6 (org2) nothing, then fl_debt_bondage + fl_withholding_of_wages counted
 *   c7 (org)  names L-2 (fl_debt_bondage)                         not L-1's
 * L-1: 3 cases; fl_debt_bondage 2 (c1, c6); fl_withholding_of_wages 1; each
 * of presumed[] 1 (c2); fl_retention_of_documents none (c3's old screening);
 * d_* of c4 none beyond c2's. L-3: no case, 0. */
static void test_indicator_figures_on_a_known_data_set(void **state)
{
    struct fx *f = *state;
    struct agency_import_summary sum;
    char *errors = NULL, l1[ID_SIZE], l2[ID_SIZE], l3[ID_SIZE], c[8][ID_SIZE];
    struct actor sup, sup2, mem, an, prov, adm;
    struct agency_indicators a = {0};
    assert_int_equal(import(f, list1, "2026-01-15", &sum, &errors), ERR_OK);
    id_of(f, "L-1", l1);
    id_of(f, "L-2", l2);
    id_of(f, "L-3", l3);
    fx_actor(f, "supervisor", f->org, NULL, &sup);
    fx_actor(f, "supervisor", f->org2, NULL, &sup2);
    fx_actor(f, "member", f->org, f->group1, &mem);
    fx_actor(f, "analyst", f->org, NULL, &an);
    fx_actor(f, "provider", f->porg, NULL, &prov);
    fx_actor(f, "admin", NULL, NULL, &adm);
    struct ctx s1 = fx_ctx(f, &sup), s2 = fx_ctx(f, &sup2), m = fx_ctx(f, &mem);
    report_naming(&s1, l1, NULL, c[1]);
    screen(&s1, c[1], fl_debt);
    report_naming(&m, l1, NULL, c[2]); /* a member's report counts as any */
    screen(&s1, c[2], presumed);
    report_naming(&s2, l1, NULL, c[3]);
    screen(&s2, c[3], fl_docs);
    screen(&s2, c[3], nothing);
    report_naming(&s2, l1, NULL, c[4]);
    screen(&s2, c[4], exploited);
    report_naming(&s1, l1, NULL, c[5]);
    report_naming(&s2, l1, NULL, c[6]);
    screen(&s2, c[6], nothing);
    screen(&s2, c[6], fl_two);
    report_naming(&s1, l2, NULL, c[7]);
    screen(&s1, c[7], fl_debt);

    /* k = 2: only 1 is suppressed. */
    set_k(f, "2");
    assert_int_equal(agency_indicator_counts(&s1, l1, &a), ERR_OK);
    assert_shown(&a.total, 3);
    assert_int_equal(a.total.k, 2);
    assert_shown(by_code(&a, "fl_debt_bondage"), 2);
    assert_suppressed(by_code(&a, "fl_withholding_of_wages"));
    for (int i = 0; presumed[i] != NULL; i++)
        assert_suppressed(by_code(&a, presumed[i]));
    assert_null(by_code(&a, "fl_retention_of_documents"));
    assert_int_equal(a.nby_indicator, 2 + 6);
    /* The catalog's order: trafficking indicators, then forced labour. */
    assert_string_equal(a.by_indicator[0].code, "a_deceived_nature_of_job");
    assert_string_equal(a.by_indicator[a.nby_indicator - 1].code, "fl_debt_bondage");
    agency_indicators_free(&a);

    /* k = 3: 3 is k, shown; 2 is k-1, suppressed. */
    set_k(f, "3");
    assert_int_equal(agency_indicator_counts(&s2, l1, &a), ERR_OK); /* the other NGO: the same */
    assert_shown(&a.total, 3);
    assert_suppressed(by_code(&a, "fl_debt_bondage"));
    agency_indicators_free(&a);
    /* k = 4: 3 is k-1, suppressed. */
    set_k(f, "4");
    assert_int_equal(agency_indicator_counts(&m, l1, &a), ERR_OK);
    assert_suppressed(&a.total);
    assert_int_equal(a.total.k, 4);
    agency_indicators_free(&a);
    /* The default (5). */
    struct fielderrs fe = {0};
    assert_int_equal(setting_set(&f->op, SETTING_SUPPRESSION_K, "5", &fe), ERR_OK);
    struct ctx an_cx = fx_ctx(f, &an);
    assert_int_equal(agency_indicator_counts(&an_cx, l1, &a), ERR_OK);
    assert_suppressed(&a.total);
    assert_int_equal(a.total.k, 5);
    agency_indicators_free(&a);

    /* L-2: one case (suppressed); L-3: none, 0 shown, no indicator row. */
    assert_int_equal(agency_indicator_counts(&s1, l2, &a), ERR_OK);
    assert_suppressed(&a.total);
    agency_indicators_free(&a);
    assert_int_equal(agency_indicator_counts(&s1, l3, &a), ERR_OK);
    assert_shown(&a.total, 0);
    assert_int_equal(a.nby_indicator, 0);
    agency_indicators_free(&a);

    /* Refused: a provider, the admin; unknown agencies. */
    struct ctx p = fx_ctx(f, &prov), ad = fx_ctx(f, &adm);
    assert_false(agency_indicators_allowed(&p));
    assert_false(agency_indicators_allowed(&ad));
    assert_int_equal(agency_indicator_counts(&p, l1, &a), ERR_FORBIDDEN);
    assert_int_equal(agency_indicator_counts(&ad, l1, &a), ERR_FORBIDDEN);
    assert_int_equal(agency_indicator_counts(&s1, "zzzzzzzzzzzzzzzzzzzz", &a), ERR_NOT_FOUND);
    assert_null(a.by_indicator);
    actor_free(&sup);
    actor_free(&sup2);
    actor_free(&mem);
    actor_free(&an);
    actor_free(&prov);
    actor_free(&adm);
}

/* The whole file as stored, with its write-ahead log. */
static char *db_bytes(struct fx *f, size_t *n)
{
    char *all = NULL;
    *n = 0;
    const char *suffix[] = {"", "-wal"};
    for (int i = 0; i < 2; i++) {
        char p[128];
        snprintf(p, sizeof p, "%s%s", f->db, suffix[i]);
        FILE *fp = fopen(p, "rb");
        if (fp == NULL)
            continue;
        char chunk[65536];
        size_t got;
        while ((got = fread(chunk, 1, sizeof chunk, fp)) > 0) {
            all = realloc(all, *n + got + 1);
            assert_non_null(all);
            memcpy(all + *n, chunk, got);
            *n += got;
        }
        fclose(fp);
    }
    return all;
}

static bool bytes_have(const char *hay, size_t n, const char *needle)
{
    size_t k = strlen(needle);
    for (size_t i = 0; hay != NULL && i + k <= n; i++)
        if (memcmp(hay + i, needle, k) == 0)
            return true;
    return false;
}

static int count_cases(struct fx *f)
{
    int n = -1;
    struct case_filter cf = {.urgent = -1};
    assert_int_equal(store_case_count(f->op.db, &cf, &n), ERR_OK);
    return n;
}

static void test_a_case_names_the_agency_and_the_employer_sealed(void **state)
{
    struct fx *f = *state;
    struct agency_import_summary sum;
    char *errors = NULL, l1[ID_SIZE], l2[ID_SIZE], id[ID_SIZE];
    struct actor sup;
    struct fielderrs fe = {0};
    struct case_view v = {0};
    assert_int_equal(import(f, list1, "2026-01-15", &sum, &errors), ERR_OK);
    id_of(f, "L-1", l1);
    id_of(f, "L-2", l2);
    fx_actor(f, "supervisor", f->org, NULL, &sup);
    struct ctx cx = fx_ctx(f, &sup);

    /* An unknown agency: a field error, nothing written. */
    struct case_report_in in;
    case_report_in_init(&in);
    in.location_code = PUOK_CHAS;
    in.concerns[0] = "trafficking";
    in.nconcerns = 1;
    in.agency_id = "zzzzzzzzzzzzzzzzzzzz";
    int before = count_cases(f);
    assert_int_equal(case_report(&cx, &in, &v, &fe), ERR_VALIDATION);
    assert_int_equal(fe.n, 1);
    assert_string_equal(fe.e[0].field, "agency_id");
    assert_int_equal(count_cases(f), before);

    report_naming(&cx, l1, "Testemployer Fishing Co., Samut Sakhon", id);
    assert_int_equal(case_get(&cx, id, &v), ERR_OK);
    assert_string_equal(v.rec.agency_id, l1);
    assert_string_equal(v.employer, "Testemployer Fishing Co., Samut Sakhon");
    int version = v.rec.version;
    case_view_free(&v);

    /* PATCH: another agency; an unknown one is refused, nothing changed. */
    struct case_patch_in p;
    case_patch_in_init(&p);
    p.version = version;
    p.agency_id = "zzzzzzzzzzzzzzzzzzzz";
    fields_mark(&case_patch_fields, &p, 0, false);
    fields_mark(&case_patch_fields, &p, 6, false); /* agency_id */
    memset(&fe, 0, sizeof fe);
    assert_int_equal(case_update(&cx, id, &p, &v, &fe), ERR_VALIDATION);
    assert_string_equal(fe.e[0].field, "agency_id");
    assert_int_equal(case_get(&cx, id, &v), ERR_OK);
    assert_string_equal(v.rec.agency_id, l1);
    assert_int_equal(v.rec.version, version);
    case_view_free(&v);
    p.agency_id = l2;
    p.employer = "Testemployer Two";
    fields_mark(&case_patch_fields, &p, 7, false); /* employer */
    assert_int_equal(case_update(&cx, id, &p, &v, &fe), ERR_OK);
    assert_string_equal(v.rec.agency_id, l2);
    assert_string_equal(v.employer, "Testemployer Two");
    version = v.rec.version;
    case_view_free(&v);
    /* The timeline says what changed (codes, no text). */
    struct case_event_view *ev = NULL;
    size_t nev = 0;
    assert_int_equal(case_timeline(&cx, id, &ev, &nev), ERR_OK);
    assert_string_equal(ev[nev - 1].rec.kind, "updated");
    assert_string_equal(ev[nev - 1].rec.detail, "agency_id,employer");
    case_event_views_free(ev, nev);
    /* Null clears both. */
    case_patch_in_init(&p);
    p.version = version;
    fields_mark(&case_patch_fields, &p, 0, false);
    fields_mark(&case_patch_fields, &p, 6, true);
    fields_mark(&case_patch_fields, &p, 7, true);
    assert_int_equal(case_update(&cx, id, &p, &v, &fe), ERR_OK);
    assert_string_equal(v.rec.agency_id, "");
    assert_null(v.employer);
    case_view_free(&v);

    /* The employer never lies in the file as text. */
    report_naming(&cx, l1, "Testemployer Sealed Farm", id);
    size_t n = 0;
    char *raw = db_bytes(f, &n);
    assert_true(n > 0);
    assert_false(bytes_have(raw, n, "Testemployer"));
    assert_true(bytes_have(raw, n, l1)); /* the agency is plain */
    free(raw);
    actor_free(&sup);
}

static void test_a_returnee_history_names_the_agency_and_the_employer(void **state)
{
    struct fx *f = *state;
    struct agency_import_summary sum;
    char *errors = NULL, l1[ID_SIZE];
    struct actor rep;
    struct fielderrs fe = {0};
    struct member_view v = {0};
    assert_int_equal(import(f, list1, "2026-01-15", &sum, &errors), ERR_OK);
    id_of(f, "L-1", l1);
    fx_actor(f, "representative", f->org, f->group1, &rep);
    struct ctx cx = fx_ctx(f, &rep);
    struct member_in in;
    member_in_init(&in);
    in.name_latn = "Test Returnee";
    in.sex = "female";
    in.has_returnee = true;
    in.returnee.countries[0] = "TH";
    in.returnee.ncountries = 1;
    in.returnee.agency_id = "zzzzzzzzzzzzzzzzzzzz";
    in.returnee.employer = "Testemployer Returnee Farm";
    assert_int_equal(member_add(&cx, f->group1, &in, &v, &fe), ERR_VALIDATION);
    assert_string_equal(fe.e[0].field, "returnee.agency_id");
    memset(&fe, 0, sizeof fe);
    in.returnee.agency_id = l1;
    assert_int_equal(member_add(&cx, f->group1, &in, &v, &fe), ERR_OK);
    assert_non_null(strstr(v.rec.returnee, l1));
    assert_null(strstr(v.rec.returnee, "Testemployer"));
    assert_string_equal(v.employer, "Testemployer Returnee Farm");
    char id[ID_SIZE];
    memcpy(id, v.rec.id, ID_SIZE);
    int version = v.rec.version;
    member_view_free(&v);
    /* A PATCH of something else keeps them. */
    struct member_in p;
    member_in_init(&p);
    p.version = version;
    p.active = true;
    fields_mark(&member_patch_fields, &p, 0, false);
    p.birth_year = 1990;
    fields_mark(&member_patch_fields, &p, 5, false);
    assert_int_equal(member_update(&cx, id, &p, &v, &fe), ERR_OK);
    assert_non_null(strstr(v.rec.returnee, l1));
    assert_string_equal(v.employer, "Testemployer Returnee Farm");
    member_view_free(&v);
    size_t n = 0;
    char *raw = db_bytes(f, &n);
    assert_false(bytes_have(raw, n, "Testemployer"));
    free(raw);
    actor_free(&rep);
}

int main(void)
{
    test_audit_keys();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_bad_rows_have_line_numbers, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_all_or_nothing, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_reimport_keeps_history, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_licensed_on_date_boundaries, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_search_and_order, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_indicator_figures_on_a_known_data_set, fx_setup,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_a_case_names_the_agency_and_the_employer_sealed,
                                        fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_a_returnee_history_names_the_agency_and_the_employer,
                                        fx_setup, fx_teardown),
    };
    return cmocka_run_group_tests_name("agencies", tests, NULL, NULL);
}
