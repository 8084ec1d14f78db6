/* Inside the store: the statement ids every backend provides SQL for, and the
 * small query interface the record functions (users.c, cases.c, ...) are
 * written against. Nothing here is SQLite-specific: a backend implements
 * these functions over its own driver and its own statement table (sqlite.c
 * with sqlite_sql.c, pg.c with pg_sql.c, the same statements with $N).
 *
 * Parameters are numbered from 1 in every backend (?N in SQLite, $N in
 * PostgreSQL), so the same binding code serves both. */
#ifndef CBPN_STORE_STORE_INT_H
#define CBPN_STORE_STORE_INT_H

#include <pthread.h>
#include <stdatomic.h>
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
    STMT_USER_APPROVE,
    STMT_USER_UPDATE,
    STMT_TOTP_GET,
    STMT_TOTP_PUT,
    STMT_TOTP_USE,
    STMT_TOTP_DELETE,
    STMT_SESSION_UNRESTRICT,
    STMT_SESSION_INSERT,
    STMT_SESSION_GET,
    STMT_SESSION_TOUCH,
    STMT_SESSION_DELETE,
    STMT_SESSION_EXPIRE,
    STMT_SESSION_DELETE_USER,
    STMT_LOGIN_FAILURE_ADD,
    STMT_LOGIN_FAILURE_COUNT,
    STMT_LOGIN_FAILURE_PRUNE,
    STMT_LOGIN_GATE_TAKE,
    STMT_LOGIN_GATE_RELEASE,
    STMT_GROUP_INSERT,
    STMT_GROUP_GET,
    STMT_GROUP_LIST,
    STMT_GROUP_UPDATE,
    STMT_MEMBER_INSERT,
    STMT_MEMBER_LIST,
    STMT_MEMBER_GET,
    STMT_MEMBER_UPDATE,
    STMT_MEMBER_KEY_DELETE,
    STMT_MEMBER_KEY_INSERT,
    STMT_MEMBER_UNSEALED,
    STMT_CASE_KEY_GET,
    STMT_CASE_KEY_INSERT,
    STMT_CASE_KEY_DELETE,
    STMT_CASE_KEY_SWAP,
    STMT_CASE_KEY_PAGE,
    STMT_REFERRAL_PLAIN_CONTACT,
    STMT_REFERRAL_SEAL_CONTACT,
    STMT_SERVICE_INSERT,
    STMT_SERVICE_GET,
    STMT_SERVICE_UPDATE,
    STMT_SERVICE_LIST,
    STMT_OUTREACH_INSERT,
    STMT_OUTREACH_GET,
    STMT_OUTREACH_LIST,
    STMT_ADVICE_INSERT,
    STMT_ADVICE_GET,
    STMT_ADVICE_DONE,
    STMT_ADVICE_LIST,
    STMT_TRAINING_INSERT,
    STMT_TRAINING_TOPIC_INSERT,
    STMT_TRAINING_PART_INSERT,
    STMT_TRAINING_GET,
    STMT_TRAINING_LIST,
    STMT_TRAINING_OF_MEMBER,
    STMT_TRAINING_PARTS,
    STMT_TRAINING_COVERAGE_BASE,
    STMT_TRAINING_COVERAGE,
    STMT_TRAINING_CASCADE,
    STMT_TRAINING_CASCADE_PAIRS,
    STMT_AGENCY_IMPORT_LAST,
    STMT_AGENCY_IMPORT_INSERT,
    STMT_AGENCY_IMPORT_COUNTS,
    STMT_AGENCY_BY_LICENCE,
    STMT_AGENCY_INSERT,
    STMT_AGENCY_UPDATE,
    STMT_AGENCY_LISTING_INSERT,
    STMT_AGENCY_DROPPED_COUNT,
    STMT_AGENCY_LISTED,
    STMT_AGENCY_KEY_DELETE,
    STMT_AGENCY_KEY_INSERT,
    STMT_AGENCY_ON,
    STMT_AGENCY_GET_ON,
    STMT_AGENCY_HISTORY,
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
    STMT_CASE_COUNT,
    STMT_CASE_UPDATE,
    STMT_CASE_CONCERN_DELETE,
    STMT_SURVIVOR_UPSERT,
    STMT_SURVIVOR_KEY_DELETE,
    STMT_INCIDENT_INSERT,
    STMT_INCIDENT_LIST,
    STMT_SCREENING_INSERT,
    STMT_SCREENING_LIST,
    STMT_SCREENING_LATEST_BY_AGENCY,
    STMT_NOTE_INSERT,
    STMT_NOTE_GET,
    STMT_NOTE_LIST,
    STMT_TASK_INSERT,
    STMT_TASK_GET,
    STMT_TASK_UPDATE,
    STMT_TASK_LIST,
    STMT_TASK_OVERDUE,
    STMT_CASE_EVENT_INSERT,
    STMT_CASE_EVENT_LIST,
    STMT_CASE_BY_CODE,
    STMT_CONSENT_INSERT,
    STMT_CONSENT_GET,
    STMT_CONSENT_LIST,
    STMT_CONSENT_WITHDRAW,
    STMT_REFERRAL_INSERT,
    STMT_REFERRAL_GET,
    STMT_REFERRAL_LOCK,
    STMT_REFERRAL_UPDATE,
    STMT_REFERRAL_LIST,
    STMT_REFERRAL_COUNT,
    STMT_REFERRAL_EVENT_INSERT,
    STMT_REFERRAL_EVENT_LIST,
    STMT_SLIP_FAILURE_ADD,
    STMT_SLIP_FAILURE_COUNT,
    STMT_IDEM_INSERT,
    STMT_IDEM_GET,
    STMT_IDEM_PRUNE,
    STMT_SURVIVOR_KEY_INSERT,
    STMT_SURVIVOR_MATCH,
    STMT_EXPORT_INCIDENTS,      /* the incident exports' rows (export.c) */
    STMT_EXPORT_INCIDENTS_FULL, /* ... with the Incident Recorder's columns */
    /* Erasure of a case's identity (store_case_erase). */
    STMT_CASE_ERASE_MARK,
    STMT_ERASE_SURVIVOR,
    STMT_ERASE_EVENTS,
    STMT_ERASE_INCIDENTS,
    STMT_ERASE_NOTES,
    STMT_ERASE_TASKS,
    STMT_ERASE_CONSENTS,
    STMT_ERASE_REFERRALS,
    STMT_ERASE_REFERRAL_EVENTS,
    STMT_IDEM_DELETE_CASE,
    STMT_IDEM_UNBOUND,
    STMT_IDEM_DELETE,
    STMT_CASE_RETENTION,
    STMT_AUDIT_LAST,
    STMT_AUDIT_HEAD_READ,
    STMT_AUDIT_INSERT,
    STMT_AUDIT_HEAD_SET,
    STMT_AUDIT_RANGE,
    STMT_AUDIT_FOR_RECORD,
    STMT_AUDIT_USER_CHANGES,
    /* The copy of a whole database (copy.c). */
    STMT_BEGIN_READ,      /* a read-only transaction on one snapshot */
    STMT_COPY_COLUMNS,    /* (table_name, column_name, identity), tables in creation order */
    STMT_COPY_REFERENCES, /* (table_name, column_name, ref_table, ref_column) */
    STMT_COPY_SEQUENCE,   /* ?1 table, ?2 identity column, ?3 the largest value copied */
    /* The maintained report cells (report.c, report_sql.h). */
    STMT_RC_CASE, /* ?1 the owner, ?2 the sign: its rows added to report_cell */
    STMT_RC_OUTREACH,
    STMT_RC_ADVICE,
    STMT_RC_TRAINING,
    STMT_RC_MEMBER,
    STMT_RC_ALL_CASE, /* every owner's rows added */
    STMT_RC_ALL_OUTREACH,
    STMT_RC_ALL_ADVICE,
    STMT_RC_ALL_TRAINING,
    STMT_RC_ALL_MEMBER,
    STMT_RC_LOCK_CASE, /* ?1 the owner: locked, and its group for a share (PostgreSQL) */
    STMT_RC_LOCK_OUTREACH,
    STMT_RC_LOCK_ADVICE,
    STMT_RC_LOCK_TRAINING,
    STMT_RC_LOCK_MEMBER,
    STMT_RC_LOCK_GROUP, /* ?1 a group whose records are about to move */
    STMT_RC_ZAP,
    STMT_RC_UNBOUNDED, /* the rebuild's transaction runs as long as it takes */
    STMT_RC_CLEAR,
    STMT_RC_LIST,
    STMT_RC_GEN,
    STMT_RC_BUMP,
    STMT_RC_BUILT,
    STMT_RC_OVERDUE_NOW,
    STMT_RC_HIST, /* a days histogram over an area and months */
    STMT_RC_CASE_OF_CONSENT,
    STMT_RC_CASE_OF_REFERRAL,
    STMT_RC_OF_GROUP, /* (owner kind, id) of every record placed by the group ?1 */
    STMT__MAX
};
/* The id of a statement a backend's prepare() made at run time: in no
 * statement table. */
