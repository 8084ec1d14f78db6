/* What every domain call works with: the caller, her connection, the data
 * key and the gazetteer index. actor NULL means the local operator at the
 * command line (cbpn user add, cbpn demo), who acts as an admin. */
#ifndef CBPN_DOMAIN_CTX_H
#define CBPN_DOMAIN_CTX_H

#include "auth/session.h"
#include "crypto/crypto.h"
#include "store/store.h"

struct places;

struct ctx {
    struct store_conn *db;
    const struct datakey *key;
    const struct actor *actor;
    const struct places *places;
};

#endif
