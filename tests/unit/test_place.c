/* domain/place and domain/romanize: the gazetteer's CSV import, the
 * in-memory index, children in each language's collation, and search. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include <unicode/ucol.h>

#include "audit_fixture.h"
#include "domain/place.h"
#include "domain/romanize.h"
#include "util/embed.h"
#include "util/log.h"

#define HEADER "code,level,parent_code,name_km,name_latn,unit_km,unit_latn\n"

/* The index of the built-in gazetteer, built once without a store. */
static struct places *g_places;

static int group_setup(void **state)
{
    (void)state;
    const struct embedded_file *f = embed_find("data/kh_admin_units.csv");
    struct location_rec *rows;
    size_t n;
    char *msg = NULL;
    log_quiet(1);
    if (f == NULL || places_parse_csv((const char *)f->data, f->len, &rows, &n, &msg) != ERR_OK)
        return -1;
    enum err e = places_build(rows, n, &g_places);
    places_rows_free(rows, n);
    return e == ERR_OK ? 0 : -1;
}

static int group_teardown(void **state)
{
    (void)state;
    places_free(g_places);
    return 0;
}

/* ---- CSV ---- */

static void test_builtin_csv_counts(void **state)
{
    (void)state;
    const struct embedded_file *f = embed_find("data/kh_admin_units.csv");
    struct location_rec *rows;
    size_t n, count[PLACE__MAX] = {0};
    char *msg = NULL;
    assert_non_null(f);
    assert_int_equal(places_parse_csv((const char *)f->data, f->len, &rows, &n, &msg), ERR_OK);
    assert_null(msg);
    assert_int_equal(n, 16465);
    for (size_t i = 0; i < n; i++)
        for (int l = 0; l < PLACE__MAX; l++)
            if (strcmp(rows[i].level, place_level_code((enum place_level)l)) == 0)
                count[l]++;
    assert_int_equal(count[PLACE_PROVINCE], 25);
    assert_int_equal(count[PLACE_DISTRICT], 210);
    assert_int_equal(count[PLACE_COMMUNE], 1652);
    assert_int_equal(count[PLACE_VILLAGE], 14578);
    for (size_t i = 0; i < n; i++) { /* normalised: no ZWSP, no double or edge spaces */
        const char *names[2] = {rows[i].name_km, rows[i].name_latn};
        for (int k = 0; k < 2; k++) {
            assert_null(strstr(names[k], "\xe2\x80\x8b"));
            assert_null(strstr(names[k], "  "));
            size_t len = strlen(names[k]);
            assert_true(len == 0 || (names[k][0] != ' ' && names[k][len - 1] != ' '));
        }
    }
    places_rows_free(rows, n);
    assert_int_equal(places_count(g_places), 16465);
}

static void test_csv_quoting(void **state)
{
    (void)state;
    const char csv[] = HEADER "17,province,,\"សៀម, រាប\",\"Siem \"\"Reap\"\"\",ខេត្ត,Khaet\r\n"
                              "1707,district,17,\"ពួក\",  Puok\xe2\x80\x8b  Town ,ស្រុក,Srok\r\n"
                              "170710,commune,1707,\"ពួក\nថ្មី\",,ឃុំ,\"Khum\"";
    struct location_rec *rows;
    size_t n;
    char *msg = NULL;
    assert_int_equal(places_parse_csv(csv, strlen(csv), &rows, &n, &msg), ERR_OK);
    assert_int_equal(n, 3);
    assert_string_equal(rows[0].code, "17");
    assert_string_equal(rows[0].parent, "");
    assert_string_equal(rows[0].name_km, "សៀម, រាប");
    assert_string_equal(rows[0].name_latn, "Siem \"Reap\"");
    assert_string_equal(rows[1].name_latn, "Puok Town");
    assert_string_equal(rows[2].name_km, "ពួក ថ្មី"); /* line break inside quotes: a space */
    assert_string_equal(rows[2].name_latn, "");
    assert_string_equal(rows[2].level, "commune");
    assert_string_equal(rows[2].parent, "1707");
    places_rows_free(rows, n);
}

