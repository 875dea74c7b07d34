/*
 * sitegpt-c FreeRTOS + lwIP firmware: what main.c takes from the other files.
 */
#ifndef SG_FR_H
#define SG_FR_H

#include <stddef.h>

#include <sitegpt/sg_rtos.h>

/* Semihosting command line: fw base=URL ca=PEM kv=DIR host=NAME=A.B.C.D [seed=TEXT] */
typedef struct fr_args {
    const char *base_url;
    const char *ca_file;
    const char *kv_dir;
    const char *host_name; /* the API host's entry in lwIP's local host list */
    const char *host_ip;
    const char *seed; /* mixed into the (insecure) emulator entropy */
} fr_args;

/* fr_board.c: entropy and the key-value store (host files through semihosting). */
void fr_board_hooks(const fr_args *args, sg_rtos_hooks *hooks);
SG_NODISCARD sg_status fr_board_read_file(const char *path, uint8_t *buf, size_t cap, size_t *len);

/* fr_startup.c: memory figures. */
size_t fr_static_ram(void);
size_t fr_main_stack_size(void);

#endif /* SG_FR_H */
