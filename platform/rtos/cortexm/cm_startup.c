/*
 * Reset, vector table and fault handlers for the Cortex-M binding (bare metal; an RTOS image
 * brings its own, as examples/firmware-freertos/fr_startup.c does). RAM set-up and the
 * memory figures are cm_memory.c's.
 */
#include "cortexm.h"

/* Linker script symbol: the top of the stack. */
extern uint32_t _estack[];

int main(void);
void Reset_Handler(void);
void Default_Handler(void);
void HardFault_Handler(void);
void SysTick_Handler(void);
void UART0_RX_Handler(void);

/* The first word is the initial stack pointer, hence a struct rather than a plain array. */
typedef struct vector_table {
    uint32_t *initial_sp;
    void (*handlers[16 + 1])(void);
} vector_table;

__attribute__((section(".isr_vector"), used)) static const vector_table vectors = {
    _estack,
    {
        Reset_Handler, Default_Handler,    /* NMI */
        HardFault_Handler,                 /* HardFault */
        HardFault_Handler,                 /* MemManage */
        HardFault_Handler,                 /* BusFault */
        HardFault_Handler,                 /* UsageFault */
        0, 0, 0, 0, Default_Handler,       /* SVCall */
        Default_Handler,                   /* DebugMon */
        0, Default_Handler,                /* PendSV */
        SysTick_Handler, UART0_RX_Handler, /* IRQ 0 */
    },
};

void Reset_Handler(void)
{
    cm_ram_init();
    cm_stack_paint();
    cm_clock_init();
    __asm__ volatile("cpsie i" ::: "memory");
    cm_sh_exit(main());
}

void Default_Handler(void)
{
    cm_sh_puts("fatal: unexpected exception\n");
    cm_sh_exit(3);
}

void HardFault_Handler(void)
{
    cm_sh_puts("fatal: hard fault\n");
    cm_sh_exit(3);
}

/* Only wakes the core from WFI; cm_uart_read takes the byte. */
void UART0_RX_Handler(void)
{
    cm_uart_ack_rx_irq();
}
