/*
 * libFuzzer target (differential): the JSON reader's two scanners, the fast one (runs, for
 * -O2 builds) and the small one (a byte at a time, for -Os builds), must agree on every
 * input, split alike: the same status at the same offset, after the same events (kind,
 * type, subscription, text, flags, raw pieces) in the same order, and the same verdict when
 * a callback fails at the n-th event. The library's reader is whichever scanner this build
 * picks; core/sg_json.c is compiled here a second time with the other one, its public names
 * prefixed bw_ so both link side by side. Any disagreement aborts.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sitegpt/sg_json.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The other scanner than the library's (which follows __OPTIMIZE_SIZE__, as here). */
#if defined(__OPTIMIZE_SIZE__)
#define SG__JSON_BYTEWISE 0
#else
#define SG__JSON_BYTEWISE 1
#endif
#define sg_json_elem_count       bw_json_elem_count
#define sg_json_elem_each_string bw_json_elem_each_string
#define sg_json_elem_get_bool    bw_json_elem_get_bool
#define sg_json_elem_get_int64   bw_json_elem_get_int64
#define sg_json_elem_get_raw     bw_json_elem_get_raw
#define sg_json_elem_get_string  bw_json_elem_get_string
#define sg_json_elem_is_null     bw_json_elem_is_null
#define sg_json_elem_item        bw_json_elem_item
#define sg_json_elem_member      bw_json_elem_member
#define sg_json_elem_size        bw_json_elem_size
#define sg_json_elem_skip        bw_json_elem_skip
#define sg_json_elem_type        bw_json_elem_type
#define sg_json_parse            bw_json_parse
#define sg_json_reader_feed      bw_json_reader_feed
#define sg_json_reader_finish    bw_json_reader_finish
#define sg_json_reader_http_sink bw_json_reader_http_sink
#define sg_json_reader_init      bw_json_reader_init
#define sg_json_tok_bool         bw_json_tok_bool
#define sg_json_tok_int64        bw_json_tok_int64
#define sg_json_tok_is_null      bw_json_tok_is_null
#define sg_json_tok_raw          bw_json_tok_raw
#define sg_json_tok_string       bw_json_tok_string
#define sg_json_unescape         bw_json_unescape
/* sg_json.h was read above under the real names: these copies have no prototypes of their
   own, and only the three reader calls below are used */
#if defined(__GNUC__) || defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-prototypes"
#endif
#include "../../core/sg_json.c"
#if defined(__GNUC__) || defined(__clang__)
#pragma GCC diagnostic pop
#endif
#undef sg_json_reader_feed
#undef sg_json_reader_finish
#undef sg_json_reader_init

/* FNV-1a over everything the callbacks saw, in order. */
typedef struct transcript {
    uint64_t h;
    uint64_t events;
    uint64_t fail_at; /* the callback fails at this event (1-based; 0: never) */
} transcript;

static void mix(transcript *t, const void *p, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++) {
        t->h = (t->h ^ b[i]) * 1099511628211ull;
    }
}

static void mix_u64(transcript *t, uint64_t v)
{
    mix(t, &v, sizeof v);
}

static sg_status on_value(void *ctx, const sg_json_event *ev)
{
    transcript *t = ctx;
    t->events++;
    mix_u64(t, ev->sub);
    mix_u64(t, (uint64_t)ev->kind * 16u + (uint64_t)ev->type);
    mix_u64(t, (uint64_t)(ev->boolean + 2 * ev->truncated + 4 * ev->first + 8 * ev->last));
    mix_u64(t, ev->text.len);
    mix(t, ev->text.ptr, ev->text.len);
    mix(t, ev->path.ptr, ev->path.len);
    if (ev->kind == SG_JSON_EV_ELEMENT && ev->element->json != ev->text.ptr) {
        abort(); /* an element's text is its buffer */
    }
    return t->events == t->fail_at ? SG_ERR_CANCELLED : SG_OK;
}

