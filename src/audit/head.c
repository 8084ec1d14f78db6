/* Signed chain heads, outside the database: one file per server.
 *
 *   cbpn audit head v1
 *   server ID
 *   seq N
 *   link HEX        the entry's MAC (its hash for an entry written unkeyed)
 *   at TIME
 *   key HEX         the Ed25519 public key
 *   sig HEX         the signature of every line above, newlines included
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "audit/keys.h"
#include "util/alloc.h"
#include "util/log.h"

#define HEAD_HEADER    "cbpn audit head v1"
#define HEAD_MAX       1024
#define SIGNER_TICK_MS 200

bool audit_server_id_valid(const char *id)
{
    size_t n = id ? strlen(id) : 0;
    if (n == 0 || n >= AUDIT_SERVER_ID_SIZE || id[0] == '.')
        return false;
    for (size_t i = 0; i < n; i++) {
        char ch = id[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              ch == '.' || ch == '_' || ch == '-'))
            return false;
    }
    return true;
}

char *audit_head_path(const char *datakey_path, const char *server)
{
    return xasprintf("%s.head.%s", datakey_path, server);
}

/* The signed part of a head file. */
static int head_body(const struct audit_head *h, const unsigned char pk[32], char *out, size_t cap)
{
    char link[65], key[65];
    sodium_bin2hex(link, sizeof link, h->link, 32);
    sodium_bin2hex(key, sizeof key, pk, 32);
    return snprintf(out, cap, "%s\nserver %s\nseq %" PRId64 "\nlink %s\nat %s\nkey %s\n",
                    HEAD_HEADER, h->server, h->seq, link, h->at, key);
}

enum err audit_head_write(const struct auditkeys *k, const struct audit_head *h, const char *path,
                          char **errmsg)
{
    char buf[HEAD_MAX];
    unsigned char sig[64];
    char sighex[129];
    int n = head_body(h, auditkeys_public(k), buf, sizeof buf);
    if (n <= 0 || (size_t)n + 140 >= sizeof buf || !audit_server_id_valid(h->server)) {
        *errmsg = xasprintf("head for %s: bad server id", path);
        return ERR_INTERNAL;
    }
    auditkeys_sign(k, (const unsigned char *)buf, (size_t)n, sig);
    sodium_bin2hex(sighex, sizeof sighex, sig, sizeof sig);
    n += snprintf(buf + n, sizeof buf - (size_t)n, "sig %s\n", sighex);
    return audit_file_replace(path, buf, (size_t)n, 0644, errmsg);
}

static bool hex_exact(const char *hex, unsigned char *out, size_t n)
{
    size_t got = 0;
    return strlen(hex) == 2 * n && sodium_hex2bin(out, n, hex, 2 * n, NULL, &got, NULL) == 0 &&
           got == n;
}

/* "name value" at *p, up to its newline: the value, NUL-terminated in
 * place; *p moves past the line. NULL when the line is not that. */
static char *field(char **p, const char *name)
{
    size_t n = strlen(name);
    char *nl = strchr(*p, '\n');
    if (nl == NULL || strncmp(*p, name, n) != 0 || (*p)[n] != ' ')
        return NULL;
    *nl = '\0';
    char *v = *p + n + 1;
    *p = nl + 1;
    return v;
}

enum err audit_head_read(const struct auditkeys *k, const char *path, struct audit_head *h,
                         char **errmsg)
{
    char buf[HEAD_MAX], copy[HEAD_MAX];
    memset(h, 0, sizeof(*h));
    FILE *f = fopen(path, "re");
    if (f == NULL) {
        int saved = errno;
        *errmsg = xasprintf("cannot open head file %s: %s", path, strerror(saved));
        return saved == ENOENT ? ERR_NOT_FOUND : ERR_INTERNAL;
    }
    size_t len = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[len] = '\0';
    memcpy(copy, buf, len + 1);
    char *p = buf;
    char *end = NULL;
    unsigned char pk[32], sig[64];
    const char *sv, *seq, *link, *at, *key, *sg;
    if (strlen(buf) != len || strncmp(p, HEAD_HEADER "\n", sizeof HEAD_HEADER) != 0)
        goto malformed;
    p += sizeof HEAD_HEADER;
    if ((sv = field(&p, "server")) == NULL || (seq = field(&p, "seq")) == NULL ||
        (link = field(&p, "link")) == NULL || (at = field(&p, "at")) == NULL ||
        (key = field(&p, "key")) == NULL)
        goto malformed;
    size_t body = (size_t)(p - buf);
    if ((sg = field(&p, "sig")) == NULL || *p != '\0')
        goto malformed;
    if (!audit_server_id_valid(sv) || strlen(at) >= sizeof h->at || !hex_exact(link, h->link, 32) ||
        !hex_exact(key, pk, 32) || !hex_exact(sg, sig, 64))
        goto malformed;
    h->seq = strtoll(seq, &end, 10);
    if (*seq == '\0' || *end != '\0' || h->seq < 0)
        goto malformed;
    if (sodium_memcmp(pk, auditkeys_public(k), 32) != 0 ||
        crypto_sign_verify_detached(sig, (const unsigned char *)copy, body, pk) != 0) {
        *errmsg = xasprintf("head file %s is not signed by this deployment's audit key", path);
        memset(h, 0, sizeof(*h));
        return ERR_VALIDATION;
    }
    snprintf(h->server, sizeof h->server, "%s", sv);
    snprintf(h->at, sizeof h->at, "%s", at);
    return ERR_OK;
malformed:
    *errmsg = xasprintf("head file %s is malformed", path);
    memset(h, 0, sizeof(*h));
    return ERR_VALIDATION;
}

