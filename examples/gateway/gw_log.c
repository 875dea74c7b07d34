/* sitegpt-gateway: timestamped event lines on stderr. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "gw_log.h"

static gw_level min_level = GW_INFO;

static const char *const level_names[] = {"debug", "info", "notice", "warn", "error"};

void gw_log_set_level(gw_level min)
{
    min_level = min;
}

/* "2026-11-28T10:00:00.123Z": 24 characters, always. */
static void timestamp(char *out, size_t cap)
{
    struct timespec ts;
    struct tm tm;
    if (clock_gettime(CLOCK_REALTIME, &ts) != 0 || gmtime_r(&ts.tv_sec, &tm) == NULL) {
        (void)snprintf(out, cap, "0000-00-00T00:00:00.000Z");
        return;
    }
    char date[24];
    (void)strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S", &tm);
    unsigned ms = (unsigned)(ts.tv_nsec / 1000000L) % 1000u;
    (void)snprintf(out, cap, "%.19s.%03uZ", date, ms);
}

/* The whole line goes out in one write so lines from a restart never interleave. */
static void emit(const char *line, size_t len)
{
    (void)fwrite(line, 1, len, stderr);
    (void)fflush(stderr);
}

void gw_log(gw_level level, const char *event, const char *fmt, ...)
{
    if (level < min_level) {
        return;
    }
    char line[1024];
    char ts[32];
    timestamp(ts, sizeof ts);
    int n = snprintf(line, sizeof line, "%s level=%s event=%s", ts, level_names[level], event);
    if (n < 0) {
        return;
    }
    size_t len = (size_t)n < sizeof line ? (size_t)n : sizeof line - 1;
    if (fmt != NULL && fmt[0] != '\0' && len + 1 < sizeof line) {
        line[len++] = ' ';
        va_list ap;
        va_start(ap, fmt);
        int m = vsnprintf(line + len, sizeof line - len, fmt, ap);
        va_end(ap);
        if (m > 0) {
            len += (size_t)m < sizeof line - len ? (size_t)m : sizeof line - len - 1;
        }
    }
    /* A value holding a newline would forge a second event: flatten it. */
    for (size_t i = 0; i < len; i++) {
        if (line[i] == '\n' || line[i] == '\r') {
            line[i] = ' ';
        }
    }
    if (len + 1 >= sizeof line) {
        len = sizeof line - 2;
    }
    line[len++] = '\n';
    emit(line, len);
}

void gw_log_raw(const char *text)
{
    char line[1024];
    char ts[32];
    timestamp(ts, sizeof ts);
    int n = snprintf(line, sizeof line, "%s %s\n", ts, text);
    if (n <= 0) {
        return;
    }
    size_t len = (size_t)n;
    if (len >= sizeof line) { /* cut: keep the line ending */
        len = sizeof line - 1;
        line[len - 1] = '\n';
    }
    emit(line, len);
}
