/* cbpn migrate: copies a deployment into another database (store_copy)
 * and checks the copy against the source: rows per table, the audit
 * chain, and a sample of sealed fields compared blob for blob and opened
 * on both sides with the data key. Prints table names and counts, never a
 * value, and never a database URI (it may hold a password). */
#include <errno.h>
#include <getopt.h>
#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit/audit.h"
#include "cli/cli.h"
#include "crypto/crypto.h"
#include "domain/ctx.h"
#include "domain/sealed.h"
#include "util/alloc.h"
#include "util/clock.h"

#define SAMPLE_CASES    50 /* cases checked, spread over all of them */
#define SAMPLE_GROUPS   20 /* groups whose members' phones are checked */
#define CASE_PAGE       500
#define KEY_PROBE_CASES 20 /* cases looked at for a sealed summary to try the key on */

static const char *const MIGRATE_USAGE =
    "usage: cbpn migrate --from DB --to DB [--key KEYFILE]\n"
    "Copies the deployment at --from (a file or a postgres:// URI) into --to and\n"
    "checks the copy. --to must be an empty database (a new file, or an empty\n"
    "PostgreSQL database): its schema is created, one that holds cbpn data is\n"
    "refused. Everything is copied in one transaction, or nothing. The copy keeps\n"
    "the source's data key (--key, or FROM.key beside a file): give the same file\n"
    "as --key to cbpn serve on the copy. Stop the servers on --from first: what\n"
    "they write during the copy is not in it, and the check then fails.\n";

static int usage_of(const char *text, bool asked)
{
    fputs(text, asked ? stdout : stderr);
    return asked ? 0 : 2;
}

/* ---- progress ---- */

static void progress_show(void *arg, const char *table, int64_t done, int64_t total)
{
    bool tty = *(const bool *)arg;
    if (tty)
        fprintf(stderr, "\r  %-20s %10lld / %lld%s", table, (long long)done, (long long)total,
                done == total ? "\n" : "");
    else if (done == total)
        fprintf(stderr, "  %-20s %10lld row%s\n", table, (long long)done, done == 1 ? "" : "s");
}

/* ---- the checks ---- */

/* Rows per table on both sides, printed; false when any differs. */
static bool verify_counts(struct store *from, struct store *to)
{
    struct table_count *a = NULL, *b = NULL;
    size_t na = 0, nb = 0;
    char *msg = NULL;
    bool ok = false;
    if (store_table_counts(from, &a, &na, &msg) != ERR_OK ||
        store_table_counts(to, &b, &nb, &msg) != ERR_OK) {
        fprintf(stderr, "cbpn: migrate: %s\n", msg ? msg : "cannot count the rows");
        goto out;
    }
    ok = na == nb;
    printf("  %-20s %10s %10s\n", "table", "source", "copy");
    for (size_t i = 0; i < na; i++) {
        const struct table_count *o = NULL;
        for (size_t k = 0; k < nb && o == NULL; k++)
            if (strcmp(b[k].table, a[i].table) == 0)
                o = &b[k];
        bool same = o != NULL && o->rows == a[i].rows;
        printf("  %-20s %10lld %10lld%s\n", a[i].table, (long long)a[i].rows,
               o != NULL ? (long long)o->rows : -1LL, same ? "" : "  DIFFERS");
        ok = ok && same;
    }
    if (ok)
        printf("verified: the same rows in each of the %zu tables\n", na);
    else
        fprintf(stderr, "cbpn: migrate: the row counts differ: was the source written during "
                        "the copy? Stop its servers and migrate into a new empty database\n");
out:
    free(msg);
    free(a);
    free(b);
    return ok;
}

