/* cbpn backup, cbpn restore: an encrypted archive (crypto/archive.h) of one
 * consistent snapshot of a deployment, taken while its servers run, with
 * the snapshot's own signed audit head; and its restore, checked whole
 * before anything is written.
 *
 * The only plaintext either writes outside an archive is the snapshot
 * itself (a SQLite file whose identifying fields are sealed, as in the
 * database) and its head, in a private folder (mode 0700, files 0600)
 * beside the archive or the restored database, removed on every way out,
 * signals included. Messages name tables, counts and entries, never a
 * value. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "audit/audit.h"
#include "cli/cli.h"
#include "crypto/archive.h"
#include "domain/ctx.h"
#include "domain/sealed.h"
#include "util/alloc.h"
#include "util/ledger.h"

#define SAMPLE_CASES   50
#define SAMPLE_GROUPS  5
#define PASSPHRASE_MIN 12
#define HEAD_SERVER    "backup"

static const char *const BACKUP_USAGE =
    "usage: cbpn backup --db FILE|URI [--key KEYFILE] --out ARCHIVE [--passphrase]\n"
    "Writes one consistent snapshot of the deployment to ARCHIVE (a new file),\n"
    "encrypted, while its servers run and write. The archive carries the\n"
    "snapshot's audit head, signed with the audit key (KEYFILE.audit).\n"
    "By default it is encrypted under a key derived from the data key: keep\n"
    "the data key and its .audit file apart from the archives (the archive\n"
    "alone opens with neither). With --passphrase it is encrypted under\n"
    "Argon2id of a passphrase (12 characters or more) read from standard\n"
    "input, or from the file CBPN_PASSPHRASE_FILE names; the data key is\n"
    "still needed to read what it holds.\n"
    "While it runs, the snapshot (sealed fields as in the database) sits in a\n"
    "private folder beside ARCHIVE; it is removed however the command ends.\n";

static const char *const RESTORE_USAGE =
    "usage: cbpn restore --from ARCHIVE --db FILE|URI [--key KEYFILE] [--passphrase]\n"
    "                    [--head-dir DIR]\n"
    "Checks the backup ARCHIVE, then restores it into --db. Before anything is\n"
    "written it checks that the archive authenticates to its end (a cut or\n"
    "altered archive is refused), that the data key (--key, or FILE.key) is\n"
    "the one that made it and opens its sealed fields, SQLite's integrity check,\n"
    "the schema version, and the audit chain against the signed head the backup\n"
    "carries (with the audit key KEYFILE.audit). --passphrase: the archive was\n"
    "made with one (read as cbpn backup reads it).\n"
    "A file FILE must not exist (stop the servers and move the old database\n"
    "away first): the restored file is written beside it and renamed into\n"
    "place. A PostgreSQL database must be empty (one that holds cbpn data is\n"
    "refused); the backup is copied into it in one transaction and checked.\n"
    "The backup's signed head is written as KEYFILE.head.backup (in --head-dir\n"
    "with --head-dir), where cbpn audit verify finds it.\n";

static int usage_of(const char *text, bool asked)
{
    fputs(text, asked ? stdout : stderr);
    return asked ? 0 : 2;
}

/* ---- the private folder ---- */

#define SCRATCH_FILES 8

/* Fixed arrays: the signal handler removes them with unlink and rmdir. */
static struct {
    char dir[PATH_MAX];
    char files[SCRATCH_FILES][PATH_MAX];
    int n;
} scratch;
static volatile sig_atomic_t scratch_live;

static void scratch_remove(void)
{
    if (!scratch_live)
        return;
    scratch_live = 0;
    for (int i = 0; i < scratch.n; i++)
        unlink(scratch.files[i]);
    rmdir(scratch.dir);
}

static void scratch_signal(int sig)
{
    scratch_remove();
    signal(sig, SIG_DFL);
    raise(sig);
}

/* A private folder (0700) in the folder of near, for the files named. */
static bool scratch_make(const char *near)
{
    char *copy = xstrdup(near);
    const char *dir = dirname(copy);
    int n = snprintf(scratch.dir, sizeof scratch.dir, "%s/.cbpn-backup-XXXXXX", dir);
    free(copy);
    scratch.n = 0;
    if (n <= 0 || (size_t)n >= sizeof scratch.dir - 64 || mkdtemp(scratch.dir) == NULL) {
        fprintf(stderr, "cbpn: cannot make a private folder beside %s: %s\n", near,
                strerror(errno));
        return false;
    }
    scratch_live = 1;
    static const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        signal(sigs[i], scratch_signal);
    return true;
}

