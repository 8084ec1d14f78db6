/* auth/session: sign-in, the sign-in limit, session lookup and timeouts,
 * sign-out; against a real store in a temporary directory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "audit_fixture.h"
#include "tmpdir.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit/audit.h"
#include "auth/session.h"
#include "auth/totp.h"
#include "domain/sealed.h"
#include "domain/totp.h"
#include "util/log.h"

#define PASSWORD "correct horse battery"
#define ADDR     "192.0.2.10"

/* Argon2id hashes are slow on purpose: one for the whole run. */
static char pw_hash[PASSWORD_HASH_SIZE];

struct fixture {
    char dir[TMPDIR_SIZE];
    struct store *st;
    struct store_conn *c;
    struct datakey *key;
    char rep_id[ID_SIZE];
    char cw_id[ID_SIZE];
    char inactive_id[ID_SIZE];
};

static void add_user(struct store_conn *c, const char *username, const char *role, bool active,
                     char id[ID_SIZE])
{
    struct user_rec u;
    memset(&u, 0, sizeof u);
    crypto_random_id(u.id);
    snprintf(u.username, sizeof u.username, "%s", username);
    snprintf(u.role, sizeof u.role, "%s", role);
    u.display_name = (char *)(uintptr_t)username;
    snprintf(u.locale, sizeof u.locale, "en");
    u.active = active;
    clock_rfc3339(clock_now(), u.created_at);
    memcpy(u.updated_at, u.created_at, TS_SIZE);
    u.version = 1;
    assert_int_equal(store_user_insert(c, &u, pw_hash), ERR_OK);
    memcpy(id, u.id, ID_SIZE);
}

static int group_setup(void **state)
{
    (void)state;
    return crypto_password_hash(PASSWORD, pw_hash) == ERR_OK ? 0 : -1;
}

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    char path[128], *msg = NULL;
    if (!tmpdir_make(f->dir))
        return -1;
    snprintf(path, sizeof path, "%s/key", f->dir);
    if (datakey_create(path, &msg) != ERR_OK || datakey_load(path, &f->key, &msg) != ERR_OK)
        return -1;
    snprintf(path, sizeof path, "%s/cbpn.db", f->dir);
    if (store_open(path, true, &f->st, &msg) != ERR_OK) {
        fprintf(stderr, "store_open: %s\n", msg ? msg : "?");
        free(msg);
        return -1;
    }
    f->c = store_conn(f->st);
    if (f->c == NULL)
        return -1;
    add_user(f->c, "rep1", "representative", true, f->rep_id);
    add_user(f->c, "caseworker1", "caseworker", true, f->cw_id);
    add_user(f->c, "gone", "caseworker", false, f->inactive_id);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    store_close(f->st);
    datakey_free(f->key);
    tmpdir_remove(f->dir);
    free(f);
    return 0;
}

static enum err login(struct fixture *f, const char *user, const char *pw, const char *addr,
                      enum session_kind kind, char token[TOKEN_SIZE])
{
    struct actor a;
    enum err e = auth_login(f->c, f->key, user, pw, addr, kind, token, &a);
    actor_free(&a);
    return e;
}

/* A failure written straight to the store, as auth_login would write it. */
static void add_failure(struct fixture *f, const char *username, const char *addr, int64_t at)
{
    char uk[KEYED_HASH_SIZE], ak[KEYED_HASH_SIZE];
    crypto_keyed_hash(f->key, "login_user", username, uk);
    crypto_keyed_hash(f->key, "login_addr", addr, ak);
    assert_int_equal(store_login_failure_add(f->c, uk, ak, at), ERR_OK);
}

