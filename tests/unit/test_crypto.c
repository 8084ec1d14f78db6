/* crypto: passwords, ids, tokens, the data key, sealed fields, keyed hashes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <sodium.h>

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
    /* version 2 | key id | nonce | ciphertext | tag */
    assert_true(b.len == 1 + 4 + 24 + strlen(msg) + 16);
    assert_int_equal(b.p[0], 2);
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
    /* "cbpn-keyring 1\n" and one line "key <8 hex> <64 hex>\n" */
    assert_int_equal(st.st_size, 15 + 78);

    /* refuses to overwrite, and leaves the key as it was */
    FILE *fp = fopen(f->keypath, "rb");
    unsigned char before[93], after[93];
    assert_int_equal(fread(before, 1, 93, fp), 93);
    fclose(fp);
    assert_memory_equal(before, "cbpn-keyring 1\nkey ", 19);
    char *emsg = NULL;
    assert_int_not_equal(datakey_create(f->keypath, &emsg), ERR_OK);
    assert_non_null(emsg);
    free(emsg);
    fp = fopen(f->keypath, "rb");
    assert_int_equal(fread(after, 1, 93, fp), 93);
    fclose(fp);
    assert_memory_equal(before, after, 93);

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

/* The whole of a file (at most 4 KiB) as a string; its length in *n. */
static char *slurp(const char *path, size_t *n)
{
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    char *b = calloc(1, 4097);
    *n = fread(b, 1, 4096, fp);
    fclose(fp);
    return b;
}

static void spit(const char *path, const void *b, size_t n)
{
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(b, 1, n, fp), n);
    fclose(fp);
    assert_int_equal(chmod(path, 0600), 0);
}

static void opens_to(const struct datakey *k, const char *ad, const struct blob *b,
                     const char *want)
{
    char *pt = NULL;
    size_t n = 0;
    assert_true(crypto_unseal(k, ad, b, &pt, &n));
    assert_string_equal(pt, want);
    free(pt);
}

static void test_keyring_rotation(void **state)
{
    struct fixture *f = *state;
    char p[160], *emsg = NULL, id0[KEY_ID_HEX], id1[KEY_ID_HEX], by[KEY_ID_HEX];
    snprintf(p, sizeof p, "%s/ring.key", f->dir);
    assert_int_equal(datakey_create(p, &emsg), ERR_OK);
    struct datakey *k = NULL, *running = NULL, *fresh = NULL;
    assert_int_equal(datakey_load(p, &k, &emsg), ERR_OK);
    assert_int_equal(datakey_load(p, &running, &emsg), ERR_OK); /* a server on the same file */
    assert_int_equal(datakey_count(k), 1);
    datakey_id_hex(k, 0, id0);
    assert_int_equal(strlen(id0), 8);
    char h0[KEYED_HASH_SIZE], h1[KEYED_HASH_SIZE];
    crypto_keyed_hash(k, "name", "sokha", h0);

    struct blob old, young;
    crypto_seal(k, "rec1", "before", 6, &old);
    assert_int_equal(old.p[0], 2);
    assert_true(crypto_sealed_by(&old, by));
    assert_string_equal(by, id0);
    assert_true(crypto_sealed_current(k, &old));

    assert_int_equal(datakey_add(k, &emsg), ERR_OK);
    assert_int_equal(datakey_count(k), 2);
    datakey_id_hex(k, 1, id1);
    assert_string_not_equal(id0, id1);
    datakey_id_hex(k, 0, by);
    assert_string_equal(by, id0); /* the old key kept, first */
    crypto_seal(k, "rec2", "after", 5, &young);
    assert_true(crypto_sealed_by(&young, by));
    assert_string_equal(by, id1);
    assert_true(crypto_sealed_current(k, &young));
    assert_false(crypto_sealed_current(k, &old));
    opens_to(k, "rec1", &old, "before");
    opens_to(k, "rec2", &young, "after");
    /* blind indexes survive a rotation: keyed by the ring's first key */
    crypto_keyed_hash(k, "name", "sokha", h1);
    assert_string_equal(h0, h1);

    /* the file as written loads with both keys */
    assert_int_equal(datakey_load(p, &fresh, &emsg), ERR_OK);
    assert_int_equal(datakey_count(fresh), 2);
    opens_to(fresh, "rec1", &old, "before");
    opens_to(fresh, "rec2", &young, "after");
    /* a server that loaded the file before the rotation opens what the new
     * key sealed: it reloads the file on meeting an id it does not hold */
    assert_int_equal(datakey_count(running), 1);
    opens_to(running, "rec2", &young, "after");
    assert_int_equal(datakey_count(running), 2);
    /* a key id nobody has */
    young.p[1] ^= 0xff;
    char *pt = NULL;
    size_t n = 0;
    assert_false(crypto_unseal(running, "rec2", &young, &pt, &n));
    young.p[1] ^= 0xff;

    datakey_free(fresh);
    datakey_free(running);
    datakey_free(k);
    free(old.p);
    free(young.p);
    unlink(p);
}

