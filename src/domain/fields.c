#include "domain/fields.h"

#include <string.h>

#include "domain/check.h"
#include "domain/place.h"
#include "domain/screening.h"

static struct fields_sent *sent_of(const struct fieldset *fs, const void *in)
{
    if (fs->sent == FIELDS_NO_SENT)
        return NULL;
    return (struct fields_sent *)((char *)(uintptr_t)in + fs->sent);
}

void fields_mark(const struct fieldset *fs, void *in, int i, bool null)
{
    struct fields_sent *s = sent_of(fs, in);
    if (s == NULL || i < 0 || i >= 64)
        return;
    if (null)
        s->null |= UINT64_C(1) << i;
    else
        s->set |= UINT64_C(1) << i;
}

bool fields_was_sent(const struct fieldset *fs, const void *in, int i)
{
    const struct fields_sent *s = sent_of(fs, in);
    return s != NULL && i >= 0 && i < 64 && ((s->set | s->null) >> i & 1) != 0;
}

bool fields_was_null(const struct fieldset *fs, const void *in, int i)
{
    const struct fields_sent *s = sent_of(fs, in);
    return s != NULL && i >= 0 && i < 64 && (s->null >> i & 1) != 0;
}

void fields_init(const struct fieldset *fs, void *in)
{
    for (int i = 0; i < fs->n; i++) {
        const struct field *f = &fs->fields[i];
        if (f->type == FT_INT || f->type == FT_YEAR)
            *(int *)field_at(in, f->off) = f->absent;
        else if (f->type == FT_OBJECT)
            fields_init(f->sub, field_at(in, f->off));
        else if (f->type == FT_LIST)
            for (int k = 0; k < f->max; k++)
                fields_init(f->sub, field_at(in, f->off + (size_t)k * f->elem));
    }
}

/* The bytes a field's value takes at its offset. */
static size_t value_size(const struct field *f)
{
    switch (f->type) {
    case FT_INT:
    case FT_YEAR:
        return sizeof(int);
    case FT_BOOL:
        return sizeof(bool);
    case FT_CODES:
    case FT_ISO2S:
    case FT_PLACES:
        return (size_t)f->max * sizeof(const char *);
    case FT_OBJECT:
        return f->elem;
    case FT_LIST:
        return (size_t)f->max * f->elem;
    default:
        return sizeof(const char *);
    }
}

void fields_overlay(const struct fieldset *fs, void *dst, const void *src)
{
    for (int i = 0; i < fs->n; i++) {
        const struct field *f = &fs->fields[i];
        if (!fields_was_sent(fs, src, i))
            continue;
        bool null = fields_was_null(fs, src, i);
        void *d = field_at(dst, f->off);
        if (null) {
            memset(d, 0, value_size(f));
            if (f->type == FT_INT || f->type == FT_YEAR)
                *(int *)d = f->absent;
            if (f->type == FT_OBJECT)
                fields_init(f->sub, d);
        } else {
            memcpy(d, (const char *)src + f->off, value_size(f));
        }
        bool counted = f->type == FT_CODES || f->type == FT_ISO2S || f->type == FT_PLACES ||
                       f->type == FT_LIST;
        if (counted)
            *(int *)field_at(dst, f->count) =
                null ? 0 : *(const int *)((const char *)src + f->count);
        if (f->type == FT_OBJECT)
            *(bool *)field_at(dst, f->count) =
                !null && *(const bool *)((const char *)src + f->count);
    }
}

static const char *str_at(const void *in, size_t off)
{
    return *(const char *const *)((const char *)in + off);
}

static int int_at(const void *in, size_t off)
{
    return *(const int *)((const char *)in + off);
}

/* The codes at off, count at count_off: min..max of them, each once, each
 * valid by ok(list, code). */
static bool codes_ok(const struct field *f, const void *in,
                     bool (*ok)(enum code_list, const char *))
{
    int n = int_at(in, f->count);
    const char *const *v = (const char *const *)((const char *)in + f->off);
    if (n < f->min || n > f->max)
        return false;
    for (int i = 0; i < n; i++) {
        if (v[i] == NULL || !ok(f->list, v[i]))
            return false;
        for (int j = 0; j < i; j++)
            if (strcmp(v[i], v[j]) == 0)
                return false;
    }
    return true;
}

static bool code_ok(enum code_list list, const char *s)
{
    return code_parse(list, s) >= 0;
}

/* FT_INDICATORS: min..max codes of the screening catalog, each once. */
static bool indicators_ok(const struct ctx *cx, const struct field *f, const void *in)
{
    int n = int_at(in, f->count);
    const char *const *v = (const char *const *)((const char *)in + f->off);
    if (cx->screening == NULL || n < f->min || n > f->max)
        return false;
    for (int i = 0; i < n; i++) {
        if (screening_catalog_find(cx->screening, v[i]) == NULL)
            return false;
        for (int j = 0; j < i; j++)
            if (strcmp(v[i], v[j]) == 0)
                return false;
    }
    return true;
}

