/*
 * sg_api built with its flash trims. Without redirects (SG_API_REDIRECTS 0, for a device whose
 * server never sends one): a 3xx with a Location is neither followed nor taken for the answer,
 * whatever the Location says (the call fails with SG_ERR_UNSUPPORTED); one without a Location
 * stays an ordinary final response; the rest of a call is unchanged. Without element gathering
 * (SG_JSON_ELEMENTS 0): the list and single-object calls, whose items the reader could not
 * gather, fail with SG_ERR_UNSUPPORTED after their pointer and id checks and before anything
 * is sent. Without extra headers (SG_HTTP_EXTRA_HEADERS 0): setting any is refused. sg_api.c
 * and sg_api_routes.c are compiled into this test with those options (as test_device_trims
 * does for discovery), so the library's own objects, built with the defaults, are not linked;
 * the default build's behaviour is test_api's.
 */
#define SG_API_REDIRECTS      0
#define SG_JSON_ELEMENTS      0
#define SG_HTTP_EXTRA_HEADERS 0
#include "../../core/sg_api.c"
#include "../../core/sg_api_routes.c"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "capture.h"
#include "mem_transport.h"

#define MAX_RESP  8
#define ENV(data) "{\"ok\":true,\"data\":" data ",\"meta\":{\"requestId\":\"r1\"}}"

typedef struct fx {
    mem_net net;
    sg_http_client http;
    sg_api api;
    sg_envelope env;
    uint8_t io[1024];
    uint64_t work[1024]; /* 8 KB, aligned */
    uint8_t capture[8192];
    char resp[MAX_RESP][256];
    mem_step steps[MAX_RESP];
    size_t nresp;
    char raw[512];
    size_t raw_len;
} fx;

static fx F;

static void fx_init(void)
{
    memset(&F, 0, sizeof F);
    mem_net_init(&F.net, 1000000, F.capture, sizeof F.capture);
    sg_http_config hc = {&F.net.platform, &F.net.transport, &F.net.transport, 1000, 1000, 5000};
    assert_int_equal(sg_http_client_init(&F.http, &hc, F.io, sizeof F.io), SG_OK);
    sg_api_config ac = {&F.http,
                        {"127.0.0.1", 8080, false},
                        "",
                        "sgpt_unit_secret_1",
                        {4, 100, 1000, 10000},
                        &F.net.platform,
                        F.work,
                        sizeof F.work,
                        0};
    assert_int_equal(sg_api_init(&F.api, &ac), SG_OK);
}

/* Queue one response; Content-Length is computed here. */
static void respond(const char *status_line, const char *headers, const char *body)
{
    assert_true(F.nresp < MAX_RESP);
    char *r = F.resp[F.nresp];
    int n = snprintf(r, sizeof F.resp[0], "HTTP/1.1 %s\r\n%sContent-Length: %zu\r\n\r\n%s",
                     status_line, headers, strlen(body), body);
    assert_true(n > 0 && (size_t)n < sizeof F.resp[0]);
    F.steps[F.nresp++] = (mem_step)MEM_DATA(r, (size_t)n);
    mem_script keep = F.net.mt.recv_script;
    mem_transport_script_recv(&F.net.mt, F.steps, F.nresp);
    F.net.mt.recv_script.pos = keep.pos;
    F.net.mt.recv_script.offset = keep.offset;
}

static sg_status raw_sink(void *ctx, const uint8_t *data, size_t len)
{
    (void)ctx;
    assert_true(capture_append(F.raw, sizeof F.raw, &F.raw_len, data, len));
    return SG_OK;
}

static void test_redirect_not_followed(void **state)
{
    (void)state;
    fx_init();
    static const char *const statuses[] = {"301 Moved Permanently", "302 Found", "303 See Other",
                                           "307 Temporary Redirect", "308 Permanent Redirect"};
    static const char *const locations[] = {"Location: /elsewhere\r\n",
                                            "Location: http://evil.test/elsewhere\r\n",
                                            "Location: ::not a url\r\n"};
    for (size_t i = 0; i < sizeof statuses / sizeof statuses[0]; i++) {
        respond(statuses[i], locations[i % 3], "moved");
        int http = 7;
        F.raw_len = 0;
        assert_int_equal(
            sg_api_request(&F.api, "GET", "/api/v2/me", NULL, 0, raw_sink, NULL, &F.env, &http),
            SG_ERR_UNSUPPORTED);
        assert_int_equal(http, 0);
        assert_int_equal(F.raw_len, 0); /* not taken for the answer either */
    }
    /* a typed call the same */
    sg_api_identity me;
    memset(&me, 0, sizeof me);
    respond("302 Found", "Location: /api/v2/me2\r\n", ENV("{}"));
    assert_int_equal(sg_api_me(&F.api, &me, &F.env), SG_ERR_UNSUPPORTED);
    assert_int_equal(mem_transport_count_sent(&F.net.mt, "GET /api/v2/me "), 6);
    assert_int_equal(mem_transport_count_sent(&F.net.mt, "elsewhere"), 0);
    assert_int_equal(mem_transport_count_sent(&F.net.mt, "/api/v2/me2"), 0);
    assert_int_equal(F.api._private.last_redirects, 0);
}