static void test_keyring_first_format(void **state)
{
    struct fixture *f = *state;
    /* The first cbpn's key file: 32 raw bytes; its blobs: version 1 |
     * nonce | ciphertext, the version byte and the record id as ad. */
    unsigned char raw[32], nonce[24], ad[6] = {1, 'r', 'e', 'c', '1', 0};
    unsigned char blob[1 + 24 + 5 + 16];
    unsigned long long clen;
    randombytes_buf(raw, sizeof raw);
    randombytes_buf(nonce, sizeof nonce);
    blob[0] = 1;
    memcpy(blob + 1, nonce, 24);
    crypto_aead_xchacha20poly1305_ietf_encrypt(blob + 25, &clen, (const unsigned char *)"Dara!", 5,
                                               ad, 5, NULL, nonce, raw);
    char p[160], *emsg = NULL, by[KEY_ID_HEX];
    snprintf(p, sizeof p, "%s/first.key", f->dir);
    spit(p, raw, sizeof raw);
    struct datakey *k = NULL;
    assert_int_equal(datakey_load(p, &k, &emsg), ERR_OK);
    assert_int_equal(datakey_count(k), 1);
    struct blob b = {blob, sizeof blob};
    assert_true(crypto_sealed_by(&b, by));
    assert_string_equal(by, "");
    opens_to(k, "rec1", &b, "Dara!");
    /* rotated, it is written in the ring format and still opens the blob */
    assert_int_equal(datakey_add(k, &emsg), ERR_OK);
    size_t n;
    char *text = slurp(p, &n);
    assert_memory_equal(text, "cbpn-keyring 1\nkey ", 19);
    free(text);
    datakey_free(k);
    assert_int_equal(datakey_load(p, &k, &emsg), ERR_OK);
    opens_to(k, "rec1", &b, "Dara!");
    datakey_free(k);
    unlink(p);
}

static void test_keyring_refuses_bad_files(void **state)
{
    struct fixture *f = *state;
    char p[160], *emsg = NULL;
    snprintf(p, sizeof p, "%s/bad.key", f->dir);
    assert_int_equal(datakey_create(p, &emsg), ERR_OK);
    size_t n;
    char *good = slurp(p, &n);
    struct datakey *k = NULL;
    const char *bad[] = {
        "cbpn-keyring 1\n",                  /* no key */
        "cbpn-keyring 2\nkey 00000000 00\n", /* another format */
        "cbpn-keyring 1 rot13 1 2 3\n",      /* an unknown wrapping */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        spit(p, bad[i], strlen(bad[i]));
        emsg = NULL;
        assert_int_not_equal(datakey_load(p, &k, &emsg), ERR_OK);
        assert_null(k);
        assert_non_null(emsg);
        free(emsg);
    }
    /* a key that does not match its id */
    char *x = strdup(good);
    x[20] = x[20] == '0' ? '1' : '0';
    spit(p, x, n);
    emsg = NULL;
    assert_int_not_equal(datakey_load(p, &k, &emsg), ERR_OK);
    assert_non_null(strstr(emsg, "id"));
    free(emsg);
    /* one key twice */
    char twice[512];
    snprintf(twice, sizeof twice, "%s%s", good, good + 15);
    spit(p, twice, strlen(twice));
    emsg = NULL;
    assert_int_not_equal(datakey_load(p, &k, &emsg), ERR_OK);
    free(emsg);
    /* the good one, for contrast */
    spit(p, good, n);
    assert_int_equal(datakey_load(p, &k, &emsg), ERR_OK);
    datakey_free(k);
    free(x);
    free(good);
    unlink(p);
}

