/*
 * The firmware's options (examples/firmware/sg_user_config.h) for the host unit suite's
 * second configuration (make test-unit-fw): every limit and trim as the firmware has them,
 * but the parts the firmware leaves out for flash (element gathering, raw capture, scope
 * suggestions, discovery, 64-bit body lengths, the proxy tunnel, the JSON writer, extra request
 * headers, status texts) kept, since the suite tests them; the texts in their short form.
 */
#include "sg_user_config.h"
#undef SG_JSON_ELEMENTS
#undef SG_JSON_TOKENS
#undef SG_JSON_RAW
#undef SG_SCOPE_SUGGEST
#undef SG_DEVICE_DISCOVERY
#undef SG_HTTP_LENGTH_64
#undef SG_PROXY
#undef SG_JSON_WRITER
#undef SG_HTTP_EXTRA_HEADERS
#undef SG_STRERROR_TEXTS
#define SG_STRERROR_TERSE 1
