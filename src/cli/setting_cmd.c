/* cbpn setting: read or change the deployment's settings. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "domain/settings.h"

static const char *const SETTING_USAGE =
    "usage: cbpn setting --db FILE|URI [--key KEYFILE] [NAME [VALUE]]\n"
    "Without NAME, lists every setting with its value; with NAME, prints its\n"
    "value; with VALUE, changes it (a whole number within its bounds; the\n"
    "change is audited). Every server of the deployment reads the new value\n"
    "at once.\n";

int cmd_setting(int argc, char **argv)
{
    static const struct option opts[] = {{"db", required_argument, NULL, 'd'},
                                         {"key", required_argument, NULL, 'k'},
                                         {"help", no_argument, NULL, 'h'},
                                         {0, 0, 0, 0}};
    const char *db = NULL, *key = NULL;
    int o;
    optind = 1;
    while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (o == 'd')
            db = optarg;
        else if (o == 'k')
            key = optarg;
        else {
            fputs(SETTING_USAGE, o == 'h' ? stdout : stderr);
            return o == 'h' ? 0 : 2;
        }
    }
    int rest = argc - optind;
    if (db == NULL || rest > 2) {
        fputs(SETTING_USAGE, stderr);
        return 2;
    }
    int which = rest > 0 ? setting_parse(argv[optind]) : -1;
    if (rest > 0 && which < 0) {
        fprintf(stderr, "cbpn: no setting %s (cbpn setting --db DB lists them)\n", argv[optind]);
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
    struct ctx cx = {.db = store_conn(app.store), .key = app.key, .local_operator = true};
    int status = 0;
    if (rest == 2) {
        struct fielderrs fe = {0};
        const struct setting_def *d = setting_def((enum setting)which);
        enum err e = setting_set(&cx, (enum setting)which, argv[optind + 1], &fe);
        if (e == ERR_VALIDATION) {
            fprintf(stderr, "cbpn: %s takes a whole number from %d to %d\n", d->name, d->min,
                    d->max);
            status = 1;
        } else if (e != ERR_OK) {
            fprintf(stderr, "cbpn: cannot change %s: %s\n", d->name, err_message(e));
            status = 1;
        }
    }
    for (int s = 0; s < SETTING__MAX && status == 0; s++) {
        if (rest > 0 && s != which)
            continue;
        const struct setting_def *d = setting_def((enum setting)s);
        if (rest > 0)
            printf("%d\n", setting_get(&cx, (enum setting)s));
        else
            printf("%s = %d  (%d..%d, default %d: %s)\n", d->name,
                   setting_get(&cx, (enum setting)s), d->min, d->max, d->dflt, d->what);
    }
    cli_close(&app);
    return status;
}
