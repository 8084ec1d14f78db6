/* audit: the keyed chain, and what audit_verify finds when someone with the
 * database file in hand edits, deletes, inserts, reorders or cuts entries,
 * also after recomputing every hash (unkeyed, or under a key of her own),
 * and rewriting the in-database head; the signed heads and their signer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "audit_fixture.h"
#include "tmpdir.h"

#include <dirent.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "audit/audit.h"
#include "crypto/crypto.h"
#include "util/log.h"

struct fixture {
    char dir[TMPDIR_SIZE];
    char db[128];
    struct store *st;
    struct store_conn *c;
};

static int open_store(struct fixture *f)
{
    char *msg = NULL;
    if (store_open(f->db, true, &f->st, &msg) != ERR_OK) {
        fprintf(stderr, "store_open: %s\n", msg ? msg : "?");
        free(msg);
        return -1;
    }
    f->c = store_conn(f->st);
    return f->c ? 0 : -1;
}

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    if (!tmpdir_make(f->dir))
        return -1;
    snprintf(f->db, sizeof f->db, "%s/cbpn.db", f->dir);
    *state = f;
    return open_store(f);
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    store_close(f->st);
    tmpdir_remove(f->dir);
    free(f);
    return 0;
}

/* Ten entries: seq 1..10. */
static void append_ten(struct fixture *f)
{
    char id[ID_SIZE];
    assert_int_equal(store_begin(f->c), ERR_OK);
    for (int i = 0; i < 10; i++) {
        crypto_random_id(id);
        assert_int_equal(audit_append(f->c, i % 3 ? id : "", (enum audit_action)(i % AUDIT__MAX),
                                      "case", id, i % 2 ? "status=reported" : NULL),
                         ERR_OK);
    }
    assert_int_equal(store_commit(f->c), ERR_OK);
}

static void verify(struct fixture *f, bool want_ok, int64_t want_entries, int64_t want_bad)
{
    bool ok = !want_ok;
    int64_t entries = -1, bad = -1;
    assert_int_equal(audit_verify(f->c, &ok, &entries, &bad), ERR_OK);
    assert_int_equal(ok, want_ok);
    assert_int_equal(entries, want_entries);
    assert_int_equal(bad, want_bad);
}

/* What an attacker with write access to the file does: close cbpn's store,
 * drop the append-only triggers, run sql, reopen. */
static void tamper(struct fixture *f, const char *sql)
{
    sqlite3 *db = NULL;
    char *err = NULL;
    store_close(f->st);
    f->st = NULL;
    assert_int_equal(sqlite3_open(f->db, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db,
                                  "DROP TRIGGER IF EXISTS audit_no_update;"
                                  "DROP TRIGGER IF EXISTS audit_no_delete;",
                                  NULL, NULL, &err),
                     SQLITE_OK);
    if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK) {
        fprintf(stderr, "tamper: %s\n", err);
        fail();
    }
    assert_int_equal(sqlite3_changes(db) > 0, 1);
    sqlite3_close(db);
    assert_int_equal(open_store(f), 0);
}

static void test_action_codes(void **state)
{
    (void)state;
    static const char *const want[] = {"read",  "create", "update",
                                       "login", "logout", "login_failed"};
    for (int a = 0; a < 6; a++)
        assert_string_equal(audit_action_code((enum audit_action)a), want[a]);
    for (int a = 0; a < AUDIT__MAX; a++) {
        const char *code = audit_action_code((enum audit_action)a);
        assert_non_null(code);
        assert_true(strlen(code) > 0 && strlen(code) < 24);
        for (int b = 0; b < a; b++)
            assert_string_not_equal(code, audit_action_code((enum audit_action)b));
    }
    assert_null(audit_action_code(AUDIT__MAX));
    assert_null(audit_action_code((enum audit_action) - 1));
}

static void test_empty_log_verifies(void **state)
{
    struct fixture *f = *state;
    verify(f, true, 0, 0);
}

static void test_chain(void **state)
{
    struct fixture *f = *state;
    append_ten(f);
    verify(f, true, 10, 0);

    struct audit_rec *items = NULL;
    size_t n = 0;
    unsigned char zero[32] = {0};
    assert_int_equal(store_audit_range(f->c, 0, 100, &items, &n), ERR_OK);
    assert_int_equal(n, 10);
    assert_memory_equal(items[0].prev_hash, zero, 32);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(items[i].seq, (int64_t)i + 1);
        assert_int_equal(strlen(items[i].at), 24);
        assert_string_equal(items[i].record_type, "case");
        if (i > 0)
            assert_memory_equal(items[i].prev_hash, items[i - 1].hash, 32);
        assert_memory_not_equal(items[i].hash, zero, 32);
    }
    assert_string_equal(items[1].detail, "status=reported");
    assert_string_equal(items[3].action, "login");
    audit_list_free(items, n);

    /* more later, in another transaction, chain on */
    assert_int_equal(store_begin(f->c), ERR_OK);
    assert_int_equal(audit_append(f->c, "", AUDIT_EXPORT, "report", NULL, NULL), ERR_OK);
    assert_int_equal(store_commit(f->c), ERR_OK);
    verify(f, true, 11, 0);
}

