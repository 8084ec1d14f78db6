/* GET /api/v1/reports/indicators.csv, .xlsx; GET /api/v1/exports/cases.csv,
 * .xlsx; GET /api/v1/exports/incident-recorder.xlsx. */
#include <string.h>

#include "api/handlers.h"
#include "api/json_io.h"
#include "domain/export.h"
#include "domain/report_out.h"

/* A 200 answer of the spreadsheet in b, downloaded as name. */
static void send_sheet(struct resp *w, bool csv, const char *name, struct buf *b)
{
    resp_attachment(w, csv ? CSV_TYPE : XLSX_TYPE, name, b);
}

static void report_sheet_answer(struct req *r, struct resp *w, bool csv)
{
    struct ctx cx;
    struct fielderrs fe = {0};
    struct buf b = {0};
    if (!api_ctx(r, w, &cx))
        return;
    struct report_query q = {req_query(r, "from"), req_query(r, "to"), req_query(r, "district")};
    enum err e = report_sheet(&cx, &q, csv, r->lang, &b, &fe);
    if (e != ERR_OK) {
        buf_free(&b);
        api_error(w, e, &fe);
        return;
    }
    send_sheet(w, csv, csv ? "indicators.csv" : "indicators.xlsx", &b);
}

void api_report_csv(struct req *r, struct resp *w)
{
    report_sheet_answer(r, w, true);
}

void api_report_xlsx(struct req *r, struct resp *w)
{
    report_sheet_answer(r, w, false);
}

static void cases_answer(struct req *r, struct resp *w, enum export_format f)
{
    struct ctx cx;
    struct fielderrs fe = {0};
    struct buf b = {0};
    struct export_stats st;
    if (!api_ctx(r, w, &cx))
        return;
    struct export_query q = {req_query(r, "from"), req_query(r, "to")};
    enum err e = export_incidents(&cx, &q, f, &b, &st, &fe);
    if (e != ERR_OK) {
        buf_free(&b);
        api_error(w, e, &fe);
        return;
    }
    char k[64];
    export_stats_header(&st, k, sizeof k);
    resp_header(w, "X-K-Anonymity", k);
    send_sheet(w, f == EXPORT_CSV, f == EXPORT_CSV ? "incidents.csv" : "incidents.xlsx", &b);
}

void api_export_cases_csv(struct req *r, struct resp *w)
{
    cases_answer(r, w, EXPORT_CSV);
}

void api_export_cases_xlsx(struct req *r, struct resp *w)
{
    cases_answer(r, w, EXPORT_XLSX);
}

void api_export_recorder(struct req *r, struct resp *w)
{
    struct ctx cx;
    struct fielderrs fe = {0};
    struct buf b = {0};
    size_t rows;
    if (!api_ctx(r, w, &cx))
        return;
    struct export_query q = {req_query(r, "from"), req_query(r, "to")};
    enum err e = export_recorder(&cx, &q, &b, &rows, &fe);
    if (e != ERR_OK) {
        buf_free(&b);
        api_error(w, e, &fe);
        return;
    }
    send_sheet(w, false, "incident-recorder.xlsx", &b);
}
