/* Interface strings. Every string a page shows is a message id (enum msg,
 * from messages.def: the id and its English source text, which is the PO
 * msgid); translations come from the PO catalogs in po/, built into the
 * binary. Khmer first: when nothing says otherwise, pages are in Khmer. */
#ifndef CBPN_I18N_I18N_H
#define CBPN_I18N_I18N_H

#include <stdbool.h>
#include <stddef.h>

enum lang { LANG_KM, LANG_EN, LANG__MAX };

enum msg {
#define MSG(id, english) MSG_##id,
#include "i18n/messages.def"
#undef MSG
    MSG__MAX
};

/* Loads the built-in catalogs. false, with *errmsg (caller frees), when a
 * catalog is malformed. */
bool i18n_init(char **errmsg);
/* The text of m in lang: the translation, else the English source. Static. */
const char *i18n_text(enum lang lang, enum msg m);
/* The English source text of m (the msgid). Static. */
const char *i18n_source(enum msg m);
/* The translation in lang of a text named by a key rather than a message id:
 * the PO entry with msgctxt ctxt and msgid key (e.g. ctxt "indicator" and a
 * screening indicator's code, whose English label lives in data/). NULL
 * when the catalog has none (the caller falls back to its own English).
 * Static. */
const char *i18n_keyed(enum lang lang, const char *ctxt, const char *key);
/* true when the catalog of lang has a usable translation of m. */
bool i18n_has_translation(enum lang lang, enum msg m);
/* Replaces the translations of lang with those of the PO text[0..len)
 * (name for messages). Fuzzy, empty, plural and msgctxt entries are
 * skipped. For start-up and tests only: not safe while requests run. */
bool i18n_load_catalog(enum lang lang, const char *name, const char *text, size_t len,
                       char **errmsg);
/* "km" or "en". */
const char *lang_code(enum lang lang);
/* Parses "km" / "en"; false otherwise. */
bool lang_parse(const char *s, enum lang *out);
/* The best language for an Accept-Language header (NULL: Khmer). */
enum lang lang_negotiate(const char *accept_language);

#endif
