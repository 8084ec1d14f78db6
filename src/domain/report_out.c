/* The indicators as CSV and XLSX (report_out.h). */
#include "domain/report_out.h"

#include <math.h>
#include <stdio.h>

#include "audit/audit.h"
#include "domain/check.h"
#include "domain/sheet.h"

static const char *const COLUMNS[] = {"code",  "dimension",  "category",
                                      "value", "suppressed", "label"};

/* The figure as text: "" when suppressed or absent. */
static void value_text(enum report_kind kind, const struct report_value *v, char *out, size_t size)
{
    out[0] = '\0';
    if (v->suppressed || v->absent)
        return;
    bool whole = kind == REPORT_COUNT || (kind == REPORT_MEDIAN && v->value == floor(v->value));
    snprintf(out, size, whole ? "%.0f" : "%.1f", v->value);
}

static void csv_row(struct buf *b, const char *code, const char *dim, const char *cat,
                    enum report_kind kind, const struct report_value *v)
{
    char val[48];
    value_text(kind, v, val, sizeof val);
    csv_field(b, code, true);
    csv_field(b, dim, false);
    csv_field(b, cat, false);
    csv_field(b, val, false);
    csv_field(b, v->suppressed ? "true" : "false", false);
    csv_end(b);
}

void report_csv(const struct report *r, struct buf *out)
{
    buf_puts(out, CSV_BOM);
    for (int i = 0; i < 5; i++)
        csv_field(out, COLUMNS[i], i == 0);
    csv_end(out);
    for (size_t i = 0; i < r->n; i++) {
        const struct report_ind *ind = &r->inds[i];
        csv_row(out, ind->code, "", "", ind->kind, &ind->v);
        for (size_t d = 0; d < ind->ndims; d++)
            for (size_t c = 0; c < ind->dims[d].n; c++)
                csv_row(out, ind->code, ind->dims[d].name, ind->dims[d].cats[c].code, ind->kind,
                        &ind->dims[d].cats[c].v);
    }
}

static void xlsx_row(struct xlsx *x, uint32_t row, const char *code, const char *dim,
                     const char *cat, enum report_kind kind, const struct report_value *v,
                     const char *label)
{
    xlsx_str(x, row, 0, code);
    xlsx_str(x, row, 1, dim);
    xlsx_str(x, row, 2, cat);
    if (!v->suppressed && !v->absent)
        xlsx_num(x, row, 3, kind == REPORT_COUNT ? v->value : round(v->value * 10) / 10);
    xlsx_bool(x, row, 4, v->suppressed);
    xlsx_str(x, row, 5, label);
}

enum err report_xlsx(const struct report *r, enum lang lang, struct buf *out)
{
    struct xlsx *x = xlsx_new("indicators");
    if (x == NULL)
        return ERR_INTERNAL;
    xlsx_header(x, COLUMNS, 6);
    uint32_t row = 1;
    for (size_t i = 0; i < r->n; i++) {
        const struct report_ind *ind = &r->inds[i];
        xlsx_row(x, row++, ind->code, NULL, NULL, ind->kind, &ind->v,
                 report_label(lang, ind->code));
        for (size_t d = 0; d < ind->ndims; d++)
            for (size_t c = 0; c < ind->dims[d].n; c++) {
                const struct report_cat *cat = &ind->dims[d].cats[c];
                xlsx_row(x, row++, ind->code, ind->dims[d].name, cat->code, ind->kind, &cat->v,
                         report_label(lang, cat->code));
            }
    }
    return xlsx_finish(x, out);
}

static json_t *value_json(enum report_kind kind, const struct report_value *v)
{
    json_t *o = json_object();
    if (v->suppressed || v->absent)
        json_object_set_new(o, "value", json_null());
    else if (kind == REPORT_COUNT)
        json_object_set_new(o, "value", json_integer((json_int_t)llround(v->value)));
    else
        json_object_set_new(o, "value", json_real(round(v->value * 10) / 10));
    json_object_set_new(o, "suppressed", json_boolean(v->suppressed));
    return o;
}

static json_t *series_json(const struct report_series *sr)
{
    json_t *pts = json_array();
    for (size_t i = 0; i < sr->n; i++) {
        json_t *o = value_json(REPORT_COUNT, &sr->points[i].v);
        json_object_set_new(o, "key", json_string(sr->points[i].key));
        json_array_append_new(pts, o);
    }
    return json_pack("{s:s, s:o}", "indicator", sr->indicator, "points", pts);
}

json_t *report_json(const struct report *r)
{
    json_t *inds = json_array();
    for (size_t i = 0; i < r->n; i++) {
        const struct report_ind *ind = &r->inds[i];
        json_t *o = value_json(ind->kind, &ind->v);
        json_object_set_new(o, "code", json_string(ind->code));
        json_t *bd = json_object();
        for (size_t d = 0; d < ind->ndims; d++) {
            json_t *cats = json_object();
            for (size_t c = 0; c < ind->dims[d].n; c++)
                json_object_set_new(cats, ind->dims[d].cats[c].code,
                                    value_json(ind->kind, &ind->dims[d].cats[c].v));
            json_object_set_new(bd, ind->dims[d].name, cats);
        }
        json_object_set_new(o, "breakdown", bd);
        json_array_append_new(inds, o);
    }
    json_t *trends = json_array();
    for (size_t i = 0; i < r->ntrends; i++)
        json_array_append_new(trends, series_json(&r->trends[i]));
    return json_pack("{s:s, s:s, s:o, s:i, s:s, s:o, s:o, s:o}", "from", r->from, "to", r->to,
                     "district", r->area[0] ? json_string(r->area) : json_null(), "k", r->k,
                     "as_of", r->as_of, "indicators", inds, "trends", trends, "by_area",
                     series_json(&r->by_area));
}

enum err report_sheet(const struct ctx *cx, const struct report_query *q, bool csv, enum lang lang,
                      struct buf *out, struct fielderrs *fe)
{
    struct report r;
    enum err e = report_indicators(cx, q, &r, fe);
    if (e != ERR_OK)
        return e;
    if (csv)
        report_csv(&r, out);
    else
        e = report_xlsx(&r, lang, out);
    char detail[96];
    snprintf(detail, sizeof detail, "format=%s from=%s to=%s area=%s", csv ? "csv" : "xlsx", r.from,
             r.to, r.area[0] ? r.area : "country");
    report_free(&r);
    if (e != ERR_OK)
        return e;
    return audit_append(cx->db, check_user_id(cx), AUDIT_EXPORT, "indicators", NULL, detail);
}
