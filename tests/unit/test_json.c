/*
 * Streaming JSON reader: RFC 8259 strictness, chunk-split invariance, paths and
 * subscriptions, unicode, limits and their errors, element helpers, a 5 MB list.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "capture.h"
#include <sitegpt/sg_json.h>

/* ---------------------------------------------------------------- recorder --- */

/* Every event as text; raw pieces are joined so the record does not depend on splits. */
typedef struct rec {
    char out[16384];
    size_t len;
    char raw[4096];
    size_t raw_len;
    int events;
    int fail_at; /* return SG_ERR_CANCELLED from this event (1-based), 0: never */
    size_t raw_pieces;
} rec;

static void rec_put(rec *r, const char *s, size_t n)
{
    assert_true(capture_append(r->out, sizeof r->out, &r->len, s, n));
}

static void rec_fmt(rec *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void rec_fmt(rec *r, const char *fmt, ...)
{
    char tmp[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    assert_true(n >= 0 && (size_t)n < sizeof tmp);
    rec_put(r, tmp, (size_t)n);
}

static sg_status rec_cb(void *ctx, const sg_json_event *ev)
{
    rec *r = ctx;
    r->events++;
    if (r->fail_at && r->events == r->fail_at) {
        return SG_ERR_CANCELLED;
    }
    assert_non_null(ev->path.ptr);
    switch (ev->kind) {
    case SG_JSON_EV_VALUE:
        rec_fmt(r, "V%zu:%d%s[", ev->sub, (int)ev->type, ev->truncated ? "T" : "");
        rec_put(r, ev->text.ptr, ev->text.len);
        if (ev->type == SG_JSON_STRING || ev->type == SG_JSON_NUMBER) {
            assert_int_equal(ev->text.ptr[ev->text.len], '\0');
        }
        if (ev->type == SG_JSON_BOOL) {
            rec_fmt(r, "=%d", ev->boolean);
        }
        rec_put(r, "] ", 2);
        break;
    case SG_JSON_EV_ELEMENT: {
        assert_non_null(ev->element);
        size_t count;
        sg_status st = sg_json_elem_count(ev->element, &count); /* tokenizes it */
        if (st != SG_OK) {
            return st;
        }
        rec_fmt(r, "E%zu:%d:%zu[", ev->sub, (int)ev->type, count);
        rec_put(r, ev->element->json, ev->element->len);
        rec_put(r, "] ", 2);
        break;
    }
    case SG_JSON_EV_RAW:
        r->raw_pieces++;
        if (ev->first) {
            r->raw_len = 0;
        }
        assert_true(capture_append(r->raw, sizeof r->raw, &r->raw_len, ev->text.ptr, ev->text.len));
        if (ev->last) {
            rec_fmt(r, "R%zu:%d[", ev->sub, (int)ev->type);
            rec_put(r, r->raw, r->raw_len);
            rec_put(r, "] ", 2);
        }
        break;
    }
    return SG_OK;
}

/* A broad subscription set so the corpus exercises every kind of capture. */
static const sg_json_sub k_subs[] = {
    {"", SG_JSON_SUB_VALUE, false},     {"[]", SG_JSON_SUB_ELEMENT, false},
    {"[][]", SG_JSON_SUB_VALUE, false}, {"a", SG_JSON_SUB_VALUE, false},
    {"a[]", SG_JSON_SUB_VALUE, false},  {"b", SG_JSON_SUB_ELEMENT, false},
    {"c", SG_JSON_SUB_RAW, false},      {"[]", SG_JSON_SUB_RAW, false},
    {"o.k", SG_JSON_SUB_VALUE, false},  {"o.k", SG_JSON_SUB_RAW, false},
};

typedef struct bufs {
    char str[64];
    char elem[256];
    sg_json_tok tok[24];
} bufs;

static sg_json_config make_cfg(bufs *b, rec *r, const sg_json_sub *subs, size_t n)
{
    return (sg_json_config){.subs = subs,
                            .sub_count = n,
                            .on_value = rec_cb,
                            .ctx = r,
                            .str_buf = b->str,
                            .str_cap = sizeof b->str,
                            .elem_buf = b->elem,
                            .elem_cap = sizeof b->elem,
                            .tokens = b->tok,
                            .max_tokens = sizeof b->tok / sizeof b->tok[0]};
}

/* Feed doc in pieces of `chunk` bytes (0: whole), or split once at `cut` if chunk is -1. */
static sg_status run_cfg(const sg_json_config *cfg, const char *doc, size_t len, size_t chunk,
                         size_t cut, uint64_t *off)
{
    sg_json_reader rd;
    sg_status st = sg_json_reader_init(&rd, cfg);
    assert_int_equal(st, SG_OK);
    if (chunk == (size_t)-1) {
        st = sg_json_reader_feed(&rd, doc, cut);
        if (st == SG_OK) {
            st = sg_json_reader_feed(&rd, doc + cut, len - cut);
        }
    } else {
        size_t step = chunk ? chunk : (len ? len : 1);
        for (size_t i = 0; i < len && st == SG_OK; i += step) {
            st = sg_json_reader_feed(&rd, doc + i, len - i < step ? len - i : step);
        }
    }
    if (st == SG_OK) {
        st = sg_json_reader_finish(&rd);
    }
    /* errors are sticky */
    if (st != SG_OK) {
        assert_int_equal(sg_json_reader_feed(&rd, " ", 1), st);
    }
    if (off) {
        *off = sg_json_reader_offset(&rd);
    }
    return st;
}

static sg_status run(const char *doc, size_t len, size_t chunk, size_t cut, rec *r, uint64_t *off)
{
    bufs b;
    memset(r, 0, sizeof *r);
    sg_json_config cfg = make_cfg(&b, r, k_subs, sizeof k_subs / sizeof k_subs[0]);
    return run_cfg(&cfg, doc, len, chunk, cut, off);
}

/* ---------------------------------------------------------------- corpus --- */

static const char *const k_valid[] = {
    "{}",
    "[]",
    " { } ",
    "\t\r\n[\t]\n",
    "0",
    "-0",
    "123",
    "-12.5e+3",
    "1E9",
    "0.0001",
    "1e-7",
    "true",
    "false",
    "null",
    "\"\"",
    "\"abc\"",
    "  \"x\"  ",
    "{\"a\":1}",
    "{\"a\":\"str\",\"b\":{\"x\":[1,2,{\"y\":null}]},\"c\":[true,false]}",
    "[[1,2],[3],[],\"s\",{\"k\":\"v\"}]",
    "{\"a\":[\"p\",\"q\",1.5,null,true]}",
    "{\"o\":{\"k\":\"v\"}}",
    "{\"o\":{\"k\":{\"deep\":[1,{\"z\":2}]}}}",
    "{\"c\":-0.5e-10}",
    "{\"c\":\"raw \\\"esc\\\" \\u00e9\"}",
    "{\"c\":12345}",
    "[{\"id\":\"a\"},{\"id\":\"b\"},{\"id\":\"c\",\"n\":[1,2,3]}]",
    "{\"a\":\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"}",
    "{\"a\":\"\\u0041\\u00e9\\u20ac\\ud83d\\ude00\"}",
    "{\"a\":\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"}",
    "{\"\":0,\"a\\u0062\":1}",
    "{\"a\":1,\"a\":2}",
    "[1,[2,[3,[4,[5]]]]]",
    "{\"b\":[1,2,3]}",
    "{\"b\":\"scalar\"}",
    "{\"x\":{\"a\":\"not top\"},\"a\":\"top\"}",
    "\"\\u0000\"",
    /* under "zzzzz" no path can match: keys and values take the scanner's fast paths */
    "{\"zzzzz\":{\"k\\u00e9y\":1,\"\xc3\xa9\":[true,false,null],\"x\\\"y\":{\"\":-0.5}},\"a\":\"e\"}",
    "{\"zzzzz\" : { \"k\" : [ 1 , true ] , \"m\" : { } , \"long key past eight\":\"v\" } }",
};

