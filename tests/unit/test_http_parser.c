/*
 * Response parser: every case is fed whole, split at every position, and one byte at a
 * time; all runs must give the same status, headers, body, error and consumed count.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "capture.h"
#include "http_feed.h"
#include <sitegpt/sg_http.h>

#define LOG_CAP  2048
#define BODY_CAP 4096

typedef struct rec {
    char log[LOG_CAP]; /* "S<status>\n" then "H<name>|<value>\n" per header */
    size_t log_len;
    uint8_t body[BODY_CAP];
    size_t body_len;
    sg_status header_reply; /* what on_header returns */
} rec;

typedef struct result {
    http_feed_result f;
    rec r;
} result;

static void log_put(rec *r, const char *s, size_t n)
{
    assert_true(capture_append(r->log, LOG_CAP, &r->log_len, s, n));
}

static sg_status on_status(void *ctx, int status)
{
    char tmp[16];
    int n = snprintf(tmp, sizeof(tmp), "S%d\n", status);
    log_put(ctx, tmp, (size_t)n);
    return SG_OK;
}

static sg_status on_header(void *ctx, sg_slice name, sg_slice value)
{
    rec *r = ctx;
    log_put(r, "H", 1);
    log_put(r, name.ptr, name.len);
    log_put(r, "|", 1);
    log_put(r, value.ptr, value.len);
    log_put(r, "\n", 1);
    return r->header_reply;
}

static sg_status on_body(void *ctx, const uint8_t *data, size_t len)
{
    rec *r = ctx;
    assert_true(len > 0);
    assert_true(r->body_len + len <= BODY_CAP);
    memcpy(r->body + r->body_len, data, len);
    r->body_len += len;
    return SG_OK;
}

/* Feed in pieces ending at the given cut positions (the last piece runs to len); on_header
 * answers header_reply. */
static void run_reply(const uint8_t *in, size_t len, const size_t *cuts, size_t ncuts, bool head,
                      size_t bufsize, sg_status header_reply, result *out)
{
    memset(out, 0, sizeof(*out));
    out->r.header_reply = header_reply;
    sg_http_sink sink = {&out->r, on_status, on_header, on_body};
    assert_true(http_feed(in, len, cuts, ncuts, bufsize, head, &sink, &out->f));
}

static void run(const uint8_t *in, size_t len, const size_t *cuts, size_t ncuts, bool head,
                size_t bufsize, result *out)
{
    run_reply(in, len, cuts, ncuts, head, bufsize, SG_OK, out);
}

static void assert_same(const result *a, const result *b)
{
    assert_int_equal(a->f.st, b->f.st);
    assert_int_equal(a->f.status, b->f.status);
    assert_int_equal(a->f.done, b->f.done);
    assert_int_equal(a->f.keep_alive, b->f.keep_alive);
    assert_int_equal(a->f.body_mode, b->f.body_mode);
    assert_int_equal(a->f.consumed, b->f.consumed);
    assert_string_equal(a->r.log, b->r.log);
    assert_int_equal(a->r.body_len, b->r.body_len);
    assert_memory_equal(a->r.body, b->r.body, a->r.body_len);
}

typedef struct pcase {
    const char *name;
    const char *in;
    size_t len; /* 0: strlen(in) */
    bool head;
    size_t bufsize; /* 0: 1024 */
    sg_status st;
    const char *log; /* expected callbacks when st == SG_OK */
    const char *body;
    bool keep_alive;
    size_t leftover; /* bytes left unconsumed after a complete response */
} pcase;

/* Whole, split at every position, and byte by byte: all identical and as expected. */
static void check_case(const pcase *c)
{
    const uint8_t *in = (const uint8_t *)c->in;
    size_t len = c->len ? c->len : strlen(c->in);
    size_t bufsize = c->bufsize ? c->bufsize : 1024;
    static result whole;
    static result other;
    static size_t cuts[4096];
    assert_true(len < 4096);

    run(in, len, NULL, 0, c->head, bufsize, &whole);
    if (whole.f.st != c->st) {
        print_error("case '%s': got %d (%s), want %d\n", c->name, whole.f.st,
                    sg_strerror(whole.f.st), c->st);
    }
    assert_int_equal(whole.f.st, c->st);
    if (c->st == SG_OK) {
        assert_true(whole.f.done);
        assert_string_equal(whole.r.log, c->log);
        assert_int_equal(whole.r.body_len, strlen(c->body));
        assert_memory_equal(whole.r.body, c->body, whole.r.body_len);
        assert_int_equal(whole.f.keep_alive, c->keep_alive);
        assert_int_equal(whole.f.consumed, len - c->leftover);
    }
    for (size_t k = 1; k < len; k++) {
        run(in, len, &k, 1, c->head, bufsize, &other);
        assert_same(&whole, &other);
    }
    for (size_t k = 1; k < len; k++) {
        cuts[k - 1] = k;
    }
    run(in, len, cuts, len ? len - 1 : 0, c->head, bufsize, &other);
    assert_same(&whole, &other);
}

