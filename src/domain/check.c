#include "domain/check.h"

#include <string.h>

#include "util/utf8.h"

const char *check_user_id(const struct ctx *cx)
{
    return cx->actor != NULL ? cx->actor->user.id : "";
}

bool check_absent(const char *s)
{
    return s == NULL || s[0] == '\0';
}

bool check_text(const char *s, size_t min_chars, size_t max_chars)
{
    if (s == NULL)
        return min_chars == 0;
    size_t n = strlen(s);
    if (n > max_chars * 4 || !utf8_valid_text(s, n))
        return false;
    size_t chars = utf8_length(s, n);
    if (chars < min_chars || chars > max_chars)
        return false;
    /* Required text must say something: not only spaces, tabs or newlines. */
    if (min_chars > 0 && strspn(s, " \t\r\n") == n)
        return false;
    return true;
}

bool check_id(const char *s)
{
    if (s == NULL)
        return false;
    size_t n = strlen(s);
    if (n == 0 || n >= ID_SIZE)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9')))
            return false;
    return true;
}

bool check_phone(const char *s)
{
    size_t n = s != NULL ? strlen(s) : 0;
    int digits = 0;
    if (n == 0 || n > PHONE_MAX_CHARS)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (s[i] >= '0' && s[i] <= '9')
            digits++;
        else if (!(s[i] == '+' && i == 0) && s[i] != ' ' && s[i] != '-')
            return false;
    }
    return digits >= 3;
}

bool check_iso2(const char *s)
{
    return s != NULL && strlen(s) == 2 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z';
}

int check_code(const char *const *codes, int n, const char *s)
{
    for (int i = 0; s != NULL && i < n; i++)
        if (strcmp(codes[i], s) == 0)
            return i;
    return -1;
}
