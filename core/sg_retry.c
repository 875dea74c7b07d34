/* sitegpt-c: retry and redirect decisions (no I/O, no clock of its own). */
#include <sitegpt/sg_retry.h>
#include <sitegpt/sg_url.h>

#include <string.h>
#include "internal/sg__date.h"
#include "internal/sg__retry.h"

sg_status sg_retry_classify(bool idempotent, sg_status st, int http_status, sg_retry_reason *out)
{
    if (out == NULL) {
        return SG_ERR_INVALID_ARG;
    }
    *out = SG_RETRY_NONE;
    if (st != SG_OK) {
        /* Failures that say nothing about the request itself; TLS, certificate and framing
           errors would only repeat. One bit per status (all of them are above -32). */
        const uint32_t transient = 1u << -SG_ERR_IO | 1u << -SG_ERR_TIMEOUT | 1u << -SG_ERR_CLOSED |
                                   1u << -SG_ERR_CONNECT | 1u << -SG_ERR_HTTP_TRUNCATED;
        uint32_t bit = (uint32_t)-st;
        if (bit < 32u && (transient >> bit & 1u) != 0 && idempotent) {
            *out = SG_RETRY_CONNECTION;
        }
        return SG_OK;
    }
    if (http_status == 429) {
        *out = SG_RETRY_RATE_LIMITED;
    } else if (http_status >= 500 && http_status <= 599 && idempotent) {
        *out = SG_RETRY_SERVER_ERROR;
    }
    return SG_OK;
}

/* ------------------------------------------------------------------ HTTP dates --- */

#if SG_RETRY_HTTP_DATE

/* The index of the three letters at p in names (count of them), or -1. */
static int name_index(const char *names, size_t count, const char *p)
{
    for (size_t i = 0; i < count; i++) {
        if (memcmp(p, names + i * 3u, 3) == 0) {
            return (int)i;
        }
    }
    return -1;
}

sg_status sg_http_date_parse(sg_slice text, int64_t *unix_seconds)
{
    /* "Sun, 06 Nov 1994 08:49:37 GMT" */
    if (text.ptr == NULL || unix_seconds == NULL || text.len != 29) {
        return SG_ERR_INVALID_ARG;
    }
    const char *p = text.ptr;
    int month = name_index("JanFebMarAprMayJunJulAugSepOctNovDec", 12, p + 8);
    /* read as day, year, hour, minute, second into v[1..5], then put in order */
    sg__civil c = {{0}};
    if (name_index("MonTueWedThuFriSatSun", 7, p) < 0 || month < 0 ||
        !sg__date_scan(p + 3, ", 00 ??? 0000 00:00:00 GMT", c.v + 1)) {
        return SG_ERR_INVALID_ARG;
    }
    c.v[0] = c.v[2];
    c.v[2] = c.v[1];
    c.v[1] = month + 1;
    return sg__date_to_seconds(&c, unix_seconds) ? SG_OK : SG_ERR_INVALID_ARG;
}
#else
sg_status sg_http_date_parse(sg_slice text, int64_t *unix_seconds)
{
    return text.ptr == NULL || unix_seconds == NULL ? SG_ERR_INVALID_ARG : SG_ERR_UNSUPPORTED;
}
#endif

static uint32_t clamp_ms(uint64_t seconds)
{
    return seconds >= UINT32_MAX / 1000u ? UINT32_MAX : (uint32_t)(seconds * 1000u);
}

sg_status sg_retry_after_ms(sg_slice retry_after, sg_slice date, uint32_t *ms)
{
    if (retry_after.ptr == NULL || ms == NULL) {
        return SG_ERR_INVALID_ARG;
    }
    sg_slice v = retry_after;
    while (v.len > 0 && (v.ptr[0] == ' ' || v.ptr[0] == '\t')) {
        v.ptr++;
        v.len--;
    }
    while (v.len > 0 && (v.ptr[v.len - 1] == ' ' || v.ptr[v.len - 1] == '\t')) {
        v.len--;
    }
    if (v.len == 0) {
        return SG_ERR_INVALID_ARG;
    }
    uint64_t secs = 0;
    if (v.ptr[0] >= '0' && v.ptr[0] <= '9') {
        uint32_t delta = 0;
        for (size_t i = 0; i < v.len; i++) {
            if (v.ptr[i] < '0' || v.ptr[i] > '9') {
                return SG_ERR_INVALID_ARG;
            }
            if (delta < UINT32_MAX / 1000u) { /* saturate: past that, clamp_ms says UINT32_MAX */
                delta = delta * 10u + (uint32_t)(v.ptr[i] - '0');
            }
        }
        secs = delta;
    } else {
        int64_t at, now;
        sg_status st = sg_http_date_parse(v, &at);
        if (st != SG_OK) {
            return st;
        }
        if (date.ptr == NULL || date.len == 0) {
            return SG_ERR_NOT_FOUND;
        }
        st = sg_http_date_parse(date, &now);
        if (st != SG_OK) {
            return st;
        }
        secs = at <= now ? 0u : (uint64_t)(at - now);
    }
    *ms = clamp_ms(secs);
    return SG_OK;
}

