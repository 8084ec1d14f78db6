/* The dashboard: GET /reports shows the donor report (domain/report.h) for
 * a whole month, quarter or year and an area (the country, a province, a
 * district or a commune), as tables and server-drawn SVG charts
 * (web/report_view.c), with links to the same figures as spreadsheets.
 * ACT_REPORT_READ only.
 *
 * The form is a GET that works without JavaScript: the kind of period and
 * which one (year, month, quarter); the area as three lists, each filled
 * once the level above is chosen and shown (a district no longer inside a
 * newly chosen province is dropped). /reports?from=&to= (the API's
 * parameters) is taken too; a period that is not a whole month, quarter or
 * year, or a place that is not of its level, is 422 with the form and the
 * problem said. */
#include "web/page.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "domain/place.h"
#include "domain/report.h"
#include "domain/report_out.h"
#include "domain/scope.h"
#include "web/report_view.h"

enum period_kind { PK_MONTH, PK_QUARTER, PK_YEAR, PK__MAX };

static const struct {
    const char *code;
    enum msg label;
} kinds[PK__MAX] = {
    [PK_MONTH] = {"month", MSG_REPORTS_KIND_MONTH},
    [PK_QUARTER] = {"quarter", MSG_REPORTS_KIND_QUARTER},
    [PK_YEAR] = {"year", MSG_REPORTS_KIND_YEAR},
};

static const enum msg month_msgs[12] = {
    MSG_MONTH_1, MSG_MONTH_2, MSG_MONTH_3, MSG_MONTH_4,  MSG_MONTH_5,  MSG_MONTH_6,
    MSG_MONTH_7, MSG_MONTH_8, MSG_MONTH_9, MSG_MONTH_10, MSG_MONTH_11, MSG_MONTH_12,
};

#define YEAR_MIN    2000
#define YEAR_MAX    2100
#define YEARS_SHOWN 10 /* the years offered: this one and the nine before */

struct period {
    enum period_kind kind;
    int year, month, quarter; /* month 1..12, quarter 1..4 (both kept for the form) */
    char from[11], to[11];
};

static const char *area_fields[3] = {"province", "district", "commune"};
static const enum place_level area_levels[3] = {PLACE_PROVINCE, PLACE_DISTRICT, PLACE_COMMUNE};
static const enum msg area_msgs[3] = {MSG_PROVINCE, MSG_DISTRICT, MSG_COMMUNE};

struct report_page {
    struct period p;
    char area[3][CODE_SIZE];
    enum msg problem; /* MSG__MAX: none */
};

