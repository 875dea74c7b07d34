/*
 * The QEMU mps2-an386 board as sg_rtos hooks: SysTick clock, UART0 as the byte stream
 * (QEMU bridges it to a TCP port), key-value storage and entropy over semihosting.
 */
#include <string.h>

#include <mbedtls/sha256.h>

#include "cortexm.h"
#include "fw.h"

#define KV_PATH_MAX 128u

static const fw_args *board_args;

/*
 * NOT A SECURE ENTROPY SOURCE. The emulator has no TRNG, so this hashes the host's clock,
 * QEMU's elapsed time, the uptime, a counter and a seed the test passes on the
 * command line: enough for distinct TLS randoms in a test, predictable to an attacker.
 * A real device must read its hardware TRNG here (and fail when it reports an error).
 */
static sg_status emulator_entropy(void *ctx, uint8_t *out, size_t len)
{
    static uint32_t counter;
    (void)ctx;
    while (len > 0) {
        uint8_t digest[32];
        uint32_t mix[4] = {cm_sh_time(), cm_sh_clock(), cm_millis(NULL), ++counter};
        mbedtls_sha256_context sha;
        mbedtls_sha256_init(&sha);
        int rc = mbedtls_sha256_starts(&sha, 0);
        if (rc == 0 && board_args->seed != NULL) {
            rc = mbedtls_sha256_update(&sha, (const unsigned char *)board_args->seed,
                                       strlen(board_args->seed));
        }
        if (rc == 0) {
            rc = mbedtls_sha256_update(&sha, (const unsigned char *)mix, sizeof mix);
        }
        if (rc == 0) {
            rc = mbedtls_sha256_finish(&sha, digest);
        }
        mbedtls_sha256_free(&sha);
        if (rc != 0) {
            return SG_ERR_ENTROPY;
        }
        size_t n = len < sizeof digest ? len : sizeof digest;
        memcpy(out, digest, n);
        out += n;
        len -= n;
    }
    return SG_OK;
}

/* "<kv_dir>/<key>"; false when it does not fit or the key could leave the folder. */
static bool kv_path(const char *key, char *path, size_t cap)
{
    size_t dlen = strlen(board_args->kv_dir);
    size_t klen = strlen(key);
    if (klen == 0 || strchr(key, '/') != NULL || key[0] == '.' || dlen + 1u + klen + 1u > cap) {
        return false;
    }
    memcpy(path, board_args->kv_dir, dlen + 1u);
    path[dlen] = '/';
    memcpy(path + dlen + 1u, key, klen + 1u);
    return true;
}

static sg_status kv_read(void *ctx, const char *key, uint8_t *buf, size_t cap, size_t *len)
{
    char path[KV_PATH_MAX];
    (void)ctx;
    *len = 0;
    if (!kv_path(key, path, sizeof path)) {
        return SG_ERR_INVALID_ARG;
    }
    return cm_sh_file_read(path, buf, cap, len);
}

static sg_status kv_write(void *ctx, const char *key, const uint8_t *data, size_t len)
{
    char path[KV_PATH_MAX];
    (void)ctx;
    if (!kv_path(key, path, sizeof path)) {
        return SG_ERR_INVALID_ARG;
    }
    return cm_sh_file_write(path, data, len);
}

static sg_status kv_erase(void *ctx, const char *key)
{
    char path[KV_PATH_MAX];
    (void)ctx;
    if (!kv_path(key, path, sizeof path)) {
        return SG_ERR_INVALID_ARG;
    }
    return cm_sh_file_remove(path);
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
    hooks->kv_read = kv_read;
    hooks->kv_write = kv_write;
    hooks->kv_erase = kv_erase;
}

sg_status fw_board_read_file(const char *path, uint8_t *buf, size_t cap, size_t *len)
{
    if (cap == 0) {
        return SG_ERR_BUFFER_TOO_SMALL;
    }
    sg_status st = cm_sh_file_read(path, buf, cap - 1u, len);
    if (st == SG_OK) {
        buf[*len] = 0;
        *len += 1u; /* mbedTLS wants the PEM's NUL counted */
    }
    return st;
}
