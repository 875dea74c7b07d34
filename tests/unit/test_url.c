/* Base URL parsing, Location resolution, percent-encoding, query and form builders. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <sitegpt/sg_url.h>

#include "internal/sg__ascii.h"

static void expect_url(const char *text, bool tls, const char *host, uint16_t port,
                       const char *path)
{
    char hbuf[64];
    sg_url u;
    sg_status st = sg_url_parse(text, hbuf, sizeof(hbuf), &u);
    if (st != SG_OK) {
        print_error("'%s': %s\n", text, sg_strerror(st));
    }
    assert_int_equal(st, SG_OK);
    assert_int_equal(u.origin.tls, tls);
    assert_string_equal(u.origin.host, host);
    assert_ptr_equal(u.origin.host, hbuf);
    assert_int_equal(u.origin.port, port);
    assert_int_equal(u.path.len, strlen(path));
    assert_memory_equal(u.path.ptr, path, u.path.len);
}

static void test_parse_valid(void **state)
{
    (void)state;
    expect_url("https://sitegpt.ai", true, "sitegpt.ai", 443, "");
    expect_url("https://sitegpt.ai/", true, "sitegpt.ai", 443, "");
    expect_url("http://localhost:8443/prefix", false, "localhost", 8443, "/prefix");
    expect_url("http://localhost:8443/prefix/v%20x//", false, "localhost", 8443, "/prefix/v%20x");
    expect_url("https://[::1]:8443", true, "::1", 8443, "");
    expect_url("http://[::1]/", false, "::1", 80, "");
    expect_url("HTTPS://SiteGPT.AI:443", true, "sitegpt.ai", 443, "");
    expect_url("http://127.0.0.1:65535", false, "127.0.0.1", 65535, "");
    expect_url("https://my_host-1.test:1", true, "my_host-1.test", 1, "");
    expect_url("http://127.255.0.9", false, "127.255.0.9", 80, "");
    expect_url("http://[0:0::1]:9", false, "0:0::1", 9, "");
}

/* Plain http leaves the machine nowhere: every non-loopback host is refused. */
static void test_parse_http_only_loopback(void **state)
{
    (void)state;
    static const char *const refused[] = {
        "http://sitegpt.ai",
        "http://my_host-1.test:1",
        "http://128.0.0.1",
        "http://126.0.0.1",
        "http://127.0.0.1.evil.test",
        "http://localhost.evil.test",
        "http://[::2]",
        "http://[1::1]",
        "http://[::1:0]",
        "http://[::]",
        "http://[::ffff:127.0.0.1]",
        "http://127.0.0",
        "http://127.0.0.256",
        "http://0177.0.0.1",
        "http://10.0.0.1/x",
        "http://localhost.",
    };
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        char hbuf[64];
        sg_url u;
        sg_status st = sg_url_parse(refused[i], hbuf, sizeof hbuf, &u);
        if (st != SG_ERR_INSECURE_URL) {
            print_error("'%s' gave %d\n", refused[i], st);
        }
        assert_int_equal(st, SG_ERR_INSECURE_URL);
        /* the same hosts are fine over https */
        char https[64];
        snprintf(https, sizeof https, "https://%s", refused[i] + 7);
        assert_int_equal(sg_url_parse(https, hbuf, sizeof hbuf, &u), SG_OK);
    }
    static const char *const loopback[] = {
        "localhost",       "LocalHost", "127.0.0.1", "127.1.2.3", "::1",
        "0:0:0:0:0:0:0:1", "::0:1",     "0::1",      "0:0::0:1",  "0:0:0:0:0:0:0:0001"};
    for (size_t i = 0; i < sizeof loopback / sizeof loopback[0]; i++) {
        assert_true(sg_url_is_loopback(loopback[i]));
        sg_http_origin o = {loopback[i], 80, false};
        assert_int_equal(sg_url_check_secure(&o), SG_OK);
    }
    static const char *const not_loopback[] = {"",
                                               "localhostx",
                                               "1::",
                                               "::",
                                               "::1:1",
                                               "127",
                                               "127.0.0.1.",
                                               "1.127.0.0",
                                               "1:0:0:0:0:0:0:0:1",
                                               "00000::1",         /* a group of five digits */
                                               "::1::1",           /* two gaps */
                                               "0::1:",            /* ends on a colon */
                                               "0:0:0:0:0:0:0::1", /* a gap hiding no group */
                                               "0:0:1", /* too few groups without a gap */
                                               ":1",    /* a lone leading colon */
                                               "::1G",  /* not a hex digit */
                                               "::aBcD:1"};
    for (size_t i = 0; i < sizeof not_loopback / sizeof not_loopback[0]; i++) {
        assert_false(sg_url_is_loopback(not_loopback[i]));
        sg_http_origin o = {not_loopback[i], 80, false};
        assert_int_equal(sg_url_check_secure(&o), SG_ERR_INSECURE_URL);
        o.tls = true;
        assert_int_equal(sg_url_check_secure(&o), SG_OK);
    }
    assert_false(sg_url_is_loopback(NULL));
    assert_int_equal(sg_url_check_secure(NULL), SG_ERR_INVALID_ARG);
}

