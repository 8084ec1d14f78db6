/* Inside the store: the statement ids every backend provides SQL for, and the
 * small query interface the record functions (users.c, cases.c, ...) are
 * written against. Nothing here is SQLite-specific: a backend implements
 * these functions over its own driver and its own statement table (sqlite.c
 * and sqlite_sql.c today; a PostgreSQL backend provides the same with $N).
 *
 * Parameters are numbered from 1 in every backend (?N in SQLite, $N in
 * PostgreSQL), so the same binding code serves both. */
#ifndef CBPN_STORE_STORE_INT_H
#define CBPN_STORE_STORE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

enum stmt_id {
    STMT_BEGIN,
    STMT_COMMIT,
    STMT_ROLLBACK,
    STMT_PING,
    STMT_SCHEMA_VERSION,
    STMT_META_GET,
    STMT_META_SET,
    STMT_LOCATION_INSERT,
    STMT_LOCATION_GET,
    STMT_LOCATION_CHILDREN,
    STMT_LOCATION_PROVINCES,
    STMT_LOCATION_ALL,
    STMT_LOCATION_COUNT,
    STMT_ORG_INSERT,
    STMT_ORG_GET,
    STMT_ORG_LIST,
    STMT_USER_INSERT,
    STMT_USER_GET,
    STMT_USER_BY_USERNAME,
    STMT_USER_LIST,
    STMT_SESSION_INSERT,
    STMT_SESSION_GET,
    STMT_SESSION_TOUCH,
    STMT_SESSION_DELETE,
    STMT_SESSION_EXPIRE,
    STMT_LOGIN_FAILURE_ADD,
    STMT_LOGIN_FAILURE_COUNT,
    STMT_LOGIN_FAILURE_PRUNE,
    STMT_GROUP_INSERT,
    STMT_GROUP_GET,
    STMT_GROUP_LIST,
    STMT_MEMBER_INSERT,
    STMT_MEMBER_LIST,
    STMT_CASE_NEXT_SEQ,
    STMT_CASE_INSERT,
    STMT_CASE_CONCERN_INSERT,
    STMT_SURVIVOR_INSERT,
    STMT_CASE_GET,
    STMT_SURVIVOR_GET,
    STMT_CASE_LIST_ALL,         /* no driving scope */
    STMT_CASE_LIST_BY_ORG,      /* organization_id = ?1 drives the index */
    STMT_CASE_LIST_BY_GROUP,    /* group_id = ?2 */
    STMT_CASE_LIST_BY_REPORTER, /* reported_by = ?3 */
    STMT_CASE_LIST_BY_NAME,     /* the first name key, ?11 */
    STMT_SURVIVOR_KEY_INSERT,
    STMT_SURVIVOR_MATCH,
    STMT_AUDIT_LAST,
    STMT_AUDIT_INSERT,
    STMT_AUDIT_RANGE,
    STMT_AUDIT_FOR_RECORD,
    STMT__MAX
};

/* One row of a backend's statement table. */
struct stmt_def {
    const char *name; /* the enum name, for logs */
    const char *sql;
};

/* The SQLite backend's table (sqlite_sql.c). */
extern const struct stmt_def sqlite_stmts[STMT__MAX];

/* A prepared statement of one connection, in use. Get it, bind, step, read
 * columns, then stmt_done() (stmt_exec() does that itself). Bind failures are
 * remembered and reported by the next step. */
struct stmt;

struct stmt *stmt_get(struct store_conn *c, enum stmt_id id);
/* v NULL binds NULL. */
void stmt_text(struct stmt *s, int i, const char *v);
/* v NULL or "" binds NULL (optional ids and codes). */
void stmt_opt_text(struct stmt *s, int i, const char *v);
void stmt_int(struct stmt *s, int i, int64_t v);
void stmt_bool(struct stmt *s, int i, bool v);
/* len 0 binds NULL. */
void stmt_blob(struct stmt *s, int i, const void *p, size_t len);
void stmt_null(struct stmt *s, int i);

/* Steps once: *row true when a row is ready, false when done. On error the
 * statement is reset and the error mapped (see store.h); ERR_INTERNAL is
 * logged with the statement's name, never its values. */
enum err stmt_step(struct stmt *s, bool *row);
/* Steps to completion, ignoring rows, then stmt_done(). */
enum err stmt_exec(struct stmt *s);
/* Resets the statement and clears its bindings. NULL is a no-op. */
void stmt_done(struct stmt *s);
/* Rows changed by the last finished statement of c. */
int64_t stmt_changes(struct store_conn *c);
/* True while c is inside a transaction. */
bool conn_in_tx(struct store_conn *c);

/* Column values of the current row (0-based). Text and blobs stay valid until
 * the next step or stmt_done(). NULL text reads as NULL; a NULL blob as len 0. */
bool stmt_col_null(struct stmt *s, int i);
const char *stmt_col_text(struct stmt *s, int i);
int64_t stmt_col_int(struct stmt *s, int i);
const unsigned char *stmt_col_blob(struct stmt *s, int i, size_t *len);
/* Bytes in the column's value as text (0 for NULL), NULs included. */
size_t stmt_col_bytes(struct stmt *s, int i);

/* Helpers over the above (store.c). */
/* Copies the text column into dst[size] ("" for NULL), truncating. */
void col_copy(struct stmt *s, int i, char *dst, size_t size);
/* A new copy of the text column, or NULL for NULL (caller frees). */
char *col_dup(struct stmt *s, int i);
/* True when the text column (NULL reads as "") fits dst[size] as col_copy
 * copies it: shorter than size and without a NUL byte inside. */
bool col_fits(struct stmt *s, int i, size_t size);
/* A new copy of the blob column into *b (len 0, p NULL for NULL). */
void col_blob(struct stmt *s, int i, struct blob *b);
/* Steps a statement expected to return one row; ERR_NOT_FOUND when none.
 * On ERR_OK the row is current and the caller calls stmt_done(). */
enum err stmt_one(struct stmt *s);
/* Grows *items (of elem bytes each) so that index *n fits; returns a zeroed
 * slot at index *n and increments *n. */
void *list_push(void **items, size_t *n, size_t *cap, size_t elem);
/* Copies src into dst[size], truncating. */
void str_copy(char *dst, size_t size, const char *src);

#endif
