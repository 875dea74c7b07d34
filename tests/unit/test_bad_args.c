/*
 * Every public function of the core refuses what it cannot work with (NULL outputs, empty
 * or oversized inputs) with SG_ERR_INVALID_ARG or the status its header names, and leaves
 * outputs in their documented empty state: the checks the other suites never reach.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "mem_transport.h"
#include <sitegpt/sg_profiles.h>
#include <sitegpt/sg_device.h>
#include <sitegpt/sg_retry.h>
#include <sitegpt/sg_url.h>

#define S(lit) ((sg_slice){(lit), sizeof(lit) - 1})

static void test_status_texts(void **state)
{
    (void)state;
    /* a value outside the enum (a caller's cast, memory gone bad) still gets a text */
    assert_string_equal(sg_strerror((sg_status)-12345), "unknown status");
    assert_string_not_equal(sg_strerror(SG_ERR_IO), "unknown status");
}

static void test_retry_args(void **state)
{
    (void)state;
    uint32_t ms = 7;
    sg_slice none = {NULL, 0};
    assert_int_equal(sg_retry_after_ms(none, none, &ms), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_retry_after_ms(S("5"), none, NULL), SG_ERR_INVALID_ARG);
    sg_retry_policy p = {0, 0, 0, 0};
    sg_retry_state s = {0, 0};
    bool retry = true;
    uint32_t wait = 1;
    assert_int_equal(sg_retry_next(NULL, &s, NULL, SG_RETRY_CONNECTION, -1, &retry, &wait),
                     SG_ERR_INVALID_ARG);
    assert_int_equal(sg_retry_next(&p, NULL, NULL, SG_RETRY_CONNECTION, -1, &retry, &wait),
                     SG_ERR_INVALID_ARG);
    assert_int_equal(sg_retry_next(&p, &s, NULL, SG_RETRY_CONNECTION, -1, NULL, &wait),
                     SG_ERR_INVALID_ARG);
    assert_int_equal(sg_retry_next(&p, &s, NULL, SG_RETRY_CONNECTION, -1, &retry, NULL),
                     SG_ERR_INVALID_ARG);
    const char *m = NULL;
    bool keep = false;
    assert_int_equal(sg_redirect_method(200, "GET", &m, &keep), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_redirect_method(301, NULL, &m, &keep), SG_ERR_INVALID_ARG);
#if SG_RETRY_HTTP_DATE
    /* a Retry-After date is measured against a Date that must itself be a date */
    assert_int_equal(sg_retry_after_ms(S("Sun, 06 Nov 1994 08:49:42 GMT"), S("yesterday"), &ms),
                     SG_ERR_INVALID_ARG);
#endif
}