static void test_keyring_passphrase(void **state)
{
    struct fixture *f = *state;
    char p[160], *emsg = NULL;
    snprintf(p, sizeof p, "%s/wrapped.key", f->dir);
    assert_int_equal(datakey_create(p, &emsg), ERR_OK);
    size_t n;
    char *plain = slurp(p, &n);
    char keyhex[65];
    memcpy(keyhex, plain + 15 + 13, 64);
    keyhex[64] = '\0';
    struct datakey *k = NULL, *k2 = NULL;
    assert_int_equal(datakey_load(p, &k, &emsg), ERR_OK);
    struct blob b;
    crypto_seal(k, "rec1", "Chanthou", 8, &b);

    assert_int_equal(datakey_set_passphrase(k, "too short", &emsg), ERR_VALIDATION);
    free(emsg);
    char *after = slurp(p, &n);
    assert_string_equal(after, plain); /* refused: the file unchanged */
    free(after);

    assert_int_equal(datakey_set_passphrase(k, "correct horse battery staple", &emsg), ERR_OK);
    assert_true(datakey_is_wrapped(k));
    assert_true(datakey_wrapped(p));
    char *wrapped = slurp(p, &n);
    assert_memory_equal(wrapped, "cbpn-keyring 1 argon2id ", 24);
    assert_null(strstr(wrapped, keyhex)); /* the key is not in it */
    assert_null(strstr(wrapped, "key "));

    emsg = NULL;
    assert_int_equal(datakey_load(p, &k2, &emsg), ERR_FORBIDDEN); /* no passphrase */
    assert_non_null(strstr(emsg, "passphrase"));
    free(emsg);
    emsg = NULL;
    assert_int_equal(datakey_load_passphrase(p, "correct horse battery stapler", &k2, &emsg),
                     ERR_FORBIDDEN);
    assert_null(k2);
    free(emsg);
    assert_int_equal(datakey_load_passphrase(p, "correct horse battery staple", &k2, &emsg),
                     ERR_OK);
    opens_to(k2, "rec1", &b, "Chanthou");
    datakey_free(k2);

    /* the header is bound: lower limits are not accepted unnoticed */
    char *t = strdup(wrapped);
    char *sp = strchr(t + 24, ' '); /* after opslimit */
    assert_non_null(sp);
    sp[1] = sp[1] == '1' ? '2' : '1';
    spit(p, t, n);
    emsg = NULL;
    assert_int_not_equal(datakey_load_passphrase(p, "correct horse battery staple", &k2, &emsg),
                         ERR_OK);
    free(emsg);
    free(t);
    spit(p, wrapped, n);

    /* a rotation keeps it wrapped, and a server holding it reopens it */
    assert_int_equal(datakey_load_passphrase(p, "correct horse battery staple", &k2, &emsg),
                     ERR_OK);
    assert_int_equal(datakey_add(k, &emsg), ERR_OK);
    assert_true(datakey_wrapped(p));
    struct blob c;
    crypto_seal(k, "rec2", "Bopha", 5, &c);
    opens_to(k2, "rec2", &c, "Bopha");
    datakey_free(k2);

    /* and unwrapped again */
    assert_int_equal(datakey_set_passphrase(k, NULL, &emsg), ERR_OK);
    assert_false(datakey_wrapped(p));
    assert_int_equal(datakey_load(p, &k2, &emsg), ERR_OK);
    opens_to(k2, "rec1", &b, "Chanthou");
    opens_to(k2, "rec2", &c, "Bopha");
    datakey_free(k2);
    datakey_free(k);
    free(b.p);
    free(c.p);
    free(plain);
    free(wrapped);
    unlink(p);
}

static void test_case_keys(void **state)
{
    struct fixture *f = *state;
    struct casekey *ck = NULL, *again = NULL;
    struct blob w, b;
    char by[KEY_ID_HEX], *pt = NULL;
    size_t n = 0;
    casekey_make(f->key, "case_key/c1", &ck, &w);
    casekey_seal(ck, "c1", "Srey Mom", 8, &b);
    assert_int_equal(b.p[0], 3);
    assert_true(crypto_sealed_by(&b, by));
    assert_string_equal(by, "case");
    /* the data key alone does not open it */
    assert_false(crypto_unseal(f->key, "c1", &b, &pt, &n));
    /* the wrapped key opens only for its case */
    assert_false(casekey_open(f->key, "case_key/c2", &w, &again));
    assert_null(again);
    assert_true(casekey_open(f->key, "case_key/c1", &w, &again));
    assert_true(casekey_unseal(again, "c1", &b, &pt, &n));
    assert_string_equal(pt, "Srey Mom");
    free(pt);
    /* bound to its record too */
    assert_false(casekey_unseal(again, "c2", &b, &pt, &n));
    /* another case's key does not open it */
    struct casekey *other = NULL;
    struct blob w2;
    casekey_make(f->key, "case_key/c2", &other, &w2);
    assert_false(casekey_unseal(other, "c1", &b, &pt, &n));
    /* a data-key blob is not a case-key blob */
    struct blob d;
    crypto_seal(f->key, "c1", "x", 1, &d);
    assert_false(casekey_unseal(again, "c1", &d, &pt, &n));
    /* wrapped again, it still opens the same blobs */
    struct blob w3;
    casekey_wrap(f->key, again, "case_key/c1", &w3);
    assert_false(w3.len == w.len && memcmp(w3.p, w.p, w.len) == 0); /* a new nonce */
    casekey_free(again);
    assert_true(casekey_open(f->key, "case_key/c1", &w3, &again));
    assert_true(casekey_unseal(again, "c1", &b, &pt, &n));
    free(pt);
    casekey_free(ck);
    casekey_free(again);
    casekey_free(other);
    casekey_free(NULL);
    free(w.p);
    free(w2.p);
    free(w3.p);
    free(b.p);
    free(d.p);
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
        cmocka_unit_test(test_keyring_rotation),
        cmocka_unit_test(test_keyring_first_format),
        cmocka_unit_test(test_keyring_refuses_bad_files),
        cmocka_unit_test(test_keyring_passphrase),
        cmocka_unit_test(test_case_keys),
    };
    return cmocka_run_group_tests_name("crypto", tests, setup, teardown);
}
