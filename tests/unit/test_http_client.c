/* Keep-alive client over the scripted in-memory transport and fake clock. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "capture.h"
#include "mem_transport.h"
#include <sitegpt/sg_http.h>

#define RESP_OK(body) "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n" body

typedef struct fixture {
    mem_net net;
    sg_http_config cfg;
    sg_http_client client;
    uint8_t buf[512];
    uint8_t capture[8192];
    /* what the sink saw */
    int status_seen;
    char body[256];
    size_t body_len;
    uint64_t big_bytes;
    bool big_pattern_ok;
} fixture;

static sg_status f_status(void *ctx, int status)
{
    ((fixture *)ctx)->status_seen = status;
    return SG_OK;
}

static sg_status f_body(void *ctx, const uint8_t *data, size_t len)
{
    fixture *f = ctx;
    assert_true(capture_append(f->body, sizeof(f->body), &f->body_len, data, len));
    return SG_OK;
}

static sg_status f_big_body(void *ctx, const uint8_t *data, size_t len)
{
    fixture *f = ctx;
    assert_true(len <= sizeof(f->buf)); /* never more than the I/O buffer at once */
    for (size_t i = 0; i < len; i++) {
        if (data[i] != (uint8_t)('A' + (f->big_bytes + i) % 23)) {
            f->big_pattern_ok = false;
        }
    }
    f->big_bytes += len;
    return SG_OK;
}

static int setup(void **state)
{
    static fixture f;
    memset(&f, 0, sizeof(f));
    mem_net_init(&f.net, 1000000, f.capture, sizeof(f.capture));
    f.cfg.platform = &f.net.platform;
    f.cfg.plain = &f.net.transport;
    f.cfg.tls = &f.net.transport;
    f.cfg.connect_timeout_ms = 2000;
    f.cfg.read_timeout_ms = 1000;
    f.cfg.request_timeout_ms = 2500;
    assert_int_equal(sg_http_client_init(&f.client, &f.cfg, f.buf, sizeof(f.buf)), SG_OK);
    *state = &f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    sg_http_client_close(&f->client);
    return 0;
}

static const sg_http_origin local = {"localhost", 8080, false};
static const sg_http_origin other = {"127.0.0.1", 8080, false};

static sg_status get(fixture *f, const sg_http_origin *o, const char *target, int *status)
{
    sg_http_request req = {"GET", target, "sgpt_test", NULL, NULL, NULL, 0, NULL, 0};
    sg_http_sink sink = {f, f_status, NULL, f_body};
    f->body_len = 0;
    f->body[0] = '\0';
    return sg_http_exchange(&f->client, o, &req, &sink, status);
}

static void test_client_is_small(void **state)
{
    (void)state;
    assert_true(sizeof(sg_http_client) <= 512);
}

static void test_reuse_same_origin(void **state)
{
    fixture *f = *state;
    static const mem_step recv[] = {MEM_DATA_STR(RESP_OK("aa")), MEM_DATA_STR(RESP_OK("bb"))};
    mem_transport_script_recv(&f->net.mt, recv, 2);
    int status = 0;
    assert_int_equal(get(f, &local, "/one", &status), SG_OK);
    assert_int_equal(status, 200);
    assert_string_equal(f->body, "aa");
    assert_int_equal(get(f, &local, "/two", &status), SG_OK);
    assert_string_equal(f->body, "bb");
    assert_int_equal(f->net.mt.opens, 1);
    assert_int_equal(f->net.mt.closes, 0);
    assert_string_equal(f->net.mt.last_host, "localhost");
    assert_int_equal(f->net.mt.last_port, 8080);
    assert_int_equal(f->client.requests_on_conn, 2);
    assert_int_equal(mem_transport_count_sent(&f->net.mt, "GET /one HTTP/1.1\r\n"), 1);
    assert_int_equal(mem_transport_count_sent(&f->net.mt, "GET /two HTTP/1.1\r\n"), 1);
    assert_int_equal(mem_transport_count_sent(&f->net.mt, "Host: localhost:8080\r\n"), 2);
    assert_int_equal(mem_transport_count_sent(&f->net.mt, "Authorization: Bearer sgpt_test\r\n"),
                     2);
    assert_false(mem_holds(f->buf, sizeof(f->buf), "sgpt_test")); /* no token left behind */
}

static void test_other_origin_reopens(void **state)
{
    fixture *f = *state;
    static const mem_step recv[] = {MEM_DATA_STR(RESP_OK("aa")), MEM_DATA_STR(RESP_OK("bb")),
                                    MEM_DATA_STR(RESP_OK("cc"))};
    mem_transport_script_recv(&f->net.mt, recv, 3);
    sg_http_origin port2 = {"localhost", 8081, false};
    int status;
    assert_int_equal(get(f, &local, "/a", &status), SG_OK);
    assert_int_equal(get(f, &other, "/b", &status), SG_OK);
    assert_string_equal(f->net.mt.last_host, "127.0.0.1");
    assert_int_equal(get(f, &port2, "/c", &status), SG_OK);
    assert_string_equal(f->body, "cc");
    assert_int_equal(f->net.mt.opens, 3);
    assert_int_equal(f->net.mt.closes, 2);
    assert_int_equal(f->net.mt.last_port, 8081);
}

/* Steps the idle probe (a recv with timeout 0) cannot see yet: they follow the request. */
#define EOF_AFTER(ms)                      \
    {                                      \
        MEM_STEP_EOF, NULL, 0, SG_OK, (ms) \
    }
