/* POST/GET /api/v1/cases/{id}/screenings and GET /api/v1/screening-indicators. */
#include <stdlib.h>
#include <string.h>

#include "api/handlers.h"
#include "api/json_io.h"
#include "domain/screening.h"

/* JSON text kept by the store, or fallback when broken (new references). */
static json_t *stored(const char *text, json_t *fallback)
{
    json_t *j = text != NULL ? json_loads(text, 0, NULL) : NULL;
    if (j == NULL)
        return fallback;
    json_decref(fallback);
    return j;
}

json_t *json_screening(const struct screening_rec *s)
{
    return json_pack("{s:s, s:b, s:o, s:o, s:o, s:s, s:s, s:s}", "id", s->id, "adult", s->adult,
                     "indicators", stored(s->indicators, json_array()), "dimensions",
                     stored(s->dimensions, json_object()), "forced_labour_indicators",
                     stored(s->forced_labour_indicators, json_array()), "result", s->result,
                     "created_by", s->created_by, "created_at", s->created_at);
}

void api_screening_add(struct req *r, struct resp *w)
{
    struct ctx cx;
    struct fielderrs fe = {0};
    struct screening_in in;
    struct screening_rec rec = {0};
    json_t *body;

    if (!api_ctx(r, w, &cx) || (body = api_body(r, w)) == NULL)
        return;
    screening_in_init(&in);
    jin_fields(body, &screening_fields, &in, &fe);
    /* The domain decides reach before it looks at the decoder's errors. */
    enum err e = screening_add(&cx, r->params[0], &in, &rec, &fe);
    if (e == ERR_OK)
        resp_json(w, 201, json_screening(&rec));
    else
        api_error(w, e, &fe);
    screening_rec_free(&rec);
    json_decref(body);
}

void api_screening_list(struct req *r, struct resp *w)
{
    struct ctx cx;
    struct screening_rec *items = NULL;
    size_t n = 0;

    if (!api_ctx(r, w, &cx))
        return;
    enum err e = screening_list(&cx, r->params[0], &items, &n);
    if (e != ERR_OK) {
        api_error(w, e, NULL);
        return;
    }
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_screening(&items[i]));
    screening_list_free(items, n);
    resp_json(w, 200, json_list(a, NULL));
}

/* ["PhysicalAbuse", ...] from "PhysicalAbuse;SexualAbuse". */
static json_t *methods_json(const char *s)
{
    json_t *a = json_array();
    while (s != NULL && *s != '\0') {
        const char *semi = strchr(s, ';');
        size_t len = semi != NULL ? (size_t)(semi - s) : strlen(s);
        json_array_append_new(a, json_stringn(s, len));
        s = semi != NULL ? semi + 1 : NULL;
    }
    return a;
}

static json_t *json_catalog(const struct screening_catalog *c)
{
    json_t *trafficking = json_array(), *forced = json_array(), *rule = json_array();
    for (size_t i = 0; i < screening_catalog_count(c); i++) {
        const struct screening_indicator *it = screening_catalog_at(c, i);
        if (it->dimension >= 0)
            json_array_append_new(trafficking,
                                  json_pack("{s:s, s:s, s:s, s:s}", "code", it->code, "dimension",
                                            code_name(LIST_DIMENSION, it->dimension), "strength",
                                            code_name(LIST_STRENGTH, it->strength), "label_en",
                                            it->label_en));
        else
            json_array_append_new(forced, json_pack("{s:s, s:s, s:o}", "code", it->code, "label_en",
                                                    it->label_en, "htcds_methods_of_control",
                                                    methods_json(it->methods_of_control)));
    }
    for (size_t i = 0; i < screening_rule_count(c); i++) {
        const struct screening_rule_row *row = screening_rule_at(c, i);
        json_array_append_new(rule, json_pack("{s:i, s:i, s:i}", "strong", row->least[0], "medium",
                                              row->least[1], "weak", row->least[2]));
    }
    return json_pack("{s:o, s:o, s:o}", "trafficking", trafficking, "forced_labour", forced,
                     "dimension_rule", rule);
}

void api_screening_indicators(struct req *r, struct resp *w)
{
    struct ctx cx;
    const struct screening_catalog *c = NULL;

    if (!api_ctx(r, w, &cx))
        return;
    enum err e = screening_catalog_get(&cx, &c);
    if (e != ERR_OK) {
        api_error(w, e, NULL);
        return;
    }
    resp_json(w, 200, json_catalog(c));
}
