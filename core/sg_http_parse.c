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

enum {
    ST_HEAD = 0,
    ST_BODY_LENGTH,
    ST_BODY_CLOSE,
    ST_CHUNK_SIZE,    /* hex digits */
    ST_CHUNK_SIZE_WS, /* whitespace after the digits */
    ST_CHUNK_EXT,     /* ";name=value" skipped */
    ST_CHUNK_SIZE_LF, /* CR seen, LF expected */
    ST_CHUNK_DATA,
    ST_CHUNK_DATA_END, /* CRLF after the data */
    ST_CHUNK_DATA_LF,
    ST_TRAILER_START, /* start of a trailer line, or the final blank line */
    ST_TRAILER_NAME,
    ST_TRAILER_VALUE,
    ST_TRAILER_LF,
    ST_TRAILER_END_LF,
    ST_DONE,
    ST_ERROR
};

_Static_assert(ST_HEAD == 0, "sg_http_parser_in_head() relies on it");

/* flags */
/* The head's parsing stays out of sg_http_parser_feed: its locals would otherwise sit on
   the frame beneath every body callback. */
#if defined(__GNUC__) || defined(__clang__)
#define OUT_OF_LINE __attribute__((noinline))
#else
#define OUT_OF_LINE
#endif

#define F_STATUS_LINE 0x01u /* the first line of the current head has been checked */
#define F_DIGITS      0x02u /* at least one chunk-size digit */

