/* The stepped place choice of the forms: province -> district -> commune ->
 * village without JavaScript. The form's "next list" button (name "step")
 * posts the form back, and the page comes again with what was entered and
 * the next list filled; with JavaScript, choosing in a list presses that
 * button (assets/cbpn.js). Used by "report a concern" (the place), the
 * intake form (the survivor's address) and the incident form (where). */
#include "web/page.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "domain/place.h"

static const struct {
    const char *name; /* form field and element id, after the prefix */
    enum msg label;
    enum place_level level;
} place_fields[PF__MAX] = {
    [PF_PROVINCE] = {"province", MSG_PROVINCE, PLACE_PROVINCE},
    [PF_DISTRICT] = {"district", MSG_DISTRICT, PLACE_DISTRICT},
    [PF_COMMUNE] = {"commune", MSG_COMMUNE, PLACE_COMMUNE},
    [PF_VILLAGE] = {"village", MSG_VILLAGE, PLACE_VILLAGE},
};

const char *place_pick_level_name(int level)
{
    return level >= 0 && level < PF__MAX ? place_fields[level].name : "";
}

static void set_code(char dst[CODE_SIZE], const char *s)
{
    dst[0] = '\0';
    if (s != NULL && strlen(s) < CODE_SIZE)
        memcpy(dst, s, strlen(s) + 1);
}

/* Keeps each chosen place only when it lies in the one above it (a changed
 * district drops the commune and village chosen before). */
static void normalise(const struct req *r, struct place_pick *pp)
{
    const struct places *all = r->app != NULL ? r->app->places : NULL;
    const char *parent = "";
    for (int i = 0; i < PF__MAX; i++) {
        const struct place *p =
            (all != NULL && pp->place[i][0] != '\0') ? places_get(all, pp->place[i]) : NULL;
        if (p == NULL || p->level != place_fields[i].level || strcmp(p->parent, parent) != 0) {
            for (int j = i; j < PF__MAX; j++)
                pp->place[j][0] = '\0';
            return;
        }
        parent = pp->place[i];
    }
}

static void pick_from(const struct req *r, const char *prefix, struct place_pick *pp,
                      const char *(*get)(const struct req *, const char *))
{
    memset(pp, 0, sizeof *pp);
    for (int i = 0; i < PF__MAX; i++) {
        char name[48];
        snprintf(name, sizeof name, "%s%s", prefix, place_fields[i].name);
        set_code(pp->place[i], get(r, name));
    }
    normalise(r, pp);
}

void place_pick_from_form(const struct req *r, const char *prefix, struct place_pick *pp)
{
    pick_from(r, prefix, pp, req_form);
}

void place_pick_from_query(const struct req *r, const char *prefix, struct place_pick *pp)
{
    pick_from(r, prefix, pp, req_query);
}

void place_pick_set(const struct req *r, struct place_pick *pp, const char *code)
{
    const struct places *all = r->app != NULL ? r->app->places : NULL;
    const struct place *p = (all != NULL && code != NULL) ? places_get(all, code) : NULL;
    memset(pp, 0, sizeof *pp);
    for (int depth = 0; p != NULL && depth < PF__MAX; depth++) {
        if ((int)p->level < PF__MAX)
            set_code(pp->place[p->level], p->code);
        p = p->parent[0] != '\0' ? places_get(all, p->parent) : NULL;
    }
    normalise(r, pp);
}

const char *place_pick_chosen(const struct place_pick *pp)
{
    for (int i = PF__MAX - 1; i >= 0; i--)
        if (pp->place[i][0] != '\0')
            return pp->place[i];
    return NULL;
}

static void place_select(struct req *r, struct buf *b, const struct place_pick *pp,
                         const char *prefix, int level)
{
    const struct places *all = r->app != NULL ? r->app->places : NULL;
    const struct place **items = NULL;
    char name[48], id[48];
    size_t n = 0;

    snprintf(name, sizeof name, "%s%s", prefix, place_fields[level].name);
    snprintf(id, sizeof id, "%s", name);
    for (char *p = id; *p != '\0'; p++)
        if (*p == '.')
            *p = '-';
    if (all != NULL)
        n = places_children(all, level == 0 ? NULL : pp->place[level - 1], r->lang, &items);
    h_open(b, "label", "for", id, H_END);
    h_text(b, tr(r, place_fields[level].label));
    h_raw(b, "</label>");
    h_open_begin(b, "select");
    h_attr(b, "id", id);
    h_attr(b, "name", name);
    h_flag(b, "data-step", level < PF__MAX - 1);
    h_open_end(b);
    h_raw(b, "<option value=\"\">");
    h_text(b, tr(r, MSG_CHOOSE));
    h_raw(b, "</option>");
    for (size_t i = 0; i < n; i++) {
        h_open_begin(b, "option");
        h_attr(b, "value", items[i]->code);
        h_flag(b, "selected", strcmp(items[i]->code, pp->place[level]) == 0);
        h_open_end(b);
        h_text(b, place_label(r, items[i]));
        h_close(b, "option");
    }
    h_raw(b, "</select>");
    free(items);
}

void place_pick_fieldset(struct req *r, struct buf *b, const struct place_pick *pp,
                         const char *prefix, const char *id, enum msg legend, const char *error)
{
    char next_id[48], value[48];
    snprintf(next_id, sizeof next_id, "%s-next", id);
    snprintf(value, sizeof value, "%splace", prefix);
    h_open(b, "fieldset", "id", id, H_END);
    h_raw(b, "<legend>");
    h_text(b, tr(r, legend));
    h_raw(b, "</legend>");
    if (error != NULL) {
        char err_id[48];
        snprintf(err_id, sizeof err_id, "err-%s", id);
        h_para(b, "field-error", err_id, NULL, error);
    }
    for (int i = 0; i < PF__MAX; i++) {
        if (i > 0 && pp->place[i - 1][0] == '\0')
            break;
        place_select(r, b, pp, prefix, i);
    }
    /* formnovalidate: choosing a place must not wait for the required fields. */
    h_open_begin(b, "button");
    h_attr(b, "type", "submit");
    h_attr(b, "name", "step");
    h_attr(b, "value", value);
    h_attr(b, "id", next_id);
    h_attr(b, "class", "step secondary");
    h_flag(b, "formnovalidate", true);
    h_open_end(b);
    h_text(b, tr(r, MSG_PLACE_NEXT));
    h_raw(b, "</button></fieldset>");
}
