/* Profile config model: queries, edits that keep unknown members, corrupt documents. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <sitegpt/sg_profiles.h>

static sg_json_tok toks[256];
static char out[4096];
static char out2[4096];

static sg_profiles parse(const char *json)
{
    sg_profiles c;
    assert_int_equal(sg_profiles_parse(&c, json, strlen(json), toks, 256), SG_OK);
    return c;
}

/* Apply one edit to json; the result (also checked to parse) is in out. */
static const char *edit(const char *json, sg_profiles_op op, const char *profile, const char *token,
                        const char *api_base)
{
    sg_profiles c;
    if (json == NULL) {
        assert_int_equal(sg_profiles_init_empty(&c), SG_OK);
    } else {
        c = parse(json);
    }
    sg_profiles_edit e = {op, profile, token, api_base};
    size_t len = 0;
    assert_int_equal(sg_profiles_write(&c, &e, out, sizeof out, &len), SG_OK);
    assert_int_equal(len, strlen(out));
    (void)parse(out);
    return out;
}

static const char *get(const char *json, const char *profile, const char *field)
{
    static char v[256];
    sg_profiles c = parse(json);
    sg_status st = sg_profiles_get(&c, profile, field, v, sizeof v);
    return st == SG_OK ? v : st == SG_ERR_NOT_FOUND ? "<none>" : "<error>";
}

static void test_new_file_first_profile_is_default(void **state)
{
    (void)state;
    assert_string_equal(edit(NULL, SG_PROFILES_SET_PROFILE, "work", "sgpt_a", "https://sitegpt.ai"),
                        "{\"version\":1,\"defaultProfile\":\"work\",\"profiles\":{\"work\":"
                        "{\"apiBase\":\"https://sitegpt.ai\",\"token\":\"sgpt_a\"}}}");
    /* A second profile does not take the default. */
    memcpy(out2, out, sizeof out);
    edit(out2, SG_PROFILES_SET_PROFILE, "ci", "sgpt_b", NULL);
    sg_profiles c = parse(out);
    char name[64];
    assert_int_equal(sg_profiles_default(&c, name, sizeof name), SG_OK);
    assert_string_equal(name, "work");
    size_t n = 0;
    assert_int_equal(sg_profiles_count(&c, &n), SG_OK);
    assert_int_equal(n, 2);
    assert_int_equal(sg_profiles_name(&c, 1, name, sizeof name), SG_OK);
    assert_string_equal(name, "ci");
    assert_int_equal(sg_profiles_name(&c, 2, name, sizeof name), SG_ERR_NOT_FOUND);
    assert_string_equal(get(out, "ci", SG_PROFILES_TOKEN), "sgpt_b");
    assert_string_equal(get(out, "ci", SG_PROFILES_API_BASE), "<none>");
    assert_string_equal(get(out, "nope", SG_PROFILES_TOKEN), "<none>");
}

static const char *rich =
    "{\"zeta\":{\"a\":[1,2,{\"b\":\"\\u00e9\"}]},\"version\":1,\"defaultProfile\":\"default\","
    "\"profiles\":{\"default\":{\"color\":\"blue\",\"token\":\"sgpt_old\","
    "\"apiBase\":\"https://sitegpt.ai\",\"extra\":{\"k\":true}},"
    "\"other\":{\"token\":\"sgpt_o\",\"n\":1.5e3}},\"telemetry\":false}";

