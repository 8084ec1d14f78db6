#include "auth/password.h"

#include <string.h>

#include <sodium.h>

#include "util/alloc.h"
#include "util/embed.h"
#include "util/utf8.h"

#define COMMON_LIST "data/common_passwords.txt"

static bool affix_char(char c)
{
    return (c >= '0' && c <= '9') || (c >= '!' && c <= '/') || (c >= ':' && c <= '@') ||
           (c >= '[' && c <= '`') || (c >= '{' && c <= '~') || c == ' ';
}

/* Whether s[0..n) is a line of the list (lines are lower case; '#' starts a
 * comment line). The list is a few thousand lines and is read only when a
 * password is set: a scan is enough. */
static bool listed(const char *s, size_t n)
{
    const struct embedded_file *f = embed_find(COMMON_LIST);
    if (f == NULL || n == 0)
        return false;
    const char *p = (const char *)f->data, *end = p + f->len;
    while (p < end) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        size_t len = (size_t)((eol != NULL ? eol : end) - p);
        if (len == n && p[0] != '#' && memcmp(p, s, n) == 0)
            return true;
        p += len + 1;
    }
    return false;
}

static bool all_affix(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!affix_char(s[i]))
            return false;
    return true;
}

/* Whether low (lower case, n bytes) is the username (lower case, un bytes)
 * with only digits and punctuation around it. */
static bool is_username(const char *low, size_t n, const char *user, size_t un)
{
    for (size_t at = 0; un > 0 && at + un <= n; at++)
        if (memcmp(low + at, user, un) == 0 && all_affix(low, at) &&
            all_affix(low + at + un, n - at - un))
            return true;
    return false;
}

enum password_verdict password_judge(const char *username, const char *password)
{
    size_t n = password != NULL ? strlen(password) : 0;
    if (n == 0 || n > PASSWORD_MAX_BYTES || utf8_length(password, n) < PASSWORD_MIN_CHARS)
        return PASSWORD_TOO_SHORT;

    char *low = xstrdup(password);
    for (char *q = low; *q; q++)
        if (*q >= 'A' && *q <= 'Z')
            *q = (char)(*q - 'A' + 'a');
    /* The core: the password without the digits and punctuation around it. */
    size_t a = 0, b = n;
    while (a < b && affix_char(low[a]))
        a++;
    while (b > a && affix_char(low[b - 1]))
        b--;

    enum password_verdict v = PASSWORD_OK;
    char *user = xstrdup(username != NULL ? username : "");
    for (char *q = user; *q; q++)
        if (*q >= 'A' && *q <= 'Z')
            *q = (char)(*q - 'A' + 'a');
    if (is_username(low, n, user, strlen(user)))
        v = PASSWORD_USERNAME;
    else if (listed(low, n) || listed(low + a, b - a))
        v = PASSWORD_COMMON;
    sodium_memzero(low, n);
    free(low);
    free(user);
    return v;
}

const char *password_verdict_message(enum password_verdict v)
{
    switch (v) {
    case PASSWORD_TOO_SHORT:
        return "at least 10 characters";
    case PASSWORD_COMMON:
        return "a common password: choose another";
    case PASSWORD_USERNAME:
        return "the username: choose another";
    case PASSWORD_OK:
        break;
    }
    return "";
}
