/*
 * sitegpt-gateway: the event log. One event per line on stderr, logfmt style:
 *
 *   2026-11-28T10:00:00.123Z level=info event=check_ok user="usr_1" next_check_s=300
 *
 * Timestamps are UTC with milliseconds (fixed width, so multi-line QR codes stay aligned).
 * Fields are typed: every string value is written quoted, with '"', '\' and every control
 * byte (C0, DEL, C1) or invalid UTF-8 byte escaped (\" \\ \n \r \t \xHH \u00HH), so a
 * value a server sent can never close its quotes, add a field or start a line.
 * Callers never pass a token or a device code: nothing here could tell one apart.
 */
#ifndef GW_LOG_H
#define GW_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum gw_level { GW_DEBUG = 0, GW_INFO, GW_WARN, GW_ERROR } gw_level;

typedef enum gw_field_kind { GW_FIELD_STR, GW_FIELD_INT, GW_FIELD_UINT } gw_field_kind;

typedef struct gw_field {
    const char *key; /* a literal of ours: [a-z_]+ */
    gw_field_kind kind;
    const char *s; /* STR: any text, NULL writes "" */
    int64_t i;
    uint64_t u;
} gw_field;

#define GW_S(k, v)                   \
    {                                \
        (k), GW_FIELD_STR, (v), 0, 0 \
    }
#define GW_I(k, v)                               \
    {                                            \
        (k), GW_FIELD_INT, NULL, (int64_t)(v), 0 \
    }
#define GW_U(k, v)                                 \
    {                                              \
        (k), GW_FIELD_UINT, NULL, 0, (uint64_t)(v) \
    }

/* Events below min are dropped (--quiet raises it, --verbose lowers it). */
void gw_log_set_level(gw_level min);

/* One line: timestamp, level, event name (a literal of ours), then the fields in order. */
void gw_log_fields(gw_level level, const char *event, const gw_field *fields, size_t count);

#define GW_LOG(level, event, ...)                                                              \
    do {                                                                                       \
        const gw_field gw_fields_[] = {__VA_ARGS__};                                           \
        gw_log_fields((level), (event), gw_fields_, sizeof gw_fields_ / sizeof gw_fields_[0]); \
    } while (0)
#define GW_LOG0(level, event) gw_log_fields((level), (event), NULL, 0)

/*
 * s as a quoted, escaped value ("..." with the escapes above) into out, always
 * NUL-terminated and closed; a value that does not fit ends in "..." inside the quotes.
 * cap must be at least 8. Returns the length written.
 */
size_t gw_log_quote(const char *s, char *out, size_t cap);

/* The same escapes without the quotes (a '"' or '\' stays as it is): text for a terminal. */
size_t gw_log_escape(const char *s, char *out, size_t cap);

/* A line of pre-rendered text of ours (a QR code row) under the timestamp, always shown. */
void gw_log_raw(const char *text);

#endif /* GW_LOG_H */
