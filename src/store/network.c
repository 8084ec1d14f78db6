/* Organizations, network groups and their members in the store. */
#include <stdlib.h>
#include <string.h>

#include "store/store_int.h"
#include "util/log.h"

static int version_or_1(int v)
{
    return v > 0 ? v : 1;
}

static const char *updated_or_created(const char *updated, const char *created)
{
    return updated[0] != '\0' ? updated : created;
}

/* ---- organizations ---- */

void org_rec_free(struct org_rec *r)
{
    if (r == NULL)
        return;
    free(r->name);
    memset(r, 0, sizeof(*r));
}

void org_list_free(struct org_rec *items, size_t n)
{
    for (size_t i = 0; i < n && items != NULL; i++)
        org_rec_free(&items[i]);
    free(items);
}

static void org_read(struct stmt *s, struct org_rec *r)
{
    col_copy(s, ORG_ID, r->id, sizeof(r->id));
    r->name = col_dup(s, ORG_NAME);
    col_copy(s, ORG_KIND, r->kind, sizeof(r->kind));
    col_copy(s, ORG_LOCATION_CODE, r->location_code, sizeof(r->location_code));
    col_copy(s, ORG_CREATED_AT, r->created_at, sizeof(r->created_at));
    r->version = (int)stmt_col_int(s, ORG_VERSION);
}

enum err store_org_insert(struct store_conn *c, const struct org_rec *r)
{
    struct stmt *s = stmt_get(c, STMT_ORG_INSERT);
    stmt_text(s, 1, r->id);
    stmt_text(s, 2, r->name);
    stmt_text(s, 3, r->kind);
    stmt_opt_text(s, 4, r->location_code);
    stmt_text(s, 5, r->created_at);
    stmt_int(s, 6, version_or_1(r->version));
    return stmt_exec(s);
}

enum err store_org_get(struct store_conn *c, const char *id, struct org_rec *out)
{
    struct stmt *s = stmt_get(c, STMT_ORG_GET);
    stmt_text(s, 1, id);
    /* Bound before out is cleared: the key may point into it. */
    memset(out, 0, sizeof(*out));
    enum err e = stmt_one(s);
    if (e != ERR_OK)
        return e;
    org_read(s, out);
    stmt_done(s);
    return ERR_OK;
}

enum err store_org_list(struct store_conn *c, struct org_rec **items, size_t *n)
{
    struct org_rec *list = NULL;
    size_t count = 0, cap = 0;
    bool row;
    enum err e;
    struct stmt *s = stmt_get(c, STMT_ORG_LIST);
    *items = NULL;
    *n = 0;
    while ((e = stmt_step(s, &row)) == ERR_OK && row)
        org_read(s, list_push((void **)&list, &count, &cap, sizeof(*list)));
    stmt_done(s);
    if (e != ERR_OK) {
        org_list_free(list, count);
        return e;
    }
    *items = list;
    *n = count;
    return ERR_OK;
}

/* ---- groups ---- */

void group_rec_free(struct group_rec *r)
{
    if (r == NULL)
        return;
    free(r->name);
    memset(r, 0, sizeof(*r));
}

void group_list_free(struct group_rec *items, size_t n)
{
    for (size_t i = 0; i < n && items != NULL; i++)
        group_rec_free(&items[i]);
    free(items);
}

static void group_read(struct stmt *s, struct group_rec *r)
{
    col_copy(s, GROUP_ID, r->id, sizeof(r->id));
    col_copy(s, GROUP_ORGANIZATION_ID, r->organization_id, sizeof(r->organization_id));
    r->name = col_dup(s, GROUP_NAME);
    col_copy(s, GROUP_LOCATION_CODE, r->location_code, sizeof(r->location_code));
    col_copy(s, GROUP_CREATED_AT, r->created_at, sizeof(r->created_at));
    col_copy(s, GROUP_UPDATED_AT, r->updated_at, sizeof(r->updated_at));
    r->version = (int)stmt_col_int(s, GROUP_VERSION);
}

enum err store_group_insert(struct store_conn *c, const struct group_rec *r)
{
    struct stmt *s = stmt_get(c, STMT_GROUP_INSERT);
    stmt_text(s, 1, r->id);
    stmt_opt_text(s, 2, r->organization_id);
    stmt_text(s, 3, r->name);
    stmt_opt_text(s, 4, r->location_code);
    stmt_text(s, 5, r->created_at);
    stmt_text(s, 6, updated_or_created(r->updated_at, r->created_at));
    stmt_int(s, 7, version_or_1(r->version));
    return stmt_exec(s);
}

enum err store_group_get(struct store_conn *c, const char *id, struct group_rec *out)
{
    struct stmt *s = stmt_get(c, STMT_GROUP_GET);
    stmt_text(s, 1, id);
    /* Bound before out is cleared: the key may point into it. */
    memset(out, 0, sizeof(*out));
    enum err e = stmt_one(s);
    if (e != ERR_OK)
        return e;
    group_read(s, out);
    stmt_done(s);
    return ERR_OK;
}

