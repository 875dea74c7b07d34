/* Shared declarations of the JSON benchmark's translation units. */
#ifndef BENCH_H
#define BENCH_H
#include <stddef.h>

long bench_jsmn_count(const char *doc, size_t len); /* tokens needed, or < 0 */
size_t bench_jsmn_token_size(void);
long bench_jsmn_parse(const char *doc, size_t len, void *tokens, size_t ntok);
/* Start/end offsets of the items of the document's first array (tokens from bench_jsmn_parse);
 * returns the item count, at most cap. */
size_t bench_jsmn_items(const void *tokens, long ntok, size_t *start, size_t *end, size_t cap);
/* jsmn run on each item alone, as sg_json runs it on every gathered element; tokens used. */
long bench_jsmn_each(const char *doc, const size_t *start, const size_t *end, size_t n,
                     void *tokens, size_t ntok);

#endif
