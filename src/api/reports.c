/* GET /api/v1/reports/indicators (API.md "Reports, exports, audit"): the
 * donor indicators of domain/report.h as JSON (report_json, which cbpn
 * report --format json prints too). */
#include <jansson.h>
#include <string.h>

#include "api/handlers.h"
#include "api/json_io.h"
#include "domain/report.h"
#include "domain/report_out.h"

void api_report_indicators(struct req *r, struct resp *w)
{
    struct ctx cx;
    struct fielderrs fe = {0};
    if (!api_ctx(r, w, &cx))
        return;
    struct report_query q = {req_query(r, "from"), req_query(r, "to"), req_query(r, "district")};
    struct report rep;
    enum err e = report_indicators(&cx, &q, &rep, &fe);
    if (e != ERR_OK) {
        api_error(w, e, &fe);
        return;
    }
    resp_json(w, 200, report_json(&rep));
    report_free(&rep);
}