static enum err group_update_write(struct store_conn *c, const struct group_rec *r)
{
    struct stmt *s = stmt_get(c, STMT_GROUP_UPDATE);
    stmt_text(s, 1, r->id);
    stmt_int(s, 2, r->version);
    stmt_text(s, 3, r->name);
    stmt_opt_text(s, 4, r->location_code);
    stmt_text(s, 5, r->updated_at);
    return stmt_exec_versioned(s);
}

/* Inside a transaction (its own when none): the report cells it changes
 * are brought up to date by the commit (report.c). */
enum err store_group_update(struct store_conn *c, const struct group_rec *r)
{
    bool own;
    enum err e = rc_enter(c, &own);
    if (e == ERR_OK) {
        e = rc_mark_group(c, r->id);
    }
    if (e == ERR_OK)
        e = group_update_write(c, r);
    return rc_leave(c, own, e);
}

enum err store_group_list(struct store_conn *c, const char *organization_id,
                          struct group_rec **items, size_t *n)
{
    struct group_rec *list = NULL;
    size_t count = 0, cap = 0;
    bool row;
    enum err e;
    struct stmt *s = stmt_get(c, STMT_GROUP_LIST);
    *items = NULL;
    *n = 0;
    stmt_opt_text(s, 1, organization_id);
    while ((e = stmt_step(s, &row)) == ERR_OK && row)
        group_read(s, list_push((void **)&list, &count, &cap, sizeof(*list)));
    stmt_done(s);
    if (e != ERR_OK) {
        group_list_free(list, count);
        return e;
    }
    *items = list;
    *n = count;
    return ERR_OK;
}

/* ---- members ---- */

void member_rec_free(struct member_rec *r)
{
    if (r == NULL)
        return;
    free(r->name_km);
    free(r->name_latn);
    free(r->phone.p);
    free(r->network_roles);
    free(r->returnee);
    free(r->identity.p);
    free(r->returnee_employer.p);
    memset(r, 0, sizeof(*r));
}

void member_list_free(struct member_rec *items, size_t n)
{
    for (size_t i = 0; i < n && items != NULL; i++)
        member_rec_free(&items[i]);
    free(items);
}

static void member_read(struct stmt *s, struct member_rec *r)
{
    col_copy(s, MEMBER_ID, r->id, sizeof(r->id));
    col_copy(s, MEMBER_GROUP_ID, r->group_id, sizeof(r->group_id));
    r->name_km = col_dup(s, MEMBER_NAME_KM);
    r->name_latn = col_dup(s, MEMBER_NAME_LATN);
    col_copy(s, MEMBER_SEX, r->sex, sizeof(r->sex));
    r->birth_year = (int)stmt_col_int(s, MEMBER_BIRTH_YEAR);
    col_blob(s, MEMBER_PHONE, &r->phone);
    r->network_roles = col_dup(s, MEMBER_NETWORK_ROLES);
    r->returnee = col_dup(s, MEMBER_RETURNEE);
    r->active = stmt_col_int(s, MEMBER_ACTIVE) != 0;
    col_copy(s, MEMBER_CREATED_AT, r->created_at, sizeof(r->created_at));
    col_copy(s, MEMBER_UPDATED_AT, r->updated_at, sizeof(r->updated_at));
    r->version = (int)stmt_col_int(s, MEMBER_VERSION);
    col_blob(s, MEMBER_IDENTITY, &r->identity);
    r->returnee_any = stmt_col_int(s, MEMBER_RETURNEE_ANY) != 0;
    col_blob(s, MEMBER_RETURNEE_EMPLOYER, &r->returnee_employer);
}

/* The fields an insert and an update both write, from ?3 (name_km) to ?10. */
static void member_bind_fields(struct stmt *s, const struct member_rec *r)
{
    /* Sealed in identity: the plain columns stay NULL. */
    bool sealed = r->identity.len > 0;
    stmt_opt_text(s, 3, sealed ? NULL : r->name_km);
    stmt_opt_text(s, 4, sealed ? NULL : r->name_latn);
    stmt_text(s, 5, r->sex);
    if (r->birth_year > 0 && !sealed)
        stmt_int(s, 6, r->birth_year);
    else
        stmt_null(s, 6);
    stmt_blob(s, 7, r->phone.p, r->phone.len);
    stmt_text(s, 8, r->network_roles != NULL ? r->network_roles : "[]");
    stmt_opt_text(s, 9, sealed ? NULL : r->returnee);
    stmt_bool(s, 10, r->active);
}

