#include "audit/audit.h"

#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "audit/keys.h"
#include "util/alloc.h"
#include "util/log.h"

#define VERIFY_PAGE 500

static const char *const action_codes[AUDIT__MAX] = {
    [AUDIT_READ] = "read",     [AUDIT_CREATE] = "create", [AUDIT_UPDATE] = "update",
    [AUDIT_LOGIN] = "login",   [AUDIT_LOGOUT] = "logout", [AUDIT_LOGIN_FAILED] = "login_failed",
    [AUDIT_ASSIGN] = "assign", [AUDIT_REFER] = "refer",   [AUDIT_CONSENT] = "consent",
    [AUDIT_NOTE] = "note",     [AUDIT_CLOSE] = "close",   [AUDIT_EXPORT] = "export",
    [AUDIT_IMPORT] = "import", [AUDIT_DENIED] = "denied", [AUDIT_VERIFY] = "verify",
    [AUDIT_ERASE] = "erase",
};

const char *audit_action_code(enum audit_action a)
{
    if ((int)a < 0 || a >= AUDIT__MAX)
        return NULL;
    return action_codes[a];
}

static void put_u64(crypto_generichash_state *st, uint64_t v)
{
    unsigned char b[8];
    for (int i = 7; i >= 0; i--) {
        b[i] = (unsigned char)(v & 0xff);
        v >>= 8;
    }
    crypto_generichash_update(st, b, sizeof b);
}

/* A string as its length (8 bytes, big-endian) and its bytes: no two
 * different field lists encode alike. NULL is "". */
static void put_str(crypto_generichash_state *st, const char *s)
{
    size_t n = s ? strlen(s) : 0;
    put_u64(st, (uint64_t)n);
    if (n)
        crypto_generichash_update(st, (const unsigned char *)s, n);
}

static void put_fields(crypto_generichash_state *st, const struct audit_rec *r)
{
    put_u64(st, (uint64_t)r->seq);
    put_str(st, r->at);
    put_str(st, r->user_id);
    put_str(st, r->action);
    put_str(st, r->record_type);
    put_str(st, r->record_id);
    put_str(st, r->detail);
}

/* BLAKE2b-256 over a domain tag, prev_hash, seq and every field: the
 * unkeyed chain every entry still carries. */
static void entry_hash(const struct audit_rec *r, unsigned char out[32])
{
    static const char tag[] = "cbpn audit v1";
    crypto_generichash_state st;
    crypto_generichash_init(&st, NULL, 0, 32);
    crypto_generichash_update(&st, (const unsigned char *)tag, sizeof tag);
    crypto_generichash_update(&st, r->prev_hash, 32);
    put_fields(&st, r);
    crypto_generichash_final(&st, out, 32);
}

/* Keyed BLAKE2b-256 (the audit key) over a domain tag, the previous
 * entry's link (its MAC, or its hash when it was written unkeyed; zero for
 * the first), seq, every field and the key's id. */
static void entry_mac(const unsigned char key[AUDIT_MAC_KEY_BYTES], const unsigned char link[32],
                      const struct audit_rec *r, unsigned char out[32])
{
    static const char tag[] = "cbpn audit mac v1";
    crypto_generichash_state st;
    crypto_generichash_init(&st, key, AUDIT_MAC_KEY_BYTES, 32);
    crypto_generichash_update(&st, (const unsigned char *)tag, sizeof tag);
    crypto_generichash_update(&st, link, 32);
    put_fields(&st, r);
    put_str(&st, r->key_id);
    crypto_generichash_final(&st, out, 32);
}

static bool copy_field(char *dst, size_t cap, const char *src, const char *what)
{
    size_t n = src ? strlen(src) : 0;
    if (n >= cap) {
        log_error("audit: %s too long (%zu bytes)", what, n);
        return false;
    }
    memcpy(dst, src ? src : "", n);
    dst[n] = '\0';
    return true;
}

static const struct auditkeys *process_keys;

