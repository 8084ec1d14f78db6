#include <stdio.h>
#include <string.h>

#include "http/http.h"

static const char *const method_names[M__MAX] = {
    [M_GET] = "GET",     [M_HEAD] = "HEAD",     [M_POST] = "POST",       [M_PUT] = "PUT",
    [M_PATCH] = "PATCH", [M_DELETE] = "DELETE", [M_OPTIONS] = "OPTIONS", [M_OTHER] = "OTHER",
};

enum method method_parse(const char *s)
{
    for (int m = 0; m < M_OTHER; m++)
        if (strcmp(s, method_names[m]) == 0)
            return (enum method)m;
    return M_OTHER;
}

/* Matches one pattern against path; params point into path_copy, whose
 * segment separators are overwritten with NULs. */
static bool match(const char *pattern, char *path_copy, const char *params[HTTP_PARAMS_MAX],
                  int *nparams)
{
    const char *p = pattern;
    char *s = path_copy;
    int n = 0;
    while (*p != '\0' && *s != '\0') {
        if (*p != '/' || *s != '/')
            return false;
        p++, s++;
        const char *pend = strchr(p, '/');
        size_t plen = pend ? (size_t)(pend - p) : strlen(p);
        char *send = strchr(s, '/');
        size_t slen = send ? (size_t)(send - s) : strlen(s);
        if (plen > 1 && p[0] == '{' && p[plen - 1] == '}') {
            if (slen == 0 || n == HTTP_PARAMS_MAX)
                return false;
            params[n++] = s;
        } else if (plen != slen || strncmp(p, s, plen) != 0) {
            return false;
        }
        p += plen;
        s += slen;
    }
    if (*p != '\0' || *s != '\0')
        return false;
    /* Terminate the captured segments. */
    for (int i = 0; i < n; i++) {
        char *end = strchr(params[i], '/');
        if (end)
            *end = '\0';
    }
    *nparams = n;
    return true;
}

const struct route *route_match(const struct route *routes, size_t n, enum method method,
                                const char *path, const char *params[HTTP_PARAMS_MAX], int *nparams,
                                bool *path_known)
{
    static _Thread_local char copy[4096];
    *path_known = false;
    *nparams = 0;
    if (strlen(path) >= sizeof(copy))
        return NULL;
    enum method want = method == M_HEAD ? M_GET : method;
    for (size_t i = 0; i < n; i++) {
        strcpy(copy, path);
        const char *tmp[HTTP_PARAMS_MAX];
        int k = 0;
        if (!match(routes[i].pattern, copy, tmp, &k))
            continue;
        *path_known = true;
        if (routes[i].method != want)
            continue;
        for (int j = 0; j < k; j++)
            params[j] = tmp[j];
        *nparams = k;
        return &routes[i];
    }
    return NULL;
}

void route_allowed(const struct route *routes, size_t n, const char *path, char *out, size_t size)
{
    static _Thread_local char copy[4096];
    bool seen[M__MAX] = {false};
    out[0] = '\0';
    if (strlen(path) >= sizeof(copy))
        return;
    for (size_t i = 0; i < n; i++) {
        const char *tmp[HTTP_PARAMS_MAX];
        int k = 0;
        strcpy(copy, path);
        if (match(routes[i].pattern, copy, tmp, &k))
            seen[routes[i].method] = true;
    }
    if (seen[M_GET])
        seen[M_HEAD] = true;
    for (int m = 0; m < M_OTHER; m++) {
        if (!seen[m])
            continue;
        size_t len = strlen(out);
        snprintf(out + len, size - len, "%s%s", len ? ", " : "", method_names[m]);
    }
}
