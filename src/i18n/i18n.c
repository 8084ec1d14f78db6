/* Interface strings: the English source texts of messages.def and the
 * translations read from the PO catalogs built into the binary. */
#include "i18n/i18n.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/alloc.h"
#include "util/buf.h"
#include "util/embed.h"
#include "util/hex.h"
#include "util/utf8.h"

static const char *const english[MSG__MAX] = {
#define MSG(id, text) [MSG_##id] = text,
#include "i18n/messages.def"
#undef MSG
};

static const char *const lang_codes[LANG__MAX] = {
    [LANG_KM] = "km",
    [LANG_EN] = "en",
};

/* Translations by language and message; NULL when the catalog has none.
 * Written once by i18n_init before any request, read-only afterwards. */
static char *translations[LANG__MAX][MSG__MAX];

/* Entries with a msgctxt: texts named by a key (i18n_keyed), kept in the
 * order read; the same context and key read again replaces the text. */
struct keyed {
    char *ctxt, *key, *text;
};
static struct keyed *keyed[LANG__MAX];
static size_t nkeyed[LANG__MAX];

static void keyed_clear(enum lang lang)
{
    for (size_t i = 0; i < nkeyed[lang]; i++) {
        free(keyed[lang][i].ctxt);
        free(keyed[lang][i].key);
        free(keyed[lang][i].text);
    }
    free(keyed[lang]);
    keyed[lang] = NULL;
    nkeyed[lang] = 0;
}

static struct keyed *keyed_find(enum lang lang, const char *ctxt, const char *key)
{
    for (size_t i = 0; i < nkeyed[lang]; i++)
        if (strcmp(keyed[lang][i].ctxt, ctxt) == 0 && strcmp(keyed[lang][i].key, key) == 0)
            return &keyed[lang][i];
    return NULL;
}

static void keyed_put(enum lang lang, const char *ctxt, const char *key, const char *text)
{
    struct keyed *k = keyed_find(lang, ctxt, key);
    if (k == NULL) {
        keyed[lang] = xrealloc(keyed[lang], (nkeyed[lang] + 1) * sizeof *keyed[lang]);
        k = &keyed[lang][nkeyed[lang]++];
        k->ctxt = xstrdup(ctxt);
        k->key = xstrdup(key);
    } else {
        free(k->text);
    }
    k->text = xstrdup(text);
}

/* ---- PO parsing ---- */

enum po_kw { KW_NONE, KW_MSGCTXT, KW_MSGID, KW_MSGID_PLURAL, KW_MSGSTR, KW_MSGSTR_N };

struct po_entry {
    struct buf ctxt, id, str;
    bool has_ctxt, has_id, has_str, plural, fuzzy;
};

struct po_parser {
    const char *name; /* for messages */
    enum lang lang;
    int line;
    enum po_kw kw; /* what a continuation string adds to */
    struct po_entry e;
    char **errmsg;
};

static void entry_reset(struct po_entry *e)
{
    buf_free(&e->ctxt);
    buf_free(&e->id);
    buf_free(&e->str);
    memset(e, 0, sizeof *e);
}

static bool po_fail(struct po_parser *p, const char *what)
{
    if (p->errmsg != NULL && *p->errmsg == NULL)
        *p->errmsg = xasprintf("%s:%d: %s", p->name, p->line, what);
    return false;
}

/* Appends the C string literal at s (s[0] == '"') to out, decoding escapes;
 * s must end with the closing quote, optionally followed by blanks. */
