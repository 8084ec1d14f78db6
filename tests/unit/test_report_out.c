/* The indicator spreadsheets (domain/report_out.h) over a hand-built
 * report: the CSV exactly (byte order mark, header, a row per total and per
 * cell, suppressed as an empty value, RFC 4180 quoting, one decimal for
 * percentages), and an XLSX workbook written through a file of TMPDIR that
 * is gone afterwards. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "domain/report_out.h"
#include "domain/sheet.h"

static struct report_cat cats_sex[] = {
    {"female", {false, false, 12}},
    {"male", {true, false, 0}},
};
static struct report_cat cats_odd[] = {
    {"a,b", {false, false, 3}},
    {"say \"hi\"", {false, false, 0}},
};
static struct report_dim dims[] = {
    {"sex", 2, cats_sex},
    {"odd", 2, cats_odd},
};
static struct report_ind inds[] = {
    {"people_reached", REPORT_COUNT, {false, false, 15}, 2, dims},
    {"regular_channel_pct", REPORT_PCT, {false, false, 66.66666}, 0, NULL},
    {"knowledge_gain", REPORT_MEAN, {true, false, 0}, 0, NULL},
    {"members_trained_pct", REPORT_PCT, {false, true, 0}, 0, NULL},
    {"median_days_to_completion", REPORT_MEDIAN, {false, false, 4.5}, 0, NULL},
    {"median_days_open", REPORT_MEDIAN, {false, false, 7}, 0, NULL},
};

static struct report sample(void)
{
    struct report r = {.from = "2026-01-01", .to = "2026-03-31", .k = 5};
    r.n = sizeof inds / sizeof inds[0];
    r.inds = inds;
    return r;
}

static void test_csv(void **state)
{
    (void)state;
    struct report r = sample();
    struct buf b = {0};
    report_csv(&r, &b);
    const char *want = "\xEF\xBB\xBF"
                       "code,dimension,category,value,suppressed\r\n"
                       "people_reached,,,15,false\r\n"
                       "people_reached,sex,female,12,false\r\n"
                       "people_reached,sex,male,,true\r\n"
                       "people_reached,odd,\"a,b\",3,false\r\n"
                       "people_reached,odd,\"say \"\"hi\"\"\",0,false\r\n"
                       "regular_channel_pct,,,66.7,false\r\n"
                       "knowledge_gain,,,,true\r\n"
                       "members_trained_pct,,,,false\r\n"
                       "median_days_to_completion,,,4.5,false\r\n"
                       "median_days_open,,,7,false\r\n";
    assert_string_equal(b.p, want);
    buf_free(&b);
}

static void test_csv_field(void **state)
{
    (void)state;
    struct buf b = {0};
    csv_field(&b, "plain", true);
    csv_field(&b, "line\nbreak", false);
    csv_field(&b, "cr\r", false);
    csv_field(&b, "", false);
    csv_field(&b, "ខ្មែរ", false);
    csv_end(&b);
    assert_string_equal(b.p, "plain,\"line\nbreak\",\"cr\r\",,ខ្មែរ\r\n");
    buf_free(&b);
}

static void test_json(void **state)
{
    (void)state;
    struct report r = sample();
    r.n = 3;
    json_t *j = report_json(&r);
    char *text = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS | JSON_REAL_PRECISION(10));
    /* API.md's shape (breakdown always an object), with the area, as_of
     * and the charts' series beside it */
    assert_string_equal(text,
                        "{\"as_of\":\"\",\"by_area\":{\"indicator\":\"\",\"points\":[]},"
                        "\"district\":null,\"from\":\"2026-01-01\",\"indicators\":["
                        "{\"breakdown\":{\"odd\":{\"a,b\":{\"suppressed\":false,\"value\":3},"
                        "\"say \\\"hi\\\"\":{\"suppressed\":false,\"value\":0}},"
                        "\"sex\":{\"female\":{\"suppressed\":false,\"value\":12},"
                        "\"male\":{\"suppressed\":true,\"value\":null}}},"
                        "\"code\":\"people_reached\",\"suppressed\":false,\"value\":15},"
                        "{\"breakdown\":{},\"code\":\"regular_channel_pct\",\"suppressed\":false,"
                        "\"value\":66.7},"
                        "{\"breakdown\":{},\"code\":\"knowledge_gain\",\"suppressed\":true,"
                        "\"value\":null}],"
                        "\"k\":5,\"to\":\"2026-03-31\",\"trends\":[]}");
    free(text);
    json_decref(j);
}

static int files_in(const char *dir)
{
    DIR *d = opendir(dir);
    int n = 0;
    for (struct dirent *e; d != NULL && (e = readdir(d)) != NULL;)
        n += e->d_name[0] != '.';
    if (d != NULL)
        closedir(d);
    return n;
}

static void test_xlsx(void **state)
{
    (void)state;
    char dir[] = "/tmp/cbpn-test-sheet-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char *old = getenv("TMPDIR") ? strdup(getenv("TMPDIR")) : NULL;
    setenv("TMPDIR", dir, 1);
    struct report r = sample();
    struct buf b = {0};
    assert_int_equal(report_xlsx(&r, LANG_KM, &b), ERR_OK);
    assert_true(b.len > 1000);
    assert_memory_equal(b.p, "PK\x03\x04", 4); /* a zip: the workbook */
    assert_int_equal(files_in(dir), 0);        /* its file is gone */
    buf_free(&b);
    /* A folder it cannot write: ERR_INTERNAL, nothing left behind. */
    setenv("TMPDIR", "/nonexistent-cbpn-dir", 1);
    assert_int_equal(report_xlsx(&r, LANG_EN, &b), ERR_INTERNAL);
    buf_free(&b);
    if (old != NULL)
        setenv("TMPDIR", old, 1);
    else
        unsetenv("TMPDIR");
    free(old);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_csv),
        cmocka_unit_test(test_csv_field),
        cmocka_unit_test(test_json),
        cmocka_unit_test(test_xlsx),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
