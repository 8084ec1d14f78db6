/* Backup archives (cbpn backup, cbpn restore): a small plaintext header and
 * an encrypted stream (libsodium's crypto_secretstream_xchacha20poly1305,
 * in chunks, so a cut, an edit or a reordering of chunks is caught).
 *
 *   offset size
 *      0    8  magic "CBPNBKUP"
 *      8    1  format version (1)
 *      9    1  how it is encrypted: 1 the data key, 2 a passphrase
 *     10    1  the source's backend: 1 sqlite, 2 postgres
 *     11    1  0
 *     12    4  the source's schema version (big-endian, as every number)
 *     16    8  when it was made (epoch seconds)
 *     24   16  salt (random)
 *     40    8  Argon2id opslimit (a passphrase; else 0)
 *     48    8  Argon2id memlimit in bytes (a passphrase; else 0)
 *     56   32  key check: BLAKE2b-256 of bytes 0..55 under a subkey of the
 *              archive key: a wrong key or passphrase (or an altered
 *              header) is told apart from an altered stream
 *     88   24  the secretstream header
 *    112       chunks: a 4-byte length, then that many bytes of ciphertext
 *
 * The archive key: with the data key, BLAKE2b-256 of the salt keyed with the
 * data key's "cbpn backup archive" purpose key; with a passphrase,
 * Argon2id13 of it with the salt and limits. The stream key and the check
 * key are two KDF subkeys of it. The first chunk (its additional data: the
 * whole header) holds the signed audit head, then the snapshot's bytes
 * follow in chunks of ARCHIVE_CHUNK, then an empty chunk tagged final;
 * nothing may follow that. */
#ifndef CBPN_CRYPTO_ARCHIVE_H
#define CBPN_CRYPTO_ARCHIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/crypto.h"

#define ARCHIVE_HEADER_SIZE 112
#define ARCHIVE_CHUNK       65536
#define ARCHIVE_HEAD_MAX    4096 /* the signed head's bytes */
#define ARCHIVE_VERSION     1

enum archive_keykind { ARCHIVE_KEY_DATA = 1, ARCHIVE_KEY_PASSPHRASE = 2 };
enum archive_backend { ARCHIVE_SQLITE = 1, ARCHIVE_POSTGRES = 2 };

struct archive_meta {
    int version;
    enum archive_keykind keykind;
    enum archive_backend backend;
    int schema;
    int64_t created;
    uint64_t opslimit; /* a passphrase's Argon2id limits */
    uint64_t memlimit;
};

/* What opens an archive: the data key, or a passphrase (NUL-terminated). */
struct archive_secret {
    const struct datakey *key;
    const char *passphrase;
};

enum archive_status {
    ARCHIVE_OK,
    ARCHIVE_IO,          /* reading or writing a file failed */
    ARCHIVE_NOT_ARCHIVE, /* no cbpn backup at all */
    ARCHIVE_UNSUPPORTED, /* a format version or limits this cbpn does not take */
    ARCHIVE_WRONG_KEY,   /* the key check fails: another key or passphrase */
    ARCHIVE_TRUNCATED,   /* the stream ends before its final chunk */
    ARCHIVE_ALTERED,     /* a chunk does not authenticate, or bytes follow the end */
};

/* The Argon2id limits a new passphrase archive gets (libsodium's moderate ones). */
void archive_passphrase_limits(uint64_t *opslimit, uint64_t *memlimit);

/* Writes an archive to out: the header of m (version, salt and check set
 * here; keykind by s: a passphrase when s->passphrase is set, with m's
 * limits), the head head[0..head_len) and then every byte read from
 * snapshot (a file descriptor, read to its end). *errmsg: a new message on
 * failure (caller frees). */
enum archive_status archive_write(int out, struct archive_meta *m, const struct archive_secret *s,
                                  const void *head, size_t head_len, int snapshot, char **errmsg);

/* Reads the header of the archive at in (from its start) into m, without
 * any key. */
enum archive_status archive_read_header(int in, struct archive_meta *m, char **errmsg);

/* Reads the whole archive at in (from its start): checks the key, then
 * decrypts the head into *head (a new buffer of *head_len bytes plus a NUL,
 * caller frees) and the snapshot into out. ARCHIVE_OK only when the stream
 * authenticated to its final chunk and nothing follows it; otherwise out
 * holds a part and must be thrown away. */
enum archive_status archive_read(int in, const struct archive_secret *s, struct archive_meta *m,
                                 char **head, size_t *head_len, int out, char **errmsg);

#endif