static void check_cases(const pcase *cases, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        check_case(&cases[i]);
    }
}

/* ------------------------------------------------------------------ valid --- */

#define CHUNKED_HEAD "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"

static const pcase valid_cases[] = {
    {"content-length", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-A:  spaced \t\r\n\r\nhello", 0,
     false, 0, SG_OK, "S200\nHContent-Length|5\nHX-A|spaced\n", "hello", true, 0},
    {"chunked with extensions and trailers",
     "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;foo=bar\r\nhello\r\n6 ; x=\"y\"\r\n"
     " world\r\n0\r\nX-Trailer: t\r\nX-Other:\r\n\r\n",
     0, false, 0, SG_OK, "S200\nHTransfer-Encoding|chunked\n", "hello world", true, 0},
    {"chunked upper-case hex and coding name",
     "HTTP/1.1 200 OK\r\ntransfer-encoding: Chunked\r\n\r\nA\r\n0123456789\r\n00\r\n\r\n", 0, false,
     0, SG_OK, "S200\nHtransfer-encoding|Chunked\n", "0123456789", true, 0},
    {"until close", "HTTP/1.1 200 OK\r\nServer: x\r\n\r\nabc", 0, false, 0, SG_OK,
     "S200\nHServer|x\n", "abc", false, 0},
    {"1xx skipped",
     "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </x>\r\n\r\n"
     "HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok",
     0, false, 0, SG_OK, "S201\nHContent-Length|2\n", "ok", true, 0},
    {"HEAD has no body", "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n", 0, true, 0, SG_OK,
     "S200\nHContent-Length|100\n", "", true, 0},
    {"HEAD leaves the next response", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nHTTP",
     0, true, 0, SG_OK, "S200\nHTransfer-Encoding|chunked\n", "", true, 4},
    {"204 has no body", "HTTP/1.1 204 No Content\r\nContent-Length: 3\r\n\r\nabc", 0, false, 0,
     SG_OK, "S204\nHContent-Length|3\n", "", true, 3},
    {"304 has no body", "HTTP/1.1 304 Not Modified\r\n\r\nHTTP/1.1", 0, false, 0, SG_OK, "S304\n",
     "", true, 8},
    {"connection close",
     "HTTP/1.1 200 OK\r\nConnection: Keep-Alive, close\r\nContent-Length: 1\r\n\r\nx", 0, false, 0,
     SG_OK, "S200\nHConnection|Keep-Alive, close\nHContent-Length|1\n", "x", false, 0},
    {"HTTP/1.0 closes by default", "HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\nx", 0, false, 0,
     SG_OK, "S200\nHContent-Length|1\n", "x", false, 0},
    {"HTTP/1.0 keep-alive",
     "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 1\r\n\r\nx", 0, false, 0, SG_OK,
     "S200\nHConnection|keep-alive\nHContent-Length|1\n", "x", true, 0},
    {"repeated headers each delivered",
     "HTTP/1.1 200 OK\r\nSet-Cookie: a=1\r\nSET-COOKIE: b=2\r\nContent-Length: 0\r\n\r\n", 0, false,
     0, SG_OK, "S200\nHSet-Cookie|a=1\nHSET-COOKIE|b=2\nHContent-Length|0\n", "", true, 0},
    {"identical content-lengths",
     "HTTP/1.1 200 OK\r\nContent-Length: 3\r\ncontent-length: 3 , 3\r\n\r\nabc", 0, false, 0, SG_OK,
     "S200\nHContent-Length|3\nHcontent-length|3 , 3\n", "abc", true, 0},
    {"bare LF line ends", "HTTP/1.1 200 OK\nContent-Length: 2\n\nhi", 0, false, 0, SG_OK,
     "S200\nHContent-Length|2\n", "hi", true, 0},
    {"bare LF chunked", "HTTP/1.1 200 OK\nTransfer-Encoding: chunked\n\n2\nhi\n0\nT: v\n\n", 0,
     false, 0, SG_OK, "S200\nHTransfer-Encoding|chunked\n", "hi", true, 0},
    {"next response left over", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhiEXTRA", 0, false, 0,
     SG_OK, "S200\nHContent-Length|2\n", "hi", true, 5},
    {"empty value and obs-text", "HTTP/1.1 404 Not Found\r\nX-E:\r\nX-U: caf\xc3\xa9\r\n\r\n", 0,
     false, 0, SG_OK, "S404\nHX-E|\nHX-U|caf\xc3\xa9\n", "", false, 0},
    {"no reason phrase", "HTTP/1.1 500\r\nContent-Length: 1\r\n\r\n!", 0, false, 0, SG_OK,
     "S500\nHContent-Length|1\n", "!", true, 0},
    {"header block exactly fills the buffer", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi", 0,
     false, 38, SG_OK, "S200\nHContent-Length|2\n", "hi", true, 0},
    {"chunked in HTTP/1.0 closes",
     "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\n\r\n",
     0, false, 0, SG_OK, "S200\nHConnection|keep-alive\nHTransfer-Encoding|chunked\n", "x", false,
     0},
    {"every token character in a name",
     "HTTP/1.1 200 OK\r\nAz09!#$%&'*+-.^_`|~: v\r\nContent-Length: 0\r\n\r\n", 0, false, 0, SG_OK,
     "S200\nHAz09!#$%&'*+-.^_`|~|v\nHContent-Length|0\n", "", true, 0},
    {"chunk extension ended by a bare LF", CHUNKED_HEAD "5;ext=1\nhello\r\n0\r\n\r\n", 0, false, 0,
     SG_OK, "S200\nHTransfer-Encoding|chunked\n", "hello", true, 0},
    {"empty transfer-coding elements skipped",
     "HTTP/1.1 200 OK\r\nTransfer-Encoding: , chunked ,\r\n\r\n1\r\nx\r\n0\r\n\r\n", 0, false, 0,
     SG_OK, "S200\nHTransfer-Encoding|, chunked ,\n", "x", true, 0},
    {"other connection options ignored",
     "HTTP/1.1 200 OK\r\nConnection: upgrade, te\r\nContent-Length: 1\r\n\r\nx", 0, false, 0, SG_OK,
     "S200\nHConnection|upgrade, te\nHContent-Length|1\n", "x", true, 0},
    {"HTTP/1.0 keep-alive then close",
     "HTTP/1.0 200 OK\r\nConnection: keep-alive, close\r\nContent-Length: 1\r\n\r\nx", 0, false, 0,
     SG_OK, "S200\nHConnection|keep-alive, close\nHContent-Length|1\n", "x", false, 0},
    {"zero content-length", "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\nNEXT", 0, false, 0, SG_OK,
     "S200\nHContent-Length|0\n", "", true, 4},
};