/* The copy's audit chain verifies and ends where the source's does. */
static bool verify_audit(struct store *from, struct store *to)
{
    struct store_conn *src = store_conn(from), *dst = store_conn(to);
    int64_t entries = 0, first_bad = 0;
    struct audit_head_row sh, dh;
    bool ok = false;
    if (store_audit_last(src, &sh) != ERR_OK || store_audit_last(dst, &dh) != ERR_OK ||
        audit_verify(dst, &ok, &entries, &first_bad) != ERR_OK) {
        fprintf(stderr, "cbpn: migrate: cannot read the audit chains\n");
        return false;
    }
    if (!ok) {
        fprintf(stderr, "cbpn: migrate: the copy's audit chain breaks at entry %lld\n",
                (long long)first_bad);
        return false;
    }
    int64_t sseq = sh.seq, dseq = dh.seq;
    if (sseq != dseq || sodium_memcmp(sh.hash, dh.hash, 32) != 0 || sh.has_mac != dh.has_mac ||
        (sh.has_mac && sodium_memcmp(sh.mac, dh.mac, 32) != 0) || entries != dseq) {
        fprintf(stderr,
                "cbpn: migrate: the copy's audit chain ends at entry %lld (%lld entries), the "
                "source's at %lld, or their last hashes differ\n",
                (long long)dseq, (long long)entries, (long long)sseq);
        return false;
    }
    printf("verified: the copy's audit chain of %lld entries is intact and ends with the "
           "source's last entry and hash\n",
           (long long)entries);
    return true;
}

struct sample {
    const struct datakey *key;
    struct ctx src, dst; /* to open case-bound fields under their case keys */
    int cases, groups;
    long fields; /* sealed fields compared and opened */
};

/* Two sealed blobs of field f of record id, one from each side: the same
 * bytes, and opened with the data key to the same text. */
static bool sealed_same(struct sample *sm, const char *case_id, enum sealed_field f, const char *id,
                        const struct blob *a, const struct blob *b)
{
    if (a->len != b->len || (a->len > 0 && memcmp(a->p, b->p, a->len) != 0)) {
        fprintf(stderr, "cbpn: migrate: record %s: a sealed field differs in the copy\n", id);
        return false;
    }
    if (a->len == 0)
        return true;
    char *pa = NULL, *pb = NULL;
    bool oa, ob;
    if (case_id != NULL) {
        oa = sealed_open_case(&sm->src, case_id, f, id, a, &pa) && pa != NULL;
        ob = oa && sealed_open_case(&sm->dst, case_id, f, id, b, &pb) && pb != NULL;
    } else {
        oa = sealed_open(&sm->src, f, id, a, &pa) && pa != NULL;
        ob = oa && sealed_open(&sm->dst, f, id, b, &pb) && pb != NULL;
    }
    size_t na = pa != NULL ? strlen(pa) : 0, nb = pb != NULL ? strlen(pb) : 0;
    bool same = ob && na == nb && sodium_memcmp(pa, pb, na) == 0;
    if (pa != NULL)
        sodium_memzero(pa, na);
    if (pb != NULL)
        sodium_memzero(pb, nb);
    free(pa);
    free(pb);
    if (!oa)
        fprintf(stderr,
                "cbpn: migrate: record %s: a sealed field of the source does not open with "
                "the data key given: is it this deployment's key?\n",
                id);
    else if (!same)
        fprintf(stderr, "cbpn: migrate: record %s: a sealed field opens differently in the copy\n",
                id);
    if (same)
        sm->fields++;
    return same;
}

static bool verify_incidents(struct sample *sm, struct store_conn *src, struct store_conn *dst,
                             const char *case_id)
{
    struct incident_rec *a = NULL, *b = NULL;
    size_t na = 0, nb = 0;
    bool ok = store_incident_list(src, case_id, &a, &na) == ERR_OK &&
              store_incident_list(dst, case_id, &b, &nb) == ERR_OK && na == nb;
    for (size_t i = 0; ok && i < na; i++)
        ok = strcmp(a[i].id, b[i].id) == 0 &&
             sealed_same(sm, case_id, SEALED_INCIDENT_DESCRIPTION, a[i].id, &a[i].description,
                         &b[i].description);
    incident_list_free(a, na);
    incident_list_free(b, nb);
    return ok;
}