static void test_csv_malformed_refused_whole(void **state)
{
    (void)state;
    static const struct {
        const char *csv;
        const char *why;
    } bad[] = {
        {"code,level\n17,province\n", "header"},
        {HEADER "17,province,,ក,A,ខេត្ត,Khaet\n1707,district,17,\"ពួក,Puok,ស្រុក,Srok\n",
         "unterminated"},
        {HEADER "17,province,,ក\"ខ\",A,ខេត្ត,Khaet\n", "quote in an unquoted"},
        {HEADER "17,province,,\"ក\"x,A,ខេត្ត,Khaet\n", "after a closing quote"},
        {HEADER "17,province,,ក,A,ខេត្ត\n", "7 fields"},
        {HEADER "17,province,,ក,A,ខេត្ត,Khaet,extra\n", "too many"},
        {HEADER "17,city,,ក,A,ខេត្ត,Khaet\n", "level"},
        {HEADER "170,province,,ក,A,ខេត្ត,Khaet\n", "digits"},
        {HEADER "1a,province,,ក,A,ខេត្ត,Khaet\n", "digits"},
        {HEADER "17,province,,ក,A,ខេត្ត,Khaet\n1807,district,17,ក,A,ស្រុក,Srok\n", "parent_code"},
        {HEADER "17,province,,ក,A,ខេត្ត,Khaet\n170701,commune,1707,ក,A,ឃុំ,Khum\n", "no earlier row"},
        {HEADER "17,province,,ក,A,ខេត្ត,Khaet\n01,province,,ក,A,ខេត្ត,Khaet\n", "ascending"},
        {HEADER "17,province,,ក,A,ខេត្ត,Khaet\n17,province,,ក,A,ខេត្ត,Khaet\n", "unique"},
        {HEADER "17,province,,\xff\xfe,A,ខេត្ត,Khaet\n", "UTF-8"},
        {HEADER "17,province,,\xe2\x80\x8b ,A,ខេត្ត,Khaet\n", "empty"},
        {HEADER "17,province,,ក,A,ខេត្ត,Khaet\r17", "carriage return"},
        {HEADER "17,province,,ក,A,ខេត្ត,Khaet\n\n", "7 fields"},
        {HEADER, "no rows"},
        {"", "header"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct location_rec *rows = (struct location_rec *)1;
        size_t n = 99;
        char *msg = NULL;
        assert_int_equal(places_parse_csv(bad[i].csv, strlen(bad[i].csv), &rows, &n, &msg),
                         ERR_VALIDATION);
        assert_null(rows);
        assert_int_equal(n, 0);
        assert_non_null(msg);
        if (strstr(msg, bad[i].why) == NULL)
            fail_msg("case %zu: \"%s\" does not say \"%s\"", i, msg, bad[i].why);
        assert_non_null(strstr(msg, "line "));
        free(msg);
    }
    /* a bad row far down is reported with its line */
    const char late[] = HEADER "17,province,,ក,A,ខេត្ត,Khaet\n"
                               "1707,district,17,ក,A,ស្រុក,Srok\n"
                               "1707xx,district,17,ក,A,ស្រុក,Srok\n";
    struct location_rec *rows;
    size_t n;
    char *msg = NULL;
    assert_int_equal(places_parse_csv(late, strlen(late), &rows, &n, &msg), ERR_VALIDATION);
    assert_non_null(strstr(msg, "line 4:"));
    free(msg);
}

/* ---- the index ---- */

static void test_get_and_district(void **state)
{
    (void)state;
    const struct place *v = places_get(g_places, "17071001");
    assert_non_null(v);
    assert_int_equal(v->level, PLACE_VILLAGE);
    assert_string_equal(v->name_latn, "Puok Chas");
    assert_string_equal(v->name_km, "ពួកចាស់");
    assert_string_equal(v->parent, "170710");
    const struct place *c = places_get(g_places, v->parent);
    assert_non_null(c);
    assert_int_equal(c->level, PLACE_COMMUNE);
    assert_string_equal(c->parent, "1707");
    const struct place *d = places_district_of(g_places, "17071001");
    assert_non_null(d);
    assert_string_equal(d->code, "1707");
    assert_string_equal(d->name_latn, "Puok");
    assert_ptr_equal(places_district_of(g_places, "1707"), d);
    assert_ptr_equal(places_district_of(g_places, "170710"), d);
    assert_null(places_district_of(g_places, "17"));
    assert_null(places_district_of(g_places, "99999999"));
    assert_null(places_get(g_places, "1799"));
    assert_null(places_get(g_places, ""));
    assert_null(places_get(g_places, "170710011234567890123456789012345678901234567890"));
    const struct place *pr = places_get(g_places, "17");
    assert_non_null(pr);
    assert_string_equal(pr->parent, "");
    assert_string_equal(place_level_code(pr->level), "province");

    /* ZWSP and double spaces are gone from the names */
    assert_string_equal(places_get(g_places, "17110117")->name_latn, "Chan Sa Khang Cheung");
    assert_string_equal(places_get(g_places, "06010401")->name_latn, "Boeng Khang Cheung");
    assert_string_equal(places_get(g_places, "02010508")->name_latn, "");
}

static void assert_sorted(const struct place **v, size_t n, const char *locale, bool km)
{
    UErrorCode ec = U_ZERO_ERROR;
    UCollator *coll = ucol_open(locale, &ec);
    assert_true(U_SUCCESS(ec));
    for (size_t i = 1; i < n; i++) {
        const char *a = km ? v[i - 1]->name_km : v[i - 1]->name_latn;
        const char *b = km ? v[i]->name_km : v[i]->name_latn;
        UCollationResult r = ucol_strcollUTF8(coll, a, -1, b, -1, &ec);
        assert_true(U_SUCCESS(ec));
        assert_true(r == UCOL_LESS || (r == UCOL_EQUAL && strcmp(v[i - 1]->code, v[i]->code) < 0));
    }
    ucol_close(coll);
}

static void test_children_sorted(void **state)
{
    (void)state;
    const struct place **km, **en;
    size_t nkm = places_children(g_places, "1707", LANG_KM, &km);
    size_t nen = places_children(g_places, "1707", LANG_EN, &en);
    assert_int_equal(nkm, 14); /* Puok: 170701..170716 without 170706 and 170714 */
    assert_int_equal(nen, nkm);
    for (size_t i = 0; i < nkm; i++) {
        assert_string_equal(km[i]->parent, "1707");
        assert_int_equal(km[i]->level, PLACE_COMMUNE);
    }
    assert_sorted(km, nkm, "km", true);
    assert_sorted(en, nen, "en", false);
    bool differ = false; /* the two orders are not the code order and not each other */
    for (size_t i = 0; i < nkm; i++)
        differ |= km[i] != en[i];
    assert_true(differ);
    free(km);
    free(en);

    const struct place **pv;
    size_t np = places_children(g_places, NULL, LANG_EN, &pv);
    assert_int_equal(np, 25);
    assert_sorted(pv, np, "en", false);
    assert_string_equal(pv[0]->name_latn, "Banteay Meanchey");
    free(pv);
    np = places_children(g_places, "", LANG_KM, &pv);
    assert_int_equal(np, 25);
    assert_sorted(pv, np, "km", true);
    free(pv);

    assert_int_equal(places_children(g_places, "17071001", LANG_KM, &pv), 0); /* a village */
    assert_null(pv);
    assert_int_equal(places_children(g_places, "99", LANG_KM, &pv), 0);
    assert_null(pv);
    assert_int_equal(places_children(g_places, "170710", LANG_EN, &pv), 11);
    free(pv);
}

/* ---- search keys ---- */

static void skel(const char *s, char out[ROMANIZE_KEY_MAX])
{
    struct romanize_key k;
    romanize_key(s, strlen(s), &k);
    memcpy(out, k.skel, k.skel_len + 1);
}

static void assert_same_skeleton(const char *a, const char *b)
{
    char x[ROMANIZE_KEY_MAX], y[ROMANIZE_KEY_MAX];
    skel(a, x);
    skel(b, y);
    if (strcmp(x, y) != 0)
        fail_msg("\"%s\" (%s) and \"%s\" (%s) differ", a, x, b, y);
}

static void test_romanize_keys(void **state)
{
    (void)state;
    struct romanize_key k;
    romanize_key(" Siem-Reap's  Town ", 19, &k);
    assert_string_equal(k.fold, "siemreapstown");
    assert_int_equal(k.nwords, 4);
    assert_int_equal(k.fold_word[1], 4);
    romanize_key("Kratié Chambâk", strlen("Kratié Chambâk"), &k);
    assert_string_equal(k.fold, "kratiechambak");

    assert_same_skeleton("Puok", "Pouk");
    assert_same_skeleton("Puok", "pok");
    assert_same_skeleton("Kralanh", "Krolanh");
    assert_same_skeleton("Siem Reap", "Siem Reab");
    assert_same_skeleton("Siem Reap", "siem riep");
    assert_same_skeleton("Kampong Cham", "Kompong Chaam");
    assert_same_skeleton("Battambang", "Batambang");
    assert_same_skeleton("Khum", "Kum");
    assert_same_skeleton("Chhuk", "Chuk");
    assert_same_skeleton("Thmei", "Thmey");
    assert_same_skeleton("Kaoh", "Koh");
    assert_same_skeleton("Chas", "Chah");
    assert_same_skeleton("Cheung", "Choeung");
    assert_same_skeleton("Srae", "Sre");

    char x[ROMANIZE_KEY_MAX], y[ROMANIZE_KEY_MAX];
    skel("Siem Reap", x);
    skel("Svay Rieng", y);
    assert_string_not_equal(x, y);
    skel("Pailin", x);
    skel("Puok", y);
    assert_string_not_equal(x, y);

    assert_int_equal(romanize_distance("kralaY", 6, "kralaY", 6, 1), 0);
    assert_int_equal(romanize_distance("kralaY", 6, "kraleY", 6, 1), 1);
    assert_int_equal(romanize_distance("abcdef", 6, "badcfe", 6, 2), 3);
    assert_int_equal(romanize_distance("abc", 3, "abcdef", 6, 2), 3);

    char km[256];
    /* ZWSP and spaces go; the result is NFC */
    size_t n =
        romanize_khmer_key("ពួក\xe2\x80\x8b ចាស់", strlen("ពួក\xe2\x80\x8b ចាស់"), km, sizeof km);
    assert_string_equal(km, "ពួកចាស់");
    assert_int_equal(n, strlen("ពួកចាស់"));
    assert_int_equal(romanize_khmer_key("\xff", 1, km, sizeof km), (size_t)-1);
    assert_true(romanize_has_khmer("x ពួក", strlen("x ពួក")));
    assert_false(romanize_has_khmer("Puok é", strlen("Puok é")));
}

static int naive_distance(const char *a, size_t na, const char *b, size_t nb)
{
    int d[16][16];
    for (size_t i = 0; i <= na; i++)
        d[i][0] = (int)i;
    for (size_t j = 0; j <= nb; j++)
        d[0][j] = (int)j;
    for (size_t i = 1; i <= na; i++) {
        for (size_t j = 1; j <= nb; j++) {
            int v = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
            if (d[i - 1][j] + 1 < v)
                v = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < v)
                v = d[i][j - 1] + 1;
            d[i][j] = v;
        }
    }
    return d[na][nb];
}

