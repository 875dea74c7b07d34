/*
 * libFuzzer target for the PEM bundle decoder of the mbedTLS port (port/mbedtls/
 * sg_pem_decode.h), which sg_tls_load_ca_file feeds line by line as fgets gives them.
 * Input: byte 0 chooses the line-piece size (as fgets cuts long lines), byte 1 the layout
 * of the round trip, the rest is a PEM file. Properties:
 *   - agreement: a block the decoder takes is one mbedTLS's own mbedtls_base64_decode
 *     takes too, with the same bytes (the decoder is never more lenient);
 *   - completeness: a block whose body is plain base64 (lines of digits, padding only at
 *     the end making whole groups, at most a trailing space run and "\r" before each
 *     "\n") and decodes to 1..SG_PEM_DER_MAX bytes is taken (checked by a second,
 *     independent reading here);
 *   - the BEGIN line: only " ?\r?\n" may follow the marker (what mbedtls_pem_read_buffer
 *     allows), else the block is not taken;
 *   - framing: one event per END line inside a block, however the lines are cut;
 *   - round trip: the rest as DER, encoded by mbedtls_base64_encode and wrapped at any
 *     width (LF or CRLF, trailing spaces or not), decodes back to exactly those bytes.
 * Links Debian's libmbedcrypto for the oracle only; the decoder itself uses no mbedTLS.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/base64.h>

#include "sg_pem_decode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { TEXT_MAX = 4096 * 3 };

static sg_pem_reader g_reader;
static sg_pem_event g_last; /* the last event feed_text saw */
static uint8_t g_oracle[TEXT_MAX];
static char g_text[TEXT_MAX];

static bool is_digit64(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
           c == '/';
}

/*
 * The completeness oracle: the decoded size when the body is plain base64, else -1.
 * Written from the rule, not from the decoder: line ends go, then the digits and padding
 * must be one string of whole groups of four.
 */
static long plain_base64_size(const char *body, size_t n)
{
    size_t digits = 0, pads = 0;
    size_t i = 0;
    while (i < n) {
        size_t eol = i;
        while (eol < n && body[eol] != '\n') {
            eol++;
        }
        if (eol == n) {
            return -1; /* a body always ends with its line end */
        }
        size_t end = eol;
        if (end > i && body[end - 1] == '\r') {
            end--;
        }
        while (end > i && body[end - 1] == ' ') {
            end--;
        }
        for (size_t k = i; k < end; k++) {
            unsigned char c = (unsigned char)body[k];
            if (c == '=') {
                pads++;
            } else if (!is_digit64(c) || pads != 0) {
                return -1;
            } else {
                digits++;
            }
        }
        i = eol + 1;
    }
    if (pads > 2 || (digits + pads) % 4 != 0 || digits + pads == 0) {
        return -1;
    }
    if (pads != 0 && digits % 4 != 4 - pads) {
        return -1;
    }
    return (long)((digits + pads) / 4 * 3 - pads);
}

/* What may follow the BEGIN marker on its line: " ?\r?\n", as mbedtls_pem_read_buffer. */
static bool header_ok(const char *text, size_t i, size_t n)
{
    if (i < n && text[i] == ' ') {
        i++;
    }
    if (i < n && text[i] == '\r') {
        i++;
    }
    return i < n && text[i] == '\n';
}

typedef struct framing {
    bool in_block;
    bool header_ok;
    size_t body_start;
    size_t ends; /* END lines inside a block */
} framing;

/* Check one decoder event against the body it came from. */
static void check_block(sg_pem_event ev, bool head_ok, const char *text, size_t from, size_t to)
{
    const char *body = text + from;
    size_t n = to - from;
    if (ev == SG_PEM_CERT) {
        if (!head_ok) {
            abort(); /* junk after the BEGIN marker taken */
        }
        size_t olen = 0;
        int ret =
            mbedtls_base64_decode(g_oracle, sizeof g_oracle, &olen, (const unsigned char *)body, n);
        if (ret != 0 || olen != g_reader.len || memcmp(g_oracle, g_reader.der, olen) != 0) {
            abort(); /* taken by us, refused or read otherwise by mbedTLS */
        }
    } else {
        long want = plain_base64_size(body, n);
        if (head_ok && want > 0 && want <= SG_PEM_DER_MAX) {
            abort(); /* plain base64 refused */
        }
    }
}

