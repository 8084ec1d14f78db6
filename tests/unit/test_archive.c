/* Backup archives (crypto/archive.c): round trips with the data key and a
 * passphrase; a wrong key or passphrase, a cut, a flipped byte anywhere, two
 * chunks swapped and bytes after the end are each refused, and told apart.
 * And cbpn restore on archives this test makes itself: an archive whose
 * audit entries were edited (or whose tail was cut, its head rewritten)
 * before it was encrypted is refused, and the same archive untouched is
 * restored. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <fcntl.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit/audit.h"
#include "cli/cli.h"
#include "crypto/archive.h"
#include "crypto/crypto.h"
#include "tmpdir.h"

#define DATA_LEN (3 * ARCHIVE_CHUNK + 1234) /* four data chunks, the last short */

struct fixture {
    char dir[TMPDIR_SIZE];
    char keypath[128], other[128], data[128], arch[128], back[128];
    struct datakey *key, *wrong;
    unsigned char *bytes;
};

static void path_in(const struct fixture *f, char *out, size_t n, const char *name)
{
    snprintf(out, n, "%s/%s", f->dir, name);
}

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    char *msg = NULL;
    if (f == NULL || !crypto_init() || !tmpdir_make(f->dir))
        return -1;
    path_in(f, f->keypath, sizeof f->keypath, "a.key");
    path_in(f, f->other, sizeof f->other, "b.key");
    path_in(f, f->data, sizeof f->data, "data");
    path_in(f, f->arch, sizeof f->arch, "arch");
    path_in(f, f->back, sizeof f->back, "back");
    if (datakey_create(f->keypath, &msg) != ERR_OK || datakey_create(f->other, &msg) != ERR_OK ||
        datakey_load(f->keypath, &f->key, &msg) != ERR_OK ||
        datakey_load(f->other, &f->wrong, &msg) != ERR_OK)
        return -1;
    f->bytes = malloc(DATA_LEN);
    randombytes_buf(f->bytes, DATA_LEN);
    int fd = open(f->data, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0 || write(fd, f->bytes, DATA_LEN) != DATA_LEN)
        return -1;
    close(fd);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    datakey_free(f->key);
    datakey_free(f->wrong);
    free(f->bytes);
    tmpdir_remove(f->dir);
    free(f);
    return 0;
}

static const char HEAD[] = "cbpn audit head v1\nserver backup\n";

/* Writes the archive of the data file under s. */
static void make_archive(struct fixture *f, const struct archive_secret *s, struct archive_meta *m)
{
    char *msg = NULL;
    int in = open(f->data, O_RDONLY), out = open(f->arch, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(in >= 0 && out >= 0);
    assert_int_equal(archive_write(out, m, s, HEAD, sizeof HEAD - 1, in, &msg), ARCHIVE_OK);
    assert_null(msg);
    close(in);
    close(out);
}

/* Reads the archive back; the data go to f->back. */
static enum archive_status read_archive(struct fixture *f, const struct archive_secret *s,
                                        struct archive_meta *m, char **head, size_t *n)
{
    char *msg = NULL;
    int in = open(f->arch, O_RDONLY), out = open(f->back, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(in >= 0 && out >= 0);
    enum archive_status st = archive_read(in, s, m, head, n, out, &msg);
    assert_true((st == ARCHIVE_OK) == (msg == NULL));
    free(msg);
    close(in);
    close(out);
    return st;
}

static enum archive_status read_status(struct fixture *f, const struct archive_secret *s)
{
    struct archive_meta m;
    char *head = NULL;
    size_t n = 0;
    enum archive_status st = read_archive(f, s, &m, &head, &n);
    free(head);
    return st;
}

static unsigned char *file_bytes(const char *path, size_t *n)
{
    struct stat sb;
    assert_int_equal(stat(path, &sb), 0);
    unsigned char *p = malloc((size_t)sb.st_size + 1);
    int fd = open(path, O_RDONLY);
    assert_true(fd >= 0);
    assert_int_equal(read(fd, p, (size_t)sb.st_size), sb.st_size);
    close(fd);
    *n = (size_t)sb.st_size;
    return p;
}

static void file_put(const char *path, const unsigned char *p, size_t n)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, p, n), (ssize_t)n);
    close(fd);
}

