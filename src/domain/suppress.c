/* The small-number rule (domain/suppress.h). */
#include "domain/suppress.h"

#include "domain/settings.h"

int suppress_k(const struct ctx *cx)
{
    return setting_get(cx, SETTING_SUPPRESSION_K);
}

struct shown_count suppress_count(int n, int k)
{
    if (k < 2)
        k = 2; /* a threshold of 1 would hide nothing */
    if (n >= 1 && n < k)
        return (struct shown_count){.suppressed = true, .value = 0, .k = k};
    return (struct shown_count){.suppressed = false, .value = n < 0 ? 0 : n, .k = k};
}
