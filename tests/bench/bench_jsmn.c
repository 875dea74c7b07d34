/* jsmn on a whole in-memory document: the reference of `make bench`. Own TU, own jsmn copy. */
#define JSMN_STATIC
#define JSMN_STRICT
#define JSMN_PARENT_LINKS
#pragma GCC diagnostic push /* third-party code, not held to our warning set */
#pragma GCC diagnostic ignored "-Wconversion"
#pragma GCC diagnostic ignored "-Wsign-conversion"
#include <jsmn.h>
#pragma GCC diagnostic pop

#include "bench.h"

long bench_jsmn_count(const char *doc, size_t len)
{
    jsmn_parser p;
    jsmn_init(&p);
    return jsmn_parse(&p, doc, len, NULL, 0);
}

size_t bench_jsmn_token_size(void)
{
    return sizeof(jsmntok_t);
}

long bench_jsmn_parse(const char *doc, size_t len, void *tokens, size_t ntok)
{
    jsmn_parser p;
    jsmn_init(&p);
    return jsmn_parse(&p, doc, len, (jsmntok_t *)tokens, (unsigned int)ntok);
}

size_t bench_jsmn_items(const void *tokens, long ntok, size_t *start, size_t *end, size_t cap)
{
    const jsmntok_t *t = tokens;
    long arr = 0;
    while (arr < ntok && t[arr].type != JSMN_ARRAY) {
        arr++;
    }
    size_t n = 0;
    for (long i = arr + 1; i < ntok && n < cap && t[i].start < t[arr].end; i++) {
        if (t[i].parent != arr) {
            continue;
        }
        start[n] = (size_t)t[i].start;
        end[n++] = (size_t)t[i].end;
    }
    return n;
}

long bench_jsmn_each(const char *doc, const size_t *start, const size_t *end, size_t n,
                     void *tokens, size_t ntok)
{
    long total = 0;
    for (size_t i = 0; i < n; i++) {
        long got = bench_jsmn_parse(doc + start[i], end[i] - start[i], tokens, ntok);
        if (got < 0) {
            return got;
        }
        total += got;
    }
    return total;
}