void audit_use_keys(const struct auditkeys *k)
{
    process_keys = k;
}

const struct auditkeys *audit_keys(void)
{
    return process_keys;
}

/* The fields of an entry from the caller's arguments (r->detail a copy:
 * audit_rec_free); false, logged, when one cannot be an entry. */
static bool entry_prepare(struct audit_rec *r, const char *user_id, enum audit_action action,
                          const char *record_type, const char *record_id, const char *detail)
{
    memset(r, 0, sizeof(*r));
    const char *code = audit_action_code(action);
    if (code == NULL) {
        log_error("audit: invalid action %d", (int)action);
        return false;
    }
    if (process_keys == NULL) {
        log_error("audit: no audit key loaded");
        return false;
    }
    if (!copy_field(r->user_id, sizeof r->user_id, user_id, "user_id") ||
        !copy_field(r->action, sizeof r->action, code, "action") ||
        !copy_field(r->record_type, sizeof r->record_type, record_type, "record_type") ||
        !copy_field(r->record_id, sizeof r->record_id, record_id, "record_id"))
        return false;
    r->detail = detail ? xstrdup(detail) : NULL;
    return true;
}

/* Chains r onto the head and writes it, inside c's transaction: seq,
 * prev_hash, at, hash, key id and MAC are set here. */
static enum err entry_write(struct store_conn *c, struct audit_rec *r)
{
    const struct auditkeys *k = process_keys;
    struct audit_head_row h;
    enum err e = store_audit_last(c, &h);
    if (e != ERR_OK)
        return e;
    r->seq = h.seq + 1;
    memcpy(r->prev_hash, h.hash, 32);
    if (r->at[0] == '\0')
        clock_stamp(r->at);
    entry_hash(r, r->hash);
    memcpy(r->key_id, auditkeys_current_id(k), AUDIT_KEY_ID_SIZE);
    entry_mac(auditkeys_current_key(k), h.has_mac ? h.mac : h.hash, r, r->mac);
    r->has_mac = true;
    return store_audit_insert(c, r);
}

/* ---- the group commit ----
 * A caller outside any transaction queues its entry and waits. The first
 * waiter that finds no batch being written becomes the writer: it takes
 * the queued entries of its store (up to AUDIT_BATCH_MAX, in queue order),
 * writes them in one transaction on its own connection, and wakes every
 * caller of the batch with the commit's outcome; a caller still queued
 * then becomes the next writer. Whenever the queue holds an entry, its
 * caller is waiting and a writer is at work or about to be: the queue
 * drains by itself, and a server that waits for its requests at shutdown
 * leaves nothing in it. */
struct pending {
    struct store *store;
    struct audit_rec r;
    bool done;
    enum err result;
    struct pending *next;
};

static pthread_mutex_t batch_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t batch_cv = PTHREAD_COND_INITIALIZER;
static struct pending *batch_queue;
static bool batch_writing;
static uint64_t batch_count, batch_entries; /* under batch_mu */
static audit_batch_hook_fn *batch_hook;
static void *batch_hook_arg;

void audit_batch_stats(uint64_t *batches, uint64_t *entries)
{
    pthread_mutex_lock(&batch_mu);
    *batches = batch_count;
    *entries = batch_entries;
    pthread_mutex_unlock(&batch_mu);
}

void audit_batch_test_hook(audit_batch_hook_fn *fn, void *arg)
{
    pthread_mutex_lock(&batch_mu);
    batch_hook = fn;
    batch_hook_arg = arg;
    pthread_mutex_unlock(&batch_mu);
}

