/*
 * The JSON reader's rarer paths, each with the status and offset or bytes it must give:
 * every refusal of sg_json_reader_init, NULL arguments and sticky errors, malformed numbers
 * and surrogates fed whole and a byte at a time, strings cut on a character boundary or
 * overflowing inside one, callbacks failing mid-value, and every element helper's refusals
 * (zeroed elements, tokens out of range, wrong types, 64-bit overflow).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "capture.h"
#include <sitegpt/sg_json.h>

/* ---------------------------------------------------------------- recorder --- */

typedef struct rec {
    char out[1024];
    size_t len;
    int events;
    int fail_at; /* return SG_ERR_CANCELLED from this event (1-based); 0: never */
} rec;

static sg_status rec_cb(void *ctx, const sg_json_event *ev)
{
    rec *r = ctx;
    char head[32];
    r->events++;
    if (r->fail_at == r->events) {
        return SG_ERR_CANCELLED;
    }
    int n = snprintf(head, sizeof head, "%c%zu%s[",
                     ev->kind == SG_JSON_EV_VALUE ? 'V'
                     : ev->kind == SG_JSON_EV_RAW ? 'R'
                                                  : 'E',
                     ev->sub, ev->truncated ? "T" : "");
    assert_true(n > 0 && (size_t)n < sizeof head);
    assert_true(capture_append(r->out, sizeof r->out, &r->len, head, (size_t)n));
    assert_true(capture_append(r->out, sizeof r->out, &r->len, ev->text.ptr, ev->text.len));
    assert_true(capture_append(r->out, sizeof r->out, &r->len, "] ", 2));
    return SG_OK;
}

typedef struct bufs {
    char str[64];
    char elem[128];
    sg_json_tok tok[16];
} bufs;

