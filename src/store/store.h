/* The store: one interface, two backends (SQLite, PostgreSQL: store_open picks one by the URI).
 * Nothing above src/store/ sees SQL, a dialect or a driver type.
 *
 * Records hold text codes (roles, statuses, concerns) as the database keeps
 * them; the domain validates them. Sealed fields are opaque blobs: the store
 * never sees plaintext identities or narratives.
 *
 * Memory: a record filled by a store_* call owns its heap fields; release it
 * with the matching *_rec_free() (a no-op on a zeroed record). Lists are
 * arrays the caller frees with the matching *_list_free(). A lookup's key may
 * point into the record it fills. Optional ids and codes are "" when absent
 * (stored as NULL); a filter's "" is a value that matches nothing, not "any".
 *
 * Errors: every call returns ERR_OK, ERR_NOT_FOUND (no such row),
 * ERR_CONFLICT (unique key taken, stale version), ERR_UNAVAILABLE (busy past
 * the timeout, disk full) or ERR_INTERNAL (logged). */
#ifndef CBPN_STORE_STORE_H
#define CBPN_STORE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/clock.h"
#include "util/err.h"

#define ID_SIZE      21 /* opaque ids: 20 chars of base32 + NUL */
#define CODE_SIZE    32 /* any code of DOMAIN.md, a gazetteer code, a case code */
#define USERNAME_MAX 64
#define CONCERNS_MAX 9

struct store;      /* an opened database */
struct store_conn; /* one connection: one per thread, never shared */

struct blob {
    unsigned char *p;
    size_t len;
};

/* Opens (creating when create is true) the database at uri and brings its
 * schema up to date in one transaction. uri is a file path (SQLite) or a
 * postgres:// or postgresql:// URI (libpq's syntax, several hosts allowed).
 * A new file is created with mode 0600; without create, a missing file (or
 * a PostgreSQL database without cbpn's schema) is ERR_NOT_FOUND and is not
 * created. A database written by a
 * newer cbpn is refused: the message says so. The calling thread's
 * connection is opened too, every statement prepared, so a broken one fails
 * here. On failure *errmsg is a new string for the user (caller frees). */
enum err store_open(const char *uri, bool create, struct store **out, char **errmsg);
/* True when db names a PostgreSQL database (a postgres:// or
 * postgresql:// URI), false for a file path. */
bool store_is_uri(const char *db);
/* "sqlite" or "postgres". */
const char *store_backend_name(const struct store *st);
/* Closes every connection; the store must be idle. NULL is a no-op. A
 * thread's connection also closes when that thread exits. */
void store_close(struct store *st);
/* The calling thread's connection, opened on first use (prepared statements
 * included). NULL only when the database cannot be opened (logged). */
struct store_conn *store_conn(struct store *st);
/* The schema version the database is at. */
int store_schema_version(struct store_conn *c);

/* Transactions. begin takes the write lock at once (BEGIN IMMEDIATE), so a
 * transaction either runs or fails with ERR_UNAVAILABLE before writing.
 * They nest: inside a transaction, begin and end only count, an inner
 * rollback (or an end with an error) dooms the outer one, and only the
 * outermost end commits (ERR_CONFLICT, rolled back, when it was doomed).
 * So a domain call can run inside a caller's transaction (an idempotent
 * create and the record of its answer commit together, or not at all). */
enum err store_begin(struct store_conn *c);
enum err store_commit(struct store_conn *c);
void store_rollback(struct store_conn *c);
/* Ends the transaction the way e says: commits when e is ERR_OK (and rolls
 * back if the commit fails), else rolls back. Returns the outcome. */
enum err store_end(struct store_conn *c, enum err e);
/* True between a store_begin and its outermost end on c. */
bool store_in_tx(struct store_conn *c);
/* The store c is a connection of. */
struct store *store_of(struct store_conn *c);
/* True (once) when the last transaction on c failed in a way that running
 * it again whole may cure and cannot duplicate: the database rolled it
 * back (a serialization failure, a deadlock) or the connection was lost
 * before its COMMIT was sent. The caller may then run the request again. */
bool store_retry_advised(struct store_conn *c);
/* ERR_OK when the database answers a trivial query. */
enum err store_ping(struct store_conn *c);

/* Settings kept in the database (key -> text). */
enum err store_meta_get(struct store_conn *c, const char *key, char **value);
enum err store_meta_set(struct store_conn *c, const char *key, const char *value);

/* ---- gazetteer ---- */
struct location_rec {
    char code[CODE_SIZE];
    char level[16]; /* province, district, commune, village */
    char parent[CODE_SIZE];
    char *name_km;
    char *name_latn;
    char *unit_km; /* the unit's name ("ស្រុក", "Srok"); may be NULL */
    char *unit_latn;
};
void location_rec_free(struct location_rec *r);
void location_list_free(struct location_rec *items, size_t n);
enum err store_location_insert(struct store_conn *c, const struct location_rec *r);
enum err store_location_get(struct store_conn *c, const char *code, struct location_rec *out);
/* Children of parent (NULL: provinces), in code order. */
enum err store_location_children(struct store_conn *c, const char *parent,
                                 struct location_rec **items, size_t *n);
/* Every location, in code order (for the in-memory search index). */
enum err store_location_all(struct store_conn *c, struct location_rec **items, size_t *n);
size_t store_location_count(struct store_conn *c);

/* ---- organizations ---- */
struct org_rec {
    char id[ID_SIZE];
    char *name;
    char kind[16]; /* ngo, provider */
    char location_code[CODE_SIZE];
    char created_at[TS_SIZE];
    int version;
};
void org_rec_free(struct org_rec *r);
void org_list_free(struct org_rec *items, size_t n);
enum err store_org_insert(struct store_conn *c, const struct org_rec *r);
enum err store_org_get(struct store_conn *c, const char *id, struct org_rec *out);
enum err store_org_list(struct store_conn *c, struct org_rec **items, size_t *n);

/* ---- users and sessions ---- */
struct user_rec {
    char id[ID_SIZE];
    char username[USERNAME_MAX + 1];
    char role[16];
    char *display_name;
    char organization_id[ID_SIZE]; /* "" when none */
    char group_id[ID_SIZE];        /* "" when none */
    char member_id[ID_SIZE];       /* her member record (member, representative), "" when none */
    char locale[8];
    bool active;
    char created_at[TS_SIZE];
    char updated_at[TS_SIZE];
    int version;
    /* Waiting for a supervisor's approval (an account that can see
     * identities, made by an admin): it cannot sign in. */
    bool pending;
    char requested_by[ID_SIZE]; /* who asked for it; "" for the local operator */
};
void user_rec_free(struct user_rec *r);
/* Approves r->id at r->version (versioned: ERR_CONFLICT when it moved or
 * is not pending). */
enum err store_user_approve(struct store_conn *c, const struct user_rec *r);
void user_list_free(struct user_rec *items, size_t n);
/* password_hash: an Argon2id string. ERR_CONFLICT when the username is taken. */
enum err store_user_insert(struct store_conn *c, const struct user_rec *r,
                           const char *password_hash);
enum err store_user_get(struct store_conn *c, const char *id, struct user_rec *out);
/* The user and her password hash (caller frees *password_hash). */
enum err store_user_by_username(struct store_conn *c, const char *username, struct user_rec *out,
                                char **password_hash);