static int path_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

enum err audit_heads_find(const char *datakey_path, char ***paths, size_t *n)
{
    char *dcopy = xstrdup(datakey_path), *bcopy = xstrdup(datakey_path);
    const char *dir = dirname(dcopy);
    char *prefix = xasprintf("%s.head.", basename(bcopy));
    size_t plen = strlen(prefix), cap = 0;
    *paths = NULL;
    *n = 0;
    DIR *d = opendir(dir);
    enum err e = ERR_OK;
    if (d == NULL) {
        e = ERR_INTERNAL;
    } else {
        struct dirent *de;
        while ((de = readdir(d)) != NULL) {
            if (strncmp(de->d_name, prefix, plen) != 0 || !audit_server_id_valid(de->d_name + plen))
                continue; /* a temporary file ends in .tmpPID: that is an id too, and unsigned */
            if (strstr(de->d_name + plen, ".tmp") != NULL)
                continue;
            if (*n == cap) {
                cap = cap ? 2 * cap : 4;
                *paths = xrealloc(*paths, cap * sizeof(char *));
            }
            (*paths)[(*n)++] = xasprintf("%s/%s", dir, de->d_name);
        }
        closedir(d);
        if (*n > 1)
            qsort(*paths, *n, sizeof(char *), path_cmp);
    }
    free(prefix);
    free(dcopy);
    free(bcopy);
    return e;
}

/* ---- the server's signer ---- */

struct audit_signer {
    struct store *st;
    const struct auditkeys *k;
    char *path;
    char server[AUDIT_SERVER_ID_SIZE];
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool stop;
    bool held;     /* the file's head is not in the chain: left alone */
    bool written;  /* last holds what the file says */
    uint64_t seen; /* store_audit_commits when the head was read last */
    struct audit_head last;
};

static void head_of(const struct audit_head_row *row, const char *server, struct audit_head *h)
{
    memset(h, 0, sizeof(*h));
    snprintf(h->server, sizeof h->server, "%s", server);
    h->seq = row->seq;
    memcpy(h->link, row->has_mac ? row->mac : row->hash, 32);
    clock_stamp(h->at);
}

static bool head_in_chain(struct store_conn *c, const struct audit_head *h);

enum err audit_head_sign_now(struct store_conn *c, const struct auditkeys *k, const char *path,
                             const char *server, char **errmsg)
{
    struct audit_head_row row;
    struct audit_head h;
    enum err e = store_audit_head_read(c, &row);
    if (e != ERR_OK) {
        *errmsg = xasprintf("cannot read the audit head");
        return e;
    }
    head_of(&row, server, &h);
    /* As the server's signer: never over a head the log no longer reaches
     * (its tail cut), nor backwards. */
    struct audit_head old;
    char *msg = NULL;
    e = audit_head_read(k, path, &old, &msg);
    free(msg);
    if (e == ERR_OK && (old.seq > h.seq || !head_in_chain(c, &old))) {
        *errmsg = xasprintf("the signed head %s (entry %" PRId64 ") is not in the audit log: "
                            "the file is kept as it is (run cbpn audit verify)",
                            path, old.seq);
        return ERR_CONFLICT;
    }
    return audit_head_write(k, &h, path, errmsg);
}

