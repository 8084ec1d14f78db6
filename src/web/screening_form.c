/* The screening checklist: GET /cases/{id}/screenings/new, POST
 * /cases/{id}/screenings (screening_add). Adult or child, then the
 * trafficking indicators grouped by dimension (A..F) with their strength,
 * then the forced-labour indicators: all of it rendered from the catalog
 * (domain/screening.h), so a corrected table changes the page with no code.
 * Labels: the Khmer of the PO catalog looked up by indicator code
 * (msgctxt "indicator"), else the catalog's English label.
 *
 * Why the checklist comes in parts: the server takes at most
 * HTTP_FIELDS_MAX fields in a form, and every ticked box is one, so 78
 * boxes on one form could not all be sent without JavaScript. The page
 * shows as many whole groups (a dimension, the forced-labour list) as leave
 * room for the form's own fields; "next part" and "previous part" post the
 * form back and nothing is saved. What was ticked on the parts not shown
 * travels in one hidden field, "ticked" (codes separated by spaces), the
 * part shown in "part", and the boxes of the part shown are "indicators".
 * "Save" (on the last part) sends them all; the route is a create, so the
 * form's idempotency key makes a double tap one screening. */
#include "web/case_page.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/scope.h"
#include "domain/screening.h"
#include "util/alloc.h"
#include "util/clock.h"

/* Fields a part's form carries besides its boxes: csrf, idempotency_key,
 * adult, ticked, part and the button pressed, with room to spare. */
#define FORM_OWN_FIELDS 12
#define PART_BOXES_MAX  (HTTP_FIELDS_MAX - FORM_OWN_FIELDS)
#define PARTS_MAX       SCREENING_INDICATORS_MAX
#define GROUP_FL        SCREENING_DIMENSIONS /* the forced-labour group */

/* The checklist's layout: the catalog's indicators grouped (dimensions in
 * order, then forced labour), and cut into parts at group boundaries. */
struct layout {
    const struct screening_catalog *cat;
    size_t order[SCREENING_INDICATORS_MAX]; /* catalog indexes, grouped */
    int group[SCREENING_INDICATORS_MAX];    /* each one's group */
    size_t n;
    size_t part_start[PARTS_MAX + 1]; /* part p: order[part_start[p] .. part_start[p+1]) */
    int nparts;
};

static int group_of(const struct screening_indicator *ind)
{
    return ind->dimension >= 0 ? ind->dimension : GROUP_FL;
}

static void layout_make(const struct screening_catalog *cat, struct layout *l)
{
    memset(l, 0, sizeof *l);
    l->cat = cat;
    size_t count = screening_catalog_count(cat);
    for (int g = 0; g <= GROUP_FL; g++)
        for (size_t i = 0; i < count && l->n < SCREENING_INDICATORS_MAX; i++)
            if (group_of(screening_catalog_at(cat, i)) == g) {
                l->order[l->n] = i;
                l->group[l->n++] = g;
            }
    /* Greedy: whole groups while they fit; a group larger than a part is
     * cut where the part is full. */
    size_t used = 0;
    l->part_start[0] = 0;
    for (size_t k = 0; k < l->n;) {
        size_t end = k;
        while (end < l->n && l->group[end] == l->group[k])
            end++;
        size_t size = end - k;
        if (used > 0 && used + size > PART_BOXES_MAX) {
            l->part_start[++l->nparts] = k;
            used = 0;
        }
        if (size > PART_BOXES_MAX) {
            for (size_t c = k + PART_BOXES_MAX; c < end; c += PART_BOXES_MAX)
                l->part_start[++l->nparts] = c;
            used = (size - 1) % PART_BOXES_MAX + 1;
        } else {
            used += size;
        }
        k = end;
    }
    l->part_start[++l->nparts] = l->n;
}

static bool in_part(const struct layout *l, int part, size_t catalog_index)
{
    for (size_t k = l->part_start[part]; k < l->part_start[part + 1]; k++)
        if (l->order[k] == catalog_index)
            return true;
    return false;
}

