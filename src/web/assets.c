/* GET /assets/{name}: the built-in stylesheet and script (assets/), which
 * may be cached: their URLs carry a version that changes with the content. */
#include "web/page.h"

#include <stdio.h>
#include <string.h>

#include "util/embed.h"

static const struct {
    const char *ext;
    const char *type;
} asset_types[] = {
    {".css", "text/css; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".svg", "image/svg+xml"},
    {".png", "image/png"},
    {".ico", "image/x-icon"},
    {".txt", "text/plain; charset=utf-8"},
};

/* Only plain file names: letters, digits, '-', '_' and one inner '.'. */
static bool asset_name_ok(const char *name)
{
    size_t n = strlen(name);
    int dots = 0;
    if (n == 0 || n > 48 || name[0] == '.')
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        if (c == '.')
            dots++;
        else if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                   c == '-' || c == '_'))
            return false;
    }
    return dots == 1;
}

void web_asset(struct req *r, struct resp *w)
{
    const char *name = r->nparams > 0 ? r->params[0] : "";
    const char *type = NULL;
    char path[64];

    if (!asset_name_ok(name)) {
        page_fail(r, w, ERR_NOT_FOUND);
        return;
    }
    const char *ext = strrchr(name, '.');
    for (size_t i = 0; i < sizeof asset_types / sizeof asset_types[0]; i++)
        if (strcmp(ext, asset_types[i].ext) == 0)
            type = asset_types[i].type;
    snprintf(path, sizeof path, "assets/%s", name);
    const struct embedded_file *f = type != NULL ? embed_find(path) : NULL;
    if (f == NULL) {
        page_fail(r, w, ERR_NOT_FOUND);
        return;
    }
    w->status = 200;
    w->content_type = type;
    w->cacheable = true;
    buf_put(&w->body, (const char *)f->data, f->len);
}
