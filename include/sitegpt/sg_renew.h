/*
 * sitegpt-c: when to renew a token, by the server's clock.
 *
 * A device may boot in 1970 or have its clock jump, so the local calendar is never read.
 * The time left on a token is measured once from one API response, as
 * auth.expiresAt - Date (both the server's words), then carried forward with the
 * platform's monotonic millisecond clock (sg_platform.now_ms; sg_rtos widens a 32-bit
 * tick). sg_renew_plan says "renew now" once less than the renew-before margin is left,
 * else "renew in N ms". No heap, no OS: usable on firmware as on the gateway.
 *
 *   sg_renew r;
 *   sg_renew_init(&r, platform, SG_RENEW_DEFAULT_BEFORE_MS);
 *   sg_renew_observe(&r, expires_at, created_at, date_header);   // after each GET /me
 *   sg_renew_plan_now(&r, &plan);   // plan.action: LATER (plan.renew_in_ms), NOW, EXPIRED
 *
 * The margin in effect is the one asked for, capped at half the token's lifetime
 * (expiresAt - createdAt when the server says createdAt), so a fresh token is always used
 * for half its life before its renewal starts.
 */
#ifndef SG_RENEW_H
#define SG_RENEW_H

#include "sg_base.h"
#include "sg_http.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SG_RENEW_DAY_MS            86400000ull
#define SG_RENEW_DEFAULT_BEFORE_MS (14ull * SG_RENEW_DAY_MS)
#define SG_RENEW_MAX_BEFORE_MS     (365ull * SG_RENEW_DAY_MS) /* the longest token lifetime */
#define SG_ISO8601_LEN             20u                        /* "2027-03-06T12:00:00Z" */

/*
 * RFC 3339 date-time as the API writes it: "2027-03-06T12:00:00Z", optional fraction
 * (".123", dropped), "Z" or an offset "+01:00". Years 1970..9999. SG_ERR_INVALID_ARG for
 * anything else (no date-only forms, no local times: an expiry must name its zone).
 */
SG_NODISCARD sg_status sg_iso8601_parse(sg_slice text, int64_t *unix_seconds);

/* "2027-03-06T12:00:00Z" and a NUL into out (cap >= SG_ISO8601_LEN + 1); years 1970..9999. */
SG_NODISCARD sg_status sg_iso8601_format(int64_t unix_seconds, char *out, size_t cap);

typedef enum sg_renew_action {
    SG_RENEW_UNKNOWN = 0, /* no expiry observed yet (or forgotten after a swap) */
    SG_RENEW_LATER,       /* renew in renew_in_ms */
    SG_RENEW_NOW,         /* less than the margin is left: start the renewal */
    SG_RENEW_EXPIRED      /* the token has expired by the server's clock */
} sg_renew_action;

typedef struct sg_renew {
    const sg_platform *platform; /* now_ms required */
    uint64_t renew_before_ms;    /* as asked */
    /* Private: the library's own state; do not read or write it. */
    struct {
        bool known;
        int64_t expires_at_s;  /* auth.expiresAt */
        int64_t server_date_s; /* the Date of the same response */
        int64_t lifetime_s;    /* expiresAt - createdAt; 0 when unknown */
        uint64_t seen_ms;      /* platform clock when that response was read */
    } _private;
} sg_renew;

typedef struct sg_renew_plan {
    sg_renew_action action;
    uint64_t renew_in_ms; /* LATER: time until NOW; else 0 */
    uint64_t left_ms;     /* time left on the token now (0 once expired) */
    uint64_t before_ms;   /* the margin in effect */
    int64_t server_now_s; /* the server's clock now: Date + time since */
    int64_t expires_at_s;
} sg_renew_plan;

/* renew_before_ms 1..SG_RENEW_MAX_BEFORE_MS; SG_ERR_INVALID_ARG otherwise or without now_ms. */
SG_NODISCARD sg_status sg_renew_init(sg_renew *r, const sg_platform *platform,
                                     uint64_t renew_before_ms);

/*
 * Record one response's auth.expiresAt, auth.createdAt (empty: lifetime unknown) and Date
 * header, at the platform's now. SG_ERR_NOT_FOUND when Date is empty (without the server's
 * clock nothing can be measured), SG_ERR_INVALID_ARG when a value does not parse,
 * SG_ERR_UNSUPPORTED in a build with SG_RETRY_HTTP_DATE 0 (no HTTP-date parser); on any
 * failure the previous observation is kept.
 */
SG_NODISCARD sg_status sg_renew_observe(sg_renew *r, sg_slice expires_at, sg_slice created_at,
                                        sg_slice date);

/* Forget the expiry (a new token is in use until its first observation). */
void sg_renew_forget(sg_renew *r);

/* What to do now. SG_OK with action UNKNOWN before any observation. */
SG_NODISCARD sg_status sg_renew_plan_now(const sg_renew *r, sg_renew_plan *out);

#ifdef __cplusplus
}
#endif

#endif /* SG_RENEW_H */