/* Writes r's role, display_name, organization_id, group_id, member_id,
 * active, pending, requested_by and updated_at, and bumps its version,
 * when the stored version is still r->version (else ERR_CONFLICT). */
enum err store_user_update(struct store_conn *c, const struct user_rec *r);
/* Users, by username; organization_id NULL for all organizations. */
enum err store_user_list(struct store_conn *c, const char *organization_id, struct user_rec **items,
                         size_t *n);

struct session_rec {
    unsigned char token_hash[32];
    char user_id[ID_SIZE];
    char kind[8]; /* api, web */
    char csrf[48];
    int64_t created_at; /* epoch seconds */
    int64_t last_seen;
    /* A session that reaches only TOTP enrolment and sign-out (an account
     * that must have TOTP and has none yet; auth/session.h). */
    bool enrol_only;
};
enum err store_session_insert(struct store_conn *c, const struct session_rec *s);
enum err store_session_get(struct store_conn *c, const unsigned char token_hash[32],
                           struct session_rec *out);
enum err store_session_touch(struct store_conn *c, const unsigned char token_hash[32], int64_t now);
enum err store_session_delete(struct store_conn *c, const unsigned char token_hash[32]);
/* Removes every session of the user, pages and API alike; *n (may be NULL)
 * receives how many there were. */
enum err store_session_delete_user(struct store_conn *c, const char *user_id, int *n);
/* Lifts a session's enrol_only (its user proved her new second factor). */
enum err store_session_unrestrict(struct store_conn *c, const unsigned char token_hash[32]);
/* Removes sessions last seen before idle_before or created before abs_before. */
enum err store_session_expire(struct store_conn *c, int64_t idle_before, int64_t abs_before);

/* A user's TOTP secret (RFC 6238), sealed (SEALED_USER_TOTP). */
struct totp_rec {
    char user_id[ID_SIZE];
    struct blob secret;
    bool confirmed;    /* proved by a code: asked for at sign-in */
    int64_t last_step; /* the 30-second step of the last code accepted */
    char created_at[TS_SIZE];
};
void totp_rec_free(struct totp_rec *r);
/* ERR_NOT_FOUND when the user has none. */
enum err store_totp_get(struct store_conn *c, const char *user_id, struct totp_rec *out);
/* Writes r, replacing the user's secret when she had one. */
enum err store_totp_put(struct store_conn *c, const struct totp_rec *r);
/* Records that a code of step was accepted (confirm true: and confirms the
 * secret): ERR_CONFLICT, nothing written, when a code of this step or a
 * later one was accepted before (a replay) or the secret is gone. */
enum err store_totp_use(struct store_conn *c, const char *user_id, int64_t step, bool confirm);
/* Removes the user's secret; *n (may be NULL): 1 when there was one. */
enum err store_totp_delete(struct store_conn *c, const char *user_id, int *n);

/* Failed sign-ins, keyed by a keyed hash of the username and of the client
 * address (never the plain values). */
enum err store_login_failure_add(struct store_conn *c, const char *user_key, const char *addr_key,
                                 int64_t at);
enum err store_login_failure_count(struct store_conn *c, const char *user_key, const char *addr_key,
                                   int64_t since, int *by_user, int *by_addr);
/* Forgets failures older than before. */
enum err store_login_failure_prune(struct store_conn *c, int64_t before);
/* The sign-in gate, one attempt per username at a time on every server of
 * the database: *taken true when this call took the lease of user_key
 * until the epoch second until (it was free, or its lease ran out before
 * now). Give it back with release (the same until), outside a transaction. */
enum err store_login_gate_take(struct store_conn *c, const char *user_key, int64_t until,
                               int64_t now, bool *taken);
enum err store_login_gate_release(struct store_conn *c, const char *user_key, int64_t until);

/* ---- network ---- */
struct group_rec {
    char id[ID_SIZE];
    char organization_id[ID_SIZE];
    char *name;
    char location_code[CODE_SIZE];
    char created_at[TS_SIZE];
    char updated_at[TS_SIZE];
    int version;
};
void group_rec_free(struct group_rec *r);
void group_list_free(struct group_rec *items, size_t n);
enum err store_group_insert(struct store_conn *c, const struct group_rec *r);
enum err store_group_get(struct store_conn *c, const char *id, struct group_rec *out);
/* Writes name and location_code at r->version (versioned). */
enum err store_group_update(struct store_conn *c, const struct group_rec *r);
/* Groups, by name; organization_id NULL for all. */
enum err store_group_list(struct store_conn *c, const char *organization_id,
                          struct group_rec **items, size_t *n);

struct member_rec {
    char id[ID_SIZE];
    char group_id[ID_SIZE];
    char *name_km;
    char *name_latn;
    char sex[16];
    int birth_year;      /* 0 when unknown */
    struct blob phone;   /* sealed; len 0 when none */
    char *network_roles; /* JSON array text */
    char *returnee;      /* JSON object text or NULL */
    /* Sealed JSON of name_km, name_latn, birth_year and returnee
     * (SEALED_MEMBER_IDENTITY): what the store keeps of them; the domain
     * opens it into the fields above, which the store writes as NULL. */
    struct blob identity;
    bool returnee_any; /* she has a returnee history (plain, for reports) */
    /* The employer abroad of the returnee history, sealed
     * (SEALED_MEMBER_EMPLOYER); len 0 when none. */
    struct blob returnee_employer;
    bool active;
    char created_at[TS_SIZE];
    char updated_at[TS_SIZE];
    int version;
};
void member_rec_free(struct member_rec *r);
void member_list_free(struct member_rec *items, size_t n);
enum err store_member_insert(struct store_conn *c, const struct member_rec *r);
/* The members of a group, by id; with nkeys > 0 only those whose name
 * keys include every one of keys[0..nkeys) (at most MEMBER_QUERY_KEYS_MAX). */
#define MEMBER_QUERY_KEYS_MAX 6
enum err store_member_list(struct store_conn *c, const char *group_id, const char *const *keys,
                           size_t nkeys, struct member_rec **items, size_t *n);
/* Replaces a member's name keys by keys[0..n). */
enum err store_member_keys_write(struct store_conn *c, const char *member_id,
                                 const char *const *keys, size_t n);
/* Referrals whose contact was written before it was sealed (at most 200). */
struct referral_contact {
    char id[ID_SIZE];
    char case_id[ID_SIZE];
    char *contact;
};
enum err store_referral_plain_contacts(struct store_conn *c, struct referral_contact **out,
                                       size_t *n);
void referral_contacts_free(struct referral_contact *items, size_t n);
/* Replaces the plain contact plain of referral id with sealed. */
enum err store_referral_seal_contact(struct store_conn *c, const char *id, const char *plain,
                                     const struct blob *sealed);

/* ---- keys (keys.c) ---- */
/* A case's key, wrapped by the data key: ERR_NOT_FOUND when it has none
 * (a case sealed before case keys, or erased). out->p: caller frees. */
enum err store_case_key_get(struct store_conn *c, const char *case_id, struct blob *out);
/* Writes a case's key unless it has one (then nothing changes: read it
 * again). */
enum err store_case_key_insert(struct store_conn *c, const char *case_id,
                               const struct blob *wrapped);
/* Destroys a case's key, and with it everything it sealed. */
enum err store_case_key_delete(struct store_conn *c, const char *case_id);
/* Replaces a case's wrapped key if it is still old (*swapped says). */
enum err store_case_key_swap(struct store_conn *c, const char *case_id, const struct blob *old,
                             const struct blob *new, bool *swapped);