static void test_login_ok(void **state)
{
    struct fixture *f = *state;
    char token[TOKEN_SIZE];
    struct actor a;
    assert_int_equal(auth_login(f->c, f->key, "rep1", PASSWORD, ADDR, SESSION_API, token, &a),
                     ERR_OK);
    assert_int_equal(strlen(token), 43);
    assert_string_equal(a.user.id, f->rep_id);
    assert_string_equal(a.user.username, "rep1");
    assert_int_equal(a.role, ROLE_REPRESENTATIVE);
    assert_int_equal(strlen(a.csrf), 43);
    unsigned char h[32];
    crypto_token_hash(token, h);
    assert_memory_equal(a.token_hash, h, 32);

    /* only the hash is kept */
    struct session_rec s;
    assert_int_equal(store_session_get(f->c, h, &s), ERR_OK);
    assert_string_equal(s.user_id, f->rep_id);
    assert_string_equal(s.kind, "api");
    assert_string_equal(s.csrf, a.csrf);
    assert_true(s.created_at <= clock_now() && s.created_at > clock_now() - 60);

    struct actor b;
    assert_int_equal(auth_session(f->c, token, SESSION_API, &b), ERR_OK);
    assert_string_equal(b.user.id, f->rep_id);
    assert_int_equal(b.role, ROLE_REPRESENTATIVE);
    assert_string_equal(b.csrf, a.csrf);
    assert_memory_equal(b.token_hash, h, 32);
    actor_free(&b);
    actor_free(&a);
    actor_free(NULL);

    /* two sign-ins, two sessions */
    char token2[TOKEN_SIZE];
    assert_int_equal(login(f, "rep1", PASSWORD, ADDR, SESSION_WEB, token2), ERR_OK);
    assert_string_not_equal(token, token2);
}

static void test_same_answer_for_every_bad_credential(void **state)
{
    struct fixture *f = *state;
    char token[TOKEN_SIZE];
    int64_t t0 = clock_mono_ms();
    assert_int_equal(login(f, "rep1", "wrong password!", ADDR, SESSION_API, token),
                     ERR_UNAUTHENTICATED);
    int64_t t1 = clock_mono_ms();
    assert_int_equal(login(f, "nobody", PASSWORD, ADDR, SESSION_API, token), ERR_UNAUTHENTICATED);
    int64_t t2 = clock_mono_ms();
    assert_int_equal(login(f, "gone", PASSWORD, ADDR, SESSION_API, token), ERR_UNAUTHENTICATED);
    assert_int_equal(login(f, "rep1", "", ADDR, SESSION_API, token), ERR_UNAUTHENTICATED);
    assert_int_equal(login(f, "", "", ADDR, SESSION_API, token), ERR_UNAUTHENTICATED);
    assert_int_equal(token[0], '\0');
    /* an unknown user costs an Argon2id verification too (loose bound) */
    assert_true((t2 - t1) * 3 >= (t1 - t0));
}

static void test_user_limit(void **state)
{
    struct fixture *f = *state;
    char token[TOKEN_SIZE];
    for (int i = 0; i < LOGIN_MAX_PER_USER; i++)
        assert_int_equal(login(f, "rep1", "wrong password!", ADDR, SESSION_API, token),
                         ERR_UNAUTHENTICATED);
    /* the right password too, from anywhere, in any letter case */
    assert_int_equal(login(f, "rep1", PASSWORD, ADDR, SESSION_API, token), ERR_RATE_LIMITED);
    assert_int_equal(login(f, "rep1", PASSWORD, "198.51.100.7", SESSION_WEB, token),
                     ERR_RATE_LIMITED);
    assert_int_equal(login(f, "REP1", PASSWORD, "198.51.100.7", SESSION_API, token),
                     ERR_RATE_LIMITED);
    /* another user from the same address is not locked */
    assert_int_equal(login(f, "caseworker1", PASSWORD, ADDR, SESSION_API, token), ERR_OK);
}

static void test_user_limit_window_passes(void **state)
{
    struct fixture *f = *state;
    char token[TOKEN_SIZE];
    int64_t old = clock_now() - LOGIN_WINDOW_SECONDS - 60;
    for (int i = 0; i < LOGIN_MAX_PER_USER; i++)
        add_failure(f, "rep1", ADDR, old);
    assert_int_equal(login(f, "rep1", PASSWORD, ADDR, SESSION_API, token), ERR_OK);
    /* four recent failures still let her in */
    for (int i = 0; i < LOGIN_MAX_PER_USER - 1; i++)
        add_failure(f, "rep1", ADDR, clock_now() - 10);
    assert_int_equal(login(f, "rep1", PASSWORD, ADDR, SESSION_API, token), ERR_OK);
    add_failure(f, "rep1", ADDR, clock_now() - 10);
    assert_int_equal(login(f, "rep1", PASSWORD, ADDR, SESSION_API, token), ERR_RATE_LIMITED);
}

