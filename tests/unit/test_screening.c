/* Screening (DOMAIN.md §2): the catalog loaded from data/, the dimension
 * rule on each of its boundaries, the result rule for adults and children,
 * and screening a case (validation, known age, reach, one transaction).
 *
 * Expectations come from DOMAIN.md, not from src/domain/screening.c: the
 * rule is restated below as present(), the codes are named as they stand
 * in data/ilo_trafficking_indicators.csv (dimension and strength written
 * beside each), and the counts are those of ../shared/data/README.md. */
#include "audit_fixture.h"
#include "domain_fixture.h"

#include <jansson.h>

#include "api/json_io.h"
#include "audit/audit.h"
#include "domain/cases.h"
#include "domain/screening.h"
#include "util/clock.h"
#include "util/embed.h"

/* DOMAIN.md §2, read independently: present when the ticked indicators
 * include at least 2 strong; or 1 strong and 1 medium or weak; or 3 medium;
 * or 2 medium and 1 weak. */
static bool present(int s, int m, int w)
{
    return s >= 2 || (s >= 1 && m + w >= 1) || m >= 3 || (m >= 2 && w >= 1);
}

/* DOMAIN.md §2's result table. dims: A..F. */
static const char *expected_result(bool adult, const bool d[6])
{
    bool abc = d[0] || d[1] || d[2], ef = d[4] || d[5];
    if (abc && d[3] && (adult ? ef : true))
        return "presumed_trafficking";
    if (d[3])
        return "exploitation_without_trafficking_indicators";
    return "insufficient_indicators";
}

/* ---- the codes, as in data/ilo_trafficking_indicators.csv ---- */

#define A_S   "a_deceived_nature_of_job" /* A S (the only strong one of A) */
#define A_M1  "a_deceived_conditions_of_work"
#define A_M2  "a_deceived_contract"
#define A_M3  "a_deceived_family_reunification"
#define A_M4  "a_deceived_housing"
#define A_W   "a_deceived_education" /* A W (the only weak one of A) */
#define B_S   "b_violence_on_victim"
#define B_M1  "b_abduction_sale"
#define B_M2  "b_confiscation_of_documents"
#define B_M3  "b_debt_bondage"
#define C_M1  "c_difficult_family_situation"
#define C_M2  "c_illegal_status"
#define C_M3  "c_lack_of_education"
#define C_W1  "c_cultural_religious_beliefs"
#define C_W2  "c_general_context"
#define D_S   "d_excessive_hours"
#define D_M1  "d_bad_living_conditions"
#define D_M2  "d_hazardous_work"
#define D_M3  "d_low_or_no_salary"
#define D_W   "d_no_access_education"
#define E_S1  "e_confiscation_of_documents"
#define E_S2  "e_debt_bondage"
#define E_S3  "e_isolation_confinement"
#define E_M1  "e_forced_illicit_activities"
#define E_M2  "e_forced_tasks_or_clients"
#define E_W   "e_threat_inform_family"
#define F_M1  "f_dependency_on_exploiters"
#define F_M2  "f_difficulty_unknown_area"
#define F_M3  "f_economic_reasons"
#define F_W1  "f_difficulties_in_past"
#define F_W2  "f_personal_characteristics"
#define FL_DB "fl_debt_bondage"
#define FL_DE "fl_deception"

#define END NULL

static struct screening_catalog *catalog;

static int catalog_setup(void **state)
{
    char *msg = NULL;
    if (screening_catalog_load(&catalog, &msg) != ERR_OK) {
        print_error("catalog: %s\n", msg != NULL ? msg : "?");
        free(msg);
        return -1;
    }
    (void)state;
    return 0;
}

static int catalog_teardown(void **state)
{
    (void)state;
    screening_catalog_free(catalog);
    catalog = NULL;
    return 0;
}

static size_t count_codes(const char *const *codes)
{
    size_t n = 0;
    while (codes[n] != NULL)
        n++;
    return n;
}

/* Evaluates the NULL-terminated codes; ERR_OK expected. */
static struct screening_eval eval(bool adult, const char *const *codes)
{
    struct screening_eval ev;
    assert_int_equal(screening_evaluate(catalog, adult, codes, count_codes(codes), &ev), ERR_OK);
    return ev;
}

#define EVAL(adult, ...) eval(adult, (const char *const[]){__VA_ARGS__, END})

static int dim_index(char d)
{
    return d - 'A';
}

/* Dimension d's verdict for the codes. */
#define DIM(d, ...) (EVAL(true, __VA_ARGS__).dimensions[dim_index(d)])

static const char *result_code(const struct screening_eval *ev)
{
    return code_name(LIST_SCREENING_RESULT, (int)ev->result);
}

/* ---- the catalog ---- */

static void test_catalog_has_the_67_and_11_indicators(void **state)
{
    (void)state;
    /* ../shared/data/README.md: A 10, B 10, C 16, D 9, E 15, F 7. */
    const int per_dim[6] = {10, 10, 16, 9, 15, 7};
    int got[6] = {0}, forced = 0, trafficking = 0;
    assert_int_equal(screening_catalog_count(catalog), 67 + 11);
    for (size_t i = 0; i < screening_catalog_count(catalog); i++) {
        const struct screening_indicator *it = screening_catalog_at(catalog, i);
        assert_non_null(it);
        assert_ptr_equal(screening_catalog_find(catalog, it->code), it);
        if (it->dimension < 0) {
            forced++;
            assert_int_equal(strncmp(it->code, "fl_", 3), 0);
            assert_int_equal(it->strength, -1);
            assert_non_null(it->methods_of_control);
        } else {
            trafficking++;
            assert_true(it->dimension < 6);
            assert_true(it->strength >= 0 && it->strength < 3);
            assert_null(it->methods_of_control);
            got[it->dimension]++;
            /* Each code starts with its dimension's letter. */
            assert_int_equal(it->code[0], 'a' + it->dimension);
        }
        assert_true(it->label_en != NULL && it->label_en[0] != '\0');
    }
    assert_int_equal(trafficking, 67);
    assert_int_equal(forced, 11);
    for (int d = 0; d < 6; d++)
        assert_int_equal(got[d], per_dim[d]);
    assert_null(screening_catalog_at(catalog, 78));
    assert_null(screening_catalog_find(catalog, "nope"));
    assert_null(screening_catalog_find(catalog, NULL));
}

