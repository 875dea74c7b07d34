/*
 * The QEMU mps2-an386 board as sg_rtos hooks: SysTick clock, UART0 as the byte stream
 * (QEMU bridges it to a TCP port), key-value storage and entropy over semihosting.
 */
#include <string.h>

#include "cm_kv.h"
#include "cortexm.h"
#include "fw.h"

static const fw_args *board_args;

/* NOT A SECURE ENTROPY SOURCE: see fw_emulator_entropy. A real device reads its TRNG here. */
static sg_status emulator_entropy(void *ctx, uint8_t *out, size_t len)
{
    (void)ctx;
    return fw_emulator_entropy(board_args->seed, cm_millis, out, len);
}

void fw_board_hooks(const fw_args *args, sg_rtos_hooks *hooks)
{
    board_args = args;
    memset(hooks, 0, sizeof *hooks);
    hooks->millis = cm_millis;
    hooks->delay_ms = cm_delay_ms;
    hooks->entropy = emulator_entropy;
    hooks->stream_write = cm_uart_write;
    hooks->stream_read = cm_uart_read;
    cm_kv_hooks(args->kv_dir, hooks);
}
