/*
 * The JSON reader with the firmware's limits and trims (examples/firmware/sg_user_config.h):
 * its depth, path and subscription ceilings hold at their exact bounds, what the firmware
 * reads fits them, and with SG_JSON_ELEMENTS 0 and SG_JSON_RAW 0 ELEMENT and RAW
 * subscriptions are refused while VALUE ones and every input check still work (the
 * envelope decodes an error whose details it no longer keeps), with SG_JSON_TOKENS 0 every
 * reader of a token index answers SG_ERR_UNSUPPORTED; with SG_SCOPE_SUGGEST 0 no
 * scope name is suggested while bad ones are still refused. The reader and the envelope are
 * compiled into this test with those options (as test_trims does for its trims), so the
 * library's own sg_json.o and sg_envelope.o, built with the defaults, are not linked.
 */
#include "../../examples/firmware/sg_user_config.h"
/* as the firmware's -Os build: the JSON reader's small (byte at a time) scanner */
#define SG__JSON_BYTEWISE 1
#include "../../core/sg_envelope.c"
#include "../../core/sg_json.c"
#include "../../core/sg_scopes.c"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

typedef struct hits {
    size_t count;
    size_t last_sub;
} hits;

static sg_status count_value(void *ctx, const sg_json_event *ev)
{
    hits *h = ctx;
    h->count++;
    h->last_sub = ev->sub;
    return SG_OK;
}

static char str_buf[64];

static sg_json_config config(const sg_json_sub *subs, size_t n, hits *h)
{
    sg_json_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.subs = subs;
    cfg.sub_count = n;
    cfg.on_value = count_value;
    cfg.ctx = h;
    cfg.str_buf = str_buf;
    cfg.str_cap = sizeof str_buf;
    return cfg;
}

static sg_status parse(const sg_json_config *cfg, const char *doc)
{
    sg_json_reader r;
    sg_status st = sg_json_reader_init(&r, cfg);
    if (st == SG_OK) {
        st = sg_json_reader_feed(&r, doc, strlen(doc));
    }
    if (st == SG_OK) {
        st = sg_json_reader_finish(&r);
    }
    return st;
}

static void test_options_are_the_firmwares(void **state)
{
    (void)state;
    assert_int_equal(SG_JSON_DEPTH_MAX, 16);
    assert_int_equal(SG_JSON_PATH_MAX, 32);
    assert_int_equal(SG_JSON_SUBS_MAX, 16);
}

static void test_depth_bound(void **state)
{
    (void)state;
    char doc[2 * (SG_JSON_DEPTH_MAX + 1) + 1];
    hits h = {0, 0};
    sg_json_config cfg = config(NULL, 0, &h);
    cfg.max_depth = SG_JSON_DEPTH_MAX;
    for (size_t levels = SG_JSON_DEPTH_MAX; levels <= SG_JSON_DEPTH_MAX + 1; levels++) {
        for (size_t i = 0; i < levels; i++) {
            doc[i] = '[';
            doc[2 * levels - 1 - i] = ']';
        }
        doc[2 * levels] = '\0';
        assert_int_equal(parse(&cfg, doc), levels == SG_JSON_DEPTH_MAX ? SG_OK : SG_ERR_JSON_DEPTH);
    }
}

static void test_subscription_bounds(void **state)
{
    (void)state;
    static sg_json_sub subs[SG_JSON_SUBS_MAX + 1];
    static char names[SG_JSON_SUBS_MAX + 1][8];
    for (size_t i = 0; i <= SG_JSON_SUBS_MAX; i++) {
        (void)snprintf(names[i], sizeof names[i], "k%zu", i);
        subs[i].path = names[i];
        subs[i].mode = SG_JSON_SUB_VALUE;
    }
    hits h = {0, 0};
    sg_json_config cfg = config(subs, SG_JSON_SUBS_MAX, &h);
    char doc[32];
    (void)snprintf(doc, sizeof doc, "{\"k%d\":1}", SG_JSON_SUBS_MAX - 1);
    assert_int_equal(parse(&cfg, doc), SG_OK);
    assert_int_equal(h.count, 1);
    assert_int_equal(h.last_sub, SG_JSON_SUBS_MAX - 1); /* the last one still matches */
    cfg.sub_count = SG_JSON_SUBS_MAX + 1;
    assert_int_equal(parse(&cfg, doc), SG_ERR_INVALID_ARG);
}

