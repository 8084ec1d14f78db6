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
    AUDIT__MAX
};

/* Appends an entry; call inside the transaction of the change it records.
 * user_id may be "" (the system). detail: codes only, or NULL. */
enum err audit_append(struct store_conn *c, const char *user_id, enum audit_action action,
                      const char *record_type, const char *record_id, const char *detail);
/* Walks the chain. *entries: how many were checked; *first_bad: the first
 * entry that does not match (0 when ok is true). */
enum err audit_verify(struct store_conn *c, bool *ok, int64_t *entries, int64_t *first_bad);
const char *audit_action_code(enum audit_action a);

#endif