/* Called for each row of a page: its name and its blob; false stops. */
typedef bool (*store_sealed_row_fn)(void *arg, const char *row, const struct blob *b);
/* The case keys after case id after (in order), at most limit; *rows the
 * number read. */
enum err store_case_key_page(struct store_conn *c, const char *after, int limit,
                             store_sealed_row_fn fn, void *arg, int *rows);
/* A sealed column: its table, the columns that name a row (joined by '/'
 * into the row's name, as the field's associated data names it), and the
 * column. */
struct sealed_col {
    const char *table;
    const char *row[2];
    size_t nrow;
    const char *col;
};
/* The rows whose sc is not NULL, named after after (bytewise), at most
 * limit, in order. */
enum err store_sealed_page(struct store_conn *c, const struct sealed_col *sc, const char *after,
                           int limit, store_sealed_row_fn fn, void *arg, int *rows);
/* Replaces sc of the row named rowname if it still holds old. */
enum err store_sealed_swap(struct store_conn *c, const struct sealed_col *sc, const char *rowname,
                           const struct blob *old, const struct blob *new, bool *swapped);

/* Up to 500 ids of members written before their identity was sealed. */
enum err store_member_unsealed(struct store_conn *c, char (**ids)[ID_SIZE], size_t *n);
enum err store_member_get(struct store_conn *c, const char *id, struct member_rec *out);
/* Writes every field but id, group and created_at at r->version
 * (versioned: ERR_CONFLICT when another write came first). */
enum err store_member_update(struct store_conn *c, const struct member_rec *r);

/* ---- the service directory ---- */
struct service_rec {
    char id[ID_SIZE];
    char organization_id[ID_SIZE];
    char type[32];
    char *name;
    char location_code[CODE_SIZE]; /* "" when none */
    char *areas;                   /* JSON array text of gazetteer codes */
    char *contact;
    char *hours;
    char *languages; /* JSON array text of language codes */
    char *eligibility;
    char created_at[TS_SIZE];
    char updated_at[TS_SIZE];
    int version;
};
void service_rec_free(struct service_rec *r);
void service_list_free(struct service_rec *items, size_t n);
enum err store_service_insert(struct store_conn *c, const struct service_rec *r);
enum err store_service_get(struct store_conn *c, const char *id, struct service_rec *out);
/* Writes r's fields at r->version; ERR_CONFLICT when the stored version differs. */
enum err store_service_update(struct store_conn *c, const struct service_rec *r);
/* Services by name, then id; type NULL for every type. */
enum err store_service_list(struct store_conn *c, const char *type, struct service_rec **items,
                            size_t *n);

/* ---- outreach sessions (DOMAIN.md §6) ---- */
struct outreach_rec {
    char id[ID_SIZE];
    char group_id[ID_SIZE];
    char date[DATE_SIZE];
    char location_code[CODE_SIZE]; /* a village */
    char *topics;                  /* JSON array text of topic codes */
    int female, male, under_18;    /* under_18 counts people counted in female or male */
    char recorded_by[ID_SIZE];     /* "" for the local operator */
    char created_at[TS_SIZE];
    char updated_at[TS_SIZE];
    int version;
    /* Read from the group (ignored by writes). */
    char organization_id[ID_SIZE];
};
void outreach_rec_free(struct outreach_rec *r);
void outreach_list_free(struct outreach_rec *items, size_t n);
enum err store_outreach_insert(struct store_conn *c, const struct outreach_rec *r);
enum err store_outreach_get(struct store_conn *c, const char *id, struct outreach_rec *out);
/* A NULL part does not bound; "" matches nothing. */
struct outreach_filter {
    const char *organization_id; /* the group's organization */
    const char *group_id;
    const char *from, *to; /* dates, inclusive */
    bool has_after;        /* the page after (after_date, after_created_at, after_id) */
    char after_date[DATE_SIZE];
    char after_created_at[TS_SIZE];
    char after_id[ID_SIZE];
    int limit; /* 1..501 */
};
/* Newest first (date, created_at, id, descending). */
enum err store_outreach_list(struct store_conn *c, const struct outreach_filter *f,
                             struct outreach_rec **items, size_t *n);
/* ---- trainings (DOMAIN.md §6) ---- */
#define TRAINING_PARTICIPANTS_MAX 500
struct training_rec {
    char id[ID_SIZE];
    char organization_id[ID_SIZE]; /* the group's, or the recorder's */
    char group_id[ID_SIZE];        /* "" when it names no group */
    char date[DATE_SIZE];
    char location_code[CODE_SIZE]; /* a commune or a village */
    char audience[24];             /* LIST_AUDIENCE */
    /* The facilitator: exactly one of the three. */
    char facilitator_member_id[ID_SIZE];
    char facilitator_user_id[ID_SIZE];
    struct blob
        facilitator_outside;   /* sealed JSON: name, organization (SEALED_TRAINING_FACILITATOR) */
    bool facilitator_trainer;  /* the member had the trainer role when it was recorded */
    char recorded_by[ID_SIZE]; /* "" for the local operator */
    char created_at[TS_SIZE];
    char updated_at[TS_SIZE];
    int version;
    /* Read (ignored by writes): the topic codes, comma-separated in no
     * particular order, and how many attended. */
    char *topics;
    int nparticipants;
};
void training_rec_free(struct training_rec *r);
void training_list_free(struct training_rec *items, size_t n);
struct participant_rec {
    char training_id[ID_SIZE];
    int idx;                 /* from 0, in the order given */
    char member_id[ID_SIZE]; /* "" for an outside person */
    struct blob outside;     /* sealed JSON: name, organization (SEALED_TRAINING_PARTICIPANT) */
    char sex[16];
    int pre, post; /* 0..100; -1 when not scored */
};
void participant_rec_free(struct participant_rec *r);
void participant_list_free(struct participant_rec *items, size_t n);
/* Inserts the training, its topics (codes) and its participants. */
enum err store_training_insert(struct store_conn *c, const struct training_rec *r,
                               const char *const *topics, size_t ntopics,
                               const struct participant_rec *parts, size_t nparts);
enum err store_training_get(struct store_conn *c, const char *id, struct training_rec *out);
enum err store_training_participants(struct store_conn *c, const char *training_id,
                                     struct participant_rec **items, size_t *n);
/* A NULL part does not bound; "" matches nothing. */
struct training_filter {
    const char *organization_id;
    const char *group_id;
    const char *from, *to; /* dates, inclusive */
    bool has_after;        /* the page after (after_date, after_created_at, after_id) */
    char after_date[DATE_SIZE];
    char after_created_at[TS_SIZE];
    char after_id[ID_SIZE];
    int limit; /* 1..501 */
};
/* Newest first (date, created_at, id, descending). */
enum err store_training_list(struct store_conn *c, const struct training_filter *f,
                             struct training_rec **items, size_t *n);
/* The trainings member_id attended, newest first (at most 500). */
enum err store_training_of_member(struct store_conn *c, const char *member_id,
                                  struct training_rec **items, size_t *n);
/* Coverage within the bounds of f (organization, group; dates ignored):
 * *members the active members of the groups in bounds, and for each topic
 * any of them was trained on, how many of them were (a member counted once
 * per topic however many trainings she attended). */
