/* HTTP CONNECT tunnel over a scripted transport, proxy URLs and NO_PROXY matching. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "mem_transport.h"
#include <sitegpt/sg_proxy.h>

typedef struct fixture {
    uint8_t capture[1024];
    mem_net net;
    uint8_t buf[SG_PROXY_REQUEST_MAX];
    sg_proxy_tunnel pt;
} fixture;

static fixture F;

static void setup_tunnel(const char *userinfo)
{
    memset(&F, 0, sizeof F);
    mem_net_init(&F.net, 1000, F.capture, sizeof F.capture - 1);
    assert_int_equal(sg_proxy_tunnel_init(&F.pt, &F.net.transport, "proxy.lan", 3128, userinfo,
                                          F.buf, sizeof F.buf),
                     SG_OK);
}

static bool all_zero(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (p[i] != 0) {
            return false;
        }
    }
    return true;
}

static void test_connect_with_credentials_then_pass_through(void **state)
{
    (void)state;
    static const mem_step answer[] = {
        MEM_DATA_STR("HTTP/1.1 200 Connection established\r\nVia: 1.1 tinyproxy\r\n\r\n"
                     "\x16\x03\x03TLS"),
    };
    setup_tunnel("user:p@ss w");
    mem_transport_script_recv(&F.net.mt, answer, 1);
    sg_transport *t = &F.pt.transport;
    assert_int_equal(t->open(t->ctx, "api.example.com", 443, 5000), SG_OK);
    assert_int_equal(F.pt.status, 200);
    assert_string_equal(F.net.mt.last_host, "proxy.lan");
    assert_int_equal(F.net.mt.last_port, 3128);
    assert_string_equal((const char *)F.capture,
                        "CONNECT api.example.com:443 HTTP/1.1\r\n"
                        "Host: api.example.com:443\r\n"
                        "Proxy-Authorization: Basic dXNlcjpwQHNzIHc=\r\n\r\n");
    /* the request (credentials) is gone from the scratch buffer */
    assert_true(all_zero(F.buf, sizeof F.buf));

    /* not one byte after the proxy's blank line was taken: the origin's bytes follow */
    uint8_t got[16];
    size_t n = 0;
    assert_int_equal(t->recv(t->ctx, got, sizeof got, &n, 1000), SG_OK);
    assert_int_equal(n, 6);
    assert_memory_equal(got, "\x16\x03\x03TLS", 6);
    size_t sent = 0;
    assert_int_equal(t->send(t->ctx, (const uint8_t *)"hello", 5, &sent, 1000), SG_OK);
    assert_int_equal(sent, 5);
    assert_non_null(strstr((const char *)F.capture, "\r\n\r\nhello"));
    t->close(t->ctx);
    assert_int_equal(F.net.mt.closes, 1);
}

static void test_no_credentials_and_ipv6_origin(void **state)
{
    (void)state;
    static const mem_step answer[] = {MEM_DATA_STR("HTTP/1.0 200 OK\r\n\r\n")};
    setup_tunnel(NULL);
    mem_transport_script_recv(&F.net.mt, answer, 1);
    sg_transport *t = &F.pt.transport;
    assert_int_equal(t->open(t->ctx, "2001:db8::1", 8443, 5000), SG_OK);
    assert_string_equal((const char *)F.capture,
                        "CONNECT [2001:db8::1]:8443 HTTP/1.1\r\nHost: [2001:db8::1]:8443\r\n\r\n");
    assert_null(strstr((const char *)F.capture, "Proxy-Authorization"));

    /* bare LF line ends, and an empty user info: no credentials sent */
    static const mem_step lf_answer[] = {MEM_DATA_STR("HTTP/1.1 200 OK\n\nTLS")};
    setup_tunnel("");
    mem_transport_script_recv(&F.net.mt, lf_answer, 1);
    assert_int_equal(t->open(t->ctx, "api.example.com", 443, 5000), SG_OK);
    assert_int_equal(F.pt.status, 200);
    assert_null(strstr((const char *)F.capture, "Proxy-Authorization"));
    assert_int_equal(mem_transport_recv_left(&F.net.mt), 1); /* "TLS" is still there */
}

static void expect_refusal(const char *answer_text, sg_status want, int want_status)
{
    mem_step answer[] = {{MEM_STEP_DATA, answer_text, strlen(answer_text), SG_OK, 0}};
    setup_tunnel("a:b");
    mem_transport_script_recv(&F.net.mt, answer, 1);
    sg_transport *t = &F.pt.transport;
    assert_int_equal(t->open(t->ctx, "api.example.com", 443, 5000), want);
    assert_int_equal(F.pt.status, want_status);
    assert_int_equal(F.net.mt.closes, 1); /* a refused tunnel is closed at once */
    assert_false(F.net.mt.is_open);
    assert_true(all_zero(F.buf, sizeof F.buf));
}

