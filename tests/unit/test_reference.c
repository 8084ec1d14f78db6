/* The safe-migration reference (domain/reference.h): the shipped tables of
 * data/ loaded from the binary and every row checked here against the code
 * lists and DOMAIN.md §7 (so a malformed shipped file fails this test, not
 * the server), then the parser's refusals on malformed tables, and who may
 * read it.
 *
 * Expectations come from DOMAIN.md §7, not from src/domain/reference.c:
 * the three confirmed hotlines are written out below, and the checks of a
 * row (ISO2 code, Khmer text, a real date) are restated here. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/perm.h"
#include "auth/session.h"
#include "domain/reference.h"
#include "util/codes.h"
#include "util/embed.h"

/* DOMAIN.md §7: "Hotlines that public sources confirm: 1297, 117, 1280 ...
 * ship no number that is not confirmed." */
static const char *const confirmed_hotlines[] = {"1297", "117", "1280"};

static bool khmer(const char *s)
{
    for (; s[0] != '\0' && s[1] != '\0'; s++)
        if ((unsigned char)s[0] == 0xE1 &&
            ((unsigned char)s[1] == 0x9E || (unsigned char)s[1] == 0x9F))
            return true;
    return false;
}

static bool filled(const char *s)
{
    return s != NULL && strspn(s, " \t") < strlen(s);
}

static bool iso2_abroad(const char *s)
{
    return strlen(s) == 2 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z' &&
           strcmp(s, "KH") != 0;
}

static bool date_ok(const char *s)
{
    int y, m, d;
    char tail;
    if (strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3)
        return false;
    static const int days[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return y >= 1990 && y <= 2100 && m >= 1 && m <= 12 && d >= 1 && d <= days[m - 1];
}

static void check_source(const struct reference_source *s)
{
    assert_true(filled(s->source));
    assert_false(khmer(s->source) && !filled(s->source));
    if (!date_ok(s->date))
        fail_msg("source date %s is not YYYY-MM-DD", s->date);
}

static void check_texts(const char *km, const char *en)
{
    assert_true(filled(km));
    assert_true(filled(en));
    if (!khmer(km))
        fail_msg("Khmer text without Khmer: %s", km);
    if (khmer(en))
        fail_msg("English text with Khmer: %s", en);
}

/* Data rows of an embedded table: its lines that are not comments, less
 * the header (the shipped files quote no line breaks). */
static size_t data_lines(const char *name)
{
    const struct embedded_file *f = embed_find(name);
    assert_non_null(f);
    size_t n = 0;
    const char *p = (const char *)f->data, *end = p + f->len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t len = nl != NULL ? (size_t)(nl - p) : (size_t)(end - p);
        if (len > 0 && *p != '#')
            n++;
        p = nl != NULL ? nl + 1 : end;
    }
    return n - 1;
}

static struct reference *load(void)
{
    struct reference *ref = NULL;
    char *msg = NULL;
    enum err e = reference_load(&ref, &msg);
    if (e != ERR_OK)
        fail_msg("the shipped reference does not load: %s", msg ? msg : "?");
    free(msg);
    return ref;
}

static void test_shipped_channels(void **state)
{
    (void)state;
    struct reference *ref = load();
    size_t n = reference_channel_count(ref);
    assert_int_equal(n, data_lines(REFERENCE_CHANNELS_FILE));
    assert_true(n > 0);
    bool seen_th_mou = false, seen_kr_eps = false;
    for (size_t i = 0; i < n; i++) {
        const struct reference_channel *c = reference_channel_at(ref, i);
        const char *code = code_name(LIST_CHANNEL, c->channel);
        assert_non_null(code);
        assert_true(iso2_abroad(c->country));
        /* Only official channels are reference: never irregular or unknown. */
        assert_string_not_equal(code, "irregular");
        assert_string_not_equal(code, "unknown");
        check_texts(c->text_km, c->text_en);
        check_source(&c->src);
        for (size_t j = 0; j < i; j++) {
            const struct reference_channel *o = reference_channel_at(ref, j);
            assert_false(o->channel == c->channel && strcmp(o->country, c->country) == 0);
        }
        /* Channels named for one country belong to it. */
        if (strcmp(code, "eps_korea") == 0)
            assert_string_equal(c->country, "KR");
        if (strcmp(code, "titp_japan") == 0 || strcmp(code, "ssw_japan") == 0)
            assert_string_equal(c->country, "JP");
        if (strcmp(code, "border_pass") == 0)
            assert_string_equal(c->country, "TH");
        seen_th_mou |= strcmp(c->country, "TH") == 0 && strcmp(code, "government_mou") == 0;
        seen_kr_eps |= strcmp(code, "eps_korea") == 0;
    }
    assert_true(seen_th_mou);
    assert_true(seen_kr_eps);
    assert_null(reference_channel_at(ref, n));
    reference_free(ref);
}