/* Reads the committed head and rewrites the file if it moved on. */
static void signer_sign(struct audit_signer *s)
{
    struct store_conn *c = store_conn(s->st);
    struct audit_head_row row;
    if (c == NULL || store_audit_head_read(c, &row) != ERR_OK) {
        log_error("audit: cannot read the chain head to sign it");
        return;
    }
    struct audit_head h;
    head_of(&row, s->server, &h);
    pthread_mutex_lock(&s->mu);
    bool skip =
        s->held ||
        (s->written && (h.seq < s->last.seq ||
                        (h.seq == s->last.seq && sodium_memcmp(h.link, s->last.link, 32) == 0)));
    pthread_mutex_unlock(&s->mu);
    if (skip)
        return;
    char *msg = NULL;
    if (audit_head_write(s->k, &h, s->path, &msg) != ERR_OK) {
        log_error("audit: %s", msg ? msg : "cannot write the head");
        free(msg);
        return;
    }
    pthread_mutex_lock(&s->mu);
    s->last = h;
    s->written = true;
    pthread_mutex_unlock(&s->mu);
}

static void *signer_run(void *arg)
{
    struct audit_signer *s = arg;
    uint64_t seen = s->seen;
    pthread_mutex_lock(&s->mu);
    while (!s->stop) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += SIGNER_TICK_MS * 1000000L;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&s->cv, &s->mu, &ts);
        if (s->stop)
            break;
        uint64_t now = store_audit_commits(s->st);
        if (now == seen)
            continue;
        seen = now;
        pthread_mutex_unlock(&s->mu);
        signer_sign(s);
        pthread_mutex_lock(&s->mu);
    }
    pthread_mutex_unlock(&s->mu);
    signer_sign(s); /* at shutdown: what the last requests appended */
    return NULL;
}

/* The file's head, if any, must be in the chain with the same link. */
static bool head_in_chain(struct store_conn *c, const struct audit_head *h)
{
    if (h->seq == 0)
        return true;
    struct audit_rec *items = NULL;
    size_t n = 0;
    if (store_audit_range(c, h->seq - 1, 1, &items, &n) != ERR_OK)
        return false;
    bool ok = n == 1 && items[0].seq == h->seq && !items[0].malformed &&
              sodium_memcmp(items[0].has_mac ? items[0].mac : items[0].hash, h->link, 32) == 0;
    audit_list_free(items, n);
    return ok;
}

enum err audit_signer_start(struct store *st, const struct auditkeys *k, const char *path,
                            const char *server, struct audit_signer **out, char **errmsg)
{
    *out = NULL;
    if (!audit_server_id_valid(server)) {
        *errmsg = xasprintf("a server id is 1 to 64 letters, digits, '.', '_' or '-'");
        return ERR_VALIDATION;
    }
    struct audit_signer *s = xcalloc(1, sizeof(*s));
    s->st = st;
    s->k = k;
    s->path = xstrdup(path);
    snprintf(s->server, sizeof s->server, "%s", server);
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->cv, NULL);
    struct audit_head old;
    char *msg = NULL;
    enum err e = audit_head_read(k, path, &old, &msg);
    if (e == ERR_OK) {
        struct store_conn *c = store_conn(st);
        if (c == NULL || !head_in_chain(c, &old)) {
            log_error("audit: the signed head %s (entry %" PRId64 ") is not in the audit log: "
                      "the log was cut or rewritten; the file is kept as it is and no head "
                      "is signed (run cbpn audit verify)",
                      path, old.seq);
            s->held = true;
        } else {
            s->last = old;
            s->written = true;
        }
    } else if (e != ERR_NOT_FOUND) {
        log_error("audit: %s; the file is kept as it is and no head is signed", msg);
        s->held = true;
    }
    free(msg);
    /* read before the head is: a commit in between is signed at the next tick */
    s->seen = store_audit_commits(st);
    signer_sign(s); /* the head as the server finds it */
    if (pthread_create(&s->thread, NULL, signer_run, s) != 0) {
        *errmsg = xasprintf("cannot start the audit head signer");
        pthread_mutex_destroy(&s->mu);
        pthread_cond_destroy(&s->cv);
        free(s->path);
        free(s);
        return ERR_INTERNAL;
    }
    *out = s;
    return ERR_OK;
}

bool audit_signer_last(struct audit_signer *s, struct audit_head *h)
{
    if (s == NULL)
        return false;
    pthread_mutex_lock(&s->mu);
    bool ok = s->written;
    if (ok)
        *h = s->last;
    pthread_mutex_unlock(&s->mu);
    return ok;
}

void audit_signer_stop(struct audit_signer *s)
{
    if (s == NULL)
        return;
    pthread_mutex_lock(&s->mu);
    s->stop = true;
    pthread_cond_signal(&s->cv);
    pthread_mutex_unlock(&s->mu);
    pthread_join(s->thread, NULL);
    pthread_mutex_destroy(&s->mu);
    pthread_cond_destroy(&s->cv);
    free(s->path);
    free(s);
}