static void test_round_trip_data_key(void **state)
{
    struct fixture *f = *state;
    struct archive_secret s = {.key = f->key};
    struct archive_meta m = {.backend = ARCHIVE_POSTGRES, .schema = 14, .created = 1700000000};
    make_archive(f, &s, &m);
    struct archive_meta got;
    char *head = NULL;
    size_t n = 0, len = 0;
    assert_int_equal(read_archive(f, &s, &got, &head, &n), ARCHIVE_OK);
    assert_int_equal(n, sizeof HEAD - 1);
    assert_memory_equal(head, HEAD, n);
    free(head);
    assert_int_equal(got.version, ARCHIVE_VERSION);
    assert_int_equal(got.keykind, ARCHIVE_KEY_DATA);
    assert_int_equal(got.backend, ARCHIVE_POSTGRES);
    assert_int_equal(got.schema, 14);
    assert_int_equal(got.created, 1700000000);
    unsigned char *back = file_bytes(f->back, &len);
    assert_int_equal(len, DATA_LEN);
    assert_memory_equal(back, f->bytes, DATA_LEN);
    free(back);
    /* no plaintext in the archive: not the data, not the head */
    unsigned char *a = file_bytes(f->arch, &len);
    assert_non_null(a);
    assert_null(memmem(a, len, f->bytes + ARCHIVE_CHUNK, 64));
    assert_null(memmem(a, len, "cbpn audit head", 15));
    free(a);
    /* the header alone, without a key */
    int fd = open(f->arch, O_RDONLY);
    char *msg = NULL;
    assert_int_equal(archive_read_header(fd, &got, &msg), ARCHIVE_OK);
    close(fd);
    assert_int_equal(got.schema, 14);
}

static void test_wrong_key(void **state)
{
    struct fixture *f = *state;
    struct archive_secret s = {.key = f->key}, w = {.key = f->wrong}, p = {.passphrase = "x"};
    struct archive_meta m = {.backend = ARCHIVE_SQLITE, .schema = 3};
    make_archive(f, &s, &m);
    assert_int_equal(read_status(f, &w), ARCHIVE_WRONG_KEY);
    assert_int_equal(read_status(f, &p), ARCHIVE_WRONG_KEY); /* not a passphrase archive */
    assert_int_equal(read_status(f, &s), ARCHIVE_OK);
}

/* A rotation keeps old archives opening (the ring keeps the key that made
 * them) and new ones are made under the new current key, which a ring of
 * the old key alone does not open. */
static void test_rotated_key_ring(void **state)
{
    struct fixture *f = *state;
    char *msg = NULL, before[160];
    struct datakey *old = NULL, *again = NULL;
    struct archive_secret s = {.key = f->key};
    struct archive_meta m = {.backend = ARCHIVE_SQLITE, .schema = 15};
    /* a copy of the key file as it was, to load the old ring alone */
    path_in(f, before, sizeof before, "before.key");
    size_t n;
    unsigned char *kb = file_bytes(f->keypath, &n);
    int fd = open(before, O_WRONLY | O_CREAT | O_EXCL, 0600);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, kb, n), (ssize_t)n);
    close(fd);
    free(kb);
    assert_int_equal(datakey_load(before, &old, &msg), ERR_OK);

    make_archive(f, &s, &m); /* under the first key */
    assert_int_equal(datakey_add(f->key, &msg), ERR_OK);
    assert_int_equal(read_status(f, &s), ARCHIVE_OK); /* the ring still opens it */
    assert_int_equal(datakey_load(f->keypath, &again, &msg), ERR_OK);
    struct archive_secret s2 = {.key = again};
    assert_int_equal(read_status(f, &s2), ARCHIVE_OK);

    make_archive(f, &s, &m); /* under the new current key */
    assert_int_equal(read_status(f, &s2), ARCHIVE_OK);
    struct archive_secret s_old = {.key = old};
    assert_int_equal(read_status(f, &s_old), ARCHIVE_WRONG_KEY);
    datakey_free(old);
    datakey_free(again);
    unlink(before);
}

static void test_passphrase(void **state)
{
    struct fixture *f = *state;
    struct archive_secret s = {.passphrase = "correct horse battery staple"};
    struct archive_secret w = {.passphrase = "correct horse battery stapl"};
    struct archive_secret k = {.key = f->key};
    struct archive_meta m = {.backend = ARCHIVE_SQLITE,
                             .schema = 14,
                             .opslimit = crypto_pwhash_OPSLIMIT_MIN,
                             .memlimit = crypto_pwhash_MEMLIMIT_MIN};
    make_archive(f, &s, &m);
    assert_int_equal(read_status(f, &w), ARCHIVE_WRONG_KEY);
    assert_int_equal(read_status(f, &k), ARCHIVE_WRONG_KEY);
    struct archive_meta got;
    char *head = NULL;
    size_t n = 0, len = 0;
    assert_int_equal(read_archive(f, &s, &got, &head, &n), ARCHIVE_OK);
    free(head);
    assert_int_equal(got.keykind, ARCHIVE_KEY_PASSPHRASE);
    assert_int_equal(got.opslimit, crypto_pwhash_OPSLIMIT_MIN);
    unsigned char *back = file_bytes(f->back, &len);
    assert_int_equal(len, DATA_LEN);
    assert_memory_equal(back, f->bytes, DATA_LEN);
    free(back);
    /* limits a hostile header asks for are refused before Argon2id runs */
    unsigned char *a = file_bytes(f->arch, &len);
    a[48] = 0xff;
    file_put(f->arch, a, len);
    free(a);
    assert_int_equal(read_status(f, &s), ARCHIVE_UNSUPPORTED);
}

