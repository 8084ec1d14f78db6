/* Re-sealing after a key rotation (rekey.h). */
#include <stdlib.h>
#include <string.h>

#include "domain/rekey.h"
#include "domain/sealed.h"
#include "util/alloc.h"
#include "util/log.h"

#define PAGE 200

struct row {
    char *name;
    struct blob b;
};

struct page {
    struct row rows[PAGE];
    int n;
};

static bool take(void *arg, const char *name, const struct blob *b)
{
    struct page *p = arg;
    struct row *r = &p->rows[p->n++];
    r->name = xstrdup(name);
    r->b.len = b->len;
    r->b.p = xmalloc(b->len > 0 ? b->len : 1);
    if (b->len > 0)
        memcpy(r->b.p, b->p, b->len);
    return p->n < PAGE;
}

static void page_clear(struct page *p)
{
    for (int i = 0; i < p->n; i++) {
        free(p->rows[i].name);
        free(p->rows[i].b.p);
    }
    p->n = 0;
}

/* One value of field f: sealed again when it is under an older data key. */
static enum err reseal_one(const struct ctx *cx, enum sealed_field f, const struct sealed_col *sc,
                           const struct row *r, struct rekey_counts *k)
{
    char by[KEY_ID_HEX];
    if (!crypto_sealed_by(&r->b, by)) {
        log_error("%s %s: a sealed value is not one", sc->table, r->name);
        k->failed++;
        return ERR_OK;
    }
    if (strcmp(by, "case") == 0) {
        k->case_bound++;
        return ERR_OK;
    }
    if (crypto_sealed_current(cx->key, &r->b)) {
        k->current++;
        return ERR_OK;
    }
    char *ad = sealed_ad(f, r->name), *pt = NULL;
    size_t n = 0;
    if (!crypto_unseal(cx->key, ad, &r->b, &pt, &n)) {
        log_error("%s %s: a sealed value does not open", sc->table, r->name);
        free(ad);
        k->failed++;
        return ERR_OK;
    }
    struct blob fresh;
    crypto_seal(cx->key, ad, pt, n, &fresh);
    crypto_free_text(pt);
    free(ad);
    bool swapped = false;
    enum err e = store_sealed_swap(cx->db, sc, r->name, &r->b, &fresh, &swapped);
    free(fresh.p);
    if (e == ERR_OK && swapped)
        k->resealed++;
    else if (e == ERR_OK)
        k->current++; /* written meanwhile, by a server with the new key */
    return e;
}

static enum err sweep_field(const struct ctx *cx, enum sealed_field f, struct rekey_counts *k)
{
    const struct sealed_col *sc = sealed_column(f);
    struct page *p = xcalloc(1, sizeof *p);
    char *after = xstrdup("");
    enum err e = ERR_OK;
    for (;;) {
        int rows = 0;
        e = store_sealed_page(cx->db, sc, after, PAGE, take, p, &rows);
        for (int i = 0; e == ERR_OK && i < p->n; i++)
            e = reseal_one(cx, f, sc, &p->rows[i], k);
        bool more = e == ERR_OK && p->n == PAGE;
        if (more) {
            free(after);
            after = xstrdup(p->rows[p->n - 1].name);
        }
        page_clear(p);
        if (!more)
            break;
    }
    free(after);
    free(p);
    return e;
}

static enum err sweep_case_keys(const struct ctx *cx, struct rekey_counts *k)
{
    struct page *p = xcalloc(1, sizeof *p);
    char *after = xstrdup("");
    enum err e = ERR_OK;
    for (;;) {
        int rows = 0;
        e = store_case_key_page(cx->db, after, PAGE, take, p, &rows);
        for (int i = 0; e == ERR_OK && i < p->n; i++) {
            struct row *r = &p->rows[i];
            if (crypto_sealed_current(cx->key, &r->b)) {
                k->current++;
                continue;
            }
            char *ad = sealed_case_key_ad(r->name);
            struct casekey *ck = NULL;
            if (!casekey_open(cx->key, ad, &r->b, &ck)) {
                log_error("case %s: its key does not open", r->name);
                k->failed++;
                free(ad);
                continue;
            }
            struct blob fresh;
            casekey_wrap(cx->key, ck, ad, &fresh);
            casekey_free(ck);
            free(ad);
            bool swapped = false;
            e = store_case_key_swap(cx->db, r->name, &r->b, &fresh, &swapped);
            free(fresh.p);
            if (e == ERR_OK && swapped)
                k->rewrapped++;
        }
        bool more = e == ERR_OK && p->n == PAGE;
        if (more) {
            free(after);
            after = xstrdup(p->rows[p->n - 1].name);
        }
        page_clear(p);
        if (!more)
            break;
    }
    free(after);
    free(p);
    return e;
}

enum err rekey_sweep(const struct ctx *cx, struct rekey_counts *counts)
{
    memset(counts, 0, sizeof *counts);
    enum err e = ERR_OK;
    for (int f = 0; f < SEALED__MAX && e == ERR_OK; f++)
        if (sealed_resealable((enum sealed_field)f))
            e = sweep_field(cx, (enum sealed_field)f, counts);
    if (e == ERR_OK)
        e = sweep_case_keys(cx, counts);
    return e;
}
