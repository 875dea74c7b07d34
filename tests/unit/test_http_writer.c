/* Request head writer: exact bytes, header injection refused, bounded output. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "capture.h"
#include <sitegpt/sg_http.h>

static char out[1024];

static void expect_head(const sg_http_request *req, const char *host, const char *want)
{
    size_t n = 0;
    memset(out, 0, sizeof(out));
    assert_int_equal(sg_http_write_head(req, host, out, sizeof(out), &n), SG_OK);
    assert_int_equal(n, strlen(want));
    assert_memory_equal(out, want, n);
}

static void test_get_with_token(void **state)
{
    (void)state;
    sg_http_request req = {"GET", "/api/v2/me", "sgpt_abc", NULL, NULL, NULL, 0, NULL, 0};
    expect_head(&req, "sitegpt.ai",
                "GET /api/v2/me HTTP/1.1\r\n"
                "Host: sitegpt.ai\r\n"
                "User-Agent: sitegpt-c/" SG_VERSION "\r\n"
                "Accept: application/json\r\n"
                "Authorization: Bearer sgpt_abc\r\n"
                "\r\n");
}

static void test_get_without_token_custom_accept(void **state)
{
    (void)state;
    sg_http_header extra[] = {{"X-Request-Id", "r-1"}, {"If-None-Match", "\"e\"\t"}};
    sg_http_request req = {"GET", "/health?x=1", NULL, "*/*", NULL, NULL, 0, extra, 2};
    expect_head(&req, "localhost:8443",
                "GET /health?x=1 HTTP/1.1\r\n"
                "Host: localhost:8443\r\n"
                "User-Agent: sitegpt-c/" SG_VERSION "\r\n"
                "Accept: */*\r\n"
                "X-Request-Id: r-1\r\n"
                "If-None-Match: \"e\"\t\r\n"
                "\r\n");
}

static void test_post_with_body(void **state)
{
    (void)state;
    static const char body[] = "client_id=sitegpt-cli";
    sg_http_request req = {"POST",
                           "/oauth/device_authorization",
                           NULL,
                           NULL,
                           "application/x-www-form-urlencoded",
                           (const uint8_t *)body,
                           sizeof(body) - 1,
                           NULL,
                           0};
    expect_head(&req, "[::1]:8443",
                "POST /oauth/device_authorization HTTP/1.1\r\n"
                "Host: [::1]:8443\r\n"
                "User-Agent: sitegpt-c/" SG_VERSION "\r\n"
                "Accept: application/json\r\n"
                "Content-Type: application/x-www-form-urlencoded\r\n"
                "Content-Length: 21\r\n"
                "\r\n");
}

static void test_empty_post_sends_zero_length(void **state)
{
    (void)state;
    sg_http_request req = {"POST", "/api/v2/tokens/t1/rotate", "sgpt_x", NULL, NULL, NULL, 0, NULL,
                           0};
    expect_head(&req, "h",
                "POST /api/v2/tokens/t1/rotate HTTP/1.1\r\n"
                "Host: h\r\n"
                "User-Agent: sitegpt-c/" SG_VERSION "\r\n"
                "Accept: application/json\r\n"
                "Authorization: Bearer sgpt_x\r\n"
                "Content-Length: 0\r\n"
                "\r\n");
    /* DELETE without a body has no length */
    sg_http_request del = {"DELETE", "/api/v2/tokens/t1", NULL, NULL, NULL, NULL, 0, NULL, 0};
    size_t n;
    memset(out, 0, sizeof(out));
    assert_int_equal(sg_http_write_head(&del, "h", out, sizeof(out), &n), SG_OK);
    assert_non_null(strstr(out, "DELETE /api/v2/tokens/t1 HTTP/1.1\r\n"));
    assert_null(strstr(out, "Content-Length"));
}

static void expect_rejected(const sg_http_request *req, const char *host)
{
    size_t n = 123;
    assert_int_equal(sg_http_write_head(req, host, out, sizeof(out), &n), SG_ERR_INVALID_ARG);
    assert_int_equal(n, 0);
}

