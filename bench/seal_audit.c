/* The cost of sealing and auditing, measured in one run (make bench runs it;
 * never installed). It links the server's objects, opens a database (a copy
 * of the demo's, or a PostgreSQL URI) and, as the demo's caseworker1, times
 * case views (case_dossier_get: what GET /api/v1/cases/{id} calls) and case
 * creations (case_report: what POST /api/v1/cases calls, on the body of
 * bench/post_case.lua, decoded by the API's decoder) on 1 thread and on
 * several, each its own connection, four ways:
 *
 *   as cbpn runs      the domain calls as they are (audit reads in group
 *                     commits, audit/audit.h)
 *   before batching   every audit append of a read in its own transaction
 *                     (one commit, one fsync each), as before the group
 *                     commit
 *   without audit     the same calls with audit_append doing nothing
 *   without sealing   ... and crypto_seal / crypto_unseal doing no crypto:
 *   and audit         they copy a blob sealed (or opened) in the warm-up,
 *                     so the store reads and writes blobs of the same size
 *
 * The last three are this program's only: it links with
 * -Wl,--wrap=audit_append,--wrap=crypto_seal,--wrap=crypto_unseal, so the
 * calls the domain makes land in the __wrap_ functions below. The shipped
 * binary has no way to turn sealing or auditing off.
 *
 * usage: seal_audit --db DB --key KEYFILE [--label NAME] [--threads N,N,...]
 *                   [--views N] [--creates N]
 * (--threads: the thread counts to run with, default 1,2,8; N operations
 * shared among them, default 1000 views and 300 creations; each
 * measurement the median of 3, the four ways in turn. An operation that
 * fails, e.g. SQLite busy past its timeout, is counted on its line; the
 * exit status is 1 when one failed as cbpn runs or the chain does not
 * verify.) */
#include <getopt.h>
#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/json_io.h"
#include "audit/audit.h"
#include "domain/cases.h"
#include "domain/casework.h"
#include "domain/place.h"
#include "domain/screening.h"
#include "domain/sealed.h"
#include "util/log.h"

enum mode { MODE_RUNS, MODE_DIRECT, MODE_NO_AUDIT, MODE_NO_SEAL, MODE__MAX };
static const char *const mode_names[MODE__MAX] = {"as cbpn runs",
                                                  "before batching (1 commit per read)",
                                                  "without audit", "without sealing and audit"};
static _Atomic int mode = MODE_RUNS;

/* ---- the wrapped calls ---- */

enum err __real_audit_append(struct store_conn *c, const char *user_id, enum audit_action action,
                             const char *record_type, const char *record_id, const char *detail);
enum err __wrap_audit_append(struct store_conn *c, const char *user_id, enum audit_action action,
                             const char *record_type, const char *record_id, const char *detail);
void __real_crypto_seal(const struct datakey *k, const char *ad, const void *pt, size_t n,
                        struct blob *out);
void __wrap_crypto_seal(const struct datakey *k, const char *ad, const void *pt, size_t n,
                        struct blob *out);
bool __real_crypto_unseal(const struct datakey *k, const char *ad, const struct blob *in, char **pt,
                          size_t *n);
bool __wrap_crypto_unseal(const struct datakey *k, const char *ad, const struct blob *in, char **pt,
                          size_t *n);

enum err __wrap_audit_append(struct store_conn *c, const char *user_id, enum audit_action action,
                             const char *record_type, const char *record_id, const char *detail)
{
    int m = atomic_load(&mode);
    if (m == MODE_NO_AUDIT || m == MODE_NO_SEAL)
        return ERR_OK;
    if (m == MODE_DIRECT && !store_in_tx(c)) {
        /* as audit_append was before the group commit: its own transaction */
        enum err e = store_begin(c);
        if (e == ERR_OK)
            e = store_end(c,
                          __real_audit_append(c, user_id, action, record_type, record_id, detail));
        return e;
    }
    return __real_audit_append(c, user_id, action, record_type, record_id, detail);
}

/* Blobs sealed and opened in the warm-up: a sealed blob by its plaintext's
 * length, a plaintext by its sealed blob. */
#define CACHE_MAX 512
struct cached {
    size_t key_len;
    unsigned char *key; /* the sealed blob (unseal); NULL for a seal */
    struct blob sealed;
    char *pt;
    size_t pt_len;
};
static struct cached cache[CACHE_MAX];
static size_t ncache;
static pthread_mutex_t cache_mu = PTHREAD_MUTEX_INITIALIZER;