/* FT_PLACES: min..max codes of the gazetteer, each once. */
static bool places_ok(const struct ctx *cx, const struct field *f, const void *in)
{
    int n = int_at(in, f->count);
    const char *const *v = (const char *const *)((const char *)in + f->off);
    if (cx->places == NULL || n < f->min || n > f->max)
        return false;
    for (int i = 0; i < n; i++) {
        if (v[i] == NULL || strlen(v[i]) >= CODE_SIZE || places_get(cx->places, v[i]) == NULL)
            return false;
        for (int j = 0; j < i; j++)
            if (strcmp(v[i], v[j]) == 0)
                return false;
    }
    return true;
}

static bool iso2_ok(enum code_list list, const char *s)
{
    (void)list;
    return check_iso2(s);
}

/* Whether field i (of a type read by value) is there. */
static bool present(const struct fieldset *fs, const void *in, int i)
{
    const struct field *f = &fs->fields[i];
    /* Sent with a value, even the one that stands for absent (an age -1). */
    if (fields_was_sent(fs, in, i) && !fields_was_null(fs, in, i) && f->type != FT_OBJECT)
        return true;
    switch (f->type) {
    case FT_INT:
    case FT_YEAR:
        return int_at(in, f->off) != f->absent;
    case FT_BOOL:
        return fs->sent == FIELDS_NO_SENT;
    case FT_CODES:
    case FT_ISO2S:
    case FT_PLACES:
    case FT_LIST:
    case FT_INDICATORS:
        return int_at(in, f->count) > 0;
    case FT_OBJECT:
        return *(const bool *)((const char *)in + f->count);
    default:
        /* "" is sent, and is not text (forms read an empty field as absent). */
        return str_at(in, f->off) != NULL;
    }
}

static bool value_ok(const struct ctx *cx, const struct field *f, const void *in)
{
    /* A field is read as a string only when it is one: an int or a bool
     * may lie where no pointer can be read. */
    const char *s;
    int v;
    switch (f->type) {
    case FT_TEXT:
        s = str_at(in, f->off);
        return check_text(s, f->min > 0 ? (size_t)f->min : 1, (size_t)f->max);
    case FT_INT:
        v = int_at(in, f->off);
        return v >= f->min && v <= f->max;
    case FT_YEAR:
        v = int_at(in, f->off);
        return v >= f->min && v <= clock_year();
    case FT_BOOL:
        return true;
    case FT_CODE:
        s = str_at(in, f->off);
        return code_parse(f->list, s) >= 0;
    case FT_CODES:
        return codes_ok(f, in, code_ok);
    case FT_ISO2S:
        return codes_ok(f, in, iso2_ok);
    case FT_PLACES:
        return places_ok(cx, f, in);
    case FT_INDICATORS:
        return indicators_ok(cx, f, in);
    case FT_DATE:
        s = str_at(in, f->off);
        return clock_parse_date(s, NULL, NULL, NULL);
    case FT_ID:
        s = str_at(in, f->off);
        return check_id(s);
    case FT_PHONE:
        s = str_at(in, f->off);
        return check_phone(s);
    case FT_ISO2:
        s = str_at(in, f->off);
        return check_iso2(s);
    case FT_PLACE:
        s = str_at(in, f->off);
        return strlen(s) < CODE_SIZE && cx->places != NULL && places_get(cx->places, s) != NULL;
    case FT_LIST:
        v = int_at(in, f->count);
        return v >= f->min && v <= f->max;
    default:
        return true;
    }
}

enum err fields_check(const struct ctx *cx, const struct fieldset *fs, const void *in,
                      struct fielderrs *fe)
{
    enum err e = ERR_OK;
    for (int i = 0; i < fs->n; i++) {
        const struct field *f = &fs->fields[i];
        if (!present(fs, in, i)) {
            bool counted = f->type == FT_CODES || f->type == FT_ISO2S || f->type == FT_PLACES ||
                           f->type == FT_LIST || f->type == FT_INDICATORS;
            /* A list sent longer than allowed reads as present; an empty
             * one as absent, which only a required field minds. */
            if (f->required || (counted && f->min > 0 && fields_was_sent(fs, in, i)))
                e = fielderr(fe, f->path, f->message);
            continue;
        }
        if (!value_ok(cx, f, in)) {
            e = fielderr(fe, f->path, f->message);
            continue;
        }
        if (f->type == FT_OBJECT && !f->merged &&
            fields_check(cx, f->sub, field_at((void *)(uintptr_t)in, f->off), fe) != ERR_OK)
            e = ERR_VALIDATION;
        if (f->type == FT_LIST)
            for (int k = 0; k < int_at(in, f->count); k++)
                if (fields_check(cx, f->sub, (const char *)in + f->off + (size_t)k * f->elem, fe) !=
                    ERR_OK)
                    e = ERR_VALIDATION;
    }
    return e;
}
