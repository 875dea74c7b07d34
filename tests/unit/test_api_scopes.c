/* Scope list (contract order) and spelling suggestions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <sitegpt/sg_scopes.h>

static void test_list_order_and_bounds(void **state)
{
    (void)state;
    assert_string_equal(sg_scope_at(0), "account:read");
    assert_string_equal(sg_scope_at(3), "tokens:write");
    assert_string_equal(sg_scope_at(SG_SCOPE_COUNT - 1), "billing:write");
    assert_null(sg_scope_at(SG_SCOPE_COUNT));
    for (size_t i = 0; i < SG_SCOPE_COUNT; i++) {
        const char *s = sg_scope_at(i);
        assert_non_null(s);
        assert_true(strlen(s) < SG_SCOPE_NAME_MAX);
        assert_true(sg_scope_is_valid(s));
        size_t idx = 999;
        assert_int_equal(sg_scope_index(s, strlen(s), &idx), SG_OK);
        assert_int_equal(idx, i);
        for (size_t j = 0; j < i; j++) {
            assert_string_not_equal(s, sg_scope_at(j)); /* no duplicates */
        }
    }
}

static void test_validity_is_exact(void **state)
{
    (void)state;
    assert_false(sg_scope_is_valid("Tokens:read"));
    assert_false(sg_scope_is_valid("tokens:read "));
    assert_false(sg_scope_is_valid("tokens"));
    assert_false(sg_scope_is_valid(""));
    assert_false(sg_scope_is_valid(NULL));
    size_t idx;
    /* a prefix of a longer input is not a match */
    assert_int_equal(sg_scope_index("tokens:reader", 11, &idx), SG_OK);
    assert_int_equal(idx, 2);
    assert_int_equal(sg_scope_index("tokens:reader", 13, &idx), SG_ERR_NOT_FOUND);
    assert_int_equal(sg_scope_index(NULL, 0, &idx), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_scope_index("tokens:read", 11, NULL), SG_ERR_INVALID_ARG);
}

static void test_suggestions(void **state)
{
    (void)state;
    assert_string_equal(sg_scope_suggest("token:read"), "tokens:read");
    assert_string_equal(sg_scope_suggest("tokens:wirte"), "tokens:write");
    assert_string_equal(sg_scope_suggest("Chatbots:Read"), "chatbots:read");
    assert_string_equal(sg_scope_suggest("read:tokens"), "tokens:read");
    assert_string_equal(sg_scope_suggest("knowlege:delete"), "knowledge:delete");
    assert_string_equal(sg_scope_suggest("conversation:write"), "conversations:write");
    assert_string_equal(sg_scope_suggest("billing-read"), "billing:read");
    assert_null(sg_scope_suggest("admin"));
    assert_null(sg_scope_suggest("everything:please"));
    assert_null(sg_scope_suggest(""));
    assert_null(sg_scope_suggest(NULL));
    char long_name[200];
    memset(long_name, 'a', sizeof long_name - 1);
    long_name[sizeof long_name - 1] = '\0';
    assert_null(sg_scope_suggest(long_name));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_list_order_and_bounds),
        cmocka_unit_test(test_validity_is_exact),
        cmocka_unit_test(test_suggestions),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
