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

/* The deployment's data keys: a keyring (keyring.c has the file format),
 * every key it has had, the last one current. New values are sealed under
 * the current key and carry its id; a rotated key stays in the ring, so
 * what it sealed, and old backups, still open. The file may be wrapped by
 * a passphrase (Argon2id). A running server picks up a rotation from the
 * file by itself. */
struct datakey;
#define KEY_ID_BYTES 4
#define KEY_ID_HEX   (2 * KEY_ID_BYTES + 1)
/* Writes a new ring of one random key to path (mode 0600); refuses to
 * overwrite. */
enum err datakey_create(const char *path, char **errmsg);
/* Loads the ring at path. A wrapped one needs the passphrase: without it
 * (NULL) ERR_FORBIDDEN, and so with a wrong one. *errmsg: a new message on
 * failure (caller frees). */
enum err datakey_load_passphrase(const char *path, const char *passphrase, struct datakey **out,
                                 char **errmsg);
/* datakey_load_passphrase() without a passphrase. */
enum err datakey_load(const char *path, struct datakey **out, char **errmsg);
/* Whether the file at path is a ring wrapped by a passphrase. */
bool datakey_wrapped(const char *path);
/* Wipes and frees the key; NULL is a no-op. */
void datakey_free(struct datakey *k);
/* The key file that belongs to a database path: "<db>.key". Caller frees. */
char *datakey_path_for(const char *db);
/* The keys the ring holds, and the id of the i-th (the last is current). */
size_t datakey_count(const struct datakey *k);
void datakey_id_hex(const struct datakey *k, size_t i, char out[KEY_ID_HEX]);
bool datakey_is_wrapped(const struct datakey *k);
/* Adds a new random key to the ring as its current key and writes the file
 * (atomically, wrapped as it was). */
enum err datakey_add(struct datakey *k, char **errmsg);
/* Writes the file wrapped by passphrase (at least 12 characters; new salt),
 * or plain when passphrase is NULL. */
enum err datakey_set_passphrase(struct datakey *k, const char *passphrase, char **errmsg);
/* The id of a key: the first bytes of its BLAKE2b hash. */
void crypto_key_id(const unsigned char key[32], unsigned char id[KEY_ID_BYTES]);

/* Seals plaintext pt[0..n) bound to ad (e.g. the record id) into out (a new
 * blob the caller frees with free(out->p)). */
void crypto_seal(const struct datakey *k, const char *ad, const void *pt, size_t n,
                 struct blob *out);
/* Opens a sealed blob; *pt is a new NUL-terminated buffer (caller frees) of
 * *n bytes. false when the blob was altered or sealed for another ad. */
bool crypto_unseal(const struct datakey *k, const char *ad, const struct blob *in, char **pt,
                   size_t *n);
/* Which key sealed a blob: its id in hex for a data key ("" for the first
 * format, which the ring's first key sealed), "case" for a case key.
 * false when it is no sealed blob. */
bool crypto_sealed_by(const struct blob *in, char out[KEY_ID_HEX]);
/* Whether a blob was sealed under the ring's current key. */
bool crypto_sealed_current(const struct datakey *k, const struct blob *in);

/* A case's own key (crypto-shredding): the case's identifying fields are
 * sealed under it, and it is kept only wrapped by the data key, so that
 * destroying the wrapped key destroys everything it sealed, wherever a
 * copy of those blobs lies. */
struct casekey;
/* A new random case key in *out, and it wrapped (sealed under the current
 * data key, bound to ad) in *wrapped (caller frees wrapped->p). */
void casekey_make(const struct datakey *k, const char *ad, struct casekey **out,
                  struct blob *wrapped);
/* Unwraps a case key; false when it does not open. */
bool casekey_open(const struct datakey *k, const char *ad, const struct blob *wrapped,
                  struct casekey **out);
/* The case key wrapped again under the current data key (rotation). */
void casekey_wrap(const struct datakey *k, const struct casekey *ck, const char *ad,
                  struct blob *wrapped);
void casekey_free(struct casekey *ck);
/* As crypto_seal() and crypto_unseal(), under a case key. */
void casekey_seal(const struct casekey *ck, const char *ad, const void *pt, size_t n,
                  struct blob *out);
bool casekey_unseal(const struct casekey *ck, const char *ad, const struct blob *in, char **pt,
                    size_t *n);

/* A keyed hash of s (purpose separates uses) in hex: lets the database match
 * values, e.g. a username with failed sign-ins, without holding them. */
void crypto_keyed_hash(const struct datakey *k, const char *purpose, const char *s,
                       char out[KEYED_HASH_SIZE]);
/* A 32-byte key derived from the ring's i-th data key (datakey_count() - 1,
 * or anything past the end: the current one) for purpose (as the keyed
 * hashes' subkeys: unrelated for any two purposes), e.g. the backups'
 * (crypto/archive.h). The caller wipes it. */
void crypto_purpose_key(const struct datakey *k, size_t i, const char *purpose,
                        unsigned char out[32]);

#endif
