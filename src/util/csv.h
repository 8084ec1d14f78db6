/* A reader of CSV text (RFC 4180): fields separated by commas, records by
 * LF or CRLF, a field in double quotes may hold commas, line breaks and
 * doubled quotes. For the reference tables built into the binary (data/),
 * which are checked whole at start-up. */
#ifndef CBPN_UTIL_CSV_H
#define CBPN_UTIL_CSV_H

#include <stddef.h>

#include "util/buf.h"

struct csv {
    const char *p, *end;
    size_t line; /* of the next character, from 1 */
};

/* Starts reading text[0..len), skipping a UTF-8 byte order mark. */
void csv_init(struct csv *c, const char *text, size_t len);
/* Reads one record into f[0..*nf) (each field NUL-terminated; an empty
 * field is ""). 1: a record; 0: end of input; -1: malformed, or more than
 * maxf fields (*why: a static reason). The fields stay owned by f (reset
 * for each record; the caller buf_free()s them). */
int csv_record(struct csv *c, struct buf *f, int maxf, int *nf, const char **why);
/* Skips the lines that start with '#' at the reader's position (comment
 * lines of a table's source note), counting them. Call it only between
 * records: a '#' inside a record is data. */
void csv_skip_comments(struct csv *c);

#endif
