/* The audit log: append-only and chained, every entry's MAC (keyed
 * BLAKE2b-256 under the audit key, never stored in the database) covering
 * its fields and the previous entry's MAC, and a chain head signed with
 * Ed25519 and written outside the database (a head file beside the key), so
 * that an edit, deletion, insertion, reordering or a cut tail shows in
 * audit_verify() even after someone with the database recomputed every
 * hash. Entries written before the chain was keyed (key_id and mac NULL)
 * stay as they were: their unkeyed BLAKE2b hashes still chain them, and
 * the first keyed entry's MAC covers the last of their hashes. Entries
 * hold ids and codes, never personal data. */
#ifndef CBPN_AUDIT_AUDIT_H
#define CBPN_AUDIT_AUDIT_H

#include <stdbool.h>
#include <stdint.h>

#include "store/store.h"

enum audit_action {
    AUDIT_READ,
    AUDIT_CREATE,
    AUDIT_UPDATE,
    AUDIT_LOGIN,
    AUDIT_LOGOUT,
    AUDIT_LOGIN_FAILED,
    AUDIT_ASSIGN,
    AUDIT_REFER,
    AUDIT_CONSENT,
    AUDIT_NOTE,
    AUDIT_CLOSE,
    AUDIT_EXPORT,
    AUDIT_IMPORT, /* a reference list loaded (the agencies' licences) */
    AUDIT_DENIED, /* a permission refusal (the domain's 403); detail: the action's code */
    AUDIT_VERIFY, /* the audit chain checked; detail: ok or the first bad entry */
    AUDIT_ERASE,  /* a case's identity erased; detail: retention or request */
    AUDIT__MAX
};

/* ---- the audit keys (keys.c) ----
 * One file, mode 0600, beside the data key (<data key file>.audit): the MAC
 * keys, each with its id (the newest appends; older ones verify what they
 * made, so a rotation never rewrites history), the Ed25519 key that signs
 * the heads, and the last seq written before the chain was keyed. */
struct auditkeys;
#define AUDIT_SERVER_ID_SIZE 65

/* "<datakey>.audit". Caller frees. */
char *auditkeys_path_for(const char *datakey_path);
/* New keys in memory: one MAC key, a signing key; entries up to
 * legacy_until were written unkeyed. Caller frees (auditkeys_free). */
struct auditkeys *auditkeys_generate(int64_t legacy_until);
/* Writes k to path (mode 0600, a new file: refuses to overwrite). */
enum err auditkeys_save(const struct auditkeys *k, const char *path, char **errmsg);
/* Adds a new MAC key to the file at path (the new one appends from now
 * on; the old ones stay for verifying). *id: the new key's id. */
enum err auditkeys_rotate(const char *path, char id[AUDIT_KEY_ID_SIZE], char **errmsg);
/* Loads the file at path (which must be 0600, like the data key).
 * ERR_NOT_FOUND when it does not exist. *errmsg: a new message on failure. */
enum err auditkeys_load(const char *path, struct auditkeys **out, char **errmsg);
/* Wipes and frees; NULL is a no-op. */
void auditkeys_free(struct auditkeys *k);
/* The id of the MAC key new entries are made with. */
const char *auditkeys_current_id(const struct auditkeys *k);
bool auditkeys_has(const struct auditkeys *k, const char *key_id);
int64_t auditkeys_legacy_until(const struct auditkeys *k);
/* The keys audit_append() uses in this process (not owned; NULL: none, and
 * every append fails). Set once at start, before any thread appends. */
void audit_use_keys(const struct auditkeys *k);
const struct auditkeys *audit_keys(void);

/* Appends an entry. Inside a transaction (store_begin .. store_commit) it
 * joins it: call it there for a change, which then commits with its entry
 * or not at all; the transaction's write lock is what keeps two writers
 * from chaining onto the same last entry. Outside any transaction (a read,
 * a sign-in, a refusal: the entry is all there is to write) it joins a
 * group commit: the appends of concurrent callers on the same store queue,
 * one of them (the first to find no batch being written) appends up to
 * AUDIT_BATCH_MAX of them on its connection in one transaction, with one
 * commit (one fsync), and every caller returns only once that commit
 * returned: ERR_OK when its entry is durable, or the batch's error, the
 * same for every entry of the batch (none of them was written). A batch
 * the database undid by itself (store_retry_advised) is written again, up
 * to AUDIT_BATCH_RETRIES times. user_id and record_id may be "" or NULL
 * (the system; no record). detail: codes only, or NULL (NULL and "" hash
 * alike). ERR_INTERNAL, for that caller alone, for an unknown action, a
 * field longer than its audit_rec column, or no audit keys
 * (audit_use_keys). */
#define AUDIT_BATCH_MAX     256
#define AUDIT_BATCH_RETRIES 3
enum err audit_append(struct store_conn *c, const char *user_id, enum audit_action action,
                      const char *record_type, const char *record_id, const char *detail);
