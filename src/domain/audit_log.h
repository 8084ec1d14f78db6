/* The audit log as the API and the pages show it: its entries about one
 * record, and the verification of the whole chain against the signed heads
 * beside the key (audit/audit.h). */
#ifndef CBPN_DOMAIN_AUDIT_LOG_H
#define CBPN_DOMAIN_AUDIT_LOG_H

#include "audit/audit.h"
#include "domain/ctx.h"
#include "util/err.h"

#define AUDIT_CURSOR_SIZE 24

struct audit_log_query {
    const char *record_type; /* with record_id, or both NULL: the whole log (admin) */
    const char *record_id;
    const char *cursor; /* from the previous page's next_cursor, or NULL */
    int limit;          /* 1..500; 0: 50 */
};
/* Entries in seq order. An admin reads any record's, or the whole log; a
 * supervisor those of a case of her organization (404 for another's). The
 * read is audited. *items: audit_list_free; next: "" at the end.
 * ERR_VALIDATION (fe) for a bad parameter. */
enum err audit_log_list(const struct ctx *cx, const struct audit_log_query *q,
                        struct audit_rec **items, size_t *n, char next[AUDIT_CURSOR_SIZE],
                        struct fielderrs *fe);

struct audit_report {
    struct audit_check check; /* the chain against the heads that read well */
    int64_t head_files;       /* head files found beside the key */
    int64_t bad_head_files;   /* of them, unreadable or not signed by the audit key */
    bool has_head;            /* newest: the head with the highest seq */
    struct audit_head newest;
};
/* Verifies the whole chain (admin, supervisor); ok only when the chain is
 * intact and every head file is good. Audited (verify). */
enum err audit_log_verify(const struct ctx *cx, struct audit_report *out);

#endif
