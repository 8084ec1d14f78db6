/* A ledger file: one line per entry, appended (O_APPEND, fsynced) by
 * whoever records, read whole by whoever re-applies. The erasure ledger
 * "<key or head base>.erased" lists the ids of erased cases, so that a
 * restored backup taken before an erasure has those cases' keys destroyed
 * again before anyone is served from it. Lines hold ids only. */
#ifndef CBPN_UTIL_LEDGER_H
#define CBPN_UTIL_LEDGER_H

#include <stdbool.h>
#include <stddef.h>

/* Appends line and a newline to path (mode 0600 when it is made). */
bool ledger_append(const char *path, const char *line);
/* The lines of path, each a new string, in *lines (caller frees each and
 * the array); *n 0 and true when the file does not exist. */
bool ledger_read(const char *path, char ***lines, size_t *n);

#endif