#define ERROR_AFTER(ms, err)                 \
    {                                        \
        MEM_STEP_ERROR, NULL, 0, (err), (ms) \
    }

static sg_status post(fixture *f, const char *target, int *status)
{
    static const char body[] = "{\"name\":\"ci\"}";
    sg_http_request req = {"POST",
                           target,
                           "sgpt_test",
                           NULL,
                           "application/json",
                           (const uint8_t *)body,
                           sizeof(body) - 1,
                           NULL,
                           0};
    sg_http_sink sink = {f, f_status, NULL, f_body};
    f->body_len = 0;
    f->body[0] = '\0';
    return sg_http_exchange(&f->client, &local, &req, &sink, status);
}

/* The probe finds the idle connection dead: the request goes once, on a fresh one. */
static void idle_close_then_reopen(fixture *f, const mem_step *recv, size_t n, bool use_post)
{
    mem_transport_script_recv(&f->net.mt, recv, n);
    int status = 0;
    assert_int_equal(get(f, &local, "/first", &status), SG_OK);
    assert_int_equal(use_post ? post(f, "/second", &status) : get(f, &local, "/second", &status),
                     SG_OK);
    assert_int_equal(status, 200);
    assert_string_equal(f->body, "bb");
    assert_int_equal(f->net.mt.opens, 2);
    assert_int_equal(f->net.mt.closes, 1);
    assert_int_equal(mem_transport_count_sent(&f->net.mt, "/second "), 1);
    assert_int_equal(mem_transport_recv_left(&f->net.mt), 0);
    assert_false(mem_holds(f->buf, sizeof(f->buf), "sgpt_test"));
}

static void test_reopen_after_idle_close(void **state)
{
    static const mem_step recv[] = {MEM_DATA_STR(RESP_OK("aa")), MEM_EOF(),
                                    MEM_DATA_STR(RESP_OK("bb"))};
    idle_close_then_reopen(*state, recv, 3, false);
}

static void test_reopen_after_reset(void **state)
{
    static const mem_step recv[] = {MEM_DATA_STR(RESP_OK("aa")), MEM_ERROR(SG_ERR_IO),
                                    MEM_DATA_STR(RESP_OK("bb"))};
    idle_close_then_reopen(*state, recv, 3, false);
}

static void test_post_after_idle_close_sent_once(void **state)
{
    static const mem_step recv[] = {MEM_DATA_STR(RESP_OK("aa")), MEM_EOF(),
                                    MEM_DATA_STR(RESP_OK("bb"))};
    idle_close_then_reopen(*state, recv, 3, true);
}

static void test_post_after_idle_tls_error_sent_once(void **state)
{
    static const mem_step recv[] = {MEM_DATA_STR(RESP_OK("aa")), MEM_ERROR(SG_ERR_TLS),
                                    MEM_DATA_STR(RESP_OK("bb"))};
    idle_close_then_reopen(*state, recv, 3, true);
}

static void test_idle_bytes_drop_connection(void **state)
{
    fixture *f = *state;
    /* the first response is read exactly; its last byte arrives while the connection idles */
    static const mem_step recv[] = {MEM_DATA_STR(RESP_OK("aa") "X"), MEM_DATA_STR(RESP_OK("bb"))};
    f->net.mt.recv_max = sizeof(RESP_OK("aa")) - 1;
    idle_close_then_reopen(f, recv, 2, true);
}

/* The probe passed, then the connection died before any response byte. */
static void died_after_send(fixture *f, const mem_step *recv, size_t n, bool use_post,
                            sg_status expect)
{
    mem_transport_script_recv(&f->net.mt, recv, n);
    int status = 0;
    assert_int_equal(get(f, &local, "/first", &status), SG_OK);
    sg_status st = use_post ? post(f, "/second", &status) : get(f, &local, "/second", &status);
    assert_int_equal(st, expect);
    if (use_post) {
        /* the server may have acted on it: never sent again */
        assert_null(f->client.conn);
        assert_int_equal(status, 0);
        assert_int_equal(mem_transport_count_sent(&f->net.mt, "POST /second "), 1);
        assert_int_equal(f->net.mt.opens, 1);
        assert_int_equal(mem_transport_recv_left(&f->net.mt), n - 2);
    } else {
        assert_int_equal(status, 200);
        assert_string_equal(f->body, "bb");
        assert_int_equal(mem_transport_count_sent(&f->net.mt, "GET /second "), 2);
        assert_int_equal(f->net.mt.opens, 2);
        assert_int_equal(mem_transport_recv_left(&f->net.mt), 0);
    }
}

static void test_get_resent_after_eof(void **state)
{
    static const mem_step recv[] = {MEM_DATA_STR(RESP_OK("aa")), EOF_AFTER(1),
                                    MEM_DATA_STR(RESP_OK("bb"))};
    died_after_send(*state, recv, 3, false, SG_OK);
}

static void test_get_resent_after_tls_error(void **state)
{
    static const mem_step recv[] = {MEM_DATA_STR(RESP_OK("aa")), ERROR_AFTER(1, SG_ERR_TLS),
                                    MEM_DATA_STR(RESP_OK("bb"))};
    died_after_send(*state, recv, 3, false, SG_OK);
}

static void test_post_not_resent_after_eof(void **state)
{
    static const mem_step recv[] = {MEM_DATA_STR(RESP_OK("aa")), EOF_AFTER(1),
                                    MEM_DATA_STR(RESP_OK("bb"))};
    died_after_send(*state, recv, 3, true, SG_ERR_CLOSED);
}