static void test_address_limit(void **state)
{
    struct fixture *f = *state;
    char token[TOKEN_SIZE], name[32];
    int64_t now = clock_now();
    /* 48 failures across usernames, one more through auth_login: 49 */
    for (int i = 0; i < LOGIN_MAX_PER_ADDR - 2; i++) {
        snprintf(name, sizeof name, "guess%d", i);
        add_failure(f, name, ADDR, now - 5);
    }
    assert_int_equal(login(f, "guess-last", "x", ADDR, SESSION_API, token), ERR_UNAUTHENTICATED);
    assert_int_equal(login(f, "rep1", PASSWORD, ADDR, SESSION_API, token), ERR_OK);
    /* the 50th locks the address, for every username */
    assert_int_equal(login(f, "guess-more", "x", ADDR, SESSION_API, token), ERR_UNAUTHENTICATED);
    assert_int_equal(login(f, "rep1", PASSWORD, ADDR, SESSION_API, token), ERR_RATE_LIMITED);
    assert_int_equal(login(f, "caseworker1", PASSWORD, ADDR, SESSION_WEB, token), ERR_RATE_LIMITED);
    /* another address is not */
    assert_int_equal(login(f, "rep1", PASSWORD, "203.0.113.5", SESSION_API, token), ERR_OK);
}

static void test_session_refusals(void **state)
{
    struct fixture *f = *state;
    struct actor a;
    char token[TOKEN_SIZE], other[TOKEN_SIZE];
    assert_int_equal(login(f, "rep1", PASSWORD, ADDR, SESSION_API, token), ERR_OK);

    /* an API token is no cookie session, and the other way round */
    assert_int_equal(auth_session(f->c, token, SESSION_WEB, &a), ERR_UNAUTHENTICATED);
    assert_int_equal(auth_session(f->c, token, SESSION_API, &a), ERR_OK); /* not removed */
    actor_free(&a);
    char web[TOKEN_SIZE];
    assert_int_equal(login(f, "rep1", PASSWORD, ADDR, SESSION_WEB, web), ERR_OK);
    assert_int_equal(auth_session(f->c, web, SESSION_API, &a), ERR_UNAUTHENTICATED);
    assert_int_equal(auth_session(f->c, web, SESSION_WEB, &a), ERR_OK);
    actor_free(&a);

    crypto_token(other);
    assert_int_equal(auth_session(f->c, other, SESSION_API, &a), ERR_UNAUTHENTICATED);
    assert_int_equal(auth_session(f->c, NULL, SESSION_API, &a), ERR_UNAUTHENTICATED);
    assert_int_equal(auth_session(f->c, "", SESSION_API, &a), ERR_UNAUTHENTICATED);
    assert_int_equal(auth_session(f->c, "short", SESSION_API, &a), ERR_UNAUTHENTICATED);
    token[42] = token[42] == 'A' ? 'B' : 'A';
    assert_int_equal(auth_session(f->c, token, SESSION_API, &a), ERR_UNAUTHENTICATED);
}

/* A session row written with chosen times, for a token we know. */
static void plant_session(struct fixture *f, const char *user_id, int64_t created,
                          int64_t last_seen, char token[TOKEN_SIZE], unsigned char hash[32])
{
    struct session_rec s;
    memset(&s, 0, sizeof s);
    crypto_token(token);
    crypto_token_hash(token, hash);
    memcpy(s.token_hash, hash, 32);
    memcpy(s.user_id, user_id, ID_SIZE);
    snprintf(s.kind, sizeof s.kind, "api");
    crypto_token(s.csrf);
    s.created_at = created;
    s.last_seen = last_seen;
    assert_int_equal(store_session_insert(f->c, &s), ERR_OK);
}