/* One transaction for the batch, again when the database undid it whole. */
static enum err batch_write(struct store_conn *c, struct pending **take, size_t n)
{
    enum err e;
    for (int attempt = 0;; attempt++) {
        e = store_begin(c);
        for (size_t i = 0; e == ERR_OK && i < n; i++)
            e = entry_write(c, &take[i]->r);
        if (e == ERR_OK && batch_hook != NULL)
            e = batch_hook(n, batch_hook_arg);
        e = store_end(c, e);
        if (e == ERR_OK || attempt == AUDIT_BATCH_RETRIES || !store_retry_advised(c))
            break;
    }
    if (e != ERR_OK)
        log_error("audit: a batch of %zu entries was not written", n);
    return e;
}

/* Under batch_mu: moves up to AUDIT_BATCH_MAX queued entries of st, in
 * order, into take. */
static size_t batch_take(struct store *st, struct pending **take)
{
    size_t n = 0;
    for (struct pending **pp = &batch_queue; *pp != NULL && n < AUDIT_BATCH_MAX;) {
        if ((*pp)->store == st) {
            take[n++] = *pp;
            *pp = (*pp)->next;
        } else {
            pp = &(*pp)->next;
        }
    }
    return n;
}

static enum err batch_append(struct store_conn *c, struct pending *p)
{
    struct pending *take[AUDIT_BATCH_MAX];
    p->store = store_of(c);
    pthread_mutex_lock(&batch_mu);
    struct pending **tail = &batch_queue;
    while (*tail != NULL)
        tail = &(*tail)->next;
    *tail = p;
    while (!p->done) {
        if (batch_writing) {
            pthread_cond_wait(&batch_cv, &batch_mu);
            continue;
        }
        batch_writing = true;
        size_t n = batch_take(p->store, take);
        pthread_mutex_unlock(&batch_mu);
        enum err e = batch_write(c, take, n);
        pthread_mutex_lock(&batch_mu);
        for (size_t i = 0; i < n; i++) {
            take[i]->result = e;
            take[i]->done = true;
        }
        if (e == ERR_OK) {
            batch_count++;
            batch_entries += n;
        }
        batch_writing = false;
        pthread_cond_broadcast(&batch_cv);
    }
    pthread_mutex_unlock(&batch_mu);
    return p->result;
}

enum err audit_append(struct store_conn *c, const char *user_id, enum audit_action action,
                      const char *record_type, const char *record_id, const char *detail)
{
    struct pending p;
    memset(&p, 0, sizeof p);
    if (!entry_prepare(&p.r, user_id, action, record_type, record_id, detail)) {
        audit_rec_free(&p.r);
        return ERR_INTERNAL;
    }
    enum err e;
    if (store_in_tx(c)) {
        /* The head is read and moved on in the caller's transaction:
         * concurrent writers, on any server, queue on its lock and form
         * one chain. */
        e = store_begin(c);
        if (e == ERR_OK)
            e = store_end(c, entry_write(c, &p.r));
    } else {
        e = batch_append(c, &p);
    }
    audit_rec_free(&p.r);
    return e;
}

enum err audit_append_at(struct store_conn *c, const char *at, const char *user_id,
                         enum audit_action action, const char *record_type, const char *record_id,
                         const char *detail)
{
    struct audit_rec r;
    if (!store_in_tx(c) || at == NULL || strlen(at) >= sizeof r.at)
        return ERR_INTERNAL;
    if (!entry_prepare(&r, user_id, action, record_type, record_id, detail)) {
        audit_rec_free(&r);
        return ERR_INTERNAL;
    }
    memcpy(r.at, at, strlen(at) + 1);
    enum err e = store_begin(c);
    if (e == ERR_OK)
        e = store_end(c, entry_write(c, &r));
    audit_rec_free(&r);
    return e;
}

static void fail_at(struct audit_check *out, int64_t seq, const char *why)
{
    if (out->ok || seq < out->first_bad) {
        out->first_bad = seq;
        out->why = why;
    }
    out->ok = false;
}

/* One entry against the one before it (prev_hash, link): false when it is
 * not what audit_append wrote. */
