/* Interface strings: the Khmer catalog is complete, placeholders agree, the
 * PO parser reads what msgfmt accepts, and languages are negotiated. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n/i18n.h"
#include "util/embed.h"

static int setup(void **state)
{
    char *msg = NULL;
    (void)state;
    if (!i18n_init(&msg)) {
        fprintf(stderr, "i18n_init: %s\n", msg ? msg : "?");
        free(msg);
        return -1;
    }
    return 0;
}

/* true when s holds a letter of the Khmer block (U+1780..U+17FF). */
static bool has_khmer(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    for (; p[0] != '\0'; p++)
        if (p[0] == 0xE1 && (p[1] == 0x9E || p[1] == 0x9F))
            return true;
    return false;
}

/* Number of "%s"; -1 when another '%' directive appears. */
static int placeholders(const char *s)
{
    int n = 0;
    for (const char *p = strchr(s, '%'); p != NULL; p = strchr(p + 2, '%')) {
        if (p[1] != 's')
            return -1;
        n++;
    }
    return n;
}

static void test_khmer_complete(void **state)
{
    (void)state;
    for (int m = 0; m < MSG__MAX; m++) {
        const char *km = i18n_text(LANG_KM, (enum msg)m);
        if (!i18n_has_translation(LANG_KM, (enum msg)m) || km[0] == '\0' || !has_khmer(km))
            fail_msg("no Khmer translation of \"%s\"", i18n_source((enum msg)m));
    }
}

static void test_placeholders_match(void **state)
{
    (void)state;
    for (int m = 0; m < MSG__MAX; m++) {
        const char *en = i18n_source((enum msg)m);
        int n = placeholders(en);
        if (n < 0)
            fail_msg("only %%s may appear in \"%s\"", en);
        for (int l = 0; l < LANG__MAX; l++)
            if (placeholders(i18n_text((enum lang)l, (enum msg)m)) != n)
                fail_msg("placeholders of \"%s\" differ in %s", en, lang_code((enum lang)l));
    }
}

static void test_english_is_source(void **state)
{
    (void)state;
    assert_string_equal(i18n_text(LANG_EN, MSG_LOGIN_TITLE), "Sign in");
    assert_string_equal(i18n_text(LANG_KM, MSG_LOGIN_TITLE), "ចូល");
    assert_string_equal(i18n_text(LANG_KM, MSG_NAV_CASES), "ករណីរបស់ខ្ញុំ");
    /* The language names each in their own language. */
    assert_string_equal(i18n_text(LANG_EN, MSG_LANG_ENDONYM), "English");
    assert_string_equal(i18n_text(LANG_KM, MSG_LANG_ENDONYM), "ខ្មែរ");
    /* Out of range: never NULL. */
    assert_string_equal(i18n_text(LANG_KM, MSG__MAX), "");
    assert_string_equal(i18n_text((enum lang)99, MSG_YES), "Yes");
}

static const char test_po[] = "# a comment\n"
                              "msgid \"\"\n"
                              "msgstr \"\"\n"
                              "\"Content-Type: text/plain; charset=UTF-8\\n\"\n"
                              "\n"
                              "msgid \"Sign in\"\n"
                              "msgstr \"In \\\"quotes\\\"\\t\\\\ \\x41\\102\"\n"
                              "\n"
                              "#, fuzzy\n"
                              "msgid \"Sign out\"\n"
                              "msgstr \"fuzzy: skipped\"\n"
                              "\n"
                              "msgid \"Yes\"\n"
                              "msgstr \"\"\n"
                              "\n"
                              "#, c-format\n"
                              "msgid \"\"\n"
                              "\"Case \"\n"
                              "\"%s\"\n"
                              "msgstr \"\"\n"
                              "\"multi \"\n"
                              "\"line %s\"\n"
                              "\n"
                              "msgctxt \"other\"\n"
                              "msgid \"No\"\n"
                              "msgstr \"context: skipped\"\n"
                              "\n"
                              "msgid \"Home\"\n"
                              "msgid_plural \"Homes\"\n"
                              "msgstr[0] \"plural: skipped\"\n"
                              "\n"
                              "#~ msgid \"Open\"\n"
                              "#~ msgstr \"obsolete: skipped\"\n"
                              "msgid \"Not a message of cbpn\"\n"
                              "msgstr \"ignored\"\n"
                              "msgid \"Closed\"\n"
                              "msgstr \"no blank line before, no newline at the end\"";

static void test_po_parser(void **state)
{
    char *msg = NULL;
    (void)state;
    assert_true(i18n_load_catalog(LANG_EN, "test.po", test_po, strlen(test_po), &msg));
    assert_null(msg);
    assert_string_equal(i18n_text(LANG_EN, MSG_LOGIN_TITLE), "In \"quotes\"\t\\ AB");
    assert_string_equal(i18n_text(LANG_EN, MSG_LOGIN_BUTTON), "In \"quotes\"\t\\ AB");
    assert_string_equal(i18n_text(LANG_EN, MSG_SIGN_OUT), "Sign out");
    assert_false(i18n_has_translation(LANG_EN, MSG_YES));
    assert_string_equal(i18n_text(LANG_EN, MSG_CASE_TITLE), "multi line %s");
    assert_string_equal(i18n_text(LANG_EN, MSG_NO), "No");
    assert_string_equal(i18n_text(LANG_EN, MSG_HOME), "Home");
    assert_string_equal(i18n_text(LANG_EN, MSG_STATUS_OPEN), "Open");
    assert_string_equal(i18n_text(LANG_EN, MSG_STATUS_CLOSED),
                        "no blank line before, no newline at the end");
    /* Back to the built-in catalogs. */
    assert_int_equal(setup(NULL), 0);
    assert_string_equal(i18n_text(LANG_EN, MSG_LOGIN_TITLE), "Sign in");
}