static void test_bad_arguments(void **state)
{
    struct fixture *f = *state;
    char longid[64];
    memset(longid, 'a', sizeof longid - 1);
    longid[sizeof longid - 1] = '\0';
    assert_int_equal(store_begin(f->c), ERR_OK);
    assert_int_equal(audit_append(f->c, "", AUDIT__MAX, "case", "x", NULL), ERR_INTERNAL);
    assert_int_equal(audit_append(f->c, "", AUDIT_READ, "case", longid, NULL), ERR_INTERNAL);
    assert_int_equal(audit_append(f->c, longid, AUDIT_READ, "case", "x", NULL), ERR_INTERNAL);
    assert_int_equal(audit_append(f->c, "", AUDIT_READ, longid, "x", NULL), ERR_INTERNAL);
    store_rollback(f->c);
    verify(f, true, 0, 0);
}

static void test_edited_detail(void **state)
{
    struct fixture *f = *state;
    append_ten(f);
    tamper(f, "UPDATE audit SET detail = 'status=closed' WHERE seq = 4");
    verify(f, false, 4, 4);
}

static void test_edited_who(void **state)
{
    struct fixture *f = *state;
    append_ten(f);
    tamper(f, "UPDATE audit SET user_id = 'aaaaaaaaaaaaaaaaaaaa' WHERE seq = 7");
    verify(f, false, 7, 7);
}

static void test_rehashed_entry(void **state)
{
    /* an edit that also rewrites the entry's own hash breaks the next link */
    struct fixture *f = *state;
    append_ten(f);
    tamper(f, "UPDATE audit SET action = 'read', hash = zeroblob(32) WHERE seq = 5");
    verify(f, false, 5, 5);
    tamper(f, "UPDATE audit SET hash = (SELECT prev_hash FROM audit WHERE seq = 6)"
              " WHERE seq = 5");
    verify(f, false, 5, 5); /* its own content still does not match */
}

static void test_deleted_entry(void **state)
{
    struct fixture *f = *state;
    append_ten(f);
    tamper(f, "DELETE FROM audit WHERE seq = 3");
    verify(f, false, 3, 4); /* 1, 2 fine; 4 does not follow 2 */
}

static void test_deleted_first(void **state)
{
    struct fixture *f = *state;
    append_ten(f);
    tamper(f, "DELETE FROM audit WHERE seq = 1");
    verify(f, false, 1, 2);
}

static void test_cut_from_end(void **state)
{
    /* the last entries removed: the chain that is left is whole, but it
     * no longer reaches the head the appends moved on */
    struct fixture *f = *state;
    append_ten(f);
    tamper(f, "DELETE FROM audit WHERE seq > 8");
    verify(f, false, 8, 9);
}

static void test_head_past_the_log(void **state)
{
    struct fixture *f = *state;
    append_ten(f);
    tamper(f, "UPDATE audit_head SET seq = 11");
    verify(f, false, 10, 11);
    tamper(f, "UPDATE audit_head SET seq = 10, hash = zeroblob(32)");
    verify(f, false, 10, 11);
}

static void test_renumbered(void **state)
{
    /* delete one and close the gap: the links give it away */
    struct fixture *f = *state;
    append_ten(f);
    tamper(f, "DELETE FROM audit WHERE seq = 6;"
              "UPDATE audit SET seq = -seq WHERE seq > 6;"
              "UPDATE audit SET seq = -seq - 1 WHERE seq < 0");
    verify(f, false, 6, 6);
}

static void test_long_chain_pages(void **state)
{
    /* more entries than one page of audit_verify */
    struct fixture *f = *state;
    assert_int_equal(store_begin(f->c), ERR_OK);
    for (int i = 0; i < 1203; i++)
        assert_int_equal(audit_append(f->c, "", AUDIT_READ, "case", "c", NULL), ERR_OK);
    assert_int_equal(store_commit(f->c), ERR_OK);
    verify(f, true, 1203, 0);
    tamper(f, "UPDATE audit SET record_id = 'd' WHERE seq = 1001");
    verify(f, false, 1001, 1001);
}

static void test_lengthened_field(void **state)
{
    /* a field at its full width (ids, times) lengthened: the store must not
     * cut it back to what the hash covered */
    struct fixture *f = *state;
    append_ten(f);
    tamper(f, "UPDATE audit SET record_id = record_id || 'forged' WHERE seq = 4");
    verify(f, false, 4, 4);
}

static void test_lengthened_time(void **state)
{
    struct fixture *f = *state;
    append_ten(f);
    tamper(f, "UPDATE audit SET at = at || ' (forged)' WHERE seq = 2");
    verify(f, false, 2, 2);
}