/* What the form says: the part shown, adult or child, and which boxes are
 * ticked (by catalog index). */
struct checklist {
    int part;
    const char *adult; /* "true", "false" or NULL */
    bool ticked[SCREENING_INDICATORS_MAX];
};

static int catalog_index(const struct screening_catalog *cat, const char *code)
{
    const struct screening_indicator *ind = screening_catalog_find(cat, code);
    if (ind == NULL)
        return -1;
    for (size_t i = 0; i < screening_catalog_count(cat); i++)
        if (screening_catalog_at(cat, i) == ind)
            return (int)i;
    return -1;
}

/* The checklist as sent: the boxes of the part shown as ticked there, the
 * others as carried in "ticked" (unknown codes left out). */
static void checklist_from_form(const struct req *r, const struct layout *l, struct checklist *cl)
{
    memset(cl, 0, sizeof *cl);
    const char *part = req_form(r, "part");
    cl->part = part != NULL ? atoi(part) : 0;
    if (cl->part < 0 || cl->part >= l->nparts)
        cl->part = 0;
    const char *adult = req_form(r, "adult");
    if (adult != NULL && (strcmp(adult, "true") == 0 || strcmp(adult, "false") == 0))
        cl->adult = adult;

    const char *carried = req_form(r, "ticked");
    for (const char *s = carried; s != NULL && *s != '\0';) {
        s += strspn(s, " ");
        size_t n = strcspn(s, " ");
        char code[CODE_SIZE];
        if (n > 0 && n < sizeof code) {
            memcpy(code, s, n);
            code[n] = '\0';
            int i = catalog_index(l->cat, code);
            if (i >= 0 && !in_part(l, cl->part, (size_t)i))
                cl->ticked[i] = true;
        }
        s += n;
    }
    const char *boxes[SCREENING_INDICATORS_MAX];
    int nboxes = req_form_all(r, "indicators", boxes, SCREENING_INDICATORS_MAX);
    for (int k = 0; k < nboxes; k++) {
        int i = catalog_index(l->cat, boxes[k]);
        if (i >= 0 && in_part(l, cl->part, (size_t)i))
            cl->ticked[i] = true;
    }
}

static enum msg dimension_heading(int g)
{
    static const enum msg heads[SCREENING_DIMENSIONS] = {MSG_DIM_A, MSG_DIM_B, MSG_DIM_C,
                                                         MSG_DIM_D, MSG_DIM_E, MSG_DIM_F};
    return g >= 0 && g < SCREENING_DIMENSIONS ? heads[g] : MSG_SCR_FORCED_LABOUR;
}

static void adult_choice(struct req *r, struct buf *b, const struct checklist *cl, bool bad)
{
    static const struct {
        const char *v, *id;
        enum msg m;
    } opts[] = {{"true", "adult-yes", MSG_SCR_ADULT}, {"false", "adult-no", MSG_SCR_CHILD}};
    h_open(b, "fieldset", "id", "adult", "class", bad ? "choices invalid" : "choices", H_END);
    h_raw(b, "<legend>");
    h_text(b, tr(r, MSG_SCR_ADULT_Q));
    h_raw(b, "</legend>");
    if (bad)
        h_para(b, "field-error", "err-adult", NULL, tr(r, MSG_ERR_SCR_ADULT));
    for (size_t i = 0; i < sizeof opts / sizeof opts[0]; i++) {
        h_raw(b, "<label class=\"check\"><input type=\"radio\" name=\"adult\" required");
        h_attr(b, "id", opts[i].id);
        h_attr(b, "value", opts[i].v);
        h_flag(b, "checked", cl->adult != NULL && strcmp(cl->adult, opts[i].v) == 0);
        h_raw(b, "> ");
        h_text(b, tr(r, opts[i].m));
        h_raw(b, "</label>");
    }
    h_raw(b, "</fieldset>");
}

