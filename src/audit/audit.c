#include "audit/audit.h"

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

enum err audit_append(struct store_conn *c, const char *user_id, enum audit_action action,
                      const char *record_type, const char *record_id, const char *detail)
{
    struct audit_rec r;
    memset(&r, 0, sizeof r);
    const char *code = audit_action_code(action);
    if (code == NULL) {
        log_error("audit: invalid action %d", (int)action);
        return ERR_INTERNAL;
    }
    const struct auditkeys *k = process_keys;
    if (k == NULL) {
        log_error("audit: no audit key loaded");
        return ERR_INTERNAL;
    }
    if (!copy_field(r.user_id, sizeof r.user_id, user_id, "user_id") ||
        !copy_field(r.action, sizeof r.action, code, "action") ||
        !copy_field(r.record_type, sizeof r.record_type, record_type, "record_type") ||
        !copy_field(r.record_id, sizeof r.record_id, record_id, "record_id"))
        return ERR_INTERNAL;
    /* The head is read and moved on in one transaction (the caller's, when
     * there is one): concurrent writers, on any server, queue on its lock
     * and form one chain. */
    enum err e = store_begin(c);
    if (e != ERR_OK)
        return e;
    struct audit_head_row h;
    e = store_audit_last(c, &h);
    if (e == ERR_OK) {
        r.seq = h.seq + 1;
        memcpy(r.prev_hash, h.hash, 32);
        clock_stamp(r.at);
        r.detail = detail ? xstrdup(detail) : NULL;
        entry_hash(&r, r.hash);
        memcpy(r.key_id, auditkeys_current_id(k), AUDIT_KEY_ID_SIZE);
        entry_mac(auditkeys_current_key(k), h.has_mac ? h.mac : h.hash, &r, r.mac);
        r.has_mac = true;
        e = store_audit_insert(c, &r);
    }
    audit_rec_free(&r);
    return store_end(c, e);
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