static void test_valid_responses(void **state)
{
    (void)state;
    check_cases(valid_cases, sizeof(valid_cases) / sizeof(valid_cases[0]));
}

/* ------------------------------------------------------------------ invalid --- */

#define OK200   "HTTP/1.1 200 OK\r\n"
#define CHUNKED OK200 "Transfer-Encoding: chunked\r\n\r\n"

static const pcase invalid_cases[] = {
    {"length and chunked", OK200 "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n", 0,
     false, 0, SG_ERR_HTTP_LENGTH_AND_CHUNKED, NULL, NULL, false, 0},
    {"chunked and length", OK200 "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n", 0,
     false, 0, SG_ERR_HTTP_LENGTH_AND_CHUNKED, NULL, NULL, false, 0},
    {"conflicting lengths", OK200 "Content-Length: 3\r\nContent-Length: 4\r\n\r\nabcd", 0, false, 0,
     SG_ERR_HTTP_CONTENT_LENGTH, NULL, NULL, false, 0},
    {"conflicting length list", OK200 "Content-Length: 3, 4\r\n\r\nabcd", 0, false, 0,
     SG_ERR_HTTP_CONTENT_LENGTH, NULL, NULL, false, 0},
    {"length not a number", OK200 "Content-Length: abc\r\n\r\n", 0, false, 0,
     SG_ERR_HTTP_CONTENT_LENGTH, NULL, NULL, false, 0},
    {"negative length", OK200 "Content-Length: -1\r\n\r\n", 0, false, 0, SG_ERR_HTTP_CONTENT_LENGTH,
     NULL, NULL, false, 0},
    {"signed length", OK200 "Content-Length: +1\r\n\r\n", 0, false, 0, SG_ERR_HTTP_CONTENT_LENGTH,
     NULL, NULL, false, 0},
    {"empty length", OK200 "Content-Length:\r\n\r\n", 0, false, 0, SG_ERR_HTTP_CONTENT_LENGTH, NULL,
     NULL, false, 0},
    {"length with inner space", OK200 "Content-Length: 1 2\r\n\r\n", 0, false, 0,
     SG_ERR_HTTP_CONTENT_LENGTH, NULL, NULL, false, 0},
    {"length overflow", OK200 "Content-Length: 18446744073709551616\r\n\r\n", 0, false, 0,
     SG_ERR_HTTP_CONTENT_LENGTH, NULL, NULL, false, 0},
    {"chunk size not hex", CHUNKED "zz\r\n", 0, false, 0, SG_ERR_HTTP_CHUNK, NULL, NULL, false, 0},
    {"chunk size empty", CHUNKED "\r\nabc", 0, false, 0, SG_ERR_HTTP_CHUNK, NULL, NULL, false, 0},
    {"chunk size negative", CHUNKED "-1\r\n", 0, false, 0, SG_ERR_HTTP_CHUNK, NULL, NULL, false, 0},
    {"chunk size overflow", CHUNKED "10000000000000000\r\n", 0, false, 0, SG_ERR_HTTP_CHUNK, NULL,
     NULL, false, 0},
    {"chunk size with leading space", CHUNKED " 5\r\nhello\r\n0\r\n\r\n", 0, false, 0,
     SG_ERR_HTTP_CHUNK, NULL, NULL, false, 0},
    {"chunk size split by space", CHUNKED "1 0\r\n", 0, false, 0, SG_ERR_HTTP_CHUNK, NULL, NULL,
     false, 0},
    {"chunk longer than its size", CHUNKED "2\r\nabc\r\n0\r\n\r\n", 0, false, 0, SG_ERR_HTTP_CHUNK,
     NULL, NULL, false, 0},
    {"bare CR in status line", "HTTP/1.1 200 OK\rX\r\n\r\n", 0, false, 0, SG_ERR_HTTP_BARE_CR, NULL,
     NULL, false, 0},
    {"bare CR in a header", OK200 "X-A: a\rb\r\n\r\n", 0, false, 0, SG_ERR_HTTP_BARE_CR, NULL, NULL,
     false, 0},
    {"bare CR ending the block", OK200 "X-A: a\r\n\r\r\n", 0, false, 0, SG_ERR_HTTP_BARE_CR, NULL,
     NULL, false, 0},
    {"bare CR in chunk size", CHUNKED "5\rhello\r\n", 0, false, 0, SG_ERR_HTTP_BARE_CR, NULL, NULL,
     false, 0},
    {"bare CR after chunk data", CHUNKED "5\r\nhello\rx", 0, false, 0, SG_ERR_HTTP_BARE_CR, NULL,
     NULL, false, 0},
    {"bare CR in trailer", CHUNKED "0\r\nT: a\rb\r\n\r\n", 0, false, 0, SG_ERR_HTTP_BARE_CR, NULL,
     NULL, false, 0},
    {"obs-fold", OK200 "X-A: a\r\n  continued\r\nContent-Length: 0\r\n\r\n", 0, false, 0,
     SG_ERR_HTTP_OBS_FOLD, NULL, NULL, false, 0},
    {"obs-fold with tab", OK200 "X-A: a\r\n\tcontinued\r\n\r\n", 0, false, 0, SG_ERR_HTTP_OBS_FOLD,
     NULL, NULL, false, 0},
    {"whitespace before first header", OK200 " X-A: a\r\n\r\n", 0, false, 0, SG_ERR_HTTP_OBS_FOLD,
     NULL, NULL, false, 0},
    {"obs-fold in trailer", CHUNKED "0\r\nT: a\r\n b\r\n\r\n", 0, false, 0, SG_ERR_HTTP_OBS_FOLD,
     NULL, NULL, false, 0},
    {"space in header name", OK200 "Bad Name: x\r\n\r\n", 0, false, 0, SG_ERR_HTTP_HEADER_NAME,
     NULL, NULL, false, 0},
    {"space before colon", OK200 "X-A : x\r\n\r\n", 0, false, 0, SG_ERR_HTTP_HEADER_NAME, NULL,
     NULL, false, 0},
    {"control in header name",
     OK200 "X\x01"
           "A: x\r\n\r\n",
     0, false, 0, SG_ERR_HTTP_HEADER_NAME, NULL, NULL, false, 0},
    {"empty header name", OK200 ": x\r\n\r\n", 0, false, 0, SG_ERR_HTTP_HEADER_NAME, NULL, NULL,
     false, 0},
    {"non-tchar in header name", OK200 "X(A): x\r\n\r\n", 0, false, 0, SG_ERR_HTTP_HEADER_NAME,
     NULL, NULL, false, 0},
    {"bad trailer name", CHUNKED "0\r\nT a: b\r\n\r\n", 0, false, 0, SG_ERR_HTTP_HEADER_NAME, NULL,
     NULL, false, 0},
    {"header line without colon", OK200 "NoColon\r\n\r\n", 0, false, 0, SG_ERR_HTTP_MALFORMED, NULL,
     NULL, false, 0},
    {"NUL in header value", OK200 "X-A: a\0b\r\n\r\n", sizeof(OK200 "X-A: a\0b\r\n\r\n") - 1, false,
     0, SG_ERR_HTTP_MALFORMED, NULL, NULL, false, 0},
    {"control in trailer value", CHUNKED "0\r\nT: a\x7f\r\n\r\n", 0, false, 0,
     SG_ERR_HTTP_MALFORMED, NULL, NULL, false, 0},
    {"headers too large", OK200 "X-Long: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n\r\n", 0, false, 48,
     SG_ERR_HTTP_HEADERS_TOO_LARGE, NULL, NULL, false, 0},
    {"headers one byte too large", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi", 0, false, 37,
     SG_ERR_HTTP_HEADERS_TOO_LARGE, NULL, NULL, false, 0},
    {"status line too large", "HTTP/1.1 200 OKOKOKOKOKOKOKOKOKOKOKOK\r\n\r\n", 0, false, 20,
     SG_ERR_HTTP_HEADERS_TOO_LARGE, NULL, NULL, false, 0},
    {"HTTP/2", "HTTP/2 200 OK\r\n\r\n", 0, false, 0, SG_ERR_HTTP_VERSION, NULL, NULL, false, 0},
    {"HTTP/2.0", "HTTP/2.0 200 OK\r\n\r\n", 0, false, 0, SG_ERR_HTTP_VERSION, NULL, NULL, false, 0},
    {"HTTP/0.9", "HTTP/0.9 200 OK\r\n\r\n", 0, false, 0, SG_ERR_HTTP_VERSION, NULL, NULL, false, 0},
    {"not HTTP", "ICY 200 OK\r\n\r\n", 0, false, 0, SG_ERR_HTTP_MALFORMED, NULL, NULL, false, 0},
    {"lower-case protocol", "http/1.1 200 OK\r\n\r\n", 0, false, 0, SG_ERR_HTTP_MALFORMED, NULL,
     NULL, false, 0},
    {"two-digit status", "HTTP/1.1 20 OK\r\n\r\n", 0, false, 0, SG_ERR_HTTP_MALFORMED, NULL, NULL,
     false, 0},
    {"status out of range", "HTTP/1.1 600 Odd\r\n\r\n", 0, false, 0, SG_ERR_HTTP_MALFORMED, NULL,
     NULL, false, 0},
    {"no space after status", "HTTP/1.1 200OK\r\n\r\n", 0, false, 0, SG_ERR_HTTP_MALFORMED, NULL,
     NULL, false, 0},
    {"101 never requested", "HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\n\r\n", 0, false, 0,
     SG_ERR_HTTP_MALFORMED, NULL, NULL, false, 0},
    {"gzip transfer coding", OK200 "Transfer-Encoding: gzip\r\n\r\n", 0, false, 0,
     SG_ERR_HTTP_MALFORMED, NULL, NULL, false, 0},
    {"gzip then chunked", OK200 "Transfer-Encoding: gzip, chunked\r\n\r\n", 0, false, 0,
     SG_ERR_HTTP_MALFORMED, NULL, NULL, false, 0},
    {"chunked twice", OK200 "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n", 0,
     false, 0, SG_ERR_HTTP_MALFORMED, NULL, NULL, false, 0},
    {"truncated body", OK200 "Content-Length: 10\r\n\r\nhello", 0, false, 0, SG_ERR_HTTP_TRUNCATED,
     NULL, NULL, false, 0},
    {"truncated head", OK200 "Content-Length: 10\r\n", 0, false, 0, SG_ERR_HTTP_TRUNCATED, NULL,
     NULL, false, 0},
    {"truncated chunk", CHUNKED "5\r\nhel", 0, false, 0, SG_ERR_HTTP_TRUNCATED, NULL, NULL, false,
     0},
    {"truncated before last chunk", CHUNKED "5\r\nhello\r\n", 0, false, 0, SG_ERR_HTTP_TRUNCATED,
     NULL, NULL, false, 0},
    {"truncated trailers", CHUNKED "0\r\nT: v\r\n", 0, false, 0, SG_ERR_HTTP_TRUNCATED, NULL, NULL,
     false, 0},
    {"truncated after 100", "HTTP/1.1 100 Continue\r\n\r\n", 0, false, 0, SG_ERR_HTTP_TRUNCATED,
     NULL, NULL, false, 0},
    {"version below the digits", "HTTP/ 1.1 200 OK\r\n\r\n", 0, false, 0, SG_ERR_HTTP_MALFORMED,
     NULL, NULL, false, 0},
    {"minor version below the digits", "HTTP/1./ 200 OK\r\n\r\n", 0, false, 0,
     SG_ERR_HTTP_MALFORMED, NULL, NULL, false, 0},
    {"'@' in header name", OK200 "X@A: 1\r\n\r\n", 0, false, 0, SG_ERR_HTTP_HEADER_NAME, NULL, NULL,
     false, 0},
    {"'[' in header name", OK200 "X[A: 1\r\n\r\n", 0, false, 0, SG_ERR_HTTP_HEADER_NAME, NULL, NULL,
     false, 0},
    {"'{' in header name", OK200 "X{A: 1\r\n\r\n", 0, false, 0, SG_ERR_HTTP_HEADER_NAME, NULL, NULL,
     false, 0},
    {"status line only the protocol", "HTTP/\r\n\r\n", 0, false, 0, SG_ERR_HTTP_MALFORMED, NULL,
     NULL, false, 0},
    {"version not a digit", "HTTP/x.1 200 OK\r\n\r\n", 0, false, 0, SG_ERR_HTTP_MALFORMED, NULL,
     NULL, false, 0},
    {"version without a dot", "HTTP/1x1 200 OK\r\n\r\n", 0, false, 0, SG_ERR_HTTP_MALFORMED, NULL,
     NULL, false, 0},
    {"minor version not a digit", "HTTP/1.x 200 OK\r\n\r\n", 0, false, 0, SG_ERR_HTTP_MALFORMED,
     NULL, NULL, false, 0},
    {"no space after the version", "HTTP/1.1_200 OK\r\n\r\n", 0, false, 0, SG_ERR_HTTP_MALFORMED,
     NULL, NULL, false, 0},
    {"status line cut inside the code", "HTTP/1.1 20\r\n\r\n", 0, false, 0, SG_ERR_HTTP_MALFORMED,
     NULL, NULL, false, 0},
    {"status with a colon", "HTTP/1.1 2:0 OK\r\n\r\n", 0, false, 0, SG_ERR_HTTP_MALFORMED, NULL,
     NULL, false, 0},
    {"status below 100", "HTTP/1.1 099 Low\r\n\r\n", 0, false, 0, SG_ERR_HTTP_MALFORMED, NULL, NULL,
     false, 0},
    {"control in the reason", "HTTP/1.1 200 O\x01K\r\n\r\n", 0, false, 0, SG_ERR_HTTP_MALFORMED,
     NULL, NULL, false, 0},
    {"DEL in the reason", "HTTP/1.1 200 O\x7fK\r\n\r\n", 0, false, 0, SG_ERR_HTTP_MALFORMED, NULL,
     NULL, false, 0},
    {"NUL in header name", OK200 "X\0A: 1\r\n\r\n", sizeof(OK200 "X\0A: 1\r\n\r\n") - 1, false, 0,
     SG_ERR_HTTP_HEADER_NAME, NULL, NULL, false, 0},
    {"empty element between lengths", OK200 "Content-Length: 3, ,3\r\n\r\nabc", 0, false, 0,
     SG_ERR_HTTP_CONTENT_LENGTH, NULL, NULL, false, 0},
    {"transfer-encoding of commas only", OK200 "Transfer-Encoding: ,\r\n\r\n", 0, false, 0,
     SG_ERR_HTTP_MALFORMED, NULL, NULL, false, 0},
    {"control in a chunk extension", CHUNKED "5;a\x01\r\nhello\r\n0\r\n\r\n", 0, false, 0,
     SG_ERR_HTTP_CHUNK, NULL, NULL, false, 0},
    {"bare CR after a chunk extension", CHUNKED "5;a\rhello\r\n0\r\n\r\n", 0, false, 0,
     SG_ERR_HTTP_BARE_CR, NULL, NULL, false, 0},
    {"trailer starting with a separator", CHUNKED "0\r\n(T): v\r\n\r\n", 0, false, 0,
     SG_ERR_HTTP_HEADER_NAME, NULL, NULL, false, 0},
    {"trailer name without a colon", CHUNKED "0\r\nTrailer\r\n\r\n", 0, false, 0,
     SG_ERR_HTTP_MALFORMED, NULL, NULL, false, 0},
    {"trailer name cut by a bare LF", CHUNKED "0\r\nTrailer\n\r\n", 0, false, 0,
     SG_ERR_HTTP_MALFORMED, NULL, NULL, false, 0},
    {"bare CR ending the trailers", CHUNKED "0\r\n\rx", 0, false, 0, SG_ERR_HTTP_BARE_CR, NULL,
     NULL, false, 0},
};

