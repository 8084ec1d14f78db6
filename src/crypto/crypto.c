#include "crypto/crypto.h"
#include "crypto/crypto_int.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sodium.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/alloc.h"
#include "util/log.h"

#define SEAL_ORIGIN      1 /* the first format: no key id, the ring's first key */
#define SEAL_KEYED       2 /* a data key, its id after the version byte */
#define SEAL_CASE        3 /* a case key */
#define NONCE_BYTES      crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#define TAG_BYTES        crypto_aead_xchacha20poly1305_ietf_ABYTES
#define KEYED_HASH_BYTES 16

_Static_assert(PASSWORD_HASH_SIZE >= crypto_pwhash_STRBYTES, "PASSWORD_HASH_SIZE too small");
_Static_assert(DATAKEY_BYTES == crypto_kdf_KEYBYTES, "data key must be a KDF master key");
_Static_assert(DATAKEY_BYTES == crypto_aead_xchacha20poly1305_ietf_KEYBYTES, "data key size");
_Static_assert(KEYED_HASH_SIZE == 2 * KEYED_HASH_BYTES + 1, "KEYED_HASH_SIZE");
_Static_assert(ID_SIZE == 21, "ids are 20 chars + NUL");

/* A case key lives for one use (a field sealed or opened) and is wiped
 * when freed. Not in sodium_malloc'd memory: its guard pages cost two
 * system calls per field, and the data key it is unwrapped with is. */
struct casekey {
    unsigned char key[DATAKEY_BYTES];
};

bool crypto_init(void)
{
    return sodium_init() >= 0;
}

/* ---- passwords ---- */

enum err crypto_password_hash(const char *password, char out[PASSWORD_HASH_SIZE])
{
    if (crypto_pwhash_str_alg(out, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                              crypto_pwhash_MEMLIMIT_INTERACTIVE,
                              crypto_pwhash_ALG_ARGON2ID13) != 0) {
        log_error("crypto: password hashing failed (out of memory)");
        return ERR_INTERNAL;
    }
    return ERR_OK;
}

bool crypto_password_verify(const char *hash, const char *password)
{
    if (hash == NULL || password == NULL)
        return false;
    if (strnlen(hash, crypto_pwhash_STRBYTES) >= crypto_pwhash_STRBYTES)
        return false;
    return crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
}

static char dummy_hash[PASSWORD_HASH_SIZE];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

static void dummy_hash_make(void)
{
    char pw[TOKEN_SIZE];
    crypto_token(pw);
    if (crypto_password_hash(pw, dummy_hash) != ERR_OK) {
        /* Still an Argon2id string with the interactive limits, so an unknown
         * user costs about the same; nobody knows its password either. */
        static const char fallback[] = "$argon2id$v=19$m=65536,t=2,p=1$"
                                       "c29tZXNhbHRzb21lc2FsdA$"
                                       "ttRV6Mk8hEnpaVYwZgh0ONg/lCQWW6Bzqm1Q6vQk3Qc";
        memcpy(dummy_hash, fallback, sizeof fallback);
    }
    sodium_memzero(pw, sizeof pw);
}

const char *crypto_password_dummy_hash(void)
{
    pthread_once(&dummy_once, dummy_hash_make);
    return dummy_hash;
}

/* ---- ids and tokens ---- */

void crypto_random_id(char out[ID_SIZE])
{
    static const char alphabet[32] = "abcdefghijklmnopqrstuvwxyz234567";
    unsigned char r[ID_SIZE - 1];
    randombytes_buf(r, sizeof r);
    /* 256 is a multiple of 32: the low 5 bits of a byte are uniform. */
    for (size_t i = 0; i < sizeof r; i++)
        out[i] = alphabet[r[i] & 31];
    out[ID_SIZE - 1] = '\0';
}

