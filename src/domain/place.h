/* The gazetteer: Cambodia's provinces, districts, communes and villages,
 * loaded from the built-in copy of data/kh_admin_units.csv by cbpn init and
 * held in memory by the server for lookups, listing and search. */
#ifndef CBPN_DOMAIN_PLACE_H
#define CBPN_DOMAIN_PLACE_H

#include <stdbool.h>
#include <stddef.h>

#include "i18n/i18n.h"
#include "store/store.h"

#define PLACES_SEARCH_MAX 500 /* places_search never returns more */

enum place_level { PLACE_PROVINCE, PLACE_DISTRICT, PLACE_COMMUNE, PLACE_VILLAGE, PLACE__MAX };

struct place {
    char code[CODE_SIZE];
    enum place_level level;
    char parent[CODE_SIZE]; /* "" for provinces */
    const char *name_km;    /* whitespace and ZWSP normalised */
    const char *name_latn;
};

struct places; /* the in-memory index; read-only once loaded, shared by threads */

/* Imports the built-in gazetteer into an empty location table, all rows or
 * none (call inside a transaction). */
enum err places_import(struct store_conn *c, char **errmsg);
/* The same from CSV text in the layout of data/kh_admin_units.csv: nothing is
 * written unless every row is valid and the location table is empty. On
 * failure *errmsg says why (caller frees). */
enum err places_import_csv(struct store_conn *c, const char *text, size_t len, char **errmsg);
/* Parses and checks that CSV text (RFC 4180; UTF-8; codes of 2, 4, 6, 8
 * digits by level, each under an earlier parent; ascending codes) and
 * normalises the names. *rows: a new array in code order, freed with
 * places_rows_free. On failure no rows, ERR_VALIDATION and *errmsg with the
 * line (caller frees). */
enum err places_parse_csv(const char *text, size_t len, struct location_rec **rows, size_t *n,
                          char **errmsg);
void places_rows_free(struct location_rec *rows, size_t n);
/* Loads the gazetteer from the store into memory. Caller frees with places_free. */
enum err places_load(struct store_conn *c, struct places **out);
/* Builds the in-memory index from rows (copied; any order). ERR_INTERNAL
 * when a row is malformed or a parent is missing. Caller frees *out. */
enum err places_build(const struct location_rec *rows, size_t n, struct places **out);
/* Number of places loaded. */
size_t places_count(const struct places *p);
void places_free(struct places *p);
/* The place with that code, or NULL. Owned by p. */
const struct place *places_get(const struct places *p, const char *code);
/* Children of parent (NULL or "": provinces) sorted by name in lang (Khmer
 * collation for Khmer). *items: a new array of pointers owned by p's
 * entries (caller frees the array only). */
size_t places_children(const struct places *p, const char *parent, enum lang lang,
                       const struct place ***items);
/* Places whose Khmer or Latin name matches q, tolerant of romanisation
 * ("Pouk" finds Puok, "Krolanh" finds Kralanh), best first, at most limit
 * (and PLACES_SEARCH_MAX). *items as for places_children; NULL when none.
 * Rules: docs/gazetteer.md. Thread-safe: p is only read. */
size_t places_search(const struct places *p, const char *q, size_t limit,
                     const struct place ***items);
/* The district a place lies in (itself for a district), or NULL for a province. */
const struct place *places_district_of(const struct places *p, const char *code);
const char *place_level_code(enum place_level l);

struct ctx;
/* The places the caller asks for (ACT_LOCATION_READ): those whose name
 * matches q (1 to 100 characters; NULL: none), else the children of parent
 * (NULL or "": provinces; an unknown one ERR_NOT_FOUND), at most limit (0:
 * 20 for a search, all children). ERR_VALIDATION with fe for a bad q.
 * *items as for places_children. */
enum err place_list(const struct ctx *cx, const char *parent, const char *q, int limit,
                    enum lang lang, const struct place ***items, size_t *n, struct fielderrs *fe);

#endif
