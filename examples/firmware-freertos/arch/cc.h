/*
 * lwIP compiler/platform glue for arm-none-eabi-gcc + newlib (little-endian Cortex-M).
 */
#ifndef LWIP_ARCH_CC_H
#define LWIP_ARCH_CC_H

#include <stdint.h>

#define LWIP_NO_UNISTD_H      1
#define LWIP_ERRNO_STDINCLUDE 1
#define LWIP_TIMEVAL_PRIVATE  0
#include <sys/time.h>

#define BYTE_ORDER LITTLE_ENDIAN

void fr_lwip_assert(const char *msg, const char *file, int line);
#define LWIP_PLATFORM_DIAG(x) \
    do {                      \
    } while (0)
#define LWIP_PLATFORM_ASSERT(x) fr_lwip_assert((x), __FILE__, __LINE__)

#endif /* LWIP_ARCH_CC_H */
