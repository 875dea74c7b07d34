/*
 * sitegpt-c firmware example: what main.c takes from the board and mbedTLS glue files.
 */
#ifndef SG_FW_H
#define SG_FW_H

#include <sitegpt/sg_rtos.h>

/* Host paths and the test seed, from the semihosting command line. */
typedef struct fw_args {
    const char *base_url; /* base=https://localhost:PORT */
    const char *ca_file;  /* ca=PATH: PEM read once at boot (a real device compiles it in) */
    const char *kv_dir;   /* kv=DIR: one host file per key */
    const char *seed;     /* seed=TEXT: mixed into the (insecure) emulator entropy */
} fw_args;

/* fw_board.c: the QEMU mps2-an386 board as sg_rtos hooks. */
void fw_board_hooks(const fw_args *args, sg_rtos_hooks *hooks);
/* Read a whole host file (NUL appended, counted in *len) for the CA bundle. */
SG_NODISCARD sg_status fw_board_read_file(const char *path, uint8_t *buf, size_t cap, size_t *len);

/* fw_mbedtls.c: static pool, entropy and clocks for mbedTLS. */
void fw_mbedtls_init(sg_rtos *rtos);
/* Peak bytes and blocks the pool ever held, and its size. */
void fw_mbedtls_pool_stats(size_t *peak, size_t *peak_blocks, size_t *size);

#endif /* SG_FW_H */
