/*
 * sitegpt-c: the CERTIFICATE blocks of a PEM bundle, fed line by line and base64-decoded.
 *
 * Private to port/mbedtls/sg_tls.c (not installed). It needs neither mbedTLS nor a heap, so
 * tests/fuzz/fuzz_pem.c can hold it against mbedTLS's own base64 decoder. mbedTLS's PEM
 * reader decodes in constant time (it also reads private keys): about 50 million
 * instructions for a system bundle of 150 certificates. Certificates are public, so a table
 * does, four characters at a time on a clean line.
 *
 * Markers count at the start of a line. After the BEGIN marker its line may hold only what
 * mbedtls_pem_read_buffer allows there (one space, then "\r\n" or "\n"). What the body
 * may hold is a subset of what mbedtls_base64_decode accepts, and it decodes to the same
 * bytes: lines of base64 digits, padding ('=', at most two) only at the end and making
 * whole groups of four, spaces only before a line end, "\r" only before "\n". Anything else
 * makes the block bad (skipped, as mbedTLS skips a certificate it cannot parse); so does a
 * body decoding to more than SG_PEM_DER_MAX bytes.
 */
#ifndef SG_PEM_DECODE_H
#define SG_PEM_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

enum { SG_PEM_DER_MAX = 16384 };

typedef enum sg_pem_event {
    SG_PEM_MORE, /* nothing ended: feed the next piece */
    SG_PEM_CERT, /* a block ended and decoded: der[0..len) */
    SG_PEM_BAD   /* a block ended that is not clean base64, or too large */
} sg_pem_event;

typedef struct sg_pem_reader {
    uint8_t der[SG_PEM_DER_MAX];
    size_t len;
    uint32_t acc;    /* digits of the group being read */
    unsigned digits; /* in acc: 0..3 */
    unsigned pads;   /* '=' seen: from then on only '=' and line ends */
    bool spaces;     /* spaces since the last digit of this line: a line end must follow */
    bool cr;         /* a '\r' just seen: '\n' must follow */
    unsigned header; /* rest of the BEGIN line: 1 after the marker, 2 after ' ', 3 after '\r' */
    bool in_block;
    bool bad;
    bool saw_block; /* some BEGIN CERTIFICATE line was seen */
} sg_pem_reader;

static const char sg_pem_begin[] = "-----BEGIN CERTIFICATE-----";
static const char sg_pem_end[] = "-----END CERTIFICATE-----";

/* 0..63 for a base64 digit, 64 for '=', 0xff for anything else. */
/* clang-format off */
static const uint8_t sg_pem_b64[256] = {
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,   62, 0xff, 0xff, 0xff,   63,
      52,   53,   54,   55,   56,   57,   58,   59,   60,   61, 0xff, 0xff, 0xff,   64, 0xff, 0xff,
    0xff,    0,    1,    2,    3,    4,    5,    6,    7,    8,    9,   10,   11,   12,   13,   14,
      15,   16,   17,   18,   19,   20,   21,   22,   23,   24,   25, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff,   26,   27,   28,   29,   30,   31,   32,   33,   34,   35,   36,   37,   38,   39,   40,
      41,   42,   43,   44,   45,   46,   47,   48,   49,   50,   51, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
};
/* clang-format on */

static inline void sg_pem_reader_init(sg_pem_reader *r)
{
    memset(r, 0, sizeof *r);
}

static inline void sg_pem_start_block(sg_pem_reader *r)
{
    r->in_block = r->saw_block = true;
    r->header = 1;
    r->bad = r->spaces = r->cr = false;
    r->len = 0;
    r->acc = 0;
    r->digits = r->pads = 0;
}

/* One character that is not part of a clean group of four. */
static inline void sg_pem_char(sg_pem_reader *r, unsigned char c)
{
    uint8_t v = sg_pem_b64[c];
    if (c == '\n') {
        r->spaces = r->cr = false;
    } else if (c == '\r' && !r->cr) {
        r->cr = true;
    } else if (c == ' ' && !r->cr) {
        r->spaces = true;
    } else if (r->cr || r->spaces || v > 64 || (v < 64 && r->pads != 0)) {
        /* '\r' not before '\n', a space inside a line, not base64, a digit after padding */
        r->bad = true;
    } else if (v == 64) {
        /* '=' pads the last group: after one or two digits of it the bits are out */
        r->pads++;
        if (r->pads > 2 || r->digits + r->pads > 4 || r->digits < 2) {
            r->bad = true;
        }
    } else {
        r->acc = (r->acc << 6) | v;
        if (++r->digits == 4) {
            if (sizeof r->der - r->len < 3) {
                r->bad = true;
                return;
            }
            r->der[r->len++] = (uint8_t)(r->acc >> 16);
            r->der[r->len++] = (uint8_t)(r->acc >> 8);
            r->der[r->len++] = (uint8_t)r->acc;
            r->digits = 0;
            r->acc = 0;
        }
    }
}

