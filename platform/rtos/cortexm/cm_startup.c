/*
 * Reset, vector table and memory figures for the Cortex-M binding.
 * The linker script (mps2_an386.ld) provides the section symbols used here.
 */
#include "cortexm.h"

/* Linker script symbols: only their addresses mean something. */
extern uint32_t _sidata[], _sdata[], _edata[], _sbss[], _ebss[], _sstack[], _estack[];

int main(void);
void Reset_Handler(void);
void Default_Handler(void);
void HardFault_Handler(void);
void SysTick_Handler(void);
void UART0_RX_Handler(void);

#define STACK_PAINT 0xA5A5A5A5u

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

static uintptr_t current_sp(void)
{
    uintptr_t sp;
    __asm__ volatile("mov %0, sp" : "=r"(sp));
    return sp;
}

/* Fill the unused stack with a pattern so the high-water mark can be read later. */
/* Words between two linker symbols (distinct objects to C, so compare addresses). */
static size_t words_between(const uint32_t *start, uintptr_t end)
{
    return (size_t)(end - (uintptr_t)start) / sizeof(uint32_t);
}

/* Fill the unused stack with a pattern so the high-water mark can be read later. */
static void paint_stack(void)
{
    volatile uint32_t *stack = _sstack;
    size_t n = words_between(_sstack, current_sp() - 64u);
    for (size_t i = 0; i < n; i++) {
        stack[i] = STACK_PAINT;
    }
}

void Reset_Handler(void)
{
    size_t data_words = words_between(_sdata, (uintptr_t)_edata);
    size_t bss_words = words_between(_sbss, (uintptr_t)_ebss);
    for (size_t i = 0; i < data_words; i++) {
        _sdata[i] = _sidata[i];
    }
    for (size_t i = 0; i < bss_words; i++) {
        _sbss[i] = 0;
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
    cm_uart_ack_rx_irq();
}

size_t cm_stack_size(void)
{
    return words_between(_sstack, (uintptr_t)_estack) * sizeof(uint32_t);
}

size_t cm_stack_high_water(void)
{
    const volatile uint32_t *stack = _sstack;
    size_t n = words_between(_sstack, (uintptr_t)_estack);
    size_t untouched = 0;
    while (untouched < n && stack[untouched] == STACK_PAINT) {
        untouched++;
    }
    return (n - untouched) * sizeof(uint32_t);
}

size_t cm_static_ram(void)
{
    return words_between(_sdata, (uintptr_t)_ebss) * sizeof(uint32_t);
}
