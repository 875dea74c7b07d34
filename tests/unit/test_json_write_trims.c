/*
 * The JSON writer left out (SG_JSON_WRITER 0, as the firmware has it): every call answers
 * SG_ERR_UNSUPPORTED (SG_ERR_INVALID_ARG for a NULL writer or a NULL buffer with room), and
 * the caller's buffer is never written. sg_json_write.c is compiled into this test with the
 * option off (as test_trims does for its trims), so the library's own sg_json_write.o, built
 * with the defaults, is not linked; the default build's writer is test_json_write's.
 */
#define SG_JSON_WRITER 0
#include "../../core/sg_json_write.c"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

static void test_every_call_unsupported(void **state)
{
    (void)state;
    char buf[16];
    memset(buf, 'x', sizeof buf);
    sg_json_writer w;
    assert_int_equal(sg_json_writer_init(&w, buf, sizeof buf), SG_ERR_UNSUPPORTED);
    assert_int_equal(w.err, SG_ERR_UNSUPPORTED);
    assert_int_equal(sg_json_write_object_begin(&w), SG_ERR_UNSUPPORTED);
    assert_int_equal(sg_json_write_key(&w, "k"), SG_ERR_UNSUPPORTED);
    assert_int_equal(sg_json_write_key_n(&w, "k", 1), SG_ERR_UNSUPPORTED);
    assert_int_equal(sg_json_write_string(&w, "v"), SG_ERR_UNSUPPORTED);
    assert_int_equal(sg_json_write_string_n(&w, "v", 1), SG_ERR_UNSUPPORTED);
    assert_int_equal(sg_json_write_int64(&w, 1), SG_ERR_UNSUPPORTED);
    assert_int_equal(sg_json_write_bool(&w, true), SG_ERR_UNSUPPORTED);
    assert_int_equal(sg_json_write_null(&w), SG_ERR_UNSUPPORTED);
    assert_int_equal(sg_json_write_raw(&w, "1", 1), SG_ERR_UNSUPPORTED);
    assert_int_equal(sg_json_write_array_begin(&w), SG_ERR_UNSUPPORTED);
    assert_int_equal(sg_json_write_array_end(&w), SG_ERR_UNSUPPORTED);
    assert_int_equal(sg_json_write_object_end(&w), SG_ERR_UNSUPPORTED);
    size_t len = 7;
    assert_int_equal(sg_json_writer_finish(&w, &len), SG_ERR_UNSUPPORTED);
    assert_int_equal(len, 7);
    for (size_t i = 0; i < sizeof buf; i++) {
        assert_int_equal(buf[i], 'x'); /* never written */
    }
}

static void test_bad_arguments_still_refused(void **state)
{
    (void)state;
    sg_json_writer w;
    assert_int_equal(sg_json_writer_init(NULL, NULL, 0), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_json_writer_init(&w, NULL, 4), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_json_write_object_begin(NULL), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_json_write_string(NULL, "v"), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_json_writer_finish(NULL, NULL), SG_ERR_INVALID_ARG);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_call_unsupported),
        cmocka_unit_test(test_bad_arguments_still_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