struct topic_count {
    char topic[40];
    int members;
};
enum err store_training_coverage(struct store_conn *c, const struct training_filter *f,
                                 int *members, struct topic_count **items, size_t *n);
/* The cascade within the bounds of f (organization, group, dates): per
 * facilitating member who had the trainer role, and audience, how many
 * trainings she gave and how many people attended them. */
struct cascade_row {
    char member_id[ID_SIZE];
    char audience[24];
    int trainings, participants;
};
enum err store_training_cascade(struct store_conn *c, const struct training_filter *f,
                                struct cascade_row **items, size_t *n);
/* Who trained whom within the same bounds: (trainer, member trained)
 * pairs, each once, by trainer (at most 5000). */
struct cascade_pair {
    char trainer_id[ID_SIZE];
    char member_id[ID_SIZE];
};
enum err store_training_cascade_pairs(struct store_conn *c, const struct training_filter *f,
                                      struct cascade_pair **items, size_t *n);

/* ---- recruitment agencies and the ministry's licence lists ---- */
#define AGENCY_LICENCE_SIZE   65 /* a licence number: up to 64 bytes + NUL */
#define AGENCY_QUERY_KEYS_MAX 6  /* name keys one search may require */

/* An agency as the latest list naming it wrote it. Read "on" a date (the
 * list in force on it: the latest source_date on or before it, the last
 * imported among equal ones), licensed says whether that list names the
 * agency with licence_valid_until on or after the date, source_date is that
 * list's ("" when no list was in force then), and licence_valid_until is
 * what that list says, else the latest list that named the agency. */
struct agency_rec {
    char id[ID_SIZE];
    char licence_no[AGENCY_LICENCE_SIZE];
    char *name_km;
    char *name_en;
    char licence_valid_until[DATE_SIZE];
    char created_at[TS_SIZE];
    char updated_at[TS_SIZE];
    int version;
    bool licensed;
    char source_date[DATE_SIZE];
};
void agency_rec_free(struct agency_rec *r);
void agency_list_free(struct agency_rec *items, size_t n);

/* One import of the ministry's list. */
struct agency_import_rec {
    char id[ID_SIZE];
    int64_t seq; /* import order, given by the store from 1 */
    char source_date[DATE_SIZE];
    char imported_at[TS_SIZE];
    char imported_by[ID_SIZE]; /* "" for the local operator */
    int added;                 /* agencies not on the list before it */
    int updated;               /* on it before, with a name or date changed */
    int dropped;               /* on the list before it, not on this one */
};
/* The last import (highest seq); ERR_NOT_FOUND before the first. */
enum err store_agency_import_last(struct store_conn *c, struct agency_import_rec *out);
/* Inserts r with the next seq (r->seq is ignored). */
enum err store_agency_import_insert(struct store_conn *c, const struct agency_import_rec *r);
/* Sets the counts of import id. */
enum err store_agency_import_counts(struct store_conn *c, const struct agency_import_rec *r);
/* The agency with that licence number (licensed false, source_date ""). */
enum err store_agency_by_licence(struct store_conn *c, const char *licence_no,
                                 struct agency_rec *out);
enum err store_agency_insert(struct store_conn *c, const struct agency_rec *r);
/* Writes names, licence_valid_until and updated_at at r->version
 * (versioned, as store_case_update). */
enum err store_agency_update(struct store_conn *c, const struct agency_rec *r);
/* Records that import import_id lists agency r as r says (names, valid until). */
enum err store_agency_listing_insert(struct store_conn *c, const char *import_id,
                                     const struct agency_rec *r);
/* How many agencies import before listed that import after does not. */
enum err store_agency_dropped_count(struct store_conn *c, const char *before, const char *after,
                                    int *count);
/* Whether import import_id lists the agency agency_id. */
enum err store_agency_listed(struct store_conn *c, const char *import_id, const char *agency_id,
                             bool *listed);
/* Replaces the agency's name keys by keys[0..n) (romanize_name_keys; a key
 * given twice is kept once). */
enum err store_agency_keys_replace(struct store_conn *c, const char *agency_id,
                                   const char *const *keys, size_t n);
/* Every agency read on the date on (see agency_rec), in id order; with
 * nkeys > 0 (at most AGENCY_QUERY_KEYS_MAX, distinct) only those having
 * all of keys[0..nkeys). At most RECORDS_MAX. */
enum err store_agency_on(struct store_conn *c, const char *on, const char *const *keys,
                         size_t nkeys, struct agency_rec **items, size_t *n);
/* One agency read on the date on. */
enum err store_agency_get_on(struct store_conn *c, const char *id, const char *on,
                             struct agency_rec *out);
/* What each import that listed the agency said of it, oldest first: one
 * row per list (source_date, licence_valid_until, names; licensed false). */
enum err store_agency_history(struct store_conn *c, const char *id, struct agency_rec **items,
                              size_t *n);

/* ---- safe-migration advice records (DOMAIN.md §7) ---- */
struct advice_rec {
    char id[ID_SIZE];
    char group_id[ID_SIZE];
    char date[DATE_SIZE];
    struct blob person; /* sealed JSON: name_km, name_latn, phone (SEALED_ADVICE_PERSON) */
    char sex[16];
    int birth_year;
    char destination[3];             /* ISO 3166-1 alpha-2 */
    char sector[24];                 /* LIST_SECTOR */
    char channel[24];                /* LIST_CHANNEL */
    char agency_id[ID_SIZE];         /* "" when none is named */
    char *documents;                 /* JSON object text: document code -> bool */
    char *risks;                     /* JSON array text of risk codes ticked */
    char *warnings;                  /* JSON array text of the warning codes when written */
    char follow_up_on[DATE_SIZE];    /* "" when none */
    char follow_up_done_at[TS_SIZE]; /* "" while not done */
    char recorded_by[ID_SIZE];       /* "" for the local operator */
    char created_at[TS_SIZE];
    char updated_at[TS_SIZE];
    int version;
    /* Read from the group (ignored by writes). */
    char organization_id[ID_SIZE];
};
void advice_rec_free(struct advice_rec *r);
void advice_list_free(struct advice_rec *items, size_t n);
enum err store_advice_insert(struct store_conn *c, const struct advice_rec *r);
enum err store_advice_get(struct store_conn *c, const char *id, struct advice_rec *out);
/* Sets follow_up_done_at and updated_at of r->id at r->version (versioned,
 * as store_case_update: ERR_CONFLICT when the version moved). */
enum err store_advice_follow_up_done(struct store_conn *c, const struct advice_rec *r);
/* A NULL part does not bound; "" matches nothing. */
struct advice_filter {
    const char *organization_id; /* the group's organization */
    const char *group_id;
    const char *due_on; /* only follow-ups due on or before this date, not done */
    bool has_after;     /* the page after (after_date, after_created_at, after_id) */
    char after_date[DATE_SIZE];
    char after_created_at[TS_SIZE];
    char after_id[ID_SIZE];
    int limit; /* 1..501 */
};
/* Newest first (date, created_at, id, descending). */
enum err store_advice_list(struct store_conn *c, const struct advice_filter *f,
                           struct advice_rec **items, size_t *n);

/* ---- cases ---- */
struct survivor_rec {
    struct blob identity; /* sealed JSON: names, phone, address text, birth date */
    char sex[16];
    int age; /* -1 when unknown */
    bool age_estimated;
    char *demographics; /* JSON object text of the plain fields, or NULL */
};

