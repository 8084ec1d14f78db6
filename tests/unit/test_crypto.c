/* crypto: passwords, ids, tokens, the data key, sealed fields, keyed hashes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto/crypto.h"
#include "util/log.h"

struct fixture {
    char dir[64];
    char keypath[128];
    struct datakey *key;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    char *msg = NULL;
    snprintf(f->dir, sizeof f->dir, "/tmp/cbpn-test-crypto-XXXXXX");
    if (mkdtemp(f->dir) == NULL)
        return -1;
    snprintf(f->keypath, sizeof f->keypath, "%s/db.key", f->dir);
    if (datakey_create(f->keypath, &msg) != ERR_OK ||
        datakey_load(f->keypath, &f->key, &msg) != ERR_OK)
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    datakey_free(f->key);
    unlink(f->keypath);
    rmdir(f->dir);
    free(f);
    return 0;
}

static void test_password_hash_verify(void **state)
{
    (void)state;
    char h[PASSWORD_HASH_SIZE];
    assert_int_equal(crypto_password_hash("correct horse battery", h), ERR_OK);
    assert_true(strncmp(h, "$argon2id$", 10) == 0);
    assert_true(crypto_password_verify(h, "correct horse battery"));
    assert_false(crypto_password_verify(h, "correct horse batterY"));
    assert_false(crypto_password_verify(h, ""));
    assert_false(crypto_password_verify(NULL, "x"));
    assert_false(crypto_password_verify("not a hash", "x"));

    char h2[PASSWORD_HASH_SIZE];
    assert_int_equal(crypto_password_hash("correct horse battery", h2), ERR_OK);
    assert_string_not_equal(h, h2); /* salted */
}

static void test_dummy_hash(void **state)
{
    (void)state;
    const char *d = crypto_password_dummy_hash();
    assert_non_null(d);
    assert_true(strncmp(d, "$argon2id$", 10) == 0);
    assert_ptr_equal(d, crypto_password_dummy_hash()); /* computed once */
    assert_false(crypto_password_verify(d, ""));
    assert_false(crypto_password_verify(d, "password"));
}

static void test_random_id(void **state)
{
    (void)state;
    char a[ID_SIZE], b[ID_SIZE];
    for (int n = 0; n < 200; n++) {
        crypto_random_id(a);
        crypto_random_id(b);
        assert_int_equal(strlen(a), 20);
        assert_string_not_equal(a, b);
        for (int i = 0; i < 20; i++)
            assert_true((a[i] >= 'a' && a[i] <= 'z') || (a[i] >= '2' && a[i] <= '7'));
    }
}

