/*
 * Stand-in for the FreeRTOS kernel header, for host unit tests of platform/freertos: a
 * 16-bit tick at 100 Hz (the hard case: wraps every 11 minutes, 10 ms per tick). The test
 * defines the kernel functions task.h declares and moves the tick count itself.
 */
#ifndef FAKE_FREERTOS_H
#define FAKE_FREERTOS_H

#include <stdint.h>

typedef uint16_t TickType_t;
typedef long BaseType_t;
#define portMAX_DELAY      ((TickType_t)0xffffu)
#define configTICK_RATE_HZ 100u

#endif /* FAKE_FREERTOS_H */
