/* Token walking for the fuzz targets' oracles (json_walk.h). */
#include <stdlib.h>
#include <string.h>

#include "json_walk.h"

int walk_next(const sg_json_element *e, int t)
{
    int n = 0;
    if (sg_json_elem_skip(e, t, &n) != SG_OK) {
        abort();
    }
    return n;
}

size_t walk_size(const sg_json_element *e, int t)
{
    size_t n = 0;
    if (sg_json_elem_size(e, t, &n) != SG_OK) {
        abort();
    }
    return n;
}

sg_json_type walk_type(const sg_json_element *e, int t)
{
    sg_json_type ty = SG_JSON_NULL;
    if (sg_json_elem_type(e, t, &ty) != SG_OK) {
        abort();
    }
    return ty;
}

bool walk_key_is(const sg_json_element *e, int t, const char *key)
{
    char k[64]; /* longer than any key compared: a longer text is another key */
    size_t n = 0;
    return walk_type(e, t) == SG_JSON_STRING &&
           sg_json_tok_string(e, t, k, sizeof k, &n) == SG_OK && n == strlen(key) &&
           memcmp(k, key, n) == 0;
}