typedef struct bad {
    const char *doc;
    sg_status err;
} bad;

static const bad k_invalid[] = {
    {"", SG_ERR_JSON_SYNTAX},
    {"   ", SG_ERR_JSON_SYNTAX},
    {"[1,]", SG_ERR_JSON_SYNTAX},
    {"{\"a\":1,}", SG_ERR_JSON_SYNTAX},
    {"[,1]", SG_ERR_JSON_SYNTAX},
    {"{,}", SG_ERR_JSON_SYNTAX},
    {"['a']", SG_ERR_JSON_SYNTAX},
    {"{'a':1}", SG_ERR_JSON_SYNTAX},
    {"{a:1}", SG_ERR_JSON_SYNTAX},
    {"01", SG_ERR_JSON_SYNTAX},
    {"[01]", SG_ERR_JSON_SYNTAX},
    {"-01", SG_ERR_JSON_SYNTAX},
    {"1.", SG_ERR_JSON_SYNTAX},
    {".5", SG_ERR_JSON_SYNTAX},
    {"1e", SG_ERR_JSON_SYNTAX},
    {"1e+", SG_ERR_JSON_SYNTAX},
    {"-", SG_ERR_JSON_SYNTAX},
    {"+1", SG_ERR_JSON_SYNTAX},
    {"0x10", SG_ERR_JSON_SYNTAX},
    {"NaN", SG_ERR_JSON_SYNTAX},
    {"Infinity", SG_ERR_JSON_SYNTAX},
    {"tru", SG_ERR_JSON_SYNTAX},
    {"truex", SG_ERR_JSON_SYNTAX},
    {"nul", SG_ERR_JSON_SYNTAX},
    {"True", SG_ERR_JSON_SYNTAX},
    {"\"\\x\"", SG_ERR_JSON_SYNTAX},
    {"\"\\u12\"", SG_ERR_JSON_SYNTAX},
    {"\"\\u12g4\"", SG_ERR_JSON_SYNTAX},
    {"\"\\ud800\"", SG_ERR_JSON_SYNTAX},
    {"\"\\ud800x\"", SG_ERR_JSON_SYNTAX},
    {"\"\\ud800\\n\"", SG_ERR_JSON_SYNTAX},
    {"\"\\ud800\\u0041\"", SG_ERR_JSON_SYNTAX},
    {"\"\\udc00\"", SG_ERR_JSON_SYNTAX},
    {"\"a\tb\"", SG_ERR_JSON_SYNTAX},
    {"\"a\nb\"", SG_ERR_JSON_SYNTAX},
    {"\"\x01\"", SG_ERR_JSON_SYNTAX},
    {"\"abc", SG_ERR_JSON_SYNTAX},
    {"\"\xc0\x80\"", SG_ERR_JSON_SYNTAX},
    {"\"\xe0\x80\x80\"", SG_ERR_JSON_SYNTAX},
    {"\"\xed\xa0\x80\"", SG_ERR_JSON_SYNTAX},
    {"\"\xf4\x90\x80\x80\"", SG_ERR_JSON_SYNTAX},
    {"\"\xf5\x80\x80\x80\"", SG_ERR_JSON_SYNTAX},
    {"\"\x80\"", SG_ERR_JSON_SYNTAX},
    {"\"\xc3\"", SG_ERR_JSON_SYNTAX},
    {"\"\xe2\x82\"", SG_ERR_JSON_SYNTAX},
    {"\"\xff\"", SG_ERR_JSON_SYNTAX},
    {"{} x", SG_ERR_JSON_SYNTAX},
    {"{}{}", SG_ERR_JSON_SYNTAX},
    {"1 2", SG_ERR_JSON_SYNTAX},
    {"[1]]", SG_ERR_JSON_SYNTAX},
    {"[1", SG_ERR_JSON_SYNTAX},
    {"{\"a\":1", SG_ERR_JSON_SYNTAX},
    {"[}", SG_ERR_JSON_SYNTAX},
    {"{]", SG_ERR_JSON_SYNTAX},
    {"{\"a\" 1}", SG_ERR_JSON_SYNTAX},
    {"{\"a\":}", SG_ERR_JSON_SYNTAX},
    {"{\"a\"}", SG_ERR_JSON_SYNTAX},
    {"[1 2]", SG_ERR_JSON_SYNTAX},
    {"\xef\xbb\xbf{}", SG_ERR_JSON_SYNTAX},
    {"{\"a\":1}\x00", SG_ERR_JSON_SYNTAX},
    {"[\f]", SG_ERR_JSON_SYNTAX},
    {"/*c*/{}", SG_ERR_JSON_SYNTAX},
    {"[tRue]", SG_ERR_JSON_SYNTAX},
    {"[fals]", SG_ERR_JSON_SYNTAX},
    {"{\"zzzzz\":[nulL]}", SG_ERR_JSON_SYNTAX},
    {"{\"zzzzz\":{\"a\\x\":1}}", SG_ERR_JSON_SYNTAX},
    {"{\"zzzzz\":{\"\xc3(\":1}}", SG_ERR_JSON_SYNTAX},
    {"{\"zzzzz\":{\"ab\x01\":1}}", SG_ERR_JSON_SYNTAX},
    {"{\"zzzzz\":{\"abcdefghij", SG_ERR_JSON_SYNTAX},
    {"{\"zzzzz\":{\"k\" 1}}", SG_ERR_JSON_SYNTAX},
};

static size_t doc_len(const bad *b)
{
    /* one case ends with an embedded NUL byte on purpose */
    size_t n = strlen(b->doc);
    return strcmp(b->doc, "{\"a\":1}") == 0 ? n + 1 : n;
}

static void test_valid_corpus(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof k_valid / sizeof k_valid[0]; i++) {
        rec r;
        sg_status st = run(k_valid[i], strlen(k_valid[i]), 0, 0, &r, NULL);
        if (st != SG_OK) {
            fail_msg("valid doc %zu rejected (%d): %s", i, st, k_valid[i]);
        }
    }
}