struct case_rec {
    char id[ID_SIZE];
    char code[CODE_SIZE];
    char organization_id[ID_SIZE];
    char group_id[ID_SIZE]; /* reporter's group, "" when none */
    char location_code[CODE_SIZE];
    char status[24];
    char concerns[CONCERNS_MAX][24];
    int nconcerns;
    struct blob summary; /* sealed */
    char risk[16];       /* "" when not assessed */
    bool urgent;
    bool consent_to_contact;
    char reported_by[ID_SIZE];
    char assigned_to[ID_SIZE]; /* "" when unassigned */
    char created_at[TS_SIZE];
    char updated_at[TS_SIZE];
    int version;
    char closure_requested_by[ID_SIZE]; /* "" unless closure is requested */
    char closure_reason_code[CODE_SIZE];
    char agency_id[ID_SIZE]; /* the recruitment agency involved, "" when none */
    struct blob employer;    /* the employer abroad, sealed (SEALED_CASE_EMPLOYER) */
    char erased_at[TS_SIZE]; /* when its identity was erased, "" while not */
    char erased_reason[16];  /* retention, request; "" while not erased */
    bool has_survivor;
    struct survivor_rec survivor;
};
void case_rec_free(struct case_rec *r);
void case_list_free(struct case_rec *items, size_t n);

/* Next case code sequence number for (prefix, year), starting at 1. Call
 * inside a transaction. */
enum err store_case_next_seq(struct store_conn *c, const char *prefix, int year, int *seq);
/* Inserts the case (a closure request's fields too: a bulk load writes a
 * case's final state), its concerns and its survivor (when has_survivor). */
enum err store_case_insert(struct store_conn *c, const struct case_rec *r);
/* The case with its survivor. */
enum err store_case_get(struct store_conn *c, const char *id, struct case_rec *out);
/* The case with this code (KRL-2026-0042). */
enum err store_case_by_code(struct store_conn *c, const char *code, struct case_rec *out);
/* Writes the mutable parts of r (status, location, concerns, summary, risk,
 * urgent, assignment, closure request, and the survivor when has_survivor)
 * when the row is still at r->version, which then becomes version + 1 and
 * updated_at r->updated_at. ERR_CONFLICT, nothing written, when another
 * write came first (see stmt_exec_versioned). */
enum err store_case_update(struct store_conn *c, const struct case_rec *r);

#define CASE_NAME_KEYS_MAX 6 /* name keys one list may require */

/* Which cases a list may return. Unset (NULL, -1) parts do not filter.
 * assigned_or_open_for: cases assigned to this user or to nobody. Lists are
 * ordered urgent first, then newest (created_at, then id, descending);
 * after_* is the last row of the previous page. */
struct case_filter {
    const char *organization_id;
    const char *group_id;
    const char *reported_by;
    const char *assigned_or_open_for;
    const char *assigned_to; /* exactly this caseworker */
    const char *status;
    const char *concern;
    const char *risk;
    int urgent;             /* -1: any; 0, 1 */
    const char *overdue_on; /* a date: only cases with a task not done due before it */
    /* Name keys (survivor_key kind "name") the case must ALL have; the
     * first nname_keys are used, at most CASE_NAME_KEYS_MAX. */
    const char *name_keys[CASE_NAME_KEYS_MAX];
    size_t nname_keys;
    bool has_after;
    bool after_urgent;
    char after_created_at[TS_SIZE];
    char after_id[ID_SIZE];
    int limit; /* 1..501 */
};
/* Cases matching f, without survivors. */
enum err store_case_list(struct store_conn *c, const struct case_filter *f, struct case_rec **items,
                         size_t *n);
/* How many cases match f (its order, page and name keys ignored). */
enum err store_case_count(struct store_conn *c, const struct case_filter *f, int *count);

/* ---- a case's records: incidents, screenings, notes, tasks, timeline ----
 * JSON columns hold codes only; narratives are sealed blobs. */
#define ACTS_N 6 /* the six classification answers, in DOMAIN.md §1's order */
struct incident_rec {
    char id[ID_SIZE];
    char case_id[ID_SIZE];
    char date[DATE_SIZE];
    char reported_on[DATE_SIZE];
    char time_of_day[CODE_SIZE];
    char location_type[CODE_SIZE];
    char location[CODE_SIZE]; /* a gazetteer code or an ISO country code */
    char migration_stage[CODE_SIZE];
    bool acts[ACTS_N];
    bool goods_or_money_exchanged;
    char abduction[CODE_SIZE];
    char reported_elsewhere[CODE_SIZE];
    char *perpetrators;      /* JSON array text */
    char *exploitation;      /* JSON object text, or NULL */
    struct blob description; /* sealed */
    char gbv_type[CODE_SIZE];
    char *context_flags; /* JSON array text */
    int survivor_age;    /* on the incident date; -1 when unknown */
    char created_by[ID_SIZE];
    char created_at[TS_SIZE];
};
void incident_rec_free(struct incident_rec *r);
void incident_list_free(struct incident_rec *items, size_t n);
enum err store_incident_insert(struct store_conn *c, const struct incident_rec *r);
/* A case's incidents, oldest first. */
enum err store_incident_list(struct store_conn *c, const char *case_id, struct incident_rec **items,
                             size_t *n);

struct screening_rec {
    char id[ID_SIZE];
    char case_id[ID_SIZE];
    bool adult;
    char *indicators;               /* JSON array of codes */
    char *dimensions;               /* JSON object {"A": bool, ...} */
    char *forced_labour_indicators; /* JSON array of codes */
    char result[48];
    char created_by[ID_SIZE];
    char created_at[TS_SIZE];
};
void screening_rec_free(struct screening_rec *r);
void screening_list_free(struct screening_rec *items, size_t n);
enum err store_screening_insert(struct store_conn *c, const struct screening_rec *r);
/* A case's screenings, oldest first. */
enum err store_screening_list(struct store_conn *c, const char *case_id,
                              struct screening_rec **items, size_t *n);
/* The latest screening (by created_at, then id) of every case naming the
 * agency agency_id, whatever its organization, by case id: a case never
 * screened has none. */
enum err store_screening_latest_by_agency(struct store_conn *c, const char *agency_id,
                                          struct screening_rec **items, size_t *n);

struct note_rec {
    char id[ID_SIZE];
    char case_id[ID_SIZE];
    struct blob body;       /* sealed */
    char corrects[ID_SIZE]; /* "" when none */
    char author[ID_SIZE];
    char created_at[TS_SIZE];
};
void note_rec_free(struct note_rec *r);
void note_list_free(struct note_rec *items, size_t n);
enum err store_note_insert(struct store_conn *c, const struct note_rec *r);
enum err store_note_get(struct store_conn *c, const char *id, struct note_rec *out);
/* A case's notes, oldest first. */
enum err store_note_list(struct store_conn *c, const char *case_id, struct note_rec **items,
                         size_t *n);

struct task_rec {
    char id[ID_SIZE];
    char case_id[ID_SIZE];
    struct blob title; /* sealed */
    char due_on[DATE_SIZE];
    char assigned_to[ID_SIZE]; /* "" when nobody in particular */
    bool done;
    char done_at[TS_SIZE]; /* "" while not done */
    char created_by[ID_SIZE];
    char created_at[TS_SIZE];
    char updated_at[TS_SIZE];
    int version;
};
void task_rec_free(struct task_rec *r);
void task_list_free(struct task_rec *items, size_t n);
enum err store_task_insert(struct store_conn *c, const struct task_rec *r);
enum err store_task_get(struct store_conn *c, const char *id, struct task_rec *out);
/* Writes done, done_at and assigned_to at r->version (versioned, as
 * store_case_update). */
