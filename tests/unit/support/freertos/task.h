/* Stand-in for FreeRTOS's task.h (see FreeRTOS.h here); the test defines these. */
#ifndef FAKE_FREERTOS_TASK_H
#define FAKE_FREERTOS_TASK_H

#include "FreeRTOS.h"

TickType_t xTaskGetTickCount(void);
void vTaskDelay(TickType_t ticks);
void fake_critical(int step);
void fake_yield(void);

#define taskENTER_CRITICAL() fake_critical(1)
#define taskEXIT_CRITICAL()  fake_critical(-1)
#define taskYIELD()          fake_yield()

#endif /* FAKE_FREERTOS_TASK_H */