static void test_invalid_corpus(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof k_invalid / sizeof k_invalid[0]; i++) {
        rec r;
        sg_status st = run(k_invalid[i].doc, doc_len(&k_invalid[i]), 0, 0, &r, NULL);
        if (st != k_invalid[i].err) {
            fail_msg("invalid doc %zu: got %d, want %d: %s", i, st, k_invalid[i].err,
                     k_invalid[i].doc);
        }
    }
}

/* Every split point and byte-at-a-time give the same status, offset and events. */
static void check_splits(const char *doc, size_t len)
{
    rec whole, part;
    uint64_t off_whole, off;
    sg_status st = run(doc, len, 0, 0, &whole, &off_whole);
    for (size_t cut = 0; cut <= len; cut++) {
        sg_status s2 = run(doc, len, (size_t)-1, cut, &part, &off);
        if (s2 != st || off != off_whole || strcmp(part.out, whole.out) != 0) {
            fail_msg("split at %zu differs for %s:\n %d@%llu %s\n %d@%llu %s", cut, doc, st,
                     (unsigned long long)off_whole, whole.out, s2, (unsigned long long)off,
                     part.out);
        }
    }
    for (size_t chunk = 1; chunk <= 3; chunk++) {
        sg_status s2 = run(doc, len, chunk, 0, &part, &off);
        if (s2 != st || off != off_whole || strcmp(part.out, whole.out) != 0) {
            fail_msg("chunk %zu differs for %s:\n %s\n %s", chunk, doc, whole.out, part.out);
        }
    }
}

static void test_every_split(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof k_valid / sizeof k_valid[0]; i++) {
        check_splits(k_valid[i], strlen(k_valid[i]));
    }
    for (size_t i = 0; i < sizeof k_invalid / sizeof k_invalid[0]; i++) {
        check_splits(k_invalid[i].doc, doc_len(&k_invalid[i]));
    }
}

/* Limit errors too: same byte, same events before it, whatever the split. */
static void test_every_split_at_limits(void **state)
{
    (void)state;
    static char doc[600];
    /* '#' stands for `pad` zeros */
    static const struct {
        const char *tmpl;
        int pad;
        sg_status err;
    } cases[] = {
        {"[1,{\"a\":\"x\"},{\"k\":\"#\"}]", 300, SG_ERR_JSON_ELEMENT_TOO_LARGE},
        {"[[1,{\"q\":\"#\"}]]", 300, SG_ERR_JSON_ELEMENT_TOO_LARGE},
        {"{\"o\":{\"k\":\"v\"},\"a\":\"#\"}", 100, SG_ERR_JSON_STRING_TOO_LONG},
        {"{\"a\":[\"#\\u00e9\"]}", 62, SG_ERR_JSON_STRING_TOO_LONG},
        {"{\"a\":-1#}", 70, SG_ERR_JSON_STRING_TOO_LONG},
        {"[[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,#]]", 1,
         SG_ERR_JSON_TOO_MANY_TOKENS},
        {"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[#]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]", 1,
         SG_ERR_JSON_DEPTH},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t n = 0;
        for (const char *t = cases[i].tmpl; *t; t++) {
            if (*t != '#') {
                doc[n++] = *t;
                continue;
            }
            memset(doc + n, '0', (size_t)cases[i].pad);
            n += (size_t)cases[i].pad;
        }
        assert_true(n < sizeof doc);
        doc[n] = '\0';
        rec r;
        assert_int_equal(run(doc, n, 0, 0, &r, NULL), cases[i].err);
        check_splits(doc, n);
    }
}

/* ---------------------------------------------------------------- subscriptions --- */

static void expect_events(const char *doc, const char *want)
{
    rec r;
    sg_status st = run(doc, strlen(doc), 1, 0, &r, NULL);
    assert_int_equal(st, SG_OK);
    assert_string_equal(r.out, want);
}

static void test_paths_and_types(void **state)
{
    (void)state;
    /* only "a" at the top matches, not x.a; numbers keep their text */
    expect_events("{\"x\":{\"a\":\"no\"},\"a\":-1.5e3}", "V0:4[] V3:2[-1.5e3] ");
    expect_events("{\"a\":[\"p\",7,true,null]}",
                  "V0:4[] V3:5[] V4:3[p] V4:2[7] V4:1[true=1] V4:0[null] ");
    expect_events("{\"b\":{\"k\":[1,2]}}", "V0:4[] E5:4:5[{\"k\":[1,2]}] ");
    expect_events("{\"b\":false}", "V0:4[] V5:1[false=0] ");
    /* raw capture keeps the source text, escapes and whitespace included */
    expect_events("{\"c\": [1, \"\\u0041\"] }", "V0:4[] R6:5[[1, \"\\u0041\"]] ");
    expect_events("{\"c\":12}", "V0:4[] R6:2[12] ");
    expect_events("[[1],[2,3]]", "V0:5[] V2:2[1] E1:5:2[[1]] R7:5[[1]] V2:2[2] V2:2[3] "
                                 "E1:5:3[[2,3]] R7:5[[2,3]] ");
    /* VALUE and RAW on the same path both fire */
    expect_events("{\"o\":{\"k\":\"v\"}}", "V0:4[] V8:3[v] R9:3[\"v\"] ");
    /* an escaped key still matches */
    expect_events("{\"\\u0061\":1}", "V0:4[] V3:2[1] ");
    /* a key that is empty or holds '.' or '[' (escaped too) is no path step: nothing under
       it matches, where a plain key would ("o.k" is subscribed; found by fuzz_api_list) */
    expect_events("{\"o.k\":1,\"\":{\"o.k\":2,\"o\":{\"k\":3}},\"o\\u002ek\":4}", "V0:4[] ");
    expect_events("{\"\":{\"a\":1},\"a[\":[2],\"o\":{\"\":{\"k\":5},\"k\":6}}",
                  "V0:4[] V8:2[6] R9:2[6] ");
    /* keys below a path no subscription can reach match nothing, escaped or not */
    expect_events("{\"zzzzz\":{\"\\u0061\":\"x\",\"a\":[1]},\"a\":\"end\"}", "V0:4[] V3:3[end] ");
}