/* Registers the path a + b (scratch_make left room for short names). */
static const char *scratch_add(const char *a, const char *b)
{
    size_t na = strlen(a), nb = strlen(b);
    if (scratch.n == SCRATCH_FILES || na + nb + 1 > PATH_MAX)
        abort();
    char *p = scratch.files[scratch.n++];
    memmove(p, a, na);
    memcpy(p + na, b, nb + 1);
    return p;
}

/* The path of name in the private folder, to be removed at the end. */
static const char *scratch_file(const char *name)
{
    char slash[64];
    snprintf(slash, sizeof slash, "/%s", name);
    return scratch_add(scratch.dir, slash);
}

/* A SQLite file's path in the folder, with its journal files. */
static const char *scratch_db(const char *name)
{
    static const char *const suffixes[] = {"-wal", "-shm", "-journal"};
    const char *p = scratch_file(name);
    for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++)
        scratch_add(p, suffixes[i]);
    return p;
}

/* A new empty file, mode 0600 whatever the umask. -1 on failure (said). */
static int file_new(const char *path)
{
    int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0 || fchmod(fd, 0600) != 0) {
        fprintf(stderr, "cbpn: cannot create %s: %s\n", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    return fd;
}

static void dir_sync(const char *path)
{
    char *copy = xstrdup(path);
    int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
    free(copy);
}

/* Puts the finished file tmp at path, which must not exist (no file is
 * ever replaced), and makes that durable. */
static bool file_publish(const char *tmp, const char *path)
{
    if (link(tmp, path) != 0) {
        fprintf(stderr, "cbpn: cannot create %s: %s\n", path, strerror(errno));
        return false;
    }
    unlink(tmp);
    dir_sync(path);
    return true;
}

/* ---- shared checks ---- */

/* The passphrase: the first line of CBPN_PASSPHRASE_FILE, or of standard
 * input. Caller wipes and frees. NULL (said why) when there is none. */
static char *passphrase_read(size_t min)
{
    char *p = cli_passphrase();
    if (p == NULL || strlen(p) < (min > 0 ? min : 1)) {
        if (min > 0)
            fprintf(stderr,
                    "cbpn: give a passphrase of %zu characters or more on standard "
                    "input or in CBPN_PASSPHRASE_FILE\n",
                    min);
        else
            fprintf(stderr, "cbpn: give the passphrase on standard input or in "
                            "CBPN_PASSPHRASE_FILE\n");
        if (p != NULL)
            sodium_memzero(p, strlen(p));
        free(p);
        return NULL;
    }
    return p;
}

static void passphrase_free(char *p)
{
    if (p != NULL)
        sodium_memzero(p, strlen(p));
    free(p);
}

/* The audit keys beside the data key; they must exist. */
static struct auditkeys *audit_keys_load(const char *keypath)
{
    char *path = auditkeys_path_for(keypath), *msg = NULL;
    struct auditkeys *k = NULL;
    if (auditkeys_load(path, &k, &msg) != ERR_OK)
        fprintf(stderr, "cbpn: %s (the audit key is kept beside the data key)\n",
                msg ? msg : "cannot load the audit key");
    free(msg);
    free(path);
    return k;
}

/* Field f of record id (of case case_id when it is case-bound, under the
 * case's key) opens. */
static bool opens(struct store_conn *c, const struct datakey *k, const char *case_id,
                  enum sealed_field f, const char *id, const struct blob *b, long *n)
{
    if (b->len == 0)
        return true;
    struct ctx cx = {.db = c, .key = k, .local_operator = true};
    char *pt = NULL;
    bool ok = case_id != NULL ? sealed_open_case(&cx, case_id, f, id, b, &pt)
                              : sealed_open(&cx, f, id, b, &pt);
    if (ok && pt == NULL && case_id != NULL) {
        struct blob w = {0};
        enum err e = store_case_key_get(c, case_id, &w);
        free(w.p);
        return e == ERR_NOT_FOUND; /* an erased case's: its key is gone, on purpose */
    }
    ok = ok && pt != NULL;
    crypto_free_text(pt);
    if (ok)
        (*n)++;
    return ok;
}

/* The data key opens the sealed fields of the first cases and of the
 * members of the first groups; *n: how many it opened. */
static bool sealed_sample(struct store_conn *c, const struct datakey *k, long *n)
{
    struct case_filter f = {.urgent = -1, .limit = SAMPLE_CASES};
    struct case_rec *cases = NULL;
    struct group_rec *g = NULL;
    size_t nc = 0, ng = 0;
    bool ok = store_case_list(c, &f, &cases, &nc) == ERR_OK;
    *n = 0;
    for (size_t i = 0; ok && i < nc; i++) {
        struct case_rec r = {0};
        ok = store_case_get(c, cases[i].id, &r) == ERR_OK &&
             opens(c, k, r.id, SEALED_CASE_SUMMARY, r.id, &r.summary, n) &&
             opens(c, k, r.id, SEALED_CASE_EMPLOYER, r.id, &r.employer, n) &&
             opens(c, k, r.id, SEALED_SURVIVOR_IDENTITY, r.id, &r.survivor.identity, n);
        case_rec_free(&r);
    }
    case_list_free(cases, nc);
    ok = ok && store_group_list(c, NULL, &g, &ng) == ERR_OK;
    for (size_t i = 0; ok && i < ng && i < SAMPLE_GROUPS; i++) {
        struct member_rec *m = NULL;
        size_t nm = 0;
        ok = store_member_list(c, g[i].id, NULL, 0, &m, &nm) == ERR_OK;
        for (size_t j = 0; ok && j < nm; j++)
            ok = opens(c, k, NULL, SEALED_MEMBER_PHONE, m[j].id, &m[j].phone, n) &&
                 opens(c, k, NULL, SEALED_MEMBER_IDENTITY, m[j].id, &m[j].identity, n);
        member_list_free(m, nm);
    }
    group_list_free(g, ng);
    return ok;
}

/* The chain of c verifies from its first entry to its in-database head
 * and reaches the signed head h (NULL: none), which must be its last
 * entry. *entries: how many. */
static bool chain_ok(struct store_conn *c, const struct auditkeys *ak, const struct audit_head *h,
                     int64_t *entries)
{
    struct audit_check chk;
    struct audit_head_row row;
    if (store_audit_head_read(c, &row) != ERR_OK ||
        audit_verify_full(c, ak, h, h != NULL ? 1 : 0, &chk) != ERR_OK) {
        fprintf(stderr, "cbpn: cannot read the audit log\n");
        return false;
    }
    if (!chk.ok) {
        fprintf(stderr, "cbpn: the audit chain is BROKEN at entry %" PRId64 " (%s)\n",
                chk.first_bad, chk.why ? chk.why : "?");
        return false;
    }
    if (h != NULL && (chk.heads != 1 || h->seq != row.seq)) {
        fprintf(stderr,
                "cbpn: the audit chain ends at entry %" PRId64 ", not at the signed head's "
                "entry %" PRId64 "\n",
                row.seq, h->seq);
        return false;
    }
    *entries = chk.entries;
    return true;
}

/* ---- cbpn backup ---- */

struct backup {
    const char *db, *keypath, *out;
    char *passphrase;
    struct datakey *key;
    struct auditkeys *ak;
};

/* An export of everything: recorded in the audit log before the snapshot
 * is taken (so the backup holds its own entry), and the commands' head
 * signed on it. */
static bool backup_audited(struct backup *b, struct store *src)
{
    struct store_conn *c = store_conn(src);
    char *msg = NULL;
    enum err e = c != NULL ? store_begin(c) : ERR_UNAVAILABLE;
    if (e == ERR_OK) {
        audit_use_keys(b->ak);
        e = audit_append(c, "", AUDIT_EXPORT, "backup", NULL,
                         b->passphrase != NULL ? "passphrase" : "data_key");
        e = store_end(c, e);
        audit_use_keys(NULL);
    }
    if (e != ERR_OK) {
        fprintf(stderr, "cbpn: backup: cannot record the backup in the audit log (%s)\n",
                err_message(e));
        return false;
    }
    char *path = audit_head_path(b->keypath, "cli");
    if (audit_head_sign_now(c, b->ak, path, "cli", &msg) != ERR_OK)
        fprintf(stderr, "cbpn: backup: audit head: %s\n", msg ? msg : "cannot sign it");
    free(msg);
    free(path);
    return true;
}

static bool backup_snapshot(struct backup *b, const char *snap, const char *headpath,
                            struct archive_meta *m, int64_t *entries, int64_t *seq)
{
    struct store *src = NULL, *sn = NULL;
    char *msg = NULL;
    bool ok = false;
    int fd = file_new(snap);
    if (fd < 0)
        return false;
    close(fd);
    if (store_open(b->db, false, &src, &msg) != ERR_OK) {
        fprintf(stderr, "cbpn: %s\n", msg ? msg : "cannot open the database");
        goto out;
    }
    m->backend =
        strcmp(store_backend_name(src), "postgres") == 0 ? ARCHIVE_POSTGRES : ARCHIVE_SQLITE;
    if (!backup_audited(b, src))
        goto out;
    if (store_snapshot(src, snap, &msg) != ERR_OK) {
        fprintf(stderr, "cbpn: backup: %s\n", msg ? msg : "cannot take the snapshot");
        goto out;
    }
    store_close(src);
    src = NULL;
    free(msg);
    msg = NULL;
    if (store_open(snap, false, &sn, &msg) != ERR_OK) {
        fprintf(stderr, "cbpn: backup: the snapshot: %s\n", msg ? msg : "cannot open it");
        goto out;
    }
    struct store_conn *c = store_conn(sn);
    struct audit_head_row row;
    long opened = 0;
    m->schema = c != NULL ? store_schema_version(c) : -1;
    if (c == NULL || m->schema < 0 || store_audit_head_read(c, &row) != ERR_OK) {
        fprintf(stderr, "cbpn: backup: cannot read the snapshot\n");
        goto out;
    }
    if (!chain_ok(c, b->ak, NULL, entries)) {
        fprintf(stderr, "cbpn: backup: refused: a restore would refuse it too; run cbpn "
                        "audit verify\n");
        goto out;
    }
    if (!sealed_sample(c, b->key, &opened)) {
        fprintf(stderr,
                "cbpn: backup: %s does not open the sealed fields: it is not this "
                "deployment's data key\n",
                b->keypath);
        goto out;
    }
    *seq = row.seq;
    if (audit_head_sign_now(c, b->ak, headpath, HEAD_SERVER, &msg) != ERR_OK) {
        fprintf(stderr, "cbpn: backup: %s\n", msg ? msg : "cannot sign the audit head");
        goto out;
    }
    ok = true;
out:
    store_close(sn);
    store_close(src);
    free(msg);
    return ok;
}

/* Reads a small file whole (the signed head). */
static char *small_read(const char *path, size_t *n)
{
    FILE *f = fopen(path, "re");
    char *buf = xmalloc(ARCHIVE_HEAD_MAX + 1);
    *n = f != NULL ? fread(buf, 1, ARCHIVE_HEAD_MAX + 1, f) : 0;
    if (f != NULL)
        fclose(f);
    if (*n == 0 || *n > ARCHIVE_HEAD_MAX) {
        free(buf);
        return NULL;
    }
    buf[*n] = '\0';
    return buf;
}

static int backup_run(struct backup *b)
{
    const char *snap = scratch_db("snapshot.db");
    const char *headpath = scratch_file("head");
    char headtmp[PATH_MAX];
    snprintf(headtmp, sizeof headtmp, "%s.tmp%ld", headpath, (long)getpid());
    (void)scratch_file(strrchr(headtmp, '/') + 1);
    const char *partial = scratch_file("archive.partial");
    struct archive_meta m = {0};
    struct archive_secret s = {.key = b->key, .passphrase = b->passphrase};
    int64_t entries = 0, seq = 0;
    char *head = NULL, *msg = NULL;
    size_t head_len = 0;
    int rc = 1, in = -1, out = -1;
    if (!backup_snapshot(b, snap, headpath, &m, &entries, &seq))
        goto out;
    if ((head = small_read(headpath, &head_len)) == NULL) {
        fprintf(stderr, "cbpn: backup: cannot read the signed head\n");
        goto out;
    }
    m.created = (int64_t)time(NULL);
    if (b->passphrase != NULL)
        archive_passphrase_limits(&m.opslimit, &m.memlimit);
    if ((in = open(snap, O_RDONLY | O_CLOEXEC)) < 0 || (out = file_new(partial)) < 0) {
        if (in < 0)
            fprintf(stderr, "cbpn: backup: cannot read the snapshot: %s\n", strerror(errno));
        goto out;
    }
    if (archive_write(out, &m, &s, head, head_len, in, &msg) != ARCHIVE_OK) {
        fprintf(stderr, "cbpn: backup: %s\n", msg ? msg : "cannot write the archive");
        goto out;
    }
    struct stat st;
    if (fsync(out) != 0 || fstat(out, &st) != 0) {
        fprintf(stderr, "cbpn: backup: cannot write the archive: %s\n", strerror(errno));
        goto out;
    }
    if (!file_publish(partial, b->out))
        goto out;
    printf("backup %s: a %s snapshot at schema %d, %" PRId64 " audit entries, its signed "
           "head at entry %" PRId64 "; %lld bytes, encrypted with %s%s\n",
           b->out, m.backend == ARCHIVE_POSTGRES ? "postgres" : "sqlite", m.schema, entries, seq,
           (long long)st.st_size, b->passphrase != NULL ? "a passphrase" : "the data key ",
           b->passphrase != NULL ? "" : b->keypath);
    printf("keep the data key %s and its .audit file apart from the backups: a restore "
           "needs both\n",
           b->keypath);
    rc = 0;
out:
    if (in >= 0)
        close(in);
    if (out >= 0)
        close(out);
    free(head);
    free(msg);
    return rc;
}

int cmd_backup(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, 'd'},  {"key", required_argument, NULL, 'k'},
        {"out", required_argument, NULL, 'o'}, {"passphrase", no_argument, NULL, 'p'},
        {"help", no_argument, NULL, 'h'},      {0, 0, 0, 0}};
    const char *db = NULL, *key = NULL, *outp = NULL;
    bool pass = false;
    int o;
    optind = 1;
    while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (o == 'd')
            db = optarg;
        else if (o == 'k')
            key = optarg;
        else if (o == 'o')
            outp = optarg;
        else if (o == 'p')
            pass = true;
        else
            return usage_of(BACKUP_USAGE, o == 'h');
    }
    if (db == NULL || outp == NULL || optind != argc)
        return usage_of(BACKUP_USAGE, false);
    struct backup b = {.db = db, .out = outp};
    char *keypath = cli_key_path(db, key), *msg = NULL;
    struct stat sb;
    int rc = 1;
    if (keypath == NULL)
        return 2;
    b.keypath = keypath;
    if (lstat(outp, &sb) == 0) {
        fprintf(stderr, "cbpn: backup: %s exists: give a new file (a backup never replaces one)\n",
                outp);
        goto out;
    }
    if (pass && (b.passphrase = passphrase_read(PASSPHRASE_MIN)) == NULL)
        goto out;
    if (!cli_load_key(keypath, &b.key))
        goto out;
    if ((b.ak = audit_keys_load(keypath)) == NULL || !scratch_make(outp))
        goto out;
    rc = backup_run(&b);
