/*
 * platform/rtos on the host: the 32-bit millisecond tick widened across its wrap (every
 * 49.7 days), stored tokens that are not tokens, and a byte stream that reads and writes a
 * byte or two at a time under the HTTP client. sg_rtos.c is portable C, compiled into this
 * test (the host library does not carry it).
 */
#include "../../platform/rtos/sg_rtos.c"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <sitegpt/sg_http.h>

/* ------------------------------------------------------------------ fake board --- */

typedef struct board {
    uint32_t tick; /* what millis returns */
    uint32_t slept;
    /* key-value store: one value, and what the hook reports */
    uint8_t kv[512];
    size_t kv_len;
    bool kv_present;
    size_t kv_claim; /* a driver bug: length reported, 0 for the true one */
    /* stream: the response read piece by piece, what was written */
    const char *rx;
    size_t rx_len, rx_pos, rx_piece;
    size_t tx_piece;
    char tx[2048];
    size_t tx_len;
    size_t reads, writes;
    bool read_lies; /* report more bytes than asked */
} board;

static uint32_t b_millis(void *ctx)
{
    return ((board *)ctx)->tick;
}
static void b_delay(void *ctx, uint32_t ms)
{
    board *b = ctx;
    b->tick += ms; /* wraps like the hardware counter */
    b->slept += ms;
}

static sg_status b_kv_read(void *ctx, const char *key, uint8_t *buf, size_t cap, size_t *len)
{
    board *b = ctx;
    assert_string_equal(key, SG_RTOS_TOKEN_KEY);
    if (!b->kv_present) {
        return SG_ERR_NOT_FOUND;
    }
    if (b->kv_len > cap) {
        return SG_ERR_BUFFER_TOO_SMALL;
    }
    memcpy(buf, b->kv, b->kv_len);
    *len = b->kv_claim ? b->kv_claim : b->kv_len;
    return SG_OK;
}

static sg_status b_kv_write(void *ctx, const char *key, const uint8_t *data, size_t len)
{
    board *b = ctx;
    assert_string_equal(key, SG_RTOS_TOKEN_KEY);
    assert_true(len <= sizeof b->kv);
    if (len > 0) {
        memcpy(b->kv, data, len);
    }
    b->kv_len = len;
    b->kv_present = true;
    return SG_OK;
}

static sg_status b_write(void *ctx, const uint8_t *data, size_t len, size_t *written)
{
    board *b = ctx;
    size_t n = len < b->tx_piece ? len : b->tx_piece;
    assert_true(b->tx_len + n <= sizeof b->tx);
    memcpy(b->tx + b->tx_len, data, n);
    b->tx_len += n;
    *written = n;
    b->writes++;
    return SG_OK;
}

static sg_status b_read(void *ctx, uint8_t *buf, size_t cap, size_t *got, uint32_t timeout_ms)
{
    board *b = ctx;
    (void)timeout_ms;
    b->reads++;
    if (b->read_lies) {
        *got = cap + 1;
        return SG_OK;
    }
    size_t n = b->rx_len - b->rx_pos;
    n = n < b->rx_piece ? n : b->rx_piece;
    n = n < cap ? n : cap;
    memcpy(buf, b->rx + b->rx_pos, n);
    b->rx_pos += n;
    *got = n; /* 0 at the end: the peer closed */
    return SG_OK;
}

static sg_rtos_hooks hooks_for(board *b)
{
    sg_rtos_hooks h = {.ctx = b,
                       .millis = b_millis,
                       .delay_ms = b_delay,
                       .stream_write = b_write,
                       .stream_read = b_read,
                       .kv_read = b_kv_read,
                       .kv_write = b_kv_write};
    return h;
}

/* ------------------------------------------------------------------ clock --- */