static void test_distance_matches_plain_levenshtein(void **state)
{
    (void)state;
    unsigned seed = 12345;
    for (int t = 0; t < 20000; t++) {
        char a[16] = {0}, b[16] = {0};
        seed = seed * 1103515245u + 12345u;
        size_t na = (seed >> 8) % 10, nb = (seed >> 16) % 10;
        int max = (int)((seed >> 24) % 4);
        for (size_t i = 0; i < na; i++) {
            seed = seed * 1103515245u + 12345u;
            a[i] = (char)('a' + (seed >> 16) % 3);
        }
        for (size_t i = 0; i < nb; i++) {
            seed = seed * 1103515245u + 12345u;
            b[i] = (char)('a' + (seed >> 16) % 3);
        }
        int want = naive_distance(a, na, b, nb);
        if (want > max)
            want = max + 1;
        int got = romanize_distance(a, na, b, nb, max);
        if (got != want)
            fail_msg("\"%.*s\" \"%.*s\" max %d: %d, want %d", (int)na, a, (int)nb, b, max, got,
                     want);
    }
}

/* ---- search ---- */

/* Position of code in the results of q, or -1. */
static int rank_of(const char *q, const char *code)
{
    const struct place **v;
    size_t n = places_search(g_places, q, PLACES_SEARCH_MAX, &v);
    int at = -1;
    for (size_t i = 0; i < n && at < 0; i++)
        if (strcmp(v[i]->code, code) == 0)
            at = (int)i;
    free(v);
    return at;
}