static sg_json_config make_cfg(bufs *b, rec *r, const sg_json_sub *subs, size_t n)
{
    memset(r, 0, sizeof *r);
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

/* The document whole (chunk 0) or in pieces of `chunk` bytes; the offset of the end/error. */
static sg_status feed_doc(const sg_json_config *cfg, const char *doc, size_t len, size_t chunk,
                          uint64_t *off)
{
    sg_json_reader rd;
    assert_int_equal(sg_json_reader_init(&rd, cfg), SG_OK);
    sg_status st = SG_OK;
    size_t step = chunk ? chunk : len;
    for (size_t i = 0; i < len && st == SG_OK; i += step) {
        st = sg_json_reader_feed(&rd, doc + i, len - i < step ? len - i : step);
    }
    if (st == SG_OK) {
        st = sg_json_reader_finish(&rd);
    }
    *off = sg_json_reader_offset(&rd);
    return st;
}

/* Validation only (no subscriptions): the status and offset must not depend on the split. */
static void expect_syntax_at(const char *doc, uint64_t at)
{
    sg_json_config cfg;
    memset(&cfg, 0, sizeof cfg);
    for (size_t chunk = 0; chunk <= 2; chunk++) {
        uint64_t off = 0;
        sg_status st = feed_doc(&cfg, doc, strlen(doc), chunk, &off);
        if (st != SG_ERR_JSON_SYNTAX || off != at) {
            fail_msg("%s (chunk %zu): status %d at %llu, want syntax at %llu", doc, chunk, st,
                     (unsigned long long)off, (unsigned long long)at);
        }
    }
}

/* ---------------------------------------------------------------- reader --- */

static void test_init_refusals(void **state)
{
    (void)state;
    bufs b;
    rec r;
    sg_json_reader rd;
    sg_json_sub two[2] = {{"a", SG_JSON_SUB_VALUE, false}, {"b", SG_JSON_SUB_VALUE, false}};
    sg_json_config cfg = make_cfg(&b, &r, two, 2);
    assert_int_equal(sg_json_reader_init(NULL, &cfg), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_json_reader_init(&rd, NULL), SG_ERR_INVALID_ARG);
    cfg.subs = NULL;
    assert_int_equal(sg_json_reader_init(&rd, &cfg), SG_ERR_INVALID_ARG);
    cfg = make_cfg(&b, &r, two, 2);
    cfg.max_depth = SG_JSON_DEPTH_MAX + 1;
    assert_int_equal(sg_json_reader_init(&rd, &cfg), SG_ERR_INVALID_ARG);
    cfg.max_depth = SG_JSON_DEPTH_MAX;
    assert_int_equal(sg_json_reader_init(&rd, &cfg), SG_OK);
    two[1].path = NULL;
    assert_int_equal(sg_json_reader_init(&rd, &cfg), SG_ERR_INVALID_ARG);
    two[1].path = "b";
    /* a VALUE needs room for one byte and the NUL */
    cfg.str_cap = 1;
    assert_int_equal(sg_json_reader_init(&rd, &cfg), SG_ERR_INVALID_ARG);
    cfg.str_cap = 2;
    assert_int_equal(sg_json_reader_init(&rd, &cfg), SG_OK);

    /* captures of one kind never nest or repeat: the root holds every path, a path itself */
    static const struct {
        const char *a, *b;
        sg_status want;
    } pairs[] = {
        {"", "a", SG_ERR_INVALID_ARG},
        {"a", "a", SG_ERR_INVALID_ARG},
        {"a", "a.b", SG_ERR_INVALID_ARG},
        {"a.b", "a", SG_ERR_INVALID_ARG},
        {"a", "a[]", SG_ERR_INVALID_ARG},
        {"ab", "a", SG_OK},
        {"a", "ab", SG_OK},
        {"a.b", "a.c", SG_OK},
    };
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
        sg_json_sub raw[2] = {{pairs[i].a, SG_JSON_SUB_RAW, false},
                              {pairs[i].b, SG_JSON_SUB_RAW, false}};
        cfg = make_cfg(&b, &r, raw, 2);
        if (sg_json_reader_init(&rd, &cfg) != pairs[i].want) {
            fail_msg("RAW \"%s\" and \"%s\": want %d", pairs[i].a, pairs[i].b, pairs[i].want);
        }
    }
    /* two VALUE subscriptions may share a path */
    sg_json_sub same[2] = {{"a", SG_JSON_SUB_VALUE, false}, {"a", SG_JSON_SUB_VALUE, false}};
    cfg = make_cfg(&b, &r, same, 2);
    assert_int_equal(sg_json_reader_init(&rd, &cfg), SG_OK);

#if SG_JSON_ELEMENTS
    /* an ELEMENT needs its buffer and its token array, each within INT_MAX */
    sg_json_sub el = {"[]", SG_JSON_SUB_ELEMENT, false};
    for (int k = 0; k < 6; k++) {
        cfg = make_cfg(&b, &r, &el, 1);
        assert_int_equal(sg_json_reader_init(&rd, &cfg), SG_OK);
        switch (k) {
        case 0:
            cfg.elem_buf = NULL;
            break;
        case 1:
            cfg.elem_cap = 0;
            break;
        case 2:
            cfg.elem_cap = (size_t)0x7FFFFFFFu + 1u;
            break;
        case 3:
            cfg.tokens = NULL;
            break;
        case 4:
            cfg.max_tokens = 0;
            break;
        default:
            cfg.max_tokens = (size_t)0x7FFFFFFFu + 1u;
            break;
        }
        assert_int_equal(sg_json_reader_init(&rd, &cfg), SG_ERR_INVALID_ARG);
    }
#endif
}

static void test_feed_finish_arguments(void **state)
{
    (void)state;
    bufs b;
    rec r;
    sg_json_reader rd;
    sg_http_sink sink;
    sg_json_sub root = {"", SG_JSON_SUB_VALUE, false};
    sg_json_config cfg = make_cfg(&b, &r, &root, 1);
    assert_int_equal(sg_json_reader_init(&rd, &cfg), SG_OK);
    assert_int_equal(sg_json_reader_feed(NULL, "1", 1), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_json_reader_feed(&rd, NULL, 1), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_json_reader_feed(&rd, NULL, 0), SG_OK); /* nothing to read */
    assert_int_equal(sg_json_reader_finish(NULL), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_json_reader_http_sink(NULL, &sink), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_json_reader_http_sink(&rd, NULL), SG_ERR_INVALID_ARG);

    /* a top-level number ends with the input: its event comes from finish, and so does a
       callback's refusal of it, which then sticks */
    assert_int_equal(sg_json_reader_feed(&rd, "-12.5e3", 7), SG_OK);
    assert_int_equal(r.events, 0);
    r.fail_at = 1;
    assert_int_equal(sg_json_reader_finish(&rd), SG_ERR_CANCELLED);
    assert_int_equal(sg_json_reader_finish(&rd), SG_ERR_CANCELLED);
    assert_int_equal(sg_json_reader_feed(&rd, " ", 1), SG_ERR_CANCELLED);

    /* a syntax error sticks through finish */
    cfg = make_cfg(&b, &r, &root, 1);
    assert_int_equal(sg_json_reader_init(&rd, &cfg), SG_OK);
    assert_int_equal(sg_json_reader_feed(&rd, "[1,]", 4), SG_ERR_JSON_SYNTAX);
    assert_int_equal(sg_json_reader_finish(&rd), SG_ERR_JSON_SYNTAX);
    assert_int_equal(sg_json_reader_offset(&rd), 3);
}

