/* sitegpt-c: bounded copies of borrowed text. */
#include "sg_base.h"

#include <string.h>

bool sg_slice_copy_cut(char *dst, size_t cap, sg_slice s)
{
    if (dst == NULL || cap == 0) {
        return s.len > 0;
    }
    size_t n = s.len;
    bool cut = n >= cap;
    if (cut) {
        n = cap - 1;
        while (n > 0 && ((uint8_t)s.ptr[n] & 0xC0u) == 0x80u) {
            n--; /* s.ptr[n] starts a character: cut before it */
        }
    }
    if (n > 0) {
        memcpy(dst, s.ptr, n);
    }
    dst[n] = '\0';
    return cut;
}
