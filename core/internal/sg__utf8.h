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
    if (c < 0xC2 || c > 0xF4) {
        return false; /* ASCII, continuation bytes, overlong C0/C1, above U+10FFFF */
    }
    *more = (uint8_t)(1 + (c >= 0xE0) + (c >= 0xF0));
    *lo = c == 0xE0 ? 0xA0 : c == 0xF0 ? 0x90 : 0x80; /* overlongs */
    *hi = c == 0xED ? 0x9F : c == 0xF4 ? 0x8F : 0xBF; /* UTF-16 surrogates, above U+10FFFF */
    return true;
}

#ifdef __cplusplus
}
#endif

#endif /* SG__UTF8_H */
