/* Wall-clock time as the API writes it. */
#ifndef CBPN_UTIL_CLOCK_H
#define CBPN_UTIL_CLOCK_H

#include <stdbool.h>
#include <stdint.h>

#define TS_SIZE   21 /* "2026-11-28T21:20:29Z" + NUL */
#define DATE_SIZE 11

/* Seconds since the epoch. */
int64_t clock_now(void);
/* Milliseconds from a monotonic clock, for durations. */
int64_t clock_mono_ms(void);
/* Writes t as RFC 3339 UTC ("YYYY-MM-DDTHH:MM:SSZ") into out[TS_SIZE]. */
void clock_rfc3339(int64_t t, char out[TS_SIZE]);
/* Parses a calendar date "YYYY-MM-DD" (a real day); false otherwise. */
bool clock_parse_date(const char *s, int *year, int *month, int *day);
/* The current UTC year. */
int clock_year(void);

#endif
