/*
 * sg_wipe: where the core clears secrets, it goes through the one sg_wipe. This binary
 * defines its own sg_wipe (the linker then leaves the library's out), which records every
 * call and zeroes as the real one does; each case makes the core hold a secret and checks
 * that the bytes were handed to sg_wipe.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <sitegpt/sg_profiles.h>
#include <sitegpt/sg_device.h>
#include <sitegpt/sg_http.h>
#include <sitegpt/sg_json.h>

#define CALLS_MAX 64

static struct {
    const unsigned char *p;
    size_t n;
} calls[CALLS_MAX];
static size_t call_count;

void sg_wipe(void *p, size_t n)
{
    if (call_count < CALLS_MAX) {
        calls[call_count].p = p;
        calls[call_count].n = n;
        call_count++;
    }
    if (p != NULL) {
        memset(p, 0, n);
    }
}

/* Whether some sg_wipe call covered buf[0..n). */
static bool wiped(const void *buf, size_t n)
{
    const unsigned char *b = buf;
    for (size_t i = 0; i < call_count; i++) {
        if (calls[i].p <= b && b + n <= calls[i].p + calls[i].n) {
            return true;
        }
    }
    return false;
}

static int reset(void **state)
{
    (void)state;
    call_count = 0;
    return 0;
}

static void all_zero(const char *buf, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(buf[i], 0);
    }
}

/* A config write cut short: the partial copy (other profiles' tokens) goes through sg_wipe. */
static void test_config_write_overflow(void **state)
{
    (void)state;
    static const char doc[] = "{\"version\":1,\"profiles\":{\"a\":{\"token\":\"sgpt_secret_a\"},"
                              "\"b\":{\"token\":\"sgpt_secret_b\"}}}";
    sg_json_tok toks[64];
    sg_profiles c;
    char out[48];
    size_t len = 7;
    assert_int_equal(sg_profiles_parse(&c, doc, strlen(doc), toks, 64), SG_OK);
    sg_profiles_edit e = {SG_PROFILES_SET_PROFILE, "c", "sgpt_new", NULL};
    assert_int_equal(sg_profiles_write(&c, &e, out, sizeof out, &len), SG_ERR_BUFFER_TOO_SMALL);
    assert_true(wiped(out, sizeof out));
    all_zero(out, sizeof out);
}

/* A request head that does not fit: the bearer token that did goes through sg_wipe. */
static void test_http_head_overflow(void **state)
{
    (void)state;
    sg_http_request req;
    memset(&req, 0, sizeof req);
    req.method = "GET";
    req.target = "/api/v2/me";
    req.bearer_token = "sgpt_0123456789abcdef0123456789abcdef";
    char out[150];
    memset(out, 0, sizeof out); /* defined bytes past what the writer touches */
    size_t written = 0;
    assert_int_equal(sg_http_write_head(&req, "localhost", out, sizeof out, &written),
                     SG_ERR_BUFFER_TOO_SMALL);
    assert_true(call_count > 0);
    assert_true(wiped(out, 100));
    for (size_t i = 0; i + 5 <= sizeof out; i++) {
        assert_int_not_equal(memcmp(out + i, "sgpt_", 5), 0);
    }
}

/* A string that does not fit its buffer: no prefix of it (a token) stays there. */
static void test_unescape_overflow(void **state)
{
    (void)state;
    char out[8];
    memset(out, 0, sizeof out); /* defined bytes past what unescape touches */
    size_t len = 0;
    assert_int_not_equal(sg_json_unescape("sgpt_secret", 11, out, sizeof out, &len), SG_OK);
    assert_true(wiped(out, 7));
    all_zero(out, sizeof out);
}

/* Clearing a device flow wipes the whole struct (device code, access token). */
static void test_device_clear(void **state)
{
    (void)state;
    static sg_device d;
    memset(&d, 0x5a, sizeof d);
    sg_device_clear(&d);
    assert_true(wiped(&d, sizeof d));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_config_write_overflow, reset),
        cmocka_unit_test_setup(test_http_head_overflow, reset),
        cmocka_unit_test_setup(test_unescape_overflow, reset),
        cmocka_unit_test_setup(test_device_clear, reset),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
