/*
 * Token walking for the fuzz targets' oracles, through the sg_json element helpers (the
 * token layout is private). The walks run over a parse that succeeded, so a helper that
 * fails is a bug: each function aborts then, which the fuzzer reports as a crash.
 */
#ifndef JSON_WALK_H
#define JSON_WALK_H

#include <stdbool.h>
#include <stddef.h>

#include <sitegpt/sg_json.h>

/* The token after t's whole value. */
int walk_next(const sg_json_element *e, int t);
/* Members of an object, elements of an array. */
size_t walk_size(const sg_json_element *e, int t);
sg_json_type walk_type(const sg_json_element *e, int t);
/* t is a string whose unescaped text is key. */
bool walk_key_is(const sg_json_element *e, int t, const char *key);

#endif /* JSON_WALK_H */
