/* sitegpt-c: token renewal timing from the server's clock (no calendar, no heap). */
#include <sitegpt/sg_renew.h>
#include <sitegpt/sg_retry.h>

#include <string.h>
#include "internal/sg__ascii.h"

#define SG_ISO_MIN_YEAR 1970
#define SG_ISO_MAX_YEAR 9999

/* ------------------------------------------------------------------ ISO 8601 --- */

static bool digits(const char *p, size_t n, int *v)
{
    int x = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9') {
            return false;
        }
        x = x * 10 + (p[i] - '0');
    }
    *v = x;
    return true;
}

/* The inverse, for days >= 0 (1970 onwards). */
static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    z += 719468;
    int64_t era = z / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

static int days_in_month(int y, int m)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : days[m - 1];
}

sg_status sg_iso8601_parse(sg_slice text, int64_t *unix_seconds)
{
    /* "YYYY-MM-DDTHH:MM:SS" then [.fraction] then Z | +HH:MM | -HH:MM */
    if (text.ptr == NULL || unix_seconds == NULL || text.len < 20) {
        return SG_ERR_INVALID_ARG;
    }
    const char *p = text.ptr;
    int year, month, day, hh, mm, ss;
    if (!digits(p, 4, &year) || p[4] != '-' || !digits(p + 5, 2, &month) || p[7] != '-' ||
        !digits(p + 8, 2, &day) || (p[10] != 'T' && p[10] != 't') || !digits(p + 11, 2, &hh) ||
        p[13] != ':' || !digits(p + 14, 2, &mm) || p[16] != ':' || !digits(p + 17, 2, &ss)) {
        return SG_ERR_INVALID_ARG;
    }
    if (year < SG_ISO_MIN_YEAR || month < 1 || month > 12 || day < 1 ||
        day > days_in_month(year, month) || hh > 23 || mm > 59 || ss > 60) {
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
    int64_t offset_s = 0;
    if (i < text.len && (p[i] == 'Z' || p[i] == 'z')) {
        i++;
    } else if (i + 6 <= text.len && (p[i] == '+' || p[i] == '-')) {
        int oh, om;
        if (!digits(p + i + 1, 2, &oh) || p[i + 3] != ':' || !digits(p + i + 4, 2, &om) ||
            oh > 23 || om > 59) {
            return SG_ERR_INVALID_ARG;
        }
        offset_s = ((int64_t)oh * 3600 + (int64_t)om * 60) * (p[i] == '+' ? 1 : -1);
        i += 6;
    } else {
        return SG_ERR_INVALID_ARG;
    }
    if (i != text.len) {
        return SG_ERR_INVALID_ARG;
    }
    *unix_seconds = sg__days_from_civil(year, month, day) * 86400 + (int64_t)hh * 3600 +
                    (int64_t)mm * 60 + ss - offset_s;
    return SG_OK;
}

sg_status sg_iso8601_format(int64_t unix_seconds, char *out, size_t cap)
{
    if (out == NULL || cap < SG_ISO8601_LEN + 1u || unix_seconds < 0) {
        return SG_ERR_INVALID_ARG;
    }
    int64_t days = unix_seconds / 86400;
    int64_t rest = unix_seconds % 86400;
    int64_t y;
    int m, d;
    civil_from_days(days, &y, &m, &d);
    if (y > SG_ISO_MAX_YEAR) {
        return SG_ERR_INVALID_ARG;
    }
    int v[6] = {(int)y, m, d, (int)(rest / 3600), (int)(rest % 3600 / 60), (int)(rest % 60)};
    static const char shape[] = "0000-00-00T00:00:00Z";
    static const uint8_t at[6] = {0, 5, 8, 11, 14, 17};
    static const uint8_t width[6] = {4, 2, 2, 2, 2, 2};
    memcpy(out, shape, sizeof shape);
    for (size_t f = 0; f < 6; f++) {
        int x = v[f];
        for (size_t k = width[f]; k > 0; k--) {
            out[at[f] + k - 1] = (char)('0' + x % 10);
            x /= 10;
        }
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
    uint64_t lifetime_ms = (uint64_t)r->_private.lifetime_s * 1000u;
    if (lifetime_ms > 0 && out->before_ms > lifetime_ms / 2u) {
        out->before_ms = lifetime_ms / 2u;
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
