/* Idempotent creates (API.md "Idempotency-Key"): a retry by the same user
 * with the same key and the same request answers what the first answered
 * and creates nothing; the same key with another request is refused.
 *
 * The front door (http/server.c) wraps the create's handler: idem_begin()
 * opens a transaction and looks the key up; on IDEM_NEW the handler runs
 * inside that transaction (store transactions nest) and idem_finish()
 * records its answer, sealed, and commits both together, so a create is
 * never committed without the answer a retry will get, nor the answer
 * without the create. Keys are kept IDEM_KEEP_SECONDS at least. */
#ifndef CBPN_DOMAIN_IDEM_H
#define CBPN_DOMAIN_IDEM_H

#include <stdbool.h>
#include <stddef.h>

#include "domain/ctx.h"

#define IDEM_KEY_MAX      64
#define IDEM_KEEP_SECONDS (48 * 3600)
#define IDEM_HASH_SIZE    32

/* An answer as it was sent: status, media type, a Location, the body. */
struct idem_answer {
    int status;
    char *content_type;
    char *location; /* NULL when none */
    char *body;
    size_t body_len;
};
void idem_answer_free(struct idem_answer *a);

enum idem_state {
    IDEM_NEW,      /* never seen: run the create */
    IDEM_REPLAY,   /* seen with the same request: *prior is its answer */
    IDEM_MISMATCH, /* seen with another request: 422 */
};

/* Whether key is 1 to 64 printable ASCII characters. */
bool idem_key_valid(const char *key);
/* The request's fingerprint: what it asks (route pattern, path parameters,
 * body) hashed. */
void idem_hash(const char *route, const char *const *params, int nparams, const void *body,
               size_t len, unsigned char out[IDEM_HASH_SIZE]);
/* Begins the transaction and looks up the caller's key. On an error the
 * transaction is not open. On IDEM_REPLAY and IDEM_MISMATCH call
 * idem_finish(cx, ..., NULL) to end it. */
enum err idem_begin(const struct ctx *cx, const char *key, const unsigned char hash[IDEM_HASH_SIZE],
                    enum idem_state *state, struct idem_answer *prior);
/* Ends the transaction: with answer (a create that succeeded), records it
 * under the key, bound to case_id (the case the route names, or NULL), and
 * commits the create with it; with NULL, rolls back. ERR_OK only when a
 * given answer is durable with its create. */
enum err idem_finish(const struct ctx *cx, const char *key, const char *route,
                     const unsigned char hash[IDEM_HASH_SIZE], const struct idem_answer *answer,
                     const char *case_id);
/* Inside the caller's transaction (an erasure): forgets every kept answer
 * bound to no case whose body or Location names case_id (the answer to
 * the report that made it). Those bound to it the store forgets itself
 * (store_case_erase). */
enum err idem_forget_case(const struct ctx *cx, const char *case_id);

#endif
