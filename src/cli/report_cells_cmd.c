/* cbpn report-cells rebuild: recompute the report's maintained aggregates
 * (table report_cell) from the records (store_report_rebuild). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "store/store.h"

static const char *const REPORT_CELLS_USAGE =
    "usage: cbpn report-cells rebuild --db FILE|URI [--key KEYFILE]\n"
    "Recomputes every cell of the report's maintained aggregates from the\n"
    "records, in one transaction (one pass per table). The servers keep the\n"
    "cells up to date themselves; this is for a bulk load or a check. Prints\n"
    "the number of cells and the time it took. Exit status: 0 done, 1 the\n"
    "database failed, 2 usage. --key is taken for symmetry with the other\n"
    "commands: the cells hold no sealed field, the key is not read.\n";

static int count_cell(void *arg, const struct report_cell_row *r)
{
    (void)r;
    (*(long long *)arg)++;
    return 0;
}

int cmd_report_cells(int argc, char **argv)
{
    static const struct option opts[] = {{"db", required_argument, NULL, 'd'},
                                         {"key", required_argument, NULL, 'k'},
                                         {"help", no_argument, NULL, 'h'},
                                         {0, 0, 0, 0}};
    const char *db = NULL;
    if (argc < 2 || strcmp(argv[1], "rebuild") != 0) {
        bool help = argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0);
        fputs(REPORT_CELLS_USAGE, help ? stdout : stderr);
        return help ? 0 : 2;
    }
    argc--, argv++;
    optind = 1;
    int o;
    while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (o == 'd') {
            db = optarg;
        } else if (o == 'k') {
            continue;
        } else {
            fputs(REPORT_CELLS_USAGE, o == 'h' ? stdout : stderr);
            return o == 'h' ? 0 : 2;
        }
    }
    if (db == NULL || optind != argc) {
        fputs(REPORT_CELLS_USAGE, stderr);
        return 2;
    }
    struct store *st = NULL;
    char *msg = NULL;
    if (store_open(db, false, &st, &msg) != ERR_OK) {
        fprintf(stderr, "cbpn: report-cells: %s\n", msg ? msg : "cannot open the database");
        free(msg);
        return 1;
    }
    struct store_conn *c = store_conn(st);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    enum err e = c != NULL ? store_report_rebuild(c) : ERR_UNAVAILABLE;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    long long cells = 0;
    if (e == ERR_OK)
        e = store_report_cells(c, count_cell, &cells);
    if (e != ERR_OK) {
        fprintf(stderr, "cbpn: report-cells: the cells could not be rebuilt\n");
        store_close(st);
        return 1;
    }
    printf("cells: %lld\n", cells);
    printf("seconds: %.3f\n",
           (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
    store_close(st);
    return 0;
}