static void test_shipped_documents(void **state)
{
    (void)state;
    struct reference *ref = load();
    size_t n = reference_document_count(ref);
    assert_int_equal(n, data_lines(REFERENCE_DOCUMENTS_FILE));
    /* Every document of the checklist, once. */
    assert_int_equal(n, (size_t)code_count(LIST_DOCUMENT));
    bool seen[64] = {false};
    for (size_t i = 0; i < n; i++) {
        const struct reference_document *d = reference_document_at(ref, i);
        const char *code = code_name(LIST_DOCUMENT, d->document);
        assert_non_null(code);
        assert_false(seen[d->document]);
        seen[d->document] = true;
        check_texts(d->name_km, d->name_en);
        check_texts(d->text_km, d->text_en);
        check_source(&d->src);
        if (!d->everywhere) {
            assert_true(d->ncountries > 0);
            for (int k = 0; k < d->ncountries; k++)
                assert_true(iso2_abroad(d->countries[k]));
        }
        /* DOMAIN.md §7: "in Thailand also pink_card, certificate_of_identity". */
        if (strcmp(code, "pink_card") == 0 || strcmp(code, "certificate_of_identity") == 0) {
            assert_false(d->everywhere);
            assert_int_equal(d->ncountries, 1);
            assert_true(reference_document_applies(d, "TH"));
            assert_false(reference_document_applies(d, "KR"));
        } else {
            assert_true(d->everywhere);
            assert_true(reference_document_applies(d, "JP"));
        }
    }
    reference_free(ref);
}

static void test_shipped_hotlines_are_the_confirmed_three(void **state)
{
    (void)state;
    struct reference *ref = load();
    size_t n = reference_hotline_count(ref);
    assert_int_equal(n, data_lines(REFERENCE_HOTLINES_FILE));
    assert_int_equal(n, sizeof confirmed_hotlines / sizeof confirmed_hotlines[0]);
    for (size_t k = 0; k < n; k++) {
        bool found = false;
        for (size_t i = 0; i < n; i++)
            found |= strcmp(reference_hotline_at(ref, i)->number, confirmed_hotlines[k]) == 0;
        if (!found)
            fail_msg("hotline %s missing", confirmed_hotlines[k]);
    }
    for (size_t i = 0; i < n; i++) {
        const struct reference_hotline *h = reference_hotline_at(ref, i);
        check_texts(h->name_km, h->name_en);
        check_texts(h->text_km, h->text_en);
        check_source(&h->src);
    }
    reference_free(ref);
}

/* ---- the parser's refusals ---- */

#define CH_HEAD  "country,channel,text_km,text_en,source,source_date\n"
#define DOC_HEAD "document,applies_to,name_km,name_en,text_km,text_en,source,source_date\n"
#define HOT_HEAD "number,name_km,name_en,text_km,text_en,source,source_date\n"
#define KM       "\xe1\x9e\x80\xe1\x9e\xB6" /* Khmer letters */
#define CH_ROW   "TH,government_mou," KM ",Text,A source,2025-04-22\n"
#define DOC_ROW  "passport,*," KM ",Passport," KM ",Text,A source,2024-08-19\n"
#define HOT_ROW  "117," KM ",Police," KM ",Text,A source,2022-08-31\n"

/* Parses the three tables; returns the error, *msg (caller frees). */
static enum err parse3(const char *ch, const char *doc, const char *hot, char **msg)
{
    struct reference_sources src = {ch, strlen(ch), doc, strlen(doc), hot, strlen(hot)};
    struct reference *ref = NULL;
    enum err e = reference_parse(&src, &ref, msg);
    if (e == ERR_OK)
        assert_non_null(ref);
    else
        assert_null(ref);
    reference_free(ref);
    return e;
}

