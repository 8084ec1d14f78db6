#include "auth/totp.h"

#include <liboath/oath.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"
#include "util/buf.h"
#include "util/log.h"

static pthread_once_t oath_once = PTHREAD_ONCE_INIT;
static bool oath_ok;

static void oath_start(void)
{
    oath_ok = oath_init() == OATH_OK;
    if (!oath_ok)
        log_error("totp: liboath does not start");
}

static bool ready(void)
{
    pthread_once(&oath_once, oath_start);
    return oath_ok;
}

int64_t totp_step(time_t t)
{
    return t < 0 ? 0 : (int64_t)t / TOTP_STEP_SECONDS;
}

bool totp_code(const unsigned char *secret, size_t len, time_t t, char out[TOTP_DIGITS + 1])
{
    out[0] = '\0';
    if (!ready())
        return false;
    return oath_totp_generate((const char *)secret, len, t, TOTP_STEP_SECONDS, 0, TOTP_DIGITS,
                              out) == OATH_OK;
}

bool totp_verify(const unsigned char *secret, size_t len, const char *code, time_t now,
                 int64_t last_step, int64_t *step)
{
    *step = -1;
    if (code == NULL || strlen(code) != TOTP_DIGITS)
        return false;
    for (size_t i = 0; i < TOTP_DIGITS; i++)
        if (code[i] < '0' || code[i] > '9')
            return false;
    int64_t here = totp_step(now);
    bool found = false;
    /* Every step of the window is computed and compared in constant time,
     * whichever matches. */
    for (int64_t d = -TOTP_WINDOW; d <= TOTP_WINDOW; d++) {
        int64_t s = here + d;
        char want[TOTP_DIGITS + 1];
        if (s < 0 || !totp_code(secret, len, (time_t)(s * TOTP_STEP_SECONDS), want))
            continue;
        bool same = sodium_memcmp(want, code, TOTP_DIGITS) == 0;
        sodium_memzero(want, sizeof want);
        if (same && s > last_step && !found) {
            *step = s;
            found = true;
        }
    }
    return found;
}

char *totp_base32(const unsigned char *secret, size_t len)
{
    char *b32 = NULL;
    size_t n = 0;
    if (!ready() || oath_base32_encode((const char *)secret, len, &b32, &n) != OATH_OK)
        return NULL;
    /* Without the '=' padding, as authenticator apps expect. */
    while (n > 0 && b32[n - 1] == '=')
        b32[--n] = '\0';
    char *out = xstrdup(b32);
    sodium_memzero(b32, n);
    free(b32);
    return out;
}

unsigned char *totp_from_base32(const char *b32, size_t *len)
{
    char *out = NULL;
    size_t n = 0;
    *len = 0;
    if (b32 == NULL || !ready() || oath_base32_decode(b32, strlen(b32), &out, &n) != OATH_OK ||
        n == 0) {
        free(out);
        return NULL;
    }
    *len = n;
    return (unsigned char *)out;
}

static void pct(struct buf *b, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            *p == '-' || *p == '.' || *p == '_' || *p == '~')
            buf_printf(b, "%c", *p);
        else
            buf_printf(b, "%%%02X", *p);
    }
}

char *totp_uri(const char *issuer, const char *account, const char *base32)
{
    struct buf b = {0};
    buf_printf(&b, "otpauth://totp/");
    pct(&b, issuer);
    buf_printf(&b, ":");
    pct(&b, account);
    buf_printf(&b, "?secret=%s&issuer=", base32);
    pct(&b, issuer);
    buf_printf(&b, "&algorithm=SHA1&digits=%d&period=%d", TOTP_DIGITS, TOTP_STEP_SECONDS);
    return buf_steal(&b);
}