static void test_truncated(void **state)
{
    struct fixture *f = *state;
    struct archive_secret s = {.key = f->key};
    struct archive_meta m = {.backend = ARCHIVE_SQLITE, .schema = 14};
    size_t len = 0;
    make_archive(f, &s, &m);
    unsigned char *a = file_bytes(f->arch, &len);
    /* the final chunk is 4 + 17 bytes: cut it off whole, then cut into it,
     * into a data chunk, into the header, to nothing */
    const size_t cuts[] = {
        len - 21, len - 1, len - 5000, ARCHIVE_HEADER_SIZE + 10, ARCHIVE_HEADER_SIZE, 50};
    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
        file_put(f->arch, a, cuts[i]);
        assert_int_equal(read_status(f, &s), ARCHIVE_TRUNCATED);
    }
    file_put(f->arch, a, 0);
    assert_int_equal(read_status(f, &s), ARCHIVE_NOT_ARCHIVE);
    /* bytes after the end */
    unsigned char *longer = malloc(len + 1);
    memcpy(longer, a, len);
    longer[len] = 0;
    file_put(f->arch, longer, len + 1);
    assert_int_equal(read_status(f, &s), ARCHIVE_ALTERED);
    free(longer);
    file_put(f->arch, a, len);
    assert_int_equal(read_status(f, &s), ARCHIVE_OK);
    free(a);
}

static void test_flipped_byte(void **state)
{
    struct fixture *f = *state;
    struct archive_secret s = {.key = f->key};
    struct archive_meta m = {.backend = ARCHIVE_SQLITE, .schema = 14};
    size_t len = 0;
    make_archive(f, &s, &m);
    unsigned char *a = file_bytes(f->arch, &len);
    /* every byte of the header, then a spread of the rest */
    for (size_t i = 0; i < len; i += i < ARCHIVE_HEADER_SIZE + 64 ? 1 : 997) {
        a[i] ^= 0x01;
        file_put(f->arch, a, len);
        enum archive_status st = read_status(f, &s);
        a[i] ^= 0x01;
        if (st == ARCHIVE_OK)
            fail_msg("a flipped bit at offset %zu went unnoticed", i);
        /* a changed salt, limit or check reads as another key; the
         * stream's bytes as an alteration */
        if (i >= 88)
            assert_true(st == ARCHIVE_ALTERED || st == ARCHIVE_TRUNCATED);
    }
    file_put(f->arch, a, len);
    assert_int_equal(read_status(f, &s), ARCHIVE_OK);
    free(a);
}

static void test_chunks_swapped(void **state)
{
    struct fixture *f = *state;
    struct archive_secret s = {.key = f->key};
    struct archive_meta m = {.backend = ARCHIVE_SQLITE, .schema = 14};
    size_t len = 0;
    make_archive(f, &s, &m);
    unsigned char *a = file_bytes(f->arch, &len);
    /* the head chunk, then data chunks of 4 + 65536 + 17 bytes: swap the
     * first two data chunks, then drop one */
    size_t head = 4 + (sizeof HEAD - 1) + 17, chunk = 4 + ARCHIVE_CHUNK + 17;
    size_t d1 = ARCHIVE_HEADER_SIZE + head, d2 = d1 + chunk;
    unsigned char *b = malloc(len);
    memcpy(b, a, len);
    memcpy(b + d1, a + d2, chunk);
    memcpy(b + d2, a + d1, chunk);
    file_put(f->arch, b, len);
    assert_int_equal(read_status(f, &s), ARCHIVE_ALTERED);
    memcpy(b, a, d1);
    memcpy(b + d1, a + d2, len - d2);
    file_put(f->arch, b, len - chunk);
    assert_int_equal(read_status(f, &s), ARCHIVE_ALTERED);
    free(b);
    free(a);
}

/* ---- cbpn backup and restore on a deployment ---- */

static int run(int (*cmd)(int, char **), const char *const *args)
{
    char *argv[16];
    int argc = 0;
    for (; args[argc] != NULL && argc < 15; argc++)
        argv[argc] = strdup(args[argc]);
    argv[argc] = NULL;
    int rc = cmd(argc, argv);
    for (int i = 0; i < argc; i++)
        free(argv[i]);
    return rc;
}

static void sql(const char *db, const char *q)
{
    sqlite3 *h = NULL;
    char *err = NULL;
    assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
    if (sqlite3_exec(h, q, NULL, NULL, &err) != SQLITE_OK)
        fail_msg("%s: %s", q, err);
    sqlite3_close(h);
}

