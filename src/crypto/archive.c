/* Backup archives: the format is in archive.h. */
#include "crypto/archive.h"

#include <errno.h>
#include <sodium.h>
#include <string.h>
#include <unistd.h>

#include "util/alloc.h"

#define MAGIC         "CBPNBKUP"
#define MAGIC_LEN     8
#define OFF_CHECK     56
#define OFF_STREAM    88
#define SALT_BYTES    16
#define PURPOSE       "cbpn backup archive"
#define KDF_CONTEXT   "cbpnarch"
#define SUBKEY_STREAM 1
#define SUBKEY_CHECK  2
#define CIPHER_MAX    (ARCHIVE_CHUNK + crypto_secretstream_xchacha20poly1305_ABYTES)

_Static_assert(SALT_BYTES == crypto_pwhash_SALTBYTES, "the salt is Argon2id's");
_Static_assert(OFF_STREAM + crypto_secretstream_xchacha20poly1305_HEADERBYTES ==
                   ARCHIVE_HEADER_SIZE,
               "the header's size");
_Static_assert(sizeof MAGIC - 1 == MAGIC_LEN, "the magic");

void archive_passphrase_limits(uint64_t *opslimit, uint64_t *memlimit)
{
    *opslimit = crypto_pwhash_OPSLIMIT_MODERATE;
    *memlimit = crypto_pwhash_MEMLIMIT_MODERATE;
}

static void put_be(unsigned char *p, uint64_t v, int n)
{
    for (int i = n - 1; i >= 0; i--, v >>= 8)
        p[i] = (unsigned char)(v & 0xff);
}

static uint64_t get_be(const unsigned char *p, int n)
{
    uint64_t v = 0;
    for (int i = 0; i < n; i++)
        v = (v << 8) | p[i];
    return v;
}