static bool verify_notes(struct sample *sm, struct store_conn *src, struct store_conn *dst,
                         const char *case_id)
{
    struct note_rec *a = NULL, *b = NULL;
    size_t na = 0, nb = 0;
    bool ok = store_note_list(src, case_id, &a, &na) == ERR_OK &&
              store_note_list(dst, case_id, &b, &nb) == ERR_OK && na == nb;
    for (size_t i = 0; ok && i < na; i++)
        ok = strcmp(a[i].id, b[i].id) == 0 &&
             sealed_same(sm, case_id, SEALED_NOTE_BODY, a[i].id, &a[i].body, &b[i].body);
    note_list_free(a, na);
    note_list_free(b, nb);
    return ok;
}

static bool verify_tasks(struct sample *sm, struct store_conn *src, struct store_conn *dst,
                         const char *case_id)
{
    struct task_rec *a = NULL, *b = NULL;
    size_t na = 0, nb = 0;
    bool ok = store_task_list(src, case_id, &a, &na) == ERR_OK &&
              store_task_list(dst, case_id, &b, &nb) == ERR_OK && na == nb;
    for (size_t i = 0; ok && i < na; i++)
        ok = strcmp(a[i].id, b[i].id) == 0 && a[i].version == b[i].version &&
             sealed_same(sm, case_id, SEALED_TASK_TITLE, a[i].id, &a[i].title, &b[i].title);
    task_list_free(a, na);
    task_list_free(b, nb);
    return ok;
}

static bool verify_events(struct sample *sm, struct store_conn *src, struct store_conn *dst,
                          const char *case_id)
{
    struct case_event_rec *a = NULL, *b = NULL;
    size_t na = 0, nb = 0;
    bool ok = store_case_event_list(src, case_id, &a, &na) == ERR_OK &&
              store_case_event_list(dst, case_id, &b, &nb) == ERR_OK && na == nb;
    for (size_t i = 0; ok && i < na; i++)
        ok = a[i].seq == b[i].seq && strcmp(a[i].kind, b[i].kind) == 0 &&
             sealed_same(sm, case_id, SEALED_EVENT_TEXT, case_id, &a[i].text, &b[i].text);
    case_event_list_free(a, na);
    case_event_list_free(b, nb);
    return ok;
}

static bool verify_referrals(struct sample *sm, struct store_conn *src, struct store_conn *dst,
                             const char *case_id)
{
    struct referral_filter f = {.case_id = case_id, .limit = 501};
    struct referral_rec *a = NULL, *b = NULL;
    struct consent_rec *ca = NULL, *cb = NULL;
    size_t na = 0, nb = 0, nca = 0, ncb = 0;
    bool ok = store_referral_list(src, &f, &a, &na) == ERR_OK &&
              store_referral_list(dst, &f, &b, &nb) == ERR_OK && na == nb &&
              store_consent_list(src, case_id, &ca, &nca) == ERR_OK &&
              store_consent_list(dst, case_id, &cb, &ncb) == ERR_OK && nca == ncb;
    for (size_t i = 0; ok && i < na; i++)
        ok =
            strcmp(a[i].id, b[i].id) == 0 && a[i].version == b[i].version &&
            strcmp(a[i].status, b[i].status) == 0 &&
            sealed_same(sm, case_id, SEALED_REFERRAL_REASON, a[i].id, &a[i].reason, &b[i].reason) &&
            sealed_same(sm, case_id, SEALED_REFERRAL_SLIP, a[i].id, &a[i].slip_code,
                        &b[i].slip_code) &&
            sealed_same(sm, case_id, SEALED_REFERRAL_OVERRIDE, a[i].id, &a[i].override_reason,
                        &b[i].override_reason) &&
            sealed_same(sm, case_id, SEALED_REFERRAL_CONTACT, a[i].id, &a[i].contact_sealed,
                        &b[i].contact_sealed);
    for (size_t i = 0; ok && i < nca; i++)
        ok = strcmp(ca[i].id, cb[i].id) == 0 && ca[i].seq == cb[i].seq &&
             ca[i].given == cb[i].given &&
             sealed_same(sm, case_id, SEALED_CONSENT_REASON, ca[i].id, &ca[i].withdraw_reason,
                         &cb[i].withdraw_reason);
    referral_list_free(a, na);
    referral_list_free(b, nb);
    consent_list_free(ca, nca);
    consent_list_free(cb, ncb);
    return ok;
}