static void test_po_malformed(void **state)
{
    static const char *const bad[] = {
        "msgid \"x\n",                           /* unterminated */
        "msgid \"a\" junk\nmsgstr \"b\"\n",      /* text after the string */
        "msgstr \"b\"\n",                        /* msgstr without msgid */
        "msgid \"a\"\nmsgstr \"\\q\"\n",         /* unknown escape */
        "msgid \"a\"\n\"b\" \n\nmsgstr \"c\"\n", /* entry without msgstr */
        "\"orphan\"\n",
        "msgid \"a\"\nmsgid \"b\"\nmsgstr \"c\"\n",
        "msgid \"Yes\"\nmsgstr \"\\xff\"\n", /* not UTF-8 */
        "banana\n",
    };
    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char *msg = NULL;
        if (i18n_load_catalog(LANG_EN, "bad.po", bad[i], strlen(bad[i]), &msg))
            fail_msg("accepted malformed catalog %zu", i);
        assert_non_null(msg);
        assert_non_null(strstr(msg, "bad.po:"));
        free(msg);
    }
    assert_int_equal(setup(NULL), 0);
}

/* Every screening indicator of data/ has a Khmer label by its code; an
 * unknown key or context has none (the page falls back to English). */
static void test_keyed_indicators(void **state)
{
    (void)state;
    const char *const files[] = {"data/ilo_trafficking_indicators.csv",
                                 "data/ilo_forced_labour_indicators.csv"};
    int found = 0;
    for (size_t f = 0; f < 2; f++) {
        const struct embedded_file *e = embed_find(files[f]);
        assert_non_null(e);
        const char *p = strchr((const char *)e->data, '\n'); /* past the header */
        while (p != NULL && p[1] != '\0') {
            p++;
            /* The code is the first field of the forced-labour table and
             * the second of the trafficking table. */
            const char *start = p;
            if (f == 0)
                start = strchr(p, ',') + 1;
            size_t n = strcspn(start, ",");
            char code[64];
            snprintf(code, sizeof code, "%.*s", (int)n, start);
            const char *km = i18n_keyed(LANG_KM, "indicator", code);
            if (km == NULL || strcmp(km, code) == 0)
                fail_msg("no Khmer label for indicator %s", code);
            found++;
            p = strchr(p, '\n');
        }
    }
    assert_int_equal(found, 67 + 11);
    assert_null(i18n_keyed(LANG_KM, "indicator", "no_such_indicator"));
    assert_null(i18n_keyed(LANG_KM, "no_such_context", "a_deceived_nature_of_job"));
}

static void test_lang_parse(void **state)
{
    enum lang l = LANG__MAX;
    (void)state;
    assert_true(lang_parse("km", &l));
    assert_int_equal(l, LANG_KM);
    assert_true(lang_parse("en", &l));
    assert_int_equal(l, LANG_EN);
    static const char *const refused[] = {"",    "fr", "KM",  "km-KH",   "en ",
                                          " en", "e",  "kmm", "english", "km\n"};
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        l = LANG__MAX;
        assert_false(lang_parse(refused[i], &l));
        assert_int_equal(l, LANG__MAX);
    }
    assert_false(lang_parse(NULL, &l));
    assert_string_equal(lang_code(LANG_KM), "km");
    assert_string_equal(lang_code(LANG_EN), "en");
}

static void test_negotiate(void **state)
{
    static const struct {
        const char *header;
        enum lang want;
    } cases[] = {
        {NULL, LANG_KM},
        {"", LANG_KM},
        {"fr-FR,fr;q=0.9", LANG_KM},
        {"en", LANG_EN},
        {"en-US,en;q=0.9", LANG_EN},
        {"EN-gb", LANG_EN},
        {"km", LANG_KM},
        {"km-KH,km;q=0.9,en-US;q=0.8,en;q=0.7", LANG_KM},
        {"en-US,en;q=0.9,km;q=0.8", LANG_EN},
        {"en;q=0.5, km;q=0.8", LANG_KM},
        {"km;q=0.2, en;q=0.3", LANG_EN},
        {"en;q=0, fr", LANG_KM},
        {"km;q=0, en;q=0.1", LANG_EN},
        {"en;q=1.5", LANG_KM}, /* a bad weight: ignored */
        {"en;q=abc", LANG_KM},
        {"en;q=0.0001", LANG_KM}, /* more than three decimals */
        {"*", LANG_KM},
        {"english, khmer", LANG_KM},
        {"en ; q = 0.7 , km;q=0.6", LANG_EN},
        {",,;,en", LANG_EN},
        {"km;level=1;q=0.4,en;q=0.3", LANG_KM},
    };
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        if (lang_negotiate(cases[i].header) != cases[i].want)
            fail_msg("Accept-Language \"%s\"", cases[i].header ? cases[i].header : "(null)");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_khmer_complete),    cmocka_unit_test(test_placeholders_match),
        cmocka_unit_test(test_english_is_source), cmocka_unit_test(test_po_parser),
        cmocka_unit_test(test_po_malformed),      cmocka_unit_test(test_lang_parse),
        cmocka_unit_test(test_negotiate),         cmocka_unit_test(test_keyed_indicators),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
