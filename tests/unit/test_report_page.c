/* The dashboard's rendering (web/report_view.c, web/chart.c) over a
 * hand-built report: each chart is well-formed SVG with its accessible
 * name; a suppressed figure never shows its number (in a table, a chart's
 * bar or its <title>); absent figures are a dash; labels in Khmer and in
 * English; codes and labels are escaped. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n/i18n.h"
#include "web/chart.h"
#include "web/report_view.h"

/* A value no figure shown may contain: every suppressed cell carries it. */
#define SECRET  4321.0
#define SECRETS "4321"

static int setup(void **state)
{
    (void)state;
    char *msg = NULL;
    if (!i18n_init(&msg)) {
        fprintf(stderr, "i18n_init: %s\n", msg ? msg : "?");
        free(msg);
        return -1;
    }
    return 0;
}

static struct report_value shown(double v)
{
    return (struct report_value){.value = v};
}

static struct report_value hidden(void)
{
    return (struct report_value){.suppressed = true, .value = SECRET};
}

static struct report_value none(void)
{
    return (struct report_value){.absent = true, .value = SECRET};
}

static void set(char *dst, const char *s)
{
    snprintf(dst, REPORT_CODE_MAX, "%s", s);
}

static void add_dim(struct report_ind *ind, const char *name, size_t n, const char *const *codes,
                    const struct report_value *vals)
{
    ind->dims = realloc(ind->dims, (ind->ndims + 1) * sizeof *ind->dims);
    assert_non_null(ind->dims);
    struct report_dim *d = &ind->dims[ind->ndims++];
    memset(d, 0, sizeof *d);
    set(d->name, name);
    d->n = n;
    d->cats = calloc(n, sizeof *d->cats);
    assert_non_null(d->cats);
    for (size_t i = 0; i < n; i++) {
        set(d->cats[i].code, codes[i]);
        d->cats[i].v = vals[i];
    }
}

static struct report_ind *add_ind(struct report *r, const char *code, enum report_kind kind,
                                  struct report_value v)
{
    r->inds = realloc(r->inds, (r->n + 1) * sizeof *r->inds);
    assert_non_null(r->inds);
    struct report_ind *ind = &r->inds[r->n++];
    memset(ind, 0, sizeof *ind);
    set(ind->code, code);
    ind->kind = kind;
    ind->v = v;
    return ind;
}

/* The report of the tests, to be freed with report_free(). */
static void build(struct report *r)
{
    memset(r, 0, sizeof *r);
    snprintf(r->from, sizeof r->from, "2026-01-01");
    snprintf(r->to, sizeof r->to, "2026-12-31");
    r->k = 5;
    snprintf(r->as_of, sizeof r->as_of, "2026-12-01T00:00:00Z");

    struct report_ind *ind = add_ind(r, "members", REPORT_COUNT, shown(160));
    add_dim(ind, "network_role", 3, (const char *const[]){"member", "representative", "trainer"},
            (struct report_value[]){shown(140), shown(12), hidden()});
    ind = add_ind(r, "members_trained_pct", REPORT_PCT, none());
    add_dim(ind, "topic", 2, (const char *const[]){"safe_migration", "leadership"},
            (struct report_value[]){shown(37.5), hidden()});
    add_ind(r, "knowledge_gain", REPORT_MEAN, shown(12.25));
    ind = add_ind(r, "people_reached", REPORT_COUNT, shown(240));
    add_dim(ind, "age", 2, (const char *const[]){"under_18", "18_plus"},
            (struct report_value[]){shown(40), shown(200)});
    ind = add_ind(r, "cases_reported", REPORT_COUNT, shown(12));
    add_dim(ind, "concern", 3, (const char *const[]){"trafficking", "forced_labour", "other"},
            (struct report_value[]){shown(7), hidden(), hidden()});
    add_dim(ind, "reporter_role", 2, (const char *const[]){"analyst", "<b>&x"},
            (struct report_value[]){shown(0), shown(12)});
    add_ind(r, "referrals_made", REPORT_COUNT, shown(40));
    add_ind(r, "referrals_accepted_pct", REPORT_PCT, shown(75));
    add_ind(r, "referrals_completed_pct", REPORT_PCT, hidden());
    add_ind(r, "median_days_to_completion", REPORT_MEDIAN, none());
    add_ind(r, "median_days_open", REPORT_MEDIAN, shown(6.5));
    add_ind(r, "<script>x</script>", REPORT_COUNT, shown(1));

    r->ntrends = 1;
    r->trends = calloc(1, sizeof *r->trends);
    assert_non_null(r->trends);
    set(r->trends[0].indicator, "cases_reported");
    r->trends[0].n = 12;
    r->trends[0].points = calloc(12, sizeof *r->trends[0].points);
    assert_non_null(r->trends[0].points);
    for (int m = 0; m < 12; m++) {
        struct report_point *p = &r->trends[0].points[m];
        snprintf(p->key, sizeof p->key, "2026-%02d", m + 1);
        p->v = m % 3 == 1 ? hidden() : shown(m * 2);
    }
    set(r->by_area.indicator, "cases_reported");
    r->by_area.n = 3;
    r->by_area.points = calloc(3, sizeof *r->by_area.points);
    assert_non_null(r->by_area.points);
    set(r->by_area.points[0].key, "1707");
    r->by_area.points[0].v = shown(9);
    set(r->by_area.points[1].key, "1710");
    r->by_area.points[1].v = hidden();
    set(r->by_area.points[2].key, "<i>\"'");
    r->by_area.points[2].v = shown(0);
}

