#include "domain/romanize.h"

#include <stdio.h>
#include <string.h>

#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>
#include <unicode/utf16.h>

#define UBUF_MAX 512 /* UTF-16 units of one name or query we look at */

static bool is_vowel(char c)
{
    return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u';
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* y and w are vowels after a vowel unless a vowel follows ("Thmey",
 * "Kaw"); y is also a vowel after a consonant at a syllable end ("Thy"). */
static bool vowelish(const char *w, size_t n, size_t j)
{
    char c = w[j];
    if (is_vowel(c))
        return true;
    if (c != 'y' && c != 'w')
        return false;
    if (j == 0 || (j + 1 < n && is_vowel(w[j + 1])))
        return false;
    return c == 'y' || is_vowel(w[j - 1]);
}

static void emit(char *out, size_t *len, char sym)
{
    if (*len > 0 && out[*len - 1] == sym && !is_digit(sym))
        return; /* doubled letters: "Battambang" = "Batambang" */
    out[(*len)++] = sym;
}

/* One consonant (or consonant digraph) at w[i]: its symbol (0: silent) and
 * how many letters it takes. */
static char consonant(const char *w, size_t n, size_t i, size_t *used)
{
    char c = w[i];
    char next = i + 1 < n ? w[i + 1] : 0;
    *used = 1;
    if (c == 'c' && next == 'h') {
        *used = 2;
        return 'C'; /* ch, chh (the h is dropped as an aspirate below) */
    }
    if (c == 'n' && next == 'g') {
        *used = 2;
        return 'N';
    }
    if ((c == 'n' && (next == 'h' || next == 'y')) || (c == 'g' && next == 'n')) {
        *used = 2;
        return 'Y'; /* ញ: nh, ny, gn */
    }
    if (c == 'c' && next == 'k') {
        *used = 2;
        return 'k';
    }
    switch (c) {
    case 'j':
        return 'C';
    case 'c':
    case 'g':
    case 'q':
        return 'k';
    case 'w':
        return 'v';
    case 'z':
    case 'x':
        return 's';
    default:
        return c;
    }
}

size_t romanize_skeleton_word(const char *w, size_t n, char *out)
{
    size_t len = 0, i = 0;
    while (i < n) {
        char c = w[i];
        if (is_digit(c)) {
            emit(out, &len, c);
            i++;
            continue;
        }
        if (vowelish(w, n, i)) {
            bool front = false;
            while (i < n && vowelish(w, n, i)) {
                front |= w[i] == 'e' || w[i] == 'i' || w[i] == 'y';
                i++;
            }
            emit(out, &len, front ? 'e' : 'a');
            continue;
        }
        if (c == 'h') {
            /* kept only at a word start or between vowels ("Vihear");
             * dropped as an aspirate after a consonant (kh, th, ph, chh)
             * and at a syllable end ("Kaoh" = "Koh" = "Ko") */
            bool keep = i == 0 || (i + 1 < n && is_vowel(w[i + 1]) && is_vowel(w[i - 1]));
            if (keep)
                emit(out, &len, 'h');
            i++;
            continue;
        }
        size_t used;
        char sym = consonant(w, n, i, &used);
        i += used;
        while (i < n && w[i] == 'h')
            i++; /* aspirates: kh = k, chh = ch, ph = p, th = t */
        if (i == n && len > 0 && !is_digit(out[len - 1])) {
            bool after_vowel = out[len - 1] == 'a' || out[len - 1] == 'e';
            /* final ប, ដ and ស, រ as the romanisations write them:
             * "Reab" = "Reap", "Chas" = "Chah" = "Cha", "Thmar" = "Thma" */
            if (sym == 'b')
                sym = 'p';
            else if (sym == 'd')
                sym = 't';
            else if (after_vowel && (sym == 's' || sym == 'r'))
                sym = 0;
        }
        if (sym)
            emit(out, &len, sym);
    }
    out[len] = '\0';
    return len;
}

/* s as lowercase ASCII letters and digits with single spaces between words:
 * accents dropped (NFD, marks removed); anything else separates words. */
static size_t latin_clean(const char *s, size_t n, char *out, size_t cap)
{
    size_t len = 0;
    bool ascii = true;
    if (n > UBUF_MAX * 4)
        n = UBUF_MAX * 4; /* longer than any name: the rest cannot matter */
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] >= 0x80)
            ascii = false;

    UChar src[UBUF_MAX], nfd[UBUF_MAX * 2];
    int32_t nu = 0;
    if (!ascii) {
        UErrorCode ec = U_ZERO_ERROR;
        int32_t srclen = 0;
        u_strFromUTF8WithSub(src, UBUF_MAX, &srclen, s, (int32_t)(n < UBUF_MAX ? n : UBUF_MAX),
                             0xfffd, NULL, &ec);
        if (U_FAILURE(ec))
            srclen = 0;
        if (srclen > UBUF_MAX)
            srclen = UBUF_MAX;
        ec = U_ZERO_ERROR;
        const UNormalizer2 *norm = unorm2_getNFDInstance(&ec);
        if (U_SUCCESS(ec))
            nu = unorm2_normalize(norm, src, srclen, nfd, UBUF_MAX * 2, &ec);
        if (U_FAILURE(ec))
            nu = 0;
    } else {
        nu = (int32_t)n; /* read s directly below */
    }

    bool gap = false;
    for (int32_t i = 0; i < nu;) {
        UChar32 cp;
        if (ascii) {
            cp = (unsigned char)s[i++];
        } else {
            U16_NEXT(nfd, i, nu, cp);
            if (u_getCombiningClass(cp) != 0 || u_charType(cp) == U_NON_SPACING_MARK)
                continue;
        }
        if (cp >= 'A' && cp <= 'Z')
            cp += 'a' - 'A';
        if ((cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9')) {
            if (gap && len > 0 && len + 1 < cap)
                out[len++] = ' ';
            gap = false;
            if (len + 1 < cap)
                out[len++] = (char)cp;
        } else {
            gap = true;
        }
    }
    out[len] = '\0';
    return len;
}

