/*
 * The device flow built without discovery (SG_DEVICE_DISCOVERY 0, as the firmware has it):
 * no request for the metadata, the fallback endpoints under the base path straight away,
 * and the rest of the login unchanged. sg_device.c is compiled into this test with the
 * option off (as test_trims does for its trims), so the library's own sg_device.o, built
 * with the defaults, is not linked; the default build's discovery is test_device's.
 */
#define SG_DEVICE_DISCOVERY 0
#include "../../core/sg_device.c"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "mem_transport.h"

typedef struct fx {
    mem_net net;
    sg_http_client http;
    uint8_t io[2048];
    uint8_t capture[8192];
    char pool[4][512];
    mem_step steps[4];
    size_t nsteps;
    sg_device d;
    sg_device_config cfg;
} fx;

static fx F;

static void fx_init(const char *base_path)
{
    memset(&F, 0, sizeof F);
    mem_net_init(&F.net, 1000000, F.capture, sizeof F.capture);
    sg_http_config hc = {.platform = &F.net.platform, .plain = &F.net.transport};
    assert_int_equal(sg_http_client_init(&F.http, &hc, F.io, sizeof F.io), SG_OK);
    F.cfg.http = &F.http;
    F.cfg.platform = &F.net.platform;
    F.cfg.base.host = "127.0.0.1";
    F.cfg.base.port = 8080;
    F.cfg.base_path = base_path;
}

static void resp(int status, const char *body)
{
    assert_true(F.nsteps < sizeof F.steps / sizeof F.steps[0]);
    char *b = F.pool[F.nsteps];
    int n = snprintf(b, sizeof F.pool[0],
                     "HTTP/1.1 %d X\r\nContent-Type: application/json\r\nContent-Length: %zu"
                     "\r\n\r\n%s",
                     status, strlen(body), body);
    assert_true(n > 0 && (size_t)n < sizeof F.pool[0]);
    F.steps[F.nsteps++] = (mem_step){MEM_STEP_DATA, b, (size_t)n, SG_OK, 0};
}

static const char k_authorize[] =
    "{\"device_code\":\"dc-1\",\"user_code\":\"ABCD-EFGH\","
    "\"verification_uri\":\"https://sitegpt.ai/device\",\"expires_in\":600,\"interval\":1}";

static void test_login_without_discovery(void **state)
{
    (void)state;
    assert_int_equal(SG_DEVICE_DISCOVERY, 0);
    fx_init(NULL);
    resp(200, k_authorize);
    resp(200, "{\"access_token\":\"sgpt_live_abc\",\"token_type\":\"Bearer\"}");
    mem_transport_script_recv(&F.net.mt, F.steps, F.nsteps);
    assert_int_equal(sg_device_start(&F.d, &F.cfg), SG_OK);
    assert_string_equal(F.d.user_code, "ABCD-EFGH");
    assert_string_equal(F.d.verification_uri, "https://sitegpt.ai/device");
    assert_int_equal(mem_transport_count_sent(&F.net.mt, "/.well-known/"), 0);
    assert_int_equal(mem_transport_count_sent(&F.net.mt, "POST /oauth/device_authorization "), 1);
    uint32_t wait = 0;
    F.net.clock.now_ms += 1000;
    assert_int_equal(sg_device_poll(&F.d, &wait), SG_OK);
    assert_int_equal(mem_transport_count_sent(&F.net.mt, "POST /oauth/token "), 1);
    assert_int_equal(mem_transport_count_sent(&F.net.mt, "device_code=dc-1"), 1);
    char tok[32];
    assert_int_equal(sg_device_take_token(&F.d, tok, sizeof tok), SG_OK);
    assert_string_equal(tok, "sgpt_live_abc");
    assert_int_equal(F.net.mt.opens, 1);
    sg_device_clear(&F.d);
}

/* The fallbacks sit under the base path; a document the server would serve is never asked
   for, and members only a discovery document has are not taken from other responses. */
static void test_fallbacks_under_the_base_path(void **state)
{
    (void)state;
    fx_init("/tenant");
    resp(200, "{\"device_code\":\"dc-2\",\"user_code\":\"WXYZ\","
              "\"verification_uri\":\"https://sitegpt.ai/device\",\"expires_in\":600,"
              "\"token_endpoint\":\"http://evil.example/steal\",\"issuer\":\"x\"}");
    resp(400, "{\"error\":\"access_denied\"}");
    mem_transport_script_recv(&F.net.mt, F.steps, F.nsteps);
    assert_int_equal(sg_device_start(&F.d, &F.cfg), SG_OK);
    assert_int_equal(
        mem_transport_count_sent(&F.net.mt, "POST /tenant/oauth/device_authorization "), 1);
    uint32_t wait = 0;
    F.net.clock.now_ms += 5000;
    assert_int_equal(sg_device_poll(&F.d, &wait), SG_ERR_ACCESS_DENIED);
    assert_int_equal(mem_transport_count_sent(&F.net.mt, "POST /tenant/oauth/token "), 1);
    assert_int_equal(mem_transport_count_sent(&F.net.mt, "evil"), 0);
    assert_int_equal(mem_transport_count_sent(&F.net.mt, "/.well-known/"), 0);
    sg_device_clear(&F.d);
}

/* A base path the fallback no longer fits is refused before anything is sent. */
static void test_path_too_long(void **state)
{
    (void)state;
    char base_path[SG_DEVICE_PATH_MAX];
    base_path[0] = '/';
    memset(base_path + 1, 'p', sizeof base_path - 2);
    base_path[sizeof base_path - 1] = '\0';
    fx_init(base_path);
    assert_int_equal(sg_device_start(&F.d, &F.cfg), SG_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(mem_transport_count_sent(&F.net.mt, "POST"), 0);
    assert_int_equal(F.net.mt.opens, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_login_without_discovery),
        cmocka_unit_test(test_fallbacks_under_the_base_path),
        cmocka_unit_test(test_path_too_long),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