static void test_refusals(void **state)
{
    (void)state;
    expect_refusal("HTTP/1.1 407 Proxy Authentication Required\r\n"
                   "Proxy-Authenticate: Basic realm=\"x\"\r\nContent-Length: 5\r\n\r\nnope!",
                   SG_ERR_PROXY, 407);
    expect_refusal("HTTP/1.1 403 Forbidden\r\n\r\n", SG_ERR_PROXY, 403);
    expect_refusal("HTTP/1.1 502 Bad Gateway\r\n\r\n", SG_ERR_PROXY, 502);
    expect_refusal("SSH-2.0-OpenSSH_9.2\r\n\r\n", SG_ERR_HTTP_MALFORMED, 0);
    expect_refusal("HTTP/1.1 2x0 OK\r\n\r\n", SG_ERR_HTTP_MALFORMED, 0);
    /* each part of "HTTP/1.x NNN" in turn */
    expect_refusal("HTTP/1.1\r\n\r\n", SG_ERR_HTTP_MALFORMED, 0);
    expect_refusal("HTTP/1.1_200 OK\r\n\r\n", SG_ERR_HTTP_MALFORMED, 0);
    expect_refusal("HTTP/1.1 099 Low\r\n\r\n", SG_ERR_HTTP_MALFORMED, 0);
    expect_refusal("HTTP/1.1 600 High\r\n\r\n", SG_ERR_HTTP_MALFORMED, 0);
    expect_refusal("HTTP/1.1 2:0 OK\r\n\r\n", SG_ERR_HTTP_MALFORMED, 0);
    expect_refusal("HTTP/1.1 20/ OK\r\n\r\n", SG_ERR_HTTP_MALFORMED, 0);
    expect_refusal("HTTP/1.1 20: OK\r\n\r\n", SG_ERR_HTTP_MALFORMED, 0);
    expect_refusal("HTTP/1.1 2/0 OK\r\n\r\n", SG_ERR_HTTP_MALFORMED, 0);
    /* the transport failing while the answer is read */
    static const mem_step reset[] = {MEM_DATA_STR("HTTP/1.1 2"), MEM_ERROR(SG_ERR_CLOSED)};
    setup_tunnel(NULL);
    mem_transport_script_recv(&F.net.mt, reset, 2);
    sg_transport *t = &F.pt.transport;
    assert_int_equal(t->open(t->ctx, "api.example.com", 443, 5000), SG_ERR_CLOSED);
    assert_int_equal(F.net.mt.closes, 1);
    expect_refusal("HTTP/1.1 200 Connection established\r\n", SG_ERR_HTTP_TRUNCATED, 0);
    expect_refusal("", SG_ERR_CLOSED, 0);
    /* Not an HTTP answer at all: bounded */
    static char endless[SG_PROXY_RESPONSE_MAX + 64];
    memcpy(endless, "HTTP/1.1 200 OK\r\nX: ", 20);
    memset(endless + 20, 'a', sizeof endless - 21);
    endless[sizeof endless - 1] = '\0';
    expect_refusal(endless, SG_ERR_HTTP_HEADERS_TOO_LARGE, 0);
}

