/* Form bodies into declared input (domain/fields.h): the pages' half of the
 * one field table. A field's form name is its table's form name, else its
 * path ("survivor.age"); an element k of a list is "perpetrators.K.sex".
 * An empty value is absent. Whole numbers and yes/no answers are parsed
 * here from their text; every other rule is fields_check's. */
#include "web/page.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/fields.h"

#define FORM_NAME_MAX 96
#define FORM_LIST_MAX HTTP_FIELDS_MAX /* a repeated field has at most every field of the form */

static int decode(const struct req *r, const struct fieldset *fs, const char *prefix, void *in,
                  struct fielderrs *fe);

static bool parse_int(const char *s, int *out)
{
    char *end = NULL;
    if (s[0] != '-' && (s[0] < '0' || s[0] > '9'))
        return false;
    long v = strtol(s, &end, 10);
    if (*end != '\0' || v <= INT_MIN || v > INT_MAX || strlen(s) > 11)
        return false;
    *out = (int)v;
    return true;
}

static bool parse_yes_no(const char *s, bool *out)
{
    static const char *const yes[] = {"1", "yes", "true", "on"};
    static const char *const no[] = {"0", "no", "false"};
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
        if (strcmp(s, yes[i]) == 0)
            return (*out = true);
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
        if (strcmp(s, no[i]) == 0)
            return !(*out = false);
    return false;
}

/* The values of a repeated field, empty ones left out. */
static int form_values(const struct req *r, const char *name, const struct field *f, void *in)
{
    const char *all[FORM_LIST_MAX];
    int n = req_form_all(r, name, all, FORM_LIST_MAX), kept = 0;
    const char **out = field_at(in, f->off);
    for (int k = 0; k < n; k++) {
        if (all[k][0] == '\0')
            continue;
        if (kept < f->max)
            out[kept] = all[k];
        kept++;
    }
    *(int *)field_at(in, f->count) = kept > f->max ? f->max + 1 : kept;
    return kept;
}

/* One field; returns 1 when the form carried it. */
static int decode_one(const struct req *r, const struct fieldset *fs, int i, const char *prefix,
                      void *in, struct fielderrs *fe)
{
    const struct field *f = &fs->fields[i];
    char name[FORM_NAME_MAX];
    if (f->form != NULL)
        snprintf(name, sizeof name, "%s%s", prefix, f->form);
    else
        snprintf(name, sizeof name, "%s%s", prefix, f->name);

    if (f->type == FT_OBJECT) {
        char sub[FORM_NAME_MAX + 2];
        snprintf(sub, sizeof sub, "%.*s.", FORM_NAME_MAX, name);
        int got = decode(r, f->sub, sub, field_at(in, f->off), fe);
        *(bool *)field_at(in, f->count) = got > 0;
        if (got > 0)
            fields_mark(fs, in, i, false); /* a PATCH merges what was sent */
        return got > 0;
    }
    if (f->type == FT_LIST) {
        int kept = 0;
        for (int k = 0; k < f->max; k++) {
            char sub[FORM_NAME_MAX + 16];
            snprintf(sub, sizeof sub, "%.*s.%d.", FORM_NAME_MAX, name, k);
            void *elem = field_at(in, f->off + (size_t)kept * f->elem);
            if (decode(r, f->sub, sub, elem, fe) > 0)
                kept++;
            else
                memset(elem, 0, f->elem), fields_init(f->sub, elem);
        }
        *(int *)field_at(in, f->count) = kept;
        return kept > 0;
    }
    if (f->type == FT_CODES || f->type == FT_ISO2S || f->type == FT_PLACES ||
        f->type == FT_INDICATORS) {
        int got = form_values(r, name, f, in);
        if (got > 0)
            fields_mark(fs, in, i, false);
        return got > 0;
    }
    const char *v = req_form(r, name);
    if (v == NULL || v[0] == '\0')
        return 0;
    switch (f->type) {
    case FT_INT:
    case FT_YEAR:
        if (!parse_int(v, field_at(in, f->off))) {
            fielderr(fe, f->path, "must be a whole number");
            return 1;
        }
        break;
    case FT_BOOL:
        if (!parse_yes_no(v, field_at(in, f->off))) {
            fielderr(fe, f->path, "must be yes or no");
            return 1;
        }
        break;
    default:
        *(const char **)field_at(in, f->off) = v;
        break;
    }
    fields_mark(fs, in, i, false);
    return 1;
}

static int decode(const struct req *r, const struct fieldset *fs, const char *prefix, void *in,
                  struct fielderrs *fe)
{
    int got = 0;
    for (int i = 0; i < fs->n; i++)
        got += decode_one(r, fs, i, prefix, in, fe);
    return got;
}

int form_fields(const struct req *r, const struct fieldset *fs, void *in, struct fielderrs *fe)
{
    return decode(r, fs, "", in, fe);
}

/* Marks the fields of fs sent empty as null; returns whether the form
 * carried any of them (empty or not). */
static bool nulls(const struct req *r, const struct fieldset *fs, const char *prefix, void *in)
{
    bool carried = false;
    for (int i = 0; i < fs->n; i++) {
        const struct field *f = &fs->fields[i];
        char name[FORM_NAME_MAX];
        snprintf(name, sizeof name, "%s%s", prefix, f->form != NULL ? f->form : f->name);
        if (f->type == FT_OBJECT) {
            char sub[FORM_NAME_MAX + 2];
            snprintf(sub, sizeof sub, "%.*s.", FORM_NAME_MAX, name);
            bool got = *(bool *)field_at(in, f->count);
            bool sub_carried = nulls(r, f->sub, sub, field_at(in, f->off));
            /* An object every field of which came empty is cleared. */
            if (sub_carried && !got)
                fields_mark(fs, in, i, true);
            carried = carried || sub_carried;
            continue;
        }
        if (f->type == FT_LIST || f->type == FT_CODES || f->type == FT_ISO2S ||
            f->type == FT_PLACES)
            continue; /* an unticked box sends nothing: a list is never "empty" */
        const char *v = req_form(r, name);
        if (v == NULL)
            continue;
        carried = true;
        if (v[0] == '\0')
            fields_mark(fs, in, i, true);
    }
    return carried;
}

void form_nulls(const struct req *r, const struct fieldset *fs, void *in)
{
    nulls(r, fs, "", in);
}