/* Origin binding: the saved token's base against the one asked for. */
static void test_same_origin_text(void **state)
{
    (void)state;
    bool same = true;
    assert_int_equal(
        sg_url_same_origin_text("https://sitegpt.ai", "https://SiteGPT.ai:443/x", &same), SG_OK);
    assert_true(same);
    assert_int_equal(
        sg_url_same_origin_text("http://localhost:8080", "http://localhost:8080/p", &same), SG_OK);
    assert_true(same);
    static const char *const others[] = {"https://sitegpt.ai:8443", "https://evil.test",
                                         "http://localhost:443", "https://sitegpt.ai.evil.test",
                                         "https://www.sitegpt.ai"};
    for (size_t i = 0; i < sizeof others / sizeof others[0]; i++) {
        same = true;
        assert_int_equal(sg_url_same_origin_text("https://sitegpt.ai", others[i], &same), SG_OK);
        assert_false(same);
    }
    same = true;
    assert_int_equal(sg_url_same_origin_text("https://sitegpt.ai", "http://evil.test", &same),
                     SG_ERR_INSECURE_URL);
    assert_false(same);
    assert_int_equal(sg_url_same_origin_text("nope", "https://sitegpt.ai", &same), SG_ERR_URL);
    assert_int_equal(sg_url_same_origin_text("https://a", "https://a", NULL), SG_ERR_INVALID_ARG);
}

static void test_path_segment(void **state)
{
    (void)state;
    char out[32];
    size_t n = 0;
    assert_int_equal(sg_url_path_segment("tok_123", out, sizeof out, &n), SG_OK);
    assert_string_equal(out, "tok_123");
    assert_int_equal(n, 7);
    assert_int_equal(sg_url_path_segment("a?b#c%d e\\", out, sizeof out, &n), SG_OK);
    assert_string_equal(out, "a%3Fb%23c%25d%20e%5C");
    assert_int_equal(sg_url_path_segment("...", out, sizeof out, NULL), SG_OK);
    assert_string_equal(out, "...");
    assert_int_equal(sg_url_path_segment("%2e%2e", out, sizeof out, NULL), SG_OK);
    assert_string_equal(out, "%252e%252e"); /* encoded again: never decoded into ".." */
    static const char *const refused[] = {"", ".", "..", "a/b", "/", "../me", "x/.."};
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        assert_int_equal(sg_url_path_segment(refused[i], out, sizeof out, NULL),
                         SG_ERR_INVALID_ARG);
    }
    assert_int_equal(sg_url_path_segment(NULL, out, sizeof out, NULL), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_url_path_segment("abcd", out, 4, NULL), SG_ERR_BUFFER_TOO_SMALL);
}

static void expect_bad_url(const char *text)
{
    char hbuf[64];
    sg_url u;
    sg_status st = sg_url_parse(text, hbuf, sizeof(hbuf), &u);
    if (st != SG_ERR_URL) {
        print_error("'%s' was accepted (%d)\n", text, st);
    }
    assert_int_equal(st, SG_ERR_URL);
}