static void test_unknown_members_kept_at_every_level(void **state)
{
    (void)state;
    assert_string_equal(
        edit(rich, SG_PROFILES_SET_PROFILE, "default", "sgpt_new", NULL),
        "{\"zeta\":{\"a\":[1,2,{\"b\":\"\\u00e9\"}]},\"version\":1,\"defaultProfile\":\"default\","
        "\"profiles\":{\"default\":{\"color\":\"blue\",\"token\":\"sgpt_new\","
        "\"apiBase\":\"https://sitegpt.ai\",\"extra\":{\"k\":true}},"
        "\"other\":{\"token\":\"sgpt_o\",\"n\":1.5e3}},\"telemetry\":false}");
    assert_string_equal(
        edit(rich, SG_PROFILES_CLEAR_TOKEN, "default", NULL, NULL),
        "{\"zeta\":{\"a\":[1,2,{\"b\":\"\\u00e9\"}]},\"version\":1,\"defaultProfile\":\"default\","
        "\"profiles\":{\"default\":{\"color\":\"blue\","
        "\"apiBase\":\"https://sitegpt.ai\",\"extra\":{\"k\":true}},"
        "\"other\":{\"token\":\"sgpt_o\",\"n\":1.5e3}},\"telemetry\":false}");
    assert_string_equal(
        edit(rich, SG_PROFILES_DELETE_PROFILE, "default", NULL, NULL),
        "{\"zeta\":{\"a\":[1,2,{\"b\":\"\\u00e9\"}]},\"version\":1,\"defaultProfile\":null,"
        "\"profiles\":{\"other\":{\"token\":\"sgpt_o\",\"n\":1.5e3}},\"telemetry\":false}");
    assert_string_equal(
        edit(rich, SG_PROFILES_SET_DEFAULT, "other", NULL, NULL),
        "{\"zeta\":{\"a\":[1,2,{\"b\":\"\\u00e9\"}]},\"version\":1,\"defaultProfile\":\"other\","
        "\"profiles\":{\"default\":{\"color\":\"blue\",\"token\":\"sgpt_old\","
        "\"apiBase\":\"https://sitegpt.ai\",\"extra\":{\"k\":true}},"
        "\"other\":{\"token\":\"sgpt_o\",\"n\":1.5e3}},\"telemetry\":false}");
    /* A round trip through an edit that touches nothing else changes nothing else. */
    assert_string_equal(get(rich, "other", "n"), "<error>"); /* not a string */
    assert_string_equal(get(rich, "default", "color"), "blue");
}

