/* Cursors of lists ordered by (date, created_at, id), newest first:
 * outreach sessions and advice records. Opaque to the client (URL-safe
 * base64); a cursor that does not decode to a real date, a time stamp and
 * an id is refused. */
#ifndef CBPN_DOMAIN_CURSOR_H
#define CBPN_DOMAIN_CURSOR_H

#include <stdbool.h>

#include "domain/cases.h"

/* The cursor after the row (date, created_at, id) into out. */
void cursor_dated_encode(const char *date, const char *created_at, const char *id,
                         char out[CURSOR_SIZE]);
/* Decodes cur into date[DATE_SIZE], created_at[TS_SIZE], id[ID_SIZE];
 * false when it is not such a cursor. */
bool cursor_dated_decode(const char *cur, char date[DATE_SIZE], char created_at[TS_SIZE],
                         char id[ID_SIZE]);

#endif
