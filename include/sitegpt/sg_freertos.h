/*
 * sitegpt-c: FreeRTOS binding of the rtos platform (include/sitegpt/sg_rtos.h).
 *
 * Fills the clock and sleep hooks of an sg_rtos_hooks from the FreeRTOS kernel: the tick
 * count widened to 64 bits (so any configTICK_RATE_HZ and a 16- or 32-bit TickType_t give a
 * millisecond counter that wraps only at 2^32 ms, as sg_rtos expects) and vTaskDelay. The
 * board still supplies entropy, the byte stream (platform/lwip) and the key-value store.
 *
 *   sg_rtos_hooks h = {0};
 *   board_fill(&h);               // entropy, kv_read/kv_write, stream hooks
 *   sg_freertos_hooks(&h);        // millis + delay_ms
 *   sg_rtos_init(&rtos, &h);      // from a task, after vTaskStartScheduler
 */
#ifndef SG_FREERTOS_H
#define SG_FREERTOS_H

#include "sg_rtos.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Milliseconds since the scheduler started, from the widened tick count. ctx is unused. */
uint32_t sg_freertos_millis(void *ctx);
/* Block the calling task for at least ms (rounded up to whole ticks; 0 yields). */
void sg_freertos_delay_ms(void *ctx, uint32_t ms);
/* Set hooks->millis and hooks->delay_ms; leaves every other hook as it is. */
void sg_freertos_hooks(sg_rtos_hooks *hooks);

#ifdef __cplusplus
}
#endif

#endif /* SG_FREERTOS_H */
