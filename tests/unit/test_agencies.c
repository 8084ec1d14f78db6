/* The recruitment agencies (domain/agencies.h): the import's validation
 * with line numbers, all rows or none, re-imports with history, "licensed
 * on a date" at the boundaries, and the spelling-tolerant search. */
#include "audit_fixture.h"
#include "domain_fixture.h"

#include "domain/agencies.h"

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

int main(void)
{
    test_audit_keys();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_bad_rows_have_line_numbers, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_all_or_nothing, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_reimport_keeps_history, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_licensed_on_date_boundaries, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_search_and_order, fx_setup, fx_teardown),
    };
    return cmocka_run_group_tests_name("agencies", tests, NULL, NULL);
}
