/* JSON writer: layout, escaping, UTF-8 checks, sticky errors, round trip through the reader. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <sitegpt/sg_json.h>

/* A request body like the ones the API calls build. */
static void write_sample(sg_json_writer *w)
{
    (void)sg_json_write_object_begin(w);
    (void)sg_json_write_key(w, "name");
    (void)sg_json_write_string(w, "CI \"bot\"");
    (void)sg_json_write_key(w, "scopes");
    (void)sg_json_write_array_begin(w);
    (void)sg_json_write_string(w, "tokens:read");
    (void)sg_json_write_string(w, "chatbots:read");
    (void)sg_json_write_array_end(w);
    (void)sg_json_write_key(w, "expiresInDays");
    (void)sg_json_write_int64(w, 30);
    (void)sg_json_write_key(w, "flags");
    (void)sg_json_write_array_begin(w);
    (void)sg_json_write_bool(w, true);
    (void)sg_json_write_bool(w, false);
    (void)sg_json_write_null(w);
    (void)sg_json_write_raw(w, "{\"x\":1}", 7);
    (void)sg_json_write_array_begin(w);
    (void)sg_json_write_array_end(w);
    (void)sg_json_write_object_begin(w);
    (void)sg_json_write_object_end(w);
    (void)sg_json_write_array_end(w);
    (void)sg_json_write_object_end(w);
}

static const char k_sample[] =
    "{\"name\":\"CI \\\"bot\\\"\",\"scopes\":[\"tokens:read\",\"chatbots:read\"],"
    "\"expiresInDays\":30,\"flags\":[true,false,null,{\"x\":1},[],{}]}";

static void test_layout(void **state)
{
    (void)state;
    char buf[256];
    sg_json_writer w;
    size_t len = 0;
    assert_int_equal(sg_json_writer_init(&w, buf, sizeof buf), SG_OK);
    write_sample(&w);
    assert_int_equal(sg_json_writer_finish(&w, &len), SG_OK);
    assert_string_equal(buf, k_sample);
    assert_int_equal(len, strlen(k_sample));
    /* what we write, we read */
    sg_json_tok tok[32];
    sg_json_element e;
    assert_int_equal(sg_json_parse(buf, len, tok, 32, &e), SG_OK);
}

static void test_buffer_too_small_every_size(void **state)
{
    (void)state;
    const size_t need = strlen(k_sample) + 1;
    char buf[512];
    for (size_t cap = 0; cap <= need; cap++) {
        memset(buf, 0x5A, sizeof buf);
        sg_json_writer w;
        assert_int_equal(sg_json_writer_init(&w, cap ? buf : NULL, cap), SG_OK);
        write_sample(&w);
        size_t len = 0;
        sg_status st = sg_json_writer_finish(&w, &len);
        assert_int_equal(st, cap == need ? SG_OK : SG_ERR_BUFFER_TOO_SMALL);
        for (size_t i = cap; i < sizeof buf; i++) {
            assert_int_equal((uint8_t)buf[i], 0x5A);
        }
        /* sticky: later calls report the same and change nothing */
        if (st != SG_OK) {
            assert_int_equal(sg_json_write_null(&w), SG_ERR_BUFFER_TOO_SMALL);
        }
    }
}

