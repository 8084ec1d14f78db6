/* Operational log on standard error. Callers pass no personal data: no
 * names, phone numbers, narratives, tokens, passwords or query strings. */
#ifndef CBPN_UTIL_LOG_H
#define CBPN_UTIL_LOG_H

void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Silences log_info (tests). */
void log_quiet(int quiet);

#endif