static void refused(const char *ch, const char *doc, const char *hot, const char *file,
                    const char *why)
{
    char *msg = NULL;
    enum err e = parse3(ch, doc, hot, &msg);
    if (e != ERR_VALIDATION)
        fail_msg("accepted a malformed table (%s)", why);
    assert_non_null(msg);
    if (strstr(msg, file) == NULL || strstr(msg, "line ") == NULL)
        fail_msg("message %s does not name %s and a line", msg, file);
    free(msg);
}

static void test_minimal_tables_and_comments(void **state)
{
    (void)state;
    char *msg = NULL;
    assert_int_equal(
        parse3("# a note\n# " KM "\n" CH_HEAD CH_ROW, DOC_HEAD DOC_ROW, HOT_HEAD HOT_ROW, &msg),
        ERR_OK);
    assert_null(msg);
    /* CRLF and a quoted comma are fine. */
    assert_int_equal(parse3("country,channel,text_km,text_en,source,source_date\r\n"
                            "JP,ssw_japan," KM ",\"Skills, tests\",\"Body, title\",2019-03-25\r\n",
                            DOC_HEAD DOC_ROW, HOT_HEAD HOT_ROW, &msg),
                     ERR_OK);
}

static void test_malformed_tables_are_refused(void **state)
{
    (void)state;
    const char *C = REFERENCE_CHANNELS_FILE, *D = REFERENCE_DOCUMENTS_FILE,
               *H = REFERENCE_HOTLINES_FILE;
    const char *doc = DOC_HEAD DOC_ROW, *hot = HOT_HEAD HOT_ROW, *ch = CH_HEAD CH_ROW;
    /* channels */
    refused("", doc, hot, C, "empty");
    refused(CH_HEAD, doc, hot, C, "no rows");
    refused("country,channel,text_km,text_en,source\n", doc, hot, C, "wrong header");
    refused(CH_HEAD "Thailand,government_mou," KM ",Text,A source,2025-04-22\n", doc, hot, C,
            "country name");
    refused(CH_HEAD "th,government_mou," KM ",Text,A source,2025-04-22\n", doc, hot, C,
            "lowercase");
    refused(CH_HEAD "KH,government_mou," KM ",Text,A source,2025-04-22\n", doc, hot, C,
            "Cambodia is no destination");
    refused(CH_HEAD "TH,mou," KM ",Text,A source,2025-04-22\n", doc, hot, C, "unknown channel");
    refused(CH_HEAD "TH,irregular," KM ",Text,A source,2025-04-22\n", doc, hot, C, "irregular");
    refused(CH_HEAD CH_ROW CH_ROW, doc, hot, C, "twice");
    refused(CH_HEAD "TH,government_mou,Text,Text,A source,2025-04-22\n", doc, hot, C, "no Khmer");
    refused(CH_HEAD "TH,government_mou," KM "," KM ",A source,2025-04-22\n", doc, hot, C,
            "Khmer as English");
    refused(CH_HEAD "TH,government_mou,,Text,A source,2025-04-22\n", doc, hot, C, "empty km");
    refused(CH_HEAD "TH,government_mou," KM ", ,A source,2025-04-22\n", doc, hot, C, "blank en");
    refused(CH_HEAD "TH,government_mou," KM ",Text,,2025-04-22\n", doc, hot, C, "no source");
    refused(CH_HEAD "TH,government_mou," KM ",Text,A source,\n", doc, hot, C, "no date");
    refused(CH_HEAD "TH,government_mou," KM ",Text,A source,2025-02-30\n", doc, hot, C,
            "no such day");
    refused(CH_HEAD "TH,government_mou," KM ",Text,A source,22/04/2025\n", doc, hot, C,
            "date format");
    refused(CH_HEAD "TH,government_mou," KM ",Text,A source,2025-4-22\n", doc, hot, C,
            "short date");
    refused(CH_HEAD "TH,government_mou," KM ",Text,A source\n", doc, hot, C, "short row");
    refused(CH_HEAD "TH,government_mou," KM ",Text,A source,2025-04-22,x\n", doc, hot, C,
            "long row");
    refused(CH_HEAD "TH,government_mou," KM ",Te\x01xt,A source,2025-04-22\n", doc, hot, C,
            "control character");
    refused(CH_HEAD "TH,government_mou," KM ",Te\xffxt,A source,2025-04-22\n", doc, hot, C,
            "invalid UTF-8");
    refused(CH_HEAD "TH,government_mou," KM ",\"Text,A source,2025-04-22\n", doc, hot, C,
            "unterminated quote");
    refused(CH_HEAD "# a comment after the header\n" CH_ROW, doc, hot, C, "comment in the rows");
    /* documents */
    refused(ch, DOC_HEAD "visa_card,*," KM ",Visa," KM ",Text,A source,2024-08-19\n", hot, D,
            "unknown document");
    refused(ch, DOC_HEAD DOC_ROW DOC_ROW, hot, D, "twice");
    refused(ch, DOC_HEAD "pink_card,," KM ",Pink," KM ",Text,A source,2024-08-19\n", hot, D,
            "no destination");
    refused(ch, DOC_HEAD "pink_card,TH;MY," KM ",Pink," KM ",Text,A source,2024-08-19\n", hot, D,
            "separator");
    refused(ch, DOC_HEAD "pink_card,TH TH," KM ",Pink," KM ",Text,A source,2024-08-19\n", hot, D,
            "country twice");
    refused(ch, DOC_HEAD "pink_card,THA," KM ",Pink," KM ",Text,A source,2024-08-19\n", hot, D,
            "alpha-3");
    refused(ch, DOC_HEAD "passport,*,Passport,Passport," KM ",Text,A source,2024-08-19\n", hot, D,
            "name without Khmer");
    refused(ch, DOC_HEAD "passport,*," KM ",Passport," KM ",Text,A source,2024-13-01\n", hot, D,
            "month 13");
    /* hotlines */
    refused(ch, doc, HOT_HEAD, H, "no rows");
    refused(ch, doc, HOT_HEAD "11," KM ",Police," KM ",Text,A source,2022-08-31\n", H, "too short");
    refused(ch, doc, HOT_HEAD "012 345," KM ",Police," KM ",Text,A source,2022-08-31\n", H,
            "not only digits");
    refused(ch, doc, HOT_HEAD "+855117," KM ",Police," KM ",Text,A source,2022-08-31\n", H,
            "a plus");
    refused(ch, doc, HOT_HEAD "1234567," KM ",Police," KM ",Text,A source,2022-08-31\n", H,
            "too long");
    refused(ch, doc, HOT_HEAD HOT_ROW HOT_ROW, H, "twice");
    refused(ch, doc, HOT_HEAD "117," KM ",Police," KM ",Text,A source,1989-12-31\n", H,
            "before 1990");
}

/* ---- who may read it ---- */

static void test_every_signed_in_role_may_read_it(void **state)
{
    (void)state;
    struct reference *ref = load();
    const struct reference *got = NULL;
    struct ctx cx = {.reference = ref};
    /* No actor: refused. */
    assert_int_equal(reference_get(&cx, &got), ERR_FORBIDDEN);
    assert_null(got);
    struct actor a; /* outlives the loop: cx points to it below too */
    for (int role = 0; role < ROLE__MAX; role++) {
        memset(&a, 0, sizeof a);
        a.role = (enum role)role;
        cx.actor = &a;
        assert_int_equal(reference_get(&cx, &got), ERR_OK);
        assert_ptr_equal(got, ref);
    }
    /* A context without the loaded reference is an internal error. */
    cx.reference = NULL;
    assert_int_equal(reference_get(&cx, &got), ERR_INTERNAL);
    reference_free(ref);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shipped_channels),
        cmocka_unit_test(test_shipped_documents),
        cmocka_unit_test(test_shipped_hotlines_are_the_confirmed_three),
        cmocka_unit_test(test_minimal_tables_and_comments),
        cmocka_unit_test(test_malformed_tables_are_refused),
        cmocka_unit_test(test_every_signed_in_role_may_read_it),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
