/*
 * Device flow state machine against a scripted transport and a fake clock: the exact waits
 * it asks for, every RFC 8628 outcome, discovery, the request bodies, one connection.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "capture.h"
#include "mem_transport.h"
#include <sitegpt/sg_device.h>
#include <sitegpt/sg_scopes.h>

#define MAX_STEPS   24
#define DEVICE_CODE "sgpt_device_SECRETc0de"

typedef struct fx {
    mem_net net;
    sg_http_client http;
    uint8_t io[2048];
    uint8_t capture[16384];
    char pool[MAX_STEPS][1024];
    mem_step steps[MAX_STEPS];
    size_t nsteps;
    sg_device d;
    sg_device_config cfg;
} fx;

static fx F;

static void fx_init(void)
{
    memset(&F, 0, sizeof F);
    mem_net_init(&F.net, 1000000, F.capture, sizeof F.capture);
    sg_http_config hc = {.platform = &F.net.platform, .plain = &F.net.transport};
    assert_int_equal(sg_http_client_init(&F.http, &hc, F.io, sizeof F.io), SG_OK);
    F.cfg.http = &F.http;
    F.cfg.platform = &F.net.platform;
    F.cfg.base.host = "127.0.0.1";
    F.cfg.base.port = 8080;
    F.cfg.base.tls = false;
}

/* Queue one HTTP response for the next recv. */
static void resp(int status, const char *body)
{
    assert_true(F.nsteps < MAX_STEPS);
    char *b = F.pool[F.nsteps];
    int n = snprintf(b, sizeof F.pool[0],
                     "HTTP/1.1 %d X\r\nContent-Type: application/json\r\nContent-Length: %zu"
                     "\r\n\r\n%s",
                     status, strlen(body), body);
    assert_true(n > 0 && (size_t)n < sizeof F.pool[0]);
    F.steps[F.nsteps++] = (mem_step){MEM_STEP_DATA, b, (size_t)n, SG_OK, 0};
}

static void net_error(sg_status e)
{
    F.steps[F.nsteps++] = (mem_step)MEM_ERROR(e);
}

static void arm(void)
{
    mem_transport_script_recv(&F.net.mt, F.steps, F.nsteps);
}

/* Arm the queued responses and start the flow (discovery and authorization succeed). */
static void arm_and_start(void)
{
    arm();
    assert_int_equal(sg_device_start(&F.d, &F.cfg), SG_OK);
}

static const char *authorize_body(const char *interval)
{
    static char b[512];
    snprintf(b, sizeof b,
             "{\"device_code\":\"" DEVICE_CODE "\",\"user_code\":\"ABCD-EFGH\","
             "\"verification_uri\":\"https://sitegpt.ai/device\","
             "\"verification_uri_complete\":\"https://sitegpt.ai/device?user_code=ABCD-EFGH\","
             "\"expires_in\":899%s}",
             interval);
    return b;
}

/* Whether the secret s appears anywhere in the device struct. */
static bool holds(const char *s)
{
    return mem_holds(&F.d, sizeof F.d, s);
}

static const char *pending = "{\"error\":\"authorization_pending\"}";

/* Discovery not served, then the authorization response. */
static void start_ok(const char *interval)
{
    resp(404, "{\"ok\":false}");
    resp(200, authorize_body(interval));
}

static sg_status poll(uint32_t *wait)
{
    return sg_device_poll(&F.d, wait);
}

static size_t token_posts(void)
{
    return mem_transport_count_sent(&F.net.mt, "POST /oauth/token ");
}

static void test_start_reads_codes_and_sends_contract_fields(void **state)
{
    (void)state;
    fx_init();
    start_ok(",\"interval\":2");
    arm();
    static const char *const scopes[] = {"chatbots:read", "tokens:read"};
    static const char *const bots[] = {"bot1", "bot 2"};
    F.cfg.scopes = scopes;
    F.cfg.scope_count = 2;
    F.cfg.token_name = "SiteGPT CLI (work)";
    F.cfg.expires_in_days = 30;
    F.cfg.chatbot_ids = bots;
    F.cfg.chatbot_count = 2;
    assert_int_equal(sg_device_start(&F.d, &F.cfg), SG_OK);
    assert_string_equal(F.d.user_code, "ABCD-EFGH");
    assert_string_equal(F.d.verification_uri, "https://sitegpt.ai/device");
    assert_string_equal(F.d.verification_uri_complete,
                        "https://sitegpt.ai/device?user_code=ABCD-EFGH");
    assert_int_equal(F.d.expires_in, 899);
    assert_int_equal(F.d.interval, 2);
    assert_int_equal(
        mem_transport_count_sent(&F.net.mt, "GET /.well-known/oauth-authorization-server "), 1);
    assert_int_equal(mem_transport_count_sent(
                         &F.net.mt, "client_id=sitegpt-cli&scope=chatbots%3Aread+tokens%3Aread"
                                    "&token_name=SiteGPT+CLI+%28work%29&expires_in_days=30"
                                    "&chatbot_id=bot1&chatbot_id=bot+2"),
                     1);
    assert_int_equal(mem_transport_count_sent(&F.net.mt, "POST /oauth/device_authorization "), 1);
    assert_int_equal(mem_transport_count_sent(&F.net.mt, "full_access"), 0);
    uint64_t left = 0;
    assert_int_equal(sg_device_time_left(&F.d, &left), SG_OK);
    assert_int_equal(left, 899000);
    sg_device_clear(&F.d);
}