/* The boxes of the part shown, under their groups' headings. */
static void part_boxes(struct req *r, struct buf *b, const struct layout *l,
                       const struct checklist *cl)
{
    int open_group = -1;
    bool trafficking_said = false;
    for (size_t k = l->part_start[cl->part]; k < l->part_start[cl->part + 1]; k++) {
        const struct screening_indicator *ind = screening_catalog_at(l->cat, l->order[k]);
        int g = l->group[k];
        if (g != open_group) {
            if (open_group >= 0)
                h_raw(b, "</fieldset>");
            if (g < GROUP_FL && !trafficking_said) {
                h_raw(b, "<h2>");
                h_text(b, tr(r, MSG_SCR_TRAFFICKING));
                h_raw(b, "</h2>");
                trafficking_said = true;
            }
            char gid[16];
            snprintf(gid, sizeof gid, "dim-%s", g < GROUP_FL ? code_name(LIST_DIMENSION, g) : "fl");
            h_open(b, "fieldset", "id", gid, "class", "choices indicators", H_END);
            h_raw(b, "<legend>");
            h_text(b, tr(r, dimension_heading(g)));
            h_raw(b, "</legend>");
            if (g == GROUP_FL)
                h_para(b, "hint", NULL, NULL, tr(r, MSG_SCR_FORCED_LABOUR_HINT));
            open_group = g;
        }
        char id[CODE_SIZE + 8];
        snprintf(id, sizeof id, "ind-%s", ind->code);
        h_raw(b, "<label class=\"check\"><input type=\"checkbox\" name=\"indicators\"");
        h_attr(b, "id", id);
        h_attr(b, "value", ind->code);
        h_flag(b, "checked", cl->ticked[l->order[k]]);
        h_raw(b, "> ");
        h_text(b, indicator_label(r, ind->code));
        if (ind->strength >= 0) {
            const char *s = code_name(LIST_STRENGTH, ind->strength);
            char cls[24];
            snprintf(cls, sizeof cls, "strength s-%s", s);
            h_raw(b, " ");
            h_open(b, "small", "class", cls, H_END);
            h_text(b, code_label(r, LIST_STRENGTH, s));
            h_close(b, "small");
        }
        h_raw(b, "</label>");
    }
    if (open_group >= 0)
        h_raw(b, "</fieldset>");
}

/* The codes ticked on the other parts, for the hidden field; how many. */
static int carried_codes(const struct layout *l, const struct checklist *cl, struct buf *out)
{
    int n = 0;
    for (size_t k = 0; k < l->n; k++) {
        size_t i = l->order[k];
        if (!cl->ticked[i] || in_part(l, cl->part, i))
            continue;
        if (n++ > 0)
            buf_putc(out, ' ');
        buf_puts(out, screening_catalog_at(l->cat, i)->code);
    }
    return n;
}

static void button(struct req *r, struct buf *b, const char *id, const char *name,
                   const char *value, const char *cls, enum msg label)
{
    h_open_begin(b, "button");
    h_attr(b, "type", "submit");
    h_attr(b, "id", id);
    h_attr(b, "name", name);
    h_attr(b, "value", value);
    h_attr(b, "class", cls);
    h_flag(b, "formnovalidate", strcmp(name, "send") != 0);
    h_open_end(b);
    h_text(b, tr(r, label));
    h_raw(b, "</button>");
}

/* The page: the part cl->part of the checklist as cl says (problem: the
 * screening was refused), or with closed only the notice. */
