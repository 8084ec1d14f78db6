/* cbpn report: the donor indicators to standard output (API.md "Command
 * line"); --format json prints exactly GET /api/v1/reports/indicators. */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/handlers.h"
#include "cli/cli.h"
#include "domain/report.h"

static const char *const REPORT_USAGE =
    "usage: cbpn report --db FILE|URI [--key KEYFILE] --from DATE --to DATE\n"
    "                   [--district CODE] --format csv|xlsx|json\n"
    "Prints the donor indicators for a whole calendar month, quarter or year\n"
    "(--from its first day, --to its last) and the country, or a province,\n"
    "district or commune (--district CODE), every figure protected as on the\n"
    "dashboard (counts of 1 to k-1 and what would reveal them suppressed).\n"
    "json is exactly the answer of GET /api/v1/reports/indicators; csv is\n"
    "UTF-8 with a BOM (code,dimension,category,value,suppressed). Audited.\n"
    "Exit status: 0 done, 1 failure, 2 usage or an invalid period or area.\n";

int cmd_report(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, 'd'},   {"key", required_argument, NULL, 'k'},
        {"from", required_argument, NULL, 'f'}, {"to", required_argument, NULL, 't'},
        {"district", required_argument, NULL, 'a'}, {"format", required_argument, NULL, 'o'},
        {"help", no_argument, NULL, 'h'},       {0, 0, 0, 0}};
    const char *db = NULL, *key = NULL, *from = NULL, *to = NULL, *area = NULL, *fmt = NULL;
    int o;
    optind = 1;
    while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (o) {
        case 'd': db = optarg; break;
        case 'k': key = optarg; break;
        case 'f': from = optarg; break;
        case 't': to = optarg; break;
        case 'a': area = optarg; break;
        case 'o': fmt = optarg; break;
        default:
            fputs(REPORT_USAGE, o == 'h' ? stdout : stderr);
            return o == 'h' ? 0 : 2;
        }
    }
    if (db == NULL || from == NULL || to == NULL || fmt == NULL || optind != argc ||
        (strcmp(fmt, "json") != 0 && strcmp(fmt, "csv") != 0 && strcmp(fmt, "xlsx") != 0)) {
        fputs(REPORT_USAGE, stderr);
        return 2;
    }
    char *keypath = cli_key_path(db, key);
    if (keypath == NULL)
        return 2;
    struct app app;
    bool opened = cli_open(db, keypath, &app);
    free(keypath);
    if (!opened)
        return 1;
    struct ctx cx = {.db = store_conn(app.store),
                     .key = app.key,
                     .places = app.places,
                     .local_operator = true,
                     .audit_heads = app.headbase};
    struct report_query q = {from, to, area};
    struct report rep;
    struct fielderrs fe = {0};
    enum err e = report_indicators(&cx, &q, &rep, &fe);
    int rc = 0;
    if (e == ERR_VALIDATION) {
        for (int i = 0; i < fe.n; i++)
            fprintf(stderr, "cbpn: --%s: %s\n", fe.e[i].field, fe.e[i].message);
        rc = 2;
    } else if (e != ERR_OK) {
        fprintf(stderr, "cbpn: report failed: %s\n", err_message(e));
        rc = 1;
    } else if (strcmp(fmt, "json") == 0) {
        json_t *j = json_report(&rep);
        char *s = json_dumps(j, JSON_COMPACT);
        fputs(s, stdout);
        fputc('\n', stdout);
        free(s);
        json_decref(j);
    } else {
        fprintf(stderr, "cbpn: --format %s: not built yet\n", fmt);
        rc = 1;
    }
    if (e == ERR_OK)
        report_free(&rep);
    cli_close(&app);
    return rc;
}
