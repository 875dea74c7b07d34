/*
 * libFuzzer target: the streaming JSON reader (and the envelope on top of it) must give the
 * same status, error offset and events whether the input arrives whole, one byte at a time
 * or in random pieces derived from the input. Any disagreement aborts.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sitegpt/sg_envelope.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* FNV-1a over everything the callbacks saw; raw pieces hash as one stream. */
typedef struct hasher {
    uint64_t h;
    uint64_t events;
    uint64_t raw; /* hash of the raw capture in progress */
} hasher;

static void mix(hasher *hs, const void *p, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++) {
        hs->h ^= b[i];
        hs->h *= 1099511628211ull;
    }
}

static void mix_u64(hasher *hs, uint64_t v)
{
    mix(hs, &v, sizeof v);
}

static sg_status collect_string(void *ctx, size_t index, const char *s, size_t len)
{
    hasher *hs = ctx;
    mix_u64(hs, index);
    mix(hs, s, len);
    return SG_OK;
}

/*
 * Run the helpers over an element so they are fuzzed too; their results join the hash.
 * Returns what indexing it returned (too many tokens), as a callback would pass it on.
 */
static sg_status hash_element(hasher *hs, const sg_json_element *e)
{
    char buf[64];
    size_t len = 0;
    int64_t v = 0;
    bool b = false;
    sg_slice raw = {NULL, 0};
    static const char *const keys[] = {"id", "n", "scopes", "a", "k", ""};
    mix(hs, e->json, e->len);
    size_t count = 0;
    sg_status cs = sg_json_elem_count(e, &count); /* tokenizes a reader's element */
    mix_u64(hs, (uint64_t)cs + count);
    for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
        sg_status st = sg_json_elem_get_string(e, 0, keys[k], buf, sizeof buf, &len);
        mix_u64(hs, (uint64_t)st);
        if (st == SG_OK) {
            mix(hs, buf, len);
        }
        st = sg_json_elem_get_int64(e, 0, keys[k], &v);
        mix_u64(hs, (uint64_t)st);
        if (st == SG_OK) {
            mix_u64(hs, (uint64_t)v);
        }
        st = sg_json_elem_get_bool(e, 0, keys[k], &b);
        mix_u64(hs, (uint64_t)st + b);
        st = sg_json_elem_get_raw(e, 0, keys[k], &raw);
        mix_u64(hs, (uint64_t)st);
        if (st == SG_OK) {
            mix(hs, raw.ptr, raw.len);
        }
        st = sg_json_elem_each_string(e, 0, keys[k], buf, sizeof buf, collect_string, hs);
        mix_u64(hs, (uint64_t)st);
    }
    for (size_t i = 0; i < 3; i++) {
        int t = -1;
        sg_status st = sg_json_elem_item(e, 0, i, &t);
        mix_u64(hs, (uint64_t)st);
        if (st == SG_OK) {
            st = sg_json_tok_string(e, t, buf, sizeof buf, &len);
            mix_u64(hs, (uint64_t)st);
            if (st == SG_OK) {
                mix(hs, buf, len);
            }
        }
    }
    return cs;
}

static sg_status on_value(void *ctx, const sg_json_event *ev)
{
    hasher *hs = ctx;
    hs->events++;
    if (ev->kind == SG_JSON_EV_RAW) {
        /*
         * Pieces depend on the split and may come before other events of the same bytes:
         * only their concatenation counts, joined to the main hash at the last piece.
         */
        if (ev->first) {
            hs->raw = 14695981039346656037ull;
        }
        hasher r = {hs->raw, 0, 0};
        mix(&r, ev->text.ptr, ev->text.len);
        hs->raw = r.h;
        if (!ev->last) {
            hs->events--;
            return SG_OK;
        }
        mix_u64(hs, ev->sub);
        mix_u64(hs, (uint64_t)ev->type);
        mix_u64(hs, hs->raw);
        return SG_OK;
    }
    mix_u64(hs, ev->sub);
    mix_u64(hs, (uint64_t)ev->kind * 16 + (uint64_t)ev->type);
    mix_u64(hs, (uint64_t)ev->boolean + 2u * ev->truncated);
    mix(hs, ev->text.ptr, ev->text.len);
    mix(hs, ev->path.ptr, ev->path.len);
    return ev->element != NULL ? hash_element(hs, ev->element) : SG_OK;
}

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

/* Envelope-side subscriptions (only under data, the envelope owns the rest). */
static const sg_json_sub k_env_subs[] = {
    {"data.tokens[]", SG_JSON_SUB_ELEMENT, false},
    {"data.pagination.nextCursor", SG_JSON_SUB_VALUE, false},
    {"data", SG_JSON_SUB_RAW, false},
};

typedef struct outcome {
    sg_status st;
    uint64_t offset;
    uint64_t hash;
    uint64_t events;
    sg_status env_st;
    sg_status env_verdict;
    uint64_t env_hash;
} outcome;

/* Piece sizes: 0 -> whole, 1 -> bytewise, else a generator seeded from the input. */
static size_t next_piece(uint64_t *rng, size_t mode, size_t left)
{
    if (mode == 0) {
        return left;
    }
    if (mode == 1) {
        return 1;
    }
    *rng = *rng * 6364136223846793005ull + 1442695040888963407ull;
    size_t n = (size_t)(*rng >> 33) % (mode == 2 ? 8 : 97) + 1;
    return n < left ? n : left;
}