static void test_post_not_resent_after_reset(void **state)
{
    static const mem_step recv[] = {MEM_DATA_STR(RESP_OK("aa")), ERROR_AFTER(1, SG_ERR_CLOSED),
                                    MEM_DATA_STR(RESP_OK("bb"))};
    died_after_send(*state, recv, 3, true, SG_ERR_CLOSED);
}

/* A method the client has no traits for (an extension method, RFC 9110 16.1) is treated as
   neither idempotent nor body-bearing: written as given, no Content-Length without a body,
   and never sent twice when the reused connection dies after it went out. */
static void test_unknown_method_is_not_resent(void **state)
{
    fixture *f = *state;
    static const mem_step recv[] = {MEM_DATA_STR(RESP_OK("aa")), EOF_AFTER(1),
                                    MEM_DATA_STR(RESP_OK("bb"))};
    mem_transport_script_recv(&f->net.mt, recv, 3);
    int status = 0;
    assert_int_equal(get(f, &local, "/first", &status), SG_OK);
    sg_http_request req = {"PROPFIND", "/second", "sgpt_test", NULL, NULL, NULL, 0, NULL, 0};
    sg_http_sink sink = {f, f_status, NULL, f_body};
    status = 0;
    assert_int_equal(sg_http_exchange(&f->client, &local, &req, &sink, &status), SG_ERR_CLOSED);
    assert_int_equal(status, 0);
    assert_int_equal(mem_transport_count_sent(&f->net.mt, "PROPFIND /second HTTP/1.1\r\n"), 1);
    assert_int_equal(mem_transport_count_sent(&f->net.mt, "Content-Length"), 0);
    assert_int_equal(f->net.mt.opens, 1);
    assert_int_equal(mem_transport_recv_left(&f->net.mt), 1);
}

static void test_reopen_after_send_failure(void **state)
{
    fixture *f = *state;
    static const mem_step send[] = {MEM_OK(), MEM_ERROR(SG_ERR_CLOSED)};
    static const mem_step recv[] = {MEM_DATA_STR(RESP_OK("aa")), MEM_DATA_STR(RESP_OK("bb"))};
    mem_transport_script_send(&f->net.mt, send, 2);
    mem_transport_script_recv(&f->net.mt, recv, 2);
    int status = 0;
    assert_int_equal(get(f, &local, "/first", &status), SG_OK);
    assert_int_equal(get(f, &local, "/second", &status), SG_OK);
    assert_string_equal(f->body, "bb");
    assert_int_equal(f->net.mt.opens, 2);
    assert_int_equal(mem_transport_count_sent(&f->net.mt, "GET /second "),
                     1); /* the failed send kept nothing */
}

static void test_post_send_failure_not_resent(void **state)
{
    fixture *f = *state;
    /* the head went out, the body did not: still not ours to judge what the server did */
    static const mem_step send[] = {MEM_OK(), MEM_OK(), MEM_OK(), MEM_ERROR(SG_ERR_CLOSED)};
    static const mem_step recv[] = {MEM_DATA_STR(RESP_OK("aa")), MEM_DATA_STR(RESP_OK("bb"))};
    mem_transport_script_send(&f->net.mt, send, 4);
    mem_transport_script_recv(&f->net.mt, recv, 2);
    int status = 0;
    assert_int_equal(post(f, "/first", &status), SG_OK);
    assert_int_equal(post(f, "/second", &status), SG_ERR_CLOSED);
    assert_int_equal(f->net.mt.opens, 1);
    assert_int_equal(f->net.mt.sends, 4);
    assert_int_equal(mem_transport_count_sent(&f->net.mt, "POST /second "), 1);
    assert_int_equal(mem_transport_recv_left(&f->net.mt), 1);
}

static void test_reopen_only_once(void **state)
{
    fixture *f = *state;
    static const mem_step recv[] = {MEM_DATA_STR(RESP_OK("aa")), EOF_AFTER(1), MEM_EOF()};
    mem_transport_script_recv(&f->net.mt, recv, 3);
    int status = 0;
    assert_int_equal(get(f, &local, "/first", &status), SG_OK);
    assert_int_equal(get(f, &local, "/second", &status), SG_ERR_CLOSED);
    assert_int_equal(status, 0);
    assert_int_equal(f->net.mt.opens, 2);
    assert_int_equal(mem_transport_count_sent(&f->net.mt, "GET /second "), 2);
    assert_null(f->client.conn);
}

static void test_no_reopen_once_response_started(void **state)
{
    fixture *f = *state;
    static const mem_step recv[] = {MEM_DATA_STR(RESP_OK("aa")),
                                    MEM_DATA_STR("HTTP/1.1 200 OK\r\nContent-Le"), MEM_EOF(),
                                    MEM_DATA_STR(RESP_OK("bb"))};
    mem_transport_script_recv(&f->net.mt, recv, 4);
    int status = 0;
    assert_int_equal(get(f, &local, "/first", &status), SG_OK);
    assert_int_equal(get(f, &local, "/second", &status), SG_ERR_HTTP_TRUNCATED);
    assert_int_equal(f->net.mt.opens, 1);
    assert_int_equal(f->net.mt.closes, 1);
    assert_int_equal(mem_transport_count_sent(&f->net.mt, "GET /second "), 1);
    assert_int_equal(mem_transport_recv_left(&f->net.mt), 1);
}

