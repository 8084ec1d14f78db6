/* What every domain call works with: the caller, her connection, the data
 * key and the gazetteer index. Without an actor the call reaches nothing,
 * unless local_operator says it comes from the command line (cbpn user
 * add, cbpn demo), whose operator acts as an admin; no request sets it. */
#ifndef CBPN_DOMAIN_CTX_H
#define CBPN_DOMAIN_CTX_H

#include <stdbool.h>

#include "auth/session.h"
#include "crypto/crypto.h"
#include "i18n/i18n.h"
#include "store/store.h"

struct places;
struct screening_catalog;
struct reference;

struct ctx {
    struct store_conn *db;
    const struct datakey *key;
    const struct actor *actor;
    const struct places *places;
    bool local_operator;
    const struct screening_catalog *screening; /* the screening indicators and rule */
    /* The caller's language: lists of names sort in its order (LANG_KM,
     * the zero value, unless the request says otherwise). */
    enum lang lang;
    const struct reference *reference; /* the safe-migration reference (domain/reference.h) */
    /* Where the signed audit heads are: "<audit_heads>.head.<server>"
     * (audit/audit.h); NULL where nothing verifies the log. */
    const char *audit_heads;
};

#endif
