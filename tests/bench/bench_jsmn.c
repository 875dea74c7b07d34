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

size_t bench_jsmn_token_size(void) { return sizeof(jsmntok_t); }

long bench_jsmn_parse(const char *doc, size_t len, void *tokens, size_t ntok)
{
    jsmn_parser p;
    jsmn_init(&p);
    return jsmn_parse(&p, doc, len, (jsmntok_t *)tokens, (unsigned int)ntok);
}
