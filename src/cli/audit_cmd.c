/* cbpn audit verify. */
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "cli/cli.h"

static const char *const AUDIT_USAGE =
    "usage: cbpn audit verify --db FILE|URI [--key KEYFILE]\n"
    "Checks the audit log's hash chain from its first entry to its head.\n"
    "Exit 0 when it is intact; 1, naming the first bad entry, when an entry\n"
    "was altered, removed, inserted or reordered.\n";

int cmd_audit(int argc, char **argv)
{
    static const struct option opts[] = {{"db", required_argument, NULL, 'd'},
                                         {"key", required_argument, NULL, 'k'},
                                         {"help", no_argument, NULL, 'h'},
                                         {0, 0, 0, 0}};
    const char *db = NULL, *key = NULL;
    int o;
    if (argc < 2 || strcmp(argv[1], "verify") != 0) {
        bool help = argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0);
        fputs(AUDIT_USAGE, help ? stdout : stderr);
        return help ? 0 : 2;
    }
    argc--, argv++;
    optind = 1;
    while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (o == 'd')
            db = optarg;
        else if (o == 'k')
            key = optarg;
        else {
            fputs(AUDIT_USAGE, o == 'h' ? stdout : stderr);
            return o == 'h' ? 0 : 2;
        }
    }
    if (db == NULL || optind != argc) {
        fputs(AUDIT_USAGE, stderr);
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
    bool ok = false;
    int64_t entries = 0, first_bad = 0;
    enum err e = audit_verify(store_conn(app.store), &ok, &entries, &first_bad);
    cli_close(&app);
    if (e != ERR_OK) {
        fprintf(stderr, "cbpn: cannot read the audit log: %s\n", err_message(e));
        return 1;
    }
    if (!ok) {
        printf("audit chain BROKEN at entry %" PRId64 " (%" PRId64 " entries read)\n", first_bad,
               entries);
        return 1;
    }
    printf("audit chain intact: %" PRId64 " entries\n", entries);
    return 0;
}
