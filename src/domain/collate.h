/* Names in the order people read them: ICU collation for the language (the
 * Khmer alphabet's order for Khmer, not the bytes' order of UTF-8). Every
 * list of names that people read sorts through here; nothing stores a
 * plaintext sort key (sealed names are sorted after they are opened). */
#ifndef CBPN_DOMAIN_COLLATE_H
#define CBPN_DOMAIN_COLLATE_H

#include <stddef.h>

#include "i18n/i18n.h"

struct collate_name {
    const char *km;   /* the name in Khmer script, or NULL */
    const char *latn; /* in Latin letters, or NULL */
};

/* The order of n names in lang into order[0..n) (indexes into names): by
 * the name in lang's script, the other script when it has none, names in
 * neither last; ties by index, so the order is stable. */
void collate_order(enum lang lang, const struct collate_name *names, size_t n, size_t *order);

/* A collation for lang, to key many names with: NULL only when ICU has
 * none (logged). */
struct collator;
struct collator *collate_open(enum lang lang);
void collate_close(struct collator *c);
/* The sort key of s (caller frees): keys compare with strcmp as the names
 * compare under c. */
char *collate_key(const struct collator *c, const char *s);

#endif