/* One case and its records, read from both sides. */
static bool verify_case(struct sample *sm, struct store_conn *src, struct store_conn *dst,
                        const char *id)
{
    struct case_rec a = {0}, b = {0};
    bool ok = store_case_get(src, id, &a) == ERR_OK && store_case_get(dst, id, &b) == ERR_OK &&
              strcmp(a.code, b.code) == 0 && strcmp(a.status, b.status) == 0 &&
              a.version == b.version && strcmp(a.updated_at, b.updated_at) == 0 &&
              a.has_survivor == b.has_survivor && strcmp(a.agency_id, b.agency_id) == 0;
    if (!ok)
        fprintf(stderr, "cbpn: migrate: case %s differs in the copy\n", id);
    ok = ok && sealed_same(sm, id, SEALED_CASE_SUMMARY, id, &a.summary, &b.summary) &&
         sealed_same(sm, id, SEALED_CASE_EMPLOYER, id, &a.employer, &b.employer) &&
         sealed_same(sm, id, SEALED_SURVIVOR_IDENTITY, id, &a.survivor.identity,
                     &b.survivor.identity);
    bool records = ok && verify_incidents(sm, src, dst, id) && verify_notes(sm, src, dst, id) &&
                   verify_tasks(sm, src, dst, id) && verify_events(sm, src, dst, id) &&
                   verify_referrals(sm, src, dst, id);
    if (ok && !records)
        fprintf(stderr, "cbpn: migrate: the records of case %s differ in the copy\n", id);
    case_rec_free(&a);
    case_rec_free(&b);
    return records;
}

/* The ids of every case of c, in the store's list order. */
static enum err case_ids(struct store_conn *c, char (**ids)[ID_SIZE], size_t *n)
{
    struct case_filter f = {.urgent = -1, .limit = CASE_PAGE};
    size_t cap = 0;
    *ids = NULL;
    *n = 0;
    for (;;) {
        struct case_rec *items = NULL;
        size_t got = 0;
        enum err e = store_case_list(c, &f, &items, &got);
        if (e != ERR_OK)
            return e;
        for (size_t i = 0; i < got; i++) {
            if (*n == cap) {
                cap = cap > 0 ? cap * 2 : CASE_PAGE;
                *ids = xrealloc(*ids, cap * sizeof(**ids));
            }
            memcpy((*ids)[(*n)++], items[i].id, ID_SIZE);
        }
        if (got > 0) {
            const struct case_rec *last = &items[got - 1];
            f.has_after = true;
            f.after_urgent = last->urgent;
            memcpy(f.after_created_at, last->created_at, TS_SIZE);
            memcpy(f.after_id, last->id, ID_SIZE);
        }
        case_list_free(items, got);
        if (got < CASE_PAGE)
            return ERR_OK;
    }
}

/* The phones and identities of the members of the first SAMPLE_GROUPS groups. */
static bool verify_members(struct sample *sm, struct store_conn *src, struct store_conn *dst)
{
    struct group_rec *g = NULL;
    size_t ng = 0;
    bool ok = store_group_list(src, NULL, &g, &ng) == ERR_OK;
    for (size_t i = 0; ok && i < ng && i < SAMPLE_GROUPS; i++) {
        struct member_rec *a = NULL, *b = NULL;
        size_t na = 0, nb = 0;
        ok = store_member_list(src, g[i].id, NULL, 0, &a, &na) == ERR_OK &&
             store_member_list(dst, g[i].id, NULL, 0, &b, &nb) == ERR_OK && na == nb;
        if (!ok)
            fprintf(stderr, "cbpn: migrate: the members of group %s differ in the copy\n", g[i].id);
        for (size_t k = 0; ok && k < na; k++)
            ok = strcmp(a[k].id, b[k].id) == 0 &&
                 sealed_same(sm, NULL, SEALED_MEMBER_PHONE, a[k].id, &a[k].phone, &b[k].phone) &&
                 sealed_same(sm, NULL, SEALED_MEMBER_IDENTITY, a[k].id, &a[k].identity,
                             &b[k].identity) &&
                 sealed_same(sm, NULL, SEALED_MEMBER_EMPLOYER, a[k].id, &a[k].returnee_employer,
                             &b[k].returnee_employer);
        member_list_free(a, na);
        member_list_free(b, nb);
        sm->groups++;
    }
    group_list_free(g, ng);
    return ok;
}