static bool entry_good(const struct auditkeys *k, const struct audit_rec *r, int64_t last,
                       const unsigned char prev_hash[32], const unsigned char link[32])
{
    unsigned char h[32];
    if (r->malformed || r->seq != last + 1 || sodium_memcmp(r->prev_hash, prev_hash, 32) != 0)
        return false;
    entry_hash(r, h);
    if (sodium_memcmp(r->hash, h, 32) != 0)
        return false;
    if (r->seq <= auditkeys_legacy_until(k))
        return !r->has_mac; /* written before the chain was keyed */
    const unsigned char *key = r->has_mac ? auditkeys_key(k, r->key_id) : NULL;
    if (key == NULL)
        return false; /* unkeyed after the chain was keyed, or a key nobody holds */
    entry_mac(key, link, r, h);
    return sodium_memcmp(r->mac, h, 32) == 0;
}

enum err audit_verify_full(struct store_conn *c, const struct auditkeys *k,
                           const struct audit_head *heads, size_t nheads, struct audit_check *out)
{
    unsigned char prev[32] = {0}, link[32] = {0};
    bool keyed = false;
    int64_t last = 0;
    enum err e = ERR_OK;
    memset(out, 0, sizeof(*out));
    out->ok = true;
    out->heads = (int64_t)nheads;
    if (k == NULL) {
        log_error("audit: no audit key loaded");
        return ERR_INTERNAL;
    }
    bool *seen = nheads ? xcalloc(nheads, sizeof(bool)) : NULL;
    for (size_t i = 0; i < nheads; i++)
        if (heads[i].seq > out->head_seq)
            out->head_seq = heads[i].seq;
    for (;;) {
        struct audit_rec *items = NULL;
        size_t n = 0;
        e = store_audit_range(c, last, VERIFY_PAGE, &items, &n);
        if (e != ERR_OK) {
            free(seen);
            return e;
        }
        for (size_t i = 0; i < n && out->ok; i++) {
            const struct audit_rec *r = &items[i];
            out->entries++;
            if (!entry_good(k, r, last, prev, link)) {
                fail_at(out, r->seq, "entry");
                break;
            }
            last = r->seq;
            memcpy(prev, r->hash, 32);
            memcpy(link, r->has_mac ? r->mac : r->hash, 32);
            keyed = r->has_mac;
            /* a signed head names this entry: it must be this entry */
            for (size_t j = 0; j < nheads; j++)
                if (heads[j].seq == r->seq) {
                    seen[j] = true;
                    if (sodium_memcmp(heads[j].link, link, 32) != 0)
                        fail_at(out, r->seq, "signed_head");
                }
        }
        audit_list_free(items, n);
        if (!out->ok || n < VERIFY_PAGE)
            break;
    }
    if (!out->ok) {
        free(seen);
        return ERR_OK;
    }
    /* The chain must end at the head every append moved on: entries cut
     * from the end, or a head moved past them, show here. */
    struct audit_head_row h;
    e = store_audit_last(c, &h);
    if (e == ERR_OK && (h.seq != last || (last > 0 && sodium_memcmp(h.hash, prev, 32) != 0) ||
                        h.has_mac != keyed || (keyed && sodium_memcmp(h.mac, link, 32) != 0)))
        fail_at(out, (h.seq > last ? last : h.seq) + 1, "head");
    /* ... and reach every signed head: a tail cut together with the
     * in-database head still shows against a head outside the database. */
    for (size_t j = 0; e == ERR_OK && j < nheads; j++)
        if (heads[j].seq > last)
            fail_at(out, last + 1, "truncated");
        else if (heads[j].seq > 0 && !seen[j])
            fail_at(out, heads[j].seq, "signed_head");
    free(seen);
    return e;
}

enum err audit_verify(struct store_conn *c, bool *ok, int64_t *entries, int64_t *first_bad)
{
    struct audit_check chk;
    enum err e = audit_verify_full(c, process_keys, NULL, 0, &chk);
    *ok = chk.ok;
    *entries = chk.entries;
    *first_bad = chk.first_bad;
    return e;
}
