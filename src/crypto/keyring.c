/* The data key file: a keyring of every data key the deployment has had,
 * the last one current, plain or wrapped by a passphrase (crypto.h).
 *
 * File format (text, one record per line, '\n' ends every line):
 *
 *   plain:    cbpn-keyring 1
 *             key <id: 8 hex> <key: 64 hex>        (one line per key, oldest first)
 *
 *   wrapped:  cbpn-keyring 1 argon2id <opslimit> <memlimit> <salt: 32 hex>
 *             <nonce: 48 hex><the plain form's key lines sealed: hex>
 *
 * The wrapped form seals the key lines with XChaCha20-Poly1305 under
 * Argon2id(passphrase, salt), the header line as associated data, so
 * neither the limits nor the salt can be changed unnoticed. The first
 * cbpn's file, 32 raw bytes, still loads: a ring of that one key.
 *
 * A running server reloads the file when it meets a key id it does not
 * hold (a blob sealed by a server that already has the new key) and, at
 * most every RELOAD_SECONDS, when the file changed, so a rotation reaches
 * it without a restart. A wrapped ring is reopened with the wrapping key
 * kept from the start (the passphrase itself is never kept). Rings
 * replaced by a reload stay allocated until datakey_free(): blobs are
 * opened with keys read lock-free. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "crypto/crypto.h"
#include "crypto/crypto_int.h"
#include "util/alloc.h"
#include "util/hex.h"
#include "util/log.h"

#define MAGIC          "cbpn-keyring 1"
#define FILE_MAX       (64 * 1024)
#define RING_MAX       256
#define RELOAD_SECONDS 2
#define SALT_BYTES     crypto_pwhash_SALTBYTES
#define WRAP_NONCE     crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#define WRAP_TAG       crypto_aead_xchacha20poly1305_ietf_ABYTES
#define PASSPHRASE_MIN 12

_Static_assert(SALT_BYTES == 16, "Argon2id salt");

struct ring {
    size_t n; /* keys, oldest first; the last is current */
    unsigned char ids[RING_MAX][KEY_ID_BYTES];
    unsigned char *keys; /* n * DATAKEY_BYTES, sodium_malloc'd, read-only */
    struct ring *older;  /* rings this one replaced */
};

struct datakey {
    char *path;
    _Atomic(struct ring *) ring;
    pthread_mutex_t mu;     /* reloads */
    unsigned char *kek;     /* the wrapping key (sodium_malloc'd), NULL when plain */
    unsigned long long ops; /* the wrapping's Argon2id limits and salt */
    size_t mem;
    unsigned char salt[SALT_BYTES];
    _Atomic long checked; /* CLOCK_MONOTONIC seconds of the last look at the file */
    struct stat seen;     /* the file as last loaded (guarded by mu) */
};

/* ---- a ring in memory ---- */

static struct ring *ring_new(size_t n)
{
    struct ring *r = xcalloc(1, sizeof *r);
    r->n = n;
    r->keys = sodium_malloc(n * DATAKEY_BYTES + 1);
    if (r->keys == NULL) {
        free(r);
        return NULL;
    }
    return r;
}

static void ring_free(struct ring *r)
{
    while (r != NULL) {
        struct ring *older = r->older;
        if (r->keys != NULL) {
            sodium_mprotect_readwrite(r->keys);
            sodium_free(r->keys);
        }
        free(r);
        r = older;
    }
}

void crypto_key_id(const unsigned char key[DATAKEY_BYTES], unsigned char id[KEY_ID_BYTES])
{
    static const unsigned char personal[] = "cbpn data key id";
    unsigned char h[16];
    crypto_generichash_state st;
    crypto_generichash_init(&st, NULL, 0, sizeof h);
    crypto_generichash_update(&st, personal, sizeof personal - 1);
    crypto_generichash_update(&st, key, DATAKEY_BYTES);
    crypto_generichash_final(&st, h, sizeof h);
    memcpy(id, h, KEY_ID_BYTES);
}

/* ---- parsing and writing the file ---- */