/* The text through the decoder in pieces of at most piece_max characters, as fgets cuts. */
static size_t feed_text(const char *text, size_t n, size_t piece_max, bool check)
{
    framing fr = {false, false, 0, 0};
    size_t events = 0;
    bool line_start = true;
    size_t line_begin = 0;
    sg_pem_reader_init(&g_reader);
    for (size_t i = 0; i < n;) {
        size_t len = 0;
        while (i + len < n && len < piece_max && (len == 0 || text[i + len - 1] != '\n')) {
            len++;
        }
        if (line_start) {
            line_begin = i;
        }
        sg_pem_event ev = sg_pem_feed(&g_reader, text + i, len, line_start);
        /* the same framing, read from whole lines */
        if (line_start && n - i >= sizeof sg_pem_begin - 1 &&
            memcmp(text + i, sg_pem_begin, sizeof sg_pem_begin - 1) == 0 &&
            len >= sizeof sg_pem_begin - 1) {
            fr.in_block = true;
            fr.header_ok = header_ok(text, i + sizeof sg_pem_begin - 1, n);
            fr.body_start = (size_t)-1; /* from the next line */
        } else if (fr.in_block && line_start && len >= sizeof sg_pem_end - 1 &&
                   memcmp(text + i, sg_pem_end, sizeof sg_pem_end - 1) == 0) {
            fr.in_block = false;
            fr.ends++;
            if (ev == SG_PEM_MORE) {
                abort(); /* an END line in a block must end it */
            }
            size_t from = fr.body_start == (size_t)-1 ? line_begin : fr.body_start;
            if (check) {
                check_block(ev, fr.header_ok, text, from, line_begin);
            }
        } else if (ev != SG_PEM_MORE) {
            abort(); /* an event without an END line */
        }
        if (ev != SG_PEM_MORE) {
            events++;
            g_last = ev;
        }
        i += len;
        line_start = text[i - 1] == '\n';
        if (line_start && fr.in_block && fr.body_start == (size_t)-1) {
            fr.body_start = i;
        }
    }
    if (events != fr.ends) {
        abort();
    }
    return events;
}

/* DER -> mbedTLS base64 -> lines of `width` -> the decoder -> the same DER. */
static void round_trip(const uint8_t *der, size_t n, uint8_t layout, size_t piece_max)
{
    static unsigned char b64[TEXT_MAX];
    size_t blen = 0;
    if (mbedtls_base64_encode(b64, sizeof b64, &blen, der, n) != 0) {
        abort();
    }
    size_t width = 1 + (size_t)(layout & 0x3f) * 2; /* odd and even widths */
    bool crlf = (layout & 0x40) != 0;
    bool spaces = (layout & 0x80) != 0;
    size_t t = 0;
    memcpy(g_text + t, sg_pem_begin, sizeof sg_pem_begin - 1);
    t += sizeof sg_pem_begin - 1;
    g_text[t++] = '\n';
    for (size_t i = 0; i < blen; i += width) {
        size_t len = blen - i < width ? blen - i : width;
        if (t + len + 8 + sizeof sg_pem_end > sizeof g_text) {
            return; /* does not fit this harness's buffer: nothing to check */
        }
        memcpy(g_text + t, b64 + i, len);
        t += len;
        if (spaces) {
            g_text[t++] = ' ';
            g_text[t++] = ' ';
        }
        if (crlf) {
            g_text[t++] = '\r';
        }
        g_text[t++] = '\n';
    }
    memcpy(g_text + t, sg_pem_end, sizeof sg_pem_end - 1);
    t += sizeof sg_pem_end - 1;
    g_text[t++] = '\n';
    size_t events = feed_text(g_text, t, piece_max, false);
    if (events != 1) {
        abort();
    }
    if (n == 0) {
        if (g_last != SG_PEM_BAD) {
            abort(); /* an empty block is no certificate */
        }
    } else if (g_last != SG_PEM_CERT || g_reader.len != n || memcmp(g_reader.der, der, n) != 0) {
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2 || size > TEXT_MAX) {
        return 0;
    }
    /* fgets with a buffer of 29..284 bytes: a marker line always starts with the whole
       marker, as with the port's 512-byte line buffer */
    size_t piece_max = sizeof sg_pem_begin + data[0];
    uint8_t layout = data[1];
    const char *text = (const char *)data + 2;
    size_t n = size - 2;
    (void)feed_text(text, n, piece_max, true);
    if (n <= 3000) {
        round_trip(data + 2, n, layout, piece_max);
    }
    return 0;
}