static void test_idle_timeout(void **state)
{
    struct fixture *f = *state;
    struct actor a;
    struct session_rec s;
    char token[TOKEN_SIZE];
    unsigned char h[32];
    int64_t now = clock_now();

    plant_session(f, f->rep_id, now - 3600, now - SESSION_IDLE_SECONDS - 1, token, h);
    assert_int_equal(auth_session(f->c, token, SESSION_API, &a), ERR_UNAUTHENTICATED);
    assert_int_equal(store_session_get(f->c, h, &s), ERR_NOT_FOUND); /* removed */

    /* just inside the idle limit: accepted, and last_seen moves */
    plant_session(f, f->rep_id, now - 3600, now - SESSION_IDLE_SECONDS + 60, token, h);
    assert_int_equal(auth_session(f->c, token, SESSION_API, &a), ERR_OK);
    assert_string_equal(a.user.id, f->rep_id);
    actor_free(&a);
    assert_int_equal(store_session_get(f->c, h, &s), ERR_OK);
    assert_true(s.last_seen >= now);
}

static void test_absolute_timeout(void **state)
{
    struct fixture *f = *state;
    struct actor a;
    struct session_rec s;
    char token[TOKEN_SIZE];
    unsigned char h[32];
    int64_t now = clock_now();

    /* busy all day: still ends after 12 hours */
    plant_session(f, f->rep_id, now - SESSION_MAX_SECONDS - 1, now - 5, token, h);
    assert_int_equal(auth_session(f->c, token, SESSION_API, &a), ERR_UNAUTHENTICATED);
    assert_int_equal(store_session_get(f->c, h, &s), ERR_NOT_FOUND);

    plant_session(f, f->rep_id, now - SESSION_MAX_SECONDS + 120, now - 5, token, h);
    assert_int_equal(auth_session(f->c, token, SESSION_API, &a), ERR_OK);
    actor_free(&a);
}

static void test_inactive_user_session(void **state)
{
    struct fixture *f = *state;
    struct actor a;
    char token[TOKEN_SIZE];
    unsigned char h[32];
    int64_t now = clock_now();
    plant_session(f, f->inactive_id, now - 10, now - 10, token, h);
    assert_int_equal(auth_session(f->c, token, SESSION_API, &a), ERR_UNAUTHENTICATED);
}

static void test_logout(void **state)
{
    struct fixture *f = *state;
    struct actor a, b;
    char token[TOKEN_SIZE], keep[TOKEN_SIZE];
    assert_int_equal(auth_login(f->c, f->key, "rep1", PASSWORD, ADDR, SESSION_WEB, token, &a),
                     ERR_OK);
    assert_int_equal(login(f, "rep1", PASSWORD, ADDR, SESSION_WEB, keep), ERR_OK);
    assert_int_equal(auth_logout(f->c, a.token_hash), ERR_OK);
    assert_int_equal(auth_session(f->c, token, SESSION_WEB, &b), ERR_UNAUTHENTICATED);
    assert_int_equal(auth_logout(f->c, a.token_hash), ERR_OK); /* already gone */
    /* her other session lives on */
    assert_int_equal(auth_session(f->c, keep, SESSION_WEB, &b), ERR_OK);
    actor_free(&b);
    actor_free(&a);
}

/* Sign-ins are audited with ids and codes, never the username typed. */
static void test_audited(void **state)
{
    struct fixture *f = *state;
    char token[TOKEN_SIZE];
    struct actor a;
    assert_int_equal(login(f, "rep1", "wrong password!", ADDR, SESSION_API, token),
                     ERR_UNAUTHENTICATED);
    assert_int_equal(login(f, "someone-unknown", "x", ADDR, SESSION_API, token),
                     ERR_UNAUTHENTICATED);
    assert_int_equal(auth_login(f->c, f->key, "rep1", PASSWORD, ADDR, SESSION_API, token, &a),
                     ERR_OK);
    assert_int_equal(auth_logout(f->c, a.token_hash), ERR_OK);
    actor_free(&a);

    struct audit_rec *items = NULL;
    size_t n = 0;
    assert_int_equal(store_audit_range(f->c, 0, 100, &items, &n), ERR_OK);
    assert_int_equal(n, 4);
    assert_string_equal(items[0].action, "login_failed");
    assert_string_equal(items[0].record_type, "user");
    assert_string_equal(items[0].record_id, f->rep_id);
    assert_string_equal(items[1].action, "login_failed");
    assert_string_equal(items[1].record_id, "");
    assert_string_equal(items[2].action, "login");
    assert_string_equal(items[2].user_id, f->rep_id);
    assert_string_equal(items[2].record_id, f->rep_id);
    assert_string_equal(items[3].action, "logout");
    for (size_t i = 0; i < n; i++) {
        const struct audit_rec *r = &items[i];
        const char *fields[] = {r->user_id, r->record_id, r->detail ? r->detail : ""};
        for (size_t j = 0; j < 3; j++) {
            assert_null(strstr(fields[j], "rep1"));
            assert_null(strstr(fields[j], "someone"));
            assert_null(strstr(fields[j], ADDR));
        }
    }
    audit_list_free(items, n);

    bool ok = false;
    int64_t entries = 0, bad = -1;
    assert_int_equal(audit_verify(f->c, &ok, &entries, &bad), ERR_OK);
    assert_true(ok);
    assert_int_equal(entries, 4);
    assert_int_equal(bad, 0);
}