/* The first VALUE subscription of a path takes the value; a second one is never called. */
static void test_first_value_subscription_wins(void **state)
{
    (void)state;
    bufs b;
    rec r;
    uint64_t off;
    sg_json_sub subs[3] = {{"a", SG_JSON_SUB_VALUE, false},
                           {"a", SG_JSON_SUB_VALUE, true},
                           {"a", SG_JSON_SUB_RAW, false}};
    sg_json_config cfg = make_cfg(&b, &r, subs, 3);
    const char *doc = "{\"a\":\"x\",\"a\":[1]}";
    assert_int_equal(feed_doc(&cfg, doc, strlen(doc), 1, &off), SG_OK);
    assert_string_equal(r.out, "R2[\"] R2[x] V0[x] R2[\"] V0[] R2[[] R2[1] R2[]] ");
}

static void test_malformed_numbers(void **state)
{
    (void)state;
    expect_syntax_at("-a", 1);
    expect_syntax_at("[-a]", 2);
    expect_syntax_at("[1.a]", 3);
    expect_syntax_at("[1ea]", 3);
    expect_syntax_at("[1e+a]", 4);
    expect_syntax_at("[1.5.2]", 4);
    expect_syntax_at("[1e5e2]", 4);
    expect_syntax_at("[1e5.2]", 4);
    expect_syntax_at("[01]", 2);
    expect_syntax_at("{\"a\":-}", 6);
    expect_syntax_at("{\"a\":2.}", 7);
    /* the same through a subscription, which stores the digits */
    bufs b;
    rec r;
    uint64_t off;
    sg_json_sub sub = {"a", SG_JSON_SUB_VALUE, false};
    const char *bad[] = {"{\"a\":-x}", "{\"a\":1.x}", "{\"a\":1Ex}", "{\"a\":1E-x}"};
    const uint64_t at[] = {6, 7, 7, 8};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        for (size_t chunk = 0; chunk <= 1; chunk++) {
            sg_json_config cfg = make_cfg(&b, &r, &sub, 1);
            assert_int_equal(feed_doc(&cfg, bad[i], strlen(bad[i]), chunk, &off),
                             SG_ERR_JSON_SYNTAX);
            assert_int_equal(off, at[i]);
            assert_int_equal(r.events, 0);
        }
    }
    sg_json_config cfg = make_cfg(&b, &r, &sub, 1);
    const char *good = "{\"a\":-0.5E+07}";
    assert_int_equal(feed_doc(&cfg, good, strlen(good), 1, &off), SG_OK);
    assert_string_equal(r.out, "V0[-0.5E+07] ");
}

static void test_malformed_surrogates(void **state)
{
    (void)state;
    expect_syntax_at("\"\\udc00\"", 6);         /* a low surrogate first */
    expect_syntax_at("\"\\ud83dx\"", 7);        /* a high one without its escape */
    expect_syntax_at("\"\\ud83d\\n\"", 8);      /* ... or with another escape */
    expect_syntax_at("\"\\ud83d\\u0041\"", 12); /* ... or with no low one after it */
    expect_syntax_at("\"\\ud83d\\ue000\"", 12); /* ... or a character above the low range */
    expect_syntax_at("\"\\u00g0\"", 5);
    /* above the surrogates: an ordinary character, stored as UTF-8 */
    bufs b;
    rec r;
    uint64_t off;
    sg_json_sub sub = {"", SG_JSON_SUB_VALUE, false};
    sg_json_config cfg = make_cfg(&b, &r, &sub, 1);
    const char *doc = "\"\\ue000\\uffff\"";
    assert_int_equal(feed_doc(&cfg, doc, strlen(doc), 1, &off), SG_OK);
    assert_string_equal(r.out, "V0[\xee\x80\x80\xef\xbf\xbf] ");
}