void __wrap_crypto_seal(const struct datakey *k, const char *ad, const void *pt, size_t n,
                        struct blob *out)
{
    if (atomic_load(&mode) != MODE_NO_SEAL) {
        __real_crypto_seal(k, ad, pt, n, out);
        return;
    }
    pthread_mutex_lock(&cache_mu);
    for (size_t i = 0; i < ncache; i++)
        if (cache[i].key == NULL && cache[i].pt_len == n) {
            out->len = cache[i].sealed.len;
            out->p = malloc(out->len);
            memcpy(out->p, cache[i].sealed.p, out->len);
            pthread_mutex_unlock(&cache_mu);
            return;
        }
    __real_crypto_seal(k, ad, pt, n, out);
    if (ncache < CACHE_MAX) {
        struct cached *e = &cache[ncache++];
        e->key = NULL;
        e->pt_len = n;
        e->sealed.len = out->len;
        e->sealed.p = malloc(out->len);
        memcpy(e->sealed.p, out->p, out->len);
    }
    pthread_mutex_unlock(&cache_mu);
}

bool __wrap_crypto_unseal(const struct datakey *k, const char *ad, const struct blob *in, char **pt,
                          size_t *n)
{
    if (atomic_load(&mode) != MODE_NO_SEAL)
        return __real_crypto_unseal(k, ad, in, pt, n);
    pthread_mutex_lock(&cache_mu);
    for (size_t i = 0; i < ncache; i++)
        if (cache[i].key != NULL && cache[i].key_len == in->len &&
            memcmp(cache[i].key, in->p, in->len) == 0) {
            *n = cache[i].pt_len;
            *pt = malloc(*n + 1);
            memcpy(*pt, cache[i].pt, *n + 1);
            pthread_mutex_unlock(&cache_mu);
            return true;
        }
    bool ok = __real_crypto_unseal(k, ad, in, pt, n);
    if (ok && ncache < CACHE_MAX) {
        struct cached *e = &cache[ncache++];
        e->key_len = in->len;
        e->key = malloc(in->len);
        memcpy(e->key, in->p, in->len);
        e->pt_len = *n;
        e->pt = malloc(*n + 1);
        memcpy(e->pt, *pt, *n + 1);
    }
    pthread_mutex_unlock(&cache_mu);
    return ok;
}

/* A case's fields go through its case key (sealed.h): fetched, unwrapped
 * and used inside src/crypto/ and src/domain/sealed.c, where --wrap does
 * not reach; without sealing, those two calls are answered from the same
 * cache, so the case key's read and unwrapping are counted as sealing. */
enum err __real_sealed_seal_case(const struct ctx *cx, const char *case_id, enum sealed_field f,
                                 const char *id, const char *text, struct blob *out);
enum err __wrap_sealed_seal_case(const struct ctx *cx, const char *case_id, enum sealed_field f,
                                 const char *id, const char *text, struct blob *out);
bool __real_sealed_open_case(const struct ctx *cx, const char *case_id, enum sealed_field f,
                             const char *id, const struct blob *b, char **out);
bool __wrap_sealed_open_case(const struct ctx *cx, const char *case_id, enum sealed_field f,
                             const char *id, const struct blob *b, char **out);

enum err __wrap_sealed_seal_case(const struct ctx *cx, const char *case_id, enum sealed_field f,
                                 const char *id, const char *text, struct blob *out)
{
    if (atomic_load(&mode) != MODE_NO_SEAL)
        return __real_sealed_seal_case(cx, case_id, f, id, text, out);
    size_t n = strlen(text);
    pthread_mutex_lock(&cache_mu);
    for (size_t i = 0; i < ncache; i++)
        if (cache[i].key == NULL && cache[i].pt_len == n) {
            out->len = cache[i].sealed.len;
            out->p = malloc(out->len);
            memcpy(out->p, cache[i].sealed.p, out->len);
            pthread_mutex_unlock(&cache_mu);
            return ERR_OK;
        }
    pthread_mutex_unlock(&cache_mu);
    enum err e = __real_sealed_seal_case(cx, case_id, f, id, text, out);
    pthread_mutex_lock(&cache_mu);
    if (e == ERR_OK && ncache < CACHE_MAX) {
        struct cached *c = &cache[ncache++];
        c->key = NULL;
        c->pt_len = n;
        c->sealed.len = out->len;
        c->sealed.p = malloc(out->len);
        memcpy(c->sealed.p, out->p, out->len);
    }
    pthread_mutex_unlock(&cache_mu);
    return e;
}