/* The rest of the BEGIN line, up to its '\n': " ?\r?\n" as mbedTLS reads it. */
static inline size_t sg_pem_header_rest(sg_pem_reader *r, const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n && r->header != 0) {
        unsigned char c = s[i++];
        if (c == '\n') {
            r->header = 0;
        } else if (c == ' ' && r->header == 1) {
            r->header = 2;
        } else if (c == '\r' && r->header < 3) {
            r->header = 3;
        } else {
            r->bad = true; /* kept in the header until its line ends */
        }
    }
    return i;
}

/* Clean groups of four from s, as many as fit: the count of characters taken. */
static inline size_t sg_pem_groups(sg_pem_reader *r, const unsigned char *s, size_t n)
{
    /* locals: stores into der would otherwise make the compiler reload the state */
    uint8_t *out = r->der + r->len;
    size_t groups = n / 4;
    size_t room = (sizeof r->der - r->len) / 3;
    size_t k = 0;
    for (; k < groups && k < room; k++, s += 4, out += 3) {
        uint32_t a = sg_pem_b64[s[0]], b = sg_pem_b64[s[1]];
        uint32_t c = sg_pem_b64[s[2]], d = sg_pem_b64[s[3]];
        if ((a | b | c | d) >= 64) {
            break;
        }
        uint32_t v = (a << 18) | (b << 12) | (c << 6) | d;
        out[0] = (uint8_t)(v >> 16);
        out[1] = (uint8_t)(v >> 8);
        out[2] = (uint8_t)v;
    }
    r->len += 3 * k;
    return 4 * k;
}

/* Body text of a block: clean groups of four by the fast path, the rest char by char. */
static inline void sg_pem_body(sg_pem_reader *r, const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n && !r->bad) {
        if (r->digits == 0 && r->pads == 0 && !r->spaces && !r->cr) {
            i += sg_pem_groups(r, s + i, n - i);
            if (i == n) {
                break;
            }
        }
        sg_pem_char(r, s[i]);
        i++;
    }
}

/* The block's end: whole groups only, the padded one written out. */
static inline sg_pem_event sg_pem_finish(sg_pem_reader *r)
{
    r->in_block = false;
    if (r->bad || r->cr || r->digits + r->pads != (r->digits == 0 ? 0u : 4u)) {
        return SG_PEM_BAD;
    }
    if (r->digits != 0) {
        size_t out = r->digits - 1; /* 2 digits + "==": 1 byte; 3 digits + "=": 2 bytes */
        if (sizeof r->der - r->len < out) {
            return SG_PEM_BAD;
        }
        uint32_t v = r->acc << (6 * (4 - r->digits));
        r->der[r->len++] = (uint8_t)(v >> 16);
        if (out == 2) {
            r->der[r->len++] = (uint8_t)(v >> 8);
        }
    }
    return r->len == 0 ? SG_PEM_BAD : SG_PEM_CERT;
}

/*
 * One piece of the file: a whole line with its '\n', or a part of a longer one (as fgets
 * gives it); line_start says whether it begins a line. Markers count only at a line start;
 * text outside blocks is ignored (Debian's bundle has some).
 */
static inline sg_pem_event sg_pem_feed(sg_pem_reader *r, const char *piece, size_t n,
                                       bool line_start)
{
    if (line_start && n >= sizeof sg_pem_begin - 1 &&
        memcmp(piece, sg_pem_begin, sizeof sg_pem_begin - 1) == 0) {
        sg_pem_start_block(r);
        piece += sizeof sg_pem_begin - 1;
        n -= sizeof sg_pem_begin - 1;
        line_start = false;
    }
    if (!r->in_block) {
        return SG_PEM_MORE;
    }
    if (line_start && n >= sizeof sg_pem_end - 1 &&
        memcmp(piece, sg_pem_end, sizeof sg_pem_end - 1) == 0) {
        return sg_pem_finish(r);
    }
    size_t used = sg_pem_header_rest(r, (const unsigned char *)piece, n);
    sg_pem_body(r, (const unsigned char *)piece + used, n - used);
    return SG_PEM_MORE;
}

#endif /* SG_PEM_DECODE_H */