enum err store_task_update(struct store_conn *c, const struct task_rec *r);
/* A case's tasks, by due date. */
enum err store_task_list(struct store_conn *c, const char *case_id, struct task_rec **items,
                         size_t *n);
/* Tasks not done and due before the date before (YYYY-MM-DD), by due date,
 * of cases within f's bounds (organization_id, assigned_to,
 * assigned_or_open_for; the rest ignored); assignee: only tasks assigned to
 * that user or, if none, to nobody while the case is hers (NULL: any). At
 * most f->limit. */
enum err store_task_overdue(struct store_conn *c, const struct case_filter *f, const char *before,
                            const char *assignee, struct task_rec **items, size_t *n);

/* The timeline of a case: every step, in order. */
struct case_event_rec {
    int64_t seq;
    char case_id[ID_SIZE];
    char at[TS_SIZE];
    char user_id[ID_SIZE];
    char kind[24];        /* reported, assigned, ... (migration 0002) */
    char *detail;         /* codes only, or NULL */
    char ref_id[ID_SIZE]; /* the record the step made or names */
    struct blob text;     /* sealed free text (a reason), len 0 when none */
};
void case_event_rec_free(struct case_event_rec *r);
void case_event_list_free(struct case_event_rec *items, size_t n);
/* Appends the step; seq is given by the store. */
enum err store_case_event_insert(struct store_conn *c, const struct case_event_rec *r);
enum err store_case_event_list(struct store_conn *c, const char *case_id,
                               struct case_event_rec **items, size_t *n);

/* ---- consents and referrals (DOMAIN.md §3, §4) ---- */
struct consent_rec {
    char id[ID_SIZE];
    int64_t seq; /* given by the store: a case's records in the order written */
    char case_id[ID_SIZE];
    char purpose[16];              /* services, reporting, share_with */
    char organization_id[ID_SIZE]; /* share_with's scope, or "" */
    char service_type[CODE_SIZE];  /* share_with's scope, or "" */
    bool given;
    char method[16];   /* verbal, written, thumbprint */
    char given_by[16]; /* survivor, guardian */
    char recorded_by[ID_SIZE];
    char created_at[TS_SIZE];
    char withdrawn_at[TS_SIZE]; /* "" while it stands */
    char withdrawn_by[ID_SIZE];
    struct blob withdraw_reason; /* sealed, len 0 when none */
};
void consent_rec_free(struct consent_rec *r);
void consent_list_free(struct consent_rec *items, size_t n);
enum err store_consent_insert(struct store_conn *c, const struct consent_rec *r);
enum err store_consent_get(struct store_conn *c, const char *id, struct consent_rec *out);
/* A case's consent records in the order written (seq). */
enum err store_consent_list(struct store_conn *c, const char *case_id, struct consent_rec **items,
                            size_t *n);
/* Stamps r's withdrawal (withdrawn_at, withdrawn_by, withdraw_reason) on
 * the record while it stands; ERR_CONFLICT when it was already withdrawn. */
enum err store_consent_withdraw(struct store_conn *c, const struct consent_rec *r);

struct referral_rec {
    char id[ID_SIZE];
    char case_id[ID_SIZE];
    char service_id[ID_SIZE];
    char organization_id[ID_SIZE]; /* the receiving organization (the service's) */
    char service_type[CODE_SIZE];
    char status[16];    /* sent, accepted, declined, completed, withdrawn */
    char urgency[16];   /* routine, urgent */
    struct blob reason; /* sealed */
    bool consent_override;
    struct blob override_reason; /* sealed; len 0 without an override */
    struct blob slip_code;       /* sealed */
    char *contact;               /* written before it was sealed, or NULL */
    struct blob contact_sealed;  /* the referring caseworker's contact, sealed */
    char created_by[ID_SIZE];
    char created_at[TS_SIZE];
    char updated_at[TS_SIZE];
    char due_at[TS_SIZE]; /* follow-up due: overdue past it while sent or accepted */
    int version;
    /* Read from the case (ignored by writes). */
    char case_code[CODE_SIZE];
    char case_organization_id[ID_SIZE]; /* the sending organization */
    char case_assigned_to[ID_SIZE];
    char case_location_code[CODE_SIZE];
};
void referral_rec_free(struct referral_rec *r);
void referral_list_free(struct referral_rec *items, size_t n);
enum err store_referral_insert(struct store_conn *c, const struct referral_rec *r);
enum err store_referral_get(struct store_conn *c, const char *id, struct referral_rec *out);
/* Holds the referral's row until the transaction ends (FOR UPDATE on
 * PostgreSQL; SQLite's write lock is already held): ERR_NOT_FOUND when
 * there is none. */
enum err store_referral_lock(struct store_conn *c, const char *id);
/* Writes status and updated_at at r->version (versioned: ERR_CONFLICT when
 * another write came first). */
enum err store_referral_update(struct store_conn *c, const struct referral_rec *r);
/* A NULL part does not bound; "" matches nothing. */
struct referral_filter {
    const char *organization_id;           /* the receiving organization */
    const char *case_organization_id;      /* the sending organization */
    const char *case_assigned_to;          /* the case assigned to exactly this user */
    const char *case_assigned_or_open_for; /* the case assigned to this user or nobody */
    const char *case_id;
    const char *status;
    const char *overdue_at; /* a time: only sent or accepted ones due before it */
    bool has_after;         /* the page after (after_created_at, after_id) */
    char after_created_at[TS_SIZE];
    char after_id[ID_SIZE];
    int limit; /* 1..501 */
};
/* Newest first (created_at, id). */
enum err store_referral_list(struct store_conn *c, const struct referral_filter *f,
                             struct referral_rec **items, size_t *n);
/* How many match f (its page ignored). */
enum err store_referral_count(struct store_conn *c, const struct referral_filter *f, int *count);

struct referral_event_rec {
    int64_t seq;
    char referral_id[ID_SIZE];
    char at[TS_SIZE];
    char user_id[ID_SIZE];
    char status[16];  /* the status it moved to */
    struct blob note; /* sealed: the reason of a decline, the outcome; len 0 when none */
};
void referral_event_rec_free(struct referral_event_rec *r);
void referral_event_list_free(struct referral_event_rec *items, size_t n);
enum err store_referral_event_insert(struct store_conn *c, const struct referral_event_rec *r);
/* A referral's moves, oldest first. */
enum err store_referral_event_list(struct store_conn *c, const char *referral_id,
                                   struct referral_event_rec **items, size_t *n);
/* A wrong verification code tried on a referral's slip at (epoch seconds). */
enum err store_slip_failure_add(struct store_conn *c, const char *referral_id, int64_t at,
                                const char *user_id);
/* How many were tried on it at or after since. */
enum err store_slip_failure_count(struct store_conn *c, const char *referral_id, int64_t since,
                                  int *count);

/* ---- idempotent creates ---- */
struct idem_rec {
    char user_id[ID_SIZE];
    char key[72];
    char route[96];
    unsigned char request_hash[32];
    int status;
    struct blob answer;    /* sealed */
    int64_t created_at;    /* epoch seconds */
    char case_id[ID_SIZE]; /* the case its route names, "" when none */
};
void idem_rec_free(struct idem_rec *r);
/* ERR_CONFLICT when the user already has the key (a concurrent twin). */
enum err store_idem_insert(struct store_conn *c, const struct idem_rec *r);
enum err store_idem_get(struct store_conn *c, const char *user_id, const char *key,
                        struct idem_rec *out);
