/*
 * sitegpt-c: platform services for RTOS and bare-metal targets, built from a few hooks.
 *
 * The integrator fills one sg_rtos_hooks struct of plain function pointers (one shared
 * context pointer) and calls sg_rtos_init; sg_rtos then offers what the rest of the library
 * takes: an sg_platform (64-bit monotonic clock, sleep, random), an sg_transport over the
 * integrator's byte stream (a UART to a modem in transparent mode, or a TCP/IP stack's
 * socket; put sg_tls on top of it), an entropy function with the sg_tls_entropy_fn shape,
 * and a small key-value store for the API token. Function pointers rather than weak
 * symbols: two instances can coexist, tests can swap them, and nothing links by accident.
 *
 * Hook contracts:
 *   millis        required. Free-running millisecond counter; may wrap at 2^32 (sg_rtos
 *                 widens it, so it must be read at least once every 49 days).
 *   delay_ms      optional. NULL on a superloop: platform.sleep_ms is then NULL and the
 *                 caller steps the state machines itself (sg_device returns "wait N ms").
 *   entropy       required for TLS. Must be a real TRNG on a device.
 *   stream_open   optional (NULL: the stream is always connected, e.g. a UART). Gets the
 *                 host and port so a modem driver can dial (AT+CIPSTART, ...).
 *   stream_write  required. May write fewer bytes than asked; *written says how many.
 *   stream_read   required. Wait up to timeout_ms for at least one byte, return what is
 *                 there: SG_ERR_TIMEOUT when nothing came, SG_OK with *got == 0 when the
 *                 peer closed the stream.
 *   stream_close  optional.
 *   kv_read       required for the token store. SG_ERR_NOT_FOUND when the key is absent,
 *                 SG_ERR_BUFFER_TOO_SMALL when the value does not fit cap.
 *   kv_write      required for the token store. Replace the whole value (atomically if the
 *                 medium allows: a torn write must read back as absent, not as half a token).
 *   kv_erase      optional (NULL: logout writes an empty value).
 *
 * FreeRTOS (a task owns the client; UART RX interrupt feeds a stream buffer):
 *
 *   static uint32_t ms(void *c) { (void)c; return xTaskGetTickCount() * portTICK_PERIOD_MS; }
 *   static void dly(void *c, uint32_t t) { (void)c; vTaskDelay(pdMS_TO_TICKS(t)); }
 *   static sg_status rd(void *c, uint8_t *b, size_t n, size_t *got, uint32_t t) {
 *       *got = xStreamBufferReceive(uart_rx, b, n, pdMS_TO_TICKS(t));
 *       return *got ? SG_OK : SG_ERR_TIMEOUT; }
 *   sg_rtos_hooks h = { .millis = ms, .delay_ms = dly, .entropy = trng_read,
 *                       .stream_write = uart_write, .stream_read = rd,
 *                       .kv_read = nvs_get, .kv_write = nvs_set };
 *
 * Zephyr:
 *
 *   static uint32_t ms(void *c) { (void)c; return k_uptime_get_32(); }
 *   static void dly(void *c, uint32_t t) { (void)c; k_msleep((int32_t)t); }
 *   static sg_status rnd(void *c, uint8_t *o, size_t n) {
 *       (void)c; return sys_csrand_get(o, n) == 0 ? SG_OK : SG_ERR_ENTROPY; }
 *   sg_rtos_hooks h = { .millis = ms, .delay_ms = dly, .entropy = rnd,
 *                       .stream_open = zsock_dial, .stream_write = zsock_wr,
 *                       .stream_read = zsock_rd, .stream_close = zsock_done,
 *                       .kv_read = settings_get, .kv_write = settings_put };
 *
 * Bare-metal superloop (platform/rtos/cortexm, as in examples/firmware):
 *
 *   sg_rtos_hooks h = { .millis = cm_millis, .delay_ms = NULL, .entropy = board_trng,
 *                       .stream_write = cm_uart_write, .stream_read = cm_uart_read,
 *                       .kv_read = flash_kv_read, .kv_write = flash_kv_write };
 *   static sg_rtos rtos;
 *   if (sg_rtos_init(&rtos, &h) != SG_OK) { ... }
 *   // &rtos.platform to the core, &rtos.stream under sg_tls, sg_rtos_entropy to sg_tls_init
 */
#ifndef SG_RTOS_H
#define SG_RTOS_H

#include "sg_base.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The key the token lives under, and the largest token the store takes. */
#define SG_RTOS_TOKEN_KEY "sitegpt.token"
#define SG_RTOS_TOKEN_MAX 256u

typedef struct sg_rtos_hooks {
    void *ctx; /* passed to every hook */
    uint32_t (*millis)(void *ctx);
    void (*delay_ms)(void *ctx, uint32_t ms);
    sg_status (*entropy)(void *ctx, uint8_t *out, size_t len);
    sg_status (*stream_open)(void *ctx, const char *host, uint16_t port, uint32_t timeout_ms);
    sg_status (*stream_write)(void *ctx, const uint8_t *data, size_t len, size_t *written);
    sg_status (*stream_read)(void *ctx, uint8_t *buf, size_t cap, size_t *got, uint32_t timeout_ms);
    void (*stream_close)(void *ctx);
    sg_status (*kv_read)(void *ctx, const char *key, uint8_t *buf, size_t cap, size_t *len);
    sg_status (*kv_write)(void *ctx, const char *key, const uint8_t *data, size_t len);
    sg_status (*kv_erase)(void *ctx, const char *key);
} sg_rtos_hooks;

typedef struct sg_rtos {
    sg_platform platform; /* hand &rtos.platform to the core */
    sg_transport stream;  /* hand &rtos.stream to sg_tls_init as the inner transport */
    /* Private: the library's own state; do not read or write it. */
    struct {
        sg_rtos_hooks hooks;
        uint32_t last_ms;    /* millis at the previous read, to count wraps */
        uint64_t wrapped_ms; /* 2^32 per wrap seen */
        bool stream_open;
    } _private;
} sg_rtos;

/* SG_ERR_INVALID_ARG when a required hook (millis, stream_write, stream_read) is NULL. */
SG_NODISCARD sg_status sg_rtos_init(sg_rtos *r, const sg_rtos_hooks *hooks);

/* Unpredictable bytes from the entropy hook; ctx is the sg_rtos (sg_tls_entropy_fn shape). */
SG_NODISCARD sg_status sg_rtos_entropy(void *ctx, uint8_t *out, size_t len);

/* Raw key-value access through the hooks. */
SG_NODISCARD sg_status sg_rtos_kv_get(sg_rtos *r, const char *key, uint8_t *buf, size_t cap,
                                      size_t *len);
SG_NODISCARD sg_status sg_rtos_kv_set(sg_rtos *r, const char *key, const uint8_t *data, size_t len);

/*
 * The stored API token, NUL-terminated in token (cap includes the NUL). SG_ERR_NOT_FOUND
 * when none is stored (or logout left it empty); SG_ERR_STORAGE when the stored value is
 * not a token (no "sgpt_" prefix, control bytes): never hand garbage to the server.
 */
SG_NODISCARD sg_status sg_rtos_token_load(sg_rtos *r, char *token, size_t cap);
/* Store the token (checked the same way); SG_ERR_INVALID_ARG for a malformed one. */
SG_NODISCARD sg_status sg_rtos_token_store(sg_rtos *r, const char *token);
/* Forget the token (kv_erase, or an empty value when there is no erase hook). */
SG_NODISCARD sg_status sg_rtos_token_erase(sg_rtos *r);

#ifdef __cplusplus
}
#endif

#endif /* SG_RTOS_H */
