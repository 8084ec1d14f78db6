/* The form decoder: any body is refused or gives at most max fields of
 * valid UTF-8 text. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/http.h"
#include "util/utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct kv *f = NULL;
    int n = form_parse((const char *)data, size, 8, &f);
    if (n < -1 || n > 8 || (n == -1 && f != NULL))
        abort();
    for (int i = 0; i < n; i++)
        if (!utf8_valid_text(f[i].key, strlen(f[i].key)) ||
            !utf8_valid_text(f[i].value, strlen(f[i].value)))
            abort();
    form_free(f, n);
    return 0;
}