static void test_url_args(void **state)
{
    (void)state;
    char buf[32];
    size_t n = 99;
    assert_int_equal(sg_u64_to_dec(1, NULL, 4, &n), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_u64_to_dec(12345, buf, 5, &n), SG_ERR_BUFFER_TOO_SMALL);
    sg_slice bad = {NULL, 3};
    assert_int_equal(sg_url_encode(bad, buf, sizeof buf, &n), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_url_encode(S("x"), NULL, 4, &n), SG_ERR_INVALID_ARG);
    sg_url u;
    assert_int_equal(sg_url_parse(NULL, buf, sizeof buf, &u), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_url_parse("https://h", NULL, 8, &u), SG_ERR_INVALID_ARG);
    sg_http_origin cur = {"h", 443, true}, o;
    assert_int_equal(sg_url_resolve_location(&cur, S("/x"), NULL, 8, buf, sizeof buf, &o),
                     SG_ERR_INVALID_ARG);
    /* a path-only Location copies the current host: it must fit too */
    sg_http_origin long_host = {"a-rather-long-host.example", 443, true};
    assert_int_equal(sg_url_resolve_location(&long_host, S("/x"), buf, 8, buf + 8, 16, &o),
                     SG_ERR_BUFFER_TOO_SMALL);
    sg_form f;
    assert_int_equal(sg_form_init(&f, buf, 0), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_query_init(&f, buf, sizeof buf, "no-slash"), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_query_init(&f, buf, 4, "/long/path"), SG_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(sg_form_init(&f, buf, sizeof buf), SG_OK);
    assert_int_equal(sg_form_add(&f, NULL, "v"), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_form_add_u64(&f, NULL, 1), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_form_add_u64(&f, "k", 1), SG_OK);
    assert_string_equal(buf, "k=1");
    /* the remaining arguments, one at a time */
    assert_int_equal(sg_url_parse("https://h", buf, sizeof buf, NULL), SG_ERR_INVALID_ARG);
    sg_http_origin no_host = {NULL, 443, true};
    assert_int_equal(sg_url_resolve_location(&no_host, S("/x"), buf, 8, buf + 8, 16, &o),
                     SG_ERR_INVALID_ARG);
    sg_slice none = {NULL, 0};
    assert_int_equal(sg_url_encode(none, buf, sizeof buf, &n), SG_OK); /* nothing to encode */
    assert_int_equal(n, 0);
    assert_string_equal(buf, "");
    assert_int_equal(sg_url_path_segment("id", NULL, 8, &n), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_url_path_segment(NULL, buf, 8, &n), SG_ERR_INVALID_ARG);
}

static void test_config_args(void **state)
{
    (void)state;
    static sg_json_tok tok[64];
    sg_profiles c;
    char out[64];
    size_t count = 9;
    assert_int_equal(sg_profiles_init_empty(NULL), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_profiles_parse(&c, NULL, 0, tok, 64), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_profiles_parse(&c, "{}", SG_PROFILES_MAX_BYTES + 1u, tok, 64),
                     SG_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(sg_profiles_parse(&c, "{}", 2, tok, 64), SG_OK);
    assert_int_equal(sg_profiles_default(NULL, out, sizeof out), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_profiles_count(NULL, &count), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_profiles_name(&c, 0, NULL, 4), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_profiles_exists(&c, NULL), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_profiles_get(&c, "p", NULL, out, sizeof out), SG_ERR_INVALID_ARG);
    /* each argument of each call in turn */
    assert_int_equal(sg_profiles_parse(NULL, "{}", 2, tok, 64), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_profiles_parse(&c, "{}", 2, NULL, 64), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_profiles_parse(&c, "{}", 2, tok, 0), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_profiles_parse(&c, "{}", 2, tok, 64), SG_OK);
    assert_int_equal(sg_profiles_default(&c, NULL, sizeof out), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_profiles_default(&c, out, 0), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_profiles_count(&c, NULL), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_profiles_name(&c, 0, out, 0), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_profiles_name(NULL, 0, out, sizeof out), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_profiles_exists(NULL, "p"), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_profiles_get(NULL, "p", "token", out, sizeof out), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_profiles_get(&c, NULL, "token", out, sizeof out), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_profiles_get(&c, "p", "token", NULL, sizeof out), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_profiles_get(&c, "p", "token", out, 0), SG_ERR_INVALID_ARG);
    sg_profiles_edit ed = {SG_PROFILES_SET_PROFILE, "p", "sgpt_x", NULL};
    size_t len = 7;
    assert_int_equal(sg_profiles_write(NULL, &ed, out, sizeof out, &len), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_profiles_write(&c, NULL, out, sizeof out, &len), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_profiles_write(&c, &ed, NULL, sizeof out, &len), SG_ERR_INVALID_ARG);
    ed.profile = NULL;
    assert_int_equal(sg_profiles_write(&c, &ed, out, sizeof out, &len), SG_ERR_INVALID_ARG);
    char long_name[SG_PROFILES_KEY_MAX + 2];
    memset(long_name, 'n', sizeof long_name - 1);
    long_name[sizeof long_name - 1] = '\0';
    ed.profile = long_name;
    assert_int_equal(sg_profiles_write(&c, &ed, out, sizeof out, &len), SG_ERR_INVALID_ARG);
    ed.profile = "p";
    ed.op = (sg_profiles_op)99;
    assert_int_equal(sg_profiles_write(&c, &ed, out, sizeof out, &len), SG_ERR_INVALID_ARG);
    /* a document that does not fit, without a length to report: nothing is left in out */
    ed.op = SG_PROFILES_SET_PROFILE;
    memset(out, 'x', sizeof out);
    assert_int_equal(sg_profiles_write(&c, &ed, out, 8, NULL), SG_ERR_BUFFER_TOO_SMALL);
    for (size_t i = 0; i < 8; i++) {
        assert_int_equal(out[i], 0);
    }
    /* an empty defaultProfile is no default */
    static const char empty_default[] = "{\"defaultProfile\":\"\",\"profiles\":{}}";
    assert_int_equal(sg_profiles_parse(&c, empty_default, sizeof empty_default - 1, tok, 64),
                     SG_OK);
    assert_int_equal(sg_profiles_default(&c, out, sizeof out), SG_ERR_NOT_FOUND);
    /* member names longer than SG_PROFILES_KEY_MAX: refused at parse, not dropped at write */
    static char doc[1024];
    char key[SG_PROFILES_KEY_MAX + 2];
    memset(key, 'k', sizeof key - 1);
    key[sizeof key - 1] = '\0';
    static const char *const before[] = {"{\"", "{\"profiles\":{\"", "{\"profiles\":{\"p\":{\""};
    static const char *const after[] = {"\":1}", "\":{}}}", "\":1}}}"};
    for (size_t i = 0; i < sizeof before / sizeof before[0]; i++) {
        int w = snprintf(doc, sizeof doc, "%s%s%s", before[i], key, after[i]);
        assert_true(w > 0);
        assert_int_equal(sg_profiles_parse(&c, doc, (size_t)w, tok, 64),
                         SG_ERR_JSON_STRING_TOO_LONG);
    }
}

static void test_device_args(void **state)
{
    (void)state;
    static sg_device d;
    static mem_net net;
    static sg_http_client http;
    static uint8_t io[512];
    mem_net_init(&net, 1000, NULL, 0);
    sg_http_config hc = {.platform = &net.platform, .plain = &net.transport};
    assert_int_equal(sg_http_client_init(&http, &hc, io, sizeof io), SG_OK);
    sg_device_config cfg = {
        .http = &http, .platform = &net.platform, .base = {"127.0.0.1", 8080, false}};
    assert_int_equal(sg_device_start(NULL, &cfg), SG_ERR_INVALID_ARG);
    static const char *const bad_scopes[] = {"chatbots:read", "two words"};
    cfg.scopes = bad_scopes;
    cfg.scope_count = 2;
    assert_int_equal(sg_device_start(&d, &cfg), SG_ERR_INVALID_ARG);
    cfg.scope_count = 0;
    static const char *const bad_bots[] = {""};
    cfg.chatbot_ids = bad_bots;
    cfg.chatbot_count = 1;
    assert_int_equal(sg_device_start(&d, &cfg), SG_ERR_INVALID_ARG);
    /* every other field of the configuration, one at a time */
    const sg_device_config good = {
        .http = &http, .platform = &net.platform, .base = {"127.0.0.1", 8080, false}};
    static const char *const one_scope[] = {"chatbots:read"};
    static const char *const null_scope[] = {NULL};
    static const char *const empty_scope[] = {""};
    static const char *const null_bot[] = {NULL};
    sg_platform no_clock = net.platform;
    no_clock.now_ms = NULL;
    sg_device_config bad[13];
    for (size_t i = 0; i < 13; i++) {
        bad[i] = good;
    }
    bad[0].http = NULL;
    bad[1].platform = NULL;
    bad[2].platform = &no_clock;
    bad[3].base.host = NULL;
    bad[4].base.port = 0;
    bad[5].scope_count = 1; /* scopes NULL */
    bad[6].scopes = one_scope;
    bad[6].scope_count = 1;
    bad[6].full_access = true; /* both: never */
    bad[7].chatbot_count = 1;  /* chatbot_ids NULL */
    bad[8].expires_in_days = 366;
    bad[9].base_path = "tenant"; /* not starting with '/' */
    bad[10].scopes = null_scope;
    bad[10].scope_count = 1;
    bad[11].scopes = empty_scope;
    bad[11].scope_count = 1;
    bad[12].chatbot_ids = null_bot;
    bad[12].chatbot_count = 1;
    for (size_t i = 0; i < 13; i++) {
        assert_int_equal(sg_device_start(&d, &bad[i]), SG_ERR_INVALID_ARG);
    }
    assert_int_equal(sg_device_start(&d, NULL), SG_ERR_INVALID_ARG);
    assert_int_equal(net.mt.open_calls, 0); /* refused before any I/O */
    assert_int_equal(sg_device_wait(NULL, NULL), SG_ERR_INVALID_ARG);
    uint64_t left = 5;
    assert_int_equal(sg_device_time_left(NULL, &left), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_device_time_left(&d, NULL), SG_ERR_INVALID_ARG);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_status_texts), cmocka_unit_test(test_retry_args),
        cmocka_unit_test(test_url_args),     cmocka_unit_test(test_config_args),
        cmocka_unit_test(test_device_args),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