out:
    scratch_remove();
    passphrase_free(b.passphrase);
    auditkeys_free(b.ak);
    datakey_free(b.key);
    free(msg);
    free(keypath);
    return rc;
}

/* ---- cbpn restore ---- */

struct restore {
    const char *from, *db, *keypath, *head_dir;
    char *passphrase;
    struct datakey *key;
    struct auditkeys *ak;
    struct audit_head head;
};

static const char *archive_problem(enum archive_status st)
{
    switch (st) {
    case ARCHIVE_WRONG_KEY:
        return "wrong key";
    case ARCHIVE_TRUNCATED:
        return "truncated";
    case ARCHIVE_ALTERED:
        return "altered";
    case ARCHIVE_NOT_ARCHIVE:
        return "not a backup";
    case ARCHIVE_UNSUPPORTED:
        return "unsupported";
    default:
        return "unreadable";
    }
}

/* Decrypts the archive into snap and its head into headpath, checked. */
static bool restore_open_archive(struct restore *r, const char *snap, const char *headpath)
{
    struct archive_secret s = {.key = r->key, .passphrase = r->passphrase};
    struct archive_meta m;
    char *head = NULL, *msg = NULL;
    size_t head_len = 0;
    bool ok = false;
    int in = open(r->from, O_RDONLY | O_CLOEXEC), out = -1, hf = -1;
    if (in < 0) {
        fprintf(stderr, "cbpn: restore: cannot open %s: %s\n", r->from, strerror(errno));
        return false;
    }
    if ((out = file_new(snap)) < 0)
        goto out;
    enum archive_status st = archive_read(in, &s, &m, &head, &head_len, out, &msg);
    if (st != ARCHIVE_OK) {
        fprintf(stderr, "cbpn: restore: refused (%s): %s; nothing written\n", archive_problem(st),
                msg ? msg : "cannot read the backup");
        goto out;
    }
    if (fsync(out) != 0 || (hf = file_new(headpath)) < 0 ||
        write(hf, head, head_len) != (ssize_t)head_len) {
        fprintf(stderr, "cbpn: restore: cannot write the snapshot: %s\n", strerror(errno));
        goto out;
    }
    free(msg);
    msg = NULL;
    if (audit_head_read(r->ak, headpath, &r->head, &msg) != ERR_OK) {
        fprintf(stderr, "cbpn: restore: refused: the backup's signed head: %s; nothing written\n",
                msg ? msg : "unreadable");
        goto out;
    }
    char made[32] = "?";
    struct tm tm;
    time_t t = (time_t)m.created;
    if (gmtime_r(&t, &tm) != NULL)
        strftime(made, sizeof made, "%Y-%m-%dT%H:%M:%SZ", &tm);
    printf("the archive authenticates to its end: a %s snapshot at schema %d, made %s; its "
           "signed head names entry %" PRId64 "\n",
           m.backend == ARCHIVE_POSTGRES ? "postgres" : "sqlite", m.schema, made, r->head.seq);
    ok = true;
out:
    if (hf >= 0)
        close(hf);
    if (out >= 0)
        close(out);
    close(in);
    if (head != NULL)
        sodium_memzero(head, head_len);
    free(head);
    free(msg);
    return ok;
}