static void test_parse_invalid(void **state)
{
    (void)state;
    expect_bad_url("");
    expect_bad_url("sitegpt.ai");
    expect_bad_url("ftp://sitegpt.ai");
    expect_bad_url("https:/sitegpt.ai");
    expect_bad_url("https://");
    expect_bad_url("https:///path");
    expect_bad_url("https://user:pw@sitegpt.ai");
    expect_bad_url("https://user@sitegpt.ai");
    expect_bad_url("https://sitegpt.ai#frag");
    expect_bad_url("https://sitegpt.ai/x#frag");
    expect_bad_url("https://sitegpt.ai?x=1");
    expect_bad_url("https://sitegpt.ai/p?x=1");
    expect_bad_url("https://sitegpt.ai:");
    expect_bad_url("https://sitegpt.ai:0");
    expect_bad_url("https://sitegpt.ai:65536");
    expect_bad_url("https://sitegpt.ai:123456");
    expect_bad_url("https://sitegpt.ai:8a");
    expect_bad_url("https://sitegpt.ai:-1");
    expect_bad_url("https://:443");
    expect_bad_url("https://[::1");
    expect_bad_url("https://[]:443");
    expect_bad_url("https://[::1]x");
    expect_bad_url("https://[fe80::1%25eth0]");
    expect_bad_url("https://[1.2.3.4]");
    expect_bad_url("https://site gpt.ai");
    expect_bad_url("https://sitegpt.ai/a b");
    expect_bad_url("https://sitegpt.ai/a\r\nX: y");
    expect_bad_url("https://sitegpt.ai/%zz");
    expect_bad_url("https://sitegpt.ai/%2");
    expect_bad_url("https://sitegpt.ai\\evil");
}