/* 63 bytes fit the 64-byte buffer: where a character would cross that line. */
static void test_strings_at_the_buffer_end(void **state)
{
    (void)state;
    bufs b;
    rec r;
    uint64_t off;
    char doc[128], want[128];
    static const struct {
        int ascii;       /* bytes before the character */
        const char *chr; /* the character, then "tail" */
        int kept;        /* bytes a truncating subscription keeps */
    } cases[] = {
        {62, "\xc3\xa9", 62},         /* 2-byte character cut after its lead */
        {61, "\xc3\xa9", 63},         /* fits exactly */
        {61, "\xe2\x82\xac", 61},     /* 3-byte, cut after two */
        {60, "\xf0\x9f\x98\x80", 60}, /* 4-byte, cut after three */
        {62, "z", 63},                /* ASCII: cut between characters */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        snprintf(doc, sizeof doc, "{\"a\":\"%0*d%stail\"}", cases[i].ascii, 0, cases[i].chr);
        for (size_t chunk = 0; chunk <= 1; chunk++) {
            sg_json_sub cut = {"a", SG_JSON_SUB_VALUE, true};
            sg_json_config cfg = make_cfg(&b, &r, &cut, 1);
            assert_int_equal(feed_doc(&cfg, doc, strlen(doc), chunk, &off), SG_OK);
            snprintf(want, sizeof want, "V0T[%.*s] ", cases[i].kept, doc + 6);
            assert_string_equal(r.out, want);
            /* without truncation: too long, at the first byte that did not fit */
            sg_json_sub whole = {"a", SG_JSON_SUB_VALUE, false};
            cfg = make_cfg(&b, &r, &whole, 1);
            assert_int_equal(feed_doc(&cfg, doc, strlen(doc), chunk, &off),
                             SG_ERR_JSON_STRING_TOO_LONG);
            assert_int_equal(off, 6 + 63);
            assert_int_equal(r.events, 0);
        }
    }
}

/* A buffer smaller than one character: a truncating subscription keeps nothing of it. */
static void test_truncation_in_a_tiny_buffer(void **state)
{
    (void)state;
    rec r;
    uint64_t off;
    char str[3];
    sg_json_sub cut = {"", SG_JSON_SUB_VALUE, true};
    sg_json_config cfg = {.subs = &cut,
                          .sub_count = 1,
                          .on_value = rec_cb,
                          .ctx = &r,
                          .str_buf = str,
                          .str_cap = sizeof str};
    static const struct {
        const char *doc, *want;
    } cases[] = {
        {"\"\xe2\x82\xac\"", "V0T[] "}, /* 3 bytes into a room of 2 */
        {"\"\xc3\xa9x\"", "V0T[\xc3\xa9] "},
        {"\"a\xc3\xa9\"", "V0T[a] "},
        {"\"ab\"", "V0[ab] "},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        for (size_t chunk = 0; chunk <= 1; chunk++) {
            memset(&r, 0, sizeof r);
            assert_int_equal(feed_doc(&cfg, cases[i].doc, strlen(cases[i].doc), chunk, &off),
                             SG_OK);
            assert_string_equal(r.out, cases[i].want);
        }
    }
}

/* A callback refusing a raw piece that the chunk's end delivers stops the feed there. */
static void test_raw_piece_refused_at_chunk_end(void **state)
{
    (void)state;
    bufs b;
    rec r;
    sg_json_reader rd;
    sg_json_sub raw = {"c", SG_JSON_SUB_RAW, false};
    sg_json_config cfg = make_cfg(&b, &r, &raw, 1);
    r.fail_at = 1;
    assert_int_equal(sg_json_reader_init(&rd, &cfg), SG_OK);
    assert_int_equal(sg_json_reader_feed(&rd, "{\"c\":[1,", 8), SG_ERR_CANCELLED);
    assert_int_equal(sg_json_reader_offset(&rd), 8);
    assert_int_equal(sg_json_reader_feed(&rd, "2]}", 3), SG_ERR_CANCELLED);
}