/* identity and returnee_any at ?i and ?i+1. */
static void member_bind_identity(struct stmt *s, int i, const struct member_rec *r)
{
    if (r->identity.len > 0)
        stmt_blob(s, i, r->identity.p, r->identity.len);
    else
        stmt_null(s, i);
    stmt_int(s, i + 1, r->returnee_any ? 1 : 0);
}

static enum err member_insert_write(struct store_conn *c, const struct member_rec *r)
{
    struct stmt *s = stmt_get(c, STMT_MEMBER_INSERT);
    stmt_text(s, 1, r->id);
    stmt_text(s, 2, r->group_id);
    member_bind_fields(s, r);
    stmt_text(s, 11, r->created_at);
    stmt_text(s, 12, updated_or_created(r->updated_at, r->created_at));
    stmt_int(s, 13, version_or_1(r->version));
    member_bind_identity(s, 14, r);
    stmt_blob(s, 16, r->returnee_employer.p, r->returnee_employer.len);
    return stmt_exec(s);
}

/* Inside a transaction (its own when none): the report cells it changes
 * are brought up to date by the commit (report.c). */
enum err store_member_insert(struct store_conn *c, const struct member_rec *r)
{
    bool own;
    enum err e = rc_enter(c, &own);
    if (e == ERR_OK) {
        e = rc_mark(c, RC_MEMBER, r->id);
    }
    if (e == ERR_OK)
        e = member_insert_write(c, r);
    return rc_leave(c, own, e);
}

enum err store_member_get(struct store_conn *c, const char *id, struct member_rec *out)
{
    struct stmt *s = stmt_get(c, STMT_MEMBER_GET);
    stmt_text(s, 1, id);
    memset(out, 0, sizeof(*out));
    enum err e = stmt_one(s);
    if (e != ERR_OK)
        return e;
    member_read(s, out);
    stmt_done(s);
    return ERR_OK;
}

static enum err member_update_write(struct store_conn *c, const struct member_rec *r)
{
    struct stmt *s = stmt_get(c, STMT_MEMBER_UPDATE);
    stmt_text(s, 1, r->id);
    stmt_int(s, 2, r->version);
    member_bind_fields(s, r);
    stmt_text(s, 11, r->updated_at);
    member_bind_identity(s, 12, r);
    stmt_blob(s, 14, r->returnee_employer.p, r->returnee_employer.len);
    return stmt_exec_versioned(s);
}

/* Inside a transaction (its own when none): the report cells it changes
 * are brought up to date by the commit (report.c). */
enum err store_member_update(struct store_conn *c, const struct member_rec *r)
{
    bool own;
    enum err e = rc_enter(c, &own);
    if (e == ERR_OK) {
        e = rc_mark(c, RC_MEMBER, r->id);
    }
    if (e == ERR_OK)
        e = member_update_write(c, r);
    return rc_leave(c, own, e);
}

enum err store_member_list(struct store_conn *c, const char *group_id, const char *const *keys,
                           size_t nkeys, struct member_rec **items, size_t *n)
{
    struct member_rec *list = NULL;
    size_t count = 0, cap = 0;
    bool row;
    enum err e;
    *items = NULL;
    *n = 0;
    if (nkeys > MEMBER_QUERY_KEYS_MAX) {
        log_error("store: %zu member name keys", nkeys);
        return ERR_INTERNAL;
    }
    struct stmt *s = stmt_get(c, STMT_MEMBER_LIST);
    stmt_text(s, 1, group_id);
    stmt_int(s, 2, (int64_t)nkeys);
    for (size_t i = 0; i < MEMBER_QUERY_KEYS_MAX; i++)
        stmt_text(s, 3 + (int)i, i < nkeys ? keys[i] : NULL);
    while ((e = stmt_step(s, &row)) == ERR_OK && row)
        member_read(s, list_push((void **)&list, &count, &cap, sizeof(*list)));
    stmt_done(s);
    if (e != ERR_OK) {
        member_list_free(list, count);
        return e;
    }
    *items = list;
    *n = count;
    return ERR_OK;
}

enum err store_member_keys_write(struct store_conn *c, const char *member_id,
                                 const char *const *keys, size_t n)
{
    struct stmt *s = stmt_get(c, STMT_MEMBER_KEY_DELETE);
    stmt_text(s, 1, member_id);
    enum err e = stmt_exec(s);
    for (size_t i = 0; e == ERR_OK && i < n; i++) {
        s = stmt_get(c, STMT_MEMBER_KEY_INSERT);
        stmt_text(s, 1, member_id);
        stmt_text(s, 2, keys[i]);
        e = stmt_exec(s);
    }
    return e;
}