/* Forgets keys made before before (epoch seconds). */
enum err store_idem_prune(struct store_conn *c, int64_t before);
/* Up to 200 kept answers bound to no case (case_id ""), in (user_id, key)
 * order after (after_user, after_key) ("", "": from the first). */
enum err store_idem_unbound(struct store_conn *c, const char *after_user, const char *after_key,
                            struct idem_rec **items, size_t *n);
void idem_list_free(struct idem_rec *items, size_t n);
/* Forgets one kept answer. */
enum err store_idem_delete(struct store_conn *c, const char *user_id, const char *key);

/* ---- erasure of a case's identity (domain/erase.h) ---- */
/* Inside the caller's transaction: marks case id erased at at for reason
 * (retention, request) and wipes every sealed text of it and its records
 * that the case row's own write does not (summary, employer, timeline
 * texts, incident descriptions, notes, task titles, consent withdrawal
 * reasons, referral reasons, override reasons, slip codes, referral
 * notes: NULL, or an empty blob where NOT NULL), deletes its blind index
 * and the kept answers bound to it. ERR_CONFLICT when it was already
 * erased; ERR_NOT_FOUND when there is no such case. */
enum err store_case_erase(struct store_conn *c, const char *id, const char *at, const char *reason);
/* Up to limit ids (into ids[limit]) of closed cases not erased whose latest
 * closure was before before (RFC 3339), in id order after after_id ("":
 * from the first). */
enum err store_case_retention(struct store_conn *c, const char *before, const char *after_id,
                              int limit, char (*ids)[ID_SIZE], size_t *n);
/* Makes the transaction c is in leave no trace of what it frees: on
 * SQLite, freed space is overwritten (secure_delete ON, where FAST leaves
 * freed overflow pages as they were) until it ends, and when the
 * outermost transaction ends the write-ahead log is checkpointed into the
 * database and truncated to nothing; PostgreSQL keeps old row versions
 * until VACUUM (store_vacuum_erased). Call inside a transaction. */
enum err store_wipe_begin(struct store_conn *c);
/* After a transaction that called store_wipe_begin: whether the log was
 * emptied (false on SQLite when a reader's snapshot kept the checkpoint
 * from finishing: the old pages stay in the log until a later checkpoint;
 * always true on PostgreSQL). */
bool store_wipe_settled(struct store_conn *c);
/* Outside a transaction, on a connection nobody else uses: on, sets it up
 * for a bulk load into a new database (cbpn demo --scale), whose commits
 * need not be durable: on SQLite a page cache of 3 GB, the rollback journal
 * in memory instead of the write-ahead log, no syncs; on PostgreSQL
 * commits that do not wait for the log's flush. Off puts the usual
 * settings back (on SQLite the write-ahead log, synchronous as usual, the
 * file synced), so that what the load wrote is durable when it returns. */
enum err store_bulk_load(struct store_conn *c, bool on);
/* During a bulk load, outside a transaction: drop, the secondary indexes
 * of tables (NULL-terminated) are dropped (SQLite: a bulk load into tables
 * without them, then one sort for each index, is faster than keeping them
 * up to date row by row; PostgreSQL keeps them); !drop builds them again.
 * Between the two, only look rows up by their primary keys. */
enum err store_bulk_indexes(struct store_conn *c, const char *const *tables, bool drop);
/* Outside a transaction: reclaims the old versions of erased rows
 * (PostgreSQL: VACUUM of the tables an erasure writes; SQLite: nothing to
 * do, the pages were overwritten). */
enum err store_vacuum_erased(struct store_conn *c);

/* The survivor's blind index: keys the domain derives from her name words,
 * whole name and phone with a keyed hash under the data key, so the store can
 * match them without holding, or being able to recover, what they stand for. */
#define SURVIVOR_KEY_SIZE  33 /* a keyed hash in hex + NUL (KEYED_HASH_SIZE) */
#define SURVIVOR_MATCH_MAX 8  /* keys one store_survivor_match may look for */

struct survivor_key {
    char kind[8]; /* name, phone */
    char key[SURVIVOR_KEY_SIZE];
};
/* Records keys[0..n) for the case; a key given twice is kept once. Call in
 * the transaction that inserts the case. */
enum err store_survivor_keys_insert(struct store_conn *c, const char *case_id,
                                    const struct survivor_key *keys, size_t n);

/* Replaces the case's keys by keys[0..n) (a survivor's names or phone
 * changed). */
enum err store_survivor_keys_replace(struct store_conn *c, const char *case_id,
                                     const struct survivor_key *keys, size_t n);

/* A case whose survivor has some of the keys looked for. */
struct survivor_match {
    char id[ID_SIZE];
    char code[CODE_SIZE];
    char sex[16]; /* the survivor's; "" when the case has none */
    int nkeys;    /* how many distinct keys of those looked for it has */
};
/* Cases having any of keys[0..n) (1 <= n <= SURVIVOR_MATCH_MAX) of kind,
 * within scope's organization_id and assigned_or_open_for (its other parts
 * are ignored; scope->limit, 1..501, bounds the answer): most keys first,
 * then newest. *items: an array the caller frees with free(). */
enum err store_survivor_match(struct store_conn *c, const struct case_filter *scope,
                              const char *kind, const char *const *keys, size_t n,
                              struct survivor_match **items, size_t *count);

/* ---- audit ---- */
#define AUDIT_KEY_ID_SIZE 17 /* 16 hex digits + NUL */
struct audit_rec {
    int64_t seq;
    char at[TS_SIZE];
    char user_id[ID_SIZE];
    char action[24];
    char record_type[24];
    char record_id[ID_SIZE];
    char *detail; /* codes only, never personal data; may be NULL */
    unsigned char prev_hash[32];
    unsigned char hash[32];
    /* The keyed chain (src/audit/): the audit key's id ("" for an entry
     * written before the chain was keyed) and the MAC (has_mac false for
     * those). */
    char key_id[AUDIT_KEY_ID_SIZE];
    unsigned char mac[32];
    bool has_mac;
    /* Read back: a column did not fit its field exactly (a text too long
     * for it or with a NUL inside, a hash not of 32 bytes), so the fields
     * above are not what the row holds. Only a tampered row does that. */
    bool malformed;
};
void audit_rec_free(struct audit_rec *r);
/* The head of the chain as the table audit_head holds it. */
struct audit_head_row {
    int64_t seq;            /* the last entry's; 0 when empty */
    unsigned char hash[32]; /* its hash (zero when empty) */
    unsigned char mac[32];  /* its MAC, when has_mac */
    bool has_mac;
};
/* The head, locked until the transaction ends, so call it inside the
 * transaction that appends. */
enum err store_audit_last(struct store_conn *c, struct audit_head_row *h);
/* The head as last committed, without taking its lock. */
enum err store_audit_head_read(struct store_conn *c, struct audit_head_row *h);
/* Appends r (r->seq the head's seq + 1) and moves the head on to it;
 * ERR_CONFLICT, nothing written, when the head has moved on meanwhile.
 * The transaction's commit counts in store_audit_commits. */
