/* Declared input: one table of fields per input (kcgi's keys[KEY__MAX]),
 * read by both front doors and checked once, here.
 *
 * A table row says where a field's value goes in the domain's input struct
 * (offsetof), its type, whether it is required, its bounds and its code
 * list. The JSON decoder (api/json_io.c) and the form decoder
 * (web/form_in.c) only move values in, checking their shape (a JSON
 * string, a whole number typed in a form); fields_check() then applies
 * every rule of the table, so an age range, a birth year or a code list
 * exists once for the API and the pages alike. Cross-field rules (birth
 * date or age, not both) stay in the domain function that owns the input.
 *
 * Values are borrowed: strings point into the JSON document or the
 * request, which outlive the domain call. An absent field reads as NULL, an
 * int field as its table's absent value, a bool as false. */
#ifndef CBPN_DOMAIN_FIELDS_H
#define CBPN_DOMAIN_FIELDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "domain/ctx.h"
#include "util/codes.h"

enum field_type {
    FT_TEXT,   /* const char *: min..max characters; required text is not blank */
    FT_INT,    /* int: min..max; absent reads as .absent */
    FT_YEAR,   /* int: a year from min to this year; absent reads as .absent */
    FT_BOOL,   /* bool */
    FT_CODE,   /* const char *: a code of .list */
    FT_CODES,  /* const char *[max]: codes of .list, each once; count (int) at .count */
    FT_DATE,   /* const char *: a real date YYYY-MM-DD, from 1900 on */
    FT_ID,     /* const char *: an opaque record id */
    FT_PHONE,  /* const char *: digits, an optional leading +, spaces, dashes */
    FT_ISO2,   /* const char *: an ISO 3166-1 alpha-2 country code */
    FT_ISO2S,  /* const char *[max]: country codes, each once; count (int) at .count */
    FT_PLACE,  /* const char *: a known gazetteer code */
    FT_PLACES, /* const char *[max]: known gazetteer codes, each once; count (int) at .count */
    FT_OBJECT, /* a nested struct at .off described by .sub; sent (bool) at .count */
    FT_LIST,   /* struct[max] at .off of .elem bytes, each by .sub; count (int) at .count */
    /* const char *[max]: codes of the screening catalog (cx->screening),
     * each once; count (int) at .count */
    FT_INDICATORS,
    FT__MAX
};

struct fieldset;

struct field {
    const char *name; /* the JSON member */
    const char *path; /* the name in field errors: "survivor.age" */
    const char *form; /* the form field; NULL: path */
    enum field_type type;
    bool required;
    int min, max; /* characters, value or count, as the type says */
    enum code_list list;
    size_t off;   /* where the value goes */
    size_t count; /* FT_CODES, FT_ISO2S, FT_LIST: an int; FT_OBJECT: a bool */
    size_t elem;  /* FT_LIST: the size of one element */
    const struct fieldset *sub;
    int absent;          /* FT_INT, FT_YEAR: the value when absent */
    const char *message; /* what a valid value is, for the field error */
    /* FT_OBJECT: checked by its owner once merged into the stored record
     * (a PATCH), not by fields_check. */
    bool merged;
};

/* What a PATCH sent: bit i of set for field i of the table sent with a
 * value, of null for one sent as null. */
struct fields_sent {
    uint64_t set;
    uint64_t null;
};

struct fieldset {
    const struct field *fields;
    int n;       /* at most 64 */
    size_t sent; /* offset of a struct fields_sent in the input; FIELDS_NO_SENT: none */
};
#define FIELDS_NO_SENT ((size_t)-1)
/* A fieldset of a table that records nothing of what was sent. */
#define FIELDSET(rows)                                                                             \
    {                                                                                              \
        rows, (int)(sizeof rows / sizeof rows[0]), FIELDS_NO_SENT                                  \
    }

/* Applies every rule of fs to the input at in: required fields, types'
 * shapes, bounds, code lists, places known to the gazetteer. Each problem
 * is a field error under the field's path; ERR_VALIDATION when any. */
enum err fields_check(const struct ctx *cx, const struct fieldset *fs, const void *in,
                      struct fielderrs *fe);