void crypto_token(char out[TOKEN_SIZE])
{
    unsigned char r[32];
    _Static_assert(TOKEN_SIZE ==
                       sodium_base64_ENCODED_LEN(32, sodium_base64_VARIANT_URLSAFE_NO_PADDING),
                   "TOKEN_SIZE");
    randombytes_buf(r, sizeof r);
    sodium_bin2base64(out, TOKEN_SIZE, r, sizeof r, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(r, sizeof r);
}

void crypto_token_hash(const char *token, unsigned char out[32])
{
    crypto_generichash(out, 32, (const unsigned char *)token, strlen(token), NULL, 0);
}

bool crypto_str_equal(const char *a, const char *b)
{
    if (a == NULL || b == NULL)
        return false;
    size_t la = strlen(a), lb = strlen(b);
    if (la != lb)
        return false;
    return sodium_memcmp(a, b, la) == 0;
}

/* ---- sealed fields ----
 * Formats: version (1 byte) | [key id (4), version 2 only] | nonce (24) |
 * ciphertext and tag (n + 16). The additional data is the version byte
 * and key id followed by ad, so neither the version, nor the key, nor the
 * record a blob belongs to can be swapped. */

static size_t header_len(unsigned char version)
{
    return 1 + (version == SEAL_KEYED ? KEY_ID_BYTES : 0) + NONCE_BYTES;
}

static unsigned char *seal_ad(const unsigned char *hdr, size_t hn, const char *ad, size_t *len)
{
    size_t n = ad ? strlen(ad) : 0;
    unsigned char *p = xmalloc(hn + n);
    memcpy(p, hdr, hn);
    if (n)
        memcpy(p + hn, ad, n);
    *len = hn + n;
    return p;
}

/* Seals under key with a header of version and id (for SEAL_KEYED). */
static void seal_raw(const unsigned char *key, unsigned char version,
                     const unsigned char id[KEY_ID_BYTES], const char *ad, const void *pt, size_t n,
                     struct blob *out)
{
    size_t hn = header_len(version), idn = hn - NONCE_BYTES, adlen;
    unsigned char *p = xmalloc(hn + n + TAG_BYTES);
    unsigned long long clen;
    p[0] = version;
    if (version == SEAL_KEYED)
        memcpy(p + 1, id, KEY_ID_BYTES);
    randombytes_buf(p + idn, NONCE_BYTES);
    unsigned char *adp = seal_ad(p, idn, ad, &adlen);
    crypto_aead_xchacha20poly1305_ietf_encrypt(p + hn, &clen, pt, n, adp, adlen, NULL, p + idn,
                                               key);
    free(adp);
    out->p = p;
    out->len = hn + (size_t)clen;
}

static bool unseal_raw(const unsigned char *key, const char *ad, const struct blob *in, char **pt,
                       size_t *n)
{
    size_t hn = header_len(in->p[0]), idn = hn - NONCE_BYTES;
    if (in->len < hn + TAG_BYTES)
        return false;
    size_t clen = in->len - hn;
    size_t cap = clen - TAG_BYTES;
    char *buf = xmalloc(cap + 1);
    unsigned long long mlen;
    size_t adlen;
    unsigned char *adp = seal_ad(in->p, idn, ad, &adlen);
    int rc = crypto_aead_xchacha20poly1305_ietf_decrypt(
        (unsigned char *)buf, &mlen, NULL, in->p + hn, clen, adp, adlen, in->p + idn, key);
    free(adp);
    if (rc != 0) {
        sodium_memzero(buf, cap + 1);
        free(buf);
        return false;
    }
    buf[mlen] = '\0';
    *pt = buf;
    *n = (size_t)mlen;
    return true;
}

void crypto_seal(const struct datakey *k, const char *ad, const void *pt, size_t n,
                 struct blob *out)
{
    unsigned char id[KEY_ID_BYTES];
    const unsigned char *key = datakey_current(k, id);
    seal_raw(key, SEAL_KEYED, id, ad, pt, n, out);
}

bool crypto_unseal(const struct datakey *k, const char *ad, const struct blob *in, char **pt,
                   size_t *n)
{
    *pt = NULL;
    *n = 0;
    if (in == NULL || in->p == NULL || in->len < 1)
        return false;
    const unsigned char *key = NULL;
    if (in->p[0] == SEAL_ORIGIN)
        key = datakey_origin(k);
    else if (in->p[0] == SEAL_KEYED && in->len >= 1 + KEY_ID_BYTES)
        key = datakey_by_id(k, in->p + 1);
    return key != NULL && unseal_raw(key, ad, in, pt, n);
}

bool crypto_sealed_by(const struct blob *in, char out[KEY_ID_HEX])
{
    out[0] = '\0';
    if (in == NULL || in->p == NULL || in->len < 1)
        return false;
    switch (in->p[0]) {
    case SEAL_ORIGIN:
        return in->len >= header_len(SEAL_ORIGIN) + TAG_BYTES;
    case SEAL_KEYED:
        if (in->len < header_len(SEAL_KEYED) + TAG_BYTES)
            return false;
        sodium_bin2hex(out, KEY_ID_HEX, in->p + 1, KEY_ID_BYTES);
        return true;
    case SEAL_CASE:
        snprintf(out, KEY_ID_HEX, "case");
        return in->len >= header_len(SEAL_CASE) + TAG_BYTES;
    default:
        return false;
    }
}

bool crypto_sealed_current(const struct datakey *k, const struct blob *in)
{
    unsigned char id[KEY_ID_BYTES];
    datakey_current(k, id);
    return in != NULL && in->p != NULL && in->len > KEY_ID_BYTES && in->p[0] == SEAL_KEYED &&
           memcmp(in->p + 1, id, KEY_ID_BYTES) == 0;
}

/* ---- case keys ---- */

static struct casekey *casekey_alloc(void)
{
    return xcalloc(1, sizeof(struct casekey));
}

void casekey_make(const struct datakey *k, const char *ad, struct casekey **out,
                  struct blob *wrapped)
{
    struct casekey *ck = casekey_alloc();
    randombytes_buf(ck->key, DATAKEY_BYTES);
    crypto_seal(k, ad, ck->key, DATAKEY_BYTES, wrapped);
    *out = ck;
}

bool casekey_open(const struct datakey *k, const char *ad, const struct blob *wrapped,
                  struct casekey **out)
{
    *out = NULL;
    char *pt = NULL;
    size_t n = 0;
    if (!crypto_unseal(k, ad, wrapped, &pt, &n))
        return false;
    bool ok = n == DATAKEY_BYTES;
    if (ok) {
        struct casekey *ck = casekey_alloc();
        memcpy(ck->key, pt, DATAKEY_BYTES);
        *out = ck;
    }
    sodium_memzero(pt, n);
    free(pt);
    return ok;
}

void casekey_wrap(const struct datakey *k, const struct casekey *ck, const char *ad,
                  struct blob *wrapped)
{
    crypto_seal(k, ad, ck->key, DATAKEY_BYTES, wrapped);
}

void casekey_free(struct casekey *ck)
{
    if (ck == NULL)
        return;
    sodium_memzero(ck->key, sizeof ck->key);
    free(ck);
}

void casekey_seal(const struct casekey *ck, const char *ad, const void *pt, size_t n,
                  struct blob *out)
{
    seal_raw(ck->key, SEAL_CASE, NULL, ad, pt, n, out);
}

bool casekey_unseal(const struct casekey *ck, const char *ad, const struct blob *in, char **pt,
                    size_t *n)
{
    *pt = NULL;
    *n = 0;
    if (ck == NULL || in == NULL || in->p == NULL || in->len < 1 || in->p[0] != SEAL_CASE)
        return false;
    return unseal_raw(ck->key, ad, in, pt, n);
}

/* The subkey for a purpose: libsodium's KDF wants an 8-byte context and a
 * 64-bit id. The context is the purpose's first 8 chars (padded with '_');
 * the id is the first 8 bytes of BLAKE2b of the whole purpose, so purposes
 * sharing a prefix still get unrelated subkeys. */
static void keyed_subkey(const unsigned char *key, const char *purpose,
                         unsigned char sub[crypto_generichash_KEYBYTES])
{
    char ctx[crypto_kdf_CONTEXTBYTES];
    unsigned char h[8];
    size_t plen = strlen(purpose);
    for (size_t i = 0; i < sizeof ctx; i++)
        ctx[i] = i < plen ? purpose[i] : '_';
    crypto_generichash(h, sizeof h, (const unsigned char *)purpose, plen, NULL, 0);
    uint64_t id = 0;
    for (size_t i = 0; i < sizeof h; i++)
        id = (id << 8) | h[i];
    crypto_kdf_derive_from_key(sub, crypto_generichash_KEYBYTES, id, ctx, key);
}

void crypto_keyed_hash(const struct datakey *k, const char *purpose, const char *s,
                       char out[KEYED_HASH_SIZE])
{
    unsigned char sub[crypto_generichash_KEYBYTES];
    unsigned char h[KEYED_HASH_BYTES];
    keyed_subkey(datakey_origin(k), purpose, sub);
    crypto_generichash(h, sizeof h, (const unsigned char *)s, strlen(s), sub, sizeof sub);
    sodium_memzero(sub, sizeof sub);
    sodium_bin2hex(out, KEYED_HASH_SIZE, h, sizeof h);
}

void crypto_purpose_key(const struct datakey *k, size_t i, const char *purpose,
                        unsigned char out[32])
{
    _Static_assert(crypto_generichash_KEYBYTES == 32, "a purpose key is 32 bytes");
    keyed_subkey(datakey_at(k, i), purpose, out);
}

void crypto_free_text(char *s)
{
    if (s == NULL)
        return;
    sodium_memzero(s, strlen(s));
    free(s);
}
