/* Accept-Language negotiation: any header gives one of the languages. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "i18n/i18n.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (s == NULL)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    enum lang l = lang_negotiate(s);
    if ((int)l < 0 || l >= LANG__MAX)
        abort();
    free(s);
    return 0;
}