static void test_reset_mid_response_is_truncated(void **state)
{
    fixture *f = *state;
    /* A reset (or TLS ending without close_notify) inside a body ended by close. */
    static const mem_step recv[] = {MEM_DATA_STR("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nab"),
                                    MEM_ERROR(SG_ERR_CLOSED)};
    mem_transport_script_recv(&f->net.mt, recv, 2);
    int status = 0;
    assert_int_equal(get(f, &local, "/cut", &status), SG_ERR_HTTP_TRUNCATED);
    assert_string_equal(f->body, "ab");
    assert_int_equal(f->net.mt.opens, 1);
}

static void test_no_reopen_on_fresh_connection(void **state)
{
    fixture *f = *state;
    static const mem_step recv[] = {MEM_EOF(), MEM_DATA_STR(RESP_OK("bb"))};
    mem_transport_script_recv(&f->net.mt, recv, 2);
    int status = 0;
    assert_int_equal(get(f, &local, "/first", &status), SG_ERR_CLOSED);
    assert_int_equal(f->net.mt.opens, 1);
}

static void test_connection_close_is_honoured(void **state)
{
    fixture *f = *state;
    static const mem_step recv[] = {
        MEM_DATA_STR("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\naa"),
        MEM_DATA_STR("HTTP/1.1 404 Not Found\r\nContent-Length: 2\r\n\r\nbb")};
    mem_transport_script_recv(&f->net.mt, recv, 2);
    int status = 0;
    assert_int_equal(get(f, &local, "/first", &status), SG_OK);
    assert_null(f->client.conn);
    assert_int_equal(f->net.mt.closes, 1);
    assert_int_equal(get(f, &local, "/second", &status), SG_OK);
    assert_int_equal(status, 404); /* an error status is not a transport error */
    assert_int_equal(f->status_seen, 404);
    assert_string_equal(f->body, "bb");
    assert_int_equal(f->net.mt.opens, 2);
}

static void test_extra_bytes_drop_connection(void **state)
{
    fixture *f = *state;
    static const mem_step recv[] = {MEM_DATA_STR(RESP_OK("aa") "HTTP/1.1 200 OK\r\n")};
    mem_transport_script_recv(&f->net.mt, recv, 1);
    int status = 0;
    assert_int_equal(get(f, &local, "/first", &status), SG_OK);
    assert_string_equal(f->body, "aa");
    assert_null(f->client.conn);
}

static void test_read_timeout(void **state)
{
    fixture *f = *state;
    static const mem_step recv[] = {MEM_DATA_STR_AFTER(5000, RESP_OK("aa"))};
    mem_transport_script_recv(&f->net.mt, recv, 1);
    int status = 0;
    assert_int_equal(get(f, &local, "/slow", &status), SG_ERR_TIMEOUT);
    assert_int_equal(f->net.mt.last_recv_timeout_ms, 1000);
    assert_int_equal(f->net.clock.now_ms, 1000000 + 1000);
    assert_null(f->client.conn);
}

static void test_connect_timeout(void **state)
{
    fixture *f = *state;
    static const mem_step open[] = {MEM_OK_AFTER(3000)};
    mem_transport_script_open(&f->net.mt, open, 1);
    int status = 0;
    assert_int_equal(get(f, &local, "/x", &status), SG_ERR_TIMEOUT);
    assert_int_equal(f->net.mt.last_open_timeout_ms, 2000);
    assert_int_equal(f->net.mt.opens, 0);
    assert_int_equal(f->net.clock.now_ms, 1000000 + 2000);
}

static void test_open_error_passes_through(void **state)
{
    fixture *f = *state;
    static const mem_step open[] = {MEM_ERROR(SG_ERR_CONNECT)};
    mem_transport_script_open(&f->net.mt, open, 1);
    int status = 0;
    assert_int_equal(get(f, &local, "/x", &status), SG_ERR_CONNECT);
    assert_int_equal(f->net.mt.sends, 0);
}

static void test_request_deadline(void **state)
{
    fixture *f = *state;
    /* each piece alone is within the read timeout, together they pass the deadline */
    static const mem_step recv[] = {
        MEM_DATA_STR_AFTER(900, "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n"),
        MEM_DATA_STR_AFTER(900, "a"), MEM_DATA_STR_AFTER(900, "b"), MEM_DATA_STR_AFTER(900, "c")};
    mem_transport_script_recv(&f->net.mt, recv, 4);
    int status = 0;
    assert_int_equal(get(f, &local, "/slow", &status), SG_ERR_TIMEOUT);
    assert_int_equal(f->net.mt.last_recv_timeout_ms, 700); /* what was left of 2500 */
    assert_int_equal(f->net.clock.now_ms, 1000000 + 2500);
    assert_string_equal(f->body, "a");
}

static void test_timeout_on_reused_connection_is_not_retried(void **state)
{
    fixture *f = *state;
    static const mem_step recv[] = {MEM_DATA_STR(RESP_OK("aa")),
                                    MEM_DATA_STR_AFTER(5000, RESP_OK("bb"))};
    mem_transport_script_recv(&f->net.mt, recv, 2);
    int status = 0;
    assert_int_equal(get(f, &local, "/first", &status), SG_OK);
    assert_int_equal(get(f, &local, "/second", &status), SG_ERR_TIMEOUT);
    assert_int_equal(f->net.mt.opens, 1);
}

static uint8_t big[(1u << 20) + 128];