#define STMT_DYNAMIC STMT__MAX

/* One row of a backend's statement table. */
struct stmt_def {
    const char *name; /* the enum name, for logs */
    const char *sql;
};

/* The SQLite backend's table (sqlite_sql.c). */
extern const struct stmt_def sqlite_stmts[STMT__MAX];
/* The PostgreSQL backend's table (pg_sql.c). */
extern const struct stmt_def pg_stmts[STMT__MAX];

/* How deep store_begin calls are nested on a connection: only the
 * outermost begins and ends the database's transaction; an inner end with
 * an error dooms it, so the outermost rolls back. */
struct tx_state {
    int depth;
    bool doomed;
    bool wiping;  /* store_wipe_begin ran in it: WIPE_END when it ends */
    bool settled; /* the last wipe's WIPE_END emptied the log */
    bool audited; /* an audit entry was written in it (store_audit_commits) */
};

enum wipe_step { WIPE_BEGIN, WIPE_END, WIPE_VACUUM };

/* The statements store_case_erase runs after STMT_CASE_ERASE_MARK, each
 * with ?1 the case: every sealed column of a case's records (domain/sealed.c's
 * case-bound fields; tests/unit/test_erase.c checks that each one it says is
 * wiped is set to NULL or empty by one of them, in both backends). */
extern const enum stmt_id store_erase_stmts[];
extern const size_t store_nerase_stmts;

/* ---- backends ----
 * A backend fills a table of operations and begins its own store,
 * connection and statement structs with the headers below; store.c
 * forwards the query interface through the table, and store_open() picks
 * the backend by the URI. Nothing outside src/store/ sees any of it.
 *
 * The connections are store.c's: one per thread, found by a thread key,
 * opened on the thread's first store_conn() with the backend's conn_open,
 * and closed with its conn_close when the thread exits or at store_close().
 * A backend opens and closes single connections (conn_open can run on
 * several threads at once) and keeps no list of them. */