static bool hex_in(const char *s, size_t len, unsigned char *out)
{
    for (size_t i = 0; i < len; i++) {
        int hi = hex_digit(s[2 * i]), lo = hex_digit(s[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return false;
        out[i] = (unsigned char)(hi << 4 | lo);
    }
    return true;
}

/* The key lines of body[0..n) into a new ring; NULL with *why set. */
static struct ring *ring_parse(const char *body, size_t n, const char **why)
{
    size_t lines = 0;
    for (size_t i = 0; i < n; i++)
        lines += body[i] == '\n';
    /* "key " + 8 + " " + 64 + "\n" */
    const size_t line = 4 + 2 * KEY_ID_BYTES + 1 + 2 * DATAKEY_BYTES + 1;
    if (lines == 0 || lines > RING_MAX || n != lines * line) {
        *why = "its key lines are malformed";
        return NULL;
    }
    struct ring *r = ring_new(lines);
    if (r == NULL) {
        *why = "protected memory is short";
        return NULL;
    }
    for (size_t k = 0; k < lines; k++) {
        const char *p = body + k * line;
        unsigned char *key = r->keys + k * DATAKEY_BYTES;
        unsigned char id[KEY_ID_BYTES];
        if (memcmp(p, "key ", 4) != 0 || p[4 + 2 * KEY_ID_BYTES] != ' ' || p[line - 1] != '\n' ||
            !hex_in(p + 4, KEY_ID_BYTES, r->ids[k]) ||
            !hex_in(p + 5 + 2 * KEY_ID_BYTES, DATAKEY_BYTES, key)) {
            *why = "its key lines are malformed";
            ring_free(r);
            return NULL;
        }
        crypto_key_id(key, id);
        if (memcmp(id, r->ids[k], KEY_ID_BYTES) != 0) {
            *why = "a key does not match its id";
            ring_free(r);
            return NULL;
        }
        for (size_t j = 0; j < k; j++)
            if (memcmp(r->ids[j], r->ids[k], KEY_ID_BYTES) == 0) {
                *why = "it holds one key twice";
                ring_free(r);
                return NULL;
            }
    }
    sodium_mprotect_readonly(r->keys);
    return r;
}

/* The key lines of r, in sodium_malloc'd memory (caller frees with
 * sodium_free); *n their length. */
static char *ring_body(const struct ring *r, size_t *n)
{
    const size_t line = 4 + 2 * KEY_ID_BYTES + 1 + 2 * DATAKEY_BYTES + 1;
    char *b = sodium_malloc(r->n * line + 1);
    if (b == NULL)
        return NULL;
    for (size_t k = 0; k < r->n; k++) {
        char *p = b + k * line;
        memcpy(p, "key ", 4);
        sodium_bin2hex(p + 4, 2 * KEY_ID_BYTES + 1, r->ids[k], KEY_ID_BYTES);
        p[4 + 2 * KEY_ID_BYTES] = ' ';
        sodium_bin2hex(p + 5 + 2 * KEY_ID_BYTES, 2 * DATAKEY_BYTES + 1, r->keys + k * DATAKEY_BYTES,
                       DATAKEY_BYTES);
        p[line - 1] = '\n';
    }
    *n = r->n * line;
    b[*n] = '\0';
    return b;
}

static char *wrap_header(unsigned long long ops, size_t mem, const unsigned char salt[SALT_BYTES])
{
    char hex[2 * SALT_BYTES + 1];
    sodium_bin2hex(hex, sizeof hex, salt, SALT_BYTES);
    return xasprintf(MAGIC " argon2id %llu %zu %s\n", ops, mem, hex);
}

/* Writes data[0..n) to path through a temporary file beside it: 0600,
 * fsync, rename, fsync of the folder. */
static enum err file_replace(const char *path, const char *data, size_t n, bool exclusive,
                             char **errmsg)
{
    if (exclusive) {
        int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd < 0) {
            int saved = errno;
            *errmsg = xasprintf("cannot create key file %s: %s", path, strerror(saved));
            return saved == EEXIST ? ERR_CONFLICT : ERR_INTERNAL;
        }
        bool ok = fchmod(fd, 0600) == 0 && write(fd, data, n) == (ssize_t)n && fsync(fd) == 0;
        if (close(fd) != 0 || !ok) {
            *errmsg = xasprintf("cannot write key file %s: %s", path, strerror(errno));
            unlink(path);
            return ERR_INTERNAL;
        }
        return ERR_OK;
    }
    char *tmp = xasprintf("%s.new", path);
    unlink(tmp);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    bool ok =
        fd >= 0 && fchmod(fd, 0600) == 0 && write(fd, data, n) == (ssize_t)n && fsync(fd) == 0;
    if (fd >= 0 && close(fd) != 0)
        ok = false;
    if (ok && rename(tmp, path) != 0)
        ok = false;
    if (!ok) {
        *errmsg = xasprintf("cannot write key file %s: %s", path, strerror(errno));
        unlink(tmp);
        free(tmp);
        return ERR_INTERNAL;
    }
    free(tmp);
    char *dir = xstrdup(path);
    char *slash = strrchr(dir, '/');
    if (slash == NULL)
        snprintf(dir, strlen(dir) + 1, ".");
    else if (slash == dir)
        slash[1] = '\0';
    else
        *slash = '\0';
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    free(dir);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
    return ERR_OK;
}

/* The whole of r as k would write it (wrapped when k is), in
 * sodium_malloc'd memory; *n its length. */
static char *ring_file(const struct datakey *k, const struct ring *r, size_t *n)
{
    size_t bn;
    char *body = ring_body(r, &bn);
    if (body == NULL)
        return NULL;
    if (k == NULL || k->kek == NULL) {
        size_t hn = strlen(MAGIC "\n");
        char *f = sodium_malloc(hn + bn + 1);
        if (f != NULL) {
            memcpy(f, MAGIC "\n", hn);
            memcpy(f + hn, body, bn + 1);
            *n = hn + bn;
        }
        sodium_free(body);
        return f;
    }
    char *hdr = wrap_header(k->ops, k->mem, k->salt);
    size_t hn = strlen(hdr);
    size_t clen = bn + WRAP_TAG;
    unsigned char nonce[WRAP_NONCE];
    unsigned char *ct = xmalloc(clen);
    unsigned long long got;
    randombytes_buf(nonce, sizeof nonce);
    crypto_aead_xchacha20poly1305_ietf_encrypt(ct, &got, (const unsigned char *)body, bn,
                                               (const unsigned char *)hdr, hn - 1, NULL, nonce,
                                               k->kek);
    sodium_free(body);
    size_t total = hn + 2 * WRAP_NONCE + 2 * (size_t)got + 1;
    char *f = sodium_malloc(total + 1);
    if (f != NULL) {
        memcpy(f, hdr, hn);
        sodium_bin2hex(f + hn, 2 * WRAP_NONCE + 1, nonce, WRAP_NONCE);
        sodium_bin2hex(f + hn + 2 * WRAP_NONCE, 2 * (size_t)got + 1, ct, (size_t)got);
        f[total - 1] = '\n';
        f[total] = '\0';
        *n = total;
    }
    free(ct);
    free(hdr);
    return f;
}

/* ---- loading ---- */

/* Reads the whole key file (at most FILE_MAX bytes) into sodium_malloc'd
 * memory, after the policy checks: a regular file that neither group nor
 * others may read or write (like ssh with private keys); anything else is
 * refused, not merely warned about, because a key others can read no
 * longer protects anything. */
static enum err file_read(const char *path, char **out, size_t *n, struct stat *st, char **errmsg)
{
    *out = NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
        int saved = errno;
        *errmsg = xasprintf("cannot open key file %s: %s", path, strerror(saved));
        return saved == ENOENT ? ERR_NOT_FOUND : ERR_INTERNAL;
    }
    enum err e = ERR_INTERNAL;
    if (fstat(fd, st) != 0) {
        *errmsg = xasprintf("cannot stat key file %s: %s", path, strerror(errno));
        goto out;
    }
    if (!S_ISREG(st->st_mode) || st->st_size <= 0 || st->st_size > FILE_MAX) {
        *errmsg = xasprintf("key file %s is not a cbpn key file", path);
        goto out;
    }
    if ((st->st_mode & 077) != 0) {
        *errmsg = xasprintf("key file %s is open to group or others (mode %03o); "
                            "run: chmod 600 %s",
                            path, (unsigned)(st->st_mode & 0777), path);
        goto out;
    }
    size_t want = (size_t)st->st_size, got = 0;
    char *b = sodium_malloc(want + 1);
    if (b == NULL) {
        *errmsg = xasprintf("cannot allocate protected memory for the data key");
        goto out;
    }
    while (got < want) {
        ssize_t r = read(fd, b + got, want - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    if (got != want) {
        sodium_free(b);
        *errmsg = xasprintf("cannot read key file %s", path);
        goto out;
    }
    b[want] = '\0';
    *out = b;
    *n = want;
    e = ERR_OK;
out:
    close(fd);
    return e;
}

static bool parse_header(const char *line, unsigned long long *ops, size_t *mem,
                         unsigned char salt[SALT_BYTES])
{
    char hex[2 * SALT_BYTES + 2];
    unsigned long long o;
    size_t m;
    int used = 0;
    if (sscanf(line, MAGIC " argon2id %llu %zu %33s%n", &o, &m, hex, &used) != 3 ||
        line[used] != '\n' || strlen(hex) != 2 * SALT_BYTES || !hex_in(hex, SALT_BYTES, salt))
        return false;
    if (o < crypto_pwhash_OPSLIMIT_MIN || o > crypto_pwhash_OPSLIMIT_SENSITIVE ||
        m < crypto_pwhash_MEMLIMIT_MIN || m > crypto_pwhash_MEMLIMIT_SENSITIVE)
        return false;
    *ops = o;
    *mem = m;
    return true;
}

/* The ring of file b[0..n), unwrapped with kek when it is wrapped. */
static struct ring *ring_of_file(const char *b, size_t n, const unsigned char *kek,
                                 const char **why)
{
    if (n == DATAKEY_BYTES && memcmp(b, MAGIC, strlen(MAGIC)) != 0) {
        /* The first format: 32 raw bytes, one key. */
        struct ring *r = ring_new(1);
        if (r == NULL) {
            *why = "protected memory is short";
            return NULL;
        }
        memcpy(r->keys, b, DATAKEY_BYTES);
        crypto_key_id(r->keys, r->ids[0]);
        sodium_mprotect_readonly(r->keys);
        return r;
    }
    const char *nl = memchr(b, '\n', n);
    if (nl == NULL || (size_t)(nl - b) < strlen(MAGIC) || memcmp(b, MAGIC, strlen(MAGIC)) != 0) {
        *why = "it is not a cbpn key file";
        return NULL;
    }
    size_t hn = (size_t)(nl - b) + 1;
    if (hn == strlen(MAGIC "\n"))
        return ring_parse(b + hn, n - hn, why);
    if (kek == NULL) {
        *why = "it is wrapped by a passphrase";
        return NULL;
    }
    const char *w = b + hn;
    size_t wn = n - hn;
    if (wn < 2 * (WRAP_NONCE + WRAP_TAG) + 1 || wn % 2 != 1 || w[wn - 1] != '\n') {
        *why = "its wrapped keys are malformed";
        return NULL;
    }
    unsigned char nonce[WRAP_NONCE];
    size_t clen = (wn - 1) / 2 - WRAP_NONCE;
    unsigned char *ct = xmalloc(clen);
    char *body = sodium_malloc(clen);
    struct ring *r = NULL;
    unsigned long long bn;
    if (body == NULL)
        *why = "protected memory is short";
    else if (!hex_in(w, WRAP_NONCE, nonce) || !hex_in(w + 2 * WRAP_NONCE, clen, ct))
        *why = "its wrapped keys are malformed";
    else if (crypto_aead_xchacha20poly1305_ietf_decrypt((unsigned char *)body, &bn, NULL, ct, clen,
                                                        (const unsigned char *)b, hn - 1, nonce,
                                                        kek) != 0)
        *why = "the passphrase is wrong, or the file was altered";
    else
        r = ring_parse(body, (size_t)bn, why);
    free(ct);
    if (body != NULL)
        sodium_free(body);
    return r;
}

static unsigned char *kek_derive(const char *passphrase, unsigned long long ops, size_t mem,
                                 const unsigned char salt[SALT_BYTES])
{
    unsigned char *kek = sodium_malloc(DATAKEY_BYTES);
    if (kek == NULL)
        return NULL;
    if (crypto_pwhash(kek, DATAKEY_BYTES, passphrase, strlen(passphrase), salt, ops, mem,
                      crypto_pwhash_ALG_ARGON2ID13) != 0) {
        sodium_free(kek);
        return NULL;
    }
    sodium_mprotect_readonly(kek);
    return kek;
}

bool datakey_wrapped(const char *path)
{
    char *b = NULL;
    size_t n;
    struct stat st;
    char *msg = NULL;
    if (file_read(path, &b, &n, &st, &msg) != ERR_OK) {
        free(msg);
        return false;
    }
    bool w = n > strlen(MAGIC " argon2id") &&
             memcmp(b, MAGIC " argon2id", strlen(MAGIC " argon2id")) == 0;
    sodium_free(b);
    return w;
}

enum err datakey_load_passphrase(const char *path, const char *passphrase, struct datakey **out,
                                 char **errmsg)
{
    *out = NULL;
    char *b = NULL;
    size_t n;
    struct stat st;
    enum err e = file_read(path, &b, &n, &st, errmsg);
    if (e != ERR_OK)
        return e;
    struct datakey *k = xcalloc(1, sizeof *k);
    pthread_mutex_init(&k->mu, NULL);
    k->path = xstrdup(path);
    k->seen = st;
    const char *nl = memchr(b, '\n', n);
    if (nl != NULL && parse_header(b, &k->ops, &k->mem, k->salt)) {
        if (passphrase == NULL) {
            *errmsg = xasprintf("key file %s is wrapped by a passphrase: give it on standard "
                                "input or in CBPN_PASSPHRASE_FILE",
                                path);
            e = ERR_FORBIDDEN;
            goto fail;
        }
        k->kek = kek_derive(passphrase, k->ops, k->mem, k->salt);
        if (k->kek == NULL) {
            *errmsg = xasprintf("cannot derive the key of the passphrase (memory is short)");
            e = ERR_INTERNAL;
            goto fail;
        }
    } else if (nl != NULL && memcmp(b, MAGIC " ", strlen(MAGIC " ")) == 0) {
        *errmsg = xasprintf("key file %s: its wrapping is not one this cbpn knows", path);
        e = ERR_VALIDATION;
        goto fail;
    }
    const char *why = "it is not a cbpn key file";
    struct ring *r = ring_of_file(b, n, k->kek, &why);
    if (r == NULL) {
        *errmsg = xasprintf("key file %s cannot be used: %s", path, why);
        e = k->kek != NULL ? ERR_FORBIDDEN : ERR_VALIDATION;
        goto fail;
    }
    atomic_store(&k->ring, r);
    sodium_free(b);
    *out = k;
    return ERR_OK;
fail:
    sodium_free(b);
    datakey_free(k);
    return e;
}

enum err datakey_load(const char *path, struct datakey **out, char **errmsg)
{
    return datakey_load_passphrase(path, NULL, out, errmsg);
}

void datakey_free(struct datakey *k)
{
    if (k == NULL)
        return;
    ring_free(atomic_load(&k->ring));
    if (k->kek != NULL) {
        sodium_mprotect_readwrite(k->kek);
        sodium_free(k->kek);
    }
    pthread_mutex_destroy(&k->mu);
    free(k->path);
    free(k);
}

char *datakey_path_for(const char *db)
{
    return xasprintf("%s.key", db);
}

/* Reloads the file when it is not what was loaded (force: whatever the
 * clock says). A file that no longer loads keeps the ring in memory. */
static void ring_refresh(struct datakey *k, bool force)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC_COARSE, &now);
    if (!force && now.tv_sec - atomic_load(&k->checked) < RELOAD_SECONDS)
        return;
    pthread_mutex_lock(&k->mu);
    atomic_store(&k->checked, (long)now.tv_sec);
    struct stat st;
    if (stat(k->path, &st) != 0 || (st.st_ino == k->seen.st_ino && st.st_size == k->seen.st_size &&
                                    st.st_mtim.tv_sec == k->seen.st_mtim.tv_sec &&
                                    st.st_mtim.tv_nsec == k->seen.st_mtim.tv_nsec)) {
        pthread_mutex_unlock(&k->mu);
        return;
    }
    char *b = NULL, *msg = NULL;
    size_t n;
    const char *why = NULL;
    struct ring *r = NULL;
    if (file_read(k->path, &b, &n, &st, &msg) == ERR_OK) {
        r = ring_of_file(b, n, k->kek, &why);
        sodium_free(b);
    }
    free(msg);
    struct ring *old = atomic_load(&k->ring);
    /* A ring that lost a key would strand what that key sealed. */
    bool keeps = r != NULL && r->n >= old->n;
    for (size_t i = 0; keeps && i < old->n; i++)
        keeps = memcmp(r->ids[i], old->ids[i], KEY_ID_BYTES) == 0;
    if (keeps) {
        r->older = old;
        atomic_store(&k->ring, r);
        k->seen = st;
        log_info("data key file reloaded: %zu keys", r->n);
    } else {
        if (r != NULL || why != NULL)
            log_error("the data key file changed but cannot be used; keeping the keys in memory");
        ring_free(r);
    }
    pthread_mutex_unlock(&k->mu);
}

