/* Inside src/crypto/: the keys of a struct datakey (keyring.c), for the
 * sealing and hashing of crypto.c. */
#ifndef CBPN_CRYPTO_CRYPTO_INT_H
#define CBPN_CRYPTO_CRYPTO_INT_H

#include "crypto/crypto.h"

#define DATAKEY_BYTES 32

/* The current key (the ring's last) and its id; the file is looked at
 * again when RELOAD_SECONDS passed, so a rotation reaches a running
 * server. */
const unsigned char *datakey_current(const struct datakey *k, unsigned char id[KEY_ID_BYTES]);
/* The key with that id, reloading the file once when the ring does not
 * hold it; NULL when the file does not either. */
const unsigned char *datakey_by_id(const struct datakey *k, const unsigned char id[KEY_ID_BYTES]);
/* The ring's first key: what opens the first format's blobs (no key id)
 * and keys every keyed hash, so blind indexes survive a rotation. */
const unsigned char *datakey_origin(const struct datakey *k);
/* The ring's i-th key (0 the first; datakey_count() - 1 the current);
 * the current one when i is past the end. */
const unsigned char *datakey_at(const struct datakey *k, size_t i);

#endif