static void test_envelope_like_paths(void **state)
{
    (void)state;
    static const sg_json_sub subs[] = {
        {"ok", SG_JSON_SUB_VALUE, false},
        {"data.pagination.nextCursor", SG_JSON_SUB_VALUE, false},
        {"data.tokens[]", SG_JSON_SUB_ELEMENT, false},
        {"data.auth.scopes[]", SG_JSON_SUB_VALUE, false},
        {"meta.requestId", SG_JSON_SUB_VALUE, false},
    };
    const char *doc = "{\"ok\":true,\"data\":{\"tokens\":[{\"id\":\"t1\",\"scopes\":[\"a:read\"]},"
                      "{\"id\":\"t2\"}],\"auth\":{\"scopes\":[\"x:read\",\"y:write\"]},"
                      "\"pagination\":{\"limit\":2,\"hasNextPage\":true,\"nextCursor\":\"c2\"}},"
                      "\"meta\":{\"requestId\":\"req_1\"}}";
    bufs b;
    rec r;
    memset(&r, 0, sizeof r);
    sg_json_config cfg = make_cfg(&b, &r, subs, sizeof subs / sizeof subs[0]);
    assert_int_equal(run_cfg(&cfg, doc, strlen(doc), 7, 0, NULL), SG_OK);
    assert_string_equal(r.out, "V0:1[true=1] E2:4:6[{\"id\":\"t1\",\"scopes\":[\"a:read\"]}] "
                               "E2:4:3[{\"id\":\"t2\"}] V3:3[x:read] V3:3[y:write] V1:3[c2] "
                               "V4:3[req_1] ");
}

static void test_unicode(void **state)
{
    (void)state;
    expect_events("{\"a\":\"\\u0041\\u00e9\\u20ac\\ud83d\\ude00\\uD83D\\uDE00\"}",
                  "V0:4[] V3:3[A\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\xf0\x9f\x98\x80] ");
    expect_events("{\"a\":\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\xef\xbf\xbf\"}",
                  "V0:4[] V3:3[\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\xef\xbf\xbf] ");
    expect_events("{\"a\":\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"}", "V0:4[] V3:3[\"\\/\b\f\n\r\t] ");
    /* \u0000 arrives as a real zero byte: the length says so */
    rec r;
    assert_int_equal(run("{\"a\":\"x\\u0000y\"}", 16, 0, 0, &r, NULL), SG_OK);
    assert_int_equal(r.len, strlen("V0:4[] V3:3[x") + 1 + strlen("y] "));
    assert_memory_equal(r.out, "V0:4[] V3:3[x\0y] ", r.len);
}

/* ---------------------------------------------------------------- limits --- */

static sg_status run_depth(size_t levels, uint8_t max_depth, uint64_t *off)
{
    static char doc[256];
    assert_true(levels * 2 < sizeof doc);
    for (size_t i = 0; i < levels; i++) {
        doc[i] = '[';
        doc[2 * levels - 1 - i] = ']';
    }
    bufs b;
    rec r;
    memset(&r, 0, sizeof r);
    sg_json_config cfg = make_cfg(&b, &r, NULL, 0);
    cfg.max_depth = max_depth;
    return run_cfg(&cfg, doc, 2 * levels, 1, 0, off);
}

static void test_depth(void **state)
{
    (void)state;
    uint64_t off;
    /* the default depth: 32 unless a build's SG_JSON_DEPTH_MAX is smaller */
    assert_int_equal(run_depth(SG_JSON_DEPTH_DEFAULT, 0, &off), SG_OK);
    assert_int_equal(run_depth(SG_JSON_DEPTH_DEFAULT + 1, 0, &off), SG_ERR_JSON_DEPTH);
    assert_int_equal(off, SG_JSON_DEPTH_DEFAULT); /* the bracket past it */
    assert_int_equal(run_depth(SG_JSON_DEPTH_MAX, SG_JSON_DEPTH_MAX, &off), SG_OK);
    assert_int_equal(run_depth(SG_JSON_DEPTH_MAX + 1, SG_JSON_DEPTH_MAX, &off), SG_ERR_JSON_DEPTH);
    assert_int_equal(run_depth(3, 2, &off), SG_ERR_JSON_DEPTH);
    assert_int_equal(run_depth(2, 2, &off), SG_OK);
    /* a ceiling above the compile-time one is refused */
    sg_json_reader rd;
    sg_json_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.max_depth = SG_JSON_DEPTH_MAX + 1;
    assert_int_equal(sg_json_reader_init(&rd, &cfg), SG_ERR_INVALID_ARG);
}

static void test_string_limit(void **state)
{
    (void)state;
    char doc[200];
    bufs b;
    rec r;
    sg_json_sub sub = {"a", SG_JSON_SUB_VALUE, false};
    /* 63 bytes fit a 64-byte buffer (NUL), 64 do not */
    for (int n = 63; n <= 64; n++) {
        snprintf(doc, sizeof doc, "{\"a\":\"%0*d\"}", n, 0);
        memset(&r, 0, sizeof r);
        sg_json_config cfg = make_cfg(&b, &r, &sub, 1);
        sg_status st = run_cfg(&cfg, doc, strlen(doc), 1, 0, NULL);
        assert_int_equal(st, n == 63 ? SG_OK : SG_ERR_JSON_STRING_TOO_LONG);
    }
    /* numbers are bounded by the same buffer */
    snprintf(doc, sizeof doc, "{\"a\":1%080d}", 0);
    memset(&r, 0, sizeof r);
    sg_json_config cfg = make_cfg(&b, &r, &sub, 1);
    assert_int_equal(run_cfg(&cfg, doc, strlen(doc), 0, 0, NULL), SG_ERR_JSON_STRING_TOO_LONG);
    /* unsubscribed strings are not stored, so not bounded */
    snprintf(doc, sizeof doc, "{\"z\":\"%0150d\",\"a\":\"ok\"}", 0);
    memset(&r, 0, sizeof r);
    cfg = make_cfg(&b, &r, &sub, 1);
    assert_int_equal(run_cfg(&cfg, doc, strlen(doc), 0, 0, NULL), SG_OK);
    assert_string_equal(r.out, "V0:3[ok] ");
}

static void test_string_truncate(void **state)
{
    (void)state;
    /* 62 ASCII bytes then a 2-byte character: the character must not be split */
    char doc[200];
    snprintf(doc, sizeof doc, "{\"a\":\"%062d\xc3\xa9tail\"}", 0);
    sg_json_sub sub = {"a", SG_JSON_SUB_VALUE, true};
    bufs b;
    rec r;
    for (size_t chunk = 0; chunk <= 1; chunk++) {
        memset(&r, 0, sizeof r);
        sg_json_config cfg = make_cfg(&b, &r, &sub, 1);
        assert_int_equal(run_cfg(&cfg, doc, strlen(doc), chunk, 0, NULL), SG_OK);
        char want[100];
        snprintf(want, sizeof want, "V0:3T[%062d] ", 0);
        assert_string_equal(r.out, want);
    }
}