/* ---- what crypto.c seals and opens with ---- */

const unsigned char *datakey_current(const struct datakey *kc, unsigned char id[KEY_ID_BYTES])
{
    struct datakey *k = (struct datakey *)(uintptr_t)kc; /* the reload state is not the key */
    ring_refresh(k, false);
    struct ring *r = atomic_load(&k->ring);
    memcpy(id, r->ids[r->n - 1], KEY_ID_BYTES);
    return r->keys + (r->n - 1) * DATAKEY_BYTES;
}

const unsigned char *datakey_by_id(const struct datakey *kc, const unsigned char id[KEY_ID_BYTES])
{
    struct datakey *k = (struct datakey *)(uintptr_t)kc;
    for (int pass = 0; pass < 2; pass++) {
        struct ring *r = atomic_load(&k->ring);
        for (size_t i = r->n; i-- > 0;)
            if (memcmp(r->ids[i], id, KEY_ID_BYTES) == 0)
                return r->keys + i * DATAKEY_BYTES;
        if (pass == 0)
            ring_refresh(k, true);
    }
    return NULL;
}

const unsigned char *datakey_origin(const struct datakey *k)
{
    return atomic_load(&((struct datakey *)(uintptr_t)k)->ring)->keys;
}

const unsigned char *datakey_at(const struct datakey *k, size_t i)
{
    struct ring *r = atomic_load(&((struct datakey *)(uintptr_t)k)->ring);
    return r->keys + (i < r->n ? i : r->n - 1) * DATAKEY_BYTES;
}

