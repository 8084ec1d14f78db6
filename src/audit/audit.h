/* The audit log: append-only and hash-chained, every entry's hash covering
 * the previous one, so an edit or deletion shows in audit_verify(). Entries
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
    AUDIT__MAX
};

/* Appends an entry; call inside the transaction of the change it records
 * (store_begin .. store_commit): the transaction's write lock is what keeps
 * two writers from chaining onto the same last entry. user_id and record_id
 * may be "" or NULL (the system; no record). detail: codes only, or NULL
 * (NULL and "" hash alike). ERR_INTERNAL for an unknown action or a field
 * longer than its audit_rec column. */
enum err audit_append(struct store_conn *c, const char *user_id, enum audit_action action,
                      const char *record_type, const char *record_id, const char *detail);
/* Walks the chain from the first entry: each entry's seq must follow the
 * previous one, its prev_hash must be the previous entry's hash (zero for
 * the first), its hash must be recomputed, and every column must read back
 * whole (a text lengthened past its field or hiding bytes after a NUL is an
 * edit too). Stops at the first entry that
 * does not match. *entries: how many were checked (the bad one included);
 * *first_bad: the seq of that entry (0 when ok is true). The chain must
 * end at the head the appends moved on (audit_head), so entries removed
 * from the end show too, unless the head was rewritten with them (the
 * keyed, signed head of a later change closes that). */
enum err audit_verify(struct store_conn *c, bool *ok, int64_t *entries, int64_t *first_bad);
/* "read", "create", ... Static storage; NULL for an invalid action. */
const char *audit_action_code(enum audit_action a);

#endif
