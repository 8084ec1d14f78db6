/* Wall-clock time as the API writes it. */
#ifndef CBPN_UTIL_CLOCK_H
#define CBPN_UTIL_CLOCK_H

#include <stdbool.h>
#include <stdint.h>

#define TS_SIZE   25 /* "2026-11-28T21:20:29.123Z" + NUL */
#define DATE_SIZE 11

/* Seconds since the epoch. */
int64_t clock_now(void);
/* Milliseconds from a monotonic clock, for durations. */
int64_t clock_mono_ms(void);
/* Writes t (epoch seconds) as RFC 3339 UTC with milliseconds
 * ("YYYY-MM-DDTHH:MM:SS.000Z") into out[TS_SIZE]. */
void clock_rfc3339(int64_t t, char out[TS_SIZE]);
/* Writes ms (epoch milliseconds) the same way ("…:29.123Z"). */
void clock_rfc3339_ms(int64_t ms, char out[TS_SIZE]);
/* The time of a record being written, in epoch milliseconds: strictly
 * increasing within this process (two records written in the same
 * millisecond get successive values), so "newest first" orders them as
 * they were written; ties across servers fall to the record id. */
int64_t clock_stamp_ms(void);
/* clock_stamp_ms() as RFC 3339 into out[TS_SIZE]. */
void clock_stamp(char out[TS_SIZE]);
/* Today's UTC date "YYYY-MM-DD" into out[DATE_SIZE]. */
void clock_today(char out[DATE_SIZE]);
/* Today's date in Cambodia (UTC+7, no daylight saving), where the network
 * works: what a form offers as today. */
void clock_today_cambodia(char out[DATE_SIZE]);
/* Parses a calendar date "YYYY-MM-DD" (a real day); false otherwise. */
bool clock_parse_date(const char *s, int *year, int *month, int *day);
/* The current UTC year. */
int clock_year(void);

#endif
