/*
 * The firmware's flash trims, built here the way examples/firmware builds them
 * (mk/firmware.mk FW_LIMITS): short sg_strerror() texts and Retry-After without HTTP dates.
 * The two modules are compiled into this test with the options on, so the library's own
 * objects (built with the defaults) are not linked for these symbols. Also the slice
 * helpers the modules share (sg_slice.c).
 */
#define SG_STRERROR_TERSE  1
#define SG_RETRY_HTTP_DATE 0
#include "../../core/sg_retry.c"
#include "../../core/sg_status.c"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "status_list.h"

/* Every status keeps a text of its own, short, and not the sentence. */
static void test_terse_texts_distinct(void **state)
{
    (void)state;
    size_t n = sizeof k_all / sizeof k_all[0];
    for (size_t i = 0; i < n; i++) {
        const char *s = sg_strerror(k_all[i]);
        assert_non_null(s);
        assert_true(strlen(s) > 0 && strlen(s) <= 24);
        assert_string_not_equal(s, "unknown status");
        for (size_t j = 0; j < i; j++) {
            assert_string_not_equal(s, sg_strerror(k_all[j]));
        }
    }
    assert_string_equal(sg_strerror(SG_ERR_TIMEOUT), "timeout");
    assert_string_equal(sg_strerror((sg_status)-99), "unknown status");
}

static void test_retry_after_without_dates(void **state)
{
    (void)state;
    uint32_t ms = 7;
    sg_slice secs = {" 12 ", 4};
    sg_slice none = {"", 0};
    assert_int_equal(sg_retry_after_ms(secs, none, &ms), SG_OK);
    assert_int_equal(ms, 12000);
    sg_slice date = {"Sun, 06 Nov 1994 08:49:37 GMT", 29};
    assert_int_equal(sg_retry_after_ms(date, date, &ms), SG_ERR_UNSUPPORTED);
    int64_t t = 0;
    assert_int_equal(sg_http_date_parse(date, &t), SG_ERR_UNSUPPORTED);
    assert_int_equal(sg_http_date_parse(date, NULL), SG_ERR_INVALID_ARG);
    sg_slice junk = {"soon", 4};
    assert_int_equal(sg_retry_after_ms(junk, none, &ms), SG_ERR_UNSUPPORTED);
}

static void test_copy_cut(void **state)
{
    (void)state;
    char out[6];
    sg_slice fits = {"abcde", 5};
    assert_false(sg_slice_copy_cut(out, sizeof out, fits));
    assert_string_equal(out, "abcde");
    sg_slice longer = {"abcdef", 6};
    assert_true(sg_slice_copy_cut(out, sizeof out, longer));
    assert_string_equal(out, "abcde");
    /* "abcd" + U+00E9 (2 bytes) + "x": 5 bytes would end inside the U+00E9 */
    sg_slice utf8 = {"abcd\xc3\xa9x", 7};
    assert_true(sg_slice_copy_cut(out, sizeof out, utf8));
    assert_string_equal(out, "abcd");
    sg_slice empty = {NULL, 0};
    assert_false(sg_slice_copy_cut(out, sizeof out, empty));
    assert_string_equal(out, "");
    assert_true(sg_slice_copy_cut(out, 0, fits));
}

static void test_to_u64(void **state)
{
    (void)state;
    uint64_t v = 0;
    sg_slice nine = {"123456789", 9};
    assert_true(sg_slice_to_u64(nine, 9, &v));
    assert_int_equal(v, 123456789u);
    assert_false(sg_slice_to_u64(nine, 8, &v)); /* too many digits */
    sg_slice max = {"9999999999999999999", 19};
    assert_true(sg_slice_to_u64(max, 19, &v));
    assert_true(v == 9999999999999999999u);
    assert_false(sg_slice_to_u64(max, 20, &v)); /* could overflow: refused */
    static const char *const bad[] = {"", "-1", "1.5", "1e3", "+1", " 1", "0x1"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        sg_slice b = {bad[i], strlen(bad[i])};
        v = 7;
        assert_false(sg_slice_to_u64(b, 9, &v));
        assert_int_equal(v, 7);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_terse_texts_distinct),
        cmocka_unit_test(test_retry_after_without_dates),
        cmocka_unit_test(test_copy_cut),
        cmocka_unit_test(test_to_u64),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
