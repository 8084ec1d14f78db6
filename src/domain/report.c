/* PLACEHOLDER on main while the engine is built (issue 10): replaced by the
 * indicator engine before the issue is closed. */
#include "domain/report.h"

#include <stdlib.h>
#include <string.h>

enum err report_indicators(const struct ctx *cx, const struct report_query *q, struct report *out,
                           struct fielderrs *fe)
{
    (void)cx;
    (void)q;
    (void)fe;
    memset(out, 0, sizeof *out);
    return ERR_INTERNAL;
}

void report_free(struct report *r)
{
    if (r == NULL)
        return;
    for (size_t i = 0; i < r->n; i++) {
        for (size_t d = 0; d < r->inds[i].ndims; d++)
            free(r->inds[i].dims[d].cats);
        free(r->inds[i].dims);
    }
    free(r->inds);
    for (size_t i = 0; i < r->ntrends; i++)
        free(r->trends[i].points);
    free(r->trends);
    free(r->by_area.points);
    memset(r, 0, sizeof *r);
}

const char *report_label(enum lang lang, const char *code)
{
    (void)lang;
    return code;
}
