#include "util/clock.h"

#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

int64_t clock_now(void)
{
    return (int64_t)time(NULL);
}

int64_t clock_mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void clock_rfc3339_ms(int64_t ms, char out[TS_SIZE])
{
    int64_t secs = ms >= 0 ? ms / 1000 : (ms - 999) / 1000;
    int frac = (int)(ms - secs * 1000);
    time_t tt = (time_t)secs;
    struct tm tm;
    char base[TS_SIZE];
    gmtime_r(&tt, &tm);
    strftime(base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out, TS_SIZE, "%.19s.%03dZ", base, frac);
}

void clock_rfc3339(int64_t t, char out[TS_SIZE])
{
    clock_rfc3339_ms(t * 1000, out);
}

int64_t clock_stamp_ms(void)
{
    static _Atomic int64_t last;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    int64_t now = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
    int64_t prev = atomic_load(&last);
    int64_t next;
    do {
        next = now > prev ? now : prev + 1;
    } while (!atomic_compare_exchange_weak(&last, &prev, next));
    return next;
}

void clock_stamp(char out[TS_SIZE])
{
    clock_rfc3339_ms(clock_stamp_ms(), out);
}

void clock_today(char out[DATE_SIZE])
{
    time_t tt = time(NULL);
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(out, DATE_SIZE, "%Y-%m-%d", &tm);
}

void clock_today_cambodia(char out[DATE_SIZE])
{
    char ts[TS_SIZE];
    clock_rfc3339(clock_now() + 7 * 3600, ts);
    snprintf(out, DATE_SIZE, "%.10s", ts);
}

static bool leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

bool clock_parse_date(const char *s, int *year, int *month, int *day)
{
    static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (s == NULL || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return false;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
            return false;
    int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    int m = (s[5] - '0') * 10 + (s[6] - '0');
    int d = (s[8] - '0') * 10 + (s[9] - '0');
    if (y < 1900 || m < 1 || m > 12 || d < 1)
        return false;
    int md = mdays[m - 1] + (m == 2 && leap(y) ? 1 : 0);
    if (d > md)
        return false;
    if (year)
        *year = y;
    if (month)
        *month = m;
    if (day)
        *day = d;
    return true;
}

int clock_year(void)
{
    time_t tt = time(NULL);
    struct tm tm;
    gmtime_r(&tt, &tm);
    return tm.tm_year + 1900;
}
