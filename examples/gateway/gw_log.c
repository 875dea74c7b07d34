/* sitegpt-gateway: timestamped, typed event lines on stderr. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "gw_log.h"
#include "internal/sg__utf8.h"

#define GW_LINE_MAX  2048u
#define GW_VALUE_MAX 600u /* one quoted value at most (a URL, a server's message) */

static gw_level min_level = GW_INFO;

static const char *const level_names[] = {"debug", "info", "warn", "error"};

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

/* Length of the valid UTF-8 sequence at s (not a C1 control), 0 when there is none. */
static size_t utf8_printable(const unsigned char *s)
{
    uint8_t more, lo, hi;
    if (!sg__utf8_lead(s[0], &more, &lo, &hi)) {
        return 0;
    }
    if (s[1] < lo || s[1] > hi || (s[0] == 0xC2 && s[1] < 0xA0)) {
        return 0; /* bad continuation, or U+0080..U+009F (C1) */
    }
    for (uint8_t k = 2; k <= more; k++) {
        if (s[k] < 0x80 || s[k] > 0xBF) {
            return 0;
        }
    }
    return (size_t)more + 1u;
}

static size_t escape(const char *s, char *out, size_t cap, bool quote)
{
    static const char hex[] = "0123456789abcdef";
    const size_t tail = 5; /* room kept for "...", the closing quote and the NUL */
    size_t n = 0;
    if (quote) {
        out[n++] = '"';
    }
    const unsigned char *p = (const unsigned char *)(s != NULL ? s : "");
    while (*p != '\0') {
        char piece[8];
        size_t len = 0;
        size_t used = 1;
        unsigned char c = *p;
        if (quote && (c == '"' || c == '\\')) {
            piece[len++] = '\\';
            piece[len++] = (char)c;
        } else if (c == '\n' || c == '\r' || c == '\t') {
            piece[len++] = '\\';
            char letter = 't';
            if (c == '\n') {
                letter = 'n';
            } else if (c == '\r') {
                letter = 'r';
            }
            piece[len++] = letter;
        } else if (c >= 0x20 && c < 0x7f) {
            piece[len++] = (char)c;
        } else if (c >= 0x80 && (used = utf8_printable(p)) > 0) {
            memcpy(piece, p, used);
            len = used;
        } else if (c == 0xC2 && p[1] >= 0x80 && p[1] < 0xA0) {
            piece[0] = '\\'; /* a C1 control, named by its code point */
            piece[1] = 'u';
            piece[2] = '0';
            piece[3] = '0';
            piece[4] = hex[p[1] >> 4];
            piece[5] = hex[p[1] & 0xF];
            len = 6;
            used = 2;
        } else {
            piece[0] = '\\'; /* C0, DEL, a byte that is not UTF-8 */
            piece[1] = 'x';
            piece[2] = hex[c >> 4];
            piece[3] = hex[c & 0xF];
            len = 4;
            used = 1;
        }
        if (n + len + tail > cap) {
            memcpy(out + n, "...", 3);
            n += 3;
            break;
        }
        memcpy(out + n, piece, len);
        n += len;
        p += used;
    }
    if (quote) {
        out[n++] = '"';
    }
    out[n] = '\0';
    return n;
}

size_t gw_log_quote(const char *s, char *out, size_t cap)
{
    return escape(s, out, cap, true);
}

size_t gw_log_escape(const char *s, char *out, size_t cap)
{
    return escape(s, out, cap, false);
}

/* The whole line goes out in one write so lines from a restart never interleave. */
static void emit(const char *line, size_t len)
{
    (void)fwrite(line, 1, len, stderr);
    (void)fflush(stderr);
}

void gw_log_fields(gw_level level, const char *event, const gw_field *fields, size_t count)
{
    if (level < min_level) {
        return;
    }
    char line[GW_LINE_MAX];
    char ts[32];
    char value[GW_VALUE_MAX];
    timestamp(ts, sizeof ts);
    int w = snprintf(line, sizeof line, "%s level=%s event=%s", ts, level_names[level], event);
    size_t len = w > 0 && (size_t)w < sizeof line ? (size_t)w : 0;
    for (size_t i = 0; i < count && len > 0; i++) {
        const gw_field *f = &fields[i];
        if (f->kind == GW_FIELD_STR) {
            (void)gw_log_quote(f->s, value, sizeof value);
        } else if (f->kind == GW_FIELD_INT) {
            (void)snprintf(value, sizeof value, "%" PRId64, f->i);
        } else {
            (void)snprintf(value, sizeof value, "%" PRIu64, f->u);
        }
        w = snprintf(line + len, sizeof line - len, " %s=%s", f->key, value);
        if (w < 0 || (size_t)w >= sizeof line - len - 1u) {
            break; /* a field that does not fit whole is left out, never cut mid-quote */
        }
        len += (size_t)w;
    }
    if (len == 0) {
        return;
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