void romanize_key(const char *s, size_t n, struct romanize_key *k)
{
    char clean[ROMANIZE_KEY_MAX * 2];
    size_t clen = latin_clean(s, n, clean, sizeof clean);
    k->fold_len = k->skel_len = k->nwords = 0;

    for (size_t i = 0; i < clen;) {
        size_t j = i;
        while (j < clen && clean[j] != ' ')
            j++;
        size_t wl = j - i;
        if (k->fold_len + wl >= ROMANIZE_KEY_MAX)
            break;
        char skel[ROMANIZE_KEY_MAX * 2 + 1];
        size_t sl = romanize_skeleton_word(clean + i, wl, skel);
        if (k->nwords < ROMANIZE_WORDS_MAX) {
            k->fold_word[k->nwords] = (unsigned char)k->fold_len;
            k->skel_word[k->nwords] = (unsigned char)k->skel_len;
            k->nwords++;
        }
        memcpy(k->fold + k->fold_len, clean + i, wl);
        k->fold_len += wl;
        memcpy(k->skel + k->skel_len, skel, sl); /* sl <= wl: it fits */
        k->skel_len += sl;
        i = j + 1;
    }
    k->fold[k->fold_len] = '\0';
    k->skel[k->skel_len] = '\0';
}

static bool separator(UChar32 cp)
{
    return cp == 0x200b || u_isUWhiteSpace(cp);
}

size_t romanize_separator_len(const char *s, size_t n)
{
    int32_t i = 0, len = n > INT32_MAX ? INT32_MAX : (int32_t)n;
    while (i < len) {
        int32_t j = i;
        UChar32 cp;
        U8_NEXT(s, j, len, cp);
        if (cp < 0 || !separator(cp))
            break;
        i = j;
    }
    return (size_t)i;
}

size_t romanize_word_len(const char *s, size_t n)
{
    int32_t i = 0, len = n > INT32_MAX ? INT32_MAX : (int32_t)n;
    while (i < len) {
        int32_t j = i;
        UChar32 cp;
        U8_NEXT(s, j, len, cp);
        if (cp >= 0 && separator(cp))
            break;
        i = j;
    }
    return (size_t)i;
}

static bool ignorable(UChar32 cp)
{
    return cp == 0x200b || cp == 0x200c || cp == 0x200d || cp == 0xfeff || u_isUWhiteSpace(cp);
}

size_t romanize_khmer_key(const char *s, size_t n, char *out, size_t cap)
{
    UChar src[UBUF_MAX], kept[UBUF_MAX], nfc[UBUF_MAX * 2];
    UErrorCode ec = U_ZERO_ERROR;
    int32_t srclen = 0;
    if (n > (size_t)UBUF_MAX * 3)
        return (size_t)-1;
    u_strFromUTF8(src, UBUF_MAX, &srclen, s, (int32_t)n, &ec);
    if (U_FAILURE(ec) || ec == U_STRING_NOT_TERMINATED_WARNING || srclen > UBUF_MAX)
        return (size_t)-1;

    int32_t nk = 0;
    for (int32_t i = 0; i < srclen;) {
        int32_t start = i;
        UChar32 cp;
        U16_NEXT(src, i, srclen, cp);
        if (ignorable(cp))
            continue;
        while (start < i)
            kept[nk++] = src[start++];
    }

    const UNormalizer2 *norm = unorm2_getNFCInstance(&ec);
    if (U_FAILURE(ec))
        return (size_t)-1;
    int32_t nn = unorm2_normalize(norm, kept, nk, nfc, UBUF_MAX * 2, &ec);
    if (U_FAILURE(ec))
        return (size_t)-1;
    int32_t outlen = 0;
    u_strToUTF8(out, (int32_t)cap, &outlen, nfc, nn, &ec);
    if (U_FAILURE(ec) || (size_t)outlen >= cap)
        return (size_t)-1;
    out[outlen] = '\0';
    return (size_t)outlen;
}

