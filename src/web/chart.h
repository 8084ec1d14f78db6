/* Charts drawn on the server as inline SVG through the escaping HTML writer
 * (web/html.h): no JavaScript, no library. Each chart is a <figure> holding
 * an <svg> (role="img", an aria-label and a <title>, a viewBox and width
 * 100% so that it reads at 360 px and prints at A4) and, when a point is
 * suppressed, a legend. A suppressed point is drawn as a hatched marker of
 * fixed size, never as its number or a length that would tell it; an
 * absent one as nothing but its dash. Text inherits the page's font (the
 * Khmer one). */
#ifndef CBPN_WEB_CHART_H
#define CBPN_WEB_CHART_H

#include <stdbool.h>
#include <stddef.h>

#include "util/buf.h"

struct chart_point {
    const char *label; /* the axis label (short) */
    const char *title; /* its full name for the point's <title> (NULL: label) */
    bool suppressed, absent;
    double value;
    const char *text; /* the value as shown (NULL: value formatted) */
};

struct chart {
    const char *id;         /* element id; the hatch pattern's id is id + "-hatch" */
    const char *title;      /* the accessible name, also the figure's caption */
    const char *suppressed; /* the legend of a suppressed point */
    const char *absent;     /* the text of an absent point ("—") */
    const char *unit;       /* appended to formatted values (" %"), NULL: none */
    int decimals;           /* of formatted values */
    double max;             /* the scale's top; 0: the largest value */
};

/* Vertical bars, one per point (the months of a year). */
void chart_columns(struct buf *b, const struct chart *c, const struct chart_point *p, size_t n);
/* Horizontal bars, one row per point, its label above the bar (areas; the
 * referral funnel). */
void chart_bars(struct buf *b, const struct chart *c, const struct chart_point *p, size_t n);
/* v with decimals and unit ("12", "37.5 %"), into out. */
void chart_format(char *out, size_t size, double v, int decimals, const char *unit);

#endif