static void test_redirect_without_location_is_final(void **state)
{
    (void)state;
    fx_init();
    respond("302 Found", "", "plain");
    int http = 0;
    assert_int_equal(sg_api_request(&F.api, "GET", "/x", NULL, 0, raw_sink, NULL, &F.env, &http),
                     SG_OK);
    assert_int_equal(http, 302);
    assert_int_equal(F.raw_len, 5);
    assert_memory_equal(F.raw, "plain", 5);
    assert_int_equal(sg_envelope_status(&F.env), SG_ERR_API);
    /* and a Location on a status that is not a redirect means nothing */
    respond("200 OK", "Location: /elsewhere\r\n", ENV("{\"user\":{\"id\":\"u1\"}}"));
    sg_api_identity me;
    memset(&me, 0, sizeof me);
    assert_int_equal(sg_api_me(&F.api, &me, &F.env), SG_OK);
    assert_string_equal(me.user_id, "u1");
}

static sg_status no_item(void *ctx, const sg_json_element *item)
{
    (void)ctx;
    (void)item;
    fail_msg("no item can arrive");
    return SG_ERR_INVALID_ARG;
}

static void test_element_calls_refused_before_sending(void **state)
{
    (void)state;
    fx_init();
    sg_api_list_params params = {0};
    sg_api_list_out out;
    memset(&out, 0, sizeof out);
    out.on_item = no_item;
    static const char *const scopes[] = {"tokens:read"};
    sg_api_new_token req = {"t", scopes, 1, NULL, 0, 0, NULL};
    char secret[32];
    memset(secret, 'x', sizeof secret);
    assert_int_equal(sg_api_tokens_list(&F.api, &params, &out, &F.env), SG_ERR_UNSUPPORTED);
    assert_int_equal(sg_api_chatbots_list(&F.api, &params, &out, &F.env), SG_ERR_UNSUPPORTED);
    assert_int_equal(
        sg_api_token_create(&F.api, &req, no_item, NULL, secret, sizeof secret, &F.env),
        SG_ERR_UNSUPPORTED);
    assert_int_equal(secret[0], '\0');
    secret[0] = 'x';
    assert_int_equal(
        sg_api_token_rotate(&F.api, "tok1", no_item, NULL, secret, sizeof secret, &F.env),
        SG_ERR_UNSUPPORTED);
    assert_int_equal(secret[0], '\0');
    assert_int_equal(sg_api_token_revoke(&F.api, "tok1", no_item, NULL, &F.env),
                     SG_ERR_UNSUPPORTED);
    assert_int_equal(sg_api_chatbot_get(&F.api, "cb1", no_item, NULL, &F.env), SG_ERR_UNSUPPORTED);
    assert_int_equal(F.net.mt.captured, 0); /* nothing was sent */
    assert_int_equal(out.total_items, 0);
    /* the arguments are still checked first */
    assert_int_equal(sg_api_tokens_list(&F.api, NULL, &out, &F.env), SG_ERR_INVALID_ARG);
    assert_int_equal(
        sg_api_token_create(&F.api, NULL, no_item, NULL, secret, sizeof secret, &F.env),
        SG_ERR_INVALID_ARG);
    assert_int_equal(sg_api_token_rotate(&F.api, "tok1", no_item, NULL, NULL, 0, &F.env),
                     SG_ERR_INVALID_ARG);
    assert_int_equal(sg_api_token_revoke(&F.api, "", no_item, NULL, &F.env), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_api_chatbot_get(&F.api, NULL, no_item, NULL, &F.env), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_api_chatbot_get(NULL, "cb1", no_item, NULL, &F.env), SG_ERR_INVALID_ARG);
    /* and a call with VALUE subscriptions only still goes out */
    respond("200 OK", "", ENV("{\"user\":{\"id\":\"u1\"}}"));
    sg_api_identity me;
    memset(&me, 0, sizeof me);
    assert_int_equal(sg_api_me(&F.api, &me, &F.env), SG_OK);
    assert_string_equal(me.user_id, "u1");
}

/* Without extra headers (SG_HTTP_EXTRA_HEADERS 0) sg_api says so when they are set, not on
   every later request; clearing them stays fine. */
static void test_extra_headers_refused_when_set(void **state)
{
    (void)state;
    fx_init();
    const sg_http_header h[1] = {{"X-Trace", "1"}};
    assert_int_equal(sg_api_set_request_headers(&F.api, h, 1), SG_ERR_UNSUPPORTED);
    assert_null(F.api.headers);
    assert_int_equal(sg_api_set_request_headers(&F.api, NULL, 0), SG_OK);
    assert_int_equal(sg_api_set_request_headers(NULL, h, 1), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_api_set_request_headers(&F.api, NULL, 1), SG_ERR_INVALID_ARG);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_redirect_not_followed),
        cmocka_unit_test(test_redirect_without_location_is_final),
        cmocka_unit_test(test_element_calls_refused_before_sending),
        cmocka_unit_test(test_extra_headers_refused_when_set),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
