/*
 * ARM semihosting (BKPT 0xAB) for the Cortex-M binding: the host debugger or QEMU
 * services these calls; nothing here works on a board without a debugger attached.
 */
#include <string.h>

#include "cortexm.h"

enum {
    SYS_OPEN = 0x01,
    SYS_CLOSE = 0x02,
    SYS_WRITE0 = 0x04,
    SYS_WRITE = 0x05,
    SYS_READ = 0x06,
    SYS_REMOVE = 0x0E,
    SYS_RENAME = 0x0F,
    SYS_CLOCK = 0x10,
    SYS_TIME = 0x11,
    SYS_GET_CMDLINE = 0x15,
    SYS_EXIT_EXTENDED = 0x20
};

enum { MODE_RB = 1, MODE_WB = 5 };

#define ADP_STOPPED_APPLICATION_EXIT 0x20026u
#define PATH_MAX_SH                  128u

static int32_t sh_call(uint32_t op, const void *arg)
{
    register uint32_t r0 __asm__("r0") = op;
    register const void *r1 __asm__("r1") = arg;
    __asm__ volatile("bkpt 0xAB" : "+r"(r0) : "r"(r1) : "memory");
    return (int32_t)r0;
}

void cm_sh_puts(const char *s)
{
    (void)sh_call(SYS_WRITE0, s);
}

void cm_sh_write(const char *s, size_t len)
{
    /* SYS_WRITE0 wants a NUL-terminated string: copy through a small buffer. */
    char line[80];
    while (len > 0) {
        size_t n = len < sizeof line - 1u ? len : sizeof line - 1u;
        memcpy(line, s, n);
        line[n] = '\0';
        cm_sh_puts(line);
        s += n;
        len -= n;
    }
}

void cm_sh_put_u32(uint32_t v)
{
    char digits[11];
    size_t i = sizeof digits - 1u;
    digits[i] = '\0';
    do {
        digits[--i] = (char)('0' + v % 10u);
        v /= 10u;
    } while (v != 0u);
    cm_sh_puts(&digits[i]);
}

_Noreturn void cm_sh_exit(int code)
{
    uint32_t args[2] = {ADP_STOPPED_APPLICATION_EXIT, (uint32_t)code};
    (void)sh_call(SYS_EXIT_EXTENDED, args);
    for (;;) {
        __asm__ volatile("wfi");
    }
}

sg_status cm_sh_cmdline(char *buf, size_t cap)
{
    uint32_t args[2] = {(uint32_t)(uintptr_t)buf, (uint32_t)cap};
    if (cap == 0u) {
        return SG_ERR_BUFFER_TOO_SMALL;
    }
    buf[0] = '\0';
    if (sh_call(SYS_GET_CMDLINE, args) != 0) {
        return SG_ERR_BUFFER_TOO_SMALL;
    }
    return SG_OK;
}

uint32_t cm_sh_time(void)
{
    return (uint32_t)sh_call(SYS_TIME, NULL);
}

uint32_t cm_sh_clock(void)
{
    return (uint32_t)sh_call(SYS_CLOCK, NULL);
}

static int32_t sh_open(const char *path, uint32_t mode)
{
    uint32_t args[3] = {(uint32_t)(uintptr_t)path, mode, (uint32_t)strlen(path)};
    return sh_call(SYS_OPEN, args);
}

static void sh_close(int32_t handle)
{
    uint32_t args[1] = {(uint32_t)handle};
    (void)sh_call(SYS_CLOSE, args);
}

sg_status cm_sh_file_read(const char *path, uint8_t *buf, size_t cap, size_t *len)
{
    int32_t h = sh_open(path, MODE_RB);
    *len = 0;
    if (h < 0) {
        return SG_ERR_NOT_FOUND;
    }
    uint32_t args[3] = {(uint32_t)h, (uint32_t)(uintptr_t)buf, (uint32_t)cap};
    int32_t left = sh_call(SYS_READ, args); /* bytes NOT read */
    sh_close(h);
    if (left < 0 || (uint32_t)left > cap) {
        return SG_ERR_STORAGE;
    }
    *len = cap - (size_t)left;
    if (*len == cap) {
        /* A full buffer may mean a longer file: refuse rather than truncate. */
        return SG_ERR_BUFFER_TOO_SMALL;
    }
    return SG_OK;
}

/* "<path>.tmp" into tmp; false when it does not fit. */
static bool tmp_name(const char *path, char *tmp, size_t cap)
{
    size_t n = strlen(path);
    if (n + sizeof ".tmp" > cap) {
        return false;
    }
    memcpy(tmp, path, n + 1u);
    memcpy(tmp + n, ".tmp", sizeof ".tmp");
    return true;
}

sg_status cm_sh_file_write(const char *path, const uint8_t *data, size_t len)
{
    char tmp[PATH_MAX_SH];
    if (!tmp_name(path, tmp, sizeof tmp)) {
        return SG_ERR_INVALID_ARG;
    }
    int32_t h = sh_open(tmp, MODE_WB);
    if (h < 0) {
        return SG_ERR_STORAGE;
    }
    uint32_t args[3] = {(uint32_t)h, (uint32_t)(uintptr_t)data, (uint32_t)len};
    int32_t left = sh_call(SYS_WRITE, args); /* bytes NOT written */
    sh_close(h);
    uint32_t ren[4] = {(uint32_t)(uintptr_t)tmp, (uint32_t)strlen(tmp), (uint32_t)(uintptr_t)path,
                       (uint32_t)strlen(path)};
    if (left != 0 || sh_call(SYS_RENAME, ren) != 0) {
        return SG_ERR_STORAGE;
    }
    return SG_OK;
}

sg_status cm_sh_file_remove(const char *path)
{
    uint32_t args[2] = {(uint32_t)(uintptr_t)path, (uint32_t)strlen(path)};
    return sh_call(SYS_REMOVE, args) == 0 ? SG_OK : SG_ERR_NOT_FOUND;
}