static bool po_string(struct po_parser *p, const char *s, size_t n, struct buf *out)
{
    size_t i = 1;
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    if (n < 2 || s[0] != '"' || s[n - 1] != '"')
        return po_fail(p, "expected a quoted string");
    n--; /* the closing quote */
    while (i < n) {
        char c = s[i++];
        if (c == '"')
            return po_fail(p, "unescaped quote in a string");
        if (c != '\\') {
            buf_putc(out, c);
            continue;
        }
        if (i >= n)
            return po_fail(p, "string ends with a backslash");
        c = s[i++];
        switch (c) {
        case 'n':
            buf_putc(out, '\n');
            break;
        case 't':
            buf_putc(out, '\t');
            break;
        case 'r':
            buf_putc(out, '\r');
            break;
        case 'a':
            buf_putc(out, '\a');
            break;
        case 'b':
            buf_putc(out, '\b');
            break;
        case 'f':
            buf_putc(out, '\f');
            break;
        case 'v':
            buf_putc(out, '\v');
            break;
        case '\\':
        case '"':
        case '\'':
        case '?':
            buf_putc(out, c);
            break;
        case 'x': {
            int v = 0, digits = 0, h;
            while (i < n && digits < 2 && (h = hex_digit(s[i])) >= 0) {
                v = v * 16 + h;
                i++;
                digits++;
            }
            if (digits == 0 || v == 0)
                return po_fail(p, "bad \\x escape");
            buf_putc(out, (char)v);
            break;
        }
        default:
            if (c >= '0' && c <= '7') {
                int v = c - '0', digits = 1;
                while (i < n && digits < 3 && s[i] >= '0' && s[i] <= '7') {
                    v = v * 8 + (s[i++] - '0');
                    digits++;
                }
                if (v == 0 || v > 255)
                    return po_fail(p, "bad octal escape");
                buf_putc(out, (char)v);
                break;
            }
            return po_fail(p, "unknown escape");
        }
    }
    return true;
}

/* Checks a string that is not kept (plural forms). */
static bool po_ignore(struct po_parser *p, const char *s, size_t n)
{
    struct buf ignored = {0};
    bool ok = po_string(p, s, n, &ignored);
    buf_free(&ignored);
    return ok;
}

/* Stores a finished entry's translation when it is usable: not the header,
 * not fuzzy, no plural, not empty; a known msgid, or with a context a keyed
 * text (i18n_keyed). */
static bool po_commit(struct po_parser *p)
{
    struct po_entry *e = &p->e;
    if (!e->has_id && !e->has_str && !e->has_ctxt) {
        entry_reset(e);
        return true;
    }
    if (!e->has_id || !e->has_str) {
        entry_reset(e);
        return po_fail(p, "an entry needs both msgid and msgstr");
    }
    if (!e->fuzzy && !e->plural && e->id.len > 0 && e->str.len > 0) {
        if (!utf8_valid_text(e->str.p, e->str.len)) {
            entry_reset(e);
            return po_fail(p, "translation is not valid UTF-8 text");
        }
        if (e->has_ctxt) {
            if (e->ctxt.len == 0 || !utf8_valid_text(e->ctxt.p, e->ctxt.len) ||
                !utf8_valid_text(e->id.p, e->id.len)) {
                entry_reset(e);
                return po_fail(p, "a context or key is not valid text");
            }
            keyed_put(p->lang, e->ctxt.p, e->id.p, e->str.p);
            entry_reset(e);
            return true;
        }
        for (int m = 0; m < MSG__MAX; m++) {
            if (strcmp(english[m], e->id.p) != 0)
                continue;
            free(translations[p->lang][m]);
            translations[p->lang][m] = xstrdup(e->str.p);
        }
    }
    entry_reset(e);
    return true;
}

static bool starts_kw(const char *s, size_t n, const char *kw, size_t *rest)
{
    size_t k = strlen(kw);
    if (n < k || memcmp(s, kw, k) != 0)
        return false;
    if (n > k && s[k] != ' ' && s[k] != '\t')
        return false;
    while (k < n && (s[k] == ' ' || s[k] == '\t'))
        k++;
    *rest = k;
    return true;
}