static void test_invalid_responses(void **state)
{
    (void)state;
    check_cases(invalid_cases, sizeof(invalid_cases) / sizeof(invalid_cases[0]));
}

/* ------------------------------------------------------------------ others --- */

static void test_empty_input_is_truncated(void **state)
{
    (void)state;
    result r;
    run((const uint8_t *)"", 0, NULL, 0, false, 64, &r);
    assert_int_equal(r.f.st, SG_ERR_HTTP_TRUNCATED);
}

static void test_callback_error_aborts(void **state)
{
    (void)state;
    static const char in[] = OK200 "X-A: 1\r\nX-B: 2\r\n\r\n";
    static result res;
    run_reply((const uint8_t *)in, sizeof(in) - 1, NULL, 0, false, 256, SG_ERR_CANCELLED, &res);
    assert_int_equal(res.f.st, SG_ERR_CANCELLED);     /* sticky: finish says it again */
    assert_string_equal(res.r.log, "S200\nHX-A|1\n"); /* stopped at the first refusal */
}

static void test_headers_checked_before_any_callback(void **state)
{
    (void)state;
    static const char in[] = OK200 "X-A: 1\r\nBad Name: 2\r\n\r\n";
    static result res;
    run((const uint8_t *)in, sizeof(in) - 1, NULL, 0, false, 256, &res);
    assert_int_equal(res.f.st, SG_ERR_HTTP_HEADER_NAME);
    assert_int_equal(res.r.log_len, 0);
}