static void test_big_body_through_small_buffer(void **state)
{
    fixture *f = *state;
    static const char head[] = "HTTP/1.1 200 OK\r\nContent-Length: 1048576\r\n\r\n";
    size_t hl = sizeof(head) - 1;
    memcpy(big, head, hl);
    for (size_t i = 0; i < (1u << 20); i++) {
        big[hl + i] = (uint8_t)('A' + i % 23);
    }
    mem_step recv[1] = {MEM_DATA(big, hl + (1u << 20))};
    mem_transport_script_recv(&f->net.mt, recv, 1);
    f->big_pattern_ok = true;
    sg_http_request req = {"GET", "/big", NULL, NULL, NULL, NULL, 0, NULL, 0};
    sg_http_sink sink = {f, NULL, NULL, f_big_body};
    int status = 0;
    assert_int_equal(sg_http_exchange(&f->client, &local, &req, &sink, &status), SG_OK);
    assert_int_equal(status, 200);
    assert_int_equal(f->big_bytes, 1u << 20);
    assert_true(f->big_pattern_ok);
    assert_true(f->net.mt.recvs >= (1u << 20) / sizeof(f->buf));
    assert_non_null(f->client.conn); /* still reusable */
}

static void test_chunked_and_interim_in_tiny_reads(void **state)
{
    fixture *f = *state;
    static const mem_step recv[] = {
        MEM_DATA_STR("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nTransfer-Encoding: "
                     "chunked\r\n\r\n3\r\nabc\r\n2;e=1\r\nde\r\n0\r\n\r\n"),
        MEM_DATA_STR(RESP_OK("zz"))};
    mem_transport_script_recv(&f->net.mt, recv, 2);
    f->net.mt.recv_max = 3;
    int status = 0;
    assert_int_equal(get(f, &local, "/c", &status), SG_OK);
    assert_int_equal(status, 201);
    assert_string_equal(f->body, "abcde");
    assert_int_equal(get(f, &local, "/d", &status), SG_OK);
    assert_string_equal(f->body, "zz");
    assert_int_equal(f->net.mt.opens, 1);
}

static void test_head_request_then_reuse(void **state)
{
    fixture *f = *state;
    static const mem_step recv[] = {MEM_DATA_STR("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n"),
                                    MEM_DATA_STR(RESP_OK("bb"))};
    mem_transport_script_recv(&f->net.mt, recv, 2);
    sg_http_request req = {"HEAD", "/h", NULL, NULL, NULL, NULL, 0, NULL, 0};
    sg_http_sink sink = {f, f_status, NULL, f_body};
    int status = 0;
    assert_int_equal(sg_http_exchange(&f->client, &local, &req, &sink, &status), SG_OK);
    assert_int_equal(status, 200);
    assert_int_equal(f->body_len, 0);
    assert_int_equal(get(f, &local, "/next", &status), SG_OK);
    assert_string_equal(f->body, "bb");
    assert_int_equal(f->net.mt.opens, 1);
}

static void test_post_body_and_partial_sends(void **state)
{
    fixture *f = *state;
    static const mem_step send[] = {MEM_SEND_PARTIAL(5), MEM_SEND_PARTIAL(1), MEM_OK(),
                                    MEM_SEND_PARTIAL(4)};
    static const mem_step recv[] = {MEM_DATA_STR(RESP_OK("ok"))};
    mem_transport_script_send(&f->net.mt, send, 4);
    mem_transport_script_recv(&f->net.mt, recv, 1);
    static const char body[] = "client_id=sitegpt-cli&scope=a";
    sg_http_request req = {"POST",
                           "/oauth/token",
                           NULL,
                           NULL,
                           "application/x-www-form-urlencoded",
                           (const uint8_t *)body,
                           sizeof(body) - 1,
                           NULL,
                           0};
    sg_http_sink sink = {f, NULL, NULL, f_body};
    int status = 0;
    assert_int_equal(sg_http_exchange(&f->client, &local, &req, &sink, &status), SG_OK);
    assert_string_equal(f->body, "ok");
    const char *tail = "Content-Length: 29\r\n\r\nclient_id=sitegpt-cli&scope=a";
    size_t tl = strlen(tail);
    assert_true(f->net.mt.captured > tl);
    assert_memory_equal(f->capture + f->net.mt.captured - tl, tail, tl);
    assert_memory_equal(f->capture, "POST /oauth/token HTTP/1.1\r\n", 28);
    assert_int_equal(f->net.mt.sends, 5);
}

static void expect_host_header(fixture *f, const sg_http_origin *o, const char *line)
{
    static const mem_step recv[] = {MEM_DATA_STR(RESP_OK("aa"))};
    mem_transport_script_recv(&f->net.mt, recv, 1);
    f->net.mt.captured = 0;
    int status;
    assert_int_equal(get(f, o, "/", &status), SG_OK);
    assert_int_equal(mem_transport_count_sent(&f->net.mt, line), 1);
    assert_string_equal(f->net.mt.last_host, o->host);
}