static void test_escaping(void **state)
{
    (void)state;
    char buf[256];
    sg_json_writer w;
    assert_int_equal(sg_json_writer_init(&w, buf, sizeof buf), SG_OK);
    /* DEL and C1 controls (U+0080..U+009F) too, so the text is safe on a terminal; U+00A0
     * and everything above pass as they are */
    const char in[] = "q\" b\\ s/ \x01\x1f\n\t\x7f \xc2\x80\xc2\x9b\xc2\xa0 "
                      "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80";
    assert_int_equal(sg_json_write_string_n(&w, in, sizeof in - 1), SG_OK);
    assert_int_equal(sg_json_writer_finish(&w, NULL), SG_OK);
    assert_string_equal(buf, "\"q\\\" b\\\\ s/ \\u0001\\u001f\\u000a\\u0009\\u007f "
                             "\\u0080\\u009b\xc2\xa0 \xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"");
    /* an embedded NUL is escaped too */
    assert_int_equal(sg_json_writer_init(&w, buf, sizeof buf), SG_OK);
    assert_int_equal(sg_json_write_string_n(&w, "a\0b", 3), SG_OK);
    assert_int_equal(sg_json_writer_finish(&w, NULL), SG_OK);
    assert_string_equal(buf, "\"a\\u0000b\"");
}

static void test_invalid_utf8_refused(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "\xc3", "\xc0\x80", "\xe0\x80\x80", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xf5\x80\x80\x80",
        "\x80", "\xff",     "ok\xe2\x82",   "\xc3\x28",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char buf[64];
        sg_json_writer w;
        assert_int_equal(sg_json_writer_init(&w, buf, sizeof buf), SG_OK);
        (void)sg_json_write_array_begin(&w);
        assert_int_equal(sg_json_write_string(&w, bad[i]), SG_ERR_INVALID_ARG);
        (void)sg_json_write_array_end(&w);
        assert_int_equal(sg_json_writer_finish(&w, NULL), SG_ERR_INVALID_ARG);
        /* nothing of the bad string reached the buffer */
        assert_int_equal(w.len, 1);
    }
}

static void test_misuse(void **state)
{
    (void)state;
    char buf[64];
    sg_json_writer w;
    /* a value in an object without a key */
    assert_int_equal(sg_json_writer_init(&w, buf, sizeof buf), SG_OK);
    (void)sg_json_write_object_begin(&w);
    assert_int_equal(sg_json_write_int64(&w, 1), SG_ERR_INVALID_ARG);
    /* a key in an array */
    assert_int_equal(sg_json_writer_init(&w, buf, sizeof buf), SG_OK);
    (void)sg_json_write_array_begin(&w);
    assert_int_equal(sg_json_write_key(&w, "k"), SG_ERR_INVALID_ARG);
    /* mismatched end */
    assert_int_equal(sg_json_writer_init(&w, buf, sizeof buf), SG_OK);
    (void)sg_json_write_array_begin(&w);
    assert_int_equal(sg_json_write_object_end(&w), SG_ERR_INVALID_ARG);
    /* unclosed, dangling key, empty, two roots */
    assert_int_equal(sg_json_writer_init(&w, buf, sizeof buf), SG_OK);
    (void)sg_json_write_object_begin(&w);
    assert_int_equal(sg_json_writer_finish(&w, NULL), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_json_writer_init(&w, buf, sizeof buf), SG_OK);
    (void)sg_json_write_object_begin(&w);
    (void)sg_json_write_key(&w, "k");
    assert_int_equal(sg_json_write_object_end(&w), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_json_writer_init(&w, buf, sizeof buf), SG_OK);
    assert_int_equal(sg_json_writer_finish(&w, NULL), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_json_writer_init(&w, buf, sizeof buf), SG_OK);
    assert_int_equal(sg_json_write_null(&w), SG_OK);
    assert_int_equal(sg_json_write_null(&w), SG_ERR_INVALID_ARG);
    /* too deep */
    assert_int_equal(sg_json_writer_init(&w, buf, sizeof buf), SG_OK);
    sg_status st = SG_OK;
    for (int i = 0; i <= SG_JSON_DEPTH_MAX && st == SG_OK; i++) {
        st = sg_json_write_array_begin(&w);
    }
    assert_int_equal(st, SG_ERR_INVALID_ARG);
}

static void test_int64(void **state)
{
    (void)state;
    char buf[128];
    sg_json_writer w;
    assert_int_equal(sg_json_writer_init(&w, buf, sizeof buf), SG_OK);
    (void)sg_json_write_array_begin(&w);
    (void)sg_json_write_int64(&w, 0);
    (void)sg_json_write_int64(&w, -7);
    (void)sg_json_write_int64(&w, INT64_MAX);
    (void)sg_json_write_int64(&w, INT64_MIN);
    (void)sg_json_write_array_end(&w);
    assert_int_equal(sg_json_writer_finish(&w, NULL), SG_OK);
    assert_string_equal(buf, "[0,-7,9223372036854775807,-9223372036854775808]");
}

