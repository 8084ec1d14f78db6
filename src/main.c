/* cbpn: the case, referral and safe-migration system of a Community-Based
 * Protection Network. One binary: the server and every command. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "crypto/crypto.h"
#include "util/alloc.h"

static const struct {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} commands[] = {
    {"init", cmd_init, "create a database and its data key"},
    {"user", cmd_user, "add a user (cbpn user add ...)"},
    {"demo", cmd_demo, "create the Siem Reap demo network"},
    {"serve", cmd_serve, "serve the web app and the JSON API"},
    {"audit", cmd_audit, "verify the audit log's chain (cbpn audit verify ...)"},
    {"migrate", cmd_migrate, "copy a deployment into another database and check the copy"},
    {"setting", cmd_setting, "read or change a setting (referral follow-up days, ...)"},
    {"agencies", cmd_agencies, "import the ministry's list of licensed agencies"},
    {"key", cmd_key, "rotate the data key, or wrap it with a passphrase (cbpn key ...)"},
    {"backup", cmd_backup, "write an encrypted backup while the servers run"},
    {"restore", cmd_restore, "check a backup, then restore it into a new database"},
    {"retention", cmd_retention, "erase identities of closed cases past the retention period"},
    {"report", cmd_report, "write the donor report's indicators (csv, xlsx or json)"},
    {"export", cmd_export, "write the de-identified incident export (cbpn export incidents ...)"},
    {"report-cells", cmd_report_cells, "rebuild the report's maintained aggregates"},
};

static int help(FILE *out, int status)
{
    fputs("usage: cbpn COMMAND [OPTIONS]   (cbpn COMMAND --help for its options)\n\n", out);
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        fprintf(out, "  %-8s %s\n", commands[i].name, commands[i].summary);
    fputs("\nExit status: 0 success, 1 failure, 2 usage.\n", out);
    return status;
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return help(stderr, 2);
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0)
        return help(stdout, 0);
    /* Every JSON value (request bodies, answers, stored documents: names,
     * phones, passwords) is wiped when jansson frees it. Before any JSON. */
    json_set_alloc_funcs(malloc, wipe_free);
    if (!crypto_init()) {
        fprintf(stderr, "cbpn: libsodium cannot start\n");
        return 1;
    }
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "cbpn: unknown command '%s'\n", argv[1]);
    return help(stderr, 2);
}
