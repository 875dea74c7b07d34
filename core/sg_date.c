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

static const uint8_t k_month_days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

/* The days of month m (0..11) of year y. */
static uint32_t month_days(uint32_t y, uint32_t m)
{
    bool leap = y % 4u == 0 && (y % 100u != 0 || y % 400u == 0);
    return k_month_days[m] + (m == 1u && leap ? 1u : 0u);
}

bool sg__date_to_seconds(const sg__civil *c, int64_t *unix_seconds)
{
    /* Every field is as sg__date_scan read it: digits only, never negative. */
    uint32_t y = (uint32_t)c->v[0], m = (uint32_t)c->v[1], d = (uint32_t)c->v[2];
    if (m - 1u > 11u || d < 1u || c->v[3] > 23 || c->v[4] > 59 || c->v[5] > 60 ||
        d > month_days(y, m - 1u)) {
        return false;
    }
    /* Days since 1970-01-01: 365 a year and one more for each leap year before y, then the
       whole months of y. The leap years are counted up to y - 1 shifted by 400 years (one
       whole cycle, so year 0 needs no negative number); 574 is that count for 1970. */
    uint32_t last = y + 399u;
    uint32_t leaps = last / 4u - last / 100u + last / 400u;
    int32_t days = (int32_t)(365u * y + leaps + d - 1u) - (365 * 1970 + 574);
    for (uint32_t i = 0; i + 1u < m; i++) {
        days += (int32_t)month_days(y, i);
    }
    *unix_seconds = (int64_t)days * 86400 + (int32_t)(c->v[3] * 3600 + c->v[4] * 60 + c->v[5]);
    return true;
}

void sg__date_from_seconds(int64_t unix_seconds, sg__civil *c)
{
    /* 86400 = 2^7 * 675, and seconds < 2^38: a shift and a 32-bit division, no 64-bit one. */
    uint32_t days = (uint32_t)((uint64_t)unix_seconds >> 7) / 675u;
    uint32_t rest = (uint32_t)unix_seconds - days * 86400u;
    /* Whole years from 1970 off the days, then whole months off the rest of the year: at
       most 8030 years and 11 months (the dates formatted are within 1970..9999). */
    uint32_t y = 1970u, m = 0;
    for (uint32_t len; days >= (len = 337u + month_days(y, 1u)); y++) {
        days -= len; /* a year: February, and the 337 days of the other eleven months */
    }
    for (uint32_t len; days >= (len = month_days(y, m)); m++) {
        days -= len;
    }
    c->v[0] = (int)y;
    c->v[1] = (int)m + 1;
    c->v[2] = (int)days + 1;
    c->v[3] = (int)(rest / 3600u);
    c->v[4] = (int)(rest % 3600u / 60u);
    c->v[5] = (int)(rest % 60u);
}