/* ---- the commands' side ---- */

enum err datakey_create(const char *path, char **errmsg)
{
    struct ring *r = ring_new(1);
    if (r == NULL) {
        *errmsg = xasprintf("cannot allocate protected memory for the data key");
        return ERR_INTERNAL;
    }
    randombytes_buf(r->keys, DATAKEY_BYTES);
    crypto_key_id(r->keys, r->ids[0]);
    size_t n;
    char *f = ring_file(NULL, r, &n);
    ring_free(r);
    if (f == NULL) {
        *errmsg = xasprintf("cannot allocate protected memory for the data key");
        return ERR_INTERNAL;
    }
    enum err e = file_replace(path, f, n, true, errmsg);
    sodium_free(f);
    return e;
}

size_t datakey_count(const struct datakey *k)
{
    return atomic_load(&((struct datakey *)(uintptr_t)k)->ring)->n;
}

void datakey_id_hex(const struct datakey *k, size_t i, char out[KEY_ID_HEX])
{
    struct ring *r = atomic_load(&((struct datakey *)(uintptr_t)k)->ring);
    if (i >= r->n) {
        out[0] = '\0';
        return;
    }
    sodium_bin2hex(out, KEY_ID_HEX, r->ids[i], KEY_ID_BYTES);
}

bool datakey_is_wrapped(const struct datakey *k)
{
    return k->kek != NULL;
}

