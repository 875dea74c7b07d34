/*
 * lwIP's OS types on FreeRTOS (static allocation): see sys_arch.c.
 */
#ifndef LWIP_ARCH_SYS_ARCH_H
#define LWIP_ARCH_SYS_ARCH_H

#include <FreeRTOS.h>
#include <semphr.h>
#include <queue.h>
#include <task.h>

/* Each object is a pointer into one of sys_arch.c's static slot tables (NULL: invalid). */
typedef struct fr_sem_slot *sys_sem_t;
typedef struct fr_sem_slot *sys_mutex_t;
typedef struct fr_mbox_slot *sys_mbox_t;
typedef TaskHandle_t sys_thread_t;
typedef uint32_t sys_prot_t;

#define sys_sem_valid(s)            ((s) != NULL && *(s) != NULL)
#define sys_sem_set_invalid(s)      (*(s) = NULL)
#define sys_mutex_valid(m)          ((m) != NULL && *(m) != NULL)
#define sys_mutex_set_invalid(m)    (*(m) = NULL)
#define sys_mbox_valid(m)           ((m) != NULL && *(m) != NULL)
#define sys_mbox_set_invalid(m)     (*(m) = NULL)
#define sys_sem_valid_val(s)        ((s) != NULL)
#define sys_sem_set_invalid_val(s)  ((s) = NULL)
#define sys_mbox_valid_val(m)       ((m) != NULL)
#define sys_mbox_set_invalid_val(m) ((m) = NULL)

/* The tcpip thread's task, for the stack report. */
sys_thread_t fr_tcpip_thread(void);

#endif /* LWIP_ARCH_SYS_ARCH_H */
