/*
 * The response parser built with 32-bit body lengths (SG_HTTP_LENGTH_64 0, as the firmware
 * has it): lengths that fit are read and framed as before, larger ones are refused, never
 * wrapped. sg_http_parse.c is compiled into this test with the option off (as test_trims
 * does for its trims), so the library's own sg_http_parse.o, built with the defaults, is not
 * linked; the 64-bit build is test_http_parser's.
 */
#define SG_HTTP_LENGTH_64 0
#include "../../core/sg_http_parse.c"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

static size_t g_body;

static sg_status count_body(void *ctx, const uint8_t *data, size_t len)
{
    (void)ctx;
    (void)data;
    g_body += len;
    return SG_OK;
}

/* Feeds text in one piece; the status of the feed, *done whether the response completed. */
static sg_status feed(sg_http_parser *p, const char *text, bool *done)
{
    static uint8_t buf[512];
    static const sg_http_sink sink = {NULL, NULL, NULL, count_body};
    g_body = 0;
    assert_int_equal(sg_http_parser_init(p, buf, sizeof buf, &sink, false), SG_OK);
    size_t used = 0;
    sg_status st = sg_http_parser_feed(p, (const uint8_t *)text, strlen(text), &used);
    *done = sg_http_parser_done(p);
    return st;
}

static void test_content_length_bounds(void **state)
{
    (void)state;
    assert_int_equal(sizeof(sg_http_length), 4);
    sg_http_parser p;
    bool done = false;
    assert_int_equal(feed(&p, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", &done), SG_OK);
    assert_true(done);
    assert_int_equal(g_body, 5);
    /* the largest length read: framing waits for the body */
    assert_int_equal(feed(&p, "HTTP/1.1 200 OK\r\nContent-Length: 4294967289\r\n\r\nab", &done),
                     SG_OK);
    assert_false(done);
    assert_int_equal(p.remaining, 4294967289u - 2u);
    static const char *const too_big[] = {"4294967295", "4294967296", "99999999999",
                                          "18446744073709551616"};
    for (size_t i = 0; i < sizeof too_big / sizeof too_big[0]; i++) {
        char text[128];
        (void)snprintf(text, sizeof text, "HTTP/1.1 200 OK\r\nContent-Length: %s\r\n\r\n",
                       too_big[i]);
        assert_int_equal(feed(&p, text, &done), SG_ERR_HTTP_CONTENT_LENGTH);
    }
}

static void test_chunk_size_bounds(void **state)
{
    (void)state;
    sg_http_parser p;
    bool done = false;
    assert_int_equal(
        feed(&p, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
             &done),
        SG_OK);
    assert_true(done);
    assert_int_equal(g_body, 3);
    assert_int_equal(
        feed(&p, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nffffffff\r\nx", &done),
        SG_OK);
    assert_false(done);
    assert_int_equal(p.remaining, 0xFFFFFFFFu - 1u);
    assert_int_equal(
        feed(&p, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n100000000\r\n", &done),
        SG_ERR_HTTP_CHUNK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_content_length_bounds),
        cmocka_unit_test(test_chunk_size_bounds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
