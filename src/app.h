/* The running application: what main() opens once and every request uses. */
#ifndef CBPN_APP_H
#define CBPN_APP_H

#include "crypto/crypto.h"
#include "domain/ctx.h"
#include "store/store.h"

struct app {
    struct store *store;
    struct datakey *key;
    struct places *places;
    struct screening_catalog *screening;
    struct reference *reference;
};

#endif
