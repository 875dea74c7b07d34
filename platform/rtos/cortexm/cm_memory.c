/*
 * RAM at reset and the memory figures for the Cortex-M binding: .data copied and .bss
 * cleared, the stack painted for a high-water mark. The linker script (mps2_an386.ld)
 * provides the section symbols. Any reset handler (cm_startup.c, an RTOS image's own)
 * calls cm_ram_init before anything reads a static variable.
 */
#include "cortexm.h"

/* Linker script symbols: only their addresses mean something. */
extern uint32_t _sidata[], _sdata[], _edata[], _sbss[], _ebss[], _sstack[], _estack[];

#define STACK_PAINT 0xA5A5A5A5u

/* Words between two linker symbols (distinct objects to C, so compare addresses). */
static size_t words_between(const uint32_t *start, uintptr_t end)
{
    return (size_t)(end - (uintptr_t)start) / sizeof(uint32_t);
}

static uintptr_t current_sp(void)
{
    uintptr_t sp;
    __asm__ volatile("mov %0, sp" : "=r"(sp));
    return sp;
}

void cm_ram_init(void)
{
    size_t data_words = words_between(_sdata, (uintptr_t)_edata);
    size_t bss_words = words_between(_sbss, (uintptr_t)_ebss);
    for (size_t i = 0; i < data_words; i++) {
        _sdata[i] = _sidata[i];
    }
    for (size_t i = 0; i < bss_words; i++) {
        _sbss[i] = 0;
    }
}

void cm_stack_paint(void)
{
    volatile uint32_t *stack = _sstack;
    size_t n = words_between(_sstack, current_sp() - 64u);
    for (size_t i = 0; i < n; i++) {
        stack[i] = STACK_PAINT;
    }
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
