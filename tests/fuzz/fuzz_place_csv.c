/* The gazetteer CSV parser: any input is either refused whole with a
 * message, or gives rows whose codes nest by level. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "domain/place.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct location_rec *rows = NULL;
    size_t n = 0;
    char *msg = NULL;
    enum err e = places_parse_csv((const char *)data, size, &rows, &n, &msg);
    if (e == ERR_OK) {
        for (size_t i = 0; i < n; i++) {
            size_t len = strlen(rows[i].code);
            if (len != 2 && len != 4 && len != 6 && len != 8)
                abort();
            if (len > 2 && strncmp(rows[i].code, rows[i].parent, len - 2) != 0)
                abort();
        }
    } else if (msg == NULL || rows != NULL) {
        abort();
    }
    places_rows_free(rows, n);
    free(msg);
    return 0;
}