struct backend_ops;

struct store {
    const struct backend_ops *ops;
    /* The connection registry (store.c). */
    pthread_mutex_t mu;             /* guards conns */
    pthread_key_t key;              /* the calling thread's connection */
    struct store_conn *conns;       /* every open connection */
    _Atomic uint64_t audit_commits; /* commits that appended to the audit log */
};

struct store_conn {
    const struct backend_ops *ops;
    struct store *store;     /* the store it is a connection of */
    struct tx_state tx;      /* nesting of store_begin (store.c) */
    struct store_conn *next; /* the store's registry (store.c) */
    /* The report cells' owners this transaction touched (report.c): their
     * rows were taken away when first marked, and are added back as they
     * then are before the outermost commit. */
    struct rc_owner *rc_items;
    size_t rc_n, rc_cap;
    bool rc_defer; /* store_report_defer: no maintenance until a rebuild */
};

/* ---- the maintained report cells (report.c) ----
 * Every store function that writes a record some cell counts marks the
 * record's owner before it writes: rc_mark takes the owner's rows away
 * from report_cell (the first time in a transaction), and the outermost
 * commit adds every marked owner's rows back, as they then are
 * (rc_flush). The owners partition the cells (report_sql.h). */
enum rc_kind { RC_CASE, RC_OUTREACH, RC_ADVICE, RC_TRAINING, RC_MEMBER, RC__NKIND };
struct rc_owner {
    enum rc_kind kind;
    char id[ID_SIZE];
};
/* Inside a transaction only (ERR_INTERNAL otherwise). */
enum err rc_mark(struct store_conn *c, enum rc_kind kind, const char *id);
/* The case the row ?1 of lookup (STMT_RC_CASE_OF_*) belongs to, marked. */
enum err rc_mark_case_of(struct store_conn *c, enum stmt_id lookup, const char *id);
/* Every owner the group places (its location is about to change). */
enum err rc_mark_group(struct store_conn *c, const char *group_id);
/* Before the outermost COMMIT: the marked owners' rows added back. */
enum err rc_flush(struct store_conn *c);
/* The marks forgotten (the transaction ended). */
void rc_reset(struct store_conn *c);
void rc_free(struct store_conn *c);
/* A write outside any transaction gets one of its own: *own true when it
 * began one, which rc_leave then ends with e. */
enum err rc_enter(struct store_conn *c, bool *own);
enum err rc_leave(struct store_conn *c, bool own, enum err e);

/* A prepared statement of one connection, in use. Get it, bind, step, read
 * columns, then stmt_done() (stmt_exec() does that itself). Bind failures are
 * remembered and reported by the next step. */
struct stmt {
    struct store_conn *conn;
    enum stmt_id id;
};

/* The type of a column's value in the current row. */
enum col_type { COL_NULL, COL_INT, COL_TEXT, COL_BLOB, COL_OTHER };

struct backend_ops {
    const char *name;             /* "sqlite", "postgres": for messages */
    const struct stmt_def *stmts; /* its statement table */
    char param;                   /* how its SQL numbers parameters: '?' (?1) or '$' ($1) */
    /* As store_open(), for a URI this backend takes, but without the
     * registry: *out the new store, *first the opening thread's connection
     * as conn_open() makes it, which store.c registers. On failure nothing
     * stays open. */
    enum err (*open)(const char *uri, bool create, struct store **out, struct store_conn **first,
                     char **errmsg);
    /* Frees a store of open(), once store.c has closed its connections. */
    void (*close)(struct store *st);
    /* A new connection of st in *out, every statement prepared, its ops
     * and store set. false, *out NULL and *errmsg a new string (caller
     * frees), when it cannot be opened. */
    bool (*conn_open)(struct store *st, struct store_conn **out, char **errmsg);
    /* Closes a connection of conn_open() or open() and frees it. */
    void (*conn_close)(struct store_conn *c);
    struct stmt *(*get)(struct store_conn *c, enum stmt_id id);
    void (*bind_text)(struct stmt *s, int i, const char *v); /* v not NULL */
    void (*bind_int)(struct stmt *s, int i, int64_t v);
    /* len 0: an empty blob (stmt_blob_empty), never NULL */
    void (*bind_blob)(struct stmt *s, int i, const void *p, size_t len);
    void (*bind_null)(struct stmt *s, int i);
    enum err (*step)(struct stmt *s, bool *row);
    void (*done)(struct stmt *s);
    int64_t (*changes)(struct store_conn *c);
    bool (*in_tx)(struct store_conn *c);
    bool (*col_null)(struct stmt *s, int i);
    const char *(*col_text)(struct stmt *s, int i);
    int64_t (*col_int)(struct stmt *s, int i);
    const unsigned char *(*col_blob)(struct stmt *s, int i, size_t *len);
    size_t (*col_bytes)(struct stmt *s, int i);
    const char *(*col_name)(struct stmt *s, int i);
    int (*col_count)(struct stmt *s);
    /* As store_retry_advised(). */
    bool (*retry_advised)(struct store_conn *c);
    /* Erasure: WIPE_BEGIN makes what the transaction frees be overwritten;
     * WIPE_END, once the outermost transaction ended, restores the usual
     * mode and empties the log into the database (false: a reader kept
     * it from finishing); WIPE_VACUUM, outside any transaction, reclaims
     * the space of the erased rows' old versions. */
    bool (*wipe)(struct store_conn *c, enum wipe_step step);
    /* As store_bulk_load(). */
    bool (*bulk)(struct store_conn *c, bool on);
    /* As store_bulk_indexes(). */
    bool (*bulk_indexes)(struct store_conn *c, const char *const *tables, bool drop);
    /* As stmt_prepare(), stmt_finalize(), stmt_col_type(). */
    struct stmt *(*prepare)(struct store_conn *c, const char *sql);
    void (*finalize)(struct stmt *s);
    enum col_type (*col_type)(struct stmt *s, int i);
};