static void test_tick_wrap_after_49_days(void **state)
{
    (void)state;
    static board b;
    memset(&b, 0, sizeof b);
    b.tick = UINT32_MAX - 999u; /* 49.7 days after power-on, 1 s before the wrap */
    sg_rtos_hooks h = hooks_for(&b);
    static sg_rtos r;
    assert_int_equal(sg_rtos_init(&r, &h), SG_OK);
    uint64_t t0 = r.platform.now_ms(r.platform.ctx);
    assert_int_equal(t0, UINT32_MAX - 999u);
    r.platform.sleep_ms(r.platform.ctx, 1500); /* across the wrap */
    assert_int_equal(b.tick, 500);
    uint64_t t1 = r.platform.now_ms(r.platform.ctx);
    assert_int_equal(t1 - t0, 1500); /* monotonic, not 2^32 - 1000 backwards */
    /* a second wrap, read every 10 days */
    for (int i = 0; i < 5; i++) {
        r.platform.sleep_ms(r.platform.ctx, 10u * 86400000u);
        assert_true(r.platform.now_ms(r.platform.ctx) > t1);
        t1 = r.platform.now_ms(r.platform.ctx);
    }
    assert_int_equal(t1 - t0, 1500 + 50ull * 86400000u);
    assert_true(r._private.wrapped_ms == 2ull << 32);
    assert_int_equal(b.slept, (uint32_t)(1500 + 50ull * 86400000u));
}

/* A deadline computed before the wrap still expires after it (sg_http's request timeout). */
static void test_deadline_across_wrap(void **state)
{
    (void)state;
    static board b;
    memset(&b, 0, sizeof b);
    b.tick = UINT32_MAX - 10u;
    sg_rtos_hooks h = hooks_for(&b);
    static sg_rtos r;
    assert_int_equal(sg_rtos_init(&r, &h), SG_OK);
    uint64_t deadline = r.platform.now_ms(r.platform.ctx) + 100;
    b.tick += 50; /* wrapped: 39 */
    assert_true(r.platform.now_ms(r.platform.ctx) < deadline);
    b.tick += 60;
    assert_true(r.platform.now_ms(r.platform.ctx) >= deadline);
}

/* ------------------------------------------------------------------ token store --- */

static sg_status load_stored(board *b, const void *stored, size_t len, char *out, size_t cap)
{
    memset(b, 0, sizeof *b);
    memcpy(b->kv, stored, len);
    b->kv_len = len;
    b->kv_present = true;
    sg_rtos_hooks h = hooks_for(b);
    static sg_rtos r;
    assert_int_equal(sg_rtos_init(&r, &h), SG_OK);
    memset(out, 'X', cap);
    return sg_rtos_token_load(&r, out, cap);
}

static bool wiped(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (p[i] != '\0') {
            return false;
        }
    }
    return true;
}

static void test_malformed_stored_tokens(void **state)
{
    (void)state;
    static board b;
    char tok[64];
    assert_int_equal(load_stored(&b, "sgpt_abc123", 11, tok, sizeof tok), SG_OK);
    assert_string_equal(tok, "sgpt_abc123");

    static const struct {
        const char *value;
        size_t len;
    } bad[] = {
        {"sgpt_", 5},                    /* the prefix alone */
        {"abcd_abc123", 11},             /* another prefix */
        {"sgpt_ab c", 9},                /* a space: would split the header */
        {"sgpt_ab\r\nX: y", 13},         /* header injection */
        {"sgpt_ab\0cd", 10},             /* a NUL inside */
        {"sgpt_\xc3\xa9t\xc3\xa9", 9},   /* not ASCII */
        {"sgpt_\x7f", 6},                /* DEL */
        {"\xff\xff\xff\xff\xff\xff", 6}, /* erased flash */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(load_stored(&b, bad[i].value, bad[i].len, tok, sizeof tok),
                         SG_ERR_STORAGE);
        assert_true(wiped(tok, sizeof tok)); /* nothing half-read is left for the caller */
    }
    /* empty (logout without erase): no token, not a broken one */
    assert_int_equal(load_stored(&b, "", 0, tok, sizeof tok), SG_ERR_NOT_FOUND);
    /* longer than the caller's buffer: the driver says so, nothing is left */
    assert_int_equal(load_stored(&b, "sgpt_0123456789", 15, tok, 8), SG_ERR_BUFFER_TOO_SMALL);
    assert_true(wiped(tok, 8));
    /* a driver claiming more bytes than fit is caught, not trusted */
    memset(&b, 0, sizeof b);
    memcpy(b.kv, "sgpt_abc", 8);
    b.kv_len = 8;
    b.kv_present = true;
    b.kv_claim = 100;
    sg_rtos_hooks h = hooks_for(&b);
    static sg_rtos r;
    assert_int_equal(sg_rtos_init(&r, &h), SG_OK);
    assert_int_equal(sg_rtos_token_load(&r, tok, sizeof tok), SG_ERR_STORAGE);
    assert_true(wiped(tok, sizeof tok));
    /* store refuses what load would refuse; erase without a hook leaves an empty value */
    assert_int_equal(sg_rtos_token_store(&r, "sgpt_a b"), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_rtos_token_store(&r, "sgpt_good"), SG_OK);
    b.kv_claim = 0;
    assert_int_equal(sg_rtos_token_load(&r, tok, sizeof tok), SG_OK);
    assert_string_equal(tok, "sgpt_good");
    assert_int_equal(sg_rtos_token_erase(&r), SG_OK);
    assert_int_equal(sg_rtos_token_load(&r, tok, sizeof tok), SG_ERR_NOT_FOUND);
}