static void test_catalog_reads_every_forced_labour_code_of_domain_md(void **state)
{
    (void)state;
    static const char *const fl[] = {"fl_abuse_of_vulnerability",
                                     "fl_deception",
                                     "fl_restriction_of_movement",
                                     "fl_isolation",
                                     "fl_physical_sexual_violence",
                                     "fl_intimidation_threats",
                                     "fl_retention_of_documents",
                                     "fl_withholding_of_wages",
                                     "fl_debt_bondage",
                                     "fl_abusive_conditions",
                                     "fl_excessive_overtime"};
    for (size_t i = 0; i < sizeof fl / sizeof fl[0]; i++) {
        const struct screening_indicator *it = screening_catalog_find(catalog, fl[i]);
        assert_non_null(it);
        assert_int_equal(it->dimension, -1);
    }
    const struct screening_indicator *it =
        screening_catalog_find(catalog, "fl_physical_sexual_violence");
    assert_string_equal(it->methods_of_control, "PhysicalAbuse;SexualAbuse;PsychoactiveSubstances");
    assert_string_equal(
        screening_catalog_find(catalog, "fl_abuse_of_vulnerability")->methods_of_control, "");
}

static void test_catalog_keeps_commas_of_quoted_labels(void **state)
{
    (void)state;
    const struct screening_indicator *it = screening_catalog_find(catalog, B_M1);
    assert_non_null(it);
    assert_string_equal(it->label_en,
                        "Abduction, forced marriage, forced adoption or selling of the person");
    assert_int_equal(it->dimension, 1);
    assert_int_equal(it->strength, 1); /* M */
    it = screening_catalog_find(catalog, A_S);
    assert_string_equal(it->label_en,
                        "Deceived about the nature of the job, its location or the employer");
    assert_int_equal(it->strength, 0); /* S */
    it = screening_catalog_find(catalog, F_W2);
    assert_int_equal(it->dimension, 5);
    assert_int_equal(it->strength, 2); /* W */
}

static void test_catalog_rule_is_the_shipped_data(void **state)
{
    (void)state;
    /* data/ilo_dimension_rule.csv: 2S; 1S+1M; 1S+1W; 3M; 2M+1W. */
    static const int rows[5][3] = {{2, 0, 0}, {1, 1, 0}, {1, 0, 1}, {0, 3, 0}, {0, 2, 1}};
    assert_int_equal(screening_rule_count(catalog), 5);
    for (size_t i = 0; i < 5; i++)
        for (int s = 0; s < 3; s++)
            assert_int_equal(screening_rule_at(catalog, i)->least[s], rows[i][s]);
}

/* Parses with the built-in forced-labour table and rule unless given. */
static enum err parse_with(const char *trafficking, const char *forced, const char *rule,
                           char **msg)
{
    const struct embedded_file *t = embed_find(SCREENING_TRAFFICKING_FILE);
    const struct embedded_file *f = embed_find(SCREENING_FORCED_LABOUR_FILE);
    const struct embedded_file *r = embed_find(SCREENING_RULE_FILE);
    assert_non_null(t);
    assert_non_null(f);
    assert_non_null(r);
    struct screening_sources src = {
        trafficking != NULL ? trafficking : (const char *)t->data,
        trafficking != NULL ? strlen(trafficking) : t->len,
        forced != NULL ? forced : (const char *)f->data,
        forced != NULL ? strlen(forced) : f->len,
        rule != NULL ? rule : (const char *)r->data,
        rule != NULL ? strlen(rule) : r->len,
    };
    struct screening_catalog *c = NULL;
    *msg = NULL;
    enum err e = screening_catalog_parse(&src, &c, msg);
    if (e == ERR_OK)
        assert_null(*msg);
    else
        assert_null(c);
    screening_catalog_free(c);
    return e;
}

#define T_HEAD "dimension,code,strength,label_en\n"
#define F_HEAD "code,label_en,htcds_methods_of_control\n"
#define R_HEAD "strong,medium,weak,meaning\n"