/* The first result of q at level l, or NULL. */
static const struct place *first_at(const char *q, enum place_level l)
{
    const struct place **v, *hit = NULL;
    size_t n = places_search(g_places, q, 50, &v);
    for (size_t i = 0; i < n && hit == NULL; i++)
        if (v[i]->level == l)
            hit = v[i];
    free(v);
    return hit;
}

static void test_search_romanisation(void **state)
{
    (void)state;
    assert_string_equal(first_at("Pouk", PLACE_DISTRICT)->code, "1707");
    assert_string_equal(first_at("Puok", PLACE_DISTRICT)->code, "1707");
    assert_string_equal(first_at("puok", PLACE_DISTRICT)->code, "1707");
    assert_int_equal(rank_of("Krolanh", "1706"), 0);
    assert_int_equal(rank_of("Kralanh", "1706"), 0);
    assert_int_equal(rank_of("KRALANH", "1706"), 0);
    assert_int_equal(rank_of("puok chas", "17071001"), 0);
    assert_int_equal(rank_of("Puok-Chas", "17071001"), 0);
    assert_int_equal(rank_of("PuokChas", "17071001"), 0);
    assert_int_equal(rank_of("Pouk Chas", "17071001"), 0);
    assert_int_equal(rank_of("Siem Reap", "17"), 0);
    assert_int_equal(rank_of("siem reab", "17"), 0);
    assert_int_equal(rank_of("Siem Riep", "17"), 0);
    assert_true(rank_of("Siem Reab", "171009") >= 0);
    assert_int_equal(rank_of("Kratie", "10"), 0); /* the name is "Kratié" */
    assert_int_equal(rank_of("Battambang", "02"), 0);
    assert_int_equal(rank_of("Batambang", "02"), 0);
    assert_int_equal(rank_of("Batdambang", "02"), 0); /* one edit */
    assert_int_equal(rank_of("Chan Sa Khang Cheung", "17110117"), 0);
    assert_int_equal(rank_of("chan sa khang  cheung", "17110117"), 0);
    assert_int_equal(rank_of("Kbal Spean 1", "01100403"), 0);
    assert_true(rank_of("Chas", "17071001") >= 0); /* a later word */

    /* exact before prefix before skeleton; provinces before districts */
    const struct place **v;
    size_t n = places_search(g_places, "Siem Reap", 10, &v);
    assert_true(n >= 3);
    assert_string_equal(v[0]->code, "17");
    assert_string_equal(v[1]->code, "1710");
    free(v);
}

