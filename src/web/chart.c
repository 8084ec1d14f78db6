/* Server-drawn SVG charts (web/chart.h). */
#include "web/chart.h"

#include <stdio.h>
#include <string.h>

#include "web/html.h"

#define W 360.0 /* the viewBox's width: a phone's */

void chart_format(char *out, size_t size, double v, int decimals, const char *unit)
{
    snprintf(out, size, "%.*f%s", decimals < 0 ? 0 : decimals, v, unit != NULL ? unit : "");
}

static void num(char out[32], double v)
{
    snprintf(out, 32, "%.1f", v);
}

static double scale_top(const struct chart *c, const struct chart_point *p, size_t n)
{
    double top = c->max;
    if (top <= 0)
        for (size_t i = 0; i < n; i++)
            if (!p[i].suppressed && !p[i].absent && p[i].value > top)
                top = p[i].value;
    return top;
}

static bool any_suppressed(const struct chart_point *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i].suppressed)
            return true;
    return false;
}

/* The point's value as shown: its text, the dash, or nothing (suppressed). */
static const char *shown(const struct chart *c, const struct chart_point *p, char out[48])
{
    if (p->suppressed)
        return NULL;
    if (p->absent)
        return c->absent != NULL ? c->absent : "-";
    if (p->text != NULL)
        return p->text;
    chart_format(out, 48, p->value, c->decimals, c->unit);
    return out;
}

static void svg_begin(struct buf *b, const struct chart *c, double height)
{
    char vb[64], hatch[64];
    snprintf(vb, sizeof vb, "0 0 %.0f %.0f", W, height);
    snprintf(hatch, sizeof hatch, "%s-hatch", c->id);
    h_open(b, "figure", "class", "chart", "id", c->id, H_END);
    h_open(b, "svg", "xmlns", "http://www.w3.org/2000/svg", "viewBox", vb, "width", "100%", "role",
           "img", "aria-label", c->title, "preserveAspectRatio", "xMidYMin meet", H_END);
    h_raw(b, "<title>");
    h_text(b, c->title);
    h_raw(b, "</title><defs>");
    h_open(b, "pattern", "id", hatch, "width", "6", "height", "6", "patternUnits", "userSpaceOnUse",
           "patternTransform", "rotate(45)", H_END);
    h_raw(b, "<rect width=\"6\" height=\"6\" fill=\"#e4e1da\"></rect>"
             "<line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#6b6b6b\" stroke-width=\"2\">"
             "</line></pattern></defs>");
}

static void svg_end(struct buf *b, const struct chart *c, const struct chart_point *p, size_t n)
{
    h_raw(b, "</svg>");
    h_raw(b, "<figcaption>");
    h_text(b, c->title);
    h_raw(b, "</figcaption>");
    if (any_suppressed(p, n)) {
        h_raw(b, "<p class=\"legend\"><span class=\"swatch hatch\" aria-hidden=\"true\"></span> ");
        h_text(b, c->suppressed);
        h_raw(b, "</p>");
    }
    h_raw(b, "</figure>");
}

/* The <title> of a point: "label: value" (or the suppressed legend). */
static void point_title(struct buf *b, const struct chart *c, const struct chart_point *p)
{
    char v[48];
    const char *s = shown(c, p, v);
    h_raw(b, "<title>");
    h_text(b, p->title != NULL ? p->title : p->label);
    h_raw(b, ": ");
    h_text(b, s != NULL ? s : c->suppressed);
    h_raw(b, "</title>");
}

static void rect(struct buf *b, double x, double y, double w, double h, const char *cls,
                 const char *fill)
{
    char xs[32], ys[32], ws[32], hs[32];
    num(xs, x);
    num(ys, y);
    num(ws, w);
    num(hs, h);
    h_open(b, "rect", "x", xs, "y", ys, "width", ws, "height", hs, "class", cls, "fill", fill,
           H_END);
    h_raw(b, "</rect>");
}

static void text(struct buf *b, double x, double y, const char *anchor, const char *cls,
                 const char *s)
{
    char xs[32], ys[32];
    num(xs, x);
    num(ys, y);
    h_open(b, "text", "x", xs, "y", ys, "text-anchor", anchor, "class", cls, H_END);
    h_text(b, s);
    h_raw(b, "</text>");
}

void chart_columns(struct buf *b, const struct chart *c, const struct chart_point *p, size_t n)
{
    const double left = 8, right = W - 8, top = 18, base = 176, height = 200;
    double max = scale_top(c, p, n);
    double slot = n > 0 ? (right - left) / (double)n : 0, bw = slot * 0.7;
    char fill[80];
    snprintf(fill, sizeof fill, "url(#%s-hatch)", c->id);

    svg_begin(b, c, height);
    char y1[32];
    num(y1, base);
    h_open(b, "line", "x1", "8", "x2", "352", "y1", y1, "y2", y1, "class", "axis", "stroke",
           "#6b6b6b", H_END);
    h_raw(b, "</line>");
    for (size_t i = 0; i < n; i++) {
        double x = left + slot * (double)i + (slot - bw) / 2, cx = x + bw / 2;
        char v[48];
        const char *s = shown(c, &p[i], v);
        h_raw(b, p[i].suppressed ? "<g class=\"point suppressed\">" : "<g class=\"point\">");
        point_title(b, c, &p[i]);
        if (p[i].suppressed) {
            rect(b, x, base - 20, bw, 20, "hatch", fill);
        } else if (!p[i].absent) {
            double h = max > 0 && p[i].value > 0 ? (base - top) * p[i].value / max : 0;
            if (h > 0)
                rect(b, x, base - h, bw, h, "bar", "#0b5c8e");
            text(b, cx, base - h - 4, "middle", "value", s);
        } else {
            text(b, cx, base - 4, "middle", "value", s);
        }
        text(b, cx, base + 16, "middle", "label", p[i].label);
        h_raw(b, "</g>");
    }
    svg_end(b, c, p, n);
}

void chart_bars(struct buf *b, const struct chart *c, const struct chart_point *p, size_t n)
{
    const double left = 8, row = 38, maxw = 250;
    double max = scale_top(c, p, n), height = 8 + row * (double)n;
    char fill[80];
    snprintf(fill, sizeof fill, "url(#%s-hatch)", c->id);

    svg_begin(b, c, height < 40 ? 40 : height);
    for (size_t i = 0; i < n; i++) {
        double y = 4 + row * (double)i;
        char v[48];
        const char *s = shown(c, &p[i], v);
        h_raw(b, p[i].suppressed ? "<g class=\"point suppressed\">" : "<g class=\"point\">");
        point_title(b, c, &p[i]);
        text(b, left, y + 13, "start", "label", p[i].label);
        if (p[i].suppressed) {
            rect(b, left, y + 18, 24, 14, "hatch", fill);
        } else {
            double w = !p[i].absent && max > 0 && p[i].value > 0 ? maxw * p[i].value / max : 0;
            if (w > 0)
                rect(b, left, y + 18, w, 14, "bar", "#0b5c8e");
            text(b, left + w + 6, y + 30, "start", "value", s);
        }
        h_raw(b, "</g>");
    }
    svg_end(b, c, p, n);
}