static void test_token(void **state)
{
    (void)state;
    char a[TOKEN_SIZE], b[TOKEN_SIZE];
    crypto_token(a);
    crypto_token(b);
    assert_int_equal(strlen(a), 43);
    assert_string_not_equal(a, b);
    for (int i = 0; i < 43; i++)
        assert_non_null(
            strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", a[i]));

    unsigned char ha[32], ha2[32], hb[32];
    crypto_token_hash(a, ha);
    crypto_token_hash(a, ha2);
    crypto_token_hash(b, hb);
    assert_memory_equal(ha, ha2, 32);
    assert_memory_not_equal(ha, hb, 32);
}

static void test_str_equal(void **state)
{
    (void)state;
    assert_true(crypto_str_equal("abc", "abc"));
    assert_true(crypto_str_equal("", ""));
    assert_false(crypto_str_equal("abc", "abd"));
    assert_false(crypto_str_equal("abc", "abcd"));
    assert_false(crypto_str_equal("abcd", "abc"));
    assert_false(crypto_str_equal("", "a"));
    assert_false(crypto_str_equal(NULL, "a"));
    assert_false(crypto_str_equal("a", NULL));
}

static void test_seal_round_trip(void **state)
{
    struct fixture *f = *state;
    const char *msg = "{\"name_km\":\"\xe1\x9e\x9f\xe1\x9e\xbb\xe1\x9e\x81\"}";
    struct blob b = {0};
    crypto_seal(f->key, "rec1", msg, strlen(msg), &b);
    assert_true(b.len == 1 + 24 + strlen(msg) + 16);
    assert_int_equal(b.p[0], 1);
    assert_null(memmem(b.p, b.len, "name_km", 7)); /* not in clear */

    char *pt = NULL;
    size_t n = 0;
    assert_true(crypto_unseal(f->key, "rec1", &b, &pt, &n));
    assert_int_equal(n, strlen(msg));
    assert_string_equal(pt, msg);
    free(pt);

    /* the same plaintext seals differently each time (random nonce) */
    struct blob b2 = {0};
    crypto_seal(f->key, "rec1", msg, strlen(msg), &b2);
    assert_int_equal(b.len, b2.len);
    assert_memory_not_equal(b.p, b2.p, b.len);
    free(b2.p);

    /* empty plaintext */
    struct blob e = {0};
    crypto_seal(f->key, "rec2", "", 0, &e);
    assert_true(crypto_unseal(f->key, "rec2", &e, &pt, &n));
    assert_int_equal(n, 0);
    assert_string_equal(pt, "");
    free(pt);
    free(e.p);
    free(b.p);
}

static void test_unseal_refuses_tampering(void **state)
{
    struct fixture *f = *state;
    const char *msg = "survivor identity";
    struct blob b = {0};
    char *pt = (char *)1;
    size_t n = 99;
    crypto_seal(f->key, "rec1", msg, strlen(msg), &b);

    /* every single flipped byte, version, nonce, ciphertext and tag alike */
    for (size_t i = 0; i < b.len; i++) {
        b.p[i] ^= 0x01;
        assert_false(crypto_unseal(f->key, "rec1", &b, &pt, &n));
        assert_null(pt);
        assert_int_equal(n, 0);
        b.p[i] ^= 0x01;
    }
    /* another record's ad */
    assert_false(crypto_unseal(f->key, "rec2", &b, &pt, &n));
    assert_false(crypto_unseal(f->key, "", &b, &pt, &n));
    /* truncated */
    struct blob t = {b.p, b.len - 1};
    assert_false(crypto_unseal(f->key, "rec1", &t, &pt, &n));
    struct blob tiny = {b.p, 10};
    assert_false(crypto_unseal(f->key, "rec1", &tiny, &pt, &n));
    struct blob none = {NULL, 0};
    assert_false(crypto_unseal(f->key, "rec1", &none, &pt, &n));

    /* another key */
    char other[160];
    char *emsg = NULL;
    struct datakey *k2 = NULL;
    snprintf(other, sizeof other, "%s/other.key", f->dir);
    assert_int_equal(datakey_create(other, &emsg), ERR_OK);
    assert_int_equal(datakey_load(other, &k2, &emsg), ERR_OK);
    assert_false(crypto_unseal(k2, "rec1", &b, &pt, &n));
    datakey_free(k2);
    unlink(other);

    /* still intact after all that */
    assert_true(crypto_unseal(f->key, "rec1", &b, &pt, &n));
    assert_string_equal(pt, msg);
    free(pt);
    free(b.p);
}

static void test_keyed_hash(void **state)
{
    struct fixture *f = *state;
    char a[KEYED_HASH_SIZE], b[KEYED_HASH_SIZE], c[KEYED_HASH_SIZE], d[KEYED_HASH_SIZE];
    crypto_keyed_hash(f->key, "login_user", "rep1", a);
    crypto_keyed_hash(f->key, "login_user", "rep1", b);
    assert_int_equal(strlen(a), 32);
    for (int i = 0; i < 32; i++)
        assert_non_null(strchr("0123456789abcdef", a[i]));
    assert_string_equal(a, b); /* deterministic */
    crypto_keyed_hash(f->key, "login_addr", "rep1", c);
    assert_string_not_equal(a, c); /* purposes are separate */
    crypto_keyed_hash(f->key, "login_user", "rep2", d);
    assert_string_not_equal(a, d);
    /* purposes sharing their first 8 chars are still separate */
    crypto_keyed_hash(f->key, "login_userX", "rep1", c);
    assert_string_not_equal(a, c);

    /* another key gives another hash */
    char other[160];
    char *emsg = NULL;
    struct datakey *k2 = NULL;
    snprintf(other, sizeof other, "%s/other.key", f->dir);
    assert_int_equal(datakey_create(other, &emsg), ERR_OK);
    assert_int_equal(datakey_load(other, &k2, &emsg), ERR_OK);
    crypto_keyed_hash(k2, "login_user", "rep1", c);
    assert_string_not_equal(a, c);
    datakey_free(k2);
    unlink(other);
}

static void test_datakey_file(void **state)
{
    struct fixture *f = *state;
    struct stat st;
    assert_int_equal(stat(f->keypath, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(st.st_size, 32);

    /* refuses to overwrite, and leaves the key as it was */
    FILE *fp = fopen(f->keypath, "rb");
    unsigned char before[32], after[32];
    assert_int_equal(fread(before, 1, 32, fp), 32);
    fclose(fp);
    char *emsg = NULL;
    assert_int_not_equal(datakey_create(f->keypath, &emsg), ERR_OK);
    assert_non_null(emsg);
    free(emsg);
    fp = fopen(f->keypath, "rb");
    assert_int_equal(fread(after, 1, 32, fp), 32);
    fclose(fp);
    assert_memory_equal(before, after, 32);

    /* mode 0600 even under a permissive umask */
    char p[160];
    snprintf(p, sizeof p, "%s/umask.key", f->dir);
    mode_t old = umask(0);
    assert_int_equal(datakey_create(p, &emsg), ERR_OK);
    umask(old);
    assert_int_equal(stat(p, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);

    /* a key others may read is refused */
    struct datakey *k = NULL;
    assert_int_equal(chmod(p, 0644), 0);
    emsg = NULL;
    assert_int_not_equal(datakey_load(p, &k, &emsg), ERR_OK);
    assert_null(k);
    assert_non_null(emsg);
    free(emsg);
    unlink(p);

    /* a file of the wrong size is refused */
    fp = fopen(p, "wb");
    fwrite("short", 1, 5, fp);
    fclose(fp);
    chmod(p, 0600);
    emsg = NULL;
    assert_int_not_equal(datakey_load(p, &k, &emsg), ERR_OK);
    assert_null(k);
    free(emsg);
    unlink(p);

    /* a missing file */
    emsg = NULL;
    assert_int_equal(datakey_load(p, &k, &emsg), ERR_NOT_FOUND);
    free(emsg);

    char *kp = datakey_path_for("/var/lib/cbpn/cbpn.db");
    assert_string_equal(kp, "/var/lib/cbpn/cbpn.db.key");
    free(kp);
    datakey_free(NULL);
}

int main(void)
{
    if (!crypto_init())
        return 1;
    log_quiet(1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_password_hash_verify),
        cmocka_unit_test(test_dummy_hash),
        cmocka_unit_test(test_random_id),
        cmocka_unit_test(test_token),
        cmocka_unit_test(test_str_equal),
        cmocka_unit_test(test_seal_round_trip),
        cmocka_unit_test(test_unseal_refuses_tampering),
        cmocka_unit_test(test_keyed_hash),
        cmocka_unit_test(test_datakey_file),
    };
    return cmocka_run_group_tests_name("crypto", tests, setup, teardown);
}