/* ---------------------------------------------------------------- round trip --- */

typedef struct got {
    char s[8][300];
    size_t len[8];
    size_t n;
} got;

static sg_status on_string(void *ctx, const sg_json_event *ev)
{
    got *g = ctx;
    assert_int_equal(ev->type, SG_JSON_STRING);
    assert_true(g->n < 8 && ev->text.len < sizeof g->s[0]);
    memcpy(g->s[g->n], ev->text.ptr, ev->text.len);
    g->len[g->n++] = ev->text.len;
    return SG_OK;
}

static void test_round_trip_through_reader(void **state)
{
    (void)state;
    /* every ASCII byte including NUL and DEL, and characters of every UTF-8 length */
    char all_ascii[128];
    for (int i = 0; i < 128; i++) {
        all_ascii[i] = (char)i;
    }
    const char utf8[] = "\xc2\x80\xdf\xbf\xe0\xa0\x80\xef\xbf\xbf\xf0\x90\x80\x80\xf4\x8f\xbf\xbf";
    const char *strs[3] = {all_ascii, utf8, "plain"};
    size_t lens[3] = {sizeof all_ascii, sizeof utf8 - 1, 5};

    char buf[1024];
    sg_json_writer w;
    assert_int_equal(sg_json_writer_init(&w, buf, sizeof buf), SG_OK);
    (void)sg_json_write_object_begin(&w);
    (void)sg_json_write_key_n(&w, "k\"\x01", 3);
    (void)sg_json_write_array_begin(&w);
    for (int i = 0; i < 3; i++) {
        (void)sg_json_write_string_n(&w, strs[i], lens[i]);
    }
    (void)sg_json_write_array_end(&w);
    (void)sg_json_write_object_end(&w);
    size_t len;
    assert_int_equal(sg_json_writer_finish(&w, &len), SG_OK);

    got g;
    memset(&g, 0, sizeof g);
    char str[300];
    sg_json_sub sub = {"k\"\x01[]", SG_JSON_SUB_VALUE, false};
    sg_json_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.subs = &sub;
    cfg.sub_count = 1;
    cfg.on_value = on_string;
    cfg.ctx = &g;
    cfg.str_buf = str;
    cfg.str_cap = sizeof str;
    sg_json_reader rd;
    assert_int_equal(sg_json_reader_init(&rd, &cfg), SG_OK);
    assert_int_equal(sg_json_reader_feed(&rd, buf, len), SG_OK);
    assert_int_equal(sg_json_reader_finish(&rd), SG_OK);
    assert_int_equal(g.n, 3);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(g.len[i], lens[i]);
        assert_memory_equal(g.s[i], strs[i], lens[i]);
    }
}

