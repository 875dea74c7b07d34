/* Sink captures for unit tests, and their search; see capture.h. */
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

bool mem_holds(const void *buf, size_t len, const char *needle)
{
    const unsigned char *p = buf;
    size_t n = strlen(needle);
    for (size_t i = 0; i + n <= len; i++) {
        if (memcmp(p + i, needle, n) == 0) {
            return true;
        }
    }
    return false;
}
