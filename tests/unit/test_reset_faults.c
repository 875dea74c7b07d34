/*
 * A connection reset (or an orderly close) at every byte offset of a response: in the
 * status line, the headers, a chunk size, chunk data, the last chunk, a Content-Length body.
 * Over the scripted transport and the fake clock:
 *   - the exchange fails with a transport status (never SG_OK, never a parse of half a
 *     response), at once (no waiting for a deadline);
 *   - the body handed over is a prefix of the real body, never framing bytes;
 *   - a token create (a POST, never retried) cut anywhere writes no secret out;
 *   - the next request goes out on a fresh connection and succeeds.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "mem_transport.h"
#include <sitegpt/sg_api.h>
#include <sitegpt/sg_http.h>

#define REQUEST_TIMEOUT_MS 5000u

static const char k_chunked[] = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                                "Transfer-Encoding: chunked\r\n\r\n"
                                "a\r\n{\"ok\":true\r\n"
                                "1B\r\n,\"data\":{\"x\":\"0123456789\"}}\r\n"
                                "0\r\n\r\n";
static const char k_chunked_body[] = "{\"ok\":true,\"data\":{\"x\":\"0123456789\"}}";
static const char k_length[] = "HTTP/1.1 200 OK\r\nContent-Length: 37\r\n\r\n"
                               "{\"ok\":true,\"data\":{\"x\":\"0123456789\"}}";

typedef struct got {
    char body[256];
    size_t len;
} got;

static sg_status on_body(void *ctx, const uint8_t *data, size_t len)
{
    got *g = ctx;
    assert_true(g->len + len < sizeof g->body);
    memcpy(g->body + g->len, data, len);
    g->len += len;
    return SG_OK;
}

static void cut_every_byte(const char *resp, size_t resp_len, const char *body, mem_step cut)
{
    static mem_net net;
    static sg_http_client http;
    static uint8_t io[512];
    for (size_t k = 0; k < resp_len; k++) {
        mem_net_init(&net, 1000000, NULL, 0);
        mem_step steps[3] = {MEM_DATA(resp, k), cut, MEM_DATA(resp, resp_len)};
        /* at 0 the cut comes first (a DATA step of no bytes would read as a close) */
        mem_transport_script_recv(&net.mt, k > 0 ? steps : steps + 1, k > 0 ? 3 : 2);
        sg_http_config hc = {.platform = &net.platform,
                             .plain = &net.transport,
                             .connect_timeout_ms = 1000,
                             .read_timeout_ms = 1000,
                             .request_timeout_ms = REQUEST_TIMEOUT_MS};
        assert_int_equal(sg_http_client_init(&http, &hc, io, sizeof io), SG_OK);
        sg_http_origin o = {"127.0.0.1", 8080, false};
        sg_http_request req = {.method = "GET", .target = "/api/v2/me"};
        got g = {.len = 0};
        sg_http_sink sink = {.ctx = &g, .on_body = on_body};
        int status = 0;
        uint64_t before = net.clock.now_ms;
        sg_status st = sg_http_exchange(&http, &o, &req, &sink, &status);
        if (st == SG_OK) {
            print_error("cut at %zu of %zu: SG_OK\n", k, resp_len);
        }
        assert_true(st == SG_ERR_IO || st == SG_ERR_CLOSED || st == SG_ERR_HTTP_TRUNCATED);
        assert_true(net.clock.now_ms - before < 1000); /* told at once, no deadline waited */
        assert_true(g.len <= strlen(body));
        assert_memory_equal(g.body, body, g.len); /* a prefix of the body, no framing */

        g.len = 0;
        st = sg_http_exchange(&http, &o, &req, &sink, &status);
        if (st != SG_OK) {
            print_error("after a cut at %zu of %zu: %s\n", k, resp_len, sg_strerror(st));
        }
        assert_int_equal(st, SG_OK);
        assert_int_equal(status, 200);
        assert_int_equal(g.len, strlen(body));
        assert_memory_equal(g.body, body, g.len);
        assert_int_equal(net.mt.opens, 2); /* a fresh connection */
        sg_http_client_close(&http);
    }
}