/* Up to SAMPLE_CASES cases spread over all of them, with their records,
 * and the members of some groups. */
static bool verify_sample(struct store *from, struct store *to, const struct datakey *key)
{
    struct store_conn *src = store_conn(from), *dst = store_conn(to);
    struct sample sm = {.key = key,
                        .src = {.db = src, .key = key, .local_operator = true},
                        .dst = {.db = dst, .key = key, .local_operator = true}};
    char(*ids)[ID_SIZE] = NULL;
    size_t n = 0;
    bool ok = case_ids(src, &ids, &n) == ERR_OK;
    if (!ok)
        fprintf(stderr, "cbpn: migrate: cannot list the cases of the source\n");
    size_t want = n < SAMPLE_CASES ? n : SAMPLE_CASES;
    for (size_t i = 0; ok && i < want; i++) {
        ok = verify_case(&sm, src, dst, ids[i * n / want]);
        sm.cases++;
    }
    free(ids);
    ok = ok && verify_members(&sm, src, dst);
    if (ok)
        printf("verified: %d cases of %zu (with their incidents, notes, tasks, timelines, consents "
               "and referrals) and "
               "the members of %d groups: %ld sealed fields the same bytes in the copy, opening "
               "with the data key to the same text\n",
               sm.cases, n, sm.groups, sm.fields);
    return ok;
}

/* ---- the command ---- */

/* The key opens the source's first sealed case field, if it has one: a
 * wrong key is refused before anything is made. */
static bool key_opens(struct store *from, const struct datakey *key, const char *keypath)
{
    struct store_conn *c = store_conn(from);
    struct case_filter f = {.urgent = -1, .limit = KEY_PROBE_CASES};
    struct case_rec *items = NULL;
    size_t n = 0;
    bool ok = true, found = false;
    if (c == NULL || store_case_list(c, &f, &items, &n) != ERR_OK) {
        fprintf(stderr, "cbpn: migrate: cannot read the cases of the source\n");
        return false;
    }
    for (size_t i = 0; i < n && !found; i++) {
        if (items[i].summary.len == 0)
            continue;
        struct ctx cx = {.db = c, .key = key, .local_operator = true};
        char *pt = NULL;
        found = true;
        ok = sealed_open_case(&cx, items[i].id, SEALED_CASE_SUMMARY, items[i].id, &items[i].summary,
                              &pt) &&
             pt != NULL;
        crypto_free_text(pt);
    }
    case_list_free(items, n);
    if (!ok)
        fprintf(stderr,
                "cbpn: migrate: %s does not open the source's sealed fields: it is not this "
                "deployment's data key; nothing done\n",
                keypath);
    return ok;
}

/* A file target's own key file (TO.key) would be taken for its key by
 * cbpn serve without --key: refused unless it is the data key's file. */
static bool target_key_free(const char *to, const char *keypath)
{
    if (store_is_uri(to))
        return true;
    char *own = datakey_path_for(to);
    struct stat a, b;
    bool ok = stat(own, &a) != 0 ||
              (stat(keypath, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino);
    if (!ok)
        fprintf(stderr,
                "cbpn: migrate: %s exists and is not the data key %s; move it away (the "
                "copy keeps the source's key)\n",
                own, keypath);
    free(own);
    return ok;
}

/* Removes a target file this command created, with its WAL files. */
static void target_remove(const char *to)
{
    static const char *const suffixes[] = {"", "-wal", "-shm"};
    for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
        char *p = xasprintf("%s%s", to, suffixes[i]);
        unlink(p);
        free(p);
    }
}

