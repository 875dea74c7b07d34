/*
 * FreeRTOS configuration for the sitegpt-c FreeRTOS + lwIP firmware (QEMU mps2-an386).
 * Static allocation only: every task, queue and semaphore lives in memory we declare, and
 * no heap_N.c is linked (mk/freertos.mk fails the link if pvPortMalloc shows up).
 */
#ifndef FREERTOS_CONFIG_H
#define FREERTOS_CONFIG_H

#include <stdint.h>

#define configCPU_CLOCK_HZ                      25000000u /* mps2 SYSCLK */
#define configTICK_RATE_HZ                      1000u
#define configUSE_PREEMPTION                    1
#define configUSE_TIME_SLICING                  1
#define configUSE_PORT_OPTIMISED_TASK_SELECTION 0
#define configUSE_TICKLESS_IDLE                 0
#define configMAX_PRIORITIES                    6
#define configMINIMAL_STACK_SIZE                128 /* words */
#define configMAX_TASK_NAME_LEN                 12
#define configTICK_TYPE_WIDTH_IN_BITS           TICK_TYPE_WIDTH_32_BITS
#define configIDLE_SHOULD_YIELD                 1
#define configUSE_TASK_NOTIFICATIONS            1
#define configUSE_MUTEXES                       1
#define configUSE_RECURSIVE_MUTEXES             0
#define configUSE_COUNTING_SEMAPHORES           1
#define configQUEUE_REGISTRY_SIZE               0
#define configUSE_QUEUE_SETS                    0
#define configENABLE_BACKWARD_COMPATIBILITY     0
#define configNUM_THREAD_LOCAL_STORAGE_POINTERS 0
#define configUSE_NEWLIB_REENTRANT              0

/* No heap at all. */
#define configSUPPORT_STATIC_ALLOCATION     1
#define configSUPPORT_DYNAMIC_ALLOCATION    0
#define configKERNEL_PROVIDED_STATIC_MEMORY 1 /* the kernel's own idle task stack */

#define configUSE_IDLE_HOOK            0
#define configUSE_TICK_HOOK            0
#define configCHECK_FOR_STACK_OVERFLOW 2
#define configUSE_MALLOC_FAILED_HOOK   0
#define configUSE_TRACE_FACILITY       0
#define configGENERATE_RUN_TIME_STATS  0
#define configUSE_CO_ROUTINES          0
#define configUSE_TIMERS               0 /* lwIP keeps its own timeouts in the tcpip thread */

/*
 * Cortex-M interrupt priorities (upper bits of the 8-bit field). Interrupts at or below
 * (numerically at or above) configMAX_SYSCALL_INTERRUPT_PRIORITY may call ...FromISR.
 */
#define configKERNEL_INTERRUPT_PRIORITY      0xE0u
#define configMAX_SYSCALL_INTERRUPT_PRIORITY 0x40u
#define configCHECK_HANDLER_INSTALLATION     1

void fr_assert_failed(const char *file, int line);
#define configASSERT(x)                           \
    do {                                          \
        if (!(x)) {                               \
            fr_assert_failed(__FILE__, __LINE__); \
        }                                         \
    } while (0)

#define INCLUDE_vTaskDelay                  1
#define INCLUDE_xTaskDelayUntil             1
#define INCLUDE_vTaskDelete                 1
#define INCLUDE_uxTaskGetStackHighWaterMark 1
#define INCLUDE_xTaskGetCurrentTaskHandle   1
#define INCLUDE_xTaskGetSchedulerState      1
#define INCLUDE_vTaskSuspend                1

#endif /* FREERTOS_CONFIG_H */
