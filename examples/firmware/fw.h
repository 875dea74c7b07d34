/*
 * sitegpt-c firmware example: what main.c takes from the board and mbedTLS glue files.
 * The FreeRTOS firmware (examples/firmware-freertos) shares all but fw_board.c.
 */
#ifndef SG_FW_H
#define SG_FW_H

#include <sitegpt/sg_device.h>
#include <sitegpt/sg_rtos.h>
#include <sitegpt/sg_url.h>

#include "sg_tls.h"

/* Host paths and the test seed, from the semihosting command line. */
typedef struct fw_args {
    const char *base_url;  /* base=https://localhost:PORT */
    const char *ca_file;   /* ca=PATH: PEM read once at boot (a real device compiles it in) */
    const char *kv_dir;    /* kv=DIR: one host file per key */
    const char *seed;      /* seed=TEXT: mixed into the (insecure) emulator entropy */
    const char *host_name; /* host=NAME=A.B.C.D: the API host's address (lwIP's host list) */
    const char *host_ip;
} fw_args;

/* fw_board.c: the QEMU mps2-an386 board as sg_rtos hooks. */
void fw_board_hooks(const fw_args *args, sg_rtos_hooks *hooks);

/* fw_host.c: what the firmware reads from and says to the host through semihosting. */
/* Split "prog key=value ..." in place (values hold no spaces); false without base, ca or kv. */
bool fw_parse_args(char *line, fw_args *args);
/* Read a whole host file (NUL appended, counted in *len) for the CA bundle. */
SG_NODISCARD sg_status fw_read_pem(const char *path, uint8_t *buf, size_t cap, size_t *len);
/* Console lines: "fw: <label><value>" and "fw: <label><number><unit>". */
void fw_say(const char *label, const char *value);
void fw_say_num(const char *label, size_t value, const char *unit);
/*
 * "fw: error: <what>: <status text>", then " (mbedTLS error -N)" when tls_error is
 * negative and " (lwIP error -N)" when net_error is not 0.
 */
void fw_say_error(const char *what, sg_status st, int tls_error, int net_error);

/*
 * fw_entropy.c. NOT A SECURE ENTROPY SOURCE. The emulator has no TRNG, so this hashes the
 * host's clock, QEMU's elapsed time, uptime(NULL), a counter and seed (NULL: none): enough
 * for distinct TLS randoms in a test, predictable to an attacker. A real device reads its
 * hardware TRNG instead (and fails when it reports an error).
 */
SG_NODISCARD sg_status fw_emulator_entropy(const char *seed, uint32_t (*uptime)(void *ctx),
                                           uint8_t *out, size_t len);

/* fw_client.c: the client steps both firmwares run alike. */
/*
 * sg_tls over rtos's byte stream, trusting the PEM bundle ca[0..ca_len) (as fw_read_pem
 * gives it), asking for 2 KB records; then the HTTP client over it, in buf.
 */
SG_NODISCARD sg_status fw_client_init(sg_tls *tls, sg_http_client *http, sg_rtos *rtos,
                                      const uint8_t *ca, size_t ca_len, uint8_t *buf, size_t cap);
/*
 * The device flow as a superloop would run it: start (the user code and link go to the
 * console), poll, and sleep through rtos's delay hook (required) as long as the server asks.
 * The token goes to token; dev is cleared on every return.
 */
SG_NODISCARD sg_status fw_device_login(sg_device *dev, sg_http_client *http, sg_rtos *rtos,
                                       const sg_url *base, const char *token_name, char *token,
                                       size_t token_cap);

/* fw_mbedtls.c: static pool, entropy and clocks for mbedTLS. */
void fw_mbedtls_init(sg_rtos *rtos);
/* Peak bytes and blocks the pool ever held, and its size. */
void fw_mbedtls_pool_stats(size_t *peak, size_t *peak_blocks, size_t *size);

#endif /* SG_FW_H */