static bool po_line(struct po_parser *p, const char *s, size_t n)
{
    size_t rest;
    struct po_entry *e = &p->e;

    while (n > 0 && (s[0] == ' ' || s[0] == '\t')) {
        s++;
        n--;
    }
    if (n > 0 && s[n - 1] == '\r')
        n--;
    if (n == 0) {
        p->kw = KW_NONE;
        return po_commit(p);
    }
    if (s[0] == '#') {
        if (n >= 2 && s[1] == '~') { /* obsolete entry */
            p->kw = KW_NONE;
            return true;
        }
        if (e->has_id || e->has_str) { /* a comment starts the next entry */
            if (!po_commit(p))
                return false;
        }
        if (n >= 2 && s[1] == ',') {
            const char *f = s + 2, *end = s + n;
            while (f < end) {
                while (f < end && (*f == ' ' || *f == ',' || *f == '\t'))
                    f++;
                const char *w = f;
                while (f < end && *f != ',' && *f != ' ' && *f != '\t')
                    f++;
                if (f - w == 5 && memcmp(w, "fuzzy", 5) == 0)
                    e->fuzzy = true;
            }
        }
        p->kw = KW_NONE;
        return true;
    }
    if (s[0] == '"') {
        switch (p->kw) {
        case KW_MSGCTXT:
            return po_string(p, s, n, &e->ctxt);
        case KW_MSGID:
            return po_string(p, s, n, &e->id);
        case KW_MSGSTR:
            return po_string(p, s, n, &e->str);
        case KW_MSGID_PLURAL:
        case KW_MSGSTR_N:
            return po_ignore(p, s, n);
        case KW_NONE:
            break;
        }
        return po_fail(p, "a string outside an entry");
    }
    if (starts_kw(s, n, "msgctxt", &rest)) {
        if (e->has_id || e->has_str)
            if (!po_commit(p))
                return false;
        e->has_ctxt = true;
        p->kw = KW_MSGCTXT;
        return po_string(p, s + rest, n - rest, &e->ctxt);
    }
    if (starts_kw(s, n, "msgid", &rest)) {
        if (e->has_str)
            if (!po_commit(p))
                return false;
        if (e->has_id)
            return po_fail(p, "two msgid in one entry");
        e->has_id = true;
        p->kw = KW_MSGID;
        return po_string(p, s + rest, n - rest, &e->id);
    }
    if (starts_kw(s, n, "msgid_plural", &rest)) {
        if (!e->has_id)
            return po_fail(p, "msgid_plural without msgid");
        e->plural = true;
        p->kw = KW_MSGID_PLURAL;
        return po_ignore(p, s + rest, n - rest);
    }
    if (n > 7 && memcmp(s, "msgstr[", 7) == 0) {
        const char *close = memchr(s, ']', n);
        if (close == NULL || !e->has_id)
            return po_fail(p, "bad msgstr[n]");
        e->has_str = true;
        e->plural = true;
        p->kw = KW_MSGSTR_N;
        rest = (size_t)(close + 1 - s);
        while (rest < n && (s[rest] == ' ' || s[rest] == '\t'))
            rest++;
        return po_ignore(p, s + rest, n - rest);
    }
    if (starts_kw(s, n, "msgstr", &rest)) {
        if (!e->has_id || e->has_str)
            return po_fail(p, "msgstr without msgid");
        e->has_str = true;
        p->kw = KW_MSGSTR;
        return po_string(p, s + rest, n - rest, &e->str);
    }
    return po_fail(p, "unknown keyword");
}

/* Parses one catalog text into translations[lang]. */
static bool po_parse(const char *name, enum lang lang, const char *text, size_t len, char **errmsg)
{
    struct po_parser p = {.name = name, .lang = lang, .errmsg = errmsg};
    const char *s = text, *end = text + len;
    bool ok = true;

    while (ok && s < end) {
        const char *nl = memchr(s, '\n', (size_t)(end - s));
        size_t n = nl != NULL ? (size_t)(nl - s) : (size_t)(end - s);
        p.line++;
        ok = po_line(&p, s, n);
        s += n + (nl != NULL ? 1 : 0);
    }
    if (ok) {
        p.line++;
        ok = po_commit(&p);
    }
    entry_reset(&p.e);
    return ok;
}

bool i18n_load_catalog(enum lang lang, const char *name, const char *text, size_t len,
                       char **errmsg)
{
    if ((int)lang < 0 || lang >= LANG__MAX)
        return false;
    for (int m = 0; m < MSG__MAX; m++) {
        free(translations[lang][m]);
        translations[lang][m] = NULL;
    }
    keyed_clear(lang);
    return po_parse(name, lang, text, len, errmsg);
}

bool i18n_init(char **errmsg)
{
    for (int l = 0; l < LANG__MAX; l++) {
        char path[32];
        memcpy(path, "po/", 3);
        memcpy(path + 3, lang_codes[l], 2);
        memcpy(path + 5, ".po", 4);
        const struct embedded_file *f = embed_find(path);
        if (f == NULL) {
            if (errmsg != NULL)
                *errmsg = xasprintf("the catalog %s is not built in", path);
            return false;
        }
        if (!i18n_load_catalog((enum lang)l, path, (const char *)f->data, f->len, errmsg))
            return false;
    }
    return true;
}

