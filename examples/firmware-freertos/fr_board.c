/*
 * The QEMU mps2-an386 board for the FreeRTOS firmware: entropy and the key-value store
 * (one host file per key through semihosting, as in examples/firmware).
 */
#include <FreeRTOS.h>
#include <task.h>

#include "cm_kv.h"
#include "fr.h"

static const fw_args *board_args;

static uint32_t ticks(void *ctx)
{
    (void)ctx;
    return (uint32_t)xTaskGetTickCount();
}

/*
 * NOT A SECURE ENTROPY SOURCE: see fw_emulator_entropy. Enough for distinct TLS randoms and
 * TCP sequence numbers in a test; a real device reads its TRNG here.
 */
static sg_status emulator_entropy(void *ctx, uint8_t *out, size_t len)
{
    (void)ctx;
    return fw_emulator_entropy(board_args != NULL ? board_args->seed : NULL, ticks, out, len);
}

/* lwIP's LWIP_RAND(): TCP initial sequence numbers, DNS ids, local ports. */
uint32_t fr_lwip_rand(void);
uint32_t fr_lwip_rand(void)
{
    uint32_t r = 0;
    if (emulator_entropy(NULL, (uint8_t *)&r, sizeof r) != SG_OK) {
        r = (uint32_t)xTaskGetTickCount();
    }
    return r;
}

void fr_board_hooks(const fw_args *args, sg_rtos_hooks *hooks)
{
    board_args = args;
    hooks->entropy = emulator_entropy;
    cm_kv_hooks(args->kv_dir, hooks);
}