static void test_connect_failures(void **state)
{
    (void)state;
    static const mem_step refused[] = {MEM_ERROR(SG_ERR_CONNECT)};
    setup_tunnel(NULL);
    mem_transport_script_open(&F.net.mt, refused, 1);
    sg_transport *t = &F.pt.transport;
    assert_int_equal(t->open(t->ctx, "api.example.com", 443, 5000), SG_ERR_CONNECT);
    assert_string_equal(F.net.mt.last_host, "proxy.lan");

    /* a scratch buffer too small: nothing is opened, nothing is left in it */
    uint8_t small[40];
    memset(&F, 0, sizeof F);
    mem_net_init(&F.net, 1000, F.capture, sizeof F.capture - 1);
    assert_int_equal(sg_proxy_tunnel_init(&F.pt, &F.net.transport, "proxy.lan", 3128,
                                          "user:password", small, sizeof small),
                     SG_OK);
    assert_int_equal(t->open(t->ctx, "api.example.com", 443, 5000), SG_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(F.net.mt.open_calls, 0);
    assert_true(all_zero(small, sizeof small));

    assert_int_equal(
        sg_proxy_tunnel_init(&F.pt, &F.net.transport, "", 3128, NULL, small, sizeof small),
        SG_ERR_INVALID_ARG);

    /* the CONNECT cannot be sent: the inner transport's error, or no progress at all */
    static const mem_step send_reset[] = {MEM_ERROR(SG_ERR_CLOSED)};
    setup_tunnel("user:password");
    mem_transport_script_send(&F.net.mt, send_reset, 1);
    assert_int_equal(t->open(t->ctx, "api.example.com", 443, 5000), SG_ERR_CLOSED);
    assert_true(all_zero(F.buf, sizeof F.buf)); /* the credentials are not left behind */
    static const mem_step send_stall[] = {MEM_SEND_PARTIAL(5), MEM_SEND_PARTIAL(0)};
    setup_tunnel(NULL);
    mem_transport_script_send(&F.net.mt, send_stall, 2);
    assert_int_equal(t->open(t->ctx, "api.example.com", 443, 5000), SG_ERR_IO);
    assert_int_equal(F.net.mt.sent_total, 5);
    assert_int_equal(F.net.mt.recvs, 0);

    /* an origin host that cannot be put in a CONNECT line: refused before the proxy is asked */
    static char long_host[SG_HOST_MAX + 2];
    memset(long_host, 'h', SG_HOST_MAX + 1);
    setup_tunnel(NULL);
    assert_int_equal(t->open(t->ctx, NULL, 443, 5000), SG_ERR_INVALID_ARG);
    assert_int_equal(t->open(t->ctx, "", 443, 5000), SG_ERR_INVALID_ARG);
    assert_int_equal(t->open(t->ctx, long_host, 443, 5000), SG_ERR_INVALID_ARG);
    assert_int_equal(F.net.mt.open_calls, 0);
    assert_int_equal(
        sg_proxy_tunnel_init(&F.pt, &F.net.transport, "p", 0, NULL, small, sizeof small),
        SG_ERR_INVALID_ARG);
    assert_int_equal(sg_proxy_tunnel_init(NULL, &F.net.transport, "p", 1, NULL, small, 8),
                     SG_ERR_INVALID_ARG);
    assert_int_equal(sg_proxy_tunnel_init(&F.pt, NULL, "p", 1, NULL, small, 8), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_proxy_tunnel_init(&F.pt, &F.net.transport, NULL, 1, NULL, small, 8),
                     SG_ERR_INVALID_ARG);
    assert_int_equal(sg_proxy_tunnel_init(&F.pt, &F.net.transport, "p", 1, NULL, NULL, 8),
                     SG_ERR_INVALID_ARG);
    assert_int_equal(sg_proxy_tunnel_init(&F.pt, &F.net.transport, "p", 1, NULL, small, 0),
                     SG_ERR_INVALID_ARG);
    static char long_userinfo[SG_PROXY_USERINFO_MAX + 2];
    memset(long_userinfo, 'u', SG_PROXY_USERINFO_MAX + 1);
    assert_int_equal(sg_proxy_tunnel_init(&F.pt, &F.net.transport, "p", 1, long_userinfo, small, 8),
                     SG_ERR_INVALID_ARG);
}

static void expect_proxy_url(const char *url, const char *host, uint16_t port, const char *ui)
{
    char h[64];
    char u[64];
    uint16_t p = 0;
    sg_status st = sg_proxy_url_parse(url, h, sizeof h, &p, u, sizeof u);
    if (st != SG_OK) {
        print_error("'%s': %s\n", url, sg_strerror(st));
    }
    assert_int_equal(st, SG_OK);
    assert_string_equal(h, host);
    assert_int_equal(p, port);
    assert_string_equal(u, ui);
}

static void expect_bad_proxy_url(const char *url, sg_status want)
{
    char h[16];
    char u[16];
    uint16_t p = 0;
    assert_int_equal(sg_proxy_url_parse(url, h, sizeof h, &p, u, sizeof u), want);
    assert_true(all_zero((const uint8_t *)u, sizeof u));
}

static void test_proxy_urls(void **state)
{
    (void)state;
    expect_proxy_url("http://proxy.lan:3128", "proxy.lan", 3128, "");
    expect_proxy_url("http://proxy.lan:3128/", "proxy.lan", 3128, "");
    expect_proxy_url("HTTP://Proxy.lan", "Proxy.lan", 1080, "");
    expect_proxy_url("proxy.lan:8080", "proxy.lan", 8080, "");
    expect_proxy_url("http://alice:s%40cret@10.0.0.1:3128", "10.0.0.1", 3128, "alice:s@cret");
    expect_proxy_url("http://a:b@c@[::1]:3128", "::1", 3128, "a:b@c");
    expect_bad_proxy_url("https://proxy.lan:3128", SG_ERR_URL);
    expect_bad_proxy_url("socks5://proxy.lan:1080", SG_ERR_URL);
    expect_bad_proxy_url("http://proxy.lan:0", SG_ERR_URL);
    expect_bad_proxy_url("http://proxy.lan:70000", SG_ERR_URL);
    expect_bad_proxy_url("http://proxy.lan:31x", SG_ERR_URL);
    expect_bad_proxy_url("http://proxy.lan/path", SG_ERR_URL);
    expect_bad_proxy_url("http://", SG_ERR_URL);
    expect_bad_proxy_url("http://u:p%4@proxy", SG_ERR_URL);
    expect_bad_proxy_url("http://u:p%0a@proxy", SG_ERR_URL);
    expect_bad_proxy_url("http://a very long name indeed.example", SG_ERR_URL);
    expect_bad_proxy_url("http://averylongnameindeed.example", SG_ERR_BUFFER_TOO_SMALL);
    expect_bad_proxy_url("http://averylonguserinfo:pw@p", SG_ERR_BUFFER_TOO_SMALL);
    expect_bad_proxy_url("http://[::1", SG_ERR_URL);       /* no closing bracket */
    expect_bad_proxy_url("http://[::1]x", SG_ERR_URL);     /* something after it */
    expect_bad_proxy_url("http://proxy.lan:", SG_ERR_URL); /* a colon without a port */
    expect_bad_proxy_url("http://u@[::1]:", SG_ERR_URL);
    char h[16], u[16];
    uint16_t port = 0;
    assert_int_equal(sg_proxy_url_parse(NULL, h, sizeof h, &port, u, sizeof u), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_proxy_url_parse("p", NULL, sizeof h, &port, u, sizeof u),
                     SG_ERR_INVALID_ARG);
    assert_int_equal(sg_proxy_url_parse("p", h, 0, &port, u, sizeof u), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_proxy_url_parse("p", h, sizeof h, NULL, u, sizeof u), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_proxy_url_parse("p", h, sizeof h, &port, NULL, sizeof u),
                     SG_ERR_INVALID_ARG);
    assert_int_equal(sg_proxy_url_parse("p", h, sizeof h, &port, u, 0), SG_ERR_INVALID_ARG);
}

static void test_no_proxy(void **state)
{
    (void)state;
    assert_false(sg_proxy_bypass(NULL, "sitegpt.ai", 443));
    assert_false(sg_proxy_bypass("", "sitegpt.ai", 443));
    assert_true(sg_proxy_bypass("*", "sitegpt.ai", 443));
    assert_true(sg_proxy_bypass("localhost,sitegpt.ai", "sitegpt.ai", 443));
    assert_true(sg_proxy_bypass("localhost, .sitegpt.ai", "api.sitegpt.ai", 443));
    assert_true(sg_proxy_bypass("SiteGPT.AI", "api.sitegpt.ai", 443));
    assert_true(sg_proxy_bypass(".sitegpt.ai", "sitegpt.ai", 443));
    assert_false(sg_proxy_bypass("sitegpt.ai", "notsitegpt.ai", 443));
    assert_false(sg_proxy_bypass("api.sitegpt.ai", "sitegpt.ai", 443));
    assert_true(sg_proxy_bypass("sitegpt.ai:443", "sitegpt.ai", 443));
    assert_false(sg_proxy_bypass("sitegpt.ai:8443", "sitegpt.ai", 443));
    assert_true(sg_proxy_bypass("127.0.0.1", "127.0.0.1", 8443));
    assert_true(sg_proxy_bypass("::1", "::1", 443));
    assert_true(sg_proxy_bypass("[::1]:8443", "::1", 8443));
    assert_false(sg_proxy_bypass("[::1]:8443", "::1", 443));
    assert_false(sg_proxy_bypass(",, ,", "sitegpt.ai", 443));
    assert_false(sg_proxy_bypass("sitegpt.ab", "sitegpt.ai", 443));   /* same length, not equal */
    assert_false(sg_proxy_bypass("sitegpt.ai", "a.sitegpt.ax", 443)); /* a dot, another suffix */
    assert_true(sg_proxy_bypass("a", "a", 443));                      /* one character, not '*' */
    assert_true(sg_proxy_bypass("[::1]", "::1", 443));                /* brackets, no port */
    assert_false(sg_proxy_bypass("[]", "::1", 443));
    /* what follows the last colon is a port only when it is one */
    assert_false(sg_proxy_bypass("sitegpt.ai:99999", "sitegpt.ai", 443));
    assert_false(sg_proxy_bypass("sitegpt.ai:", "sitegpt.ai", 443));
    assert_false(sg_proxy_bypass("[::1]:x", "::1", 443));
    assert_false(sg_proxy_bypass("b.sitegpt.ai", "a.sitegpt.ai", 443));
    assert_false(sg_proxy_bypass("sitegpt.ai", NULL, 443));
    assert_true(sg_proxy_bypass("sitegpt.ai:x", "sitegpt.ai:x", 443)); /* not a port: a name */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_connect_with_credentials_then_pass_through),
        cmocka_unit_test(test_no_credentials_and_ipv6_origin),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_connect_failures),
        cmocka_unit_test(test_proxy_urls),
        cmocka_unit_test(test_no_proxy),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
