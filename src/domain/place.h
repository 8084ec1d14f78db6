/* The gazetteer: Cambodia's provinces, districts, communes and villages,
 * loaded from the built-in copy of data/kh_admin_units.csv by cbpn init and
 * held in memory by the server for lookups, listing and search. */
#ifndef CBPN_DOMAIN_PLACE_H
#define CBPN_DOMAIN_PLACE_H

#include <stdbool.h>
#include <stddef.h>

#include "i18n/i18n.h"
#include "store/store.h"

enum place_level { PLACE_PROVINCE, PLACE_DISTRICT, PLACE_COMMUNE, PLACE_VILLAGE, PLACE__MAX };

struct place {
    char code[CODE_SIZE];
    enum place_level level;
    char parent[CODE_SIZE]; /* "" for provinces */
    const char *name_km;    /* whitespace and ZWSP normalised */
    const char *name_latn;
};

/* Imports the built-in gazetteer into an empty location table, all rows or
 * none (call inside a transaction). */
enum err places_import(struct store_conn *c, char **errmsg);
/* Loads the gazetteer from the store into memory. Caller frees with places_free. */
enum err places_load(struct store_conn *c, struct places **out);
void places_free(struct places *p);
/* The place with that code, or NULL. Owned by p. */
const struct place *places_get(const struct places *p, const char *code);
/* Children of parent (NULL or "": provinces) sorted by name in lang (Khmer
 * collation for Khmer). *items: a new array of pointers owned by p's
 * entries (caller frees the array only). */
size_t places_children(const struct places *p, const char *parent, enum lang lang,
                       const struct place ***items);
/* Places whose Khmer or Latin name matches q, tolerant of romanisation
 * ("Pouk" finds Puok, "Krolanh" finds Kralanh), best first, at most limit. */
size_t places_search(const struct places *p, const char *q, size_t limit,
                     const struct place ***items);
/* The district a place lies in (itself for a district), or NULL for a province. */
const struct place *places_district_of(const struct places *p, const char *code);
const char *place_level_code(enum place_level l);

#endif
