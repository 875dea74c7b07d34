/*
 * sitegpt-c: incremental HTTP/1.1 response parser.
 *
 * Every decision is taken byte by byte or once the whole header block is in the buffer,
 * never at a chunk boundary, so any split of the input gives the same result.
 */
#include <sitegpt/sg_http.h>

#include <string.h>
#include "internal/sg__ascii.h"
#include "internal/sg__http.h"
#include "internal/sg__noinline.h"

enum {
    ST_HEAD = 0,
    ST_BODY_LENGTH,
    ST_CHUNK_DATA,
    ST_BODY_CLOSE,
    /* from here on, one byte at a time by chunk_byte() */
    ST_CHUNK_START,    /* the first hex digit of a size */
    ST_CHUNK_SIZE,     /* more hex digits */
    ST_CHUNK_SIZE_WS,  /* whitespace after the digits */
    ST_CHUNK_EXT,      /* ";name=value" skipped */
    ST_CHUNK_SIZE_LF,  /* CR seen, LF expected */
    ST_CHUNK_DATA_END, /* CRLF after the data */
    ST_CHUNK_DATA_LF,
    ST_TRAILERS, /* field lines up to the blank one, read by line_byte() */
    ST_DONE,
    ST_ERROR
};

_Static_assert(ST_HEAD == 0, "sg_http_parser_in_head() relies on it");

/* The head's parsing stays out of sg_http_parser_feed: its locals would otherwise sit on
   the frame beneath every body callback. */
#define OUT_OF_LINE SG__NOINLINE

/*
 * Where in a line of the header block or the trailers (p->line). The head and the trailers
 * share these states, so a field line is checked by one piece of code, byte by byte.
 */
enum {
    LN_STATUS = 0, /* the status line, the head's first */
    LN_START,      /* start of a field line, or the final blank line */
    LN_NAME,
    LN_VALUE,
    LN_STATUS_LF, /* CR seen, LF expected (the three of them) */
    LN_LF,
    LN_BLANK_LF,
    LN_END /* the blank line ended the section */
};

/* flags: the framing read from a head (stale, and unused, once its body starts) */
#define F_CHUNKED    0x02u /* Transfer-Encoding: chunked */
#define F_CLOSE      0x04u /* Connection: close */
#define F_KEEP_ALIVE 0x08u /* Connection: keep-alive */

/* What a status line starts with ('#': a digit); the first five bytes are checked as they come. */
static const char status_shape[] = "HTTP/1.# ###";
#define PREFIX_LEN 5 /* "HTTP/" */

bool sg__http_is_tchar(uint8_t c)
{
    /* one bit per ASCII byte: DIGIT, ALPHA and !#$%&'*+-.^_`|~ */
    static const uint8_t bits[16] = {0x00, 0x00, 0x00, 0x00, 0xFA, 0x6C, 0xFF, 0x03,
                                     0xFE, 0xFF, 0xFF, 0xC7, 0xFF, 0xFF, 0xFF, 0x57};
    return c < 0x80 && ((bits[c >> 3] >> (c & 7)) & 1u) != 0;
}

/* Control characters other than HTAB are never allowed in field values or reasons. */
static bool is_bad_ctl(uint8_t c)
{
    return (c < 0x20 && c != '\t') || c == 0x7f;
}

static bool is_ows(uint8_t c)
{
    return c == ' ' || c == '\t';
}

static uint8_t lower(uint8_t c)
{
    return (c >= 'A' && c <= 'Z') ? (uint8_t)(c + 32) : c;
}

bool sg_slice_eq_nocase(sg_slice s, const char *lit)
{
    size_t n = strlen(lit);
    if (s.ptr == NULL || s.len != n) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        if (lower((uint8_t)s.ptr[i]) != lower((uint8_t)lit[i])) {
            return false;
        }
    }
    return true;
}

static sg_slice trim_ows(const uint8_t *p, size_t n)
{
    while (n > 0 && is_ows(p[0])) {
        p++;
        n--;
    }
    while (n > 0 && (is_ows(p[n - 1]) || p[n - 1] == '\r')) {
        n--;
    }
    sg_slice s = {(const char *)p, n};
    return s;
}

