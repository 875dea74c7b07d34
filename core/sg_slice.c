/* sitegpt-c: bounded copies and numbers of borrowed text. */
#include <sitegpt/sg_base.h>

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

bool sg_slice_to_u64(sg_slice s, size_t max_digits, uint64_t *out)
{
    if (s.ptr == NULL || out == NULL || s.len == 0 || s.len > max_digits || max_digits > 19) {
        return false;
    }
    uint64_t v = 0;
    for (size_t i = 0; i < s.len; i++) {
        unsigned digit = (unsigned)(uint8_t)s.ptr[i] - '0'; /* wraps above 9 for bytes below */
        if (digit > 9) {
            return false;
        }
        v = v * 10u + digit;
    }
    *out = v;
    return true;
}
