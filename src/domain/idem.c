#include "domain/idem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "domain/check.h"
#include "util/alloc.h"
#include "util/log.h"

void idem_answer_free(struct idem_answer *a)
{
    if (a == NULL)
        return;
    free(a->content_type);
    free(a->location);
    if (a->body != NULL)
        sodium_memzero(a->body, a->body_len);
    free(a->body);
    memset(a, 0, sizeof *a);
}

bool idem_key_valid(const char *key)
{
    size_t n = key != NULL ? strlen(key) : 0;
    if (n < 1 || n > IDEM_KEY_MAX)
        return false;
    for (size_t i = 0; i < n; i++)
        if (key[i] < 0x21 || key[i] > 0x7e)
            return false;
    return true;
}

void idem_hash(const char *route, const char *const *params, int nparams, const void *body,
               size_t len, unsigned char out[IDEM_HASH_SIZE])
{
    crypto_generichash_state h;
    static const unsigned char sep = 0;
    crypto_generichash_init(&h, NULL, 0, IDEM_HASH_SIZE);
    crypto_generichash_update(&h, (const unsigned char *)route, strlen(route));
    for (int i = 0; i < nparams; i++) {
        crypto_generichash_update(&h, &sep, 1);
        crypto_generichash_update(&h, (const unsigned char *)params[i], strlen(params[i]));
    }
    crypto_generichash_update(&h, &sep, 1);
    if (len > 0)
        crypto_generichash_update(&h, body, len);
    crypto_generichash_final(&h, out, IDEM_HASH_SIZE);
}

/* The sealed answer's associated data: its user and key. */
static char *answer_ad(const char *user_id, const char *key)
{
    return xasprintf("idempotency/%s/%s", user_id, key);
}

static bool answer_open(const struct ctx *cx, const struct idem_rec *r, struct idem_answer *a)
{
    char *ad = answer_ad(r->user_id, r->key), *pt = NULL;
    size_t n = 0;
    bool ok = crypto_unseal(cx->key, ad, &r->answer, &pt, &n);
    free(ad);
    if (!ok)
        return false;
    json_t *o = json_loadb(pt, n, 0, NULL);
    sodium_memzero(pt, n);
    free(pt);
    const char *t = json_string_value(json_object_get(o, "content_type"));
    const char *l = json_string_value(json_object_get(o, "location"));
    json_t *b = json_object_get(o, "body");
    ok = t != NULL && json_is_string(b);
    if (ok) {
        a->status = r->status;
        a->content_type = xstrdup(t);
        a->location = l != NULL ? xstrdup(l) : NULL;
        a->body_len = json_string_length(b);
        a->body = xmalloc(a->body_len + 1);
        memcpy(a->body, json_string_value(b), a->body_len + 1);
    }
    json_decref(o);
    return ok;
}

enum err idem_begin(const struct ctx *cx, const char *key, const unsigned char hash[IDEM_HASH_SIZE],
                    enum idem_state *state, struct idem_answer *prior)
{
    struct idem_rec r;
    memset(prior, 0, sizeof *prior);
    *state = IDEM_NEW;
    if (cx->actor == NULL || !idem_key_valid(key))
        return ERR_INTERNAL;
    enum err e = store_begin(cx->db);
    if (e != ERR_OK)
        return e;
    e = store_idem_get(cx->db, cx->actor->user.id, key, &r);
    if (e == ERR_NOT_FOUND) {
        return ERR_OK;
    } else if (e == ERR_OK) {
        if (sodium_memcmp(r.request_hash, hash, IDEM_HASH_SIZE) != 0) {
            *state = IDEM_MISMATCH;
        } else if (answer_open(cx, &r, prior)) {
            *state = IDEM_REPLAY;
        } else {
            log_error("idempotency: a kept answer does not open");
            e = ERR_INTERNAL;
        }
    }
    idem_rec_free(&r);
    if (e != ERR_OK)
        store_rollback(cx->db);
    return e;
}

enum err idem_finish(const struct ctx *cx, const char *key, const char *route,
                     const unsigned char hash[IDEM_HASH_SIZE], const struct idem_answer *answer,
                     const char *case_id)
{
    if (answer == NULL) {
        store_rollback(cx->db);
        return ERR_OK;
    }
    struct idem_rec r = {0};
    snprintf(r.user_id, sizeof r.user_id, "%s", cx->actor->user.id);
    snprintf(r.key, sizeof r.key, "%s", key);
    snprintf(r.route, sizeof r.route, "%s", route);
    memcpy(r.request_hash, hash, IDEM_HASH_SIZE);
    r.status = answer->status;
    r.created_at = clock_now();
    if (case_id != NULL)
        snprintf(r.case_id, sizeof r.case_id, "%s", case_id);
    json_t *o = json_object();
    json_object_set_new(o, "content_type", json_string(answer->content_type));
    if (answer->location != NULL)
        json_object_set_new(o, "location", json_string(answer->location));
    json_object_set_new(o, "body",
                        json_stringn(answer->body != NULL ? answer->body : "", answer->body_len));
    char *pt = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    char *ad = answer_ad(r.user_id, r.key);
    crypto_seal(cx->key, ad, pt, strlen(pt), &r.answer);
    sodium_memzero(pt, strlen(pt));
    free(pt);
    free(ad);
    enum err e = store_idem_insert(cx->db, &r);
    if (e == ERR_OK)
        e = store_idem_prune(cx->db, r.created_at - IDEM_KEEP_SECONDS);
    idem_rec_free(&r);
    return store_end(cx->db, e);
}

/* Whether the kept answer r names case_id (in its body or Location). */
static bool answer_names(const struct ctx *cx, const struct idem_rec *r, const char *case_id,
                         bool *names)
{
    struct idem_answer a = {0};
    *names = false;
    if (!answer_open(cx, r, &a))
        return false;
    *names = (a.body != NULL && memmem(a.body, a.body_len, case_id, strlen(case_id)) != NULL) ||
             (a.location != NULL && strstr(a.location, case_id) != NULL);
    idem_answer_free(&a);
    return true;
}

enum err idem_forget_case(const struct ctx *cx, const char *case_id)
{
    char user[ID_SIZE] = "", key[72] = "";
    struct idem_rec *items = NULL;
    size_t n = 0;
    enum err e;
    do {
        if ((e = store_idem_unbound(cx->db, user, key, &items, &n)) != ERR_OK)
            return e;
        for (size_t i = 0; i < n && e == ERR_OK; i++) {
            bool names = false;
            if (!answer_names(cx, &items[i], case_id, &names)) {
                /* An answer that does not open holds nothing readable of
                 * the case, but may still hold its ciphertext: forgotten. */
                log_error("idempotency: a kept answer does not open; forgotten");
                names = true;
            }
            if (names)
                e = store_idem_delete(cx->db, items[i].user_id, items[i].key);
        }
        if (n > 0) {
            snprintf(user, sizeof user, "%s", items[n - 1].user_id);
            snprintf(key, sizeof key, "%s", items[n - 1].key);
        }
        size_t got = n;
        idem_list_free(items, n);
        items = NULL;
        if (got < 200)
            break;
    } while (e == ERR_OK);
    return e;
}