/* The next comma-separated element of a list value, trimmed; false when none is left. */
static bool next_element(sg_slice *list, sg_slice *elem)
{
    if (list->len == 0) {
        return false;
    }
    const char *comma = memchr(list->ptr, ',', list->len);
    size_t n = comma ? (size_t)(comma - list->ptr) : list->len;
    *elem = trim_ows((const uint8_t *)list->ptr, n);
    list->ptr += comma ? n + 1 : n;
    list->len -= comma ? n + 1 : n;
    return true;
}

static void set_done(sg_http_parser *p)
{
    p->state = ST_DONE;
    p->done = true;
}

sg_status sg_http_parser_init(sg_http_parser *p, uint8_t *buf, size_t buf_size,
                              const sg_http_sink *sink, bool head_request)
{
    if (p == NULL || buf == NULL || buf_size == 0) {
        return SG_ERR_INVALID_ARG;
    }
    memset(p, 0, sizeof(*p));
    p->buf = buf;
    p->buf_size = buf_size;
    p->sink = sink;
    p->head_request = head_request;
    p->content_length = SG_HTTP_LENGTH_MAX;
    p->state = ST_HEAD;
    return SG_OK;
}

/* ------------------------------------------------------------- header block --- */

/* "HTTP/1.x SP 3DIGIT [SP reason]", CR already removed. */
static sg_status check_status_line(const uint8_t *l, size_t n)
{
    /* head_byte() refused any other first five bytes; the length is all that is left to check. */
    if (n < 6) {
        return SG_ERR_HTTP_MALFORMED;
    }
    if (l[5] >= '0' && l[5] <= '9' && l[5] != '1') {
        return SG_ERR_HTTP_VERSION;
    }
    if (n < 12 || l[9] < '1' || l[9] > '5' || (n > 12 && l[12] != ' ')) {
        return SG_ERR_HTTP_MALFORMED; /* the status is 100 to 599 */
    }
    for (size_t i = 5; i < n; i++) {
        bool ok = i >= 12                  ? !is_bad_ctl(l[i])
                  : status_shape[i] == '#' ? l[i] >= '0' && l[i] <= '9'
                                           : l[i] == (uint8_t)status_shape[i];
        if (!ok) {
            return SG_ERR_HTTP_MALFORMED;
        }
    }
    return SG_OK;
}

/* The fields that frame the message, in the order of framing_names. */
enum { FR_LENGTH, FR_CODING, FR_CONNECTION, FR_OTHER };

/*
 * Content-Length (equal decimal values only), Transfer-Encoding (only "chunked", once:
 * other codings would need a decoder the client does not have) and Connection, read into
 * p->content_length and p->flags; one walk over the list elements serves all three.
 */
static sg_status framing_field(sg_http_parser *p, sg_slice name, sg_slice v)
{
    static const char *const framing_names[] = {"content-length", "transfer-encoding",
                                                "connection"};
    unsigned kind = FR_LENGTH;
    while (kind < FR_OTHER && !sg_slice_eq_nocase(name, framing_names[kind])) {
        kind++;
    }
    sg_status bad = kind == FR_LENGTH ? SG_ERR_HTTP_CONTENT_LENGTH : SG_ERR_HTTP_MALFORMED;
    bool any = kind >= FR_CONNECTION; /* an empty Connection or other field is no error */
    sg_slice e;
    while (kind < FR_OTHER && next_element(&v, &e)) {
        if (kind == FR_CONNECTION) {
            if (sg_slice_eq_nocase(e, "close")) {
                p->flags |= F_CLOSE;
            } else if (sg_slice_eq_nocase(e, "keep-alive")) {
                p->flags |= F_KEEP_ALIVE;
            }
        } else if (kind == FR_CODING) {
            if (e.len == 0) {
                continue;
            }
            if (!sg_slice_eq_nocase(e, "chunked") || (p->flags & F_CHUNKED)) {
                return bad;
            }
            p->flags |= F_CHUNKED;
        } else {
            sg_http_length x = 0;
            if (e.len == 0) {
                return bad;
            }
            for (size_t i = 0; i < e.len; i++) {
                uint8_t d = (uint8_t)e.ptr[i];
                if (d < '0' || d > '9' || x > (SG_HTTP_LENGTH_MAX - 1 - 9) / 10) {
                    return bad;
                }
                x = x * 10 + (sg_http_length)(d - '0');
            }
            if (p->content_length != SG_HTTP_LENGTH_MAX && p->content_length != x) {
                return bad;
            }
            p->content_length = x;
        }
        any = true;
    }
    return any ? SG_OK : bad;
}

