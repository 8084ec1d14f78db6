/* Collation of names (domain/collate.h). */
#include "domain/collate.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/ucol.h>
#include <unicode/ustring.h>

#include "util/alloc.h"
#include "util/log.h"

#define NAME_UCHARS 512

static UCollator *collator(enum lang lang)
{
    UErrorCode ec = U_ZERO_ERROR;
    const char *locale = lang == LANG_KM ? "km" : "en";
    UCollator *c = ucol_open(locale, &ec);
    if (U_FAILURE(ec)) {
        log_error("collate: no %s collation: %s", locale, u_errorName(ec));
        return NULL;
    }
    return c;
}

static char *key_of(const UCollator *coll, const char *s)
{
    UChar u[NAME_UCHARS];
    int32_t ulen = 0;
    UErrorCode ec = U_ZERO_ERROR;
    u_strFromUTF8WithSub(u, NAME_UCHARS, &ulen, s != NULL ? s : "", -1, 0xfffd, NULL, &ec);
    if (U_FAILURE(ec) || ulen > NAME_UCHARS)
        ulen = 0;
    int32_t need = ucol_getSortKey(coll, u, ulen, NULL, 0);
    char *key = xmalloc((size_t)need + 1);
    ucol_getSortKey(coll, u, ulen, (uint8_t *)key, need + 1);
    key[need] = '\0';
    return key;
}

struct collator *collate_open(enum lang lang)
{
    return (struct collator *)collator(lang);
}

void collate_close(struct collator *c)
{
    if (c != NULL)
        ucol_close((UCollator *)c);
}

char *collate_key(const struct collator *c, const char *s)
{
    return key_of((const UCollator *)c, s);
}

struct ent {
    int rank; /* 0: in lang's script, 1: in the other, 2: no name */
    char *key;
    size_t idx;
};

static int ent_cmp(const void *a, const void *b)
{
    const struct ent *x = a, *y = b;
    if (x->rank != y->rank)
        return x->rank - y->rank;
    int c = strcmp(x->key, y->key);
    if (c != 0)
        return c;
    return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static bool named(const char *s)
{
    return s != NULL && s[0] != '\0';
}

void collate_order(enum lang lang, const struct collate_name *names, size_t n, size_t *order)
{
    UCollator *mine = collator(lang), *other = collator(lang == LANG_KM ? LANG_EN : LANG_KM);
    struct ent *e = xcalloc(n > 0 ? n : 1, sizeof *e);
    for (size_t i = 0; i < n; i++) {
        const char *first = lang == LANG_KM ? names[i].km : names[i].latn;
        const char *second = lang == LANG_KM ? names[i].latn : names[i].km;
        e[i].idx = i;
        e[i].rank = named(first) ? 0 : named(second) ? 1 : 2;
        const UCollator *c = e[i].rank == 1 ? other : mine;
        const char *s = e[i].rank == 0 ? first : e[i].rank == 1 ? second : "";
        e[i].key = c != NULL ? key_of(c, s) : xstrdup(s); /* no ICU: bytes */
    }
    qsort(e, n, sizeof *e, ent_cmp);
    for (size_t i = 0; i < n; i++) {
        order[i] = e[i].idx;
        free(e[i].key);
    }
    free(e);
    if (mine != NULL)
        ucol_close(mine);
    if (other != NULL)
        ucol_close(other);
}