/* The snapshot: integrity, schema, audit chain, sealed fields. */
static bool restore_check(struct restore *r, struct store *sn)
{
    struct store_conn *c = store_conn(sn);
    char *msg = NULL;
    int64_t entries = 0;
    long opened = 0;
    if (c == NULL || store_integrity_check(sn, &msg) != ERR_OK) {
        fprintf(stderr, "cbpn: restore: refused: %s; nothing written\n",
                msg ? msg : "cannot read the snapshot");
        free(msg);
        return false;
    }
    int schema = store_schema_version(c);
    if (!chain_ok(c, r->ak, &r->head, &entries)) {
        fprintf(stderr, "cbpn: restore: refused: the backup's audit chain does not verify "
                        "against the head it carries; nothing written\n");
        return false;
    }
    if (!sealed_sample(c, r->key, &opened)) {
        fprintf(stderr,
                "cbpn: restore: refused: %s does not open the backup's sealed fields: "
                "it is not this deployment's data key; nothing written\n",
                r->keypath);
        return false;
    }
    printf("checked: SQLite integrity ok, schema %d, the audit chain of %" PRId64
           " entries verifies against the signed head, the data key opens %ld sealed fields\n",
           schema, entries, opened);
    return true;
}

/* Rows per table the same on both sides (tables matched by name: each
 * backend lists them in its catalog's order). */
