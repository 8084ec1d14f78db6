/* Search keys for place and person names, tolerant of the many ways Khmer is
 * written in Latin letters ("Puok", "Pouk", "Pok"; "Kralanh", "Krolanh";
 * "Siem Reap", "Siem Reab") and of how Khmer script is encoded.
 *
 * Latin names give two keys: the fold (lowercase letters and digits, accents,
 * spaces, hyphens and apostrophes dropped) and the skeleton (the fold with
 * romanisation variants merged; rules in romanize.c and docs/gazetteer.md).
 * Khmer names give one key: NFC, without spaces and zero-width characters.
 *
 * Every function here is pure and thread-safe; none allocates on the heap. */
#ifndef CBPN_DOMAIN_ROMANIZE_H
#define CBPN_DOMAIN_ROMANIZE_H

#include <stdbool.h>
#include <stddef.h>

#define ROMANIZE_KEY_MAX   128 /* bytes of a key, NUL included; longer input is cut */
#define ROMANIZE_WORDS_MAX 8   /* word starts recorded per key */

struct romanize_key {
    char fold[ROMANIZE_KEY_MAX];
    char skel[ROMANIZE_KEY_MAX];
    size_t fold_len;
    size_t skel_len;
    size_t nwords;                               /* words recorded (at most ROMANIZE_WORDS_MAX) */
    unsigned char fold_word[ROMANIZE_WORDS_MAX]; /* offset of each word in fold */
    unsigned char skel_word[ROMANIZE_WORDS_MAX]; /* offset of each word in skel */
};

/* Computes both Latin keys of s[0..n) (UTF-8; need not be valid). Characters
 * that are neither Latin letters nor digits separate words. */
void romanize_key(const char *s, size_t n, struct romanize_key *k);

/* The skeleton of one lowercase ASCII word w[0..n) (letters and digits), into
 * out (at least n + 1 bytes). Returns its length. Exposed for tests. */
size_t romanize_skeleton_word(const char *w, size_t n, char *out);

/* The Khmer key of s[0..n) into out[cap]: NFC, with whitespace and U+200B,
 * U+200C, U+200D, U+FEFF removed. Returns its length in bytes, or (size_t)-1
 * when s is not valid UTF-8 or the key does not fit. */
size_t romanize_khmer_key(const char *s, size_t n, char *out, size_t cap);

/* Words of a name: the length of the run of separators at s[0..n) (white
 * space of any kind, and U+200B ZERO WIDTH SPACE, which Khmer writes
 * between words), and the length of the word that starts at s[0..n) (up
 * to the next separator). So a space, a zero-width space or a no-break
 * space between two Khmer words are the same to every search. Invalid
 * UTF-8 is part of a word. */
size_t romanize_separator_len(const char *s, size_t n);
size_t romanize_word_len(const char *s, size_t n);

/* True when s[0..n) holds a character of the Khmer blocks. */
bool romanize_has_khmer(const char *s, size_t n);

/* The search keys of a person's or an organization's name (Khmer or Latin,
 * words separated by any space or a zero-width space, romanize_separator_len):
 * each distinct word's key (a Khmer word's Khmer key, each Latin word's
 * skeleton), at most ROMANIZE_WORDS_MAX of them, and, for a name of two words or more, the key of
 * the whole name without its spaces ("Sreypov" = "Srey Pov") unless it equals a word's. total
 * counts every word, also those past ROMANIZE_WORDS_MAX and those without a key. A record matches a
 * query when it has every word key of the query. The one spelling-tolerant name search: the
 * survivors' blind index hashes these keys (cases.c), the agencies store them plain (agencies.c).
 * name NULL gives no keys. The caller wipes k when the name is sealed. */
struct romanize_name {
    char word[ROMANIZE_WORDS_MAX][ROMANIZE_KEY_MAX];
    size_t nword;
    size_t total;
    bool has_whole;
    char whole[ROMANIZE_KEY_MAX];
};
void romanize_name_keys(const char *name, struct romanize_name *k);

/* Levenshtein distance of a[0..na) and b[0..nb) when it is at most max
 * (max <= 3); otherwise max + 1. na and nb below ROMANIZE_KEY_MAX. */
int romanize_distance(const char *a, size_t na, const char *b, size_t nb, int max);

#endif