static void test_path_bound_and_what_the_firmware_reads(void **state)
{
    (void)state;
    char path[SG_JSON_PATH_MAX + 2];
    memset(path, 'p', sizeof path - 1);
    path[sizeof path - 1] = '\0';
    sg_json_sub sub = {path, SG_JSON_SUB_VALUE, false};
    hits h = {0, 0};
    sg_json_config cfg = config(&sub, 1, &h);
    assert_int_equal(parse(&cfg, "{}"), SG_ERR_JSON_PATH_TOO_LONG);
    path[SG_JSON_PATH_MAX] = '\0';
    assert_int_equal(parse(&cfg, "{}"), SG_OK);

    /* the longest paths the device flow and sg_api subscribe to (the core's tables) */
    static const sg_json_sub longest[] = {
        {"device_authorization_endpoint", SG_JSON_SUB_VALUE, false},
        {"data.pagination.hasNextPage", SG_JSON_SUB_VALUE, false},
        {"data.auth.scopes[]", SG_JSON_SUB_VALUE, true},
    };
    cfg = config(longest, 3, &h);
    h.count = 0;
    assert_int_equal(parse(&cfg, "{\"device_authorization_endpoint\":\"https://a/d\","
                                 "\"data\":{\"pagination\":{\"hasNextPage\":false},"
                                 "\"auth\":{\"scopes\":[\"me:read\"]}}}"),
                     SG_OK);
    assert_int_equal(h.count, 3);
}

/* SG_JSON_TOKENS 0: no token index; every reader of one says so, and unescaping stays. */
static void test_without_tokens(void **state)
{
    (void)state;
    assert_int_equal(SG_JSON_TOKENS, 0);
    static sg_json_tok toks[8];
    sg_json_element e;
    memset(&e, 0, sizeof e);
    int t = 0;
    size_t n = 0;
    int64_t v = 0;
    bool b = false;
    char buf[16];
    sg_slice raw = {NULL, 0};
    sg_json_type type = SG_JSON_NULL;
    assert_int_equal(sg_json_parse("{\"a\":1}", 7, toks, 8, &e), SG_ERR_UNSUPPORTED);
    assert_int_equal(sg_json_elem_count(&e, &n), SG_ERR_UNSUPPORTED);
    assert_int_equal(sg_json_elem_skip(&e, 0, &t), SG_ERR_UNSUPPORTED);
    assert_int_equal(sg_json_elem_member(&e, 0, "a", &t), SG_ERR_UNSUPPORTED);
    assert_int_equal(sg_json_elem_item(&e, 0, 0, &t), SG_ERR_UNSUPPORTED);
    assert_int_equal(sg_json_elem_size(&e, 0, &n), SG_ERR_UNSUPPORTED);
    assert_int_equal(sg_json_elem_type(&e, 0, &type), SG_ERR_UNSUPPORTED);
    assert_int_equal(sg_json_tok_string(&e, 0, buf, sizeof buf, &n), SG_ERR_UNSUPPORTED);
    assert_int_equal(sg_json_tok_int64(&e, 0, &v), SG_ERR_UNSUPPORTED);
    assert_int_equal(sg_json_tok_bool(&e, 0, &b), SG_ERR_UNSUPPORTED);
    assert_int_equal(sg_json_tok_is_null(&e, 0, &b), SG_ERR_UNSUPPORTED);
    assert_int_equal(sg_json_tok_raw(&e, 0, &raw), SG_ERR_UNSUPPORTED);
    assert_int_equal(sg_json_elem_get_string(&e, 0, "a", buf, sizeof buf, &n), SG_ERR_UNSUPPORTED);
    assert_int_equal(sg_json_elem_get_int64(&e, 0, "a", &v), SG_ERR_UNSUPPORTED);
    assert_int_equal(sg_json_elem_get_bool(&e, 0, "a", &b), SG_ERR_UNSUPPORTED);
    assert_int_equal(sg_json_elem_is_null(&e, 0, "a", &b), SG_ERR_UNSUPPORTED);
    assert_int_equal(sg_json_elem_get_raw(&e, 0, "a", &raw), SG_ERR_UNSUPPORTED);
    assert_int_equal(sg_json_elem_each_string(&e, 0, "a", buf, sizeof buf, NULL, NULL),
                     SG_ERR_UNSUPPORTED);
    /* not a token reader: kept */
    assert_int_equal(sg_json_unescape("a\\u00e9\\n", 9, buf, sizeof buf, &n), SG_OK);
    assert_int_equal(n, 4);
    assert_memory_equal(buf, "a\xc3\xa9\n", 4);
}