static bool counts_same(struct store *a, struct store *b)
{
    struct table_count *ca = NULL, *cb = NULL;
    size_t na = 0, nb = 0;
    char *msg = NULL;
    bool ok = store_table_counts(a, &ca, &na, &msg) == ERR_OK &&
              store_table_counts(b, &cb, &nb, &msg) == ERR_OK && na == nb;
    for (size_t i = 0; ok && i < na; i++) {
        const struct table_count *o = NULL;
        for (size_t k = 0; k < nb && o == NULL; k++)
            if (strcmp(cb[k].table, ca[i].table) == 0)
                o = &cb[k];
        ok = o != NULL && o->rows == ca[i].rows;
        if (!ok)
            fprintf(stderr,
                    "cbpn: restore: table %s: %lld rows in the backup, %lld in the "
                    "target\n",
                    ca[i].table, (long long)ca[i].rows, o != NULL ? (long long)o->rows : -1LL);
    }
    if (msg != NULL)
        fprintf(stderr, "cbpn: restore: %s\n", msg);
    free(ca);
    free(cb);
    free(msg);
    return ok;
}

/* Copies the checked snapshot into an empty PostgreSQL database and
 * checks the copy. */
static bool restore_into_pg(struct restore *r, struct store *sn)
{
    struct store *dst = NULL;
    struct table_count *counts = NULL;
    size_t n = 0;
    char *msg = NULL;
    bool ok = false;
    int64_t entries = 0, rows = 0;
    long opened = 0;
    if (store_open(r->db, true, &dst, &msg) != ERR_OK) {
        fprintf(stderr, "cbpn: restore: the target: %s\n", msg ? msg : "cannot open it");
        goto out;
    }
    enum err e = store_copy(sn, dst, NULL, NULL, &counts, &n, &msg);
    if (e != ERR_OK) {
        fprintf(stderr, "cbpn: restore: refused: %s; nothing written\n",
                msg ? msg : err_message(e));
        goto out;
    }
    for (size_t i = 0; i < n; i++)
        rows += counts[i].rows;
    struct store_conn *c = store_conn(dst);
    if (!counts_same(sn, dst) || c == NULL || !chain_ok(c, r->ak, &r->head, &entries) ||
        !sealed_sample(c, r->key, &opened)) {
        fprintf(stderr, "cbpn: restore: the copy in the target does not check out as the "
                        "backup did: it is left there to be looked into\n");
        goto out;
    }
    printf("copied %lld rows in %zu tables into the database; checked: the same rows in "
           "each table, the audit chain, %ld sealed fields\n",
           (long long)rows, n, opened);
    ok = true;
out:
    free(counts);
    free(msg);
    store_close(dst);
    return ok;
}

