/*
 * `make bench`: throughput of the HTTP/1.1 response parser (sg_http_parser) on three
 * response shapes the client meets, fed in 4 KB pieces as the client receives them.
 *
 *   bench_http [RUNS]        one line per shape: name, bytes per response, median MB/s
 *                            (CPU time of this thread; the shapes take turns run by run)
 *   bench_http --count SHAPE ITERS
 *                            parse SHAPE ITERS times inside parse_loop() and nothing else
 *                            timed: for `valgrind --tool=callgrind --toggle-collect=parse_loop`,
 *                            which gives instructions per byte
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_clock.h"
#include <sitegpt/sg_http.h>

#define PIECE      4096
#define BODY_BYTES 16384

enum { SH_LENGTH, SH_CHUNKED_SMALL, SH_CHUNKED_LARGE, SH_COUNT };
static const char *const k_shape_names[SH_COUNT] = {"length", "chunked-7", "chunked-4k"};

static char g_resp[SH_COUNT][BODY_BYTES * 2 + 1024];
static size_t g_len[SH_COUNT];
static size_t g_body_seen;

static const char k_head[] = "HTTP/1.1 200 OK\r\n"
                             "Date: Sun, 06 Dec 2026 21:00:00 GMT\r\n"
                             "Server: sitegpt-mock\r\n"
                             "Content-Type: application/json; charset=utf-8\r\n"
                             "Cache-Control: no-store\r\n"
                             "X-Request-Id: req_0123456789abcdef\r\n"
                             "Strict-Transport-Security: max-age=63072000; includeSubDomains\r\n"
                             "Vary: Accept-Encoding, Authorization\r\n";

static sg_status on_body(void *ctx, const uint8_t *data, size_t len)
{
    (void)ctx;
    (void)data;
    g_body_seen += len;
    return SG_OK;
}

static const sg_http_sink k_sink = {NULL, NULL, NULL, on_body};

/* A JSON-looking body of BODY_BYTES, framed as the shape says. */
static void build(int shape)
{
    static const char item[] = "{\"id\":\"tok_0001\",\"name\":\"x\"},";
    static char body[BODY_BYTES];
    for (size_t i = 0; i < sizeof body; i++) {
        body[i] = item[i % (sizeof item - 1)];
    }
    char *out = g_resp[shape];
    size_t n = (size_t)sprintf(out, "%s", k_head);
    if (shape == SH_LENGTH) {
        n += (size_t)sprintf(out + n, "Content-Length: %d\r\n\r\n", BODY_BYTES);
        memcpy(out + n, body, sizeof body);
        n += sizeof body;
    } else {
        size_t chunk = shape == SH_CHUNKED_SMALL ? 7 : 4096;
        n += (size_t)sprintf(out + n, "Transfer-Encoding: chunked\r\n\r\n");
        for (size_t at = 0; at < sizeof body; at += chunk) {
            size_t len = sizeof body - at < chunk ? sizeof body - at : chunk;
            n += (size_t)sprintf(out + n, "%zx\r\n", len);
            memcpy(out + n, body + at, len);
            n += len;
            memcpy(out + n, "\r\n", 2);
            n += 2;
        }
        memcpy(out + n, "0\r\n\r\n", 5);
        n += 5;
    }
    if (n > sizeof g_resp[shape]) {
        abort();
    }
    g_len[shape] = n;
}

/* Parse one whole response in PIECE-byte feeds; aborts on anything but a clean end. */
static void parse_one(int shape)
{
    static uint8_t head[4096];
    sg_http_parser p;
    if (sg_http_parser_init(&p, head, sizeof head, &k_sink, false) != SG_OK) {
        abort();
    }
    const uint8_t *data = (const uint8_t *)g_resp[shape];
    size_t len = g_len[shape], at = 0;
    while (at < len) {
        size_t n = len - at < PIECE ? len - at : PIECE, used = 0;
        if (sg_http_parser_feed(&p, data + at, n, &used) != SG_OK) {
            abort();
        }
        at += used;
        if (sg_http_parser_done(&p)) {
            break;
        }
    }
    if (!sg_http_parser_done(&p) || at != len) {
        abort();
    }
}

/* The only code callgrind counts in --count mode (toggle-collect). */
__attribute__((noinline)) void parse_loop(int shape, long iters);
__attribute__((noinline)) void parse_loop(int shape, long iters)
{
    for (long i = 0; i < iters; i++) {
        parse_one(shape);
    }
}

static int shape_of(const char *name)
{
    for (int s = 0; s < SH_COUNT; s++) {
        if (strcmp(name, k_shape_names[s]) == 0) {
            return s;
        }
    }
    return -1;
}

int main(int argc, char **argv)
{
    for (int s = 0; s < SH_COUNT; s++) {
        build(s);
    }
    if (argc == 4 && strcmp(argv[1], "--count") == 0) {
        int s = shape_of(argv[2]);
        long iters = atol(argv[3]);
        if (s < 0 || iters < 1) {
            fprintf(stderr, "bench_http: unknown shape '%s' or bad count\n", argv[2]);
            return 2;
        }
        parse_loop(s, iters);
        printf("%s\t%zu\t%ld\n", k_shape_names[s], g_len[s], iters);
        return 0;
    }
    int runs = argc > 1 ? atoi(argv[1]) : 5;
    if (runs < 1 || runs > 99) {
        runs = 5;
    }
    /* each timed sample parses about 8 MB, long enough for the thread CPU clock */
    double t[SH_COUNT][99];
    long iters[SH_COUNT];
    for (int s = 0; s < SH_COUNT; s++) {
        iters[s] = (long)(8u << 20) / (long)g_len[s];
        parse_loop(s, iters[s] / 8); /* warm up */
    }
    for (int r = 0; r < runs; r++) {
        for (int s = 0; s < SH_COUNT; s++) {
            double t0 = bench_cpu_s();
            parse_loop(s, iters[s]);
            t[s][r] = bench_cpu_s() - t0;
        }
    }
    for (int s = 0; s < SH_COUNT; s++) {
        double mbps = (double)g_len[s] * (double)iters[s] / bench_median(t[s], runs) / 1e6;
        printf("%s\t%zu\t%.1f\n", k_shape_names[s], g_len[s], mbps);
    }
    if (g_body_seen == 0) {
        return 1;
    }
    return 0;
}