/* Paths as long as the longest subscription, and keys that make them longer. */
static void test_paths_at_the_longest_subscription(void **state)
{
    (void)state;
    bufs b;
    rec r;
    uint64_t off;
    sg_json_sub subs[2] = {{"ab", SG_JSON_SUB_VALUE, false}, {"ab[]", SG_JSON_SUB_VALUE, false}};
    sg_json_config cfg = make_cfg(&b, &r, subs, 2);
    const char *doc = "{\"ab\":{\"c\":1},\"abc\":2,\"ab\":[3,[4]],\"x\":{\"ab\":5}}";
    for (size_t chunk = 0; chunk <= 1; chunk++) {
        cfg = make_cfg(&b, &r, subs, 2);
        assert_int_equal(feed_doc(&cfg, doc, strlen(doc), chunk, &off), SG_OK);
        assert_string_equal(r.out, "V0[] V0[] V1[3] V1[] ");
    }
    sg_json_sub one = {"o", SG_JSON_SUB_VALUE, false};
    const char *nested = "{\"o\":{\"k\":{\"o\":1}},\"o\":7}";
    cfg = make_cfg(&b, &r, &one, 1);
    assert_int_equal(feed_doc(&cfg, nested, strlen(nested), 1, &off), SG_OK);
    assert_string_equal(r.out, "V0[] V0[7] ");
}

/* ---------------------------------------------------------------- whole-buffer parse --- */

static void test_parse_arguments_and_scalars(void **state)
{
    (void)state;
    sg_json_tok tok[4];
    sg_json_element e;
    assert_int_equal(sg_json_parse(NULL, 0, tok, 4, &e), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_json_parse("1", 1, NULL, 4, &e), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_json_parse("1", 1, tok, 0, &e), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_json_parse("1", 1, tok, 4, NULL), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_json_parse("1", (size_t)0x7FFFFFFFu + 1u, tok, 4, &e), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_json_parse("1", 1, tok, (size_t)0x7FFFFFFFu + 1u, &e), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_json_parse("", 0, tok, 4, &e), SG_ERR_JSON_SYNTAX);
    /* a bare scalar amid whitespace is one token, without the whitespace */
    static const char *const docs[] = {" \t42\r\n", " \n42", "42", "42 "};
    for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++) {
        int64_t v = 0;
        sg_slice raw;
        assert_int_equal(sg_json_parse(docs[i], strlen(docs[i]), tok, 4, &e), SG_OK);
        assert_int_equal(sg_json_tok_int64(&e, 0, &v), SG_OK);
        assert_int_equal(v, 42);
        assert_int_equal(sg_json_tok_raw(&e, 0, &raw), SG_OK);
        assert_int_equal(raw.len, 2);
        assert_memory_equal(raw.ptr, "42", 2);
    }
    bool t = false;
    assert_int_equal(sg_json_parse(" true", 5, tok, 4, &e), SG_OK);
    assert_int_equal(sg_json_tok_bool(&e, 0, &t), SG_OK);
    assert_true(t);
}

static void test_unescape_refusals(void **state)
{
    (void)state;
    char out[8];
    size_t len = 99;
    assert_int_equal(sg_json_unescape(NULL, 1, out, sizeof out, &len), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_json_unescape("a", 1, NULL, sizeof out, &len), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_json_unescape("a", 1, out, 0, &len), SG_ERR_INVALID_ARG);
    assert_int_equal(len, 99);
    assert_int_equal(sg_json_unescape(NULL, 0, out, sizeof out, NULL), SG_OK);
    assert_string_equal(out, "");
    assert_int_equal(sg_json_unescape("a\\/", 3, out, sizeof out, NULL), SG_OK);
    assert_string_equal(out, "a/");
    /* above the surrogates, and just below them */
    assert_int_equal(sg_json_unescape("\\ue000\\ud7ff", 12, out, sizeof out, &len), SG_OK);
    assert_int_equal(len, 6);
    assert_memory_equal(out, "\xee\x80\x80\xed\x9f\xbf", 7);
    static const char *const bad[] = {
        "\\",             /* an escape cut at the end */
        "\\u00zz",        /* not hex */
        "\\udc00",        /* a low surrogate first */
        "\\ud83d",        /* a high one at the end */
        "\\ud83dxxxxxx",  /* ... followed by text */
        "\\ud83d\\nxxxx", /* ... by another escape */
        "\\ud83d\\u0041", /* ... by a character that is not a low surrogate */
        "\\ud83d\\ue000", /* ... by one above the low range */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        memset(out, 'Z', sizeof out);
        if (sg_json_unescape(bad[i], strlen(bad[i]), out, sizeof out, NULL) != SG_ERR_JSON_SYNTAX) {
            fail_msg("%s: not refused", bad[i]);
        }
        assert_string_equal(out, "");
    }
}

