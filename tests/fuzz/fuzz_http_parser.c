/*
 * libFuzzer target for the HTTP response parser. The first byte picks the header buffer
 * size and whether the request was HEAD; the rest is the response. It is parsed whole, in
 * pieces cut at points derived from the input, and one byte at a time: every run must give
 * the same status, headers, body, error and consumed count.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http_feed.h"

typedef struct outcome {
    http_feed_result r;
    uint64_t head_hash; /* status and every header, in order */
    uint64_t body_hash; /* body bytes, whatever the pieces */
    uint64_t body_len;
    unsigned headers;
} outcome;

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++) {
        h = (h ^ b[i]) * 0x100000001b3ull;
    }
    return h;
}

static sg_status on_status(void *ctx, int status)
{
    outcome *o = ctx;
    o->head_hash = fnv(o->head_hash, &status, sizeof(status));
    return SG_OK;
}

static sg_status on_header(void *ctx, sg_slice name, sg_slice value)
{
    outcome *o = ctx;
    /* names are tokens and values trimmed, so the lengths keep fields apart */
    if (name.len == 0 ||
        (value.len > 0 && (value.ptr[0] == ' ' || value.ptr[value.len - 1] == ' '))) {
        abort();
    }
    o->head_hash = fnv(o->head_hash, &name.len, sizeof(name.len));
    o->head_hash = fnv(o->head_hash, name.ptr, name.len);
    o->head_hash = fnv(o->head_hash, &value.len, sizeof(value.len));
    o->head_hash = fnv(o->head_hash, value.ptr, value.len);
    o->headers++;
    return SG_OK;
}

static sg_status on_body(void *ctx, const uint8_t *data, size_t len)
{
    outcome *o = ctx;
    if (len == 0) {
        abort(); /* empty pieces are never delivered */
    }
    o->body_hash = fnv(o->body_hash, data, len);
    o->body_len += len;
    return SG_OK;
}

/* Feed data in pieces ending at cuts[] (ascending, then the end). */
static void run(const uint8_t *data, size_t n, const size_t *cuts, size_t ncuts, size_t bufsize,
                bool head, outcome *o)
{
    memset(o, 0, sizeof(*o));
    o->head_hash = o->body_hash = 0xcbf29ce484222325ull;
    sg_http_sink sink = {o, on_status, on_header, on_body};
    if (!http_feed(data, n, cuts, ncuts, bufsize, head, &sink, &o->r)) {
        abort();
    }
    if (o->r.st == SG_OK && o->r.body_mode == SG_HTTP_BODY_LENGTH &&
        o->body_len != o->r.content_length) {
        abort();
    }
}

static void same(const outcome *a, const outcome *b)
{
    if (a->r.st != b->r.st || a->r.status != b->r.status || a->r.done != b->r.done ||
        a->r.keep_alive != b->r.keep_alive || a->r.body_mode != b->r.body_mode ||
        a->r.consumed != b->r.consumed || a->r.content_length != b->r.content_length ||
        a->head_hash != b->head_hash || a->body_hash != b->body_hash ||
        a->body_len != b->body_len || a->headers != b->headers) {
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static size_t cuts[1 << 16];
    if (size < 1 || size > sizeof(cuts) / sizeof(cuts[0])) {
        return 0;
    }
    size_t bufsize = 16 + (size_t)(data[0] & 0x7f) * 8;
    bool head = (data[0] & 0x80) != 0;
    data++;
    size--;

    outcome whole;
    outcome other;
    run(data, size, NULL, 0, bufsize, head, &whole);

    /* pseudo-random cuts seeded by the input itself */
    uint64_t x = fnv(0xcbf29ce484222325ull, data, size) | 1;
    size_t ncuts = 0;
    for (size_t pos = 0; size > 1;) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        pos += 1 + (size_t)(x % 64);
        if (pos >= size) {
            break;
        }
        cuts[ncuts++] = pos;
    }
    run(data, size, cuts, ncuts, bufsize, head, &other);
    same(&whole, &other);

    for (size_t i = 1; i < size; i++) {
        cuts[i - 1] = i;
    }
    run(data, size, cuts, size > 0 ? size - 1 : 0, bufsize, head, &other);
    same(&whole, &other);
    return 0;
}
