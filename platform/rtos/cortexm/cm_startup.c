/*
 * Reset, vector table and memory figures for the Cortex-M binding.
 * The linker script (mps2_an386.ld) provides the section symbols used here.
 */
#include "cortexm.h"

extern uint32_t _sidata, _sdata, _edata, _sbss, _ebss, _sstack, _estack;

int main(void);
void Reset_Handler(void);
void Default_Handler(void);
void HardFault_Handler(void);
void SysTick_Handler(void);
void UART0_RX_Handler(void);

#define STACK_PAINT 0xA5A5A5A5u
#define CMSDK_UART_INTSTATUS (*(volatile uint32_t *)(CM_UART_BASE + 0x0Cu))

/* The first word is the initial stack pointer, hence a struct rather than a plain array. */
typedef struct vector_table {
    uint32_t *initial_sp;
    void (*handlers[16 + 1])(void);
} vector_table;

__attribute__((section(".isr_vector"), used)) static const vector_table vectors = {
    &_estack,
    {
        Reset_Handler,
        Default_Handler,   /* NMI */
        HardFault_Handler, /* HardFault */
        HardFault_Handler, /* MemManage */
        HardFault_Handler, /* BusFault */
        HardFault_Handler, /* UsageFault */
        0, 0, 0, 0,
        Default_Handler,   /* SVCall */
        Default_Handler,   /* DebugMon */
        0,
        Default_Handler,   /* PendSV */
        SysTick_Handler,
        UART0_RX_Handler,  /* IRQ 0 */
    },
};

static uintptr_t current_sp(void)
{
    uintptr_t sp;
    __asm__ volatile("mov %0, sp" : "=r"(sp));
    return sp;
}

/* Fill the unused stack with a pattern so the high-water mark can be read later. */
static void paint_stack(void)
{
    uintptr_t limit = current_sp() - 64u;
    for (volatile uint32_t *p = &_sstack; (uintptr_t)p < limit; p++) {
        *p = STACK_PAINT;
    }
}

void Reset_Handler(void)
{
    const uint32_t *src = &_sidata;
    for (uint32_t *dst = &_sdata; dst < &_edata; dst++) {
        *dst = *src++;
    }
    for (uint32_t *dst = &_sbss; dst < &_ebss; dst++) {
        *dst = 0;
    }
    paint_stack();
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
    CMSDK_UART_INTSTATUS = 0x2u;
}

size_t cm_stack_size(void)
{
    return (size_t)((uintptr_t)&_estack - (uintptr_t)&_sstack);
}

size_t cm_stack_high_water(void)
{
    const volatile uint32_t *p = &_sstack;
    while ((uintptr_t)p < (uintptr_t)&_estack && *p == STACK_PAINT) {
        p++;
    }
    return (size_t)((uintptr_t)&_estack - (uintptr_t)p);
}

size_t cm_static_ram(void)
{
    return (size_t)((uintptr_t)&_ebss - (uintptr_t)&_sdata);
}