extern const struct backend_ops sqlite_backend;
extern const struct backend_ops pg_backend;

struct embedded_file;
/* This binary's migrations under dir ("migrations/sqlite/"), in version
 * order, checked to run 1, 2, ... without a gap; *known the last version.
 * *out is an array the caller frees. */
enum err store_migrations(const char *dir, const struct embedded_file ***out, int *known,
                          char **errmsg);

struct stmt *stmt_get(struct store_conn *c, enum stmt_id id);
/* The connection a statement belongs to. */
struct store_conn *stmt_conn(struct stmt *s);
/* v NULL binds NULL. */
void stmt_text(struct stmt *s, int i, const char *v);
/* v NULL or "" binds NULL (optional ids and codes). */
void stmt_opt_text(struct stmt *s, int i, const char *v);
void stmt_int(struct stmt *s, int i, int64_t v);
void stmt_bool(struct stmt *s, int i, bool v);
/* len 0 binds NULL. */
void stmt_blob(struct stmt *s, int i, const void *p, size_t len);
/* Binds an empty blob, not NULL: what an erasure leaves in a NOT NULL
 * sealed column (store_case_erase), as the copy carries it. */
void stmt_blob_empty(struct stmt *s, int i);
void stmt_null(struct stmt *s, int i);

/* A statement made from sql at run time (id STMT_DYNAMIC), for what no
 * statement table can hold: the copy's SELECT and INSERT of each table,
 * built from the schema's own names. sql is the backend's dialect
 * (parameters numbered with ops->param). Used like any statement, then
 * freed with stmt_finalize(). NULL, logged without sql, when it does not
 * prepare. */
struct stmt *stmt_prepare(struct store_conn *c, const char *sql);
/* Whether s may be put into such SQL as a name: of cbpn's schema's shape
 * (lowercase letters, digits and _, not starting with a digit). */
bool store_name_ok(const char *s);
/* Frees a statement of stmt_prepare(). NULL is a no-op. */
void stmt_finalize(struct stmt *s);

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
struct tx_state *conn_tx(struct store_conn *c);
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
/* The type of the column's value, read before any other stmt_col_*() of
 * it: SQLite converts a value when it is read as another type. */
enum col_type stmt_col_type(struct stmt *s, int i);

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
/* Runs a versioned write (UPDATE ... WHERE id = ?1 AND version = ?2, the
 * version the caller read), bound by the caller: ERR_CONFLICT when no row
 * changed, because another write moved the version on (or the row is
 * gone): the caller's transaction then writes nothing. */
enum err stmt_exec_versioned(struct stmt *s);
/* The rows a list returns at most (one case's records, one page). */
#define RECORDS_MAX 5000
/* Runs a list statement already bound, reading each row with read into a
 * new array of elem-byte records (at most RECORDS_MAX) in *items, *n;
 * on failure frees what it read with free_one. */
enum err stmt_rows(struct stmt *s, size_t elem, void (*read)(struct stmt *, void *),
                   void (*free_one)(void *), void **items, size_t *n);
/* Grows *items (of elem bytes each) so that index *n fits; returns a zeroed
 * slot at index *n and increments *n. */
void *list_push(void **items, size_t *n, size_t *cap, size_t elem);
/* Copies src into dst[size], truncating. */
void str_copy(char *dst, size_t size, const char *src);

/* ---- columns ----
 * The columns of each record's SELECT, in the order every backend's
 * statement lists them: readers name a column, never a position. The
 * names are the SQL column names (or aliases); tests/unit/test_store.c
 * checks every backend's statements against them. A USER_* enum ends with
 * the password hash, which only STMT_USER_BY_USERNAME selects. */
/* clang-format off */
#define COL_ENUM(e, n) e,
#define USER_COLUMNS(X) \
    X(USER_ID, "id") \
    X(USER_USERNAME, "username") \
    X(USER_ROLE, "role") \
    X(USER_DISPLAY_NAME, "display_name") \
    X(USER_ORGANIZATION_ID, "organization_id") \
    X(USER_GROUP_ID, "group_id") \
    X(USER_LOCALE, "locale") \
    X(USER_ACTIVE, "active") \
    X(USER_CREATED_AT, "created_at") \
    X(USER_UPDATED_AT, "updated_at") \
    X(USER_VERSION, "version") \
    X(USER_MEMBER_ID, "member_id") \
    X(USER_PENDING, "pending") \
    X(USER_REQUESTED_BY, "requested_by") \
    X(USER_PASSWORD_HASH, "password_hash")
enum user_col { USER_COLUMNS(COL_ENUM) USER__NCOL };
extern const char *const user_col_names[USER__NCOL];
#define SESSION_COLUMNS(X) \
    X(SESSION_TOKEN_HASH, "token_hash") \
    X(SESSION_USER_ID, "user_id") \
    X(SESSION_KIND, "kind") \
    X(SESSION_CSRF, "csrf") \
    X(SESSION_CREATED_AT, "created_at") \
    X(SESSION_LAST_SEEN, "last_seen") \
    X(SESSION_ENROL_ONLY, "enrol_only")
