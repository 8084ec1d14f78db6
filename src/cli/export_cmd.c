/* cbpn export incidents: the de-identified, k-anonymous incident export
 * (domain/export.h) to standard output. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "domain/export.h"

static const char *const EXPORT_USAGE =
    "usage: cbpn export incidents --db FILE|URI [--key KEYFILE] --format csv|xlsx\n"
    "                             [--from YYYY-MM-DD] [--to YYYY-MM-DD]\n"
    "Writes the de-identified incident export to standard output: one row per\n"
    "incident whose survivor's reporting consent stands (reported between --from\n"
    "and --to when given), columns survivor_code,sex,age_band,district,\n"
    "nationality,concerns,gbv_type,screening_result,means_of_control,referrals;\n"
    "k-anonymous on sex, age_band, district, nationality and concerns (k: cbpn\n"
    "setting export.k, 11 by default), by generalising those values and then\n"
    "leaving out the rows still in groups smaller than k. CSV is UTF-8 with a\n"
    "byte order mark. Standard error says k and the share of rows withheld.\n"
    "The export is audited, with the local operator as its author.\n"
    "Exit status: 0 written, 1 failure (a bad date, the database), 2 usage.\n";

int cmd_export(int argc, char **argv)
{
    static const struct option opts[] = {{"db", required_argument, NULL, 'd'},
                                         {"key", required_argument, NULL, 'k'},
                                         {"format", required_argument, NULL, 'f'},
                                         {"from", required_argument, NULL, 'F'},
                                         {"to", required_argument, NULL, 'T'},
                                         {"help", no_argument, NULL, 'h'},
                                         {0, 0, 0, 0}};
    const char *db = NULL, *key = NULL, *format = NULL, *from = NULL, *to = NULL;
    int o;
    if (argc < 2 || strcmp(argv[1], "incidents") != 0) {
        bool help = argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0);
        fputs(EXPORT_USAGE, help ? stdout : stderr);
        return help ? 0 : 2;
    }
    argc--, argv++;
    optind = 1;
    while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (o == 'd')
            db = optarg;
        else if (o == 'k')
            key = optarg;
        else if (o == 'f')
            format = optarg;
        else if (o == 'F')
            from = optarg;
        else if (o == 'T')
            to = optarg;
        else {
            fputs(EXPORT_USAGE, o == 'h' ? stdout : stderr);
            return o == 'h' ? 0 : 2;
        }
    }
    if (db == NULL || format == NULL || optind != argc ||
        (strcmp(format, "csv") != 0 && strcmp(format, "xlsx") != 0)) {
        fputs(EXPORT_USAGE, stderr);
        return 2;
    }
    struct app app;
    struct ctx cx;
    int rc0 = cli_open_operator(db, key, &app, &cx);
    if (rc0 >= 0)
        return rc0;
    struct export_query q = {from, to};
    struct fielderrs fe = {0};
    struct export_stats st;
    struct buf b = {0};
    enum err e = export_incidents(&cx, &q, strcmp(format, "csv") == 0 ? EXPORT_CSV : EXPORT_XLSX,
                                  &b, &st, &fe);
    int status = 0;
    if (e == ERR_OK) {
        char k[64];
        export_stats_header(&st, k, sizeof k);
        if (fwrite(b.p, 1, b.len, stdout) != b.len || fflush(stdout) != 0) {
            fputs("cbpn: cannot write to standard output\n", stderr);
            status = 1;
        } else {
            fprintf(stderr, "%s; rows=%zu\n", k, st.rows - st.withheld);
        }
    } else {
        for (int i = 0; i < fe.n; i++)
            fprintf(stderr, "cbpn: --%s: %s\n", fe.e[i].field, fe.e[i].message);
        if (fe.n == 0)
            fprintf(stderr, "cbpn: export failed: %s\n", err_message(e));
        status = 1;
    }
    buf_free(&b);
    cli_close(&app);
    return status;
}
