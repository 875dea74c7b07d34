/*
 * SysTick clock and CMSDK APB UART byte stream for the Cortex-M binding.
 */
#include "cortexm.h"

/* The one place a bus address becomes a pointer. */
static volatile uint32_t *reg(uintptr_t addr)
{
    return (volatile uint32_t *)addr; /* NOLINT(performance-no-int-to-ptr): MMIO */
}
#define REG(addr) (*reg(addr))

#define SYST_CSR   REG(0xE000E010u)
#define SYST_RVR   REG(0xE000E014u)
#define SYST_CVR   REG(0xE000E018u)
#define NVIC_ISER0 REG(0xE000E100u)

#define UART_DATA      REG(CM_UART_BASE + 0x00u)
#define UART_STATE     REG(CM_UART_BASE + 0x04u)
#define UART_CTRL      REG(CM_UART_BASE + 0x08u)
#define UART_INTSTATUS REG(CM_UART_BASE + 0x0Cu)
#define UART_BAUDDIV   REG(CM_UART_BASE + 0x10u)

#define STATE_TX_FULL  0x1u
#define STATE_RX_FULL  0x2u
#define CTRL_TX_EN     0x1u
#define CTRL_RX_EN     0x2u
#define CTRL_RX_IRQ_EN 0x8u

static volatile uint32_t ticks_ms;

void SysTick_Handler(void);
void SysTick_Handler(void)
{
    ticks_ms++;
}

void cm_clock_init(void)
{
    SYST_RVR = CM_CPU_HZ / 1000u - 1u;
    SYST_CVR = 0;
    SYST_CSR = 0x7u; /* processor clock, interrupt, enable */
}

uint32_t cm_millis(void *ctx)
{
    (void)ctx;
    return ticks_ms;
}

/* Sleep until an interrupt, without losing one that lands between the check and WFI. */
static void wait_for_interrupt_unless(bool ready)
{
    __asm__ volatile("cpsid i" ::: "memory");
    if (!ready) {
        __asm__ volatile("wfi" ::: "memory");
    }
    __asm__ volatile("cpsie i" ::: "memory");
}

void cm_delay_ms(void *ctx, uint32_t ms)
{
    uint32_t start = cm_millis(ctx);
    while (cm_millis(ctx) - start < ms) {
        wait_for_interrupt_unless(false);
    }
}

void cm_uart_init(void)
{
    UART_BAUDDIV = 16u; /* smallest legal divisor; QEMU ignores the rate but checks it */
    UART_CTRL = CTRL_TX_EN | CTRL_RX_EN | CTRL_RX_IRQ_EN;
    NVIC_ISER0 = 1u << CM_UART_RX_IRQ;
}

void cm_uart_ack_rx_irq(void)
{
    UART_INTSTATUS = 0x2u; /* write-one-to-clear */
}

sg_status cm_uart_write(void *ctx, const uint8_t *data, size_t len, size_t *written)
{
    (void)ctx;
    for (size_t i = 0; i < len; i++) {
        while (UART_STATE & STATE_TX_FULL) {
        }
        UART_DATA = data[i];
    }
    *written = len;
    return SG_OK;
}

sg_status cm_uart_read(void *ctx, uint8_t *buf, size_t cap, size_t *got, uint32_t timeout_ms)
{
    uint32_t start = cm_millis(ctx);
    size_t n = 0;
    *got = 0;
    if (cap == 0) {
        return SG_OK;
    }
    while (!(UART_STATE & STATE_RX_FULL)) {
        if (cm_millis(ctx) - start >= timeout_ms) {
            return SG_ERR_TIMEOUT;
        }
        wait_for_interrupt_unless((UART_STATE & STATE_RX_FULL) != 0);
    }
    /* The holding register is one byte deep: drain while the host keeps it full. */
    while (n < cap && (UART_STATE & STATE_RX_FULL)) {
        buf[n++] = (uint8_t)UART_DATA;
        for (int spin = 0; spin < 64 && !(UART_STATE & STATE_RX_FULL); spin++) {
        }
    }
    *got = n;
    return SG_OK;
}