/* Writes the backup's head where cbpn audit verify and the servers look,
 * and says which other heads there name later entries. */
static bool restore_head(struct restore *r)
{
    char *base = cli_head_base(r->keypath, r->head_dir), *msg = NULL;
    char *path = audit_head_path(base, HEAD_SERVER);
    char **found = NULL;
    size_t nfound = 0;
    bool ok = audit_head_write(r->ak, &r->head, path, &msg) == ERR_OK;
    if (!ok)
        fprintf(stderr, "cbpn: restore: the signed head: %s\n", msg ? msg : "cannot write it");
    else
        printf("the backup's signed head: %s\n", path);
    if (ok && audit_heads_find(base, &found, &nfound) == ERR_OK) {
        for (size_t i = 0; i < nfound; i++) {
            struct audit_head h;
            free(msg);
            msg = NULL;
            if (strcmp(found[i], path) != 0 &&
                audit_head_read(r->ak, found[i], &h, &msg) == ERR_OK && h.seq > r->head.seq)
                fprintf(stderr,
                        "cbpn: restore: %s names entry %" PRId64 ", after the backup's last "
                        "(%" PRId64 "): it is a head of the database before the restore; move "
                        "it away, or cbpn audit verify reports a cut tail and that server "
                        "signs no head\n",
                        found[i], h.seq, r->head.seq);
            free(found[i]);
        }
    }
    free(found);
    free(msg);
    free(path);
    free(base);
    return ok;
}