/* Decrypts arch, runs tamper (SQL, or NULL) on its snapshot, and encrypts
 * it again into out with its head, as cbpn backup would have. */
static void reencrypt(struct fixture *f, const struct datakey *k, const char *arch,
                      const char *tamper, const char *out)
{
    struct archive_secret s = {.key = k};
    struct archive_meta m;
    char snap[160], *head = NULL, *msg = NULL;
    size_t n = 0;
    snprintf(snap, sizeof snap, "%s/snap.db", f->dir);
    unlink(snap);
    int in = open(arch, O_RDONLY), so = open(snap, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_int_equal(archive_read(in, &s, &m, &head, &n, so, &msg), ARCHIVE_OK);
    close(in);
    close(so);
    if (tamper != NULL)
        sql(snap, tamper);
    in = open(snap, O_RDONLY);
    int o = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_int_equal(archive_write(o, &m, &s, head, n, in, &msg), ARCHIVE_OK);
    close(in);
    close(o);
    free(head);
    unlink(snap);
}

static void test_restore_refuses_edited_audit(void **state)
{
    struct fixture *f = *state;
    char db[160], key[160], arch[160], bad[160], target[160];
    struct app app;
    snprintf(db, sizeof db, "%s/dep.db", f->dir);
    snprintf(key, sizeof key, "%s/dep.db.key", f->dir);
    snprintf(arch, sizeof arch, "%s/dep.bak", f->dir);
    snprintf(bad, sizeof bad, "%s/bad.bak", f->dir);
    snprintf(target, sizeof target, "%s/restored.db", f->dir);
    assert_true(cli_create(db, key));
    assert_true(cli_open(db, key, &app));
    struct store_conn *c = store_conn(app.store);
    for (int i = 0; i < 5; i++) {
        assert_int_equal(store_begin(c), ERR_OK);
        assert_int_equal(audit_append(c, "", AUDIT_EXPORT, "case", "abcdefghijklmnopqrst", NULL),
                         ERR_OK);
        assert_int_equal(store_commit(c), ERR_OK);
    }
    struct datakey *k = NULL;
    char *msg = NULL;
    assert_int_equal(datakey_load(key, &k, &msg), ERR_OK);
    cli_close(&app);
    const char *backup[] = {"backup", "--db", db, "--out", arch, NULL};
    assert_int_equal(run(cmd_backup, backup), 0);
    assert_int_not_equal(run(cmd_backup, backup), 0); /* never over an archive */

    const char *restore[] = {"restore", "--from", bad, "--db", target, "--key", key, NULL};
    const char *const tampers[] = {
        /* an entry's record edited */
        "DROP TRIGGER audit_no_update; UPDATE audit SET record_id = 'zzzzzzzzzzzzzzzzzzzz' "
        "WHERE seq = 3",
        /* the last entry deleted and the head moved back onto the one before */
        "DROP TRIGGER audit_no_delete; DELETE FROM audit WHERE seq = (SELECT max(seq) FROM "
        "audit); UPDATE audit_head SET seq = (SELECT max(seq) FROM audit), hash = (SELECT hash "
        "FROM audit ORDER BY seq DESC LIMIT 1), mac = (SELECT mac FROM audit ORDER BY seq DESC "
        "LIMIT 1)",
        /* two entries' places swapped */
        "DROP TRIGGER audit_no_update; UPDATE audit SET seq = 100 WHERE seq = 2; "
        "UPDATE audit SET seq = 2 WHERE seq = 3; UPDATE audit SET seq = 3 WHERE seq = 100",
    };
    for (size_t i = 0; i < sizeof tampers / sizeof tampers[0]; i++) {
        reencrypt(f, k, arch, tampers[i], bad);
        assert_int_equal(run(cmd_restore, restore), 1);
        assert_int_equal(access(target, F_OK), -1);
    }
    /* the same tool, nothing tampered: restored */
    reencrypt(f, k, arch, NULL, bad);
    assert_int_equal(run(cmd_restore, restore), 0);
    assert_int_equal(access(target, F_OK), 0);
    /* and never over a database */
    assert_int_equal(run(cmd_restore, restore), 1);
    datakey_free(k);
    free(msg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_round_trip_data_key, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wrong_key, setup, teardown),
        cmocka_unit_test_setup_teardown(test_passphrase, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rotated_key_ring, setup, teardown),
        cmocka_unit_test_setup_teardown(test_truncated, setup, teardown),
        cmocka_unit_test_setup_teardown(test_flipped_byte, setup, teardown),
        cmocka_unit_test_setup_teardown(test_chunks_swapped, setup, teardown),
        cmocka_unit_test_setup_teardown(test_restore_refuses_edited_audit, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
