/* Record-level exports of incidents (API.md: GET /exports/cases.csv, .xlsx,
 * /exports/incident-recorder.xlsx; cbpn export incidents).
 *
 * The de-identified export (ACT_EXPORT_INCIDENTS): one row per incident
 * whose case's latest reporting consent is given and not withdrawn, columns
 * survivor_code,sex,age_band,district,nationality,concerns,gbv_type,
 * screening_result,means_of_control,referrals. survivor_code is a keyed
 * hash of the case id under the data key: stable, not the case code, not
 * reversible without the key. The age band is the survivor's age's (of the
 * case, so that all five values below are the case's). The rows are
 * k-anonymous (k = export.k) on exactly (sex, age_band, district,
 * nationality, concerns): every combination of those five values that is
 * written is shared by the rows of at least k survivors (so by at least k
 * rows; a survivor's several incidents count once, so that they cannot
 * hide her). To get there the five are generalised by one global level
 * each (sex -> *; age band -> under_18/18_plus/unknown -> *; district ->
 * its province -> *; nationality -> KH/other/unknown -> *; concerns -> the
 * groups exploitation_or_migration, violence, child_at_risk, other -> *),
 * the levels chosen with the fewest steps of generalisation (the sum of
 * the five levels) at which at most EXPORT_MAX_WITHHELD of the rows would
 * still be in combinations of fewer survivors (the fewest rows withheld among those
 * with that many steps, then the first in the order sex, age band,
 * district, nationality, concerns, least generalised first); the rows
 * still in combinations smaller than k are left out, and the share of rows
 * left out is stated. Rows are ordered by survivor code.
 *
 * The Incident Recorder workbook (ACT_EXPORT_RECORDER): every incident of
 * the caller's reach, with case codes, for the NGO's own use (not
 * k-anonymised; no names, phones or narratives).
 *
 * Both are audited (AUDIT_EXPORT: the row count, the share withheld, k;
 * nothing of their content). */
#ifndef CBPN_DOMAIN_EXPORT_H
#define CBPN_DOMAIN_EXPORT_H

#include <stddef.h>

#include "domain/ctx.h"
#include "util/buf.h"
#include "util/err.h"

#define EXPORT_MAX_WITHHELD 0.05

enum export_format { EXPORT_CSV, EXPORT_XLSX };

/* Bounds on the incidents' reported_on ("YYYY-MM-DD"; NULL or "": none).
 * A bad date, or from after to, is ERR_VALIDATION (field from or to). */
struct export_query {
    const char *from, *to;
};

struct export_stats {
    int k;
    size_t rows;     /* incidents with reporting consent in the caller's reach */
    size_t withheld; /* left out of them */
    double share;    /* withheld / rows (0 when there are none) */
};

/* The de-identified export into out (CSV: UTF-8 with a byte order mark). */
enum err export_incidents(const struct ctx *cx, const struct export_query *q, enum export_format f,
                          struct buf *out, struct export_stats *st, struct fielderrs *fe);
/* "k=11; withheld=0.0342": the X-K-Anonymity header's value. */
void export_stats_header(const struct export_stats *st, char *out, size_t size);

/* The Incident Recorder workbook (XLSX) into out; *rows its incidents. */
enum err export_recorder(const struct ctx *cx, const struct export_query *q, struct buf *out,
                         size_t *rows, struct fielderrs *fe);

#endif