static void test_parse_host_buffer_bounds(void **state)
{
    (void)state;
    char hbuf[11];
    sg_url u;
    assert_int_equal(sg_url_parse("https://sitegpt.ai", hbuf, 11, &u), SG_OK);
    assert_string_equal(hbuf, "sitegpt.ai");
    assert_int_equal(sg_url_parse("https://sitegpt.ai", hbuf, 10, &u), SG_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(sg_url_parse(NULL, hbuf, 10, &u), SG_ERR_INVALID_ARG);
}

static void expect_location(const sg_http_origin *cur, const char *loc, bool tls, const char *host,
                            uint16_t port, const char *target)
{
    char hbuf[64];
    char tbuf[128];
    sg_http_origin o;
    sg_slice l = {loc, strlen(loc)};
    sg_status st = sg_url_resolve_location(cur, l, hbuf, sizeof(hbuf), tbuf, sizeof(tbuf), &o);
    if (st != SG_OK) {
        print_error("'%s': %s\n", loc, sg_strerror(st));
    }
    assert_int_equal(st, SG_OK);
    assert_int_equal(o.tls, tls);
    assert_string_equal(o.host, host);
    assert_int_equal(o.port, port);
    assert_string_equal(tbuf, target);
}

static void test_resolve_location(void **state)
{
    (void)state;
    const sg_http_origin cur = {"sitegpt.ai", 443, true};
    expect_location(&cur, "/api/v2/me?x=1", true, "sitegpt.ai", 443, "/api/v2/me?x=1");
    expect_location(&cur, "/a#frag", true, "sitegpt.ai", 443, "/a");
    expect_location(&cur, "/", true, "sitegpt.ai", 443, "/");
    expect_location(&cur, "https://other.test/b?c=d#e", true, "other.test", 443, "/b?c=d");
    expect_location(&cur, "https://Other.test:8080", true, "other.test", 8080, "/");
    expect_location(&cur, "http://localhost?q=1", false, "localhost", 80, "/?q=1");
    sg_http_origin plain = {"127.0.0.1", 8080, false};
    expect_location(&plain, "//[::1]:81/x", false, "::1", 81, "/x");
    expect_location(&cur, "//cdn.test/x", true, "cdn.test", 443, "/x");
    expect_location(&cur, "https://[::1]:9/", true, "::1", 9, "/");

    char hbuf[64];
    char tbuf[16];
    sg_http_origin o;
    static const char *const bad[] = {
        "next", "../x", "",      "ftp://h/x", "https://u@h/", "/a b", "https://h:99999/",
        "?x=1", "#top", "/a\\b", "/a\"b",     "/a<b",         "/a>b", "/a\x7f",
        "/a%",  "/a%4", "/a%4g", "/a%g4"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        sg_slice l = {bad[i], strlen(bad[i])};
        assert_int_equal(
            sg_url_resolve_location(&cur, l, hbuf, sizeof(hbuf), tbuf, sizeof(tbuf), &o),
            SG_ERR_URL);
    }
    /* a plain http Location to a host that is not loopback, however it is spelled */
    static const char *const insecure[] = {"http://evil.test/x", "HTTP://Evil.test:80",
                                           "http://10.0.0.1/"};
    for (size_t i = 0; i < sizeof(insecure) / sizeof(insecure[0]); i++) {
        sg_slice l = {insecure[i], strlen(insecure[i])};
        assert_int_equal(
            sg_url_resolve_location(&cur, l, hbuf, sizeof(hbuf), tbuf, sizeof(tbuf), &o),
            SG_ERR_INSECURE_URL);
    }
    sg_http_origin plain_cur = {"localhost", 8080, false};
    sg_slice rel = {"//evil.test/x", 13};
    assert_int_equal(
        sg_url_resolve_location(&plain_cur, rel, hbuf, sizeof(hbuf), tbuf, sizeof(tbuf), &o),
        SG_ERR_INSECURE_URL);
    sg_slice l = {"/1234567", 8};
    assert_int_equal(sg_url_resolve_location(&cur, l, hbuf, sizeof(hbuf), tbuf, 8, &o),
                     SG_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(sg_url_resolve_location(&cur, l, hbuf, sizeof(hbuf), tbuf, 9, &o), SG_OK);
    assert_string_equal(tbuf, "/1234567");
    /* a slice: bytes after len are not part of the header */
    sg_slice part = {"/ab\r\nX", 3};
    assert_int_equal(sg_url_resolve_location(&cur, part, hbuf, sizeof(hbuf), tbuf, 8, &o), SG_OK);
    assert_string_equal(tbuf, "/ab");
    /* a NUL inside the slice is a bad character, not the end of the value (fuzz_url found
       "/\0evil" resolved to "/" and "//h\0.evil/" to host "h") */
    sg_slice nul = {"/a\0evil", 7};
    assert_int_equal(sg_url_resolve_location(&cur, nul, hbuf, sizeof(hbuf), tbuf, 8, &o),
                     SG_ERR_URL);
    /* well-formed escapes pass as they are */
    sg_slice esc = {"/a%4F%e9", 8};
    assert_int_equal(sg_url_resolve_location(&cur, esc, hbuf, sizeof(hbuf), tbuf, 16, &o), SG_OK);
    assert_string_equal(tbuf, "/a%4F%e9");
    assert_int_equal(sg_url_resolve_location(NULL, esc, hbuf, sizeof(hbuf), tbuf, 16, &o),
                     SG_ERR_INVALID_ARG);
    sg_slice no_text = {NULL, 0};
    assert_int_equal(sg_url_resolve_location(&cur, no_text, hbuf, sizeof(hbuf), tbuf, 16, &o),
                     SG_ERR_INVALID_ARG);
    assert_int_equal(sg_url_resolve_location(&cur, esc, NULL, sizeof(hbuf), tbuf, 16, &o),
                     SG_ERR_INVALID_ARG);
    assert_int_equal(sg_url_resolve_location(&cur, esc, hbuf, sizeof(hbuf), NULL, 16, &o),
                     SG_ERR_INVALID_ARG);
    assert_int_equal(sg_url_resolve_location(&cur, esc, hbuf, sizeof(hbuf), tbuf, 16, NULL),
                     SG_ERR_INVALID_ARG);
    sg_slice nul_host = {"//h\0.evil/", 10};
    assert_int_equal(sg_url_resolve_location(&cur, nul_host, hbuf, sizeof(hbuf), tbuf, 8, &o),
                     SG_ERR_URL);
}

static void test_same_origin(void **state)
{
    (void)state;
    const sg_http_origin a = {"SiteGPT.ai", 443, true};
    const sg_http_origin b = {"sitegpt.ai", 443, true};
    const sg_http_origin c = {"sitegpt.ai", 443, false};
    const sg_http_origin d = {"sitegpt.ai", 8443, true};
    const sg_http_origin e = {"sitegpt.aix", 443, true};
    assert_true(sg_url_same_origin(&a, &b));
    assert_false(sg_url_same_origin(&b, &c));
    assert_false(sg_url_same_origin(&b, &d));
    assert_false(sg_url_same_origin(&b, &e));
    assert_false(sg_url_same_origin(&b, NULL));
    assert_false(sg_url_same_origin(NULL, &b));
    const sg_http_origin no_host = {NULL, 443, true};
    assert_false(sg_url_same_origin(&b, &no_host));
    assert_false(sg_url_same_origin(&no_host, &b));
    assert_int_equal(sg_url_check_secure(&no_host), SG_ERR_INVALID_ARG);
}

static void test_encode(void **state)
{
    (void)state;
    char out[64];
    size_t n = 0;
    sg_slice in = {"a b&c=d/é~._-", strlen("a b&c=d/é~._-")};
    assert_int_equal(sg_url_encode(in, out, sizeof(out), &n), SG_OK);
    assert_string_equal(out, "a%20b%26c%3Dd%2F%C3%A9~._-");
    assert_int_equal(n, strlen(out));
    size_t need = n + 1;
    assert_int_equal(sg_url_encode(in, out, need - 1, &n), SG_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(sg_url_encode(in, out, need, NULL), SG_OK);
    sg_slice empty = {"", 0};
    assert_int_equal(sg_url_encode(empty, out, 1, &n), SG_OK);
    assert_int_equal(n, 0);
    assert_string_equal(out, "");

    assert_int_equal(sg_u64_to_dec(0, out, 2, &n), SG_OK);
    assert_string_equal(out, "0");
    assert_int_equal(sg_u64_to_dec(UINT64_MAX, out, sizeof(out), &n), SG_OK);
    assert_string_equal(out, "18446744073709551615");
    assert_int_equal(sg_u64_to_dec(12345, out, 5, &n), SG_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(sg_u64_to_dec(12345, out, 6, &n), SG_OK);
    assert_string_equal(out, "12345");
}

/* The decimal writer divides in 32-bit halves: check it against printf around the places
 * where the high word carries into the low one, and on a spread of values in between. */
static void test_u64_to_dec_matches_printf(void **state)
{
    (void)state;
    static const uint64_t edges[] = {
        9,
        10,
        99,
        100,
        UINT32_MAX - 1,
        UINT32_MAX,
        (uint64_t)UINT32_MAX + 1,
        (uint64_t)UINT32_MAX * 10u,
        (uint64_t)UINT32_MAX * 10u + 9u,
        42949672960ull,
        42949672959ull,
        10000000000000000000ull,
        9999999999999999999ull,
        UINT64_MAX - 1,
        UINT64_MAX,
    };
    char out[21];
    char want[32];
    size_t n = 0;
    for (size_t i = 0; i < sizeof edges / sizeof edges[0]; i++) {
        assert_int_equal(sg_u64_to_dec(edges[i], out, sizeof out, &n), SG_OK);
        snprintf(want, sizeof want, "%llu", (unsigned long long)edges[i]);
        assert_string_equal(out, want);
        assert_int_equal(n, strlen(want));
    }
    uint64_t v = 0x9E3779B97F4A7C15ull;
    for (int i = 0; i < 4096; i++) {
        v ^= v << 13; /* xorshift64: every magnitude from 1 to 20 digits */
        v ^= v >> 7;
        v ^= v << 17;
        uint64_t x = v >> (i % 64);
        assert_int_equal(sg_u64_to_dec(x, out, sizeof out, &n), SG_OK);
        snprintf(want, sizeof want, "%llu", (unsigned long long)x);
        assert_string_equal(out, want);
    }
}

/* The shared hex-digit helper (URL escapes, IPv6 groups, JSON \u, chunk sizes), every byte. */
static void test_hex_digit_every_byte(void **state)
{
    (void)state;
    static const char digits[] = "0123456789abcdef";
    for (int c = 0; c < 256; c++) {
        int want = -1;
        for (int v = 0; v < 16; v++) {
            if (c == digits[v] || (v >= 10 && c == digits[v] - 32)) {
                want = v;
            }
        }
        assert_int_equal(sg__hex_digit((uint8_t)c), want);
    }
}

static void test_form_body(void **state)
{
    (void)state;
    char buf[200];
    sg_form f;
    assert_int_equal(sg_form_init(&f, buf, sizeof(buf)), SG_OK);
    assert_int_equal(sg_form_text(&f).len, 0);
    assert_int_equal(sg_form_add(&f, "client_id", "sitegpt-cli"), SG_OK);
    assert_int_equal(sg_form_add(&f, "scope", "chatbots:read tokens:read"), SG_OK);
    assert_int_equal(sg_form_add(&f, "chatbot_id", "b1"), SG_OK);
    assert_int_equal(sg_form_add(&f, "chatbot_id", "b2"), SG_OK);
    assert_int_equal(sg_form_add(&f, "token_name", "SiteGPT CLI (default)"), SG_OK);
    assert_int_equal(sg_form_add_u64(&f, "expires_in_days", 90), SG_OK);
    assert_string_equal(buf, "client_id=sitegpt-cli&scope=chatbots%3Aread+tokens%3Aread"
                             "&chatbot_id=b1&chatbot_id=b2&token_name=SiteGPT+CLI+%28default%29"
                             "&expires_in_days=90");
    assert_int_equal(f.len, strlen(buf));
    sg_slice text = sg_form_text(&f);
    assert_ptr_equal(text.ptr, buf);
    assert_int_equal(text.len, f.len);
}

static void test_form_bounds(void **state)
{
    (void)state;
    char buf[16];
    sg_form f;
    assert_int_equal(sg_form_init(&f, buf, sizeof(buf)), SG_OK);
    assert_int_equal(sg_form_add(&f, "a", "1234"), SG_OK);                      /* "a=1234" 6 */
    assert_int_equal(sg_form_add(&f, "b", "1234567"), SG_ERR_BUFFER_TOO_SMALL); /* 16 + NUL */
    assert_string_equal(buf, "a=1234");                                         /* unchanged */
    assert_int_equal(f.len, 6);
    assert_int_equal(sg_form_add(&f, "b", "123456"), SG_OK); /* exactly 15 + NUL */
    assert_string_equal(buf, "a=1234&b=123456");
    assert_int_equal(sg_form_add(&f, "c", ""), SG_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(sg_form_add(&f, "", "x"), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_form_add(&f, "k", NULL), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_form_init(&f, buf, 0), SG_ERR_INVALID_ARG);
}

static void test_query_builder(void **state)
{
    (void)state;
    char buf[128];
    sg_form q;
    assert_int_equal(sg_query_init(&q, buf, sizeof(buf), "/api/v2/tokens"), SG_OK);
    assert_string_equal(buf, "/api/v2/tokens");
    assert_int_equal(sg_form_add_u64(&q, "limit", 5), SG_OK);
    assert_int_equal(sg_form_add(&q, "cursor", "a b/c+d=="), SG_OK);
    assert_string_equal(buf, "/api/v2/tokens?limit=5&cursor=a%20b%2Fc%2Bd%3D%3D");

    assert_int_equal(sg_query_init(&q, buf, sizeof(buf), "/x?includeRevoked=true"), SG_OK);
    assert_int_equal(sg_form_add(&q, "limit", "1"), SG_OK);
    assert_string_equal(buf, "/x?includeRevoked=true&limit=1");
    assert_int_equal(sg_query_init(&q, buf, sizeof(buf), "/x?"), SG_OK);
    assert_int_equal(sg_form_add(&q, "a", "1"), SG_OK);
    assert_int_equal(sg_form_add(&q, "a", "2"), SG_OK);
    assert_string_equal(buf, "/x?a=1&a=2");

    assert_int_equal(sg_query_init(&q, buf, sizeof(buf), "/x?a=1&"), SG_OK);
    assert_int_equal(sg_form_add(&q, "b", "2"), SG_OK);
    assert_string_equal(buf, "/x?a=1&b=2");

    assert_int_equal(sg_query_init(&q, buf, sizeof(buf), "x"), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_query_init(&q, buf, sizeof(buf), NULL), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_query_init(&q, NULL, sizeof(buf), "/x"), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_query_init(NULL, buf, sizeof(buf), "/x"), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_form_add_u64(&q, NULL, 1), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_form_add(NULL, "a", "1"), SG_ERR_INVALID_ARG);
    sg_form never = {0};
    assert_int_equal(sg_form_add(&never, "a", "1"), SG_ERR_INVALID_ARG); /* no buffer */
    sg_slice key = {"k", 1}, no_value = {NULL, 1};
    assert_int_equal(sg_form_add_slice(&q, key, no_value), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_query_init(&q, buf, 3, "/abc"), SG_ERR_BUFFER_TOO_SMALL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_valid),
        cmocka_unit_test(test_parse_invalid),
        cmocka_unit_test(test_parse_http_only_loopback),
        cmocka_unit_test(test_same_origin_text),
        cmocka_unit_test(test_path_segment),
        cmocka_unit_test(test_parse_host_buffer_bounds),
        cmocka_unit_test(test_resolve_location),
        cmocka_unit_test(test_same_origin),
        cmocka_unit_test(test_encode),
        cmocka_unit_test(test_u64_to_dec_matches_printf),
        cmocka_unit_test(test_hex_digit_every_byte),
        cmocka_unit_test(test_form_body),
        cmocka_unit_test(test_form_bounds),
        cmocka_unit_test(test_query_builder),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
