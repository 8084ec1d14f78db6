/* Opening and creating a deployment for the commands. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "domain/place.h"
#include "domain/reference.h"
#include "domain/screening.h"
#include "util/alloc.h"

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
    ok = true;
out:
    store_close(st);
    if (!ok && st != NULL && !store_is_uri(db))
        unlink(db);
    free(msg);
    return ok;
}

bool cli_open(const char *db, const char *keypath, struct app *app)
{
    char *msg = NULL;
    memset(app, 0, sizeof(*app));
    if (store_open(db, false, &app->store, &msg) != ERR_OK) {
        fprintf(stderr, "cbpn: %s\n", msg ? msg : "cannot open the database");
        goto fail;
    }
    if (datakey_load(keypath, &app->key, &msg) != ERR_OK) {
        fprintf(stderr, "cbpn: %s\n", msg ? msg : "cannot load the data key");
        goto fail;
    }
    struct store_conn *c = store_conn(app->store);
    if (c == NULL || places_load(c, &app->places) != ERR_OK) {
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

void cli_close(struct app *app)
{
    places_free(app->places);
    screening_catalog_free(app->screening);
    reference_free(app->reference);
    datakey_free(app->key);
    store_close(app->store);
    memset(app, 0, sizeof(*app));
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