/* Writes all of p[0..n); false on an error. */
static bool write_all(int fd, const void *p, size_t n)
{
    const unsigned char *b = p;
    while (n > 0) {
        ssize_t w = write(fd, b, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return false;
        b += w;
        n -= (size_t)w;
    }
    return true;
}

/* Reads up to n bytes (fewer only at the end of the file); -1 on an error. */
static ssize_t read_full(int fd, void *p, size_t n)
{
    unsigned char *b = p;
    size_t got = 0;
    while (got < n) {
        ssize_t r = read(fd, b + got, n - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return -1;
        if (r == 0)
            break;
        got += (size_t)r;
    }
    return (ssize_t)got;
}

/* The archive key of the header h (salt and limits in it) for s, then its
 * two subkeys. false when Argon2id cannot run (memory). */
static bool derive(const struct archive_secret *s, size_t ring, const unsigned char *h,
                   unsigned char stream[crypto_secretstream_xchacha20poly1305_KEYBYTES],
                   unsigned char check[crypto_generichash_KEYBYTES])
{
    unsigned char master[crypto_kdf_KEYBYTES];
    bool ok = true;
    if (s->passphrase != NULL) {
        ok = crypto_pwhash(master, sizeof master, s->passphrase, strlen(s->passphrase), h + 24,
                           get_be(h + 40, 8), (size_t)get_be(h + 48, 8),
                           crypto_pwhash_ALG_ARGON2ID13) == 0;
    } else {
        unsigned char pk[32];
        crypto_purpose_key(s->key, ring, PURPOSE, pk);
        crypto_generichash(master, sizeof master, h + 24, SALT_BYTES, pk, sizeof pk);
        sodium_memzero(pk, sizeof pk);
    }
    if (ok) {
        crypto_kdf_derive_from_key(stream, crypto_secretstream_xchacha20poly1305_KEYBYTES,
                                   SUBKEY_STREAM, KDF_CONTEXT, master);
        crypto_kdf_derive_from_key(check, crypto_generichash_KEYBYTES, SUBKEY_CHECK, KDF_CONTEXT,
                                   master);
    }
    sodium_memzero(master, sizeof master);
    return ok;
}

static void check_value(const unsigned char *h, const unsigned char key[32], unsigned char out[32])
{
    crypto_generichash(out, 32, h, OFF_CHECK, key, 32);
}

/* Encrypts m[0..n) as one chunk with tag and writes its length and bytes. */
static bool push(int out, crypto_secretstream_xchacha20poly1305_state *st, const unsigned char *m,
                 size_t n, const unsigned char *ad, size_t adlen, unsigned char tag,
                 unsigned char *cbuf)
{
    unsigned long long clen = 0;
    unsigned char len[4];
    crypto_secretstream_xchacha20poly1305_push(st, cbuf, &clen, m, n, ad, adlen, tag);
    put_be(len, clen, 4);
    return write_all(out, len, sizeof len) && write_all(out, cbuf, (size_t)clen);
}

enum archive_status archive_write(int out, struct archive_meta *m, const struct archive_secret *s,
                                  const void *head, size_t head_len, int snapshot, char **errmsg)
{
    unsigned char h[ARCHIVE_HEADER_SIZE] = {0};
    unsigned char skey[crypto_secretstream_xchacha20poly1305_KEYBYTES], ckey[32];
    crypto_secretstream_xchacha20poly1305_state st;
    enum archive_status rc = ARCHIVE_IO;
    unsigned char *pbuf = NULL, *cbuf = NULL;
    *errmsg = NULL;
    if (head_len > ARCHIVE_HEAD_MAX) {
        *errmsg = xasprintf("the signed head is too long");
        return ARCHIVE_UNSUPPORTED;
    }
    m->version = ARCHIVE_VERSION;
    m->keykind = s->passphrase != NULL ? ARCHIVE_KEY_PASSPHRASE : ARCHIVE_KEY_DATA;
    if (m->keykind == ARCHIVE_KEY_DATA)
        m->opslimit = m->memlimit = 0;
    memcpy(h, MAGIC, MAGIC_LEN);
    h[8] = ARCHIVE_VERSION;
    h[9] = (unsigned char)m->keykind;
    h[10] = (unsigned char)m->backend;
    put_be(h + 12, (uint64_t)m->schema, 4);
    put_be(h + 16, (uint64_t)m->created, 8);
    randombytes_buf(h + 24, SALT_BYTES);
    put_be(h + 40, m->opslimit, 8);
    put_be(h + 48, m->memlimit, 8);
    if (!derive(s, SIZE_MAX, h, skey, ckey)) { /* the ring's current key */
        *errmsg = xasprintf("cannot derive the key from the passphrase (out of memory?)");
        goto out;
    }
    check_value(h, ckey, h + OFF_CHECK);
    crypto_secretstream_xchacha20poly1305_init_push(&st, h + OFF_STREAM, skey);
    pbuf = xmalloc(ARCHIVE_CHUNK);
    cbuf = xmalloc(CIPHER_MAX);
    if (!write_all(out, h, sizeof h) ||
        !push(out, &st, head, head_len, h, sizeof h,
              crypto_secretstream_xchacha20poly1305_TAG_MESSAGE, cbuf)) {
        *errmsg = xasprintf("cannot write the archive: %s", strerror(errno));
        goto out;
    }
    for (;;) {
        ssize_t n = read_full(snapshot, pbuf, ARCHIVE_CHUNK);
        if (n < 0) {
            *errmsg = xasprintf("cannot read the snapshot: %s", strerror(errno));
            goto out;
        }
        if (n > 0 && !push(out, &st, pbuf, (size_t)n, NULL, 0,
                           crypto_secretstream_xchacha20poly1305_TAG_MESSAGE, cbuf)) {
            *errmsg = xasprintf("cannot write the archive: %s", strerror(errno));
            goto out;
        }
        if (n < ARCHIVE_CHUNK)
            break;
    }
    if (!push(out, &st, pbuf, 0, NULL, 0, crypto_secretstream_xchacha20poly1305_TAG_FINAL, cbuf)) {
        *errmsg = xasprintf("cannot write the archive: %s", strerror(errno));
        goto out;
    }
    rc = ARCHIVE_OK;
out:
    if (pbuf != NULL)
        sodium_memzero(pbuf, ARCHIVE_CHUNK);
    free(pbuf);
    free(cbuf);
    sodium_memzero(skey, sizeof skey);
    sodium_memzero(ckey, sizeof ckey);
    sodium_memzero(&st, sizeof st);
    return rc;
}

/* Reads and parses the header into h and m. */
static enum archive_status header_read(int in, unsigned char h[ARCHIVE_HEADER_SIZE],
                                       struct archive_meta *m, char **errmsg)
{
    memset(m, 0, sizeof *m);
    if (lseek(in, 0, SEEK_SET) != 0) {
        *errmsg = xasprintf("cannot read the archive: %s", strerror(errno));
        return ARCHIVE_IO;
    }
    ssize_t n = read_full(in, h, ARCHIVE_HEADER_SIZE);
    if (n < 0) {
        *errmsg = xasprintf("cannot read the archive: %s", strerror(errno));
        return ARCHIVE_IO;
    }
    if (n < MAGIC_LEN || memcmp(h, MAGIC, MAGIC_LEN) != 0) {
        *errmsg = xasprintf("not a cbpn backup");
        return ARCHIVE_NOT_ARCHIVE;
    }
    if (n < ARCHIVE_HEADER_SIZE) {
        *errmsg = xasprintf("the backup is cut short: its header is incomplete");
        return ARCHIVE_TRUNCATED;
    }
    m->version = h[8];
    m->keykind = (enum archive_keykind)h[9];
    m->backend = (enum archive_backend)h[10];
    m->schema = (int)get_be(h + 12, 4);
    m->created = (int64_t)get_be(h + 16, 8);
    m->opslimit = get_be(h + 40, 8);
    m->memlimit = get_be(h + 48, 8);
    if (m->version != ARCHIVE_VERSION) {
        *errmsg = xasprintf("backup format version %d: this cbpn reads version %d", m->version,
                            ARCHIVE_VERSION);
        return ARCHIVE_UNSUPPORTED;
    }
    if ((m->keykind != ARCHIVE_KEY_DATA && m->keykind != ARCHIVE_KEY_PASSPHRASE) ||
        (m->backend != ARCHIVE_SQLITE && m->backend != ARCHIVE_POSTGRES) || h[11] != 0) {
        *errmsg = xasprintf("the backup's header is damaged");
        return ARCHIVE_ALTERED;
    }
    /* A header must not make restore spend more than libsodium's
     * "sensitive" limits (1 GiB). */
    if (m->keykind == ARCHIVE_KEY_PASSPHRASE && (m->opslimit < crypto_pwhash_OPSLIMIT_MIN ||
                                                 m->opslimit > crypto_pwhash_OPSLIMIT_SENSITIVE ||
                                                 m->memlimit < crypto_pwhash_MEMLIMIT_MIN ||
                                                 m->memlimit > crypto_pwhash_MEMLIMIT_SENSITIVE)) {
        *errmsg = xasprintf("the backup's passphrase limits are out of range");
        return ARCHIVE_UNSUPPORTED;
    }
    return ARCHIVE_OK;
}

enum archive_status archive_read_header(int in, struct archive_meta *m, char **errmsg)
{
    unsigned char h[ARCHIVE_HEADER_SIZE];
    *errmsg = NULL;
    return header_read(in, h, m, errmsg);
}

/* Reads one chunk's length and ciphertext into cbuf (*clen). */
static enum archive_status chunk_read(int in, unsigned char *cbuf, size_t *clen, char **errmsg)
{
    unsigned char len[4];
    ssize_t n = read_full(in, len, sizeof len);
    if (n < 0 || (n == (ssize_t)sizeof len && (*clen = (size_t)get_be(len, 4)) > CIPHER_MAX) ||
        (n == (ssize_t)sizeof len && *clen < crypto_secretstream_xchacha20poly1305_ABYTES)) {
        *errmsg = n < 0 ? xasprintf("cannot read the archive: %s", strerror(errno))
                        : xasprintf("the backup is altered: a chunk's length is out of range");
        return n < 0 ? ARCHIVE_IO : ARCHIVE_ALTERED;
    }
    if (n < (ssize_t)sizeof len || (n = read_full(in, cbuf, *clen)) < (ssize_t)*clen) {
        if (n < 0) {
            *errmsg = xasprintf("cannot read the archive: %s", strerror(errno));
            return ARCHIVE_IO;
        }
        *errmsg = xasprintf("the backup is cut short: it ends before its last chunk");
        return ARCHIVE_TRUNCATED;
    }
    return ARCHIVE_OK;
}

enum archive_status archive_read(int in, const struct archive_secret *s, struct archive_meta *m,
                                 char **head, size_t *head_len, int out, char **errmsg)
{
    unsigned char h[ARCHIVE_HEADER_SIZE], check[32];
    unsigned char skey[crypto_secretstream_xchacha20poly1305_KEYBYTES], ckey[32];
    crypto_secretstream_xchacha20poly1305_state st;
    unsigned char *pbuf = NULL, *cbuf = NULL;
    *errmsg = NULL;
    *head = NULL;
    *head_len = 0;
    enum archive_status rc = header_read(in, h, m, errmsg);
    if (rc != ARCHIVE_OK)
        return rc;
    if ((m->keykind == ARCHIVE_KEY_PASSPHRASE) != (s->passphrase != NULL)) {
        *errmsg = xasprintf(m->keykind == ARCHIVE_KEY_PASSPHRASE
                                ? "the backup is encrypted with a passphrase: give --passphrase"
                                : "the backup is encrypted with the data key, not a passphrase: "
                                  "leave out --passphrase");
        return ARCHIVE_WRONG_KEY;
    }
    /* With the data key: whichever key of the ring made it (the current
     * one, or one a rotation kept). */
    size_t tries = s->passphrase != NULL ? 1 : datakey_count(s->key);
    bool match = false;
    for (size_t i = tries; i-- > 0 && !match;) {
        if (!derive(s, s->passphrase != NULL ? SIZE_MAX : i, h, skey, ckey)) {
            *errmsg = xasprintf("cannot derive the key from the passphrase (out of memory?)");
            return ARCHIVE_IO;
        }
        check_value(h, ckey, check);
        match = sodium_memcmp(check, h + OFF_CHECK, sizeof check) == 0;
    }
    if (!match) {
        *errmsg = xasprintf(m->keykind == ARCHIVE_KEY_PASSPHRASE
                                ? "wrong passphrase: it does not open this backup (or the "
                                  "backup's header was altered)"
                                : "wrong key: the data key given did not make this backup (or "
                                  "the backup's header was altered)");
        rc = ARCHIVE_WRONG_KEY;
        goto out;
    }
    if (crypto_secretstream_xchacha20poly1305_init_pull(&st, h + OFF_STREAM, skey) != 0) {
        *errmsg = xasprintf("the backup is altered: its stream header is invalid");
        rc = ARCHIVE_ALTERED;
        goto out;
    }
    pbuf = xmalloc(ARCHIVE_CHUNK + 1);
    cbuf = xmalloc(CIPHER_MAX);
    for (uint64_t i = 0;; i++) {
        size_t clen = 0;
        unsigned long long mlen = 0;
        unsigned char tag = 0;
        if ((rc = chunk_read(in, cbuf, &clen, errmsg)) != ARCHIVE_OK)
            goto out;
        if (crypto_secretstream_xchacha20poly1305_pull(&st, pbuf, &mlen, &tag, cbuf, clen,
                                                       i == 0 ? h : NULL,
                                                       i == 0 ? sizeof h : 0) != 0) {
            *errmsg = xasprintf("the backup is altered: chunk %llu does not authenticate",
                                (unsigned long long)i + 1);
            rc = ARCHIVE_ALTERED;
            goto out;
        }
        if (i == 0) {
            if (tag != crypto_secretstream_xchacha20poly1305_TAG_MESSAGE ||
                mlen > ARCHIVE_HEAD_MAX) {
                *errmsg = xasprintf("the backup is altered: it does not begin with a signed head");
                rc = ARCHIVE_ALTERED;
                goto out;
            }
            *head = xmalloc((size_t)mlen + 1);
            memcpy(*head, pbuf, (size_t)mlen);
            (*head)[mlen] = '\0';
            *head_len = (size_t)mlen;
            continue;
        }
        if (mlen > 0 && !write_all(out, pbuf, (size_t)mlen)) {
            *errmsg = xasprintf("cannot write the snapshot: %s", strerror(errno));
            rc = ARCHIVE_IO;
            goto out;
        }
        if (tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL)
            break;
        if (tag != crypto_secretstream_xchacha20poly1305_TAG_MESSAGE) {
            *errmsg = xasprintf("the backup is altered: chunk %llu has an unknown tag",
                                (unsigned long long)i + 1);
            rc = ARCHIVE_ALTERED;
            goto out;
        }
    }
    unsigned char extra;
    ssize_t n = read_full(in, &extra, 1);
    if (n != 0) {
        *errmsg = n < 0 ? xasprintf("cannot read the archive: %s", strerror(errno))
                        : xasprintf("the backup is altered: bytes follow its last chunk");
        rc = n < 0 ? ARCHIVE_IO : ARCHIVE_ALTERED;
        goto out;
    }
    rc = ARCHIVE_OK;
out:
    if (rc != ARCHIVE_OK) {
        free(*head);
        *head = NULL;
        *head_len = 0;
    }
    if (pbuf != NULL)
        sodium_memzero(pbuf, ARCHIVE_CHUNK + 1);
    free(pbuf);
    free(cbuf);
    sodium_memzero(skey, sizeof skey);
    sodium_memzero(ckey, sizeof ckey);
    sodium_memzero(&st, sizeof st);
    return rc;
}