/* ------------------------------------------------------------------ planning --- */

static uint32_t backoff_ms(const sg_retry_policy *p, const sg_platform *pf, uint32_t retry)
{
    uint32_t base = p->base_backoff_ms ? p->base_backoff_ms : SG_RETRY_DEFAULT_BASE_MS;
    uint32_t cap = p->max_backoff_ms ? p->max_backoff_ms : SG_RETRY_DEFAULT_MAX_BACKOFF_MS;
    uint32_t full = base < cap ? base : cap;
    for (uint32_t i = 1; i < retry && full < cap; i++) {
        full = full > cap / 2u ? cap : full * 2u; /* doubled, never past the cap */
    }
    uint32_t half = full / 2u;
    uint8_t rnd[4];
    if (pf == NULL || pf->random == NULL || pf->random(pf->ctx, rnd, sizeof rnd) != SG_OK) {
        return full;
    }
    uint32_t r =
        (uint32_t)rnd[0] | (uint32_t)rnd[1] << 8 | (uint32_t)rnd[2] << 16 | (uint32_t)rnd[3] << 24;
    return full - half + r % (half + 1u);
}

sg_status sg_retry_next(const sg_retry_policy *policy, sg_retry_state *state,
                        const sg_platform *platform, sg_retry_reason reason, int64_t retry_after_ms,
                        bool *retry, uint32_t *wait_ms)
{
    if (policy == NULL || state == NULL || retry == NULL || wait_ms == NULL) {
        return SG_ERR_INVALID_ARG;
    }
    *retry = false;
    *wait_ms = 0;
    uint32_t max_attempts = policy->max_attempts ? policy->max_attempts : SG_RETRY_DEFAULT_ATTEMPTS;
    uint32_t total =
        policy->max_total_wait_ms ? policy->max_total_wait_ms : SG_RETRY_DEFAULT_TOTAL_WAIT_MS;
    if (reason == SG_RETRY_NONE || state->attempts >= max_attempts) {
        return SG_OK;
    }
    uint32_t wait;
    if (retry_after_ms >= 0) {
        wait = retry_after_ms > (int64_t)UINT32_MAX ? UINT32_MAX : (uint32_t)retry_after_ms;
    } else {
        wait = backoff_ms(policy, platform, state->attempts);
    }
    if (state->waited_ms > total || wait > total - state->waited_ms) {
        return SG_OK; /* waiting that long is the caller's call, not ours: give up now */
    }
    state->waited_ms += wait;
    *wait_ms = wait;
    *retry = true;
    return SG_OK;
}

/* ------------------------------------------------------------------ redirects --- */

bool sg__method_is_safe(const char *method)
{
    return strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
}

bool sg_redirect_is(int http_status)
{
    /* 301, 302, 303, 307 and 308: one bit each from 301 up */
    uint32_t from_301 = (uint32_t)http_status - 301u;
    return from_301 < 8u && (0xC7u >> from_301 & 1u) != 0;
}

sg_status sg_redirect_method(int http_status, const char *method, const char **new_method,
                             bool *keep_body)
{
    if (method == NULL || new_method == NULL || keep_body == NULL || !sg_redirect_is(http_status)) {
        return SG_ERR_INVALID_ARG;
    }
    /* a redirect status: 301 and 302 are the ones below 303 */
    bool to_get = http_status == 303 ? strcmp(method, "HEAD") != 0
                                     : http_status < 303 && strcmp(method, "POST") == 0;
    *new_method = to_get ? "GET" : method;
    *keep_body = !to_get;
    return SG_OK;
}

sg_status sg_redirect_check(const sg_http_origin *from, const sg_http_origin *to,
                            const char *new_method)
{
    if (from == NULL || to == NULL || new_method == NULL || from->host == NULL ||
        to->host == NULL) {
        return SG_ERR_INVALID_ARG;
    }
    if (from->tls && !to->tls) {
        return SG_ERR_HTTP_REDIRECT_DOWNGRADE;
    }
    if (!sg__method_is_safe(new_method) && !sg_url_same_origin(from, to)) {
        return SG_ERR_HTTP_REDIRECT_BODY;
    }
    return SG_OK;
}