/* As audit_append inside a transaction, the entry dated at (RFC 3339)
 * instead of now: for a bulk load of records dated in the past (cbpn demo
 * --scale), whose entries are dated when each record was. ERR_INTERNAL
 * outside a transaction. */
enum err audit_append_at(struct store_conn *c, const char *at, const char *user_id,
                         enum audit_action action, const char *record_type, const char *record_id,
                         const char *detail);
/* Batches committed by the group commit and the entries they held, since
 * the process started (for the bench). */
void audit_batch_stats(uint64_t *batches, uint64_t *entries);
/* For the unit tests only (no option or setting reaches it): fn runs in
 * every batch's transaction after its n entries were appended and before
 * the commit; an error it returns fails the batch (rolled back). NULL
 * removes it. Set it while no append runs. */
typedef enum err audit_batch_hook_fn(size_t n, void *arg);
void audit_batch_test_hook(audit_batch_hook_fn *fn, void *arg);

/* ---- signed heads (head.c) ----
 * A head file names the chain's last entry a server saw committed: its seq
 * and its link (the entry's MAC, or its hash for an unkeyed one), when, by
 * which server, signed with the audit keys' Ed25519 key. */
struct audit_head {
    char server[AUDIT_SERVER_ID_SIZE];
    int64_t seq;
    unsigned char link[32];
    char at[TS_SIZE];
};
/* A server id: 1 to 64 of A-Z a-z 0-9 . _ -, not starting with a dot. */
bool audit_server_id_valid(const char *id);
/* "<datakey>.head.<server>". Caller frees. */
char *audit_head_path(const char *datakey_path, const char *server);
/* Signs h and writes it to path: a temporary file, fsync, rename, fsync of
 * the folder. */
enum err audit_head_write(const struct auditkeys *k, const struct audit_head *h, const char *path,
                          char **errmsg);
/* Reads path and checks its signature against k's public key.
 * ERR_NOT_FOUND: no such file; ERR_VALIDATION: malformed or not signed by
 * k (*errmsg says which). */
enum err audit_head_read(const struct auditkeys *k, const char *path, struct audit_head *h,
                         char **errmsg);
/* The head files beside the data key (every "<datakey>.head.*"), sorted.
 * *paths: caller frees each and the array. */
enum err audit_heads_find(const char *datakey_path, char ***paths, size_t *n);

/* A server's head keeper: a thread that, within a fraction of a second of
 * every commit on st that appended to the log (store_audit_commits), reads
 * the head as committed and rewrites the head file at path (one signature
 * for however many appends), and once more when stopped. It never moves
 * its file's head backwards; if the file's head is not in the chain when it
 * starts (a truncated or rewritten log), it leaves the file alone, says so
 * in the log, and writes nothing. */
struct audit_signer;
enum err audit_signer_start(struct store *st, const struct auditkeys *k, const char *path,
                            const char *server, struct audit_signer **out, char **errmsg);
/* The head last written (false when none yet). */
bool audit_signer_last(struct audit_signer *s, struct audit_head *h);
/* Signs the head once more, stops the thread and frees; NULL is a no-op. */
void audit_signer_stop(struct audit_signer *s);
/* Signs the head as committed now into path, once (a command's head);
 * ERR_CONFLICT, the file left as it is, when it names a later entry or one
 * the log no longer has. */
enum err audit_head_sign_now(struct store_conn *c, const struct auditkeys *k, const char *path,
                             const char *server, char **errmsg);

/* ---- verification ---- */
struct audit_check {
    bool ok;
    int64_t entries;   /* entries read (the bad one included) */
    int64_t first_bad; /* seq of the first bad entry (0 when ok, or when only a head file is bad) */
    int64_t heads;     /* signed heads checked */
    int64_t head_seq;  /* the highest seq a signed head names */
    const char *why;   /* static: "entry", "head", "truncated", "signed_head"; NULL when ok */
};
/* Walks the chain from the first entry: each entry's seq must follow the
 * previous one, its prev_hash must be the previous entry's hash (zero for
 * the first) and its hash recomputed; entries after the keys' legacy_until
 * must carry a MAC, made by a key of k, over their fields and the previous
 * entry's link; and every column must read back whole (a text lengthened
 * past its field or hiding bytes after a NUL is an edit too). The chain
 * must end at the in-database head, and reach every signed head in heads
 * with the same link: entries cut from the end show there even when the
 * in-database head was rewritten with them. */
enum err audit_verify_full(struct store_conn *c, const struct auditkeys *k,
                           const struct audit_head *heads, size_t nheads, struct audit_check *out);
/* audit_verify_full with this process's keys and no signed heads. */
enum err audit_verify(struct store_conn *c, bool *ok, int64_t *entries, int64_t *first_bad);
/* "read", "create", ... Static storage; NULL for an invalid action. */
const char *audit_action_code(enum audit_action a);

#endif
