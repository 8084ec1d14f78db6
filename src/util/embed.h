/* Files built into the binary (tools/embed.c): migrations, PO catalogs,
 * assets and reference data, by their path in the source tree. */
#ifndef CBPN_UTIL_EMBED_H
#define CBPN_UTIL_EMBED_H

#include <stddef.h>

struct embedded_file {
    const char *name;          /* e.g. "migrations/sqlite/0001_init.sql" */
    const unsigned char *data; /* NUL-terminated */
    size_t len;
};

extern const struct embedded_file embedded_files[];
extern const unsigned long embedded_count;

/* The file with that name, or NULL. */
const struct embedded_file *embed_find(const char *name);

#endif
