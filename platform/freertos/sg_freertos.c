/*
 * sitegpt-c: FreeRTOS clock and sleep for sg_rtos.
 */
#include <FreeRTOS.h>
#include <task.h>

#include <sitegpt/sg_freertos.h>

/* Ticks seen so far, widened past TickType_t's wrap; guarded by a critical section. */
static TickType_t last_tick;
static uint64_t tick_high;

static uint64_t ticks64(void)
{
    taskENTER_CRITICAL();
    TickType_t now = xTaskGetTickCount();
    if (now < last_tick) {
        tick_high += (uint64_t)portMAX_DELAY + 1u;
    }
    last_tick = now;
    uint64_t t = tick_high + now;
    taskEXIT_CRITICAL();
    return t;
}

uint32_t sg_freertos_millis(void *ctx)
{
    (void)ctx;
    /* Truncation is the wrap sg_rtos expects: at 2^32 ms whatever the tick rate. */
    return (uint32_t)(ticks64() * 1000u / configTICK_RATE_HZ);
}

void sg_freertos_delay_ms(void *ctx, uint32_t ms)
{
    (void)ctx;
    if (ms == 0) {
        taskYIELD();
        return;
    }
    uint64_t ticks = ((uint64_t)ms * configTICK_RATE_HZ + 999u) / 1000u;
    while (ticks > 0) {
        TickType_t step = ticks > (uint64_t)(portMAX_DELAY - 1u) ? (TickType_t)(portMAX_DELAY - 1u)
                                                                 : (TickType_t)ticks;
        vTaskDelay(step);
        ticks -= step;
    }
}

void sg_freertos_hooks(sg_rtos_hooks *hooks)
{
    hooks->millis = sg_freertos_millis;
    hooks->delay_ms = sg_freertos_delay_ms;
}
