/* Sink captures for unit tests; see capture.h. */
#include "capture.h"

#include <string.h>

bool capture_append(char *buf, size_t cap, size_t *len, const void *data, size_t n)
{
    if (*len >= cap || n >= cap - *len) {
        return false;
    }
    if (n > 0) {
        memcpy(buf + *len, data, n);
    }
    *len += n;
    buf[*len] = '\0';
    return true;
}