enum session_col { SESSION_COLUMNS(COL_ENUM) SESSION__NCOL };
extern const char *const session_col_names[SESSION__NCOL];
#define ORG_COLUMNS(X) \
    X(ORG_ID, "id") \
    X(ORG_NAME, "name") \
    X(ORG_KIND, "kind") \
    X(ORG_LOCATION_CODE, "location_code") \
    X(ORG_CREATED_AT, "created_at") \
    X(ORG_VERSION, "version")
enum org_col { ORG_COLUMNS(COL_ENUM) ORG__NCOL };
extern const char *const org_col_names[ORG__NCOL];
#define GROUP_COLUMNS(X) \
    X(GROUP_ID, "id") \
    X(GROUP_ORGANIZATION_ID, "organization_id") \
    X(GROUP_NAME, "name") \
    X(GROUP_LOCATION_CODE, "location_code") \
    X(GROUP_CREATED_AT, "created_at") \
    X(GROUP_UPDATED_AT, "updated_at") \
    X(GROUP_VERSION, "version")
enum group_col { GROUP_COLUMNS(COL_ENUM) GROUP__NCOL };
extern const char *const group_col_names[GROUP__NCOL];
#define SERVICE_COLUMNS(X) \
    X(SERVICE_ID, "id") \
    X(SERVICE_ORGANIZATION_ID, "organization_id") \
    X(SERVICE_TYPE, "type") \
    X(SERVICE_NAME, "name") \
    X(SERVICE_LOCATION_CODE, "location_code") \
    X(SERVICE_AREAS, "areas") \
    X(SERVICE_CONTACT, "contact") \
    X(SERVICE_HOURS, "hours") \
    X(SERVICE_LANGUAGES, "languages") \
    X(SERVICE_ELIGIBILITY, "eligibility") \
    X(SERVICE_CREATED_AT, "created_at") \
    X(SERVICE_UPDATED_AT, "updated_at") \
    X(SERVICE_VERSION, "version")
enum service_col { SERVICE_COLUMNS(COL_ENUM) SERVICE__NCOL };
extern const char *const service_col_names[SERVICE__NCOL];
#define OUTREACH_COLUMNS(X) \
    X(OUTREACH_ID, "id") \
    X(OUTREACH_GROUP_ID, "group_id") \
    X(OUTREACH_DATE, "date") \
    X(OUTREACH_LOCATION_CODE, "location_code") \
    X(OUTREACH_TOPICS, "topics") \
    X(OUTREACH_FEMALE, "female") \
    X(OUTREACH_MALE, "male") \
    X(OUTREACH_UNDER_18, "under_18") \
    X(OUTREACH_RECORDED_BY, "recorded_by") \
    X(OUTREACH_CREATED_AT, "created_at") \
    X(OUTREACH_UPDATED_AT, "updated_at") \
    X(OUTREACH_VERSION, "version") \
    X(OUTREACH_ORGANIZATION_ID, "organization_id")
enum outreach_col { OUTREACH_COLUMNS(COL_ENUM) OUTREACH__NCOL };
extern const char *const outreach_col_names[OUTREACH__NCOL];
#define TRAINING_COLUMNS(X) \
    X(TRAINING_ID, "id") \
    X(TRAINING_ORGANIZATION_ID, "organization_id") \
    X(TRAINING_GROUP_ID, "group_id") \
    X(TRAINING_DATE, "date") \
    X(TRAINING_LOCATION_CODE, "location_code") \
    X(TRAINING_AUDIENCE, "audience") \
    X(TRAINING_FACILITATOR_MEMBER_ID, "facilitator_member_id") \
    X(TRAINING_FACILITATOR_USER_ID, "facilitator_user_id") \
    X(TRAINING_FACILITATOR_OUTSIDE, "facilitator_outside") \
    X(TRAINING_FACILITATOR_TRAINER, "facilitator_trainer") \
    X(TRAINING_RECORDED_BY, "recorded_by") \
    X(TRAINING_CREATED_AT, "created_at") \
    X(TRAINING_UPDATED_AT, "updated_at") \
    X(TRAINING_VERSION, "version") \
    X(TRAINING_TOPICS, "topics") \
    X(TRAINING_NPARTICIPANTS, "nparticipants")
enum training_col { TRAINING_COLUMNS(COL_ENUM) TRAINING__NCOL };
extern const char *const training_col_names[TRAINING__NCOL];
#define PART_COLUMNS(X) \
    X(PART_TRAINING_ID, "training_id") \
    X(PART_IDX, "idx") \
    X(PART_MEMBER_ID, "member_id") \
    X(PART_OUTSIDE, "outside") \
    X(PART_SEX, "sex") \
    X(PART_PRE, "pre") \
    X(PART_POST, "post")
enum part_col { PART_COLUMNS(COL_ENUM) PART__NCOL };
extern const char *const part_col_names[PART__NCOL];
#define AGENCY_COLUMNS(X) \
    X(AGENCY_ID, "id") \
    X(AGENCY_LICENCE_NO, "licence_no") \
    X(AGENCY_NAME_KM, "name_km") \
    X(AGENCY_NAME_EN, "name_en") \
    X(AGENCY_LICENCE_VALID_UNTIL, "licence_valid_until") \
    X(AGENCY_CREATED_AT, "created_at") \
    X(AGENCY_UPDATED_AT, "updated_at") \
    X(AGENCY_VERSION, "version") \
    X(AGENCY_LICENSED, "licensed") \
    X(AGENCY_SOURCE_DATE, "source_date")