/*
 * The field lines after the status line: with deliver false their framing is read (the pass
 * before anything is delivered), with deliver true each goes to on_header. line_byte()
 * checked every line as it arrived, so each field line has a colon after a name of tchars,
 * and the block ends with the blank line.
 */
static sg_status head_fields(sg_http_parser *p, bool deliver)
{
    const uint8_t *end = p->buf + p->head_len;
    const uint8_t *l = (const uint8_t *)memchr(p->buf, '\n', p->head_len) + 1;
    while (*l != '\r' && *l != '\n') {
        const uint8_t *lf = memchr(l, '\n', (size_t)(end - l));
        const uint8_t *colon = memchr(l, ':', (size_t)(lf - l));
        sg_slice name = {(const char *)l, (size_t)(colon - l)};
        sg_slice value = trim_ows(colon + 1, (size_t)(lf - colon) - 1); /* CR goes too */
        sg_status st =
            deliver ? p->sink->on_header(p->sink->ctx, name, value) : framing_field(p, name, value);
        if (st != SG_OK) {
            return st;
        }
        l = lf + 1;
    }
    return SG_OK;
}

/* The blank line arrived: check the block, skip 1xx, choose the body framing, deliver. */
static sg_status end_of_head(sg_http_parser *p)
{
    static const uint8_t first_state[] = {[SG_HTTP_BODY_NONE] = ST_DONE,
                                          [SG_HTTP_BODY_LENGTH] = ST_BODY_LENGTH,
                                          [SG_HTTP_BODY_CHUNKED] = ST_CHUNK_START,
                                          [SG_HTTP_BODY_UNTIL_CLOSE] = ST_BODY_CLOSE};
    sg_status st = head_fields(p, false);
    unsigned f = p->flags;
    bool has_length = p->content_length != SG_HTTP_LENGTH_MAX;
    if (st == SG_OK && (f & F_CHUNKED) && has_length) {
        st = SG_ERR_HTTP_LENGTH_AND_CHUNKED;
    }
    if (st != SG_OK) {
        return st;
    }
    /* the status line, at the start of the buffer, was checked when its LF arrived */
    const uint8_t *l = p->buf;
    int status = (l[9] - '0') * 100 + (l[10] - '0') * 10 + (l[11] - '0');
    if (status < 200) {
        if (status == 101) {
            return SG_ERR_HTTP_MALFORMED; /* we never ask to switch protocols */
        }
        p->head_len = 0;
        p->flags = 0;
        p->line = LN_STATUS;
        p->content_length = SG_HTTP_LENGTH_MAX;
        return SG_OK;
    }
    /* HTTP/1.1 keeps the connection unless told to close; HTTP/1.0 only when asked, and
       never with chunked framing (RFC 9112 6.1: suspect in HTTP/1.0). */
    bool keep = !(f & F_CLOSE) && (l[7] != '0' || ((f & F_KEEP_ALIVE) && !(f & F_CHUNKED)));
    uint8_t mode;
    if (p->head_request || status == 204 || status == 304) {
        mode = SG_HTTP_BODY_NONE;
    } else if (f & F_CHUNKED) {
        mode = SG_HTTP_BODY_CHUNKED;
    } else if (has_length) {
        mode = p->content_length ? SG_HTTP_BODY_LENGTH : SG_HTTP_BODY_NONE;
    } else {
        mode = SG_HTTP_BODY_UNTIL_CLOSE;
        keep = false;
    }
    p->status = status;
    p->keep_alive = keep;
    p->body_mode = mode;
    p->remaining = mode == SG_HTTP_BODY_LENGTH ? p->content_length : 0;
    p->state = first_state[mode];
    p->done = mode == SG_HTTP_BODY_NONE;
    /* on a refusal sg_http_parser_feed() turns all this into the error state */
    const sg_http_sink *s = p->sink;
    if (s != NULL && s->on_status != NULL) {
        st = s->on_status(s->ctx, status);
    }
    if (st == SG_OK && s != NULL && s->on_header != NULL) {
        st = head_fields(p, true);
    }
    return st;
}

/* The status line's LF arrived: check the line; field lines follow. */
static sg_status status_line_end(sg_http_parser *p)
{
    size_t n = p->head_len - (p->line == LN_STATUS_LF ? 2u : 1u); /* without CR LF */
    p->line = LN_START;
    return check_status_line(p->buf, n);
}