const char *i18n_text(enum lang lang, enum msg m)
{
    if ((int)m < 0 || m >= MSG__MAX)
        return "";
    if ((int)lang >= 0 && lang < LANG__MAX && translations[lang][m] != NULL)
        return translations[lang][m];
    return english[m];
}

const char *i18n_source(enum msg m)
{
    return ((int)m < 0 || m >= MSG__MAX) ? "" : english[m];
}

const char *i18n_keyed(enum lang lang, const char *ctxt, const char *key)
{
    if ((int)lang < 0 || lang >= LANG__MAX || ctxt == NULL || key == NULL)
        return NULL;
    const struct keyed *k = keyed_find(lang, ctxt, key);
    return k != NULL ? k->text : NULL;
}

bool i18n_has_translation(enum lang lang, enum msg m)
{
    return (int)lang >= 0 && lang < LANG__MAX && (int)m >= 0 && m < MSG__MAX &&
           translations[lang][m] != NULL;
}

const char *lang_code(enum lang lang)
{
    return ((int)lang >= 0 && lang < LANG__MAX) ? lang_codes[lang] : lang_codes[LANG_KM];
}

bool lang_parse(const char *s, enum lang *out)
{
    if (s == NULL)
        return false;
    for (int l = 0; l < LANG__MAX; l++) {
        if (strcmp(s, lang_codes[l]) == 0) {
            *out = (enum lang)l;
            return true;
        }
    }
    return false;
}

/* Parses a qvalue ("1", "1.000", "0.8", "0"); thousandths, or -1 when bad. */
static int parse_q(const char *s, size_t n)
{
    if (n == 0 || (s[0] != '0' && s[0] != '1'))
        return -1;
    int v = (s[0] - '0') * 1000;
    if (n == 1)
        return v;
    if (s[1] != '.' || n > 5)
        return -1;
    int scale = 100;
    for (size_t i = 2; i < n; i++, scale /= 10) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v += (s[i] - '0') * scale;
    }
    return v > 1000 ? -1 : v;
}

static void trim(const char **s, size_t *n)
{
    while (*n > 0 && (**s == ' ' || **s == '\t')) {
        (*s)++;
        (*n)--;
    }
    while (*n > 0 && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t'))
        (*n)--;
}

enum lang lang_negotiate(const char *accept_language)
{
    enum lang best = LANG_KM;
    int best_q = 0;
    const char *s = accept_language;

    if (s == NULL)
        return LANG_KM;
    while (*s != '\0') {
        size_t n = strcspn(s, ",");
        const char *item = s;
        s += n;
        if (*s == ',')
            s++;

        /* item: tag *( ";" param ) */
        size_t tlen = strcspn(item, ";,");
        if (tlen > n)
            tlen = n;
        const char *tag = item;
        trim(&tag, &tlen);
        int q = 1000;
        const char *params = item + strcspn(item, ";,");
        while (params < item + n && *params == ';') {
            params++;
            size_t plen = strcspn(params, ";,");
            const char *pv = params;
            size_t pvlen = plen;
            trim(&pv, &pvlen);
            if (pvlen >= 2 && (pv[0] == 'q' || pv[0] == 'Q') && pv[1] == '=') {
                const char *qv = pv + 2;
                size_t qlen = pvlen - 2;
                trim(&qv, &qlen);
                q = parse_q(qv, qlen);
            }
            params += plen;
        }
        if (q <= 0)
            continue; /* not acceptable, or a malformed weight */

        /* The primary subtag decides: "km", "km-KH", "en-GB". */
        size_t primary = 0;
        while (primary < tlen && tag[primary] != '-' && tag[primary] != '_')
            primary++;
        for (int l = 0; l < LANG__MAX; l++) {
            if (primary == 2 && strncasecmp(tag, lang_codes[l], 2) == 0 && q > best_q) {
                best = (enum lang)l;
                best_q = q;
            }
        }
    }
    return best;
}