enum agency_col { AGENCY_COLUMNS(COL_ENUM) AGENCY__NCOL };
extern const char *const agency_col_names[AGENCY__NCOL];
#define AGENCY_IMPORT_COLUMNS(X) \
    X(AGENCY_IMPORT_ID, "id") \
    X(AGENCY_IMPORT_SEQ, "seq") \
    X(AGENCY_IMPORT_SOURCE_DATE, "source_date") \
    X(AGENCY_IMPORT_IMPORTED_AT, "imported_at") \
    X(AGENCY_IMPORT_IMPORTED_BY, "imported_by") \
    X(AGENCY_IMPORT_ADDED, "added") \
    X(AGENCY_IMPORT_UPDATED, "updated") \
    X(AGENCY_IMPORT_DROPPED, "dropped")
enum agency_import_col { AGENCY_IMPORT_COLUMNS(COL_ENUM) AGENCY_IMPORT__NCOL };
extern const char *const agency_import_col_names[AGENCY_IMPORT__NCOL];
#define ADVICE_COLUMNS(X) \
    X(ADVICE_ID, "id") \
    X(ADVICE_GROUP_ID, "group_id") \
    X(ADVICE_DATE, "date") \
    X(ADVICE_PERSON, "person") \
    X(ADVICE_SEX, "sex") \
    X(ADVICE_BIRTH_YEAR, "birth_year") \
    X(ADVICE_DESTINATION, "destination") \
    X(ADVICE_SECTOR, "sector") \
    X(ADVICE_CHANNEL, "channel") \
    X(ADVICE_AGENCY_ID, "agency_id") \
    X(ADVICE_DOCUMENTS, "documents") \
    X(ADVICE_RISKS, "risks") \
    X(ADVICE_WARNINGS, "warnings") \
    X(ADVICE_FOLLOW_UP_ON, "follow_up_on") \
    X(ADVICE_FOLLOW_UP_DONE_AT, "follow_up_done_at") \
    X(ADVICE_RECORDED_BY, "recorded_by") \
    X(ADVICE_CREATED_AT, "created_at") \
    X(ADVICE_UPDATED_AT, "updated_at") \
    X(ADVICE_VERSION, "version") \
    X(ADVICE_ORGANIZATION_ID, "organization_id")
enum advice_col { ADVICE_COLUMNS(COL_ENUM) ADVICE__NCOL };
extern const char *const advice_col_names[ADVICE__NCOL];
#define MEMBER_COLUMNS(X) \
    X(MEMBER_ID, "id") \
    X(MEMBER_GROUP_ID, "group_id") \
    X(MEMBER_NAME_KM, "name_km") \
    X(MEMBER_NAME_LATN, "name_latn") \
    X(MEMBER_SEX, "sex") \
    X(MEMBER_BIRTH_YEAR, "birth_year") \
    X(MEMBER_PHONE, "phone") \
    X(MEMBER_NETWORK_ROLES, "network_roles") \
    X(MEMBER_RETURNEE, "returnee") \
    X(MEMBER_ACTIVE, "active") \
    X(MEMBER_CREATED_AT, "created_at") \
    X(MEMBER_UPDATED_AT, "updated_at") \
    X(MEMBER_VERSION, "version") \
    X(MEMBER_IDENTITY, "identity") \
    X(MEMBER_RETURNEE_ANY, "returnee_any") \
    X(MEMBER_RETURNEE_EMPLOYER, "returnee_employer")
enum member_col { MEMBER_COLUMNS(COL_ENUM) MEMBER__NCOL };
extern const char *const member_col_names[MEMBER__NCOL];
#define LOCATION_COLUMNS(X) \
    X(LOCATION_CODE, "code") \
    X(LOCATION_LEVEL, "level") \
    X(LOCATION_PARENT_CODE, "parent_code") \
    X(LOCATION_NAME_KM, "name_km") \
    X(LOCATION_NAME_LATN, "name_latn") \
    X(LOCATION_UNIT_KM, "unit_km") \
    X(LOCATION_UNIT_LATN, "unit_latn")
enum location_col { LOCATION_COLUMNS(COL_ENUM) LOCATION__NCOL };
extern const char *const location_col_names[LOCATION__NCOL];
#define AUDIT_COLUMNS(X) \
    X(AUDIT_SEQ, "seq") \
    X(AUDIT_AT, "at") \
    X(AUDIT_USER_ID, "user_id") \
    X(AUDIT_ACTION, "action") \
    X(AUDIT_RECORD_TYPE, "record_type") \
    X(AUDIT_RECORD_ID, "record_id") \
    X(AUDIT_DETAIL, "detail") \
    X(AUDIT_PREV_HASH, "prev_hash") \
    X(AUDIT_HASH, "hash") \
    X(AUDIT_KEY_ID, "key_id") \
    X(AUDIT_MAC, "mac")
