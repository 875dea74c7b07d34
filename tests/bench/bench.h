/* Shared declarations of the JSON benchmark's translation units. */
#ifndef BENCH_H
#define BENCH_H
#include <stddef.h>

long bench_jsmn_count(const char *doc, size_t len);        /* tokens needed, or < 0 */
size_t bench_jsmn_token_size(void);
long bench_jsmn_parse(const char *doc, size_t len, void *tokens, size_t ntok);

#endif