static void test_hidden_after_nul(void **state)
{
    /* text after a NUL byte is text all the same */
    struct fixture *f = *state;
    append_ten(f);
    tamper(f, "UPDATE audit SET action = action || char(0) || 'x' WHERE seq = 5");
    verify(f, false, 5, 5);
    tamper(f, "UPDATE audit SET action = CAST(substr(CAST(action AS BLOB), 1,"
              " length(CAST(action AS BLOB)) - 2) AS TEXT) WHERE seq = 5;"
              "UPDATE audit SET detail = detail || char(0) || 'x' WHERE seq = 6");
    verify(f, false, 6, 6);
}

static void test_malformed_hash_column(void **state)
{
    /* a prev_hash that is not 32 bytes is not the zero hash */
    struct fixture *f = *state;
    append_ten(f);
    tamper(f, "PRAGMA ignore_check_constraints = ON;"
              "UPDATE audit SET prev_hash = zeroblob(33) WHERE seq = 1");
    verify(f, false, 1, 1);
}

/* ---- the attacker's tools: the documented scheme, recomputed ---- */

static void att_u64(crypto_generichash_state *st, uint64_t v)
{
    unsigned char b[8];
    for (int i = 7; i >= 0; i--) {
        b[i] = (unsigned char)(v & 0xff);
        v >>= 8;
    }
    crypto_generichash_update(st, b, sizeof b);
}

static void att_str(crypto_generichash_state *st, const char *s)
{
    size_t n = s ? strlen(s) : 0;
    att_u64(st, (uint64_t)n);
    if (n)
        crypto_generichash_update(st, (const unsigned char *)s, n);
}

static void att_fields(crypto_generichash_state *st, const struct audit_rec *r)
{
    att_u64(st, (uint64_t)r->seq);
    att_str(st, r->at);
    att_str(st, r->user_id);
    att_str(st, r->action);
    att_str(st, r->record_type);
    att_str(st, r->record_id);
    att_str(st, r->detail);
}

enum rewrite_mode {
    UNKEYED,   /* the old scheme: hashes only, no MAC */
    OWN_KEY,   /* MACs under a key she made up (and the real key's id) */
    KEEP_MACS, /* hashes recomputed, the MACs (she cannot make) left as they were */
};

/* Recomputes r's hash (and MAC) after prev_hash and link. */
static void att_entry(struct audit_rec *r, const unsigned char prev_hash[32],
                      const unsigned char link[32], enum rewrite_mode mode,
                      const unsigned char key[32])
{
    static const char tag[] = "cbpn audit v1", mtag[] = "cbpn audit mac v1";
    crypto_generichash_state st;
    memcpy(r->prev_hash, prev_hash, 32);
    crypto_generichash_init(&st, NULL, 0, 32);
    crypto_generichash_update(&st, (const unsigned char *)tag, sizeof tag);
    crypto_generichash_update(&st, r->prev_hash, 32);
    att_fields(&st, r);
    crypto_generichash_final(&st, r->hash, 32);
    if (mode == KEEP_MACS)
        return;
    r->has_mac = mode == OWN_KEY;
    if (mode == UNKEYED) {
        r->key_id[0] = '\0';
        return;
    }
    crypto_generichash_init(&st, key, 32, 32);
    crypto_generichash_update(&st, (const unsigned char *)mtag, sizeof mtag);
    crypto_generichash_update(&st, link, 32);
    att_fields(&st, r);
    att_str(&st, r->key_id);
    crypto_generichash_final(&st, r->mac, 32);
}

static void bind_text(sqlite3_stmt *s, int i, const char *v)
{
    if (v == NULL || v[0] == '\0')
        sqlite3_bind_null(s, i);
    else
        sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT);
}

/* Writes items[0..n) as the whole log (renumbered 1..n), recomputing every
 * entry from index from on (those before keep what they had), and moves
 * the in-database head to the last one: what she does with the file, the
 * triggers dropped. */
