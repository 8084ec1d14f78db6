/* The dashboard's figures and charts (web/report_view.h). */
#include "web/report_view.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/place.h"
#include "web/chart.h"
#include "web/page.h"

#define SUPPRESSED_MARK "*"
#define ABSENT_MARK     "\xe2\x80\x94" /* — */

/* The groups of indicators, in the order of docs/reports.md. */
enum section {
    SEC_NETWORK,
    SEC_CAPACITY,
    SEC_AWARENESS,
    SEC_SAFE_MIGRATION,
    SEC_IDENTIFICATION,
    SEC_REFERRAL,
    SEC_CASE_MANAGEMENT,
    SEC_CASCADE,
    SEC__MAX
};

static const struct {
    const char *id;
    enum msg title;
} sections[SEC__MAX] = {
    [SEC_NETWORK] = {"network", MSG_REPORTS_SEC_NETWORK},
    [SEC_CAPACITY] = {"capacity", MSG_REPORTS_SEC_CAPACITY},
    [SEC_AWARENESS] = {"awareness", MSG_REPORTS_SEC_AWARENESS},
    [SEC_SAFE_MIGRATION] = {"safe-migration", MSG_REPORTS_SEC_SAFE_MIGRATION},
    [SEC_IDENTIFICATION] = {"identification", MSG_REPORTS_SEC_IDENTIFICATION},
    [SEC_REFERRAL] = {"referral", MSG_REPORTS_SEC_REFERRAL},
    [SEC_CASE_MANAGEMENT] = {"case-management", MSG_REPORTS_SEC_CASE_MANAGEMENT},
    [SEC_CASCADE] = {"cascade", MSG_REPORTS_SEC_CASCADE},
};

static const struct {
    const char *code;
    enum section sec;
} ind_sections[] = {
    {"groups_active", SEC_NETWORK},
    {"members", SEC_NETWORK},
    {"members_returnees", SEC_NETWORK},
    {"trainings", SEC_CAPACITY},
    {"training_participants", SEC_CAPACITY},
    {"members_trained_pct", SEC_CAPACITY},
    {"knowledge_gain", SEC_CAPACITY},
    {"outreach_sessions", SEC_AWARENESS},
    {"people_reached", SEC_AWARENESS},
    {"people_advised", SEC_SAFE_MIGRATION},
    {"regular_channel_pct", SEC_SAFE_MIGRATION},
    {"unlicensed_agency_warnings", SEC_SAFE_MIGRATION},
    {"cases_reported", SEC_IDENTIFICATION},
    {"presumed_trafficking", SEC_IDENTIFICATION},
    {"gbv_incidents", SEC_IDENTIFICATION},
    {"referrals_made", SEC_REFERRAL},
    {"referrals_accepted_pct", SEC_REFERRAL},
    {"referrals_completed_pct", SEC_REFERRAL},
    {"median_days_to_completion", SEC_REFERRAL},
    {"referrals_overdue", SEC_REFERRAL},
    {"cases_closed", SEC_CASE_MANAGEMENT},
    {"median_days_open", SEC_CASE_MANAGEMENT},
    {"cascade_trainings", SEC_CASCADE},
    {"cascade_participants", SEC_CASCADE},
};

/* An indicator the table does not know goes with the last group. */
static enum section section_of(const char *code)
{
    for (size_t i = 0; i < sizeof ind_sections / sizeof ind_sections[0]; i++)
        if (strcmp(ind_sections[i].code, code) == 0)
            return ind_sections[i].sec;
    return SEC_CASCADE;
}

/* The categories of these dimensions are codes of a code list. */
static const struct {
    const char *dim;
    enum code_list list;
} dim_lists[] = {
    {"concern", LIST_CONCERN},
    {"gbv_type", LIST_GBV_TYPE},
    {"service_type", LIST_SERVICE_TYPE},
    {"audience", LIST_AUDIENCE},
    {"topic", LIST_TOPIC},
    {"channel", LIST_CHANNEL},
    {"reason", LIST_CLOSURE_REASON},
    {"network_role", LIST_NETWORK_ROLE},
    {"sex", LIST_SEX},
    {"reporter_role", LIST_ROLE},
};