/*
 * One byte of a field section, the header block or the trailers: RFC 9112 line grammar
 * (CR only before LF, no obs-fold, a name of tchars then a colon, no control byte in a
 * value). p->line is LN_END once the blank line has ended the section.
 */
static sg_status line_byte(sg_http_parser *p, uint8_t c)
{
    switch (p->line) {
    case LN_STATUS: /* head_byte() checked the "HTTP/" prefix, the LF checks the rest */
        if (c == '\r') {
            p->line = LN_STATUS_LF;
        } else if (c == '\n') {
            return status_line_end(p);
        }
        return SG_OK;
    case LN_START:
        if (c == '\r') {
            p->line = LN_BLANK_LF;
        } else if (c == '\n') {
            p->line = LN_END;
        } else if (is_ows(c)) {
            return SG_ERR_HTTP_OBS_FOLD;
        } else if (sg__http_is_tchar(c)) {
            p->line = LN_NAME;
        } else {
            return SG_ERR_HTTP_HEADER_NAME;
        }
        return SG_OK;
    case LN_NAME:
        if (c == ':') {
            p->line = LN_VALUE;
        } else if (c == '\r' || c == '\n') {
            return SG_ERR_HTTP_MALFORMED; /* no colon at all */
        } else if (!sg__http_is_tchar(c)) {
            return SG_ERR_HTTP_HEADER_NAME;
        }
        return SG_OK;
    case LN_VALUE:
        if (c >= 0x20 && c != 0x7f) {
            return SG_OK; /* most bytes: tested first */
        }
        if (c == '\r') {
            p->line = LN_LF;
        } else if (c == '\n') {
            p->line = LN_START;
        } else if (c != '\t') {
            return SG_ERR_HTTP_MALFORMED; /* a control byte */
        }
        return SG_OK;
    default: /* LN_STATUS_LF, LN_LF, LN_BLANK_LF: a CR must be followed by LF */
        if (c != '\n') {
            return SG_ERR_HTTP_BARE_CR;
        }
        if (p->line == LN_STATUS_LF) {
            return status_line_end(p);
        }
        p->line = p->line == LN_LF ? LN_START : LN_END;
        return SG_OK;
    }
}

/* One byte of the header block: stored in the buffer, checked as far as one byte allows. */
static OUT_OF_LINE sg_status head_byte(sg_http_parser *p, uint8_t c)
{
    /* The check at the end of the previous byte makes this one unreachable; it stays because
       a slip elsewhere would otherwise write past the buffer. */
    if (p->head_len == p->buf_size) {         /* GCOVR_EXCL_BR_LINE: the check below came first */
        return SG_ERR_HTTP_HEADERS_TOO_LARGE; /* GCOVR_EXCL_LINE: see above */
    }
    size_t at = p->head_len;
    p->buf[at] = c;
    p->head_len = at + 1;
    if (at < PREFIX_LEN && c != (uint8_t)status_shape[at]) {
        return SG_ERR_HTTP_MALFORMED; /* not HTTP at all: fail before the buffer fills */
    }
    sg_status st = line_byte(p, c);
    if (st == SG_OK && p->line == LN_END) {
        return end_of_head(p);
    }
    if (st == SG_OK && p->head_len == p->buf_size) {
        return SG_ERR_HTTP_HEADERS_TOO_LARGE; /* full and not finished: it can only grow */
    }
    return st;
}

static void chunk_size_done(sg_http_parser *p)
{
    p->state = p->remaining ? ST_CHUNK_DATA : ST_TRAILERS;
    p->line = LN_START;
}