static void test_search_khmer(void **state)
{
    (void)state;
    assert_string_equal(first_at("ពួក", PLACE_DISTRICT)->code, "1707");
    assert_int_equal(rank_of("ពួក", "1707"), 0);
    assert_int_equal(rank_of("ពួកចាស់", "17071001"), 0);
    assert_int_equal(rank_of("ពួក ចាស់", "17071001"), 0);
    assert_int_equal(rank_of("ពួក\xe2\x80\x8bចាស់", "17071001"), 0);
    assert_int_equal(rank_of("ក្រឡាញ់", "1706"), 0);
    assert_true(rank_of("ចាស់", "17071001") >= 0);           /* a part of the name */
    assert_int_equal(rank_of("ចាន់សខាងជើង", "17110117"), 0); /* despite its ZWSP */
    assert_int_equal(rank_of("សៀមរាប", "17"), 0);
}

static void test_search_edges(void **state)
{
    (void)state;
    const struct place **v = (const struct place **)1;
    assert_int_equal(places_search(g_places, "", 10, &v), 0);
    assert_null(v);
    assert_int_equal(places_search(g_places, "   ", 10, &v), 0);
    assert_int_equal(places_search(g_places, "-'", 10, &v), 0);
    assert_int_equal(places_search(g_places, "Puok", 0, &v), 0);
    assert_int_equal(places_search(g_places, "qwrtplmx", 10, &v), 0);
    assert_null(v);
    assert_int_equal(places_search(g_places, "\xff\xfe", 10, &v), 0);

    /* one letter: only names that start with it, provinces first */
    size_t n = places_search(g_places, "k", 30, &v);
    assert_int_equal(n, 30);
    for (size_t i = 0; i < n; i++)
        assert_true(v[i]->name_latn[0] == 'K' || v[i]->name_latn[0] == 'k');
    assert_int_equal(v[0]->level, PLACE_PROVINCE);
    free(v);
    n = places_search(g_places, "ព", 5, &v);
    assert_int_equal(n, 5);
    free(v);

    /* limits */
    n = places_search(g_places, "a", 100000, &v);
    assert_int_equal(n, PLACES_SEARCH_MAX);
    free(v);
    char long_q[600];
    memset(long_q, 'a', sizeof long_q - 1);
    long_q[sizeof long_q - 1] = '\0';
    assert_int_equal(places_search(g_places, long_q, 10, &v), 0);
}

