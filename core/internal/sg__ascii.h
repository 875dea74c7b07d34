/*
 * sitegpt-c: small text helpers shared by the parsers (HTTP chunk sizes, JSON \u escapes,
 * proxy URL percent-decoding). Inline, so the hot parsers keep them in their loops. Dates
 * are in sg__date.h.
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

#ifdef __cplusplus
}
#endif

#endif
