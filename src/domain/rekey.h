/* Re-sealing after a key rotation: every sealed value not under the
 * ring's current data key is sealed again under it, online (each value
 * swapped only if it is still what was read, so a concurrent write is
 * never overwritten), and every case key is wrapped again. Values under
 * case keys need nothing: their case key's wrapping is what changes.
 * Append-only tables keep what they hold; the old key stays in the ring
 * to open it. */
#ifndef CBPN_DOMAIN_REKEY_H
#define CBPN_DOMAIN_REKEY_H

#include "domain/ctx.h"

struct rekey_counts {
    long resealed;   /* values sealed again under the current key */
    long rewrapped;  /* case keys wrapped again */
    long current;    /* values and case keys already under it */
    long case_bound; /* values under case keys (nothing to do) */
    long failed;     /* values that did not open (logged by row) */
};

/* Walks every sealed column and the case keys. ERR_OK also when some
 * values failed (counts->failed says); an error of the database stops it. */
enum err rekey_sweep(const struct ctx *cx, struct rekey_counts *counts);

#endif