static void run(const uint8_t *data, size_t size, size_t mode, uint64_t seed, outcome *out)
{
    /* small buffers so every limit is reachable */
    static char str[48], elem[192];
    static sg_json_tok tok[20];
    static sg_json_reader rd;
    static sg_envelope env;
    static char details[40];
    hasher hs = {14695981039346656037ull, 0, 0};
    memset(out, 0, sizeof *out); /* padding too: outcomes are compared with memcmp */
    sg_json_config cfg = {.subs = k_subs,
                          .sub_count = sizeof k_subs / sizeof k_subs[0],
                          .on_value = on_value,
                          .ctx = &hs,
                          .str_buf = str,
                          .str_cap = sizeof str,
                          .elem_buf = elem,
                          .elem_cap = sizeof elem,
                          .tokens = tok,
                          .max_tokens = sizeof tok / sizeof tok[0],
                          .max_depth = 12};
    if (sg_json_reader_init(&rd, &cfg) != SG_OK) {
        abort();
    }
    uint64_t rng = seed;
    sg_status st = SG_OK;
    for (size_t i = 0; i < size && st == SG_OK;) {
        size_t n = next_piece(&rng, mode, size - i);
        st = sg_json_reader_feed(&rd, data + i, n);
        i += n;
    }
    if (st == SG_OK) {
        st = sg_json_reader_finish(&rd);
    }
    out->st = st;
    out->offset = sg_json_reader_offset(&rd);
    out->hash = hs.h;
    out->events = hs.events;

    /* the envelope with an error status (swallows JSON errors) */
    hasher eh = {14695981039346656037ull, 0, 0};
    cfg.subs = k_env_subs;
    cfg.sub_count = sizeof k_env_subs / sizeof k_env_subs[0];
    cfg.ctx = &eh;
#if !SG_ENVELOPE_OWN_STR
    /* the firmware's options (the unit suite's replay): the envelope keeps its strings in
       the caller's room, which must hold a whole message */
    static char env_str[SG_ENVELOPE_MESSAGE_MAX];
    cfg.str_buf = env_str;
    cfg.str_cap = sizeof env_str;
#endif
    if (sg_envelope_init(&env, &cfg, details, sizeof details) != SG_OK) {
        abort();
    }
    st = sg_envelope_set_http_status(&env, (seed & 1) ? 200 : 401);
    rng = seed;
    for (size_t i = 0; i < size && st == SG_OK;) {
        size_t n = next_piece(&rng, mode, size - i);
        st = sg_envelope_feed(&env, data + i, n);
        i += n;
    }
    if (st == SG_OK) {
        st = sg_envelope_finish(&env);
    }
    out->env_st = st;
    out->env_verdict = st == SG_OK ? sg_envelope_status(&env) : SG_OK;
    if (st == SG_OK) {
        mix(&eh, env.code, strlen(env.code));
        mix(&eh, env.message, strlen(env.message));
        mix(&eh, env.hint, strlen(env.hint));
        mix(&eh, env.request_id, strlen(env.request_id));
        mix(&eh, env.details, env.details_len);
        mix_u64(&eh, (uint64_t)env.has_ok + 2u * env.ok + 4u * env.is_json +
                         8u * env.message_truncated + 16u * env.hint_truncated +
                         32u * env.details_truncated);
    }
    out->env_hash = eh.h;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint64_t seed = 1469598103934665603ull;
    for (size_t i = 0; i < size; i++) {
        seed = (seed ^ data[i]) * 1099511628211ull;
    }
    outcome whole, other;
    run(data, size, 0, seed, &whole);
    for (size_t mode = 1; mode <= 3; mode++) {
        run(data, size, mode, seed, &other);
        if (memcmp(&whole, &other, sizeof whole) != 0) {
            abort();
        }
    }

    /* the whole-buffer validator agrees with the streaming one on syntax */
    static sg_json_tok toks[256];
    sg_json_element e;
    sg_status ps = sg_json_parse((const char *)data, size, toks, 256, &e);
    static sg_json_reader plain;
    sg_json_config none;
    memset(&none, 0, sizeof none);
    if (sg_json_reader_init(&plain, &none) != SG_OK) {
        abort();
    }
    sg_status vs = sg_json_reader_feed(&plain, data, size);
    if (vs == SG_OK) {
        vs = sg_json_reader_finish(&plain);
    }
    if (ps != vs && !(vs == SG_OK && ps == SG_ERR_JSON_TOO_MANY_TOKENS)) {
        abort();
    }
    if (ps == SG_OK) {
        hasher hs = {0, 0, 0};
        (void)hash_element(&hs, &e);
    }

    /* a top-level string survives unescape -> writer -> reader unchanged */
    sg_json_type top = SG_JSON_NULL;
    if (ps == SG_OK && sg_json_elem_type(&e, 0, &top) == SG_OK && top == SG_JSON_STRING) {
        /* the writer may spell each byte as \u00XX (DEL, controls): six bytes for one */
        static char s1[4096], s2[4096], wbuf[6 * sizeof s1 + 2];
        size_t l1 = 0, l2 = 0, wlen = 0;
        if (sg_json_tok_string(&e, 0, s1, sizeof s1, &l1) != SG_OK) {
            return 0; /* too long */
        }
        sg_json_writer w;
        if (sg_json_writer_init(&w, wbuf, sizeof wbuf) != SG_OK) {
            abort();
        }
        (void)sg_json_write_string_n(&w, s1, l1);
        if (sg_json_writer_finish(&w, &wlen) != SG_OK) {
            abort();
        }
        sg_json_element back;
        if (sg_json_parse(wbuf, wlen, toks, 4, &back) != SG_OK) {
            abort();
        }
        if (sg_json_tok_string(&back, 0, s2, sizeof s2, &l2) != SG_OK) {
            abort();
        }
        if (l1 != l2 || memcmp(s1, s2, l1) != 0) {
            abort();
        }
    }
    return 0;
}
