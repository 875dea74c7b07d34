/* Terminal-safe text (see ex_term.h). */
#include "ex_term.h"

#include <string.h>

#include "internal/sg__utf8.h"

/* Length of the valid UTF-8 character at s[0..len) (1..4), or 0 when it is not one. */
static size_t utf8_char(const unsigned char *s, size_t len)
{
    uint8_t more, lo, hi;
    if (s[0] < 0x80) {
        return 1;
    }
    if (!sg__utf8_lead(s[0], &more, &lo, &hi) || len <= more) {
        return 0;
    }
    for (uint8_t k = 1; k <= more; k++) {
        if (s[k] < lo || s[k] > hi) {
            return 0;
        }
        lo = 0x80;
        hi = 0xBF;
    }
    return (size_t)more + 1;
}

size_t ex_term_escape(const char *s, size_t len, char *out, size_t cap)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *u = (const unsigned char *)s;
    size_t used = 0;
    size_t starts[4] = {0, 0, 0, 0}; /* where the last pieces began, to cut between them */
    size_t pieces = 0;
    if (cap == 0) {
        return 0;
    }
    for (size_t i = 0; i < len;) {
        char esc[8];
        const char *piece = s + i;
        size_t n = utf8_char(u + i, len - i);
        size_t take = n;
        if (n == 0 || (n == 1 && (u[i] < 0x20 || u[i] == 0x7f) && u[i] != '\t')) {
            esc[0] = '\\';
            esc[1] = 'x';
            esc[2] = hex[u[i] >> 4];
            esc[3] = hex[u[i] & 15];
            piece = esc;
            n = 4;
            take = 1;
        } else if (n == 2 && u[i] == 0xC2 && u[i + 1] < 0xA0) {
            esc[0] = '\\';
            esc[1] = 'u';
            esc[2] = '0';
            esc[3] = '0';
            esc[4] = hex[u[i + 1] >> 4];
            esc[5] = hex[u[i + 1] & 15];
            piece = esc;
            n = 6;
        }
        if (used + n + 1 > cap) {
            /* Drop whole pieces until "..." fits (each is at least one byte: three at most). */
            while (used + 4 > cap && pieces > 0) {
                used = starts[--pieces % 4];
            }
            if (used + 4 <= cap) {
                memcpy(out + used, "...", 3);
                used += 3;
            }
            out[used] = '\0';
            return used;
        }
        starts[pieces++ % 4] = used;
        memcpy(out + used, piece, n);
        used += n;
        i += take;
    }
    out[used] = '\0';
    return used;
}

void ex_term_puts(const char *s, FILE *f)
{
    char buf[512];
    size_t len = strlen(s);
    /* In slices whose escapes fit buf (6 bytes out per 2 in at most): never cut. */
    while (len > 0) {
        size_t n = len < 80 ? len : 80;
        /* Never split a UTF-8 character between slices. */
        while (n < len && n > 0 && ((unsigned char)s[n] & 0xC0u) == 0x80u) {
            n--;
        }
        if (n == 0) {
            n = len < 80 ? len : 80;
        }
        size_t w = ex_term_escape(s, n, buf, sizeof buf);
        (void)fwrite(buf, 1, w, f);
        s += n;
        len -= n;
    }
}