static void screening_page(struct req *r, struct resp *w, const struct case_view *v,
                           const struct layout *l, const struct checklist *cl,
                           const struct fielderrs *fe, bool closed)
{
    struct buf *b = &w->body;
    struct buf self = {0}, action = {0}, back = {0}, carried = {0};
    const struct case_rec *c = &v->rec;
    bool adult_bad = false, indicators_bad = false;
    for (int i = 0; fe != NULL && i < fe->n && i < FIELDERRS_MAX; i++) {
        adult_bad = adult_bad || strcmp(fe->e[i].field, "adult") == 0;
        indicators_bad = indicators_bad || strcmp(fe->e[i].field, "indicators") == 0;
    }

    buf_puts(&back, "/cases/");
    url_encode(&back, c->id);
    buf_puts(&self, back.p);
    buf_puts(&self, "/screenings/new");
    buf_puts(&action, back.p);
    buf_puts(&action, "/screenings");
    char *title = text_sub(tr(r, MSG_SCR_TITLE), c->code);
    page_begin(r, w, title, self.p);
    h_raw(b, "<h1 id=\"screening-title\">");
    h_text(b, title);
    h_raw(b, "</h1>");
    free(title);
    if (closed) {
        h_para(b, "error", "case-closed", "alert", tr(r, MSG_ERR_STATE));
        goto end;
    }
    if (form_resumed(r))
        form_resumed_notice(r, b);
    if (adult_bad || indicators_bad) {
        h_raw(b, "<div class=\"error\" id=\"form-errors\" role=\"alert\"><p>");
        h_text(b, tr(r, MSG_FORM_ERRORS));
        h_raw(b, "</p><ul>");
        if (adult_bad) {
            h_raw(b, "<li><a href=\"#adult\">");
            h_text(b, tr(r, MSG_ERR_SCR_ADULT));
            h_raw(b, "</a></li>");
        }
        if (indicators_bad) {
            h_raw(b, "<li>");
            h_text(b, tr(r, MSG_ERR_SCR_INDICATORS));
            h_raw(b, "</li>");
        }
        h_raw(b, "</ul></div>");
    }
    h_para(b, "hint", NULL, NULL, tr(r, MSG_SCR_INTRO));
    h_open(b, "form", "method", "post", "action", action.p, "id", "screening-form", "class",
           "stack", H_END);
    page_csrf(r, w);
    page_idempotency_key(r, w);
    char part[16];
    snprintf(part, sizeof part, "%d", cl->part);
    h_hidden(b, "part", part);
    int ncarried = carried_codes(l, cl, &carried);
    h_hidden(b, "ticked", carried.p != NULL ? carried.p : "");
    /* Asked on the first part, and again wherever it is missing. */
    if (cl->part == 0 || cl->adult == NULL || adult_bad)
        adult_choice(r, b, cl, adult_bad);
    else
        h_hidden(b, "adult", cl->adult);
    if (l->nparts > 1) {
        char of[32], n[16];
        snprintf(of, sizeof of, "%d / %d", cl->part + 1, l->nparts);
        h_raw(b, "<p class=\"part\" id=\"screening-part\">");
        h_text_sub(b, tr(r, MSG_SCR_PART), of);
        if (ncarried > 0) {
            snprintf(n, sizeof n, "%d", ncarried);
            h_raw(b, " · <span id=\"ticked-elsewhere\">");
            h_text_sub(b, tr(r, MSG_SCR_TICKED_ELSEWHERE), n);
            h_raw(b, "</span>");
        }
        h_raw(b, "</p>");
    }
    part_boxes(r, b, l, cl);
    if (cl->part + 1 < l->nparts)
        button(r, b, "screening-next", "go", "next", NULL, MSG_SCR_NEXT);
    else
        button(r, b, "screening-submit", "send", "1", NULL, MSG_SCR_BUTTON);
    if (cl->part > 0)
        button(r, b, "screening-back", "go", "back", "secondary", MSG_SCR_BACK);
    h_raw(b, "</form>");
end:
    h_raw(b, "<p>");
    h_open(b, "a", "href", back.p, "id", "back-to-case", H_END);
    h_text(b, tr(r, MSG_BACK_TO_CASE));
    h_raw(b, "</a></p>");
    page_end(r, w);
    buf_free(&self);
    buf_free(&action);
    buf_free(&back);
    buf_free(&carried);
}

/* The case and the catalog, for whoever may screen it and see its details;
 * *age: the survivor's today, -1 unknown. */