static void test_host_header_ports(void **state)
{
    fixture *f = *state;
    const sg_http_origin https_default = {"sitegpt.ai", 443, true};
    const sg_http_origin http_default = {"127.0.0.2", 80, false};
    const sg_http_origin https_other = {"localhost", 8443, true};
    const sg_http_origin v6 = {"::1", 8443, true};
    const sg_http_origin v6_default = {"::1", 80, false};
    const sg_http_origin https_on_80 = {"h.test", 80, true};
    expect_host_header(f, &https_default, "\r\nHost: sitegpt.ai\r\n");
    expect_host_header(f, &http_default, "\r\nHost: 127.0.0.2\r\n");
    expect_host_header(f, &https_other, "\r\nHost: localhost:8443\r\n");
    expect_host_header(f, &v6, "\r\nHost: [::1]:8443\r\n");
    expect_host_header(f, &v6_default, "\r\nHost: [::1]\r\n");
    expect_host_header(f, &https_on_80, "\r\nHost: h.test:80\r\n");
}

static void test_headers_too_large_reports_limit(void **state)
{
    fixture *f = *state;
    static char head[1024];
    memset(head, 0, sizeof(head));
    strcpy(head, "HTTP/1.1 200 OK\r\nX-Big: ");
    memset(head + strlen(head), 'x', 600);
    strcat(head, "\r\n\r\n");
    mem_step recv[1] = {MEM_DATA(head, strlen(head))};
    mem_transport_script_recv(&f->net.mt, recv, 1);
    int status = 0;
    assert_int_equal(get(f, &local, "/", &status), SG_ERR_HTTP_HEADERS_TOO_LARGE);
    assert_int_equal(f->client.buf_size, 512); /* the N in "headers exceed N bytes" */
    assert_null(f->client.conn);
}

static void test_argument_checks(void **state)
{
    fixture *f = *state;
    int status = 0;
    sg_http_config cfg = f->cfg;
    sg_http_client c;
    sg_http_origin tls_origin = {"sitegpt.ai", 443, true};
    cfg.tls = NULL;
    assert_int_equal(sg_http_client_init(&c, &cfg, f->buf, sizeof(f->buf)), SG_OK);
    sg_http_request req = {"GET", "/", NULL, NULL, NULL, NULL, 0, NULL, 0};
    assert_int_equal(sg_http_exchange(&c, &tls_origin, &req, NULL, &status), SG_ERR_UNSUPPORTED);
    cfg.platform = NULL;
    assert_int_equal(sg_http_client_init(&c, &cfg, f->buf, sizeof(f->buf)), SG_ERR_INVALID_ARG);
    /* a bad request is refused before any connection is made */
    sg_http_request bad = {"GET", "/\r\nX: y", NULL, NULL, NULL, NULL, 0, NULL, 0};
    assert_int_equal(sg_http_exchange(&f->client, &local, &bad, NULL, &status), SG_ERR_INVALID_ARG);
    assert_int_equal(f->net.mt.open_calls, 0);
}

/* The probe passed and the request went out, but the connection died exactly at the request's
   deadline: the GET is not sent again, and the deadline is what is reported. */
static void test_resend_refused_once_deadline_passed(void **state)
{
    fixture *f = *state;
    static const mem_step recv[] = {MEM_DATA_STR(RESP_OK("aa")), EOF_AFTER(1000)};
    mem_transport_script_recv(&f->net.mt, recv, 2);
    int status = 0;
    assert_int_equal(get(f, &local, "/first", &status), SG_OK);
    f->client.cfg.request_timeout_ms = 1000; /* == the read timeout: the EOF lands on it */
    assert_int_equal(get(f, &local, "/second", &status), SG_ERR_TIMEOUT);
    assert_int_equal(status, 0);
    assert_int_equal(f->net.mt.opens, 1);
    assert_int_equal(f->net.mt.open_calls, 1);
    assert_int_equal(mem_transport_count_sent(&f->net.mt, "GET /second "), 1);
    assert_null(f->client.conn);
}

/* A transport that accepts nothing without saying why would spin forever: an I/O error. */
static void test_send_without_progress_is_an_error(void **state)
{
    fixture *f = *state;
    static const mem_step send[] = {MEM_SEND_PARTIAL(0)};
    mem_transport_script_send(&f->net.mt, send, 1);
    int status = 0;
    assert_int_equal(get(f, &local, "/", &status), SG_ERR_IO);
    assert_int_equal(status, 0);
    assert_int_equal(f->net.mt.sent_total, 0);
    assert_null(f->client.conn);
    assert_int_equal(f->net.mt.closes, 1);
}

/* A transport claiming more bytes than the room it was given. */
typedef struct liar {
    unsigned recvs;
    unsigned closes;
    size_t extra_sent; /* added to what send reports */
} liar;

static sg_status liar_open(void *ctx, const char *host, uint16_t port, uint32_t timeout_ms)
{
    (void)ctx;
    (void)host;
    (void)port;
    (void)timeout_ms;
    return SG_OK;
}

static sg_status liar_send(void *ctx, const uint8_t *data, size_t len, size_t *sent,
                           uint32_t timeout_ms)
{
    (void)data;
    (void)timeout_ms;
    *sent = len + ((liar *)ctx)->extra_sent;
    return SG_OK;
}

static sg_status liar_recv(void *ctx, uint8_t *buf, size_t cap, size_t *received,
                           uint32_t timeout_ms)
{
    (void)buf;
    (void)timeout_ms;
    ((liar *)ctx)->recvs++;
    *received = cap + 1;
    return SG_OK;
}

static void liar_close(void *ctx)
{
    ((liar *)ctx)->closes++;
}

