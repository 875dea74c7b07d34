/*
 * mbedTLS platform glue for the firmware: a static pool instead of the heap, entropy and
 * millisecond time from sg_rtos, wall-clock time for certificate validity from the host.
 */
#define _POSIX_C_SOURCE 200809L /* newlib declares gmtime_r only for POSIX */
#include <time.h>

#include <mbedtls/entropy.h>
#include <mbedtls/memory_buffer_alloc.h>
#include <mbedtls/platform.h>
#include <mbedtls/platform_time.h>
#include <mbedtls/platform_util.h>

#include "cortexm.h"
#include "fw.h"

#ifndef FW_MBEDTLS_POOL_SIZE
#define FW_MBEDTLS_POOL_SIZE (24u * 1024u)
#endif

static unsigned char pool[FW_MBEDTLS_POOL_SIZE] __attribute__((aligned(8)));
static sg_rtos *fw_rtos;

/* Called by mbedtls_entropy (MBEDTLS_ENTROPY_HARDWARE_ALT): PSA's RNG seeds from here. */
int mbedtls_hardware_poll(void *data, unsigned char *output, size_t len, size_t *olen);
int mbedtls_hardware_poll(void *data, unsigned char *output, size_t len, size_t *olen)
{
    (void)data;
    *olen = 0;
    if (sg_rtos_entropy(fw_rtos, output, len) != SG_OK) {
        return MBEDTLS_ERR_ENTROPY_SOURCE_FAILED;
    }
    *olen = len;
    return 0;
}

mbedtls_ms_time_t mbedtls_ms_time(void)
{
    return (mbedtls_ms_time_t)fw_rtos->platform.now_ms(fw_rtos->platform.ctx);
}

/* newlib-nano's gmtime() allocates its struct tm lazily; gmtime_r does not. */
struct tm *mbedtls_platform_gmtime_r(const mbedtls_time_t *tt, struct tm *tm_buf)
{
    time_t t = (time_t)*tt;
    return gmtime_r(&t, tm_buf);
}

/* A device with an RTC (or an NTP/cellular time source) reads it here. */
static mbedtls_time_t host_time(mbedtls_time_t *out)
{
    mbedtls_time_t now = (mbedtls_time_t)cm_sh_time();
    if (out != NULL) {
        *out = now;
    }
    return now;
}

void fw_mbedtls_init(sg_rtos *rtos)
{
    fw_rtos = rtos;
    mbedtls_memory_buffer_alloc_init(pool, sizeof pool);
    (void)mbedtls_platform_set_time(host_time);
}

void fw_mbedtls_pool_stats(size_t *peak, size_t *peak_blocks, size_t *size)
{
    mbedtls_memory_buffer_alloc_max_get(peak, peak_blocks);
    *size = sizeof pool;
}