/* Every entry point refuses a NULL writer or argument; an error stays the first one. */
static void test_arguments_and_sticky_errors(void **state)
{
    (void)state;
    char buf[32];
    sg_json_writer w;
    assert_int_equal(sg_json_writer_init(NULL, buf, sizeof buf), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_json_writer_init(&w, NULL, 1), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_json_write_key_n(NULL, "k", 1), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_json_write_key(NULL, "k"), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_json_write_string_n(NULL, "s", 1), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_json_write_string(NULL, "s"), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_json_write_int64(NULL, 1), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_json_write_bool(NULL, true), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_json_write_null(NULL), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_json_write_raw(NULL, "1", 1), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_json_writer_finish(NULL, NULL), SG_ERR_INVALID_ARG);

    /* no buffer at all: valid, and the first byte does not fit */
    assert_int_equal(sg_json_writer_init(&w, NULL, 0), SG_OK);
    assert_int_equal(sg_json_write_null(&w), SG_ERR_BUFFER_TOO_SMALL);

    /* a NULL key or string is refused and sticks; a later misuse does not replace it */
    assert_int_equal(sg_json_writer_init(&w, buf, sizeof buf), SG_OK);
    assert_int_equal(sg_json_write_object_begin(&w), SG_OK);
    assert_int_equal(sg_json_write_key(&w, NULL), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_json_write_key(&w, "k"), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_json_writer_finish(&w, NULL), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_json_writer_init(&w, buf, sizeof buf), SG_OK);
    assert_int_equal(sg_json_write_array_begin(&w), SG_OK);
    assert_int_equal(sg_json_write_string(&w, NULL), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_json_write_string_n(&w, NULL, 2), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_json_writer_init(&w, buf, sizeof buf), SG_OK);
    assert_int_equal(sg_json_write_array_begin(&w), SG_OK);
    assert_int_equal(sg_json_write_string_n(&w, NULL, 2), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_json_writer_init(&w, buf, sizeof buf), SG_OK);
    assert_int_equal(sg_json_write_array_begin(&w), SG_OK);
    assert_int_equal(sg_json_write_raw(&w, NULL, 1), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_json_writer_init(&w, buf, sizeof buf), SG_OK);
    assert_int_equal(sg_json_write_array_begin(&w), SG_OK);
    assert_int_equal(sg_json_write_raw(&w, "1", 0), SG_ERR_INVALID_ARG);
    /* the first error is the one every later call reports, even a NULL argument's */
    assert_int_equal(sg_json_writer_init(&w, buf, 2), SG_OK);
    assert_int_equal(sg_json_write_array_begin(&w), SG_OK);
    assert_int_equal(sg_json_write_string(&w, "long"), SG_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(sg_json_write_string(&w, NULL), SG_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(sg_json_write_key(&w, NULL), SG_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(sg_json_write_raw(&w, NULL, 0), SG_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(sg_json_write_key_n(&w, "k", 1), SG_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(sg_json_write_array_end(&w), SG_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(sg_json_writer_finish(&w, NULL), SG_ERR_BUFFER_TOO_SMALL);

    /* an empty string from a NULL pointer of length 0 */
    size_t len = 0;
    assert_int_equal(sg_json_writer_init(&w, buf, sizeof buf), SG_OK);
    assert_int_equal(sg_json_write_string_n(&w, NULL, 0), SG_OK);
    assert_int_equal(sg_json_writer_finish(&w, &len), SG_OK);
    assert_string_equal(buf, "\"\"");
    assert_int_equal(len, 2);
}

/* Placement refusals the layout test does not meet. */
static void test_misplaced_keys_and_ends(void **state)
{
    (void)state;
    char buf[32];
    sg_json_writer w;
    /* an end or a key at the root */
    assert_int_equal(sg_json_writer_init(&w, buf, sizeof buf), SG_OK);
    assert_int_equal(sg_json_write_array_end(&w), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_json_writer_init(&w, buf, sizeof buf), SG_OK);
    assert_int_equal(sg_json_write_key(&w, "k"), SG_ERR_INVALID_ARG);
    /* a key right after a key */
    assert_int_equal(sg_json_writer_init(&w, buf, sizeof buf), SG_OK);
    assert_int_equal(sg_json_write_object_begin(&w), SG_OK);
    assert_int_equal(sg_json_write_key(&w, "a"), SG_OK);
    assert_int_equal(sg_json_write_key(&w, "b"), SG_ERR_INVALID_ARG);
    /* the minus sign of a number is what does not fit */
    assert_int_equal(sg_json_writer_init(&w, buf, 1), SG_OK);
    assert_int_equal(sg_json_write_array_begin(&w), SG_OK);
    assert_int_equal(sg_json_write_int64(&w, -5), SG_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(w.len, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_layout),
        cmocka_unit_test(test_buffer_too_small_every_size),
        cmocka_unit_test(test_escaping),
        cmocka_unit_test(test_invalid_utf8_refused),
        cmocka_unit_test(test_misuse),
        cmocka_unit_test(test_int64),
        cmocka_unit_test(test_round_trip_through_reader),
        cmocka_unit_test(test_arguments_and_sticky_errors),
        cmocka_unit_test(test_misplaced_keys_and_ends),
    };
    return cmocka_run_group_tests_name("json_write", tests, NULL, NULL);
}