static void test_element_limits(void **state)
{
    (void)state;
    bufs b;
    rec r;
    sg_json_sub sub = {"[]", SG_JSON_SUB_ELEMENT, false};
    char doc[600];
    /* 256-byte element fits exactly; 257 does not */
    for (int extra = 0; extra <= 1; extra++) {
        int pad = 256 - 8 + extra; /* {"k":""} is 8 bytes + pad */
        snprintf(doc, sizeof doc, "[{\"k\":\"%0*d\"}]", pad, 0);
        memset(&r, 0, sizeof r);
        sg_json_config cfg = make_cfg(&b, &r, &sub, 1);
        assert_int_equal(run_cfg(&cfg, doc, strlen(doc), 5, 0, NULL),
                         extra ? SG_ERR_JSON_ELEMENT_TOO_LARGE : SG_OK);
    }
    /* 24 tokens fit: an array of 23 numbers; 24 numbers do not */
    for (int n = 23; n <= 24; n++) {
        size_t len = 0;
        len += (size_t)snprintf(doc + len, sizeof doc - len, "[[");
        for (int i = 0; i < n; i++) {
            len += (size_t)snprintf(doc + len, sizeof doc - len, i ? ",%d" : "%d", i);
        }
        len += (size_t)snprintf(doc + len, sizeof doc - len, "]]");
        memset(&r, 0, sizeof r);
        sg_json_config cfg = make_cfg(&b, &r, &sub, 1);
        assert_int_equal(run_cfg(&cfg, doc, len, 0, 0, NULL),
                         n == 23 ? SG_OK : SG_ERR_JSON_TOO_MANY_TOKENS);
    }
}

/* What a lazy-element callback saw; `read` says whether it reads the elements at all. */
typedef struct lazy_seen {
    bool read;
    int elements;
    size_t text_bytes;
    char last[16];
} lazy_seen;

static sg_status lazy_cb(void *ctx, const sg_json_event *ev)
{
    lazy_seen *s = ctx;
    s->elements++;
    s->text_bytes += ev->text.len; /* the source text is there, read or not */
    if (!s->read) {
        return SG_OK;
    }
    size_t len, count, again;
    sg_status st = sg_json_elem_count(ev->element, &count);
    if (st != SG_OK) {
        return st;
    }
    st = sg_json_elem_get_string(ev->element, 0, "id", s->last, sizeof s->last, &len);
    if (st != SG_OK) {
        return st;
    }
    assert_int_equal(sg_json_elem_count(ev->element, &again), SG_OK); /* indexed once */
    assert_int_equal(again, count);
    return SG_OK;
}

/* Elements are tokenized only when the callback reads them, each into the same buffer. */
static void test_element_lazy(void **state)
{
    (void)state;
    /* the second element needs 9 tokens, one more than the buffer holds */
    const char *doc = "[{\"id\":\"a\"},{\"id\":\"b\",\"x\":[1,2,3,4]},{\"id\":\"c\"}]";
    sg_json_sub sub = {"[]", SG_JSON_SUB_ELEMENT, false};
    char str[32], elem[64];
    sg_json_tok tok[8];
    lazy_seen s;
    sg_json_config cfg = {.subs = &sub,
                          .sub_count = 1,
                          .on_value = lazy_cb,
                          .ctx = &s,
                          .str_buf = str,
                          .str_cap = sizeof str,
                          .elem_buf = elem,
                          .elem_cap = sizeof elem,
                          .tokens = tok,
                          .max_tokens = 8};
    uint8_t untouched[sizeof tok];
    memset(untouched, 0xA5, sizeof untouched);

    /* not read: no tokenizing at all, so the big element is no error either */
    memset(&s, 0, sizeof s);
    memset(tok, 0xA5, sizeof tok);
    assert_int_equal(run_cfg(&cfg, doc, strlen(doc), 0, 0, NULL), SG_OK);
    assert_int_equal(s.elements, 3);
    assert_int_equal(s.text_bytes, strlen(doc) - 4); /* all but "[", "]" and two commas */
    assert_memory_equal(tok, untouched, sizeof tok);

    /* read: each element is indexed on its own; the big one fails and stops the parse */
    memset(&s, 0, sizeof s);
    s.read = true;
    uint64_t off = 0;
    assert_int_equal(run_cfg(&cfg, doc, strlen(doc), 3, 0, &off), SG_ERR_JSON_TOO_MANY_TOKENS);
    assert_int_equal(s.elements, 2);
    assert_string_equal(s.last, "a");
    assert_int_equal(off, strlen("[{\"id\":\"a\"},{\"id\":\"b\",\"x\":[1,2,3,4]")); /* its '}' */
    assert_true(memcmp(tok, untouched, sizeof tok) != 0);

    /* read, with room: every element reads its own tokens, not the previous one's */
    const char *fits = "[{\"x\":[1,2,3],\"id\":\"a\"},{\"id\":\"bb\"}]";
    memset(&s, 0, sizeof s);
    s.read = true;
    assert_int_equal(run_cfg(&cfg, fits, strlen(fits), 1, 0, NULL), SG_OK);
    assert_int_equal(s.elements, 2);
    assert_string_equal(s.last, "bb");
}

static void test_init_checks(void **state)
{
    (void)state;
    bufs b;
    rec r;
    sg_json_reader rd;
    char longpath[SG_JSON_PATH_MAX + 2];
    memset(longpath, 'x', sizeof longpath - 1);
    longpath[sizeof longpath - 1] = '\0';
    sg_json_sub sub = {longpath, SG_JSON_SUB_VALUE, false};
    sg_json_config cfg = make_cfg(&b, &r, &sub, 1);
    assert_int_equal(sg_json_reader_init(&rd, &cfg), SG_ERR_JSON_PATH_TOO_LONG);
    longpath[SG_JSON_PATH_MAX] = '\0';
    assert_int_equal(sg_json_reader_init(&rd, &cfg), SG_OK);

    /* nested captures of one kind cannot share the single buffer/cursor */
    sg_json_sub nested[2] = {{"data.tokens", SG_JSON_SUB_ELEMENT, false},
                             {"data.tokens[]", SG_JSON_SUB_ELEMENT, false}};
    cfg = make_cfg(&b, &r, nested, 2);
    assert_int_equal(sg_json_reader_init(&rd, &cfg), SG_ERR_INVALID_ARG);
    nested[0].mode = nested[1].mode = SG_JSON_SUB_RAW;
    assert_int_equal(sg_json_reader_init(&rd, &cfg), SG_ERR_INVALID_ARG);
    nested[0].path = "data.token"; /* a sibling, not an ancestor */
    assert_int_equal(sg_json_reader_init(&rd, &cfg), SG_OK);

    cfg.str_buf = NULL;
    nested[0].mode = SG_JSON_SUB_VALUE;
    assert_int_equal(sg_json_reader_init(&rd, &cfg), SG_ERR_INVALID_ARG);
    cfg = make_cfg(&b, &r, nested, 2);
    cfg.on_value = NULL;
    assert_int_equal(sg_json_reader_init(&rd, &cfg), SG_ERR_INVALID_ARG);
    cfg = make_cfg(&b, &r, nested, 2);
    nested[0].mode = 7;
    assert_int_equal(sg_json_reader_init(&rd, &cfg), SG_ERR_INVALID_ARG);

    /* SG_JSON_SUBS_MAX (an option) subscriptions fit; one more is refused */
    static sg_json_sub many[SG_JSON_SUBS_MAX + 1];
    static char names[SG_JSON_SUBS_MAX + 1][8];
    for (size_t i = 0; i <= SG_JSON_SUBS_MAX; i++) {
        (void)snprintf(names[i], sizeof names[i], "k%zu", i);
        many[i].path = names[i];
        many[i].mode = SG_JSON_SUB_VALUE;
    }
    cfg = make_cfg(&b, &r, many, SG_JSON_SUBS_MAX);
    assert_int_equal(sg_json_reader_init(&rd, &cfg), SG_OK);
    cfg.sub_count = SG_JSON_SUBS_MAX + 1;
    assert_int_equal(sg_json_reader_init(&rd, &cfg), SG_ERR_INVALID_ARG);
}

