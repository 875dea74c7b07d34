/*
 * The public JSON structs' layout as seen by a translation unit that includes sg_json.h and
 * no jsmn.h, as the library itself does: test_json_layout compares it with its own view.
 */
#ifndef JSON_LAYOUT_H
#define JSON_LAYOUT_H

#include <stddef.h>

typedef struct json_layout {
    size_t tok_size, tok_align;
    size_t element_size, config_size, reader_size, event_size;
    size_t config_tokens_at, config_max_tokens_at, config_max_depth_at;
} json_layout;

void json_layout_reference(json_layout *out);

#endif /* JSON_LAYOUT_H */