static sg_status on_status_count(void *ctx, int status)
{
    assert_int_equal(status, 200);
    (*(int *)ctx)++;
    return SG_OK;
}

static sg_status refuse_status(void *ctx, int status)
{
    *(int *)ctx = status;
    return SG_ERR_CANCELLED;
}

/* on_status may refuse the response: nothing further is read, and the refusal sticks. */
static void test_status_callback_refuses(void **state)
{
    (void)state;
    static const char in[] = OK200 "Content-Length: 2\r\n\r\nhi";
    uint8_t buf[128];
    int seen = 0;
    sg_http_sink sink = {&seen, refuse_status, NULL, NULL};
    sg_http_parser p;
    size_t used = 0;
    assert_int_equal(sg_http_parser_init(&p, buf, sizeof(buf), &sink, false), SG_OK);
    assert_int_equal(sg_http_parser_feed(&p, (const uint8_t *)in, sizeof(in) - 1, &used),
                     SG_ERR_CANCELLED);
    assert_int_equal(seen, 200);
    assert_int_equal(sg_http_parser_finish(&p), SG_ERR_CANCELLED);
}

/* No sink, or a sink without some callbacks: the response is still framed and checked. */
static void test_missing_callbacks(void **state)
{
    (void)state;
    static const char in[] = OK200 "Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\nX";
    uint8_t buf[128];
    int seen = 0;
    const sg_http_sink status_only = {&seen, on_status_count, NULL, NULL};
    const sg_http_sink *sinks[] = {NULL, &status_only};
    for (size_t i = 0; i < 2; i++) {
        sg_http_parser p;
        size_t used = 0;
        assert_int_equal(sg_http_parser_init(&p, buf, sizeof(buf), sinks[i], false), SG_OK);
        assert_int_equal(sg_http_parser_feed(&p, (const uint8_t *)in, sizeof(in) - 1, &used),
                         SG_OK);
        assert_true(p.done);
        assert_int_equal(used, sizeof(in) - 2); /* the next response's first byte stays */
        assert_int_equal(p.status, 200);
        assert_int_equal(sg_http_parser_finish(&p), SG_OK); /* done: finishing changes nothing */
        assert_true(p.done);
    }
    assert_int_equal(seen, 1);
    assert_int_equal(sg_http_parser_finish(NULL), SG_ERR_INVALID_ARG);
    size_t used = 7;
    assert_int_equal(sg_http_parser_feed(NULL, (const uint8_t *)in, 1, &used), SG_ERR_INVALID_ARG);
    assert_int_equal(used, 0);
}

