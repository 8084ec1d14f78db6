/* cbpn report: the donor report's indicators (domain/report.h) to standard
 * output as CSV, XLSX or the JSON of GET /api/v1/reports/indicators. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "cli/cli.h"
#include "domain/report_out.h"

static const char *const REPORT_USAGE =
    "usage: cbpn report --db FILE|URI [--key KEYFILE] --from YYYY-MM-DD --to YYYY-MM-DD\n"
    "                   [--district CODE] --format csv|xlsx|json [--lang km|en]\n"
    "Writes every indicator of docs/reports.md for the period (a whole month,\n"
    "quarter or year) and the area (--district: a province, district or commune\n"
    "code; the country when absent) to standard output, each figure protected\n"
    "as on the API: csv (UTF-8 with a byte order mark) and xlsx with the columns\n"
    "code,dimension,category,value,suppressed (xlsx adds a label in --lang,\n"
    "Khmer by default); json is the answer of GET /api/v1/reports/indicators.\n"
    "Audited, with the local operator as its author.\n"
    "Exit status: 0 written, 1 failure (a period or area refused, the\n"
    "database), 2 usage.\n";

int cmd_report(int argc, char **argv)
{
    static const struct option opts[] = {{"db", required_argument, NULL, 'd'},
                                         {"key", required_argument, NULL, 'k'},
                                         {"from", required_argument, NULL, 'F'},
                                         {"to", required_argument, NULL, 'T'},
                                         {"district", required_argument, NULL, 'D'},
                                         {"format", required_argument, NULL, 'f'},
                                         {"lang", required_argument, NULL, 'l'},
                                         {"help", no_argument, NULL, 'h'},
                                         {0, 0, 0, 0}};
    const char *db = NULL, *key = NULL, *format = NULL, *lang = "km";
    struct report_query q = {0};
    int o;
    optind = 1;
    while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (o == 'd')
            db = optarg;
        else if (o == 'k')
            key = optarg;
        else if (o == 'F')
            q.from = optarg;
        else if (o == 'T')
            q.to = optarg;
        else if (o == 'D')
            q.district = optarg;
        else if (o == 'f')
            format = optarg;
        else if (o == 'l')
            lang = optarg;
        else {
            fputs(REPORT_USAGE, o == 'h' ? stdout : stderr);
            return o == 'h' ? 0 : 2;
        }
    }
    bool csv = format != NULL && strcmp(format, "csv") == 0;
    bool xlsx = format != NULL && strcmp(format, "xlsx") == 0;
    bool json = format != NULL && strcmp(format, "json") == 0;
    if (db == NULL || q.from == NULL || q.to == NULL || optind != argc || !(csv || xlsx || json) ||
        (strcmp(lang, "km") != 0 && strcmp(lang, "en") != 0)) {
        fputs(REPORT_USAGE, stderr);
        return 2;
    }
    struct app app;
    struct ctx cx;
    int rc0 = cli_open_operator(db, key, &app, &cx);
    if (rc0 >= 0)
        return rc0;
    enum lang lg = strcmp(lang, "en") == 0 ? LANG_EN : LANG_KM;
    struct fielderrs fe = {0};
    struct buf b = {0};
    enum err e;
    if (json) {
        struct report r;
        e = report_indicators(&cx, &q, &r, &fe);
        if (e == ERR_OK) {
            json_t *j = report_json(&r);
            char *text = json_dumps(j, JSON_COMPACT | JSON_REAL_PRECISION(15));
            buf_puts(&b, text);
            buf_putc(&b, '\n');
            free(text);
            json_decref(j);
            e = audit_append(cx.db, "", AUDIT_EXPORT, "indicators", NULL, "format=json");
            report_free(&r);
        }
    } else {
        e = report_sheet(&cx, &q, csv, lg, &b, &fe);
    }
    int status = 0;
    if (e == ERR_OK) {
        if (fwrite(b.p, 1, b.len, stdout) != b.len || fflush(stdout) != 0) {
            fputs("cbpn: cannot write to standard output\n", stderr);
            status = 1;
        }
    } else {
        for (int i = 0; i < fe.n; i++)
            fprintf(stderr, "cbpn: --%s: %s\n", fe.e[i].field, fe.e[i].message);
        if (fe.n == 0)
            fprintf(stderr, "cbpn: report failed: %s\n", err_message(e));
        status = 1;
    }
    buf_free(&b);
    cli_close(&app);
    return status;
}