static void test_transport_overreporting_is_an_error(void **state)
{
    fixture *f = *state;
    liar l = {0, 0, 0};
    const sg_transport t = {&l, liar_open, liar_send, liar_recv, liar_close};
    sg_http_config cfg = f->cfg;
    cfg.plain = &t;
    sg_http_client c;
    assert_int_equal(sg_http_client_init(&c, &cfg, f->buf, sizeof(f->buf)), SG_OK);
    int status = 0;
    sg_http_request req = {"GET", "/", NULL, NULL, NULL, NULL, 0, NULL, 0};
    assert_int_equal(sg_http_exchange(&c, &local, &req, NULL, &status), SG_ERR_IO);
    assert_int_equal(status, 0);
    assert_int_equal(l.recvs, 1); /* nothing read past the claim */
    assert_int_equal(l.closes, 1);
    assert_null(c.conn);
    l.extra_sent = 1; /* and more bytes than it was given */
    assert_int_equal(sg_http_exchange(&c, &local, &req, NULL, &status), SG_ERR_IO);
    assert_int_equal(l.recvs, 1);
    assert_int_equal(l.closes, 2);
}

/* A connection on the plain transport is not reused for an https origin on the same host and
   port: that request goes through the TLS transport, and the plain connection is closed. */
static void test_other_transport_closes_connection(void **state)
{
    fixture *f = *state;
    liar l = {0, 0, 0};
    const sg_transport tls = {&l, liar_open, liar_send, liar_recv, liar_close};
    sg_http_config cfg = f->cfg;
    cfg.tls = &tls;
    sg_http_client c;
    assert_int_equal(sg_http_client_init(&c, &cfg, f->buf, sizeof(f->buf)), SG_OK);
    static const mem_step recv[] = {MEM_DATA_STR(RESP_OK("aa"))};
    mem_transport_script_recv(&f->net.mt, recv, 1);
    int status = 0;
    sg_http_request req = {"GET", "/", NULL, NULL, NULL, NULL, 0, NULL, 0};
    assert_int_equal(sg_http_exchange(&c, &local, &req, NULL, &status), SG_OK);
    assert_ptr_equal(c.conn, &f->net.transport);
    const sg_http_origin local_tls = {"localhost", 8080, true};
    assert_int_equal(sg_http_exchange(&c, &local_tls, &req, NULL, &status), SG_ERR_IO);
    assert_int_equal(f->net.mt.closes, 1);
    assert_int_equal(f->net.mt.opens, 1);
    assert_int_equal(l.recvs, 1);
}

/* The deadline passing between two pieces of the request, or of the response. */
static void test_deadline_between_pieces(void **state)
{
    fixture *f = *state;
    /* read 1000, request 2500: three pieces land at 1000, 2000 and 2500 */
    static const mem_step send[] = {{MEM_STEP_DATA, NULL, 4, SG_OK, 1000},
                                    {MEM_STEP_DATA, NULL, 4, SG_OK, 1000},
                                    {MEM_STEP_DATA, NULL, 4, SG_OK, 500}};
    mem_transport_script_send(&f->net.mt, send, 3);
    int status = 0;
    assert_int_equal(get(f, &local, "/slow-send", &status), SG_ERR_TIMEOUT);
    assert_int_equal(f->net.mt.sent_total, 12);
    assert_int_equal(f->net.mt.recvs, 0);
    assert_null(f->client.conn);

    static const mem_step recv[] = {
        MEM_DATA_STR_AFTER(1000, "HTTP/1.1 2"), MEM_DATA_STR_AFTER(1000, "00 OK\r\n"),
        MEM_DATA_STR_AFTER(500, "Content-Length: 2\r\n"), MEM_DATA_STR("\r\nhi")};
    mem_transport_script_recv(&f->net.mt, recv, 4);
    assert_int_equal(get(f, &local, "/slow-recv", &status), SG_ERR_TIMEOUT);
    assert_int_equal(status, 0);
    assert_int_equal(mem_transport_recv_left(&f->net.mt), 1);
    assert_int_equal(f->body_len, 0);
}

