/* Opening and creating a deployment for the commands. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit/audit.h"
#include "cli/cli.h"
#include "domain/place.h"
#include "domain/reference.h"
#include "domain/screening.h"
#include "util/alloc.h"
#include "util/log.h"

char *cli_key_path(const char *db, const char *key)
{
    if (key != NULL && key[0] != '\0')
        return xstrdup(key);
    if (store_is_uri(db)) {
        fprintf(stderr, "cbpn: with a PostgreSQL database, give the data key's file: --key FILE\n");
        return NULL;
    }
    return datakey_path_for(db);
}

bool cli_create(const char *db, const char *keypath)
{
    struct stat sb;
    struct store *st = NULL;
    char *msg = NULL;
    bool ok = false, uri = store_is_uri(db);

    if (!uri && stat(db, &sb) == 0) {
        fprintf(stderr, "cbpn: %s already exists\n", db);
        goto out;
    }
    if (stat(keypath, &sb) == 0) {
        fprintf(stderr, "cbpn: %s already exists; move it away first\n", keypath);
        goto out;
    }
    /* A PostgreSQL database is made by its administrator; cbpn gives an
     * empty one its schema (and refuses one with other tables). */
    if (store_open(db, true, &st, &msg) != ERR_OK) {
        fprintf(stderr, "cbpn: %s\n", msg ? msg : "cannot create the database");
        goto out;
    }
    struct store_conn *c = store_conn(st);
    if (c != NULL && uri && store_location_count(c) > 0) {
        fprintf(stderr, "cbpn: the database is already set up; nothing done\n");
        uri = false; /* not ours to undo */
        goto out;
    }
    if (c == NULL || store_begin(c) != ERR_OK) {
        fprintf(stderr, "cbpn: cannot write the database\n");
        goto out;
    }
    if (places_import(c, &msg) != ERR_OK) {
        store_rollback(c);
        fprintf(stderr, "cbpn: gazetteer: %s\n", msg ? msg : "import failed");
        goto out;
    }
    if (store_commit(c) != ERR_OK) {
        fprintf(stderr, "cbpn: cannot write the database\n");
        goto out;
    }
    if (datakey_create(keypath, &msg) != ERR_OK) {
        fprintf(stderr, "cbpn: %s\n", msg ? msg : "cannot create the data key");
        goto out;
    }
    /* The audit keys, beside the data key: every entry is keyed from the
     * first. */
    char *ap = auditkeys_path_for(keypath);
    struct auditkeys *ak = auditkeys_generate(0);
    enum err e = auditkeys_save(ak, ap, &msg);
    auditkeys_free(ak);
    if (e != ERR_OK) {
        fprintf(stderr, "cbpn: %s\n", msg ? msg : "cannot create the audit key");
        unlink(keypath);
        free(ap);
        goto out;
    }
    free(ap);
    ok = true;
out:
    store_close(st);
    if (!ok && st != NULL && !store_is_uri(db))
        unlink(db);
    free(msg);
    return ok;
}

int cli_open_operator(const char *db, const char *key, struct app *app, struct ctx *cx)
{
    char *keypath = cli_key_path(db, key);
    if (keypath == NULL)
        return 2;
    bool opened = cli_open(db, keypath, app);
    free(keypath);
    if (!opened)
        return 1;
    *cx = (struct ctx){.db = store_conn(app->store),
                       .key = app->key,
                       .places = app->places,
                       .local_operator = true,
                       .screening = app->screening,
                       .reference = app->reference,
                       .audit_heads = app->headbase};
    return -1;
}

bool cli_open(const char *db, const char *keypath, struct app *app)
{
    char *msg = NULL;
    memset(app, 0, sizeof(*app));
    if (store_open(db, false, &app->store, &msg) != ERR_OK) {
        fprintf(stderr, "cbpn: %s\n", msg ? msg : "cannot open the database");
        goto fail;
    }
    if (!cli_load_key(keypath, &app->key))
        goto fail;
    struct store_conn *c = store_conn(app->store);
    app->keypath = xstrdup(keypath);
    app->headbase = xstrdup(keypath);
    if (c == NULL || !cli_audit_keys(c, keypath, &app->audit_keys))
        goto fail;
    if (places_load(c, &app->places) != ERR_OK) {
        fprintf(stderr, "cbpn: cannot load the gazetteer from the database\n");
        goto fail;
    }
    if (screening_catalog_load(&app->screening, &msg) != ERR_OK) {
        fprintf(stderr, "cbpn: screening indicators: %s\n", msg ? msg : "cannot load them");
        goto fail;
    }
    if (reference_load(&app->reference, &msg) != ERR_OK) {
        fprintf(stderr, "cbpn: safe-migration reference: %s\n", msg ? msg : "cannot load it");
        goto fail;
    }
    return true;
fail:
    free(msg);
    cli_close(app);
    return false;
}

