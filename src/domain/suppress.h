/* The small-number rule of DOMAIN.md §3: a count from 1 to k-1 never leaves
 * the system as a number (k = 5 by default, the setting suppression.k).
 * One function, used by every figure shown outside a case (an agency's
 * cases with forced-labour indicators, and the reports, which add
 * complementary suppression on top of it). */
#ifndef CBPN_DOMAIN_SUPPRESS_H
#define CBPN_DOMAIN_SUPPRESS_H

#include <stdbool.h>

#include "domain/ctx.h"

/* A count as it may be shown. */
struct shown_count {
    bool suppressed; /* 1..k-1: shown as "fewer than k", never the number */
    int value;       /* the count when not suppressed; 0 when suppressed */
    int k;           /* the threshold it was judged by */
};

/* The deployment's k (the setting suppression.k). */
int suppress_k(const struct ctx *cx);
/* n (>= 0) as it may be shown under k (>= 2). */
struct shown_count suppress_count(int n, int k);

#endif
