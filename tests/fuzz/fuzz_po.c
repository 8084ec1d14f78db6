/* The PO catalog parser: any text is either loaded or refused with a
 * message; afterwards every message still has a text. */
#include <stdint.h>
#include <stdlib.h>

#include "i18n/i18n.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *msg = NULL;
    bool ok = i18n_load_catalog(LANG_KM, "fuzz.po", (const char *)data, size, &msg);
    if (!ok && msg == NULL)
        abort();
    for (int m = 0; m < MSG__MAX; m++)
        if (i18n_text(LANG_KM, (enum msg)m) == NULL)
            abort();
    free(msg);
    return 0;
}
