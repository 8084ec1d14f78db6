/* The indicators as spreadsheets (API.md: GET /reports/indicators.csv,
 * .xlsx; cbpn report --format csv|xlsx): one row per indicator's total
 * (dimension and category empty) and per breakdown cell, columns
 * code,dimension,category,value,suppressed; a suppressed or absent figure
 * has no value. */
#ifndef CBPN_DOMAIN_REPORT_OUT_H
#define CBPN_DOMAIN_REPORT_OUT_H

#include <stdbool.h>

#include <jansson.h>

#include "domain/report.h"
#include "util/buf.h"

/* CSV in UTF-8 with a byte order mark, CRLF line ends; percentages and
 * means with one decimal. */
void report_csv(const struct report *r, struct buf *out);
/* XLSX: the same columns, values as numbers, suppressed as booleans, and a
 * sixth column label (the indicator's label on its total row, the
 * category's on a cell) in lang. ERR_INTERNAL when the workbook cannot be
 * written. */
enum err report_xlsx(const struct report *r, enum lang lang, struct buf *out);

/* The report as API.md's answer of GET /reports/indicators (new
 * reference): {"from","to","k","indicators":[{"code","value" or null,
 * "suppressed","breakdown"?:{"<dimension>":{"<code>":{"value" or null,
 * "suppressed"}}}}]}; counts as integers, the rest with one decimal. */
json_t *report_json(const struct report *r);

/* The report of q as a spreadsheet (csv true: CSV, else XLSX) into out,
 * audited (AUDIT_EXPORT, record type indicators, the format and period).
 * Errors as report_indicators'. */
enum err report_sheet(const struct ctx *cx, const struct report_query *q, bool csv, enum lang lang,
                      struct buf *out, struct fielderrs *fe);

#endif