/* Counts body bytes and checks the pattern without keeping them. */
typedef struct counter {
    uint64_t bytes;
    size_t calls;
    bool pattern_ok;
} counter;

static sg_status count_body(void *ctx, const uint8_t *data, size_t len)
{
    counter *c = ctx;
    for (size_t i = 0; i < len; i++) {
        if (data[i] != (uint8_t)('a' + (c->bytes + i) % 26)) {
            c->pattern_ok = false;
        }
    }
    c->bytes += len;
    c->calls++;
    return SG_OK;
}

static void feed_pattern(sg_http_parser *p, uint64_t *pos, uint64_t n)
{
    uint8_t piece[100];
    while (n > 0) {
        size_t k = n < sizeof(piece) ? (size_t)n : sizeof(piece);
        for (size_t i = 0; i < k; i++) {
            piece[i] = (uint8_t)('a' + (*pos + i) % 26);
        }
        size_t used;
        assert_int_equal(sg_http_parser_feed(p, piece, k, &used), SG_OK);
        assert_int_equal(used, k);
        *pos += k;
        n -= k;
    }
}

static void feed_str(sg_http_parser *p, const char *s)
{
    size_t used;
    assert_int_equal(sg_http_parser_feed(p, (const uint8_t *)s, strlen(s), &used), SG_OK);
    assert_int_equal(used, strlen(s));
}

