/* A real temporary store for the domain tests: a new SQLite database with
 * the gazetteer, a data key, one NGO with two groups (Puok commune in Puok,
 * a commune of Kralanh), a second NGO with one group, and helpers that make
 * users and actors through the domain functions. Header-only: each test
 * program includes it once. */
#ifndef CBPN_TESTS_DOMAIN_FIXTURE_H
#define CBPN_TESTS_DOMAIN_FIXTURE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "domain/ctx.h"
#include "domain/network.h"
#include "domain/place.h"
#include "domain/screening.h"
#include "domain/users.h"
#include "util/log.h"

#define PUOK_COMMUNE    "170710"
#define PUOK_CHAS       "17071001"
#define KRALANH_COMMUNE "170601"
#define KRALANH_VILLAGE "17060101"

struct fx {
    char dir[64];
    char db[96];
    char keypath[96];
    struct store *st;
    struct datakey *key;
    struct places *places;
    struct screening_catalog *screening; /* the built-in indicators */
    struct ctx op;                       /* the local operator */
    char org[ID_SIZE];
    char org2[ID_SIZE];
    char porg[ID_SIZE];   /* a service provider */
    char group1[ID_SIZE]; /* Puok commune, org */
    char group2[ID_SIZE]; /* Kralanh, org */
    char group3[ID_SIZE]; /* Puok Chas, org2 */
    int serial;           /* for unique usernames */
};

static void fx_group(struct fx *f, const char *name, const char *loc, const char *org,
                     char out[ID_SIZE])
{
    struct group_in gi = {name, loc, org};
    struct group_rec g = {0};
    struct fielderrs fe = {0};
    assert_int_equal(group_create(&f->op, &gi, &g, &fe), ERR_OK);
    memcpy(out, g.id, ID_SIZE);
    group_rec_free(&g);
}

static void fx_org(struct fx *f, const char *name, const char *kind, char out[ID_SIZE])
{
    struct org_rec o = {0};
    struct fielderrs fe = {0};
    assert_int_equal(org_create(&f->op, name, kind, NULL, &o, &fe), ERR_OK);
    memcpy(out, o.id, ID_SIZE);
    org_rec_free(&o);
}

static int fx_setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    char *msg = NULL;
    assert_non_null(f);
    assert_true(crypto_init());
    log_quiet(1);
    snprintf(f->dir, sizeof f->dir, "/tmp/cbpn-test-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->db, sizeof f->db, "%s/t.db", f->dir);
    snprintf(f->keypath, sizeof f->keypath, "%s/t.db.key", f->dir);
    assert_int_equal(store_open(f->db, true, &f->st, &msg), ERR_OK);
    assert_int_equal(datakey_create(f->keypath, &msg), ERR_OK);
    assert_int_equal(datakey_load(f->keypath, &f->key, &msg), ERR_OK);
    struct store_conn *c = store_conn(f->st);
    assert_non_null(c);
    assert_int_equal(store_begin(c), ERR_OK);
    if (places_import(c, &msg) != ERR_OK)
        fail_msg("gazetteer: %s", msg != NULL ? msg : "?");
    assert_int_equal(store_commit(c), ERR_OK);
    assert_int_equal(places_load(c, &f->places), ERR_OK);
    if (screening_catalog_load(&f->screening, &msg) != ERR_OK)
        fail_msg("screening catalog: %s", msg != NULL ? msg : "?");
    f->op =
        (struct ctx){c, f->key, NULL, f->places, .screening = f->screening, .local_operator = true};
    fx_org(f, "Crisis centre", "ngo", f->org);
    fx_org(f, "Another NGO", "ngo", f->org2);
    fx_org(f, "Legal aid", "provider", f->porg);
    fx_group(f, "Group 1", PUOK_COMMUNE, f->org, f->group1);
    fx_group(f, "Group 2", KRALANH_COMMUNE, f->org, f->group2);
    fx_group(f, "Group 3", PUOK_CHAS, f->org2, f->group3);
    *state = f;
    return 0;
}

static int fx_teardown(void **state)
{
    struct fx *f = *state;
    char p[128];
    if (f == NULL)
        return 0;
    places_free(f->places);
    screening_catalog_free(f->screening);
    datakey_free(f->key);
    store_close(f->st);
    const char *files[] = {"t.db", "t.db-wal", "t.db-shm", "t.db-journal", "t.db.key"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        snprintf(p, sizeof p, "%s/%s", f->dir, files[i]);
        unlink(p);
    }
    rmdir(f->dir);
    free(f);
    return 0;
}

/* Makes a user through user_create and an actor for her (actor_free it). */
static void fx_actor(struct fx *f, const char *role, const char *org, const char *group,
                     struct actor *a)
{
    char name[32];
    struct fielderrs fe = {0};
    snprintf(name, sizeof name, "%s%d", role, ++f->serial);
    struct user_in in = {name, "correct horse battery", role, NULL, org, group, NULL, NULL};
    memset(a, 0, sizeof *a);
    assert_int_equal(user_create(&f->op, &in, &a->user, &fe), ERR_OK);
    assert_true(role_parse(role, &a->role));
}

static struct ctx fx_ctx(struct fx *f, const struct actor *a)
{
    return (struct ctx){
        .db = f->op.db, .key = f->key, .actor = a, .places = f->places, .screening = f->screening};
}

#endif