static void test_reset_at_every_byte(void **state)
{
    (void)state;
    mem_step reset = MEM_ERROR(SG_ERR_IO);
    cut_every_byte(k_chunked, sizeof k_chunked - 1, k_chunked_body, reset);
    cut_every_byte(k_length, sizeof k_length - 1, k_chunked_body, reset);
}

static void test_close_at_every_byte(void **state)
{
    (void)state;
    mem_step eof = MEM_EOF();
    cut_every_byte(k_chunked, sizeof k_chunked - 1, k_chunked_body, eof);
    cut_every_byte(k_length, sizeof k_length - 1, k_chunked_body, eof);
}

/* POST /api/v2/tokens cut anywhere: an error, no secret written, the next call works. */
static void test_token_create_cut_writes_nothing(void **state)
{
    (void)state;
    static const char body[] = "{\"ok\":true,\"data\":{\"token\":{\"id\":\"t1\"},"
                               "\"plaintextToken\":\"sgpt_new_secret_0123456789\"}}";
    static char created[256];
    int w = snprintf(created, sizeof created,
                     "HTTP/1.1 201 Created\r\nContent-Type: application/json\r\n"
                     "Content-Length: %zu\r\n\r\n%s",
                     sizeof body - 1, body);
    assert_true(w > 0 && (size_t)w < sizeof created);
    static mem_net net;
    static sg_http_client http;
    static sg_api api;
    static sg_envelope env;
    static uint8_t io[1024];
    static uint64_t work[1024];
    static const char *const scopes[] = {"chatbots:read"};
    sg_api_new_token req = {.name = "ci", .scopes = scopes, .scope_count = 1};
    size_t len = (size_t)w;
    for (size_t k = 0; k < len; k++) {
        mem_net_init(&net, 1000000, NULL, 0);
        mem_step steps[3] = {MEM_DATA(created, k), MEM_ERROR(SG_ERR_IO), MEM_DATA(created, len)};
        mem_transport_script_recv(&net.mt, k > 0 ? steps : steps + 1, k > 0 ? 3 : 2);
        sg_http_config hc = {&net.platform, &net.transport, &net.transport,
                             1000,          1000,           REQUEST_TIMEOUT_MS};
        assert_int_equal(sg_http_client_init(&http, &hc, io, sizeof io), SG_OK);
        sg_api_config ac = {&http,
                            {"127.0.0.1", 8080, false},
                            "",
                            "sgpt_admin",
                            {4, 100, 1000, 10000},
                            &net.platform,
                            work,
                            sizeof work,
                            0};
        assert_int_equal(sg_api_init(&api, &ac), SG_OK);
        char secret[64];
        memset(secret, 'X', sizeof secret);
        sg_status st = sg_api_token_create(&api, &req, NULL, NULL, secret, sizeof secret, &env);
        assert_int_not_equal(st, SG_OK);
        assert_int_equal(net.mt.opens, 1); /* a POST is not sent again */
        if (memchr(secret, 's', sizeof secret) != NULL) {
            print_error("cut at %zu of %zu: %s, secret buffer \"%.30s\"\n", k, len, sg_strerror(st),
                        secret);
        }
        assert_null(memchr(secret, 's', sizeof secret)); /* no part of the secret */
        assert_int_equal(sg_api_token_create(&api, &req, NULL, NULL, secret, sizeof secret, &env),
                         SG_OK);
        assert_string_equal(secret, "sgpt_new_secret_0123456789");
        assert_int_equal(net.mt.opens, 2);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reset_at_every_byte),
        cmocka_unit_test(test_close_at_every_byte),
        cmocka_unit_test(test_token_create_cut_writes_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