/* Copies, then checks; 0 when both went well. *committed: the copy is in to. */
static int migrate_run(struct store *from, struct store *to, const struct datakey *key,
                       bool *committed)
{
    bool tty = isatty(STDERR_FILENO) == 1;
    struct table_count *counts = NULL;
    size_t n = 0;
    char *msg = NULL;
    int64_t t0 = clock_mono_ms();
    fprintf(stderr, "copying %s into %s\n", store_backend_name(from), store_backend_name(to));
    enum err e = store_copy(from, to, progress_show, &tty, &counts, &n, &msg);
    if (e != ERR_OK) {
        if (tty)
            fputc('\n', stderr);
        fprintf(stderr, "cbpn: migrate: %s\n", msg ? msg : err_message(e));
        free(msg);
        return 1;
    }
    *committed = true;
    int64_t rows = 0;
    for (size_t i = 0; i < n; i++)
        rows += counts[i].rows;
    free(counts);
    printf("copied %lld rows in %zu tables in %.1f s\n", (long long)rows, n,
           (double)(clock_mono_ms() - t0) / 1000.0);
    bool ok = verify_counts(from, to);
    ok = verify_audit(from, to) && ok;
    ok = ok && verify_sample(from, to, key);
    return ok ? 0 : 1;
}

int cmd_migrate(int argc, char **argv)
{
    static const struct option opts[] = {{"from", required_argument, NULL, 'f'},
                                         {"to", required_argument, NULL, 't'},
                                         {"key", required_argument, NULL, 'k'},
                                         {"help", no_argument, NULL, 'h'},
                                         {0, 0, 0, 0}};
    const char *from = NULL, *to = NULL, *key = NULL;
    int o;
    optind = 1;
    while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (o == 'f')
            from = optarg;
        else if (o == 't')
            to = optarg;
        else if (o == 'k')
            key = optarg;
        else
            return usage_of(MIGRATE_USAGE, o == 'h');
    }
    if (from == NULL || to == NULL || optind != argc)
        return usage_of(MIGRATE_USAGE, false);
    if (strcmp(from, to) == 0) {
        fprintf(stderr, "cbpn: migrate: --from and --to are the same database\n");
        return 2;
    }
    char *keypath = cli_key_path(from, key);
    if (keypath == NULL)
        return 2;
    struct store *src = NULL, *dst = NULL;
    struct datakey *k = NULL;
    struct auditkeys *ak = NULL;
    char *msg = NULL;
    struct stat sb;
    bool committed = false;
    bool created = !store_is_uri(to) && stat(to, &sb) != 0 && errno == ENOENT;
    int rc = 1;
    if (!target_key_free(to, keypath))
        goto out;
    if (!cli_load_key(keypath, &k))
        goto out;
    if (store_open(from, false, &src, &msg) != ERR_OK) {
        fprintf(stderr, "cbpn: migrate: the source: %s\n", msg ? msg : "cannot open it");
        goto out;
    }
    free(msg);
    msg = NULL;
    if (!key_opens(src, k, keypath))
        goto out;
    if (!cli_audit_keys(store_conn(src), keypath, &ak))
        goto out;
    if (store_open(to, true, &dst, &msg) != ERR_OK) {
        fprintf(stderr, "cbpn: migrate: the target: %s\n", msg ? msg : "cannot open it");
        goto out;
    }
    rc = migrate_run(src, dst, k, &committed);
    if (rc == 0)
        printf("data key: %s, unchanged: the copy is sealed under it. Serve the copy with\n"
               "  cbpn serve --db %s --key %s\n",
               keypath, store_is_uri(to) ? "<the --to URI>" : to, keypath);
out:
    store_close(dst);
    store_close(src);
    /* A file made here holds nothing until the copy is committed; after
     * that it stays, even when a check failed, to be looked into. */
    if (created && !committed)
        target_remove(to);
    datakey_free(k);
    audit_use_keys(NULL);
    auditkeys_free(ak);
    free(msg);
    free(keypath);
    return rc;
}
