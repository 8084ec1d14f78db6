#include "audit/audit.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"
#include "util/log.h"

#define VERIFY_PAGE 500

static const char *const action_codes[AUDIT__MAX] = {
    [AUDIT_READ] = "read",     [AUDIT_CREATE] = "create", [AUDIT_UPDATE] = "update",
    [AUDIT_LOGIN] = "login",   [AUDIT_LOGOUT] = "logout", [AUDIT_LOGIN_FAILED] = "login_failed",
    [AUDIT_ASSIGN] = "assign", [AUDIT_REFER] = "refer",   [AUDIT_CONSENT] = "consent",
    [AUDIT_NOTE] = "note",     [AUDIT_CLOSE] = "close",   [AUDIT_EXPORT] = "export",
    [AUDIT_IMPORT] = "import",
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

/* BLAKE2b-256 over a domain tag, prev_hash, seq and every field. */
static void entry_hash(const struct audit_rec *r, unsigned char out[32])
{
    static const char tag[] = "cbpn audit v1";
    crypto_generichash_state st;
    crypto_generichash_init(&st, NULL, 0, 32);
    crypto_generichash_update(&st, (const unsigned char *)tag, sizeof tag);
    crypto_generichash_update(&st, r->prev_hash, 32);
    put_u64(&st, (uint64_t)r->seq);
    put_str(&st, r->at);
    put_str(&st, r->user_id);
    put_str(&st, r->action);
    put_str(&st, r->record_type);
    put_str(&st, r->record_id);
    put_str(&st, r->detail);
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
    e = store_audit_last(c, &r.seq, r.prev_hash);
    if (e == ERR_OK) {
        r.seq++;
        clock_stamp(r.at);
        r.detail = detail ? xstrdup(detail) : NULL;
        entry_hash(&r, r.hash);
        e = store_audit_insert(c, &r);
    }
    audit_rec_free(&r);
    return store_end(c, e);
}

enum err audit_verify(struct store_conn *c, bool *ok, int64_t *entries, int64_t *first_bad)
{
    unsigned char prev[32] = {0};
    unsigned char h[32];
    int64_t last = 0;
    enum err e = ERR_OK;
    *ok = true;
    *entries = 0;
    *first_bad = 0;
    for (;;) {
        struct audit_rec *items = NULL;
        size_t n = 0;
        e = store_audit_range(c, last, VERIFY_PAGE, &items, &n);
        if (e != ERR_OK)
            return e;
        for (size_t i = 0; i < n && *ok; i++) {
            const struct audit_rec *r = &items[i];
            (*entries)++;
            entry_hash(r, h);
            if (r->malformed || r->seq != last + 1 || sodium_memcmp(r->prev_hash, prev, 32) != 0 ||
                sodium_memcmp(r->hash, h, 32) != 0) {
                *ok = false;
                *first_bad = r->seq;
            }
            last = r->seq;
            memcpy(prev, r->hash, 32);
        }
        audit_list_free(items, n);
        if (!*ok || n < VERIFY_PAGE)
            break;
    }
    if (!*ok)
        return ERR_OK;
    /* The chain must end at the head every append moved on: entries cut
     * from the end, or a head moved past them, show here. */
    int64_t head_seq = 0;
    unsigned char head[32];
    e = store_audit_last(c, &head_seq, head);
    if (e != ERR_OK)
        return e;
    if (head_seq != last || (last > 0 && sodium_memcmp(head, prev, 32) != 0)) {
        *ok = false;
        *first_bad = (head_seq > last ? last : head_seq) + 1;
    }
    return ERR_OK;
}