static void test_malformed_tables_are_refused(void **state)
{
    (void)state;
    static const struct {
        const char *t, *f, *r, *file;
    } bad[] = {
        /* an unquoted comma in a label: a fifth field */
        {T_HEAD "A,a_x,S,Deceived about the job, its location\n", NULL, NULL,
         SCREENING_TRAFFICKING_FILE},
        {T_HEAD "G,g_x,S,Unknown dimension\n", NULL, NULL, SCREENING_TRAFFICKING_FILE},
        {T_HEAD "A,a_x,X,Unknown strength\n", NULL, NULL, SCREENING_TRAFFICKING_FILE},
        {T_HEAD "a,a_x,S,Lowercase dimension\n", NULL, NULL, SCREENING_TRAFFICKING_FILE},
        {T_HEAD "A,a_x,S,One\nA,a_x,M,Twice\n", NULL, NULL, SCREENING_TRAFFICKING_FILE},
        {T_HEAD "A,A_Upper,S,Code in capitals\n", NULL, NULL, SCREENING_TRAFFICKING_FILE},
        {T_HEAD "A,,S,No code\n", NULL, NULL, SCREENING_TRAFFICKING_FILE},
        {T_HEAD "A,a_x,S,\n", NULL, NULL, SCREENING_TRAFFICKING_FILE},
        {T_HEAD "A,a_x,S\n", NULL, NULL, SCREENING_TRAFFICKING_FILE},
        {T_HEAD "A,a_x,S,\"Unterminated\n", NULL, NULL, SCREENING_TRAFFICKING_FILE},
        {T_HEAD "A,a_x,S,\"Quoted\" then text\n", NULL, NULL, SCREENING_TRAFFICKING_FILE},
        {T_HEAD "A,fl_x,S,A forced-labour code among the trafficking ones\n", NULL, NULL,
         SCREENING_TRAFFICKING_FILE},
        {T_HEAD, NULL, NULL, SCREENING_TRAFFICKING_FILE},
        {"", NULL, NULL, SCREENING_TRAFFICKING_FILE},
        {"dimension,code,strength\nA,a_x,S\n", NULL, NULL, SCREENING_TRAFFICKING_FILE},
        {"code,dimension,strength,label_en\na_x,A,S,Columns swapped\n", NULL, NULL,
         SCREENING_TRAFFICKING_FILE},
        {NULL, F_HEAD "x_deception,Deception,FalsePromises\n", NULL, SCREENING_FORCED_LABOUR_FILE},
        {NULL, F_HEAD "fl_x,One,\nfl_x,Twice,\n", NULL, SCREENING_FORCED_LABOUR_FILE},
        {NULL, F_HEAD "fl_x,Bad methods,Threats;;Debt\n", NULL, SCREENING_FORCED_LABOUR_FILE},
        {NULL, F_HEAD "fl_x,Bad methods,Threats Debt\n", NULL, SCREENING_FORCED_LABOUR_FILE},
        {NULL, F_HEAD, NULL, SCREENING_FORCED_LABOUR_FILE},
        {NULL, NULL, R_HEAD "0,0,0,asks for nothing\n", SCREENING_RULE_FILE},
        {NULL, NULL, R_HEAD "two,0,0,not a number\n", SCREENING_RULE_FILE},
        {NULL, NULL, R_HEAD "-1,0,0,negative\n", SCREENING_RULE_FILE},
        {NULL, NULL, R_HEAD "100,0,0,too large\n", SCREENING_RULE_FILE},
        {NULL, NULL, R_HEAD "2,0,0\n", SCREENING_RULE_FILE},
        {NULL, NULL, R_HEAD, SCREENING_RULE_FILE},
        {NULL, NULL, "strong,weak,medium,meaning\n2,0,0,x\n", SCREENING_RULE_FILE},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char *msg = NULL;
        enum err e = parse_with(bad[i].t, bad[i].f, bad[i].r, &msg);
        if (e == ERR_OK)
            fail_msg("case %zu was accepted", i);
        assert_non_null(msg);
        if (strstr(msg, bad[i].file) == NULL || strstr(msg, "line ") == NULL)
            fail_msg("case %zu: message %s does not name %s and a line", i, msg, bad[i].file);
        free(msg);
    }
}

static void test_well_formed_variants_are_read(void **state)
{
    (void)state;
    char *msg = NULL;
    /* CRLF, a byte order mark, a doubled quote, a comma and a line break
     * inside quotes, no final newline. */
    assert_int_equal(parse_with("\xef\xbb\xbf"
                                "dimension,code,strength,label_en\r\n"
                                "A,a_x,S,\"Said \"\"yes\"\", then, no\"\r\n"
                                "D,d_x,M,\"Two\nlines\"",
                                NULL, NULL, &msg),
                     ERR_OK);
    free(msg);
    /* A configured rule: 4 weak alone make a dimension present. */
    assert_int_equal(parse_with(NULL, NULL, R_HEAD "0,0,4,four weak\n", &msg), ERR_OK);
    free(msg);
    /* 117 trafficking and the 11 forced-labour indicators: 128 in all. */
    struct buf big = {0};
    buf_puts(&big, T_HEAD);
    for (int i = 0; i < 117; i++)
        buf_printf(&big, "A,a_%d,M,Indicator %d\n", i, i);
    assert_int_equal(parse_with(big.p, NULL, NULL, &msg), ERR_OK);
    free(msg);
    buf_free(&big);
}

static void test_catalog_over_128_is_refused(void **state)
{
    (void)state;
    char *msg = NULL;
    struct buf big = {0};
    buf_puts(&big, T_HEAD);
    for (int i = 0; i < 118; i++) /* 118 + 11 = 129 */
        buf_printf(&big, "A,a_%d,M,Indicator %d\n", i, i);
    assert_int_equal(parse_with(big.p, NULL, NULL, &msg), ERR_VALIDATION);
    assert_non_null(msg);
    free(msg);
    buf_free(&big);
}

/* ---- the dimension rule ---- */

static void test_rule_on_every_count_up_to_five(void **state)
{
    (void)state;
    for (int s = 0; s <= 5; s++)
        for (int m = 0; m <= 5; m++)
            for (int w = 0; w <= 5; w++) {
                int count[3] = {s, m, w};
                if (screening_rule_met(catalog, count) != present(s, m, w))
                    fail_msg("%dS %dM %dW: expected %s", s, m, w,
                             present(s, m, w) ? "present" : "absent");
            }
}

