/*
 * libFuzzer target for Retry-After, IMF-fixdates and the retry planner. The input is cut at
 * its first '\n' into a Retry-After value and a Date value. Properties:
 *   - delta-seconds: the result is the value the digits say, in ms, saturated at UINT32_MAX
 *     (a plain oracle here);
 *   - a date that parses is one glibc's strptime + timegm read as the same second;
 *   - every second from 1970 to 9999 printed by gmtime + strftime parses back to itself;
 *   - a date form is the difference of the two dates, 0 when in the past, saturated;
 *   - the planner never waits more than its total cap, never retries more than its
 *     attempts allow, and a backoff stays within [d/2, d].
 */
#define _GNU_SOURCE /* timegm */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sitegpt/sg_retry.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static sg_status fixed_random(void *ctx, uint8_t *out, size_t len)
{
    uint64_t *x = ctx;
    for (size_t i = 0; i < len; i++) {
        *x ^= *x << 13;
        *x ^= *x >> 7;
        *x ^= *x << 17;
        out[i] = (uint8_t)*x;
    }
    return SG_OK;
}

static uint64_t no_clock(void *ctx)
{
    (void)ctx;
    return 0;
}

/* Seconds of an IMF-fixdate by strptime/timegm, false when glibc does not read it whole. */
static bool libc_date(sg_slice s, int64_t *out)
{
    char buf[64];
    if (s.len >= sizeof buf || memchr(s.ptr, '\0', s.len) != NULL) {
        return false;
    }
    memcpy(buf, s.ptr, s.len);
    buf[s.len] = '\0';
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    const char *end = strptime(buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    if (end == NULL || *end != '\0') {
        return false;
    }
    *out = (int64_t)timegm(&tm);
    return true;
}

static void check_date(sg_slice s)
{
    int64_t ours = 0, theirs = 0;
    sg_status st = sg_http_date_parse(s, &ours);
    if (st == SG_OK) {
        if (!libc_date(s, &theirs) || ours != theirs) {
            abort();
        }
    } else if (st != SG_ERR_INVALID_ARG) {
        abort();
    }
}

static void check_date_round_trip(uint64_t x)
{
    int64_t t = (int64_t)(x % 253402300800ull); /* up to 9999-12-31T23:59:59Z */
    time_t tt = (time_t)t;
    struct tm tm;
    char buf[64];
    if (gmtime_r(&tt, &tm) == NULL) {
        abort();
    }
    size_t n = strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    sg_slice s = {buf, n};
    int64_t back = -1;
    if (n != 29 || sg_http_date_parse(s, &back) != SG_OK || back != t) {
        abort();
    }
}

static uint32_t sat_ms(uint64_t secs, bool overflow)
{
    return overflow || secs >= UINT32_MAX / 1000u ? UINT32_MAX : (uint32_t)(secs * 1000u);
}

static void check_retry_after(sg_slice ra, sg_slice date)
{
    uint32_t ms = 12345;
    sg_status st = sg_retry_after_ms(ra, date, &ms);
    /* trim as the header value may carry blanks */
    sg_slice v = ra;
    while (v.len > 0 && (v.ptr[0] == ' ' || v.ptr[0] == '\t')) {
        v.ptr++, v.len--;
    }
    while (v.len > 0 && (v.ptr[v.len - 1] == ' ' || v.ptr[v.len - 1] == '\t')) {
        v.len--;
    }
    bool digits = v.len > 0;
    uint64_t secs = 0;
    bool overflow = false;
    for (size_t i = 0; i < v.len; i++) {
        if (v.ptr[i] < '0' || v.ptr[i] > '9') {
            digits = false;
            break;
        }
        if (secs > (UINT64_MAX - 9) / 10) {
            overflow = true;
        }
        secs = secs * 10 + (uint64_t)(v.ptr[i] - '0');
    }
    if (digits) {
        if (st != SG_OK || ms != sat_ms(secs, overflow)) {
            abort();
        }
        return;
    }
    int64_t at, now;
    if (sg_http_date_parse(v, &at) != SG_OK) {
        if (st == SG_OK) {
            abort();
        }
        return;
    }
    if (date.len == 0) {
        if (st != SG_ERR_NOT_FOUND) {
            abort();
        }
        return;
    }
    if (sg_http_date_parse(date, &now) != SG_OK) {
        if (st == SG_OK) {
            abort();
        }
        return;
    }
    uint32_t want = at <= now ? 0u : sat_ms((uint64_t)(at - now), false);
    if (st != SG_OK || ms != want) {
        abort();
    }
}

static void check_planner(const uint8_t *p, size_t n)
{
    if (n < 12) {
        return;
    }
    sg_retry_policy pol = {
        .max_attempts = p[0] % 10,
        .base_backoff_ms = (uint32_t)p[1] * 100u,
        .max_backoff_ms = (uint32_t)p[2] * 1000u,
        .max_total_wait_ms = (uint32_t)(p[3] | p[4] << 8) * 10u,
    };
    uint32_t attempts = pol.max_attempts ? pol.max_attempts : SG_RETRY_DEFAULT_ATTEMPTS;
    uint32_t base = pol.base_backoff_ms ? pol.base_backoff_ms : SG_RETRY_DEFAULT_BASE_MS;
    uint32_t cap = pol.max_backoff_ms ? pol.max_backoff_ms : SG_RETRY_DEFAULT_MAX_BACKOFF_MS;
    uint32_t total = pol.max_total_wait_ms ? pol.max_total_wait_ms : SG_RETRY_DEFAULT_TOTAL_WAIT_MS;
    uint64_t rng = 0x9e3779b97f4a7c15ull ^ p[5];
    sg_platform pf = {.ctx = &rng, .now_ms = no_clock, .random = fixed_random};
    sg_retry_state state = {0, 0};
    uint64_t sum = 0;
    for (size_t i = 6; i < n && i < 40; i++) {
        state.attempts++;
        sg_retry_reason reason = (sg_retry_reason)(p[i] % 4);
        int64_t after = (p[i] & 0x80) ? (int64_t)(p[i] & 0x3f) * 997 : -1;
        bool retry = true;
        uint32_t wait = 7;
        if (sg_retry_next(&pol, &state, &pf, reason, after, &retry, &wait) != SG_OK) {
            abort();
        }
        if (!retry) {
            if (wait != 0 && wait != 7) {
                abort(); /* nothing to wait for a final attempt */
            }
            break;
        }
        if (reason == SG_RETRY_NONE || state.attempts >= attempts) {
            abort();
        }
        sum += wait;
        if (state.waited_ms != sum || sum > total) {
            abort();
        }
        if (after < 0) {
            uint64_t d = base;
            for (uint32_t r = 1; r < state.attempts && d < cap; r++) {
                d *= 2;
            }
            if (d > cap) {
                d = cap;
            }
            if (wait > d || wait < d - d / 2) {
                abort();
            }
        } else if (wait != (uint32_t)after) {
            abort();
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 256) {
        return 0;
    }
    const char *s = (const char *)data;
    const char *nl = memchr(s, '\n', size);
    sg_slice ra = {s, nl ? (size_t)(nl - s) : size};
    sg_slice date = {nl ? nl + 1 : s + size, nl ? size - ra.len - 1 : 0};

    check_date(ra);
    check_date(date);
    check_retry_after(ra, date);

    uint64_t x = 0;
    for (size_t i = 0; i < size && i < 8; i++) {
        x = x << 8 | data[i];
    }
    check_date_round_trip(x);
    check_planner(data, size);
    return 0;
}