/* One byte of chunked framing (everything except the chunk data itself). */
static sg_status chunk_byte(sg_http_parser *p, uint8_t c)
{
    switch (p->state) {
    case ST_CHUNK_START:
    case ST_CHUNK_SIZE: {
        int h = sg__hex_digit(c);
        if (h >= 0) {
            if (p->remaining > (SG_HTTP_LENGTH_MAX >> 4)) {
                return SG_ERR_HTTP_CHUNK;
            }
            p->remaining = (p->remaining << 4) | (sg_http_length)h;
            p->state = ST_CHUNK_SIZE;
            return SG_OK;
        }
        if (p->state == ST_CHUNK_START) {
            return SG_ERR_HTTP_CHUNK; /* no digit at all */
        }
        p->state = ST_CHUNK_SIZE_WS;
    }
        /* fall through */
    case ST_CHUNK_SIZE_WS:
        if (is_ows(c)) {
            return SG_OK;
        }
        if (c == ';') {
            p->state = ST_CHUNK_EXT;
            return SG_OK;
        }
        if (c == '\r') {
            p->state = ST_CHUNK_SIZE_LF;
            return SG_OK;
        }
        if (c == '\n') {
            chunk_size_done(p);
            return SG_OK;
        }
        return SG_ERR_HTTP_CHUNK;
    case ST_CHUNK_EXT:
        if (c == '\r') {
            p->state = ST_CHUNK_SIZE_LF;
        } else if (c == '\n') {
            chunk_size_done(p);
        } else if (is_bad_ctl(c)) {
            return SG_ERR_HTTP_CHUNK;
        }
        return SG_OK;
    case ST_CHUNK_SIZE_LF:
        if (c != '\n') {
            return SG_ERR_HTTP_BARE_CR;
        }
        chunk_size_done(p);
        return SG_OK;
    case ST_CHUNK_DATA_END:
        if (c == '\r') {
            p->state = ST_CHUNK_DATA_LF;
            return SG_OK;
        }
        if (c != '\n') {
            return SG_ERR_HTTP_CHUNK; /* more data than the chunk size said */
        }
        break;
    case ST_CHUNK_DATA_LF:
        if (c != '\n') {
            return SG_ERR_HTTP_BARE_CR;
        }
        break;
    case ST_TRAILERS: {
        sg_status st = line_byte(p, c);
        if (p->line == LN_END) {
            set_done(p);
        }
        return st;
    }
    default: /* GCOVR_EXCL_START: sg_http_parser_feed() hands over framing states only */
        return SG_ERR_HTTP_MALFORMED;
    } /* GCOVR_EXCL_STOP */
    /* end of one chunk's data: the next size line */
    p->state = ST_CHUNK_START;
    p->remaining = 0;
    return SG_OK;
}

static sg_status deliver_body(sg_http_parser *p, const uint8_t *data, size_t n)
{
    if (n == 0 || p->sink == NULL || p->sink->on_body == NULL) {
        return SG_OK;
    }
    return p->sink->on_body(p->sink->ctx, data, n);
}

/* Body bytes counted by p->remaining; returns how many were taken. */
static size_t counted_piece(const sg_http_parser *p, size_t avail)
{
    return p->remaining < avail ? (size_t)p->remaining : avail; /* compared in the wider type */
}

sg_status sg_http_parser_feed(sg_http_parser *p, const uint8_t *data, size_t len, size_t *consumed)
{
    if (consumed != NULL) {
        *consumed = 0;
    }
    if (p == NULL || consumed == NULL || (data == NULL && len > 0)) {
        return SG_ERR_INVALID_ARG;
    }
    if (p->state == ST_ERROR) {
        return p->error;
    }
    size_t i = 0;
    sg_status st = SG_OK;
    while (i < len && st == SG_OK && !p->done) {
        size_t n;
        switch (p->state) {
        case ST_HEAD:
            st = head_byte(p, data[i++]);
            break;
        case ST_BODY_CLOSE:
            st = deliver_body(p, data + i, len - i);
            i = len;
            break;
        case ST_BODY_LENGTH:
        case ST_CHUNK_DATA:
            n = counted_piece(p, len - i);
            st = deliver_body(p, data + i, n);
            i += n;
            p->remaining -= (sg_http_length)n; /* n <= remaining */
            if (p->remaining == 0 && p->state == ST_CHUNK_DATA) {
                p->state = ST_CHUNK_DATA_END; /* the CRLF after the data */
            } else if (p->remaining == 0) {
                set_done(p);
            }
            break;
        default:
            st = chunk_byte(p, data[i++]);
            break;
        }
    }
    *consumed = i;
    if (st != SG_OK) {
        p->state = ST_ERROR;
        p->error = st;
        p->done = false;
    }
    return st;
}

sg_status sg_http_parser_finish(sg_http_parser *p)
{
    if (p == NULL) {
        return SG_ERR_INVALID_ARG;
    }
    if (p->state == ST_BODY_CLOSE) {
        set_done(p);
    }
    if (p->state != ST_DONE && p->state != ST_ERROR) {
        p->state = ST_ERROR;
        p->error = SG_ERR_HTTP_TRUNCATED;
    }
    return p->state == ST_ERROR ? p->error : SG_OK;
}