static void test_rule_boundaries_by_counts(void **state)
{
    (void)state;
    static const struct {
        int s, m, w;
        bool present;
    } cases[] = {
        {2, 0, 0, true},  {1, 0, 0, false}, /* 2S; one short */
        {1, 1, 0, true},  {0, 1, 0, false}, /* 1S+1M; without the S */
        {1, 0, 1, true},  {0, 0, 1, false}, /* 1S+1W */
        {0, 3, 0, true},  {0, 2, 0, false}, /* 3M; 2M */
        {0, 2, 1, true},  {0, 1, 1, false}, /* 2M+1W; 1M+1W */
        {1, 0, 2, true},  {0, 1, 2, false}, /* 1S+2W; 1M+2W */
        {0, 0, 3, false}, {0, 0, 4, false}, /* weak alone is never enough */
        {0, 0, 9, false}, {0, 1, 9, false}, {0, 2, 9, true}, {3, 3, 3, true}, {0, 0, 0, false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int count[3] = {cases[i].s, cases[i].m, cases[i].w};
        assert_int_equal(present(cases[i].s, cases[i].m, cases[i].w), cases[i].present);
        if (screening_rule_met(catalog, count) != cases[i].present)
            fail_msg("%dS %dM %dW", cases[i].s, cases[i].m, cases[i].w);
    }
}

static void test_rule_boundaries_with_real_codes(void **state)
{
    (void)state;
    /* 2 strong */
    assert_true(DIM('E', E_S1, E_S2));
    assert_false(DIM('E', E_S1));
    assert_true(DIM('E', E_S1, E_S2, E_S3));
    /* 1 strong and 1 medium */
    assert_true(DIM('A', A_S, A_M1));
    assert_false(DIM('A', A_S));
    assert_false(DIM('A', A_M1));
    assert_true(DIM('B', B_S, B_M1));
    assert_false(DIM('B', B_S));
    /* 1 strong and 1 weak */
    assert_true(DIM('A', A_S, A_W));
    assert_true(DIM('D', D_S, D_W));
    assert_false(DIM('D', D_W));
    assert_true(DIM('E', E_S1, E_W));
    /* 3 medium */
    assert_true(DIM('C', C_M1, C_M2, C_M3));
    assert_false(DIM('C', C_M1, C_M2));
    assert_true(DIM('F', F_M1, F_M2, F_M3));
    assert_false(DIM('F', F_M1, F_M2));
    assert_true(DIM('B', B_M1, B_M2, B_M3));
    /* 2 medium and 1 weak */
    assert_true(DIM('C', C_M1, C_M2, C_W1));
    assert_false(DIM('C', C_M1, C_W1));
    assert_false(DIM('C', C_M1, C_W1, C_W2)); /* 1M+2W */
    assert_false(DIM('C', C_W1, C_W2));       /* 2W */
    assert_true(DIM('C', C_M1, C_M2, C_W1, C_W2));
    assert_true(DIM('F', F_M1, F_M2, F_W1));
    assert_false(DIM('F', F_M1, F_W1, F_W2));
    assert_false(DIM('F', F_W1, F_W2));
    assert_true(DIM('D', D_M1, D_M2, D_W));
    assert_false(DIM('D', D_M1, D_W));
    /* above the patterns */
    assert_true(DIM('A', A_S, A_M1, A_M2, A_M3, A_M4, A_W));
    assert_true(DIM('E', E_S1, E_S2, E_S3, E_M1, E_M2, E_W));
    /* nothing ticked */
    struct screening_eval ev;
    assert_int_equal(screening_evaluate(catalog, true, NULL, 0, &ev), ERR_OK);
    for (int d = 0; d < 6; d++)
        assert_false(ev.dimensions[d]);
}

static void test_dimensions_do_not_add_up_across(void **state)
{
    (void)state;
    /* One strong of A and one medium of B: neither dimension. */
    struct screening_eval ev = EVAL(true, A_S, B_M1);
    assert_false(ev.dimensions[0]);
    assert_false(ev.dimensions[1]);
    /* Forced-labour indicators count for no dimension. */
    ev = EVAL(true, D_S, FL_DB, FL_DE);
    assert_false(ev.dimensions[3]);
    assert_int_equal(ev.nforced, 2);
    /* B's debt bondage and E's are different indicators. */
    ev = EVAL(true, B_M3, E_S2);
    assert_false(ev.dimensions[1]);
    assert_false(ev.dimensions[4]);
}

/* ---- the result rule ---- */

static void test_result_examples(void **state)
{
    (void)state;
    struct screening_eval ev;
    /* adult: (A or B or C) and D and (E or F) */
    ev = EVAL(true, A_S, A_M1, D_S, D_M1, E_S1, E_S2);
    assert_string_equal(result_code(&ev), "presumed_trafficking");
    ev = EVAL(true, B_S, B_M1, D_M1, D_M2, D_M3, F_M1, F_M2, F_W1);
    assert_string_equal(result_code(&ev), "presumed_trafficking");
    ev = EVAL(true, C_M1, C_M2, C_M3, D_S, D_W, E_S1, E_W);
    assert_string_equal(result_code(&ev), "presumed_trafficking");
    /* adult without the means: not presumed */
    ev = EVAL(true, A_S, A_M1, D_S, D_M1);
    assert_string_equal(result_code(&ev), "exploitation_without_trafficking_indicators");
    /* the same for a child: the means are not needed */
    ev = EVAL(false, A_S, A_M1, D_S, D_M1);
    assert_string_equal(result_code(&ev), "presumed_trafficking");
    ev = EVAL(false, C_M1, C_M2, C_W1, D_M1, D_M2, D_W);
    assert_string_equal(result_code(&ev), "presumed_trafficking");
    /* D without recruitment, adult and child */
    ev = EVAL(true, D_S, D_M1, E_S1, E_S2, F_M1, F_M2, F_M3);
    assert_string_equal(result_code(&ev), "exploitation_without_trafficking_indicators");
    ev = EVAL(false, D_S, D_M1);
    assert_string_equal(result_code(&ev), "exploitation_without_trafficking_indicators");
    /* no D: insufficient, however much else */
    ev = EVAL(true, A_S, A_M1, B_S, B_M1, E_S1, E_S2, F_M1, F_M2, F_M3);
    assert_string_equal(result_code(&ev), "insufficient_indicators");
    ev = EVAL(false, A_S, A_M1, E_S1, E_S2);
    assert_string_equal(result_code(&ev), "insufficient_indicators");
    /* one short in D: insufficient */
    ev = EVAL(false, A_S, A_M1, D_M1, D_M2);
    assert_string_equal(result_code(&ev), "insufficient_indicators");
    /* one short in A (the only recruitment dimension ticked): not presumed */
    ev = EVAL(true, A_S, D_S, D_M1, E_S1, E_S2);
    assert_string_equal(result_code(&ev), "exploitation_without_trafficking_indicators");
    /* one short in E and F: an adult is not presumed */
    ev = EVAL(true, A_S, A_M1, D_S, D_M1, E_S1, F_M1, F_M2);
    assert_string_equal(result_code(&ev), "exploitation_without_trafficking_indicators");
    /* forced labour only */
    ev = EVAL(true, FL_DB, FL_DE);
    assert_string_equal(result_code(&ev), "insufficient_indicators");
    assert_int_equal(ev.nforced, 2);
}

/* Codes making each dimension present, and codes that fall one short. */
static const char *const dim_present[6][4] = {
    {A_S, A_M1, NULL}, {B_S, B_M1, NULL},  {C_M1, C_M2, C_M3, NULL},
    {D_S, D_M1, NULL}, {E_S1, E_S2, NULL}, {F_M1, F_M2, F_W1, NULL},
};
static const char *const dim_short[6][4] = {
    {A_S, NULL},       {B_M1, B_M2, NULL}, {C_M1, C_W1, C_W2, NULL},
    {D_M1, D_W, NULL}, {E_W, NULL},        {F_W1, F_W2, NULL},
};

static void test_result_for_every_combination_of_dimensions(void **state)
{
    (void)state;
    for (int mask = 0; mask < 64; mask++) {
        const char *codes[32];
        size_t n = 0;
        bool want[6];
        for (int d = 0; d < 6; d++) {
            want[d] = (mask >> d & 1) != 0;
            const char *const *add = want[d] ? dim_present[d] : dim_short[d];
            for (int k = 0; add[k] != NULL; k++)
                codes[n++] = add[k];
        }
        codes[n++] = FL_DB;
        for (int adult = 0; adult <= 1; adult++) {
            struct screening_eval ev;
            assert_int_equal(screening_evaluate(catalog, adult, codes, n, &ev), ERR_OK);
            for (int d = 0; d < 6; d++)
                if (ev.dimensions[d] != want[d])
                    fail_msg("mask %d: dimension %c", mask, 'A' + d);
            if (strcmp(result_code(&ev), expected_result(adult, want)) != 0)
                fail_msg("mask %d, %s: expected %s, got %s", mask, adult ? "adult" : "child",
                         expected_result(adult, want), result_code(&ev));
            assert_int_equal(ev.nticked, n);
            assert_int_equal(ev.nforced, 1);
            assert_string_equal(ev.forced_labour[0]->code, FL_DB);
        }
    }
}

static void test_evaluate_refuses_unknown_and_repeated_codes(void **state)
{
    (void)state;
    struct screening_eval ev;
    const char *unknown[] = {A_S, "a_not_a_code"};
    const char *twice[] = {A_S, A_M1, A_S};
    const char *blank[] = {""};
    const char *case_[] = {"A_DECEIVED_NATURE_OF_JOB"};
    const char *null[] = {NULL};
    assert_int_equal(screening_evaluate(catalog, true, unknown, 2, &ev), ERR_VALIDATION);
    assert_int_equal(screening_evaluate(catalog, true, twice, 3, &ev), ERR_VALIDATION);
    assert_int_equal(screening_evaluate(catalog, true, blank, 1, &ev), ERR_VALIDATION);
    assert_int_equal(screening_evaluate(catalog, true, case_, 1, &ev), ERR_VALIDATION);
    assert_int_equal(screening_evaluate(catalog, true, null, 1, &ev), ERR_VALIDATION);
    /* the dimension letter is not an indicator */
    const char *letter[] = {"A"};
    assert_int_equal(screening_evaluate(catalog, true, letter, 1, &ev), ERR_VALIDATION);
}

/* ---- screening a case ---- */

struct sfx {
    struct fx *f;
    struct actor cw, sup, cwo, supo, mem, rep, prov, analyst, admin;
    char adult_case[ID_SIZE];   /* survivor 30, by her birth date */
    char child_case[ID_SIZE];   /* survivor 16, by the age given */
    char unknown_case[ID_SIZE]; /* no age */
};

static struct ctx sctx(struct sfx *s, const struct actor *a)
{
    struct ctx cx = fx_ctx(s->f, a);
    cx.screening = catalog;
    return cx;
}

static void report(struct sfx *s, const struct actor *by, int age, const char *birth_date,
                   char out[ID_SIZE])
{
    struct case_report_in in;
    struct case_view v = {0};
    struct fielderrs fe = {0};
    case_report_in_init(&in);
    in.location_code = PUOK_CHAS;
    in.concerns[0] = "trafficking";
    in.nconcerns = 1;
    in.has_survivor = true;
    in.survivor.sex = "female";
    in.survivor.age = age;
    in.survivor.birth_date = birth_date;
    struct ctx cx = sctx(s, by);
    assert_int_equal(case_report(&cx, &in, &v, &fe), ERR_OK);
    memcpy(out, v.rec.id, ID_SIZE);
    case_view_free(&v);
}

static int case_setup(void **state)
{
    if (fx_setup(state) != 0 || catalog_setup(state) != 0)
        return -1;
    struct sfx *s = calloc(1, sizeof *s);
    s->f = *state;
    struct fx *f = s->f;
    fx_actor(f, "caseworker", f->org, NULL, &s->cw);
    fx_actor(f, "supervisor", f->org, NULL, &s->sup);
    fx_actor(f, "caseworker", f->org2, NULL, &s->cwo);
    fx_actor(f, "supervisor", f->org2, NULL, &s->supo);
    fx_actor(f, "member", f->org, f->group1, &s->mem);
    fx_actor(f, "representative", f->org, f->group1, &s->rep);
    fx_actor(f, "provider", f->porg, NULL, &s->prov);
    fx_actor(f, "analyst", f->org, NULL, &s->analyst);
    fx_actor(f, "admin", NULL, NULL, &s->admin);

    char today[DATE_SIZE], born[32];
    clock_today(today);
    /* 30 years ago today (28 February for a 29th) */
    int year = atoi(today) % 10000 - 30;
    snprintf(born, sizeof born, "%04d%.6s", year,
             strcmp(today + 4, "-02-29") == 0 ? "-02-28" : today + 4);
    /* Reported by a member of the organization's group: the caseworker
     * reaches it (unassigned, her organization). */
    report(s, &s->mem, -1, born, s->adult_case);
    report(s, &s->mem, 16, NULL, s->child_case);
    report(s, &s->mem, -1, NULL, s->unknown_case);
    *state = s;
    return 0;
}

static int case_teardown(void **state)
{
    struct sfx *s = *state;
    struct actor *all[] = {&s->cw,  &s->sup,  &s->cwo,     &s->supo, &s->mem,
                           &s->rep, &s->prov, &s->analyst, &s->admin};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        actor_free(all[i]);
    *state = s->f;
    free(s);
    catalog_teardown(state);
    return fx_teardown(state);
}

/* The input from a JSON body, as the API decodes it. *doc owns the strings. */
static void in_json(const char *body, struct screening_in *in, json_t **doc, struct fielderrs *fe)
{
    *doc = json_loads(body, 0, NULL);
    assert_non_null(*doc);
    screening_in_init(in);
    jin_fields(*doc, &screening_fields, in, fe);
}

static enum err add_json(struct sfx *s, const struct actor *a, const char *case_id,
                         const char *body, struct screening_rec *out, struct fielderrs *fe)
{
    struct screening_in in;
    json_t *doc;
    in_json(body, &in, &doc, fe);
    struct ctx cx = sctx(s, a);
    enum err e = screening_add(&cx, case_id, &in, out, fe);
    json_decref(doc);
    return e;
}

static int rows_of(struct sfx *s, const char *case_id)
{
    struct screening_rec *items = NULL;
    size_t n = 0;
    assert_int_equal(store_screening_list(s->f->op.db, case_id, &items, &n), ERR_OK);
    screening_list_free(items, n);
    return (int)n;
}

static int audit_rows(struct sfx *s)
{
    struct audit_rec *items = NULL;
    size_t n = 0;
    assert_int_equal(store_audit_range(s->f->op.db, 0, 1000000, &items, &n), ERR_OK);
    audit_list_free(items, n);
    return (int)n;
}

static int events_of(struct sfx *s, const char *case_id, const char *kind)
{
    struct case_event_rec *items = NULL;
    size_t n = 0;
    int count = 0;
    assert_int_equal(store_case_event_list(s->f->op.db, case_id, &items, &n), ERR_OK);
    for (size_t i = 0; i < n; i++)
        if (strcmp(items[i].kind, kind) == 0)
            count++;
    case_event_list_free(items, n);
    return count;
}

static int version_of(struct sfx *s, const char *case_id)
{
    struct case_rec r = {0};
    assert_int_equal(store_case_get(s->f->op.db, case_id, &r), ERR_OK);
    int v = r.version;
    case_rec_free(&r);
    return v;
}

#define PRESUMED_ADULT                                                                             \
    "{\"adult\": true, \"indicators\": [\"" A_S "\", \"" A_M1 "\", \"" D_S "\", \"" D_M1           \
    "\", \"" E_S1 "\", \"" E_S2 "\", \"" FL_DB "\"]}"

static void test_screen_and_rescreen_keeps_history(void **state)
{
    struct sfx *s = *state;
    struct screening_rec r1 = {0}, r2 = {0};
    struct fielderrs fe = {0};
    int audits = audit_rows(s), version = version_of(s, s->adult_case);

    assert_int_equal(add_json(s, &s->cw, s->adult_case, PRESUMED_ADULT, &r1, &fe), ERR_OK);
    assert_int_equal(fe.n, 0);
    assert_string_equal(r1.case_id, s->adult_case);
    assert_true(r1.adult);
    assert_string_equal(r1.result, "presumed_trafficking");
    assert_string_equal(r1.created_by, s->cw.user.id);
    json_t *dims = json_loads(r1.dimensions, 0, NULL);
    static const bool want[6] = {true, false, false, true, true, false};
    for (int d = 0; d < 6; d++) {
        char key[2] = {(char)('A' + d), '\0'};
        assert_true(json_is_boolean(json_object_get(dims, key)));
        assert_int_equal(json_is_true(json_object_get(dims, key)), want[d]);
    }
    assert_int_equal(json_object_size(dims), 6);
    json_decref(dims);
    json_t *fl = json_loads(r1.forced_labour_indicators, 0, NULL);
    assert_int_equal(json_array_size(fl), 1);
    assert_string_equal(json_string_value(json_array_get(fl, 0)), FL_DB);
    json_decref(fl);
    json_t *ind = json_loads(r1.indicators, 0, NULL);
    assert_int_equal(json_array_size(ind), 7);
    json_decref(ind);

    /* Facts came in: screened again, fewer indicators. */
    assert_int_equal(add_json(s, &s->sup, s->adult_case,
                              "{\"adult\": true, \"indicators\": [\"" D_S "\", \"" D_W "\"]}", &r2,
                              &fe),
                     ERR_OK);
    assert_string_equal(r2.result, "exploitation_without_trafficking_indicators");
    assert_string_not_equal(r1.id, r2.id);

    /* Both kept, oldest first; the case's version is unchanged. */
    struct screening_rec *items = NULL;
    size_t n = 0;
    struct ctx cx = sctx(s, &s->cw);
    assert_int_equal(screening_list(&cx, s->adult_case, &items, &n), ERR_OK);
    assert_int_equal(n, 2);
    assert_string_equal(items[0].id, r1.id);
    assert_string_equal(items[1].id, r2.id);
    screening_list_free(items, n);
    assert_int_equal(version_of(s, s->adult_case), version);
    assert_int_equal(events_of(s, s->adult_case, "screening"), 2);
    /* two creations and one read */
    assert_int_equal(audit_rows(s), audits + 3);
    screening_rec_free(&r1);
    screening_rec_free(&r2);
}

static void test_child_case_presumed_without_the_means(void **state)
{
    struct sfx *s = *state;
    struct screening_rec r = {0};
    struct fielderrs fe = {0};
    assert_int_equal(add_json(s, &s->cw, s->child_case,
                              "{\"adult\": false, \"indicators\": [\"" A_S "\", \"" A_W "\", \"" D_S
                              "\", \"" D_W "\"]}",
                              &r, &fe),
                     ERR_OK);
    assert_false(r.adult);
    assert_string_equal(r.result, "presumed_trafficking");
    screening_rec_free(&r);
}

static void test_unknown_age_accepts_either(void **state)
{
    struct sfx *s = *state;
    struct screening_rec r = {0};
    struct fielderrs fe = {0};
    assert_int_equal(add_json(s, &s->cw, s->unknown_case, "{\"adult\": true}", &r, &fe), ERR_OK);
    assert_string_equal(r.result, "insufficient_indicators");
    screening_rec_free(&r);
    assert_int_equal(
        add_json(s, &s->cw, s->unknown_case, "{\"adult\": false, \"indicators\": []}", &r, &fe),
        ERR_OK);
    assert_string_equal(r.result, "insufficient_indicators");
    screening_rec_free(&r);
}

/* A refusal: e and, for 422, the field named; nothing written. */
static void refused(struct sfx *s, const struct actor *a, const char *case_id, const char *body,
                    enum err want, const char *field)
{
    struct screening_rec r = {0};
    struct fielderrs fe = {0};
    int rows = rows_of(s, case_id), audits = audit_rows(s);
    int events = events_of(s, case_id, "screening");
    enum err e = add_json(s, a, case_id, body, &r, &fe);
    if (e != want)
        fail_msg("%s: expected %d, got %d", body, (int)want, (int)e);
    if (field != NULL && fielderr_get(&fe, field) == NULL)
        fail_msg("%s: no field error for %s", body, field);
    assert_int_equal(rows_of(s, case_id), rows);
    assert_int_equal(audit_rows(s), audits);
    assert_int_equal(events_of(s, case_id, "screening"), events);
    assert_null(r.indicators);
    screening_rec_free(&r);
}

static void test_input_refusals(void **state)
{
    struct sfx *s = *state;
    const char *c = s->unknown_case;
    refused(s, &s->cw, c, "{\"adult\": true, \"indicators\": [\"a_not_a_code\"]}", ERR_VALIDATION,
            "indicators");
    refused(s, &s->cw, c, "{\"adult\": true, \"indicators\": [\"" A_S "\", \"" A_S "\"]}",
            ERR_VALIDATION, "indicators");
    refused(s, &s->cw, c, "{\"adult\": true, \"indicators\": [\"A\"]}", ERR_VALIDATION,
            "indicators");
    refused(s, &s->cw, c, "{\"adult\": true, \"indicators\": [1]}", ERR_VALIDATION, "indicators");
    refused(s, &s->cw, c, "{\"adult\": true, \"indicators\": \"" A_S "\"}", ERR_VALIDATION,
            "indicators");
    refused(s, &s->cw, c, "{\"indicators\": [\"" A_S "\"]}", ERR_VALIDATION, "adult");
    refused(s, &s->cw, c, "{\"adult\": null}", ERR_VALIDATION, "adult");
    refused(s, &s->cw, c, "{\"adult\": \"yes\"}", ERR_VALIDATION, "adult");
    refused(s, &s->cw, c, "{}", ERR_VALIDATION, "adult");

    /* more codes than the catalog holds */
    struct buf b = {0};
    buf_puts(&b, "{\"adult\": true, \"indicators\": [");
    for (size_t i = 0; i < SCREENING_INDICATORS_MAX + 1; i++)
        buf_printf(&b, "%s\"%s\"", i ? "," : "",
                   screening_catalog_at(catalog, i % screening_catalog_count(catalog))->code);
    buf_puts(&b, "]}");
    refused(s, &s->cw, c, b.p, ERR_VALIDATION, "indicators");
    buf_free(&b);
}

static void test_adult_must_agree_with_a_known_age(void **state)
{
    struct sfx *s = *state;
    /* 16 by the age given, screened as an adult */
    refused(s, &s->cw, s->child_case, PRESUMED_ADULT, ERR_VALIDATION, "adult");
    /* 30 by her birth date, screened as a child */
    refused(s, &s->cw, s->adult_case, "{\"adult\": false, \"indicators\": [\"" D_S "\"]}",
            ERR_VALIDATION, "adult");
}

static void test_who_may_screen(void **state)
{
    struct sfx *s = *state;
    const char *body = "{\"adult\": true, \"indicators\": [\"" D_S "\"]}";
    /* DESIGN.md: screening is case work, for caseworkers and supervisors. */
    const struct actor *forbidden[] = {&s->mem, &s->rep, &s->prov, &s->analyst, &s->admin};
    for (size_t i = 0; i < sizeof forbidden / sizeof forbidden[0]; i++)
        refused(s, forbidden[i], s->adult_case, body, ERR_FORBIDDEN, NULL);
    /* the member's own report, still forbidden */
    refused(s, &s->mem, s->unknown_case, body, ERR_FORBIDDEN, NULL);
    /* another organization's caseworker and supervisor: not found */
    refused(s, &s->cwo, s->adult_case, body, ERR_NOT_FOUND, NULL);
    refused(s, &s->supo, s->adult_case, body, ERR_NOT_FOUND, NULL);
    /* reach decided before the body is looked at */
    refused(s, &s->supo, s->adult_case, "{\"indicators\": [\"nope\"]}", ERR_NOT_FOUND, NULL);
    refused(s, &s->analyst, s->adult_case, "{}", ERR_FORBIDDEN, NULL);
    /* no such case */
    refused(s, &s->cw, "zzzzzzzzzzzzzzzzzzzz", body, ERR_NOT_FOUND, NULL);
    refused(s, &s->cw, "../etc", body, ERR_NOT_FOUND, NULL);
}

static void test_who_may_read_screenings(void **state)
{
    struct sfx *s = *state;
    struct screening_rec *items = NULL;
    size_t n = 0;
    const struct actor *forbidden[] = {&s->mem, &s->rep, &s->prov, &s->analyst, &s->admin};
    for (size_t i = 0; i < sizeof forbidden / sizeof forbidden[0]; i++) {
        struct ctx cx = sctx(s, forbidden[i]);
        assert_int_equal(screening_list(&cx, s->adult_case, &items, &n), ERR_FORBIDDEN);
        assert_null(items);
    }
    struct ctx other = sctx(s, &s->supo);
    assert_int_equal(screening_list(&other, s->adult_case, &items, &n), ERR_NOT_FOUND);
    struct ctx sup = sctx(s, &s->sup);
    assert_int_equal(screening_list(&sup, s->unknown_case, &items, &n), ERR_OK);
    screening_list_free(items, n);
}

static void test_who_may_read_the_catalog(void **state)
{
    struct sfx *s = *state;
    const struct screening_catalog *c = NULL;
    struct ctx cx = sctx(s, &s->cw);
    assert_int_equal(screening_catalog_get(&cx, &c), ERR_OK);
    assert_ptr_equal(c, catalog);
    cx = sctx(s, &s->sup);
    assert_int_equal(screening_catalog_get(&cx, &c), ERR_OK);
    const struct actor *forbidden[] = {&s->mem, &s->rep, &s->prov, &s->analyst, &s->admin};
    for (size_t i = 0; i < sizeof forbidden / sizeof forbidden[0]; i++) {
        cx = sctx(s, forbidden[i]);
        assert_int_equal(screening_catalog_get(&cx, &c), ERR_FORBIDDEN);
        assert_null(c);
    }
    struct ctx nobody = {.db = s->f->op.db, .screening = catalog};
    assert_int_equal(screening_catalog_get(&nobody, &c), ERR_FORBIDDEN);
}

int main(void)
{
    test_audit_keys();
    const struct CMUnitTest pure[] = {
        cmocka_unit_test(test_catalog_has_the_67_and_11_indicators),
        cmocka_unit_test(test_catalog_reads_every_forced_labour_code_of_domain_md),
        cmocka_unit_test(test_catalog_keeps_commas_of_quoted_labels),
        cmocka_unit_test(test_catalog_rule_is_the_shipped_data),
        cmocka_unit_test(test_malformed_tables_are_refused),
        cmocka_unit_test(test_well_formed_variants_are_read),
        cmocka_unit_test(test_catalog_over_128_is_refused),
        cmocka_unit_test(test_rule_on_every_count_up_to_five),
        cmocka_unit_test(test_rule_boundaries_by_counts),
        cmocka_unit_test(test_rule_boundaries_with_real_codes),
        cmocka_unit_test(test_dimensions_do_not_add_up_across),
        cmocka_unit_test(test_result_examples),
        cmocka_unit_test(test_result_for_every_combination_of_dimensions),
        cmocka_unit_test(test_evaluate_refuses_unknown_and_repeated_codes),
    };
    const struct CMUnitTest cases[] = {
        cmocka_unit_test(test_screen_and_rescreen_keeps_history),
        cmocka_unit_test(test_child_case_presumed_without_the_means),
        cmocka_unit_test(test_unknown_age_accepts_either),
        cmocka_unit_test(test_input_refusals),
        cmocka_unit_test(test_adult_must_agree_with_a_known_age),
        cmocka_unit_test(test_who_may_screen),
        cmocka_unit_test(test_who_may_read_screenings),
        cmocka_unit_test(test_who_may_read_the_catalog),
    };
    int failed = cmocka_run_group_tests_name("screening: catalog and rules", pure, catalog_setup,
                                             catalog_teardown);
    failed += cmocka_run_group_tests_name("screening: cases", cases, case_setup, case_teardown);
    return failed;
}