static const char http_prefix[] = "HTTP/";

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
    while (n > 0 && is_ows(p[n - 1])) {
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

typedef struct head_info {
    int status;
    int minor;
    bool chunked;
    bool conn_close;
    bool conn_keep_alive;
} head_info;

/* "HTTP/1.x SP 3DIGIT [SP reason]", CR already removed. */
static sg_status parse_status_line(const uint8_t *l, size_t n, head_info *h)
{
    /* head_byte() refused any other first five bytes; the length is all that is left to check. */
    if (n < 6) {
        return SG_ERR_HTTP_MALFORMED;
    }
    if (l[5] >= '0' && l[5] <= '9' && l[5] != '1') {
        return SG_ERR_HTTP_VERSION;
    }
    if (n < 12 || l[5] != '1' || l[6] != '.' || l[7] < '0' || l[7] > '9' || l[8] != ' ') {
        return SG_ERR_HTTP_MALFORMED;
    }
    int status = 0;
    for (size_t i = 9; i < 12; i++) {
        if (l[i] < '0' || l[i] > '9') {
            return SG_ERR_HTTP_MALFORMED;
        }
        status = status * 10 + (l[i] - '0');
    }
    if (status < 100 || status > 599 || (n > 12 && l[12] != ' ')) {
        return SG_ERR_HTTP_MALFORMED;
    }
    for (size_t i = 13; i < n; i++) {
        if (is_bad_ctl(l[i])) {
            return SG_ERR_HTTP_MALFORMED;
        }
    }
    h->status = status;
    h->minor = l[7] - '0';
    return SG_OK;
}

/* The next line of the block from *pos, without its CR LF; false at the end. */
static bool next_line(const uint8_t *block, size_t len, size_t *pos, const uint8_t **line,
                      size_t *n)
{
    const uint8_t *start = block + *pos;
    const uint8_t *lf = memchr(start, '\n', len - *pos);
    if (lf == NULL) { /* GCOVR_EXCL_BR_LINE: the block ends with its blank line's LF */
        return false; /* GCOVR_EXCL_LINE: callers stop at that blank line, before the end */
    }
    size_t l = (size_t)(lf - start);
    *pos += l + 1;
    if (l > 0 && start[l - 1] == '\r') {
        l--;
    }
    *line = start;
    *n = l;
    return true;
}

static sg_status parse_field(const uint8_t *l, size_t n, sg_slice *name, sg_slice *value)
{
    size_t i = 0;
    while (i < n && sg__http_is_tchar(l[i])) {
        i++;
    }
    if (i == n) {
        return SG_ERR_HTTP_MALFORMED; /* no colon at all */
    }
    if (i == 0 || l[i] != ':') {
        return SG_ERR_HTTP_HEADER_NAME;
    }
    for (size_t j = i + 1; j < n; j++) {
        if (is_bad_ctl(l[j])) {
            return SG_ERR_HTTP_MALFORMED;
        }
    }
    name->ptr = (const char *)l;
    name->len = i;
    *value = trim_ows(l + i + 1, n - i - 1);
    return SG_OK;
}

static sg_status parse_content_length(sg_http_parser *p, sg_slice v)
{
    sg_slice e;
    bool any = false;
    while (next_element(&v, &e)) {
        sg_http_length x = 0;
        if (e.len == 0) {
            return SG_ERR_HTTP_CONTENT_LENGTH;
        }
        for (size_t i = 0; i < e.len; i++) {
            uint8_t d = (uint8_t)e.ptr[i];
            if (d < '0' || d > '9' || x > (SG_HTTP_LENGTH_MAX - 1 - 9) / 10) {
                return SG_ERR_HTTP_CONTENT_LENGTH;
            }
            x = x * 10 + (sg_http_length)(d - '0');
        }
        if (p->content_length != SG_HTTP_LENGTH_MAX && p->content_length != x) {
            return SG_ERR_HTTP_CONTENT_LENGTH;
        }
        p->content_length = x;
        any = true;
    }
    return any ? SG_OK : SG_ERR_HTTP_CONTENT_LENGTH;
}

/* Only "chunked", once: other codings would need a decoder the client does not have. */
static sg_status parse_transfer_encoding(sg_slice v, head_info *h)
{
    sg_slice e;
    bool any = false;
    while (next_element(&v, &e)) {
        if (e.len == 0) {
            continue;
        }
        if (!sg_slice_eq_nocase(e, "chunked") || h->chunked) {
            return SG_ERR_HTTP_MALFORMED;
        }
        h->chunked = true;
        any = true;
    }
    return any ? SG_OK : SG_ERR_HTTP_MALFORMED;
}

static void parse_connection(sg_slice v, head_info *h)
{
    sg_slice e;
    while (next_element(&v, &e)) {
        if (sg_slice_eq_nocase(e, "close")) {
            h->conn_close = true;
        } else if (sg_slice_eq_nocase(e, "keep-alive")) {
            h->conn_keep_alive = true;
        }
    }
}

/*
 * The field lines after the status line, each checked: read into h (the first pass, before
 * anything is delivered), or with h NULL handed to the sink's on_header.
 */
static sg_status head_fields(sg_http_parser *p, head_info *h)
{
    size_t pos = 0;
    const uint8_t *l;
    size_t n;
    (void)next_line(p->buf, p->head_len, &pos, &l, &n); /* the status line */
    while (next_line(p->buf, p->head_len, &pos, &l, &n) && n > 0) {
        sg_slice name;
        sg_slice value;
        sg_status st = parse_field(l, n, &name, &value); /* fails only in the check pass */
        if (st != SG_OK) {
            return st;
        }
        if (h == NULL) {
            st = p->sink->on_header(p->sink->ctx, name, value);
        } else if (sg_slice_eq_nocase(name, "content-length")) {
            st = parse_content_length(p, value);
        } else if (sg_slice_eq_nocase(name, "transfer-encoding")) {
            st = parse_transfer_encoding(value, h);
        } else if (sg_slice_eq_nocase(name, "connection")) {
            parse_connection(value, h);
        }
        if (st != SG_OK) {
            return st;
        }
    }
    return SG_OK;
}

/*
 * Validate every field and work out the framing; nothing is delivered yet. The status line
 * (at the start of the buffer) was checked when its LF arrived: its digits are read here.
 */
static sg_status check_head(sg_http_parser *p, head_info *h)
{
    const uint8_t *l = p->buf;
    h->status = (l[9] - '0') * 100 + (l[10] - '0') * 10 + (l[11] - '0');
    h->minor = l[7] - '0';
    p->content_length = SG_HTTP_LENGTH_MAX;
    sg_status st = head_fields(p, h);
    if (st == SG_OK && h->chunked && p->content_length != SG_HTTP_LENGTH_MAX) {
        st = SG_ERR_HTTP_LENGTH_AND_CHUNKED;
    }
    return st;
}

static sg_status deliver_head(sg_http_parser *p)
{
    const sg_http_sink *s = p->sink;
    if (s == NULL) {
        return SG_OK;
    }
    if (s->on_status != NULL) {
        sg_status st = s->on_status(s->ctx, p->status);
        if (st != SG_OK) {
            return st;
        }
    }
    return s->on_header != NULL ? head_fields(p, NULL) : SG_OK;
}

/* The blank line arrived: check the block, skip 1xx, deliver, choose the body framing. */
static sg_status end_of_head(sg_http_parser *p)
{
    head_info h;
    memset(&h, 0, sizeof(h));
    sg_status st = check_head(p, &h);
    if (st != SG_OK) {
        return st;
    }
    if (h.status < 200) {
        if (h.status == 101) {
            return SG_ERR_HTTP_MALFORMED; /* we never ask to switch protocols */
        }
        p->head_len = 0;
        p->flags = 0;
        p->content_length = SG_HTTP_LENGTH_MAX;
        return SG_OK;
    }
    p->status = h.status;
    p->keep_alive = h.minor >= 1 ? !h.conn_close : (h.conn_keep_alive && !h.conn_close);
    if (h.chunked && h.minor == 0) {
        p->keep_alive = false; /* RFC 9112 6.1: chunked in HTTP/1.0 is suspect framing */
    }
    if (p->head_request || h.status == 204 || h.status == 304) {
        p->body_mode = SG_HTTP_BODY_NONE;
    } else if (h.chunked) {
        p->body_mode = SG_HTTP_BODY_CHUNKED;
    } else if (p->content_length != SG_HTTP_LENGTH_MAX) {
        p->body_mode = p->content_length ? SG_HTTP_BODY_LENGTH : SG_HTTP_BODY_NONE;
    } else {
        p->body_mode = SG_HTTP_BODY_UNTIL_CLOSE;
        p->keep_alive = false;
    }
    st = deliver_head(p);
    if (st != SG_OK) {
        return st;
    }
    switch (p->body_mode) {
    case SG_HTTP_BODY_LENGTH:
        p->remaining = p->content_length;
        p->state = ST_BODY_LENGTH;
        break;
    case SG_HTTP_BODY_CHUNKED:
        p->remaining = 0;
        p->flags = 0;
        p->state = ST_CHUNK_SIZE;
        break;
    case SG_HTTP_BODY_UNTIL_CLOSE:
        p->state = ST_BODY_CLOSE;
        break;
    default:
        p->state = ST_DONE;
        p->done = true;
        break;
    }
    return SG_OK;
}

/* One byte of the header block: stored in the buffer, checked as far as one byte allows. */
static OUT_OF_LINE sg_status head_byte(sg_http_parser *p, uint8_t c)
{
    /* The check at the end of the previous byte makes this one unreachable; it stays because
       a slip elsewhere would otherwise write past the buffer. */
    if (p->head_len == p->buf_size) {         /* GCOVR_EXCL_BR_LINE: the check below came first */
        return SG_ERR_HTTP_HEADERS_TOO_LARGE; /* GCOVR_EXCL_LINE: see above */
    }
    uint8_t prev = p->head_len ? p->buf[p->head_len - 1] : 0;
    uint8_t prev2 = p->head_len > 1 ? p->buf[p->head_len - 2] : 0;
    if (prev == '\r' && c != '\n') {
        return SG_ERR_HTTP_BARE_CR;
    }
    size_t at = p->head_len;
    p->buf[at] = c;
    p->head_len = at + 1;
    if (!(p->flags & F_STATUS_LINE)) {
        if (at < sizeof(http_prefix) - 1 && c != (uint8_t)http_prefix[at]) {
            return SG_ERR_HTTP_MALFORMED; /* not HTTP at all: fail before the buffer fills */
        }
        if (c == '\n') {
            head_info h;
            size_t n = p->head_len - 1; /* at least "HTTP/" precedes the LF */
            if (p->buf[n - 1] == '\r') {
                n--;
            }
            sg_status st = parse_status_line(p->buf, n, &h);
            if (st != SG_OK) {
                return st;
            }
            p->flags |= F_STATUS_LINE;
        }
    } else if (c == '\n' && (prev == '\n' || (prev == '\r' && prev2 == '\n'))) {
        return end_of_head(p);
    } else if (prev == '\n' && is_ows(c)) {
        return SG_ERR_HTTP_OBS_FOLD;
    }
    if (p->head_len == p->buf_size) {
        return SG_ERR_HTTP_HEADERS_TOO_LARGE; /* full and not finished: it can only grow */
    }
    return SG_OK;
}

static void chunk_size_done(sg_http_parser *p)
{
    p->state = p->remaining ? ST_CHUNK_DATA : ST_TRAILER_START;
}

/* One byte of chunked framing (everything except the chunk data itself). */
static sg_status chunk_byte(sg_http_parser *p, uint8_t c)
{
    switch (p->state) {
    case ST_CHUNK_SIZE: {
        int h = sg__hex_digit(c);
        if (h >= 0) {
            if (p->remaining > (SG_HTTP_LENGTH_MAX >> 4)) {
                return SG_ERR_HTTP_CHUNK;
            }
            p->remaining = (p->remaining << 4) | (sg_http_length)h;
            p->flags |= F_DIGITS;
            return SG_OK;
        }
        if (!(p->flags & F_DIGITS)) {
            return SG_ERR_HTTP_CHUNK;
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
    case ST_TRAILER_START:
        if (c == '\r') {
            p->state = ST_TRAILER_END_LF;
        } else if (c == '\n') {
            p->state = ST_DONE;
            p->done = true;
        } else if (is_ows(c)) {
            return SG_ERR_HTTP_OBS_FOLD;
        } else if (sg__http_is_tchar(c)) {
            p->state = ST_TRAILER_NAME;
        } else {
            return SG_ERR_HTTP_HEADER_NAME;
        }
        return SG_OK;
    case ST_TRAILER_NAME:
        if (c == ':') {
            p->state = ST_TRAILER_VALUE;
        } else if (c == '\r' || c == '\n') {
            return SG_ERR_HTTP_MALFORMED;
        } else if (!sg__http_is_tchar(c)) {
            return SG_ERR_HTTP_HEADER_NAME;
        }
        return SG_OK;
    case ST_TRAILER_VALUE:
        if (c == '\r') {
            p->state = ST_TRAILER_LF;
        } else if (c == '\n') {
            p->state = ST_TRAILER_START;
        } else if (is_bad_ctl(c)) {
            return SG_ERR_HTTP_MALFORMED;
        }
        return SG_OK;
    case ST_TRAILER_LF:
    case ST_TRAILER_END_LF:
        if (c != '\n') {
            return SG_ERR_HTTP_BARE_CR;
        }
        if (p->state == ST_TRAILER_END_LF) {
            p->state = ST_DONE;
            p->done = true;
        } else {
            p->state = ST_TRAILER_START;
        }
        return SG_OK;
    default: /* GCOVR_EXCL_START: sg_http_parser_feed() hands over framing states only */
        return SG_ERR_HTTP_MALFORMED;
    } /* GCOVR_EXCL_STOP */
    /* end of one chunk's data: the next size line */
    p->state = ST_CHUNK_SIZE;
    p->flags = 0;
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
        case ST_BODY_LENGTH:
            n = counted_piece(p, len - i);
            st = deliver_body(p, data + i, n);
            i += n;
            p->remaining -= (sg_http_length)n; /* n <= remaining */
            if (p->remaining == 0) {
                p->state = ST_DONE;
                p->done = true;
            }
            break;
        case ST_BODY_CLOSE:
            st = deliver_body(p, data + i, len - i);
            i = len;
            break;
        case ST_CHUNK_DATA:
            n = counted_piece(p, len - i);
            st = deliver_body(p, data + i, n);
            i += n;
            p->remaining -= (sg_http_length)n; /* n <= remaining */
            if (p->remaining == 0) {
                p->state = ST_CHUNK_DATA_END;
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
    if (p->state == ST_ERROR) {
        return p->error;
    }
    if (p->done) {
        return SG_OK;
    }
    if (p->state == ST_BODY_CLOSE) {
        p->state = ST_DONE;
        p->done = true;
        return SG_OK;
    }
    p->state = ST_ERROR;
    p->error = SG_ERR_HTTP_TRUNCATED;
    return p->error;
}