/* Searches from several threads at once over the shared index. */
static void *search_worker(void *arg)
{
    const char *const qs[] = {"Pouk", "Krolanh", "ពួក", "Siem Reab", "Chan Sa Khang"};
    uintptr_t bad = 0;
    (void)arg;
    for (int i = 0; i < 200; i++) {
        const struct place **v;
        size_t n = places_search(g_places, qs[i % 5], 20, &v);
        if (n == 0)
            bad++;
        free(v);
        n = places_children(g_places, "1707", (enum lang)(i % 2), &v);
        if (n != 14)
            bad++;
        free(v);
    }
    return (void *)bad;
}

static void test_search_threads(void **state)
{
    (void)state;
    pthread_t t[4];
    for (int i = 0; i < 4; i++)
        assert_int_equal(pthread_create(&t[i], NULL, search_worker, NULL), 0);
    for (int i = 0; i < 4; i++) {
        void *bad;
        assert_int_equal(pthread_join(t[i], &bad), 0);
        assert_ptr_equal(bad, NULL);
    }
}

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

/* Prints the time one search takes; asserts nothing about it. */
static void test_search_speed(void **state)
{
    (void)state;
    const char *const qs[] = {"Pouk",      "Krolanh", "ពួក",         "Siem Reab",
                              "puok chas", "Kampong", "Batdambang", "Chan Sa Khang Cheung",
                              "ចាស់",       "k"};
    const int rounds = 100;
    double t0 = now_us();
    for (int r = 0; r < rounds; r++) {
        for (size_t i = 0; i < sizeof qs / sizeof qs[0]; i++) {
            const struct place **v;
            places_search(g_places, qs[i], 20, &v);
            free(v);
        }
    }
    double per = (now_us() - t0) / (rounds * (double)(sizeof qs / sizeof qs[0]));
    printf("places_search: %.0f us per query over %zu places\n", per, places_count(g_places));
}

/* ---- with a real store ---- */

struct tmpdb {
    char dir[64];
    char path[96];
    struct store *st;
};

static struct store_conn *tmpdb_open(struct tmpdb *t)
{
    char *msg = NULL;
    snprintf(t->dir, sizeof t->dir, "/tmp/cbpn-place-XXXXXX");
    assert_non_null(mkdtemp(t->dir));
    snprintf(t->path, sizeof t->path, "%s/t.db", t->dir);
    assert_int_equal(store_open(t->path, true, &t->st, &msg), ERR_OK);
    struct store_conn *c = store_conn(t->st);
    assert_non_null(c);
    return c;
}

static void tmpdb_close(struct tmpdb *t)
{
    char p[128];
    const char *files[] = {"t.db", "t.db-wal", "t.db-shm", "t.db-journal"};
    store_close(t->st);
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        snprintf(p, sizeof p, "%s/%s", t->dir, files[i]);
        unlink(p);
    }
    rmdir(t->dir);
}

