/* Blind indexes of names (domain/namekeys.h). */
#include "domain/namekeys.h"

#include <string.h>

#include <sodium.h>

#include "domain/check.h"

void name_keys_make(const struct ctx *cx, const char *purpose, const char *name,
                    struct name_keys *k)
{
    struct romanize_name rn;

    memset(k, 0, sizeof *k);
    if (check_absent(name))
        return;
    romanize_name_keys(name, &rn);
    for (size_t i = 0; i < rn.nword && i < NAME_WORDS_MAX; i++)
        crypto_keyed_hash(cx->key, purpose, rn.word[i], k->word[k->nword++]);
    k->total = rn.total;
    if (rn.has_whole) {
        crypto_keyed_hash(cx->key, purpose, rn.whole, k->whole);
        k->has_whole = true;
    }
    sodium_memzero(&rn, sizeof rn);
}