static int days_in(int year, int month)
{
    static const int d[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return month == 2 && leap ? 29 : d[month - 1];
}

/* from/to of the period chosen. */
static void period_dates(struct period *p)
{
    int m0 = 1, m1 = 12;
    if (p->kind == PK_MONTH)
        m0 = m1 = p->month;
    else if (p->kind == PK_QUARTER) {
        m0 = 3 * (p->quarter - 1) + 1;
        m1 = m0 + 2;
    }
    snprintf(p->from, sizeof p->from, "%04d-%02d-01", p->year, m0);
    snprintf(p->to, sizeof p->to, "%04d-%02d-%02d", p->year, m1, days_in(p->year, m1));
}

/* A whole number of digits only, within lo..hi. */
static bool parse_int(const char *s, int lo, int hi, int *out)
{
    if (s == NULL || *s == '\0' || strlen(s) > 4)
        return false;
    int v = 0;
    for (const char *c = s; *c != '\0'; c++) {
        if (*c < '0' || *c > '9')
            return false;
        v = v * 10 + (*c - '0');
    }
    if (v < lo || v > hi)
        return false;
    *out = v;
    return true;
}

/* "YYYY-MM-DD" as numbers (the day checked against its month). */
static bool parse_date(const char *s, int *y, int *m, int *d)
{
    char ys[5], ms[3], ds[3];
    if (s == NULL || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return false;
    memcpy(ys, s, 4);
    ys[4] = '\0';
    memcpy(ms, s + 5, 2);
    ms[2] = '\0';
    memcpy(ds, s + 8, 2);
    ds[2] = '\0';
    return parse_int(ys, YEAR_MIN, YEAR_MAX, y) && parse_int(ms, 1, 12, m) &&
           parse_int(ds, 1, days_in(*y, *m), d);
}

/* from/to as the API takes them: a whole month, quarter or year. */
static bool period_from_dates(const char *from, const char *to, struct period *p)
{
    int y0, m0, d0, y1, m1, d1;
    if (!parse_date(from, &y0, &m0, &d0) || !parse_date(to, &y1, &m1, &d1) || y0 != y1 || d0 != 1 ||
        d1 != days_in(y1, m1))
        return false;
    p->year = y0;
    p->month = m0;
    p->quarter = (m0 - 1) / 3 + 1;
    if (m0 == m1)
        p->kind = PK_MONTH;
    else if (m0 == 1 && m1 == 12)
        p->kind = PK_YEAR;
    else if ((m0 - 1) % 3 == 0 && m1 == m0 + 2)
        p->kind = PK_QUARTER;
    else
        return false;
    period_dates(p);
    return true;
}

static void this_month(struct period *p)
{
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    p->kind = PK_MONTH;
    p->year = tm.tm_year + 1900;
    p->month = tm.tm_mon + 1;
    p->quarter = tm.tm_mon / 3 + 1;
    period_dates(p);
}

static int this_year(void)
{
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    return tm.tm_year + 1900;
}

/* The period asked for: the form's kind and year (month, quarter), else
 * from/to, else this month. false when what was sent is not a whole one. */
static bool read_period(const struct req *r, struct period *p)
{
    const char *kind = req_query(r, "kind");
    this_month(p);
    if (kind != NULL) {
        int k = -1;
        for (int i = 0; i < PK__MAX; i++)
            if (strcmp(kind, kinds[i].code) == 0)
                k = i;
        if (k < 0 || !parse_int(req_query(r, "year"), YEAR_MIN, YEAR_MAX, &p->year))
            return false;
        p->kind = (enum period_kind)k;
        const char *month = req_query(r, "month"), *quarter = req_query(r, "quarter");
        /* The list not used by this kind is kept as sent when it reads. */
        if (!parse_int(month, 1, 12, &p->month) && p->kind == PK_MONTH)
            return false;
        if (!parse_int(quarter, 1, 4, &p->quarter) && p->kind == PK_QUARTER)
            return false;
        period_dates(p);
        return true;
    }
    const char *from = req_query(r, "from"), *to = req_query(r, "to");
    if (from == NULL && to == NULL)
        return true;
    return period_from_dates(from, to, p);
}

/* The area's lists as sent: each a code of its level (else false); a level
 * no longer inside the one above (the province changed) is dropped. */
static bool read_area(const struct req *r, struct report_page *pg)
{
    const struct places *all = r->app != NULL ? r->app->places : NULL;
    const char *parent = "";
    bool ok = true, dropped = false;
    for (int i = 0; i < 3; i++) {
        const char *s = req_query(r, area_fields[i]);
        pg->area[i][0] = '\0';
        if (s == NULL || *s == '\0' || dropped)
            continue;
        const struct place *p = (all != NULL && strlen(s) < CODE_SIZE) ? places_get(all, s) : NULL;
        if (p == NULL || p->level != area_levels[i]) {
            ok = false;
            dropped = true;
            continue;
        }
        if (i > 0 && (parent[0] == '\0' || strcmp(p->parent, parent) != 0)) {
            dropped = true;
            continue;
        }
        memcpy(pg->area[i], p->code, strlen(p->code) + 1);
        parent = pg->area[i];
    }
    return ok;
}

static const char *area_chosen(const struct report_page *pg)
{
    for (int i = 2; i >= 0; i--)
        if (pg->area[i][0] != '\0')
            return pg->area[i];
    return NULL;
}

/* The query string of the page as chosen (already URL-encoded). */
static void page_query(struct buf *b, const struct report_page *pg)
{
    char n[16];
    buf_puts(b, "kind=");
    buf_puts(b, kinds[pg->p.kind].code);
    snprintf(n, sizeof n, "&year=%d", pg->p.year);
    buf_puts(b, n);
    snprintf(n, sizeof n, "&month=%d", pg->p.month);
    buf_puts(b, n);
    snprintf(n, sizeof n, "&quarter=%d", pg->p.quarter);
    buf_puts(b, n);
    for (int i = 0; i < 3; i++) {
        if (pg->area[i][0] == '\0')
            continue;
        buf_puts(b, "&");
        buf_puts(b, area_fields[i]);
        buf_puts(b, "=");
        url_encode(b, pg->area[i]);
    }
}

static void option(struct buf *b, const char *value, bool selected, const char *label)
{
    h_open_begin(b, "option");
    h_attr(b, "value", value);
    h_flag(b, "selected", selected);
    h_open_end(b);
    h_text(b, label);
    h_raw(b, "</option>");
}

static void select_begin(struct req *r, struct buf *b, const char *name, enum msg label)
{
    h_raw(b, "<div class=\"field\">");
    h_label(r, b, name, label, false);
    h_open(b, "select", "id", name, "name", name, H_END);
}

static void period_fields(struct req *r, struct buf *b, const struct period *p)
{
    char v[16];
    h_raw(b, "<fieldset id=\"period\"><legend>");
    h_text(b, tr(r, MSG_REPORTS_KIND));
    h_raw(b, "</legend>");
    select_begin(r, b, "kind", MSG_REPORTS_KIND_LABEL);
    for (int i = 0; i < PK__MAX; i++)
        option(b, kinds[i].code, (int)p->kind == i, tr(r, kinds[i].label));
    h_raw(b, "</select></div>");
    select_begin(r, b, "year", MSG_REPORTS_YEAR);
    int last = this_year(), first = last - (YEARS_SHOWN - 1);
    if (p->year > last)
        last = p->year;
    if (p->year < first)
        first = p->year;
    for (int y = last; y >= first; y--) {
        snprintf(v, sizeof v, "%d", y);
        option(b, v, y == p->year, v);
    }
    h_raw(b, "</select></div>");
    select_begin(r, b, "month", MSG_REPORTS_MONTH);
    for (int m = 1; m <= 12; m++) {
        snprintf(v, sizeof v, "%d", m);
        option(b, v, m == p->month, tr(r, month_msgs[m - 1]));
    }
    h_raw(b, "</select></div>");
    select_begin(r, b, "quarter", MSG_REPORTS_QUARTER);
    for (int q = 1; q <= 4; q++) {
        snprintf(v, sizeof v, "%d", q);
        char *label = text_sub(tr(r, MSG_REPORTS_QUARTER_N), v);
        option(b, v, q == p->quarter, label);
        free(label);
    }
    h_raw(b, "</select></div></fieldset>");
}

static void area_fields_html(struct req *r, struct buf *b, const struct report_page *pg)
{
    const struct places *all = r->app != NULL ? r->app->places : NULL;
    h_raw(b, "<fieldset id=\"area\"><legend>");
    h_text(b, tr(r, MSG_REPORTS_AREA));
    h_raw(b, "</legend>");
    for (int i = 0; i < 3; i++) {
        if (i > 0 && pg->area[i - 1][0] == '\0')
            break;
        const struct place **items = NULL;
        size_t n = all != NULL
                       ? places_children(all, i == 0 ? NULL : pg->area[i - 1], r->lang, &items)
                       : 0;
        select_begin(r, b, area_fields[i], area_msgs[i]);
        option(b, "", pg->area[i][0] == '\0',
               tr(r, i == 0 ? MSG_REPORTS_COUNTRY : MSG_REPORTS_TOTAL));
        for (size_t k = 0; k < n; k++)
            option(b, items[k]->code, strcmp(items[k]->code, pg->area[i]) == 0,
                   place_label(r, items[k]));
        h_raw(b, "</select></div>");
        free(items);
    }
    h_raw(b, "</fieldset>");
}

static void filter_form(struct req *r, struct buf *b, const struct report_page *pg)
{
    h_open_begin(b, "form");
    h_attr(b, "method", "get");
    h_attr(b, "action", "/reports");
    h_attr(b, "id", "report-filter");
    h_attr(b, "class", "report-filter");
    h_open_end(b);
    period_fields(r, b, &pg->p);
    area_fields_html(r, b, pg);
    h_raw(b, "<button type=\"submit\" id=\"report-show\">");
    h_text(b, tr(r, MSG_REPORTS_SHOW));
    h_raw(b, "</button></form>");
}

/* "Period: 2026-04-01 – 2026-06-30", "Area: ..." */
static void heading_lines(struct req *r, struct buf *b, const struct report_page *pg)
{
    char span[32];
    snprintf(span, sizeof span, "%s \xe2\x80\x93 %s", pg->p.from, pg->p.to);
    h_raw(b, "<p class=\"report-scope\" id=\"report-period\">");
    h_text_sub(b, tr(r, MSG_REPORTS_PERIOD_OF), span);
    h_raw(b, "</p><p class=\"report-scope\" id=\"report-area\">");
    const char *area = area_chosen(pg);
    const char *name =
        area != NULL
            ? report_cat_label(r->lang, r->app != NULL ? r->app->places : NULL, "area", area)
            : tr(r, MSG_REPORTS_COUNTRY);
    h_text_sub(b, tr(r, MSG_REPORTS_AREA_OF), name);
    h_raw(b, "</p>");
}

/* The spreadsheets of the same figures (the API's parameters). */
static void downloads(struct req *r, struct buf *b, const struct report_page *pg)
{
    static const struct {
        const char *path, *id;
        enum msg label;
    } files[] = {
        {"/reports.csv", "download-csv", MSG_REPORTS_CSV},
        {"/reports.xlsx", "download-xlsx", MSG_REPORTS_XLSX},
    };
    const char *area = area_chosen(pg);
    h_raw(b, "<nav class=\"downloads\" id=\"downloads\"");
    h_attr(b, "aria-label", tr(r, MSG_REPORTS_DOWNLOAD));
    h_raw(b, "><h2>");
    h_text(b, tr(r, MSG_REPORTS_DOWNLOAD));
    h_raw(b, "</h2><ul>");
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        struct buf u = {0};
        buf_puts(&u, files[i].path);
        buf_puts(&u, "?from=");
        buf_puts(&u, pg->p.from);
        buf_puts(&u, "&to=");
        buf_puts(&u, pg->p.to);
        if (area != NULL) {
            buf_puts(&u, "&district=");
            url_encode(&u, area);
        }
        h_raw(b, "<li>");
        h_open(b, "a", "href", u.p, "id", files[i].id, "download", "", H_END);
        h_text(b, tr(r, files[i].label));
        h_raw(b, "</a></li>");
        buf_free(&u);
    }
    h_raw(b, "</ul></nav>");
}

void web_reports(struct req *r, struct resp *w)
{
    struct ctx cx = page_ctx(r);
    if (!may(&cx, ACT_REPORT_READ)) {
        page_fail(r, w, ERR_FORBIDDEN);
        return;
    }
    struct report_page pg;
    memset(&pg, 0, sizeof pg);
    pg.problem = MSG__MAX;
    if (!read_period(r, &pg.p))
        pg.problem = MSG_REPORTS_BAD_PERIOD;
    if (!read_area(r, &pg) && pg.problem == MSG__MAX)
        pg.problem = MSG_REPORTS_BAD_AREA;
    if (pg.problem != MSG__MAX)
        this_month(&pg.p); /* the form comes back with a period it can show */

    struct report rep;
    memset(&rep, 0, sizeof rep);
    enum err e = ERR_OK;
    if (pg.problem == MSG__MAX) {
        struct fielderrs fe = {0};
        struct report_query q = {.from = pg.p.from, .to = pg.p.to, .district = area_chosen(&pg)};
        e = report_indicators(&cx, &q, &rep, &fe);
        if (e == ERR_FORBIDDEN) {
            report_free(&rep);
            page_fail(r, w, e);
            return;
        }
        if (e == ERR_VALIDATION) {
            bool area = false;
            for (int i = 0; i < fe.n && i < FIELDERRS_MAX; i++)
                area = area || strcmp(fe.e[i].field, "district") == 0;
            pg.problem = area ? MSG_REPORTS_BAD_AREA : MSG_REPORTS_BAD_PERIOD;
        }
    }

    struct buf *b = &w->body;
    struct buf self = {0};
    buf_puts(&self, "/reports?");
    page_query(&self, &pg);
    if (pg.problem != MSG__MAX)
        w->status = 422;
    else if (e != ERR_OK)
        w->status = err_status(e);
    page_begin(r, w, tr(r, MSG_REPORTS_TITLE), self.p);
    buf_free(&self);
    h_raw(b, "<div class=\"report-page\"><h1>");
    h_text(b, tr(r, MSG_REPORTS_TITLE));
    h_raw(b, "</h1>");
    if (pg.problem != MSG__MAX)
        h_raw(b, "<div class=\"error\" id=\"report-error\" role=\"alert\"><p>");
    else if (e != ERR_OK)
        h_raw(b, "<div class=\"error\" id=\"report-failed\" role=\"alert\"><p>");
    if (pg.problem != MSG__MAX || e != ERR_OK) {
        h_text(b, tr(r, pg.problem != MSG__MAX ? pg.problem : MSG_REPORTS_ERROR));
        h_raw(b, "</p></div>");
    }
    filter_form(r, b, &pg);
    if (pg.problem == MSG__MAX && e == ERR_OK) {
        const struct places *places = r->app != NULL ? r->app->places : NULL;
        heading_lines(r, b, &pg);
        if (rep.as_of[0] != '\0') {
            h_raw(b, "<p class=\"hint\" id=\"report-as-of\">");
            h_text_sub(b, tr(r, MSG_REPORTS_AS_OF), rep.as_of);
            h_raw(b, "</p>");
        }
        report_view_protection(b, r->lang, &rep);
        downloads(r, b, &pg);
        report_view_charts(b, r->lang, places, &rep);
        report_view_figures(b, r->lang, places, &rep);
    }
    h_raw(b, "</div>");
    page_end(r, w);
    report_free(&rep);
}

/* GET /reports.csv, /reports.xlsx: the page's figures as the API's
 * spreadsheets (report_sheet, audited), under the cookie session. */
static void sheet(struct req *r, struct resp *w, bool csv)
{
    struct ctx cx = page_ctx(r);
    struct fielderrs fe = {0};
    struct buf b = {0};
    struct report_query q = {req_query(r, "from"), req_query(r, "to"), req_query(r, "district")};
    enum err e = report_sheet(&cx, &q, csv, r->lang, &b, &fe);
    if (e != ERR_OK) {
        buf_free(&b);
        page_fail(r, w, e);
        return;
    }
    resp_attachment(w, csv ? CSV_TYPE : XLSX_TYPE, csv ? "indicators.csv" : "indicators.xlsx", &b);
}

void web_reports_csv(struct req *r, struct resp *w)
{
    sheet(r, w, true);
}

void web_reports_xlsx(struct req *r, struct resp *w)
{
    sheet(r, w, false);
}