/* Writes r to k's file and makes it k's ring. */
static enum err ring_commit(struct datakey *k, struct ring *r, char **errmsg)
{
    size_t n;
    char *f = ring_file(k, r, &n);
    if (f == NULL) {
        ring_free(r);
        *errmsg = xasprintf("cannot allocate protected memory for the data key");
        return ERR_INTERNAL;
    }
    enum err e = file_replace(k->path, f, n, false, errmsg);
    sodium_free(f);
    if (e != ERR_OK) {
        ring_free(r);
        return e;
    }
    pthread_mutex_lock(&k->mu);
    r->older = atomic_load(&k->ring);
    atomic_store(&k->ring, r);
    stat(k->path, &k->seen);
    pthread_mutex_unlock(&k->mu);
    return ERR_OK;
}

enum err datakey_add(struct datakey *k, char **errmsg)
{
    struct ring *old = atomic_load(&k->ring);
    if (old->n >= RING_MAX) {
        *errmsg = xasprintf("the key file holds %d keys, the most it can", RING_MAX);
        return ERR_CONFLICT;
    }
    struct ring *r = ring_new(old->n + 1);
    if (r == NULL) {
        *errmsg = xasprintf("cannot allocate protected memory for the data key");
        return ERR_INTERNAL;
    }
    memcpy(r->keys, old->keys, old->n * DATAKEY_BYTES);
    memcpy(r->ids, old->ids, old->n * KEY_ID_BYTES);
    unsigned char *key = r->keys + old->n * DATAKEY_BYTES;
    randombytes_buf(key, DATAKEY_BYTES);
    crypto_key_id(key, r->ids[old->n]);
    sodium_mprotect_readonly(r->keys);
    return ring_commit(k, r, errmsg);
}