bool romanize_has_khmer(const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    for (size_t i = 0; i + 2 < n; i++) {
        if (s[i] != 0xe1)
            continue;
        if (s[i + 1] == 0x9e || s[i + 1] == 0x9f) /* U+1780..U+17FF */
            return true;
        if (s[i + 1] == 0xa7 && s[i + 2] >= 0xa0) /* U+19E0..U+19FF */
            return true;
    }
    return false;
}

int romanize_distance(const char *a, size_t na, const char *b, size_t nb, int max)
{
    /* Levenshtein over the diagonal band |i - j| <= max only: any path that
     * leaves it costs more than max already. */
    enum { BIG = 1 << 20 };
    int prev[ROMANIZE_KEY_MAX + 1], row[ROMANIZE_KEY_MAX + 1];
    size_t band = (size_t)max;
    if (na >= ROMANIZE_KEY_MAX || nb >= ROMANIZE_KEY_MAX || max < 0)
        return max + 1;
    if ((na > nb ? na - nb : nb - na) > band)
        return max + 1;
    for (size_t j = 0; j <= nb; j++)
        prev[j] = j <= band ? (int)j : BIG;
    for (size_t i = 1; i <= na; i++) {
        size_t lo = i > band ? i - band : 0, hi = i + band < nb ? i + band : nb;
        int best = BIG;
        if (lo > 0)
            row[lo - 1] = BIG;
        for (size_t j = lo; j <= hi; j++) {
            int d;
            if (j == 0) {
                d = (int)i;
            } else {
                d = prev[j - 1] + (a[i - 1] != b[j - 1]);
                if (row[j - 1] + 1 < d)
                    d = row[j - 1] + 1;
            }
            if (j + band >= i && j < i + band && prev[j] + 1 < d)
                d = prev[j] + 1; /* prev[j] lies in the previous row's band */
            row[j] = d;
            if (d < best)
                best = d;
        }
        if (best > max)
            return max + 1;
        for (size_t j = lo; j <= hi; j++)
            prev[j] = row[j];
        if (hi + 1 <= nb)
            prev[hi + 1] = BIG;
        if (lo > 0)
            prev[lo - 1] = BIG;
    }
    return prev[nb] <= max ? prev[nb] : max + 1;
}

static void name_word_add(struct romanize_name *k, const char *key)
{
    k->total++;
    if (key[0] == '\0' || k->nword >= ROMANIZE_WORDS_MAX)
        return;
    for (size_t i = 0; i < k->nword; i++)
        if (strcmp(k->word[i], key) == 0)
            return;
    snprintf(k->word[k->nword++], ROMANIZE_KEY_MAX, "%s", key);
}

void romanize_name_keys(const char *name, struct romanize_name *k)
{
    char norm[ROMANIZE_KEY_MAX];
    struct romanize_key rk;

    memset(k, 0, sizeof *k);
    memset(&rk, 0, sizeof rk);
    if (name == NULL)
        return;
    size_t len = strlen(name);
    for (size_t at = romanize_separator_len(name, len); at < len;) {
        const char *p = name + at;
        size_t n = romanize_word_len(p, len - at);
        if (n > 0 && romanize_has_khmer(p, n)) {
            if (romanize_khmer_key(p, n, norm, sizeof norm) != (size_t)-1)
                name_word_add(k, norm);
        } else if (n > 0) {
            romanize_key(p, n, &rk);
            for (size_t w = 0; w < rk.nwords; w++) {
                size_t from = rk.skel_word[w];
                size_t to = w + 1 < rk.nwords ? rk.skel_word[w + 1] : rk.skel_len;
                memcpy(norm, rk.skel + from, to - from);
                norm[to - from] = '\0';
                name_word_add(k, norm);
            }
        }
        at += n;
        at += romanize_separator_len(name + at, len - at);
    }
    if (k->total < 2)
        goto out;
    if (romanize_has_khmer(name, strlen(name))) {
        if (romanize_khmer_key(name, strlen(name), norm, sizeof norm) == (size_t)-1)
            goto out;
    } else {
        /* The skeleton of the name with its spaces removed. */
        romanize_key(name, strlen(name), &rk);
        romanize_skeleton_word(rk.fold, rk.fold_len, norm);
    }
    if (norm[0] != '\0') {
        memcpy(k->whole, norm, sizeof k->whole);
        k->has_whole = true;
        for (size_t i = 0; i < k->nword; i++)
            k->has_whole = k->has_whole && strcmp(k->word[i], k->whole) != 0;
    }
out:
    /* The name may be a survivor's: leave no copy of it on the stack. */
    explicit_bzero(norm, sizeof norm);
    explicit_bzero(&rk, sizeof rk);
}
