/* The command line: one function per command, each parsing its own options
 * and returning the exit status (0 ok, 1 failure, 2 usage). */
#ifndef CBPN_CLI_CLI_H
#define CBPN_CLI_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "app.h"
#include "domain/ctx.h"

int cmd_init(int argc, char **argv);
int cmd_user(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_audit(int argc, char **argv);
int cmd_migrate(int argc, char **argv);
int cmd_setting(int argc, char **argv);
int cmd_agencies(int argc, char **argv);
int cmd_key(int argc, char **argv);
int cmd_backup(int argc, char **argv);
int cmd_restore(int argc, char **argv);
int cmd_retention(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_report_cells(int argc, char **argv);

/* The data key's file for db: key when given (--key FILE), else FILE.key
 * beside a database file. NULL (said why) for a PostgreSQL URI without
 * --key. Caller frees. */
char *cli_key_path(const char *db, const char *key);
/* Opens an existing deployment: store (migrated), data key at keypath and
 * gazetteer index, screening catalog. Prints the reason and returns false
 * on failure. */
bool cli_open(const char *db, const char *keypath, struct app *app);
/* cli_key_path and cli_open for a command the local operator runs, with
 * its context (every field of the app it needs). Returns -1 when open, or
 * the exit status to leave with (2 usage, 1 failure). */
int cli_open_operator(const char *db, const char *key, struct app *app, struct ctx *cx);
/* Signs the head ("<headbase>.head.cli") when the command appended to the
 * audit log, then closes. */
void cli_close(struct app *app);
/* The signed heads' base for the data key keypath: keypath itself, or with
 * --head-dir DIR, DIR/<keypath's file name>. Caller frees. */
char *cli_head_base(const char *keypath, const char *head_dir);
/* The audit keys beside the data key keypath, loaded (and installed with
 * audit_use_keys). A deployment without them (written before the chain was
 * keyed) gets them now, its entries so far left unkeyed; one whose log
 * already has keyed entries must have the file that made them. Prints why
 * and returns false on failure. */
bool cli_audit_keys(struct store_conn *c, const char *keypath, struct auditkeys **out);
/* Creates a deployment at db (a new file, or an empty PostgreSQL database):
 * schema, gazetteer, and the data key at keypath (which must not exist). */
bool cli_create(const char *db, const char *keypath);
/* The passphrase of a wrapped data key: the first line of the file
 * CBPN_PASSPHRASE_FILE names, else of standard input. Caller wipes and
 * frees. NULL when there is none. */
char *cli_passphrase(void);
/* Loads the data key at keypath, asking cli_passphrase() when it is
 * wrapped. Prints why and returns false on failure. */
bool cli_load_key(const char *keypath, struct datakey **out);
/* Reads one line (a password) from standard input, without its newline.
 * Caller frees (and should wipe). NULL on end of input. */
char *cli_read_secret(FILE *in);

/* Started as root, becomes --user (user, may be NULL) or else the owner of
 * the database file (of the key file, for PostgreSQL) when that is not
 * root; logs that it stays root otherwise. Checks first that the user can
 * use the database and the key, and says clearly which file it cannot.
 * false (said why on standard error) when the server must not start. */
bool cli_leave_root(const char *user, const char *db, const char *keypath);

/* What cli_confine() needs: the database (a file or a URI) and the key. */
struct cli_confinement {
    const char *db;
    const char *keypath;
    const char *head_dir; /* --head-dir: the signed heads' folder, or NULL */
};
/* The server's confine hook (struct server_config): Landlock on the
 * database's folder, the key's folder, the temporary folder and what
 * libpq and the resolver read; then seccomp. cls: a struct
 * cli_confinement. false with *why (caller frees) when it cannot be
 * applied: the server does not start unconfined. */
bool cli_confine(void *cls, char **why);

#endif
