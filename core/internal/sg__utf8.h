/*
 * sitegpt-c: UTF-8 lead-byte rules (RFC 3629) shared by the JSON reader and writer, so
 * both refuse the same overlongs, surrogates and out-of-range code points.
 */
#ifndef SG__UTF8_H
#define SG__UTF8_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * For a lead byte >= 0x80: how many continuation bytes follow and the allowed range of the
 * first one (the rest are 0x80..0xBF). False for bytes that can never start a character.
 */
static inline bool sg__utf8_lead(uint8_t c, uint8_t *more, uint8_t *lo, uint8_t *hi)
{
    *lo = 0x80;
    *hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
        *more = 1;
    } else if (c >= 0xE0 && c <= 0xEF) {
        *more = 2;
        if (c == 0xE0) {
            *lo = 0xA0; /* overlong */
        }
        if (c == 0xED) {
            *hi = 0x9F; /* UTF-16 surrogates */
        }
    } else if (c >= 0xF0 && c <= 0xF4) {
        *more = 3;
        if (c == 0xF0) {
            *lo = 0x90; /* overlong */
        }
        if (c == 0xF4) {
            *hi = 0x8F; /* above U+10FFFF */
        }
    } else {
        return false;
    }
    return true;
}

#ifdef __cplusplus
}
#endif

#endif /* SG__UTF8_H */
