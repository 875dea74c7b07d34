/*
 * sitegpt-c: bare-metal Cortex-M binding for the rtos platform.
 *
 * Written for QEMU's mps2-an386 (Cortex-M4, 25 MHz, CMSDK APB UART0 at 0x40004000) but
 * only the base addresses below are board specific. Provides:
 *   - a 1 ms SysTick clock,
 *   - the CMSDK UART as a blocking byte stream with timeouts,
 *   - ARM semihosting (console, exit status, host files, host clock, command line),
 *   - RAM: .data/.bss init, stack painting for a high-water mark, the memory figures,
 *   - startup (bare metal): vector table, reset and fault handlers.
 * Each function here fits one sg_rtos hook directly (see include/sitegpt/sg_rtos.h).
 */
#ifndef SG_CORTEXM_H
#define SG_CORTEXM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sitegpt/sg_base.h>

#ifndef CM_CPU_HZ
#define CM_CPU_HZ 25000000u /* mps2 SYSCLK */
#endif
#ifndef CM_UART_BASE
#define CM_UART_BASE 0x40004000u /* CMSDK APB UART0 */
#endif
#define CM_UART_RX_IRQ 0u /* UART0 RX interrupt line on mps2-an385/an386 */

/* ---------------------------------------------------------------- clock --- */

/* Start SysTick at 1 kHz; interrupts must be enabled afterwards (startup does it). */
void cm_clock_init(void);
/* Milliseconds since cm_clock_init; wraps after 49 days (sg_rtos widens it). */
uint32_t cm_millis(void *ctx);
/* Sleep with WFI until ms have passed. */
void cm_delay_ms(void *ctx, uint32_t ms);

/* ---------------------------------------------------------------- UART --- */

/* Enable TX and RX; the RX interrupt only wakes WFI, data is read by polling. */
void cm_uart_init(void);
/* Clear the RX interrupt (called from the UART0 RX handler). */
void cm_uart_ack_rx_irq(void);
/* Blocking write of every byte (the UART paces us); always SG_OK. */
sg_status cm_uart_write(void *ctx, const uint8_t *data, size_t len, size_t *written);
/*
 * Wait up to timeout_ms for the first byte, then take whatever else is already waiting
 * (up to cap). SG_ERR_TIMEOUT when nothing came.
 */
sg_status cm_uart_read(void *ctx, uint8_t *buf, size_t cap, size_t *got, uint32_t timeout_ms);

/* ---------------------------------------------------------------- semihosting --- */

/* Write a NUL-terminated string / a slice to the host console (QEMU's stderr). */
void cm_sh_puts(const char *s);
void cm_sh_write(const char *s, size_t len);
/* Decimal unsigned number, for the figures the firmware reports. */
void cm_sh_put_u32(uint32_t v);
/* End the emulation with this exit status. */
_Noreturn void cm_sh_exit(int code);
/* The command line given with -semihosting-config ...,arg=...; "" when none. */
sg_status cm_sh_cmdline(char *buf, size_t cap);
/* Host wall clock (seconds since 1970) and elapsed centiseconds since QEMU started. */
uint32_t cm_sh_time(void);
uint32_t cm_sh_clock(void);

/*
 * Whole-file access on the host, for the key-value hook: read up to cap bytes
 * (SG_ERR_NOT_FOUND when the file does not exist), or replace the file (written to
 * "<path>.tmp" then renamed, so a crash never leaves half a token).
 */
sg_status cm_sh_file_read(const char *path, uint8_t *buf, size_t cap, size_t *len);
sg_status cm_sh_file_write(const char *path, const uint8_t *data, size_t len);
sg_status cm_sh_file_remove(const char *path);

/* ---------------------------------------------------------------- RAM and its figures --- */

/* Copy .data from flash and clear .bss: the reset handler's first step. */
void cm_ram_init(void);
/* Fill the stack below the caller's frame with a pattern, for cm_stack_high_water. */
void cm_stack_paint(void);

/* Bytes of the stack region ever touched (painted at reset, scanned now). */
size_t cm_stack_high_water(void);
size_t cm_stack_size(void);
/* .data + .bss: every byte of static RAM outside the stack. */
size_t cm_static_ram(void);

#endif /* SG_CORTEXM_H */
