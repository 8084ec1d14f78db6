/* Cryptography, all through libsodium: password hashing (Argon2id), random
 * ids and session tokens, token hashes, keyed hashes, and sealed fields
 * (XChaCha20-Poly1305 under the deployment's data key). Call crypto_init()
 * once before anything else. Secrets are wiped after use. */
#ifndef CBPN_CRYPTO_CRYPTO_H
#define CBPN_CRYPTO_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>

#include "store/store.h"
#include "util/err.h"

#define PASSWORD_HASH_SIZE 128 /* crypto_pwhash_STRBYTES */
#define TOKEN_SIZE         44  /* 32 random bytes in base64url, no padding, + NUL */
#define CSRF_SIZE          44
#define KEYED_HASH_SIZE    33 /* 16 bytes in hex + NUL */

/* false when libsodium cannot start. */
bool crypto_init(void);

/* Argon2id (libsodium's interactive limits) into out. ERR_INTERNAL when
 * memory is short. */
enum err crypto_password_hash(const char *password, char out[PASSWORD_HASH_SIZE]);
/* Constant-time check of password against an Argon2id string. */
bool crypto_password_verify(const char *hash, const char *password);
/* A hash of a password nobody knows, to spend the same time on unknown users. */
const char *crypto_password_dummy_hash(void);

/* A random opaque id: 20 chars of lowercase base32 (100 bits). */
void crypto_random_id(char out[ID_SIZE]);
/* A random 256-bit token in base64url (43 chars). */
void crypto_token(char out[TOKEN_SIZE]);
/* BLAKE2b-256 of a token: what the database keeps instead of the token. */
void crypto_token_hash(const char *token, unsigned char out[32]);
/* Constant-time equality of two NUL-terminated strings. */
bool crypto_str_equal(const char *a, const char *b);

/* Wipes and frees a NUL-terminated string that held unsealed text (a name,
 * a phone, a narrative). NULL is a no-op. */
void crypto_free_text(char *s);

/* The deployment's data key. */
struct datakey;
/* Writes a new random key to path (mode 0600); refuses to overwrite. */
enum err datakey_create(const char *path, char **errmsg);
/* Loads the key at path. *errmsg: a new message on failure (caller frees). */
enum err datakey_load(const char *path, struct datakey **out, char **errmsg);
/* Wipes and frees the key; NULL is a no-op. */
void datakey_free(struct datakey *k);
/* The key file that belongs to a database path: "<db>.key". Caller frees. */
char *datakey_path_for(const char *db);

/* Seals plaintext pt[0..n) bound to ad (e.g. the record id) into out (a new
 * blob the caller frees with free(out->p)). */
void crypto_seal(const struct datakey *k, const char *ad, const void *pt, size_t n,
                 struct blob *out);
/* Opens a sealed blob; *pt is a new NUL-terminated buffer (caller frees) of
 * *n bytes. false when the blob was altered or sealed for another ad. */
bool crypto_unseal(const struct datakey *k, const char *ad, const struct blob *in, char **pt,
                   size_t *n);
/* A keyed hash of s (purpose separates uses) in hex: lets the database match
 * values, e.g. a username with failed sign-ins, without holding them. */
void crypto_keyed_hash(const struct datakey *k, const char *purpose, const char *s,
                       char out[KEYED_HASH_SIZE]);
/* A 32-byte key derived from the data key for purpose (as the keyed
 * hashes' subkeys: unrelated for any two purposes), e.g. the backups'
 * (crypto/archive.h). The caller wipes it. */
void crypto_purpose_key(const struct datakey *k, const char *purpose, unsigned char out[32]);

#endif