static enum err screening_case(struct req *r, const char *id, struct case_view *v,
                               const struct screening_catalog **cat, int *age)
{
    struct ctx cx = page_ctx(r);
    *age = -1;
    enum err e = page_case_for(r, id, ACT_SCREENING_CREATE, v);
    if (e == ERR_OK)
        e = screening_catalog_get(&cx, cat);
    if (e != ERR_OK)
        return e;
    struct case_rec full;
    memset(&full, 0, sizeof full);
    if (case_fetch(&cx, ACT_CASE_READ_DETAIL, id, &full) == ERR_OK) {
        char today[DATE_SIZE];
        clock_today(today);
        *age = case_survivor_age_on(&cx, &full, today);
        case_rec_free(&full);
    }
    return ERR_OK;
}

void web_screening_new(struct req *r, struct resp *w)
{
    struct case_view v;
    const struct screening_catalog *cat = NULL;
    int age;
    enum err e = screening_case(r, page_id(r), &v, &cat, &age);
    if (e != ERR_OK) {
        page_fail(r, w, e);
    } else {
        struct layout *l = xcalloc(1, sizeof *l);
        struct checklist cl;
        layout_make(cat, l);
        memset(&cl, 0, sizeof cl);
        /* Her known age answers the first question, as the domain would. */
        if (age >= 0)
            cl.adult = age >= 18 ? "true" : "false";
        screening_page(r, w, &v, l, &cl, NULL, false);
        free(l);
    }
    case_view_free(&v);
}

/* The screening input from the checklist: every ticked code. */
static void screening_input(const struct layout *l, const struct checklist *cl,
                            struct screening_in *in)
{
    in->nindicators = 0;
    for (size_t k = 0; k < l->n; k++)
        if (cl->ticked[l->order[k]])
            in->indicators[in->nindicators++] = screening_catalog_at(l->cat, l->order[k])->code;
    for (int i = 0; i < screening_fields.n; i++)
        if (screening_fields.fields[i].type == FT_INDICATORS)
            fields_mark(&screening_fields, in, i, false);
}

static void screening_post(struct req *r, struct resp *w, bool resumed)
{
    struct ctx cx = page_ctx(r);
    struct case_view v;
    const struct screening_catalog *cat = NULL;
    struct screening_in in;
    struct screening_rec out;
    struct fielderrs fe = {0};
    struct checklist cl;
    const char *id = page_id(r);
    int age;

    memset(&out, 0, sizeof out);
    enum err e = screening_case(r, id, &v, &cat, &age);
    if (e != ERR_OK) {
        page_fail(r, w, e);
        case_view_free(&v);
        return;
    }
    struct layout *l = xcalloc(1, sizeof *l);
    layout_make(cat, l);
    checklist_from_form(r, l, &cl);
    const char *go = req_form(r, "go");
    if (resumed || (req_form(r, "send") == NULL && go != NULL)) {
        /* Another part: nothing is saved yet. */
        if (!resumed && strcmp(go, "back") == 0 && cl.part > 0)
            cl.part--;
        else if (!resumed && strcmp(go, "next") == 0 && cl.part + 1 < l->nparts)
            cl.part++;
        screening_page(r, w, &v, l, &cl, NULL, false);
        goto out;
    }
    screening_in_init(&in);
    form_fields(r, &screening_fields, &in, &fe);
    screening_input(l, &cl, &in);
    e = fe.n > 0 ? ERR_VALIDATION : screening_add(&cx, id, &in, &out, &fe);
    switch (e) {
    case ERR_OK: {
        struct buf to = {0};
        buf_puts(&to, "/cases/");
        url_encode(&to, id);
        buf_puts(&to, "?ok=screening#screenings");
        resp_redirect(w, to.p);
        buf_free(&to);
        break;
    }
    case ERR_VALIDATION:
        w->status = 422;
        screening_page(r, w, &v, l, &cl, &fe, false);
        break;
    case ERR_CONFLICT:
        w->status = 409;
        screening_page(r, w, &v, l, &cl, NULL, true);
        break;
    default:
        page_fail(r, w, e);
        break;
    }
out:
    free(l);
    screening_rec_free(&out);
    case_view_free(&v);
}

void web_screening_create(struct req *r, struct resp *w)
{
    screening_post(r, w, false);
}

void web_screening_create_resume(struct req *r, struct resp *w)
{
    screening_post(r, w, true);
}
