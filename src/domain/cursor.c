/* Cursors of lists ordered by date (domain/cursor.h). */
#include "domain/cursor.h"

#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "domain/check.h"

void cursor_dated_encode(const char *date, const char *created_at, const char *id,
                         char out[CURSOR_SIZE])
{
    char raw[DATE_SIZE + TS_SIZE + ID_SIZE + 2];
    int n = snprintf(raw, sizeof raw, "%s/%s/%s", date, created_at, id);
    sodium_bin2base64(out, CURSOR_SIZE, (const unsigned char *)raw, (size_t)n,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

bool cursor_dated_decode(const char *cur, char date[DATE_SIZE], char created_at[TS_SIZE],
                         char id_out[ID_SIZE])
{
    unsigned char raw[DATE_SIZE + TS_SIZE + ID_SIZE + 2];
    size_t n = 0;
    if (strlen(cur) >= CURSOR_SIZE ||
        sodium_base642bin(raw, sizeof raw - 1, cur, strlen(cur), NULL, &n, NULL,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0)
        return false;
    raw[n] = '\0';
    const char *s = (const char *)raw;
    /* date (10) '/' time stamp (24) '/' id */
    if (n < DATE_SIZE + TS_SIZE || s[DATE_SIZE - 1] != '/' || s[DATE_SIZE + TS_SIZE - 1] != '/')
        return false;
    const char *id = s + DATE_SIZE + TS_SIZE;
    if (!check_id(id) || strlen(id) != n - (size_t)(id - s))
        return false;
    memcpy(date, s, DATE_SIZE - 1);
    date[DATE_SIZE - 1] = '\0';
    memcpy(created_at, s + DATE_SIZE, TS_SIZE - 1);
    created_at[TS_SIZE - 1] = '\0';
    if (!clock_parse_date(date, NULL, NULL, NULL))
        return false;
    memcpy(id_out, id, strlen(id) + 1); /* check_id: < ID_SIZE */
    return true;
}