static void test_full_access_and_options(void **state)
{
    (void)state;
    fx_init();
    start_ok("");
    arm();
    F.cfg.full_access = true;
    assert_int_equal(sg_device_start(&F.d, &F.cfg), SG_OK);
    assert_int_equal(mem_transport_count_sent(&F.net.mt, "client_id=sitegpt-cli&full_access=true"),
                     1);
    assert_int_equal(mem_transport_count_sent(&F.net.mt, "scope="), 0);

    static const char *const scopes[] = {"chatbots:read"};
    F.cfg.scopes = scopes;
    F.cfg.scope_count = 1;
    assert_int_equal(sg_device_start(&F.d, &F.cfg), SG_ERR_INVALID_ARG); /* full + custom */
    F.cfg.full_access = false;
    F.cfg.expires_in_days = 366;
    assert_int_equal(sg_device_start(&F.d, &F.cfg), SG_ERR_INVALID_ARG);
    F.cfg.expires_in_days = 0;
    F.cfg.platform = NULL;
    assert_int_equal(sg_device_start(&F.d, &F.cfg), SG_ERR_INVALID_ARG);
}

static void test_all_37_scopes_fit(void **state)
{
    (void)state;
    fx_init();
    start_ok("");
    arm();
    const char *all[SG_SCOPE_COUNT];
    for (size_t i = 0; i < SG_SCOPE_COUNT; i++) {
        all[i] = sg_scope_at(i);
    }
    F.cfg.scopes = all;
    F.cfg.scope_count = SG_SCOPE_COUNT;
    F.cfg.token_name = "SiteGPT CLI (a-long-profile-name-for-good-measure)";
    F.cfg.expires_in_days = 365;
#if SG_DEVICE_BODY_MAX >= 1024 && SG_DEVICE_STR_MAX >= 640
    assert_int_equal(sg_device_start(&F.d, &F.cfg), SG_OK);
    assert_int_equal(mem_transport_count_sent(&F.net.mt, "scope=account%3Aread+account%3Awrite+"),
                     1);
    assert_int_equal(mem_transport_count_sent(&F.net.mt, "+billing%3Aread+billing%3Awrite&"), 1);
#else
    /* a build with smaller limits (the firmware's) says so before sending anything */
    assert_int_equal(sg_device_start(&F.d, &F.cfg), SG_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(mem_transport_count_sent(&F.net.mt, "device_authorization"), 0);
#endif
    sg_device_clear(&F.d);
}

static void test_default_interval_is_five_seconds(void **state)
{
    (void)state;
    fx_init();
    start_ok(""); /* no interval member */
    resp(400, pending);
    arm_and_start();
    assert_int_equal(F.d.interval, 5);
    uint32_t wait = 0;
    assert_int_equal(poll(&wait), SG_ERR_AUTHORIZATION_PENDING);
    assert_int_equal(wait, 5000);
    assert_int_equal(token_posts(), 0); /* too early: nothing sent */
    F.net.clock.now_ms += 4999;
    assert_int_equal(poll(&wait), SG_ERR_AUTHORIZATION_PENDING);
    assert_int_equal(wait, 1);
    assert_int_equal(token_posts(), 0);
    F.net.clock.now_ms += 1;
    assert_int_equal(poll(&wait), SG_ERR_AUTHORIZATION_PENDING);
    assert_int_equal(wait, 5000);
    assert_int_equal(token_posts(), 1);
    assert_int_equal(
        mem_transport_count_sent(&F.net.mt,
                                 "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Adevice_code"
                                 "&device_code=" DEVICE_CODE "&client_id=sitegpt-cli"),
        1);
    sg_device_clear(&F.d);
}

static void test_slow_down_adds_five_seconds_for_good(void **state)
{
    (void)state;
    fx_init();
    start_ok(",\"interval\":2");
    resp(400, "{\"error\":\"slow_down\"}");
    resp(400, pending);
    resp(400, "{\"error\":\"slow_down\",\"interval\":30}");
    resp(400, pending);
    arm_and_start();
    static const struct {
        uint32_t after_ms, wait_ms, interval_s;
    } polls[] = {
        {2000, 7000, 7},   /* slow_down: 5 s more */
        {7000, 7000, 7},   /* still slower after a plain pending */
        {7000, 30000, 30}, /* the body's larger interval is adopted */
        {30000, 30000, 30},
    };
    for (size_t i = 0; i < sizeof polls / sizeof polls[0]; i++) {
        uint32_t wait = 0;
        F.net.clock.now_ms += polls[i].after_ms;
        assert_int_equal(poll(&wait), SG_ERR_AUTHORIZATION_PENDING);
        assert_int_equal(wait, polls[i].wait_ms);
        assert_int_equal(F.d.interval, polls[i].interval_s);
    }
    assert_int_equal(token_posts(), 4);
    sg_device_clear(&F.d);
}

static void test_success_hands_over_token_once(void **state)
{
    (void)state;
    fx_init();
    start_ok(",\"interval\":1");
    resp(400, pending);
    resp(200, "{\"access_token\":\"sgpt_live_abc\",\"token_type\":\"Bearer\",\"scope\":\"x\","
              "\"expires_in\":7776000}");
    arm_and_start();
    uint32_t wait = 0;
    F.net.clock.now_ms += 1000;
    assert_int_equal(poll(&wait), SG_ERR_AUTHORIZATION_PENDING);
    F.net.clock.now_ms += wait;
    assert_int_equal(poll(&wait), SG_OK);
    assert_int_equal(wait, 0);
    char tok[64];
    char small[5];
    assert_int_equal(sg_device_take_token(&F.d, small, sizeof small), SG_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(sg_device_take_token(&F.d, tok, sizeof tok), SG_OK);
    assert_string_equal(tok, "sgpt_live_abc");
    assert_int_equal(sg_device_take_token(&F.d, tok, sizeof tok), SG_ERR_INVALID_ARG);
    /* Neither secret is left in the struct, nor in the HTTP client's buffer it came through. */
    assert_false(holds(DEVICE_CODE));
    assert_false(holds("sgpt_live_abc"));
    assert_false(mem_holds(F.io, sizeof F.io, DEVICE_CODE));
    assert_false(mem_holds(F.io, sizeof F.io, "sgpt_live_abc"));
    /* Every request went over one connection. */
    assert_int_equal(F.net.mt.opens, 1);
    assert_int_equal(F.http.requests_on_conn, 4);
}

/* The token response's scope member: what was granted, when the server says (RFC 6749 5.1). */
static void granted(const char *body, bool stated, uint64_t bits)
{
    fx_init();
    start_ok(",\"interval\":1");
    resp(200, body);
    arm_and_start();
    uint32_t wait = 0;
    F.net.clock.now_ms += 1000;
    assert_int_equal(poll(&wait), SG_OK);
    if (!SG_DEVICE_GRANTED_SCOPES) {
        stated = false; /* left out of this build: never stated */
        bits = 0;
    }
    assert_int_equal(F.d.scope_stated, stated);
    assert_true(F.d.scope_bits == bits);
    sg_device_clear(&F.d);
}

static uint64_t bit(const char *scope)
{
    size_t i = 0;
    assert_int_equal(sg_scope_index(scope, strlen(scope), &i), SG_OK);
    return (uint64_t)1 << i;
}

static void test_granted_scopes(void **state)
{
    (void)state;
    granted("{\"access_token\":\"sgpt_a\"}", false, 0);
    granted("{\"access_token\":\"sgpt_a\",\"scope\":\"chatbots:read tokens:read\"}", true,
            bit("chatbots:read") | bit("tokens:read"));
    /* unknown names and doubled spaces are skipped; an empty list grants nothing */
    granted("{\"access_token\":\"sgpt_a\",\"scope\":\"nope:x  billing:read \"}", true,
            bit("billing:read"));
    granted("{\"access_token\":\"sgpt_a\",\"scope\":\"\"}", true, 0);
    granted("{\"access_token\":\"sgpt_a\",\"scope\":null}", false, 0);
    /* a list longer than the reader's strings is cut: it says nothing sure, so not stated */
    static char long_scope[900];
    size_t n = (size_t)snprintf(long_scope, sizeof long_scope,
                                "{\"access_token\":\"sgpt_a\",\"scope\":\"");
    while (n < SG_DEVICE_STR_MAX + 40) {
        n += (size_t)snprintf(long_scope + n, sizeof long_scope - n, "tokens:read ");
    }
    snprintf(long_scope + n, sizeof long_scope - n, "\"}");
    granted(long_scope, false, 0);
}

static void expect_final(const char *body, int http, sg_status want, const char *error)
{
    fx_init();
    start_ok(",\"interval\":1");
    resp(http, body);
    arm_and_start();
    uint32_t wait = 7;
    F.net.clock.now_ms += 1000;
    assert_int_equal(poll(&wait), want);
    assert_int_equal(wait, 0);
    assert_string_equal(F.d.error, error);
    assert_false(holds(DEVICE_CODE));
    assert_int_equal(poll(&wait), SG_ERR_INVALID_ARG); /* over: no more requests */
    assert_int_equal(token_posts(), 1);
}

static void test_final_outcomes(void **state)
{
    (void)state;
    expect_final("{\"error\":\"access_denied\"}", 400, SG_ERR_ACCESS_DENIED, "access_denied");
    expect_final("{\"error\":\"expired_token\"}", 400, SG_ERR_EXPIRED_TOKEN, "expired_token");
    expect_final("{\"error\":\"invalid_grant\",\"error_description\":\"The code is unknown.\"}",
                 400, SG_ERR_OAUTH, "invalid_grant");
    assert_string_equal(F.d.error_description, "The code is unknown.");
    expect_final("{\"error\":\"invalid_client\"}", 401, SG_ERR_OAUTH, "invalid_client");
    expect_final("<html>nope</html>", 403, SG_ERR_HTTP_STATUS, "");
    assert_int_equal(F.d.http_status, 403);
    expect_final("{\"token_type\":\"Bearer\"}", 200, SG_ERR_JSON_TYPE, "");
    /* an empty token is no token: not a success that take_token then refuses */
    expect_final("{\"access_token\":\"\"}", 200, SG_ERR_JSON_TYPE, "");
}

static void test_stops_at_expiry(void **state)
{
    (void)state;
    fx_init();
    resp(404, "");
    resp(200, "{\"device_code\":\"" DEVICE_CODE "\",\"user_code\":\"A\","
              "\"verification_uri\":\"https://x/device\",\"expires_in\":12,\"interval\":5}");
    resp(400, pending);
    resp(400, pending);
    arm_and_start();
    uint64_t left = 0;
    assert_int_equal(sg_device_time_left(&F.d, &left), SG_OK);
    assert_int_equal(left, 12000);
    uint32_t wait = 0;
    F.net.clock.now_ms += 5000;
    assert_int_equal(poll(&wait), SG_ERR_AUTHORIZATION_PENDING);
    assert_int_equal(wait, 5000);
    F.net.clock.now_ms += 5000;
    assert_int_equal(poll(&wait), SG_ERR_AUTHORIZATION_PENDING);
    assert_int_equal(wait, 2000); /* the next poll would be past the expiry */
    F.net.clock.now_ms += 2000;
    assert_int_equal(poll(&wait), SG_ERR_EXPIRED_TOKEN);
    assert_int_equal(token_posts(), 2); /* none at or after expires_in */
}

static void test_network_errors_and_5xx_back_off(void **state)
{
    (void)state;
    fx_init();
    start_ok(",\"interval\":2");
    resp(503, "<html>busy</html>");
    net_error(SG_ERR_IO); /* the client retries a reused connection once by itself... */
    net_error(SG_ERR_IO); /* ...so drop the fresh one too */
    resp(502, "");
    resp(400, pending);
    resp(200, "{\"access_token\":\"sgpt_ok\"}");
    arm_and_start();
    uint32_t wait = 0;
    F.net.clock.now_ms += 2000;
    assert_int_equal(poll(&wait), SG_ERR_AUTHORIZATION_PENDING);
    assert_int_equal(wait, 2000); /* first backoff: the interval */
    assert_int_equal(F.d.retry_status, SG_ERR_HTTP_STATUS);
    F.net.clock.now_ms += wait;
    assert_int_equal(poll(&wait), SG_ERR_AUTHORIZATION_PENDING);
    assert_int_equal(wait, 4000); /* dropped connection: doubled */
    assert_int_equal(F.d.retry_status, SG_ERR_IO);
    F.net.clock.now_ms += wait;
    assert_int_equal(poll(&wait), SG_ERR_AUTHORIZATION_PENDING);
    assert_int_equal(wait, 8000);
    F.net.clock.now_ms += wait;
    assert_int_equal(poll(&wait), SG_ERR_AUTHORIZATION_PENDING);
    assert_int_equal(wait, 2000); /* a good answer resets the backoff */
    F.net.clock.now_ms += wait;
    assert_int_equal(poll(&wait), SG_OK);
    assert_int_equal(F.net.mt.opens, 3); /* the client's own retry, then the next poll */
    sg_device_clear(&F.d);
}

static void test_failures_waiting_cannot_fix_stop_the_poll(void **state)
{
    (void)state;
    static const sg_status fatal[] = {SG_ERR_CERT, SG_ERR_CANCELLED, SG_ERR_HTTP_CHUNK};
    for (size_t i = 0; i < sizeof fatal / sizeof fatal[0]; i++) {
        fx_init();
        start_ok(",\"interval\":2");
        resp(200, "{\"access_token\":\"sgpt_never\"}");
        arm_and_start();
        /* The poll opens a fresh connection, and that open fails this way. */
        sg_http_client_close(&F.http);
        const mem_step fail_open[] = {MEM_ERROR(fatal[i])};
        mem_transport_script_open(&F.net.mt, fail_open, 1);
        uint32_t wait = 0;
        F.net.clock.now_ms += 2000;
        assert_int_equal(poll(&wait), fatal[i]);
        assert_int_equal(wait, 0);
        assert_int_equal(token_posts(), 0); /* and no later poll is planned */
        assert_int_equal(poll(&wait), SG_ERR_INVALID_ARG);
        sg_device_clear(&F.d);
    }
}

static void test_discovery_endpoints(void **state)
{
    (void)state;
    fx_init();
    resp(200, "{\"issuer\":\"http://127.0.0.1:8080\","
              "\"device_authorization_endpoint\":\"http://127.0.0.1:8080/as/device\","
              "\"token_endpoint\":\"http://127.0.0.1:8080/as/token\",\"x\":[1,{\"y\":null}]}");
    resp(200, authorize_body(",\"interval\":1"));
    resp(200, "{\"access_token\":\"sgpt_ok\"}");
    arm_and_start();
    assert_int_equal(mem_transport_count_sent(&F.net.mt, "POST /as/device "), 1);
    uint32_t wait = 0;
    F.net.clock.now_ms += 1000;
    assert_int_equal(poll(&wait), SG_OK);
    assert_int_equal(mem_transport_count_sent(&F.net.mt, "POST /as/token "), 1);
    sg_device_clear(&F.d);

    /* Plain http to a host that is not loopback is refused before anything is sent to it. */
    fx_init();
    resp(200, "{\"issuer\":\"http://127.0.0.1:8080\","
              "\"device_authorization_endpoint\":\"http://evil.example/device\","
              "\"token_endpoint\":\"http://127.0.0.1:8080/oauth/token\"}");
    arm();
    assert_int_equal(sg_device_start(&F.d, &F.cfg), SG_ERR_INSECURE_URL);
    assert_int_equal(mem_transport_count_sent(&F.net.mt, "POST"), 0);
    fx_init();
    resp(200, "{\"token_endpoint\":\"http://127.0.0.1:9999/oauth/token\","
              "\"issuer\":\"http://127.0.0.1:8080/\"}"); /* other port */
    arm();
    assert_int_equal(sg_device_start(&F.d, &F.cfg), SG_ERR_INSECURE_ENDPOINT);

    /* A base path prefixes the well-known suffix and the fallbacks. */
    fx_init();
    F.cfg.base_path = "/tenant";
    start_ok("");
    arm_and_start();
    assert_int_equal(
        mem_transport_count_sent(&F.net.mt, "GET /.well-known/oauth-authorization-server/tenant "),
        1);
    assert_int_equal(
        mem_transport_count_sent(&F.net.mt, "POST /tenant/oauth/device_authorization "), 1);
    sg_device_clear(&F.d);
}

/* RFC 8414 3.3: a served document names the server it came from, else the login stops. */
static void test_discovery_issuer_must_match(void **state)
{
    (void)state;
    static const char *const wrong[] = {
        "{\"issuer\":\"https://127.0.0.1:8080\",\"token_endpoint\":\"http://127.0.0.1:8080/t\"}",
        "{\"issuer\":\"http://127.0.0.1:8081\"}",
        "{\"issuer\":\"http://localhost:8080\"}",
        "{\"issuer\":\"http://127.0.0.1:8080/other\"}",
        "{\"issuer\":\"https://evil.test\",\"device_authorization_endpoint\":\"https://evil.test/d\"}",
        "{\"issuer\":\"not a url\"}",
        "{\"issuer\":7}",
        "{\"device_authorization_endpoint\":\"http://127.0.0.1:8080/as/device\"}", /* none */
        "<html>hello</html>",
        "",
    };
    for (size_t i = 0; i < sizeof wrong / sizeof wrong[0]; i++) {
        fx_init();
        resp(200, wrong[i]);
        resp(200, authorize_body(""));
        arm();
        assert_int_equal(sg_device_start(&F.d, &F.cfg), SG_ERR_DISCOVERY);
        assert_int_equal(mem_transport_count_sent(&F.net.mt, "POST"), 0); /* no fallback */
    }
    /* absent (any status but 200): the default endpoints */
    static const int absent[] = {404, 410, 500};
    for (size_t i = 0; i < sizeof absent / sizeof absent[0]; i++) {
        fx_init();
        resp(absent[i], "{\"issuer\":\"https://evil.test\"}");
        resp(200, authorize_body(""));
        arm_and_start();
        assert_int_equal(mem_transport_count_sent(&F.net.mt, "POST /oauth/device_authorization "),
                         1);
        sg_device_clear(&F.d);
    }
    /* with a base path, the issuer carries it (a trailing '/' aside) */
    fx_init();
    F.cfg.base_path = "/tenant";
    resp(200, "{\"issuer\":\"http://127.0.0.1:8080/tenant/\"}");
    resp(200, authorize_body(""));
    arm_and_start();
    assert_int_equal(
        mem_transport_count_sent(&F.net.mt, "POST /tenant/oauth/device_authorization "), 1);
    sg_device_clear(&F.d);
    fx_init();
    F.cfg.base_path = "/tenant";
    resp(200, "{\"issuer\":\"http://127.0.0.1:8080\"}");
    arm();
    assert_int_equal(sg_device_start(&F.d, &F.cfg), SG_ERR_DISCOVERY);
}

/* A server cannot park a login: interval and expires_in are bounded. */
static void test_absurd_timers_are_bounded(void **state)
{
    (void)state;
    fx_init();
    resp(404, "");
    resp(200, "{\"device_code\":\"" DEVICE_CODE "\",\"user_code\":\"ABCD-EFGH\","
              "\"verification_uri\":\"https://sitegpt.ai/device\","
              "\"expires_in\":999999999,\"interval\":86400}");
    resp(400, "{\"error\":\"slow_down\"}");
    resp(400, "{\"error\":\"slow_down\",\"interval\":999999}");
    resp(200, "{\"access_token\":\"sgpt_ok\"}");
    arm_and_start();
    assert_int_equal(F.d.expires_in, SG_DEVICE_MAX_EXPIRES_IN_S);
    assert_int_equal(F.d.interval, SG_DEVICE_MAX_INTERVAL_S);
    uint64_t left = 0;
    assert_int_equal(sg_device_time_left(&F.d, &left), SG_OK);
    assert_int_equal(left, 3600u * 1000u);
    uint32_t wait = 0;
    assert_int_equal(poll(&wait), SG_ERR_AUTHORIZATION_PENDING);
    assert_int_equal(wait, 60000); /* not a day */
    F.net.clock.now_ms += wait;
    assert_int_equal(poll(&wait), SG_ERR_AUTHORIZATION_PENDING); /* slow_down: 60 + 5, capped */
    assert_int_equal(F.d.interval, 60);
    assert_int_equal(wait, 60000);
    F.net.clock.now_ms += wait;
    assert_int_equal(poll(&wait), SG_ERR_AUTHORIZATION_PENDING); /* the body's interval, capped */
    assert_int_equal(F.d.interval, 60);
    assert_int_equal(wait, 60000);
    F.net.clock.now_ms += wait;
    assert_int_equal(poll(&wait), SG_OK);
    sg_device_clear(&F.d);

    /* the code's life is cut to an hour: no poll after that, whatever the server said */
    fx_init();
    resp(404, "");
    resp(200, "{\"device_code\":\"" DEVICE_CODE "\",\"user_code\":\"ABCD-EFGH\","
              "\"verification_uri\":\"https://sitegpt.ai/device\",\"expires_in\":86400}");
    arm_and_start();
    F.net.clock.now_ms += 3600u * 1000u;
    assert_int_equal(poll(&wait), SG_ERR_EXPIRED_TOKEN);
    assert_int_equal(token_posts(), 0);
    /* in-bound values stay as issued */
    fx_init();
    start_ok(",\"interval\":60");
    arm_and_start();
    assert_int_equal(F.d.expires_in, 899);
    assert_int_equal(F.d.interval, 60);
    sg_device_clear(&F.d);
}

static void test_authorization_refused(void **state)
{
    (void)state;
    fx_init();
    resp(404, "");
    resp(400, "{\"error\":\"invalid_scope\",\"error_description\":\"billing:write not allowed\"}");
    arm();
    assert_int_equal(sg_device_start(&F.d, &F.cfg), SG_ERR_OAUTH);
    assert_string_equal(F.d.error, "invalid_scope");
    assert_string_equal(F.d.error_description, "billing:write not allowed");
    uint32_t wait;
    assert_int_equal(poll(&wait), SG_ERR_INVALID_ARG);

    fx_init();
    resp(404, "");
    resp(200, "{\"user_code\":\"A\",\"verification_uri\":\"https://x\",\"expires_in\":9}");
    arm();
    assert_int_equal(sg_device_start(&F.d, &F.cfg), SG_ERR_JSON_TYPE); /* no device_code */

    /* an empty user_code or verification_uri leaves the user nothing to act on (fuzz_device) */
    static const char *const empty[] = {
        "{\"device_code\":\"d\",\"user_code\":\"\",\"verification_uri\":\"https://x\","
        "\"expires_in\":9}",
        "{\"device_code\":\"d\",\"user_code\":\"A\",\"verification_uri\":\"\","
        "\"expires_in\":9}",
    };
    for (size_t i = 0; i < sizeof empty / sizeof empty[0]; i++) {
        fx_init();
        resp(404, "");
        resp(200, empty[i]);
        arm();
        assert_int_equal(sg_device_start(&F.d, &F.cfg), SG_ERR_JSON_TYPE);
    }

    fx_init();
    net_error(SG_ERR_CONNECT);
    arm();
    F.net.mt.open_script.count = 0;
    static const mem_step refuse[] = {MEM_ERROR(SG_ERR_CONNECT)};
    mem_transport_script_open(&F.net.mt, refuse, 1);
    assert_int_equal(sg_device_start(&F.d, &F.cfg), SG_ERR_CONNECT);
}

/* Values of the authorization response that cannot be used stop the login before a poll. */
static void test_authorization_values_checked(void **state)
{
    (void)state;
    static const struct {
        const char *body;
        sg_status want;
    } cases[] = {
        {"{\"device_code\":\"d\",\"user_code\":\"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789\","
         "\"verification_uri\":\"https://x\",\"expires_in\":9}",
         SG_ERR_BUFFER_TOO_SMALL}, /* a user code longer than any display keeps */
        {"{\"device_code\":\"d\",\"user_code\":\"AB\\u0000CD\",\"verification_uri\":\"https://x\","
         "\"expires_in\":9}",
         SG_ERR_BUFFER_TOO_SMALL}, /* a NUL would cut what the user is shown */
        {"{\"device_code\":\"d\",\"user_code\":\"A\",\"verification_uri\":\"https://x\","
         "\"expires_in\":\"600\"}",
         SG_ERR_JSON_TYPE},
        {"{\"device_code\":\"d\",\"user_code\":\"A\",\"verification_uri\":\"https://x\","
         "\"expires_in\":-1}",
         SG_ERR_JSON_TYPE},
        {"{\"device_code\":\"d\",\"user_code\":\"A\",\"verification_uri\":\"https://x\","
         "\"expires_in\":9,\"interval\":1.5}",
         SG_ERR_JSON_TYPE},
        {"{\"device_code\":\"d\",\"user_code\":\"A\",\"verification_uri\":\"https://x\","
         "\"expires_in\":0}",
         SG_ERR_JSON_TYPE}, /* a code already expired */
        {"{\"device_code\":\"d\",\"user_code\":7,\"verification_uri\":\"https://x\","
         "\"expires_in\":9}",
         SG_ERR_JSON_TYPE},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        fx_init();
        resp(404, "");
        resp(200, cases[i].body);
        arm();
        assert_int_equal(sg_device_start(&F.d, &F.cfg), cases[i].want);
        uint32_t wait = 7;
        assert_int_equal(poll(&wait), SG_ERR_INVALID_ARG); /* nothing to poll */
        assert_int_equal(wait, 0);
        assert_int_equal(token_posts(), 0);
    }
}

/* Paths and scope lists longer than their buffers: refused before the request they belong to. */
static void test_lengths_bounded(void **state)
{
    (void)state;
    static char base_path[SG_DEVICE_PATH_MAX];
    memset(base_path, 'p', sizeof base_path - 1);
    base_path[0] = '/';
    fx_init();
    F.cfg.base_path = base_path; /* + "/oauth/device_authorization" is too long */
    resp(404, "");
    arm();
    assert_int_equal(sg_device_start(&F.d, &F.cfg), SG_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(mem_transport_count_sent(&F.net.mt, "POST"), 0);

    static char long_path_doc[600];
    snprintf(long_path_doc, sizeof long_path_doc,
             "{\"issuer\":\"http://127.0.0.1:8080\",\"device_authorization_endpoint\":"
             "\"http://127.0.0.1:8080/%0*d\"}",
             SG_DEVICE_PATH_MAX, 0);
    fx_init();
    resp(200, long_path_doc);
    arm();
    assert_int_equal(sg_device_start(&F.d, &F.cfg), SG_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(mem_transport_count_sent(&F.net.mt, "POST"), 0);

    /* 30 scopes of 30 characters: more than the scope list's room */
    static char names[30][31];
    static const char *scopes[30];
    for (int i = 0; i < 30; i++) {
        snprintf(names[i], sizeof names[i], "scope:%024d", i);
        scopes[i] = names[i];
    }
    fx_init();
    F.cfg.scopes = scopes;
    F.cfg.scope_count = 30;
    resp(404, "");
    arm();
    assert_int_equal(sg_device_start(&F.d, &F.cfg), SG_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(mem_transport_count_sent(&F.net.mt, "POST"), 0);
}

/* A discovered endpoint without a path is the server's root. */
static void test_discovered_endpoint_without_path(void **state)
{
    (void)state;
    fx_init();
    resp(200, "{\"issuer\":\"http://127.0.0.1:8080\","
              "\"device_authorization_endpoint\":\"http://127.0.0.1:8080\"}");
    resp(200, authorize_body(""));
    arm_and_start();
    assert_int_equal(mem_transport_count_sent(&F.net.mt, "POST / HTTP/1.1\r\n"), 1);
    sg_device_clear(&F.d);
}

/* A base path given with a trailing '/' still matches the issuer without one. */
static void test_issuer_against_base_path_with_slash(void **state)
{
    (void)state;
    fx_init();
    F.cfg.base_path = "/tenant/";
    resp(200, "{\"issuer\":\"http://127.0.0.1:8080/tenant\","
              "\"device_authorization_endpoint\":\"http://127.0.0.1:8080/tenant/device\","
              "\"token_endpoint\":\"http://127.0.0.1:8080/tenant/token\"}");
    resp(200, authorize_body(""));
    arm_and_start();
    assert_int_equal(mem_transport_count_sent(&F.net.mt, "POST /tenant/device "), 1);
    sg_device_clear(&F.d);
}

/* "Pending" arriving after the code's life ended is the end, not another wait. */
static void test_pending_answer_after_expiry(void **state)
{
    (void)state;
    fx_init();
    resp(404, "");
    resp(200, "{\"device_code\":\"" DEVICE_CODE "\",\"user_code\":\"ABCD-EFGH\","
              "\"verification_uri\":\"https://sitegpt.ai/device\",\"expires_in\":9,"
              "\"interval\":1}");
    resp(400, pending);
    F.steps[F.nsteps - 1].delay_ms = 3000; /* the answer takes 3 s */
    arm_and_start();
    F.net.clock.now_ms += 8000; /* 1 s of life left when the poll goes out */
    uint32_t wait = 7;
    assert_int_equal(poll(&wait), SG_ERR_EXPIRED_TOKEN);
    assert_int_equal(wait, 0);
    assert_int_equal(token_posts(), 1);
    assert_false(holds(DEVICE_CODE));
    assert_int_equal(poll(&wait), SG_ERR_INVALID_ARG);
}

/* The cancel flag raised while sg_device_wait sleeps (a signal handler): the next slice stops. */
static volatile int cancel_during_sleep;
static sg_platform sleeping_platform;

static void cancelling_sleep(void *ctx, uint32_t ms)
{
    F.net.platform.sleep_ms(ctx, ms); /* the fake clock's own sleep */
    cancel_during_sleep = 1;
}

static void test_cancel_during_sleep(void **state)
{
    (void)state;
    fx_init();
    sleeping_platform = F.net.platform;
    sleeping_platform.sleep_ms = cancelling_sleep;
    F.cfg.platform = &sleeping_platform;
    start_ok(",\"interval\":3");
    arm_and_start();
    cancel_during_sleep = 0;
    assert_int_equal(sg_device_wait(&F.d, &cancel_during_sleep), SG_ERR_CANCELLED);
    assert_int_equal(F.net.clock.sleep_calls, 1); /* one slice, then the flag was seen */
    assert_int_equal(token_posts(), 0);
    assert_false(holds(DEVICE_CODE));
    uint32_t wait = 7;
    assert_int_equal(poll(&wait), SG_ERR_INVALID_ARG);
}

/* A client id of the caller's, a 429 while polling, a 200 that is not JSON, and the
   accessors before, during and after the flow. */
static void test_client_id_429_and_accessors(void **state)
{
    (void)state;
    fx_init();
    F.cfg.client_id = "my-app";
    start_ok(",\"interval\":1");
    resp(429, "");
    resp(200, "<html>not json</html>");
    arm_and_start();
    assert_int_equal(mem_transport_count_sent(&F.net.mt, "client_id=my-app"), 1);
    uint32_t wait = 0;
    F.net.clock.now_ms += 1000;
    assert_int_equal(poll(&wait), SG_ERR_AUTHORIZATION_PENDING); /* rate limited: back off */
    assert_int_equal(F.d.retry_status, SG_ERR_HTTP_STATUS);
    assert_int_equal(wait, 1000);
    assert_int_equal(mem_transport_count_sent(&F.net.mt, "client_id=my-app"), 2);
    F.net.clock.now_ms += wait;
    assert_int_equal(poll(&wait), SG_ERR_JSON_SYNTAX); /* a 200 that says nothing usable */
    uint64_t left = 9;
    assert_int_equal(sg_device_time_left(&F.d, &left), SG_OK);
    assert_int_equal(left, 0); /* over */
    char tok[16];
    assert_int_equal(sg_device_take_token(&F.d, tok, sizeof tok), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_device_take_token(NULL, tok, sizeof tok), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_device_take_token(&F.d, NULL, sizeof tok), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_device_take_token(&F.d, tok, 0), SG_ERR_INVALID_ARG);
    sg_device_clear(NULL); /* harmless */
    sg_device never;
    memset(&never, 0, sizeof never);
    assert_int_equal(sg_device_wait(&never, NULL), SG_ERR_INVALID_ARG); /* never started */
    assert_int_equal(sg_device_time_left(&never, &left), SG_OK);
    assert_int_equal(left, 0);
}

static void test_blocking_wait_and_cancel(void **state)
{
    (void)state;
    fx_init();
    start_ok(",\"interval\":3");
    resp(400, pending);
    resp(400, "{\"error\":\"slow_down\"}");
    resp(200, "{\"access_token\":\"sgpt_ok\"}");
    arm_and_start();
    volatile int cancel = 0;
    assert_int_equal(sg_device_wait(&F.d, &cancel), SG_OK);
    assert_int_equal(F.net.clock.slept_ms, 3000 + 3000 + 8000);
    char tok[32];
    assert_int_equal(sg_device_take_token(&F.d, tok, sizeof tok), SG_OK);
    assert_string_equal(tok, "sgpt_ok");

    fx_init();
    start_ok(",\"interval\":3");
    arm_and_start();
    cancel = 1;
    assert_int_equal(sg_device_wait(&F.d, &cancel), SG_ERR_CANCELLED);
    assert_int_equal(token_posts(), 0);
    assert_false(holds(DEVICE_CODE));

    fx_init();
    start_ok(",\"interval\":3");
    arm_and_start();
    F.net.platform.sleep_ms = NULL;
    assert_int_equal(sg_device_wait(&F.d, NULL), SG_ERR_UNSUPPORTED);
    sg_device_clear(&F.d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_start_reads_codes_and_sends_contract_fields),
        cmocka_unit_test(test_full_access_and_options),
        cmocka_unit_test(test_all_37_scopes_fit),
        cmocka_unit_test(test_granted_scopes),
        cmocka_unit_test(test_default_interval_is_five_seconds),
        cmocka_unit_test(test_slow_down_adds_five_seconds_for_good),
        cmocka_unit_test(test_success_hands_over_token_once),
        cmocka_unit_test(test_final_outcomes),
        cmocka_unit_test(test_stops_at_expiry),
        cmocka_unit_test(test_network_errors_and_5xx_back_off),
        cmocka_unit_test(test_failures_waiting_cannot_fix_stop_the_poll),
        cmocka_unit_test(test_discovery_endpoints),
        cmocka_unit_test(test_discovery_issuer_must_match),
        cmocka_unit_test(test_absurd_timers_are_bounded),
        cmocka_unit_test(test_authorization_refused),
        cmocka_unit_test(test_blocking_wait_and_cancel),
        cmocka_unit_test(test_authorization_values_checked),
        cmocka_unit_test(test_lengths_bounded),
        cmocka_unit_test(test_discovered_endpoint_without_path),
        cmocka_unit_test(test_issuer_against_base_path_with_slash),
        cmocka_unit_test(test_pending_answer_after_expiry),
        cmocka_unit_test(test_cancel_during_sleep),
        cmocka_unit_test(test_client_id_429_and_accessors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
