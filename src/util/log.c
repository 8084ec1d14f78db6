#include "util/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <time.h>

#include "util/clock.h"

static int quiet;

void log_quiet(int q)
{
    quiet = q;
}

__attribute__((format(printf, 2, 0))) static void emit(const char *level, const char *fmt,
                                                       va_list ap)
{
    char ts[TS_SIZE];
    char line[1024];
    clock_rfc3339(clock_now(), ts);
    vsnprintf(line, sizeof(line), fmt, ap);
    /* One write per line so threads do not interleave. */
    fprintf(stderr, "%s %s %s\n", ts, level, line);
}

void log_info(const char *fmt, ...)
{
    if (quiet)
        return;
    va_list ap;
    va_start(ap, fmt);
    emit("info", fmt, ap);
    va_end(ap);
}

void log_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    emit("error", fmt, ap);
    va_end(ap);
}