enum err store_audit_insert(struct store_conn *c, const struct audit_rec *r);
/* How many commits, on any connection of st, wrote audit entries since it
 * was opened: a change tells the head signer to look at the head again. */
uint64_t store_audit_commits(struct store *st);
/* Entries with seq > after_seq, at most limit, in seq order. */
enum err store_audit_range(struct store_conn *c, int64_t after_seq, int limit,
                           struct audit_rec **items, size_t *n);
/* Entries about one record with seq > after_seq, at most limit, in seq order. */
enum err store_audit_for_record(struct store_conn *c, const char *record_type,
                                const char *record_id, int64_t after_seq, int limit,
                                struct audit_rec **items, size_t *n);
/* The account changes (entries of action create or update about a user)
 * of the accounts of organization_id, newest first: seq < before_seq (0:
 * from the newest), at most limit. */
enum err store_audit_user_changes(struct store_conn *c, const char *organization_id,
                                  int64_t before_seq, int limit, struct audit_rec **items,
                                  size_t *n);
void audit_list_free(struct audit_rec *items, size_t n);

/* ---- copying a deployment to another database (copy.c) ----
 * Every table of the schema, read from the tables' own definitions (so a
 * column a migration adds is copied without a change here), schema_migration
 * aside: each database's own migrations wrote it. */
#define TABLE_NAME_SIZE 64

struct table_count {
    char table[TABLE_NAME_SIZE];
    int64_t rows;
};
/* Told of a table's progress: done of total rows copied, now and then,
 * and once when the table is done, the only call with done equal to
 * total. */
typedef void (*store_copy_progress)(void *arg, const char *table, int64_t done, int64_t total);
/* Copies every row of from into to, which must be at the same schema
 * version with the same tables and columns and hold no data: no row in any
 * table but those its migrations fill as they left them (audit_head's
 * 'main' at seq 0); those rows are replaced by the source's. from is read
 * in one read-only transaction (one snapshot: writers may go on, the copy
 * does not see them); to is written in one transaction, all or nothing.
 * Tables go in the order of their references, a table referring to itself
 * parents first; an identity column (PostgreSQL) continues past the
 * largest value copied. Values are copied as they are: sealed blobs byte
 * for byte, never opened. progress (may be NULL) gets arg. On ERR_OK,
 * *counts (caller frees) holds the rows copied per table, in copy order.
 * ERR_CONFLICT when to holds data (nothing written); on any failure
 * *errmsg is a new message naming tables and columns, never values
 * (caller frees). */
enum err store_copy(struct store *from, struct store *to, store_copy_progress progress, void *arg,
                    struct table_count **counts, size_t *n, char **errmsg);
/* The rows of each table of st (schema_migration aside), in copy order.
 * *counts: caller frees; *errmsg as store_copy's. */
enum err store_table_counts(struct store *st, struct table_count **counts, size_t *n,
                            char **errmsg);

/* ---- the incident exports (export.c; domain/export.h) ----
 * One row per incident with what the de-identified export and the
 * Incident Recorder workbook need, read in one statement. The strings are
 * borrowed: valid during the callback only (NULL when the column is). */
struct export_rec {
    const char *incident_id, *case_id, *case_code;
    const char *location_code; /* the case's place */
    const char *sex;           /* the survivor's; NULL without a survivor record */
    int age;                   /* the survivor's (of the case); -1 unknown */
    const char *demographics;  /* JSON object text */
    const char *gbv_type;
    const char *concerns; /* the case's concern codes, ';'-joined, any order */
    const char *screening_result, *forced_labour_indicators; /* the latest screening's */
    /* the case's referrals: "sent-date|updated-date|service_type|status", ';'-joined, any order */
    const char *referrals;
    const char *date, *reported_on, *time_of_day, *location_type, *location, *migration_stage;
    const char *context_flags, *perpetrators; /* JSON array texts */
    const char *abduction, *reported_elsewhere;
    bool acts[ACTS_N];
    bool goods_or_money_exchanged;
    int incident_age; /* the survivor's on the incident date (FULL only); -1 unknown */
    bool reporting;   /* the case's latest reporting consent is given and not withdrawn */
};
/* Calls fn for each incident whose case is of organization_id (NULL: any),
 * reported_on within from..to (each NULL: unbounded) and, with
 * consented_only, whose case's reporting consent stands. Without full,
 * only the fields up to referrals and reporting are read (the
 * de-identified export's); the others are NULL or false. fn returns false
 * to stop (then ERR_OK). */
enum err store_export_incidents(struct store_conn *c, const char *organization_id, const char *from,
                                const char *to, bool consented_only, bool full,
                                bool (*fn)(const struct export_rec *r, void *cls), void *cls);

/* ---- snapshots for backups (snapshot.c) ---- */
/* Writes one consistent snapshot of st into the SQLite file path (which
 * must not exist, or be empty: create it 0600 first), while writers go on:
 * from SQLite with VACUUM INTO (one read transaction on the WAL: writers
 * are not blocked), from PostgreSQL with store_copy (one REPEATABLE READ
 * READ ONLY transaction) into a new SQLite database at path. *errmsg: a new
 * message on failure (caller frees). */
enum err store_snapshot(struct store *st, const char *path, char **errmsg);
/* SQLite's integrity_check of st's file (PostgreSQL: ERR_OK, nothing to
 * check). ERR_VALIDATION, *errmsg saying so, when the file is damaged. */
enum err store_integrity_check(struct store *st, char **errmsg);

/* ---- the maintained report cells (report.c, docs/reports.md) ----
 * Table report_cell: per indicator code, breakdown (dim, cat; '' and ''
 * for the total), place (a location coarsened to its commune) and month
 * (YYYY-MM), a count n and a sum s; kept up to date by the outermost commit
 * of every transaction that wrote a record they count. */
struct report_cell_row {
    const char *code, *dim, *cat, *place, *month;
    int64_t n, s;
};
/* Every cell, in (code, dim, cat, place, month) order; fn returns nonzero to stop. */
enum err store_report_cells(struct store_conn *c,
                            int (*fn)(void *arg, const struct report_cell_row *r), void *arg);
/* A number that changes whenever any cell changes (a counter row bumped by the flush). */
enum err store_report_generation(struct store_conn *c, int64_t *gen);
/* Referrals overdue at `now` (status sent or accepted, due_at < now), per place: fn(arg, place, n).
 */
enum err store_report_overdue_now(struct store_conn *c, const char *now,
                                  int (*fn)(void *arg, const char *place, int64_t n), void *arg);
/* Recompute every cell from the records: one pass per table (INSERT ... SELECT ... GROUP BY), in
 * one transaction. */
enum err store_report_rebuild(struct store_conn *c);
/* A days histogram (cells of code, dimension days) over the places starting
 * with area ("" for all) and the months from..to (YYYY-MM, both included):
 * fn(arg, days, n). */
enum err store_report_hist(struct store_conn *c, const char *code, const char *area,
                           const char *from_month, const char *to_month,
                           int (*fn)(void *arg, const char *cat, int64_t n), void *arg);
/* Bulk loading (cbpn demo --scale): stop maintaining on this connection until store_report_rebuild.
 */
void store_report_defer(struct store_conn *c, bool defer);
/* false: the records are not in the cells yet (a database upgraded to
 * schema 19 with records): store_report_rebuild them (cbpn serve does). */
enum err store_report_built(struct store_conn *c, bool *built);

#endif