static char *render(enum lang lang, bool charts)
{
    struct report r;
    struct buf b = {0};
    build(&r);
    report_view_protection(&b, lang, &r);
    if (charts)
        report_view_charts(&b, lang, NULL, &r);
    else
        report_view_figures(&b, lang, NULL, &r);
    report_free(&r);
    return buf_steal(&b);
}

/* Checks s[0..n) is well-formed markup: every element closed in order,
 * attributes quoted, no stray '<' or '&' in text. Returns the number of
 * elements. */
static int check_xml(const char *s, size_t n)
{
    const char *stack[64];
    size_t lens[64];
    int depth = 0, elements = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '&') {
            size_t j = i + 1;
            while (j < n && j < i + 8 && s[j] != ';' && s[j] != '&' && s[j] != '<')
                j++;
            if (j >= n || s[j] != ';')
                fail_msg("a bare & at %zu: %.40s", i, s + i);
            continue;
        }
        if (s[i] == '>')
            fail_msg("a bare > at %zu: %.40s", i, s + i);
        if (s[i] != '<')
            continue;
        bool closing = i + 1 < n && s[i + 1] == '/';
        size_t a = i + (closing ? 2 : 1), e = a;
        while (e < n && s[e] != ' ' && s[e] != '>' && s[e] != '/')
            e++;
        if (e == a)
            fail_msg("an empty tag at %zu", i);
        /* the end of the tag, quotes respected */
        size_t k = e;
        char q = 0;
        for (; k < n; k++) {
            if (q != 0) {
                if (s[k] == q)
                    q = 0;
                else if (s[k] == '<')
                    fail_msg("a < inside an attribute at %zu", k);
            } else if (s[k] == '"' || s[k] == '\'') {
                q = s[k];
            } else if (s[k] == '=') {
                if (k + 1 >= n || (s[k + 1] != '"' && s[k + 1] != '\''))
                    fail_msg("an unquoted attribute at %zu: %.40s", k, s + i);
            } else if (s[k] == '>') {
                break;
            }
        }
        if (k >= n)
            fail_msg("an unended tag at %zu", i);
        if (closing) {
            if (depth == 0 || lens[depth - 1] != e - a || memcmp(stack[depth - 1], s + a, e - a))
                fail_msg("</%.*s> closes nothing open at %zu", (int)(e - a), s + a, i);
            depth--;
        } else if (s[k - 1] != '/') {
            if (depth == 64)
                fail_msg("too deep");
            stack[depth] = s + a;
            lens[depth++] = e - a;
            elements++;
        } else {
            elements++;
        }
        i = k;
    }
    if (depth != 0)
        fail_msg("<%.*s> left open", (int)lens[depth - 1], stack[depth - 1]);
    return elements;
}

static int count(const char *s, const char *needle)
{
    int n = 0;
    for (const char *p = strstr(s, needle); p != NULL; p = strstr(p + 1, needle))
        n++;
    return n;
}

static void test_charts_are_well_formed_accessible_svg(void **state)
{
    (void)state;
    for (int l = 0; l < LANG__MAX; l++) {
        char *html = render((enum lang)l, true);
        int svgs = 0;
        check_xml(html, strlen(html));
        for (const char *p = strstr(html, "<svg"); p != NULL; p = strstr(p + 1, "<svg")) {
            const char *end = strstr(p, "</svg>");
            assert_non_null(end);
            assert_true(check_xml(p, (size_t)(end + 6 - p)) > 5);
            char head[400];
            snprintf(head, sizeof head, "%.*s", (int)(strchr(p, '>') - p), p);
            assert_non_null(strstr(head, "xmlns=\"http://www.w3.org/2000/svg\""));
            assert_non_null(strstr(head, "role=\"img\""));
            assert_non_null(strstr(head, "aria-label=\""));
            assert_non_null(strstr(head, "viewBox=\"0 0 360 "));
            assert_non_null(strstr(head, "width=\"100%\""));
            assert_true(strncmp(strchr(p, '>') + 1, "<title>", 7) == 0);
            svgs++;
        }
        /* the month by month trend, the areas, the funnel */
        assert_int_equal(svgs, 3);
        assert_non_null(strstr(html, "id=\"chart-trend-cases_reported\""));
        assert_non_null(strstr(html, "id=\"chart-by-area\""));
        assert_non_null(strstr(html, "id=\"chart-funnel\""));
        /* 4 hidden months, 1 hidden area, the hidden completed share */
        assert_int_equal(count(html, "class=\"hatch\""), 6);
        assert_int_equal(count(html, "class=\"legend\""), 3);
        free(html);
    }
}

