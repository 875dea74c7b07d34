/*
 * sitegpt-c: small text and calendar helpers shared by the parsers (HTTP chunk sizes, JSON
 * \u escapes, proxy URL percent-decoding, HTTP and ISO 8601 dates). Inline, so the hot
 * parsers keep them in their loops.
 */
#ifndef SG__ASCII_H
#define SG__ASCII_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The value of one hexadecimal digit (either case), or -1 for any other byte. */
static inline int sg__hex_digit(uint8_t c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    unsigned letter = (unsigned)(c | 0x20u) - 'a'; /* 'A'..'F' and 'a'..'f' alike: 0..5 */
    return letter < 6u ? (int)letter + 10 : -1;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm). */
static inline int64_t sg__days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

#ifdef __cplusplus
}
#endif

#endif
