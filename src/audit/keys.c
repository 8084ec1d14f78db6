/* The audit keys' file: text, one key a line, mode 0600.
 *
 *   cbpn audit keys v1
 *   legacy_until SEQ
 *   sign HEX            the Ed25519 secret key (64 bytes)
 *   mac ID HEX          a MAC key (32 bytes) and its id; the last one is current
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit/keys.h"
#include "util/alloc.h"

#define KEYS_MAX    64
#define KEYS_HEADER "cbpn audit keys v1"
#define FILE_MAX    16384

struct mac_key {
    char id[AUDIT_KEY_ID_SIZE];
    unsigned char key[AUDIT_MAC_KEY_BYTES];
};

struct auditkeys {
    int64_t legacy_until;
    unsigned char sign_sk[crypto_sign_SECRETKEYBYTES];
    unsigned char sign_pk[crypto_sign_PUBLICKEYBYTES];
    size_t n;
    struct mac_key mac[KEYS_MAX];
};

char *auditkeys_path_for(const char *datakey_path)
{
    return xasprintf("%s.audit", datakey_path);
}

static struct auditkeys *keys_alloc(void)
{
    struct auditkeys *k = sodium_malloc(sizeof(*k));
    if (k == NULL)
        abort(); /* as xmalloc does when memory is out */
    memset(k, 0, sizeof(*k));
    return k;
}

void auditkeys_free(struct auditkeys *k)
{
    if (k != NULL)
        sodium_free(k); /* wipes before it frees */
}

/* A key's id: 8 bytes of BLAKE2b of the key, in hex. Says which key made
 * an entry without saying anything of the key. */
static void key_id(const unsigned char key[AUDIT_MAC_KEY_BYTES], char id[AUDIT_KEY_ID_SIZE])
{
    static const char tag[] = "cbpn audit key id";
    unsigned char h[8];
    crypto_generichash(h, sizeof h, key, AUDIT_MAC_KEY_BYTES, (const unsigned char *)tag,
                       sizeof tag - 1);
    sodium_bin2hex(id, AUDIT_KEY_ID_SIZE, h, sizeof h);
}

static void add_mac_key(struct auditkeys *k)
{
    struct mac_key *m = &k->mac[k->n++];
    crypto_generichash_keygen(m->key);
    key_id(m->key, m->id);
}

struct auditkeys *auditkeys_generate(int64_t legacy_until)
{
    struct auditkeys *k = keys_alloc();
    k->legacy_until = legacy_until < 0 ? 0 : legacy_until;
    crypto_sign_keypair(k->sign_pk, k->sign_sk);
    add_mac_key(k);
    return k;
}

const char *auditkeys_current_id(const struct auditkeys *k)
{
    return k->mac[k->n - 1].id;
}

const unsigned char *auditkeys_current_key(const struct auditkeys *k)
{
    return k->mac[k->n - 1].key;
}

const unsigned char *auditkeys_key(const struct auditkeys *k, const char *id)
{
    for (size_t i = 0; k != NULL && id != NULL && i < k->n; i++)
        if (strcmp(k->mac[i].id, id) == 0)
            return k->mac[i].key;
    return NULL;
}

bool auditkeys_has(const struct auditkeys *k, const char *id)
{
    return auditkeys_key(k, id) != NULL;
}

int64_t auditkeys_legacy_until(const struct auditkeys *k)
{
    return k->legacy_until;
}

const unsigned char *auditkeys_public(const struct auditkeys *k)
{
    return k->sign_pk;
}

void auditkeys_sign(const struct auditkeys *k, const unsigned char *m, size_t n,
                    unsigned char sig[64])
{
    crypto_sign_detached(sig, NULL, m, n, k->sign_sk);
}

/* The file's text, in sodium_malloc'd memory the caller frees. */
static char *keys_text(const struct auditkeys *k, size_t *len)
{
    size_t cap = 256 + k->n * 128 + 2 * sizeof k->sign_sk;
    char *t = sodium_malloc(cap);
    char hex[2 * crypto_sign_SECRETKEYBYTES + 1];
    if (t == NULL)
        abort();
    sodium_bin2hex(hex, sizeof hex, k->sign_sk, sizeof k->sign_sk);
    int n = snprintf(t, cap, "%s\nlegacy_until %" PRId64 "\nsign %s\n", KEYS_HEADER,
                     k->legacy_until, hex);
    for (size_t i = 0; i < k->n; i++) {
        sodium_bin2hex(hex, sizeof hex, k->mac[i].key, AUDIT_MAC_KEY_BYTES);
        n += snprintf(t + n, cap - (size_t)n, "mac %s %s\n", k->mac[i].id, hex);
    }
    sodium_memzero(hex, sizeof hex);
    *len = (size_t)n;
    return t;
}

static bool write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return false;
        p += w;
        n -= (size_t)w;
    }
    return true;
}

static void fsync_dir_of(const char *path)
{
    char *copy = xstrdup(path);
    int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        (void)fsync(fd);
        close(fd);
    }
    free(copy);
}

enum err audit_file_replace(const char *path, const char *data, size_t n, int mode, char **errmsg)
{
    char *tmp = xasprintf("%s.tmp%ld", path, (long)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, (mode_t)mode);
    if (fd < 0) {
        *errmsg = xasprintf("cannot write %s: %s", tmp, strerror(errno));
        free(tmp);
        return ERR_INTERNAL;
    }
    bool ok = fchmod(fd, (mode_t)mode) == 0 && write_all(fd, data, n) && fsync(fd) == 0;
    int saved = errno;
    ok = close(fd) == 0 && ok;
    if (ok && rename(tmp, path) != 0) {
        saved = errno;
        ok = false;
    }
    if (!ok) {
        *errmsg = xasprintf("cannot write %s: %s", path, strerror(saved));
        unlink(tmp);
        free(tmp);
        return ERR_INTERNAL;
    }
    free(tmp);
    fsync_dir_of(path);
    return ERR_OK;
}