static void test_without_elements_or_raw(void **state)
{
    (void)state;
    assert_int_equal(SG_JSON_ELEMENTS, 0);
    assert_int_equal(SG_JSON_RAW, 0);
    static char elem_buf[64];
    static sg_json_tok toks[8];
    hits h = {0, 0};
    sg_json_sub elem = {"data.tokens[]", SG_JSON_SUB_ELEMENT, false};
    sg_json_config cfg = config(&elem, 1, &h);
    cfg.elem_buf = elem_buf;
    cfg.elem_cap = sizeof elem_buf;
    cfg.tokens = toks;
    cfg.max_tokens = 8;
    sg_json_reader r;
    assert_int_equal(sg_json_reader_init(&r, &cfg), SG_ERR_UNSUPPORTED);
    sg_json_sub raw = {"error.details", SG_JSON_SUB_RAW, false};
    cfg = config(&raw, 1, &h);
    assert_int_equal(sg_json_reader_init(&r, &cfg), SG_ERR_UNSUPPORTED);

    /* a VALUE subscription on the same path: one event for the object, split anywhere */
    static const char doc[] = "{\"error\":{\"details\":{\"a\":[1,\"x\"]}},\"ok\":false}";
    sg_json_sub value = {"error.details", SG_JSON_SUB_VALUE, false};
    for (size_t cut = 0; cut <= sizeof doc - 1; cut++) {
        h.count = 0;
        cfg = config(&value, 1, &h);
        assert_int_equal(sg_json_reader_init(&r, &cfg), SG_OK);
        assert_int_equal(sg_json_reader_feed(&r, doc, cut), SG_OK);
        assert_int_equal(sg_json_reader_feed(&r, doc + cut, sizeof doc - 1 - cut), SG_OK);
        assert_int_equal(sg_json_reader_finish(&r), SG_OK);
        assert_int_equal(h.count, 1);
    }
    /* and the input checks */
    cfg = config(NULL, 0, &h);
    assert_int_equal(parse(&cfg, "{\"a\":[1,]}"), SG_ERR_JSON_SYNTAX);
    assert_int_equal(parse(&cfg, "[\"\xff\"]"), SG_ERR_JSON_SYNTAX); /* bad UTF-8 */
    assert_int_equal(parse(&cfg, "{\"error\":{\"details\":[1,]}}"), SG_ERR_JSON_SYNTAX);
}

/* The envelope without raw capture: an error decodes whole, its details passed over (an
   object, or a string longer than the message buffer), never kept. */
static void test_envelope_without_details(void **state)
{
    (void)state;
    char long_details[SG_ENVELOPE_MESSAGE_MAX * 2 + 1];
    memset(long_details, 'd', sizeof long_details - 1);
    long_details[sizeof long_details - 1] = '\0';
    char body[512];
    for (int form = 0; form < 2; form++) {
        (void)snprintf(body, sizeof body,
                       "{\"ok\":false,\"error\":{\"code\":\"bad_request\",\"message\":\"m\","
                       "\"details\":%s%s%s},\"meta\":{\"requestId\":\"r1\"}}",
                       form ? "\"" : "", form ? long_details : "{\"field\":[\"x\"]}",
                       form ? "\"" : "");
        static char details[64];
        static char str[SG_ENVELOPE_MESSAGE_MAX];
        sg_json_config data;
        memset(&data, 0, sizeof data);
        data.str_buf = str;
        data.str_cap = sizeof str;
        sg_envelope env;
        assert_int_equal(sg_envelope_init(&env, &data, details, sizeof details), SG_OK);
        assert_int_equal(sg_envelope_decode(&env, 400, body, strlen(body)), SG_OK);
        assert_int_equal(sg_envelope_status(&env), SG_ERR_API);
        assert_string_equal(env.code, "bad_request");
        assert_string_equal(env.message, "m");
        assert_string_equal(env.request_id, "r1");
        assert_int_equal(env.details_len, 0);
        assert_string_equal(details, "");
    }
}