static void test_suppressed_never_shows_its_number(void **state)
{
    (void)state;
    for (int l = 0; l < LANG__MAX; l++) {
        for (int charts = 0; charts < 2; charts++) {
            char *html = render((enum lang)l, charts);
            if (strstr(html, SECRETS) != NULL)
                fail_msg("a suppressed value is shown: %s", strstr(html, SECRETS) - 80);
            free(html);
        }
    }
    char *html = render(LANG_EN, false);
    /* network_role trainer, topic leadership, two concerns, the completed share */
    assert_int_equal(count(html, "data-suppressed=\"1\""), 5);
    assert_non_null(strstr(html, "<abbr title=\"Hidden (small-number protection)\">*</abbr>"));
    /* absent: members_trained_pct as a whole, the median over nothing */
    assert_int_equal(count(html, "class=\"num absent\">\xe2\x80\x94</td>"), 2);
    /* the explanation with k */
    assert_non_null(strstr(html, "Small-number protection (k = 5)"));
    free(html);
    /* a hidden bar is a fixed marker whose title says hidden, not a number */
    html = render(LANG_EN, true);
    assert_non_null(strstr(html, "<title>February 2026: Hidden (small-number protection)</title>"));
    assert_non_null(strstr(html, "<title>March 2026: 4</title>"));
    free(html);
}

static void test_figures_are_formatted_by_kind(void **state)
{
    (void)state;
    char *html = render(LANG_EN, false);
    assert_non_null(strstr(html, "<td class=\"num\">160</td>"));
    assert_non_null(strstr(html, "<td class=\"num\">37.5 %</td>"));
    assert_non_null(strstr(html, "<td class=\"num\">12.2</td>"));
    assert_non_null(strstr(html, "<td class=\"num\">6.5</td>"));
    assert_non_null(strstr(html, "<td class=\"num\">75.0 %</td>"));
    /* a zero is shown */
    assert_non_null(strstr(html, "<td class=\"num\">0</td>"));
    free(html);
}

static void test_labels_in_khmer_and_english(void **state)
{
    (void)state;
    char *en = render(LANG_EN, false), *km = render(LANG_KM, false);
    /* indicator, dimension, category (a code list's and the report's own) */
    assert_non_null(strstr(en, "<caption>Cases reported</caption>"));
    assert_non_null(strstr(km, "<caption>ករណីដែលបានរាយការណ៍</caption>"));
    assert_non_null(strstr(en, ">Concern</th>"));
    assert_non_null(strstr(km, ">កង្វល់</th>"));
    assert_non_null(strstr(en, ">Human trafficking</th>"));
    assert_non_null(strstr(km, i18n_text(LANG_KM, MSG_CONCERN_TRAFFICKING)));
    assert_string_not_equal(i18n_text(LANG_KM, MSG_CONCERN_TRAFFICKING), "Human trafficking");
    assert_non_null(strstr(en, ">Under 18</th>"));
    assert_non_null(strstr(en, ">18 and over</th>"));
    assert_non_null(strstr(km, ">១៨ ឆ្នាំ និងលើស</th>"));
    assert_non_null(strstr(en, "<h2>The network</h2>"));
    assert_non_null(strstr(km, "<h2>បណ្តាញ</h2>"));
    assert_non_null(strstr(km, "ការការពារចំនួនតូច (k = 5)"));
    assert_string_equal(report_label(LANG_EN, "referrals_made"), "Referrals made");
    assert_string_equal(report_label(LANG_KM, "referrals_made"), "ការបញ្ជូនដែលបានធ្វើ");
    assert_string_equal(report_label(LANG_EN, "no_such_code"), "no_such_code");
    assert_string_equal(report_cat_label(LANG_EN, NULL, "destination", "KR"),
                        i18n_text(LANG_EN, MSG_COUNTRY_KR));
    assert_string_equal(report_cat_label(LANG_EN, NULL, "district", "1707"), "1707");
    free(en);
    free(km);
    char *charts = render(LANG_KM, true);
    assert_non_null(strstr(charts, "aria-label=\"ករណីដែលបានរាយការណ៍ តាមខែនីមួយៗ\""));
    assert_non_null(strstr(charts, "<title>មីនា 2026: 4</title>"));
    char sent[80];
    snprintf(sent, sizeof sent, ">%s</text>", i18n_text(LANG_KM, MSG_REPORTS_FUNNEL_SENT));
    assert_non_null(strstr(charts, sent));
    assert_null(strstr(charts, ">Sent</text>"));
    free(charts);
}