const char *report_cat_label(enum lang lang, const struct places *places, const char *dim,
                             const char *code)
{
    if (code == NULL)
        return "";
    if (dim == NULL)
        return report_label(lang, code);
    for (size_t i = 0; i < sizeof dim_lists / sizeof dim_lists[0]; i++)
        if (strcmp(dim_lists[i].dim, dim) == 0)
            return code_label_in(lang, dim_lists[i].list, code);
    if (strcmp(dim, "district") == 0 || strcmp(dim, "area") == 0) {
        const struct place *p = places != NULL ? places_get(places, code) : NULL;
        if (p == NULL)
            return code;
        const char *km = p->name_km, *latn = p->name_latn;
        if (lang == LANG_KM)
            return (km != NULL && *km != '\0') ? km : (latn != NULL ? latn : code);
        return (latn != NULL && *latn != '\0') ? latn : (km != NULL ? km : code);
    }
    if (strcmp(dim, "destination") == 0) {
        for (size_t i = 0; i < ncountries; i++)
            if (strcmp(countries[i].code, code) == 0)
                return i18n_text(lang, countries[i].name);
        return code;
    }
    return report_label(lang, code);
}

/* A figure of kind as text: whole counts, one decimal for a percentage or
 * a mean, a median whole or with its half. */
static void format_value(char out[48], enum report_kind kind, double v)
{
    switch (kind) {
    case REPORT_PCT:
        chart_format(out, 48, v, 1, " %");
        break;
    case REPORT_MEAN:
        chart_format(out, 48, v, 1, NULL);
        break;
    case REPORT_MEDIAN:
        chart_format(out, 48, v, v == (double)(long long)v ? 0 : 1, NULL);
        break;
    default:
        chart_format(out, 48, v, 0, NULL);
        break;
    }
}

static void value_cell(struct buf *b, enum lang lang, enum report_kind kind,
                       const struct report_value *v)
{
    if (v->suppressed) {
        h_raw(b, "<td class=\"num suppressed\" data-suppressed=\"1\">");
        h_open(b, "abbr", "title", i18n_text(lang, MSG_REPORTS_HIDDEN), H_END);
        h_raw(b, SUPPRESSED_MARK "</abbr></td>");
    } else if (v->absent) {
        h_raw(b, "<td class=\"num absent\">" ABSENT_MARK "</td>");
    } else {
        char s[48];
        format_value(s, kind, v->value);
        h_raw(b, "<td class=\"num\">");
        h_text(b, s);
        h_raw(b, "</td>");
    }
}

void report_view_protection(struct buf *b, enum lang lang, const struct report *rep)
{
    char k[16];
    snprintf(k, sizeof k, "%d", rep->k);
    h_raw(b, "<p class=\"hint protection\" id=\"protection\">");
    h_text_sub(b, i18n_text(lang, MSG_REPORTS_PROTECTION), k);
    h_raw(b, "</p>");
}

static void indicator_table(struct buf *b, enum lang lang, const struct places *places,
                            const struct report_ind *ind)
{
    char id[REPORT_CODE_MAX + 8];
    snprintf(id, sizeof id, "ind-%s", ind->code);
    h_open(b, "table", "class", "figures", "id", id, "data-indicator", ind->code, H_END);
    h_raw(b, "<caption>");
    h_text(b, report_label(lang, ind->code));
    h_raw(b, "</caption><tbody class=\"total\"><tr><th scope=\"row\">");
    h_text(b, i18n_text(lang, MSG_REPORTS_TOTAL));
    h_raw(b, "</th>");
    value_cell(b, lang, ind->kind, &ind->v);
    h_raw(b, "</tr></tbody>");
    for (size_t d = 0; d < ind->ndims; d++) {
        const struct report_dim *dim = &ind->dims[d];
        h_open(b, "tbody", "class", "dim", "data-dimension", dim->name, H_END);
        h_raw(b, "<tr><th scope=\"colgroup\" colspan=\"2\" class=\"dim-name\">");
        h_text(b, report_label(lang, dim->name));
        h_raw(b, "</th></tr>");
        for (size_t c = 0; c < dim->n; c++) {
            h_open(b, "tr", "data-category", dim->cats[c].code, H_END);
            h_raw(b, "<th scope=\"row\">");
            h_text(b, report_cat_label(lang, places, dim->name, dim->cats[c].code));
            h_raw(b, "</th>");
            value_cell(b, lang, ind->kind, &dim->cats[c].v);
            h_raw(b, "</tr>");
        }
        h_raw(b, "</tbody>");
    }
    h_raw(b, "</table>");
}

