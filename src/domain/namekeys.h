/* Blind indexes of names: the one search mechanism for every name people
 * look up (survivors, members). A name's keys are its romanize_name_keys
 * (domain/romanize.h: spelling-tolerant keys of each word, Khmer or
 * Latin, and of the whole name), each under the data key's keyed hash for
 * a purpose, so the database can match a typed name without holding it. */
#ifndef CBPN_DOMAIN_NAMEKEYS_H
#define CBPN_DOMAIN_NAMEKEYS_H

#include <stdbool.h>
#include <stddef.h>

#include "domain/ctx.h"
#include "domain/romanize.h"
#include "store/store.h"

#define NAME_WORDS_MAX ROMANIZE_WORDS_MAX
#define NAME_KEY_SIZE  SURVIVOR_KEY_SIZE /* a keyed hash in hex + NUL */

/* The keys of one name: its distinct words, and the whole name when it has
 * more than one word. total counts every word, also past NAME_WORDS_MAX. */
struct name_keys {
    char word[NAME_WORDS_MAX][NAME_KEY_SIZE];
    size_t nword;
    size_t total;
    bool has_whole;
    char whole[NAME_KEY_SIZE];
};

/* The keys of name (Khmer or Latin; words apart by a space, a zero-width
 * space or any Unicode space) under purpose ("survivor_name",
 * "member_name"). An absent name has none. */
void name_keys_make(const struct ctx *cx, const char *purpose, const char *name,
                    struct name_keys *k);

#endif