/* The small scanner (no runs: literals and unseen keys read a byte at a time) gives the
   same events and the same verdicts, split anywhere. */
typedef struct sums {
    size_t count;
    size_t sum; /* of sub * 10 + boolean + text length, per event */
} sums;

static sg_status sum_values(void *ctx, const sg_json_event *ev)
{
    sums *t = ctx;
    t->count++;
    t->sum += ev->sub * 10u + (ev->boolean ? 1u : 0u) + ev->text.len;
    return SG_OK;
}

static void test_bytewise_scanner(void **state)
{
    (void)state;
    assert_int_equal(BYTEWISE, 1);
    static const sg_json_sub subs[] = {{"t", SG_JSON_SUB_VALUE, false},
                                       {"f", SG_JSON_SUB_VALUE, false},
                                       {"n", SG_JSON_SUB_VALUE, false},
                                       {"o.k", SG_JSON_SUB_VALUE, false}};
    static const char doc[] = "{\"skip\":{\"unseen key\":[true,false,null]},\"t\":true,"
                              "\"f\":false,\"n\":null,\"o\":{\"k\":\"v\",\"x\":1}}";
    size_t want_sum = 0;
    for (size_t cut = 0; cut <= sizeof doc - 1; cut++) {
        sums t = {0, 0};
        hits h = {0, 0};
        sg_json_config cfg = config(subs, 4, &h);
        cfg.on_value = sum_values;
        cfg.ctx = &t;
        sg_json_reader r;
        assert_int_equal(sg_json_reader_init(&r, &cfg), SG_OK);
        assert_int_equal(sg_json_reader_feed(&r, doc, cut), SG_OK);
        assert_int_equal(sg_json_reader_feed(&r, doc + cut, sizeof doc - 1 - cut), SG_OK);
        assert_int_equal(sg_json_reader_finish(&r), SG_OK);
        assert_int_equal(t.count, 4);
        if (cut == 0) {
            want_sum = t.sum;
        }
        assert_int_equal(t.sum, want_sum);
    }
    /* (0*10+1+4) + (1*10+0+5) + (2*10+0+4) + (3*10+0+1) */
    assert_int_equal(want_sum, 75);
    static const char *const bad[] = {
        "[tru]",          "[truex]",           "[fals]", "[nul1]", "{\"a\":tRue}",
        "{\"unseen\" 1}", "{\"unseen\x01\":1}"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        hits h = {0, 0};
        sg_json_config cfg = config(subs, 4, &h);
        assert_int_equal(parse(&cfg, bad[i]), SG_ERR_JSON_SYNTAX);
    }
}

static void test_without_scope_suggestions(void **state)
{
    (void)state;
    assert_int_equal(SG_SCOPE_SUGGEST, 0);
    assert_null(sg_scope_suggest("token:read"));
    assert_null(sg_scope_suggest("tokens:read"));
    size_t i = 99;
    assert_int_equal(sg_scope_index("tokens:read", 11, &i), SG_OK);
    assert_string_equal(sg_scope_at(i), "tokens:read");
    assert_int_equal(sg_scope_index("token:read", 10, &i), SG_ERR_NOT_FOUND);
    assert_false(sg_scope_is_valid("Tokens:read"));
    assert_true(sg_scope_is_valid("billing:write"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_options_are_the_firmwares),
        cmocka_unit_test(test_depth_bound),
        cmocka_unit_test(test_subscription_bounds),
        cmocka_unit_test(test_path_bound_and_what_the_firmware_reads),
        cmocka_unit_test(test_without_elements_or_raw),
        cmocka_unit_test(test_envelope_without_details),
        cmocka_unit_test(test_bytewise_scanner),
        cmocka_unit_test(test_without_scope_suggestions),
        cmocka_unit_test(test_without_tokens),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
