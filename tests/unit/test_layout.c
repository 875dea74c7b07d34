/*
 * sg_check_layout() and sg_tls_check_layout(): an application built with the library's
 * options passes; the same file built with other options (tests/unit/support/other_options.h,
 * as build/tests/test_layout_mismatch) against the same library is refused with
 * SG_ERR_LAYOUT. Nothing else of the library is called in that build: with mismatched
 * structs any other call could corrupt memory, which is what the check prevents.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "sg_tls.h"
#include <sitegpt/sitegpt.h>

#ifndef SG_LAYOUT_EXPECT_MISMATCH
#define SG_LAYOUT_EXPECT_MISMATCH 0
#endif

#if SG_LAYOUT_EXPECT_MISMATCH
static void test_other_options_refused(void **state)
{
    (void)state;
    assert_int_equal(SG_HOST_MAX, 64); /* the other options really are in force */
    assert_int_equal(sg_check_layout(), SG_ERR_LAYOUT);
    assert_int_equal(sg_tls_check_layout(), SG_ERR_LAYOUT); /* sg_tls holds a host too */
}
#else
static void test_same_options_accepted(void **state)
{
    (void)state;
    assert_int_equal(sg_check_layout(), SG_OK);
    assert_int_equal(sg_tls_check_layout(), SG_OK);
}

/* The digest sees a one-byte change of any struct, and says so in words people can act on. */
static void test_digest_and_message(void **state)
{
    (void)state;
    assert_int_equal(sg_layout_compare(sg_layout_digest() ^ 1u), SG_ERR_LAYOUT);
    assert_int_equal(sg_tls_layout_compare(sizeof(sg_tls) + 1), SG_ERR_LAYOUT);
#if !SG_STRERROR_TERSE /* the firmware's short texts name no file */
    assert_non_null(strstr(sg_strerror(SG_ERR_LAYOUT), "sg_options.h"));
#endif
}
#endif

int main(void)
{
    const struct CMUnitTest tests[] = {
#if SG_LAYOUT_EXPECT_MISMATCH
        cmocka_unit_test(test_other_options_refused),
#else
        cmocka_unit_test(test_same_options_accepted),
        cmocka_unit_test(test_digest_and_message),
#endif
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