enum audit_col { AUDIT_COLUMNS(COL_ENUM) AUDIT__NCOL };
extern const char *const audit_col_names[AUDIT__NCOL];
#define CASE_COLUMNS(X) \
    X(CASE_ID, "id") \
    X(CASE_CODE, "code") \
    X(CASE_ORGANIZATION_ID, "organization_id") \
    X(CASE_GROUP_ID, "group_id") \
    X(CASE_LOCATION_CODE, "location_code") \
    X(CASE_STATUS, "status") \
    X(CASE_SUMMARY, "summary") \
    X(CASE_RISK, "risk") \
    X(CASE_URGENT, "urgent") \
    X(CASE_CONSENT_TO_CONTACT, "consent_to_contact") \
    X(CASE_REPORTED_BY, "reported_by") \
    X(CASE_ASSIGNED_TO, "assigned_to") \
    X(CASE_CREATED_AT, "created_at") \
    X(CASE_UPDATED_AT, "updated_at") \
    X(CASE_VERSION, "version") \
    X(CASE_CLOSURE_REQUESTED_BY, "closure_requested_by") \
    X(CASE_CLOSURE_REASON_CODE, "closure_reason_code") \
    X(CASE_AGENCY_ID, "agency_id") \
    X(CASE_EMPLOYER, "employer") \
    X(CASE_ERASED_AT, "erased_at") \
    X(CASE_ERASED_REASON, "erased_reason") \
    X(CASE_CONCERNS, "concerns")
enum case_col { CASE_COLUMNS(COL_ENUM) CASE__NCOL };
extern const char *const case_col_names[CASE__NCOL];
#define SURVIVOR_COLUMNS(X) \
    X(SURVIVOR_IDENTITY, "identity") \
    X(SURVIVOR_SEX, "sex") \
    X(SURVIVOR_AGE, "age") \
    X(SURVIVOR_AGE_ESTIMATED, "age_estimated") \
    X(SURVIVOR_DEMOGRAPHICS, "demographics")
enum survivor_col { SURVIVOR_COLUMNS(COL_ENUM) SURVIVOR__NCOL };
extern const char *const survivor_col_names[SURVIVOR__NCOL];
#define MATCH_COLUMNS(X) \
    X(MATCH_CASE_ID, "case_id") \
    X(MATCH_CODE, "code") \
    X(MATCH_SEX, "sex") \
    X(MATCH_N, "n")
enum match_col { MATCH_COLUMNS(COL_ENUM) MATCH__NCOL };
extern const char *const match_col_names[MATCH__NCOL];
#define INCIDENT_COLUMNS(X) \
    X(INCIDENT_ID, "id") \
    X(INCIDENT_CASE_ID, "case_id") \
    X(INCIDENT_DATE, "date") \
    X(INCIDENT_REPORTED_ON, "reported_on") \
    X(INCIDENT_TIME_OF_DAY, "time_of_day") \
    X(INCIDENT_LOCATION_TYPE, "location_type") \
    X(INCIDENT_LOCATION, "location") \
    X(INCIDENT_MIGRATION_STAGE, "migration_stage") \
    X(INCIDENT_PENETRATION, "penetration") \
    X(INCIDENT_SEXUAL_CONTACT, "sexual_contact") \
    X(INCIDENT_PHYSICAL_ASSAULT, "physical_assault") \
    X(INCIDENT_FORCED_MARRIAGE, "forced_marriage") \
    X(INCIDENT_DENIAL_OF_RESOURCES, "denial_of_resources") \
    X(INCIDENT_PSYCHOLOGICAL_ABUSE, "psychological_abuse") \
    X(INCIDENT_GOODS_OR_MONEY_EXCHANGED, "goods_or_money_exchanged") \
    X(INCIDENT_ABDUCTION, "abduction") \
    X(INCIDENT_REPORTED_ELSEWHERE, "reported_elsewhere") \
    X(INCIDENT_PERPETRATORS, "perpetrators") \
    X(INCIDENT_EXPLOITATION, "exploitation") \
    X(INCIDENT_DESCRIPTION, "description") \
    X(INCIDENT_GBV_TYPE, "gbv_type") \
    X(INCIDENT_CONTEXT_FLAGS, "context_flags") \
    X(INCIDENT_SURVIVOR_AGE, "survivor_age") \
    X(INCIDENT_CREATED_BY, "created_by") \
    X(INCIDENT_CREATED_AT, "created_at")
enum incident_col { INCIDENT_COLUMNS(COL_ENUM) INCIDENT__NCOL };
extern const char *const incident_col_names[INCIDENT__NCOL];
#define SCREENING_COLUMNS(X) \
    X(SCREENING_ID, "id") \
    X(SCREENING_CASE_ID, "case_id") \
    X(SCREENING_ADULT, "adult") \
    X(SCREENING_INDICATORS, "indicators") \
    X(SCREENING_DIMENSIONS, "dimensions") \
    X(SCREENING_FORCED_LABOUR_INDICATORS, "forced_labour_indicators") \
    X(SCREENING_RESULT, "result") \
    X(SCREENING_CREATED_BY, "created_by") \
    X(SCREENING_CREATED_AT, "created_at")
enum screening_col { SCREENING_COLUMNS(COL_ENUM) SCREENING__NCOL };
extern const char *const screening_col_names[SCREENING__NCOL];
#define NOTE_COLUMNS(X) \
    X(NOTE_ID, "id") \
    X(NOTE_CASE_ID, "case_id") \
    X(NOTE_BODY, "body") \
    X(NOTE_CORRECTS, "corrects") \
    X(NOTE_AUTHOR, "author") \
    X(NOTE_CREATED_AT, "created_at")
