/*
 * lwIP's operating-system layer (sys_arch) on FreeRTOS with static allocation only.
 *
 * lwIP asks for semaphores, mutexes, mailboxes and one thread (tcpip) at run time; each
 * comes from a small static slot table here and goes back to it when lwIP frees it. The
 * tables are sized for this firmware (one netconn at a time); running out is ERR_MEM, and
 * lwIP's SYS_STATS (printed at the end of a boot) show how many were ever in use.
 */
#include <stdbool.h>
#include <string.h>

#include "lwip/opt.h"
#include "lwip/sys.h"
#include "lwip/stats.h"

#define SEM_SLOTS          6
#define MBOX_SLOTS         4
#define MBOX_MAX_ENTRIES   TCPIP_MBOX_SIZE
#define THREAD_STACK_WORDS TCPIP_THREAD_STACKSIZE

struct fr_sem_slot {
    StaticSemaphore_t storage;
    SemaphoreHandle_t handle;
    bool used;
};

struct fr_mbox_slot {
    StaticQueue_t storage;
    uint8_t entries[MBOX_MAX_ENTRIES * sizeof(void *)];
    QueueHandle_t handle;
    bool used;
};

static struct fr_sem_slot sems[SEM_SLOTS];
static struct fr_mbox_slot mboxes[MBOX_SLOTS];
static StaticTask_t tcpip_tcb;
static StackType_t tcpip_stack[THREAD_STACK_WORDS];
static TaskHandle_t tcpip_task;

void sys_init(void)
{
}

u32_t sys_now(void)
{
    return (u32_t)(xTaskGetTickCount() * portTICK_PERIOD_MS);
}

sys_prot_t sys_arch_protect(void)
{
    taskENTER_CRITICAL();
    return 0;
}

void sys_arch_unprotect(sys_prot_t pval)
{
    (void)pval;
    taskEXIT_CRITICAL();
}

/* ---------------------------------------------------------------- semaphores, mutexes --- */

static struct fr_sem_slot *sem_slot_take(void)
{
    struct fr_sem_slot *found = NULL;
    taskENTER_CRITICAL();
    for (size_t i = 0; i < SEM_SLOTS; i++) {
        if (!sems[i].used) {
            sems[i].used = true;
            found = &sems[i];
            break;
        }
    }
    taskEXIT_CRITICAL();
    return found;
}

static void sem_slot_give_back(struct fr_sem_slot *slot)
{
    vSemaphoreDelete(slot->handle);
    taskENTER_CRITICAL();
    slot->handle = NULL;
    slot->used = false;
    taskEXIT_CRITICAL();
}

err_t sys_sem_new(sys_sem_t *sem, u8_t count)
{
    struct fr_sem_slot *slot = sem_slot_take();
    *sem = NULL;
    if (slot == NULL) {
        SYS_STATS_INC(sem.err);
        return ERR_MEM;
    }
    slot->handle = xSemaphoreCreateCountingStatic(0xffff, count, &slot->storage);
    *sem = slot;
    SYS_STATS_INC_USED(sem);
    return ERR_OK;
}

void sys_sem_free(sys_sem_t *sem)
{
    SYS_STATS_DEC(sem.used);
    sem_slot_give_back(*sem);
    *sem = NULL;
}

void sys_sem_signal(sys_sem_t *sem)
{
    (void)xSemaphoreGive((*sem)->handle);
}

/* Waits up to timeout ms (0: forever); the ms it waited, or SYS_ARCH_TIMEOUT. */
u32_t sys_arch_sem_wait(sys_sem_t *sem, u32_t timeout)
{
    TickType_t start = xTaskGetTickCount();
    TickType_t ticks = timeout == 0 ? portMAX_DELAY : pdMS_TO_TICKS(timeout);
    if (timeout != 0 && ticks == 0) {
        ticks = 1;
    }
    if (xSemaphoreTake((*sem)->handle, ticks) != pdTRUE) {
        return SYS_ARCH_TIMEOUT;
    }
    return (u32_t)((xTaskGetTickCount() - start) * portTICK_PERIOD_MS);
}

err_t sys_mutex_new(sys_mutex_t *mutex)
{
    struct fr_sem_slot *slot = sem_slot_take();
    *mutex = NULL;
    if (slot == NULL) {
        SYS_STATS_INC(mutex.err);
        return ERR_MEM;
    }
    slot->handle = xSemaphoreCreateMutexStatic(&slot->storage);
    *mutex = slot;
    SYS_STATS_INC_USED(mutex);
    return ERR_OK;
}