/* A copy of k's ring, to write again. */
static struct ring *ring_copy(const struct datakey *k)
{
    struct ring *old = atomic_load(&((struct datakey *)(uintptr_t)k)->ring);
    struct ring *r = ring_new(old->n);
    if (r == NULL)
        return NULL;
    memcpy(r->keys, old->keys, old->n * DATAKEY_BYTES);
    memcpy(r->ids, old->ids, old->n * KEY_ID_BYTES);
    sodium_mprotect_readonly(r->keys);
    return r;
}

enum err datakey_set_passphrase(struct datakey *k, const char *passphrase, char **errmsg)
{
    if (passphrase != NULL && strlen(passphrase) < PASSPHRASE_MIN) {
        *errmsg = xasprintf("a passphrase has at least %d characters", PASSPHRASE_MIN);
        return ERR_VALIDATION;
    }
    struct ring *r = ring_copy(k);
    if (r == NULL) {
        *errmsg = xasprintf("cannot allocate protected memory for the data key");
        return ERR_INTERNAL;
    }
    unsigned char *kek = NULL;
    unsigned long long ops = crypto_pwhash_OPSLIMIT_MODERATE;
    size_t mem = crypto_pwhash_MEMLIMIT_MODERATE;
    unsigned char salt[SALT_BYTES] = {0};
    if (passphrase != NULL) {
        randombytes_buf(salt, sizeof salt);
        kek = kek_derive(passphrase, ops, mem, salt);
        if (kek == NULL) {
            ring_free(r);
            *errmsg = xasprintf("cannot derive the key of the passphrase (memory is short)");
            return ERR_INTERNAL;
        }
    }
    pthread_mutex_lock(&k->mu);
    unsigned char *old = k->kek, old_salt[SALT_BYTES];
    unsigned long long old_ops = k->ops;
    size_t old_mem = k->mem;
    memcpy(old_salt, k->salt, sizeof old_salt);
    k->kek = kek;
    k->ops = ops;
    k->mem = mem;
    memcpy(k->salt, salt, sizeof salt);
    pthread_mutex_unlock(&k->mu);
    enum err e = ring_commit(k, r, errmsg);
    if (e != ERR_OK) { /* the file is as it was: so is k */
        pthread_mutex_lock(&k->mu);
        k->kek = old;
        k->ops = old_ops;
        k->mem = old_mem;
        memcpy(k->salt, old_salt, sizeof old_salt);
        old = kek;
        pthread_mutex_unlock(&k->mu);
    }
    if (old != NULL) {
        sodium_mprotect_readwrite(old);
        sodium_free(old);
    }
    return e;
}