/* The cases erased since (the erasure ledger beside the key, or in
 * --head-dir, where the servers keep it): their keys destroyed again in
 * the checked snapshot, before it is published. false on a write error. */
static bool restore_shred(struct restore *r, struct store *sn)
{
    /* beside the key, and in --head-dir when the servers keep it there */
    char *base = cli_head_base(r->keypath, r->head_dir);
    char *path = xasprintf("%s.erased", base), *beside = xasprintf("%s.erased", r->keypath);
    char **ids = NULL, **more = NULL;
    size_t n = 0, nmore = 0;
    bool ok = ledger_read(path, &ids, &n) &&
              (strcmp(path, beside) == 0 || ledger_read(beside, &more, &nmore));
    if (!ok)
        fprintf(stderr, "cbpn: restore: cannot read the erasure ledger %s\n", path);
    if (nmore > 0) {
        ids = xrealloc(ids, (n + nmore) * sizeof *ids);
        memcpy(ids + n, more, nmore * sizeof *more);
        n += nmore;
    }
    free(more);
    free(beside);
    struct store_conn *c = store_conn(sn);
    int64_t shredded = 0;
    for (size_t i = 0; ok && i < n; i++) {
        struct blob w = {0};
        enum err e = store_case_key_get(c, ids[i], &w);
        free(w.p);
        if (e == ERR_OK && (e = store_case_key_delete(c, ids[i])) == ERR_OK)
            shredded++;
        ok = e == ERR_OK || e == ERR_NOT_FOUND;
    }
    for (size_t i = 0; i < n; i++)
        free(ids[i]);
    free(ids);
    if (ok && shredded > 0)
        printf("erased since the backup: the keys of %" PRId64 " cases destroyed again (%s)\n",
               shredded, path);
    else if (!ok)
        fprintf(stderr, "cbpn: restore: cannot destroy the keys of the cases erased since; "
                        "nothing written\n");
    free(path);
    free(base);
    return ok;
}

