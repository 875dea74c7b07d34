/* sitegpt-c: Gregorian dates for the ISO 8601 and HTTP-date parsers (no heap, no OS). */
#include <string.h>

#include "internal/sg__date.h"

bool sg__date_scan(const char *text, const char *shape, int *out)
{
    size_t field = 0;
    int value = 0; /* the current run of digits so far */
    for (size_t i = 0; shape[i] != '\0'; i++) {
        if (shape[i] != '0') {
            if (shape[i] != '?' && shape[i] != text[i]) {
                return false;
            }
            continue;
        }
        if (text[i] < '0' || text[i] > '9') {
            return false;
        }
        value = value * 10 + (text[i] - '0');
        if (shape[i + 1] != '0') { /* the run ends: one value */
            out[field++] = value;
            value = 0;
        }
    }
    return true;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm); years
   are shifted by 400 (one era) so every division is of a non-negative number. */
static int32_t days_from_civil(uint32_t y, uint32_t m, uint32_t d)
{
    y += 400u - (m <= 2u);
    uint32_t era = y / 400u;
    uint32_t yoe = y - era * 400u;
    uint32_t doy = (153u * (m > 2u ? m - 3u : m + 9u) + 2u) / 5u + d - 1u;
    uint32_t doe = yoe * 365u + yoe / 4u - yoe / 100u + doy;
    return (int32_t)(era * 146097u + doe) - 146097 - 719468;
}

bool sg__date_to_seconds(const sg__civil *c, int64_t *unix_seconds)
{
    static const uint8_t days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    /* Every field is as sg__date_scan read it: digits only, never negative. */
    uint32_t y = (uint32_t)c->v[0], m = (uint32_t)c->v[1], d = (uint32_t)c->v[2];
    if (m - 1u > 11u || d < 1u || c->v[3] > 23 || c->v[4] > 59 || c->v[5] > 60) {
        return false;
    }
    bool leap = y % 4u == 0 && (y % 100u != 0 || y % 400u == 0);
    if (d > days[m - 1u] + (m == 2u && leap ? 1u : 0u)) {
        return false;
    }
    *unix_seconds = (int64_t)days_from_civil(y, m, d) * 86400 +
                    (int32_t)(c->v[3] * 3600 + c->v[4] * 60 + c->v[5]);
    return true;
}

void sg__date_from_seconds(int64_t unix_seconds, sg__civil *c)
{
    /* 86400 = 2^7 * 675, and seconds < 2^38: a shift and a 32-bit division, no 64-bit one. */
    uint32_t days = (uint32_t)((uint64_t)unix_seconds >> 7) / 675u;
    uint32_t rest = (uint32_t)unix_seconds - days * 86400u;
    /* The inverse of days_from_civil, for days >= 0. */
    uint32_t z = days + 719468u;
    uint32_t era = z / 146097u;
    uint32_t doe = z - era * 146097u;
    uint32_t yoe = (doe - doe / 1460u + doe / 36524u - doe / 146096u) / 365u;
    uint32_t doy = doe - (365u * yoe + yoe / 4u - yoe / 100u);
    uint32_t mp = (5u * doy + 2u) / 153u;
    int m = (int)(mp < 10u ? mp + 3u : mp - 9u);
    c->v[0] = (int)(yoe + era * 400u) + (m <= 2);
    c->v[1] = m;
    c->v[2] = (int)(doy - (153u * mp + 2u) / 5u + 1u);
    c->v[3] = (int)(rest / 3600u);
    c->v[4] = (int)(rest % 3600u / 60u);
    c->v[5] = (int)(rest % 60u);
}
