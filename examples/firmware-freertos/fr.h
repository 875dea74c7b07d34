/*
 * sitegpt-c FreeRTOS + lwIP firmware: what main.c takes from the other files (and, through
 * fw.h, from the bare-metal firmware's: command line, console, entropy, mbedTLS glue).
 */
#ifndef SG_FR_H
#define SG_FR_H

#include <stddef.h>

#include "fw.h"

/* fr_board.c: entropy and the key-value store (host files through semihosting). */
void fr_board_hooks(const fw_args *args, sg_rtos_hooks *hooks);

/* fr_startup.c: memory figures. */
size_t fr_static_ram(void);
size_t fr_main_stack_size(void);

#endif /* SG_FR_H */