static int restore_run(struct restore *r)
{
    const char *snap = scratch_db("restore.db");
    const char *headpath = scratch_file("head");
    struct store *sn = NULL;
    char *msg = NULL;
    int rc = 1;
    if (!restore_open_archive(r, snap, headpath))
        goto out;
    if (store_open(snap, false, &sn, &msg) != ERR_OK) {
        fprintf(stderr, "cbpn: restore: refused: the snapshot: %s; nothing written\n",
                msg ? msg : "cannot open it");
        goto out;
    }
    if (!restore_check(r, sn) || !restore_shred(r, sn))
        goto out;
    if (store_is_uri(r->db)) {
        if (!restore_into_pg(r, sn))
            goto out;
    } else {
        store_close(sn);
        sn = NULL;
        int fd = open(snap, O_RDWR | O_CLOEXEC);
        bool synced = fd >= 0 && fsync(fd) == 0;
        if (fd >= 0)
            close(fd);
        if (!synced || !file_publish(snap, r->db))
            goto out;
        printf("restored into %s\n", r->db);
    }
    if (!restore_head(r))
        goto out;
    rc = 0;
out:
    store_close(sn);
    free(msg);
    return rc;
}

int cmd_restore(int argc, char **argv)
{
    static const struct option opts[] = {{"from", required_argument, NULL, 'f'},
                                         {"db", required_argument, NULL, 'd'},
                                         {"key", required_argument, NULL, 'k'},
                                         {"passphrase", no_argument, NULL, 'p'},
                                         {"head-dir", required_argument, NULL, 'D'},
                                         {"help", no_argument, NULL, 'h'},
                                         {0, 0, 0, 0}};
    struct restore r = {0};
    const char *key = NULL;
    bool pass = false;
    int o;
    optind = 1;
    while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (o == 'f')
            r.from = optarg;
        else if (o == 'd')
            r.db = optarg;
        else if (o == 'k')
            key = optarg;
        else if (o == 'p')
            pass = true;
        else if (o == 'D')
            r.head_dir = optarg;
        else
            return usage_of(RESTORE_USAGE, o == 'h');
    }
    if (r.from == NULL || r.db == NULL || optind != argc)
        return usage_of(RESTORE_USAGE, false);
    char *keypath = cli_key_path(r.db, key), *msg = NULL;
    struct stat sb;
    int rc = 1;
    if (keypath == NULL)
        return 2;
    r.keypath = keypath;
    bool uri = store_is_uri(r.db);
    if (!uri && (lstat(r.db, &sb) == 0 || errno != ENOENT)) {
        fprintf(stderr,
                "cbpn: restore: %s exists: restore into a new file, or stop its servers and "
                "move it (with its -wal and -shm files) away first; nothing written\n",
                r.db);
        goto out;
    }
    int fd = open(r.from, O_RDONLY | O_CLOEXEC);
    struct archive_meta m;
    enum archive_status st = fd >= 0 ? archive_read_header(fd, &m, &msg) : ARCHIVE_IO;
    if (fd >= 0)
        close(fd);
    if (st != ARCHIVE_OK) {
        fprintf(stderr, "cbpn: restore: refused (%s): %s; nothing written\n", archive_problem(st),
                msg ? msg : strerror(errno));
        goto out;
    }
    if ((m.keykind == ARCHIVE_KEY_PASSPHRASE) != pass) {
        fprintf(stderr, "cbpn: restore: %s\n",
                pass ? "the backup is encrypted with the data key: leave out --passphrase"
                     : "the backup is encrypted with a passphrase: give --passphrase");
        rc = 2;
        goto out;
    }
    if (pass && (r.passphrase = passphrase_read(0)) == NULL)
        goto out;
    free(msg);
    msg = NULL;
    if (!cli_load_key(keypath, &r.key))
        goto out;
    if ((r.ak = audit_keys_load(keypath)) == NULL || !scratch_make(uri ? r.from : r.db))
        goto out;
    rc = restore_run(&r);
out:
    scratch_remove();
    passphrase_free(r.passphrase);
    auditkeys_free(r.ak);
    datakey_free(r.key);
    free(msg);
    free(keypath);
    return rc;
}