bool __wrap_sealed_open_case(const struct ctx *cx, const char *case_id, enum sealed_field f,
                             const char *id, const struct blob *b, char **out)
{
    if (atomic_load(&mode) != MODE_NO_SEAL || b->len == 0)
        return __real_sealed_open_case(cx, case_id, f, id, b, out);
    pthread_mutex_lock(&cache_mu);
    for (size_t i = 0; i < ncache; i++)
        if (cache[i].key != NULL && cache[i].key_len == b->len &&
            memcmp(cache[i].key, b->p, b->len) == 0) {
            *out = malloc(cache[i].pt_len + 1);
            memcpy(*out, cache[i].pt, cache[i].pt_len + 1);
            pthread_mutex_unlock(&cache_mu);
            return true;
        }
    pthread_mutex_unlock(&cache_mu);
    bool ok = __real_sealed_open_case(cx, case_id, f, id, b, out);
    pthread_mutex_lock(&cache_mu);
    if (ok && *out != NULL && ncache < CACHE_MAX) {
        struct cached *c = &cache[ncache++];
        c->key_len = b->len;
        c->key = malloc(b->len);
        memcpy(c->key, b->p, b->len);
        c->pt_len = strlen(*out);
        c->pt = malloc(c->pt_len + 1);
        memcpy(c->pt, *out, c->pt_len + 1);
    }
    pthread_mutex_unlock(&cache_mu);
    return ok;
}

/* ---- the work ---- */

struct bench {
    struct store *st;
    struct datakey *key;
    struct places *places;
    struct screening_catalog *screening;
    struct actor actor;
    char (*ids)[ID_SIZE]; /* cases caseworker1 sees in detail */
    size_t nids;
    struct case_report_in in; /* the report, as the API decodes it */
    json_t *body;
};

enum op { OP_VIEW, OP_CREATE };

struct worker {
    struct bench *b;
    enum op op;
    int n, index;
    pthread_barrier_t *start;
    int failures;
};

static struct ctx ctx_for(struct bench *b, struct store_conn *c)
{
    return (struct ctx){
        .db = c, .key = b->key, .actor = &b->actor, .places = b->places, .screening = b->screening};
}

static bool one(struct bench *b, const struct ctx *cx, enum op op, int i)
{
    enum err e;
    if (op == OP_VIEW) {
        struct case_dossier d;
        e = case_dossier_get(cx, b->ids[(size_t)i % b->nids], &d);
        case_dossier_free(&d);
    } else {
        struct case_view v = {0};
        struct fielderrs fe = {0};
        e = case_report(cx, &b->in, &v, &fe);
        case_view_free(&v);
    }
    return e == ERR_OK;
}

static void *work(void *arg)
{
    struct worker *w = arg;
    struct store_conn *c = store_conn(w->b->st); /* opened before the clock starts */
    struct ctx cx = ctx_for(w->b, c);
    pthread_barrier_wait(w->start);
    for (int i = 0; i < w->n; i++)
        if (c == NULL || !one(w->b, &cx, w->op, w->index * 7 + i))
            w->failures++;
    return NULL;
}

#define REPS 3

static int dbl_cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Operations per second of n operations over threads threads. */
static double run(struct bench *b, enum op op, int threads, int n, int *failures)
{
    pthread_t t[64];
    struct worker w[64];
    pthread_barrier_t start;
    pthread_barrier_init(&start, NULL, (unsigned)threads + 1);
    for (int i = 0; i < threads; i++) {
        w[i] = (struct worker){b, op, n / threads, i, &start, 0};
        pthread_create(&t[i], NULL, work, &w[i]);
    }
    pthread_barrier_wait(&start);
    double t0 = now();
    for (int i = 0; i < threads; i++)
        pthread_join(t[i], NULL);
    double secs = now() - t0;
    pthread_barrier_destroy(&start);
    int done = 0;
    for (int i = 0; i < threads; i++) {
        *failures += w[i].failures;
        done += w[i].n;
    }
    return secs > 0 ? done / secs : 0;
}

