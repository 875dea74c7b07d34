/* See json_layout.h. This file must never include jsmn.h. */
#include "json_layout.h"

#include <sitegpt/sg_json.h>

void json_layout_reference(json_layout *out)
{
    out->tok_size = sizeof(sg_json_tok);
    out->tok_align = _Alignof(sg_json_tok);
    out->element_size = sizeof(sg_json_element);
    out->config_size = sizeof(sg_json_config);
    out->reader_size = sizeof(sg_json_reader);
    out->event_size = sizeof(sg_json_event);
    out->config_tokens_at = offsetof(sg_json_config, tokens);
    out->config_max_tokens_at = offsetof(sg_json_config, max_tokens);
    out->config_max_depth_at = offsetof(sg_json_config, max_depth);
}
