/* cbpn audit verify, cbpn audit rotate-key. */
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "cli/cli.h"
#include "util/alloc.h"

static const char *const AUDIT_USAGE =
    "usage: cbpn audit verify --db FILE|URI [--key KEYFILE] [--head HEADFILE]...\n"
    "                         [--head-dir DIR]\n"
    "       cbpn audit rotate-key --db FILE|URI [--key KEYFILE]\n"
    "verify checks the audit log from its first entry to its head: every\n"
    "entry's hash and its MAC under the audit key (KEYFILE.audit, beside the\n"
    "data key), and that the log reaches every signed head: those given with\n"
    "--head, or else every KEYFILE.head.* beside the data key or in --head-dir\n"
    "(one per server).\n"
    "Exit 0 when it is intact; 1, naming the first bad entry, when an entry\n"
    "was altered, removed, inserted or reordered, or the tail was cut.\n"
    "rotate-key adds a new audit key to KEYFILE.audit: servers started after\n"
    "it append with the new key; the old ones stay in the file to verify what\n"
    "they made.\n";

/* The signed heads: the files given, or those found beside the key. */
static bool load_heads(const struct auditkeys *k, const char *keypath, char **given, size_t ngiven,
                       struct audit_head **heads, size_t *n)
{
    char **found = NULL;
    size_t nfound = 0;
    if (ngiven == 0 && audit_heads_find(keypath, &found, &nfound) != ERR_OK) {
        fprintf(stderr, "cbpn: cannot list the folder of %s\n", keypath);
        return false;
    }
    char **paths = ngiven ? given : found;
    size_t np = ngiven ? ngiven : nfound;
    bool ok = true;
    *heads = np ? xcalloc(np, sizeof(**heads)) : NULL;
    *n = 0;
    for (size_t i = 0; i < np; i++) {
        char *msg = NULL;
        if (audit_head_read(k, paths[i], &(*heads)[*n], &msg) != ERR_OK) {
            printf("audit head BAD: %s\n", msg);
            ok = false;
        } else {
            printf("signed head %s: entry %" PRId64 " at %s (server %s)\n", paths[i],
                   (*heads)[*n].seq, (*heads)[*n].at, (*heads)[*n].server);
            (*n)++;
        }
        free(msg);
    }
    for (size_t i = 0; i < nfound; i++)
        free(found[i]);
    free(found);
    if (np == 0)
        printf("no signed head found beside %s: a cut tail would not show\n", keypath);
    return ok;
}

static int rotate(const char *keypath)
{
    char *path = auditkeys_path_for(keypath), *msg = NULL;
    char id[AUDIT_KEY_ID_SIZE];
    enum err e = auditkeys_rotate(path, id, &msg);
    if (e != ERR_OK)
        fprintf(stderr, "cbpn: %s\n", msg ? msg : "cannot rotate the audit key");
    else
        printf("new audit key %s in %s: restart the servers (and copy the file to each)\n", id,
               path);
    free(msg);
    free(path);
    return e == ERR_OK ? 0 : 1;
}

int cmd_audit(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, 'd'},   {"key", required_argument, NULL, 'k'},
        {"head", required_argument, NULL, 'H'}, {"head-dir", required_argument, NULL, 'D'},
        {"help", no_argument, NULL, 'h'},       {0, 0, 0, 0}};
    const char *db = NULL, *key = NULL, *head_dir = NULL;
    char **given = NULL;
    size_t ngiven = 0;
    int o;
    if (argc < 2 || (strcmp(argv[1], "verify") != 0 && strcmp(argv[1], "rotate-key") != 0)) {
        bool help = argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0);
        fputs(AUDIT_USAGE, help ? stdout : stderr);
        return help ? 0 : 2;
    }
    bool verify = strcmp(argv[1], "verify") == 0;
    argc--, argv++;
    optind = 1;
    while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (o == 'd') {
            db = optarg;
        } else if (o == 'k') {
            key = optarg;
        } else if (o == 'D' && verify) {
            head_dir = optarg;
        } else if (o == 'H' && verify) {
            given = xrealloc(given, (ngiven + 1) * sizeof(*given));
            given[ngiven++] = optarg;
        } else {
            free(given);
            fputs(AUDIT_USAGE, o == 'h' ? stdout : stderr);
            return o == 'h' ? 0 : 2;
        }
    }
    if (db == NULL || optind != argc) {
        free(given);
        fputs(AUDIT_USAGE, stderr);
        return 2;
    }
    char *keypath = cli_key_path(db, key);
    if (keypath == NULL) {
        free(given);
        return 2;
    }
    if (!verify) {
        int rc = rotate(keypath);
        free(keypath);
        return rc;
    }
    struct app app;
    bool opened = cli_open(db, keypath, &app);
    struct audit_head *heads = NULL;
    size_t nheads = 0;
    char *base = cli_head_base(keypath, head_dir);
    bool heads_ok = opened && load_heads(app.audit_keys, base, given, ngiven, &heads, &nheads);
    free(base);
    free(keypath);
    free(given);
    if (!opened)
        return 1;
    struct audit_check chk;
    enum err e = audit_verify_full(store_conn(app.store), app.audit_keys, heads, nheads, &chk);
    free(heads);
    cli_close(&app);
    if (e != ERR_OK) {
        fprintf(stderr, "cbpn: cannot read the audit log: %s\n", err_message(e));
        return 1;
    }
    if (!chk.ok) {
        printf("audit chain BROKEN at entry %" PRId64 " (%" PRId64 " entries read; %s)\n",
               chk.first_bad, chk.entries,
               strcmp(chk.why, "truncated") == 0     ? "entries cut from the end"
               : strcmp(chk.why, "signed_head") == 0 ? "not the entry a signed head names"
               : strcmp(chk.why, "head") == 0        ? "the chain does not end at its head"
                                                     : "altered, removed, inserted or moved");
        return 1;
    }
    if (!heads_ok) {
        printf("audit chain intact: %" PRId64 " entries, but a head file is bad\n", chk.entries);
        return 1;
    }
    printf("audit chain intact: %" PRId64 " entries, %" PRId64 " signed head%s\n", chk.entries,
           chk.heads, chk.heads == 1 ? "" : "s");
    return 0;
}
