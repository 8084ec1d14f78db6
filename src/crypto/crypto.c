#include "crypto/crypto.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sodium.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/alloc.h"
#include "util/log.h"

#define DATAKEY_BYTES    32
#define SEAL_VERSION     1
#define SEAL_HEADER      (1 + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES)
#define KEYED_HASH_BYTES 16

_Static_assert(PASSWORD_HASH_SIZE >= crypto_pwhash_STRBYTES, "PASSWORD_HASH_SIZE too small");
_Static_assert(DATAKEY_BYTES == crypto_kdf_KEYBYTES, "data key must be a KDF master key");
_Static_assert(DATAKEY_BYTES == crypto_aead_xchacha20poly1305_ietf_KEYBYTES, "data key size");
_Static_assert(KEYED_HASH_SIZE == 2 * KEYED_HASH_BYTES + 1, "KEYED_HASH_SIZE");
_Static_assert(ID_SIZE == 21, "ids are 20 chars + NUL");

/* The key lives in sodium_malloc'd memory (guard pages, locked, wiped on
 * free) and is read-only between load and free. */
struct datakey {
    unsigned char *key;
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

/* ---- the data key ---- */

enum err datakey_create(const char *path, char **errmsg)
{
    enum err e = ERR_INTERNAL;
    unsigned char key[DATAKEY_BYTES];
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) {
        int saved = errno;
        *errmsg = xasprintf("cannot create key file %s: %s", path, strerror(saved));
        return saved == EEXIST ? ERR_CONFLICT : ERR_INTERNAL;
    }
    randombytes_buf(key, sizeof key);
    /* The umask may narrow the mode; it must not stay wider than 0600. */
    if (fchmod(fd, 0600) != 0 || write(fd, key, sizeof key) != (ssize_t)sizeof key ||
        fsync(fd) != 0) {
        *errmsg = xasprintf("cannot write key file %s: %s", path, strerror(errno));
        close(fd);
        unlink(path);
        goto out;
    }
    if (close(fd) != 0) {
        *errmsg = xasprintf("cannot write key file %s: %s", path, strerror(errno));
        unlink(path);
        goto out;
    }
    e = ERR_OK;
out:
    sodium_memzero(key, sizeof key);
    return e;
}

/* Policy: the key file must be a regular file of exactly 32 bytes that
 * neither group nor others may read or write (like ssh with private keys);
 * anything else is refused, not merely warned about, because a key that
 * others can read no longer protects anything. */
enum err datakey_load(const char *path, struct datakey **out, char **errmsg)
{
    enum err e = ERR_INTERNAL;
    struct datakey *k = NULL;
    struct stat st;
    *out = NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
        int saved = errno;
        *errmsg = xasprintf("cannot open key file %s: %s", path, strerror(saved));
        return saved == ENOENT ? ERR_NOT_FOUND : ERR_INTERNAL;
    }
    if (fstat(fd, &st) != 0) {
        *errmsg = xasprintf("cannot stat key file %s: %s", path, strerror(errno));
        goto out;
    }
    if (!S_ISREG(st.st_mode) || st.st_size != DATAKEY_BYTES) {
        *errmsg = xasprintf("key file %s is not a %d-byte file", path, DATAKEY_BYTES);
        goto out;
    }
    if ((st.st_mode & 077) != 0) {
        *errmsg = xasprintf("key file %s is open to group or others (mode %03o); "
                            "run: chmod 600 %s",
                            path, (unsigned)(st.st_mode & 0777), path);
        goto out;
    }
    k = xcalloc(1, sizeof *k);
    k->key = sodium_malloc(DATAKEY_BYTES);
    if (k->key == NULL) {
        *errmsg = xasprintf("cannot allocate protected memory for the data key");
        goto out;
    }
    size_t got = 0;
    while (got < DATAKEY_BYTES) {
        ssize_t r = read(fd, k->key + got, DATAKEY_BYTES - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            *errmsg = xasprintf("cannot read key file %s", path);
            goto out;
        }
        got += (size_t)r;
    }
    sodium_mprotect_readonly(k->key);
    *out = k;
    k = NULL;
    e = ERR_OK;
