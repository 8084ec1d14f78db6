/* The command line: one function per command, each parsing its own options
 * and returning the exit status (0 ok, 1 failure, 2 usage). */
#ifndef CBPN_CLI_CLI_H
#define CBPN_CLI_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "app.h"

int cmd_init(int argc, char **argv);
int cmd_user(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_serve(int argc, char **argv);

/* Opens an existing deployment: store (migrated), data key and gazetteer
 * index, screening catalog. Prints the reason and returns false on failure. */
bool cli_open(const char *db, struct app *app);
void cli_close(struct app *app);
/* Creates a deployment at db: database, gazetteer, data key. */
bool cli_create(const char *db);
/* Reads one line (a password) from standard input, without its newline.
 * Caller frees (and should wipe). NULL on end of input. */
char *cli_read_secret(FILE *in);

#endif
