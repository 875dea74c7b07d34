/*
 * The sizeof figures the headers state (for 64-bit hosts with the default limits), so a
 * header cannot go on claiming a size the code has outgrown. The unit suite's second
 * configuration (the firmware's limits, SG_TEST_FW_LIMITS) checks that those limits do
 * shrink the structs they bound; the Cortex-M4 figures are `make size`'s.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <sitegpt/sg_api.h>
#include <sitegpt/sg_profiles.h>
#include <sitegpt/sg_device.h>
#include <sitegpt/sg_envelope.h>
#include <sitegpt/sg_http.h>
#include <sitegpt/sg_json.h>

#ifndef SG_TEST_FW_LIMITS
#define SG_TEST_FW_LIMITS 0
#endif

static void test_header_figures(void **state)
{
    (void)state;
#if UINTPTR_MAX == UINT64_MAX && !SG_TEST_FW_LIMITS
    assert_int_equal(sizeof(sg_device), 3776);     /* sg_device.h */
    assert_int_equal(sizeof(sg_json_reader), 384); /* sg_json.h */
    assert_true(sizeof(sg_profiles) <= 48);        /* sg_profiles.h: "about 48 bytes" */
    assert_in_range(sizeof(sg_api), 2700, 2799);   /* sg_api.h: "2.7 KB" */
#elif SG_TEST_FW_LIMITS
    /* the firmware's limits (mk/firmware.mk) shrink what they bound */
    assert_true(sizeof(sg_device) < 3776 / 2);
    assert_true(sizeof(sg_api) < 2700 / 3);
    assert_true(sizeof(sg_envelope) < 1024);
    assert_true(sizeof(sg_http_client) < 200);
#else
    skip(); /* 32-bit hosts: the figures are for 64-bit ones */
#endif
    assert_true(sizeof(sg_json_reader) <= 400); /* the ceiling test_json also checks */
}

/* What the struct members promise about each other, whatever the limits. */
static void test_limits_fit_together(void **state)
{
    (void)state;
    sg_device d;
    sg_api api;
    assert_true(sizeof d._private.u.access_token == SG_DEVICE_TOKEN_MAX);
    assert_true(sizeof api._private.at.target == SG_API_TARGET_MAX);
#if SG_API_REDIRECTS
    assert_true(sizeof api._private.at.host == SG_HOST_MAX);
#endif
    assert_true(SG_API_WORK_MIN >= 1024u);
    assert_true(SG_ENVELOPE_MESSAGE_MAX >= 64 && SG_ENVELOPE_CODE_MAX >= 32);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_header_figures),
        cmocka_unit_test(test_limits_fit_together),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