static void test_store_import_and_load(void **state)
{
    (void)state;
    struct tmpdb t = {0};
    struct store_conn *c = tmpdb_open(&t);
    char *msg = NULL;
    assert_int_equal(store_begin(c), ERR_OK);
    assert_int_equal(places_import(c, &msg), ERR_OK);
    assert_null(msg);
    assert_int_equal(store_commit(c), ERR_OK);
    assert_int_equal(store_location_count(c), 16465);

    struct places *p;
    assert_int_equal(places_load(c, &p), ERR_OK);
    assert_int_equal(places_count(p), 16465);
    size_t count[PLACE__MAX] = {0};
    const struct place **pv, **dv;
    size_t np = places_children(p, NULL, LANG_KM, &pv);
    for (size_t i = 0; i < np; i++) {
        count[PLACE_PROVINCE]++;
        size_t nd = places_children(p, pv[i]->code, LANG_KM, &dv);
        for (size_t j = 0; j < nd; j++) {
            const struct place **cv, **vv;
            count[PLACE_DISTRICT]++;
            size_t nc = places_children(p, dv[j]->code, LANG_KM, &cv);
            for (size_t k = 0; k < nc; k++) {
                count[PLACE_COMMUNE]++;
                count[PLACE_VILLAGE] += places_children(p, cv[k]->code, LANG_KM, &vv);
                free(vv);
            }
            free(cv);
        }
        free(dv);
    }
    free(pv);
    assert_int_equal(count[PLACE_PROVINCE], 25);
    assert_int_equal(count[PLACE_DISTRICT], 210);
    assert_int_equal(count[PLACE_COMMUNE], 1652);
    assert_int_equal(count[PLACE_VILLAGE], 14578);
    const struct place *v = places_get(p, "17071001");
    assert_non_null(v);
    assert_string_equal(v->name_latn, "Puok Chas");
    assert_string_equal(places_get(p, "17110117")->name_latn, "Chan Sa Khang Cheung");
    assert_string_equal(places_district_of(p, "17071001")->code, "1707");
    places_free(p);

    /* a second import is refused and changes nothing */
    assert_int_equal(store_begin(c), ERR_OK);
    assert_int_equal(places_import(c, &msg), ERR_CONFLICT);
    assert_non_null(msg);
    free(msg);
    store_rollback(c);
    assert_int_equal(store_location_count(c), 16465);
    tmpdb_close(&t);
}

static void test_store_import_malformed_writes_nothing(void **state)
{
    (void)state;
    struct tmpdb t = {0};
    struct store_conn *c = tmpdb_open(&t);
    const char csv[] = HEADER "17,province,,សៀមរាប,Siem Reap,ខេត្ត,Khaet\n"
                              "1707,district,17,ពួក,Puok,ស្រុក,Srok\n"
                              "170710,commune,1707,ពួក,Puok,ឃុំ,Khum\n"
                              "17071001,village,170710,\"ពួកចាស់,Puok Chas,ភូមិ,Phum\n";
    char *msg = NULL;
    assert_int_equal(store_begin(c), ERR_OK);
    assert_int_equal(places_import_csv(c, csv, strlen(csv), &msg), ERR_VALIDATION);
    assert_non_null(strstr(msg, "line 5"));
    free(msg);
    store_rollback(c);
    assert_int_equal(store_location_count(c), 0);

    /* the same file, fixed, goes in whole */
    const char good[] = HEADER "17,province,,សៀមរាប,Siem Reap,ខេត្ត,Khaet\n"
                               "1707,district,17,ពួក,Puok,ស្រុក,Srok\n";
    assert_int_equal(store_begin(c), ERR_OK);
    assert_int_equal(places_import_csv(c, good, strlen(good), &msg), ERR_OK);
    assert_int_equal(store_commit(c), ERR_OK);
    assert_int_equal(store_location_count(c), 2);
    tmpdb_close(&t);
}

int main(void)
{
    test_audit_keys();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_builtin_csv_counts),
        cmocka_unit_test(test_csv_quoting),
        cmocka_unit_test(test_csv_malformed_refused_whole),
        cmocka_unit_test(test_get_and_district),
        cmocka_unit_test(test_children_sorted),
        cmocka_unit_test(test_romanize_keys),
        cmocka_unit_test(test_distance_matches_plain_levenshtein),
        cmocka_unit_test(test_search_romanisation),
        cmocka_unit_test(test_search_khmer),
        cmocka_unit_test(test_search_edges),
        cmocka_unit_test(test_search_threads),
        cmocka_unit_test(test_search_speed),
        cmocka_unit_test(test_store_import_and_load),
        cmocka_unit_test(test_store_import_malformed_writes_nothing),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
