/* cbpn retention run: erase the identities of closed cases older than the
 * retention period (domain/erase.h). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "domain/erase.h"

static const char *const RETENTION_USAGE =
    "usage: cbpn retention run --db FILE|URI [--key KEYFILE] [--dry-run]\n"
    "Erases the identity and every free text of each closed case whose latest\n"
    "closure is older than the retention period (cbpn setting retention.years,\n"
    "5 by default); its codes, dates and figures stay for the statistics. Each\n"
    "erasure is audited with the local operator as its author. Runs in short\n"
    "transactions, so the server may keep serving. --dry-run only counts.\n"
    "Prints counts only. Exit status: 0 done, 1 a case could not be erased or\n"
    "the database failed, 2 usage.\n";

int cmd_retention(int argc, char **argv)
{
    static const struct option opts[] = {{"db", required_argument, NULL, 'd'},
                                         {"key", required_argument, NULL, 'k'},
                                         {"dry-run", no_argument, NULL, 'n'},
                                         {"help", no_argument, NULL, 'h'},
                                         {0, 0, 0, 0}};
    const char *db = NULL, *key = NULL;
    bool dry = false;
    int o;
    if (argc < 2 || strcmp(argv[1], "run") != 0) {
        bool help = argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0);
        fputs(RETENTION_USAGE, help ? stdout : stderr);
        return help ? 0 : 2;
    }
    argc--, argv++;
    optind = 1;
    while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (o == 'd')
            db = optarg;
        else if (o == 'k')
            key = optarg;
        else if (o == 'n')
            dry = true;
        else {
            fputs(RETENTION_USAGE, o == 'h' ? stdout : stderr);
            return o == 'h' ? 0 : 2;
        }
    }
    if (db == NULL || optind != argc) {
        fputs(RETENTION_USAGE, stderr);
        return 2;
    }
    struct app app;
    struct ctx cx;
    int rc0 = cli_open_operator(db, key, &app, &cx);
    if (rc0 >= 0)
        return rc0;
    struct retention_counts n;
    enum err e = retention_run(&cx, dry, &n);
    printf("retention: %d years\n", n.years);
    printf("eligible: %d\n", n.eligible);
    printf("erased: %d\n", n.erased);
    if (n.failed > 0)
        printf("failed: %d\n", n.failed);
    if (!n.settled)
        fputs("cbpn: the write-ahead log could not be emptied (a reader held it); the erased "
              "pages stay in it until the next checkpoint\n",
              stderr);
    if (!n.vacuumed)
        fputs("cbpn: VACUUM did not run; autovacuum will reclaim the old row versions\n", stderr);
    if (e != ERR_OK && n.failed == 0)
        fprintf(stderr, "cbpn: retention run failed: %s\n", err_message(e));
    cli_close(&app);
    return e == ERR_OK ? 0 : 1;
}