/* Gives user_id a confirmed TOTP secret, sealed as the domain seals it;
 * returns the secret's bytes in secret. */
static void add_totp(struct fixture *f, const char *user_id,
                     unsigned char secret[TOTP_SECRET_BYTES])
{
    struct ctx cx = {.db = f->c, .key = f->key};
    for (int i = 0; i < TOTP_SECRET_BYTES; i++)
        secret[i] = (unsigned char)(i * 7 + 3);
    char *b32 = totp_base32(secret, TOTP_SECRET_BYTES);
    assert_non_null(b32);
    struct totp_rec t;
    memset(&t, 0, sizeof t);
    snprintf(t.user_id, sizeof t.user_id, "%s", user_id);
    sealed_seal(&cx, SEALED_USER_TOTP, user_id, b32, &t.secret);
    t.confirmed = true;
    clock_rfc3339(clock_now(), t.created_at);
    assert_int_equal(store_totp_put(f->c, &t), ERR_OK);
    totp_rec_free(&t);
    free(b32);
}

static enum err login_code(struct fixture *f, const char *user, const char *code, bool *enrol_only)
{
    struct ctx cx = {.db = f->c, .key = f->key};
    struct login_factor lf;
    struct actor a;
    char token[TOKEN_SIZE];
    totp_login_factor(&cx, code, &lf);
    enum err e = auth_login_factor(f->c, f->key, user, PASSWORD, ADDR, SESSION_API, &lf, token, &a);
    if (enrol_only != NULL)
        *enrol_only = a.enrol_only;
    actor_free(&a);
    return e;
}

/* A confirmed TOTP: no code, a wrong code and a used code are refused
 * (totp_required); the current code once. */
static void test_login_totp(void **state)
{
    struct fixture *f = *state;
    unsigned char secret[TOTP_SECRET_BYTES];
    char token[TOKEN_SIZE], code[TOTP_DIGITS + 1], other[TOTP_DIGITS + 1];
    add_totp(f, f->cw_id, secret);
    time_t now = (time_t)clock_now();
    assert_true(totp_code(secret, sizeof secret, now, code));
    assert_true(totp_code(secret, sizeof secret, now + 10 * TOTP_STEP_SECONDS, other));

    /* Without a factor at all (auth_login): refused all the same. */
    assert_int_equal(login(f, "caseworker1", PASSWORD, ADDR, SESSION_API, token),
                     ERR_TOTP_REQUIRED);
    assert_int_equal(login_code(f, "caseworker1", NULL, NULL), ERR_TOTP_REQUIRED);
    assert_int_equal(login_code(f, "caseworker1", "", NULL), ERR_TOTP_REQUIRED);
    assert_int_equal(login_code(f, "caseworker1", other, NULL), ERR_TOTP_REQUIRED);
    bool enrol_only = true;
    assert_int_equal(login_code(f, "caseworker1", code, &enrol_only), ERR_OK);
    assert_false(enrol_only);
    assert_int_equal(login_code(f, "caseworker1", code, NULL), ERR_TOTP_REQUIRED);
    /* A wrong password with the right code: the plain refusal. */
    assert_int_equal(login(f, "caseworker1", "wrong password!", ADDR, SESSION_API, token),
                     ERR_UNAUTHENTICATED);
    /* The wrong and the replayed code counted (the missing ones did not):
     * with the wrong password, 3 of the 5. */
    assert_int_equal(login_code(f, "caseworker1", other, NULL), ERR_TOTP_REQUIRED);
    assert_int_equal(login_code(f, "caseworker1", other, NULL), ERR_TOTP_REQUIRED);
    assert_int_equal(login_code(f, "caseworker1", code, NULL), ERR_RATE_LIMITED);
    /* The representative has none: her sign-in asks nothing. */
    assert_int_equal(login_code(f, "rep1", NULL, NULL), ERR_OK);
}