/* For the decoders: where field f's value lives in the input at base. */
static inline void *field_at(void *base, size_t off)
{
    return (char *)base + off;
}
/* Marks field i of fs as sent (null: sent as null) when fs records it. */
void fields_mark(const struct fieldset *fs, void *in, int i, bool null);
/* Whether field i of fs was sent, and sent as null. */
bool fields_was_sent(const struct fieldset *fs, const void *in, int i);
bool fields_was_null(const struct fieldset *fs, const void *in, int i);
/* Copies into dst every field src sent (fs must record what was sent): a
 * value as sent, a null as absent. What src did not send stays as dst has
 * it: a PATCH merged into the stored record. */
void fields_overlay(const struct fieldset *fs, void *dst, const void *src);
/* Sets every int field of fs (and of its nested objects) to its absent value. */
void fields_init(const struct fieldset *fs, void *in);

/* Table rows. S is the input struct, m its member, P the path prefix
 * ("" or "survivor."), which makes the error path at compile time. */
/* clang-format off */
#define F_ROW(m, P, form, type, req, lo, hi, l, off, cnt, elem, sub, abs, msg, merged) \
    {#m, P #m, form, type, req, lo, hi, l, off, cnt, elem, sub, abs, msg, merged}
#define F_TEXT(S, m, P, req, lo, hi, msg) \
    F_ROW(m, P, NULL, FT_TEXT, req, lo, hi, LIST__MAX, offsetof(S, m), 0, 0, NULL, 0, msg, false)
#define F_INT(S, m, P, req, lo, hi, abs, msg) \
    F_ROW(m, P, NULL, FT_INT, req, lo, hi, LIST__MAX, offsetof(S, m), 0, 0, NULL, abs, msg, false)
#define F_YEAR(S, m, P, req, lo, abs, msg) \
    F_ROW(m, P, NULL, FT_YEAR, req, lo, 0, LIST__MAX, offsetof(S, m), 0, 0, NULL, abs, msg, false)
#define F_BOOL(S, m, P, req) \
    F_ROW(m, P, NULL, FT_BOOL, req, 0, 0, LIST__MAX, offsetof(S, m), 0, 0, NULL, 0, \
          "true or false", false)
#define F_CODE(S, m, P, req, l, msg) \
    F_ROW(m, P, NULL, FT_CODE, req, 0, 0, l, offsetof(S, m), 0, 0, NULL, 0, msg, false)
#define F_CODES(S, m, P, form, req, lo, hi, l, msg) \
    F_ROW(m, P, form, FT_CODES, req, lo, hi, l, offsetof(S, m), offsetof(S, n##m), 0, NULL, \
          0, msg, false)
#define F_OF(S, m, P, type, req, msg) \
    F_ROW(m, P, NULL, type, req, 0, 0, LIST__MAX, offsetof(S, m), 0, 0, NULL, 0, msg, false)
#define F_ISO2S(S, m, P, lo, hi, msg) \
    F_ROW(m, P, NULL, FT_ISO2S, lo > 0, lo, hi, LIST__MAX, offsetof(S, m), offsetof(S, n##m), 0, \
          NULL, 0, msg, false)
#define F_PLACES(S, m, P, req, lo, hi, msg) \
    F_ROW(m, P, NULL, FT_PLACES, req, lo, hi, LIST__MAX, offsetof(S, m), offsetof(S, n##m), 0, \
          NULL, 0, msg, false)
#define F_OBJECT(S, m, P, req, set, msg) \
    F_ROW(m, P, NULL, FT_OBJECT, req, 0, 0, LIST__MAX, offsetof(S, m), offsetof(S, set), \
          sizeof(((S *)0)->m), &m##_fields, 0, msg, false)
#define F_OBJECT_MERGED(S, m, P, set, msg) \
    F_ROW(m, P, NULL, FT_OBJECT, false, 0, 0, LIST__MAX, offsetof(S, m), offsetof(S, set), \
          sizeof(((S *)0)->m), &m##_fields, 0, msg, true)
#define F_LIST(S, m, P, lo, hi, T, msg) \
    F_ROW(m, P, NULL, FT_LIST, lo > 0, lo, hi, LIST__MAX, offsetof(S, m), offsetof(S, n##m), \
          sizeof(T), &m##_fields, 0, msg, false)
/* clang-format on */

#endif