enum err store_member_unsealed(struct store_conn *c, char (**ids)[ID_SIZE], size_t *n)
{
    char(*list)[ID_SIZE] = NULL;
    size_t count = 0, cap = 0;
    bool row;
    enum err e;
    *ids = NULL;
    *n = 0;
    struct stmt *s = stmt_get(c, STMT_MEMBER_UNSEALED);
    while ((e = stmt_step(s, &row)) == ERR_OK && row)
        col_copy(s, 0, *(char(*)[ID_SIZE])list_push((void **)&list, &count, &cap, ID_SIZE),
                 ID_SIZE);
    stmt_done(s);
    if (e != ERR_OK) {
        free(list);
        return e;
    }
    *ids = list;
    *n = count;
    return ERR_OK;
}

/* ---- the service directory ---- */

void service_rec_free(struct service_rec *r)
{
    if (r == NULL)
        return;
    free(r->name);
    free(r->areas);
    free(r->contact);
    free(r->hours);
    free(r->languages);
    free(r->eligibility);
    memset(r, 0, sizeof(*r));
}

void service_list_free(struct service_rec *items, size_t n)
{
    for (size_t i = 0; i < n && items != NULL; i++)
        service_rec_free(&items[i]);
    free(items);
}

static void service_read(struct stmt *s, struct service_rec *r)
{
    col_copy(s, SERVICE_ID, r->id, sizeof(r->id));
    col_copy(s, SERVICE_ORGANIZATION_ID, r->organization_id, sizeof(r->organization_id));
    col_copy(s, SERVICE_TYPE, r->type, sizeof(r->type));
    r->name = col_dup(s, SERVICE_NAME);
    col_copy(s, SERVICE_LOCATION_CODE, r->location_code, sizeof(r->location_code));
    r->areas = col_dup(s, SERVICE_AREAS);
    r->contact = col_dup(s, SERVICE_CONTACT);
    r->hours = col_dup(s, SERVICE_HOURS);
    r->languages = col_dup(s, SERVICE_LANGUAGES);
    r->eligibility = col_dup(s, SERVICE_ELIGIBILITY);
    col_copy(s, SERVICE_CREATED_AT, r->created_at, sizeof(r->created_at));
    col_copy(s, SERVICE_UPDATED_AT, r->updated_at, sizeof(r->updated_at));
    r->version = (int)stmt_col_int(s, SERVICE_VERSION);
}

/* The fields an insert and an update both write, from ?3 (type) to ?10. */
static void service_bind_fields(struct stmt *s, const struct service_rec *r)
{
    stmt_text(s, 3, r->type);
    stmt_text(s, 4, r->name);
    stmt_opt_text(s, 5, r->location_code);
    stmt_text(s, 6, r->areas != NULL ? r->areas : "[]");
    stmt_opt_text(s, 7, r->contact);
    stmt_opt_text(s, 8, r->hours);
    stmt_text(s, 9, r->languages != NULL ? r->languages : "[]");
    stmt_opt_text(s, 10, r->eligibility);
}

enum err store_service_insert(struct store_conn *c, const struct service_rec *r)
{
    struct stmt *s = stmt_get(c, STMT_SERVICE_INSERT);
    stmt_text(s, 1, r->id);
    stmt_text(s, 2, r->organization_id);
    service_bind_fields(s, r);
    stmt_text(s, 11, r->created_at);
    stmt_text(s, 12, updated_or_created(r->updated_at, r->created_at));
    stmt_int(s, 13, version_or_1(r->version));
    return stmt_exec(s);
}

enum err store_service_get(struct store_conn *c, const char *id, struct service_rec *out)
{
    struct stmt *s = stmt_get(c, STMT_SERVICE_GET);
    stmt_text(s, 1, id);
    /* Bound before out is cleared: the key may point into it. */
    memset(out, 0, sizeof(*out));
    enum err e = stmt_one(s);
    if (e != ERR_OK)
        return e;
    service_read(s, out);
    stmt_done(s);
    return ERR_OK;
}

enum err store_service_update(struct store_conn *c, const struct service_rec *r)
{
    struct stmt *s = stmt_get(c, STMT_SERVICE_UPDATE);
    stmt_text(s, 1, r->id);
    stmt_int(s, 2, r->version);
    service_bind_fields(s, r);
    stmt_text(s, 11, r->updated_at);
    return stmt_exec_versioned(s);
}

enum err store_service_list(struct store_conn *c, const char *type, struct service_rec **items,
                            size_t *n)
{
    struct service_rec *list = NULL;
    size_t count = 0, cap = 0;
    bool row;
    enum err e;
    struct stmt *s = stmt_get(c, STMT_SERVICE_LIST);
    *items = NULL;
    *n = 0;
    stmt_opt_text(s, 1, type);
    while ((e = stmt_step(s, &row)) == ERR_OK && row)
        service_read(s, list_push((void **)&list, &count, &cap, sizeof(*list)));
    stmt_done(s);
    if (e != ERR_OK) {
        service_list_free(list, count);
        return e;
    }
    *items = list;
    *n = count;
    return ERR_OK;
}
