/* The running application: what main() opens once and every request uses. */
#ifndef CBPN_APP_H
#define CBPN_APP_H

#include "crypto/crypto.h"
#include "domain/ctx.h"
#include "store/store.h"

struct auditkeys;
struct audit_signer;

struct app {
    struct store *store;
    struct datakey *key;
    char *keypath;                /* the data key's file: the audit key is beside it */
    char *headbase;               /* signed heads are "<headbase>.head.<server>" (audit/audit.h) */
    struct auditkeys *audit_keys; /* <keypath>.audit (audit/audit.h) */
    struct audit_signer *signer;  /* the server's head signer; NULL in a command */
    bool serving;                 /* a server: its signer signs the heads, not cli_close */
    struct places *places;
    struct screening_catalog *screening;
    struct reference *reference;
};

#endif
