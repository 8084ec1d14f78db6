/* cbpn serve's confinement: leaving root, then the sandbox after start-up. */
#include <libgen.h>
#include <libpq-fe.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "store/store.h"
#include "util/alloc.h"
#include "util/log.h"
#include "util/priv.h"
#include "util/sandbox.h"

/* The folder of path (a new string, caller frees). */
static char *folder_of(const char *path)
{
    char *copy = xstrdup(path);
    char *d = xstrdup(dirname(copy));
    free(copy);
    return d;
}

/* The files a user must be able to use to serve db with the key at keypath:
 * the database file, its WAL files and its folder (SQLite), the key. */
static bool usable_by(const char *db, const char *keypath, uid_t uid, gid_t gid)
{
    char *why = NULL;
    bool ok = true;
    if (!store_is_uri(db)) {
        static const char *const suffixes[] = {"", "-wal", "-shm", "-journal"};
        char *dir = folder_of(db);
        ok = priv_can_use(dir, uid, gid, true, &why);
        free(dir);
        for (size_t i = 0; ok && i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
            char *p = xasprintf("%s%s", db, suffixes[i]);
            ok = priv_can_use(p, uid, gid, true, &why);
            free(p);
        }
    }
    if (ok)
        ok = priv_can_use(keypath, uid, gid, false, &why);
    if (!ok) {
        fprintf(stderr, "cbpn: %s\n", why);
        free(why);
        return false;
    }
    char *kdir = folder_of(keypath);
    if (!priv_can_use(kdir, uid, gid, true, &why)) {
        log_error("%s: the audit head file beside the key cannot be written", why);
        free(why);
    }
    free(kdir);
    return true;
}

bool cli_leave_root(const char *user, const char *db, const char *keypath)
{
    if (geteuid() != 0) {
        if (user != NULL)
            log_info("not started as root: --user %s has nothing to do", user);
        return true;
    }
    uid_t uid;
    gid_t gid;
    char *why = NULL;
    if (!priv_target(user, store_is_uri(db) ? keypath : db, &uid, &gid, &why)) {
        fprintf(stderr, "cbpn: %s\n", why);
        free(why);
        return false;
    }
    if (uid == 0) {
        log_error("running as root: the database is root's and no --user was given; "
                  "name an unprivileged user with --user NAME");
        return true;
    }
    if (!usable_by(db, keypath, uid, gid))
        return false;
    if (!priv_drop(uid, gid, &why)) {
        fprintf(stderr, "cbpn: %s\n", why);
        free(why);
        return false;
    }
    log_info("left root: running as uid %u gid %u", (unsigned)uid, (unsigned)gid);
    return true;
}

/* Threads running now (the Threads: line of /proc/self/status); 0 unknown. */
static int threads_now(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[128];
    int n = 0;
    if (f == NULL)
        return 0;
    while (fgets(line, sizeof(line), f) != NULL)
        if (strncmp(line, "Threads:", 8) == 0)
            n = atoi(line + 8);
    fclose(f);
    return n;
}

#define OWNED_MAX 12

/* The files libpq reads when it connects again: those the URI names
 * (passfile=, sslrootcert=...) and the defaults in the home folder. Each
 * is added to p and kept in owned (caller frees). */
static int libpq_files(const char *db, struct sandbox_policy *p, char **owned)
{
    static const char *const keys[] = {"passfile", "sslrootcert", "sslcert",
                                       "sslkey",   "sslcrl",      "sslcrldir"};
    int n = 0;
    PQconninfoOption *opts = PQconninfoParse(db, NULL);
    for (PQconninfoOption *o = opts; o != NULL && o->keyword != NULL; o++)
        for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]) && n < OWNED_MAX - 2; i++)
            if (strcmp(o->keyword, keys[i]) == 0 && o->val != NULL && o->val[0] != '\0') {
                owned[n] = xstrdup(o->val);
                sandbox_allow(p, owned[n++], SANDBOX_READ);
            }
    PQconninfoFree(opts);
    const char *home = getenv("HOME");
    if (home != NULL && home[0] == '/') {
        owned[n] = xasprintf("%s/.pgpass", home);
        sandbox_allow(p, owned[n++], SANDBOX_READ);
        owned[n] = xasprintf("%s/.postgresql", home);
        sandbox_allow(p, owned[n++], SANDBOX_READ);
    }
    return n;
}

bool cli_confine(void *cls, char **why)
{
    const struct cli_confinement *c = cls;
    struct sandbox_policy p = {0};
    char *owned[OWNED_MAX];
    int nowned = 0;
    char *dbdir = store_is_uri(c->db) ? NULL : folder_of(c->db);
    char *keydir = folder_of(c->keypath);
    sandbox_allow(&p, dbdir, SANDBOX_WRITE);  /* the database, its WAL and journal */
    sandbox_allow(&p, keydir, SANDBOX_WRITE); /* the key; the audit head file beside it */
    if (c->head_dir != NULL)
        sandbox_allow(&p, c->head_dir, SANDBOX_WRITE); /* the signed heads, elsewhere */
    if (store_is_uri(c->db))
        nowned = libpq_files(c->db, &p, owned);
    sandbox_allow_system(&p);
    int n = threads_now();
    if (n > 1)
        log_error("sandbox: %d threads already running: Landlock confines only the threads "
                  "started from now on (seccomp confines all)",
                  n);
    enum sandbox_landlock ll = sandbox_landlock(&p);
    free(dbdir);
    free(keydir);
    for (int i = 0; i < nowned; i++)
        free(owned[i]);
    if (ll == SANDBOX_LANDLOCK_FAILED) {
        *why = xasprintf("sandbox: Landlock is supported but could not be applied");
        return false;
    }
    if (!sandbox_seccomp(why))
        return false;
    static const char *const state[] = {
        [SANDBOX_LANDLOCK_ON] = "on",
        [SANDBOX_LANDLOCK_UNSUPPORTED] = "not supported by this kernel (seccomp only)",
        [SANDBOX_LANDLOCK_OFF] = "off (CBPN_NO_LANDLOCK=1)",
        [SANDBOX_LANDLOCK_FAILED] = "failed",
    };
    log_info("sandbox: seccomp on; landlock %s", state[ll]);
    return true;
}
