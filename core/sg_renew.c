/* sitegpt-c: token renewal timing from the server's clock (no calendar, no heap). */
#include <sitegpt/sg_renew.h>
#include <sitegpt/sg_retry.h>

#include <string.h>
#include "internal/sg__date.h"

#define SG_ISO_MIN_YEAR    1970
#define SG_ISO_MAX_SECONDS 253402300799 /* 9999-12-31T23:59:59Z */

/* ------------------------------------------------------------------ ISO 8601 --- */

sg_status sg_iso8601_parse(sg_slice text, int64_t *unix_seconds)
{
    /* "YYYY-MM-DDTHH:MM:SS" then [.fraction] then Z | +HH:MM | -HH:MM */
    if (text.ptr == NULL || unix_seconds == NULL || text.len < 20) {
        return SG_ERR_INVALID_ARG;
    }
    const char *p = text.ptr;
    sg__civil c = {{0}}; /* every field is read by the scan; zeroed for the analysers */
    int64_t at;
    if (!sg__date_scan(p, "0000-00-00?00:00:00", c.v) || (p[10] != 'T' && p[10] != 't') ||
        c.v[0] < SG_ISO_MIN_YEAR || !sg__date_to_seconds(&c, &at)) {
        return SG_ERR_INVALID_ARG;
    }
    size_t i = 19;
    if (p[i] == '.') {
        size_t start = ++i;
        while (i < text.len && p[i] >= '0' && p[i] <= '9') {
            i++;
        }
        if (i == start) {
            return SG_ERR_INVALID_ARG;
        }
    }
    if (i < text.len && (p[i] == 'Z' || p[i] == 'z')) {
        i++;
    } else if (i + 6 <= text.len && (p[i] == '+' || p[i] == '-')) {
        int off[2];
        if (!sg__date_scan(p + i, "?00:00", off) || off[0] > 23 || off[1] > 59) {
            return SG_ERR_INVALID_ARG;
        }
        int32_t offset_s = off[0] * 3600 + off[1] * 60;
        at -= p[i] == '+' ? offset_s : -offset_s;
        i += 6;
    } else {
        return SG_ERR_INVALID_ARG;
    }
    if (i != text.len) {
        return SG_ERR_INVALID_ARG;
    }
    *unix_seconds = at;
    return SG_OK;
}

sg_status sg_iso8601_format(int64_t unix_seconds, char *out, size_t cap)
{
    if (out == NULL || cap < SG_ISO8601_LEN + 1u || unix_seconds < 0 ||
        unix_seconds > SG_ISO_MAX_SECONDS) {
        return SG_ERR_INVALID_ARG;
    }
    sg__civil c;
    sg__date_from_seconds(unix_seconds, &c);
    /* Filled from the right, before the 'Z': each run of '0's takes the next field back. */
    static const char shape[] = "0000-00-00T00:00:00Z";
    memcpy(out, shape, sizeof shape);
    size_t field = 6;
    int x = -1; /* what is left of the field being written; -1 between fields */
    for (size_t i = SG_ISO8601_LEN - 1u; i-- > 0;) {
        if (out[i] != '0') {
            x = -1;
            continue;
        }
        if (x < 0) {
            x = c.v[--field];
        }
        out[i] = (char)('0' + x % 10);
        x /= 10;
    }
    return SG_OK;
}

/* ------------------------------------------------------------------ renewal --- */

sg_status sg_renew_init(sg_renew *r, const sg_platform *platform, uint64_t renew_before_ms)
{
    if (r == NULL || platform == NULL || platform->now_ms == NULL || renew_before_ms == 0 ||
        renew_before_ms > SG_RENEW_MAX_BEFORE_MS) {
        return SG_ERR_INVALID_ARG;
    }
    memset(r, 0, sizeof *r);
    r->platform = platform;
    r->renew_before_ms = renew_before_ms;
    return SG_OK;
}

sg_status sg_renew_observe(sg_renew *r, sg_slice expires_at, sg_slice created_at, sg_slice date)
{
    if (r == NULL || r->platform == NULL) {
        return SG_ERR_INVALID_ARG;
    }
    if (date.ptr == NULL || date.len == 0) {
        return SG_ERR_NOT_FOUND;
    }
    int64_t expires, now, created = 0;
    sg_status st = sg_iso8601_parse(expires_at, &expires);
    if (st == SG_OK) {
        st = sg_http_date_parse(date, &now);
    }
    if (st == SG_OK && created_at.ptr != NULL && created_at.len > 0) {
        st = sg_iso8601_parse(created_at, &created);
    }
    if (st != SG_OK) {
        return st == SG_ERR_UNSUPPORTED ? st : SG_ERR_INVALID_ARG;
    }
    r->_private.known = true;
    r->_private.expires_at_s = expires;
    r->_private.server_date_s = now;
    r->_private.lifetime_s = created > 0 && expires > created ? expires - created : 0;
    r->_private.seen_ms = r->platform->now_ms(r->platform->ctx);
    return SG_OK;
}

void sg_renew_forget(sg_renew *r)
{
    if (r != NULL) {
        r->_private.known = false;
    }
}

sg_status sg_renew_plan_now(const sg_renew *r, sg_renew_plan *out)
{
    if (r == NULL || out == NULL || r->platform == NULL) {
        return SG_ERR_INVALID_ARG;
    }
    memset(out, 0, sizeof *out);
    out->before_ms = r->renew_before_ms;
    if (!r->_private.known) {
        out->action = SG_RENEW_UNKNOWN;
        return SG_OK;
    }
    uint64_t half_life_ms = (uint64_t)r->_private.lifetime_s * 500u; /* 0: lifetime unknown */
    if (half_life_ms > 0 && out->before_ms > half_life_ms) {
        out->before_ms = half_life_ms;
    }
    /* A monotonic clock never runs back; if one does, count no time rather than wrap. */
    uint64_t now = r->platform->now_ms(r->platform->ctx);
    uint64_t elapsed = now >= r->_private.seen_ms ? now - r->_private.seen_ms : 0;
    out->server_now_s = r->_private.server_date_s + (int64_t)(elapsed / 1000u);
    out->expires_at_s = r->_private.expires_at_s;
    int64_t left_at_seen = r->_private.expires_at_s - r->_private.server_date_s;
    uint64_t left = left_at_seen > 0 ? (uint64_t)left_at_seen * 1000u : 0;
    left = left > elapsed ? left - elapsed : 0;
    out->left_ms = left;
    if (left == 0) {
        out->action = SG_RENEW_EXPIRED;
    } else if (left <= out->before_ms) {
        out->action = SG_RENEW_NOW;
    } else {
        out->action = SG_RENEW_LATER;
        out->renew_in_ms = left - out->before_ms;
    }
    return SG_OK;
}