void sys_mutex_free(sys_mutex_t *mutex)
{
    SYS_STATS_DEC(mutex.used);
    sem_slot_give_back(*mutex);
    *mutex = NULL;
}

void sys_mutex_lock(sys_mutex_t *mutex)
{
    (void)xSemaphoreTake((*mutex)->handle, portMAX_DELAY);
}

void sys_mutex_unlock(sys_mutex_t *mutex)
{
    (void)xSemaphoreGive((*mutex)->handle);
}

/* ---------------------------------------------------------------- mailboxes --- */

err_t sys_mbox_new(sys_mbox_t *mbox, int size)
{
    struct fr_mbox_slot *slot = NULL;
    *mbox = NULL;
    if (size <= 0 || size > MBOX_MAX_ENTRIES) {
        SYS_STATS_INC(mbox.err);
        return ERR_MEM;
    }
    taskENTER_CRITICAL();
    for (size_t i = 0; i < MBOX_SLOTS; i++) {
        if (!mboxes[i].used) {
            mboxes[i].used = true;
            slot = &mboxes[i];
            break;
        }
    }
    taskEXIT_CRITICAL();
    if (slot == NULL) {
        SYS_STATS_INC(mbox.err);
        return ERR_MEM;
    }
    slot->handle =
        xQueueCreateStatic((UBaseType_t)size, sizeof(void *), slot->entries, &slot->storage);
    *mbox = slot;
    SYS_STATS_INC_USED(mbox);
    return ERR_OK;
}

void sys_mbox_free(sys_mbox_t *mbox)
{
    struct fr_mbox_slot *slot = *mbox;
    SYS_STATS_DEC(mbox.used);
    vQueueDelete(slot->handle);
    taskENTER_CRITICAL();
    slot->handle = NULL;
    slot->used = false;
    taskEXIT_CRITICAL();
    *mbox = NULL;
}

void sys_mbox_post(sys_mbox_t *mbox, void *msg)
{
    (void)xQueueSendToBack((*mbox)->handle, &msg, portMAX_DELAY);
}

err_t sys_mbox_trypost(sys_mbox_t *mbox, void *msg)
{
    if (xQueueSendToBack((*mbox)->handle, &msg, 0) != pdTRUE) {
        SYS_STATS_INC(mbox.err);
        return ERR_MEM;
    }
    return ERR_OK;
}

err_t sys_mbox_trypost_fromisr(sys_mbox_t *mbox, void *msg)
{
    BaseType_t woken = pdFALSE;
    if (xQueueSendToBackFromISR((*mbox)->handle, &msg, &woken) != pdTRUE) {
        return ERR_MEM;
    }
    portYIELD_FROM_ISR(woken);
    return ERR_OK;
}

u32_t sys_arch_mbox_fetch(sys_mbox_t *mbox, void **msg, u32_t timeout)
{
    void *dummy;
    TickType_t start = xTaskGetTickCount();
    TickType_t ticks = timeout == 0 ? portMAX_DELAY : pdMS_TO_TICKS(timeout);
    if (timeout != 0 && ticks == 0) {
        ticks = 1;
    }
    if (xQueueReceive((*mbox)->handle, msg != NULL ? msg : &dummy, ticks) != pdTRUE) {
        if (msg != NULL) {
            *msg = NULL;
        }
        return SYS_ARCH_TIMEOUT;
    }
    return (u32_t)((xTaskGetTickCount() - start) * portTICK_PERIOD_MS);
}

u32_t sys_arch_mbox_tryfetch(sys_mbox_t *mbox, void **msg)
{
    void *dummy;
    if (xQueueReceive((*mbox)->handle, msg != NULL ? msg : &dummy, 0) != pdTRUE) {
        return SYS_MBOX_EMPTY;
    }
    return 0;
}

/* ---------------------------------------------------------------- the tcpip thread --- */

sys_thread_t sys_thread_new(const char *name, lwip_thread_fn thread, void *arg, int stacksize,
                            int prio)
{
    /* lwIP starts exactly one thread (tcpip); a second request is a configuration error. */
    LWIP_ASSERT("sys_thread_new: only the tcpip thread", tcpip_task == NULL);
    LWIP_ASSERT("sys_thread_new: stack too big", stacksize <= THREAD_STACK_WORDS);
    (void)stacksize;
    tcpip_task = xTaskCreateStatic(thread, name, THREAD_STACK_WORDS, arg, (UBaseType_t)prio,
                                   tcpip_stack, &tcpip_tcb);
    return tcpip_task;
}

sys_thread_t fr_tcpip_thread(void)
{
    return tcpip_task;
}