enum err auditkeys_save(const struct auditkeys *k, const char *path, char **errmsg)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) {
        *errmsg = xasprintf("cannot create audit key file %s: %s", path, strerror(errno));
        return errno == EEXIST ? ERR_CONFLICT : ERR_INTERNAL;
    }
    size_t len;
    char *t = keys_text(k, &len);
    bool ok = write_all(fd, t, len) && fsync(fd) == 0;
    sodium_free(t);
    ok = close(fd) == 0 && ok;
    if (!ok) {
        *errmsg = xasprintf("cannot write audit key file %s", path);
        unlink(path);
        return ERR_INTERNAL;
    }
    fsync_dir_of(path);
    return ERR_OK;
}

/* hex of exactly n bytes into out; false otherwise. */
static bool hex_exact(const char *hex, unsigned char *out, size_t n)
{
    size_t got = 0;
    const char *end = NULL;
    return strlen(hex) == 2 * n && sodium_hex2bin(out, n, hex, 2 * n, NULL, &got, &end) == 0 &&
           got == n;
}

static bool keys_parse(struct auditkeys *k, char *text)
{
    char *save = NULL;
    char *line = strtok_r(text, "\n", &save);
    bool sign = false;
    if (line == NULL || strcmp(line, KEYS_HEADER) != 0)
        return false;
    line = strtok_r(NULL, "\n", &save);
    char *end = NULL;
    if (line == NULL || strncmp(line, "legacy_until ", 13) != 0)
        return false;
    k->legacy_until = strtoll(line + 13, &end, 10);
    if (*end != '\0' || k->legacy_until < 0)
        return false;
    while ((line = strtok_r(NULL, "\n", &save)) != NULL) {
        if (strncmp(line, "sign ", 5) == 0 && !sign) {
            if (!hex_exact(line + 5, k->sign_sk, sizeof k->sign_sk))
                return false;
            crypto_sign_ed25519_sk_to_pk(k->sign_pk, k->sign_sk);
            sign = true;
        } else if (strncmp(line, "mac ", 4) == 0 && k->n < KEYS_MAX) {
            struct mac_key *m = &k->mac[k->n];
            char id[AUDIT_KEY_ID_SIZE];
            if (strlen(line) != 4 + 16 + 1 + 2 * AUDIT_MAC_KEY_BYTES || line[20] != ' ' ||
                !hex_exact(line + 21, m->key, AUDIT_MAC_KEY_BYTES))
                return false;
            key_id(m->key, id);
            if (strncmp(line + 4, id, 16) != 0)
                return false; /* an id that is not its key's */
            memcpy(m->id, id, sizeof id);
            k->n++;
        } else {
            return false;
        }
    }
    return sign && k->n > 0;
}

enum err auditkeys_load(const char *path, struct auditkeys **out, char **errmsg)
{
    struct stat st;
    *out = NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
        int saved = errno;
        *errmsg = xasprintf("cannot open audit key file %s: %s", path, strerror(saved));
        return saved == ENOENT ? ERR_NOT_FOUND : ERR_INTERNAL;
    }
    enum err e = ERR_INTERNAL;
    char *text = NULL;
    struct auditkeys *k = NULL;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size <= 0 || st.st_size >= FILE_MAX) {
        *errmsg = xasprintf("audit key file %s is not a key file", path);
        goto out;
    }
    if ((st.st_mode & 077) != 0) {
        *errmsg = xasprintf("audit key file %s is open to group or others (mode %03o); "
                            "run: chmod 600 %s",
                            path, (unsigned)(st.st_mode & 0777), path);
        goto out;
    }
    text = sodium_malloc(FILE_MAX);
    if (text == NULL)
        abort();
    size_t got = 0;
    for (;;) {
        ssize_t r = read(fd, text + got, FILE_MAX - 1 - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            *errmsg = xasprintf("cannot read audit key file %s", path);
            goto out;
        }
        if (r == 0)
            break;
        got += (size_t)r;
    }
    text[got] = '\0';
    k = keys_alloc();
    if (strlen(text) != got || !keys_parse(k, text)) {
        *errmsg = xasprintf("audit key file %s is malformed", path);
        goto out;
    }
    *out = k;
    k = NULL;
    e = ERR_OK;
out:
    close(fd);
    if (text != NULL)
        sodium_free(text);
    auditkeys_free(k);
    return e;
}

enum err auditkeys_rotate(const char *path, char id[AUDIT_KEY_ID_SIZE], char **errmsg)
{
    struct auditkeys *k = NULL;
    enum err e = auditkeys_load(path, &k, errmsg);
    if (e != ERR_OK)
        return e;
    if (k->n >= KEYS_MAX) {
        *errmsg = xasprintf("audit key file %s holds %d keys already", path, KEYS_MAX);
        auditkeys_free(k);
        return ERR_CONFLICT;
    }
    add_mac_key(k);
    memcpy(id, auditkeys_current_id(k), AUDIT_KEY_ID_SIZE);
    size_t len;
    char *t = keys_text(k, &len);
    e = audit_file_replace(path, t, len, 0600, errmsg);
    sodium_free(t);
    auditkeys_free(k);
    return e;
}