/* A secret moved to another account does not open there. */
static void test_login_totp_moved_secret(void **state)
{
    struct fixture *f = *state;
    unsigned char secret[TOTP_SECRET_BYTES];
    char code[TOTP_DIGITS + 1];
    add_totp(f, f->cw_id, secret);
    struct totp_rec t;
    assert_int_equal(store_totp_get(f->c, f->cw_id, &t), ERR_OK);
    snprintf(t.user_id, sizeof t.user_id, "%s", f->rep_id);
    assert_int_equal(store_totp_put(f->c, &t), ERR_OK);
    totp_rec_free(&t);
    assert_true(totp_code(secret, sizeof secret, (time_t)clock_now(), code));
    log_quiet(true);
    assert_int_equal(login_code(f, "rep1", code, NULL), ERR_INTERNAL);
    log_quiet(false);
}

/* auth.totp_required: a supervisor or an admin without TOTP gets an
 * enrol_only session, kept by auth_session; other roles a full one. */
static void test_login_enrol_only(void **state)
{
    struct fixture *f = *state;
    char sup_id[ID_SIZE];
    add_user(f->c, "sup1", "supervisor", true, sup_id);
    bool enrol_only = false;
    assert_int_equal(login_code(f, "sup1", NULL, &enrol_only), ERR_OK);
    assert_false(enrol_only);
    assert_int_equal(store_meta_set(f->c, "auth.totp_required", "1"), ERR_OK);
    assert_int_equal(login_code(f, "sup1", NULL, &enrol_only), ERR_OK);
    assert_true(enrol_only);
    assert_int_equal(login_code(f, "caseworker1", NULL, &enrol_only), ERR_OK);
    assert_false(enrol_only);

    struct ctx cx = {.db = f->c, .key = f->key};
    struct login_factor lf;
    struct actor a, b;
    char token[TOKEN_SIZE];
    totp_login_factor(&cx, NULL, &lf);
    assert_int_equal(
        auth_login_factor(f->c, f->key, "sup1", PASSWORD, ADDR, SESSION_API, &lf, token, &a),
        ERR_OK);
    assert_int_equal(auth_session(f->c, token, SESSION_API, &b), ERR_OK);
    assert_true(b.enrol_only);
    actor_free(&b);
    assert_int_equal(store_session_unrestrict(f->c, a.token_hash), ERR_OK);
    assert_int_equal(auth_session(f->c, token, SESSION_API, &b), ERR_OK);
    assert_false(b.enrol_only);
    actor_free(&b);
    actor_free(&a);
}

int main(void)
{
    test_audit_keys();
    if (!crypto_init())
        return 1;
    log_quiet(1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_login_ok, setup, teardown),
        cmocka_unit_test_setup_teardown(test_same_answer_for_every_bad_credential, setup, teardown),
        cmocka_unit_test_setup_teardown(test_user_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_user_limit_window_passes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_address_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_session_refusals, setup, teardown),
        cmocka_unit_test_setup_teardown(test_idle_timeout, setup, teardown),
        cmocka_unit_test_setup_teardown(test_absolute_timeout, setup, teardown),
        cmocka_unit_test_setup_teardown(test_inactive_user_session, setup, teardown),
        cmocka_unit_test_setup_teardown(test_logout, setup, teardown),
        cmocka_unit_test_setup_teardown(test_audited, setup, teardown),
        cmocka_unit_test_setup_teardown(test_login_totp, setup, teardown),
        cmocka_unit_test_setup_teardown(test_login_totp_moved_secret, setup, teardown),
        cmocka_unit_test_setup_teardown(test_login_enrol_only, setup, teardown),
    };
    return cmocka_run_group_tests_name("session", tests, group_setup, NULL);
}