/* Every indicator of docs/reports.md and every dimension of API.md has a
 * label in both languages. */
static void test_every_code_of_the_contract_is_labelled(void **state)
{
    (void)state;
    static const char *const codes[] = {"groups_active",
                                        "members",
                                        "members_returnees",
                                        "trainings",
                                        "training_participants",
                                        "members_trained_pct",
                                        "knowledge_gain",
                                        "outreach_sessions",
                                        "people_reached",
                                        "people_advised",
                                        "regular_channel_pct",
                                        "unlicensed_agency_warnings",
                                        "cases_reported",
                                        "presumed_trafficking",
                                        "gbv_incidents",
                                        "referrals_made",
                                        "referrals_accepted_pct",
                                        "referrals_completed_pct",
                                        "median_days_to_completion",
                                        "referrals_overdue",
                                        "cases_closed",
                                        "median_days_open",
                                        "cascade_trainings",
                                        "cascade_participants",
                                        "district",
                                        "network_role",
                                        "audience",
                                        "sex",
                                        "topic",
                                        "age",
                                        "destination",
                                        "channel",
                                        "concern",
                                        "reporter_role",
                                        "gbv_type",
                                        "service_type",
                                        "reason",
                                        "under_18",
                                        "18_plus"};
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++)
        for (int l = 0; l < LANG__MAX; l++)
            if (strcmp(report_label((enum lang)l, codes[i]), codes[i]) == 0)
                fail_msg("no label for %s", codes[i]);
    static const struct {
        const char *dim, *code;
    } cats[] = {
        {"gbv_type", "rape"},        {"service_type", "legal"}, {"audience", "police"},
        {"topic", "leadership"},     {"channel", "eps_korea"},  {"reason", "moved_away"},
        {"network_role", "trainer"}, {"sex", "female"},         {"reporter_role", "caseworker"},
        {"concern", "forced_labour"}};
    for (size_t i = 0; i < sizeof cats / sizeof cats[0]; i++)
        if (strcmp(report_cat_label(LANG_KM, NULL, cats[i].dim, cats[i].code), cats[i].code) == 0)
            fail_msg("no label for %s %s", cats[i].dim, cats[i].code);
}

static void test_codes_and_labels_are_escaped(void **state)
{
    (void)state;
    for (int charts = 0; charts < 2; charts++) {
        char *html = render(LANG_EN, charts);
        assert_null(strstr(html, "<script"));
        assert_null(strstr(html, "<b>"));
        assert_null(strstr(html, "<i>"));
        if (charts) {
            assert_non_null(strstr(html, "&lt;i&gt;&quot;&#39;"));
        } else {
            assert_non_null(strstr(html, "&lt;script&gt;x&lt;/script&gt;"));
            assert_non_null(strstr(html, "data-category=\"&lt;b&gt;&amp;x\""));
            assert_non_null(strstr(html, ">M&amp;E officer</th>"));
        }
        free(html);
    }
}

static void test_chart_scales_and_empty_series(void **state)
{
    (void)state;
    struct buf b = {0};
    struct chart_point p[2] = {{.label = "a", .value = 10}, {.label = "b", .value = 5}};
    struct chart c = {.id = "t", .title = "T", .suppressed = "hidden", .absent = "-"};
    chart_bars(&b, &c, p, 2);
    /* the largest value is the full bar (250), half of it half */
    assert_non_null(strstr(b.p, "width=\"250.0\""));
    assert_non_null(strstr(b.p, "width=\"125.0\""));
    assert_null(strstr(b.p, "class=\"legend\""));
    buf_free(&b);
    /* nothing to draw when all are zero: no bar, still well-formed */
    p[0].value = p[1].value = 0;
    chart_columns(&b, &c, p, 2);
    check_xml(b.p, b.len);
    assert_null(strstr(b.p, "class=\"bar\""));
    buf_free(&b);
    struct report r;
    memset(&r, 0, sizeof r);
    report_view_charts(&b, LANG_EN, NULL, &r);
    assert_null(strstr(b.p, "<svg"));
    buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_charts_are_well_formed_accessible_svg),
        cmocka_unit_test(test_suppressed_never_shows_its_number),
        cmocka_unit_test(test_figures_are_formatted_by_kind),
        cmocka_unit_test(test_labels_in_khmer_and_english),
        cmocka_unit_test(test_every_code_of_the_contract_is_labelled),
        cmocka_unit_test(test_codes_and_labels_are_escaped),
        cmocka_unit_test(test_chart_scales_and_empty_series),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