enum note_col { NOTE_COLUMNS(COL_ENUM) NOTE__NCOL };
extern const char *const note_col_names[NOTE__NCOL];
#define TASK_COLUMNS(X) \
    X(TASK_ID, "id") \
    X(TASK_CASE_ID, "case_id") \
    X(TASK_TITLE, "title") \
    X(TASK_DUE_ON, "due_on") \
    X(TASK_ASSIGNED_TO, "assigned_to") \
    X(TASK_DONE, "done") \
    X(TASK_DONE_AT, "done_at") \
    X(TASK_CREATED_BY, "created_by") \
    X(TASK_CREATED_AT, "created_at") \
    X(TASK_UPDATED_AT, "updated_at") \
    X(TASK_VERSION, "version")
enum task_col { TASK_COLUMNS(COL_ENUM) TASK__NCOL };
extern const char *const task_col_names[TASK__NCOL];
#define CONSENT_COLUMNS(X) \
    X(CONSENT_ID, "id") \
    X(CONSENT_SEQ, "seq") \
    X(CONSENT_CASE_ID, "case_id") \
    X(CONSENT_PURPOSE, "purpose") \
    X(CONSENT_ORGANIZATION_ID, "organization_id") \
    X(CONSENT_SERVICE_TYPE, "service_type") \
    X(CONSENT_GIVEN, "given") \
    X(CONSENT_METHOD, "method") \
    X(CONSENT_GIVEN_BY, "given_by") \
    X(CONSENT_RECORDED_BY, "recorded_by") \
    X(CONSENT_CREATED_AT, "created_at") \
    X(CONSENT_WITHDRAWN_AT, "withdrawn_at") \
    X(CONSENT_WITHDRAWN_BY, "withdrawn_by") \
    X(CONSENT_WITHDRAW_REASON, "withdraw_reason")
enum consent_col { CONSENT_COLUMNS(COL_ENUM) CONSENT__NCOL };
extern const char *const consent_col_names[CONSENT__NCOL];
#define REFERRAL_COLUMNS(X) \
    X(REFERRAL_ID, "id") \
    X(REFERRAL_CASE_ID, "case_id") \
    X(REFERRAL_SERVICE_ID, "service_id") \
    X(REFERRAL_ORGANIZATION_ID, "organization_id") \
    X(REFERRAL_SERVICE_TYPE, "service_type") \
    X(REFERRAL_STATUS, "status") \
    X(REFERRAL_URGENCY, "urgency") \
    X(REFERRAL_REASON, "reason") \
    X(REFERRAL_CONSENT_OVERRIDE, "consent_override") \
    X(REFERRAL_OVERRIDE_REASON, "override_reason") \
    X(REFERRAL_SLIP_CODE, "slip_code") \
    X(REFERRAL_CONTACT, "contact") \
    X(REFERRAL_CREATED_BY, "created_by") \
    X(REFERRAL_CREATED_AT, "created_at") \
    X(REFERRAL_UPDATED_AT, "updated_at") \
    X(REFERRAL_DUE_AT, "due_at") \
    X(REFERRAL_VERSION, "version") \
    X(REFERRAL_CASE_CODE, "case_code") \
    X(REFERRAL_CASE_ORGANIZATION_ID, "case_organization_id") \
    X(REFERRAL_CASE_ASSIGNED_TO, "case_assigned_to") \
    X(REFERRAL_CASE_LOCATION_CODE, "case_location_code") \
    X(REFERRAL_CONTACT_SEALED, "contact_sealed")
enum referral_col { REFERRAL_COLUMNS(COL_ENUM) REFERRAL__NCOL };
extern const char *const referral_col_names[REFERRAL__NCOL];
#define REFEVENT_COLUMNS(X) \
    X(REFEVENT_SEQ, "seq") \
    X(REFEVENT_REFERRAL_ID, "referral_id") \
    X(REFEVENT_AT, "at") \
    X(REFEVENT_USER_ID, "user_id") \
    X(REFEVENT_STATUS, "status") \
    X(REFEVENT_NOTE, "note")
enum refevent_col { REFEVENT_COLUMNS(COL_ENUM) REFEVENT__NCOL };
extern const char *const refevent_col_names[REFEVENT__NCOL];
#define EVENT_COLUMNS(X) \
    X(EVENT_SEQ, "seq") \
    X(EVENT_CASE_ID, "case_id") \
    X(EVENT_AT, "at") \
    X(EVENT_USER_ID, "user_id") \
    X(EVENT_KIND, "kind") \
    X(EVENT_DETAIL, "detail") \
    X(EVENT_REF_ID, "ref_id") \
    X(EVENT_TEXT, "text")
enum event_col { EVENT_COLUMNS(COL_ENUM) EVENT__NCOL };
extern const char *const event_col_names[EVENT__NCOL];
#define IDEM_COLUMNS(X) \
    X(IDEM_USER_ID, "user_id") \
    X(IDEM_KEY, "key") \
    X(IDEM_ROUTE, "route") \
    X(IDEM_REQUEST_HASH, "request_hash") \
    X(IDEM_STATUS, "status") \
    X(IDEM_ANSWER, "answer") \
    X(IDEM_CREATED_AT, "created_at") \
    X(IDEM_CASE_ID, "case_id")
enum idem_col { IDEM_COLUMNS(COL_ENUM) IDEM__NCOL };
extern const char *const idem_col_names[IDEM__NCOL];
/* clang-format on */
/* Statements whose rows each column table describes (for the test). */
struct col_check {
    enum stmt_id stmt;
    const char *const *names;
    int n;
};
extern const struct col_check store_col_checks[];
extern const size_t store_ncol_checks;
/* The name of column i of the statement's rows (after a prepare). */
const char *stmt_col_name(struct stmt *s, int i);
int stmt_col_count(struct stmt *s);

#endif