static void test_error_offset_and_abort(void **state)
{
    (void)state;
    rec r;
    uint64_t off;
    assert_int_equal(run("{\"a\":[1,2,]}", 12, 1, 0, &r, &off), SG_ERR_JSON_SYNTAX);
    assert_int_equal(off, 10);
    assert_int_equal(run("{\"a\":\"\xc3\x28\"}", 10, 0, 0, &r, &off), SG_ERR_JSON_SYNTAX);
    assert_int_equal(off, 7);

    /* a callback error aborts and is returned as is, stickily */
    bufs b;
    memset(&r, 0, sizeof r);
    r.fail_at = 2;
    sg_json_config cfg = make_cfg(&b, &r, k_subs, sizeof k_subs / sizeof k_subs[0]);
    const char *doc = "{\"a\":[1,2,3]}";
    assert_int_equal(run_cfg(&cfg, doc, strlen(doc), 0, 0, &off), SG_ERR_CANCELLED);
    assert_int_equal(r.events, 2);
}

static void test_http_sink_adapter(void **state)
{
    (void)state;
    bufs b;
    rec r;
    memset(&r, 0, sizeof r);
    sg_json_config cfg = make_cfg(&b, &r, k_subs, sizeof k_subs / sizeof k_subs[0]);
    sg_json_reader rd;
    sg_http_sink sink;
    assert_int_equal(sg_json_reader_init(&rd, &cfg), SG_OK);
    assert_int_equal(sg_json_reader_http_sink(&rd, &sink), SG_OK);
    assert_null(sink.on_status);
    assert_int_equal(sink.on_body(sink.ctx, (const uint8_t *)"{\"a\":", 5), SG_OK);
    assert_int_equal(sink.on_body(sink.ctx, (const uint8_t *)"\"v\"}", 4), SG_OK);
    assert_int_equal(sg_json_reader_finish(&rd), SG_OK);
    assert_string_equal(r.out, "V0:4[] V3:3[v] ");
}

/* ---------------------------------------------------------------- element helpers --- */

typedef struct scopes {
    char all[128];
    size_t n;
} scopes;

static sg_status collect(void *ctx, size_t index, const char *s, size_t len)
{
    scopes *sc = ctx;
    assert_int_equal(index, sc->n);
    assert_int_equal(strlen(s), len);
    sc->n++;
    strcat(sc->all, s);
    strcat(sc->all, ";");
    return SG_OK;
}