out:
    close(fd);
    datakey_free(k);
    return e;
}

void datakey_free(struct datakey *k)
{
    if (k == NULL)
        return;
    if (k->key != NULL) {
        sodium_mprotect_readwrite(k->key);
        sodium_free(k->key); /* wipes before it frees */
    }
    free(k);
}

char *datakey_path_for(const char *db)
{
    return xasprintf("%s.key", db);
}

/* ---- sealed fields ----
 * Format: version (1 byte) | nonce (24) | ciphertext and tag (n + 16).
 * The additional data is the version byte followed by ad, so neither the
 * version nor the record a blob belongs to can be swapped. */

static unsigned char *seal_ad(const char *ad, size_t *len)
{
    size_t n = ad ? strlen(ad) : 0;
    unsigned char *p = xmalloc(n + 1);
    p[0] = SEAL_VERSION;
    if (n)
        memcpy(p + 1, ad, n);
    *len = n + 1;
    return p;
}

void crypto_seal(const struct datakey *k, const char *ad, const void *pt, size_t n,
                 struct blob *out)
{
    size_t adlen;
    unsigned char *adp = seal_ad(ad, &adlen);
    size_t len = SEAL_HEADER + n + crypto_aead_xchacha20poly1305_ietf_ABYTES;
    unsigned char *p = xmalloc(len);
    unsigned long long clen;
    p[0] = SEAL_VERSION;
    randombytes_buf(p + 1, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
    crypto_aead_xchacha20poly1305_ietf_encrypt(p + SEAL_HEADER, &clen, pt, n, adp, adlen, NULL,
                                               p + 1, k->key);
    free(adp);
    out->p = p;
    out->len = SEAL_HEADER + (size_t)clen;
}

bool crypto_unseal(const struct datakey *k, const char *ad, const struct blob *in, char **pt,
                   size_t *n)
{
    *pt = NULL;
    *n = 0;
    if (in == NULL || in->p == NULL ||
        in->len < SEAL_HEADER + crypto_aead_xchacha20poly1305_ietf_ABYTES ||
        in->p[0] != SEAL_VERSION)
        return false;
    size_t clen = in->len - SEAL_HEADER;
    size_t cap = clen - crypto_aead_xchacha20poly1305_ietf_ABYTES;
    char *buf = xmalloc(cap + 1);
    unsigned long long mlen;
    size_t adlen;
    unsigned char *adp = seal_ad(ad, &adlen);
    int rc = crypto_aead_xchacha20poly1305_ietf_decrypt((unsigned char *)buf, &mlen, NULL,
                                                        in->p + SEAL_HEADER, clen, adp, adlen,
                                                        in->p + 1, k->key);
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

/* The subkey for a purpose: libsodium's KDF wants an 8-byte context and a
 * 64-bit id. The context is the purpose's first 8 chars (padded with '_');
 * the id is the first 8 bytes of BLAKE2b of the whole purpose, so purposes
 * sharing a prefix still get unrelated subkeys. */
static void keyed_subkey(const struct datakey *k, const char *purpose,
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
    crypto_kdf_derive_from_key(sub, crypto_generichash_KEYBYTES, id, ctx, k->key);
}

void crypto_keyed_hash(const struct datakey *k, const char *purpose, const char *s,
                       char out[KEYED_HASH_SIZE])
{
    unsigned char sub[crypto_generichash_KEYBYTES];
    unsigned char h[KEYED_HASH_BYTES];
    keyed_subkey(k, purpose, sub);
    crypto_generichash(h, sizeof h, (const unsigned char *)s, strlen(s), sub, sizeof sub);
    sodium_memzero(sub, sizeof sub);
    sodium_bin2hex(out, KEYED_HASH_SIZE, h, sizeof h);
}

void crypto_purpose_key(const struct datakey *k, const char *purpose, unsigned char out[32])
{
    _Static_assert(crypto_generichash_KEYBYTES == 32, "a purpose key is 32 bytes");
    keyed_subkey(k, purpose, out);
}

void crypto_free_text(char *s)
{
    if (s == NULL)
        return;
    sodium_memzero(s, strlen(s));
    free(s);
}