static bool bench_open(struct bench *b, const char *db, const char *keypath)
{
    char *msg = NULL;
    struct auditkeys *ak = NULL;
    char *akpath = auditkeys_path_for(keypath);
    bool ok = store_open(db, false, &b->st, &msg) == ERR_OK &&
              datakey_load(keypath, &b->key, &msg) == ERR_OK &&
              auditkeys_load(akpath, &ak, &msg) == ERR_OK;
    free(akpath);
    if (!ok) {
        fprintf(stderr, "seal_audit: %s\n", msg ? msg : "cannot open the database");
        free(msg);
        return false;
    }
    audit_use_keys(ak);
    struct store_conn *c = store_conn(b->st);
    char *hash = NULL;
    if (places_load(c, &b->places) != ERR_OK ||
        screening_catalog_load(&b->screening, &msg) != ERR_OK ||
        store_user_by_username(c, "caseworker1", &b->actor.user, &hash) != ERR_OK ||
        !role_parse(b->actor.user.role, &b->actor.role)) {
        fprintf(stderr, "seal_audit: not a demo database (no caseworker1)\n");
        return false;
    }
    free(hash);
    struct ctx cx = ctx_for(b, c);
    struct case_query q = {0};
    struct case_view *items = NULL;
    size_t n = 0;
    char next[CURSOR_SIZE];
    struct fielderrs fe = {0};
    q.limit = 50;
    if (case_list(&cx, &q, &items, &n, next, &fe) != ERR_OK)
        return false;
    b->ids = calloc(n + 1, ID_SIZE);
    for (size_t i = 0; i < n; i++)
        if (items[i].detail)
            memcpy(b->ids[b->nids++], items[i].rec.id, ID_SIZE);
    case_views_free(items, n);
    /* Not the cases an earlier run made "without sealing": their blobs,
     * copied from others, do not open. */
    size_t kept = 0;
    for (size_t i = 0; i < b->nids; i++) {
        struct case_dossier d;
        if (case_dossier_get(&cx, b->ids[i], &d) == ERR_OK)
            memmove(b->ids[kept++], b->ids[i], ID_SIZE);
        case_dossier_free(&d);
    }
    b->nids = kept;
    if (b->nids == 0) {
        fprintf(stderr, "seal_audit: caseworker1 sees no case in detail\n");
        return false;
    }
    /* bench/post_case.lua's body */
    b->body = json_loads("{\"location_code\":\"17071001\",\"concerns\":[\"unsafe_migration\"],"
                         "\"summary\":\"Benchmark report\",\"survivor\":{\"sex\":\"female\","
                         "\"age\":24},\"consent_to_contact\":false,\"urgent\":false}",
                         0, NULL);
    case_report_in_init(&b->in);
    jin_fields(b->body, &case_report_fields, &b->in, &fe);
    return fe.n == 0;
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {{"db", required_argument, NULL, 'd'},
                                         {"key", required_argument, NULL, 'k'},
                                         {"label", required_argument, NULL, 'l'},
                                         {"threads", required_argument, NULL, 't'},
                                         {"views", required_argument, NULL, 'v'},
                                         {"creates", required_argument, NULL, 'c'},
                                         {NULL, 0, NULL, 0}};
    const char *db = NULL, *keypath = NULL, *label = "sqlite", *threads = "1,2,8";
    int nviews = 1000, ncreates = 300, o;
    while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (o) {
        case 'd':
            db = optarg;
            break;
        case 'k':
            keypath = optarg;
            break;
        case 'l':
            label = optarg;
            break;
        case 't':
            threads = optarg;
            break;
        case 'v':
            nviews = atoi(optarg);
            break;
        case 'c':
            ncreates = atoi(optarg);
            break;
        default:
            return 2;
        }
    }
    int tcounts[8], nt = 0;
    for (const char *p = threads; p != NULL && *p != '\0' && nt < 8; p = strchr(p, ',')) {
        if (*p == ',')
            p++;
        tcounts[nt++] = atoi(p);
    }
    bool bad = db == NULL || keypath == NULL || nt == 0;
    for (int i = 0; i < nt; i++)
        bad |= tcounts[i] < 1 || tcounts[i] > 64 || nviews < tcounts[i] || ncreates < tcounts[i];
    if (bad) {
        fprintf(stderr,
                "usage: seal_audit --db DB --key KEYFILE [--label NAME] [--threads N,N,...] "
                "[--views N] [--creates N]\n");
        return 2;
    }
    if (!crypto_init())
        return 1;
    log_quiet(1);
    struct bench b = {0};
    if (!bench_open(&b, db, keypath))
        return 1;
    char *headpath = audit_head_path(keypath, "bench"), *msg = NULL;
    struct audit_signer *signer = NULL;
    if (audit_signer_start(b.st, audit_keys(), headpath, "bench", &signer, &msg) != ERR_OK) {
        fprintf(stderr, "seal_audit: %s\n", msg ? msg : "no head signer");
        return 1;
    }
    int failures = 0;
    /* warm-up: every case opened and a report sealed once, in each mode's
     * caches (the blobs "without sealing" copies) */
    for (int m = MODE_RUNS; m < MODE__MAX; m++) {
        atomic_store(&mode, m);
        (void)run(&b, OP_VIEW, 1, (int)b.nids, &failures);
        (void)run(&b, OP_CREATE, 1, 2, &failures);
    }
    static const char *const op_names[] = {"case view", "case creation"};
    int counts[] = {nviews, ncreates};
    printf("in-process, %s (%s): caseworker1, %zu cases viewed in turn; ops/s and the ratio to "
           "\"as cbpn runs\" on the same threads\n",
           label, store_backend_name(b.st), b.nids);
    for (int op = OP_VIEW; op <= OP_CREATE; op++)
        for (int ti = 0; ti < nt; ti++) {
            int th = tcounts[ti];
            double r[MODE__MAX], reps[MODE__MAX][REPS];
            uint64_t nb[MODE__MAX] = {0}, ne[MODE__MAX] = {0};
            int fails[MODE__MAX] = {0};
            /* the modes in turn, REPS times: each its median, so a slow
             * moment of the machine weighs on one run of each */
            for (int k = 0; k < REPS; k++)
                for (int m = MODE_RUNS; m < MODE__MAX; m++) {
                    uint64_t b0, e0, b1, e1;
                    atomic_store(&mode, m);
                    audit_batch_stats(&b0, &e0);
                    reps[m][k] = run(&b, (enum op)op, th, counts[op], &fails[m]);
                    audit_batch_stats(&b1, &e1);
                    nb[m] += b1 - b0;
                    ne[m] += e1 - e0;
                }
            for (int m = MODE_RUNS; m < MODE__MAX; m++) {
                qsort(reps[m], REPS, sizeof(double), dbl_cmp);
                r[m] = reps[m][REPS / 2];
            }
            failures += fails[MODE_RUNS];
            for (int m = MODE_RUNS; m < MODE__MAX; m++) {
                char extra[64] = "";
                if (fails[m] > 0)
                    snprintf(extra, sizeof extra, "   (%d FAILED)", fails[m]);
                else if (m == MODE_RUNS && nb[m] > 0)
                    snprintf(extra, sizeof extra, "   (%.2f entries per group commit)",
                             (double)ne[m] / (double)nb[m]);
                printf("  %-13s %d thread%s  %-36s %9.0f ops/s   %.3f x%s\n", op_names[op], th,
                       th == 1 ? " " : "s", mode_names[m], r[m], r[m] / r[MODE_RUNS], extra);
            }
            printf("  %-13s %d thread%s  auditing costs %.0f %% of the rate without it, sealing "
                   "%.0f %% of the rate without either\n",
                   op_names[op], th, th == 1 ? " " : "s",
                   100.0 * (1.0 - r[MODE_RUNS] / r[MODE_NO_AUDIT]),
                   100.0 * (1.0 - r[MODE_NO_AUDIT] / r[MODE_NO_SEAL]));
        }
    atomic_store(&mode, MODE_RUNS);
    bool ok = false;
    int64_t entries = 0, first_bad = 0;
    audit_verify(store_conn(b.st), &ok, &entries, &first_bad);
    printf("  audit chain after the run: %s (%lld entries)%s\n", ok ? "verifies" : "BROKEN",
           (long long)entries, failures ? "; some operations as cbpn runs FAILED" : "");
    audit_signer_stop(signer);
    free(headpath);
    store_close(b.st);
    return ok && failures == 0 ? 0 : 1;
}