void report_view_figures(struct buf *b, enum lang lang, const struct places *places,
                         const struct report *rep)
{
    for (int s = 0; s < SEC__MAX; s++) {
        bool any = false;
        for (size_t i = 0; i < rep->n && !any; i++)
            any = section_of(rep->inds[i].code) == (enum section)s;
        if (!any)
            continue;
        char id[40];
        snprintf(id, sizeof id, "sec-%s", sections[s].id);
        h_open(b, "section", "class", "indicators", "id", id, H_END);
        h_raw(b, "<h2>");
        h_text(b, i18n_text(lang, sections[s].title));
        h_raw(b, "</h2>");
        for (size_t i = 0; i < rep->n; i++)
            if (section_of(rep->inds[i].code) == (enum section)s)
                indicator_table(b, lang, places, &rep->inds[i]);
        h_raw(b, "</section>");
    }
}

static const struct report_ind *find_ind(const struct report *rep, const char *code)
{
    for (size_t i = 0; i < rep->n; i++)
        if (strcmp(rep->inds[i].code, code) == 0)
            return &rep->inds[i];
    return NULL;
}

static enum report_kind kind_of(const struct report *rep, const char *code)
{
    const struct report_ind *ind = find_ind(rep, code);
    return ind != NULL ? ind->kind : REPORT_COUNT;
}

static const enum msg month_msgs[12] = {
    MSG_MONTH_1, MSG_MONTH_2, MSG_MONTH_3, MSG_MONTH_4,  MSG_MONTH_5,  MSG_MONTH_6,
    MSG_MONTH_7, MSG_MONTH_8, MSG_MONTH_9, MSG_MONTH_10, MSG_MONTH_11, MSG_MONTH_12,
};

static void point_of(struct chart_point *p, const struct report_value *v)
{
    p->suppressed = v->suppressed;
    p->absent = v->absent;
    p->value = v->suppressed || v->absent ? 0 : v->value;
}

static void trend_chart(struct buf *b, enum lang lang, const struct report *rep,
                        const struct report_series *s)
{
    if (s->n == 0)
        return;
    struct chart_point *pts = calloc(s->n, sizeof *pts);
    char(*labels)[8] = calloc(s->n, sizeof *labels);
    char(*titles)[96] = calloc(s->n, sizeof *titles);
    char(*texts)[48] = calloc(s->n, sizeof *texts);
    if (pts == NULL || labels == NULL || titles == NULL || texts == NULL)
        goto out;
    for (size_t i = 0; i < s->n; i++) {
        const char *key = s->points[i].key;
        int y = 0, m = 0;
        if (sscanf(key, "%4d-%2d", &y, &m) == 2 && m >= 1 && m <= 12) {
            snprintf(labels[i], sizeof labels[i], "%d", m);
            snprintf(titles[i], sizeof titles[i], "%s %d", i18n_text(lang, month_msgs[m - 1]), y);
        } else {
            snprintf(labels[i], sizeof labels[i], "%.7s", key);
            snprintf(titles[i], sizeof titles[i], "%s", key);
        }
        pts[i].label = labels[i];
        pts[i].title = titles[i];
        point_of(&pts[i], &s->points[i].v);
        if (!pts[i].suppressed && !pts[i].absent) {
            format_value(texts[i], kind_of(rep, s->indicator), pts[i].value);
            pts[i].text = texts[i];
        }
    }
    char id[REPORT_CODE_MAX + 16];
    snprintf(id, sizeof id, "chart-trend-%s", s->indicator);
    char *title = text_sub(i18n_text(lang, MSG_REPORTS_TREND), report_label(lang, s->indicator));
    struct chart c = {.id = id,
                      .title = title,
                      .suppressed = i18n_text(lang, MSG_REPORTS_HIDDEN),
                      .absent = ABSENT_MARK};
    chart_columns(b, &c, pts, s->n);
    free(title);
out:
    free(pts);
    free(labels);
    free(titles);
    free(texts);
}