static void test_element_helpers(void **state)
{
    (void)state;
    const char *doc = "{\"id\":\"tok_\\u00e9\",\"n\":-42,\"big\":9223372036854775807,"
                      "\"min\":-9223372036854775808,\"over\":9223372036854775808,"
                      "\"f\":1.5,\"e\":1e3,\"yes\":true,\"no\":false,\"nil\":null,"
                      "\"scopes\":[\"a:read\",\"b:\\\"w\\\"\"],\"mixed\":[\"x\",1],"
                      "\"sub\":{\"id\":\"inner\"},\"k\\u0065y\":\"esc\"}";
    sg_json_tok tok[64];
    sg_json_element e;
    assert_int_equal(sg_json_parse(doc, strlen(doc), tok, 64, &e), SG_OK);
    char buf[32];
    size_t len;
    int64_t v;
    bool bv;
    sg_slice raw;
    int t;
    assert_int_equal(sg_json_elem_get_string(&e, 0, "id", buf, sizeof buf, &len), SG_OK);
    assert_string_equal(buf, "tok_\xc3\xa9");
    assert_int_equal(len, 6);
    assert_int_equal(sg_json_elem_get_string(&e, 0, "id", buf, 6, &len), SG_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(sg_json_elem_get_string(&e, 0, "n", buf, sizeof buf, &len), SG_ERR_JSON_TYPE);
    assert_int_equal(sg_json_elem_get_string(&e, 0, "missing", buf, sizeof buf, &len),
                     SG_ERR_NOT_FOUND);
    assert_int_equal(sg_json_elem_get_int64(&e, 0, "n", &v), SG_OK);
    assert_int_equal(v, -42);
    assert_int_equal(sg_json_elem_get_int64(&e, 0, "big", &v), SG_OK);
    assert_true(v == INT64_MAX);
    assert_int_equal(sg_json_elem_get_int64(&e, 0, "min", &v), SG_OK);
    assert_true(v == INT64_MIN);
    assert_int_equal(sg_json_elem_get_int64(&e, 0, "over", &v), SG_ERR_JSON_TYPE);
    assert_int_equal(sg_json_elem_get_int64(&e, 0, "f", &v), SG_ERR_JSON_TYPE);
    assert_int_equal(sg_json_elem_get_int64(&e, 0, "e", &v), SG_ERR_JSON_TYPE);
    assert_int_equal(sg_json_elem_get_int64(&e, 0, "id", &v), SG_ERR_JSON_TYPE);
    /* no other value is a number: literals, containers */
    static const char *const not_numbers[] = {"yes", "no", "nil", "scopes", "sub"};
    for (size_t i = 0; i < sizeof not_numbers / sizeof not_numbers[0]; i++) {
        assert_int_equal(sg_json_elem_get_int64(&e, 0, not_numbers[i], &v), SG_ERR_JSON_TYPE);
    }
    assert_int_equal(sg_json_elem_get_bool(&e, 0, "yes", &bv), SG_OK);
    assert_true(bv);
    assert_int_equal(sg_json_elem_get_bool(&e, 0, "no", &bv), SG_OK);
    assert_false(bv);
    assert_int_equal(sg_json_elem_get_bool(&e, 0, "nil", &bv), SG_ERR_JSON_TYPE);
    assert_int_equal(sg_json_elem_is_null(&e, 0, "nil", &bv), SG_OK);
    assert_true(bv);
    assert_int_equal(sg_json_elem_is_null(&e, 0, "n", &bv), SG_OK);
    assert_false(bv);
    assert_int_equal(sg_json_elem_get_raw(&e, 0, "id", &raw), SG_OK);
    assert_int_equal(raw.len, strlen("\"tok_\\u00e9\""));
    assert_memory_equal(raw.ptr, "\"tok_\\u00e9\"", raw.len);
    assert_int_equal(sg_json_elem_get_raw(&e, 0, "sub", &raw), SG_OK);
    assert_memory_equal(raw.ptr, "{\"id\":\"inner\"}", raw.len);
    /* member lookup does not descend: "id" of sub is not the top "id" */
    assert_int_equal(sg_json_elem_member(&e, 0, "sub", &t), SG_OK);
    assert_int_equal(sg_json_elem_get_string(&e, t, "id", buf, sizeof buf, &len), SG_OK);
    assert_string_equal(buf, "inner");
    assert_int_equal(sg_json_elem_get_string(&e, 0, "key", buf, sizeof buf, &len), SG_OK);
    assert_string_equal(buf, "esc");

    scopes sc;
    memset(&sc, 0, sizeof sc);
    assert_int_equal(sg_json_elem_each_string(&e, 0, "scopes", buf, sizeof buf, collect, &sc),
                     SG_OK);
    assert_string_equal(sc.all, "a:read;b:\"w\";");
    memset(&sc, 0, sizeof sc);
    assert_int_equal(sg_json_elem_each_string(&e, 0, "mixed", buf, sizeof buf, collect, &sc),
                     SG_ERR_JSON_TYPE);
    assert_int_equal(sg_json_elem_each_string(&e, 0, "n", buf, sizeof buf, collect, &sc),
                     SG_ERR_JSON_TYPE);

    size_t size;
    int arr;
    assert_int_equal(sg_json_elem_member(&e, 0, "scopes", &arr), SG_OK);
    assert_int_equal(sg_json_elem_size(&e, arr, &size), SG_OK);
    assert_int_equal(size, 2);
    assert_int_equal(sg_json_elem_item(&e, arr, 1, &t), SG_OK);
    assert_int_equal(sg_json_tok_string(&e, t, buf, sizeof buf, &len), SG_OK);
    assert_string_equal(buf, "b:\"w\"");
    assert_int_equal(sg_json_elem_item(&e, arr, 2, &t), SG_ERR_NOT_FOUND);
    sg_json_type type;
    assert_int_equal(sg_json_elem_type(&e, arr, &type), SG_OK);
    assert_int_equal(type, SG_JSON_ARRAY);
    assert_int_equal(sg_json_elem_member(&e, arr, "x", &t), SG_ERR_JSON_TYPE);
    assert_int_equal(sg_json_elem_member(&e, 999, "x", &t), SG_ERR_INVALID_ARG);

    /* whole-document parse validates strictly first (jsmn alone would accept these) */
    assert_int_equal(sg_json_parse("[01]", 4, tok, 64, &e), SG_ERR_JSON_SYNTAX);
    assert_int_equal(sg_json_parse("{\"a\":\"\\ud800\"}", 14, tok, 64, &e), SG_ERR_JSON_SYNTAX);
    assert_int_equal(sg_json_parse("[1,2,3]", 7, tok, 3, &e), SG_ERR_JSON_TOO_MANY_TOKENS);
    assert_int_equal(sg_json_parse(" 42 ", 4, tok, 64, &e), SG_OK);
    assert_int_equal(sg_json_tok_int64(&e, 0, &v), SG_OK);
    assert_int_equal(v, 42);
}

/* The token index reads strings whole (brackets, commas, colons and escaped quotes inside
   them are text) and a top-level scalar to its last byte. */
static void test_index_of_tricky_text(void **state)
{
    (void)state;
    sg_json_tok tok[32];
    sg_json_element e;
    int t, a, o;
    size_t n;
    char buf[32];
    sg_slice raw;
    const char *doc = "{\"k]\\\"}:\" : [ \"x,]}:\\\\\" , {\"b\":-1.5e3,\"c\":{}} ,true] ,\n"
                      "\"z\":[[],null]}";
    assert_int_equal(sg_json_parse(doc, strlen(doc), tok, 32, &e), SG_OK);
    assert_int_equal(sg_json_elem_count(&e, &n), SG_OK);
    assert_int_equal(n, 14);
    assert_int_equal(sg_json_elem_size(&e, 0, &n), SG_OK);
    assert_int_equal(n, 2);
    assert_int_equal(sg_json_elem_member(&e, 0, "k]\"}:", &a), SG_OK);
    assert_int_equal(sg_json_elem_size(&e, a, &n), SG_OK);
    assert_int_equal(n, 3);
    assert_int_equal(sg_json_elem_item(&e, a, 0, &t), SG_OK);
    assert_int_equal(sg_json_tok_string(&e, t, buf, sizeof buf, &n), SG_OK);
    assert_string_equal(buf, "x,]}:\\");
    assert_int_equal(sg_json_elem_item(&e, a, 1, &o), SG_OK);
    assert_int_equal(sg_json_elem_get_raw(&e, o, "b", &raw), SG_OK);
    assert_int_equal(raw.len, 6);
    assert_memory_equal(raw.ptr, "-1.5e3", 6);
    assert_int_equal(sg_json_elem_member(&e, o, "c", &t), SG_OK);
    assert_int_equal(sg_json_elem_size(&e, t, &n), SG_OK);
    assert_int_equal(n, 0);
    assert_int_equal(sg_json_elem_skip(&e, o, &t), SG_OK);
    bool b = false;
    assert_int_equal(sg_json_tok_bool(&e, t, &b), SG_OK);
    assert_true(b);
    assert_int_equal(sg_json_elem_member(&e, 0, "z", &a), SG_OK);
    assert_int_equal(sg_json_elem_item(&e, a, 1, &t), SG_OK);
    assert_int_equal(sg_json_tok_is_null(&e, t, &b), SG_OK);
    assert_true(b);
    assert_int_equal(sg_json_elem_skip(&e, 0, &t), SG_OK);
    assert_int_equal(t, 14);
    assert_int_equal(sg_json_parse(doc, strlen(doc), tok, 13, &e), SG_ERR_JSON_TOO_MANY_TOKENS);

    /* top-level scalars, with and without whitespace around them */
    assert_int_equal(sg_json_parse(" -0.5", 5, tok, 1, &e), SG_OK);
    assert_int_equal(sg_json_tok_raw(&e, 0, &raw), SG_OK);
    assert_int_equal(raw.len, 4);
    assert_memory_equal(raw.ptr, "-0.5", 4);
    assert_int_equal(sg_json_parse("\t\"a\\\"\" ", 7, tok, 1, &e), SG_OK);
    assert_int_equal(sg_json_tok_string(&e, 0, buf, sizeof buf, &n), SG_OK);
    assert_string_equal(buf, "a\"");
    assert_int_equal(sg_json_parse("false", 5, tok, 1, &e), SG_OK);
    assert_int_equal(sg_json_tok_bool(&e, 0, &b), SG_OK);
    assert_false(b);
}

static void test_unescape(void **state)
{
    (void)state;
    char out[8];
    size_t len;
    assert_int_equal(sg_json_unescape("a\\u00e9\\n", 9, out, sizeof out, &len), SG_OK);
    assert_int_equal(len, 4);
    assert_memory_equal(out, "a\xc3\xa9\n", 5);
    assert_int_equal(sg_json_unescape("\\ud83d\\ude00", 12, out, sizeof out, &len), SG_OK);
    assert_memory_equal(out, "\xf0\x9f\x98\x80", 5);
    assert_int_equal(sg_json_unescape("\\ud83d", 6, out, sizeof out, &len), SG_ERR_JSON_SYNTAX);
    assert_int_equal(sg_json_unescape("\\q", 2, out, sizeof out, &len), SG_ERR_JSON_SYNTAX);
    /* every malformed escape: cut short, a bad digit, surrogates alone or out of order */
    static const char *const malformed[] = {"\\",
                                            "x\\",
                                            "\\u12",
                                            "\\u12g4",
                                            "\\udc00",
                                            "\\ud83d\\u0041",
                                            "\\ud83d\\ud83d",
                                            "\\ud83dx\\ude00",
                                            "\\ud83d\\ude0"};
    for (size_t i = 0; i < sizeof malformed / sizeof malformed[0]; i++) {
        assert_int_equal(
            sg_json_unescape(malformed[i], strlen(malformed[i]), out, sizeof out, &len),
            SG_ERR_JSON_SYNTAX);
    }
    assert_int_equal(sg_json_unescape("\\uFFFF\\/", 8, out, sizeof out, &len), SG_OK);
    assert_int_equal(len, 4);
    assert_memory_equal(out, "\xef\xbf\xbf/", 5);
    /* a failure leaves out terminated and without the prefix (a config token goes here) */
    memset(out, 'Z', sizeof out);
    assert_int_equal(sg_json_unescape("12345678", 8, out, sizeof out, &len),
                     SG_ERR_BUFFER_TOO_SMALL);
    assert_string_equal(out, "");
    assert_null(memchr(out, '1', sizeof out));
    memset(out, 'Z', sizeof out);
    assert_int_equal(sg_json_unescape("ab\\q", 4, out, sizeof out, &len), SG_ERR_JSON_SYNTAX);
    assert_string_equal(out, "");
}

/* ---------------------------------------------------------------- big list --- */

typedef struct big {
    size_t elements;
    size_t max_elem;
    int64_t sum;
    char last_id[32];
    char cursor[32];
} big;

static sg_status big_cb(void *ctx, const sg_json_event *ev)
{
    big *g = ctx;
    if (ev->kind == SG_JSON_EV_VALUE) {
        snprintf(g->cursor, sizeof g->cursor, "%s", ev->text.ptr);
        return SG_OK;
    }
    g->elements++;
    if (ev->element->len > g->max_elem) {
        g->max_elem = ev->element->len;
    }
    int64_t n;
    size_t len;
    sg_status st = sg_json_elem_get_int64(ev->element, 0, "n", &n);
    if (st == SG_OK) {
        g->sum += n;
        st = sg_json_elem_get_string(ev->element, 0, "id", g->last_id, sizeof g->last_id, &len);
    }
    return st;
}

/* Buffers between canaries: the reader must never write past what it was given. */
typedef struct guarded {
    char str[64];
    uint8_t canary1[64];
    char elem[512];
    uint8_t canary2[64];
    sg_json_tok tok[32];
    uint8_t canary3[64];
} guarded;

static void test_five_megabyte_list(void **state)
{
    (void)state;
    const size_t target = 5u * 1024u * 1024u;
    char *doc = malloc(target + 4096);
    assert_non_null(doc);
    size_t len = (size_t)sprintf(doc, "{\"ok\":true,\"data\":{\"tokens\":[");
    size_t count = 0;
    int64_t want_sum = 0;
    while (len < target) {
        len += (size_t)sprintf(doc + len,
                               "%s{\"id\":\"tok_%zu\",\"name\":\"Token \\u00e9 %zu\",\"n\":%zu,"
                               "\"scopes\":[\"tokens:read\",\"chatbots:read\"],"
                               "\"createdAt\":\"2024-01-01T00:00:00Z\",\"revokedAt\":null}",
                               count ? "," : "", count, count, count % 1000);
        want_sum += (int64_t)(count % 1000);
        count++;
    }
    len += (size_t)sprintf(doc + len, "],\"pagination\":{\"nextCursor\":\"end\"}}}");

    static guarded g;
    memset(&g, 0xA5, sizeof g);
    big res;
    memset(&res, 0, sizeof res);
    const sg_json_sub subs[] = {{"data.tokens[]", SG_JSON_SUB_ELEMENT, false},
                                {"data.pagination.nextCursor", SG_JSON_SUB_VALUE, false}};
    sg_json_config cfg = {.subs = subs,
                          .sub_count = 2,
                          .on_value = big_cb,
                          .ctx = &res,
                          .str_buf = g.str,
                          .str_cap = sizeof g.str,
                          .elem_buf = g.elem,
                          .elem_cap = sizeof g.elem,
                          .tokens = g.tok,
                          .max_tokens = 32};
    sg_json_reader rd;
    assert_int_equal(sg_json_reader_init(&rd, &cfg), SG_OK);
    for (size_t i = 0; i < len; i += 4096) {
        assert_int_equal(sg_json_reader_feed(&rd, doc + i, len - i < 4096 ? len - i : 4096), SG_OK);
    }
    assert_int_equal(sg_json_reader_finish(&rd), SG_OK);
    assert_int_equal(res.elements, count);
    assert_true(res.sum == want_sum);
    char want_id[32];
    snprintf(want_id, sizeof want_id, "tok_%zu", count - 1);
    assert_string_equal(res.last_id, want_id);
    assert_string_equal(res.cursor, "end");
    assert_true(res.max_elem <= sizeof g.elem);
    for (size_t i = 0; i < 64; i++) {
        assert_int_equal(g.canary1[i], 0xA5);
        assert_int_equal(g.canary2[i], 0xA5);
        assert_int_equal(g.canary3[i], 0xA5);
    }
    assert_int_equal(sg_json_reader_offset(&rd), len);
    free(doc);
}

static void test_state_size(void **state)
{
    (void)state;
    /* the documented bound: a few hundred bytes of state, whatever the input */
    assert_true(sizeof(sg_json_reader) <= 400);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_corpus),      cmocka_unit_test(test_invalid_corpus),
        cmocka_unit_test(test_every_split),       cmocka_unit_test(test_every_split_at_limits),
        cmocka_unit_test(test_paths_and_types),   cmocka_unit_test(test_envelope_like_paths),
        cmocka_unit_test(test_unicode),           cmocka_unit_test(test_depth),
        cmocka_unit_test(test_string_limit),      cmocka_unit_test(test_string_truncate),
        cmocka_unit_test(test_element_limits),    cmocka_unit_test(test_element_lazy),
        cmocka_unit_test(test_init_checks),       cmocka_unit_test(test_error_offset_and_abort),
        cmocka_unit_test(test_http_sink_adapter), cmocka_unit_test(test_element_helpers),
        cmocka_unit_test(test_unescape),          cmocka_unit_test(test_five_megabyte_list),
        cmocka_unit_test(test_state_size),        cmocka_unit_test(test_index_of_tricky_text),
    };
    return cmocka_run_group_tests_name("json", tests, NULL, NULL);
}
