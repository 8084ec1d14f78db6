/* CSV text and XLSX workbooks in memory (sheet.h). */
#include "domain/sheet.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xlsxwriter.h>

#include "util/alloc.h"
#include "util/log.h"

void csv_field(struct buf *b, const char *s, bool first)
{
    if (!first)
        buf_putc(b, ',');
    if (s == NULL)
        return;
    if (strpbrk(s, ",\"\r\n") == NULL) {
        buf_puts(b, s);
        return;
    }
    buf_putc(b, '"');
    for (const char *p = s; *p != '\0'; p++) {
        if (*p == '"')
            buf_putc(b, '"');
        buf_putc(b, *p);
    }
    buf_putc(b, '"');
}

void csv_end(struct buf *b)
{
    buf_put(b, "\r\n", 2);
}

struct xlsx {
    char *path;
    lxw_workbook *wb;
    lxw_worksheet *ws;
    lxw_format *bold;
    bool failed;
};

struct xlsx *xlsx_new(const char *sheet_name)
{
    const char *dir = getenv("TMPDIR");
    if (dir == NULL || dir[0] == '\0')
        dir = "/tmp";
    char *path = xasprintf("%s/cbpn-sheet-XXXXXX.xlsx", dir);
    int fd = mkstemps(path, 5); /* 0600: nobody else reads it meanwhile */
    if (fd < 0) {
        log_error("a spreadsheet: cannot make a file in %s", dir);
        free(path);
        return NULL;
    }
    close(fd);
    lxw_workbook_options opt = {.constant_memory = LXW_TRUE, .tmpdir = (char *)(uintptr_t)dir};
    lxw_workbook *wb = workbook_new_opt(path, &opt);
    lxw_worksheet *ws = wb != NULL ? workbook_add_worksheet(wb, sheet_name) : NULL;
    if (ws == NULL) {
        log_error("a spreadsheet: libxlsxwriter cannot start one");
        if (wb != NULL)
            workbook_close(wb);
        unlink(path);
        free(path);
        return NULL;
    }
    struct xlsx *x = xcalloc(1, sizeof *x);
    x->path = path;
    x->wb = wb;
    x->ws = ws;
    x->bold = workbook_add_format(wb);
    format_set_bold(x->bold);
    return x;
}

static void check(struct xlsx *x, lxw_error e)
{
    if (e != LXW_NO_ERROR)
        x->failed = true;
}

void xlsx_header(struct xlsx *x, const char *const *names, int n)
{
    for (int i = 0; i < n; i++)
        check(x, worksheet_write_string(x->ws, 0, (lxw_col_t)i, names[i], x->bold));
    worksheet_freeze_panes(x->ws, 1, 0);
}

void xlsx_str(struct xlsx *x, uint32_t row, uint16_t col, const char *s)
{
    if (s != NULL && s[0] != '\0')
        check(x, worksheet_write_string(x->ws, row, col, s, NULL));
}

void xlsx_num(struct xlsx *x, uint32_t row, uint16_t col, double v)
{
    check(x, worksheet_write_number(x->ws, row, col, v, NULL));
}

void xlsx_bool(struct xlsx *x, uint32_t row, uint16_t col, bool v)
{
    check(x, worksheet_write_boolean(x->ws, row, col, v, NULL));
}

enum err xlsx_finish(struct xlsx *x, struct buf *out)
{
    enum err e = ERR_OK;
    lxw_error we = workbook_close(x->wb);
    if (we != LXW_NO_ERROR || x->failed) {
        log_error("a spreadsheet: libxlsxwriter failed (%s)", lxw_strerror(we));
        e = ERR_INTERNAL;
    }
    FILE *f = e == ERR_OK ? fopen(x->path, "rb") : NULL;
    if (e == ERR_OK && f == NULL) {
        log_error("a spreadsheet: its file does not open");
        e = ERR_INTERNAL;
    }
    if (f != NULL) {
        char chunk[65536];
        size_t n;
        while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
            buf_put(out, chunk, n);
        if (ferror(f))
            e = ERR_INTERNAL;
        fclose(f);
    }
    unlink(x->path);
    free(x->path);
    free(x);
    return e;
}