static void test_injection_rejected(void **state)
{
    (void)state;
    static const uint8_t body[] = "x";
    static const sg_http_header bad_value[] = {{"X-A", "ok\r\nX-Evil: 1"}};
    static const sg_http_header bad_name[] = {{"X-A:B", "v"}};
    static const sg_http_header ctl_value[] = {{"X-A", "a\x01"}};
    static const sg_http_header framing[] = {{"content-length", "5"}};
    static const sg_http_header host[] = {{"Host", "evil"}};
#define GET_A(target, token, accept, headers)                                   \
    {                                                                           \
        "GET", target, token, accept, NULL, NULL, 0, headers, (headers) != NULL \
    }
    /* each breaks one rule of GET /a with a token, Host "h" */
    static const struct {
        sg_http_request req;
        const char *host;
    } cases[] = {
        {GET_A("/a\r\nX-Evil: 1", "sgpt_t", NULL, NULL), "h"},
        {GET_A("/a b", "sgpt_t", NULL, NULL), "h"},
        {GET_A("a", "sgpt_t", NULL, NULL), "h"},
        {{"GE T", "/a", "sgpt_t", NULL, NULL, NULL, 0, NULL, 0}, "h"},
        {{"", "/a", "sgpt_t", NULL, NULL, NULL, 0, NULL, 0}, "h"},
        {{NULL, "/a", "sgpt_t", NULL, NULL, NULL, 0, NULL, 0}, "h"},
        {{"G@T", "/a", "sgpt_t", NULL, NULL, NULL, 0, NULL, 0}, "h"},
        {{"G[T", "/a", "sgpt_t", NULL, NULL, NULL, 0, NULL, 0}, "h"},
        {{"G{T", "/a", "sgpt_t", NULL, NULL, NULL, 0, NULL, 0}, "h"},
        {{"G/T", "/a", "sgpt_t", NULL, NULL, NULL, 0, NULL, 0}, "h"},
        {GET_A("/a", "sgpt_t\nX-Evil: 1", NULL, NULL), "h"},
        {GET_A("/a", "sgpt_t", "a/b\rX", NULL), "h"},
        {GET_A("/a", "sgpt_t", NULL, NULL), "h\r\nX: 1"},
        {GET_A("/a", "sgpt_t", NULL, NULL), ""},
        {GET_A("/a", "sgpt_t", NULL, NULL), NULL},
        {GET_A("/a", "sgpt_t", NULL, bad_value), "h"},
        {GET_A("/a", "sgpt_t", NULL, bad_name), "h"},
        {GET_A("/a", "sgpt_t", NULL, ctl_value), "h"},
        {GET_A("/a", "sgpt_t", NULL, framing), "h"},
        {GET_A("/a", "sgpt_t", NULL, host), "h"},
        /* a body needs a content type, and a clean one */
        {{"POST", "/a", "sgpt_t", NULL, NULL, body, 1, NULL, 0}, "h"},
        {{"POST", "/a", "sgpt_t", NULL, "text/plain\nX: y", body, 1, NULL, 0}, "h"},
        {{"POST", "/a", "sgpt_t", NULL, "", body, 1, NULL, 0}, "h"},
        {{"POST", "/a", "sgpt_t", NULL, "text/plain", NULL, 1, NULL, 0}, "h"},
        /* a content type without a body is checked all the same */
        {{"POST", "/a", "sgpt_t", NULL, "text/plain\r\nX: y", NULL, 0, NULL, 0}, "h"},
        /* headers counted but not given */
        {{"GET", "/a", "sgpt_t", NULL, NULL, NULL, 0, NULL, 1}, "h"},
        /* a token with a space or DEL in it */
        {GET_A("/a", "sgpt t", NULL, NULL), "h"},
        {GET_A("/a", "sgpt\x7f", NULL, NULL), "h"},
        {GET_A("/a", "sgpt_t", "a\x7f", NULL), "h"},
    };
#undef GET_A
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        expect_rejected(&cases[i].req, cases[i].host);
    }
    sg_http_request ok = {"POST", "/a", "sgpt_t", NULL, "text/plain", body, 1, NULL, 0};
    size_t n = 9;
    assert_int_equal(sg_http_write_head(&ok, "h", out, sizeof(out), &n), SG_OK);
    assert_true(n > 0);
    assert_int_equal(sg_http_write_head(NULL, "h", out, sizeof(out), &n), SG_ERR_INVALID_ARG);
    assert_int_equal(n, 0);
    assert_int_equal(sg_http_write_head(&ok, "h", NULL, sizeof(out), &n), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_http_write_head(&ok, "h", out, sizeof(out), NULL), SG_ERR_INVALID_ARG);
}

static void test_buffer_too_small(void **state)
{
    (void)state;
    sg_http_request req = {"GET", "/api/v2/me", "sgpt_abc", NULL, NULL, NULL, 0, NULL, 0};
    size_t full = 0;
    assert_int_equal(sg_http_write_head(&req, "sitegpt.ai", out, sizeof(out), &full), SG_OK);
    char small[256];
    assert_true(full <= sizeof(small));
    for (size_t cap = 0; cap < full; cap++) {
        size_t n = 77;
        memset(small, 'Z', sizeof(small));
        assert_int_equal(sg_http_write_head(&req, "sitegpt.ai", small, cap, &n),
                         SG_ERR_BUFFER_TOO_SMALL);
        assert_int_equal(n, 0);
        assert_int_equal(small[cap], 'Z');               /* nothing written past cap */
        assert_false(mem_holds(small, cap, "sgpt_abc")); /* the token is not left behind */
    }
    size_t n;
    assert_int_equal(sg_http_write_head(&req, "sitegpt.ai", small, full, &n), SG_OK);
    assert_int_equal(n, full);
    assert_memory_equal(small, out, full);
}

/* PUT and PATCH state their length (and type) even without a body; GET and DELETE do not. */
static void test_length_by_method(void **state)
{
    (void)state;
    static const struct {
        const char *method;
        bool length;
    } cases[] = {{"PUT", true}, {"PATCH", true}, {"DELETE", false}, {"GET", false}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        static const sg_http_header trace[] = {{"X-Trace-2", "t"}};
        sg_http_request req = {cases[i].method, "/a", NULL, NULL, "application/json", NULL, 0,
                               trace,           1};
        size_t n = 0;
        memset(out, 0, sizeof(out));
        assert_int_equal(sg_http_write_head(&req, "h", out, sizeof(out), &n), SG_OK);
        assert_int_equal(mem_holds(out, n, "\r\nContent-Length: 0\r\n"), cases[i].length);
        assert_int_equal(mem_holds(out, n, "\r\nContent-Type: application/json\r\n"),
                         cases[i].length);
        assert_true(mem_holds(out, n, "\r\nX-Trace-2: t\r\n\r\n"));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_get_with_token),
        cmocka_unit_test(test_get_without_token_custom_accept),
        cmocka_unit_test(test_post_with_body),
        cmocka_unit_test(test_empty_post_sends_zero_length),
        cmocka_unit_test(test_injection_rejected),
        cmocka_unit_test(test_buffer_too_small),
        cmocka_unit_test(test_length_by_method),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