static void area_chart(struct buf *b, enum lang lang, const struct places *places,
                       const struct report *rep)
{
    const struct report_series *s = &rep->by_area;
    if (s->n == 0)
        return;
    struct chart_point *pts = calloc(s->n, sizeof *pts);
    char(*texts)[48] = calloc(s->n, sizeof *texts);
    if (pts == NULL || texts == NULL)
        goto out;
    for (size_t i = 0; i < s->n; i++) {
        pts[i].label = report_cat_label(lang, places, "area", s->points[i].key);
        point_of(&pts[i], &s->points[i].v);
        if (!pts[i].suppressed && !pts[i].absent) {
            format_value(texts[i], kind_of(rep, s->indicator), pts[i].value);
            pts[i].text = texts[i];
        }
    }
    char *title = text_sub(i18n_text(lang, MSG_REPORTS_BY_AREA), report_label(lang, s->indicator));
    struct chart c = {.id = "chart-by-area",
                      .title = title,
                      .suppressed = i18n_text(lang, MSG_REPORTS_HIDDEN),
                      .absent = ABSENT_MARK};
    chart_bars(b, &c, pts, s->n);
    free(title);
out:
    free(pts);
    free(texts);
}

/* Sent -> accepted -> completed: the referrals made as the whole bar, the
 * shares accepted and completed as parts of it (no count is derived). */
static void funnel_chart(struct buf *b, enum lang lang, const struct report *rep)
{
    const struct report_ind *made = find_ind(rep, "referrals_made");
    const struct report_ind *acc = find_ind(rep, "referrals_accepted_pct");
    const struct report_ind *done = find_ind(rep, "referrals_completed_pct");
    if (made == NULL || acc == NULL || done == NULL)
        return;
    struct chart_point pts[3] = {{0}};
    char texts[3][48];
    const struct report_value *vals[3] = {&made->v, &acc->v, &done->v};
    const enum msg labels[3] = {MSG_REPORTS_FUNNEL_SENT, MSG_REPORTS_FUNNEL_ACCEPTED,
                                MSG_REPORTS_FUNNEL_COMPLETED};
    for (int i = 0; i < 3; i++) {
        pts[i].label = i18n_text(lang, labels[i]);
        point_of(&pts[i], vals[i]);
        if (pts[i].suppressed || pts[i].absent)
            continue;
        format_value(texts[i], i == 0 ? REPORT_COUNT : REPORT_PCT, pts[i].value);
        pts[i].text = texts[i];
        if (i == 0)
            pts[i].value = pts[i].value > 0 ? 100 : 0;
    }
    struct chart c = {.id = "chart-funnel",
                      .title = i18n_text(lang, MSG_REPORTS_FUNNEL),
                      .suppressed = i18n_text(lang, MSG_REPORTS_HIDDEN),
                      .absent = ABSENT_MARK,
                      .max = 100};
    chart_bars(b, &c, pts, 3);
}

void report_view_charts(struct buf *b, enum lang lang, const struct places *places,
                        const struct report *rep)
{
    h_raw(b, "<section class=\"charts\" id=\"charts\"><h2>");
    h_text(b, i18n_text(lang, MSG_REPORTS_CHARTS));
    h_raw(b, "</h2>");
    for (size_t i = 0; i < rep->ntrends; i++)
        trend_chart(b, lang, rep, &rep->trends[i]);
    area_chart(b, lang, places, rep);
    funnel_chart(b, lang, rep);
    h_raw(b, "</section>");
}
