/* The client's address behind a reverse proxy. The sign-in limit counts
 * failures per client address; behind nginx every peer is the proxy, so the
 * address the proxy saw is taken from X-Forwarded-For, and only when the
 * peer is a proxy the administrator named (--trusted-proxy). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "http/http.h"
#include "util/alloc.h"

_Static_assert(HTTP_ADDR_MAX == INET6_ADDRSTRLEN, "HTTP_ADDR_MAX is INET6_ADDRSTRLEN");

/* Writes the canonical text of the address s[0..n) into out; false when it
 * is not exactly an IPv4 or IPv6 address. */
static bool addr_canon(const char *s, size_t n, char out[HTTP_ADDR_MAX])
{
    char in[HTTP_ADDR_MAX];
    if (n == 0 || n >= sizeof(in))
        return false;
    memcpy(in, s, n);
    in[n] = '\0';
    struct in_addr a4;
    struct in6_addr a6;
    if (inet_pton(AF_INET, in, &a4) == 1)
        return inet_ntop(AF_INET, &a4, out, HTTP_ADDR_MAX) != NULL;
    if (inet_pton(AF_INET6, in, &a6) != 1)
        return false;
    if (IN6_IS_ADDR_V4MAPPED(&a6)) {
        memcpy(&a4, &a6.s6_addr[12], sizeof(a4));
        return inet_ntop(AF_INET, &a4, out, HTTP_ADDR_MAX) != NULL;
    }
    return inet_ntop(AF_INET6, &a6, out, HTTP_ADDR_MAX) != NULL;
}

static bool is_ows(char c)
{
    return c == ' ' || c == '\t';
}

bool http_proxies_add(struct http_proxies *p, const char *spec, char **errmsg)
{
    struct http_proxies next = *p;
    const char *s = spec;
    for (;;) {
        const char *end = strchr(s, ',');
        size_t n = end != NULL ? (size_t)(end - s) : strlen(s);
        if (next.n == HTTP_PROXIES_MAX) {
            *errmsg = xasprintf("--trusted-proxy: at most %d addresses", HTTP_PROXIES_MAX);
            return false;
        }
        if (!addr_canon(s, n, next.addr[next.n])) {
            *errmsg = xasprintf("--trusted-proxy wants exact IPv4 or IPv6 addresses, "
                                "e.g. 127.0.0.1 or ::1 (one, or a comma list)");
            return false;
        }
        next.n++;
        if (end == NULL)
            break;
        s = end + 1;
    }
    *p = next;
    return true;
}

static bool is_trusted(const struct http_proxies *trusted, const char *addr)
{
    for (int i = 0; i < trusted->n; i++)
        if (strcmp(trusted->addr[i], addr) == 0)
            return true;
    return false;
}

void http_client_addr(const struct http_proxies *trusted, const char *peer, const char *xff,
                      char out[HTTP_ADDR_MAX])
{
    char canon[HTTP_ADDR_MAX];
    if (!addr_canon(peer, strlen(peer), canon)) {
        snprintf(out, HTTP_ADDR_MAX, "%s", peer); /* no address: nothing to compare */
        return;
    }
    snprintf(out, HTTP_ADDR_MAX, "%s", canon);
    if (xff == NULL || !is_trusted(trusted, canon))
        return;
    const char *last = strrchr(xff, ',');
    last = last != NULL ? last + 1 : xff;
    const char *end = last + strlen(last);
    while (is_ows(*last))
        last++;
    while (end > last && is_ows(end[-1]))
        end--;
    if (addr_canon(last, (size_t)(end - last), canon))
        snprintf(out, HTTP_ADDR_MAX, "%s", canon);
}
