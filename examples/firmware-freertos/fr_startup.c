/*
 * Reset, vector table and fault handlers of the FreeRTOS firmware (QEMU mps2-an386).
 * SVCall, PendSV and SysTick belong to the FreeRTOS port; IRQ 13 to the LAN9118.
 * The linker script is the bare-metal example's (platform/rtos/cortexm/mps2_an386.ld):
 * its stack region is the main stack, which only interrupts use once the scheduler runs.
 */
#include <FreeRTOS.h>
#include <task.h>

#include "cortexm.h"
#include "fr.h"
#include "lan9118.h"

extern uint32_t _estack[]; /* the linker script's top of the main stack */

int main(void);
void Reset_Handler(void);
void fr_fault_handler(void);
void vPortSVCHandler(void);
void xPortPendSVHandler(void);
void xPortSysTickHandler(void);

#define IRQ_COUNT (LAN9118_IRQ + 1u)

typedef struct vector_table {
    uint32_t *initial_sp;
    void (*handlers[15 + IRQ_COUNT])(void);
} vector_table;

__attribute__((section(".isr_vector"), used)) static const vector_table vectors = {
    _estack,
    {
        Reset_Handler, fr_fault_handler, /* NMI */
        fr_fault_handler,                /* HardFault */
        fr_fault_handler,                /* MemManage */
        fr_fault_handler,                /* BusFault */
        fr_fault_handler,                /* UsageFault */
        0, 0, 0, 0, vPortSVCHandler,     /* SVCall: starts the first task */
        fr_fault_handler,                /* DebugMon */
        0, xPortPendSVHandler,           /* PendSV: context switch */
        xPortSysTickHandler,
        /* IRQ 0 .. 12: not used by this firmware */
        fr_fault_handler, fr_fault_handler, fr_fault_handler, fr_fault_handler, fr_fault_handler,
        fr_fault_handler, fr_fault_handler, fr_fault_handler, fr_fault_handler, fr_fault_handler,
        fr_fault_handler, fr_fault_handler, fr_fault_handler, lan9118_irq_handler, /* IRQ 13 */
    },
};

void Reset_Handler(void)
{
    cm_ram_init();
    cm_sh_exit(main());
}

void fr_fault_handler(void)
{
    cm_sh_puts("fatal: unexpected exception\n");
    cm_sh_exit(3);
}

void fr_assert_failed(const char *file, int line)
{
    taskDISABLE_INTERRUPTS();
    cm_sh_puts("fatal: assertion failed: ");
    cm_sh_puts(file);
    cm_sh_puts(":");
    cm_sh_put_u32((uint32_t)line);
    cm_sh_puts("\n");
    cm_sh_exit(3);
}

void fr_lwip_assert(const char *msg, const char *file, int line)
{
    cm_sh_puts("fatal: lwIP: ");
    cm_sh_puts(msg);
    cm_sh_puts(" ");
    fr_assert_failed(file, line);
}

void vApplicationStackOverflowHook(TaskHandle_t task, char *name);
void vApplicationStackOverflowHook(TaskHandle_t task, char *name)
{
    (void)task;
    taskDISABLE_INTERRUPTS();
    cm_sh_puts("fatal: stack overflow in task ");
    cm_sh_puts(name);
    cm_sh_puts("\n");
    cm_sh_exit(3);
}
