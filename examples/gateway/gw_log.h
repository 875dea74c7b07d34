/*
 * sitegpt-gateway: the event log. One event per line on stderr, logfmt style:
 *
 *   2026-11-28T10:00:00.123Z level=info event=check_ok user=usr_1 next_check_s=300
 *
 * Timestamps are UTC with milliseconds (fixed width, so multi-line QR codes stay aligned).
 * Callers never pass a token or a device code: nothing here could tell one apart.
 */
#ifndef GW_LOG_H
#define GW_LOG_H

typedef enum gw_level { GW_DEBUG = 0, GW_INFO, GW_NOTICE, GW_WARN, GW_ERROR } gw_level;

/* Events below min are dropped (--quiet raises it, --verbose lowers it). */
void gw_log_set_level(gw_level min);

/* One line: timestamp, level, event name, then the formatted key=value text (may be ""). */
void gw_log(gw_level level, const char *event, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* A line of pre-rendered text (a QR code row) under the timestamp, always shown. */
void gw_log_raw(const char *text);

#endif /* GW_LOG_H */