static void test_large_bodies_stream_through_small_buffer(void **state)
{
    (void)state;
    uint8_t buf[64];
    counter c = {0, 0, true};
    sg_http_sink sink = {&c, NULL, NULL, count_body};
    sg_http_parser p;
    uint64_t pos = 0;

    assert_int_equal(sg_http_parser_init(&p, buf, sizeof(buf), &sink, false), SG_OK);
    feed_str(&p, "HTTP/1.1 200 OK\r\nContent-Length: 5000000\r\n\r\n");
    feed_pattern(&p, &pos, 5000000);
    assert_true(p.done);
    assert_int_equal(c.bytes, 5000000);
    assert_true(c.pattern_ok);

    c.bytes = 0;
    pos = 0;
    assert_int_equal(sg_http_parser_init(&p, buf, sizeof(buf), &sink, false), SG_OK);
    feed_str(&p, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
    for (int i = 0; i < 20; i++) {
        feed_str(&p, "186a0\r\n"); /* 100000 */
        feed_pattern(&p, &pos, 100000);
        feed_str(&p, "\r\n");
    }
    feed_str(&p, "0\r\n\r\n");
    assert_true(p.done);
    assert_int_equal(c.bytes, 2000000);
    assert_true(c.pattern_ok);
}

static void test_parser_is_small_and_init_checks(void **state)
{
    (void)state;
    assert_true(sizeof(sg_http_parser) < 100);
    sg_http_parser p;
    uint8_t buf[8];
    assert_int_equal(sg_http_parser_init(&p, NULL, 8, NULL, false), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_http_parser_init(&p, buf, 0, NULL, false), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_http_parser_init(NULL, buf, 8, NULL, false), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_http_parser_init(&p, buf, sizeof(buf), NULL, false), SG_OK);
    size_t used;
    assert_int_equal(sg_http_parser_feed(&p, NULL, 1, &used), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_http_parser_feed(&p, buf, 1, NULL), SG_ERR_INVALID_ARG);
    used = 5;
    assert_int_equal(sg_http_parser_feed(&p, NULL, 0, &used), SG_OK); /* nothing to read yet */
    assert_int_equal(used, 0);
    assert_false(p.done);
}

static void test_slice_eq_nocase(void **state)
{
    (void)state;
    sg_slice s = {"Content-LENGTH", 14};
    assert_true(sg_slice_eq_nocase(s, "content-length"));
    assert_false(sg_slice_eq_nocase(s, "content-lengt"));
    s.len = 13;
    assert_false(sg_slice_eq_nocase(s, "content-length"));
    sg_slice n = {NULL, 0};
    assert_false(sg_slice_eq_nocase(n, ""));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_responses),
        cmocka_unit_test(test_invalid_responses),
        cmocka_unit_test(test_empty_input_is_truncated),
        cmocka_unit_test(test_callback_error_aborts),
        cmocka_unit_test(test_headers_checked_before_any_callback),
        cmocka_unit_test(test_status_callback_refuses),
        cmocka_unit_test(test_missing_callbacks),
        cmocka_unit_test(test_large_bodies_stream_through_small_buffer),
        cmocka_unit_test(test_parser_is_small_and_init_checks),
        cmocka_unit_test(test_slice_eq_nocase),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
