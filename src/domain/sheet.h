/* Spreadsheets leaving the system: CSV text (UTF-8 with a byte order mark,
 * RFC 4180) and XLSX workbooks (libxlsxwriter), built in memory for the
 * indicator spreadsheets and the incident exports. */
#ifndef CBPN_DOMAIN_SHEET_H
#define CBPN_DOMAIN_SHEET_H

#include <stdbool.h>
#include <stdint.h>

#include "util/buf.h"
#include "util/err.h"

#define CSV_BOM "\xEF\xBB\xBF"

/* Appends one CSV field (quoted when it holds a comma, a double quote, CR
 * or LF; quotes doubled), preceded by a comma unless first. */
void csv_field(struct buf *b, const char *s, bool first);
/* Ends a CSV record (CRLF). */
void csv_end(struct buf *b);

/* A workbook of one sheet, written row by row (rows and, within a row,
 * columns in ascending order: libxlsxwriter's constant-memory mode). It
 * lives in a file of the temporary folder (TMPDIR, else /tmp: the folder
 * the server's sandbox lets it write), removed by xlsx_finish: libxlsxwriter
 * 1.1.4 cannot write to memory. */
struct xlsx;
/* NULL (logged) when the file cannot be made. */
struct xlsx *xlsx_new(const char *sheet_name);
/* The header row (row 0): bold. */
void xlsx_header(struct xlsx *x, const char *const *names, int n);
void xlsx_str(struct xlsx *x, uint32_t row, uint16_t col, const char *s); /* NULL or "": nothing */
void xlsx_num(struct xlsx *x, uint32_t row, uint16_t col, double v);
void xlsx_bool(struct xlsx *x, uint32_t row, uint16_t col, bool v);
/* Closes the workbook, appends its bytes to out, removes the file and frees
 * x (also on failure: ERR_INTERNAL, logged). */
enum err xlsx_finish(struct xlsx *x, struct buf *out);

#endif
