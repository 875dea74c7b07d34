/*
 * The TLS port contract with a port that is not mbedTLS: the null port (port/null) under
 * the HTTP client, the POSIX platform as the clock. This file is built with -Iport/null and
 * without the mbedTLS port's include dir, and linked with the null port's object ahead of
 * libsitegpt.a: if the core or the POSIX platform still needed mbedTLS, it would not build.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "mem_transport.h"
#include <sitegpt/sg_http.h>
#include <sitegpt/sg_posix.h>
#include "sg_tls.h"

#ifdef MBEDTLS_SSL_H
#error "test_tls_null must not see mbedTLS headers"
#endif

static const sg_status k_bad_status = SG_ERR_INVALID_ARG;

typedef struct fixture {
    mem_clock clock;
    mem_transport inner_mt; /* the stream under the null port */
    sg_transport inner;
    mem_transport plain_mt; /* http:// */
    sg_transport plain;
    sg_posix_platform posix;
    sg_tls tls;
    sg_http_client client;
    sg_http_config cfg;
    uint8_t capture[512];
    uint8_t plain_capture[512];
    uint8_t buf[1024];
    int status;
    size_t body_len;
} fixture;

static sg_status on_status(void *ctx, int status)
{
    ((fixture *)ctx)->status = status;
    return SG_OK;
}

static sg_status on_body(void *ctx, const uint8_t *data, size_t len)
{
    (void)data;
    ((fixture *)ctx)->body_len += len;
    return SG_OK;
}

static int setup(void **state)
{
    static fixture f;
    memset(&f, 0, sizeof f);
    mem_clock_init(&f.clock, 1000);
    mem_transport_init(&f.inner_mt, &f.clock, f.capture, sizeof f.capture);
    f.inner = mem_transport_iface(&f.inner_mt);
    mem_transport_init(&f.plain_mt, &f.clock, f.plain_capture, sizeof f.plain_capture);
    f.plain = mem_transport_iface(&f.plain_mt);
    assert_int_equal(sg_posix_platform_init(&f.posix, NULL), SG_OK);
    assert_int_equal(sg_tls_init(&f.tls, &f.inner, sg_posix_entropy, NULL, &f.posix.platform),
                     SG_OK);
    f.cfg.platform = &f.posix.platform;
    f.cfg.plain = &f.plain;
    f.cfg.tls = &f.tls.transport;
    assert_int_equal(sg_http_client_init(&f.client, &f.cfg, f.buf, sizeof f.buf), SG_OK);
    *state = &f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    sg_http_client_close(&f->client);
    sg_tls_free(&f->tls);
    return 0;
}

static sg_status get(fixture *f, bool tls, const char *token)
{
    /* plain http goes only to loopback hosts */
    sg_http_origin origin = {
        .host = tls ? "api.example.test" : "localhost", .port = tls ? 443 : 80, .tls = tls};
    sg_http_request req = {.method = "GET", .target = "/api/v2/me", .bearer_token = token};
    sg_http_sink sink = {.ctx = f, .on_status = on_status, .on_body = on_body};
    int status = 0;
    return sg_http_exchange(&f->client, &origin, &req, &sink, &status);
}

/* Every contract function answers as port/README.md says a port without TLS must. */
static void test_contract_answers(void **state)
{
    fixture *f = *state;
    sg_tls other;
    assert_int_equal(sg_tls_init(NULL, &f->inner, sg_posix_entropy, NULL, NULL), k_bad_status);
    assert_int_equal(sg_tls_init(&other, NULL, sg_posix_entropy, NULL, NULL), k_bad_status);
    assert_int_equal(sg_tls_init(&other, &f->inner, NULL, NULL, NULL), k_bad_status);

    static const uint8_t pem[] = "-----BEGIN CERTIFICATE-----\n";
    assert_int_equal(sg_tls_load_ca_file(&f->tls, "/etc/ssl/certs/ca-certificates.crt"),
                     SG_ERR_UNSUPPORTED);
    assert_int_equal(sg_tls_load_ca_buffer(&f->tls, pem, sizeof pem), SG_ERR_UNSUPPORTED);
    assert_int_equal(sg_tls_load_ca_buffer(&f->tls, pem, 0), k_bad_status);

    assert_int_equal(sg_tls_set_max_fragment(&f->tls, 0), SG_OK);
    assert_int_equal(sg_tls_set_max_fragment(&f->tls, 512), SG_ERR_UNSUPPORTED);
    assert_int_equal(sg_tls_set_max_fragment(&f->tls, 1000), k_bad_status);

    sg_tls_info info;
    assert_int_equal(sg_tls_get_info(&f->tls, &info), SG_ERR_CLOSED);
    uint32_t flags = 99;
    const char *why = NULL;
    assert_int_equal(sg_tls_verify_result(&f->tls, &flags, &why), SG_OK);
    assert_int_equal(flags, 0);
    assert_string_equal(why, "");
    sg_tls_forget_session(&f->tls);
}

/* An https request reaches the inner stream, is refused as unverified, and sends nothing:
   the token never leaves. */
static void test_https_refused_nothing_sent(void **state)
{
    fixture *f = *state;
    assert_int_equal(get(f, true, "sgpt_secret_token"), SG_ERR_CERT);
    assert_int_equal(f->inner_mt.opens, 1);
    assert_string_equal(f->inner_mt.last_host, "api.example.test");
    assert_int_equal(f->inner_mt.last_port, 443);
    assert_int_equal(f->inner_mt.closes, 1);
    assert_int_equal(f->inner_mt.sent_total, 0);
    assert_int_equal(f->status, 0);

    uint32_t flags = 0;
    const char *why = NULL;
    assert_int_equal(sg_tls_verify_result(&f->tls, &flags, &why), SG_OK);
    assert_int_not_equal(flags, 0);
    assert_non_null(strstr(why, "not verified"));
}

/* A failure below TLS comes through as it is, not as a certificate problem. */
static void test_inner_failure_passes_through(void **state)
{
    fixture *f = *state;
    static const mem_step refused[] = {MEM_ERROR(SG_ERR_CONNECT)};
    mem_transport_script_open(&f->inner_mt, refused, 1);
    assert_int_equal(get(f, true, NULL), SG_ERR_CONNECT);
    uint32_t flags = 7;
    assert_int_equal(sg_tls_verify_result(&f->tls, &flags, NULL), SG_OK);
    assert_int_equal(flags, 0);
}

/* Plain http:// through the same client still works: the port is only on https. */
static void test_plain_http_unaffected(void **state)
{
    fixture *f = *state;
    static const mem_step resp[] = {
        MEM_DATA_STR("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi"),
    };
    mem_transport_script_recv(&f->plain_mt, resp, 1);
    assert_int_equal(get(f, false, NULL), SG_OK);
    assert_int_equal(f->status, 200);
    assert_int_equal(f->body_len, 2);
    assert_int_equal(f->inner_mt.open_calls, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_contract_answers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_https_refused_nothing_sent, setup, teardown),
        cmocka_unit_test_setup_teardown(test_inner_failure_passes_through, setup, teardown),
        cmocka_unit_test_setup_teardown(test_plain_http_unaffected, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