static void test_edits_need_existing_profiles(void **state)
{
    (void)state;
    sg_profiles c = parse(rich);
    sg_profiles_edit e = {SG_PROFILES_SET_DEFAULT, "ghost", NULL, NULL};
    size_t len;
    assert_int_equal(sg_profiles_write(&c, &e, out, sizeof out, &len), SG_ERR_NOT_FOUND);
    e.op = SG_PROFILES_DELETE_PROFILE;
    assert_int_equal(sg_profiles_write(&c, &e, out, sizeof out, &len), SG_ERR_NOT_FOUND);
    e.op = SG_PROFILES_CLEAR_TOKEN;
    assert_int_equal(sg_profiles_write(&c, &e, out, sizeof out, &len), SG_ERR_NOT_FOUND);
    e.profile = "";
    assert_int_equal(sg_profiles_write(&c, &e, out, sizeof out, &len), SG_ERR_INVALID_ARG);
    e = (sg_profiles_edit){SG_PROFILES_SET_PROFILE, "default", "sgpt_x", NULL};
    memset(out, 'x', sizeof out);
    assert_int_equal(sg_profiles_write(&c, &e, out, 120, &len), SG_ERR_BUFFER_TOO_SMALL);
    /* A cut document (it may hold other profiles' tokens) is not left behind. */
    for (size_t i = 0; i < 120; i++) {
        assert_int_equal(out[i], 0);
    }
    assert_int_equal(len, 0);
    /* no room at all: refused before a byte is written */
    len = 9;
    assert_int_equal(sg_profiles_write(&c, &e, out, 0, &len), SG_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(len, 0);
}

static void test_default_repaired_when_dangling(void **state)
{
    (void)state;
    /* The default names a deleted profile: a new profile takes it. */
    edit("{\"defaultProfile\":\"gone\",\"profiles\":{}}", SG_PROFILES_SET_PROFILE, "b", "sgpt_b",
         NULL);
    assert_string_equal(out,
                        "{\"defaultProfile\":\"b\",\"profiles\":{\"b\":{\"token\":\"sgpt_b\"}}}");
    /* Strings with escapes survive as values and as names. */
    edit("{\"profiles\":{\"a\\\"q\":{\"token\":\"t\\n1\"}}}", SG_PROFILES_SET_DEFAULT, "a\"q", NULL,
         NULL);
    assert_string_equal(out, "{\"profiles\":{\"a\\\"q\":{\"token\":\"t\\n1\"}},"
                             "\"defaultProfile\":\"a\\\"q\"}");
    assert_string_equal(get(out, "a\"q", SG_PROFILES_TOKEN), "t\n1");
}

static void test_corrupt_documents_rejected(void **state)
{
    (void)state;
    static const struct {
        const char *json;
        sg_status want;
    } bad[] = {
        {"", SG_ERR_JSON_SYNTAX},
        {"{\"profiles\":{", SG_ERR_JSON_SYNTAX},
        {"{\"profiles\":{}} x", SG_ERR_JSON_SYNTAX},
        {"{'a':1}", SG_ERR_JSON_SYNTAX},
        {"[]", SG_ERR_JSON_TYPE},
        {"{\"version\":2}", SG_ERR_JSON_TYPE},
        {"{\"version\":\"1\"}", SG_ERR_JSON_TYPE},
        {"{\"profiles\":[]}", SG_ERR_JSON_TYPE},
        {"{\"profiles\":{\"a\":\"tok\"}}", SG_ERR_JSON_TYPE},
        {"{\"profiles\":{\"a\":{\"token\":5}}}", SG_ERR_JSON_TYPE},
        {"{\"profiles\":{\"a\":{\"apiBase\":{}}}}", SG_ERR_JSON_TYPE},
        {"{\"profiles\":{\"\":{}}}", SG_ERR_JSON_TYPE},
        {"{\"defaultProfile\":7}", SG_ERR_JSON_TYPE},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        sg_profiles c;
        sg_status st = sg_profiles_parse(&c, bad[i].json, strlen(bad[i].json), toks, 256);
        if (st != bad[i].want) {
            print_error("case %zu: %s gave %d\n", i, bad[i].json, (int)st);
        }
        assert_int_equal(st, bad[i].want);
    }
    sg_profiles c;
    assert_int_equal(sg_profiles_parse(&c, rich, strlen(rich), toks, 8),
                     SG_ERR_JSON_TOO_MANY_TOKENS);
    /* Null members are the same as absent ones. */
    c = parse("{\"defaultProfile\":null,\"profiles\":null}");
    char name[8];
    assert_int_equal(sg_profiles_default(&c, name, sizeof name), SG_ERR_NOT_FOUND);
    assert_string_equal(get("{\"profiles\":{\"a\":{\"token\":null}}}", "a", "token"), "<none>");
}

/* A member named twice, at any level the program reads, makes the document corrupt. */
static void test_duplicate_members_rejected(void **state)
{
    (void)state;
    static const char *const dup[] = {
        /* a profile named twice */
        "{\"profiles\":{\"a\":{\"token\":\"sgpt_1\"},\"a\":{\"token\":\"sgpt_2\"}}}",
        /* the same name, one spelled with an escape */
        "{\"profiles\":{\"ab\":{},\"x\":{},\"a\\u0062\":{}}}",
        /* a field twice in one profile */
        "{\"profiles\":{\"a\":{\"token\":\"sgpt_1\",\"apiBase\":null,\"token\":\"sgpt_2\"}}}",
        "{\"profiles\":{\"a\":{\"apiBase\":\"https://x\",\"apiBase\":\"https://y\"}}}",
        /* unknown members count too: an edit would keep both */
        "{\"profiles\":{\"a\":{\"note\":1,\"note\":2}}}",
        /* top level */
        "{\"version\":1,\"profiles\":{},\"profiles\":{\"a\":{}}}",
        "{\"defaultProfile\":\"a\",\"defaultProfile\":\"b\",\"profiles\":{}}",
        "{\"x\":[],\"x\":{}}",
    };
    for (size_t i = 0; i < sizeof dup / sizeof dup[0]; i++) {
        sg_profiles c;
        sg_status st = sg_profiles_parse(&c, dup[i], strlen(dup[i]), toks, 256);
        if (st != SG_ERR_JSON_DUPLICATE_KEY) {
            print_error("case %zu: %s gave %d\n", i, dup[i], (int)st);
        }
        assert_int_equal(st, SG_ERR_JSON_DUPLICATE_KEY);
    }
    /* Inside values the program does not read, repeats are not its business. */
    (void)parse("{\"profiles\":{\"a\":{\"extra\":{\"k\":1,\"k\":2}}},\"x\":{\"y\":1,\"y\":2}}");
    /* Names that only share a prefix, or differ by case, are different members. */
    (void)parse("{\"profiles\":{\"a\":{},\"ab\":{},\"A\":{},\"b\":{\"token\":\"t\","
                "\"tokens\":\"u\"}}}");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_new_file_first_profile_is_default),
        cmocka_unit_test(test_unknown_members_kept_at_every_level),
        cmocka_unit_test(test_edits_need_existing_profiles),
        cmocka_unit_test(test_default_repaired_when_dangling),
        cmocka_unit_test(test_corrupt_documents_rejected),
        cmocka_unit_test(test_duplicate_members_rejected),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
