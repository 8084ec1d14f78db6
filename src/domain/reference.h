/* The safe-migration reference a member shows on her phone (DOMAIN.md §7):
 * the official channels per destination, the documents to carry and the
 * confirmed hotlines. They are data, not code: read once at start-up from
 * the built-in copies of data/safe_migration_channels.csv,
 * data/migration_documents.csv and data/hotlines.csv, each row with its
 * text in Khmer and in English, its source (the publishing body and the
 * document or page) and its source date. The files may open with '#'
 * comment lines (their source note); then comes the exact header. */
#ifndef CBPN_DOMAIN_REFERENCE_H
#define CBPN_DOMAIN_REFERENCE_H

#include <stdbool.h>
#include <stddef.h>

#include "domain/ctx.h"
#include "util/codes.h"
#include "util/err.h"

#define REFERENCE_CHANNELS_FILE  "data/safe_migration_channels.csv"
#define REFERENCE_DOCUMENTS_FILE "data/migration_documents.csv"
#define REFERENCE_HOTLINES_FILE  "data/hotlines.csv"

#define REFERENCE_ROWS_MAX      64  /* per table */
#define REFERENCE_COUNTRIES_MAX 8   /* destinations one document names */
#define REFERENCE_NAME_MAX      120 /* characters */
#define REFERENCE_TEXT_MAX      600
#define REFERENCE_SOURCE_MAX    400
#define REFERENCE_NUMBER_MAX    6 /* digits of a hotline: short codes only */

/* The source of a row: who published what, and the date of it. */
struct reference_source {
    char *source;
    char date[11]; /* YYYY-MM-DD */
};

/* An official channel to a destination. */
struct reference_channel {
    char country[3]; /* ISO 3166-1 alpha-2, never KH */
    int channel;     /* index in LIST_CHANNEL; never irregular or unknown */
    char *text_km, *text_en;
    struct reference_source src;
};

/* A document of the checklist. */
struct reference_document {
    int document;                               /* index in LIST_DOCUMENT */
    bool everywhere;                            /* applies to every destination */
    char countries[REFERENCE_COUNTRIES_MAX][3]; /* else these */
    int ncountries;
    char *name_km, *name_en, *text_km, *text_en;
    struct reference_source src;
};

/* A hotline. */
struct reference_hotline {
    char number[REFERENCE_NUMBER_MAX + 1]; /* digits only: a tel: link as is */
    char *name_km, *name_en;               /* who runs it */
    char *text_km, *text_en;               /* what it is for */
    struct reference_source src;
};

struct reference; /* read-only once loaded, shared by threads */

/* The three tables' text (not NUL-terminated necessarily). */
struct reference_sources {
    const char *channels;
    size_t channels_len;
    const char *documents;
    size_t documents_len;
    const char *hotlines;
    size_t hotlines_len;
};

/* Builds the reference from the built-in tables. On failure ERR_INTERNAL,
 * *out NULL and *errmsg naming the file, line and reason (caller frees).
 * Caller frees *out with reference_free. */
enum err reference_load(struct reference **out, char **errmsg);
/* The same from given text, all checked: the exact header after any
 * comment lines; every field valid text (UTF-8, no control character);
 * countries of two capital letters other than KH; channel codes of
 * LIST_CHANNEL other than irregular and unknown, each (country, channel)
 * once; document codes of LIST_DOCUMENT, each once, applying to "*" or to
 * 1..REFERENCE_COUNTRIES_MAX distinct countries separated by spaces;
 * hotline numbers of 3..REFERENCE_NUMBER_MAX digits, each once; Khmer text
 * that holds Khmer letters, English text that holds none, both non-empty;
 * a non-empty source and a real calendar date YYYY-MM-DD from 1990 on; at
 * least one row and at most REFERENCE_ROWS_MAX per table.
 * ERR_VALIDATION and *errmsg ("FILE line N: reason") otherwise. */
enum err reference_parse(const struct reference_sources *src, struct reference **out,
                         char **errmsg);
void reference_free(struct reference *r);

/* Rows in file order: reference_*_at(r, i) for i < reference_*_count(r);
 * NULL out of range. Owned by r. */
size_t reference_channel_count(const struct reference *r);
const struct reference_channel *reference_channel_at(const struct reference *r, size_t i);
size_t reference_document_count(const struct reference *r);
const struct reference_document *reference_document_at(const struct reference *r, size_t i);
size_t reference_hotline_count(const struct reference *r);
const struct reference_hotline *reference_hotline_at(const struct reference *r, size_t i);
/* Whether document d applies to destination country (ISO2). */
bool reference_document_applies(const struct reference_document *d, const char *country);

/* The reference, for whoever may read it (ACT_REFERENCE_READ): ERR_FORBIDDEN
 * otherwise, ERR_INTERNAL when the context has none. Owned by cx. */
enum err reference_get(const struct ctx *cx, const struct reference **out);

#endif