char *cli_head_base(const char *keypath, const char *head_dir)
{
    if (head_dir == NULL || head_dir[0] == '\0')
        return xstrdup(keypath);
    const char *slash = strrchr(keypath, '/');
    return xasprintf("%s/%s", head_dir, slash != NULL ? slash + 1 : keypath);
}

bool cli_audit_keys(struct store_conn *c, const char *keypath, struct auditkeys **out)
{
    char *path = auditkeys_path_for(keypath), *msg = NULL;
    struct auditkeys *k = NULL;
    struct audit_head_row h;
    struct audit_rec *last = NULL;
    size_t n = 0;
    bool ok = false;
    *out = NULL;
    if (store_audit_head_read(c, &h) != ERR_OK ||
        (h.seq > 0 && store_audit_range(c, h.seq - 1, 1, &last, &n) != ERR_OK)) {
        fprintf(stderr, "cbpn: cannot read the audit log's head\n");
        goto out;
    }
    enum err e = auditkeys_load(path, &k, &msg);
    if (e == ERR_NOT_FOUND && !h.has_mac) {
        /* Upgrade: a log written before it was keyed. Its entries stay as
         * they are; those from seq h.seq + 1 on are keyed. */
        free(msg);
        msg = NULL;
        k = auditkeys_generate(h.seq);
        e = auditkeys_save(k, path, &msg);
        if (e == ERR_OK)
            log_info("audit: created the audit key file %s (mode 0600); the %lld entries "
                     "written before stay unkeyed, the next ones are keyed: copy the file "
                     "beside the data key of every other server",
                     path, (long long)h.seq);
    } else if (e == ERR_NOT_FOUND) {
        free(msg);
        msg = xasprintf("the audit key file %s is missing, and the audit log has entries made "
                        "with an audit key (id %s): copy that file from the server that made it",
                        path, n == 1 ? last[0].key_id : "?");
        e = ERR_NOT_FOUND;
    } else if (e == ERR_OK && n == 1 && last[0].has_mac && !auditkeys_has(k, last[0].key_id)) {
        msg = xasprintf("the audit key file %s does not hold the key (id %s) of the audit "
                        "log's last entry: is it this deployment's?",
                        path, last[0].key_id);
        e = ERR_VALIDATION;
    }
    if (e != ERR_OK) {
        fprintf(stderr, "cbpn: %s\n", msg ? msg : "cannot load the audit key");
        goto out;
    }
    audit_use_keys(k);
    *out = k;
    k = NULL;
    ok = true;
out:
    audit_list_free(last, n);
    auditkeys_free(k);
    free(msg);
    free(path);
    return ok;
}

void cli_close(struct app *app)
{
    if (app->store != NULL && app->audit_keys != NULL && !app->serving &&
        store_audit_commits(app->store) > 0) {
        char *path = audit_head_path(app->headbase, "cli"), *msg = NULL;
        struct store_conn *c = store_conn(app->store);
        if (c == NULL || audit_head_sign_now(c, app->audit_keys, path, "cli", &msg) != ERR_OK)
            fprintf(stderr, "cbpn: audit head: %s\n", msg ? msg : "cannot sign it");
        free(msg);
        free(path);
    }
    if (audit_keys() == app->audit_keys)
        audit_use_keys(NULL);
    auditkeys_free(app->audit_keys);
    free(app->keypath);
    free(app->headbase);
    places_free(app->places);
    screening_catalog_free(app->screening);
    reference_free(app->reference);
    datakey_free(app->key);
    store_close(app->store);
    memset(app, 0, sizeof(*app));
}

char *cli_passphrase(void)
{
    const char *path = getenv("CBPN_PASSPHRASE_FILE");
    if (path == NULL || path[0] == '\0')
        return cli_read_secret(stdin);
    FILE *f = fopen(path, "re");
    if (f == NULL) {
        fprintf(stderr, "cbpn: cannot read CBPN_PASSPHRASE_FILE %s: %s\n", path, strerror(errno));
        return NULL;
    }
    char *p = cli_read_secret(f);
    fclose(f);
    return p;
}

bool cli_load_key(const char *keypath, struct datakey **out)
{
    char *msg = NULL, *pass = NULL;
    *out = NULL;
    if (datakey_wrapped(keypath)) {
        pass = cli_passphrase();
        if (pass == NULL) {
            fprintf(stderr,
                    "cbpn: the data key %s is wrapped by a passphrase: give it on standard "
                    "input or in CBPN_PASSPHRASE_FILE\n",
                    keypath);
            return false;
        }
    }
    enum err e = datakey_load_passphrase(keypath, pass, out, &msg);
    crypto_free_text(pass);
    if (e != ERR_OK)
        fprintf(stderr, "cbpn: %s\n", msg ? msg : "cannot load the data key");
    free(msg);
    return e == ERR_OK;
}

char *cli_read_secret(FILE *in)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t n = getline(&line, &cap, in);
    if (n < 0) {
        free(line);
        return NULL;
    }
    while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
        line[--n] = '\0';
    return line;
}
