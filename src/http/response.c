#include <string.h>

#include "http/http.h"
#include "util/alloc.h"

void resp_header(struct resp *w, const char *name, const char *value)
{
    if (w->nheaders == (int)(sizeof(w->headers) / sizeof(w->headers[0])))
        return; /* a handler adding this many headers is a bug; keep the answer sane */
    w->headers[w->nheaders].key = xstrdup(name);
    w->headers[w->nheaders].value = xstrdup(value);
    w->nheaders++;
}

void resp_json(struct resp *w, int status, json_t *j)
{
    w->status = status;
    w->content_type = "application/json; charset=utf-8";
    buf_reset(&w->body);
    if (j == NULL)
        return;
    char *s = json_dumps(j, JSON_COMPACT | JSON_REAL_PRECISION(15));
    json_decref(j);
    if (s != NULL) {
        buf_puts(&w->body, s);
        wipe_free(s);
    }
}

void resp_error(struct resp *w, enum err e, const struct fielderrs *fe)
{
    json_t *err = json_pack("{s:s, s:s}", "code", err_code(e), "message", err_message(e));
    if (fe != NULL && fe->n > 0) {
        json_t *fields = json_object();
        for (int i = 0; i < fe->n; i++)
            json_object_set_new(fields, fe->e[i].field, json_string(fe->e[i].message));
        json_object_set_new(err, "fields", fields);
    }
    resp_json(w, err_status(e), json_pack("{s:o}", "error", err));
}

void resp_redirect(struct resp *w, const char *location)
{
    w->status = 303;
    w->content_type = "text/plain; charset=utf-8";
    buf_reset(&w->body);
    /* Only local paths: never send a client elsewhere. */
    if (location == NULL || location[0] != '/' || location[1] == '/' || location[1] == '\\')
        location = "/";
    resp_header(w, "Location", location);
}

void resp_cookie(struct resp *w, const char *name, const char *value, int max_age)
{
    char *c;
    const char *secure = w->secure_cookies ? "; Secure" : "";
    if (max_age < 0)
        c = xasprintf("%s=%s; Path=/; HttpOnly; SameSite=Strict%s", name, value, secure);
    else
        c = xasprintf("%s=%s; Path=/; Max-Age=%d; HttpOnly; SameSite=Strict%s", name,
                      max_age == 0 ? "" : value, max_age, secure);
    resp_header(w, "Set-Cookie", c);
    free(c);
}

void resp_attachment(struct resp *w, const char *content_type, const char *name, struct buf *b)
{
    char disp[96];
    snprintf(disp, sizeof disp, "attachment; filename=\"%s\"", name);
    w->status = 200;
    w->content_type = content_type;
    resp_header(w, "Content-Disposition", disp);
    buf_free(&w->body);
    w->body = *b;
    memset(b, 0, sizeof *b);
}
