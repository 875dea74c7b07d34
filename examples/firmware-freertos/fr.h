/*
 * sitegpt-c FreeRTOS + lwIP firmware: what main.c takes from the other files here; fw.h
 * says what it shares with the bare-metal firmware.
 */
#ifndef SG_FR_H
#define SG_FR_H

#include "fw.h"

/* fr_board.c: entropy and the key-value store (host files through semihosting). */
void fr_board_hooks(const fw_args *args, sg_rtos_hooks *hooks);

#endif /* SG_FR_H */
