/* Inside src/audit/: the raw keys of a struct auditkeys. */
#ifndef CBPN_AUDIT_KEYS_H
#define CBPN_AUDIT_KEYS_H

#include "audit/audit.h"

#define AUDIT_MAC_KEY_BYTES 32
#define AUDIT_SIGN_PK_BYTES 32

/* The MAC key new entries are made with. */
const unsigned char *auditkeys_current_key(const struct auditkeys *k);
/* The MAC key with that id; NULL when k does not hold it. */
const unsigned char *auditkeys_key(const struct auditkeys *k, const char *key_id);
/* Ed25519: the public key, and a detached signature of m[0..n). */
const unsigned char *auditkeys_public(const struct auditkeys *k);
void auditkeys_sign(const struct auditkeys *k, const unsigned char *m, size_t n,
                    unsigned char sig[64]);
/* Writes data[0..n) to path through a temporary file beside it (fsync,
 * rename, fsync of the folder). */
enum err audit_file_replace(const char *path, const char *data, size_t n, int mode, char **errmsg);

#endif
