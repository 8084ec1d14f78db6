/* cbpn key: the data key ring: show it, rotate it (a new current key, then
 * everything sealed again under it, while servers run), re-seal only, and
 * wrap or unwrap it with a passphrase. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit/audit.h"
#include "cli/cli.h"
#include "domain/rekey.h"

static const char *const KEY_USAGE =
    "usage: cbpn key show|rotate|reseal|wrap|unwrap --db FILE|URI [--key KEYFILE]\n"
    "  show    the keys of the ring (ids only), which is current, whether it is wrapped\n"
    "  rotate  adds a new current key (the old ones are kept, so what they sealed and\n"
    "          old backups still open), waits for running servers to take it (they\n"
    "          reread the file within 2 seconds), then seals every value again under it\n"
    "          and wraps every case key again; servers keep running\n"
    "  reseal  the second half of rotate alone (after copying the key file to the\n"
    "          other servers of a PostgreSQL deployment, say)\n"
    "  wrap    wraps the key file with a passphrase (Argon2id): every command and the\n"
    "          server then read it from CBPN_PASSPHRASE_FILE or standard input\n"
    "  unwrap  writes the key file without a passphrase again\n"
    "A passphrase is read from the file CBPN_PASSPHRASE_FILE names, else from\n"
    "standard input; wrap reads the new one the same way.\n";

static void show(const struct datakey *k)
{
    size_t n = datakey_count(k);
    printf("data key ring: %zu key%s, %s\n", n, n == 1 ? "" : "s",
           datakey_is_wrapped(k) ? "wrapped by a passphrase" : "not wrapped");
    for (size_t i = 0; i < n; i++) {
        char id[KEY_ID_HEX];
        datakey_id_hex(k, i, id);
        printf("  %s%s%s\n", id, i + 1 == n ? "  current" : "",
               i == 0 ? "  first (keys the blind indexes)" : "");
    }
}

static int reseal(struct app *app)
{
    struct ctx cx = {.db = store_conn(app->store), .key = app->key, .local_operator = true};
    struct rekey_counts k;
    enum err e = rekey_sweep(&cx, &k);
    if (e != ERR_OK) {
        fprintf(stderr,
                "cbpn: key: the database stopped the re-sealing: %s (run cbpn key reseal "
                "again: what is done stays done)\n",
                err_message(e));
        return 1;
    }
    char id[KEY_ID_HEX], detail[160];
    datakey_id_hex(app->key, datakey_count(app->key) - 1, id);
    snprintf(detail, sizeof detail, "resealed %ld, rewrapped %ld, failed %ld", k.resealed,
             k.rewrapped, k.failed);
    if (audit_append(cx.db, "", AUDIT_UPDATE, "data_key", id, detail) != ERR_OK)
        fprintf(stderr, "cbpn: key: cannot write the audit entry\n");
    printf("sealed again under %s: %ld values; case keys wrapped again: %ld; already under it: "
           "%ld; under case keys (nothing to do): %ld; did not open: %ld\n",
           id, k.resealed, k.rewrapped, k.current, k.case_bound, k.failed);
    return k.failed > 0 ? 1 : 0;
}

static int wrap(struct datakey *k, bool on)
{
    char *pass = NULL, *msg = NULL;
    if (on) {
        pass = cli_passphrase();
        if (pass == NULL || pass[0] == '\0') {
            crypto_free_text(pass);
            fprintf(stderr, "cbpn: key: give the new passphrase in CBPN_PASSPHRASE_FILE or on "
                            "standard input\n");
            return 2;
        }
    }
    enum err e = datakey_set_passphrase(k, pass, &msg);
    crypto_free_text(pass);
    if (e != ERR_OK) {
        fprintf(stderr, "cbpn: key: %s\n", msg != NULL ? msg : "cannot write the key file");
        free(msg);
        return e == ERR_VALIDATION ? 2 : 1;
    }
    printf(on ? "the data key file is wrapped by the passphrase\n"
              : "the data key file is no longer wrapped\n");
    return 0;
}

int cmd_key(int argc, char **argv)
{
    static const struct option opts[] = {{"db", required_argument, NULL, 'd'},
                                         {"key", required_argument, NULL, 'k'},
                                         {"help", no_argument, NULL, 'h'},
                                         {0, 0, 0, 0}};
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        fputs(KEY_USAGE, stdout);
        return 0;
    }
    static const char *const verbs[] = {"show", "rotate", "reseal", "wrap", "unwrap"};
    int verb = -1;
    for (int i = 0; argc >= 2 && i < 5; i++)
        if (strcmp(argv[1], verbs[i]) == 0)
            verb = i;
    if (verb < 0) {
        fputs(KEY_USAGE, stderr);
        return 2;
    }
    const char *db = NULL, *key = NULL;
    int o;
    optind = 1;
    while ((o = getopt_long(argc - 1, argv + 1, "", opts, NULL)) != -1) {
        if (o == 'd')
            db = optarg;
        else if (o == 'k')
            key = optarg;
        else {
            fputs(KEY_USAGE, o == 'h' ? stdout : stderr);
            return o == 'h' ? 0 : 2;
        }
    }
    if (db == NULL || optind != argc - 1) {
        fputs(KEY_USAGE, stderr);
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
    int rc = 0;
    char *msg = NULL;
    switch (verb) {
    case 0:
        show(app.key);
        break;
    case 1:
        if (datakey_add(app.key, &msg) != ERR_OK) {
            fprintf(stderr, "cbpn: key: %s\n", msg != NULL ? msg : "cannot write the key file");
            free(msg);
            rc = 1;
            break;
        }
        show(app.key);
        fflush(stdout);
        sleep(3); /* running servers reread the file within 2 seconds */
        rc = reseal(&app);
        break;
    case 2:
        rc = reseal(&app);
        break;
    case 3:
    case 4:
        if (datakey_is_wrapped(app.key) == (verb == 3)) {
            fprintf(stderr, verb == 3 ? "cbpn: key: the key file is wrapped already (unwrap it "
                                        "first to change the passphrase)\n"
                                      : "cbpn: key: the key file is not wrapped\n");
            rc = 1;
            break;
        }
        rc = wrap(app.key, verb == 3);
        break;
    }
    cli_close(&app);
    return rc;
}