static void rewrite(struct fixture *f, struct audit_rec *items, size_t n, size_t from,
                    enum rewrite_mode mode)
{
    unsigned char key[32], prev[32] = {0}, link[32] = {0};
    randombytes_buf(key, sizeof key);
    for (size_t i = 0; i < n; i++) {
        items[i].seq = (int64_t)i + 1;
        if (i >= from)
            att_entry(&items[i], prev, link, mode, key);
        memcpy(prev, items[i].hash, 32);
        memcpy(link, items[i].has_mac ? items[i].mac : items[i].hash, 32);
    }
    store_close(f->st);
    f->st = NULL;
    sqlite3 *db = NULL;
    sqlite3_stmt *s = NULL;
    assert_int_equal(sqlite3_open(f->db, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db,
                                  "DROP TRIGGER IF EXISTS audit_no_update;"
                                  "DROP TRIGGER IF EXISTS audit_no_delete;"
                                  "BEGIN; DELETE FROM audit;",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "INSERT INTO audit (seq, at, user_id, action, "
                                        "record_type, record_id, detail, prev_hash, hash, "
                                        "key_id, mac) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                                        -1, &s, NULL),
                     SQLITE_OK);
    for (size_t i = 0; i < n; i++) {
        const struct audit_rec *r = &items[i];
        sqlite3_bind_int64(s, 1, r->seq);
        bind_text(s, 2, r->at);
        bind_text(s, 3, r->user_id);
        bind_text(s, 4, r->action);
        sqlite3_bind_text(s, 5, r->record_type, -1, SQLITE_TRANSIENT);
        bind_text(s, 6, r->record_id);
        bind_text(s, 7, r->detail);
        sqlite3_bind_blob(s, 8, r->prev_hash, 32, SQLITE_TRANSIENT);
        sqlite3_bind_blob(s, 9, r->hash, 32, SQLITE_TRANSIENT);
        bind_text(s, 10, r->key_id);
        if (r->has_mac)
            sqlite3_bind_blob(s, 11, r->mac, 32, SQLITE_TRANSIENT);
        else
            sqlite3_bind_null(s, 11);
        assert_int_equal(sqlite3_step(s), SQLITE_DONE);
        sqlite3_reset(s);
        sqlite3_clear_bindings(s);
    }
    sqlite3_finalize(s);
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "UPDATE audit_head SET seq = ?, hash = ?, mac = ?"
                                        " WHERE chain = 'main'",
                                        -1, &s, NULL),
                     SQLITE_OK);
    sqlite3_bind_int64(s, 1, (int64_t)n);
    if (n > 0) {
        sqlite3_bind_blob(s, 2, items[n - 1].hash, 32, SQLITE_TRANSIENT);
        if (items[n - 1].has_mac)
            sqlite3_bind_blob(s, 3, items[n - 1].mac, 32, SQLITE_TRANSIENT);
    }
    assert_int_equal(sqlite3_step(s), SQLITE_DONE);
    sqlite3_finalize(s);
    assert_int_equal(sqlite3_exec(db, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    assert_int_equal(open_store(f), 0);
}

static struct audit_rec *read_all(struct fixture *f, size_t *n)
{
    struct audit_rec *items = NULL;
    assert_int_equal(store_audit_range(f->c, 0, 10000, &items, n), ERR_OK);
    return items;
}

/* Verify with keys k and the signed heads given. */
static void check(struct fixture *f, const struct auditkeys *k, const struct audit_head *heads,
                  size_t nheads, bool want_ok, int64_t want_bad, const char *want_why)
{
    struct audit_check chk;
    assert_int_equal(audit_verify_full(f->c, k, heads, nheads, &chk), ERR_OK);
    if (chk.ok != want_ok || chk.first_bad != want_bad)
        fail_msg("verify: ok %d first_bad %lld (%s); wanted ok %d first_bad %lld", chk.ok,
                 (long long)chk.first_bad, chk.why ? chk.why : "-", want_ok, (long long)want_bad);
    if (want_why != NULL)
        assert_string_equal(chk.why, want_why);
    else
        assert_null(chk.why);
}

static void test_keyed_entries(void **state)
{
    struct fixture *f = *state;
    append_ten(f);
    size_t n = 0;
    struct audit_rec *items = read_all(f, &n);
    assert_int_equal(n, 10);
    unsigned char zero[32] = {0};
    for (size_t i = 0; i < n; i++) {
        assert_true(items[i].has_mac);
        assert_string_equal(items[i].key_id, auditkeys_current_id(audit_keys()));
        assert_memory_not_equal(items[i].mac, zero, 32);
        if (i > 0)
            assert_memory_not_equal(items[i].mac, items[i - 1].mac, 32);
    }
    audit_list_free(items, n);
    check(f, audit_keys(), NULL, 0, true, 0, NULL);
    /* another deployment's keys verify nothing of it */
    struct auditkeys *other = auditkeys_generate(0);
    check(f, other, NULL, 0, false, 1, "entry");
    auditkeys_free(other);
}

/* Each tamper case, recomputed both ways, with the in-database head
 * rewritten: the first bad entry is the first one she changed. */
static void tamper_recomputed(struct fixture *f, const char *what, enum rewrite_mode mode)
{
    append_ten(f);
    size_t n = 0;
    struct audit_rec *items = read_all(f, &n);
    size_t from = 0;
    int64_t want = 0;
    if (strcmp(what, "edit") == 0) {
        free(items[3].detail);
        items[3].detail = strdup("status=closed");
        from = 3, want = 4;
    } else if (strcmp(what, "delete") == 0) {
        audit_rec_free(&items[2]);
        memmove(&items[2], &items[3], (n - 3) * sizeof(*items));
        n--;
        from = 2, want = 3;
    } else if (strcmp(what, "insert") == 0) {
        items = realloc(items, (n + 1) * sizeof(*items));
        memmove(&items[6], &items[5], (n - 5) * sizeof(*items));
        items[5] = items[4];
        items[5].detail = items[4].detail ? strdup(items[4].detail) : NULL;
        snprintf(items[5].record_id, sizeof items[5].record_id, "forgedforgedforged01");
        n++;
        from = 5, want = 6;
    } else if (strcmp(what, "swap") == 0) {
        struct audit_rec t = items[3];
        items[3] = items[6];
        items[6] = t;
        from = 3, want = 4;
    } else if (strcmp(what, "all") == 0) {
        from = 0, want = 1; /* every entry recomputed from the first */
    } else {
        fail_msg("no such tamper case %s", what);
    }
    rewrite(f, items, n, from, mode);
    audit_list_free(items, n);
    check(f, audit_keys(), NULL, 0, false, want, "entry");
}

#define TAMPER_TEST(name, what, mode)                                                              \
    static void name(void **state)                                                                 \
    {                                                                                              \
        tamper_recomputed(*state, what, mode);                                                     \
    }
TAMPER_TEST(test_edit_unkeyed, "edit", UNKEYED)
TAMPER_TEST(test_edit_own_key, "edit", OWN_KEY)
TAMPER_TEST(test_delete_unkeyed, "delete", UNKEYED)
TAMPER_TEST(test_delete_own_key, "delete", OWN_KEY)
TAMPER_TEST(test_insert_unkeyed, "insert", UNKEYED)
TAMPER_TEST(test_insert_own_key, "insert", OWN_KEY)
TAMPER_TEST(test_swap_unkeyed, "swap", UNKEYED)
TAMPER_TEST(test_swap_own_key, "swap", OWN_KEY)
TAMPER_TEST(test_all_unkeyed, "all", UNKEYED)
TAMPER_TEST(test_all_own_key, "all", OWN_KEY)

static void test_swap_as_they_were(void **state)
{
    /* two rows' contents exchanged, hashes and MACs as written */
    struct fixture *f = *state;
    append_ten(f);
    size_t n = 0;
    struct audit_rec *items = read_all(f, &n);
    struct audit_rec t = items[3];
    items[3] = items[6];
    items[6] = t;
    rewrite(f, items, n, n, UNKEYED); /* renumbered, nothing recomputed */
    audit_list_free(items, n);
    check(f, audit_keys(), NULL, 0, false, 4, "entry");
}

static void signed_head_now(struct fixture *f, struct audit_head *h)
{
    char path[192];
    char *msg = NULL;
    snprintf(path, sizeof path, "%s/k.head.t", f->dir);
    assert_int_equal(audit_head_sign_now(f->c, audit_keys(), path, "t", &msg), ERR_OK);
    assert_int_equal(audit_head_read(audit_keys(), path, h, &msg), ERR_OK);
}

static void test_truncated_tail(void **state)
{
    /* the last two entries cut, the in-database head moved back with
     * them: the chain left is whole, only the signed head shows the cut */
    struct fixture *f = *state;
    append_ten(f);
    struct audit_head h;
    signed_head_now(f, &h);
    assert_int_equal(h.seq, 10);
    check(f, audit_keys(), &h, 1, true, 0, NULL);
    size_t n = 0;
    struct audit_rec *items = read_all(f, &n);
    rewrite(f, items, 8, 8, UNKEYED);
    audit_list_free(items, n);
    check(f, audit_keys(), NULL, 0, true, 0, NULL);
    check(f, audit_keys(), &h, 1, false, 9, "truncated");
}

static void test_truncated_and_regrown(void **state)
{
    /* cut to 8, then two entries of her own (under a key she made up) to
     * reach the signed head's seq again: the head's MAC is not theirs */
    struct fixture *f = *state;
    append_ten(f);
    struct audit_head h;
    signed_head_now(f, &h);
    size_t n = 0;
    struct audit_rec *items = read_all(f, &n);
    free(items[8].detail);
    items[8].detail = NULL;
    rewrite(f, items, n, 8, OWN_KEY);
    audit_list_free(items, n);
    check(f, audit_keys(), &h, 1, false, 9, "entry");
}

static void test_in_database_head_rewritten(void **state)
{
    /* the in-database head alone moved back: the chain runs past it */
    struct fixture *f = *state;
    append_ten(f);
    tamper(f, "UPDATE audit_head SET seq = 8, hash = (SELECT hash FROM audit WHERE seq = 8),"
              " mac = (SELECT mac FROM audit WHERE seq = 8)");
    check(f, audit_keys(), NULL, 0, false, 9, "head");
    tamper(f, "UPDATE audit_head SET seq = 10, hash = (SELECT hash FROM audit WHERE seq = 10),"
              " mac = NULL");
    check(f, audit_keys(), NULL, 0, false, 11, "head");
}

static void test_mac_stripped(void **state)
{
    /* a MAC removed (and its key id) from one entry, the hashes kept */
    struct fixture *f = *state;
    append_ten(f);
    tamper(f, "UPDATE audit SET mac = NULL, key_id = NULL WHERE seq = 6");
    check(f, audit_keys(), NULL, 0, false, 6, "entry");
}

static void test_legacy_entries(void **state)
{
    /* a log written before the chain was keyed: five unkeyed entries (as
     * the old code wrote them), then the deployment gets its audit keys
     * (legacy_until 5) and goes on keyed */
    struct fixture *f = *state;
    const struct auditkeys *saved = audit_keys();
    append_ten(f);
    size_t n = 0;
    struct audit_rec *items = read_all(f, &n);
    rewrite(f, items, 5, 0, UNKEYED);
    audit_list_free(items, n);
    struct auditkeys *k = auditkeys_generate(5);
    audit_use_keys(k);
    check(f, k, NULL, 0, true, 0, NULL);
    assert_int_equal(store_begin(f->c), ERR_OK);
    for (int i = 0; i < 3; i++)
        assert_int_equal(audit_append(f->c, "", AUDIT_READ, "case", "c", NULL), ERR_OK);
    assert_int_equal(store_commit(f->c), ERR_OK);
    items = read_all(f, &n);
    assert_int_equal(n, 8);
    assert_false(items[4].has_mac);
    assert_true(items[5].has_mac);
    audit_list_free(items, n);
    check(f, k, NULL, 0, true, 0, NULL);
    /* a legacy entry edited (its hash recomputed and every later hash
     * too): the first keyed entry's MAC covers the last legacy hash */
    items = read_all(f, &n);
    free(items[2].detail);
    items[2].detail = strdup("forged");
    rewrite(f, items, n, 2, KEEP_MACS);
    audit_list_free(items, n);
    check(f, k, NULL, 0, false, 6, "entry");
    /* and the keyed entries made unkeyed too: past legacy_until, no */
    items = read_all(f, &n);
    rewrite(f, items, n, 2, UNKEYED);
    audit_list_free(items, n);
    check(f, k, NULL, 0, false, 6, "entry");
    audit_use_keys(saved);
    auditkeys_free(k);
}

static void test_legacy_boundary(void **state)
{
    /* unkeyed entries past the keys' legacy_until are bad, and so are
     * keyed ones before it */
    struct fixture *f = *state;
    append_ten(f);
    size_t n = 0;
    struct audit_rec *items = read_all(f, &n);
    rewrite(f, items, n, 0, UNKEYED);
    audit_list_free(items, n);
    struct auditkeys *k4 = auditkeys_generate(4);
    check(f, k4, NULL, 0, false, 5, "entry");
    auditkeys_free(k4);
    struct auditkeys *k10 = auditkeys_generate(10);
    check(f, k10, NULL, 0, true, 0, NULL);
    auditkeys_free(k10);
}

static void test_key_file_and_rotation(void **state)
{
    struct fixture *f = *state;
    const struct auditkeys *saved = audit_keys();
    char path[192];
    char *msg = NULL;
    struct stat sb;
    snprintf(path, sizeof path, "%s/k.audit", f->dir);
    struct auditkeys *a = auditkeys_generate(0), *loaded = NULL, *rotated = NULL;
    assert_int_equal(auditkeys_save(a, path, &msg), ERR_OK);
    assert_int_equal(stat(path, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
    assert_int_equal(auditkeys_save(a, path, &msg), ERR_CONFLICT); /* never overwritten */
    free(msg);
    msg = NULL;
    assert_int_equal(auditkeys_load(path, &loaded, &msg), ERR_OK);
    assert_string_equal(auditkeys_current_id(loaded), auditkeys_current_id(a));
    audit_use_keys(loaded);
    append_ten(f);
    char id[AUDIT_KEY_ID_SIZE];
    assert_int_equal(auditkeys_rotate(path, id, &msg), ERR_OK);
    assert_string_not_equal(id, auditkeys_current_id(a));
    assert_int_equal(auditkeys_load(path, &rotated, &msg), ERR_OK);
    assert_string_equal(auditkeys_current_id(rotated), id);
    assert_true(auditkeys_has(rotated, auditkeys_current_id(a)));
    audit_use_keys(rotated);
    append_ten(f);
    size_t n = 0;
    struct audit_rec *items = read_all(f, &n);
    assert_string_equal(items[9].key_id, auditkeys_current_id(a));
    assert_string_equal(items[10].key_id, id);
    audit_list_free(items, n);
    check(f, rotated, NULL, 0, true, 0, NULL);
    check(f, a, NULL, 0, false, 11, "entry"); /* without the new key */
    /* a file open to others is refused, like the data key */
    struct auditkeys *x = NULL;
    assert_int_equal(chmod(path, 0640), 0);
    assert_int_equal(auditkeys_load(path, &x, &msg), ERR_INTERNAL);
    assert_non_null(strstr(msg, "chmod 600"));
    free(msg);
    msg = NULL;
    snprintf(path, sizeof path, "%s/none.audit", f->dir);
    assert_int_equal(auditkeys_load(path, &x, &msg), ERR_NOT_FOUND);
    free(msg);
    audit_use_keys(saved);
    auditkeys_free(a);
    auditkeys_free(loaded);
    auditkeys_free(rotated);
}

static void write_text(const char *path, const char *text)
{
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
}

static char *read_text(const char *path)
{
    static char buf[2048];
    FILE *fp = fopen(path, "r");
    assert_non_null(fp);
    size_t n = fread(buf, 1, sizeof buf - 1, fp);
    buf[n] = '\0';
    fclose(fp);
    return buf;
}

static void test_head_file(void **state)
{
    struct fixture *f = *state;
    append_ten(f);
    char path[192], keyp[192];
    char *msg = NULL;
    snprintf(keyp, sizeof keyp, "%s/d.key", f->dir);
    char *hp = audit_head_path(keyp, "srv-1");
    snprintf(path, sizeof path, "%s/d.key.head.srv-1", f->dir);
    assert_string_equal(hp, path);
    free(hp);
    assert_int_equal(audit_head_sign_now(f->c, audit_keys(), path, "srv-1", &msg), ERR_OK);
    struct audit_head h;
    assert_int_equal(audit_head_read(audit_keys(), path, &h, &msg), ERR_OK);
    assert_int_equal(h.seq, 10);
    assert_string_equal(h.server, "srv-1");
    size_t n = 0;
    struct audit_rec *items = read_all(f, &n);
    assert_memory_equal(h.link, items[9].mac, 32);
    audit_list_free(items, n);

    /* found beside the key, with another server's; temporary files not */
    assert_int_equal(audit_head_sign_now(f->c, audit_keys(), "/dev/null/x", "a", &msg),
                     ERR_INTERNAL);
    free(msg);
    msg = NULL;
    char other[192];
    snprintf(other, sizeof other, "%s/d.key.head.srv-2", f->dir);
    assert_int_equal(audit_head_sign_now(f->c, audit_keys(), other, "srv-2", &msg), ERR_OK);
    snprintf(other, sizeof other, "%s/d.key.head.srv-3.tmp123", f->dir);
    write_text(other, "junk");
    char **paths = NULL;
    assert_int_equal(audit_heads_find(keyp, &paths, &n), ERR_OK);
    assert_int_equal(n, 2);
    assert_string_equal(paths[0], path);
    for (size_t i = 0; i < n; i++)
        free(paths[i]);
    free(paths);

    /* an edited head (a later seq) no longer verifies */
    char text[2048];
    snprintf(text, sizeof text, "%s", read_text(path));
    char *seq = strstr(text, "seq 10\n");
    assert_non_null(seq);
    seq[5] = '1';
    write_text(path, text);
    assert_int_equal(audit_head_read(audit_keys(), path, &h, &msg), ERR_VALIDATION);
    free(msg);
    msg = NULL;
    /* nor one signed by another key */
    struct auditkeys *other_keys = auditkeys_generate(0);
    assert_int_equal(audit_head_sign_now(f->c, other_keys, path, "srv-1", &msg), ERR_OK);
    assert_int_equal(audit_head_read(audit_keys(), path, &h, &msg), ERR_VALIDATION);
    assert_non_null(strstr(msg, "not signed"));
    free(msg);
    msg = NULL;
    auditkeys_free(other_keys);
    write_text(path, "cbpn audit head v1\nserver x\n");
    assert_int_equal(audit_head_read(audit_keys(), path, &h, &msg), ERR_VALIDATION);
    free(msg);
    msg = NULL;
    assert_false(audit_server_id_valid(""));
    assert_false(audit_server_id_valid(".x"));
    assert_false(audit_server_id_valid("a/b"));
    assert_true(audit_server_id_valid("host-8080"));
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The head the file names now (0 when it has none or a bad one). */
static int64_t file_seq(const char *path)
{
    struct audit_head h;
    char *msg = NULL;
    if (audit_head_read(audit_keys(), path, &h, &msg) != ERR_OK) {
        free(msg);
        return -1;
    }
    return h.seq;
}

static void test_signer(void **state)
{
    struct fixture *f = *state;
    char path[192];
    char *msg = NULL;
    snprintf(path, sizeof path, "%s/k.head.s1", f->dir);
    append_ten(f);
    struct audit_signer *s = NULL;
    assert_int_equal(audit_signer_start(f->st, audit_keys(), path, "s1", &s, &msg), ERR_OK);
    assert_int_equal(file_seq(path), 10); /* signed at start */
    /* many appends, one after the other: the head follows within a second */
    for (int i = 0; i < 25; i++)
        assert_int_equal(audit_append(f->c, "", AUDIT_READ, "case", "c", NULL), ERR_OK);
    int64_t t0 = now_ms();
    while (file_seq(path) != 35 && now_ms() - t0 < 1000)
        usleep(10000);
    assert_int_equal(file_seq(path), 35);
    /* what the signer says it wrote follows the file (just after it) */
    struct audit_head last = {.seq = 0};
    while (!(audit_signer_last(s, &last) && last.seq == 35) && now_ms() - t0 < 2000)
        usleep(1000);
    assert_int_equal(last.seq, 35);
    /* a rolled-back append signs nothing */
    assert_int_equal(store_begin(f->c), ERR_OK);
    assert_int_equal(audit_append(f->c, "", AUDIT_READ, "case", "c", NULL), ERR_OK);
    store_rollback(f->c);
    usleep(450000);
    assert_int_equal(file_seq(path), 35);
    /* an append right before the stop is in the head written at the stop */
    assert_int_equal(audit_append(f->c, "", AUDIT_READ, "case", "c", NULL), ERR_OK);
    audit_signer_stop(s);
    assert_int_equal(file_seq(path), 36);
    check(f, audit_keys(), &last, 1, true, 0, NULL);
}

static void test_signer_keeps_a_head_past_the_log(void **state)
{
    /* the log cut while the server was down: the server, at its start,
     * leaves the signed head that shows the cut, and signs no other */
    struct fixture *f = *state;
    char path[192];
    char *msg = NULL;
    snprintf(path, sizeof path, "%s/k.head.s1", f->dir);
    append_ten(f);
    assert_int_equal(audit_head_sign_now(f->c, audit_keys(), path, "s1", &msg), ERR_OK);
    size_t n = 0;
    struct audit_rec *items = read_all(f, &n);
    rewrite(f, items, 7, 7, UNKEYED);
    audit_list_free(items, n);
    struct audit_signer *s = NULL;
    assert_int_equal(audit_signer_start(f->st, audit_keys(), path, "s1", &s, &msg), ERR_OK);
    assert_int_equal(audit_append(f->c, "", AUDIT_READ, "case", "c", NULL), ERR_OK);
    audit_signer_stop(s);
    assert_int_equal(file_seq(path), 10);
    struct audit_head h;
    assert_int_equal(audit_head_read(audit_keys(), path, &h, &msg), ERR_OK);
    /* entry 8 is the server's new one: the log lacks 9 and 10 */
    check(f, audit_keys(), &h, 1, false, 9, "truncated");
    /* nor does a command sign over it */
    assert_int_equal(audit_head_sign_now(f->c, audit_keys(), path, "s1", &msg), ERR_CONFLICT);
    assert_non_null(strstr(msg, "not in the audit log"));
    free(msg);
    assert_int_equal(file_seq(path), 10);
}

int main(void)
{
    test_audit_keys();
    if (!crypto_init())
        return 1;
    log_quiet(1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_action_codes),
        cmocka_unit_test_setup_teardown(test_empty_log_verifies, setup, teardown),
        cmocka_unit_test_setup_teardown(test_chain, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cut_from_end, setup, teardown),
        cmocka_unit_test_setup_teardown(test_head_past_the_log, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_arguments, setup, teardown),
        cmocka_unit_test_setup_teardown(test_edited_detail, setup, teardown),
        cmocka_unit_test_setup_teardown(test_edited_who, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rehashed_entry, setup, teardown),
        cmocka_unit_test_setup_teardown(test_deleted_entry, setup, teardown),
        cmocka_unit_test_setup_teardown(test_deleted_first, setup, teardown),
        cmocka_unit_test_setup_teardown(test_renumbered, setup, teardown),
        cmocka_unit_test_setup_teardown(test_long_chain_pages, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lengthened_field, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lengthened_time, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hidden_after_nul, setup, teardown),
        cmocka_unit_test_setup_teardown(test_malformed_hash_column, setup, teardown),
        cmocka_unit_test_setup_teardown(test_keyed_entries, setup, teardown),
        cmocka_unit_test_setup_teardown(test_edit_unkeyed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_edit_own_key, setup, teardown),
        cmocka_unit_test_setup_teardown(test_delete_unkeyed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_delete_own_key, setup, teardown),
        cmocka_unit_test_setup_teardown(test_insert_unkeyed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_insert_own_key, setup, teardown),
        cmocka_unit_test_setup_teardown(test_swap_unkeyed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_swap_own_key, setup, teardown),
        cmocka_unit_test_setup_teardown(test_all_unkeyed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_all_own_key, setup, teardown),
        cmocka_unit_test_setup_teardown(test_swap_as_they_were, setup, teardown),
        cmocka_unit_test_setup_teardown(test_truncated_tail, setup, teardown),
        cmocka_unit_test_setup_teardown(test_truncated_and_regrown, setup, teardown),
        cmocka_unit_test_setup_teardown(test_in_database_head_rewritten, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mac_stripped, setup, teardown),
        cmocka_unit_test_setup_teardown(test_legacy_entries, setup, teardown),
        cmocka_unit_test_setup_teardown(test_legacy_boundary, setup, teardown),
        cmocka_unit_test_setup_teardown(test_key_file_and_rotation, setup, teardown),
        cmocka_unit_test_setup_teardown(test_head_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_signer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_signer_keeps_a_head_past_the_log, setup, teardown),
    };
    return cmocka_run_group_tests_name("audit", tests, NULL, NULL);
}
