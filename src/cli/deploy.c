/* Opening and creating a deployment for the commands. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "domain/place.h"
#include "domain/screening.h"
#include "util/alloc.h"

bool cli_create(const char *db)
{
    struct stat sb;
    char *keypath = datakey_path_for(db);
    struct store *st = NULL;
    char *msg = NULL;
    bool ok = false;

    if (stat(db, &sb) == 0) {
        fprintf(stderr, "cbpn: %s already exists\n", db);
        goto out;
    }
    if (stat(keypath, &sb) == 0) {
        fprintf(stderr, "cbpn: %s already exists; move it away first\n", keypath);
        goto out;
    }
    if (store_open(db, true, &st, &msg) != ERR_OK) {
        fprintf(stderr, "cbpn: %s\n", msg ? msg : "cannot create the database");
        goto out;
    }
    struct store_conn *c = store_conn(st);
    if (c == NULL || store_begin(c) != ERR_OK) {
        fprintf(stderr, "cbpn: cannot write %s\n", db);
        goto out;
    }
    if (places_import(c, &msg) != ERR_OK) {
        store_rollback(c);
        fprintf(stderr, "cbpn: gazetteer: %s\n", msg ? msg : "import failed");
        goto out;
    }
    if (store_commit(c) != ERR_OK) {
        fprintf(stderr, "cbpn: cannot write %s\n", db);
        goto out;
    }
    if (datakey_create(keypath, &msg) != ERR_OK) {
        fprintf(stderr, "cbpn: %s\n", msg ? msg : "cannot create the data key");
        goto out;
    }
    ok = true;
out:
    store_close(st);
    if (!ok && st != NULL)
        unlink(db);
    free(msg);
    free(keypath);
    return ok;
}

bool cli_open(const char *db, struct app *app)
{
    char *msg = NULL;
    char *keypath = datakey_path_for(db);
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
        fprintf(stderr, "cbpn: cannot load the gazetteer from %s\n", db);
        goto fail;
    }
    if (screening_catalog_load(&app->screening, &msg) != ERR_OK) {
        fprintf(stderr, "cbpn: screening indicators: %s\n", msg ? msg : "cannot load them");
        goto fail;
    }
    free(keypath);
    return true;
fail:
    free(msg);
    free(keypath);
    cli_close(app);
    return false;
}

void cli_close(struct app *app)
{
    places_free(app->places);
    screening_catalog_free(app->screening);
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