/* ---------------------------------------------------------------- element helpers --- */

static sg_status count_strings(void *ctx, size_t index, const char *s, size_t len)
{
    (void)index;
    (void)s;
    (void)len;
    (*(int *)ctx)++;
    return SG_OK;
}

/* A zeroed element (no document) and NULL outputs: refused by every helper. */
static void test_helpers_refuse_bad_arguments(void **state)
{
    (void)state;
    sg_json_element zero;
    memset(&zero, 0, sizeof zero);
    char buf[8];
    size_t n = 5;
    int t = 0;
    int64_t v;
    bool flag;
    sg_json_type type;
    sg_slice raw;
    int calls = 0;
    assert_int_equal(sg_json_elem_count(&zero, &n), SG_OK);
    assert_int_equal(n, 0);
    assert_int_equal(sg_json_elem_count(NULL, &n), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_json_elem_count(&zero, NULL), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_json_elem_skip(&zero, 0, &t), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_json_elem_skip(NULL, 0, &t), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_json_elem_member(&zero, 0, "k", &t), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_json_elem_item(&zero, 0, 0, &t), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_json_elem_size(&zero, 0, &n), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_json_elem_type(&zero, 0, &type), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_json_tok_string(&zero, 0, buf, sizeof buf, &n), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_json_tok_int64(&zero, 0, &v), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_json_tok_bool(&zero, 0, &flag), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_json_tok_is_null(&zero, 0, &flag), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_json_tok_raw(&zero, 0, &raw), SG_ERR_INVALID_ARG);
    assert_int_equal(
        sg_json_elem_each_string(&zero, 0, "k", buf, sizeof buf, count_strings, &calls),
        SG_ERR_INVALID_ARG);

    sg_json_tok tok[8];
    sg_json_element e;
    const char *doc = "{\"k\":[\"a\"]}";
    assert_int_equal(sg_json_parse(doc, strlen(doc), tok, 8, &e), SG_OK);
    assert_int_equal(sg_json_elem_skip(&e, 0, NULL), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_json_elem_member(&e, 0, NULL, &t), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_json_elem_member(&e, 0, "k", NULL), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_json_elem_item(&e, 2, 0, NULL), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_json_elem_size(&e, 0, NULL), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_json_elem_type(&e, 0, NULL), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_json_tok_string(&e, 3, NULL, 1, &n), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_json_tok_string(&e, 3, buf, 0, &n), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_json_tok_int64(&e, 0, NULL), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_json_tok_bool(&e, 0, NULL), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_json_tok_is_null(&e, 0, NULL), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_json_tok_raw(&e, 0, NULL), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_json_elem_each_string(&e, 0, "k", buf, sizeof buf, NULL, NULL),
                     SG_ERR_INVALID_ARG);
    assert_int_equal(sg_json_elem_each_string(&e, 0, "k", buf, sizeof buf, count_strings, &calls),
                     SG_OK);
    assert_int_equal(calls, 1);

    /* tokens out of range, on either side */
    static const int outside[] = {-1, 4, 1000};
    for (size_t i = 0; i < sizeof outside / sizeof outside[0]; i++) {
        int k = outside[i];
        assert_int_equal(sg_json_elem_skip(&e, k, &t), SG_ERR_INVALID_ARG);
        assert_int_equal(sg_json_elem_member(&e, k, "k", &t), SG_ERR_INVALID_ARG);
        assert_int_equal(sg_json_elem_item(&e, k, 0, &t), SG_ERR_INVALID_ARG);
        assert_int_equal(sg_json_elem_size(&e, k, &n), SG_ERR_INVALID_ARG);
        assert_int_equal(sg_json_elem_type(&e, k, &type), SG_ERR_INVALID_ARG);
        assert_int_equal(sg_json_tok_string(&e, k, buf, sizeof buf, &n), SG_ERR_INVALID_ARG);
        assert_int_equal(sg_json_tok_int64(&e, k, &v), SG_ERR_INVALID_ARG);
        assert_int_equal(sg_json_tok_bool(&e, k, &flag), SG_ERR_INVALID_ARG);
        assert_int_equal(sg_json_tok_is_null(&e, k, &flag), SG_ERR_INVALID_ARG);
        assert_int_equal(sg_json_tok_raw(&e, k, &raw), SG_ERR_INVALID_ARG);
    }
}