/* ------------------------------------------------------------------ stream --- */

static sg_status body_sink(void *ctx, const uint8_t *data, size_t len)
{
    char *out = ctx;
    size_t have = strlen(out);
    assert_true(have + len < 64);
    memcpy(out + have, data, len);
    out[have + len] = '\0';
    return SG_OK;
}

static void exchange_over(board *b, size_t rx_piece, size_t tx_piece)
{
    static const char resp[] = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                               "5\r\nhello\r\n7\r\n, world\r\n0\r\n\r\n";
    memset(b, 0, sizeof *b);
    b->tick = UINT32_MAX - 5u; /* the exchange straddles the wrap too */
    b->rx = resp;
    b->rx_len = sizeof resp - 1;
    b->rx_piece = rx_piece;
    b->tx_piece = tx_piece;
    sg_rtos_hooks h = hooks_for(b);
    static sg_rtos r;
    assert_int_equal(sg_rtos_init(&r, &h), SG_OK);
    static sg_http_client http;
    static uint8_t io[256];
    sg_http_config hc = {.platform = &r.platform, .plain = &r.stream};
    assert_int_equal(sg_http_client_init(&http, &hc, io, sizeof io), SG_OK);
    sg_http_origin o = {"127.0.0.1", 80, false}; /* plain http: loopback only */
    sg_http_request req = {.method = "GET", .target = "/api/v2/me"};
    char body[64] = "";
    sg_http_sink sink = {.ctx = body, .on_body = body_sink};
    int status = 0;
    assert_int_equal(sg_http_exchange(&http, &o, &req, &sink, &status), SG_OK);
    assert_int_equal(status, 200);
    assert_string_equal(body, "hello, world");
    b->tx[b->tx_len] = '\0';
    assert_non_null(strstr(b->tx, "GET /api/v2/me HTTP/1.1\r\nHost: 127.0.0.1\r\n"));
    sg_http_client_close(&http);
}

static void test_short_reads_and_writes(void **state)
{
    (void)state;
    static board b;
    exchange_over(&b, 1, 1); /* a byte per call both ways */
    assert_true(b.reads >= b.rx_len);
    assert_true(b.writes == b.tx_len);
    exchange_over(&b, 3, 2);
    exchange_over(&b, 1000, 1000);
    assert_true(b.reads < 5);
}

static void test_stream_driver_bugs_are_caught(void **state)
{
    (void)state;
    static board b;
    memset(&b, 0, sizeof b);
    b.read_lies = true;
    sg_rtos_hooks h = hooks_for(&b);
    static sg_rtos r;
    assert_int_equal(sg_rtos_init(&r, &h), SG_OK);
    uint8_t buf[4];
    size_t got = 0;
    assert_int_equal(r.stream.recv(r.stream.ctx, buf, sizeof buf, &got, 10), SG_ERR_CLOSED);
    assert_int_equal(r.stream.open(r.stream.ctx, "h", 1, 10), SG_OK);
    assert_int_equal(r.stream.recv(r.stream.ctx, buf, sizeof buf, &got, 10), SG_ERR_IO);
    r.stream.close(r.stream.ctx);
    assert_int_equal(r.stream.recv(r.stream.ctx, buf, sizeof buf, &got, 10), SG_ERR_CLOSED);
    /* required hooks */
    h.millis = NULL;
    assert_int_equal(sg_rtos_init(&r, &h), SG_ERR_INVALID_ARG);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tick_wrap_after_49_days),
        cmocka_unit_test(test_deadline_across_wrap),
        cmocka_unit_test(test_malformed_stored_tokens),
        cmocka_unit_test(test_short_reads_and_writes),
        cmocka_unit_test(test_stream_driver_bugs_are_caught),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
