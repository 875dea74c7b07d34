/*
 * sg_base.h's helpers: a sentence for every status the header declares (read from the header
 * itself, so a new code without a text fails here) and "unknown status" for anything else;
 * the slice copy that cuts on a character boundary; the bounded decimal parser.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <sitegpt/sg_base.h>
#include <sitegpt/sg_options.h>

#define HEADER "include/sitegpt/sg_base.h"

/* The values of "SG_OK = 0," / "SG_ERR_X = -N," lines of the enum in the header. */
static size_t declared_statuses(int *out, size_t cap)
{
    FILE *f = fopen(HEADER, "r");
    assert_non_null(f); /* run from the repository root, as make test-unit does */
    char line[256];
    size_t n = 0;
    while (fgets(line, sizeof line, f) != NULL) {
        char name[64];
        int v;
        if (sscanf(line, " %63[A-Z_0-9] = %d", name, &v) == 2 &&
            (strcmp(name, "SG_OK") == 0 || strncmp(name, "SG_ERR_", 7) == 0)) {
            assert_true(n < cap);
            out[n++] = v;
        }
    }
    assert_int_equal(fclose(f), 0);
    return n;
}

static void test_every_status_has_its_sentence(void **state)
{
    (void)state;
    int codes[128];
    size_t n = declared_statuses(codes, sizeof codes / sizeof codes[0]);
    assert_true(n >= 50); /* the header was read, not an empty match */
    for (size_t i = 0; i < n; i++) {
        const char *s = sg_strerror((sg_status)codes[i]);
        assert_non_null(s);
        assert_string_not_equal(s, "unknown status");
#if SG_STRERROR_TERSE
        assert_true(strlen(s) > 0 && strlen(s) <= 24); /* the firmware's few words */
#else
        assert_true(strlen(s) >= 7); /* a sentence, not the terse form */
#endif
        for (size_t j = 0; j < i; j++) {
            assert_int_not_equal(codes[i], codes[j]);
            assert_string_not_equal(s, sg_strerror((sg_status)codes[j]));
        }
    }
#if SG_STRERROR_TERSE
    assert_string_equal(sg_strerror(SG_OK), "ok");
    assert_string_equal(sg_strerror(SG_ERR_DISCOVERY), "discovery issuer");
#else
    assert_string_equal(sg_strerror(SG_OK), "success");
    assert_string_equal(sg_strerror(SG_ERR_DISCOVERY),
                        "the authorization server metadata names another issuer than the server "
                        "it came from");
#endif
    /* every value in between and around that the header does not declare */
    for (int v = -130; v <= 3; v++) {
        bool declared = false;
        for (size_t i = 0; i < n; i++) {
            declared = declared || codes[i] == v;
        }
        if (!declared) {
            assert_string_equal(sg_strerror((sg_status)v), "unknown status");
        }
    }
}

static void test_slice_copy_cut(void **state)
{
    (void)state;
    char out[8];
    /* no room at all: reports whether anything was lost */
    assert_true(sg_slice_copy_cut(NULL, 0, (sg_slice){"x", 1}));
    assert_false(sg_slice_copy_cut(NULL, 4, (sg_slice){"", 0}));
    memcpy(out, "zzz", 4);
    assert_true(sg_slice_copy_cut(out, 0, (sg_slice){"x", 1}));
    assert_string_equal(out, "zzz"); /* untouched */
    assert_false(sg_slice_copy_cut(out, 0, (sg_slice){NULL, 0}));

    /* fits: copied and terminated */
    assert_false(sg_slice_copy_cut(out, sizeof out, (sg_slice){"abcdefg", 7}));
    assert_string_equal(out, "abcdefg");
    assert_false(sg_slice_copy_cut(out, sizeof out, (sg_slice){NULL, 0}));
    assert_string_equal(out, "");
    /* one byte too many */
    assert_true(sg_slice_copy_cut(out, sizeof out, (sg_slice){"abcdefgh", 8}));
    assert_string_equal(out, "abcdefg");
    /* the cut falls inside a character: the whole character goes */
    assert_true(sg_slice_copy_cut(out, 4, (sg_slice){"ab\xc3\xa9", 4}));
    assert_string_equal(out, "ab");
    assert_true(sg_slice_copy_cut(out, 5, (sg_slice){"a\xf0\x9f\x98\x80", 5}));
    assert_string_equal(out, "a");
    /* nothing before the character: an empty string, still reported as cut */
    memcpy(out, "zzz", 4);
    assert_true(sg_slice_copy_cut(out, 2, (sg_slice){"\xc3\xa9", 2}));
    assert_string_equal(out, "");
}

static void test_slice_to_u64(void **state)
{
    (void)state;
    uint64_t v = 7;
    assert_true(sg_slice_to_u64((sg_slice){"0", 1}, 1, &v));
    assert_int_equal(v, 0);
    assert_true(sg_slice_to_u64((sg_slice){"1844674407370955161", 19}, 19, &v));
    assert_true(v == 1844674407370955161ull);
    assert_true(sg_slice_to_u64((sg_slice){"00042", 5}, 5, &v));
    assert_int_equal(v, 42);
    /* every refusal leaves *out alone */
    v = 7;
    assert_false(sg_slice_to_u64((sg_slice){NULL, 1}, 5, &v));
    assert_false(sg_slice_to_u64((sg_slice){"1", 1}, 5, NULL));
    assert_false(sg_slice_to_u64((sg_slice){"", 0}, 5, &v));
    assert_false(sg_slice_to_u64((sg_slice){"123", 3}, 2, &v)); /* too many digits */
    assert_false(sg_slice_to_u64((sg_slice){"12345678901234567890", 20}, 20, &v)); /* > 19 */
    assert_false(sg_slice_to_u64((sg_slice){"1", 1}, 20, &v)); /* a bound that could overflow */
    assert_false(sg_slice_to_u64((sg_slice){"1a", 2}, 5, &v));
    assert_false(sg_slice_to_u64((sg_slice){"/", 1}, 5, &v)); /* '0' - 1 */
    assert_false(sg_slice_to_u64((sg_slice){":", 1}, 5, &v)); /* '9' + 1 */
    assert_false(sg_slice_to_u64((sg_slice){"-1", 2}, 5, &v));
    assert_int_equal(v, 7);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_status_has_its_sentence),
        cmocka_unit_test(test_slice_copy_cut),
        cmocka_unit_test(test_slice_to_u64),
    };
    return cmocka_run_group_tests_name("base", tests, NULL, NULL);
}