/* An I/O buffer too small for the request head: refused before connecting. */
static void test_head_larger_than_buffer(void **state)
{
    fixture *f = *state;
    sg_http_client c;
    assert_int_equal(sg_http_client_init(&c, &f->cfg, f->buf, 16), SG_OK);
    int status = 0;
    sg_http_request req = {"GET", "/", NULL, NULL, NULL, NULL, 0, NULL, 0};
    assert_int_equal(sg_http_exchange(&c, &local, &req, NULL, &status), SG_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(f->net.mt.open_calls, 0);
    sg_http_client zeroed;
    memset(&zeroed, 0, sizeof(zeroed)); /* never initialised: no buffer */
    assert_int_equal(sg_http_exchange(&zeroed, &local, &req, NULL, &status), SG_ERR_INVALID_ARG);
}

/* Zero timeouts in the configuration mean the documented defaults. */
static void test_default_timeouts(void **state)
{
    fixture *f = *state;
    sg_http_config cfg = f->cfg;
    cfg.connect_timeout_ms = 0;
    cfg.read_timeout_ms = 0;
    cfg.request_timeout_ms = 0;
    sg_http_client c;
    assert_int_equal(sg_http_client_init(&c, &cfg, f->buf, sizeof(f->buf)), SG_OK);
    assert_int_equal(c.cfg.connect_timeout_ms, 10000);
    assert_int_equal(c.cfg.read_timeout_ms, 30000);
    assert_int_equal(c.cfg.request_timeout_ms, 120000);
    static const mem_step recv[] = {MEM_DATA_STR(RESP_OK("ok"))};
    mem_transport_script_recv(&f->net.mt, recv, 1);
    int status = 0;
    sg_http_request req = {"GET", "/", NULL, NULL, NULL, NULL, 0, NULL, 0};
    assert_int_equal(sg_http_exchange(&c, &local, &req, NULL, &status), SG_OK);
    assert_int_equal(status, 200);
    assert_int_equal(f->net.mt.last_open_timeout_ms, 10000);
    assert_int_equal(f->net.mt.last_recv_timeout_ms, 30000);
    sg_http_client_close(&c);
    sg_http_client_close(NULL); /* harmless */
}

static void test_exchange_argument_checks(void **state)
{
    fixture *f = *state;
    int status = 7;
    sg_http_request req = {"GET", "/", NULL, NULL, NULL, NULL, 0, NULL, 0};
    static char long_host[SG_HOST_MAX + 1];
    memset(long_host, 'a', SG_HOST_MAX);
    const sg_http_origin no_host = {NULL, 80, false};
    const sg_http_origin empty_host = {"", 80, false};
    const sg_http_origin too_long = {long_host, 443, true};
    const sg_http_origin no_port = {"localhost", 0, false};
    const sg_http_origin plain_remote = {"sitegpt.ai", 80, false};
    assert_int_equal(sg_http_exchange(NULL, &local, &req, NULL, &status), SG_ERR_INVALID_ARG);
    assert_int_equal(status, 0); /* cleared first */
    assert_int_equal(sg_http_exchange(&f->client, NULL, &req, NULL, &status), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_http_exchange(&f->client, &no_host, &req, NULL, &status),
                     SG_ERR_INVALID_ARG);
    assert_int_equal(sg_http_exchange(&f->client, &local, NULL, NULL, &status), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_http_exchange(&f->client, &local, &req, NULL, NULL), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_http_exchange(&f->client, &no_port, &req, NULL, &status),
                     SG_ERR_INVALID_ARG);
    assert_int_equal(sg_http_exchange(&f->client, &empty_host, &req, NULL, &status),
                     SG_ERR_INVALID_ARG);
    assert_int_equal(sg_http_exchange(&f->client, &too_long, &req, NULL, &status),
                     SG_ERR_INVALID_ARG);
    /* plain HTTP leaves only for loopback: refused before any lookup or byte */
    assert_int_equal(sg_http_exchange(&f->client, &plain_remote, &req, NULL, &status),
                     SG_ERR_INSECURE_URL);
    assert_int_equal(f->net.mt.open_calls, 0);
    assert_int_equal(f->net.mt.sent_total, 0);
    sg_http_client c;
    sg_http_config cfg = f->cfg;
    assert_int_equal(sg_http_client_init(NULL, &cfg, f->buf, 8), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_http_client_init(&c, NULL, f->buf, 8), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_http_client_init(&c, &cfg, NULL, 8), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_http_client_init(&c, &cfg, f->buf, 0), SG_ERR_INVALID_ARG);
    sg_platform no_clock = f->net.platform;
    no_clock.now_ms = NULL;
    cfg.platform = &no_clock;
    assert_int_equal(sg_http_client_init(&c, &cfg, f->buf, 8), SG_ERR_INVALID_ARG);
    cfg = f->cfg;
    cfg.plain = NULL;
    cfg.tls = NULL;
    assert_int_equal(sg_http_client_init(&c, &cfg, f->buf, 8), SG_ERR_INVALID_ARG);
    cfg.plain = &f->net.transport; /* one transport is enough, either one */
    assert_int_equal(sg_http_client_init(&c, &cfg, f->buf, 8), SG_OK);
    cfg.plain = NULL;
    cfg.tls = &f->net.transport;
    assert_int_equal(sg_http_client_init(&c, &cfg, f->buf, 8), SG_OK);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_client_is_small),
        T(test_reuse_same_origin),
        T(test_other_origin_reopens),
        T(test_reopen_after_idle_close),
        T(test_reopen_after_reset),
        T(test_post_after_idle_close_sent_once),
        T(test_post_after_idle_tls_error_sent_once),
        T(test_idle_bytes_drop_connection),
        T(test_get_resent_after_eof),
        T(test_get_resent_after_tls_error),
        T(test_post_not_resent_after_eof),
        T(test_post_not_resent_after_reset),
        T(test_unknown_method_is_not_resent),
        T(test_reopen_after_send_failure),
        T(test_post_send_failure_not_resent),
        T(test_reopen_only_once),
        T(test_no_reopen_once_response_started),
        T(test_reset_mid_response_is_truncated),
        T(test_no_reopen_on_fresh_connection),
        T(test_connection_close_is_honoured),
        T(test_extra_bytes_drop_connection),
        T(test_read_timeout),
        T(test_connect_timeout),
        T(test_open_error_passes_through),
        T(test_request_deadline),
        T(test_timeout_on_reused_connection_is_not_retried),
        T(test_big_body_through_small_buffer),
        T(test_chunked_and_interim_in_tiny_reads),
        T(test_head_request_then_reuse),
        T(test_post_body_and_partial_sends),
        T(test_host_header_ports),
        T(test_headers_too_large_reports_limit),
        T(test_argument_checks),
        T(test_resend_refused_once_deadline_passed),
        T(test_send_without_progress_is_an_error),
        T(test_transport_overreporting_is_an_error),
        T(test_default_timeouts),
        T(test_exchange_argument_checks),
        T(test_other_transport_closes_connection),
        T(test_deadline_between_pieces),
        T(test_head_larger_than_buffer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