static void test_helpers_on_awkward_documents(void **state)
{
    (void)state;
    sg_json_tok tok[16];
    sg_json_element e;
    int t = -1;
    size_t n = 0;
    int64_t v = 0;
    bool flag = false;
    const char *doc = "{\"big\":9223372036854775808,\"small\":-9223372036854775809,"
                      "\"min\":-9223372036854775808,\"s\":\"x\",\"ab\\u0063\":1,\"a\":[]}";
    assert_int_equal(sg_json_parse(doc, strlen(doc), tok, 16, &e), SG_OK);
    /* one past each end of int64 */
    assert_int_equal(sg_json_elem_get_int64(&e, 0, "big", &v), SG_ERR_JSON_TYPE);
    assert_int_equal(sg_json_elem_get_int64(&e, 0, "small", &v), SG_ERR_JSON_TYPE);
    assert_int_equal(sg_json_elem_get_int64(&e, 0, "min", &v), SG_OK);
    assert_true(v == INT64_MIN);
    /* an escaped key longer than the one asked for, and one shorter */
    assert_int_equal(sg_json_elem_member(&e, 0, "ab", &t), SG_ERR_NOT_FOUND);
    assert_int_equal(sg_json_elem_member(&e, 0, "abcd", &t), SG_ERR_NOT_FOUND);
    assert_int_equal(sg_json_elem_member(&e, 0, "abc", &t), SG_OK);
    /* sizes only of containers; items only of arrays, within their size */
    assert_int_equal(sg_json_elem_member(&e, 0, "s", &t), SG_OK);
    assert_int_equal(sg_json_elem_size(&e, t, &n), SG_ERR_JSON_TYPE);
    assert_int_equal(sg_json_elem_size(&e, 0, &n), SG_OK);
    assert_int_equal(n, 6);
    assert_int_equal(sg_json_elem_member(&e, 0, "a", &t), SG_OK);
    assert_int_equal(sg_json_elem_item(&e, t, 0, &t), SG_ERR_NOT_FOUND);
    /* a missing member, through every getter */
    assert_int_equal(sg_json_elem_is_null(&e, 0, "none", &flag), SG_ERR_NOT_FOUND);
    assert_int_equal(sg_json_elem_get_bool(&e, 0, "none", &flag), SG_ERR_NOT_FOUND);
    /* each_string over a member that is not an array */
    char buf[8];
    int calls = 0;
    assert_int_equal(sg_json_elem_each_string(&e, 0, "s", buf, sizeof buf, count_strings, &calls),
                     SG_ERR_JSON_TYPE);
    assert_int_equal(calls, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_init_refusals),
        cmocka_unit_test(test_feed_finish_arguments),
        cmocka_unit_test(test_first_value_subscription_wins),
        cmocka_unit_test(test_malformed_numbers),
        cmocka_unit_test(test_malformed_surrogates),
        cmocka_unit_test(test_strings_at_the_buffer_end),
        cmocka_unit_test(test_truncation_in_a_tiny_buffer),
        cmocka_unit_test(test_raw_piece_refused_at_chunk_end),
        cmocka_unit_test(test_paths_at_the_longest_subscription),
        cmocka_unit_test(test_parse_arguments_and_scalars),
        cmocka_unit_test(test_unescape_refusals),
        cmocka_unit_test(test_helpers_refuse_bad_arguments),
        cmocka_unit_test(test_helpers_on_awkward_documents),
    };
    return cmocka_run_group_tests_name("json_edges", tests, NULL, NULL);
}