/* Every kind of subscription, limits small enough to reach: as fuzz_json. */
static const sg_json_sub k_subs[] = {
    {"", SG_JSON_SUB_VALUE, false},
    {"[]", SG_JSON_SUB_ELEMENT, false},
    {"[][]", SG_JSON_SUB_VALUE, true},
    {"a", SG_JSON_SUB_VALUE, false},
    {"a[]", SG_JSON_SUB_VALUE, false},
    {"b", SG_JSON_SUB_ELEMENT, false},
    {"c", SG_JSON_SUB_RAW, false},
    {"[]", SG_JSON_SUB_RAW, false},
    {"data.tokens[]", SG_JSON_SUB_ELEMENT, false},
    {"data.x.y", SG_JSON_SUB_VALUE, true},
};

/* VALUE subscriptions only: what every build supports (the firmware's leaves the others out). */
static const sg_json_sub k_value_subs[] = {
    {"", SG_JSON_SUB_VALUE, true},          {"[]", SG_JSON_SUB_VALUE, false},
    {"a", SG_JSON_SUB_VALUE, false},        {"a.b[][]", SG_JSON_SUB_VALUE, true},
    {"data.x.y", SG_JSON_SUB_VALUE, false},
};

typedef struct outcome {
    sg_status init;
    sg_status st;
    uint64_t offset;
    uint64_t hash;
    uint64_t events;
} outcome;

typedef sg_status (*init_fn)(sg_json_reader *, const sg_json_config *);
typedef sg_status (*feed_fn)(sg_json_reader *, const void *, size_t);
typedef sg_status (*finish_fn)(sg_json_reader *);

/* One reader over data in pieces of `piece` bytes (0: whole), its callback failing at event
   fail_at; subs: 0 none (validation only), 1 VALUE ones, 2 every kind. The depth limit differs
   with subs, so both scanners meet it shallow (6), past a byte of container bits (17) and at
   the default (0: SG_JSON_DEPTH_DEFAULT). */
static void run(init_fn init, feed_fn feed, finish_fn finish, const uint8_t *data, size_t size,
                size_t piece, uint64_t fail_at, int subs, outcome *out)
{
    static char str[24], elem[96];
    static sg_json_tok tok[12];
    static sg_json_reader rd;
    transcript t = {14695981039346656037ull, 0, fail_at};
    memset(out, 0, sizeof *out); /* padding too: outcomes are compared with memcmp */
    sg_json_config cfg = {.subs = subs == 2 ? k_subs : k_value_subs,
                          .sub_count = subs == 0   ? 0
                                       : subs == 1 ? sizeof k_value_subs / sizeof k_value_subs[0]
                                                   : sizeof k_subs / sizeof k_subs[0],
                          .on_value = on_value,
                          .ctx = &t,
                          .str_buf = str,
                          .str_cap = sizeof str,
                          .elem_buf = elem,
                          .elem_cap = sizeof elem,
                          .tokens = tok,
                          .max_tokens = sizeof tok / sizeof tok[0],
                          .max_depth = subs == 2   ? 6u
                                       : subs == 1 ? 17u
                                                   : 0u};
    out->init = init(&rd, &cfg);
    if (out->init != SG_OK) {
        return; /* this build leaves ELEMENT or RAW subscriptions out: both must say so */
    }
    sg_status st = SG_OK;
    for (size_t i = 0; i < size && st == SG_OK;) {
        size_t n = piece == 0 || size - i < piece ? size - i : piece;
        st = feed(&rd, data + i, n);
        i += n;
    }
    if (st == SG_OK) {
        st = finish(&rd);
    }
    out->st = st;
    out->offset = sg_json_reader_offset(&rd);
    out->hash = t.h;
    out->events = t.events;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* the first byte picks the callback failure and the piece size; the rest is the JSON */
    if (size == 0) {
        return 0;
    }
    uint64_t fail_at = data[0] & 7u;
    size_t piece = (size_t)(data[0] >> 3) % 9u; /* 0: whole, 1: a byte at a time, ... */
    data++;
    size--;
    for (int subs = 0; subs < 3; subs++) {
        outcome lib, other;
        run(sg_json_reader_init, sg_json_reader_feed, sg_json_reader_finish, data, size, piece,
            fail_at, subs, &lib);
        run(bw_json_reader_init, bw_json_reader_feed, bw_json_reader_finish, data, size, piece,
            fail_at, subs, &other);
        if (memcmp(&lib, &other, sizeof lib) != 0) {
            abort();
        }
    }
    return 0;
}
