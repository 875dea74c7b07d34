/*
 * sg_strerror with SG_STRERROR_TEXTS 0 (no per-status texts, the layer's name only), compiled
 * in here: the library's own sg_status.o (built with the defaults) is not linked for it.
 */
#define SG_STRERROR_TEXTS 0
#include "../../core/sg_status.c"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "status_list.h"

/* Every declared code falls in a layer: one added to sg_base.h outside them fails here. */
static void test_every_code_names_its_layer(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof k_all / sizeof k_all[0]; i++) {
        const char *s = sg_strerror(k_all[i]);
        assert_non_null(s);
        assert_string_not_equal(s, "unknown status");
    }
}

/* The codes the list skips, and any beyond it, are no layer's. */
static void test_undeclared_codes_are_unknown(void **state)
{
    (void)state;
    assert_true(sizeof k_gaps / sizeof k_gaps[0] >= 4);
    for (size_t i = 0; i < sizeof k_gaps / sizeof k_gaps[0]; i++) {
        assert_string_equal(sg_strerror((sg_status)k_gaps[i]), "unknown status");
    }
    assert_string_equal(sg_strerror((sg_status)1), "unknown status");
    assert_string_equal(sg_strerror((sg_status)(SG_ERR_DISCOVERY - 1)), "unknown status");
    assert_string_equal(sg_strerror((sg_status)-128), "unknown status");
    assert_string_equal(sg_strerror((sg_status)INT32_MIN), "unknown status");
}

/* Each layer's first and last code, and one inside. */
static void test_layer_names(void **state)
{
    (void)state;
    assert_string_equal(sg_strerror(SG_OK), "ok");
    assert_string_equal(sg_strerror(SG_ERR_INVALID_ARG), "sitegpt error");
    assert_string_equal(sg_strerror(SG_ERR_INSECURE_URL), "sitegpt error");
    assert_string_equal(sg_strerror(SG_ERR_IO), "network error");
    assert_string_equal(sg_strerror(SG_ERR_CONNECT), "network error");
    assert_string_equal(sg_strerror(SG_ERR_PROXY), "network error");
    assert_string_equal(sg_strerror(SG_ERR_HTTP_MALFORMED), "HTTP error");
    assert_string_equal(sg_strerror(SG_ERR_HTTP_REDIRECT_BODY), "HTTP error");
    assert_string_equal(sg_strerror(SG_ERR_JSON_SYNTAX), "JSON error");
    assert_string_equal(sg_strerror(SG_ERR_JSON_DUPLICATE_KEY), "JSON error");
    assert_string_equal(sg_strerror(SG_ERR_API), "API error");
    assert_string_equal(sg_strerror(SG_ERR_AUTH), "API error");
    assert_string_equal(sg_strerror(SG_ERR_RATE_LIMITED), "API error");
    assert_string_equal(sg_strerror(SG_ERR_AUTHORIZATION_PENDING), "login error");
    assert_string_equal(sg_strerror(SG_ERR_DISCOVERY), "login error");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_code_names_its_layer),
        cmocka_unit_test(test_undeclared_codes_are_unknown),
        cmocka_unit_test(test_layer_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
