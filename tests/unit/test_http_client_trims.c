/*
 * The request writer built without extra request headers (SG_HTTP_EXTRA_HEADERS 0, as the
 * firmware has it): a request that carries any is SG_ERR_UNSUPPORTED before a byte is
 * written or a connection opened; every other request is written byte for byte as before,
 * and a bad one is still SG_ERR_INVALID_ARG. sg_http_client.c is compiled into this test
 * with the option off (as test_trims does for its trims), so the library's own
 * sg_http_client.o, built with the defaults, is not linked; the headers themselves are
 * test_http_writer's.
 */
#define SG_HTTP_EXTRA_HEADERS 0
#include "../../core/sg_http_client.c"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

static const sg_http_header k_one[] = {{"X-Trace", "1"}};

static void test_headers_refused_before_writing(void **state)
{
    (void)state;
    char out[256];
    memset(out, 'Z', sizeof out);
    size_t n = 77;
    sg_http_request req = {"GET", "/a", "sgpt_t", NULL, NULL, NULL, 0, k_one, 1};
    assert_int_equal(sg_http_write_head(&req, "h", out, sizeof out, &n), SG_ERR_UNSUPPORTED);
    assert_int_equal(n, 0);
    for (size_t i = 0; i < sizeof out; i++) {
        assert_int_equal(out[i], 'Z'); /* nothing written, the token least of all */
    }
    /* a request that is bad anyway says so first */
    req.target = "a";
    assert_int_equal(sg_http_write_head(&req, "h", out, sizeof out, &n), SG_ERR_INVALID_ARG);
    req.target = "/a";
    req.headers = NULL;
    assert_int_equal(sg_http_write_head(&req, "h", out, sizeof out, &n), SG_ERR_INVALID_ARG);
}

static void test_requests_without_headers_unchanged(void **state)
{
    (void)state;
    static const uint8_t body[] = "{}";
    char out[256];
    size_t n = 0;
    sg_http_request get = {"GET", "/api/v2/me", "sgpt_t", NULL, NULL, NULL, 0, NULL, 0};
    static const char want_get[] = "GET /api/v2/me HTTP/1.1\r\nHost: api.sitegpt.ai\r\n"
                                   "User-Agent: sitegpt-c/" SG_VERSION "\r\n"
                                   "Accept: application/json\r\n"
                                   "Authorization: Bearer sgpt_t\r\n\r\n";
    assert_int_equal(sg_http_write_head(&get, "api.sitegpt.ai", out, sizeof out, &n), SG_OK);
    assert_int_equal(n, sizeof want_get - 1);
    assert_memory_equal(out, want_get, n);

    sg_http_request post = {"POST", "/oauth/token", NULL, NULL, "application/json", body,
                            2,      NULL,           0};
    static const char want_post[] = "POST /oauth/token HTTP/1.1\r\nHost: h:8443\r\n"
                                    "User-Agent: sitegpt-c/" SG_VERSION "\r\n"
                                    "Accept: application/json\r\n"
                                    "Content-Type: application/json\r\n"
                                    "Content-Length: 2\r\n\r\n";
    assert_int_equal(sg_http_write_head(&post, "h:8443", out, sizeof out, &n), SG_OK);
    assert_int_equal(n, sizeof want_post - 1);
    assert_memory_equal(out, want_post, n);
}

/* A transport that counts what is asked of it and never connects. */
static int g_opens;

static sg_status fake_open(void *ctx, const char *host, uint16_t port, uint32_t timeout_ms)
{
    (void)ctx;
    (void)host;
    (void)port;
    (void)timeout_ms;
    g_opens++;
    return SG_ERR_IO;
}

static uint64_t fake_now(void *ctx)
{
    (void)ctx;
    return 1000;
}

static void test_exchange_refuses_before_connecting(void **state)
{
    (void)state;
    static uint8_t io[512];
    sg_platform platform = {NULL, fake_now, NULL, NULL};
    sg_transport t = {NULL, fake_open, NULL, NULL, NULL};
    sg_http_config cfg = {&platform, &t, NULL, 0, 0, 0};
    sg_http_client c;
    assert_int_equal(sg_http_client_init(&c, &cfg, io, sizeof io), SG_OK);
    sg_http_origin o = {"127.0.0.1", 8080, false};
    sg_http_request req = {"GET", "/a", "sgpt_t", NULL, NULL, NULL, 0, k_one, 1};
    int status = 9;
    g_opens = 0;
    assert_int_equal(sg_http_exchange(&c, &o, &req, NULL, &status), SG_ERR_UNSUPPORTED);
    assert_int_equal(g_opens, 0);
    assert_int_equal(status, 0);
    /* the same request without the header does go out (and meets the dead transport) */
    req.header_count = 0;
    req.headers = NULL;
    assert_int_equal(sg_http_exchange(&c, &o, &req, NULL, &status), SG_ERR_IO);
    assert_int_equal(g_opens, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_headers_refused_before_writing),
        cmocka_unit_test(test_requests_without_headers_unchanged),
        cmocka_unit_test(test_exchange_refuses_before_connecting),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
