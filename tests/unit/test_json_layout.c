/*
 * An application with its own jsmn: it includes jsmn.h first, with jsmn's default options
 * (no parent links, not strict: a smaller token than the library's), and even compiles
 * jsmn's code here. The library's JSON types must keep the layout the library was built
 * with, and both parsers must work side by side.
 */
#pragma GCC diagnostic push /* third-party code, not held to our warning set */
#pragma GCC diagnostic ignored "-Wconversion"
#pragma GCC diagnostic ignored "-Wsign-conversion"
#pragma GCC diagnostic ignored "-Wsign-compare"
#include "jsmn.h"
#pragma GCC diagnostic pop

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "json_layout.h"
#include <sitegpt/sg_json.h>

#ifdef JSMN_PARENT_LINKS
#error "this test needs jsmn's default options: sg_json.h must not set any"
#endif

/* jsmn as this file compiled it: four ints, where the library's token has five. */
_Static_assert(sizeof(jsmntok_t) == 4 * sizeof(int), "the application's own jsmn options");

static void test_layout_matches_library(void **state)
{
    (void)state;
    json_layout lib;
    json_layout_reference(&lib);
    assert_int_equal(sizeof(sg_json_tok), lib.tok_size);
    assert_int_equal(_Alignof(sg_json_tok), lib.tok_align);
    assert_true(sizeof(sg_json_tok) != sizeof(jsmntok_t)); /* so a leak would show */
    assert_int_equal(sizeof(sg_json_element), lib.element_size);
    assert_int_equal(sizeof(sg_json_config), lib.config_size);
    assert_int_equal(sizeof(sg_json_reader), lib.reader_size);
    assert_int_equal(sizeof(sg_json_event), lib.event_size);
    assert_int_equal(offsetof(sg_json_config, tokens), lib.config_tokens_at);
    assert_int_equal(offsetof(sg_json_config, max_tokens), lib.config_max_tokens_at);
    assert_int_equal(offsetof(sg_json_config, max_depth), lib.config_max_depth_at);
}

typedef struct guarded_tokens {
    sg_json_tok tok[12];
    uint8_t canary[64];
} guarded_tokens;

typedef struct seen {
    char ids[64];
    size_t ids_len;
    int elements;
} seen;

static sg_status on_element(void *ctx, const sg_json_event *ev)
{
    seen *s = ctx;
    char id[16];
    size_t len;
    sg_status st = sg_json_elem_get_string(ev->element, 0, "id", id, sizeof id, &len);
    if (st != SG_OK) {
        return st;
    }
    assert_true(s->ids_len + len + 1 < sizeof s->ids);
    memcpy(s->ids + s->ids_len, id, len);
    s->ids_len += len;
    s->ids[s->ids_len++] = ';';
    s->elements++;
    return SG_OK;
}

/* Both parsers in one program: the library's tokens stay inside the caller's array. */
static void test_both_parsers_side_by_side(void **state)
{
    (void)state;
    const char *doc =
        "{\"data\":{\"tokens\":[{\"id\":\"a\",\"s\":[1,2]},{\"id\":\"bb\",\"s\":[]}]}}";
    static guarded_tokens g;
    memset(&g, 0xA5, sizeof g);
    char str[32], elem[64];
    seen s;
    memset(&s, 0, sizeof s);
    const sg_json_sub sub = {"data.tokens[]", SG_JSON_SUB_ELEMENT, false};
    sg_json_config cfg = {.subs = &sub,
                          .sub_count = 1,
                          .on_value = on_element,
                          .ctx = &s,
                          .str_buf = str,
                          .str_cap = sizeof str,
                          .elem_buf = elem,
                          .elem_cap = sizeof elem,
                          .tokens = g.tok,
                          .max_tokens = 12};
    sg_json_reader rd;
    assert_int_equal(sg_json_reader_init(&rd, &cfg), SG_OK);
    assert_int_equal(sg_json_reader_feed(&rd, doc, strlen(doc)), SG_OK);
    assert_int_equal(sg_json_reader_finish(&rd), SG_OK);
    assert_int_equal(s.elements, 2);
    assert_string_equal(s.ids, "a;bb;");
    for (size_t i = 0; i < sizeof g.canary; i++) {
        assert_int_equal(g.canary[i], 0xA5);
    }

    /* the whole-document parse with the same caller array */
    sg_json_element e;
    int t;
    size_t n;
    const char *small = "{\"k\":[true,{\"x\":1}],\"v\":7}";
    assert_int_equal(sg_json_parse(small, strlen(small), g.tok, 12, &e), SG_OK);
    assert_int_equal(sg_json_elem_count(&e, &n), SG_OK);
    assert_int_equal(n, 9);
    int64_t v;
    assert_int_equal(sg_json_elem_get_int64(&e, 0, "v", &v), SG_OK); /* skips k's subtree */
    assert_int_equal(v, 7);
    assert_int_equal(sg_json_elem_member(&e, 0, "k", &t), SG_OK);
    assert_int_equal(sg_json_elem_size(&e, t, &n), SG_OK);
    assert_int_equal(n, 2);
    for (size_t i = 0; i < sizeof g.canary; i++) {
        assert_int_equal(g.canary[i], 0xA5);
    }

    /* the application's own jsmn, with its own options, on the same text */
    jsmn_parser p;
    jsmntok_t mine[32];
    jsmn_init(&p);
    assert_int_equal(jsmn_parse(&p, doc, strlen(doc), mine, 32), 17);
    assert_int_equal(mine[0].type, JSMN_OBJECT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_layout_matches_library),
        cmocka_unit_test(test_both_parsers_side_by_side),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
